"""Departments (units) with whom to call there, from the office's 部门（单位）联系表 and from the desk's
own register sent out for corrections."""

from __future__ import annotations

from app.workbooks.bring_in import Context, ImportKind, Outcome, RowRefused, changes_of
from app.workbooks.places_in import phone_or_warning
from app.workbooks.tabular import Field, SourceRow, as_text

LABELS = {"name": "简称", "full_name": "全称", "contact": "联系人", "phone": "联系电话"}


def _departments(store) -> dict[str, dict]:
    return {d["name"]: dict(d) for d in store.departments.list()}


class DepartmentsKind(ImportKind):
    name = "departments"
    noun = "部门（单位）"
    unit = "个"
    sample = "部门联系表.xlsx"
    fields = (
        Field("name", "简称", ("简称", "部门简称", "单位简称", "部门(单位)简称", "部门(单位)", "部门", "单位"),
              identity=True),
        Field("full_name", "全称", ("全称", "部门全称", "单位全称", "全称(用于文书)", "部门(单位)名称", "单位名称",
                                    "部门名称", "名称"), identity=True),
        Field("contact", "联系人", ("联系人", "联系人姓名", "联络员", "负责人", "姓名")),
        Field("phone", "联系电话", ("联系电话", "电话", "办公电话", "手机", "手机号码", "联系方式")),
    )

    def __init__(self):
        # stored short names a row found by its full name under another short name: not absent
        self._found_by_full_name: set[str] = set()

    def identity(self, row: SourceRow):
        if row.text("name"):
            return (row.text("name"),)
        return ("", row.text("full_name")) if row.text("full_name") else None

    def label(self, row: SourceRow) -> str:
        return row.text("name") or row.text("full_name")

    def stored(self, store):
        return {(d["name"],): d["name"] for d in store.departments.list() if d["name"] not in self._found_by_full_name}

    def apply(self, store, tx, ctx: Context, row: SourceRow):
        name, full = row.text("name"), row.text("full_name")
        departments = ctx.cache("departments", lambda: _departments(store))
        current = departments.get(name) if name else None
        if current is None and full:
            # the same department under another short name: the full name documents address it by
            current = next((d for d in departments.values() if d["full_name"] == full), None) or next(
                (d for d in departments.values() if d["full_name_shown"] == full), None)
        if not name and current is None:
            raise RowRefused(f"“简称”为空（全称“{full}”不是已有的部门）" if full else "“简称”为空", "name")
        warnings: list[str] = []
        wanted: dict = {}
        if name and current is not None and name != current["name"]:
            wanted["name"] = name
            warnings.append(f"按全称找到“{current['name']}”，简称改为“{name}”；此前会议、台账中记的“{current['name']}”不随之改变")
        own = name or (current or {}).get("name", "")  # (no name: found by its full name)
        if "full_name" in row.values:
            # the full name documents would use anyway (the reference list's) is not stored as the
            # department's own, so the register's 全称 column comes back as no change
            default = store.departments.full_name(own, {"full_name": None})
            wanted["full_name"] = full if full and (full != default or (current or {}).get("full_name") == full) else None
        if "contact" in row.values:
            wanted["contact"] = row.text("contact") or None
        if "phone" in row.values:
            # (as text: a number cell of an .xls file reads as 13883012345.0)
            wanted["phone"] = phone_or_warning(as_text(row.values.get("phone")), "联系电话", warnings)
        if current is None:
            last = max((d.get("sort_order") or 0 for d in departments.values()), default=0)
            new = {"name": name, **wanted, "sort_order": last + 1}  # listed after those there, in the file's order
            new_id = tx.insert("departments", new)
            ctx.stage("departments", name, {**new, "id": new_id,
                                            "full_name_shown": full or store.departments.full_name(name, new)})
            return Outcome("new", warnings=warnings)
        if current["name"] != name:
            self._found_by_full_name.add(current["name"])  # (named by the file, as a refused row's record is)
        changed, listed = changes_of(dict(store.departments.stored(current["id"]) or {}), wanted, LABELS)
        if not changed:
            return Outcome("same", warnings=warnings)
        tx.update("departments", current["id"], changed)
        if "full_name" in changed:
            # as documents name it before and after (an empty one: the reference list's, by short name)
            before, after = current["full_name_shown"], full or store.departments.full_name(own, {"full_name": None})
            listed = [(f, before, after) if f == LABELS["full_name"] else (f, o, n) for f, o, n in listed
                      if f != LABELS["full_name"] or before != after]  # (a renamed one keeps its full name)
        outcome = Outcome("update", listed, warnings)
        if "name" in wanted:
            ctx.stage("departments", name, {**current, "name": name})
        return outcome
