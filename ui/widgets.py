"""Small building blocks every page uses the same way: button rows and list keyboard keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSpinBox

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


class NoWheelCombo(QComboBox):
    """A combo box the mouse wheel passes over until the clerk clicks or tabs into it: scrolling a
    table or a form scrolls it and never changes a choice on the way. Every combo in the app is one
    (a test holds `QComboBox(` to this file)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not give it focus either

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # passed on to the table or scroll area beneath


class NoWheelSpin(QSpinBox):
    """A number box the wheel passes over until the clerk is in it (as NoWheelCombo)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def add_buttons(layout, buttons) -> list[QPushButton]:
    """Push buttons from (text, slot) or (text, slot, tooltip) entries, appended to `layout`."""
    made = []
    for text, slot, *tip in buttons:
        button = QPushButton(text)
        if tip and tip[0]:
            button.setToolTip(tip[0])
        button.clicked.connect(slot)
        layout.addWidget(button)
        made.append(button)
    return made


def needs_selection(view, buttons, why: str) -> None:
    """Buttons that act on the row chosen in `view`: disabled while there is none, and their
    tooltip says why ("请先在议题列表中选择一个议题"), instead of a click that does nothing."""
    tips = {button: button.toolTip() for button in buttons}

    def update(*_) -> None:
        selection = view.selectionModel()
        chosen = selection is not None and (view.currentIndex().isValid() or selection.hasSelection())
        for button, tip in tips.items():
            button.setEnabled(chosen)
            button.setToolTip(tip if chosen else "\n".join(filter(None, (tip, f"不可用：{why}"))))

    view.selectionModel().selectionChanged.connect(update)
    view.selectionModel().currentChanged.connect(update)
    for signal in ("modelReset", "rowsRemoved", "layoutChanged", "rowsInserted"):
        getattr(view.model(), signal).connect(update)
    update()


def dialog_buttons(ok: str, cancel: str, accepted, rejected):
    """A dialog's two buttons with the words of the task ("确认导入" / "取消") instead of OK/Cancel."""
    from PySide6.QtWidgets import QDialogButtonBox

    buttons = QDialogButtonBox()
    buttons.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(accepted)
    buttons.rejected.connect(rejected)
    return buttons


def close_button(rejected):
    """A window's one button, 关闭 (Qt's Close, in Chinese)."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    box.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
    box.rejected.connect(rejected)
    return box


def add_check_item(list_widget, text: str, value, checked: bool = False) -> None:
    """A row with a tick box in a QListWidget, carrying `value`."""
    from PySide6.QtWidgets import QListWidgetItem

    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, value)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    list_widget.addItem(item)


def checked_values(list_widget) -> list:
    """The values of the ticked rows, in list order."""
    return [list_widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(list_widget.count())
            if list_widget.item(i).checkState() == Qt.CheckState.Checked]


def button_row(layout, buttons) -> list[QPushButton]:
    """A left-aligned row of buttons under a table."""
    row = QHBoxLayout()
    made = add_buttons(row, buttons)
    row.addStretch(1)
    layout.addLayout(row)
    return made


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
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), page,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut).activated.connect(new)
    for keys, slot in ((Qt.Key.Key_Return, open_), (Qt.Key.Key_Enter, open_), (Qt.Key.Key_Delete, delete)):
        if slot:
            QShortcut(QKeySequence(keys), view, context=Qt.ShortcutContext.WidgetShortcut).activated.connect(slot)


def local_when(at: str | None) -> str:
    """A stored UTC time as the clerk's clock shows it, to the minute."""
    from app.storage.audit import local_time

    return local_time(at)[:16] if at else ""


def plain_table(headers: list[str], multiline=()):
    """A small editable grid (minutes' items, reception matters): interactive columns, the last one
    stretching, editors that stay in their cells; the `multiline` columns wrap and grow their row."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

    from .cell_editing import edit_in_cells

    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setDefaultSectionSize(28)
    edit_in_cells(table, multiline)
    return table


def cell_combo(table: QTableWidget, row: int, column: int) -> QComboBox:
    """The drop-down a table was given for a cell (setCellWidget)."""
    box = table.cellWidget(row, column)
    assert isinstance(box, QComboBox), (row, column)
    return box


def cell_item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """A cell's item that the table was filled with (setItem): never None."""
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item


def text_cell(text):
    from PySide6.QtWidgets import QTableWidgetItem

    return QTableWidgetItem("" if text is None else str(text))


# -- person fields: pick a delegate by name, part of it, or its pinyin initials ------------------------
class _PersonFilter:
    """The rows of a person combo that the typed text names: a part of the name (中文), or the
    beginning of its pinyin initials (zs) or full pinyin (zhangs), as the roster search takes them."""

    def __init__(self):
        self.text = ""
        self._keys: dict[str, tuple[str, str, str]] = {}

    def keys(self, label: str) -> tuple[str, str, str]:
        if label not in self._keys:
            from app.common.textutil import pinyin_keys

            name = label.split("（")[0].strip()
            initials, full = pinyin_keys(name)
            self._keys[label] = (label.lower(), initials, full)
        return self._keys[label]

    def matches(self, label: str, text: str | None = None) -> bool:
        text = (self.text if text is None else text).strip().lower().replace(" ", "")
        if not text:
            return True
        plain, initials, full = self.keys(label)
        return text in plain or initials.startswith(text) or full.startswith(text)


class _PersonProxy(QSortFilterProxyModel):
    """The combo's own model, filtered by what is typed (the completer's list)."""

    def __init__(self, rule: _PersonFilter, parent=None):
        super().__init__(parent)
        self.rule = rule

    def filterAcceptsRow(self, row, parent):
        index = self.sourceModel().index(row, 0, parent)
        if self.rule.text.strip() and index.data(Qt.ItemDataRole.UserRole) is None:
            return False  # （无） is not a match for a typed name
        return self.rule.matches(str(index.data() or ""))

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.rule.text = text
        self.endFilterChange()


def person_picker(combo):
    """Make `combo` (items "张三（中山路社区）" with the delegate's id) a person field: typing a
    name, a part of it or its pinyin initials ("zs") lists the delegates it names; Enter or a
    click takes one. The one shared picker of every field where a delegate is chosen."""
    from PySide6.QtWidgets import QCompleter

    rule = _PersonFilter()

    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    proxy = _PersonProxy(rule, combo)
    proxy.setSourceModel(combo.model())
    completer = QCompleter(proxy, combo)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setMaxVisibleItems(12)
    combo.setCompleter(completer)

    def typed(text: str) -> None:
        # Typing after a name already there (or （无）) starts a new search: the name goes.
        shown = [combo.itemText(i) for i in range(combo.count())]
        before = max((label for label in shown if label and text.startswith(label) and len(text) > len(label)),
                     key=len, default="")
        if before:
            text = text[len(before):]
            combo.lineEdit().setText(text)
        proxy.set_text(text)
        if text.strip() and proxy.rowCount():
            completer.complete()
        else:
            completer.popup().hide()

    combo.lineEdit().textEdited.connect(typed)
    combo.lineEdit().setPlaceholderText("输入姓名或拼音首字母，如 zs")
    combo.person_enter = _TakeOnEnter(combo, proxy)
    combo.lineEdit().installEventFilter(combo.person_enter)
    combo.person_rule = rule
    return combo


class _TakeOnEnter(QObject):
    """Enter in a person field takes the name offered (the only or first match) and moves on to
    the next field; it never reaches the dialog, whose default button would otherwise save a
    half-filled form (a visit sheet saved empty from its 走访代表 field)."""

    def __init__(self, combo, proxy):
        super().__init__(combo)
        self.combo, self.proxy = combo, proxy

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() != QEvent.Type.KeyPress or event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        popup = self.combo.completer().popup() if self.combo.completer() else None
        if popup is not None and popup.isVisible():
            return False  # the list is open: it takes the highlighted name itself
        text = self.combo.lineEdit().text().strip()
        if text and self.combo.findText(text) < 0 and self.proxy.rowCount():
            label = self.proxy.index(0, 0).data()
            self.combo.setCurrentIndex(self.combo.findText(label))
        self.combo.focusNextChild()
        return True


def person_choice(combo, field_label: str = "代表"):
    """The id of the delegate the person field names: the one picked, or the one the typed text
    names alone (full name, its beginning, or pinyin initials); None when it is empty or （无）.
    Raises ValidationError when the text names no delegate or several."""
    from app.common.errors import ValidationError

    text = combo.currentText().strip()
    index = combo.currentIndex()
    if not text or (index >= 0 and combo.itemText(index) == text and combo.itemData(index) is None):
        return None
    if index >= 0 and combo.itemText(index) == text:
        return combo.itemData(index)
    rows = [i for i in range(combo.count()) if combo.itemData(i) is not None]
    labels = {i: combo.itemText(i) for i in rows}
    matches = [i for i in rows if labels[i] == text or labels[i].split("（")[0] == text]
    matches = matches or [i for i in rows if labels[i].startswith(text)]
    rule = getattr(combo, "person_rule", None) or _PersonFilter()
    matches = matches or [i for i in rows if rule.matches(labels[i], text)]
    if len(matches) == 1:
        return combo.itemData(matches[0])
    raise ValidationError(f"{field_label}“{text}”" + ("对应多名代表，请从下拉列表中选定一位" if matches else
                          "不在议事代表名单中：请从下拉列表中选择，或清空这一栏"))


def person_list_filter(list_widget, placeholder: str = "筛选：姓名或拼音首字母，如 zs"):
    """A search line over a list of people to tick ("张三（老城小组）"): the rows the typed name,
    part of it or pinyin initials name stay shown; ticks are kept on the hidden rows."""
    from PySide6.QtWidgets import QLineEdit

    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    rule = _PersonFilter()

    def apply(text: str) -> None:
        for i in range(list_widget.count()):
            item = list_widget.item(i)
            item.setHidden(not rule.matches(item.text(), text))

    edit.textChanged.connect(apply)
    return edit
