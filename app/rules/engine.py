"""Asking the rule book: one row at a door (a write, a package row), or every stored row (`check`).

The same declarations answer each door; what differs is where the other rows come from (a
`lookup`): the database inside the write's transaction, a package's rows before the store's, or a
cache while scanning.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from app.rules.book import TABLES, Lookup, Table
from app.rules.fields import Ref, Rule, as_day


@dataclass(frozen=True)
class Breach:
    """One broken rule of one row: what the clerk must be told (table, record, field, value, rule)."""

    table: str
    row_id: str
    title: str  # what names the row (its name, title, serial...)
    field: str
    value: object
    rule: str  # the broken rule in Chinese
    whole: bool = False  # a rule across fields: `rule` is a sentence of its own

    @property
    def noun(self) -> str:
        return TABLES[self.table].noun if self.table in TABLES else self.table

    @property
    def label(self) -> str:
        table = TABLES.get(self.table)
        return table.labels.get(self.field, self.field) if table else self.field

    def message(self) -> str:
        """Without the record: for the form the clerk is filling in."""
        return self.rule if self.whole else f"“{self.label}”{self.rule}"

    def __str__(self) -> str:
        who = f"“{self.title}”" if self.title else f"（编号 {self.row_id[:8]}）"
        return f"{self.noun}{who}：{self.message()}"

    def as_dict(self) -> dict:
        value = self.value if self.value is None or isinstance(self.value, (int, float)) else str(self.value)[:200]
        return {"table": self.table, "table_label": self.noun, "id": self.row_id, "record": self.title,
                "field": self.field, "field_label": self.label, "value": value, "rule": self.rule,
                "message": str(self)}


def title_of(table: str, row: dict) -> str:
    spec = TABLES.get(table)
    for name in spec.title if spec else ("name", "title"):
        value = row.get(name)
        if value not in (None, ""):
            text = str(value)
            return text if len(text) <= 30 else text[:30] + "…"
    return ""


_UNREAD = object()
_EVERY_FIELD: dict[str, tuple] = {}


def _every_field(table: str, spec) -> tuple[frozenset[str], tuple]:
    """The table's field names as a set, and (name, required, the rule's `wrong`) for each in that
    set's order, made once (every row of an import asks for them) and again when the book's
    fields change (a test may add one). A rule with a `problem` of its own is asked through it."""
    rules = tuple(spec.fields.values())
    found = _EVERY_FIELD.get(table)
    if found is None or found[0] != rules:
        names = frozenset(spec.fields)
        asks = tuple(_ask(name, spec.fields[name]) for name in names)
        found = _EVERY_FIELD[table] = (rules, names, asks)
    return found[1], found[2]


def _ask(name: str, rule: Rule) -> tuple:
    return (name, rule.required, rule.wrong) if type(rule).problem is Rule.problem else (name, None, rule.problem)


_ASKED: dict[tuple, tuple] = {}


def _asked(table: str, spec, only: tuple) -> tuple:
    """For the fields a row names in a list (an insert names those it sets): the set of those the
    book knows (built as `row_breaches` builds it), each one's (name, required, `wrong`) in that
    set's order, and the orders and checks they take part in; made once per table and list (an
    import's rows set the same fields row after row) and again when the book's rules change."""
    rules = tuple(spec.fields.values())
    found = _ASKED.get((table, only))
    if found is None or found[0] != rules or found[1] is not spec.order or found[2] is not spec.checks:
        if len(_ASKED) > 5000:
            _ASKED.clear()
        names = set(only) & set(spec.fields)
        asks = tuple(_ask(name, spec.fields[name]) for name in names)
        orders = tuple(order for order in spec.order if order.earlier in names or order.later in names)
        checks = tuple(check for check in spec.checks if any(name in names for name in check.fields))
        found = _ASKED[(table, only)] = (rules, spec.order, spec.checks, names, asks, orders, checks)
    return found[3:]


def _no_lookup(table: str, row_id: str) -> dict | None:
    return None


def fields_pass(table: str, rows: list[dict], only: list[str] | None = None) -> bool:
    """Whether no field of any of these rows breaks its rule: each column's distinct values asked
    once (rows of a package share many days, codes and parents). `only`: the fields of that list
    (as `row_breaches` takes it). False says only that some row may breach: `row_breaches` names
    which, and what."""
    spec = TABLES.get(table)
    if spec is None:
        return True
    if only is None:
        _, asks = _every_field(table, spec)
    else:
        _, asks, _, _ = _asked(table, spec, tuple(only))
    for name, required, wrong in asks:
        try:
            values = {row.get(name) for row in rows}
        except TypeError:  # a value that cannot be hashed: asked row by row
            return False
        if any(_problem(required, wrong, given) for given in values):
            return False
    return True


def across_fields(table: str, only: list[str]) -> bool:
    """Whether the fields of `only` take part in a rule beyond each field's own (an order of days,
    a check that reads the row whole or other rows): what `fields_pass` does not ask."""
    spec = TABLES.get(table)
    if spec is None:
        return False
    _, _, orders, checks = _asked(table, spec, tuple(only))
    return bool(orders or checks)


def _problem(required, wrong, given) -> str | None:
    """Rule.problem spelled out from an `_ask` (`required` None: the rule's own `problem`)."""
    if required is None:
        return wrong(given)
    if given is None or given == "":
        return "不能为空" if required else None
    return wrong(given)


def row_breaches(table: str, row: dict, lookup: Lookup = _no_lookup, *, row_id: str = "",
                 only: Iterable[str] | None = None, fields_passed: bool = False) -> list[Breach]:
    """What `row` breaks of its table's field and row rules. With `only`, the rules that those
    fields take part in (an edit is held to what it changes; a stored value it leaves alone is
    `check`'s to report). `fields_passed`: its fields (all, or those of the list `only`) are known
    to pass (`fields_pass`), only the rules across fields and rows are asked."""
    spec = TABLES.get(table)
    if spec is None:
        return []
    asks = None
    names: AbstractSet[str]
    orders, checks, planned = spec.order, spec.checks, False
    if only is None:
        names, asks = _every_field(table, spec)
        if fields_passed:
            asks = ()
    elif type(only) is list:  # (a list's set is built alike each time: worked out once)
        names, asks, orders, checks = _asked(table, spec, tuple(only))
        planned = True
        if fields_passed:
            asks = ()
    else:
        names = set(only) & set(spec.fields)
    row_id = row_id or str(row.get("id") or "")
    found: list[Breach] = []
    title = None

    def breach(name: str, rule: str, whole: bool = False) -> None:
        nonlocal title
        if title is None:
            title = title_of(table, row)
        found.append(Breach(table, row_id, title, name, row.get(name), rule, whole))

    bad = set()
    fields, value = spec.fields, row.get  # (asked for every field of every row written: kept short)
    if asks is None:
        for name in names:
            problem = fields[name].problem(value(name))
            if problem:
                bad.add(name)
                breach(name, problem)
    else:  # Rule.problem spelled out, as it is asked of every field of every row imported
        for name, required, wrong in asks:
            problem = _problem(required, wrong, value(name))
            if problem:
                bad.add(name)
                breach(name, problem)
    days: dict = {}  # each day read once per row (an opinion's days take part in many orders)
    for order in orders:
        earlier, later = order.earlier, order.later
        if (earlier in names or later in names) and earlier not in bad and later not in bad:
            first = days.get(earlier, _UNREAD)
            if first is _UNREAD:
                first = days[earlier] = as_day(value(earlier))
            then = days.get(later, _UNREAD)
            if then is _UNREAD:
                then = days[later] = as_day(value(later))
            if first and then and then < first:
                label_first, label_then = spec.labels[earlier], spec.labels[later]
                breach(later, f"“{label_then}”{row[later]} 早于“{label_first}”{row[earlier]}", True)
    for check in checks:
        if (only is None or planned or any(name in names for name in check.fields)) \
                and not (bad and any(name in bad for name in check.fields)):
            problem = check.test(row, lookup)
            if problem:
                breach(check.fields[0], problem, True)
    return found


def references(table: str) -> list[tuple[str, str]]:
    """(field, parent table) of the table's references."""
    spec = TABLES.get(table)
    if spec is None:
        return []
    return [(name, rule.table) for name, rule in spec.fields.items() if isinstance(rule, Ref) and rule.table]


def spec_of(table: str) -> Table | None:
    return TABLES.get(table)
