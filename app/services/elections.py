"""A group's election (推选) of its leader and two deputies ("各议事代表小组推选组长1人、副组长2人"): each
candidate's votes and the result, on a date; and the grouping read against the report's principles
("按照人数适当、区域适中、职业相近的原则"): each group's size, its communities and areas, its delegates'
sectors and occupations."""

from __future__ import annotations

import builtins
from collections import Counter

from app.common.errors import NotFoundError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules.codes import AREAS, ELECTION_RESULTS, ELECTION_ROLES, label_of
from app.services.groups import MAX_COMMUNITIES, MIN_COMMUNITIES

# 人数适当: a group within this share of the average size (70 delegates in 5 groups: 10 to 18)
SIZE_TOLERANCE = 0.3
# 职业相近: the commonest sector holds at least this share of the group
CLOSE_SECTOR_SHARE = 1 / 3


class ElectionService:
    def __init__(self, store):
        self.store = store

    def list(self, group_id: str | None = None) -> list[dict]:
        where, params = (" AND e.group_id = ?", [group_id]) if group_id else ("", [])
        rows = self.store.rows(
            f"""SELECT e.*, d.name AS delegate_name, g.name AS group_name FROM group_elections e
                LEFT JOIN delegates d ON d.id = e.delegate_id LEFT JOIN groups g ON g.id = e.group_id
                WHERE e.deleted = 0{where} ORDER BY g.sort_order, e.day DESC, e.role, e.votes DESC""", params)
        for row in rows:
            row["role_label"] = label_of(ELECTION_ROLES, row["role"])
            row["result_label"] = label_of(ELECTION_RESULTS, row["result"])
        return rows

    def record(self, group_id: str, values: dict, *, take_office: bool = False):
        """One candidate's result in the group's election: day, office, votes of how many present.
        `take_office`: one elected takes the office in the roster in the same step (refused, with
        nothing written, while the group's one leader or two deputies are still in office)."""
        group = self.store.rows("SELECT id, name FROM groups WHERE id = ? AND deleted = 0", [group_id])
        if not group:
            raise NotFoundError("找不到这个议事小组")
        day = values.get("day")
        parse_date(day, "推选日期", "day")
        role, result = values.get("role"), values.get("result")
        if role not in dict(ELECTION_ROLES):
            raise ValidationError("请选择推选的职务（组长或副组长）", field="role")
        if result not in dict(ELECTION_RESULTS):
            raise ValidationError("请选择推选结果", field="result")
        members, votes = _count(values.get("members"), "参加推选（人）", "members"), _count(values.get("votes"), "得票", "votes")
        person = self.store.delegates.serving_people([values.get("delegate_id")], "候选代表", "delegate_id", day)
        if not person:
            raise ValidationError("请选择候选代表", field="delegate_id")
        if person[0]["group_id"] != group_id:
            raise ValidationError(f"{person[0]['name']}不是{group[0]['name']}的代表", field="delegate_id")
        size = len(self.store.delegates.serving_on(day, group_id))
        if members > size:
            raise ValidationError(f"参加推选的 {members} 人多于{group[0]['name']}在任的 {size} 名代表", field="members")
        if votes > members:
            raise ValidationError(f"得票 {votes} 票多于参加推选的 {members} 人", field="votes")
        row = {"group_id": group_id, "day": day, "role": role, "delegate_id": person[0]["id"], "members": members,
               "votes": votes, "result": result, "notes": clean(values.get("notes")) or None}
        summary = (f"小组推选：{group[0]['name']} {person[0]['name']} {label_of(ELECTION_ROLES, role)}"
                   f"（{votes}/{members} 票，{label_of(ELECTION_RESULTS, result)}）")
        with self.store.write("create", summary) as tx:
            tx.insert("group_elections", row)
            if take_office and result == "elected":
                current = self.store.delegates.get(person[0]["id"])
                if current["group_role"] != role:
                    tx.update("delegates", current["id"], self.store.delegates.normalise({"group_role": role}, current))
        return tx.changes

    def delete(self, election_id: str):
        rows = self.list()
        found = [r for r in rows if r["id"] == election_id]
        if not found:
            raise NotFoundError("找不到这条推选记录")
        with self.store.write("delete", f"删除小组推选记录：{found[0]['group_name']} {found[0]['delegate_name']}") as tx:
            tx.delete("group_elections", election_id)
        return tx.changes

    # -- the grouping against its principles ------------------------------------------------------------
    def grouping(self) -> builtins.list[dict]:
        """Each group: its size, communities and areas, sectors and occupations, each principle's
        verdict (人数适当、区域适中、职业相近) and why."""
        groups = self.store.rows("SELECT id, name FROM groups WHERE deleted = 0 ORDER BY sort_order, name")
        people = self.store.rows(
            "SELECT group_id, sector, post, workplace FROM delegates WHERE deleted = 0 AND status = 'active'")
        places = self.store.rows("SELECT group_id, name, area FROM communities WHERE deleted = 0"
                                 " ORDER BY sort_order, name")
        average = len([p for p in people if p["group_id"]]) / len(groups) if groups else 0
        out = []
        for group in groups:
            mine = [p for p in people if p["group_id"] == group["id"]]
            communities = [c for c in places if c["group_id"] == group["id"]]
            sectors = Counter(p["sector"] or "未填界别" for p in mine)
            posts = Counter(p["post"] for p in mine if p["post"])
            areas = Counter(label_of(AREAS, c["area"]) for c in communities if c["area"])
            size_ok = bool(mine) and abs(len(mine) - average) <= SIZE_TOLERANCE * average
            area_ok = MIN_COMMUNITIES <= len(communities) <= MAX_COMMUNITIES and len(areas) <= 1
            top, top_n = sectors.most_common(1)[0] if sectors else ("", 0)
            close = bool(mine) and top_n / len(mine) >= CLOSE_SECTOR_SHARE
            out.append({
                "id": group["id"], "name": group["name"], "size": len(mine), "average": round(average, 1),
                "communities": [c["name"] for c in communities], "areas": dict(areas),
                "sectors": sectors.most_common(), "posts": posts.most_common(5),
                "size_ok": size_ok, "area_ok": area_ok, "sector_ok": close,
                "size_note": f"{len(mine)} 人（平均 {average:.1f} 人）" + ("" if size_ok else "，人数偏" +
                                                                      ("多" if len(mine) > average else "少")),
                "area_note": f"{len(communities)} 个村（社区）" + (f"，{'、'.join(areas)}片区" if areas else "")
                + ("" if MIN_COMMUNITIES <= len(communities) <= MAX_COMMUNITIES
                   else f"，应为 {MIN_COMMUNITIES}—{MAX_COMMUNITIES} 个")
                + ("，跨片区" if len(areas) > 1 else ""),
                "sector_note": (f"{top} {top_n} 人（{top_n * 100 // len(mine)}%）" if mine else "无代表")
                + ("" if close else "，职业较分散"),
            })
        return out


def _count(value, label: str, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"“{label}”应为整数", field=field) from None
    if number < 0:
        raise ValidationError(f"“{label}”不能为负数", field=field)
    return number
