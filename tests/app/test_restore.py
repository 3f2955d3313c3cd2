"""Restore, in-process: a restore stopped at any step is finished or undone by the next opening and
audited once; a backup the rule book refuses changes nothing unless accepted; a damaged database
is set aside, never overwritten. (The same with kill -9 in a subprocess: test_crash.py.)"""

import json
import sqlite3
from pathlib import Path

import pytest

from app.common.errors import MarkedRowsError
from app.restore import MARKER, RESTORE_TEMP, check_backup, open_store, replace_database, restore
from app.storage.backup import backup
from tests.conftest import digest


class Stopped(Exception):
    """The process stopping between two steps of the swap (what a crash leaves is the same)."""


def _focus(data_dir) -> str:
    with open_store(data_dir) as store:
        return store.groups.list()[0]["focus"]


@pytest.fixture
def saved(tmp_path):
    """A data folder whose one group's focus was "备份时的内容" when it was backed up to saved.db,
    and "恢复前的修改" now; the store closed."""
    folder = tmp_path / "data"
    with open_store(folder) as store:
        with store.write("create", "新建") as tx:
            group = tx.insert("groups", {"name": "第一组", "focus": "备份时的内容"})
        backup(store, tmp_path / "saved.db")
        with store.write("update", "改") as tx:
            tx.update("groups", group, {"focus": "恢复前的修改"})
    return folder, tmp_path / "saved.db"


def _restores(data_dir) -> list[dict]:
    with open_store(data_dir) as store:
        return store.rows("SELECT summary, details FROM audit WHERE action = 'restore' ORDER BY seq")


@pytest.mark.parametrize("step, restored", [("marker", False), ("copied", False), ("aside", True), ("placed", True)])
def test_a_restore_stopped_at_any_step_is_finished_or_undone_when_the_folder_opens(saved, step, restored):
    folder, source = saved

    def hook(name):
        if name == step:
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)
    assert (folder / MARKER).exists()
    assert _focus(folder) == ("备份时的内容" if restored else "恢复前的修改")
    recorded = _restores(folder)  # a second opening: recorded once
    assert [r["summary"] for r in recorded] == (["从备份恢复：saved.db"] if restored else [])
    assert not (folder / MARKER).exists() and not (folder / RESTORE_TEMP).exists()
    asides = list(folder.glob("yishi-replaced-*.db"))
    assert len(asides) == (1 if restored else 0)
    if restored:
        details = json.loads(recorded[0]["details"])
        assert details["file"] == "saved.db" and details["aside"] == asides[0].name
        assert len(details["restore_id"]) == 32
        conn = sqlite3.connect(asides[0])  # the replaced database, as it was
        try:
            assert conn.execute("SELECT focus FROM groups").fetchone()[0] == "恢复前的修改"
        finally:
            conn.close()


def test_a_restore_recorded_but_not_yet_cleared_is_not_recorded_twice(saved):
    folder, source = saved

    def hook(name):
        if name == "placed":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)
    marker = (folder / MARKER).read_text(encoding="utf-8")
    assert len(_restores(folder)) == 1
    (folder / MARKER).write_text(marker, encoding="utf-8")  # stopped after the entry, before clearing
    assert len(_restores(folder)) == 1
    assert not (folder / MARKER).exists()


def test_a_restore_into_a_folder_without_a_database_sets_nothing_aside(saved, tmp_path):
    _, source = saved
    fresh = tmp_path / "new computer"
    fresh.mkdir()
    result = restore(fresh, source)
    assert result["aside"] is None and result["restored"] == str(source) and result["counts"]["audit"] >= 2
    assert _focus(fresh) == "备份时的内容"
    recorded = _restores(fresh)
    assert len(recorded) == 1 and json.loads(recorded[0]["details"])["aside"] is None
    assert not list(fresh.glob("yishi-replaced-*"))


def test_the_old_database_comes_back_when_the_copy_is_lost_after_it_was_set_aside(saved):
    folder, source = saved

    def hook(name):
        if name == "aside":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)
    (folder / RESTORE_TEMP).unlink()  # the copy gone (a cleaner, a pulled stick): nothing to finish
    assert _focus(folder) == "恢复前的修改"
    assert _restores(folder) == [] and not list(folder.glob("yishi-replaced-*"))


def test_an_unreadable_marker_leaves_the_database_as_it_is(saved):
    folder, source = saved

    def hook(name):
        if name == "copied":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)
    (folder / MARKER).write_text("{not json", encoding="utf-8")
    assert _focus(folder) == "恢复前的修改"
    assert not (folder / MARKER).exists() and not (folder / RESTORE_TEMP).exists()


def test_a_swap_whose_marker_names_no_backup_is_recorded_as_unknown(saved):
    folder, source = saved

    def hook(name):
        if name == "placed":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    del marker["source"]
    (folder / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    recorded = _restores(folder)
    assert [r["summary"] for r in recorded] == ["从备份恢复：（未知备份）"]
    assert json.loads(recorded[0]["details"]) == {"file": "（未知备份）", "aside": marker["aside"],
                                                  "restore_id": marker["id"]}


def test_the_leftovers_of_interrupted_copies_are_cleared_when_the_folder_opens(saved):
    folder, _ = saved
    (folder / ".restore-in-progress-x1.json").write_text("{", encoding="utf-8")
    (folder / "..restore-incoming-x2.db").write_bytes(b"half")
    (folder / "backups").mkdir(exist_ok=True)
    (folder / "backups" / ".yishi-20261101-080000-auto-x3.db").write_bytes(b"half")
    with open_store(folder):
        pass
    assert not list(folder.glob(".*restore*")) and not list((folder / "backups").glob(".yishi-*"))


def test_a_database_set_aside_earlier_is_never_overwritten_by_the_next_restore(saved, monkeypatch):
    """A replaced database left with only its -wal beside it (the .db itself moved elsewhere) still
    holds that name: the next restore picks another."""
    from datetime import datetime

    import app.restore

    class SameSecond(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 3, 2, 9, 30, 15)

    monkeypatch.setattr(app.restore, "datetime", SameSecond)
    folder, source = saved
    for taken in ("yishi-replaced-20260302-093015.db-wal", "yishi-replaced-20260302-093015-1.db-shm"):
        (folder / taken).write_bytes(b"earlier")
    result = restore(folder, source)
    assert result["aside"] == "yishi-replaced-20260302-093015-2.db"
    assert (folder / "yishi-replaced-20260302-093015.db-wal").read_bytes() == b"earlier"


def test_a_damaged_database_is_set_aside_and_the_backup_restored(saved):
    folder, source = saved
    live = folder / "yishi.db"
    damaged = live.read_bytes()[:3000]
    live.write_bytes(damaged)
    result, reopened = replace_database(folder, source)
    with reopened:
        assert reopened.groups.list()[0]["focus"] == "备份时的内容"
    asides = list(folder.glob("yishi-replaced-*.db"))
    assert len(asides) == 1 and asides[0].read_bytes() == damaged and result["aside"] == asides[0].name


def test_a_failed_backup_before_the_restore_changes_nothing_and_frees_the_folder(saved, monkeypatch):
    import errno

    import app.restore

    folder, source = saved

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(app.restore, "backup", full)
    with pytest.raises(OSError):
        replace_database(folder, source)
    assert _focus(folder) == "恢复前的修改"  # and the folder opens: the lock was freed
    with open_store(folder) as store:  # the clerk's own open store stays open, theirs to close
        with pytest.raises(OSError):
            replace_database(folder, source, store)
        assert store.groups.list()[0]["focus"] == "恢复前的修改"


def test_a_backup_with_rows_the_rule_book_refuses_is_restored_only_when_accepted(demo_dir, tmp_path):
    with open_store(demo_dir) as store:
        saved = backup(store, tmp_path / "edited.db")["path"]
        opinions = store.rows("SELECT id, title FROM opinions WHERE deleted = 0 ORDER BY id LIMIT 6")
        before = digest(store)
    conn = sqlite3.connect(saved)  # the backup edited behind the program's back
    conn.executemany("UPDATE opinions SET residents = -5 WHERE id = ?", [[o["id"]] for o in opinions])
    conn.commit()
    conn.close()
    with pytest.raises(MarkedRowsError) as refused:
        replace_database(demo_dir, saved)
    breaches = refused.value.breaches
    assert {(b.row_id, b.field) for b in breaches} == {(o["id"], "residents") for o in opinions}
    named = "；".join(str(b) for b in breaches[:5])  # five named, the sixth counted
    assert str(refused.value) == _refusal("edited.db", f"{named}等 6 处")
    with open_store(demo_dir) as store:
        assert digest(store) == before
    assert check_backup(saved, demo_dir, accept_marked=True)["counts"]["delegates"] == 70
    result, reopened = replace_database(demo_dir, saved, accept_marked=True)
    with reopened:
        assert reopened.scalar("SELECT count(*) FROM opinions WHERE residents = -5") == 6


@pytest.mark.parametrize("rows", [1, 5])
def test_up_to_five_refused_rows_are_all_named_without_a_count(demo_dir, tmp_path, rows):
    with open_store(demo_dir) as store:
        saved = backup(store, tmp_path / "one.db")["path"]
        opinions = store.rows("SELECT id, title FROM opinions WHERE deleted = 0 ORDER BY id LIMIT ?", [rows])
    conn = sqlite3.connect(saved)
    conn.executemany("UPDATE opinions SET residents = -5 WHERE id = ?", [[o["id"]] for o in opinions])
    conn.commit()
    conn.close()
    with pytest.raises(MarkedRowsError) as refused:
        check_backup(saved, demo_dir)
    breaches = refused.value.breaches
    assert sorted(b.row_id for b in breaches) == sorted(o["id"] for o in opinions)
    assert str(refused.value) == _refusal("one.db", "；".join(str(b) for b in breaches))


def _refusal(name: str, listed: str) -> str:
    return (f"备份“{name}”中有记录不符合录入规则（{listed}），可能是旧版本或其他工具写入的。"
            "仍要恢复的，请确认（命令行加 --accept-marked）：这些记录恢复后照常显示、标出“※”，"
            "可在“检查数据”中逐条改正。当前数据没有改动。")


def test_the_data_replaced_by_a_restore_is_backed_up_first_in_its_own_folder(saved):
    from app.storage.backup import list_backups

    folder, source = saved
    result, reopened = replace_database(folder, source)
    reopened.close()
    before = [b for b in list_backups(folder) if b["reason"] == "restore"]
    assert len(before) == 1
    conn = sqlite3.connect(before[0]["path"])
    try:
        assert conn.execute("SELECT focus FROM groups").fetchone()[0] == "恢复前的修改"
    finally:
        conn.close()


def _crashed_with_wal(folder, crashed):
    """A copy of `folder` as a crash leaves it: the database with its WAL holding a change not yet
    written into the file."""
    import shutil

    crashed.mkdir()
    conn = sqlite3.connect(folder / "yishi.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE groups SET focus = '只在 WAL 中的修改'")
    for part in ("yishi.db", "yishi.db-wal", "yishi.db-shm"):  # the files as a crash leaves them
        shutil.copyfile(folder / part, crashed / part)
    conn.close()


def test_a_stale_wal_is_set_aside_with_its_database_and_never_meets_the_restored_file(saved, tmp_path):
    """Restoring over a database a crash left with its WAL: both go aside together, so the stale WAL
    is never applied to the restored file."""
    folder, source = saved
    crashed = tmp_path / "crashed"
    _crashed_with_wal(folder, crashed)
    stale = (crashed / "yishi.db-wal").read_bytes()
    assert len(stale) > 0
    result = restore(crashed, source)
    assert sorted(p.name for p in crashed.iterdir() if p.name.startswith("yishi.db")) == ["yishi.db"]
    aside = crashed / result["aside"]
    assert (aside.with_name(aside.name + "-wal")).read_bytes() == stale
    assert (aside.with_name(aside.name + "-shm")).exists()
    assert _focus(crashed) == "备份时的内容"


def test_a_read_only_opening_of_a_mistyped_folder_is_refused_and_creates_nothing(tmp_path):
    from app.common.errors import NoStoreError

    with pytest.raises(NoStoreError, match="这里没有议事工作台的数据"):
        open_store(tmp_path / "mistyped", create=False)
    assert not (tmp_path / "mistyped").exists()


def test_a_database_set_aside_with_its_wal_comes_back_with_it(saved, tmp_path):
    folder, source = saved
    crashed = tmp_path / "crashed"
    _crashed_with_wal(folder, crashed)

    def hook(name):
        if name == "aside":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(crashed, source, hook=hook)
    (crashed / RESTORE_TEMP).unlink()  # the copy lost: the old database, and its WAL, come back
    assert _focus(crashed) == "只在 WAL 中的修改"
    assert not list(crashed.glob("yishi-replaced-*"))


def test_a_marker_left_in_a_folder_whose_database_is_gone_opens_a_new_store(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / MARKER).write_text("{cut short", encoding="utf-8")
    with open_store(folder) as store:
        assert store.groups.list() == []
    assert not (folder / MARKER).exists()


def test_a_restore_whose_opening_stops_before_the_audit_entry_is_recorded_by_the_next(saved, monkeypatch):
    import app.restore

    folder, source = saved

    def hook(name):
        if name == "placed":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)

    def stopped(store, finished):
        raise Stopped("audit")

    monkeypatch.setattr(app.restore, "audit_restore", stopped)
    with pytest.raises(Stopped):
        open_store(folder)
    assert (folder / MARKER).exists()  # the marker stays until the restore is on record
    monkeypatch.undo()
    assert [r["summary"] for r in _restores(folder)] == ["从备份恢复：saved.db"]


def test_a_marker_without_an_id_is_recorded_with_an_empty_one(saved):
    folder, source = saved

    def hook(name):
        if name == "placed":
            raise Stopped(name)

    with pytest.raises(Stopped):
        restore(folder, source, hook=hook)
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    del marker["id"]
    (folder / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (recorded,) = _restores(folder)
    assert json.loads(recorded["details"]) == {"file": "saved.db", "aside": marker["aside"], "restore_id": ""}


def test_the_backups_copy_is_checked_in_the_data_folder_and_a_killed_checks_is_cleared(saved, tmp_path, monkeypatch):
    """The copy held to the rule book is made beside the store (not in the system's temporary
    folder, where a power cut during the check would leave a database-sized file for good); what
    a killed check left there goes at the next check, and a finished check leaves nothing."""
    import tempfile

    import app.rules.doors

    folder, saved_db = saved
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    (folder / ".restore-check-killed").mkdir()
    (folder / ".restore-check-killed" / "yishi.db").write_bytes(b"half a copy")
    seen = []
    scan = app.rules.doors.scan
    monkeypatch.setattr(app.rules.doors, "scan", lambda conn: seen.append(conn.execute(
        "PRAGMA database_list").fetchone()[2]) or scan(conn))
    result, reopened = replace_database(folder, saved_db)
    reopened.close()
    assert [Path(p).parent.parent for p in seen] == [folder] and Path(seen[0]).parent.name.startswith(".restore-check-")
    assert not list(folder.glob(".restore-check-*")) and not list(system_temp.iterdir())
    assert _focus(folder) == "备份时的内容"
    (folder / ".restore-check-killed").mkdir()  # a check killed with the program: gone at the next opening
    open_store(folder).close()
    assert not list(folder.glob(".restore-check-*"))
