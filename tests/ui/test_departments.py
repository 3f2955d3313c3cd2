"""The departments list in 会议活动: whom to call at each one, edited in a dialog that fits the
smallest screen, and the 部门（单位）联系表 one click away."""

from PySide6.QtCore import Qt

from tests.ui.conftest import open_page, store_of, wait_idle

SMALLEST = (1280, 680)  # as test_window_size: 1920 × 1080 at 150 %, less a 40 px taskbar


def test_a_department_gets_its_contact_and_phone(qtbot, window):
    page = open_page(qtbot, window, "meetings")
    departments = page.departments
    page.tabs.setCurrentWidget(departments)
    wait_idle(qtbot, window.backend)
    headers = [departments.model.headerData(c, Qt.Orientation.Horizontal) for c in range(departments.model.columnCount())]
    assert headers[2:4] == ["联系人", "联系电话"]
    departments.view.setCurrentIndex(departments.model.index(0, 0))
    name = departments.current()["name"]
    departments.edit()
    qtbot.waitUntil(lambda: getattr(departments, "dialog", None) is not None and departments.dialog.isVisible(),
                    timeout=5000)
    dialog = departments.dialog
    need = dialog.minimumSizeHint()
    assert need.width() <= SMALLEST[0] and need.height() <= SMALLEST[1], need
    dialog.editors["contact"].widget.setText("王建军")
    dialog.editors["phone"].widget.setText("023-4988 1234")
    dialog._save()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    row = next(d for d in store_of(window).departments.list() if d["name"] == name)
    assert (row["contact"], row["phone"]) == ("王建军", "02349881234")
    assert any(text == "导出台账…" for text in _button_texts(departments))


def _button_texts(widget):
    from PySide6.QtWidgets import QAbstractButton

    return [b.text() for b in widget.findChildren(QAbstractButton)]
