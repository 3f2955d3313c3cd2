"""A store where rows that break the rule book were written behind the program's back (an older
version, a database tool, a bug): every read still answers, the bad values shown marked, and
`check` names each row."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3

import pytest

from app.documents.catalog import DOCS
from app.fronts.cli import COMMANDS, build_parser
from app.registers.catalog import REGISTERS
from app.rules import MARK
from app.rules.book import TABLES
from tests.app.rules.breaking import VARIANTS, bad_values, break_every_row

LIST_KINDS = ("delegates", "communities", "grids", "groups", "venues", "meetings", "opinions", "rounds",
              "candidates", "visits", "actions", "terms")


def run(folder, *argv) -> tuple[int, str]:
    """A command as the CLI runs it, in this process: an unexpected exception fails the test with
    its traceback instead of becoming 程序内部错误."""
    args = build_parser().parse_args([str(a) for a in argv])
    args.data_dir, args.json = str(folder), getattr(args, "json", False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        from app.common.errors import AppError

        try:
            code = COMMANDS[args.command](args)
        except AppError as exc:
            return 1, exc.message
    return code, out.getvalue()


def every_read(folder, tmp_path, records: dict[str, list[str]]):
    """Each list, register, document (of the given records), stats and the archive."""
    for kind in LIST_KINDS:
        yield ("list", kind), run(folder, "list", kind)
    yield ("stats",), run(folder, "stats")
    for name in REGISTERS:
        yield ("register", name), run(folder, "export", "register", name, "--out", tmp_path / f"{name}.xlsx")
    for kind, (_, _, subject) in DOCS.items():
        ids = records.get(subject or "", [None]) if subject in ("meeting", "opinion", "delegate", "year") else [None]
        for record in ids:
            out = tmp_path / f"{kind}.pdf"
            yield ("doc", kind, record), run(folder, "export", "doc", kind, *([record] if record else []), "--out", out)
    yield ("archive",), run(folder, "export", "archive", "--out", tmp_path / "archive.zip")


def _ids(folder, sql: str) -> list[str]:
    with sqlite3.connect(folder / "yishi.db") as conn:
        return [r[0] for r in conn.execute(sql)]


def break_last_rows(path, variant: str) -> dict[str, str]:
    """The last live row of each table gets a breaking value in every field (the variant's way)."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA foreign_keys = OFF")
    broken = {}
    for table, spec in TABLES.items():
        row = conn.execute(f"SELECT id FROM [{table}] WHERE deleted = 0 ORDER BY rowid DESC LIMIT 1").fetchone()
        if not row:
            continue
        for name, rule in spec.fields.items():
            values = {k: v for k, v in bad_values(rule).items() if k != "empty"}
            key = next((k for k in VARIANTS[variant] if k in values), next(iter(values), None))
            if key is not None:
                with contextlib.suppress(sqlite3.IntegrityError):
                    conn.execute(f"UPDATE [{table}] SET [{name}] = ? WHERE id = ?", [values[key], row[0]])
        broken[table] = row[0]
    conn.commit()
    conn.close()
    return broken


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_few_broken_rows_are_shown_marked_and_every_read_answers(demo_template, tmp_path, variant):
    folder = tmp_path / "store"
    shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns("yishi.lock"))
    broken = break_last_rows(folder / "yishi.db", variant)
    bus = _ids(folder, "SELECT id FROM meetings WHERE title LIKE '%定制公交%'")
    records = {"meeting": [broken["meetings"], *bus], "opinion": [broken["opinions"], *_ids(
        folder, "SELECT id FROM opinions WHERE status = 'closed' LIMIT 1")],
        "delegate": [broken["delegates"]], "year": ["2025"]}
    failures = []
    for what, (code, text) in every_read(folder, tmp_path, records):
        refused_marked = code == 1 and MARK in text and what[0] == "doc" and what[2] in broken.values()
        if code != 0 and not refused_marked:
            failures.append((what, text[:200]))
    assert not failures
    # the rows are shown marked where the clerk reads them
    code, text = run(folder, "export", "register", "ledger", "--out", tmp_path / "ledger.xlsx")
    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(tmp_path / "ledger.xlsx").active.iter_rows() for c in row if c.value]
    assert any(MARK in cell for cell in cells)
    # and `check` names each of them, with table, record, field and rule
    code, text = run(folder, "--json", "check")
    report = json.loads(text)
    assert code == 1 and not report["rules"]["ok"]
    named = {(b["table"], b["id"]) for b in report["rules"]["breaches"]}
    assert {(t, i) for t, i in broken.items()} <= named
    assert all(b["field_label"] and b["rule"] and b["table_label"] for b in report["rules"]["breaches"])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_store_broken_everywhere_still_answers_every_read(demo_template, tmp_path, variant):
    """Every field of every row broken at once: nothing ends in an internal error; a document whose
    record cannot make it says so in Chinese (a refusal), everything else answers."""
    folder = tmp_path / "store"
    shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns("yishi.lock"))
    assert break_every_row(folder / "yishi.db", variant) > 10_000
    records = {"meeting": _ids(folder, "SELECT id FROM meetings WHERE deleted = 0 LIMIT 2"),
               "opinion": _ids(folder, "SELECT id FROM opinions WHERE deleted = 0 LIMIT 2"),
               "delegate": _ids(folder, "SELECT id FROM delegates WHERE deleted = 0 LIMIT 1"), "year": ["2025"]}
    failures = []
    for what, (code, text) in every_read(folder, tmp_path, records):
        if code != 0 and (what[0] != "doc" or "程序内部错误" in text):
            failures.append((what, text[:200]))
    assert not failures
    code, _ = run(folder, "check")
    assert code == 1
