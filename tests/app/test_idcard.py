from datetime import date

import pytest

from app.common import idcard
from app.common.errors import ValidationError

VALID = "11010519491231002X"


def test_valid_number_gives_birth_date_and_gender():
    info = idcard.parse(VALID)
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "女"


def test_messy_input_is_cleaned():
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert idcard.parse(full_width).number == VALID
    assert idcard.parse(" 110105 19491231 002x\u200b").number == VALID


def test_wrong_check_digit_is_refused_with_the_expected_digit():
    with pytest.raises(ValidationError) as exc:
        idcard.parse("110105194912310021")
    assert "校验位" in exc.value.message and "X" in exc.value.message
    assert exc.value.field == "id_number"


@pytest.mark.parametrize("birth", ["19990230", "20011301", "19990000"])
def test_impossible_birth_date_is_refused(birth):
    first17 = f"500118{birth}123"
    with pytest.raises(ValidationError, match="出生日期"):
        idcard.parse(first17 + idcard.check_digit(first17))


def test_future_birth_date_is_refused():
    first17 = "50011820300101123"
    with pytest.raises(ValidationError, match="不合理"):
        idcard.parse(first17 + idcard.check_digit(first17), today=date(2026, 1, 1))


@pytest.mark.parametrize("raw", ["12345", "5001181975031512345", "50011819750315123Y"])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        idcard.parse(raw)


def test_mask_keeps_region_and_last_four():
    assert idcard.mask("50011819750315123X") == "500118********123X"
    assert idcard.mask(None) == ""


def test_numbers_remembered_within_an_import_get_the_same_answers():
    """Inside `remembering()` each number is worked out once; the answers (the number's details,
    or the refusal with its message and field) are those given without it, every time asked."""
    from app.common import idcard
    from app.common.errors import ValidationError

    def answer(raw):
        try:
            return idcard.parse(raw)
        except ValidationError as exc:
            return (type(exc), exc.message, exc.field)

    numbers = ["11010519491231002X", "110105194912310021", "11010519491231002x", " 1101051949 1231002X ",
               "1101051949123100", "110105194913310029", "3101152099010100" + "1X", "abc", "", None, 110105]
    expected = [answer(n) for n in numbers]
    assert isinstance(expected[0], idcard.IdInfo) and expected[1][0] is ValidationError
    with idcard.remembering():
        assert [answer(n) for n in numbers] == expected
        with idcard.remembering():  # (nested: the same answers kept)
            assert [answer(n) for n in numbers] == expected
        assert [answer(n) for n in numbers] == expected
    assert [answer(n) for n in numbers] == expected
