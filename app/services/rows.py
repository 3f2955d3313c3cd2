"""The rows the services hand the fronts (the window, the CLI, the documents), as TypedDicts.

A `…Row` is one table's row as stored (`SELECT *`); a `…ListRow` is what a service's list or page
returns: the row with the names its query joins in and the labels the service adds for display; a
`…Detail` is what an editor opens. The types say what the schema and the service promise; SQLite
itself checks little, so a value written around the program may still differ (the services show
such values marked rather than fail on them). `as_rows`/`as_row` are the one place a row read from
SQLite is taken as its TypedDict.
"""

from __future__ import annotations

from typing import Any, TypedDict, TypeVar, cast

R = TypeVar("R")

# A row of a table that has no TypedDict (yet): column name -> value.
Row = dict[str, Any]


def as_rows(rows: list[Row], kind: type[R]) -> list[R]:
    """`rows` (from Store.rows, completed by the service) taken as `kind`: the query that read them
    names `kind`'s columns, and the service added the keys it computes before calling this."""
    return cast("list[R]", rows)


def as_row(row: Row, kind: type[R]) -> R:
    return as_rows([row], kind)[0]


# -- delegates (代表) ----------------------------------------------------------------------------
class DelegateRow(TypedDict):
    id: str
    name: str
    gender: str | None
    ethnicity: str | None
    birth_date: str | None
    id_number: str | None  # the full number: fronts show `id_masked` unless asked (audited)
    party: str | None
    sector: str | None
    workplace: str | None
    post: str | None
    education: str | None
    phone: str | None
    community_id: str | None
    group_id: str | None
    group_role: str
    term_id: str | None
    status: str
    certificate_no: str | None
    notes: str | None
    deleted: int
    name_initials: str | None
    name_pinyin: str | None


class DelegateListRow(DelegateRow):
    """A line of the roster (DelegateService.page)."""

    community_name: str | None
    group_name: str | None
    grid_names: str | None  # 、-joined
    id_masked: str
    status_label: str
    role_label: str


class DelegateForm(DelegateRow):
    """DelegateService.for_editing: the record as the edit form gets it. Unlike a roster line's
    masked string, `id_masked` here says whether `id_number` holds the masked form."""

    id_masked: bool


# -- groups (议事小组) -----------------------------------------------------------------------------
class GroupRow(TypedDict):
    id: str
    name: str
    focus: str | None
    sort_order: int | None
    notes: str | None
    deleted: int


class GroupListRow(GroupRow):
    """GroupService.list: a group with its communities, members and office holders."""

    community_count: int
    community_names: str | None  # 、-joined
    delegate_count: int
    leaders: str | None
    deputies: str | None
    warnings: list[str]


# -- grids (网格) ------------------------------------------------------------------------------------
class GridRow(TypedDict):
    id: str
    community_id: str
    number: int | None
    name: str
    notes: str | None
    worker_name: str | None  # the grid's 网格员
    worker_phone: str | None
    deleted: int


class GridListRow(GridRow):
    """GridService.list."""

    community_name: str
    delegate_names: str | None  # the active delegates who keep in touch with it, 、-joined


# -- venues (阵地) -----------------------------------------------------------------------------------
class VenueRow(TypedDict):
    id: str
    name: str
    level: str
    address: str | None
    community_id: str | None
    group_id: str | None
    facilities: str | None  # 、-joined names (VenueService.facilities_of)
    schedule: str | None
    notes: str | None
    build_status: str | None  # codes.BUILD_STATUSES (halls are built step by step)
    opened_on: str | None
    deleted: int


class VenueListRow(VenueRow):
    """VenueService.list."""

    community_name: str | None
    group_name: str | None
    room_names: str | None
    room_count: int
    level_label: str
    build_label: str
    facilities_list: list[str]
    missing_facilities: list[str]


# -- meetings (会议) --------------------------------------------------------------------------------
class MeetingRow(TypedDict):
    id: str
    kind: str
    title: str
    date: str
    start_time: str | None
    end_time: str | None
    venue_id: str | None
    room_id: str | None
    group_id: str | None
    status: str
    scope: str | None
    agenda: str | None
    departments: str | None
    visitors: int | None
    summary: str | None
    decisions: str | None
    notes: str | None
    subject: str | None  # codes.SUBJECTS: what a hall's meeting is about
    # attendance as figures, for a meeting without a sign-in list (m026; AttendanceService.summary)
    count_expected: int | None
    count_present: int | None
    count_excused: int | None
    count_absent: int | None
    count_guests: int | None
    deleted: int


class _MeetingShown(TypedDict):
    """The names MeetingService's queries join in and the labels MeetingService.decorate adds."""

    venue_name: str | None
    room_name: str | None
    group_name: str | None
    kind_label: str
    status_label: str
    place: str
    time: str
    departments_list: list[str]
    agenda_list: list[str]
    subject_label: str  # the subject type of a hall's business, "" when none


class MeetingListRow(MeetingRow, _MeetingShown):
    """A line of the meetings list (MeetingService.page)."""

    present: int
    overdue_steps: int


class MeetingDetail(MeetingRow, _MeetingShown):
    """MeetingService.detail: the meeting with its workflow steps and action items."""

    steps: list[Row]
    action_items: list[Row]


# -- opinions (意见建议) ----------------------------------------------------------------------------
class OpinionRow(TypedDict):
    id: str
    serial: str | None
    source: str
    delegate_id: str | None
    grid_id: str | None
    community_id: str | None
    group_id: str | None
    received_on: str
    residents: int | None
    contact: str | None
    title: str
    content: str | None
    origin_table: str | None
    origin_id: str | None
    status: str
    topic_id: str | None
    urgency: int | None
    feasibility: int | None
    decline_reason: str | None
    category: str | None
    lead_unit: str | None
    co_units: str | None
    assigned_on: str | None
    working_days: int | None
    deadline: str | None
    key_supervision: int
    result: str | None
    answered_on: str | None
    feedback_delegate_on: str | None
    feedback_residents_on: str | None
    feedback_method: str | None
    satisfaction: str | None
    closed_on: str | None
    feedback_serial: str | None
    deleted: int
    visit_id: str | None
    reported_on: str | None
    reported_to: str | None
    raised_meeting_id: str | None  # the meeting where it was raised (会中意见建议)


class OpinionListRow(OpinionRow):
    """A line of the opinions ledger (OpinionService.page): names joined in, OpinionService.decorate's
    labels and deadline flags."""

    delegate_name: str | None
    group_name: str | None
    community_name: str | None
    status_label: str
    source_label: str
    category_label: str
    step: int  # of the five-step method; 0 for a status this version does not know
    step_label: str
    co_units_list: list[str]
    contact_masked: str
    overdue: bool
    due_soon: bool
    feedback_due: str | None
    feedback_overdue: bool
    flag: str
    # the step the opinion waits at and its clock (opinion_clocks): due day, late or not
    clock: str | None
    clock_label: str
    step_due: str | None
    step_late: bool
    on_time: bool | None  # 办结 on or before the deadline in force (None: not answered)
    on_time_label: str


class OpinionDetail(OpinionListRow):
    """OpinionService.detail: what the opinion dialog shows."""

    timeline: list[Row]
    next_steps: list[str]
    grid_name: str | None
    topic_title: str | None
    reported_to_name: str | None
    plan_id: str | None
    step_clocks: list[Row]  # every clocked step met: due day, done day, late or not


# -- candidates (推选人选) ---------------------------------------------------------------------------
class CandidateRow(TypedDict):
    id: str
    round_id: str
    name: str
    gender: str | None
    ethnicity: str | None
    birth_date: str | None
    id_number: str | None
    citizenship: str | None
    party: str | None
    sector: str | None
    education: str | None
    workplace: str | None
    post: str | None
    phone: str | None
    community_id: str | None
    resident_since: str | None
    route: str
    recommender: str | None
    recommenders: str | None
    stage: str
    status: str
    fail_stage: str | None
    fail_reason: str | None
    on_notice: int
    delegate_id: str | None
    certificate_no: str | None
    notes: str | None
    deleted: int
    name_initials: str | None
    name_pinyin: str | None


class CandidateListRow(CandidateRow):
    """A line of a round's candidates (CandidateService.list): its community and round's figures
    joined in, CandidateService.decorate's labels and the conditions the data can show."""

    community_name: str | None
    community_kind: str | None
    community_order: int | None
    opened_on: str
    min_age: int
    min_years: int
    objection_count: int
    id_masked: str
    route_label: str
    status_label: str
    stage_label: str
    recommender_names: list[str]
    progress: str
    work: str
    born: str
    conditions: list[Row]  # {"name", "state", "text"}
    conditions_text: str
