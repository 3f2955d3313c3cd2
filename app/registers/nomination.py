"""The selection registers: candidates (推荐人选名单), joint review (联审情况表), the notice list
(公示名单) and the quota table (名额分配表)."""

from __future__ import annotations

from app.common.idcard import mask
from app.registers.writer import Column, Register
from app.rules import nomination_stages as st
from app.services.candidates import CandidateFilter


def _people_columns(brief: bool = False) -> list[Column]:
    """A person's particulars; `brief`: 民族, 界别 and 学历 printed on A3 only (a list with more
    columns of its own)."""
    extra = "a3" if brief else "a4"
    return [Column("姓名", "name", 8), Column("性别", "gender", 5), Column("出生年月", "born", 9, kind="month"),
            Column("民族", "ethnicity", 6, printed=extra), Column("政治面貌", "party", 8),
            Column("界别", "sector", 8, printed=extra), Column("学历", "education", 8, printed=extra),
            Column("工作单位及职务", "work", 16, 24, wrap=True), Column("推荐村（社区）", "community_name", 10)]


def _people(store, round_id, **flt) -> list[dict]:
    rows = store.candidates.list(CandidateFilter(round_id=round_id, **flt))
    for row in rows:
        row["recommender_text"] = "、".join(row["recommender_names"]) or row.get("recommender") or ""
    return rows


def candidates(store, *, round_id: str | None = None, full_id: bool = False) -> Register:
    round_row = store.nomination.get_or_current(round_id)
    rows = _people(store, round_row["id"])
    for row in rows:
        row["id_shown"] = row["id_number"] if full_id else mask(row["id_number"])
    # Printed on A4: who, from where, how recommended and how far they got; A3 adds the
    # particulars, recommenders, conditions and reasons. The ID number and certificate stay in the file.
    columns = _people_columns(brief=True) + [
        Column("身份证号", "id_shown", 20, printed=""), Column("推荐方式", "route_label", 10, 22, wrap=True),
        Column("推荐组织或联名推荐人", "recommender_text", 16, 40, wrap=True, printed="a3"),
        Column("推选条件", "conditions_text", 10, 30, wrap=True, printed="a3"),
        Column("进展", "progress", 14, 30, wrap=True),
        Column("未通过原因", "fail_reason", 10, 36, wrap=True, printed="a3"),
        Column("聘书编号", "certificate_no", 12, printed="")]
    return Register(f"{round_row['name']}推荐人选名单", store.settings.unit(), columns, rows, "推荐人选名单",
                    note="" if full_id else "注：身份证号已按规定脱敏显示。")


def joint_review(store, *, round_id: str | None = None) -> Register:
    round_row = store.nomination.get_or_current(round_id)
    units = store.nomination.review_units(round_row["id"])
    # Those sent to the joint review: past the preliminary review
    rows = [r for r in _people(store, round_row["id"])
            if st.reached(r, st.PRELIMINARY_REVIEWED)]
    verdicts = {}
    for review in store.candidates.joint_reviews_of_round(round_row["id"]):
        verdicts[(review["candidate_id"], review["unit"])] = review["verdict"] + (
            f"（{review['note']}）" if review["note"] else "")
    for row in rows:
        for index, unit in enumerate(units):
            row[f"unit{index}"] = verdicts.get((row["id"], unit), "")
        row["conclusion"] = ("本人退出" if row["status"] == st.WITHDRAWN
                             else "不合格" if row["fail_stage"] == st.JOINT_REVIEWED else
                             "合格" if st.reached(row, st.JOINT_REVIEWED) else "联审中")
    columns = [Column("姓名", "name", 8), Column("性别", "gender", 5), Column("出生年月", "born", 9, kind="month"),
               Column("政治面貌", "party", 8), Column("推荐村（社区）", "community_name", 10)]
    columns += [Column(unit, f"unit{index}", 8, 11, wrap=True) for index, unit in enumerate(units)]
    columns.append(Column("联审结论", "conclusion", 8))
    return Register(f"{round_row['name']}联审情况表", store.settings.unit(), columns, rows, "联审情况表")


def notice_list(store, *, round_id: str | None = None) -> Register:
    round_row = store.nomination.get_or_current(round_id)
    rows = [r for r in _people(store, round_row["id"]) if r["on_notice"]]
    note = (f"公示时间：{round_row['notice_start']} 至 {round_row['notice_end']}（3个工作日）"
            if round_row.get("notice_start") else "尚未公示")
    return Register(f"{round_row['name']}公示名单", store.settings.unit(), _people_columns(), rows, "公示名单",
                    note=note)


def quotas(store, *, round_id: str | None = None) -> Register:
    round_row = store.nomination.get_or_current(round_id)
    rows = store.nomination.board(round_row["id"])["table"]
    columns = [Column("类别", "dimension_label", 8), Column("项目", "key_label", 12), Column("名额要求", "requirement", 10),
               Column("推荐人数", st.NOMINATED, 8, kind="int"), Column("联审合格", "qualified", 8, kind="int"),
               Column("确定人数", "selected", 8, kind="int"),
               Column("情况", "state_text", 8)]
    return Register(f"{round_row['name']}名额分配表", store.settings.unit(), columns, rows, "名额分配表")
