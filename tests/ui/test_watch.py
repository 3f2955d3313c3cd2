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


def _combo_shows(combo, value, text: str) -> bool:
    return combo.currentData() == value and combo.currentText() == text


def test_an_open_meeting_editor_follows_a_group_and_a_venue_renamed_elsewhere(qtbot, window):
    """The meeting window is not modal: a group or venue renamed in another window while it is open
    is renamed in its lists too, the choice kept (by id) and what the clerk typed left alone."""
    from ui.meeting_editor import MeetingEditor

    store = store_of(window)
    meeting = store.rows("SELECT id, group_id, venue_id FROM meetings WHERE group_id IS NOT NULL"
                         " AND venue_id IS NOT NULL AND deleted = 0 ORDER BY date DESC LIMIT 1")[0]
    group, venue = store.groups.get(meeting["group_id"]), store.venues.get(meeting["venue_id"])
    editor = MeetingEditor(window.backend, meeting["id"], window)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.built, timeout=5000)
    wait_idle(qtbot, window.backend)
    groups, venues = editor.details.editors["group_id"].widget, editor.details.editors["venue_id"].widget
    assert _combo_shows(groups, group["id"], group["name"]) and _combo_shows(venues, venue["id"], venue["name"])
    editor.details.editors["title"].set_value("尚未保存的会议名称")

    refused: list = []
    window.backend.op(lambda s: s.groups.update(group["id"], {**s.groups.get(group["id"]), "name": "改名后的测试小组"}),
                      failed=refused.append, summary="编辑议事小组")
    window.backend.op(lambda s: s.venues.update(venue["id"], {"name": "改名后的议事堂"}),
                      failed=refused.append, summary="编辑阵地")
    wait_idle(qtbot, window.backend)
    wait_idle(qtbot, window.backend)

    assert refused == []
    assert _combo_shows(groups, group["id"], "改名后的测试小组")
    assert _combo_shows(venues, venue["id"], "改名后的议事堂")
    assert group["name"] not in {groups.itemText(i) for i in range(groups.count())}
    rooms = {editor.details.editors["room_id"].widget.itemText(i)
             for i in range(editor.details.editors["room_id"].widget.count())}
    assert not any(text.startswith(venue["name"] + " · ") for text in rooms)  # "venue · room"
    assert editor.details.editors["title"].value() == "尚未保存的会议名称"
    assert editor.loaded["refs"]["groups"] == [(g["id"], g["name"]) for g in store.groups.list()]


def test_an_open_opinion_window_follows_a_community_renamed_elsewhere(qtbot, window):
    from ui.opinion_dialog import OpinionDialog

    store = store_of(window)
    opinion = store.rows("SELECT id, community_id FROM opinions WHERE community_id IS NOT NULL AND deleted = 0"
                         " ORDER BY serial LIMIT 1")[0]
    community = store.communities.get(opinion["community_id"])
    dialog = OpinionDialog(window.backend, opinion["id"], window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    wait_idle(qtbot, window.backend)
    communities = dialog.editors["community_id"].widget
    assert _combo_shows(communities, community["id"], community["name"])

    window.backend.op(lambda s: s.communities.update(community["id"], {**s.communities.get(community["id"]),
                                                                       "name": "改名后的社区"}),
                      summary="编辑村（社区）")
    wait_idle(qtbot, window.backend)
    wait_idle(qtbot, window.backend)

    assert _combo_shows(communities, community["id"], "改名后的社区")
    assert "改名后的社区" in dialog.refs["units"]  # 交办's unit list (communities are units of self-governance)


def test_a_refilled_choice_list_keeps_the_choice_and_reports_no_edit(qtbot):
    """FieldEditor.set_options, the refill both windows use: by id, a value no longer offered kept
    under its old text (the save decides about it), nothing chosen stays unchosen, a checklist's
    ticks kept by name, an editable list's typed text kept; and no `edited` signal (no error shown)."""
    from app.services.base import FieldSpec
    from ui.forms import FieldEditor

    def made(spec, options):
        editor = FieldEditor(spec, {"groups": options})
        qtbot.addWidget(editor)
        edits: list = []
        editor.edited.connect(lambda: edits.append(1))
        return editor, edits

    group, edits = made(FieldSpec("group_id", "议事小组", "ref", ref="groups"), [("g1", "一组"), ("g2", "二组")])
    group.set_value("g2")
    edits.clear()
    group.set_options([("g0", "零组"), ("g1", "一组"), ("g2", "第二组")])
    assert (group.value(), group.widget.currentText()) == ("g2", "第二组")
    group.set_options([("g1", "一组")])  # g2 removed elsewhere
    assert (group.value(), group.widget.currentText()) == ("g2", "第二组")
    assert edits == []
    group.set_value(None)
    group.set_options([("g1", "一组")])
    assert (group.value(), group.widget.currentText()) == (None, "（无）")

    required, _ = made(FieldSpec("group_id", "议事小组", "ref", required=True, ref="groups"), [])
    assert required.widget.currentIndex() == -1
    required.set_options([("g1", "一组")])
    assert required.widget.currentIndex() == -1 and required.value() is None  # not chosen for the clerk

    units, _ = made(FieldSpec("unit", "单位", "choice", choices=("城管科", "民政科"), editable=True), [])
    units.widget.setEditText("新设的科室")
    units.set_options(["城管科", "民政科", "应急科"])
    assert units.value() == "新设的科室"

    # a checklist in a form, between a field and a button: the new boxes take the old ones' place in Tab's order
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    first, departments, last = QLineEdit(), FieldEditor(FieldSpec("departments", "邀请部门", "checklist",
                                                                  choices=("城管科", "民政科")), {}), QPushButton("保存")
    for widget in (first, departments, last):
        layout.addWidget(widget)
    ticked: list = []
    departments.edited.connect(lambda: ticked.append(1))
    departments.set_value(["民政科"])
    ticked.clear()
    departments.set_options(["城管科", "应急科"])  # 民政科 renamed away: still ticked, under its name
    assert departments.value() == ["民政科"]
    assert [box.text() for box in departments.boxes] == ["城管科", "应急科", "民政科"]
    assert ticked == []

    def tab_after(widget):
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
        return widget

    chain = [first]
    while len(chain) < 5:
        chain.append(tab_after(chain[-1]))
    assert chain == [first, *departments.boxes, last]
