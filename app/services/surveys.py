"""实地走访调研: step 3 of the five-step method has the group "组织议事代表及相关部门就议题内容开展实地走访调研"
before it meets. Each survey of a topic is recorded: the day, the place, the delegates and units who
went, what they found, and the photos taken; it shows in the history of each opinion of the topic and
is printed in the topic's 议事方案."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

from app.common.errors import NotFoundError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules.fields import names_of
from app.storage import attachments, photos

SURVEY_LABEL = "实地走访调研"


class SurveyService:
    def __init__(self, store):
        self.store = store

    # -- reading -------------------------------------------------------------------------------------
    def list(self, topic_id: str) -> list[dict]:
        """The topic's surveys, oldest first, each with who went, the units and the photos."""
        rows = self.store.rows(
            """SELECT f.*, k.wall_ms, k.counter FROM field_surveys f
               LEFT JOIN clocks k ON k.tbl = 'field_surveys' AND k.row_id = f.id AND k.field = 'deleted'
               WHERE f.topic_id = ? AND f.deleted = 0 ORDER BY f.day, k.wall_ms, k.counter""", [topic_id])
        for row in rows:
            people = self.store.rows(
                """SELECT d.id, d.name FROM survey_delegates p JOIN delegates d ON d.id = p.delegate_id
                   WHERE p.survey_id = ? AND p.deleted = 0 ORDER BY d.name_pinyin""", [row["id"]])
            row["delegate_ids"] = [p["id"] for p in people]
            row["delegate_names"] = [p["name"] for p in people]
            row["units_list"] = names_of(row.get("units"))
            row["photos"] = self.photos(row["id"])
            row["wall_ms"], row["counter"] = row["wall_ms"] or 0, row["counter"] or 0
        return rows

    def for_opinion(self, opinion_id: str) -> builtins.list[dict]:
        topic_id = self.store.scalar("SELECT topic_id FROM opinions WHERE id = ?", [opinion_id])
        return self.list(topic_id) if topic_id else []

    def describe(self, row: dict) -> str:
        """One line of Chinese: who went where, and what they found."""
        who = "、".join(row["delegate_names"])
        units = "、".join(row["units_list"])
        went = f"{who}{'等代表' if who else ''}{'会同' + units if units and who else units}"
        text = f"{went}到{row['place']}实地走访调研" if went else f"到{row['place']}实地走访调研"
        if row.get("findings"):
            text += f"；发现：{row['findings'].strip()}"
        if row["photos"]:
            text += f"（照片 {len(row['photos'])} 张）"
        return text

    def timeline_entries(self, topic_id: str | None) -> builtins.list[dict]:
        """The topic's surveys as entries of an opinion's history."""
        if not topic_id:
            return []
        return [{**row, "kind": "survey", "label": SURVEY_LABEL, "text": self.describe(row), "actor": None}
                for row in self.list(topic_id)]

    def topic_start(self, topic_id: str) -> str | None:
        """The day the topic was formed: the first of its opinions taken into it (else received)."""
        return self.store.scalar(
            """SELECT min(day) FROM (
                 SELECT e.day FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id
                  WHERE o.topic_id = ?1 AND o.deleted = 0 AND e.deleted = 0 AND e.kind = 'topic'
                 UNION ALL SELECT received_on FROM opinions WHERE topic_id = ?1 AND deleted = 0
                   AND NOT EXISTS (SELECT 1 FROM opinion_events e WHERE e.opinion_id = opinions.id
                                   AND e.deleted = 0 AND e.kind = 'topic'))""", [topic_id])

    def photos(self, survey_id: str) -> builtins.list[dict]:
        rows = self.store.rows("SELECT * FROM survey_photos WHERE survey_id = ? AND deleted = 0 ORDER BY rowid",
                               [survey_id])
        for row in rows:
            row["path"] = str(attachments.stored_path(self.store, row))
        return rows

    def _get(self, survey_id: str) -> dict:
        rows = self.store.rows("SELECT * FROM field_surveys WHERE id = ? AND deleted = 0", [survey_id])
        if not rows:
            raise NotFoundError("找不到这次实地走访调研")
        return rows[0]

    # -- writing -------------------------------------------------------------------------------------
    def save(self, topic_id: str, values: dict, delegate_ids=(), survey_id: str | None = None):
        """Record a survey of the topic (or change `survey_id`): day, place, units, findings, and the
        delegates who went (serving that day)."""
        topic = self.store.rows("SELECT id, title FROM topics WHERE id = ? AND deleted = 0", [topic_id])
        if not topic:
            raise NotFoundError("找不到这个议题")
        existing = self._get(survey_id) if survey_id else None
        day = values.get("day") or (existing or {}).get("day")
        parse_date(day, "调研日期", "day")
        start = self.topic_start(topic_id)
        if start and str(day) < start:
            raise ValidationError(f"调研日期 {day} 早于议题的确定（{start}），实地走访调研在确定议题之后", field="day")
        place = clean(values.get("place") if "place" in values else (existing or {}).get("place"))
        if not place:
            raise ValidationError("请填写调研地点", field="place")
        units = [clean(u) for u in (values.get("units") or []) if clean(u)]
        row = {"topic_id": topic_id, "day": day, "place": place,
               "units": json.dumps(list(dict.fromkeys(units)), ensure_ascii=False) if units else None,
               "findings": clean(values.get("findings")) or None}
        people = self.store.delegates.serving_people(delegate_ids, "参加调研的代表", "delegate_ids", day)
        if not people:
            raise ValidationError("请选择参加调研的代表", field="delegate_ids")
        summary = f"{SURVEY_LABEL}：{topic[0]['title']}（{day} {place}）"
        with self.store.write("update" if existing else "create", summary) as tx:
            if existing:
                tx.update("field_surveys", existing["id"], row)
                survey = existing["id"]
            else:
                survey = tx.insert("field_surveys", row)
            had = {r["delegate_id"]: r["id"] for r in self.store.rows(
                "SELECT id, delegate_id FROM survey_delegates WHERE survey_id = ? AND deleted = 0", [survey])}
            wanted = [p["id"] for p in people]
            for delegate_id, link in had.items():
                if delegate_id not in wanted:
                    tx.delete("survey_delegates", link)
            for delegate_id in wanted:
                if delegate_id not in had:
                    tx.insert("survey_delegates", {"survey_id": survey, "delegate_id": delegate_id})
        return tx.changes

    def delete(self, survey_id: str):
        row = self._get(survey_id)
        with self.store.write("delete", f"删除{SURVEY_LABEL}：{row['day']} {row['place']}") as tx:
            for link in self.store.rows("SELECT id FROM survey_delegates WHERE survey_id = ? AND deleted = 0",
                                        [survey_id]):
                tx.delete("survey_delegates", link["id"])
            for photo in self.photos(survey_id):
                tx.delete("survey_photos", photo["id"])
            tx.delete("field_surveys", survey_id)
        return tx.changes

    def add_photo(self, survey_id: str, source: str | Path, title: str | None = None):
        """A photo taken on the survey, kept shrunk and without its metadata (`storage.photos`)."""
        row = self._get(survey_id)
        kept = photos.take_in(self.store, source)
        title = clean(title) or Path(source).stem
        with self.store.write("create", f"添加调研照片：{title}（{row['place']}）") as tx:
            tx.insert("survey_photos", {"survey_id": survey_id, "title": title[:200], **kept})
        return tx.changes

    def remove_photo(self, photo_id: str):
        rows = self.store.rows("SELECT * FROM survey_photos WHERE id = ? AND deleted = 0", [photo_id])
        if not rows:
            raise NotFoundError("找不到这张照片")
        with self.store.write("delete", f"删除调研照片：{rows[0]['title']}") as tx:
            tx.delete("survey_photos", photo_id)
        return tx.changes
