"""A meeting whose day has not come, through its editor as the clerk uses it: marking someone present,
saving minutes or recording a vote is refused with the reason on screen, and nothing is written."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QMessageBox

from tests.conftest import digest
from tests.ui.conftest import store_of, wait_idle
from tests.ui.test_meetings import open_meeting


def test_a_plenary_ahead_takes_no_attendance_minutes_or_votes(qtbot, window, monkeypatch):
    store = store_of(window)
    meeting = store.rows("SELECT id, date FROM meetings WHERE kind = 'plenary' AND status = 'planned'"
                         " AND date > ? AND deleted = 0 LIMIT 1", [date.today().isoformat()])[0]
    _, editor = open_meeting(qtbot, window, meeting["id"])
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    before = digest(store)

    def refused(act, said: str) -> None:
        shown.clear()
        act()
        wait_idle(qtbot, window.backend)
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        assert meeting["date"] in shown[0] and said in shown[0], shown
        assert digest(store) == before

    sheet = editor.attendance.sheet
    box = next(sheet.cellWidget(r, 2) for r in range(sheet.rowCount()) if sheet.cellWidget(r, 2).isEnabled())
    box.setCurrentIndex(box.findData("present"))
    refused(editor.attendance.save, "还没有召开，不能登记出席")

    editor.minutes.summary.setPlainText("会议听取了民生实事项目候选情况的报告")
    editor.minutes.decisions.setPlainText("票决产生民生实事项目")
    refused(editor.minutes.save, "还不能登记会议纪要")

    editor.votes.item.setText("老旧小区加装电梯")
    # no counts: a future meeting has no one present, so any count is refused as more than were there
    refused(editor.votes.record, "还没有召开")
