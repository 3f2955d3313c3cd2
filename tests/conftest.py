import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["YISHI_NO_WELCOME"] = "1"

ROOT = Path(__file__).resolve().parent.parent


class SteppingClock:
    """A wall clock for tests: each reading is one millisecond after the last, so edits made one
    after another, in one office or several sharing it, are ordered without sleeping."""

    def __init__(self):
        import time

        self.now = int(time.time() * 1000)

    def __call__(self) -> int:
        self.now += 1
        return self.now


def share_clock(*stores) -> SteppingClock:
    clock = SteppingClock()
    for s in stores:
        s.clock.now_ms = clock
    return clock


@pytest.fixture
def store(tmp_path):
    from app.store import Store

    s = Store.open(tmp_path / "data")
    yield s
    s.close()


# The year the demo tells: the last whole year before today (app.fronts.demo.demo_year).
DEMO_YEAR = date.today().year - 1


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo subdistrict built once; tests get their own copy. The mutation runs
    (tests/mutation/run.py) build it once for all their mutants and name it in YISHI_TEST_DEMO."""
    from app.fronts.demo import build_demo
    from app.store import Store

    prebuilt = os.environ.get("YISHI_TEST_DEMO")
    if prebuilt:
        return Path(prebuilt)

    folder = tmp_path_factory.mktemp("demo") / "data"
    with Store.open(folder) as s:
        build_demo(s)
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder


def new_reception_matters(store, *contents: str) -> list[str]:
    """Matters heard at the latest reception day that nobody has dealt with yet (the demo's are all
    taken into the ledger or closed with a reason)."""
    meeting = store.rows("SELECT id FROM meetings WHERE kind = 'reception' AND status = 'held' AND deleted = 0"
                         " ORDER BY date DESC LIMIT 1")[0]["id"]
    added = store.receptions.add_matters(meeting, [{"content": c, "resident": "居民"} for c in contents])
    return added.created("reception_matters")


@pytest.fixture
def demo_dir(demo_template, tmp_path):
    target = tmp_path / "demo"
    shutil.copytree(demo_template, target, ignore=shutil.ignore_patterns("yishi.lock"))
    return target


@pytest.fixture
def demo(demo_dir):
    from app.store import Store

    s = Store.open(demo_dir)
    yield s
    s.close()


def run_cli(*args, env=None, check=False):
    """Run `yishi` as a user would, in a fresh interpreter."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "app.fronts.cli", *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True, env=full_env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


def digest(store) -> str:
    """A fingerprint of every row in every table, to prove a refusal changed nothing."""
    import hashlib

    h = hashlib.sha256()
    tables = [r[0] for r in store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        for row in store.db.execute(f"SELECT * FROM [{table}] ORDER BY 1"):
            h.update(repr(row).encode())
    return h.hexdigest()
