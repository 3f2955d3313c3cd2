"""Workbooks as clerks have them, read safely: .xlsx (Excel 2007 on, WPS) and .xls (Excel 97–2003,
what WPS still saves), each sheet as a grid of values with its merged ranges and formula cells.

Everything is checked before a sheet is loaded, within seconds and small memory: the zip's
unpacked size, its compression ratio and member count (a zip bomb), each sheet's used range
(one cell at XFD1048576 would make a grid of 17 billion cells), an encrypted workbook, broken
XML. Each refusal says in Chinese what to do.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AppError

MAX_ROWS = 50_000  # a subdistrict's roster has ~100 rows; a district's a few thousand
MAX_COLS = 200
MAX_UNPACKED = 200 << 20
MAX_RATIO = 100
MAX_MEMBERS = 5_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an .xlsx with an opening password
SAVE_AS = "请在 Excel 或 WPS 中打开它，“另存为”Excel 工作簿（.xlsx）后再导入"
OTHER_FORMATS = {".et": "WPS 表格（.et）", ".ett": "WPS 表格模板", ".ods": "OpenDocument 表格（.ods）",
                 ".csv": "CSV 文本", ".txt": "文本文件", ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿（.xlsb）"}


@dataclass
class Sheet:
    title: str
    grid: list[list]  # row by row, 0-based; formulas as their text
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, max_row, min_col, max_col (1-based)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based


def read_sheets(path: Path | str) -> list[Sheet]:
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix in OTHER_FORMATS:
        raise AppError(f"“{name}”是{OTHER_FORMATS[suffix]}，不能直接导入。{SAVE_AS}")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        from .errors import environmental

        raise (environmental(exc) or exc) from None
    if head.startswith(OLE_MAGIC):
        if suffix in (".xlsx", ".xlsm"):
            raise AppError(f"“{name}”设置了打开密码（已加密）。请在 Excel 或 WPS 中输入密码打开，"
                           "取消密码后另存为 .xlsx，再导入")
        return _read_xls(path)
    if not head.startswith(b"PK"):
        raise AppError(f"“{name}”不是 Excel 文件（可能已损坏，或只是改了扩展名）。{SAVE_AS}")
    return _read_xlsx(path)


def _cell(ref: str) -> tuple[int, int]:
    """'XFD1048576' -> (row, column)."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d{1,7})", ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _too_large(name: str, title: str, rows: int, cols: int) -> AppError:
    return AppError(f"“{name}”的工作表“{title}”使用范围过大（{rows} 行 × {cols} 列，上限 {MAX_ROWS} 行 × "
                    f"{MAX_COLS} 列）。多半是表格末尾有空白的格式或很远处有一个单元格：请删除多余的行和列后另存，再导入")


def _read_xlsx(path: Path) -> list[Sheet]:
    from xml.etree.ElementTree import ParseError

    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise AppError(f"“{name}”已损坏，无法读取（不是完整的 .xlsx 文件）。{SAVE_AS}") from None
    with archive:
        infos = archive.infolist()
        unpacked = sum(i.file_size for i in infos)
        if len(infos) > MAX_MEMBERS or unpacked > MAX_UNPACKED or any(
                i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
            raise AppError(f"“{name}”解压后过大（{unpacked >> 20} MB）或压缩比异常，不像正常的花名册，拒绝读取")
        for info in infos:  # each sheet's used range, from the first bytes of its XML
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as handle:
                    start = handle.read(4096).decode("utf-8", "replace")
                m = re.search(r'<(?:\w+:)?dimension ref="([^"]+)"', start)
                if m:
                    rows, cols = _cell(m.group(1).split(":")[-1])
                    if rows > MAX_ROWS or cols > MAX_COLS:
                        raise _too_large(name, Path(info.filename).stem, rows, cols)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, data_only=False)
    except (ParseError, SyntaxError, ValueError, KeyError, TypeError, InvalidFileException, zipfile.BadZipFile,
            RecursionError) as exc:
        raise AppError(f"“{name}”内部结构已损坏，无法读取（{type(exc).__name__}）。{SAVE_AS}") from None
    sheets = []
    for ws in workbook.worksheets:
        if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLS:
            raise _too_large(name, ws.title, ws.max_row, ws.max_column)
        grid, formulas = [], set()
        for r, row in enumerate(ws.iter_rows()):
            values = []
            for c, cell in enumerate(row):
                if cell.data_type == "f":
                    formulas.add((r, c))
                    values.append(str(cell.value.text if hasattr(cell.value, "text") else cell.value))
                else:
                    values.append(cell.value)
            grid.append(values)
        merged = [(m.min_row, m.max_row, m.min_col, m.max_col) for m in ws.merged_cells.ranges]
        sheets.append(Sheet(ws.title, grid, merged, formulas))
    return sheets


def _read_xls(path: Path) -> list[Sheet]:
    import xlrd

    name = path.name
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise AppError(f"“{name}”设置了打开密码（已加密）。请在 Excel 或 WPS 中输入密码打开，"
                           "取消密码后另存为 .xlsx，再导入") from None
        raise AppError(f"“{name}”已损坏，无法读取（{exc}）。{SAVE_AS}") from None
    except (OSError, ValueError, IndexError, KeyError, AssertionError, UnicodeDecodeError, RecursionError) as exc:
        raise AppError(f"“{name}”已损坏，无法读取（{type(exc).__name__}）。{SAVE_AS}") from None
    sheets = []
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            if ws.nrows > MAX_ROWS or ws.ncols > MAX_COLS:
                raise _too_large(name, ws.name, ws.nrows, ws.ncols)
            grid = []
            for r in range(ws.nrows):
                row = []
                for c in range(ws.ncols):
                    kind, value = ws.cell_type(r, c), ws.cell_value(r, c)
                    if kind == xlrd.XL_CELL_DATE:
                        try:
                            value = xlrd.xldate_as_datetime(value, book.datemode)
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            value = None
                    elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        value = None
                    elif kind == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                        value = int(value)
                    row.append(value)
                grid.append(row)
            # xlrd's ranges are 0-based and end-exclusive
            merged = [(rlo + 1, rhi, clo + 1, chi) for rlo, rhi, clo, chi in ws.merged_cells]
            sheets.append(Sheet(ws.name, grid, merged))
    finally:
        book.release_resources()
    return sheets
