"""Workbooks as they arrive: crafted, broken, huge, encrypted, old-format or not Excel at all.
Each is refused within seconds with a Chinese message saying what to do, or read like the .xlsx."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from app.errors import AppError
from app.importer import read_workbook
from tests.conftest import ROOT

SAMPLE = ROOT / "tests" / "data" / "roster_sample.xlsx"


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


def test_an_encrypted_workbook_asks_for_the_password_to_be_removed(tmp_path):
    from app.workbooks import OLE_MAGIC

    path = tmp_path / "加密.xlsx"
    path.write_bytes(OLE_MAGIC + b"\0" * 4096)  # what Excel writes for a workbook with an opening password
    with pytest.raises(AppError, match="打开密码"):
        read_workbook(path)


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
