"""Read as the district's 人大 office reads what leaves the office: every document of the demo, as PDF
and as Word, with one date style, 〇 not ○, no number or date broken across lines, its properties
filled in; the 工作简报 as a 简报 (第N期, 报/送/发) naming as attending only those signed in; a
reception day's minutes telling who came, what they raised and what became of it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from app.documents.catalog import DOCS, export_doc
from tests.app.documents.test_official_grid import lines_of

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
REGISTER_LIKE = {"ledger"}  # the printed ledger is a register on paper: ISO days in its date cells


def _records(demo) -> dict[str, str | None]:
    bus = demo.rows("SELECT id FROM meetings WHERE title LIKE '%第三季度%' AND group_id IN"
                    " (SELECT id FROM groups WHERE name = '新城三组') AND deleted = 0")[0]["id"]
    opinion = demo.rows("SELECT id FROM opinions WHERE title LIKE '%公交线路%' AND deleted = 0")[0]["id"]
    delegate = demo.rows("SELECT id FROM delegates WHERE deleted = 0 LIMIT 1")[0]["id"]
    from tests.conftest import DEMO_YEAR

    return {"meeting": bus, "opinion": opinion, "delegate": delegate, "year": str(DEMO_YEAR), "round": None, None: None,
            "period": date.today().strftime("%Y-%m")}


@pytest.fixture(scope="module")
def every_document(tmp_path_factory, demo_template):
    import shutil

    from app.store import Store

    folder = tmp_path_factory.mktemp("read") / "data"
    shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns("yishi.lock"))
    out = tmp_path_factory.mktemp("docs")
    made = {}
    with Store.open(folder) as demo:
        records = _records(demo)
        for kind, (_, _, subject) in DOCS.items():
            for suffix in (".pdf", ".docx"):
                path = out / f"{kind}{suffix}"
                export_doc(demo, kind, records[subject], path)
                made[(kind, suffix)] = path
    return made


def _pdf_lines(path) -> list[str]:
    return [ln["text"] for page in lines_of(path) for ln in page["lines"]]


def _docx_text(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", list(DOCS))
def test_one_date_style_no_look_alike_and_no_figure_broken(every_document, kind):
    lines = _pdf_lines(every_document[(kind, ".pdf")])
    text = "\n".join(lines) + "\n" + _docx_text(every_document[(kind, ".docx")])
    assert "○" not in text  # 〇 (U+3007) in Chinese numerals, never the ring U+25CB
    if kind not in REGISTER_LIKE:
        assert not ISO_DAY.search(text), ISO_DAY.search(text)
    for before, after in zip(lines, lines[1:]):
        if before and after and before[-1].isdigit():
            assert not (after[0].isdigit() or after[0] in "年月日号期〕"), (before, after)


@pytest.mark.parametrize("kind", list(DOCS))
def test_the_file_says_what_it_is(every_document, kind):
    info = PdfReader(every_document[(kind, ".pdf")]).metadata
    assert info.creator == "议事工作台" and info.subject == DOCS[kind][0]
    assert info.author and info.title and "anonymous" not in (info.author + info.title)
    props = Document(str(every_document[(kind, ".docx")])).core_properties
    assert props.subject == DOCS[kind][0] and props.author


def test_the_brief_is_a_brief_naming_only_who_came(demo, tmp_path):
    records = _records(demo)
    meeting = records["meeting"]
    export_doc(demo, "brief", meeting, tmp_path / "a.pdf")
    text = "".join(_pdf_lines(tmp_path / "a.pdf"))
    number = demo.issued_docs.number("brief", meeting)
    assert re.fullmatch(r"第\d+期", number) and number in text and "工作简报" in text
    assert "报：" in text and "送：" in text and "发：" in text
    # every unit it names as attending signed in as 列席 at that meeting
    signed = {demo.departments.units_text(r["unit"]) for r in demo.rows(
        "SELECT unit FROM attendance WHERE meeting_id = ? AND status = 'attending_nonmember' AND deleted = 0",
        [meeting])}
    named = re.search(r"；(.+?)派员列席", text)
    assert named and set(named.group(1).split("、")) <= signed
    # photos taken after the brief's date are not in it
    assert "开通首日" not in text
    # exported again: the same 期号; another brief: the next
    export_doc(demo, "brief", meeting, tmp_path / "b.pdf")
    assert demo.issued_docs.number("brief", meeting) == number


def test_a_reception_days_minutes_tell_who_came_and_what_became_of_it(demo, tmp_path):
    day = demo.rows("""SELECT m.id, m.visitors FROM meetings m WHERE m.kind = 'reception' AND m.status = 'held'
                       AND m.deleted = 0 AND EXISTS (SELECT 1 FROM reception_matters r WHERE r.meeting_id = m.id
                       AND r.deleted = 0) ORDER BY m.date LIMIT 1""")[0]
    export_doc(demo, "minutes", day["id"], tmp_path / "m.pdf")
    text = "".join(_pdf_lines(tmp_path / "m.pdf"))
    assert "召开" not in text and "值班" in text and f"接待来访群众{day['visitors']}人次" in text
    for matter in demo.receptions.outcomes(day["id"]):
        assert matter["content"] in text and matter["outcome"] in text


def test_every_brief_of_the_year_names_only_who_signed_in_and_the_minutes_counts(demo, tmp_path):
    """Not only the bus activity: every meeting of the year that has a brief (plenaries and group
    activities) names as 列席 only the units signed in as attending, and gives the counts the
    sign-in gives (as its minutes do); neither brief nor minutes nests brackets."""
    from tests.conftest import DEMO_YEAR

    held = demo.rows("""SELECT id, kind FROM meetings WHERE status = 'held' AND deleted = 0 AND kind != 'reception'
                        AND date BETWEEN ? AND ? ORDER BY date""", [f"{DEMO_YEAR}-01-01", f"{DEMO_YEAR}-12-31"])
    assert len(held) >= 20
    with_guests = 0
    for meeting in held:
        path = tmp_path / f"{meeting['id']}.pdf"
        export_doc(demo, "brief", meeting["id"], path)
        text = "".join(_pdf_lines(path))
        signed = {demo.departments.units_text(r["unit"]) for r in demo.rows(
            "SELECT unit FROM attendance WHERE meeting_id = ? AND status = 'attending_nonmember' AND deleted = 0"
            " AND unit IS NOT NULL", [meeting["id"]])}
        named = re.search(r"；([^。；]+?)派员列席", text)
        if named:
            with_guests += 1
            assert set(named.group(1).split("、")) <= signed, (meeting, named.group(1), signed)
        else:
            assert "派员" not in text, meeting  # no other wording names guests
        counts = demo.attendance.summary(meeting["id"])
        assert f"应到议事代表{counts['expected']}名，实到{counts['present']}名" in text, meeting
        assert re.search(r"第\d+期", text) and "报：" in text and "送：" in text, meeting
        # a room named with its own brackets is not bracketed again: no （…（…）…）
        export_doc(demo, "minutes", meeting["id"], tmp_path / "minutes.pdf")
        for written in (text, "".join(_pdf_lines(tmp_path / "minutes.pdf"))):
            assert not re.search(r"（[^）]*（", written), re.search(r"（[^）]*（.{0,12}", written).group()
    assert with_guests >= 5  # the demo's activities do invite departments
