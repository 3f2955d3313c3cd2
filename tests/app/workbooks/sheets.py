"""Messy sheets as offices keep them, written for the import tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def messy_sheet(path: Path, title: str, header: list[str], rows: list[list], *, merge_title: bool = True,
                filled_by: str = "填报单位：中山路街道　　填报时间：2026年3月") -> Path:
    """A title row (merged across), a 填报 line, the header, the rows as given (None rows: blank
    lines), then a 合计 row and a note at the foot."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([title])
    if merge_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([filled_by])
    sheet.append(header)
    for row in rows:
        sheet.append(row if row is not None else [])
    sheet.append(["合计", f"{sum(1 for r in rows if r)}条"])
    sheet.append(["注：本表由社区填报，空白格与上一行相同。"])
    book.save(path)
    return path
