"""Ledger registers: 意见建议办理台账, 督办记录, and the statistics table."""

from __future__ import annotations

from app.registers.writer import Column, Percent, Register
from app.rules.codes import BUILDING, CATEGORIES, CENTRE, OPEN, PLANNED, SUBJECTS, VENUE_LEVELS
from app.rules.meeting_kinds import kinds
from app.services.opinion_clocks import CLOCKS
from app.services.opinions import OpinionFilter

# The 年度统计表's row of each clocked step: opinions late at it (done late or still waiting).
STATS_LATE_ROWS = {"report": "收集后上报组长超过时限", "topic": "上报后确定议题超过时限",
                   "approval": "议题工委审核超过时限", "assign": "集中议事后交办超过时限",
                   "answer": "超过办理期限办结或未办结", "feedback": "办结或不予采纳后反馈代表超过时限",
                   "reopen": "不满意后重办超过时限"}


def _title(store, name: str, year: int | None) -> str:
    return f"{store.settings.get('subdistrict') or ''}{name}" + (f"（{year}年）" if year else "")


# Printed on A4: the columns of the printed ledger (app/documents/ledger_docs.py) but the category;
# A3 adds the source, group, category and result. The content, community and the current step's
# due day stay in the file (the 提示 column prints which step is late; A3 has no room for more).
LEDGER_COLUMNS = [
    Column("编号", "serial", 11), Column("收集日期", "received_on", 11, kind="date"),
    Column("来源", "source_label", 8, printed="a3"),
    Column("收集代表", "delegate_name", 8), Column("议事小组", "group_name", 9, printed="a3"),
    Column("所在村（社区）", "community_name", 10, printed=""), Column("意见建议", "title", 18, 36, wrap=True),
    Column("具体内容", "content", 20, 44, wrap=True, printed=""),
    Column("类别", "category_label", 10, printed="a3"),
    Column("承办单位", "units", 12, 24, wrap=True), Column("办理期限", "deadline", 11, kind="date"),
    Column("办理进度", "status_label", 10),
    # the dates of the steps reached: kept in the file (never printed) so that the register comes
    # back into a desk with each state's dates (app/workbooks/opinions_in.py)
    Column("上报组长日期", "reported_on", 11, kind="date", printed=""),
    Column("交办日期", "assigned_on", 11, kind="date", printed=""),
    Column("办结日期", "answered_on", 11, kind="date", printed=""),
    Column("反馈日期", "feedback_delegate_on", 11, kind="date", printed=""),
    Column("归档日期", "closed_on", 11, kind="date", printed=""),
    Column("本环节期限", "step_due", 11, kind="date", printed=""),
    Column("提示", "flag", 8), Column("按期", "on_time_mark", 6),
    Column("办理结果", "result", 16, 40, wrap=True, printed="a3"), Column("满意度", "satisfaction", 8),
]


def ledger_rows(store, flt: OpinionFilter | None = None) -> list[dict]:
    rows = store.opinions.page(flt or OpinionFilter(descending=False), limit=None)
    for row in rows:
        row["units"] = "、".join([row["lead_unit"] or "", *row["co_units_list"]]).strip("、")
        # 按期办结: 是 / 否 once answered (a narrow column: the A4 page has no room for more)
        row["on_time_mark"] = {True: "是", False: "否", None: ""}[row["on_time"]]
        if row["decline_reason"] and not row["result"]:  # (fed back after 不予采纳 too)
            row["result"] = f"未采纳：{row['decline_reason']}"
    return rows


def ledger(store, year: int | None = None, flt: OpinionFilter | None = None) -> Register:
    if flt is None:
        flt = OpinionFilter(descending=False, date_from=f"{year}-01-01" if year else None,
                           date_to=f"{year}-12-31" if year else None)
    return Register(_title(store, "意见建议办理台账", year), store.settings.unit(), LEDGER_COLUMNS,
                    ledger_rows(store, flt), "意见建议台账")


def supervision(store, year: int | None = None) -> Register:
    rows = store.opinions.supervisions_of_year(year)
    joined = store.opinions.supervisors([r["id"] for r in rows])
    for row in rows:
        row["delegates"] = "、".join(joined.get(row["id"], []))
    # Printed on A4 but the recorder (A3).
    columns = [Column("督办日期", "day", 11, kind="date"), Column("意见编号", "serial", 11),
               Column("意见建议", "title", 18, 36, wrap=True), Column("承办单位", "lead_unit", 12, 16, wrap=True),
               Column("办理期限", "deadline", 11, kind="date"), Column("督办方式", "method", 8),
               Column("督办情况", "content", 20, 44, wrap=True), Column("办理进展", "progress", 14, 36, wrap=True),
               Column("参与代表", "delegates", 12, 24, wrap=True, printed="a3"), Column("记录人", "actor", 8, printed="a3")]
    return Register(_title(store, "意见建议督办记录", year), store.settings.unit(), columns, rows, "督办记录")


def stats(store, year: int | None = None) -> Register:
    """年度统计表: the same rows in the same order every year and in every subdistrict (a code per
    row), so that the district can add the sheets up. One year's: by default the year the
    year-end summary sums up, so that the two say the same."""
    year = year or store.summary.default_year()
    report = store.opinion_stats.report(year)
    o, held, work = report["opinions"], report["meetings_held"], report["fieldwork"]
    summary = store.stats.summary(year)
    levels = summary["venues"]["by_level"]
    built, subjects = summary["venues"]["by_build_status"], summary["meetings"]["by_subject"]
    rated = o["satisfaction_rate"]
    limits_text = "、".join(f"{c.label}{o['limits'][c.key]}日" for c in CLOCKS if c.key in o["limits"])
    figures = [
        ("在任议事代表（人）", summary["delegates"]["active"]), ("议事代表小组（个）", summary["groups"]),
        ("村（社区）（个）", summary["communities"]), ("网格（个）", summary["grids"]),
        *((f"{label}（个）", levels.get(code, 0)) for code, label in VENUE_LEVELS),
        *((f"{k.stats_item}（次）", held.get(k.code, 0)) for k in kinds()),
        ("代表走访网格（次）", work["visits"]), ("走访接触群众（人次）", work["residents_met"]),
        ("收集群众意见建议（条）", o["total"]),
        *((f"{'　其中：' if index == 0 else '　　　　'}{label}（条）", o["by_category"].get(code, 0))
          for index, (code, label) in enumerate(CATEGORIES)),
        ("不予采纳（条）", o["declined"]), ("已交办（条）", o["assigned"]),
        ("已办结（条）", o["solved"]),
        ("办结率", Percent(o["solved"] / o["assigned"]) if o["assigned"] else None),
        ("办结归档（条）", o["closed"]), ("逾期未办结（条）", o["overdue"]),
        ("办结后逾期未反馈代表（条）", o["feedback_overdue"]), ("重点督办（条）", o["key_supervision"]),
        ("满意率", Percent(rated / 100) if rated is not None else None),
        ("会议落实事项（项）", work["actions"]), ("　其中：已完成（项）", work["actions_done"]),
        ("　　　　逾期未完成（项）", work["actions_overdue"]),
        # added rows go last, so that every earlier row keeps its code
        ("按期办结（条）", o["on_time"]),
        ("按期办结率", Percent(o["on_time"] / o["solved"]) if o["solved"] else None),
        *((f"{STATS_LATE_ROWS[c.key]}（条）", o["late_steps"][c.key]) for c in CLOCKS),
        # halls built step by step, and what they deliberated (added after the rows above keep their codes)
        ("已建成投用的议事阵地（个）", sum(c.get(OPEN, 0) for c in built.values())),
        ("　其中：本年新投用（个）", summary["venues"]["opened_by_year"].get(str(year), 0)),
        ("规划中、建设中的议事阵地（个）", sum(c.get(PLANNED, 0) + c.get(BUILDING, 0) for c in built.values())),
        *((f"议事厅（堂）议事活动：{label}（次）", sum(c.get(code, 0) for level, c in subjects.items() if level != CENTRE))
          for code, label in SUBJECTS),
        *((f"接待日群众反映事项：{label}（件）", summary["reception_matters_by_subject"].get(code, 0))
          for code, label in SUBJECTS),
    ]
    rows = [{"code": f"{number:02d}", "item": item, "value": value} for number, (item, value) in enumerate(figures, 1)]
    columns = [Column("代码", "code", 6), Column("统计项目", "item", 30, 40), Column("数值", "value", 10, kind="number")]
    note = (f"注：1. 会议按召开日期、意见建议按收集日期、走访按走访日期、落实事项按会议日期计入{year}年；"
            f"代表、小组、村（社区）、网格和阵地（01—07）为填报日的数量，逾期为截至填报日的情况。\n"
            f"2. 办结率＝已办结条数÷已交办条数：{year}年收集的意见建议中已交办的（含已办结的）；"
            f"未交办的和不予采纳的不计入。\n"
            f"3. 满意率＝（满意＋基本满意）条数÷表态的条数；未表态的不计入。\n"
            f"4. 按期办结率＝按期办结条数÷已办结条数：在办理期限内办结的，经批准延期的按延期后的期限，重办的按重办期限。\n"
            f"5. 超过时限的环节按“设置”中各环节的时限（工作日：{limits_text}）计，含超时完成的和截至填报日仍未完成的。\n"
            f"6. 议事阵地的建设情况为填报日的数量；议事厅（堂）议事活动为{year}年在片区议事厅、邻里议事堂召开的"
            "议事活动，按议事事项类型计。")
    return Register(_title(store, "议事代表会议制度工作统计表", year), store.settings.unit(), columns, rows, "统计",
                    note=note)
