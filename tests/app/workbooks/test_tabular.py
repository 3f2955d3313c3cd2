"""Reading a sheet as a table of one kind of record: header, mapping, rows, values."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.workbooks.base import Sheet
from app.workbooks.tabular import (
    BadValue,
    Field,
    as_day,
    as_int,
    as_text,
    column_index,
    column_letter,
    find_header,
    is_note,
    is_summary,
    layout_key,
    norm_header,
    propose,
    read_table,
    split_names,
)

FIELDS = [
    Field("community", "所在村（社区）", ("所在村(社区)", "社区名称", "社区"), fill_down=True, identity=True),
    Field("name", "网格名称", ("网格名称", "网格"), identity=True),
    Field("worker", "网格员", ("网格员", "网格员姓名")),
    Field("worker_phone", "网格员电话", ("网格员电话", "联系电话", "电话")),
    Field("notes", "备注", ("备注",)),
]


def test_header_words_are_compared_as_clerks_vary_them():
    assert norm_header(" 所在村（社区） ") == "所在村(社区)"
    assert norm_header("*网格 名称：") == "网格名称"  # a 必填 mark, a space, a trailing colon
    assert norm_header("ＡＢ") == "AB"
    assert norm_header(None) == "" and norm_header(12) == "12"


def test_columns_are_named_as_excel_names_them():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
    assert [column_index(x) for x in ("A", "b", "Z", "AA", "AB", "ZZ", "AAA")] == [0, 1, 25, 26, 27, 701, 702]
    assert column_index("") is None and column_index("1") is None and column_index("一") is None


def test_the_mapping_prefers_exact_words_then_the_longest_contained():
    # 联系电话 is a looser spelling of the worker's phone than 网格员电话: the exact usual one wins
    assert propose(["联系电话", "网格员电话", "网格名称"], FIELDS) == {1: "worker_phone", 2: "name"}
    # 网格员姓名 is exact; “所属社区名称” holds 社区名称 (longer than 社区); each field once
    assert propose(["所属社区名称", "网格员姓名", "说明"], FIELDS) == {0: "community", 1: "worker"}
    # a second 网格员 column is not taken for a 网格 (the longest word it holds is 网格员)
    assert propose(["网格员", "网格员姓名"], FIELDS) == {0: "worker"}
    assert propose(["社区", "社区名称"], FIELDS) == {1: "community"}  # exact, by the field's usual spelling
    assert propose(["网格编号名"], FIELDS) == {0: "name"}  # contains 网格
    assert propose(["区"], FIELDS) == {}  # one character is no evidence
    assert propose([None, "", "  "], FIELDS) == {}


def sheet(rows, merged=(), formulas=()):
    width = max(len(r) for r in rows)
    return Sheet("表1", [list(r) + [None] * (width - len(r)) for r in rows], list(merged), set(formulas))


def test_the_header_is_found_below_title_lines_and_needs_a_field_that_names_the_record():
    rows = [["某某街道网格员名册"], ["填报单位：某某", None, "网格员"], ["社区名称", "网格名称", "网格员"],
            ["甲社区", "第1网格", "张三"]]
    assert find_header(rows, FIELDS) == (2, {0: "community", 1: "name", 2: "worker"})
    assert find_header([["网格员", "电话"]], FIELDS) is None  # two fields, but none names a grid
    assert find_header([["网格名称"]], FIELDS) is None  # one word is not a header
    late = [["x"]] * 15 + [["社区名称", "网格名称"]]
    assert find_header(late, FIELDS) is None  # only a sheet's first 15 rows are looked at


def test_rows_skip_what_is_not_a_record_and_carry_a_block_value_down():
    table = read_table(sheet([
        ["网格员名册"],
        ["社区名称", "网格名称", "网格员", "电话", "备注"],
        ["甲社区", "第1网格", "张三", "13500000001", None],
        [None, "第2网格", "李四", None, None],
        [None, None, None, None, None],
        ["甲社区小计", None, "2个"],
        ["社区名称", "网格名称", "网格员", "电话", "备注"],
        ["乙社区", "第1网格", "王五", None, "（新）"],
        [None, None, None, None, "只有备注"],
        ["（以下为新划分）"],
        ["合计：3个"],
        ["注：空白格同上。"],
    ], merged=[(1, 1, 1, 5)], formulas=[(3, 3)]), FIELDS)
    assert (table.header_row, table.mapping) == (2, {0: "community", 1: "name", 2: "worker", 3: "worker_phone",
                                                     4: "notes"})
    got = [(r.number, r.values["community"], r.values["name"]) for r in table.rows]
    assert got == [(3, "甲社区", "第1网格"), (4, "甲社区", "第2网格"), (8, "乙社区", "第1网格"), (9, "乙社区", None)]
    assert table.rows[1].formulas == {"worker_phone"} and table.rows[0].formulas == set()
    assert table.rows[1].cell("worker") == "C4" and table.rows[2].cell("notes") == "E8"
    assert [(s["row"], s["reason"][:5]) for s in table.skipped] == [
        (6, "小计或合计"), (7, "重复的表头"), (10, "说明文字（"), (11, "小计或合计"), (12, "说明文字（")]


def test_a_merged_range_gives_every_cell_its_value_and_a_mapping_given_is_used():
    rows = [["社区名称", "网格名称", "网格员"], ["甲社区", "第1网格", "张三"], [None, "第2网格", "李四"]]
    table = read_table(sheet(rows, merged=[(2, 3, 1, 1)]), [Field("community", "社区", ("社区名称",), identity=True),
                                                          Field("name", "网格", ("网格名称",))])
    assert [r.values["community"] for r in table.rows] == ["甲社区", "甲社区"]  # merged, not filled down
    chosen = read_table(sheet(rows), FIELDS, mapping={2: "name"}, header_row=1)
    assert chosen.mapping == {2: "name"} and [r.values for r in chosen.rows] == [{"name": "张三"}, {"name": "李四"}]
    assert read_table(sheet([["甲", "乙"]]), FIELDS) is None


def test_summary_and_note_lines():
    assert is_summary(["中山路社区小计", "14个"]) and is_summary(["合计", "3"]) and is_summary(["本页合计：5"])
    assert is_summary(["序号", "总计"]) and not is_summary(["1", "2", "3", "合计"])  # only the first three cells
    assert is_note(["注：x"]) and is_note(["填报人：张三"]) and is_note(["（以下为下半年）"])
    assert not is_note(["第1网格"]) and not is_note(["（一）", "x"])
    assert is_note(["有事可直接联系本网格的网格员。"] * 3, cells=1)
    assert not is_note(["有事可直接联系本网格的网格员。"] * 3, cells=3)  # three cells typed alike: data
    assert not is_note(["中山路社区"], cells=1) and is_note(["x" * 31], cells=1)


def test_days_as_offices_write_them():
    for value in (date(2025, 3, 5), datetime(2025, 3, 5, 9, 30), "2025-03-05", "2025/3/5", "2025.3.5",
                  "2025年3月5日", "2025 年 3 月 5 日", "20250305", "２０２５－０３－０５", 45721, 45721.0,
                  "2025-03-05 09:30"):
        assert as_day(value, "日期") == date(2025, 3, 5), value
    assert as_day(None, "日期") is None and as_day("  ", "日期") is None
    with pytest.raises(BadValue, match="“收集日期”“2025年13月1日”不是存在的日期"):
        as_day("2025年13月1日", "收集日期")
    with pytest.raises(BadValue, match="不是日期"):
        as_day("2025年3月", "收集日期")
    with pytest.raises(BadValue, match="不是日期"):
        as_day(-3, "收集日期")
    with pytest.raises(BadValue):
        as_day(True, "收集日期")


def test_whole_numbers_as_offices_write_them():
    assert [as_int(v, "编号") for v in (3, 3.0, "03", "第3", "3号", "12人", "四", "十", "十二", "二十", "三十五", "第十一")] == \
        [3, 3, 3, 3, 3, 12, 4, 10, 12, 20, 35, 11]
    assert as_int(None, "编号") is None and as_int("", "编号") is None
    for bad in ("3.5", 3.5, "x", "一百", "十二三", True):
        with pytest.raises(BadValue):
            as_int(bad, "编号")


def test_text_and_names_in_a_cell():
    assert as_text(3.0) == "3" and as_text(3.5) == "3.5" and as_text(None) == ""
    assert as_text(datetime(2025, 3, 5)) == "2025-03-05" and as_text(datetime(2025, 3, 5, 9, 30)) == "2025-03-05 09:30"
    assert as_text(date(2025, 3, 5)) == "2025-03-05" and as_text("  a  b ") == "a b"
    assert split_names("张三、李四,王五，赵六；张三 孙七/周八") == ["张三", "李四", "王五", "赵六", "孙七", "周八"]
    assert split_names(None) == []


def test_a_layout_is_named_by_its_header_words_and_kind():
    assert layout_key("grids", ["社区名称", "网格"]) == layout_key("grids", ["社区名称 ", "网格"])
    assert layout_key("grids", ["社区名称", "网格"]) != layout_key("grids", ["网格", "社区名称"])
    assert layout_key("grids", ["网格"]) != layout_key("venues", ["网格"])
    assert len(layout_key("grids", [])) == 16


def test_numbers_that_are_no_numbers_are_refused_not_crashed_on():
    for bad in ("十十", "二三十", "二三", "十二三"):
        with pytest.raises(BadValue, match=f"“编号”“{bad}”不是数字"):
            as_int(bad, "编号")
    with pytest.raises(BadValue, match="^“编号”不是数字$"):
        as_int(True, "编号")
    with pytest.raises(BadValue, match="^“编号”3.5 不是整数$"):
        as_int(3.5, "编号")


def test_excel_serial_days_at_their_limits():
    assert as_day(1, "日期") == date(1899, 12, 31) and as_day(2958465, "日期") == date(9999, 12, 31)
    for bad in (0, 0.5, 2958466):
        with pytest.raises(BadValue, match=f"^“日期”{bad} 不是日期$"):
            as_day(bad, "日期")
    with pytest.raises(BadValue, match="^“日期”“abc”不是日期"):
        as_day(" abc ", "日期")


def test_a_merged_range_fills_only_its_own_cells_and_one_beyond_the_sheet_is_left():
    grid = sheet([["社区名称", "网格名称", "网格员"], ["甲社区", "第1网格", "张三"], ["乙社区", None, None]],
                 merged=[(9, 9, 1, 2), (2, 2, 9, 9), (2, 3, 2, 2)])
    from app.workbooks.tabular import filled

    assert filled(grid) == [["社区名称", "网格名称", "网格员"], ["甲社区", "第1网格", "张三"], ["乙社区", "第1网格", None]]


def test_skipped_rows_are_named_whole_and_reading_goes_on_after_them():
    long_total = "中山路社区和金龙社区及凤凰湖社区网格数合计"  # more than 20 characters
    note = "请各社区于每月5日前报送，如有变动及时更新！"  # one cell; the others hold empty strings
    table = read_table(sheet([
        ["社区名称", "网格名称", "网格员", "电话", "备注"],
        ["甲社区", "第1网格", None, None, None],
        ["社区名称", "网格名称", None, None, None],  # a second header row (two words repeated)
        ["  ", " ", None, None, "只在备注"],  # the mapped cells blank (spaces): nothing to import
        [" ", "第2网格", None, None, None],  # the community written once above: spaces are blank too
        [long_total],
        [note, "", " "],
    ]), FIELDS, mapping={0: "community", 1: "name", 2: "worker", 3: "worker_phone"}, header_row=1)
    assert table.sheet == "表1" and table.headings == ["社区名称", "网格名称", "网格员", "电话", "备注"]
    assert table.skipped == [
        {"sheet": "表1", "row": 3, "reason": "重复的表头行"},
        {"sheet": "表1", "row": 4, "reason": "所选的列都为空"},
        {"sheet": "表1", "row": 6, "reason": f"小计或合计行（{long_total[:20]}）"},
        {"sheet": "表1", "row": 7, "reason": f"说明文字（{note[:20]}）"},
    ]
    assert [(r.sheet, r.number, r.values["community"], r.values["name"]) for r in table.rows] == [
        ("表1", 2, "甲社区", "第1网格"), ("表1", 5, "甲社区", "第2网格")]
    assert table.rows[0].cell("notes") == "第 2 行"  # a field the mapping leaves out names the row


def test_a_header_row_given_without_a_mapping_is_proposed_and_one_beyond_the_sheet_reads_nothing():
    rows = [["x"], ["社区名称", "网格名称"], ["甲社区", "第1网格"]]
    given = read_table(sheet(rows), FIELDS, header_row=2)
    assert given.mapping == {0: "community", 1: "name"} and len(given.rows) == 1
    beyond = read_table(sheet(rows), FIELDS, header_row=9)
    assert (beyond.headings, beyond.mapping, beyond.rows) == ([], {}, [])
    wider = read_table(sheet(rows), FIELDS, mapping={0: "community", 7: "name"}, header_row=2)
    assert [r.values for r in wider.rows] == [{"community": "甲社区", "name": None}]


def test_the_mapping_takes_each_field_once_by_its_longest_word_in_column_order():
    assert propose(["社区X", "所属社区名称"], FIELDS) == {1: "community"}
    assert propose(["所属社区名称", "社区X"], FIELDS) == {0: "community"}
    assert propose(["社区甲", "社区乙"], FIELDS) == {0: "community"}
    assert propose(["网格名称", "所属社区名称"], FIELDS) == {0: "name", 1: "community"}  # after an exact one


def test_notes_and_totals_with_spaces_inside():
    assert is_note(["注 ：见下"]) and is_summary(["合 计", "5"]) and is_summary(["x", "总 计"])
    assert is_note(["请各社区核实！"], cells=1) and not is_note(["x" * 30], cells=1)


def test_a_rows_day_names_its_cell():
    from app.workbooks.tabular import SourceRow

    row = SourceRow("表1", 5, {"received": "2025年13月1日", "ok": "2025-03-05"}, {"received": "B5", "ok": "C5"})
    assert row.day("ok", "收集日期") == date(2025, 3, 5)
    with pytest.raises(BadValue) as refused:
        row.day("received", "收集日期")
    assert (str(refused.value), refused.value.key) == ("“收集日期”“2025年13月1日”不是存在的日期", "received")
    with pytest.raises(BadValue) as refused:
        SourceRow("表1", 5, {"n": "x"}, {}).int("n", "编号")
    assert (str(refused.value), refused.value.key) == ("“编号”“x”不是数字", "n")


def test_a_layout_key_is_stable_across_versions():
    """Remembered mappings are stored under it: the formula must not change."""
    import hashlib

    assert layout_key("grids", ["社区名称", " 网格 "]) == hashlib.sha256("grids:社区名称|网格".encode()).hexdigest()[:16]
