"""An official document as official.py builds it on an empty office, measured in the PDF in mm
(pdfplumber): the 版头 35 mm under the block's top, the 发文字号 and the red line 4 mm under it, the
title two lines under that, 主送 flush left, 附件说明 two cells in with later names aligned, the
落款 in both layouts, the 附件 on its own page, the 版记 at the foot of the last page, and the
page numbers. Fast (no demo office, no Qt, no LibreOffice)."""

from __future__ import annotations

import pdfplumber
import pytest

MM = 72 / 25.4
CELL = 156 / 28  # one character cell, mm
SLOT = 225 / 22  # one line, mm
UNIT = "永川区人大常委会中山路街道工委"
MARK = "中山路街道人大工委文件"
NUMBER = "中山路街道人大工委〔2026〕7号"


def rows(path):
    """Per page: the text rows as dicts (top, left, right in mm; size; colour; text) and the rules."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            by_top: dict = {}
            for c in page.chars:
                if c["text"].strip():
                    by_top.setdefault(round(c["top"], 1), []).append(c)
            found = []
            for top in sorted(by_top):
                chars = sorted(by_top[top], key=lambda c: c["x0"])
                found.append({"top": chars[0]["top"] / MM, "left": chars[0]["x0"] / MM, "right": chars[-1]["x1"] / MM,
                              "size": chars[0]["size"], "colour": tuple(chars[0]["non_stroking_color"]),
                              "text": "".join(c["text"] for c in chars), "chars": chars})
            rules = [{"top": ln["top"] / MM, "left": ln["x0"] / MM, "right": ln["x1"] / MM, "width": ln["linewidth"],
                      "colour": tuple(round(v, 3) for v in ln["stroking_color"])} for ln in page.lines]
            pages.append({"rows": found, "rules": rules})
    return pages


def row(page, text):
    (found,) = [r for r in page["rows"] if r["text"] == text]
    return found


def at_slot(found, slot):
    return found["top"] == pytest.approx(37 + slot * SLOT, abs=0.05)


@pytest.fixture
def office(store):
    store.settings.update({"unit_name": UNIT, "issuer_mark": MARK})
    return store


def notice(store, path, *, upward=False):
    from app.documents.official import OfficialDoc

    doc = OfficialDoc(store, title="关于召开第一次议事会议的通知", sent_out=True, doc_number=NUMBER, upward=upward)
    doc.addressee(["各议事代表"])
    doc.para("为听取居民意见，经研究，定于三月召开第一次议事会议。" * 3)
    doc.heading("一、会议时间")
    doc.para("2026年3月16日上午9时。")
    doc.attachments(["会议议程", "参会人员名单"])
    doc.sign("2026-03-09")
    doc.annex("会议议程", 1)
    doc.para("审议社区停车管理办法。")
    doc.build(path)
    return rows(path)


def test_the_masthead_number_red_line_and_title_sit_where_the_standard_puts_them(office, tmp_path):
    first = notice(office, tmp_path / "n.pdf")[0]
    mark = row(first, MARK)
    assert mark["top"] == pytest.approx(37 + 35, abs=0.05)  # §7.2.3: 35 mm under the block's top
    assert mark["colour"] == pytest.approx((0.831, 0, 0), abs=0.01) and mark["size"] <= 36
    assert (mark["left"] + mark["right"]) / 2 == pytest.approx(28 + 78, abs=0.5)  # centred
    number = row(first, NUMBER)
    assert at_slot(number, 7) and number["size"] == 16  # two blank lines under the mark's two slots
    assert (number["left"] + number["right"]) / 2 == pytest.approx(28 + 78, abs=0.5)
    # §7.2.4: the red line 4 mm under the 发文字号, as wide as the block
    (red,) = [r for r in first["rules"] if r["colour"] == (0.831, 0.0, 0.0)]
    assert red["top"] == pytest.approx(number["top"] + 16 / MM + 4, abs=0.05)
    assert (red["left"], red["right"], red["width"]) == (pytest.approx(28, abs=0.01), pytest.approx(184, abs=0.01), 1.2)
    # §7.3.1: the title two lines under the red line's line, centred, 22 pt; then one blank and the 主送
    title = row(first, "关于召开第一次议事会议的通知")
    assert at_slot(title, 10) and title["size"] == 22
    assert (title["left"] + title["right"]) / 2 == pytest.approx(28 + 78, abs=0.5)
    addressee = row(first, "各议事代表：")
    assert at_slot(addressee, 12) and addressee["left"] == pytest.approx(28, abs=0.05)
    body = [r for r in first["rows"] if r["text"].startswith("为听取")]
    assert body[0]["left"] == pytest.approx(28 + 2 * CELL, abs=0.05)  # first line two cells in
    assert body[1]["left"] == pytest.approx(28, abs=0.05) and body[1]["right"] == pytest.approx(184, abs=0.3)
    assert all(r["text"][0] not in "，。、；：" for r in first["rows"])


def test_the_attachments_note_signature_annex_and_imprint(office, tmp_path):
    pages = notice(office, tmp_path / "n.pdf")
    assert len(pages) == 3
    second = pages[1]
    # the 落款 took the heading and its line with it (§7.3.5: never on a page without text)
    assert at_slot(row(second, "一、会议时间"), 0)
    note = row(second, "附件：1.会议议程")
    assert at_slot(note, 3) and note["left"] == pytest.approx(28 + 2 * CELL, abs=0.05)  # a blank line above
    later = row(second, "2.参会人员名单")
    assert at_slot(later, 4) and later["left"] == pytest.approx(28 + 5 * CELL, abs=0.05)  # under "1."
    # with a seal: a 署名 too long to centre over a date 4 cells in stays 2 cells in, the date centred under it
    issuer, dated = row(second, UNIT), row(second, "2026年3月9日")
    assert at_slot(issuer, 7) and at_slot(dated, 8)  # two blank lines under the note
    assert issuer["right"] == pytest.approx(184 - 2 * CELL, abs=0.1)
    assert (dated["left"] + dated["right"]) / 2 == pytest.approx((issuer["left"] + issuer["right"]) / 2, abs=0.1)
    # §8: the 附件 on a page of its own, 附件1 at the top left, its title centred on the third line
    annex = pages[2]
    assert at_slot(row(annex, "附件1"), 0) and row(annex, "附件1")["left"] == pytest.approx(28, abs=0.05)
    title = row(annex, "会议议程")
    assert at_slot(title, 2) and title["size"] == 22
    assert (title["left"] + title["right"]) / 2 == pytest.approx(106, abs=0.5)
    # §7.4: the 版记 on the last line of the last page, between two rules the width of the block
    printed = row(annex, UNIT + "2026年3月9日印发")
    # centred in the last slot: its 14 pt half a slot's slack below the slot's top
    assert printed["top"] == pytest.approx(37 + 21 * SLOT + (SLOT - 14 / MM) / 2, abs=0.05) and printed["size"] == 14
    assert printed["left"] == pytest.approx(28 + CELL, abs=0.05) and printed["right"] == pytest.approx(184 - CELL, abs=0.3)
    rules = sorted(annex["rules"], key=lambda r: r["top"])
    assert len(rules) == 2 and all(r["left"] == pytest.approx(28, abs=0.01) and r["right"] == pytest.approx(184, abs=0.01)
                                   for r in rules)
    # §7.4.1: the last rule on the block's bottom edge, the first on the slot's top edge
    assert rules[1]["top"] == pytest.approx(262, abs=0.05) and rules[0]["top"] == pytest.approx(262 - SLOT, abs=0.05)
    assert rules[0]["top"] < printed["top"] < printed["top"] + 14 / MM < rules[1]["top"]
    assert not pages[0]["rules"][1:] and not second["rules"]  # no 版记 before the last page
    # page numbers: "— N —", 7 mm under the block, odd at the right, even at the left, one 14 pt character in
    for number, page in enumerate(pages, 1):
        (dash,) = [r for r in page["rows"] if r["top"] > 262]
        assert dash["text"] == f"—{number}—" and dash["top"] == pytest.approx(262 + 7, abs=0.05)
        if number % 2:
            assert dash["right"] == pytest.approx(184 - 14 / MM, abs=0.05)
        else:
            assert dash["left"] == pytest.approx(28 + 14 / MM, abs=0.05)


def test_without_a_seal_the_signature_is_two_cells_in_and_the_date_two_further(office, tmp_path):
    office.settings.update({"seal_layout": "no_seal"})
    second = notice(office, tmp_path / "n.pdf")[1]
    issuer, dated = row(second, UNIT), row(second, "2026年3月9日")
    assert at_slot(issuer, 6) and at_slot(dated, 7)  # one blank line under the note
    assert issuer["right"] == pytest.approx(184 - 2 * CELL, abs=0.1)
    assert dated["left"] == pytest.approx(issuer["left"] + 2 * CELL, abs=0.05)


def test_a_report_upward_names_its_signer_on_the_number_line(office, tmp_path):
    office.settings.update({"signer": "张三"})
    first = notice(office, tmp_path / "r.pdf", upward=True)[0]
    (line,) = [r for r in first["rows"] if r["text"].startswith(NUMBER)]
    assert line["text"] == NUMBER + "签发人：张三"
    assert at_slot(line, 7) and line["left"] == pytest.approx(28 + CELL, abs=0.05)  # §7.2.6: one cell in
    assert line["right"] == pytest.approx(184 - CELL, abs=0.1)  # 签发人 one cell in from the right
    signer = [c for c in line["chars"] if c["text"] in "张三"]
    assert signer[0]["fontname"] != line["chars"][0]["fontname"]  # the name in 楷体


def test_a_names_line_is_set_flush_left_not_spread(office, tmp_path):
    """出席/列席 (§10.3): a name kept whole that goes to the next line leaves its room blank; the line
    before keeps the characters one cell apart (not 列 席 ： 谭 志 兰 … spread over the block)."""
    from app.documents.official import OfficialDoc

    doc = OfficialDoc(office, title="议事活动纪要")
    doc.para("会议听取了情况介绍。")
    doc.labelled("列席", ["谭志兰（永川区民政局）", "韩峰雪（永川区卫生健康委员会）"])
    doc.build(tmp_path / "m.pdf")
    first = rows(tmp_path / "m.pdf")[0]
    label = row(first, "列席：")  # (in 黑体, read as a row of its own)
    named = row(first, "谭志兰（永川区民政局）、")
    assert label["left"] == pytest.approx(28 + 2 * CELL, abs=0.05)
    steps = [(b["x0"] - a["x0"]) / MM for a, b in zip(named["chars"], named["chars"][1:])]
    assert all(step == pytest.approx(CELL, abs=0.05) for step in steps), steps
    after = next(r for r in first["rows"] if r["text"].startswith("韩峰雪"))
    assert after["left"] == pytest.approx(28 + 5 * CELL, abs=0.05)  # under the first name
