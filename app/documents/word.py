"""Every document also as a Word file (.docx, python-docx), for the clerk to retouch in WPS or Word.

The Word file is rendered from what the PDF is drawn from, never from a second copy of the wording:
an official document's elements (`official.OfficialDoc.items`: each line knows the paragraph it
was composed from, `gbt9704.Para`) become Word paragraphs that reflow when edited, its tables
(`tables.TableSpec`) Word tables; the documents drawn on their own (聘书, the flowchart, the printed
ledger) hand the same content to a writer here.

The layout is GB/T 9704's, in Word's terms: A4, margins 37/35/28/26 mm, the section's document grid
of 22 lines × 28 characters (页面设置: 文档网格), 3号仿宋 in exact 28.95 pt lines condensed by
0.3 pt (28 characters fill the 156 mm line with or without the grid), the official faces by the
names offices have them (with their English names as Word's fallback), "— N —" in 4号宋体 on the
outer side through odd and even footers. Paragraphs do not snap to the character grid: LibreOffice
sets each 16 pt character in two 15.8 pt grid cells when they do (14 characters a line); the exact
line spacing and the condensed characters keep the 28 × 22 grid in Word, WPS and LibreOffice alike.

python-docx is imported only when a Word file is written.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.common.fileio import atomic_path
from app.documents.metadata import CREATOR, describing, subject  # noqa: F401 (describing: the catalog's)


def is_word(path: Path | str) -> bool:
    return Path(path).suffix.lower() == ".docx"


# -- units and faces -----------------------------------------------------------------------------
MM = 72 / 25.4  # points
LINE_PITCH = 579  # twips: 22 lines in the 225 mm block (12 756 twips) with room to spare
CHAR_SPACE = -842  # 4096ths of a point off 16 pt: a 15.794 pt cell, 28 to the 442.25 pt line
CONDENSED = -6  # twentieths of a point: 16 pt characters set 15.7 pt apart, 28 to the line
PAGE_NO_INDENT = 280  # twips: one 4号 character in from the outer edge (§7.5)

# role -> (the face's name as Chinese offices have it, its English name: Word's fallback)
FACES = {"title": ("方正小标宋简体", "FZXiaoBiaoSong-B05S"), "fangsong": ("仿宋_GB2312", "FangSong"),
         "hei": ("黑体", "SimHei"), "kai": ("楷体_GB2312", "KaiTi"), "song": ("宋体", "SimSun")}


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _tw(points: float) -> int:
    return round(points * 20)


def _hex(colour: Any) -> str | None:
    """A reportlab colour (or '#rrggbb') as Word's RRGGBB; None for black or none."""
    if colour is None:
        return None
    if isinstance(colour, str):
        value = colour.lstrip("#").upper()
    else:
        value = colour.hexval()[2:].upper()
    return None if value == "000000" else value


def _el(tag: str, **attrs: Any):
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(_W + name, str(value))
    return element


def _set(parent, tag: str, **attrs: Any):
    """`parent`'s child `tag` (w:...) with `attrs`, replacing one already there."""
    for old in parent.findall(_W + tag[2:]):
        parent.remove(old)
    element = _el(tag, **attrs)
    parent.append(element)
    return element


# the order the schema requires of the children of w:pPr, w:rPr and w:tblPr (Word refuses others)
_ORDERS = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
            "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
            "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
}
_RANKS = {_W + parent: {_W + name: i for i, name in enumerate(names)} for parent, names in _ORDERS.items()}


def _order(properties) -> None:
    """The children of a properties element (w:pPr, w:rPr, w:tblPr, w:tcPr) in the schema's order."""
    rank = _RANKS[properties.tag]
    children = sorted(properties, key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        properties.remove(child)
    for child in children:
        properties.append(child)


def _faces(rpr, role: str) -> None:
    name, _ = FACES[role]
    _set(rpr, "w:rFonts", ascii=name, hAnsi=name, eastAsia=name, cs=name, hint="eastAsia")


def _size(rpr, points: float) -> None:
    half = str(round(points * 2))
    _set(rpr, "w:sz", val=half)
    _set(rpr, "w:szCs", val=half)


# -- the document --------------------------------------------------------------------------------
# paragraph style -> (role, size, first indent, indent, right indent, alignment): what its
# paragraphs need not say again
STYLES = {"Normal": ("fangsong", 16.0, 2.0, 0.0, 0.0, "justify"),
          "公文标题": ("title", 22.0, 0.0, 0.0, 0.0, "center"),
          "一级标题": ("hei", 16.0, 2.0, 0.0, 0.0, "justify"),
          "二级标题": ("kai", 16.0, 2.0, 0.0, 0.0, "justify"),
          "表格文字": ("fangsong", 12.0, 0.0, 0.0, 0.0, "left")}
_JC = {"justify": "both", "left": "left", "center": "center", "right": "right"}


class WordDoc:
    """A python-docx document set up for our documents: the GB/T 9704 page (`official`) or a
    plain A4 page for forms drawn on their own (landscape ledgers, certificates, flowcharts)."""

    def __init__(self, *, title: str, author: str, official: bool = True, landscape: bool = False,
                 margins: tuple[float, float, float, float] = (37, 35, 28, 26)):
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        self.doc = Document()
        self.official = official
        self.styles = dict(STYLES)
        if not official:  # forms drawn on their own: plain 12 pt paragraphs, off any grid
            self.styles["Normal"] = ("fangsong", 12.0, 0.0, 0.0, 0.0, "left")
        self._pitch = 156 * MM / 28  # one character cell of the grid, points
        section = self.doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        top, bottom, left, right = margins
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
        section.header_distance, section.footer_distance = Mm(15), Mm(10)
        self.width = ((297 if landscape else 210) - left - right) * MM  # the text block, points
        self.section = section
        self._styles()
        self._settings()
        self._font_table()
        self._properties(title, author)
        if official:
            _set(section._sectPr, "w:docGrid", type="linesAndChars", linePitch=LINE_PITCH, charSpace=CHAR_SPACE)
        self._pending_break = False

    # -- set-up ------------------------------------------------------------------------------------
    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml.ns import qn

        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _faces(rpr, "fangsong")
        _size(rpr, 16 if self.official else 12)
        _set(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
        _order(rpr)
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        _set(ppr, "w:spacing", before=0, after=0, line=240, lineRule="auto")
        self._style_ids = {}
        for name, (role, size, first, indent, right, align) in self.styles.items():
            if name == "Normal":
                style = styles["Normal"]
            else:
                style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                style.base_style = styles["Normal"]
                style.quick_style = True
            self._style_ids[name] = style.style_id
            rpr = style.element.get_or_add_rPr()
            _faces(rpr, role)
            _size(rpr, size)
            if name != "表格文字" and self.official:
                _set(rpr, "w:spacing", val=CONDENSED)
            elif name == "表格文字":
                _set(rpr, "w:spacing", val=0)
            _order(rpr)
            ppr = style.element.get_or_add_pPr()
            if self.official or name == "表格文字":
                _set(ppr, "w:widowControl")
                _set(ppr, "w:autoSpaceDE", val=0)  # no extra space between Chinese and digits
                _set(ppr, "w:autoSpaceDN", val=0)
                _set(ppr, "w:snapToGrid", val=0)
                if name != "表格文字":
                    _set(ppr, "w:spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact")
                self._indent(ppr, first, indent, right)
                _set(ppr, "w:jc", val=_JC[align])
            if name in ("一级标题", "二级标题"):
                _set(ppr, "w:keepNext")
                _set(ppr, "w:outlineLvl", val=0 if name == "一级标题" else 1)
            _order(ppr)

    def _settings(self) -> None:
        from docx.oxml.ns import qn

        settings = self.doc.settings
        settings.odd_and_even_pages_header_footer = self.official
        element = settings.element
        for lang in element.findall(qn("w:themeFontLang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
        for compat in element.iter(qn("w:compatSetting")):
            if compat.get(qn("w:name")) == "compatibilityMode":
                compat.set(qn("w:val"), "15")  # tables' rules on the margin, as the PDF draws them

    def _font_table(self) -> None:
        """The official faces in the font table with their English names as w:altName, so that Word
        on a PC that has only 仿宋 (FangSong) or 楷体 (KaiTi) uses them for 仿宋_GB2312 / 楷体_GB2312."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from lxml import etree

        part = self.doc.part.part_related_by(RT.FONT_TABLE)
        root = etree.fromstring(part.blob)
        ns = _W
        for name, alt in FACES.values():
            font = etree.SubElement(root, f"{ns}font", {f"{ns}name": name})
            etree.SubElement(font, f"{ns}altName", {f"{ns}val": alt})
            etree.SubElement(font, f"{ns}charset", {f"{ns}val": "86"})  # GB2312: a Chinese face stands in
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _properties(self, title: str, author: str) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        now = datetime.now(timezone.utc).replace(microsecond=0)
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = title, author, author
        props.subject, props.comments, props.keywords, props.category = subject(), "", "", ""
        props.created = props.modified = now
        props.revision = 1
        package = self.doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.EXTENDED_PROPERTIES:  # app.xml: the program that wrote the file
                blob = rel.target_part.blob.decode("utf-8")
                start, end = blob.index("<Application>"), blob.index("</Application>")
                blob = blob[:start] + f"<Application>{CREATOR}</Application>" + blob[end + len("</Application>"):]
                rel.target_part._blob = blob.replace("<Template>Normal.dotm</Template>", "<Template/>").encode()
            elif rel.reltype == RT.THUMBNAIL:  # python-docx's template's picture of an empty page
                del package.rels[rid]

    # -- paragraphs ------------------------------------------------------------------------------------
    def _indent(self, ppr, first: float, indent: float, right: float) -> None:
        """Indents in character cells, both in twips (every program) and in 字符 (Word and WPS
        show 首行缩进 2 字符)."""
        cell = self._pitch
        attrs: dict[str, Any] = {"left": _tw(indent * cell), "right": _tw(right * cell)}
        if indent:
            attrs["leftChars"] = round(indent * 100)
        if right:
            attrs["rightChars"] = round(right * 100)
        if first > 0:
            attrs.update(firstLine=_tw(first * cell), firstLineChars=round(first * 100))
        elif first < 0:
            attrs.update(hanging=_tw(-first * cell), hangingChars=round(-first * 100))
        else:
            attrs.update(firstLine=0, firstLineChars=0)
        _set(ppr, "w:ind", **attrs)

    def paragraph(self, *, style: str = "Normal", first: float | None = None, indent: float = 0,
                  right: float = 0, align: str | None = None, line: float | None = None,
                  keep_next: bool = False, borders: list[tuple[str, float, str | None]] | None = None,
                  tabs: list[tuple[str, float]] | None = None, container=None, space_before: float = 0):
        """A new paragraph (in the body, or in `container`: a cell, a footer). Indents in character
        cells; `line`: exact line height in points; `borders`: (top|bottom, width pt, colour)."""
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        ppr = p._p.get_or_add_pPr()
        if style != "Normal":  # by its id: python-docx's lookup by name walks every style each time
            _set(ppr, "w:pStyle", val=self._style_ids[style])
        _, _, s_first, s_indent, s_right, s_align = self.styles.get(style, self.styles["Normal"])
        if first is not None and (first, indent, right) != (s_first, s_indent, s_right):
            self._indent(ppr, first, indent, right)
        if align and align != s_align:
            _set(ppr, "w:jc", val=_JC[align])
        if keep_next:
            _set(ppr, "w:keepNext")
        if self._pending_break and container is None:
            _set(ppr, "w:pageBreakBefore")
            self._pending_break = False
        height = line
        if borders:
            bdr = _set(ppr, "w:pBdr")
            for side, width, colour in sorted(borders, key=lambda b: b[0] != "top"):
                bdr.append(_el(f"w:{side}", val="single", sz=max(2, round(width * 8)), space=1,
                               color=colour or "000000"))
                if height:
                    height -= 1 + width  # the rule and its gap take their room from the line
        # the body's 28.95 pt lines are the style's: said again only where a paragraph differs
        if height is not None and (borders or space_before or not self.official or _tw(height) != LINE_PITCH
                                   or container is not None):
            _set(ppr, "w:spacing", before=_tw(space_before), after=0, line=_tw(height), lineRule="exact")
        elif space_before:
            _set(ppr, "w:spacing", before=_tw(space_before), after=0)
        if tabs:
            stops = _set(ppr, "w:tabs")
            for kind, position in tabs:
                stops.append(_el("w:tab", val=kind, pos=_tw(position)))
        _order(ppr)
        return p

    def run(self, p, text: str, *, role: str | None = None, size: float | None = None, colour: Any = None,
            style: str = "Normal", shade: str | None = None, spacing: int | None = None):
        """A run of `text`; face and size set only where they differ from the paragraph's style."""
        r = p.add_run(text.replace("\t", " "))
        s_role, s_size = self.styles.get(style, self.styles["Normal"])[:2]
        rpr = r._r.get_or_add_rPr()
        if role and role != s_role:
            _faces(rpr, role)
        if size and abs(size - s_size) > 0.01:
            _size(rpr, size)
        hexed = _hex(colour)
        if hexed:
            _set(rpr, "w:color", val=hexed)
        if shade:
            _set(rpr, "w:shd", val="clear", color="auto", fill=shade)
        if spacing is not None:
            _set(rpr, "w:spacing", val=spacing)
        _order(rpr)
        return r

    def field(self, p, instruction: str, shown: str, **run_options) -> None:
        """A field (PAGE): Word and LibreOffice fill it in on every page."""
        for part in ("begin", instruction, "separate", shown, "end"):
            r = self.run(p, "", **run_options)
            if part in ("begin", "separate", "end"):
                r._r.append(_el("w:fldChar", fldCharType=part))
            elif part == instruction:
                text = _el("w:instrText")
                text.text = f" {instruction} "
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r._r.append(text)
            else:
                r.text = shown

    def page_break(self) -> None:
        """The next paragraph or table starts a page (附件, the next certificate)."""
        self._pending_break = True

    # -- tables -------------------------------------------------------------------------------------------
    def table(self, spec):
        """`spec` (tables.TableSpec) as a Word table: fixed column widths, rules, the header row repeated
        and shaded, rows never split across pages, cells in 表格文字 (not on the grid). Rows are built
        as XML (python-docx's row and cell lists walk the whole table at each access)."""
        from docx.table import _Cell

        columns = max(len(row) for row in spec.rows) if spec.rows else 1
        table = self.doc.add_table(rows=0, cols=columns)
        tbl = table._tbl
        tblpr = tbl.tblPr
        _set(tblpr, "w:tblW", w=_tw(sum(spec.widths[:columns])), type="dxa")
        _set(tblpr, "w:tblInd", w=0, type="dxa")
        borders = _set(tblpr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            if spec.grid:
                borders.append(_el(f"w:{side}", val="single", sz=max(2, round(spec.grid * 8)), space=0, color="000000"))
            else:
                borders.append(_el(f"w:{side}", val="nil"))
        _set(tblpr, "w:tblLayout", type="fixed")
        margins = _set(tblpr, "w:tblCellMar")
        pad = spec.padding if spec.padding is not None else 3  # reportlab's cell padding
        for side, value in (("top", pad), ("left", 6), ("bottom", pad), ("right", 6)):
            margins.append(_el(f"w:{side}", w=_tw(value), type="dxa"))
        _set(tblpr, "w:tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0, lastColumn=0, noHBand=1, noVBand=1)
        _order(tblpr)
        for col, width in zip(tbl.tblGrid, spec.widths):
            col.set(f"{_W}w", str(_tw(width)))
        if self._pending_break:  # a table cannot start a page itself: a hairline paragraph does
            self.paragraph(line=0.7)
        valign = {"MIDDLE": "center", "TOP": "top", "BOTTOM": "bottom"}[spec.valign]
        for index, cells in enumerate(spec.rows):
            tr = _el("w:tr")
            trpr = _el("w:trPr")
            tr.append(trpr)
            trpr.append(_el("w:cantSplit"))
            if spec.row_height:
                trpr.append(_el("w:trHeight", val=_tw(spec.row_height), hRule="atLeast"))
            if index < spec.header_rows:
                trpr.append(_el("w:tblHeader"))
            for content, width in zip(cells, spec.widths):
                tc = _el("w:tc")
                tcpr = _el("w:tcPr")
                tc.append(tcpr)
                tcpr.append(_el("w:tcW", w=_tw(width), type="dxa"))
                if index < spec.header_rows:
                    tcpr.append(_el("w:shd", val="clear", color="auto", fill="EEEEEE"))
                tcpr.append(_el("w:vAlign", val=valign))
                tr.append(tc)
                self._cell(_Cell(tc, table), content, spec)
            tbl.append(tr)
        return table

    def _cell(self, cell, content, spec) -> None:
        """A cell's picture (if any) and text, in 表格文字 at the table's size and leading."""
        align = "center" if content.head or content.centre or spec.centre else None
        if content.image:
            _picture(self.paragraph(style="表格文字", align="center", container=cell), content.image, spec.image_box)
        for text in (content.text or "").split("\n"):
            p = self.paragraph(style="表格文字", align=align, line=spec.leading, container=cell)
            if text:
                self.run(p, text, role="hei" if content.head else "fangsong", size=spec.font_size, style="表格文字")

    # -- page numbers, draft mark, saving ---------------------------------------------------------------
    def page_numbers(self, *, outer: bool = True, distance_mm: float = 23.0) -> None:
        """"— N —" in 4号宋体: odd pages on the right and even on the left, one character in
        (§7.5), or centred (landscape ledgers)."""
        from docx.shared import Mm

        self.section.footer_distance = Mm(distance_mm)
        if outer:
            footers = [(self.section.footer, "right", 0, PAGE_NO_INDENT),
                       (self.section.even_page_footer, "left", PAGE_NO_INDENT, 0)]
        else:
            footers = [(self.section.footer, "center", 0, 0)]
        for footer, align, left, right in footers:
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            ppr = p._p.get_or_add_pPr()
            _set(ppr, "w:snapToGrid", val=0)
            _set(ppr, "w:spacing", before=0, after=0, line=_tw(14), lineRule="exact")
            _set(ppr, "w:ind", left=left, right=right, firstLine=0)
            _set(ppr, "w:jc", val=_JC[align])
            _order(ppr)
            self.run(p, "— ", role="song", size=14.0, spacing=0)
            self.field(p, "PAGE", "1", role="song", size=14.0, spacing=0)
            self.run(p, " —", role="song", size=14.0, spacing=0)

    def draft_mark(self) -> None:
        """草稿 at the top left of every page, above the text block (as the PDF marks it)."""
        from docx.shared import Mm

        self.section.header_distance = Mm(23)
        headers = [self.section.header] + ([self.section.even_page_header] if self.official else [])
        for header in headers:
            header.is_linked_to_previous = False
            p = header.paragraphs[0]
            ppr = p._p.get_or_add_pPr()
            _set(ppr, "w:snapToGrid", val=0)
            _set(ppr, "w:ind", left=0, right=0, firstLine=0)
            _set(ppr, "w:jc", val="left")
            _order(ppr)
            self.run(p, "草稿", role="hei", size=16, colour="#BF1A1A")

    def save(self, path: Path | str) -> Path:
        with atomic_path(path) as temp:
            self.doc.save(str(temp))
        return Path(path)


def _picture(p, path: str, box: tuple[float, float]) -> None:
    """The picture fitted into `box` (points), keeping its proportions (as the PDF draws it)."""
    from docx.shared import Emu
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    scale = min(box[0] / width, box[1] / height) if width and height else 1
    p.add_run().add_picture(path, width=Emu(round(width * scale * 12700)), height=Emu(round(height * scale * 12700)))
