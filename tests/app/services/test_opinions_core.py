"""The opinion chain on a small office made through the services (no demo, no Qt): the reads that
lists and registers use (steps between two days, a year's supervisions), and what each step records
and refuses, read value by value. Fast: mutation testing runs them once per mutant of
app/services/opinions.py, opinion_steps.py and opinion_history.py."""

import json
import shutil
from datetime import date
from types import SimpleNamespace

import pytest

from app.common.errors import ConflictError, ValidationError
from app.store import Store

TODAY = date.today().isoformat()


@pytest.fixture(scope="session")
def small_office(tmp_path_factory):
    """One group, one community, a leader and a member of the current term; made once, copied per test."""
    folder = tmp_path_factory.mktemp("opinion-office") / "data"
    with Store.open(folder) as s:
        s.settings.update({"subdistrict": "中山路街道", "unit_name": "中山路街道工委"})
        s.terms.create({"name": "第一届", "start_date": "2024-01-01", "end_date": "2099-12-31"})
        group = s.groups.create({"name": "第一组"}).created("groups")[0]
        community = s.communities.create({"name": "甲社区", "kind": "community", "group_id": group}).created(
            "communities")[0]
        s.delegates.create({"name": "王组长", "community_id": community, "group_id": group, "group_role": "leader"})
        s.delegates.create({"name": "李代表", "community_id": community, "group_id": group})
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder


@pytest.fixture
def office(small_office, tmp_path):
    shutil.copytree(small_office, tmp_path / "data", ignore=shutil.ignore_patterns("yishi.lock"))
    s = Store.open(tmp_path / "data")
    ids = {r["name"]: r["id"] for r in s.rows("SELECT id, name FROM delegates")}
    yield SimpleNamespace(s=s, o=s.opinions, leader=ids["王组长"], member=ids["李代表"],
                          group=s.scalar("SELECT id FROM groups"), community=s.scalar("SELECT id FROM communities"))
    s.close()


def collect(office, title="路灯不亮", day="2026-09-01", **extra) -> str:
    values = {"source": "phone", "received_on": day, "title": title, "delegate_id": office.member, **extra}
    return office.o.create(values).created("opinions")[0]


def last_audit(s) -> tuple[str, str]:
    row = s.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    return row["action"], row["summary"]


# -- the registers' reads -----------------------------------------------------------------

def test_opinions_assigned_or_answered_between_two_days_by_serial(office):
    o = office.o
    a, b, c, d = (collect(office, t) for t in ("甲事", "乙事", "丙事", "丁事"))
    o.assign(b, "department", "住建", 5, day="2026-09-10")
    o.assign(a, "department", "住建", 5, day="2026-09-03")
    o.assign(c, "department", "住建", 5, day="2026-09-11")
    o.assign(d, "department", "住建", 5, day="2026-09-05")
    o.answer(b, "好了", day="2026-09-12")
    o.delete(d)
    serial = {r["id"]: r["serial"] for r in office.s.rows("SELECT id, serial FROM opinions")}
    assert o.stepped_between("assigned_on", "2026-09-03", "2026-09-10") == [
        {"id": a, "serial": serial[a], "title": "甲事"}, {"id": b, "serial": serial[b], "title": "乙事"}]
    assert [r["id"] for r in o.stepped_between("assigned_on", "2026-09-04", "2026-09-11")] == [b, c]
    assert o.stepped_between("answered_on", "2026-09-12", "2026-09-12") == [
        {"id": b, "serial": serial[b], "title": "乙事"}]
    assert o.stepped_between("answered_on", "2026-09-01", "2026-09-11") == []
    with pytest.raises(ValueError, match="^received_on$"):
        o.stepped_between("received_on", "2026-09-01", "2026-09-30")


def test_the_supervisions_of_a_year_with_their_opinion_by_day(office):
    o = office.o
    a = collect(office, "甲事", day="2025-12-01")
    b = collect(office, "乙事", day="2025-12-01")
    gone = collect(office, "丙事", day="2025-12-01")
    for opinion in (a, b, gone):
        o.assign(opinion, "department", "住建", 5, day="2025-12-02")
    o.supervise(b, "2026-01-01", "电话", "元旦催办", "在办")
    o.supervise(a, "2025-12-31", "实地", "年末查看")
    o.supervise(a, "2026-01-01", "函件", "发函")
    o.supervise(gone, "2026-03-01", "电话", "已删的")
    o.delete(gone)
    serial = {r["id"]: r["serial"] for r in office.s.rows("SELECT id, serial FROM opinions")}
    deadline = o.get(a)["deadline"]
    rows = o.supervisions_of_year(2026)
    assert [(r["day"], r["serial"], r["content"]) for r in rows] == [
        ("2026-01-01", serial[a], "发函"), ("2026-01-01", serial[b], "元旦催办")]
    assert {k: v for k, v in rows[1].items() if k != "id"} == {
        "day": "2026-01-01", "method": "电话", "content": "元旦催办", "progress": "在办", "actor": rows[1]["actor"],
        "serial": serial[b], "title": "乙事", "lead_unit": "住建", "deadline": deadline}
    assert rows[1]["id"] == office.s.scalar("SELECT id FROM supervisions WHERE content = '元旦催办'")
    assert [r["content"] for r in o.supervisions_of_year(2025)] == ["年末查看"]
    assert [r["content"] for r in o.supervisions_of_year(None)][:3] == ["年末查看", "发函", "元旦催办"]
    assert [r["content"] for r in o.supervisions_of_year()][:3] == ["年末查看", "发函", "元旦催办"]


# -- what each step records ----------------------------------------------------------------

def events(s, opinion) -> list[tuple]:
    """The opinion's events as stored, in the order written: day, kind, details, who."""
    return [(r["day"], r["kind"], json.loads(r["detail"]), r["actor"]) for r in s.rows(
        "SELECT * FROM opinion_events WHERE opinion_id = ? AND deleted = 0 ORDER BY rowid", [opinion])]


def test_each_step_stores_its_event_with_its_details_day_and_clerk(office):
    s, o = office.s, office.o
    s.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('clerk_name', '张文书')")
    a = collect(office, "甲事", day="2026-09-01")
    o.report(a, day="2026-09-02")
    o.assign(a, "department", "住建", 10, co_units=["城管", "住建"], day="2026-09-03")
    o.return_assignment(a, "不归我们", day="2026-09-04")
    assert (o.get(a)["category"], o.get(a)["co_units"]) == ("department", '["城管"]')
    o.assign(a, "subdistrict", "城管", 10, day="2026-09-05")
    assert (o.get(a)["category"], o.get(a)["co_units"]) == ("subdistrict", None)
    o.extend(a, 5, "主任", " 资金 ", day="2026-09-06")
    assert o.get(a)["deadline"] == "2026-09-24"
    o.set_key(a, True)
    o.supervise(a, "2026-09-07", "电话", "催办", delegate_ids=[office.leader])
    o.answer(a, "修好了", day="2026-09-08")
    serial = o.get(a)["feedback_serial"]
    o.feedback(a, "不满意", "电话", "2026-09-09")
    o.reopen(a, "没修好", 5, day="2026-09-10")
    o.answer(a, "换了", day="2026-09-11")
    o.feedback(a, "满意", "当面", "2026-09-12", "2026-09-13")
    o.close(a, "2026-09-14")
    clerk = "张文书"
    assert events(s, a) == [
        ("2026-09-01", "collect", {"source": "电话"}, clerk),
        ("2026-09-02", "report", {"delegate": "李代表", "group": "第一组", "leader": "王组长"}, clerk),
        ("2026-09-03", "assign", {"category": "部门职责事项", "lead_unit": "住建", "co_units": ["城管"],
                                  "working_days": 10, "deadline": "2026-09-17"}, clerk),
        ("2026-09-04", "return", {"unit": "住建", "reason": "不归我们"}, clerk),
        ("2026-09-05", "assign", {"category": "街道职责事项", "lead_unit": "城管", "co_units": [],
                                  "working_days": 10, "deadline": "2026-09-18"}, clerk),
        ("2026-09-06", "extend", {"from": "2026-09-18", "to": "2026-09-24", "approved_by": "主任", "reason": "资金"},
         clerk),
        (TODAY, "key", {"key": True}, clerk),
        ("2026-09-08", "answer", {"result": "修好了", "serial": serial}, clerk),
        ("2026-09-09", "feedback", {"satisfaction": "不满意", "method": "电话"}, clerk),
        ("2026-09-10", "reopen", {"reason": "没修好", "deadline": "2026-09-17"}, clerk),
        ("2026-09-11", "answer", {"result": "换了", "serial": serial}, clerk),
        ("2026-09-12", "feedback", {"satisfaction": "满意", "method": "当面"}, clerk),
        ("2026-09-14", "close", {}, clerk),
    ]
    sup = s.rows("SELECT * FROM supervisions WHERE opinion_id = ?", [a])
    assert [(r["day"], r["method"], r["content"], r["progress"], r["actor"]) for r in sup] == [
        ("2026-09-07", "电话", "催办", None, clerk)]
    assert s.rows("SELECT delegate_id FROM supervision_delegates WHERE supervision_id = ?", [sup[0]["id"]]) == [
        {"delegate_id": office.leader}]
    row = o.get(a)
    assert {k: row[k] for k in ("status", "result", "answered_on", "satisfaction", "feedback_method",
                                "feedback_delegate_on", "feedback_residents_on", "closed_on", "deadline")} == {
        "status": "closed", "result": "换了", "answered_on": "2026-09-11", "satisfaction": "满意",
        "feedback_method": "当面", "feedback_delegate_on": "2026-09-12", "feedback_residents_on": "2026-09-13",
        "closed_on": "2026-09-14", "deadline": "2026-09-17"}


def test_scores_for_several_at_once_and_their_bounds(office):
    s, o = office.s, office.o
    a, b = collect(office, "甲事"), collect(office, "乙事")
    o.set_scores([a, b], 1, 5)
    assert last_audit(s) == ("update", "意见筛选评分：甲事等 2 条")
    assert [(r["urgency"], r["feasibility"]) for r in s.rows("SELECT * FROM opinions ORDER BY title")] == [(1, 5), (1, 5)]
    o.set_scores((b,), 5, 1)
    assert last_audit(s) == ("update", "意见筛选评分：乙事")
    assert (o.get(b)["urgency"], o.get(b)["feasibility"], o.get(a)["urgency"]) == (5, 1, 1)
    o.set_scores(a, None, None)
    assert (o.get(a)["urgency"], o.get(a)["feasibility"]) == (None, None)
    for bad in (0, 6):
        with pytest.raises(ValidationError) as refused:
            o.set_scores(a, 3, bad)
        assert refused.value.message == "可行性评分应为 1—5 分"


def test_declining_takes_the_opinion_out_of_its_topic_and_not_before_its_report(office):
    s, o = office.s, office.o
    a = collect(office, "甲事", day="2026-09-01")
    topic = s.topics.create({"title": "路灯议题", "group_id": office.group, "lead_delegate_id": office.member},
                            [a]).created("topics")[0]
    assert o.get(a)["topic_id"] == topic
    o.decline(a, "重复", day="2026-09-02")
    assert (o.get(a)["status"], o.get(a)["topic_id"], o.get(a)["decline_reason"]) == ("declined", None, "重复")
    assert events(s, a)[-1][1:3] == ("decline", {"reason": "重复"})
    b = collect(office, "乙事", day="2026-09-01")
    o.report(b, day="2026-09-05")
    with pytest.raises(ValidationError) as refused:
        o.decline(b, "重复", day="2026-09-04")
    assert (refused.value.message, refused.value.field) == ("不予采纳日期 2026-09-04 早于上报组长日期 2026-09-05", "day")
    o.decline(b, "重复", day="2026-09-05")
    assert o.get(b)["status"] == "declined"


def test_a_report_without_a_collecting_delegate_or_a_group_names_what_it_has(office):
    s, o = office.s, office.o
    a = o.create({"source": "phone", "received_on": "2026-09-01", "title": "甲事",
                  "community_id": office.community}).created("opinions")[0]
    b = o.create({"source": "phone", "received_on": "2026-09-01", "title": "乙事"}).created("opinions")[0]
    assert (o.get(a)["group_id"], o.get(b)["group_id"]) == (office.group, None)
    o.report(a, day="2026-09-02")
    o.report(b, day="2026-09-02", leader_id=office.member)
    assert events(s, a)[-1][1:3] == ("report", {"delegate": "", "group": "第一组", "leader": "王组长"})
    assert events(s, b)[-1][1:3] == ("report", {"delegate": "", "group": "", "leader": "李代表"})
    assert [e["text"] for e in o.timeline(b)][-1] == "上报组长李代表"
    assert (o.get(b)["reported_on"], o.get(b)["reported_to"]) == ("2026-09-02", office.member)


def test_a_declined_opinion_fed_back_is_not_reopened_and_a_late_extension_counts_from_its_day(office):
    o = office.o
    a = collect(office, "甲事", day="2026-09-01")
    o.decline(a, "不属于议事范围", day="2026-09-02")
    o.feedback(a, "不满意", "电话", "2026-09-03")
    with pytest.raises(ConflictError) as refused:
        o.reopen(a, "群众不认可", day="2026-09-04")
    assert refused.value.message == "这条意见没有交办过，不能重办；请直接交办。"
    b = collect(office, "乙事", day="2026-09-01")
    o.assign(b, "department", "住建", 2, day="2026-09-01")
    assert o.get(b)["deadline"] == "2026-09-03"
    o.extend(b, 2, "主任", day="2026-09-10")  # past its deadline: two working days from the day approved
    assert o.get(b)["deadline"] == "2026-09-14"


def test_a_closed_opinion_reopened_is_open_again_and_not_before_its_result(office):
    o = office.o
    a = collect(office, "甲事", day="2026-09-01")
    o.assign(a, "department", "住建", 5, day="2026-09-01")
    o.answer(a, "好了", day="2026-09-03")
    o.feedback(a, "满意", "当面", "2026-09-04")
    o.close(a, "2026-09-05")
    with pytest.raises(ValidationError) as refused:
        o.reopen(a, "又坏了", day="2026-09-02")
    assert (refused.value.message, refused.value.field) == ("重办日期 2026-09-02 早于办结日期 2026-09-03", "day")
    o.reopen(a, "又坏了", 5, day="2026-09-07")
    row = o.get(a)
    assert (row["status"], row["closed_on"], row["satisfaction"], row["deadline"]) == (
        "assigned", None, None, "2026-09-14")


def test_a_supervision_on_a_day_that_does_not_exist_is_refused_by_its_name(office):
    o = office.o
    a = collect(office, "甲事", day="2026-09-01")
    o.assign(a, "department", "住建", 5, day="2026-09-01")
    with pytest.raises(ValidationError) as refused:
        o.supervise(a, "2026-09-31", "电话", "催办")
    assert (refused.value.message, refused.value.field) == ("督办日期“2026-09-31”不是有效日期（格式：2025-06-18）", "day")
    assert o.supervisions(a) == []
    o.supervise(a, "2026-09-02", "电话", "催办")  # nobody named: an empty list, not None
    assert [(r["content"], r["delegates"]) for r in o.supervisions(a)] == [("催办", [])]


def test_only_delegates_serving_on_the_day_take_part_in_a_supervision(office):
    o = office.o
    a = collect(office, "甲事", day="2023-12-01")
    o.assign(a, "department", "住建", 5, day="2023-12-01")
    with pytest.raises(ValidationError) as refused:  # the term began on 1 January 2024
        o.supervise(a, "2023-12-15", "电话", "催办", delegate_ids=[office.leader])
    assert (refused.value.message, refused.value.field) == (
        "王组长在 2023-12-15 不是在任的议事代表，不能列为参与督办的代表", "delegate_ids")
    o.supervise(a, "2024-01-02", "实地", "查看", " 有进展 ", delegate_ids=[office.member, office.leader, office.member])
    assert [(r["day"], r["progress"], r["delegates"]) for r in o.supervisions(a)] == [
        ("2024-01-02", "有进展", ["李代表", "王组长"])]
    o.supervise(a, "2024-01-03", "电话", "再催")
    assert [(e["day"], e["label"], e["delegates"], e["text"]) for e in o.timeline(a) if e["kind"] == "supervise"] == [
        ("2024-01-02", "督办（实地）", ["李代表", "王组长"], "查看；进展：有进展；参与代表：李代表、王组长"),
        ("2024-01-03", "督办（电话）", [], "再催")]


def test_a_deliberated_opinion_is_not_fed_back_before_its_result(office):
    s, o = office.s, office.o
    a = collect(office, "甲事", day="2026-09-01")
    topic = s.topics.create({"title": "路灯议题", "group_id": office.group, "lead_delegate_id": office.member},
                            [a], day="2026-09-01").created("topics")[0]
    s.topics.review(topic, True, "2026-09-02", "工委主任", "同意")
    meeting = s.meetings.create({"kind": "group_activity", "group_id": office.group, "date": "2026-09-03",
                                 "status": "held"}).created("meetings")[0]
    s.meetings.save_minutes(meeting, "", "", [{"content": "修路灯", "unit": "城管", "deadline": "2026-10-30"}])
    s.topics.deliberate(topic, meeting, s.meetings.action_items(meeting)[0]["id"])
    assert o.get(a)["status"] == "deliberated"
    with pytest.raises(ConflictError) as refused:
        o.feedback(a, "满意", "当面")
    assert refused.value.message == "这条意见还没有办理结果（或不予采纳的决定），不能反馈。请先交办并登记办理结果。"


def test_numbers_go_on_past_a_thousand_and_a_step_on_a_day_that_does_not_exist_is_refused(office):
    s, o = office.s, office.o
    a = collect(office, "甲事", day="2026-09-01")
    with s.db.conn:  # the year's 1234th opinion (its number as another office's package brings it)
        s.db.execute("UPDATE opinions SET serial = 'YJ2026-1234' WHERE id = ?", [a])
    b = collect(office, "乙事", day="2026-09-01")
    assert o.get(b)["serial"] == "YJ2026-1235"
    o.assign(b, "department", "住建", 5, day="2026-09-01")
    with pytest.raises(ValidationError) as refused:
        o.answer(b, "好了", day="2026-09-31")
    assert (refused.value.message, refused.value.field) == ("日期“2026-09-31”不是有效日期（格式：2025-06-18）", "day")
    assert o.get(b)["status"] == "assigned"


# -- the ledger's reads ----------------------------------------------------------------------

def test_late_steps_grouped_along_the_chain_the_longest_waiting_first(office):
    from app.services.opinions import OpinionFilter

    o = office.o
    later = collect(office, "晚收的", day="2026-09-02")  # numbered first, received a day later
    earlier = collect(office, "早收的", day="2026-09-01")
    overdue = collect(office, "逾期未办结", day="2026-09-01")
    received_before = collect(office, "逾期未办结二", day="2026-08-31")  # the same deadline: by number
    for opinion in (overdue, received_before):
        o.assign(opinion, "department", "住建", 2, day="2026-09-01")
    today = date(2026, 9, 10)
    groups = o.late_by_step(today)
    assert [(g["key"], g["label"], g["total"]) for g in groups] == [("report", "上报组长", 2), ("answer", "办结", 2)]
    assert [(r["id"], r["step_due"], r["flag"]) for r in groups[0]["rows"]] == [
        (earlier, "2026-09-08", "上报逾期"), (later, "2026-09-09", "上报逾期")]
    assert [r["id"] for r in groups[1]["rows"]] == [overdue, received_before]
    assert [r["id"] for r in o.late_by_step(today, limit=1)[0]["rows"]] == [earlier]
    assert [(g["key"], g["total"]) for g in o.late_by_step()] == [("report", 2), ("answer", 2)]  # today
    assert o.late_by_step(date(2026, 9, 2)) == []
    # the clocks of one opinion as they stood on a day, or today
    assert {c["key"]: c["late"] for c in o.step_clocks(earlier, date(2026, 9, 7))} == {"report": False}
    assert {c["key"]: c["late"] for c in o.step_clocks(earlier)} == {"report": True}
    assert o.detail(earlier, date(2026, 9, 7))["step_clocks"] == o.step_clocks(earlier, date(2026, 9, 7))
    assert o.detail(earlier)["step_clocks"] == o.step_clocks(earlier)
    assert o.count(OpinionFilter(overdue=True), today) == 4 and o.count(OpinionFilter(overdue=True)) == 4


def test_the_default_pages_of_the_ledger_the_late_lists_and_the_feedback_list(office):
    from app.services.opinions import OpinionFilter

    o = office.o
    for n in range(150):
        collect(office, f"未上报{n:03d}", day="2026-09-01")
    answered = []
    for n in range(51):
        opinion = collect(office, f"已办结{n:03d}", day="2026-09-01")
        o.assign(opinion, "department", "住建", 2, day="2026-09-01")
        o.answer(opinion, "好了", day="2026-09-02")
        answered.append(opinion)
    today = date(2026, 9, 30)
    assert len(o.page(OpinionFilter(), today=today)) == 200 and o.count(OpinionFilter()) == 201
    late = [r["id"] for r in o.feedback_overdue(today)]
    assert len(late) == 50 and set(late) < set(answered)
    report = o.late_by_step(today)[0]
    assert (report["key"], report["total"], len(report["rows"])) == ("report", 150, 20)


def test_a_matter_heard_at_a_venue_belongs_to_the_venues_community(office):
    s, o = office.s, office.o
    group = s.groups.create({"name": "第二组"}).created("groups")[0]
    other = s.communities.create({"name": "乙社区", "kind": "community", "group_id": group}).created("communities")[0]
    venue = s.venues.create({"name": "乙社区议事点", "level": "area_hall", "community_id": other}).created("venues")[0]
    meeting = s.meetings.create({"kind": "reception", "date": "2026-09-01", "venue_id": venue,
                                 "status": "held"}).created("meetings")[0]
    matter = s.receptions.save_matters(meeting, [{"content": "楼道灯坏了", "resident": "张大爷"}]).created(
        "reception_matters")[0]
    opinion = o.intake("reception_matters", matter).created("opinions")[0]
    row = o.get(opinion)
    assert (row["source"], row["received_on"], row["title"], row["delegate_id"], row["community_id"], row["group_id"]) \
        == ("reception", "2026-09-01", "楼道灯坏了", None, other, group)
    with pytest.raises(ConflictError) as refused:
        o.intake("reception_matters", matter)
    assert refused.value.message == "这一事项已经登记进台账了"


def test_feedback_due_today_is_not_late_yet_and_an_open_opinion_has_no_completion_label(office):
    o = office.o

    def shown(today, **values):
        row = {"status": "answered", "source": "phone", "category": None, "co_units": None, "contact": None,
               "deadline": "2026-09-30", "answered_on": "2026-09-04", **values}
        o.decorate(row, today)
        return row

    due = shown(date(2026, 9, 11))
    assert (due["feedback_due"], due["feedback_overdue"]) == ("2026-09-11", False)
    assert shown(date(2026, 9, 14))["feedback_overdue"] is True
    still_open = shown(date(2026, 9, 11), status="assigned", answered_on=None)
    assert (still_open["on_time"], still_open["on_time_label"]) == (None, "")


def test_an_opinion_received_on_a_day_that_does_not_exist_is_refused_by_its_name(office):
    with pytest.raises(ValidationError) as refused:
        collect(office, "甲事", day="2026-02-30")
    assert (refused.value.message, refused.value.field) == ("收集日期“2026-02-30”不是有效日期（格式：2025-06-18）",
                                                            "received_on")
    assert office.s.scalar("SELECT count(*) FROM opinions") == 0


def test_an_opinion_concerning_no_residents_is_taken_and_a_negative_count_refused(office):
    a = collect(office, "甲事", residents=0)
    assert office.o.get(a)["residents"] == 0
    with pytest.raises(ValidationError) as refused:
        collect(office, "乙事", residents=-1)
    assert (refused.value.message, refused.value.field) == ("“涉及群众（人）”不能为负数", "residents")


def test_the_timeline_holds_the_surveys_of_the_opinions_topic(office):
    s, o = office.s, office.o
    a = collect(office, "甲事", day="2026-09-01")
    topic = s.topics.create({"title": "路灯议题", "group_id": office.group, "lead_delegate_id": office.member},
                            [a], day="2026-09-02").created("topics")[0]
    s.surveys.save(topic, {"day": "2026-09-03", "place": "甲社区主干道"}, [office.member])
    entries = [(e["day"], e["kind"], e["label"]) for e in o.timeline(a)]
    assert entries[-1][:2] == ("2026-09-03", "survey") and len(entries) == 3
    assert [e["text"] for e in o.timeline(a) if e["kind"] == "survey"] == [
        s.surveys.describe(s.surveys.list(topic)[0])]


def test_an_opinion_naming_a_delegate_or_community_that_is_gone_is_refused_by_its_field(office):
    s = office.s
    s.delegates.delete(office.leader)
    for values, message, field in (({"delegate_id": office.leader}, "所选代表不存在或已删除", "delegate_id"),
                                   ({"delegate_id": None, "community_id": "no-such"}, "所选村（社区）不存在或已删除",
                                    "community_id")):
        with pytest.raises(ValidationError) as refused:
            collect(office, "甲事", **values)
        assert (refused.value.message, refused.value.field) == (message, field)
    assert s.scalar("SELECT count(*) FROM opinions") == 0


def test_a_grid_fills_in_its_community_unless_one_was_chosen(office):
    s, o = office.s, office.o
    other = s.communities.create({"name": "乙社区", "kind": "community"}).created("communities")[0]
    grid = s.grids.create({"community_id": office.community, "name": "第1网格", "number": 1}).created("grids")[0]
    by_grid = o.create({"source": "phone", "received_on": "2026-09-01", "title": "甲事",
                        "grid_id": grid}).created("opinions")[0]
    chosen = o.create({"source": "phone", "received_on": "2026-09-01", "title": "乙事", "grid_id": grid,
                       "community_id": other}).created("opinions")[0]
    assert (o.get(by_grid)["community_id"], o.get(by_grid)["group_id"]) == (office.community, office.group)
    assert (o.get(chosen)["community_id"], o.get(chosen)["group_id"]) == (other, None)


def test_an_opinion_raised_on_a_visit_or_at_a_meeting_is_linked_to_it(office):
    s, o = office.s, office.o
    grid = s.grids.create({"community_id": office.community, "name": "第1网格", "number": 1}).created("grids")[0]
    changes = s.visits.create({"delegate_id": office.member, "grid_id": grid, "day": "2026-09-01"},
                              opinions=[{"title": "楼道灯损坏"}])
    visited = o.get(changes.created("opinions")[0])
    assert (visited["visit_id"], visited["raised_meeting_id"]) == (changes.created("grid_visits")[0], None)
    meeting = s.meetings.create({"kind": "group_activity", "group_id": office.group, "date": "2026-09-03",
                                 "status": "held"}).created("meetings")[0]
    raised = o.create({"source": "meeting", "received_on": "2026-09-03", "title": "会上提出"},
                      meeting_id=meeting).created("opinions")[0]
    assert (o.get(raised)["raised_meeting_id"], o.get(raised)["visit_id"]) == (meeting, None)
