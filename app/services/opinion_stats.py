"""The report's figures from the records: opinions collected, solved, satisfaction, overdue...,
by year, group, category, unit and month (each delegate's duty record: duty_records.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.rules.codes import CATEGORIES, SATISFACTION
from app.rules.codes import OPINION_STATUSES as STATUSES
from app.services.opinion_clocks import CLOCK_COLUMNS, late_counts, limits


def year_range(year: int | None, column: str = "o.received_on") -> tuple[str, list]:
    """The SQL condition (and its parameters) of one calendar year on a date column; none for all years."""
    if not year:
        return "", []
    return f" AND {column} >= ? AND {column} < ?", [f"{year}-01-01", f"{year + 1}-01-01"]

if TYPE_CHECKING:
    from app.store import Store


class OpinionStats:
    def __init__(self, store: Store):
        self.store = store

    def opinions(self, year: int | None = None, today: date | None = None) -> dict:
        today_iso = (today or date.today()).isoformat()
        where, params = year_range(year)
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
        # 按期办结: answered on or before the deadline in force (an extension moved it)
        on_time = self.store.scalar(f"SELECT count(*) {base} AND o.status IN ('answered', 'fed_back', 'closed')"
                                    f" AND o.decline_reason IS NULL AND o.answered_on <= o.deadline", params)
        rows = self.store.rows(f"SELECT {CLOCK_COLUMNS} {base}", params)
        late_steps = late_counts(self.store, self.store.opinions.calendar, rows, today or date.today())
        rated = sum(v for k, v in satisfaction.items() if k != "未表态")
        happy = satisfaction["满意"] + satisfaction["基本满意"]
        return {"total": total, "by_status": by_status, "by_category": by_category, "overdue": overdue,
                "declined": declined,
                "feedback_overdue": feedback_overdue,
                "closed": closed, "solved": solved, "assigned": assigned,
                "solved_rate": round(solved * 100 / assigned, 1) if assigned else None,
                "on_time": on_time, "on_time_rate": round(on_time * 100 / solved, 1) if solved else None,
                "late_steps": late_steps, "limits": limits(self.store),
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
            + year_range(year, "date")[0] + " GROUP BY kind", year_range(year, "date")[1])}
        return {"year": year, "meetings": meetings, "meetings_held": held,
                "opinions": self.opinions(year, today), "fieldwork": self.fieldwork(year, today)}

    def fieldwork(self, year: int | None = None, today: date | None = None) -> dict:
        """Grid visits from the visit log, and the minutes' action items by state."""
        from app.services.action_items import ActionFilter

        where, params = year_range(year, "day")
        visits = self.store.rows(f"SELECT count(*) AS n, count(DISTINCT delegate_id) AS people,"
                                 f" coalesce(sum(residents_met), 0) AS residents FROM grid_visits"
                                 f" WHERE deleted = 0{where}", params)[0]
        items = self.store.action_items.list(ActionFilter(year=year), today)
        return {"visits": visits["n"], "visiting_delegates": visits["people"], "residents_met": visits["residents"],
                "opinions_from_visits": self.store.scalar(
                    f"SELECT count(*) FROM opinions o WHERE o.deleted = 0 AND o.visit_id IS NOT NULL"
                    f"{year_range(year)[0]}", year_range(year)[1]),
                "actions": len(items), "actions_done": sum(1 for r in items if r["status"] == "done"),
                "actions_overdue": sum(1 for r in items if r["overdue"])}
