"""The group's steps on a topic: 征求小组代表意见 (every member's view on one screen) and the
议事方案 (a form, previewed as a document, linked to the activity that carries it out)."""

from __future__ import annotations

import dataclasses
from datetime import date

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.services.base import FieldSpec
from app.services.plans import PLAN_FIELDS
from app.services.topics import VIEWS

from ...cell_editing import commit_edits, edit_in_cells
from ...form_dialog import ask
from ...memory import fit_on_screen
from ...messages import show_refusal
from ...pdf_preview import preview_doc
from ...widgets import NoWheelCombo, add_buttons, cell_combo, dialog_buttons

ROLES = {"leader": "组长", "deputy_leader": "副组长"}
# The keys that answer for a delegate in 征求代表意见 (None: not recorded).
ANSWER_KEYS = {Qt.Key.Key_1: "同意", Qt.Key.Key_Y: "同意", Qt.Key.Key_Space: "同意", Qt.Key.Key_2: "有补充意见",
               Qt.Key.Key_3: "不同意", Qt.Key.Key_N: "不同意", Qt.Key.Key_4: "未表态", Qt.Key.Key_0: None}


class ConsultDialog(QDialog):
    """One row per member of the group: their view (同意 / 有补充意见 / 不同意 / 未表态) and remark."""

    def __init__(self, backend, topic: dict, members: list[dict], parent=None):
        super().__init__(parent)
        self.setObjectName("consult_dialog")
        self.setWindowTitle(f"征求小组代表意见：{topic['title']}")
        self.backend, self.topic, self.members = backend, topic, members
        fit_on_screen(self, (820, 520))
        self.day = QLineEdit(date.today().isoformat())
        self.day.setMaximumWidth(140)
        self.table = QTableWidget(len(members), 4)
        self.table.setObjectName("consult_rows")
        self.table.setHorizontalHeaderLabels(["代表", "所在村（社区）", "意见", "具体意见（有补充或不同意时必填）"])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        edit_in_cells(self.table, multiline=(3,))
        for r, member in enumerate(members):
            name = member["name"] + (f"（{ROLES[member['role']]}）" if member.get("role") in ROLES else "")
            for column, text in ((0, name), (1, member.get("community_name") or "")):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~item.flags().ItemIsEditable)
                self.table.setItem(r, column, item)
            box = NoWheelCombo()
            box.addItem("（未记录）", None)
            for view in VIEWS:
                box.addItem(view, view)
            box.setCurrentIndex(max(box.findData(member.get("view")), 0))
            box.installEventFilter(self)  # the answer keys work with the focus in the box too
            self.table.setCellWidget(r, 2, box)
            self.table.setItem(r, 3, QTableWidgetItem(member.get("comment") or ""))
        self.table.resizeColumnsToContents()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.installEventFilter(self)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("征求意见日期："))
        top.addWidget(self.day)
        top.addStretch(1)
        many = "所选的各行（选中两行以上时），否则全部代表"
        add_buttons(top, (("全部同意", lambda: self.set_all("同意"), f"把{many}的意见设为“同意”"),
                          ("全部不同意", lambda: self.set_all("不同意"), f"把{many}的意见设为“不同意”（须写明具体意见）")))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("组长汇总意见建议后，逐一征求小组代表意见，再确定议题报人大街道工委审核。"))
        layout.addLayout(top)
        keys = QLabel("键盘录入：在一行上按 1 或 Y 或空格为“同意”，2 为“有补充意见”，3 或 N 为“不同意”，"
                      "4 为“未表态”，0 为未记录，随即跳到下一位代表。")
        keys.setWordWrap(True)
        keys.setStyleSheet("color: #5b6777;")
        layout.addWidget(keys)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons("保存", "取消", self.save, self.reject))
        if members:  # ready to answer with the keys: the first delegate's 意见
            self.table.setCurrentCell(0, 2)
            self.table.setFocus()

    def box(self, row: int) -> QComboBox:
        return cell_combo(self.table, row, 2)

    def target_rows(self) -> list[int]:
        """The rows a 全部… button sets: those selected when two or more are, else every row."""
        chosen = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return chosen if len(chosen) > 1 else list(range(self.table.rowCount()))

    def set_view(self, row: int, view: str | None) -> None:
        box = self.box(row)
        box.setCurrentIndex(0 if view is None else box.findData(view))

    def set_all(self, view: str) -> None:
        for row in self.target_rows():
            self.set_view(row, view)

    def eventFilter(self, watched, event) -> bool:
        """1/Y/space, 2, 3/N, 4, 0 on a row set its answer and move to the next delegate."""
        if event.type() != QEvent.Type.KeyPress or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return super().eventFilter(watched, event)
        view = ANSWER_KEYS.get(event.key(), "")
        if view == "":
            return super().eventFilter(watched, event)
        if watched is self.table:
            row = self.table.currentRow()
            if self.table.currentColumn() == 3 or row < 0:  # typing a remark: the keys are text
                return super().eventFilter(watched, event)
        else:
            row = next((r for r in range(self.table.rowCount()) if self.box(r) is watched), -1)
            if row < 0:
                return super().eventFilter(watched, event)
        self.set_view(row, view)
        following = min(row + 1, self.table.rowCount() - 1)
        self.table.setCurrentCell(following, 2)
        if watched is not self.table:
            self.box(following).setFocus()
        return True

    def views(self) -> list[dict]:
        commit_edits(self.table)
        out = []
        for r, member in enumerate(self.members):
            item = self.table.item(r, 3)
            out.append({"delegate_id": member["delegate_id"], "view": self.box(r).currentData(),
                        "comment": item.text() if item else ""})
        return out

    def save(self) -> None:
        views, day, topic_id = self.views(), self.day.text().strip(), self.topic["id"]
        self.error.clear()
        self.backend.op(lambda s: s.topics.consult(topic_id, views, day), lambda _: self.accept(),
                        lambda e: self.error.setText(getattr(e, "message", str(e))),
                        summary=f"征求小组代表意见：{self.topic['title']}")


def consult(parent, backend, topic: dict) -> None:
    def ready(members):
        if not members:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(parent, "征求小组代表意见", "这个议题的议事小组没有在任代表。")
            return
        parent.consult_dialog = ConsultDialog(backend, topic, members, parent)
        parent.consult_dialog.open()

    backend.query(lambda s: s.topics.consultation(topic["id"]), ready, lambda e: show_refusal(parent, e))


def edit_plan(parent, backend, topic: dict) -> None:
    """Draft or revise the topic's 议事方案, link it to an activity, then preview it."""

    def load(s):
        plan = s.plans.for_topic(topic["id"])
        values = ({**plan, "departments": plan["departments_list"]} if plan else s.plans.defaults(topic["id"]))
        meetings = s.topics.deliberation_choices(topic["group_id"])["meetings"]
        return values, meetings, s.departments.names()

    def ready(result):
        values, meetings, departments = result
        specs = [dataclasses.replace(spec, choices=tuple(departments)) if spec.name == "departments" else spec
                 for spec in PLAN_FIELDS]
        specs.append(FieldSpec("meeting_id", "实施的议事活动", "choice", choices=tuple(meetings)))
        answer = ask(parent, f"议事方案：{topic['title']}", specs, values,
                     note="议事小组就议题制定方案：目的、参加人员、时间地点、步骤和邀请的部门。保存后可预览、打印。",
                     ok="保存并预览")
        if not answer:
            return
        meeting_id = answer.pop("meeting_id", None)
        topic_id = topic["id"]

        backend.op(lambda s: s.plans.save_and_link(topic_id, answer, meeting_id),
                   lambda plan_id: preview_doc(parent, backend, "plan", plan_id, "议事方案"),
                   lambda e: show_refusal(parent, e), summary=f"议事方案：{topic['title']}")

    backend.query(load, ready, lambda e: show_refusal(parent, e))
