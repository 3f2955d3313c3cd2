"""The main window: a sidebar of the areas built so far and one page per area."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QMainWindow, QStackedWidget, QWidget

from app import APP_NAME, __version__

from .messages import show_bug, show_refusal
from .paint import after_first_paint


def _page_class(module: str, name: str):
    """Import a page's module only when the page is first shown (keeps start-up short)."""
    def build(backend):
        import importlib

        return getattr(importlib.import_module(f"ui.pages.{module}"), name)(backend)
    return build


class MainWindow(QMainWindow):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        from .memory import restore_window

        restore_window(self, (1280, 800))
        # Pages are built the first time they are shown, so start-up builds only 概览.
        self.areas = {
            "overview": ("概览", _page_class("overview", "OverviewPage")),
            "roster": ("代表", _page_class("roster", "RosterPage")),
            "nomination": ("推选", _page_class("nomination", "NominationPage")),
            "organisation": ("组织", _page_class("organisation", "OrganisationPage")),
            "venues": ("阵地", _page_class("venues", "VenuesPage")),
            "meetings": ("会议", _page_class("meetings", "MeetingsPage")),
            "opinions": ("意见建议", _page_class("opinions", "OpinionsPage")),
            "data": ("数据", _page_class("data", "DataPage")),
            "recycle": ("回收站", _page_class("recycle", "RecyclePage")),
            "settings": ("设置", _page_class("settings", "SettingsPage")),
        }
        self._built: dict[str, QWidget] = {}
        self._store_ready = False
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(150)
        self.stack = QStackedWidget()
        for title, _ in self.areas.values():
            self.sidebar.addItem(title)
            self.stack.addWidget(QWidget())
        self.sidebar.currentRowChanged.connect(self._switch)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self.busy = QLabel()
        self.statusBar().addPermanentWidget(self.busy)
        backend.undo_available.connect(self._undo_available)
        backend.busy.connect(lambda on: self.busy.setText("正在处理…" if on else ""))
        backend.bug.connect(lambda text: show_bug(self, text))
        # The first page is built once the window has painted (the sidebar shows at once).
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(0)
        self.sidebar.blockSignals(False)
        self.help_window = None
        self.undo_action = QAction("撤销", self)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo)
        self.addAction(self.undo_action)
        # Shortcuts and the first page come right after the first paint: key sequences load
        # Qt's whole enum namespace, which would otherwise delay the window by ~30 ms.
        after_first_paint(self, self._finish_start)

    def _finish_start(self) -> None:
        self.undo_action.setShortcut(QKeySequence.Undo)
        help_menu = self.menuBar().addMenu("帮助(&H)")  # after the first paint, like the shortcuts
        self.help_action = help_menu.addAction("使用说明", self.show_help)
        self.help_action.setShortcut(QKeySequence.HelpContents)  # F1
        help_menu.addAction("导出使用说明 PDF…", lambda: self.show_help().export_pdf())
        help_menu.addSeparator()
        help_menu.addAction("关于议事工作台", self.show_about)
        for index in range(len(self.areas)):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.sidebar.setCurrentRow(i))
            self.addAction(action)
        self._switch(self.sidebar.currentRow())

    def page(self, key: str):
        """The page of an area, built (and loaded, once the store is open) on first use."""
        if key not in self._built:
            index = list(self.areas).index(key)
            page = self.areas[key][1](self.backend)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._built[key] = page
            if self._store_ready:
                page.reload()
        return self._built[key]

    def _switch(self, index: int) -> None:
        page = self.page(list(self.areas)[index])
        self.stack.setCurrentWidget(page)

    def current_area(self) -> str:
        return list(self.areas)[self.sidebar.currentRow()]

    def show_help(self):
        """The 使用说明, turned to the area in front (F1)."""
        from .help import HelpWindow

        if self.help_window is None:
            self.help_window = HelpWindow(self.backend, self)
        self.help_window.show_section(self.current_area())
        self.help_window.show()
        self.help_window.raise_()
        return self.help_window

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "关于议事工作台",
                          f"{APP_NAME} {__version__}\n街道议事代表会议制度工作台：代表与推选、小组与阵地、会议、"
                          "意见建议办理、台账与文书、U盘交换。\n数据保存在本机，不联网。")

    def show_page(self, key: str) -> None:
        self.sidebar.setCurrentRow(list(self.areas).index(key))

    def reload_all(self) -> None:
        """The store is open (or was replaced): load every page built so far."""
        self._store_ready = True
        for page in self._built.values():
            page.reload()
        self._remind_once()

    def _remind_once(self) -> None:
        """今日提醒, once per session after the store first opens (ui.reminders decides whether)."""
        if not getattr(self, "_reminded", False):
            self._reminded = True
            from .reminders import remind_on_start

            remind_on_start(self)

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
        from .memory import save_window

        save_window(self)
        self.backend.shutdown()
        super().closeEvent(event)
