"""`yishi check`: SQLite integrity, foreign keys, references to deleted rows, the audit chain."""

from .schema import SYNCED_FIELDS


def run_checks(store) -> dict:
    db = store.db
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    fk_rows = db.execute("PRAGMA foreign_key_check").fetchall()
    foreign_keys = [{"table": r[0], "rowid": r[1], "parent": r[2]} for r in fk_rows]
    missing_clocks = []
    for table, fields in SYNCED_FIELDS.items():
        n = store.scalar(
            f"SELECT count(*) FROM [{table}] t WHERE NOT EXISTS (SELECT 1 FROM clocks k WHERE"
            f" k.tbl = '{table}' AND k.row_id = t.id AND k.field = 'deleted')")
        if n:
            missing_clocks.append({"table": table, "rows": n})
    audit = store.audit.verify()
    ok = integrity == ["ok"] and not foreign_keys and not missing_clocks and audit["ok"]
    messages = []
    messages.append("数据库完整性：正常" if integrity == ["ok"] else f"数据库完整性：发现问题 {integrity[:5]}")
    messages.append("外键引用：正常" if not foreign_keys else f"外键引用：{len(foreign_keys)} 处断开")
    messages.append("修改时钟：正常" if not missing_clocks else f"修改时钟：{missing_clocks} 缺失")
    messages.append(f"审计日志：{audit['message']}（共 {audit['entries']} 条）")
    return {
        "ok": ok,
        "integrity": {"ok": integrity == ["ok"], "details": integrity[:20]},
        "foreign_keys": {"ok": not foreign_keys, "violations": foreign_keys[:50]},
        "clocks": {"ok": not missing_clocks, "missing": missing_clocks},
        "audit_chain": audit,
        "messages": messages,
    }
