"""审计日志: every change and export, filtered, verified, exported."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...models import Col, PagedTableModel
from ...widgets import button_row
from ..base import filter_combo, fit_columns, make_table, search_box


@dataclass
class AuditFilter:
    date_from: str | None = None
    date_to: str | None = None
    action: str | None = None
    text: str = ""


AUDIT_COLUMNS = [Col("seq", "编号"), Col("when", "时间"), Col("actor", "操作人"), Col("action_label", "类型"),
                 Col("summary", "内容")]


class AuditTab(QWidget):
    def __init__(self, backend) -> None:
        super().__init__()
        from app.storage.audit import ACTION_LABELS

        self.backend = backend
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.date_from, self.date_to = QLineEdit(), QLineEdit()
        self.date_from.setPlaceholderText("起：2026-01-01")
        self.date_to.setPlaceholderText("止：2026-12-31")
        self.action = filter_combo("全部类型", list(ACTION_LABELS.items()), self.apply)
        self.search = search_box(self, "搜索内容、记录编号、操作人", self.apply, "audit_search")
        for widget in (self.date_from, self.date_to):
            widget.editingFinished.connect(self.apply)
        for box in (self.date_from, self.date_to, self.action, self.search):
            filters.addWidget(box)
        layout.addLayout(filters)
        self.model = PagedTableModel(backend, AUDIT_COLUMNS,
                                     lambda s, f: s.audit.count(**vars(f)),
                                     lambda s, f, offset, limit: s.audit.query(**vars(f), limit=limit, offset=offset),
                                     AuditFilter())
        self.view = make_table(self.model)
        self.view.setObjectName("audit")
        layout.addWidget(self.view, 1)
        self.chain = QLabel()
        layout.addWidget(self.chain)
        button_row(layout, [("校验日志链", self.verify), ("导出 Excel…", self.export)])
        self.model.loaded.connect(lambda: fit_columns(self.view, cap=600))
        # Every edit (an undo too) writes an entry: the list in view follows, one out of view
        # reads the log again when it is shown.
        self.stale = False
        backend.changed.connect(self._on_changed)

    def _on_changed(self, _changes) -> None:
        if self.isVisible():
            self.reload()
        else:
            self.stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.reload()

    def filter(self) -> AuditFilter:
        return AuditFilter(self.date_from.text().strip() or None, self.date_to.text().strip() or None,
                           self.action.currentData(), self.search.text().strip())

    def apply(self) -> None:
        from datetime import date

        for box in (self.date_from, self.date_to):
            try:
                if box.text().strip():
                    date.fromisoformat(box.text().strip())
                box.setStyleSheet("")
            except ValueError:
                box.setStyleSheet("border: 1px solid #c62828;")
                box.setToolTip("日期格式：2026-01-01")
                return
        self.model.set_filter(self.filter())

    def reload(self) -> None:
        self.stale = False
        self.model.reload()

    def verify(self) -> None:
        def done(result):
            colour = "#2e7d32" if result["ok"] else "#c62828"
            self.chain.setText(f"<span style='color:{colour}'>{result['message']}（共 {result['entries']} 条）</span>")

        self.backend.query(lambda s: s.audit.verify(), done)

    def export(self) -> None:
        from ..base import export_with_dialog

        export_with_dialog(self, self.backend, "audit", **vars(self.filter()))
