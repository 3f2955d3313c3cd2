"""The public notice, the certificates and the filing report of the demo's completed round."""

import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.common.errors import ConflictError
from app.common.textutil import chinese_date
from app.documents.catalog import export_doc
from app.registers.catalog import export_register
from tests.app.documents.test_meeting_docs import embedded_fonts
from tests.conftest import DEMO_YEAR


def pdf_text(path):
    return "".join(page.extract_text() for page in PdfReader(path).pages).replace("\n", "").replace(" ", "")


def test_public_notice_lists_the_candidates_with_the_working_day_period(demo, tmp_path):
    out = tmp_path / "公示.pdf"
    result = export_doc(demo, "notice", None, out)
    assert result["title"] == "议事代表人选公示"
    text = pdf_text(out)
    notice = demo.rows("SELECT notice_start, notice_end FROM nomination_rounds")[0]
    assert f"{chinese_date(notice['notice_start'])}至{chinese_date(notice['notice_end'])}（3个工作日）" in text
    assert "第一届议事代表名额70名，现将联审合格的100名人选予以公示" in text
    reader = PdfReader(out)
    assert all(embedded for _, embedded in embedded_fonts(reader))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / mm), round(height / mm)) == (210, 297)
    assert "导出议事代表人选公示" in demo.scalar("SELECT summary FROM audit ORDER BY seq DESC LIMIT 1")


def test_certificates_one_landscape_page_each_with_unique_serials(demo, tmp_path):
    out = tmp_path / "聘书.pdf"
    export_doc(demo, "certificates", None, out)
    reader = PdfReader(out)
    assert len(reader.pages) == 70
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / mm), round(height / mm)) == (297, 210)
    serials = [re.search(rf"中山路议聘〔{DEMO_YEAR - 1}〕\d{{3}}号", page.extract_text()).group(0) for page in reader.pages]
    assert len(set(serials)) == 70
    names = {r["certificate_no"]: r["name"] for r in demo.rows("SELECT name, certificate_no FROM delegates")}
    first = reader.pages[0].extract_text().replace("\n", "")
    term_ends = "".join("〇一二三四五六七八九"[int(c)] for c in str(DEMO_YEAR + 4))  # the term's last February
    assert names[serials[0]] in first and f"任期至{term_ends}年二月" in first
    assert all(embedded for _, embedded in embedded_fonts(reader))


def test_certificates_for_chosen_delegates_only(demo, tmp_path):
    one = demo.scalar("SELECT id FROM delegates WHERE certificate_no LIKE '%005号'")
    export_doc(demo, "certificates", None, tmp_path / "one.pdf", delegate_ids=[one])
    assert len(PdfReader(tmp_path / "one.pdf").pages) == 1


def test_filing_report_states_the_procedure_and_the_composition(demo, tmp_path):
    out = tmp_path / "备案.pdf"
    export_doc(demo, "filing", None, out)
    text = pdf_text(out)
    assert "关于中山路街道第一届议事代表推选情况的报告永川区人大常委会：" in text
    assert "共推荐初步人选110名" in text and "最终确定第一届议事代表70名" in text
    assert f"中山路议聘〔{DEMO_YEAR - 1}〕001号至中山路议聘〔{DEMO_YEAR - 1}〕070号" in text
    assert "5个议事小组" in text and "附件" in text


def test_documents_refuse_a_round_not_that_far(store, tmp_path):
    store.terms.create({"name": "第一届", "start_date": "2025-03-01"})
    store.nomination.open_round({"name": "第一届推选", "opened_on": "2025-01-06", "seats": 3})
    for kind, message in (("notice", "尚未公示"), ("certificates", "还没有颁发聘书"), ("filing", "尚未经党工委确认")):
        with pytest.raises(ConflictError, match=message):
            export_doc(store, kind, None, tmp_path / f"{kind}.pdf")
        assert not (tmp_path / f"{kind}.pdf").exists()


def sheet_rows(path):
    ws = load_workbook(path).active
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=4)]
    return header, [r for r in rows if str(r["序号"] or "").isdigit()]  # not the note below the table


def test_selection_registers(demo, tmp_path):
    export_register(demo, "candidates", tmp_path / "c.xlsx")
    header, rows = sheet_rows(tmp_path / "c.xlsx")
    assert len(rows) == 110 and "推荐方式" in header and "未通过原因" in header
    assert sum(r["进展"] == "已备案" for r in rows) == 70
    assert all("*" in r["身份证号"] for r in rows)
    export_register(demo, "joint_review", tmp_path / "j.xlsx")
    header, rows = sheet_rows(tmp_path / "j.xlsx")
    assert header[-5:] == ["街道党工委组织办", "街道纪工委", "派出所", "街道综治中心", "联审结论"]
    assert sum(r["联审结论"] == "不合格" for r in rows) == 2
    export_register(demo, "notice_list", tmp_path / "n.xlsx")
    assert len(sheet_rows(tmp_path / "n.xlsx")[1]) == 100
    export_register(demo, "quotas", tmp_path / "q.xlsx")
    header, rows = sheet_rows(tmp_path / "q.xlsx")
    assert rows[-1]["类别"] == "合计" and rows[-1]["确定人数"] == 70
    assert {r["情况"] for r in rows} == {"已满足"}


def test_a_certificates_body_lines_share_one_left_edge(demo, tmp_path):
    """聘书: 兹聘请…同志为 / …议事代表。 / 任期至…年…月。 start at one left edge (not three)."""
    import pdfplumber

    export_doc(demo, "certificates", None, tmp_path / "c.pdf")
    with pdfplumber.open(tmp_path / "c.pdf") as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    lines: dict = {}
    for c in chars:
        lines.setdefault(round(c["bottom"]), []).append(c)
    body = []
    for cs in lines.values():
        cs.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in cs)
        if text.startswith(("兹聘请", "任期至")) or text.endswith("议事代表。"):
            body.append((cs[0]["x0"], text))
    assert len(body) == 3, body
    assert max(x for x, _ in body) - min(x for x, _ in body) < 0.5 * mm, body
