import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_core_modules_import_no_qt():
    code = ("import sys, pkgutil, importlib, app\n"
            "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_core_source_never_names_qt():
    for path in Path(ROOT, "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("PySide6", "ui")), f"{path}: imports {name}"
