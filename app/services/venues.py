"""Venues (阵地) at three levels, with rooms and a facilities checklist."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import Any

from app.common.errors import ConflictError, ValidationError
from app.common.resources import reference
from app.rules.codes import BUILD_STATUSES, OPEN
from app.rules.codes import VENUE_LEVELS as LEVELS
from app.rules.fields import names_of
from app.services.base import FieldSpec, Service, choice_label
from app.services.rows import VenueListRow, VenueRow, as_rows
from app.storage.changes import Changes

# Lists show the centre first, then the area halls, then the neighbourhood halls (a level no list
# knows last): the levels' order in codes, as SQL and its parameters.
_LEVEL_CODES = [code for code, _ in LEVELS]
_LEVEL_ORDER = "CASE v.level " + " ".join(f"WHEN ? THEN {n}" for n in range(len(LEVELS))) + f" ELSE {len(LEVELS)} END"


def facilities_checklist() -> list[str]:
    return list(reference()["facilities"])


class VenueService(Service[VenueRow]):
    table = "venues"
    row_type = VenueRow
    noun = "阵地"
    fields = (
        FieldSpec("name", "阵地名称", required=True),
        FieldSpec("level", "层级", "choice", required=True, choices=LEVELS),
        FieldSpec("address", "地址"),
        FieldSpec("community_id", "所在村（社区）", "ref", ref="communities"),
        FieldSpec("group_id", "对应议事小组", "ref", ref="groups"),
        FieldSpec("build_status", "建设状态", "choice", choices=BUILD_STATUSES),
        FieldSpec("opened_on", "开放（计划）日期", "date"),
        FieldSpec("schedule", "接待/开放安排"),
        FieldSpec("facilities", "设施配备", "checklist", choices=tuple(reference()["facilities"])),
        FieldSpec("notes", "备注", "multiline"),
    )

    def list(self, level: str | None = None) -> list[VenueListRow]:
        where, params = "v.deleted = 0", []
        if level:
            where += " AND v.level = ?"
            params.append(level)
        rows = self.store.rows(
            f"""SELECT v.*, c.name AS community_name, g.name AS group_name,
                  (SELECT group_concat(name, '、') FROM (SELECT r.name FROM rooms r
                     WHERE r.venue_id = v.id AND r.deleted = 0 ORDER BY r.sort_order, r.name)) AS room_names,
                  (SELECT count(*) FROM rooms r WHERE r.venue_id = v.id AND r.deleted = 0)
                    AS room_count
                FROM venues v LEFT JOIN communities c ON c.id = v.community_id
                LEFT JOIN groups g ON g.id = v.group_id
                WHERE {where}
                ORDER BY {_LEVEL_ORDER}, g.sort_order, c.sort_order, v.name""", [*params, *_LEVEL_CODES])
        checklist = facilities_checklist()
        for row in rows:
            row["level_label"] = choice_label(LEVELS, row["level"])
            row["build_label"] = choice_label(BUILD_STATUSES, row["build_status"]) or "未填"
            have = set(self.facilities_of(row))
            row["facilities_list"] = [f for f in checklist if f in have]
            row["missing_facilities"] = [f for f in checklist if f not in have]
        return as_rows(rows, VenueListRow)

    @staticmethod
    def facilities_of(row: Mapping[str, Any]) -> builtins.list[str]:
        return names_of(row.get("facilities"))

    def room_choices(self) -> builtins.list[tuple[str, str]]:
        """Every room as "venue · room", the centre first, then area halls, then stations."""
        rows = self.store.rows(f"""SELECT r.id, v.name || ' · ' || r.name AS label FROM rooms r JOIN venues v
                                  ON v.id = r.venue_id WHERE r.deleted = 0 AND v.deleted = 0
                                  ORDER BY {_LEVEL_ORDER}, v.name, r.sort_order""", _LEVEL_CODES)
        return [(r["id"], r["label"]) for r in rows]

    def rooms(self, venue_id: str) -> builtins.list[dict]:
        return self.store.rows(
            "SELECT * FROM rooms WHERE venue_id = ? AND deleted = 0 ORDER BY sort_order, name",
            [venue_id])

    def _prepare(self, values: dict, row_id: str | None = None) -> dict:
        facilities = values.pop("facilities", None)
        values = self.clean_values(values)
        if facilities is not None:
            allowed = facilities_checklist()
            unknown = [f for f in facilities if f not in allowed]
            if unknown:
                raise ValidationError(f"未知的设施项：{'、'.join(unknown)}", field="facilities")
            values["facilities"] = json.dumps([f for f in allowed if f in facilities],
                                              ensure_ascii=False)
        if values.get("name") and self.store.scalar(
                "SELECT 1 FROM venues WHERE name = ? AND deleted = 0 AND id IS NOT ?",
                [values["name"], row_id]):
            raise ConflictError(f"已有名为“{values['name']}”的阵地", field="name")
        self.live_ref("communities", values.get("community_id"), "村（社区）", "community_id")
        self.live_ref("groups", values.get("group_id"), "议事小组", "group_id")
        return values

    @staticmethod
    def _room_names(rooms) -> builtins.list[str]:
        names = [str(r).strip() for r in rooms or [] if str(r).strip()]
        if len(set(names)) != len(names):
            raise ValidationError("会议室名称有重复", field="rooms")
        return names

    def create(self, values: dict, rooms: builtins.list[str] | None = None) -> Changes:
        values = self._prepare(dict(values))
        self.require(values)
        names = self._room_names(rooms)
        with self.store.write("create", f"新增阵地：{values['name']}") as tx:
            venue_id = tx.insert(self.table, values)
            for order, name in enumerate(names, 1):
                tx.insert("rooms", {"venue_id": venue_id, "name": name, "sort_order": order})
        return tx.changes

    def update(self, row_id: str, values: dict, rooms: builtins.list[str] | None = None) -> Changes:
        row = self.get(row_id)
        values = self._prepare(dict(values), row_id)
        self.require(values, row)
        with self.store.write("update", f"修改阵地：{self.title(row)}") as tx:
            tx.update(self.table, row_id, values)
            if rooms is not None:
                self._sync_rooms(tx, row_id, self._room_names(rooms))
        return tx.changes

    def _sync_rooms(self, tx, venue_id: str, names: builtins.list[str]) -> None:
        """Keep room ids stable by name, so later bookings keep pointing at the same room."""
        existing = self.store.rows("SELECT id, name, deleted FROM rooms WHERE venue_id = ?", [venue_id])
        by_name = {r["name"]: r for r in existing}
        for room in existing:
            if room["name"] not in names and not room["deleted"]:
                tx.delete("rooms", room["id"])
        for order, name in enumerate(names, 1):
            kept = by_name.get(name)
            if kept is None:
                tx.insert("rooms", {"venue_id": venue_id, "name": name, "sort_order": order})
                continue
            if kept["deleted"]:
                tx.restore("rooms", kept["id"])
            tx.update("rooms", kept["id"], {"sort_order": order})

    def on_delete(self, tx, row):
        for room in self.rooms(row["id"]):
            tx.delete("rooms", room["id"])

    def restore(self, row_id: str):
        row = self.get(row_id, include_deleted=True)
        self.check_restore(row)
        # Rooms deleted with the venue (stamped at or after it) come back with it;
        # rooms removed earlier on their own stay removed.
        rooms = self.store.rows(
            """SELECT r.id FROM rooms r
               JOIN clocks rk ON rk.tbl = 'rooms' AND rk.row_id = r.id AND rk.field = 'deleted'
               JOIN clocks vk ON vk.tbl = 'venues' AND vk.row_id = r.venue_id AND vk.field = 'deleted'
               WHERE r.venue_id = ? AND r.deleted = 1
                 AND (rk.wall_ms, rk.counter) >= (vk.wall_ms, vk.counter)""", [row_id])
        with self.store.write("restore", f"恢复阵地：{self.title(row)}") as tx:
            tx.restore(self.table, row_id)
            for room in rooms:
                tx.restore("rooms", room["id"])
        return tx.changes

    def by_level(self) -> dict[str, int]:
        return self.count_by("level", LEVELS)

    def by_build_status(self) -> dict[str, dict[str, int]]:
        """Live venues per level and build status ("" for those whose status is not recorded), and
        the year each open one opened: how far the step-by-step building has come."""
        counts: dict[str, dict[str, int]] = {level: {**{code: 0 for code, _ in BUILD_STATUSES}, "": 0}
                                             for level, _ in LEVELS}
        for row in self.store.rows("SELECT level, coalesce(build_status, '') AS status, count(*) AS n FROM venues"
                                   " WHERE deleted = 0 GROUP BY level, status"):
            counts.setdefault(row["level"], {}).setdefault(row["status"], 0)
            counts[row["level"]][row["status"]] += row["n"]
        return counts

    def opened_by_year(self) -> dict[str, int]:
        """Open venues by the year they opened (the 循序渐进 building of halls, year by year)."""
        return {row["year"]: row["n"] for row in self.store.rows(
            "SELECT substr(opened_on, 1, 4) AS year, count(*) AS n FROM venues WHERE deleted = 0"
            " AND build_status = ? AND opened_on IS NOT NULL GROUP BY year ORDER BY year", [OPEN])}
