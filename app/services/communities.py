"""Villages and residential communities (村/社区)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.common.errors import ConflictError
from app.rules.codes import AREAS
from app.rules.codes import COMMUNITY_KINDS as KINDS
from app.services.base import FieldSpec, Service, choice_label
from app.services.rows import Row


class CommunityService(Service[Row]):
    table = "communities"
    row_type = Row
    noun = "村（社区）"
    fields = (
        FieldSpec("name", "名称", required=True),
        FieldSpec("kind", "类型", "choice", required=True, choices=KINDS),
        FieldSpec("area", "片区", "choice", choices=AREAS),
        FieldSpec("group_id", "所属议事小组", "ref", ref="groups"),
        FieldSpec("subdistrict", "所属街道"),
        FieldSpec("sort_order", "排序", "int"),
        FieldSpec("notes", "备注", "multiline"),
    )

    def list(self, group_id: str | None = None) -> list[dict]:
        where, params = "c.deleted = 0", []
        if group_id:
            where += " AND c.group_id = ?"
            params.append(group_id)
        rows = self.store.rows(
            f"""SELECT c.*, g.name AS group_name,
                  (SELECT count(*) FROM grids x WHERE x.community_id = c.id AND x.deleted = 0)
                    AS grid_count,
                  (SELECT count(*) FROM delegates d WHERE d.community_id = c.id AND d.deleted = 0
                    AND d.status = 'active') AS delegate_count
                FROM communities c LEFT JOIN groups g ON g.id = c.group_id
                WHERE {where} ORDER BY c.sort_order, c.name""", params)
        for row in rows:
            row["kind_label"] = choice_label(KINDS, row["kind"])
            row["area_label"] = choice_label(AREAS, row["area"])
        return rows

    blockers = (("grids", "community_id", "该村（社区）还有 {n} 个网格"),
                ("delegates", "community_id", "还有 {n} 名代表属于该村（社区）"))

    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
        if self.name_taken(values.get("name"), existing):
            raise ConflictError(f"已有名为“{values['name']}”的村（社区）", field="name")
        self.live_ref("groups", values.get("group_id"), "议事小组", "group_id")
        if existing is None and not values.get("subdistrict"):
            values["subdistrict"] = self.store.settings.get("subdistrict") or None

    def find_by_name(self, name: str) -> dict | None:
        rows = self.store.rows("SELECT * FROM communities WHERE name = ? AND deleted = 0", [name])
        return rows[0] if rows else None

    def parents_deleted(self, row):
        if row.get("group_id") and self.store.scalar(
                "SELECT 1 FROM groups WHERE id = ? AND deleted = 1", [row["group_id"]]):
            return ["所属议事小组已被删除"]
        return []
