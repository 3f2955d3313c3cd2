"""`yishi check`: SQLite integrity, foreign keys, references to deleted rows, the rules every
record is held to (the forms'), the audit chain and the heads of it seen in backups and packages."""

from .schema import SYNCED_FIELDS, TABLE_NOUNS


def rule_breaches(store, limit: int = 20) -> list[str]:
    """Live rows whose values the forms would refuse (written around the app: by hand, or by an
    older version)."""
    from .services.base import checked_fields, field_problem

    found = []
    for table, specs in checked_fields(store).items():
        columns = ", ".join(f"[{s.name}]" for s in specs)
        for row in store.db.execute(f"SELECT id, {columns} FROM [{table}] WHERE deleted = 0"):
            for spec, value in zip(specs, row[1:]):
                problem = field_problem(spec, value)
                if problem:
                    found.append(f"{TABLE_NOUNS.get(table, table)} {row[0][:8]}：{problem}")
                    if len(found) >= limit:
                        return found
    return found


def run_checks(store) -> dict:
    db = store.db
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    fk_rows = db.execute("PRAGMA foreign_key_check").fetchall()
    foreign_keys = [{"table": r[0], "rowid": r[1], "parent": r[2]} for r in fk_rows]
    missing_clocks = []
    for table in SYNCED_FIELDS:
        n = store.scalar(
            f"SELECT count(*) FROM [{table}] t WHERE NOT EXISTS (SELECT 1 FROM clocks k WHERE"
            f" k.tbl = '{table}' AND k.row_id = t.id AND k.field = 'deleted')")
        if n:
            missing_clocks.append({"table": table, "rows": n})
    audit = store.audit.verify()
    breaches = rule_breaches(store)
    ok = integrity == ["ok"] and not foreign_keys and not missing_clocks and audit["ok"] and not breaches
    messages = []
    # In the clerk's words: what each check protects, not how it is stored.
    messages.append("数据库文件：完好" if integrity == ["ok"] else
                    f"数据库文件：已损坏（{'；'.join(integrity[:3])}），请从备份恢复")
    messages.append("记录之间的关联（如代表所属的小组、意见所属的会议）：完好" if not foreign_keys else
                    f"记录之间的关联：{len(foreign_keys)} 处指向已不存在的记录，请联系维护人员")
    messages.append("交换所需的修改时间（U盘交换时据此判断哪边的修改更新）：齐全" if not missing_clocks else
                    "交换所需的修改时间：" + "、".join(f"{TABLE_NOUNS.get(m['table'], m['table'])} {m['rows']} 条"
                                             for m in missing_clocks) + "缺少，请从备份恢复或联系维护人员")
    messages.append("录入规则：全部符合" if not breaches else f"录入规则：{len(breaches)} 处不符合（{breaches[0]} 等）")
    witnessed = (f"；与备份和交换包中记下的 {audit['witnesses']} 个链头相符" if audit["ok"] and audit.get("witnesses")
                 else "")
    messages.append(f"审计日志：{audit['message']}（共 {audit['entries']} 条）{witnessed}")
    return {
        "ok": ok,
        "integrity": {"ok": integrity == ["ok"], "details": integrity[:20]},
        "foreign_keys": {"ok": not foreign_keys, "violations": foreign_keys[:50]},
        "clocks": {"ok": not missing_clocks, "missing": missing_clocks},
        "rules": {"ok": not breaches, "breaches": breaches},
        "audit_chain": audit,
        "messages": messages,
    }
