"""What a mutation changed: views refresh from it, undo reverts it (cf. Anki's OpChanges)."""

from __future__ import annotations

# Plain classes, not dataclasses: the UI imports this before its first paint, and the
# dataclasses machinery alone costs ~7 ms there; a bulk import also makes one per row.


class RowChange:
    __slots__ = ("table", "row_id", "kind", "before", "after")

    def __init__(self, table: str, row_id: str, kind: str, before: dict, after: dict):
        self.table = table
        self.row_id = row_id
        self.kind = kind  # insert / update / delete / restore
        self.before = before
        self.after = after

    def __repr__(self) -> str:
        return f"RowChange({self.table!r}, {self.row_id!r}, {self.kind!r}, {self.before!r}, {self.after!r})"


class Changes:
    __slots__ = ("rows", "audit_seq", "whole", "_tables")

    def __init__(self, rows: list[RowChange] | None = None, audit_seq: int | None = None, whole: bool = False):
        self.rows = [] if rows is None else rows
        self.audit_seq = audit_seq
        self.whole = whole  # every table may have changed (a restored backup): not undoable
        self._tables: tuple[int, set[str]] = (-1, set())

    @classmethod
    def everything(cls) -> "Changes":
        return cls(whole=True)

    @classmethod
    def combined(cls, parts: list["Changes"]) -> "Changes":
        """Several edits made as one (a batch in one transaction): one undo, one refresh."""
        rows = [row for part in parts for row in part.rows]
        seqs = [part.audit_seq for part in parts if part.audit_seq]
        return cls(rows, seqs[-1] if seqs else None)

    @property
    def tables(self) -> set[str]:
        if self.whole:
            from app.storage.schema import SYNCED_FIELDS

            return set(SYNCED_FIELDS)
        # Every open view asks after each edit; an import's changes hold hundreds of thousands of rows.
        if self._tables[0] != len(self.rows):
            self._tables = (len(self.rows), {change.table for change in self.rows})
        return self._tables[1]

    def ids(self, table: str) -> set[str]:
        return {c.row_id for c in self.rows if c.table == table}

    def created(self, table: str) -> list[str]:
        return [c.row_id for c in self.rows if c.table == table and c.kind == "insert"]

    def __bool__(self) -> bool:
        return self.whole or bool(self.rows)
