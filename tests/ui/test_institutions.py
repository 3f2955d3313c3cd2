"""制度建设 from 组织, the meeting's notify list, and the round's 二下 from 推选."""

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.conftest import open_page, store_of, wait_idle
from tests.ui.test_meetings import open_meeting


def test_a_leading_group_entered_from_the_institutions_tab_shows_its_members_and_undoes(qtbot, window):
    organisation = open_page(qtbot, window, "organisation")
    page = organisation.institutions
    organisation.tabs.setCurrentWidget(page)
    wait_idle(qtbot, window.backend)
    assert page.model.rowCount() == 9  # the demo's 3 studies, group, plan and 4 rules
    page.add()
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=5000)
    dialog = page.dialog
    dialog.editors["kind"].set_value("leading_group")
    dialog.editors["title"].widget.setText("议事代表履职考评小组")
    dialog.editors["day"].widget.setText("2026-11-02")
    dialog.editors["members"].widget.setPlainText("组长：李红梅（人大街道工委主任）\n组员：王磊")  # 组员 is no role
    dialog.buttons.button(QDialogButtonBox.Save).click()
    qtbot.waitUntil(lambda: "成员第 2 行" in dialog.editors["members"].message.text(), timeout=5000)
    dialog.editors["members"].widget.setPlainText("组长：李红梅（人大街道工委主任）\n成员：王磊（党政办主任）")
    dialog.buttons.button(QDialogButtonBox.Save).click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 10, timeout=5000)
    row = next(r for r in page.model.rows if r["title"] == "议事代表履职考评小组")
    assert row["member_names"] == "组长：李红梅；成员：王磊"
    window.undo()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: page.model.rowCount() == 9, timeout=5000)


def test_the_meeting_window_gives_the_notify_list_with_phones(qtbot, window):
    store = store_of(window)
    meeting = store.rows("SELECT id FROM meetings WHERE kind = 'plenary' ORDER BY date DESC LIMIT 1")[0]["id"]
    _page, editor = open_meeting(qtbot, window, meeting)
    editor.notify()
    qtbot.waitUntil(lambda: getattr(editor, "notify_dialog", None) is not None, timeout=5000)
    dialog = editor.notify_dialog
    qtbot.addWidget(dialog)
    assert dialog.people.rowCount() == 70
    dialog.copy_phones()
    assert QGuiApplication.clipboard().text().count("，") == 69
    dialog.copy_text()
    assert store.meetings.get(meeting)["title"] in QGuiApplication.clipboard().text()
