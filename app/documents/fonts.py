"""Fonts for PDFs: the official faces when the system has them, else the shipped free ones.

reportlab embeds TrueType outlines only, so CFF/OpenType faces are skipped.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from ..resources import shipped_dir

# role -> [(file name, subfont index)], most official first
SYSTEM_CANDIDATES = {
    "title": [("FZXBSJW.TTF", 0), ("方正小标宋简体.ttf", 0), ("FZXiaoBiaoSong-B05S.ttf", 0),
              ("simhei.ttf", 0)],
    "fangsong": [("仿宋_GB2312.ttf", 0), ("FangSong_GB2312.ttf", 0), ("simfang.ttf", 0)],
    "hei": [("simhei.ttf", 0)],
    "kai": [("楷体_GB2312.ttf", 0), ("KaiTi_GB2312.ttf", 0), ("simkai.ttf", 0)],
    "song": [("simsun.ttc", 0), ("simsun.ttf", 0)],
}
SHIPPED = {
    "title": ("wqy-microhei.ttc", 0),  # a bold sans for 小标宋 when 方正 is absent
    "fangsong": ("gbsn00lp.ttf", 0),  # AR PL SungtiL GB
    "hei": ("wqy-microhei.ttc", 0),  # WenQuanYi Micro Hei
    "kai": ("gkai00mp.ttf", 0),  # AR PL KaitiM GB
    "song": ("gbsn00lp.ttf", 0),
}
FONT_NAMES = {role: f"YS-{role}" for role in SHIPPED}


def _system_dirs() -> list[Path]:
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"
        return [windir / "Fonts", local]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
            Path.home() / ".local/share/fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]


@cache
def _system_index() -> dict[str, Path]:
    """File name (lower case) -> path, for the few folders fonts live in."""
    index: dict[str, Path] = {}
    for folder in _system_dirs():
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.suffix.lower() in (".ttf", ".ttc"):
                    index.setdefault(path.name.lower(), path)
    return index


def _try_register(name: str, path: Path, index: int) -> bool:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
        return True
    except (TTFError, OSError, ValueError):
        return False


@cache
def register_fonts(use_system: bool = True) -> dict[str, str]:
    """Register one face per role; returns role -> file used (for the record and for tests)."""
    used: dict[str, str] = {}
    fonts_dir = shipped_dir("resources") / "fonts"
    system = _system_index() if use_system and os.environ.get("YISHI_PDF_SYSTEM_FONTS", "1") == "1" else {}
    for role, name in FONT_NAMES.items():
        for file_name, index in SYSTEM_CANDIDATES[role]:
            path = system.get(file_name.lower())
            if path and _try_register(name, path, index):
                used[role] = str(path)
                break
        else:
            file_name, index = SHIPPED[role]
            if not _try_register(name, fonts_dir / file_name, index):
                raise RuntimeError(f"shipped font {file_name} cannot be loaded")
            used[role] = str(fonts_dir / file_name)
    return used


# The free 仿宋/楷体 lack 〇 (used in dates on certificates); ○ has the same shape.
LOOK_ALIKES = {"〇": "○"}


@cache
def _coverage(font_name: str) -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def markup(text: str, font_name: str) -> str:
    """`text` escaped for a Paragraph in `font_name`; characters that face lacks (〇 in the free
    仿宋/楷体, rare name characters) are set in the 黑体 face when it has them, so nothing turns
    into an empty box."""
    from xml.sax.saxutils import escape

    register_fonts()
    cover = _coverage(font_name)
    if all(ord(ch) in cover for ch in text):
        return escape(text)
    fallback = FONT_NAMES["hei"]
    spare = _coverage(fallback)
    out = []
    for ch in text:
        look_alike = LOOK_ALIKES.get(ch)
        if ord(ch) not in cover and look_alike and ord(look_alike) in cover:
            out.append(look_alike)  # same face, same weight: reads the same on paper
        elif ord(ch) not in cover and ord(ch) in spare and not ch.isspace():
            out.append(f'<font name="{fallback}">{escape(ch)}</font>')
        else:
            out.append(escape(ch))
    return "".join(out)
