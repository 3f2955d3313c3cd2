"""What every domain service shares: field descriptions, lookups, delete and restore."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from app.common.errors import NotFoundError, ValidationError
from app.common.textutil import clean
from app.rules.book import TABLES
from app.rules.codes import label_of
from app.services.rows import as_row
from app.storage.changes import Changes

if TYPE_CHECKING:
    from app.store import Store

# The row type a service's get() returns: a TypedDict of app.services.rows, or Row for a table without one.
# The hooks below only read a row, so they take any Mapping.
RowT = TypeVar("RowT", bound=Mapping[str, Any])


@dataclass(frozen=True)
class FieldSpec:
    """Describes one editable field so that forms and importers need no duplicate rules."""

    name: str
    label: str
    kind: str = "text"  # text, multiline, choice, ref, date, idcard, phone, int, checklist
    required: bool = False
    choices: Sequence = ()  # (value, label) pairs, or plain strings for editable lists
    ref: str | None = None
    editable: bool = False  # a choice list the clerk may extend by typing
    # The rule book's rule for the value (a service's fields get their table's; a dialog's step date
    # gets `Day`, which refuses a future date as it is typed).
    rule: Any = None


def step_date(name: str, label: str, *, required: bool = True) -> FieldSpec:
    """The date a step was done, as a dialog asks it: not after today (refused as it is typed)."""
    from app.rules.fields import Day

    return FieldSpec(name, label, "date", required=required, rule=Day(label))


def typed_value(spec: FieldSpec, value):
    """A form's value as the rule book holds it (an int field's text as a number)."""
    if spec.kind == "int" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def rule_problem(spec: FieldSpec, value) -> str | None:
    """What the rule book says of a form's value, in a sentence naming the field (None: fine, or a
    kind the book checks elsewhere — references, check lists)."""
    if spec.rule is None or value is None or value == "" or spec.kind in ("ref", "checklist"):
        return None
    problem = spec.rule.problem(typed_value(spec, value))
    return f"“{spec.label}”{problem}" if problem else None


def field_problem(spec: FieldSpec, value) -> str | None:
    """What is wrong with `value` for `spec` (None when it is fine): the one rule set the forms,
    the Excel import and the packages from other offices are held to."""
    if value is None or value == "":
        return f"缺少“{spec.label}”" if spec.required else None
    if spec.kind in ("text", "multiline", "idcard", "phone", "date", "ref") and not isinstance(value, str):
        return f"“{spec.label}”应为文字，不能是{type(value).__name__}"
    if spec.kind == "choice" and not spec.editable:
        allowed = {c[0] if isinstance(c, tuple) else c for c in spec.choices}
        if value not in allowed:
            return f"“{spec.label}”的值“{str(value)[:40]}”不在可选范围内"
    elif spec.kind == "int":
        try:
            int(value)
        except (TypeError, ValueError):
            return f"“{spec.label}”应为整数"
    elif spec.kind == "date":
        import re
        from datetime import date

        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                raise ValueError
            date.fromisoformat(str(value))
        except ValueError:
            return f"“{spec.label}”“{str(value)[:40]}”不是有效日期"
    elif spec.kind in ("idcard", "phone"):
        from app.common import idcard
        from app.common.textutil import validate_phone

        try:
            idcard.parse(value) if spec.kind == "idcard" else validate_phone(value)
        except ValidationError as exc:
            return f"“{spec.label}”：{exc.message}"
        return None
    return rule_problem(spec, value)


def add_equals(clauses: list[str], params: list, pairs) -> None:
    """A list query's `column = ?` filters, for the (column, value) pairs whose value is set."""
    for column, value in pairs:
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)


def list_order(sorts: dict[str, str], key: str, default: str, descending: bool) -> str:
    """A list's ORDER BY columns for the clerk's chosen sort; reversed column by column."""
    order = sorts.get(key, sorts[default])
    if descending and key in sorts:
        order = ", ".join(f"{part} DESC" for part in order.split(", "))
    return order


def one_page(sql: str, params: list, offset: int, limit: int | None) -> tuple[str, list]:
    """The query cut to one page of a list (limit None: the whole list, for exports)."""
    if limit is None:
        return sql, params
    return f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset]


def choice_label(choices, value) -> str:
    """A code's label; one the list does not know is shown marked with its raw value."""
    return label_of(choices, value)


class Service(Generic[RowT]):
    table: str = ""
    noun: str = ""  # Chinese noun for messages, e.g. "网格"
    fields: tuple[FieldSpec, ...] = ()
    row_type: type[RowT]  # what get() returns (set by each service: no default fits every RowT)

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        if self.table in TABLES:  # each form field asks the rule book's rule for its column
            rules = TABLES[self.table].fields
            self.fields = tuple(replace(f, rule=f.rule or rules.get(f.name)) for f in type(self).fields)

    # -- reading -------------------------------------------------------------
    def get(self, row_id: str, *, include_deleted: bool = False) -> RowT:
        row = self.store.rows(f"SELECT * FROM [{self.table}] WHERE id = ?", [row_id])
        if not row or (row[0]["deleted"] and not include_deleted):
            raise NotFoundError(f"找不到这条{self.noun}记录，可能已被删除")
        return as_row(row[0], self.row_type)

    def stored(self, row_id: str | None) -> RowT | None:
        """The row as stored, deleted or not; None when there is no such row (a document names a
        record another office removed, or one written around the program)."""
        found = self.store.rows(f"SELECT * FROM [{self.table}] WHERE id = ?", [row_id]) if row_id else []
        return as_row(found[0], self.row_type) if found else None

    def count_of(self, column: str, value: str) -> int:
        """Live rows whose `column` holds `value` (a meeting's action items, a round's candidates)."""
        return self.store.scalar(f"SELECT count(*) FROM [{self.table}] WHERE deleted = 0 AND [{column}] = ?", [value])

    def title(self, row: Mapping[str, Any]) -> str:
        return row.get("name") or row.get("id", "")[:8]

    def find_ids(self, given: str, columns: tuple[str, ...] = (), *, prefix: bool = True) -> list[str]:
        """Live rows the clerk may mean by `given`: an id or its first characters (as lists print
        them), or the exact value of one of `columns` (a name, a serial)."""
        tests = (["id LIKE ?"] if prefix else []) + [f"[{column}] = ?" for column in columns]
        params = ([given + "%"] if prefix else []) + [given] * len(columns)
        return [r["id"] for r in self.store.rows(
            f"SELECT id FROM [{self.table}] WHERE deleted = 0 AND ({' OR '.join(tests)})", params)]

    def count(self) -> int:
        return self.store.scalar(f"SELECT count(*) FROM [{self.table}] WHERE deleted = 0")

    def count_by(self, column: str, choices) -> dict[str, int]:
        """Live rows per value of a choice column, every choice present (0 when none)."""
        counts = {value: 0 for value, _ in choices}
        for row in self.store.rows(
                f"SELECT [{column}] AS value, count(*) AS n FROM [{self.table}] WHERE deleted = 0"
                f" GROUP BY [{column}]"):
            counts[row["value"]] = row["n"]
        return counts

    # -- shared validation -----------------------------------------------------
    def clean_values(self, values: dict) -> dict:
        """Trim text, turn '' into None, check required fields and choice values."""
        specs = {f.name: f for f in self.fields}
        out = {}
        for key, value in values.items():
            spec = specs.get(key)
            if isinstance(value, str):
                value = clean(value) if spec is None or spec.kind != "multiline" else value.strip()
                value = value or None
            if spec and spec.kind in ("choice", "int") and value is not None:
                problem = field_problem(spec, value)
                if problem:
                    raise ValidationError(problem, field=key)
                value = int(value) if spec.kind == "int" else value
            out[key] = value
        return out

    def require(self, values: dict, existing: Mapping[str, Any] | None = None) -> None:
        for spec in self.fields:
            if spec.required:
                value = values.get(spec.name, (existing or {}).get(spec.name))
                if value in (None, ""):
                    raise ValidationError(f"请填写“{spec.label}”", field=spec.name)

    def live_ref(self, table: str, row_id: str | None, noun: str, field: str) -> None:
        if row_id is None:
            return
        if not self.store.scalar(f"SELECT 1 FROM [{table}] WHERE id = ? AND deleted = 0", [row_id]):
            raise ValidationError(f"所选{noun}不存在或已删除", field=field)

    # -- create / update -------------------------------------------------------
    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
        """Hook: the domain's rules beyond required fields and choice lists."""

    def prepare(self, values: dict, existing: Mapping[str, Any] | None = None) -> dict:
        values = self.clean_values(values)
        self.require(values, existing)
        self.check(values, existing)
        return values

    def create(self, values: dict) -> Changes:
        values = self.prepare(dict(values))
        with self.store.write("create", f"新增{self.noun}：{self.title(values)}") as tx:
            tx.insert(self.table, values)
        return tx.changes

    def update(self, row_id: str, values: dict) -> Changes:
        row = self.get(row_id)
        values = self.prepare(dict(values), row)
        with self.store.write("update", f"修改{self.noun}：{self.title(row)}") as tx:
            tx.update(self.table, row_id, values)
        return tx.changes

    def name_taken(self, name: str | None, existing: Mapping[str, Any] | None, where: str = "", params=()) -> bool:
        if not name:
            return False
        row_id = existing["id"] if existing else None
        return bool(self.store.scalar(
            f"SELECT 1 FROM [{self.table}] WHERE name = ? AND deleted = 0 AND id IS NOT ? {where}",
            [name, row_id, *params]))

    # -- delete / restore -----------------------------------------------------
    # (table, column, message with {n}): live rows pointing here block deletion.
    blockers: tuple[tuple[str, str, str], ...] = ()

    def dependents(self, row_id: str) -> list[str]:
        """Chinese descriptions of live rows that still point here (blocks deletion)."""
        out = []
        for table, column, message in self.blockers:
            n = self.count_live(
                f"SELECT count(*) FROM [{table}] WHERE [{column}] = ? AND deleted = 0", [row_id])
            if n:
                out.append(message.format(n=n))
        return out

    def parents_deleted(self, row: Mapping[str, Any]) -> list[str]:
        """Chinese descriptions of deleted rows this one points to (blocks restore)."""
        return []

    def delete(self, row_id: str) -> Changes:
        row = self.get(row_id)
        blocking = self.dependents(row_id)
        if blocking:
            raise ValidationError(
                f"不能删除{self.noun}“{self.title(row)}”：{'、'.join(blocking)}。请先调整或删除它们。")
        with self.store.write("delete", f"删除{self.noun}：{self.title(row)}") as tx:
            tx.delete(self.table, row_id)
            self.on_delete(tx, row)
        return tx.changes

    def on_delete(self, tx, row: Mapping[str, Any]) -> None:
        """Hook for rows deleted together with this one (e.g. a venue's rooms)."""

    def restore(self, row_id: str) -> Changes:
        row = self.get(row_id, include_deleted=True)
        blocking = self.parents_deleted(row)
        if blocking:
            raise ValidationError(
                f"不能恢复{self.noun}“{self.title(row)}”：{'、'.join(blocking)}，请先恢复它。")
        self.check_restore(row)
        with self.store.write("restore", f"恢复{self.noun}：{self.title(row)}") as tx:
            tx.restore(self.table, row_id)
        return tx.changes

    def check_restore(self, row: Mapping[str, Any]) -> None:
        """Hook: refuse a restore that would break a rule (duplicates, role limits)."""

    def count_live(self, sql: str, params) -> int:
        return self.store.scalar(sql, params) or 0
