"""The opinion ledger (意见建议台账) and the five-step method (五步工作法).

收集 → 确定议题 → 集中议事 → 办理监督 → 结果反馈. Every transition checks where the opinion is,
writes the opinion and an append-only event in one transaction, and refuses illegal jumps
(feedback before assignment, closing without feedback...) with a Chinese message.

Over the house's ~600 lines for now: the step table, every transition and the ledger's reads sit
together so that a step's rule, its clock (opinion_clocks) and its list filter are read side by
side; the step table and describe_event are the part to move out next.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.idcard import mask
from app.common.textutil import clean, parse_date
from app.rules import as_day, today
from app.rules.book import OPINION_LABELS
from app.rules.codes import CATEGORIES, FEEDBACK_METHODS, OPINION_EVENTS, SATISFACTION, SUPERVISION_METHODS
from app.rules.codes import OPINION_SOURCES as SOURCES
from app.rules.codes import OPINION_STATUSES as STATUSES
from app.rules.fields import detail_of, names_of
from app.rules.meeting_kinds import RECEPTION
from app.services import opinion_clocks as clocks
from app.services.base import FieldSpec, Service, add_equals, choice_label, list_order, one_page
from app.services.rows import OpinionDetail, OpinionListRow, OpinionRow, as_row, as_rows
from app.storage import attachments
from app.storage.changes import Changes
from app.storage.search import match_expression

STEPS = {1: ("收集意见", ("collected",)), 2: ("确定议题", ("topic", "declined")),
         3: ("集中议事", ("deliberated",)), 4: ("办理监督", ("assigned", "returned", "answered")),
         5: ("结果反馈", ("fed_back", "closed"))}
EVENT_LABELS = dict(OPINION_EVENTS)
OPEN = ("assigned", "returned")
DUE_SOON_WORKING_DAYS = 3
ASSIGNABLE = ("collected", "topic", "deliberated", "returned")
ANSWERED = ("answered", "fed_back", "closed")

# What may happen next from each state (五步工作法): the one step table that the service enforces
# and that the opinion window asks which of its actions to offer. action -> (statuses, what it is).
NEXT_STEPS = {
    "report": (("collected",), "上报组长"),
    "to_topic": (("collected",), "列入议题"),
    "untopic": (("topic",), "撤出议题"),
    "decline": (("collected", "topic"), "不予采纳"),
    "assign": (ASSIGNABLE, "交办"),
    "supervise": (("assigned", "returned", "answered"), "登记督办"),
    "return": (("assigned",), "退办"),
    "extend": (("assigned",), "延期"),
    "key": (OPEN, "列为重点督办"),
    "answer": (("assigned",), "登记办理结果"),
    "feedback": (("answered", "declined", "fed_back"), "反馈"),
    "close": (("fed_back",), "办结归档"),
    "reopen": (("fed_back", "closed"), "重办"),
    "print_assignment": (("assigned", "returned", *ANSWERED), "打印交办单"),
    "print_feedback": (ANSWERED, "打印反馈回执"),
}


def next_steps(row: dict) -> list[str]:
    """The actions open to this opinion now, in the table's order."""
    allowed = [action for action, (statuses, _) in NEXT_STEPS.items() if row["status"] in statuses]
    if row.get("key_supervision") and "key" not in allowed:
        allowed.append("key")  # lifting 重点督办 is always possible
    if not row.get("lead_unit") and "reopen" in allowed:
        allowed.remove("reopen")  # never assigned: it is assigned, not reopened
    if row.get("satisfaction") == "不满意" and "close" in allowed:
        allowed.remove("close")  # 群众不满意: reopen or feed back again first
    if row.get("reported_on") and "report" in allowed:
        allowed.remove("report")  # reported once
    return allowed


def describe_event(kind: str, d: dict) -> str:
    """One line of Chinese for the timeline."""
    if kind == "assign":
        co = f"，协办 {'、'.join(d['co_units'])}" if d.get("co_units") else ""
        return (f"{d.get('category', '')}：主办 {d.get('lead_unit', '')}{co}；"
                f"{d.get('working_days')} 个工作日，期限 {d.get('deadline')}")
    if kind == "extend":
        return f"期限由 {d.get('from')} 延至 {d.get('to')}（{d.get('approved_by')} 批准）" + (
            f"：{d['reason']}" if d.get("reason") else "")
    if kind == "return":
        return f"{d.get('unit', '')} 退回：{d.get('reason', '')}"
    if kind == "reopen":
        return f"{d.get('reason', '')}；新期限 {d.get('deadline')}"
    if kind == "feedback":
        return f"{d.get('satisfaction', '')}（{d.get('method', '')}）"
    if kind == "undo":
        return f"撤销了“{d.get('undone', '')}”（记录保留）"
    if kind == "key":
        return "列为重点督办" if d.get("key") else "取消重点督办"
    if kind == "report":
        return f"{d.get('delegate', '')}上报{d.get('group', '')}组长{d.get('leader', '')}"
    if kind == "consult":
        views = "；".join(f"{v['name']}：{v['view']}" + (f"（{v['comment']}）" if v.get("comment") else "")
                         for v in d.get("views", []))
        return f"议题“{d.get('topic', '')}”：{views}"
    if kind == "plan":
        when = f"，{d['planned_on']}" if d.get("planned_on") else ""
        return f"{d.get('title', '')}{when}" + (f"，{d['place']}" if d.get("place") else "")
    return "；".join(str(v) for v in d.values() if v not in (None, "", []))


def step_of(status: str) -> int:
    """The step of the five-step method a status belongs to; 0 for a status this version does not
    know (a row written around the program: shown marked, counted nowhere)."""
    return next((step for step, (_, statuses) in STEPS.items() if status in statuses), 0)


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


class OpinionService(Service[OpinionRow]):
    table = "opinions"
    row_type = OpinionRow
    noun = "意见建议"
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

    # -- helpers -------------------------------------------------------------------
    @property
    def calendar(self):
        from app.common.workcalendar import WorkCalendar

        if not hasattr(self, "_calendar"):
            self._calendar = WorkCalendar(self.store)
        return self._calendar

    def _today(self, day: str | None) -> str:
        if day:
            parse_date(day, "日期", "day")
            return day
        return date.today().isoformat()

    def _step_day(self, row: Mapping[str, Any], day: str | None, what: str, *after: str) -> str:
        """The day a step happened (today if none is given): not in the future, and not before the
        steps it follows (退办, 延期, 督办 after 交办; 重办 after 反馈...)."""
        day = self._today(day)
        if day > today().isoformat():
            raise ValidationError(f"{what}日期 {day} 晚于今天", field="day")
        for name in after:
            if isinstance(row.get(name), str) and day < row[name]:
                raise ValidationError(f"{what}日期 {day} 早于{OPINION_LABELS[name]} {row[name]}", field="day")
        return day

    def _require(self, row: Mapping[str, Any], action: str) -> None:
        statuses, what = NEXT_STEPS[action]
        if row["status"] not in statuses:
            raise ConflictError(f"这条意见现在是“{choice_label(STATUSES, row['status'])}”，不能{what}。")

    def _event(self, tx, opinion_id: str, day: str, kind: str, detail: dict | None = None) -> None:
        from app.storage.audit import current_actor

        tx.insert("opinion_events", {"opinion_id": opinion_id, "day": day, "kind": kind,
                                     "detail": json.dumps(detail or {}, ensure_ascii=False),
                                     "actor": current_actor(self.db)})

    def _next_serial(self, prefix: str, column: str, year: int) -> str:
        """The next number in this office's series: YJ2026-0001, or YJ2026-CZ-0001 with an office code
        (so that offices numbering between exchanges do not issue the same number)."""
        code = self.store.settings.get("serial_code")
        head = f"{prefix}{year}-{code}-" if code else f"{prefix}{year}-"
        last = self.store.scalar(f"SELECT max(CAST(substr({column}, ?) AS INTEGER)) FROM opinions WHERE {column} GLOB ?",
                                 [len(head) + 1, head + "[0-9]*"])
        return f"{head}{(last or 0) + 1:04d}"

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

    def leader_of(self, group_id: str | None) -> dict | None:
        rows = self.store.rows("SELECT id, name FROM delegates WHERE group_id = ? AND group_role = 'leader'"
                               " AND deleted = 0 AND status = 'active' LIMIT 1", [group_id])
        return rows[0] if rows else None

    def report(self, opinion_ids: str | list[str], day: str | None = None, leader_id: str | None = None):
        """上报组长: the delegate hands what they collected to their group's leader (one or several
        opinions in one edit). The leader is the group's own unless another is named."""
        ids = [opinion_ids] if isinstance(opinion_ids, str) else list(dict.fromkeys(opinion_ids))
        day = self._today(day)
        if day > date.today().isoformat():
            raise ValidationError(f"上报日期 {day} 晚于今天", field="day")
        plan = []
        for opinion_id in ids:
            row = self.get(opinion_id)
            if row.get("reported_on"):
                raise ConflictError(f"“{row['title']}”已于 {row['reported_on']} 上报组长")
            self._require(row, "report")
            if day < row["received_on"]:
                raise ValidationError(f"上报日期 {day} 早于“{row['title']}”的收集日期 {row['received_on']}",
                                      field="day")
            leader = ({"id": leader_id, "name": self.store.delegates.get(leader_id)["name"]} if leader_id
                      else self.leader_of(row["group_id"]))
            if not leader:
                raise ValidationError(f"“{row['title']}”所在的议事小组还没有组长：请先在“代表”中指定组长，"
                                      "或选择上报给谁", field="leader_id")
            plan.append((row, leader))
        what = plan[0][0]["title"] if len(plan) == 1 else f"{plan[0][0]['title']}等 {len(plan)} 条"
        with self.store.write("update", f"上报组长：{what}") as tx:
            for row, leader in plan:
                tx.update(self.table, row["id"], {"reported_on": day, "reported_to": leader["id"]})
                self._event(tx, row["id"], day, "report", {
                    "delegate": self.store.scalar("SELECT name FROM delegates WHERE id = ?", [row["delegate_id"]])
                    or "", "group": self.store.scalar("SELECT name FROM groups WHERE id = ?", [row["group_id"]])
                    or "", "leader": leader["name"]})
        return tx.changes

    # -- step 2: topics and screening ---------------------------------------------------
    def set_scores(self, opinion_ids: str | list[str], urgency: int | None, feasibility: int | None):
        """Screening scores for one opinion or several, in one edit (one undo, one audit entry)."""
        ids = [opinion_ids] if isinstance(opinion_ids, str) else list(opinion_ids)
        rows = [self.get(opinion_id) for opinion_id in ids]
        for value, label in ((urgency, "紧迫性"), (feasibility, "可行性")):
            if value is not None and not 1 <= int(value) <= 5:
                raise ValidationError(f"{label}评分应为 1—5 分")
        what = rows[0]["title"] if len(rows) == 1 else f"{rows[0]['title']}等 {len(rows)} 条"
        with self.store.write("update", f"意见筛选评分：{what}") as tx:
            for row in rows:
                tx.update(self.table, row["id"], {"urgency": urgency, "feasibility": feasibility})
        return tx.changes

    def decline(self, opinion_id: str, reason: str, day: str | None = None):
        """Not taken up (未采纳): the reason is kept, and the opinion still gets feedback."""
        row = self.get(opinion_id)
        self._require(row, "decline")
        reason = clean(reason)
        if not reason:
            raise ValidationError("请写明不予采纳的理由，它将反馈给群众", field="decline_reason")
        day = self._step_day(row, day, "不予采纳", "received_on", "reported_on")
        with self.store.write("update", f"不予采纳：{row['title']}") as tx:
            tx.update(self.table, opinion_id, {"status": "declined", "decline_reason": reason, "topic_id": None})
            self._event(tx, opinion_id, day, "decline", {"reason": reason})
        return tx.changes

    # -- step 4: assignment and supervision ---------------------------------------------
    def assign(self, opinion_id: str, category: str, lead_unit: str, working_days: int = 15,
               co_units: list[str] | None = None, day: str | None = None, key: bool = False):
        """交办: category, 主办 and 协办 units, a deadline in working days (holidays counted)."""
        row = self.get(opinion_id)
        self._require(row, "assign")
        if category not in dict(CATEGORIES):
            raise ValidationError("请选择事项类别（社区自治 / 街道职责 / 部门职责）", field="category")
        lead_unit = clean(lead_unit)
        if not lead_unit:
            raise ValidationError("请选择主办单位", field="lead_unit")
        co_units = [clean(u) for u in (co_units or []) if clean(u) and clean(u) != lead_unit]
        day = self._today(day)
        try:
            working_days = int(working_days)
        except (TypeError, ValueError):
            raise ValidationError("办理期限应为工作日天数", field="working_days") from None
        deadline = self.calendar.add_working_days(date.fromisoformat(day), working_days).isoformat()
        values = {"status": "assigned", "category": category, "lead_unit": lead_unit,
                  "co_units": json.dumps(co_units, ensure_ascii=False) if co_units else None,
                  "assigned_on": day, "working_days": working_days, "deadline": deadline,
                  "key_supervision": 1 if key else row["key_supervision"]}
        with self.store.write("update", f"交办：{row['title']} → {lead_unit}") as tx:
            tx.update(self.table, opinion_id, values)
            self._event(tx, opinion_id, day, "assign", {
                "category": choice_label(CATEGORIES, category), "lead_unit": lead_unit, "co_units": co_units,
                "working_days": working_days, "deadline": deadline})
        return tx.changes

    def return_assignment(self, opinion_id: str, reason: str, day: str | None = None):
        """退办: the unit says the matter is not theirs; it waits for reassignment."""
        row = self.get(opinion_id)
        self._require(row, "return")
        reason = clean(reason)
        if not reason:
            raise ValidationError("请写明退办理由", field="reason")
        day = self._step_day(row, day, "退办", "assigned_on")
        with self.store.write("update", f"退办：{row['title']}（{row['lead_unit']}）") as tx:
            tx.update(self.table, opinion_id, {"status": "returned"})
            self._event(tx, opinion_id, day, "return", {"unit": row["lead_unit"], "reason": reason})
        return tx.changes

    def extend(self, opinion_id: str, extra_working_days: int, approved_by: str, reason: str = "",
               day: str | None = None):
        """延期 with approval: the deadline moves by working days."""
        row = self.get(opinion_id)
        self._require(row, "extend")
        approved_by = clean(approved_by)
        if not approved_by:
            raise ValidationError("延期须经批准，请填写批准人", field="approved_by")
        day = self._step_day(row, day, "延期", "assigned_on")
        current = as_day(row["deadline"])
        if current is None:  # written around the program (交办 always sets one): nothing to move
            raise ConflictError(f"“{row['title']}”没有有效的办理期限，不能延期；请核对交办信息")
        base = max(current, date.fromisoformat(day))
        deadline = self.calendar.add_working_days(base, int(extra_working_days)).isoformat()
        with self.store.write("update", f"延期：{row['title']} 至 {deadline}") as tx:
            tx.update(self.table, opinion_id, {"deadline": deadline})
            self._event(tx, opinion_id, day, "extend", {"from": row["deadline"], "to": deadline,
                                                       "approved_by": approved_by, "reason": clean(reason)})
        return tx.changes

    def set_key(self, opinion_id: str, key: bool):
        row = self.get(opinion_id)
        if key:
            self._require(row, "key")
        with self.store.write("update", f"{'列为' if key else '取消'}重点督办：{row['title']}") as tx:
            tx.update(self.table, opinion_id, {"key_supervision": 1 if key else 0})
            self._event(tx, opinion_id, date.today().isoformat(), "key", {"key": key})
        return tx.changes

    def supervise(self, opinion_id: str, day: str, method: str, content: str, progress: str = "",
                  delegate_ids=()):
        """A dated supervision record (append-only), with the delegates who took part (代表参与督办)."""
        row = self.get(opinion_id)
        self._require(row, "supervise")
        parse_date(day, "督办日期", "day")
        self._step_day(row, day, "督办", "assigned_on")
        if method not in SUPERVISION_METHODS:
            raise ValidationError(f"督办方式应为{'、'.join(SUPERVISION_METHODS)}之一", field="method")
        content = clean(content)
        if not content:
            raise ValidationError("请填写督办情况", field="content")
        people = self.store.delegates.serving_people(delegate_ids, "参与督办的代表", "delegate_ids", day)
        from app.storage.audit import current_actor

        with self.store.write("create", f"督办：{row['title']}（{method}）") as tx:
            supervision_id = tx.insert("supervisions", {"opinion_id": opinion_id, "day": day, "method": method,
                                                        "content": content, "progress": clean(progress) or None,
                                                        "actor": current_actor(self.db)})
            for person in people:
                tx.insert("supervision_delegates", {"supervision_id": supervision_id, "delegate_id": person["id"]})
        return tx.changes

    def answer(self, opinion_id: str, result: str, day: str | None = None):
        """The handling unit's result (办结); a feedback slip serial is issued."""
        row = self.get(opinion_id)
        self._require(row, "answer")
        result = clean(result)
        if not result:
            raise ValidationError("请填写办理结果", field="result")
        day = self._today(day)
        serial = row["feedback_serial"] or self._next_serial("HZ", "feedback_serial", int(day[:4]))
        with self.store.write("update", f"办结：{row['title']}") as tx:
            tx.update(self.table, opinion_id, {"status": "answered", "result": result, "answered_on": day,
                                               "feedback_serial": serial})
            self._event(tx, opinion_id, day, "answer", {"result": result, "serial": serial})
        return tx.changes

    # -- step 5: feedback ------------------------------------------------------------------
    def by_feedback_serial(self, serial: str) -> list[dict]:
        """The opinions a returned slip may belong to: one, or several when two offices issued the
        same number between exchanges (the clerk tells them apart by title)."""
        rows = self.store.rows("SELECT * FROM opinions WHERE feedback_serial = ? AND deleted = 0 ORDER BY answered_on, id",
                               [clean(serial).upper()])
        if not rows:
            raise NotFoundError(f"没有编号为“{serial}”的反馈回执")
        return rows

    def feedback(self, opinion_id: str, satisfaction: str, method: str, delegate_on: str | None = None,
                 residents_on: str | None = None):
        """结果反馈 to the delegate and the residents, with their satisfaction."""
        row = self.get(opinion_id)
        if row["status"] in ("collected", "topic", "deliberated", "assigned", "returned"):
            raise ConflictError("这条意见还没有办理结果（或不予采纳的决定），不能反馈。请先交办并登记办理结果。")
        self._require(row, "feedback")
        if satisfaction not in SATISFACTION:
            raise ValidationError(f"满意度应为{'、'.join(SATISFACTION)}之一", field="satisfaction")
        if method not in FEEDBACK_METHODS:
            raise ValidationError(f"反馈方式应为{'、'.join(FEEDBACK_METHODS)}之一", field="method")
        delegate_on = self._today(delegate_on)
        if residents_on:
            parse_date(residents_on, "反馈群众日期", "residents_on")
        serial = row["feedback_serial"] or self._next_serial("HZ", "feedback_serial", int(delegate_on[:4]))
        with self.store.write("update", f"反馈：{row['title']}（{satisfaction}）") as tx:
            tx.update(self.table, opinion_id, {
                "status": "fed_back", "satisfaction": satisfaction, "feedback_method": method,
                "feedback_delegate_on": delegate_on, "feedback_residents_on": residents_on,
                "feedback_serial": serial})
            self._event(tx, opinion_id, delegate_on, "feedback", {"satisfaction": satisfaction, "method": method})
        return tx.changes

    def close(self, opinion_id: str, day: str | None = None):
        row = self.get(opinion_id)
        if row["status"] != "fed_back":
            raise ConflictError("还没有向代表和群众反馈结果，不能办结归档（件件有回音）。")
        if row["satisfaction"] == "不满意":
            raise ConflictError("群众不满意，请先重办，或与群众沟通后重新反馈。")
        day = self._today(day)
        with self.store.write("update", f"办结归档：{row['title']}") as tx:
            tx.update(self.table, opinion_id, {"status": "closed", "closed_on": day})
            self._event(tx, opinion_id, day, "close")
        return tx.changes

    def reopen(self, opinion_id: str, reason: str, working_days: int = 10, day: str | None = None):
        """重办 after dissatisfaction: back to the unit with a new deadline."""
        row = self.get(opinion_id)
        self._require(row, "reopen")
        if not row["lead_unit"]:
            raise ConflictError("这条意见没有交办过，不能重办；请直接交办。")
        reason = clean(reason)
        if not reason:
            raise ValidationError("请写明重办理由", field="reason")
        day = self._step_day(row, day, "重办", "answered_on", "feedback_delegate_on")
        deadline = self.calendar.add_working_days(date.fromisoformat(day), int(working_days)).isoformat()
        with self.store.write("update", f"重办：{row['title']}") as tx:
            # the next round's result and feedback are still to come (the last ones stay in the history)
            tx.update(self.table, opinion_id, {"status": "assigned", "deadline": deadline, "closed_on": None,
                                               "result": None, "answered_on": None, "satisfaction": None,
                                               "feedback_delegate_on": None, "feedback_residents_on": None,
                                               "feedback_method": None})
            self._event(tx, opinion_id, day, "reopen", {"reason": reason, "deadline": deadline})
        return tx.changes

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
