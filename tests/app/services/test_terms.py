"""A term closes (届满): its delegates may be chosen again, and each meeting counts those serving on its day."""

from datetime import date, timedelta

import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.meetings import MeetingFilter
from tests.conftest import DEMO_YEAR


def _run_round(s, round_id, person, day):
    """One candidate (a delegate of the closed term) through 两下两上 to appointment."""
    values = {k: person[k] for k in ("name", "gender", "birth_date", "id_number", "community_id", "party")}
    values.update({"route": "party_org", "recommender": "社区党委", "resident_since": "2010-01-01"})
    cid = s.candidates.nominate(round_id, values).created("candidates")[0]
    s.candidates.record([cid], "community_approved", day, "pass")
    s.candidates.record([cid], "preliminary_reviewed", day, "pass")
    s.candidates.review([cid], "组织办", "合格", day)
    s.nomination.start_notice(round_id, day)
    after = (date.fromisoformat(s.nomination.get(round_id)["notice_end"]) + timedelta(days=1)).isoformat()
    s.nomination.close_notice(round_id, after)
    s.nomination.confirm(round_id, [cid], after, "党工委〔2026〕9号")
    return s.scalar("SELECT delegate_id FROM candidates WHERE id = ?", [cid])


def test_closing_a_term_lets_the_next_round_choose_its_delegates_and_quorums_follow_the_date(demo, monkeypatch):
    s = demo
    first = s.terms.current_id()
    person = s.rows("SELECT * FROM delegates WHERE deleted = 0 AND status = 'active' AND id_number IS NOT NULL"
                    " ORDER BY name_pinyin LIMIT 1")[0]
    second = s.terms.create({"name": "第二届", "start_date": "2026-12-01"}).created("terms")[0]
    round_id = s.nomination.open_round({"name": "第二届议事代表推选", "opened_on": "2026-11-02", "seats": 1,
                                        "term_id": second, "review_units": "组织办"}).created("nomination_rounds")[0]
    with pytest.raises(ValidationError, match="晚于今天"):
        s.terms.close(first, (date.today() + timedelta(days=1)).isoformat())
    with pytest.raises(ValidationError, match="早于本届开始日期"):
        s.terms.close(first, f"{DEMO_YEAR - 2}-12-31")  # the term began in March of the year before
    plenary = s.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]
    assert s.attendance.quorum(plenary["id"])["total"] == 70

    # A by-election of the first term still refuses a serving delegate of that term.
    by = s.nomination.open_round({"name": "补选", "kind": "by_election", "reason": "出缺", "opened_on": "2026-11-02",
                                  "seats": 1, "term_id": first, "review_units": "组织办"}).created("nomination_rounds")[0]
    values = {k: person[k] for k in ("name", "gender", "birth_date", "id_number", "community_id", "party")}
    with pytest.raises(ConflictError, match="已是本届在任议事代表"):
        s.candidates.nominate(by, {**values, "route": "party_org", "recommender": "社区党委",
                                   "resident_since": "2010-01-01"})

    closed_on = date.today().isoformat()
    changes = s.terms.close(first, closed_on)
    assert s.scalar("SELECT count(*) FROM delegates WHERE term_id = ? AND status = 'term_ended'", [first]) == 70
    assert s.delegates.history(person["id"])[-1]["text"].startswith("在任 → 届满")
    with pytest.raises(ConflictError, match="已于 .* 届满"):
        s.terms.close(first, closed_on)
    assert "terms" in changes.tables and "delegate_events" in changes.tables

    # The meeting held before the closure still counts the 70 of the first term.
    assert s.attendance.quorum(plenary["id"])["total"] == 70
    assert len(s.attendance.expected(s.meetings.get(plenary["id"]))) == 70

    new_id = _run_round(s, round_id, person, "2026-11-02")
    assert new_id != person["id"]
    assert s.delegates.get(new_id)["term_id"] == second and s.delegates.get(person["id"])["status"] == "term_ended"
    later = (date.today() + timedelta(days=20)).isoformat()
    meeting = s.meetings.create({"kind": "plenary", "date": later, "start_time": "09:00",
                                 "title": "第二届第一次议事代表大会", "scope": "all"}).created("meetings")[0]
    assert s.attendance.quorum(meeting)["total"] == 1  # the new term's one delegate
    assert [r["id"] for r in s.attendance.expected(s.meetings.get(meeting))] == [new_id]
    assert s.attendance.quorum(plenary["id"])["total"] == 70  # and the old meeting is unchanged


def test_registers_filter_by_term(demo, tmp_path):
    from openpyxl import load_workbook

    from app.registers.catalog import export_register

    s = demo
    first = s.terms.current_id()
    s.terms.close(first, date.today().isoformat())
    s.terms.create({"name": "第二届", "start_date": date.today().isoformat()})
    roster = export_register(s, "roster", tmp_path / "r.xlsx")  # serving now: nobody yet
    assert roster["rows"] == 0
    old = export_register(s, "roster", tmp_path / "r1.xlsx", term_id=first)
    assert old["rows"] == 70
    sheet = load_workbook(tmp_path / "r1.xlsx").active
    assert "届满" in [c.value for c in sheet[4]]
    assert export_register(s, "attendance", tmp_path / "a.xlsx", term_id=first)["rows"] == 70


def test_the_term_list_counts_its_delegates_and_says_which_term_has_ended(demo):
    s = demo
    first = s.terms.current_id()
    second = s.terms.create({"name": "第二届", "start_date": "2095-01-01", "end_date": "2099-12-31"}).created("terms")[0]
    listed = {t["id"]: t for t in s.terms.list()}
    assert (listed[first]["delegate_count"], listed[first]["serving_count"], listed[first]["state_label"]) == (70, 70, "在任")
    assert (listed[second]["delegate_count"], listed[second]["serving_count"]) == (0, 0)
    assert [t["id"] for t in s.terms.list()] == [first, second]  # by start date
    assert s.terms.choices() == [(second, "第二届"), (first, listed[first]["name"])]  # newest first
    end = listed[first]["end_date"]

    day = date.today().isoformat()
    s.terms.close(first, day, "  换届选举  ")
    listed = {t["id"]: t for t in s.terms.list()}
    assert (listed[first]["delegate_count"], listed[first]["serving_count"], listed[first]["state_label"]) == (70, 0, "已届满")
    assert listed[first]["closed_on"] == day and listed[first]["end_date"] == (end or day)  # a set end date stays
    assert s.terms.choices()[1] == (first, listed[first]["name"] + "（已届满）")
    person = s.scalar("SELECT id FROM delegates WHERE term_id = ? ORDER BY id LIMIT 1", [first])
    last = s.delegates.history(person)[-1]
    assert (last["day"], last["kind"], last["text"]) == (day, "term_ended", "在任 → 届满：换届选举")


def test_a_term_closed_without_a_reason_says_which_term_ended_and_keeps_no_end_date_blank(demo):
    s = demo
    term = s.terms.create({"name": "试点届", "start_date": "2020-01-01"}).created("terms")[0]
    s.terms.close(term, "2021-06-30")
    row = s.terms.get(term)
    assert (row["closed_on"], row["end_date"]) == ("2021-06-30", "2021-06-30")
    first = s.terms.current_id()
    s.terms.close(first, date.today().isoformat())
    person = s.scalar("SELECT id FROM delegates WHERE term_id = ? ORDER BY id LIMIT 1", [first])
    name = s.terms.get(first)["name"]
    assert s.delegates.history(person)[-1]["text"] == f"在任 → 届满：{name}届满"
    assert s.rows("SELECT action, summary FROM audit ORDER BY rowid DESC LIMIT 1")[0] == \
        {"action": "update", "summary": f"{name}届满（{date.today().isoformat()}，70 名代表）"}
    from app.storage.audit import current_actor

    assert s.delegates.history(person)[-1]["actor"] == current_actor(s.db)  # who recorded the change


def test_term_dates_and_names_are_checked(demo):
    s = demo
    first = s.terms.current_id()
    name = s.terms.get(first)["name"]
    for values, field, message in (
            ({"name": "第三届", "start_date": "2026-13-01"}, "start_date", "开始日期“2026-13-01”不是有效日期"),
            ({"name": "第三届", "end_date": "2026-02-30"}, "end_date", "结束日期“2026-02-30”不是有效日期"),
            ({"name": "第三届", "start_date": "2026-03-01", "end_date": "2026-02-28"}, "end_date",
             "^届次的结束日期早于开始日期$"),
    ):
        with pytest.raises(ValidationError, match=message) as refused:
            s.terms.create(values)
        assert refused.value.field == field
    with pytest.raises(ConflictError, match=f"已有名为“{name}”的届次") as taken:
        s.terms.create({"name": name})
    assert taken.value.field == "name"
    # Editing a term keeps its own name, and the dates are checked with those already stored.
    s.terms.update(first, {"name": name, "notes": "首届"})
    start = s.terms.get(first)["start_date"]
    with pytest.raises(ValidationError, match="结束日期早于开始日期"):
        s.terms.update(first, {"end_date": (date.fromisoformat(start) - timedelta(days=1)).isoformat()})
    s.terms.create({"name": "第三届", "start_date": "2030-03-01", "end_date": "2030-03-01"})  # one day is a term


def test_the_current_term_is_the_chosen_one_while_it_exists(demo):
    s = demo
    first = s.terms.current_id()
    later = s.terms.create({"name": "第二届", "start_date": "2099-01-01"}).created("terms")[0]
    assert s.terms.current_id() == later  # none chosen: the latest to start
    s.settings.update({"current_term_id": first})
    assert s.terms.current_id() == first
    s.terms.delete(later)
    s.settings.update({"current_term_id": later})  # a deleted term is not current
    assert s.terms.current_id() == first


def test_a_term_with_delegates_cannot_be_deleted(demo):
    first = demo.terms.current_id()
    with pytest.raises(ValidationError, match="还有 70 名代表属于该届次"):
        demo.terms.delete(first)


def test_a_terms_closing_day_is_checked_and_may_be_its_first_day(demo):
    s = demo
    first = s.terms.current_id()
    start = s.terms.get(first)["start_date"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    before = (date.fromisoformat(start) - timedelta(days=1)).isoformat()
    for day, message in (("2026-02-30", "届满日期“2026-02-30”不是有效日期（格式：2025-06-18）"),
                         (before, f"届满日期 {before} 早于本届开始日期 {start}"),
                         (tomorrow, f"届满日期 {tomorrow} 晚于今天：请在届满当天或之后办理")):
        with pytest.raises(ValidationError) as refused:
            s.terms.close(first, day)
        assert (refused.value.message, refused.value.field) == (message, "day")
    s.terms.close(first, start)  # a term may end the day it began
    assert s.terms.get(first)["closed_on"] == start
