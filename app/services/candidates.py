"""Candidates (候选人 / 初步人选) moving through the 两下两上 procedure.

Each stage records its date, who decided (actor), the verdict and the reason in the append-only
`candidate_stages`; a stage can be recorded only right after the one before it, and a candidate
who fails leaves the procedure with the stage and reason kept. Round-level steps (public notice,
the 党工委's confirmation, certificates, filing) live in `nomination.py`.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.common.errors import ConflictError, ValidationError
from app.common.idcard import age_on, mask
from app.common.textutil import clean, parse_date
from app.rules import nomination_stages as st
from app.rules.codes import CANDIDATE_STAGES as STAGES
from app.rules.codes import CANDIDATE_STATUSES as STATUSES
from app.rules.codes import REVIEW_VERDICTS, ROUTES, VERDICTS
from app.rules.fields import as_day, detail_of, names_of
from app.services.base import FieldSpec, Service, add_equals, choice_label
from app.services.delegates import normalise_person, person_fields
from app.services.rows import CandidateListRow, CandidateRow, as_rows
from app.storage.audit import current_actor
from app.storage.changes import Changes

# The stage machine is defined in rules/nomination_stages; these names stay for the callers.
reached = st.reached
next_stage = st.next_stage
JOINT_MIN_RECOMMENDERS = 10
CITIZEN = "中国"
_REVIEW_NS = uuid.UUID("0c7d3f52-8a41-4e8b-b5a9-6f1e2d3c4b5a")


def stage_label(stage: str) -> str:
    return choice_label(STAGES, stage)


# The act a verdict is passed on, where the stage's label already names the outcome
# (村（居）民代表会议通过): "…表决通过" and "未通过…表决" read right, "…通过通过" does not.
VERDICT_ACTS = {st.COMMUNITY_APPROVED: "村（居）民代表会议表决"}


def act_of(stage: str) -> str:
    """The stage as the act a candidate passes or fails: 村（居）民代表会议表决, 工委初审, 部门联审…"""
    return VERDICT_ACTS.get(stage) or stage_label(stage)


def _number(value, default: int) -> int:
    return value if type(value) is int and value > 0 else default


def review_id(candidate_id: str, unit: str) -> str:
    # Deterministic: one verdict per department and candidate, the same row in every office.
    return str(uuid.uuid5(_REVIEW_NS, f"{candidate_id}/{unit}"))


def split_names(text) -> list[str]:
    """联名推荐人: names separated by 、，, spaces or new lines; each kept once, in order."""
    if isinstance(text, list):
        parts = text
    else:
        parts = str(text or "").replace("，", "、").replace(",", "、").replace("\n", "、").replace(
            " ", "、").replace("\u3000", "、").split("、")
    return list(dict.fromkeys(clean(p) for p in parts if clean(p)))


def candidate_fields() -> tuple[FieldSpec, ...]:
    return (
        *person_fields(),
        FieldSpec("citizenship", "国籍", "choice", choices=(CITIZEN,), editable=True),
        FieldSpec("community_id", "推荐村（社区）", "ref", required=True, ref="communities"),
        FieldSpec("resident_since", "在本村（社区）居住或工作起始日期", "date"),
        FieldSpec("route", "推荐方式", "choice", required=True, choices=ROUTES),
        FieldSpec("recommender", "推荐组织"),
        FieldSpec("recommenders", "联名推荐人（以顿号分隔）", "multiline"),
        FieldSpec("notes", "备注", "multiline"),
    )


@dataclass
class CandidateFilter:
    round_id: str | None = None
    search: str = ""
    stage: str | None = None
    status: str | None = None
    community_id: str | None = None


class CandidateService(Service[CandidateRow]):
    table = "candidates"
    row_type = CandidateRow
    noun = "人选"

    def __init__(self, store):
        super().__init__(store)
        self.fields = candidate_fields()

    # -- reading -------------------------------------------------------------------
    def list(self, flt: CandidateFilter) -> list[CandidateListRow]:
        clauses, params = ["p.deleted = 0"], []
        if flt.round_id:
            clauses.append("p.round_id = ?")
            params.append(flt.round_id)
        add_equals(clauses, params, (("p.stage", flt.stage), ("p.status", flt.status),
                              ("p.community_id", flt.community_id)))
        if flt.search:
            text = clean(flt.search)
            clauses.append("(p.name LIKE ? OR p.name_initials LIKE ? OR p.name_pinyin LIKE ? OR c.name LIKE ?"
                           " OR p.workplace LIKE ?)")
            params += [f"%{text}%", f"{text.lower()}%", f"{text.lower()}%", f"%{text}%", f"%{text}%"]
        rows = self.store.rows(
            "SELECT p.*, c.name AS community_name, c.kind AS community_kind, c.sort_order AS community_order,"
            " r.opened_on, r.min_age, r.min_years,"
            " (SELECT count(*) FROM objections o WHERE o.candidate_id = p.id AND o.deleted = 0)"
            "   AS objection_count"
            " FROM candidates p JOIN nomination_rounds r ON r.id = p.round_id"
            " LEFT JOIN communities c ON c.id = p.community_id"
            f" WHERE {' AND '.join(clauses)} ORDER BY c.sort_order, c.name, p.name_pinyin, p.id", params)
        for row in rows:
            self.decorate(row)
        return as_rows(rows, CandidateListRow)

    def decorate(self, row: dict) -> None:
        row["id_masked"] = mask(row.get("id_number"))
        row["route_label"] = choice_label(ROUTES, row.get("route"))
        row["status_label"] = choice_label(STATUSES, row.get("status"))
        row["stage_label"] = stage_label(row["stage"])
        row["recommender_names"] = names_of(row.get("recommenders"))
        stage = st.stage_of(row["stage"])
        if row["status"] == st.FAILED:
            failed = st.stage_of(row["fail_stage"])
            row["progress"] = failed.failed_text if failed and failed.failed_text \
                else f"未通过{act_of(row['fail_stage'] or row['stage'])}"
        elif row["status"] == st.WITHDRAWN:
            row["progress"] = "本人退出"
        elif row["stage"] == st.JOINT_REVIEWED and row["on_notice"]:
            row["progress"] = "公示中"
        else:
            row["progress"] = stage.waiting if stage else stage_label(row["stage"])
        row["work"] = " ".join(p for p in (row.get("workplace"), row.get("post")) if p)
        row["born"] = f"{row['birth_date'][:4]}.{row['birth_date'][5:7]}" if row.get("birth_date") else ""
        row["conditions"] = self.conditions(row, row)
        problems = [c for c in row["conditions"] if c["state"] != "ok"]
        row["conditions_text"] = "符合" if not problems else "；".join(c["text"] for c in problems)

    def conditions(self, candidate: Mapping[str, Any], round_row: Mapping[str, Any]) -> builtins.list[dict]:
        """The conditions the data can show: age, residence or work there, citizenship."""
        opened = as_day(round_row["opened_on"]) or date.today()
        min_age, min_years = _number(round_row.get("min_age"), 18), _number(round_row.get("min_years"), 1)
        out = []
        born, since = as_day(candidate.get("birth_date")), as_day(candidate.get("resident_since"))
        if born:
            age = age_on(born, opened)
            out.append({"name": "age", "state": "ok" if age >= min_age else "fail",
                        "text": f"年龄 {age} 周岁" if age >= min_age else f"未满 {min_age} 周岁（{age} 周岁）"})
        else:
            out.append({"name": "age", "state": "unknown", "text": "出生日期未填，年龄待核实"})
        if since:
            try:
                needed = opened.replace(year=opened.year - min_years)
            except ValueError:  # 29 February
                needed = opened.replace(year=opened.year - min_years, day=28)
            ok = since <= needed
            out.append({"name": "residence", "state": "ok" if ok else "fail",
                        "text": f"居住或工作满 {min_years} 年" if ok else f"在本村（社区）居住或工作不满 {min_years} 年"})
        else:
            out.append({"name": "residence", "state": "unknown", "text": "居住（工作）起始时间未填，待核实"})
        citizenship = candidate.get("citizenship") or CITIZEN
        out.append({"name": "citizenship", "state": "ok" if citizenship == CITIZEN else "fail",
                    "text": "中国公民" if citizenship == CITIZEN else f"国籍为{citizenship}，非中国公民"})
        return out

    def stages(self, candidate_id: str) -> builtins.list[dict]:
        """The candidate's history, oldest first (stage records, joint reviews, objections)."""
        rows = self.store.rows(
            "SELECT * FROM candidate_stages WHERE candidate_id = ? AND deleted = 0 ORDER BY day, rowid",
            [candidate_id])
        for row in rows:
            row["stage_label"] = "撤销" if row["stage"] == st.UNDO else stage_label(row["stage"])
            row["verdict_label"] = choice_label(VERDICTS, row["verdict"])
            detail = detail_of(row["detail"])
            if row["stage"] == st.UNDO:
                row["text"] = f"撤销了“{detail.get('undone', '')}”（记录保留）"
            else:
                row["text"] = "；".join(p for p in (row["verdict_label"], row.get("reason"),
                                                    detail.get("doc")) if p)
        return rows

    def reviews(self, candidate_id: str) -> builtins.list[dict]:
        return self.store.rows("SELECT * FROM joint_reviews WHERE candidate_id = ? AND deleted = 0"
                               " ORDER BY day, unit", [candidate_id])

    def joint_reviews_of_round(self, round_id: str) -> builtins.list[dict]:
        """Every unit's verdict in a round's joint review (联审), by candidate."""
        return self.store.rows("SELECT j.candidate_id, j.unit, j.verdict, j.note FROM joint_reviews j JOIN candidates p"
                               " ON p.id = j.candidate_id WHERE p.round_id = ? AND j.deleted = 0", [round_id])

    def groups_of_appointed(self, round_id: str) -> builtins.list[str]:
        """The group of each delegate a round appointed (one name per delegate placed in a group)."""
        return [r["group_name"] for r in self.store.rows(
            "SELECT g.name AS group_name FROM delegates d JOIN groups g ON g.id = d.group_id JOIN candidates p"
            " ON p.delegate_id = d.id WHERE p.round_id = ? AND d.deleted = 0", [round_id])]

    def objections(self, candidate_id: str | None = None, round_id: str | None = None) -> builtins.list[dict]:
        where, params = ("o.candidate_id = ?", [candidate_id]) if candidate_id else ("p.round_id = ?", [round_id])
        rows = self.store.rows(
            "SELECT o.*, p.name AS candidate_name FROM objections o JOIN candidates p ON p.id = o.candidate_id"
            f" WHERE o.deleted = 0 AND {where} ORDER BY o.received_on, o.rowid", params)
        for row in rows:
            row["state_label"] = ("未处理" if not row["resolved_on"] else
                                  "异议成立" if row["upheld"] else "异议不成立")
        return rows

    # -- nomination (一上) ------------------------------------------------------------
    def _round(self, round_id: str) -> dict:
        return self.store.nomination.get(round_id)

    def normalise(self, values: dict, existing: Mapping[str, Any] | None, round_row: Mapping[str, Any]) -> dict:
        values = dict(values)
        if "recommenders" in values:
            names = split_names(values["recommenders"])
            values["recommenders"] = json.dumps(names, ensure_ascii=False) if names else None
        values = normalise_person(values)
        values = self.clean_values(values)
        self.require(values, existing)
        merged = {**(existing or {}), **values}
        for key, label in (("birth_date", "出生日期"), ("resident_since", "居住或工作起始日期")):
            if values.get(key):
                parse_date(values[key], label, key)
        self.live_ref("communities", values.get("community_id"), "村（社区）", "community_id")
        names = json.loads(merged.get("recommenders") or "[]")
        if merged["route"] == "self" and not int(round_row.get("self_nomination") or 0):
            raise ConflictError("本批次未开放本人自荐：按实施方案，人选由基层党组织推荐或居民 10 人以上联名推荐。"
                                "确需自荐的，请先在推选批次中开放本人自荐。", field="route")
        if merged["route"] == "joint" and len(names) < JOINT_MIN_RECOMMENDERS:
            raise ValidationError(f"居民联名推荐须有 {JOINT_MIN_RECOMMENDERS} 名以上居民联名，现只记录了 "
                                  f"{len(names)} 名。请逐一录入联名推荐人姓名。", field="recommenders")
        if merged["route"] == "party_org" and not merged.get("recommender"):
            raise ValidationError("请填写推荐的基层党组织名称（如“中山路社区党委”）", field="recommender")
        row_id = existing["id"] if existing else None
        if merged.get("id_number"):
            other = self.store.scalar(
                "SELECT name FROM candidates WHERE round_id = ? AND id_number = ? AND deleted = 0"
                " AND status != ? AND id IS NOT ?", [round_row["id"], merged["id_number"], st.WITHDRAWN, row_id])
            if other:
                raise ConflictError(f"本批次已有相同身份证号的人选“{other}”，请勿重复推荐", field="id_number")
            # Serving in this round's own term refuses; a delegate of an earlier term (届满, or
            # still serving while the next term's round runs) may be chosen again.
            serving = self.store.scalar(
                "SELECT name FROM delegates WHERE id_number = ? AND deleted = 0 AND status = 'active'"
                " AND id IS NOT ? AND term_id IS ?", [merged["id_number"], merged.get("delegate_id"),
                                                     round_row.get("term_id")])
            if serving:
                raise ConflictError(f"{serving}已是本届在任议事代表，不能再作为人选推荐", field="id_number")
        return values

    def nominate(self, round_id: str, values: dict) -> Changes:
        """一上: a community puts a candidate forward by one of the three routes."""
        round_row = self._round(round_id)
        self.store.nomination.require_open(round_row, "增加人选")
        values = {**values, "round_id": round_id, "stage": st.NOMINATED, "status": st.IN_PROGRESS}
        values.setdefault("citizenship", CITIZEN)
        values = self.normalise(values, None, round_row)
        day = values.pop("day", None) or round_row["opened_on"]
        with self.store.write("create", f"推荐人选：{values['name']}（{round_row['name']}）") as tx:
            row_id = tx.insert(self.table, values)
            self._stage(tx, row_id, st.NOMINATED, day, values.get("recommender")
                        or choice_label(ROUTES, values["route"]), "pass", choice_label(ROUTES, values["route"]))
        return tx.changes

    def update(self, row_id: str, values: dict) -> Changes:
        row = self.get(row_id)
        round_row = self._round(row["round_id"])
        stage = st.stage_of(row["stage"])
        if row["status"] != st.IN_PROGRESS or not (stage and stage.editable):
            raise ConflictError(f"{row['name']}的推选已到“{stage_label(row['stage'])}”"
                                f"（{choice_label(STATUSES, row['status'])}），人选信息不能再修改")
        values = self.normalise(values, row, round_row)
        with self.store.write("update", f"修改人选：{row['name']}") as tx:
            tx.update(self.table, row_id, values)
        return tx.changes

    def delete(self, row_id: str):
        row = self.get(row_id)
        stage = st.stage_of(row["stage"])
        if not (stage and stage.deletable) or row["status"] != st.IN_PROGRESS:
            raise ConflictError(f"{row['name']}已进入“{stage_label(row['stage'])}”等后续环节，不能删除；"
                                "如本人不再参加，请办理“退出”，记录将保留")
        return super().delete(row_id)

    def check_restore(self, row):
        self.normalise({"id_number": row["id_number"]}, row, self._round(row["round_id"]))

    # -- stages ----------------------------------------------------------------------
    def _stage(self, tx, candidate_id: str, stage: str, day: str, actor: str | None, verdict: str,
               reason: str | None = None, detail: dict | None = None) -> None:
        tx.insert("candidate_stages", {
            "candidate_id": candidate_id, "stage": stage, "day": day, "actor": actor, "verdict": verdict,
            "reason": reason or None, "detail": json.dumps(detail, ensure_ascii=False) if detail else None,
            "recorded_by": current_actor(self.db)})

    def last_day(self, candidate_id: str) -> str | None:
        return self.store.scalar("SELECT max(day) FROM candidate_stages WHERE candidate_id = ? AND deleted = 0"
                                 " AND stage != ?", [candidate_id, st.UNDO])

    def expect(self, candidate: Mapping[str, Any], stage: str, day: str) -> None:
        """Refuse a stage out of order, for a candidate who left, or dated before the last one."""
        name = candidate["name"]
        if candidate["status"] == st.FAILED:
            raise ConflictError(f"{name}已未通过“{act_of(candidate['fail_stage'] or candidate['stage'])}”"
                                f"（{candidate['fail_reason'] or ''}），不能再办理“{stage_label(stage)}”")
        if candidate["status"] == st.WITHDRAWN:
            raise ConflictError(f"{name}已本人退出，不能再办理“{stage_label(stage)}”")
        wanted = next_stage(candidate["stage"]) or ""
        if wanted != stage:
            if st.order(stage) <= st.order(candidate["stage"]):
                raise ConflictError(f"{name}已完成“{stage_label(stage)}”，不能重复办理")
            raise ConflictError(f"{name}尚未完成“{stage_label(wanted)}”，不能跳过它直接办理“{stage_label(stage)}”")
        last = self.last_day(candidate["id"])
        if last and day < last:
            raise ValidationError(f"{name}的“{stage_label(stage)}”日期 {day} 早于上一环节的日期 {last}",
                                  field="day")

    def _fail(self, tx, candidate: Mapping[str, Any], stage: str, day: str, actor: str | None, reason: str,
              detail: dict | None = None) -> None:
        tx.update(self.table, candidate["id"], {"status": st.FAILED, "fail_stage": stage, "fail_reason": reason})
        self._stage(tx, candidate["id"], stage, day, actor, "fail", reason, detail)

    def _pass(self, tx, candidate: Mapping[str, Any], stage: str, day: str, actor: str | None, reason: str | None = None,
              detail: dict | None = None, **extra) -> None:
        tx.update(self.table, candidate["id"], {"stage": stage, **extra})
        self._stage(tx, candidate["id"], stage, day, actor, "pass", reason, detail)

    def default_actor(self, candidate: Mapping[str, Any], stage: str) -> str:
        if stage == st.COMMUNITY_APPROVED:
            community = self.store.communities.get(candidate["community_id"])
            return community["name"] + ("村民代表会议" if community["kind"] == "village" else "居民代表会议")
        if stage == st.PRELIMINARY_REVIEWED:
            return self.store.settings.unit() or "人大街道工委"
        return ""

    def record(self, candidate_ids: builtins.list[str], stage: str, day: str, verdict: str, reason: str = "",
               actor: str = ""):
        """村（居）民代表会议表决 or 工委初审 for one or more candidates, all or none."""
        if stage not in st.RECORDED:
            raise ValidationError(f"“{stage_label(stage)}”请在相应的功能中办理")
        if verdict not in ("pass", "fail"):
            raise ValidationError("请选择“通过”或“未通过”", field="verdict")
        parse_date(day, "日期", "day")
        self._not_future(day)
        reason = clean(reason)
        if verdict == "fail" and not reason:
            raise ValidationError("未通过须写明原因（将随人选记录保留）", field="reason")
        if not candidate_ids:
            raise ValidationError("请先选择人选")
        candidates = [self.get(i) for i in candidate_ids]
        for candidate in candidates:
            self.expect(candidate, stage, day)
            if stage == st.PRELIMINARY_REVIEWED and verdict == "pass":
                round_row = self._round(candidate["round_id"])
                for condition in self.conditions(candidate, round_row):
                    if condition["state"] == "fail":
                        raise ConflictError(f"{candidate['name']}不符合推选条件：{condition['text']}，初审不能通过")
                    if condition["state"] == "unknown":
                        raise ConflictError(f"{candidate['name']}：{condition['text']}，请补充后再初审")
        label = f"{act_of(stage)}{'通过' if verdict == 'pass' else '未通过'}"
        with self.store.write("nomination", f"{label}：{self._names(candidates)}") as tx:
            for candidate in candidates:
                who = clean(actor) or self.default_actor(candidate, stage)
                if verdict == "pass":
                    self._pass(tx, candidate, stage, day, who, reason)
                else:
                    self._fail(tx, candidate, stage, day, who, reason)
        return tx.changes

    def withdraw(self, candidate_id: str, day: str, reason: str):
        """本人申请退出 (or cannot continue): leaves the procedure with the reason kept."""
        candidate = self.get(candidate_id)
        parse_date(day, "日期", "day")
        reason = clean(reason)
        if not reason:
            raise ValidationError("请写明退出原因", field="reason")
        if candidate["status"] != st.IN_PROGRESS:
            raise ConflictError(f"{candidate['name']}已{choice_label(STATUSES, candidate['status'])}，不能再退出")
        pending = next_stage(candidate["stage"]) or candidate["stage"]
        with self.store.write("nomination", f"人选退出：{candidate['name']}") as tx:
            tx.update(self.table, candidate_id, {"status": st.WITHDRAWN, "fail_stage": pending,
                                                 "fail_reason": reason})
            self._stage(tx, candidate_id, pending, day, candidate["name"], "fail",
                        f"本人退出：{reason}")
        return tx.changes

    # -- joint review (二下) -------------------------------------------------------------
    def review(self, candidate_ids: builtins.list[str], unit: str, verdict: str, day: str, note: str = ""):
        """One department's verdict on one or more candidates; when every department of the round has
        given its verdict, the joint review is passed (all 合格) or failed (any 不合格)."""
        parse_date(day, "联审日期", "day")
        self._not_future(day)
        note = clean(note)
        if verdict not in REVIEW_VERDICTS:
            raise ValidationError("联审意见应为“合格”或“不合格”", field="verdict")
        if verdict == "不合格" and not note:
            raise ValidationError("不合格须写明原因", field="note")
        if not candidate_ids:
            raise ValidationError("请先选择人选")
        candidates = [self.get(i) for i in candidate_ids]
        units = self.store.nomination.review_units(candidates[0]["round_id"])
        if unit not in units:
            raise ValidationError(f"“{unit}”不是本批次的联审部门（{'、'.join(units)}）", field="unit")
        for candidate in candidates:
            self.expect(candidate, st.JOINT_REVIEWED, day)
        with self.store.write("nomination", f"联审意见：{unit} {verdict}（{self._names(candidates)}）") as tx:
            for candidate in candidates:
                row_id = review_id(candidate["id"], unit)
                values = {"candidate_id": candidate["id"], "unit": unit, "verdict": verdict, "note": note or None,
                          "day": day}
                existing = self.store.rows("SELECT deleted FROM joint_reviews WHERE id = ?", [row_id])
                if not existing:
                    tx.insert("joint_reviews", values, row_id=row_id)
                else:
                    if existing[0]["deleted"]:
                        tx.restore("joint_reviews", row_id)
                    tx.update("joint_reviews", row_id, values)
                given = {r["unit"]: r for r in self.reviews(candidate["id"])}
                if all(u in given for u in units):
                    failed = [f"{u}：{given[u]['note'] or '不合格'}" for u in units if given[u]["verdict"] != "合格"]
                    last = max(r["day"] for r in given.values())
                    detail = {"verdicts": {u: given[u]["verdict"] for u in units}}
                    if failed:
                        self._fail(tx, candidate, st.JOINT_REVIEWED, last, "联审部门", "联审不合格（" + "；".join(failed)
                                   + "）", detail)
                    else:
                        self._pass(tx, candidate, st.JOINT_REVIEWED, last, "、".join(units), "各部门联审合格", detail)
        return tx.changes

    # -- objections during the public notice ----------------------------------------------
    def add_objection(self, candidate_id: str, received_on: str, content: str, source: str = ""):
        candidate = self.get(candidate_id)
        round_row = self._round(candidate["round_id"])
        parse_date(received_on, "收到日期", "received_on")
        content = clean(content)
        if not content:
            raise ValidationError("请填写异议内容", field="content")
        if (not candidate["on_notice"] or candidate["status"] != st.IN_PROGRESS
                or candidate["stage"] != st.JOINT_REVIEWED):
            raise ConflictError(f"{candidate['name']}不在公示名单中（或公示已结束），不能登记异议")
        start, end = round_row["notice_start"], round_row["notice_end"]
        if not (start <= received_on <= end):
            raise ValidationError(f"异议应在公示期内（{start} 至 {end}）提出，{received_on} 不在公示期内",
                                  field="received_on")
        with self.store.write("nomination", f"登记异议：{candidate['name']}") as tx:
            tx.insert("objections", {"candidate_id": candidate_id, "received_on": received_on,
                                     "source": clean(source) or "匿名", "content": content})
        return tx.changes

    def resolve_objection(self, objection_id: str, day: str, handling: str, upheld: bool):
        """The 工委 looks into an objection: upheld → the candidate leaves at the notice stage."""
        found = self.store.rows("SELECT * FROM objections WHERE id = ? AND deleted = 0", [objection_id])
        if not found:
            raise ValidationError("找不到这条异议记录")
        objection = found[0]
        candidate = self.get(objection["candidate_id"])
        parse_date(day, "处理日期", "day")
        handling = clean(handling)
        if not handling:
            raise ValidationError("请填写核查处理情况", field="handling")
        if objection["resolved_on"]:
            raise ConflictError("这条异议已处理完毕")
        if day < objection["received_on"]:
            raise ValidationError(f"处理日期 {day} 早于收到异议的日期 {objection['received_on']}", field="day")
        verdict = "成立" if upheld else "不成立"
        with self.store.write("nomination", f"异议处理：{candidate['name']}（{verdict}）") as tx:
            tx.update("objections", objection_id, {"handling": handling, "resolved_on": day, "upheld": int(upheld)})
            if upheld and candidate["status"] == st.IN_PROGRESS:
                self._fail(tx, candidate, st.NOTICED, day, self.store.settings.unit() or "人大街道工委",
                           f"公示期间异议经核实成立：{handling}")
        return tx.changes

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _names(candidates: Sequence[Mapping[str, Any]]) -> str:
        names = [c["name"] for c in candidates]
        return "、".join(names[:5]) + (f"等 {len(names)} 人" if len(names) > 5 else "")

    @staticmethod
    def _not_future(day: str) -> None:
        if day > date.today().isoformat():
            raise ValidationError(f"日期 {day} 晚于今天，请按实际办理日期记录", field="day")
