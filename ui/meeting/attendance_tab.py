"""签到与出席: who is expected, who came, and (for a plenary) whether the quorum is met."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.rules.meeting_kinds import kind_of
from app.services.attendance import COUNT_FIELDS, FIGURE_WORDS, quorum_of
from app.services.attendance import STATUSES as ATTENDANCE
from app.services.base import FieldSpec

from ..form_dialog import ask
from ..messages import show_refusal
from ..widgets import NoWheelCombo, button_row, dialog_buttons, plain_table, text_cell

if TYPE_CHECKING:
    from ..meeting_editor import MeetingData

ROLES = {"leader": "组长", "deputy_leader": "副组长"}


class AttendanceTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        self.rows: list[dict] = []
        self.figures: dict = {}
        self.quorum_counted = False
        self._total = 0
        layout = QVBoxLayout(self)
        self.quorum_label = QLabel()
        self.quorum_label.setObjectName("quorum")
        layout.addWidget(self.quorum_label)
        self.sheet = plain_table(["姓名", "所在村（社区）/单位", "出席情况", "小组职务"])
        self.sheet.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.sheet)
        button_row(layout, (("全部设为出席", self.all_present), ("添加列席人员…", self.add_guest),
                           ("保存签到", self.save), ("只登记人数…", self.edit_figures)))

    def fill(self, data: MeetingData) -> None:
        self.rows = data["sheet"]
        self.quorum_counted = kind_of(data["meeting"]["kind"]).quorum is not None  # a quorum is counted
        self.sheet.setRowCount(len(self.rows))
        for row, person in enumerate(self.rows):
            self.sheet.setItem(row, 0, text_cell(person["name"]))
            self.sheet.setItem(row, 1, text_cell(person.get("community_name")))
            box = NoWheelCombo()
            box.addItem("未登记", None)
            for value, label in ATTENDANCE:
                if value != "attending_nonmember" or not person["delegate_id"]:
                    box.addItem(label, value)
            box.setCurrentIndex(max(box.findData(person["status"]), 0))
            box.setEnabled(bool(person["delegate_id"]))
            box.currentIndexChanged.connect(self.update_quorum)
            self.sheet.setCellWidget(row, 2, box)
            self.sheet.setItem(row, 3, text_cell(ROLES.get(person.get("group_role") or "",
                                                          "" if person["delegate_id"] else "列席")))
        self.sheet.resizeColumnsToContents()
        self._total = data["quorum"]["total"]
        self.figures = data.get("figures") or {}
        self.update_quorum()

    def marks(self) -> dict[str, str | None]:
        return {p["delegate_id"]: self.sheet.cellWidget(i, 2).currentData()
                for i, p in enumerate(self.rows) if p["delegate_id"]}

    def update_quorum(self) -> None:
        """Live, as the clerk marks people: the core's quorum rule on the marks not yet saved."""
        present = sum(1 for s in self.marks().values() if s == "present")
        if self.figures and not any(self.marks().values()):  # no sign-in list: the figures recorded count
            self.quorum_label.setText("没有签到名单，按登记的人数："
                                      + "，".join(f"{FIGURE_WORDS[k]} {self.figures[k]} 人" for k in COUNT_FIELDS
                                                 if self.figures.get(k) is not None))
            self.quorum_label.setStyleSheet("")
        elif self.quorum_counted:
            quorum = quorum_of(self._total, present)
            self.quorum_label.setText(
                f"全体议事代表 {quorum['total']} 人，已登记出席 {present} 人，需超过半数（至少 {quorum['required']} 人）："
                + ("已达到法定人数" if quorum["met"] else "尚未达到法定人数"))
            self.quorum_label.setStyleSheet(f"color: {'#2e7d32' if quorum['met'] else '#c62828'}; font-weight: bold;")
        else:
            self.quorum_label.setText(f"应到 {sum(1 for p in self.rows if p['expected'])} 人，已登记出席 {present} 人")

    def all_present(self) -> None:
        for i, person in enumerate(self.rows):
            if person["delegate_id"] and person["expected"]:
                box = self.sheet.cellWidget(i, 2)
                if box.currentData() is None:
                    box.setCurrentIndex(box.findData("present"))

    def save(self) -> None:
        marks, meeting_id = self.marks(), self.editor.meeting_id
        self.editor.backend.op(lambda s: s.attendance.record(meeting_id, marks), self.editor.saved("签到"),
                                 lambda e: show_refusal(self, e), summary="登记出席情况")

    def edit_figures(self) -> None:
        """A meeting held before the desk, or without a sign-in list: how many came, as figures."""
        specs = [FieldSpec(key, f"{FIGURE_WORDS[key]}人数", "int") for key in COUNT_FIELDS]
        values = ask(self, "登记出席人数", specs, dict(self.figures),
                     note="没有签到名单的会议，按这些人数统计出席情况（法定人数、台账、纪要和年度总结都用它）；"
                          "有签到名单时以签到名单为准。留空的项不登记。")
        if values is None:
            return
        figures = {key: (int(values[key]) if values.get(key) not in (None, "") else None) for key in COUNT_FIELDS}
        meeting_id = self.editor.meeting_id
        self.editor.backend.op(lambda s: s.attendance.set_figures(meeting_id, figures), self.editor.saved("出席人数"),
                               lambda e: show_refusal(self, e), summary="登记出席人数")

    def add_guest(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("添加列席人员")
        form = QFormLayout(dialog)
        name, unit = QLineEdit(), QLineEdit()
        form.addRow("姓名", name)
        form.addRow("单位", unit)
        form.addRow(dialog_buttons("添加", "取消", dialog.accept, dialog.reject))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            meeting_id = self.editor.meeting_id
            self.editor.backend.op(lambda s: s.attendance.add_guest(meeting_id, name.text(), unit.text()),
                                     self.editor.saved("列席人员"), lambda e: show_refusal(self, e),
                                     summary="添加列席人员")
