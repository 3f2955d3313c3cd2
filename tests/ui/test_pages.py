import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from tests.ui.conftest import open_page, store_of, wait_idle


def test_list_models_pass_the_model_tester(qtbot, qtmodeltester, window):
    organisation = open_page(qtbot, window, "organisation")
    venues = open_page(qtbot, window, "venues")
    recycle = open_page(qtbot, window, "recycle")
    for page in (organisation.communities, organisation.grids, organisation.groups, venues, recycle):
        qtmodeltester.check(page.model)
    assert organisation.communities.model.rowCount() == 25
    assert organisation.grids.model.rowCount() == 534
    assert venues.model.rowCount() == 17  # the centre, 5 area halls, 10 neighbourhood halls and one being built


def test_overview_shows_the_demo_figures(qtbot, window):
    overview = open_page(qtbot, window, "overview")
    assert overview.cards["delegates"].value.text() == "70 人在任"
    assert overview.cards["grids"].value.text() == "534 个"
    assert "议事中心 1" in overview.cards["venues"].detail.text()
    # the demo's year is the last one: its meetings stand next to this year's
    assert "上年已开大会 2 次、分组活动 20 次" in overview.cards["meetings"].detail.text()
    texts = [overview.attention.item(i).text() for i in range(overview.attention.count())]
    # an answered opinion whose feedback is late is listed once, as such
    late = [t for t in texts if t.startswith(("【意见逾期】", "【反馈逾期】"))]
    serials = [t.split("】")[1].split(" ")[0] for t in late]
    assert len(serials) == len(set(serials)) and any(t.startswith("【反馈逾期】") for t in late)
    # a group or hall that missed several periods is one line, its periods together
    missed = store_of(window).cadence.attention()["missed"]
    assert len([t for t in texts if t.startswith("【未召开】")]) == len({m["subject"] for m in missed})
    for subject in {m["subject"] for m in missed}:
        periods = "、".join(m["period"] for m in missed if m["subject"] == subject)
        assert any(t.startswith(f"【未召开】{subject} {periods}") for t in texts)


def test_bulk_create_grids_from_the_grids_tab(qtbot, window, monkeypatch):
    grids = open_page(qtbot, window, "organisation").grids
    index = grids.community.findText("双竹村")
    grids.community.setCurrentIndex(index)
    wait_idle(qtbot, window.backend)
    before = grids.model.rowCount()

    def fill(dialog):
        dialog.range.setText(f"{before + 1}-{before + 5}")
        return QDialog.Accepted

    monkeypatch.setattr("ui.pages.organisation.BulkGridDialog.exec", fill)
    grids.bulk_create()
    qtbot.waitUntil(lambda: grids.model.rowCount() == before + 5, timeout=5000)
    assert grids.model.rows[-1]["name"] == f"第{before + 5}网格"
    assert window.undo_action.isEnabled()


def test_group_page_warns_when_a_group_is_short_of_deputies(qtbot, window):
    store = store_of(window)
    groups = open_page(qtbot, window, "organisation").groups
    deputy = store.rows("SELECT id FROM delegates WHERE group_role = 'deputy_leader' LIMIT 1")[0]["id"]
    window.backend.op(lambda s: s.delegates.update(deputy, {"group_role": "member"}), summary="调整职务")
    qtbot.waitUntil(lambda: not groups.warnings.isHidden(), timeout=5000)
    assert "副组长 2 人，现有 1 人" in groups.warnings.text()


def test_add_a_venue_with_rooms_and_facilities(qtbot, window):
    venues = open_page(qtbot, window, "venues")
    before = venues.model.rowCount()
    venues.add()
    qtbot.waitUntil(lambda: getattr(venues, "dialog", None) is not None and venues.dialog.isVisible(),
                    timeout=5000)
    dialog = venues.dialog
    dialog.editors["name"].widget.setText("礼悦东方二期邻里议事堂")
    for box in dialog.editors["facilities"].boxes[:3]:
        box.setChecked(True)
    from ui.pages.venues import RoomsEditor

    extra = dialog.findChild(RoomsEditor)  # under the fields, in the part that scrolls
    extra.text.setPlainText("议事室\n接待室")
    dialog.buttons.button(QDialogButtonBox.Save).click()
    qtbot.waitUntil(lambda: venues.model.rowCount() == before + 1, timeout=5000)
    row = next(r for r in venues.model.rows if r["name"] == "礼悦东方二期邻里议事堂")
    assert row["room_names"] == "议事室、接待室"
    assert row["facilities_list"] == ["标牌", "议事制度上墙", "会议桌椅"]


def test_export_the_groups_register_from_its_tab(qtbot, window, monkeypatch, tmp_path):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

    target = tmp_path / "分组名单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    groups = open_page(qtbot, window, "organisation").groups
    button = next(b for b in groups.findChildren(QPushButton) if b.text() == "导出台账…")
    button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "70 行" in shown[0]
    ws = load_workbook(target).active
    assert next(c.value for c in ws[1] if c.value).endswith("议事代表分组名单") and ws.max_row == 73


def test_settings_show_the_document_faces_and_keep_the_clerk_and_layout(qtbot, window, monkeypatch, tmp_path):
    from app.documents.fonts import font_report

    page = open_page(qtbot, window, "settings")
    store = store_of(window)
    report = {row["role"]: row for row in font_report(store)}
    shown = page.font_rows["fangsong"].text()
    assert report["fangsong"]["face"] in shown
    # a free face standing in for 仿宋 is flagged; an official one is not
    assert ("⚠" in shown) == bool(report["fangsong"]["warning"])
    assert page.edits["clerk_name"].text() == "刘晓燕"
    page.edits["clerk_name"].setText("王晓红")
    page.layout_choice.setCurrentIndex(page.layout_choice.findData("no_seal"))
    page.save()
    wait_idle(qtbot, window.backend)
    assert store.settings.get("clerk_name") == "王晓红" and store.settings.get("seal_layout") == "no_seal"
    # a chosen font file that cannot be embedded is refused with the reason, and nothing is kept
    bad = tmp_path / "假字体.ttf"
    bad.write_bytes(b"not a font")
    refused = []
    monkeypatch.setattr("ui.pages.settings.show_refusal", lambda parent, error: refused.append(str(error)))
    page.save_font("fangsong", str(bad))
    wait_idle(qtbot, window.backend)
    assert refused and "TrueType" in refused[0] and not store.settings.get("font_fangsong")


def test_an_office_that_prints_a3_sets_it_once_and_registers_follow(qtbot, window, monkeypatch, tmp_path):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

    page = open_page(qtbot, window, "settings")
    store = store_of(window)
    assert page.paper_choice.currentData() == "a4"  # the default
    page.paper_choice.setCurrentIndex(page.paper_choice.findData("a3"))
    page.save()
    wait_idle(qtbot, window.backend)
    assert store.settings.register_paper() == "a3"
    target = tmp_path / "分组名单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    groups = open_page(qtbot, window, "organisation").groups
    next(b for b in groups.findChildren(QPushButton) if b.text() == "导出台账…").click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "A3 横向" in shown[0]
    assert load_workbook(target).active.page_setup.paperSize == 8  # A3


def test_settings_refuse_a_font_without_chinese_saying_what_it_lacks(qtbot, window, monkeypatch, tmp_path):
    """The clerk picks a Latin-only face as 仿宋 through the file dialog: the refusal box says how
    many characters it lacks, and 设置 keeps the face it had; a face that passes is then shown."""
    import shutil

    from app.common.resources import shipped_dir
    from tests.app.documents.font_files import latin_only

    page = open_page(qtbot, window, "settings")
    store = store_of(window)
    before = page.font_rows["fangsong"].text()
    picked = [str(latin_only(tmp_path / "Arial.ttf"))]
    monkeypatch.setattr("ui.pages.settings.QFileDialog.getOpenFileName", lambda *a, **k: (picked[0], ""))
    refused = []
    monkeypatch.setattr("ui.pages.settings.show_refusal", lambda parent, error: refused.append(str(error)))
    page.choose_font("fangsong")
    wait_idle(qtbot, window.backend)
    assert refused == ["正文字体文件（仿宋）“Arial.ttf”：这个字体缺少 6,764 个常用汉字（如“议”“事”），"
                       "以及 188 个标点、数字或字母（如“、”“。”），不能用于公文"]
    assert not store.settings.get("font_fangsong") and page.font_rows["fangsong"].text() == before
    picked[0] = str(tmp_path / "楷体_GB2312.ttf")
    shutil.copy(shipped_dir("resources") / "fonts" / "gkai00mp.ttf", picked[0])
    page.choose_font("fangsong")
    wait_idle(qtbot, window.backend)
    assert len(refused) == 1 and store.settings.get("font_fangsong") == picked[0]
    assert "文鼎PL简中楷 （所选文件）" in page.font_rows["fangsong"].text()


@pytest.mark.parametrize("typed, saved", [("分组名单.pdf", None), ("分组名单", "分组名单.xlsx"),
                                          ("分组名单.XLSX", "分组名单.XLSX")])
def test_the_save_dialog_never_writes_a_register_under_another_suffix(qtbot, window, monkeypatch, tmp_path, typed,
                                                                       saved):
    """Qt's own dialog returns what was typed: a .pdf name for an Excel register is refused with
    the right suffix named, and a name without one gets .xlsx."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

    folder = tmp_path / "导出"
    folder.mkdir()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (asked.append(a[3]), (str(folder / typed), ""))[1])
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    groups = open_page(qtbot, window, "organisation").groups
    next(b for b in groups.findChildren(QPushButton) if b.text() == "导出台账…").click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert asked == ["Excel 工作簿 (*.xlsx)"]
    wait_idle(qtbot, window.backend)
    if saved is None:
        assert ".xlsx" in shown[0] and "分组名单.xlsx" in shown[0]
        assert list(folder.iterdir()) == []
    else:
        assert "70 行" in shown[0]
        assert [p.name for p in folder.iterdir()] == [saved]


def test_the_register_of_issued_numbers_is_exported_from_the_settings(qtbot, window, monkeypatch, tmp_path):
    """发文登记: where the 文号 is set, the numbers handed out under it, as a register."""
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

    from app.documents.catalog import export_doc

    store = store_of(window)
    failed = []
    window.backend.op(lambda s: export_doc(s, "filing", None, tmp_path / "备案报告.pdf"), lambda _: None, failed.append)
    wait_idle(qtbot, window.backend)
    assert not failed, failed
    numbers = {r["doc_number"] for r in store.issued_docs.register(None)}
    page = open_page(qtbot, window, "settings")
    target = tmp_path / "发文登记簿.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    next(b for b in page.findChildren(QPushButton) if b.text() == "导出发文登记簿…").click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    cells = [str(c.value) for row in load_workbook(target).active.iter_rows() for c in row if c.value]
    assert any(c.endswith("发文登记簿") for c in cells) and numbers and numbers <= set(cells)
