"""Reading an .xlsx (Excel 2007 on, WPS) as a stream: each part's XML goes through expat once,
element by element, and only the cells' values are kept. Formula cells are marked (their cached
result is not what the clerk typed)."""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from app.workbooks.base import MAX_CELL_PARTS, Reading, Sheet, SheetGrid, XmlReader, broken, check_zip, local_name

# Built-in number formats that show a date: 14–22, and the Chinese/Japanese ones 27–36 and 50–58.
DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(50, 59))


def read_xlsx(path: Path, reading: Reading) -> list[Sheet]:
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise broken(name, "不是完整的 .xlsx 文件") from None
    with archive:
        try:
            check_zip(archive, name)
            return _read(archive, reading)
        except (ExpatError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, NotImplementedError,
                RecursionError, OSError, RuntimeError) as exc:  # RuntimeError: a member flagged as encrypted
            raise broken(name, f"内部结构已损坏：{type(exc).__name__}") from None


def _read(archive: zipfile.ZipFile, reading: Reading) -> list[Sheet]:
    members = {n.lower(): n for n in archive.namelist()}

    def part(name: str | None) -> str | None:
        return members.get(name.lower()) if name else None

    book_part = next((target for kind, target in _Relations.of(archive, part("_rels/.rels"), "").values()
                      if kind.endswith("/officeDocument")), "xl/workbook.xml")
    folder, file = posixpath.split(book_part)
    relations = _Relations.of(archive, part(posixpath.join(folder, "_rels", f"{file}.rels")), folder)
    book = _Workbook()
    book.read(archive, part(book_part) or book_part)
    related = {kind.rpartition("/")[2]: target for kind, target in relations.values()}
    strings, styles = _SharedStrings(), _Styles()
    for reader, kind in ((strings, "sharedStrings"), (styles, "styles")):
        found = part(related.get(kind))
        if found:
            reader.read(archive, found)
    dates = styles.date_styles()
    for title, rel_id in book.sheets:
        kind, target = relations.get(rel_id, ("", ""))
        sheet_part = part(target)
        if kind.endswith("/worksheet") and sheet_part:  # chart sheets hold no cells
            grid = reading.sheet(title)
            _SheetCells(grid, strings.items, dates, book.date1904).read(archive, sheet_part)
            grid.finish()
    return reading.sheets


class _Relations(XmlReader):
    """Id -> (type, target part) of a .rels part; targets made paths within the package."""

    def __init__(self, base: str):
        self.base = base
        self.found: dict[str, tuple[str, str]] = {}

    @classmethod
    def of(cls, archive, part: str | None, base: str) -> dict[str, tuple[str, str]]:
        reader = cls(base)
        if part:
            reader.read(archive, part)
        return reader.found

    def start(self, name, attrs):
        if local_name(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(self.base, target))
            self.found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)


class _Workbook(XmlReader):
    def __init__(self):
        self.sheets: list[tuple[str, str]] = []  # (title, relationship id), in the workbook's order
        self.date1904 = False

    def start(self, name, attrs):
        tag = local_name(name)
        if tag == "sheet":
            rel_id = next((value for key, value in attrs.items() if "}" in key and local_name(key) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rel_id))
        elif tag == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _Text(XmlReader):
    """The text of string items (<si>, a cell's <is>): their <t>, their runs' <t>; the phonetic
    guides (<rPh>) left out."""

    def __init__(self):
        self.capturing = False
        self.phonetic = 0
        self.pieces: list[str] = []

    def text_start(self, tag: str) -> None:
        if tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and not self.phonetic:
            self.capturing = True

    def text_end(self, tag: str) -> None:
        if tag == "rPh":
            self.phonetic -= 1
        elif tag == "t":
            self.capturing = False

    def text(self, data):
        if self.capturing:
            self.pieces.append(data)

    def take(self) -> str:
        value = "".join(self.pieces)
        self.pieces = []
        return value


class _SharedStrings(XmlReader):
    """The shared string table: each <si>'s text (see `_Text`), names compared whole for speed."""

    def __init__(self):
        self.items: list[str] = []
        self.parts = 0
        self.pieces: list[str] = []
        self.capturing = False
        self.phonetic = 0
        self.names: dict[str, str] = {}

    def start(self, name, attrs):
        if not self.names:
            space = name[: name.rfind("}") + 1]  # the root's namespace
            self.names = {space + tag: tag for tag in ("si", "t", "rPh")}
        tag = self.names.get(name)
        if tag == "t":
            self.capturing = not self.phonetic
        elif tag == "si":
            self.parts = 0
            return
        elif tag == "rPh":
            self.phonetic += 1
        self.parts += 1
        if self.parts > MAX_CELL_PARTS:
            raise ValueError("too many elements in one string")

    def text(self, data):
        if self.capturing:
            self.pieces.append(data)

    def end(self, name):
        tag = self.names.get(name)
        if tag == "t":
            self.capturing = False
        elif tag == "si":
            self.items.append(self.pieces[0] if len(self.pieces) == 1 else "".join(self.pieces))
            self.pieces = []
        elif tag == "rPh":
            self.phonetic -= 1


class _Styles(XmlReader):
    def __init__(self):
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []  # each cell style's number format
        self.in_cell_xfs = False

    def start(self, name, attrs):
        tag = local_name(name)
        if tag == "numFmt":
            self.custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_xfs = True
        elif tag == "xf" and self.in_cell_xfs:
            self.formats.append(_int(attrs.get("numFmtId")))

    def end(self, name):
        if local_name(name) == "cellXfs":
            self.in_cell_xfs = False

    def date_styles(self) -> set[int]:
        """The cell styles whose number format shows a date."""
        from openpyxl.styles.numbers import is_date_format

        return {index for index, fmt in enumerate(self.formats)
                if (is_date_format(self.custom[fmt]) if fmt in self.custom else fmt in DATE_FORMAT_IDS)}


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return -1


_COLUMNS: dict[str, int] = {}


def _position(ref: str) -> tuple[int, int] | None:
    """'B3' -> (2, 1), 0-based; None if it is not a cell reference."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    col = _COLUMNS.get(letters)
    if col is None:
        if not (letters.isalpha() and letters.isascii() and len(letters) <= 3):
            return None
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        _COLUMNS[letters] = col
    if not digits or len(digits) > 8:
        return None
    return int(digits) - 1, col - 1


class _SheetCells(_Text):
    """A worksheet's cells into the grid, and its merged ranges. The hot path of a read: names are
    compared whole (expat hands out the same string object for a name each time), and an empty
    formatted cell costs next to nothing."""

    def __init__(self, grid: SheetGrid, strings: list[str], dates: set[int], date1904: bool):
        from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

        super().__init__()
        self.grid = grid
        self.strings = strings
        self.dates = dates
        self.epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        self.row = self.col = -1
        self.cell: dict | None = None  # the attributes of the cell being read
        self.parts = 0
        self.value: str | None = None
        self.formula: str | None = None
        self.inline = False
        self.target: list[str] | None = None  # where <v> or <f> text goes
        self.names: dict[str, str] = {}  # namespaced name -> local name, for the few that matter
        self.ref = ""  # the place an empty cell named (resolved only if a next cell names none)

    def _names(self, root: str) -> None:
        space = root[: root.rfind("}") + 1]
        self.names = {space + tag: tag for tag in ("c", "v", "f", "is", "row", "mergeCell")}

    def start(self, name, attrs):
        if not self.names:
            self._names(name)
        tag = self.names.get(name)
        if self.cell is not None:
            self.parts += 1
            if self.parts > MAX_CELL_PARTS:
                raise ValueError("too many elements in one cell")
            if tag == "v" or tag == "f":
                self.target = []
                if tag == "f":
                    self.formula = ""
            elif tag == "is":
                self.inline = True
            elif self.inline:
                self.text_start(local_name(name))
        elif tag == "c":
            self.cell = attrs
            self.parts = 0
        elif tag == "row":
            given = attrs.get("r", "")
            self.row = int(given) - 1 if given.isdigit() and len(given) <= 8 else self.row + 1
            self.col = -1
        elif tag == "mergeCell":
            refs = [_position(ref) for ref in attrs.get("ref", "").split(":")]
            first, last = (refs[0], refs[-1]) if len(refs) == 2 else (None, None)
            if first and last:
                self.grid.merge(first[0] + 1, last[0] + 1, first[1] + 1, last[1] + 1)

    def text(self, data):
        if self.target is not None:
            self.target.append(data)
        elif self.capturing:
            self.pieces.append(data)

    def end(self, name):
        if self.cell is None:
            return
        tag = self.names.get(name)
        if tag == "c":
            if self.value is not None or self.formula is not None or self.inline:
                self._cell()
            elif "r" in self.cell:
                self.ref = self.cell["r"]  # empty: only its place matters, to a next cell naming none
                self.col = -2
            else:
                self._resolve()
                self.col += 1
            self.cell, self.value, self.formula, self.inline = None, None, None, False
        elif tag == "v" or tag == "f":
            if self.target is not None:
                if tag == "v":
                    self.value = "".join(self.target)
                else:
                    self.formula = "".join(self.target)
            self.target = None
        elif self.inline:
            self.text_end(local_name(name))

    def _resolve(self) -> None:
        """The column of the last cell, when it was an empty one that named its place."""
        if self.col == -2:
            after = _position(self.ref)
            self.col = after[1] if after else -1

    def _cell(self) -> None:
        cell = self.cell or {}
        at = _position(cell.get("r", ""))
        if at is None:
            self._resolve()
        self.row, self.col = at if at else (self.row, self.col + 1)
        kind = cell.get("t", "n")
        value = self.take() if kind == "inlineStr" else self._typed(kind, cell)
        formula = self.formula
        if formula is not None and (value is None or value == ""):
            value = f"={formula}"  # never calculated (written by a program): its text
        self.grid.put(self.row, self.col, value, formula=formula is not None)

    def _typed(self, kind: str, cell: dict) -> Any:
        text = self.value
        if text is None:
            return None
        if kind == "str":
            return text
        text = text.strip()
        try:
            if kind == "s":
                index = int(text)
                return self.strings[index] if 0 <= index < len(self.strings) else None
            if kind == "b":
                return text in ("1", "true")
            if kind == "d":
                return datetime.fromisoformat(text)
            if kind != "n":
                return None  # "e": an error value
            number = float(text) if any(ch in text for ch in ".eE") else int(text)
            if _int(cell.get("s")) in self.dates:
                from openpyxl.utils.datetime import from_excel

                return from_excel(number, self.epoch)
            return number
        except (ValueError, OverflowError):
            return None
