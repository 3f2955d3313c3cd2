"""The documents a clerk can export, by kind (CLI `export doc KIND ID`, UI buttons)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from app.common.errors import AppError
from app.common.fileio import recorded_write
from app.common.outputs import check_out
from app.documents import ledger_docs, meeting_docs, nomination_docs, plan_doc, reception_docs, summary_doc
from app.documents.dating import SENT_OUT, default_date, issued_date
from app.documents.metadata import describing
from app.documents.notes import collecting
from app.rules.codes import DOC_KINDS
from app.rules.fields import as_day
from app.rules.meeting_kinds import kind_of

LABELS = dict(DOC_KINDS)
# kind -> (label, builder, what the id names)
DOCS: dict[str, tuple[str, Any, str | None]] = {
    "minutes": (LABELS["minutes"], meeting_docs.minutes, "meeting"),
    "meeting_notice": (LABELS["meeting_notice"], meeting_docs.notice, "meeting"),
    "notice": (LABELS["notice"], nomination_docs.public_notice, "round"),
    "certificates": (LABELS["certificates"], nomination_docs.certificates, "round"),
    "filing": (LABELS["filing"], nomination_docs.filing_report, "round"),
    "signin": (LABELS["signin"], meeting_docs.signin, "meeting"),
    "flowchart": (LABELS["flowchart"], meeting_docs.flowchart, "meeting"),
    "brief": (LABELS["brief"], meeting_docs.brief, "meeting"),
    "assignment": (LABELS["assignment"], ledger_docs.assignment, "opinion"),
    "feedback": (LABELS["feedback"], ledger_docs.feedback_slip, "opinion"),
    "duty": (LABELS["duty"], ledger_docs.duty_record, "delegate"),
    "plan": (LABELS["plan"], plan_doc.plan, "opinion"),
    "summary": (LABELS["summary"], summary_doc.summary, "year"),
    "ledger": (LABELS["ledger"], None, None),
    "reception_notice": (LABELS["reception_notice"], reception_docs.reception_notice, "period"),
}
MEETING_DOCS = [k for k, v in DOCS.items() if v[2] == "meeting"]


def docs_of_kind(kind: str) -> list[str]:
    """The documents a meeting of `kind` gives, as its kind defines them (rules.meeting_kinds)."""
    return [k for k in MEETING_DOCS if k in kind_of(kind).documents]


# The documents that carry a 成文日期 / 发文字号 the clerk gives (kept with the record).
DATED = {"minutes", "meeting_notice", "notice", "filing", "certificates", "assignment", "feedback", "duty", "plan",
         "summary", "brief"}


def export_doc(store, kind: str, record_id: str | None, path: Path | str, **options) -> dict:
    """Build document `kind`, write it (a Word file for a .docx path, else a PDF), audit it.
    Options: `flt` (the printed ledger), `draft` (minutes of a meeting not yet held), `dated_on`
    and `doc_number` (kept with the record, so every later export carries them). The result's
    "notes" say what the document left out or set otherwise (a photo whose file is gone, a chosen
    font set aside), for the clerk, not the paper."""
    if kind not in DOCS:
        raise AppError(f"没有名为“{kind}”的文书，可选：{'、'.join(DOCS)}")
    check_out("doc", path)
    record_id = record_id or None
    if kind == "notice" and record_id and store.meetings.stored(record_id):
        kind = "meeting_notice"  # `export doc notice MEETING` as before: that meeting's notice
    label, build, subject = DOCS[kind]
    dated_on, doc_number = options.get("dated_on"), options.get("doc_number")
    if (dated_on or doc_number) and kind not in DATED:
        raise AppError(f"{label}没有成文日期和发文字号")
    if subject == "round":
        round_row = store.nomination.get_or_current(record_id)
        record_id, name = round_row["id"], round_row["name"]
    elif kind == "ledger":
        name = "全部意见建议"
    elif subject == "period":  # a month (2026-03) or a quarter (2026-Q1); this month by default
        from app.services.receptions import period_label

        record_id = record_id or options.get("period") or date.today().strftime("%Y-%m")
        name = period_label(record_id)
        if options.get("venue_id"):
            name += f"，{store.venues.get(options['venue_id'])['name']}"
    else:
        if not record_id:
            raise AppError({"meeting": "请指定会议编号（可用 yishi list meetings 查看）",
                            "opinion": "请指定意见建议编号（可用 yishi list opinions 查看）",
                            "delegate": "请指定代表编号（可用 yishi list delegates 查看）",
                            "year": "年度工作总结请指定年份，如 2026"}[subject or ""])
        if kind == "summary":  # named by its year
            record_id = str(int(record_id)) if str(record_id).isdigit() else None
            if not record_id:
                raise AppError("年度工作总结请指定年份，如 2026")
            record = {"title": f"{record_id}年"}
        elif kind == "plan":  # named by an opinion of its topic, the topic, or the plan itself
            record = store.plans.resolve(record_id)
            record_id = record["id"]
        else:
            service = {"meeting": store.meetings, "opinion": store.opinions, "delegate": store.delegates}[subject or ""]
            record = service.get(record_id)
        name = record.get("title") or record.get("name")
    # The export's record, and the date given, stand or fall with its file: no file without its
    # record, no record (nor kept date) of a file that was never written.
    record_key = record_id or ""  # every document but the whole printed ledger has its record
    with recorded_write(store.db, path) as temp, collecting() as notes, describing(label):
        if dated_on or doc_number:
            store.issued_docs.give(kind, record_id, dated_on=dated_on, doc_number=doc_number, label=f"{label}：{name}")
        elif kind == "meeting_notice" and not store.issued_docs.find(kind, record_id):
            # The date a notice first went out stays its date, however often it is printed again.
            store.issued_docs.give(kind, record_id, dated_on=default_date(store, kind, record_key),
                                   label=f"{label}：{name}")
        if kind == "brief":  # a 简报 is numbered 第N期 of its year when first issued, the same ever after
            dated = issued_date(store, kind, record_key)
            store.issued_docs.ensure_issue(kind, record_key, dated if as_day(dated) else date.today().isoformat(),
                                           f"{label}：{name}")
        if kind in SENT_OUT and store.settings.get("issuer_mark") and not (
                kind == "filing" and store.nomination.get(record_id).get("filing_doc")):
            # a red-head document has its 文号 from the 发文登记: the next of its year when first
            # issued, the same one every later export (a round's filing keeps the one it was filed under)
            store.issued_docs.ensure_number(kind, record_key, issued_date(store, kind, record_key), f"{label}：{name}")
        if subject == "round":
            extra = {"delegate_ids": options["delegate_ids"]} if options.get("delegate_ids") else {}
            build(store, record_key, temp, **extra)
        elif kind == "ledger":
            ledger_docs.printed_ledger(store, temp, options.get("flt"))
        elif kind == "minutes":
            build(store, record_key, temp, draft=bool(options.get("draft")))
        elif subject == "period":
            build(store, record_key, temp, venue_id=options.get("venue_id"))
        else:
            build(store, record_key, temp)
        store.audit.record("export", f"导出{label}{'（草稿）' if options.get('draft') else ''}：{name}",
                           {"doc": kind, "id": record_id, "file": Path(path).name, **({"notes": notes} if notes else {})})
    return {"doc": kind, "title": label, "meeting": name, "name": name, "path": str(path),
            "dated_on": issued_date(store, kind, record_id) if kind in DATED and record_id else None,
            "notes": notes}


def record_printed(store, kind: str, record_id: str | None, title: str) -> None:
    """The clerk sent a document to the printer: the audit log says which and when."""
    store.audit.record("print", f"打印{title}", {"doc": kind, "id": record_id})
