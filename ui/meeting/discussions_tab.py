"""分组讨论: a plenary's groups discussing apart, each in a room of the venue hosting the meeting, with
its convener and the points it discussed. A room is one group's at a time (the rule book refuses a
second booking of it at the same hours)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QVBoxLayout, QWidget

from app.services.base import FieldSpec

from ..form_dialog import ask
from ..messages import show_refusal
from ..widgets import button_row, plain_table, text_cell

FIELDS = (
    FieldSpec("group_id", "讨论组", "ref", required=True, ref="groups"),
    FieldSpec("room_id", "会议室", "ref", ref="rooms"),
    FieldSpec("start_time", "开始时间（如 14:30）"),
    FieldSpec("end_time", "结束时间（如 16:30）"),
    FieldSpec("convener_id", "召集人", "ref", ref="delegates"),
    FieldSpec("points", "讨论要点", "multiline"),
)


class DiscussionsTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        self.rows: list[dict] = []
        self.data: dict = {}
        layout = QVBoxLayout(self)
        note = QLabel("各议事小组分组讨论：每组一间会议室（同一时间一间会议室只安排一个组），召集人和讨论要点。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = plain_table(["讨论组", "会议室", "时间", "召集人", "讨论要点"], multiline=(4,))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table)
        button_row(layout, (("新增讨论组…", self.add), ("修改…", self.edit), ("删除所选", self.remove)))
        self.table.doubleClicked.connect(lambda *_: self.edit())

    def fill(self, data: dict) -> None:
        self.data = data
        self.rows = data.get("discussions", [])
        self.table.setRowCount(0)
        for d in self.rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            first = text_cell(d["group_name"])
            first.setData(Qt.ItemDataRole.UserRole, d["id"])
            self.table.setItem(row, 0, first)
            hours = "—".join(x for x in (d.get("start_time"), d.get("end_time")) if x)
            for column, text in enumerate((d.get("room_name"), hours, d.get("convener_name"), d.get("points")), 1):
                self.table.setItem(row, column, text_cell(text))

    def _refs(self) -> dict:
        refs = self.data["refs"]
        return {"groups": refs["groups"], "rooms": self.data.get("discussion_rooms", []),
                "delegates": refs.get("delegates", [])}

    def _selected(self) -> dict | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            return self.rows[row]
        show_refusal(self, "请先在列表中选择一个讨论组")
        return None

    def _ask(self, title: str, values: dict | None) -> None:
        answer = ask(self, title, FIELDS, values or {}, self._refs())
        if answer is None:
            return
        discussion_id = (values or {}).get("id")
        meeting_id = self.editor.meeting_id
        answer = {k: (v or None) for k, v in answer.items()}
        self.editor.backend.op(lambda s: s.discussions.save(meeting_id, answer, discussion_id),
                               self.editor.saved("分组讨论"), lambda e: show_refusal(self, e), summary=title)

    def add(self) -> None:
        self._ask("新增讨论组", {"start_time": self.data["meeting"].get("start_time"),
                             "end_time": self.data["meeting"].get("end_time")})

    def edit(self) -> None:
        chosen = self._selected()
        if chosen:
            self._ask("修改分组讨论", chosen)

    def remove(self) -> None:
        chosen = self._selected()
        if chosen:
            self.editor.backend.op(lambda s: s.discussions.delete(chosen["id"]), self.editor.saved("删除讨论组"),
                                   lambda e: show_refusal(self, e), summary="删除讨论组")
