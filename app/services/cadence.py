"""The yearly cadence: plenary twice a year, each group once a quarter, each hall monthly.

Each slot of the year plan is held, planned, due (its period is running), upcoming, or missed
(its period ended with nothing held).
"""

from __future__ import annotations

from datetime import date, timedelta

from .meetings import step_state
from .step_events import still_open

SLOT_STATES = {"held": "已召开", "planned": "已安排", "due": "本期待开", "upcoming": "未到期", "missed": "未召开"}


def _periods(kind: str, year: int) -> list[tuple[str, date, date]]:
    if kind == "plenary":
        return [("上半年", date(year, 1, 1), date(year, 6, 30)), ("下半年", date(year, 7, 1), date(year, 12, 31))]
    if kind == "group_activity":
        ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]
        return [(f"第{'一二三四'[q]}季度", date(year, 3 * q + 1, 1), ends[q]) for q in range(4)]
    return [(f"{m}月", date(year, m, 1), (date(year + (m == 12), m % 12 + 1, 1) - timedelta(days=1)))
            for m in range(1, 13)]


class CadenceService:
    def __init__(self, store):
        self.store = store

    def _slot(self, kind, label, start, end, today, where, params, subject) -> dict:
        meetings = self.store.rows(
            f"SELECT id, title, date, status FROM meetings WHERE deleted = 0 AND kind = ? AND status != 'cancelled'"
            f" AND date BETWEEN ? AND ? {where} ORDER BY date", [kind, start.isoformat(), end.isoformat(), *params])
        if any(m["status"] == "held" for m in meetings):
            state = "held"
        elif meetings:
            state = "planned" if end >= today else "missed"
        elif end < today:
            state = "missed"
        elif start <= today:
            state = "due"
        else:
            state = "upcoming"
        return {"kind": kind, "subject": subject, "period": label, "start": start.isoformat(),
                "end": end.isoformat(), "state": state, "state_label": SLOT_STATES[state],
                "meetings": meetings}

    def year_plan(self, year: int, today: date | None = None) -> list[dict]:
        today = today or date.today()
        slots = []
        for label, start, end in _periods("plenary", year):
            slots.append(self._slot("plenary", label, start, end, today, "", [], "议事代表大会"))
        for group in self.store.groups.list():
            for label, start, end in _periods("group_activity", year):
                slots.append(self._slot("group_activity", label, start, end, today, "AND group_id = ?",
                                        [group["id"]], group["name"]))
        for hall in self.store.venues.list("neighbourhood_hall"):
            for label, start, end in _periods("reception", year):
                slots.append(self._slot("reception", label, start, end, today, "AND venue_id = ?",
                                        [hall["id"]], hall["name"]))
        return slots

    def plan_summary(self, year: int, today: date | None = None) -> dict:
        out: dict[str, dict[str, int]] = {}
        for slot in self.year_plan(year, today):
            counts = out.setdefault(slot["kind"], {state: 0 for state in SLOT_STATES})
            counts[slot["state"]] += 1
        return out

    def attention(self, today: date | None = None, days: int = 14) -> dict:
        """What is due in the next `days` days and what is overdue (for the 概览 page)."""
        today = today or date.today()
        horizon = (today + timedelta(days=days)).isoformat()
        upcoming = self.store.rows(
            """SELECT id, kind, title, date, start_time FROM meetings WHERE deleted = 0 AND status = 'planned'
               AND date BETWEEN ? AND ? ORDER BY date, start_time""", [today.isoformat(), horizon])
        steps = self.store.rows(
            """SELECT s.*, m.title AS meeting_title, m.id AS meeting_id FROM meeting_steps s
               JOIN meetings m ON m.id = s.meeting_id
               WHERE s.deleted = 0 AND m.deleted = 0 AND m.status != 'cancelled' AND s.done_on IS NULL
                 AND s.due_date <= ? ORDER BY s.due_date""", [horizon])
        steps = still_open(self.store, steps)  # the work recorded closes its step: no reminder left
        for step in steps:
            step["state"] = step_state(step, today)
        missed = [s for s in self.year_plan(today.year, today) if s["state"] == "missed"]
        due_slots = [s for s in self.year_plan(today.year, today) if s["state"] == "due"]
        return {"meetings": upcoming, "steps_due": [s for s in steps if s["state"] != "overdue"],
                "steps_overdue": [s for s in steps if s["state"] == "overdue"], "missed": missed,
                "due_slots": due_slots}
