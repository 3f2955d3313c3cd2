"""Tables in documents (forms, lists, the sign-in sheet, a brief's photos), described once: the PDF
draws a reportlab table from the description (`flowable`), the Word writer a Word table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Cell:
    text: str = ""
    head: bool = False  # 黑体 and centred: a header cell, or a form's label
    centre: bool = False  # centred 仿宋 (a photo's caption)
    image: str | None = None  # a picture's file, set above the text (its caption)


@dataclass
class TableSpec:
    rows: list[list[Cell]]
    widths: list[float]  # points
    header_rows: int = 0  # repeated at the top of every page, shaded
    font_size: float = 12
    leading: float = 16
    grid: float | None = 0.5  # the rules' width; None: no rules
    padding: float | None = None  # above and below the text of every cell (points)
    row_height: float | None = None  # every row this high (lines to write on)
    valign: str = "MIDDLE"
    centre: bool = False  # every cell's content centred (a grid of photos)
    image_box: tuple[float, float] = (0.0, 0.0)  # what a picture is fitted into (points)
    long: bool = False  # many rows: reportlab's LongTable


def listing(headers: list[str], rows: list[list], widths: list[float], *, font_size: float = 10) -> TableSpec:
    """A bordered list whose header row repeats on every page."""
    return TableSpec([[Cell(h, head=True) for h in headers]] + [[Cell(str(v or "")) for v in row] for row in rows],
                     widths, header_rows=1, font_size=font_size, leading=font_size * 1.3, long=True)


def form(rows: list[tuple[str, str]], widths: list[float]) -> TableSpec:
    """A two-column bordered form: 黑体 labels, 仿宋 values."""
    return TableSpec([[Cell(label, head=True), Cell(value or "")] for label, value in rows], widths, grid=0.6,
                     padding=6)


def flowable(spec: TableSpec):
    """The reportlab table the PDF draws for `spec`; user text is escaped."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Image, LongTable, Table, TableStyle

    from app.documents.fonts import FONT_NAMES
    from app.documents.layout import para, styles

    st = styles()
    body = ParagraphStyle("cell", parent=st["table"], fontSize=spec.font_size, leading=spec.leading)
    head = ParagraphStyle("head", parent=st["table_head"], fontSize=spec.font_size, leading=spec.leading)
    centred = ParagraphStyle("caption", parent=body, alignment=1)

    def content(cell: Cell, room: float):
        style = head if cell.head else centred if cell.centre else body
        text = _fitted(cell.text, room - 12, style.fontName, spec.font_size)  # (6 pt padding each side)
        if cell.image:
            width, height = spec.image_box
            return [Image(cell.image, width=width, height=height, kind="proportional"), para(text, style)]
        return para(text, style)

    data = [[content(cell, spec.widths[i] if i < len(spec.widths) else 0) for i, cell in enumerate(row)]
            for row in spec.rows]
    kind = LongTable if spec.long else Table
    table = kind(data, colWidths=spec.widths, repeatRows=spec.header_rows,
                 rowHeights=[spec.row_height] * len(data) if spec.row_height else None)
    commands: list[tuple] = []
    if spec.grid:
        commands.append(("GRID", (0, 0), (-1, -1), spec.grid, colors.black))
    commands += [("FONTNAME", (0, 0), (-1, -1), FONT_NAMES["fangsong"]), ("VALIGN", (0, 0), (-1, -1), spec.valign)]
    if spec.centre:
        commands.append(("ALIGN", (0, 0), (-1, -1), "CENTER"))
    if spec.padding is not None:
        commands += [("TOPPADDING", (0, 0), (-1, -1), spec.padding), ("BOTTOMPADDING", (0, 0), (-1, -1), spec.padding)]
    if spec.header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, spec.header_rows - 1), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(commands))
    return table


def _fitted(text: str, room: float, font: str, size: float) -> str:
    """`text` broken into lines that fit `room` (points) where it would not fit on one, never inside a
    number, a date or a 文号 (reportlab breaks Chinese text between any two characters, 〔202/4〕)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.documents.gbt9704 import Run, atoms

    if not text or room <= 0 or "\n" in text or stringWidth(text, font, size) <= room:
        return text
    lines, line, used = [], "", 0.0
    for atom in atoms([Run(text, size=size)]):
        piece = "".join(g.ch for g in atom.glyphs)
        width = stringWidth(piece, font, size)
        if line and used + width > room:
            lines.append(line)
            line, used = piece.lstrip(), stringWidth(piece.lstrip(), font, size)
            continue
        line, used = line + piece, used + width
    lines.append(line)
    return "\n".join(lines)


def described(table) -> TableSpec:
    """A reportlab table given as it is (not described): its cells' text, for the Word writer."""
    def text_of(value) -> str:
        if isinstance(value, (list, tuple)):
            return "".join(text_of(v) for v in value)
        if hasattr(value, "getPlainText"):
            return value.getPlainText()
        return value if isinstance(value, str) else ""

    from app.documents.gbt9704 import BLOCK_W

    rows = [[Cell(text_of(value)) for value in row] for row in getattr(table, "_cellvalues", [])]
    columns = max((len(row) for row in rows), default=1)
    widths = [w if isinstance(w, (int, float)) else BLOCK_W / columns for w in getattr(table, "_colWidths", [])]
    return TableSpec(rows, widths if len(widths) == columns else [BLOCK_W / columns] * columns)
