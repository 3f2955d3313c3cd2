"""Bringing an office's own spreadsheets in: one engine for every kind of record.

A kind (`ImportKind`) says which fields it takes and how one row becomes records; the engine reads
the file (`tabular`), then writes row by row inside one transaction, each row in a savepoint so
that a row the rule book refuses is rolled back alone and named with its reason and cell. A dry run
is the same write rehearsed and rolled back (`Store.rehearsal`), so what the preview says is what
the import does. The import itself is all-or-nothing, one audit entry, one undo; records matched
by their identity (same community and grid name, same serial, same ID number) are updated field
by field and each change is listed old → new; records the store holds that the file does not are
reported, never deleted.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.common.errors import AppError, Cancelled, ConflictError, NotFoundError, ValidationError
from app.rules.book import TABLES
from app.storage.writepath import new_id
from app.workbooks.tabular import BadValue, Field, SourceRow, Table, column_letter, layout_key, read_table

VERDICT_LABELS = {"new": "新增", "update": "更新", "same": "无变化", "refused": "拒绝", "duplicate": "重复"}
BOOK_ORDER = list(TABLES)  # parents before the tables whose rows name them
QUICK_CHUNK = 500  # rows of the file whose new records the quick pass writes at once
ABSENT_LISTED = 50  # names of stored records the file does not hold, listed in the report


class RowRefused(AppError):
    """A row that cannot become a record; `key` names the field (and so the cell) at fault."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


@dataclass
class Outcome:
    """What one row did: a new record, an update of a stored one (its changed fields), or nothing."""

    verdict: str  # new / update / same
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, old, new)
    warnings: list[str] = field(default_factory=list)


class Context:
    """What a kind looks up once per import (records by name...). Entries a row adds are staged and
    kept only when the row's write stands (a refused row's new community is rolled back with it)."""

    def __init__(self, store, *, quick: bool = False):
        self.store = store
        self.caches: dict[str, dict] = {}
        self.created: dict[str, list[str]] = {}  # noun -> names created beyond the rows themselves
        self._staged: list[tuple[str, Any, Any]] = []
        self._staged_created: list[tuple[str, str]] = []
        # In the quick pass, the new rows of the kinds that write through `insert`, by table: written
        # many at once (`write_pending`), not one statement and check each.
        self.pending: dict[str, tuple[list[str], list[dict]]] | None = {} if quick else None

    def insert(self, tx, table: str, values: dict) -> str:
        """A new row, written now (the careful pass: its refusal is the row's), or in the quick pass
        kept for `write_pending` under the id it will have."""
        if self.pending is None:
            return tx.insert(table, values)
        ids, rows = self.pending.setdefault(table, ([], []))
        ids.append(row_id := new_id())
        rows.append(values)
        return row_id

    def write_pending(self, tx) -> None:
        """The rows `insert` kept, table by table in the rule book's order (parents before the rows
        that name them: a check reading the parent finds it), each table's in the order given;
        the write path refuses as it would have refused them one by one."""
        if self.pending:
            for table in sorted(self.pending, key=BOOK_ORDER.index):
                ids, rows = self.pending[table]
                tx.insert_many(table, rows, ids)
            self.pending = {}

    def cache(self, name: str, load: Callable[[], dict]) -> dict:
        if name not in self.caches:
            self.caches[name] = load()
        return self.caches[name]

    def stage(self, name: str, key, value, created: str | None = None) -> None:
        self.caches[name][key] = value
        self._staged.append((name, key, value))
        if created:
            self._staged_created.append((created, str(key if not isinstance(key, tuple) else key[-1])))

    def keep(self) -> None:
        for noun, name in self._staged_created:
            self.created.setdefault(noun, []).append(name)
        self._staged, self._staged_created = [], []

    def discard(self) -> None:
        for name, key, _ in reversed(self._staged):
            self.caches[name].pop(key, None)
        self._staged, self._staged_created = [], []


class ImportKind(ABC):
    """One kind of record a spreadsheet may bring in. Subclasses set the class attributes and write
    `identity`, `label`, `apply` and `stored`."""

    name = ""  # as the CLI spells it: grids
    noun = ""  # 网格
    unit = "条"  # 个 / 名 / 条
    fields: tuple[Field, ...] = ()
    sample = ""  # the shipped sample file (data/samples/)

    @abstractmethod
    def identity(self, row: SourceRow) -> tuple | None:
        """What names the row's record within the file (two rows alike are one record twice)."""
        raise NotImplementedError

    @abstractmethod
    def label(self, row: SourceRow) -> str:
        raise NotImplementedError

    @abstractmethod
    def apply(self, store, tx, ctx: Context, row: SourceRow) -> Outcome:
        """Write the row's record through `tx` (insert or update); refuse with RowRefused/BadValue."""
        raise NotImplementedError

    @abstractmethod
    def stored(self, store) -> dict[tuple, str]:
        """Identity -> name of every live record of this kind (to report those the file leaves out)."""
        raise NotImplementedError

    def combine(self, rows: list[SourceRow]) -> list[SourceRow]:
        """Rows that are one record written over several lines, joined (by default none are)."""
        return rows

    def headers_hint(self) -> str:
        return "、".join(f"“{f.headers[0]}”" for f in self.fields if f.identity)

    def identity_label(self) -> str:
        return next(f.label for f in self.fields if f.identity)


class NamedKind(ImportKind):
    """A kind whose records are told apart by their name alone (a community, a venue)."""

    @abstractmethod
    def records(self, store) -> list:
        """The live records of the kind (each with its name)."""
        raise NotImplementedError

    def identity(self, row: SourceRow) -> tuple | None:
        return (row.text("name"),) if row.text("name") else None

    def label(self, row: SourceRow) -> str:
        return row.text("name")

    def stored(self, store) -> dict[tuple, str]:
        return {(r["name"],): r["name"] for r in self.records(store)}


def changes_of(current: dict, wanted: dict, labels: dict[str, str], shown: Callable[[str, Any], str] | None = None
               ) -> tuple[dict, list[tuple[str, str, str]]]:
    """The fields of `wanted` that differ from the stored row, and how the preview shows them."""
    changed = {k: v for k, v in wanted.items() if (current.get(k) or None) != (v or None)}
    show = shown or (lambda key, value: "" if value is None else str(value))
    return changed, [(labels.get(k, k), show(k, current.get(k)), show(k, v)) for k, v in changed.items()]


def update_or_same(tx, table: str, current: dict, wanted: dict, labels: dict[str, str],
                   shown: Callable[[str, Any], str] | None = None) -> Outcome:
    changed, listed = changes_of(current, wanted, labels, shown)
    if not changed:
        return Outcome("same")
    tx.update(table, current["id"], changed)
    return Outcome("update", listed)


# -- reading ---------------------------------------------------------------------------------------
def read_tables(path: Path | str, kind: ImportKind, mapping: dict[int, str] | None = None) -> list[Table]:
    """Every sheet of the file that reads as the kind's table. A mapping given applies to the sheets
    laid out as the first one found (same header words); the others keep their proposed mapping."""
    from app.workbooks import read_sheets

    tables: list[Table] = []
    fields = list(kind.fields)
    first_layout = None
    sheets = read_sheets(path)
    for sheet in sheets:
        table = read_table(sheet, fields)
        if table is None:
            continue
        layout = layout_key(kind.name, table.headings)
        if first_layout is None:
            first_layout = layout
        if mapping is not None and layout == first_layout:
            table = read_table(sheet, fields, mapping=mapping, header_row=table.header_row)
        if table is not None:
            tables.append(table)
    if not tables:  # headings the desk does not know: the first sheet that has a header-like row, for the clerk to map
        for sheet in sheets:
            table = read_table(sheet, fields, guess=True)
            if table is not None:
                if mapping is not None:
                    table = read_table(sheet, fields, mapping=mapping, header_row=table.header_row)
                return [table] if table is not None else []
    return tables


def with_remap(path: Path | str, kind: ImportKind, remap: list[str]) -> dict[int, str]:
    """The proposed mapping of the file's first table, changed as the clerk said (“D=worker_name”,
    “D=网格员”, or “D=” for a column left out)."""
    from app.workbooks.tabular import column_index

    tables = read_tables(path, kind)
    mapping = dict(tables[0].mapping) if tables else {}
    by_name = {f.key: f.key for f in kind.fields} | {f.label: f.key for f in kind.fields}
    for item in remap:
        letter, _, target = item.partition("=")
        col = column_index(letter)
        if col is None or not _:
            raise AppError(f"“{item}”看不懂：请写成“列字母=字段”，如 D=worker_name")
        target = target.strip()
        if target and target not in by_name:
            raise AppError(f"没有“{target}”这个字段，可选：{'、'.join(f'{f.key}（{f.label}）' for f in kind.fields)}")
        mapping = {c: k for c, k in mapping.items() if c != col and (not target or k != by_name[target])}
        if target:
            mapping[col] = by_name[target]
    return mapping


def mapping_of(kind: ImportKind, table: Table) -> list[dict]:
    """The first table's columns, each with the field it is mapped to (or none) and first values."""
    labels = {f.key: f.label for f in kind.fields}
    out = []
    for col, heading in enumerate(table.headings):
        key = table.mapping.get(col)
        samples = [row.values.get(key) for row in table.rows[:3]] if key else []
        out.append({"column": col, "letter": column_letter(col), "heading": heading, "field": key or "",
                    "field_label": labels.get(key, "") if key else "",
                    "samples": ["" if v is None else str(v)[:40] for v in samples]})
    return out


# -- the import ------------------------------------------------------------------------------------
def import_file(store, kind: ImportKind, path: Path | str, *, dry_run: bool = False,
                mapping: dict[int, str] | None = None, progress=None) -> dict:
    """Check (dry run) or import the file; the report lists every row's verdict. Unless a dry run,
    the report carries under "changes" what the write changed (views refresh from it, undo reverts it)."""
    name = Path(path).name
    tables = read_tables(path, kind, mapping)
    if not tables:
        raise AppError(f"“{name}”中没有找到{kind.noun}表：需要有{kind.headers_hint()}等表头的工作表"
                       "（表头可以在标题行下面）")
    first = tables[0]
    identity = {f.key for f in kind.fields if f.identity}
    if first.guessed and mapping is None or not identity & set(first.mapping.values()):
        if mapping is not None:  # the clerk's own mapping left the records unnamed
            said = f"“{name}”的工作表“{first.sheet}”没有对应{kind.headers_hint()}的列，无法辨认每一行是哪个{kind.noun}"
        else:  # (perhaps another kind's list, perhaps headings no office was seen to use)
            said = (f"“{name}”中没有找到{kind.noun}表：需要有{kind.headers_hint()}等表头的工作表（表头可以在标题行下面）；"
                    f"如果确是{kind.noun}表，请指定各列导入为哪一项（表头在第 {first.header_row} 行）")
        raise NeedsMapping(said, {"kind": kind.name, "noun": kind.noun, "unit": kind.unit, "file": name, "sheets": [first.sheet],
             "header_row": first.header_row, "layout": layout_key(kind.name, first.headings),
             "mapping": mapping_of(kind, first)})
    rows = kind.combine([row for table in tables for row in table.rows])
    labels = {f.key: f.label for f in kind.fields}
    door = store.rehearsal if dry_run else store.write
    with door("import", f"导入{kind.noun}：{name}") as tx:
        tx.index_later()  # (the search rows made in one go with the clock stamps, not three statements a row)
        # A quick pass first, every row written straight on and their references asked once at the
        # end: most files are clean. At the first row the write path refuses, the quick pass is
        # rolled back and the rows are written again one savepoint each, to name every refusal.
        try:
            with store.db.atomic():
                verdicts, seen, ctx = _rows(store, tx, kind, rows, labels, progress, careful=False)
                tx.check_links()
        except (_Careful, ValidationError, ConflictError, NotFoundError):
            del tx.changes.rows[:]
            tx._stamps.clear()
            tx._linked.clear()
            tx.reads.clear()
            tx._indexing = {}
            verdicts, seen, ctx = _rows(store, tx, kind, rows, labels, progress, careful=True)
        counts = {v: sum(1 for r in verdicts if r["verdict"] == v) for v in VERDICT_LABELS}
        tx.summary = (f"导入{kind.noun}：{name}（新增 {counts['new']} {kind.unit}，更新 {counts['update']} {kind.unit}，"
                      f"拒绝 {counts['refused'] + counts['duplicate']} 行）")
    present = set(seen)
    # (after a dry run the store is as it was; after an import the new records are in `present`)
    absent = [label for key, label in kind.stored(store).items() if key not in present]
    report = {
        "kind": kind.name, "noun": kind.noun, "unit": kind.unit, "file": name, "dry_run": dry_run,
        "sheets": [t.sheet for t in tables], "header_row": first.header_row, "layout": layout_key(kind.name, first.headings),
        "mapping": mapping_of(kind, first), "counts": counts,
        "rows": verdicts,
        "refused": [r for r in verdicts if r["verdict"] in ("refused", "duplicate")],
        "updates": [r for r in verdicts if r["verdict"] == "update"],
        "warnings": [{"sheet": r["sheet"], "row": r["row"], "name": r["name"], "warning": w}
                     for r in verdicts for w in r["warnings_list"]],
        "skipped": [s for t in tables for s in t.skipped],
        "created": ctx.created,
        "absent": {"count": len(absent), "names": absent[:ABSENT_LISTED]},
    }
    if not dry_run:
        report["changes"] = tx.changes
    return report


class NeedsMapping(AppError):
    """The file's columns are there but none is known to name the records: `sketch` holds what the
    clerk needs to map them by hand (the sheet, its header row, each column and its proposed field)."""

    def __init__(self, message: str, sketch: dict):
        super().__init__(message)
        self.sketch = sketch


class _Careful(Exception):
    """The quick pass met a row the write path refuses: the rows are written again one by one."""


def _rows(store, tx, kind: ImportKind, rows: list[SourceRow], labels: dict, progress, careful: bool
          ) -> tuple[list[dict], dict, Context]:
    ctx = Context(store, quick=not careful)
    seen: dict[tuple, SourceRow] = {}  # identity -> its first row (every identity the file names)
    verdicts = []
    for done, row in enumerate(rows, 1):
        verdicts.append(_one_row(store, tx, ctx, kind, row, seen, labels, careful))
        if done % QUICK_CHUNK == 0 or done == len(rows):
            ctx.write_pending(tx)
        if progress is not None and progress(done, len(rows)) is False:
            raise Cancelled("已取消导入，没有保存任何记录")
    return verdicts, seen, ctx


def _one_row(store, tx, ctx: Context, kind: ImportKind, row: SourceRow, seen: dict, labels: dict,
             careful: bool) -> dict:
    try:
        label = kind.label(row)
    except (BadValue, RowRefused):
        label = ""
    out = {"sheet": row.sheet, "row": row.number, "name": label, "verdict": "refused", "reason": "", "cell": "",
           "changes": [], "warnings_list": []}

    def refuse(reason: str, key: str | None = None, verdict: str = "refused") -> dict:
        out.update(verdict=verdict, reason=reason, cell=row.cell(key) if key else "")
        return _finish(out)

    if row.formulas:
        keys = sorted(row.formulas)
        return refuse("、".join(f"“{labels[k]}”" for k in keys) + "是公式，请改为文字或数字", keys[0])
    try:
        identity = kind.identity(row)
    except BadValue as exc:
        return refuse(str(exc), exc.key)
    except RowRefused as exc:
        return refuse(exc.message, exc.key)
    if identity is not None and identity in seen:
        return refuse(f"与第 {seen[identity].number} 行是同一{kind.noun}", None, "duplicate")
    if identity is not None:
        seen[identity] = row  # (a refused row's record is not one the file leaves out)
    if not careful:
        try:
            outcome = kind.apply(store, tx, ctx, row)
        except (BadValue, RowRefused, ValidationError, ConflictError, NotFoundError):
            raise _Careful from None
        ctx.keep()
        return _done(out, outcome)
    if len(tx._stamps) > 4000:  # written outside this row's savepoint (the write path flushes past 5,000)
        tx.flush()
    mark, stamped = len(tx.changes.rows), len(tx._stamps)
    try:
        with store.db.atomic():
            outcome = kind.apply(store, tx, ctx, row)
            tx.check_links()
    except (BadValue, RowRefused, ValidationError, ConflictError, NotFoundError) as exc:
        del tx.changes.rows[mark:]
        del tx._stamps[stamped:]
        tx._linked.clear()
        tx.reads.clear()
        ctx.discard()
        key = getattr(exc, "key", None) or getattr(exc, "field", None)
        message = exc.message if isinstance(exc, AppError) else str(exc)  # (BadValue: a ValueError)
        return refuse(message, key if key in labels else None)
    ctx.keep()
    return _done(out, outcome)


def _done(out: dict, outcome: Outcome) -> dict:
    out.update(verdict=outcome.verdict, changes=[{"field": f, "old": o, "new": n} for f, o, n in outcome.changes],
               warnings_list=outcome.warnings)
    return _finish(out)


def _finish(out: dict) -> dict:
    out["verdict_label"] = VERDICT_LABELS[out["verdict"]]
    out["change_text"] = "；".join(f"{c['field']}：{c['old'] or '（空）'} → {c['new'] or '（空）'}" for c in out["changes"])
    out["warnings"] = "；".join(out["warnings_list"])
    return out


def report_register(store, report: dict):
    """The row-by-row verdicts as a register the clerk can save and fix the file from."""
    from app.registers.writer import Column, Register

    columns = [Column("工作表", "sheet", 8), Column("行号", "row", 6), Column(report["noun"], "name", 12),
               Column("结果", "verdict_label", 6), Column("单元格", "cell", 6),
               Column("原因", "reason", 20, 50, wrap=True), Column("改动", "change_text", 20, 50, wrap=True),
               Column("提示", "warnings", 20, 50, wrap=True)]
    title = f"{report['noun']}导入检查结果（{report['file']}）"
    return Register(title, store.settings.unit(), columns, report["rows"], "导入结果")
