"""Council terms (届次)."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.common.errors import ConflictError, ValidationError
from app.common.textutil import clean, parse_date
from app.services.base import FieldSpec, Service
from app.services.rows import Row


class TermService(Service[Row]):
    table = "terms"
    row_type = Row
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
                 AS delegate_count,
                 (SELECT count(*) FROM delegates d WHERE d.term_id = t.id AND d.deleted = 0
                    AND d.status = 'active') AS serving_count,
                 CASE WHEN t.closed_on IS NOT NULL THEN '已届满' ELSE '在任' END AS state_label
               FROM terms t WHERE t.deleted = 0 ORDER BY t.start_date, t.name""")

    def close(self, term_id: str, day: str, reason: str = ""):
        """届满: the term ends on `day`; its serving delegates move to 届满 with that date (their
        history says so), and may be chosen again in the next term's round."""
        term = self.get(term_id)
        if term.get("closed_on"):
            raise ConflictError(f"{term['name']}已于 {term['closed_on']} 届满")
        parse_date(day, "届满日期", "day")
        if term.get("start_date") and day < term["start_date"]:
            raise ValidationError(f"届满日期 {day} 早于本届开始日期 {term['start_date']}", field="day")
        if day > date.today().isoformat():
            raise ValidationError(f"届满日期 {day} 晚于今天：请在届满当天或之后办理", field="day")
        from app.storage.audit import current_actor

        serving = self.store.rows("SELECT id FROM delegates WHERE term_id = ? AND deleted = 0 AND status = 'active'",
                                  [term_id])
        why = clean(reason) or f"{term['name']}届满"
        actor = current_actor(self.db)
        with self.store.write("update", f"{term['name']}届满（{day}，{len(serving)} 名代表）") as tx:
            tx.update(self.table, term_id, {"closed_on": day, "end_date": term.get("end_date") or day})
            for person in serving:
                tx.update("delegates", person["id"], {"status": "term_ended"})
                tx.insert("delegate_events", {"delegate_id": person["id"], "day": day, "kind": "term_ended",
                                              "detail": json.dumps({"from": "在任", "to": "届满", "reason": why},
                                                                   ensure_ascii=False), "actor": actor})
        return tx.changes

    def choices(self) -> builtins.list[tuple[str, str]]:
        return [(t["id"], t["name"] + ("（已届满）" if t["closed_on"] else "")) for t in self.store.rows(
            "SELECT id, name, closed_on FROM terms WHERE deleted = 0 ORDER BY start_date DESC, name")]

    blockers = (("delegates", "term_id", "还有 {n} 名代表属于该届次"),)

    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
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
