"""Council terms (届次)."""

from __future__ import annotations

from ..errors import ValidationError
from .base import FieldSpec, Service


class TermService(Service):
    table = "terms"
    noun = "届次"
    fields = (
        FieldSpec("name", "届次名称", required=True),
        FieldSpec("start_date", "开始日期", "date"),
        FieldSpec("end_date", "结束日期", "date"),
        FieldSpec("notes", "备注", "multiline"),
    )

    def list(self) -> list[dict]:
        return self.store.rows("SELECT * FROM terms WHERE deleted = 0 ORDER BY start_date, name")

    def create(self, values: dict):
        values = self.clean_values(values)
        self.require(values)
        if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
            raise ValidationError("届次的结束日期早于开始日期", field="end_date")
        with self.store.write("create", f"新增届次：{values['name']}") as tx:
            tx.insert(self.table, values)
        return tx.changes

    def current_id(self) -> str | None:
        chosen = self.store.settings.get("current_term_id")
        if chosen and self.store.scalar("SELECT 1 FROM terms WHERE id = ? AND deleted = 0", [chosen]):
            return chosen
        return self.store.scalar(
            "SELECT id FROM terms WHERE deleted = 0 ORDER BY start_date DESC LIMIT 1")

    def dependents(self, row_id):
        n = self.count_live("SELECT count(*) FROM delegates WHERE term_id = ? AND deleted = 0", [row_id])
        return [f"还有 {n} 名代表属于该届次"] if n else []
