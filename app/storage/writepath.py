"""The one write path: rows, their field clocks and an audit entry in one transaction.

Services never write tables directly; they open `store.write(...)` and call the
`Tx` methods, which stamp every changed synced field and collect a `Changes`
record (what the views need to refresh, and what undo needs to revert).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from operator import itemgetter

from app.common.batches import in_batches
from app.common.clock import ROW_FIELD, RowStamps, Stamp
from app.common.errors import NotFoundError
from app.common.idcard import mask
from app.common.ids import random_id
from app.common.textutil import pinyin_keys
from app.rules.doors import check_links_many, check_write, db_lookup, refused_by_database
from app.rules.engine import across_fields, fields_pass, row_breaches
from app.storage.changes import Changes, RowChange
from app.storage.schema import APPEND_ONLY, SYNCED_FIELDS

BULK_AUDIT_ROWS = 1000


def new_id() -> str:
    return random_id()


_NUMBER = re.compile(r"-?\d+")


def _literal(default: str | None) -> tuple[bool, object]:
    """(known, value) of a column's declared default: a number, a quoted text or NULL (what the
    schema uses); an expression is not worked out here."""
    if default is None or default.upper() == "NULL":
        return True, None
    if _NUMBER.fullmatch(default):
        return True, int(default)
    if len(default) >= 2 and default[0] == default[-1] == "'" and "'" not in default[1:-1].replace("''", ""):
        return True, default[1:-1].replace("''", "'")
    return False, None


def _kept_type(declared: str) -> type | None:
    """The one Python type of value that SQLite stores unchanged in a column declared `declared`
    (its type affinity turns e.g. a number into a TEXT column's text, a numeric text into an
    INTEGER's number); None: any value (no affinity)."""
    declared = declared.upper()
    if "INT" in declared:
        return int
    if "CHAR" in declared or "CLOB" in declared or "TEXT" in declared:
        return str
    if declared == "" or "BLOB" in declared:
        return None
    if "REAL" in declared or "FLOA" in declared or "DOUB" in declared:
        return float
    return int  # NUMERIC


def columns_of(store, table: str) -> tuple[dict[str, type | None], dict[str, object] | None]:
    """A table's columns -> the type of value stored as given, and -> default (None when one is
    not a plain literal), read once per open store (its schema does not change while it is open)."""
    cache = store.__dict__.setdefault("_write_columns", {})
    found = cache.get(table)
    if found is None:
        info = store.db.conn.execute(f"PRAGMA table_info([{table}])").fetchall()
        kept = {row[1]: _kept_type(row[2]) for row in info}
        defaults: dict[str, object] | None = {}
        for _, name, _, _, default, _ in info:
            known, value = _literal(default)
            if not known or not _as_stored(kept, {name: value}):  # (e.g. TEXT DEFAULT 0 is stored '0')
                defaults = None
                break
            defaults[name] = value  # type: ignore[index]
        found = cache[table] = (kept, defaults)
    return found


def _as_stored(kept: dict[str, type | None], record: dict) -> bool:
    """Whether every value of `record` is stored as it is given (bytes and NULL always are)."""
    for name, value in record.items():
        want = kept.get(name, str)
        if want is not None and type(value) is not want and value is not None and type(value) is not bytes:
            return False
    return True


def _derived(table: str, values: dict) -> dict:
    """Search keys computed from synced fields (never synced themselves)."""
    if table in ("delegates", "candidates") and "name" in values:
        initials, full = pinyin_keys(values["name"] or "")
        return {"name_initials": initials, "name_pinyin": full}
    return {}


def _record(table: str, row_id: str, row: dict, given: list[str], *, derive: bool = True) -> dict:
    """The columns an insert writes: id, the values set (in order), deleted, the search keys
    (unless not `derive`). (id and deleted are no synced fields: the row's values set go between them.)"""
    record = {"id": row_id, **{name: row[name] for name in given}, "deleted": 0}
    if derive:
        _add_derived(table, row, record)
    return record


def _add_derived(table: str, row: dict, record: dict) -> None:
    derived = _derived(table, row)
    if derived:
        record.update((k, v) for k, v in derived.items() if v is not None)


_INSERTS: dict[tuple, str] = {}


def _insert_statement(table: str, columns: tuple, returning: bool) -> str:
    """The INSERT of these columns, written once (an import inserts thousands of rows alike)."""
    key = (table, columns, returning)
    found = _INSERTS.get(key)
    if found is None:
        if len(_INSERTS) > 2000:  # (bounded: the columns given vary with the values set)
            _INSERTS.clear()
        found = _INSERTS[key] = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)})"
                                 f" VALUES ({', '.join('?' for _ in columns)})" + (" RETURNING *" if returning else ""))
    return found


class _AsOneByOne:
    """Rows by id as the rule book's checks would read them while a run of rows is written one by
    one: the run's first `written` rows there as stored, the others not yet; any other row as the
    write has kept it (`reads`) or as the database holds it (`fetch`), what is read kept apart in
    `found` (the write keeps it only if the run is written at once)."""

    def __init__(self, reads: dict, fetch, table: str, ids: list[str], stored_rows: list[dict]):
        self.reads, self.fetch, self.table, self.stored_rows = reads, fetch, table, stored_rows
        self.placed = {row_id: index for index, row_id in enumerate(ids)}
        self.written = 0
        self.found: dict[tuple[str, str], dict | None] = {}

    def __call__(self, table: str, row_id: str) -> dict | None:
        at = self.placed.get(row_id) if table == self.table else None
        if at is not None:
            return self.stored_rows[at] if at < self.written else None
        key = (table, row_id)
        if key in self.reads:
            return self.reads[key]
        if key not in self.found:
            self.found[key] = self.fetch(table, row_id)
        return self.found[key]


class Tx:
    def __init__(self, store, reads: dict | None = None):
        self.store = store
        # Rows the rule book's checks read, kept for the rest of the write (shared with the writes
        # nested in it): each write of a row drops what was kept of it; a rollback drops it all.
        self.reads: dict[tuple[str, str], dict | None] = {} if reads is None else reads
        self.db = store.db
        self.changes = Changes()
        self.summary: str | None = None
        self._stamps: list[tuple] = []
        self._linked: list[tuple] = []  # (table, id, changed fields) to hold to `check_links` at the end
        self._lookup = db_lookup(self.db.conn)
        self._indexing: dict[str, None] | None = None  # opinions whose search rows wait for `flush`

    def index_later(self) -> None:
        """Bring the opinions' search rows in step where the clock stamps are written (`flush`: at
        the end of the write, or outside an import row's savepoint), all in one go, not at each
        opinion written: for a write of many opinions that nothing searches before it ends (an
        import). A search row is made from the opinion as it then stands, so the index ends as it
        would have row by row, whatever rows were rolled back to their savepoints meanwhile."""
        if self._indexing is None:
            self._indexing = {}

    def _stamp(self, table: str, row_id: str, fields, *, existing: bool = False) -> None:
        # An edit of a stored row is stamped after what it replaces, even when that was stamped from
        # beyond this office's clock (another office's wrong date): otherwise the edit would lose.
        stamp = self.store.clock.after(self._latest(table, row_id)) if existing else self.store.clock.tick()
        self._stamps += [(table, row_id, name, stamp.wall_ms, stamp.counter, stamp.site_id) for name in fields]
        if len(self._stamps) > 5000:
            self.flush()

    def _latest(self, table: str, row_id: str) -> Stamp | None:
        row = self.db.conn.execute("SELECT wall_ms, counter, site_id FROM clocks WHERE tbl = ? AND row_id = ?"
                                   " ORDER BY wall_ms DESC, counter DESC LIMIT 1", [table, row_id]).fetchone()
        return Stamp(*row) if row else None

    def check_links(self) -> None:
        """Before the write commits: what its rows point to, duplicates and bookings (a restored parent
        and its children, undone in reverse order, are all back by now)."""
        linked, self._linked = self._linked, []
        # what the rows ask about is read in batches for them all (nothing writes meanwhile); the
        # rows this write keeps as they stand (inserted, or read by the rule book's checks) are not
        # read again: any write of a row through this path drops what was kept of it
        check_links_many(self.db.conn, list(dict.fromkeys(linked)), self.reads)

    def flush(self) -> None:
        """Write the collected clock stamps (one statement for many rows; same transaction), and the
        search rows put off (`index_later`)."""
        if self._stamps:
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO clocks (tbl, row_id, field, wall_ms, counter, site_id)"
                " VALUES (?, ?, ?, ?, ?, ?)", self._stamps)
            self._stamps = []
        if self._indexing:
            from app.storage.search import sync_opinions

            waiting, self._indexing = list(self._indexing), {}
            sync_opinions(self.db, waiting, again=True)

    def _row(self, table: str, row_id: str) -> dict:
        cursor = self.db.conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])
        row = cursor.fetchone()
        if row is None:
            raise NotFoundError(f"记录不存在或已被彻底删除（{row_id[:8]}）")
        return dict(zip([d[0] for d in cursor.description], row))

    def lookup(self, table: str, row_id: str) -> dict | None:
        """A row by id as it stands in this write (what the rule book's checks ask about parents)."""
        key = (table, row_id)
        if key in self.reads:
            return self.reads[key]
        found = self.reads[key] = self._lookup(table, row_id)
        return found

    def insert(self, table: str, values: dict, row_id: str | None = None) -> str:
        synced = SYNCED_FIELDS[table]
        row_id = row_id or new_id()
        row = {name: values.get(name) for name in synced}
        # The values given are held to the rule book first (before the database's own guards could
        # object in English), the row as stored (unset fields took the schema's defaults, e.g.
        # key_supervision = 0) after; a refusal rolls the whole write back.
        given = [name for name, value in row.items() if value is not None]
        check_write(self.db.conn, table, row_id, row, given, self.lookup)
        record = _record(table, row_id, row, given)
        defaulted = len(given) < len(row)
        kept, defaults = columns_of(self.store, table)
        stored: dict | None = None
        if defaults is not None and _as_stored(kept, record):
            # The row as stored is known without asking: the values given as they are, the schema's
            # defaults in the others.
            stored = {**defaults, **record}
        try:
            # Else, with unset fields, the statement hands back the row as stored (defaults, the
            # column types' conversions applied): the same as reading it again, one statement fewer.
            ask = defaulted and stored is None
            cursor = self.db.conn.execute(_insert_statement(table, tuple(record), ask), list(record.values()))
            if ask:
                stored = dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0]))
        except sqlite3.IntegrityError as exc:
            raise refused_by_database(self.db.conn, table, record, exc) from None
        self.reads.pop((table, row_id), None)  # (a check of the values given may have read it as not there yet)
        if defaulted and stored is not None:
            # The row as stored: held to every rule its stored values take part in that the values
            # given were not already held to as they are (schema defaults, values the column's type
            # turned into another type); a value stored as given was asked above.
            differ = [name for name, value in stored.items() if row.get(name) is None
                      or type(row[name]) is not type(value) or row[name] != value]
            check_write(self.db.conn, table, row_id, stored, differ, self.lookup)
        if stored is not None:
            self.reads[(table, row_id)] = stored
        self._inserted(table, row_id, row)
        if len(self._stamps) > 5000:
            self.flush()
        return row_id

    def _inserted(self, table: str, row_id: str, row: dict) -> None:
        """What a new row leaves besides itself: its place among the rows held to the link checks,
        one stamp for the whole row and `deleted`'s (as `_stamp(table, row_id, (ROW_FIELD,
        "deleted"))`), its change, its search rows."""
        self._linked.append((table, row_id, None))
        wall, counter, site = self.store.clock.tick()
        self._stamps += ((table, row_id, ROW_FIELD, wall, counter, site), (table, row_id, "deleted", wall, counter, site))
        self.changes.rows.append(RowChange(table, row_id, "insert", {}, row))
        self._after(table, row_id, row)

    def insert_many(self, table: str, rows: Iterable[dict], row_ids: Iterable[str] | None = None) -> list[str]:
        """`insert` of each row in order (with its id from `row_ids` when given): the same rows,
        stamps and changes, and the same refusal of the same first row, as one by one. The rule
        book's field rules are asked once per column's distinct values, and the rows are written in
        one statement; rows that any rule or the database may refuse are written again one by one
        (in a savepoint, rolled back first), so the refusal names its row."""
        rows = list(rows)
        ids: list[str | None] = list(row_ids) if row_ids is not None else [None] * len(rows)
        synced = SYNCED_FIELDS[table]
        prepared = []
        for values, row_id in zip(rows, ids, strict=True):
            row = {name: values.get(name) for name in synced}
            prepared.append((row_id or new_id(), row, [name for name, value in row.items() if value is not None]))
        if not self._insert_run(table, prepared):
            for row_id, row, _ in prepared:
                self.insert(table, row, row_id)
        return [row_id for row_id, _, _ in prepared]

    def _insert_run(self, table: str, run: list[tuple[str, dict, list[str]]]) -> bool:
        """Rows in one statement, every column named (a field a row leaves unset written as the
        schema's default, which is what the database would store), when every rule passes and each
        row as stored is known without asking; False (nothing written) for `insert_many` to write
        them one by one instead."""
        kept, defaults = columns_of(self.store, table)
        if len(run) < 2 or defaults is None:
            return False
        stored_rows, unset = [], []
        for row_id, row, given in run:
            record = _record(table, row_id, row, given, derive=False)
            if not _as_stored(kept, record):
                return False
            stored = {**defaults, **record}
            if len(stored) != len(defaults):  # (a column the table lacks: the database's to refuse)
                return False
            stored_rows.append(stored)
        # Each field's rules once per distinct value: of a field given, the value as given (which
        # is as stored); of a field unset, its default (as `insert` asks the row as stored). Asked
        # before the search keys are worked out from the values (a name that is no text is refused).
        if not fields_pass(table, stored_rows):
            return False
        for (_, row, given), stored in zip(run, stored_rows):
            _add_derived(table, row, stored)  # (its search keys, in their columns' places)
            # (as `insert` asks the row as stored: the fields the schema's defaults filled in)
            unset.append([name for name in stored if row.get(name) is None] if len(given) < len(row) else [])
        seen = None
        if any(across_fields(table, given) for _, _, given in run) or any(
                across_fields(table, left) for left in unset if left):
            seen = _AsOneByOne(self.reads, self._lookup, table, [row_id for row_id, _, _ in run], stored_rows)
            for index, (_, row, given) in enumerate(run):
                seen.written = index  # (the values given are asked before the row is written)
                if row_breaches(table, row, seen, only=given, fields_passed=True):
                    return False
                seen.written = index + 1  # (the row as stored, after)
                if unset[index] and row_breaches(table, stored_rows[index], seen, only=unset[index], fields_passed=True):
                    return False
        try:
            with self.db.atomic():  # (a savepoint: a refused run leaves nothing behind)
                self.db.conn.executemany(_insert_statement(table, tuple(stored_rows[0]), False),
                                         [list(stored.values()) for stored in stored_rows])
        except sqlite3.IntegrityError:
            return False
        if seen is not None:
            self.reads.update(seen.found)  # (what one by one would have kept of the rows its checks read)
        for (row_id, row, _), stored in zip(run, stored_rows):
            self.reads[(table, row_id)] = stored
            self._inserted(table, row_id, row)
        if len(self._stamps) > 5000:
            self.flush()
        return True

    def _after(self, table: str, row_id: str, changed: dict) -> None:
        """Keep derived search rows in step with the row (same transaction)."""
        if table == "opinions" and changed.keys() & {"title", "content", "deleted"}:
            if self._indexing is not None:
                self._indexing[row_id] = None
                return
            from app.storage.search import sync_opinion

            sync_opinion(self.db, row_id)  # a tombstoned opinion leaves the index

    def update(self, table: str, row_id: str, values: dict) -> bool:
        if table in APPEND_ONLY:
            raise RuntimeError(f"{table} is append-only")
        synced = SYNCED_FIELDS[table]
        current = self._row(table, row_id)
        changed = {k: v for k, v in values.items() if k in synced and current.get(k) != v}
        if not changed:
            return False
        if not current["deleted"]:  # a tombstone is hidden: what it holds is not asked until restored
            check_write(self.db.conn, table, row_id, {**current, **changed}, changed, self.lookup)
            self._linked.append((table, row_id, tuple(changed)))
        record = {**changed, **_derived(table, {**current, **changed} if "name" in changed else {})}
        assignments = ", ".join(f"[{c}] = ?" for c in record)
        self.reads.pop((table, row_id), None)
        try:
            self.db.execute(f"UPDATE [{table}] SET {assignments} WHERE id = ?", [*record.values(), row_id])
        except sqlite3.IntegrityError as exc:
            raise refused_by_database(self.db.conn, table, {**current, **changed}, exc) from None
        self._stamp(table, row_id, changed, existing=True)
        self.changes.rows.append(
            RowChange(table, row_id, "update", {k: current.get(k) for k in changed}, changed))
        self._after(table, row_id, changed)
        return True

    def _set_deleted(self, table: str, row_id: str, deleted: int, kind: str) -> bool:
        if table in APPEND_ONLY:
            raise RuntimeError(f"{table} is append-only")
        current = self._row(table, row_id)
        if current["deleted"] == deleted:
            return False
        self.reads.pop((table, row_id), None)
        self.db.execute(f"UPDATE [{table}] SET deleted = ? WHERE id = ?", [deleted, row_id])
        if not deleted:  # back among the live rows: its references, duplicates and bookings again
            self._linked.append((table, row_id, None))
        self._stamp(table, row_id, ("deleted",), existing=True)
        self._after(table, row_id, {"deleted": deleted})
        self.changes.rows.append(RowChange(table, row_id, kind, {"deleted": 1 - deleted},
                                           {"deleted": deleted}))
        return True

    def delete(self, table: str, row_id: str) -> bool:
        """Tombstone: the row stays, hidden, restorable from the recycle bin."""
        return self._set_deleted(table, row_id, 1, "delete")

    def restore(self, table: str, row_id: str) -> bool:
        return self._set_deleted(table, row_id, 0, "restore")

    def put_remote(self, table: str, row_id: str, values: dict, stamps: dict, before: dict) -> None:
        """Fields of an existing row that arrived from another office with their own clock stamps
        (a package merge): no new stamps are made, so every office ends with the same clocks."""
        record = {**values, **_derived(table, {**before, **values} if "name" in values else {})}
        assignments = ", ".join(f"[{c}] = ?" for c in record)
        self.reads.pop((table, row_id), None)
        self.db.conn.execute(f"UPDATE [{table}] SET {assignments} WHERE id = ?", [*record.values(), row_id])
        self.changes.rows.append(RowChange(table, row_id, "update", {k: before.get(k) for k in values}, values))
        self._stamps += [(table, row_id, name, st[0], st[1], st[2]) for name, st in stamps.items()]
        if len(self._stamps) > 5000:
            self.flush()
        self._after(table, row_id, values)

    def insert_remote_many(self, table: str, rows: list[tuple[str, dict, RowStamps]]) -> None:
        """Rows new to this office, from a package, in one statement (their fields all alike); the
        stamps they came with are kept: the row's stamp, `deleted`'s, and those of fields apart."""
        if not rows:
            return
        names = list(rows[0][1])
        derived = table in ("delegates", "candidates") and "name" in names
        columns = ["id", *names, *(("name_initials", "name_pinyin") if derived else ())]
        marks = ", ".join("?" for _ in columns)
        data, stamps_out = [], self._stamps
        pick = itemgetter(*names)
        reads = self.reads
        for row_id, values, stamps in rows:
            if reads:
                reads.pop((table, row_id), None)
            record = [row_id, *pick(values)] if len(names) > 1 else [row_id, values[names[0]]]
            if derived:
                record += list(_derived(table, values).values())
            data.append(record)
            common, extra = stamps.common, stamps.extra
            stamps_out.append((table, row_id, ROW_FIELD, *common))
            if "deleted" not in extra:
                stamps_out.append((table, row_id, "deleted", *common))
            stamps_out += [(table, row_id, name, *st) for name, st in extra.items()]
            # An import is not undoable: a row's values are kept only while the step is small enough
            # for its audit entry to list them (a package may bring hundreds of thousands of rows).
            self.changes.rows.append(RowChange(table, row_id, "insert", {},
                                               values if len(self.changes.rows) < BULK_AUDIT_ROWS else {}))
        self.db.conn.executemany(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({marks})",
                                 data)
        self.flush()
        if table == "opinions":
            from app.storage.search import sync_opinions

            sync_opinions(self.db, [r[0] for r in rows])

    def sync_list(self, table: str, parent: dict, items: list[dict], existing_ids) -> None:
        """Make a parent's ordered child list match `items`: rows with a known id are updated
        (so links to them survive), new ones inserted, missing ones tombstoned."""
        existing_ids = set(existing_ids)
        kept = set()
        for order, item in enumerate(items, 1):
            values = {k: v for k, v in item.items() if k != "id"}
            values["sort_order"] = order
            if item.get("id") in existing_ids:
                kept.add(item["id"])
                self.update(table, item["id"], values)
            else:
                self.insert(table, {**parent, **values})
        for row_id in existing_ids - kept:
            self.delete(table, row_id)

    def revert(self, change: RowChange) -> None:
        """Apply the inverse of one recorded change (undo), refused when the row no longer holds
        what that change left: an undo never overwrites a later edit (one that came in a package)."""
        current = self._row(change.table, change.row_id)
        if not _as_left(change, current):
            from app.common.errors import ConflictError
            from app.storage.schema import TABLE_NOUNS

            raise ConflictError(f"不能撤销：这条{TABLE_NOUNS.get(change.table, '记录')}在这次操作之后又有了改动"
                                "（可能来自导入的交换包），撤销会覆盖较新的内容。请直接修改该记录。")
        if change.kind == "insert":
            self.delete(change.table, change.row_id)
        elif change.kind == "update":
            self.update(change.table, change.row_id, change.before)
        elif change.kind == "delete":
            self.restore(change.table, change.row_id)
        elif change.kind == "restore":
            self.delete(change.table, change.row_id)

    def audit_details(self) -> list[dict] | dict:
        if len(self.changes.rows) > BULK_AUDIT_ROWS:
            # A bulk step (an import): what changed, counted per table, not every value again.
            counts: dict[str, dict[str, int]] = {}
            for c in self.changes.rows:
                counts.setdefault(c.table, {}).setdefault(c.kind, 0)
                counts[c.table][c.kind] += 1
            return {"bulk": True, "rows": len(self.changes.rows), "counts": counts}
        return [{"table": c.table, "id": c.row_id, "kind": c.kind,
                 "before": _masked(c.before), "after": _masked(c.after)}
                for c in self.changes.rows]


def _as_left(change: RowChange, current: dict) -> bool:
    """Whether the row still is as `change` left it."""
    if change.kind in ("delete", "restore"):
        return current["deleted"] == change.after["deleted"]
    if current["deleted"]:
        return False
    # (an insert's unset fields took the schema's defaults: only the values it gave are compared)
    return all(current.get(k) == v for k, v in change.after.items() if v is not None or change.kind == "update")


def stored_stamps(db, table: str, ids: list[str]) -> dict[str, RowStamps]:
    """The field clocks of these rows as stored (a row without any has none in the result)."""
    out: dict[str, RowStamps] = {}
    for part, marks in in_batches(ids):
        for row_id, name, wall, counter, site in db.conn.execute(
                f"SELECT row_id, field, wall_ms, counter, site_id FROM clocks WHERE tbl = ? AND row_id IN ({marks})",
                [table, *part]):
            stamps = out.get(row_id) or out.setdefault(row_id, RowStamps())
            if name == ROW_FIELD:
                stamps.common = Stamp(wall, counter, site)
            else:
                stamps.extra[name] = Stamp(wall, counter, site)
    return out


def _masked(values: dict) -> dict:
    # The audit log outlives corrections and travels in packages: no full ID numbers in it.
    if values.get("id_number"):
        return {**values, "id_number": mask(values["id_number"])}
    return values
