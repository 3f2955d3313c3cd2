"""The main window: a sidebar of the areas built so far and one page per area."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QMainWindow, QStackedWidget, QWidget

from app import APP_NAME, __version__

from .messages import show_bug, show_refusal
from .paint import after_first_paint

UNNAMED_OFFICE = "本办公室"  # the name a new store gives itself (app.store) until 设置 names it


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
        # Each area's page (ui.pages.*: a QWidget with reload()), imported by name when first shown.
        self._built: dict[str, Any] = {}
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
        backend.replaced.connect(self._store_replaced)
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
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self._add_file_menu()
        self._add_data_menu()
        help_menu = self.menuBar().addMenu("帮助(&H)")  # after the first paint, like the shortcuts
        self.help_action = help_menu.addAction("使用说明", self.show_help)
        self.help_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        help_menu.addAction("导出使用说明 PDF…", lambda: self.show_help().export_pdf())
        help_menu.addSeparator()
        help_menu.addAction("关于议事工作台", self.show_about)
        self._add_keys()
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
        self.show_office_in_title()
        self._remind_once()

    def show_office_in_title(self) -> None:
        """The office's name first in the title (two offices open side by side, or their buttons on
        the taskbar, are told apart); an office not named yet by its data folder too. 设置 calls it
        again when saved (settings live in the meta table: no change of rows announces them)."""
        def title(store) -> str:
            name = store.settings.get("site_name")
            if name and name != UNNAMED_OFFICE:
                return name
            return f"{store.settings.unit() or UNNAMED_OFFICE}（数据目录 {store.data_dir}）"

        self.backend.query(title, lambda name: self.setWindowTitle(f"{name} — {APP_NAME} {__version__}"))

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
        elif "Ctrl+Z" in self.status.text():
            self.status.clear()  # (after a restore or an import) the edit it offered is gone

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

    # -- keys and the 文件 menu ------------------------------------------------------------------
    def _add_keys(self) -> None:
        """Ctrl+1…Ctrl+9 and Ctrl+0 for the ten areas (as the manual says), Ctrl+F for the search
        box of the area in front, from anywhere (the sidebar too)."""
        for index in range(len(self.areas)):
            keys = f"Ctrl+{(index + 1) % 10}"
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, i=index: self.sidebar.setCurrentRow(i))
            self.addAction(action)
            self.sidebar.item(index).setToolTip(keys)
        self.find_action = QAction("查找", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        self.addAction(self.find_action)

    def _current_page(self):
        return self._built.get(self.current_area())

    def focus_search(self) -> bool:
        """Ctrl+F: the search box of the area (and tab) in front, its text selected."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QLineEdit

        page = self._current_page()
        boxes = [box for box in page.findChildren(QLineEdit)
                 if box.property("search_box") and box.isVisibleTo(page) and box.isEnabled()] if page else []
        if not boxes:
            self.status.setText(f"“{self.areas[self.current_area()][0]}”这里没有搜索框")
            return False
        boxes[0].setFocus(Qt.FocusReason.ShortcutFocusReason)
        boxes[0].selectAll()
        return True

    def _add_file_menu(self) -> None:
        menu = self.menuBar().addMenu("文件(&F)")  # first: before 帮助
        self.file_menu = menu
        menu.addAction("打开数据目录", self.open_data_dir)
        menu.addAction("备份", self.backup_now)
        menu.addSeparator()
        self.print_action = menu.addAction("打印…", self.print_current)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        menu.addAction("导出…", self.export_current)
        menu.addSeparator()
        self.quit_action = menu.addAction("退出", self.close)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))

    def _add_data_menu(self) -> None:
        from .import_wizard import add_import_menu

        menu = self.menuBar().addMenu("数据(&D)")
        self.data_menu = menu
        self.import_menu = add_import_menu(menu, self, self.backend)
        self.setAcceptDrops(True)  # a spreadsheet dropped on the window opens the import wizard

    def _dropped_file(self, event) -> str | None:
        from pathlib import Path

        from app.workbooks import SUFFIXES

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        files = [u.toLocalFile() for u in urls if u.isLocalFile()]
        return next((f for f in files if Path(f).suffix.lower() in SUFFIXES), None)

    def dragEnterEvent(self, event) -> None:
        if self._dropped_file(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        path = self._dropped_file(event)
        if not path:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.import_dropped(path)

    def import_dropped(self, path: str) -> None:
        """A dropped spreadsheet is read as the kind the list in front shows (the grids tab: grids),
        else as a roster, as before."""
        from PySide6.QtWidgets import QTabWidget

        from app.workbooks.kinds import names

        from .import_wizard import ROSTER, start_import

        widget = self._current_page()
        while widget is not None and isinstance(getattr(widget, "tabs", None), QTabWidget):
            widget = widget.tabs.currentWidget()
        kinds = [k for k in getattr(widget, "imports", ()) if k in names()]
        start_import(self, self.backend, path, kind=kinds[0] if len(kinds) == 1 else ROSTER)

    def open_data_dir(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        self.backend.query(lambda s: str(s.data_dir),
                           lambda folder: QDesktopServices.openUrl(QUrl.fromLocalFile(folder)))

    def backup_now(self) -> None:
        """The 数据 › 备份与恢复 tab's 立即备份, from the menu: says where it saved."""
        from PySide6.QtWidgets import QMessageBox

        from app.storage.backup import backup

        from .backend import DelayedProgress

        def done(result):
            data = self._built.get("data")
            if data is not None:
                data.backups.reload()
            self.status.setText(f"已备份：{result['path']}")
            QMessageBox.information(self, "备份完成", f"已备份并校验，保存在：\n{result['path']}")

        job = self.backend.op(lambda s: backup(s, None, reason="manual"), done, lambda e: show_refusal(self, e))
        DelayedProgress(self, job, "正在备份…")

    def _front_list(self):
        """The list in front: the table with the focus, else the largest table shown in the area."""
        from PySide6.QtWidgets import QTableView

        page = self._current_page()
        if page is None:
            return None
        views = [v for v in page.findChildren(QTableView) if v.property("main_list") and v.isVisibleTo(page)]
        focused = [v for v in views if v.hasFocus()]
        if focused:
            return focused[0]
        return max(views, key=lambda v: v.width() * v.height(), default=None)

    def _front_title(self, view) -> str:
        """The area and the tabs the list sits in, e.g. 意见建议 › 意见建议台账."""
        from PySide6.QtWidgets import QTabWidget

        parts: list[str] = []
        widget = view
        page = self._current_page()
        while widget is not None and widget is not page:
            parent = widget.parentWidget()
            tabs = parent.parentWidget() if parent is not None else None
            if isinstance(tabs, QTabWidget) and tabs.indexOf(widget) >= 0:
                parts.insert(0, tabs.tabText(tabs.indexOf(widget)))
            widget = parent
        return "".join([self.areas[self.current_area()][0], *[f" › {p}" for p in parts]])

    def print_current(self) -> None:
        """Ctrl+P: a page's own print when it has one (`print_current`, False when it leaves it to
        the list), else the list in front, every row of it, straight to the printer dialog."""
        page = self._current_page()
        if page is not None and callable(getattr(page, "print_current", None)) and page.print_current() is not False:
            return  # the area's own document (the 意见建议台账); False: the list in front
        view = self._front_list()
        if view is None:
            self.status.setText(f"“{self.areas[self.current_area()][0]}”这里没有可打印的列表")
            return
        from . import printing

        title = self._front_title(view)
        rows = view.model().rowCount()
        if rows > printing.PRINT_LIMIT:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "列表太长", f"“{title}”有 {rows} 行，不宜一次打印。\n"
                                    "请先筛选（Ctrl+F 搜索，或选择条件），或用“文件”→“导出…”导出 Excel 后打印。")
            return
        print_list = printing.print_list
        print_list(self, self.backend, view, title,
                   lambda printed, rows: printed and self.status.setText(f"已打印：{title}（{rows} 条）"))

    def export_current(self) -> None:
        """文件 › 导出…: the export of the area (and tab) in front — its page's `export_current`, else
        its shown 导出… button."""
        from PySide6.QtWidgets import QAbstractButton

        page = self._current_page()
        if page is not None and callable(getattr(page, "export_current", None)):
            page.export_current()
            return
        buttons = [b for b in page.findChildren(QAbstractButton)
                   if b.text().startswith("导出") and b.isVisibleTo(page) and b.isEnabled()] if page else []
        if not buttons:
            self.status.setText(f"“{self.areas[self.current_area()][0]}”这里没有可导出的内容")
            return
        buttons[0].click()

    def _store_replaced(self) -> None:
        """A restore or an import: every page built so far, every tab of it, reads the store again."""
        if self._store_ready:
            self.reload_all()
