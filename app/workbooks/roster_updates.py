"""The desk's own roster (or an office's) brought back over delegates already stored: each field the
file holds that differs becomes an update, listed old → new; fields the file has no column for, and
delegates it does not name, are left as they are."""

from __future__ import annotations

import re
import unicodedata

from app.rules import TABLES
from app.rules.codes import GROUP_ROLES

PLAIN = {"ethnicity": "ethnicity", "party": "party", "sector": "sector", "education": "education",
         "notes": "notes", "certificate_no": "certificate_no", "phone": "phone", "workplace": "workplace",
         "post": "post", "name": "name"}  # file column -> delegate field, compared as typed
ROLE_LABELS = dict(GROUP_ROLES)


def grid_number(text: str) -> int | None:
    """The number a grid is written with (第３网格, 3号网格, 3); None when the text names none."""
    found = re.search(r"(\d+)", unicodedata.normalize("NFKC", text))
    return int(found.group(1)) if found else None


def grid_numbers(texts: list[str]) -> set[int]:
    return {number for number in map(grid_number, texts) if number is not None}


def plan_updates(store, rows, communities: dict, groups: dict) -> None:
    """Decide each row's verdict (update or same) and what it writes; the dry run and the import
    share it. Communities and groups named but not yet stored are created by the write first."""
    from app.services.groups import ROLE_LIMITS

    labels = TABLES["delegates"].labels
    holders: dict[tuple[str | None, str], int] = {}
    for row in store.rows("SELECT group_id, group_role, count(*) AS n FROM delegates WHERE deleted = 0"
                          " AND status = 'active' AND group_role != 'member' GROUP BY group_id, group_role"):
        holders[(row["group_id"], row["group_role"])] = row["n"]
    community_names = {c["id"]: name for name, c in communities.items()}
    group_names = {g["id"]: name for name, g in groups.items()}
    links = _grid_links(store, [v.match["id"] for v in rows])
    for v in rows:
        stored, columns, values = v.match, v.extra["columns"], v.values
        wanted: dict = {}
        for column, key in PLAIN.items():
            if column in columns:
                wanted[key] = values.get(key) or None
        if "phone" in wanted and any("未导入电话" in w for w in v.warnings):
            del wanted["phone"]  # a number that cannot be one: the stored one stays
        if "work" in columns and "workplace" not in columns:
            wanted.update(_work(stored, v.extra.get("work", "")))
        for key in ("gender", "birth_date"):
            if key in values and (values[key] or None) != (stored[key] or None):
                wanted[key] = values[key]
        if "id_number" in values:
            wanted["id_number"] = values["id_number"]
        changed = {k: val for k, val in wanted.items() if (stored.get(k) or None) != (val or None)}
        shown = [(labels[k], stored.get(k) or "", val or "") for k, val in changed.items()]
        names = {"community": v.extra["community"], "group": v.extra["group"] if "group" in columns else None}
        if names["community"] != community_names.get(stored["community_id"]):
            shown.append((labels["community_id"], community_names.get(stored["community_id"], ""), names["community"]))
        else:
            names["community"] = None
        if names["group"] is not None and (names["group"] or None) != group_names.get(stored["group_id"]):
            shown.append((labels["group_id"], group_names.get(stored["group_id"]) or "", names["group"]))
        else:
            names["group"] = None
        role = values["group_role"] if "role" in columns else stored["group_role"]
        if role != "member" and (names["group"] == "" or (names["group"] is None and not stored["group_id"])):
            # the desk refuses a leader or a deputy outside a group (GroupService.check_role)
            v.warnings.append(f"没有议事小组，不能担任{ROLE_LABELS[role]}，小组职务按成员登记")
            role = "member"
        if role != stored["group_role"]:
            group_id = stored["group_id"] if names["group"] is None else groups.get(names["group"], {}).get("id")
            if role != "member" and holders.get((group_id, role), 0) >= ROLE_LIMITS[role]:
                v.warnings.append(f"该小组的{ROLE_LABELS[role]}已满（限 {ROLE_LIMITS[role]} 人），小组职务未改")
            else:
                holders[(group_id, role)] = holders.get((group_id, role), 0) + 1
                changed["group_role"] = role
                shown.append((labels["group_role"], ROLE_LABELS[stored["group_role"]], ROLE_LABELS[role]))
        if "grids" in columns:
            have = set(links.get(stored["id"], {}))
            numbers = grid_numbers(v.extra["grids"])
            # moved to another village or community: the grids it names are the new one's, none is kept
            kept = numbers & have if names["community"] is None else set()
            if numbers - kept or have - kept:
                v.relink = (numbers - kept, have - kept)
            if numbers != have:
                shown.append(("联系网格", "、".join(f"第{n}网格" for n in sorted(have)),
                              "、".join(f"第{n}网格" for n in sorted(numbers))))
        v.update = {**changed, "_community": names["community"], "_group": names["group"]}
        v.changes = [{"field": f, "old": str(o), "new": str(n)} for f, o, n in shown]
        v.verdict = "update" if shown else "same"


def _work(stored: dict, work: str) -> dict:
    """工作单位及职务 in one cell, as the roster register writes it (“单位 职务”)."""
    place, post = stored.get("workplace") or "", stored.get("post") or ""
    if work == " ".join(p for p in (place, post) if p):
        return {}
    if post and work.endswith(post) and work[:-len(post)].strip():
        return {"workplace": work[:-len(post)].strip()}
    return {"workplace": work or None, "post": None}


def _grid_links(store, delegate_ids: list[str]) -> dict[str, dict[int, str]]:
    """Each delegate's linked grids: number -> link row id."""
    out: dict[str, dict[int, str]] = {}
    for start in range(0, len(delegate_ids), 500):
        chunk = delegate_ids[start:start + 500]
        for r in store.rows(f"SELECT dg.id, dg.delegate_id, g.number FROM delegate_grids dg JOIN grids g"
                            f" ON g.id = dg.grid_id WHERE dg.deleted = 0 AND g.deleted = 0 AND g.number IS NOT NULL"
                            f" AND dg.delegate_id IN ({', '.join('?' for _ in chunk)})", chunk):
            out.setdefault(r["delegate_id"], {})[r["number"]] = r["id"]
    return out


def write_update(tx, v, communities: dict, groups: dict, grid_of) -> None:
    """One delegate's planned update (communities and groups named are stored by now)."""
    from app.services.delegates import link_id

    values = {k: val for k, val in v.update.items() if not k.startswith("_")}
    if v.update["_community"]:
        values["community_id"] = communities[v.update["_community"]]["id"]
    if v.update["_group"] is not None:
        values["group_id"] = groups[v.update["_group"]]["id"] if v.update["_group"] else None
    if values:
        tx.update("delegates", v.match["id"], values)
    if v.relink:
        linking, unlinking = v.relink
        community_id = values.get("community_id", v.match["community_id"])
        links = _grid_links(tx.store, [v.match["id"]]).get(v.match["id"], {})
        for number in unlinking:
            tx.delete("delegate_grids", links[number])
        for number in linking:
            grid_id = grid_of(community_id, number)
            link = link_id(v.match["id"], grid_id)
            if tx.store.scalar("SELECT 1 FROM delegate_grids WHERE id = ?", [link]):
                tx.restore("delegate_grids", link)
            else:
                tx.insert("delegate_grids", {"delegate_id": v.match["id"], "grid_id": grid_id}, row_id=link)
