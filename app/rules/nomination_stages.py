"""The selection's stage machine (两下两上), defined once: the stages a candidate passes, where they
stand, what each allows next; the candidate's statuses; the round's states.

A candidate moves through `STAGES` in order, one at a time (`next_stage`): each stage records its
date, who decided and the verdict; a failed one leaves the candidate at it (status FAILED), and a
candidate may withdraw (status WITHDRAWN) at the stage they were waiting for. A stage says how it is
recorded (`by`): the vote and the preliminary review one or more candidates at a time (RECORD), the
joint review from each department's verdict (REVIEW), the others by the round's own steps (notice,
confirmation, certificates, filing). A round's state follows from the dates it holds (`round_state`).

Only this module spells the codes (stored in `candidates.stage`, `fail_stage`, `status` and
`candidate_stages.stage`, exchanged in packages: the values never change); the rest use the
constants and ask the stages for behaviour. A test scans app/ and ui/ for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# -- the stages ----------------------------------------------------------------------------------
NOMINATED = "nominated"
COMMUNITY_APPROVED = "community_approved"
PRELIMINARY_REVIEWED = "preliminary_reviewed"
JOINT_REVIEWED = "joint_reviewed"
NOTICED = "noticed"
CONFIRMED = "confirmed"
CERTIFIED = "certified"
FILED = "filed"

# How a stage is recorded (Stage.by).
NOMINATE, RECORD, REVIEW, NOTICE, CONFIRM, CERTIFY, FILE = (
    "nominate", "record", "review", "notice", "confirm", "certify", "file")

# The four steps of the procedure each stage belongs to (shown as the round's progress).
PHASES = (("一下", "下达名额和条件"), ("一上", "推荐、表决、初审"), ("二下", "联审、公示"),
          ("二上", "确认、聘书、备案"))


@dataclass(frozen=True)
class Stage:
    code: str
    label: str                 # its name in lists, the history and messages (codes.CANDIDATE_STAGES)
    phase: str                 # 一上, 二下 or 二上 (PHASES)
    waiting: str               # where a candidate who passed it (and nothing after) stands
    by: str                    # how it is recorded: NOMINATE, RECORD, REVIEW, NOTICE, CONFIRM, CERTIFY, FILE
    editable: bool             # a candidate standing here may still have their particulars corrected
    deletable: bool = False    # a candidate standing here may be deleted (not yet past any vote)
    failed_text: str = ""      # the progress of one who failed it (else 未通过<label>)

    @property
    def order(self) -> int:
        return _ORDER[self.code]

    @property
    def failed(self) -> str:
        return self.failed_text or f"未通过{self.label}"


STAGES: tuple[Stage, ...] = (
    Stage(NOMINATED, "推荐提名", "一上", "已推荐，待村（居）民代表会议表决", NOMINATE, True, deletable=True),
    Stage(COMMUNITY_APPROVED, "村（居）民代表会议通过", "一上", "已通过表决，待工委初审", RECORD, True),
    Stage(PRELIMINARY_REVIEWED, "工委初审", "一上", "初审通过，待部门联审", RECORD, True),
    Stage(JOINT_REVIEWED, "部门联审", "二下", "联审合格，待公示", REVIEW, True),
    Stage(NOTICED, "公示", "二下", "公示期满，待党工委确认", NOTICE, False),
    Stage(CONFIRMED, "党工委确认", "二上", "已确定，待发聘书", CONFIRM, False, failed_text="党工委研究未确定"),
    Stage(CERTIFIED, "颁发聘书", "二上", "已发聘书，待备案", CERTIFY, False),
    Stage(FILED, "报区人大常委会备案", "二上", "已备案", FILE, False),
)
_BY_CODE = {s.code: s for s in STAGES}
_ORDER = {s.code: index for index, s in enumerate(STAGES)}
# (code, label) of every stage, in order: the rule book's closed list and the filters
CHOICES = tuple((s.code, s.label) for s in STAGES)
# The stages recorded one or more candidates at a time by a vote or review (表决 / 初审…)
RECORDED = tuple(s.code for s in STAGES if s.by == RECORD)


def codes() -> tuple[str, ...]:
    return tuple(_BY_CODE)


def stage_of(code: str | None) -> Stage | None:
    """The stage of `code`; None for one this version does not know (a newer version's, a hand edit)."""
    return _BY_CODE.get(code or "")


def order(code: str | None) -> int:
    """A stage's place in the procedure; -1 for one this version does not know."""
    return _ORDER.get(code or "", -1)


def next_stage(code: str | None) -> str | None:
    """The stage after `code` (None after the last, or after one this version does not know)."""
    if code not in _ORDER:
        return None
    index = _ORDER[code] + 1
    return STAGES[index].code if index < len(STAGES) else None


def before(code: str) -> tuple[str, ...]:
    """The stages before `code`, in order."""
    return tuple(s.code for s in STAGES[:_ORDER[code]])


def reached(candidate: Mapping[str, Any], code: str) -> bool:
    """Whether a candidate passed stage `code` (whatever became of them later): the one count the
    board, the registers and the filing report use."""
    return order(candidate["stage"]) >= _ORDER[code]


def sql_list(codes: Sequence[str]) -> str:
    """An SQL list of stage or status codes, `('a', 'b')` (this module's codes, never an empty list)."""
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")"


# -- the candidate's status ----------------------------------------------------------------------
IN_PROGRESS = "in_progress"
APPOINTED = "appointed"
FAILED = "failed"
WITHDRAWN = "withdrawn"
STATUSES = ((IN_PROGRESS, "推选中"), (APPOINTED, "已确定"), (FAILED, "未通过"), (WITHDRAWN, "本人退出"))
# The statuses of a candidate who left the procedure (their fail_stage says where)
LEFT = (FAILED, WITHDRAWN)

# The stage history also records a withdrawal and an undone step (the undo entry is the store's,
# shared with the other histories).
UNDO = "undo"
RECORDS = (*CHOICES, (WITHDRAWN, "本人退出"), (UNDO, "撤销"))


# -- the round's state ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RoundState:
    code: str
    label: str
    column: str | None         # the round's date that puts it in this state (None: the first)
    todo: str = ""             # the 概览's next step for a round in this state (after its name)


NOMINATING = "nominating"
ON_NOTICE = "notice"
# the later states share their stage's code: the round is noticed, confirmed... when its candidates are
ROUND_STATES: tuple[RoundState, ...] = (
    RoundState(NOMINATING, "推荐审查中", None),
    RoundState(ON_NOTICE, "公示中", "notice_start"),
    RoundState(NOTICED, "公示期满", "notice_closed_on", "公示期满，待街道党工委确认名单"),
    RoundState(CONFIRMED, "已确认", "confirmed_on", "已确认，待颁发聘书"),
    RoundState(CERTIFIED, "已发聘书", "certified_on", "聘书已颁发，待报区人大常委会备案"),
    RoundState(FILED, "已备案", "filed_on"),
)
ROUND_STATE_CHOICES = tuple((s.code, s.label) for s in ROUND_STATES)
_ROUND_STATE = {s.code: s for s in ROUND_STATES}


def round_state(row: Mapping[str, Any]) -> str:
    """The state of a round: the latest one whose date it holds."""
    for state in reversed(ROUND_STATES):
        if state.column and row.get(state.column):
            return state.code
    return NOMINATING


def round_state_of(code: str | None) -> RoundState | None:
    return _ROUND_STATE.get(code or "")


# -- the round's kind ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RoundKind:
    """A 推选 fills the council at the change of term; a 补选 fills seats left empty during it (the
    same procedure, for the rest of the term, with its reason written down)."""

    code: str
    label: str             # the kind as the round list and forms show it
    word: str              # what the summary and the documents call the procedure (推选 / 补选)
    seats: int             # the seats a new round of this kind starts with
    needs_reason: bool     # a 补选 says why (a delegate resigned, moved away...)
    rest_of_term: bool     # those chosen serve until the term ends, not for a whole term

    def new_name(self, year: int) -> str:
        return f"{year}年议事代表补选" if self.rest_of_term else "议事代表推选"

    @property
    def suffix(self) -> str:
        """After 第N届议事代表 in a document's title: 补选 for a by-election, nothing for the term's."""
        return self.word if self.rest_of_term else ""


REGULAR = "regular"
BY_ELECTION = "by_election"
ROUND_KINDS: tuple[RoundKind, ...] = (
    RoundKind(REGULAR, "换届推选", "推选", 70, False, False),
    RoundKind(BY_ELECTION, "补选", "补选", 1, True, True),
)
ROUND_KIND_CHOICES = tuple((k.code, k.label) for k in ROUND_KINDS)
_ROUND_KIND = {k.code: k for k in ROUND_KINDS}


def round_kind(code: str | None) -> RoundKind:
    """A round's kind; one this version does not know (a row written around the program) reads as
    a term's 推选 so that lists and documents still open (`check` names the row)."""
    return _ROUND_KIND.get(code or "", ROUND_KINDS[0])
