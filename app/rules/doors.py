"""The doors that ask the rule book with the store at hand: every write (`check_write`, called by
the write path for each row it inserts, changes or restores), and `check` (`scan`: every stored
row, reference, duplicate and double booking).
"""

from __future__ import annotations

from collections.abc import Iterator

from app.common.batches import in_batches
from app.common.errors import ValidationError
from app.rules import bookings
from app.rules.book import TABLES, Unique
from app.rules.engine import Breach, references, row_breaches, title_of
from app.rules.meeting_kinds import duty_kinds


def db_lookup(conn):
    """Rows by id, read inside the caller's transaction (so they include its own writes)."""

    def lookup(table: str, row_id: str) -> dict | None:
        if table not in TABLES:
            return None
        cursor = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None

    return lookup


def refuse(breach: Breach, *, with_record: bool = False):
    raise ValidationError(str(breach) if with_record else breach.message(), field=breach.field)


def check_write(conn, table: str, row_id: str, row: dict, changed, lookup=None) -> None:
    """Refuse (ValidationError naming the field) a row as written: after an insert (`changed` is
    None: every rule) or an update (the rules the changed fields take part in). What the row points
    to, duplicates and bookings are `check_links`'s, asked when the write is complete. `lookup`
    (by default the database's) answers the rows the rules read as they stand in the write."""
    if table in TABLES:
        found = row_breaches(table, row, lookup or db_lookup(conn), row_id=row_id, only=changed)
        if found:
            refuse(found[0])


def refused_by_database(conn, table: str, row: dict, exc: Exception) -> Exception:
    """The database's own guards (a reference to no row, a missing value) in the rule book's words,
    naming the field; anything else as it came."""
    spec = TABLES.get(table)
    text = str(exc)
    if spec is None:
        return exc
    if "NOT NULL" in text:
        name = text.rsplit(".", 1)[-1].strip()
        if name in spec.labels:
            return ValidationError(f"“{spec.labels[name]}”不能为空", field=name)
    if "FOREIGN KEY" in text:
        for name, parent in references(table):
            value = row.get(name)
            if value and not conn.execute(f"SELECT 1 FROM [{parent}] WHERE id = ?", [value]).fetchone():
                return ValidationError(f"所选{spec.labels[name]}不存在或已删除", field=name)
    return exc


class _Reads:
    """What `check_links` reads of the store, one statement a question."""

    def __init__(self, conn, parents: dict | None = None):
        self.conn = conn
        self.parents = parents
        self._lookup = db_lookup(conn)
        self._refs: dict[str, list] = {}
        self._asks: dict[tuple, tuple] = {}

    def refs(self, table: str) -> list[tuple[str, str]]:
        """`references(table)`, worked out once for all the rows asked about."""
        found = self._refs.get(table)
        if found is None:
            found = self._refs[table] = references(table)
        return found

    def asks(self, table: str, changed) -> tuple[list[tuple[str, str]], list[Unique]]:
        """What a row written with these fields `changed` (None: all) is asked about: its references
        (field, parent) and its duplicate rules, among those fields; worked out once for all the
        rows written alike."""
        key = (table, changed)
        found = self._asks.get(key)
        if found is None:
            spec = TABLES[table]
            names = spec.fields.keys() if changed is None else set(changed)
            found = self._asks[key] = ([(name, parent) for name, parent in self.refs(table) if name in names],
                                       [unique for unique in spec.unique if names & set(unique.fields)])
        return found

    def row(self, table: str, row_id: str) -> dict | None:
        return self._lookup(table, row_id)

    def parent(self, parent: str, value) -> tuple | None:
        """(deleted,) of the parent row, None when there is none."""
        key = (parent, value)
        if self.parents is not None and key in self.parents:
            return self.parents[key]
        live = self.conn.execute(f"SELECT deleted FROM [{parent}] WHERE id = ?", [value]).fetchone()
        if self.parents is not None:
            self.parents[key] = live
        return live

    def other(self, table: str, fields: tuple, row_id: str, values: tuple) -> bool:
        """Whether another live row of `table` holds `values` in `fields`."""
        where = " AND ".join(f"[{f}] = ?" for f in fields)
        return self.conn.execute(f"SELECT id FROM [{table}] WHERE deleted = 0 AND id != ? AND {where} LIMIT 1",
                                 [row_id, *values]).fetchone() is not None


class _Fetched(_Reads):
    """The same answers for the rows of one finished write, read in batches of ids beforehand
    (nothing writes while they are asked): a roster import asks about thousands of rows."""

    def __init__(self, conn, linked: list[tuple], known: dict | None = None):
        parents: dict = {}
        super().__init__(conn, parents)
        self.rows: dict[tuple[str, str], dict] = {}
        known = known or {}
        by_table: dict[str, list[str]] = {}
        for table, row_id, _ in linked:
            if table in TABLES:
                row = known.get((table, row_id))
                if row is not None:  # (the row as it stands in the write: as read here)
                    self.rows[(table, row_id)] = row
                else:
                    by_table.setdefault(table, []).append(row_id)
        for table, ids in by_table.items():
            for part, marks in in_batches(list(dict.fromkeys(ids))):
                cursor = conn.execute(f"SELECT * FROM [{table}] WHERE id IN ({marks})", part)
                columns = [d[0] for d in cursor.description]
                for values in cursor:
                    read = dict(zip(columns, values))
                    self.rows[(table, read["id"])] = read
        wanted: dict[str, set] = {}  # parent table -> ids asked about
        keys: dict[tuple[str, tuple], set] = {}  # (table, unique fields) -> values asked about
        for table, row_id, changed in linked:
            row = self.rows.get((table, row_id))
            if row is None or row.get("deleted"):
                continue
            refs, uniques = self.asks(table, changed)
            for name, parent in refs:
                value = row.get(name)
                if value:
                    wanted.setdefault(parent, set()).add(value)
            for unique in uniques:
                fields = unique.fields
                if all(row.get(f) not in (None, "") for f in fields):
                    keys.setdefault((table, fields), set()).add(tuple(row[f] for f in fields))
        for parent, asked in wanted.items():
            unknown = []
            for value in asked:
                row = known.get((parent, value))
                if row is not None:
                    parents[(parent, value)] = (row["deleted"],)
                else:
                    parents[(parent, value)] = None
                    unknown.append(value)
            for part, marks in in_batches(unknown):
                for row_id, deleted in conn.execute(f"SELECT id, deleted FROM [{parent}] WHERE id IN ({marks})", part):
                    parents[(parent, row_id)] = (deleted,)
        # live rows holding each value asked about: (table, fields) -> values -> their ids
        self.holders: dict[tuple[str, tuple], dict[tuple, list[str]]] = {}
        for (table, fields), values in keys.items():
            held = self.holders[(table, fields)] = {}
            listed = ", ".join(f"[{f}]" for f in fields)
            values_list = list(values)
            size = max(1, 500 // len(fields))
            for start in range(0, len(values_list), size):
                part = values_list[start:start + size]
                tuples = ", ".join("(" + ", ".join("?" * len(fields)) + ")" for _ in part)
                match = (f"[{fields[0]}] IN ({', '.join('?' * len(part))})" if len(fields) == 1
                         else f"({listed}) IN (VALUES {tuples})")
                for found in conn.execute(f"SELECT id, {listed} FROM [{table}] WHERE deleted = 0 AND {match}",
                                          [v for value in part for v in value]):
                    held.setdefault(tuple(found[1:]), []).append(found[0])

    def row(self, table: str, row_id: str) -> dict | None:
        if table not in TABLES:
            return None
        return self.rows.get((table, row_id))

    def other(self, table: str, fields: tuple, row_id: str, values: tuple) -> bool:
        ids = self.holders.get((table, fields), {}).get(values)
        if ids is None:  # (every value asked about was fetched; a miss cannot happen, but ask then)
            return super().other(table, fields, row_id, values)
        return any(other != row_id for other in ids)


def check_links(conn, table: str, row_id: str, changed, parents: dict | None = None, *,
                reads: _Reads | None = None) -> None:
    """At the end of a write (a parent and its children restored together, in any order): the rows
    a written row points to are there and live, it duplicates no other, and no one it places is in
    two places at once. `changed` None: all of them (an insert or a restore). `parents` keeps what
    was read of parent rows across calls made while nothing writes (many rows, the same parents)."""
    spec = TABLES.get(table)
    if spec is None:
        return
    reads = reads or _Reads(conn, parents)
    row = reads.row(table, row_id)
    if row is None or row.get("deleted"):
        return
    refs, uniques = reads.asks(table, changed)
    for name, parent in refs:
        value = row.get(name)
        if value:
            live = reads.parent(parent, value)
            # a history entry may be about a record deleted since (an undone step says so)
            if live is None or (live[0] and not spec.append_only):
                label = spec.labels[name]
                raise ValidationError(f"所选{label}不存在或已删除", field=name)
    for unique in uniques:
        fields = unique.fields
        if all(row.get(f) not in (None, "") for f in fields):
            if reads.other(table, fields, row_id, tuple(row[f] for f in fields)):
                shown = "、".join(str(row[f]) for f in fields if not f.endswith("_id"))
                raise ValidationError(f"{unique.what}“{shown}”已经有了，不能重复", field=fields[-1])
    if table in _BOOKED:
        names = spec.fields.keys() if changed is None else set(changed)
        _check_bookings(conn, table, row_id, row, names | ({"deleted"} if changed is None else set()))


_BOOKED = frozenset(("attendance", "reception_duties", "meetings", "meeting_discussions"))  # what `_check_bookings` asks about


def check_links_many(conn, linked: list[tuple], known: dict | None = None) -> None:
    """`check_links` for each (table, id, changed) of a finished write, in order (the first row
    that fails is the one reported, as one by one), with the rows, parents and duplicates they
    ask about read in batches. `known`: (table, id) -> the row as it stands in the write (the
    write path keeps the rows it inserted and read; a row it has not kept is read here)."""
    if not linked:
        return
    reads = _Fetched(conn, linked, known) if len(linked) > 1 else _Reads(conn, {})
    for table, row_id, changed in linked:
        check_links(conn, table, row_id, changed, reads=reads)


def _check_bookings(conn, table: str, row_id: str, row: dict, names: set[str]) -> None:
    pairs: list[tuple[str, str]] = []  # (delegate, meeting) whose engagement may now clash
    if table == "attendance" and names & {"status", "delegate_id", "meeting_id", "deleted"}:
        if row.get("status") == "present" and row.get("delegate_id"):
            pairs.append((row["delegate_id"], row["meeting_id"]))
    elif table == "reception_duties" and names & {"venue_id", "month", "delegate_id", "deleted"}:
        meetings = conn.execute(f"SELECT id FROM meetings WHERE venue_id = ? AND kind IN {duty_kinds()} AND deleted = 0"
                                " AND substr(date, 1, 7) = ?", [row.get("venue_id"), row.get("month")])
        pairs += [(row["delegate_id"], m[0]) for m in meetings]
    elif table == "meetings" and names & {"date", "start_time", "end_time", "venue_id", "status", "kind", "deleted"}:
        pairs += [(person, row_id) for person in _people_at(conn, row_id)]
    if (table == "meeting_discussions" and names & {"room_id", "start_time", "end_time", "meeting_id", "deleted"}) or \
            (table == "meetings" and names & {"room_id", "date", "start_time", "end_time", "status", "deleted"}):
        room = bookings.room_clash_for(conn, row["meeting_id"] if table == "meeting_discussions" else row_id)
        if room:
            mine, taken = room
            raise ValidationError(f"会议室“{mine.room}”已安排{taken.describe()}，同一时间不能再安排{mine.describe()}"
                                  "（一间会议室同一时间只能安排一处）", field="room_id")
    for delegate_id, meeting_id in pairs:
        clash = bookings.clash_for(conn, delegate_id, meeting_id)
        if clash:
            name = conn.execute("SELECT name FROM delegates WHERE id = ?", [delegate_id]).fetchone()
            here, there = clash
            raise ValidationError(f"{name[0] if name else '这位代表'}已安排{there.describe()}，同一时间不能"
                                  f"再在“{here.title}”{'值班' if here.how == 'duty' else '出席'}（一人不能同时在两处）",
                                  field="delegate_id")


def _people_at(conn, meeting_id: str) -> set[str]:
    rows = conn.execute(
        f"""SELECT a.delegate_id FROM attendance a WHERE a.meeting_id = ? AND a.deleted = 0 AND a.status = 'present'
             AND a.delegate_id IS NOT NULL
           UNION
           SELECT r.delegate_id FROM reception_duties r JOIN meetings m ON m.venue_id = r.venue_id
            AND m.kind IN {duty_kinds()} AND substr(m.date, 1, 7) = r.month WHERE m.id = ? AND r.deleted = 0""",
        [meeting_id, meeting_id])
    return {r[0] for r in rows}


# -- check: every stored row -----------------------------------------------------------------------------
class _CachedLookup:
    """Whole tables read once, for a scan that asks about many rows' parents."""

    def __init__(self, conn):
        self.conn = conn
        self.tables: dict[str, dict[str, dict]] = {}

    def __call__(self, table: str, row_id: str) -> dict | None:
        if table not in self.tables:
            if table not in TABLES:
                return None
            cursor = self.conn.execute(f"SELECT * FROM [{table}]")
            names = [d[0] for d in cursor.description]
            self.tables[table] = {row[0]: dict(zip(names, row)) for row in cursor}
        return self.tables[table].get(row_id)


def scan(conn) -> Iterator[Breach]:
    """Every live row that breaks the rule book, and every pair of rows that do together."""
    lookup = _CachedLookup(conn)
    for table, spec in TABLES.items():
        cursor = conn.execute(f"SELECT * FROM [{table}] WHERE deleted = 0")
        names = [d[0] for d in cursor.description]
        refs = references(table)
        for values in cursor:
            row = dict(zip(names, values))
            yield from row_breaches(table, row, lookup)
            for name, parent in refs:
                value = row.get(name)
                if type(value) is str and value:
                    target = lookup(parent, value)
                    if target is None or (target.get("deleted") and not spec.append_only):
                        what = "不存在" if target is None else "已删除"
                        yield Breach(table, row["id"], title_of(table, row), name, value,
                                     f"指向的{TABLES[parent].noun}{what}（{value[:8]}）")
        for unique in spec.unique:
            columns = ", ".join(f"[{f}]" for f in unique.fields)
            present = " AND ".join(f"[{f}] IS NOT NULL AND [{f}] != ''" for f in unique.fields)
            for row in conn.execute(
                    f"SELECT min(id), count(*), {columns} FROM [{table}] WHERE deleted = 0 AND {present}"
                    f" GROUP BY {columns} HAVING count(*) > 1"):
                shown = "、".join(str(v) for f, v in zip(unique.fields, row[2:]) if not f.endswith("_id"))
                first = lookup(table, row[0]) or {}
                yield Breach(table, row[0], title_of(table, first), unique.fields[-1], row[2 + len(unique.fields) - 1],
                             f"{unique.what}“{shown}”有 {row[1]} 条重复", True)
    for here, there in bookings.all_clashes(conn):
        person = lookup("delegates", here.delegate_id) or {}
        yield Breach("attendance" if here.how == "present" else "reception_duties", here.meeting_id,
                     person.get("name") or "", "delegate_id", here.delegate_id,
                     f"{person.get('name', '')}{here.describe()}，同一时间又{there.describe()}（一人不能同时在两处）",
                     True)
    for one, other in bookings.all_room_clashes(conn):
        booking = one if one.discussion_id else other
        yield Breach("meeting_discussions", booking.discussion_id or "", booking.group, "room_id", booking.room_id,
                     f"会议室“{one.room}”{one.describe()}，同一时间又{other.describe()}（一间会议室同一时间只能安排一处）",
                     True)
