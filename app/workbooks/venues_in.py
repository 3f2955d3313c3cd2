"""Venues (阵地) with their rooms and facilities, from the office's own list of halls and from the
desk's 阵地一览表 sent out for corrections."""

from __future__ import annotations

import json
import re
import unicodedata

from app.common.textutil import clean
from app.rules.codes import BUILD_STATUSES, BUILDING, OPEN, PLANNED, SUSPENDED, VENUE_LEVEL_SHORT, VENUE_LEVELS
from app.rules.fields import names_of
from app.services.base import choice_label
from app.services.venues import facilities_checklist
from app.workbooks.bring_in import Context, NamedKind, Outcome, RowRefused, update_or_same
from app.workbooks.places_in import COMMUNITY, GROUP, community_id, group_id
from app.workbooks.tabular import Field, SourceRow, as_text

LABELS = {"level": "层级", "address": "地址", "build_status": "建设状态", "opened_on": "开放日期",
          "community_id": "所在村（社区）", "group_id": "对应议事小组", "facilities": "已配备设施",
          "schedule": "接待/开放安排", "notes": "备注"}
# the words clerks write for a level or a build status besides the desk's own labels
LEVEL_WORDS = {**{label: code for code, label in VENUE_LEVELS}, **{v: k for k, v in VENUE_LEVEL_SHORT.items()},
               "议事中心": VENUE_LEVELS[0][0], "议事厅": VENUE_LEVELS[1][0], "议事堂": VENUE_LEVELS[2][0],
               "邻里议事堂": VENUE_LEVELS[2][0]}
BUILD_WORDS = {**{label: code for code, label in BUILD_STATUSES}, "规划": PLANNED, "计划建设": PLANNED,
               "在建": BUILDING, "建设": BUILDING, "已建成": OPEN, "已投用": OPEN, "投用": OPEN, "已建成投用": OPEN,
               "建成投用": OPEN, "已开放": OPEN, "暂停": SUSPENDED}


def closed_choice(row: SourceRow, key: str, label: str, words: dict[str, str], codes) -> str | None:
    """A level or build status from its label, a usual variant or its code; None when blank."""
    text = unicodedata.normalize("NFKC", row.text(key)).replace(" ", "")
    if not text:
        return None
    if text in words:
        return words[text]
    if text in {code for code, _ in codes}:
        return text
    raise RowRefused(f"“{label}”“{row.text(key)}”不在可选值中（{'、'.join(shown for _, shown in codes)}）", key)


def names_in(value) -> list[str]:
    """Room or facility names in one cell (、 between them, as the register writes them; also ，；
    or one a line), each once, in order."""
    return list(dict.fromkeys(n.strip() for n in re.split(r"[、,，;；\n]+", as_text(value)) if n.strip()))


class VenuesKind(NamedKind):
    name = "venues"
    noun = "阵地"
    unit = "处"
    sample = "议事阵地.xlsx"
    fields = (
        Field("level", "层级", ("层级", "阵地层级", "级别", "阵地级别", "阵地类型", "类型", "类别")),
        Field("name", "阵地名称", ("阵地名称", "名称", "阵地", "议事阵地", "议事阵地名称", "场所名称", "阵地(场所)名称"),
              identity=True),
        Field("address", "地址", ("地址", "详细地址", "所在地址", "阵地地址", "位置", "地点")),
        Field("build_status", "建设状态", ("建设状态", "建设情况", "建设进度", "建成情况", "状态")),
        Field("opened_on", "开放日期", ("开放日期", "开放(计划)日期", "投用日期", "投用时间", "建成时间", "建成投用时间",
                                        "启用日期", "启用时间", "开放时间")),
        # (not carried down: the centre has no community, and a blank must come back blank)
        Field("community", "所在村（社区）", COMMUNITY),
        Field("group", "对应议事小组", GROUP),
        Field("rooms", "会议室", ("会议室", "议事室", "会议室名称", "会议室(议事室)", "功能室")),
        Field("facilities", "已配备设施", ("已配备设施", "设施配备", "配备设施", "已配设施", "设施设备", "设施")),
        # derived in the register: claimed so that their columns are not taken for the fields above
        Field("missing", "尚缺设施（由已配备设施得出，不导入）", ("尚缺设施", "缺少设施", "未配备设施", "尚缺")),
        Field("room_count", "会议室数（不导入）", ("会议室数量", "会议室个数", "会议室数", "议事室数量", "议事室个数")),
        Field("schedule", "接待/开放安排", ("接待/开放安排", "开放安排", "接待安排", "开放时间安排", "接待时间", "活动安排")),
        Field("notes", "备注", ("备注",)),
    )

    def records(self, store):
        return store.venues.list()

    def apply(self, store, tx, ctx: Context, row: SourceRow):
        name = row.text("name")
        if not name:
            raise RowRefused("“阵地名称”为空", "name")
        venues = ctx.cache("venues", lambda: {v["name"]: dict(v) for v in store.rows(
            "SELECT * FROM venues WHERE deleted = 0")})
        current = venues.get(name)
        warnings: list[str] = []
        wanted: dict = {}
        level = closed_choice(row, "level", "层级", LEVEL_WORDS, VENUE_LEVELS) if "level" in row.values else None
        if level:
            wanted["level"] = level
        elif current is None:
            raise RowRefused("“层级”为空（街道议事中心、片区议事厅或小区邻里议事堂）", "level")
        if "build_status" in row.values:
            wanted["build_status"] = closed_choice(row, "build_status", "建设状态", BUILD_WORDS, BUILD_STATUSES)
        if "opened_on" in row.values:
            day = row.day("opened_on", "开放日期")
            wanted["opened_on"] = day.isoformat() if day else None
        for key in ("address", "schedule", "notes"):
            if key in row.values:
                wanted[key] = row.text(key) or None
        if "group" in row.values:
            wanted["group_id"] = group_id(tx, ctx, row.text("group"))
        if "community" in row.values:
            wanted["community_id"] = community_id(tx, ctx, row.text("community"), row.text("group")) \
                if row.text("community") else None
        if "facilities" in row.values:
            facilities = self._facilities(row, warnings)
            if current is None or facilities != names_of(current.get("facilities")):
                wanted["facilities"] = json.dumps(facilities, ensure_ascii=False)  # as the venue form stores them
        rooms = names_in(row.values.get("rooms")) if "rooms" in row.values else []
        if current is None:
            new = {"name": name, **wanted}
            venue_id = tx.insert("venues", new)
            ctx.stage("venues", name, {"id": venue_id, **new})
            for order, room in enumerate(rooms, 1):
                tx.insert("rooms", {"venue_id": venue_id, "name": room, "sort_order": order})
            return Outcome("new", warnings=warnings)
        outcome = update_or_same(tx, "venues", dict(store.venues.stored(current["id"]) or {}), wanted, LABELS,
                                 _shown(ctx))
        if "rooms" in row.values:
            added = self._add_rooms(store, tx, current["id"], rooms, warnings)
            if added:
                outcome.changes.append(added)
                outcome.verdict = "update"
        outcome.warnings = warnings
        return outcome

    @staticmethod
    def _facilities(row: SourceRow, warnings: list[str]) -> list[str]:
        """The facilities named, in the checklist's order; a name the checklist does not have is told."""
        checklist = facilities_checklist()
        named = names_in(row.values.get("facilities"))
        unknown = [f for f in named if f not in checklist]
        if unknown:
            warnings.append(f"设施“{'、'.join(unknown)}”不在设施清单中（{'、'.join(checklist)}），未导入")
        return [f for f in checklist if f in named]

    @staticmethod
    def _add_rooms(store, tx, venue_id: str, names: list[str], warnings: list[str]) -> tuple[str, str, str] | None:
        """Rooms the file names that the venue lacks are added (one removed earlier comes back);
        rooms it leaves out stay, as bookings point at them, and are told."""
        rooms = store.rows("SELECT id, name, deleted, sort_order FROM rooms WHERE venue_id = ?"
                           " ORDER BY deleted, sort_order, name", [venue_id])
        live = [r["name"] for r in rooms if not r["deleted"]]
        left_out = [n for n in live if n not in names]
        if left_out:
            warnings.append(f"文件中没有会议室“{'、'.join(left_out)}”，未删除（如已不用，请在窗口中删除）")
        adding = [n for n in names if n not in live]
        if not adding:
            return None
        by_name = {r["name"]: r for r in rooms}
        last = max((r["sort_order"] or 0 for r in rooms if not r["deleted"]), default=0)
        for order, room in enumerate(adding, last + 1):
            if room in by_name:
                tx.restore("rooms", by_name[room]["id"])
                tx.update("rooms", by_name[room]["id"], {"sort_order": order})
            else:
                tx.insert("rooms", {"venue_id": venue_id, "name": room, "sort_order": order})
        return ("会议室", "、".join(live), "、".join(live + adding))


def _shown(ctx: Context):
    """How a changed value reads in the preview: codes as their labels, references as names."""

    def show(key, value):
        if value in (None, ""):
            return ""
        if key == "level":
            return choice_label(VENUE_LEVELS, value)
        if key == "build_status":
            return choice_label(BUILD_STATUSES, value)
        if key == "facilities":
            return "、".join(names_of(value))
        if key in ("community_id", "group_id"):
            table = "communities" if key == "community_id" else "groups"
            found = ctx.store.rows(f"SELECT name FROM {table} WHERE id = ?", [value])
            return found[0]["name"] if found else str(value)
        return clean(value)

    return show
