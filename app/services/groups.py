"""Deliberation groups (议事小组): 4-6 communities, one leader and two deputies."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from app.common.errors import ConflictError, ValidationError
from app.rules.codes import GROUP_ROLES as ROLES
from app.services.base import FieldSpec, Service
from app.services.rows import GroupListRow, GroupRow, as_rows

MIN_COMMUNITIES, MAX_COMMUNITIES = 4, 6
ROLE_LIMITS = {"leader": 1, "deputy_leader": 2}


class GroupService(Service[GroupRow]):
    table = "groups"
    row_type = GroupRow
    noun = "议事小组"
    fields = (
        FieldSpec("name", "小组名称", required=True),
        FieldSpec("focus", "工作特色/重点"),
        FieldSpec("sort_order", "排序", "int"),
        FieldSpec("notes", "备注", "multiline"),
    )

    def list(self) -> list[GroupListRow]:
        """Groups with their communities, member count and office holders."""
        groups = self.store.rows(
            """SELECT g.*,
                 (SELECT count(*) FROM communities c WHERE c.group_id = g.id AND c.deleted = 0)
                   AS community_count,
                 (SELECT group_concat(name, '、') FROM (SELECT c.name FROM communities c
                    WHERE c.group_id = g.id AND c.deleted = 0 ORDER BY c.sort_order, c.name))
                   AS community_names,
                 (SELECT count(*) FROM delegates d WHERE d.group_id = g.id AND d.deleted = 0
                    AND d.status = 'active') AS delegate_count,
                 (SELECT group_concat(name, '、') FROM delegates d WHERE d.group_id = g.id
                    AND d.deleted = 0 AND d.status = 'active' AND d.group_role = 'leader') AS leaders,
                 (SELECT group_concat(name, '、') FROM delegates d WHERE d.group_id = g.id
                    AND d.deleted = 0 AND d.status = 'active' AND d.group_role = 'deputy_leader')
                   AS deputies
               FROM groups g WHERE g.deleted = 0 ORDER BY g.sort_order, g.name""")
        for group in groups:
            group["warnings"] = self._warnings_for(group)
        return as_rows(groups, GroupListRow)

    def _warnings_for(self, group: dict) -> builtins.list[str]:
        out = []
        n = group["community_count"]
        if not MIN_COMMUNITIES <= n <= MAX_COMMUNITIES:
            out.append(f"{group['name']}由 {n} 个村（社区）组成，通常应为 {MIN_COMMUNITIES}—{MAX_COMMUNITIES} 个")
        leaders = len(group["leaders"].split("、")) if group["leaders"] else 0
        deputies = len(group["deputies"].split("、")) if group["deputies"] else 0
        if leaders != 1:
            out.append(f"{group['name']}应有组长 1 人，现有 {leaders} 人")
        if deputies != 2:
            out.append(f"{group['name']}应有副组长 2 人，现有 {deputies} 人")
        return out

    def warnings(self) -> builtins.list[str]:
        return [w for group in self.list() for w in group["warnings"]]

    blockers = (("communities", "group_id", "还有 {n} 个村（社区）属于该小组"),
                ("delegates", "group_id", "还有 {n} 名代表属于该小组"))

    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
        if self.name_taken(values.get("name"), existing):
            raise ConflictError(f"已有名为“{values['name']}”的议事小组", field="name")

    def check_role(self, group_id: str | None, role: str, delegate_id: str | None = None) -> None:
        """Refuse a second leader or a third deputy (the rule the report sets)."""
        if role not in ROLE_LIMITS:
            return
        label = dict(ROLES)[role]
        if not group_id:
            raise ValidationError(f"担任{label}的代表必须属于一个议事小组", field="group_role")
        holders = self.store.rows(
            "SELECT name FROM delegates WHERE group_id = ? AND group_role = ? AND deleted = 0"
            " AND status = 'active' AND id IS NOT ?", [group_id, role, delegate_id])
        if len(holders) >= ROLE_LIMITS[role]:
            group = self.get(group_id)
            names = "、".join(h["name"] for h in holders)
            raise ConflictError(
                f"{group['name']}已有{label} {len(holders)} 人（{names}），每组只设{label} "
                f"{ROLE_LIMITS[role]} 人。请先调整现任{label}的职务。", field="group_role")
