"""Background work with a progress dialog: shown after half a second, cancellable, closed cleanly."""

import time

from PySide6.QtWidgets import QWidget

from tests.ui.conftest import wait_idle
from ui.backend import DelayedProgress


def steady_job(seconds: float, steps: int):
    def run(store, job):
        for done in range(1, steps + 1):
            time.sleep(seconds / steps)
            if not job.report(done, steps, f"第 {done} 步"):
                return "cancelled"
        return "done"
    return run


def test_the_job_ending_inside_a_progress_update_leaves_the_closed_dialog_alone(qtbot, backend, monkeypatch):
    # A window-modal QProgressDialog processes events inside setValue: the job's end can be
    # delivered there, and a callback's own dialog (the import preview) lets the closed progress
    # dialog be deleted before the update returns. It raised on every demo-sized import.
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QProgressDialog

    parent = QWidget()
    qtbot.addWidget(parent)
    job = backend.query(lambda store: "done")
    progress = DelayedProgress(parent, job, "正在处理…", cancellable=True)

    def set_value_ending_the_job(dialog, value):
        progress._close()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)

    monkeypatch.setattr(QProgressDialog, "setValue", set_value_ending_the_job)
    progress._update(5, 10, "第 5 步")  # must not touch the deleted dialog afterwards
    progress._update(6, 10, "第 6 步")  # nor later updates still queued
    wait_idle(qtbot, backend)


def test_cancel_reaches_the_job(qtbot, backend):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    results = []
    job = backend.query(steady_job(3, 300), results.append, wants_job=True)
    progress = DelayedProgress(parent, job, "正在处理…", cancellable=True)
    qtbot.waitUntil(lambda: progress._dialog.isVisible(), timeout=3000)
    from PySide6.QtWidgets import QPushButton

    [button] = progress._dialog.findChildren(QPushButton)
    assert button.text() == "取消"
    button.click()
    wait_idle(qtbot, backend)
    assert results == ["cancelled"]


def test_the_progress_box_never_comes_up_after_its_job_ended(qtbot, backend):
    """A backup's success message held the event loop, and 4 s later the finished job's 请稍候
    box came up over it, blocking the window until Esc."""
    from PySide6.QtCore import QEventLoop, QTimer
    from shiboken6 import isValid

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    seen = []
    holder = {}

    def success_message(_result):
        # what QMessageBox.information(...).exec() does in the job's done callback
        dialog = holder["dialog"]
        ticker = QTimer(interval=200)
        ticker.timeout.connect(lambda: seen.append(isValid(dialog) and dialog.isVisible()))
        ticker.start()
        loop = QEventLoop()
        QTimer.singleShot(4800, loop.quit)
        loop.exec()
        ticker.stop()

    job = backend.query(steady_job(0.1, 2), success_message, wants_job=True)  # done before 0.5 s
    progress = DelayedProgress(parent, job, "正在备份…")
    holder["dialog"] = progress._dialog
    qtbot.waitUntil(lambda: len(seen) >= 20, timeout=15000)
    assert not any(seen)


def test_the_machines_refusal_reaches_the_window_as_a_chinese_message(qtbot, backend):
    """Disk full or a file held by Excel during a job: told in Chinese, never the bug dialog."""
    import errno

    from app.common.errors import EnvironmentFailure

    failures, crashes = [], []
    backend.bug.connect(crashes.append)

    def full(store):
        raise OSError(errno.ENOSPC, "No space left on device", "E:/花名册.xlsx")

    backend.op(full, None, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert isinstance(failures[0], EnvironmentFailure) and "磁盘空间已满" in failures[0].message
    assert "E:/花名册.xlsx" in failures[0].message and crashes == []
