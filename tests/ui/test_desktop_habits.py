"""What a clerk expects of a desktop program (issue 23): a window title that tells two open offices
apart, an export dialog that starts in the folder of the last export, 另存为 that says where it saved."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.ui.conftest import open_page, store_of, wait_idle


@pytest.fixture
def fresh_choices(monkeypatch, tmp_path):
    """No folder or file type remembered yet (the choices belong to this test alone)."""
    monkeypatch.setenv("YISHI_UI_STATE", str(tmp_path / "ui-state"))


def test_the_title_names_the_office_and_follows_the_settings(qtbot, window):
    name = store_of(window).settings.get("site_name")
    assert name
    qtbot.waitUntil(lambda: window.windowTitle().startswith(f"{name} — 议事工作台"), timeout=5000)
    settings = open_page(qtbot, window, "settings")
    settings.edits["site_name"].setText("新城三组")
    settings.save()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: window.windowTitle().startswith("新城三组 — 议事工作台"), timeout=5000)


def test_an_office_not_named_yet_is_told_by_its_data_folder(qtbot, tmp_path, ui_font):
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
        qtbot.waitUntil(lambda: str(tmp_path / "new") in window.windowTitle(), timeout=5000)
        assert window.windowTitle().startswith("本办公室（数据目录 ")
    finally:
        backend.shutdown()


def test_the_save_dialog_starts_in_the_folder_of_the_last_export(qtbot, tmp_path, fresh_choices, monkeypatch):
    from ui.save_dialog import ask_save_path

    stick = tmp_path / "U盘"
    stick.mkdir()
    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, caption, name, *a: (offered.append(name), (str(stick / Path(name).name), ""))[1])
    assert ask_save_path(None, "导出花名册", "花名册.xlsx", "register") == stick / "花名册.xlsx"
    assert offered[0] == "花名册.xlsx"  # nothing remembered yet
    ask_save_path(None, "导出台账", "意见建议台账.xlsx", "register")
    assert Path(offered[1]) == stick / "意见建议台账.xlsx"  # documents too: one folder for every export
    ask_save_path(None, "另存为", "会议纪要.pdf", "doc")
    assert Path(offered[2]).parent == stick
    stick.rename(tmp_path / "拔出")  # the stick is gone: the name alone again
    ask_save_path(None, "导出花名册", "花名册.xlsx", "register")
    assert offered[3] == "花名册.xlsx"


def test_save_as_pdf_from_the_preview_says_where_it_saved(qtbot, tmp_path, fresh_choices, monkeypatch, ui_font):
    from PySide6.QtGui import QPageSize, QPainter, QPdfWriter

    from ui.pdf_preview import PdfPreview

    pdf = tmp_path / "预览.pdf"
    writer = QPdfWriter(str(pdf))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    painter.drawText(100, 100, "会议纪要")
    painter.end()
    preview = PdfPreview(pdf, "会议纪要")
    qtbot.addWidget(preview)
    target = tmp_path / "报送" / "纪要.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)"))
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    preview.save_as()
    assert target.read_bytes() == pdf.read_bytes()
    assert shown and str(target) in shown[0]


def test_an_empty_list_says_what_to_do(qtbot, window):
    roster = open_page(qtbot, window, "roster")
    qtbot.waitUntil(lambda: roster.model.rowCount() > 0, timeout=10000)
    roster.search.setText("没有这个人")
    qtbot.waitUntil(lambda: roster.model.rowCount() == 0, timeout=10000)
    assert roster.view.empty_hint().startswith("没有符合搜索或筛选条件的记录")
    roster.search.clear()
    wait_idle(qtbot, window.backend)
    assert roster.view.empty_hint().startswith("还没有记录")  # 在任, the roster's own default, is no filter
    roster.filters["status"].setCurrentIndex(2)  # 辞职: should none have resigned, the filter is why
    assert roster.view.empty_hint().startswith("没有符合搜索或筛选条件的记录")


def test_a_new_offices_list_names_the_buttons_that_start_it(qtbot, tmp_path, ui_font):
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
        roster = open_page(qtbot, window, "roster")
        wait_idle(qtbot, backend)
        assert roster.model.rowCount() == 0
        hint = roster.view.empty_hint()
        assert hint.startswith("还没有记录") and "新增代表" in hint and "从 Excel 导入" in hint
        assert roster.view.grab().toImage().width() > 0  # painted without a warning
    finally:
        backend.shutdown()


def test_a_folder_chosen_for_a_backup_or_a_package_is_where_the_next_export_starts(tmp_path, fresh_choices,
                                                                                   monkeypatch):
    from ui.save_dialog import ask_folder, ask_save_path

    stick = tmp_path / "U盘"
    stick.mkdir()
    started = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, caption, folder="": (started.append(folder), str(stick))[1])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda parent, caption, name, *a: (started.append(name), ("", ""))[1])
    assert ask_folder(None, "备份到") == str(stick)
    assert started[0] == ""
    ask_save_path(None, "导出花名册", "花名册.xlsx", "register")  # cancelled: nothing remembered from it
    assert Path(started[1]) == stick / "花名册.xlsx"
    ask_folder(None, "选择U盘或文件夹")
    assert started[2] == str(stick)


def test_every_greyed_button_of_every_area_says_why(qtbot, window):
    """A disabled button tells why in its tooltip (“请先选择…”), on every tab of every area as it opens."""
    from PySide6.QtWidgets import QPushButton

    silent, greyed = [], 0
    for key, (title, _) in window.areas.items():
        page = open_page(qtbot, window, key)
        tabs = getattr(page, "tabs", None)
        for index in range(tabs.count() if tabs is not None else 1):
            if tabs is not None:
                tabs.setCurrentIndex(index)
                wait_idle(qtbot, window.backend)
            where = f"{title} › {tabs.tabText(index)}" if tabs is not None else title
            off = [b for b in page.findChildren(QPushButton) if b.isVisible() and not b.isEnabled()]
            greyed += len(off)
            silent += [f"{where} › {b.text()}" for b in off if not b.toolTip().strip()]
    assert not silent, sorted(set(silent))
    assert greyed > 10  # (编辑, 删除… before a row is chosen)
