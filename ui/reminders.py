"""今日提醒: shown once after the store opens (unless the clerk turned it off) and from 概览's
「今日提醒…」: what is due today and this week, what is overdue, whose feedback is due, which grids
nobody visited this month (app.services.reminders.desk_reminders); each line opens its record."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from .memory import fit_on_screen, recall, remember

ON_START = "reminders/on_start"


def on_start_wanted() -> bool:
    """Whether the panel shows when the program opens (the clerk's 「启动时不再显示」 unticked)."""
    return recall(ON_START) != "0"


def set_on_start(wanted: bool) -> None:
    remember(ON_START, "1" if wanted else "0")


class ReminderPanel(QDialog):
    def __init__(self, data: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("reminders")
        self.setWindowTitle("今日提醒")
        fit_on_screen(self, (860, 560))
        layout = QVBoxLayout(self)
        count = data["count"]
        heading = QLabel(f"今天是 {data['today']}。" + (f"共有 {count} 项需要留意，双击一项（或选中后按回车）打开它的记录。"
                                                      if count else "今天和本周没有到期、逾期或待反馈的事项。"))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.itemActivated.connect(self.open_item)
        layout.addWidget(self.tree, 1)
        for section in data["sections"]:
            if not section["total"]:
                continue
            head = QTreeWidgetItem([f"{section['title']}（{section['total']} 项）"])
            font = QFont(head.font(0))
            font.setBold(True)
            head.setFont(0, font)
            head.setData(0, Qt.ItemDataRole.UserRole, None)
            self.tree.addTopLevelItem(head)
            for line in section["items"]:
                child = QTreeWidgetItem([line["text"]])
                child.setData(0, Qt.ItemDataRole.UserRole, line["target"])
                child.setToolTip(0, line["text"])
                head.addChild(child)
            if section["total"] > len(section["items"]):
                head.addChild(QTreeWidgetItem([f"……另有 {section['total'] - len(section['items'])} 项，请在相应页面查看"]))
            head.setExpanded(section["key"] != "grids" or section["total"] <= 10)
        self.on_start = QCheckBox("启动时不再显示")
        self.on_start.setToolTip("以后可在“概览”页点“今日提醒…”再次打开；取消勾选则每次启动都显示")
        self.on_start.setChecked(not on_start_wanted())
        self.on_start.toggled.connect(lambda checked: set_on_start(not checked))
        close = QPushButton("关闭")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.on_start)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)

    def _line_items(self) -> Iterator[QTreeWidgetItem]:
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            assert head is not None  # i is below the count
            for j in range(head.childCount()):
                line = head.child(j)
                assert line is not None
                yield line

    def lines(self) -> list[str]:
        return [line.text(0) for line in self._line_items()]

    def item_of(self, text: str) -> QTreeWidgetItem | None:
        return next((line for line in self._line_items() if text in line.text(0)), None)

    def open_item(self, item: QTreeWidgetItem, _column: int = 0):
        """A line opens its record in the main window; the panel steps aside."""
        from .navigate import open_target

        target = item.data(0, Qt.ItemDataRole.UserRole)
        if not target:
            return None
        opened = open_target(self.parentWidget(), target)
        self.accept()
        return opened


def show_reminders(parent, backend, on_start: bool = False) -> None:
    """Ask the core for today's reminders, then show the panel (on opening: only when there is
    something to say)."""

    def ready(data):
        if on_start and not data["count"]:
            return
        panel = ReminderPanel(data, parent)
        panel.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.reminder_panel = panel
        panel.show()
        panel.raise_()

    from app.services.reminders import desk_reminders

    backend.query(desk_reminders, ready)


def remind_on_start(window) -> None:
    """Once the store is open: the panel, unless the clerk asked not to see it on opening."""
    if on_start_wanted():
        show_reminders(window, window.backend, on_start=True)
