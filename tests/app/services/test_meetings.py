from datetime import date, timedelta

import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.meetings import MeetingFilter
from tests.conftest import DEMO_YEAR, digest


@pytest.fixture
def centre(demo):
    venue = next(v for v in demo.venues.list() if v["level"] == "centre")
    return venue["id"], demo.venues.rooms(venue["id"])[0]["id"]


def plenary(demo, centre, day="2026-12-20", planned_on=date(2026, 11, 1), **extra):
    venue_id, room_id = centre
    changes = demo.meetings.create({"kind": "plenary", "date": day, "start_time": "09:00",
                                    "end_time": "11:30", "venue_id": venue_id, "room_id": room_id, **extra},
                                   today=planned_on)
    return changes.created("meetings")[0]


def held_plenary(demo, centre):
    """A plenary already held (a month ago): only then may its sign-in, votes and minutes be recorded."""
    return plenary(demo, centre, day=(date.today() - timedelta(days=30)).isoformat())


def delegates(demo):
    return [r["id"] for r in demo.rows("SELECT id FROM delegates WHERE deleted = 0 AND status = 'active'"
                                        " ORDER BY id")]


def test_a_meeting_instantiates_its_flowchart(demo, centre):
    meeting_id = plenary(demo, centre)
    steps = demo.meetings.steps(meeting_id, today=date(2026, 11, 1))
    assert [s["title"] for s in steps][:4] == ["确定会议日期", "拟定会议议程", "确定参加人员", "开展实地调研"]
    assert {s["phase"] for s in steps} == {"pre", "in", "post"}
    assert steps[0]["due_date"] == "2026-11-20" and steps[-1]["due_date"] == "2027-01-03"
    meeting = demo.meetings.get(meeting_id)
    assert meeting["title"] == "2026年下半年议事代表大会" and meeting["scope"] == "all"


def test_a_meeting_planned_at_short_notice_has_no_step_late_on_the_day_it_is_planned(demo, centre):
    planned_on = date(2026, 12, 17)  # three days ahead: the template's 会前 steps fall before today
    meeting_id = plenary(demo, centre, planned_on=planned_on)
    steps = demo.meetings.steps(meeting_id, today=planned_on)
    assert [s for s in steps if s["state"] == "overdue"] == []
    assert steps[0]["due_date"] == "2026-12-17" and steps[-1]["due_date"] == "2027-01-03"  # after: as the template
    assert demo.meetings.steps(meeting_id, today=planned_on + timedelta(days=1))[0]["state"] == "overdue"
    # a meeting recorded after it was held keeps the template's days
    held = plenary(demo, centre, day="2026-10-20", planned_on=planned_on)
    assert demo.meetings.steps(held, today=planned_on)[0]["due_date"] == "2026-09-20"


def test_signing_in_a_planned_meeting_that_has_taken_place_marks_it_held(demo, centre):
    meeting_id = plenary(demo, centre, day=(date.today() - timedelta(days=1)).isoformat())
    assert demo.meetings.get(meeting_id)["status"] == "planned"
    people = delegates(demo)
    demo.attendance.record(meeting_id, {people[0]: "excused"})
    assert demo.meetings.get(meeting_id)["status"] == "planned"  # an excuse alone is no meeting
    changes = demo.attendance.record(meeting_id, {people[1]: "present"})
    assert demo.meetings.get(meeting_id)["status"] == "held" and "meetings" in changes.tables


def test_step_states_and_ticking(demo, centre):
    meeting_id = plenary(demo, centre)
    today = date(2026, 11, 27)  # 议程 due 11-29: within three days
    states = {s["title"]: s["state"] for s in demo.meetings.steps(meeting_id, today)}
    assert states["确定会议日期"] == "overdue" and states["拟定会议议程"] == "due"
    assert states["听取工作报告"] == "pending"
    first = demo.meetings.steps(meeting_id, today)[0]
    demo.meetings.tick_step(first["id"], "2026-11-19", "已报党工委")
    assert demo.meetings.steps(meeting_id, today)[0]["state"] == "done"
    with pytest.raises(ValidationError, match="有效日期"):
        demo.meetings.tick_step(first["id"], "2026-13-01")


def test_moving_the_date_moves_open_steps(demo, centre):
    meeting_id = plenary(demo, centre)
    steps = demo.meetings.steps(meeting_id)
    demo.meetings.tick_step(steps[0]["id"], "2026-11-20")
    demo.meetings.update(meeting_id, {"date": "2026-12-27"})
    moved = demo.meetings.steps(meeting_id)
    assert moved[0]["due_date"] == "2026-11-20"  # done: stays
    assert moved[1]["due_date"] == "2026-12-06"  # open: one week later


@pytest.mark.parametrize("values, message", [
    ({"kind": "plenary", "date": "2026-02-30"}, "有效日期"),
    ({"kind": "plenary", "date": "明天"}, "有效日期"),
    ({"kind": "plenary", "date": "2026-06-01", "start_time": "25:00"}, "09:30"),
    ({"kind": "plenary", "date": "2026-06-01", "start_time": "10:00", "end_time": "09:00"}, "晚于"),
    ({"kind": "group_activity", "date": "2026-06-01"}, "议事小组"),
    ({"kind": "reception", "date": "2026-06-01"}, "议事堂"),
    ({"kind": "party", "date": "2026-06-01"}, "会议类型"),
])
def test_bad_meetings_are_refused_and_nothing_changes(demo, values, message):
    before = digest(demo)
    with pytest.raises(ValidationError, match=message):
        demo.meetings.create(values)
    assert digest(demo) == before


def test_double_booking_needs_confirmation(demo, centre):
    existing = demo.meetings.count(MeetingFilter(year=2026))
    plenary(demo, centre)
    before = digest(demo)
    venue_id, room_id = centre
    clash = {"kind": "special", "date": "2026-12-20", "start_time": "10:00", "end_time": "12:00",
             "room_id": room_id}
    with pytest.raises(ConflictError, match="会议室已被占用"):
        demo.meetings.create(clash)
    assert digest(demo) == before
    demo.meetings.create({**clash, "start_time": "14:00", "end_time": "16:00"})  # afternoon: free
    demo.meetings.create(clash, confirm_double_booking=True)
    assert demo.meetings.count(MeetingFilter(year=2026)) == existing + 3


def test_quorum_at_exactly_half_is_not_met(demo, centre):
    meeting_id = held_plenary(demo, centre)
    people = delegates(demo)
    assert len(people) == 70
    demo.attendance.record(meeting_id, {d: "present" for d in people[:35]})
    quorum = demo.attendance.quorum(meeting_id)
    assert quorum == {"total": 70, "present": 35, "required": 36, "met": False}
    demo.attendance.record(meeting_id, {people[35]: "present"})
    assert demo.attendance.quorum(meeting_id)["met"]


def test_a_vote_at_exactly_half_of_all_delegates_fails(demo, centre):
    meeting_id = held_plenary(demo, centre)
    people = delegates(demo)
    demo.attendance.record(meeting_id, {d: "present" for d in people[:60]})
    demo.attendance.record(meeting_id, {d: "excused" for d in people[60:]})
    demo.attendance.record_vote(meeting_id, "老旧小区加装电梯", 35, 20, 5)
    demo.attendance.record_vote(meeting_id, "背街小巷路灯改造", 36, 20, 4)
    votes = demo.attendance.votes(meeting_id)
    assert [v["passed"] for v in votes] == [False, True]
    assert "半数" in votes[0]["result"]


def test_no_vote_passes_without_quorum(demo, centre):
    meeting_id = held_plenary(demo, centre)
    demo.attendance.record(meeting_id, {d: "present" for d in delegates(demo)[:30]})
    demo.attendance.record_vote(meeting_id, "社区食堂", 30, 0, 0)
    assert demo.attendance.votes(meeting_id)[0]["result"].startswith("未通过（出席人数")


def test_counts_above_those_present_are_refused_and_nothing_is_saved(demo, centre):
    meeting_id = held_plenary(demo, centre)
    demo.attendance.record(meeting_id, {d: "present" for d in delegates(demo)[:40]})
    before = digest(demo)
    with pytest.raises(ConflictError, match="超过了出席代表人数 40 人"):
        demo.attendance.record_vote(meeting_id, "公园改造", 30, 8, 3)
    with pytest.raises(ValidationError, match="负数"):
        demo.attendance.record_vote(meeting_id, "公园改造", -1, 0, 0)
    assert digest(demo) == before


def test_attendance_for_an_unknown_delegate_is_refused_whole(demo, centre):
    meeting_id = plenary(demo, centre)
    before = digest(demo)
    with pytest.raises(ValidationError, match="不存在的代表"):
        demo.attendance.record(meeting_id, {delegates(demo)[0]: "present", "no-such-person": "present"})
    assert digest(demo) == before


def test_group_activity_expects_its_group_and_guests_attend(demo):
    group = demo.groups.list()[3]
    meeting_id = demo.meetings.create({"kind": "group_activity", "date": "2026-09-10",
                                       "group_id": group["id"]}).created("meetings")[0]
    assert demo.meetings.get(meeting_id)["title"] == "新城三组2026年第三季度议事活动"
    sheet = demo.attendance.sheet(meeting_id)
    assert len(sheet) == 13 and sheet[0]["group_role"] == "leader"
    demo.attendance.add_guest(meeting_id, "区交通局 王科长", "区交通运输局")
    sheet = demo.attendance.sheet(meeting_id)
    assert sheet[-1]["status_label"] == "列席" and sheet[-1]["community_name"] == "区交通运输局"


def test_minutes_keep_action_item_ids(demo, centre):
    meeting_id = held_plenary(demo, centre)
    demo.meetings.save_minutes(meeting_id, "会议听取了工作报告。", "一、同意……",
                               [{"content": "开通定制公交", "unit": "区交通运输局", "person": "李某",
                                 "deadline": (date.today() + timedelta(days=30)).isoformat()}, {"content": ""}])
    items = demo.meetings.action_items(meeting_id)
    assert len(items) == 1
    demo.meetings.save_minutes(meeting_id, "会议听取了工作报告。", "一、同意……",
                               [{**items[0], "person": "张某"}, {"content": "加装路灯", "unit": "街道城管办"}])
    again = demo.meetings.action_items(meeting_id)
    assert again[0]["id"] == items[0]["id"] and again[0]["person"] == "张某" and len(again) == 2
    with pytest.raises(ValidationError, match="第 1 项落实事项的期限"):
        demo.meetings.save_minutes(meeting_id, "", "", [{"content": "x", "deadline": "下个月"}])


def test_materials_are_copied_and_hashed(demo, centre, tmp_path):
    meeting_id = plenary(demo, centre)
    source = tmp_path / "工作报告.docx"
    source.write_bytes(b"report " * 1000)
    demo.meetings.add_material(meeting_id, source)
    material = demo.meetings.materials(meeting_id)[0]
    assert material["title"] == "工作报告" and len(material["sha256"]) == 64
    assert demo.meetings.verify_material(material["id"])
    source.unlink()
    assert demo.meetings.verify_material(material["id"])  # the copy lives in the data directory


def test_delete_and_restore_a_meeting_with_its_parts(demo, centre):
    existing = demo.meetings.count(MeetingFilter())
    meeting_id = held_plenary(demo, centre)
    demo.attendance.record(meeting_id, {delegates(demo)[0]: "present"})
    demo.meetings.delete(meeting_id)
    assert demo.meetings.count(MeetingFilter()) == existing
    assert demo.recycle.list()[0]["title"] == demo.meetings.get(meeting_id, include_deleted=True)["title"]
    demo.meetings.restore(meeting_id)
    assert demo.attendance.quorum(meeting_id)["present"] == 1
    assert len(demo.meetings.steps(meeting_id)) == 9


def test_year_plan(demo):
    group = demo.groups.list()[0]
    year = DEMO_YEAR - 1  # a year of the past the demo left empty
    demo.meetings.create({"kind": "group_activity", "date": f"{year}-02-10", "group_id": group["id"],
                          "status": "held"})
    demo.meetings.create({"kind": "group_activity", "date": f"{year}-12-10", "group_id": group["id"]})
    plan = demo.cadence.year_plan(year, today=date(year, 11, 26))
    mine = [s for s in plan if s["subject"] == group["name"]]
    assert [s["state"] for s in mine] == ["held", "missed", "missed", "planned"]
    assert len([s for s in plan if s["kind"] == "reception"]) == 120
    assert len([s for s in plan if s["kind"] == "plenary"]) == 2
    attention = demo.cadence.attention(today=date(year, 11, 26))
    assert any(s["subject"] == "议事代表大会" for s in attention["due_slots"])
    assert any(s["subject"] == group["name"] for s in attention["missed"])


def test_the_demo_year_follows_the_report(demo):
    assert demo.meetings.by_kind(DEMO_YEAR) == {"plenary": 2, "group_activity": 20, "reception": 120, "special": 0}
    plan = demo.cadence.plan_summary(DEMO_YEAR, today=date.today())
    assert plan["group_activity"]["missed"] == 0 and plan["group_activity"]["held"] == 20
    assert plan["plenary"]["held"] == 2 and plan["reception"]["held"] == 120
    first = demo.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]
    votes = demo.attendance.votes(first["id"])
    assert len(votes) == 3 and all(v["passed"] for v in votes[:2])
    bus = [m for m in demo.meetings.page(MeetingFilter(search="定制公交"), limit=None)]
    assert bus and bus[0]["group_name"] == "新城三组" and bus[0]["date"].startswith(f"{DEMO_YEAR}-07")
    # the next plenary is being prepared, its latest step due (if one is yet) left late
    overdue = demo.cadence.attention()["steps_overdue"]
    planned = demo.meetings.page(MeetingFilter(kind="plenary", status="planned"), limit=None)
    assert len(planned) == 1
    due = [s for s in demo.meetings.steps(planned[0]["id"]) if s["due_date"] < date.today().isoformat()]
    assert [s["id"] for s in overdue] == [s["id"] for s in due[-1:]]
    assert all(s["phase"] == "pre" for s in overdue)


# -- attendance: the sign-in sheet, the notice list, votes ---------------------------------------

def _last_audit(store) -> tuple[str, str]:
    row = store.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    return row["action"], row["summary"]


def _refusal(call, kind, message, field=None):
    with pytest.raises(kind) as refused:
        call()
    assert (refused.value.message, refused.value.field) == (message, field)


def test_quorum_and_row_ids_are_the_same_everywhere():
    from app.services.attendance import attendance_id, quorum_of

    assert quorum_of(71, 36) == {"total": 71, "present": 36, "required": 36, "met": True}
    assert quorum_of(70, 35)["met"] is False and quorum_of(0, 0) == {"total": 0, "present": 0, "required": 1,
                                                                      "met": False}
    assert attendance_id("m", "d") == "7741c0b3-517c-5719-b86c-a2cf9954c551"  # fixed: every office makes the same row
    assert len({attendance_id("m", "d"), attendance_id("m", "e"), attendance_id("n", "d"), attendance_id("m/d", "")}) == 4


def test_the_sign_in_sheet_orders_the_group_and_keeps_every_mark(demo):
    a = demo.attendance
    group = demo.groups.list()[3]
    meeting_id = demo.meetings.create({"kind": "group_activity", "date": "2026-09-10",
                                       "group_id": group["id"]}).created("meetings")[0]
    title = demo.meetings.get(meeting_id)["title"]
    sheet = a.sheet(meeting_id)
    roles = [r["group_role"] for r in sheet]
    assert roles == sorted(roles, key=lambda r: {"leader": 0, "deputy_leader": 1}.get(r, 2)) and roles[0] == "leader"
    members = [demo.delegates.get(r["id"])["name_pinyin"] for r in sheet if r["group_role"] not in ("leader",
                                                                                                    "deputy_leader")]
    assert members == sorted(members) and len(members) > 5
    assert all(r["expected"] and r["status"] is None and r["status_label"] == "未登记" and r["delegate_id"] == r["id"]
               for r in sheet)
    ours = [r["id"] for r in sheet]
    other, second = demo.rows("SELECT d.id, d.name, c.name AS community FROM delegates d JOIN communities c"
                              " ON c.id = d.community_id WHERE d.deleted = 0 AND d.group_id != ? ORDER BY d.id LIMIT 2",
                              [group["id"]])
    a.record(meeting_id, {ours[0]: "present", ours[1]: "excused", ours[2]: "absent", other["id"]: "present",
                          second["id"]: "present"})
    a.record(meeting_id, {second["id"]: None})  # two visitors named at once, then one taken off
    assert _last_audit(demo) == ("update", f"登记出席情况：{title}")
    assert a.summary(meeting_id) == {**{s: 0 for s in a.summary(meeting_id)}, "present": 2, "excused": 1, "absent": 1,
                                   "expected": 4}  # (expected: those marked; counted: 0, a sign-in list)
    rows = a.sheet(meeting_id)
    assert [r["id"] for r in rows] == ours + [other["id"]]
    a.record(meeting_id, {second["id"]: "present"})
    assert [r["name"] for r in a.sheet(meeting_id)[-2:]] == [other["name"], second["name"]]
    a.record(meeting_id, {second["id"]: None})  # each once: the group in order, then the visitor
    assert [(r["status"], r["status_label"], r["expected"]) for r in rows[:4]] == [
        ("present", "出席", True), ("excused", "请假", True), ("absent", "缺席", True), (None, "未登记", True)]
    sheet = {r["id"]: r for r in rows}
    extra = sheet[other["id"]]
    assert (extra["expected"], extra["name"], extra["community_name"], extra["status"]) == \
        (False, other["name"], other["community"], "present")
    # cleared, then marked again: the same row comes back
    a.record(meeting_id, {ours[0]: None, ours[1]: None})
    assert a.sheet(meeting_id)[0]["status"] is None and a.summary(meeting_id)["present"] == 1
    a.record(meeting_id, {ours[0]: None, ours[5]: None})  # clearing twice, or someone never marked: nothing
    later = demo.meetings.create({"kind": "group_activity", "date": "2026-09-24",
                                  "group_id": group["id"]}).created("meetings")[0]
    a.record(later, {ours[2]: "present"})  # the same person at another meeting: a mark of its own
    assert a.summary(later)["present"] == 1 and a.summary(meeting_id)["absent"] == 1
    a.record(meeting_id, {ours[0]: "absent", ours[2]: "present"})
    assert demo.scalar("SELECT count(*) FROM attendance WHERE meeting_id = ?", [meeting_id]) == 5  # rows kept, not doubled
    assert {r["id"]: r["status"] for r in a.sheet(meeting_id)}[ours[0]] == "absent"
    assert a.quorum(meeting_id)["present"] == 2
    before = digest(demo)
    _refusal(lambda: a.record(meeting_id, {ours[3]: "late"}), ValidationError, "出席情况“late”无效")
    _refusal(lambda: a.record(meeting_id, {"no-such-person-at-all": "present"}), ValidationError,
             "签到名单中有不存在的代表（no-such-），没有保存任何签到")
    _refusal(lambda: a.add_guest(meeting_id, " "), ValidationError, "请填写列席人员姓名", "name")
    assert digest(demo) == before
    a.add_guest(meeting_id, " 王科长 ", " ")
    assert _last_audit(demo) == ("create", f"添加列席人员：王科长（{title}）")
    guest = a.sheet(meeting_id)[-1]
    assert (guest["name"], guest["community_name"], guest["delegate_id"], guest["expected"], guest["status_label"]) == \
        ("王科长", None, None, False, "列席")
    assert guest["id"] == guest["attendance_id"]
    assert a.summary(meeting_id)["attending_nonmember"] == 1 and a.quorum(meeting_id)["present"] == 2  # not a delegate


def test_a_reception_day_expects_those_on_duty_and_other_meetings_nobody(demo):
    a = demo.attendance
    day = demo.rows("SELECT id, venue_id, date FROM meetings WHERE kind = 'reception' AND deleted = 0"
                    " ORDER BY date DESC LIMIT 1")[0]
    on_duty = {r["delegate_id"] for r in demo.rows(
        "SELECT delegate_id FROM reception_duties WHERE venue_id = ? AND month = ? AND deleted = 0",
        [day["venue_id"], day["date"][:7]])}
    assert on_duty and {r["id"] for r in a.expected(demo.meetings.get(day["id"]))} == on_duty
    assert a.expected({**demo.meetings.get(day["id"]), "venue_id": None}) == []
    assert a.expected({"scope": "group", "group_id": None, "date": day["date"]}) == []
    assert a.expected({"scope": "special", "date": day["date"]}) == []
    assert len(a.expected({"scope": "all", "date": day["date"]})) == a.serving_total(day["date"]) == 70
    group = demo.groups.list()[0]["id"]  # a plenary held by a group's venue still expects everyone
    assert len(a.expected({"scope": "all", "group_id": group, "date": day["date"]})) == 70
    assert {r["id"] for r in a.expected({**demo.meetings.get(day["id"]), "group_id": group})} == on_duty


def test_the_notice_list_names_time_place_agenda_and_who_has_no_phone(demo, centre):
    a = demo.attendance
    group = demo.groups.list()[0]
    meeting_id = demo.meetings.create({"kind": "group_activity", "date": "2026-09-10", "group_id": group["id"],
                                       "start_time": "09:00", "end_time": "11:30",
                                       "agenda": "听取工作汇报。\n审议议题；"}).created("meetings")[0]
    meeting = demo.meetings.detail(meeting_id)
    contacts = a.contact_list(meeting_id)
    unit, phone = demo.settings.unit(), demo.settings.get("contact_phone")
    assert contacts["text"] == (
        f"【{unit}】{group['name']}全体议事代表：定于2026年9月10日 09:00—11:30在{meeting['place'] or '（地点另行通知）'}"
        f"召开{meeting['title']}，议程：听取工作汇报；审议议题。请准时参加，提前15分钟签到；"
        f"确需请假的，请提前向人大街道工委说明（电话 {phone}）。")
    assert contacts["meeting"] == meeting["title"]
    first = contacts["people"][0]
    assert set(first) == {"name", "phone", "community_name", "group_name"} and first["group_name"] == group["name"]
    expected = a.expected(demo.meetings.get(meeting_id))
    assert [(p["name"], p["phone"], p["community_name"]) for p in contacts["people"]] == \
        [(p["name"], p["phone"], p["community_name"]) for p in expected] and all(p["community_name"] for p in expected)
    assert contacts["phones"] == "，".join(p["phone"] for p in contacts["people"]) and not contacts["missing_phone"]
    silent = a.expected(demo.meetings.get(meeting_id))[1]
    demo.delegates.update(silent["id"], {"phone": ""})
    demo.settings.update({"contact_phone": ""})
    contacts = a.contact_list(meeting_id)
    assert contacts["missing_phone"] == [silent["name"]] and contacts["phones"].count("，") == len(contacts["people"]) - 2
    assert contacts["text"].endswith("确需请假的，请提前向人大街道工委说明。")
    demo.meetings.update(meeting_id, {"agenda": ""})
    assert a.contact_list(meeting_id)["text"] == (
        f"【{unit}】{group['name']}全体议事代表：定于2026年9月10日 09:00—11:30在{meeting['place'] or '（地点另行通知）'}"
        f"召开{meeting['title']}。请准时参加，提前15分钟签到；确需请假的，请提前向人大街道工委说明。")


def test_votes_are_numbered_corrected_and_removed(demo, centre):
    a = demo.attendance
    meeting_id = held_plenary(demo, centre)
    people = delegates(demo)
    a.record(meeting_id, {d: "present" for d in people[:40]})
    before = digest(demo)
    _refusal(lambda: a.record_vote(meeting_id, " ", 1, 0, 0), ValidationError, "请填写票决事项", "item")
    _refusal(lambda: a.record_vote(meeting_id, "公园", "三十", 0, 0), ValidationError, "赞成票数应为整数", "votes")
    _refusal(lambda: a.record_vote(meeting_id, "公园", 1, None, 0), ValidationError, "反对票数应为整数", "votes")
    _refusal(lambda: a.record_vote(meeting_id, "公园", 1, 0, -1), ValidationError, "弃权票数不能为负数", "votes")
    _refusal(lambda: a.record_vote(meeting_id, "公园", 20, 20, 1), ConflictError,
             "赞成、反对、弃权共 41 票，超过了出席代表人数 40 人，请核对", "votes")
    group_meeting = demo.rows("SELECT id FROM meetings WHERE kind = 'group_activity' LIMIT 1")[0]["id"]
    _refusal(lambda: a.record_vote(group_meeting, "公园", 1, 0, 0), ValidationError, "票决只在议事代表大会上进行")
    _refusal(lambda: a.remove_vote("no-such-vote"), ValidationError, "找不到这项票决")
    assert digest(demo) == before
    a.record_vote(meeting_id, " 公园改造 ", "38", 1, 1)
    assert _last_audit(demo) == ("create", "登记票决结果：公园改造")
    a.record_vote(meeting_id, "社区食堂", 30, 10, 0)
    votes = a.votes(meeting_id)
    assert [(v["item"], v["sort_order"], v["votes_for"], v["votes_against"], v["votes_abstain"], v["result"])
            for v in votes] == [("公园改造", 1, 38, 1, 1, "通过"),
                                ("社区食堂", 2, 30, 10, 0, "未通过（赞成票未超过全体代表半数）")]
    a.record_vote(meeting_id, "社区食堂", 36, 4, 0, vote_id=votes[1]["id"])
    assert _last_audit(demo) == ("update", "登记票决结果：社区食堂")
    assert [(v["sort_order"], v["votes_for"], v["passed"]) for v in a.votes(meeting_id)] == [(1, 38, True),
                                                                                             (2, 36, True)]
    removed = a.remove_vote(votes[0]["id"])
    assert _last_audit(demo) == ("delete", "删除票决事项：公园改造")
    assert removed.tables == {"votes"}  # the votes tab is told
    assert [v["item"] for v in a.votes(meeting_id)] == ["社区食堂"]
    a.record_vote(meeting_id, "路灯", 1, 0, 0)
    assert [v["sort_order"] for v in a.votes(meeting_id)] == [2, 3]
    a.record(meeting_id, {d: "absent" for d in people[5:40]})  # only five stay present: no quorum
    assert {v["result"] for v in a.votes(meeting_id)} == {"未通过（出席人数未过半）"}


# -- attendance as figures (a meeting without a sign-in list) -------------------------------------
def test_figures_recorded_in_the_window_are_what_the_meeting_counts(store):
    from datetime import date, timedelta

    from app.common.errors import AppError
    from tests.conftest import digest

    day = (date.today() - timedelta(days=7)).isoformat()
    meeting = store.meetings.create({"kind": "plenary", "date": day}).created("meetings")[0]
    store.attendance.set_figures(meeting, {"count_expected": 14, "count_present": 11, "count_excused": 2,
                                           "count_absent": 1, "count_guests": 3})
    summary = store.attendance.summary(meeting)
    assert (summary["expected"], summary["present"], summary["excused"], summary["absent"],
            summary["attending_nonmember"], summary["counted"]) == (14, 11, 2, 1, 3, 1)
    assert store.attendance.quorum(meeting) == {"total": 14, "present": 11, "required": 8, "met": True}
    assert store.meetings.get(meeting)["status"] == "held"  # figures given: the meeting took place
    store.attendance.set_figures(meeting, {"count_guests": None})  # one figure cleared, the rest kept
    assert store.attendance.figures(meeting) == {"count_expected": 14, "count_present": 11, "count_excused": 2,
                                                 "count_absent": 1}
    before = digest(store)
    for figures, said in (({"count_present": 15}, "出席 15 人、请假 2 人、缺席 1 人，多于应到的 14 人"),
                          ({"count_absent": -1}, "缺席人数应为不小于 0 的整数"),
                          ({"count_present": "十一"}, "出席人数应为不小于 0 的整数"),
                          ({"visitors": 3}, "不认识的项：visitors")):
        with pytest.raises(AppError, match=said):
            store.attendance.set_figures(meeting, figures)
    assert digest(store) == before
    ahead = store.meetings.create({"kind": "plenary", "date": (date.today() + timedelta(days=3)).isoformat()}
                                  ).created("meetings")[0]
    before = digest(store)
    with pytest.raises(AppError, match="在今天之后，还不能登记出席人数"):
        store.attendance.set_figures(ahead, {"count_present": 10})
    assert digest(store) == before
