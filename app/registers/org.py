"""The foundation's registers: roster (花名册), groups, grids, venues, departments."""

from __future__ import annotations

from app.common.idcard import mask
from app.registers.writer import Column, Register
from app.services.delegates import RosterFilter


def _subdistrict(store) -> str:
    return store.settings.get("subdistrict") or ""


def roster(store, *, full_id: bool = False, flt: RosterFilter | None = None, term_id: str | None = None) -> Register:
    if term_id and flt is None:
        flt = RosterFilter(term_id=term_id, status=None)  # the term's delegates, serving or not
    rows = store.delegates.page(flt or RosterFilter(), limit=None)
    for row in rows:
        row["id_shown"] = row["id_number"] if full_id else mask(row["id_number"])
    # Printed on A4: who each delegate is, where they serve and how to reach them; A3 adds the
    # rest of the personal particulars and the grids. The ID number (masked), certificate number
    # and notes stay in the file.
    columns = [
        Column("姓名", "name", 8), Column("性别", "gender", 5), Column("民族", "ethnicity", 6, printed="a3"),
        Column("出生日期", "birth_date", 11, kind="date"), Column("身份证号", "id_shown", 20, printed=""),
        Column("政治面貌", "party", 8), Column("界别", "sector", 8, 16, wrap=True, printed="a3"),
        Column("学历", "education", 8, printed="a3"),
        Column("工作单位及职务", "work", 16, 36, wrap=True), Column("联系电话", "phone", 13),
        Column("所在村（社区）", "community_name", 10),
        Column("联系网格", "grid_names", 14, 30, wrap=True, printed="a3"),
        Column("议事小组", "group_name", 9), Column("小组职务", "role_label", 8),
        Column("聘书编号", "certificate_no", 10, printed=""), Column("状态", "status_label", 6, printed="a3"),
        Column("备注", "notes", 8, 30, wrap=True, printed=""),
    ]
    for row in rows:
        row["work"] = " ".join(p for p in (row.get("workplace"), row.get("post")) if p)
    return Register(f"{_subdistrict(store)}议事代表花名册", store.settings.unit(), columns, rows, "花名册",
                    note="注：身份证号已按规定脱敏显示。" if not full_id else "")


def groups(store) -> Register:
    rows = []
    for group in store.groups.list():
        members = store.delegates.page(RosterFilter(group_id=group["id"]), limit=None)
        for member in members:
            rows.append({"group": group["name"], "communities": group["community_names"],
                         "role": member["role_label"], "name": member["name"],
                         "gender": member["gender"], "community": member["community_name"],
                         "work": " ".join(p for p in (member.get("workplace"), member.get("post")) if p),
                         "phone": member["phone"]})
    columns = [Column("议事小组", "group", 9), Column("组成村（社区）", "communities", 16, 24, wrap=True),
               Column("小组职务", "role", 8), Column("姓名", "name", 8), Column("性别", "gender", 5),
               Column("所在村（社区）", "community", 10), Column("工作单位及职务", "work", 16, 24, wrap=True),
               Column("联系电话", "phone", 13)]
    return Register(f"{_subdistrict(store)}议事代表分组名单", store.settings.unit(), columns, rows, "分组名单")


def grids(store) -> Register:
    rows = store.grids.list()
    group_of = {c["id"]: c["group_name"] for c in store.communities.list()}
    for row in rows:
        row["group_name"] = group_of.get(row["community_id"])
    columns = [Column("议事小组", "group_name", 9), Column("所在村（社区）", "community_name", 10),
               Column("网格", "name", 10), Column("网格员", "worker_name", 8), Column("网格员电话", "worker_phone", 13),
               Column("联系议事代表", "delegate_names", 12, 30, wrap=True),
               Column("备注", "notes", 8)]
    return Register(f"{_subdistrict(store)}议事代表与网格对应表", store.settings.unit(), columns, rows, "网格对应表")


def venues(store) -> Register:
    rows = store.venues.list()
    for row in rows:
        row["build_text"] = row["build_label"] if row["build_status"] else ""
        row["facilities_text"] = "、".join(row["facilities_list"])
        row["missing_text"] = "、".join(row["missing_facilities"])
    # Printed on A4: the venue, where it is, its rooms, equipment and opening; A3 adds the
    # community and the group it serves.
    columns = [Column("层级", "level_label", 10), Column("阵地名称", "name", 14, 24, wrap=True),
               Column("地址", "address", 14, 36, wrap=True),
               Column("建设状态", "build_text", 8, 10, wrap=True), Column("开放日期", "opened_on", 11, kind="date"),
               Column("所在村（社区）", "community_name", 10, printed="a3"),
               Column("对应议事小组", "group_name", 10, printed="a3"),
               Column("会议室", "room_names", 10, 30, wrap=True),
               Column("已配备设施", "facilities_text", 14, 40, wrap=True),
               Column("尚缺设施", "missing_text", 10, 30, wrap=True),
               Column("接待/开放安排", "schedule", 12, 30, wrap=True)]
    return Register(f"{_subdistrict(store)}议事阵地一览表", store.settings.unit(), columns, rows, "阵地一览")


def departments(store) -> Register:
    """部门（单位）联系表: each department's short name (as meetings and the ledger use it), the full name
    documents address it by, and whom to call there. Sent out for corrections and imported back."""
    rows = store.departments.list()
    columns = [Column("简称", "name", 10), Column("全称", "full_name_shown", 20, 36, wrap=True),
               Column("联系人", "contact", 8), Column("联系电话", "phone", 13)]
    return Register(f"{_subdistrict(store)}部门（单位）联系表", store.settings.unit(), columns, rows, "部门联系表")


def audit(store, *, date_from=None, date_to=None, action=None, text="") -> Register:
    """审计日志 as filtered in the viewer (local times)."""
    rows = store.audit.query(date_from=date_from, date_to=date_to, action=action, text=text, limit=None)
    verified = store.audit.verify()
    columns = [Column("编号", "seq", 6, kind="int"), Column("时间", "when", 19, kind="datetime"), Column("操作人", "actor", 8),
               Column("类型", "action_label", 6), Column("内容", "summary", 30, 70, wrap=True)]
    return Register("审计日志", store.settings.unit(), columns, rows, "审计日志",
                    note=f"链式校验：{verified['message']}（共 {verified['entries']} 条）")


def contacts(store, community_id: str | None = None) -> Register:
    """网格联系表: each grid, the delegate(s) who serve it and their phone — one community's to post in
    the community, or the whole subdistrict's."""
    rows = store.grids.contacts(community_id)
    from app.services.base import choice_label
    from app.services.groups import ROLES

    for row in rows:
        row["role"] = choice_label(ROLES, row["group_role"]) if row["name"] else ""
        row["name"] = row["name"] or "（尚无代表联系）"
    community = (store.communities.stored(community_id) or {}).get("name", "") if community_id else ""
    columns = [Column("村（社区）", "community_name", 10), Column("网格", "grid_name", 9),
               Column("网格员", "worker_name", 8), Column("网格员电话", "worker_phone", 13),
               Column("联系议事代表", "name", 10), Column("联系电话", "phone", 13), Column("议事小组", "group_name", 9),
               Column("小组职务", "role", 8)]
    return Register(f"{community or _subdistrict(store)}议事代表网格联系表", store.settings.unit(), columns, rows,
                    "网格联系表", note="有事可直接联系本网格的网格员或议事代表，反映意见建议。")


def institutions(store) -> Register:
    rows = store.institutions.list()
    for row in rows:
        row["text"] = row["member_names"] or row["content"]
    # one page wide at 9 pt
    columns = [Column("类别", "kind_label", 10), Column("名称", "title", 16, 28, wrap=True),
               Column("文号", "doc_number", 12, 20, wrap=True), Column("日期", "day", 11, kind="date"),
               Column("状态", "status_label", 6), Column("主要内容或成员", "text", 16, 30, wrap=True)]
    return Register(f"{_subdistrict(store)}议事代表会议制度建设情况", store.settings.unit(), columns, rows, "制度建设")
