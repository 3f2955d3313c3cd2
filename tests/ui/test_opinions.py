from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox

from app.services.opinions import OpinionFilter
from tests.conftest import DEMO_YEAR
from tests.ui.conftest import open_page, store_of, wait_idle


def opinions_area(qtbot, window):
    return open_page(qtbot, window, "opinions")


def test_ledger_loads_with_overdue_rows_in_red(qtbot, qtmodeltester, window):
    page = opinions_area(qtbot, window).list
    total = store_of(window).scalar("SELECT count(*) FROM opinions WHERE deleted = 0")  # both years'
    assert page.model.rowCount() == total > 28
    qtmodeltester.check(page.model)
    overdue = next(r for r in range(total) if page.model.row_at(r)["overdue"])
    colour = page.model.data(page.model.index(overdue, 0), Qt.ForegroundRole)
    assert colour == QColor("#c62828")


def test_search_substring_and_pinyin(qtbot, window):
    page = opinions_area(qtbot, window).list
    for query in ("公交", "gj"):
        page.search.clear()
        with qtbot.waitSignal(page.model.loaded, timeout=5000):
            if query.isascii():
                qtbot.keyClicks(page.search, query)
            else:
                page.search.setText(query)
        titles = [page.model.row_at(r)["title"] for r in range(page.model.rowCount())]
        assert any("文昌校区" in t for t in titles), query


def test_filter_by_step_and_overdue(qtbot, window):
    page = opinions_area(qtbot, window).list
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.step.setCurrentIndex(page.step.findData(1))
    assert all(page.model.row_at(r)["status"] == "collected" for r in range(page.model.rowCount()))
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.step.setCurrentIndex(0)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.overdue.setChecked(True)
    assert page.model.rowCount() == store_of(window).opinions.count(OpinionFilter(overdue=True)) > 0


def test_fast_intake_keeps_source_and_clears_the_slip(qtbot, window):
    page = opinions_area(qtbot, window).list
    before = store_of(window).opinions.count()
    page.intake()
    qtbot.waitUntil(lambda: getattr(page, "intake_dialog", None) is not None, timeout=5000)
    dialog = page.intake_dialog
    qtbot.addWidget(dialog)
    dialog.delegate.setCurrentIndex(3)
    assert dialog.grid.count() > 1  # the delegate's community's grids
    dialog.grid.setCurrentIndex(1)
    for title in ("楼道灯坏了", "垃圾桶太少"):
        dialog.title.setText(title)
        qtbot.keyClick(dialog.title, Qt.Key_Return, Qt.ControlModifier)
        qtbot.waitUntil(lambda: dialog.title.text() == "", timeout=5000)
    assert dialog.saved_count == 2 and dialog.delegate.currentIndex() == 3
    dialog.title.setText("")
    dialog.save()
    qtbot.waitUntil(lambda: "事项" in dialog.status.text(), timeout=5000)
    store = store_of(window)
    assert store.opinions.count() == before + 2
    newest = store.rows("SELECT grid_id, community_id FROM opinions WHERE title = '垃圾桶太少'")[0]
    assert newest["grid_id"] and store.grids.get(newest["grid_id"])["community_id"] == newest["community_id"]
    dialog.reject()


def test_fast_intake_takes_a_typed_name_and_keeps_an_unsaved_slip(qtbot, window, monkeypatch):
    page = opinions_area(qtbot, window).list
    page.intake()
    qtbot.waitUntil(lambda: getattr(page, "intake_dialog", None) is not None, timeout=5000)
    dialog = page.intake_dialog
    qtbot.addWidget(dialog)
    store = store_of(window)
    name, delegate_id = store.rows("SELECT name, id FROM delegates WHERE deleted = 0 ORDER BY name_pinyin LIMIT 1")[0].values()
    count = store.opinions.count()
    # a name typed, not picked from the suggestions, is that delegate
    dialog.delegate.setEditText(name)
    dialog.title.setText("路口缺少红绿灯")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.saved_count == 1, timeout=5000)
    row = store.rows("SELECT delegate_id, group_id FROM opinions WHERE title = '路口缺少红绿灯'")[0]
    assert row["delegate_id"] == delegate_id and row["group_id"]
    # a name that is no delegate's is refused, not saved without a collector
    dialog.delegate.setEditText("查无此人")
    dialog.title.setText("另一条意见")
    dialog.save()
    assert "不在议事代表名单中" in dialog.status.text()
    wait_idle(qtbot, window.backend)
    assert store.opinions.count() == count + 1
    # closing with a slip typed asks first; declining keeps it
    asked = []
    monkeypatch.setattr("ui.pages.opinions.intake.confirm", lambda *a, **k: asked.append(a[1]) or False)
    dialog.reject()
    assert asked and dialog.isVisible() and dialog.title.text() == "另一条意见"
    monkeypatch.setattr("ui.pages.opinions.intake.confirm", lambda *a, **k: True)
    dialog.reject()
    assert not dialog.isVisible()


def open_collected(qtbot, window):
    """A collected opinion opened from the list, as the clerk double-clicks it."""
    opinion = store_of(window).opinions.page(OpinionFilter(status="collected"), limit=1)[0]
    dialog = opinions_area(qtbot, window).list.open_opinion(opinion["id"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    return opinion, dialog


def test_opinion_dialog_only_offers_legal_next_steps_and_assigns(qtbot, window, monkeypatch):
    store = store_of(window)
    opinion, dialog = open_collected(qtbot, window)
    assert dialog.buttons["assign"].isEnabled() and not dialog.buttons["feedback"].isEnabled()
    assert not dialog.buttons["close"].isEnabled()
    values = {"category": "subdistrict", "lead_unit": "街道城管办", "co_units": [], "working_days": "5",
              "day": date.today().isoformat()}
    monkeypatch.setattr("ui.opinion_dialog.ask", lambda *a, **k: values)
    dialog.assign()
    qtbot.waitUntil(lambda: store.opinions.get(opinion["id"])["status"] == "assigned", timeout=5000)
    wait_idle(qtbot, window.backend)
    assert dialog.buttons["supervise"].isEnabled() and not dialog.buttons["assign"].isEnabled()
    assert "交办" in dialog.timeline.item(dialog.timeline.count() - 1).text()


def test_an_illegal_jump_is_refused_with_a_message(qtbot, window, monkeypatch):
    store = store_of(window)
    opinion, dialog = open_collected(qtbot, window)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    dialog.archive()  # the button is disabled; the core refuses the call anyway
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "反馈" in shown[0] and store.opinions.get(opinion["id"])["status"] == "collected"


def test_stats_tab_shows_the_reports_figures(qtbot, window):
    page = opinions_area(qtbot, window)
    page.tabs.setCurrentWidget(page.stats)
    wait_idle(qtbot, window.backend)
    # it opens at the year with figures: this one once it has held its meetings (the demo lives in its
    # year), else the report's; the report's year shows the report's figures
    store = store_of(window)
    assert page.stats.year.currentData() == store.summary.current_year()
    page.stats.year.setCurrentIndex(page.stats.year.findData(DEMO_YEAR))
    qtbot.waitUntil(lambda: "28 条" in page.stats.labels["collected"].text(), timeout=5000)
    assert "2 次" in page.stats.labels["plenary"].text() and "20 次" in page.stats.labels["group_activity"].text()
    # 办结率 over the assigned items, as the statistics register prints it
    o = store_of(window).opinion_stats.opinions(DEMO_YEAR)
    assert o["solved_rate"] == round(o["solved"] * 100 / o["assigned"], 1) and o["assigned"] < o["total"]
    assert f"{o['solved_rate']}%" in page.stats.labels["solved_rate"].text()
    assert len(page.stats.chart_views) == 3


def test_merge_opinions_into_a_topic(qtbot, window, monkeypatch):
    page = opinions_area(qtbot, window)
    topics = page.topics
    topics.group.setCurrentIndex(0)
    wait_idle(qtbot, window.backend)
    count = topics.pool.rowCount()
    assert count >= 2
    topics.pool_view.selectAll()
    monkeypatch.setattr("ui.pages.opinions.topics.ask", lambda *a, **k: {"title": "老城照明与停车", "summary": "",
                                                                          "day": date.today().isoformat()})
    topics.merge()
    qtbot.waitUntil(lambda: topics.pool.rowCount() == 0, timeout=5000)
    wait_idle(qtbot, window.backend)
    assert any(r["title"] == "老城照明与停车" and r["opinion_count"] == count for r in topics.topics.rows)


def test_screening_scores_show_at_once_and_undo(qtbot, window, monkeypatch):
    page = opinions_area(qtbot, window)
    topics = page.topics
    topics.group.setCurrentIndex(0)
    wait_idle(qtbot, window.backend)
    assert topics.pool.rowCount() >= 2
    before = {r["id"]: (r["urgency"], r["feasibility"]) for r in topics.pool.rows}
    topics.pool_view.selectAll()
    monkeypatch.setattr("ui.pages.opinions.topics.ask", lambda *a, **k: {"urgency": 5, "feasibility": 4})
    topics.score()
    qtbot.waitUntil(lambda: all((r["urgency"], r["feasibility"]) == (5, 4) for r in topics.pool.rows), timeout=5000)
    assert window.undo_action.isEnabled() and "筛选评分" in window.backend.undo_summary()
    window.backend.undo()
    qtbot.waitUntil(lambda: {r["id"]: (r["urgency"], r["feasibility"]) for r in topics.pool.rows} == before,
                    timeout=5000)


def test_key_a_feedback_slip_back_in(qtbot, window, monkeypatch):
    store = store_of(window)
    answered = store.opinions.page(OpinionFilter(status="answered"), limit=1)[0]
    page = opinions_area(qtbot, window).list
    monkeypatch.setattr("ui.pages.opinions.page.ask", lambda *a, **k: {"serial": answered["feedback_serial"].lower(),
                                                                "satisfaction": "基本满意", "method": "书面"})
    page.key_in_slip()
    qtbot.waitUntil(lambda: store.opinions.get(answered["id"])["status"] == "fed_back", timeout=5000)
    assert store.opinions.get(answered["id"])["satisfaction"] == "基本满意"
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr("ui.pages.opinions.page.ask", lambda *a, **k: {"serial": "HZ2099-9999", "satisfaction": "满意",
                                                                "method": "书面"})
    page.key_in_slip()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "HZ2099-9999" in shown[0]


def test_a_slip_number_two_offices_issued_asks_which_opinion(qtbot, window, monkeypatch):
    store = store_of(window)
    first, second = store.opinions.page(OpinionFilter(status="answered"), limit=2)
    with store.write("import", "来自另一办公室的同号回执") as tx:  # as a package merge would leave it
        tx.update("opinions", second["id"], {"feedback_serial": first["feedback_serial"]})
    asked = []

    def choose(parent, title, label, items, current, editable):
        asked.append((label, items))
        return next(item for item in items if item.startswith(second["title"])), True

    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getItem", choose)
    monkeypatch.setattr("ui.pages.opinions.page.ask", lambda *a, **k: {"serial": first["feedback_serial"],
                                                                "satisfaction": "满意", "method": "书面"})
    opinions_area(qtbot, window).list.key_in_slip()
    qtbot.waitUntil(lambda: store.opinions.get(second["id"])["status"] == "fed_back", timeout=5000)
    assert store.opinions.get(first["id"])["status"] == "answered"
    assert "对应 2 条意见建议" in asked[0][0] and len(asked[0][1]) == 2


def test_closing_the_opinion_window_only_closes_it(qtbot, window, monkeypatch):
    """QWidget.close() once ran the 办结归档 step (the slot shared its name)."""
    store = store_of(window)
    opinion = store.opinions.page(OpinionFilter(status="collected"), limit=1)[0]
    page = opinions_area(qtbot, window).list
    dialog = page.open_opinion(opinion["id"])
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    dialog.close()  # deleted on close: the page forgets it
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: opinion["id"] not in page.dialogs, timeout=5000)
    assert not shown and store.opinions.get(opinion["id"])["status"] == "collected"
