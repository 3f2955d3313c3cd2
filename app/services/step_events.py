"""Flowchart steps that close themselves: a step stands for an event the store records (the topic
reviewed, the notice issued, the meeting held, the minutes saved...), and once that event is
recorded the step counts as done, so the clerk never records the same work twice.

The link from a step to its event is read from the step's title (templates are editable: a step
renamed 「报工委审核」 still means a review), first rule that matches wins; a step of the 会中 phase
that names no other event stands for the meeting itself. A step whose event is not recorded, or
that stands for no event, is ticked by hand as before; a hand tick always wins. A 实地走访调研 step is
closed by a survey recorded for a topic the meeting deliberates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.rules.fields import as_day

# (event, what the flowchart says closed it, title keywords), in the order they are tried.
EVENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("minutes", "已保存会议纪要", ("纪要",)),
    ("topic_reviewed", "议题已审核", ("审核",)),
    ("topic_chosen", "已确定议题", ("议题",)),
    ("notice", "已发出会议通知", ("通知", "公告")),
    ("actions_done", "落实事项均已完成", ("督促落实",)),
    ("surveyed", "已登记实地走访调研", ("调研",)),
)
HELD = ("held", "会议已召开")  # its status says so, or someone signed in
EVENT_LABELS = {key: label for key, label, _ in EVENTS} | {HELD[0]: HELD[1]}
# What closes a step, as the template list says it.
CLOSED_WHEN = {"minutes": "保存会议纪要时", "topic_reviewed": "议题经工委审核同意时",
               "topic_chosen": "议事方案关联本次活动时", "notice": "会议通知发出时",
               "actions_done": "落实事项全部完成时", "held": "会议召开或有人签到时",
               "surveyed": "议题登记实地走访调研时"}


def closed_when(step: dict) -> str:
    """How a (template) step gets done: by which record, or by the clerk's tick."""
    event = event_of(step)
    return f"自动：{CLOSED_WHEN[event]}" if event else "手动登记"


def event_of(step: dict) -> str | None:
    """The event a step stands for, or None (then only a hand tick closes it)."""
    title = step.get("title") or ""
    for key, _, words in EVENTS:
        if any(word in title for word in words):
            return key
    return HELD[0] if step.get("phase") == "in" else None


def _day_of_ms(wall_ms) -> str | None:
    try:
        return datetime.fromtimestamp(wall_ms / 1000).date().isoformat() if wall_ms else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None  # a clock written around the program: the meeting's own date serves


def _later(*days) -> str | None:
    known = [d for d in days if d]
    return max(known) if known else None


def _marks(store, sql: str, ids: list[str]) -> list[dict]:
    out: list[dict] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out += store.rows(sql.replace("{ids}", ",".join("?" * len(chunk))), chunk)
    return out


def event_days(store, meeting_ids: Iterable[str], wanted: set[str] | None = None) -> dict[str, dict[str, str]]:
    """{meeting id: {event: the day it was recorded}} for the events recorded for these meetings."""
    ids = sorted(set(meeting_ids))
    wanted = wanted if wanted is not None else set(EVENT_LABELS)
    out: dict[str, dict[str, str]] = {m: {} for m in ids}
    if not ids:
        return out
    if "held" in wanted:
        for r in _marks(store, """SELECT m.id, m.date FROM meetings m WHERE m.id IN ({ids}) AND m.deleted = 0
                AND m.status != 'cancelled' AND (m.status = 'held' OR EXISTS (SELECT 1 FROM attendance a
                WHERE a.meeting_id = m.id AND a.deleted = 0 AND a.status = 'present'))""", ids):
            out[r["id"]]["held"] = r["date"]
    if "minutes" in wanted:
        for r in _marks(store, """SELECT m.id, m.date, (SELECT max(k.wall_ms) FROM clocks k WHERE k.tbl = 'meetings'
                AND k.row_id = m.id AND k.field IN ('summary', 'decisions')) AS wall_ms FROM meetings m
                WHERE m.id IN ({ids}) AND (trim(coalesce(m.summary, '')) != ''
                                           OR trim(coalesce(m.decisions, '')) != '')""", ids):
            # the day the minutes were written down, never before the meeting they record
            out[r["id"]]["minutes"] = _later(r["date"], _day_of_ms(r["wall_ms"])) or r["date"]
    if "notice" in wanted:
        for r in _marks(store, """SELECT record_id, min(dated_on) AS day FROM issued_docs WHERE deleted = 0
                AND kind = 'meeting_notice' AND dated_on IS NOT NULL AND record_id IN ({ids})
                GROUP BY record_id""", ids):
            out[r["record_id"]]["notice"] = r["day"]
    if wanted & {"topic_reviewed", "topic_chosen", "surveyed"}:
        # the topics the meeting deliberates: linked to it directly, or through the group's plan
        for r in _topic_rows(store, ids):
            marks = out.get(r["meeting_id"])
            if marks is None:
                continue
            if r["surveyed_on"]:
                marks["surveyed"] = min(filter(None, (marks.get("surveyed"), r["surveyed_on"])))
            if r["status"] in ("approved", "deliberated") and r["approved_on"]:
                marks["topic_reviewed"] = min(filter(None, (marks.get("topic_reviewed"), r["approved_on"])))
            chosen = r["proposed_on"] or r["drafted_on"] or r["approved_on"]
            if r["status"] != "rejected" and chosen:
                marks["topic_chosen"] = min(filter(None, (marks.get("topic_chosen"), chosen)))
    if "actions_done" in wanted:
        items: dict[str, list[dict]] = {}
        rows = _marks(store, "SELECT * FROM action_items WHERE deleted = 0 AND meeting_id IN ({ids})", ids)
        for item in store.action_items.decorate(rows):  # an item follows the opinions that carry it
            items.setdefault(item["meeting_id"], []).append(item)
        for meeting_id, its in items.items():
            if all(i["status"] == "done" for i in its):
                out[meeting_id]["actions_done"] = _later(*(i.get("done_on") for i in its)) or \
                    store.scalar("SELECT date FROM meetings WHERE id = ?", [meeting_id])
    return out


def _topic_rows(store, ids: list[str]) -> list[dict]:
    rows: list[dict] = []
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        marks = ",".join("?" * len(chunk))
        rows += store.rows(
            f"""SELECT coalesce(p.meeting_id, t.meeting_id) AS meeting_id, t.status, t.approved_on, p.drafted_on,
                (SELECT min(e.day) FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id
                  WHERE o.topic_id = t.id AND e.kind = 'topic' AND e.deleted = 0) AS proposed_on,
                (SELECT min(f.day) FROM field_surveys f WHERE f.topic_id = t.id AND f.deleted = 0) AS surveyed_on
                FROM topics t LEFT JOIN plans p ON p.topic_id = t.id AND p.deleted = 0
                WHERE t.deleted = 0 AND p.meeting_id IN ({marks})
               UNION ALL
               SELECT t.meeting_id, t.status, t.approved_on, NULL,
                (SELECT min(e.day) FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id
                  WHERE o.topic_id = t.id AND e.kind = 'topic' AND e.deleted = 0),
                (SELECT min(f.day) FROM field_surveys f WHERE f.topic_id = t.id AND f.deleted = 0)
                FROM topics t WHERE t.deleted = 0 AND t.meeting_id IN ({marks})""", chunk + chunk)
    return rows


def derive(store, steps: list[dict]) -> list[dict]:
    """Close, in place, each open step whose event is recorded: `done_on` becomes the event's day,
    `done_by` its label (`done_by` is None for a step ticked by hand or still open)."""
    open_steps = [(s, event_of(s)) for s in steps if not s.get("done_on")]
    for step in steps:
        step["done_by"] = None
    wanted = {event for _, event in open_steps if event}
    if not wanted:
        return steps
    days = event_days(store, {s["meeting_id"] for s, event in open_steps if event}, wanted)
    for step, event in open_steps:
        if event is None:
            continue
        day = days.get(step["meeting_id"], {}).get(event)
        if day and as_day(day):
            step["done_on"] = day
            step["done_by"] = EVENT_LABELS[event]
    return steps


def still_open(store, steps: list[dict]) -> list[dict]:
    """The steps nobody has done yet: neither ticked nor closed by their event."""
    return [s for s in derive(store, steps) if not s.get("done_on")]

