from datetime import date, timedelta
from pathlib import Path

import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.meetings import MeetingFilter
from app.services.opinions import OpinionFilter
from tests.conftest import digest, new_reception_matters

TODAY = date.today().isoformat()


@pytest.fixture
def delegate(demo):
    return demo.rows("SELECT id, group_id FROM delegates WHERE deleted = 0 ORDER BY id LIMIT 1")[0]


def collect(demo, delegate, title="小区门口路灯不亮", content="居民反映夜间出行不便", day=None):
    changes = demo.opinions.create({"source": "grid_visit", "received_on": day or TODAY,
                                  "delegate_id": delegate["id"], "title": title, "content": content,
                                  "residents": 12, "contact": "13812345678"})
    return changes.created("opinions")[0]


def test_the_five_steps_end_to_end(demo, delegate):
    opinion = collect(demo, delegate)
    row = demo.opinions.get(opinion)
    assert row["status"] == "collected" and row["group_id"] == delegate["group_id"]
    assert row["serial"].startswith(f"YJ{TODAY[:4]}-")
    topic = demo.topics.create({"title": "背街小巷路灯", "group_id": delegate["group_id"],
                                "lead_delegate_id": delegate["id"]}, [opinion]).created("topics")[0]
    demo.topics.review(topic, True, TODAY, "工委主任", "同意")
    meeting = demo.meetings.create({"kind": "group_activity", "group_id": delegate["group_id"],
                                    "date": TODAY, "status": "held"}).created("meetings")[0]
    demo.meetings.save_minutes(meeting, "", "", [{"content": "修复路灯", "unit": "街道城管办、供电公司",
                                                  "deadline": (date.today() + timedelta(days=40)).isoformat()}])
    item = demo.meetings.action_items(meeting)[0]["id"]
    demo.topics.deliberate(topic, meeting, item)
    assert demo.opinions.get(opinion)["status"] == "deliberated"
    demo.topics.assign_from_minutes(topic, "subdistrict")
    row = demo.opinions.get(opinion)
    assert row["status"] == "assigned" and row["lead_unit"] == "街道城管办"
    assert row["co_units"] == '["供电公司"]' and row["deadline"] > TODAY
    demo.opinions.supervise(opinion, TODAY, "实地", "已到现场查看", "正在采购灯具")
    demo.opinions.answer(opinion, "已更换 12 盏路灯")
    serial = demo.opinions.get(opinion)["feedback_serial"]
    assert serial.startswith("HZ")
    found = demo.opinions.by_feedback_serial(serial.lower())  # keyed back in from the slip
    assert [o["id"] for o in found] == [opinion]
    demo.opinions.feedback(found[0]["id"], "满意", "当面")
    demo.opinions.close(opinion)
    assert demo.opinions.get(opinion)["status"] == "closed"
    kinds = [e["kind"] for e in demo.opinions.timeline(opinion)]
    assert kinds[0] == "collect" and "supervise" in kinds and kinds[-1] == "close"
    audited = demo.rows("SELECT summary FROM audit WHERE summary LIKE '%路灯%'")
    assert len(audited) >= 8


@pytest.mark.parametrize("action, message", [
    (lambda s, o: s.opinions.feedback(o, "满意", "当面"), "不能反馈"),
    (lambda s, o: s.opinions.close(o), "不能办结归档"),
    (lambda s, o: s.opinions.answer(o, "办好了"), "不能登记办理结果"),
    (lambda s, o: s.opinions.supervise(o, TODAY, "电话", "催办"), "不能登记督办"),
    (lambda s, o: s.opinions.return_assignment(o, "不归我们管"), "不能退办"),
    (lambda s, o: s.opinions.reopen(o, "不满意"), "不能重办"),
])
def test_illegal_jumps_are_refused_and_change_nothing(demo, delegate, action, message):
    opinion = collect(demo, delegate)
    before = digest(demo)
    with pytest.raises(ConflictError, match=message):
        action(demo, opinion)
    assert digest(demo) == before


def test_closing_needs_feedback_and_dissatisfaction_reopens(demo, delegate):
    opinion = collect(demo, delegate)
    demo.opinions.assign(opinion, "department", "住建", 10)
    demo.opinions.answer(opinion, "已答复")
    with pytest.raises(ConflictError, match="反馈"):
        demo.opinions.close(opinion)
    demo.opinions.feedback(opinion, "不满意", "电话")
    with pytest.raises(ConflictError, match="不满意"):
        demo.opinions.close(opinion)
    demo.opinions.reopen(opinion, "群众认为没有解决", 5)
    row = demo.opinions.get(opinion)
    assert row["status"] == "assigned" and row["satisfaction"] is None


def test_return_and_reassign_and_extend(demo, delegate):
    opinion = collect(demo, delegate, day="2026-09-20")
    demo.opinions.assign(opinion, "department", "公安", 10, day="2026-09-25")
    # 10 working days across National Day 2026 (1-7 Oct off, Saturday 10 Oct worked)
    assert demo.opinions.get(opinion)["deadline"] == "2026-10-15"
    demo.opinions.return_assignment(opinion, "属于城管职责", day="2026-09-27")
    demo.opinions.assign(opinion, "department", "城管", 10, day="2026-09-28")
    with pytest.raises(ValidationError, match="批准人"):
        demo.opinions.extend(opinion, 5, "")
    demo.opinions.extend(opinion, 5, "工委主任", "需协调资金", day="2026-10-10")
    row = demo.opinions.get(opinion)
    assert row["lead_unit"] == "城管" and row["deadline"] > "2026-10-15"
    kinds = [e["kind"] for e in demo.opinions.timeline(opinion)]
    assert kinds.count("assign") == 2 and "return" in kinds and "extend" in kinds


def test_an_opinion_whose_stored_deadline_is_not_a_date_is_not_extended(demo, delegate):
    # written around the program (交办 always sets a deadline): refused with a message, not a crash
    opinion = collect(demo, delegate, day="2026-09-20")
    demo.opinions.assign(opinion, "department", "公安", 10, day="2026-09-25")
    with demo.db.conn:
        demo.db.execute("UPDATE opinions SET deadline = NULL WHERE id = ?", [opinion])
    with pytest.raises(ConflictError, match="办理期限"):
        demo.opinions.extend(opinion, 5, "工委主任", day="2026-10-10")

def test_declined_opinions_still_get_feedback(demo, delegate):
    opinion = collect(demo, delegate)
    with pytest.raises(ValidationError, match="理由"):
        demo.opinions.decline(opinion, " ")
    demo.opinions.decline(opinion, "属于私人纠纷，已引导通过调解解决")
    demo.opinions.feedback(opinion, "基本满意", "电话")
    demo.opinions.close(opinion)
    assert demo.opinions.get(opinion)["status"] == "closed"


def test_overdue_and_due_soon(demo, delegate):
    opinion = collect(demo, delegate, "测试逾期事项", day="2026-01-05")
    demo.opinions.assign(opinion, "self_governance", "文昌社区", 5, day="2026-01-05")
    rows = demo.opinions.page(OpinionFilter(overdue=True), today=date(2026, 3, 1), limit=None)
    mine = next(r for r in rows if r["id"] == opinion)
    assert mine["flag"] == "已逾期"
    soon = demo.opinions.page(OpinionFilter(search="测试逾期事项"), today=date(2026, 1, 9))[0]
    assert soon["id"] == opinion and soon["flag"] == "即将到期"


def test_search_by_substring_and_pinyin_initials(demo, delegate):
    opinion = collect(demo, delegate, "增设公交线路", "万达广场片区到永川中学文昌校区")
    for query in ("公交", "文昌校区", "gj", "gjxl", "wdgc"):
        ids = [r["id"] for r in demo.opinions.page(OpinionFilter(search=query), limit=None)]
        assert opinion in ids, query
    assert demo.opinions.count(OpinionFilter(search="不存在的事")) == 0
    demo.opinions.update(opinion, {"title": "增设定制班车"})
    assert opinion not in [r["id"] for r in demo.opinions.page(OpinionFilter(search="公交线路"), limit=None)]


def test_bad_intake_is_refused(demo, delegate):
    before = digest(demo)
    for values, message in (({"source": "grid_visit", "received_on": "2026-02-30", "title": "x"}, "有效日期"),
                            ({"source": "grid_visit", "received_on": TODAY}, "事项"),
                            ({"source": "rumour", "received_on": TODAY, "title": "x"}, "来源"),
                            ({"source": "phone", "received_on": "2999-01-01", "title": "x"}, "晚于今天")):
        with pytest.raises(ValidationError, match=message):
            demo.opinions.create(values)
    assert digest(demo) == before


def test_reception_matters_and_action_items_arrive_linked(demo):
    new_reception_matters(demo, "雨天路面积水")
    pending = demo.opinions.pending_intake()
    matter = next(p for p in pending if p["origin_table"] == "reception_matters")
    changes = demo.opinions.intake("reception_matters", matter["id"])
    row = demo.opinions.get(changes.created("opinions")[0])
    assert row["source"] == "reception" and row["origin_id"] == matter["id"] and row["delegate_id"]
    with pytest.raises(ConflictError, match="已经登记"):
        demo.opinions.intake("reception_matters", matter["id"])
    assert matter["id"] not in [p["id"] for p in demo.opinions.pending_intake()]


def test_merging_is_reversible(demo, delegate):
    a, b = collect(demo, delegate, "电梯故障"), collect(demo, delegate, "电梯经常停运")
    topic = demo.topics.create({"title": "老旧电梯", "group_id": delegate["group_id"]}, [a, b]).created("topics")[0]
    assert len(demo.topics.opinions(topic)) == 2
    demo.topics.remove_opinion(b)
    assert demo.opinions.get(b)["status"] == "collected" and len(demo.topics.opinions(topic)) == 1
    with pytest.raises(ConflictError, match="审核同意"):
        demo.topics.deliberate(topic, demo.meetings.page(MeetingFilter())[0]["id"])


def test_supervision_records_are_append_only(demo, delegate):
    opinion = collect(demo, delegate)
    demo.opinions.assign(opinion, "department", "住建", 10)
    record = demo.opinions.supervise(opinion, TODAY, "电话", "催办").created("supervisions")[0]
    with pytest.raises(RuntimeError, match="append-only"):
        with demo.write("update", "篡改") as tx:
            tx.update("supervisions", record, {"content": "改掉"})


def test_duty_record(demo, delegate):
    collect(demo, delegate)  # an opinion is not a visit: the visit log counts visits
    before = demo.duty_records.get(delegate["id"])
    grid = demo.delegates.grid_ids(delegate["id"])[0]
    demo.visits.create({"delegate_id": delegate["id"], "grid_id": grid, "day": TODAY})
    record = demo.duty_records.get(delegate["id"])
    assert record["opinions"] and record["grid_visits"] == before["grid_visits"] + 1
    assert record["plenary"] + record["group_activity"] + record["reception"] >= 1


def test_photos_are_kept_with_the_opinion(demo, delegate, tmp_path):
    opinion = collect(demo, delegate)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8jpeg" * 100)
    demo.opinions.add_file(opinion, photo)
    photo.unlink()
    files = demo.opinions.files(opinion)
    assert files[0]["title"] == "现场照片" and Path(files[0]["path"]).exists()
    demo.opinions.remove_file(files[0]["id"])
    assert demo.opinions.files(opinion) == []


def test_undo_of_a_transition_keeps_the_history(demo, delegate):
    opinion = collect(demo, delegate)
    changes = demo.opinions.assign(opinion, "department", "住建", 10)
    demo.undo(changes, "交办")
    row = demo.opinions.get(opinion)
    assert row["status"] == "collected" and row["lead_unit"] is None
    kinds = [e["kind"] for e in demo.opinions.timeline(opinion)]
    assert kinds == ["collect", "assign", "undo"]  # the assignment stays on record, withdrawn
    demo.opinions.assign(opinion, "department", "城管", 10)
    assert demo.opinions.get(opinion)["lead_unit"] == "城管"


def test_an_office_code_goes_into_new_numbers_and_bad_codes_are_refused(demo, delegate):
    before = demo.opinions.get(collect(demo, delegate))["serial"]
    for bad in ("12", "C-Z", "ABCDE", "城"):
        with pytest.raises(ValidationError, match="办公室代码"):
            demo.settings.update({"serial_code": bad})
    demo.settings.update({"serial_code": "cz"})
    assert demo.settings.get("serial_code") == "CZ"
    assert demo.opinions.get(collect(demo, delegate))["serial"] == f"YJ{TODAY[:4]}-CZ-0001"
    assert demo.opinions.get(collect(demo, delegate))["serial"] == f"YJ{TODAY[:4]}-CZ-0002"
    demo.settings.update({"serial_code": ""})  # back to the plain series, which carries on
    number = int(before.rsplit("-", 1)[1]) + 1
    assert demo.opinions.get(collect(demo, delegate))["serial"] == f"YJ{TODAY[:4]}-{number:04d}"


def test_several_matters_taken_in_at_once_are_one_undoable_edit(demo):
    new_reception_matters(demo, "雨天路面积水", "垃圾清运不及时", "快递柜设置不合理")
    pending = demo.opinions.pending_intake()[:3]
    before = demo.opinions.count()
    changes = demo.opinions.intake_many([(p["origin_table"], p["id"]) for p in pending])
    assert len(changes.created("opinions")) == 3 and demo.opinions.count() == before + 3
    demo.undo(changes, "从接待日、会议导入 3 条")
    assert demo.opinions.count() == before
    assert len(demo.opinions.pending_intake()) >= 3  # they wait to be taken in again


def test_the_step_table_offers_what_the_service_allows(demo, delegate):
    """The window enables what `next_steps` names; each action refused by the service is one it
    does not name (the key-item flag included, which once checked no status)."""
    opinion = collect(demo, delegate)
    assert demo.opinions.detail(opinion)["next_steps"] == ["report", "to_topic", "decline", "assign"]
    demo.opinions.report(opinion)
    assert demo.opinions.detail(opinion)["next_steps"] == ["to_topic", "decline", "assign"]  # reported once
    with pytest.raises(ConflictError, match="不能列为重点督办"):
        demo.opinions.set_key(opinion, True)
    demo.opinions.assign(opinion, "subdistrict", "街道城管办", 5)
    steps = demo.opinions.detail(opinion)["next_steps"]
    assert {"supervise", "return", "extend", "key", "answer", "print_assignment"} == set(steps)
    demo.opinions.set_key(opinion, True)
    demo.opinions.answer(opinion, "已修复路灯")
    steps = demo.opinions.detail(opinion)["next_steps"]
    assert "key" in steps  # still flagged: lifting it stays possible
    demo.opinions.set_key(opinion, False)
    assert "key" not in demo.opinions.detail(opinion)["next_steps"]
    demo.opinions.feedback(opinion, "不满意", "当面")
    assert "close" not in demo.opinions.detail(opinion)["next_steps"]  # 不满意: reopen first
    with pytest.raises(ConflictError):
        demo.opinions.close(opinion)


# The five-step table, cell by cell: what each status of an assigned opinion may do next. A
# one-word change to the table (an answer after 退办 before it is reassigned, a close before
# feedback) changes one of these cells.
STEP_TABLE = {
    "collected": ["report", "to_topic", "decline", "assign"],
    "topic": ["untopic", "decline", "assign"],
    "deliberated": ["assign"],
    "assigned": ["supervise", "return", "extend", "key", "answer", "print_assignment"],
    "returned": ["assign", "supervise", "key", "print_assignment"],
    "answered": ["supervise", "feedback", "print_assignment", "print_feedback"],
    "declined": ["feedback"],
    "fed_back": ["feedback", "close", "reopen", "print_assignment", "print_feedback"],
    "closed": ["reopen", "print_assignment", "print_feedback"],
    "merged": [],
}


@pytest.mark.parametrize("status", sorted(STEP_TABLE))
def test_the_step_table_cell_by_cell(status):
    from app.rules.codes import OPINION_STATUSES
    from app.services.opinions import next_steps

    assert {code for code, _ in OPINION_STATUSES} <= set(STEP_TABLE)  # every status has its row
    assert next_steps({"status": status, "lead_unit": "街道城管办"}) == STEP_TABLE[status]


@pytest.mark.parametrize("action", [
    lambda s, o: s.opinions.answer(o, "办好了"),
    lambda s, o: s.opinions.feedback(o, "满意", "当面"),
    lambda s, o: s.opinions.close(o),
    lambda s, o: s.opinions.extend(o, 5, "工委主任", "需协调"),
])
def test_a_returned_opinion_is_reassigned_before_anything_is_done_with_it(demo, delegate, action):
    opinion = collect(demo, delegate)
    demo.opinions.assign(opinion, "department", "公安", 10)
    demo.opinions.return_assignment(opinion, "属于城管职责")
    before = digest(demo)
    with pytest.raises(ConflictError):
        action(demo, opinion)
    assert digest(demo) == before and demo.opinions.get(opinion)["status"] == "returned"
