"""A yishi.db that is empty or cut short is a damaged store, whatever SQLite would make of it: every
read command refuses and says to restore a backup, `init` will not overwrite it, and nothing in the
data folder is created or changed by the refusal."""

import hashlib
from pathlib import Path

import pytest

from app.fronts import cli
from app.restore import open_store
from app.storage.backup import backup
from tests.conftest import run_cli


def _truncated(data: bytes) -> bytes:
    return data[: int(len(data) * 0.4)]  # the first 40 %, as a copy that stopped would leave


def _cut_at_a_page(data: bytes) -> bytes:
    pages = len(data) // 4096
    return data[: int(pages * 0.4) * 4096]  # whole pages: only the header's page count tells


def _longer(data: bytes) -> bytes:
    return data + bytes(4096)  # a page more than the header records


DAMAGE = {"empty": lambda data: b"", "truncated": _truncated, "cut at a page": _cut_at_a_page,
          "longer than its header": _longer}


def _folder_state(folder):
    return {p.name: (p.stat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(params=sorted(DAMAGE))
def damaged_dir(request, demo_dir):
    db = demo_dir / "yishi.db"
    db.write_bytes(DAMAGE[request.param](db.read_bytes()))
    (demo_dir / "yishi.lock").unlink(missing_ok=True)
    return demo_dir


@pytest.mark.parametrize("command", [
    ["list", "delegates"], ["stats"], ["check"], ["check", "--json"], ["init"], ["init", "--demo"],
    ["export", "register", "roster", "--out", "{out}/花名册.xlsx"],
    ["export", "doc", "filing", "--out", "{out}/备案报告.pdf"],
    ["export", "archive", "--out", "{out}/归档.zip"],
    ["backup"],
])
def test_every_command_refuses_a_damaged_store_and_changes_nothing(damaged_dir, tmp_path, capsys, command):
    out = tmp_path / "out"
    out.mkdir()
    before = _folder_state(damaged_dir)
    code = cli.main(["--data-dir", str(damaged_dir), *[part.format(out=out) for part in command]])
    err = capsys.readouterr().err
    assert code == 1
    assert "已损坏" in err and "从备份恢复" in err and "yishi restore" in err, err
    assert "程序内部错误" not in err
    if command[0] == "init":
        assert "不会覆盖" in err
    assert _folder_state(damaged_dir) == before  # nothing created, nothing changed (not even a lock file)
    assert list(out.iterdir()) == []


def test_an_empty_database_is_not_taken_for_a_new_one(tmp_path):
    """What the clerk saw: `check` said 完好 with 0 people. Now it says what happened."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "yishi.db").write_bytes(b"")
    result = run_cli("--data-dir", folder, "check")
    assert result.returncode == 1
    assert "空的（0 字节）" in result.stderr and "从备份恢复" in result.stderr
    assert "完好" not in result.stdout
    assert (folder / "yishi.db").read_bytes() == b""
    assert sorted(p.name for p in folder.iterdir()) == ["yishi.db"]


def test_the_damaged_file_is_set_aside_and_a_backup_restored(demo_dir):
    with open_store(demo_dir) as store:
        saved = backup(store)["path"]
    db = demo_dir / "yishi.db"
    damaged = _truncated(db.read_bytes())
    db.write_bytes(damaged)
    result = run_cli("--data-dir", demo_dir, "restore", saved)
    assert result.returncode == 0, result.stderr
    aside = list(demo_dir.glob("yishi-replaced-*.db"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    listing = run_cli("--data-dir", demo_dir, "list", "delegates")
    assert listing.returncode == 0 and "共 70 条" in listing.stdout


def test_a_new_store_never_leaves_an_empty_file_behind(tmp_path, monkeypatch):
    """Creating the database is all or nothing: stopped before SQLite wrote its first page, no
    0-byte yishi.db is left (which would now be refused as damaged)."""
    import sqlite3

    from app.store import Store

    real_connect = sqlite3.connect

    def stopped(path, *args, **kwargs):
        if "-new-" in str(path):
            raise KeyboardInterrupt  # the power went
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", stopped)
    with pytest.raises(KeyboardInterrupt):
        Store.open(tmp_path / "data")
    assert not (tmp_path / "data" / "yishi.db").exists()
    assert not list((tmp_path / "data").glob(".yishi-new-*"))
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    with Store.open(tmp_path / "data") as store:
        assert store.delegates.count() == 0


def test_a_store_open_in_another_program_is_not_judged_by_its_file_alone(tmp_path):
    """Mid-transaction, with a WAL beside it, the file may be shorter than the data: SQLite reads
    the rest from the WAL, so the file's size is not held against it."""
    with open_store(tmp_path / "data") as store:
        store.groups.create({"name": "老城小组"})
        wal = tmp_path / "data" / "yishi.db-wal"
        assert wal.stat().st_size > 0
        copy = tmp_path / "copy"
        copy.mkdir()
        for name in ("yishi.db", "yishi.db-wal"):
            (copy / name).write_bytes((tmp_path / "data" / name).read_bytes())
    from app.storage.backup import damage_of

    assert damage_of(copy / "yishi.db") is None
    with open_store(copy) as store:
        assert [g["name"] for g in store.groups.list()] == ["老城小组"]


def test_a_backup_cut_short_on_the_stick_is_not_restored(demo_dir, tmp_path):
    with open_store(demo_dir) as store:
        saved = Path(backup(store, tmp_path / "U盘")["path"])
    saved.write_bytes(_cut_at_a_page(saved.read_bytes()))  # the copy stopped when the stick was pulled
    before = _folder_state(demo_dir)
    result = run_cli("--data-dir", demo_dir, "restore", saved)
    assert result.returncode == 1 and "已损坏" in result.stderr and "不完整" in result.stderr
    assert _folder_state(demo_dir) == before
