"""Small building blocks every page uses the same way: button rows and list keyboard keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton


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
    """Ctrl+N anywhere on the page; Enter and Delete on its table. Ctrl+F is the window's (it reaches
    the search box in front from anywhere, the sidebar included): `find` is kept as the page's hook.
    The open and delete slots are also the table's right-click 打开 and 删除, and the page's own
    `edit`, when it is not what opening does, its 编辑."""
    page.find_hook = find
    hooks = {"open": open_, "delete": delete}
    edit = getattr(page, "edit", None)
    if callable(edit) and edit != open_:
        hooks["edit"] = edit
    view.row_hooks = {**getattr(view, "row_hooks", {}), **{k: v for k, v in hooks.items() if v}}
    if new:
        QShortcut(QKeySequence(QKeySequence.New), page, context=Qt.WidgetWithChildrenShortcut).activated.connect(new)
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
