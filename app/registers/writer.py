"""The one register writer every Excel register uses (DESIGN §6).

Merged title row, a unit/date line, a bold bordered header starting with 序号,
frozen panes, auto-filter, widths that fit Chinese text, A4 landscape fitted
one page wide, header rows repeated on printed pages, "第 &P 页 共 &N 页" footer.
Every value a user typed is written as a text cell, so "=1+1" stays text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..fileio import atomic_path
from ..textutil import display_width

FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ROW = 3


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    min_width: int = 6
    max_width: int = 40
    wrap: bool = False


@dataclass
class Register:
    title: str
    unit: str
    columns: list[Column]
    rows: list[dict]
    sheet_name: str = "Sheet1"
    made_on: date | None = None
    note: str = ""


def _text(value) -> str:
    return "" if value is None else str(value)


def write_register(path: Path | str, *registers: Register) -> Path:
    """Write one or more registers (one sheet each) atomically to `path`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for register in registers:
        _write_sheet(workbook.create_sheet(register.sheet_name[:31]), register)
    with atomic_path(path) as temp:
        workbook.save(temp)
    return Path(path)


def _write_sheet(ws, reg: Register) -> None:
    headers = ["序号"] + [c.header for c in reg.columns]
    ncols = len(headers)
    last = get_column_letter(ncols)

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = reg.title
    ws["A1"].font = Font(name=FONT_NAME, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30

    made_on = reg.made_on or date.today()
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = f"填报单位：{reg.unit}　　　　填报日期：{made_on.year}年{made_on.month}月{made_on.day}日"
    ws["A2"].font = Font(name=FONT_NAME, size=11)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")

    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for col, header in enumerate(headers, 1):
        cell = ws.cell(HEADER_ROW, col, header)
        cell.font = Font(name=FONT_NAME, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        cell.fill = header_fill
    ws.row_dimensions[HEADER_ROW].height = 24

    widths = [max(4, display_width("序号"))] + [display_width(c.header) for c in reg.columns]
    body_font = Font(name=FONT_NAME, size=10.5)
    for index, row in enumerate(reg.rows, 1):
        r = HEADER_ROW + index
        serial = ws.cell(r, 1, index)
        serial.alignment = Alignment(horizontal="center", vertical="center")
        serial.border, serial.font = _BORDER, body_font
        for col, column in enumerate(reg.columns, 2):
            value = _text(row.get(column.key))
            cell = ws.cell(r, col)
            # Assigning through the data_type keeps "=..." and "0123" as plain text.
            cell.value = value
            cell.data_type = TYPE_STRING
            cell.border, cell.font = _BORDER, body_font
            cell.alignment = Alignment(vertical="center", wrap_text=column.wrap or "\n" in value)
            widths[col - 1] = max(widths[col - 1], max((display_width(line) for line in
                                                        value.split("\n")), default=0))
    for col, column in enumerate([None, *reg.columns], 1):
        lo, hi = (4, 8) if column is None else (column.min_width, column.max_width)
        ws.column_dimensions[get_column_letter(col)].width = min(max(widths[col - 1] + 2, lo), hi)

    last_row = HEADER_ROW + max(len(reg.rows), 0)
    if reg.note:
        note_row = last_row + 2
        ws.merge_cells(f"A{note_row}:{last}{note_row}")
        ws.cell(note_row, 1, reg.note).font = Font(name=FONT_NAME, size=10)

    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 10
