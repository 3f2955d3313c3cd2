"""Cleaning typed or imported text, and the pinyin keys that search uses."""

import re
import unicodedata
from datetime import date
from functools import cache

from app.common.errors import ValidationError

# A value no list knows is shown with this mark before its raw text, in lists, registers and
# documents alike (a character every official Chinese font has).
MARK = "※"

# Zero-width and other invisible characters that slip in from Word/Excel/web pages.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def clean(value) -> str:
    """Trim a typed value: invisible characters removed, runs of spaces collapsed."""
    if value is None:
        return ""
    text = str(value)
    # Printable text holds no invisible character and no space but " " (every other space and
    # the invisible ones are not printable): the usual cell, trimmed without the two scans.
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


_CODE_GAPS = re.compile(r"[\s\-]")


def clean_code(value) -> str:
    """For ID and phone numbers: full-width to ASCII, no spaces at all, upper case."""
    text = unicodedata.normalize("NFKC", clean(value))
    return _CODE_GAPS.sub("", text).upper()


# A word as pypinyin cuts a text -> its syllables. pypinyin converts each word of its cut on its
# own, whatever surrounds it, so a word's syllables are the same in every name; a roster of
# 2,000 names holds a few hundred characters (surnames and given names repeat).
_WORD_SYLLABLES: dict[str, list[str]] = {}


def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) in lower case, e.g. 张三 -> ('zs', 'zhangsan')."""
    # Imported here: its dictionaries take ~0.1 s to load, which start-up should not pay.
    from pypinyin import Style, lazy_pinyin
    from pypinyin.seg.simpleseg import seg

    # One conversion: with errors="ignore" every item is one Chinese character's syllable, so its
    # first letter is what Style.FIRST_LETTER would give (checked against it in the tests).
    # The text is cut as lazy_pinyin cuts it, each word converted once (the tests compare every
    # character and a sample of names and phrases with lazy_pinyin of the whole text).
    syllables: list[str] = []
    known = _WORD_SYLLABLES
    for word in seg(name):
        found = known.get(word)
        if found is None:
            if len(known) > 50_000:  # (bounded: a word list, not a memory of every text seen)
                known.clear()
            found = known[word] = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
        syllables += found
    return "".join(s[0] for s in syllables if s).lower(), "".join(syllables).lower()


@cache
def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def display_width(text: str) -> int:
    """Column width in 'Latin characters': CJK and full-width count twice."""
    text = str(text)
    if text.isascii():  # (a register asks this of every cell: most are numbers, dates, codes)
        return len(text)
    return len(text) + sum(map(_wide, text))


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the years a record's date may name


def as_day(value) -> date | None:
    """A stored ISO day as a date; None when it is missing or not one (never raises)."""
    if type(value) is not str or not ISO_DAY.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def parse_date(text, label: str, field: str) -> date:
    """A typed yyyy-mm-dd date, or a refusal naming the field."""
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(text or "")):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label}“{text or ''}”不是有效日期（格式：2025-06-18）", field=field) from None


def validate_phone(raw) -> str | None:
    """A contact number as stored (digits only), None when blank; a refusal when it cannot be one."""
    phone = clean_code(raw)
    if not phone:
        return None
    if not phone.isdigit() or not 7 <= len(phone) <= 12:
        raise ValidationError("联系电话应为 7—12 位数字（手机号 11 位，座机可带区号）", field="phone")
    if len(phone) == 11 and phone[0] not in "01":
        raise ValidationError("11 位手机号应以 1 开头", field="phone")
    return phone


def chinese_date(iso: str) -> str:
    """2026-03-18 -> 2026年3月18日 (documents, notices, messages). A stored value that is not a
    date is shown marked, as it is (a bad row never breaks a document)."""
    day = as_day(iso)
    if day is None:
        return "" if iso in (None, "") else f"{MARK}{iso}"
    return f"{day.year}年{day.month}月{day.day}日"
