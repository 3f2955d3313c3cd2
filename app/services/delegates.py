"""Deliberation delegates (议事代表): the roster record, its rules and the roster query."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.common import idcard
from app.common.errors import ConflictError, ValidationError
from app.common.ids import named_id
from app.common.resources import reference
from app.common.textutil import clean, clean_code, validate_phone
from app.rules.codes import APPOINTED_EVENT, GENDERS, LEAVING
from app.rules.codes import DELEGATE_STATUSES as STATUSES
from app.rules.fields import detail_of
from app.services.base import FieldSpec, Service, add_equals, choice_label, list_order, one_page
from app.services.groups import ROLES
from app.services.rows import DelegateForm, DelegateListRow, DelegateRow, as_row, as_rows
from app.storage.changes import Changes

# The events after which a delegate no longer serves (their kind is the status they moved to).


def serving_condition(param: str) -> str:
    """SQL (on `d`, a delegate, and `t`, its term) true when the delegate served on the date
    bound to `param`: their term had begun and their last change of status up to that day left
    them serving. A delegate appointed later was not yet serving; one with no history serves as
    their status says."""
    leaving = ", ".join(f"'{k}'" for k in LEAVING)
    return (f"((t.start_date IS NULL OR t.start_date <= {param}) AND coalesce("
            f"(SELECT e.kind NOT IN ({leaving}) FROM delegate_events e WHERE e.delegate_id = d.id"
            f" AND e.deleted = 0 AND e.day <= {param} ORDER BY e.day DESC, e.rowid DESC LIMIT 1),"
            f" CASE WHEN EXISTS (SELECT 1 FROM delegate_events e WHERE e.delegate_id = d.id AND e.deleted = 0"
            f" AND e.kind = '{APPOINTED_EVENT}') THEN 0"
            f" WHEN EXISTS (SELECT 1 FROM delegate_events e WHERE e.delegate_id = d.id AND e.deleted = 0)"
            f" THEN 1 ELSE d.status = 'active' END))")
_LINK_NS = uuid.UUID("7f6f3c1e-5d0a-4d8e-9a51-2b1c0e4f9a77")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def link_id(delegate_id: str, grid_id: str) -> str:
    # Deterministic, so two offices linking the same pair create the same row.
    return named_id(_LINK_NS, f"{delegate_id}/{grid_id}")  # (str(uuid.uuid5(...)), made quicker)


def person_fields() -> tuple[FieldSpec, ...]:
    """The personal fields a delegate and a candidate share (the candidate becomes the delegate)."""
    ref = reference()
    return (
        FieldSpec("name", "姓名", required=True),
        FieldSpec("gender", "性别", "choice", choices=GENDERS),
        FieldSpec("ethnicity", "民族", "choice", choices=tuple(ref["ethnicities"]), editable=True),
        FieldSpec("id_number", "身份证号", "idcard"),
        FieldSpec("birth_date", "出生日期", "date"),
        FieldSpec("party", "政治面貌", "choice", choices=tuple(ref["parties"]), editable=True),
        FieldSpec("sector", "界别", "choice", choices=tuple(ref["sectors"]), editable=True),
        FieldSpec("education", "学历", "choice", choices=tuple(ref["education"]), editable=True),
        FieldSpec("workplace", "工作单位"),
        FieldSpec("post", "职务"),
        FieldSpec("phone", "联系电话", "phone"),
    )


def delegate_fields() -> tuple[FieldSpec, ...]:
    return (
        *person_fields(),
        FieldSpec("community_id", "所在村（社区）", "ref", required=True, ref="communities"),
        FieldSpec("group_id", "议事小组", "ref", ref="groups"),
        FieldSpec("group_role", "小组职务", "choice", choices=ROLES),
        FieldSpec("term_id", "届次", "ref", ref="terms"),
        FieldSpec("status", "状态", "choice", choices=STATUSES),
        FieldSpec("certificate_no", "聘书编号"),
        FieldSpec("notes", "备注", "multiline"),
    )


def normalise_person(values: dict, *, today: date | None = None) -> dict:
    """The ID number checked (GB 11643) and agreeing with birth date and gender; phone checked.
    Shared by delegates and candidates."""
    values = dict(values)
    if "id_number" in values:
        raw = values["id_number"]
        if clean_code(raw):
            info = idcard.parse(raw, today=today)
            values["id_number"] = info.number
            if values.get("birth_date") in (None, ""):
                values["birth_date"] = info.birth_date.isoformat()
            elif clean(values["birth_date"]) != info.birth_date.isoformat():
                raise ValidationError(
                    f"出生日期 {values['birth_date']} 与身份证号中的 {info.birth_date.isoformat()} 不一致",
                    field="birth_date")
            if values.get("gender") in (None, ""):
                values["gender"] = info.gender
            elif values["gender"] != info.gender:
                raise ValidationError(f"性别“{values['gender']}”与身份证号（{info.gender}）不一致",
                                      field="gender")
        else:
            values["id_number"] = None
    if "phone" in values:
        values["phone"] = validate_phone(values["phone"])
    return values


@dataclass
class RosterFilter:
    """What the roster page asks for; the same object drives count() and page()."""

    search: str = ""
    group_id: str | None = None
    community_id: str | None = None
    party: str | None = None
    sector: str | None = None
    status: str | None = "active"
    term_id: str | None = None
    sort: str = "default"
    descending: bool = False
    extra: dict = field(default_factory=dict)


SORTS = {
    "default": "g.sort_order, g.name, CASE d.group_role WHEN 'leader' THEN 0 "
               "WHEN 'deputy_leader' THEN 1 ELSE 2 END, d.name_pinyin",
    "name": "d.name_pinyin", "gender": "d.gender", "birth_date": "d.birth_date",
    "party": "d.party", "sector": "d.sector", "community": "c.sort_order, c.name",
    "group": "g.sort_order, g.name", "role": "d.group_role", "status": "d.status",
    "phone": "d.phone", "workplace": "d.workplace", "certificate_no": "d.certificate_no",
}


class DelegateService(Service[DelegateRow]):
    table = "delegates"
    row_type = DelegateRow
    noun = "代表"

    def __init__(self, store):
        super().__init__(store)
        self.fields = delegate_fields()

    # -- validation ------------------------------------------------------------
    def normalise(self, values: dict, existing: Mapping[str, Any] | None = None, *, today: date | None = None) -> dict:
        """Clean and check one delegate's values; raise ValidationError naming the field."""
        values = normalise_person(values, today=today)
        values = self.clean_values(values)
        if values.get("birth_date"):
            self._check_date(values["birth_date"], "birth_date", "出生日期")
        self.require(values, existing)
        merged = {**(existing or {}), **values}
        if merged.get("name") and len(merged["name"]) > 30:
            raise ValidationError("姓名过长（最多 30 个字）", field="name")
        self.live_ref("communities", values.get("community_id"), "村（社区）", "community_id")
        self.live_ref("groups", values.get("group_id"), "议事小组", "group_id")
        self.live_ref("terms", values.get("term_id"), "届次", "term_id")
        row_id = existing["id"] if existing else None
        # One person is one record per term: re-chosen in the next term, they get a new record
        # (the old one keeps their first term's history).
        if merged.get("id_number") and self.store.scalar(
                "SELECT 1 FROM delegates WHERE id_number = ? AND deleted = 0 AND id IS NOT ?"
                " AND term_id IS ?", [merged["id_number"], row_id, merged.get("term_id")]):
            raise ConflictError("本届已有相同身份证号的代表，请勿重复录入", field="id_number")
        if merged.get("certificate_no") and self.store.scalar(
                "SELECT 1 FROM delegates WHERE certificate_no = ? AND deleted = 0 AND id IS NOT ?",
                [merged["certificate_no"], row_id]):
            raise ConflictError(f"聘书编号 {merged['certificate_no']} 已被使用", field="certificate_no")
        if merged.get("status", "active") == "active" and (
                "group_role" in values or "group_id" in values or "status" in values):
            role = merged.get("group_role") or "member"
            if role != "member":
                self.store.groups.check_role(merged.get("group_id"), role, row_id)
        return values

    @staticmethod
    def _check_date(text: str, field_name: str, label: str) -> None:
        try:
            if not _DATE.match(text):
                raise ValueError
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"{label}“{text}”不是有效日期（格式：2024-03-15）",
                                  field=field_name) from None

    # -- writing ---------------------------------------------------------------
    def create(self, values: dict, grid_ids: list[str] | None = None) -> Changes:
        values = dict(values)
        values.setdefault("status", "active")
        values.setdefault("group_role", "member")
        if not values.get("term_id"):
            values["term_id"] = self.store.terms.current_id()
        values = self.normalise(values)
        with self.store.write("create", f"新增代表：{values['name']}") as tx:
            row_id = tx.insert(self.table, values)
            self._set_grids(tx, row_id, grid_ids or [], values.get("community_id"))
        return tx.changes

    def update(self, row_id: str, values: dict, grid_ids: list[str] | None = None) -> Changes:
        row = self.get(row_id)
        values = self.normalise(values, row)
        with self.store.write("update", f"修改代表：{row['name']}") as tx:
            tx.update(self.table, row_id, values)
            if grid_ids is not None:
                self._set_grids(tx, row_id, grid_ids, values.get("community_id", row["community_id"]))
        return tx.changes

    def _set_grids(self, tx, delegate_id: str, grid_ids: list[str], community_id: str | None) -> None:
        wanted = list(dict.fromkeys(grid_ids))
        for grid_id in wanted:
            self.live_ref("grids", grid_id, "网格", "grids")
        existing = {r["grid_id"]: r for r in self.store.rows(
            "SELECT id, grid_id, deleted FROM delegate_grids WHERE delegate_id = ?", [delegate_id])}
        for grid_id, link in existing.items():
            if grid_id not in wanted and not link["deleted"]:
                tx.delete("delegate_grids", link["id"])
        for grid_id in wanted:
            kept = existing.get(grid_id)
            if kept is None:
                tx.insert("delegate_grids", {"delegate_id": delegate_id, "grid_id": grid_id},
                          row_id=link_id(delegate_id, grid_id))
            elif kept["deleted"]:
                tx.restore("delegate_grids", kept["id"])

    # -- the term's life ------------------------------------------------------------------
    def change_status(self, delegate_id: str, status: str, day: str, reason: str = ""):
        """辞职、罢免、去世、迁出 (or back to 在任): the change and its reason stay in the history."""
        row = self.get(delegate_id)
        if status not in dict(STATUSES):
            raise ValidationError("请选择任职状态", field="status")
        if status == row["status"]:
            raise ConflictError(f"{row['name']}现在已是“{choice_label(STATUSES, status)}”")
        self._check_date(day, "day", "变动日期")
        reason = clean(reason)
        if status != "active" and not reason:
            raise ValidationError("请写明变动原因（将记入履职档案）", field="reason")
        if status == "active" and row["group_role"] != "member":
            self.store.groups.check_role(row["group_id"], row["group_role"], delegate_id)
        from app.storage.audit import current_actor

        before, after = choice_label(STATUSES, row["status"]), choice_label(STATUSES, status)
        with self.store.write("update", f"任职变动：{row['name']} {before} → {after}") as tx:
            tx.update(self.table, delegate_id, {"status": status})
            tx.insert("delegate_events", {"delegate_id": delegate_id, "day": day, "kind": status,
                                          "detail": json.dumps({"from": before, "to": after, "reason": reason},
                                                               ensure_ascii=False),
                                          "actor": current_actor(self.db)})
        return tx.changes

    def history(self, delegate_id: str) -> list[dict]:
        rows = self.store.rows("SELECT * FROM delegate_events WHERE delegate_id = ? AND deleted = 0 ORDER BY day",
                               [delegate_id])
        for row in rows:
            detail = detail_of(row["detail"])
            row["text"] = f"{detail.get('from', '')} → {detail.get('to', '')}" + (
                f"：{detail['reason']}" if detail.get("reason") else "")
        return rows

    def for_editing(self, delegate_id: str) -> DelegateForm:
        """The record as the edit form gets it: the ID number masked (`reveal_id` shows it whole)."""
        row = self.get(delegate_id)
        return as_row({**row, "id_number": idcard.mask(row.get("id_number")), "id_masked": bool(row.get("id_number"))},
                      DelegateForm)

    def reveal_id(self, delegate_id: str) -> str:
        """The full ID number, on the clerk's request; the audit log records who saw whose."""
        row = self.get(delegate_id)
        self.store.audit.record("view", f"查看代表“{row['name']}”的完整身份证号", {"delegate": delegate_id})
        return row.get("id_number") or ""

    def choices(self) -> list[tuple[str, str]]:
        """Active delegates to pick from, as "name（community）", in pinyin order."""
        return [(d["id"], f"{d['name']}（{d['community_name'] or ''}）") for d in self.store.rows(
            "SELECT d.id, d.name, c.name AS community_name FROM delegates d LEFT JOIN communities c"
            " ON c.id = d.community_id WHERE d.deleted = 0 AND d.status = 'active' ORDER BY d.name_pinyin")]

    def serving_on(self, day: str, group_id: str | None = None) -> list[dict]:
        """The delegates serving on `day` (a meeting's quorum and sign-in sheet)."""
        return self.serving_between(day, day, group_id)

    def serving_between(self, first: str, last: str, group_id: str | None = None) -> list[dict]:
        """Delegates who served at some time from `first` to `last` (a month's visit board)."""
        extra, params = "", [first, last]
        if group_id:
            extra, params = " AND d.group_id = ?", [*params, group_id]
        return self.store.rows(
            f"""SELECT d.id, d.name, d.phone, d.group_id, d.group_role, d.community_id, d.term_id,
                      c.name AS community_name, g.name AS group_name
               FROM delegates d LEFT JOIN terms t ON t.id = d.term_id
               LEFT JOIN communities c ON c.id = d.community_id LEFT JOIN groups g ON g.id = d.group_id
               WHERE d.deleted = 0 AND ({serving_condition('?1')} OR {serving_condition('?2')}){extra}
               ORDER BY g.sort_order, CASE d.group_role WHEN 'leader' THEN 0 WHEN 'deputy_leader' THEN 1
                 ELSE 2 END, d.name_pinyin""", params)

    def serving_people(self, delegate_ids, label: str, field: str, day: str | None = None) -> list[dict]:
        """The delegates named (each once, in the order given), refusing anyone who was not a serving
        delegate on `day` (today when not given): who took part in a supervision, a survey..."""
        wanted = list(dict.fromkeys(i for i in (delegate_ids or ()) if i))
        if not wanted:
            return []
        day = day or date.today().isoformat()
        found = {r["id"]: r for r in self.store.rows(
            f"""SELECT d.id, d.name, d.group_id, {serving_condition('?1')}
                       AND (d.status = 'active' OR ?1 < ?2) AS serving FROM delegates d
                LEFT JOIN terms t ON t.id = d.term_id
                WHERE d.deleted = 0 AND d.id IN ({','.join('?' * len(wanted))})""",
            [day, date.today().isoformat(), *wanted])}
        for delegate_id in wanted:
            person = found.get(delegate_id)
            if person is None:
                raise ValidationError(f"所选{label}不存在或已删除", field=field)
            if not person["serving"]:
                raise ValidationError(f"{person['name']}在 {day} 不是在任的议事代表，不能列为{label}", field=field)
        return [found[i] for i in wanted]

    def communities_of(self) -> dict[str, str]:
        """delegate id -> community id (to offer a delegate's own grids first)."""
        return {d["id"]: d["community_id"] for d in self.store.rows(
            "SELECT id, community_id FROM delegates WHERE deleted = 0")}

    def grid_ids(self, delegate_id: str) -> list[str]:
        return [r["grid_id"] for r in self.store.rows(
            "SELECT grid_id FROM delegate_grids WHERE delegate_id = ? AND deleted = 0", [delegate_id])]

    def check_restore(self, row):
        probe = {k: row[k] for k in ("id_number", "certificate_no", "group_role", "group_id", "status")}
        self.normalise(probe, {**row, "id": row["id"]})

    def parents_deleted(self, row):
        if self.store.scalar("SELECT 1 FROM communities WHERE id = ? AND deleted = 1",
                             [row["community_id"]]):
            return ["所在村（社区）已被删除"]
        return []

    # -- the roster query -------------------------------------------------------
    def _where(self, flt: RosterFilter) -> tuple[str, list]:
        clauses, params = ["d.deleted = 0"], []
        if flt.search:
            text = clean(flt.search)
            like = f"%{text}%"
            prefix = f"{text.lower()}%"
            clauses.append("(d.name LIKE ? OR d.name_initials LIKE ? OR d.name_pinyin LIKE ?"
                           " OR d.phone LIKE ? OR c.name LIKE ?)")
            params += [like, prefix, prefix, like, like]
        add_equals(clauses, params, (("d.group_id", flt.group_id), ("d.community_id", flt.community_id),
                              ("d.party", flt.party), ("d.sector", flt.sector),
                              ("d.status", flt.status), ("d.term_id", flt.term_id)))
        return " AND ".join(clauses), params

    _FROM = ("FROM delegates d LEFT JOIN communities c ON c.id = d.community_id "
             "LEFT JOIN groups g ON g.id = d.group_id")

    def count(self, flt: RosterFilter | None = None) -> int:
        where, params = self._where(flt or RosterFilter(status=None))
        return self.store.scalar(f"SELECT count(*) {self._FROM} WHERE {where}", params)

    def page(self, flt: RosterFilter, offset: int = 0, limit: int | None = 200) -> list[DelegateListRow]:
        where, params = self._where(flt)
        # The default order (by group and list position) is one the clerk cannot reverse.
        order = list_order(SORTS, flt.sort if flt.sort != "default" else "", "default", flt.descending)
        sql = (f"SELECT d.*, c.name AS community_name, g.name AS group_name, "
               f"(SELECT group_concat(x.name, '、') FROM delegate_grids dg JOIN grids x ON "
               f"x.id = dg.grid_id WHERE dg.delegate_id = d.id AND dg.deleted = 0 AND x.deleted = 0)"
               f" AS grid_names {self._FROM} WHERE {where} ORDER BY {order}, d.id")
        rows = self.store.rows(*one_page(sql, params, offset, limit))
        for row in rows:
            self.decorate(row)
        return as_rows(rows, DelegateListRow)

    @staticmethod
    def decorate(row: dict) -> None:
        """Display values: masked ID, Chinese labels."""
        row["id_masked"] = idcard.mask(row.get("id_number"))
        row["status_label"] = choice_label(STATUSES, row.get("status"))
        row["role_label"] = choice_label(ROLES, row.get("group_role"))

    def by_status(self) -> dict[str, int]:
        return self.count_by("status", STATUSES)

    def distinct(self, column: str) -> list[str]:
        if column not in ("party", "sector"):
            raise ValueError(column)
        return [r[column] for r in self.store.rows(
            f"SELECT DISTINCT {column} FROM delegates WHERE deleted = 0 AND {column} IS NOT NULL"
            f" ORDER BY {column}")]
