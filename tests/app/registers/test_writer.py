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
