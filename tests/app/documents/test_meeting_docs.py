from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.documents.catalog import export_doc
from app.documents.gbt9704 import PAGE_H
from app.services.meetings import MeetingFilter


@pytest.fixture
def first_plenary(demo):
    return demo.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]["id"]


def text_positions(page):
    spots = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            spots.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return spots


def embedded_fonts(reader):
    """(name, embedded?) for every font used on every page."""
    out = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            out.append((str(font.get("/BaseFont")), any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                                                    "/FontFile3"))))
    return out


@pytest.mark.parametrize("kind", ["minutes", "meeting_notice", "signin"])
def test_official_layout_fonts_and_page_numbers(demo, first_plenary, tmp_path, kind):
    path = tmp_path / f"{kind}.pdf"
    export_doc(demo, kind, first_plenary, path)
    reader = PdfReader(path)
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 210 * mm) < 1 and abs(float(page.mediabox.height) - 297 * mm) < 1
    spots = text_positions(page)
    body = [s for s in spots if not s[2].strip().startswith("—")]
    left = min(x for x, _, _ in body)
    assert abs(left - 28 * mm) <= 2 * mm, left / mm
    top_baseline = max(y for _, y, _ in body)
    top_margin = PAGE_H - top_baseline  # the first baseline sits one ascent below the margin
    if kind == "meeting_notice":  # sent out under the 版头: its top edge 35 mm below the block's (§7.2.3)
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            mark = [c for c in pdf.pages[0].chars if c["size"] > 24]
        assert abs(min(c["top"] for c in mark) - 72 * mm) <= 1 * mm
    else:
        assert 37 * mm - 2 * mm <= top_margin <= 37 * mm + 12 * mm, top_margin / mm
    fonts = embedded_fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, 1):
        assert f"— {number} —" in text


def test_minutes_list_attendance_votes_and_action_items(demo, first_plenary, tmp_path):
    path = tmp_path / "minutes.pdf"
    export_doc(demo, "minutes", first_plenary, path)
    text = "".join(p.extract_text() for p in PdfReader(path).pages).replace("\n", "")
    assert "纪要" in text and "出席：" in text and "请假：" in text and "列席：" in text
    assert "票决结果" in text and "赞成" in text and "落实事项" in text
    last = demo.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert last["action"] == "export" and "会议纪要" in last["summary"]


def test_the_flowchart_pdf_shows_overdue_steps(demo, tmp_path):
    second = demo.meetings.page(MeetingFilter(kind="plenary", descending=True))[0]["id"]
    path = tmp_path / "flow.pdf"
    from app.documents.meeting_docs import flowchart

    flowchart(demo, second, path, today=date.today())
    text = PdfReader(path).pages[0].extract_text().replace("\n", "")
    assert "会前" in text and "会中" in text and "会后" in text
    late = [s["due_date"] for s in demo.meetings.steps(second) if not s["done_on"] and s["due_date"] < date.today().isoformat()]
    day = date.fromisoformat(late[0]) if late else None
    assert len(late) == 1 and f"已逾期（期限 {day.month}月{day.day}日）" in text
    assert all(embedded for _, embedded in embedded_fonts(PdfReader(path)))


def test_user_text_is_not_markup(demo, first_plenary, tmp_path):
    demo.meetings.save_minutes(first_plenary, "议题 <b>加粗</b> & 其他", "", [])
    path = tmp_path / "m.pdf"
    export_doc(demo, "minutes", first_plenary, path)
    assert "<b>加粗</b> & 其他" in PdfReader(path).pages[0].extract_text().replace("\n", "")
