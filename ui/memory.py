"""What the window remembers between sessions: its size and place, and each table's column
widths as the clerk dragged them. Kept in the user's Qt settings (an ini file), not in the data:
it belongs to this computer's screen, not to the office's records."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer


def ui_settings() -> QSettings:
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "YishiDesk", "yishi")


def table_key(view) -> str:
    """A table is known by its columns (the same list in two places shares its widths)."""
    model = view.model()
    header = view.horizontalHeader()
    from PySide6.QtCore import Qt

    titles = [str(model.headerData(c, Qt.Horizontal) or "") for c in range(header.count())]
    return "columns/" + "|".join(titles)


def restore_columns(view) -> bool:
    """Put back the widths the clerk left this table with; False when there are none yet."""
    state = ui_settings().value(table_key(view))
    if not state:
        return False
    return view.horizontalHeader().restoreState(state)


def watch_columns(view) -> None:
    """Keep the widths the clerk drags (not the ones the program sets: `view.fitting`)."""
    timer = QTimer(view, singleShot=True, interval=400)
    header = view.horizontalHeader()
    timer.timeout.connect(lambda: ui_settings().setValue(table_key(view), header.saveState()))
    view.fitting = False
    header.sectionResized.connect(lambda *_: None if view.fitting else timer.start())


def fit_on_screen(widget, size) -> None:
    """`size`, or less where the screen's free area is smaller (a 1366 × 768 screen less its
    taskbar, or 1920 × 1080 at 150 %, has less room than a dialog may ask)."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    width, height = size
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width() - 16), min(height, free.height() - 40)  # the frame
    widget.resize(width, height)


def restore_window(window, default_size) -> None:
    """The size and place of last time, else `default_size` within the screen's free area."""
    geometry = ui_settings().value("window/geometry")
    if geometry and window.restoreGeometry(geometry):
        return
    fit_on_screen(window, default_size)


def save_window(window) -> None:
    ui_settings().setValue("window/geometry", window.saveGeometry())
