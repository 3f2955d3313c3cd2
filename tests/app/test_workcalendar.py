from datetime import date

import pytest

from app.common.errors import ValidationError
from app.common.workcalendar import WorkCalendar


@pytest.fixture
def calendar(store):
    return WorkCalendar(store)


def test_national_day_2025_and_its_make_up_saturday(calendar):
    # 1-8 October off; Sunday 28 Sept and Saturday 11 Oct are make-up workdays.
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert calendar.is_workday(date(2025, 9, 28))
    assert not calendar.is_workday(date(2025, 10, 3))


def test_spring_festival_2026(calendar):
    # 15-23 February off; Saturday 14 Feb and 28 Feb are make-up workdays.
    assert calendar.is_workday(date(2026, 2, 14))
    assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_a_year_without_bundled_data_warns_then_takes_the_clerks_arrangement(calendar, store):
    assert calendar.coverage(2030) == "missing"
    assert "2030 年" in calendar.warning(2030)
    assert calendar.add_working_days(date(2030, 9, 30), 1) == date(2030, 10, 1)  # weekdays only
    holidays = [f"2030-10-0{d}" for d in range(1, 8)]
    calendar.set_arrangement(2030, holidays, ["2030-09-29", "2030-10-12"])
    assert calendar.coverage(2030) == "entered" and calendar.warning(2030) is None
    assert calendar.add_working_days(date(2030, 9, 30), 1) == date(2030, 10, 8)
    assert calendar.is_workday(date(2030, 10, 12))  # a Saturday, made a workday
    assert store.rows("SELECT action FROM audit ORDER BY seq DESC LIMIT 1")[0]["action"] == "settings"
    with pytest.raises(ValidationError, match="不在 2030 年"):
        calendar.set_arrangement(2030, ["2031-01-01"], [])


def test_counting_backwards_on_the_same_day_and_the_bundled_years(calendar):
    assert calendar.coverage(2025) == "bundled" and calendar.warning(2025) is None
    assert calendar.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert calendar.working_days_between(date(2026, 2, 24), date(2026, 2, 24)) == 0
    assert calendar.working_days_between(date(2026, 2, 23), date(2026, 2, 24)) == 1  # end counted, start not
    with pytest.raises(ValidationError, match="^办理期限应至少为 1 个工作日$") as error:
        calendar.add_working_days(date(2026, 2, 13), 0)
    assert error.value.field == "working_days"
    assert calendar.add_working_days(date(2030, 10, 3), 1) == date(2030, 10, 4)  # a Thursday: Friday next
    saturday = date(2040, 1, 7)  # a year neither bundled nor entered: Monday to Friday only
    assert saturday.weekday() == 5 and not calendar.is_workday(saturday)


def test_an_arrangement_entered_again_replaces_the_first(calendar, store):
    """Days left out are dropped, a dropped day comes back, a day may change kind; the cache follows."""
    with pytest.raises(ValidationError, match="“2030-13-01”不是有效日期"):
        calendar.set_arrangement(2030, ["2030-13-01"], [])
    calendar.set_arrangement(2030, ["2030-10-01", " 2030-10-02 "], ["2030-10-12"], note="国办发明电")
    assert calendar.entered(2030) == {"2030-10-01": "holiday", "2030-10-02": "holiday", "2030-10-12": "workday"}
    assert store.scalar("SELECT note FROM holiday_days WHERE day = '2030-10-01'") == "国办发明电"
    assert store.scalar("SELECT summary FROM audit ORDER BY seq DESC LIMIT 1") == \
        "录入 2030 年节假日安排（放假 2 天、调休上班 1 天）"
    assert not calendar.is_workday(date(2030, 10, 5))  # a Saturday not listed stays a day off
    assert calendar.is_workday(date(2030, 10, 3))  # a Thursday not listed is a workday
    calendar.set_arrangement(2030, ["2030-10-12"], ["2030-10-01"])
    assert calendar.entered(2030) == {"2030-10-01": "workday", "2030-10-12": "holiday"}
    assert calendar.is_workday(date(2030, 10, 2)) and not calendar.is_workday(date(2030, 10, 12))
    calendar.set_arrangement(2030, ["2030-10-02"], [])
    assert calendar.entered(2030) == {"2030-10-02": "holiday"}  # back from the first arrangement
    assert store.scalar("SELECT count(*) FROM holiday_days WHERE day LIKE '2030-%'") == 3
    assert WorkCalendar(store).entered(2031) == {}
    assert store.scalar("SELECT count(*) FROM clocks WHERE tbl <> lower(tbl)") == 0  # stamped under the tables' own names


def test_two_offices_entering_the_same_day_keep_one_row(calendar, store, tmp_path):
    """A day's row id comes from the date, so two offices' packages merge into one row, not two."""
    from app.store import Store

    calendar.set_arrangement(2030, ["2030-10-01"], [])
    with Store.open(tmp_path / "other") as other:
        WorkCalendar(other).set_arrangement(2030, ["2030-10-01"], [])
        theirs = other.scalar("SELECT id FROM holiday_days")
    assert store.scalar("SELECT id FROM holiday_days") == theirs
    assert store.scalar("SELECT note FROM holiday_days") is None  # no note given, none kept
