"""The 使用说明 prints as one PDF: every section on its own page, every face embedded."""

from pypdf import PdfReader

from app.common.manual import read_manual
from app.documents.manual_pdf import build_manual


def test_the_manual_prints_every_section(tmp_path):
    path = build_manual(tmp_path / "使用说明.pdf", "9.9")
    reader = PdfReader(str(path))
    _, sections = read_manual()
    assert len(reader.pages) >= len(sections) + 1
    heads = [[line.strip() for line in page.extract_text().splitlines()[:3]] for page in reader.pages]
    for section in sections:
        assert any(section.title in head for head in heads)  # each area begins a page with its name
    fonts = {f for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    assert all("/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
               for font in fonts if "/DescendantFonts" in font.get_object())
