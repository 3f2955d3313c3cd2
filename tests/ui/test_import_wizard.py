"""The window's import wizard for every kind: the mapping proposed and changed, the preview that
follows it, the import as one undo, nothing written by a dry run or a cancelled import; getting
started on 概览 for a new office."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.app.workbooks.test_places_in import grids_file
from tests.conftest import digest
from tests.ui.conftest import open_page, open_window, store_of, wait_idle


@pytest.fixture(autouse=True)
def own_memory(tmp_path, monkeypatch):
    """Each test's remembered mappings start empty (ui.memory reads the folder each time)."""
    folder = tmp_path / "ui-state"
    folder.mkdir()
    monkeypatch.setenv("YISHI_UI_STATE", str(folder))


def open_wizard(qtbot, window, page, path, kind):
    from ui.import_wizard import start_import

    page.import_preview = None
    start_import(page, window.backend, str(path), kind=kind)
    qtbot.waitUntil(lambda: getattr(page, "import_preview", None) is not None, timeout=10000)
    wait_idle(qtbot, window.backend)
    return page.import_preview


def grid_names(store) -> set[tuple[str, str]]:
    return {(g["community_name"], g["name"]) for g in store.grids.list()}


def test_a_messy_grid_list_through_the_wizard(qtbot, window, tmp_path, monkeypatch):
    page = open_page(qtbot, window, "organisation")
    store = store_of(window)
    before, grids_before, communities_before = digest(store), grid_names(store), len(store.communities.list())
    path = grids_file(tmp_path)
    wizard = open_wizard(qtbot, window, page, path, "grids")
    assert digest(store) == before  # the dry run wrote nothing
    # the mapping page: every column of the file, the program's proposal in its combo
    assert wizard.pages.currentIndex() == 0
    proposed = {col: combo.currentData() for col, combo in wizard.combos.items()}
    assert proposed == {0: "", 1: "community", 2: "number", 3: "name", 4: "worker_name", 5: "worker_phone",
                        6: "notes"}
    assert wizard.columns.item(4, 1).text() == "网格员姓名" and "杨婷" in wizard.columns.item(4, 2).text()
    assert "中山路社区" in wizard.columns.item(1, 2).text()
    assert wizard.report["counts"] == {"new": 3, "update": 0, "same": 0, "refused": 1, "duplicate": 1}
    assert len(wizard.report["warnings"]) == 1  # the short phone
    # the clerk leaves the phone column out: the dry run again, the preview follows
    wizard.combos[5].setCurrentIndex(0)
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    wait_idle(qtbot, window.backend)
    assert 5 not in {m["column"] for m in wizard.report["mapping"] if m["field"]}
    assert wizard.report["warnings"] == [] and "拒绝 1 行" in wizard.mapping_counts.text()
    assert digest(store) == before
    # a field goes to one column only: 网格名称 chosen for the 备注 column leaves column D
    wizard.combos[6].setCurrentIndex(wizard.combos[6].findData("name"))
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    assert wizard.combos[3].currentData() == "" and wizard.combos[6].currentData() == "name"
    wizard.combos[3].setCurrentIndex(wizard.combos[3].findData("name"))  # back as it was
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    wait_idle(qtbot, window.backend)
    assert wizard.combos[6].currentData() == "" and wizard.report["counts"]["new"] == 3
    wizard.combos[6].setCurrentIndex(wizard.combos[6].findData("notes"))
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    wait_idle(qtbot, window.backend)
    # without a column naming the grids the file cannot be checked: said, and nothing to import
    for col in (1, 3):  # 社区名称 and 网格名称 left out
        wizard.combos[col].setCurrentIndex(0)
        qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
        wait_idle(qtbot, window.backend)
    assert "无法辨认" in wizard.mapping_counts.text() and not wizard.go.isEnabled() and not wizard.next.isEnabled()
    for col, key in ((1, "community"), (3, "name")):
        wizard.combos[col].setCurrentIndex(wizard.combos[col].findData(key))
        qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
        wait_idle(qtbot, window.backend)
    assert wizard.report["counts"]["new"] == 3 and wizard.next.isEnabled()
    # the preview: each row's verdict, reason and cell; skipped rows; nothing written yet
    wizard.next.click()
    assert wizard.pages.currentIndex() == 1 and wizard.go.text() == "导入 3 个" and wizard.go.isEnabled()
    rows = {wizard.model.row_at(r)["row"]: wizard.model.row_at(r) for r in range(wizard.model.rowCount())}
    assert rows[9]["verdict_label"] == "拒绝" and rows[9]["cell"] == "C9" and "不是数字" in rows[9]["reason"]
    assert rows[8]["verdict_label"] == "重复"
    assert wizard.skipped.count() == 3 and "新增 3 个" in wizard.summary.text()
    assert "数据库中有、表中没有的网格" in wizard.summary.text() and wizard.absent.count() > 0
    # a cancelled import leaves the store as it was
    from ui.backend import Job

    real_report = Job.report
    monkeypatch.setattr("ui.backend.Job.report", lambda self, done, total, text="": False)
    wizard.run_import()
    wait_idle(qtbot, window.backend)
    assert digest(store) == before and wizard.go.isEnabled() and wizard.result_report is None
    monkeypatch.setattr("ui.backend.Job.report", real_report)
    # the import: one transaction, views refreshed, one undo
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    wizard.run_import()
    qtbot.waitUntil(lambda: wizard.result_report is not None, timeout=10000)
    wait_idle(qtbot, window.backend)
    added = grid_names(store) - grids_before
    assert added == {("中山路社区", "中山路第1网格"), ("中山路社区", "中山路第2网格"), ("金龙社区", "金龙第1网格")}
    new = [g for g in store.grids.list() if (g["community_name"], g["name"]) in added]
    assert all(g["worker_phone"] is None for g in new)  # the phone column was left out
    assert window.backend.undo_summary() == "导入网格及网格员（新增 3 个）"
    grids_page = page.grids
    qtbot.waitUntil(lambda: grids_page.model.rowCount() == len(grids_before) + 3, timeout=10000)
    window.undo_action.trigger()  # Ctrl+Z
    wait_idle(qtbot, window.backend)
    assert grid_names(store) == grids_before and len(store.communities.list()) == communities_before
    assert "已撤销：导入网格及网格员" in window.status.text()


def test_one_cell_changed_in_the_register_is_one_change_in_the_preview(qtbot, window, tmp_path, monkeypatch):
    import openpyxl

    from app.registers.catalog import export_register

    page = open_page(qtbot, window, "organisation")
    store = store_of(window)
    path = tmp_path / "网格对应表.xlsx"
    export_register(store, "grids", path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    worker = [c.value for c in sheet[3]].index("网格员") + 1
    old = sheet.cell(row=4, column=worker).value
    sheet.cell(row=4, column=worker).value = "张三丰"
    book.save(path)
    wizard = open_wizard(qtbot, window, page, path, "grids")
    counts = wizard.report["counts"]
    assert (counts["update"], counts["new"], counts["refused"]) == (1, 0, 0)
    wizard.next.click()
    changed = [wizard.model.row_at(r) for r in range(wizard.model.rowCount())
               if wizard.model.row_at(r)["verdict"] == "update"]
    assert [r["change_text"] for r in changed] == [f"网格员：{old} → 张三丰"]
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    wizard.run_import()
    qtbot.waitUntil(lambda: wizard.result_report is not None, timeout=10000)
    wait_idle(qtbot, window.backend)
    assert "张三丰" in {g["worker_name"] for g in store.grids.list()}
    window.undo_action.trigger()
    wait_idle(qtbot, window.backend)
    workers = {g["worker_name"] for g in store.grids.list()}
    assert old in workers and "张三丰" not in workers


def test_the_mapping_is_remembered_for_the_same_layout(qtbot, window, tmp_path):
    page = open_page(qtbot, window, "organisation")
    path = grids_file(tmp_path)
    wizard = open_wizard(qtbot, window, page, path, "grids")
    assert not wizard.report["remembered"]
    wizard.combos[4].setCurrentIndex(0)  # 网格员姓名: not imported
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    wait_idle(qtbot, window.backend)
    wizard.reject()
    other = tmp_path / "again"
    other.mkdir()
    again = open_wizard(qtbot, window, page, grids_file(other), "grids")  # another file laid out the same
    assert again.report["remembered"] and again.combos[4].currentData() == ""
    assert again.combos[5].currentData() == "worker_phone" and "上次" in again.mapping_note.text()
    again.reject()


def test_the_roster_looks_the_same_and_is_one_undo(qtbot, window, monkeypatch):
    from tests.conftest import ROOT

    page = open_page(qtbot, window, "roster")
    store = store_of(window)
    count = store.scalar("SELECT count(*) FROM delegates WHERE deleted = 0")
    wizard = open_wizard(qtbot, window, page, ROOT / "data" / "samples" / "代表花名册.xlsx", "delegates")
    assert wizard.pages.currentIndex() == 1 and not wizard.back.isVisible()
    new = wizard.report["counts"]["new"]
    assert new > 0 and wizard.go.text() == f"导入 {new} 人" and "拒绝 1 行" in wizard.summary.text()
    wizard.resize(1366, 728)
    wizard.grab().save("/tmp/impui-roster.png")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    wizard.run_import()
    qtbot.waitUntil(lambda: wizard.result_report is not None, timeout=10000)
    wait_idle(qtbot, window.backend)
    assert store.scalar("SELECT count(*) FROM delegates WHERE deleted = 0") == count + new
    assert window.backend.undo_summary().startswith("导入代表花名册")
    window.backend.undo()
    wait_idle(qtbot, window.backend)
    assert store.scalar("SELECT count(*) FROM delegates WHERE deleted = 0") == count


def test_a_dropped_sheet_opens_the_wizard_of_the_list_in_front(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QUrl

    from tests.conftest import ROOT

    page = open_page(qtbot, window, "organisation")
    page.tabs.setCurrentWidget(page.grids)
    path = grids_file(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    assert window._dropped_file(type("Drop", (), {"mimeData": lambda self: mime})()) == str(path)
    window.import_preview = None
    window.import_dropped(str(path))
    qtbot.waitUntil(lambda: window.import_preview is not None, timeout=10000)
    assert window.import_preview.name == "grids"
    window.import_preview.reject()
    open_page(qtbot, window, "roster")
    window.import_preview = None
    window.import_dropped(str(ROOT / "data" / "samples" / "代表花名册.xlsx"))  # the roster, as before
    qtbot.waitUntil(lambda: window.import_preview is not None, timeout=10000)
    assert window.import_preview.name == "delegates"
    window.import_preview.reject()


def test_the_check_is_saved_as_a_register(qtbot, window, tmp_path, monkeypatch):
    import openpyxl
    from PySide6.QtWidgets import QFileDialog

    page = open_page(qtbot, window, "organisation")
    wizard = open_wizard(qtbot, window, page, grids_file(tmp_path), "grids")
    target = tmp_path / "检查结果.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    said = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda parent, title, text: said.append(text))
    wizard.save.click()
    wait_idle(qtbot, window.backend)
    assert str(target) in said[0]  # it says where it saved
    cells = [c for row in openpyxl.load_workbook(target).active.iter_rows(values_only=True) for c in row if c]
    assert "“网格编号”“第x”不是数字" in cells and "C9" in cells
    wizard.reject()


def test_the_data_menu_offers_every_kind(qtbot, window):
    from app.workbooks.kinds import names

    wait_idle(qtbot, window.backend)
    entries = [a.text() for a in window.import_menu.actions()]
    assert len(entries) == len(names()) and entries[0] == "村（社区）…"


# -- getting started ---------------------------------------------------------------------------------
def test_the_samples_ship_with_the_wheel_and_the_bundle():
    import tomllib

    from tests.conftest import ROOT

    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    assert "samples/*" in shipped["app._shipped.data"]
    assert '(str(ROOT / "data"), "data")' in (ROOT / "build.spec").read_text("utf-8")  # the whole folder
    assert all(p.suffix in (".xlsx", ".xls", ".ods") for p in (ROOT / "data" / "samples").iterdir())


@pytest.fixture
def empty_window(qtbot, tmp_path, ui_font):
    from ui.backend import Backend

    backend = Backend()
    opened: list = []
    backend.open_store(str(tmp_path / "new-office"), opened.append, opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    window = open_window(qtbot, backend)
    yield window
    backend.shutdown()


def test_a_new_office_sees_the_order_and_ticks_what_is_done(qtbot, empty_window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = empty_window
    overview = open_page(qtbot, window, "overview")
    start = overview.start
    qtbot.waitUntil(lambda: start.isVisible() and bool(start.buttons), timeout=10000)
    titles = [s["title"] for s in start.steps]
    assert titles[0] == "村（社区）和网格" and "代表花名册" in titles
    assert {"communities", "grids", "delegates"} <= set(start.buttons) and "0/4" in start.title.text()
    window.resize(1366, 728)
    qtbot.wait(50)
    window.grab().save("/tmp/impui-overview-empty.png")
    # each step's sample can be saved where the clerk chooses
    sample = next(e["sample"] for s in start.steps for e in s["kinds"] if e["name"] == "grids")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (sample, ""))
    start.buttons["grids"].click()  # the step's button opens the wizard of that kind
    qtbot.waitUntil(lambda: getattr(overview, "import_preview", None) is not None, timeout=10000)
    wait_idle(qtbot, window.backend)
    wizard = overview.import_preview
    assert wizard.name == "grids" and wizard.report["counts"]["new"] > 0
    wizard.resize(1366, 728)
    wizard.grab().save("/tmp/impui-mapping.png")
    wizard.next.click()
    wizard.grab().save("/tmp/impui-preview.png")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    wizard.run_import()
    qtbot.waitUntil(lambda: wizard.result_report is not None, timeout=10000)
    wait_idle(qtbot, window.backend)
    # the grids created their communities: the first step is ticked
    qtbot.waitUntil(lambda: start.steps[0]["done"], timeout=10000)
    assert "1/4" in start.title.text()
    window.grab().save("/tmp/impui-overview-step1.png")


def test_a_sample_is_saved_where_the_clerk_chooses(qtbot, empty_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QPushButton

    overview = open_page(qtbot, empty_window, "overview")
    qtbot.waitUntil(lambda: bool(overview.start.buttons), timeout=10000)
    target = tmp_path / "我的网格表.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    said = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda parent, title, text: said.append(text))
    save = next(b for b in overview.start.findChildren(QPushButton) if b.text() == "另存示例…")
    save.click()
    assert target.is_file() and target.stat().st_size > 1000
    assert str(target) in said[0]  # it says where it saved


@pytest.fixture
def every_kind(monkeypatch):
    """Every kind of the getting-started order importable (those other work adds stand in as grids),
    to see the buttons and steps they bring fit a 1366 × 768 screen."""
    from app.workbooks import kinds

    stand_in = ("app.workbooks.places_in", "GridsKind")
    monkeypatch.setattr(kinds, "_KINDS", {**{name: stand_in for _, names, _ in kinds.STEPS for name in names
                                             if name != "delegates"}, **kinds._KINDS})
    monkeypatch.setattr(kinds, "LABELS", {**kinds.LABELS, "venues": "议事阵地", "departments": "部门（单位）",
                                          "opinions": "意见建议台账", "meetings": "议事活动"})


def test_every_kinds_button_fits_its_toolbar(qtbot, every_kind, window):
    from PySide6.QtWidgets import QPushButton

    window.resize(1366, 728)
    for key, tab in (("organisation", "communities"), ("organisation", "grids"), ("venues", None),
                     ("meetings", "departments"), ("meetings", "list"), ("opinions", "list")):
        page = open_page(qtbot, window, key)
        if tab:
            page.tabs.setCurrentWidget(getattr(page, tab))
        qtbot.wait(50)
        shown = [b for b in page.findChildren(QPushButton) if b.text() == "从 Excel 导入…" and b.isVisible()]
        assert len(shown) == 1, (key, tab)
        button = shown[0]
        right = button.mapTo(window, button.rect().topRight()).x()
        assert right <= window.width() and button.width() >= button.sizeHint().width(), (key, tab)
        window.grab().save(f"/tmp/impui-fit-{key}-{tab}.png")
    assert len(window.import_menu.actions()) == 7


def test_the_whole_order_fits_the_overview(qtbot, every_kind, empty_window):
    from PySide6.QtWidgets import QPushButton

    window = empty_window
    window.resize(1366, 728)
    overview = open_page(qtbot, window, "overview")
    start = overview.start
    qtbot.waitUntil(lambda: len(start.buttons) == 7, timeout=10000)
    assert [s["title"] for s in start.steps] == ["村（社区）和网格", "议事阵地", "部门（单位）", "代表花名册",
                                                "意见建议台账", "议事活动"]
    # (a new office starts with the usual departments, none with whom to call: that step is open and
    # may be left, like the meetings)
    assert [s["done"] for s in start.steps] == [False] * 6
    assert [s["optional"] for s in start.steps] == [False, False, True, False, False, True]
    assert "0/4" in start.title.text()
    qtbot.wait(50)
    for button in start.findChildren(QPushButton):
        assert button.mapTo(window, button.rect().topRight()).x() <= window.width()
    assert overview.attention.height() > 100  # the list below keeps room
    window.grab().save("/tmp/impui-overview-every-kind.png")


def test_every_kinds_sample_through_the_wizard_brings_a_new_office_in(qtbot, empty_window, monkeypatch):
    """Each kind through the wizard, in the getting-started order, from its shipped sample (a title
    row, merged cells, blank and 合计 rows, a row meant to be refused): the dry run writes nothing,
    each refusal names its reason, the import brings what the preview said, one Ctrl+Z takes the
    last import back."""
    from app.workbooks.kinds import getting_started

    window = empty_window
    page = open_page(qtbot, window, "overview")
    store = store_of(window)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    tables = {"communities": "communities", "grids": "grids", "venues": "venues", "departments": "departments",
              "delegates": "delegates", "opinions": "opinions", "meetings": "meetings"}
    seen = []
    for step in getting_started(store)["steps"]:
        for entry in step["kinds"]:
            name = entry["name"]
            def count(table=tables[name]) -> int:
                return store.scalar(f"SELECT count(*) FROM [{table}] WHERE deleted = 0")

            before, had = digest(store), count()
            wizard = open_wizard(qtbot, window, page, entry["sample"], name)
            assert digest(store) == before, name  # the dry run wrote nothing
            counts = wizard.report["counts"]
            refused = [r for r in wizard.report["rows"] if r["verdict"] in ("refused", "rejected")]
            assert counts["new"] > 0 and refused and all(r["reason"] for r in refused), name
            wizard.run_import()
            qtbot.waitUntil(lambda w=wizard: w.result_report is not None, timeout=20000)
            wait_idle(qtbot, window.backend)
            assert count() == had + counts["new"], name
            seen.append(name)
    assert seen == ["communities", "grids", "venues", "departments", "delegates", "opinions", "meetings"]
    assert getting_started(store)["finished"]
    meetings = store.scalar("SELECT count(*) FROM meetings WHERE deleted = 0")
    window.undo_action.trigger()  # Ctrl+Z: the last import, the meetings, all of it
    wait_idle(qtbot, window.backend)
    assert meetings and store.scalar("SELECT count(*) FROM meetings WHERE deleted = 0") == 0


def test_a_file_with_headings_the_desk_does_not_know_opens_on_its_columns(qtbot, window, tmp_path, monkeypatch):
    """No column known to name the venues: the wizard opens on the columns (not a refusal), says
    which to choose, and once the clerk names the column the file checks and imports."""
    from tests.app.workbooks.test_bring_in import odd_venues_file

    page = open_page(qtbot, window, "organisation")
    store = store_of(window)
    before = digest(store)
    refusals: list = []
    monkeypatch.setattr("ui.import_wizard.show_refusal", lambda parent, error: refusals.append(error))
    wizard = open_wizard(qtbot, window, page, odd_venues_file(tmp_path), "venues")
    assert not refusals and wizard.pages.currentIndex() == 0
    assert "第 3 行像是表头" in wizard.mapping_note.text() and "逐列指定" in wizard.mapping_note.text()
    assert "如果确是阵地表，请指定各列导入为哪一项" in wizard.mapping_counts.text()
    assert not wizard.go.isEnabled() and not wizard.next.isEnabled()
    assert wizard.columns.item(1, 1).text() == "叫法" and "幸福里议事站" in wizard.columns.item(1, 2).text()
    assert wizard.combos[1].currentData() == "" and wizard.combos[2].currentData() == "level"
    wizard.combos[1].setCurrentIndex(wizard.combos[1].findData("name"))
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    wait_idle(qtbot, window.backend)
    assert wizard.report["counts"]["new"] == 2 and wizard.next.isEnabled() and digest(store) == before
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    wizard.run_import()
    qtbot.waitUntil(lambda: wizard.result_report is not None, timeout=10000)
    assert {"幸福里议事站", "金龙议事站"} <= {v["name"] for v in store.venues.list()}


def test_the_columns_the_clerk_named_are_remembered_for_the_next_file_of_that_layout(qtbot, window, tmp_path):
    from tests.app.workbooks.test_bring_in import odd_venues_file

    page = open_page(qtbot, window, "organisation")
    wizard = open_wizard(qtbot, window, page, odd_venues_file(tmp_path), "venues")
    wizard.combos[1].setCurrentIndex(wizard.combos[1].findData("name"))
    qtbot.waitUntil(lambda: not wizard.checking, timeout=10000)
    wait_idle(qtbot, window.backend)
    wizard.reject()
    (tmp_path / "again").mkdir()
    again = open_wizard(qtbot, window, page, odd_venues_file(tmp_path / "again"), "venues")
    assert again.report["remembered"] and again.report["counts"]["new"] == 2 and again.next.isEnabled()
    assert again.combos[1].currentData() == "name" and "已按上次" in again.mapping_note.text()
