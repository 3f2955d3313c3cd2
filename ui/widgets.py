"""Small building blocks every page uses the same way: button rows and list keyboard keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton


class NoWheelCombo(QComboBox):
    """A combo box the mouse wheel passes over until the clerk clicks or tabs into it: scrolling a
    table or a form scrolls it and never changes a choice on the way. Every combo in the app is one
    (a test holds `QComboBox(` to this file)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)  # the wheel does not give it focus either

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # passed on to the table or scroll area beneath


def add_buttons(layout, buttons) -> None:
    """Push buttons from (text, slot) or (text, slot, tooltip) entries, appended to `layout`."""
    for text, slot, *tip in buttons:
        button = QPushButton(text)
        if tip and tip[0]:
            button.setToolTip(tip[0])
        button.clicked.connect(slot)
        layout.addWidget(button)


def dialog_buttons(ok: str, cancel: str, accepted, rejected):
    """A dialog's two buttons with the words of the task ("确认导入" / "取消") instead of OK/Cancel."""
    from PySide6.QtWidgets import QDialogButtonBox

    buttons = QDialogButtonBox()
    buttons.addButton(ok, QDialogButtonBox.AcceptRole)
    buttons.addButton(cancel, QDialogButtonBox.RejectRole)
    buttons.accepted.connect(accepted)
    buttons.rejected.connect(rejected)
    return buttons


def add_check_item(list_widget, text: str, value, checked: bool = False) -> None:
    """A row with a tick box in a QListWidget, carrying `value`."""
    from PySide6.QtWidgets import QListWidgetItem

    item = QListWidgetItem(text)
    item.setData(Qt.UserRole, value)
    item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
    item.setCheckState(Qt.Checked if checked else Qt.Unchecked)
    list_widget.addItem(item)


def checked_values(list_widget) -> list:
    """The values of the ticked rows, in list order."""
    return [list_widget.item(i).data(Qt.UserRole) for i in range(list_widget.count())
            if list_widget.item(i).checkState() == Qt.Checked]


def button_row(layout, buttons) -> None:
    """A left-aligned row of buttons under a table."""
    row = QHBoxLayout()
    add_buttons(row, buttons)
    row.addStretch(1)
    layout.addLayout(row)


def bind_list_keys(page, view, *, find=None, new=None, open_=None, delete=None) -> None:
    """Ctrl+F and Ctrl+N anywhere on the page; Enter and Delete on its table."""
    for keys, slot in ((QKeySequence.Find, find), (QKeySequence.New, new)):
        if slot:
            QShortcut(QKeySequence(keys), page, context=Qt.WidgetWithChildrenShortcut).activated.connect(slot)
    for keys, slot in ((Qt.Key_Return, open_), (Qt.Key_Enter, open_), (Qt.Key_Delete, delete)):
        if slot:
            QShortcut(QKeySequence(keys), view, context=Qt.WidgetShortcut).activated.connect(slot)


def local_when(at: str | None) -> str:
    """A stored UTC time as the clerk's clock shows it, to the minute."""
    from app.audit import local_time

    return local_time(at)[:16] if at else ""


def plain_table(headers: list[str], multiline=()):
    """A small editable grid (minutes' items, reception matters): interactive columns, the last one
    stretching, editors that stay in their cells; the `multiline` columns wrap and grow their row."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

    from .cell_editing import edit_in_cells

    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.verticalHeader().setDefaultSectionSize(28)
    edit_in_cells(table, multiline)
    return table


def text_cell(text):
    from PySide6.QtWidgets import QTableWidgetItem

    return QTableWidgetItem("" if text is None else str(text))
