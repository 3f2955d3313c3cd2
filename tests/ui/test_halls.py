"""Issue 25 items 2, 7, 9 in the window: the rota by month or quarter, edited per hall and refused
when a delegate would be at two halls at once; its 值班表 and the residents' notice one click away;
the grid worker and the venue's build status in their pages and forms, refused as the core refuses."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QWidget

from app.services.receptions import period_months
from tests.ui.conftest import open_page, store_of, wait_idle


def duty_tab(qtbot, window, period: str):
    page = open_page(qtbot, window, "meetings")
    page.tabs.setCurrentWidget(page.duty)
    tab = page.duty
    index = tab.month.findData(period)
    if index != tab.month.currentIndex():
        with qtbot.waitSignal(tab.model.modelReset, timeout=10000):
            tab.month.setCurrentIndex(index)
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=10000)
    return tab


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_the_rota_of_a_quarter_is_set_per_hall_from_the_window(qtbot, window, monkeypatch):
    ahead = _quarter(date.today() + timedelta(days=200))  # a quarter with no reception day yet
    tab = duty_tab(qtbot, window, ahead)
    assert tab.model.rowCount() == 10 * 3  # each hall, each month of the quarter
    tab.view.selectRow(0)
    hall = tab.model.row_at(0)
    store = store_of(window)
    people = [d["id"] for d in store.receptions.duty_candidates(hall["venue_id"])[:2]]
    monkeypatch.setattr("ui.pages.meetings.DutyDialog.exec", lambda self: QDialog.Accepted)
    monkeypatch.setattr("ui.pages.meetings.DutyDialog.chosen", lambda self: people)
    with qtbot.waitSignal(tab.model.modelReset, timeout=10000):
        tab.edit()
    wait_idle(qtbot, window.backend)
    rows = [r for r in store.receptions.rota(ahead) if r["venue_id"] == hall["venue_id"]]
    assert [r["month"] for r in rows] == period_months(ahead)
    assert all({d["id"] for d in r["delegates"]} == set(people) for r in rows)


def test_a_delegate_put_on_duty_at_two_halls_at_the_same_hour_is_refused_in_the_window(qtbot, window, monkeypatch):
    from tests.app.services.test_halls import _two_halls_on_one_day

    store = store_of(window)
    first, second, month = _two_halls_on_one_day(store)
    busy = next(r for r in store.receptions.rota(month) if r["venue_id"] == first["id"])["delegates"][0]
    tab = duty_tab(qtbot, window, month)
    row = next(i for i in range(tab.model.rowCount()) if tab.model.row_at(i)["venue_id"] == second["id"])
    tab.view.selectRow(row)
    refused = []
    monkeypatch.setattr("ui.pages.meetings.DutyDialog.exec", lambda self: QDialog.Accepted)
    monkeypatch.setattr("ui.pages.meetings.DutyDialog.chosen", lambda self: [busy["id"]])
    monkeypatch.setattr("ui.pages.meetings.show_refusal", lambda parent, error: refused.append(str(error)))
    tab.edit()
    qtbot.waitUntil(lambda: bool(refused), timeout=10000)
    assert "一人不能同时在两处" in refused[0] and busy["name"] in refused[0]
    assert busy["id"] not in {d["id"] for d in next(
        r for r in store.receptions.rota(month) if r["venue_id"] == second["id"])["delegates"]}


def test_the_rota_register_and_the_notice_are_one_click_away(qtbot, window, monkeypatch, tmp_path):
    month = date.today().strftime("%Y-%m")
    tab = duty_tab(qtbot, window, month)
    target = tmp_path / "值班表.xlsx"
    monkeypatch.setattr("ui.save_dialog.ask_save_path", lambda *a, **k: str(target))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    buttons = {b.text(): b for b in tab.findChildren(QPushButton)}
    buttons["导出值班表…"].click()
    qtbot.waitUntil(target.exists, timeout=20000)
    wait_idle(qtbot, window.backend)
    from openpyxl import load_workbook

    assert "接待日值班表" in load_workbook(target).active["A1"].value
    shown = []
    monkeypatch.setattr("ui.pdf_preview.show_pdf", lambda parent, path, title, *a, **k: shown.append((Path(path), title)))
    tab.view.selectRow(0)
    hall = tab.model.row_at(0)
    buttons["接待日公告…"].click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    path, title = shown[0]
    assert path.exists() and path.suffix == ".pdf" and hall["hall"] in title


def test_the_grids_page_shows_and_edits_the_grid_worker_refusing_a_bad_phone(qtbot, window):
    page = open_page(qtbot, window, "organisation").grids
    window.page("organisation").tabs.setCurrentWidget(page)
    wait_idle(qtbot, window.backend)
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert "网格员" in headers and "网格员电话" in headers
    page.view.selectRow(0)
    page.edit()
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=10000)
    dialog = page.dialog
    dialog.editors["worker_name"].set_value("李网格")
    dialog.editors["worker_phone"].set_value("12345")
    assert dialog.editors["worker_phone"].local_error()  # refused as typed, as the roster's phones are
    dialog.editors["worker_phone"].set_value("138 0013 8000")
    grid_id = page.model.row_at(0)["id"]
    dialog._save()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, window.backend)
    row = next(r for r in store_of(window).grids.list() if r["id"] == grid_id)
    assert (row["worker_name"], row["worker_phone"]) == ("李网格", "13800138000")


def test_the_venues_page_shows_the_build_status_and_refuses_an_open_hall_opening_later(qtbot, window):
    page = open_page(qtbot, window, "venues")
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(page.model.columnCount())]
    assert "建设状态" in headers and "开放日期" in headers
    page.view.selectRow(0)
    page.edit()
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=10000)
    dialog = page.dialog
    dialog.editors["build_status"].set_value("open")
    dialog.editors["opened_on"].set_value((date.today() + timedelta(days=30)).isoformat())
    dialog._save()
    qtbot.waitUntil(lambda: dialog.editors["opened_on"].message.isVisible(), timeout=10000)
    assert "不能在今天之后" in dialog.editors["opened_on"].message.text()
    dialog.reject()


def test_a_meeting_form_offers_the_subject_type(qtbot, window):
    from app.services.meetings import MeetingService

    spec = next(f for f in MeetingService.fields if f.name == "subject")
    assert [label for _, label in spec.choices] == ["片区利益", "街道重点工作和民生实事", "公共事务"]


def test_the_overview_counts_venues_by_build_status(qtbot, backend):
    from tests.ui.conftest import open_window

    window = open_window(qtbot, backend)
    store = store_of(window)
    halls = store.venues.list("area_hall")
    store.venues.update(halls[1]["id"], {"build_status": "building", "opened_on": None})  # one more being built
    venues = store.venues.list()
    building = sum(1 for v in venues if v["build_status"] == "building")
    built = sum(1 for v in venues if v["build_status"] == "open")
    page = open_page(qtbot, window, "overview")
    page.reload()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: f"建设中 {building}" in page.cards["venues"].detail.text(), timeout=10000)
    assert f"已建成投用 {built}" in page.cards["venues"].detail.text() and building >= 2


def test_a_reception_matter_is_given_its_subject_type_in_the_meeting_window(qtbot, window):
    from tests.ui.test_meetings import open_meeting

    store = store_of(window)
    held = store.rows("SELECT id FROM meetings WHERE kind = 'reception' AND status = 'held' AND deleted = 0"
                      " ORDER BY date DESC LIMIT 1")[0]["id"]
    _, editor = open_meeting(qtbot, window, held)
    tab = next(t for t in editor.findChildren(QWidget) if type(t).__name__ == "MattersTab")
    combo = tab.matters.cellWidget(0, 2)
    assert [combo.itemText(i) for i in range(combo.count())] == ["（未分类）", "片区利益", "街道重点工作和民生实事", "公共事务"]
    combo.setCurrentIndex(combo.findData("public_affairs"))
    tab.save()
    wait_idle(qtbot, window.backend)
    assert store.receptions.matters(held)[0]["subject"] == "public_affairs"
