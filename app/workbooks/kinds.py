"""The kinds of record a spreadsheet can bring in (`yishi import KIND FILE`, the window's wizard),
in the order a new office brings them in (getting started on 概览)."""

from __future__ import annotations

from importlib import import_module

from app.common.errors import AppError
from app.workbooks.bring_in import ImportKind

# name -> (module, class): imported when asked, so the CLI's help does not load every kind
_KINDS = {
    "communities": ("app.workbooks.places_in", "CommunitiesKind"),
    "grids": ("app.workbooks.places_in", "GridsKind"),
    "venues": ("app.workbooks.venues_in", "VenuesKind"),
    "departments": ("app.workbooks.departments_in", "DepartmentsKind"),
}
LABELS = {"communities": "村（社区）", "grids": "网格及网格员", "delegates": "代表花名册"}
LABELS.update({"venues": "议事阵地", "departments": "部门（单位）"})


def names() -> list[str]:
    return [*_KINDS, "delegates"]


def kind(name: str) -> ImportKind:
    if name not in _KINDS:
        raise AppError(f"不能导入“{name}”，可导入：{'、'.join(names())}")
    module, cls = _KINDS[name]
    return getattr(import_module(module), cls)()
