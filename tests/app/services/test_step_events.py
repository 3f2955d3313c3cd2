"""Flowchart steps close themselves when the work they stand for is recorded."""

from datetime import date, timedelta

from app.services.meetings import MeetingFilter
from app.services.step_events import event_of

TODAY = date.today()


def _group_and_delegate(store):
    row = store.rows("SELECT id, group_id FROM delegates WHERE deleted = 0 AND status = 'active'"
                     " AND group_id IS NOT NULL ORDER BY id LIMIT 1")[0]
    return row["group_id"], row["id"]


def _activity(store, group_id, days_ahead: int) -> str:
    """A group activity planned a month ago (its early steps are late by now)."""
    return store.meetings.create({"kind": "group_activity", "group_id": group_id,
                                  "date": (TODAY + timedelta(days=days_ahead)).isoformat()},
                                 today=TODAY - timedelta(days=30)).created("meetings")[0]


def _steps(store, meeting_id):
    return {s["title"]: s for s in store.meetings.steps(meeting_id, TODAY)}


def test_each_default_step_knows_the_event_it_stands_for():
    assert event_of({"title": "报人大街道工委审核", "phase": "pre"}) == "topic_reviewed"
    assert event_of({"title": "收集商议确定议题", "phase": "pre"}) == "topic_chosen"
    assert event_of({"title": "形成议事纪要", "phase": "in"}) == "minutes"
    assert event_of({"title": "通知参加人员和部门", "phase": "pre"}) == "notice"
    assert event_of({"title": "座谈协商", "phase": "in"}) == "held"
    assert event_of({"title": "实地走访调研", "phase": "pre"}) == "surveyed"
    assert event_of({"title": "协调相关部门参与", "phase": "pre"}) is None  # ticked by hand


def test_the_topic_reviewed_closes_the_review_step_and_its_reminder(demo):
    group, delegate = _group_and_delegate(demo)
    meeting = _activity(demo, group, 10)  # 审核 due 14 days before: already late
    assert _steps(demo, meeting)["报人大街道工委审核"]["state"] == "overdue"
    late = lambda: [s["title"] for s in demo.cadence.attention(TODAY)["steps_overdue"] if s["meeting_id"] == meeting]
    assert "报人大街道工委审核" in late() and "收集商议确定议题" in late()

    opinion = demo.opinions.create({"source": "grid_visit", "received_on": (TODAY - timedelta(days=3)).isoformat(),
                                    "delegate_id": delegate, "title": "楼道堆物", "content": "消防隐患"}
                                   ).created("opinions")[0]
    topic = demo.topics.create({"title": "楼道堆物整治", "group_id": group}, [opinion],
                               day=(TODAY - timedelta(days=2)).isoformat()).created("topics")[0]
    demo.plans.save_and_link(topic, {**demo.plans.defaults(topic), "planned_on": TODAY.isoformat()}, meeting)
    steps = _steps(demo, meeting)
    assert steps["收集商议确定议题"]["state"] == "done" and steps["收集商议确定议题"]["done_by"] == "已确定议题"
    assert steps["报人大街道工委审核"]["state"] == "overdue"  # proposed, not yet reviewed

    day = (TODAY - timedelta(days=1)).isoformat()
    demo.topics.review(topic, True, day, "人大街道工委")
    steps = _steps(demo, meeting)
    assert steps["报人大街道工委审核"]["state"] == "done"
    assert steps["报人大街道工委审核"]["done_on"] == day and steps["报人大街道工委审核"]["done_by"] == "议题已审核"
    assert "报人大街道工委审核" not in late() and "收集商议确定议题" not in late()
    # the list's count of late steps agrees
    row = next(r for r in demo.meetings.page(MeetingFilter(group_id=group), limit=None, today=TODAY)
               if r["id"] == meeting)
    assert row["overdue_steps"] == len(late())


def test_minutes_and_sign_in_close_the_meeting_steps(demo):
    group, _ = _group_and_delegate(demo)
    meeting = _activity(demo, group, -3)
    assert _steps(demo, meeting)["形成议事纪要"]["state"] == "overdue"
    assert _steps(demo, meeting)["座谈协商"]["state"] == "overdue"
    demo.meetings.save_minutes(meeting, "围绕楼道堆物开展座谈", "限期清理", [])
    steps = _steps(demo, meeting)
    assert steps["形成议事纪要"]["state"] == "done" and steps["形成议事纪要"]["done_on"] >= steps["座谈协商"]["due_date"]
    assert steps["座谈协商"]["state"] == "overdue"  # nobody said it was held yet
    member = demo.rows("SELECT id FROM delegates WHERE group_id = ? AND deleted = 0 AND status = 'active' LIMIT 1",
                       [group])[0]["id"]
    demo.attendance.record(meeting, {member: "present"})
    steps = _steps(demo, meeting)
    assert steps["座谈协商"]["state"] == "done" and steps["座谈协商"]["done_on"] == steps["座谈协商"]["due_date"]
    assert steps["实地走访调研"]["state"] == "overdue"  # no survey of the topic recorded: still open
    assert not any(s["meeting_id"] == meeting and s["title"] in ("座谈协商", "形成议事纪要")
                   for s in demo.cadence.attention(TODAY)["steps_overdue"])


def test_a_notice_issued_closes_the_notice_step_and_hand_ticks_still_work(demo):
    meeting = demo.meetings.create({"kind": "special", "date": (TODAY + timedelta(days=3)).isoformat()},
                                   today=TODAY - timedelta(days=30)).created("meetings")[0]  # planned a month ago
    steps = _steps(demo, meeting)
    assert steps["通知参加人员和部门"]["state"] == "overdue"
    demo.issued_docs.give("meeting_notice", meeting, dated_on=TODAY.isoformat(), label="会议通知")
    steps = _steps(demo, meeting)
    assert steps["通知参加人员和部门"]["state"] == "done" and steps["通知参加人员和部门"]["done_by"] == "已发出会议通知"
    # a step with no event of its own is ticked by hand, and a hand tick keeps its own date
    demo.meetings.tick_step(steps["确定议题"]["id"], (TODAY - timedelta(days=2)).isoformat())
    steps = _steps(demo, meeting)
    assert steps["确定议题"]["done_on"] == (TODAY - timedelta(days=2)).isoformat()
    assert steps["确定议题"]["done_by"] is None


def test_follow_up_closes_when_every_action_item_is_done(demo):
    group, _ = _group_and_delegate(demo)
    meeting = _activity(demo, group, -40)  # 督促落实 due 30 days after: late
    demo.meetings.update(meeting, {"status": "held"})
    demo.meetings.save_minutes(meeting, "座谈", "", [{"content": "清理楼道", "unit": "物业"},
                                                     {"content": "张贴告示", "unit": "社区"}])
    assert _steps(demo, meeting)["督促落实"]["state"] == "overdue"
    first, second = (i["id"] for i in demo.meetings.action_items(meeting))
    demo.action_items.record_progress(first, (TODAY - timedelta(days=5)).isoformat(), "已清理", status="done")
    assert _steps(demo, meeting)["督促落实"]["state"] == "overdue"  # one of two done
    demo.action_items.record_progress(second, (TODAY - timedelta(days=2)).isoformat(), "已张贴", status="done")
    step = _steps(demo, meeting)["督促落实"]
    assert step["state"] == "done" and step["done_on"] == (TODAY - timedelta(days=2)).isoformat()
    assert _steps(demo, meeting)["座谈协商"]["state"] == "done"  # held


def test_the_template_says_how_each_step_gets_done(demo):
    from app.services.step_events import closed_when

    said = {s["title"]: closed_when(s) for s in demo.workflows.steps("group_activity")}
    assert said["报人大街道工委审核"] == "自动：议题经工委审核同意时"
    assert said["座谈协商"] == "自动：会议召开或有人签到时" and said["协调相关部门参与"] == "手动登记"
    assert said["实地走访调研"] == "自动：议题登记实地走访调研时"
