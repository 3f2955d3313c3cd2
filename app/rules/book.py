"""The rule book: for every synced table, what each field may hold and the rules across fields
and rows. Every door asks it: the services' writes (the window's forms and the CLI), the Excel
import, the package merge, restore, and `check`.

A table's entry names its fields (see `fields.py`), its date order (`Order`: one day on or after
another), the rules that need another row (`Check`, given a lookup), and what must be unique among
its live rows (`Unique`). One person in one place at a time is `bookings.py`'s.

Over the house's ~600 lines on purpose: it is the one table of every synced field, read as a whole
(each table's entry is a few lines; split by table, the doors would have several books to ask).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.rules.codes import (
    ACTION_PROGRESS_STATUSES,
    ACTION_STATUSES,
    AREAS,
    ATTENDANCE_STATUSES,
    BUILD_STATUSES,
    BUILDING,
    CANDIDATE_STAGES,
    CANDIDATE_STATUSES,
    CATEGORIES,
    COMMUNITY_KINDS,
    CONFLICT_KINDS,
    DELEGATE_EVENT_KINDS,
    DELEGATE_STATUSES,
    ELECTION_RESULTS,
    ELECTION_ROLES,
    FEEDBACK_METHODS,
    FLAGS,
    GENDERS,
    GRADES,
    GROUP_ROLES,
    HOLIDAY_KINDS,
    INSTITUTION_KINDS,
    INSTITUTION_STATUSES,
    LEADING_ROLES,
    MEETING_KINDS,
    MEETING_STATUSES,
    OPEN,
    OPINION_EVENTS,
    OPINION_SOURCES,
    OPINION_STATUSES,
    PHASES,
    PLANNED,
    QUOTA_DIMENSIONS,
    QUOTA_RULES,
    RETURN_STEPS,
    REVIEW_VERDICTS,
    ROUND_KINDS,
    ROUTES,
    SATISFACTION,
    SCOPES,
    SELF_NOMINATION,
    STAGE_RECORDS,
    SUBJECTS,
    SUPERVISION_METHODS,
    TOPIC_STATUSES,
    UPHELD,
    VENUE_LEVELS,
    VERDICTS,
    VIEWS,
    label_of,
)
from app.rules.fields import (
    Choice,
    Clock,
    Day,
    Detail,
    Digest,
    IdNumber,
    Instant,
    Int,
    Key,
    Month,
    Names,
    Note,
    Phone,
    Ref,
    Rule,
    Text,
    as_day,
    minutes_of,
    today,
)

NAME, TITLE, SHORT, LONG = 50, 200, 100, 20000  # lengths: a person's name, a title, a short text, prose


@dataclass(frozen=True)
class Order:
    """`later` is on or after `earlier` (both days; a missing or broken one is not compared)."""

    earlier: str
    later: str


Lookup = Callable[[str, str], "dict | None"]


@dataclass(frozen=True)
class Check:
    """A rule that needs more than one field, or another row: `test(row, lookup)` returns the broken
    rule in Chinese (None when it holds). `fields` are those whose change asks it again; the first
    is the one a refusal names."""

    fields: tuple[str, ...]
    test: Callable[[dict, Lookup], str | None]


@dataclass(frozen=True)
class Unique:
    """No two live rows share these values (rows with any of them empty are not compared)."""

    fields: tuple[str, ...]
    what: str  # e.g. "同一村（社区）中的网格名称"


@dataclass
class Table:
    noun: str
    fields: dict[str, Rule]
    title: tuple[str, ...] = ("name",)  # what names a row in a message (first one set)
    order: tuple[Order, ...] = ()
    checks: tuple[Check, ...] = ()
    unique: tuple[Unique, ...] = ()
    append_only: bool = False
    labels: dict[str, str] = field(init=False)

    def __post_init__(self):
        self.labels = {name: rule.label for name, rule in self.fields.items()}


# (A check reads only the parent fields `incoming.LOOKED_UP` keeps of a package's rows: add any new one there.)
def _parent(lookup: Lookup, row: dict, ref: str, table: str) -> dict | None:
    value = row.get(ref)
    return lookup(table, value) if type(value) is str else None


def _not_before_parent(field_name: str, label: str, ref: str, table: str, parent_field: str, what: str) -> Check:
    """The row's day is on or after its parent's (e.g. a supervision after the opinion was received)."""

    def test(row, lookup):
        day, parent = as_day(row.get(field_name)), _parent(lookup, row, ref, table)
        start = as_day(parent.get(parent_field)) if parent else None
        if day and start and day < start:
            return f"“{label}”{row[field_name]} 早于{what}（{parent[parent_field]}）"
        return None

    return Check((field_name, ref), test)


def _meeting_held(ref: str, what: str, when: Callable[[dict], bool] | None = None) -> Check:
    """Records of what happened at a meeting (sign-in, votes, minutes' items, matters heard) only once
    its day has come."""

    def test(row, lookup):
        meeting = _parent(lookup, row, ref, "meetings")
        day = as_day(meeting.get("date")) if meeting else None
        if (when is None or when(row)) and day and day > today():
            return f"会议在 {meeting['date']}，还没有召开，不能登记{what}"
        return None

    return Check((ref, "status") if when else (ref,), test)


# -- places ---------------------------------------------------------------------------------------------
def _worker_named(row, lookup):
    if row.get("worker_phone") and not row.get("worker_name"):
        return "填写了网格员电话，却没有网格员姓名"
    return None


def _opening_agrees(row, lookup):
    """An open venue opened on a day that has come; one still planned or being built opens later
    (its date is the one planned)."""
    status, opened = row.get("build_status"), as_day(row.get("opened_on"))
    if not opened:
        return None
    if not status:
        return f"填写了开放日期 {row['opened_on']}，请同时选择建设状态"
    if status == OPEN and opened > today():
        return f"已建成投用的阵地，开放日期 {row['opened_on']} 不能在今天之后"
    if status in (PLANNED, BUILDING) and opened <= today():
        return (f"建设状态为“{label_of(BUILD_STATUSES, status)}”，开放日期 {row['opened_on']} 应在今天之后"
                "（计划开放日期）；已开放的请把建设状态改为“已建成投用”")
    return None


# -- meetings ---------------------------------------------------------------------------------------
def _held_on_or_after_date(row, lookup):
    day = as_day(row.get("date"))
    if day and day > today():
        if row.get("status") == "held":
            return f"会议日期 {row['date']} 在今天之后，不能标为已召开"
        if row.get("summary") or row.get("decisions"):
            return f"会议日期 {row['date']} 在今天之后，还不能登记会议纪要"
        if row.get("visitors"):
            return f"会议日期 {row['date']} 在今天之后，还不能登记接待人数"
        if any(row.get(key) for key in COUNTS if key != "count_expected"):
            return f"会议日期 {row['date']} 在今天之后，还不能登记出席人数"
    return None


# a meeting's attendance as figures, when it has no sign-in list (m026): field -> its word
COUNTS = {"count_expected": "应到", "count_present": "出席", "count_excused": "请假", "count_absent": "缺席",
          "count_guests": "列席"}


def _counts_within_expected(row, lookup):
    """Those present, excused and absent are among those expected (列席 are not delegates expected)."""
    expected = row.get("count_expected")
    if type(expected) is not int:
        return None
    given = [(COUNTS[k], row[k]) for k in ("count_present", "count_excused", "count_absent") if type(row.get(k)) is int]
    if sum(n for _, n in given) > expected:
        return (f"{'、'.join(f'{word} {n} 人' for word, n in given)}，多于应到的 {expected} 人")
    return None


def _ends_after_start(row, lookup):
    start, end = minutes_of(row.get("start_time")), minutes_of(row.get("end_time"))
    if start is not None and end is not None and end <= start:
        return f"结束时间 {row['end_time']} 应晚于开始时间 {row['start_time']}"
    return None


def _room_of_venue(row, lookup):
    room, venue = _parent(lookup, row, "room_id", "rooms"), _parent(lookup, row, "venue_id", "venues")
    if room and venue and room.get("venue_id") != venue["id"]:
        return "所选会议室不属于所选阵地"
    return None


# -- the opinion chain ----------------------------------------------------------------------------------
# 收集 → 上报 → 交办 → 办结 → 反馈 → 归档 (议题 and 集中议事 live on the topic and its meeting).
OPINION_ORDER = (
    Order("received_on", "reported_on"), Order("received_on", "assigned_on"), Order("reported_on", "assigned_on"),
    Order("assigned_on", "deadline"), Order("assigned_on", "answered_on"), Order("received_on", "answered_on"),
    Order("answered_on", "feedback_delegate_on"), Order("answered_on", "feedback_residents_on"),
    Order("received_on", "feedback_delegate_on"), Order("received_on", "feedback_residents_on"),
    Order("answered_on", "closed_on"), Order("feedback_delegate_on", "closed_on"), Order("received_on", "closed_on"),
)
_PAST_DELIBERATION = ("assigned", "returned", "answered", "fed_back", "closed")


def _assigned_after_deliberation(row, lookup):
    """An opinion deliberated at a meeting is assigned from its minutes: not before that meeting."""
    assigned = as_day(row.get("assigned_on"))
    topic = _parent(lookup, row, "topic_id", "topics")
    if not assigned or row.get("status") not in _PAST_DELIBERATION or not topic or topic.get("status") != "deliberated":
        return None
    meeting = _parent(lookup, topic, "meeting_id", "meetings")
    held = as_day(meeting.get("date")) if meeting else None
    if held and assigned < held:
        return f"交办日期 {row['assigned_on']} 早于集中议事的会议（{meeting['date']}）"
    return None


def _status_fields(row, lookup):
    """Each state of the chain carries the dates that brought it there."""
    status = row.get("status")
    needs = {"assigned": ("assigned_on",), "returned": ("assigned_on",), "answered": ("assigned_on", "answered_on"),
             "fed_back": ("feedback_delegate_on",), "closed": ("feedback_delegate_on", "closed_on")}.get(status, ())
    missing = [name for name in needs if not row.get(name)]
    if missing:
        return f"状态为“{label_of(OPINION_STATUSES, status)}”，却没有{'、'.join(OPINION_LABELS[m] for m in missing)}"
    return None


OPINION_LABELS = {
    "received_on": "收集日期", "reported_on": "上报组长日期", "assigned_on": "交办日期", "deadline": "办理期限",
    "answered_on": "办结日期", "feedback_delegate_on": "反馈代表日期", "feedback_residents_on": "反馈群众日期",
    "closed_on": "归档日期",
}


def _topic_deliberated_after_approval(row, lookup):
    approved = as_day(row.get("approved_on"))
    meeting = _parent(lookup, row, "meeting_id", "meetings")
    held = as_day(meeting.get("date")) if meeting else None
    if row.get("status") == "deliberated" and approved and held and held < approved:
        return f"集中议事的会议（{meeting['date']}）早于工委审核日期 {row['approved_on']}"
    return None


def _merged_after_reported(row, lookup):
    """An opinion is merged into a topic (确定议题) only after it was reported to the group leader."""
    if row.get("kind") != "topic":
        return None
    day, opinion = as_day(row.get("day")), _parent(lookup, row, "opinion_id", "opinions")
    reported = as_day(opinion.get("reported_on")) if opinion else None
    if day and reported and day < reported:
        return f"并入议题的日期 {row['day']} 早于意见的上报组长日期（{opinion['reported_on']}）"
    return None


def _votes_cast(row, lookup):
    counts = [row.get(n) for n in ("votes_for", "votes_against", "votes_abstain")]
    if all(type(n) is int for n in counts) and sum(counts) > 100_000:
        return "票数合计不合理"
    return None


# -- the people of the work (m014c) -------------------------------------------------------------------
def _raised_at_held_meeting(row, lookup):
    """An opinion raised at a meeting: the meeting has been held, and it was received that day or after."""
    meeting = _parent(lookup, row, "raised_meeting_id", "meetings")
    held = as_day(meeting.get("date")) if meeting else None
    received = as_day(row.get("received_on"))
    if held and held > today():
        return f"会议在 {meeting['date']}，还没有召开，不能登记在会上提出的意见建议"
    if held and received and received < held:
        return f"收集日期 {row['received_on']} 早于提出意见的会议（{meeting['date']}）"
    return None


def _discussion_room_of_venue(row, lookup):
    """A group discussion books a room of the venue hosting the meeting."""
    room, meeting = _parent(lookup, row, "room_id", "rooms"), _parent(lookup, row, "meeting_id", "meetings")
    if room and meeting and meeting.get("venue_id") and room.get("venue_id") != meeting["venue_id"]:
        return "分组讨论的会议室不属于会议所在的阵地"
    return None


def _votes_within_members(row, lookup):
    votes, members = row.get("votes"), row.get("members")
    if type(votes) is int and type(members) is int and votes > members:
        return f"得票 {votes} 票多于参加推选的 {members} 人"
    return None


# -- the book ----------------------------------------------------------------------------------------------
TABLES: dict[str, Table] = {
    "terms": Table("届次", {
        "name": Text("届次名称", True, NAME), "start_date": Day("开始日期", future=True),
        "end_date": Day("结束日期", future=True), "notes": Note("备注"), "closed_on": Day("届满日期"),
    }, order=(Order("start_date", "end_date"), Order("start_date", "closed_on")),
        unique=(Unique(("name",), "届次名称"),)),
    "groups": Table("议事小组", {
        "name": Text("小组名称", True, NAME), "focus": Text("工作特色/重点", max=TITLE),
        "sort_order": Int("排序", low=-100_000, high=100_000), "notes": Note("备注"),
    }, unique=(Unique(("name",), "小组名称"),)),
    "communities": Table("村（社区）", {
        "name": Text("名称", True, NAME), "kind": Choice("类型", True, COMMUNITY_KINDS),
        "area": Choice("片区", choices=AREAS), "subdistrict": Text("所属街道", max=NAME),
        "group_id": Ref("所属议事小组", table="groups"), "sort_order": Int("排序", low=-100_000, high=100_000),
        "notes": Note("备注"),
    }, unique=(Unique(("name",), "村（社区）名称"),)),
    "grids": Table("网格", {
        "community_id": Ref("所属村（社区）", True, "communities"), "number": Int("编号", low=0, high=100_000),
        "name": Text("网格名称", True, NAME), "notes": Note("备注"),
        "worker_name": Text("网格员", max=NAME), "worker_phone": Phone("网格员电话"),
    }, checks=(Check(("worker_phone", "worker_name"), _worker_named),),
        unique=(Unique(("community_id", "name"), "同一村（社区）中的网格名称"),)),
    "venues": Table("阵地", {
        "name": Text("阵地名称", True, SHORT), "level": Choice("层级", True, VENUE_LEVELS),
        "address": Text("地址", max=TITLE), "community_id": Ref("所在村（社区）", table="communities"),
        "group_id": Ref("对应议事小组", table="groups"), "facilities": Names("设施配备"),
        "schedule": Text("接待/开放安排", max=TITLE), "notes": Note("备注"),
        "build_status": Choice("建设状态", choices=BUILD_STATUSES), "opened_on": Day("开放日期", future=True),
    }, checks=(Check(("opened_on", "build_status"), _opening_agrees),), unique=(Unique(("name",), "阵地名称"),)),
    "rooms": Table("议事室", {
        "venue_id": Ref("所属阵地", True, "venues"), "name": Text("名称", True, SHORT),
        "sort_order": Int("排序", low=-100_000, high=100_000), "capacity": Int("容纳人数", low=0, high=10_000),
        "notes": Note("备注"),
    }, unique=(Unique(("venue_id", "name"), "同一阵地中的会议室名称"),)),
    "delegates": Table("代表", {
        "name": Text("姓名", True, NAME), "gender": Choice("性别", choices=GENDERS),
        "ethnicity": Text("民族", max=20), "birth_date": Day("出生日期"), "id_number": IdNumber("身份证号"),
        "party": Text("政治面貌", max=NAME), "sector": Text("界别", max=NAME), "workplace": Text("工作单位", max=SHORT),
        "post": Text("职务", max=SHORT), "education": Text("学历", max=NAME), "phone": Phone("联系电话"),
        "community_id": Ref("所在村（社区）", True, "communities"), "group_id": Ref("议事小组", table="groups"),
        "group_role": Choice("小组职务", True, GROUP_ROLES), "term_id": Ref("届次", table="terms"),
        "status": Choice("状态", True, DELEGATE_STATUSES), "certificate_no": Text("聘书编号", max=NAME),
        "notes": Note("备注"),
    }, unique=(Unique(("certificate_no",), "聘书编号"), Unique(("term_id", "id_number"), "同一届次中的身份证号"))),
    "delegate_grids": Table("代表联系的网格", {
        "delegate_id": Ref("代表", True, "delegates"), "grid_id": Ref("网格", True, "grids"),
    }, title=()),
    "departments": Table("部门（单位）", {
        "name": Text("简称", True, NAME), "sort_order": Int("排序", low=-100_000, high=100_000),
        "full_name": Text("全称", max=SHORT), "contact": Text("联系人", max=NAME), "phone": Phone("联系电话"),
    }, unique=(Unique(("name",), "部门简称"),)),
    "workflow_steps": Table("流程模板环节", {
        "kind": Choice("会议类型", True, MEETING_KINDS), "phase": Choice("阶段", True, PHASES),
        "title": Text("环节", True, SHORT), "owner": Text("责任人", max=SHORT),
        "due_offset": Int("距会议日期（天）", True, -366, 366), "sort_order": Int("顺序", low=-100_000, high=100_000),
    }, title=("title",)),
    "meetings": Table("会议", {
        "kind": Choice("会议类型", True, MEETING_KINDS), "title": Text("会议名称", True, TITLE),
        "date": Day("日期", True, future=True), "start_time": Clock("开始时间"), "end_time": Clock("结束时间"),
        "venue_id": Ref("地点（阵地）", table="venues"), "room_id": Ref("会议室", table="rooms"),
        "group_id": Ref("议事小组", table="groups"), "status": Choice("状态", True, MEETING_STATUSES),
        "scope": Choice("参加人员", choices=SCOPES), "agenda": Note("会议议程"), "departments": Names("邀请部门"),
        "visitors": Int("接待群众人数", low=0, high=100_000), "summary": Note("会议概况", max=LONG),
        "decisions": Note("议定事项", max=LONG), "notes": Note("备注"),
        "subject": Choice("议事事项类型", choices=SUBJECTS),
        "count_expected": Int("应到人数", low=0, high=100_000), "count_present": Int("出席人数", low=0, high=100_000),
        "count_excused": Int("请假人数", low=0, high=100_000), "count_absent": Int("缺席人数", low=0, high=100_000),
        "count_guests": Int("列席人数", low=0, high=100_000),
    }, title=("title",), checks=(
        Check(("status", "date", "summary", "decisions", "visitors", "count_present", "count_excused", "count_absent",
               "count_guests"), _held_on_or_after_date),
        Check(("count_present", "count_expected", "count_excused", "count_absent"), _counts_within_expected),
        Check(("end_time", "start_time"), _ends_after_start),
        Check(("room_id", "venue_id"), _room_of_venue),
    )),
    "meeting_steps": Table("会议流程环节", {
        "meeting_id": Ref("会议", True, "meetings"), "phase": Choice("阶段", True, PHASES),
        "title": Text("环节", True, SHORT), "owner": Text("责任人", max=SHORT), "due_date": Day("应完成日期", future=True),
        "sort_order": Int("顺序", low=-100_000, high=100_000), "done_on": Day("完成日期"), "note": Note("说明"),
    }, title=("title",)),
    "attendance": Table("出席记录", {
        "meeting_id": Ref("会议", True, "meetings"), "delegate_id": Ref("代表", table="delegates"),
        "name": Text("姓名", max=NAME), "unit": Text("单位", max=SHORT),
        "status": Choice("出席情况", True, ATTENDANCE_STATUSES), "note": Text("说明", max=TITLE),
    }, checks=(_meeting_held("meeting_id", "出席情况", lambda row: row.get("status") != "excused"),)),
    "action_items": Table("会议交办事项", {
        "meeting_id": Ref("会议", True, "meetings"), "content": Text("事项", True, 2000, multiline=True),
        "unit": Text("责任单位", max=SHORT), "person": Text("责任人", max=NAME), "deadline": Day("完成期限", future=True),
        "sort_order": Int("顺序", low=-100_000, high=100_000), "status": Choice("状态", True, ACTION_STATUSES),
        "done_on": Day("完成日期"),
    }, title=("content",), checks=(
        _meeting_held("meeting_id", "会议纪要的落实事项"),
        _not_before_parent("done_on", "完成日期", "meeting_id", "meetings", "date", "会议日期"),
        _not_before_parent("deadline", "完成期限", "meeting_id", "meetings", "date", "会议日期"),
    )),
    "votes": Table("表决结果", {
        "meeting_id": Ref("会议", True, "meetings"), "item": Text("项目", True, TITLE),
        "votes_for": Int("赞成票", True, 0, 100_000), "votes_against": Int("反对票", True, 0, 100_000),
        "votes_abstain": Int("弃权票", True, 0, 100_000), "sort_order": Int("顺序", low=-100_000, high=100_000),
    }, title=("item",), checks=(_meeting_held("meeting_id", "表决结果"),
                                Check(("votes_for", "votes_against", "votes_abstain"), _votes_cast))),
    "materials": Table("会议材料", {
        "meeting_id": Ref("会议", True, "meetings"), "title": Text("标题", True, TITLE),
        "file_name": Text("文件名", True, 255), "sha256": Digest("校验值", True), "size": Int("大小", low=0),
        "taken_on": Day("拍摄日期"),
    }, title=("title",)),
    "reception_duties": Table("接待日安排", {
        "venue_id": Ref("议事堂", True, "venues"), "month": Month("月份", True),
        "delegate_id": Ref("值班代表", True, "delegates"),
    }, title=("month",), unique=(Unique(("venue_id", "month", "delegate_id"), "同一议事堂同一月份的值班代表"),)),
    "reception_matters": Table("接待事项", {
        "meeting_id": Ref("接待日", True, "meetings"), "content": Text("事项", True, 2000, multiline=True),
        "resident": Text("反映人", max=SHORT), "sort_order": Int("顺序", low=-100_000, high=100_000),
        "closed_on": Day("处理日期"), "closed_reason": Text("处理情况", max=TITLE),
        "subject": Choice("事项类型", choices=SUBJECTS),
    }, title=("content",), checks=(
        _meeting_held("meeting_id", "接待事项"),
        _not_before_parent("closed_on", "处理日期", "meeting_id", "meetings", "date", "接待日"),
    )),
    "holiday_days": Table("节假日安排", {
        "day": Day("日期", True, future=True), "kind": Choice("类型", True, HOLIDAY_KINDS), "note": Text("说明", max=TITLE),
    }, title=("day",)),
    "topics": Table("议题", {
        "group_id": Ref("议事小组", table="groups"), "lead_delegate_id": Ref("牵头代表", table="delegates"),
        "title": Text("议题", True, TITLE), "summary": Note("情况说明"), "urgency": Int("紧迫性", low=1, high=5),
        "feasibility": Int("可行性", low=1, high=5), "status": Choice("状态", True, TOPIC_STATUSES),
        "approved_on": Day("审核日期"), "approved_by": Text("审核人", max=SHORT), "approval_note": Text("审核说明", max=2000),
        "meeting_id": Ref("议事活动", table="meetings"), "action_item_id": Ref("对应的落实事项", table="action_items"),
        "formed_on": Day("确定议题日期"),
    }, title=("title",), order=(Order("formed_on", "approved_on"),),
        checks=(Check(("meeting_id", "approved_on", "status"), _topic_deliberated_after_approval),)),
    "opinions": Table("意见建议", {
        "serial": Text("编号", max=40), "source": Choice("来源", True, OPINION_SOURCES),
        "delegate_id": Ref("收集代表", table="delegates"), "grid_id": Ref("所在网格", table="grids"),
        "community_id": Ref("所在村（社区）", table="communities"), "group_id": Ref("议事小组", table="groups"),
        "received_on": Day("收集日期", True), "residents": Int("涉及群众（人）", low=0, high=1_000_000),
        "contact": Text("群众联系方式", max=SHORT), "title": Text("事项", True, TITLE), "content": Note("具体内容"),
        "origin_table": Choice("来自", choices=(("reception_matters", "接待事项"), ("action_items", "会议交办事项"))),
        "origin_id": Ref("来自的记录"), "status": Choice("状态", True, OPINION_STATUSES),
        "topic_id": Ref("议题", table="topics"), "urgency": Int("紧迫性", low=1, high=5),
        "feasibility": Int("可行性", low=1, high=5), "decline_reason": Text("不予采纳理由", max=2000, multiline=True),
        "category": Choice("事项类别", choices=CATEGORIES), "lead_unit": Text("主办单位", max=SHORT),
        "co_units": Names("协办单位"), "assigned_on": Day("交办日期"), "working_days": Int("办理期限（工作日）", low=1, high=366),
        "deadline": Day("办理期限", future=True), "key_supervision": Choice("重点督办", choices=FLAGS),
        "result": Note("办理结果"), "answered_on": Day("办结日期"), "feedback_delegate_on": Day("反馈代表日期"),
        "feedback_residents_on": Day("反馈群众日期"), "feedback_method": Choice("反馈方式", choices=FEEDBACK_METHODS),
        "satisfaction": Choice("满意度", choices=SATISFACTION), "closed_on": Day("归档日期"),
        "feedback_serial": Text("回执编号", max=40), "visit_id": Ref("网格走访", table="grid_visits"),
        "reported_on": Day("上报组长日期"), "reported_to": Ref("上报给", table="delegates"),
        "raised_meeting_id": Ref("提出的会议", table="meetings"),
    }, title=("title", "serial"), order=OPINION_ORDER, checks=(
        Check(("assigned_on", "topic_id", "status"), _assigned_after_deliberation),
        Check(("status",), _status_fields),
        Check(("raised_meeting_id", "received_on"), _raised_at_held_meeting),
    )),
    "supervisions": Table("督办记录", {
        "opinion_id": Ref("意见建议", True, "opinions"), "day": Day("督办日期", True),
        "method": Choice("督办方式", True, SUPERVISION_METHODS), "content": Note("督办情况", 5000, True),
        "progress": Text("办理进展", max=TITLE), "actor": Text("督办人", max=NAME),
    }, title=("day",), append_only=True,
        checks=(_not_before_parent("day", "督办日期", "opinion_id", "opinions", "received_on", "意见的收集日期"),)),
    "opinion_events": Table("意见办理记录", {
        "opinion_id": Ref("意见建议", True, "opinions"), "day": Day("日期", True),
        "kind": Choice("环节", True, OPINION_EVENTS), "detail": Detail("详情"), "actor": Text("经办人", max=NAME),
    }, title=("day",), append_only=True,
        checks=(_not_before_parent("day", "日期", "opinion_id", "opinions", "received_on", "意见的收集日期"),
                Check(("day", "kind", "opinion_id"), _merged_after_reported))),
    "opinion_files": Table("意见附件", {
        "opinion_id": Ref("意见建议", True, "opinions"), "title": Text("标题", True, TITLE),
        "file_name": Text("文件名", True, 255), "sha256": Digest("校验值", True), "size": Int("大小", low=0),
    }, title=("title",)),
    "delegate_events": Table("代表履职变动", {
        "delegate_id": Ref("代表", True, "delegates"), "day": Day("日期", True),
        "kind": Choice("变动", True, DELEGATE_EVENT_KINDS), "detail": Detail("详情"), "actor": Text("经办人", max=NAME),
    }, title=("day",), append_only=True),
    "nomination_rounds": Table("推选批次", {
        "term_id": Ref("届次", True, "terms"), "name": Text("批次名称", True, SHORT),
        "kind": Choice("类型", True, ROUND_KINDS), "opened_on": Day("下达日期", True),
        "seats": Int("代表名额（人）", True, 1, 10_000), "min_age": Int("最低年龄（周岁）", True, 16, 100),
        "min_years": Int("居住或工作年限（年）", True, 0, 50), "review_units": Names("联审部门"),
        "reason": Note("补选原因"), "notice_start": Day("公示开始日期", future=True),
        "notice_end": Day("公示结束日期", future=True), "notice_place": Text("公示地点", max=TITLE),
        "notice_closed_on": Day("公示期满日期"), "confirmed_on": Day("党工委确认日期"), "confirm_doc": Text("确认文号", max=NAME),
        "certified_on": Day("发证日期"), "filed_on": Day("备案日期"), "filing_doc": Text("备案报告文号", max=NAME),
        "notes": Note("备注"), "self_nomination": Choice("是否开放本人自荐", True, SELF_NOMINATION),
        "conditions_by": Text("推选条件制定机关", max=SHORT), "conditions_doc": Text("推选条件文号", max=NAME),
    }, order=(Order("opened_on", "notice_start"), Order("notice_start", "notice_end"),
              Order("notice_end", "notice_closed_on"), Order("notice_closed_on", "confirmed_on"),
              Order("opened_on", "confirmed_on"), Order("confirmed_on", "certified_on"),
              Order("certified_on", "filed_on"))),
    "quotas": Table("名额分配", {
        "round_id": Ref("推选批次", True, "nomination_rounds"), "dimension": Choice("维度", True, QUOTA_DIMENSIONS),
        "key": Key("对象", True), "rule": Choice("规则", True, QUOTA_RULES), "seats": Int("名额", True, 0, 10_000),
        "sort_order": Int("顺序", low=-100_000, high=100_000), "notes": Note("备注"),
    }, title=("key",)),
    "candidates": Table("人选", {
        "round_id": Ref("推选批次", True, "nomination_rounds"), "name": Text("姓名", True, NAME),
        "gender": Choice("性别", choices=GENDERS), "ethnicity": Text("民族", max=20), "birth_date": Day("出生日期"),
        "id_number": IdNumber("身份证号"), "citizenship": Text("国籍", max=20), "party": Text("政治面貌", max=NAME),
        "sector": Text("界别", max=NAME), "education": Text("学历", max=NAME), "workplace": Text("工作单位", max=SHORT),
        "post": Text("职务", max=SHORT), "phone": Phone("联系电话"),
        "community_id": Ref("推荐村（社区）", True, "communities"), "resident_since": Day("居住或工作起始日期"),
        "route": Choice("推荐方式", True, ROUTES), "recommender": Text("推荐组织", max=SHORT),
        "recommenders": Names("联名推荐人", item_max=NAME), "stage": Choice("环节", True, CANDIDATE_STAGES),
        "status": Choice("状态", True, CANDIDATE_STATUSES), "fail_stage": Choice("未通过环节", choices=CANDIDATE_STAGES),
        "fail_reason": Text("未通过原因", max=2000, multiline=True), "on_notice": Choice("列入公示", True, FLAGS),
        "delegate_id": Ref("代表", table="delegates"), "certificate_no": Text("聘书编号", max=NAME), "notes": Note("备注"),
    }, order=(Order("birth_date", "resident_since"),)),
    "joint_reviews": Table("联审意见", {
        "candidate_id": Ref("人选", True, "candidates"), "unit": Text("联审部门", True, SHORT),
        "verdict": Choice("意见", True, REVIEW_VERDICTS), "note": Text("说明", max=2000, multiline=True),
        "day": Day("日期", True),
    }, title=("unit",)),
    "objections": Table("公示异议", {
        "candidate_id": Ref("人选", True, "candidates"), "received_on": Day("收到日期", True),
        "source": Text("反映人 / 方式", max=SHORT), "content": Note("异议内容", 5000, True), "handling": Note("核查处理情况"),
        "resolved_on": Day("处理日期"), "upheld": Choice("核查结论", choices=UPHELD),
    }, title=("received_on",), order=(Order("received_on", "resolved_on"),)),
    "candidate_stages": Table("推选环节记录", {
        "candidate_id": Ref("人选", True, "candidates"), "stage": Choice("环节", True, STAGE_RECORDS),
        "day": Day("日期", True), "actor": Text("表决 / 审查机构", max=SHORT), "verdict": Choice("结果", True, VERDICTS),
        "reason": Text("说明", max=2000, multiline=True), "detail": Detail("详情"), "recorded_by": Text("记录人", max=NAME),
    }, title=("stage",), append_only=True),
    "conflicts": Table("冲突记录", {
        "at": Instant("发现时间", True), "package_id": Key("交换包"), "kind": Choice("类型", True, CONFLICT_KINDS),
        "tbl": Choice("数据表", True),  # its choices, every table of the book, are filled in below
        "row_id": Ref("记录", True), "field": Text("字段", True, 64), "kept_value": Text("保留的值", max=1 << 20, multiline=True),
        "lost_value": Text("被替换的值", max=1 << 20, multiline=True), "kept_stamp": Text("保留值的时钟", max=200),
        "lost_stamp": Text("被替换值的时钟", max=200), "lost_site": Text("来自", max=SHORT),
        "resolved_at": Instant("处理时间"), "resolution": Text("处理结果", max=1 << 20, multiline=True),
    }, title=("field",)),
    "issued_docs": Table("文书成文日期和字号", {
        "kind": Key("文书种类", True), "record_id": Key("记录", True), "dated_on": Day("成文日期", future=True),
        "doc_number": Text("发文字号", max=NAME),
    }, title=("doc_number", "kind"), unique=(Unique(("kind", "record_id"), "同一文书的成文日期和字号"),)),
    "grid_visits": Table("网格走访记录", {
        "delegate_id": Ref("走访代表", True, "delegates"), "grid_id": Ref("走访网格", True, "grids"),
        "day": Day("走访日期", True), "residents_met": Int("接触群众（人）", low=0, high=100_000),
        "matters": Note("听取的意见和问题"), "notes": Note("备注"),
    }, title=("day",)),
    "consultations": Table("小组代表意见", {
        "topic_id": Ref("议题", True, "topics"), "delegate_id": Ref("代表", True, "delegates"),
        "view": Choice("意见", True, VIEWS), "comment": Text("补充意见", max=2000, multiline=True),
        "day": Day("日期", True),
    }, title=("view",), unique=(Unique(("topic_id", "delegate_id"), "同一议题中同一代表的意见"),),
        checks=(_not_before_parent("day", "征求意见日期", "topic_id", "topics", "formed_on", "确定议题日期"),)),
    "plans": Table("议事方案", {
        "topic_id": Ref("议题", True, "topics"), "title": Text("方案名称", True, TITLE), "purpose": Note("议事目的"),
        "participants": Note("参加人员"), "planned_on": Day("计划日期", future=True),
        "planned_time": Text("时间", max=40), "place": Text("地点", max=TITLE), "steps": Note("议事步骤"),
        "departments": Names("邀请部门"), "meeting_id": Ref("实施的议事活动", table="meetings"),
        "drafted_on": Day("拟定日期", True),
    }, title=("title",)),
    "action_progress": Table("落实事项进展", {
        "action_item_id": Ref("落实事项", True, "action_items"), "day": Day("日期", True),
        "note": Text("进展情况", max=5000, multiline=True), "status": Choice("状态", choices=ACTION_PROGRESS_STATUSES),
        "actor": Text("经办人", max=NAME),
    }, title=("day",), append_only=True),
    "institutions": Table("制度建设", {
        "kind": Choice("类别", True, INSTITUTION_KINDS), "title": Text("名称", True, TITLE),
        "doc_number": Text("文号", max=NAME), "day": Day("日期", True), "status": Choice("状态", choices=INSTITUTION_STATUSES),
        "content": Note("主要内容"), "file_name": Text("文件名", max=255), "sha256": Digest("校验值"),
        "size": Int("大小", low=0), "sort_order": Int("顺序", low=-100_000, high=100_000),
    }, title=("title",)),
    "leading_members": Table("领导小组成员", {
        "institution_id": Ref("领导小组", True, "institutions"), "name": Text("姓名", True, NAME),
        "role": Choice("职务", True, LEADING_ROLES), "post": Text("单位职务", max=SHORT),
        "sort_order": Int("顺序", low=-100_000, high=100_000),
    }),
    "round_returns": Table("推选名单反馈和上报", {
        "round_id": Ref("推选批次", True, "nomination_rounds"), "community_id": Ref("村（社区）", True, "communities"),
        "step": Choice("环节", True, RETURN_STEPS), "day": Day("日期", True), "note": Text("说明", max=TITLE),
    }, title=("day",)),
    "summary_texts": Table("年度工作总结", {
        "year": Int("年度", True, 2000, 2100), "key": Text("部分", True, 40), "text": Note("内容", max=LONG),
    }, title=("key",), unique=(Unique(("year", "key"), "同一年度同一部分的总结"),)),
    "delegate_reviews": Table("代表年度评议", {
        "delegate_id": Ref("代表", True, "delegates"), "year": Int("年度", True, 2000, 2100),
        "grade": Choice("评议等次", True, GRADES), "remarks": Note("评议意见", 2000),
    }, title=("year",), unique=(Unique(("delegate_id", "year"), "同一代表同一年度的评议"),)),
    "supervision_delegates": Table("参与督办的代表", {
        "supervision_id": Ref("督办记录", True, "supervisions"), "delegate_id": Ref("参与督办的代表", True, "delegates"),
    }, title=(), append_only=True, unique=(Unique(("supervision_id", "delegate_id"), "同一督办记录中的代表"),)),
    "meeting_discussions": Table("分组讨论", {
        "meeting_id": Ref("会议", True, "meetings"), "group_id": Ref("讨论组", True, "groups"),
        "room_id": Ref("会议室", table="rooms"), "start_time": Clock("开始时间"), "end_time": Clock("结束时间"),
        "convener_id": Ref("召集人", table="delegates"), "points": Note("讨论要点", max=LONG),
        "sort_order": Int("顺序", low=-100_000, high=100_000),
    }, title=(), checks=(
        Check(("end_time", "start_time"), _ends_after_start),
        Check(("room_id", "meeting_id"), _discussion_room_of_venue),
        _meeting_held("meeting_id", "分组讨论的要点", lambda row: bool(row.get("points"))),
    ), unique=(Unique(("meeting_id", "group_id"), "同一会议中的讨论组"),)),
    "field_surveys": Table("实地走访调研", {
        "topic_id": Ref("议题", True, "topics"), "day": Day("调研日期", True), "place": Text("调研地点", True, TITLE),
        "units": Names("参加单位"), "findings": Note("调研发现", max=LONG),
    }, title=("place",)),
    "survey_delegates": Table("参加调研的代表", {
        "survey_id": Ref("实地走访调研", True, "field_surveys"), "delegate_id": Ref("参加调研的代表", True, "delegates"),
    }, title=(), unique=(Unique(("survey_id", "delegate_id"), "同一次调研中的代表"),)),
    "survey_photos": Table("调研照片", {
        "survey_id": Ref("实地走访调研", True, "field_surveys"), "title": Text("标题", True, TITLE),
        "file_name": Text("文件名", True, 255), "sha256": Digest("校验值", True), "size": Int("大小", low=0),
    }, title=("title",)),
    "group_elections": Table("小组推选", {
        "group_id": Ref("议事小组", True, "groups"), "day": Day("推选日期", True),
        "role": Choice("推选职务", True, ELECTION_ROLES), "delegate_id": Ref("候选代表", True, "delegates"),
        "members": Int("参加推选（人）", True, 1, 10_000), "votes": Int("得票", True, 0, 10_000),
        "result": Choice("结果", True, ELECTION_RESULTS), "notes": Note("备注", 2000),
    }, title=("day",), checks=(Check(("votes", "members"), _votes_within_members),)),
}

TABLES["conflicts"].fields["tbl"] = Choice("数据表", True, tuple((name, t.noun) for name, t in TABLES.items()))
