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


def test_pinyin_keys_word_by_word_give_lazy_pinyins_keys_of_the_whole_text():
    """The keys are put together from the words pypinyin cuts the text into, each converted once:
    the same as converting the whole text, for every character alone and in the texts where the
    cut decides a reading (phrases, heteronyms, letters and digits between)."""
    from app.common import textutil

    def whole(text: str) -> tuple[str, str]:
        syllables = lazy_pinyin(text, style=Style.NORMAL, errors="ignore")
        return "".join(s[0] for s in syllables if s).lower(), "".join(syllables).lower()

    texts = [chr(code) for code in range(0x4E00, 0xA000)] + [
        "长孙无忌", "重庆市长", "银行行长", "单于", "朝阳区朝阳路", "乐清乐队", "曾子曾经", "会计会议", "中国人民银行",
        "张三A李四", "ABC重庆123长江", "王  五", "𠮷野家", "", "   ", "·", "买买提·艾力", "长长长长", "银行银行长"]
    texts += _names(random.Random(24), 300)
    for warm in (False, True):  # with nothing kept yet, and again with every word kept
        if not warm:
            textutil._WORD_SYLLABLES.clear()
        for text in texts:
            assert pinyin_keys(text) == whole(text), text


def test_clean_takes_the_short_way_only_where_it_gives_the_same_text():
    """Printable text is trimmed without the regular expressions: every character, alone and among
    others, comes out as the two scans make it."""
    import re

    from app.common import textutil

    def scanned(text: str) -> str:
        return re.sub(r"[\s\u3000\u00a0]+", " ", textutil._INVISIBLE.sub("", text)).strip()

    for code in range(0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for text in (char, f" {char} ", f"a{char}b", f"{char}{char}", f" 王{char}  1 "):
            assert textutil.clean(text) == scanned(text), hex(code)
