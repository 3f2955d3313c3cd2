"""The report's figures from the records: opinions collected, solved, satisfaction, overdue...,
by year, group, category, unit and month; and each delegate's duty record (履职档案)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..rules.meeting_kinds import kinds
from .base import choice_label
from .opinions import CATEGORIES, SATISFACTION, STATUSES

if TYPE_CHECKING:
    from ..store import Store


class OpinionStats:
    def __init__(self, store: Store):
        self.store = store

    def _year(self, year: int | None, column: str = "o.received_on") -> tuple[str, list]:
        if not year:
            return "", []
        return f" AND {column} >= ? AND {column} < ?", [f"{year}-01-01", f"{year + 1}-01-01"]

    def opinions(self, year: int | None = None, today: date | None = None) -> dict:
        today_iso = (today or date.today()).isoformat()
        where, params = self._year(year)
        base = f"FROM opinions o WHERE o.deleted = 0{where}"

        def grouped(column: str) -> dict:
            return {r["k"]: r["n"] for r in self.store.rows(
                f"SELECT {column} AS k, count(*) AS n {base} GROUP BY k", params)}

        by_status = {s: 0 for s, _ in STATUSES} | grouped("o.status")
        by_category = {c: 0 for c, _ in CATEGORIES} | {k: v for k, v in grouped("o.category").items() if k}
        satisfaction = {s: 0 for s in SATISFACTION} | {k: v for k, v in grouped("o.satisfaction").items() if k}
        overdue = self.store.scalar(f"SELECT count(*) {base} AND o.status IN ('assigned', 'returned')"
                                    f" AND o.deadline < ?", [*params, today_iso])
        feedback_overdue = self.store.scalar(
            f"SELECT count(*) {base} AND o.status = 'answered' AND o.answered_on <= ?",
            [*params, self.store.opinions.feedback_cutoff(today or date.today())])
        total = sum(by_status.values())
        closed = by_status["closed"]
        # a 不予采纳 opinion stays one after its feedback (status 已反馈): counted as declined, not as solved
        declined = self.store.scalar(f"SELECT count(*) {base} AND o.decline_reason IS NOT NULL", params)
        solved = self.store.scalar(f"SELECT count(*) {base} AND o.status IN ('answered', 'fed_back', 'closed')"
                                   f" AND o.decline_reason IS NULL", params)
        # 交办的: every opinion that reached 交办 (a solved one did: only an assigned one is answered);
        # the base of 办结率. Those never assigned (still collected, in a topic, declined) are not.
        assigned = self.store.scalar(
            f"SELECT count(*) {base} AND o.decline_reason IS NULL AND (o.assigned_on IS NOT NULL"
            f" OR o.status IN ('answered', 'fed_back', 'closed'))", params)
        rated = sum(v for k, v in satisfaction.items() if k != "未表态")
        happy = satisfaction["满意"] + satisfaction["基本满意"]
        return {"total": total, "by_status": by_status, "by_category": by_category, "overdue": overdue,
                "declined": declined,
                "feedback_overdue": feedback_overdue,
                "closed": closed, "solved": solved, "assigned": assigned,
                "solved_rate": round(solved * 100 / assigned, 1) if assigned else None,
                "satisfaction": satisfaction,
                "satisfaction_rate": round(happy * 100 / rated, 1) if rated else None,
                "key_supervision": self.store.scalar(f"SELECT count(*) {base} AND o.key_supervision = 1", params),
                "by_month": {r["k"]: r["n"] for r in self.store.rows(
                    f"SELECT substr(o.received_on, 1, 7) AS k, count(*) AS n {base} GROUP BY k ORDER BY k",
                    params)},
                "by_group": {r["k"] or "未分组": r["n"] for r in self.store.rows(
                    f"SELECT g.name AS k, count(*) AS n FROM opinions o LEFT JOIN groups g ON g.id = o.group_id"
                    f" WHERE o.deleted = 0{where} GROUP BY g.id ORDER BY g.sort_order", params)},
                "by_unit": {r["k"]: r["n"] for r in self.store.rows(
                    f"SELECT o.lead_unit AS k, count(*) AS n {base} AND o.lead_unit IS NOT NULL GROUP BY k"
                    f" ORDER BY n DESC", params)}}

    def report(self, year: int | None = None, today: date | None = None) -> dict:
        """The figures the field report quotes, for the dashboard and the stats register."""
        meetings = self.store.meetings.by_kind(year)
        held = {r["kind"]: r["n"] for r in self.store.rows(
            "SELECT kind, count(*) AS n FROM meetings WHERE deleted = 0 AND status = 'held'"
            + self._year(year, "date")[0] + " GROUP BY kind", self._year(year, "date")[1])}
        return {"year": year, "meetings": meetings, "meetings_held": held,
                "opinions": self.opinions(year, today), "fieldwork": self.fieldwork(year, today)}

    def fieldwork(self, year: int | None = None, today: date | None = None) -> dict:
        """Grid visits from the visit log, and the minutes' action items by state."""
        from .action_items import ActionFilter

        where, params = self._year(year, "day")
        visits = self.store.rows(f"SELECT count(*) AS n, count(DISTINCT delegate_id) AS people,"
                                 f" coalesce(sum(residents_met), 0) AS residents FROM grid_visits"
                                 f" WHERE deleted = 0{where}", params)[0]
        items = self.store.action_items.list(ActionFilter(year=year), today)
        return {"visits": visits["n"], "visiting_delegates": visits["people"], "residents_met": visits["residents"],
                "opinions_from_visits": self.store.scalar(
                    f"SELECT count(*) FROM opinions o WHERE o.deleted = 0 AND o.visit_id IS NOT NULL"
                    f"{self._year(year)[0]}", self._year(year)[1]),
                "actions": len(items), "actions_done": sum(1 for r in items if r["status"] == "done"),
                "actions_overdue": sum(1 for r in items if r["overdue"])}

    # -- 履职档案 ------------------------------------------------------------------------
    def duty_record(self, delegate_id: str, year: int | None = None) -> dict:
        person = self.store.delegates.get(delegate_id, include_deleted=True)
        where, params = self._year(year, "m.date")
        attended = {r["kind"]: r["n"] for r in self.store.rows(
            f"""SELECT m.kind, count(*) AS n FROM attendance a JOIN meetings m ON m.id = a.meeting_id
                WHERE a.delegate_id = ? AND a.deleted = 0 AND m.deleted = 0 AND a.status = 'present'{where}
                GROUP BY m.kind""", [delegate_id, *params])}
        expected = self.store.scalar(
            f"""SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
                WHERE a.delegate_id = ? AND a.deleted = 0 AND m.deleted = 0{where}""", [delegate_id, *params])
        duty_months = self.store.scalar(
            "SELECT count(*) FROM reception_duties WHERE delegate_id = ? AND deleted = 0"
            + (" AND month LIKE ?" if year else ""), [delegate_id] + ([f"{year}-%"] if year else []))
        owhere, oparams = self._year(year)
        opinions = self.store.rows(
            f"SELECT o.title, o.status, o.received_on, o.source FROM opinions o WHERE o.delegate_id = ?"
            f" AND o.deleted = 0{owhere} ORDER BY o.received_on", [delegate_id, *oparams])
        visits = self.store.visits.count_for(delegate_id, year)
        topics = self.store.rows("SELECT title, status FROM topics WHERE lead_delegate_id = ? AND deleted = 0",
                                 [delegate_id])
        for row in opinions:
            row["status_label"] = choice_label(STATUSES, row["status"])
        # one figure per registered kind, under its code (the duty record's and 年度履职情况's columns)
        return {"delegate": person, "year": year, **{k.code: attended.get(k.code, 0) for k in kinds()},
                "recorded": expected, "duty_months": duty_months, "grid_visits": visits,
                "opinions": opinions, "topics": topics, "history": self.store.delegates.history(delegate_id)}
