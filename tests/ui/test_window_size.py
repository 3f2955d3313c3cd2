"""Every area and every editing window fits the smallest common office screen: 1366 × 768, and
1920 × 1080 at 150 % (1280 × 720 logical pixels), less the taskbar. A layout whose minimum is
larger would be clipped there."""

import pytest

from tests.ui.conftest import open_page, store_of, wait_idle

SMALLEST = (1280, 680)  # 1920 × 1080 at 150 %, less a 40 px taskbar


@pytest.mark.parametrize("area", ["overview", "roster", "nomination", "organisation", "venues", "meetings",
                                  "opinions", "data", "recycle", "settings"])
def test_every_area_fits_the_smallest_screen(qtbot, window, area):
    open_page(qtbot, window, area)
    need = window.minimumSizeHint()
    assert need.width() <= SMALLEST[0] and need.height() <= SMALLEST[1], (area, need)


def test_the_meeting_and_opinion_windows_fit_the_smallest_screen(qtbot, window):
    from app.services.meetings import MeetingFilter
    from ui.meeting_editor import MeetingEditor
    from ui.opinion_dialog import OpinionDialog

    store = store_of(window)
    for kind in ("plenary", "reception", "group_activity"):
        meeting = store.meetings.page(MeetingFilter(kind=kind), limit=1)[0]
        editor = MeetingEditor(window.backend, meeting["id"], window)
        qtbot.addWidget(editor)
        qtbot.waitUntil(lambda e=editor: e.built, timeout=5000)
        need = editor.minimumSizeHint()
        assert need.width() <= SMALLEST[0] and need.height() <= SMALLEST[1], (kind, need)
    opinion = store.rows("SELECT id FROM opinions WHERE deleted = 0 LIMIT 1")[0]
    dialog = OpinionDialog(window.backend, opinion["id"], window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    wait_idle(qtbot, window.backend)
    need = dialog.minimumSizeHint()
    assert need.width() <= SMALLEST[0] and need.height() <= SMALLEST[1], need
