"""The work between meetings from the window: a visit sheet keyed in, the group's steps on a
topic, and an action item followed up — each undoable, each refreshing what shows it."""

from datetime import date

from PySide6.QtWidgets import QTableWidgetItem

from app.services.visits import VisitFilter
from tests.conftest import new_reception_matters
from tests.ui.conftest import open_page, store_of, wait_idle


def test_a_paper_visit_sheet_keyed_in_shows_on_the_board_and_undoes(qtbot, window):
    roster = open_page(qtbot, window, "roster")
    roster.tabs.setCurrentWidget(roster.visits)
    tab = roster.visits
    wait_idle(qtbot, window.backend)
    store = store_of(window)
    month = date.today().isoformat()[:7]
    person = next(p for p in tab.people if not p["months"][month]["visits"])  # not visited this month
    row_of = next(r for r in range(tab.board.rowCount()) if tab.board.item(r, 0).text() == person["name"])
    column = 3 + tab.months.index(month)
    assert tab.board.item(row_of, column).text() == "未走访"
    assert person["name"] in tab.summary.text()

    tab.enter_sheet()
    qtbot.waitUntil(lambda: getattr(tab, "sheet", None) is not None, timeout=5000)
    sheet = tab.sheet
    qtbot.addWidget(sheet)
    sheet.delegate.setCurrentIndex(sheet.delegate.findData(person["id"]))
    assert sheet.table.cellWidget(0, 1).currentData() in store.delegates.grid_ids(person["id"])  # own grids first
    for column_, text in enumerate(["1", None, "12", "反映楼道灯不亮", "楼道灯损坏；单元门禁故障"]):
        if text is not None:
            sheet.table.setItem(0, column_, QTableWidgetItem(text))
    sheet.table.setItem(1, 0, QTableWidgetItem("2026-02-30"))  # a slip of the pen: refused, nothing saved
    sheet.save()
    qtbot.waitUntil(lambda: "第 2 行" in sheet.error.text(), timeout=5000)
    assert not store.visits.list(VisitFilter(month=month, delegate_id=person["id"]))
    sheet.table.setItem(1, 0, QTableWidgetItem(""))
    sheet.save()
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=5000)
    wait_idle(qtbot, window.backend)
    visits = store.visits.list(VisitFilter(month=month, delegate_id=person["id"]))
    assert len(visits) == 1 and visits[0]["day"] == f"{month}-01" and visits[0]["opinion_count"] == 2
    qtbot.waitUntil(lambda: tab.board.item(row_of, column).text() != "未走访", timeout=5000)
    assert "登记网格走访" in window.backend.undo_summary()
    window.undo()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: tab.board.item(row_of, column).text() == "未走访", timeout=5000)
    assert not store.visits.list(VisitFilter(month=month, delegate_id=person["id"]))


def test_the_group_steps_on_a_topic_from_the_topics_tab(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "opinions")
    store = store_of(window)
    opinion = store.rows("SELECT id, group_id, title FROM opinions WHERE status = 'collected' AND deleted = 0"
                         " AND reported_on IS NULL LIMIT 1")[0]
    # 上报组长 from the opinion's window: the group's leader unless another is chosen
    dialog = page.list.open_opinion(opinion["id"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and dialog.buttons["report"].isEnabled(), timeout=5000)
    monkeypatch.setattr("ui.opinion_dialog.ask", lambda *a, **k: {"day": date.today().isoformat(), "leader_id": None})
    dialog.buttons["report"].click()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: not dialog.buttons["report"].isEnabled(), timeout=5000)
    leader = store.opinions.leader_of(opinion["group_id"])
    assert store.opinions.get(opinion["id"])["reported_to"] == leader["id"]
    assert f"已上报组长{leader['name']}" in dialog.state.text()
    store.topics.create({"title": "测试议题", "group_id": opinion["group_id"]}, [opinion["id"]])
    topics = page.topics
    page.tabs.setCurrentWidget(topics)
    topics.group.setCurrentIndex(topics.group.findData(opinion["group_id"]))
    topics.reload_lists()
    wait_idle(qtbot, window.backend)
    row = next(r for r in range(topics.topics.rowCount()) if topics.topics.row_at(r)["title"] == "测试议题")
    topics.topics_view.selectRow(row)
    topics._with_topic(__import__("ui.pages.opinions.group_steps", fromlist=["consult"]).consult)
    qtbot.waitUntil(lambda: getattr(topics, "consult_dialog", None) is not None, timeout=5000)
    dialog = topics.consult_dialog
    qtbot.addWidget(dialog)
    for r in range(dialog.table.rowCount()):
        box = dialog.table.cellWidget(r, 2)
        box.setCurrentIndex(box.findData("同意"))
    dialog.table.cellWidget(0, 2).setCurrentIndex(dialog.table.cellWidget(0, 2).findData("不同意"))
    dialog.save()
    qtbot.waitUntil(lambda: "请写明具体意见" in dialog.error.text(), timeout=5000)
    dialog.table.setItem(0, 3, QTableWidgetItem("应先征求居民意见"))
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    wait_idle(qtbot, window.backend)
    members = dialog.table.rowCount()
    qtbot.waitUntil(lambda: any(topics.topics.row_at(r)["consulted"] == f"{members} 人，同意 {members - 1}"
                                for r in range(topics.topics.rowCount())), timeout=5000)
    assert "征求小组代表意见" in window.backend.undo_summary()

    previewed = []
    monkeypatch.setattr("ui.pages.opinions.group_steps.ask",
                        lambda parent, title, specs, values, **k: {**values, "place": "议事厅", "meeting_id": None})
    monkeypatch.setattr("ui.pages.opinions.group_steps.preview_doc", lambda *a, **k: previewed.append(a[2:4]))
    topics.topics_view.selectRow(row)
    topics._with_topic(__import__("ui.pages.opinions.group_steps", fromlist=["edit_plan"]).edit_plan)
    qtbot.waitUntil(lambda: bool(previewed), timeout=5000)
    plan = store.plans.for_opinion(opinion["id"])
    assert previewed == [("plan", plan["id"])] and plan["place"] == "议事厅"
    labels = [e["label"] for e in store.opinions.timeline(opinion["id"])]
    assert labels == ["收集", "上报组长", "列入议题", "征求小组代表意见", "制定议事方案"]


def test_action_item_follow_up_is_recorded_shown_and_undone(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "opinions")
    tab = page.follow_up
    page.tabs.setCurrentWidget(tab)
    wait_idle(qtbot, window.backend)
    store = store_of(window)
    # one of the minutes' own (an item taken into the ledger follows its opinion instead)
    overdue = [r for r in range(tab.model.rowCount()) if tab.model.rows[r]["overdue"]
               and not tab.model.rows[r]["in_ledger"]]
    assert overdue and tab.model.rows[overdue[0]]["status_label"] == "逾期"
    item = tab.model.rows[overdue[0]]
    tab.view.selectRow(overdue[0])
    today = date.today().isoformat()
    monkeypatch.setattr("ui.pages.opinions.actions.ask", lambda *a, **k: {"day": today, "note": "已开工"})
    tab.complete()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: next(r for r in tab.model.rows if r["id"] == item["id"])["status_label"] == "已完成",
                    timeout=5000)
    assert store.action_items.detail(item["id"])["done_on"] == today
    assert "落实事项完成" in window.backend.undo_summary()
    window.undo()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: next(r for r in tab.model.rows if r["id"] == item["id"])["status_label"] == "逾期",
                    timeout=5000)
    overview = open_page(qtbot, window, "overview")
    texts = [overview.attention.item(i).text() for i in range(overview.attention.count())]
    assert any(t.startswith("【落实事项逾期】") and item["content"] in t for t in texts)


def test_reception_matters_answered_on_the_spot_leave_the_import_list(qtbot, window, monkeypatch):
    from PySide6.QtCore import Qt

    from ui.pages.opinions.intake import ImportDialog

    open_page(qtbot, window, "opinions")
    store = store_of(window)
    new_reception_matters(store, "雨天路面积水", "垃圾清运不及时", "绿化带被毁种菜")
    pending = store.opinions.pending_intake()
    dialog = ImportDialog(window.backend, pending, window)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == len(pending)
    for row in range(2):
        dialog.list.item(row).setCheckState(Qt.Checked)
    monkeypatch.setattr("ui.form_dialog.ask", lambda *a, **k: {"reason": "当场答复"})
    dialog.close_matters()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: dialog.list.count() == len(pending) - 2, timeout=5000)
    assert len(store.opinions.pending_intake()) == len(pending) - 2
    assert "接待事项办结" in window.backend.undo_summary()


def test_choosing_a_month_on_the_board_shows_that_months_visits(qtbot, window):
    roster = open_page(qtbot, window, "roster")
    tab = roster.visits
    roster.tabs.setCurrentWidget(tab)
    wait_idle(qtbot, window.backend)
    month = tab.months[0]
    tab.board.setCurrentCell(0, 3)
    qtbot.waitUntil(lambda: tab.month == month, timeout=5000)
    store = store_of(window)
    assert tab.log.rowCount() == len(store.visits.list(VisitFilter(month=month)))
    assert f"{int(month[5:])}月的走访记录" in tab.log_label.text()


def test_on_the_demo_nothing_waits_to_be_taken_in(qtbot, window, monkeypatch):
    """Every reception matter of the demo is in the ledger or closed with how it was dealt with."""
    page = open_page(qtbot, window, "opinions")
    told = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda parent, title, text: told.append(text))
    page.list.import_pending()
    qtbot.waitUntil(lambda: bool(told), timeout=5000)
    assert told[0].startswith("没有等待登记的事项")
