import zipfile

from openpyxl import load_workbook

from app.registers.catalog import export_register
from app.registers.writer import Column, Register, write_register
from app.services.delegates import RosterFilter


def test_typed_values_never_become_formulas(tmp_path):
    rows = [{"a": "=HYPERLINK(\"http://x\",\"点我\")", "b": "+1", "c": "-2", "d": "@SUM(A1)", "e": "007"}]
    path = write_register(tmp_path / "x.xlsx", Register("标题", "单位", [Column(k, k) for k in "abcde"], rows))
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    ws = load_workbook(path).active
    assert [c.value for c in ws[4]][1:] == [rows[0][k] for k in "abcde"]
    assert all(c.data_type == "s" for c in ws[4][1:])


def test_widths_fit_chinese_text(tmp_path):
    rows = [{"a": "永川区人大常委会中山路街道工委"}]
    path = write_register(tmp_path / "w.xlsx", Register("标题", "单位", [Column("单位", "a", max_width=60)], rows))
    ws = load_workbook(path).active
    assert ws.column_dimensions["B"].width >= 30


def test_an_export_is_audited_and_full_ids_only_on_request(demo, tmp_path):
    export_register(demo, "roster", tmp_path / "r.xlsx")
    export_register(demo, "roster", tmp_path / "full.xlsx", full_id=True,
                    flt=RosterFilter(search=demo.delegates.page(RosterFilter(), limit=1)[0]["name"]))
    entries = demo.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 2")
    assert entries[0]["action"] == "export" and "完整身份证号" in entries[0]["summary"]
    assert "完整" not in entries[1]["summary"]
    ws = load_workbook(tmp_path / "full.xlsx").active
    header = [c.value for c in ws[3]]
    assert "*" not in ws.cell(4, header.index("身份证号") + 1).value


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.xlsx"
    write_register(path, Register("旧", "单位", [Column("a", "a")], [{"a": "1"}]))
    before = path.read_bytes()

    def explode(*_):
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.Workbook.save", explode)
    try:
        write_register(path, Register("新", "单位", [Column("a", "a")], [{"a": "2"}]))
    except OSError:
        pass
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.xlsx"]


def test_the_roster_the_app_wrote_reimports_whole_with_its_unprinted_columns(demo, tmp_path):
    """The file orders its columns for print (the printed ones first) and keeps the rest: read back
    by the importer, each delegate comes back with the columns the page does not print."""
    from app.store import Store
    from app.workbooks.importer import import_roster

    export_register(demo, "roster", tmp_path / "r.xlsx", full_id=True)
    header = [c.value for c in load_workbook(tmp_path / "r.xlsx").active[3]]
    assert header.index("联系网格") > header.index("小组职务")  # kept after the printed columns
    with Store.open(tmp_path / "other") as other:
        report = import_roster(other, tmp_path / "r.xlsx")
        assert report["imported"] == 70 and not report["rejected"]
        query = ("SELECT d.name, d.id_number, d.ethnicity, d.education, count(dg.grid_id) AS grids FROM delegates d"
                 " LEFT JOIN delegate_grids dg ON dg.delegate_id = d.id AND dg.deleted = 0"
                 " WHERE d.deleted = 0 AND d.status = 'active' GROUP BY d.id ORDER BY d.id_number")
        assert other.rows(query) == demo.rows(query)


def test_the_printed_columns_come_first_and_the_print_area_holds_them_on_the_paper(tmp_path):
    from app.registers.writer import legible_units

    columns = [Column("姓名", "name"), Column("备注", "notes", printed=""), Column("民族", "ethnicity", printed="a3"),
               *[Column(f"情况{n}", f"text{n}", 10, 40, wrap=True) for n in range(6)]]
    rows = [{"name": "张三", "notes": "只在文件中", "ethnicity": "汉族", **{f"text{n}": "很长的情况说明" * 6 for n in range(6)}}]
    register = Register("标题", "单位", columns, rows)
    for paper, size, order in (("a4", 9, ["姓名", *[f"情况{n}" for n in range(6)], "备注", "民族"]),
                               ("a3", 8, ["姓名", "民族", *[f"情况{n}" for n in range(6)], "备注"])):
        ws = load_workbook(write_register(tmp_path / f"{paper}.xlsx", register, paper=paper)).active
        assert [c.value for c in ws[3]] == ["序号", *order]
        printed = 8 if paper == "a4" else 9
        assert ws.print_area == f"'Sheet1'!$A$1:${'ABCDEFGHIJ'[printed - 1]}$4"
        assert ws.page_setup.paperSize == size and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_cols is None
        # the wrapped columns narrowed so that the printed ones keep their body at 9 pt
        widths = [ws.column_dimensions["ABCDEFGHIJ"[i]].width for i in range(printed)]
        assert sum(widths) <= legible_units(paper) and all(w >= 10 for w in widths[-6:])
        assert ws.cell(4, 2).value == "张三" and ws.cell(4, order.index("备注") + 2).value == "只在文件中"


def test_a_register_that_cannot_fit_prints_across_with_who_on_every_page(tmp_path):
    columns = [Column("姓名", "name"), *[Column(f"单位{n}", f"u{n}", 16) for n in range(10)]]
    path = write_register(tmp_path / "x.xlsx", Register("标题", "单位", columns, [{"name": "张三"}]))
    ws = load_workbook(path).active
    assert ws.print_title_cols == "$A:$B" and ws.page_setup.scale == 90


# -- the sheet as Excel, WPS and LibreOffice read it -------------------------------------------

def _ledger(tmp_path, **extra):
    from datetime import date

    columns = [Column("姓名", "name"), Column("情况", "text", 10, 30, wrap=True),
               Column("备注", "notes", printed="", wrap=True), Column("人数", "n", kind="int"),
               Column("比例", "p", kind="percent"), Column("金额", "x", kind="number")]
    rows = [{"name": "张三", "text": "很长的情况说明" * 8, "notes": "短", "n": "12", "p": 0.5, "x": 1.5},
            {"name": "李四", "text": "短", "notes": "只在文件中的很长备注" * 5, "n": 3, "p": None, "x": "abc"},
            {"name": "王五", "text": "一\n二\n三", "notes": None, "n": None, "p": None, "x": None}]
    register = Register("测试登记表（2025年）", "某单位", columns, rows, sheet_name="很长的工作表名称" * 5,
                        made_on=date(2025, 3, 1), note="说明：这是一段说明", **extra)
    return load_workbook(write_register(tmp_path / "a.xlsx", register)).active


def test_a_register_sheet_is_laid_out_for_the_screen_and_the_printer(tmp_path):
    ws = _ledger(tmp_path)
    assert ws.title == ("很长的工作表名称" * 5)[:31]  # Excel's limit
    assert (ws.freeze_panes, ws.auto_filter.ref, ws.print_title_rows) == ("C4", "A3:G6", "$3:$3")
    # the print area: the printed columns (备注 kept for the screen, last) and the note under the table
    assert ws.print_area.endswith("!$A$1:$F$8")
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:F1", "A2:F2", "A8:F8"}
    assert {k: v.width for k, v in ws.column_dimensions.items()} == {"A": 6, "B": 6, "C": 30, "D": 6, "E": 7, "F": 6,
                                                                      "G": 40}
    # rows as tall as their printed lines: 4 lines of 情况, 3 lines, and one for a long unprinted 备注
    heights = {k: v.height for k, v in ws.row_dimensions.items()}
    assert heights == {1: 30, 2: 20, 3: 24, 4: 4 * 14.5 + 3, 5: 14.5 + 3, 6: 3 * 14.5 + 3, 8: 14.5 + 4}
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight, setup.scale) == \
        ("landscape", 9, 1, 0, None)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
    margins = ws.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.4, 0.4, 0.7, 0.7)
    assert (ws.oddFooter.center.text, ws.oddFooter.center.size) == ("第 &P 页 共 &N 页", 12)

    title, unit, note = ws["A1"], ws["A2"], ws["A8"]
    assert (title.value, title.font.name, title.font.sz, title.font.b, title.alignment.horizontal) == \
        ("测试登记表（2025年）", "宋体", 16, True, "center")
    assert not title.alignment.wrap_text and not unit.alignment.wrap_text
    assert (unit.value, unit.font.sz, unit.font.b, unit.alignment.horizontal) == \
        ("填报单位：某单位\u3000\u3000\u3000\u3000填报日期：2025年3月1日", 11, False, "left")
    assert (note.value, note.font.sz, note.alignment.vertical) == ("说明：这是一段说明", 10.5, "top")
    head = ws[3]
    assert [c.value for c in head] == ["序号", "姓名", "情况", "人数", "比例", "金额", "备注"]
    assert all(c.font.b and c.font.sz == 11 and c.fill.fgColor.rgb == "00DDE6F0" and c.alignment.wrap_text
               and c.alignment.horizontal == "center" and c.border.left.style == "thin" for c in head)
    first = {ws.cell(3, col).value: ws.cell(4, col) for col in range(1, 8)}
    assert [(k, c.value, c.number_format, c.alignment.horizontal) for k, c in first.items()
            if k in ("序号", "人数", "比例", "金额")] == [
        ("序号", 1, "0", "center"), ("人数", 12, "0", "center"), ("比例", 0.5, "0.0%", "center"),
        ("金额", 1.5, "0.##", "right")]
    assert all(c.font.name == "宋体" and c.font.sz == 10.5 and c.border.bottom.style == "thin" for c in first.values())
    assert first["情况"].alignment.wrap_text and first["备注"].alignment.wrap_text  # wrapped columns
    assert not first["姓名"].alignment.wrap_text and first["姓名"].alignment.vertical == "center"
    assert ws["F5"].value == "※abc"  # not a number: kept as stored, marked
    assert ws["C6"].value == "一\n二\n三" and ws["C6"].alignment.wrap_text


def test_a_narrow_register_wraps_its_title_and_unit_line_over_its_width(tmp_path):
    from datetime import date

    register = Register("中山路街道议事代表履职登记表（2025年）", "永川区人大常委会中山路街道工委",
                        [Column("姓名", "name")], [], made_on=date(2025, 3, 1))
    ws = load_workbook(write_register(tmp_path / "n.xlsx", register)).active
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("B4", "A3:B3")  # no rows: the header alone
    assert ws.print_area.endswith("!$A$1:$B$3")
    assert ws["A1"].value == "中山路街道议事代表履职登记表\n（2025年）" and ws["A1"].alignment.wrap_text
    assert ws["A2"].value == "填报单位：永川区人大常委会中山路街道工委\n填报日期：2025年3月1日" and ws["A2"].alignment.wrap_text
    assert {k: v.height for k, v in ws.row_dimensions.items()} == {1: 180, 2: 120, 3: 24}


def test_a_register_printed_across_starts_its_title_after_the_repeated_columns(tmp_path):
    columns = [Column("姓名", "name"), *[Column(f"单位{n}", f"u{n}", 16) for n in range(10)]]
    ws = load_workbook(write_register(tmp_path / "x.xlsx", Register(
        "标题很长的登记表（2025年）", "单位", columns, [{"name": "张三", "u0": "=1"}]))).active
    assert ws["A1"].value is None and ws["C1"].value == "标题很长的登记表（2025年）"
    assert ws["C1"].alignment.horizontal == "left" and ws["C2"].value.startswith("填报单位：单位\u3000")
    assert not ws.merged_cells.ranges and ws.page_setup.pageOrder == "overThenDown"
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and not ws.print_options.horizontalCentered
    assert {k: v.height for k, v in ws.row_dimensions.items()} == {1: 30, 2: 20, 3: 24}
    assert (ws["C4"].value, ws["C4"].quotePrefix, ws["C4"].data_type) == ("=1", True, "s")


def test_values_are_typed_by_their_column_and_odd_ones_kept_marked():
    from datetime import date, datetime

    from app.registers.writer import Percent, typed

    cases = [((None, "int"), None), (("", "text"), None), ((0, "int"), 0), (("12", "int"), 12), ((2.5, "number"), 2.5),
             (("1.5", "number"), 1.5), (("x", "int"), "※x"), (("※x", "int"), "※x"),
             (("2025-03-01 10:00", "date"), date(2025, 3, 1)), (("2025-02-30", "date"), "※2025-02-30"),
             (("1976.03", "month"), date(1976, 3, 1)), (("1976-03-15", "month"), date(1976, 3, 1)),
             (("1976-13", "month"), "※1976-13"), (("2025-03-01 10:00:00", "datetime"), datetime(2025, 3, 1, 10)),
             (("bad", "datetime"), "※bad"), (("a\x01b", "text"), "a※b"), ((12, "text"), "12")]
    for (value, kind), expected in cases:
        got = typed(value, kind)
        assert got == expected and type(got) is type(expected), (value, kind, got)
    assert type(typed(0.5, "percent")) is Percent and typed("0.25", "percent") == 0.25
    assert type(typed(Percent(0.2), "text")) is Percent  # a share stays a share in any column
    assert typed(True, "int") == 1 and type(typed(True, "int")) is int  # a flag counts as one


def test_paper_widths_and_several_registers_in_one_file(tmp_path):
    import pytest

    from app.registers.writer import legible_units, printable_units

    assert printable_units() == pytest.approx((297 / 25.4 - 0.8) * 72 / 7)
    assert printable_units("a3") == pytest.approx((420 / 25.4 - 0.8) * 72 / 7)
    assert legible_units("a3") == pytest.approx(printable_units("a3") * 0.95 * 10.5 / 9)
    with pytest.raises(ValueError, match="unknown paper 'b5'"):
        write_register(tmp_path / "b5.xlsx", Register("标题", "单位", [Column("a", "a")], []), paper="b5")
    assert not (tmp_path / "b5.xlsx").exists()
    path = write_register(tmp_path / "two.xlsx", Register("甲", "单位", [Column("a", "a")], [{"a": "1"}], "表一"),
                          Register("乙", "单位", [Column("b", "b")], [{"b": "2"}], "表二"), paper="a3")
    book = load_workbook(path)
    assert book.sheetnames == ["表一", "表二"] and book["表二"]["B4"].value == "2"
    assert {book[n].page_setup.paperSize for n in book.sheetnames} == {8}


def test_column_widths_follow_what_each_cell_shows(tmp_path):
    from datetime import datetime

    from app.registers.writer import Percent, legible_units, printable_units

    assert legible_units() == legible_units("a4") and printable_units() == printable_units("a4")
    columns = [Column("a", "empty", min_width=1), Column("b", "share", min_width=1, kind="percent"),
               Column("c", "at", min_width=1, max_width=40, kind="datetime"), Column("d", "n", min_width=1, kind="number"),
               Column("e", "f", min_width=1, kind="int")]
    rows = [{"empty": None, "share": Percent(0.999), "at": datetime(2025, 3, 1, 9, 30), "n": 3, "f": 2.5}]
    ws = load_workbook(write_register(tmp_path / "w.xlsx", Register("标题", "单位", columns, rows))).active
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    # empty: its header; 99.9%; 2025-03-01 09:30:00 — each plus 2
    assert (widths["B"], widths["C"], widths["D"]) == (3, 7, 21)
    assert ws["D4"].number_format == "yyyy-mm-dd hh:mm:ss" and ws["D4"].value == datetime(2025, 3, 1, 9, 30)
    # a whole number in a number column stays whole (centred), a fraction in a count column is not cut
    assert (ws["E4"].value, ws["E4"].number_format, ws["E4"].alignment.horizontal) == (3, "0", "center")
    assert (ws["F4"].value, ws["F4"].number_format, ws["F4"].alignment.horizontal) == (2.5, "0.##", "right")


def test_a_wrapped_cell_is_as_many_lines_tall_as_it_prints(tmp_path):
    from app.registers.writer import sheet_columns

    columns = [Column("说明", "text", 10, 30, wrap=True), Column("x", "code", min_width=1, max_width=3, wrap=True)]
    rows = [{"text": "字" * 30, "code": "a"}, {"text": "短", "code": "abcdef"}]
    register = Register("标题", "单位", columns, rows)
    ws = load_workbook(write_register(tmp_path / "l.xlsx", register)).active
    assert ws.column_dimensions["B"].width == 30 and ws.column_dimensions["C"].width == 3
    # 60 units in a column of 30 (29 usable): 3 lines; 6 Latin characters in a column of 3 (at least 2 usable): 3
    assert (ws.row_dimensions[4].height, ws.row_dimensions[5].height) == (3 * 14.5 + 3, 3 * 14.5 + 3)
    assert sheet_columns(register) == sheet_columns(register, "a4") == (columns, 2)


def test_widths_come_from_headers_lines_and_words_and_the_narrowing_stops_at_the_first_fit(tmp_path):
    columns = [Column("很长的表头名称", "a", min_width=1), Column("b", "b", min_width=1), Column("c", "c", min_width=1)]
    rows = [{"a": "x", "b": "abc def ghi", "c": "甲\n乙"}]
    ws = load_workbook(write_register(tmp_path / "h.xlsx", Register("标题", "单位", columns, rows))).active
    assert [ws.column_dimensions[k].width for k in "BCD"] == [16, 13, 4]  # header; the whole line; the widest line
    # five wrapped columns share what the page leaves them: 21 each, the widest that fits, not 20
    wrapped = [Column("姓名", "name"), *[Column(f"情况{n}", f"t{n}", 10, 40, wrap=True) for n in range(5)]]
    row = {"name": "欧阳小明", **{f"t{n}": "很长的情况说明" * 6 for n in range(5)}}
    ws = load_workbook(write_register(tmp_path / "f.xlsx", Register("标题", "单位", wrapped, [row]))).active
    assert [ws.column_dimensions[k].width for k in "ABCDEFG"] == [6, 10, 21, 21, 21, 21, 21]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # seven columns that cannot narrow, just too wide together: printed across
    wide = [Column("姓名", "name"), *[Column(f"单位{n}", f"u{n}", 17) for n in range(7)]]
    ws = load_workbook(write_register(tmp_path / "w.xlsx", Register("标题", "单位", wide, [{"name": "张三"}]))).active
    assert sum(ws.column_dimensions[k].width for k in "ABCDEFGHI") > 124 and ws.print_title_cols == "$A:$B"


def test_the_title_unit_line_and_header_wrap_over_the_printed_width(tmp_path):
    from datetime import date

    def sheet(title, unit="某单位", header="姓名"):
        columns = [Column(header, "n", min_width=20, max_width=20), Column("单位", "u", min_width=20)]
        register = Register(title, unit, columns, [], made_on=date(2025, 3, 1))
        return load_workbook(write_register(tmp_path / "t.xlsx", register)).active

    # 46 units wide: the 22 pt title gets 31 of them (30 usable)
    ws = sheet("测" * 30)
    assert (ws.row_dimensions[1].height, ws["A1"].value, ws["A1"].alignment.wrap_text) == (60, "测" * 30, True)
    assert ws.freeze_panes == "C4"  # 序号 and the first column stay in view
    assert ws.row_dimensions[1].height == 60 and sheet("测" * 31).row_dimensions[1].height == 90
    ws = sheet("测" * 20 + "（2025年）")  # the year on a line of its own
    assert (ws["A1"].value, ws.row_dimensions[1].height) == ("测" * 20 + "\n（2025年）", 90)
    ws = sheet("测" * 31 + "（2025年）")
    assert ws.row_dimensions[1].height == 120
    ws = sheet("议事（代表）登记表" + "测" * 20 + "（2025年）")  # only the last parenthesis moves
    assert ws["A1"].value == "议事（代表）登记表" + "测" * 20 + "\n（2025年）"
    title, unit = ws["A1"], ws["A2"]
    assert (title.alignment.vertical, unit.alignment.vertical, unit.font.name) == ("center", "center", "宋体")
    # the unit line of 46 units breaks before the date
    assert (unit.value, unit.alignment.wrap_text, ws.row_dimensions[2].height) == \
        ("填报单位：某单位\n填报日期：2025年3月1日", True, 40)
    assert sheet("测", unit="某").row_dimensions[2].height == 20
    # a header longer than its column wraps, and the header row grows with it
    ws = sheet("测", header="很长很长的表头文字写满")
    assert ws.row_dimensions[3].height == 2 * 14.5 + 4 and ws["B3"].font.name == "宋体"  # 20 units in 19


def test_cells_are_centred_vertically_and_dates_keep_their_format(tmp_path):
    from datetime import date

    columns = [Column("说明", "text", wrap=True), Column("日期", "day", kind="date"), Column("人数", "n", kind="int"),
               Column("月份", "month", kind="month")]
    rows = [{"text": "情况", "day": "2025-03-01", "n": 3, "month": "2025-03"}]
    ws = load_workbook(write_register(tmp_path / "v.xlsx", Register("标题", "单位", columns, rows))).active
    assert (ws["C4"].value.date(), ws["C4"].number_format) == (date(2025, 3, 1), "yyyy-mm-dd")
    assert ws["E4"].number_format == "yyyy-mm"
    assert {c.alignment.vertical for c in ws[3]} == {"center"} and ws["B3"].fill.fill_type == "solid"
    assert {c.alignment.vertical for c in ws[4]} == {"center"} and ws["B4"].alignment.wrap_text


def test_row_heights_and_wrapping_cell_by_cell(tmp_path):
    columns = [Column("a", "a", min_width=1, max_width=10), Column("说明", "text", 10, 20),
               Column("备注", "notes", printed="")]
    rows = [{"a": "abcdefghij", "text": "短", "notes": "短"},  # 10 units in a column of 10: wraps to 2 lines
            {"a": "abcdefghi", "text": "字" * 18 + "末", "notes": None},  # 9 fit; 说明, printed last, 2 lines
            {"a": "Xbox", "text": None, "notes": "短"}]
    note = "注：" + "说明文字" * 12
    ws = load_workbook(write_register(tmp_path / "r.xlsx", Register("标题", "单位", columns, rows, note=note))).active
    assert [ws.column_dimensions[k].width for k in "BC"] == [10, 20]
    assert ws["B4"].alignment.wrap_text and not ws["B5"].alignment.wrap_text
    heights = {k: v.height for k, v in ws.row_dimensions.items()}
    assert (heights[4], heights[5]) == (2 * 14.5 + 3, 2 * 14.5 + 3) and 6 not in heights  # row 6 fits one line
    assert ws["B6"].value == "Xbox" and not ws["B6"].quotePrefix
    assert ws["C6"].value is None and ws["D5"].value is None  # nothing shown where nothing is stored
    cell = ws["A8"]
    assert (cell.value, cell.font.name, cell.alignment.wrap_text) == (note, "宋体", True)
    short = load_workbook(write_register(tmp_path / "s.xlsx", Register("标题", "单位", columns, rows[:1],
                                                                        note="注：短"))).active
    assert not short["A6"].alignment.wrap_text


def test_a_register_printed_across_keeps_its_title_on_one_line(tmp_path):
    columns = [Column("姓名", "name"), *[Column(f"单位{n}", f"u{n}", 16) for n in range(10)]]
    ws = load_workbook(write_register(tmp_path / "x.xlsx", Register("很长的标题" * 30, "单位" * 60, columns,
                                                                     [{"name": "张三"}]))).active
    assert (ws.row_dimensions[1].height, ws.row_dimensions[2].height) == (30, 20)
    assert "\n" not in ws["C2"].value
