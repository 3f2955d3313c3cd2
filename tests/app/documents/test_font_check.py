"""A font file chosen in 设置 is taken only when it sets every character the documents use: the
refusals a clerk meets (through the settings service the window calls), the streamed check of a
huge file, and a face that passes really drawing and embedding a document's text."""

import ast
import json
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from app.common import font_check
from app.common.errors import ValidationError
from app.common.font_check import LOOK_ALIKES, required_chars
from app.common.resources import shipped_dir
from app.documents.catalog import export_doc
from tests.app.documents import font_files
from tests.app.documents.test_meeting_docs import embedded_fonts
from tests.app.documents.test_official_grid import DOCS, FORMS, subject_of
from tests.conftest import ROOT, digest

SHIPPED = shipped_dir("resources") / "fonts"


def truncated(path: Path) -> Path:
    """Half of a real face: what a copy cut short on a USB stick leaves."""
    data = (SHIPPED / "gbsn00lp.ttf").read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def not_a_font(path: Path) -> Path:
    path.write_bytes(b"\x00\x01\x00\x00" + bytes(range(256)) * 8)  # a TrueType tag, then noise
    return path


BAD_FONTS = [
    # (how it is made, the file name the clerk picked, what the refusal says)
    (truncated, "仿宋_GB2312.ttf", "不是 TrueType 字体文件（.ttf/.ttc），或文件已损坏"),
    (not_a_font, "仿宋.ttf", "不是 TrueType 字体文件（.ttf/.ttc），或文件已损坏"),
    (font_files.glyphs_past_the_end, "方正小标宋.ttf", "或文件已损坏"),
    (font_files.latin_only, "Latin.ttf", "这个字体缺少 6,764 个常用汉字（如“议”“事”），以及 188 个标点、数字或字母"),
    (font_files.blank_chinese, "空心仿宋.ttf", "这个字体中 6,764 个常用汉字（如“议”“事”），以及 187 个标点、数字或字母"
                                               "（如“、”“。”）的字形为空，打印出来是空白，不能用于公文"),
    (font_files.cff_outlines, "思源宋体.otf", "只支持 TrueType 轮廓的字体（.ttf/.ttc），这个文件是 CFF/OpenType 轮廓"),
]


@pytest.mark.parametrize("make,name,reason", BAD_FONTS, ids=[b[0].__name__ for b in BAD_FONTS])
def test_a_font_file_that_cannot_set_the_documents_is_refused_with_the_reason(demo, tmp_path, make, name, reason):
    """Each of these passed the old check (reportlab opened them) or ended in 程序内部错误; the
    documents then printed boxes, nothing, or failed with an IndexError."""
    path = make(tmp_path / name)
    before = digest(demo)
    with pytest.raises(ValidationError) as refused:
        demo.settings.update({"font_fangsong": str(path)})
    assert refused.value.message.startswith(f"正文字体文件（仿宋）“{name}”：")
    assert reason in refused.value.message
    assert refused.value.field == "font_fangsong"
    assert digest(demo) == before and demo.settings.get("font_fangsong") == ""


def test_a_huge_file_is_refused_by_its_size_before_anything_is_read(demo, tmp_path):
    """1.5 GB named .ttf (a real face at its head, the rest a hole in a sparse file): the old check
    read it whole (1.6 GB of memory); now its size refuses it."""
    path = tmp_path / "大字库.ttf"
    shutil.copy(SHIPPED / "gbsn00lp.ttf", path)
    with open(path, "r+b") as handle:
        handle.truncate(1536 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match=r"文件有 1\.5 GB，超过字体文件 64 MB 的上限"):
            demo.settings.update({"font_title": str(path)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, peak
    assert demo.settings.get("font_title") == ""


def test_a_large_face_within_the_cap_is_read_with_seeks_not_whole(tmp_path):
    """The streamed check of a 60 MB face (a real face padded with a table nobody reads) holds
    far less than the file in memory; reportlab's own reading is left out here."""
    path = tmp_path / "大字库.ttf"
    shutil.copy(SHIPPED / "gkai00mp.ttf", path)
    with open(path, "r+b") as handle:
        handle.truncate(60 * 1024 * 1024)
    tracemalloc.start()
    try:
        assert len(font_check.check(path, trial=False)) == 64
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak


@pytest.mark.parametrize("face", ["gbsn00lp.ttf", "gkai00mp.ttf"])
def test_a_face_that_passes_sets_a_document_whose_text_is_drawn_and_embedded(demo, tmp_path, face):
    chosen = tmp_path / f"办公室的{face}"
    shutil.copy(SHIPPED / face, chosen)
    demo.settings.update({"font_fangsong": str(chosen)})
    assert demo.settings.get("font_fangsong") == str(chosen)
    assert demo.meta("font_fangsong_sha256") == font_check.check(chosen)  # the file as it passed
    result = export_doc(demo, "notice", None, tmp_path / "公示.pdf")
    assert result["notes"] == []
    face_name = {"gbsn00lp.ttf": "BousungEG-Light-GB", "gkai00mp.ttf": "GBZenKai-Medium"}[face]
    with pdfplumber.open(tmp_path / "公示.pdf") as pdf:
        body = [c for page in pdf.pages for c in page.chars if c["fontname"].split("+")[-1] == face_name]
    text = "".join(c["text"] for c in body)
    assert "公示" in text and "议事代表" in text  # the body, set in the chosen face, reads back
    assert all(c["x1"] - c["x0"] > 1 for c in body)  # each character takes its room
    fonts = embedded_fonts(PdfReader(tmp_path / "公示.pdf"))
    assert any(face_name in name and embedded for name, embedded in fonts), fonts
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(tmp_path / "公示.pdf")], capture_output=True, text=True,
                                 check=True).stdout
        row = next(line for line in listing.splitlines() if face_name in line)
        assert row.split()[-5:-3] == ["yes", "yes"], row  # emb, sub


def test_the_required_characters_hold_the_documents_fixed_text():
    """Every character in the text of the documents' and registers' code, and of the reference
    lists they print (ethnicities, parties, sectors...), is one a chosen face must set. Left out:
    the 使用说明 (manual_pdf, help text rather than a document) and the font machinery itself."""
    wanted = set(required_chars()) | set(LOOK_ALIKES)
    found: dict[str, str] = {}
    for folder in ("app/documents", "app/registers"):
        for module in sorted((ROOT / folder).glob("*.py")):
            if module.name in ("manual_pdf.py", "fonts.py", "font_check.py"):
                continue
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.update((ch, module.name) for ch in node.value if ch.isprintable())
    reference = json.loads((ROOT / "data" / "reference.json").read_text(encoding="utf-8"))
    found.update((ch, "reference.json") for ch in json.dumps(reference, ensure_ascii=False) if ch.isprintable())
    assert len(found) > 500
    assert {ch: where for ch, where in found.items() if ch not in wanted} == {}


def test_the_required_characters_hold_what_the_demo_documents_print(demo, tmp_path):
    """The documents rendered once, every character they print taken back from the PDFs."""
    wanted = set(required_chars()) | set(LOOK_ALIKES.values())
    printed: dict[str, str] = {}
    meeting = demo.rows("SELECT m.id FROM meetings m JOIN materials x ON x.meeting_id = m.id LIMIT 1")[0]["id"]
    kinds = [*DOCS, *FORMS, ("certificates", None), ("flowchart", "plenary"), ("ledger", None)]
    for kind, subject in kinds:
        record = subject_of(demo, subject)
        export_doc(demo, kind, record, tmp_path / f"{kind}.pdf")
    export_doc(demo, "brief", meeting, tmp_path / "brief.pdf")
    for pdf_path in tmp_path.glob("*.pdf"):
        with pdfplumber.open(pdf_path) as pdf:
            printed.update((c["text"], pdf_path.stem) for page in pdf.pages for c in page.chars
                           if c["text"].strip())
    assert len(printed) > 500
    assert {ch: where for ch, where in printed.items() if ch not in wanted} == {}
