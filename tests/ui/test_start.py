"""The real start-up (`run_gui`) in a fresh process: the window paints first, then the data opens
behind the password when one is set, and a database that will not open is replaced from a backup."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from app.storage import security
from app.storage.backup import backup
from app.store import Store
from tests.conftest import ROOT

# Drives the running app from a timer, as a clerk would, and prints what it saw as JSON.
DRIVER = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    from ui.main import run_gui

    seen = []

    def window():
        return next((w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)

    def finish(code):
        print(json.dumps(seen, ensure_ascii=False), flush=True)
        app.exit(code)

    def poll():
        w = window()
        if w is None:
            return
        recovery = getattr(w, "recovery_dialog", None)
        if recovery is not None and recovery.isVisible() and "recovery offered" not in seen:
            seen.append("recovery offered")
            recovery.accept()
        dialog = getattr(getattr(w, "idle_lock", None), "dialog", None)
        if dialog is not None and dialog.isVisible():
            if "locked" not in seen:
                seen.append("locked")
                seen.append("content hidden" if not w.centralWidget().isVisible() else "content shown")
                dialog.password.setText("不对的密码")
                dialog.submit()
            elif dialog.message.text() and not any(s.startswith("refused") for s in seen):
                seen.append("refused: " + dialog.message.text())
                dialog.password.setText(PASSWORD)
                dialog.submit()
            return
        overview = w._built.get("overview")
        if w.centralWidget().isVisible() and overview is not None and "工作概览" in overview.heading.text():
            seen.append("data shown: " + overview.cards["groups"].value.text())
            finish(0)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(50)
    QTimer.singleShot(60000, lambda: (seen.append("timed out"), finish(2)))
    sys.exit(run_gui(DATA))
""")


def start(data_dir, password: str = "") -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "YISHI_NO_WELCOME": "1", "PYTHONPATH": str(ROOT)}
    script = f"DATA = {str(data_dir)!r}\nPASSWORD = {password!r}\n" + DRIVER
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("[")]
    assert lines, f"exit code {out.returncode}; stdout: {out.stdout[-1000:]!r}; stderr: {out.stderr[-3000:]}"
    return json.loads(lines[-1])


def test_start_up_asks_for_the_password_before_the_data_shows(tmp_path):
    with Store.open(tmp_path / "data") as store:
        store.groups.create({"name": "老城小组"})
        security.set_password(store, "正确的密码123")
    seen = start(tmp_path / "data", "正确的密码123")
    assert seen[:2] == ["locked", "content hidden"]
    assert seen[2].startswith("refused: ") and "密码不正确" in seen[2]
    assert seen[3:] == ["data shown: 1 个"]


def test_start_up_without_a_password_goes_straight_to_the_data(tmp_path):
    with Store.open(tmp_path / "data") as store:
        store.groups.create({"name": "老城小组"})
    assert start(tmp_path / "data") == ["data shown: 1 个"]


@pytest.mark.parametrize("damage", ["not a database", "empty", "truncated"])
def test_start_up_offers_a_backup_when_the_database_will_not_open(tmp_path, damage):
    with Store.open(tmp_path / "data") as store:
        store.groups.create({"name": "老城小组"})
        backup(store, reason="auto")
    db = tmp_path / "data" / "yishi.db"
    db.write_bytes({"not a database": b"not a database" * 500, "empty": b"",
                    "truncated": db.read_bytes()[: int(db.stat().st_size * 0.4)]}[damage])
    assert start(tmp_path / "data") == ["recovery offered", "data shown: 1 个"]
    assert list((tmp_path / "data").glob("yishi-replaced-*.db"))  # the damaged file kept aside
    with Store.open(tmp_path / "data") as store:
        assert [g["name"] for g in store.groups.list()] == ["老城小组"]
