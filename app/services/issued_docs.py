"""The date and number each document was issued under (成文日期, 发文字号), kept with its record.

A document carries the date the clerk gives it, never the day it happens to be exported: the
clerk gives it once (or accepts the suggested one) and every later export prints the same.
"""

from __future__ import annotations

import re
from datetime import date

from app.common.errors import ValidationError
from app.common.textutil import parse_date
from app.rules.codes import DOC_KINDS
from app.services.base import Service
from app.services.rows import Row


class IssuedDocService(Service[Row]):
    table = "issued_docs"
    row_type = Row
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
        """'5' with the pattern 中山路街道人大工委〔{年}〕{号}号 -> 中山路街道人大工委〔2026〕5号; a whole
        number as typed stays as it is."""
        text = (text or "").strip()
        if not text:
            return None
        pattern = self.pattern()
        if re.fullmatch(r"\d{1,4}", text):
            if not pattern:
                raise ValidationError("请先在“设置”中填写发文字号格式，或填写完整的发文字号", field="doc_number")
            return pattern.replace("{年}", year).replace("{号}", str(int(text)))
        return text

    def pattern(self) -> str:
        """The office's 文号 pattern; without one, the mark's body's (the 文号 names the mark's body)."""
        from app.services.settings import default_pattern

        mark = self.store.settings.get("issuer_mark")
        return self.store.settings.get("doc_number_pattern") or (default_pattern(mark) if mark else "")

    def register(self, year: int | None = None) -> list[dict]:
        """发文登记: every number issued under the office's pattern — by a document exported with a
        版头, a round's filing, an institution — with what it was issued for, in number order."""
        pattern = self.pattern()
        if not pattern:
            return []
        regex = re.compile(re.escape(pattern).replace(re.escape("{年}"), r"(\d{4})").replace(re.escape("{号}"), r"(\d+)"))
        labels = dict(DOC_KINDS)
        found = []
        for row in self.store.rows("SELECT kind, record_id, dated_on, doc_number FROM issued_docs"
                                   " WHERE deleted = 0 AND doc_number IS NOT NULL"):
            found.append((row["doc_number"], labels.get(row["kind"], row["kind"]), self._title(row), row["dated_on"]))
        for row in self.store.rows("SELECT name, filed_on, filing_doc FROM nomination_rounds WHERE deleted = 0"
                                   " AND filing_doc IS NOT NULL"):
            found.append((row["filing_doc"], "备案报告", f"{row['name']}推选情况的报告", row["filed_on"]))
        for row in self.store.rows("SELECT title, day, doc_number FROM institutions WHERE deleted = 0"
                                   " AND doc_number IS NOT NULL"):
            found.append((row["doc_number"], "制度建设", row["title"], row["day"]))
        out: dict[str, dict] = {}
        for number, kind, title, day in found:
            match = regex.fullmatch(number or "")
            if match and (year is None or int(match.group(1)) == year):
                out.setdefault(number, {"year": int(match.group(1)), "seq": int(match.group(2)), "doc_number": number,
                                        "kind": kind, "title": title, "dated_on": day})
        return sorted(out.values(), key=lambda r: (r["year"], r["seq"]))

    def _title(self, row: dict) -> str:
        record = self.store.rows("SELECT title FROM meetings WHERE id = ?", [row["record_id"]]) or \
            self.store.rows("SELECT name AS title FROM nomination_rounds WHERE id = ?", [row["record_id"]])
        return record[0]["title"] if record else ""

    def next_number(self, year: str) -> str:
        """The next sequence number of `year` in the 发文登记 (the highest issued + 1)."""
        if not self.pattern():
            return ""
        return str(max((r["seq"] for r in self.register(int(year))), default=0) + 1)

    def ensure_issue(self, kind: str, record_id: str, dated_on: str, label: str) -> str:
        """A bulletin's 期号 (第N期), numbered per year in the order they are first issued and kept
        with the record: the same on every later export."""
        number = self.number(kind, record_id)
        if number:
            return number
        year = dated_on[:4]
        issued = [int(m.group(1)) for row in self.store.rows(
            "SELECT doc_number FROM issued_docs WHERE deleted = 0 AND kind = ? AND substr(dated_on, 1, 4) = ?",
            [kind, year]) if (m := re.fullmatch(r"第(\d+)期", row["doc_number"] or ""))]
        number = f"第{max(issued, default=0) + 1}期"
        self.give(kind, record_id, dated_on=dated_on, doc_number=number, label=label)
        return number

    def ensure_number(self, kind: str, record_id: str, dated_on: str, label: str) -> None:
        """A red-head document gets the next 文号 of its year when it is first issued; exported again,
        it keeps the one it has."""
        if self.number(kind, record_id) or not self.pattern():
            return
        year = dated_on[:4]
        self.give(kind, record_id, dated_on=dated_on, doc_number=self.pattern().replace("{年}", year).replace(
            "{号}", self.next_number(year)), label=label)
