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
