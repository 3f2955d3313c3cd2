"""Full-text keys for Chinese substring and pinyin-initial search (FTS5 phrase queries).

Every CJK character becomes a token, and so does its pinyin initial, so that the phrase
"公 交" (or "g j") matches any text containing 公交 as a substring, through the index.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
_TOKEN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]|[0-9a-zA-Z]+")


def tokens(text: str) -> tuple[str, str]:
    """(characters, initials) as space-separated token strings."""
    from pypinyin import Style, lazy_pinyin

    parts = _TOKEN.findall(text or "")
    chars = " ".join(p.lower() for p in parts)
    initials = []
    cjk = [p for p in parts if _CJK.match(p)]
    letters = iter(lazy_pinyin(cjk, style=Style.FIRST_LETTER, errors="ignore")) if cjk else iter(())
    for part in parts:
        if _CJK.match(part):
            initials.append((next(letters, "") or "").lower() or "_")
        else:
            initials.append(part.lower()[0])
    return chars, " ".join(initials)


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for what the clerk typed, or None for an empty query."""
    parts = _TOKEN.findall(query or "")
    if not parts:
        return None
    phrase = " ".join(p.lower() for p in parts)
    if all(p.isascii() and p.isalpha() for p in parts) and len(parts) == 1:
        # "gj": pinyin initials, or a Latin word in the text
        letters = " ".join(parts[0].lower())
        return f'initials: "{letters}" OR chars: "{phrase}"'
    return f'chars: "{phrase}"'


def sync_opinion(db, row_id: str) -> None:
    """Refresh the search row of one opinion (called by the write path)."""
    row = db.execute("SELECT rowid, title, content, deleted FROM opinions WHERE id = ?", [row_id]).fetchone()
    if row is None:
        return
    rowid, title, content, deleted = row
    db.execute("DELETE FROM opinions_fts WHERE rowid = ?", [rowid])
    if deleted:  # only live opinions are searchable, so a search count needs no join
        return
    chars, initials = tokens(f"{title or ''} {content or ''}")
    db.execute("INSERT INTO opinions_fts (rowid, chars, initials) VALUES (?, ?, ?)", [rowid, chars, initials])
