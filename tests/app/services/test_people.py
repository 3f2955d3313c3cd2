"""Issue 25, the people of the work: delegates who took part in a supervision, opinions raised at a
meeting and a plenary's group discussions, the 实地走访调研 of a topic, and a group's election of its
leaders."""

from __future__ import annotations

from datetime import date, timedelta

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
