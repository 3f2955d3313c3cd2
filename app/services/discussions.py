"""What happens in a meeting besides its minutes (会中): the opinions raised there (会中汇总意见建议),
and a plenary's group discussions (分组讨论), each group in a room of the venue hosting the meeting,
with its convener and the points it discussed.

The rooms a meeting books — its own and its groups' — are held to one booking at a time by the rule
book (`rules/bookings.py`), at every door."""

from __future__ import annotations

import builtins

from app.common.errors import ConflictError, NotFoundError, ValidationError
from app.common.textutil import clean
from app.rules.meeting_kinds import kind_of
from app.services.base import FieldSpec

DISCUSSION_FIELDS = (
    FieldSpec("group_id", "讨论组", "ref", required=True, ref="groups"),
    FieldSpec("room_id", "会议室", "ref", ref="rooms"),
    FieldSpec("start_time", "开始时间"),
    FieldSpec("end_time", "结束时间"),
    FieldSpec("convener_id", "召集人", "ref", ref="delegates"),
    FieldSpec("points", "讨论要点", "multiline"),
)


class DiscussionService:
    def __init__(self, store):
        self.store = store

    def _meeting(self, meeting_id: str) -> dict:
        rows = self.store.rows("SELECT * FROM meetings WHERE id = ? AND deleted = 0", [meeting_id])
        if not rows:
            raise NotFoundError("找不到这次会议")
        return rows[0]

    # -- 分组讨论 -------------------------------------------------------------------------------
    def list(self, meeting_id: str) -> list[dict]:
        return self.store.rows(
            """SELECT d.*, g.name AS group_name, r.name AS room_name, p.name AS convener_name
               FROM meeting_discussions d LEFT JOIN groups g ON g.id = d.group_id LEFT JOIN rooms r ON r.id = d.room_id
               LEFT JOIN delegates p ON p.id = d.convener_id
               WHERE d.meeting_id = ? AND d.deleted = 0 ORDER BY d.sort_order, g.sort_order""", [meeting_id])

    def rooms(self, meeting_id: str) -> builtins.list[tuple[str, str]]:
        """The rooms of the venue hosting the meeting (those its groups may book)."""
        venue = self._meeting(meeting_id).get("venue_id")
        return [(r["id"], r["name"]) for r in self.store.rows(
            "SELECT id, name FROM rooms WHERE venue_id = ? AND deleted = 0 ORDER BY sort_order, name", [venue])]

    def save(self, meeting_id: str, values: dict, discussion_id: str | None = None):
        """Record one group's discussion (new, or `discussion_id` changed)."""
        meeting = self._meeting(meeting_id)
        if not kind_of(meeting["kind"]).discussions:
            raise ConflictError(f"{kind_of(meeting['kind']).label}不分组讨论")
        row = {k: (clean(v) if isinstance(v, str) else v) or None for k, v in values.items()
               if k in {f.name for f in DISCUSSION_FIELDS}}
        existing = None
        if discussion_id:
            found = self.store.rows("SELECT * FROM meeting_discussions WHERE id = ? AND meeting_id = ? AND deleted = 0",
                                    [discussion_id, meeting_id])
            if not found:
                raise NotFoundError("找不到这个讨论组")
            existing = found[0]
        merged = {**(existing or {}), **row}
        if not merged.get("group_id"):
            raise ValidationError("请选择讨论组", field="group_id")
        if merged.get("convener_id"):
            person = self.store.delegates.serving_people([merged["convener_id"]], "召集人", "convener_id",
                                                          min(meeting["date"], _today()))[0]
            if person["group_id"] != merged["group_id"]:
                raise ValidationError(f"召集人{person['name']}不是这个讨论组（议事小组）的代表", field="convener_id")
        group = self.store.scalar("SELECT name FROM groups WHERE id = ?", [merged["group_id"]]) or ""
        with self.store.write("update" if existing else "create", f"分组讨论：{meeting['title']}（{group}）") as tx:
            if existing:
                tx.update("meeting_discussions", existing["id"], row)
            else:
                order = self.store.scalar("SELECT coalesce(max(sort_order), 0) + 1 FROM meeting_discussions"
                                          " WHERE meeting_id = ?", [meeting_id])
                tx.insert("meeting_discussions", {**row, "meeting_id": meeting_id, "sort_order": order})
        return tx.changes

    def delete(self, discussion_id: str):
        found = self.store.rows("SELECT d.id, g.name FROM meeting_discussions d LEFT JOIN groups g ON g.id = d.group_id"
                                " WHERE d.id = ? AND d.deleted = 0", [discussion_id])
        if not found:
            raise NotFoundError("找不到这个讨论组")
        with self.store.write("delete", f"删除分组讨论：{found[0]['name'] or ''}") as tx:
            tx.delete("meeting_discussions", discussion_id)
        return tx.changes

    # -- 会中意见建议 -----------------------------------------------------------------------------
    def opinions(self, meeting_id: str) -> builtins.list[dict]:
        """The opinions raised at the meeting."""
        from app.services.base import choice_label
        from app.services.opinions import STATUSES

        rows = self.store.rows(
            """SELECT o.id, o.serial, o.title, o.received_on, o.status, d.name AS delegate_name
               FROM opinions o LEFT JOIN delegates d ON d.id = o.delegate_id
               WHERE o.raised_meeting_id = ? AND o.deleted = 0 ORDER BY o.received_on, o.serial""", [meeting_id])
        for row in rows:
            row["status_label"] = choice_label(STATUSES, row["status"])
        return rows

    def linkable(self, meeting_id: str) -> builtins.list[tuple[str, str]]:
        """Opinions that may be linked to the meeting: received on its day or after, raised nowhere yet."""
        meeting = self._meeting(meeting_id)
        return [(r["id"], f"{r['serial'] or ''} {r['title']}（{r['received_on']}）") for r in self.store.rows(
            """SELECT id, serial, title, received_on FROM opinions WHERE deleted = 0 AND raised_meeting_id IS NULL
               AND received_on >= ? ORDER BY received_on DESC, serial LIMIT 500""", [meeting["date"]])]

    def raise_opinion(self, meeting_id: str, values: dict):
        """An opinion raised at the meeting, logged into the ledger (source 会议, received that day)."""
        meeting = self._meeting(meeting_id)
        values = {"source": "meeting", "received_on": meeting["date"], **values}
        return self.store.opinions.create(values, meeting_id=meeting_id)

    def link(self, meeting_id: str, opinion_id: str | None, *, unlink: str | None = None):
        """Link an opinion in the ledger to the meeting where it was raised (or `unlink` one)."""
        meeting = self._meeting(meeting_id)
        target = opinion_id or unlink
        row = self.store.opinions.get(target)
        if opinion_id and row.get("raised_meeting_id") not in (None, meeting_id):
            raise ConflictError("这条意见建议已经关联了另一次会议，请先在那次会议中取消关联")
        if unlink and row.get("raised_meeting_id") != meeting_id:
            raise ConflictError("这条意见建议不是在这次会议上提出的")
        verb = "关联" if opinion_id else "取消关联"
        with self.store.write("update", f"{verb}会中意见建议：{row['title']}（{meeting['title']}）") as tx:
            tx.update("opinions", target, {"raised_meeting_id": meeting_id if opinion_id else None})
        return tx.changes


def _today() -> str:
    from datetime import date

    return date.today().isoformat()
