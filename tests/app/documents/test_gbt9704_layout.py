"""The GB/T 9704 composer measured without a store: lines broken and placed on the 28-cell grid,
pages of 22 slots, and the PDF it draws read back with pdfplumber (each character where the layout
put it, the slot tops, rules, page numbers, the draft mark). Fast: no demo office, no Qt, no
LibreOffice; these are the tests `tests/mutation/run.py app/documents/gbt9704.py` runs."""

from __future__ import annotations

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.units import mm

from app.documents import gbt9704 as g
from app.documents.gbt9704 import (
    BLOCK_H,
    BLOCK_W,
    CHARS,
    LEFT,
    LINE,
    LINES,
    PAGE_H,
    PITCH,
    RED,
    TOP,
    AtFoot,
    Line,
    PageBreak,
    Para,
    Run,
    TableBlock,
    atoms,
    blank,
    break_lines,
    paginate,
    render,
    text_width,
)

MM = 72 / 25.4


@pytest.fixture(scope="module", autouse=True)
def faces():
    from app.documents.fonts import register_fonts

    register_fonts()


@pytest.fixture(autouse=True)
def fresh_measures():
    """Each test measures its glyphs afresh: the composer keeps what it measured for the process."""
    g._FACE_ADVANCES.clear()
    g._NATURALS.clear()
    g._COMPOSED.clear()
    g._composed_glyphs = 0


def pieces(*runs):
    return ["".join(gl.ch for gl in a.glyphs) for a in atoms(list(runs))]


def cells(line):
    return [round(x / PITCH, 3) for x, _ in line.placed]


def face_name(font):
    from reportlab.pdfbase import pdfmetrics

    name = pdfmetrics.getFont(font).face.name
    return name.decode() if isinstance(name, bytes) else name


def read(path):
    """Per page: every drawn character (spaces too) and every stroked line."""
    with pdfplumber.open(path) as pdf:
        return [{"chars": list(page.chars), "lines": list(page.lines)} for page in pdf.pages]


def number_chars(page):
    """The page number's characters: those on its baseline, 7 mm under the block."""
    return [c for c in page["chars"] if c["top"] > (TOP + BLOCK_H) + 1]


def body_lines(n, kind="body"):
    source = Para((), 2, 0, 0, "justify", kind)
    return [Line(kind=kind, source=source) for _ in range(n)]


def singles(n, kind="body"):
    """`n` one-line paragraphs."""
    return [line for _ in range(n) for line in body_lines(1, kind)]


def layout(pages):
    return [[(getattr(p.item, "kind", "table"), p.slot, p.slots) for p in page] for page in pages]


# -- atoms: the unbreakable pieces ---------------------------------------------------------------

def test_spaces_and_tabs_separate_words_and_become_one_space_each():
    assert pieces(Run("ab\tcd  ef")) == ["ab", " ", "cd", " ", " ", "ef"]
    spaces = [a for a in atoms([Run("a\tb")]) if a.space]
    assert len(spaces) == 1 and [gl.ch for gl in spaces[0].glyphs] == [" "]
    assert not any(a.space for a in atoms([Run("甲乙ab")]))
    # a closing mark after a space is not glued to the space; an opening mark before one waits for a word
    assert pieces(Run("ab ,c")) == ["ab", " ", ",", "c"]
    assert pieces(Run("甲 （乙）")) == ["甲", " ", "（乙）"]
    assert pieces(Run("(ab) cd")) == ["(ab)", " ", "cd"]
    assert pieces(Run("a[b")) == ["a", "[b"]


def test_kept_runs_are_one_piece_and_an_empty_one_is_nothing():
    assert pieces(Run("张 三", keep=True), Run("、李四")) == ["张 三、", "李", "四"]
    assert pieces(Run("", keep=True), Run("甲")) == ["甲"]
    assert pieces(Run("")) == []
    assert pieces(Run("甲"), Run("", keep=True), Run("，乙")) == ["甲，", "乙"]


def test_glyphs_carry_their_runs_face_size_and_colour():
    from app.documents.fonts import FONT_NAMES

    (title,) = atoms([Run("题", role="title", size=22, color=RED)])
    glyph = title.glyphs[0]
    assert (glyph.font, glyph.size, glyph.color) == (FONT_NAMES["title"], 22, RED)
    assert glyph.width == pytest.approx(PITCH * 22 / 16)
    (body,) = atoms([Run("文")])
    assert (body.glyphs[0].font, body.glyphs[0].size, body.glyphs[0].color) == (FONT_NAMES["fangsong"], 16, None)
    assert body.width == pytest.approx(PITCH)
    # a Latin letter is set at its own width, scaled to the grid's 16 pt in a 15.79 pt cell
    from reportlab.pdfbase.pdfmetrics import stringWidth

    (latin,) = atoms([Run("m", size=12)])
    assert latin.width == pytest.approx(stringWidth("m", FONT_NAMES["fangsong"], 12) * PITCH / 16)
    assert 0 < latin.width < PITCH * 12 / 16
    # the same character of another run is measured for that run (the cache is keyed by face and size)
    assert atoms([Run("文", size=12)])[0].width == pytest.approx(PITCH * 12 / 16)
    assert atoms([Run("文", role="hei")])[0].glyphs[0].font == FONT_NAMES["hei"]


def test_a_hanging_mark_is_only_a_single_trailing_point():
    def hang(text):
        return atoms([Run(text, keep=True)])[0].hang

    assert hang("甲。") == pytest.approx(PITCH)
    assert hang("甲") == 0 and hang("。") == 0  # alone, a mark is a character of its own
    assert hang("甲。。") == 0 and hang("甲）") == 0 and hang("。甲") == 0
    assert hang("ab,") > 0 and hang("ab,") == pytest.approx(atoms([Run(",", keep=True)])[0].width)


def test_figures_keep_their_units_and_numbers_their_dates():
    assert pieces(Run("3 年")) == ["3", " ", "年"]
    assert pieces(Run("2025年4月")) == ["2025年4月"]
    assert pieces(Run("（年3")) == ["（年", "3"]  # a 年 that follows no figure does not take one
    assert pieces(Run("第 3")) == ["第", " ", "3"]
    assert pieces(Run("甲3人")) == ["甲", "3人"]
    assert pieces(Run("〕3号")) == ["〕3号"]
    # only the marks named: a Latin letter, kept alone, does not pull a figure to it
    assert pieces(Run("X", keep=True), Run("3")) == ["X", "3"]
    assert pieces(Run("3", keep=True), Run("X", keep=True)) == ["3", "X"]
    assert pieces(Run("X", keep=True), Run("年"), Run("3")) == ["X", "年", "3"]
    assert pieces(Run("5X", keep=True), Run("年3")) == ["5X", "年", "3"]
    assert pieces(Run("5年", keep=True), Run("3")) == ["5年3"]


# -- break_lines: lines of the block ---------------------------------------------------------------

def test_line_widths_follow_the_indents_in_cells():
    lines = break_lines([Run("甲" * 80)], first_indent=3, indent=1, right_indent=2)
    assert [len(ln.text) for ln in lines] == [22, 25, 25, 8]
    assert [cells(ln)[0] for ln in lines] == [4, 1, 1, 1]
    assert [cells(ln)[-1] for ln in lines] == [25, 25, 25, 8]
    source = lines[0].source
    assert (source.first_indent, source.indent, source.right_indent, source.align, source.kind) == (3, 1, 2, "justify",
                                                                                                  "body")
    assert source.runs == (Run("甲" * 80),)
    # a negative first indent (悬挂缩进) gives the first line more room than the others
    hanging = break_lines([Run("甲" * 40)], first_indent=-2, indent=2)
    assert [(len(ln.text), cells(ln)[0]) for ln in hanging] == [(28, 0), (12, 2)]


def test_justified_lines_spread_the_slack_evenly_between_chinese_characters():
    # 26 cells of room: 24 characters and a word of 1.5 cells; the half cell left goes between
    # the Chinese characters, in equal gaps, never inside the word
    text = "甲" * 20 + "abc" + "乙" * 10
    lines = break_lines([Run(text)], first_indent=2)
    first = lines[0]
    assert first.text == "甲" * 20 + "abc" + "乙" * 4
    xs = [x for x, _ in first.placed]
    last_x, last = first.placed[-1]
    assert last_x + last.width == pytest.approx(CHARS * PITCH)  # justified to the right edge
    assert xs[0] == pytest.approx(2 * PITCH)
    gap = (PITCH / 2) / 24  # 19 gaps among the 甲, one each side of the word, 3 among the 乙
    steps = [b - a - glyph.width for a, b, (_, glyph) in zip(xs, xs[1:], first.placed)]
    assert steps == pytest.approx([gap] * 20 + [0, 0] + [gap] * 4)
    a, b, c = [x for x, gl in first.placed if gl.ch in "abc"]
    assert b - a == pytest.approx(first.placed[20][1].width) and c - b == pytest.approx(b - a)
    # the paragraph's last line is set solid from the left
    assert cells(lines[-1]) == list(range(len(lines[-1].text)))
    # a line of one word has no gap to spread: it stays at the left
    word = break_lines([Run("a" * 70)], first_indent=0)
    assert word[0].placed[0][0] == 0 and word[0].placed[1][0] == pytest.approx(word[0].placed[0][1].width)


def test_a_hanging_point_does_not_count_against_the_line():
    hung = break_lines([Run("甲" * (CHARS - 2) + "乙。丙")], first_indent=0)
    assert [ln.text for ln in hung] == ["甲" * 26 + "乙。", "丙"]
    assert cells(hung[0]) == list(range(CHARS))  # no slack: set solid, the point past the edge
    # a line that ends with a hanging point but is not full spreads the rest, point excluded
    short = break_lines([Run("甲" * 24 + "乙。"), Run("丙丙丙", keep=True)], first_indent=0)
    assert [ln.text for ln in short] == ["甲" * 24 + "乙。", "丙丙丙"]
    x, last = short[0].placed[-1]
    assert x + last.width == pytest.approx(CHARS * PITCH)  # the point ends the line: no hang, justified
    # a closing bracket does not hang: it takes its character down with it
    assert [ln.text for ln in break_lines([Run("甲" * 27 + "乙）")], first_indent=0)] == ["甲" * 27, "乙）"]
    # two points do not hang either
    assert [ln.text for ln in break_lines([Run("甲" * 27 + "乙……")], first_indent=0)][1].startswith("乙")


def test_a_line_exactly_full_takes_no_more_and_spaces_end_no_line():
    lines = break_lines([Run("甲" * CHARS + " " + "乙")], first_indent=0)
    assert [ln.text for ln in lines] == ["甲" * CHARS, "乙"]
    assert cells(lines[1]) == [0]  # the space that broke the line is dropped, not set at the next's start
    trailing = break_lines([Run("甲乙  ")], first_indent=0)
    assert trailing[0].text == "甲乙"
    words = break_lines([Run("甲" * 27 + " ab")], first_indent=0)
    assert [ln.text for ln in words] == ["甲" * 27, "ab"]
    x, last = words[0].placed[-1]  # the line's trailing space is gone: its 27 characters are justified
    assert x + last.width == pytest.approx(CHARS * PITCH)
    # the narrowest line decides what is too wide to keep whole: a 27-cell name fits 28, not 26
    assert [len(ln.text) for ln in break_lines([Run("欧" * 27, keep=True)], first_indent=2)] == [26, 1]
    assert [len(ln.text) for ln in break_lines([Run("甲"), Run("欧" * 26, keep=True)], first_indent=2)] == [1, 26]


def test_centred_and_right_lines_and_the_glyphs_paragraph():
    centred = break_lines([Run("甲" * 40)], first_indent=0, align="center")
    assert cells(centred[0]) == list(range(28)) and cells(centred[1])[0] == 8
    right = break_lines([Run("甲" * 3)], first_indent=0, right_indent=2, align="right")
    assert cells(right[0]) == [23, 24, 25]
    indented = break_lines([Run("甲")], first_indent=0, indent=4, align="center")
    assert cells(indented[0]) == [4 + 11.5]
    lines = break_lines([Run("甲" * 30)], kind="tail")
    assert all(ln.kind == "tail" and ln.source is lines[0].source for ln in lines)
    assert lines[0].source.kind == "tail" and lines[0].source.align == "justify"
    assert text_width([Run("甲 乙")]) == pytest.approx(2 * PITCH + atoms([Run(" ")])[0].width)


def test_blank_lines_and_line_text():
    assert (blank().kind, blank("tail").kind, blank().text, blank().slots, blank().source) == ("blank", "tail", "", 1, None)
    line = break_lines([Run("甲乙")], first_indent=0)[0]
    assert line.text == "甲乙" and line.slots == 1 and not line.keep_with_next and line.rules == []


# -- paginate: lines onto pages ------------------------------------------------------------------

def test_slots_of_a_taller_line_and_a_full_page():
    tall = Line(kind="body", slots=3)
    pages = paginate([*singles(20), tall, *singles(1)])
    assert layout(pages) == [[("body", n, 1) for n in range(20)], [("body", 0, 3), ("body", 3, 1)]]
    pages = paginate([*singles(19), tall])
    assert layout(pages)[0][-1] == ("body", 19, 3) and len(pages) == 1
    pages = paginate(singles(22) + singles(1))
    assert [len(p) for p in pages] == [22, 1]
    assert layout(paginate([blank()])) == [[("blank", 0, 1)]]


def test_a_blank_line_opens_the_first_page_but_no_other():
    pages = paginate([blank(), *singles(1)])
    assert layout(pages) == [[("blank", 0, 1), ("body", 1, 1)]]
    pages = paginate([*singles(1), PageBreak(), blank(), *singles(1)])
    assert layout(pages) == [[("body", 0, 1)], [("body", 0, 1)]]
    pages = paginate([*singles(22), blank(), blank(), *singles(1)])
    assert layout(pages)[1] == [("body", 0, 1)]
    # a blank line in the middle of a page stays
    assert layout(paginate([*singles(1), blank(), *singles(1)])) == [[("body", 0, 1), ("blank", 1, 1),
                                                                       ("body", 2, 1)]]


def test_the_foot_of_the_last_page_and_what_comes_after_it():
    foot = AtFoot([Line(kind="imprint"), Line(kind="imprint"), Line(kind="imprint")])
    assert layout(paginate([*singles(19), foot])) == [[*[("body", n, 1) for n in range(19)], ("imprint", 19, 1),
                                                       ("imprint", 20, 1), ("imprint", 21, 1)]]
    assert layout(paginate([*singles(20), foot]))[1] == [("imprint", 19, 1), ("imprint", 20, 1), ("imprint", 21, 1)]
    assert layout(paginate([foot])) == [[("imprint", 19, 1), ("imprint", 20, 1), ("imprint", 21, 1)]]
    # after the foot the page is full: a page break makes no empty page, and the next line a new one
    pages = paginate([*singles(2), foot, PageBreak(), *singles(1)])
    assert [len(p) for p in pages] == [5, 1]


def test_page_breaks_start_pages_only_after_something():
    assert layout(paginate([PageBreak(), PageBreak(), *singles(1)])) == [[("body", 0, 1)]]
    assert layout(paginate([*singles(1), PageBreak()])) == [[("body", 0, 1)]]
    pages = paginate([*singles(3), PageBreak(), *singles(2)])
    assert layout(pages) == [[("body", 0, 1), ("body", 1, 1), ("body", 2, 1)], [("body", 0, 1), ("body", 1, 1)]]


def test_headings_go_with_the_first_line_of_their_text():
    def heading():
        return Line(kind="heading", keep_with_next=True)

    # a chain of two headings and the line after them: 3 slots, 2 left
    pages = paginate([*singles(20), heading(), heading(), *singles(1)])
    assert [len(p) for p in pages] == [20, 3]
    # exactly room for the chain and one line: they stay
    pages = paginate([*singles(19), heading(), heading(), *singles(1)])
    assert [len(p) for p in pages] == [22]
    # a heading before a table keeps two of its slots with it
    table = TableBlock(_table(4))
    pages = paginate([*singles(20), heading(), table])
    assert layout(pages)[1][0] == ("heading", 0, 1)
    pages = paginate([*singles(19), heading(), TableBlock(_table(4))])
    assert layout(pages)[0][19] == ("heading", 19, 1) and layout(pages)[0][20] == ("table", 20, 2)
    # a heading last in the document, or before a page break or the foot, needs nothing after it
    assert [len(p) for p in paginate([*singles(21), heading()])] == [22]
    assert [len(p) for p in paginate([*singles(21), heading(), PageBreak(), *singles(1)])] == [22, 1]
    foot = AtFoot([Line(kind="imprint")])
    assert len(paginate([*singles(20), heading(), foot])) == 1
    # a tall line after it counts whole
    assert [len(p) for p in paginate([*singles(18), heading(), Line(kind="body", slots=4)])] == [18, 2]
    assert [len(p) for p in paginate([*singles(17), heading(), Line(kind="body", slots=4)])] == [19]
    # a heading at the top of a page never makes an empty page before it
    pages = paginate([heading(), *[Line(kind="body", slots=23)]])
    assert layout(pages)[0][0] == ("heading", 0, 1)


def test_the_signature_block_takes_body_lines_with_it():
    def tail(n=2):
        return [Line(kind="tail") for _ in range(n)]

    # it fits: it follows the text
    assert layout(paginate([*singles(5), *tail()]))[0][-2:] == [("tail", 5, 1), ("tail", 6, 1)]
    # the first tail line of a document
    assert layout(paginate([*tail()])) == [[("tail", 0, 1), ("tail", 1, 1)]]
    # it does not fit: two body lines go over with it (blank lines before them stay behind)
    pages = paginate([*singles(18), blank(), blank(), *tail(3)])
    assert layout(pages) == [[("body", n, 1) for n in range(16)],
                             [("body", 0, 1), ("body", 1, 1), ("blank", 2, 1), ("blank", 3, 1),
                              ("tail", 4, 1), ("tail", 5, 1), ("tail", 6, 1)]]
    # exactly room for it: it stays
    pages = paginate([*singles(19), *tail(3)])
    assert [len(p) for p in pages] == [22]
    # on a new page with one body line: one more comes over from the page before
    pages = paginate([*singles(22), *singles(1), *tail()])
    assert layout(pages)[1] == [("body", 0, 1), ("body", 1, 1), ("tail", 2, 1), ("tail", 3, 1)]
    assert len(pages[0]) == 21
    # with two body lines there already, nothing moves
    pages = paginate([*singles(22), *singles(2), *tail()])
    assert [len(p) for p in pages] == [22, 4]
    # a one-page document with too little text keeps it (there is no page before)
    assert layout(paginate([*singles(1), *tail()])) == [[("body", 0, 1), ("tail", 1, 1), ("tail", 2, 1)]]
    # headings count as body text; a tail's line of two slots counts twice
    pages = paginate([*singles(22), Line(kind="heading"), Line(kind="heading"), *tail()])
    assert [len(p) for p in pages] == [22, 4]
    pages = paginate([*singles(21), Line(kind="tail", slots=2)])
    assert layout(pages)[1] == [("body", 0, 1), ("body", 1, 1), ("tail", 2, 2)]
    # the tail lines after the first are placed with it, not again
    pages = paginate([*singles(3), *tail(3), *singles(1)])
    assert layout(pages) == [[("body", 0, 1), ("body", 1, 1), ("body", 2, 1), ("tail", 3, 1), ("tail", 4, 1),
                              ("tail", 5, 1), ("body", 6, 1)]]


def test_take_back_moves_only_what_is_needed():
    from app.documents.gbt9704 import Placed, _take_back

    def page_of(*kinds):
        return [[Placed(Line(kind=k), n, 1) for n, k in enumerate(kinds)]]

    pages = page_of("body", "body", "body", "blank", "imprint")
    moved = _take_back(pages, 2)
    assert [p.item.kind for p in moved] == ["body", "body", "blank", "imprint"] and len(pages[0]) == 1
    pages = page_of("body", "blank", "body")
    assert [p.item.kind for p in _take_back(pages, 2)] == ["body", "blank", "body"] and pages[0] == []
    pages = page_of("blank", "body")
    assert [p.item.kind for p in _take_back(pages, 5)] == ["body"] and pages[0] == []
    pages = page_of("body", "body")
    assert _take_back(pages, 0) == [] and len(pages[0]) == 2
    # a table's rows are body text, and a two-slot line counts for two
    pages = [[Placed(Line(kind="body"), 0, 1), Placed(object(), 1, 2)]]
    assert len(_take_back(pages, 2)) == 1 and len(pages[0]) == 1


def test_a_paragraphs_last_line_does_not_open_a_page_alone():
    # a paragraph of 5 whose last line would open the next page: one more line goes with it
    pages = paginate([*singles(18), *body_lines(5)])
    assert [len(p) for p in pages] == [21, 2]
    # five of the paragraph behind: still only one more goes
    pages = paginate([*singles(17), *body_lines(6)])
    assert [len(p) for p in pages] == [21, 2]
    # a middle line of a paragraph may open a page
    pages = paginate([*singles(16), *body_lines(8)])
    assert [len(p) for p in pages] == [22, 2]
    # a one-line paragraph is not a widow
    pages = paginate(singles(23))
    assert [len(p) for p in pages] == [22, 1]
    # lines that are not body text (a tail, a heading of two lines) are not carried
    pages = paginate([*singles(21), *body_lines(2, "heading")])
    assert [len(p) for p in pages] == [22, 1]
    # a line without a paragraph
    pages = paginate([*singles(22), Line(kind="body")])
    assert [len(p) for p in pages] == [22, 1]


def test_widow_lines_directly():
    from app.documents.gbt9704 import Placed, _widow_lines

    para = body_lines(5)
    page = [Placed(Line(kind="body"), 0, 1), *[Placed(ln, n + 1, 1) for n, ln in enumerate(para[:4])]]
    carried = _widow_lines(page, para, 4)
    assert [p.item for p in carried] == [para[3]] and len(page) == 4
    # not the last line of its paragraph: nothing
    page = [Placed(ln, n, 1) for n, ln in enumerate(para[:3])]
    assert _widow_lines(page, para, 3) == [] and len(page) == 3
    # two of the paragraph behind: both go
    page = [Placed(Line(kind="body"), 0, 1), *[Placed(ln, n + 1, 1) for n, ln in enumerate(para[2:4])]]
    assert [p.item for p in _widow_lines(page, para, 4)] == para[2:4] and len(page) == 1
    # three behind: one goes
    page = [Placed(ln, n, 1) for n, ln in enumerate(para[1:4])]
    assert [p.item for p in _widow_lines(page, para, 4)] == [para[3]]
    # the paragraph's first line is the one that opens the page: nothing behind, nothing to carry
    other = body_lines(1)
    page = [Placed(other[0], 0, 1)]
    assert _widow_lines(page, para[:1], 0) == [] and len(page) == 1
    # a heading left last goes with the lines carried
    heading = Line(kind="heading", keep_with_next=True)
    short = body_lines(2)
    page = [Placed(Line(kind="body"), 0, 1), Placed(heading, 1, 1), Placed(short[0], 2, 1)]
    assert [p.item for p in _widow_lines(page, short, 1)] == [heading, short[0]]
    two_headings = [Placed(Line(kind="heading", keep_with_next=True), n, 1) for n in range(2)]
    page = [*two_headings, Placed(short[0], 2, 1)]
    assert len(_widow_lines(page, short, 1)) == 3 and page == []


# -- tables ------------------------------------------------------------------------------------

def _table(rows, each=1.0):
    from reportlab.platypus import Table

    return Table([[f"第{n}行"] for n in range(rows)], rowHeights=[each * LINE] * rows)


def test_table_slots_round_up_to_whole_lines():
    from app.documents.gbt9704 import _table_slots

    assert _table_slots(_table(3)) == 3
    assert _table_slots(_table(1, 0.5)) == 1
    assert _table_slots(_table(2, 1.1)) == 3
    assert _table_slots(_table(1, 0.001)) == 1


def test_a_table_that_does_not_fit_is_split_and_continues_on_the_next_page():
    pages = paginate([*singles(20), TableBlock(_table(6)), *singles(1)])
    assert layout(pages) == [[*[("body", n, 1) for n in range(20)], ("table", 20, 2)],
                             [("table", 0, 4), ("body", 4, 1)]]
    # a full page: the table starts on the next one whole
    pages = paginate([*singles(22), TableBlock(_table(3))])
    assert layout(pages)[1] == [("table", 0, 3)]
    # a table that cannot be split in the room left goes to the next page
    pages = paginate([*singles(21), TableBlock(_table(1, 2))])
    assert layout(pages) == [[("body", n, 1) for n in range(21)], [("table", 0, 2)]]
    # the second part keeps the table's kind and description
    spec = object()
    pages = paginate([*singles(20), TableBlock(_table(6), kind="annex", spec=spec)])
    assert len(pages) == 2
    # a table longer than two pages goes on over three
    pages = paginate([TableBlock(_table(50))])
    assert [[(p.slot, p.slots) for p in page] for page in pages] == [[(0, 21)], [(0, 21)], [(0, 8)]]


def test_a_split_table_keeps_its_kind_and_spec(monkeypatch):
    seen = []
    original = TableBlock.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen.append((self.kind, self.spec))

    spec = object()
    block = TableBlock(_table(6), kind="annex", spec=spec)
    monkeypatch.setattr(TableBlock, "__init__", spy)
    paginate([*singles(20), block])
    assert seen == [("annex", spec)]


# -- rendering: the PDF read back ------------------------------------------------------------------

def _placed_chars(pages):
    """(page, slot, line) for every composed line."""
    for number, page in enumerate(pages):
        for placed in page:
            if isinstance(placed.item, Line):
                yield number, placed.slot, placed.item


def test_every_character_is_drawn_where_the_layout_put_it(tmp_path):
    body = break_lines([Run("甲" * 20 + " abc " + "乙" * 20 + "，丙丙")])
    heading = break_lines([Run("一、", role="hei"), Run("标题", role="hei", color=RED)], first_indent=0, align="left",
                          kind="heading")
    mixed = break_lines([Run("大", role="title", size=22), Run("小abc甲", size=16)], first_indent=0, align="left")
    item = break_lines([Run("甲甲abc甲，")], first_indent=0, align="left")
    pages = paginate([*body, *heading, PageBreak(), *mixed, blank(), *item])
    path = render(str(tmp_path / "a.pdf"), pages, title="测试", author="某某")
    assert path == tmp_path / "a.pdf"
    drawn = read(path)
    assert len(drawn) == 2
    for number, slot, line in _placed_chars(pages):
        if not line.placed:
            continue
        top = TOP + slot * LINE
        shown = [c for c in drawn[number]["chars"] if abs(c["top"] - top) < LINE / 2 and c["text"].strip()]
        expected = [(x, gl) for x, gl in line.placed if gl.ch.strip()]
        assert [c["text"] for c in shown] == [gl.ch for _, gl in expected], line.text
        tallest = max(gl.size for _, gl in line.placed)
        baselines = {round(c["matrix"][5], 3) for c in shown}
        assert len(baselines) == 1, line.text  # one baseline for the line
        for c, (x, gl) in zip(shown, expected):
            assert c["x0"] == pytest.approx(LEFT + x, abs=0.01), (line.text, gl.ch)
            assert c["size"] == pytest.approx(gl.size)
            assert c["fontname"].split("+")[-1].startswith(face_name(gl.font).split("-0")[0])
            colour = tuple(gl.color.rgb()) if gl.color else (0, 0, 0)
            assert tuple(c["non_stroking_color"]) == pytest.approx(colour, abs=0.01), (line.text, gl.ch)
            if gl.size == tallest:  # the glyph box of the largest starts at the slot's top
                assert c["top"] == pytest.approx(top, abs=0.01)


def test_a_line_is_drawn_in_a_few_text_runs_not_one_per_character(tmp_path):
    line = break_lines([Run("甲" * 40)], first_indent=0)[0]
    pages = paginate([line])
    render(tmp_path / "one.pdf", pages, title="t")
    content = PdfReader(tmp_path / "one.pdf").pages[0].get_contents().get_data().decode("latin-1")
    # the line (one face, one spacing) and the page number: two of each operator
    assert content.count(" Tf") == 2 and content.count("Tj") == 2
    assert content.count(" Tc") == 1 and content.count(" rg") == 1
    # a change of face, size or colour starts a new run, and only what changed is set again
    line = break_lines([Run("甲乙", color=RED), Run("丙丁"), Run("戊", role="hei")], first_indent=0, align="left")[0]
    render(tmp_path / "two.pdf", paginate([line]), title="t")
    content = PdfReader(tmp_path / "two.pdf").pages[0].get_contents().get_data().decode("latin-1")
    text = content[content.index("BT"):content.index("ET")]
    assert text.count("Tj") == 3 and text.count(" rg") == 2 and text.count(" Tf") == 2
    assert text.count(" Tc") in (1, 2)


def test_rules_are_drawn_below_the_slot_top_and_a_dropped_line_with_them(tmp_path):
    masthead = break_lines([Run("机关", role="title", size=22, color=RED)], first_indent=0, align="center")[0]
    masthead.drop = 10 * mm
    masthead.rules.append((20.0, 100.0, RED, 2.0))
    ruled = blank()
    ruled.rules += [(5.0, BLOCK_W, colors.black, 1.0), (LINE + 5.0, 50.0, colors.black, 0.5)]
    pages = paginate([masthead, *singles(0), blank(), ruled])
    render(tmp_path / "r.pdf", pages, title="t")
    page = read(tmp_path / "r.pdf")[0]
    rules = sorted(((round(ln["top"], 2), round(ln["x0"], 2), round(ln["x1"], 2), ln["linewidth"],
                     tuple(round(v, 3) for v in ln["stroking_color"])) for ln in page["lines"]))
    red = (0.831, 0.0, 0.0)
    assert rules == [
        (round(TOP + 10 * mm + 20, 2), round(LEFT, 2), round(LEFT + 100, 2), 2.0, red),
        (round(TOP + 2 * LINE + 5, 2), round(LEFT, 2), round(LEFT + BLOCK_W, 2), 1.0, (0.0, 0.0, 0.0)),
        (round(TOP + 3 * LINE + 5, 2), round(LEFT, 2), round(LEFT + 50, 2), 0.5, (0.0, 0.0, 0.0)),
    ]
    title = [c for c in page["chars"] if c["text"] in "机关"]
    assert [c["top"] for c in title] == pytest.approx([TOP + 10 * mm] * 2, abs=0.01)


def test_page_numbers_alternate_sides_in_their_dash_form_and_keep_black(tmp_path):
    """§7.5: "— N —" in 4号 (14 pt), its top 7 mm under the block; odd pages at the right, even at
    the left, one 14 pt character in from the block's edge; black and unspaced whatever the page's
    last line set (its colour and character spacing once leaked into the number)."""
    red_end = break_lines([Run("甲" * 30 + "完", color=RED)], first_indent=0)
    items = [*red_end, PageBreak(), *red_end, PageBreak(), *singles(1), PageBreak(), *red_end]
    pages = paginate(items)
    render(tmp_path / "n.pdf", pages, title="t")
    drawn = read(tmp_path / "n.pdf")
    from app.documents.fonts import FONT_NAMES

    assert len(drawn) == 4
    for number, page in enumerate(drawn, 1):
        chars = number_chars(page)
        assert [c["text"] for c in chars] == ["—", " ", str(number), " ", "—"]
        assert all(c["size"] == 14 for c in chars)
        assert all(c["fontname"].split("+")[-1].startswith(face_name(FONT_NAMES["song"]).split("-0")[0]) for c in chars)
        assert all(tuple(c["non_stroking_color"]) in ((0,), (0, 0, 0)) for c in chars), number
        assert [c["top"] for c in chars] == pytest.approx([TOP + BLOCK_H + 7 * mm] * 5, abs=5e-4)
        widths = [c["x1"] - c["x0"] for c in chars]
        steps = [b["x0"] - a["x0"] for a, b in zip(chars, chars[1:])]
        assert steps == pytest.approx(widths[:-1], abs=0.01)  # no character spacing
        if number % 2:
            assert chars[-1]["x1"] == pytest.approx(LEFT + BLOCK_W - 14, abs=0.01)
        else:
            assert chars[0]["x0"] == pytest.approx(LEFT + 14, abs=0.01)


def test_a_table_is_drawn_from_its_slot_at_the_left_margin_without_the_lines_spacing(tmp_path):
    from reportlab.platypus import Table, TableStyle

    table = Table([["表格文字", "b"]], colWidths=[100, 50], rowHeights=[2 * LINE])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("FONTNAME", (0, 0), (-1, -1), g.FONT_NAMES["fangsong"])]))
    red_line = break_lines([Run("甲" * 30, color=RED)], first_indent=0)[0]  # justified: a positive spacing
    pages = paginate([red_line, TableBlock(table)])
    render(tmp_path / "t.pdf", pages, title="t")
    page = read(tmp_path / "t.pdf")[0]
    assert min(ln["top"] for ln in page["lines"]) == pytest.approx(TOP + LINE, abs=0.01)
    assert max(ln["bottom"] for ln in page["lines"]) == pytest.approx(TOP + 3 * LINE, abs=0.01)
    assert min(ln["x0"] for ln in page["lines"]) == pytest.approx(LEFT, abs=0.01)
    cell = [c for c in page["chars"] if c["text"] in "表格文字"]
    assert [round(b["x0"] - a["x1"], 3) for a, b in zip(cell, cell[1:])] == [0, 0, 0]
    assert all(tuple(c["non_stroking_color"]) in ((0,), (0, 0, 0)) for c in cell)


def test_the_draft_mark_and_the_documents_information(tmp_path):
    from app.documents.fonts import FONT_NAMES

    pages = paginate([*singles(0), *break_lines([Run("甲")]), PageBreak(), *break_lines([Run("乙")])])
    render(tmp_path / "d.pdf", pages, title="会议纪要", draft=True)
    drawn = read(tmp_path / "d.pdf")
    for page in drawn:
        mark = [c for c in page["chars"] if c["text"] in "草稿"]
        assert [c["text"] for c in mark] == ["草", "稿"]
        assert mark[0]["x0"] == pytest.approx(LEFT, abs=0.01)
        assert mark[0]["matrix"][5] == pytest.approx(PAGE_H - TOP + 8 * mm, abs=0.01)
        assert all(c["size"] == 16 for c in mark)
        assert mark[0]["fontname"].split("+")[-1].startswith(face_name(FONT_NAMES["hei"]).split("-0")[0])
        assert tuple(mark[0]["non_stroking_color"]) == pytest.approx((0.75, 0.1, 0.1))
    with pdfplumber.open(tmp_path / "d.pdf") as pdf:
        assert pdf.metadata["Title"] == "会议纪要" and pdf.metadata["Author"] == ""
    render(tmp_path / "f.pdf", pages, title="会议纪要")
    assert not [c for page in read(tmp_path / "f.pdf") for c in page["chars"] if c["text"] in "草稿"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.pdf", "f.pdf"]  # no temporary file left


def test_an_empty_document_is_one_numbered_page(tmp_path):
    render(tmp_path / "e.pdf", paginate([]), title="t")
    drawn = read(tmp_path / "e.pdf")
    assert len(drawn) == 1 and [c["text"] for c in drawn[0]["chars"]] == ["—", " ", "1", " ", "—"]


def test_lines_of_a_page_sit_on_its_22_slots(tmp_path):
    lines = break_lines([Run("甲" * (28 * 24))], first_indent=0)
    pages = paginate(lines)
    render(tmp_path / "s.pdf", pages, title="t")
    drawn = read(tmp_path / "s.pdf")
    tops = sorted({round(c["top"], 2) for c in drawn[0]["chars"] if c["text"] == "甲"})
    assert tops == [round(TOP + n * LINE, 2) for n in range(LINES)]
    assert tops[-1] + 16 <= (TOP + BLOCK_H) + 0.01  # the 22nd line inside the 225 mm block
    assert round(LINE / MM, 3) == round(225 / 22, 3) and round(PITCH / MM, 3) == round(156 / 28, 3)
    assert [round(c["x0"] / MM, 2) for c in drawn[0]["chars"] if c["top"] < TOP + 1][:2] == [28.0, round(28 + 156 / 28, 2)]
    assert len([c for c in drawn[1]["chars"] if c["text"] == "甲"]) == 2 * 28


def test_the_draft_mark_is_translucent_and_the_page_a4(tmp_path):
    render(tmp_path / "d.pdf", paginate(break_lines([Run("甲")])), title="t", draft=True)
    page = PdfReader(tmp_path / "d.pdf").pages[0]
    states = page["/Resources"]["/ExtGState"]
    assert [float(state.get_object()["/ca"]) for state in states.values()] == [0.85]
    assert [round(float(v), 2) for v in page.mediabox] == [0, 0, 595.28, 841.89]
    fonts = page["/Resources"]["/Font"].get_object()
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert not any("Helvetica" in name for name in names), names  # only the document's faces


def test_a_line_drawn_on_its_own_measures_its_glyphs_itself():
    from io import BytesIO

    from reportlab.pdfgen import canvas as pdf_canvas

    from app.documents.gbt9704 import _draw_line

    buffer = BytesIO()
    c = pdf_canvas.Canvas(buffer)
    _draw_line(c, break_lines([Run("甲乙丙")], first_indent=0)[0], 500.0)
    c.showPage()
    c.save()
    with pdfplumber.open(BytesIO(buffer.getvalue())) as pdf:
        chars = pdf.pages[0].chars
    assert [c["text"] for c in chars] == ["甲", "乙", "丙"]
    assert [c["x0"] for c in chars] == pytest.approx([LEFT + n * PITCH for n in range(3)], abs=0.01)


# -- the cases the mutation runs found untested ----------------------------------------------------

def test_an_opening_mark_keeps_its_place_before_a_space():
    assert pieces(Run("（ 甲乙")) == ["（ 甲", "乙"]
    assert pieces(Run("甲（ ")) == ["甲", "（ "]
    assert [ln.text for ln in break_lines([Run("甲（ 乙")])] == ["甲（ 乙"]
    assert pieces(Run("aXb")) == ["aXb"]  # only a space or a tab separates words
    assert pieces(Run("5X", keep=True), Run("3")) == ["5X", "3"]


def test_a_hanging_point_lets_the_line_before_it_reach_the_edge():
    # 26 characters and a word of 1.5 cells with its 。: 28.5 cells, the 。 hanging; the 0.5 cell
    # left goes between the characters, so the word ends at the edge and the 。 starts there
    lines = break_lines([Run("甲" * 26 + "abc。乙")], first_indent=0)
    assert [ln.text for ln in lines] == ["甲" * 26 + "abc。", "乙"]
    x, point = lines[0].placed[-1]
    assert point.ch == "。" and x == pytest.approx(CHARS * PITCH)
    # a point does not hang when even without it the piece is too wide
    assert [ln.text for ln in break_lines([Run("甲" * CHARS + "乙。")], first_indent=0)] == ["甲" * CHARS, "乙。"]
    assert [ln.text for ln in break_lines([Run("甲" * 27 + "乙乙。")], first_indent=0)] == ["甲" * 27 + "乙", "乙。"]


def test_later_lines_have_their_own_width_and_a_broken_space_takes_no_room():
    # first line 26 cells (indent 2); the second 28: 26 甲 and a word of 1.5 cells, justified to the edge
    lines = break_lines([Run("甲" * 26 + "甲" * 26 + "abc" + "乙" * 10)], first_indent=2)
    assert lines[1].text == "甲" * 26 + "abc"
    x, last = lines[1].placed[-1]
    assert x + last.width == pytest.approx(CHARS * PITCH)
    # a line broken at a space: the next holds a whole 28 again
    lines = break_lines([Run("甲" * CHARS + " " + "乙" * CHARS + "丙")], first_indent=0)
    assert [ln.text for ln in lines] == ["甲" * CHARS, "乙" * CHARS, "丙"]
    assert break_lines([Run("  甲")], first_indent=0)[0].text == "甲"
    assert [ln.text for ln in break_lines([Run("  甲"), Run(" 乙")], first_indent=0)] == ["甲 乙"]
    # a name too wide for a line, after other text: nothing before it is lost
    lines = break_lines([Run("甲乙"), Run("欧" * 30, keep=True)], first_indent=0)
    assert "".join(ln.text for ln in lines) == "甲乙" + "欧" * 30


def test_right_aligned_lines_start_from_their_indent():
    right = break_lines([Run("甲" * 3)], first_indent=0, indent=3, align="right")
    assert cells(right[0]) == [25, 26, 27]
    full = break_lines([Run("甲" * CHARS)], first_indent=0, align="right")
    assert cells(full[0]) == list(range(CHARS))
    centred = break_lines([Run("甲" * CHARS)], first_indent=0, align="center")
    assert cells(centred[0]) == list(range(CHARS))


def test_a_document_with_two_signature_blocks_keeps_each_with_text():
    def tail():
        return Line(kind="tail")

    # the second 落款 does not fit: it takes two body lines back, the first 落款 between them
    pages = paginate([*singles(20), tail(), *singles(1), tail()])
    assert [len(p) for p in pages] == [19, 4]
    assert [p.item.kind for p in pages[1]] == ["body", "tail", "body", "tail"]
    assert [p.slot for p in pages[1]] == [0, 1, 2, 3]


def test_lines_taken_to_a_third_page_go_to_that_page():
    tail = [Line(kind="tail"), Line(kind="tail")]
    pages = paginate([*singles(22), *singles(22), *singles(21), *tail])
    assert [len(p) for p in pages] == [22, 22, 19, 4]
    pages = paginate([*singles(22), *singles(22), *singles(18), *body_lines(5)])
    assert [len(p) for p in pages] == [22, 22, 21, 2]
    assert layout(pages)[3] == [("body", 0, 1), ("body", 1, 1)]
    pages = paginate([*singles(22), *singles(22), *singles(1), TableBlock(_table(1, 30))])
    assert [len(p) for p in pages] == [22, 22, 1, 1] and isinstance(pages[3][0].item, type(_table(1)))
    assert (pages[3][0].slot, pages[3][0].slots) == (0, 30)


def test_carried_lines_take_the_next_slots():
    # the paragraph's last line with one more, and what follows after them
    pages = paginate([*singles(18), *body_lines(5), *singles(1)])
    assert layout(pages) == [[("body", n, 1) for n in range(21)], [("body", 0, 1), ("body", 1, 1), ("body", 2, 1)]]
    # two lines of it and the heading before them
    heading = Line(kind="heading", keep_with_next=True)
    pages = paginate([*singles(19), heading, *body_lines(3), *singles(1)])
    assert layout(pages)[1] == [("heading", 0, 1), ("body", 1, 1), ("body", 2, 1), ("body", 3, 1), ("body", 4, 1)]


def test_a_table_before_a_paragraph_is_not_carried_with_it():
    from app.documents.gbt9704 import Placed, _widow_lines

    table = _table(2)
    para = body_lines(3)
    page = [Placed(table, 0, 19), Placed(para[0], 19, 1), Placed(para[1], 20, 1), Placed(para[2], 21, 1)]
    assert [p.item for p in _widow_lines(page, [*para, *body_lines(1)], 2)] == [para[2]]
    page = [Placed(table, 0, 20), Placed(para[0], 20, 1), Placed(para[1], 21, 1)]
    assert [p.item for p in _widow_lines(page, para, 2)] == para[:2] and page == [Placed(table, 0, 20)]


def test_heading_chains_count_their_slots():
    tall = Line(kind="heading", keep_with_next=True, slots=2)
    # at slot 19: 2 + 1 more than the 3 left? exactly 3: it stays
    assert layout(paginate([*singles(19), tall, *singles(1)]))[0][-2:] == [("heading", 19, 2), ("body", 21, 1)]
    # at slot 20 it does not fit with its line: both go over
    assert layout(paginate([*singles(20), tall, *singles(1)]))[1] == [("heading", 0, 2), ("body", 2, 1)]
    # a heading on the second line of a page whose text is a page long goes to the next page with it
    pages = paginate([*singles(1), Line(kind="heading", keep_with_next=True), Line(kind="body", slots=21)])
    assert layout(pages) == [[("body", 0, 1)], [("heading", 0, 1), ("body", 1, 21)]]


def test_a_table_that_exactly_fits_stays_and_split_parts_are_the_tables_rows():
    from reportlab.platypus import Table

    pages = paginate([*singles(19), TableBlock(_table(3))])
    assert layout(pages) == [[*[("body", n, 1) for n in range(19)], ("table", 19, 3)]]
    pages = paginate([*singles(20), TableBlock(_table(5))])
    assert all(isinstance(p.item, Table) for page in pages for p in page if not isinstance(p.item, Line))
    assert [(p.slot, p.slots) for p in pages[0][-1:]] == [(20, 2)]
    pages = paginate([*singles(1), TableBlock(_table(1, 30))])
    assert isinstance(pages[1][0].item, Table) and pages[1][0].slot == 0


def test_tables_with_rows_as_tall_as_their_text_are_measured_and_drawn(tmp_path):
    from reportlab.platypus import Table, TableStyle

    from app.documents.gbt9704 import _table_slots

    rows = Table([[f"第{n}行"] for n in range(30)])
    rows.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    _, height = rows.wrap(BLOCK_W, BLOCK_H)
    assert _table_slots(rows) == -(-height // LINE)
    pages = paginate([TableBlock(rows)])
    render(tmp_path / "t.pdf", pages, title="t")
    assert len(read(tmp_path / "t.pdf")) == len(pages) == 1 and pages[0][0].slots == _table_slots(rows)


def test_character_spacing_is_set_only_when_it_changes(tmp_path):
    # three faces in turn, each glyph a run of its own: the spacing (none) is set once
    line = break_lines([Run("甲"), Run("乙", role="hei"), Run("丙")], first_indent=0, align="left")[0]
    render(tmp_path / "c.pdf", paginate([line]), title="t")
    content = PdfReader(tmp_path / "c.pdf").pages[0].get_contents().get_data().decode("latin-1")
    text = content[content.index("BT"):content.index("ET")]
    assert text.count(" Tc") == 1 and text.count(" Tf") == 3 and text.count(" rg") == 1


def test_glyphs_placed_at_any_spacing_are_drawn_there(tmp_path):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.documents.fonts import FONT_NAMES
    from app.documents.gbt9704 import Glyph, Placed

    font = FONT_NAMES["fangsong"]
    natural = stringWidth("甲", font, 16)
    xs, x = [], 0.0
    for step in (0.1, -0.1, 0.1, 0.5, 0.5, -0.3):  # spacings that differ, some by their sign alone
        xs.append(x)
        x += natural + step
    xs.append(x)
    line = Line(placed=[(x, Glyph("甲", font, 16, None, PITCH)) for x in xs])
    render(tmp_path / "s.pdf", [[Placed(line, 0, 1)]], title="t")
    chars = [c for c in read(tmp_path / "s.pdf")[0]["chars"] if c["text"] == "甲"]
    assert [c["x0"] for c in chars] == pytest.approx([LEFT + x for x in xs], abs=0.005)


# -- what is kept between documents (composed paragraphs, formatted numbers) -------------------------

def placed_of(lines):
    return [[(x, gl.ch, gl.font, gl.size, gl.color, gl.width) for x, gl in ln.placed] for ln in lines]


def test_a_paragraph_set_again_is_the_same_lines_made_afresh():
    runs = [Run("（一）议定事项。", "kai"), Run("会议决定于2025年4月11日前完成 Wi-Fi 改造，"
                                             "由街道办事处负责，“老旧小区”加装电梯360部。" * 3, color=RED)]
    first = break_lines(runs, indent=1, right_indent=1)
    assert g._COMPOSED  # kept
    again = break_lines(list(runs), indent=1, right_indent=1)
    assert placed_of(again) == placed_of(first) and [ln.kind for ln in again] == [ln.kind for ln in first]
    # each call has its own paragraph, lines and glyphs: a heading kept with what follows, lines
    # merged or ruled, and the widow rule (which tells paragraphs apart by their source) stay apart
    assert again[0].source is not first[0].source and again[0].source.runs == first[0].source.runs
    assert all(gl.para is ln.source for ln in again for _, gl in ln.placed)
    assert not {id(gl) for ln in first for _, gl in ln.placed} & {id(gl) for ln in again for _, gl in ln.placed}
    first[0].keep_with_next = True
    first[0].rules.append((0, 10, colors.black, 1))
    first[0].placed.append((0.0, first[1].placed[0][1]))
    third = break_lines(runs, indent=1, right_indent=1)
    assert placed_of(third) == placed_of(again) and not third[0].keep_with_next and not third[0].rules
    # another indent, alignment or kind is another composition
    assert placed_of(break_lines(runs, indent=0, right_indent=1)) != placed_of(first)
    assert [ln.kind for ln in break_lines(runs, indent=1, right_indent=1, kind="tail")] == ["tail"] * len(first)


def test_two_equal_paragraphs_of_one_document_stay_two_paragraphs():
    text = "甲" * (28 * 3 - 2 + 1)  # four lines, the last one alone
    lines = [*singles(19), *break_lines([Run(text)]), *break_lines([Run(text)])]
    pages = paginate(lines)
    # the first paragraph's last line is no widow: it goes to the next page with one line before it
    # (were the two paragraphs one, nothing would move)
    assert [p.item.text for p in pages[1]][:2] == ["甲" * 28, "甲"]


def test_a_paragraph_is_composed_anew_in_the_face_an_office_chooses(monkeypatch):
    from app.documents import fonts

    runs = [Run("议事代表会议纪要", "title", size=22)]
    before = break_lines(runs, first_indent=0, align="center")
    other = fonts.FONT_NAMES["kai"]
    assert other != fonts.FONT_NAMES["title"]
    monkeypatch.setitem(fonts.FONT_NAMES, "title", other)
    after = break_lines(runs, first_indent=0, align="center")
    assert {gl.font for _, gl in after[0].placed} == {other}
    assert {gl.font for _, gl in before[0].placed} != {other}


def _reference_draw_line(c, line, slot_top, naturals=None):
    """The line drawn with reportlab's text object alone (setFont, setFillColor, setCharSpace,
    setTextOrigin, textOut), in the same runs: what _draw_line must write, byte for byte."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    slot_top -= line.drop
    for below, width, colour, thickness in line.rules:
        c.saveState()
        c.setStrokeColor(colour)
        c.setLineWidth(thickness)
        c.line(LEFT, slot_top - below, LEFT + width, slot_top - below)
        c.restoreState()
    if not line.placed:
        return
    tallest = max((gl for _, gl in line.placed), key=lambda gl: gl.size)
    baseline = g._baseline(slot_top, tallest)
    text = c.beginText()
    state: tuple = (None, None, None, None)
    run: list[str] = []

    def flush():
        if run:
            text.textOut("".join(run))
            run.clear()

    placed = line.placed
    for i, (x, gl) in enumerate(placed):
        natural = stringWidth(gl.ch, gl.font, gl.size)
        nxt = placed[i + 1] if i + 1 < len(placed) else None
        space = (nxt[0] - x - natural) if nxt and (nxt[1].font, nxt[1].size) == (gl.font, gl.size) else None
        key = (gl.font, gl.size, gl.color)
        if run and (state[:3] != key or (space is not None and abs(space - state[3]) > 0.01)):
            flush()
        if not run:
            if state[:3] != key or (space is not None and abs(space - state[3]) > 0.01) or state[3] is None:
                if state[:2] != key[:2]:
                    text.setFont(gl.font, gl.size)
                if state[2] != key[2] or state[3] is None:
                    text.setFillColor(gl.color or colors.black)
                if state[3] is None or abs((space or 0.0) - state[3]) > 1e-9:
                    text.setCharSpace(space or 0.0)
                state = (*key, space or 0.0)
            text.setTextOrigin(LEFT + x, baseline)
        run.append(gl.ch)
        if space is None:
            flush()
    flush()
    c.saveState()
    c.drawText(text)
    c.restoreState()


def test_lines_are_drawn_as_reportlabs_own_text_operators_would_draw_them(tmp_path, monkeypatch):
    from reportlab import rl_config

    from app.documents.official import OfficialDoc

    class Settings:
        def get(self, key):
            return {"issuer_mark": "某某街道人大工委文件", "doc_cc": "区人大常委会"}.get(key)

        def unit(self):
            return "某某街道人大工委"

    class Store:
        settings = Settings()

    monkeypatch.setattr(rl_config, "invariant", 1)
    monkeypatch.setattr("app.documents.fonts.use_store_fonts", lambda store: None)
    doc = OfficialDoc(Store(), title="关于召开2025年第一次议事代表会议的通知（Draft）", sent_out=True,
                      doc_number="某工〔2025〕3号")
    doc.addressee(["全体议事代表", "街道办事处"])
    doc.heading("一、会议时间和地点")
    doc.para("定于2025年4月11日（星期五）上午9:30在议事堂召开，会期半天。请携带 ID 卡，"
             "提前15分钟到场签到；〇〇社区的代表请走东门。" * 2)
    doc.lead_in("（一）议程。", "听取关于“民生实事项目”票决情况的报告，审议 A-3 号提案。")
    doc.labelled("出席", ["张三", "李四", "欧阳娜娜", "王五"] * 8)
    doc.sign("2025-04-01")
    doc.build(tmp_path / "ours.pdf")
    monkeypatch.setattr(g, "_draw_line", _reference_draw_line)
    doc.build(tmp_path / "theirs.pdf")
    assert (tmp_path / "ours.pdf").read_bytes() == (tmp_path / "theirs.pdf").read_bytes()
    # and again, with every number already formatted once
    monkeypatch.undo()
    monkeypatch.setattr(rl_config, "invariant", 1)
    doc.build(tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "theirs.pdf").read_bytes()


def test_what_is_kept_of_composed_paragraphs_is_bounded(monkeypatch):
    monkeypatch.setattr(g, "COMPOSED_KEPT", 100)
    monkeypatch.setattr(g, "_composed_glyphs", 0)
    for n in range(1, 8):
        break_lines([Run("甲" * 30 + str(n))])  # 31 glyphs each
        assert sum(len(row) for rows in g._COMPOSED.values() for row in rows) == g._composed_glyphs <= 100
    assert len(g._COMPOSED) == 1  # emptied at the 4th, the 7th
    assert placed_of(break_lines([Run("甲" * 30 + "7")])) == placed_of(break_lines([Run("甲" * 30 + "7")]))
