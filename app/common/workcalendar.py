"""Working days with Chinese public holidays and make-up workdays (调休).

Bundled data (the chinesecalendar package) covers the years it knows; for any other year the
clerk enters the State Council's arrangement (holidays and make-up workdays) and until then the
calendar warns and counts Monday to Friday only.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from app.common.errors import ValidationError

_NS = uuid.UUID("3f2a1c4d-7e6b-4a5c-9d8e-1b2c3d4e5f60")
KINDS = (("holiday", "放假"), ("workday", "调休上班"))


def _bundled(day: date) -> bool | None:
    """True/False from the bundled data; None when the year is not covered."""
    try:
        import chinese_calendar
    except ImportError:  # not installed: everything is "missing"
        return None
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class WorkCalendar:
    def __init__(self, store):
        self.store = store
        self._entered_cache: dict[int, dict[str, str]] = {}
        # (start, days) -> due day: a ledger of many opinions asks the same few starts over and over
        self._due_cache: dict[tuple[date, int], date] = {}

    # -- the clerk's arrangements -----------------------------------------------------
    def entered(self, year: int) -> dict[str, str]:
        if year not in self._entered_cache:
            self._entered_cache[year] = {r["day"]: r["kind"] for r in self.store.rows(
                "SELECT day, kind FROM holiday_days WHERE deleted = 0 AND day LIKE ?", [f"{year}-%"])}
        return self._entered_cache[year]

    def set_arrangement(self, year: int, holidays: list[str], workdays: list[str], note: str = ""):
        """Replace a year's entered arrangement (dates as 2027-10-01)."""
        days: dict[str, str] = {}
        for text, kind in [(d, "holiday") for d in holidays] + [(d, "workday") for d in workdays]:
            try:
                day = date.fromisoformat(text.strip())
            except ValueError:
                raise ValidationError(f"“{text}”不是有效日期（格式：2027-10-01）") from None
            if day.year != year:
                raise ValidationError(f"{text} 不在 {year} 年")
            days[day.isoformat()] = kind
        existing = {r["day"]: r for r in self.store.rows(
            "SELECT * FROM holiday_days WHERE day LIKE ?", [f"{year}-%"])}
        with self.store.write("settings", f"录入 {year} 年节假日安排（放假 {len(holidays)} 天、调休上班 "
                                          f"{len(workdays)} 天）") as tx:
            for day, row in existing.items():
                if day not in days and not row["deleted"]:
                    tx.delete("holiday_days", row["id"])
            for iso, kind in days.items():
                row = existing.get(iso)
                if row is None:
                    tx.insert("holiday_days", {"day": iso, "kind": kind, "note": note or None},
                              row_id=str(uuid.uuid5(_NS, iso)))
                else:
                    if row["deleted"]:
                        tx.restore("holiday_days", row["id"])
                    tx.update("holiday_days", row["id"], {"kind": kind})
        self._entered_cache.pop(year, None)
        self._due_cache.clear()
        return tx.changes

    # -- questions -----------------------------------------------------------------------
    def coverage(self, year: int) -> str:
        """'entered' (the clerk's), 'bundled', or 'missing'."""
        if self.entered(year):
            return "entered"
        return "bundled" if _bundled(date(year, 6, 1)) is not None else "missing"

    def warning(self, year: int) -> str | None:
        if self.coverage(year) == "missing":
            return (f"{year} 年的法定节假日安排尚未录入，期限暂按周一至周五计算。"
                    f"请在国务院公布安排后，于“设置—节假日安排”中录入。")
        return None

    def is_workday(self, day: date) -> bool:
        entered = self.entered(day.year)
        if entered:
            kind = entered.get(day.isoformat())
            if kind:
                return kind == "workday"
            return day.weekday() < 5
        bundled = _bundled(day)
        return bundled if bundled is not None else day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        if days < 1:
            raise ValidationError("办理期限应至少为 1 个工作日", field="working_days")
        if (start, days) in self._due_cache:
            return self._due_cache[(start, days)]
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        self._due_cache[(start, days)] = day
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        sign, (a, b) = (1, (start, end)) if end >= start else (-1, (end, start))
        count, day = 0, a
        while day < b:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return sign * count
