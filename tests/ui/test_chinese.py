"""No English word reaches the clerk: every area's widgets (labels, buttons, tabs, headers,
menus, placeholders, tooltips), the meeting and opinion windows, and Qt's own file dialog."""

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QTreeView,
    QWidget,
)

from tests.ui.conftest import open_page, store_of, wait_idle

# Names and formats a Chinese office uses as they are.
ALLOWED = {"PDF", "Excel", "WPS", "USB", "Ctrl", "Esc", "Enter", "Shift", "Tab", "Del", "GB", "xlsx", "xls",
           "pdf", "docx", "doc", "jpg", "jpeg", "png", "yspkg", "zip", "db", "SHA", "ID", "QR", "Word", "wps",
           "Delete", "Home", "End", "Space"}  # keys, as the keyboard labels them
WORD = re.compile(r"(?<![A-Za-z_])[A-Za-z][A-Za-z_]{2,}")


def visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        texts.append(w.toolTip())
        if isinstance(w, QLabel):
            texts.append(re.sub(r"<[^>]+>", "", w.text()))  # rich text: the words, not the tags
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            header = getattr(w, "horizontalHeader", None)
            columns = header().count() if header else 1
            texts += [str(model.headerData(c, Qt.Horizontal) or "") for c in range(columns)]
        for action in w.actions():
            texts += [action.text(), action.toolTip()]
    return texts


# Data shown as it is: file paths, site ids (whole, or their first 8 hex digits: "3dee1f2a").
DATA = re.compile(r"(?:[A-Za-z]:)?[\w.~-]*[/\\][^\s\u3000（）]*|[0-9a-f]{8}-[0-9a-f-]{27}"
                  r"|(?<![0-9A-Za-z])[0-9a-f]{8}(?![0-9A-Za-z])")


def english_words(texts) -> list[str]:
    found = []
    for text in texts:
        found += [w for w in WORD.findall(DATA.sub(" ", text or "")) if w not in ALLOWED and not w.isupper()]
    return found


def test_the_check_sees_english():
    assert english_words(["Look in:", "查找范围：", "导出 PDF", "/tmp/data", "（站点编号 3dee1f2a）"]) == ["Look"]


@pytest.mark.parametrize("area", ["overview", "roster", "nomination", "organisation", "venues", "meetings",
                                  "opinions", "data", "recycle", "settings"])
def test_every_area_speaks_chinese(qtbot, window, area):
    page = open_page(qtbot, window, area)
    texts = visible_texts(page)
    assert len(texts) > 20
    assert english_words(texts) == []


def test_the_meeting_and_opinion_windows_speak_chinese(qtbot, window):
    from app.services.meetings import MeetingFilter
    from ui.meeting_editor import MeetingEditor
    from ui.opinion_dialog import OpinionDialog

    store = store_of(window)
    for kind in ("plenary", "reception"):
        meeting = store.meetings.page(MeetingFilter(kind=kind), limit=1)[0]
        editor = MeetingEditor(window.backend, meeting["id"], window)
        qtbot.addWidget(editor)
        qtbot.waitUntil(lambda e=editor: e.built, timeout=5000)
        assert english_words(visible_texts(editor)) == []
    opinion = store.rows("SELECT id FROM opinions WHERE deleted = 0 LIMIT 1")[0]
    dialog = OpinionDialog(window.backend, opinion["id"], window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    wait_idle(qtbot, window.backend)
    assert english_words(visible_texts(dialog)) == []


@pytest.mark.parametrize("mode", [QFileDialog.ExistingFile, QFileDialog.Directory, QFileDialog.AnyFile])
def test_qts_file_dialog_speaks_chinese(qtbot, ui_font, tmp_path, mode):
    (tmp_path / "子文件夹").mkdir()
    (tmp_path / "花名册.xlsx").write_bytes(b"")
    dialog = QFileDialog(None, "选择文件", str(tmp_path), "Excel 工作簿 (*.xlsx)")
    dialog.setOption(QFileDialog.DontUseNativeDialog)  # what UOS and Kylin show
    dialog.setFileMode(mode)
    qtbot.addWidget(dialog)
    dialog.show()
    view = dialog.findChild(QTreeView)  # the details view: name, size, type, date
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) >= 1, timeout=5000)
    kinds = [view.model().index(r, 2, view.rootIndex()).data() for r in range(view.model().rowCount(view.rootIndex()))]
    assert "文件夹" in kinds
    assert english_words(visible_texts(dialog) + [str(k) for k in kinds]) == []
