"""The selection's stages are defined once (app/rules/nomination_stages.py): their stored codes never
change, the machine moves one stage at a time, and no other module spells a stage or a status."""

from __future__ import annotations

from pathlib import Path

from app.rules import nomination_stages as st
from app.rules.codes import CANDIDATE_STAGES, CANDIDATE_STATUSES, STAGE_RECORDS
from tests.app.test_meeting_kinds import kind_literals

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = "app/rules/nomination_stages.py"


def test_the_stored_codes_and_labels_are_those_of_every_office():
    # stored in candidates and candidate_stages and exchanged in packages: never renamed
    assert CANDIDATE_STAGES == (
        ("nominated", "推荐提名"), ("community_approved", "村（居）民代表会议通过"), ("preliminary_reviewed", "工委初审"),
        ("joint_reviewed", "部门联审"), ("noticed", "公示"), ("confirmed", "党工委确认"), ("certified", "颁发聘书"),
        ("filed", "报区人大常委会备案"))
    assert STAGE_RECORDS == (*CANDIDATE_STAGES, ("withdrawn", "本人退出"), ("undo", "撤销"))
    assert CANDIDATE_STATUSES == (("in_progress", "推选中"), ("appointed", "已确定"), ("failed", "未通过"),
                                  ("withdrawn", "本人退出"))
    assert st.ROUND_STATE_CHOICES == (("nominating", "推荐审查中"), ("notice", "公示中"), ("noticed", "公示期满"),
                                      ("confirmed", "已确认"), ("certified", "已发聘书"), ("filed", "已备案"))


def test_a_rounds_kind_decides_its_seats_name_reason_and_words():
    # stored in nomination_rounds.kind and exchanged: never renamed
    assert st.ROUND_KIND_CHOICES == (("regular", "换届推选"), ("by_election", "补选"))
    term, by = st.round_kind(st.REGULAR), st.round_kind(st.BY_ELECTION)
    assert (term.seats, term.new_name(2026), term.needs_reason, term.word, term.suffix) == (
        70, "议事代表推选", False, "推选", "")
    assert (by.seats, by.new_name(2026), by.needs_reason, by.word, by.suffix) == (1, "2026年议事代表补选", True, "补选", "补选")
    assert st.round_kind("zz_newer_kind") is term and st.round_kind(None) is term


def test_the_new_candidate_defaults_of_the_schema_are_the_first_stage_and_status(store):
    defaults = {r[1]: r[4] for r in store.db.execute("PRAGMA table_info(candidates)")}
    assert defaults["stage"] == f"'{st.STAGES[0].code}'" and defaults["status"] == f"'{st.IN_PROGRESS}'"


def test_the_machine_moves_one_stage_at_a_time():
    codes = st.codes()
    assert [st.next_stage(c) for c in codes] == [*codes[1:], None]
    assert st.next_stage("no_such_stage") is None and st.next_stage(None) is None
    assert [st.order(c) for c in codes] == list(range(len(codes))) and st.order("no_such_stage") == -1
    assert st.before(st.JOINT_REVIEWED) == (st.NOMINATED, st.COMMUNITY_APPROVED, st.PRELIMINARY_REVIEWED)
    assert st.sql_list(st.before(st.JOINT_REVIEWED)) == "('nominated', 'community_approved', 'preliminary_reviewed')"
    assert st.reached({"stage": st.NOTICED}, st.JOINT_REVIEWED) and not st.reached({"stage": st.NOTICED}, st.CONFIRMED)
    assert not st.reached({"stage": "no_such_stage"}, st.NOMINATED)


def test_what_each_stage_allows():
    # the vote and the preliminary review are recorded with 表决 / 初审…; the rest by their own steps
    assert st.RECORDED == (st.COMMUNITY_APPROVED, st.PRELIMINARY_REVIEWED)
    # particulars are corrected up to the joint review (before the notice shows them); deleted only
    # before any vote (afterwards a candidate withdraws and the record stays)
    assert [s.code for s in st.STAGES if s.editable] == [*st.before(st.NOTICED)]
    assert [s.code for s in st.STAGES if s.deletable] == [st.NOMINATED]
    assert [s.phase for s in st.STAGES] == ["一上"] * 3 + ["二下"] * 2 + ["二上"] * 3
    assert {p for p, _ in st.PHASES} >= {s.phase for s in st.STAGES}
    failed = {s.code: s.failed for s in st.STAGES}
    assert failed[st.CONFIRMED] == "党工委研究未确定" and failed[st.JOINT_REVIEWED] == "未通过部门联审"


def test_a_round_state_follows_its_latest_date():
    assert st.round_state({}) == st.NOMINATING
    assert st.round_state({"notice_start": "2025-01-13"}) == st.ON_NOTICE
    assert st.round_state({"notice_start": "2025-01-13", "notice_closed_on": "2025-01-17",
                           "confirmed_on": "2025-01-20"}) == st.CONFIRMED
    assert st.round_state({"filed_on": "2025-02-01", "certified_on": "2025-01-25"}) == st.FILED
    todo = {s.code: s.todo for s in st.ROUND_STATES}
    assert todo[st.CERTIFIED] == "聘书已颁发，待报区人大常委会备案" and not todo[st.FILED]


# -- no stage spelled outside the registry -----------------------------------------------------------
# The migration that created the tables keeps its column defaults as written (checked above).
ALLOWED = {REGISTRY, "app/storage/schema.py"}
# Spelled by nothing else in app/ or ui/: the stages, the first round state, a candidate who left.
EVERYWHERE = (*st.codes(), st.NOMINATING, st.FAILED, st.WITHDRAWN, st.REGULAR, st.BY_ELECTION)
# Shared with other closed lists (an action in progress, a delegate's appointed event, a document
# named notice): refused in the modules that ask the stage registry, the closed lists aside.
IN_SELECTION = (st.IN_PROGRESS, st.APPOINTED)


def _files():
    return [p for folder in ("app", "ui") for p in sorted((ROOT / folder).rglob("*.py"))
            if str(p.relative_to(ROOT)) not in ALLOWED]


def test_no_module_outside_the_registry_spells_a_stage_or_a_status():
    found = [hit for path in _files() for hit in kind_literals(path, EVERYWHERE)]
    selection = [p for p in _files() if "nomination_stages" in p.read_text(encoding="utf-8")
                 and str(p.relative_to(ROOT)) != "app/rules/codes.py"]
    assert len(selection) >= 7  # services, register, filing report, summary, demo, page
    found += [hit for path in selection for hit in kind_literals(path, IN_SELECTION)]
    assert not found, f"a nomination stage or status spelled outside {REGISTRY}:\n" + "\n".join(found)


def test_the_scan_finds_a_stage_compared_in_code_and_in_sql(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('if c["stage"] == "noticed":\n    pass\nSQL = "SELECT 1 WHERE status = \'withdrawn\'"\n'
                      'COUNTS = {"failed": 0}\nOTHER = "noticed_on"\n', encoding="utf-8")
    assert len(kind_literals(sample, EVERYWHERE)) == 3
