"""Every register of the CLI as the district office prints it: LibreOffice turns it into a PDF
(honouring the sheet's page set-up) and the PDF is measured; and its cells read back typed."""

import itertools
import shutil
import subprocess
from datetime import date, datetime

import pdfplumber
import pytest
from openpyxl import load_workbook

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


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_every_register_prints_legibly_through_libreoffice(demo, tmp_path):
    for name in REGISTERS:
        export_register(demo, name, tmp_path / f"{name}.xlsx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{name}.xlsx") for name in REGISTERS]],
                   check=True, capture_output=True, timeout=600, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    for name in REGISTERS:
        with pdfplumber.open(tmp_path / f"{name}.pdf") as pdf:
            first = pdf.pages[0].extract_text() or ""
            assert "填报单位" in first, name
            title = max(pdf.pages[0].chars, key=lambda c: c["size"])
            assert title["size"] >= 12, name  # the title row on the first page
            for number, page in enumerate(pdf.pages, 1):
                chars = [c for c in page.chars if c["text"].strip()]
                assert "序号" in (page.extract_text() or ""), (name, number)  # header row repeated
                assert min(c["size"] for c in chars) >= 9 - 0.05, (name, number)
                _no_overprint(chars, name, number)


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
