"""Every dated step of the opinion window (上报, 交办, 督办, 办结, 反馈), through its dialog as the clerk
fills it: a day after today is refused as it is typed (OK stays off, the reason under the field);
a day before the step it follows is refused when saved, with the reason; nothing changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from tests.ui.conftest import open_page, store_of, wait_idle

TOMORROW = (date.today() + timedelta(days=1)).isoformat()

# action (button), status of an opinion it applies to, the dated field of its dialog, the day it
# must not precede, what the refusal names, what else the dialog needs filled in
STEPS = [
    ("report", "collected", "day", "received_on", "上报日期", {}),
    ("assign", "collected", "day", "received_on", "交办日期", {"lead_unit": "街道城管办"}),
    ("supervise", "assigned", "day", "assigned_on", "督办日期", {"content": "电话催办"}),
    ("answer", "assigned", "day", "assigned_on", "办结日期", {"result": "已修复"}),
    ("feedback", "answered", "delegate_on", "answered_on", "反馈代表日期", {}),
]


def _fill(field: str, day: str, extras: dict, seen: dict) -> None:
    """When the step's modal form is up: fill what it needs, type the day, note what the form
    says of it, then OK (when it lets us) or cancel."""

    def act():
        dialog = QApplication.activeModalWidget()
        if dialog is None or not hasattr(dialog, "editors"):
            QTimer.singleShot(20, act)
            return
        editors = dialog.editors
        for name, value in extras.items():
            editors[name].set_value(value)
        editors[field].widget.setText(day)
        editors[field].widget.textEdited.emit(day)
        ok = dialog.buttons.button(QDialogButtonBox.Ok)
        seen["ok"] = ok.isEnabled()
        seen["error"] = editors[field].message.text()
        (ok if ok.isEnabled() else dialog.buttons.button(QDialogButtonBox.Cancel)).click()

    QTimer.singleShot(0, act)


@pytest.mark.parametrize("action, status, field, prior, named, extras", STEPS, ids=[s[0] for s in STEPS])
def test_each_dated_step_refuses_a_future_or_out_of_order_day_in_its_dialog(qtbot, window, monkeypatch, action,
                                                                           status, field, prior, named, extras):
    page = open_page(qtbot, window, "opinions")
    store = store_of(window)
    row = store.rows(f"SELECT id, {prior} AS prior FROM opinions WHERE status = ? AND deleted = 0 AND {prior} > ''"
                     " ORDER BY rowid LIMIT 1", [status])[0]
    before_state = store.opinions.get(row["id"])
    dialog = page.list.open_opinion(row["id"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and dialog.buttons[action].isEnabled(), timeout=5000)

    seen: dict = {}
    _fill(field, TOMORROW, extras, seen)
    dialog.buttons[action].click()
    assert seen["ok"] is False and "晚于今天" in seen["error"], seen

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    earlier = (date.fromisoformat(row["prior"]) - timedelta(days=1)).isoformat()
    _fill(field, earlier, extras, seen)
    dialog.buttons[action].click()
    assert seen["ok"] is True, seen  # the form itself has nothing against a past day
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert named in shown[0] and "早于" in shown[0], shown
    after = store.opinions.get(row["id"])
    assert after["status"] == status and after == before_state
