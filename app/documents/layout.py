"""Shared pieces of the PDF documents: cell styles for tables, landscape pages for printed ledgers,
Chinese numbers. Tables are described in `tables`; official documents are laid out on the GB/T 9704
grid by `gbt9704` and `official`."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from app.common.fileio import atomic_path
from app.documents.fonts import FONT_NAMES, markup, register_fonts
from app.documents.gbt9704 import PAGE_NO_PT
from app.documents.metadata import template_info


def _no_line_start_punctuation() -> None:
    """reportlab's CJK line breaker (table cells) keeps 、。） off the start of a line but not the
    full-width ，；：！？ — add them, or a cell may begin with a comma."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    extra = "，；：！？”’》〉」』】"
    for module in (textsplit, paragraph):  # one-run paragraphs use textsplit's copy, others paragraph's
        module.ALL_CANNOT_START += "".join(ch for ch in extra if ch not in module.ALL_CANNOT_START)


_no_line_start_punctuation()


def styles() -> dict[str, ParagraphStyle]:
    """Cell styles for tables in documents (forms, lists)."""
    register_fonts()
    f = FONT_NAMES
    return {
        "title": ParagraphStyle("title", fontName=f["title"], fontSize=18, leading=26, alignment=TA_CENTER,
                                wordWrap="CJK", spaceAfter=4),
        "table": ParagraphStyle("table", fontName=f["fangsong"], bulletFontName=f["fangsong"], fontSize=12,
                                leading=16, alignment=TA_LEFT, wordWrap="CJK"),
        "table_head": ParagraphStyle("table_head", fontName=f["hei"], bulletFontName=f["hei"], fontSize=12,
                                     leading=16, alignment=TA_CENTER, wordWrap="CJK"),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text: escaped, so '<' or '&' typed by the clerk stay as typed; its line
    breaks kept."""
    return Paragraph("<br/>".join(markup(line, style.fontName) for line in (text or "").split("\n")), style)


CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CHINESE_NUMBERS[tens - 1] + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")


def _landscape_page_number(canvas, doc) -> None:
    from reportlab.lib.pagesizes import landscape

    width, _ = landscape(A4)
    canvas.saveState()
    canvas.setFont(FONT_NAMES["song"], PAGE_NO_PT)
    canvas.drawCentredString(width / 2, 10 * mm, f"— {canvas.getPageNumber()} —")
    canvas.restoreState()


def build_landscape(path: Path | str, story: list, *, title: str, author: str = "") -> Path:
    """A4 landscape pages (printed ledgers): 15 mm margins, page numbers at the foot."""
    from reportlab.lib.pagesizes import landscape

    size = landscape(A4)
    with atomic_path(path) as temp:
        doc = BaseDocTemplate(str(temp), pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm,
                              topMargin=15 * mm, bottomMargin=18 * mm, initialFontName=FONT_NAMES["song"],
                              **template_info(title=title, author=author))
        frame = Frame(15 * mm, 18 * mm, size[0] - 30 * mm, size[1] - 33 * mm, id="table")
        doc.addPageTemplates([PageTemplate(id="ledger", frames=[frame], onPage=_landscape_page_number)])
        doc.build(story)
    return Path(path)
