"""The date and number each document was issued under (成文日期, 发文字号), kept with its record.

A document carries the date the clerk gives it, never the day it happens to be exported: the
clerk gives it once (or accepts the suggested one) and every later export prints the same.
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import ValidationError
from ..textutil import parse_date
from .base import Service


class IssuedDocService(Service):
    table = "issued_docs"
    noun = "文书成文日期和字号"

    def find(self, kind: str, record_id: str) -> dict | None:
        rows = self.store.rows("SELECT * FROM issued_docs WHERE kind = ? AND record_id = ? AND deleted = 0"
                               " ORDER BY id LIMIT 1", [kind, record_id])
        return rows[0] if rows else None

    def dated(self, kind: str, record_id: str, default: str) -> str:
        """The 成文日期 the clerk gave this document, else `default`."""
        row = self.find(kind, record_id)
        return row["dated_on"] if row and row.get("dated_on") else default

    def number(self, kind: str, record_id: str) -> str | None:
        row = self.find(kind, record_id)
        return row["doc_number"] if row else None

    def give(self, kind: str, record_id: str, *, dated_on: str | None = None, doc_number: str | None = None,
             label: str = "文书"):
        """Record (or change) a document's 成文日期 and 发文字号; returns the Changes."""
        values: dict[str, str | None] = {}
        if dated_on:
            values["dated_on"] = parse_date(dated_on, "成文日期", "dated_on").isoformat()
        if doc_number is not None:
            values["doc_number"] = self.format_number(doc_number, (dated_on or date.today().isoformat())[:4])
        existing = self.find(kind, record_id)
        if existing:
            values = {k: v for k, v in values.items() if existing.get(k) != v}
        summary = f"{label}：" + "，".join(
            ([f"成文日期 {values['dated_on']}"] if "dated_on" in values else [])
            + ([f"发文字号 {values['doc_number']}"] if values.get("doc_number") else []))
        with self.store.write("update" if existing else "create", summary) as tx:
            if existing:
                if values:
                    tx.update(self.table, existing["id"], values)
            elif values:
                tx.insert(self.table, {"kind": kind, "record_id": record_id, **values})
        return tx.changes

    def format_number(self, text: str, year: str) -> str | None:
        """'5' with the pattern 中山路人大工委〔{年}〕{号}号 -> 中山路人大工委〔2026〕5号; a whole
        number as typed stays as it is."""
        text = (text or "").strip()
        if not text:
            return None
        pattern = self.store.settings.get("doc_number_pattern")
        if re.fullmatch(r"\d{1,4}", text):
            if not pattern:
                raise ValidationError("请先在“设置”中填写发文字号格式，或填写完整的发文字号", field="doc_number")
            return pattern.replace("{年}", year).replace("{号}", str(int(text)))
        return text

    def next_number(self, year: str) -> str:
        """The next sequence number of `year` under the pattern (the highest used + 1)."""
        pattern = self.store.settings.get("doc_number_pattern")
        if not pattern:
            return ""
        regex = re.escape(pattern.replace("{年}", year)).replace(re.escape("{号}"), r"(\d+)")
        used = [int(m.group(1)) for row in self.store.rows(
            "SELECT doc_number FROM issued_docs WHERE deleted = 0 AND doc_number IS NOT NULL")
            if (m := re.fullmatch(regex, row["doc_number"]))]
        return str(max(used, default=0) + 1)
