"""Tab walks every dialog in reading order: from the first field, Tab (QWidget.nextInFocusChain, as
Qt follows it) reaches every enabled input and the buttons, top to bottom, and no text box keeps
the Tab key for itself."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from tests.ui.conftest import open_page, wait_idle

INPUTS = (QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit, QAbstractButton, QAbstractItemView)


def _in_a_table(widget, dialog) -> bool:
    """A widget set in a table's cell: the table is the stop, its cells are reached with the arrows."""
    parent = widget.parentWidget()
    while parent is not None and parent is not dialog:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def _stop(widget, dialog) -> bool:
    """A widget Tab stops at (what QWidget::focusNextPrevChild takes); a scroll area holding fields
    is none here (it takes the focus only to scroll), nor a table's cell widget."""
    return (widget.window() is dialog and widget.isEnabled() and widget.isVisibleTo(dialog)
            and widget.focusPolicy() & Qt.TabFocus == Qt.TabFocus and widget.focusProxy() is None
            and (isinstance(widget, INPUTS) or not isinstance(widget, QAbstractScrollArea))
            and not _in_a_table(widget, dialog))


def _top(widget, dialog) -> int:
    """Where the widget is in the dialog; inside a scroll area no lower than the area's bottom
    edge (a field scrolled out of view still comes before the buttons under the area)."""
    from PySide6.QtWidgets import QScrollArea

    top = widget.mapTo(dialog, QPoint(0, 0)).y()
    area = widget.parentWidget()
    while area is not None and area is not dialog:
        if isinstance(area, QScrollArea):
            top = min(top, area.mapTo(dialog, QPoint(0, area.height())).y())
        area = area.parentWidget()
    return top


def tab_walk(dialog) -> list:
    """The stops Tab visits, once round (QWidget.nextInFocusChain), from the top one: a tab bar
    above the first field, else the first field."""
    chain, widget = [], dialog.nextInFocusChain()
    while widget is not dialog:
        if _stop(widget, dialog):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    first = min(range(len(chain)), key=lambda i: (_top(chain[i], dialog) - (8 if isinstance(chain[i], QTabBar) else 0), i))
    return chain[first:] + chain[:first]


def _name(widget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__}({widget.objectName() or text or ''})"


def _same_row(a, b, dialog) -> bool:
    """b starts higher than a only because they share a row (b taller, or a centred lower)."""
    a_top, b_top = _top(a, dialog), _top(b, dialog)
    return b_top + b.height() > a_top + a.height() // 2 and a_top < b_top + b.height()


def check_tab_order(dialog, skip=()) -> list:
    """Every enabled input and the buttons reached, top to bottom. `skip`: stops known to be out of
    order (their own test says so)."""
    walk = [w for w in tab_walk(dialog) if w not in skip]
    inputs = [w for w in dialog.findChildren(QWidget) if isinstance(w, INPUTS) and w.window() is dialog
              and w.isEnabled() and w.isVisibleTo(dialog) and w.focusPolicy() != Qt.NoFocus
              and w.focusProxy() is None and not _in_a_table(w, dialog)]
    missing = [_name(w) for w in inputs if w not in walk and w not in skip]
    assert not missing, f"{dialog.windowTitle()}: Tab never reaches {missing}"
    for box in dialog.findChildren(QDialogButtonBox):
        if box.isVisibleTo(dialog):
            assert any(b.parentWidget() is box for b in walk), f"{dialog.windowTitle()}: buttons unreachable"
    backwards = [(_name(a), _top(a, dialog), _name(b), _top(b, dialog)) for a, b in zip(walk, walk[1:])
                 if _top(b, dialog) + 4 < _top(a, dialog) and not _same_row(a, b, dialog)]
    assert not backwards, f"{dialog.windowTitle()}: Tab goes back up: {backwards}"
    return walk


def tab_traps(dialog) -> list:
    """Text boxes where Tab types a tab instead of moving on."""
    return [_name(w) for w in tab_walk(dialog) if isinstance(w, (QTextEdit, QPlainTextEdit))
            and not w.isReadOnly() and not w.tabChangesFocus()]


@pytest.fixture
def shown(qtbot):
    def show(dialog):
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        return dialog
    return show


def test_record_dialogs_tab_top_to_bottom(qtbot, window, shown):
    organisation = open_page(qtbot, window, "organisation")
    for page in (organisation.communities, organisation.grids, organisation.groups, organisation.terms,
                 organisation.institutions):
        page.add()
        wait_idle(qtbot, window.backend)
        dialog = shown(page.dialog)
        check_tab_order(dialog)
        dialog.reject()
    roster = open_page(qtbot, window, "roster")
    roster.add()
    wait_idle(qtbot, window.backend)
    check_tab_order(shown(roster.dialog))
    roster.dialog.reject()


def test_the_small_form_dialog_tabs_top_to_bottom(qtbot, window):
    from app.services.base import FieldSpec
    from ui.form_dialog import FormDialog

    dialog = FormDialog("交办", [FieldSpec("unit", "承办单位", required=True), FieldSpec("due", "办理期限", "date"),
                                FieldSpec("note", "说明", "multiline")], parent=window)
    dialog.show()
    walk = check_tab_order(dialog)
    assert isinstance(walk[-1].parentWidget(), QDialogButtonBox)
    dialog.reject()


def test_meeting_dialogs_tab_top_to_bottom(qtbot, window, shown):
    meetings = open_page(qtbot, window, "meetings")
    meetings.list.add()
    wait_idle(qtbot, window.backend)
    check_tab_order(shown(meetings.list.new_dialog))
    meetings.list.new_dialog.reject()
    qtbot.waitUntil(lambda: meetings.list.model.rowCount() > 0, timeout=5000)
    meetings.list.view.selectRow(0)
    meetings.list.open_current()
    editor = meetings.list.editors[meetings.list.current_id()]
    wait_idle(qtbot, window.backend)
    for index in range(editor.tabs.count()):
        editor.tabs.setCurrentIndex(index)
        wait_idle(qtbot, window.backend)
        check_tab_order(editor, skip=_docs_bar(editor))
    editor.close()


def test_opinion_dialogs_tab_top_to_bottom(qtbot, window, shown):
    opinions = open_page(qtbot, window, "opinions")
    page = opinions.list
    page.intake()
    wait_idle(qtbot, window.backend)
    check_tab_order(shown(page.intake_dialog))
    page.intake_dialog.reject()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    page.view.selectRow(0)
    page.open_current()
    dialog = page.dialogs[page.current_id()]
    wait_idle(qtbot, window.backend)
    check_tab_order(dialog)
    dialog.close()


def _docs_bar(editor) -> list:
    bar = editor.docs_bar
    return [bar.itemAt(i).widget() for i in range(bar.count()) if bar.itemAt(i).widget() is not None]


def test_the_meeting_windows_document_buttons_come_after_the_tabs_fields(qtbot, window):
    meetings = open_page(qtbot, window, "meetings")
    qtbot.waitUntil(lambda: meetings.list.model.rowCount() > 0, timeout=5000)
    meetings.list.view.selectRow(0)
    meetings.list.open_current()
    editor = meetings.list.editors[meetings.list.current_id()]
    wait_idle(qtbot, window.backend)
    try:
        check_tab_order(editor)
    finally:
        editor.close()


def test_tab_leaves_a_multiline_field(qtbot, window):
    from app.services.base import FieldSpec
    from ui.form_dialog import FormDialog

    dialog = FormDialog("交办", [FieldSpec("note", "说明", "multiline")], parent=window)
    dialog.show()
    try:
        assert not tab_traps(dialog)
    finally:
        dialog.reject()


def test_the_walk_catches_a_field_out_of_order(qtbot, window):
    """The check itself: a date field moved after the buttons is caught, as is a field Tab skips."""
    from app.services.base import FieldSpec
    from ui.form_dialog import FormDialog

    dialog = FormDialog("交办", [FieldSpec("unit", "承办单位"), FieldSpec("due", "办理期限", "date")], parent=window)
    dialog.show()
    check_tab_order(dialog)
    due = dialog.editors["due"].widget
    QWidget.setTabOrder(dialog.buttons.button(QDialogButtonBox.Cancel), due)
    with pytest.raises(AssertionError, match="goes back up"):
        check_tab_order(dialog)
    due.setFocusPolicy(Qt.ClickFocus)
    with pytest.raises(AssertionError, match="never reaches"):
        check_tab_order(dialog)
    dialog.reject()
