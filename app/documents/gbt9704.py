"""Official documents on the GB/T 9704-2012 grid: 28 characters x 22 lines in a 156 x 225 mm block.

reportlab's Paragraph neither keeps a character grid (16 pt glyphs in a 15.79 pt cell) nor the
Chinese rules that decide a document's look, so official documents are composed here in three
steps: paragraphs are broken into lines of grid cells (`compose`), lines are put on pages of 22
slots under the standard's rules (`paginate`: headings kept with what follows, the 落款 never
without body text, 附件 on pages of their own, 版记 at the foot of the last page), and each page
is drawn on a reportlab canvas (`render`). Tables (forms, lists in an annex) take whole slots and
split between pages by rows, with the header row repeated.

Just over the house's ~600 lines on purpose: compose, paginate and render share the grid's
measures and the standard's rules, and each step's tests read them here in one place.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm

from app.common.fileio import atomic_path
from app.documents.fonts import FONT_NAMES, face_for, register_fonts
from app.documents.metadata import stamp

PAGE_W, PAGE_H = A4
TOP, LEFT = 37 * mm, 28 * mm
BLOCK_W, BLOCK_H = 156 * mm, 225 * mm
CHARS, LINES = 28, 22
PITCH = BLOCK_W / CHARS  # one character cell, 15.79 pt: 16 pt glyphs set 28 to the line
LINE = BLOCK_H / LINES  # one line slot, 28.99 pt
BODY_PT, TITLE_PT, PAGE_NO_PT = 16, 22, 14
RED = colors.HexColor("#d40000")

# Chinese line-breaking rules (GB/T 15834 / CLREQ): what may not start or end a line.
CANNOT_START = set("、。，；：？！）》」』”’】〉〕…—·%‰℃),.;:?!]}")
CANNOT_END = set("（《「『“‘【〈〔([{")
# 点号 may hang past the right edge (Word's 允许标点溢出边界) so that every line keeps its 28 cells.
HANGING = set("、。，；：？！,.;:?!")
EPS = 0.01


@dataclass(frozen=True)
class Run:
    """A stretch of text in one face; `keep` stretches (a name, a number) never break."""

    text: str
    role: str = "fangsong"
    keep: bool = False
    size: float = BODY_PT
    color: object = None


@dataclass(eq=False)
class Para:
    """The paragraph lines were composed from, as a word processor holds it: the Word writer sets it
    so (one paragraph that reflows when the clerk edits it), in place of the lines."""

    runs: tuple[Run, ...]
    first_indent: float
    indent: float
    right_indent: float
    align: str
    kind: str


@dataclass(slots=True)  # (a document makes a thousand or more: slots are half the cost to make)
class Glyph:
    ch: str
    font: str
    size: float
    color: object
    width: float
    para: Para | None = None  # the paragraph it was composed from (lines may be merged after)


@dataclass(slots=True)
class Atom:
    glyphs: list[Glyph]
    space: bool = False

    @property
    def width(self) -> float:
        return sum(g.width for g in self.glyphs)

    @property
    def hang(self) -> float:
        """Width that may hang past the line end: one trailing 点号."""
        if len(self.glyphs) > 1 and self.glyphs[-1].ch in HANGING and self.glyphs[-2].ch not in HANGING:
            return self.glyphs[-1].width
        return 0.0


@dataclass
class Line:
    """One slot of the grid: glyphs placed at x offsets from the block's left edge."""

    placed: list[tuple[float, Glyph]] = field(default_factory=list)
    kind: str = "body"  # body, heading, title, blank, tail (附件说明 and 落款), imprint
    keep_with_next: bool = False
    slots: int = 1
    # rules drawn with the line: (offset below the slot top, width, colour, thickness)
    rules: list[tuple] = field(default_factory=list)
    drop: float = 0.0  # drawn this far (pt) below its slot's top: a 版头 placed off the grid
    source: Para | None = None  # the paragraph it was composed from (None: a blank line)

    @property
    def text(self) -> str:
        return "".join(g.ch for _, g in self.placed)


@dataclass
class TableBlock:
    """A reportlab Table placed on the grid: it takes whole slots and splits by rows."""

    table: object
    kind: str = "table"
    keep_with_next: bool = False
    spec: Any = None  # the table's description (tables.TableSpec), which the Word writer sets


class PageBreak:
    kind = "break"
    keep_with_next = False


@dataclass
class AtFoot:
    """Lines set at the foot of the last page (版记)."""

    lines: list[Line]
    kind: str = "imprint"
    keep_with_next: bool = False


# -- composing: text into lines ----------------------------------------------------------------
@cache
def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


@cache
def _advance(ch: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if _wide(ch):
        return PITCH * size / BODY_PT  # full-width characters sit on the grid's cells
    return stringWidth(ch, font, size) * PITCH / BODY_PT


def _face_advance(ch: str, face: str, size: float) -> tuple[str, str, float]:
    """(character, face, advance) a character of `face` at `size` is set with."""
    ch, font = face_for(ch, face)
    return ch, font, _advance(ch, font, size)


# (character, face, size, the 黑体 face in use) -> what _face_advance gives. The 黑体 face is in the
# key because face_for falls back to it: an office that chooses another 黑体 file gets a new name
# there, and a key by character and face alone kept the old fallback (a duty record's table then
# broke lines wrongly). A registered name always stands for the same file (fonts._load), so the
# rest of the answer, which coverage() and _advance() already keep by name, cannot go stale.
_FACE_ADVANCES: dict[tuple, tuple[str, str, float]] = {}


def atoms(runs: list[Run]) -> list[Atom]:
    """Unbreakable pieces: a CJK character, a word or number in Latin script, a kept run; then
    closing marks glued to what precedes them and opening marks to what follows."""
    # (one pass makes the pieces and glues a closing mark to the piece before it as it comes: a
    # Latin word never starts with one, a space is never glued to nor glued on)
    glued: list[Atom] = []
    hei = FONT_NAMES["hei"]
    kept = _FACE_ADVANCES
    for run in runs:
        face, size, color = FONT_NAMES[run.role], run.size, run.color
        made: list[Glyph] = []
        tab = " " if not run.keep else "\t"  # (a tab is a space between words; a kept run keeps it)
        for ch in run.text:
            if ch == "\t":
                ch = tab
            key = (ch, face, size, hei)
            found = kept.get(key)
            if found is None:
                found = kept[key] = _face_advance(ch, face, size)
            made.append(Glyph(found[0], found[1], size, color, found[2]))
        if not made:
            continue
        if run.keep:
            if made[0].ch in CANNOT_START and glued and not glued[-1].space:
                glued[-1].glyphs += made
            else:
                glued.append(Atom(made))
            continue
        latin: list[Glyph] = []
        for ch, glyph in zip(run.text, made):
            if ch == " " or ch == "\t":
                if latin:
                    glued.append(Atom(latin))
                    latin = []
                glued.append(Atom([glyph], space=True))
            elif ch.isascii() and ch not in CANNOT_START and ch not in CANNOT_END:
                latin.append(glyph)
            else:
                if latin:
                    glued.append(Atom(latin))
                    latin = []
                if ch in CANNOT_START and glued and not glued[-1].space:
                    glued[-1].glyphs.append(glyph)
                else:
                    glued.append(Atom([glyph]))
        if latin:
            glued.append(Atom(latin))
    merged: list[Atom] = []
    carry: list[Glyph] = []
    for atom in glued:
        if carry and atom.space:
            # a space after an opening mark stays between it and what follows (it was set before
            # the mark: "（ 甲" came out as " （甲")
            carry = carry + atom.glyphs
            continue
        if carry and not atom.space:
            atom = Atom(carry + atom.glyphs)
            carry = []
        if not atom.space and atom.glyphs[-1].ch in CANNOT_END:
            carry = atom.glyphs
            continue
        merged.append(atom)
    if carry:
        merged.append(Atom(carry))
    return _keep_figures(merged)


# A number stays with its unit, and a date or a 文号 is never broken: 2025年4月11日, 〔2024〕1号,
# 360人, 第3期 are each one piece.
NUMBER_UNITS = frozenset("年月日号时分秒期人名件条项次个岁元万亿%")


def _keep_figures(atoms_: list[Atom]) -> list[Atom]:
    out: list[Atom] = []
    for atom in atoms_:
        first = atom.glyphs[0].ch
        # (most pieces neither start with a figure nor with a unit: nothing to ask of them)
        if (first in NUMBER_UNITS or first.isdigit()) and out and not atom.space and not out[-1].space:
            before = out[-1].glyphs
            last = before[-1].ch
            after_digit = len(before) > 1 and before[-2].ch.isdigit()
            if (last.isdigit() and first in NUMBER_UNITS) or (
                    first.isdigit() and (last in "〕第" or (last in "年月" and after_digit))):
                out[-1] = Atom(before + atom.glyphs)
                continue
        out.append(atom)
    return out


def _explode(atom: Atom) -> list[Atom]:
    return [Atom([g]) for g in atom.glyphs]


# A paragraph's lines as composed, kept to set the same paragraph again (a document exported again,
# printed after its preview, or the Word file after the PDF; the headings and 落款 every document
# of an office shares): (its runs, indents, alignment, kind, the faces in use) -> each line's
# glyphs as placed, (x, character, face, size, colour, width). The faces are registered names,
# each standing for one file for good (fonts._load), and the glyphs' widths are the faces': the
# lines cannot differ from what composing again would give.
_COMPOSED: dict[tuple, list[list[tuple]]] = {}
# glyphs kept at most (~120 bytes each: ~10 MB; a plenary's minutes hold ~1,300); emptied when full
COMPOSED_KEPT = 80_000
_composed_glyphs = 0


def break_lines(runs: list[Run], *, first_indent: float = 2, indent: float = 0, right_indent: float = 0,
                align: str = "justify", kind: str = "body") -> list[Line]:
    """Break `runs` into lines of the block, indents in character cells. Full lines are
    justified to the block's right edge; a lone 点号 may hang past it."""
    text = tuple(runs)
    source = Para(text, first_indent, indent, right_indent, align, kind)
    key: tuple | None = (text, first_indent, indent, right_indent, align, kind, *FONT_NAMES.values())
    try:
        kept = _COMPOSED.get(key)  # type: ignore[arg-type]
    except TypeError:  # (a colour that cannot be hashed: composed afresh)
        kept, key = None, None
    if kept is not None:
        # fresh lines and glyphs: callers change lines (a heading kept with what follows, merged
        # lines) and a glyph names its own paragraph
        return [Line([(x, Glyph(ch, font, size, color, width, source)) for x, ch, font, size, color, width in row],
                     kind=kind, source=source) for row in kept]
    lines = _break_lines(runs, source, first_indent, indent, right_indent, align, kind)
    if key is not None:
        global _composed_glyphs
        glyphs = sum(len(line.placed) for line in lines)
        if _composed_glyphs + glyphs > COMPOSED_KEPT:
            _COMPOSED.clear()
            _composed_glyphs = 0
        _COMPOSED[key] = [[(x, g.ch, g.font, g.size, g.color, g.width) for x, g in line.placed] for line in lines]
        _composed_glyphs += glyphs
    return lines


def _break_lines(runs: list[Run], source: Para, first_indent: float, indent: float, right_indent: float,
                 align: str, kind: str) -> list[Line]:
    widths = [(CHARS - indent - right_indent - first_indent) * PITCH, (CHARS - indent - right_indent) * PITCH]
    narrowest = min(widths)
    # (atom, its width): a sum over the glyphs, taken once; an atom wider than the narrowest line
    # is set a glyph at a time (the width of one glyph's atom is that glyph's)
    pieces: list[tuple[Atom, float]] = []
    for atom in atoms(runs):
        glyphs = atom.glyphs
        width = glyphs[0].width if len(glyphs) == 1 else atom.width
        if width > narrowest + EPS:
            pieces += [(single, single.glyphs[0].width) for single in _explode(atom)]
        else:
            pieces.append((atom, width))
    rows: list[tuple[list[Atom], bool]] = []  # (atoms, ended by the paragraph's end)
    current: list[Atom] = []
    used = 0.0
    for atom, width in pieces:
        capacity = widths[0 if not rows else 1]
        if atom.space and not current:
            continue
        if used + width <= capacity + EPS or (
                atom.hang and used + width - atom.hang <= capacity + EPS):
            current.append(atom)
            used += width
            continue
        rows.append((current, False))
        current, used = ([], 0.0) if atom.space else ([atom], width)
    rows.append((current, True))

    lines = []
    for number, (row, last) in enumerate(rows):
        while row and row[-1].space:
            row = row[:-1]
        start = (indent + (first_indent if number == 0 else 0)) * PITCH
        capacity = widths[0 if number == 0 else 1]
        glyphs = [g for atom in row for g in atom.glyphs]
        content = sum([g.width for g in glyphs])
        hang = row[-1].hang if row and content > capacity + EPS else 0.0
        slack = capacity - (content - hang)
        gap, x = 0.0, start
        # Justified lines spread the slack over every gap that touches a Chinese character
        # (as 两端对齐 does), never inside a Latin word or a number.
        wide: list[bool] = []
        stretchy = 0
        if align == "justify" and not last:
            wide = [_wide(g.ch) for g in glyphs]
            stretchy = sum(1 for i in range(1, len(glyphs)) if wide[i - 1] or wide[i])
        if stretchy:
            gap = max(slack, 0.0) / stretchy
        elif align == "center":
            x += max(slack, 0.0) / 2
        elif align == "right":
            x += max(slack, 0.0)
        placed = []
        if gap:
            for i, g in enumerate(glyphs):
                if i and (wide[i - 1] or wide[i]):
                    x += gap
                g.para = source
                placed.append((x, g))
                x += g.width
        else:
            for g in glyphs:
                g.para = source
                placed.append((x, g))
                x += g.width
        lines.append(Line(placed, kind=kind, source=source))
    return lines


def text_width(runs: list[Run]) -> float:
    return sum(a.width for a in atoms(runs))


def blank(kind: str = "blank") -> Line:
    return Line(kind=kind)


# -- paginating: lines onto pages of 22 slots --------------------------------------------------
@dataclass
class Placed:
    item: Any  # a Line, or a drawable table piece (a reportlab flowable)
    slot: int
    slots: int


def _table_slots(table) -> int:
    _, height = table.wrap(BLOCK_W, BLOCK_H)
    return max(1, math.ceil(height / LINE - EPS))


def paginate(items: list) -> list[list[Placed]]:
    """Put items on pages of LINES slots under GB/T 9704's rules; returns the pages."""
    pages: list[list[Placed]] = [[]]
    slot = 0
    queue = list(items)
    index = 0

    def new_page():
        nonlocal slot
        pages.append([])
        slot = 0

    while index < len(queue):
        item = queue[index]
        if isinstance(item, PageBreak):
            if pages[-1]:
                new_page()
            index += 1
            continue
        if isinstance(item, AtFoot):
            need = len(item.lines)
            if slot + need > LINES:
                new_page()
            for offset, line in enumerate(item.lines):
                pages[-1].append(Placed(line, LINES - need + offset, 1))
            slot = LINES
            index += 1
            continue
        if isinstance(item, TableBlock):
            table = item.table
            room = LINES - slot
            need = _table_slots(table)
            if need <= room:
                pages[-1].append(Placed(table, slot, need))
                slot += need
                index += 1
                continue
            parts = table.split(BLOCK_W, room * LINE) if room else []  # type: ignore[attr-defined]
            if len(parts) >= 2:
                first = parts[0]
                pages[-1].append(Placed(first, slot, _table_slots(first)))
                queue[index] = TableBlock(parts[1], item.kind, spec=item.spec)
            elif slot == 0:
                # a row taller than a whole page cannot be split: it is set as it is
                pages[-1].append(Placed(table, slot, need))
                index += 1
            new_page()
            continue
        if item.kind == "tail" and (index == 0 or getattr(queue[index - 1], "kind", "") != "tail"):
            tail = []
            j = index
            while j < len(queue) and getattr(queue[j], "kind", "") == "tail":
                tail.append(queue[j])
                j += 1
            need = sum(t.slots for t in tail)
            body_here = sum(p.slots for p in pages[-1] if _is_body(p))
            # The 落款 never stands on a page without body text (§7.3.5): at least two body lines
            # share its page, taken over from the page before when needed.
            if slot + need > LINES:
                moved = _take_back(pages, 2)
                new_page()
            elif body_here < 2 and len(pages) > 1:
                here = pages.pop()
                moved = _take_back(pages, 2 - body_here) + here
                pages.append([])
                slot = 0
            else:
                moved = []
            for placed in moved:
                pages[-1].append(Placed(placed.item, slot, placed.slots))
                slot += placed.slots
            for line in tail:
                pages[-1].append(Placed(line, slot, line.slots))
                slot += line.slots
            index = j
            continue
        need = item.slots
        if item.keep_with_next:
            # A heading (or a chain of them) goes with the first line of what follows.
            j = index
            while j < len(queue) and getattr(queue[j], "keep_with_next", False):
                j += 1
            chain = sum(getattr(q, "slots", 1) for q in queue[index:j])
            follower = queue[j] if j < len(queue) else None
            follow = 0 if follower is None or isinstance(follower, (PageBreak, AtFoot)) else (
                2 if isinstance(follower, TableBlock) else follower.slots)
            if slot + chain + follow > LINES and slot > 0:
                new_page()
        if slot + need > LINES:
            carried = _widow_lines(pages[-1], queue, index)
            new_page()
            for placed in carried:  # the paragraph's last line never opens a page alone
                pages[-1].append(Placed(placed.item, slot, placed.slots))
                slot += placed.slots
        if item.kind == "blank" and slot == 0 and pages[-1] == [] and len(pages) > 1:
            index += 1  # a blank line never opens a page
            continue
        pages[-1].append(Placed(item, slot, need))
        slot += need
        index += 1
    return [page for page in pages if page] or [[]]


def _widow_lines(page: list[Placed], queue: list, index: int) -> list[Placed]:
    """Lines to carry over with the one about to open the next page when it is its paragraph's last
    (a widow): one more of the paragraph, or, when only one or two of it would stay behind, all of
    them (no orphan either). They are taken off `page`."""
    item = queue[index]
    source = getattr(item, "source", None)
    if source is None or item.kind != "body":
        return []
    following = queue[index + 1] if index + 1 < len(queue) else None
    if getattr(following, "source", None) is source:
        return []  # not its last line
    mine = 0
    for placed in reversed(page):
        if getattr(placed.item, "source", None) is not source:
            break
        mine += 1
    if not mine:
        return []
    take = 1 if mine >= 3 else mine
    while take < len(page) and getattr(page[-take - 1].item, "keep_with_next", False):
        take += 1  # a heading left last on the page goes with its text
    carried = page[-take:]
    del page[-take:]
    return carried


def _is_body(placed: Placed) -> bool:
    """Text of the body (a paragraph or heading line, or the rows of a table in it)."""
    return not isinstance(placed.item, Line) or placed.item.kind in ("body", "heading")


def _take_back(pages: list[list[Placed]], count: int) -> list[Placed]:
    """Remove the last `count` body lines of the current page and what follows them."""
    if count <= 0:
        return []
    page = pages[-1]
    seen, cut = 0, len(page)
    for position in range(len(page) - 1, -1, -1):
        cut = position
        if _is_body(page[position]):
            seen += page[position].slots
            if seen >= count:
                break
    moved = page[cut:]
    del page[cut:]
    while moved and getattr(moved[0].item, "kind", "") == "blank":
        moved.pop(0)
    return moved


# -- rendering ---------------------------------------------------------------------------------
def _baseline(slot_top: float, glyph: Glyph) -> float:
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(glyph.font).face
    # The glyph box (size high, from the descent up) starts at the top of the slot.
    return slot_top - glyph.size * (1 + face.descent / 1000)


def _natural(ch: str, font: str, size: float) -> float:
    """The face's own advance of `ch`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(ch, font, size)


# (character, registered face, size) -> its natural advance, kept across documents as
# _FACE_ADVANCES is: a registered name always stands for the same file (fonts._load registers each
# file once, under a name of its own), so another font chosen is another name, never a stale width.
_NATURALS: dict[tuple[str, str, float], float] = {}
# A number -> as the PDF writes it (reportlab's fp_str, in pure Python here): a line's x offsets
# and character spacings recur (the grid's cells, a document set again); emptied when full
_NUMBERS: dict[float, str] = {}
# (size, leading) -> "size Tf leading TL"
_SIZES: dict[tuple, str] = {}


def _number(value: float) -> str:
    shown = _NUMBERS.get(value)
    if shown is None:
        if len(_NUMBERS) > 8192:
            _NUMBERS.clear()
        shown = _NUMBERS[value] = fp_str(value)
    return shown


def _draw_line(c, line: Line, slot_top: float, naturals: dict | None = None) -> None:
    """`naturals`: (character, registered face, size) -> its natural advance, kept by the caller
    (a registered face's name always stands for the same file: its widths never change)."""
    if naturals is None:
        naturals = {}
    slot_top -= line.drop
    for below, width, colour, thickness in line.rules:
        c.saveState()
        c.setStrokeColor(colour)
        c.setLineWidth(thickness)
        c.line(LEFT, slot_top - below, LEFT + width, slot_top - below)
        c.restoreState()
    placed = line.placed
    if not placed:
        return
    # Glyphs of one line share a baseline: the largest (the first of them) sets it, so mixed faces
    # line up.
    tallest = placed[0][1]
    for _, g in placed:
        if g.size > tallest.size:
            tallest = g
    baseline = _baseline(slot_top, tallest)
    # Glyphs are drawn in runs: consecutive glyphs of one face and colour whose spacing differs
    # from the face's own advance by the same amount share one text operator (character spacing),
    # so a line of the grid is a few operators, not one per character.
    from reportlab.pdfbase import pdfmetrics

    text = c.beginText()
    code = text._code
    # A run's origin written as reportlab's setTextOrigin writes it (`1 0 0 1 x y Tm`), its numbers
    # formatted once: the baseline once a line, an offset once (the grid's offsets recur).
    at = f" {fp_str(baseline)} Tm" if c.bottomup else None
    # (font, size, colour) and the character spacing in force
    state: tuple = (None, None, None)
    spacing, fresh = 0.0, True  # (fresh: nothing set yet)
    run: list[str] = []
    last = len(placed) - 1
    doc, escape = c._doc, c._escape
    face: Any = None  # the face in force when it is a TrueType one (subset by subset, as reportlab does)
    shown_size = ""  # "size Tf leading TL", as reportlab writes it for the face in force

    def put(chars: str) -> None:
        """Show `chars` as the text object's textOut does (its _formatText for a TrueType face),
        without measuring them: the next run's origin is set anew."""
        if face is None:
            text._textOut(chars)
            return
        parts = []
        for subset, piece in face.splitString(chars, doc):
            if subset != text._curSubset:
                parts.append(f"{face.getSubsetInternalName(subset, doc)} {shown_size}")
                text._curSubset = subset
            parts.append(f"({escape(piece)}) Tj")
        code.append(" ".join(parts))

    for i, (x, g) in enumerate(placed):
        font, size = g.font, g.size
        measured = (g.ch, font, size)
        natural = naturals.get(measured)
        if natural is None:
            natural = naturals[measured] = _natural(*measured)
        space = None
        if i < last:
            nx, ng = placed[i + 1]
            if ng.font == font and ng.size == size:
                space = nx - x - natural
        key = (font, size, g.color)
        if run and (state != key or (space is not None and abs(space - spacing) > 0.01)):
            put("".join(run))
            run.clear()
        if not run:
            if fresh or state != key or (space is not None and abs(space - spacing) > 0.01):
                # only what changes is set again (each operator costs the PDF writer a number or two)
                if state[:2] != key[:2]:
                    text.setFont(font, size)
                    face = pdfmetrics.getFont(font)
                    if not getattr(face, "_dynamicFont", False):
                        face = None
                    shown_size = _SIZES.get((size, text._leading)) or _SIZES.setdefault(
                        (size, text._leading), f"{fp_str(size)} Tf {fp_str(text._leading)} TL")
                if fresh or state[2] != key[2]:
                    text.setFillColor(g.color or colors.black)
                if fresh or abs((space or 0.0) - spacing) > 1e-9:
                    text._charSpace = space or 0.0  # (setCharSpace, its number formatted once)
                    code.append(f"{_number(space or 0.0)} Tc")
                state, spacing, fresh = key, space or 0.0, False
            if at is None:
                text.setTextOrigin(LEFT + x, baseline)
            else:
                code.append(f"1 0 0 1 {_number(LEFT + x)}{at}")
        run.append(g.ch)
        if space is None:
            put("".join(run))
            run.clear()
    if run:
        put("".join(run))
    # The text object's character spacing and fill colour are graphics state that outlives it:
    # without q/Q the page number and a table's cells drawn after the line took them over.
    c.saveState()
    c.drawText(text)
    c.restoreState()


def _page_number(c, number: int) -> None:
    """§7.5: 4号 半角 digits between 一字线, 7 mm below the block; odd pages right, even left,
    one character in from the edge."""
    c.saveState()
    c.setFont(FONT_NAMES["song"], PAGE_NO_PT)
    text = f"— {number} —"
    from reportlab.pdfbase import pdfmetrics

    descent = pdfmetrics.getFont(FONT_NAMES["song"]).face.descent / 1000
    bottom = PAGE_H - TOP - BLOCK_H
    y = bottom - 7 * mm - PAGE_NO_PT * (1 + descent)
    if number % 2:
        c.drawRightString(LEFT + BLOCK_W - PAGE_NO_PT, y, text)
    else:
        c.drawString(LEFT + PAGE_NO_PT, y, text)
    c.restoreState()


def render(path: Path | str, pages: list[list[Placed]], *, title: str, author: str = "",
           draft: bool = False) -> Path:
    register_fonts()
    from reportlab.pdfgen import canvas as pdf_canvas

    with atomic_path(path) as temp:
        c = pdf_canvas.Canvas(str(temp), pagesize=A4, initialFontName=FONT_NAMES["song"])
        stamp(c, title=title, author=author)
        naturals = _NATURALS  # the glyphs' natural widths, each asked once
        for number, page in enumerate(pages, 1):
            if draft:
                _draft_mark(c)
            for placed in page:
                slot_top = PAGE_H - TOP - placed.slot * LINE
                if isinstance(placed.item, Line):
                    _draw_line(c, placed.item, slot_top, naturals)
                else:
                    _, height = placed.item.wrap(BLOCK_W, BLOCK_H)
                    placed.item.drawOn(c, LEFT, slot_top - height)
            _page_number(c, number)
            c.showPage()
        c.save()
    return Path(path)


def _draft_mark(c) -> None:
    c.saveState()
    c.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.85))
    c.setFont(FONT_NAMES["hei"], BODY_PT)
    c.drawString(LEFT, PAGE_H - TOP + 8 * mm, "草稿")
    c.restoreState()
