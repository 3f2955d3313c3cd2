"""The window asks the meeting-kind registry: a kind registered there (and nowhere else) is in the
meetings list's filter, the year plan's chooser and the statistics tab; every kind has its figure."""

from __future__ import annotations

import pytest

from app.rules import meeting_kinds as mk
from tests.app.test_meeting_kinds import INSPECTION
from tests.conftest import DEMO_YEAR
from tests.ui.conftest import open_page, open_window, wait_idle


@pytest.fixture
def fifth_kind():
    with mk.registered(INSPECTION) as kind:
        yield kind


@pytest.fixture
def kinds_window(qtbot, fifth_kind, backend):
    """The window built while the fifth kind is registered."""
    return open_window(qtbot, backend)


def test_a_fifth_kind_is_in_the_list_filter_the_year_plan_and_the_statistics(qtbot, kinds_window):
    window = kinds_window
    page = open_page(qtbot, window, "meetings")
    assert page.list.kind.findData("inspection") >= 0
    assert page.list.kind.itemText(page.list.kind.findData("inspection")) == "视察调研"
    plan = page.plan
    plan.year.setCurrentIndex(plan.year.findData(DEMO_YEAR))
    plan.kind.setCurrentIndex(plan.kind.findData("inspection"))
    wait_idle(qtbot, window.backend)
    assert plan.kind.currentText() == "视察调研（每年 1 次）"
    assert [(r["subject"], r["state_label"]) for r in plan.model.rows] == [("视察调研", "未召开")]
    stats = open_page(qtbot, window, "opinions").stats
    stats.reload()
    wait_idle(qtbot, window.backend)
    assert "开展视察调研" in stats.labels["inspection"].text() and "0 次" in stats.labels["inspection"].text()


def test_the_year_plan_and_the_statistics_tab_have_every_kind(qtbot, window):
    page = open_page(qtbot, window, "meetings")
    plan, stats = page.plan, open_page(qtbot, window, "opinions").stats
    assert [plan.kind.itemData(i) for i in range(plan.kind.count())] == list(mk.codes())  # 专题议事 included
    stats.year.setCurrentIndex(stats.year.findData(DEMO_YEAR))
    wait_idle(qtbot, window.backend)
    held = window.backend._worker.store.opinion_stats.report(DEMO_YEAR)["meetings_held"]
    for kind in mk.kinds():
        assert f"{held.get(kind.code, 0)} 次" in stats.labels[kind.code].text(), kind.code
        assert kind.stats_item in stats.labels[kind.code].text()
