"""Every document also as a Word file, for the clerk to retouch in WPS or Word: written from the same
elements as the PDF (so it says the same sentences), in GB/T 9704's layout as LibreOffice lays it
out (28 characters a full line, at most 22 lines a page, the left edge at 28 mm, page numbers on
the outer side), and kept whole when LibreOffice Writer saves it again.

LibreOffice is slow to start: every document kind is exported once for the module, and all the
Word files go through one `soffice` run per conversion (to PDF, and back to .docx)."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from docx import Document

from app.common.font_check import LOOK_ALIKES
from app.documents.catalog import DOCS, export_doc
from app.services.meetings import MeetingFilter
from app.store import Store
from tests.app.documents.office import convert
from tests.app.documents.test_official_grid import CLOSING, MM, OPENING, grid_lines, lines_of, right_edge, subject_of
from tests.conftest import run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# the documents built by official.OfficialDoc on the GB/T 9704 grid (the others are drawn on
# landscape pages of their own: 聘书, the flowchart, the printed ledger)
OFFICIAL = ["minutes", "meeting_notice", "notice", "filing", "summary", "assignment", "feedback", "duty", "signin",
            "plan", "brief", "reception_notice"]
RUNNING_TEXT = ["minutes", "meeting_notice", "notice", "filing", "summary", "plan"]


def record_of(store, kind: str):
    if kind in ("minutes", "meeting_notice", "signin", "flowchart"):
        return subject_of(store, "plenary")
    if kind == "brief":  # the bus activity: its brief carries photos
        return store.meetings.page(MeetingFilter(search="定制公交"), limit=None)[0]["id"]
    if kind in ("assignment", "feedback"):
        return subject_of(store, "opinion")
    return {"duty": subject_of(store, "delegate"), "plan": subject_of(store, "plan"),
            "summary": subject_of(store, "year")}.get(kind)


@pytest.fixture(scope="module")
def exported(demo_template, tmp_path_factory):
    """Every kind of document of the demo, as PDF and as Word, from one copy of the demo store."""
    root = tmp_path_factory.mktemp("word")
    data = root / "demo"
    shutil.copytree(demo_template, data, ignore=shutil.ignore_patterns("yishi.lock"))
    out = {}
    with Store.open(data) as store:
        unit = store.settings.unit()
        for kind in DOCS:
            record = record_of(store, kind)
            pdf, word = root / "pdf" / f"{kind}.pdf", root / "word" / f"{kind}.docx"
            export_doc(store, kind, record, pdf)
            result = export_doc(store, kind, record, word)
            assert result["path"] == str(word)
            out[kind] = {"pdf": pdf, "docx": word, "label": DOCS[kind][0]}
        audit = store.rows("SELECT summary, details FROM audit WHERE action = 'export' ORDER BY seq")
    return {"root": root, "docs": out, "unit": unit, "audit": audit}


@pytest.fixture(scope="module")
def laid_out(exported):
    """The Word files as LibreOffice lays them out (one run for all of them)."""
    root = exported["root"]
    files = [exported["docs"][kind]["docx"] for kind in DOCS]
    pdfs = convert(files, "pdf", root / "libreoffice", root / "office")
    return {Path(p).stem: p for p in pdfs}


def _normal(text: str) -> str:
    """Text as compared: no whitespace (the PDF places words, Word writes spaces and tabs), and a
    look-alike the PDF drew for a character its face lacks read as that character."""
    back = {shown: ch for ch, shown in LOOK_ALIKES.items()}
    return "".join(back.get(ch, ch) for ch in text if not ch.isspace())


def word_text(path: Path) -> tuple[str, list[str]]:
    """The body's text in order (paragraphs and table cells; not the page numbers in the footers), and
    its paragraphs outside tables."""
    document = Document(str(path))
    body = document.element.body
    text = "".join(node.text or "" for node in body.iter(f"{W}t"))
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iterchildren(f"{W}p")]
    return _normal(text), [_normal(p) for p in paragraphs if _normal(p)]


def pdf_text(path: Path) -> str:
    """The PDF's text page by page as pdfplumber reads it (a label in 黑体 and the names after it on
    one line), page numbers left out."""
    with pdfplumber.open(path) as pdf:
        pages = [page.extract_text(y_tolerance=6) or "" for page in pdf.pages]
    return "".join(_normal(re.sub(r"—\s*\d+\s*—\s*$", "", page.strip())) for page in pages)


def header_rows(path: Path) -> list[str]:
    """The text of each table's header row (the PDF repeats it on every page the table runs over)."""
    document = Document(str(path))
    return ["".join(_normal(cell.text) for cell in table.rows[0].cells) for table in document.tables
            if table.rows and table.rows[0]._tr.trPr is not None
            and table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None]


def test_every_kind_of_document_is_written_as_word_with_its_properties(exported):
    assert set(exported["docs"]) == set(DOCS)
    for kind, doc in exported["docs"].items():
        document = Document(str(doc["docx"]))  # opens: a well-formed Word file
        props = document.core_properties
        assert props.author == exported["unit"] and props.subject == doc["label"], kind
        assert props.title and "python-docx" not in (props.comments or ""), kind
        with zipfile.ZipFile(doc["docx"]) as package:
            assert "<Application>议事工作台</Application>" in package.read("docProps/app.xml").decode()
            assert not any(name.startswith("docProps/thumbnail") for name in package.namelist())
    # each Word file is an export of its own in the audit log, named as saved
    words = [entry for entry in exported["audit"] if json.loads(entry["details"]).get("file", "").endswith(".docx")]
    assert len(words) == len(DOCS)


@pytest.mark.parametrize("kind", list(DOCS))
def test_the_word_file_says_what_the_pdf_says(exported, kind):
    """The same sentences: every character the PDF prints is in the Word file as often, and every
    paragraph of running text reads in the PDF as one stretch."""
    doc = exported["docs"][kind]
    text, paragraphs = word_text(doc["docx"])
    printed = pdf_text(doc["pdf"])
    assert len(text) > 20
    assert Counter(text) - Counter(printed) == Counter(), "the Word file says what the PDF does not"
    # what the PDF prints more: only the header rows it repeats on the pages a table runs over
    extra = Counter(printed) - Counter(text)
    for header in map(Counter, header_rows(doc["docx"])):
        repeats = min(extra[ch] // count for ch, count in header.items())
        for _ in range(repeats):
            extra -= header
    assert extra == Counter(), extra
    if kind in OFFICIAL:
        for paragraph in paragraphs:
            assert paragraph in printed, paragraph


def test_the_word_file_is_laid_out_as_gbt_9704(exported):
    """The page, grid, faces and page numbers a clerk's Word or WPS reads from the file."""
    document = Document(str(exported["docs"]["meeting_notice"]["docx"]))
    section = document.sections[0]
    mm = 36000  # EMU
    assert (round(section.page_width / mm), round(section.page_height / mm)) == (210, 297)
    assert [round(m / mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                    section.right_margin)] == [37, 35, 28, 26]
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars"
    pitch, space = int(grid.get(f"{W}linePitch")), int(grid.get(f"{W}charSpace"))
    text_height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    text_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    assert text_height // pitch == 22  # lines a page
    assert int(text_width / 20 // (16 + space / 4096)) == 28  # characters a line (3号: 16 pt)
    # odd pages number on the right and even ones on the left, one character in
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # right, left
    for footer in (odd, even):
        xml = footer._p.xml
        assert "PAGE" in xml and "宋体" in xml and 'w:val="28"' in xml  # 4号
        assert _normal(footer.text) == "—1—"
    # the official faces by name, the body exactly on 28.95 pt lines
    styles = document.styles
    normal = styles["Normal"].element.xml
    assert 'w:eastAsia="仿宋_GB2312"' in normal and 'w:ascii="仿宋_GB2312"' in normal and 'w:val="32"' in normal
    assert 'w:line="579"' in normal and 'w:lineRule="exact"' in normal
    assert 'w:eastAsia="方正小标宋简体"' in styles["公文标题"].element.xml and 'w:val="44"' in styles["公文标题"].element.xml
    assert 'w:eastAsia="黑体"' in styles["一级标题"].element.xml
    assert 'w:eastAsia="楷体_GB2312"' in styles["二级标题"].element.xml
    with zipfile.ZipFile(exported["docs"]["meeting_notice"]["docx"]) as package:
        fonts = package.read("word/fontTable.xml").decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="FangSong"/>' in fonts
    # the title, the red 版头 and its rule, the headings as headings
    paragraphs = document.paragraphs
    title = next(p for p in paragraphs if p.style.name == "公文标题")
    assert title.text.startswith("关于召开") and title.text.endswith("的通知")
    mark = next(p for p in paragraphs if p.text.strip())  # the 发文机关标志, in red
    assert mark.runs[0].font.color.rgb is not None and str(mark.runs[0].font.color.rgb) == "D40000"
    head = paragraphs[:paragraphs.index(title)]
    assert any('w:color="D40000"' in p._p.xml and "w:pBdr" in p._p.xml for p in head)  # the red rule
    assert [p.text for p in paragraphs if p.style.name == "一级标题"][:2] == ["一、会议时间", "二、会议地点"]
    # the 落款 kept with the text before it; the 版记 at the foot of the page, between rules
    unit = exported["unit"]
    signed = next(i for i, p in enumerate(paragraphs) if p.text == unit)
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[signed - 3:signed + 1])
    imprint = document.tables[-1]._tbl
    assert imprint.tblPr.find(f"{W}tblpPr").get(f"{W}tblpYSpec") == "bottom"
    assert "印发" in "".join(t.text for t in imprint.iter(f"{W}t"))


def test_tables_are_word_tables_whose_header_repeats(exported):
    document = Document(str(exported["docs"]["notice"]["docx"]))
    listing = document.tables[0]
    header = [cell.text for cell in listing.rows[0].cells]
    assert header[:2] == ["序号", "姓名"] and "所在村（社区）" in header
    assert listing.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    assert len(listing.rows) > 70  # every one publicised, a row each
    # the paragraph before the annex starts a page: 附件 on pages of its own
    annex = next(p for p in document.paragraphs if p.text == "附件")
    assert annex.paragraph_format.page_break_before
    brief = Document(str(exported["docs"]["brief"]["docx"]))
    assert brief.inline_shapes and all(shape.width <= 74 * 36000 + 1 for shape in brief.inline_shapes)


def test_a_draft_is_marked_on_every_page(demo, tmp_path):
    planned = demo.meetings.page(MeetingFilter(kind="plenary", descending=True))[0]
    export_doc(demo, "minutes", planned["id"], tmp_path / "d.docx", draft=True)
    section = Document(str(tmp_path / "d.docx")).sections[0]
    assert section.header.paragraphs[0].text == "草稿" and section.even_page_header.paragraphs[0].text == "草稿"


@pytest.mark.parametrize("kind", OFFICIAL)
def test_libreoffice_lays_the_word_file_out_on_the_grid(exported, laid_out, kind):
    """Measured like the PDFs (test_official_grid): 28 characters a full line, at most 22 lines a
    page, the text's left edge at 28 mm, "— N —" on the outer side of every page."""
    pages = lines_of(laid_out[kind])
    assert len(pages) >= 1
    full_lines = 0
    for number, page in enumerate(pages, 1):
        assert page["numbers"] == [f"—{number}—"], (number, page["numbers"])
        grid = grid_lines(page)
        assert len(grid) <= 22, (number, len(grid))
        for line in page["lines"]:
            assert line["left"] >= 28 - 1.5, (number, line["text"])
            assert line["text"][0] not in CLOSING and line["text"][-1] not in OPENING, line["text"]
        for index, line in enumerate(grid):
            cells = [c for c in line["chars"] if c["x0"] / MM < 184 - 0.5]
            following = grid[index + 1]["text"] if index + 1 < len(grid) else ""
            # (a number is never broken: LibreOffice, which spaces digits from Chinese text, may end
            # a line a cell short before one, justified across the block)
            before_a_number = following[:1].isascii() and following[:1].isalnum()
            if abs(right_edge(line) - 184) <= 1 and abs(line["left"] - 28) <= 1.5 and all(
                    c["x1"] - c["x0"] > 15 for c in cells) and not before_a_number:  # a full line
                full_lines += 1
                assert len(cells) == 28, line["text"]
    # the text block's left edge: where lines start flush left, or a table's rule
    lefts = [line["left"] for page in pages for line in grid_lines(page)]
    with pdfplumber.open(laid_out[kind]) as pdf:
        lefts += [edge["x0"] / MM for page in pdf.pages for edge in page.edges if edge["orientation"] == "v"]
    assert abs(min(lefts) - 28) <= 1.5, min(lefts)
    if kind in RUNNING_TEXT:
        assert full_lines >= 1  # the text really runs full lines
    # page numbers on the outer side: odd pages right, even pages left, one character in
    with pdfplumber.open(laid_out[kind]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            dashes = [c for c in page.chars if c["text"] == "—" and c["top"] > 250 * MM]
            left, right = min(c["x0"] for c in dashes) / MM, max(c["x1"] for c in dashes) / MM
            if number % 2:
                assert abs(right - (184 - 4.9)) <= 2, (number, right)
            else:
                assert abs(left - (28 + 4.9)) <= 2, (number, left)


def test_libreoffice_writer_saves_the_word_file_again_without_losing_text(exported):
    """Opened and saved by LibreOffice Writer (as a clerk's office program does): every paragraph's
    text is still there, and the page is still GB/T 9704's."""
    root = exported["root"]
    files = [exported["docs"][kind]["docx"] for kind in DOCS]
    saved = convert(files, "docx:MS Word 2007 XML", root / "saved", root / "office")
    for kind, again in zip(DOCS, saved):
        _, paragraphs = word_text(exported["docs"][kind]["docx"])
        text_again, _ = word_text(again)
        for paragraph in paragraphs:
            assert paragraph in text_again, (kind, paragraph)
        original, _ = word_text(exported["docs"][kind]["docx"])
        assert Counter(original) - Counter(text_again) == Counter(), kind
        if kind in OFFICIAL:
            section = Document(str(again)).sections[0]
            assert round(section.top_margin / 36000) == 37 and round(section.left_margin / 36000) == 28


def test_the_command_line_writes_word_for_a_docx_name(demo_dir, tmp_path):
    with Store.open(demo_dir) as store:
        meeting = subject_of(store, "plenary")
    out = tmp_path / "纪要.docx"
    result = run_cli("--data-dir", demo_dir, "export", "doc", "minutes", meeting, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "已导出会议纪要" in result.stdout and zipfile.is_zipfile(out)
    assert any(p.text.endswith("纪要") for p in Document(str(out)).paragraphs[:3])
    refused = run_cli("--data-dir", demo_dir, "export", "doc", "minutes", meeting, "--out", tmp_path / "纪要.doc")
    assert refused.returncode == 1 and ".docx" in refused.stderr and ".pdf" in refused.stderr
    assert not (tmp_path / "纪要.doc").exists()


def test_running_text_is_in_paragraphs_that_reflow(exported):
    """The reason for the Word file: a paragraph of the PDF is one Word paragraph (not a line each),
    so a sentence changed in WPS or Word reflows."""
    document = Document(str(exported["docs"]["filing"]["docx"]))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert max(len(text) for text in texts) > 3 * 28
    pdf_lines = [line["text"] for page in lines_of(exported["docs"]["filing"]["pdf"]) for line in page["lines"]
                 if abs(line["size"] - 16) < 0.5]
    assert len(texts) < len(pdf_lines) / 2


def test_the_signature_keeps_its_layout_from_the_right_edge(demo, tmp_path):
    """落款 (§7.3.5) as in the PDF, set from the right edge so that it stays there when edited: with a
    seal the date 4 characters in and the office centred over it (or 2 in when it is longer); without
    one the office 2 characters in, the date under it 2 characters further right."""
    from app.documents.gbt9704 import PITCH, Run, text_width

    meeting = subject_of(demo, "plenary")
    unit = demo.settings.unit()

    def signature():
        export_doc(demo, "meeting_notice", meeting, tmp_path / "n.docx")
        paragraphs = Document(str(tmp_path / "n.docx")).paragraphs
        at = next(i for i, p in enumerate(paragraphs) if p.text == unit)
        issuer, dated = paragraphs[at], paragraphs[at + 1]
        assert issuer.alignment == dated.alignment == 2  # right
        return [p.paragraph_format.right_indent.pt / PITCH for p in (issuer, dated)], dated.text

    (issuer_in, date_in), date_text = signature()
    issuer_w, date_w = (text_width([Run(t, keep=True)]) / PITCH for t in (unit, date_text))
    if issuer_w <= date_w:
        assert abs(date_in - 4) < 0.05 and abs(issuer_in - (4 + (date_w - issuer_w) / 2)) < 0.05
    else:  # an office's name longer than the date: 2 characters in, the date centred under it
        assert abs(issuer_in - 2) < 0.05 and abs(date_in - (2 + (issuer_w - date_w) / 2)) < 0.05
    demo.settings.update({"seal_layout": "no_seal"})
    (issuer_in, date_in), _ = signature()
    assert abs(issuer_in - 2) < 0.05
    assert abs((2 + issuer_w) - (date_in + date_w) - 2) < 0.05  # the date's first character 2 further right


@pytest.mark.parametrize("kind", ["meeting_notice", "filing"])
def test_libreoffice_sets_the_red_head_35_mm_below_the_block_top(exported, laid_out, kind):
    """§7.2.3 in the Word file as LibreOffice lays it out, as in the PDF: the 发文机关标志's top at
    72 ± 1 mm from the page's top (37 mm margin + 35 mm), in red, its rule under the 文号."""
    for path in (exported["docs"][kind]["pdf"], laid_out[kind]):
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            marks = [c for c in page.chars if c["text"].strip() and c["size"] > 20]
            top = min(c["top"] for c in marks) / MM
            assert abs(top - 72) <= 1, (path, top)
            rules = [r["top"] / MM for r in page.lines + page.rects if 80 < r["top"] / MM < 140
                     and (r["x1"] - r["x0"]) / MM > 150]
            assert rules, path  # the red rule under the 发文字号
