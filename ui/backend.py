"""The one database worker: the Store lives in its thread; the UI never touches the DB.

Two kinds of work (cf. Anki's CollectionOp and QueryOp):
- `backend.op(fn, done, failed, summary=...)` runs an edit. Whatever `fn` returns, the rows its
  writes changed are gathered (`Store.operation`); the backend broadcasts them (`changed`) so
  that views refresh only what they show, and keeps them for Ctrl+Z when the edit has a summary.
- `backend.query(fn, done, failed)` runs a read. It changes nothing: a write inside it is a bug.
`fn(store)` (or `fn(store, job)` with wants_job, for work that reports progress) runs in the
worker thread; `done` and `failed` are called on the UI thread.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from app.common.errors import AppError, environmental
from app.storage.changes import Changes

log = logging.getLogger(__name__)


class Job:
    """One unit of work. Callbacks run on the UI thread; `report` is called from the worker."""

    def __init__(self, number: int, fn, wants_job: bool, worker: "_Worker", opens_store: bool = False,
                 kind: str = "query", summary: str | None = None, undoable: bool = False):
        self.number = number
        self.fn = fn
        self.wants_job = wants_job
        self.opens_store = opens_store
        self.kind = kind  # "op" (an edit) or "query" (a read)
        self.summary = summary  # an op's undo text; None: not undoable (an import, a restore)
        self.changes: Changes | None = None
        self.reads: frozenset[str] = frozenset()  # a view's load: the tables it read (app.storage.reads)
        self.watched = False  # a view's load: its reads are collected
        self.undoable = undoable  # an op whose row changes Ctrl+Z must be able to take back
        self.cancelled = False
        self.done = False
        self.result: Any = None  # whatever fn returned
        self.error: AppError | None = None
        self.on_done: list = []
        self.on_failed: list = []
        self.on_progress: list = []
        self._worker = worker

    def report(self, done: int, total: int, text: str = "") -> bool:
        """Progress from inside fn; returns False once the user asked to cancel."""
        self._worker.progressed.emit(self.number, done, total, text)
        return not self.cancelled


class _Worker(QObject):
    # Signals carry job numbers only: results stay on the Job (set before the signal is
    # emitted, read after it is delivered), so no Python object crosses a queued signal.
    run = Signal(int)
    finished = Signal(int)
    failed = Signal(int)
    crashed = Signal(int, str)
    progressed = Signal(int, int, int, str)

    def __init__(self):
        super().__init__()
        self.store = None
        self.jobs: dict[int, Job] = {}
        # Auto connections queue across threads (worker <-> UI); naming Qt.ConnectionType.QueuedConnection
        # here would load the whole Qt namespace (~15 ms) before the first paint.
        self.run.connect(self._execute)

    @Slot(int)
    def _execute(self, number: int) -> None:
        job = self.jobs[number]
        if self.store is None and not job.opens_store:
            # Queued before the store opened or after it closed: nothing to read or write.
            job.error = AppError("数据库尚未打开或已关闭")
            self.failed.emit(number)
            return
        try:
            job.result = self._run(job)
        except AppError as exc:
            job.error = exc
            self.failed.emit(number)
        except Exception as exc:  # the environment's refusal (disk full, locked…), else a bug
            known = environmental(exc)
            if known is not None:
                job.error = known
                self.failed.emit(number)
                return
            text = traceback.format_exc()
            log.error("background job failed:\n%s", text)
            self.crashed.emit(number, text)
        else:
            self.finished.emit(number)

    def _run(self, job: Job):
        call = (lambda: job.fn(self.store, job)) if job.wants_job else (lambda: job.fn(self.store))
        if job.opens_store:
            result = call()
            # A restore replaces the whole database: every view shows what is there now.
            job.changes = result if isinstance(result, Changes) else Changes.everything() if job.kind == "op" else None
            return result
        if job.kind == "query":
            with self.store.query(reads=job.watched) as tables:
                result = call()
            job.reads = frozenset(tables)
            return result
        with self.store.operation() as gathered:
            try:
                return call()
            finally:
                job.changes = gathered  # what committed before a refusal is shown too


class Backend(QObject):
    changed = Signal(object)  # Changes after every mutation (incl. undo)
    undo_available = Signal(str)  # summary of what Ctrl+Z would undo, "" when nothing
    # The store was replaced or merged into (a restore, an import): every open list reads it again,
    # whatever it watches, and Ctrl+Z offers nothing from before.
    replaced = Signal()
    busy = Signal(bool)
    bug = Signal(str)  # traceback of an unexpected error

    def __init__(self):
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName("yishi-db")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._worker.finished.connect(self._finished)
        self._worker.failed.connect(self._failed)
        self._worker.crashed.connect(self._crashed)
        self._worker.progressed.connect(self._progressed)
        self._thread.start()
        self._numbers = itertools.count(1)
        self._undo: list[tuple[Changes, str]] = []

    # -- running work ------------------------------------------------------------
    def op(self, fn, done=None, failed=None, *, summary: str | None = None, wants_job: bool = False,
           undoable: bool = True) -> Job:
        """Run an edit in the worker; the views showing what it changed refresh. An edit of rows is
        undoable, named by `summary` (what Ctrl+Z says). `undoable=False` is for work whose rows are
        not the clerk's edit to take back: an import, the demo, the date a document was issued."""
        return self._submit(Job(next(self._numbers), fn, wants_job, self._worker, kind="op", summary=summary,
                                undoable=undoable), done, failed)

    def query(self, fn, done=None, failed=None, *, wants_job: bool = False, watch: "Watch | None" = None) -> Job:
        """Run a read in the worker; its result goes to `done`. A view's load names its `watch`:
        the tables the read read are added to it, and the view refreshes when one changes."""
        job = Job(next(self._numbers), fn, wants_job, self._worker)
        if watch is not None:
            job.watched = True
            job.on_done.append(lambda _: watch.read(job.reads))
        return self._submit(job, done, failed)

    def _submit(self, job: Job, done, failed) -> Job:
        if done:
            job.on_done.append(done)
        if failed:
            job.on_failed.append(failed)
        self._worker.jobs[job.number] = job
        self.busy.emit(True)
        self._worker.run.emit(job.number)
        return job

    def _settle(self, number: int) -> Job:
        job = self._worker.jobs.pop(number)
        job.done = True
        if not self._worker.jobs:
            self.busy.emit(False)
        return job

    @Slot(int)
    def _finished(self, number: int) -> None:
        job = self._settle(number)
        changes = job.changes
        if changes and job.undoable and not job.summary and not changes.whole:
            # An edit of rows that Ctrl+Z could not take back: the page forgot to name it.
            self.bug.emit(f"an undoable edit changed {sorted(changes.tables)} without an undo summary")
        if changes:
            if job.summary and not changes.whole:
                self._undo.append((changes, job.summary))
                del self._undo[:-20]
                self.undo_available.emit(job.summary)
            self.changed.emit(changes)
            if changes.whole:
                self.replaced.emit()
        for callback in job.on_done:
            callback(job.result)

    @Slot(int)
    def _failed(self, number: int) -> None:
        job = self._settle(number)
        if job.changes:  # an edit refused after some of its steps were committed: show them
            self.changed.emit(job.changes)
        for callback in job.on_failed:
            callback(job.error)

    @Slot(int, str)
    def _crashed(self, number: int, text: str) -> None:
        job = self._settle(number)
        if job.changes:
            self.changed.emit(job.changes)
        for callback in job.on_failed:
            callback(None)
        self.bug.emit(text)

    @Slot(int, int, int, str)
    def _progressed(self, number: int, done: int, total: int, text: str) -> None:
        job = self._worker.jobs.get(number)
        for callback in job.on_progress if job else ():
            callback(done, total, text)

    @property
    def idle(self) -> bool:
        return not self._worker.jobs

    def open_store(self, data_dir, done, failed) -> Job:
        from app.restore import open_store

        def opening(_):
            self._worker.store = open_store(data_dir)
            return self._worker.store.data_dir

        return self._submit(Job(next(self._numbers), opening, False, self._worker, opens_store=True), done, failed)

    def restore_backup(self, data_dir, path, done, failed, *, accept_marked: bool = False) -> Job:
        """Put a backup in place of the open (or unopenable) database and open it again; the
        current one is backed up first when readable, and moved aside, never overwritten."""
        from app.restore import check_backup, replace_database

        def restoring(store):
            check_backup(path, data_dir, accept_marked=accept_marked)  # refused while the current store stays open
            self._worker.store = None
            # (held to the rule book just above: not asked twice)
            result, self._worker.store = replace_database(data_dir, path, store, accept_marked=True)
            self._undo.clear()  # the edits it would undo are gone with the replaced database
            return result

        job = Job(next(self._numbers), restoring, False, self._worker, opens_store=True, kind="op")
        job.on_done.append(lambda _: self.undo_available.emit(""))
        return self._submit(job, done, failed)

    # -- undo ----------------------------------------------------------------------
    def forget_undo(self) -> None:
        """After an import or a restore: the edits before it are no longer undone by Ctrl+Z."""
        self._undo.clear()
        self.undo_available.emit("")
        self.replaced.emit()

    def undo_summary(self) -> str:
        return self._undo[-1][1] if self._undo else ""

    def undo(self, done=None, failed=None) -> Job | None:
        if not self._undo:
            return None
        changes, summary = self._undo.pop()
        self.undo_available.emit(self.undo_summary())
        return self.op(lambda store: store.undo(changes, summary), done, failed, undoable=False)  # no redo

    # -- shutting down -----------------------------------------------------------
    def shutdown(self) -> None:
        if not self._thread.isRunning():
            return

        def closing(store):
            if store is not None:
                store.close()
            self._worker.store = None

        self._submit(Job(next(self._numbers), closing, False, self._worker, opens_store=True), None, None)
        self._thread.quit()
        self._thread.wait(10000)


class DelayedProgress(QObject):
    """A progress dialog for a job, shown only if it runs longer than 0.5 s."""

    def __init__(self, parent_widget, job: Job, title: str, cancellable: bool = False):
        super().__init__(parent_widget)
        from PySide6.QtWidgets import QProgressDialog

        self._job = job
        self._closed = False
        self._dialog = QProgressDialog(title, "取消", 0, 0, parent_widget)
        self._dialog.setWindowTitle("请稍候")
        from PySide6.QtCore import Qt

        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setAutoClose(False)
        self._dialog.setAutoReset(False)
        if not cancellable:
            self._dialog.setCancelButton(None)
        self._dialog.canceled.connect(self._cancel)
        # QProgressDialog shows itself after its own minimum duration (4 s) unless reset; when a
        # message box opened at the job's end held the event loop, the deleted-later box came up
        # over it. Only our timer shows it.
        self._dialog.reset()
        self._dialog.hide()
        self._timer = QTimer(self, singleShot=True, interval=500)
        self._timer.timeout.connect(self._show)
        self._timer.start()
        job.on_progress.append(self._update)
        job.on_done.insert(0, self._close)
        job.on_failed.insert(0, self._close)

    def _show(self):
        if not self._job.done:
            self._dialog.show()

    def _update(self, done: int, total: int, text: str):
        if self._closed:
            return
        self._dialog.setMaximum(total)
        if text:
            self._dialog.setLabelText(text)
        # Last: a window-modal progress dialog processes events in setValue, which may deliver
        # the job's end and close (delete) the dialog before this returns.
        self._dialog.setValue(done)

    def _cancel(self):
        self._job.cancelled = True

    def _close(self, *_):
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._dialog.reset()
        self._dialog.hide()
        self._dialog.deleteLater()
        self.deleteLater()


class Watch(QObject):
    """What a view refreshes on: the tables its loads read, as the store saw them read.

    A view passes its watch to the queries that load what it shows (`backend.query(...,
    watch=...)`); each adds the tables SQLite reported the query reading (`app.storage.reads`). An edit
    that changes any of them (`Changes.tables`) calls `refresh`. No view lists tables by hand: a
    load that starts joining `groups` is refreshed by a group's rename from then on.
    """

    def __init__(self, backend: Backend, refresh: Callable[[], object], parent: QObject | None = None):
        super().__init__(parent)
        self.tables: set[str] = set()
        self._refresh = refresh
        backend.changed.connect(self._changed)

    def read(self, tables: frozenset[str]) -> None:
        # Kept, not replaced: a view's loads read different tables (its list, its filter
        # choices), and a filter may read one more; a refresh too many is cheap, one too few is not.
        self.tables |= tables

    def touched_by(self, changes: Changes) -> bool:
        return bool(changes.tables & self.tables)

    def _changed(self, changes: Changes) -> None:
        if self.touched_by(changes):
            self._refresh()
