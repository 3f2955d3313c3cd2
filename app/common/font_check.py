"""Whether a font file can set the official documents, found out before reportlab reads it.

reportlab reads a whole font file into memory, embeds TrueType outlines only and takes its
characters from the last cmap subtable it accepts; a file it opens may still print nothing
(empty outlines), boxes (no Chinese in it), or fail when a document is saved (a composite glyph
naming a glyph that is not there). So a file is judged by its size first, then by reading with
seeks only the parts that decide: the table directory, head/hhea/maxp/OS/2, that cmap subtable,
hmtx's extent, loca, and the glyph of each character the documents use. Only a file that passes
all that is handed to reportlab, once, to subset every such glyph as a saved document would.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from functools import cache
from pathlib import Path

from app.common.errors import ValidationError
from app.common.fileio import sha256_of

# The largest office faces (宋体 collections, GBK/GB18030 仿宋) are 10–25 MB; reportlab keeps the
# whole file in memory while documents use it, so this is also what a chosen face may cost.
MAX_FONT_BYTES = 64 * 1024 * 1024
CHINESE_NUMERALS = "〇一二三四五六七八九十百千万亿"
# The free 仿宋/楷体 lack 〇 (dates on certificates); ○ has the same shape, and the documents set
# it in its place (fonts.face_for), so a face with ○ prints 〇.
LOOK_ALIKES = {"〇": "○"}
# Python's GB2312 codec gives two marks of row 1 code points that fonts and documents do not use.
AS_PRINTED = {"・": "·", "―": "—"}
WHITESPACE = " \u3000"
# Named first when a face lacks them: the words the documents are about.
EXAMPLES_FIRST = "议事代表大会工作街道人民委员会〇一二三"


class FontRefused(Exception):
    """The file cannot set the documents; `reason` says why, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _gb2312_rows(rows: range) -> str:
    out = []
    for high in rows:
        for low in range(0xA1, 0xFF):
            try:
                ch = bytes([high, low]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.append(AS_PRINTED.get(ch, ch))
    return "".join(out)


@cache
def required_chars() -> dict[str, str]:
    """Every character the documents may print -> "hanzi" or "mark": the GB2312 hanzi (names
    from the records), the Chinese numerals, GB2312's punctuation, symbols and full-width forms
    (rows 1 and 3), and ASCII. The documents' own text is within these (a test reads it)."""
    chars = {ch: "mark" for ch in map(chr, range(0x20, 0x7F))}
    chars.update((ch, "mark") for ch in _gb2312_rows(range(0xA1, 0xA2)) + _gb2312_rows(range(0xA3, 0xA4)))
    chars.update((ch, "hanzi") for ch in _gb2312_rows(range(0xB0, 0xF8)) + CHINESE_NUMERALS)
    return chars


def _size_text(size: int) -> str:
    return f"{size / 1024 ** 3:.1f} GB" if size >= 1024 ** 3 else f"{size / 1024 ** 2:.1f} MB"


NOT_A_FONT = "不是 TrueType 字体文件（.ttf/.ttc），或文件已损坏，不能用于公文"
CFF = "只支持 TrueType 轮廓的字体（.ttf/.ttc），这个文件是 CFF/OpenType 轮廓（多见于 .otf），PDF 中无法嵌入"


class _Corrupt(Exception):
    """The file's own tables contradict each other or run past its end."""


class _FontFile:
    """One face of a .ttf/.ttc file, read with seeks (never whole)."""

    def __init__(self, handle, size: int):
        self.handle = handle
        self.size = size
        self.tables: dict[bytes, tuple[int, int]] = {}

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise _Corrupt
        self.handle.seek(offset)
        data = self.handle.read(length)
        if len(data) != length:
            raise _Corrupt
        return data

    def table(self, tag: bytes, at_least: int = 0) -> tuple[int, int]:
        if tag not in self.tables:
            raise _Corrupt
        offset, length = self.tables[tag]
        if length < at_least:
            raise _Corrupt
        return offset, length

    def open_face(self) -> None:
        """Find face 0 (reportlab's) and its table directory; refuse outlines it cannot embed."""
        tag = self.read(0, 4)
        start = 0
        if tag == b"ttcf":
            version, count = struct.unpack(">II", self.read(4, 8))
            if version not in (0x10000, 0x20000) or count == 0:
                raise _Corrupt
            (start,) = struct.unpack(">I", self.read(12, 4))
            tag = self.read(start, 4)
        if tag == b"OTTO":
            raise FontRefused(CFF)
        if tag in (b"wOFF", b"wOF2"):
            raise FontRefused("这是网页字体（WOFF），请选择 .ttf 或 .ttc 字体文件")
        if tag not in (b"\x00\x01\x00\x00", b"true"):
            raise FontRefused(NOT_A_FONT)
        (count,) = struct.unpack(">H", self.read(start + 4, 2))
        directory = self.read(start + 12, 16 * count)
        for index in range(count):
            name, _checksum, offset, length = struct.unpack(">4sIII", directory[16 * index:16 * index + 16])
            if offset + length > self.size:  # a table cut off by a truncated copy
                raise _Corrupt
            self.tables[name] = (offset, length)
        if b"glyf" not in self.tables and (b"CFF " in self.tables or b"CFF2" in self.tables):
            raise FontRefused(CFF)
        for needed in (b"head", b"hhea", b"maxp", b"cmap", b"hmtx", b"loca", b"glyf", b"name", b"post"):
            self.table(needed)

    def metrics(self) -> None:
        offset, _ = self.table(b"head", 54)
        head = self.read(offset, 54)
        if head[0:2] != b"\x00\x01" or head[12:16] != b"\x5f\x0f\x3c\xf5":
            raise _Corrupt
        self.loca_format, glyph_format = struct.unpack(">hh", head[50:54])
        if self.loca_format not in (0, 1) or glyph_format != 0:
            raise _Corrupt
        offset, _ = self.table(b"maxp", 6)
        major, _minor, self.glyph_count = struct.unpack(">HHH", self.read(offset, 6))
        if major != 1 or self.glyph_count == 0:
            raise _Corrupt
        offset, _ = self.table(b"hhea", 36)
        hhea = self.read(offset, 36)
        (h_metrics,) = struct.unpack(">H", hhea[34:36])
        if hhea[0:2] != b"\x00\x01" or not 0 < h_metrics <= self.glyph_count:
            raise _Corrupt
        self.table(b"hmtx", 4 * h_metrics + 2 * (self.glyph_count - h_metrics))
        offset, _ = self.table(b"post", 16)
        if not 1 <= struct.unpack(">H", self.read(offset, 2))[0] <= 4:
            raise _Corrupt
        if b"OS/2" in self.tables:
            offset, _ = self.table(b"OS/2", 10)
            (fs_type,) = struct.unpack(">H", self.read(offset + 8, 2))
            # reportlab will not subset a face whose licence bits forbid it (and documents subset)
            if (fs_type == 0x0002 or fs_type & 0x0300) and self.glyph_count > 0xFF:
                raise FontRefused("字体的授权设置不允许嵌入 PDF，不能用于公文")

    def cmap(self, codes: list[int]) -> dict[int, int]:
        """code -> glyph for `codes` (sorted), from the subtable reportlab picks, as it reads it."""
        offset, length = self.table(b"cmap", 4)
        version, count = struct.unpack(">HH", self.read(offset, 4))
        if count == 0 and version != 0:
            count = version
        records = self.read(offset + 4, 8 * count)
        chosen, kind = None, 0
        for index in range(count):
            platform, encoding, at = struct.unpack(">HHI", records[8 * index:8 * index + 8])
            if platform == 3 or (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
                chosen, kind = (platform, encoding, at), 1
            elif platform == 1 and encoding == 0 and kind != 1:
                chosen, kind = (platform, encoding, at), 2
        if chosen is None:
            raise FontRefused("字体里没有 Unicode 字符表，汉字印不出来，不能用于公文")
        platform, encoding, at = chosen
        if platform == 3 and encoding not in (0, 1, 10):
            raise FontRefused("字体的字符表是旧的 GB/Big5 等编码而不是 Unicode，汉字会印成别的字或方框，不能用于公文")
        if at + 8 > length:
            raise _Corrupt
        data = self.read(offset + at, length - at)
        (fmt,) = struct.unpack(">H", data[:2])
        found: dict[int, int] = {}
        if fmt == 4:
            limit, _lang, seg_x2 = struct.unpack(">HHH", data[2:8])
            if 16 + 4 * seg_x2 > len(data):
                raise _Corrupt
            segments = seg_x2 // 2
            ends = struct.unpack(f">{segments}H", data[14:14 + seg_x2])
            starts = struct.unpack(f">{segments}H", data[16 + seg_x2:16 + 2 * seg_x2])
            deltas = struct.unpack(f">{segments}h", data[16 + 2 * seg_x2:16 + 3 * seg_x2])
            range_base = 16 + 3 * seg_x2
            range_offsets = struct.unpack(f">{segments}H", data[range_base:range_base + seg_x2])
            for n in range(segments):
                for code in codes[bisect_left(codes, starts[n]):bisect_right(codes, ends[n])]:
                    if range_offsets[n] == 0:
                        found[code] = (code + deltas[n]) & 0xFFFF
                        continue
                    at_glyph = range_base + 2 * n + range_offsets[n] + 2 * (code - starts[n])
                    glyph = 0
                    if at_glyph < limit:
                        if at_glyph + 2 > len(data):
                            raise _Corrupt
                        (glyph,) = struct.unpack(">H", data[at_glyph:at_glyph + 2])
                        glyph = (glyph + deltas[n]) & 0xFFFF if glyph else 0
                    found[code] = glyph
        elif fmt in (12, 13):
            (groups,) = struct.unpack(">I", data[12:16])
            if 16 + 12 * groups > len(data):
                raise _Corrupt
            for n in range(groups):
                first, last, glyph = struct.unpack(">III", data[16 + 12 * n:28 + 12 * n])
                for code in codes[bisect_left(codes, first):bisect_right(codes, last)]:
                    found[code] = glyph + (code - first if fmt == 12 else 0)
        elif fmt == 0:
            table = data[6:262]
            found = {code: table[code] for code in codes if code < min(256, self.glyph_count, len(table))}
        else:
            raise FontRefused(f"字体的字符表格式（{fmt}）不受支持，不能用于公文")
        if 0x20 not in found and 0xA0 in found:  # reportlab sets a space with the no-break space
            found[0x20] = found[0xA0]
        return {code: glyph for code, glyph in found.items() if glyph}

    def outlines(self, glyphs: set[int]) -> set[int]:
        """The glyphs among `glyphs` that draw something (a simple glyph with contours and a box,
        or a composite one with such a part); a glyph reportlab could not subset is corruption."""
        width = 2 if self.loca_format == 0 else 4
        offset, _ = self.table(b"loca", width * (self.glyph_count + 1))
        loca = array("H" if width == 2 else "I", self.read(offset, width * (self.glyph_count + 1)))
        if loca.itemsize != width:
            raise _Corrupt
        if sys.byteorder == "little":
            loca.byteswap()
        scale = 2 if width == 2 else 1
        glyf_at, glyf_length = self.table(b"glyf")
        drawn: dict[int, bool] = {}

        def draws(glyph: int, depth: int) -> bool:
            if glyph >= self.glyph_count or depth > 8:
                raise _Corrupt
            if glyph in drawn:
                return drawn[glyph]
            start, end = loca[glyph] * scale, loca[glyph + 1] * scale
            if end < start or end > glyf_length:
                raise _Corrupt
            drawn[glyph] = False  # a composite naming itself draws nothing
            if end - start < 10:
                if end != start:
                    raise _Corrupt
                return False
            contours, x_min, y_min, x_max, y_max = struct.unpack(">hhhhh", self.read(glyf_at + start, 10))
            result = x_max > x_min and y_max > y_min and contours != 0
            if contours < 0:  # composite: its parts, read as reportlab will when it subsets
                body = self.read(glyf_at + start + 10, min(end - start - 10, 1 << 16))
                parts, at, more = [], 0, True
                while more:
                    if at + 4 > len(body):
                        raise _Corrupt
                    flags, part = struct.unpack(">HH", body[at:at + 4])
                    parts.append(part)
                    at += 4 + (4 if flags & 0x0001 else 2) + (2 if flags & 0x0008 else 4 if flags & 0x0040
                                                              else 8 if flags & 0x0080 else 0)
                    more = bool(flags & 0x0020)
                result = result and any([draws(part, depth + 1) for part in parts])
            drawn[glyph] = result
            return result

        return {glyph for glyph in sorted(glyphs, key=lambda g: loca[g]) if draws(glyph, 0)}  # in file order


def _examples(chars: list[str]) -> str:
    visible = [ch for ch in chars if ch not in WHITESPACE]
    first = [ch for ch in EXAMPLES_FIRST if ch in visible]
    picked = list(dict.fromkeys(first + visible))[:2]
    return "（如" + "".join(f"“{ch}”" for ch in picked) + "）" if picked else "（空格）"


def _shortfall(missing: list[str], verb: str) -> str:
    kinds = required_chars()
    hanzi = [ch for ch in missing if kinds[ch] == "hanzi"]
    marks = [ch for ch in missing if kinds[ch] == "mark"]
    parts = []
    if hanzi:
        parts.append(f"{len(hanzi):,} 个常用汉字{_examples(hanzi)}")
    if marks:
        parts.append(f"{len(marks):,} 个标点、数字或字母{_examples(marks)}")
    return verb.format("，以及 ".join(parts))


def _inspect(path: Path, size: int) -> dict[int, int]:
    """The streamed check; returns code -> glyph of the characters reportlab should be able to set."""
    wanted = required_chars()
    codes = sorted({ord(ch) for ch in wanted} | {ord(ch) for ch in LOOK_ALIKES.values()})
    try:
        with open(path, "rb") as handle:
            face = _FontFile(handle, size)
            face.open_face()
            face.metrics()
            glyph_of = face.cmap(codes)
            if any(glyph >= face.glyph_count for glyph in glyph_of.values()):
                raise _Corrupt
            drawn = face.outlines({glyph for code, glyph in glyph_of.items() if chr(code) not in WHITESPACE})
    except (_Corrupt, struct.error):
        raise FontRefused(NOT_A_FONT) from None
    except OSError as exc:
        raise FontRefused(f"读不出这个文件（{exc.strerror or '无法读取'}）") from None

    shown: dict[int, int] = {}
    absent: list[str] = []
    blank: list[str] = []
    for ch in wanted:  # each character, or its look-alike, mapped and drawn (a space need not draw)
        mapped = [c for c in (ch, LOOK_ALIKES.get(ch)) if c and ord(c) in glyph_of]
        drawing = [c for c in mapped if c in WHITESPACE or glyph_of[ord(c)] in drawn]
        if drawing:
            shown[ord(drawing[0])] = glyph_of[ord(drawing[0])]
        else:
            (blank if mapped else absent).append(ch)
    if absent:
        raise FontRefused(_shortfall(absent, "这个字体缺少 {}，不能用于公文"))
    if blank:
        raise FontRefused(_shortfall(blank, "这个字体中 {}的字形为空，打印出来是空白，不能用于公文"))
    return shown


def _trial(path: Path, glyph_of: dict[int, int]) -> None:
    """Let reportlab read the face and subset every glyph the documents need, as a saved
    document would; it reads the whole file, which the size cap bounds."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        face = TTFontFile(str(path), subfontIndex=0)
        if any(face.charToGlyph.get(code) != glyph for code, glyph in glyph_of.items()):
            raise FontRefused("PDF 程序读出的字符表与字体文件不一致，文件可能已损坏，不能用于公文")
        codes = sorted(glyph_of)
        for start in range(0, len(codes), 255):
            face.makeSubset(codes[start:start + 255])
    except FontRefused:
        raise
    except Exception:  # a malformed table may fail anywhere in reportlab's reader
        raise FontRefused("PDF 程序读不了这个字体（文件可能已损坏），不能用于公文") from None


_verdicts: dict[tuple[str, int, int, bool], str | FontRefused] = {}


def check(path: str | Path, trial: bool = True) -> str:
    """The SHA-256 of a font file that sets every character the documents use; else FontRefused.
    `trial=False` leaves out reportlab's own reading (the streamed check only). Remembered for
    the file as it is (path, size, modification time)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise FontRefused("找不到这个文件") from None
    if not path.is_file():
        raise FontRefused("找不到这个文件")
    key = (str(path), stat.st_size, stat.st_mtime_ns, trial)
    if key not in _verdicts:
        _verdicts[key] = _judge(path, stat.st_size, trial)
    verdict = _verdicts[key]
    if isinstance(verdict, FontRefused):
        raise verdict
    return verdict


def _judge(path: Path, size: int, trial: bool) -> str | FontRefused:
    if size > MAX_FONT_BYTES:
        return FontRefused(f"文件有 {_size_text(size)}，超过字体文件 {MAX_FONT_BYTES // 1024 ** 2} MB 的上限，"
                           "不像是字体文件，不能用于公文")
    try:
        glyph_of = _inspect(path, size)
        if trial:
            _trial(path, glyph_of)
        return sha256_of(path)
    except FontRefused as refused:
        return refused
    except OSError as exc:
        return FontRefused(f"读不出这个文件（{exc.strerror or os.strerror(exc.errno or 5)}）")


def check_font_file(path: str, label: str, field: str) -> str:
    """The SHA-256 of a chosen font file that sets every character the documents use; else the
    reason, in Chinese, naming the file."""
    try:
        return check(path)
    except FontRefused as refused:
        where = f"（{path}）" if refused.reason == "找不到这个文件" else ""
        raise ValidationError(f"{label}“{Path(path).name}”：{refused.reason}{where}", field=field) from None
