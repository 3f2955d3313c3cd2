"""Backups and restore (DESIGN §4).

A backup is SQLite's online backup of the live database into a temp file, checked
(integrity_check and row counts against the source), then renamed into place. Automatic backups
live in `<data dir>/backups` and are rotated (all of the last 48 hours, then 12 daily, 10 weekly,
9 monthly; those before a restore or an import kept 14 days); a manual backup
may go to any folder or stick. Restore never overwrites the current database: it is moved aside
first, and a marker file makes an interrupted restore finish or roll back on the next start.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.common.errors import AppError, CorruptStoreError, environmental
from app.common.fileio import atomic_path

DB_NAME = "yishi.db"
BACKUP_DIR = "backups"
AUTO_INTERVAL = timedelta(minutes=30)
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 12, 10, 9
KEEP_ALL = timedelta(hours=48)  # every backup of the last two days stays a restore point
KEEP_SAFETY = timedelta(days=14)  # the backups taken before a restore or an import
SAFETY_REASONS = ("restore", "import")
REASONS = {"manual": "手动", "auto": "自动", "start": "启动时", "import": "导入交换包前", "restore": "恢复前",
           "migration": "升级前"}
COUNTED = ("delegates", "communities", "meetings", "opinions", "audit")


SQLITE_MAGIC = b"SQLite format 3\x00"


def damage_of(path: Path) -> str | None:
    """What the database file itself shows to be wrong (None: it looks whole): empty, or shorter
    or longer than the pages its header records. SQLite would open such a file and answer from
    what is left (a 0-byte file as a new, empty database), so it is judged before SQLite sees it.
    With a journal or WAL beside it the file may be mid-transaction: SQLite settles that itself."""
    size = path.stat().st_size
    for side in ("-wal", "-journal"):
        beside = path.with_name(path.name + side)
        if beside.is_file() and beside.stat().st_size > 0:
            return None
    if size == 0:
        return "文件是空的（0 字节），其中的数据已经丢失"
    with open(path, "rb") as handle:
        head = handle.read(100)
    if not head.startswith(SQLITE_MAGIC):
        return None  # not SQLite at all: SQLite's own refusal names it
    if len(head) < 100:
        return f"文件不完整（只有 {size} 字节）"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "文件头已损坏"
    pages, counter, valid_for = (int.from_bytes(head[at:at + 4], "big") for at in (28, 24, 92))
    if size % page_size or (pages and counter == valid_for and pages * page_size != size):
        expected = f"应为 {pages * page_size} 字节" if pages and counter == valid_for else f"不是整页（每页 {page_size} 字节）"
        return f"文件不完整或被截断（{expected}，实际 {size} 字节）"
    return None


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def _counts(conn) -> dict[str, int]:
    out = {}
    for table in COUNTED:
        try:
            out[table] = conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        except sqlite3.DatabaseError:
            out[table] = None
    return out


def verify(path: Path | str) -> dict:
    """Open a backup read-only: integrity, our tables, not from a newer version; returns counts."""
    from app.storage.schema import known_migration_names

    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise CorruptStoreError(f"“{path.name}”不存在或是空文件，不是有效的备份")
    damage = damage_of(path)
    if damage:
        raise CorruptStoreError(f"备份“{path.name}”已损坏：{damage}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CorruptStoreError(f"备份“{path.name}”已损坏（完整性检查未通过）")
            site = conn.execute("SELECT value FROM meta WHERE key = 'site_id'").fetchone()
            applied = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
            counts = _counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptStoreError(f"“{path.name}”不是议事工作台的数据库备份（{exc}）") from None
    if not site:
        raise CorruptStoreError(f"“{path.name}”不是议事工作台的数据库备份")
    if applied - known_migration_names():
        raise AppError(f"备份“{path.name}”来自更新版本的议事工作台，请先升级再恢复")
    return {"path": str(path), "counts": counts, "size": path.stat().st_size}


def read_head(path: Path | str) -> dict | None:
    """The audit chain's head a database file holds (site, last entry, number of entries), read
    back from the file itself; None when it cannot be read."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
        try:
            site = conn.execute("SELECT value FROM meta WHERE key = 'site_id'").fetchone()
            last = conn.execute("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            entries = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    if not site or not last:
        return None
    return {"site": site[0], "seq": last[0], "hash": last[1], "at": last[2], "entries": entries}


def _copy_live(conn, target: Path) -> dict:
    """SQLite online backup of an open connection into `target` (atomically), verified."""
    source_counts = _counts(conn)
    with atomic_path(target) as temp:
        destination = sqlite3.connect(str(temp))
        try:
            conn.backup(destination)
            # The copy carries the live database's WAL mode; a backup is one self-contained file,
            # so that reading it (read-only, on a stick) leaves no -wal/-shm files beside it.
            destination.execute("PRAGMA journal_mode = DELETE")
        except BaseException:
            destination.close()
            # an interrupted copy (a full stick) leaves no journal or WAL of its temp file behind
            for side in ("-journal", "-wal", "-shm"):
                Path(str(temp) + side).unlink(missing_ok=True)
            raise
        destination.close()
        checked = verify(temp)
        if checked["counts"] != source_counts:
            raise AppError("备份校验失败：备份中的记录数与数据库不一致，请重试")
    return {"path": str(target), "counts": source_counts, "size": target.stat().st_size}


def backup_name(reason: str, when: datetime | None = None) -> str:
    return f"yishi-{(when or datetime.now()):%Y%m%d-%H%M%S}-{reason}.db"


def backup(store, out: Path | str | None = None, *, reason: str = "manual", protect: tuple = (),
           committed: bool = False) -> dict:
    """Back up the open store: to `out` (a file or a folder), or into the rotated backups folder
    (whose rotation never removes the files in `protect`: a backup about to be restored).
    `committed`: copy what is committed, through a reader of its own, while this connection's
    write transaction is still open (an import backs up the state before it only once the
    package has proved mergeable, so that a refused package leaves no trace)."""
    if out is None:
        target = backup_dir(store.data_dir) / backup_name(reason)
        while target.exists():  # two backups within a second
            target = target.with_name(target.stem + "-1.db")
    else:
        out = Path(out)
        target = out / backup_name(reason) if out.is_dir() else out
        if target.resolve() == (store.data_dir / DB_NAME).resolve():
            raise AppError("不能把备份写到正在使用的数据库文件上")
    try:
        if committed:
            reader = sqlite3.connect(f"file:{(store.data_dir / DB_NAME).as_posix()}?mode=ro", uri=True)
            try:
                result = _copy_live(reader, target)
            finally:
                reader.close()
        else:
            result = _copy_live(store.db.conn, target)
    except OSError as exc:
        raise (environmental(exc) or exc) from None
    # The head the backup holds, read back from it, is kept as a witness: a log later cut or
    # rewritten, its head in `meta` with it, no longer matches it.
    store.audit.witness(read_head(target), {"kind": "backup", "name": target.name,
                                             "at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    store.audit.record("backup", f"备份数据库（{REASONS.get(reason, reason)}）：{target.name}",
                       {"file": target.name, "reason": reason, "counts": result["counts"]})
    if out is None:
        result["removed"] = rotate(store.data_dir, protect=protect)
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_backup_at', ?)",
                     [datetime.now().isoformat(timespec="seconds")])
    return result


def backup_connection(conn, data_dir: Path, reason: str) -> dict:
    """Before a migration the Store does not exist yet: back up the raw connection."""
    return _copy_live(conn, backup_dir(data_dir) / backup_name(reason))


def list_backups(data_dir: Path) -> list[dict]:
    out = []
    for path in sorted(backup_dir(data_dir).glob("yishi-*.db"), reverse=True):
        parts = path.stem.split("-")
        try:
            when = datetime.strptime(f"{parts[1]}-{parts[2]}", "%Y%m%d-%H%M%S")
        except (IndexError, ValueError):
            continue
        out.append({"path": str(path), "name": path.name, "at": when, "reason": parts[3] if len(parts) > 3 else "",
                    "size": path.stat().st_size})
    return out


def rotate(data_dir: Path, now: datetime | None = None, protect: tuple = ()) -> list[str]:
    """Keep every backup of the last 48 hours, then the newest of each of 12 days, 10 weeks and 9
    months; never the file being restored (`protect`) nor a backup taken before a restore or an
    import in the last 14 days. Leftovers of interrupted backups are cleared."""
    now = now or datetime.now()
    backups = list_backups(data_dir)  # newest first
    protected = {Path(p).resolve() for p in protect}
    keep: set[str] = {item["path"] for item in backups if Path(item["path"]).resolve() in protected}
    for item in backups:
        age = now - item["at"]
        if age <= KEEP_ALL or (item["reason"] in SAFETY_REASONS and age <= KEEP_SAFETY):
            keep.add(item["path"])
    for key, count in ((lambda b: b["at"].date(), KEEP_DAILY),
                       (lambda b: tuple(b["at"].isocalendar())[:2], KEEP_WEEKLY),
                       (lambda b: (b["at"].year, b["at"].month), KEEP_MONTHLY)):
        periods: list = []
        for item in backups:
            period = key(item)
            if period not in periods:
                periods.append(period)
                if len(periods) > count:
                    break
                keep.add(item["path"])
    removed = []
    for item in backups:
        if item["path"] not in keep:
            Path(item["path"]).unlink(missing_ok=True)
            removed.append(item["name"])
    clear_leftovers(backup_dir(data_dir))
    return removed


def clear_leftovers(folder: Path) -> list[str]:
    """The temp files of backups a crash or a pulled stick interrupted (.yishi-….db and its
    -journal/-wal/-shm): never a backup, so never worth keeping."""
    removed = []
    for pattern in (".yishi-*.db", ".yishi-*.db-journal", ".yishi-*.db-wal", ".yishi-*.db-shm"):
        for leftover in folder.glob(pattern):
            try:
                leftover.unlink()
                removed.append(leftover.name)
            except OSError:
                pass  # in use or read-only: the next rotation tries again
    return removed


def auto_backup_due(store, now: datetime | None = None) -> bool:
    """At most every 30 minutes, and only when something changed since the last backup."""
    now = now or datetime.now()
    last = store.meta("last_backup_at")
    if last and now - datetime.fromisoformat(last) < AUTO_INTERVAL:
        return False
    return _changed_since_backup(store)


def _changed_since_backup(store) -> bool:
    last_change = store.scalar("SELECT max(seq) FROM audit WHERE action NOT IN ('backup', 'export', 'print', 'view')")
    return str(last_change) != (store.meta("last_backup_seq") or "")


def start_backup(store) -> dict | None:
    """On start: a backup unless nothing changed since the last one."""
    return auto_backup(store, "start") if _changed_since_backup(store) else None


def auto_backup(store, reason: str = "auto") -> dict | None:
    if reason == "auto" and not auto_backup_due(store):
        return None
    result = backup(store, reason=reason)
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_backup_seq', ?)",
                     [str(store.scalar("SELECT max(seq) FROM audit WHERE action NOT IN"
                                       " ('backup', 'export', 'print', 'view')"))])
    return result
