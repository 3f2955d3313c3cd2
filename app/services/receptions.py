"""Reception days (接待日) at the neighbourhood halls: the monthly duty roster and what residents raised."""

from __future__ import annotations

import re
import uuid
from datetime import date

from app.common.errors import ValidationError
from app.common.textutil import chinese_date, clean, parse_date
from app.rules.codes import BUILD_STATUSES, BUILDING, NEIGHBOURHOOD_HALL, PLANNED, SUBJECTS, SUSPENDED
from app.rules.meeting_kinds import RECEPTION, duty_kinds, kind_of
from app.services.base import Service, choice_label
from app.services.rows import Row

_NS = uuid.UUID("9d4e2a71-3b5c-4f8e-b06a-1c2d3e4f5a6b")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


def period_months(period: str) -> list[str]:
    """The months of a rota period: one month (2026-03) or a quarter (2026-Q1: its three months)."""
    text = (period or "").strip()
    if _MONTH.match(text):
        return [text]
    quarter = _QUARTER.match(text)
    if quarter:
        year, n = int(quarter.group(1)), int(quarter.group(2))
        return [f"{year}-{m:02d}" for m in range(3 * n - 2, 3 * n + 1)]
    raise ValidationError(f"期间“{period}”应写成月份 2026-03 或季度 2026-Q1 这样的格式", field="month")


def period_label(period: str) -> str:
    """2026-03 -> 2026年3月; 2026-Q1 -> 2026年第一季度."""
    months = period_months(period)
    year = months[0][:4]
    if len(months) == 1:
        return f"{year}年{int(months[0][5:])}月"
    return f"{year}年第{'一二三四'[(int(months[0][5:]) - 1) // 3]}季度"


def _hours(day: dict) -> str:
    return f"{day['start_time']}—{day['end_time']}" if day.get("end_time") else day["start_time"]


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
        """The hall's delegates on duty for a month, or for each month of a quarter (2026-Q1), in one
        write: the write path's one-person-one-place rule refuses the whole period if anyone would be
        on duty at two halls (or at a meeting) at the same hour."""
        months = period_months(month)
        venue = self.store.venues.get(venue_id)
        if venue.get("build_status") in (PLANNED, BUILDING, SUSPENDED):
            raise ValidationError(f"“{venue['name']}”{choice_label(BUILD_STATUSES, venue['build_status'])}，"
                                  "还不能排定接待值班", field="venue_id")
        for delegate_id in delegate_ids:
            self.live_ref("delegates", delegate_id, "代表", "delegates")
        existing = {(r["month"], r["delegate_id"]): r for r in self.store.rows(
            f"SELECT * FROM reception_duties WHERE venue_id = ? AND month IN ({','.join('?' * len(months))})",
            [venue_id, *months])}
        with self.store.write("update", f"排定接待值班：{venue['name']} {period_label(month)}") as tx:
            for (_, delegate_id), row in existing.items():
                if delegate_id not in delegate_ids and not row["deleted"]:
                    tx.delete(self.table, row["id"])
            for one in months:
                for delegate_id in delegate_ids:
                    duty = existing.get((one, delegate_id))
                    if duty is None:
                        tx.insert(self.table, {"venue_id": venue_id, "month": one, "delegate_id": delegate_id},
                                  row_id=duty_id(venue_id, one, delegate_id))
                    elif duty["deleted"]:
                        tx.restore(self.table, duty["id"])
        return tx.changes

    def has_rota(self, period: str) -> bool:
        """Whether any hall has delegates on duty in a month or quarter (its notice can be printed)."""
        months = period_months(period)
        return bool(self.store.scalar(
            f"SELECT 1 FROM reception_duties WHERE deleted = 0 AND month IN ({','.join('?' * len(months))}) LIMIT 1",
            months))

    def rota(self, period: str) -> list[dict]:
        """The 值班表 of a month or quarter: for each neighbourhood hall and month, its reception days
        (date and hours, from the hall's reception-day meetings) and the delegates on duty."""
        months = period_months(period)
        halls = self.store.rows(
            "SELECT id, name, address, schedule, build_status FROM venues WHERE level = ? AND deleted = 0"
            " ORDER BY name", [NEIGHBOURHOOD_HALL])
        out = []
        for month in months:
            for hall in halls:
                delegates = self.store.rows(
                    """SELECT d.id, d.name, d.phone FROM reception_duties r JOIN delegates d ON d.id = r.delegate_id
                       WHERE r.venue_id = ? AND r.month = ? AND r.deleted = 0 AND d.deleted = 0
                       ORDER BY d.name_pinyin""", [hall["id"], month])
                days = self.store.rows(
                    f"""SELECT id, date, start_time, end_time, status FROM meetings WHERE venue_id = ?
                        AND kind IN {duty_kinds()} AND deleted = 0 AND status != 'cancelled'
                        AND substr(date, 1, 7) = ? ORDER BY date, start_time""", [hall["id"], month])
                if not delegates and not days and hall["build_status"] in (PLANNED, BUILDING, SUSPENDED):
                    continue  # a hall not yet in use has no rota to show
                out.append({
                    "month": month, "month_label": f"{int(month[:4])}年{int(month[5:])}月",
                    "venue_id": hall["id"], "hall": hall["name"], "address": hall["address"] or "",
                    "schedule": hall["schedule"] or "", "days": days,
                    "dates": "、".join(chinese_date(d["date"]) for d in days) or "（尚未安排）",
                    "hours": "、".join(dict.fromkeys(_hours(d) for d in days if d["start_time"])),
                    "delegates": delegates, "delegate_names": "、".join(d["name"] for d in delegates),
                    "phones": "、".join(f"{d['name']} {d['phone']}" for d in delegates if d["phone"]),
                })
        return out

    def matters_by_subject(self, year: int | None = None) -> dict[str, int]:
        """Matters residents raised on reception days by subject type ("" : not recorded)."""
        where, params = ("AND m.date >= ? AND m.date < ?", [f"{year}-01-01", f"{year + 1}-01-01"]) if year else ("", [])
        counts = {**{code: 0 for code, _ in SUBJECTS}, "": 0}
        for row in self.store.rows(
                f"""SELECT coalesce(x.subject, '') AS subject, count(*) AS n FROM reception_matters x
                    JOIN meetings m ON m.id = x.meeting_id WHERE x.deleted = 0 AND m.deleted = 0 {where}
                    GROUP BY 1""", params):
            counts[row["subject"]] = counts.get(row["subject"], 0) + row["n"]
        return counts

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
        kept = [{"id": r["id"], "content": r["content"], "resident": r["resident"], "subject": r["subject"]}
                for r in self.matters(meeting_id)]
        return self.save_matters(meeting_id, [*kept, *matters])

    def save_matters(self, meeting_id: str, matters: list[dict]):
        """The matters residents raised on a reception day (the ledger takes them in later)."""
        meeting = self.store.meetings.get(meeting_id)
        if not kind_of(meeting["kind"]).matters:
            raise ValidationError("只有接待日可以登记接待事项")
        # each matter's subject type (片区利益 / 街道重点工作和民生实事 / 公共事务), when the clerk gave one
        items = [{"id": m.get("id"), "content": clean(m["content"]), "resident": clean(m.get("resident")) or None,
                  **({"subject": m.get("subject") or None} if "subject" in m else {})}
                 for m in matters if clean(m.get("content"))]
        with self.store.write("update", f"登记接待事项：{meeting['title']}") as tx:
            tx.sync_list("reception_matters", {"meeting_id": meeting_id}, items,
                         [r["id"] for r in self.matters(meeting_id)])
        return tx.changes
