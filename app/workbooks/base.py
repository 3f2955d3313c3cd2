"""What every workbook reader shares: the caps, the grid a sheet is read into, and the refusals.

The caps bound what a read may cost whatever the file holds: the readers stream their input and
put each cell through `SheetGrid.put`, which refuses the workbook the moment a cap is passed (so
time is bounded too). Within the caps a read takes seconds and well under 500 MB (measured by
tests/bench/workbooks.py).
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any

from app.common.errors import AppError

# A subdistrict's roster has ~100 rows and ~20 columns; a district's a few thousand rows. These
# leave room for both several times over, and for a second sheet or two beside the roster.
MAX_ROWS = 20_000  # rows, all sheets together (a row counts up to a sheet's last filled row)
MAX_COLS = 200  # columns of one sheet
MAX_CELLS = 1_000_000  # filled cells, all sheets together
MAX_MERGED = 20_000  # merged ranges, all sheets together
MAX_CELL_PARTS = 2_000  # XML elements inside one cell (rich-text runs, paragraphs)
MAX_PARSED = 48 << 20  # XML read (.xlsx, .ods): what a read's time grows with (a roster at the row cap needs ~30 MB)
MAX_UNPACKED = 200 << 20  # everything in the zip, pictures included (never read)
MAX_RATIO = 100  # a member's unpacked size against its packed size (a zip bomb)
MAX_MEMBERS = 5_000
MAX_OLE = 64 << 20  # an .xls is read whole

SAVE_AS = "请在 Excel 或 WPS 中打开它，“另存为”Excel 工作簿（.xlsx）后再导入"
KEEP_ROSTER = "请只保留花名册所在的工作表和其中的行、列，另存后再导入"


@dataclass
class Sheet:
    title: str
    grid: list[list]  # row by row, 0-based, every row as wide as the sheet's widest
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, max_row, min_col, max_col (1-based)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based


def broken(name: str, why: str = "") -> AppError:
    return AppError(f"“{name}”已损坏，无法读取{f'（{why}）' if why else ''}。{SAVE_AS}")


def too_large(name: str, title: str, rows: int, cols: int) -> AppError:
    return AppError(f"“{name}”的工作表“{title}”使用范围过大（至少 {rows} 行 × {cols} 列，上限 {MAX_ROWS} 行 × "
                    f"{MAX_COLS} 列）。多半是表格末尾有空白的格式或很远处有一个单元格：请删除多余的行和列后另存，再导入")


class Reading:
    """One workbook being read: what its sheets have used of the caps so far."""

    def __init__(self, name: str):
        self.name = name
        self.rows = 0  # of the sheets finished
        self.cells = 0
        self.merged = 0
        self.sheets: list[Sheet] = []

    def sheet(self, title: str) -> SheetGrid:
        return SheetGrid(self, title)


class SheetGrid:
    """A sheet's filled cells as they stream in (in any order), then its grid."""

    def __init__(self, reading: Reading, title: str):
        self.reading = reading
        self.title = title
        self.rows: dict[int, list] = {}
        self.height = 0
        self.width = 0
        self.merged: list[tuple[int, int, int, int]] = []
        self.formulas: set[tuple[int, int]] = set()

    def put(self, row: int, col: int, value: Any, formula: bool = False, counted: bool = False) -> None:
        """Cell (row, col), 0-based. An empty cell is no cell (unless it holds a formula).
        `counted`: the reader has counted it already (`count`), before reading its value."""
        if (value is None or value == "") and not formula:
            return
        reading = self.reading
        if col >= MAX_COLS or row < 0 or col < 0 or reading.rows + row >= MAX_ROWS:
            self._check_place(row, col)  # raises, naming which cap
        if not counted:
            reading.cells += 1
            if reading.cells > MAX_CELLS:
                self.count(row, col)  # raises
        cells = self.rows.get(row)
        if cells is None:
            cells = self.rows[row] = []
        if col >= len(cells):
            cells.extend([None] * (col + 1 - len(cells)))
        cells[col] = value
        if formula:
            self.formulas.add((row, col))
        if row >= self.height:
            self.height = row + 1
        if col >= self.width:
            self.width = col + 1

    def count(self, row: int, col: int) -> None:
        """One more filled cell at (row, col): refused the moment it passes a cap."""
        self._check_place(row, col)
        reading = self.reading
        reading.cells += 1
        if reading.cells > MAX_CELLS:
            raise AppError(f"“{reading.name}”中填写了内容的单元格超过 {MAX_CELLS} 个，不像花名册。{KEEP_ROSTER}")

    def _check_place(self, row: int, col: int) -> None:
        reading = self.reading
        if row < 0 or col < 0:
            raise broken(reading.name, "单元格位置无效")
        if col >= MAX_COLS or row >= MAX_ROWS:
            raise too_large(reading.name, self.title, max(row + 1, self.height), max(col + 1, self.width))
        if reading.rows + row >= MAX_ROWS:
            raise AppError(f"“{reading.name}”的各工作表合计超过 {MAX_ROWS} 行（到工作表“{self.title}”第 {row + 1} 行），"
                           f"不像花名册（一个区的花名册也只有几千行）。{KEEP_ROSTER}")

    def merge(self, min_row: int, max_row: int, min_col: int, max_col: int) -> None:
        """A merged range, 1-based and inclusive."""
        self.reading.merged += 1
        if self.reading.merged > MAX_MERGED:
            raise AppError(f"“{self.reading.name}”中的合并单元格超过 {MAX_MERGED} 处，不像花名册。{KEEP_ROSTER}")
        if 1 <= min_row <= max_row and 1 <= min_col <= max_col:
            self.merged.append((min_row, max_row, min_col, max_col))

    def finish(self) -> Sheet:
        """The sheet as a grid as wide as its widest row; merged ranges cut to the grid (merges
        never overlap, so together they cover at most the grid: more is a crafted file)."""
        height, width = self.height, self.width
        merged = [(a, min(b, height), c, min(d, width)) for a, b, c, d in self.merged if a <= height and c <= width]
        if sum((b - a + 1) * (d - c + 1) for a, b, c, d in merged) > height * width:
            raise broken(self.reading.name, f"工作表“{self.title}”的合并单元格互相重叠")
        grid = []
        for row in range(height):
            cells = self.rows.pop(row, None) or []
            cells.extend([None] * (width - len(cells)))
            grid.append(cells)
        self.reading.rows += height
        sheet = Sheet(self.title, grid, merged, self.formulas)
        self.reading.sheets.append(sheet)
        return sheet


def check_zip(archive: zipfile.ZipFile, name: str) -> None:
    """Before anything is unpacked: the member count, the unpacked size and ratio (a zip bomb),
    and the XML that would be read (what a read's time grows with)."""
    infos = archive.infolist()
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or unpacked > MAX_UNPACKED or any(
            i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
        raise AppError(f"“{name}”解压后过大（{unpacked >> 20} MB）或压缩比异常，不像正常的花名册，拒绝读取")
    parsed = sum(i.file_size for i in infos if _is_xml(archive, i))
    if parsed > MAX_PARSED:
        raise AppError(f"“{name}”解压后的表格内容过大（{parsed >> 20} MB，上限 {MAX_PARSED >> 20} MB），"
                       f"不像正常的花名册，拒绝读取。{KEEP_ROSTER}")


def _is_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member is XML (which a reader may parse) rather than a picture or other binary,
    told by its first bytes, not its name."""
    if info.is_dir() or info.file_size == 0:
        return False
    with archive.open(info) as handle:
        head = handle.read(64)
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    head = head.lstrip(b" \t\r\n\x00")
    return head.startswith(b"<")


def open_ole(source, name: str):
    """An OLE2 compound file, by olefile: it checks the sector chains (a crafted chain that loops
    would have xlrd's own reader grow without end)."""
    import olefile

    if hasattr(source, "seek"):
        source.seek(0)
        header = source.read(512)
        source.seek(0)
    else:
        with open(source, "rb") as handle:
            header = handle.read(512)
    # Sectors of 512 or 4096 bytes, mini sectors of 64: any other size is a crafted header
    # (olefile would try to read a sector of its size in one go).
    if len(header) < 512 or struct.unpack_from("<HH", header, 30) not in ((9, 6), (12, 6)):
        raise broken(name, "复合文档结构无效")
    try:
        return olefile.OleFileIO(source)
    except (OSError, ValueError, IndexError, KeyError, struct.error, ArithmeticError, RecursionError, MemoryError):
        raise broken(name, "复合文档结构无效") from None


def local_name(name: str) -> str:
    """An XML name without its namespace (transitional and strict OOXML alike)."""
    return name[name.rfind("}") + 1:]


class XmlReader:
    """A part read by expat as it streams: no tree is built, so memory stays flat whatever the
    part's size, and each element costs a callback or two. Subclasses define `start(name, attrs)`,
    `end(name)` and `text(data)`; names come as "namespace}local"."""

    def start(self, name: str, attrs: dict) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass

    def read(self, archive: zipfile.ZipFile, part: str) -> None:
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        # Workbook XML never declares a DTD: one is a crafted file (entity expansion), refused.
        parser.StartDoctypeDeclHandler = _no_dtd
        parser.EntityDeclHandler = _no_dtd
        with archive.open(part) as source:
            while chunk := source.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)


def _no_dtd(*args) -> None:
    raise ValueError("a DTD in workbook XML")
