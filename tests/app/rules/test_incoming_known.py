"""A package's rows are checked against their parents in the same package through `Known`, which
keeps only the parent fields `LOOKED_UP` names: every field a check of the rule book reads of a
parent must be among them, or a package row whose parent travels with it escapes that check."""

from __future__ import annotations

from app.rules.book import TABLES
from app.rules.fields import Choice, Day, Int, Ref
from app.rules.incoming import LOOKED_UP


class _Recorded(dict):
    """A parent row that answers any field and notes which were read."""

    def __init__(self, table: str, reads: dict[str, set[str]]):
        super().__init__()
        self.table, self.reads = table, reads

    def _value(self, name: str):
        self.reads.setdefault(self.table, set()).add(name)
        if name == "status":
            return "deliberated"
        if name == "id" or name.endswith("_id"):
            return f"{self.table}-parent"
        return "2020-06-30"  # after the row's own days: a check goes on to read what it compares

    def __bool__(self) -> bool:
        return True

    def get(self, name, default=None):
        return self._value(name)

    def __getitem__(self, name):
        return self._value(name)


def _rows(spec):
    """The table's rows to try: every field set, each code of each closed list in turn."""
    base = {}
    for name, rule in spec.fields.items():
        if isinstance(rule, Day):
            base[name] = "2020-01-05"
        elif isinstance(rule, Int):
            base[name] = 5
        elif isinstance(rule, Ref):
            base[name] = f"{name}-value"
        elif isinstance(rule, Choice):
            base[name] = rule.codes[0] if rule.codes else None
        else:
            base[name] = "x"
    yield base
    for name, rule in spec.fields.items():
        if isinstance(rule, Choice):
            for code in rule.codes:
                yield {**base, name: code}


def test_every_parent_field_a_check_reads_is_kept_of_package_rows():
    reads: dict[str, set[str]] = {}

    def lookup(table: str, row_id: str):
        return _Recorded(table, reads)

    for spec in TABLES.values():
        for check in spec.checks:
            for row in _rows(spec):
                check.test(row, lookup)
    assert reads, "no check read a parent: the recording lookup is not asked"
    missing = {table: sorted(names - set(LOOKED_UP.get(table, ())) - {"id"}) for table, names in reads.items()}
    assert not {t: m for t, m in missing.items() if m} and set(reads) <= set(LOOKED_UP)
