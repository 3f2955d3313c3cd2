"""Font files a clerk might pick in 设置, made with fontTools: faces that open but cannot set the
documents, and their broken cousins."""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from app.common.font_check import required_chars

ASCII = range(0x20, 0x7F)


def _box(pen):
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((900, 700))
    pen.lineTo((900, 0))
    pen.closePath()


def _square():
    pen = TTGlyphPen(None)
    _box(pen)
    return pen.glyph()


def _truetype(path: Path, cmap: dict[int, str], name: str) -> Path:
    """A TrueType face whose "box" and "square" glyphs draw a square and whose "blank" glyph draws
    nothing."""
    glyphs = {".notdef": _square(), "box": _square(), "blank": TTGlyphPen(None).glyph(), "square": _square()}
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap(cmap)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({glyph: (1000, 0) for glyph in glyphs})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": name, "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path


def latin_only(path: Path) -> Path:
    """Letters, digits and ASCII punctuation only: every Chinese character would be a box."""
    return _truetype(path, {code: "box" for code in ASCII}, "LatinOnly")


def every_character_drawn(path: Path) -> Path:
    """Each character the documents use, drawn (as a square)."""
    return _truetype(path, {ord(ch): "box" for ch in required_chars()}, "AllSquares")


def blank_chinese(path: Path) -> Path:
    """Every character in the cmap, but the Chinese ones with empty outlines: invisible text."""
    cmap = {ord(ch): "box" if ord(ch) in ASCII else "blank" for ch in required_chars()}
    return _truetype(path, cmap, "BlankChinese")


def glyphs_past_the_end(path: Path) -> Path:
    """Every character drawn, but maxp says there are fewer glyphs than the cmap names for the
    Chinese ones: reportlab opens it, and fails with an IndexError when a document is saved."""
    _truetype(path, {ord(ch): "box" if ord(ch) in ASCII else "square" for ch in required_chars()}, "PastTheEnd")
    font = TTFont(str(path))
    offset = font.reader.tables["maxp"].offset
    font.close()
    data = bytearray(path.read_bytes())
    data[offset + 4:offset + 6] = (3).to_bytes(2, "big")  # numGlyphs: "square" (the 4th) is left out
    path.write_bytes(bytes(data))
    return path


def cff_outlines(path: Path) -> Path:
    """An OpenType face with CFF (PostScript) outlines: a .otf, which reportlab cannot embed."""
    pen = T2CharStringPen(1000, None)
    _box(pen)
    square = pen.getCharString()
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap({ord(ch): "box" for ch in required_chars()})
    builder.setupCFF("CffSquares", {"FullName": "CffSquares"}, {".notdef": square, "box": square}, {})
    builder.setupHorizontalMetrics({".notdef": (1000, 0), "box": (1000, 0)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "CffSquares", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path
