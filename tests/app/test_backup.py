"""Backups: verified, rotated 12 daily / 10 weekly / 9 monthly, taken before a migration."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.common.errors import AppError
from app.restore import open_store
from app.storage.backup import auto_backup, auto_backup_due, backup, backup_name, list_backups, rotate, verify


def test_a_backup_is_verified_and_audited(demo, tmp_path):
    result = backup(demo, tmp_path)
    assert verify(result["path"])["counts"]["delegates"] == 70
    assert "备份数据库（手动）" in demo.scalar("SELECT summary FROM audit ORDER BY seq DESC LIMIT 1")
    with pytest.raises(AppError, match="正在使用的数据库"):
        backup(demo, demo.data_dir / "yishi.db")


def test_a_backup_is_one_file_and_reading_it_leaves_nothing_beside_it(demo, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    result = backup(demo, stick)
    verify(result["path"])
    assert [p.name for p in stick.iterdir()] == [Path(result["path"]).name]
    # Sidecar files an earlier version left beside its backups are cleared by the rotation.
    folder = demo.data_dir / "backups"
    folder.mkdir(exist_ok=True)
    (folder / ".yishi-20261101-080000-auto-abcd1234.db-wal").write_bytes(b"")
    (folder / ".yishi-20261101-080000-auto-abcd1234.db-shm").write_bytes(b"x")
    backup(demo)
    assert not list(folder.glob(".yishi-*"))


def test_rotation_keeps_12_daily_10_weekly_9_monthly(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2026, 11, 26, 18, 0)
    for hours in range(0, 24 * 400, 7):  # a backup every 7 hours for 400 days
        (folder / backup_name("auto", start - timedelta(hours=hours))).write_bytes(b"x")
    rotate(tmp_path)
    kept = [b["at"] for b in list_backups(tmp_path)]
    days = {k.date() for k in kept}
    assert len({(k.year, k.month) for k in kept}) == 9
    assert all((start - timedelta(days=d)).date() in days for d in range(12))
    assert len(kept) <= 12 + 10 + 9 and kept[0] == start


def test_automatic_backups_at_most_every_30_minutes_and_only_after_changes(demo):
    assert auto_backup(demo) is not None
    assert not auto_backup_due(demo)
    later = datetime.now() + timedelta(minutes=31)
    assert not auto_backup_due(demo, later)  # nothing changed since
    demo.groups.update(demo.groups.list()[0]["id"], {"focus": "改了"})
    assert auto_backup_due(demo, later) and not auto_backup_due(demo)


def test_a_migration_is_preceded_by_a_backup(tmp_path):
    with open_store(tmp_path / "data") as store:
        store.groups.create({"name": "旧版本的小组"})
        # Make it look like a database from before the last migration.
        for table in ("exchange_peers", "exchange_log", "known_vector", "conflicts"):
            store.db.execute(f"DROP TABLE {table}")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_exchange'")
    with open_store(tmp_path / "data") as store:
        assert store.scalar("SELECT count(*) FROM conflicts") == 0
    made = list_backups(tmp_path / "data")
    assert [b["reason"] for b in made] == ["migration"]
    assert verify(made[0]["path"])["counts"]["delegates"] == 0


def test_three_backups_the_same_day_and_the_first_restores(demo_dir):
    """From where the clerk stands: back up, back up again, and again, then restore the first
    from the backups folder the app made; every restore point of the day is still there."""
    from app.restore import replace_database
    from app.storage.backup import backup, list_backups

    made = []
    with open_store(demo_dir) as store:
        for focus in ("第一次", "第二次", "第三次"):
            store.groups.update(store.groups.list()[0]["id"], {"focus": focus})
            made.append(backup(store)["path"])
        before = {b["path"] for b in list_backups(demo_dir)}
        assert set(made) <= before
        result, reopened = replace_database(demo_dir, made[0], store)
    with reopened:
        assert reopened.groups.list()[0]["focus"] == "第一次"
        assert reopened.scalar("SELECT count(*) FROM audit WHERE action = 'restore'") == 1
    after = {b["path"] for b in list_backups(demo_dir)}
    assert set(made) <= after  # all three remain, the one restored among them
    assert any(b["reason"] == "restore" for b in list_backups(demo_dir))


def test_rotation_keeps_two_days_then_one_a_day_and_the_safety_backups(tmp_path):
    from datetime import datetime, timedelta

    from app.storage.backup import backup_dir, backup_name, rotate

    folder = backup_dir(tmp_path)
    folder.mkdir(parents=True)
    now = datetime(2026, 11, 28, 12, 0, 0)
    names = {}
    for hours, reason in ((1, "manual"), (2, "auto"), (30, "auto"), (47, "manual"),
                          (72, "auto"), (73, "auto"), (100, "import"), (101, "auto"),
                          (24 * 20, "restore"), (24 * 20 + 1, "auto")):
        name = backup_name(reason, now - timedelta(hours=hours))
        (folder / name).write_bytes(b"x")
        names[(hours, reason)] = name
    (folder / ".yishi-20261128-110000-manual-abc.db").write_bytes(b"half")
    (folder / ".yishi-20261128-110000-manual-abc.db-journal").write_bytes(b"half")
    removed = set(rotate(tmp_path, now=now))
    kept = {p.name for p in folder.iterdir()}
    for hours in (1, 2, 30, 47):  # the last 48 hours: all of them
        assert any(names[k] in kept for k in names if k[0] == hours)
    assert names[(72, "auto")] in kept and names[(73, "auto")] in removed  # one a day after that
    assert names[(100, "import")] in kept  # before an import, within 14 days
    assert names[(24 * 20, "restore")] in kept or names[(24 * 20 + 1, "auto")] in kept  # one for that day
    assert not any(name.startswith(".yishi-") for name in kept)  # leftovers of interrupted backups


def test_two_restores_in_the_same_second_keep_both_replaced_databases(demo_dir, monkeypatch):
    """From where the clerk stands: two backups in the app's backups folder, one restored, then
    the other, within the same second. Each restore sets the database it replaces aside; the
    second must not overwrite the first's copy."""
    import shutil
    import sqlite3
    from datetime import datetime

    import app.restore
    from app.restore import replace_database
    from app.storage.backup import backup

    with open_store(demo_dir) as store:
        group = store.groups.list()[0]["id"]
        made = []
        for focus in ("第一份备份", "第二份备份"):
            store.groups.update(group, {"focus": focus})
            made.append(backup(store)["path"])
        store.groups.update(group, {"focus": "恢复前的修改"})

    class SameSecond(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 3, 2, 9, 30, 15)

    monkeypatch.setattr(app.restore, "datetime", SameSecond)
    for path in made:
        result, reopened = replace_database(demo_dir, path)
        reopened.close()
    with open_store(demo_dir) as store:
        assert store.groups.get(group)["focus"] == "第二份备份"
        recorded = [r["details"] for r in store.rows("SELECT details FROM audit WHERE action = 'restore' ORDER BY seq")]
    asides = sorted(demo_dir.glob("yishi-replaced-*.db"))
    assert [p.name for p in asides] == ["yishi-replaced-20260302-093015-1.db", "yishi-replaced-20260302-093015.db"]
    assert "yishi-replaced-20260302-093015-1.db" in recorded[-1]  # the audit names the copy kept

    def focus_in(path):
        copy = demo_dir.parent / f"read-{path.name}"
        shutil.copyfile(path, copy)
        conn = sqlite3.connect(copy)
        try:
            return conn.execute("SELECT focus FROM groups WHERE id = ?", [group]).fetchone()[0]
        finally:
            conn.close()

    # what each held: the database as it was before the first restore, and the first backup's
    assert focus_in(demo_dir / "yishi-replaced-20260302-093015.db") == "恢复前的修改"
    assert focus_in(demo_dir / "yishi-replaced-20260302-093015-1.db") == "第一份备份"


def test_rotation_keeps_exactly_the_steps_of_its_table(tmp_path):
    """The step table checked date by date: a backup every noon for 400 days, the last one two
    hours ago. Kept: the last 48 hours; the newest of each of 12 days; of 10 ISO weeks; of 9
    months. A change to any count, or to the 48 hours, changes this set."""
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime(2026, 11, 28, 14, 0)  # a Saturday
    for days in range(400):
        (folder / backup_name("auto", datetime(2026, 11, 28, 12, 0) - timedelta(days=days))).write_bytes(b"x")
    rotate(tmp_path, now=now)
    kept = sorted(b["at"].date().isoformat() for b in list_backups(tmp_path))
    daily = [f"2026-11-{d:02d}" for d in range(17, 29)]  # 12 days, the last 48 hours among them
    weekly = ["2026-09-27", "2026-10-04", "2026-10-11", "2026-10-18", "2026-10-25", "2026-11-01",
              "2026-11-08", "2026-11-15"]  # the Sundays of 8 more weeks (the week of 11-28 and 11-22's are daily)
    monthly = ["2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31",
               "2026-09-30", "2026-10-31"]  # with November: 9 months
    assert kept == sorted(daily + weekly + monthly)


def test_every_backup_of_the_last_48_hours_stays(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime(2026, 11, 28, 14, 0)
    for hours in range(0, 49):
        (folder / backup_name("auto", now - timedelta(hours=hours))).write_bytes(b"x")
    (folder / backup_name("auto", now - timedelta(hours=49))).write_bytes(b"x")
    removed = rotate(tmp_path, now=now)
    assert removed == [backup_name("auto", now - timedelta(hours=49))]  # same day as 48 h ago, older


def test_a_backup_older_than_the_rotation_keeps_restores_and_stays(demo_dir):
    """From the backups folder the app made: a backup far older than any the rotation keeps is
    restored; the backup taken before the restore rotates the folder, but never the file being
    restored, which is still there afterwards for a second try."""
    import shutil

    from app.restore import replace_database

    with open_store(demo_dir) as store:
        group = store.groups.list()[0]["id"]
        store.groups.update(group, {"focus": "两年前的备份"})
        made = Path(backup(store)["path"])
        store.groups.update(group, {"focus": "今天的修改"})
    old = made.with_name(backup_name("manual", datetime.now() - timedelta(days=800)))
    shutil.move(made, old)
    for days in range(1, 400, 9):  # newer backups over 13 months: the old one is past every step
        shutil.copyfile(old, old.with_name(backup_name("auto", datetime.now() - timedelta(days=days))))
    result, reopened = replace_database(demo_dir, old)
    try:
        assert reopened.groups.get(group)["focus"] == "两年前的备份"
        assert old.exists()
    finally:
        reopened.close()


def test_the_head_a_backup_holds_is_read_back_from_the_file(store, tmp_path):
    import sqlite3

    from app.storage.backup import read_head

    result = backup(store, tmp_path)
    assert Path(result["path"]).name.endswith("-manual.db")  # a folder given: the file is named for its reason
    last = store.rows("SELECT seq, hash, at FROM audit WHERE seq < (SELECT max(seq) FROM audit) ORDER BY seq DESC")[0]
    head = read_head(result["path"])
    assert head == {"site": store.site_id, "seq": last["seq"], "hash": last["hash"], "at": last["at"],
                    "entries": last["seq"]}
    (tmp_path / "not-a-db.db").write_bytes(b"x" * 4096)
    assert read_head(tmp_path / "not-a-db.db") is None
    for name, rows in (("no-site", "INSERT INTO audit VALUES (1, 'h', 'now')"),
                       ("no-log", "INSERT INTO meta VALUES ('site_id', 's')")):
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        conn.executescript("CREATE TABLE meta (key, value); CREATE TABLE audit (seq, hash, at);" + rows)
        conn.commit()
        conn.close()
        assert read_head(tmp_path / f"{name}.db") is None
    with pytest.raises(AppError, match="^不能把备份写到正在使用的数据库文件上$"):
        backup(store, store.data_dir / "yishi.db")


def test_two_backups_in_one_second_keep_both_and_the_reasons_are_named(store, monkeypatch):
    import app.storage.backup as backups

    with store.write("create", "新建") as tx:
        tx.insert("groups", {"name": "第一组"})
    assert Path(auto_backup(store)["path"]).name.endswith("-auto.db")
    assert auto_backup(store) is None  # just taken
    assert auto_backup(store, "start")["path"].endswith("-start.db")  # asked for: taken even so
    monkeypatch.setattr(backups, "backup_name", lambda reason, when=None: f"yishi-20260302-093015-{reason}.db")
    first, second = backup(store), backup(store)
    assert Path(first["path"]).name == "yishi-20260302-093015-manual.db"
    assert Path(second["path"]).name == "yishi-20260302-093015-manual-1.db"


def test_automatic_backups_are_due_again_at_30_minutes(store):
    with store.write("create", "新建") as tx:
        tx.insert("groups", {"name": "第一组"})
    auto_backup(store)
    taken = datetime.fromisoformat(store.meta("last_backup_at"))
    with store.write("update", "改") as tx:
        tx.update("groups", store.groups.list()[0]["id"], {"focus": "照明"})
    assert not auto_backup_due(store, taken + timedelta(minutes=29, seconds=59))
    assert auto_backup_due(store, taken + timedelta(minutes=30))


def test_a_backup_is_logged_witnessed_and_may_copy_only_what_is_committed(store, tmp_path):
    import json
    import sqlite3

    from app.storage.backup import read_head

    result = backup(store, tmp_path / "one.db")
    row = store.rows("SELECT action, summary, details FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert (row["action"], row["summary"]) == ("backup", "备份数据库（手动）：one.db")
    assert json.loads(row["details"]) == {"file": "one.db", "reason": "manual", "counts": result["counts"]}
    seen = store.audit.witnesses()[-1]
    assert {k: seen.get(k) for k in ("site", "seq", "hash")} == {
        k: read_head(tmp_path / "one.db")[k] for k in ("site", "seq", "hash")}
    assert (seen["source"]["kind"], seen["source"]["name"]) == ("backup", "one.db")
    assert seen["source"]["at"].endswith("+00:00")
    with store.write("create", "未提交") as tx:
        tx.insert("groups", {"name": "尚未提交的小组"})
        backup(store, tmp_path / "committed.db", committed=True)
    conn = sqlite3.connect(tmp_path / "committed.db")
    assert conn.execute("SELECT count(*) FROM groups WHERE name = '尚未提交的小组'").fetchone()[0] == 0
    conn.close()


def test_a_start_backup_only_after_changes(store):
    from app.storage.backup import start_backup

    with store.write("create", "新建") as tx:
        tx.insert("groups", {"name": "第一组"})
    assert start_backup(store)["path"].endswith("-start.db")
    assert start_backup(store) is None  # nothing changed since


def test_a_full_disk_is_told_to_the_clerk_and_an_unknown_reason_keeps_its_name(store, monkeypatch, tmp_path):
    import errno

    import app.storage.backup as backups
    from app.common.errors import EnvironmentFailure

    result = backup(store)  # into the rotated folder: what the rotation removed comes back
    assert result["removed"] == []
    backup(store, tmp_path / "odd.db", reason="custom")
    assert store.scalar("SELECT summary FROM audit WHERE action = 'backup' ORDER BY seq DESC LIMIT 1") == \
        "备份数据库（custom）：odd.db"

    def full(conn, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups, "_copy_live", full)
    with pytest.raises(EnvironmentFailure):
        backup(store, tmp_path / "full.db")


def _backup_bytes(store, tmp_path) -> bytes:
    return Path(backup(store, tmp_path / "whole.db")["path"]).read_bytes()


def _refusal(path) -> str:
    from app.common.errors import CorruptStoreError

    with pytest.raises(CorruptStoreError) as refused:
        verify(path)
    return str(refused.value)


def test_a_backup_cut_short_or_with_a_broken_header_is_refused_with_what_is_wrong(store, tmp_path):
    """What a stick pulled during the copy leaves, told from the file itself before SQLite (which
    would answer from what is left) opens it."""
    whole = _backup_bytes(store, tmp_path)
    page = int.from_bytes(whole[16:18], "big")
    assert page == 4096 and len(whole) % page == 0 and len(whole) >= 3 * page
    cases = {
        "empty.db": (b"", "“empty.db”不存在或是空文件，不是有效的备份"),
        "head.db": (whole[:60], "备份“head.db”已损坏：文件不完整（只有 60 字节）"),
        "half-page.db": ((whole[:24] + (7).to_bytes(4, "big") + whole[28:])[:page + 100],  # a stale count
                         f"备份“half-page.db”已损坏：文件不完整或被截断（不是整页（每页 4096 字节），实际 {page + 100} 字节）"),
        "pages.db": (whole[:2 * page],
                     f"备份“pages.db”已损坏：文件不完整或被截断（应为 {len(whole)} 字节，实际 {2 * page} 字节）"),
        "longer.db": (whole + bytes(page),
                      f"备份“longer.db”已损坏：文件不完整或被截断（应为 {len(whole)} 字节，实际 {len(whole) + page} 字节）"),
        "header.db": (whole[:16] + (1000).to_bytes(2, "big") + whole[18:], "备份“header.db”已损坏：文件头已损坏"),
        "small-page.db": (whole[:16] + (256).to_bytes(2, "big") + whole[18:], "备份“small-page.db”已损坏：文件头已损坏"),
        "not-sqlite.db": (b"x" * 4096, "“not-sqlite.db”不是议事工作台的数据库备份（file is not a database）"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert _refusal(tmp_path / name) == message, name
    assert _refusal(tmp_path / "gone.db") == "“gone.db”不存在或是空文件，不是有效的备份"


def test_a_page_count_the_header_does_not_vouch_for_is_not_held_against_the_file(store, tmp_path):
    """Only when the header's change counter matches its valid-for number is its page count
    current (older writers leave it stale); a 64 KiB page size is written as 1."""
    from app.storage.backup import damage_of

    whole = _backup_bytes(store, tmp_path)
    stale = whole[:24] + (7).to_bytes(4, "big") + whole[28:]  # counter ≠ valid-for: the count is not checked
    (tmp_path / "stale.db").write_bytes(stale + bytes(4096))
    assert damage_of(tmp_path / "stale.db") is None
    big = whole[:16] + (1).to_bytes(2, "big") + whole[18:]  # 65536 bytes a page
    pages = int.from_bytes(whole[28:32], "big")
    (tmp_path / "big.db").write_bytes(big + bytes(pages * 65536 - len(big)))
    assert damage_of(tmp_path / "big.db") is None
    (tmp_path / "big.db").write_bytes((big[:24] + (7).to_bytes(4, "big") + big[28:])[:4096 * 3])
    assert damage_of(tmp_path / "big.db") == "文件不完整或被截断（不是整页（每页 65536 字节），实际 12288 字节）"


def test_a_database_mid_transaction_is_left_to_sqlite(store, tmp_path):
    """With a journal or WAL beside it the file may be short or empty for now: SQLite settles it."""
    from app.storage.backup import damage_of

    whole = _backup_bytes(store, tmp_path)
    for side in ("-wal", "-journal"):
        cut = tmp_path / f"cut{side}.db"
        cut.write_bytes(whole[:4096])
        assert damage_of(cut) is not None
        (tmp_path / f"cut{side}.db{side}").write_bytes(b"")  # an empty one changes nothing
        assert damage_of(cut) is not None
        (tmp_path / f"cut{side}.db{side}").write_bytes(b"pending")
        assert damage_of(cut) is None
    (tmp_path / "empty.db").write_bytes(b"")
    assert damage_of(tmp_path / "empty.db") == "文件是空的（0 字节），其中的数据已经丢失"


def test_the_backups_list_tells_each_files_time_reason_and_size_and_skips_strangers(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "yishi-20261101-080000-auto.db").write_bytes(b"x" * 10)
    (folder / "yishi-20261102-090000.db").write_bytes(b"x" * 20)  # no reason in its name
    (folder / "yishi-copy.db").write_bytes(b"x")  # a copy the clerk named: sorts first, not a backup
    listed = list_backups(tmp_path)
    assert [(b["name"], b["at"], b["reason"], b["size"]) for b in listed] == [
        ("yishi-20261102-090000.db", datetime(2026, 11, 2, 9, 0), "", 20),
        ("yishi-20261101-080000-auto.db", datetime(2026, 11, 1, 8, 0), "auto", 10)]
    assert listed[0]["path"] == str(folder / "yishi-20261102-090000.db")


def test_a_backup_taken_before_an_import_stays_for_exactly_14_days(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime(2026, 11, 28, 14, 0)  # a Saturday
    for days in range(400):
        (folder / backup_name("auto", datetime(2026, 11, 28, 12, 0) - timedelta(days=days))).write_bytes(b"x")
    fourteen = backup_name("import", now - timedelta(days=14))  # Saturday 11-14: its week's newest is Sunday's
    older = backup_name("restore", now - timedelta(days=14, seconds=1))
    for name in (fourteen, older):
        (folder / name).write_bytes(b"x")
    removed = rotate(tmp_path, now=now)
    assert (folder / fourteen).exists() and older in removed


def test_a_file_that_is_not_our_backup_or_from_a_newer_version_is_refused_by_name(store, tmp_path):
    import shutil
    import sqlite3

    from app.common.errors import CorruptStoreError

    plain = tmp_path / "plain.db"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    assert _refusal(plain) == "“plain.db”不是议事工作台的数据库备份（no such table: meta）"
    whole = Path(backup(store, tmp_path / "whole.db")["path"])
    checked = verify(whole)
    assert checked == {"path": str(whole), "size": whole.stat().st_size, "counts": {
        "delegates": 0, "communities": 0, "meetings": 0, "opinions": 0, "audit": checked["counts"]["audit"]}}
    assert checked["counts"]["audit"] >= 2
    for name, sql, expected in (
            ("no-site.db", "DELETE FROM meta WHERE key = 'site_id'",
             (CorruptStoreError, "^“no-site.db”不是议事工作台的数据库备份$")),
            ("newer.db", "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('yishi', 'm999_future', '')",
             (AppError, "^备份“newer.db”来自更新版本的议事工作台，请先升级再恢复$"))):
        shutil.copyfile(whole, tmp_path / name)
        conn = sqlite3.connect(tmp_path / name)
        conn.execute(sql)
        conn.commit()
        conn.close()
        with pytest.raises(expected[0], match=expected[1]):
            verify(tmp_path / name)
    shutil.copyfile(whole, tmp_path / "no-opinions.db")
    conn = sqlite3.connect(tmp_path / "no-opinions.db")
    conn.execute("DROP TABLE opinions_fts") if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'opinions_fts'").fetchone() else None
    conn.execute("ALTER TABLE opinions RENAME TO opinions_old")
    conn.commit()
    conn.close()
    assert verify(tmp_path / "no-opinions.db")["counts"]["opinions"] is None  # a table missing is counted as such


def test_a_backup_whose_pages_disagree_is_refused_by_the_integrity_check(store, tmp_path):
    import sqlite3

    path = Path(backup(store, tmp_path / "disagrees.db")["path"])
    conn = sqlite3.connect(path)  # an index no longer matching its table, as a bad sector leaves it
    conn.execute("CREATE TABLE extra (a, b)")
    conn.execute("CREATE INDEX extra_a ON extra (a)")
    conn.executemany("INSERT INTO extra VALUES (?, ?)", [(1, 2), (3, 4)])
    conn.commit()
    conn.execute("PRAGMA writable_schema = 1")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX extra_a ON extra (b)' WHERE name = 'extra_a'")
    conn.commit()
    conn.close()
    assert _refusal(path) == "备份“disagrees.db”已损坏（完整性检查未通过）"


class _Live:
    """A live connection as `_copy_live` sees it, with what a stick or a busy database can do to it."""

    def __init__(self, conn, *, pulled=False, extra_rows=0):
        self.conn, self.pulled, self.extra_rows = conn, pulled, extra_rows

    def execute(self, sql, *args):
        cursor = self.conn.execute(sql, *args)
        if self.extra_rows and sql.endswith("[delegates]"):
            return type("Row", (), {"fetchone": lambda _self: (cursor.fetchone()[0] + self.extra_rows,)})()
        return cursor

    def backup(self, destination):
        self.conn.backup(destination)
        if self.pulled:  # the stick went away: the copy's journal and WAL may stay, SQLite cannot remove them
            file = Path(destination.execute("PRAGMA database_list").fetchone()[2])
            for side in ("-journal", "-wal", "-shm") if self.pulled == "with sidecars" else ():
                Path(str(file) + side).write_bytes(b"left")
            raise OSError(5, "Input/output error")


def test_a_copy_cut_off_leaves_nothing_and_a_copy_that_miscounts_is_refused(store, tmp_path):
    from app.storage.backup import backup_connection

    result = backup(store, tmp_path / "whole.db")
    assert result["size"] == (tmp_path / "whole.db").stat().st_size
    for pulled in ("with sidecars", "without"):
        with pytest.raises(OSError) as failed:
            backup_connection(_Live(store.db.conn, pulled=pulled), tmp_path / "stick", "migration")
        assert failed.value.errno == 5  # the failure itself, not one of the clearing up
        assert list((tmp_path / "stick" / "backups").iterdir()) == []
    with pytest.raises(AppError, match="^备份校验失败：备份中的记录数与数据库不一致，请重试$"):
        backup_connection(_Live(store.db.conn, extra_rows=1), tmp_path / "busy", "migration")
    assert list((tmp_path / "busy" / "backups").iterdir()) == []


def test_a_database_with_the_smallest_page_size_is_whole(tmp_path):
    """512 bytes a page is the smallest SQLite allows (older tools made such files)."""
    import sqlite3

    from app.storage.backup import damage_of

    conn = sqlite3.connect(tmp_path / "small.db")
    conn.execute("PRAGMA page_size = 512")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 20)
    conn.commit()
    conn.close()
    assert (tmp_path / "small.db").read_bytes()[16:18] == (512).to_bytes(2, "big")
    assert damage_of(tmp_path / "small.db") is None
