"""What a single field may hold: one small class per kind of value.

Each rule answers `problem(value)` with the broken rule in Chinese (None when the value is fine),
and `shown(value)` with the value as lists, registers and documents print it — a value that breaks
the rule is printed raw behind the mark, so a bad row is visible and never breaks a read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from app.common.errors import ValidationError
from app.common.idcard import mask, parse
from app.common.textutil import FIRST_YEAR, ISO_DAY, LAST_YEAR, as_day, validate_phone
from app.rules.codes import MARK, codes_of, label_of

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
# C0 controls other than tab, line and page breaks (Word's manual line break is \x0b): never typed,
# they come from broken files or attacks.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def today() -> date:
    """The clerk's today (tests move it with `app.rules.fields.today = ...`)."""
    return date.today()


_leeway: list[date] = []  # the last day a record may name, while rows from another office's clock are checked


@contextmanager
def leeway(days: int):
    """Accept dates up to `days` after today: another office's "today" may be this one's tomorrow.
    Today is read once on entry (a batch of incoming rows is checked in well under a second)."""
    _leeway.append(today() + timedelta(days=days))
    try:
        yield
    finally:
        _leeway.pop()


def minutes_of(clock) -> int | None:
    """09:30 -> 570; None when it is missing or not a time (never raises)."""
    if type(clock) is not str or not _CLOCK.match(clock):
        return None
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _raw(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


@dataclass(frozen=True)
class Rule:
    label: str
    required: bool = False

    kind = "text"

    def problem(self, value) -> str | None:
        if value is None or value == "":
            return "不能为空" if self.required else None
        return self.wrong(value)

    def wrong(self, value) -> str | None:  # value is set
        return None

    def shown(self, value) -> str:
        """The value as printed: its label or text; a breaking value marked, raw."""
        if value is None or value == "":
            return ""
        if self.wrong(value):
            return f"{MARK}{_raw(value)}"
        return self.text(value)

    def text(self, value) -> str:
        return str(value)


@dataclass(frozen=True)
class Text(Rule):
    max: int = 100
    multiline: bool = False

    def wrong(self, value):
        if type(value) is not str:
            return f"应为文字，不能是{_type_name(value)}"
        if len(value) > self.max:
            return f"太长（{len(value)} 个字，最多 {self.max} 个字）"
        if _CONTROL.search(value):
            return "含有不可见的控制字符"
        if not self.multiline and ("\n" in value or "\r" in value):
            return "应为一行文字，不能换行"
        return None


def Note(label: str, max: int = 5000, required: bool = False) -> Text:
    return Text(label, required, max, multiline=True)


@dataclass(frozen=True)
class Choice(Rule):
    """A closed list: only its codes. A code this version does not know may come from a newer one."""

    choices: Sequence = ()  # a tuple, or a live list such as meeting_kinds.CHOICES

    kind = "choice"

    def __post_init__(self):
        # A tuple of choices never changes: its codes are worked out once, not at every value
        # asked (a live list, which an office adds meeting kinds to, is read each time).
        object.__setattr__(self, "_fixed", codes_of(self.choices) if type(self.choices) is tuple else None)

    def wrong(self, value):
        if value in self.codes:
            if type(value) is bool:
                return f"应为{'、'.join(map(str, self.codes))}之一"
            return None
        listed = "、".join(label_of(self.choices, c) for c in self.codes[:8])
        return f"“{_raw(value)}”不在可选范围内（可选：{listed}{'等' if len(self.codes) > 8 else ''}）"

    @property
    def codes(self) -> tuple:
        fixed = self._fixed  # type: ignore[attr-defined]
        return fixed if fixed is not None else codes_of(self.choices)

    def text(self, value):
        return label_of(self.choices, value)


@dataclass(frozen=True)
class Int(Rule):
    low: int | None = None
    high: int | None = None

    kind = "int"

    def wrong(self, value):
        if type(value) is not int:
            return f"应为整数，不能是{_type_name(value)}"
        if self.low is not None and value < self.low:
            return f"不能小于 {self.low}" if self.low else "不能为负数"
        if self.high is not None and value > self.high:
            return f"不能大于 {self.high}"
        return None


@dataclass(frozen=True)
class Day(Rule):
    """An ISO day. `future`: may lie after today (a deadline, a planned date); records of what was
    done may not."""

    future: bool = False

    kind = "date"

    def wrong(self, value):
        day = as_day(value)
        if day is None:
            if type(value) is str and ISO_DAY.match(value) and FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
                return f"“{_raw(value)}”不是有效日期"
            return f"“{_raw(value)}”不是有效日期（应写成 2025-06-18，{FIRST_YEAR}—{LAST_YEAR} 年）"
        if not self.future and day > (_leeway[-1] if _leeway else today()):
            return f"{value} 晚于今天，不能是将来的日期"
        return None

    def text(self, value):
        return value


@dataclass(frozen=True)
class Month(Rule):
    kind = "month"

    def wrong(self, value):
        if type(value) is not str or not _MONTH.match(value) or not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            return f"“{_raw(value)}”不是有效月份（应写成 2025-06）"
        return None


@dataclass(frozen=True)
class Clock(Rule):
    kind = "time"

    def wrong(self, value):
        if type(value) is not str or not _CLOCK.match(value):
            return f"“{_raw(value)}”不是有效时间（应写成 09:00）"
        return None


@dataclass(frozen=True)
class Ref(Rule):
    """The id of a row of `table` (whether that row exists is the rule book's to check, with the
    other rows at hand)."""

    table: str = ""

    kind = "ref"

    def wrong(self, value):
        if type(value) is not str or not _UUID.match(value):
            return f"“{_raw(value)}”不是有效的记录编号"
        return None


@dataclass(frozen=True)
class Key(Rule):
    """A record id held as text (a quota's community, a document's record)."""

    kind = "key"

    def wrong(self, value):
        if type(value) is not str or not value or len(value) > 64 or _CONTROL.search(value):
            return f"“{_raw(value)}”不是有效的编号"
        return None


@dataclass(frozen=True)
class Names(Rule):
    """A list of short texts kept as a JSON array (invited departments, co-units, signatories)."""

    item_max: int = 100
    count_max: int = 500

    kind = "list"

    def wrong(self, value):
        items = _json(value)
        if not isinstance(items, list) or not all(type(i) is str for i in items):
            return "应为名称列表（JSON 数组）"
        if len(items) > self.count_max:
            return f"最多 {self.count_max} 项"
        if any(len(i) > self.item_max or _CONTROL.search(i) for i in items):
            return f"每项最多 {self.item_max} 个字"
        return None

    def text(self, value):
        return "、".join(_json(value))


@dataclass(frozen=True)
class Detail(Rule):
    """The detail of a history entry: a JSON object."""

    max: int = 20000

    kind = "json"

    def wrong(self, value):
        if type(value) is not str or len(value) > self.max or not isinstance(_json(value), dict):
            return "应为记录详情（JSON 对象）"
        return None


@dataclass(frozen=True)
class IdNumber(Rule):
    kind = "idcard"

    def wrong(self, value):
        if type(value) is not str:
            return f"应为文字，不能是{_type_name(value)}"
        try:
            info = parse(value)
        except ValidationError as exc:
            return exc.message
        if info.number != value:
            return "应为 18 位大写身份证号"
        return None

    def text(self, value):
        return mask(value)


@dataclass(frozen=True)
class Phone(Rule):
    kind = "phone"

    def wrong(self, value):
        if type(value) is not str:
            return f"应为文字，不能是{_type_name(value)}"
        try:
            stored = validate_phone(value)
        except ValidationError as exc:
            return exc.message
        if stored != value:
            return "应只含数字"
        return None


@dataclass(frozen=True)
class Digest(Rule):
    kind = "sha256"

    def wrong(self, value):
        if type(value) is not str or not _DIGEST.match(value):
            return "不是有效的文件校验值"
        return None


@dataclass(frozen=True)
class Instant(Rule):
    """A moment as ISO 8601 text (when a conflict was logged or looked at)."""

    kind = "instant"

    def wrong(self, value):
        from datetime import datetime

        if type(value) is not str or len(value) > 40:
            return f"“{_raw(value)}”不是有效时间"
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return f"“{_raw(value)}”不是有效时间"
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            return f"“{_raw(value)}”不是有效时间"
        return None


def names_of(value) -> list[str]:
    """A stored list of names (JSON array) as a list; [] when it is missing or broken (never raises)."""
    items = _json(value)
    if not isinstance(items, list):
        return [f"{MARK}{_raw(value)}"] if value not in (None, "", "[]") else []
    return [item if type(item) is str else f"{MARK}{_raw(item)}" for item in items]


def detail_of(value) -> dict:
    """A history entry's stored detail (JSON object) as a dict; {} when missing or broken."""
    found = _json(value)
    return found if isinstance(found, dict) else {}


def _json(value):
    if type(value) is not str or len(value) > 200_000:
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def _type_name(value) -> str:
    return {bool: "是/否", int: "数字", float: "小数", str: "文字", bytes: "二进制数据"}.get(type(value), "其他类型")
