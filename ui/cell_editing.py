"""Typing in a table's cells: each editor stays inside its own cell, and what is typed is in the
table before anything reads it.

Qt's default text editor for a cell (QExpandingLineEdit) widens over the next columns as the
clerk types: a click "in" the next cell then lands in that editor and the text goes into the
wrong field. Here a short field gets a line editor exactly the size of its cell, and a long one
(what residents said, the opinions a visit raised) a multi-line editor that wraps and makes its
row taller, up to a few lines, then scrolls inside the cell. Tab goes to the next cell, Enter
starts a new line in a long field, Esc undoes the cell's edit."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QToolTip,
    QWidget,
)

PADDING = 10  # the cell's text margins (or the editor's document margins), top and bottom together


class CellTextEdit(QPlainTextEdit):
    """A long field's editor: no frame, wrapped at its width, the size of its cell (the row is
    made tall enough for its text, up to a few lines; beyond them it scrolls)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.document().setDocumentMargin(2)  # less than the cell's text margins: it never wraps sooner


class CellEditors(QStyledItemDelegate):
    """The delegate for a table the clerk types into; `multiline` lists the long columns."""

    def __init__(self, view: QTableView, multiline=(), max_lines: int = 6):
        super().__init__(view)
        self.view = view
        self.multiline = set(multiline)
        self.max_lines = max_lines
        self.open_editors: dict[QWidget, QPersistentModelIndex] = {}

    def createEditor(self, parent, option, index):
        editor: QWidget
        if index.column() in self.multiline:
            editor = CellTextEdit(parent)
            cell = QPersistentModelIndex(index)
            editor.textChanged.connect(lambda: self._grow(cell))
        else:
            editor = QLineEdit(parent)
            editor.setFrame(False)
        self.open_editors[editor] = QPersistentModelIndex(index)
        return editor

    def _grow(self, cell: QPersistentModelIndex) -> None:
        if cell.isValid() and hasattr(self.view, "resizeRowToContents"):
            self.view.resizeRowToContents(cell.row())  # sizeHint below measures the editor's text

    def destroyEditor(self, editor, index) -> None:
        self.open_editors.pop(editor, None)
        super().destroyEditor(editor, index)

    def setEditorData(self, editor, index) -> None:
        if isinstance(editor, CellTextEdit):
            editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            editor.moveCursor(editor.textCursor().MoveOperation.End)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:
        if isinstance(editor, CellTextEdit):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if self._tall(index.row()):  # a grown row reads like a paper form: every cell from the top
            option.displayAlignment = ((option.displayAlignment & Qt.AlignmentFlag.AlignHorizontal_Mask)
                                       | Qt.AlignmentFlag.AlignTop)

    def _tall(self, row: int) -> bool:
        return self.view.rowHeight(row) > self.view.verticalHeader().defaultSectionSize() + 2

    def updateEditorGeometry(self, editor, option, index) -> None:
        rect = option.rect  # the cell, never more
        if not isinstance(editor, CellTextEdit) and self._tall(index.row()):
            # a one-line editor or a drop-down (a cell widget) keeps one line's height, at the top
            rect.setHeight(min(rect.height(), max(editor.sizeHint().height(),
                                                  self.view.verticalHeader().defaultSectionSize())))
        editor.setGeometry(rect)

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() not in self.multiline:
            return size
        # The text's wrapped height at the column's width, as shown or (while typed) in the editor.
        editor = next((e for e, cell in self.open_editors.items() if cell == index), None)
        text = editor.toPlainText() if isinstance(editor, CellTextEdit) else str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        wrapped = self._wrapped_height(option, index.column(), text)
        return QSize(size.width(), min(wrapped, self.max_lines * option.fontMetrics.lineSpacing()) + PADDING)

    def _wrapped_height(self, option, column: int, text: str) -> int:
        if not text or text.endswith("\n"):
            text += " "  # the new line Enter just began has a height too
        # measured as if the editor's scroll bar were showing: the width it wraps at while typing
        scroll_bar = self.view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = max(self.view.columnWidth(column) - PADDING - scroll_bar, 20)
        return option.fontMetrics.boundingRect(0, 0, width, 1 << 20, Qt.TextFlag.TextWordWrap, text).height()

    def helpEvent(self, event, view, option, index) -> bool:
        # a long field shows its first lines; the whole of it on hovering
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if event.type() == QEvent.Type.ToolTip and index.column() in self.multiline and text \
                and not index.data(Qt.ItemDataRole.ToolTipRole) \
                and self._wrapped_height(option, index.column(), text) + PADDING > option.rect.height():
            QToolTip.showText(event.globalPos(), f"<p style='white-space: pre-wrap'>{html.escape(text)}</p>", view)
            return True
        return super().helpEvent(event, view, option, index)

    def eventFilter(self, editor, event) -> bool:
        # A multi-line editor keeps Enter for a new line, but Tab moves on as in every other cell.
        if isinstance(editor, CellTextEdit) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.EditNextItem if event.key() == Qt.Key.Key_Tab
                                  else QAbstractItemDelegate.EndEditHint.EditPreviousItem)
            return True
        return super().eventFilter(editor, event)


def edit_in_cells(table: QTableView, multiline=(), max_lines: int = 6) -> CellEditors:
    """Give `table` editors that stay in their cells; long columns wrap and grow their rows."""
    delegate = CellEditors(table, multiline, max_lines)
    table.setItemDelegate(delegate)
    table.setWordWrap(True)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)  # a tall row scrolls smoothly
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return delegate


def commit_edits(table: QAbstractItemView) -> None:
    """Put what is being typed in a cell into the table, as leaving the cell would: a save that
    reads the table must not miss the cell still open, whether or not the focus left it first."""
    delegate = table.itemDelegate()
    for editor in list(getattr(delegate, "open_editors", {})):
        table.commitData(editor)
        table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
