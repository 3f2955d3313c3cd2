"""Communities and their grids (with 网格员 and the delegates in charge) from the offices' sheets,
and the desk's own 网格对应表 and 网格联系表 back as updates."""

from __future__ import annotations

import re
import unicodedata

from app.common.errors import ValidationError
from app.common.textutil import clean, validate_phone
from app.rules.codes import AREAS, COMMUNITY_KINDS
from app.workbooks.bring_in import Context, ImportKind, NamedKind, Outcome, RowRefused, update_or_same
from app.workbooks.tabular import BadValue, Field, SourceRow, as_text, split_names

COMMUNITY = ("所在村（社区）", "村（社区）", "所属村（社区）", "所属社区", "社区名称", "村(社区)名称", "村居", "社区", "村")
GROUP = ("议事小组", "所属议事小组", "所属小组", "对应议事小组", "小组")


def choice(value, choices: tuple[tuple[str, str], ...], label: str, key: str | None = None) -> str | None:
    """A closed list's code from its code or its label as typed (“社区”, “community”); None when blank."""
    text = clean(value)
    if not text:
        return None
    for code, shown in choices:
        if text in (code, shown):
            return code
    raise RowRefused(f"“{label}”“{text}”不在可选值中（{'、'.join(shown for _, shown in choices)}）", key)


def phone_or_warning(value, label: str, warnings: list[str]) -> str | None:
    """A phone number as stored; one that cannot be is left out with a warning (the row still counts)."""
    try:
        return validate_phone(as_text(value))  # (a number cell: 13883012345.0 in an .xls)
    except ValidationError as exc:
        warnings.append(f"“{label}”{as_text(value)}：{exc.message}，未导入")
        return None


def communities_by_name(store) -> dict[str, dict]:
    return {c["name"]: dict(c) for c in store.communities.list()}


def groups_by_name(store) -> dict[str, dict]:
    return {g["name"]: dict(g) for g in store.groups.list()}


def group_id(tx, ctx: Context, name: str) -> str | None:
    """The group of that name, created when the office has none yet (as the roster import does)."""
    if not name:
        return None
    groups = ctx.cache("groups", lambda: groups_by_name(ctx.store))
    if name not in groups:
        ctx.stage("groups", name, {"id": tx.insert("groups", {"name": name}), "name": name}, created="议事小组")
    return groups[name]["id"]


def community_id(tx, ctx: Context, name: str, group: str = "") -> str:
    """The community of that name, created when the office has none yet (a village by its name)."""
    communities = ctx.cache("communities", lambda: communities_by_name(ctx.store))
    if name not in communities:
        subdistrict = ctx.cache("subdistrict", lambda: {"name": ctx.store.settings.get("subdistrict") or None})
        new = {"name": name, "kind": "village" if name.endswith("村") else "community",
               "group_id": group_id(tx, ctx, group), "subdistrict": subdistrict["name"]}
        ctx.stage("communities", name, {"id": tx.insert("communities", new), **new}, created="村（社区）")
    return communities[name]["id"]


class CommunitiesKind(NamedKind):
    name = "communities"
    noun = "村（社区）"
    unit = "个"
    sample = "村社区名单.xlsx"
    fields = (
        Field("name", "名称", ("村（社区）", "村（社区）名称", "社区名称", "村居名称", "所在村（社区）", "名称", "社区", "村"),
              identity=True),
        Field("kind", "类型", ("类型", "村或社区", "村/社区")),
        Field("area", "片区", ("片区", "所在片区", "区域")),
        Field("group", "所属议事小组", GROUP),
        Field("subdistrict", "所属街道", ("所属街道", "街道", "镇街")),
        Field("notes", "备注", ("备注",)),
    )

    def records(self, store):
        return store.communities.list()

    def apply(self, store, tx, ctx, row):
        name = row.text("name")
        if not name:
            raise RowRefused("村（社区）名称为空", "name")
        kind = choice(row.values.get("kind"), COMMUNITY_KINDS + (("village", "行政村"),), "类型", "kind") \
            or ("village" if name.endswith("村") else "community")
        wanted = {"kind": kind}
        if "area" in row.values:
            wanted["area"] = choice(row.values.get("area"), AREAS, "片区", "area")
        if "group" in row.values:
            wanted["group_id"] = group_id(tx, ctx, row.text("group"))
        for key in ("subdistrict", "notes"):
            if key in row.values:
                wanted[key] = row.text(key) or None
        communities = ctx.cache("communities", lambda: communities_by_name(store))
        current = communities.get(name)
        if current is None:
            new = {"name": name, **wanted}
            new.setdefault("subdistrict", store.settings.get("subdistrict") or None)
            ctx.stage("communities", name, {"id": tx.insert("communities", new), **new})
            return Outcome("new")
        return update_or_same(tx, "communities", store.communities.stored(current["id"]), wanted,
                              {"kind": "类型", "area": "片区", "group_id": "所属议事小组", "subdistrict": "所属街道",
                               "notes": "备注"}, _shown(ctx))


def _shown(ctx: Context):
    """How a changed value reads in the preview: codes as their labels, references as names."""
    labels = dict(COMMUNITY_KINDS + AREAS)

    def show(key, value):
        if value is None:
            return ""
        if key == "group_id":
            groups = ctx.cache("groups", lambda: groups_by_name(ctx.store))
            return next((name for name, g in groups.items() if g["id"] == value), str(value))
        return labels.get(value, str(value)) if key in ("kind", "area") else str(value)

    return show


def grid_number(row: SourceRow) -> int | None:
    """The grid's number from its 编号 cell, or from its name (中山路第3网格 -> 3)."""
    number = row.int("number", "网格编号")
    if number is None:
        found = re.search(r"第\s*(\d+)\s*网格|(\d+)\s*号?网格$", unicodedata.normalize("NFKC", row.text("name")))
        if found:
            number = int(found.group(1) or found.group(2))
    return number


class GridsKind(ImportKind):
    name = "grids"
    noun = "网格"
    unit = "个"
    sample = "网格及网格员名册.xlsx"
    fields = (
        Field("community", "所在村（社区）", COMMUNITY, fill_down=True, identity=True),
        Field("number", "网格编号", ("网格编号", "编号", "网格号")),
        Field("name", "网格名称", ("网格名称", "网格", "所属网格"), identity=True),
        Field("worker_name", "网格员", ("网格员", "网格员姓名", "专职网格员", "网格长")),
        Field("worker_phone", "网格员电话", ("网格员电话", "网格员联系电话", "网格员手机", "联系电话", "电话", "手机")),
        Field("delegates", "联系议事代表", ("联系议事代表", "联系代表", "议事代表", "包片代表")),
        Field("group", "议事小组", GROUP, fill_down=True),
        Field("notes", "备注", ("备注",)),
    )

    def _name(self, row: SourceRow) -> str:
        name = row.text("name")
        if not name:
            number = grid_number(row)
            name = f"第{number}网格" if number is not None else ""
        return name

    def identity(self, row):
        community, name = row.text("community"), self._name(row)
        return (community, name) if community and name else None

    def label(self, row):
        try:
            return f"{row.text('community')}{self._name(row)}"
        except BadValue:
            return row.text("community")

    def stored(self, store):
        return {(g["community_name"], g["name"]): f"{g['community_name']}{g['name']}" for g in store.grids.list()}

    def combine(self, rows: list[SourceRow]) -> list[SourceRow]:
        """The 网格联系表 names one delegate a line: lines of the same grid that agree on the rest
        are one grid with all their delegates."""
        if "delegates" not in (rows[0].values if rows else {}):
            return rows
        out: list[SourceRow] = []
        first_of: dict[tuple, SourceRow] = {}
        for row in rows:
            try:
                key = self.identity(row)
            except ValueError:
                key = None
            earlier = first_of.get(key) if key else None
            same = earlier is not None and all(
                clean(earlier.values.get(k)) == clean(row.values.get(k)) or not clean(row.values.get(k))
                for k in row.values if k != "delegates")
            if earlier is not None and same:
                names = split_names(earlier.values.get("delegates")) + split_names(row.values.get("delegates"))
                earlier.values["delegates"] = "、".join(dict.fromkeys(names))
                continue
            if key and key not in first_of:
                first_of[key] = row
            out.append(row)
        return out

    def apply(self, store, tx, ctx, row):
        community, name = row.text("community"), self._name(row)
        if not community:
            raise RowRefused("所在村（社区）为空", "community")
        if not name:
            raise RowRefused("网格名称和编号都为空", "name")
        warnings: list[str] = []
        wanted: dict = {}
        if "number" in row.values or grid_number(row) is not None:
            wanted["number"] = grid_number(row)
        if "worker_name" in row.values:
            wanted["worker_name"] = row.text("worker_name") or None
        if "worker_phone" in row.values:
            wanted["worker_phone"] = phone_or_warning(row.values.get("worker_phone"), "网格员电话", warnings)
        if "notes" in row.values:
            wanted["notes"] = row.text("notes") or None
        cid = community_id(tx, ctx, community, row.text("group"))
        grids = ctx.cache("grids", lambda: {(g["community_id"], g["name"]): dict(g) for g in store.grids.list()})
        current = grids.get((cid, name))
        if current is None and wanted.get("number") is not None and not row.text("name"):
            current = next((g for (c, _), g in grids.items() if c == cid and g.get("number") == wanted["number"]), None)
        if current is None:
            new = {"community_id": cid, "name": name, **wanted}
            grid = {"id": tx.insert("grids", new), **new}
            ctx.stage("grids", (cid, name), grid)
            outcome = Outcome("new")
        else:
            grid = current
            outcome = update_or_same(tx, "grids", store.grids.stored(current["id"]), wanted,
                                     {"number": "网格编号", "worker_name": "网格员", "worker_phone": "网格员电话",
                                      "notes": "备注"})
        if "delegates" in row.values:
            linked = _link_delegates(store, tx, ctx, grid["id"], cid, split_names(row.values.get("delegates")),
                                     warnings, current is not None)
            if linked:
                outcome.changes.append(linked)
                if outcome.verdict == "same":
                    outcome.verdict = "update"
        outcome.warnings = warnings
        return outcome


def _link_delegates(store, tx, ctx: Context, grid_id: str, community: str, names: list[str], warnings: list[str],
                    existing: bool) -> tuple[str, str, str] | None:
    """Make the grid's serving delegates those named (an unknown name is told, not guessed)."""
    from app.services.delegates import link_id

    delegates = ctx.cache("delegates", lambda: _serving_by_name(store))
    wanted: dict[str, str] = {}
    for name in names:
        found = delegates.get(name, [])
        if len(found) > 1:  # two serving delegates of that name: the one of the grid's community
            found = [d for d in found if d["community_id"] == community] or found
        if not found:
            warnings.append(f"没有名为“{name}”的在任议事代表，未关联")
        elif len(found) > 1:
            warnings.append(f"有 {len(found)} 名在任议事代表叫“{name}”，未关联，请在窗口中选择")
        else:
            wanted[found[0]["id"]] = name
    links = {r["delegate_id"]: r for r in store.rows(
        "SELECT dg.id, dg.delegate_id, dg.deleted, d.name FROM delegate_grids dg JOIN delegates d ON d.id = dg.delegate_id"
        " WHERE dg.grid_id = ? AND d.deleted = 0 AND d.status = 'active'", [grid_id])} if existing else {}
    now = {d for d, r in links.items() if not r["deleted"]}
    if now == set(wanted):
        return None
    for delegate_id in set(wanted) - now:
        if delegate_id in links:
            tx.restore("delegate_grids", links[delegate_id]["id"])
        else:
            tx.insert("delegate_grids", {"delegate_id": delegate_id, "grid_id": grid_id},
                      row_id=link_id(delegate_id, grid_id))
    for delegate_id in now - set(wanted):
        tx.delete("delegate_grids", links[delegate_id]["id"])
    before = "、".join(sorted(links[d]["name"] for d in now))
    return ("联系议事代表", before, "、".join(sorted(wanted.values()))) if existing or wanted else None


def _serving_by_name(store) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for d in store.rows("SELECT id, name, community_id FROM delegates WHERE deleted = 0 AND status = 'active'"):
        out.setdefault(d["name"], []).append(d)
    return out
