"""A sheet as an office keeps it, read as a table of one kind of record.

What every import shares: finding the header row below title and 填报 lines, proposing which column
is which field from the header words clerks use (the clerk may change it), giving each data row its
values by field with the cell each came from, and leaving out what is not a record (blank rows,
小计/合计 rows, notes such as “注：…” or “（以下为下半年收集）”). Values a block of rows shares that
offices write only once (the community of a block of grids) are carried down.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from app.common.textutil import clean
from app.workbooks.base import Sheet

SUMMARY_WORDS = ("合计", "小计", "总计", "共计")
NOTE_STARTS = ("注：", "注:", "说明：", "说明:", "备注：", "备注:", "填报", "制表", "审核人", "填表")
HEADER_ROWS = 15  # the header is among a sheet's first rows (title, 填报单位, 填报时间 above it)


@dataclass(frozen=True)
class Field:
    """One field a kind of record takes from a sheet, and the header words that name it."""

    key: str
    label: str  # as the clerk reads it in the mapping and the verdicts
    headers: tuple[str, ...]  # spellings, compared after `norm_header`; the first is the label offices use
    fill_down: bool = False  # blank: the value of the row above (written once for a block of rows)
    identity: bool = False  # part of what names the record (the mapping must have one of them)


def norm_header(text) -> str:
    return _norm_header(text) if isinstance(text, str) else _norm_header(clean(text))


@lru_cache(maxsize=4096)
def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", clean(text))
    text = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")
    return re.sub(r"[*＊:：]+$", "", text.lstrip("*＊"))  # 必填 marks, a trailing colon


def column_letter(index: int) -> str:
    """0-based column index as Excel names it (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letter: str) -> int | None:
    letter = letter.strip().upper()
    if not letter or not letter.isascii() or not letter.isalpha():
        return None
    index = 0
    for ch in letter:
        index = index * 26 + ord(ch) - 64
    return index - 1


def propose(headings: list, fields: Iterable[Field]) -> dict[int, str]:
    """Column index -> field key, from the header words: an exact spelling first, then the longest
    spelling a heading contains (网格员姓名 holds 网格员); each field and column taken once."""
    fields = list(fields)
    normed = {col: norm_header(text) for col, text in enumerate(headings) if clean(text)}
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    exact = sorted((rank, col, f.key) for f in fields for rank, spelling in enumerate(f.headers)
                   for col, text in normed.items() if text == norm_header(spelling))
    for _, col, key in exact:  # a field's usual spelling before its looser ones (联系电话 after 网格员电话)
        if col not in mapping and key not in taken:
            mapping[col] = key
            taken.add(key)
    candidates = []  # (spelling length, col, key): longest first
    for col, text in normed.items():
        if col in mapping:
            continue
        found = [(len(spelled), col, f.key) for f in fields for spelled in map(norm_header, f.headers)
                 if len(spelled) >= 2 and spelled in text]
        # only the longest word a heading holds speaks for it (网格员姓名 is no 网格, even when the
        # 网格员 field is taken by another column)
        candidates += [c for c in found if c[0] == max(found)[0]]
    for _, col, key in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if col not in mapping and key not in taken:
            mapping[col] = key
            taken.add(key)
    return dict(sorted(mapping.items()))


def layout_key(kind: str, headings: list) -> str:
    """Names a file layout (its header words in order) so the clerk's mapping can be remembered."""
    words = "|".join(norm_header(h) for h in headings)
    return hashlib.sha256(f"{kind}:{words}".encode()).hexdigest()[:16]


@dataclass
class SourceRow:
    """A data row: each mapped field's value (None when blank) and the cell it came from."""

    sheet: str
    number: int  # 1-based, as Excel shows it
    values: dict
    cells: dict[str, str]  # field -> "C12"
    formulas: set[str] = field(default_factory=set)  # fields whose cell holds a formula

    def text(self, key: str) -> str:
        return clean(self.values.get(key))

    def cell(self, key: str) -> str:
        return self.cells.get(key, f"第 {self.number} 行")

    def day(self, key: str, label: str) -> date | None:
        """The field as a day (see `as_day`); a refusal names the cell."""
        try:
            return as_day(self.values.get(key), label)
        except BadValue as exc:
            raise BadValue(str(exc), key) from None

    def int(self, key: str, label: str) -> int | None:
        try:
            return as_int(self.values.get(key), label)
        except BadValue as exc:
            raise BadValue(str(exc), key) from None


@dataclass
class Table:
    """One sheet read as a kind's table."""

    sheet: str
    header_row: int  # 1-based
    headings: list[str]
    mapping: dict[int, str]
    rows: list[SourceRow]
    skipped: list[dict]  # rows left out, with why (小计, notes)
    guessed: bool = False  # the header row was guessed (its headings name too few fields): the clerk maps it


def filled(sheet: Sheet) -> list[list]:
    """The sheet's grid with every cell of a merged range holding the range's value."""
    grid = sheet.grid
    if not sheet.merged:
        return grid
    shown = [list(row) for row in grid]
    for min_row, max_row, min_col, max_col in sheet.merged:
        if min_row - 1 >= len(grid) or min_col - 1 >= len(grid[min_row - 1]):
            continue
        top = grid[min_row - 1][min_col - 1]
        for r in range(min_row - 1, min(max_row, len(shown))):
            row = shown[r]
            for c in range(min_col - 1, min(max_col, len(row))):
                row[c] = top
    return shown


def find_header(shown: list[list], fields: list[Field]) -> tuple[int, dict[int, str]] | None:
    """The first of the sheet's first rows whose words map the most fields (at least two, one of
    them naming the record)."""
    best: tuple[int, dict[int, str]] | None = None
    identity = {f.key for f in fields if f.identity}
    for index, row in enumerate(shown[:HEADER_ROWS]):
        texts = [v if isinstance(v, str) else None for v in row]
        mapping = propose(texts, fields)
        if len(mapping) >= 2 and identity & set(mapping.values()) and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def guess_header(shown: list[list]) -> int | None:
    """For a sheet whose headings name none of the fields: the row that looks like its header, for
    the clerk to map by hand — the first of the first rows with nearly as many different words as
    the wordiest of them (a title merged across the table, or 填报单位 and 填报日期, have one or two)."""
    counts = []
    for row in shown[:HEADER_ROWS]:
        words = {clean(v) for v in row if isinstance(v, str)} - {""}
        counts.append(len(words))
    most = max(counts, default=0)
    if most < 2:
        return None
    return next(index for index, count in enumerate(counts) if count >= max(2, most * 0.6))


_BLANKS = re.compile(r"\s+")  # (compiled once: every row of a file is asked whether it is a total or a note)
_TOTAL_SAID = re.compile(r"^.{0,12}(合计|小计|总计|共计)[：:]")
_BRACKETED = re.compile(r"[（(【\[].*[）)】\]]")


def is_summary(texts: list[str]) -> bool:
    for text in texts[:3]:
        plain = _BLANKS.sub("", text)
        if plain.startswith(SUMMARY_WORDS) or plain.endswith(SUMMARY_WORDS) or _TOTAL_SAID.match(plain):
            return True
    return False


def is_note(texts: list[str], cells: int | None = None) -> bool:
    """A note, not a record: “注：…” and the like; a line of its own in brackets; a sentence in one
    cell (merged across the table) at the foot (`cells`: the row's filled cells before merging)."""
    first = _BLANKS.sub("", texts[0]) if texts else ""
    if first.startswith(NOTE_STARTS):
        return True
    if cells == 1 and len(set(texts)) == 1 and (first.endswith(("。", "！")) or len(first) > 30):
        return True
    # a line of its own in brackets: a section heading such as （以下为下半年收集）
    return len(texts) == 1 and bool(_BRACKETED.fullmatch(first))


def read_table(sheet: Sheet, fields: list[Field], mapping: dict[int, str] | None = None,
               header_row: int | None = None, guess: bool = False) -> Table | None:
    """The sheet as a table of `fields`: None when no row of it reads as their header (unless
    `guess`: then the row that looks like a header, mapped as far as its words go). A mapping given
    (column index -> field key) replaces the proposed one."""
    shown = filled(sheet)
    found_by_guess = False
    if header_row is None:
        found = find_header(shown, fields)
        if found is None:
            guessed = guess_header(shown) if guess else None
            if guessed is None:
                return None
            found, found_by_guess = (guessed, propose(shown[guessed], fields)), True
        header_index, proposed = found
    else:
        header_index = header_row - 1
        proposed = propose(shown[header_index] if header_index < len(shown) else [], fields)
    mapping = dict(sorted((mapping if mapping is not None else proposed).items()))
    headings = [clean(v) for v in shown[header_index]] if header_index < len(shown) else []
    by_key = {f.key: f for f in fields}
    header_words = {norm_header(h): f.key for f in fields for h in f.headers}
    rows: list[SourceRow] = []
    skipped: list[dict] = []
    carried: dict[str, object] = {}
    letters = {col: column_letter(col) for col in mapping}
    for r in range(header_index + 1, len(shown)):
        line = shown[r]
        texts = [t for t in map(clean, line) if t]
        if not texts:
            continue
        if is_summary(texts):
            skipped.append({"sheet": sheet.title, "row": r + 1, "reason": f"小计或合计行（{texts[0][:20]}）"})
            continue
        alike = len(set(texts)) == 1  # one cell's text, or a merged one's across the row
        if is_note(texts, sum(1 for v in sheet.grid[r] if v is not None and clean(v) != "") if alike else None):
            skipped.append({"sheet": sheet.title, "row": r + 1, "reason": f"说明文字（{texts[0][:20]}）"})
            continue
        values = {key: (line[col] if col < len(line) else None) for col, key in mapping.items()}
        if sum(isinstance(v, str) and header_words.get(norm_header(v)) == key for key, v in values.items()) >= 2:
            skipped.append({"sheet": sheet.title, "row": r + 1, "reason": "重复的表头行"})
            continue
        if not any(v is not None and (not isinstance(v, str) or clean(v)) for v in values.values()):
            skipped.append({"sheet": sheet.title, "row": r + 1, "reason": "所选的列都为空"})
            continue
        for key, value in values.items():
            if by_key[key].fill_down:
                if value is None or clean(value) == "":
                    values[key] = carried.get(key)
                else:
                    carried[key] = value
        cells = {key: f"{letters[col]}{r + 1}" for col, key in mapping.items()}
        formulas = {key for col, key in mapping.items() if (r, col) in sheet.formulas}
        rows.append(SourceRow(sheet.title, r + 1, values, cells, formulas))
    return Table(sheet.title, header_index + 1, headings, mapping, rows, skipped, guessed=found_by_guess)


# -- values as clerks type them ---------------------------------------------------------------------
class BadValue(ValueError):
    """A cell that cannot be what its field needs; the message is in Chinese, `key` the field."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


_DAY = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def as_day(value, label: str) -> date | None:
    """A day from an Excel date, an Excel serial number, or text as offices write it (2025-03-05,
    2025/3/5, 2025.3.5, 2025年3月5日, 20250305); None when blank."""
    if value is None or (isinstance(value, str) and not clean(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial day number (1900 system)
            from datetime import timedelta

            return date(1899, 12, 30) + timedelta(days=int(value))
        raise BadValue(f"“{label}”{value} 不是日期")
    text = unicodedata.normalize("NFKC", clean(value))
    match = _DAY.match(text) or _COMPACT.match(text)
    if not match:
        raise BadValue(f"“{label}”“{clean(value)}”不是日期（请写成 2025-03-05 或 2025年3月5日）")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise BadValue(f"“{label}”“{clean(value)}”不是存在的日期") from None


def as_int(value, label: str) -> int | None:
    """A whole number from a number cell or text (“01”, “12人”, full-width digits); None when blank."""
    if value is None or (isinstance(value, str) and not clean(value)):
        return None
    if isinstance(value, bool):
        raise BadValue(f"“{label}”不是数字")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise BadValue(f"“{label}”{value} 不是整数")
        return int(value)
    text = unicodedata.normalize("NFKC", clean(value))
    match = re.fullmatch(r"第?\s*(\d+|[零〇一二两三四五六七八九十]+)\s*[个人名号条次]?", text)
    number = _number(match.group(1)) if match else None
    if number is None:
        raise BadValue(f"“{label}”“{clean(value)}”不是数字")
    return number


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(text: str) -> int | None:
    """Digits, or a number in Chinese up to 99 (四, 十二, 二十, 三十五)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or ones == "十":  # 十十, 二三十: not numbers
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def as_text(value) -> str:
    """Text as typed (a number cell as its digits: 1.0 -> “1”)."""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    return clean(value)


def split_names(value) -> list[str]:
    """Names in one cell (张三、李四, 张三,李四, 张三 李四), each once, in order."""
    return list(dict.fromkeys(n for n in re.split(r"[、,，;；/\s]+", as_text(value)) if n))
