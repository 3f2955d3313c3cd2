"""GB/T 9704-2012 page layout for official documents (纪要、通知、公示、报告).

A4; top margin 37 mm, left 28 mm; text block 156 mm x 225 mm; title 2号 (22 pt) 小标宋;
body 3号 (16 pt) 仿宋, 22 lines of 28 characters; headings 一、黑体 /（一）楷体; page
numbers "— 1 —" in 4号 (14 pt) 宋体, on the outer side (right on odd pages, left on even).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer

from ..fileio import atomic_path
from .fonts import FONT_NAMES, markup, register_fonts

def _no_line_start_punctuation() -> None:
    """reportlab's CJK line breaker keeps 、。） off the start of a line but not the full-width
    ，；：！？ — add them, or a line of a Chinese document may begin with a comma."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    extra = "，；：！？”’》〉」』】"
    for module in (textsplit, paragraph):  # one-run paragraphs use textsplit's copy, others paragraph's
        module.ALL_CANNOT_START += "".join(ch for ch in extra if ch not in module.ALL_CANNOT_START)


_no_line_start_punctuation()

PAGE_W, PAGE_H = A4
TOP, LEFT = 37 * mm, 28 * mm
BLOCK_W, BLOCK_H = 156 * mm, 225 * mm
BOTTOM = PAGE_H - TOP - BLOCK_H  # 35 mm
LINE = BLOCK_H / 22  # 22 lines per page
BODY_PT, TITLE_PT, PAGE_NO_PT = 16, 22, 14


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    f = FONT_NAMES
    body = ParagraphStyle("body", fontName=f["fangsong"], bulletFontName=f["fangsong"], fontSize=BODY_PT,
                          leading=LINE,
                          firstLineIndent=2 * BODY_PT, alignment=TA_JUSTIFY, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontName=f["title"], bulletFontName=f["title"], fontSize=TITLE_PT, leading=LINE * 1.3,
                                alignment=TA_CENTER, wordWrap="CJK", spaceAfter=LINE * 0.5),
        "subtitle": ParagraphStyle("subtitle", parent=body, firstLineIndent=0, alignment=TA_CENTER),
        "body": body,
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0),
        "h1": ParagraphStyle("h1", parent=body, fontName=f["hei"]),
        "h2": ParagraphStyle("h2", parent=body, fontName=f["kai"]),
        "right": ParagraphStyle("right", parent=body, firstLineIndent=0, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", parent=body, firstLineIndent=0, leftIndent=0),
        "table": ParagraphStyle("table", fontName=f["fangsong"], bulletFontName=f["fangsong"], fontSize=12,
                                leading=16,
                                alignment=TA_LEFT, wordWrap="CJK"),
        "table_head": ParagraphStyle("table_head", fontName=f["hei"], bulletFontName=f["hei"], fontSize=12,
                                     leading=16,
                                     alignment=TA_CENTER, wordWrap="CJK"),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text: escaped, so '<' or '&' typed by the clerk stay as typed."""
    return Paragraph(markup(text or "", style.fontName), style)


def title_para(lines: list[str], style: ParagraphStyle) -> Paragraph:
    """A title broken where the writer wants it (GB/T 9704: break at a sense boundary, not
    leaving one character alone on the last line)."""
    return Paragraph("<br/>".join(markup(line, style.fontName) for line in lines), style)


def labelled(label: str, text: str, st: dict) -> Paragraph:
    """'出席：张三、李四' with the label in 黑体 (纪要 lists attendance this way)."""
    return Paragraph(f'<font name="{FONT_NAMES["hei"]}">{escape(label)}：</font>{escape(text or "无")}',
                     st["label"])


def _page_number(canvas, doc) -> None:
    number = canvas.getPageNumber()
    canvas.saveState()
    canvas.setFont(FONT_NAMES["song"], PAGE_NO_PT)
    text = f"— {number} —"
    y = BOTTOM - 7 * mm - PAGE_NO_PT * 0.8
    if number % 2:  # odd: outer side is the right, one character in from the edge
        canvas.drawRightString(LEFT + BLOCK_W - PAGE_NO_PT, y, text)
    else:
        canvas.drawString(LEFT + PAGE_NO_PT, y, text)
    canvas.restoreState()


def build_official(path: Path | str, story: list, *, title: str, author: str = "") -> Path:
    """Lay out `story` on GB/T 9704 pages and write the PDF atomically."""
    with atomic_path(path) as temp:
        doc = BaseDocTemplate(str(temp), pagesize=A4, leftMargin=LEFT, rightMargin=PAGE_W - LEFT - BLOCK_W,
                              topMargin=TOP, bottomMargin=BOTTOM, title=title, author=author,
                              creator="议事工作台",
                              # the canvas would otherwise start in (unembedded) Helvetica
                              initialFontName=FONT_NAMES["song"])
        frame = Frame(LEFT, BOTTOM, BLOCK_W, BLOCK_H, leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0, id="text")
        doc.addPageTemplates([PageTemplate(id="gbt9704", frames=[frame], onPage=_page_number)])
        doc.build(story)
    return Path(path)


def gap(lines: float = 1) -> Spacer:
    return Spacer(1, LINE * lines)


CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CHINESE_NUMBERS[tens - 1] + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")


def chinese_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def _landscape_page_number(canvas, doc) -> None:
    from reportlab.lib.pagesizes import landscape

    width, _ = landscape(A4)
    canvas.saveState()
    canvas.setFont(FONT_NAMES["song"], PAGE_NO_PT)
    canvas.drawCentredString(width / 2, 10 * mm, f"— {canvas.getPageNumber()} —")
    canvas.restoreState()


def table_flowable(headers: list[str], rows: list[list[str]], widths: list[float], st: dict, *,
                   font_size: float = 10):
    """A bordered LongTable whose header row repeats on every page; user text is escaped."""
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    cell = ParagraphStyle("cell", parent=st["table"], fontSize=font_size, leading=font_size * 1.3)
    head = ParagraphStyle("head", parent=st["table_head"], fontSize=font_size, leading=font_size * 1.3)
    data = [[para(h, head) for h in headers]] + [[para(str(v or ""), cell) for v in row] for row in rows]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("FONTNAME", (0, 0), (-1, -1), FONT_NAMES["fangsong"]),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    return table


def build_landscape(path: Path | str, story: list, *, title: str, author: str = "") -> Path:
    """A4 landscape pages (printed ledgers): 15 mm margins, page numbers at the foot."""
    from reportlab.lib.pagesizes import landscape

    size = landscape(A4)
    with atomic_path(path) as temp:
        doc = BaseDocTemplate(str(temp), pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm,
                              topMargin=15 * mm, bottomMargin=18 * mm, title=title, author=author,
                              creator="议事工作台", initialFontName=FONT_NAMES["song"])
        frame = Frame(15 * mm, 18 * mm, size[0] - 30 * mm, size[1] - 33 * mm, id="table")
        doc.addPageTemplates([PageTemplate(id="ledger", frames=[frame], onPage=_landscape_page_number)])
        doc.build(story)
    return Path(path)
