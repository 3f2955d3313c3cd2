"""The frozen bundle against the smallest frozen programs of the same kind, built in the same
run with the same PyInstaller, Python and PySide6: its folder's size against a bare PySide6
window (goal ≤ 1.2x), and `yishi-cli --version` against a frozen hello-world console script
(goal ≤ 2x)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE_WINDOW = """\
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel("议事")
label.show()
sys.exit(0 if "--quit" in sys.argv else app.exec())
"""
HELLO = 'print("hello")\n'


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def _freeze(script: Path, work: Path, *, windowed: bool) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", str(script), "--noconfirm", "--log-level", "WARN",
                    "--onedir", "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                    "--specpath", str(work), *(["--windowed"] if windowed else [])], check=True)
    return work / "dist" / script.stem


def _build_yishi(work: Path) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", str(ROOT / "build.spec"), "--noconfirm", "--log-level",
                    "WARN", "--distpath", str(work / "dist"), "--workpath", str(work / "build")], check=True)
    return work / "dist" / "yishi"


def start_ms(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_bundle(runs: int = 15, bundle: Path | None = None) -> list[tuple[str, float, float, str]]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "bare_window.py").write_text(BARE_WINDOW, encoding="utf-8")
        (work / "hello.py").write_text(HELLO, encoding="utf-8")
        bare = _freeze(work / "bare_window.py", work / "w", windowed=True)
        hello = _freeze(work / "hello.py", work / "h", windowed=False)
        yishi = bundle or _build_yishi(work / "y")
        for _ in range(2):  # warm the file cache for all three alike
            start_ms([str(hello / "hello")], 1)
            start_ms([str(yishi / "yishi-cli"), "--version"], 1)
        cli, base = [], []
        for _ in range(runs):  # interleaved: a drift in the machine's load hits both
            cli.append(start_ms([str(yishi / "yishi-cli"), "--version"], 1))
            base.append(start_ms([str(hello / "hello")], 1))
        return [("bundle size (MiB)", folder_mib(yishi), folder_mib(bare), "≤ 1.2x"),
                ("yishi-cli --version", statistics.median(cli), statistics.median(base), "≤ 2x")]


if __name__ == "__main__":
    for label, ours, theirs, goal in bench_bundle():
        print(f"{label:<28}{ours:>10.1f}{theirs:>10.1f}{ours / theirs:>8.2f}   {goal}")
