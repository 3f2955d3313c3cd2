"""Issue 25, the people of the work, in the window: supervision participants, the meeting window's
会中意见建议 and 分组讨论, a topic's 实地走访调研, a group's 推选 and the grouping view."""

from __future__ import annotations

from datetime import date

from tests.ui.conftest import open_page, store_of, wait_idle

SMALLEST = (1280, 680)  # 1920 × 1080 at 150 %, less a 40 px taskbar (fits 1366 × 768 too)


def _fits(widget) -> bool:
    need = widget.minimumSizeHint()
    return need.width() <= SMALLEST[0] and need.height() <= SMALLEST[1]


def test_the_supervision_form_offers_the_groups_delegates_and_records_them(qtbot, window, monkeypatch):
    from ui.form_dialog import FormDialog
    from ui.opinion_dialog import OpinionDialog

    store = store_of(window)
    opinion = store.rows("SELECT id, group_id FROM opinions WHERE status = 'assigned' AND deleted = 0 LIMIT 1")[0]
    dialog = OpinionDialog(window.backend, opinion["id"], window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    wait_idle(qtbot, window.backend)
    asked = {}

    def ask(parent, title, specs, values=None, refs=None, note="", ok="确定"):
        form = FormDialog(title, specs, values, refs, note, parent)
        qtbot.addWidget(form)
        asked["fits"] = _fits(form)
        people = next(s for s in specs if s.name == "delegates").choices
        asked["people"] = people
        return {"day": date.today().isoformat(), "method": "实地", "content": "代表随同查看现场", "progress": "",
                "delegates": list(people[:2])}

    monkeypatch.setattr("ui.opinion_dialog.ask", ask)
    before = store.scalar("SELECT count(*) FROM supervision_delegates")
    dialog.supervise()
    qtbot.waitUntil(lambda: store.scalar("SELECT count(*) FROM supervision_delegates") == before + 2, timeout=5000)
    wait_idle(qtbot, window.backend)
    assert asked["fits"]
    group = {r["name"] for r in store.rows("SELECT name FROM delegates WHERE group_id = ? AND deleted = 0",
                                           [opinion["group_id"]])}
    assert asked["people"] and all(label.split("（")[0] in group for label in asked["people"])
    last = dialog.timeline.item(dialog.timeline.count() - 1).text()
    assert any("参与代表" in dialog.timeline.item(i).text() for i in range(dialog.timeline.count())), last


def _open_meeting(qtbot, window, meeting_id):
    from ui.meeting_editor import MeetingEditor

    editor = MeetingEditor(window.backend, meeting_id, window)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.built, timeout=5000)
    wait_idle(qtbot, window.backend)
    return editor


def test_the_plenary_window_records_group_discussions_and_refuses_a_room_twice(qtbot, window, monkeypatch):
    store = store_of(window)
    meeting = store.rows("SELECT * FROM meetings WHERE kind = 'plenary' AND status = 'held' AND deleted = 0"
                         " ORDER BY date DESC LIMIT 1")[0]
    for held in store.discussions.list(meeting["id"]):  # the demo's own discussions make way for the test's
        store.discussions.delete(held["id"])
    editor = _open_meeting(qtbot, window, meeting["id"])
    titles = [editor.tabs.tabText(i) for i in range(editor.tabs.count())]
    assert "分组讨论" in titles and "会中意见建议" in titles
    assert _fits(editor)
    tab = editor.discussions
    rooms = tab.data["discussion_rooms"]
    groups = tab.data["refs"]["groups"]
    assert len(rooms) >= 3
    answers = iter([{"group_id": groups[0][0], "room_id": rooms[1][0], "start_time": "14:30", "end_time": "16:30",
                     "convener_id": None, "points": "讨论工作报告"},
                    {"group_id": groups[1][0], "room_id": rooms[1][0], "start_time": "15:00", "end_time": "16:00",
                     "convener_id": None, "points": ""}])
    monkeypatch.setattr("ui.meeting.discussions_tab.ask", lambda *a, **k: next(answers))
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda parent, title, text: shown.append(text))
    tab.add()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=5000)
    assert tab.table.item(0, 1).text() == rooms[1][1] and tab.table.item(0, 4).text() == "讨论工作报告"
    tab.add()  # the same room at overlapping hours
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "一间会议室同一时间只能安排一处" in shown[0] and tab.table.rowCount() == 1


def test_the_meeting_window_adds_and_links_opinions_raised_there(qtbot, window, monkeypatch):
    store = store_of(window)
    meeting = store.rows("SELECT * FROM meetings WHERE kind = 'group_activity' AND status = 'held' AND deleted = 0"
                         " ORDER BY date DESC LIMIT 1")[0]
    # one opinion in the ledger since that meeting, raised nowhere yet (whatever day the demo was made on)
    store.opinions.create({"source": "grid_visit", "received_on": meeting["date"], "title": "小区路灯不亮"})
    editor = _open_meeting(qtbot, window, meeting["id"])
    tab = editor.raised
    before = tab.table.rowCount()
    monkeypatch.setattr("ui.meeting.raised_tab.ask",
                        lambda *a, **k: {"title": "会上提出：增设学生公交线路", "content": "", "delegate_id": None,
                                         "residents": "30"})
    tab.add()
    qtbot.waitUntil(lambda: tab.table.rowCount() == before + 1, timeout=5000)
    added = store.rows("SELECT * FROM opinions WHERE title = '会上提出：增设学生公交线路'")[0]
    assert added["raised_meeting_id"] == meeting["id"] and added["received_on"] == meeting["date"]
    linkable = tab.data["linkable"]
    assert linkable
    monkeypatch.setattr("ui.meeting.raised_tab.ask", lambda *a, **k: {"opinion_id": linkable[-1][0]})
    tab.link()
    qtbot.waitUntil(lambda: tab.table.rowCount() == before + 2, timeout=5000)
    assert store.scalar("SELECT raised_meeting_id FROM opinions WHERE id = ?", [linkable[-1][0]]) == meeting["id"]


def test_a_topics_surveys_window_records_who_went_and_fits(qtbot, window, monkeypatch):
    from ui.pages.opinions.surveys import SurveysDialog

    store = store_of(window)
    topic = store.rows("SELECT * FROM topics WHERE deleted = 0 AND status = 'deliberated' AND id NOT IN"
                       " (SELECT topic_id FROM field_surveys WHERE deleted = 0) LIMIT 1")[0]  # none recorded yet
    dialog = SurveysDialog(window.backend, topic, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    captured = {}

    def ask(parent, title, specs, values=None, refs=None, note="", ok="确定"):
        captured["people"] = next(s for s in specs if s.name == "delegates").choices
        opened = store.scalar(
            "SELECT min(e.day) FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id"
            " WHERE o.topic_id = ? AND e.kind = 'topic'", [topic["id"]]) or date.today().isoformat()
        return {"day": opened, "place": "万达广场片区", "delegates": list(captured["people"][:2]),
                "units": [], "other_units": "公交公司、区交通局", "findings": "候车学生多"}

    monkeypatch.setattr("ui.pages.opinions.surveys.ask", ask)
    dialog.add()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    assert dialog.table.item(0, 1).text() == "万达广场片区"
    assert dialog.table.item(0, 3).text() == "公交公司、区交通局"
    assert len(dialog.table.item(0, 2).text().split("、")) == 2
    assert _fits(dialog)


def test_the_grouping_view_and_a_groups_election(qtbot, window, monkeypatch):
    from ui.pages.grouping import ElectionsDialog

    page = open_page(qtbot, window, "organisation")
    page.tabs.setCurrentWidget(page.grouping)
    qtbot.waitUntil(lambda: page.grouping.model.rowCount() == 5, timeout=5000)
    row = page.grouping.model.rows[0]
    assert row["size_text"][0] in "✓⚠" and "人" in row["size_text"] and row["communities_text"]
    store = store_of(window)
    group = store.rows("SELECT id, name FROM groups WHERE deleted = 0 ORDER BY sort_order LIMIT 1")[0]
    dialog = ElectionsDialog(window.backend, group, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    assert _fits(dialog)
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda parent, title, text: shown.append(text))
    candidate = dialog.members[0][0]
    before = dialog.model.rowCount()  # the demo's own 推选 of the group's leader and deputies
    answers = iter([{"day": date.today().isoformat(), "role": "leader", "delegate_id": candidate, "members": "5",
                     "votes": "7", "result": "elected", "notes": ""},
                    {"day": date.today().isoformat(), "role": "leader", "delegate_id": candidate, "members": "5",
                     "votes": "4", "result": "elected", "notes": "", "take_office": "no"}])
    monkeypatch.setattr("ui.pages.grouping.ask", lambda *a, **k: next(answers))
    dialog.record()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "多于参加推选" in shown[0]
    dialog.record()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == before + 1, timeout=5000)
    ours = next(r for r in dialog.model.rows if r["day"] == date.today().isoformat())
    assert ours["votes"] == 4 and ours["result_label"] == "当选"
