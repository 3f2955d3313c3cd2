"""GB/T 9704 documents measured from the PDFs' character positions (pdfplumber), not from the
layout code's constants: 22 lines x 28 characters, margins, 落款 with body text, headings kept
with what follows, Chinese line-breaking rules, page numbers, embedded fonts."""

import re
from collections import defaultdict
from datetime import date, timedelta

import pdfplumber
import pytest
from pypdf import PdfReader

from app.documents.catalog import export_doc
from app.documents.dating import SENT_OUT
from app.services.meetings import MeetingFilter
from tests.app.documents.test_meeting_docs import embedded_fonts
from tests.conftest import DEMO_YEAR

MM = 72 / 25.4
CLOSING = set("、。，；：？！）》」』”’")
OPENING = set("（《「『“‘")
HANGING = set("、。，；：？！")


def lines_of(path):
    """Per page: the text lines as (top mm, left mm, right mm, chars) with page numbers apart."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rows = defaultdict(list)
            for ch in page.chars:
                if ch["text"].strip():
                    rows[round((ch["y0"] + ch["y1"]) / 2 / 3)].append(ch)  # same baseline band
            lines = []
            for key in sorted(rows, reverse=True):
                chars = sorted(rows[key], key=lambda c: c["x0"])
                lines.append({"top": min(c["top"] for c in chars) / MM, "left": chars[0]["x0"] / MM,
                              "chars": chars, "text": "".join(c["text"] for c in chars),
                              "size": max(c["size"] for c in chars),
                              "font": chars[0]["fontname"]})
            # a page number is "— N —"; a lone "—" is a table's empty cell, part of the body
            numbers = [ln["text"] for ln in lines if re.fullmatch(r"—\s*\d+\s*—", ln["text"])]
            body = [ln for ln in lines if ln["text"] not in numbers]
            pages.append({"lines": body, "numbers": numbers, "fonts": {c["fontname"] for c in page.chars}})
    return pages


def grid_lines(page):
    """Lines of 16 pt text (the body, headings, 落款): the grid's own lines."""
    return [ln for ln in page["lines"] if abs(ln["size"] - 16) < 0.5]


def right_edge(line):
    chars = line["chars"]
    if chars[-1]["text"] in HANGING and len(chars) > 1:
        chars = chars[:-1]  # a 点号 may hang past the edge (允许标点溢出边界)
    return chars[-1]["x1"] / MM


@pytest.fixture
def plenary(demo):
    return demo.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]["id"]


DOCS = [("minutes", "plenary"), ("meeting_notice", "plenary"), ("notice", None), ("filing", None),
        ("summary", "year"), ("reception_notice", "period")]
# the documents in the standard layout whose body is a form or a list (a table)
FORMS = [("assignment", "opinion"), ("feedback", "opinion"), ("duty", "delegate"), ("signin", "plenary"),
         ("plan", "plan"), ("brief", "bus")]


def subject_of(demo, subject):
    if subject == "plenary":
        return demo.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]["id"]
    if subject == "opinion":
        return demo.rows("SELECT id FROM opinions WHERE feedback_serial IS NOT NULL AND deleted = 0 LIMIT 1")[0]["id"]
    if subject == "delegate":
        return demo.rows("SELECT d.id FROM delegates d JOIN opinions o ON o.delegate_id = d.id GROUP BY d.id"
                         " ORDER BY count(*) DESC LIMIT 1")[0]["id"]
    if subject == "period":  # the reception days of this quarter: the rota's notice to residents
        from datetime import date

        return f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}"
    if subject == "bus":  # the school bus activity: its 工作简报 with 报头, decisions, photos and 报/送/发
        return demo.meetings.page(MeetingFilter(search="定制公交"), limit=None)[0]["id"]
    if subject == "year":  # the 年度工作总结 of the demo year
        return str(DEMO_YEAR)
    if subject == "plan":  # the school bus's 议事方案
        return demo.rows("SELECT p.id FROM plans p JOIN topics t ON t.id = p.topic_id WHERE t.title LIKE '%学生上学%'")[0]["id"]
    return None


@pytest.mark.parametrize("kind,subject", DOCS + FORMS)
def test_official_documents_keep_the_28_by_22_grid(demo, tmp_path, kind, subject):
    path = tmp_path / f"{kind}.pdf"
    export_doc(demo, kind, subject_of(demo, subject), path)
    pages = lines_of(path)
    full_lines = 0
    for number, page in enumerate(pages, 1):
        assert page["numbers"] == [f"—{number}—"]  # "— N —", §7.5
        grid = grid_lines(page)
        if not grid:
            continue  # an annex page of table rows
        tops = [ln["top"] for ln in page["lines"]]
        if number == 1 and kind in SENT_OUT:  # the 版头: its top edge 35 mm below the block's (§7.2.3)
            assert abs(min(tops) - 72) <= 1, (number, min(tops))
        else:
            # top margin 37 mm; a table carried over from the page before starts with its cell's padding
            carried = min(page["lines"], key=lambda ln: ln["top"]) not in grid
            assert abs(min(tops) - 37) <= (3 if carried else 1), (number, min(tops))
        assert len(grid) <= 22
        for ln in page["lines"]:
            assert ln["left"] >= 28 - 1, (number, ln["text"])  # never left of the 28 mm margin
            assert ln["text"][0] not in CLOSING, ln["text"]
            assert ln["text"][-1] not in OPENING, ln["text"]
        # lines of the grid sit on its 22 slots: 225 mm / 22 apart
        for ln in grid:
            slot = (ln["top"] - 37) / (225 / 22)
            assert abs(slot - round(slot)) < 0.08, (number, ln["text"], slot)
        # full lines of Chinese text: 28 characters from 28 mm to 184 mm
        for index, ln in enumerate(grid):
            cells = [c for c in ln["chars"] if c["x0"] / MM < 184 - 0.5]
            if abs(right_edge(ln) - 184) <= 1 and abs(ln["left"] - 28) <= 1 and all(
                    c["x1"] - c["x0"] > 15 for c in cells):  # full-width characters only
                full_lines += 1
                # 28 a line; 27 spread over it only where 禁则 pushed the 28th down: an opening mark
                # (it may not end a line) or a character whose closing marks may not start the next
                following = grid[index + 1]["text"] if index + 1 < len(grid) else ""
                pushed = following[:1] in OPENING or following[1:2] in CLOSING
                assert len(cells) == 28 or (len(cells) == 27 and pushed), ln["text"]
        # no heading (黑体 at the line start) last on a page that has more after it
        if number < len(pages) and grid:
            assert not (grid[-1]["font"] != grid[0]["font"] and grid[-1]["text"][1:2] == "、"
                        and len(grid[-1]["text"]) < 20), grid[-1]["text"]
    if (kind, subject) in DOCS:
        assert full_lines >= 1  # the text really runs full lines
        # Every page of running text is full (22 lines) unless it is the last before an annex or
        # the end, the next begins with a heading (kept with its text), or the next holds the 落款
        # (two lines go over with it, §7.3.5).
        unit = demo.settings.unit()
        text_pages = [p for p in pages if grid_lines(p)]
        for page, following in zip(text_pages, text_pages[1:]):
            lines, after = grid_lines(page), grid_lines(following)
            last_slot = round((lines[-1]["top"] - 37) / (225 / 22))
            if last_slot == 21 or any(ln["text"] == unit for ln in lines):
                continue  # the page's text runs to its 22nd line
            starts_with_heading = after and after[0]["text"][1:2] == "、"
            signs_next = any(ln["text"] == unit for ln in following["lines"])
            assert starts_with_heading or signs_next or not after, (kind, last_slot, lines[-1]["text"])
    fonts = embedded_fonts(PdfReader(path))
    assert fonts and all(embedded for _, embedded in fonts)


@pytest.mark.parametrize("kind,subject", DOCS + FORMS[:3])
def test_the_signature_block_never_stands_without_body_text(demo, tmp_path, kind, subject):
    path = tmp_path / f"{kind}.pdf"
    export_doc(demo, kind, subject_of(demo, subject), path)
    unit = demo.settings.unit()
    pages = lines_of(path)
    signed = [(n, p) for n, p in enumerate(pages) if any(ln["text"] == unit for ln in p["lines"])]
    assert len(signed) == 1
    number, page = signed[0]
    lines = page["lines"]  # the body's lines, a table's rows among them
    at = next(i for i, ln in enumerate(lines) if ln["text"] == unit)
    assert at >= 2, [ln["text"] for ln in lines[:at + 1]]  # at least two lines of text before it
    lines = grid_lines(page)
    at = next(i for i, ln in enumerate(lines) if ln["text"] == unit)
    # the date under the unit, in 阿拉伯数字 (§7.3.5)
    assert "年" in lines[at + 1]["text"] and lines[at + 1]["text"].endswith("日")


def test_with_seal_and_without_seal_layouts(demo, plenary, tmp_path):
    unit = demo.settings.unit()

    def sign_lines():
        path = tmp_path / "n.pdf"
        export_doc(demo, "meeting_notice", plenary, path)
        lines = [ln for p in lines_of(path) for ln in p["lines"]]
        at = next(i for i, ln in enumerate(lines) if ln["text"] == unit)
        return lines[at], lines[at + 1], lines[at - 1]

    issuer, dated, before = sign_lines()
    cell = 156 / 28
    date_right = dated["chars"][-1]["x1"] / MM
    assert abs(date_right - (184 - 4 * cell)) < 1.2 or issuer["chars"][-1]["x1"] / MM <= 184 - 2 * cell + 0.5
    demo.settings.update({"seal_layout": "no_seal"})
    issuer, dated, before = sign_lines()
    assert abs(issuer["chars"][-1]["x1"] / MM - (184 - 2 * cell)) < 1.2  # 署名 right-indented 2 cells
    assert dated["left"] - issuer["left"] >= 2 * cell - 0.5  # the date starts 2 cells further right
    assert abs((issuer["top"] - before["top"]) - 2 * 225 / 22) < 1  # one blank line below the text


def test_a_planned_meeting_has_no_minutes_but_a_draft(demo, tmp_path):
    from app.common.errors import ConflictError

    planned = demo.meetings.page(MeetingFilter(kind="plenary", descending=True))[0]
    assert planned["status"] == "planned"
    before = demo.scalar("SELECT count(*) FROM audit")
    with pytest.raises(ConflictError, match="尚未召开"):
        export_doc(demo, "minutes", planned["id"], tmp_path / "m.pdf", dated_on="2026-12-08")
    assert demo.scalar("SELECT count(*) FROM audit") == before and not (tmp_path / "m.pdf").exists()
    assert demo.issued_docs.find("minutes", planned["id"]) is None  # the refused date is not kept
    export_doc(demo, "minutes", planned["id"], tmp_path / "d.pdf", draft=True)
    text = lines_of(tmp_path / "d.pdf")[0]["lines"][0]["text"]
    assert text == "草稿"
    assert "实到0名" not in "".join(ln["text"] for p in lines_of(tmp_path / "d.pdf") for ln in p["lines"])


def test_notices_are_addressed_to_who_attends_under_full_names(demo, tmp_path):
    plenary = demo.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]
    group = demo.meetings.page(MeetingFilter(kind="group_activity", descending=False))[0]
    for meeting, who in ((plenary, "全体议事代表"), (group, f"{group['group_name']}全体议事代表")):
        path = tmp_path / "n.pdf"
        export_doc(demo, "meeting_notice", meeting["id"], path)
        text = "".join(ln["text"] for p in lines_of(path) for ln in p["lines"])
        assert who in text.split("：")[0] or who in text[:200]
        for name in demo.meetings.detail(meeting["id"])["departments_list"]:
            assert demo.departments.full_name(name) in text
        assert "永川区城市管理局" in text or "城管" not in demo.meetings.detail(meeting["id"])["departments_list"]


def test_a_notice_keeps_the_date_it_was_first_issued(demo, plenary, tmp_path):
    first = export_doc(demo, "meeting_notice", plenary, tmp_path / "a.pdf")
    week_before = (date.fromisoformat(demo.meetings.get(plenary)["date"]) - timedelta(days=7)).isoformat()
    assert first["dated_on"] == week_before  # a week before the meeting, not today
    again = export_doc(demo, "meeting_notice", plenary, tmp_path / "b.pdf")
    assert again["dated_on"] == week_before
    given = export_doc(demo, "meeting_notice", plenary, tmp_path / "c.pdf", dated_on=f"{DEMO_YEAR}-03-09", doc_number="7")
    assert given["dated_on"] == f"{DEMO_YEAR}-03-09"
    text = "".join(ln["text"] for p in lines_of(tmp_path / "c.pdf") for ln in p["lines"])
    assert f"{DEMO_YEAR}年3月9日" in text and f"中山路街道人大工委〔{DEMO_YEAR}〕7号" in text
    assert demo.issued_docs.next_number(str(DEMO_YEAR)) == "8"
    from app.common.errors import ValidationError

    with pytest.raises(ValidationError, match="成文日期"):
        export_doc(demo, "meeting_notice", plenary, tmp_path / "d.pdf", dated_on=f"{DEMO_YEAR}-02-30")


def test_the_notice_and_the_quota_table_agree_with_the_filing_report(demo, tmp_path):
    from openpyxl import load_workbook

    from app.registers.catalog import export_register

    export_doc(demo, "filing", None, tmp_path / "f.pdf")
    export_doc(demo, "notice", None, tmp_path / "n.pdf")
    export_register(demo, "quotas", tmp_path / "q.xlsx")
    filing = "".join(ln["text"] for p in lines_of(tmp_path / "f.pdf") for ln in p["lines"])
    notice = "".join(ln["text"] for p in lines_of(tmp_path / "n.pdf") for ln in p["lines"])
    ws = load_workbook(tmp_path / "q.xlsx").active
    header = [c.value for c in ws[3]]
    total = [[c.value for c in row] for row in ws.iter_rows(min_row=4) if row[1].value == "合计"][0]
    qualified, selected = total[header.index("联审合格")], total[header.index("确定人数")]
    assert f"联审合格{qualified}名" in filing and f"确定第一届议事代表{selected}名" in filing
    assert f"联审合格的{qualified}名人选" in notice and "名额70名" in notice
    assert "公示地点：" in notice and "联系电话：023-49880000" in notice
    assert "附件" in notice.split("人选名单")[0]  # the list is an annex, after the 落款


def test_no_login_name_once_the_clerk_is_named(demo, tmp_path):
    from app.registers.catalog import REGISTERS, export_register
    from app.storage.audit import login_name

    login = login_name()
    assert demo.settings.clerk() == "刘晓燕"
    demo.opinion_stats  # noqa: B018 - the demo's own records already name the clerk
    for name in REGISTERS:
        path = tmp_path / f"{name}.xlsx"
        export_register(demo, name, path)
        from openpyxl import load_workbook

        cells = [str(c.value) for row in load_workbook(path).active.iter_rows() for c in row if c.value]
        assert not any(value == login for value in cells), name
    plenary = demo.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]["id"]
    for kind, record in (("minutes", plenary), ("meeting_notice", plenary), ("filing", None)):
        export_doc(demo, kind, record, tmp_path / "x.pdf")
        text = "".join(p.extract_text() for p in PdfReader(tmp_path / "x.pdf").pages)
        assert login not in text or login in demo.settings.unit()


def test_certificates_leave_no_word_alone_on_a_line(demo, tmp_path):
    export_doc(demo, "certificates", None, tmp_path / "c.pdf")
    with pdfplumber.open(tmp_path / "c.pdf") as pdf:
        for page in pdf.pages:
            rows = defaultdict(str)
            for ch in page.chars:
                if ch["text"].strip() and ch["size"] >= 20:  # by baseline: 〇 comes from another face
                    rows[round(ch["matrix"][5] / 4)] += ch["text"]
            for text in rows.values():
                assert len(text) >= 3 or text == "聘书", text


def test_line_breaking_keeps_names_and_numbers_whole_and_marks_in_place(faces):
    from app.documents.gbt9704 import CHARS, Run, break_lines

    names = ["欧阳小明", "孟斌丹", "王五"] * 12
    runs = [Run(name + ("、" if i < len(names) - 1 else ""), keep=True) for i, name in enumerate(names)]
    lines = break_lines(runs, first_indent=0)
    texts = [line.text for line in lines]
    assert "".join(texts) == "、".join(names)
    for text in texts:
        assert text[0] != "、"
        for piece in text.rstrip("、").split("、"):
            assert piece in names  # no name split across lines
    # a number stays whole, and a comma never starts a line even when the line is exactly full
    text = "甲" * (CHARS - 1) + "，乙" + "2026年" + "丙" * 30
    texts = [line.text for line in break_lines([Run(text)], first_indent=0)]
    assert all(t[0] not in "，。、" for t in texts)
    assert any("2026年" in t for t in texts)


def test_a_table_row_taller_than_a_page_does_not_stop_the_layout(demo, tmp_path):
    from reportlab.platypus import Table

    from app.documents.gbt9704 import LINE
    from app.documents.official import OfficialDoc

    doc = OfficialDoc(demo, title="测试")
    doc.table(Table([["很长的内容"]], rowHeights=[30 * LINE]))
    doc.para("之后的正文。")
    doc.build(tmp_path / "t.pdf")
    assert len(PdfReader(tmp_path / "t.pdf").pages) >= 2


def test_page_numbers_sit_on_the_outer_side(demo, tmp_path):
    """§7.5: odd pages' numbers at the right, even pages' at the left, one character in from the
    block's edge (a document printed on both sides has them all on the outer edge)."""
    path = tmp_path / "summary.pdf"
    export_doc(demo, "summary", str(DEMO_YEAR), path)
    with pdfplumber.open(path) as pdf:
        sides = []
        for number, page in enumerate(pdf.pages, 1):
            dash = [c for c in page.chars if c["text"] == "—"]
            assert len(dash) == 2, number
            left, right = min(c["x0"] for c in dash) / MM, max(c["x1"] for c in dash) / MM
            if number % 2:
                assert 184 - 7 <= right <= 184 - 3, (number, right)  # one 14 pt character in from 184 mm
            else:
                assert 28 + 3 <= left <= 28 + 7, (number, left)
            sides.append(number % 2)
    assert sides[:2] == [1, 0]  # at least one page of each side was measured


# -- composing and paginating, without a PDF -----------------------------------------------------

@pytest.fixture
def faces():
    from app.documents.fonts import register_fonts

    register_fonts()


def _pieces(text):
    from app.documents.gbt9704 import Run, atoms

    return ["".join(g.ch for g in a.glyphs) for a in atoms([Run(text)])]


def test_marks_stick_to_their_neighbours_and_figures_to_their_units(faces):
    assert _pieces("（甲）乙") == ["（甲）", "乙"]
    assert _pieces("甲，乙。") == ["甲，", "乙。"]
    assert _pieces("“甲”") == ["“甲”"]
    assert _pieces("甲（") == ["甲", "（"]  # an opening mark left last stands alone
    assert _pieces("abc def") == ["abc", " ", "def"]
    assert _pieces("ab,cd") == ["ab,", "cd"]
    for whole in ("2025年4月11日", "〔2024〕1号", "第3期", "360人", "12月3日"):
        assert _pieces(whole) == [whole]
    assert _pieces("3甲") == ["3", "甲"] and _pieces("年3") == ["年", "3"]


def test_lines_fill_the_grid_indent_and_align(faces):
    from app.documents.gbt9704 import CHARS, PITCH, Run, break_lines, text_width

    def cells(line):
        return [round(x / PITCH, 3) for x, _ in line.placed]

    lines = break_lines([Run("甲" * 60)], kind="heading")
    assert [(len(ln.text), cells(ln)[0], cells(ln)[-1]) for ln in lines] == [(26, 2, 27), (28, 0, 27), (6, 0, 5)]
    assert {ln.kind for ln in lines} == {"heading"} and lines[0].source is lines[2].source
    assert (lines[0].source.first_indent, lines[0].source.kind) == (2, "heading")
    assert all(g.para is lines[0].source for ln in lines for _, g in ln.placed)
    # a 点号 hangs past the right edge rather than open the next line; another character does not
    hung = break_lines([Run("甲" * CHARS + "。")], first_indent=0)
    assert len(hung) == 1 and cells(hung[0])[-1] == CHARS
    assert [ln.text for ln in break_lines([Run("甲" * CHARS + "乙")], first_indent=0)] == ["甲" * CHARS, "乙"]
    assert cells(break_lines([Run("标题")], first_indent=0, align="center")[0]) == [13, 14]
    assert cells(break_lines([Run("标题")], first_indent=0, align="right")[0]) == [26, 27]
    assert cells(break_lines([Run("标题")], first_indent=0, align="left")[0]) == [0, 1]
    boxed = break_lines([Run("甲" * 30)], indent=2, right_indent=2, first_indent=0)
    assert [(len(ln.text), cells(ln)[0]) for ln in boxed] == [(24, 2), (6, 2)]
    # a justified line ends at the edge; the slack goes between Chinese characters, never in a word
    mixed = break_lines([Run("甲" * 20 + " abcdefg " + "乙" * 20)], first_indent=0)
    first = mixed[0]
    x, glyph = first.placed[-1]
    assert abs(x + glyph.width - CHARS * PITCH) < 0.01 and first.text.endswith("乙")
    word = [x for x, g in first.placed if g.ch in "abcdefg"]
    steps = {round(b - a, 3) for a, b in zip(word, word[1:])}
    assert steps == {round(PITCH / 2, 3)}
    assert cells(mixed[-1]) == list(range(len(mixed[-1].text)))  # the last line is not spread
    assert not break_lines([Run("  甲")], first_indent=0)[0].text.startswith(" ")
    assert text_width([Run("甲乙")]) == pytest.approx(2 * PITCH) and text_width([Run("ab")]) == pytest.approx(PITCH)
    long = break_lines([Run("欧" * 40, keep=True)], first_indent=0)  # a kept run wider than a line is broken
    assert [len(ln.text) for ln in long] == [28, 12]


def _para(n, kind="body"):
    from app.documents.gbt9704 import Line, Para

    source = Para((), 2, 0, 0, "justify", kind)
    return [Line(kind=kind, source=source) for _ in range(n)]


def _layout(pages):
    return [[(p.item.kind if hasattr(p.item, "kind") else "table", p.slot) for p in page] for page in pages]


def test_pages_hold_22_lines_and_keep_headings_tails_and_widows_right():
    from app.documents.gbt9704 import AtFoot, Line, PageBreak, blank, paginate

    lines = [line for _ in range(30) for line in _para(1)]
    pages = paginate(lines)
    assert [len(p) for p in pages] == [22, 8] and [p.slot for p in pages[1]] == list(range(8))
    assert paginate([]) == [[]]
    # a blank line never opens a page; a page break makes no empty page
    pages = paginate([*_para(1) * 22, blank(), *_para(1), PageBreak(), PageBreak(), *_para(1)])
    assert [len(p) for p in pages] == [22, 1, 1] and pages[1][0].item.kind == "body"
    # a heading goes with the first line of its text
    heading = Line(kind="heading", keep_with_next=True)
    pages = paginate([*[ln for _ in range(21) for ln in _para(1)], heading, *_para(1)])
    assert [len(p) for p in pages] == [21, 2] and pages[1][0].item is heading
    # the 版记 sits at the foot of the last page
    foot = AtFoot([Line(kind="imprint"), Line(kind="imprint")])
    assert _layout(paginate([*_para(3), foot])) == [[("body", 0), ("body", 1), ("body", 2), ("imprint", 20),
                                                      ("imprint", 21)]]
    assert [len(p) for p in paginate([*[ln for _ in range(21) for ln in _para(1)], foot])] == [21, 2]
    # the 落款 takes two body lines with it to a new page
    tail = [Line(kind="tail"), Line(kind="tail")]
    pages = paginate([*[ln for _ in range(21) for ln in _para(1)], *tail])
    assert _layout(pages)[1] == [("body", 0), ("body", 1), ("tail", 2), ("tail", 3)] and len(pages[0]) == 19
    # ...and when it fits but would stand alone, it still does
    pages = paginate([*[ln for _ in range(22) for ln in _para(1)], blank(), *tail])
    assert _layout(pages)[1] == [("body", 0), ("body", 1), ("tail", 2), ("tail", 3)]
    # a paragraph's last line never opens a page alone: one more comes with it
    pages = paginate([*[ln for _ in range(19) for ln in _para(1)], *_para(4)])
    assert [len(p) for p in pages] == [21, 2]
    # two lines of a paragraph are not left behind either: all of it moves
    pages = paginate([*[ln for _ in range(20) for ln in _para(1)], *_para(3)])
    assert [len(p) for p in pages] == [20, 3]
    # a heading left last on the page goes too
    pages = paginate([*[ln for _ in range(19) for ln in _para(1)], heading, *_para(3)])
    assert [len(p) for p in pages] == [19, 4] and pages[1][0].item is heading


def test_page_breaks_and_the_foot_of_the_last_page():
    from app.documents.gbt9704 import AtFoot, Line, PageBreak, paginate

    assert [len(p) for p in paginate([PageBreak(), *_para(1), PageBreak(), *_para(1), *_para(1)])] == [1, 2]
    foot = AtFoot([Line(kind="imprint"), Line(kind="imprint")])
    pages = paginate([*[ln for _ in range(20) for ln in _para(1)], foot])
    assert len(pages) == 1 and [(p.slot, p.slots) for p in pages[0][-2:]] == [(20, 1), (21, 1)]
    pages = paginate([*_para(1), foot, *_para(1)])  # anything after the 版记 starts a new page
    assert [len(p) for p in pages] == [3, 1] and pages[1][0].slot == 0


def test_tables_take_whole_slots_and_split_by_rows_between_pages():
    from reportlab.platypus import Table

    from app.documents.gbt9704 import LINE, Line, TableBlock, paginate

    def table(rows, each=1.0):
        return TableBlock(Table([[f"第{n}行"] for n in range(rows)], rowHeights=[each * LINE] * rows))

    pages = paginate([*_para(2), table(3), *_para(1)])
    assert [(p.slot, p.slots) for p in pages[0]] == [(0, 1), (1, 1), (2, 3), (5, 1)]
    # 20 lines leave 2 slots: two rows there, three on the next page, then the text goes on
    pages = paginate([*[ln for _ in range(20) for ln in _para(1)], table(5), *_para(1)])
    assert [len(p) for p in pages] == [21, 2] and [(p.slot, p.slots) for p in pages[1]] == [(0, 3), (3, 1)]
    assert pages[0][-1].slot == 20 and pages[0][-1].slots == 2
    # a row taller than a page is set as it is, on a page of its own
    pages = paginate([*_para(1), table(1, 30), *_para(1)])
    assert [len(p) for p in pages] == [1, 1, 1] and pages[1][0].slots == 30
    # a heading is kept with the first rows of its table
    heading = Line(kind="heading", keep_with_next=True)
    pages = paginate([*[ln for _ in range(20) for ln in _para(1)], heading, table(3)])
    assert pages[1][0].item is heading
