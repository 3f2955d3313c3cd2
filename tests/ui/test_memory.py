"""The window comes back as the clerk left it: its size, and the column widths they dragged."""

from PySide6.QtWidgets import QMainWindow

from tests.ui.conftest import open_page, wait_idle


def test_window_size_and_dragged_columns_are_remembered(qtbot, backend):
    from ui.memory import forget, restore_window
    from ui.pages.base import fit_columns, make_table
    from ui.window import MainWindow

    forget()
    window = MainWindow(backend)
    qtbot.addWidget(window)
    window.show()
    window.reload_all()
    wait_idle(qtbot, backend)
    window.resize(760, 560)  # within the offscreen screen (800 × 600)
    left = (window.width(), window.height())
    view = open_page(qtbot, window, "meetings").list.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=5000)
    title = 6  # 会议名称
    fitted = view.columnWidth(title)
    assert fitted > 150  # sized to the names, not Qt's default 100 px
    view.horizontalHeader().resizeSection(title, fitted + 77)  # the clerk drags it wider
    qtbot.wait(600)  # written once the dragging stops
    window.close()

    again = QMainWindow()  # the next start: MainWindow asks restore_window the same way
    qtbot.addWidget(again)
    restore_window(again, (1280, 800))
    # (the offscreen platform pads a restored width a little; the height shows it was restored)
    assert again.height() == left[1] and abs(again.width() - left[0]) < 60
    table = make_table(view.model())  # the same list, shown anew
    qtbot.addWidget(table)
    fit_columns(table)
    assert table.columnWidth(title) == fitted + 77


def test_a_first_start_fits_the_screen(qtbot):
    from ui.memory import forget, restore_window

    forget()
    window = QMainWindow()
    qtbot.addWidget(window)
    restore_window(window, (5000, 5000))
    free = window.screen().availableGeometry()
    assert window.width() <= free.width() and window.height() <= free.height()
