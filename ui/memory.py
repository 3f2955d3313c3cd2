"""What the window remembers between sessions: its size and place, each table's column widths as
the clerk dragged them, and the file type a document was last saved as. Kept in small files in the
user's settings folder, not in the data: it belongs to this computer, not to the office's records.

Plain files rather than QSettings: touching QSettings before the first paint makes PySide6 build
~150 enum types (~35 ms), and the window's own geometry is read before it shows, so it is a file
of its own (no JSON, no platformdirs to import before the first paint).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def state_dir() -> Path:
    """The user's settings folder for the app (what platformdirs' user_config_dir gives)."""
    override = os.environ.get("YISHI_UI_STATE")  # tests keep theirs apart from the user's
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "YishiDesk"


def _save(name: str, content: bytes) -> None:
    path = state_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".tmp")
        temp.write_bytes(content)
        os.replace(temp, path)
    except OSError:
        pass  # a read-only profile: the window simply forgets; nothing of the data is at stake


def _load(name: str) -> bytes | None:
    try:
        return (state_dir() / name).read_bytes() or None
    except OSError:
        return None  # none yet: the defaults serve


def _columns() -> dict:
    import json

    try:
        return json.loads(_load("columns.json") or b"{}")
    except ValueError:
        return {}


def _state(key: str) -> bytes | None:
    import base64

    text = _columns().get(key)
    try:
        return base64.b64decode(text) if text else None
    except ValueError:
        return None


def _write(key: str, state: bytes) -> None:
    import base64
    import json

    data = _columns()
    data[key] = base64.b64encode(bytes(state)).decode("ascii")
    _save("columns.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))


def recall(key: str) -> str | None:
    """A choice the clerk made last time (the file type a document was saved as)."""
    import json

    try:
        value = json.loads(_load("choices.json") or b"{}").get(key)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def remember(key: str, value: str) -> None:
    import json

    try:
        data = json.loads(_load("choices.json") or b"{}")
    except ValueError:
        data = {}
    data[key] = value
    _save("choices.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))


def forget() -> None:
    for name in ("geometry", "columns.json", "choices.json"):
        (state_dir() / name).unlink(missing_ok=True)


def table_key(view) -> str:
    """A table is known by its columns (the same list in two places shares its widths)."""
    from PySide6.QtCore import Qt

    model = view.model()
    titles = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(view.horizontalHeader().count())]
    return "columns/" + "|".join(titles)


def restore_columns(view) -> bool:
    """Put back the widths the clerk left this table with; False when there are none yet."""
    from PySide6.QtCore import QByteArray

    state = _state(table_key(view))
    if not state:
        return False
    return view.horizontalHeader().restoreState(QByteArray(state))


def watch_columns(view) -> None:
    """Keep the widths the clerk drags (not the ones the program sets: the view's "fitting" property)."""
    from PySide6.QtCore import QTimer

    timer = QTimer(view, singleShot=True, interval=400)
    header = view.horizontalHeader()
    timer.timeout.connect(lambda: _write(table_key(view), header.saveState().data()))
    view.setProperty("fitting", False)
    header.sectionResized.connect(lambda *_: None if view.property("fitting") else timer.start())


# What a window manager adds around a window: the title bar and the borders.
FRAME_WIDTH, FRAME_HEIGHT = 16, 40


def free_area(widget):
    """The free area (less the taskbar) of the screen `widget` is on, or None without a screen."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def room_on_screen(widget) -> tuple[int, int] | None:
    """The largest size `widget` may take as a window, its frame included, or None without a screen."""
    free = free_area(widget)
    return (free.width() - FRAME_WIDTH, free.height() - FRAME_HEIGHT) if free is not None else None


def fit_on_screen(widget, size) -> None:
    """`size`, or less where the screen's free area is smaller (a 1366 × 768 screen less its
    taskbar, or 1920 × 1080 at 150 %, has less room than a dialog may ask)."""
    width, height = size
    room = room_on_screen(widget)
    if room is not None:
        width, height = min(width, room[0]), min(height, room[1])
    widget.resize(width, height)


def restore_window(window, default_size) -> None:
    """The size and place of last time, else `default_size` within the screen's free area."""
    state = _load("geometry")
    if state:
        from PySide6.QtCore import QByteArray

        if window.restoreGeometry(QByteArray(state)):
            return
    fit_on_screen(window, default_size)


def save_window(window) -> None:
    _save("geometry", window.saveGeometry().data())
