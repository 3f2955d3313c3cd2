"""Reading an .ods (LibreOffice Calc, WPS's OpenDocument) as a stream: content.xml through expat
once, keeping only the cells' values. Repeated rows and cells (LibreOffice writes a sheet's empty
tail as one row repeated a million times) are expanded only when they hold something, and then
within the caps. A cell with a `table:formula` is a formula, whatever its cached value."""

from __future__ import annotations

import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path
from xml.parsers.expat import ExpatError

from app.common.errors import AppError
from app.workbooks.base import MAX_CELL_PARTS, Reading, Sheet, SheetGrid, XmlReader, broken, check_zip, local_name

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CELL, COVERED, ROW = TABLE + "table-cell", TABLE + "covered-table-cell", TABLE + "table-row"
SPREADSHEET = b"application/vnd.oasis.opendocument.spreadsheet"


def is_ods(archive: zipfile.ZipFile) -> bool:
    try:
        with archive.open("mimetype") as handle:
            return handle.read(len(SPREADSHEET) + 10).strip().startswith(SPREADSHEET)
    except (KeyError, OSError, zipfile.BadZipFile):
        return False


def read_ods(path: Path, reading: Reading) -> list[Sheet]:
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise broken(name, "不是完整的 .ods 文件") from None
    with archive:
        try:
            check_zip(archive, name)
            manifest = _Manifest()
            if "META-INF/manifest.xml" in archive.namelist():
                manifest.read(archive, "META-INF/manifest.xml")
            if manifest.encrypted:
                raise AppError(f"“{name}”设置了打开密码（已加密）。请在 WPS 或 LibreOffice 中输入密码打开，"
                               "取消密码后另存为 .xlsx 或 .ods，再导入")
            _Content(reading).read(archive, "content.xml")
        except (ExpatError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, NotImplementedError,
                RecursionError, OSError, RuntimeError) as exc:  # RuntimeError: a member flagged as encrypted
            raise broken(name, f"内部结构已损坏：{type(exc).__name__}") from None
    return reading.sheets


class _Manifest(XmlReader):
    encrypted = False

    def start(self, name, attrs):
        if local_name(name) == "encryption-data":
            self.encrypted = True


def _count(attrs: dict, attribute: str, limit: int = 1 << 20) -> int:
    try:
        return max(1, min(int(attrs.get(attribute, "1")), limit))
    except ValueError:
        return 1


def _cell_value(attrs: dict, text: str):
    kind = attrs.get(OFFICE + "value-type")
    if kind in ("float", "percentage", "currency"):
        try:
            number = float(attrs.get(OFFICE + "value", ""))
        except ValueError:
            return text or None
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if kind == "date":
        raw = attrs.get(OFFICE + "date-value", "")
        try:
            return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
        except ValueError:
            return text or None
    if kind == "boolean":
        return attrs.get(OFFICE + "boolean-value", "").lower() == "true"
    if kind == "string" and attrs.get(OFFICE + "string-value") is not None:
        return attrs.get(OFFICE + "string-value")
    return text


class _Content(XmlReader):
    def __init__(self, reading: Reading):
        self.reading = reading
        self.grid: SheetGrid | None = None
        self.row = self.col = 0
        self.cells: list[tuple[int, int, object, bool, int, int]] = []  # col, repeated, value, formula, spans
        self.depth = 0  # within a cell (a table inside a cell is part of that cell's content)
        self.cell: dict = {}
        self.row_attrs: dict = {}
        self.parts = 0
        self.paragraphs: list[list[str]] = []
        self.in_paragraph = 0
        self.hidden = 0  # within an annotation (a comment): not the cell's text

    def start(self, name, attrs):
        if self.depth:
            self.parts += 1
            if self.parts > MAX_CELL_PARTS:
                raise ValueError("too many elements in one cell")
            if name == CELL or name == COVERED:
                self.depth += 1
            elif self.depth > 1 or self.hidden or name in (OFFICE + "annotation", TEXT + "note"):
                self.hidden += name in (OFFICE + "annotation", TEXT + "note")
            elif name == TEXT + "p" or name == TEXT + "h":
                self.paragraphs.append([])
                self.in_paragraph += 1
            elif self.in_paragraph:
                if name == TEXT + "s":
                    self.paragraphs[-1].append(" " * _count(attrs, TEXT + "c", 1000))
                elif name == TEXT + "tab":
                    self.paragraphs[-1].append("\t")
                elif name == TEXT + "line-break":
                    self.paragraphs[-1].append("\n")
            return
        if name == CELL or name == COVERED:
            self.depth, self.cell, self.parts, self.paragraphs, self.in_paragraph, self.hidden = 1, attrs, 0, [], 0, 0
        elif name == ROW:
            self.cells, self.col, self.row_attrs = [], 0, attrs
        elif name == TABLE + "table":
            self.grid, self.row = self.reading.sheet(attrs.get(TABLE + "name", "")), 0

    def text(self, data):
        if self.in_paragraph and not self.hidden and self.depth == 1:
            self.paragraphs[-1].append(data)

    def end(self, name):
        if self.depth:
            if name == CELL or name == COVERED:
                self.depth -= 1
                if not self.depth:
                    self._cell(name)
            elif name in (OFFICE + "annotation", TEXT + "note") and self.hidden:
                self.hidden -= 1
            elif (name == TEXT + "p" or name == TEXT + "h") and self.depth == 1 and not self.hidden:
                self.in_paragraph -= 1
            return
        if name == ROW:
            self._row()
        elif name == TABLE + "table" and self.grid is not None:
            self.grid.finish()
            self.grid = None

    def _cell(self, name: str) -> None:
        attrs = self.cell
        repeated = _count(attrs, TABLE + "number-columns-repeated")
        if name == CELL:  # a covered cell is hidden under a merged one, whose value covers it
            formula = attrs.get(TABLE + "formula")
            value = _cell_value(attrs, "\n".join("".join(p) for p in self.paragraphs))
            if formula is not None and (value is None or value == ""):
                value = formula  # never calculated: its text
            spans = (_count(attrs, TABLE + "number-rows-spanned"), _count(attrs, TABLE + "number-columns-spanned"))
            if value not in (None, "") or formula is not None or spans != (1, 1):
                self.cells.append((self.col, repeated, value, formula is not None, *spans))
        self.col += repeated

    def _row(self) -> None:
        repeated = _count(self.row_attrs, TABLE + "number-rows-repeated")
        grid = self.grid
        if not self.cells or grid is None:
            self.row += repeated
            return
        for _ in range(repeated):  # expanded only when it holds something: the caps stop it
            for first, times, value, formula, down, across in self.cells:
                for offset in range(times):
                    grid.put(self.row, first + offset, value, formula=formula)
                    if (down, across) != (1, 1):
                        grid.merge(self.row + 1, self.row + down, first + offset + 1, first + offset + across)
            self.row += 1
