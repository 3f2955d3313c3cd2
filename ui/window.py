"""The main window: a sidebar of the areas built so far and one page per area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QMainWindow, QStackedWidget,
                               QWidget)

from app import APP_NAME, __version__

from .messages import show_bug, show_refusal
from .pages.organisation import OrganisationPage
from .pages.overview import OverviewPage
from .pages.recycle import RecyclePage
from .pages.roster import RosterPage
from .pages.settings import SettingsPage
from .pages.venues import VenuesPage


class MainWindow(QMainWindow):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.resize(1280, 800)
        self.pages = {
            "overview": ("概览", OverviewPage(backend)),
            "roster": ("代表", RosterPage(backend)),
            "organisation": ("组织", OrganisationPage(backend)),
            "venues": ("阵地", VenuesPage(backend)),
            "recycle": ("回收站", RecyclePage(backend)),
            "settings": ("设置", SettingsPage(backend)),
        }
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(150)
        self.stack = QStackedWidget()
        for title, page in self.pages.values():
            self.sidebar.addItem(title)
            self.stack.addWidget(page)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.undo_action = QAction("撤销", self)
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo)
        self.addAction(self.undo_action)
        for index in range(len(self.pages)):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.sidebar.setCurrentRow(i))
            self.addAction(action)

        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self.busy = QLabel()
        self.statusBar().addPermanentWidget(self.busy)
        backend.undo_available.connect(self._undo_available)
        backend.busy.connect(lambda on: self.busy.setText("正在处理…" if on else ""))
        backend.bug.connect(lambda text: show_bug(self, text))
        self.sidebar.setCurrentRow(0)

    def page(self, key: str):
        return self.pages[key][1]

    def show_page(self, key: str) -> None:
        self.sidebar.setCurrentRow(list(self.pages).index(key))

    def reload_all(self) -> None:
        for _, page in self.pages.values():
            page.reload()

    def _undo_available(self, summary: str) -> None:
        self.undo_action.setEnabled(bool(summary))
        self.undo_action.setText(f"撤销：{summary}" if summary else "撤销")
        if summary:
            self.status.setText(f"已完成：{summary}（按 Ctrl+Z 撤销）")

    def undo(self) -> None:
        summary = self.backend.undo_summary()
        if not summary:
            return
        self.backend.undo(lambda _: self.status.setText(f"已撤销：{summary}"),
                          lambda e: show_refusal(self, e, "无法撤销"))

    def closeEvent(self, event) -> None:
        self.backend.shutdown()
        super().closeEvent(event)
