"""The audit chain on its own: every entry links to the one before and is keyed to the
installation; an edited, deleted, inserted or truncated entry is found and named."""

import json

from app.storage.audit import AuditLog


def _tamper(store):
    """What someone editing the file by hand would do first: lift the append-only triggers."""
    for trigger in ("audit_no_update", "audit_no_delete"):
        store.db.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def test_the_log_refuses_edits_through_sqlite(store):
    import sqlite3

    import pytest

    last = _entries(store)
    for sql in ("UPDATE audit SET summary = 'x' WHERE seq = ?", "DELETE FROM audit WHERE seq = ?"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(sql, [last])


def _entries(store, n=3):
    for i in range(n):
        store.audit.record("export", f"导出第 {i} 份", {"n": i})
    return store.scalar("SELECT max(seq) FROM audit")


def test_an_untouched_log_verifies(store):
    _entries(store)
    result = store.audit.verify()
    assert result["ok"] and result["message"] == "审计日志完整" and result["entries"] >= 3


def test_an_edited_entry_is_named(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("UPDATE audit SET summary = '改过的' WHERE seq = ?", [last - 1])
    result = store.audit.verify()
    assert not result["ok"] and result["broken_at"] == last - 1 and "内容与其校验值不符" in result["message"]


def test_a_deleted_entry_breaks_the_link(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq = ?", [last - 1])
    result = store.audit.verify()
    assert not result["ok"] and result["broken_at"] == last and "链接不符" in result["message"]


def test_a_truncated_log_is_found_by_its_head(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq = ?", [last])
    result = store.audit.verify()
    assert not result["ok"] and "截短" in result["message"]


def test_a_chain_rehashed_without_the_key_does_not_verify(store):
    from app.storage.audit import entry_hash

    last = _entries(store)
    _tamper(store)
    # someone rewrites an entry and recomputes every hash after it, but has no installation key
    rows = store.db.execute("SELECT seq, at, actor, site_id, action, summary, details, prev_hash FROM audit"
                            " ORDER BY seq").fetchall()
    prev = None
    for seq, at, actor, site, action, summary, details, prev_hash in rows:
        prev = prev or prev_hash
        summary = "伪造" if seq == last else summary
        digest = entry_hash(prev, at, actor, site, action, summary, details, None)
        store.db.execute("UPDATE audit SET summary = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         [summary, prev, digest, seq])
        prev = digest
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
                     [json.dumps({"seq": last, "hash": prev})])
    assert not store.audit.verify()["ok"]


def test_entries_keyed_on_another_computer_are_reported_not_refused(store):
    _entries(store, 2)
    elsewhere = AuditLog(store.db, store.site_id, b"another installation's key")
    with store.db.atomic():
        elsewhere.append("export", "在另一台电脑上导出", {})
    result = store.audit.verify()
    assert result["ok"] and "另一台电脑" in result["message"]
