"""发文登记簿: the numbers the office issued under its 文号, year by year, and what each was for."""

from __future__ import annotations

from app.registers.writer import Column, Register


def issued(store, *, year: int | None = None) -> Register:
    rows = store.issued_docs.register(year)
    columns = [Column("年度", "year", 6, kind="int"), Column("序号", "seq", 6, kind="int"),
               Column("发文字号", "doc_number", 18, 28), Column("文书", "kind", 10, 18),
               Column("标题", "title", 18, 40, wrap=True), Column("成文日期", "dated_on", 11, kind="date")]
    subdistrict = store.settings.get("subdistrict") or ""
    period = f"{year}年" if year else ""
    return Register(f"{subdistrict}{period}发文登记簿", store.settings.unit(), columns, rows, "发文登记")
