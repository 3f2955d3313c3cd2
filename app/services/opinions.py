"""The opinion ledger (意见建议台账): intake (step 1 of 五步工作法), photos and files, and the
ledger's reads (its list, filter, flags and one opinion's detail with its timeline).

Where the rest lives: the step table and the transitions of steps 1–5 in opinion_steps (which
OpinionService extends, so callers keep `store.opinions.assign(...)`), the timeline's sentences in
opinion_history, each step's clock in opinion_clocks, the statistics in opinion_stats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.idcard import mask
from app.common.textutil import clean, parse_date
from app.rules import as_day
from app.rules.codes import CATEGORIES
from app.rules.codes import OPINION_SOURCES as SOURCES
from app.rules.codes import OPINION_STATUSES as STATUSES
from app.rules.fields import detail_of, names_of
from app.rules.meeting_kinds import RECEPTION
from app.services import opinion_clocks as clocks
from app.services.base import FieldSpec, add_equals, choice_label, list_order, one_page
from app.services.opinion_history import EVENT_LABELS, describe_event
from app.services.opinion_steps import OPEN, STEPS, OpinionSteps, next_steps, step_of
from app.services.rows import OpinionDetail, OpinionListRow, as_row, as_rows
from app.storage import attachments
from app.storage.changes import Changes
from app.storage.search import match_expression

DUE_SOON_WORKING_DAYS = 3


@dataclass
class OpinionFilter:
    search: str = ""
    step: int | None = None
    status: str | None = None
    category: str | None = None
    group_id: str | None = None
    unit: str | None = None
    delegate_id: str | None = None
    overdue: bool = False
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "received"
    descending: bool = True


SORTS = {"received": "o.received_on, o.serial", "deadline": "o.deadline", "status": "o.status",
         "category": "o.category", "group": "g.sort_order", "unit": "o.lead_unit", "title": "o.title",
         "serial": "o.serial"}


class OpinionService(OpinionSteps):
    """`store.opinions`: intake and the ledger's reads here, the steps' transitions inherited."""

    fields = (
        FieldSpec("source", "来源", "choice", required=True, choices=SOURCES),
        FieldSpec("received_on", "收集日期", "date", required=True),
        FieldSpec("delegate_id", "收集代表", "ref", ref="delegates"),
        FieldSpec("grid_id", "所在网格", "ref", ref="grids"),
        FieldSpec("community_id", "所在村（社区）", "ref", ref="communities"),
        FieldSpec("residents", "涉及群众（人）", "int"),
        FieldSpec("contact", "群众联系方式"),
        FieldSpec("title", "事项", required=True),
        FieldSpec("content", "具体内容", "multiline"),
    )

    def title(self, row):
        return row.get("title") or ""

    # -- step 1: intake --------------------------------------------------------------------
    def _prepare(self, values: dict, existing: Mapping[str, Any] | None = None) -> dict:
        values = self.clean_values(dict(values))
        self.require(values, existing)
        merged = {**(existing or {}), **values}
        parse_date(merged.get("received_on"), "收集日期", "received_on")
        if merged["received_on"] > date.today().isoformat():
            raise ValidationError("收集日期不能晚于今天", field="received_on")
        if merged.get("residents") is not None and merged["residents"] < 0:
            raise ValidationError("涉及群众人数不能为负数", field="residents")
        for table, key, noun in (("delegates", "delegate_id", "代表"), ("grids", "grid_id", "网格"),
                                 ("communities", "community_id", "村（社区）")):
            self.live_ref(table, values.get(key), noun, key)
        if values.get("grid_id") and not merged.get("community_id"):
            values["community_id"] = self.store.scalar("SELECT community_id FROM grids WHERE id = ?",
                                                       [values["grid_id"]])
        if values.get("delegate_id"):
            person = self.store.rows("SELECT community_id, group_id FROM delegates WHERE id = ?",
                                     [values["delegate_id"]])[0]
            if not merged.get("community_id") and not values.get("community_id"):
                values["community_id"] = person["community_id"]
            values["group_id"] = person["group_id"]
        elif values.get("community_id"):
            values["group_id"] = self.store.scalar("SELECT group_id FROM communities WHERE id = ?",
                                                   [values["community_id"]])
        return values

    def create(self, values: dict, *, origin: tuple[str, str] | None = None, visit_id: str | None = None,
               meeting_id: str | None = None) -> Changes:
        """Log one opinion (a paper slip, a grid visit's, a reception-day matter, a minutes' action item,
        one raised at a meeting: `meeting_id`)."""
        values = self._prepare(values)
        if visit_id:
            values["visit_id"] = visit_id
        if meeting_id:
            values["raised_meeting_id"] = meeting_id
        if origin:
            if self.store.scalar("SELECT 1 FROM opinions WHERE origin_id = ? AND deleted = 0", [origin[1]]):
                raise ConflictError("这一事项已经登记进台账了")
            values["origin_table"], values["origin_id"] = origin
        values["serial"] = self._next_serial("YJ", "serial", int(values["received_on"][:4]))
        values["status"] = "collected"
        with self.store.write("create", f"登记意见建议：{values['title']}") as tx:
            opinion_id = tx.insert(self.table, values)
            self._event(tx, opinion_id, values["received_on"], "collect",
                        {"source": choice_label(SOURCES, values["source"])})
        return tx.changes

    def update(self, row_id: str, values: dict) -> Changes:
        row = self.get(row_id)
        values = self._prepare({k: v for k, v in values.items() if k in {f.name for f in self.fields}}, row)
        with self.store.write("update", f"修改意见建议：{row['title']}") as tx:
            tx.update(self.table, row_id, values)
        return tx.changes

    def pending_intake(self) -> list[dict]:
        """Reception-day matters and minutes' action items waiting to be taken in: not in the ledger,
        not closed with a reason, and (action items) not already followed up as 落实事项."""
        matters = self.store.rows(
            """SELECT r.id, r.content, r.resident, m.date, m.title AS meeting_title, m.venue_id,
                      'reception_matters' AS origin_table
               FROM reception_matters r JOIN meetings m ON m.id = r.meeting_id
               WHERE r.deleted = 0 AND m.deleted = 0 AND r.closed_on IS NULL
                 AND NOT EXISTS (SELECT 1 FROM opinions o WHERE o.origin_id = r.id AND o.deleted = 0)
               ORDER BY m.date DESC""")
        items = self.store.rows(
            """SELECT a.id, a.content, a.unit AS resident, m.date, m.title AS meeting_title, m.venue_id,
                      'action_items' AS origin_table
               FROM action_items a JOIN meetings m ON m.id = a.meeting_id
               WHERE a.deleted = 0 AND m.deleted = 0 AND a.status = 'not_started'
                 AND NOT EXISTS (SELECT 1 FROM action_progress p WHERE p.action_item_id = a.id AND p.deleted = 0)
                 AND NOT EXISTS (SELECT 1 FROM opinions o WHERE o.origin_id = a.id AND o.deleted = 0)
                 AND NOT EXISTS (SELECT 1 FROM topics t WHERE t.action_item_id = a.id AND t.deleted = 0)
               ORDER BY m.date DESC""")
        return matters + items

    def intake(self, origin_table: str, origin_id: str):
        """Take a reception-day matter or an action item into the ledger, linked to it."""
        if origin_table == "reception_matters":
            found = self.store.rows(
                """SELECT r.content, r.resident, m.date, m.venue_id, v.community_id,
                      (SELECT a.delegate_id FROM attendance a WHERE a.meeting_id = m.id AND a.deleted = 0
                         AND a.delegate_id IS NOT NULL ORDER BY a.id LIMIT 1) AS delegate_id
                   FROM reception_matters r JOIN meetings m ON m.id = r.meeting_id
                   LEFT JOIN venues v ON v.id = m.venue_id WHERE r.id = ? AND r.deleted = 0""", [origin_id])
            source = RECEPTION  # the opinion source a reception day gives (codes.OPINION_SOURCES)
        elif origin_table == "action_items":
            found = self.store.rows(
                """SELECT a.content, NULL AS resident, m.date, m.venue_id, NULL AS community_id,
                          NULL AS delegate_id FROM action_items a JOIN meetings m ON m.id = a.meeting_id
                   WHERE a.id = ? AND a.deleted = 0""", [origin_id])
            source = "meeting"
        else:
            raise ValidationError("只能从接待事项或会议落实事项导入")
        if not found:
            raise NotFoundError("找不到要导入的事项")
        row = found[0]
        values = {"source": source, "received_on": min(row["date"], date.today().isoformat()),
                  "title": row["content"][:60], "content": row["content"],
                  "delegate_id": row["delegate_id"], "community_id": row["community_id"]}
        return self.create(values, origin=(origin_table, origin_id))

    def intake_many(self, items: list[tuple[str, str]]):
        """Several reception matters and action items taken in at once: one transaction, one undo."""
        from app.storage.changes import Changes

        with self.store.db.atomic():
            return Changes.combined([self.intake(table, row_id) for table, row_id in items])

    # -- photos and files --------------------------------------------------------------------
    def files(self, opinion_id: str) -> list[dict]:
        rows = self.store.rows("SELECT * FROM opinion_files WHERE opinion_id = ? AND deleted = 0 ORDER BY title",
                               [opinion_id])
        for row in rows:
            row["path"] = str(attachments.stored_path(self.store, row))
        return rows

    def add_file(self, opinion_id: str, source, title: str | None = None):
        """A photo of the site, a residents' letter...: kept in the data directory, hashed."""
        opinion = self.get(opinion_id)
        from pathlib import Path

        row = {"opinion_id": opinion_id, "title": clean(title) or Path(source).stem,
               **attachments.take_in(self.store, source)}
        with self.store.write("create", f"添加附件：{row['title']}（{opinion['title']}）") as tx:
            tx.insert("opinion_files", row)
        return tx.changes

    def remove_file(self, file_id: str):
        row = self.store.rows("SELECT * FROM opinion_files WHERE id = ? AND deleted = 0", [file_id])
        if not row:
            raise NotFoundError("找不到这个附件")
        with self.store.write("delete", f"删除附件：{row[0]['title']}") as tx:
            tx.delete("opinion_files", file_id)
        return tx.changes

    # -- reading -----------------------------------------------------------------------------
    def timeline(self, opinion_id: str) -> list[dict]:
        # Entries of the same day keep the order they were written in (their clock stamps).
        stamped = ("SELECT t.*, k.wall_ms, k.counter FROM [{t}] t JOIN clocks k ON k.tbl = '{t}' AND"
                   " k.row_id = t.id AND k.field = 'deleted' WHERE t.opinion_id = ? AND t.deleted = 0")
        events = self.store.rows(stamped.format(t="opinion_events"), [opinion_id])
        for event in events:
            event["label"] = EVENT_LABELS.get(event["kind"], event["kind"])
            event["text"] = describe_event(event["kind"], detail_of(event["detail"]))
        supervisions = self.store.rows(stamped.format(t="supervisions"), [opinion_id])
        joined = self.supervisors([s["id"] for s in supervisions])
        for s in supervisions:
            s["kind"], s["label"] = "supervise", f"督办（{s['method']}）"
            s["delegates"] = joined.get(s["id"], [])
            s["text"] = s["content"] + (f"；进展：{s['progress']}" if s["progress"] else "") + (
                f"；参与代表：{'、'.join(s['delegates'])}" if s["delegates"] else "")
        topic_id = self.store.scalar("SELECT topic_id FROM opinions WHERE id = ?", [opinion_id])
        surveys = self.store.surveys.timeline_entries(topic_id)  # the topic's 实地走访调研
        return sorted(events + supervisions + surveys, key=lambda e: (e["day"], e["wall_ms"], e["counter"]))

    def stepped_between(self, column: str, start: str, end: str) -> list[dict]:
        """The opinions whose step `column` (assigned_on, answered_on) fell between two days, by serial."""
        if column not in ("assigned_on", "answered_on"):
            raise ValueError(column)
        return self.store.rows(f"SELECT id, serial, title FROM opinions WHERE deleted = 0 AND {column} BETWEEN ? AND ?"
                               " ORDER BY serial", [start, end])

    def supervisions_of_year(self, year: int | None = None) -> list[dict]:
        """督办记录: every supervision of the year (or of all years) with its opinion, by day."""
        where, params = "", []
        if year:
            where, params = " AND s.day >= ? AND s.day < ?", [f"{year}-01-01", f"{year + 1}-01-01"]
        return self.store.rows(
            f"""SELECT s.id, s.day, s.method, s.content, s.progress, s.actor, o.serial, o.title, o.lead_unit,
                       o.deadline FROM supervisions s JOIN opinions o ON o.id = s.opinion_id
                WHERE s.deleted = 0 AND o.deleted = 0{where} ORDER BY s.day, o.serial""", params)

    def supervisions(self, opinion_id: str) -> list[dict]:
        rows = self.store.rows("SELECT * FROM supervisions WHERE opinion_id = ? AND deleted = 0 ORDER BY day",
                               [opinion_id])
        joined = self.supervisors([r["id"] for r in rows])
        for row in rows:
            row["delegates"] = joined.get(row["id"], [])
        return rows

    def supervisors(self, supervision_ids: list[str]) -> dict[str, list[str]]:
        """The names of the delegates who took part in each supervision."""
        found: dict[str, list[str]] = {}
        if not supervision_ids:
            return found
        for row in self.store.rows(
                f"SELECT p.supervision_id, d.name FROM supervision_delegates p JOIN delegates d ON d.id = p.delegate_id"
                f" WHERE p.deleted = 0 AND p.supervision_id IN ({','.join('?' * len(supervision_ids))})"
                " ORDER BY d.name_pinyin", supervision_ids):
            found.setdefault(row["supervision_id"], []).append(row["name"])
        return found

    def _where(self, flt: OpinionFilter, today: str) -> tuple[str, list]:
        clauses, params = ["o.deleted = 0"], []
        expression = match_expression(flt.search)
        if expression:
            clauses.append("o.rowid IN (SELECT rowid FROM opinions_fts WHERE opinions_fts MATCH ?)")
            params.append(expression)
        if flt.step:
            statuses = STEPS[flt.step][1]
            clauses.append(f"o.status IN ({','.join('?' * len(statuses))})")
            params += list(statuses)
        add_equals(clauses, params, (("o.status", flt.status), ("o.category", flt.category), ("o.group_id", flt.group_id),
                              ("o.lead_unit", flt.unit), ("o.delegate_id", flt.delegate_id)))
        if flt.overdue:  # late at whatever step it waits at (opinion_clocks)
            clause, late_params = clocks.late_clause(self.store, self.calendar, date.fromisoformat(today))
            clauses.append(clause)
            params += late_params
        if flt.date_from:
            clauses.append("o.received_on >= ?")
            params.append(flt.date_from)
        if flt.date_to:
            clauses.append("o.received_on <= ?")
            params.append(flt.date_to)
        return " AND ".join(clauses), params

    _FROM = ("FROM opinions o LEFT JOIN delegates d ON d.id = o.delegate_id "
             "LEFT JOIN groups g ON g.id = o.group_id LEFT JOIN communities c ON c.id = o.community_id")

    def count(self, flt: OpinionFilter | None = None, today: date | None = None) -> int:
        flt = flt or OpinionFilter()
        only_search = flt.search and not any((flt.step, flt.status, flt.category, flt.group_id, flt.unit,
                                              flt.delegate_id, flt.overdue, flt.date_from, flt.date_to))
        expression = match_expression(flt.search) if only_search else None
        if expression:  # the index holds live opinions only
            return self.store.scalar("SELECT count(*) FROM opinions_fts WHERE opinions_fts MATCH ?", [expression])
        where, params = self._where(flt, (today or date.today()).isoformat())
        return self.store.scalar(f"SELECT count(*) FROM opinions o WHERE {where}", params)

    def page(self, flt: OpinionFilter, offset: int = 0, limit: int | None = 200,
             today: date | None = None) -> list[OpinionListRow]:
        today = today or date.today()
        where, params = self._where(flt, today.isoformat())
        order = list_order(SORTS, flt.sort, "received", flt.descending) + ", o.id"
        names = ("SELECT o.*, d.name AS delegate_name, g.name AS group_name, c.name AS community_name FROM {src}"
                 " LEFT JOIN delegates d ON d.id = o.delegate_id LEFT JOIN groups g ON g.id = o.group_id"
                 " LEFT JOIN communities c ON c.id = o.community_id")
        if "g." not in order:
            # Pick the page from opinions alone, then look up names for those rows only.
            inner, params = one_page(f"SELECT o.* FROM opinions o WHERE {where} ORDER BY {order}", params, offset, limit)
            sql = names.format(src=f"({inner}) o") + f" ORDER BY {order}"
        else:
            sql, params = one_page(names.format(src="opinions o") + f" WHERE {where} ORDER BY {order}", params, offset, limit)
        rows = self.store.rows(sql, params)
        days = self._limits()
        for row in rows:
            self.decorate(row, today, days)
        return as_rows(rows, OpinionListRow)

    def decorate(self, row: dict, today: date, days: dict[str, int] | None = None) -> None:
        # Stored values are read as they are: one that breaks the rule book is shown marked and
        # counts as missing (never overdue, never due), so a bad row never breaks the ledger.
        row["status_label"] = choice_label(STATUSES, row["status"])
        row["source_label"] = choice_label(SOURCES, row["source"])
        row["category_label"] = choice_label(CATEGORIES, row["category"]) if row["category"] else ""
        row["step"] = step_of(row["status"])
        row["step_label"] = STEPS[row["step"]][0] if row["step"] else row["status_label"]
        row["co_units_list"] = names_of(row.get("co_units"))
        contact: str = row["contact"] if isinstance(row.get("contact"), str) else ""
        # An ID number keeps its region code; a phone (mobile: 11 digits) shows 3 + 4 digits.
        row["contact_masked"] = mask(contact) if len(contact) > 11 \
            else (contact[:3] + "****" + contact[-4:] if len(contact) >= 8 else contact)
        deadline, answered = as_day(row["deadline"]), as_day(row.get("answered_on"))
        row["overdue"] = bool(row["status"] in OPEN and deadline and deadline < today)
        row["due_soon"] = False
        if row["status"] in OPEN and deadline and not row["overdue"]:
            row["due_soon"] = deadline <= today + timedelta(days=7) and \
                self.calendar.working_days_between(today, deadline) <= DUE_SOON_WORKING_DAYS
        row["feedback_due"] = None
        row["feedback_overdue"] = False
        if row["status"] == "answered" and answered:
            row["feedback_due"] = self.calendar.add_working_days(
                answered, (days or self._limits())["feedback"]).isoformat()
            row["feedback_overdue"] = row["feedback_due"] < today.isoformat()
        clock = clocks.current(self.store, self.calendar, row, today, days)
        row.update(clock)
        row["on_time"] = clocks.on_time(row)
        row["on_time_label"] = {True: "按期办结", False: "逾期办结", None: ""}[row["on_time"]]
        row["flag"] = (clocks.LATE_FLAGS[clock["clock"]] if clock["step_late"]
                       else "即将到期" if row["due_soon"] else "")

    def detail(self, opinion_id: str, today: date | None = None) -> OpinionDetail:
        rows = self.store.rows(f"SELECT o.*, d.name AS delegate_name, g.name AS group_name, "
                               f"c.name AS community_name {self._FROM} WHERE o.id = ? AND o.deleted = 0",
                               [opinion_id])
        if not rows:
            raise NotFoundError("找不到这条意见建议，可能已被删除")
        row = rows[0]
        self.decorate(row, today or date.today())
        row["step_clocks"] = clocks.histories(self.store, self.calendar, [dict(row)], today or date.today())[row["id"]]
        row["timeline"] = self.timeline(opinion_id)
        row["next_steps"] = next_steps(row)
        row["grid_name"] = self.store.scalar("SELECT name FROM grids WHERE id = ?", [row["grid_id"]])
        row["topic_title"] = self.store.scalar("SELECT title FROM topics WHERE id = ?", [row["topic_id"]])
        row["reported_to_name"] = self.store.scalar("SELECT name FROM delegates WHERE id = ?", [row["reported_to"]])
        row["plan_id"] = self.store.scalar("SELECT id FROM plans WHERE topic_id = ? AND deleted = 0",
                                           [row["topic_id"]]) if row["topic_id"] else None
        return as_row(row, OpinionDetail)

    def _limits(self) -> dict[str, int]:
        return clocks.limits(self.store)

    def feedback_days(self) -> int:
        """规定时限: working days after 办结 within which the delegate must be fed back (设置)."""
        return self._limits()["feedback"]

    def feedback_cutoff(self, today: date) -> str:
        """The latest 办结 date whose feedback is overdue today (its deadline already passed)."""
        return clocks.cutoff(self.calendar, self.feedback_days(), today)

    def step_clocks(self, opinion_id: str, today: date | None = None) -> list[dict]:
        """Every clocked step the opinion has met: its due day, when it was done, late or not."""
        row = self.get(opinion_id)
        return clocks.histories(self.store, self.calendar, [dict(row)], today or date.today())[row["id"]]

    def late_by_step(self, today: date | None = None, limit: int = 20) -> list[dict]:
        """The opinions late today, step by step along the chain: [{"key", "label", "total", "rows"}]
        (steps with none left out; `rows` the first `limit`, the longest waiting first)."""
        today = today or date.today()
        found = []
        for clock in clocks.CLOCKS:
            clause, params = clocks.late_clause(self.store, self.calendar, today, [clock.key])
            total = self.store.scalar(f"SELECT count(*) FROM opinions o WHERE o.deleted = 0 AND {clause}", params)
            if not total:
                continue
            rows = self.store.rows(f"SELECT o.* FROM opinions o WHERE o.deleted = 0 AND {clause}"
                                   f" ORDER BY o.received_on, o.serial LIMIT ?", [*params, limit])
            for row in rows:
                self.decorate(row, today)
            rows.sort(key=lambda r: (r["step_due"] or "", r["serial"] or ""))
            found.append({"key": clock.key, "label": clock.label, "total": total, "rows": rows})
        return found

    def feedback_overdue(self, today: date | None = None, limit: int = 50) -> list[dict]:
        today = today or date.today()
        rows = self.store.rows("SELECT * FROM opinions WHERE deleted = 0 AND status = 'answered' AND answered_on <= ?"
                               " ORDER BY answered_on LIMIT ?", [self.feedback_cutoff(today), limit])
        for row in rows:
            self.decorate(row, today)
        return rows

    def units(self) -> list[str]:
        """Units to choose from: the editable department list plus communities (self-governance)."""
        return self.store.departments.names() + [c["name"] for c in self.store.communities.list()]
