"""The one register writer every Excel register uses (DESIGN §6).

Merged title row, a unit/date line, a bold bordered header starting with 序号,
frozen panes, auto-filter, widths that fit Chinese text, A4 landscape fitted
one page wide, header rows repeated on printed pages, "第 &P 页 共 &N 页" footer.
Every value a user typed is written as a text cell, so "=1+1" stays text.
"""

from __future__ import annotations

from contextlib import suppress
from copy import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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
    """Write one or more registers (one sheet each) atomically to `path`.

    Sheets are streamed (openpyxl write-only): memory stays flat and 100,000-row ledgers
    are written at close to the raw library's speed.
    """
    workbook = Workbook(write_only=True)
    for register in registers:
        _write_sheet(workbook.create_sheet(register.sheet_name[:31]), register)
    try:
        with atomic_path(path) as temp:
            workbook.save(temp)
    except BaseException:
        for sheet in workbook.worksheets:  # end the streamed sheets' temp files, quietly
            with suppress(Exception):
                sheet.close()
        raise
    return Path(path)


def _template(ws, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    for key, value in style.items():
        setattr(cell, key, value)
    return cell


def _styled(ws, value, template: WriteOnlyCell, text: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if text:
        # Typed values stay text: "=1+1", "+86...", "0123" are never formulas or numbers.
        cell.data_type = TYPE_STRING
    cell._style = copy(template._style)  # one shared style, as openpyxl copies styles
    return cell


def _write_sheet(ws, reg: Register) -> None:
    headers = ["序号"] + [c.header for c in reg.columns]
    ncols = len(headers)
    last = get_column_letter(ncols)
    texts = [[_text(row.get(column.key)) for column in reg.columns] for row in reg.rows]

    widths = [max(4, display_width("序号"))] + [display_width(c.header) for c in reg.columns]
    for values in texts:
        for col, value in enumerate(values, 1):
            if len(value) * 2 <= widths[col]:
                continue  # cannot be wider than what the column already has
            width = display_width(value) if "\n" not in value else max(map(display_width, value.split("\n")))
            if width > widths[col]:
                widths[col] = width
    for col, column in enumerate([None, *reg.columns], 1):
        lo, hi = (4, 8) if column is None else (column.min_width, column.max_width)
        ws.column_dimensions[get_column_letter(col)].width = min(max(widths[col - 1] + 2, lo), hi)

    last_row = HEADER_ROW + len(reg.rows)
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{last}2")
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 10
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[HEADER_ROW].height = 24

    made_on = reg.made_on or date.today()
    title = _template(ws, font=Font(name=FONT_NAME, size=16, bold=True),
                      alignment=Alignment(horizontal="center", vertical="center"))
    unit = _template(ws, font=Font(name=FONT_NAME, size=11), alignment=Alignment(horizontal="left", vertical="center"))
    head = _template(ws, font=Font(name=FONT_NAME, size=11, bold=True), border=_BORDER,
                     fill=PatternFill("solid", fgColor="DDE6F0"),
                     alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    serial = _template(ws, font=Font(name=FONT_NAME, size=10.5), border=_BORDER,
                       alignment=Alignment(horizontal="center", vertical="center"))
    body_font = Font(name=FONT_NAME, size=10.5)
    plain = _template(ws, font=body_font, border=_BORDER, alignment=Alignment(vertical="center"))
    wrapped = _template(ws, font=body_font, border=_BORDER, alignment=Alignment(vertical="center", wrap_text=True))

    ws.append([_styled(ws, reg.title, title)])
    ws.append([_styled(ws, f"填报单位：{reg.unit}　　　　填报日期：{made_on.year}年{made_on.month}月{made_on.day}日",
                       unit)])
    ws.append([_styled(ws, header, head) for header in headers])
    wrap = [column.wrap for column in reg.columns]
    for index, values in enumerate(texts, 1):
        ws.append([_styled(ws, index, serial)] + [
            _styled(ws, value, wrapped if wrap[i] or "\n" in value else plain, text=True)
            for i, value in enumerate(values)])
    if reg.note:
        ws.append([])
        ws.merged_cells.add(f"A{last_row + 2}:{last}{last_row + 2}")
        ws.append([_styled(ws, reg.note, _template(ws, font=Font(name=FONT_NAME, size=10)))])
