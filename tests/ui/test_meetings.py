from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from app.services.meetings import STEP_COLOURS, MeetingFilter
from tests.conftest import DEMO_YEAR
from tests.ui.conftest import last_week_plenary, open_page, store_of, wait_idle


def open_meeting(qtbot, window, meeting_id):
    page = open_page(qtbot, window, "meetings")
    editor = page.list.open_meeting(meeting_id)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.built, timeout=10000)
    wait_idle(qtbot, window.backend)
    return page, editor


def test_meeting_list_loads_and_passes_the_model_tester(qtbot, qtmodeltester, window):
    page = open_page(qtbot, window, "meetings")
    page.list.year.setCurrentIndex(page.list.year.findData(DEMO_YEAR))
    wait_idle(qtbot, window.backend)
    assert page.list.model.rowCount() == 2 + 20 + 120  # the report's year: plenaries, activities, reception days
    qtmodeltester.check(page.list.model)
    with qtbot.waitSignal(page.list.model.loaded, timeout=5000):
        page.list.kind.setCurrentIndex(page.list.kind.findData("plenary"))
    assert page.list.model.rowCount() == 2


def test_a_step_past_its_due_date_shows_overdue_in_the_flowchart(qtbot, window):
    store = store_of(window)
    group = store.groups.list()[0]
    soon = (date.today() + timedelta(days=5)).isoformat()
    meeting_id = store.meetings.create({"kind": "group_activity", "group_id": group["id"], "date": soon},
                                       today=date.today() - timedelta(days=30)).created("meetings")[0]  # a month ago
    _, editor = open_meeting(qtbot, window, meeting_id)
    view = editor.flowchart
    view.resize(1000, 600)
    assert view.state_of("收集商议确定议题") == "overdue"  # due 21 days before the meeting
    assert view.state_of("座谈协商") == "pending"
    box = view.box_of("收集商议确定议题")
    image = view.grab().toImage()
    stripe = image.pixelColor(int(box.x() + 3), int(box.center().y()))
    assert stripe.name() == QColor(STEP_COLOURS["overdue"]).name()


def test_clicking_a_step_ticks_it(qtbot, window, monkeypatch):
    store = store_of(window)
    meeting_id = store.meetings.page(MeetingFilter(kind="plenary"))[0]["id"]  # the next plenary, in preparation
    step = next(s["title"] for s in store.meetings.steps(meeting_id) if not s["done_on"])  # its first open step
    _, editor = open_meeting(qtbot, window, meeting_id)
    editor.tabs.setCurrentWidget(editor.flowchart)
    editor.flowchart.resize(1000, 700)
    box = editor.flowchart.box_of(step)
    monkeypatch.setattr("ui.meeting_editor.StepDialog.exec", lambda dialog: QDialog.Accepted)
    qtbot.mouseClick(editor.flowchart, Qt.LeftButton, pos=box.center().toPoint())
    qtbot.waitUntil(lambda: editor.flowchart.state_of(step) == "done", timeout=5000)
    assert "已保存" in editor.message.text()


def test_attendance_updates_the_quorum_live_and_saves(qtbot, window):
    store = store_of(window)
    meeting_id = last_week_plenary(store)
    _, editor = open_meeting(qtbot, window, meeting_id)
    assert "尚未达到法定人数" in editor.attendance.quorum_label.text()
    for row in range(35):
        box = editor.attendance.sheet.cellWidget(row, 2)
        box.setCurrentIndex(box.findData("present"))
    assert "已登记出席 35 人" in editor.attendance.quorum_label.text() and "尚未" in editor.attendance.quorum_label.text()
    box = editor.attendance.sheet.cellWidget(35, 2)
    box.setCurrentIndex(box.findData("present"))
    assert "已达到法定人数" in editor.attendance.quorum_label.text()
    editor.attendance.save()
    wait_idle(qtbot, window.backend)
    assert store.attendance.quorum(meeting_id)["present"] == 36


def test_a_meeting_without_a_sign_in_list_takes_its_figures_in_the_window(qtbot, window, monkeypatch):
    store = store_of(window)
    meeting_id = last_week_plenary(store)
    _, editor = open_meeting(qtbot, window, meeting_id)
    asked: list = []

    def answer(parent, title, specs, values=None, **kwargs):
        asked.append((title, [s.label for s in specs], dict(values or {})))
        return {"count_expected": "70", "count_present": "52", "count_excused": "6", "count_absent": "12",
                "count_guests": ""}

    monkeypatch.setattr("ui.meeting.attendance_tab.ask", answer)
    button = next(b for b in editor.attendance.findChildren(QPushButton) if b.text() == "只登记人数…")
    button.click()
    wait_idle(qtbot, window.backend)
    assert asked[0][:2] == ("登记出席人数", ["应到人数", "出席人数", "请假人数", "缺席人数", "列席人数"])
    qtbot.waitUntil(lambda: "按登记的人数" in editor.attendance.quorum_label.text(), timeout=5000)
    assert "应到 70 人，出席 52 人，请假 6 人，缺席 12 人" in editor.attendance.quorum_label.text()
    assert store.attendance.quorum(meeting_id) == {"total": 70, "present": 52, "required": 36, "met": True}
    assert store.meetings.get(meeting_id)["status"] == "held"
    assert window.backend.undo_summary() == "登记出席人数"
    button.click()  # the dialog opens on the figures as recorded
    wait_idle(qtbot, window.backend)
    assert asked[1][2] == {"count_expected": 70, "count_present": 52, "count_excused": 6, "count_absent": 12}


def test_a_vote_above_those_present_is_refused(qtbot, window, monkeypatch):
    store = store_of(window)
    meeting_id = last_week_plenary(store)
    _, editor = open_meeting(qtbot, window, meeting_id)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    editor.tabs.setCurrentIndex(editor.tabs.count() - 2)
    editor.votes.item.setText("社区食堂")
    editor.votes.counts[0].setValue(10)
    editor.votes.record()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "超过了出席代表人数 0 人" in shown[0]
    assert store.attendance.votes(meeting_id) == []


def test_double_booking_asks_before_saving(qtbot, window, monkeypatch):
    store = store_of(window)
    plenary = store.meetings.page(MeetingFilter(kind="plenary"))[0]
    other = store.meetings.create({"kind": "special", "date": plenary["date"], "start_time": "14:00",
                                   "end_time": "16:00", "room_id": plenary["room_id"]}).created("meetings")[0]
    _, editor = open_meeting(qtbot, window, other)
    asked = []
    monkeypatch.setattr("ui.meeting_editor.confirm", lambda *a, **k: asked.append(a[2]) or False)
    editor.details.editors["start_time"].widget.setText("10:00")
    editor.details.editors["end_time"].widget.setText("11:00")
    editor.details.save()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    wait_idle(qtbot, window.backend)
    assert "会议室已被占用" in asked[0]
    assert store.meetings.get(other)["start_time"] == "14:00"  # declined: unchanged
    monkeypatch.setattr("ui.meeting_editor.confirm", lambda *a, **k: True)
    editor.details.save()
    qtbot.waitUntil(lambda: store.meetings.get(other)["start_time"] == "10:00", timeout=5000)


def test_new_meeting_opens_its_editor(qtbot, window):
    page = open_page(qtbot, window, "meetings")
    page.list.add()
    qtbot.waitUntil(lambda: getattr(page.list, "new_dialog", None) is not None, timeout=5000)
    dialog = page.list.new_dialog
    kind = dialog.editors["kind"].widget
    kind.setCurrentIndex(kind.findData("special"))
    dialog.editors["title"].widget.setText("加装电梯专题议事")
    dialog.editors["date"].widget.setText("2027-01-15")
    dialog.editors["date"].widget.setText("2027-02-30")
    assert "不是有效日期" in dialog.editors["date"].message.text()
    dialog.editors["date"].widget.setText("2027-01-15")
    dialog._save()
    qtbot.waitUntil(lambda: any((e.data or {}).get("meeting", {}).get("title") == "加装电梯专题议事"
                                for e in page.list.editors.values()), timeout=10000)
    for editor in page.list.editors.values():
        qtbot.addWidget(editor)


def test_overview_lists_overdue_steps(qtbot, window):
    store = store_of(window)
    group = store.groups.list()[1]
    store.meetings.create({"kind": "group_activity", "group_id": group["id"],
                           "date": (date.today() + timedelta(days=3)).isoformat()},
                          today=date.today() - timedelta(days=30))  # planned a month ago
    overview = open_page(qtbot, window, "overview")
    overview.reload()
    wait_idle(qtbot, window.backend)
    texts = [overview.attention.item(i).text() for i in range(overview.attention.count())]
    assert any(t.startswith("【已逾期】") and "收集商议确定议题" in t for t in texts)


def test_print_preview_of_the_minutes(qtbot, window, monkeypatch):
    from ui.pdf_preview import PdfPreview

    store = store_of(window)
    meeting_id = store.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]["id"]
    _, editor = open_meeting(qtbot, window, meeting_id)
    held_on = store.meetings.get(meeting_id)["date"]
    next_day = (date.fromisoformat(held_on) + timedelta(days=1)).isoformat()
    asked = []
    # the clerk is asked for the 成文日期 (the meeting's date filled in) and gives the next day
    monkeypatch.setattr("ui.pdf_preview.ask", lambda parent, title, specs, values, **k: asked.append(values)
                        or {"dated_on": next_day})
    editor.preview("minutes", "会议纪要")
    qtbot.waitUntil(lambda: isinstance(getattr(editor, "_preview", None), PdfPreview), timeout=10000)
    preview = editor._preview
    assert preview.document.pageCount() >= 2
    assert preview.windowTitle().endswith("会议纪要")
    last = store.rows("SELECT summary FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")[0]
    assert "会议纪要" in last["summary"]
    assert asked == [{"dated_on": held_on, "doc_number": ""}]
    assert store.issued_docs.find("minutes", meeting_id)["dated_on"] == next_day  # kept with the meeting
    preview.reject()


def test_the_preview_of_a_brief_says_which_photo_was_left_out(qtbot, window, monkeypatch):
    """A kept photo file deleted behind the program's back: the brief still opens in the preview,
    which says above the pages which photo is not in it."""
    from app.storage import attachments
    from ui.pdf_preview import PdfPreview

    store = store_of(window)
    meeting_id = store.meetings.page(MeetingFilter(search="定制公交"), limit=None)[0]["id"]
    photo = store.meetings.materials(meeting_id)[0]
    attachments.stored_path(store, photo).unlink()
    _, editor = open_meeting(qtbot, window, meeting_id)
    dated = max(r["taken_on"] for r in store.meetings.materials(meeting_id) if r.get("taken_on"))
    monkeypatch.setattr("ui.pdf_preview.ask", lambda *a, **k: {"dated_on": dated})  # all its photos in it
    editor.preview("brief", "工作简报")
    qtbot.waitUntil(lambda: isinstance(getattr(editor, "_preview", None), PdfPreview), timeout=10000)
    preview = editor._preview
    assert preview.document.pageCount() >= 1
    assert preview.notes.isVisible()
    assert preview.notes.text() == f"⚠ 照片“{photo['title']}”（{photo['file_name']}）的文件已找不到，工作简报中没有放这张照片"
    preview.reject()


def test_minutes_of_a_meeting_not_held_are_a_draft(qtbot, window, monkeypatch, tmp_path):
    from ui.pdf_preview import PdfPreview

    store = store_of(window)
    planned = store.meetings.page(MeetingFilter(kind="plenary", descending=True))[0]
    assert planned["status"] == "planned"
    _, editor = open_meeting(qtbot, window, planned["id"])
    notes = []
    monkeypatch.setattr("ui.pdf_preview.ask", lambda *a, **k: notes.append(k["note"]) or {"dated_on": planned["date"]})
    editor.preview("minutes", "会议纪要")
    qtbot.waitUntil(lambda: isinstance(getattr(editor, "_preview", None), PdfPreview), timeout=10000)
    assert "草稿" in notes[0]
    last = store.rows("SELECT summary FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")[0]
    assert "（草稿）" in last["summary"]
    editor._preview.reject()


def test_edit_a_template_and_new_meetings_follow_it(qtbot, window):
    page = open_page(qtbot, window, "meetings")
    templates = page.templates
    templates.kind.setCurrentIndex(templates.kind.findData("special"))
    wait_idle(qtbot, window.backend)
    before = templates.model.rowCount()
    templates.add()
    qtbot.waitUntil(lambda: getattr(templates, "dialog", None) is not None and templates.dialog.isVisible(),
                    timeout=5000)
    dialog = templates.dialog
    dialog.editors["title"].widget.setText("征求居民意见")
    dialog.editors["due_offset"].widget.setText("-10")
    dialog._save()
    qtbot.waitUntil(lambda: templates.model.rowCount() == before + 1, timeout=5000)
    store = store_of(window)
    meeting_id = store.meetings.create({"kind": "special", "date": "2027-03-01"}).created("meetings")[0]
    steps = {s["title"]: s["due_date"] for s in store.meetings.steps(meeting_id)}
    assert steps["征求居民意见"] == "2027-02-19"
