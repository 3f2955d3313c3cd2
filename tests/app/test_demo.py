"""The demo as the field report tells it, whatever day it is created on."""

from datetime import date, timedelta

import pytest

from app.fronts.demo import build_demo, demo_year
from app.services.opinion_steps import step_of
from app.store import Store


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2025, 12, 31), date(2026, 3, 18), date.today()],
                         ids=["new-year", "new-years-eve", "first-plenary-day", "today"])
def test_the_demo_has_held_the_reports_year_on_any_day(tmp_path, today):
    with Store.open(tmp_path / "data") as s:
        build_demo(s, today=today)
        year = demo_year(today)
        held = s.summary.figures(year).held  # the report's year; the current one carries on (below)
        assert held["plenary"] == 2 and held["group_activity"] == 20
        # planned meetings are extra, and all of them after today
        planned = s.rows("SELECT kind, date FROM meetings WHERE deleted = 0 AND status = 'planned'")
        assert planned and all(m["date"] > today.isoformat() for m in planned)
        assert not s.rows("SELECT 1 FROM meetings WHERE deleted = 0 AND status = 'held' AND date > ?",
                          [today.isoformat()])
        assert s.opinion_stats.opinions(year, today)["total"] == 28

        # every opinion past 确定议题 went through the steps as recorded
        for row in s.rows("SELECT id, serial, status, topic_id FROM opinions WHERE deleted = 0"):
            if step_of(row["status"]) < 3:
                continue
            topic = s.topics.get(row["topic_id"])
            assert topic["approved_on"] and topic["meeting_id"], row["serial"]
            activity = s.meetings.get(topic["meeting_id"])
            assert activity["kind"] == "group_activity" and activity["status"] == "held"
            assert activity["group_id"] == topic["group_id"]
            timeline = [e["kind"] for e in s.opinions.detail(row["id"])["timeline"]]
            # a field survey (实地走访调研) comes between the plan and the activity: the school bus's
            kinds = [k for k in timeline if k != "survey"]
            if "survey" in timeline:
                assert timeline.index("plan") < timeline.index("survey") < timeline.index("deliberate")
            assert kinds[:6] == ["collect", "report", "topic", "consult", "plan", "deliberate"], (row["serial"], kinds)
            assert s.plans.for_topic(topic["id"])["meeting_id"] == activity["id"]
        # nothing heard at a reception day or agreed in minutes is left waiting without a reason
        assert s.opinions.pending_intake() == []
        closed = s.rows("SELECT closed_reason FROM reception_matters WHERE deleted = 0 AND closed_on IS NOT NULL")
        taken = s.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND origin_table = 'reception_matters'")
        assert closed and all(r["closed_reason"] for r in closed) and taken >= 1
        assert s.scalar("SELECT count(*) FROM reception_matters WHERE deleted = 0") == len(closed) + taken

        # the year's summary is the report's, and it is the year the clerk is offered until the last
        # quarter, when the current year (which has held its meetings) is summed up
        assert s.summary.default_year(today) == (year + 1 if today.month >= 10 else year)
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


# A year wholly past, so that every day of it can be the day the demo is created.
LIVED = date.today().year - 1


@pytest.mark.parametrize("today", [date(LIVED, 3, 1), date(LIVED, 7, 1), date(LIVED, 12, 2)],
                         ids=["1-march", "1-july", "2-december"])
def test_the_demo_lives_in_its_year(tmp_path, today):
    """Created on any day, the current year has carried on to it as the cadence says: nothing held or
    done after today, no 未召开 line for a period that has passed, opinions at every step so far."""
    with Store.open(tmp_path / "data") as s:
        build_demo(s, today=today)
        year = today.year
        iso = today.isoformat()
        # the report's year is the field report's
        report = s.summary.figures(year - 1)
        assert (report.held["plenary"], report.held["group_activity"], report.opinions["total"]) == (2, 20, 28)

        # the cadence service: every period that has ended was held, none is 未召开
        plan = s.cadence.year_plan(year, today)
        assert [(p["subject"], p["period"]) for p in plan if p["state"] == "missed"] == []
        assert [p for p in plan if p["end"] < iso and p["state"] != "held"] == []
        assert s.cadence.attention(today)["missed"] == []
        held = s.summary.figures(year).held
        quarters_passed = (today.month - 1) // 3
        assert held["plenary"] == (0 if today.month < 4 else 1)  # the first half's in March, the second's in December
        assert held["group_activity"] >= 5 * quarters_passed
        open_halls = s.scalar("SELECT count(*) FROM venues WHERE level = 'neighbourhood_hall' AND build_status = 'open'")
        assert open_halls == 10  # the eleventh is still being built: no reception days
        assert held["reception"] >= open_halls * (today.month - 1)  # each open hall every month
        assert not s.rows("SELECT 1 FROM meetings WHERE deleted = 0 AND status = 'held' AND date > ?", [iso])
        planned = s.rows("SELECT kind, date FROM meetings WHERE deleted = 0 AND status = 'planned'")
        assert planned and all(m["date"] > iso for m in planned)
        assert any(m["kind"] == "plenary" for m in planned)  # the next plenary is being prepared

        # opinions of the current year, none dated after today, at every step reached so far
        figures = s.opinion_stats.opinions(year, today)
        statuses = {k for k, n in figures["by_status"].items() if n}
        assert figures["total"] >= 5 and {"collected", "topic", "declined"} <= statuses
        if held["group_activity"]:  # assigned after the activities, some answered, one past its deadline
            assert {"assigned", "answered"} <= statuses and figures["overdue"] >= 1 and figures["solved"] >= 2
        if today.month == 12:  # and by December most fed back and closed
            assert {"fed_back", "closed"} <= statuses and figures["satisfaction_rate"] and figures["solved"] >= 6
        rows = s.rows("SELECT id, received_on, reported_on, status FROM opinions WHERE deleted = 0"
                      " AND received_on >= ?", [f"{year}-01-01"])
        for row in rows:
            assert row["received_on"] <= iso
            assert all(e["day"] <= iso for e in s.opinions.detail(row["id"], today)["timeline"])
        # a late one: collected over a month ago and never reported to the group leader
        month_ago = (today - timedelta(days=30)).isoformat()
        assert any(r["status"] == "collected" and not r["reported_on"] and r["received_on"] < month_ago
                   for r in rows)


def test_the_demo_people_are_of_an_age_with_their_party_and_work(demo):
    """No 1968-born 共青团员 and no 1989-born 退休: the ID number's birth year fits the rest."""
    from tests.conftest import DEMO_YEAR

    people = demo.rows("SELECT name, id_number, party, sector, workplace FROM candidates WHERE deleted = 0")
    assert len(people) == 110
    for p in people:
        age = DEMO_YEAR - int(p["id_number"][6:10])
        assert 25 <= age <= 66, p
        if p["party"] == "共青团员":
            assert age <= 30, p
        if p["sector"] == "退休人员" or p["workplace"] == "退休":
            assert age >= 50, p
        if age >= 62:
            assert p["sector"] not in ("教育卫生", "专业技术人员", "企业人员", "社会组织"), p


def test_the_school_bus_story_is_told_in_order(demo, tmp_path):
    """Residents raise it before the plenary that votes the line; the plan's time is the meeting's; the
    brief's departments are the minutes' 列席 and its photos were taken by its date; the answer came by
    the deadline."""
    import subprocess

    from app.documents.catalog import export_doc

    bus = demo.rows("SELECT * FROM opinions WHERE title LIKE '%文昌校区%' AND deleted = 0")[0]
    plenary = demo.rows("SELECT m.id, m.date FROM meetings m JOIN votes v ON v.meeting_id = m.id"
                        " WHERE v.item LIKE '%定制公交%' AND v.deleted = 0")[0]
    topic = demo.topics.get(bus["topic_id"])
    meeting = demo.meetings.get(topic["meeting_id"])
    plan = demo.plans.for_topic(topic["id"])
    assert bus["received_on"] < bus["reported_on"] < topic["approved_on"] < plenary["date"]
    assert plenary["date"] < plan["drafted_on"] < meeting["date"] == plan["planned_on"]
    assert plan["planned_time"] == f"{meeting['start_time']}—{meeting['end_time']}"
    assert meeting["date"] < bus["assigned_on"] < bus["answered_on"] <= bus["deadline"]
    assert bus["answered_on"] < bus["feedback_delegate_on"] < bus["closed_on"]
    days = [e["day"] for e in demo.opinions.detail(bus["id"])["timeline"]]
    assert days == sorted(days)

    texts = {}
    for kind in ("minutes", "brief"):
        export_doc(demo, kind, meeting["id"], tmp_path / f"{kind}.pdf")
        texts[kind] = subprocess.run(["pdftotext", str(tmp_path / f"{kind}.pdf"), "-"], capture_output=True,
                                     text=True).stdout.replace("\n", "")
    guests = demo.rows("SELECT unit FROM attendance WHERE meeting_id = ? AND deleted = 0 AND delegate_id IS NULL",
                       [meeting["id"]])
    assert guests and all(demo.departments.units_text(g["unit"]) in texts["brief"] for g in guests)
    assert all(demo.departments.units_text(g["unit"]) in texts["minutes"] for g in guests)
    photos = demo.meetings.materials(meeting["id"])
    assert all(p["taken_on"] for p in photos)
    for p in photos:  # the brief is dated the meeting's day: only what was photographed by then is in it
        assert (p["title"] in texts["brief"]) == (p["taken_on"] <= meeting["date"]), p["title"]
