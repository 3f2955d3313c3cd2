"""Fonts for PDFs: the official faces wherever offices keep them, else the shipped free ones.

Looked for, per role, in this order: the file the clerk chose in 设置 (while it is still the file
that passed `font_check` when chosen, or passes it again); the official faces in the system's and
the user's font folders (Windows; Kylin/UOS, whose CESI faces are the GB2312 set; WPS's own
folder); the shipped AR PL / WenQuanYi faces. reportlab embeds TrueType outlines only, so
CFF/OpenType (.otf) faces are skipped.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

from app.common import font_check
from app.common.fileio import sha256_of
from app.common.resources import shipped_dir
from app.documents.notes import note

ROLES = ("title", "fangsong", "hei", "kai", "song")
ROLE_LABELS = {"title": "标题（小标宋）", "fangsong": "正文（仿宋）", "hei": "一级标题（黑体）",
               "kai": "二级标题（楷体）", "song": "页码（宋体）"}
# role -> file names, most official first (matched case-insensitively)
SYSTEM_CANDIDATES = {
    "title": ["FZXBSJW.TTF", "方正小标宋简体.ttf", "方正小标宋_GBK.ttf", "FZXiaoBiaoSong-B05S.ttf", "FZXBSK.TTF",
              "CESI_XBS_GB2312.TTF", "CESI_XBS_GB18030.TTF", "simhei.ttf"],
    "fangsong": ["仿宋_GB2312.ttf", "FangSong_GB2312.ttf", "FS_GB2312.ttf", "CESI_FS_GB2312.TTF",
                 "CESI_FS_GB18030.TTF", "simfang.ttf", "FZFSK.TTF", "方正仿宋_GBK.ttf", "STFANGSO.TTF"],
    "hei": ["simhei.ttf", "CESI_HT_GB2312.TTF", "CESI_HT_GB18030.TTF", "FZHTK.TTF", "方正黑体_GBK.ttf"],
    "kai": ["楷体_GB2312.ttf", "KaiTi_GB2312.ttf", "CESI_KT_GB2312.TTF", "CESI_KT_GB18030.TTF", "simkai.ttf",
            "FZKTK.TTF", "方正楷体_GBK.ttf", "STKAITI.TTF"],
    "song": ["simsun.ttc", "simsun.ttf", "CESI_SS_GB2312.TTF", "CESI_SS_GB18030.TTF", "FZSSK.TTF"],
}
# The faces that stand in for an official one with a visibly different look (设置 warns).
OFFICIAL_ROLES = {"title", "fangsong"}
SHIPPED = {
    "title": "wqy-microhei.ttc",  # a bold sans for 小标宋 when 方正 is absent
    "fangsong": "gbsn00lp.ttf",  # AR PL SungtiL GB
    "hei": "wqy-microhei.ttc",  # WenQuanYi Micro Hei
    "kai": "gkai00mp.ttf",  # AR PL KaitiM GB
    "song": "gbsn00lp.ttf",
}
# role -> the reportlab name of the face in use (updated in place: modules hold this dict)
FONT_NAMES = {role: f"YS-{role}" for role in ROLES}


def font_dirs() -> list[Path]:
    """Where offices' fonts live: system folders, the user's, and WPS's own."""
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", str(home / "AppData" / "Local")))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts",
                local / "Kingsoft" / "WPS Office" / "office6" / "fonts"]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".fonts",
            home / ".local/share/fonts", Path("/opt/kingsoft/wps-office/office6/fonts"),
            Path("/usr/share/wps-office/fonts"), Path("/Library/Fonts"), Path("/System/Library/Fonts"),
            home / "Library/Fonts"]


@cache
def _system_index() -> dict[str, Path]:
    """File name (lower case) -> path, for the folders fonts live in."""
    index: dict[str, Path] = {}
    if os.environ.get("YISHI_PDF_SYSTEM_FONTS", "1") != "1":
        return index
    for folder in font_dirs():
        try:
            if not folder.is_dir():
                continue
            for path in folder.rglob("*"):
                if path.suffix.lower() in (".ttf", ".ttc"):
                    index.setdefault(path.name.lower(), path)
        except OSError:  # an unreadable folder is simply not looked in
            continue
    return index


@cache
def _load(path: str) -> str | None:
    """Register the face in `path` under a name of its own; None when reportlab cannot use it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = "YS-" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:10]
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (TTFError, OSError, ValueError, KeyError, IndexError):
        return None
    return name


_told: set[tuple] = set()  # the log hears once of a chosen file set aside, not at every document


def _chosen_problem(path: str, digest: str | None) -> str | None:
    """Why the file chosen in 设置 cannot set this document (None: it can). The file that passed
    the check when chosen (same SHA-256) is used without another check."""
    try:
        stat = Path(path).stat()
        if digest and _digest_of(path, stat.st_size, stat.st_mtime_ns) == digest:
            return None
    except OSError:
        return "已找不到"
    try:
        font_check.check(path)
    except font_check.FontRefused as refused:
        return ("已被改动：" if digest else "不能用：") + refused.reason
    return None


@cache
def _digest_of(path: str, size: int, mtime_ns: int) -> str:
    return sha256_of(path)


def choose(overrides: dict[str, str] | None = None, digests: dict[str, str] | None = None) -> dict[str, dict]:
    """role -> {"path", "source": chosen|system|shipped}: the face each role would use; a chosen
    file that cannot be used adds "set_aside": the reason, and the export's notes say so."""
    overrides, digests = overrides or {}, digests or {}
    fonts_dir = shipped_dir("resources") / "fonts"
    system = _system_index()
    out: dict[str, dict] = {}
    for role in ROLES:
        chosen = overrides.get(role)
        problem = _chosen_problem(chosen, digests.get(role)) if chosen else None
        if chosen and problem is None and _load(chosen):
            out[role] = {"path": chosen, "source": "chosen"}
            continue
        for file_name in SYSTEM_CANDIDATES[role]:
            path = system.get(file_name.lower())
            if path and _load(str(path)):
                out[role] = {"path": str(path), "source": "system"}
                break
        else:
            out[role] = {"path": str(fonts_dir / SHIPPED[role]), "source": "shipped"}
        if chosen:
            problem = problem or "不能用：PDF 程序读不了"
            out[role]["set_aside"] = problem
            text = (f"{ROLE_LABELS[role]}所选的字体文件“{chosen}”{problem}，本次改用“{Path(out[role]['path']).name}”；"
                    "请在“设置”中重新选择字体文件")
            key = (chosen, problem)
            note(text, to_log=key not in _told)
            _told.add(key)
    return out


_overrides: dict[str, str] = {}  # the faces the open office chose: kept until another says otherwise
_digests: dict[str, str] = {}


def register_fonts(overrides: dict[str, str] | None = None, digests: dict[str, str] | None = None) -> dict[str, str]:
    """Register one face per role (the clerk's choice first); returns role -> file used. Without
    `overrides`, the choices last given stay (a table's cell styles keep the office's faces)."""
    global _overrides, _digests
    if overrides is not None:
        _overrides, _digests = dict(overrides), dict(digests or {})
    used = {}
    for role, pick in choose(_overrides, _digests).items():
        name = _load(pick["path"])
        if name is None:
            raise RuntimeError(f"shipped font {pick['path']} cannot be loaded")
        FONT_NAMES[role] = name
        used[role] = pick["path"]
    return used


def store_overrides(store) -> dict[str, str]:
    return {role: store.settings.get(f"font_{role}") for role in ROLES if store.settings.get(f"font_{role}")}


def store_digests(store) -> dict[str, str]:
    """role -> the SHA-256 the chosen file had when it passed the check (kept with the setting)."""
    return {role: store.meta(f"font_{role}_sha256") for role in ROLES if store.meta(f"font_{role}_sha256")}


def use_store_fonts(store) -> dict[str, str]:
    """Register the faces this office's documents use (its 设置 choices first)."""
    return register_fonts(store_overrides(store), store_digests(store))


# The shipped faces by the names a Chinese office knows them by.
FACE_NAMES_ZH = {"WenQuanYiMicroHei": "文泉驿微米黑", "WenQuanYi Micro Hei": "文泉驿微米黑",
                 "BousungEG-Light-GB": "文鼎PL简报宋", "GBZenKai-Medium": "文鼎PL简中楷"}


def font_report(store) -> list[dict]:
    """For 设置: each role, the face in use, where it comes from, and a warning when a free face
    stands in for 仿宋 or 小标宋."""
    from reportlab.pdfbase import pdfmetrics

    rows = []
    for role, pick in choose(store_overrides(store), store_digests(store)).items():
        name = _load(pick["path"])
        face = pdfmetrics.getFont(name).face.name if name else ""
        if isinstance(face, bytes):
            face = face.decode("utf-8", "replace")
        warning = ""
        if pick.get("set_aside"):
            warning = (f"所选的字体文件“{store.settings.get(f'font_{role}')}”{pick['set_aside']}，"
                       "正在用上面的字体；请重新选择字体文件")
        elif pick["source"] == "shipped" and role in OFFICIAL_ROLES:
            warning = (f"本机没有找到{'方正小标宋' if role == 'title' else '仿宋_GB2312 / 仿宋'}，"
                       "正在用程序自带的替代字体；公文正式报送前，请安装该字体或在此选择字体文件")
        rows.append({"role": role, "label": ROLE_LABELS[role], "path": pick["path"],
                     "face": FACE_NAMES_ZH.get(face, face),
                     "source": pick["source"], "warning": warning})
    return rows


@cache
def coverage(font_name: str) -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    if font_name.startswith("YS-") and font_name[3:] in ROLES:
        register_fonts()
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def face_for(ch: str, font_name: str) -> tuple[str, str]:
    """(character, face) to set `ch` in: its own face, else the 黑体 face for a character the face
    lacks (a rare name character; 〇 in the free 仿宋/楷体 — never a look-alike such as ○, which
    is another character), so nothing turns into an empty box."""
    cover = coverage(font_name)
    if ord(ch) in cover:
        return ch, font_name
    if not ch.isspace() and ord(ch) in coverage(FONT_NAMES["hei"]):
        return ch, FONT_NAMES["hei"]
    return ch, font_name


def markup(text: str, font_name: str) -> str:
    """`text` escaped for a Paragraph in `font_name`, each character in the face `face_for` gives."""
    from xml.sax.saxutils import escape

    cover = coverage(font_name)
    if all(ord(ch) in cover for ch in text):
        return escape(text)
    out = []
    for ch in text:
        shown, face = face_for(ch, font_name)
        out.append(escape(shown) if face == font_name else f'<font name="{face}">{escape(shown)}</font>')
    return "".join(out)
