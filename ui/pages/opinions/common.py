"""What the opinion list and the topic tab share: the list's columns and its colours."""

from __future__ import annotations

from ...models import Col

COLUMNS = [Col("serial", "编号", "serial"), Col("received_on", "收集日期", "received"),
           Col("source_label", "来源"), Col("delegate_name", "收集代表"), Col("group_name", "议事小组", "group"),
           Col("title", "意见建议", "title"), Col("category_label", "类别", "category"),
           Col("lead_unit", "主办单位", "unit"), Col("deadline", "办理期限", "deadline"),
           Col("status_label", "办理进度", "status"), Col("step_due", "本环节期限"), Col("flag", "提示"),
           Col("on_time_label", "按期办结"), Col("satisfaction", "满意度")]


def row_colour(row: dict) -> str | None:
    # late at whatever step it waits at (上报组长 … 重办), else due within days
    return "#c62828" if row.get("step_late") else "#b26a00" if row.get("due_soon") else None
