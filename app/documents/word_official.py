"""Official documents (GB/T 9704) as Word files: each composed line's paragraph becomes a Word
paragraph that reflows when edited, its tables Word tables, the 版记 kept at the foot of the last page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.documents.word import _W, LINE_PITCH, WordDoc, _el, _hex, _order, _set, _tw


def write_official(doc, path: Path | str) -> Path:
    """An OfficialDoc (its items, in order) as a Word file: each paragraph the PDF's lines were
    composed from as one Word paragraph, tables as Word tables, the 附件 on a new page, the 版记 at
    the foot of the last page."""
    from app.documents.gbt9704 import Line
    from app.documents.tables import described

    word = WordDoc(title=doc.title, author=doc.store.settings.unit())
    word.page_numbers()
    if doc.draft:
        word.draft_mark()
    blocks = _blocks(doc.items, Line)
    for index, block in enumerate(blocks):
        if block[0] == "break":
            word.page_break()
        elif block[0] == "table":
            word.table(block[1].spec or described(block[1].table))
        elif block[0] == "foot":
            _at_foot(word, _blocks(block[1].lines, Line))
        else:
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            _official_paragraph(word, block[1], block[2], keep_next=_keeps_with_next(block[2], following))
    return word.save(path)


def _blocks(items: list, line_type) -> list[tuple]:
    """Items as blocks: ("para", segments, lines) for the lines of one paragraph (segments: the
    paragraphs set on a line, more than one where lines were merged: the 版记's 印发机关 and date),
    ("table", item), ("break",), ("foot", item)."""
    from app.documents.gbt9704 import AtFoot, PageBreak, TableBlock

    blocks: list[tuple] = []
    for item in items:
        if isinstance(item, PageBreak):
            blocks.append(("break",))
        elif isinstance(item, TableBlock):
            blocks.append(("table", item))
        elif isinstance(item, AtFoot):
            blocks.append(("foot", item))
        elif isinstance(item, line_type):
            segments = list(dict.fromkeys(g.para for _, g in item.placed if g.para is not None))
            if not segments and item.source is not None:
                segments = [item.source]
            last = blocks[-1] if blocks else None
            if (len(segments) == 1 and last and last[0] == "para" and len(last[1]) == 1
                    and last[1][0] is segments[0]):
                last[2].append(item)  # the next line of the same paragraph
            else:
                blocks.append(("para", segments, [item]))
    return blocks


def _keeps_with_next(lines: list, following: tuple | None) -> bool:
    """Headings stay with what follows; the 附件说明 and 落款 stay together and with the body text
    before them (§7.3.5: never on a page of their own; Word's widow control keeps two lines)."""
    if any(line.keep_with_next for line in lines):
        return True
    return following is not None and following[0] == "para" and any(line.kind == "tail" for line in following[2])


def _official_paragraph(word: WordDoc, segments: list, lines: list, *, keep_next: bool = False,
                        container=None) -> None:
    """One paragraph from the lines composed of it: its style, indents, alignment and runs as
    composed; a line of several paragraphs (merged) as one with tab stops; rules as borders."""
    from app.documents.gbt9704 import CHARS, LINE, PITCH

    slots = max(line.slots for line in lines)
    drop = max(line.drop for line in lines)  # (the 版头, set off the grid: its slots, less the drop, below it)
    height = LINE_PITCH / 20 * slots - drop
    borders = None
    if container is None:
        borders = [("top" if below < LINE * slots / 2 else "bottom", thickness, _hex(colour))
                   for below, _, colour, thickness in (rule for line in lines for rule in line.rules)]
    if not segments:  # a blank line, or a line set by hand without its paragraph
        placed = lines[0].placed
        if not placed:
            word.paragraph(line=height, keep_next=keep_next, borders=borders, container=container)
            return
        p = word.paragraph(first=0, indent=placed[0][0] / PITCH, align="left", line=height,
                           keep_next=keep_next, borders=borders, container=container)
        word.run(p, "".join(g.ch for _, g in placed))
        return
    head = segments[0]
    style = "Normal"
    if head.kind == "title":
        style = "公文标题"
    elif head.kind == "heading":
        style = "一级标题" if head.runs and head.runs[0].role == "hei" else "二级标题"
    tabs = []
    for segment in segments[1:]:
        if segment.align == "right":
            tabs.append(("right", (CHARS - segment.right_indent) * PITCH))
        elif segment.align == "center":
            tabs.append(("center", CHARS * PITCH / 2))
        else:
            tabs.append(("left", next(x for x, g in lines[0].placed if g.para is segment)))
    p = word.paragraph(style=style, first=head.first_indent, indent=head.indent, right=head.right_indent,
                       align=head.align if len(segments) == 1 else "left", line=height, keep_next=keep_next,
                       borders=borders, tabs=tabs or None, container=container, space_before=drop)
    for number, segment in enumerate(segments):
        if number:
            p.add_run()._r.append(_el("w:tab"))
        for run in segment.runs:
            if run.text:
                word.run(p, run.text, role=run.role, size=run.size, colour=run.color, style=style)


def _at_foot(word: WordDoc, blocks: list[tuple]) -> None:
    """The 版记 (§7.4) as a table floating at the foot of the text block, a row a line, its rules
    the rows' borders: Word and WPS keep it at the bottom of the last page however the text above
    is edited (LibreOffice sets a full-width floating table in the text, after the 落款)."""
    table = word.doc.add_table(rows=len(blocks), cols=1)
    tblpr = table._tbl.tblPr
    tblpr.insert(0, _el("w:tblpPr", leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0,
                        vertAnchor="margin", horzAnchor="margin", tblpYSpec="bottom", tblpX=0))
    _set(tblpr, "w:tblOverlap", val="never")
    _set(tblpr, "w:tblW", w=_tw(word.width), type="dxa")
    _set(tblpr, "w:tblLayout", type="fixed")
    margins = _set(tblpr, "w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(_el(f"w:{side}", w=0, type="dxa"))
    _set(tblpr, "w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0, lastColumn=0, noHBand=1, noVBand=1)
    _order(tblpr)
    for col in table._tbl.tblGrid:
        col.set(f"{_W}w", str(_tw(word.width)))
    from app.documents.gbt9704 import LINE

    for row, (_, segments, lines) in zip(table.rows, blocks):
        slots = max(line.slots for line in lines)
        row._tr.get_or_add_trPr().append(_el("w:trHeight", val=LINE_PITCH * slots, hRule="exact"))
        cell = row.cells[0]
        tcpr = cell._tc.get_or_add_tcPr()
        _set(tcpr, "w:tcW", w=_tw(word.width), type="dxa")
        edges = _set(tcpr, "w:tcBorders")
        for line in lines:
            for below, _, colour, thickness in line.rules:
                side = "top" if below < LINE * slots / 2 else "bottom"
                edges.append(_el(f"w:{side}", val="single", sz=max(2, round(thickness * 8)), space=0,
                                 color=_hex(colour) or "000000"))
        _set(tcpr, "w:vAlign", val="center")
        _order(tcpr)
        first = cell.paragraphs[0]
        # (the PDF drops these lines to centre them between the rules; here the cell centres them)
        _official_paragraph(word, segments, [replace(line, drop=0.0) for line in lines], container=cell)
        first._p.getparent().remove(first._p)
    # a floating table is anchored to the paragraph after it: a tiny one
    word.paragraph(first=0, line=1)


