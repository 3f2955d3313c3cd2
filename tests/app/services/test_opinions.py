from datetime import date, timedelta
from pathlib import Path

import pytest

from app.common.errors import ConflictError, NotFoundError, ValidationError
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
    venue = demo.rows("SELECT v.community_id FROM venues v JOIN meetings m ON m.venue_id = v.id"
                      " JOIN reception_matters r ON r.meeting_id = m.id WHERE r.id = ?", [matter["id"]])[0]
    assert row["community_id"] == venue["community_id"]  # where the matter was heard
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
    from app.services.opinion_steps import next_steps

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


# -- what the clerk reads back: the audit trail, the timeline, the refusals -------------------

def _last_audit(store) -> tuple[str, str]:
    row = store.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    return row["action"], row["summary"]


def test_each_step_leaves_its_audit_entry_and_timeline_line(demo, delegate):
    o = demo.opinions
    names = demo.rows("SELECT d.name, g.name AS grp FROM delegates d JOIN groups g ON g.id = d.group_id WHERE d.id = ?",
                      [delegate["id"]])[0]
    leader = o.leader_of(delegate["group_id"])
    opinion = o.create({"source": "phone", "received_on": "2026-09-01", "delegate_id": delegate["id"],
                        "title": "路灯不亮"}).created("opinions")[0]
    assert _last_audit(demo) == ("create", "登记意见建议：路灯不亮")
    serial = o.get(opinion)["serial"]
    assert serial.startswith("YJ2026-")  # numbered in the year it was received
    o.update(opinion, {"title": "路灯坏了", "serial": "YJ1999-0001"})  # only the form's fields are taken
    assert _last_audit(demo) == ("update", "修改意见建议：路灯不亮")
    assert o.get(opinion)["serial"] == serial
    o.report(opinion, day="2026-09-02")
    assert _last_audit(demo) == ("update", "上报组长：路灯坏了")
    assert (o.get(opinion)["reported_on"], o.get(opinion)["reported_to"]) == ("2026-09-02", leader["id"])
    o.set_scores(opinion, 3, 4)
    assert _last_audit(demo) == ("update", "意见筛选评分：路灯坏了")
    assert (o.get(opinion)["urgency"], o.get(opinion)["feasibility"]) == (3, 4)
    o.assign(opinion, "department", " 住建 ", 10, co_units=["城管", "住建", " "], day="2026-09-03")
    assert _last_audit(demo) == ("update", "交办：路灯坏了 → 住建")
    row = o.get(opinion)
    assert (row["lead_unit"], row["co_units"], row["assigned_on"], row["working_days"], row["key_supervision"]) == \
        ("住建", '["城管"]', "2026-09-03", 10, 0)
    o.return_assignment(opinion, "不归我们", day="2026-09-04")
    assert _last_audit(demo) == ("update", "退办：路灯坏了（住建）")
    o.assign(opinion, "subdistrict", "城管", "10", day="2026-09-05", key=True)
    assert _last_audit(demo) == ("update", "交办：路灯坏了 → 城管")
    assert (o.get(opinion)["co_units"], o.get(opinion)["key_supervision"]) == (None, 1)
    o.extend(opinion, 5, "主任", "资金", day="2026-09-06")
    assert _last_audit(demo) == ("update", "延期：路灯坏了 至 2026-09-24")
    o.set_key(opinion, False)
    assert _last_audit(demo) == ("update", "取消重点督办：路灯坏了") and o.get(opinion)["key_supervision"] == 0
    o.set_key(opinion, True)
    assert _last_audit(demo) == ("update", "列为重点督办：路灯坏了") and o.get(opinion)["key_supervision"] == 1
    o.supervise(opinion, "2026-09-07", "电话", "催办", "采购中")
    assert _last_audit(demo) == ("create", "督办：路灯坏了（电话）")
    taken = {r["feedback_serial"] for r in demo.rows(
        "SELECT feedback_serial FROM opinions WHERE feedback_serial LIKE 'HZ2026-%'")}
    slip = f"HZ2026-{len(taken) + 1:04d}"  # the next 反馈单 number of the year
    o.answer(opinion, "修好了", day="2026-09-08")
    assert _last_audit(demo) == ("update", "办结：路灯坏了")
    row = o.get(opinion)
    assert (row["status"], row["result"], row["answered_on"], row["feedback_serial"]) == \
        ("answered", "修好了", "2026-09-08", slip)
    o.feedback(opinion, "不满意", "电话", "2026-09-09", "2026-09-10")
    assert _last_audit(demo) == ("update", "反馈：路灯坏了（不满意）")
    row = o.get(opinion)
    assert (row["satisfaction"], row["feedback_method"], row["feedback_delegate_on"], row["feedback_residents_on"],
            row["feedback_serial"]) == ("不满意", "电话", "2026-09-09", "2026-09-10", slip)
    o.reopen(opinion, "没修好", 5, day="2026-09-11")
    assert _last_audit(demo) == ("update", "重办：路灯坏了")
    row = o.get(opinion)
    assert (row["status"], row["deadline"], row["result"], row["answered_on"], row["feedback_method"],
            row["feedback_delegate_on"], row["feedback_residents_on"]) == ("assigned", "2026-09-18", None, None, None,
                                                                           None, None)
    o.answer(opinion, "换了新灯", day="2026-09-14")
    assert o.get(opinion)["feedback_serial"] == slip  # the slip keeps its number
    o.feedback(opinion, "满意", "当面", "2026-09-15")
    o.close(opinion, "2026-09-16")
    assert _last_audit(demo) == ("update", "办结归档：路灯坏了")
    assert (o.get(opinion)["status"], o.get(opinion)["closed_on"]) == ("closed", "2026-09-16")

    lines = [(e["day"], e["label"], e["text"]) for e in o.timeline(opinion) if e["kind"] != "key"]
    assert lines == [
        ("2026-09-01", "收集", "电话"),
        ("2026-09-02", "上报组长", f"{names['name']}上报{names['grp']}组长{leader['name']}"),
        ("2026-09-03", "交办", "部门职责事项：主办 住建，协办 城管；10 个工作日，期限 2026-09-17"),
        ("2026-09-04", "退办", "住建 退回：不归我们"),
        ("2026-09-05", "交办", "街道职责事项：主办 城管；10 个工作日，期限 2026-09-18"),
        ("2026-09-06", "延期", "期限由 2026-09-18 延至 2026-09-24（主任 批准）：资金"),
        ("2026-09-07", "督办（电话）", "催办；进展：采购中"),
        ("2026-09-08", "办结", f"修好了；{slip}"),
        ("2026-09-09", "反馈", "不满意（电话）"),
        ("2026-09-11", "重办", "没修好；新期限 2026-09-18"),
        ("2026-09-14", "办结", f"换了新灯；{slip}"),
        ("2026-09-15", "反馈", "满意（当面）"),
        ("2026-09-16", "归档", ""),
    ]
    keys = [(e["day"], e["text"]) for e in o.timeline(opinion) if e["kind"] == "key"]
    assert keys == [(TODAY, "取消重点督办"), (TODAY, "列为重点督办")]  # the day the flag was changed
    assert [s["content"] for s in o.supervisions(opinion)] == ["催办"]


def test_a_declined_opinion_keeps_its_reason_and_files_keep_their_titles(demo, delegate, tmp_path):
    o = demo.opinions
    opinion = collect(demo, delegate, "占道经营", day="2026-09-01")
    o.decline(opinion, " 属于市场监管 ", day="2026-09-02")
    assert _last_audit(demo) == ("update", "不予采纳：占道经营")
    row = o.get(opinion)
    assert (row["status"], row["decline_reason"], row["topic_id"]) == ("declined", "属于市场监管", None)
    assert [(e["day"], e["text"]) for e in o.timeline(opinion)][-1] == ("2026-09-02", "属于市场监管")
    o.feedback(opinion, "基本满意", "书面")
    assert o.get(opinion)["feedback_serial"].startswith(f"HZ{TODAY[:4]}-")  # its slip is numbered at feedback
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8jpeg" * 10)
    o.add_file(opinion, photo, " 占道照片 ")
    assert _last_audit(demo) == ("create", "添加附件：占道照片（占道经营）")
    o.add_file(opinion, photo)
    files = o.files(opinion)
    assert [f["title"] for f in files] == ["占道照片", "现场"]  # by title
    removed = o.remove_file(files[0]["id"])
    assert _last_audit(demo) == ("delete", "删除附件：占道照片")
    assert removed.tables == {"opinion_files"}  # the windows showing files are told
    with pytest.raises(NotFoundError, match="^找不到这个附件$"):
        o.remove_file(files[0]["id"])
    assert [f["title"] for f in o.files(opinion)] == ["现场"]


def _refusal(call, kind, message, field):
    with pytest.raises(kind) as refused:
        call()
    assert (refused.value.message, refused.value.field) == (message, field)


def test_refusals_name_the_field_and_say_why(demo, delegate):
    o = demo.opinions
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    opinion = collect(demo, delegate, "井盖破损", day="2026-09-01")
    before = digest(demo)
    _refusal(lambda: o.report(opinion, day=tomorrow), ValidationError, f"上报日期 {tomorrow} 晚于今天", "day")
    _refusal(lambda: o.report(opinion, day="2026-08-31"), ValidationError,
             "上报日期 2026-08-31 早于“井盖破损”的收集日期 2026-09-01", "day")
    _refusal(lambda: o.decline(opinion, " "), ValidationError, "请写明不予采纳的理由，它将反馈给群众", "decline_reason")
    _refusal(lambda: o.decline(opinion, "无理", day="2026-08-31"), ValidationError,
             "不予采纳日期 2026-08-31 早于收集日期 2026-09-01", "day")
    _refusal(lambda: o.decline(opinion, "无理", day=tomorrow), ValidationError, f"不予采纳日期 {tomorrow} 晚于今天", "day")
    _refusal(lambda: o.assign(opinion, "other", "住建"), ValidationError,
             "请选择事项类别（社区自治 / 街道职责 / 部门职责）", "category")
    _refusal(lambda: o.assign(opinion, "department", " "), ValidationError, "请选择主办单位", "lead_unit")
    _refusal(lambda: o.assign(opinion, "department", "住建", "十"), ValidationError, "办理期限应为工作日天数",
             "working_days")
    _refusal(lambda: o.set_scores(opinion, 6, None), ValidationError, "紧迫性评分应为 1—5 分", None)
    _refusal(lambda: o.set_scores(opinion, None, 0), ValidationError, "可行性评分应为 1—5 分", None)
    _refusal(lambda: o.set_key(opinion, True), ConflictError, "这条意见现在是“已收集”，不能列为重点督办。", None)
    _refusal(lambda: o.create({"source": "phone", "received_on": TODAY, "title": "x", "grid_id": "no-such-grid"}),
             ValidationError, "所选网格不存在或已删除", "grid_id")
    _refusal(lambda: o.create({"source": "phone", "received_on": tomorrow, "title": "x"}),
             ValidationError, "收集日期不能晚于今天", "received_on")
    assert digest(demo) == before

    o.assign(opinion, "department", "住建", 10, day="2026-09-03")
    before = digest(demo)
    _refusal(lambda: o.return_assignment(opinion, ""), ValidationError, "请写明退办理由", "reason")
    _refusal(lambda: o.return_assignment(opinion, "不归我们", day="2026-09-02"), ValidationError,
             "退办日期 2026-09-02 早于交办日期 2026-09-03", "day")
    _refusal(lambda: o.extend(opinion, 5, " "), ValidationError, "延期须经批准，请填写批准人", "approved_by")
    _refusal(lambda: o.extend(opinion, 5, "主任", day="2026-09-02"), ValidationError,
             "延期日期 2026-09-02 早于交办日期 2026-09-03", "day")
    _refusal(lambda: o.supervise(opinion, "2026-09-02", "电话", "催办"), ValidationError,
             "督办日期 2026-09-02 早于交办日期 2026-09-03", "day")
    _refusal(lambda: o.supervise(opinion, "2026-09-04", "短信", "催办"), ValidationError,
             "督办方式应为电话、实地、函件、会议之一", "method")
    _refusal(lambda: o.supervise(opinion, "2026-09-04", "电话", " "), ValidationError, "请填写督办情况", "content")
    _refusal(lambda: o.answer(opinion, " "), ValidationError, "请填写办理结果", "result")
    _refusal(lambda: o.feedback(opinion, "满意", "当面"), ConflictError,
             "这条意见还没有办理结果（或不予采纳的决定），不能反馈。请先交办并登记办理结果。", None)
    assert digest(demo) == before

    o.answer(opinion, "已修复", day="2026-09-05")
    before = digest(demo)
    _refusal(lambda: o.feedback(opinion, "很好", "当面"), ValidationError, "满意度应为满意、基本满意、不满意、未表态之一",
             "satisfaction")
    _refusal(lambda: o.feedback(opinion, "满意", "微信"), ValidationError, "反馈方式应为当面、电话、书面、公示之一", "method")
    _refusal(lambda: o.feedback(opinion, "满意", "当面", "2026-09-06", "2026-02-30"), ValidationError,
             "反馈群众日期“2026-02-30”不是有效日期（格式：2025-06-18）", "residents_on")
    _refusal(lambda: o.close(opinion), ConflictError, "还没有向代表和群众反馈结果，不能办结归档（件件有回音）。", None)
    assert digest(demo) == before
    o.feedback(opinion, "不满意", "当面", "2026-09-06")
    before = digest(demo)
    _refusal(lambda: o.close(opinion), ConflictError, "群众不满意，请先重办，或与群众沟通后重新反馈。", None)
    _refusal(lambda: o.reopen(opinion, " "), ValidationError, "请写明重办理由", "reason")
    _refusal(lambda: o.reopen(opinion, "没修好", day="2026-09-05"), ValidationError,
             "重办日期 2026-09-05 早于反馈代表日期 2026-09-06", "day")
    assert digest(demo) == before


def test_reporting_several_at_once_or_to_another_leader(demo, delegate):
    o = demo.opinions
    a = collect(demo, delegate, "甲事", day="2026-09-01")
    b = collect(demo, delegate, "乙事", day="2026-09-01")
    o.report([a, b, a], day="2026-09-02")  # each once
    assert _last_audit(demo) == ("update", "上报组长：甲事等 2 条")
    assert [e["kind"] for e in o.timeline(a)].count("report") == 1
    _refusal(lambda: o.report(a), ConflictError, "“甲事”已于 2026-09-02 上报组长", None)
    other = demo.rows("SELECT id, name FROM delegates WHERE deleted = 0 AND group_id != ? ORDER BY id LIMIT 1",
                      [delegate["group_id"]])[0]
    c = collect(demo, delegate, "丙事", day="2026-09-01")
    o.report(c, leader_id=other["id"])  # today
    row = o.get(c)
    assert (row["reported_on"], row["reported_to"]) == (TODAY, other["id"])
    assert o.detail(c)["reported_to_name"] == other["name"]
    assert o.timeline(c)[-1]["text"].endswith(f"组长{other['name']}")
    leader = o.leader_of(delegate["group_id"])
    demo.delegates.update(leader["id"], {"group_role": "member"})
    assert o.leader_of(delegate["group_id"]) is None
    d = collect(demo, delegate, "丁事")
    _refusal(lambda: o.report(d), ValidationError,
             "“丁事”所在的议事小组还没有组长：请先在“代表”中指定组长，或选择上报给谁", "leader_id")


def test_where_an_opinion_is_and_who_collected_it_fill_each_other_in(demo):
    o = demo.opinions
    grid = demo.rows("SELECT g.id, g.community_id, c.group_id FROM grids g JOIN communities c ON c.id = g.community_id"
                     " WHERE g.deleted = 0 AND c.group_id IS NOT NULL ORDER BY g.id LIMIT 1")[0]
    by_grid = o.create({"source": "grid_visit", "received_on": TODAY, "title": "网格事",
                        "grid_id": grid["id"]}).created("opinions")[0]
    row = o.get(by_grid)
    assert (row["community_id"], row["group_id"]) == (grid["community_id"], grid["group_id"])
    assert o.detail(by_grid)["grid_name"] == demo.scalar("SELECT name FROM grids WHERE id = ?", [grid["id"]])
    other = demo.rows("SELECT id, group_id FROM communities WHERE id != ? AND group_id IS NOT NULL"
                      " AND group_id != ? ORDER BY id LIMIT 1", [grid["community_id"], grid["group_id"]])[0]
    by_community = o.create({"source": "letter", "received_on": TODAY, "title": "来信事",
                             "community_id": other["id"]}).created("opinions")[0]
    assert o.get(by_community)["group_id"] == other["group_id"]
    person = demo.rows("SELECT id, community_id, group_id FROM delegates WHERE deleted = 0 AND community_id != ?"
                       " AND group_id IS NOT NULL ORDER BY id LIMIT 1", [other["id"]])[0]
    # the community the clerk chose stays; the group is the delegate's
    mixed = o.create({"source": "phone", "received_on": TODAY, "title": "代表转来", "community_id": other["id"],
                      "delegate_id": person["id"]}).created("opinions")[0]
    assert (o.get(mixed)["community_id"], o.get(mixed)["group_id"]) == (other["id"], person["group_id"])
    plain = o.create({"source": "phone", "received_on": TODAY, "title": "代表", "delegate_id": person["id"]})
    row = o.get(plain.created("opinions")[0])
    assert (row["community_id"], row["group_id"]) == (person["community_id"], person["group_id"])
    # editing the delegate later moves the group, the community stays as entered
    o.update(by_grid, {"delegate_id": person["id"]})
    assert (o.get(by_grid)["community_id"], o.get(by_grid)["group_id"]) == (grid["community_id"], person["group_id"])


def test_a_ledger_row_says_where_the_opinion_stands(demo):
    o = demo.opinions

    def shown(today, **values):
        row = {"status": "assigned", "source": "phone", "category": None, "co_units": None, "contact": None,
               "deadline": None, "answered_on": None, **values}
        o.decorate(row, today)
        return row

    row = shown(date(2026, 9, 11), category="department", co_units='["城管", "公安"]', contact="13812345678",
                deadline="2026-09-10")
    assert {k: row[k] for k in ("status_label", "source_label", "category_label", "step", "step_label",
                                "co_units_list", "contact_masked", "overdue", "due_soon", "feedback_due",
                                "feedback_overdue", "flag")} == {
        "status_label": "办理中", "source_label": "电话", "category_label": "部门职责事项", "step": 4,
        "step_label": "办理监督", "co_units_list": ["城管", "公安"], "contact_masked": "138****5678",
        "overdue": True, "due_soon": False, "feedback_due": None, "feedback_overdue": False, "flag": "已逾期"}
    assert shown(date(2026, 9, 11), status="collected")["step_label"] == "收集意见"
    assert (shown(date(2026, 9, 11))["category_label"], shown(date(2026, 9, 11))["flag"]) == ("", "")
    odd = shown(date(2026, 9, 11), status="merged")
    assert odd["step"] == 0 and odd["step_label"] == odd["status_label"] and "merged" in odd["status_label"]
    # contacts: an ID number keeps its region code, a phone three and four digits, a short one stays
    assert shown(date(2026, 9, 11), contact="500118198005010012")["contact_masked"] == "500118********0012"
    assert shown(date(2026, 9, 11), contact="02345678")["contact_masked"] == "023****5678"
    assert shown(date(2026, 9, 11), contact="023-45678901")["contact_masked"] == "023-45**8901"  # longer: as an ID
    assert shown(date(2026, 9, 11), contact="4567890")["contact_masked"] == "4567890"
    assert shown(date(2026, 9, 11), contact=12345)["contact_masked"] == ""  # not text: nothing to show

    # due soon: within three working days and a week
    monday = date(2026, 9, 7)
    assert shown(monday, deadline="2026-09-07")["overdue"] is False  # due today is not late yet
    assert shown(monday, deadline="2026-09-07")["flag"] == "即将到期"
    assert shown(monday, deadline="2026-09-10")["due_soon"] is True  # Thursday: three working days
    assert shown(monday, deadline="2026-09-11")["due_soon"] is False  # Friday: four
    assert shown(date(2026, 10, 1), deadline="2026-10-08")["due_soon"] is True  # a week of holiday, one working day
    assert shown(date(2026, 9, 30), deadline="2026-10-08")["due_soon"] is False  # more than a week away
    assert shown(monday, status="returned", deadline="2026-09-08")["due_soon"] is True
    assert shown(monday, status="answered", deadline="2026-09-01")["overdue"] is False  # answered: not late
    assert shown(monday, status="answered", deadline="2026-09-08")["due_soon"] is False

    # feedback due five working days after the answer
    answered = {"status": "answered", "answered_on": "2026-09-04", "deadline": "2026-09-30"}
    assert (shown(date(2026, 9, 11), **answered)["feedback_due"], shown(date(2026, 9, 11), **answered)["flag"]) == \
        ("2026-09-11", "")
    late = shown(date(2026, 9, 14), **answered)
    assert (late["feedback_overdue"], late["flag"], late["overdue"]) == (True, "反馈逾期", False)
    assert shown(date(2026, 9, 14), **{**answered, "status": "fed_back"})["feedback_due"] is None
    assert shown(date(2026, 9, 14), **{**answered, "answered_on": None})["feedback_due"] is None


def test_the_feedback_deadline_follows_the_setting(demo, delegate):
    o = demo.opinions
    assert o.feedback_days() == 5
    assert o.feedback_cutoff(date(2026, 9, 14)) == "2026-09-06"  # answered on the 7th: due on the 14th, not late
    demo.settings.update({"feedback_working_days": "1"})
    assert o.feedback_days() == 1
    assert o.feedback_cutoff(date(2026, 9, 14)) == "2026-09-10"  # Thursday's answer was due on Friday
    opinion = collect(demo, delegate, "反馈时限测试", day="2026-09-01")
    o.assign(opinion, "department", "住建", 5, day="2026-09-02")
    o.answer(opinion, "已办", day="2026-09-10")
    assert o.detail(opinion, today=date(2026, 9, 14))["feedback_due"] == "2026-09-11"
    late = o.feedback_overdue(date(2026, 9, 14), limit=100)
    assert opinion in [r["id"] for r in late] and all(r["feedback_overdue"] for r in late)
    assert [r["answered_on"] for r in late] == sorted(r["answered_on"] for r in late)
    assert len(o.feedback_overdue(date(2026, 9, 14), limit=1)) == 1
    assert opinion not in [r["id"] for r in o.feedback_overdue(date(2026, 9, 11))]
    flagged = o.page(OpinionFilter(overdue=True), today=date(2026, 9, 14), limit=None)
    assert opinion in [r["id"] for r in flagged]
    assert opinion not in [r["id"] for r in o.page(OpinionFilter(overdue=True), today=date(2026, 9, 11), limit=None)]


def test_the_detail_names_what_the_opinion_is_linked_to(demo):
    o = demo.opinions
    planned = demo.rows("SELECT o.id, o.topic_id, p.id AS plan_id, t.title FROM opinions o"
                        " JOIN topics t ON t.id = o.topic_id JOIN plans p ON p.topic_id = o.topic_id AND p.deleted = 0"
                        " WHERE o.deleted = 0 LIMIT 1")[0]
    row = o.detail(planned["id"])
    assert (row["topic_title"], row["plan_id"]) == (planned["title"], planned["plan_id"])
    assert [e["kind"] for e in row["timeline"]] == [e["kind"] for e in o.timeline(planned["id"])]
    loose = demo.rows("SELECT id FROM opinions WHERE deleted = 0 AND topic_id IS NULL LIMIT 1")[0]["id"]
    assert (o.detail(loose)["topic_title"], o.detail(loose)["plan_id"]) == (None, None)
    with pytest.raises(NotFoundError, match="^找不到这条意见建议，可能已被删除$"):
        o.detail("no-such-opinion")


def test_ledger_filters_and_sorts_select_and_order_the_rows(demo):
    from app.services.opinion_steps import STEPS

    o = demo.opinions
    everyone = o.page(OpinionFilter(), limit=None, today=date(2026, 9, 14))
    assert len(everyone) == o.count() and len(everyone) > 20
    some = next(r for r in everyone if r["lead_unit"] and r["delegate_id"] and r["group_id"] and r["category"])

    def ids(**kw):
        got = [r["id"] for r in o.page(OpinionFilter(**kw), limit=None, today=date(2026, 9, 14))]
        assert o.count(OpinionFilter(**kw), today=date(2026, 9, 14)) == len(got), kw
        return sorted(got)

    def expected(test):
        return sorted(r["id"] for r in everyone if test(r))

    for step in STEPS:
        assert ids(step=step) == expected(lambda r, s=step: r["status"] in STEPS[s][1]), step
    assert ids(status="assigned") == expected(lambda r: r["status"] == "assigned")
    assert ids(category=some["category"]) == expected(lambda r: r["category"] == some["category"])
    assert ids(group_id=some["group_id"]) == expected(lambda r: r["group_id"] == some["group_id"])
    assert ids(unit=some["lead_unit"]) == expected(lambda r: r["lead_unit"] == some["lead_unit"])
    assert ids(delegate_id=some["delegate_id"]) == expected(lambda r: r["delegate_id"] == some["delegate_id"])
    days = sorted(r["received_on"] for r in everyone)
    middle = days[len(days) // 2]
    assert ids(date_from=middle) == expected(lambda r: r["received_on"] >= middle)
    assert ids(date_to=middle) == expected(lambda r: r["received_on"] <= middle)
    assert ids(overdue=True) == expected(lambda r: r["overdue"] or r["feedback_overdue"] or r["step_late"])
    title = some["title"]
    assert some["id"] in ids(search=title)
    assert o.count(OpinionFilter(search=title)) == len(ids(search=title))  # the index alone
    assert ids(search=title, status="closed") == sorted(set(ids(search=title)) & set(ids(status="closed")))
    step = next(k for k, (_, statuses) in STEPS.items() if some["status"] in statuses)
    assert ids(search=title, step=step) == sorted(set(ids(search=title)) & set(ids(step=step)))
    assert ids(search=title, step=step, overdue=True) == sorted(set(ids(search=title, step=step)) & set(ids(overdue=True)))

    def order(sort, descending):
        return [r["id"] for r in o.page(OpinionFilter(sort=sort, descending=descending), limit=None)]

    groups = {g["id"]: g["sort_order"] for g in demo.rows("SELECT id, sort_order FROM groups")}
    keys = {"received": lambda r: (r["received_on"], r["serial"]), "deadline": lambda r: r["deadline"] or "",
            "status": lambda r: r["status"], "unit": lambda r: r["lead_unit"] or "", "title": lambda r: r["title"],
            "serial": lambda r: r["serial"], "category": lambda r: r["category"] or "",
            "group": lambda r: groups.get(r["group_id"], -1)}
    for sort, key in keys.items():
        for descending in (False, True):
            got = order(sort, descending)
            rows = {r["id"]: r for r in everyone}
            values = [key(rows[i]) for i in got]
            assert values == sorted(values, reverse=descending), (sort, descending)
    assert order("no-such-sort", False) == order("received", False)
    assert order("received", True)[0] == sorted(everyone, key=lambda r: (r["received_on"], r["serial"], r["id"]))[-1]["id"]
    # pages of the same order, whichever way the page is picked
    for sort in ("received", "group"):
        whole = order(sort, True)
        paged = [r["id"] for start in range(0, len(whole), 7)
                 for r in o.page(OpinionFilter(sort=sort), offset=start, limit=7)]
        assert paged == whole, sort
        named = o.page(OpinionFilter(sort=sort), limit=3)
        assert len(named) == 3 and all("group_name" in r and "delegate_name" in r for r in named)
        assert named[0]["delegate_name"] == demo.scalar("SELECT name FROM delegates WHERE id = ?",
                                                        [named[0]["delegate_id"]])
    assert len(o.page(OpinionFilter())) == len(everyone)  # a page holds 200


def test_the_step_table_for_a_flagged_or_never_assigned_opinion():
    from app.services.opinion_steps import next_steps, step_of

    assert next_steps({"status": "assigned", "lead_unit": "城管", "key_supervision": 1}) == STEP_TABLE["assigned"]
    assert next_steps({"status": "closed"}) == ["print_assignment", "print_feedback"]  # declined, never assigned
    assert next_steps({"status": "fed_back", "lead_unit": "城管", "satisfaction": "不满意"}) == \
        ["feedback", "reopen", "print_assignment", "print_feedback"]
    assert [step_of(s) for s in ("collected", "topic", "declined", "deliberated", "assigned", "returned",
                                 "answered", "fed_back", "closed", "merged")] == [1, 2, 2, 3, 4, 4, 4, 5, 5, 0]


def test_an_action_item_taken_in_becomes_a_meeting_opinion(demo, delegate):
    o = demo.opinions
    meeting = demo.meetings.create({"kind": "group_activity", "group_id": delegate["group_id"],
                                    "date": "2026-09-01", "status": "held"}).created("meetings")[0]
    long = "协调供电公司更换老旧线路并在雨季前完成全部改造工作，" * 3
    demo.meetings.save_minutes(meeting, "", "", [{"content": long, "unit": "供电公司"}])
    item = demo.meetings.action_items(meeting)[0]["id"]
    assert [(p["origin_table"], p["id"]) for p in o.pending_intake()] == [("action_items", item)]
    opinion = o.intake("action_items", item).created("opinions")[0]
    row = o.get(opinion)
    assert (row["source"], row["received_on"], row["title"], row["content"], row["origin_table"], row["origin_id"]) == \
        ("meeting", "2026-09-01", long[:60], long, "action_items", item)
    assert (row["delegate_id"], row["community_id"]) == (None, None)
    assert o.pending_intake() == []
    before = digest(demo)
    _refusal(lambda: o.intake("visits", item), ValidationError, "只能从接待事项或会议落实事项导入", None)
    _refusal(lambda: o.intake("action_items", "no-such-item"), NotFoundError, "找不到要导入的事项", None)
    _refusal(lambda: o.intake("reception_matters", item), NotFoundError, "找不到要导入的事项", None)
    _refusal(lambda: o.by_feedback_serial("HZ1999-0001"), NotFoundError, "没有编号为“HZ1999-0001”的反馈回执", None)
    assert digest(demo) == before


def test_the_units_to_choose_and_an_opinions_title(demo, delegate):
    o = demo.opinions
    units = o.units()
    assert units[:3] == [d["name"] for d in demo.rows("SELECT name FROM departments WHERE deleted = 0"
                                                          " ORDER BY sort_order, name LIMIT 3")]
    assert units[-len(demo.communities.list()):] == [c["name"] for c in demo.communities.list()]
    assert o.title({"title": "路灯"}) == "路灯" and o.title({}) == ""


def test_every_kind_of_event_reads_as_one_line_even_with_details_missing():
    """Events written by other offices or older versions may lack a detail: the line still reads,
    blank where the detail is missing."""
    from app.services.opinion_history import describe_event

    full = {
        "assign": ({"category": "部门职责事项", "lead_unit": "住建", "co_units": ["城管", "供电"], "working_days": 10,
                    "deadline": "2026-09-17"}, "部门职责事项：主办 住建，协办 城管、供电；10 个工作日，期限 2026-09-17"),
        "extend": ({"from": "2026-09-18", "to": "2026-09-24", "approved_by": "主任", "reason": ""},
                   "期限由 2026-09-18 延至 2026-09-24（主任 批准）"),
        "return": ({"unit": "住建", "reason": "不归我们"}, "住建 退回：不归我们"),
        "reopen": ({"reason": "没修好", "deadline": "2026-09-18"}, "没修好；新期限 2026-09-18"),
        "feedback": ({"satisfaction": "满意", "method": "当面"}, "满意（当面）"),
        "undo": ({"undone": "交办"}, "撤销了“交办”（记录保留）"),
        "key": ({"key": True}, "列为重点督办"),
        "report": ({"delegate": "张三", "group": "老城小组", "leader": "李四"}, "张三上报老城小组组长李四"),
        "consult": ({"topic": "路灯", "views": [{"name": "张三", "view": "同意", "comment": "尽快"},
                                               {"name": "李四", "view": "反对"}]},
                    "议题“路灯”：张三：同意（尽快）；李四：反对"),
        "plan": ({"title": "议事方案", "planned_on": "2026-10-01", "place": "议事厅"}, "议事方案，2026-10-01，议事厅"),
        "answer": ({"result": "修好了", "serial": "", "note": None, "list": []}, "修好了"),
    }
    for kind, (detail, text) in full.items():
        assert describe_event(kind, detail) == text, kind
    assert describe_event("plan", {"title": "议事方案"}) == "议事方案"
    empty = {"assign": "：主办 ；None 个工作日，期限 None", "extend": "期限由 None 延至 None（None 批准）",
             "return": " 退回：", "reopen": "；新期限 None", "feedback": "（）", "undo": "撤销了“”（记录保留）",
             "key": "取消重点督办", "report": "上报组长", "consult": "议题“”：", "plan": "", "collect": ""}
    for kind, text in empty.items():
        assert describe_event(kind, {}) == text, kind


def test_feedback_before_a_result_says_so_whatever_the_step(demo):
    o = demo.opinions
    checked = 0
    for status in ("collected", "topic", "deliberated", "assigned", "returned"):
        found = demo.rows("SELECT id FROM opinions WHERE status = ? AND deleted = 0 LIMIT 1", [status])
        if not found:  # the demo holds no opinion at this step on every day it is built
            continue
        checked += 1
        opinion = found[0]["id"]
        _refusal(lambda i=opinion: o.feedback(i, "满意", "当面"), ConflictError,
                 "这条意见还没有办理结果（或不予采纳的决定），不能反馈。请先交办并登记办理结果。", None)
    assert checked >= 3


def test_optional_details_left_out(demo, delegate):
    from app.storage.audit import current_actor

    o = demo.opinions
    opinion = collect(demo, delegate, "缺省测试", day="2026-09-01")
    o.assign(opinion, "department", "住建", day="2026-09-01")  # 15 working days by default
    assert o.get(opinion)["deadline"] == "2026-09-21"  # Sunday 20 September is worked
    o.supervise(opinion, "2026-09-02", "实地", "查看")
    o.extend(opinion, 1, "主任", day="2026-09-03")
    o.answer(opinion, "已办", day="2026-09-04")
    o.feedback(opinion, "不满意", "电话", "2026-09-07")
    o.reopen(opinion, "没办好", day="2026-09-08")  # 10 working days by default
    assert o.get(opinion)["deadline"] == "2026-09-21"
    record = o.supervisions(opinion)[0]
    assert (record["progress"], record["actor"]) == (None, current_actor(demo.db))
    texts = {e["kind"]: e["text"] for e in o.timeline(opinion)}
    assert texts["supervise"] == "查看" and texts["extend"] == "期限由 2026-09-21 延至 2026-09-22（主任 批准）"
