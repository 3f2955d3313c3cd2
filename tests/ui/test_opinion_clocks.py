"""Clocks on every step of the opinion chain and 按期办结, through the window (issue 25, items 1, 6)."""

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton

from tests.ui.conftest import open_page, store_of, wait_idle


def _late_unreported(store) -> str:
    """An opinion collected a month ago and never reported to the group leader."""
    delegate = store.rows("SELECT id FROM delegates WHERE deleted = 0 AND status = 'active' ORDER BY id LIMIT 1")[0]
    day = (date.today() - timedelta(days=30)).isoformat()
    return store.opinions.create({"source": "grid_visit", "received_on": day, "delegate_id": delegate["id"],
                                  "title": "楼道堆物无人清理"}).created("opinions")[0]


def test_the_ledger_shows_each_steps_due_day_lateness_and_on_time(qtbot, window):
    store = store_of(window)
    window.backend.op(lambda s: _late_unreported(s), summary="登记")
    wait_idle(qtbot, window.backend)
    page = open_page(qtbot, window, "opinions").list
    headers = [page.model.headerData(c, Qt.Horizontal, Qt.DisplayRole) for c in range(page.model.columnCount())]
    assert "本环节期限" in headers and "按期办结" in headers
    qtbot.waitUntil(lambda: any(page.model.row_at(r)["title"] == "楼道堆物无人清理"
                                for r in range(page.model.rowCount())), timeout=5000)
    rows = {page.model.row_at(r)["title"]: r for r in range(page.model.rowCount())}
    late = page.model.row_at(rows["楼道堆物无人清理"])
    assert late["flag"] == "上报逾期" and late["step_due"] < date.today().isoformat()
    due = page.model.data(page.model.index(rows["楼道堆物无人清理"], headers.index("本环节期限")), Qt.DisplayRole)
    assert due == late["step_due"]
    assert page.model.data(page.model.index(rows["楼道堆物无人清理"], 0), Qt.ForegroundRole) == QColor("#c62828")
    # the bus item: on time or not, as its answer and its deadline say
    bus = next(r for title, r in rows.items() if "文昌校区" in title)
    bus_row = store.rows("SELECT answered_on, deadline FROM opinions WHERE title LIKE '%文昌校区%'")[0]
    label = "按期办结" if bus_row["answered_on"] <= bus_row["deadline"] else "逾期办结"
    assert page.model.data(page.model.index(bus, headers.index("按期办结")), Qt.DisplayRole) == label
    answered = [page.model.row_at(r) for r in range(page.model.rowCount()) if page.model.row_at(r)["on_time"]]
    assert answered and all(r["on_time_label"] == "按期办结" for r in answered)
    assert store.opinions.count() == page.model.rowCount()


def test_the_opinion_window_shows_the_due_step_and_every_steps_clock(qtbot, window):
    from ui.opinion_dialog import OpinionDialog

    store = store_of(window)
    opinion = _late_unreported(store)
    dialog = OpinionDialog(window.backend, opinion, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    row = store.opinions.detail(opinion)
    assert "【上报逾期】" in dialog.state.text() and f"应于 {row['step_due']} 前上报组长" in dialog.state.text()
    assert "c62828" in dialog.state.styleSheet()
    lines = [dialog.clocks.item(i).text() for i in range(dialog.clocks.count())]
    assert lines == [f"上报组长：应于 {row['step_due']} 前，尚未完成　【超过时限】"]
    dialog.close()
    bus = store.rows("SELECT id, deadline, answered_on FROM opinions WHERE title LIKE '%文昌校区%'")[0]
    dialog = OpinionDialog(window.backend, bus["id"], window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    label = "按期办结" if bus["answered_on"] <= bus["deadline"] else "逾期办结"
    assert f"{label}（期限 {bus['deadline']}，{bus['answered_on']} 办结）" in dialog.state.text()
    lines = [dialog.clocks.item(i).text() for i in range(dialog.clocks.count())]
    late = "【超过时限】" if bus["answered_on"] > bus["deadline"] else "按时"
    assert f"办结：应于 {bus['deadline']} 前，{bus['answered_on']} 完成　{late}" in lines


def test_settings_take_the_limits_and_refuse_one_that_is_not_whole_days(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "settings")
    store = store_of(window)
    assert page.edits["report_working_days"].placeholderText().startswith("不填为 5 个工作日")
    refused = []
    monkeypatch.setattr("ui.pages.settings.show_refusal", lambda parent, error: refused.append(str(error)))
    for text in ("0", "2.5", "两天"):
        page.edits["approval_working_days"].setText(text)
        page.save()
        wait_idle(qtbot, window.backend)
        assert refused[-1].startswith("“工委审核”时限应为 1—60 个工作日的整数"), text
    assert len(refused) == 3 and store.settings.get("approval_working_days") == ""
    page.edits["approval_working_days"].setText("8")
    page.findChild(QPushButton, "save_limits").click()  # the box's own button
    wait_idle(qtbot, window.backend)
    assert len(refused) == 3 and store.settings.get("approval_working_days") == "8"
    assert store.opinion_stats.opinions()["limits"]["approval"] == 8


def test_overview_lists_late_items_step_by_step(qtbot, window):
    overview = open_page(qtbot, window, "overview")
    texts = [overview.attention.item(i).text() for i in range(overview.attention.count())]
    store = store_of(window)
    groups = store.opinions.late_by_step()
    for group in groups:
        if group["key"] in ("feedback", "answer"):
            continue
        lines = [t for t in texts if t.startswith(f"【{group['label']}逾期】")]
        assert len(lines) == group["total"] and all(f"前{group['label']}）" in t for t in lines)
    late = {g["key"] for g in groups}
    assert {"report", "topic", "approval"} <= late  # the demo's items waiting past their limits
    # in the chain's order: 上报组长 before 确定议题 before 工委审核 before 交办
    first = [next(i for i, t in enumerate(texts) if t.startswith(f"【{label}逾期】"))
             for label in ("上报组长", "确定议题", "工委审核")]
    assert first == sorted(first)


def test_the_statistics_tab_shows_the_on_time_rate_and_late_steps(qtbot, window):
    from tests.conftest import DEMO_YEAR

    area = open_page(qtbot, window, "opinions")
    tab = area.stats
    area.tabs.setCurrentWidget(tab)
    tab.year.setCurrentIndex(tab.year.findData(DEMO_YEAR))
    wait_idle(qtbot, window.backend)
    o = store_of(window).opinion_stats.opinions(DEMO_YEAR)
    qtbot.waitUntil(lambda: f"{o['on_time_rate']}%" in tab.labels["on_time_rate"].text(), timeout=5000)
    assert f"{o['late_steps']['report']} 条" in tab.labels["late_report"].text()
    assert "上报组长超时" in tab.labels["late_report"].text()
