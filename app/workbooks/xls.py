"""Reading an .xls (Excel 97–2003, what WPS still saves; Excel 95 too): xlrd reads the values, and
a pass over each sheet's BIFF records of our own, made first, finds what xlrd does not say: which
cells are formulas (xlrd gives only their cached results), the merged ranges, and whether the
sheet is within the caps before xlrd builds it."""

from __future__ import annotations

import io
from pathlib import Path
from struct import error as StructError
from struct import unpack_from

from app.common.errors import AppError
from app.workbooks.base import SAVE_AS, Reading, Sheet, SheetGrid, broken, open_ole

BOF = (0x0809, 0x0409, 0x0209, 0x0009)
EOF = 0x000A
FORMULA = (0x0006, 0x0206, 0x0406)
# Records of one cell each: NUMBER, RK, LABELSST, LABEL, RSTRING, BOOLERR.
CELL = (0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205)
MULRK = 0x00BD
MERGEDCELLS = 0x00E5


def read_xls(path: Path, reading: Reading) -> list[Sheet]:
    import xlrd

    name = path.name
    # The workbook stream taken out by olefile (which checks the file's sector chains), handed
    # to xlrd as a bare BIFF stream.
    with open_ole(str(path), name) as ole:
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        try:
            data = ole.openstream(stream).read()
        except (OSError, ValueError, IndexError, KeyError, StructError, ArithmeticError):
            raise broken(name, "复合文档结构无效") from None
    if not data:
        raise broken(name, "工作簿数据为空")
    sink = io.StringIO()  # xlrd's notes about odd files are for developers, not the clerk's screen
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=sink)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise AppError(f"“{name}”设置了打开密码（已加密）。请在 Excel 或 WPS 中输入密码打开，"
                           "取消密码后另存为 .xlsx，再导入") from None
        raise broken(name, str(exc)) from None
    except (OSError, ValueError, AssertionError, LookupError, RecursionError, StructError,
            ArithmeticError) as exc:  # LookupError: a code page no encoding has (UnicodeDecodeError is a ValueError)
        raise broken(name, type(exc).__name__) from None
    try:
        if book.biff_version < 50:
            raise AppError(f"“{name}”是 Excel 4.0 或更早版本的文件。{SAVE_AS}")
        for index in range(book.nsheets):
            grid = reading.sheet(book.sheet_names()[index])
            start = book._sh_abs_posn[index]
            if not 0 <= start < len(book.mem):
                raise broken(name, "工作表的位置无效")
            try:
                formulas = _scan(book.mem, start, grid)
            except StructError:
                raise broken(name, "工作表的记录不完整") from None
            try:
                ws = book.sheet_by_index(index)
            except (xlrd.XLRDError, ValueError, LookupError, AssertionError, RecursionError, StructError,
                    ArithmeticError) as exc:
                raise broken(name, type(exc).__name__) from None
            _cells(ws, book.datemode, grid, formulas)
            book.unload_sheet(index)
            grid.finish()
    finally:
        book.release_resources()
    return reading.sheets


def _scan(mem, start: int, grid: SheetGrid) -> set[tuple[int, int]]:
    """One sheet's records from its BOF to its EOF (an embedded chart's BOF…EOF nested inside is
    skipped): its formula cells and merged ranges; each cell is counted against the caps, so an
    oversized sheet is refused before xlrd builds it."""
    formulas: set[tuple[int, int]] = set()
    end = len(mem)
    depth = 0
    position = start
    while position + 4 <= end:
        code, length = unpack_from("<HH", mem, position)
        data = position + 4
        position = data + length
        if position > end:
            break
        if code in BOF:
            depth += 1
            continue
        if code == EOF:
            depth -= 1
            if depth <= 0:
                break
            continue
        if depth != 1 or length < 4:
            continue
        if code in FORMULA or code in CELL:
            row, col = unpack_from("<HH", mem, data)
            if code in FORMULA:
                formulas.add((row, col))
            grid.count(row, col)
        elif code == MULRK and length >= 6:
            row, first = unpack_from("<HH", mem, data)
            (last,) = unpack_from("<H", mem, position - 2)
            for col in range(first, min(last, first + 256) + 1):
                grid.count(row, col)
        elif code == MERGEDCELLS and length >= 2:
            (count,) = unpack_from("<H", mem, data)
            for index in range(min(count, (length - 2) // 8)):
                top, bottom, left, right = unpack_from("<HHHH", mem, data + 2 + 8 * index)
                grid.merge(top + 1, bottom + 1, left + 1, right + 1)
    return formulas


def _cells(ws, datemode: int, grid: SheetGrid, formulas: set[tuple[int, int]]) -> None:
    import xlrd

    for r in range(ws.nrows):
        for c in range(ws.ncols):
            kind = ws.cell_type(r, c)
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) and (r, c) not in formulas:
                continue
            value = ws.cell_value(r, c)
            if kind == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate_as_datetime(value, datemode)
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    value = None
            elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                value = None
            elif kind == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                value = int(value)
            grid.put(r, c, value, formula=(r, c) in formulas, counted=True)
