"""Shared page pieces: a list page with add / edit / delete, and reference loading."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..backend import Watch
from ..forms import RecordDialog
from ..messages import confirm, show_refusal
from ..models import Col, ListTableModel
from ..widgets import NoWheelCombo, add_buttons, bind_list_keys

if TYPE_CHECKING:
    from app.store import Store


def load_refs(store: Store) -> dict:
    """Choices for reference fields, read in the worker before a form opens."""
    communities = store.communities.list()
    return {
        "communities": [(r["id"], r["name"]) for r in communities],
        "community_groups": {r["id"]: r["group_id"] for r in communities},
        "groups": [(r["id"], r["name"]) for r in store.groups.list()],
        "terms": [(r["id"], r["name"]) for r in store.terms.list()],
        "grids": store.grids.choices(),
    }


def export_with_dialog(parent, backend, name: str, **options) -> None:
    """Ask where to save register `name`, write it in the worker, offer to open it."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    from app.registers.catalog import REGISTERS, export_register

    from ..backend import DelayedProgress
    from ..save_dialog import ask_save_path

    title = REGISTERS[name][0]
    path = ask_save_path(parent, f"导出{title}", f"{title}.xlsx", "register")
    if not path:
        return

    def done(result):
        box = QMessageBox(QMessageBox.Icon.Information, "导出完成",
                          f"已导出{result['heading']} {result['rows']} 行：\n{result['path']}\n\n"
                          f"可用 Excel 或 WPS 打开后直接打印（{result['paper']} 横向，每页重复表头，每行完整；"
                          "较宽的台账只打印主要的列，全部列都在表格中）。", parent=parent)
        open_button = box.addButton("打开文件", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(result["path"]))

    job = backend.query(lambda s: export_register(s, name, path, **options), done,
                       lambda e: show_refusal(parent, e))
    DelayedProgress(parent, job, f"正在导出{title}…")


def fit_columns(view: QTableView, padding: int = 14, cap: int = 420) -> None:
    """Size columns to their text, with room to breathe and a cap for long text (elided, the whole
    text in its tooltip); the widths the clerk dragged last time win over the fitted ones."""
    from ..memory import restore_columns

    if view.property("restored") or restore_columns(view):
        view.setProperty("restored", True)
        return
    view.setProperty("fitting", True)
    try:
        view.resizeColumnsToContents()
        for column in range(view.horizontalHeader().count()):
            view.setColumnWidth(column, min(view.columnWidth(column) + padding, cap))
    finally:
        view.setProperty("fitting", False)


def fit_columns_once(view: QTableView, **options) -> None:
    """For a paged list: size its columns by the first rows that arrive, then leave them to the
    clerk (a later page of rows, or a new filter, does not move them)."""
    if not view.property("sized") and view.model().rowCount():
        fit_columns(view, **options)
        view.setProperty("sized", True)


# The buttons an empty list's hint names: what starts a list (the first two found beside it).
_STARTERS = ("新增", "新建", "从 Excel 导入", "录入", "登记", "推荐")


class ListView(QTableView):
    """A page's list that, while it has no row, says why and what to do, instead of a blank grid:
    nothing matches the search or a filter, or nothing has been entered yet (and the buttons beside
    it that start one)."""

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is None or model.rowCount() > 0:
            return
        from PySide6.QtGui import QPainter

        painter = QPainter(self.viewport())
        painter.setPen(self.palette().placeholderText().color())
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                         self.empty_hint())
        painter.end()

    def empty_hint(self) -> str:
        from PySide6.QtWidgets import QPushButton

        beside = self.parentWidget()
        if beside is None:
            return "没有记录"
        searched = any(box.text().strip() for box in beside.findChildren(QLineEdit)
                       if box.property("search_box") and box.isVisible())
        filtered = any(combo.currentIndex() != (combo.property("default_index") or 0)
                       for combo in beside.findChildren(QComboBox) if combo.isVisible() and combo.property("list_filter"))
        if searched or filtered:
            return "没有符合搜索或筛选条件的记录：请换一个搜索词，或把筛选改回“全部”。"
        starters = [b.text().rstrip("…").rstrip(".") for b in beside.findChildren(QPushButton)
                    if b.isVisible() and b.isEnabled() and b.text().startswith(_STARTERS)][:2]
        if not starters:
            return "还没有记录。"
        return "还没有记录。点“" + "”或“".join(starters) + "”开始。"


def make_table(model) -> QTableView:
    view = ListView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(28)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    from ..memory import watch_columns

    watch_columns(view)
    view.setProperty("main_list", True)  # what 文件 › 打印 prints when it is in front
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda pos: show_row_menu(view, pos))
    return view


def row_menu(view):
    """The right-click menu of a table: 打开 (what a double click does), 编辑 and 删除 when the page
    has them (the hooks `bind_list_keys` keeps on the view), and 复制 of the selected rows."""
    from PySide6.QtWidgets import QMenu

    hooks = getattr(view, "row_hooks", {})
    index = view.currentIndex()
    chosen = index.isValid()
    menu = QMenu(view)
    menu.setObjectName("row_menu")
    opening = hooks.get("open")
    if opening is None and view.isSignalConnected(view.metaObject().method(
            view.metaObject().indexOfSignal("doubleClicked(QModelIndex)"))):
        opening = lambda: view.doubleClicked.emit(view.currentIndex())
    for label, slot in ((hooks.get("open_label", "打开"), opening), ("编辑", hooks.get("edit"))):
        if slot:
            action = menu.addAction(label, slot)
            action.setEnabled(chosen)
    copy = menu.addAction("复制", lambda: copy_rows(view))
    copy.setEnabled(bool(view.selectionModel() and view.selectionModel().selectedRows()) or chosen)
    if hooks.get("delete"):
        menu.addSeparator()
        action = menu.addAction("删除", hooks["delete"])
        action.setEnabled(chosen)
    return menu


def show_row_menu(view, pos) -> None:
    index = view.indexAt(pos)
    if index.isValid() and index.row() != view.currentIndex().row():
        view.setCurrentIndex(index)  # the menu is for the row under the mouse
    menu = row_menu(view)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.row_menu = menu  # (tests reach it here)
    menu.popup(view.viewport().mapToGlobal(pos))


def copy_rows(view) -> str:
    """The selected rows (or the current one) to the clipboard as tab-separated text with the
    headers, as a spreadsheet pastes them."""
    from PySide6.QtGui import QGuiApplication

    model = view.model()
    rows = sorted({index.row() for index in view.selectionModel().selectedRows()}) if view.selectionModel() else []
    if not rows and view.currentIndex().isValid():
        rows = [view.currentIndex().row()]
    columns = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]

    def clean(value) -> str:
        return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")

    lines = ["\t".join(clean(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
    lines += ["\t".join(clean(model.index(r, c).data()) for c in columns) for r in rows]
    text = "\n".join(lines)
    QGuiApplication.clipboard().setText(text)
    return text


def filter_combo(all_label: str, options=(), on_change=None) -> QComboBox:
    """A filter drop-down: "全部…" (no filter) first, then (value, label) options."""
    box = NoWheelCombo()
    box.setProperty("list_filter", True)  # an empty list then says a filter may hide its rows
    box.addItem(all_label, None)
    for value, label in options:
        box.addItem(label, value)
    if on_change:
        box.currentIndexChanged.connect(lambda _: on_change())
    return box


def refill_combo(box, options, keep_first: int = 1) -> None:
    """Replace a filter's choices (after its leading "全部…" items) and keep what was chosen,
    without firing a filter change for each item."""
    current = box.currentData()
    box.blockSignals(True)
    while box.count() > keep_first:
        box.removeItem(keep_first)
    for value, label in options:
        box.addItem(label, value)
    box.setCurrentIndex(max(box.findData(current), 0))
    box.blockSignals(False)


def sortable_view(model) -> QTableView:
    """A table over a paged model that sorts in the core when a header is clicked."""
    view = make_table(model)
    # No indicator first: enabling sorting would otherwise sort (and query) at once.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    return view


def search_box(owner: QWidget, placeholder: str, on_change, name: str = "") -> QLineEdit:
    """Instant search: the query runs 150 ms after the last key, not on every key."""
    from PySide6.QtCore import QTimer

    box = QLineEdit()
    box.setObjectName(name)
    box.setProperty("search_box", True)  # Ctrl+F (the window's) finds it in the area in front
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    timer = QTimer(owner, singleShot=True, interval=150)
    timer.timeout.connect(on_change)
    box.textChanged.connect(lambda _: timer.start())
    return box


class RecordListPage(QWidget):
    """A table of one kind of record with 新增 / 编辑 / 删除; refreshes when a table its rows
    were read from changes (`self.watch`: what `load_rows` read, not a list kept here)."""

    service_name = ""  # attribute of Store
    noun = ""
    columns: list[Col] = []
    register: str | None = None  # name in app.registers.catalog, for the 导出 button
    imports: tuple[str, ...] = ()  # kinds of app.workbooks.kinds, for a 从 Excel 导入… button

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.model = ListTableModel(self.columns, self)
        self.view = make_table(self.model)
        self.view.doubleClicked.connect(lambda _: self.edit())
        self.count_label = QLabel()
        self.toolbar = QHBoxLayout()
        self.add_filters(self.toolbar)
        self.toolbar.addStretch(1)
        self.toolbar.addWidget(self.count_label)
        add_buttons(self.toolbar, self.buttons())
        if self.imports:
            from ..import_wizard import import_button

            importing = import_button(self, backend, list(self.imports))
            if importing is not None:
                self.toolbar.addWidget(importing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.view)
        self.warnings = QLabel()
        self.warnings.setStyleSheet("color: #b26a00;")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        layout.addWidget(self.warnings)
        bind_list_keys(self, self.view, new=self.add, open_=self.edit, delete=self.delete)
        self.watch = Watch(backend, self.reload, self)

    def buttons(self):
        buttons = [("新增", self.add, "新增（Ctrl+N）"), ("编辑", self.edit, "编辑所选（回车）"),
                   ("删除", self.delete, "删除到回收站（Delete）")]
        if self.register:
            buttons.append(("导出台账…", lambda: export_with_dialog(self, self.backend, self.register),
                            "导出 Excel 台账，可直接打印"))
        return buttons

    def add_filters(self, toolbar) -> None:
        """Hook for pages with filter widgets."""

    def service(self, store: Store):
        return getattr(store, self.service_name)

    def load_rows(self, store: Store) -> list[dict]:
        return self.service(store).list()

    def reload(self) -> None:
        self.backend.query(self.load_rows, self._show_rows, watch=self.watch)

    def _show_rows(self, rows) -> None:
        selected = self.current()
        self.model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 条")
        fit_columns(self.view)
        if selected:
            for i, row in enumerate(rows):
                if row["id"] == selected["id"]:
                    self.view.selectRow(i)
        self.show_warnings(rows)

    def show_warnings(self, rows) -> None:
        """Hook: pages with rule warnings (e.g. groups) show them under the table."""

    def current(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    # -- editing ---------------------------------------------------------------
    def dialog_extra(self, values: dict | None):
        return None

    def dialog_values(self, values: dict, extra) -> tuple[dict, dict]:
        """(values for the service, extra keyword args) from a dialog."""
        return values, {}

    def prepare_values(self, store: Store, row: dict | None) -> dict | None:
        return row

    def open_dialog(self, row: dict | None) -> None:
        def ready(result):
            refs, values = result
            extra = self.dialog_extra(values)
            title = f"{'编辑' if row else '新增'}{self.noun}"

            def submit(form_values, dialog):
                data, kwargs = self.dialog_values(form_values, extra)
                if row:
                    fn = lambda s: self.service(s).update(row["id"], data, **kwargs)
                else:
                    fn = lambda s: self.service(s).create(data, **kwargs)
                self.backend.op(fn, dialog.saved, dialog.refused, summary=f"{title}")

            fields = self.service_fields()
            dialog = RecordDialog(title, fields, refs, values, submit, self, extra=extra)
            dialog.setObjectName(f"dialog_{self.service_name}")
            dialog.open()
            self.dialog = dialog

        self.backend.query(lambda s: (load_refs(s), self.prepare_values(s, row)), ready)

    def service_fields(self):
        from app.services import communities, grids, groups, institutions, terms, venues

        return {"communities": communities.CommunityService, "grids": grids.GridService,
                "groups": groups.GroupService, "venues": venues.VenueService,
                "terms": terms.TermService, "institutions": institutions.InstitutionService}[self.service_name].fields

    def add(self) -> None:
        self.open_dialog(None)

    def edit(self) -> None:
        row = self.current()
        if row:
            self.open_dialog(row)

    def delete(self) -> None:
        row = self.current()
        if not row:
            return
        name = row.get("name") or row.get("title")
        if not confirm(self, "删除", f"把{self.noun}“{name}”移到回收站？\n之后可以在“回收站”中恢复。",
                       "删除"):
            return
        self.backend.op(lambda s: self.service(s).delete(row["id"]), None,
                          lambda e: show_refusal(self, e), summary=f"删除{self.noun}“{name}”")
