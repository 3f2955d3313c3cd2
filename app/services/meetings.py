"""Meetings (议事代表大会、分组活动、接待日、专题议事): records, flowchart steps, minutes, materials."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.textutil import chinese_date, clean, parse_date
from app.rules.codes import MEETING_STATUSES as STATUSES
from app.rules.codes import SCOPES, SUBJECTS
from app.rules.fields import as_day, names_of
from app.rules.meeting_kinds import kind_of
from app.services.base import FieldSpec, Service, add_equals, choice_label, list_order, one_page
from app.services.rows import MeetingDetail, MeetingListRow, MeetingRow, as_row, as_rows
from app.services.step_events import derive, still_open
from app.services.workflows import KINDS, PHASES
from app.storage import attachments, photos
from app.storage.changes import Changes

STEP_STATES = {"done": "已完成", "due": "即将到期", "overdue": "已逾期", "pending": "未开始"}
STEP_COLOURS = {"done": "#2e7d32", "due": "#ef8f00", "overdue": "#c62828", "pending": "#78909c"}
DUE_SOON_DAYS = 3
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def step_state(step: dict, today: date) -> str:
    if step.get("done_on"):
        return "done"
    if not step.get("due_date"):
        return "pending"
    due = as_day(step["due_date"])
    if due is None:
        return "pending"
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "pending"


@dataclass
class MeetingFilter:
    year: int | None = None
    kind: str | None = None
    group_id: str | None = None
    status: str | None = None
    search: str = ""
    sort: str = "date"
    descending: bool = True


SORTS = {"date": "m.date, m.start_time", "kind": "m.kind, m.date", "title": "m.title",
         "status": "m.status, m.date", "group": "g.sort_order, m.date"}


def when_text(meeting: Mapping[str, Any]) -> str:
    """2026年3月18日 09:00—11:30: a meeting's time as notices, minutes and messages say it."""
    text = chinese_date(meeting["date"])
    if meeting.get("start_time"):
        text += f" {meeting['start_time']}"
        if meeting.get("end_time"):
            text += f"—{meeting['end_time']}"
    return text


def audience(meeting: Mapping[str, Any]) -> str:
    """Who a meeting's notice is addressed to: all delegates, the group's, or those on duty."""
    return {"all": "全体议事代表", "group": f"{meeting.get('group_name') or ''}全体议事代表",
            "duty": "值班议事代表"}.get(meeting["scope"], "有关议事代表")


class MeetingService(Service[MeetingRow]):
    table = "meetings"
    row_type = MeetingRow
    noun = "会议"
    fields = (
        FieldSpec("kind", "会议类型", "choice", required=True, choices=KINDS),
        FieldSpec("title", "会议名称"),
        FieldSpec("date", "日期", "date", required=True),
        FieldSpec("start_time", "开始时间"),
        FieldSpec("end_time", "结束时间"),
        FieldSpec("venue_id", "地点（阵地）", "ref", ref="venues"),
        FieldSpec("room_id", "会议室", "ref", ref="rooms"),
        FieldSpec("group_id", "议事小组", "ref", ref="groups"),
        FieldSpec("scope", "参加人员", "choice", choices=SCOPES),
        FieldSpec("status", "状态", "choice", choices=STATUSES),
        FieldSpec("agenda", "会议议程（每行一项）", "multiline"),
        FieldSpec("departments", "邀请部门", "checklist"),
        FieldSpec("visitors", "接待群众人数", "int"),
        FieldSpec("subject", "议事事项类型", "choice", choices=SUBJECTS),
        FieldSpec("notes", "备注", "multiline"),
    )

    def title(self, row):
        return row.get("title") or ""

    # -- validation -------------------------------------------------------------
    def _prepare(self, values: dict, existing: Mapping[str, Any] | None, confirm_double_booking: bool) -> dict:
        values = dict(values)
        departments = values.pop("departments", None)
        values = self.clean_values(values)
        if departments is not None:
            known = set(self.store.departments.names())
            unknown = [d for d in departments if d not in known]
            if unknown:
                raise ValidationError(f"部门名单中没有：{'、'.join(unknown)}，请先在设置中添加", field="departments")
            values["departments"] = json.dumps(list(departments), ensure_ascii=False)
        merged = {**(existing or {}), **values}
        if merged.get("kind") not in dict(KINDS):
            raise ValidationError("请选择会议类型", field="kind")
        parse_date(merged.get("date"), "会议日期", "date")
        for key, label in (("start_time", "开始时间"), ("end_time", "结束时间")):
            if merged.get(key) and not _TIME.match(merged[key]):
                raise ValidationError(f"{label}“{merged[key]}”应写成 09:30 这样的格式", field=key)
        if merged.get("start_time") and merged.get("end_time") and merged["end_time"] <= merged["start_time"]:
            raise ValidationError("结束时间应晚于开始时间", field="end_time")
        if merged.get("visitors") is not None and merged["visitors"] < 0:
            raise ValidationError("接待人数不能为负数", field="visitors")
        self.live_ref("venues", values.get("venue_id"), "阵地", "venue_id")
        self.live_ref("rooms", values.get("room_id"), "会议室", "room_id")
        self.live_ref("groups", values.get("group_id"), "议事小组", "group_id")
        if merged.get("room_id"):
            owner = self.store.scalar("SELECT venue_id FROM rooms WHERE id = ?", [merged["room_id"]])
            if merged.get("venue_id") and owner != merged["venue_id"]:
                raise ValidationError("所选会议室不属于所选阵地", field="room_id")
            merged["venue_id"] = values["venue_id"] = owner
        kind = kind_of(merged["kind"])
        for key, message in kind.required:
            if not merged.get(key):
                raise ValidationError(message, field=key)
        if not merged.get("scope"):
            values["scope"] = kind.scope
        if not merged.get("title"):
            values["title"] = self.default_title(merged)
        if not confirm_double_booking and merged.get("status", "planned") != "cancelled":
            clash = self.double_booking({**merged, **values}, existing["id"] if existing else None)
            if clash:
                raise ConflictError(
                    f"会议室已被占用：{clash['date']} {clash['start_time'] or ''}“{clash['title']}”。"
                    "如确需同时使用，请确认后再保存。", field="room_id")
        return values

    def default_title(self, values: dict) -> str:
        day = date.fromisoformat(values["date"])
        kind = kind_of(values["kind"])
        group = self.store.scalar("SELECT name FROM groups WHERE id = ?", [values["group_id"]]) \
            if "{group}" in kind.title and values.get("group_id") else ""
        venue = self.store.scalar("SELECT name FROM venues WHERE id = ?", [values["venue_id"]]) \
            if "{venue}" in kind.title and values.get("venue_id") else ""
        return kind.default_title(day, group or "", venue or "")

    def double_booking(self, values: dict, meeting_id: str | None) -> dict | None:
        """Another live meeting in the same room on the same day whose times overlap."""
        if not values.get("room_id"):
            return None
        for other in self.store.rows(
                "SELECT * FROM meetings WHERE room_id = ? AND date = ? AND deleted = 0"
                " AND status != 'cancelled' AND id IS NOT ?", [values["room_id"], values["date"], meeting_id]):
            a0, a1 = values.get("start_time") or "00:00", values.get("end_time") or "23:59"
            b0, b1 = other["start_time"] or "00:00", other["end_time"] or "23:59"
            if a0 < b1 and b0 < a1:
                return other
        return None

    def not_cancelled_between(self, start: str, end: str) -> list[dict]:
        """The meetings held or planned between two days (the year's archive), in date order."""
        return self.store.rows("SELECT id, kind, title, date, status FROM meetings WHERE deleted = 0"
                               " AND status != 'cancelled' AND date BETWEEN ? AND ? ORDER BY date, start_time, title",
                               [start, end])

    # -- writing -------------------------------------------------------------------
    def create(self, values: dict, *, confirm_double_booking: bool = False, today: date | None = None) -> Changes:
        values = self._prepare(values, None, confirm_double_booking)
        values.setdefault("status", "planned")
        with self.store.write("create", f"新建会议：{values['title']}") as tx:
            meeting_id = tx.insert(self.table, values)
            day = date.fromisoformat(values["date"])
            # A meeting planned at short notice: a step its template puts before today is due today,
            # not late on the day it was planned (a meeting recorded afterwards keeps its template's days).
            today = today or date.today()
            for order, step in enumerate(self.store.workflows.steps(values["kind"]), 1):
                due = day + timedelta(days=step["due_offset"] or 0)
                tx.insert("meeting_steps", {
                    "meeting_id": meeting_id, "phase": step["phase"], "title": step["title"],
                    "owner": step["owner"], "sort_order": order,
                    "due_date": (max(due, today) if day >= today else due).isoformat()})
        return tx.changes

    def update(self, row_id: str, values: dict, *, confirm_double_booking: bool = False) -> Changes:
        row = self.get(row_id)
        values = self._prepare(values, row, confirm_double_booking)
        with self.store.write("update", f"修改会议：{row['title']}") as tx:
            tx.update(self.table, row_id, values)
            if values.get("date") and values["date"] != row["date"]:
                # Open steps keep their distance from the meeting date.
                shift = date.fromisoformat(values["date"]) - date.fromisoformat(row["date"])
                for step in self.steps(row_id):
                    if not step["done_on"] and step["due_date"]:
                        due = date.fromisoformat(step["due_date"]) + shift
                        tx.update("meeting_steps", step["id"], {"due_date": due.isoformat()})
        return tx.changes

    def on_delete(self, tx, row):
        for table in ("meeting_steps", "attendance", "action_items", "votes", "materials",
                      "reception_matters"):
            for child in self.store.rows(f"SELECT id FROM [{table}] WHERE meeting_id = ? AND deleted = 0",
                                         [row["id"]]):
                tx.delete(table, child["id"])

    def restore(self, row_id: str):
        row = self.get(row_id, include_deleted=True)
        stamp = self.store.scalar(
            "SELECT wall_ms * 1000000 + counter FROM clocks WHERE tbl = 'meetings' AND row_id = ?"
            " AND field = 'deleted'", [row_id])
        with self.store.write("restore", f"恢复会议：{row['title']}") as tx:
            tx.restore(self.table, row_id)
            for table in ("meeting_steps", "attendance", "action_items", "votes", "materials",
                          "reception_matters"):
                # Only what went with the meeting comes back with it.
                for child in self.store.rows(
                        f"SELECT t.id FROM [{table}] t JOIN clocks k ON k.tbl = ? AND k.row_id = t.id"
                        f" AND k.field = 'deleted' WHERE t.meeting_id = ? AND t.deleted = 1"
                        f" AND k.wall_ms * 1000000 + k.counter >= ?", [table, row_id, stamp]):
                    tx.restore(table, child["id"])
        return tx.changes

    # -- flowchart steps -----------------------------------------------------------
    def steps(self, meeting_id: str, today: date | None = None) -> list[dict]:
        today = today or date.today()
        rows = self.store.rows(
            """SELECT * FROM meeting_steps WHERE meeting_id = ? AND deleted = 0
               ORDER BY CASE phase WHEN 'pre' THEN 0 WHEN 'in' THEN 1 ELSE 2 END, sort_order""",
            [meeting_id])
        derive(self.store, rows)  # a step whose event is recorded closes itself
        for row in rows:
            row["state"] = step_state(row, today)
            row["state_label"] = STEP_STATES[row["state"]]
            row["phase_label"] = choice_label(PHASES, row["phase"])
        return rows

    def tick_step(self, step_id: str, done_on: str | None, note: str | None = None):
        """Mark a step done on a date (None clears it)."""
        found = self.store.rows("SELECT * FROM meeting_steps WHERE id = ? AND deleted = 0", [step_id])
        if not found:
            raise NotFoundError("找不到这个流程环节")
        step = found[0]
        if done_on:
            parse_date(done_on, "完成日期", "done_on")
        label = f"{'完成' if done_on else '取消完成'}环节：{step['title']}"
        with self.store.write("update", label) as tx:
            tx.update("meeting_steps", step_id, {"done_on": done_on or None,
                                                 "note": clean(note) or None if note is not None else step["note"]})
        return tx.changes

    # -- minutes and action items ------------------------------------------------
    def action_items(self, meeting_id: str) -> list[dict]:
        return self.store.rows(
            "SELECT * FROM action_items WHERE meeting_id = ? AND deleted = 0 ORDER BY sort_order", [meeting_id])

    def save_minutes(self, meeting_id: str, summary: str | None, decisions: str | None,
                     items: list[dict]):
        """会议概况, 议定事项 and the 落实事项 list (existing ids kept, so links survive edits)."""
        meeting = self.get(meeting_id)
        cleaned = []
        for index, item in enumerate(items, 1):
            content = clean(item.get("content"))
            if not content:
                continue
            deadline = clean(item.get("deadline")) or None
            if deadline:
                parse_date(deadline, f"第 {index} 项落实事项的期限", "items")
            cleaned.append({"id": item.get("id"), "content": content, "unit": clean(item.get("unit")) or None,
                            "person": clean(item.get("person")) or None, "deadline": deadline})
        existing = [r["id"] for r in self.action_items(meeting_id)]
        with self.store.write("update", f"保存会议纪要：{meeting['title']}") as tx:
            tx.update(self.table, meeting_id, {"summary": (summary or "").strip() or None,
                                               "decisions": (decisions or "").strip() or None})
            tx.sync_list("action_items", {"meeting_id": meeting_id}, cleaned, existing)
        return tx.changes

    # -- materials -------------------------------------------------------------------
    def materials(self, meeting_id: str) -> list[dict]:
        rows = self.store.rows("SELECT * FROM materials WHERE meeting_id = ? AND deleted = 0 ORDER BY title",
                               [meeting_id])
        for row in rows:
            row["path"] = str(attachments.stored_path(self.store, row))
        return rows

    def add_material(self, meeting_id: str, source: str | Path, title: str | None = None,
                     taken_on: str | None = None):
        """Copy a file into the data directory (content-addressed) and record its hash. A photo
        (.jpg/.png, which the 工作简报 prints) is kept only when it is one, shrunk and cleaned, with
        the day it was taken (the meeting's day unless given)."""
        meeting = self.get(meeting_id)
        photo = photos.is_photo(str(source))
        kept = (photos.take_in if photo else attachments.take_in)(self.store, source)
        row = {"meeting_id": meeting_id, "title": clean(title) or Path(source).stem, **kept}
        if photo:
            row["taken_on"] = taken_on or meeting["date"]
        with self.store.write("create", f"添加会议材料：{row['title']}（{meeting['title']}）") as tx:
            tx.insert("materials", row)
        return tx.changes

    def verify_material(self, material_id: str) -> bool:
        return attachments.intact(self.store, self.store.rows("SELECT * FROM materials WHERE id = ?",
                                                              [material_id])[0])

    def remove_material(self, material_id: str):
        row = self.store.rows("SELECT * FROM materials WHERE id = ? AND deleted = 0", [material_id])
        if not row:
            raise NotFoundError("找不到这份材料")
        with self.store.write("delete", f"删除会议材料：{row[0]['title']}") as tx:
            tx.delete("materials", material_id)
        return tx.changes

    # -- lists ---------------------------------------------------------------------
    def _where(self, flt: MeetingFilter) -> tuple[str, list]:
        clauses, params = ["m.deleted = 0"], []
        if flt.year:
            clauses.append("m.date >= ? AND m.date < ?")
            params += [f"{flt.year}-01-01", f"{flt.year + 1}-01-01"]
        add_equals(clauses, params, (("m.kind", flt.kind), ("m.group_id", flt.group_id), ("m.status", flt.status)))
        if flt.search:
            clauses.append("(m.title LIKE ? OR m.agenda LIKE ? OR v.name LIKE ? OR g.name LIKE ?)")
            params += [f"%{clean(flt.search)}%"] * 4
        return " AND ".join(clauses), params

    _FROM = ("FROM meetings m LEFT JOIN venues v ON v.id = m.venue_id LEFT JOIN rooms r ON r.id = m.room_id"
             " LEFT JOIN groups g ON g.id = m.group_id")

    def count(self, flt: MeetingFilter | None = None) -> int:
        flt = flt or MeetingFilter()
        where, params = self._where(flt)
        # The joins only matter when the search looks at venue or group names.
        source = self._FROM if flt.search else "FROM meetings m"
        return self.store.scalar(f"SELECT count(*) {source} WHERE {where}", params)

    def page(self, flt: MeetingFilter, offset: int = 0, limit: int | None = 200,
             today: date | None = None) -> list[MeetingListRow]:
        today_iso = (today or date.today()).isoformat()
        where, params = self._where(flt)
        order = list_order(SORTS, flt.sort, "date", flt.descending)
        sql = (f"""SELECT m.*, v.name AS venue_name, r.name AS room_name, g.name AS group_name,
                   coalesce((SELECT sum(a.status = 'present') FROM attendance a WHERE a.meeting_id = m.id
                      AND a.deleted = 0), m.count_present, 0) AS present,
                   (SELECT count(*) FROM meeting_steps s WHERE s.meeting_id = m.id AND s.deleted = 0
                      AND s.done_on IS NULL AND s.due_date < ?) AS overdue_steps
                   {self._FROM} WHERE {where} ORDER BY {order}, m.id""")
        rows = self.store.rows(*one_page(sql, [today_iso, *params], offset, limit))
        for row in rows:
            self.decorate(row)
        late = [row["id"] for row in rows if row["overdue_steps"]]
        if late:  # those closed by their event are not late
            counts: dict[str, int] = {}
            for start in range(0, len(late), 500):
                chunk = late[start:start + 500]
                for step in still_open(self.store, self.store.rows(
                        f"SELECT * FROM meeting_steps WHERE meeting_id IN ({','.join('?' * len(chunk))})"
                        " AND deleted = 0 AND done_on IS NULL AND due_date < ?", [*chunk, today_iso])):
                    counts[step["meeting_id"]] = counts.get(step["meeting_id"], 0) + 1
            for row in rows:
                if row["overdue_steps"]:
                    row["overdue_steps"] = counts.get(row["id"], 0)
        return as_rows(rows, MeetingListRow)

    @staticmethod
    def decorate(row: dict) -> None:
        row["kind_label"] = choice_label(KINDS, row["kind"])
        row["status_label"] = choice_label(STATUSES, row["status"])
        row["subject_label"] = choice_label(SUBJECTS, row.get("subject"))
        room = row.get("room_name")
        # a room whose name has its own brackets follows the venue's name without more (no （…（…）…）)
        row["place"] = "".join(p for p in (row.get("venue_name"), room and (room if "（" in room else f"（{room}）"))
                               if p)
        row["time"] = "—".join(t for t in (row.get("start_time"), row.get("end_time")) if t)
        row["departments_list"] = names_of(row.get("departments"))
        row["agenda_list"] = [line.strip() for line in (row.get("agenda") or "").splitlines() if line.strip()]

    def detail(self, meeting_id: str, today: date | None = None) -> MeetingDetail:
        found = self.store.rows(f"SELECT m.*, v.name AS venue_name, r.name AS room_name, g.name AS group_name"
                                f" {self._FROM} WHERE m.id = ? AND m.deleted = 0", [meeting_id])
        if not found:
            raise NotFoundError("找不到这次会议，可能已被删除")
        row = found[0]
        self.decorate(row)
        row["steps"] = self.steps(meeting_id, today)
        row["action_items"] = self.action_items(meeting_id)
        return as_row(row, MeetingDetail)

    def by_subject(self, year: int | None = None) -> dict[str, dict[str, int]]:
        """Hall business by subject type (片区利益 / 街道重点工作和民生实事 / 公共事务; "" for a meeting
        whose type is not recorded), per venue level: the meetings held (what a hall has handled)."""
        from app.rules.codes import VENUE_LEVELS

        where, params = ("AND m.date >= ? AND m.date < ?", [f"{year}-01-01", f"{year + 1}-01-01"]) if year else ("", [])
        counts = {level: {**{code: 0 for code, _ in SUBJECTS}, "": 0} for level, _ in VENUE_LEVELS}
        for row in self.store.rows(
                f"""SELECT v.level, coalesce(m.subject, '') AS subject, count(*) AS n FROM meetings m
                    JOIN venues v ON v.id = m.venue_id WHERE m.deleted = 0 AND m.status = 'held' {where}
                    GROUP BY 1, 2""", params):
            counts.setdefault(row["level"], {}).setdefault(row["subject"], 0)
            counts[row["level"]][row["subject"]] += row["n"]
        return counts

    def by_kind(self, year: int | None = None, status: str | None = None) -> dict[str, int]:
        """Meetings per kind (cancelled ones not counted); `status="held"` counts those held."""
        counts = {kind: 0 for kind, _ in KINDS}
        where, params = ("AND date >= ? AND date < ?", [f"{year}-01-01", f"{year + 1}-01-01"]) if year else ("", [])
        if status:
            where, params = where + " AND status = ?", [*params, status]
        for row in self.store.rows(
                f"SELECT kind, count(*) AS n FROM meetings WHERE deleted = 0 AND status != 'cancelled' {where}"
                f" GROUP BY kind", params):
            counts[row["kind"]] = row["n"]
        return counts
