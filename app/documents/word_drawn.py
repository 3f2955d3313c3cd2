"""The documents drawn on their own as Word files: a register sheet, the meeting flowchart and
the certificates (聘书), from the same content the PDFs are drawn from."""

from __future__ import annotations

from pathlib import Path

from app.documents.word import MM, WordDoc, _el, _order, _set, _tw


def write_sheet(path: Path | str, title: str, subtitle: str, table, *, author: str) -> Path:
    """A printed ledger: A4 landscape, its title, the line under it, the table with its header row on
    every page, "— N —" centred at the foot (as the PDF)."""
    word = WordDoc(title=title, author=author, official=False, landscape=True, margins=(15, 18, 15, 15))
    word.page_numbers(outer=False, distance_mm=8)
    p = word.paragraph(first=0, align="center", line=26)
    word.run(p, title, role="title", size=18)
    p = word.paragraph(first=0, align="left", line=16)
    word.run(p, subtitle, size=12)
    word.paragraph(first=0, line=6)
    word.table(table)
    return word.save(path)


def write_flowchart(path: Path | str, chart: dict) -> Path:
    """The meeting's flowchart (meeting_docs.flowchart_content) on an A4 landscape page: the three
    phases as columns, each step a cell ruled in its progress colour, then the legend."""
    from docx.shared import Emu

    from app.documents.tables import Cell, TableSpec

    word = WordDoc(title=chart["title"], author=chart["unit"], official=False, landscape=True,
                   margins=(15, 12, 20, 20))
    p = word.paragraph(first=0, align="center", line=28)
    word.run(p, chart["title"], role="title", size=20)
    p = word.paragraph(first=0, align="center", line=18, space_before=2)
    word.run(p, chart["dates"], size=12)
    word.paragraph(first=0, line=8)
    phases = chart["phases"]
    depth = max((len(steps) for _, steps in phases), default=0)
    column = word.width / 3
    rows = [[Cell(label, head=True) for label, _ in phases]]
    rows += [[Cell() for _ in phases] for _ in range(depth)]
    table = word.table(TableSpec(rows, [column] * 3, grid=None, valign="TOP"))
    # the steps as boxes apart from one another, as the PDF draws them
    _set(table._tbl.tblPr, "w:tblCellSpacing", w=_tw(2.5 * MM), type="dxa")
    _order(table._tbl.tblPr)
    for index, (_, steps) in enumerate(phases):
        header = table.rows[0].cells[index]
        _set(header._tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill="B22222")
        for run in header.paragraphs[0].runs:
            run.font.size = Emu(14 * 12700)
            _set(run._r.get_or_add_rPr(), "w:color", val="FFFFFF")
            _order(run._r.get_or_add_rPr())
        for number, step in enumerate(steps, 1):
            cell = table.rows[number].cells[index]
            tcpr = cell._tc.get_or_add_tcPr()
            colour = step["colour"].lstrip("#").upper()
            edges = _set(tcpr, "w:tcBorders")
            for side, size in (("top", 12), ("left", 36), ("bottom", 12), ("right", 12)):
                edges.append(_el(f"w:{side}", val="single", sz=size, space=0, color=colour))
            _order(tcpr)
            first = cell.paragraphs[0]
            first._p.getparent().remove(first._p)
            p = word.paragraph(style="表格文字", first=0, align="left", line=16, container=cell,
                               tabs=[("right", column - 14)], space_before=3)
            word.run(p, step["title"], role="hei", size=11, style="表格文字")
            p.add_run()._r.append(_el("w:tab"))
            word.run(p, step["owner"], size=9, colour="#555555", style="表格文字")
            p = word.paragraph(style="表格文字", first=0, align="left", line=14, container=cell)
            word.run(p, step["status"], size=8.5, colour=step["colour"], style="表格文字")
    for row in table.rows[1:]:
        row._tr.get_or_add_trPr().append(_el("w:trHeight", val=_tw(15 * MM + 7 * MM), hRule="atLeast"))
    p = word.paragraph(first=0, align="left", line=16, space_before=8, tabs=[("right", word.width)])
    for label, colour in chart["legend"]:
        word.run(p, "　", shade=colour.lstrip("#").upper(), size=10)
        word.run(p, f" {label}　　　", size=10)
    p.add_run()._r.append(_el("w:tab"))
    word.run(p, chart["unit"], size=10)
    return word.save(path)


def write_certificates(path: Path | str, content: dict) -> Path:
    """The 聘书 (nomination_docs.certificate_pages): one A4 landscape page each, in a red frame."""
    word = WordDoc(title=content["title"], author=content["unit"], official=False, landscape=True,
                   margins=(28, 15, 36, 36))
    borders = _set(word.section._sectPr, "w:pgBorders", offsetFrom="page")
    for side in ("top", "left", "bottom", "right"):
        borders.append(_el(f"w:{side}", val="thickThinSmallGap", sz=48, space=24, color="B0191E"))
    inset = 12  # mm: the body and the 落款 stand 48 mm in from the page's edges, as in the PDF
    for number, page in enumerate(content["pages"]):
        if number:
            word.page_break()
        p = word.paragraph(first=0, align="right", line=14)
        word.run(p, f"编号：{page['serial']}", role="song", size=12)
        p = word.paragraph(first=0, align="center", line=76, space_before=16)
        word.run(p, "聘　书", role="title", size=64, colour="#B0191E")
        p = word.paragraph(first=0, align="left", line=44, space_before=40)
        # the body's lines at one left edge, two characters in (as the PDF)
        _set(p._p.get_or_add_pPr(), "w:ind", left=_tw(inset * MM + 48), right=_tw(inset * MM), firstLine=0)
        _order(p._p.get_or_add_pPr())
        before, name, after = page["lines"][0]
        word.run(p, before, role="kai", size=24)
        word.run(p, name, role="hei", size=28)
        word.run(p, after, role="kai", size=24)
        for line in page["lines"][1:]:
            p.add_run().add_break()
            word.run(p, line, role="kai", size=24)
        p = word.paragraph(first=0, align="right", line=34, space_before=44)
        _set(p._p.get_or_add_pPr(), "w:ind", left=_tw(inset * MM), right=_tw(inset * MM), firstLine=0)
        _order(p._p.get_or_add_pPr())
        word.run(p, content["unit"], role="kai", size=22)
        p.add_run().add_break()
        word.run(p, content["dated"], role="kai", size=22)
    return word.save(path)
