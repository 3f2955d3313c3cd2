"""The recycle bin (回收站): tombstoned rows, newest first, restorable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.storage.schema import TABLE_NOUNS

if TYPE_CHECKING:
    from app.store import Store

# The tables whose deleted rows the clerk may restore from the bin (their parts follow them).
RECYCLABLE = ("delegates", "communities", "grids", "groups", "venues", "terms", "meetings", "workflow_steps",
              "departments", "opinions", "topics", "grid_visits", "institutions")
TITLE_COLUMNS = {"meetings": "title", "workflow_steps": "title", "opinions": "title", "topics": "title",
                 "grid_visits": "day", "institutions": "title"}


class RecycleBin:
    def __init__(self, store: Store):
        self.store = store

    def _service(self, table: str):
        return {
            "delegates": self.store.delegates, "communities": self.store.communities,
            "grids": self.store.grids, "groups": self.store.groups, "venues": self.store.venues,
            "terms": self.store.terms, "meetings": self.store.meetings,
            "workflow_steps": self.store.workflows, "departments": self.store.departments,
            "opinions": self.store.opinions, "topics": self.store.topics, "grid_visits": self.store.visits,
            "institutions": self.store.institutions,
            "nomination_rounds": self.store.nomination, "candidates": self.store.candidates,
        }[table]

    def list(self) -> list[dict]:
        parts = []
        for table in RECYCLABLE:
            parts.append(
                f"SELECT '{table}' AS tbl, t.id, t.{TITLE_COLUMNS.get(table, 'name')} AS title,"
                f" k.wall_ms, k.site_id "
                f"FROM [{table}] t JOIN clocks k ON k.tbl = '{table}' AND k.row_id = t.id "
                f"AND k.field = 'deleted' WHERE t.deleted = 1")
        rows = self.store.rows(" UNION ALL ".join(parts) + " ORDER BY wall_ms DESC")
        for row in rows:
            row["kind_label"] = TABLE_NOUNS[row["tbl"]]
        return rows

    def count(self) -> int:
        return sum(self.store.scalar(f"SELECT count(*) FROM [{t}] WHERE deleted = 1") for t in RECYCLABLE)

    def restore(self, table: str, row_id: str):
        return self._service(table).restore(row_id)
