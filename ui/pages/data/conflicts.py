"""冲突记录: the values a merge set aside, and putting the other office's value back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...backend import Watch
from ...messages import show_refusal
from ...models import Col, ListTableModel
from ...widgets import button_row, local_when
from ..base import fit_columns, make_table

if TYPE_CHECKING:
    from app.store import Store

CONFLICT_COLUMNS = [Col("at_label", "时间"), Col("kind_label", "类型"), Col("table_label", "类别"), Col("record", "记录"),
                    Col("field_label", "字段"), Col("kept_value", "当前值"), Col("lost_value", "另一值"),
                    Col("lost_site", "来自"), Col("state_label", "处理")]


class ConflictsTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("两个办公室改了同一项内容时，按时间较晚者为准；另一值保留在这里，可随时改用。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.show_all = QCheckBox("显示已处理的")
        self.show_all.toggled.connect(lambda _: self.reload())
        layout.addWidget(self.show_all)
        self.model = ListTableModel(CONFLICT_COLUMNS, self)
        self.view = make_table(self.model)
        self.view.setObjectName("conflicts")
        layout.addWidget(self.view, 1)
        button_row(layout, [("改用另一值", lambda: self.resolve(True), "把记录改为另一值（同样会传给其他办公室）"),
                            ("保留当前值", lambda: self.resolve(False), "标记为已查看")])
        self.watch = Watch(backend, self.reload, self)
        self.reload()

    def reload(self) -> None:
        from app.exchange.conflicts import list_conflicts

        open_only = not self.show_all.isChecked()

        def load(store: Store):
            rows = list_conflicts(store, open_only)
            for row in rows:
                row["at_label"] = local_when(row["at"])
            return rows

        self.backend.query(load, self._show, watch=self.watch)

    def _show(self, rows) -> None:
        self.model.set_rows(rows)
        fit_columns(self.view, cap=300)

    def resolve(self, use_other: bool) -> None:
        from app.exchange.conflicts import resolve

        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if not row:
            return show_refusal(self, "请先选择一条冲突记录")
        self.backend.op(lambda s: resolve(s, row["id"], use_other), None, lambda e: show_refusal(self, e),
                          summary=f"处理冲突：{row['record']}")
