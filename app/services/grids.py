"""Grids (网格) of grid management; each lies in one community."""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from typing import Any

from app.common.errors import Cancelled, ConflictError, ValidationError
from app.common.textutil import validate_phone
from app.services.base import FieldSpec, Service
from app.services.rows import GridListRow, GridRow, as_rows

MAX_BULK = 2000
_RANGE = re.compile(r"^\s*(\d+)\s*[-—–~～至到]\s*(\d+)\s*$")


def parse_range(text: str) -> tuple[int, int]:
    """'1-30' (also 1—30, 1至30, 1~30) -> (1, 30)."""
    match = _RANGE.match(text or "")
    if not match:
        raise ValidationError("网格编号范围应写成“起始-结束”，例如 1-30", field="range")
    start, end = int(match.group(1)), int(match.group(2))
    if start < 1 or end < start:
        raise ValidationError("网格编号范围不正确：结束编号应不小于起始编号，且从 1 开始", field="range")
    if end - start + 1 > MAX_BULK:
        raise ValidationError(f"一次最多新建 {MAX_BULK} 个网格", field="range")
    return start, end


class GridService(Service[GridRow]):
    table = "grids"
    row_type = GridRow
    noun = "网格"
    fields = (
        FieldSpec("community_id", "所属村（社区）", "ref", required=True, ref="communities"),
        FieldSpec("number", "编号", "int"),
        FieldSpec("name", "网格名称", required=True),
        FieldSpec("worker_name", "网格员"),
        FieldSpec("worker_phone", "网格员电话", "phone"),
        FieldSpec("notes", "备注", "multiline"),
    )

    def list(self, community_id: str | None = None) -> list[GridListRow]:
        where, params = "x.deleted = 0", []
        if community_id:
            where += " AND x.community_id = ?"
            params.append(community_id)
        return as_rows(self.store.rows(
            f"""SELECT x.*, c.name AS community_name,
                  (SELECT group_concat(d.name, '、') FROM delegate_grids dg
                     JOIN delegates d ON d.id = dg.delegate_id
                     WHERE dg.grid_id = x.id AND dg.deleted = 0 AND d.deleted = 0
                       AND d.status = 'active') AS delegate_names
                FROM grids x JOIN communities c ON c.id = x.community_id
                WHERE {where} ORDER BY c.sort_order, c.name, x.number, x.name""", params), GridListRow)

    def contacts(self, community_id: str | None = None) -> builtins.list[dict]:
        """Each grid (of one community, or all) with each serving delegate who keeps in touch with
        it (a grid no one serves: one line without a delegate), in the communities' order."""
        where, params = "", []
        if community_id:
            where, params = " AND c.id = ?", [community_id]
        return self.store.rows(
            f"""SELECT c.name AS community_name, x.name AS grid_name, x.worker_name, x.worker_phone, d.name,
                       d.phone, g.name AS group_name, d.group_role
                FROM grids x JOIN communities c ON c.id = x.community_id
                LEFT JOIN delegate_grids dg ON dg.grid_id = x.id AND dg.deleted = 0
                LEFT JOIN delegates d ON d.id = dg.delegate_id AND d.deleted = 0 AND d.status = 'active'
                LEFT JOIN groups g ON g.id = d.group_id
                WHERE x.deleted = 0{where}
                ORDER BY c.sort_order, c.name, x.number, x.name, d.name_pinyin""", params)

    def choices(self) -> builtins.list[tuple[str, str, str]]:
        """(id, name, community_id) of live grids, for pickers: no per-row subqueries."""
        return [(r["id"], r["name"], r["community_id"]) for r in self.store.rows(
            "SELECT id, name, community_id FROM grids WHERE deleted = 0 ORDER BY community_id, number, name")]

    def _check_unique(self, community_id: str, names: builtins.list[str], row_id: str | None = None) -> None:
        taken = {r["name"] for r in self.store.rows(
            "SELECT name FROM grids WHERE community_id = ? AND deleted = 0 AND id IS NOT ?",
            [community_id, row_id])}
        clash = [n for n in names if n in taken]
        if clash:
            raise ConflictError(f"该村（社区）已有网格：{'、'.join(clash[:5])}"
                                f"{' 等' if len(clash) > 5 else ''}", field="name")

    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
        if values.get("worker_phone"):  # stored as the delegates' phones are: digits only
            try:
                values["worker_phone"] = validate_phone(values["worker_phone"])
            except ValidationError as exc:
                raise ValidationError(exc.message.replace("联系电话", "网格员电话"), field="worker_phone") from None
        community_id = values.get("community_id", (existing or {}).get("community_id"))
        self.live_ref("communities", community_id, "村（社区）", "community_id")
        self._check_unique(community_id or "", [values.get("name", (existing or {}).get("name")) or ""],
                           existing["id"] if existing else None)

    def bulk_create(self, community_id: str, number_range: str, pattern: str = "第{n}网格",
                    progress=None):
        """Create 第1网格..第N网格 in one transaction (all or none).

        `progress(done, total)` is called per row; returning False cancels (nothing is kept).
        """
        start, end = parse_range(number_range)
        if "{n}" not in pattern:
            raise ValidationError("网格名称格式中须含 {n}，代表编号，例如“第{n}网格”", field="pattern")
        self.live_ref("communities", community_id, "村（社区）", "community_id")
        community = self.store.communities.get(community_id)
        names = [(n, pattern.replace("{n}", str(n))) for n in range(start, end + 1)]
        self._check_unique(community_id, [name for _, name in names])
        total = len(names)
        with self.store.write("create", f"批量新建网格：{community['name']} {names[0][1]}—{names[-1][1]}"
                              f"（{total} 个）") as tx:
            for done, (number, name) in enumerate(names, 1):
                tx.insert(self.table, {"community_id": community_id, "number": number, "name": name})
                if progress is not None and progress(done, total) is False:
                    raise Cancelled("已取消批量新建网格，没有保存任何网格")
        return tx.changes

    def title(self, row):
        return row.get("name") or ""

    def dependents(self, row_id):
        n = self.count_live(
            """SELECT count(*) FROM delegate_grids dg JOIN delegates d ON d.id = dg.delegate_id
               WHERE dg.grid_id = ? AND dg.deleted = 0 AND d.deleted = 0""", [row_id])
        return [f"还有 {n} 名代表联系该网格"] if n else []

    def parents_deleted(self, row):
        if self.store.scalar("SELECT 1 FROM communities WHERE id = ? AND deleted = 1",
                             [row["community_id"]]):
            return ["所属村（社区）已被删除"]
        return []
