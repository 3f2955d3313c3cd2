"""票决: the plenary's votes on 民生实事 projects, checked against those present and all delegates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..messages import show_refusal
from ..widgets import NoWheelSpin, plain_table, text_cell

if TYPE_CHECKING:
    from ..meeting_editor import MeetingData


class VotesTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        self.rows: list[dict] = []
        layout = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.votes = plain_table(["票决事项", "赞成", "反对", "弃权", "结果"])
        # It shows what the form below recorded: a number typed over it would be kept nowhere.
        self.votes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.votes.setToolTip("票决结果在下方登记；登记错了，选中后“删除所选”再重新登记")
        self.votes.setColumnWidth(0, 380)
        layout.addWidget(self.votes)
        form = QHBoxLayout()
        self.item = QLineEdit()
        self.item.setPlaceholderText("民生实事项目名称")
        form.addWidget(self.item, 2)
        self.counts = []
        for label in ("赞成", "反对", "弃权"):
            form.addWidget(QLabel(label))
            spin = NoWheelSpin()
            spin.setRange(0, 100000)
            form.addWidget(spin)
            self.counts.append(spin)
        add = QPushButton("登记票决结果")
        add.clicked.connect(self.record)
        form.addWidget(add)
        remove = QPushButton("删除所选")
        remove.clicked.connect(self.remove)
        form.addWidget(remove)
        layout.addLayout(form)

    def fill(self, data: MeetingData) -> None:
        quorum, self.rows = data["quorum"], data["votes"]
        self.note.setText(f"全体议事代表 {quorum['total']} 人，出席 {quorum['present']} 人；"
                          f"票数合计不得超过出席人数，赞成票超过全体代表半数（{quorum['required']} 票）方为通过。")
        self.votes.setRowCount(len(self.rows))
        for row, vote in enumerate(self.rows):
            for col, value in enumerate((vote["item"], vote["votes_for"], vote["votes_against"],
                                         vote["votes_abstain"], vote["result"])):
                self.votes.setItem(row, col, text_cell(value))

    def record(self) -> None:
        item, meeting_id = self.item.text(), self.editor.meeting_id
        counts = [spin.value() for spin in self.counts]

        def done(changes):
            self.item.clear()
            for spin in self.counts:
                spin.setValue(0)
            self.editor.saved("票决结果")(changes)

        self.editor.backend.op(lambda s: s.attendance.record_vote(meeting_id, item, *counts), done,
                                 lambda e: show_refusal(self, e), summary="登记票决结果")

    def remove(self) -> None:
        row = self.votes.currentRow()
        if 0 <= row < len(self.rows):
            vote_id = self.rows[row]["id"]
            self.editor.backend.op(lambda s: s.attendance.remove_vote(vote_id), self.editor.saved("删除票决事项"),
                                     lambda e: show_refusal(self, e), summary="删除票决事项")
