"""Witnesses of the audit chain: a log cut short, with its stored head deleted as a hostile user
with sqlite3 would, is found by the heads kept from backups and from other offices' packages,
and `check` names the entries that are gone."""

import json
import shutil
import sqlite3
from datetime import date

from tests.conftest import run_cli


def cut_the_log(data_dir, keep_through: int, *, witnesses_too: bool = False) -> None:
    """What someone editing yishi.db by hand does: lift the append-only triggers, delete the entries
    after `keep_through`, set the numbering back so new entries fill the gap, delete the head kept in
    `meta` (and, thorough, the heads kept from backups and packages)."""
    conn = sqlite3.connect(data_dir / "yishi.db", isolation_level=None)
    for trigger in ("audit_no_update", "audit_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute("DELETE FROM audit WHERE seq > ?", [keep_through])
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", [keep_through])
    conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
    if witnesses_too:
        conn.execute("DELETE FROM meta WHERE key = 'audit_witnesses'")
    conn.close()


def last_seq(data_dir) -> int:
    conn = sqlite3.connect(data_dir / "yishi.db")
    try:
        return conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    finally:
        conn.close()


def check(data_dir) -> tuple[int, dict]:
    result = run_cli("--data-dir", data_dir, "check", "--json")
    return result.returncode, json.loads(result.stdout)


def test_a_log_cut_after_a_backup_is_named_by_the_backup(demo_dir, tmp_path):
    run_cli("--data-dir", demo_dir, "export", "register", "roster", "--out", tmp_path / "花名册.xlsx", check=True)
    code, report = check(demo_dir)
    assert code == 0 and report["audit_chain"]["ok"]
    made = json.loads(run_cli("--data-dir", demo_dir, "backup", "--json", check=True).stdout)
    head = last_seq(demo_dir) - 1  # the backup holds the log up to the entry before its own
    cut_the_log(demo_dir, head - 5)  # the last five entries it holds, and the backup's own, are gone

    code, report = check(demo_dir)
    name = made["path"].rsplit("/", 1)[-1]
    expected = (f"审计日志比 {date.today().isoformat()} 的备份（{name}）中记录的少了 5 条"
                f"（第 {head - 4}—{head} 条）")
    assert code == 1 and not report["ok"] and report["audit_chain"]["message"] == expected
    assert any(line.startswith(f"审计日志：{expected}") for line in report["messages"])
    printed = run_cli("--data-dir", demo_dir, "check")
    assert printed.returncode == 1 and expected in printed.stdout

    # Thorough: the heads kept in the database go too. The backup file itself still holds its head.
    cut_the_log(demo_dir, head - 5, witnesses_too=True)
    code, report = check(demo_dir)
    assert code == 1 and report["audit_chain"]["message"] == expected
    # ... and working on past the old numbers does not hide it
    for n in range(8):
        run_cli("--data-dir", demo_dir, "export", "register", "roster", "--out", tmp_path / f"{n}.xlsx", check=True)
    run_cli("--data-dir", demo_dir, "backup", check=True)
    code, report = check(demo_dir)
    assert code == 1 and f"少了 5 条（第 {head - 4}—{head} 条），其编号已被之后写入的记录占用" in \
        report["audit_chain"]["message"]


def test_a_log_cut_after_an_exchange_is_named_by_the_other_office(demo_dir, tmp_path):
    """A sends a package to B; A's log is then cut, its head and everything it kept deleted, and
    there is no backup. B's next package carries what B saw of A: A's check names the gap."""
    a, b, stick = demo_dir, tmp_path / "B", tmp_path / "stick"
    stick.mkdir()
    secret = tmp_path / "口令.txt"
    secret.write_text("中山路-2026", encoding="utf-8")
    shutil.rmtree(a / "backups", ignore_errors=True)
    run_cli("--data-dir", b, "init", check=True)
    first = json.loads(run_cli("--data-dir", a, "package", "export", "--out", stick / "A1.yspkg",
                               "--passphrase-file", secret, "--json", check=True).stdout)
    head = last_seq(a) - 1  # the package holds the head before its own export entry
    run_cli("--data-dir", b, "package", "import", first["path"], "--passphrase-file", secret, check=True)
    assert check(b)[0] == 0 and check(a)[0] == 0

    cut_the_log(a, head - 5, witnesses_too=True)
    assert check(a)[0] == 0  # nothing on this computer remembers the lost entries

    second = json.loads(run_cli("--data-dir", b, "package", "export", "--out", stick / "B1.yspkg",
                                "--passphrase-file", secret, "--json", check=True).stdout)
    run_cli("--data-dir", a, "package", "import", second["path"], "--passphrase-file", secret, check=True)
    code, report = check(a)
    message = report["audit_chain"]["message"]
    assert code == 1 and f"发来的交换包中记录的少了 5 条（第 {head - 4}—{head} 条）" in message, message
    assert check(b)[0] == 0


def test_a_restore_replaces_the_history_it_is_not_a_cut(demo):
    """Heads of the history a restore replaced no longer hold, rightly; heads after it do."""
    from app.restore import replace_database
    from app.storage.backup import backup

    older = backup(demo, reason="manual")["path"]
    for n in range(3):
        demo.audit.record("export", f"导出第 {n} 份", {})
    backup(demo, reason="manual")
    _, demo = replace_database(demo.data_dir, older, demo)
    try:
        result = demo.audit.verify()
        assert result["ok"] and result["witnesses"] >= 3, result
        for n in range(6):
            demo.audit.record("export", f"恢复后导出第 {n} 份", {})
        backup(demo, reason="manual")
        last = demo.scalar("SELECT max(seq) FROM audit") - 1
        demo.close()
        cut_the_log(demo.data_dir, last - 2)
        from app.store import Store

        demo = Store.open(demo.data_dir)
        result = demo.audit.verify()
        assert not result["ok"] and f"少了 2 条（第 {last - 1}—{last} 条）" in result["message"]
    finally:
        demo.close()


def test_a_cut_log_written_on_without_resetting_its_numbers_shows_the_gap(store):
    for n in range(6):
        store.audit.record("export", f"导出第 {n} 份", {})
    last = store.scalar("SELECT max(seq) FROM audit")
    for trigger in ("audit_no_update", "audit_no_delete"):
        store.db.execute(f"DROP TRIGGER {trigger}")
    store.db.execute("DELETE FROM audit WHERE seq > ?", [last - 3])
    store.audit.record("export", "删除之后再导出", {})  # links to the last kept entry; its number goes on
    result = store.audit.verify()
    assert not result["ok"] and result["message"].startswith(f"审计日志缺少第 {last - 2}—{last} 条")
