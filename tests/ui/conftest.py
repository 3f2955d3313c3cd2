import pytest


@pytest.fixture(scope="session", autouse=True)
def private_ui_settings(tmp_path_factory):
    """The window's remembered sizes go to a file of the test run's, not the user's."""
    import os

    os.environ["YISHI_UI_STATE"] = str(tmp_path_factory.mktemp("ui-state"))


@pytest.fixture(autouse=True)
def no_reminders_on_start(private_ui_settings):
    """今日提醒 opens after the store does; tests about something else do without it, as a clerk
    who ticked 「启动时不再显示」 (tests/ui/test_desk.py turns it back on)."""
    from ui.reminders import set_on_start

    set_on_start(False)


@pytest.fixture(scope="session")
def qapp_args():
    return ["yishi-tests"]


@pytest.fixture(scope="session")
def ui_font(qapp):
    from ui.main import setup_application

    return setup_application(qapp)


def wait_idle(qtbot, backend, timeout=10000):
    qtbot.waitUntil(lambda: backend.idle, timeout=timeout)


@pytest.fixture(autouse=True)
def bugs_fail_the_test(monkeypatch):
    """A bug in a background job opens a modal box in the window, which would hold a test until
    its timeout: here it is collected instead, and fails the test that caused it."""
    bugs: list[str] = []
    monkeypatch.setattr("ui.messages.show_bug", lambda parent, details: bugs.append(details))
    monkeypatch.setattr("ui.window.show_bug", lambda parent, details: bugs.append(details), raising=False)
    yield bugs
    assert not bugs, "a background job crashed:\n" + "\n".join(bugs)


@pytest.fixture
def backend(qtbot, demo_dir, ui_font):
    from ui.backend import Backend

    b = Backend()
    opened = []
    b.open_store(str(demo_dir), opened.append, lambda e: opened.append(e))
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    assert not isinstance(opened[0], Exception), opened
    yield b
    b.shutdown()


def open_window(qtbot, backend):
    """The main window on the backend's store, shown and loaded, as the clerk first sees it."""
    from ui.window import MainWindow

    w = MainWindow(backend)
    qtbot.addWidget(w)
    w.show()
    w.reload_all()
    wait_idle(qtbot, backend)
    return w


@pytest.fixture
def window(qtbot, backend):
    return open_window(qtbot, backend)


class _SettledStore:
    """The store the window's worker owns, reached from the test's (the UI) thread only once the
    worker is idle. The window itself never touches the store from its thread; a test that does
    while a background load runs would share the connection with it mid-statement (and SQLite's
    authorizer, which collects what a view reads, calls back into Python holding the
    connection's mutex: with the GIL held here that is a deadlock)."""

    def __init__(self, backend):
        object.__setattr__(self, "_backend", backend)

    def _settled(self):
        from PySide6.QtCore import QDeadlineTimer
        from PySide6.QtWidgets import QApplication

        backend = self._backend
        deadline = QDeadlineTimer(10000)
        while not backend.idle and not deadline.hasExpired():
            QApplication.processEvents()
        return backend._worker.store

    def __getattr__(self, name):
        return getattr(self._settled(), name)

    def __setattr__(self, name, value):
        setattr(self._settled(), name, value)


def store_of(window):
    """The store the window's worker owns (tests read it directly to check what a page did),
    reached only while the worker is idle."""
    return _SettledStore(window.backend)


def open_page(qtbot, window, key):
    """Show an area as the clerk would (sidebar) and wait until its data arrived."""
    window.show_page(key)
    page = window.page(key)
    wait_idle(qtbot, window.backend)
    return page


def last_week_plenary(store) -> str:
    """A plenary dated a week ago with nothing recorded yet: sign-in and votes may be recorded now
    (one dated ahead may not: it has not been held)."""
    from datetime import date, timedelta

    from app.services.meetings import MeetingFilter

    held = store.meetings.page(MeetingFilter(kind="plenary"), limit=None)
    room = next(m["room_id"] for m in held if m["room_id"])
    return store.meetings.create({"kind": "plenary", "date": (date.today() - timedelta(days=7)).isoformat(),
                                  "start_time": "09:00", "end_time": "11:30", "room_id": room},
                                 confirm_double_booking=True).created("meetings")[0]
