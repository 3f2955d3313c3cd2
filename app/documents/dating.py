"""The date a document carries (成文日期): the one the clerk gave it, else what its record says.

One place for every kind, so that the documents, the CLI's answer and the window's 成文日期 field
show the same date.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.rules.fields import as_day

# Documents sent out under a 版头, which carry a 发文字号.
SENT_OUT = {"meeting_notice", "filing"}


def default_date(store, kind: str, record_id: str, today: date | None = None) -> str:
    """What the record says the date is when the clerk has given none."""
    today = today or date.today()
    if kind in ("minutes", "meeting_notice", "brief"):
        meeting = store.meetings.get(record_id)
        if kind in ("minutes", "brief"):
            return meeting["date"]
        # a notice goes out before the meeting: today for one still ahead, else a week before it
        held_on = as_day(meeting["date"]) or today
        return (today if held_on >= today else held_on - timedelta(days=7)).isoformat()
    if kind in ("notice", "filing", "certificates"):
        r = store.nomination.get(record_id)
        found = {"notice": [r.get("notice_start")],
                 "filing": [r.get("filed_on"), r.get("certified_on"), r.get("confirmed_on")],
                 "certificates": [r.get("certified_on"), r.get("confirmed_on")]}[kind]
        return next((d for d in found if d), today.isoformat())
    if kind in ("assignment", "feedback"):
        o = store.opinions.get(record_id)
        found = [o.get("assigned_on"), o.get("received_on")] if kind == "assignment" else [o.get("answered_on")]
        return next((d for d in found if d), today.isoformat())
    if kind == "plan":
        return store.plans.get(record_id)["drafted_on"]
    return today.isoformat()  # 履职档案: as of the day it is drawn up


def issued_date(store, kind: str, record_id: str) -> str:
    return store.issued_docs.dated(kind, record_id, default_date(store, kind, record_id))


def issue_form(store, kind: str, record_id: str) -> dict:
    """What the window's 成文日期 dialog shows for a document before it is generated."""
    dated = issued_date(store, kind, record_id)
    number = store.issued_docs.number(kind, record_id) or ""
    if kind == "filing" and not number:
        number = store.nomination.get(record_id).get("filing_doc") or ""
    form = {"kind": kind, "dated_on": dated, "doc_number": number, "numbered": kind in SENT_OUT,
            "suggested_number": "", "draft_needed": False, "masthead": bool(store.settings.get("issuer_mark"))}
    if form["numbered"] and not number:
        form["suggested_number"] = store.issued_docs.next_number(dated[:4])
    if kind == "minutes":
        form["draft_needed"] = store.meetings.get(record_id)["status"] != "held"
    return form
