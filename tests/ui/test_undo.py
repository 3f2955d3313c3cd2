"""From every area, an edit is one operation: Ctrl+Z names it, the views showing those rows
refresh at once, and undoing it refreshes them back."""

import sys

import pytest

from tests.ui.conftest import open_page, store_of, wait_idle


@pytest.fixture
def yes(monkeypatch):
    """The clerk says yes to every "are you sure?" of every page."""
    for name, module in list(sys.modules.items()):
        if name.startswith("ui.") and hasattr(module, "confirm"):
            monkeypatch.setattr(module, "confirm", lambda *a, **k: True)


def _edit_and_undo(qtbot, window, model, edit, summary_part):
    """Run `edit`; the model refreshes to one row fewer (or otherwise changed) and Ctrl+Z names it;
    undo brings the model back."""
    before = model.rowCount()
    edit()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: model.rowCount() != before, timeout=5000)
    assert summary_part in window.backend.undo_summary()
    assert window.undo_action.isEnabled()
    window.undo()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: model.rowCount() == before, timeout=5000)
    assert window.backend.undo_summary() == "" or summary_part not in window.backend.undo_summary()


def _select_first(view):
    view.selectRow(0)
    view.setCurrentIndex(view.model().index(0, 0))


@pytest.mark.parametrize("area, table, summary", [
    ("roster", "view", "删除代表"),
    ("meetings", "list.view", "删除会议"),
    ("opinions", "list.view", "删除"),
    ("organisation", "groups.view", "删除"),
    ("venues", "view", "删除"),
])
def test_a_delete_from_each_area_refreshes_and_undoes(qtbot, window, yes, area, table, summary):
    page = open_page(qtbot, window, area)
    owner = page
    for part in table.split(".")[:-1]:
        owner = getattr(owner, part)
    view = getattr(owner, table.split(".")[-1])
    qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=5000)
    _select_first(view)
    if area == "organisation":  # a group with members cannot go: take the one added for the test
        store_of(window).groups.create({"name": "临时小组"})
        owner.reload()
        wait_idle(qtbot, window.backend)
        row = next(i for i, r in enumerate(view.model().rows) if r["name"] == "临时小组")
        view.selectRow(row)
    _edit_and_undo(qtbot, window, view.model(), owner.delete, summary)


def test_restoring_from_the_recycle_bin_refreshes_the_roster_and_undoes(qtbot, window, yes):
    roster = open_page(qtbot, window, "roster")
    _select_first(roster.view)
    roster.delete()
    wait_idle(qtbot, window.backend)
    recycle = open_page(qtbot, window, "recycle")
    qtbot.waitUntil(lambda: recycle.model.rowCount() == 1, timeout=5000)
    recycle.view.selectRow(0)
    _edit_and_undo(qtbot, window, roster.model, recycle.restore, "恢复")


def test_a_holiday_arrangement_from_settings_is_undoable(qtbot, window):
    page = open_page(qtbot, window, "settings")
    page.holiday_year.setText("2031")
    page.holiday_days.setText("2031-10-01~2031-10-03")
    page.workdays.setText("")
    page.save_holidays()
    wait_idle(qtbot, window.backend)
    store = store_of(window)
    assert store.scalar("SELECT count(*) FROM holiday_days WHERE day LIKE '2031-%' AND deleted = 0") == 3
    assert "节假日" in window.backend.undo_summary()
    window.undo()
    wait_idle(qtbot, window.backend)
    assert store.scalar("SELECT count(*) FROM holiday_days WHERE day LIKE '2031-%' AND deleted = 0") == 0


def test_minutes_saved_in_the_meeting_window_are_undoable_and_the_list_refreshes(qtbot, window):
    from app.services.meetings import MeetingFilter
    from ui.meeting_editor import MeetingEditor

    store = store_of(window)
    meetings = open_page(qtbot, window, "meetings").list
    meeting = next(m for m in store.meetings.page(MeetingFilter(kind="group_activity"), limit=None)
                   if m["status"] == "held")
    editor = MeetingEditor(window.backend, meeting["id"], window)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.built, timeout=5000)
    with qtbot.waitSignal(meetings.model.loaded, timeout=5000):  # the open list refreshes too
        editor.minutes.summary.setPlainText("改过的会议概况")
        editor.minutes.save()
    wait_idle(qtbot, window.backend)
    assert store.meetings.get(meeting["id"])["summary"] == "改过的会议概况"
    assert "会议纪要" in window.backend.undo_summary()
    window.undo()
    wait_idle(qtbot, window.backend)
    assert store.meetings.get(meeting["id"])["summary"] == meeting["summary"]


def test_an_edit_that_forgets_its_undo_summary_is_a_bug(qtbot, window, bugs_fail_the_test):
    group_id = store_of(window).groups.list()[0]["id"]
    window.backend.op(lambda s: s.groups.update(group_id, {"focus": "没有名字的修改"}))
    wait_idle(qtbot, window.backend)
    assert bugs_fail_the_test and "without an undo summary" in bugs_fail_the_test[0]
    bugs_fail_the_test.clear()


def test_steps_committed_before_a_refusal_still_refresh_the_views(qtbot, window):
    from app.common.errors import ConflictError

    store = store_of(window)
    groups = open_page(qtbot, window, "organisation").groups
    before = groups.model.rowCount()
    refused = []

    def two_steps(s):
        s.groups.create({"name": "先建好的小组"})
        raise ConflictError("第二步被拒绝")

    window.backend.op(two_steps, None, refused.append, summary="两步")
    qtbot.waitUntil(lambda: bool(refused), timeout=5000)
    qtbot.waitUntil(lambda: groups.model.rowCount() == before + 1, timeout=5000)
    assert "先建好的小组" in [g["name"] for g in store.groups.list()]
