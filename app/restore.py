"""Restoring a backup: the swap that survives a crash at any step, and the opening that
finishes (or undoes) a restore a crash interrupted.

This module sits above the store: `open_store` is how the CLI and the window open a data folder,
so that an interrupted restore is settled, under the folder's lock, before SQLite opens the file.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from app.common.errors import CorruptStoreError, MarkedRowsError
from app.common.fileio import atomic_path, work_folder
from app.storage.backup import DB_NAME, backup, backup_dir, clear_leftovers, verify
from app.storage.paths import InstanceLock
from app.store import Store

MARKER = "restore-in-progress.json"
RESTORE_TEMP = ".restore-incoming.db"
CHECK_PREFIX = ".restore-check-"  # the copy of a backup held to the rule book, in the data directory


def open_store(data_dir: Path | str | None = None, **options) -> Store:
    """Open a data folder (see `Store.open`), settling first a restore a crash interrupted, and
    recording a completed one in the audit log."""
    settled: list = []
    store = Store.open(data_dir, prepare=lambda folder: settled.append(finish_interrupted_restore(folder)),
                       **options)
    try:
        audit_restore(store, settled[0] if settled else None)
    except BaseException:
        store.close()
        raise
    return store


def _aside_name(data_dir: Path) -> Path:
    """A name no copy set aside before has, nor its -wal/-shm: two restores within one second
    keep both replaced databases (os.replace would silently overwrite the first)."""
    stem = f"yishi-replaced-{datetime.now():%Y%m%d-%H%M%S}"
    for number in itertools.count():
        aside = Path(data_dir) / (f"{stem}.db" if number == 0 else f"{stem}-{number}.db")
        if not any(aside.with_name(aside.name + suffix).exists() for suffix in ("", "-wal", "-shm")):
            return aside
    raise AssertionError("unreachable")


def _fsync_dir(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def restore(data_dir: Path | str, source: Path | str, *, hook=None) -> dict:
    """Put backup `source` in place of the database of `data_dir` (which must not be open).

    The current database (even a damaged one) is moved aside, never overwritten. `hook(step)`
    lets tests stop the process between steps.
    """
    data_dir = Path(data_dir)
    source = Path(source)
    checked = verify(source)
    live = data_dir / DB_NAME
    incoming = data_dir / RESTORE_TEMP
    aside = _aside_name(data_dir)
    marker = data_dir / MARKER
    step = hook or (lambda name: None)
    with atomic_path(marker) as temp:
        # The marker stays until the restore is audited (by the opening that follows the swap),
        # so a crash right after the swap still leaves a record of what was restored.
        temp.write_text(json.dumps({"id": uuid.uuid4().hex, "source": str(source), "aside": aside.name,
                                    "had_database": live.exists()}), encoding="utf-8")
    step("marker")
    with atomic_path(incoming) as temp:
        shutil.copyfile(source, temp)
    step("copied")
    if live.exists():
        for suffix in ("", "-wal", "-shm"):  # a stale WAL must never meet the restored file
            part = data_dir / (DB_NAME + suffix)
            if part.exists():
                os.replace(part, aside.with_name(aside.name + suffix))
    _fsync_dir(data_dir)
    step("aside")
    os.replace(incoming, live)
    _fsync_dir(data_dir)
    step("placed")
    return {"restored": str(source), "aside": aside.name if aside.exists() else None, "counts": checked["counts"]}


def rule_breaches_of(source: Path | str, data_dir: Path | str) -> list:
    """The rows of backup `source` that break the rule book, as they would stand once restored (a
    copy brought up to this version's schema first, in a work folder of `data_dir`: the backup is
    not touched, and a check cut short by a power cut leaves nothing in the system's temporary
    folder; the next check or opening removes it)."""
    import sqlite3

    import sqlite_utils

    from app.rules.doors import scan
    from app.storage import schema

    with work_folder(data_dir, CHECK_PREFIX) as folder:
        copy = Path(folder) / DB_NAME
        shutil.copyfile(source, copy)
        conn = sqlite3.connect(str(copy), isolation_level=None)
        try:
            schema.migrations.apply(sqlite_utils.Database(conn))
            return list(scan(conn))
        finally:
            conn.close()


def _refuse_marked(source: Path | str, breaches: list) -> None:
    listed = "；".join(str(b) for b in breaches[:5])
    more = f"等 {len(breaches)} 处" if len(breaches) > 5 else ""
    raise MarkedRowsError(
        f"备份“{Path(source).name}”中有记录不符合录入规则（{listed}{more}），可能是旧版本或其他工具写入的。"
        "仍要恢复的，请确认（命令行加 --accept-marked）：这些记录恢复后照常显示、标出“※”，"
        "可在“检查数据”中逐条改正。当前数据没有改动。", breaches)


def check_backup(source: Path | str, data_dir: Path | str, *, accept_marked: bool = False) -> dict:
    """A backup fit to restore into `data_dir`: intact, ours, not from a newer version, and (unless
    the clerk accepts them marked) no rows the rule book refuses."""
    checked = verify(source)
    if not accept_marked:
        breaches = rule_breaches_of(source, data_dir)
        if breaches:
            _refuse_marked(source, breaches)
    return checked


def replace_database(data_dir: Path | str, source: Path | str, current=None, *, accept_marked: bool = False):
    """Everything a restore asks for, for the CLI and the GUI alike: the backup verified and held to
    the rule book (rows it refuses are restored only with `accept_marked`), the current data backed
    up once more (when it can be read), the store closed, the backup put in place, the store opened
    again and the restore audited. Returns (result, the reopened store)."""
    data_dir = Path(data_dir)
    check_backup(source, data_dir, accept_marked=accept_marked)  # refuse a bad backup before touching anything
    store = current
    if store is None:
        try:
            store = open_store(data_dir)
        except CorruptStoreError:
            store = None  # a damaged database cannot be backed up; it is moved aside all the same
    if store is not None:
        try:
            backup(store, reason="restore", protect=(str(Path(source)),))
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            if current is None:
                store.close()  # refused: the store this call opened is closed again, its lock freed
            raise
        store.close()
    lock = InstanceLock(data_dir)
    lock.acquire()
    try:
        result = restore(data_dir, source)
    finally:
        lock.release()
    reopened = open_store(data_dir)  # finishes the restore: audits it and clears its marker
    return result, reopened


def finish_interrupted_restore(data_dir: Path | str) -> dict | None:
    """Called before opening: complete or undo a restore a crash interrupted, or close one that
    just swapped, and clear what interrupted copies left. Returns {"outcome", "marker"} for the
    opened store to audit (`audit_restore`)."""
    data_dir = Path(data_dir)
    marker = data_dir / MARKER
    # the temp files of copies a crash stopped (atomic writes name them ".<name>-….")
    for pattern in (".restore-in-progress-*", "..restore-incoming-*"):
        for leftover in data_dir.glob(pattern):
            leftover.unlink(missing_ok=True)
    for leftover in data_dir.glob(CHECK_PREFIX + "*"):  # the copy a killed check of a backup made
        shutil.rmtree(leftover, ignore_errors=True)
    if backup_dir(data_dir).is_dir():
        clear_leftovers(backup_dir(data_dir))
    if not marker.exists():
        return None
    live, incoming = data_dir / DB_NAME, data_dir / RESTORE_TEMP
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        aside = data_dir / info["aside"]
    except (OSError, ValueError, KeyError, TypeError):
        info, aside = {}, None
    if incoming.exists() and live.exists():
        incoming.unlink()  # stopped before the swap: the old database stays
        outcome = "rolled_back"
    elif incoming.exists():
        os.replace(incoming, live)  # the old one is already aside: finish
        outcome = "completed"
    elif live.exists():
        # the swap happened when the old database is aside (or there was none); otherwise the
        # restore stopped before its copy was complete and nothing changed
        swapped = (aside is not None and aside.exists()) or info.get("had_database") is False
        outcome = "completed" if swapped else "nothing"
    elif aside is not None and aside.exists():
        for suffix in ("", "-wal", "-shm"):
            part = aside.with_name(aside.name + suffix)
            if part.exists():
                os.replace(part, data_dir / (DB_NAME + suffix))
        outcome = "rolled_back"
    else:
        outcome = "nothing"
    if outcome != "completed":
        marker.unlink(missing_ok=True)
    return {"outcome": outcome, "marker": info}


def audit_restore(store, finished: dict | None) -> None:
    """Record a completed restore once (the marker's id names it), then clear its marker."""
    if not finished or finished["outcome"] != "completed":
        return
    info = finished["marker"]
    restore_id = info.get("id", "")
    name = Path(info.get("source", "")).name or "（未知备份）"
    # a folder that had no database set nothing aside: the entry names no copy that does not exist
    aside = info.get("aside") if info.get("had_database") is not False else None
    if not restore_id or not store.scalar("SELECT 1 FROM audit WHERE action = 'restore' AND details LIKE ?",
                                          [f'%"restore_id": "{restore_id}"%']):
        store.audit.record("restore", f"从备份恢复：{name}",
                           {"file": name, "aside": aside, "restore_id": restore_id})
    (Path(store.data_dir) / MARKER).unlink(missing_ok=True)
