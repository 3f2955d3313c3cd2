"""Typing in a table's cells: each editor stays inside its own cell, and what is typed is in the
table before anything reads it.

Qt's default text editor for a cell (QExpandingLineEdit) widens over the next columns as the
clerk types: a click "in" the next cell then lands in that editor and the text goes into the
wrong field. Here a short field gets a line editor exactly the size of its cell, and a long one
(what residents said, the opinions a visit raised) a multi-line editor that wraps and makes its
row taller, up to a few lines, then scrolls inside the cell. Tab goes to the next cell, Enter
starts a new line in a long field, Esc undoes the cell's edit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QWidget,
)

PADDING = 8  # the cell's text margins and the editor's document margin, top and bottom together


class CellTextEdit(QPlainTextEdit):
    """A long field's editor. Its size hint is its text's height (up to `max_lines`), which the
    table asks when it sizes the row: the row grows with the text, the editor never outgrows it."""

    def __init__(self, parent: QWidget, max_lines: int):
        super().__init__(parent)
        self.max_lines = max_lines
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.document().setDocumentMargin(2)

    def lines(self) -> int:
        # the layout's own count, wrapped at the editor's width (a plain text document's height is in lines)
        return max(1, round(self.document().documentLayout().documentSize().height()))

    def sizeHint(self) -> QSize:
        shown = min(self.lines(), self.max_lines)
        return QSize(super().sizeHint().width(), shown * self.fontMetrics().lineSpacing() + PADDING)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)


class CellEditors(QStyledItemDelegate):
    """The delegate for a table the clerk types into; `multiline` lists the long columns."""

    def __init__(self, view: QAbstractItemView, multiline=(), max_lines: int = 6):
        super().__init__(view)
        self.view = view
        self.multiline = set(multiline)
        self.max_lines = max_lines
        self.open_editors: dict[QWidget, QPersistentModelIndex] = {}

    def createEditor(self, parent, option, index):
        editor: QWidget
        if index.column() in self.multiline:
            editor = CellTextEdit(parent, self.max_lines)
            cell = QPersistentModelIndex(index)
            editor.textChanged.connect(lambda: self._grow(cell))
        else:
            editor = QLineEdit(parent)
            editor.setFrame(False)
        self.open_editors[editor] = QPersistentModelIndex(index)
        return editor

    def _grow(self, cell: QPersistentModelIndex) -> None:
        if cell.isValid() and hasattr(self.view, "resizeRowToContents"):
            self.view.resizeRowToContents(cell.row())  # the table asks the editor's size hint

    def destroyEditor(self, editor, index) -> None:
        self.open_editors.pop(editor, None)
        super().destroyEditor(editor, index)

    def setEditorData(self, editor, index) -> None:
        if isinstance(editor, CellTextEdit):
            editor.setPlainText(str(index.data(Qt.EditRole) or ""))
            editor.moveCursor(editor.textCursor().MoveOperation.End)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:
        if isinstance(editor, CellTextEdit):
            model.setData(index, editor.toPlainText(), Qt.EditRole)
        else:
            super().setModelData(editor, model, index)

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if self._tall(index.row()):  # a grown row reads like a paper form: every cell from the top
            option.displayAlignment = (option.displayAlignment & Qt.AlignHorizontal_Mask) | Qt.AlignTop

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
        editor = next((e for e, cell in self.open_editors.items() if cell == index), None)
        if isinstance(editor, CellTextEdit):  # while typing, the row follows the editor's text
            return QSize(size.width(), max(size.height(), editor.sizeHint().height()))
        text = str(index.data(Qt.DisplayRole) or "")
        width = max(self.view.columnWidth(index.column()) - PADDING, 20)
        metrics = option.fontMetrics
        wrapped = metrics.boundingRect(0, 0, width, 1 << 20, Qt.TextWordWrap, text).height()
        height = min(wrapped, self.max_lines * metrics.lineSpacing()) + PADDING
        return QSize(size.width(), max(size.height(), height))

    def eventFilter(self, editor, event) -> bool:
        # A multi-line editor keeps Enter for a new line, but Tab moves on as in every other cell.
        if isinstance(editor, CellTextEdit) and event.type() == QEvent.KeyPress \
                and event.key() in (Qt.Key_Tab, Qt.Key_Backtab):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EditNextItem if event.key() == Qt.Key_Tab
                                  else QAbstractItemDelegate.EditPreviousItem)
            return True
        return super().eventFilter(editor, event)


def edit_in_cells(table: QAbstractItemView, multiline=(), max_lines: int = 6) -> CellEditors:
    """Give `table` editors that stay in their cells; long columns wrap and grow their rows."""
    delegate = CellEditors(table, multiline, max_lines)
    table.setItemDelegate(delegate)
    table.setWordWrap(True)
    table.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)  # a tall row scrolls smoothly
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    return delegate


def commit_edits(table: QAbstractItemView) -> None:
    """Put what is being typed in a cell into the table, as leaving the cell would: a save that
    reads the table (the 保存 button, Enter on the dialog) must not miss the cell still open."""
    delegate = table.itemDelegate()
    for editor in list(getattr(delegate, "open_editors", {})):
        table.commitData(editor)
        table.closeEditor(editor, QAbstractItemDelegate.NoHint)
