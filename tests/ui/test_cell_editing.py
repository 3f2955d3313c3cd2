"""Typing into the window's tables, as a clerk keys in a paper sheet: each cell's editor stays in its
own cell, so what is typed "in" a cell goes there, and a typed opinion becomes an opinion of the
visit or is refused with the reason on screen. Clicks land on whatever widget is under the
pointer, as a real mouse's do; Chinese arrives as key events carrying the text."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QPushButton, QToolTip

from app.services.meetings import MeetingFilter
from app.services.opinions import OpinionFilter
from app.services.visits import VisitFilter
from tests.conftest import digest
from tests.ui.conftest import open_page, store_of, wait_idle

ROOT = Path(__file__).resolve().parents[2]
HEARD = ("居民反映小区东门外的人行道上长期停放共享单车和电动车，老人和推婴儿车的居民只能走到机动车道上，"
         "雨天更危险；另有居民说三号楼楼道里常年有人给电动车充电，晚上拉着电线，担心起火，希望物业和社区一起管一管。")
OPINIONS = ("清理东门外人行道上乱停的共享单车和电动车", "在小区内增设电动车集中充电桩")


def office_size(dialog, asked) -> None:
    """The size `dialog` gets on the office's 1366 × 768 screen (less a 40 px taskbar and the frame):
    the offscreen test screen is smaller than that."""
    dialog.resize(min(asked[0], 1366 - 16), min(asked[1], 768 - 40 - 40))


def show_active(qtbot, widget) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)


def click_cell(qtbot, table, row: int, column: int) -> None:
    """A click where the clerk sees the cell: it goes to the widget on top at that point (an
    editor spread over the cell from its neighbour would take it, as on a real screen)."""
    point = table.visualRect(table.model().index(row, column)).center()
    target = table.viewport().childAt(point) or table.viewport()
    qtbot.mouseClick(target, Qt.LeftButton, pos=target.mapFrom(table.viewport(), point))


def type_text(qtbot, text: str) -> None:
    """Key presses to whatever has the focus, one per character; Enter for a line break. (Qt's
    keyClicks knows only ASCII keys, so a Chinese character is a key event carrying its text.)"""
    for char in text:
        target = QApplication.focusWidget()
        assert target is not None, "nothing has the keyboard focus"
        if char == "\n":
            qtbot.keyClick(target, Qt.Key_Return)
        elif char.isascii():
            qtbot.keyClicks(target, char)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, target, Qt.Key_unknown, char, Qt.NoModifier)


def click_button(qtbot, dialog, text: str) -> None:
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.LeftButton)


def open_visit_sheet(qtbot, window, person_id: str | None = None):
    roster = open_page(qtbot, window, "roster")
    roster.tabs.setCurrentWidget(roster.visits)
    tab = roster.visits
    wait_idle(qtbot, window.backend)
    tab.sheet = None
    tab.enter_sheet()
    qtbot.waitUntil(lambda: tab.sheet is not None, timeout=5000)
    sheet = tab.sheet
    qtbot.addWidget(sheet)
    office_size(sheet, (980, 520))
    if person_id:
        sheet.delegate.setCurrentIndex(sheet.delegate.findData(person_id))
    show_active(qtbot, sheet)
    return tab, sheet


def unvisited_this_month(tab) -> dict:
    month = date.today().isoformat()[:7]
    return next(p for p in tab.people if not p["months"][month]["visits"])


def ledger_opinions_of(store, visit: dict) -> list[dict]:
    """The opinions as the ledger page lists them (its own query), those raised on `visit`."""
    rows = store.opinions.page(OpinionFilter(delegate_id=visit["delegate_id"]), limit=None)
    return [r for r in rows if r["visit_id"] == visit["id"]]


def test_a_long_account_heard_then_opinions_typed_in_their_cell_become_opinions_of_the_visit(qtbot, window):
    store = store_of(window)
    roster = open_page(qtbot, window, "roster")
    roster.tabs.setCurrentWidget(roster.visits)
    wait_idle(qtbot, window.backend)
    person = unvisited_this_month(roster.visits)
    _, sheet = open_visit_sheet(qtbot, window, person["id"])
    table = sheet.table
    click_cell(qtbot, table, 0, 0)
    type_text(qtbot, "1")
    click_cell(qtbot, table, 0, 2)
    type_text(qtbot, "12")
    click_cell(qtbot, table, 0, 3)
    type_text(qtbot, HEARD)
    heard_editor = table.indexWidget(table.model().index(0, 3))
    assert heard_editor is not None and table.rowHeight(0) > 3 * table.verticalHeader().defaultSectionSize(), \
        "the row grows with what was heard"
    # Straight after, the clerk clicks the 形成的意见建议 cell beside the long text and types there
    # (an editor that had spread over it took that click, and the opinions went into 听取).
    click_cell(qtbot, table, 0, 4)
    type_text(qtbot, "\n".join(OPINIONS))
    click_button(qtbot, sheet, "保存")  # with the opinions' cell still being typed in
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=5000)
    wait_idle(qtbot, window.backend)

    month = date.today().isoformat()[:7]
    visits = store.visits.list(VisitFilter(month=month, delegate_id=person["id"]))
    assert len(visits) == 1
    visit = visits[0]
    assert (visit["day"], visit["residents_met"], visit["matters"]) == (f"{month}-01", 12, HEARD)
    raised = ledger_opinions_of(store, visit)
    assert sorted(r["title"] for r in raised) == sorted(OPINIONS)
    assert all(r["source"] == "grid_visit" and r["received_on"] == visit["day"] for r in raised)
    assert [o["title"] for o in store.visits.opinions_of(visit["id"])] == [r["title"] for r in
                                                                          sorted(raised, key=lambda r: r["serial"])]


def test_an_opinion_on_a_line_that_cannot_be_saved_is_refused_on_screen_and_kept(qtbot, window, monkeypatch):
    store = store_of(window)
    roster = open_page(qtbot, window, "roster")
    roster.tabs.setCurrentWidget(roster.visits)
    wait_idle(qtbot, window.backend)
    person = unvisited_this_month(roster.visits)
    _, sheet = open_visit_sheet(qtbot, window, person["id"])
    table = sheet.table
    before = digest(store)
    # Line 1 left blank; on line 2 the account, Tab, and the opinion, but no date yet.
    click_cell(qtbot, table, 1, 3)
    type_text(qtbot, HEARD)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    type_text(qtbot, OPINIONS[0])
    click_button(qtbot, sheet, "保存")
    qtbot.waitUntil(lambda: bool(sheet.error.text()), timeout=5000)
    wait_idle(qtbot, window.backend)
    assert sheet.error.text() == "第 2 行：请填写“走访日期”"  # the line the clerk sees, and why
    assert sheet.isVisible() and sheet.error.isVisible()
    assert table.item(1, 4).text() == OPINIONS[0] and table.item(1, 3).text() == HEARD
    assert digest(store) == before

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    click_cell(qtbot, table, 1, 0)
    type_text(qtbot, tomorrow)
    click_button(qtbot, sheet, "保存")
    qtbot.waitUntil(lambda: "晚于今天" in sheet.error.text(), timeout=5000)
    wait_idle(qtbot, window.backend)
    assert sheet.error.text().startswith("第 2 行：走访日期") and sheet.isVisible()
    assert digest(store) == before

    click_cell(qtbot, table, 1, 0)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_A, Qt.ControlModifier)
    type_text(qtbot, date.today().isoformat())
    click_button(qtbot, sheet, "保存")
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=5000)
    wait_idle(qtbot, window.backend)
    visit = store.visits.list(VisitFilter(delegate_id=person["id"], month=date.today().isoformat()[:7]))[0]
    assert [r["title"] for r in ledger_opinions_of(store, visit)] == [OPINIONS[0]]


def test_an_account_longer_than_its_cell_scrolls_in_the_cell_and_shows_whole_on_hovering(qtbot, window, monkeypatch):
    monkeypatch.setattr("ui.pages.visits.confirm", lambda *a, **k: True)
    _, sheet = open_visit_sheet(qtbot, window)
    table = sheet.table
    click_cell(qtbot, table, 0, 3)
    type_text(qtbot, HEARD + "\n" + HEARD)
    editor = table.indexWidget(table.model().index(0, 3))
    cell = table.visualRect(table.model().index(0, 3))
    assert editor.verticalScrollBar().maximum() > 0 and cell.height() < table.viewport().height() / 2
    assert editor.textCursor().atEnd() and editor.cursorRect().bottom() <= editor.viewport().height()
    click_cell(qtbot, table, 0, 0)
    assert table.item(0, 3).text() == HEARD + "\n" + HEARD and table.rowHeight(0) == cell.height() + 1
    point = table.visualRect(table.model().index(0, 3)).center()
    QApplication.sendEvent(table.viewport(), QHelpEvent(QEvent.ToolTip, point, table.viewport().mapToGlobal(point)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert HEARD[-20:] in QToolTip.text()


def test_a_filled_sheet_is_not_thrown_away_unasked(qtbot, window, monkeypatch):
    store = store_of(window)
    answers: list[str] = []
    discard = [False]
    monkeypatch.setattr("ui.pages.visits.confirm",
                        lambda parent, title, text, *a, **k: answers.append(text) or discard[0])
    _, sheet = open_visit_sheet(qtbot, window)
    before = digest(store)
    click_cell(qtbot, sheet.table, 0, 4)
    type_text(qtbot, OPINIONS[0])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)  # leaves the cell, undoing its edit
    assert sheet.isVisible() and not answers and sheet.table.item(0, 4) is None
    type_text(qtbot, OPINIONS[1])
    click_cell(qtbot, sheet.table, 0, 3)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)  # the sheet itself: asked first
    assert answers == ["这张登记表已填写 1 行，还没有保存。\n关闭后这些内容不会保存。"] and sheet.isVisible()
    discard[0] = True
    click_button(qtbot, sheet, "取消")
    assert len(answers) == 2 and not sheet.isVisible()
    assert digest(store) == before


# -- every table the clerk types into ------------------------------------------------------------
# ui modules that build a table (or give one cell widgets or editors), and the test surface that
# opens each: a new one must be added here, so that its editors are measured too.
TABLE_MARKS = re.compile(r"QTableWidget\(|plain_table\(|setCellWidget\(|setIndexWidget\(|openPersistentEditor\("
                         r"|setItemDelegate|createEditor|edit_in_cells\(")
DEFINITIONS = {"ui/widgets.py", "ui/cell_editing.py"}


def _visit_sheet(qtbot, window):
    _, sheet = open_visit_sheet(qtbot, window)
    return sheet, [sheet.table]


def _meeting(kind):
    def open_editor(qtbot, window):
        store = store_of(window)
        # a held one, with votes (a plenary) or matters heard (a reception day) to show in its tables
        meeting = next(m for m in store.meetings.page(MeetingFilter(kind=kind), limit=None)
                       if (store.attendance.votes(m["id"]) if kind == "plenary"
                           else store.receptions.matters(m["id"])))
        page = open_page(qtbot, window, "meetings")
        editor = page.list.open_meeting(meeting["id"])
        qtbot.addWidget(editor)
        qtbot.waitUntil(lambda: editor.built, timeout=10000)
        wait_idle(qtbot, window.backend)
        office_size(editor, (1100, 780))
        show_active(qtbot, editor)
        tabs = [editor.attendance, editor.minutes] + ([editor.matters] if kind == "reception" else [editor.votes])
        for tab in tabs:  # each table with at least one row to type into
            table = getattr(tab, "sheet", None) or getattr(tab, "items", None) or getattr(tab, "matters", None) \
                or tab.votes
            if table.rowCount() == 0 and hasattr(tab, "add_item"):
                tab.add_item()
            elif table.rowCount() == 0 and hasattr(tab, "add"):
                tab.add({})
        return editor, [editor.attendance.sheet, editor.minutes.items,
                        editor.matters.matters if kind == "reception" else editor.votes.votes]
    return open_editor


def _quota_dialog(qtbot, window):
    from ui.pages.nomination_dialogs import QuotaDialog

    store = store_of(window)
    dialog = QuotaDialog([], store.communities.list(), {f.name: f for f in store.delegates.fields}, window)
    qtbot.addWidget(dialog)
    dialog.add_row("community", store.communities.list()[0]["id"])
    dialog.add_row("party")
    office_size(dialog, (640, 560))
    show_active(qtbot, dialog)
    return dialog, [dialog.table]


def _consult_dialog(qtbot, window):
    from ui.pages.opinions.group_steps import ConsultDialog

    store = store_of(window)
    topic = store.rows("SELECT id, title FROM topics WHERE deleted = 0 ORDER BY title LIMIT 1")[0]
    dialog = ConsultDialog(window.backend, topic, store.topics.consultation(topic["id"]), window)
    qtbot.addWidget(dialog)
    office_size(dialog, (820, 520))
    show_active(qtbot, dialog)
    return dialog, [dialog.table]


def _import_mapping(qtbot, window):
    """The wizard's column mapping: a field chooser in each column's cell."""
    import tempfile

    from tests.app.workbooks.test_places_in import grids_file
    from ui.import_wizard import start_import

    page = open_page(qtbot, window, "organisation")
    page.import_preview = None
    with tempfile.TemporaryDirectory() as folder:  # read whole into the preview before it goes
        start_import(page, window.backend, str(grids_file(Path(folder))), kind="grids")
        qtbot.waitUntil(lambda: getattr(page, "import_preview", None) is not None, timeout=10000)
        wait_idle(qtbot, window.backend)
    wizard = page.import_preview
    qtbot.addWidget(wizard)
    office_size(wizard, (1000, 640))
    show_active(qtbot, wizard)
    return wizard, [wizard.columns]


_plenary, _reception = _meeting("plenary"), _meeting("reception")
SURFACES = {
    "ui/pages/visits.py": _visit_sheet,
    "ui/meeting/attendance_tab.py": _plenary,
    "ui/meeting/minutes_tab.py": _reception,
    "ui/meeting/matters_tab.py": _reception,
    "ui/meeting/votes_tab.py": _plenary,
    "ui/pages/nomination_dialogs.py": _quota_dialog,
    "ui/pages/opinions/group_steps.py": _consult_dialog,
    "ui/import_wizard.py": _import_mapping,
}


def _typed_into(text: str) -> bool:
    """A module builds a table the clerk may type into: read-only tables (each plain_table set to
    NoEditTriggers, no cell widgets or editors) are not."""
    marks = TABLE_MARKS.findall(text)
    read_only = marks.count("plain_table(") == len(marks) == text.count("EditTrigger.NoEditTriggers")
    return bool(marks) and not read_only


def test_every_module_with_a_table_to_type_into_is_measured():
    found = {str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py")
             if _typed_into(p.read_text(encoding="utf-8"))} - DEFINITIONS
    assert found <= set(SURFACES) and all((ROOT / name).exists() for name in SURFACES)
    assert not _typed_into('t = plain_table(["a"])\nt.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)\n')
    assert _typed_into('t = plain_table(["a"])\n')


def _inside(inner: QRect, outer: QRect) -> bool:
    return outer.contains(inner)


def _measure(qtbot, table) -> list[str]:
    """Open every column's editor on the first row, type a long line into it, and say where an
    editor (or a cell widget) left its cell or reached the next one."""
    problems = []
    model = table.model()
    table.scrollToTop()
    for column in range(model.columnCount()):
        index = model.index(0, column)
        name = model.headerData(column, Qt.Horizontal)
        widget = table.indexWidget(index)
        if widget is not None and table.cellWidget(0, column) is widget:
            if not _inside(widget.geometry(), table.visualRect(index)):
                problems.append(f"{name}: cell widget {widget.geometry()} outside {table.visualRect(index)}")
            continue
        before = model.data(index)
        click_cell(qtbot, table, 0, column)
        type_text(qtbot, "居民反映的问题比较多需要逐项记录" * 4 + "12345")
        editor = table.indexWidget(index)
        editable = table.editTriggers() != QAbstractItemView.NoEditTriggers \
            and bool(model.flags(index) & Qt.ItemIsEditable)
        if editor is None:
            if editable:
                problems.append(f"{name}: typing opened no editor")
            elif model.data(index) != before:
                problems.append(f"{name}: a read-only cell changed")
            continue
        for moment in ("as typed", "once the table settled"):  # when the clerk clicks next; after a relayout
            cell = table.visualRect(index)  # the row may have grown
            if not _inside(editor.geometry(), cell):
                problems.append(f"{name} {moment}: editor {editor.geometry()} outside its cell {cell}")
            if column + 1 < model.columnCount():
                beside = table.visualRect(model.index(0, column + 1))
                if editor.geometry().intersects(beside):
                    problems.append(f"{name} {moment}: editor {editor.geometry()} covers the next cell {beside}")
            qtbot.wait(10)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)
        if model.data(index) != before:
            problems.append(f"{name}: Esc did not undo the cell's edit")
    return problems


def test_no_cell_editor_covers_another_cell(qtbot, window, monkeypatch):
    monkeypatch.setattr("ui.pages.visits.confirm", lambda *a, **k: True)
    problems = {}
    measured = 0
    for open_surface in dict.fromkeys(SURFACES.values()):  # each surface once
        surface, tables = open_surface(qtbot, window)
        for table in tables:
            if hasattr(surface, "parts"):  # a meeting editor: the tab that holds the table
                surface.tabs.setCurrentWidget(next(t for t in surface.parts if table in t.findChildren(type(table))))
            qtbot.waitUntil(table.isVisible, timeout=5000)
            found = _measure(qtbot, table)
            measured += 1
            if found:
                problems[f"{surface.windowTitle()}: {table.objectName() or type(table).__name__}"] = found
        surface.hide()  # a meeting editor deletes itself on close; the test closes the rest
    assert measured >= 9
    assert problems == {}
