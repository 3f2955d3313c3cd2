"""The world fails: every command of the CLI with the disk full and with the database held by
another program answers in Chinese (exit 1), never with a traceback, and leaves the store as it
was."""

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from app.common.errors import environmental
from app.fronts import cli
from app.store import DB_NAME
from tests.conftest import ROOT


def commands(data: Path, out: Path, secret: Path, package: Path, backup: Path) -> list[list[str]]:
    """Every command of `yishi --help`, as a clerk would type it."""
    d = ["--data-dir", str(data)]
    return [
        [*d, "stats"], [*d, "remind"], [*d, "check"], [*d, "list", "delegates"], [*d, "list", "opinions"],
        [*d, "import", "delegates", str(ROOT / "tests" / "data" / "roster_sample.xlsx")],
        [*d, "export", "register", "roster", "--out", str(out / "花名册.xlsx")],
        [*d, "export", "doc", "filing", "--out", str(out / "备案.pdf")],
        [*d, "export", "archive", "--out", str(out / "归档.zip")],
        [*d, "package", "export", "--out", str(out), "--passphrase-file", str(secret)],
        [*d, "package", "import", str(package), "--passphrase-file", str(secret)],
        [*d, "backup"], [*d, "backup", "--out", str(out)],
        [*d, "restore", str(backup)],
        ["--data-dir", str(out / "新办公室"), "init"],
    ]


def digest(data: Path) -> str:
    """Every row of every table (read beside the CLI, which holds the store's lock while it runs)."""
    from types import SimpleNamespace

    from tests.conftest import digest as store_digest

    conn = sqlite3.connect(data / DB_NAME)
    try:
        return store_digest(SimpleNamespace(db=conn))
    finally:
        conn.close()


@pytest.fixture
def setting(demo_dir, tmp_path):
    from app.exchange.export import export_package
    from app.storage.backup import backup
    from app.store import Store
    from tests.app.exchange.conftest import FAST

    out = tmp_path / "stick"
    out.mkdir()
    secret = tmp_path / "口令.txt"
    secret.write_text("交换口令", encoding="utf-8")
    with Store.open(tmp_path / "另一个办公室") as other:  # a package from another office
        other.departments.create({"name": "区退役军人事务局"})
        package = Path(export_package(other, tmp_path, "交换口令", scrypt_n=FAST)["path"])
    with Store.open(demo_dir) as store:
        saved = Path(backup(store, tmp_path / "saved.db")["path"])
    return demo_dir, out, secret, package, saved


def run(argv, capsys):
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_cli_with_the_disk_full(setting, capsys, monkeypatch):
    data, out, secret, package, saved = setting
    before = digest(data)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)  # every file the app writes is synced before it is kept
    refused = 0
    for argv in commands(data, out, secret, package, saved):
        before = digest(data)
        code, _, err = run(argv, capsys)
        assert "Traceback" not in err and "Error" not in err, (argv, err)
        if code:  # refused: said in Chinese, and the store is as it was
            refused += 1
            assert code == 1 and err.startswith("未完成：") and "磁盘空间已满" in err, (argv, err)
            assert digest(data) == before, argv
    monkeypatch.undo()
    assert refused >= 8  # every command that writes a file
    assert not [p for p in out.rglob(".*") if p.is_file()]  # no half file left on the stick
    assert cli.main(["--data-dir", str(data), "check"]) == 0


def test_the_cli_with_the_database_held_by_another_program(setting, capsys, monkeypatch):
    data, out, secret, package, saved = setting
    monkeypatch.setattr("app.store.BUSY_TIMEOUT_MS", 300)  # the wait is bounded; keep the test short
    before = digest(data)
    holder = sqlite3.connect(data / DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    held = 0
    try:
        for argv in commands(data, out, secret, package, saved)[:-2]:  # not restore/init elsewhere
            code, _, err = run(argv, capsys)
            assert "Traceback" not in err and "Error" not in err, (argv, err)
            if code:
                assert code == 1 and err.startswith("未完成："), (argv, err)
                held += "占用" in err
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert held >= 5  # every command that writes waited, then named the cause
    assert digest(data) == before


@pytest.mark.parametrize("code, words", [(errno.EACCES, "没有权限"), (errno.ENOENT, "找不到"),
                                         (errno.EROFS, "只读"), (errno.ENAMETOOLONG, "太长"),
                                         (errno.EIO, "U盘")])
def test_each_failure_of_the_machine_has_its_message(code, words):
    message = environmental(OSError(code, os.strerror(code), "E:/议事/花名册.xlsx")).message
    assert words in message and "E:/议事/花名册.xlsx" in message
    locked = environmental(sqlite3.OperationalError("database is locked")).message
    assert "占用" in locked
    assert environmental(ValueError("a bug")) is None


def test_the_walk_covers_every_command_of_the_help(tmp_path):
    import argparse

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    walked = {argv[2] for argv in commands(tmp_path, tmp_path, tmp_path, tmp_path, tmp_path)}
    assert walked == set(sub.choices), set(sub.choices) ^ walked
