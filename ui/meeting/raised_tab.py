"""会中意见建议: the opinions raised at the meeting (会中汇总意见建议), added to the ledger from here or
linked to it from the ledger."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QVBoxLayout, QWidget

from app.services.base import FieldSpec

from ..form_dialog import ask
from ..messages import show_refusal
from ..widgets import button_row, plain_table, text_cell


class RaisedTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        self.data: dict = {}
        layout = QVBoxLayout(self)
        note = QLabel("会上代表和群众提出的意见建议：新增的直接登记进意见建议台账（来源“会议”，收集日期为会议日期）；"
                      "台账中已有的可关联到这次会议。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = plain_table(["编号", "意见建议", "收集日期", "收集代表", "办理进度"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setColumnWidth(1, 380)
        layout.addWidget(self.table)
        button_row(layout, (("新增意见建议…", self.add), ("关联台账中的意见建议…", self.link),
                                      ("取消关联", self.unlink)))

    def fill(self, data: dict) -> None:
        self.data = data
        self.table.setRowCount(0)
        for opinion in data.get("raised", []):
            row = self.table.rowCount()
            self.table.insertRow(row)
            first = text_cell(opinion["serial"])
            first.setData(Qt.ItemDataRole.UserRole, opinion["id"])
            self.table.setItem(row, 0, first)
            for column, key in enumerate(("title", "received_on", "delegate_name", "status_label"), 1):
                self.table.setItem(row, column, text_cell(opinion.get(key)))

    def _selected(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            show_refusal(self, "请先在列表中选择一条意见建议")
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def add(self) -> None:
        specs = [FieldSpec("title", "事项", required=True), FieldSpec("content", "具体内容", "multiline"),
                 FieldSpec("delegate_id", "提出的代表", "ref", ref="delegates"),
                 FieldSpec("residents", "涉及群众（人）", "int")]
        values = ask(self, "会中意见建议", specs, refs={"delegates": self.data["refs"].get("delegates", [])})
        if not values:
            return
        values = {k: v for k, v in values.items() if v not in (None, "")}
        if "residents" in values:
            values["residents"] = int(values["residents"])
        meeting_id = self.editor.meeting_id
        self.editor.backend.op(lambda s: s.discussions.raise_opinion(meeting_id, values),
                               self.editor.saved("会中意见建议"), lambda e: show_refusal(self, e),
                               summary="登记会中意见建议")

    def link(self) -> None:
        choices = self.data.get("linkable", [])
        if not choices:
            show_refusal(self, "台账中没有可以关联的意见建议（收集日期应在会议当天或之后）")
            return
        values = ask(self, "关联会中意见建议", [FieldSpec("opinion_id", "意见建议", "choice", required=True,
                                                    choices=choices)])
        if values:
            meeting_id, opinion_id = self.editor.meeting_id, values["opinion_id"]
            self.editor.backend.op(lambda s: s.discussions.link(meeting_id, opinion_id),
                                   self.editor.saved("关联会中意见建议"), lambda e: show_refusal(self, e),
                                   summary="关联会中意见建议")

    def unlink(self) -> None:
        opinion_id = self._selected()
        if opinion_id:
            meeting_id = self.editor.meeting_id
            self.editor.backend.op(lambda s: s.discussions.link(meeting_id, None, unlink=opinion_id),
                                   self.editor.saved("取消关联"), lambda e: show_refusal(self, e),
                                   summary="取消关联会中意见建议")
