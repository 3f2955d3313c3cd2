"""A package from an office whose PC runs far ahead (300 days) does not drag this office's clock:
its rows come in with their stamps, the clerk is told, the audit log says so, and an edit made here
afterwards still wins over the far-ahead value."""

from __future__ import annotations

import time

from app.common.clock import MAX_DRIFT_MS
from tests.app.exchange.conftest import send

DAY_MS = 86_400_000


def test_a_package_stamped_300_days_ahead_does_not_move_this_offices_clock(offices):
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    ahead = int(time.time() * 1000) + 300 * DAY_MS
    a.clock.now_ms = lambda: ahead  # office A's PC has the wrong date
    group = a.groups.list()[0]
    a.groups.update(group["id"], {"focus": "电脑日期错了的一次修改"})
    b.clock.now_ms = lambda: int(time.time() * 1000)
    result = send(a, b, stick)
    assert b.groups.get(group["id"])["focus"] == "电脑日期错了的一次修改"
    assert "快约 300 天" in result["clock_note"]
    # this office's clock stays within a day of its wall clock
    assert b.clock.tick().wall_ms <= int(time.time() * 1000) + MAX_DRIFT_MS
    assert b.rows("SELECT summary FROM audit WHERE summary LIKE '%快约 300 天%'")
    # an edit made here afterwards is stamped past the far-ahead one, so it is the one that stays
    b.groups.update(group["id"], {"focus": "本机随后改正"})
    a.clock.now_ms = lambda: ahead + 1
    send(b, a, stick)
    assert a.groups.get(group["id"])["focus"] == "本机随后改正"


def test_reopening_a_store_holding_a_far_ahead_stamp_keeps_the_clock_bounded(offices, tmp_path):
    from app.store import Store

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    a.clock.now_ms = lambda: int(time.time() * 1000) + 300 * DAY_MS
    a.groups.create({"name": "未来小组"})
    send(a, b, stick)
    folder = b.data_dir
    b.close()
    reopened = Store.open(folder)
    try:
        assert reopened.clock.tick().wall_ms <= int(time.time() * 1000) + MAX_DRIFT_MS
    finally:
        reopened.close()
        stores["B"] = Store.open(folder)  # the fixture closes what it opened
