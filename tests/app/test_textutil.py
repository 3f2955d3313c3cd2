import random

from pypinyin import Style, lazy_pinyin

from app.common.textutil import pinyin_keys
from app.fronts.demo import _names


def test_pinyin_initials_match_pypinyins_first_letter_style():
    names = _names(random.Random(3), 500) + ["买买提·艾力", "欧阳晓", "单雄信", "长孙无忌", "𠮷野家", "张三A", "吕布"]
    for name in names:
        initials, full = pinyin_keys(name)
        assert initials == "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower(), name
        assert full == "".join(lazy_pinyin(name, errors="ignore")).lower()
    assert pinyin_keys("张三") == ("zs", "zhangsan")
