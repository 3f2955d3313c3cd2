"""Steps in order and not in the future, through the window: a step's dialog refuses a future date
as it is typed (its OK stays off, the reason shown); a date before the step it follows is refused
with the reason when saved; a meeting dated ahead cannot be marked 已召开."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from tests.ui.conftest import open_page, store_of, wait_idle
from tests.ui.test_meetings import open_meeting

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def _fill_step_dialog(qtbot, day: str, seen: dict, *, accept: bool) -> None:
    """When the step's modal form is up: type the day and the result, note what it says, then OK
    (when it lets us) or cancel."""

    def act():
        dialog = QApplication.activeModalWidget()
        if dialog is None or not hasattr(dialog, "editors"):
            QTimer.singleShot(20, act)
            return
        editors = dialog.editors
        if "result" in editors:
            editors["result"].set_value("已修复")
        editors["day"].widget.setText(day)
        editors["day"].widget.textEdited.emit(day)
        ok = dialog.buttons.button(QDialogButtonBox.Ok)
        seen["ok"] = ok.isEnabled()
        seen["error"] = editors["day"].message.text()
        (ok if accept and ok.isEnabled() else dialog.buttons.button(QDialogButtonBox.Cancel)).click()

    QTimer.singleShot(0, act)


def test_an_opinion_step_dated_ahead_or_out_of_order_is_refused_in_its_dialog(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "opinions")
    store = store_of(window)
    row = store.rows("SELECT id, assigned_on FROM opinions WHERE status = 'assigned' AND deleted = 0 LIMIT 1")[0]
    dialog = page.list.open_opinion(row["id"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and dialog.buttons["answer"].isEnabled(), timeout=5000)

    seen: dict = {}
    _fill_step_dialog(qtbot, TOMORROW, seen, accept=True)
    dialog.buttons["answer"].click()
    assert seen["ok"] is False and "晚于今天" in seen["error"]
    assert store.opinions.get(row["id"])["status"] == "assigned"

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    before = (date.fromisoformat(row["assigned_on"]) - timedelta(days=1)).isoformat()
    _fill_step_dialog(qtbot, before, seen, accept=True)
    dialog.buttons["answer"].click()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "办结日期" in shown[0] and "早于" in shown[0] and "交办日期" in shown[0]
    assert store.opinions.get(row["id"])["status"] == "assigned"


def test_a_meeting_dated_ahead_cannot_be_marked_held(qtbot, window):
    store = store_of(window)
    planned = store.rows("SELECT id FROM meetings WHERE status = 'planned' AND date > ? AND deleted = 0 LIMIT 1",
                         [date.today().isoformat()])[0]["id"]
    _, editor = open_meeting(qtbot, window, planned)
    details = editor.details
    status = details.editors["status"]
    status.set_value("held")
    details.save()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: "不能标为已召开" in status.message.text(), timeout=5000)
    assert store.meetings.get(planned)["status"] == "planned"
