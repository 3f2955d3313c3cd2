"""Clocks on every step of the opinion chain (件件有回音).

Each step an opinion waits at has a limit in working days, counted from the day the step before
it was done: 收集 → 上报组长 → 确定议题 → 工委审核, 集中议事 → 交办, 交办 → 办结 (the deadline in
force, extensions counted), 办结 → 反馈代表, 不满意 → 重办. The limits are office settings (设置);
the field report names none of them ("在规定时限反馈"), so the defaults are this program's, in
working days (app/common/workcalendar.py): a step due on a day is on time that day.

A step is late when it was done after its due day, or is still open after it. The same rules
answer the ledger's flag (the current step), the opinion window (every step so far), the 概览
and reminders (the steps late today) and the year's statistics (the steps that were late).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.common.errors import ValidationError
from app.rules import as_day


@dataclass(frozen=True)
class Clock:
    key: str
    label: str  # the step to be done (上报组长)
    setting: str  # the 设置 key of its limit ("" for the deadline of 交办, set per item)
    default: int
    late_text: str  # how the summary names it, with {days}


CLOCKS = (
    Clock("report", "上报组长", "report_working_days", 5, "收集后未在{days}个工作日内上报组长"),
    Clock("topic", "确定议题", "topic_working_days", 10, "上报组长后未在{days}个工作日内确定议题或作出不予采纳决定"),
    Clock("approval", "工委审核", "approval_working_days", 5, "列入议题后未在{days}个工作日内经工委审核"),
    Clock("assign", "交办", "assign_working_days", 5, "集中议事后未在{days}个工作日内交办"),
    Clock("answer", "办结", "", 0, "未在办理期限内办结"),
    Clock("feedback", "反馈代表", "feedback_working_days", 5, "办结或决定不予采纳后未在{days}个工作日内反馈代表"),
    Clock("reopen", "重办", "reopen_working_days", 5, "群众不满意后未在{days}个工作日内重办"),
)
BY_KEY = {c.key: c for c in CLOCKS}
# The flag a late step shows in the ledger; 办结 keeps the ledger's old word.
LATE_FLAGS = {"report": "上报逾期", "topic": "议题逾期", "approval": "审核逾期", "assign": "交办逾期",
              "answer": "已逾期", "feedback": "反馈逾期", "reopen": "重办逾期"}
MAX_DAYS = 60
# What history() reads of an opinion.
CLOCK_COLUMNS = ", ".join(f"o.{c}" for c in ("id", "status", "received_on", "reported_on", "topic_id", "assigned_on",
                                            "deadline", "answered_on", "decline_reason", "feedback_delegate_on",
                                            "satisfaction"))
# The limits 设置 offers (the deadline of 交办 is chosen per item).
LIMIT_SETTINGS = tuple(c.setting for c in CLOCKS if c.setting)


def check_limit(key: str, text: str) -> None:
    """A limit is a whole number of working days, 1 to 60; anything else is refused by name."""
    clock = next(c for c in CLOCKS if c.setting == key)
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise ValidationError(f"“{clock.label}”时限应为 1—{MAX_DAYS} 个工作日的整数，“{text}”不行", field=key)


def limits(store) -> dict[str, int]:
    """The office's limit of each clocked step (设置, else the default)."""
    found = {}
    for clock in CLOCKS:
        if not clock.setting:
            continue
        text = store.settings.get(clock.setting)
        found[clock.key] = int(text) if text.isdigit() and 1 <= int(text) <= MAX_DAYS else clock.default
    return found


def cutoff(calendar, days: int, today: date) -> str:
    """The latest start day whose step, `days` working days long, is late on `today`."""
    day = today - timedelta(days=1)
    while calendar.add_working_days(day, days) >= today:
        day -= timedelta(days=1)
    return day.isoformat()


# The SQL of each clocked step an opinion may wait at now: (condition, start day) over `opinions o`.
_EVENT_DAY = ("(SELECT max(e.day) FROM opinion_events e WHERE e.opinion_id = o.id AND e.deleted = 0"
              " AND e.kind = '{kind}')")
WAITING_SQL = {
    "report": ("o.status = 'collected' AND o.reported_on IS NULL", "o.received_on"),
    "topic": ("o.status = 'collected' AND o.reported_on IS NOT NULL", "o.reported_on"),
    "approval": ("o.status = 'topic' AND EXISTS (SELECT 1 FROM topics t WHERE t.id = o.topic_id"
                 " AND t.status = 'proposed')", _EVENT_DAY.format(kind="topic")),
    "assign": ("o.status = 'deliberated'", _EVENT_DAY.format(kind="deliberate")),
    # 件件有回音: a 不予采纳 decision is fed back within the same limit as a result
    "feedback": ("o.status IN ('answered', 'declined')",
                 f"CASE WHEN o.status = 'answered' THEN o.answered_on ELSE {_EVENT_DAY.format(kind='decline')} END"),
    "reopen": ("o.status = 'fed_back' AND o.satisfaction = '不满意'", "o.feedback_delegate_on"),
}


def late_clause(store, calendar, today: date, steps: Iterable[str] | None = None) -> tuple[str, list]:
    """SQL (over `opinions o`) of the opinions whose current step is late on `today`."""
    days = limits(store)
    parts, params = [], []
    for key in steps or BY_KEY:
        if key == "answer":
            parts.append("(o.status IN ('assigned', 'returned') AND o.deadline < ?)")
            params.append(today.isoformat())
            continue
        condition, start = WAITING_SQL[key]
        parts.append(f"({condition} AND {start} <= ?)")
        params.append(cutoff(calendar, days[key], today))
    return "(" + " OR ".join(parts) + ")", params


def waiting(store, row: dict) -> tuple[str, str | None] | None:
    """(step, start day) of the clocked step the opinion waits at now; None when it waits at none
    (an approved topic waits for the group's activity, a closed item for nothing)."""
    status = row["status"]
    if status == "collected":
        return ("topic", row.get("reported_on")) if row.get("reported_on") else ("report", row.get("received_on"))
    if status == "topic":
        if store.scalar("SELECT status FROM topics WHERE id = ?", [row.get("topic_id")]) != "proposed":
            return None
        return "approval", _event_day(store, row["id"], "topic")
    if status == "deliberated":
        return "assign", _event_day(store, row["id"], "deliberate")
    if status in ("assigned", "returned"):
        return "answer", None
    if status == "answered":
        return "feedback", row.get("answered_on")
    if status == "declined":
        return "feedback", _event_day(store, row["id"], "decline")
    if status == "fed_back" and row.get("satisfaction") == "不满意":
        return "reopen", row.get("feedback_delegate_on")
    return None


def _event_day(store, opinion_id: str, kind: str) -> str | None:
    return store.scalar("SELECT max(day) FROM opinion_events WHERE opinion_id = ? AND deleted = 0 AND kind = ?",
                        [opinion_id, kind])


def due_of(calendar, days: int, start: str | None) -> str | None:
    day = as_day(start)
    return calendar.add_working_days(day, days).isoformat() if day else None


def current(store, calendar, row: dict, today: date, days: dict[str, int] | None = None) -> dict:
    """The clock of the step the opinion waits at: {"clock", "clock_label", "step_due", "step_late"}."""
    found = waiting(store, row)
    out = {"clock": None, "clock_label": "", "step_due": None, "step_late": False}
    if not found:
        return out
    key, start = found
    if key == "answer":
        due = row["deadline"] if as_day(row.get("deadline")) else None
    else:
        due = due_of(calendar, (days or limits(store))[key], start)
    out.update(clock=key, clock_label=BY_KEY[key].label, step_due=due,
               step_late=bool(due and due < today.isoformat()))
    return out


def on_time(row: dict) -> bool | None:
    """办结 on or before the deadline in force (an extension moves it; 重办 sets a new one); None
    while the item is not answered (or was declined)."""
    answered, deadline = as_day(row.get("answered_on")), as_day(row.get("deadline"))
    if row.get("decline_reason") or not answered or not deadline:
        return None
    return answered <= deadline


def counter(calendar) -> Callable[[int, str | None], str | None]:
    """due_of with memory: a year's opinions share a few hundred start days."""
    known: dict[tuple[int, str | None], str | None] = {}

    def due(days: int, start: str | None) -> str | None:
        if (days, start) not in known:
            known[(days, start)] = due_of(calendar, days, start)
        return known[(days, start)]
    return due


def history(calendar, days: dict[str, int], row: dict, events: list[dict], approved_on: str | None,
            today: date, due_fn: Callable[[int, str | None], str | None] | None = None) -> list[dict]:
    """Every clocked step the opinion has met, in order: {"key", "label", "start", "due", "done",
    "late"}; an open step has no "done" and is late once today is past its due day."""
    iso = today.isoformat()
    steps: list[dict] = []
    count_due = due_fn or counter(calendar)

    def add(key: str, start: str | None, done: str | None, due: str | None = None) -> None:
        if not start and key != "answer":
            return
        due = due or count_due(days[key], start)
        if not due:
            return
        late = (done > due) if done else due < iso
        steps.append({"key": key, "label": BY_KEY[key].label, "start": start, "due": due, "done": done, "late": late})

    def first(kinds: tuple[str, ...], after: str | None) -> str | None:
        return next((e["day"] for e in events if e["kind"] in kinds and (after is None or e["day"] >= after)), None)

    status = row["status"]
    reported = row.get("reported_on")
    if reported or status == "collected":
        add("report", row.get("received_on"), reported)
    if reported:
        done = first(("topic", "decline"), reported)
        if done or status == "collected":
            add("topic", reported, done)
    topic_day = next((e["day"] for e in reversed(events) if e["kind"] == "topic"), None)
    if topic_day and row.get("topic_id"):
        done = max(approved_on, topic_day) if approved_on else None
        if done or status == "topic":
            add("approval", topic_day, done)
    deliberated = next((e["day"] for e in reversed(events) if e["kind"] == "deliberate"), None)
    if deliberated:
        done = first(("assign",), deliberated)
        if done or status == "deliberated":
            add("assign", deliberated, done)
    if as_day(row.get("deadline")) and (row.get("answered_on") or status in ("assigned", "returned")):
        add("answer", row.get("assigned_on"), row.get("answered_on"), due=row["deadline"])
    if row.get("answered_on") and not row.get("decline_reason"):
        add("feedback", row["answered_on"], row.get("feedback_delegate_on"))
    elif row.get("decline_reason"):
        declined = next((e["day"] for e in reversed(events) if e["kind"] == "decline"), None)
        add("feedback", declined, row.get("feedback_delegate_on"))
    # every 不满意 feedback opens a 重办 clock, closed by the next 重办 or feedback
    for index, event in enumerate(events):
        if event["kind"] == "feedback" and event.get("satisfaction") == "不满意":
            done = next((e["day"] for e in events[index + 1:] if e["kind"] in ("reopen", "feedback")), None)
            if done or (status == "fed_back" and row.get("satisfaction") == "不满意"):
                add("reopen", event["day"], done)
    return steps


def _events(store, opinion_ids: list[str]) -> dict[str, list[dict]]:
    import json

    found: dict[str, list[dict]] = {}
    for chunk in range(0, len(opinion_ids), 500):
        ids = opinion_ids[chunk:chunk + 500]
        for e in store.rows(
                f"SELECT opinion_id, day, kind, detail FROM opinion_events WHERE deleted = 0 AND kind IN"
                f" ('topic', 'decline', 'deliberate', 'assign', 'feedback', 'reopen')"
                f" AND opinion_id IN ({','.join('?' * len(ids))}) ORDER BY day, rowid", ids):
            if e["kind"] == "feedback":
                try:
                    e["satisfaction"] = json.loads(e["detail"] or "{}").get("satisfaction")
                except (ValueError, AttributeError):
                    e["satisfaction"] = None
            found.setdefault(e["opinion_id"], []).append(e)
    return found


def histories(store, calendar, rows: list[dict], today: date) -> dict[str, list[dict]]:
    """history() of many opinions, their events and topics read in a few queries."""
    days = limits(store)
    events = _events(store, [r["id"] for r in rows])
    topic_ids = sorted({r["topic_id"] for r in rows if r.get("topic_id")})
    approved = {}
    for chunk in range(0, len(topic_ids), 500):
        ids = topic_ids[chunk:chunk + 500]
        approved.update({t["id"]: t["approved_on"] for t in store.rows(
            f"SELECT id, approved_on FROM topics WHERE status != 'proposed' AND id IN ({','.join('?' * len(ids))})",
            ids)})
    due = counter(calendar)
    return {r["id"]: history(calendar, days, r, events.get(r["id"], []), approved.get(r.get("topic_id")), today, due)
            for r in rows}


def late_rows(store, calendar, rows: list[dict], today: date) -> dict[str, list[dict]]:
    """Which of these opinions were (or are) late at each clocked step, in the rows' order."""
    found: dict[str, list[dict]] = {c.key: [] for c in CLOCKS}
    steps_of = histories(store, calendar, rows, today)
    for row in rows:
        for key in dict.fromkeys(s["key"] for s in steps_of[row["id"]] if s["late"]):
            found[key].append(row)
    return found


def late_counts(store, calendar, rows: list[dict], today: date) -> dict[str, int]:
    """How many of these opinions were (or are) late at each clocked step."""
    return {key: len(late) for key, late in late_rows(store, calendar, rows, today).items()}
