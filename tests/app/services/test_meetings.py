from datetime import date, timedelta

import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.meetings import MeetingFilter
from tests.conftest import DEMO_YEAR, digest


@pytest.fixture
def centre(demo):
    venue = next(v for v in demo.venues.list() if v["level"] == "centre")
    return venue["id"], demo.venues.rooms(venue["id"])[0]["id"]


def plenary(demo, centre, day="2026-12-20", **extra):
    venue_id, room_id = centre
    changes = demo.meetings.create({"kind": "plenary", "date": day, "start_time": "09:00",
                                    "end_time": "11:30", "venue_id": venue_id, "room_id": room_id, **extra})
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
