"""Full-text keys for Chinese substring and pinyin-initial search (FTS5 phrase queries).

Every CJK character becomes a token, and so does its pinyin initial, so that the phrase
"公 交" (or "g j") matches any text containing 公交 as a substring, through the index.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
_TOKEN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]|[0-9a-zA-Z]+")


_INITIALS: dict[str, str] = {}


def _initials_of(chars: list[str]) -> list[str]:
    """Each character's pinyin initial ("_" when it has none), remembered per character: every
    character is looked up on its own (no phrase context), so the answer never changes."""
    missing = [c for c in dict.fromkeys(chars) if c not in _INITIALS]
    if missing:
        from pypinyin import Style, lazy_pinyin

        for char in missing:
            found = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
            _INITIALS[char] = (found[0].lower() if found and found[0] else "") or "_"
    return [_INITIALS[c] for c in chars]


def tokens(text: str) -> tuple[str, str]:
    """(characters, initials) as space-separated token strings."""
    parts = [p.lower() for p in _TOKEN.findall(text or "")]
    # A CJK token is one character; Latin and digit runs start with an ASCII character. (A
    # character's initial is never empty: "_" when it has none.)
    known = _INITIALS
    initials = [p[0] if p.isascii() else known.get(p) or _initials_of([p])[0] for p in parts]
    return " ".join(parts), " ".join(initials)


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


def sync_opinions(db, ids: list[str], *, again: bool = False) -> None:
    """The search rows of many opinions, in batches: those of opinions new to this store (a package
    import), or, `again`, made afresh from each opinion as it stands (its old rows dropped; those
    of the live ones made again)."""
    from app.common.batches import in_batches

    for part, marks in in_batches(ids):
        rows = db.conn.execute(f"SELECT rowid, title, content, deleted FROM opinions WHERE id IN ({marks})",
                               part).fetchall()
        if again:
            db.conn.executemany("DELETE FROM opinions_fts WHERE rowid = ?", [(row[0],) for row in rows])
        db.conn.executemany("INSERT INTO opinions_fts (rowid, chars, initials) VALUES (?, ?, ?)",
                            [(rowid, *tokens(f"{title or ''} {content or ''}"))
                             for rowid, title, content, deleted in rows if not deleted])
