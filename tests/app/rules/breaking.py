"""Values that break the rule book, generated from it: what a hostile office, a hand edit with a
database tool or an older version could leave in a store, written behind the program's back."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from app.rules.book import TABLES
from app.rules.fields import (
    Choice,
    Clock,
    Day,
    Detail,
    Digest,
    IdNumber,
    Instant,
    Int,
    Key,
    Month,
    Names,
    Phone,
    Ref,
    Rule,
    Text,
)

DANGLING = "00000000-0000-4000-8000-00000000dead"


def bad_values(rule: Rule) -> dict[str, object]:
    """rule name -> a value that breaks it (one per way the rule can be broken)."""
    future = (date.today() + timedelta(days=400)).isoformat()
    out: dict[str, object] = {}
    if rule.required:
        out["empty"] = ""
    if isinstance(rule, Text):
        out.update(long="长" * (rule.max + 1), type=12345, control="a\x01b")
        if not rule.multiline:
            out["newline"] = "一行\n两行"
    elif isinstance(rule, Choice):
        out.update(unknown="zz_newer_code", type=3.5)
    elif isinstance(rule, Int):
        out.update(type="abc")
        if rule.low is not None:
            out["low"] = rule.low - 5
        if rule.high is not None:
            out["high"] = rule.high + 1
    elif isinstance(rule, Day):
        out.update(invalid="2025-02-30", text="去年秋天", type=20250101)
        if not rule.future:
            out["future"] = future
    elif isinstance(rule, Month):
        out.update(invalid="2025-13", type=202501)
    elif isinstance(rule, Clock):
        out.update(invalid="25:99", type=900)
    elif isinstance(rule, Ref):
        out.update(type=42, malformed="not-an-id")
        if rule.table:
            out["dangling"] = DANGLING
    elif isinstance(rule, Names):
        out.update(invalid="城管、住建", type=7)
    elif isinstance(rule, Detail):
        out.update(invalid="{broken", type=7)
    elif isinstance(rule, IdNumber):
        out.update(invalid="500118199001011234", short="123")
    elif isinstance(rule, Phone):
        out.update(invalid="电话号码")
    elif isinstance(rule, Digest):
        out.update(invalid="xyz")
    elif isinstance(rule, Instant):
        out.update(invalid="昨天下午")
    elif isinstance(rule, Key):
        out.update(type=3.5)
    return out


# Which way of breaking each rule a variant prefers (the first the rule has), else the rule's first.
VARIANTS = {
    "unknown": ("unknown", "dangling", "future", "low", "long", "invalid"),
    "invalid": ("invalid", "malformed", "text", "newline", "high", "control", "short"),
    "type": ("type",),
}


def break_every_row(path, variant: str) -> int:
    """Give every live row of every table a breaking value in every field (the way `variant`
    prefers). Returns how many values were written. The program's own guards (foreign keys, NOT
    NULL) are switched off or left out, as a database tool would."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA foreign_keys = OFF")
    written = 0
    for table, spec in TABLES.items():
        for name, rule in spec.fields.items():
            values = {k: v for k, v in bad_values(rule).items() if k != "empty"}
            key = next((k for k in VARIANTS[variant] if k in values), next(iter(values), None))
            if key is None:
                continue
            try:
                written += conn.execute(f"UPDATE [{table}] SET [{name}] = ? WHERE deleted = 0",
                                        [values[key]]).rowcount
            except sqlite3.IntegrityError:
                continue  # a NOT NULL column: the database itself refuses
    conn.commit()
    conn.close()
    return written
