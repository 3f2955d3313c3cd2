"""Table models. PagedTableModel pages rows in from the worker, so 100k rows stay smooth."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

if TYPE_CHECKING:
    from app.store import Store

    from .backend import Watch


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    sort_key: str | None = None  # the core's sort name; None = not sortable
    width: int = 0


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


class _ColumnsModel(QAbstractTableModel):
    """Headers from `self.columns`; rows numbered 1, 2, 3 like a paper register."""

    columns: list[Col]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].header
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None


class ListTableModel(_ColumnsModel):
    """A small, fully loaded list (communities, groups, venues, recycle bin)."""

    def __init__(self, columns: list[Col], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _display(row.get(self.columns[index.column()].key))
        if role == Qt.ItemDataRole.ForegroundRole and (row.get("_warn") or row.get("_colour")):
            from PySide6.QtGui import QColor

            return QColor(row.get("_colour") or "#b00020")
        return None

    def row_at(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class PagedTableModel(_ColumnsModel):
    """Rows come from `page_fn(store, filter, offset, limit)` in the worker, a page at a time.

    Only the total count and the pages in view are held; pages far from view are dropped.
    """

    loaded = Signal()  # a reload (count + first page) arrived
    page_loaded = Signal(int)
    PLACEHOLDER = "…"

    def __init__(self, backend, columns: list[Col], count_fn: Callable[[Store, Any], int],
                 page_fn: Callable[[Store, Any, int, int], Sequence[Mapping[str, Any]]], flt, *, page_size=200,
                 max_pages=40, row_colour=None, parent=None):
        super().__init__(parent)
        self._row_colour = row_colour  # row dict -> colour name or None (overdue in red...)
        self.backend = backend
        self.columns = columns
        self._count_fn = count_fn
        self._page_fn = page_fn
        self.filter = flt
        self.page_size = page_size
        self.max_pages = max_pages
        self._count = 0
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.watch: Watch | None = None  # the owning view's Watch (ui.backend): what the pages read is watched

    # -- loading -------------------------------------------------------------------
    def set_filter(self, flt) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        flt = dataclasses.replace(self.filter)
        size = self.page_size

        def load(store: Store):
            return self._count_fn(store, flt), self._page_fn(store, flt, 0, size)

        def done(result):
            if generation != self._generation:
                return  # a newer filter was asked for meanwhile
            count, first = result
            self.beginResetModel()
            self._count = count
            self._pages = OrderedDict({0: first})
            self._pending.clear()
            self.endResetModel()
            self.loaded.emit()

        self.backend.query(load, done, watch=self.watch)

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        generation = self._generation
        flt = dataclasses.replace(self.filter)
        offset, size = page * self.page_size, self.page_size

        def done(rows):
            if generation != self._generation:
                return
            self._pending.discard(page)
            self._pages[page] = rows
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
            top = offset
            bottom = min(offset + size, self._count) - 1
            if bottom >= top:
                self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(self.columns) - 1))
            self.page_loaded.emit(page)

        self.backend.query(lambda store: self._page_fn(store, flt, offset, size), done, watch=self.watch)

    # -- the model interface -----------------------------------------------------
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def row_at(self, row: int) -> dict | None:
        if not 0 <= row < self._count:
            return None
        page = row // self.page_size
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        offset = row - page * self.page_size
        return rows[offset] if offset < len(rows) else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole,
                                               Qt.ItemDataRole.ForegroundRole):
            return None
        row = self.row_at(index.row())
        if row is None:
            return self.PLACEHOLDER if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.UserRole:
            return row.get("id")
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self._row_colour(row) if self._row_colour else None
            if colour:
                from PySide6.QtGui import QColor

                return QColor(colour)
            return None
        return _display(row.get(self.columns[index.column()].key))

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sort_key:
            return
        self.filter = dataclasses.replace(self.filter, sort=self.columns[column].sort_key,
                                          descending=order == Qt.SortOrder.DescendingOrder)
        self.reload()


def set_rows_keeping_choice(view, model: ListTableModel, rows: list[dict], key: str = "id") -> None:
    """Refill `model` (shown in `view`) and keep the rows the clerk had chosen chosen, and the
    current one current, where they are still listed (by `key`): a list that reloads after each
    step taken on its row (a topic asked, reviewed, linked) must not make her choose the row again."""
    from PySide6.QtCore import QItemSelectionModel

    selection = view.selectionModel()
    current = model.row_at(view.currentIndex().row()) if view.currentIndex().isValid() else None
    chosen = {model.rows[i.row()].get(key) for i in selection.selectedRows()} if selection is not None else set()
    model.set_rows(rows)
    if selection is None:
        return
    place = {row.get(key): r for r, row in enumerate(rows)}
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for value in chosen:
        if value in place:
            selection.select(model.index(place[value], 0), flags)
    if current is not None and current.get(key) in place:
        selection.setCurrentIndex(model.index(place[current.get(key)], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
