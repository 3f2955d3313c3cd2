"""The one register writer every Excel register uses (DESIGN §6).

Merged title row, a unit/date line, a bold bordered header starting with 序号, frozen panes,
auto-filter, widths that fit Chinese text, row heights set for wrapped text, header rows
repeated on printed pages, "第 &P 页 共 &N 页" footer.

Printing (A4 landscape): a register narrow enough to fit one page width with its body at 9 pt
or more is fitted to one page wide. A wider one is never shrunk below that: it prints at 90 %
on pages across, with 序号 and the identifying column (姓名, 编号…) repeated on each — Excel's
own 左端标题列, which Excel, WPS and LibreOffice all honour — so the sheet stays whole for the
screen and for analysis, and each printed page still says whose row it is.

Cells are typed by their column: counts are numbers, percentages numbers in a percent format,
dates real dates in one format (month-only dates one format too). Everything a user typed is
written as text; text that begins like a formula (= + - @) is marked (quotePrefix) so that
editing the cell in Excel keeps it text.
"""

from __future__ import annotations

from contextlib import suppress
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..fileio import atomic_path
from ..outputs import check_out
from ..rules.codes import MARK
from ..rules.fields import as_day
from ..textutil import display_width

FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ROW = 3


DATE_FORMAT, MONTH_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm", "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"
BODY_PT = 10.5
LINE_PT = 14.5  # one line of 10.5 pt 宋体 in a row
# A4 landscape less 0.5-inch margins, in Excel column-width units (7 px a unit at 96 dpi).
# (LibreOffice and WPS set Chinese text wider than Excel's unit suggests: a quarter is kept in hand.)
PRINTABLE_UNITS = (297 - 2 * 12.7) / 25.4 * 96 / 7 * 0.75
LEGIBLE_SCALE = 9 / BODY_PT  # the smallest print scale at which the body stays at 9 pt
ACROSS_SCALE = 90


@dataclass(frozen=True)
class Column:
    """One column: its width range in Latin-character units (a Chinese character counts two),
    whether long text wraps, and what kind of value it holds (text, int, percent, date, month,
    datetime, number)."""

    header: str
    key: str
    min_width: int = 6
    max_width: int = 40
    wrap: bool = False
    kind: str = "text"


class Percent(float):
    """A share (0.95) that a register writes as a number in the percent format."""


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


def typed(value, kind: str):
    """The cell value for `value` in a column of `kind`: a number, a date or text (None stays empty).
    A value that is not what its column holds (a row that breaks the rule book) is written as text,
    marked, as it is stored."""
    if value is None or value == "":
        return None
    if isinstance(value, Percent) or kind == "percent":
        return Percent(value)
    if kind in ("int", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if kind in ("int", "number"):
        try:
            return int(value) if kind == "int" else float(value)
        except (TypeError, ValueError):
            return _marked(value)
    if kind == "date":
        day = as_day(str(value)[:10])
        return day if day else _marked(value)
    if kind == "month":
        text = str(value).replace(".", "-")
        try:
            return date(int(text[:4]), int(text[5:7]), 1)
        except ValueError:
            return _marked(value)
    if kind == "datetime":
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            return _marked(value)
    return _printable(str(value))


def _marked(value) -> str:
    text = _printable(str(value))
    return text if text.startswith(MARK) else MARK + text


def _printable(text: str) -> str:
    # Control characters cannot stand in a worksheet (a stored value may hold them): shown as the mark.
    return ILLEGAL_CHARACTERS_RE.sub(MARK, text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def write_register(path: Path | str, *registers: Register) -> Path:
    """Write one or more registers (one sheet each) atomically to `path`.

    Sheets are streamed (openpyxl write-only): memory stays flat and 100,000-row ledgers
    are written at close to the raw library's speed.
    """
    check_out("register", path)
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


def _lines(text: str, width: int) -> int:
    """Printed lines of `text` in a wrapped cell `width` units wide."""
    room = max(width - 1, 2)
    return sum(max(1, -(-display_width(part) // room)) for part in text.split("\n"))


def _write_sheet(ws, reg: Register) -> None:
    headers = ["序号"] + [c.header for c in reg.columns]
    ncols = len(headers)
    last = get_column_letter(ncols)
    values = [[typed(row.get(column.key), column.kind) for column in reg.columns] for row in reg.rows]

    widths = [max(4, display_width("序号"))] + [display_width(c.header) for c in reg.columns]
    for row in values:
        for col, value in enumerate(row, 1):
            value = _shown(value)
            if len(value) * 2 <= widths[col]:
                continue  # cannot be wider than what the column already has
            width = max(map(display_width, value.split("\n")))
            if width > widths[col]:
                widths[col] = width
    final = []
    for col, column in enumerate([None, *reg.columns], 1):
        lo, hi = (4, 8) if column is None else (column.min_width, column.max_width)
        final.append(min(max(widths[col - 1] + 2, lo), hi))
        ws.column_dimensions[get_column_letter(col)].width = final[-1]

    last_row = HEADER_ROW + len(reg.rows)
    total = sum(final) + 0.7 * len(final)  # cell padding
    fits = PRINTABLE_UNITS / total >= LEGIBLE_SCALE
    if fits:
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
    ws.freeze_panes = f"C{HEADER_ROW + 1}" if ncols > 2 else f"B{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if fits:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
    else:
        ws.page_setup.scale = ACROSS_SCALE
        ws.page_setup.pageOrder = "overThenDown"  # a band's pages across come one after another
        ws.print_title_cols = "A:B"  # 序号 and the identifying column on every page across
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 12  # still 10.8 pt on pages printed at 90 %
    made_on = reg.made_on or date.today()
    unit_text = f"填报单位：{reg.unit}　　　　填报日期：{made_on.year}年{made_on.month}月{made_on.day}日"
    # A register narrower than its title or unit line (two or three columns) wraps them, merged
    # over its width, instead of cutting them off.
    span = sum(final)
    title_lines = _lines(reg.title, int(span * 11 / 16)) if fits else 1
    unit_lines = _lines(unit_text, span) if fits else 1
    if unit_lines > 1:  # unit and date on lines of their own rather than broken anywhere
        unit_text = unit_text.replace("　　　　", "\n")
        unit_lines = _lines(unit_text, span)
    ws.row_dimensions[1].height = 30 * title_lines
    ws.row_dimensions[2].height = 20 * unit_lines
    head_lines = max(_lines(h, w) for h, w in zip(headers, final))
    ws.row_dimensions[HEADER_ROW].height = max(24, head_lines * LINE_PT + 4)

    title = _template(ws, font=Font(name=FONT_NAME, size=16, bold=True),
                      alignment=Alignment(horizontal="center" if fits else "left", vertical="center",
                                          wrap_text=title_lines > 1))
    unit = _template(ws, font=Font(name=FONT_NAME, size=11),
                     alignment=Alignment(horizontal="left", vertical="center", wrap_text=unit_lines > 1))
    head = _template(ws, font=Font(name=FONT_NAME, size=11, bold=True), border=_BORDER,
                     fill=PatternFill("solid", fgColor="DDE6F0"),
                     alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    body_font = Font(name=FONT_NAME, size=BODY_PT)
    plain = _template(ws, font=body_font, border=_BORDER, alignment=Alignment(vertical="center"))
    wrapped = _template(ws, font=body_font, border=_BORDER, alignment=Alignment(vertical="center", wrap_text=True))
    formats = {"int": "0", "number": "0.##", "date": DATE_FORMAT, "month": MONTH_FORMAT, "datetime": TIME_FORMAT}
    number_templates = {}
    for kind, number_format in [*formats.items(), ("percent", PERCENT_FORMAT)]:
        cell = _template(ws, font=body_font, border=_BORDER,
                         alignment=Alignment(horizontal="center" if kind != "number" else "right", vertical="center"))
        cell.number_format = number_format
        number_templates[kind] = cell

    # Printed across, the title and unit line start right of the repeated columns (序号, 姓名): in
    # them they would be cut off and drawn again on every page across.
    lead = [None] * (0 if fits else 2)
    ws.append([*lead, _styled(ws, reg.title, title)])
    ws.append([*lead, _styled(ws, unit_text, unit)])
    ws.append([_styled(ws, header, head) for header in headers])
    for index, row in enumerate(values, 1):
        cells = [_styled(ws, index, number_templates["int"])]
        lines = 1
        for col, (column, value) in enumerate(zip(reg.columns, row), 1):
            if isinstance(value, Percent):
                cells.append(_styled(ws, float(value), number_templates["percent"]))
            elif isinstance(value, datetime):
                cells.append(_styled(ws, value, number_templates["datetime"]))
            elif isinstance(value, date):
                cells.append(_styled(ws, value, number_templates["month" if column.kind == "month" else "date"]))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(_styled(ws, value, number_templates["int" if isinstance(value, int) else "number"]))
            else:
                text = value or ""
                wide = display_width(text) > final[col] - 1 or "\n" in text
                cell = _styled(ws, text, wrapped if column.wrap or wide else plain, text=True)
                if text[:1] in "=+-@" and text:
                    cell.quotePrefix = True  # editing the cell in Excel keeps it text
                cells.append(cell)
                if wide:
                    lines = max(lines, _lines(text, final[col]))
        if lines > 1:
            ws.row_dimensions[HEADER_ROW + index].height = lines * LINE_PT + 3
        ws.append(cells)
    if reg.note:
        ws.append([])
        ws.merged_cells.add(f"A{last_row + 2}:{last}{last_row + 2}")
        ws.append([_styled(ws, reg.note, _template(ws, font=Font(name=FONT_NAME, size=10)))])


def _shown(value) -> str:
    """How a typed value reads in its cell, for widths."""
    if isinstance(value, Percent):
        return f"{value * 100:.1f}%"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)
