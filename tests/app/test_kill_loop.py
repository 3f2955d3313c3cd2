"""kill -9 at random moments of backups and restores, again and again: the store always opens and
passes its checks, no temp file is left behind, and every restore that took effect is audited."""

import random
import signal
import subprocess
import sys
import time

import pytest

from app.restore import open_store
from app.storage.backup import backup, backup_dir
from app.storage.check import run_checks
from tests.conftest import ROOT

RUNS = 30


def killed_at_random(args: list[str], rng: random.Random, span: float = 0.9) -> bool:
    """Run the command and kill -9 it at a random moment within span; True when the kill cut it
    short (False: it had already finished on its own)."""
    process = subprocess.Popen([sys.executable, "-m", "app.fronts.cli", *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.05, span))
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    return not finished


def time_of(args: list[str]) -> float:
    """How long the whole command takes on this machine now (a loaded machine starts Python
    slower: the kills are spread over the command's real length, not a fixed second)."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "app.fronts.cli", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def leftovers(data_dir) -> list[str]:
    names = [p.name for p in data_dir.iterdir()] + [p.name for p in backup_dir(data_dir).glob("*")]
    return [n for n in names if n.startswith(".") or n.endswith(("-journal", ".tmp"))]


@pytest.mark.slow
def test_kill_during_backups_and_restores_at_random(demo_dir):
    rng = random.Random(20261128)
    with open_store(demo_dir) as store:
        group_id = store.groups.list()[0]["id"]
        store.groups.update(group_id, {"focus": "备份时的内容"})
        saved = backup(store, demo_dir.parent / "saved.db")["path"]
    # Kills spread over twice the command's length on this machine now: about half cut it short at
    # a random point, the rest land after it finished (a loaded machine stretches a run, so a
    # span of the bare length alone once never reached the swap in 30 runs).
    span = max(0.9, 2 * time_of(["--data-dir", str(demo_dir), "restore", str(saved)]))
    restored_runs = cut_runs = 0
    for run in range(RUNS * 2):
        with open_store(demo_dir) as store:
            store.groups.update(group_id, {"focus": f"第 {run} 次之前的修改"})
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        command = ["backup"] if run % 2 == 0 else ["restore", str(saved)]
        cut = killed_at_random(["--data-dir", str(demo_dir), *command], rng, span)
        cut_runs += cut
        with open_store(demo_dir) as store:  # opening finishes or rolls back what was cut off
            assert run_checks(store)["ok"], run
            focus = store.groups.get(group_id)["focus"]
            if command[0] == "restore" and not cut:  # a restore left to finish always takes effect
                assert focus == "备份时的内容", run
            if command[0] == "restore" and focus == "备份时的内容":  # the restore took effect
                restored_runs += 1
                last = store.rows("SELECT action FROM audit ORDER BY seq DESC LIMIT 1")[0]["action"]
                assert last == "restore", run  # ... and is on record
        assert leftovers(demo_dir) == [], (run, leftovers(demo_dir))
    assert restored_runs >= 1  # the loop really reached the swap some of the time
    assert cut_runs >= RUNS // 2  # ... and really cut the commands short at random moments
