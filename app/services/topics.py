"""Topics (议题): step 2 and 3 of the five-step method.

A group leader screens collected opinions, merges duplicates into one topic (并案, reversible),
proposes it; the 工委 approves; the group deliberates it at an activity, whose minutes' action
item can then be assigned to every opinion of the topic.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import date

from app.common.errors import ConflictError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules.codes import TOPIC_STATUSES, VIEWS
from app.services.base import FieldSpec, Service, choice_label
from app.services.rows import OpinionRow, Row
from app.storage.changes import Changes

_CONSULT_NS = uuid.UUID("0b7d3f0e-8a44-4c1b-9a3e-5d2c6f1e7a90")


def consultation_id(topic_id: str, delegate_id: str) -> str:
    # Deterministic: one view per member and topic, the same row in every office.
    return str(uuid.uuid5(_CONSULT_NS, f"{topic_id}/{delegate_id}"))


class TopicService(Service[Row]):
    table = "topics"
    row_type = Row
    noun = "议题"
    fields = (
        FieldSpec("title", "议题", required=True),
        FieldSpec("group_id", "议事小组", "ref", ref="groups"),
        FieldSpec("lead_delegate_id", "牵头代表", "ref", ref="delegates"),
        FieldSpec("summary", "情况说明", "multiline"),
        FieldSpec("urgency", "紧迫性（1—5）", "int"),
        FieldSpec("feasibility", "可行性（1—5）", "int"),
    )

    def title(self, row):
        return row.get("title") or ""

    def check(self, values, existing):
        for key, label in (("urgency", "紧迫性"), ("feasibility", "可行性")):
            if values.get(key) is not None and not 1 <= values[key] <= 5:
                raise ValidationError(f"{label}评分应为 1—5 分", field=key)
        self.live_ref("groups", values.get("group_id"), "议事小组", "group_id")
        self.live_ref("delegates", values.get("lead_delegate_id"), "代表", "lead_delegate_id")

    def titles_of_meeting(self, meeting_id: str) -> builtins.list[str]:
        """The topics deliberated at a meeting, by title (a brief's headline names them)."""
        return [t["title"] for t in self.store.rows("SELECT title FROM topics WHERE meeting_id = ? AND deleted = 0"
                                                    " ORDER BY title", [meeting_id])]

    def list(self, group_id: str | None = None) -> list[dict]:
        where, params = "t.deleted = 0", []
        if group_id:
            where += " AND t.group_id = ?"
            params.append(group_id)
        rows = self.store.rows(
            f"""SELECT t.*, g.name AS group_name, d.name AS lead_name, m.title AS meeting_title,
                   (SELECT count(*) FROM opinions o WHERE o.topic_id = t.id AND o.deleted = 0) AS opinion_count,
                   (SELECT CASE WHEN count(*) THEN count(*) || ' 人，同意 ' || sum(c.view = '同意') END
                      FROM consultations c WHERE c.topic_id = t.id AND c.deleted = 0) AS consulted,
                   (SELECT p.title FROM plans p WHERE p.topic_id = t.id AND p.deleted = 0) AS plan_title,
                   (SELECT CASE WHEN count(*) THEN count(*) || ' 次，' || max(f.day) END FROM field_surveys f
                      WHERE f.topic_id = t.id AND f.deleted = 0) AS surveyed
                FROM topics t LEFT JOIN groups g ON g.id = t.group_id
                LEFT JOIN delegates d ON d.id = t.lead_delegate_id LEFT JOIN meetings m ON m.id = t.meeting_id
                WHERE {where} ORDER BY t.status = 'deliberated', g.sort_order, t.title""", params)
        for row in rows:
            row["status_label"] = choice_label(TOPIC_STATUSES, row["status"])
        return rows

    def opinions(self, topic_id: str) -> builtins.list[dict]:
        return self.store.rows("SELECT * FROM opinions WHERE topic_id = ? AND deleted = 0 ORDER BY received_on",
                               [topic_id])

    def _live_opinions(self, opinion_ids: builtins.list[str], allowed=("collected",)) -> builtins.list[OpinionRow]:
        rows = []
        for opinion_id in opinion_ids:
            row = self.store.opinions.get(opinion_id)
            if row["status"] not in allowed:
                raise ConflictError(f"“{row['title']}”已经不在“已收集”阶段，不能并入议题")
            rows.append(row)
        return rows

    def _merge_day(self, day: str | None, rows: builtins.list[OpinionRow]) -> str:
        """The day of 确定议题 (并案): not in the future, and not before any merged opinion was
        received or reported to the group leader (the steps it follows)."""
        day = day or date.today().isoformat()
        parse_date(day, "确定议题日期", "formed_on")
        if day > date.today().isoformat():
            raise ValidationError(f"确定议题日期 {day} 晚于今天", field="formed_on")
        for row in rows:
            for label, before in (("收集日期", row["received_on"]), ("上报组长日期", row.get("reported_on"))):
                if before and day < before:
                    raise ValidationError(f"确定议题日期 {day} 早于意见“{row['title']}”的{label}（{before}）",
                                          field="formed_on")
        return day

    def create(self, values: dict, opinion_ids: builtins.list[str] | None = None, day: str | None = None):
        """Propose a topic, merging the given collected opinions into it (并案) on `day` (today by
        default): the topic's 确定议题日期, which 工委审核 may not precede."""
        values = self.prepare(dict(values))
        values["status"] = "proposed"
        rows = self._live_opinions(opinion_ids or [])
        day = values["formed_on"] = self._merge_day(day, rows)
        with self.store.write("create", f"确定议题：{values['title']}（并案 {len(rows)} 条意见）") as tx:
            topic_id = tx.insert(self.table, values)
            for row in rows:
                tx.update("opinions", row["id"], {"status": "topic", "topic_id": topic_id})
                self.store.opinions._event(tx, row["id"], day, "topic", {"topic": values["title"]})
        return tx.changes

    def add_opinions(self, topic_id: str, opinion_ids: builtins.list[str], day: str | None = None):
        """Merge more opinions into a topic not yet deliberated (one received after the topic was
        reviewed joins it as it stands)."""
        topic = self.get(topic_id)
        if topic["status"] == "deliberated":
            raise ConflictError("议题已经集中议事，不能再并入意见")
        rows = self._live_opinions(opinion_ids)
        day = self._merge_day(day, rows)
        with self.store.write("update", f"并入议题：{topic['title']}（{len(rows)} 条）") as tx:
            for row in rows:
                tx.update("opinions", row["id"], {"status": "topic", "topic_id": topic_id})
                self.store.opinions._event(tx, row["id"], day, "topic", {"topic": topic["title"]})
        return tx.changes

    def remove_opinion(self, opinion_id: str):
        """Undo a merge: the opinion goes back to 已收集."""
        row = self.store.opinions.get(opinion_id)
        if row["status"] != "topic":
            raise ConflictError("只有“已列入议题”的意见可以撤出议题")
        with self.store.write("update", f"撤出议题：{row['title']}") as tx:
            tx.update("opinions", opinion_id, {"status": "collected", "topic_id": None})
            self.store.opinions._event(tx, opinion_id, date.today().isoformat(), "untopic")
        return tx.changes

    def review(self, topic_id: str, approved: bool, day: str, by: str, note: str = ""):
        """工委审核: date, by whom and its opinion are recorded."""
        topic = self.get(topic_id)
        if topic["status"] not in ("proposed", "rejected", "approved"):
            raise ConflictError("议题已经集中议事，不能再审核")
        parse_date(day, "审核日期", "approved_on")
        by = clean(by)
        if not by:
            raise ValidationError("请填写审核人", field="approved_by")
        with self.store.write("update", f"{'同意' if approved else '不同意'}议题：{topic['title']}") as tx:
            tx.update(self.table, topic_id, {"status": "approved" if approved else "rejected",
                                             "approved_on": day, "approved_by": by,
                                             "approval_note": clean(note) or None})
        return tx.changes

    def default_reviewer(self) -> str:
        """Who 工委审核 is usually signed by: 设置's 审核人, else the one who reviewed last, else the 签发人."""
        settings = self.store.settings
        return (settings.get("reviewer") or self.store.scalar(
            "SELECT approved_by FROM topics WHERE deleted = 0 AND approved_by IS NOT NULL AND approved_by != ''"
            " ORDER BY approved_on DESC, id DESC LIMIT 1") or settings.get("signer") or "")

    def deliberation_choices(self, group_id: str | None) -> dict:
        """The group's meetings and their minutes' action items, to link a topic to."""
        meetings = self.store.rows("SELECT id, date, title FROM meetings WHERE deleted = 0 AND group_id = ?"
                                   " ORDER BY date DESC", [group_id])
        items = self.store.rows("SELECT a.id, a.content, m.date FROM action_items a JOIN meetings m"
                                " ON m.id = a.meeting_id WHERE a.deleted = 0 AND m.group_id = ?"
                                " ORDER BY m.date DESC", [group_id])
        return {"meetings": [(m["id"], f"{m['date']} {m['title']}") for m in meetings],
                "action_items": [(a["id"], f"{a['date']} {a['content']}") for a in items]}

    # -- 征求小组代表意见 ------------------------------------------------------------------
    def consultation(self, topic_id: str) -> builtins.list[dict]:
        """The group's serving members with the view each gave (one screen)."""
        topic = self.get(topic_id)
        given = {r["delegate_id"]: r for r in self.store.rows(
            "SELECT * FROM consultations WHERE topic_id = ? AND deleted = 0", [topic_id])}
        members = self.store.delegates.serving_on(date.today().isoformat(), topic["group_id"]) \
            if topic["group_id"] else []
        rows = []
        for person in members:
            view = given.pop(person["id"], None)
            rows.append({"delegate_id": person["id"], "name": person["name"], "role": person["group_role"],
                         "community_name": person["community_name"], "view": view["view"] if view else None,
                         "comment": view["comment"] if view else None, "day": view["day"] if view else None})
        for view in given.values():  # a member since gone: their view stays
            name = self.store.scalar("SELECT name FROM delegates WHERE id = ?", [view["delegate_id"]])
            rows.append({"delegate_id": view["delegate_id"], "name": name, "role": None, "community_name": None,
                         "view": view["view"], "comment": view["comment"], "day": view["day"]})
        return rows

    def consult(self, topic_id: str, views: builtins.list[dict], day: str):
        """征求小组代表意见 before the topic is settled: each member's view (同意 / 有补充意见 /
        不同意 / 未表态) and remark, in one edit; the opinions of the topic record it."""
        topic = self.get(topic_id)
        if topic["status"] == "deliberated":
            raise ConflictError("议题已经集中议事，不再征求意见")
        parse_date(day, "征求意见日期", "day")
        if day > date.today().isoformat():
            raise ValidationError(f"征求意见日期 {day} 晚于今天", field="day")
        given = []
        for item in views:
            view = clean(item.get("view"))
            if not view:
                continue
            if view not in VIEWS:
                raise ValidationError(f"代表意见应为{'、'.join(VIEWS)}之一", field="view")
            comment = clean(item.get("comment")) or None
            if view in ("有补充意见", "不同意") and not comment:
                name = self.store.scalar("SELECT name FROM delegates WHERE id = ?", [item["delegate_id"]])
                raise ValidationError(f"{name}“{view}”：请写明具体意见", field="comment")
            given.append({"delegate_id": item["delegate_id"], "view": view, "comment": comment, "day": day})
        if not given:
            raise ValidationError("请至少记录一名代表的意见")
        names = {r["id"]: r["name"] for r in self.store.rows(
            f"SELECT id, name FROM delegates WHERE id IN ({','.join('?' * len(given))})",
            [g["delegate_id"] for g in given])}
        agree = sum(1 for g in given if g["view"] == "同意")
        with self.store.write("update", f"征求小组代表意见：{topic['title']}（{len(given)} 人，同意 {agree}）") as tx:
            for g in given:
                row_id = consultation_id(topic_id, g["delegate_id"])
                if self.store.scalar("SELECT 1 FROM consultations WHERE id = ?", [row_id]):
                    tx.update("consultations", row_id, g)
                else:
                    tx.insert("consultations", {"topic_id": topic_id, **g}, row_id=row_id)
            detail = {"topic": topic["title"],
                      "views": [{"name": names.get(g["delegate_id"], ""), "view": g["view"], "comment": g["comment"]}
                                for g in given]}
            for row in self.opinions(topic_id):
                self.store.opinions._event(tx, row["id"], day, "consult", detail)
        return tx.changes

    def deliberate(self, topic_id: str, meeting_id: str, action_item_id: str | None = None):
        """Link an approved topic to the group activity that deliberated it (step 3)."""
        topic = self.get(topic_id)
        if topic["status"] != "approved":
            raise ConflictError("议题须经人大街道工委审核同意后才能集中议事")
        meeting = self.store.meetings.get(meeting_id)
        if action_item_id and not self.store.scalar(
                "SELECT 1 FROM action_items WHERE id = ? AND meeting_id = ? AND deleted = 0",
                [action_item_id, meeting_id]):
            raise ValidationError("所选落实事项不属于这次会议", field="action_item_id")
        with self.store.write("update", f"集中议事：{topic['title']}（{meeting['title']}）") as tx:
            tx.update(self.table, topic_id, {"status": "deliberated", "meeting_id": meeting_id,
                                             "action_item_id": action_item_id})
            plan = self.store.plans.for_topic(topic_id)
            if plan and not plan["meeting_id"]:  # the activity carries out the group's plan
                tx.update("plans", plan["id"], {"meeting_id": meeting_id})
            for row in self.opinions(topic_id):
                if row["status"] == "topic":
                    tx.update("opinions", row["id"], {"status": "deliberated"})
                    self.store.opinions._event(tx, row["id"], meeting["date"], "deliberate",
                                             {"meeting": meeting["title"]})
        return tx.changes

    def assign_from_minutes(self, topic_id: str, category: str, working_days: int | None = None,
                            day: str | None = None):
        """The minutes' action item becomes the assignment of every opinion of the topic."""
        topic = self.get(topic_id)
        if not topic["action_item_id"]:
            raise ConflictError("这个议题没有关联会议纪要中的落实事项")
        item = self.store.rows("SELECT * FROM action_items WHERE id = ?", [topic["action_item_id"]])[0]
        if not item["unit"]:
            raise ValidationError("落实事项没有写明责任单位，请先在会议纪要中补充")
        day = day or date.today().isoformat()
        if working_days is None:
            if item["deadline"] and item["deadline"] > day:
                working_days = max(1, self.store.opinions.calendar.working_days_between(
                    date.fromisoformat(day), date.fromisoformat(item["deadline"])))
            else:
                working_days = 15
        units = [u.strip() for u in item["unit"].replace("，", "、").split("、") if u.strip()]
        changes = Changes()
        with self.store.db.atomic():  # all of the topic's opinions, or none
            for row in self.opinions(topic_id):
                if row["status"] == "deliberated":
                    changes.rows += self.store.opinions.assign(row["id"], category, units[0], working_days,
                                                             co_units=units[1:], day=day).rows
        if not changes:
            raise ConflictError("议题中没有等待交办的意见")
        return changes
