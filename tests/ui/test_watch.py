"""Views watch what they read: a view refreshes when an edit changes a table its loads read, as
the store saw them read (app.storage.reads), never a list of tables kept beside the view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QComboBox

from ui.models import PagedTableModel

from .conftest import store_of, wait_idle

AREAS = ("overview", "roster", "nomination", "organisation", "venues", "meetings", "opinions", "data", "recycle",
         "settings")


def shown_texts(window) -> dict[str, set[str]]:
    """Every text an open list or choice shows, by the object that shows it."""
    shown: dict[str, set[str]] = {}

    def name(obj) -> str:
        parts = []
        while obj is not None and obj is not window:
            parts.append(obj.objectName() or type(obj).__name__)
            obj = obj.parent()
        key = "/".join(reversed(parts))
        return next(f"{key}#{n}" for n in range(1000) if f"{key}#{n}" not in shown)  # siblings of a kind

    for model in window.findChildren(QAbstractItemModel):
        texts: set[str] = set()
        if isinstance(model, PagedTableModel):
            for rows in model._pages.values():  # the pages loaded (reading others would ask for them)
                texts |= {str(v) for row in rows for v in row.values() if isinstance(v, str)}
        else:
            columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
            for r in range(min(model.rowCount(QModelIndex()), 500)):
                for c in range(columns):
                    value = model.data(model.index(r, c), Qt.DisplayRole)
                    if isinstance(value, str):
                        texts.add(value)
        shown[name(model)] = texts
    for box in window.findChildren(QComboBox):
        shown[name(box)] = {box.itemText(i) for i in range(box.count())}
    return shown


def showing(shown: dict[str, set[str]], name: str) -> set[str]:
    """The objects showing `name` as a value of its own (a cell, a choice), not inside a title."""
    return {key for key, texts in shown.items() if name in texts}


def test_renaming_a_group_changes_it_in_every_open_view(qtbot, window):
    for key in AREAS:  # every area open, each tab of it loaded (pages load all their tabs)
        window.show_page(key)
        wait_idle(qtbot, window.backend)
    shown = shown_texts(window)
    # the group shown in the most places (the demo's meetings this year are not every group's)
    group = max(store_of(window).groups.list(), key=lambda g: len(showing(shown, g["name"])))
    old, new = group["name"], "改名后的测试小组"
    before = showing(shown, old)
    for view in ("RosterPage/PagedTableModel", "filter_group_id", "VisitsTab/NoWheelCombo", "OpinionList/PagedTableModel",
                 "OpinionList/NoWheelCombo", "TopicsTab/NoWheelCombo", "MeetingList/PagedTableModel",
                 "MeetingList/NoWheelCombo", "YearPlan/ListTableModel", "GroupsPage/ListTableModel",
                 "VenuesPage/ListTableModel"):
        assert any(view in key for key in before), f"{view} does not show {old}: the test would prove nothing"

    window.backend.op(lambda s: s.groups.update(group["id"], {**s.groups.get(group["id"]), "name": new}),
                      summary=f"编辑议事小组“{old}”")  # as the 议事小组 tab's dialog saves
    wait_idle(qtbot, window.backend)
    wait_idle(qtbot, window.backend)

    after = shown_texts(window)
    assert showing(after, old) == set(), "still showing the old name"
    assert before <= showing(after, new)


# Every view that loads rows from the store on its own (a page's tabs are views of their own).
VIEWS = ("roster.RosterPage", "visits.VisitsTab", "nomination.NominationPage", "organisation.CommunitiesPage",
         "organisation.GridsPage", "organisation.GroupsPage", "organisation.TermsPage",
         "organisation.InstitutionsPage", "venues.VenuesPage", "meetings.MeetingList", "meetings.YearPlan",
         "meetings.ReceptionDuty", "meetings.TemplateSteps", "meetings.DepartmentList", "opinions.page.OpinionList",
         "opinions.stats.StatsTab", "opinions.actions.ActionsTab", "opinions.topics.TopicsTab",
         "data.conflicts.ConflictsTab", "recycle.RecyclePage")


@pytest.mark.parametrize("path", VIEWS)
def test_a_view_refreshes_when_a_table_its_loads_read_changes_and_only_then(qtbot, backend, monkeypatch, path):
    """Measured from outside the view: the tables its loads read, then an edit of each alone. A
    view deciding from a list of its own that lacked one of them would not refresh for it."""
    import importlib

    from app.storage.changes import Changes, RowChange
    from app.storage.schema import SYNCED_FIELDS

    queries: list = []
    submit = backend._submit

    def recording(job, done, failed):
        if job.kind == "query":
            job.watched = True  # every read the view asks for is measured, passed its watch or not
            queries.append(job)
        return submit(job, done, failed)

    monkeypatch.setattr(backend, "_submit", recording)
    module, name = path.rsplit(".", 1)
    view = getattr(importlib.import_module(f"ui.pages.{module}"), name)(backend)
    qtbot.addWidget(view)
    view.reload()
    wait_idle(qtbot, backend)
    read = set().union(*(job.reads for job in queries)) & set(SYNCED_FIELDS)
    assert read, "the view read nothing"

    def refreshes_on(table: str) -> bool:
        queries.clear()
        backend.changed.emit(Changes([RowChange(table, "-", "update", {}, {})]))
        asked = bool(queries)
        wait_idle(qtbot, backend)
        return asked

    assert [t for t in sorted(read) if not refreshes_on(t)] == []
    assert [t for t in sorted(set(SYNCED_FIELDS) - read) if refreshes_on(t)] == []


def test_no_view_decides_from_a_list_of_tables_of_its_own():
    """Only the Watch (ui/backend.py) compares what an edit changed with what a view read."""
    import re
    from pathlib import Path

    by_hand = re.compile(r"\.tables\s*&|in\s+\w+\.tables\b|\bwatch\s*=\s*(\{|set\()|_TABLES\s*=")
    root = Path(__file__).resolve().parents[2] / "ui"
    found = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py") if path.name != "backend.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if by_hand.search(line)]
    assert found == []
