"""The reminder panel's data and a new office's first steps, read against a fixed 'today'."""

from datetime import date, timedelta

from app.services.reminders import desk_reminders, getting_started

TODAY = date(2026, 3, 16)  # a Monday


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _texts(result, key):
    section = next(s for s in result["sections"] if s["key"] == key)
    assert section["total"] == len(section["items"])
    return [item["text"] for item in section["items"]]


def _targets(result, key):
    return [item["target"] for s in result["sections"] if s["key"] == key for item in s["items"]]


def test_due_today_this_week_overdue_feedback_and_unvisited_grids(store):
    s = store
    community = s.communities.create({"name": "星光社区", "kind": "community"}).created("communities")[0]
    grid = s.grids.create({"community_id": community, "name": "第1网格", "number": 1}).created("grids")[0]
    s.grids.create({"community_id": community, "name": "第2网格", "number": 2})  # no delegate: not listed
    person = s.delegates.create({"name": "张三", "community_id": community, "status": "active"},
                                grid_ids=[grid]).created("delegates")[0]
    today_meeting = s.meetings.create({"kind": "plenary", "date": _day(0), "title": "今天的大会"}).created("meetings")[0]
    s.meetings.create({"kind": "special", "date": _day(3), "title": "周四专题议事"})
    s.meetings.create({"kind": "special", "date": _day(10), "title": "下下周专题议事"})
    late = s.opinions.create({"source": "grid_visit", "received_on": _day(-60), "title": "路灯不亮"}).created("opinions")[0]
    s.opinions.assign(late, "subdistrict", "城管", working_days=5, day=_day(-50))
    soon = s.opinions.create({"source": "grid_visit", "received_on": _day(-5), "title": "井盖松动"}).created("opinions")[0]
    s.opinions.assign(soon, "subdistrict", "城管", working_days=3, day=_day(-1))
    answered = s.opinions.create({"source": "grid_visit", "received_on": _day(-30), "title": "垃圾清运"}
                                 ).created("opinions")[0]
    s.opinions.assign(answered, "subdistrict", "城管", working_days=10, day=_day(-25))
    s.opinions.answer(answered, "已增加清运车次", day=_day(-3))
    assert s.opinions.get(late)["deadline"] < _day(0) and _day(0) < s.opinions.get(soon)["deadline"] <= _day(6)

    result = desk_reminders(s, TODAY)
    assert result["today"] == _day(0)
    today = _texts(result, "today")
    assert any("今天的大会" in t and t.startswith("【会议】") for t in today)
    assert any(t.startswith("【流程环节】今天的大会：听取工作报告") for t in today)  # due on the day
    week = _texts(result, "week")
    assert any(t.startswith("【会议】") and "周四专题议事" in t for t in week)
    assert not any(t.startswith("【会议】") and "下下周" in t for t in week + today)
    assert any("井盖松动" in t and t.startswith("【意见办理期限】") for t in week)
    overdue = _texts(result, "overdue")
    assert any("路灯不亮" in t and t.startswith("【意见办理逾期】") for t in overdue)
    assert any(t.startswith("【流程环节】今天的大会：确定会议日期") for t in overdue)  # due 30 days before
    assert any("垃圾清运" in t for t in _texts(result, "feedback"))
    assert _texts(result, "grids") == ["【网格】星光社区 第1网格（联系代表：张三）"]
    assert {"area": "opinions", "kind": "opinion", "id": late} in _targets(result, "overdue")
    assert {"area": "meetings", "kind": "meeting", "id": today_meeting} in _targets(result, "today")

    # the work recorded, the reminders go: the meeting held, the grid visited, the feedback given
    s.meetings.update(today_meeting, {"status": "held"})
    s.visits.create({"delegate_id": person, "grid_id": grid, "day": _day(-2)})
    result = desk_reminders(s, TODAY)
    assert not any("听取工作报告" in t for t in _texts(result, "today"))
    assert not any("今天的大会" in t and t.startswith("【会议】") for t in _texts(result, "today"))
    assert _texts(result, "grids") == []
    # a week later the reminders move on: what was due this week is overdue
    later = desk_reminders(s, TODAY + timedelta(days=8))
    assert any("井盖松动" in t for t in _texts(later, "overdue"))


def test_a_new_office_has_first_steps_not_warnings(store):
    first = getting_started(store)
    assert first["new"] and first["done"] == 0
    assert [step["label"] for step in first["steps"]][:3] == ["设置单位名称", "建立村（社区）和网格", "导入代表名册"]
    assert {step["area"] for step in first["steps"]} <= {"settings", "organisation", "roster", "venues", "meetings"}
    store.settings.update({"subdistrict": "中山路街道"})
    assert getting_started(store)["steps"][0]["done"]
    store.meetings.create({"kind": "plenary", "date": _day(0)})
    assert not getting_started(store)["new"]
    assert desk_reminders(store, TODAY)["count"] > 0


def test_the_cli_says_what_the_window_says(demo_dir, capsys):
    import json

    from app.fronts.cli import main
    from app.store import Store

    assert main(["remind", "--data-dir", str(demo_dir), "--json", "--date", TODAY.isoformat()]) == 0
    printed = json.loads(capsys.readouterr().out)
    with Store.open(demo_dir) as store:
        assert printed == desk_reminders(store, TODAY)
    assert main(["remind", "--data-dir", str(demo_dir)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"今日提醒（{date.today().isoformat()}）") and "已逾期（" in text
    assert main(["remind", "--data-dir", str(demo_dir), "--date", "2026-02-30"]) == 1
    assert "不是有效日期" in capsys.readouterr().err


def test_a_long_section_lists_the_first_lines_and_counts_them_all(store, monkeypatch):
    monkeypatch.setattr("app.services.reminders.LIMIT", 2)
    for n in range(3):
        opinion = store.opinions.create({"source": "grid_visit", "received_on": _day(-60),
                                         "title": f"逾期意见{n}"}).created("opinions")[0]
        store.opinions.assign(opinion, "subdistrict", "城管", working_days=5, day=_day(-50 + n))
    result = desk_reminders(store, TODAY)
    overdue = next(s for s in result["sections"] if s["key"] == "overdue")
    assert overdue["total"] == 3 and len(overdue["items"]) == 2  # the oldest first
    assert "逾期意见0" in overdue["items"][0]["text"] and "逾期意见1" in overdue["items"][1]["text"]
    assert result["count"] == 3
