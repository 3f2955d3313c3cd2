"""One person in one place at a time: the reception-day rota and the sign-in refuse a delegate at
two halls (or meetings) whose hours overlap, naming where they already are; `check` names such a
pair written behind the program's back."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from app.common.errors import ValidationError
from tests.conftest import digest


def _two_halls_on_one_saturday(store) -> tuple[dict, dict, str]:
    halls = store.venues.list("neighbourhood_hall")
    month = (date.today() - timedelta(days=40)).strftime("%Y-%m")
    by_day: dict[str, list] = {}
    for hall in halls:
        for m in store.rows("SELECT date FROM meetings WHERE kind = 'reception' AND venue_id = ? AND deleted = 0"
                            " AND substr(date, 1, 7) = ?", [hall["id"], month]):
            by_day.setdefault(m["date"], []).append(hall)
    day, pair = next((d, hs) for d, hs in by_day.items() if len(hs) >= 2)
    return pair[0], pair[1], month


def test_the_rota_refuses_a_delegate_at_two_halls_at_the_same_hour(demo):
    first, second, month = _two_halls_on_one_saturday(demo)
    roster = {hall["id"]: hall for hall in demo.receptions.roster(month)}
    on_duty = [d["id"] for d in roster[first["id"]]["delegates"]]
    before = digest(demo)
    with pytest.raises(ValidationError, match="一人不能同时在两处") as caught:
        demo.receptions.set_duty(second["id"], month, on_duty[:1])
    assert first["name"] in str(caught.value) and "值班" in str(caught.value)
    assert digest(demo) == before


def test_the_sign_in_refuses_a_delegate_present_at_two_meetings_at_once(demo):
    reception = demo.rows("SELECT m.id, m.date, m.start_time, r.delegate_id FROM meetings m JOIN reception_duties r"
                          " ON r.venue_id = m.venue_id AND r.month = substr(m.date, 1, 7) AND r.deleted = 0"
                          " WHERE m.kind = 'reception' AND m.status = 'held' AND m.deleted = 0 LIMIT 1")[0]
    other = demo.meetings.create({"kind": "special", "title": "同一上午的专题议事", "date": reception["date"],
                                  "start_time": "10:00", "end_time": "11:00"}).created("meetings")[0]
    before = digest(demo)
    with pytest.raises(ValidationError, match="一人不能同时在两处"):
        demo.attendance.record(other, {reception["delegate_id"]: "present"})
    assert digest(demo) == before
    demo.attendance.record(other, {reception["delegate_id"]: "excused"})  # asking for leave is fine


def test_check_names_a_double_booking_written_behind_the_programs_back(demo_dir):
    from app.storage.check import run_checks
    from app.store import Store

    with Store.open(demo_dir) as store:
        first, second, month = _two_halls_on_one_saturday(store)
        person = next(h for h in store.receptions.roster(month) if h["id"] == first["id"])["delegates"][0]
    conn = sqlite3.connect(demo_dir / "yishi.db")
    conn.execute("INSERT INTO reception_duties (id, venue_id, month, delegate_id, deleted) VALUES (?, ?, ?, ?, 0)",
                 ["00000000-0000-4000-8000-0000000000aa", second["id"], month, person["id"]])
    conn.commit()
    conn.close()
    with Store.open(demo_dir) as store:
        report = run_checks(store)
    assert not report["rules"]["ok"]
    assert any(person["name"] in b["message"] and "一人不能同时在两处" in b["message"]
               for b in report["rules"]["breaches"])
