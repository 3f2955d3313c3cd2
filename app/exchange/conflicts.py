"""The conflict log: values a merge displaced, side by side with the value kept. The clerk may
switch to the other value (an ordinary edit, so it travels to the other offices too) or mark the
entry as seen; entries are never removed."""

from __future__ import annotations

from datetime import datetime

from app.common.errors import ConflictError, NotFoundError
from app.storage.schema import TABLE_NOUNS

FIELD_LABELS = {"name": "名称", "notes": "备注", "focus": "工作重点", "title": "标题", "content": "内容",
                "status": "状态", "deleted": "删除状态", "phone": "联系电话", "address": "地址"}
KIND_LABELS = {"concurrent": "两处同时修改", "delete_vs_edit": "删除与修改"}


def _label(store, table: str, row_id: str) -> str:
    """What names the record (a delegate's name, an opinion's title...), as the rule book says."""
    from app.rules.engine import title_of

    try:
        rows = store.rows(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])
    except Exception:  # a table this version does not know: show the id
        rows = []
    return (title_of(table, rows[0]) if rows else "") or f"（编号 {row_id[:8]}）"


def field_label(table: str, field: str) -> str:
    """The field as the forms call it (联系电话, not phone): the rule book's label."""
    from app.rules.engine import spec_of

    spec = spec_of(table)
    return (spec.labels.get(field) if spec else None) or FIELD_LABELS.get(field, field)


def _noun(table: str) -> str:
    from app.rules.engine import spec_of

    spec = spec_of(table)
    return spec.noun if spec else TABLE_NOUNS.get(table, table)


def record_name(store, table: str, row_id: str) -> str:
    """代表“张三”, or 代表（编号 1a2b3c4d） for a record without a name."""
    title = _label(store, table, row_id)
    return f"{_noun(table)}{title}" if title.startswith("（编号") else f"{_noun(table)}“{title}”"


def subject(store, table: str, row_id: str, field: str) -> str:
    """代表“张三”的联系电话: the record and the field a conflict is about."""
    return f"{record_name(store, table, row_id)}的{field_label(table, field)}"


def shown_value(table: str, field: str, value) -> str:
    """A logged value as the clerk reads it: a choice's label, 已删除 for a delete, 空 for nothing."""
    from app.rules.engine import spec_of
    from app.rules.fields import Choice

    if value is None or value == "":
        return "空"
    if field == "deleted":
        return "已删除" if str(value) == "1" else "未删除"
    spec = spec_of(table)
    rule = spec.fields.get(field) if spec else None
    if isinstance(rule, Choice):
        return str(rule.text(value))
    return str(value)


def describe(store, conflict: dict) -> str:
    """One conflict in a sentence, the same in the import preview, the CLI and the log."""
    table, field = conflict["tbl"], conflict["field"]
    kept, lost = shown_value(table, field, conflict["kept_value"]), shown_value(table, field, conflict["lost_value"])
    head = subject(store, table, conflict["row_id"], field)
    if conflict.get("kind") == "delete_vs_edit":
        head = f"{record_name(store, table, conflict['row_id'])}一处删除、一处修改"
    return f"{head}：保留“{kept}”，另一值“{lost}”记入冲突记录"


def list_conflicts(store, open_only: bool = True) -> list[dict]:
    rows = store.rows("SELECT * FROM conflicts WHERE deleted = 0" + (" AND resolved_at IS NULL" if open_only else "")
                      + " ORDER BY at DESC, tbl, row_id")
    for row in rows:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
        row["table_label"] = TABLE_NOUNS.get(row["tbl"], row["tbl"])
        row["field_label"] = field_label(row["tbl"], row["field"])
        row["record"] = _label(store, row["tbl"], row["row_id"])
        row["text"] = describe(store, row)
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
    with store.write("update", f"处理冲突：{subject(store, table, row_id, field)}") as tx:
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
