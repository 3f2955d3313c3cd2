"""Council terms (届次)."""

from __future__ import annotations

from datetime import date

from ..errors import ConflictError, ValidationError
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
        return self.store.rows(
            """SELECT t.*, (SELECT count(*) FROM delegates d WHERE d.term_id = t.id AND d.deleted = 0)
                 AS delegate_count FROM terms t WHERE t.deleted = 0 ORDER BY t.start_date, t.name""")

    blockers = (("delegates", "term_id", "还有 {n} 名代表属于该届次"),)

    def check(self, values: dict, existing: dict | None) -> None:
        values = {**(existing or {}), **values}
        for key, label in (("start_date", "开始日期"), ("end_date", "结束日期")):
            if values.get(key):
                try:
                    date.fromisoformat(values[key])
                except ValueError:
                    raise ValidationError(f"{label}“{values[key]}”不是有效日期（格式：2025-03-01）",
                                          field=key) from None
        if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
            raise ValidationError("届次的结束日期早于开始日期", field="end_date")
        if self.name_taken(values.get("name"), existing):
            raise ConflictError(f"已有名为“{values['name']}”的届次", field="name")

    def current_id(self) -> str | None:
        chosen = self.store.settings.get("current_term_id")
        if chosen and self.store.scalar("SELECT 1 FROM terms WHERE id = ? AND deleted = 0", [chosen]):
            return chosen
        return self.store.scalar(
            "SELECT id FROM terms WHERE deleted = 0 ORDER BY start_date DESC LIMIT 1")
