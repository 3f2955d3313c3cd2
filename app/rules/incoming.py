"""Rows arriving from elsewhere (another office's package) held to the rule book before anything
is written: each row's fields and its rules across fields and parents, and that every row it
points to exists, in the package or in this store."""

from __future__ import annotations

from dataclasses import dataclass

from .book import TABLES
from .doors import db_lookup
from .engine import Breach, references, row_breaches, title_of
from .fields import Choice, leeway

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


def first_breach(rows: dict[str, list], conn) -> IncomingBreach | None:
    """The first row (tables in the book's order) that breaks a rule; `rows`: table -> [(id,
    values, stamps)] as a package carries them."""
    index = {table: {row_id: values for row_id, values, *_ in items} for table, items in rows.items()}
    stored = db_lookup(conn)

    def lookup(table: str, row_id: str) -> dict | None:
        found = index.get(table, {}).get(row_id)
        return {"id": row_id, **found} if found is not None else stored(table, row_id)

    exists_cache: dict[tuple[str, str], bool] = {}

    def exists(table: str, row_id: str) -> bool:
        if row_id in index.get(table, ()):
            return True
        key = (table, row_id)
        if key not in exists_cache:
            exists_cache[key] = conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [row_id]).fetchone() is not None
        return exists_cache[key]

    with leeway(CLOCK_LEEWAY_DAYS):
        for table in TABLES:
            refs = references(table)
            for line, (row_id, values, *_) in enumerate(rows.get(table, ()), 1):
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
