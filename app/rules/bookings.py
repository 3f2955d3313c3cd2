"""One person in one place at a time: a delegate signed in as present at a meeting, or on duty at a
hall's reception day, cannot be at another meeting whose hours overlap on the same day.

Hours that were not recorded are not compared (a meeting without a start time clashes with
nothing); a meeting without an end time is taken to last two hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.fields import minutes_of
from app.rules.meeting_kinds import duty_kinds

DEFAULT_LENGTH = 120  # minutes

# Where a delegate is: present at a meeting, or on duty at a hall whose reception day it is.
_ENGAGEMENTS = """
SELECT a.delegate_id, m.id, m.date, m.start_time, m.end_time, m.title, 'present' AS how
  FROM attendance a JOIN meetings m ON m.id = a.meeting_id
 WHERE a.deleted = 0 AND a.status = 'present' AND a.delegate_id IS NOT NULL AND m.deleted = 0
   AND m.status != 'cancelled' {attendance}
UNION
SELECT r.delegate_id, m.id, m.date, m.start_time, m.end_time, m.title, 'duty' AS how
  FROM reception_duties r JOIN meetings m ON m.venue_id = r.venue_id AND m.kind IN {duty_kinds}
       AND substr(m.date, 1, 7) = r.month
 WHERE r.deleted = 0 AND m.deleted = 0 AND m.status != 'cancelled' {duty}
"""


@dataclass(frozen=True)
class Engagement:
    delegate_id: str
    meeting_id: str
    date: str
    start: int | None
    end: int | None
    title: str
    how: str

    def overlaps(self, other: Engagement) -> bool:
        if self.meeting_id == other.meeting_id or self.date != other.date:
            return False
        if self.start is None or other.start is None:
            return False
        return self.start < other.end and other.start < self.end  # type: ignore[operator]

    def describe(self) -> str:
        from app.common.textutil import chinese_date

        hours = f"{self.start // 60}:{self.start % 60:02d}" if self.start is not None else ""
        role = "值班" if self.how == "duty" else "出席"
        return f"{chinese_date(self.date)}{hours}在“{self.title}”{role}"


def _engagement(row) -> Engagement:
    delegate_id, meeting_id, day, start_time, end_time, title, how = row
    start = minutes_of(start_time)
    end = minutes_of(end_time)
    if start is not None and (end is None or end <= start):
        end = start + DEFAULT_LENGTH
    return Engagement(delegate_id, meeting_id, day, start, end, title or "", how)


def engagements(conn, *, delegate_id: str | None = None, day: str | None = None) -> list[Engagement]:
    params: list = []
    if delegate_id is None and day is None:
        attendance = duty = ""
    else:
        attendance = " AND a.delegate_id = ? AND m.date = ?"
        duty = " AND r.delegate_id = ? AND m.date = ?"
        params = [delegate_id, day, delegate_id, day]
    sql = _ENGAGEMENTS.format(attendance=attendance, duty=duty, duty_kinds=duty_kinds())
    return [_engagement(row) for row in conn.execute(sql, params)]


def clash_for(conn, delegate_id: str, meeting_id: str) -> tuple[Engagement, Engagement] | None:
    """A clash of this delegate's engagement at `meeting_id` with another, if any."""
    row = conn.execute("SELECT date FROM meetings WHERE id = ?", [meeting_id]).fetchone()
    if row is None:
        return None
    mine = engagements(conn, delegate_id=delegate_id, day=row[0])
    here = [e for e in mine if e.meeting_id == meeting_id]
    for ours in here:
        for other in mine:
            if ours.overlaps(other):
                return ours, other
    return None


def all_clashes(conn) -> list[tuple[Engagement, Engagement]]:
    """Every pair of overlapping engagements of one delegate (for `check`)."""
    by_day: dict[tuple[str, str], list[Engagement]] = {}
    for engagement in engagements(conn):
        if engagement.start is not None:
            by_day.setdefault((engagement.delegate_id, engagement.date), []).append(engagement)
    found, seen = [], set()
    for items in by_day.values():
        items.sort(key=lambda e: (e.start, e.meeting_id))
        for index, first in enumerate(items):
            for second in items[index + 1:]:
                if second.start >= first.end:  # type: ignore[operator]
                    break
                key = (first.delegate_id, *sorted((first.meeting_id, second.meeting_id)))
                if first.overlaps(second) and key not in seen:  # (present and on duty: one clash)
                    seen.add(key)
                    found.append((first, second))
    return found
