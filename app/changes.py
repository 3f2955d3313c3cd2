"""What a mutation changed: views refresh from it, undo reverts it (cf. Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowChange:
    table: str
    row_id: str
    kind: str  # insert / update / delete / restore
    before: dict
    after: dict


@dataclass
class Changes:
    rows: list[RowChange] = field(default_factory=list)
    audit_seq: int | None = None

    @property
    def tables(self) -> set[str]:
        return {change.table for change in self.rows}

    def ids(self, table: str) -> set[str]:
        return {c.row_id for c in self.rows if c.table == table}

    def created(self, table: str) -> list[str]:
        return [c.row_id for c in self.rows if c.table == table and c.kind == "insert"]

    def __bool__(self) -> bool:
        return bool(self.rows)
