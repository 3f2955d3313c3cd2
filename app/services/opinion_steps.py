"""The five-step method's step table (五步工作法) and the transitions that walk an opinion along it.

收集 → 确定议题 → 集中议事 → 办理监督 → 结果反馈. Every transition checks where the opinion is,
writes the opinion and an append-only event in one transaction, and refuses illegal jumps
(feedback before assignment, closing without feedback...) with a Chinese message. The table
(NEXT_STEPS) is the one the service enforces and the opinion window asks which actions to offer.

OpinionSteps is the ledger's service minus intake and reading: OpinionService (opinions.py)
extends it, so callers keep `store.opinions.assign(...)`. Step 2's topics and step 3's
deliberation are written by the topics and plans services, through `_event`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules import as_day, today
from app.rules.book import OPINION_LABELS
from app.rules.codes import CATEGORIES, FEEDBACK_METHODS, SATISFACTION, SUPERVISION_METHODS
from app.rules.codes import OPINION_STATUSES as STATUSES
from app.services.base import Service, choice_label
from app.services.rows import OpinionRow

STEPS = {1: ("收集意见", ("collected",)), 2: ("确定议题", ("topic", "declined")),
         3: ("集中议事", ("deliberated",)), 4: ("办理监督", ("assigned", "returned", "answered")),
         5: ("结果反馈", ("fed_back", "closed"))}
OPEN = ("assigned", "returned")
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


def step_of(status: str) -> int:
    """The step of the five-step method a status belongs to; 0 for a status this version does not
    know (a row written around the program: shown marked, counted nowhere)."""
    return next((step for step, (_, statuses) in STEPS.items() if status in statuses), 0)


class OpinionSteps(Service[OpinionRow]):
    """The transitions of steps 1 (上报组长), 2 (screening, 不予采纳), 4 and 5, and what they share."""

    table = "opinions"
    row_type = OpinionRow
    noun = "意见建议"

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

    # -- step 1: 上报组长 -------------------------------------------------------------
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
