"""What a read reads: the tables SQLite names while it prepares the read's statements.

Views refresh when an edit touches a table they read (`Changes.tables`). Which tables those are
is not listed by hand beside each view: every query run through `Store.query()` reports them,
taken from SQLite's authorizer (`SQLITE_READ`, asked once per column a statement reads, while
the statement is prepared), so that a query joining `groups` is refreshed by a group's rename
the day the join is written, whoever forgets to say so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def reading(conn: sqlite3.Connection) -> Iterator[set[str]]:
    """Collect into the yielded set every table the statements prepared inside read.

    Setting an authorizer expires the connection's prepared statements (SQLite does this itself),
    so a statement cached by an earlier read is prepared again and reports its tables too."""
    tables: set[str] = set()

    def authorize(action: int, table: str | None, _column: str | None, _db: str | None,
                  _source: str | None) -> int:
        if action == sqlite3.SQLITE_READ and table and not table.startswith("sqlite_"):
            tables.add(table)
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorize)
    try:
        yield tables
    finally:
        conn.set_authorizer(None)
