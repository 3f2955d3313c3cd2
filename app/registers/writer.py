"""The one register writer every Excel register uses (DESIGN §6).

Merged title row, a unit/date line, a bold bordered header starting with 序号, frozen panes,
auto-filter, widths that fit Chinese text, row heights set for wrapped text, header rows
repeated on printed pages, "第 &P 页 共 &N 页" footer.

Printing: every printed page holds whole rows. The file keeps all of a register's columns (for
the screen, filtering and re-import); the columns a printed ledger needs come first and the
sheet's print area (Excel's 打印区域, which Excel, WPS and LibreOffice all honour) covers only
them, fitted to one page wide, landscape, on the office's paper (A4, or A3 set in 设置, which
prints more of the columns). Hiding columns would hide them on the screen too, and a second
"print" sheet would be a copy that goes stale the moment the clerk edits the first one.
The printed columns are fitted with the body at 9 pt or more as printed: wrapped columns are
narrowed towards their minimum first. Only a register that still does not fit (many columns
made from the data, such as one per joint-review unit) prints at 90 % on pages across, with 序号
and the identifying column repeated on each.

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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.common.fileio import atomic_path
from app.common.outputs import check_out
from app.common.textutil import display_width
from app.rules.codes import MARK
from app.rules.fields import as_day

FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ROW = 3


DATE_FORMAT, MONTH_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm", "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"
BODY_PT = 10.5
LINE_PT = 14.5  # one line of 10.5 pt 宋体 in a row
SIDE_MARGIN_IN = 0.4
# Paper (landscape) by the settings' code: its width in mm and openpyxl's paper size.
PAPERS = {"a4": (297, Worksheet.PAPERSIZE_A4), "a3": (420, Worksheet.PAPERSIZE_A3)}
# Excel sets a column-width unit at 7 px (5.25 pt); LibreOffice prints it 7 pt wide, so a sheet
# fitted for LibreOffice fits Excel and WPS too. Printable width of landscape paper, in units.
UNIT_PT = 7
LEGIBLE_SCALE = 9 / BODY_PT  # the smallest print scale at which the body stays at 9 pt
# LibreOffice fitting a sheet to one page wide may print it up to 4 % smaller than the width
# alone needs (it evens out the pages down): kept in hand.
FIT_SLACK = 0.95
ACROSS_SCALE = 90


def printable_units(paper: str = "a4") -> float:
    """Width units that print on one page of `paper` across (landscape, side margins off)."""
    width_mm = PAPERS[paper][0]
    return (width_mm / 25.4 - 2 * SIDE_MARGIN_IN) * 72 / UNIT_PT


def legible_units(paper: str = "a4") -> float:
    """The widest sheet (in units) that, fitted to one page of `paper` wide, keeps its body at 9 pt."""
    return printable_units(paper) * FIT_SLACK / LEGIBLE_SCALE


@dataclass(frozen=True)
class Column:
    """One column: its width range in Latin-character units (a Chinese character counts two),
    whether long text wraps, what kind of value it holds (text, int, percent, date, month,
    datetime, number) and on which paper it is printed: "a4" on any, "a3" only on A3, "" never
    (the file keeps it for the screen and for re-import)."""

    header: str
    key: str
    min_width: int = 6
    max_width: int = 40
    wrap: bool = False
    kind: str = "text"
    printed: str = "a4"

    def prints_on(self, paper: str) -> bool:
        return self.printed == "a4" or (self.printed == "a3" and paper == "a3")


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


def write_register(path: Path | str, *registers: Register, paper: str = "a4") -> Path:
    """Write one or more registers (one sheet each) atomically to `path`, set up to print on
    `paper` ("a4" or "a3", landscape).

    Sheets are streamed (openpyxl write-only): memory stays flat and 100,000-row ledgers
    are written at close to the raw library's speed.
    """
    check_out("register", path)
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    workbook = Workbook(write_only=True)
    for register in registers:
        _write_sheet(workbook.create_sheet(register.sheet_name[:31]), register, paper)
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


def _styled(ws, value, template: WriteOnlyCell, text: bool = False, own: bool = True) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if text:
        # Typed values stay text: "=1+1", "+86...", "0123" are never formulas or numbers.
        cell.data_type = TYPE_STRING
    # One style per template: a cell whose style is changed after (quotePrefix) gets its own copy,
    # as openpyxl copies styles; the body's cells, never changed, share the template's.
    cell._style = copy(template._style) if own else template._style
    return cell


def _stream(ws) -> None:
    """Let the streamed sheet take the cells appended as they are. openpyxl's write-only sheet
    tries each appended cell as a value first (an exception, and the cell's repr, per cell) and then
    makes a fresh cell for the next; ours are complete cells, placed here. Without the hook (another
    openpyxl) the sheet's own conversion runs, to the same file."""
    if not hasattr(ws, "_values_to_row"):
        return

    def cells_to_row(values, row_idx):
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(ws, cell)
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    ws._values_to_row = cells_to_row


def _lines(text: str, width: int) -> int:
    """Printed lines of `text` in a wrapped cell `width` units wide."""
    room = max(width - 1, 2)
    return sum(max(1, -(-display_width(part) // room)) for part in text.split("\n"))


def sheet_columns(reg: Register, paper: str = "a4") -> tuple[list[Column], int]:
    """The register's columns in sheet order, and how many of them (after 序号) print on `paper`:
    the printed ones first, in the register's order, then those the file keeps for the screen."""
    printed = [c for c in reg.columns if c.prints_on(paper)]
    return printed + [c for c in reg.columns if not c.prints_on(paper)], len(printed)


def _fit(widths: list[int], columns: list, budget: float) -> list[int]:
    """Narrow the wrapped columns among `columns` (None for 序号), widest first, down to one
    common width (never below a column's minimum) until the widths fit `budget`; as far as they go."""
    def narrowed(level: int) -> list[int]:
        return [min(w, max(level, c.min_width)) if c is not None and c.wrap else w
                for w, c in zip(widths, columns)]

    level = max(widths)
    while level > 0 and sum(narrowed(level)) > budget:
        level -= 1
    return narrowed(level)


def _write_sheet(ws, reg: Register, paper: str = "a4") -> None:
    _stream(ws)
    columns, printed = sheet_columns(reg, paper)
    headers = ["序号"] + [c.header for c in columns]
    ncols = len(headers)
    last = get_column_letter(ncols)
    values = [[typed(row.get(column.key), column.kind) for column in columns] for row in reg.rows]

    widths = [max(4, display_width("序号"))] + [display_width(c.header) for c in columns]
    for row in values:
        for col, value in enumerate(row, 1):
            value = _shown(value)
            if len(value) * 2 <= widths[col]:
                continue  # cannot be wider than what the column already has
            width = max(map(display_width, value.split("\n")))
            if width > widths[col]:
                widths[col] = width
    final = []
    for col, column in enumerate([None, *columns], 1):
        lo, hi = (4, 8) if column is None else (column.min_width, column.max_width)
        final.append(min(max(widths[col - 1] + 2, lo), hi))
    budget = legible_units(paper)
    final[:printed + 1] = _fit(final[:printed + 1], [None, *columns[:printed]], budget)
    for col, width in enumerate(final, 1):
        ws.column_dimensions[get_column_letter(col)].width = width

    last_row = HEADER_ROW + len(reg.rows)
    printed_last = get_column_letter(printed + 1)
    fits = sum(final[:printed + 1]) <= budget
    if fits:
        ws.merged_cells.add(f"A1:{printed_last}1")
        ws.merged_cells.add(f"A2:{printed_last}2")
    ws.freeze_panes = f"C{HEADER_ROW + 1}" if ncols > 2 else f"B{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{printed_last}{last_row + (2 if reg.note else 0)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPERS[paper][1]
    if fits:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
    else:
        ws.page_setup.scale = ACROSS_SCALE
        ws.page_setup.pageOrder = "overThenDown"  # a band's pages across come one after another
        ws.print_title_cols = "A:B"  # 序号 and the identifying column on every page across
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN_IN
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 12  # still 10.8 pt on pages printed at 90 %
    made_on = reg.made_on or date.today()
    unit_text = f"填报单位：{reg.unit}　　　　填报日期：{made_on.year}年{made_on.month}月{made_on.day}日"
    # A register narrower than its title or unit line (two or three columns) wraps them, merged
    # over its printed width, instead of cutting them off.
    span = sum(final[:printed + 1])
    title_text = reg.title
    title_lines = _lines(title_text, int(span * 11 / 16)) if fits else 1
    if title_lines > 1 and title_text.rfind("（") > 0:  # the （2025年） on a line of its own, never broken
        title_text = title_text[:title_text.rfind("（")] + "\n" + title_text[title_text.rfind("（"):]
        title_lines = _lines(title_text, int(span * 11 / 16))
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
    ws.append([*lead, _styled(ws, title_text, title)])
    ws.append([*lead, _styled(ws, unit_text, unit)])
    ws.append([_styled(ws, header, head) for header in headers])
    # A row is as tall as its printed cells need: a long text in a column only the file keeps
    # (wrapped, the rest shown when the row is made taller) would otherwise make the printed row
    # tall, as LibreOffice sizes a row without a height to all its cells.
    for index, row in enumerate(values, 1):
        cells = [_styled(ws, index, number_templates["int"], own=False)]
        lines, kept_wraps = 1, False
        for col, (column, value) in enumerate(zip(columns, row), 1):
            if isinstance(value, Percent):
                cells.append(_styled(ws, float(value), number_templates["percent"], own=False))
            elif isinstance(value, datetime):
                cells.append(_styled(ws, value, number_templates["datetime"], own=False))
            elif isinstance(value, date):
                cells.append(_styled(ws, value, number_templates["month" if column.kind == "month" else "date"],
                                     own=False))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(_styled(ws, value, number_templates["int" if isinstance(value, int) else "number"],
                                     own=False))
            else:
                text = value or ""
                # (display_width lies between len and twice len: asked only when that decides)
                room = final[col] - 1
                wide = "\n" in text or (len(text) * 2 > room and (len(text) > room or display_width(text) > room))
                formula_like = text[:1] in "=+-@" and bool(text)
                cell = _styled(ws, text, wrapped if column.wrap or wide else plain, text=True, own=formula_like)
                if formula_like:
                    cell.quotePrefix = True  # editing the cell in Excel keeps it text
                cells.append(cell)
                if wide and col <= printed:
                    lines = max(lines, _lines(text, final[col]))
                kept_wraps = kept_wraps or (wide and col > printed)
        if lines > 1 or kept_wraps:
            ws.row_dimensions[HEADER_ROW + index].height = lines * LINE_PT + 3
        ws.append(cells)
        ws.row_dimensions.pop(HEADER_ROW + index, None)  # written (streamed): memory stays flat
    if reg.note:  # under the table, over its printed width; a long note (a definition) wraps
        ws.append([])
        ws.merged_cells.add(f"A{last_row + 2}:{printed_last}{last_row + 2}")
        note_lines = _lines(reg.note, span)
        ws.row_dimensions[last_row + 2].height = max(1, note_lines) * LINE_PT + 4
        ws.append([_styled(ws, reg.note, _template(ws, font=Font(name=FONT_NAME, size=BODY_PT), alignment=Alignment(
            vertical="top", wrap_text=note_lines > 1)))])


def _shown(value) -> str:
    """How a typed value reads in its cell, for widths."""
    if isinstance(value, Percent):
        return f"{value * 100:.1f}%"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)
