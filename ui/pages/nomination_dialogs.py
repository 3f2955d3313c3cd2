"""推选's two dialogs: the round's quotas as an editable table (一下) and the 党工委's confirmation
with its live quota board (二上)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.services.nomination import DIMENSIONS, RULES

from ..cell_editing import commit_edits, edit_in_cells
from ..memory import fit_on_screen
from ..widgets import (
    NoWheelCombo,
    add_check_item,
    button_row,
    cell_combo,
    cell_item,
    checked_values,
    dialog_buttons,
)

if TYPE_CHECKING:
    pass

class QuotaDialog(QDialog):
    """The round's quotas as an editable table: 类别 / 项目 / 要求 / 名额."""

    def __init__(self, quotas: list[dict], communities: list[dict], fields: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("下达名额（一下）")
        fit_on_screen(self, (640, 560))
        self.communities = [(c["id"], c["name"]) for c in communities]
        self.choices = {"sector": list(fields["sector"].choices), "party": list(fields["party"].choices)}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("村（社区）名额合计应等于代表名额；界别、政治面貌可设“不少于”或“不超过”。"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["类别", "项目", "要求", "名额（人）"])
        self.table.horizontalHeader().setStretchLastSection(True)
        edit_in_cells(self.table)
        layout.addWidget(self.table)
        for q in quotas:
            self.add_row(q["dimension"], q["key"], q["rule"], q["seats"], q["id"])
        button_row(layout, [("按村（社区）生成", self.fill_communities), ("添加界别", lambda: self.add_row("sector")),
                            ("添加政治面貌", lambda: self.add_row("party")), ("删除所选行", self.remove_row)])
        layout.addWidget(dialog_buttons("保存", "取消", self.accept, self.reject))

    def add_row(self, dimension: str, key: str = "", rule: str | None = None, seats: int = 0, row_id=None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        label = QTableWidgetItem(dict(DIMENSIONS)[dimension])
        label.setData(Qt.ItemDataRole.UserRole, (dimension, row_id))
        label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 0, label)
        key_box = NoWheelCombo()
        key_box.setEditable(dimension != "community")
        options = self.communities if dimension == "community" else [(v, v) for v in self.choices[dimension]]
        for value, text in options:
            key_box.addItem(text, value)
        key_box.setCurrentIndex(max(key_box.findData(key), 0))
        self.table.setCellWidget(row, 1, key_box)
        rule_box = NoWheelCombo()
        for value, text in RULES:
            rule_box.addItem(text, value)
        rule_box.setCurrentIndex(rule_box.findData(rule or ("exact" if dimension == "community" else "min")))
        self.table.setCellWidget(row, 2, rule_box)
        self.table.setItem(row, 3, QTableWidgetItem(str(seats)))

    def fill_communities(self) -> None:
        present = {cell_combo(self.table, r, 1).currentData() for r in range(self.table.rowCount())
                   if cell_item(self.table, r, 0).data(Qt.ItemDataRole.UserRole)[0] == "community"}
        for community_id, _ in self.communities:
            if community_id not in present:
                self.add_row("community", community_id)

    def remove_row(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def items(self) -> list[dict]:
        commit_edits(self.table)
        out = []
        for row in range(self.table.rowCount()):
            dimension, row_id = cell_item(self.table, row, 0).data(Qt.ItemDataRole.UserRole)
            key_box = cell_combo(self.table, row, 1)
            key = key_box.currentData() if dimension == "community" else key_box.currentText()
            out.append({"id": row_id, "dimension": dimension, "key": key,
                        "rule": cell_combo(self.table, row, 2).currentData(),
                        "seats": (cell_item(self.table, row, 3).text() or "").strip()})
        return out


class ConfirmDialog(QDialog):
    """二上: tick the delegates the 党工委 confirmed; the quota board follows each tick."""

    def __init__(self, backend, round_id: str, noticed: list[dict], parent=None):
        super().__init__(parent)
        self.backend = backend
        self.round_id = round_id
        self.setWindowTitle("党工委确认名单（二上）")
        fit_on_screen(self, (760, 600))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选街道党工委研究确定的议事代表；未勾选的人选将记为“党工委研究未确定”。"))
        split = QHBoxLayout()
        self.list = QListWidget()
        for row in noticed:
            add_check_item(self.list, f"{row['name']}　{row['community_name'] or ''}　{row.get('party') or ''}　"
                                      f"{row.get('sector') or ''}", row["id"], checked=True)
        self.list.itemChanged.connect(lambda _: self.update_board())
        split.addWidget(self.list, 1)
        self.board = QLabel()
        self.board.setWordWrap(True)
        self.board.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(320)
        scroll.setWidget(self.board)
        split.addWidget(scroll, 1)
        layout.addLayout(split, 1)
        form = QFormLayout()
        self.day = QLineEdit(date.today().isoformat())
        self.doc = QLineEdit()
        self.doc.setPlaceholderText("如：中山路党工委〔2025〕3号 或 党工委会议纪要编号")
        form.addRow("确认日期＊", self.day)
        form.addRow("文号＊", self.doc)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons("确认名单", "取消", self.accept, self.reject))
        self.update_board()

    def chosen(self) -> list[str]:
        return checked_values(self.list)

    def update_board(self) -> None:
        ids = self.chosen()
        self.backend.query(lambda s: s.nomination.board(self.round_id, ids), self._show_board)

    def _show_board(self, board: dict) -> None:
        total = board["total"]
        lines = [f"<b>已勾选 {total['selected']} 人</b>（代表名额 {total['seats']} 人）"]
        if board["breaches"]:
            lines.append("<span style='color:#c62828'>不符合名额要求：</span>")
            lines += [f"<span style='color:#c62828'>· {escape(b)}</span>" for b in board["breaches"]]
        else:
            lines.append("<span style='color:#2e7d32'>各项名额要求均已满足。</span>")
        self.board.setText("<br/>".join(lines))
        self.breaches = board["breaches"]
