import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from app.common.errors import Cancelled, CorruptStoreError, NewerSchemaError, StoreLocationError, StoreLockedError
from app.storage.writepath import stored_stamps
from app.store import DB_NAME, Store
from tests.conftest import ROOT, digest


def file_hash(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pragmas_and_site(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert len(store.site_id) == 36


def test_a_mutation_writes_rows_clocks_and_one_audit_entry(store):
    changes = store.groups.create({"name": "老城小组"})
    group_id = changes.created("groups")[0]
    stamps = stored_stamps(store.db, "groups", [group_id])[group_id]
    assert stamps["name"].site_id == stamps["deleted"].site_id == store.site_id
    # A new row is stamped once for all its fields (plus `deleted`, which is always kept apart).
    assert store.scalar("SELECT count(*) FROM clocks WHERE row_id = ?", [group_id]) == 2
    entries = store.rows("SELECT action, summary FROM audit WHERE action != 'init'")
    assert entries == [{"action": "create", "summary": "新增议事小组：老城小组"}]


def test_update_stamps_only_changed_fields_with_a_later_clock(store):
    group_id = store.groups.create({"name": "甲组", "focus": "停车"}).created("groups")[0]
    before = stored_stamps(store.db, "groups", [group_id])[group_id]
    store.groups.update(group_id, {"focus": "物业"})
    after = stored_stamps(store.db, "groups", [group_id])[group_id]
    assert after["focus"] > before["focus"]
    assert after["name"] == before["name"]


def test_a_failing_write_leaves_nothing_behind(store):
    before = digest(store)
    with pytest.raises(RuntimeError):
        with store.write("create", "会失败的操作") as tx:
            tx.insert("groups", {"name": "半截"})
            raise RuntimeError("boom")
    assert digest(store) == before


def test_delete_is_a_tombstone_and_restore_brings_it_back(store):
    group_id = store.groups.create({"name": "乙组"}).created("groups")[0]
    store.groups.delete(group_id)
    assert store.groups.count() == 0
    assert [r["id"] for r in store.recycle.list()] == [group_id]
    store.recycle.restore("groups", group_id)
    assert store.groups.get(group_id)["name"] == "乙组"


def test_undo_reverts_the_last_edit(store):
    group_id = store.groups.create({"name": "丙组"}).created("groups")[0]
    changes = store.groups.update(group_id, {"name": "丙组（改）"})
    store.undo(changes, "改名")
    assert store.groups.get(group_id)["name"] == "丙组"
    assert store.rows("SELECT action FROM audit ORDER BY seq DESC LIMIT 1")[0]["action"] == "undo"


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path):
    folder = tmp_path / "data"
    Store.open(folder).close()
    import sqlite3

    conn = sqlite3.connect(folder / DB_NAME)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('yishi', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = file_hash(folder / DB_NAME)
    with pytest.raises(NewerSchemaError, match="更新版本"):
        Store.open(folder)
    assert file_hash(folder / DB_NAME) == before


def test_a_second_instance_is_refused(tmp_path):
    first = Store.open(tmp_path / "data")
    try:
        with pytest.raises(StoreLockedError, match="已经在使用"):
            Store.open(tmp_path / "data")
        script = f"from app.store import Store; Store.open({str(tmp_path / 'data')!r})"
        other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
        assert other.returncode != 0 and "StoreLockedError" in other.stderr
    finally:
        first.close()
    Store.open(tmp_path / "data").close()  # free again once the first one closed


@pytest.mark.parametrize("fstype, device, expected", [
    ("vfat", "/dev/sdz1", "U盘"), ("cifs", "//server/share", "网络"), ("nfs4", "nas:/export", "网络"),
])
def test_removable_and_network_locations_are_refused(tmp_path, monkeypatch, fstype, device, expected):
    mount_point = tmp_path / "media" / "stick"
    mount_point.mkdir(parents=True)
    table = tmp_path / "mounts"
    table.write_text(f"/dev/vda1 / ext4 rw 0 0\n{device} {mount_point} {fstype} rw 0 0\n")
    monkeypatch.setenv("YISHI_MOUNTS", str(table))
    with pytest.raises(StoreLocationError, match=expected):
        Store.open(mount_point / "yishi")
    assert not (mount_point / "yishi").exists()


def test_a_link_to_a_stick_is_refused_like_the_stick(tmp_path, monkeypatch):
    mount_point = tmp_path / "media" / "stick"
    mount_point.mkdir(parents=True)
    table = tmp_path / "mounts"
    table.write_text(f"/dev/vda1 / ext4 rw 0 0\n/dev/sdb1 {mount_point} vfat rw 0 0\n")
    monkeypatch.setenv("YISHI_MOUNTS", str(table))
    link = tmp_path / "home" / "议事数据"
    link.parent.mkdir()
    link.symlink_to(mount_point)
    with pytest.raises(StoreLocationError, match="U盘"):
        Store.open(link / "yishi")
    assert not (mount_point / "yishi").exists()


def test_paths_under_media_are_treated_as_removable(monkeypatch, tmp_path):
    from app.storage.paths import drive_kind

    table = tmp_path / "mounts"
    table.write_text("/dev/vda1 / ext4 rw 0 0\n")
    monkeypatch.setenv("YISHI_MOUNTS", str(table))
    assert drive_kind("/media/clerk/KINGSTON/yishi") == "removable"
    assert drive_kind(tmp_path) == "local"


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"this is a Word document, not a database" * 100)
    with pytest.raises(CorruptStoreError, match="备份"):
        Store.open(folder)


def test_kill_during_a_bulk_change_leaves_none_of_it(tmp_path):
    folder = tmp_path / "data"
    with Store.open(folder) as s:
        community = s.communities.create({"name": "文昌社区", "kind": "community"}).created("communities")[0]
        before = digest(s)
    script = textwrap.dedent(f"""
        import sys, time
        from app.store import Store
        store = Store.open({str(folder)!r})
        def progress(done, total):
            if done == 300:
                print("ready", flush=True)
                time.sleep(60)
        store.grids.bulk_create({community!r}, "1-600", progress=progress)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    with Store.open(folder) as s:
        from app.storage.check import run_checks

        assert run_checks(s)["ok"]
        assert s.grids.count() == 0
        assert digest(s) == before


def test_cancelled_bulk_change_keeps_nothing(store):
    community = store.communities.create({"name": "文曲社区", "kind": "community"}).created("communities")[0]
    before = digest(store)
    with pytest.raises(Cancelled, match="已取消"):
        store.grids.bulk_create(community, "1-50", progress=lambda done, total: done < 20)
    assert digest(store) == before


def test_the_instance_lock_can_be_probed(tmp_path):
    from app.storage.paths import InstanceLock

    folder = tmp_path / "data"
    assert not InstanceLock(folder).is_held()
    with Store.open(folder):
        assert InstanceLock(folder).is_held()
    assert not InstanceLock(folder).is_held()
