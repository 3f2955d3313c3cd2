"""Resident ID numbers (居民身份证号码, GB 11643-1999): check digit, birth date, masking."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import mul

from app.common.errors import ValidationError
from app.common.textutil import clean_code

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # 男 / 女


_memo = threading.local()


@contextmanager
def remembering() -> Iterator[None]:
    """Within it (in this thread), each distinct ID number is worked out once: a roster import asks
    every number of the file three times (the file's own check, the rule book's verdict on the
    row, the write path's door), each time with the same answer."""
    outer = getattr(_memo, "answers", None)
    _memo.answers = {} if outer is None else outer
    try:
        yield
    finally:
        _memo.answers = outer


def parse(raw, *, today: date | None = None) -> IdInfo:
    """Validate an 18-digit ID number; raise ValidationError with the reason in Chinese."""
    answers = getattr(_memo, "answers", None)
    if answers is None or today is not None or type(raw) is not str:
        return _parse(raw, today)
    key = (raw, date.today())  # (the answer depends on the day: a birth day may not be ahead of it)
    found = answers.get(key)
    if found is None:
        try:
            found = answers[key] = _parse(raw, None)
        except ValidationError as exc:
            found = answers[key] = exc
    if isinstance(found, ValidationError):
        raise ValidationError(found.message, field=found.field)
    return found


def _parse(raw, today: date | None) -> IdInfo:
    number = clean_code(raw)
    if len(number) != 18:
        raise ValidationError(f"身份证号应为18位，现为{len(number)}位", field="id_number")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X", field="id_number")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            f"身份证号中的出生日期 {number[6:10]}-{number[10:12]}-{number[12:14]} 不存在",
            field="id_number",
        ) from None
    today = today or date.today()
    if born > today or born.year < 1900:
        raise ValidationError(f"身份证号中的出生日期 {born.isoformat()} 不合理", field="id_number")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            f"身份证号校验位错误（最后一位应为 {expected}，现为 {number[17]}），请核对", field="id_number"
        )
    gender = "男" if int(number[16]) % 2 else "女"
    return IdInfo(number, born, gender)


def mask(number: str | None) -> str:
    """500118********123X: region code and last four only."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
