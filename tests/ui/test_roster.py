from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton

from tests.conftest import digest
from tests.ui.conftest import open_page, store_of, wait_idle


def roster(qtbot, window):
    return open_page(qtbot, window, "roster")


def visible_names(page):
    model = page.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_roster_loads_the_demo_and_passes_the_model_tester(qtbot, qtmodeltester, window):
    page = roster(qtbot, window)
    assert page.model.rowCount() == 70
    assert page.count_label.text() == "共 70 人"
    qtmodeltester.check(page.model)


def test_roster_model_pages_rows_in(qtbot, window):
    page = roster(qtbot, window)
    page.model.page_size = 16
    page.model.reload()
    wait_idle(qtbot, window.backend)
    last = page.model.index(69, 0)
    assert page.model.data(last) == page.model.PLACEHOLDER
    with qtbot.waitSignal(page.model.page_loaded, timeout=5000):
        pass
    assert page.model.data(last) not in (None, page.model.PLACEHOLDER)


def test_search_by_name_initials_phone_and_community(qtbot, window):
    page = roster(qtbot, window)
    person = page.model.row_at(5)
    for query in (person["name"], person["name_initials"], person["phone"][-5:], person["community_name"]):
        page.search.clear()
        with qtbot.waitSignal(page.model.loaded, timeout=5000):
            if query.isascii():
                qtbot.keyClicks(page.search, query)  # typed, as the clerk would
            else:
                page.search.setText(query)  # QTest cannot type CJK; an input method would
        assert person["name"] in visible_names(page), query
        assert page.model.rowCount() < 70 or query == person["community_name"]
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.search.setText("查无此人")
    assert page.model.rowCount() == 0


def test_ctrl_f_focuses_the_search(qtbot, window):
    page = roster(qtbot, window)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key_F, Qt.ControlModifier)
    assert page.search.hasFocus()


def test_filter_by_group_and_status(qtbot, window):
    page = roster(qtbot, window)
    group_box = page.filters["group_id"]
    index = group_box.findText("新城三组")
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        group_box.setCurrentIndex(index)
    assert page.model.rowCount() == 13
    assert {page.model.row_at(r)["group_name"] for r in range(13)} == {"新城三组"}
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.filters["status"].setCurrentIndex(page.filters["status"].findData("resigned"))
    assert page.model.rowCount() == 0


def open_new_delegate(qtbot, window):
    page = roster(qtbot, window)
    page.view.setFocus()
    qtbot.keyClick(page, Qt.Key_N, Qt.ControlModifier)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    return page, page.dialog


def test_add_with_a_bad_id_is_refused_as_you_type(qtbot, window):
    page, dialog = open_new_delegate(qtbot, window)
    save = dialog.buttons.button(QDialogButtonBox.Save)
    dialog.editors["name"].widget.setText("测试代表")
    community = dialog.editors["community_id"].widget
    community.setCurrentIndex(community.findText("文昌社区"))
    qtbot.keyClicks(dialog.editors["id_number"].widget, "500118197503151231")  # check digit is 8
    assert not save.isEnabled()
    message = dialog.editors["id_number"].message
    assert message.isVisible() and "校验位" in message.text()
    dialog.editors["id_number"].widget.setText("500118197502301238")
    assert "出生日期" in message.text()
    dialog.reject()
    assert page.model.rowCount() == 70


def test_the_core_refusal_marks_the_field_and_keeps_the_store(qtbot, window, demo_dir):
    page, dialog = open_new_delegate(qtbot, window)
    dialog.editors["name"].widget.setText("重复的人")
    first = page.model.row_at(0)
    community = dialog.editors["community_id"].widget
    community.setCurrentIndex(community.findText("文昌社区"))
    # A valid number that already belongs to another delegate: only the core can tell.
    existing = store_of(window).delegates.get(first["id"])["id_number"]
    dialog.editors["id_number"].widget.setText(existing)
    before = digest(store_of(window))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.editors["id_number"].message.isVisible(), timeout=5000)
    assert "相同身份证号" in dialog.editors["id_number"].message.text()
    assert dialog.isVisible()
    assert digest(store_of(window)) == before
    dialog.reject()


def test_add_a_delegate_then_undo_it(qtbot, window):
    page, dialog = open_new_delegate(qtbot, window)
    dialog.editors["name"].widget.setText("欧阳晓")
    community = dialog.editors["community_id"].widget
    community.setCurrentIndex(community.findText("文昌社区"))
    qtbot.keyClicks(dialog.editors["id_number"].widget, "500118199001011237")
    assert dialog.editors["group_id"].widget.currentText() == "新城三组"  # from the community
    assert dialog.editors["birth_date"].value() == "1990-01-01"
    assert dialog.editors["gender"].value() == "男"
    dialog.picker.list.item(0).setCheckState(Qt.Checked)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert not dialog.isVisible()
    assert page.model.rowCount() == 71
    assert window.undo_action.isEnabled() and "欧阳晓" in window.undo_action.text()
    window.activateWindow()  # a window manager does this when the dialog closes
    qtbot.waitUntil(window.isActiveWindow)
    page.view.setFocus()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        qtbot.keyClick(page.view, Qt.Key_Z, Qt.ControlModifier)
    assert page.model.rowCount() == 70
    assert "欧阳晓" not in visible_names(page)


def test_delete_then_restore_from_the_recycle_bin(qtbot, window, monkeypatch):
    page = roster(qtbot, window)
    name = page.model.row_at(3)["name"]
    page.view.selectRow(3)
    page.view.setFocus()
    monkeypatch.setattr("ui.pages.roster.confirm", lambda *a, **k: True)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        qtbot.keyClick(page.view, Qt.Key_Delete)
    assert page.model.rowCount() == 69 and name not in visible_names(page)

    bin_page = open_page(qtbot, window, "recycle")
    assert bin_page.model.rows[0]["title"] == name
    bin_page.view.selectRow(0)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        qtbot.mouseClick(bin_page.toolbar.itemAt(bin_page.toolbar.count() - 1).widget(), Qt.LeftButton)
    assert page.model.rowCount() == 70 and name in visible_names(page)
    wait_idle(qtbot, window.backend)
    assert bin_page.model.rowCount() == 0


def test_sorting_by_header(qtbot, window):
    page = roster(qtbot, window)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.view.sortByColumn(0, Qt.DescendingOrder)
    keys = [page.model.row_at(r)["name_pinyin"] for r in range(70)]
    assert keys == sorted(keys, reverse=True)


def test_a_refused_delete_says_why(qtbot, window, monkeypatch):
    communities = open_page(qtbot, window, "organisation").communities
    communities.view.selectRow(0)
    shown = []
    monkeypatch.setattr("ui.pages.base.confirm", lambda *a, **k: True)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    communities.delete()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "网格" in shown[0] and "不能删除" in shown[0]


def test_a_stored_id_number_is_masked_until_asked_for_and_the_view_is_audited(qtbot, window):
    page = roster(qtbot, window)
    page.view.selectRow(0)
    page.edit()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    dialog = page.dialog
    line = dialog.editors["id_number"].widget
    assert "********" in line.text() and line.isReadOnly()
    assert "id_number" not in dialog.values()
    store = store_of(window)
    full = store.delegates.get(page.model.row_at(0)["id"])["id_number"]
    dialog.findChild(QPushButton, "reveal_id").click()
    # the full number comes from the core, which records who looked
    qtbot.waitUntil(lambda: line.text() == full, timeout=5000)
    assert not line.isReadOnly()
    wait_idle(qtbot, window.backend)
    last = store.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert last["action"] == "view" and "完整身份证号" in last["summary"]
    dialog.reject()


def test_import_wizard_previews_then_imports(qtbot, window, tmp_path, monkeypatch):
    from openpyxl import Workbook

    from app.common.idcard import check_digit
    from ui.import_wizard import start_import

    first17 = "50011819880808123"
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "所在村(社区)", "议事小组"])
    wb.active.append(["新来的代表", first17 + check_digit(first17), "文昌社区", "新城三组"])
    wb.active.append(["号码错的", first17 + "0" if check_digit(first17) != "0" else first17 + "1", "文昌社区", ""])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    page = roster(qtbot, window)
    start_import(page, window.backend, str(path))
    qtbot.waitUntil(lambda: getattr(page, "import_preview", None) is not None, timeout=10000)
    preview = page.import_preview
    assert preview.model.rowCount() == 2 and preview.go.text() == "导入 1 人"
    assert page.model.rowCount() == 70  # nothing written yet
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    with qtbot.waitSignal(page.model.loaded, timeout=10000):
        preview.run_import()
    assert page.model.rowCount() == 71


def test_a_status_change_leaves_the_active_roster(qtbot, window, monkeypatch):
    page = roster(qtbot, window)
    name = page.model.row_at(5)["name"]
    page.view.selectRow(5)
    monkeypatch.setattr("ui.form_dialog.FormDialog.exec", lambda self: 1)
    monkeypatch.setattr("ui.form_dialog.FormDialog.values",
                        lambda self: {"status": "resigned", "day": "2026-11-01", "reason": "工作调动"})
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.change_status()
    assert page.model.rowCount() == 69 and name not in visible_names(page)


def test_an_ods_roster_is_chosen_checked_and_its_formulas_refused(qtbot, window, monkeypatch):
    """The open dialog offers .xls and .ods beside .xlsx; a LibreOffice roster whose names are
    formulas has those rows refused in the preview, the rest importable."""
    from PySide6.QtWidgets import QFileDialog

    from tests.conftest import ROOT
    from ui.import_wizard import start_import

    offered = []

    def choose(parent, caption, folder, filters):
        offered.append(filters)
        return str(ROOT / "tests" / "data" / "roster_formulas.ods"), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    page = roster(qtbot, window)
    start_import(page, window.backend)
    qtbot.waitUntil(lambda: getattr(page, "import_preview", None) is not None, timeout=10000)
    assert all(f"*{suffix}" in offered[0] for suffix in (".xlsx", ".xls", ".ods"))
    preview = page.import_preview
    assert preview.model.rowCount() == 5 and preview.go.text() == "导入 1 人"
    reasons = [preview.model.index(r, c).data() for r in range(5) for c in range(preview.model.columnCount())]
    assert sum("是公式，请改为文字" in str(text) for text in reasons) == 4
    preview.reject()
