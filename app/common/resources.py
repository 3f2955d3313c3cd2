"""Locating the shipped data/ and resources/ folders from source, a wheel or a bundle."""

import sys
from functools import cache
from pathlib import Path


def _candidates(name: str):
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        yield Path(bundle) / name
    package = Path(__file__).resolve().parents[1]  # app/
    yield package.parent / name  # source tree
    yield package / "_shipped" / name  # installed wheel


def shipped_dir(name: str) -> Path:
    """The folder `data` or `resources`, wherever this copy of the app keeps it."""
    for path in _candidates(name):
        if path.is_dir():
            return path
    raise FileNotFoundError(f"missing shipped folder {name!r}")


@cache
def reference() -> dict:
    import json

    return json.loads((shipped_dir("data") / "reference.json").read_text(encoding="utf-8"))
