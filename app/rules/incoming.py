"""Rows arriving from elsewhere (another office's package) held to the rule book before anything
is written: each row's fields and its rules across fields and parents, and that every row it
points to exists, in the package or in this store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.rules.book import TABLES
from app.rules.doors import db_lookup
from app.rules.engine import Breach, fields_pass, references, row_breaches, title_of
from app.rules.fields import Choice, leeway

# Another office's today may be this office's tomorrow (PCs a little apart, around midnight).
CLOCK_LEEWAY_DAYS = 1


@dataclass(frozen=True)
class IncomingBreach:
    breach: Breach
    line: int  # the row's place in its table's data, from 1

    @property
    def unknown_code(self) -> bool:
        """A value outside a closed list: what a newer version, which knows more codes, would write."""
        rule = TABLES[self.breach.table].fields.get(self.breach.field)
        return isinstance(rule, Choice) and not self.breach.whole and self.breach.value not in (None, "")


# What the rules across rows read of a parent (see the book's checks): kept of every package row of
# these tables, so a child may point to a parent that comes in the same package.
LOOKED_UP = {"meetings": ("date", "status", "venue_id"),
             "topics": ("status", "meeting_id", "approved_on", "formed_on"),
             "opinions": ("received_on", "reported_on"), "rooms": ("venue_id",), "venues": (), "action_items": ("meeting_id",)}


class Known:
    """What the rules across rows need of every row of a package before any is checked: the ids of
    each table, and the few fields of the parents that `LOOKED_UP` names. Filled a batch at a
    time by whoever walks the rows first (reading a package does), so they are not walked again."""

    def __init__(self):
        self.ids: dict[str, set[str]] = {}
        self.parents: dict[str, dict[str, dict]] = {}

    def add(self, table: str, items: Iterable) -> None:
        keep = LOOKED_UP.get(table)
        seen = self.ids.setdefault(table, set())
        if keep is None:
            seen.update(row_id for row_id, *_ in items)
            return
        kept = self.parents.setdefault(table, {})
        for row_id, values, *_ in items:
            seen.add(row_id)
            kept[row_id] = {"id": row_id, **{k: values.get(k) for k in keep}}


class Checker:
    """Holds a package's rows to the rule book a table (or a batch of a table) at a time, the
    tables in the book's order: a row's parents, in the package or in this store, are looked up
    through `known` first, so what a check reads of a package row is the package's, whether or not
    rows of earlier tables have been merged meanwhile."""

    def __init__(self, conn, known: Known):
        self.conn, self.known = conn, known
        self._stored = db_lookup(conn)
        self._exists: dict[tuple[str, str], bool] = {}

    def lookup(self, table: str, row_id: str) -> dict | None:
        found = self.known.parents.get(table, {}).get(row_id)
        return found if found is not None else self._stored(table, row_id)

    def exists(self, table: str, row_id: str) -> bool:
        if row_id in self.known.ids.get(table, ()):
            return True
        key = (table, row_id)
        if key not in self._exists:
            self._exists[key] = self.conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?",
                                                  [row_id]).fetchone() is not None
        return self._exists[key]

    def first(self, table: str, items: Iterable, start: int = 1) -> IncomingBreach | None:
        """The first of `items` (rows of `table`, the first of them at line `start`) that breaks a rule."""
        if table not in TABLES:
            return None
        refs, lookup, exists = references(table), self.lookup, self.exists
        with leeway(CLOCK_LEEWAY_DAYS):
            items = list(items)
            if self._all_pass(table, items, refs):
                return None
            # some row breaks a rule: asked row by row, in order, the first is named with what it breaks
            for line, (row_id, values, *_) in enumerate(items, start):
                row = {"id": row_id, **values}
                found = row_breaches(table, row, lookup, row_id=row_id)
                if found:
                    return IncomingBreach(found[0], line)
                if values.get("deleted") == 1:
                    continue  # a tombstone may point to what was deleted with it
                for name, parent in refs:
                    value = values.get(name)
                    if value and not exists(parent, value):
                        breach = Breach(table, row_id, title_of(table, row), name, value,
                                        f"指向的{TABLES[parent].noun}（{value[:8]}）在交换包和本机都没有")
                        return IncomingBreach(breach, line)
        return None


    def _all_pass(self, table: str, items: list, refs: list[tuple[str, str]]) -> bool:
        """Whether no row of `items` breaks a rule (what `first` asks, asked in bulk: each column's
        distinct values, each parent once); False when one may."""
        if not fields_pass(table, [values for _, values, *_ in items]):
            return False
        lookup = self.lookup
        for row_id, values, *_ in items:
            if row_breaches(table, {"id": row_id, **values}, lookup, row_id=row_id, fields_passed=True):
                return False
        exists = self.exists
        for name, parent in refs:
            pointed = {values.get(name) for _, values, *_ in items if values.get("deleted") != 1}
            if not all(exists(parent, value) for value in pointed if value):
                return False
        return True


def in_book_order(tables: Iterable[str]) -> bool:
    """Whether `tables` come in the order the rule book asks them (so the first row a walk in this
    order finds breaking a rule is the one `first_breach` names)."""
    asked = [t for t in tables if t in TABLES]
    return asked == [t for t in TABLES if t in asked]


def ahead_of(tables: Iterable[str]) -> list[str]:
    """Of these tables, those that rows of a table not after them in the book's order point to: a
    walk in that order must know their rows before it reaches the rows pointing to them."""
    tables = list(tables)
    order = [t for t in TABLES if t in tables]
    ahead = {parent for place, table in enumerate(order) for _, parent in references(table)
             if parent in tables and (parent not in order or order.index(parent) >= place)}
    return [t for t in tables if t in ahead]


def first_breach(rows: Mapping[str, Iterable], conn, known: Known | None = None) -> IncomingBreach | None:
    """The first row (tables in the book's order) that breaks a rule; `rows`: table -> the (id,
    values, stamps) a package carries, walked twice unless `known` is given for them (a large
    package's are read from its file each time: only ids, and the few fields the rules across rows
    read, are held meanwhile)."""
    if known is None:
        known = Known()
        for table, items in rows.items():
            known.add(table, items)
    checker = Checker(conn, known)
    for table in TABLES:
        if table in rows:
            found = checker.first(table, rows[table])
            if found is not None:
                return found
    return None
