"""Mutation testing of one core module at a time, with mutmut 3.

    python tests/mutation/run.py app/storage/backup.py [more modules...] [--list] [--max-children N]

For each module: a scratch copy of the tree is laid in build/mutation/<module>/ with a
[tool.mutmut] section that mutates only that module and runs only the tests mapped to it below
(mutmut then narrows each mutant to the tests that reach the mutated function). Prints killed /
survived / timeouts, the score, the time, and every survivor with its diff. Not part of .ci/run:
a module takes minutes. Needs `pip install mutmut` (the `mutation` extra).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Module -> the core tests that exercise it (fast ones: no window, no LibreOffice, no subprocess CLI).
TESTS: dict[str, list[str]] = {
    "app/storage/writepath.py": ["tests/app/test_writepath.py", "tests/app/storage/test_writepath_core.py"],
    "app/storage/backup.py": ["tests/app/test_backup.py"],
    "app/restore.py": ["tests/app/test_backup.py", "tests/app/test_restore.py"],
    "app/storage/security.py": ["tests/app/test_security.py"],
    "app/common/workcalendar.py": ["tests/app/test_workcalendar.py"],
    "app/storage/audit.py": ["tests/app/test_audit.py",
                     "tests/app/test_audit_witnesses.py::test_a_restore_replaces_the_history_it_is_not_a_cut",
                     "tests/app/test_audit_witnesses.py::test_a_cut_log_written_on_without_resetting_its_numbers_shows_the_gap"],
    # the chain on a small office (test_opinions_core) besides the demo's tests
    "app/services/opinions.py": ["tests/app/services/test_opinions_core.py", "tests/app/services/test_opinions.py",
                                 "tests/app/rules/test_date_order.py", "tests/app/services/test_opinion_clocks.py"],
    "app/services/opinion_steps.py": ["tests/app/services/test_opinions_core.py", "tests/app/services/test_opinions.py",
                                      "tests/app/rules/test_date_order.py"],
    "app/services/opinion_history.py": ["tests/app/services/test_opinions_core.py", "tests/app/services/test_opinions.py"],
    "app/services/attendance.py": ["tests/app/services/test_meetings.py", "tests/app/services/test_institutions.py",
                                   "tests/app/services/test_terms.py"],
    "app/services/terms.py": ["tests/app/services/test_terms.py"],
    "app/services/candidates.py": ["tests/app/services/test_nomination.py", "tests/app/services/test_terms.py"],
    # the selection's stage machine, moved out of candidates.py: its own tests and the services' ones
    # (the scan of app/ and ui/ left out: the scratch tree holds no ui/)
    "app/rules/nomination_stages.py": [
        *(f"tests/app/rules/test_nomination_stages.py::{name}" for name in (
            "test_the_stored_codes_and_labels_are_those_of_every_office",
            "test_the_new_candidate_defaults_of_the_schema_are_the_first_stage_and_status",
            "test_the_machine_moves_one_stage_at_a_time", "test_what_each_stage_allows",
            "test_a_round_state_follows_its_latest_date")),
        "tests/app/services/test_nomination.py"],
    # two small offices made through the services, not the demo (its exchanges take 8-18 s a test)
    "app/exchange/merge.py": ["tests/app/exchange/test_merge_core.py"],
    "app/registers/writer.py": ["tests/app/registers/test_writer.py",
                                "tests/app/registers/test_print_layout.py::test_text_that_looks_like_a_formula_stays_text",
                                "tests/app/registers/test_print_layout.py::test_a_month_only_date_and_a_percent_read_back"],
    # the grid's fast tests (compose, paginate, render to a PDF read back; official.py's layout on an
    # empty office): test_official_grid's other tests export demo documents, which every surviving
    # mutant would pay for again, and reach nothing these miss
    "app/documents/gbt9704.py": [
        *(f"tests/app/documents/test_official_grid.py::{name}" for name in (
            "test_line_breaking_keeps_names_and_numbers_whole_and_marks_in_place",
            "test_marks_stick_to_their_neighbours_and_figures_to_their_units",
            "test_lines_fill_the_grid_indent_and_align",
            "test_pages_hold_22_lines_and_keep_headings_tails_and_widows_right",
            "test_page_breaks_and_the_foot_of_the_last_page",
            "test_tables_take_whole_slots_and_split_by_rows_between_pages")),
        "tests/app/documents/test_gbt9704_layout.py",
        "tests/app/documents/test_official_layout.py",
    ],
    # tests/app/workbooks/test_importer_core.py: small files into an empty office (30 tests, ~7 s alone)
    "app/workbooks/importer.py": ["tests/app/workbooks/test_importer_core.py", "tests/app/test_importer.py",
                                  "tests/app/test_workbooks.py",
                                  "tests/app/rules/test_roster_door.py", "tests/app/workbooks/test_round_trip.py"],
    "app/workbooks/tabular.py": ["tests/app/workbooks/test_tabular.py", "tests/app/workbooks/test_places_in.py"],
    "app/workbooks/bring_in.py": ["tests/app/workbooks/test_bring_in.py", "tests/app/workbooks/test_places_in.py",
                                  "tests/app/workbooks/test_opinions_in.py"],
    "app/workbooks/places_in.py": ["tests/app/workbooks/test_places_in.py", "tests/app/workbooks/test_round_trip.py"],
    "app/workbooks/roster_updates.py": ["tests/app/workbooks/test_importer_core.py", "tests/app/test_importer.py",
                                        "tests/app/workbooks/test_round_trip.py"],
}

# Deselected inside the mapped files: slow loops, subprocesses, LibreOffice.
PYTEST_ARGS = ["-p", "no:cacheprovider", "-q", "-m", "not slow", "-x", "--timeout=120"]

KILLED = {"killed", "caught by type check"}


def status_of(code) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[code]


def lay_tree(module: str, work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in ("app", "tests", "data", "resources"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "mutation"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_ini = pyproject["tool"]["pytest"]["ini_options"]
    lines = ["[tool.pytest.ini_options]"]
    lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in pytest_ini.items() if k != "timeout"]
    lines += [
        "",
        "[tool.mutmut]",
        'source_paths = ["app"]',
        f"only_mutate = [{json.dumps(module)}]",
        'also_copy = ["data", "resources"]',
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(TESTS[module])}",
        "use_git_change_detection = false",
        "track_dependencies = false",
        "timeout_multiplier = 5.0",
        "timeout_constant = 5.0",
    ]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def prebuilt_demo() -> Path:
    """The demo store built once with the unmutated code (a forked mutant would rebuild it: ~30 s)."""
    folder = ROOT / "build" / "mutation" / "demo" / "data"
    if not (folder / "yishi.db").exists():
        if folder.parent.exists():
            shutil.rmtree(folder.parent)
        code = ("import sys; from pathlib import Path; from app.fronts.demo import build_demo; from app.store import Store\n"
                "with Store.open(Path(sys.argv[1])) as s:\n"
                "    build_demo(s); s.db.execute('PRAGMA wal_checkpoint(TRUNCATE)')")
        subprocess.run([sys.executable, "-c", code, str(folder)], cwd=ROOT, check=True)
    return folder


def run_module(module: str, max_children: int, report_only: bool, only: list[str] | None = None) -> dict:
    if module not in TESTS:
        sys.exit(f"no tests mapped for {module}; add it to TESTS in {Path(__file__).name}")
    work = ROOT / "build" / "mutation" / module.replace("/", "_").removesuffix(".py")
    mutmut = [sys.executable, "-m", "mutmut"]
    log = work / "mutmut.log"
    timing = work / "seconds.txt"
    if not report_only:
        lay_tree(module, work)
        started = time.monotonic()
        env = {**os.environ, "YISHI_TEST_DEMO": str(prebuilt_demo())}
        with log.open("w", encoding="utf-8") as out:
            done = subprocess.run([*mutmut, "run", "--max-children", str(max_children), *(only or [])], cwd=work, stdout=out,
                                  stderr=subprocess.STDOUT, env=env)
        timing.write_text(f"{time.monotonic() - started:.0f}")
        if done.returncode:
            print(f"mutmut exited {done.returncode}; log: {log}")
    seconds = float(timing.read_text()) if timing.exists() else 0.0
    meta = work / "mutants" / (module + ".meta")
    if not meta.exists():
        print(log.read_text(encoding="utf-8")[-4000:])
        sys.exit(f"mutmut made no results for {module}; log: {log}")
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    if only:  # a run limited to some functions counts only their mutants
        codes = {k: v for k, v in codes.items() if any(fnmatch.fnmatch(k, pattern) for pattern in only)}
    by_status: dict[str, list[str]] = {}
    for name, code in codes.items():
        by_status.setdefault(status_of(code), []).append(name)
    killed = sum(len(v) for k, v in by_status.items() if k in KILLED)
    survived = by_status.get("survived", [])
    timeouts = by_status.get("timeout", [])
    other = {k: v for k, v in by_status.items() if k not in KILLED | {"survived", "timeout"}}
    total = len(codes)
    score = 100.0 * (killed + len(timeouts)) / total if total else 100.0
    print(f"\n== {module}: {total} mutants, {killed} killed, {len(timeouts)} timeouts, {len(survived)} survived"
          + "".join(f", {len(v)} {k}" for k, v in other.items())
          + f"; score {score:.1f}%; {seconds:.0f} s")
    names = sorted(survived) + sorted(n for v in other.values() for n in v)
    if names:  # one process for every diff (`mutmut show` per mutant costs a second each)
        code = ("import sys\nfrom mutmut.mutation.diff_apply import get_diff_for_mutant\n"
                "for name in sys.argv[2:]:\n"
                "    print(f'# {name}')\n"
                "    print(get_diff_for_mutant(name, path=sys.argv[1]).rstrip())\n")
        shown = subprocess.run([sys.executable, "-c", code, module, *names], cwd=work, capture_output=True, text=True)
        print(shown.stdout.rstrip() or shown.stderr[-2000:])
    return {"module": module, "total": total, "killed": killed, "timeouts": len(timeouts),
            "survived": sorted(survived), "other": other, "score": score, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description="Mutation testing of the core, one module at a time.")
    parser.add_argument("modules", nargs="*", help="e.g. app/storage/backup.py (paths relative to the repository)")
    parser.add_argument("--list", action="store_true", help="the modules mapped and their tests")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--report", action="store_true", help="print the last run's results again, without running")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--mutants", nargs="+", metavar="GLOB",
                        help="only these mutants, e.g. 'app.storage.backup.x_read_head*' (one module at a time)")
    args = parser.parse_args()
    if args.list or not args.modules:
        for module, tests in TESTS.items():
            print(f"{module}: {' '.join(tests)}")
        return
    results = [run_module(m, args.max_children, args.report, args.mutants) for m in args.modules]
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
