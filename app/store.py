"""The Store: one object that owns the database and exposes a service per domain."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from app.common.clock import HybridClock, Stamp
from app.common.errors import CorruptStoreError, NewerSchemaError, NoStoreError
from app.storage import schema
from app.storage.audit import AuditLog
from app.storage.changes import Changes
from app.storage.paths import InstanceLock, default_data_dir, ensure_local_data_dir, private
from app.storage.writepath import Tx, new_id

DB_NAME = "yishi.db"
BUSY_TIMEOUT_MS = 5000

def refuse_damaged(path: Path) -> None:
    """A damaged database file is never opened, initialised or changed: the clerk restores a backup."""
    from app.storage.backup import backup_dir, damage_of

    reason = damage_of(path)
    if reason:
        raise CorruptStoreError(
            f"数据库“{path}”已损坏：{reason}。程序没有打开、也没有改动它。请从备份恢复（议事工作台启动时会列出"
            f"完好的备份；命令行用 yishi restore 备份文件，自动备份在“{backup_dir(path.parent)}”）。")


# An undone append-only record's parent gets a "withdrawn" entry in its history instead:
# parent key -> (parent table, history table, the history row's fixed fields).
_WITHDRAWN = {
    "opinion_id": ("opinions", "opinion_events", {"kind": "undo"}),
    "candidate_id": ("candidates", "candidate_stages", {"stage": "undo", "verdict": "note"}),
    "action_item_id": ("action_items", "action_progress", {"status": "undo"}),
}



class _Rehearsed(Exception):
    """Ends a rehearsal: the write it ran rolls back."""

class Store:
    def __init__(self, db: sqlite_utils.Database, data_dir: Path, lock: InstanceLock | None):
        self.db = db
        self.data_dir = data_dir
        self._lock = lock
        self.site_id: str = self.meta("site_id") or ""  # _ensure_site wrote it before
        self.clock = HybridClock(self.site_id)
        last = db.execute("SELECT wall_ms, counter, site_id FROM clocks"
                          " ORDER BY wall_ms DESC, counter DESC LIMIT 1").fetchone()
        if last:
            self.clock.observe(Stamp(*last))  # (bounded: a stored stamp from far ahead does not drag it)
        from app.storage.audit import installation_key

        self.audit = AuditLog(db, self.site_id, installation_key(data_dir), data_dir)
        self._gathering: list[Changes] = []
        self._querying = False
        self._depth = 0  # writes open now (a service's write may call another's)
        self._reads: dict = {}  # rows the rule book read in the open write (the write path keeps them)
        self._inner: list = []  # rows of inner writes, gathered when the outermost one commits

        from app.services import (
            action_items,
            attendance,
            cadence,
            candidates,
            communities,
            delegates,
            departments,
            discussions,
            duty_records,
            elections,
            grids,
            groups,
            institutions,
            issued_docs,
            meetings,
            nomination,
            opinion_stats,
            opinions,
            plans,
            receptions,
            recycle,
            reviews,
            settings,
            stats,
            summary,
            surveys,
            terms,
            topics,
            venues,
            visits,
            workflows,
        )

        self.settings = settings.SettingsService(self)
        self.terms = terms.TermService(self)
        self.groups = groups.GroupService(self)
        self.communities = communities.CommunityService(self)
        self.grids = grids.GridService(self)
        self.venues = venues.VenueService(self)
        self.delegates = delegates.DelegateService(self)
        self.departments = departments.DepartmentService(self)
        self.workflows = workflows.WorkflowService(self)
        self.meetings = meetings.MeetingService(self)
        self.attendance = attendance.AttendanceService(self)
        self.receptions = receptions.ReceptionService(self)
        self.cadence = cadence.CadenceService(self)
        self.opinions = opinions.OpinionService(self)
        self.topics = topics.TopicService(self)
        self.visits = visits.VisitService(self)
        self.plans = plans.PlanService(self)
        self.action_items = action_items.ActionItemService(self)
        self.institutions = institutions.InstitutionService(self)
        self.summary = summary.YearSummary(self)
        self.reviews = reviews.ReviewService(self)
        self.opinion_stats = opinion_stats.OpinionStats(self)
        self.duty_records = duty_records.DutyRecords(self)
        self.nomination = nomination.NominationService(self)
        self.candidates = candidates.CandidateService(self)
        self.recycle = recycle.RecycleBin(self)
        self.discussions = discussions.DiscussionService(self)
        self.surveys = surveys.SurveyService(self)
        self.elections = elections.ElectionService(self)
        self.stats = stats.StatsService(self)
        self.issued_docs = issued_docs.IssuedDocService(self)
        # Reference lists every office starts with (fixed ids: offices seed the same rows).
        self.workflows.ensure_defaults()
        self.departments.ensure_defaults()

    # -- opening -----------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path | str | None = None, *, lock: bool = True, create: bool = True,
             prepare=None) -> "Store":
        """Open (with `create`, make) the store of `data_dir`. Reading commands pass create=False,
        so a mistyped folder is refused rather than answered with an empty new database.
        `prepare(data_dir)` runs under the folder's lock before the file is opened (the restore
        module settles an interrupted restore there: `app.restore.open_store`)."""
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        if not create and not (data_dir / DB_NAME).is_file():
            raise NoStoreError(f"这里没有议事工作台的数据：{data_dir}。请检查数据目录是否写对；"
                               "新建数据库请用 yishi init（或打开桌面程序）。")
        if (data_dir / DB_NAME).is_file():
            refuse_damaged(data_dir / DB_NAME)  # before the lock and the folder are touched
        data_dir = ensure_local_data_dir(data_dir)
        instance_lock = InstanceLock(data_dir) if lock else None
        if instance_lock:
            instance_lock.acquire()
        try:
            if prepare is not None:
                prepare(data_dir)
            db = cls._connect(data_dir / DB_NAME)
            cls._migrate(db, data_dir)
            cls._ensure_site(db)
            store = cls(db, data_dir, instance_lock)
        except BaseException:
            if instance_lock:
                instance_lock.release()
            raise
        return store

    @staticmethod
    def _connect(path: Path) -> sqlite_utils.Database:
        if not path.exists():
            Store._create_file(path)
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            private(part, 0o600)
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Another program holding the write lock is waited for, boundedly, then named.
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise CorruptStoreError(
                f"无法打开数据库“{path}”：文件已损坏或不是议事工作台的数据库（{exc}）。"
                "请从备份恢复。"
            ) from exc
        return sqlite_utils.Database(conn)

    @staticmethod
    def _create_file(path: Path) -> None:
        """A new database appears whole or not at all: made beside, in WAL mode (which writes its
        first page), then renamed into place. A crash can never leave a 0-byte yishi.db, which
        would rightly be taken for a damaged one. Made 0600: its -wal and -shm files take the
        same mode. (Under the folder's lock: what an interrupted creation left is cleared.)"""
        for leftover in path.parent.glob(f".{path.stem}-new-*.db"):
            leftover.unlink(missing_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.stem}-new-", suffix=".db", dir=path.parent)
        os.close(fd)
        try:
            os.chmod(temp, 0o600)
            conn = sqlite3.connect(temp)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            finally:
                conn.close()
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _migrate(db: sqlite_utils.Database, data_dir: Path) -> None:
        applied = {m.name for m in schema.migrations.applied(db)}
        unknown = applied - schema.known_migration_names()
        if unknown:
            raise NewerSchemaError(
                "这个数据库由更新版本的议事工作台创建，当前版本无法安全打开它。"
                "请升级议事工作台后再打开；数据库没有被改动。"
            )
        if applied and schema.known_migration_names() - applied:
            from app.storage.backup import backup_connection

            backup_connection(db.conn, data_dir, "migration")  # the last copy an older version can open
        schema.migrations.apply(db)

    @staticmethod
    def _ensure_site(db: sqlite_utils.Database) -> None:
        with db.atomic():
            if not db.execute("SELECT 1 FROM meta WHERE key = 'site_id'").fetchone():
                db.execute("INSERT INTO meta (key, value) VALUES ('site_id', ?)", [new_id()])
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('site_name', ?)",
                           ["本办公室"])

    def close(self) -> None:
        self.db.conn.close()
        if self._lock:
            self._lock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- operations and queries (cf. Anki's CollectionOp / QueryOp) ---------
    @contextmanager
    def operation(self):
        """Run an edit: every write committed inside is gathered into one `Changes` (what the
        views refresh, what Ctrl+Z reverts), whatever the edit itself returns."""
        gathered = Changes()
        self._gathering.append(gathered)
        try:
            yield gathered
        finally:
            self._gathering.remove(gathered)

    @contextmanager
    def query(self, reads: bool = True):
        """Run a read: a write attempted inside is a bug (it would record no undo, refresh nothing).
        Yields the set of tables the read read (`app.storage.reads`), filled as it runs: a view refreshes
        when an edit changes one of them. `reads=False`: not collected (a read no view shows
        again: an export, a dialog's choices), which spares preparing its statements anew."""
        before, self._querying = self._querying, True
        try:
            if before or not reads:  # inside another read: the outer one collects
                yield set()
                return
            from app.storage.reads import reading

            with reading(self.db.conn) as tables:
                yield tables
        finally:
            self._querying = before

    # -- the write path ----------------------------------------------------
    @contextmanager
    def write(self, action: str, summary: str):
        """One transaction: rows, clocks and one audit entry; `tx.changes` says what changed."""
        if self._querying:
            raise RuntimeError(f"a query tried to write ({action}: {summary}); run it as an operation")
        outermost = self._depth == 0
        if outermost:
            self._reads = {}  # shared by the writes nested in this one
        tx = Tx(self, self._reads)
        self._depth += 1
        try:
            with self.db.atomic():
                yield tx
                tx.check_links()
                tx.flush()
                if tx.changes:
                    # A step may name what it did once it knows (an import's counts).
                    tx.changes.audit_seq = self.audit.append(action, tx.summary or summary, tx.audit_details())
        except BaseException:
            self._reads.clear()  # (what was read may have been rolled back with the write)
            if outermost:
                self._inner = []
            raise
        finally:
            self._depth -= 1
        if not outermost:
            self._inner.extend(tx.changes.rows)
            return
        rows, self._inner = self._inner + tx.changes.rows, []
        for gathered in self._gathering if rows else ():
            gathered.rows.extend(rows)
            gathered.audit_seq = tx.changes.audit_seq or gathered.audit_seq

    @contextmanager
    def rehearsal(self, action: str, summary: str):
        """A write tried in full and rolled back (an import's dry run): every rule and reference is
        asked as in the real write, nothing is kept. Allowed inside a query, which it leaves as it was."""
        before, self._querying = self._querying, False
        try:
            with self.write(action, summary) as tx:
                yield tx
                raise _Rehearsed
        except _Rehearsed:
            pass
        finally:
            self._querying = before

    def undo(self, changes: Changes, summary: str) -> Changes:
        """Revert an edit. Append-only records (supervision, histories, stage records) are never
        removed: the history they belong to gains an entry saying the step was withdrawn instead."""
        from datetime import date

        from app.storage.audit import current_actor
        from app.storage.schema import APPEND_ONLY

        withdrawn: dict[tuple[str, str, str], None] = {}
        with self.write("undo", f"撤销：{summary}") as tx:
            for change in reversed(changes.rows):
                if change.table in APPEND_ONLY:
                    for key, (parent, history, _) in _WITHDRAWN.items():
                        if change.after.get(key):
                            withdrawn[(parent, history, change.after[key])] = None
                    continue
                tx.revert(change)
            detail = json.dumps({"undone": summary}, ensure_ascii=False)
            for parent, history, row_id in withdrawn:
                key, extra = next((k, v[2]) for k, v in _WITHDRAWN.items() if v[1] == history)
                # the progress log is plain notes; the other histories keep their detail as JSON
                said = ({"note": f"撤销了“{summary}”（记录保留）"} if history == "action_progress"
                        else {"detail": detail})
                if self.scalar(f"SELECT 1 FROM [{parent}] WHERE id = ?", [row_id]):
                    tx.insert(history, {key: row_id, "day": date.today().isoformat(), **said,
                                        **extra, "actor": current_actor(self.db)})
        return tx.changes

    # -- small helpers shared by services ---------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def is_empty(self) -> bool:
        for table in ("communities", "delegates", "groups", "venues"):
            if self.db.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone():
                return False
        return True

    def rows(self, sql: str, params=()) -> list[dict]:
        return [dict(r) for r in self.db.query(sql, params)]

    def scalar(self, sql: str, params=()):
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None
