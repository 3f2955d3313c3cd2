"""`yishi check`: SQLite integrity, foreign keys, the rule book (every row's fields, references,
duplicates and double bookings), the audit chain and the heads of it seen in backups and packages."""

from app.storage.schema import SYNCED_FIELDS, TABLE_NOUNS


def rule_breaches(store) -> list:
    """Every live row that breaks the rule book (written around the app: by hand, by an older
    version, or merged from two offices' edits), each naming table, record, field, value and rule."""
    from app.rules.doors import scan

    return list(scan(store.db.conn))


SHOWN_BREACHES = 30  # in the text report; `--json` lists them all


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
    if not breaches:
        messages.append("录入规则：全部符合")
    else:
        messages.append(f"录入规则：{len(breaches)} 处不符合，请逐条改正（标有“※”的值在列表和台账中照原样显示）：")
        messages += [f"  {breach}" for breach in breaches[:SHOWN_BREACHES]]
        if len(breaches) > SHOWN_BREACHES:
            messages.append(f"  ……另有 {len(breaches) - SHOWN_BREACHES} 处，用 yishi check --json 可列出全部")
    witnessed = (f"；与备份和交换包中记下的 {audit['witnesses']} 个链头相符" if audit["ok"] and audit.get("witnesses")
                 else "")
    messages.append(f"审计日志：{audit['message']}（共 {audit['entries']} 条）{witnessed}")
    return {
        "ok": ok,
        "integrity": {"ok": integrity == ["ok"], "details": integrity[:20]},
        "foreign_keys": {"ok": not foreign_keys, "violations": foreign_keys[:50]},
        "clocks": {"ok": not missing_clocks, "missing": missing_clocks},
        "rules": {"ok": not breaches, "breaches": [b.as_dict() for b in breaches]},
        "audit_chain": audit,
        "messages": messages,
    }
