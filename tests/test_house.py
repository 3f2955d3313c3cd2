"""The house rules a reviewer checks by eye, checked by the suite: the core's modules import one
another without a circle and never upwards through its layers (the folders of app/, in the
README's map), and the front holds no SQL, transaction or store internals."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE TABLE|DROP)\b\s+\S")
STORE_INTERNALS = {"execute", "executemany", "atomic", "rows", "scalar", "write", "conn"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _typing_only(tree: ast.Module) -> set[ast.AST]:
    """The imports under `if TYPE_CHECKING:`: annotations name them, nothing runs them."""
    return {inner for node in ast.walk(tree) if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING" for stmt in node.body for inner in ast.walk(stmt)}


def _imports(path: Path) -> set[str]:
    """Every app module this file imports when it runs, at the top or inside a function."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _typing_only(tree)
    for node in ast.walk(tree):
        if node in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "app" or name.startswith("app.")}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in (ROOT / "app").rglob("*.py") if "_shipped" not in p.parts}
    return {name: {m for m in _imports(path) if m in files and m != name} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if not state.get(nxt):
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if not state.get(node):
            found = visit(node)
            if found:
                return found
    return None


def test_the_core_imports_form_a_dag():
    graph = _graph()
    assert len(graph) > 50 and graph["app.store"], "the walk found the core's modules and their imports"
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# The core's layers, lowest first: a module may import its own layer and those below, never above.
LAYERS = [
    ["app.common"],  # errors, text, dates, files: knows nothing of the store
    ["app.rules"],  # the rule book and the closed lists
    ["app.storage"],  # schema, write path, audit, backups, the lock
    ["app.services"],  # one manager per domain
    ["app.store", "app.restore"],  # the Store that holds the managers, and opening one
    ["app.workbooks", "app.exchange", "app.registers"],  # spreadsheets in, packages, registers out
    ["app.documents"],  # documents (the ledger's document reuses its register)
    ["app.fronts"],  # the command line, the demo, the archive: what the window shares
]


def _layer_of(module: str) -> int:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    raise AssertionError(f"{module} is in no layer: put it in a folder of app/ and in LAYERS")


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} → {b}" for a, targets in graph.items() if a != "app"
                  for b in targets if b != "app" and _layer_of(b) > _layer_of(a))


def test_the_core_never_imports_upwards():
    graph = _graph()
    assert _upward(graph) == []


def test_the_layer_check_sees_an_upward_import():
    assert _upward({"app.services.settings": {"app.documents.fonts"}}) == ["app.services.settings → app.documents.fonts"]
    assert _upward({"app.documents.fonts": {"app.common.errors"}}) == []


def test_every_core_module_lives_in_a_layer_folder():
    loose = sorted(p.name for p in (ROOT / "app").glob("*.py"))
    assert loose == ["__init__.py", "restore.py", "store.py"]
    for name in _graph():
        if name != "app":
            _layer_of(name)


def test_typing_only_imports_are_not_dependencies():
    tree = ast.parse("from typing import TYPE_CHECKING\nfrom app.common import errors\n"
                     "if TYPE_CHECKING:\n    from app.store import Store\n")
    typing_only = _typing_only(tree)
    imports = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node not in typing_only]
    assert imports == ["typing", "app.common"]


def _front_findings(path: Path) -> list[str]:
    findings = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            findings.append(f"{path.name}:{node.lineno}: SQL {node.value[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in STORE_INTERNALS and isinstance(node.value, ast.Name) \
                and node.value.id in ("s", "store"):
            findings.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            findings.append(f"{path.name}:{node.lineno}: .db")
    return findings


def test_the_front_holds_no_sql_and_no_transaction():
    files = list((ROOT / "ui").rglob("*.py"))
    assert len(files) > 30
    findings = [f for path in files for f in _front_findings(path)]
    assert findings == []


def _sql_in(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:50]!r}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)]


def test_documents_registers_and_the_command_line_ask_the_services():
    """SQL lives in the storage, the rule book's doors, the exchange and the services; what prints
    and the command line read through the managers (one query a place, not one per document)."""
    files = [*(ROOT / "app" / "documents").rglob("*.py"), *(ROOT / "app" / "registers").rglob("*.py"),
             ROOT / "app" / "fronts" / "cli.py", ROOT / "app" / "fronts" / "archive.py"]
    assert len(files) > 25
    assert [hit for path in files for hit in _sql_in(path)] == []


def test_the_sql_check_sees_sql_and_store_internals(tmp_path):
    sample = tmp_path / "page.py"
    sample.write_text('backend.query(lambda s: s.rows("SELECT id FROM delegates"))\n'
                      'with store.db.atomic():\n    pass\n', encoding="utf-8")
    found = _front_findings(sample)
    assert any("SQL" in f for f in found) and any("s.rows" in f for f in found) and any(".db" in f for f in found)


def test_the_readmes_map_names_every_layer_folder():
    """The README's Layers map and the folders of app/ say the same (a new folder is drawn in it)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Layers", 1)[1].split("```", 2)[1]
    drawn = set(re.findall(r"^(app/[\w/.]+)", block, flags=re.M))
    folders = {f"app/{p.name}/" for p in (ROOT / "app").iterdir()
               if p.is_dir() and (p / "__init__.py").exists() and not p.name.startswith("_")}
    loose = {f"app/{name}" for name in ("store.py", "restore.py")}
    assert drawn == folders | loose
    assert {prefix for layer in LAYERS for prefix in layer} == {d.rstrip("/").removesuffix(".py").replace("/", ".")
                                                               for d in drawn}
