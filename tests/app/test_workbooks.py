"""Workbooks as they arrive: crafted, broken, huge, encrypted, old-format or not Excel at all.
Each is refused within seconds with a Chinese message saying what to do, or read like the .xlsx."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.common.errors import AppError
from app.workbooks.importer import read_workbook
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
SAMPLE = DATA / "roster_sample.xlsx"


def roster(tmp_path, rows, name="花名册.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "所在村（社区）", "联系电话"])
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_an_xls_saved_by_excel_97_or_wps_reads_like_the_xlsx():
    xls = read_workbook(ROOT / "tests" / "data" / "roster_sample.xls")
    xlsx = read_workbook(SAMPLE)
    assert [(v.verdict, v.name, v.values, v.extra) for v in xls] == [(v.verdict, v.name, v.values, v.extra) for v in xlsx]
    assert len(xls) > 20


def test_formula_cells_are_rejected_row_by_row_naming_the_column(tmp_path):
    path = roster(tmp_path, [[1, "=1+1", "男", "中山路社区", "13800000000"],
                             [2, "张三", "男", "=A1", "13800000001"],
                             [3, '=HYPERLINK("http://x","李四")', "女", "中山路社区", None],
                             [4, "王五", "男", "中山路社区", None]])
    verdicts = {v.row: v for v in read_workbook(path)}
    assert verdicts[2].verdict == "rejected" and verdicts[2].reason == "“姓名”是公式，请改为文字"
    assert verdicts[3].reason == "“所在村（社区）”是公式，请改为文字"
    assert verdicts[4].verdict == "rejected" and "公式" in verdicts[4].reason
    assert verdicts[5].verdict == "ok" and verdicts[5].name == "王五"


def test_one_far_away_cell_is_refused_at_once(tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "性别", "所在村（社区）"])
    wb.active["XFD1048576"] = "x"
    path = tmp_path / "远处.xlsx"
    wb.save(path)
    started = time.monotonic()
    with pytest.raises(AppError, match="使用范围过大"):
        read_workbook(path)
    assert time.monotonic() - started < 5


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    buffer = io.BytesIO(SAMPLE.read_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (300 << 20))  # 300 MB of zeros, ~300 KB packed
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(buffer.getvalue())
    started = time.monotonic()
    with pytest.raises(AppError, match="解压后过大"):
        read_workbook(path)
    assert time.monotonic() - started < 5


def test_broken_xml_is_refused_with_what_to_do(tmp_path):
    source = zipfile.ZipFile(SAMPLE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of an element
            archive.writestr(info.filename, data)
    path = tmp_path / "坏的.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(AppError, match="另存为"):
        read_workbook(path)


def test_an_encrypted_workbook_asks_for_the_password_to_be_removed():
    # An .xlsx with an opening password, as Excel writes it: an OLE2 file holding EncryptionInfo
    # and EncryptedPackage (tests/data/README.md says how it was made).
    with pytest.raises(AppError, match="设置了打开密码"):
        read_workbook(DATA / "roster_encrypted.xlsx")


@pytest.mark.parametrize("suffix", [".et", ".ods", ".csv"])
def test_other_formats_say_how_to_save_as_xlsx(tmp_path, suffix):
    path = tmp_path / f"花名册{suffix}"
    path.write_bytes(b"whatever")
    with pytest.raises(AppError, match="另存为”Excel 工作簿（.xlsx）"):
        read_workbook(path)


def test_the_second_row_of_a_two_row_header_is_not_a_person(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "基本情况", None, "所在村（社区）"])
    ws.append([None, "姓名", "性别", None])
    ws.append([1, "赵六", "男", "中山路社区"])
    ws.merge_cells("B1:C1")
    ws.merge_cells("A1:A2")
    ws.merge_cells("D1:D2")
    path = tmp_path / "两行表头.xlsx"
    wb.save(path)
    names = [v.name for v in read_workbook(path)]
    assert names == ["赵六"]


def test_entity_expansion_in_a_sheet_is_refused_quickly(tmp_path):
    """A "billion laughs" sheet: refused at once as broken, never expanded into gigabytes."""
    source = zipfile.ZipFile(SAMPLE)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                       for i in range(1, 10))
            + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = bomb if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            archive.writestr(info.filename, data)
    path = tmp_path / "实体.xlsx"
    path.write_bytes(buffer.getvalue())
    started = time.monotonic()
    with pytest.raises(AppError):
        read_workbook(path)
    assert time.monotonic() - started < 5


def _verdicts(path):
    return [(v.verdict, v.name, v.values, v.extra) for v in read_workbook(path)]


def test_an_ods_saved_by_libreoffice_or_wps_reads_like_the_xlsx():
    assert _verdicts(DATA / "roster_sample.ods") == _verdicts(SAMPLE)


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_formulas_in_xls_and_ods_are_refused_like_xlsx_ones(suffix):
    """What the clerk saw: in an .xls, a HYPERLINK's "点击" and =1+1's "2" were imported as names.
    The same roster saved as .xlsx, .xls and .ods (by LibreOffice) gets the same verdicts."""
    rows = {v.row: v for v in read_workbook(DATA / f"roster_formulas{suffix}")}
    same = {v.row: v for v in read_workbook(DATA / "roster_formulas.xlsx")}
    assert {r: (v.verdict, v.reason) for r, v in rows.items()} == {r: (v.verdict, v.reason) for r, v in same.items()}
    assert rows[2].reason == "“姓名”是公式，请改为文字"  # =1+1, cached "2"
    assert rows[3].reason == "“所在村（社区）”是公式，请改为文字"  # =D5, cached "中山路社区"
    assert rows[4].reason == "“姓名”是公式，请改为文字"  # =HYPERLINK(…,"点击")
    assert rows[6].reason == "“姓名”是公式，请改为文字"  # ="李"&"四"
    assert rows[5].verdict == "ok" and rows[5].name == "王五"  # a formula in 序号 is no harm


@pytest.mark.parametrize("fixture, renamed", [("roster_sample.xls", "花名册.xlsx"), ("roster_sample.ods", "花名册.xlsx"),
                                              ("roster_sample.xlsx", "花名册.xls"), ("roster_sample.xlsx", "花名册.ods")])
def test_the_format_is_told_by_content_not_by_name(tmp_path, fixture, renamed):
    """An .xls named .xlsx used to be reported as encrypted: it is read as the .xls it is."""
    path = tmp_path / renamed
    path.write_bytes((DATA / fixture).read_bytes())
    assert _verdicts(path) == _verdicts(SAMPLE)


def test_a_word_document_named_xls_is_called_what_it_is(tmp_path):
    """An OLE2 file, like an .xls, but without a workbook in it (a Word 97 document)."""
    path = tmp_path / "花名册.xls"
    path.write_bytes((DATA / "notice.doc").read_bytes())
    with pytest.raises(AppError, match="不是 Excel 文件") as refused:
        read_workbook(path)
    assert "加密" not in str(refused.value)


ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink">'
            "<office:body><office:spreadsheet>")


def ods(tmp_path, tables: str, name="花名册.ods", manifest_extra=""):
    """An .ods as LibreOffice lays it out: mimetype first and stored, content.xml, a manifest."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", ODS_HEAD + tables + "</office:spreadsheet></office:body></office:document-content>")
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                         f'manifest:full-path="content.xml" manifest:media-type="text/xml">{manifest_extra}'
                         '</manifest:file-entry></manifest:manifest>')
    return path


def ods_row(*cells, repeated=1):
    texts = "".join(c if c.startswith("<") else f'<table:table-cell office:value-type="string"><text:p>{c}</text:p>'
                    "</table:table-cell>" for c in cells)
    return f'<table:table-row table:number-rows-repeated="{repeated}">{texts}</table:table-row>'


HEADER_ROW = ods_row("序号", "姓名", "性别", "所在村（社区）")


def test_an_ods_tail_of_a_million_empty_rows_costs_nothing(tmp_path):
    """LibreOffice ends each sheet with its empty rows and columns as one repeated row."""
    tail = ('<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
            'table:number-columns-repeated="16384"/></table:table-row>')
    path = ods(tmp_path, f'<table:table table:name="花名册">{HEADER_ROW}{ods_row("1", "赵六", "男", "红旗社区")}'
                         f"{tail}</table:table>")
    started = time.monotonic()
    assert [(v.verdict, v.name, v.extra["community"]) for v in read_workbook(path)] == [("ok", "赵六", "红旗社区")]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("crafted", [
    ods_row("1", "赵六", "男", "红旗社区", repeated=1_000_000),  # one filled row, a million times
    '<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="16384">'
    "<text:p>满</text:p></table:table-cell></table:table-row>",  # one filled cell across every column
])
def test_an_ods_that_repeats_filled_cells_past_the_caps_is_refused_at_once(tmp_path, crafted):
    path = ods(tmp_path, f'<table:table table:name="花名册">{HEADER_ROW}{crafted}</table:table>')
    started = time.monotonic()
    with pytest.raises(AppError, match="使用范围过大"):
        read_workbook(path)
    assert time.monotonic() - started < 5


def test_an_ods_cell_reads_as_libreoffice_shows_it(tmp_path):
    """Spaces (text:s), line breaks, links and spans are the cell's text; a comment is not; a
    merged cell's value is its block's; numbers and dates are typed."""
    name = ('<table:table-cell office:value-type="string"><office:annotation><text:p>备注：核实</text:p>'
            '</office:annotation><text:p>欧阳<text:s text:c="2"/><text:span>娜娜</text:span></text:p></table:table-cell>')
    community = ('<table:table-cell office:value-type="string" table:number-rows-spanned="2"><text:p>'
                 '<text:a xlink:href="http://x">红旗社区</text:a></text:p></table:table-cell>')
    birth = ('<table:table-cell office:value-type="date" office:date-value="1980-05-01"><text:p>1980年5月</text:p>'
             "</table:table-cell>")
    path = ods(tmp_path, '<table:table table:name="花名册">'
                         + ods_row("序号", "姓名", "所在村（社区）", "出生日期")
                         + ods_row('<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
                                   "</table:table-cell>", name, community, birth)
                         + ods_row('<table:table-cell office:value-type="float" office:value="2"/>', "钱七",
                                   "<table:covered-table-cell/>")
                         + "</table:table>")
    sheet = read_sheets_of(path)[0]
    assert sheet.grid[1][0] == 1 and sheet.grid[1][1] == "欧阳  娜娜" and sheet.grid[1][3].year == 1980
    assert sheet.merged == [(2, 3, 3, 3)]
    verdicts = read_workbook(path)
    assert [(v.name, v.extra["community"]) for v in verdicts] == [("欧阳 娜娜", "红旗社区"), ("钱七", "红旗社区")]


def read_sheets_of(path):
    from app.workbooks import read_sheets

    return read_sheets(path)


def test_an_encrypted_ods_asks_for_the_password_to_be_removed(tmp_path):
    path = ods(tmp_path, '<table:table table:name="花名册"/>',
               manifest_extra='<manifest:encryption-data manifest:checksum-type="SHA1" manifest:checksum="x"/>')
    with pytest.raises(AppError, match="设置了打开密码"):
        read_workbook(path)


def test_a_dtd_in_an_ods_is_refused_as_crafted(tmp_path):
    path = tmp_path / "实体.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
                                        + ODS_HEAD[len('<?xml version="1.0" encoding="UTF-8"?>'):]
                                        + "</office:spreadsheet></office:body></office:document-content>")
    with pytest.raises(AppError, match="已损坏"):
        read_workbook(path)


@pytest.mark.parametrize("cap, value, message", [("MAX_CELLS", 30, "超过 30 个"), ("MAX_ROWS", 12, "使用范围过大"),
                                                 ("MAX_MERGED", 3, "合并单元格超过 3 处")])
@pytest.mark.parametrize("fixture", ["roster_sample.xlsx", "roster_sample.xls", "roster_sample.ods"])
def test_each_cap_holds_for_every_format(monkeypatch, cap, value, message, fixture):
    """The sample roster has 27 rows, 16 columns and 7 merged ranges: under a smaller cap it is
    refused, in each format, with the cap named."""
    monkeypatch.setattr(f"app.workbooks.base.{cap}", value)
    with pytest.raises(AppError, match=message):
        read_workbook(DATA / fixture)


def test_the_row_cap_counts_every_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr("app.workbooks.base.MAX_ROWS", 30)
    wb = Workbook()
    for title in ("甲", "乙"):
        ws = wb.create_sheet(title)
        for number in range(20):
            ws.append([number, "某某"])
    path = tmp_path / "两张表.xlsx"
    wb.save(path)
    with pytest.raises(AppError, match="各工作表合计超过 30 行"):
        read_workbook(path)


def test_overlapping_merged_ranges_are_refused_as_crafted(tmp_path):
    """Merged ranges never overlap in a real sheet; 2,000 copies of the whole sheet's range would
    make the roster's merge filling walk the grid 2,000 times."""
    buffer = io.BytesIO(SAMPLE.read_bytes())
    source = zipfile.ZipFile(buffer)
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    crafted = sheet.replace("</mergeCells>", '<mergeCell ref="A1:P27"/>' * 2000 + "</mergeCells>")
    path = tmp_path / "重叠.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, crafted if info.filename == "xl/worksheets/sheet1.xml"
                             else source.read(info.filename))
    with pytest.raises(AppError, match="合并单元格互相重叠"):
        read_workbook(path)


def test_xlsx_cells_without_a_reference_and_rich_text_read_as_excel_shows_them(tmp_path):
    """Cells may omit their reference (some generators); rich text runs join; phonetic guides
    are left out; a date style gives a date."""
    buffer = io.BytesIO(SAMPLE.read_bytes())
    source = zipfile.ZipFile(buffer)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows = ('<row r="1"><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>性别</t></is></c>'
            '<c t="inlineStr"><is><t>所在村（社区）</t></is></c></row>'
            '<row r="2"><c r="A2" s="1"/><c t="inlineStr"><is><r><t>男</t></r></is></c>'
            '<c t="inlineStr"><is><r><t>红旗</t></r><r><t>社区</t></r><rPh><t>ホン</t></rPh></is></c></row>'
            '<row r="3"><c r="A3" t="inlineStr"><is><t>孙八</t></is></c><c t="inlineStr"><is><t>女</t></is></c>'
            '<c r="C3" t="inlineStr"><is><t>红旗社区</t></is></c></row>')
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>'
    path = tmp_path / "无引用.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml"
                             else source.read(info.filename))
    grid = read_sheets_of(path)[0].grid
    assert grid[1] == [None, "男", "红旗社区"] and grid[2] == ["孙八", "女", "红旗社区"]


def test_an_xls_cut_short_is_refused_as_broken(tmp_path):
    """A copy that stopped halfway (the stick pulled): refused with what to do, no traceback."""
    data = (DATA / "roster_sample.xls").read_bytes()
    path = tmp_path / "半截.xls"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(AppError, match="另存为"):
        read_workbook(path)


@pytest.mark.parametrize("fixture", ["roster_sample.xlsx", "roster_sample.xls", "roster_sample.ods", "roster_formulas.xls",
                                     "roster_encrypted.xlsx", "notice.doc"])
def test_a_damaged_file_of_any_kind_is_refused_with_a_message_never_a_traceback(tmp_path, fixture):
    """Cut short, or with bytes changed here and there (a failing stick, a bad download): read,
    or refused with a Chinese message, quickly: never an exception the clerk would see as a bug,
    never a read that grows without end (crafted sector chains, sector sizes, code pages…)."""
    import random

    rng = random.Random(fixture)
    data = (DATA / fixture).read_bytes()
    path = tmp_path / f"坏的{Path(fixture).suffix}"
    started = time.monotonic()
    for attempt in range(60):
        if attempt % 3 == 0:
            path.write_bytes(data[: rng.randrange(len(data))])
        else:
            mutated = bytearray(data)
            for _ in range(rng.randrange(1, 30)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            path.write_bytes(bytes(mutated))
        try:
            read_workbook(path)
        except AppError:
            pass
    assert time.monotonic() - started < 30
