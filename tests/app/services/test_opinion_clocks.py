"""Clocks on every step of the opinion chain, and 按期办结 (issue 25, items 1 and 6)."""

from datetime import date

import pytest

from app.common.errors import ValidationError
from app.services.opinions import OpinionFilter

# Monday 2 March 2026: no public holiday in the weeks these tests count.
MON = "2026-03-02"


@pytest.fixture
def delegate(demo):
    return demo.rows("SELECT d.id, d.group_id FROM delegates d WHERE d.deleted = 0 AND d.status = 'active'"
                     " AND EXISTS (SELECT 1 FROM delegates l WHERE l.group_id = d.group_id AND"
                     " l.group_role = 'leader' AND l.deleted = 0 AND l.status = 'active') ORDER BY d.id LIMIT 1")[0]


def collect(s, delegate, title="小区门口路灯不亮", day=MON):
    return s.opinions.create({"source": "grid_visit", "received_on": day, "delegate_id": delegate["id"],
                              "title": title}).created("opinions")[0]


def assigned(s, delegate, title, days, day=MON):
    opinion = collect(s, delegate, title, day)
    s.opinions.assign(opinion, "department", "区交通局", days, day=day)
    return opinion


@pytest.mark.parametrize("text", ["0", "-3", "1.5", "五", "61", "3天"])
def test_a_limit_that_is_not_a_positive_whole_number_of_days_is_refused(demo, text):
    for key, label in (("report_working_days", "上报组长"), ("topic_working_days", "确定议题"),
                       ("approval_working_days", "工委审核"), ("assign_working_days", "交办"),
                       ("reopen_working_days", "重办"), ("feedback_working_days", "反馈代表")):
        with pytest.raises(ValidationError, match=f"“{label}”时限应为 1—60 个工作日的整数") as refused:
            demo.settings.update({key: text})
        assert refused.value.field == key
    assert demo.settings.get("report_working_days") == ""  # nothing stored


def test_the_limits_default_to_working_days_and_follow_the_settings(demo):
    assert demo.opinion_stats.opinions()["limits"] == {"report": 5, "topic": 10, "approval": 5, "assign": 5,
                                                       "feedback": 5, "reopen": 5}
    demo.settings.update({"report_working_days": "3"})
    assert demo.opinion_stats.opinions()["limits"]["report"] == 3


def test_an_opinion_not_reported_within_the_limit_is_late_at_that_step(demo, delegate):
    s = demo
    opinion = collect(s, delegate)
    # five working days after Monday 2 March is Monday 9 March: late from the 10th
    row = s.opinions.detail(opinion, date(2026, 3, 9))
    assert row["clock"] == "report" and row["step_due"] == "2026-03-09" and not row["step_late"]
    assert row["flag"] == ""
    row = s.opinions.detail(opinion, date(2026, 3, 10))
    assert row["step_late"] and row["flag"] == "上报逾期" and row["clock_label"] == "上报组长"
    late = {r["id"] for r in s.opinions.page(OpinionFilter(overdue=True), limit=None, today=date(2026, 3, 10))}
    assert opinion in late
    on_time = {r["id"] for r in s.opinions.page(OpinionFilter(overdue=True), limit=None, today=date(2026, 3, 9))}
    assert opinion not in on_time
    by_step = {g["key"]: g for g in s.opinions.late_by_step(date(2026, 3, 10), limit=500)}
    assert opinion in {r["id"] for r in by_step["report"]["rows"]} and by_step["report"]["label"] == "上报组长"


def test_a_step_done_late_shows_late_and_one_done_in_time_does_not(demo, delegate):
    s = demo
    late, in_time = collect(s, delegate, "路灯不亮"), collect(s, delegate, "井盖松动")
    s.opinions.report(late, "2026-03-10")
    s.opinions.report(in_time, "2026-03-09")
    steps = {o: {c["key"]: c for c in s.opinions.step_clocks(o, date(2026, 3, 11))} for o in (late, in_time)}
    assert steps[late]["report"] == {"key": "report", "label": "上报组长", "start": MON, "due": "2026-03-09",
                                     "done": "2026-03-10", "late": True}
    assert steps[in_time]["report"]["late"] is False
    # the next clock runs from the report: 确定议题 within ten working days
    row = s.opinions.detail(late, date(2026, 3, 11))
    assert row["clock"] == "topic" and row["step_due"] == "2026-03-24" and not row["step_late"]
    assert s.opinions.detail(late, date(2026, 3, 25))["flag"] == "议题逾期"


def test_topic_approval_assignment_and_reopen_are_clocked(demo, delegate):
    s = demo
    opinion = collect(s, delegate)
    topic = s.topics.create({"title": "背街小巷路灯", "group_id": delegate["group_id"],
                             "lead_delegate_id": delegate["id"]}, [opinion], day="2026-03-03").created("topics")[0]
    row = s.opinions.detail(opinion, date(2026, 3, 11))
    assert row["clock"] == "approval" and row["step_due"] == "2026-03-10" and row["flag"] == "审核逾期"
    s.topics.review(topic, True, "2026-03-12", "工委主任")
    assert s.opinions.detail(opinion, date(2026, 3, 13))["clock"] is None  # waits for the group's activity
    meeting = s.meetings.create({"kind": "group_activity", "group_id": delegate["group_id"], "date": "2026-03-16",
                                 "status": "held"}).created("meetings")[0]
    s.topics.deliberate(topic, meeting)
    row = s.opinions.detail(opinion, date(2026, 3, 24))
    assert row["clock"] == "assign" and row["step_due"] == "2026-03-23" and row["flag"] == "交办逾期"
    s.opinions.assign(opinion, "department", "区城管局", 5, day="2026-03-24")
    s.opinions.answer(opinion, "已修复", "2026-03-27")
    s.opinions.feedback(opinion, "不满意", "当面", delegate_on="2026-03-30")
    # five working days after Monday 30 March, 清明 (Monday 6 April) not counted: Tuesday 7 April
    row = s.opinions.detail(opinion, date(2026, 4, 8))
    assert row["clock"] == "reopen" and row["step_due"] == "2026-04-07" and row["flag"] == "重办逾期"
    steps = {c["key"]: c for c in s.opinions.step_clocks(opinion, date(2026, 4, 8))}
    assert [k for k, c in steps.items() if c["late"]] == ["approval", "assign", "reopen"]
    assert steps["answer"]["late"] is False and steps["feedback"]["late"] is False


def test_on_time_completion_counts_the_deadline_in_force(demo, delegate):
    s = demo
    before = s.opinion_stats.opinions(2026)
    # ten working days from Monday 2 March: Monday 16 March
    day_late = assigned(s, delegate, "公交站台破损", 10)
    assert s.opinions.get(day_late)["deadline"] == "2026-03-16"
    s.opinions.answer(day_late, "已修复", "2026-03-17")
    exactly = assigned(s, delegate, "路口信号灯故障", 10)
    s.opinions.answer(exactly, "已修复", "2026-03-16")
    extended = assigned(s, delegate, "增设公交线路", 5)  # due Monday 9 March
    s.opinions.extend(extended, 5, "工委主任", "需协调公交公司", day="2026-03-05")
    assert s.opinions.get(extended)["deadline"] == "2026-03-16"
    s.opinions.answer(extended, "已开通", "2026-03-13")  # past the first deadline, before the extended one
    rows = {o: s.opinions.detail(o, date(2026, 3, 20)) for o in (day_late, exactly, extended)}
    assert rows[day_late]["on_time"] is False and rows[day_late]["on_time_label"] == "逾期办结"
    assert rows[exactly]["on_time"] is True and rows[extended]["on_time"] is True
    assert rows[extended]["on_time_label"] == "按期办结"
    from app.services.summary_draft import Figures, problems

    assert "“公交站台破损”" in problems(Figures(s, 2026, date(2026, 3, 20))).split("超过办理期限才办结（")[1]
    after = s.opinion_stats.opinions(2026)
    assert after["solved"] - before["solved"] == 3 and after["on_time"] - before["on_time"] == 2
    assert after["on_time_rate"] == round(after["on_time"] * 100 / after["solved"], 1)
    assert after["late_steps"]["answer"] - before["late_steps"]["answer"] == 1


def test_the_year_counts_late_steps_and_the_summary_names_them(demo, delegate):
    from app.services.summary_draft import Figures, problems

    s = demo
    year = date.today().year
    start = f"{year}-01-05"
    base = s.opinion_stats.opinions(year)["late_steps"]
    late = collect(s, delegate, "楼道堆物", start)
    s.opinions.report(late, f"{year}-02-02")
    figures = s.opinion_stats.opinions(year)["late_steps"]
    assert figures["report"] - base["report"] == 1
    text = problems(Figures(s, year))
    assert "收集后未在5个工作日内上报组长（" in text and "“楼道堆物”" in text  # each named


def test_no_late_step_no_sentence(store):
    from app.services.summary_draft import Figures, problems

    year = date.today().year
    opinion = store.opinions.create({"source": "grid_visit", "received_on": f"{year}-01-05",
                                     "title": "路灯不亮"}).created("opinions")[0]
    store.opinions.assign(opinion, "department", "区城管局", 10, day=f"{year}-01-05")
    store.opinions.answer(opinion, "已修复", f"{year}-01-06")
    store.opinions.feedback(opinion, "满意", "当面", delegate_on=f"{year}-01-07")
    o = store.opinion_stats.opinions(year)
    assert o["on_time"] == o["solved"] == 1 and o["on_time_rate"] == 100.0
    assert not any(o["late_steps"].values())
    text = problems(Figures(store, year))
    assert "超过时限" not in text and "超过办理期限" not in text and "按期办结率" not in text


def test_todays_reminders_list_late_steps_and_those_due_this_week(demo, delegate):
    from app.services.reminders import desk_reminders

    s = demo
    late, due = collect(s, delegate, "楼道堆物"), collect(s, delegate, "井盖松动", "2026-03-05")
    # Tuesday 10 March: the first is a day late (due the 9th), the second due on Thursday the 12th
    sections = {x["key"]: x for x in desk_reminders(s, date(2026, 3, 10))["sections"]}
    serials = {o: s.opinions.get(o)["serial"] for o in (late, due)}
    assert any(i["text"].startswith(f"【上报组长逾期】{serials[late]} 楼道堆物（应于 2026-03-09 前上报组长）")
               for i in sections["overdue"]["items"])
    assert any(i["text"].startswith(f"【上报组长期限】{serials[due]} 井盖松动") and i["day"] == "2026-03-12"
               for i in sections["week"]["items"])


def test_a_declined_opinion_owes_its_feedback_within_the_same_limit(demo, delegate):
    s = demo
    opinion = collect(s, delegate, "希望修建地下商场")
    s.opinions.decline(opinion, "超出街道职权范围", "2026-03-03")
    # five working days after Tuesday 3 March: Tuesday 10 March
    row = s.opinions.detail(opinion, date(2026, 3, 11))
    assert row["clock"] == "feedback" and row["step_due"] == "2026-03-10" and row["flag"] == "反馈逾期"
    assert opinion in {r["id"] for r in s.opinions.page(OpinionFilter(overdue=True), limit=None,
                                                         today=date(2026, 3, 11))}
    s.opinions.feedback(opinion, "未表态", "电话", delegate_on="2026-03-12")
    steps = {c["key"]: c for c in s.opinions.step_clocks(opinion, date(2026, 3, 13))}
    assert steps["feedback"]["done"] == "2026-03-12" and steps["feedback"]["late"] is True
    assert not s.opinions.detail(opinion, date(2026, 3, 13))["step_late"]
