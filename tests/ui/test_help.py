"""F1 on every area opens the 使用说明 at that area's section; the manual covers every area."""

from PySide6.QtCore import Qt

from tests.ui.conftest import open_page


def test_the_manual_has_a_section_for_every_area_of_the_sidebar(window):
    from app.common.manual import read_manual

    _, sections = read_manual()
    assert [s.key for s in sections] == list(window.areas)
    for section in sections:
        assert section.title == window.areas[section.key][0]
        assert "### 用途" in section.text and ("### 工作流程" in section.text or "### 每天怎么用" in section.text)
        assert "### 程序不让办时" in section.text or "### 常见提示" in section.text


def test_f1_on_each_area_opens_its_section(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for key in window.areas:
        open_page(qtbot, window, key)
        qtbot.keyClick(window, Qt.Key_F1)
        help_window = window.help_window
        assert help_window is not None and help_window.isVisible()
        assert help_window.current_key == key
        title = window.areas[key][0]
        assert help_window.text.toPlainText().startswith(title)
        help_window.close()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
