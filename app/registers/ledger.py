"""Ledger registers: 意见建议办理台账, 督办记录, and the statistics table."""

from __future__ import annotations

from ..services.opinions import CATEGORIES, STATUSES, OpinionFilter
from .writer import Column, Percent, Register


def _title(store, name: str, year: int | None) -> str:
    return f"{store.settings.get('subdistrict') or ''}{name}" + (f"（{year}年）" if year else "")


LEDGER_COLUMNS = [
    Column("编号", "serial", 11), Column("收集日期", "received_on", 11, kind="date"), Column("来源", "source_label", 8),
    Column("收集代表", "delegate_name", 8), Column("议事小组", "group_name", 9),
    Column("所在村（社区）", "community_name", 10), Column("意见建议", "title", 18, 36, wrap=True),
    Column("具体内容", "content", 20, 44, wrap=True), Column("类别", "category_label", 10),
    Column("承办单位", "units", 12, 24, wrap=True), Column("办理期限", "deadline", 11, kind="date"),
    Column("办理进度", "status_label", 10), Column("提示", "flag", 8),
    Column("办理结果", "result", 16, 40, wrap=True), Column("满意度", "satisfaction", 8),
]


def ledger_rows(store, flt: OpinionFilter | None = None) -> list[dict]:
    rows = store.opinions.page(flt or OpinionFilter(descending=False), limit=None)
    for row in rows:
        row["units"] = "、".join([row["lead_unit"] or "", *row["co_units_list"]]).strip("、")
        if row["status"] == "declined":
            row["result"] = f"未采纳：{row['decline_reason']}"
    return rows


def ledger(store, year: int | None = None, flt: OpinionFilter | None = None) -> Register:
    if flt is None:
        flt = OpinionFilter(descending=False, date_from=f"{year}-01-01" if year else None,
                           date_to=f"{year}-12-31" if year else None)
    return Register(_title(store, "意见建议办理台账", year), store.settings.unit(), LEDGER_COLUMNS,
                    ledger_rows(store, flt), "意见建议台账")


def supervision(store, year: int | None = None) -> Register:
    where, params = "", []
    if year:
        where, params = " AND s.day >= ? AND s.day < ?", [f"{year}-01-01", f"{year + 1}-01-01"]
    rows = store.rows(
        f"""SELECT s.day, s.method, s.content, s.progress, s.actor, o.serial, o.title, o.lead_unit,
                   o.deadline FROM supervisions s JOIN opinions o ON o.id = s.opinion_id
            WHERE s.deleted = 0 AND o.deleted = 0{where} ORDER BY s.day, o.serial""", params)
    columns = [Column("督办日期", "day", 11, kind="date"), Column("意见编号", "serial", 11),
               Column("意见建议", "title", 18, 36, wrap=True), Column("承办单位", "lead_unit", 12),
               Column("办理期限", "deadline", 11, kind="date"), Column("督办方式", "method", 8),
               Column("督办情况", "content", 20, 44, wrap=True), Column("办理进展", "progress", 14, 36, wrap=True),
               Column("记录人", "actor", 8)]
    return Register(_title(store, "意见建议督办记录", year), store.settings.unit(), columns, rows, "督办记录")


def stats(store, year: int | None = None) -> Register:
    report = store.opinion_stats.report(year)
    o, m, held = report["opinions"], report["meetings"], report["meetings_held"]
    rows = [
        {"item": "召开议事代表大会（次）", "value": held.get("plenary", 0)},
        {"item": "开展分组活动（次）", "value": held.get("group_activity", 0)},
        {"item": "邻里议事堂接待日（次）", "value": held.get("reception", 0)},
        {"item": "安排会议活动合计（次）", "value": sum(m.values())},
        {"item": "代表走访网格（次）", "value": report["fieldwork"]["visits"]},
        {"item": "走访接触群众（人次）", "value": report["fieldwork"]["residents_met"]},
        {"item": "会议落实事项（项）", "value": report["fieldwork"]["actions"]},
        {"item": "　其中：已完成（项）", "value": report["fieldwork"]["actions_done"]},
        {"item": "　　　　逾期未完成（项）", "value": report["fieldwork"]["actions_overdue"]},
        {"item": "收集群众意见建议（条）", "value": o["total"]},
        {"item": "已办结并反馈（条）", "value": o["solved"]},
        {"item": "办结归档（条）", "value": o["closed"]},
        {"item": "逾期未办结（条）", "value": o["overdue"]},
        {"item": "办结后逾期未反馈代表（条）", "value": o["feedback_overdue"]},
        {"item": "重点督办（条）", "value": o["key_supervision"]},
        {"item": "满意率", "value": Percent(o["satisfaction_rate"] / 100) if o["satisfaction_rate"] is not None else None},
    ]
    rows += [{"item": f"　其中：{label}（条）", "value": o["by_category"][key]} for key, label in CATEGORIES]
    rows += [{"item": f"　办理进度：{label}（条）", "value": o["by_status"][key]} for key, label in STATUSES]
    rows += [{"item": f"　{group}（条）", "value": n} for group, n in o["by_group"].items()]
    rows += [{"item": f"　{month}（条）", "value": n} for month, n in o["by_month"].items()]
    columns = [Column("统计项目", "item", 30, 40), Column("数值", "value", 10, kind="number")]
    return Register(_title(store, "议事代表会议制度工作统计表", year), store.settings.unit(), columns, rows, "统计")
