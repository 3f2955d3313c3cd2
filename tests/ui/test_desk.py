"""The desk answers: 概览's items open their record, flowchart steps close themselves when the work
is recorded, 今日提醒 on opening (and off again), a new office's first steps."""

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui.conftest import open_page, open_window, store_of, wait_idle


def _items(overview):
    return [overview.attention.item(i) for i in range(overview.attention.count())]


def _reloaded_overview(qtbot, window):
    overview = open_page(qtbot, window, "overview")
    overview.reload()
    wait_idle(qtbot, window.backend)
    return overview


def _group_activity(store, days_ahead: int, group_index: int = 1) -> str:
    group = store.groups.list()[group_index]
    return store.meetings.create({"kind": "group_activity", "group_id": group["id"],
                                  "date": (date.today() + timedelta(days=days_ahead)).isoformat()},
                                 today=date.today() - timedelta(days=30)).created("meetings")[0]  # planned a month ago


def test_an_overview_item_opens_its_record(qtbot, window):
    store = store_of(window)
    meeting_id = _group_activity(store, 3)
    overview = _reloaded_overview(qtbot, window)
    line = next(i for i in _items(overview) if i.text().startswith("【已逾期】") and "收集商议确定议题" in i.text()
                and i.data(Qt.UserRole)["id"] == meeting_id)
    overview.attention.setFocus()
    overview.attention.setCurrentItem(line)
    qtbot.keyClick(overview.attention, Qt.Key_Return)  # Enter opens it
    wait_idle(qtbot, window.backend)
    assert window.current_area() == "meetings"
    editor = window.page("meetings").list.editors[meeting_id]
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.built, timeout=10000)
    assert editor.isVisible() and editor.meeting_id == meeting_id

    # an opinion, by double-click
    window.show_page("overview")
    opinion_line = next(i for i in _items(overview) if i.data(Qt.UserRole) and i.data(Qt.UserRole)["kind"] == "opinion")
    overview.attention.scrollToItem(opinion_line)
    rect = overview.attention.visualItemRect(opinion_line)
    qtbot.mouseClick(overview.attention.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(overview.attention.viewport(), Qt.LeftButton, pos=rect.center())
    wait_idle(qtbot, window.backend)
    assert window.current_area() == "opinions"
    dialogs = window.page("opinions").list.dialogs
    opinion_id = opinion_line.data(Qt.UserRole)["id"]
    assert opinion_id in dialogs and dialogs[opinion_id].isVisible()
    qtbot.addWidget(dialogs[opinion_id])


def test_a_flowchart_step_closes_itself_when_the_minutes_are_saved(qtbot, window):
    store = store_of(window)
    meeting_id = _group_activity(store, -3, group_index=2)
    page = open_page(qtbot, window, "meetings")
    editor = page.list.open_meeting(meeting_id)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.built, timeout=10000)
    wait_idle(qtbot, window.backend)
    assert editor.flowchart.state_of("形成议事纪要") == "overdue"
    late = lambda: [i.text() for i in _items(_reloaded_overview(qtbot, window))
                    if i.text().startswith("【已逾期】") and (i.data(Qt.UserRole) or {}).get("id") == meeting_id]
    assert any("形成议事纪要" in t for t in late())

    # the minutes written in the 会议纪要 tab and saved as the clerk does: the step closes itself
    editor.tabs.setCurrentWidget(editor.minutes)
    editor.minutes.summary.setPlainText("围绕小区停车难开展座谈协商")
    save = next(b for b in editor.minutes.findChildren(QPushButton) if b.text() == "保存纪要")
    qtbot.mouseClick(save, Qt.LeftButton)
    qtbot.waitUntil(lambda: editor.flowchart.state_of("形成议事纪要") == "done", timeout=10000)
    step = next(s for s in editor.flowchart.steps if s["title"] == "形成议事纪要")
    assert step["done_by"] == "已保存会议纪要"
    assert editor.flowchart.state_of("实地走访调研") == "overdue"  # no survey recorded for its topic
    assert not any("形成议事纪要" in t for t in late())  # the reminder is gone, nothing recorded twice
    assert any("实地走访调研" in t for t in late())


def test_the_reminder_panel_shows_on_opening_and_can_be_turned_off(qtbot, backend):
    from ui import reminders

    reminders.set_on_start(True)
    window = open_window(qtbot, backend)
    qtbot.waitUntil(lambda: getattr(window, "reminder_panel", None) is not None, timeout=10000)
    panel = window.reminder_panel
    assert panel.isVisible() and panel.windowTitle() == "今日提醒"
    heads = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert any(h.startswith("已逾期") for h in heads) and any(h.startswith("本周到期") for h in heads)
    assert panel.frameGeometry().height() <= 728
    # a line opens its record
    line = next(t for t in panel.lines() if t.startswith("【意见办理逾期】"))
    panel.open_item(panel.item_of(line))
    wait_idle(qtbot, backend)
    assert window.current_area() == "opinions" and window.page("opinions").list.dialogs
    for dialog in list(window.page("opinions").list.dialogs.values()):
        qtbot.addWidget(dialog)
    window.reminder_panel = None
    window.reload_all()  # the store reloaded (after a restore): the panel does not come back
    wait_idle(qtbot, backend)
    assert window.reminder_panel is None

    # 「启动时不再显示」: the next opening shows nothing
    reminders.show_reminders(window, backend)
    wait_idle(qtbot, backend)
    shown = window.reminder_panel
    shown.on_start.setChecked(True)
    assert not reminders.on_start_wanted()
    shown.accept()
    second = open_window(qtbot, backend)
    wait_idle(qtbot, backend)
    qtbot.wait(100)
    assert getattr(second, "reminder_panel", None) is None
    # and 概览's 「今日提醒…」 shows it again, the box remembering the choice
    overview = second.page("overview")
    button = next(b for b in overview.findChildren(QPushButton) if b.text() == "今日提醒…")
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(overview, "reminder_panel", None) is not None, timeout=10000)
    assert overview.reminder_panel.on_start.isChecked()


def test_an_empty_office_shows_first_steps_not_warnings(qtbot, tmp_path, ui_font):
    from ui.backend import Backend
    from ui.window import MainWindow

    backend = Backend()
    opened = []
    backend.open_store(str(tmp_path / "new"), opened.append, opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    try:
        window = MainWindow(backend)
        qtbot.addWidget(window)
        window.show()
        window.reload_all()
        wait_idle(qtbot, backend)
        overview = open_page(qtbot, window, "overview")
        qtbot.waitUntil(lambda: overview.attention.count() > 1, timeout=10000)
        texts = [i.text() for i in _items(overview)]
        # the books brought in have their panel above (村社区和网格, 阵地, 花名册...): not listed twice
        assert [t.split("（")[0] for t in texts if t.startswith("【开始使用】")] == [
            "【开始使用】1. 设置单位名称", "【开始使用】2. 建立议事小组", "【开始使用】3. 安排第一次会议"]
        assert overview.start.isVisible() and "代表花名册" in [s["title"] for s in overview.start.steps]
        assert not any(t.startswith(("【未召开】", "【本期待开】")) for t in texts)
        assert "开始使用" in overview.attention_label.text()
        groups = next(i for i in _items(overview) if "建立议事小组" in i.text())
        overview.open_item(groups)
        wait_idle(qtbot, backend)
        assert window.current_area() == "organisation"
    finally:
        backend.shutdown()


def test_a_grid_line_selects_its_grid(qtbot, window):
    from ui.navigate import open_target

    store = store_of(window)
    grid = store.rows("SELECT id FROM grids WHERE deleted = 0 ORDER BY id DESC LIMIT 1")[0]["id"]
    page = window.page("organisation")
    page.grids.community.setCurrentIndex(1)  # another community's grids on screen
    wait_idle(qtbot, window.backend)
    open_target(window.page("overview"), {"area": "organisation", "kind": "grid", "id": grid})
    wait_idle(qtbot, window.backend)
    assert window.current_area() == "organisation" and page.tabs.currentWidget() is page.grids
    qtbot.waitUntil(lambda: (page.grids.current() or {}).get("id") == grid, timeout=10000)
