"""议事方案: the group's plan for deliberating a topic (step 3 of the five-step method):
"各议事小组制定议事方案，组织议事代表及相关部门就议题内容开展实地走访调研、在议事厅座谈协商".

One plan per topic: its purpose, who takes part, when and where, the steps, the departments
invited; linked to the activity (meeting) that carries it out, and exported as a document.
"""

from __future__ import annotations

import json
from datetime import date

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules.codes import MARK
from app.rules.fields import names_of
from app.services.base import FieldSpec, Service
from app.services.rows import Row

PLAN_FIELDS = (
    FieldSpec("title", "方案名称", required=True),
    FieldSpec("purpose", "议事目的", "multiline"),
    FieldSpec("participants", "参加人员", "multiline"),
    FieldSpec("planned_on", "计划日期", "date"),
    FieldSpec("planned_time", "时间（如 9:00—11:30）"),
    FieldSpec("place", "地点"),
    FieldSpec("steps", "议事步骤（每行一步）", "multiline"),
    FieldSpec("departments", "邀请部门", "checklist"),
)


class PlanService(Service[Row]):
    table = "plans"
    row_type = Row
    noun = "议事方案"
    fields = PLAN_FIELDS

    def title(self, row):
        return row.get("title") or ""

    def dated_between(self, start: str, end: str) -> list[dict]:
        """The 议事方案 planned (or drafted) between two days, with their topic's title (the archive)."""
        return self.store.rows("SELECT p.id, p.title, coalesce(p.planned_on, p.drafted_on) AS day FROM plans p"
                               " JOIN topics t ON t.id = p.topic_id WHERE p.deleted = 0 AND t.deleted = 0"
                               " AND coalesce(p.planned_on, p.drafted_on) BETWEEN ? AND ? ORDER BY day, p.title",
                               [start, end])

    def for_topic(self, topic_id: str) -> dict | None:
        rows = self.store.rows("SELECT * FROM plans WHERE topic_id = ? AND deleted = 0", [topic_id])
        return self._decorate(rows[0]) if rows else None

    def resolve(self, given: str) -> dict:
        """A plan named by its own id, its topic's, or an opinion of its topic."""
        if self.store.scalar("SELECT 1 FROM plans WHERE id = ? AND deleted = 0", [given]):
            return self._decorate(self.get(given))
        if self.store.scalar("SELECT 1 FROM topics WHERE id = ? AND deleted = 0", [given]):
            plan = self.for_topic(given)
            if not plan:
                raise NotFoundError("这个议题还没有议事方案（在“意见建议 → 议题筛选”中制定）")
            return plan
        return self.for_opinion(given)

    def for_opinion(self, opinion_id: str) -> dict:
        """The plan of the topic an opinion was merged into (`export doc plan OPINION`)."""
        self.store.opinions.get(opinion_id)
        topic_id = self.store.scalar("SELECT topic_id FROM opinions WHERE id = ?", [opinion_id])
        plan = self.for_topic(topic_id) if topic_id else None
        if not plan:
            raise NotFoundError("这条意见建议所在的议题还没有议事方案（在“意见建议 → 议题筛选”中制定）")
        return plan

    def _decorate(self, row: dict) -> dict:
        row["departments_list"] = names_of(row.get("departments"))
        row["steps_list"] = [line.strip() for line in (row.get("steps") or "").splitlines() if line.strip()]
        row["meeting_title"] = self.store.scalar("SELECT title FROM meetings WHERE id = ?", [row.get("meeting_id")])
        row["meeting_date"] = self.store.scalar("SELECT date FROM meetings WHERE id = ?", [row.get("meeting_id")])
        found = self.store.rows("SELECT title, group_id FROM topics WHERE id = ?", [row["topic_id"]])
        # a plan whose topic is not here (a row written around the program): its reference shown marked
        topic = found[0] if found else {"title": f"{MARK}{row['topic_id']}", "group_id": None}
        row["topic_title"], row["group_id"] = topic["title"], topic["group_id"]
        row["group_name"] = self.store.scalar("SELECT name FROM groups WHERE id = ?", [topic["group_id"]])
        return row

    def defaults(self, topic_id: str) -> dict:
        """A new plan's starting values, from its topic and group."""
        topic = self.store.topics.get(topic_id)
        group = self.store.scalar("SELECT name FROM groups WHERE id = ?", [topic["group_id"]]) or ""
        members = self.store.delegates.serving_on(date.today().isoformat(), topic["group_id"]) \
            if topic["group_id"] else []
        return {"title": f"关于“{topic['title']}”的议事方案", "purpose": topic.get("summary") or "",
                "participants": f"{group}议事代表" + (f"（{len(members)} 人）" if members else ""),
                "steps": "实地走访调研，听取群众意见\n在议事厅座谈协商，提出解决建议、措施和办法\n"
                         "形成会议纪要，明确落实事项及责任分工"}

    def save(self, topic_id: str, values: dict, day: str | None = None):
        """Draft the topic's plan, or revise it; the first draft goes into each opinion's history."""
        topic = self.store.topics.get(topic_id)
        if topic["status"] == "rejected":
            raise ConflictError("议题未经人大街道工委同意，不能制定议事方案")
        departments = values.get("departments")
        values = self.prepare({k: v for k, v in values.items() if k != "departments"},
                              self.for_topic(topic_id))
        if departments is not None:
            values["departments"] = json.dumps([clean(d) for d in departments if clean(d)], ensure_ascii=False) \
                if isinstance(departments, (list, tuple)) else (clean(departments) or None)
        if values.get("planned_on"):
            parse_date(values["planned_on"], "计划日期", "planned_on")
        existing = self.for_topic(topic_id)
        day = day or date.today().isoformat()
        opinions = self.store.topics.opinions(topic_id)
        with self.store.write("update" if existing else "create",
                              f"{'修改' if existing else '制定'}议事方案：{topic['title']}") as tx:
            if existing:
                tx.update(self.table, existing["id"], values)
            else:
                tx.insert(self.table, {**values, "topic_id": topic_id, "drafted_on": day})
                for row in opinions:
                    self.store.opinions._event(tx, row["id"], day, "plan", {
                        "title": values["title"], "planned_on": values.get("planned_on"),
                        "place": values.get("place")})
        return tx.changes

    def save_and_link(self, topic_id: str, values: dict, meeting_id: str | None) -> str:
        """The plan form: its values and the activity that carries it out, in one edit."""
        with self.store.db.atomic():
            self.save(topic_id, values)
            plan = self.for_topic(topic_id)
            if plan and meeting_id != plan["meeting_id"]:
                self.link(plan["id"], meeting_id)
        return plan["id"] if plan else ""

    def link(self, plan_id: str, meeting_id: str | None):
        """The activity that carries the plan out."""
        plan = self.get(plan_id)
        if meeting_id:
            meeting = self.store.meetings.get(meeting_id)
            topic = self.store.topics.get(plan["topic_id"])
            if topic["group_id"] and meeting.get("group_id") and meeting["group_id"] != topic["group_id"]:
                raise ValidationError("所选活动不是本议题所在小组的活动", field="meeting_id")
        with self.store.write("update", f"议事方案关联活动：{plan['title']}") as tx:
            tx.update(self.table, plan_id, {"meeting_id": meeting_id})
        return tx.changes
