"""kill -9 in the middle of an import, a backup and a restore: the store opens, passes `check`,
and holds all or none of the operation."""

import signal
import subprocess
import sys
import textwrap

import pytest

from app.exchange.export import export_package
from app.restore import open_store
from app.storage.check import run_checks
from tests.app.exchange.conftest import FAST
from tests.conftest import ROOT

KILL = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"


def run_until_killed(script: str) -> None:
    code = textwrap.dedent(script)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr


@pytest.fixture(scope="module")
def package(demo_template, tmp_path_factory):
    stick = tmp_path_factory.mktemp("stick")
    with open_store(demo_template, lock=False) as store:
        return export_package(store, stick, "口令", scrypt_n=FAST)["path"]


@pytest.mark.parametrize("after_batches", [1, 8, 20])
def test_kill_during_import(package, tmp_path, after_batches):
    run_until_killed(f"""
        import app.storage.writepath as w
        from app.restore import open_store
        from app.exchange.merge import import_package
        real, calls = w.Tx.insert_remote_many, [0]
        def insert_remote_many(self, *a, **k):
            calls[0] += 1
            if calls[0] == {after_batches}:
                {KILL}
            return real(self, *a, **k)
        w.Tx.insert_remote_many = insert_remote_many
        store = open_store({str(tmp_path / 'data')!r})
        import_package(store, {package!r}, "口令")
    """)
    with open_store(tmp_path / "data") as store:
        assert run_checks(store)["ok"]
        assert store.delegates.count() == 0  # none of it
        assert not store.rows("SELECT * FROM exchange_log")
    assert list((tmp_path / "data").glob(".package-*"))  # the decrypted package the kill left behind
    with open_store(tmp_path / "data") as store:  # and it can still be taken whole
        from app.exchange.merge import import_package

        import_package(store, package, "口令")
        assert store.delegates.count() == 70 and run_checks(store)["ok"]
    assert not list((tmp_path / "data").glob(".package-*"))  # cleared by the next import


@pytest.mark.parametrize("where", ["verify", "record"])
def test_kill_during_backup(demo_dir, where):
    target = "app.storage.backup.verify" if where == "verify" else "app.storage.audit.AuditLog.record"
    module, name = target.rsplit(".", 1)
    run_until_killed(f"""
        import importlib
        from app.restore import open_store
        from app.storage.backup import backup
        owner = importlib.import_module("app.storage.backup") if {where!r} == "verify" else importlib.import_module(
            "app.storage.audit").AuditLog
        def stop(*a, **k):
            {KILL}
        setattr(owner, {name!r}, stop)
        store = open_store({str(demo_dir)!r})
        backup(store, reason="manual")
    """)
    from app.storage.backup import list_backups, verify

    with open_store(demo_dir) as store:
        assert run_checks(store)["ok"] and store.delegates.count() == 70
    made = list_backups(demo_dir)
    if where == "verify":
        assert made == []  # killed before the rename: no half backup in the list
    else:
        assert len(made) == 1 and verify(made[0]["path"])["counts"]["delegates"] == 70


@pytest.mark.parametrize("step", ["marker", "copied", "aside", "placed"])
def test_kill_during_restore(demo_dir, tmp_path, step):
    from app.storage.backup import backup

    with open_store(demo_dir) as store:
        saved = backup(store, tmp_path / "saved.db")
        store.groups.update(store.groups.list()[0]["id"], {"focus": "恢复前的修改"})
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    run_until_killed(f"""
        from app.restore import restore
        def hook(name):
            if name == {step!r}:
                {KILL}
        restore({str(demo_dir)!r}, {saved['path']!r}, hook=hook)
    """)
    with open_store(demo_dir) as store:
        assert run_checks(store)["ok"]
        focus = store.groups.list()[0]["focus"]
        audited = store.scalar("SELECT count(*) FROM audit WHERE action = 'restore'")
    restored = step in ("aside", "placed")
    assert (focus != "恢复前的修改") is restored
    assert audited == (1 if restored else 0)  # a restore that took effect is on record, once
    assert not (demo_dir / "restore-in-progress.json").exists()
    with open_store(demo_dir) as store:  # opening again records nothing more
        assert store.scalar("SELECT count(*) FROM audit WHERE action = 'restore'") == audited
