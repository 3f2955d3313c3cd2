"""Steps happen in order and never in the future: the opinion chain, meetings and what is recorded
of them, visits, receptions and follow-up — each out-of-order or future date refused through the
service the window and the CLI call, with the reason, and nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.common.errors import AppError
from tests.conftest import digest

TODAY = date.today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def ahead(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def refused(store, match: str, call) -> None:
    before = digest(store)
    with pytest.raises(AppError, match=match):
        call()
    assert digest(store) == before


@pytest.fixture
def opinion(demo):
    delegate = demo.rows("SELECT id FROM delegates WHERE deleted = 0 AND status = 'active' LIMIT 1")[0]
    return demo.opinions.create({"source": "grid_visit", "received_on": ago(30), "delegate_id": delegate["id"],
                                 "title": "小区门口路灯不亮", "residents": 12}).created("opinions")[0]


def test_the_opinion_chain_refuses_every_step_out_of_order_or_ahead(demo, opinion):
    ops = demo.opinions
    refused(demo, "晚于今天", lambda: demo.opinions.create(
        {"source": "phone", "received_on": ahead(1), "title": "明天才收到的意见"}))
    refused(demo, "早于.*收集日期", lambda: ops.report(opinion, day=ago(31)))
    refused(demo, "晚于今天", lambda: ops.report(opinion, day=ahead(1)))
    ops.report(opinion, day=ago(28))
    refused(demo, "交办日期.*早于.*上报组长日期", lambda: ops.assign(opinion, "subdistrict", "街道城管办", 5, day=ago(29)))
    refused(demo, "晚于今天", lambda: ops.assign(opinion, "subdistrict", "街道城管办", 5, day=ahead(2)))
    ops.assign(opinion, "subdistrict", "街道城管办", 5, day=ago(20))
    refused(demo, "督办日期.*早于交办日期", lambda: ops.supervise(opinion, ago(21), "电话", "催办"))
    refused(demo, "晚于今天", lambda: ops.supervise(opinion, ahead(1), "电话", "催办"))
    refused(demo, "退办日期.*早于交办日期", lambda: ops.return_assignment(opinion, "不属本单位", day=ago(25)))
    refused(demo, "延期日期.*早于交办日期", lambda: ops.extend(opinion, 5, "工委主任", day=ago(25)))
    refused(demo, "办结日期.*早于.*交办日期", lambda: ops.answer(opinion, "已修复", day=ago(21)))
    refused(demo, "晚于今天", lambda: ops.answer(opinion, "已修复", day=ahead(3)))
    ops.answer(opinion, "已修复", day=ago(10))
    refused(demo, "反馈代表日期.*早于.*办结日期", lambda: ops.feedback(opinion, "满意", "电话", delegate_on=ago(11)))
    refused(demo, "反馈群众日期.*早于.*办结日期",
            lambda: ops.feedback(opinion, "满意", "电话", delegate_on=ago(5), residents_on=ago(12)))
    refused(demo, "晚于今天", lambda: ops.feedback(opinion, "满意", "电话", delegate_on=ahead(1)))
    ops.feedback(opinion, "满意", "电话", delegate_on=ago(5))
    refused(demo, "归档日期.*早于.*反馈代表日期", lambda: ops.close(opinion, day=ago(6)))
    refused(demo, "晚于今天", lambda: ops.close(opinion, day=ahead(1)))
    refused(demo, "重办日期.*早于反馈代表日期", lambda: ops.reopen(opinion, "群众不满意", day=ago(6)))
    ops.close(opinion, day=ago(4))
    assert ops.get(opinion)["status"] == "closed"


def test_an_opinion_deliberated_at_a_meeting_is_not_assigned_before_it(demo):
    row = demo.rows("""SELECT o.id, m.date FROM opinions o JOIN topics t ON t.id = o.topic_id
                       JOIN meetings m ON m.id = t.meeting_id
                       WHERE o.status = 'deliberated' AND t.status = 'deliberated' AND o.deleted = 0 LIMIT 1""")
    if not row:  # every deliberated opinion of the demo is assigned already: its unit sends one back
        row = demo.rows("""SELECT o.id, m.date FROM opinions o JOIN topics t ON t.id = o.topic_id
                           JOIN meetings m ON m.id = t.meeting_id
                           WHERE o.status = 'assigned' AND t.status = 'deliberated' AND o.deleted = 0 LIMIT 1""")
        demo.opinions.return_assignment(row[0]["id"], "不属于本单位职责")
    day = (date.fromisoformat(row[0]["date"]) - timedelta(days=1)).isoformat()
    refused(demo, "交办日期.*早于集中议事的会议", lambda: demo.opinions.assign(row[0]["id"], "department", "住建", 10, day=day))


def test_a_meeting_is_held_and_recorded_only_once_its_day_has_come(demo):
    group = demo.groups.list()[0]
    future = demo.meetings.create({"kind": "group_activity", "group_id": group["id"], "date": ahead(8),
                                   "start_time": "14:30", "end_time": "17:00"}).created("meetings")[0]
    members = [r["id"] for r in demo.rows("SELECT id FROM delegates WHERE group_id = ? AND deleted = 0", [group["id"]])]
    refused(demo, "在今天之后，不能标为已召开", lambda: demo.meetings.update(future, {"status": "held"}))
    refused(demo, "还没有召开，不能登记出席情况", lambda: demo.attendance.record(future, {members[0]: "present"}))
    refused(demo, "在今天之后，还不能登记会议纪要",
            lambda: demo.meetings.save_minutes(future, "会议概况", "议定事项", []))
    demo.attendance.record(future, {members[0]: "excused"})  # leave asked for ahead of the day is fine
    # a held meeting moved into the future
    held = demo.rows("SELECT id FROM meetings WHERE status = 'held' AND kind = 'group_activity' AND deleted = 0"
                     " LIMIT 1")[0]["id"]
    refused(demo, "在今天之后，不能标为已召开", lambda: demo.meetings.update(held, {"date": ahead(30)}))


def test_visits_receptions_and_follow_up_are_not_in_the_future(demo):
    person = demo.rows("SELECT id FROM delegates WHERE deleted = 0 AND status = 'active' LIMIT 1")[0]["id"]
    grid = demo.delegates.grid_ids(person)[0]
    refused(demo, "晚于今天", lambda: demo.visits.create({"delegate_id": person, "grid_id": grid, "day": ahead(1)}))
    refused(demo, "不能为负数", lambda: demo.visits.create({"delegate_id": person, "grid_id": grid, "day": ago(1),
                                                         "residents_met": -5}))
    planned = demo.rows("SELECT id FROM meetings WHERE kind = 'reception' AND status = 'planned' AND deleted = 0"
                        " AND date > ? LIMIT 1", [TODAY.isoformat()])
    if planned:
        refused(demo, "还没有召开，不能登记接待事项",
                lambda: demo.receptions.save_matters(planned[0]["id"], [{"content": "路灯不亮", "resident": "居民"}]))
    item = demo.rows("SELECT id FROM action_items WHERE status != 'done' AND deleted = 0 LIMIT 1")[0]["id"]
    refused(demo, "晚于今天", lambda: demo.action_items.complete(item, ahead(1)))
