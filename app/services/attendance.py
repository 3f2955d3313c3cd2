"""Attendance (签到: 出席 / 请假 / 缺席 / 列席), the plenary quorum, and votes (票决)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.common.errors import ConflictError, ValidationError
from app.common.textutil import clean
from app.rules.codes import ATTENDANCE_STATUSES as STATUSES
from app.rules.meeting_kinds import kind_of, kinds
from app.services.base import Service, choice_label
from app.services.delegates import serving_condition
from app.services.meetings import audience, when_text
from app.services.rows import Row

_NS = uuid.UUID("e3c1a9b4-6f2d-4b8a-a1c7-3d5e9f0b2c68")


# a sign-in status -> the meeting's field holding its figure when there is no sign-in list (m026)
FIGURES = {"present": "count_present", "excused": "count_excused", "absent": "count_absent",
           "attending_nonmember": "count_guests"}
COUNT_FIELDS = ("count_expected", *FIGURES.values())
FIGURE_WORDS = {"count_expected": "应到", "count_present": "出席", "count_excused": "请假", "count_absent": "缺席",
                "count_guests": "列席"}


def attendance_text(counts: dict, figures: dict | None) -> str:
    """出席情况 as the 活动登记台账 writes it: the sign-in list's counts (列席 when any), or the figures
    recorded for a meeting without one (`figures`), each given figure once (the import reads it back)."""
    if not counts.get("counted") or not figures:
        return (f"出席{counts['present']} 请假{counts['excused']} 缺席{counts['absent']}"
                + (f" 列席{counts['attending_nonmember']}" if counts["attending_nonmember"] else ""))
    return " ".join(f"{FIGURE_WORDS[k]}{figures[k]}" for k in COUNT_FIELDS if figures.get(k) is not None)


def attendance_id(meeting_id: str, delegate_id: str) -> str:
    # One row per delegate and meeting, the same at every office.
    return str(uuid.uuid5(_NS, f"{meeting_id}/{delegate_id}"))


def quorum_of(total: int, present: int) -> dict:
    """议事代表大会 needs more than half of all delegates present (the sign-in sheet asks this
    live, as the clerk marks people, before anything is saved)."""
    return {"total": total, "present": present, "required": total // 2 + 1, "met": present * 2 > total}


class AttendanceService(Service[Row]):
    table = "attendance"
    row_type = Row
    noun = "签到记录"

    def title(self, row):
        return row.get("name") or ""

    def expected(self, meeting: Mapping[str, Any]) -> list[dict]:
        """The delegates expected at a meeting: all, the group's, or the hall's duty roster."""
        # Those serving on the meeting's day: a meeting before a term closed counts that term's
        # delegates, one after it the next term's.
        base = ("SELECT d.id, d.name, d.group_role, d.phone, c.name AS community_name, g.name AS group_name,"
                " g.sort_order AS group_order FROM delegates d LEFT JOIN terms t ON t.id = d.term_id"
                " LEFT JOIN communities c ON c.id = d.community_id"
                f" LEFT JOIN groups g ON g.id = d.group_id WHERE d.deleted = 0 AND {serving_condition('?1')}")
        order = (" ORDER BY g.sort_order, CASE d.group_role WHEN 'leader' THEN 0 WHEN 'deputy_leader' THEN 1"
                 " ELSE 2 END, d.name_pinyin")
        scope, day = meeting.get("scope"), meeting["date"]
        if scope == "group" and meeting.get("group_id"):
            return self.store.rows(base + " AND d.group_id = ?2" + order, [day, meeting["group_id"]])
        if scope == "duty" and meeting.get("venue_id"):
            return self.store.rows(
                base + " AND d.id IN (SELECT delegate_id FROM reception_duties WHERE venue_id = ?2"
                " AND month = ?3 AND deleted = 0)" + order, [day, meeting["venue_id"], day[:7]])
        if scope == "all":
            return self.store.rows(base + order, [day])
        return []

    def contact_list(self, meeting_id: str) -> dict:
        """Who to notify of a meeting, with phones, and a notice text ready to copy into a message."""
        meeting = self.store.meetings.detail(meeting_id)
        people = [{"name": p["name"], "phone": p.get("phone") or "", "community_name": p.get("community_name") or "",
                   "group_name": p.get("group_name") or ""} for p in self.expected(meeting)]
        agenda = "；".join(item.rstrip("。；;") for item in meeting["agenda_list"])
        office = self.store.settings.unit()
        phone = self.store.settings.get("contact_phone")
        text = (f"【{office}】{audience(meeting)}：定于{when_text(meeting)}在{meeting['place'] or '（地点另行通知）'}"
                f"召开{meeting['title']}" + (f"，议程：{agenda}" if agenda else "") + "。请准时参加，提前15分钟签到；"
                "确需请假的，请提前向人大街道工委说明" + (f"（电话 {phone}）" if phone else "") + "。")
        return {"meeting": meeting["title"], "people": people, "text": text,
                "phones": "，".join(p["phone"] for p in people if p["phone"]),
                "missing_phone": [p["name"] for p in people if not p["phone"]]}

    def serving_total(self, day: str) -> int:
        """How many delegates served on `day` (a plenary's quorum is more than half of them)."""
        return self.store.scalar("SELECT count(*) FROM delegates d LEFT JOIN terms t ON t.id = d.term_id"
                                 f" WHERE d.deleted = 0 AND {serving_condition('?1')}", [day])

    def sheet(self, meeting_id: str) -> list[dict]:
        """Expected delegates with their recorded status, then anyone else recorded (incl. 列席)."""
        meeting = self.store.meetings.get(meeting_id)
        recorded = {r["delegate_id"] or r["id"]: r for r in self.store.rows(
            "SELECT * FROM attendance WHERE meeting_id = ? AND deleted = 0", [meeting_id])}
        rows = []
        for person in self.expected(meeting):
            mark = recorded.pop(person["id"], None)
            rows.append({**person, "delegate_id": person["id"], "status": mark["status"] if mark else None,
                         "note": mark["note"] if mark else None, "expected": True})
        extra_ids = [k for k, r in recorded.items() if r["delegate_id"]]
        extras = {d["id"]: d for d in self.store.rows(
            f"SELECT d.id, d.name, c.name AS community_name FROM delegates d LEFT JOIN communities c"
            f" ON c.id = d.community_id WHERE d.id IN ({','.join('?' * len(extra_ids))})", extra_ids)} \
            if extra_ids else {}
        for mark in recorded.values():
            who = extras.get(mark["delegate_id"], {})
            rows.append({"id": mark["delegate_id"] or mark["id"], "delegate_id": mark["delegate_id"],
                         "name": who.get("name") or mark["name"], "community_name": who.get("community_name")
                         or mark["unit"], "status": mark["status"], "note": mark["note"], "expected": False,
                         "attendance_id": mark["id"]})
        for row in rows:
            row["status_label"] = choice_label(STATUSES, row["status"]) if row["status"] else "未登记"
        return rows

    def record(self, meeting_id: str, marks: dict[str, str | None]):
        """Set several delegates' status at once ({delegate_id: status or None to clear})."""
        meeting = self.store.meetings.get(meeting_id)
        allowed = {s for s, _ in STATUSES}
        for delegate_id, status in marks.items():
            if status is not None and status not in allowed:
                raise ValidationError(f"出席情况“{status}”无效")
            if not self.store.scalar("SELECT 1 FROM delegates WHERE id = ? AND deleted = 0", [delegate_id]):
                raise ValidationError(f"签到名单中有不存在的代表（{str(delegate_id)[:8]}），没有保存任何签到")
        with self.store.write("update", f"登记出席情况：{meeting['title']}") as tx:
            for delegate_id, status in marks.items():
                row_id = attendance_id(meeting_id, delegate_id)
                current = self.store.rows("SELECT * FROM attendance WHERE id = ?", [row_id])
                if status is None:
                    if current and not current[0]["deleted"]:
                        tx.delete(self.table, row_id)
                elif not current:
                    tx.insert(self.table, {"meeting_id": meeting_id, "delegate_id": delegate_id,
                                           "status": status}, row_id=row_id)
                else:
                    if current[0]["deleted"]:
                        tx.restore(self.table, row_id)
                    tx.update(self.table, row_id, {"status": status})
            # Delegates signed in as present: the meeting took place (the lists and statistics count
            # it held without the clerk setting its status apart).
            if meeting["status"] == "planned" and "present" in marks.values():
                tx.update("meetings", meeting_id, {"status": "held"})
        return tx.changes

    def set_figures(self, meeting_id: str, figures: Mapping[str, Any]):
        """The attendance of a meeting held without a sign-in list, as figures (应到/出席/请假/缺席/列席;
        None clears one). The rule book holds them to the meeting's day and to each other; figures
        given mean the meeting took place. A sign-in list, where there is one, still counts first."""
        meeting = self.store.meetings.get(meeting_id)
        unknown = set(figures) - set(COUNT_FIELDS)
        if unknown:
            raise ValidationError(f"出席人数中有不认识的项：{'、'.join(sorted(unknown))}")
        values: dict[str, int | str | None] = {}
        for key in COUNT_FIELDS:
            if key in figures:
                value = figures[key]
                if value is not None and (type(value) is not int or value < 0):
                    raise ValidationError(f"{FIGURE_WORDS[key]}人数应为不小于 0 的整数", field=key)
                values[key] = value
        if meeting["status"] == "planned" and values.get("count_present") and meeting["date"] <= date.today().isoformat():
            values["status"] = "held"  # (ahead of its day the rule book refuses the figures themselves)
        with self.store.write("update", f"登记出席人数：{meeting['title']}") as tx:
            tx.update("meetings", meeting_id, values)
        return tx.changes

    def add_guest(self, meeting_id: str, name: str, unit: str | None = None):
        """A person attending without being a delegate (列席: department staff, residents...)."""
        meeting = self.store.meetings.get(meeting_id)
        name = clean(name)
        if not name:
            raise ValidationError("请填写列席人员姓名", field="name")
        with self.store.write("create", f"添加列席人员：{name}（{meeting['title']}）") as tx:
            tx.insert(self.table, {"meeting_id": meeting_id, "name": name, "unit": clean(unit) or None,
                                   "status": "attending_nonmember"})
        return tx.changes

    def quorum(self, meeting_id: str) -> dict:
        """A plenary needs more than half of all delegates present (a meeting without a sign-in list:
        the figures recorded, 应到 standing for all delegates when given)."""
        total = self.serving_total(self.store.meetings.get(meeting_id)["date"])
        present = self.store.scalar(
            "SELECT count(*) FROM attendance WHERE meeting_id = ? AND deleted = 0 AND status = 'present'"
            " AND delegate_id IS NOT NULL", [meeting_id])
        signed = self.store.scalar("SELECT count(*) FROM attendance WHERE meeting_id = ? AND deleted = 0", [meeting_id])
        figures = None if signed else self.figures(meeting_id)
        if figures:
            total = figures.get("count_expected") or total
            present = figures.get("count_present") or 0
        return quorum_of(total, present)

    def by_delegate(self, year: int | None = None, term_id: str | None = None) -> list[dict]:
        """出勤统计: each delegate's attendance in the year (or every year), a count per registered
        meeting kind under `<kind>_present`, and present/excused/absent in all. A term's delegates,
        whatever became of them since; without one, those serving now."""
        where, params = "", []
        if year:
            where, params = "AND m.date >= ? AND m.date < ?", [f"{year}-01-01", f"{year + 1}-01-01"]
        who, who_params = ("d.term_id = ?", [term_id]) if term_id else ("d.status = 'active'", [])
        # one column per registered kind: [kind_0] ... counts the meetings of that kind attended
        per_kind = [k.code for k in kinds()]
        sums = "".join(f"sum(a.status = 'present' AND m.kind = ?) AS [kind_{i}], " for i in range(len(per_kind)))
        rows = self.store.rows(
            f"""SELECT d.name, c.name AS community_name, g.name AS group_name, {sums}
                  sum(a.status = 'present') AS present, sum(a.status = 'excused') AS excused,
                  sum(a.status = 'absent') AS absent
                FROM delegates d LEFT JOIN communities c ON c.id = d.community_id
                LEFT JOIN groups g ON g.id = d.group_id
                LEFT JOIN attendance a ON a.delegate_id = d.id AND a.deleted = 0
                LEFT JOIN meetings m ON m.id = a.meeting_id AND m.deleted = 0 {where}
                WHERE d.deleted = 0 AND {who}
                GROUP BY d.id ORDER BY g.sort_order, d.name_pinyin""", [*per_kind, *params, *who_params])
        for row in rows:
            for i, code in enumerate(per_kind):
                row[f"{code}_present"] = row.pop(f"kind_{i}") or 0
            for key in ("present", "excused", "absent"):
                row[key] = row[key] or 0
        return rows

    def attending_units(self, meeting_id: str) -> list[str]:
        """The units signed in as attending (列席) a meeting: who came, not who was invited."""
        rows = self.store.rows("SELECT DISTINCT unit FROM attendance WHERE meeting_id = ? AND deleted = 0"
                               " AND status = 'attending_nonmember' AND delegate_id IS NULL AND unit IS NOT NULL",
                               [meeting_id])
        return [r["unit"] for r in rows]

    def summary(self, meeting_id: str) -> dict[str, int]:
        """How many were present, excused, absent and attending (列席), and how many were expected: from
        the sign-in list, or, for a meeting without one, from the figures recorded (an office's own list
        of the meetings it held before the desk gives numbers, not names). Both are never added up, so
        the register, the statistics and the documents say the same. `counted` tells which it is."""
        counts = {s: 0 for s, _ in STATUSES}
        for row in self.store.rows("SELECT status, count(*) AS n FROM attendance WHERE meeting_id = ?"
                                   " AND deleted = 0 GROUP BY status", [meeting_id]):
            counts[row["status"]] = row["n"]
        signed = any(counts.values())
        figures = None if signed else self.figures(meeting_id)
        if figures:
            for status, key in FIGURES.items():
                counts[status] = figures.get(key) or 0
        counts["expected"] = (figures or {}).get("count_expected") or (
            counts["present"] + counts["excused"] + counts["absent"])
        counts["counted"] = int(bool(figures))
        return counts

    def figures(self, meeting_id: str) -> dict[str, int | None] | None:
        """The attendance figures recorded for a meeting (those given; None when none is)."""
        found = self.store.rows(f"SELECT {', '.join(COUNT_FIELDS)} FROM meetings WHERE id = ?", [meeting_id])
        given = {k: v for k, v in found[0].items() if v is not None} if found else {}
        return given or None

    # -- votes -----------------------------------------------------------------------
    def votes(self, meeting_id: str) -> list[dict]:
        quorum = self.quorum(meeting_id)
        rows = self.store.rows("SELECT * FROM votes WHERE meeting_id = ? AND deleted = 0 ORDER BY sort_order",
                               [meeting_id])
        for row in rows:
            row["passed"] = quorum["met"] and row["votes_for"] * 2 > quorum["total"]
            row["result"] = ("通过" if row["passed"] else
                             "未通过（出席人数未过半）" if not quorum["met"] else "未通过（赞成票未超过全体代表半数）")
        return rows

    def record_vote(self, meeting_id: str, item: str, votes_for: int, votes_against: int,
                    votes_abstain: int, vote_id: str | None = None):
        """民生实事项目票决: counts may not exceed those present; passing needs quorum and > half of all."""
        meeting = self.store.meetings.get(meeting_id)
        if not kind_of(meeting["kind"]).votes:
            raise ValidationError("票决只在议事代表大会上进行")
        item = clean(item)
        if not item:
            raise ValidationError("请填写票决事项", field="item")
        counts = []
        for value, label in ((votes_for, "赞成"), (votes_against, "反对"), (votes_abstain, "弃权")):
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValidationError(f"{label}票数应为整数", field="votes") from None
            if number < 0:
                raise ValidationError(f"{label}票数不能为负数", field="votes")
            counts.append(number)
        present = self.quorum(meeting_id)["present"]
        if sum(counts) > present:
            raise ConflictError(f"赞成、反对、弃权共 {sum(counts)} 票，超过了出席代表人数 {present} 人，请核对",
                                field="votes")
        values = {"item": item, "votes_for": counts[0], "votes_against": counts[1], "votes_abstain": counts[2]}
        with self.store.write("update" if vote_id else "create", f"登记票决结果：{item}") as tx:
            if vote_id:
                tx.update("votes", vote_id, values)
            else:
                order = (self.store.scalar("SELECT max(sort_order) FROM votes WHERE meeting_id = ?",
                                           [meeting_id]) or 0) + 1
                tx.insert("votes", {"meeting_id": meeting_id, "sort_order": order, **values})
        return tx.changes

    def remove_vote(self, vote_id: str):
        row = self.store.rows("SELECT item FROM votes WHERE id = ? AND deleted = 0", [vote_id])
        if not row:
            raise ValidationError("找不到这项票决")
        with self.store.write("delete", f"删除票决事项：{row[0]['item']}") as tx:
            tx.delete("votes", vote_id)
        return tx.changes
