"""Issue 25, the people of the work: delegates who took part in a supervision, opinions raised at a
meeting and a plenary's group discussions, the 实地走访调研 of a topic, and a group's election of its
leaders."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.common.errors import ValidationError
from tests.conftest import digest

TODAY = date.today().isoformat()


def _serving(demo, n=3, group_id=None):
    where = " AND group_id = ?" if group_id else ""
    return [r["id"] for r in demo.rows(
        f"SELECT id FROM delegates WHERE deleted = 0 AND status = 'active'{where} ORDER BY id LIMIT ?",
        [*([group_id] if group_id else []), n])]


def _assigned_opinion(demo, day=TODAY):
    delegate = _serving(demo, 1)[0]
    opinion = demo.opinions.create({"source": "grid_visit", "received_on": day, "delegate_id": delegate,
                                    "title": "小区门口路灯不亮"}).created("opinions")[0]
    demo.opinions.assign(opinion, "department", "住建", 10, day=day)
    return opinion


# -- 3. supervision participants ------------------------------------------------------------------------
def test_a_supervision_names_the_delegates_who_took_part_and_their_duty_record_counts_it(demo):
    opinion = _assigned_opinion(demo)
    first, second = _serving(demo, 2)
    before = demo.duty_records.get(first, date.today().year)
    sheet_before = {r["id"]: r for r in demo.reviews.year_sheet(date.today().year)}
    demo.opinions.supervise(opinion, TODAY, "实地", "代表随同查看现场", "正在采购灯具", [first, second, first])
    record = demo.opinions.supervisions(opinion)[-1]
    names = demo.rows("SELECT name FROM delegates WHERE id IN (?, ?)", [first, second])
    assert sorted(record["delegates"]) == sorted(r["name"] for r in names)
    assert demo.scalar("SELECT count(*) FROM supervision_delegates WHERE supervision_id = ?", [record["id"]]) == 2
    timeline = [e for e in demo.opinions.timeline(opinion) if e["kind"] == "supervise"][-1]
    assert "参与代表" in timeline["text"] and names[0]["name"] in timeline["text"]
    after = demo.duty_records.get(first, date.today().year)
    assert len(after["supervisions"]) == len(before["supervisions"]) + 1
    assert after["supervisions"][-1]["title"] == "小区门口路灯不亮"
    sheet = {r["id"]: r for r in demo.reviews.year_sheet(date.today().year)}
    assert sheet[first]["supervisions"] == sheet_before[first]["supervisions"] + 1


def test_a_supervision_refuses_a_participant_who_is_not_a_serving_delegate(demo):
    opinion = _assigned_opinion(demo)
    gone = _serving(demo, 1)[0]
    demo.delegates.change_status(gone, "resigned", (date.today() - timedelta(days=3)).isoformat(), "辞职")
    before = digest(demo)
    with pytest.raises(ValidationError, match="不是在任的议事代表") as caught:
        demo.opinions.supervise(opinion, TODAY, "电话", "催办", "", [gone])
    assert caught.value.field == "delegate_ids"
    with pytest.raises(ValidationError, match="不存在或已删除"):
        demo.opinions.supervise(opinion, TODAY, "电话", "催办", "", ["11111111-1111-4111-8111-111111111111"])
    assert digest(demo) == before


# -- 4. opinions raised at meetings; a plenary's group discussions ---------------------------------------
def _plenary(demo):
    """The latest held plenary, its group discussions (the demo records them) cleared for the test's own."""
    meeting = demo.rows("SELECT * FROM meetings WHERE kind = 'plenary' AND status = 'held' AND deleted = 0"
                        " ORDER BY date DESC LIMIT 1")[0]
    for discussion in demo.discussions.list(meeting["id"]):
        demo.discussions.delete(discussion["id"])
    return meeting


def _rooms(demo, meeting):
    return [r["id"] for r in demo.rows("SELECT id FROM rooms WHERE venue_id = ? AND deleted = 0 ORDER BY sort_order",
                                       [meeting["venue_id"]])]


def _leader(demo, group_id):
    return demo.scalar("SELECT id FROM delegates WHERE group_id = ? AND group_role = 'leader' AND deleted = 0",
                       [group_id])


def test_a_plenarys_groups_discuss_in_rooms_of_its_venue_with_their_points(demo):
    meeting = _plenary(demo)
    rooms = _rooms(demo, meeting)
    groups = [r["id"] for r in demo.rows("SELECT id FROM groups WHERE deleted = 0 ORDER BY sort_order")]
    for group, room in zip(groups[:3], rooms[1:4]):
        demo.discussions.save(meeting["id"], {"group_id": group, "room_id": room, "start_time": "14:30",
                                              "end_time": "16:30", "convener_id": _leader(demo, group),
                                              "points": "讨论街道工作报告，建议增设学生公交线路"})
    listed = demo.discussions.list(meeting["id"])
    assert len(listed) == 3 and all(d["room_name"] and d["convener_name"] and d["points"] for d in listed)
    # the plenary's own room in the morning and a group there in the afternoon: no clash
    demo.discussions.save(meeting["id"], {"group_id": groups[3], "room_id": meeting["room_id"],
                                          "start_time": "14:30", "end_time": "16:30"})
    assert {r for r, in demo.db.execute("SELECT room_id FROM meeting_discussions WHERE meeting_id = ?",
                                         [meeting["id"]])} >= set(rooms[1:4])
    assert demo.discussions.rooms(meeting["id"]) and len(demo.discussions.rooms(meeting["id"])) == len(rooms)


def test_a_discussion_room_booked_twice_at_the_same_time_is_refused(demo):
    meeting = _plenary(demo)
    rooms = _rooms(demo, meeting)
    groups = [r["id"] for r in demo.rows("SELECT id FROM groups WHERE deleted = 0 ORDER BY sort_order")]
    demo.discussions.save(meeting["id"], {"group_id": groups[0], "room_id": rooms[1], "start_time": "14:30",
                                          "end_time": "16:30"})
    before = digest(demo)
    with pytest.raises(ValidationError, match="一间会议室同一时间只能安排一处") as caught:
        demo.discussions.save(meeting["id"], {"group_id": groups[1], "room_id": rooms[1], "start_time": "15:00",
                                              "end_time": "17:00"})
    assert caught.value.field == "room_id"
    # another meeting in that room at those hours: refused at its own door too
    with pytest.raises(ValidationError, match="一间会议室同一时间只能安排一处"):
        demo.meetings.create({"kind": "special", "date": meeting["date"], "start_time": "16:00", "end_time": "17:00",
                              "venue_id": meeting["venue_id"], "room_id": rooms[1], "status": "held"},
                             confirm_double_booking=True)
    assert digest(demo) == before
    # a room of another venue, a convener of another group, a group twice
    other_room = demo.scalar("SELECT id FROM rooms WHERE venue_id != ? AND deleted = 0", [meeting["venue_id"]])
    with pytest.raises(ValidationError, match="不属于会议所在的阵地"):
        demo.discussions.save(meeting["id"], {"group_id": groups[1], "room_id": other_room})
    with pytest.raises(ValidationError, match="不是这个讨论组"):
        demo.discussions.save(meeting["id"], {"group_id": groups[1], "convener_id": _leader(demo, groups[0])})
    with pytest.raises(ValidationError, match="同一会议中的讨论组"):
        demo.discussions.save(meeting["id"], {"group_id": groups[0], "room_id": rooms[2]})
    # the same hours later in the day are free
    demo.discussions.save(meeting["id"], {"group_id": groups[1], "room_id": rooms[1], "start_time": "16:30",
                                          "end_time": "17:30"})
    assert digest(demo) != before


def test_group_discussions_only_where_the_kind_has_them(demo):
    from app.common.errors import ConflictError

    activity = demo.rows("SELECT id FROM meetings WHERE kind = 'group_activity' AND deleted = 0 LIMIT 1")[0]
    group = demo.scalar("SELECT id FROM groups WHERE deleted = 0 LIMIT 1")
    with pytest.raises(ConflictError, match="不分组讨论"):
        demo.discussions.save(activity["id"], {"group_id": group})


def test_opinions_raised_at_a_meeting_are_added_or_linked_from_it(demo):
    meeting = _plenary(demo)
    delegate = _serving(demo, 1)[0]
    created = demo.discussions.raise_opinion(meeting["id"], {"title": "增设学生公交线路", "delegate_id": delegate})
    opinion = demo.opinions.get(created.created("opinions")[0])
    assert opinion["raised_meeting_id"] == meeting["id"] and opinion["source"] == "meeting"
    assert opinion["received_on"] == meeting["date"]
    later = demo.opinions.create({"source": "phone", "received_on": TODAY, "delegate_id": delegate,
                                  "title": "会后补充的意见"}).created("opinions")[0]
    assert later in [o for o, _ in demo.discussions.linkable(meeting["id"])]
    demo.discussions.link(meeting["id"], later)
    assert [o["id"] for o in demo.discussions.opinions(meeting["id"])] == [opinion["id"], later]
    demo.discussions.link(meeting["id"], None, unlink=later)
    assert [o["id"] for o in demo.discussions.opinions(meeting["id"])] == [opinion["id"]]
    # an opinion received before the meeting was not raised there; a meeting not yet held raised none
    early = demo.rows("SELECT id FROM opinions WHERE received_on < ? AND deleted = 0 LIMIT 1", [meeting["date"]])[0]
    before = digest(demo)
    with pytest.raises(ValidationError, match="早于提出意见的会议"):
        demo.discussions.link(meeting["id"], early["id"])
    planned = demo.rows("SELECT id FROM meetings WHERE date > ? AND deleted = 0 LIMIT 1", [TODAY])[0]
    with pytest.raises(ValidationError, match="还没有召开"):
        demo.discussions.link(planned["id"], later)
    assert digest(demo) == before


# -- 5. 实地走访调研 ---------------------------------------------------------------------------------
def _topic(demo):
    """A topic formed today from a fresh opinion."""
    delegate = demo.rows("SELECT id, group_id FROM delegates WHERE deleted = 0 AND status = 'active' LIMIT 1")[0]
    opinion = demo.opinions.create({"source": "grid_visit", "received_on": TODAY, "delegate_id": delegate["id"],
                                    "title": "学生上学乘车难"}).created("opinions")[0]
    topic = demo.topics.create({"title": "增设学生公交线路", "group_id": delegate["group_id"],
                                "lead_delegate_id": delegate["id"]}, [opinion], day=TODAY).created("topics")[0]
    return topic, opinion, delegate["group_id"]


def test_a_field_survey_is_recorded_shown_in_the_history_and_printed_in_the_plan(demo, tmp_path):
    from PIL import Image

    topic, opinion, group = _topic(demo)
    people = _serving(demo, 2, group)
    demo.surveys.save(topic, {"day": TODAY, "place": "万达广场片区公交站", "units": ["区交通局", "公交公司"],
                              "findings": "早高峰候车学生约 360 人"}, people)
    survey = demo.surveys.list(topic)[0]
    assert survey["units_list"] == ["区交通局", "公交公司"] and sorted(survey["delegate_ids"]) == sorted(people)
    picture = tmp_path / "站台.jpg"
    Image.new("RGB", (64, 48), "red").save(picture)
    demo.surveys.add_photo(survey["id"], picture)
    survey = demo.surveys.list(topic)[0]
    assert len(survey["photos"]) == 1 and Path(survey["photos"][0]["path"]).is_file()
    entry = [e for e in demo.opinions.timeline(opinion) if e["kind"] == "survey"]
    assert entry and "万达广场片区公交站" in entry[0]["text"] and "360" in entry[0]["text"]
    assert "照片 1 张" in entry[0]["text"]
    # duty record counts the survey
    assert demo.duty_records.get(people[0], date.today().year)["surveys"] == 1
    # the plan prints it
    from app.documents.plan_doc import plan
    from tests.app.documents.test_nomination_docs import pdf_text

    demo.plans.save(topic, {"title": "增设学生公交线路议事方案"})
    plan_id = demo.plans.for_topic(topic)["id"]
    text = pdf_text(plan(demo, plan_id, tmp_path / "方案.pdf")).replace("\n", "")
    assert "实地走访调研" in text and "万达广场片区公交站" in text
    # changing who went replaces the list
    demo.surveys.save(topic, {"day": TODAY, "place": "万达广场片区公交站"}, people[:1], survey["id"])
    assert demo.surveys.list(topic)[0]["delegate_ids"] == people[:1]


def test_a_survey_dated_in_the_future_or_before_the_topic_is_refused(demo):
    topic, _, group = _topic(demo)
    people = _serving(demo, 1, group)
    before = digest(demo)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="将来的日期") as caught:
        demo.surveys.save(topic, {"day": tomorrow, "place": "公交站"}, people)
    assert caught.value.field == "day"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="早于议题的确定") as caught:
        demo.surveys.save(topic, {"day": yesterday, "place": "公交站"}, people)
    assert caught.value.field == "day"
    with pytest.raises(ValidationError, match="请选择参加调研的代表"):
        demo.surveys.save(topic, {"day": TODAY, "place": "公交站"}, [])
    with pytest.raises(ValidationError, match="调研地点"):
        demo.surveys.save(topic, {"day": TODAY, "place": " "}, people)
    assert digest(demo) == before


# -- 8. groups: the election of leaders; the grouping against its principles -------------------------------
def test_a_groups_election_is_recorded_and_votes_beyond_members_are_refused(demo):
    group = demo.rows("SELECT id FROM groups WHERE deleted = 0 ORDER BY sort_order LIMIT 1")[0]["id"]
    size = len(demo.delegates.serving_on(TODAY, group))
    leader = _leader(demo, group)
    demo.elections.record(group, {"day": TODAY, "role": "leader", "delegate_id": leader, "members": size,
                                  "votes": size - 1, "result": "elected"})
    listed = demo.elections.list(group)
    assert listed[0]["votes"] == size - 1 and listed[0]["result_label"] == "当选" and listed[0]["role_label"] == "组长"
    before = digest(demo)
    with pytest.raises(ValidationError, match="多于参加推选") as caught:
        demo.elections.record(group, {"day": TODAY, "role": "leader", "delegate_id": leader, "members": 5,
                                      "votes": 6, "result": "elected"})
    assert caught.value.field == "votes"
    with pytest.raises(ValidationError, match="多于.*在任的") as caught:
        demo.elections.record(group, {"day": TODAY, "role": "leader", "delegate_id": leader, "members": size + 1,
                                      "votes": 3, "result": "elected"})
    assert caught.value.field == "members"
    stranger = demo.scalar("SELECT id FROM delegates WHERE group_id != ? AND deleted = 0 AND status = 'active'", [group])
    with pytest.raises(ValidationError, match="不是"):
        demo.elections.record(group, {"day": TODAY, "role": "deputy_leader", "delegate_id": stranger, "members": 3,
                                      "votes": 3, "result": "elected"})
    # the rule book holds the same at every door (a package, a restore): votes within members
    with pytest.raises(ValidationError, match="多于参加推选"), demo.write("create", "x") as tx:
        tx.insert("group_elections", {"group_id": group, "day": TODAY, "role": "leader", "delegate_id": leader,
                                      "members": 2, "votes": 3, "result": "elected"})
    assert digest(demo) == before


def test_the_grouping_view_reads_the_groups_against_the_principles(demo):
    rows = demo.elections.grouping()
    assert len(rows) == 5 and sum(r["size"] for r in rows) == 70
    for row in rows:
        assert 4 <= len(row["communities"]) <= 6 and row["sectors"] and row["size_note"].startswith(f"{row['size']} 人")
    assert all(isinstance(r["size_ok"], bool) and isinstance(r["sector_ok"], bool) for r in rows)


def test_check_finds_a_discussion_room_booked_twice_behind_the_programs_back(demo):
    from app.rules.doors import scan

    meeting = _plenary(demo)
    rooms = _rooms(demo, meeting)
    groups = [r["id"] for r in demo.rows("SELECT id FROM groups WHERE deleted = 0 ORDER BY sort_order")]
    demo.discussions.save(meeting["id"], {"group_id": groups[0], "room_id": rooms[1], "start_time": "14:30"})
    second = demo.discussions.save(meeting["id"], {"group_id": groups[1], "room_id": rooms[2],
                                                   "start_time": "14:30"}).created("meeting_discussions")[0]
    assert not [b for b in scan(demo.db.conn) if b.table == "meeting_discussions"]
    demo.db.execute("UPDATE meeting_discussions SET room_id = ? WHERE id = ?", [rooms[1], second])  # a tool's edit
    found = [b for b in scan(demo.db.conn) if b.table == "meeting_discussions"]
    assert found and "一间会议室同一时间只能安排一处" in found[0].rule


def test_the_duty_record_document_lists_the_supervisions_a_delegate_took_part_in(demo, tmp_path):
    from app.documents.ledger_docs import duty_record
    from tests.app.documents.test_nomination_docs import pdf_text

    opinion = _assigned_opinion(demo)
    took_part = {r for r, in demo.db.execute("SELECT delegate_id FROM supervision_delegates WHERE deleted = 0")}
    person = next(p for p in _serving(demo, 70) if p not in took_part)  # the demo's supervisions name some
    assert "参与督办" not in pdf_text(duty_record(demo, person, tmp_path / "before.pdf"))
    demo.opinions.supervise(opinion, TODAY, "实地", "随同查看", "", [person])
    text = pdf_text(duty_record(demo, person, tmp_path / "after.pdf"))
    assert "参与督办1次" in text and "小区门口路灯不亮" in text


def test_a_survey_of_the_topic_closes_the_activitys_survey_step(demo):
    topic, _, group = _topic(demo)
    meeting = demo.meetings.create({"kind": "group_activity", "group_id": group,
                                    "date": (date.today() + timedelta(days=3)).isoformat()}).created("meetings")[0]
    demo.plans.save_and_link(topic, demo.plans.defaults(topic), meeting)
    steps = {s["title"]: s for s in demo.meetings.steps(meeting, date.today())}
    assert not steps["实地走访调研"].get("done_on")
    demo.surveys.save(topic, {"day": TODAY, "place": "公交站"}, _serving(demo, 1, group))
    steps = {s["title"]: s for s in demo.meetings.steps(meeting, date.today())}
    assert steps["实地走访调研"]["done_on"] == TODAY and steps["实地走访调研"]["done_by"] == "已登记实地走访调研"


def test_one_elected_may_take_the_office_in_the_same_step_unless_it_is_held(demo):
    from app.common.errors import ConflictError

    group = demo.rows("SELECT id FROM groups WHERE deleted = 0 ORDER BY sort_order LIMIT 1")[0]["id"]
    member = demo.scalar("SELECT id FROM delegates WHERE group_id = ? AND group_role = 'member' AND status = 'active'"
                         " AND deleted = 0", [group])
    leader = _leader(demo, group)
    before = digest(demo)
    with pytest.raises(ConflictError, match="已有组长"):
        demo.elections.record(group, {"day": TODAY, "role": "leader", "delegate_id": member, "members": 10,
                                      "votes": 8, "result": "elected"}, take_office=True)
    assert digest(demo) == before
    demo.delegates.update(leader, {"group_role": "member"})
    demo.elections.record(group, {"day": TODAY, "role": "leader", "delegate_id": member, "members": 10,
                                  "votes": 8, "result": "elected"}, take_office=True)
    assert demo.delegates.get(member)["group_role"] == "leader" and demo.elections.list(group)[0]["votes"] == 8
