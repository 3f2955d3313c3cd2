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


def test_a_review_before_the_topic_was_settled_is_refused_in_its_dialog(qtbot, window, monkeypatch):
    """工委审核 through its dialog: the dialog says the day the topic was settled; a review dated
    before it is refused when saved, with both days; the topic stays as it was."""
    store = store_of(window)
    person = store.rows("SELECT id, group_id FROM delegates WHERE deleted = 0 AND status = 'active'"
                        " AND group_id IS NOT NULL LIMIT 1")[0]
    received, formed = (date.today() - timedelta(days=9)).isoformat(), (date.today() - timedelta(days=5)).isoformat()
    opinion = store.opinions.create({"source": "grid_visit", "received_on": received, "delegate_id": person["id"],
                                     "title": "楼道堆物"}).created("opinions")[0]
    topic = store.topics.create({"title": "楼道堆物整治", "group_id": person["group_id"]}, [opinion],
                                day=formed).created("topics")[0]
    before = store.topics.get(topic)
    page = open_page(qtbot, window, "opinions")
    topics = page.topics
    page.tabs.setCurrentWidget(topics)
    topics.group.setCurrentIndex(topics.group.findData(person["group_id"]))
    topics.reload_lists()
    wait_idle(qtbot, window.backend)
    topics.topics_view.selectRow(next(r for r in range(topics.topics.rowCount())
                                      if topics.topics.row_at(r)["id"] == topic))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    seen: dict = {}
    note: list[str] = []
    QTimer.singleShot(0, lambda: _note_of_dialog(note, then=lambda: _fill(
        "day", (date.today() - timedelta(days=6)).isoformat(), {}, seen)))
    topics.review()
    qtbot.waitUntil(lambda: "ok" in seen, timeout=5000)
    assert seen["ok"] is True, seen  # a past day: the form itself lets it through
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert f"确定议题日期：{formed}" in note[0]
    assert "审核日期" in shown[0] and f"早于“确定议题日期”{formed}" in shown[0], shown
    assert store.topics.get(topic) == before


def _note_of_dialog(note: list[str], then) -> None:
    """When the modal form is up: what its labels say, then `then` (which fills and closes it)."""
    from PySide6.QtWidgets import QLabel

    dialog = QApplication.activeModalWidget()
    if dialog is None or not hasattr(dialog, "editors"):
        QTimer.singleShot(10, lambda: _note_of_dialog(note, then))
        return
    note.append(" ".join(label.text() for label in dialog.findChildren(QLabel)))
    then()


def test_a_topic_settled_before_its_opinion_was_received_is_refused_from_the_opinion_window(qtbot, window,
                                                                                           monkeypatch):
    store = store_of(window)
    row = store.rows("SELECT id, received_on FROM opinions WHERE status = 'collected' AND deleted = 0"
                     " ORDER BY rowid LIMIT 1")[0]
    before = store.opinions.get(row["id"])
    page = open_page(qtbot, window, "opinions")
    dialog = page.list.open_opinion(row["id"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and dialog.buttons["to_topic"].isEnabled(), timeout=5000)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    seen: dict = {}
    _fill("day", (date.fromisoformat(row["received_on"]) - timedelta(days=1)).isoformat(), {}, seen)
    dialog.buttons["to_topic"].click()
    assert seen["ok"] is True, seen
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "确定议题日期" in shown[0] and f"的收集日期（{row['received_on']}）" in shown[0], shown
    assert store.opinions.get(row["id"]) == before
