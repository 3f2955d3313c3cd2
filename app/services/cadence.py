"""The yearly cadence, as each meeting kind defines it (rules.meeting_kinds): plenary twice a year,
each group once a quarter, each hall monthly; a kind held as needed lists what it held.

Each slot of the year plan is held, planned, due (its period is running), upcoming, or missed
(its period ended with nothing held).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from app.rules.codes import BUILDING, NEIGHBOURHOOD_HALL, PLANNED, SUSPENDED
from app.rules.meeting_kinds import MeetingKind, kinds
from app.services.meetings import step_state
from app.services.step_events import still_open

if TYPE_CHECKING:
    from app.store import Store

SLOT_STATES = {"held": "已召开", "planned": "已安排", "due": "本期待开", "upcoming": "未到期", "missed": "未召开"}


class CadenceService:
    def __init__(self, store: Store):
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

    def year_plan(self, year: int, today: date | None = None, kind: str | None = None) -> list[dict]:
        """Every registered kind's slots of `year` (or one kind's)."""
        today = today or date.today()
        slots = []
        for k in kinds():
            if kind is None or k.code == kind:
                slots.extend(self._kind_slots(k, year, today))
        return slots

    def _subjects(self, kind: MeetingKind) -> list[tuple[str, str, list]]:
        """(name, SQL condition, parameters) of each body the cadence asks meetings of."""
        if kind.cadence.per == "group":
            return [(g["name"], "AND group_id = ?", [g["id"]]) for g in self.store.groups.list()]
        if kind.cadence.per == "hall":
            # a hall not open (planned, being built, suspended) owes no reception days: set_duty refuses it
            closed = {r["id"] for r in self.store.rows(
                "SELECT id FROM venues WHERE deleted = 0 AND build_status IN (?, ?, ?)", [PLANNED, BUILDING, SUSPENDED])}
            return [(v["name"], "AND venue_id = ?", [v["id"]]) for v in self.store.venues.list(NEIGHBOURHOOD_HALL)
                    if v["id"] not in closed]
        return [(kind.label, "", [])]

    def _kind_slots(self, kind: MeetingKind, year: int, today: date) -> list[dict]:
        if kind.cadence.period is None:  # held as needed: one slot per meeting of the year, none due or missed
            return [self._as_needed(kind, m) for m in self.store.rows(
                "SELECT id, title, date, status FROM meetings WHERE deleted = 0 AND kind = ? AND status != 'cancelled'"
                " AND date BETWEEN ? AND ? ORDER BY date", [kind.code, f"{year}-01-01", f"{year}-12-31"])]
        return [self._slot(kind.code, label, start, end, today, where, params, subject)
                for subject, where, params in self._subjects(kind)
                for label, start, end in kind.periods(year)]

    @staticmethod
    def _as_needed(kind: MeetingKind, meeting: dict) -> dict:
        state = "held" if meeting["status"] == "held" else "planned"
        return {"kind": kind.code, "subject": meeting["title"], "period": meeting["date"], "start": meeting["date"],
                "end": meeting["date"], "state": state, "state_label": SLOT_STATES[state], "meetings": [meeting]}

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
