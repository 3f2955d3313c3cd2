"""会议纪要: the summary, the decisions, and the action items with their units and deadlines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..cell_editing import commit_edits
from ..messages import show_refusal
from ..widgets import button_row, plain_table, text_cell

if TYPE_CHECKING:
    from ..meeting_editor import MeetingData

ITEM_KEYS = ("content", "unit", "person", "deadline")


class MinutesTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("会议概况："))
        self.summary = QPlainTextEdit()
        self.summary.setFixedHeight(80)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("议定事项（每行一条）："))
        self.decisions = QPlainTextEdit()
        self.decisions.setFixedHeight(90)
        layout.addWidget(self.decisions)
        layout.addWidget(QLabel("落实事项及责任分工："))
        self.items = plain_table(["落实事项", "责任单位", "责任人", "期限（如 2026-08-31）"], multiline=(0,))
        self.items.setColumnWidth(0, 420)
        layout.addWidget(self.items)
        button_row(layout, (("增加一项", self.add_item), ("删除所选", self.remove_item), ("保存纪要", self.save)))

    def fill(self, data: MeetingData) -> None:
        m = data["meeting"]
        self.summary.setPlainText(m.get("summary") or "")
        self.decisions.setPlainText(m.get("decisions") or "")
        self.items.setRowCount(0)
        for item in m["action_items"]:
            self.add_item(item)

    def add_item(self, item: dict | None = None) -> None:
        item = item if isinstance(item, dict) else {}
        row = self.items.rowCount()
        self.items.insertRow(row)
        for col, key in enumerate(ITEM_KEYS):
            cell = text_cell(item.get(key))
            if col == 0:
                cell.setData(Qt.ItemDataRole.UserRole, item.get("id"))
            self.items.setItem(row, col, cell)

    def remove_item(self) -> None:
        for index in sorted({i.row() for i in self.items.selectedIndexes()}, reverse=True):
            self.items.removeRow(index)

    def save(self) -> None:
        commit_edits(self.items)
        items = []
        for row in range(self.items.rowCount()):
            cells = [self.items.item(row, col) for col in range(len(ITEM_KEYS))]
            items.append({"id": cells[0].data(Qt.ItemDataRole.UserRole) if cells[0] else None,
                          **{key: (cell.text() if cell else "") for key, cell in zip(ITEM_KEYS, cells)}})
        summary, decisions, meeting_id = self.summary.toPlainText(), self.decisions.toPlainText(), self.editor.meeting_id
        self.editor.backend.op(lambda s: s.meetings.save_minutes(meeting_id, summary, decisions, items),
                                 self.editor.saved("会议纪要"), lambda e: show_refusal(self, e), summary="保存会议纪要")
