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
    "opinions": ("app.workbooks.opinions_in", "OpinionsKind"),
    "meetings": ("app.workbooks.meetings_in", "MeetingsKind"),
}
LABELS = {"communities": "村（社区）", "grids": "网格及网格员", "venues": "议事阵地", "departments": "部门（单位）",
          "delegates": "代表花名册", "opinions": "意见建议台账", "meetings": "议事活动"}


def names() -> list[str]:
    return [*_KINDS, "delegates"]


def kind(name: str) -> ImportKind:
    if name not in _KINDS:
        raise AppError(f"不能导入“{name}”，可导入：{'、'.join(names())}")
    module, cls = _KINDS[name]
    return getattr(import_module(module), cls)()


# -- getting started ------------------------------------------------------------------------------
# The roster keeps its own importer (app.workbooks.importer); its sample is named here.
ROSTER_SAMPLE = "代表花名册.xlsx"
# The table each kind's records live in: what is there already is ticked on 概览.
TABLES = {"communities": "communities", "grids": "grids", "venues": "venues", "departments": "departments",
          "delegates": "delegates", "opinions": "opinions", "meetings": "meetings"}
# (what the step brings in, the kinds it takes, optional): the order a new office brings its books
# in — places before the people and the work that name them.
STEPS = (
    ("村（社区）和网格", ("communities", "grids"), False),
    ("议事阵地", ("venues",), False),
    ("部门（单位）", ("departments",), True),  # (the usual departments are listed from the start)
    ("代表花名册", ("delegates",), False),
    ("意见建议台账", ("opinions",), False),
    ("议事活动", ("meetings",), True),
)


# A new office already lists the usual departments: its own 部门（单位）联系表 is in once one has whom to call.
OWN = {"departments": "(contact IS NOT NULL OR phone IS NOT NULL)"}


def label(name: str) -> str:
    return LABELS.get(name) or (kind(name).noun if name in _KINDS else name)


def sample_path(name: str):
    """The shipped sample file of a kind (data/samples/), or None when it has none."""
    from app.common.resources import shipped_dir

    file = ROSTER_SAMPLE if name == "delegates" else kind(name).sample if name in _KINDS else ""
    if not file:
        return None
    try:
        path = shipped_dir("data") / "samples" / file
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def getting_started(store) -> dict:
    """The order a new office brings its books in, each step's kinds with their sample file and how
    many records of them the office holds (a step is done when each of its kinds has some). Kinds not
    yet importable are left out of their step; a step left without any is not listed."""
    steps: list[dict] = []
    for title, wanted, optional in STEPS:  # (a kind's count: the records the office itself brought or gave)
        taken = [name for name in wanted if name in names()]
        if not taken:
            continue
        entries = []
        for name in taken:
            count = store.scalar(f"SELECT count(*) FROM [{TABLES[name]}] WHERE deleted = 0 AND {OWN.get(name, '1')}") \
                if name in TABLES else 0
            path = sample_path(name)
            entries.append({"name": name, "label": label(name), "count": count or 0,
                            "sample": str(path) if path else None, "sample_name": path.name if path else None})
        steps.append({"number": len(steps) + 1, "title": title, "optional": optional, "kinds": entries,
                      "done": all(e["count"] for e in entries)})
    required = [s for s in steps if not s["optional"]]
    return {"steps": steps, "done": sum(s["done"] for s in required), "total": len(required),
            "finished": all(s["done"] for s in required)}
