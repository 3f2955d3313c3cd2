"""The 使用说明 as one printable PDF (A4 portrait): the Markdown's headings, numbered steps,
bullets and paragraphs, each area's section starting on a page of its own."""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageBreak, PageTemplate, Paragraph, Spacer

from app.common.fileio import atomic_path
from app.common.manual import read_manual
from app.documents.fonts import FONT_NAMES, markup, register_fonts


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    f = FONT_NAMES
    body = dict(fontName=f["fangsong"], fontSize=12, leading=20, wordWrap="CJK")
    return {
        "h1": ParagraphStyle("h1", fontName=f["title"], fontSize=22, leading=32, alignment=1, spaceAfter=14),
        "h2": ParagraphStyle("h2", fontName=f["hei"], fontSize=16, leading=26, spaceBefore=6, spaceAfter=8),
        "h3": ParagraphStyle("h3", fontName=f["kai"], fontSize=14, leading=22, spaceBefore=8, spaceAfter=4),
        "p": ParagraphStyle("p", firstLineIndent=24, spaceAfter=4, **body),
        "item": ParagraphStyle("item", leftIndent=24, firstLineIndent=-18, spaceAfter=3, **body),
    }


def _inline(text: str, font: str) -> str:
    return markup(re.sub(r"\*\*(.+?)\*\*", r"\1", text), font)


def _flowables(markdown: str, st: dict) -> list:
    out: list = []
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("### "):
            out += [CondPageBreak(40 * mm), Paragraph(_inline(line[4:], st["h3"].fontName), st["h3"])]
        elif line.startswith("## "):
            out.append(Paragraph(_inline(line[3:], st["h2"].fontName), st["h2"]))
        elif line.startswith("# "):
            out.append(Paragraph(_inline(line[2:], st["h1"].fontName), st["h1"]))
        elif re.match(r"^\d+\. ", line):
            number, text = line.split(" ", 1)
            out.append(Paragraph(_inline(f"{number}\u2002{text}", st["item"].fontName), st["item"]))
        elif line.startswith("- "):
            out.append(Paragraph(_inline(f"•\u2002{line[2:]}", st["item"].fontName), st["item"]))
        else:
            out.append(Paragraph(_inline(line, st["p"].fontName), st["p"]))
    return out


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT_NAMES["song"], 10.5)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
    canvas.restoreState()


def build_manual(path: Path | str, app_version: str = "") -> Path:
    from app.common.outputs import check_out

    check_out("manual", path)
    intro, sections = read_manual()
    st = _styles()
    story = _flowables(intro, st)
    if app_version:
        story += [Spacer(1, 8), Paragraph(_inline(f"（议事工作台 {app_version}）", st["p"].fontName), st["p"])]
    for section in sections:
        story += [PageBreak(), *_flowables(section.text, st)]
    with atomic_path(path) as temp:
        doc = BaseDocTemplate(str(temp), pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                              bottomMargin=25 * mm, title="议事工作台使用说明", creator="议事工作台",
                              initialFontName=FONT_NAMES["song"])
        frame = Frame(25 * mm, 25 * mm, A4[0] - 50 * mm, A4[1] - 50 * mm, id="body")
        doc.addPageTemplates([PageTemplate(id="manual", frames=[frame], onPage=_page_number)])
        doc.build(story)
    return Path(path)
