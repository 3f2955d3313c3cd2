"""What the opinion list and the topic tab share: the list's columns and its colours."""

from __future__ import annotations

from ...models import Col

COLUMNS = [Col("serial", "编号", "serial"), Col("received_on", "收集日期", "received"),
           Col("source_label", "来源"), Col("delegate_name", "收集代表"), Col("group_name", "议事小组", "group"),
           Col("title", "意见建议", "title"), Col("category_label", "类别", "category"),
           Col("lead_unit", "主办单位", "unit"), Col("deadline", "办理期限", "deadline"),
           Col("status_label", "办理进度", "status"), Col("flag", "提示"), Col("satisfaction", "满意度")]


def row_colour(row: dict) -> str | None:
    return "#c62828" if row.get("overdue") or row.get("feedback_overdue") else "#b26a00" if row.get("due_soon") else None
