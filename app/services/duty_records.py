"""Each delegate's duty record (履职档案): what the records hold of one person's year, read by the
duty record document, the annual reviews and the 年度履职情况 register."""

from __future__ import annotations

from app.rules.meeting_kinds import kinds
from app.services.base import choice_label
from app.services.opinion_stats import year_range
from app.services.opinions import STATUSES


class DutyRecords:
    def __init__(self, store):
        self.store = store

    def get(self, delegate_id: str, year: int | None = None) -> dict:
        """One delegate's 履职档案: meetings attended per kind, duty months, visits, opinions, topics,
        the supervisions and field surveys they took part in."""
        person = self.store.delegates.get(delegate_id, include_deleted=True)
        where, params = year_range(year, "m.date")
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
        owhere, oparams = year_range(year)
        opinions = self.store.rows(
            f"SELECT o.title, o.status, o.received_on, o.source FROM opinions o WHERE o.delegate_id = ?"
            f" AND o.deleted = 0{owhere} ORDER BY o.received_on", [delegate_id, *oparams])
        visits = self.store.visits.count_for(delegate_id, year)
        swhere, sparams = year_range(year, "s.day")
        supervised = self.store.rows(
            f"""SELECT s.day, s.method, o.title FROM supervision_delegates p JOIN supervisions s ON s.id = p.supervision_id
                JOIN opinions o ON o.id = s.opinion_id
                WHERE p.delegate_id = ? AND p.deleted = 0 AND s.deleted = 0{swhere} ORDER BY s.day""",
            [delegate_id, *sparams])
        vwhere, vparams = year_range(year, "f.day")
        surveyed = self.store.scalar(
            f"""SELECT count(*) FROM survey_delegates p JOIN field_surveys f ON f.id = p.survey_id
                WHERE p.delegate_id = ? AND p.deleted = 0 AND f.deleted = 0{vwhere}""", [delegate_id, *vparams])
        topics = self.store.rows("SELECT title, status FROM topics WHERE lead_delegate_id = ? AND deleted = 0",
                                 [delegate_id])
        for row in opinions:
            row["status_label"] = choice_label(STATUSES, row["status"])
        # one figure per registered kind, under its code (the duty record's and 年度履职情况's columns)
        return {"delegate": person, "year": year, **{k.code: attended.get(k.code, 0) for k in kinds()},
                "recorded": expected, "duty_months": duty_months, "grid_visits": visits,
                "supervisions": supervised, "surveys": surveyed,
                "opinions": opinions, "topics": topics, "history": self.store.delegates.history(delegate_id)}
