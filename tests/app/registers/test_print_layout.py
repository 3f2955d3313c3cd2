"""Every register of the CLI as the district office prints it: LibreOffice turns it into a PDF
(honouring the sheet's page set-up) and the PDF is measured; and its cells read back typed."""

import itertools
import shutil
from datetime import date, datetime

import pdfplumber
import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from app.registers.catalog import REGISTERS, export_register
from app.registers.writer import Column, Register, write_register

TYPED = {  # register -> {header: type openpyxl must read}
    "roster": {"出生日期": datetime},
    "candidates": {"出生年月": datetime},
    "meetings": {"日期": datetime, "落实事项数": int},
    "attendance": {"出席合计": int, "出席率": (int, float)},
    "ledger": {"收集日期": datetime},
    "supervision": {"督办日期": datetime},
    "quotas": {"确定人数": int},
    "audit": {"编号": int, "时间": datetime},
    "visits": {"走访日期": datetime, "接触群众": int, "形成意见": int},
    "actions": {"会议日期": datetime, "完成期限": datetime, "完成日期": datetime},
}


@pytest.mark.parametrize("name", sorted(TYPED))
def test_counts_percentages_and_dates_are_typed_cells(demo, tmp_path, name):
    export_register(demo, name, tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx").active
    header = [c.value for c in ws[3]]
    for title, kind in TYPED[name].items():
        column = header.index(title) + 1
        values = [ws.cell(r, column).value for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value]
        assert values and all(isinstance(v, kind) for v in values if v is not None), (title, values[:3])
        formats = {ws.cell(r, column).number_format for r in range(4, 4 + len(values))
                   if ws.cell(r, column).value is not None}
        if kind is datetime and title in ("出生年月",):
            assert formats == {"yyyy-mm"}
        elif kind is datetime and title != "时间":
            assert formats == {"yyyy-mm-dd"}  # one date format across all registers
        if title == "出席率":
            assert formats == {"0.0%"}


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    rows = [{"t": "=1+1"}, {"t": "+86 138"}, {"t": "-3"}, {"t": "@home"}, {"t": "0123"}]
    write_register(tmp_path / "f.xlsx", Register("测试", "单位", [Column("内容", "t")], rows))
    ws = load_workbook(tmp_path / "f.xlsx").active
    cells = [ws.cell(r, 2) for r in range(4, 9)]
    assert [c.value for c in cells] == ["=1+1", "+86 138", "-3", "@home", "0123"]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]


# The column that says whose (or which) row it is, for every register.
IDENTIFYING = {
    "roster": "姓名", "candidates": "姓名", "joint_review": "姓名", "notice_list": "姓名", "quotas": "项目",
    "groups": "姓名", "grids": "网格", "contacts": "联系议事代表", "institutions": "名称", "venues": "阵地名称",
    "meetings": "会议名称", "rota": "邻里议事堂", "attendance": "姓名", "performance": "姓名", "visits": "代表",
    "actions": "落实事项", "departments": "简称",
    "ledger": "意见建议", "supervision": "意见建议", "stats": "统计项目", "audit": "内容", "issued": "发文字号",
}
HEADER_FILL = (0.867, 0.902, 0.941)  # the header row's fill (DDE6F0), as LibreOffice draws it
PAGE_PT = {"a4": (841.9, 595.3), "a3": (1190.6, 841.9)}


def print_with_libreoffice(folder, names):
    """The registers printed as the district office prints them, with LibreOffice set up as for the
    Word files (its own profile, the shipped faces standing in for 宋体 where the machine has no
    Chinese font of its own)."""
    from tests.app.documents.office import convert

    convert([folder / f"{name}.xlsx" for name in names], "pdf", folder, folder / "office")


def printed_headers(path) -> list[str]:
    """The header row of the sheet's print area: 序号 and the printed columns, as the file says."""
    ws = load_workbook(path).active
    area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
    last = area.split(":")[-1].lstrip("$").rstrip("0123456789$")
    return [c.value for c in ws[3][:column_index_from_string(last)]]


def page_columns(page) -> tuple[list[tuple[float, float, str]], float, float]:
    """The table's columns on a printed page: (left, right, header text) from the cell borders
    across the header row's band, and the band's top and bottom."""
    bands = [r for r in page.rects if r["fill"] and all(
        abs(a - b) < 0.01 for a, b in zip(r["non_stroking_color"] or (), HEADER_FILL))]
    assert bands, "no header row on the page"
    band = min(bands, key=lambda r: r["top"])
    top, bottom = band["top"], band["bottom"]
    middle = (top + bottom) / 2
    xs = sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"
                 and e["top"] <= middle <= e["bottom"] and band["x0"] - 2 <= e["x0"] <= band["x1"] + 2})
    edges = [x for i, x in enumerate(xs) if i == 0 or x - xs[i - 1] > 1.5]  # a border drawn twice
    columns = []
    for left, right in zip(edges, edges[1:]):
        chars = sorted((c for c in page.chars if top <= (c["top"] + c["bottom"]) / 2 <= bottom
                        and left <= (c["x0"] + c["x1"]) / 2 <= right and c["text"].strip()),
                       key=lambda c: (round(c["top"]), c["x0"]))
        columns.append((left, right, "".join(c["text"] for c in chars)))
    return columns, top, bottom


def row_numbers(page, left, right, below) -> list[int]:
    """The 序号 printed in the column between `left` and `right`, under the header row."""
    words = page.extract_words()
    return [int(w["text"]) for w in words if w["text"].isdigit() and w["top"] > below
            and left <= (w["x0"] + w["x1"]) / 2 <= right]


def check_whole_rows(pdf_path, headers, name, paper="a4"):
    """Every page: the paper, landscape; the header row with exactly the printed columns (so the
    identifying one and the last printed one); the body at 9 pt or more, measured on the glyphs;
    nothing drawn over anything else; and every row once, in order, over all pages."""
    numbers = []
    with pdfplumber.open(pdf_path) as pdf:
        first = pdf.pages[0].extract_text() or ""
        assert "填报单位" in first, name
        title = max(pdf.pages[0].chars, key=lambda c: c["size"])
        assert title["size"] >= 12, name  # the title row on the first page
        for number, page in enumerate(pdf.pages, 1):
            width, height = PAGE_PT[paper]
            assert abs(page.width - width) < 2 and abs(page.height - height) < 2, (name, number, page.width)
            columns, _, band_bottom = page_columns(page)
            shown = [text for _, _, text in columns]
            assert shown == headers, (name, number, shown)
            assert IDENTIFYING[name] in shown and shown[-1] == headers[-1]
            chars = [c for c in page.chars if c["text"].strip()]
            body = [c for c in chars if c["top"] > band_bottom]
            assert min(c["bottom"] - c["top"] for c in body) >= 9 - 0.05, (name, number)
            assert min(c["size"] for c in chars) >= 9 - 0.05, (name, number)
            _no_overprint(chars, name, number)
            numbers += row_numbers(page, columns[0][0], columns[0][1], band_bottom)
        pages = len(pdf.pages)
    return numbers, pages


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_every_register_prints_whole_rows_legibly_through_libreoffice(demo, tmp_path):
    rows = {name: export_register(demo, name, tmp_path / f"{name}.xlsx")["rows"] for name in REGISTERS}
    print_with_libreoffice(tmp_path, REGISTERS)
    for name in REGISTERS:
        headers = printed_headers(tmp_path / f"{name}.xlsx")
        numbers, _ = check_whole_rows(tmp_path / f"{name}.pdf", headers, name)
        assert numbers == list(range(1, rows[name] + 1)), name  # every row once: none printed twice across
    with pdfplumber.open(tmp_path / "stats.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace("\n", "").replace(" ", "")
    year = demo.summary.default_year()  # the report's year, or from October the current one
    assert f"（{year}年）" in text and "办结率＝已办结条数÷已交办条数" in text  # the definition is printed
    # the file keeps every column; only the print area is narrower
    ws = load_workbook(tmp_path / "roster.xlsx").active
    header = [c.value for c in ws[3]]
    assert {"身份证号", "聘书编号", "备注", "民族"} <= set(header)
    assert "身份证号" not in printed_headers(tmp_path / "roster.xlsx")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_an_office_that_prints_a3_gets_more_columns_on_a3(demo, tmp_path):
    wide = ["roster", "candidates", "ledger", "meetings", "supervision", "venues"]
    a4 = {name: printed_headers(export_register(demo, name, tmp_path / f"a4-{name}.xlsx")["path"]) for name in wide}
    demo.settings.update({"register_paper": "a3"})
    rows = {name: export_register(demo, name, tmp_path / f"{name}.xlsx")["rows"] for name in wide}
    print_with_libreoffice(tmp_path, wide)
    for name in wide:
        headers = printed_headers(tmp_path / f"{name}.xlsx")
        assert len(headers) > len(a4[name]) and set(a4[name]) < set(headers), name
        assert load_workbook(tmp_path / f"{name}.xlsx").active.page_setup.paperSize == 8  # A3
        numbers, _ = check_whole_rows(tmp_path / f"{name}.pdf", headers, name, paper="a3")
        assert numbers == list(range(1, rows[name] + 1)), name


def _no_overprint(chars, name, number):
    """No two different characters drawn over each other (a wrapped cell running into the next row)."""
    buckets = {}
    for c in chars:
        buckets.setdefault((int(c["x0"] // 30), int(c["top"] // 30)), []).append(c)
    for group in buckets.values():
        for a, b in itertools.combinations(group, 2):
            if (a["text"], round(a["x0"]), round(a["top"])) == (b["text"], round(b["x0"]), round(b["top"])):
                continue  # the same character drawn twice in one place (a merged title cell)
            ox = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            oy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            assert not (ox > 2 and oy > 2), (name, number, a["text"], b["text"], a["top"], b["top"])


def test_a_month_only_date_and_a_percent_read_back(tmp_path):
    from app.registers.writer import Percent

    rows = [{"m": "1976.03", "p": Percent(0.925)}]
    write_register(tmp_path / "m.xlsx", Register("测试", "单位", [Column("出生年月", "m", kind="month"),
                                                                 Column("比例", "p", kind="percent")], rows))
    ws = load_workbook(tmp_path / "m.xlsx").active
    assert ws.cell(4, 2).value.date() == date(1976, 3, 1) and ws.cell(4, 2).number_format == "yyyy-mm"
    assert ws.cell(4, 3).value == pytest.approx(0.925) and ws.cell(4, 3).number_format == "0.0%"
