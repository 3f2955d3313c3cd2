"""The wheel and the bundle carry every package of the source tree (pages and documents are
imported lazily, so a missing one would only fail when the clerk opens it)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def source_packages() -> set[str]:
    return {".".join(init.parent.relative_to(ROOT).parts)
            for top in ("app", "ui") for init in (ROOT / top).rglob("__init__.py")
            if "__pycache__" not in init.parts}


def test_the_wheel_lists_every_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    assert source_packages() - listed == set()


def test_the_bundle_collects_modules_from_the_source_tree():
    spec = (ROOT / "build.spec").read_text("utf-8")
    assert 'collect_submodules("app")' in spec and 'collect_submodules("ui")' in spec
    assert "sys.path.insert(0, str(ROOT))" in spec.split("collect_submodules(\"app\")")[0]


def test_the_bundle_keeps_every_qt_module_the_front_imports():
    import ast
    import re

    spec = (ROOT / "build.spec").read_text("utf-8")
    excluded = set(re.findall(r'"(PySide6\.Qt\w+)"', spec.split("qt_excludes = [", 1)[1].split("]", 1)[0]))
    dropped = spec.split("UNUSED_QT = ", 1)[1].split("]))", 1)[0]
    imported = set()
    for path in (ROOT / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6.Qt"):
                imported.add(node.module)
    assert {"PySide6.QtWidgets", "PySide6.QtNetwork"} <= imported
    assert imported & excluded == set()
    assert [m for m in imported if m.split(".")[1] in dropped] == []


def test_the_readme_and_docs_link_only_inside_the_repository():
    """A newcomer's clone has only the repository: every link of the README and docs/ that is
    not a web address names a file of the project (the README once pointed at ../shared)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(root) and path.exists(), f"{page.name}: {target}"
