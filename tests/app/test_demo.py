"""The demo as the field report tells it, whatever day it is created on."""

from datetime import date, timedelta

import pytest

from app.fronts.demo import build_demo, demo_year
from app.services.opinions import step_of
from app.store import Store


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2025, 12, 31), date(2026, 3, 18), date.today()],
                         ids=["new-year", "new-years-eve", "first-plenary-day", "today"])
def test_the_demo_has_held_the_reports_year_on_any_day(tmp_path, today):
    with Store.open(tmp_path / "data") as s:
        build_demo(s, today=today)
        year = demo_year(today)
        meetings = s.stats.summary()["meetings"]
        assert meetings["held"]["plenary"] == 2 and meetings["held"]["group_activity"] == 20
        # planned meetings are extra, and all of them after today
        planned = s.rows("SELECT kind, date FROM meetings WHERE deleted = 0 AND status = 'planned'")
        assert planned and all(m["date"] > today.isoformat() for m in planned)
        assert not s.rows("SELECT 1 FROM meetings WHERE deleted = 0 AND status = 'held' AND date > ?",
                          [today.isoformat()])
        assert s.stats.summary()["opinions"]["total"] == 28

        # every opinion past 确定议题 went through the steps as recorded
        for row in s.rows("SELECT id, serial, status, topic_id FROM opinions WHERE deleted = 0"):
            if step_of(row["status"]) < 3:
                continue
            topic = s.topics.get(row["topic_id"])
            assert topic["approved_on"] and topic["meeting_id"], row["serial"]
            activity = s.meetings.get(topic["meeting_id"])
            assert activity["kind"] == "group_activity" and activity["status"] == "held"
            assert activity["group_id"] == topic["group_id"]
            kinds = [e["kind"] for e in s.opinions.detail(row["id"])["timeline"]]
            assert kinds[:6] == ["collect", "report", "topic", "consult", "plan", "deliberate"], (row["serial"], kinds)
            assert s.plans.for_topic(topic["id"])["meeting_id"] == activity["id"]
        # nothing heard at a reception day or agreed in minutes is left waiting without a reason
        assert s.opinions.pending_intake() == []
        closed = s.rows("SELECT closed_reason FROM reception_matters WHERE deleted = 0 AND closed_on IS NOT NULL")
        taken = s.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND origin_table = 'reception_matters'")
        assert closed and all(r["closed_reason"] for r in closed) and taken >= 1
        assert s.scalar("SELECT count(*) FROM reception_matters WHERE deleted = 0") == len(closed) + taken

        # the year's summary is the report's, and it is the year the clerk is offered
        assert s.summary.default_year(today) == year
        figures = s.summary.figures(year)
        assert (figures.held["plenary"], figures.held["group_activity"], figures.opinions["total"],
                figures.serving(), s.grids.count()) == (2, 20, 28, 70, 534)
        assert s.summary.figures(year - 1).rounds  # the selection: the year before the report's
        # a year of monthly grid visits up to today, and this month not yet done by everyone
        months = {r["month"] for r in s.rows("SELECT DISTINCT substr(day, 1, 7) AS month FROM grid_visits")}
        assert {f"{year}-{m:02d}" for m in range(1, 13)} <= months
        assert max(months) == today.isoformat()[:7]
        assert s.scalar("SELECT max(day) FROM grid_visits") <= today.isoformat()


def test_the_demo_is_the_same_built_twice_on_one_day(tmp_path):
    today = date.today() - timedelta(days=3)
    dumps = []
    for name in ("a", "b"):
        with Store.open(tmp_path / name) as s:
            build_demo(s, today=today)
            dumps.append([
                s.rows("SELECT serial, status, deadline, received_on FROM opinions ORDER BY serial"),
                s.rows("SELECT a.content, a.status, a.done_on FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
                       " ORDER BY m.date, a.sort_order"),
                s.scalar("SELECT count(*) FROM grid_visits"),
                s.rows("SELECT closed_reason, count(*) AS n FROM reception_matters GROUP BY closed_reason"
                       " ORDER BY closed_reason")])
    assert dumps[0] == dumps[1]
