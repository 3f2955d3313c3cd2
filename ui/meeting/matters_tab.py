"""接待事项: what residents raised on a reception day (the opinion ledger takes them in from here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.rules.codes import SUBJECTS

from ..cell_editing import commit_edits
from ..messages import show_refusal
from ..widgets import NoWheelCombo, button_row, plain_table, text_cell

if TYPE_CHECKING:
    from ..meeting_editor import MeetingData


class MattersTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("群众反映的事项（意见建议台账将从这里接收）："))
        self.matters = plain_table(["反映事项", "反映人", "事项类型"], multiline=(0,))
        self.matters.setColumnWidth(0, 520)
        layout.addWidget(self.matters)
        button_row(layout, (("增加一项", lambda: self.add({})), ("保存接待事项", self.save)))

    def fill(self, data: MeetingData) -> None:
        self.matters.setRowCount(0)
        for matter in data["matters"]:
            self.add(matter)

    def add(self, matter: dict) -> None:
        row = self.matters.rowCount()
        self.matters.insertRow(row)
        cell = text_cell(matter.get("content"))
        cell.setData(Qt.ItemDataRole.UserRole, matter.get("id"))
        self.matters.setItem(row, 0, cell)
        self.matters.setItem(row, 1, text_cell(matter.get("resident")))
        # the report's three kinds of hall business (片区利益 / 街道重点工作和民生实事 / 公共事务)
        subject = NoWheelCombo()
        subject.addItem("（未分类）", None)
        for code, label in SUBJECTS:
            subject.addItem(label, code)
        subject.setCurrentIndex(max(subject.findData(matter.get("subject")), 0) if matter.get("subject") else 0)
        self.matters.setCellWidget(row, 2, subject)

    def save(self) -> None:
        commit_edits(self.matters)
        matters = []
        for row in range(self.matters.rowCount()):
            content, resident = self.matters.item(row, 0), self.matters.item(row, 1)
            subject = self.matters.cellWidget(row, 2)
            matters.append({"id": content.data(Qt.ItemDataRole.UserRole) if content else None,
                            "content": content.text() if content else "",
                            "resident": resident.text() if resident else "",
                            "subject": subject.currentData() if subject else None})
        meeting_id = self.editor.meeting_id
        self.editor.backend.op(lambda s: s.receptions.save_matters(meeting_id, matters), self.editor.saved("接待事项"),
                                 lambda e: show_refusal(self, e), summary="登记接待事项")
