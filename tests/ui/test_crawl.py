"""The crawl: a new clerk's screen (1366 × 768, of which 728 px are free above the taskbar) and a
throwaway copy of the demo office. Every area of the sidebar, every tab, every enabled button,
every entry of a button's menu and of a table's context menu is activated once; the windows they
open are gone through the same way; every modal dialog is measured and answered with 取消 (Esc),
and each of the program's own has its Tab order walked (tests/ui/test_tab_order.check_tab_order).

It fails on an exception in a slot, a Qt warning, a background job's crash, or a dialog whose frame
is taller than the free area or whose buttons fall below it. Its figures are printed at the end
(and written as JSON where YISHI_CRAWL_REPORT names a file)."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

from tests.ui.conftest import wait_idle

SCREEN = (1366, 768)
FREE = QRect(0, 0, 1366, 728)  # the screen less a 40 px taskbar

# Buttons and menu entries the crawl leaves alone, each with its reason. (A bug found in a file
# another helper owns is skipped here with the bug named, for the lead to fix at merge.)
SKIP = {
    "退出": "quits the program",
}


def alive(widget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:  # its C++ side was deleted
        return False
    return True


def frame_allowance(widget) -> tuple[int, int]:
    """What the window manager adds (title bar and borders): as measured, but at least the allowance
    ui.memory reserves (the offscreen platform's frame is 2 px, a desktop's title bar ~30 px)."""
    from ui.memory import FRAME_HEIGHT, FRAME_WIDTH

    frame, inner = widget.frameGeometry(), widget.geometry()
    return (max(frame.width() - inner.width(), FRAME_WIDTH), max(frame.height() - inner.height(), FRAME_HEIGHT))


def measure(widget) -> dict:
    """The window's frame and where its buttons are: within the free area, the window placed at its
    top (where Qt puts a window too tall to be centred)."""
    extra_w, extra_h = frame_allowance(widget)
    width, height = widget.width() + extra_w, widget.height() + extra_h
    buttons = [b for box in widget.findChildren(QDialogButtonBox) if box.isVisible() and box.window() is widget
               for b in box.buttons() if b.isVisible()]
    if not buttons:  # a window with buttons of its own (a preview's 打印 / 另存为 / 关闭)
        buttons = [b for b in widget.findChildren(QPushButton) if b.isVisible() and b.window() is widget
                   and not inside_scroll_area(b, widget)]
    whole = QRect(QPoint(0, 0), widget.size())
    outside = [b.text() for b in buttons
               if not whole.contains(QRect(b.mapTo(widget, QPoint(0, 0)), b.size()))
               or b.mapTo(widget, QPoint(0, b.height())).y() + extra_h > FREE.height()]
    return {"title": widget.windowTitle(), "class": type(widget).__name__, "height": height, "width": width,
            "buttons": [b.text() for b in buttons], "buttons_outside": outside,
            "fits": height <= FREE.height() and width <= FREE.width() and not outside}


def inside_scroll_area(widget, window) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def is_form(dialog) -> bool:
    """A dialog of the program's own, whose buttons the crawl goes through (not a message box, a
    file or input dialog, a progress bar or the printer's dialog: those are only answered)."""
    from PySide6.QtPrintSupport import QPrintDialog

    return not isinstance(dialog, (QMessageBox, QFileDialog, QInputDialog, QProgressDialog, QPrintDialog))


class Crawl:
    def __init__(self, qtbot, window, qtlog, bugs, ignored: tuple[str, ...] = ()):
        self.qtbot, self.window, self.qtlog, self.bugs, self.ignored = qtbot, window, qtlog, bugs, ignored
        self.backend = window.backend
        self.figures = {"areas": 0, "tabs": 0, "buttons": 0, "menu_entries": 0, "context_actions": 0,
                        "windows": 0, "dialogs": 0}
        self.dialogs: list[dict] = []
        self.problems: list[str] = []
        self.skipped: list[str] = []
        self.seen: set[int] = set()  # buttons, tab widgets and views already gone through
        self.keep: list = []  # their wrappers, so that no id is reused while the crawl runs
        self.pressed: set[tuple[str, str]] = set()  # (window class, text) of the buttons pressed in windows
        self.where = "启动"
        self.depth = 0  # 0: an area or a window of its own; 1: inside a modal dialog
        self.crawling: list[QWidget] = []  # the modal dialogs being gone through
        self.pending = 0  # dialogs and menus seen, not yet answered
        self.menu_plan: str | None = None  # the context-menu entry to choose; None: list them
        self.menu_texts: list[str] = []
        self.logged = 0
        self.bugs_seen = 0
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self.poll)

    # -- bookkeeping -------------------------------------------------------------------------
    def first_time(self, obj) -> bool:
        if id(obj) in self.seen:
            return False
        self.seen.add(id(obj))
        self.keep.append(obj)
        return True

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.where}: {text}")

    def excepthook(self, kind, value, tb) -> None:
        self.problem("".join(traceback.format_exception(kind, value, tb)))

    def collect(self) -> None:
        """Qt warnings and background bugs since the last step, named by the step."""
        records = self.qtlog.records
        for record in records[self.logged:]:
            if record.type_name in ("QtWarningMsg", "QtCriticalMsg", "QtFatalMsg") and not any(
                    part in record.message for part in self.ignored):
                self.problem(f"Qt: {record.message}")
        self.logged = len(records)
        for bug in self.bugs[self.bugs_seen:]:
            self.problem(f"background job crashed:\n{bug}")
        self.bugs_seen = len(self.bugs)

    # -- waiting -------------------------------------------------------------------------------
    def settle(self, timeout: float = 30) -> None:
        """Until the worker is idle and every dialog the step opened was answered."""
        start, quiet = time.monotonic(), 0
        while quiet < 2:
            QApplication.processEvents()
            self.poll()  # a dialog opened is answered now, not at the timer's next turn
            modal = QApplication.activeModalWidget()
            busy = (not self.backend.idle or self.pending or QApplication.activePopupWidget() is not None
                    or (modal is not None and modal not in self.crawling))
            quiet = 0 if busy else quiet + 1
            if busy:
                self.qtbot.wait(5)
            if time.monotonic() - start > timeout:
                self.problem(f"still busy after {timeout} s (dialog: {modal.windowTitle() if modal else '—'})")
                if modal is not None and modal not in self.crawling:
                    modal.hide()
                return

    # -- the watcher: dialogs and menus are answered as they come -----------------------------------
    def poll(self) -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu) and popup.property("crawl_seen") is None:
            popup.setProperty("crawl_seen", True)
            self.pending += 1
            QTimer.singleShot(0, lambda: self.answer_menu(popup))
        modal = QApplication.activeModalWidget()
        if modal is not None and modal.property("crawl_seen") is None and modal not in self.crawling:
            modal.setProperty("crawl_seen", True)
            self.pending += 1
            QTimer.singleShot(0, lambda: self.answer_dialog(modal))

    def answer_menu(self, menu: QMenu) -> None:
        self.pending -= 1
        if not alive(menu) or not menu.isVisible():
            return
        entries = [a for a in menu.actions() if not a.isSeparator() and a.isVisible() and a.isEnabled()
                   and a.menu() is None]
        chosen = next((a for a in entries if a.text() == self.menu_plan), None)
        if chosen is None:  # listing the entries (or a menu nobody asked for): closed unchosen
            self.menu_texts = [a.text() for a in entries]
            menu.close()
            return
        from PySide6.QtTest import QTest

        menu.setActiveAction(chosen)
        QTest.keyClick(menu, Qt.Key_Return)

    def answer_dialog(self, dialog: QWidget) -> None:
        self.pending -= 1
        if not alive(dialog) or not dialog.isVisible():
            return
        self.figures["dialogs"] += 1
        shape = self.record(dialog)
        if isinstance(dialog, QProgressDialog):
            return  # it closes itself when the job ends
        if isinstance(dialog, QDialog) and is_form(dialog) and self.depth == 0:
            self.crawling.append(dialog)
            self.depth, outer = 1, self.where
            try:
                self.crawl(dialog, f"{self.where} › 「{dialog.windowTitle()}」")
            finally:
                self.depth, self.where = 0, outer
                self.crawling.remove(dialog)
            if alive(dialog) and dialog.isVisible():
                again = measure(dialog)  # what it grew to while its buttons were pressed
                if shape["fits"] and not again["fits"]:
                    shape.update(again)
                    self.judge(shape)
        if isinstance(dialog, QDialog) and is_form(dialog) and alive(dialog) and dialog.isVisible():
            self.check_tabs(dialog)
        self.close(dialog)

    def check_tabs(self, dialog) -> None:
        """Tab walks the dialog top to bottom and reaches every input and its buttons (what
        tests/ui/test_tab_order.py asks of the record dialogs), asked of every dialog of the program's,
        once its buttons have been pressed (a field a button adds is in the walk too)."""
        from tests.ui.test_tab_order import check_tab_order

        self.figures["tab_orders"] = self.figures.get("tab_orders", 0) + 1
        try:
            check_tab_order(dialog)
        except AssertionError as exc:
            self.problem(f"Tab order: {str(exc).splitlines()[0]}")

    def record(self, window) -> dict:
        shape = {**measure(window), "opened_by": self.where}
        self.dialogs.append(shape)
        self.judge(shape)
        return shape

    def judge(self, shape: dict) -> None:
        if not shape["fits"]:
            self.problem(f"「{shape['title']}」({shape['class']}) is {shape['width']} × {shape['height']} px with its "
                         f"frame, the free area {FREE.width()} × {FREE.height()}; buttons off it: "
                         f"{shape['buttons_outside'] or '—'}")

    def close(self, window) -> None:
        """取消 as the clerk would (Esc); a window that asks first is asked and answered 取消 too,
        then hidden."""
        for _ in range(3):
            if not alive(window) or not window.isVisible():
                return
            if isinstance(window, QMessageBox):  # Esc: its escape button (否, 取消, or its only one)
                from PySide6.QtTest import QTest

                QTest.keyClick(window, Qt.Key_Escape)
            elif isinstance(window, QDialog):
                window.reject()
            else:
                window.close()
            self.qtbot.wait(30)
        if alive(window) and window.isVisible():
            window.hide()

    # -- going through a window -----------------------------------------------------------------
    def visible(self, root, kind) -> list:
        if not alive(root):
            return []
        return [w for w in root.findChildren(kind) if w.isVisible() and w.window() is root.window()]

    def crawl(self, root: QWidget, path: str) -> None:
        if not alive(root) or not root.isVisible():
            return
        self.select_first_rows(root)
        self.press_buttons(root, path)
        if not alive(root) or not root.isVisible():
            return  # a button closed it (关闭)
        self.context_menus(root, path)
        if not alive(root) or not root.isVisible():
            return
        for tabs in self.visible(root, QTabWidget):
            if not alive(tabs) or not self.first_time(tabs):
                continue
            for index in range(tabs.count()):
                if not alive(tabs) or not tabs.isVisible():
                    break
                if not tabs.isTabEnabled(index):
                    continue
                self.where = f"{path} › {tabs.tabText(index)}"
                tabs.setCurrentIndex(index)
                self.settle()
                self.collect()
                self.figures["tabs"] += 1
                self.crawl(tabs.widget(index), self.where)

    def select_first_rows(self, root) -> None:
        """Buttons that act on the chosen row act on the first one (as the clerk's first click)."""
        for view in self.visible(root, QAbstractItemView):
            model = view.model()
            if model is not None and model.rowCount() and not view.currentIndex().isValid():
                view.setCurrentIndex(model.index(0, 0))
        self.settle()

    def buttons(self, root) -> list[QAbstractButton]:
        found = []
        for button in self.visible(root, QAbstractButton):
            if not isinstance(button, (QPushButton, QToolButton)) or id(button) in self.seen:
                continue
            holder = button.parentWidget()
            if isinstance(holder, (QLineEdit, QTabBar, QAbstractSpinBox, QCalendarWidget, QComboBox, QDialogButtonBox)):
                continue  # a clear button, tab scrolling, a dialog's answer (the watcher answers)
            if isinstance(holder, QAbstractScrollArea) and not isinstance(button, QPushButton):
                continue  # a table's corner button
            found.append(button)
        return found

    def press_buttons(self, root, path: str) -> None:
        for _ in range(3):  # a button may bring others into view
            found = self.buttons(root)
            if not found:
                return
            for button in found:
                if not alive(button) or not button.isVisible() or not self.first_time(button):
                    continue
                text = button.text().replace("&", "") or button.toolTip() or button.objectName()
                if not button.isEnabled():
                    continue
                label = f"{path} › {text}"
                owner = button.window()
                if owner is not self.window:  # the same window or dialog again: its new buttons only
                    key = (type(owner).__name__, text)
                    if key in self.pressed:
                        continue
                    self.pressed.add(key)
                if text in SKIP:
                    self.skipped.append(f"{label}（{SKIP[text]}）")
                    continue
                if button.menu() is not None:
                    self.press_menu(button.menu(), label)
                    continue
                self.step(label, button.click)
                self.figures["buttons"] += 1
                if not alive(root) or not root.isVisible():
                    return  # the button closed its window

    def context_menus(self, root, path: str) -> None:
        for view in self.visible(root, QAbstractItemView):
            if not self.first_time(view) or not has_context_menu(view):
                continue
            model = view.model()
            if model is None or not model.rowCount():
                continue
            self.where = f"{path} › 右键菜单"
            for text in self.open_context_menu(view, None):
                self.step(f"{path} › 右键 › {text}", lambda v=view, t=text: self.open_context_menu(v, t))
                self.figures["context_actions"] += 1

    def open_context_menu(self, view, entry: str | None) -> list[str]:
        self.menu_plan, self.menu_texts = entry, []
        index = view.model().index(0, 0)
        view.setCurrentIndex(index)
        pos = view.visualRect(index).center()
        event = QContextMenuEvent(QContextMenuEvent.Mouse, pos, view.viewport().mapToGlobal(pos))
        QApplication.sendEvent(view.viewport(), event)
        self.settle()
        self.menu_plan = None
        return self.menu_texts

    def step(self, label: str, act, every_window: bool = False) -> None:
        """One activation: wait for what it set off, go through the windows it opened (the first of
        each kind, or each with `every_window`), close them."""
        self.where = label
        if TRACE:
            print(f"[{time.monotonic():.1f}] {label}", file=sys.__stderr__, flush=True)
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        act()
        self.settle()
        self.collect()
        for window in QApplication.topLevelWidgets():
            if (id(window) in before or not alive(window) or not window.isVisible() or window.isModal() or window is self.window
                    or isinstance(window, QMenu) or not window.isWindow()):
                continue
            self.figures["windows"] += 1
            self.record(window)
            if self.depth == 0 and (self.first_time(type(window)) or every_window):
                self.crawl(window, f"{label} › 「{window.windowTitle()}」")
                self.where = label
            self.close(window)
            self.settle()
            self.collect()

    def run(self) -> None:
        self.timer.start()
        try:
            for row in range(self.window.sidebar.count()):
                area = self.window.sidebar.item(row).text()
                self.where = area
                self.window.sidebar.setCurrentRow(row)
                self.settle()
                self.collect()
                self.figures["areas"] += 1
                self.crawl(self.window.stack.currentWidget(), area)
            self.press_menu_bar()
            self.open_each_kind()
        finally:
            self.timer.stop()

    def open_each_kind(self) -> None:
        """A meeting window of each kind (their tabs differ) and an opinion at each status (the
        buttons enabled differ), opened from their lists as a double click does."""
        from tests.ui.conftest import store_of

        store = store_of(self.window)
        meetings = self.window.page("meetings").list
        for row in store.rows("SELECT kind, MIN(id) AS id FROM meetings WHERE deleted = 0 GROUP BY kind"):
            self.step(f"会议 › {row['kind']}", lambda i=row["id"]: meetings.open_meeting(i), every_window=True)
        opinions = self.window.page("opinions").list
        for row in store.rows("SELECT status, MIN(id) AS id FROM opinions WHERE deleted = 0 GROUP BY status"):
            self.step(f"意见建议 › {row['status']}", lambda i=row["id"]: opinions.open_opinion(i), every_window=True)

    def press_menu_bar(self) -> None:
        for menu_action in self.window.menuBar().actions():
            if menu_action.menu() is not None:
                self.press_menu(menu_action.menu(), "菜单 " + menu_action.text().split("(")[0].replace("&", ""))

    def press_menu(self, menu: QMenu, path: str) -> None:
        from PySide6.QtGui import QKeySequence

        quit_keys = QKeySequence(QKeySequence.Quit)
        for action in menu.actions():
            if action.isSeparator() or not action.isEnabled() or not action.isVisible():
                continue
            text = action.text().split("\t")[0].replace("&", "")
            label = f"{path} › {text}"
            if action.menu() is not None:
                self.press_menu(action.menu(), label)
                continue
            keys = action.shortcut()
            if text.split("(")[0] in SKIP or keys.toString() == "Ctrl+Q" or (not keys.isEmpty() and keys == quit_keys):
                self.skipped.append(f"{label}（{SKIP.get(text.split('(')[0], 'quits the program')}）")
                continue
            self.step(label, action.trigger)
            self.figures["menu_entries"] += 1


def has_context_menu(view) -> bool:
    for widget in (view, view.viewport()):
        policy = widget.contextMenuPolicy()
        if policy == Qt.CustomContextMenu or (policy == Qt.ActionsContextMenu and widget.actions()):
            return True
    return any("contextMenuEvent" in vars(cls) for cls in type(view).__mro__ if cls.__module__.startswith("ui"))


TRACE = bool(os.environ.get("YISHI_CRAWL_TRACE"))  # each step on stderr as it is taken (with -s)


@pytest.fixture
def crawl_log_ignores(pytestconfig) -> tuple[str, ...]:
    """The platform's notices pyproject's qt_log_ignore lets pass (the offscreen platform's)."""
    return tuple(pytestconfig.getini("qt_log_ignore"))


@pytest.fixture
def small_screen(monkeypatch):
    """The screen's free area as ui.memory sees it: 1366 × 768 less a 40 px taskbar."""
    monkeypatch.setattr("ui.memory.free_area", lambda widget: QRect(FREE))


@pytest.fixture
def type_size():
    """The program's type (14 px), or larger where YISHI_CRAWL_FONT_PX says (to try a crawl by hand
    with the taller lines of another face, or 125 % text)."""
    app = QApplication.instance()
    sheet = app.styleSheet()
    px = int(os.environ.get("YISHI_CRAWL_FONT_PX") or 14)
    if px != 14:
        app.setStyleSheet(sheet + f"\nQMainWindow, QWidget {{ font-size: {px}px; }}")
    yield px
    if px != 14:  # (a style sheet set again repolishes every widget: seconds, after a crawl)
        app.setStyleSheet(sheet)


@pytest.mark.timeout(300)
def test_the_crawl(qtbot, window, qtlog, bugs_fail_the_test, monkeypatch, small_screen, crawl_log_ignores, capsys,
                   type_size):
    opened: list[str] = []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: opened.append(url.toString()) or True)
    monkeypatch.setattr("PySide6.QtPrintSupport.QPrintDialog.exec", lambda self: QDialog.Rejected)
    window.resize(*SCREEN)
    wait_idle(qtbot, window.backend)
    crawl = Crawl(qtbot, window, qtlog, bugs_fail_the_test, crawl_log_ignores)
    monkeypatch.setattr(sys, "excepthook", crawl.excepthook)
    started = time.monotonic()
    crawl.run()
    crawl.collect()
    seconds = round(time.monotonic() - started, 1)
    tallest = max(crawl.dialogs, key=lambda d: d["height"], default=None)
    report = {**crawl.figures, "seconds": seconds, "screen": f"{SCREEN[0]}×{SCREEN[1]}",
              "free_height": FREE.height(),
              "largest_dialog": tallest and {k: tallest[k] for k in ("title", "class", "height", "opened_by")},
              "dialog_titles": sorted({d["title"] for d in crawl.dialogs}),
              "skipped": crawl.skipped, "opened_urls": len(opened), "problems": crawl.problems}
    if os.environ.get("YISHI_CRAWL_REPORT"):
        with open(os.environ["YISHI_CRAWL_REPORT"], "w", encoding="utf-8") as out:
            json.dump({**report, "dialogs_measured": crawl.dialogs}, out, ensure_ascii=False, indent=1)
    with capsys.disabled():
        print(f"\ncrawl at {SCREEN[0]}×{SCREEN[1]} (free height {FREE.height()} px), {seconds} s: "
              f"{crawl.figures['areas']} areas, {crawl.figures['tabs']} tabs, {crawl.figures['buttons']} buttons, "
              f"{crawl.figures['menu_entries']} menu entries, {crawl.figures['context_actions']} context-menu actions, "
              f"{crawl.figures['windows']} windows, {crawl.figures['dialogs']} dialogs measured "
              f"({crawl.figures.get('tab_orders', 0)} Tab orders walked); largest: "
              + (f"「{tallest['title']}」 {tallest['height']} px (from {tallest['opened_by']})" if tallest else "—"))
    assert not crawl.problems, f"{len(crawl.problems)} problems:\n\n" + "\n\n".join(crawl.problems)
    assert crawl.figures["areas"] == window.sidebar.count()
    assert crawl.figures["dialogs"] > 50 and crawl.figures["buttons"] > 100, crawl.figures


# -- the long forms, one by one -------------------------------------------------------------------
def open_long_form(qtbot, window, which: str):
    """新建会议, 新增代表, 编辑代表 and 推荐人选 as the clerk opens them (the buttons' own slots)."""
    from tests.ui.conftest import open_page

    if which == "新建会议":
        page = open_page(qtbot, window, "meetings").list
        page.add()
        get = lambda: getattr(page, "new_dialog", None)
    elif which in ("新增代表", "编辑代表"):
        page = open_page(qtbot, window, "roster")
        if which == "编辑代表":
            page.view.setCurrentIndex(page.model.index(0, 0))
            page.edit()
        else:
            page.add()
        get = lambda: getattr(page, "dialog", None)
    else:
        page = open_page(qtbot, window, "nomination")
        page.nominate()
        get = lambda: getattr(page, "dialog", None)
    qtbot.waitUntil(lambda: get() is not None and get().isVisible(), timeout=5000)
    dialog = get()
    assert dialog.windowTitle() == which
    return dialog


LONG_FORMS = ("编辑代表", "新增代表", "推荐人选", "新建会议")


# The program's type (14 px), and larger: a face with taller lines (微软雅黑), or 125 % text.
@pytest.mark.parametrize("font_px", [14, 17])
def test_the_long_forms_fit_a_1366_x_768_screen_with_save_in_view(qtbot, window, small_screen, font_px):
    from PySide6.QtWidgets import QDialogButtonBox

    app = QApplication.instance()
    sheet = app.styleSheet()
    if font_px != 14:
        app.setStyleSheet(sheet + f"\nQMainWindow, QWidget {{ font-size: {font_px}px; }}")
    try:
        window.resize(*SCREEN)
        for which in LONG_FORMS:
            dialog = open_long_form(qtbot, window, which)
            shape = measure(dialog)
            assert shape["height"] <= FREE.height(), (which, shape)
            save = dialog.buttons.button(QDialogButtonBox.Save)
            assert save.isVisible() and save.text() == "保存"
            place = QRect(save.mapTo(dialog, QPoint(0, 0)), save.size())
            assert QRect(QPoint(0, 0), dialog.size()).contains(place), (which, place, dialog.size())
            assert place.bottom() + frame_allowance(dialog)[1] <= FREE.height(), (which, place)
            # what does not fit scrolls: the last field can be brought into view
            bar = dialog.scroll_area.verticalScrollBar()
            assert dialog.scroll_area.widget().height() <= dialog.scroll_area.viewport().height() + bar.maximum()
            dialog.reject()
    finally:
        app.setStyleSheet(sheet)


def test_on_a_large_screen_a_long_form_opens_whole(qtbot, window, monkeypatch):
    """The scroll area is for short screens: where there is room, every field is in view at once."""
    monkeypatch.setattr("ui.memory.free_area", lambda widget: QRect(0, 0, 1920, 1040))
    for which in LONG_FORMS:
        dialog = open_long_form(qtbot, window, which)
        assert dialog.scroll_area.verticalScrollBar().maximum() == 0, which
        if which == "编辑代表":  # taller than a small screen has room for
            assert dialog.height() + frame_allowance(dialog)[1] > FREE.height()
        dialog.reject()


# -- the crawler itself ------------------------------------------------------------------------------
class _Idle:
    idle = True


class _Window(QWidget):
    backend = _Idle()


@pytest.mark.qt_log_ignore("这是一条测试警告")  # the crawl reports it; pytest-qt lets it pass here
def test_the_crawler_finds_a_tall_dialog_a_crash_and_goes_through_a_context_menu(qtbot, qtlog, small_screen,
                                                                                  crawl_log_ignores, monkeypatch):
    """What the crawl relies on, on a window made for it: a table's context menu gone through entry by
    entry, a too tall dialog reported (its buttons below the screen), a crash in a slot and a Qt
    warning reported with the button that set them off, a question answered 否 (Esc)."""
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout

    window = _Window()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    table = QTableWidget(2, 1)
    table.setItem(0, 0, QTableWidgetItem("第一行"))
    table.setContextMenuPolicy(Qt.CustomContextMenu)
    chosen, answers = [], []

    def context_menu(pos):
        menu = QMenu(table)
        menu.addAction("打开", lambda: chosen.append("打开"))
        menu.addSeparator()
        menu.addAction("复制", lambda: chosen.append("复制"))
        menu.exec(table.viewport().mapToGlobal(pos))

    table.customContextMenuRequested.connect(context_menu)
    layout.addWidget(table)

    def tall():
        dialog = QDialog(window)
        dialog.setWindowTitle("太高的对话框")
        inner = QVBoxLayout(dialog)
        spacer = QWidget()
        spacer.setMinimumHeight(800)
        inner.addWidget(spacer)
        inner.addWidget(QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel))
        dialog.exec()

    def crash():
        raise RuntimeError("槽里出错")

    from PySide6.QtCore import qWarning

    for text, slot in (("太高…", tall), ("出错", crash), ("警告", lambda: qWarning("这是一条测试警告")),
                       ("确认…", lambda: answers.append(QMessageBox.question(window, "确认", "删除？")))):
        button = QPushButton(text)
        button.clicked.connect(slot)
        layout.addWidget(button)
    window.show()
    crawl = Crawl(qtbot, window, qtlog, [], crawl_log_ignores)
    monkeypatch.setattr(sys, "excepthook", crawl.excepthook)
    crawl.timer.start()
    try:
        crawl.crawl(window, "测试")
    finally:
        crawl.timer.stop()
    assert chosen == ["打开", "复制"] and crawl.figures["context_actions"] == 2
    assert crawl.figures["buttons"] == 4 and crawl.figures["dialogs"] == 2
    assert answers == [QMessageBox.No]  # Esc on a question: no
    tall_one = next(d for d in crawl.dialogs if d["title"] == "太高的对话框")
    assert tall_one["height"] > 800 and set(tall_one["buttons_outside"]) == {"Save", "Cancel", "保存", "取消"} & set(
        tall_one["buttons"])
    assert len(crawl.problems) == 3
    assert "太高的对话框" in crawl.problems[0] and "槽里出错" in crawl.problems[1]
    assert crawl.problems[2] == "测试 › 警告: Qt: 这是一条测试警告"
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if isinstance(w, QDialog))
