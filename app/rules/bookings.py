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


# -- rooms -----------------------------------------------------------------------------------------------
# One room, one booking at a time: a meeting books its room, and a plenary's group discussions each book
# a room of the same venue. Two meetings in one room may be confirmed by the clerk (the meeting form
# asks); a group discussion may not share its room with anything else at the same hours. A booking
# without hours holds the room the whole day (as the meeting form reads it).
_ROOM_BOOKINGS = """
SELECT d.room_id, d.meeting_id, d.id, m.date, coalesce(d.start_time, m.start_time),
       CASE WHEN d.start_time IS NULL THEN m.end_time ELSE d.end_time END, m.title, g.name, r.name
  FROM meeting_discussions d JOIN meetings m ON m.id = d.meeting_id LEFT JOIN groups g ON g.id = d.group_id
       LEFT JOIN rooms r ON r.id = d.room_id
 WHERE d.deleted = 0 AND m.deleted = 0 AND m.status != 'cancelled' AND d.room_id IS NOT NULL {discussions}
UNION ALL
SELECT m.room_id, m.id, NULL, m.date, m.start_time, m.end_time, m.title, NULL, r.name
  FROM meetings m LEFT JOIN rooms r ON r.id = m.room_id
 WHERE m.deleted = 0 AND m.status != 'cancelled' AND m.room_id IS NOT NULL {meetings}
"""
WHOLE_DAY = (0, 24 * 60)


@dataclass(frozen=True)
class RoomBooking:
    room_id: str
    meeting_id: str
    discussion_id: str | None  # None: the meeting's own room
    date: str
    start: int
    end: int
    title: str
    group: str
    room: str

    def overlaps(self, other: RoomBooking) -> bool:
        if self.room_id != other.room_id or self.date != other.date or self.discussion_id == other.discussion_id:
            return False
        if self.discussion_id is None or other.discussion_id is None:
            mine = self.discussion_id is None and other.meeting_id == self.meeting_id
            if mine or (other.discussion_id is None and self.meeting_id == other.meeting_id):
                return False  # a meeting's group may stay in the meeting's own room
        return self.start < other.end and other.start < self.end

    def describe(self) -> str:
        from app.common.textutil import chinese_date

        hours = "" if (self.start, self.end) == WHOLE_DAY else f"{self.start // 60}:{self.start % 60:02d}"
        what = f"“{self.title}”{self.group}分组讨论" if self.discussion_id else f"“{self.title}”"
        return f"{chinese_date(self.date)}{hours}{what}"


def _room_booking(row) -> RoomBooking:
    room_id, meeting_id, discussion_id, day, start_time, end_time, title, group, room = row
    start, end = minutes_of(start_time), minutes_of(end_time)
    if start is None:
        start, end = WHOLE_DAY
    elif end is None or end <= start:
        end = start + DEFAULT_LENGTH
    return RoomBooking(room_id, meeting_id, discussion_id, day, start, end, title or "", group or "", room or "")


def room_bookings(conn, *, room_ids: list[str] | None = None, day: str | None = None) -> list[RoomBooking]:
    params: list = []
    discussions = meetings = ""
    if room_ids is not None:
        marks = ",".join("?" * len(room_ids))
        discussions = f" AND d.room_id IN ({marks}) AND m.date = ?"
        meetings = f" AND m.room_id IN ({marks}) AND m.date = ?"
        params = [*room_ids, day, *room_ids, day]
    sql = _ROOM_BOOKINGS.format(discussions=discussions, meetings=meetings)
    return [_room_booking(row) for row in conn.execute(sql, params)]


def _clashes(bookings: list[RoomBooking], only_meeting: str | None = None) -> list[tuple[RoomBooking, RoomBooking]]:
    found = []
    for index, first in enumerate(bookings):
        for second in bookings[index + 1:]:
            if first.discussion_id is None and second.discussion_id is None:
                continue  # two meetings in one room: the clerk's confirmation (the meeting form)
            if only_meeting and only_meeting not in (first.meeting_id, second.meeting_id):
                continue
            if first.overlaps(second):
                here, there = (first, second) if first.meeting_id == only_meeting or only_meeting is None \
                    else (second, first)
                found.append((here, there))
    return found


def room_clash_for(conn, meeting_id: str) -> tuple[RoomBooking, RoomBooking] | None:
    """A clash of one of this meeting's room bookings (its room, its group discussions') with another."""
    row = conn.execute("SELECT date, room_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()
    if row is None:
        return None
    rooms = {r[0] for r in conn.execute("SELECT room_id FROM meeting_discussions WHERE meeting_id = ? AND deleted = 0"
                                        " AND room_id IS NOT NULL", [meeting_id])}
    if row[1]:
        rooms.add(row[1])
    if not rooms:
        return None
    found = _clashes(room_bookings(conn, room_ids=sorted(rooms), day=row[0]), meeting_id)
    return found[0] if found else None


def all_room_clashes(conn) -> list[tuple[RoomBooking, RoomBooking]]:
    """Every pair of room bookings that overlap where one is a group discussion (for `check`)."""
    by_room: dict[tuple[str, str], list[RoomBooking]] = {}
    for booking in room_bookings(conn):
        by_room.setdefault((booking.room_id, booking.date), []).append(booking)
    found = []
    for items in by_room.values():
        if any(b.discussion_id for b in items):
            found += _clashes(sorted(items, key=lambda b: (b.start, b.meeting_id, b.discussion_id or "")))
    return found
