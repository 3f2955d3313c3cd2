"""Backups: verified, rotated 12 daily / 10 weekly / 9 monthly, taken before a migration."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.backup import auto_backup, auto_backup_due, backup, backup_name, list_backups, rotate, verify
from app.errors import AppError
from app.store import Store


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
    with Store.open(tmp_path / "data") as store:
        store.groups.create({"name": "旧版本的小组"})
        # Make it look like a database from before the last migration.
        for table in ("exchange_peers", "exchange_log", "known_vector", "conflicts"):
            store.db.execute(f"DROP TABLE {table}")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_exchange'")
    with Store.open(tmp_path / "data") as store:
        assert store.scalar("SELECT count(*) FROM conflicts") == 0
    made = list_backups(tmp_path / "data")
    assert [b["reason"] for b in made] == ["migration"]
    assert verify(made[0]["path"])["counts"]["delegates"] == 0
