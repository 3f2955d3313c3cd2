"""Meeting kinds are defined once (app/rules/meeting_kinds.py): a kind registered there, and nowhere
else, is in the lists, the cadence, the registers, the statistics and the duty record; and no other
module spells a kind's code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.rules import meeting_kinds as mk
from app.rules.codes import CATEGORIES, SUBDISTRICT_DUTY, VENUE_LEVELS
from app.rules.meeting_kinds import Cadence, MeetingKind, Step
from tests.conftest import DEMO_YEAR

ROOT = Path(__file__).resolve().parents[2]

# A throwaway fifth kind: a yearly inspection of the whole council.
INSPECTION = MeetingKind(
    "inspection", "视察调研", "all", ("全体议事代表",), (), Cadence("year", "all", "视察调研（每年 1 次）"),
    "{year}年视察调研", "开展视察调研", "视察", "参加视察调研", "视察调研",
    steps=(Step("pre", "确定视察路线", "人大街道工委", -7), Step("in", "实地视察", "议事代表", 0),
           Step("post", "形成视察报告", "人大街道工委", 7)))


@pytest.fixture
def fifth_kind():
    with mk.registered(INSPECTION) as kind:
        yield kind
    assert "inspection" not in mk.codes()


@pytest.fixture
def fifth_store(fifth_kind, demo_dir):
    """The demo opened while the fifth kind is registered (its flowchart template is seeded then)."""
    from app.store import Store

    s = Store.open(demo_dir)
    yield s
    s.close()


def test_the_registry_lists_the_four_kinds_and_a_registered_one_for_a_while(fifth_kind):
    from app.rules.codes import MEETING_KINDS, label_of

    assert mk.codes() == (mk.PLENARY, mk.GROUP_ACTIVITY, mk.RECEPTION, mk.SPECIAL, "inspection")
    assert ("inspection", "视察调研") in MEETING_KINDS and label_of(MEETING_KINDS, "inspection") == "视察调研"
    with pytest.raises(ValueError):
        mk.register(INSPECTION)  # once only
    with pytest.raises(ValueError):
        mk.register(MeetingKind("Bad Code", "x", "all", (), (), Cadence(None, "all", "x"), "", "", "", "", ""))
    assert mk.kind_of("nonesuch").label == "※nonesuch" and not mk.kind_of("nonesuch").votes


def test_a_fifth_kind_is_in_every_layer_without_touching_another_file(fifth_store, tmp_path):
    from pypdf import PdfReader

    from app.documents.ledger_docs import duty_record
    from app.registers.ledger import stats
    from app.registers.meetings import attendance, performance
    from app.services.meetings import MeetingFilter

    s = fifth_store
    changes = s.meetings.create({"kind": "inspection", "date": f"{DEMO_YEAR}-05-20", "start_time": "09:00"})
    meeting_id = changes.created("meetings")[0]
    meeting = s.meetings.detail(meeting_id)
    assert meeting["title"] == f"{DEMO_YEAR}年视察调研" and meeting["scope"] == "all"  # title and scope
    assert [step["title"] for step in meeting["steps"]] == ["确定视察路线", "实地视察", "形成视察报告"]  # flowchart
    delegate = s.attendance.sheet(meeting_id)[0]["delegate_id"]
    s.attendance.record(meeting_id, {delegate: "present"})
    s.meetings.update(meeting_id, {"status": "held"})

    # the lists
    assert [m["id"] for m in s.meetings.page(MeetingFilter(kind="inspection"))] == [meeting_id]
    assert s.meetings.detail(meeting_id)["kind_label"] == "视察调研"
    assert s.meetings.by_kind(DEMO_YEAR)["inspection"] == 1
    # the cadence: one a year for the whole council, held
    slots = s.cadence.year_plan(DEMO_YEAR, kind="inspection")
    assert [(x["subject"], x["period"], x["state"]) for x in slots] == [("视察调研", f"{DEMO_YEAR}年", "held")]
    assert s.cadence.plan_summary(DEMO_YEAR)["inspection"]["held"] == 1
    # the statistics
    assert s.opinion_stats.report(DEMO_YEAR)["meetings_held"]["inspection"] == 1
    assert {r["item"]: r["value"] for r in stats(s, DEMO_YEAR).rows}["开展视察调研（次）"] == 1
    # the duty record and the registers (年度履职情况 included)
    assert s.duty_records.get(delegate, DEMO_YEAR)["inspection"] == 1
    text = PdfReader(duty_record(s, delegate, tmp_path / "duty.pdf", DEMO_YEAR)).pages[0].extract_text()
    assert "参加视察调研1 次" in text.replace("\n", "").replace(" 1 次", "1 次")  # the printed 履职档案
    for register, key in ((performance(s, DEMO_YEAR), "inspection"), (attendance(s, DEMO_YEAR), "inspection_present")):
        assert [c.key for c in register.columns if c.header == "参加视察调研"] == [key]
        row = next(r for r in register.rows if r["name"] == delegate_name(s, delegate))
        assert row[key] == 1


def delegate_name(store, delegate_id: str) -> str:
    return store.scalar("SELECT name FROM delegates WHERE id = ?", [delegate_id])


def test_the_year_sheet_and_the_statistics_have_a_line_for_every_kind(demo):
    from app.registers.ledger import stats
    from app.registers.meetings import attendance, performance

    sheet, present, figures = performance(demo, DEMO_YEAR), attendance(demo, DEMO_YEAR), stats(demo, DEMO_YEAR)
    items = {r["item"]: r["value"] for r in figures.rows}
    held = demo.opinion_stats.report(DEMO_YEAR)["meetings_held"]
    for kind in mk.kinds():
        assert any(c.key == kind.code for c in sheet.columns), kind.code  # 专题议事 was missing here
        assert any(c.key == f"{kind.code}_present" for c in present.columns), kind.code
        assert items[f"{kind.stats_item}（次）"] == held.get(kind.code, 0), kind.code
        assert kind.cadence.label  # its place in the cadence chooser
    record = demo.duty_records.get(sheet.rows[0]["id"], DEMO_YEAR)
    assert set(mk.codes()) <= set(record)


# -- no kind string outside the registry ---------------------------------------------------------------
# Where a kind's code may be spelled: the registry itself, and the demo's data (which uses its constants).
ALLOWED = {"app/rules/meeting_kinds.py"}


def kind_literals(path: Path, codes: tuple[str, ...]) -> list[str]:
    """String constants in `path` that are a kind's code, or hold one quoted for SQL ('plenary')."""
    quoted = re.compile("'(" + "|".join(map(re.escape, codes)) + ")'")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in codes or quoted.search(node.value):
                found.append(f"{path}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_no_module_outside_the_registry_spells_a_kind():
    codes = mk.codes()
    files = [p for folder in ("app", "ui") for p in sorted((ROOT / folder).rglob("*.py"))
             if str(p.relative_to(ROOT)) not in ALLOWED]
    found = [hit for path in files for hit in kind_literals(path, codes)]
    assert not found, "a meeting kind spelled outside app/rules/meeting_kinds.py:\n" + "\n".join(found)


def test_the_scan_finds_a_kind_compared_in_code_and_in_sql(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('if m["kind"] == "plenary":\n    pass\nSQL = "SELECT 1 WHERE kind = \'reception\'"\n'
                      'OTHER = "reception_matters"\n', encoding="utf-8")
    assert len(kind_literals(sample, mk.codes())) == 2


def test_no_module_outside_the_closed_lists_spells_a_venue_level():
    """Venue levels get the kinds' treatment: spelled in app/rules/codes.py only (the demo's data aside)."""
    levels = tuple(code for code, _ in VENUE_LEVELS)
    files = [p for folder in ("app", "ui") for p in sorted((ROOT / folder).rglob("*.py"))
             if p.relative_to(ROOT).parts[:3] != ("app", "fronts", "demo") and p.name != "codes.py"]
    found = [hit for path in files for hit in kind_literals(path, levels)]
    assert not found, "a venue level spelled outside app/rules/codes.py:\n" + "\n".join(found)


def test_no_module_outside_the_closed_lists_spells_an_opinion_category():
    """Opinion categories too: spelled in app/rules/codes.py only (the demo's data included). The
    subdistrict category's code is also the setting that names the subdistrict, so the scan leaves it."""
    codes = tuple(code for code, _ in CATEGORIES if code != SUBDISTRICT_DUTY)
    files = [p for folder in ("app", "ui") for p in sorted((ROOT / folder).rglob("*.py")) if p.name != "codes.py"]
    found = [hit for path in files for hit in kind_literals(path, codes)]
    assert not found, "an opinion category spelled outside app/rules/codes.py:\n" + "\n".join(found)
