"""Keyboard and menus: Ctrl+F from anywhere, Ctrl+1…Ctrl+0, the 文件 menu (打开数据目录, 备份, 打印
Ctrl+P, 导出, 退出 Ctrl+Q), and the right-click menu every table has."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QTableView

from tests.ui.conftest import open_page, store_of, wait_idle


def _active(qtbot, window):
    """The window active, its shortcuts and menus in place (they come after the first paint)."""
    qtbot.waitUntil(lambda: hasattr(window, "find_action"), timeout=3000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def _click_sidebar(qtbot, window, key):
    row = list(window.areas).index(key)
    item = window.sidebar.item(row)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.LeftButton,
                     pos=window.sidebar.visualItemRect(item).center())
    window.sidebar.setFocus()  # where a click on it leaves the focus
    wait_idle(qtbot, window.backend)
    assert window.current_area() == key


def test_ctrl_f_right_after_a_sidebar_click_reaches_the_areas_search(qtbot, window):
    _active(qtbot, window)
    _click_sidebar(qtbot, window, "roster")
    roster = window.page("roster")
    roster.search.setText("zh")
    assert window.sidebar.hasFocus()
    qtbot.keyClick(window.sidebar, Qt.Key_F, Qt.ControlModifier)
    assert QApplication.focusWidget() is roster.search
    assert roster.search.selectedText() == "zh"  # typing replaces the last search

    # from inside the page too (the table has the focus), and on a tab: the tab's own search box
    _click_sidebar(qtbot, window, "opinions")
    opinions = window.page("opinions")
    opinions.tabs.setCurrentWidget(opinions.follow_up)
    opinions.follow_up.view.setFocus()
    qtbot.keyClick(opinions.follow_up.view, Qt.Key_F, Qt.ControlModifier)
    assert QApplication.focusWidget() is opinions.follow_up.search

    # an area without a search box says so
    _click_sidebar(qtbot, window, "settings")
    qtbot.keyClick(window.sidebar, Qt.Key_F, Qt.ControlModifier)
    assert "没有搜索框" in window.status.text()


def test_ctrl_1_to_ctrl_0_switch_the_ten_areas_as_the_manual_says(qtbot, window):
    manual = (Path(__file__).parents[2] / "resources" / "help" / "manual.md").read_text(encoding="utf-8")
    assert "Ctrl+1 到 Ctrl+0" in manual
    _active(qtbot, window)
    qtbot.keyClick(window.sidebar, Qt.Key_0, Qt.ControlModifier)
    wait_idle(qtbot, window.backend)
    assert window.current_area() == "settings"
    assert window.stack.currentWidget() is window.page("settings")
    for digit, key in ((Qt.Key_2, "roster"), (Qt.Key_9, "recycle"), (Qt.Key_1, "overview")):
        qtbot.keyClick(window.stack.currentWidget(), digit, Qt.ControlModifier)
        wait_idle(qtbot, window.backend)
        assert window.current_area() == key
    assert window.sidebar.item(9).toolTip() == "Ctrl+0"


def test_the_file_menu_has_its_entries_before_help_and_ctrl_q_closes(qtbot, window):
    _active(qtbot, window)
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["文件(&F)", "数据(&D)", "帮助(&H)"]  # 数据: 从 Excel 导入 each kind
    entries = [(a.text(), a.shortcut().toString()) for a in window.file_menu.actions() if not a.isSeparator()]
    assert entries == [("打开数据目录", ""), ("备份", ""), ("打印…", "Ctrl+P"), ("导出…", ""), ("退出", "Ctrl+Q")]
    _active(qtbot, window)
    qtbot.keyClick(window.sidebar, Qt.Key_Q, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)


def test_open_data_folder_and_backup_from_the_file_menu(qtbot, window, monkeypatch):
    _active(qtbot, window)
    opened, shown = [], []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: shown.append(a[2]))
    entry = {a.text(): a for a in window.file_menu.actions()}
    entry["打开数据目录"].trigger()
    qtbot.waitUntil(lambda: bool(opened), timeout=3000)
    assert Path(opened[0]) == Path(store_of(window).data_dir)
    data = open_page(qtbot, window, "data")  # open: its list of backups follows
    entry["备份"].trigger()
    qtbot.waitUntil(lambda: bool(shown) and data.backups.model.rowCount() == 1, timeout=15000)
    saved = data.backups.model.rows[0]["path"]
    assert str(saved) in shown[0] and Path(saved).is_file()
    assert str(saved) in window.status.text()


class _PrintToPdf:
    """The printer dialog, answered with 打印 to a PDF file (the test's printer)."""

    target = ""
    shown = 0

    def __init__(self, printer, parent=None):
        from PySide6.QtPrintSupport import QPrinter

        printer.setOutputFormat(QPrinter.PdfFormat)
        printer.setOutputFileName(self.target)

    def setWindowTitle(self, title):
        _PrintToPdf.title = title

    def exec(self):
        from PySide6.QtWidgets import QDialog

        _PrintToPdf.shown += 1
        return QDialog.Accepted


def test_ctrl_p_prints_the_list_in_front_through_the_printer_dialog(qtbot, window, monkeypatch, tmp_path):
    texts = []
    import ui.printing

    real = ui.printing.table_html
    monkeypatch.setattr("ui.printing.table_html", lambda *a: texts.append(a) or real(*a))
    _PrintToPdf.target, _PrintToPdf.shown = str(tmp_path / "printed.pdf"), 0
    monkeypatch.setattr("PySide6.QtPrintSupport.QPrintDialog", _PrintToPdf)
    roster = open_page(qtbot, window, "roster")
    _active(qtbot, window)
    qtbot.keyClick(window.sidebar, Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(lambda: bool(texts), timeout=5000)
    title, headers, rows = texts[0]
    assert title == "代表 › 花名册" and _PrintToPdf.shown == 1
    assert len(rows) == roster.model.rowCount() > 0  # every row, not only those paged in
    assert headers[0] == roster.model.headerData(0, Qt.Horizontal)
    assert Path(_PrintToPdf.target).stat().st_size > 1000
    assert "已打印" in window.status.text()

    # a list too long for one print says how to narrow it, no dialog
    monkeypatch.setattr("ui.printing.PRINT_LIMIT", 5)
    told = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: told.append(a[2]))
    window.print_current()
    assert told and "不宜一次打印" in told[0] and _PrintToPdf.shown == 1

    # 概览 has no list to print: the status bar says so, no dialog
    window.show_page("overview")
    window.print_current()
    assert "没有可打印" in window.status.text() and _PrintToPdf.shown == 1


def test_ctrl_p_on_the_opinion_ledger_prints_the_ledger_document_without_a_preview(qtbot, window, monkeypatch,
                                                                                   tmp_path):
    _PrintToPdf.target, _PrintToPdf.shown = str(tmp_path / "ledger.pdf"), 0
    monkeypatch.setattr("PySide6.QtPrintSupport.QPrintDialog", _PrintToPdf)
    previews = []
    monkeypatch.setattr("ui.pdf_preview.PdfPreview.open", lambda dialog: previews.append(dialog))
    opinions = open_page(qtbot, window, "opinions")
    _active(qtbot, window)
    qtbot.keyClick(window.sidebar, Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(lambda: _PrintToPdf.shown == 1, timeout=20000)
    wait_idle(qtbot, window.backend)
    assert not previews and Path(_PrintToPdf.target).stat().st_size > 5000
    assert store_of(window).audit.query(limit=1)[0]["summary"].find("意见建议办理台账") >= 0

    # on another tab of the area: the list in front
    texts = []
    monkeypatch.setattr("ui.printing.table_html", lambda *a: texts.append(a) or "")
    opinions.tabs.setCurrentWidget(opinions.follow_up)
    window.print_current()
    qtbot.waitUntil(lambda: bool(texts), timeout=5000)
    assert texts[0][0] == "意见建议 › 落实事项"


def test_export_from_the_file_menu_runs_the_areas_export(qtbot, window, monkeypatch):
    asked = []
    monkeypatch.setattr("ui.save_dialog.ask_save_path", lambda parent, title, *a, **k: asked.append(title))
    open_page(qtbot, window, "roster")
    window.export_current()
    assert asked and "花名册" in asked[0]
    open_page(qtbot, window, "recycle")  # (设置 exports its 发文登记簿 now)
    window.export_current()
    assert "没有可导出" in window.status.text() and len(asked) == 1


def _row_menu(qtbot, view, row=0):
    """Right-click on a row (the menu is built and popped up as the clerk gets it; offscreen it is
    not shown, which would warn that the keyboard cannot be grabbed)."""
    qtbot.waitUntil(lambda: view.model().rowCount() > row, timeout=5000)
    view.customContextMenuRequested.emit(view.visualRect(view.model().index(row, 0)).center())
    menu = view.row_menu
    return menu, {a.text(): a for a in menu.actions() if not a.isSeparator()}


@pytest.fixture
def popups(monkeypatch):
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMenu.popup", lambda menu, *a: shown.append(menu))
    return shown


def test_a_tables_context_menu_opens_edits_copies_and_deletes(qtbot, window, popups):
    roster = open_page(qtbot, window, "roster")
    qtbot.waitUntil(lambda: roster.model.row_at(1) is not None, timeout=5000)
    menu, actions = _row_menu(qtbot, roster.view, 1)
    assert list(actions) == ["打开", "复制", "删除"]  # 打开 is roster's edit: not offered twice
    assert popups == [menu]
    assert roster.view.currentIndex().row() == 1  # the row under the mouse
    actions["复制"].trigger()
    lines = QGuiApplication.clipboard().text().split("\n")
    assert lines[0].split("\t")[0] == roster.model.headerData(0, Qt.Horizontal)
    assert roster.model.row_at(1)["name"] in lines[1] and len(lines) == 2
    menu.close()
    actions["打开"].trigger()
    qtbot.waitUntil(lambda: roster.dialog is not None and roster.dialog.isVisible(), timeout=5000)
    assert roster.dialog.editors["name"].value() == roster.model.row_at(1)["name"]
    roster.dialog.reject()

    # a meeting opens in its window, as on a double click
    meetings = open_page(qtbot, window, "meetings")
    _, actions = _row_menu(qtbot, meetings.list.view)
    actions["打开"].trigger()
    meeting_id = meetings.list.current_id()
    assert meetings.list.editors[meeting_id].isVisible()
    wait_idle(qtbot, window.backend)
    meetings.list.editors[meeting_id].close()

    # a list of the 数据 area with no open: still 复制
    data = open_page(qtbot, window, "data")
    _, actions = _row_menu(qtbot, data.audit.view)
    assert list(actions) == ["复制"]


def test_every_table_of_every_area_has_the_context_menu(qtbot, window, popups):
    for key in window.areas:
        page = open_page(qtbot, window, key)
        for view in page.findChildren(QTableView):
            if view.property("main_list"):
                assert view.contextMenuPolicy() == Qt.CustomContextMenu, (key, view.objectName())
    # a RecordListPage offers its delete; the recycle bin offers 恢复 and nothing to edit or delete
    organisation = open_page(qtbot, window, "organisation")
    _, actions = _row_menu(qtbot, organisation.communities.view)
    assert list(actions) == ["打开", "复制", "删除"]
    group = store_of(window).groups.create({"name": "临时小组"}).created("groups")[0]
    store_of(window).groups.delete(group)
    recycle = open_page(qtbot, window, "recycle")
    recycle.reload()
    _, actions = _row_menu(qtbot, recycle.view)
    assert list(actions) == ["恢复", "复制"]
