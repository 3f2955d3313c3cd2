"""落实事项: the measures and division of work the minutes set (unit, person, deadline), followed
up until done: "对议事纪要明确的建议措施及任务分工，由人大街道工委和议事代表共同督促落实".

Each item has a status (未开始 / 推进中 / 已完成; 逾期 when its deadline passed undone), dated
progress notes (append-only) and a completion date. An item taken into the opinion ledger (as an
opinion of its own, or as the minutes' measure of a topic) follows its opinions instead: it is
done when they are answered, and its notes are the ledger's supervision records.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules.codes import ACTION_STATUSES
from app.services.base import Service, add_equals, choice_label
from app.services.rows import Row

SHOWN_STATUSES = (*ACTION_STATUSES, ("overdue", "逾期"))
_ANSWERED = ("answered", "fed_back", "closed")
_ASSIGNED = ("assigned", "returned")


@dataclass
class ActionFilter:
    status: str | None = None  # one of SHOWN_STATUSES' keys
    overdue: bool = False
    meeting_id: str | None = None
    group_id: str | None = None
    year: int | None = None
    search: str = ""


class ActionItemService(Service[Row]):
    table = "action_items"
    row_type = Row
    noun = "落实事项"

    def title(self, row):
        return (row.get("content") or "")[:30]

    # -- reading -------------------------------------------------------------------------
    def _linked(self, ids: builtins.list[str]) -> dict[str, builtins.list[dict]]:
        """item id -> the live opinions that carry it (taken in itself, or its topic's)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.store.rows(
            f"""SELECT o.origin_id AS item_id, o.id, o.serial, o.status, o.deadline, o.answered_on
                FROM opinions o WHERE o.deleted = 0 AND o.origin_id IN ({marks})
                UNION ALL
                SELECT t.action_item_id AS item_id, o.id, o.serial, o.status, o.deadline, o.answered_on
                FROM topics t JOIN opinions o ON o.topic_id = t.id AND o.deleted = 0
                WHERE t.deleted = 0 AND t.action_item_id IN ({marks})""", [*ids, *ids])
        out: dict[str, builtins.list[dict]] = {}
        for row in rows:
            out.setdefault(row["item_id"], []).append(row)
        return out

    def decorate(self, rows: builtins.list[dict], today: date | None = None) -> builtins.list[dict]:
        today_text = (today or date.today()).isoformat()
        linked = self._linked([r["id"] for r in rows])
        for row in rows:
            opinions = linked.get(row["id"], [])
            row["opinions"] = [o["serial"] for o in opinions]
            row["in_ledger"] = bool(opinions)
            if opinions:  # follows its opinions
                if all(o["status"] in _ANSWERED or o["status"] == "declined" for o in opinions):
                    row["status"] = "done"
                    row["done_on"] = max((o["answered_on"] or "" for o in opinions), default="") or row["done_on"]
                elif any(o["status"] in _ASSIGNED or o["status"] in _ANSWERED for o in opinions):
                    row["status"] = "in_progress"
                else:
                    row["status"] = "not_started"
                deadlines = [o["deadline"] for o in opinions if o["deadline"] and o["status"] in _ASSIGNED]
                if deadlines:
                    row["deadline"] = max(deadlines)
            row["overdue"] = bool(row["status"] != "done" and row["deadline"] and row["deadline"] < today_text)
            row["shown_status"] = "overdue" if row["overdue"] else row["status"]
            row["status_label"] = choice_label(SHOWN_STATUSES, row["shown_status"])
        return rows

    def list(self, flt: ActionFilter | None = None, today: date | None = None) -> builtins.list[dict]:
        flt = flt or ActionFilter()
        clauses: builtins.list[str] = ["a.deleted = 0", "m.deleted = 0"]
        params: builtins.list = []
        add_equals(clauses, params, (("a.meeting_id", flt.meeting_id), ("m.group_id", flt.group_id)))
        if flt.year:
            clauses.append("m.date >= ? AND m.date < ?")
            params += [f"{flt.year}-01-01", f"{flt.year + 1}-01-01"]
        if flt.search:
            clauses.append("(a.content LIKE ? OR a.unit LIKE ? OR a.person LIKE ?)")
            params += [f"%{flt.search}%"] * 3
        rows = self.store.rows(
            f"""SELECT a.*, m.title AS meeting_title, m.date AS meeting_date, m.kind AS meeting_kind,
                       g.name AS group_name,
                       (SELECT p.day || ' ' || p.note FROM action_progress p WHERE p.action_item_id = a.id
                          AND p.deleted = 0 AND p.note IS NOT NULL AND p.status IS NOT 'undo'
                          ORDER BY p.day DESC, p.rowid DESC LIMIT 1)
                         AS last_progress
                FROM action_items a JOIN meetings m ON m.id = a.meeting_id LEFT JOIN groups g ON g.id = m.group_id
                WHERE {' AND '.join(clauses)} ORDER BY m.date DESC, a.sort_order""", params)
        rows = self.decorate(rows, today)
        if flt.overdue:
            rows = [r for r in rows if r["overdue"]]
        if flt.status:
            rows = [r for r in rows if r["shown_status"] == flt.status]
        return rows

    def overdue(self, today: date | None = None) -> builtins.list[dict]:
        return sorted(self.list(ActionFilter(overdue=True), today), key=lambda r: r["deadline"])

    def detail(self, item_id: str, today: date | None = None) -> dict:
        rows = self.store.rows("SELECT a.*, m.title AS meeting_title, m.date AS meeting_date FROM action_items a"
                               " JOIN meetings m ON m.id = a.meeting_id WHERE a.id = ? AND a.deleted = 0", [item_id])
        if not rows:
            raise NotFoundError("找不到这项落实事项，可能已被删除")
        row = self.decorate(rows, today)[0]
        row["progress"] = self.progress(item_id)
        return row

    def progress(self, item_id: str) -> builtins.list[dict]:
        rows = self.store.rows("SELECT * FROM action_progress WHERE action_item_id = ? AND deleted = 0"
                               " ORDER BY day, rowid", [item_id])
        for row in rows:
            row["status_label"] = ("撤销" if row["status"] == "undo" else
                                   choice_label(ACTION_STATUSES, row["status"]) if row["status"] else "")
        return rows

    # -- follow-up -----------------------------------------------------------------------
    def _own(self, item_id: str) -> dict:
        row = self.get(item_id)
        if self._linked([item_id]):
            raise ConflictError("这项落实事项已转入意见建议台账，它的进度随意见办理（请在台账中登记督办和办理结果）")
        return row

    def record_progress(self, item_id: str, day: str, note: str = "", status: str | None = None):
        """A dated progress note, optionally moving the status (已完成 sets the completion date)."""
        row = self._own(item_id)
        parse_date(day, "进展日期", "day")
        if day > date.today().isoformat():
            raise ValidationError(f"进展日期 {day} 晚于今天", field="day")
        note = clean(note)
        if status is not None and status not in dict(ACTION_STATUSES):
            raise ValidationError("状态应为未开始、推进中或已完成", field="status")
        if status == row["status"]:
            status = None
        if not note and status is None:
            raise ValidationError("请填写进展情况，或选择新的状态", field="note")
        values: dict = {}
        if status is not None:
            values = {"status": status, "done_on": day if status == "done" else None}
        from app.storage.audit import current_actor

        what = f"（{choice_label(ACTION_STATUSES, status)}）" if status else ""
        with self.store.write("update", f"落实事项进展：{self.title(row)}{what}") as tx:
            if values:
                tx.update(self.table, item_id, values)
            tx.insert("action_progress", {"action_item_id": item_id, "day": day, "note": note or None,
                                          "status": status, "actor": current_actor(self.db)})
        return tx.changes

    def complete(self, item_id: str, day: str, note: str = ""):
        return self.record_progress(item_id, day, note or "已完成", "done")

