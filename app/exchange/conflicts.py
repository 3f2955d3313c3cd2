"""The conflict log: values a merge displaced, side by side with the value kept. The clerk may
switch to the other value (an ordinary edit, so it travels to the other offices too) or mark the
entry as seen; entries are never removed."""

from __future__ import annotations

from datetime import datetime

from ..errors import ConflictError, NotFoundError
from ..schema import TABLE_NOUNS

FIELD_LABELS = {"name": "名称", "notes": "备注", "focus": "工作重点", "title": "标题", "content": "内容",
                "status": "状态", "deleted": "删除状态", "phone": "联系电话", "address": "地址"}
KIND_LABELS = {"concurrent": "两处同时修改", "delete_vs_edit": "删除与修改"}


def _label(store, table: str, row_id: str) -> str:
    column = {"meetings": "title", "opinions": "title", "topics": "title", "workflow_steps": "title",
              "action_items": "content", "supervisions": "content"}.get(table, "name")
    try:
        value = store.scalar(f"SELECT [{column}] FROM [{table}] WHERE id = ?", [row_id])
    except Exception:  # a table without that column: show the id
        value = None
    return value or row_id[:8]


def list_conflicts(store, open_only: bool = True) -> list[dict]:
    rows = store.rows("SELECT * FROM conflicts WHERE deleted = 0" + (" AND resolved_at IS NULL" if open_only else "")
                      + " ORDER BY at DESC, tbl, row_id")
    for row in rows:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
        row["table_label"] = TABLE_NOUNS.get(row["tbl"], row["tbl"])
        row["field_label"] = FIELD_LABELS.get(row["field"], row["field"])
        row["record"] = _label(store, row["tbl"], row["row_id"])
        row["state_label"] = row["resolution"] or ("未查看" if not row["resolved_at"] else "已查看")
    return rows


def resolve(store, conflict_id: str, use_other: bool):
    """Keep the merged value (mark as seen) or switch the record to the displaced value."""
    rows = store.rows("SELECT * FROM conflicts WHERE id = ? AND deleted = 0", [conflict_id])
    if not rows:
        raise NotFoundError("找不到这条冲突记录")
    conflict = rows[0]
    if conflict["resolved_at"]:
        raise ConflictError(f"这条冲突已于 {conflict['resolved_at'][:10]} 处理：{conflict['resolution']}")
    table, row_id, field = conflict["tbl"], conflict["row_id"], conflict["field"]
    now = datetime.now().isoformat(timespec="seconds")
    noun = TABLE_NOUNS.get(table, table)
    with store.write("update", f"处理冲突：{noun}“{_label(store, table, row_id)}”的{FIELD_LABELS.get(field, field)}") as tx:
        if use_other:
            current = store.scalar(f"SELECT [{field}] FROM [{table}] WHERE id = ?", [row_id])
            if field == "deleted":
                (tx.restore if current else tx.delete)(table, row_id)
            else:
                tx.update(table, row_id, {field: _typed(store, table, field, conflict["lost_value"])})
            resolution = f"改用另一值（被替换的值：{current if current is not None else '空'}）"
        else:
            resolution = "保留当前值"
        tx.update("conflicts", conflict_id, {"resolved_at": now, "resolution": resolution})
    return tx.changes


def _typed(store, table: str, field: str, text):
    """Conflict values are kept as text; put numbers back as numbers."""
    if text is None:
        return None
    column_type = next((r["type"] for r in store.rows(f"PRAGMA table_info([{table}])") if r["name"] == field), "")
    if column_type.upper() == "INTEGER":
        try:
            return int(text)
        except ValueError:
            return text
    return text
