"""Reception days (接待日) at the neighbourhood halls: the monthly duty roster and what residents raised."""

from __future__ import annotations

import re
import uuid
from datetime import date

from app.common.errors import ValidationError
from app.common.textutil import clean, parse_date
from app.rules.codes import NEIGHBOURHOOD_HALL
from app.rules.meeting_kinds import RECEPTION, kind_of
from app.services.base import Service
from app.services.rows import Row

_NS = uuid.UUID("9d4e2a71-3b5c-4f8e-b06a-1c2d3e4f5a6b")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def duty_id(venue_id: str, month: str, delegate_id: str) -> str:
    return str(uuid.uuid5(_NS, f"{venue_id}/{month}/{delegate_id}"))


class ReceptionService(Service[Row]):
    table = "reception_duties"
    row_type = Row
    noun = "接待值班"

    def roster(self, month: str) -> list[dict]:
        """Each neighbourhood hall with the delegates on duty that month."""
        self._check_month(month)
        halls = self.store.rows(
            "SELECT id, name FROM venues WHERE level = ? AND deleted = 0 ORDER BY name", [NEIGHBOURHOOD_HALL])
        for hall in halls:
            hall["delegates"] = self.store.rows(
                """SELECT d.id, d.name FROM reception_duties r JOIN delegates d ON d.id = r.delegate_id
                   WHERE r.venue_id = ? AND r.month = ? AND r.deleted = 0 ORDER BY d.name_pinyin""",
                [hall["id"], month])
            hall["delegate_names"] = "、".join(d["name"] for d in hall["delegates"])
            hall["held"] = self.store.scalar(
                "SELECT count(*) FROM meetings WHERE kind = ? AND venue_id = ? AND deleted = 0"
                " AND status = 'held' AND substr(date, 1, 7) = ?", [RECEPTION, hall["id"], month])
        return halls

    @staticmethod
    def _check_month(month: str) -> None:
        if not _MONTH.match(month or ""):
            raise ValidationError(f"月份“{month}”应写成 2025-06 这样的格式", field="month")

    def duty_candidates(self, venue_id: str) -> list[dict]:
        """Active delegates, those of the hall's own group first."""
        return self.store.rows(
            """SELECT d.id, d.name, g.name AS group_name FROM delegates d LEFT JOIN groups g ON g.id = d.group_id
               WHERE d.deleted = 0 AND d.status = 'active'
               ORDER BY d.group_id = (SELECT group_id FROM venues WHERE id = ?) DESC, g.sort_order,
                        d.name_pinyin""", [venue_id])

    def set_duty(self, venue_id: str, month: str, delegate_ids: list[str]):
        self._check_month(month)
        venue = self.store.venues.get(venue_id)
        for delegate_id in delegate_ids:
            self.live_ref("delegates", delegate_id, "代表", "delegates")
        existing = {r["delegate_id"]: r for r in self.store.rows(
            "SELECT * FROM reception_duties WHERE venue_id = ? AND month = ?", [venue_id, month])}
        with self.store.write("update", f"排定接待值班：{venue['name']} {month}") as tx:
            for delegate_id, row in existing.items():
                if delegate_id not in delegate_ids and not row["deleted"]:
                    tx.delete(self.table, row["id"])
            for delegate_id in delegate_ids:
                duty = existing.get(delegate_id)
                if duty is None:
                    tx.insert(self.table, {"venue_id": venue_id, "month": month, "delegate_id": delegate_id},
                              row_id=duty_id(venue_id, month, delegate_id))
                elif duty["deleted"]:
                    tx.restore(self.table, duty["id"])
        return tx.changes

    def outcomes(self, meeting_id: str) -> list[dict]:
        """What became of each matter heard on a reception day, in the clerk's words: taken into the
        ledger (its serial and where it stands), or closed with how it was dealt with, or waiting."""
        from app.services.base import choice_label
        from app.services.opinions import STATUSES

        out = []
        for matter in self.matters(meeting_id):
            opinion = self.store.rows("SELECT serial, status FROM opinions WHERE origin_id = ? AND deleted = 0"
                                      " ORDER BY received_on LIMIT 1", [matter["id"]])
            if opinion:
                status = choice_label(STATUSES, opinion[0]["status"])
                outcome = f"已登记为意见建议（{opinion[0]['serial']}），{status}"
            elif matter.get("closed_reason"):
                outcome = matter["closed_reason"]
            else:
                outcome = "尚待处理"
            out.append({**matter, "outcome": outcome})
        return out

    def matters(self, meeting_id: str) -> list[dict]:
        return self.store.rows(
            "SELECT * FROM reception_matters WHERE meeting_id = ? AND deleted = 0 ORDER BY sort_order",
            [meeting_id])

    def close_matters(self, matter_ids: list[str], reason: str, day: str | None = None):
        """Matters answered on the spot (当场答复), handed to the community, or merged into an opinion
        already in the ledger: closed with the reason, so they no longer wait to be taken in."""
        reason = clean(reason)
        if not reason:
            raise ValidationError("请写明处理情况（如：当场答复、已转社区办理）", field="reason")
        day = day or date.today().isoformat()
        parse_date(day, "处理日期", "day")
        rows = []
        for matter_id in dict.fromkeys(matter_ids):
            found = self.store.rows("SELECT * FROM reception_matters WHERE id = ? AND deleted = 0", [matter_id])
            if not found:
                raise ValidationError("找不到这条接待事项，可能已被删除")
            if self.store.scalar("SELECT 1 FROM opinions WHERE origin_id = ? AND deleted = 0", [matter_id]):
                raise ValidationError(f"“{found[0]['content']}”已经登记进意见建议台账")
            rows.append(found[0])
        if not rows:
            raise ValidationError("请选择接待事项")
        what = rows[0]["content"] if len(rows) == 1 else f"{rows[0]['content']}等 {len(rows)} 件"
        with self.store.write("update", f"接待事项办结：{what}（{reason}）") as tx:
            for row in rows:
                tx.update("reception_matters", row["id"], {"closed_on": day, "closed_reason": reason})
        return tx.changes

    def add_matters(self, meeting_id: str, matters: list[dict]):
        """Matters brought in after the day's list was saved: added after the others, which stay."""
        kept = [{"id": r["id"], "content": r["content"], "resident": r["resident"]} for r in self.matters(meeting_id)]
        return self.save_matters(meeting_id, [*kept, *matters])

    def save_matters(self, meeting_id: str, matters: list[dict]):
        """The matters residents raised on a reception day (the ledger takes them in later)."""
        meeting = self.store.meetings.get(meeting_id)
        if not kind_of(meeting["kind"]).matters:
            raise ValidationError("只有接待日可以登记接待事项")
        items = [{"id": m.get("id"), "content": clean(m["content"]), "resident": clean(m.get("resident")) or None}
                 for m in matters if clean(m.get("content"))]
        with self.store.write("update", f"登记接待事项：{meeting['title']}") as tx:
            tx.sync_list("reception_matters", {"meeting_id": meeting_id}, items,
                         [r["id"] for r in self.matters(meeting_id)])
        return tx.changes
