"""The work between meetings: grid visits, the group's steps, action items, feedback deadlines."""

from datetime import date, timedelta

import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.opinions import OpinionFilter
from app.services.visits import VisitFilter
from tests.conftest import DEMO_YEAR, digest, new_reception_matters


def _person_with_grid(store):
    delegate_id = store.rows("SELECT delegate_id FROM delegate_grids WHERE deleted = 0 LIMIT 1")[0]["delegate_id"]
    return delegate_id, store.delegates.grid_ids(delegate_id)[0]


def test_the_visit_board_shows_who_has_not_visited_and_the_duty_record_counts_the_log(demo):
    month = date.today().isoformat()[:7]
    person, grid = _person_with_grid(demo)
    before = {r["id"]: r for r in demo.visits.board(month)}
    assert before[person]["visited"] is False or before[person]["visits"] >= 1
    logged_before = demo.visits.count_for(person)
    changes = demo.visits.create({"delegate_id": person, "grid_id": grid, "day": date.today().isoformat(),
                                  "residents_met": 8, "matters": "楼道灯坏了"},
                                 opinions=[{"title": "楼道灯损坏", "content": "3 栋楼道灯坏了两周"}])
    opinion_id = changes.created("opinions")[0]
    assert demo.opinions.get(opinion_id)["visit_id"] == changes.created("grid_visits")[0]
    assert demo.opinions.get(opinion_id)["source"] == "grid_visit"
    board = {r["id"]: r for r in demo.visits.board(month)}
    assert board[person]["visited"] and board[person]["visits"] == before[person]["visits"] + 1
    missing = {r["id"] for r in demo.visits.not_visited(month)}
    assert person not in missing
    assert missing == {pid for pid, r in board.items() if r["visits"] == 0}
    # a month in which this delegate's visits are gone: listed as not visited
    april = demo.visits.list(VisitFilter(month=f"{DEMO_YEAR}-04", delegate_id=person))
    for visit in april:
        demo.visits.delete(visit["id"])
    assert person in {r["id"] for r in demo.visits.not_visited(f"{DEMO_YEAR}-04")}
    assert demo.visits.year_board(DEMO_YEAR)["rows"][0]["months"]  # the delegate × month board
    record = demo.duty_records.get(person)
    assert record["grid_visits"] == logged_before + 1 - len(april) == len(demo.visits.list(VisitFilter(delegate_id=person)))


def test_a_paper_visit_sheet_is_all_or_nothing_and_names_the_bad_row(demo):
    person, grid = _person_with_grid(demo)
    before = digest(demo)
    rows = [{"delegate_id": person, "grid_id": grid, "day": f"{DEMO_YEAR}-03-29", "residents_met": 5},
            {"delegate_id": person, "grid_id": grid, "day": "2026-02-30"}]
    with pytest.raises(ValidationError, match="第 2 行：.*不是有效日期"):
        demo.visits.create_many(rows)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="第 1 行：走访日期.*晚于今天"):
        demo.visits.create_many([{"delegate_id": person, "grid_id": grid, "day": tomorrow}])
    with pytest.raises(ValidationError, match="第 2 行：“事项”太长"):  # an opinion the rule book refuses
        demo.visits.create_many([rows[0], {**rows[0], "opinions": ["路" * 201]}])
    assert digest(demo) == before
    changes = demo.visits.create_many([rows[0], {}, {**rows[0], "day": f"{DEMO_YEAR}-03-30",
                                                    "opinions": ["路面破损", "垃圾清运不及时"]}])
    assert len(changes.created("grid_visits")) == 2 and len(changes.created("opinions")) == 2
    demo.undo(changes, "登记走访")
    assert not demo.scalar("SELECT count(*) FROM grid_visits WHERE deleted = 0 AND day IN (?, ?) AND delegate_id = ?",
                           [f"{DEMO_YEAR}-03-29", f"{DEMO_YEAR}-03-30", person])
    assert not demo.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND title = '路面破损'")


def test_report_consult_and_plan_show_in_the_opinions_history_in_order(demo, tmp_path):
    s = demo
    person, grid = _person_with_grid(s)
    today = date.today().isoformat()
    visit = s.visits.create({"delegate_id": person, "grid_id": grid, "day": today}, opinions=["小区停车难"])
    opinion = visit.created("opinions")[0]
    group = s.opinions.get(opinion)["group_id"]
    leader = s.opinions.leader_of(group)
    s.opinions.report(opinion, today)
    with pytest.raises(ConflictError, match="已于 .* 上报组长"):
        s.opinions.report(opinion, today)
    assert s.opinions.get(opinion)["reported_to"] == leader["id"]
    topic = s.topics.create({"title": "小区停车难题", "group_id": group}, [opinion], day=today).created("topics")[0]
    members = s.topics.consultation(topic)
    assert len(members) >= 3 and all(m["view"] is None for m in members)
    views = [{"delegate_id": m["delegate_id"], "view": "同意"} for m in members]
    views[1] = {**views[1], "view": "有补充意见"}
    with pytest.raises(ValidationError, match="请写明具体意见"):
        s.topics.consult(topic, views, today)
    views[1]["comment"] = "建议先摸清车位缺口"
    s.topics.consult(topic, views, today)
    assert sum(1 for m in s.topics.consultation(topic) if m["view"] == "同意") == len(members) - 1
    s.topics.review(topic, True, today, "人大街道工委")
    s.plans.save(topic, {**s.plans.defaults(topic), "planned_on": today, "place": "片区议事厅",
                         "departments": ["城管", "公安"]})
    meeting = s.meetings.create({"kind": "group_activity", "date": today, "start_time": "09:00", "group_id": group,
                                 "title": "停车难题专题议事活动"}).created("meetings")[0]
    s.topics.deliberate(topic, meeting)
    plan = s.plans.for_opinion(opinion)
    assert plan["meeting_id"] == meeting  # deliberating it links the plan to the activity
    labels = [e["label"] for e in s.opinions.timeline(opinion)]
    assert labels == ["收集", "上报组长", "列入议题", "征求小组代表意见", "制定议事方案", "集中议事"]
    consult = next(e for e in s.opinions.timeline(opinion) if e["kind"] == "consult")
    assert "建议先摸清车位缺口" in consult["text"] and members[0]["name"] in consult["text"]

    from app.documents.catalog import export_doc
    from tests.app.documents.test_official_grid import lines_of

    result = export_doc(s, "plan", opinion, tmp_path / "plan.pdf")
    text = "".join(ln["text"] for page in lines_of(tmp_path / "plan.pdf") for ln in page["lines"])
    assert result["title"] == "议事方案"
    for words in ("小区停车难题", "片区议事厅", "小组代表意见", "建议先摸清车位缺口"):
        assert words in text
    assert s.rows("SELECT title FROM meetings WHERE id = ?", [meeting])[0]["title"] in text


def test_action_items_status_progress_and_overdue(demo):
    s = demo
    today = date.today()
    item = next(r for r in s.action_items.list() if not r["in_ledger"] and r["status"] != "done")
    s.db.execute("UPDATE action_items SET deadline = ? WHERE id = ?", [(today - timedelta(days=3)).isoformat(),
                                                                       item["id"]])
    assert next(r for r in s.action_items.overdue() if r["id"] == item["id"])["status_label"] == "逾期"
    notes = [p["note"] for p in s.action_items.progress(item["id"])]
    changes = s.action_items.record_progress(item["id"], today.isoformat(), "已完成方案初稿", "not_started")
    row = s.action_items.detail(item["id"])
    assert row["status"] == "not_started" and row["shown_status"] == "overdue"
    assert [p["note"] for p in row["progress"]] == [*notes, "已完成方案初稿"]
    s.undo(changes, "落实事项进展")  # undoable: the status and the note go back
    row = s.action_items.detail(item["id"])
    assert row["status"] == item["status"]
    # the note stays on record (append-only), followed by its withdrawal
    assert [p["note"] for p in row["progress"]][len(notes):] == ["已完成方案初稿", "撤销了“落实事项进展”（记录保留）"]
    s.action_items.complete(item["id"], today.isoformat())
    row = s.action_items.detail(item["id"])
    assert row["status_label"] == "已完成" and row["done_on"] == today.isoformat()
    assert item["id"] not in {r["id"] for r in s.action_items.overdue()}
    with pytest.raises(ValidationError, match="请填写进展情况"):
        s.action_items.record_progress(item["id"], today.isoformat(), "", "done")
    with pytest.raises(ValidationError, match="晚于今天"):
        s.action_items.record_progress(item["id"], (today + timedelta(days=1)).isoformat(), "明天的事")


def test_an_item_taken_into_the_ledger_follows_its_opinion(demo):
    s = demo
    item = next(r for r in s.action_items.list() if not r["in_ledger"])
    opinion = s.opinions.intake("action_items", item["id"]).created("opinions")[0]
    row = s.action_items.detail(item["id"])
    assert row["in_ledger"] and row["status"] == "not_started"
    with pytest.raises(ConflictError, match="已转入意见建议台账"):
        s.action_items.record_progress(item["id"], date.today().isoformat(), "进展")
    s.opinions.assign(opinion, "department", "城管", 10)
    assert s.action_items.detail(item["id"])["status"] == "in_progress"
    s.opinions.answer(opinion, "已办结")
    row = s.action_items.detail(item["id"])
    assert row["status"] == "done" and row["done_on"] == date.today().isoformat()


def test_an_answer_not_fed_back_within_the_set_working_days_is_flagged(demo):
    s = demo
    # one collected before the dates below (the demo's own go on to the day it was built)
    opinion = s.opinions.create({"source": "phone", "received_on": "2026-02-27",
                                 "title": "路灯不亮"}).created("opinions")[0]
    s.opinions.assign(opinion, "department", "城管", 10, day="2026-03-02")
    s.opinions.answer(opinion, "已修复", "2026-03-10")
    s.settings.update({"feedback_working_days": "5"})
    # five working days after Tue 10 March is Tue 17 March: overdue from the 18th
    on_time, late = date(2026, 3, 17), date(2026, 3, 18)
    assert not s.opinions.detail(opinion, on_time)["feedback_overdue"]
    row = s.opinions.detail(opinion, late)
    assert row["feedback_overdue"] and row["flag"] == "反馈逾期" and row["feedback_due"] == "2026-03-17"
    assert opinion in {r["id"] for r in s.opinions.page(OpinionFilter(overdue=True), limit=None, today=late)}
    assert opinion not in {r["id"] for r in s.opinions.page(OpinionFilter(overdue=True), limit=None, today=on_time)}
    assert opinion in {r["id"] for r in s.opinions.feedback_overdue(late)}
    s.settings.update({"feedback_working_days": "10"})
    assert not s.opinions.detail(opinion, late)["feedback_overdue"]
    with pytest.raises(ValidationError, match="1—60"):
        s.settings.update({"feedback_working_days": "0"})


def test_a_reception_matter_closed_with_its_reason_no_longer_waits(demo):
    from tests.conftest import digest

    s = demo
    matters = new_reception_matters(s, "小区门口占道停车", "广场舞噪音扰民")
    pending = s.opinions.pending_intake()
    assert {p["id"] for p in pending} == set(matters)  # the demo's own are all dealt with
    # action items followed up as 落实事项 do not wait to be taken in either
    assert not [p for p in pending if p["origin_table"] == "action_items"]
    before = digest(s)
    with pytest.raises(ValidationError, match="请写明处理情况"):
        s.receptions.close_matters(matters, "  ")
    assert digest(s) == before
    changes = s.receptions.close_matters(matters, "当场答复", date.today().isoformat())
    waiting = {p["id"] for p in s.opinions.pending_intake()}
    assert not waiting & set(matters) and len(waiting) == len(pending) - 2
    s.undo(changes, "接待事项办结")
    assert set(matters) <= {p["id"] for p in s.opinions.pending_intake()}
    taken = s.opinions.intake("reception_matters", matters[0])
    with pytest.raises(ValidationError, match="已经登记进意见建议台账"):
        s.receptions.close_matters([matters[0]], "当场答复")
    assert taken
