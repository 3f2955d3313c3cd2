"""Every import in the window's code resolves, those inside functions included: a page or a
button imports what it needs only when first used, so a wrong relative import after a module
moved (数据 › 审计日志 › 导出 Excel… once raised ModuleNotFoundError) is otherwise seen only by
the clerk who clicks it."""

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for folder in ("ui", "app") for p in (ROOT / folder).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path):
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            target = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            yield node.lineno, target, [alias.name for alias in node.names]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_import_resolves(path):
    for line, target, names in _imports(path):
        assert importlib.util.find_spec(target) is not None, f"{path.name}:{line}: no module {target}"
        module = importlib.import_module(target)
        for name in names:
            if name == "*":
                continue
            found = hasattr(module, name) or importlib.util.find_spec(f"{target}.{name}") is not None
            assert found, f"{path.name}:{line}: {target} has no {name}"
