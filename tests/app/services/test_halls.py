"""Issue 25, items 2, 7 and 9: the reception-day rota by month or quarter (one person in one place),
its 值班表 and residents' notice; each grid's 网格员; venues' build status and opening date, and hall
business by subject type — with the refusals, which change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app.common.errors import ValidationError
from app.services.receptions import period_label, period_months
from tests.conftest import digest

TODAY = date.today()
FUTURE = (TODAY + timedelta(days=30)).isoformat()
PAST = (TODAY - timedelta(days=400)).isoformat()


def _community_and_grid(store):
    community = store.communities.create({"name": "万达广场社区", "kind": "community"}).created("communities")[0]
    grid = store.grids.bulk_create(community, "1-1").created("grids")[0]
    return community, grid


# -- 7. grid workers --------------------------------------------------------------------------------
def test_a_grid_keeps_its_worker_and_phone_as_the_other_phones_are_kept(store):
    _, grid = _community_and_grid(store)
    store.grids.update(grid, {"worker_name": "李网格", "worker_phone": "138 0013 8000"})
    row = store.grids.list()[0]
    assert (row["worker_name"], row["worker_phone"]) == ("李网格", "13800138000")


@pytest.mark.parametrize("phone", ["12345", "电话未知", "1380013800a"])
def test_a_grid_worker_phone_that_is_not_a_phone_is_refused(store, phone):
    _, grid = _community_and_grid(store)
    before = digest(store)
    with pytest.raises(ValidationError) as caught:
        store.grids.update(grid, {"worker_name": "李网格", "worker_phone": phone})
    assert caught.value.field == "worker_phone"
    assert digest(store) == before


def test_a_grid_worker_phone_without_a_name_is_refused(store):
    _, grid = _community_and_grid(store)
    with pytest.raises(ValidationError, match="没有网格员姓名") as caught:
        store.grids.update(grid, {"worker_phone": "13800138000"})
    assert caught.value.field == "worker_phone"


def test_the_grids_and_contacts_registers_name_the_grid_worker(store, tmp_path):
    from app.registers.catalog import export_register

    _, grid = _community_and_grid(store)
    store.grids.update(grid, {"worker_name": "李网格", "worker_phone": "13800138000"})
    for name in ("grids", "contacts"):
        export_register(store, name, tmp_path / f"{name}.xlsx")
        ws = load_workbook(tmp_path / f"{name}.xlsx").active
        header = [c.value for c in ws[3]]
        assert "网格员" in header and "网格员电话" in header, name
        row = [c.value for c in ws[4]]
        assert row[header.index("网格员")] == "李网格" and row[header.index("网格员电话")] == "13800138000"


# -- 9. venues: build status and opening date --------------------------------------------------------
def _venue(store, **values):
    return store.venues.create({"name": "老城片区议事厅", "level": "area_hall", **values}).created("venues")[0]


def test_an_open_hall_with_an_opening_date_in_the_future_is_refused(store):
    before = digest(store)
    with pytest.raises(ValidationError, match="不能在今天之后") as caught:
        _venue(store, build_status="open", opened_on=FUTURE)
    assert caught.value.field == "opened_on"
    assert digest(store) == before


@pytest.mark.parametrize("status", ["planned", "building"])
def test_a_hall_not_yet_built_with_an_opening_date_that_has_passed_is_refused(store, status):
    venue = _venue(store, build_status=status, opened_on=FUTURE)  # the planned opening: fine
    before = digest(store)
    with pytest.raises(ValidationError, match="应在今天之后"):
        store.venues.update(venue, {"opened_on": PAST})
    assert digest(store) == before


def test_an_opening_date_without_a_build_status_and_an_unknown_status_are_refused(store):
    with pytest.raises(ValidationError, match="请同时选择建设状态"):
        _venue(store, opened_on=PAST)
    with pytest.raises(ValidationError) as caught:
        _venue(store, build_status="half_built")
    assert caught.value.field == "build_status"


def test_venues_are_counted_by_build_status_and_year_opened(store, tmp_path):
    from app.registers.catalog import export_register

    _venue(store, build_status="open", opened_on=PAST)
    store.venues.create({"name": "新城片区议事厅", "level": "area_hall", "build_status": "building",
                         "opened_on": FUTURE})
    store.venues.create({"name": "议事中心", "level": "centre"})
    venues = store.stats.summary()["venues"]
    assert venues["by_build_status"]["area_hall"] == {"planned": 0, "building": 1, "open": 1, "suspended": 0, "": 0}
    assert venues["by_build_status"]["centre"][""] == 1
    assert venues["opened_by_year"] == {PAST[:4]: 1}
    export_register(store, "venues", tmp_path / "v.xlsx")
    ws = load_workbook(tmp_path / "v.xlsx").active
    header = [c.value for c in ws[3]]
    shown = {ws.cell(r, header.index("阵地名称") + 1).value: (ws.cell(r, header.index("建设状态") + 1).value,
                                                           ws.cell(r, header.index("开放日期") + 1).value)
             for r in range(4, 7)}
    assert shown["新城片区议事厅"][0] == "建设中" and shown["老城片区议事厅"][0] == "已建成投用"
    assert shown["老城片区议事厅"][1].date().isoformat() == PAST  # a real date


# -- 9. hall business by subject type -----------------------------------------------------------------
def test_hall_business_carries_a_subject_type_counted_by_type(store):
    hall = _venue(store, build_status="open", opened_on=PAST)
    day = (TODAY - timedelta(days=3)).isoformat()
    store.meetings.create({"kind": "special", "title": "片区停车难议事", "date": day, "venue_id": hall,
                           "subject": "area_interest", "status": "held"})
    store.meetings.create({"kind": "special", "title": "民生实事项目议事", "date": day, "venue_id": hall,
                           "subject": "key_work", "start_time": "14:00", "status": "held"})
    store.meetings.create({"kind": "special", "title": "未分类", "date": day, "venue_id": hall, "status": "held"})
    store.meetings.create({"kind": "special", "title": "下周的议事", "venue_id": hall, "subject": "public_affairs",
                           "date": (TODAY + timedelta(days=7)).isoformat()})  # not held yet: not counted
    by_subject = store.stats.summary(TODAY.year if day[:4] == str(TODAY.year) else None)["meetings"]["by_subject"]
    assert by_subject["area_hall"] == {"area_interest": 1, "key_work": 1, "public_affairs": 0, "": 1}
    before = digest(store)
    with pytest.raises(ValidationError) as caught:
        store.meetings.create({"kind": "special", "title": "x", "date": day, "venue_id": hall,
                               "subject": "gossip"})
    assert caught.value.field == "subject"
    assert digest(store) == before


# -- 2. the reception rota -------------------------------------------------------------------------------
@pytest.mark.parametrize("period, months, label", [
    ("2026-03", ["2026-03"], "2026年3月"), ("2026-Q1", ["2026-01", "2026-02", "2026-03"], "2026年第一季度"),
    ("2026-q4", ["2026-10", "2026-11", "2026-12"], "2026年第四季度")])
def test_a_rota_period_is_a_month_or_a_quarter(period, months, label):
    assert period_months(period) == months and period_label(period) == label


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "2026", "", "26-Q1"])
def test_a_rota_period_that_is_neither_is_refused(period):
    with pytest.raises(ValidationError, match="季度"):
        period_months(period)


def _two_halls_on_one_day(store, months_back=40):
    """Two halls whose reception days of a month fall on the same morning, and that month."""
    month = (TODAY - timedelta(days=months_back)).strftime("%Y-%m")
    by_day: dict[str, list] = {}
    for hall in store.venues.list("neighbourhood_hall"):
        for m in store.rows("SELECT date FROM meetings WHERE kind = 'reception' AND venue_id = ? AND deleted = 0"
                            " AND substr(date, 1, 7) = ?", [hall["id"], month]):
            by_day.setdefault(m["date"], []).append(hall)
    pair = next(hs for hs in by_day.values() if len(hs) >= 2)
    return pair[0], pair[1], month


def test_a_quarter_rota_puts_the_delegates_on_duty_each_month_of_it(demo):
    hall = demo.venues.list("neighbourhood_hall")[0]
    quarter = f"{TODAY.year + 1}-Q1"  # no reception days yet: nothing to clash with
    people = [d["id"] for d in demo.receptions.duty_candidates(hall["id"])[:2]]
    demo.receptions.set_duty(hall["id"], quarter, people)
    rows = [r for r in demo.receptions.rota(quarter) if r["venue_id"] == hall["id"]]
    assert [r["month"] for r in rows] == period_months(quarter)
    assert all({d["id"] for d in r["delegates"]} == set(people) for r in rows)
    assert all(r["dates"] == "（尚未安排）" for r in rows)
    demo.receptions.set_duty(hall["id"], quarter, people[:1])  # one stood down for the whole quarter
    assert all(len(r["delegates"]) == 1 for r in demo.receptions.rota(quarter) if r["venue_id"] == hall["id"])


def test_a_quarter_rota_refuses_a_delegate_at_two_halls_at_the_same_hour_and_keeps_nothing(demo):
    first, second, month = _two_halls_on_one_day(demo)
    busy = next(r for r in demo.receptions.rota(month) if r["venue_id"] == first["id"])["delegates"][0]
    quarter = f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"
    before = digest(demo)
    with pytest.raises(ValidationError, match="一人不能同时在两处") as caught:
        demo.receptions.set_duty(second["id"], quarter, [busy["id"]])
    assert busy["name"] in str(caught.value) and first["name"] in str(caught.value)
    assert digest(demo) == before  # not even the other two months of the quarter


def test_a_hall_not_yet_in_use_takes_no_rota(demo):
    hall = demo.venues.list("neighbourhood_hall")[0]
    demo.venues.update(hall["id"], {"build_status": "building", "opened_on": FUTURE})
    person = demo.receptions.duty_candidates(hall["id"])[0]["id"]
    with pytest.raises(ValidationError, match="建设中"):
        demo.receptions.set_duty(hall["id"], f"{TODAY.year + 1}-02", [person])


def test_the_rota_register_and_the_residents_notice_name_hall_address_day_hours_and_delegates(demo, tmp_path):
    import pdfplumber

    from app.documents.catalog import export_doc
    from app.registers.catalog import export_register

    month = TODAY.strftime("%Y-%m")
    rota = demo.receptions.rota(month)
    hall = next(r for r in rota if r["days"] and r["delegates"])
    result = export_register(demo, "rota", tmp_path / "rota.xlsx", period=month)
    assert result["rows"] == len(rota) and period_label(month) in result["heading"]
    ws = load_workbook(tmp_path / "rota.xlsx").active
    cells = {str(c.value) for row in ws.iter_rows(min_row=4) for c in row}
    assert {hall["hall"], hall["address"], hall["dates"], hall["delegate_names"]} <= cells

    export_doc(demo, "reception_notice", month, tmp_path / "notice.pdf")
    with pdfplumber.open(tmp_path / "notice.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace("\n", "").replace(" ", "")
    day = date.fromisoformat(hall["days"][0]["date"])
    for expected in (hall["hall"], hall["address"], f"{day.month}月{day.day}日", hall["days"][0]["start_time"],
                     *[d["name"] for d in hall["delegates"]], "公告"):
        assert expected in text, expected
    word = export_doc(demo, "reception_notice", month, tmp_path / "notice.docx", venue_id=hall["venue_id"])
    assert word["name"].endswith(hall["hall"])
    from docx import Document

    body = "".join(p.text for p in Document(tmp_path / "notice.docx").paragraphs)
    assert hall["hall"] in body and hall["delegate_names"] in body
    assert sum(r["hall"] in body for r in rota) == 1  # that hall's notice only


def test_a_notice_for_a_period_with_no_rota_is_refused(store, tmp_path):
    from app.common.errors import ConflictError
    from app.documents.catalog import export_doc

    with pytest.raises(ConflictError, match="还没有排定接待日值班"):
        export_doc(store, "reception_notice", "2026-Q1", tmp_path / "n.pdf")
    assert not (tmp_path / "n.pdf").exists()


def test_reception_matters_carry_a_subject_type_counted_by_type(demo):
    held = demo.rows("SELECT id, date FROM meetings WHERE kind = 'reception' AND status = 'held' AND deleted = 0"
                     " ORDER BY date DESC LIMIT 1")[0]
    year = int(held["date"][:4])
    before = demo.receptions.matters_by_subject(year)
    kept = demo.receptions.matters(held["id"])
    demo.receptions.add_matters(held["id"], [{"content": "小区停车位不足", "subject": "area_interest"},
                                             {"content": "老旧小区改造进度", "subject": "key_work"}])
    after = demo.receptions.matters_by_subject(year)
    assert after["area_interest"] == before["area_interest"] + 1 and after["key_work"] == before["key_work"] + 1
    assert len(demo.receptions.matters(held["id"])) == len(kept) + 2  # the earlier ones stay, their type too
    assert demo.stats.summary(year)["reception_matters_by_subject"] == after
    state = digest(demo)
    with pytest.raises(ValidationError) as caught:
        demo.receptions.add_matters(held["id"], [{"content": "x", "subject": "other"}])
    assert caught.value.field == "subject" and digest(demo) == state


def test_check_names_a_venue_whose_status_and_date_disagree_written_behind_the_programs_back(demo_dir):
    import sqlite3

    from app.storage.check import run_checks
    from app.store import Store

    with Store.open(demo_dir) as store:
        hall = store.venues.list("area_hall")[0]
    conn = sqlite3.connect(demo_dir / "yishi.db")
    conn.execute("UPDATE venues SET build_status = 'open', opened_on = ? WHERE id = ?", [FUTURE, hall["id"]])
    conn.execute("UPDATE grids SET worker_name = '李网格', worker_phone = '12345' WHERE id ="
                 " (SELECT id FROM grids ORDER BY id LIMIT 1)")
    conn.commit()
    conn.close()
    with Store.open(demo_dir) as store:
        report = run_checks(store)
    messages = [b["message"] for b in report["rules"]["breaches"]]
    assert any(hall["name"] in m and "不能在今天之后" in m for m in messages), messages
    assert any("网格员电话" in m for m in messages), messages
