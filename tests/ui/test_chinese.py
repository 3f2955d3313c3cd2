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


# Qt's print and page-setup dialogs: every word a label, button, group, tab or tooltip shows is
# Chinese (Qt's qtbase_zh_CN catalogue lacks a few of them: resources/translations/yishi_qt_zh_CN.ts).
# Paper sizes keep their English names in brackets after the Chinese one ("美国信纸 (Letter)"), as
# Qt's catalogue writes them; units and standards (mm, in, ANSI, JIS, PDF) are as they are.
GLOSS = re.compile(r"\([A-Za-z][^)]*\)")


def dialog_texts(root: QWidget) -> list[str]:
    from PySide6.QtWidgets import QTabBar

    texts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        texts.append(w.toolTip())
        if isinstance(w, QLabel):
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QTabBar):
            texts += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QComboBox):
            texts += [GLOSS.sub(" ", w.itemText(i)) for i in range(w.count())]
    return [t.replace("&", "") for t in texts]


def test_the_print_dialog_speaks_chinese(qtbot, ui_font):
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QApplication, QDialog

    printer = QPrinter(QPrinter.HighResolution)
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = dialog_texts(dialog)  # the options pane ("选项 >>") is collected though folded
    assert "页面组(S)：" in texts  # was "Page &Set:"
    assert {"打印范围", "份数：", "双面打印"} <= set(texts)
    assert english_words(texts) == []

    # 属性: the printer's page set-up (pages per sheet, page order) and job options.
    properties: list[str] = []

    def read_and_close(tries=100):
        box = QApplication.activeModalWidget()
        if isinstance(box, QDialog) and box is not dialog:
            properties.extend(dialog_texts(box))
            box.reject()
        elif tries:  # not shown yet
            QTimer.singleShot(20, lambda: read_and_close(tries - 1))

    QTimer.singleShot(0, read_and_close)
    dialog.findChild(QAbstractButton, "properties").click()
    assert {"每张页数(P)：", "页面顺序(O)：", "任务优先级(R)："} <= set(properties)
    assert english_words(properties) == []


@pytest.mark.qt_log_ignore("Cannot be used on non-native printers")  # no printer installed: the PDF printer
def test_the_page_setup_dialog_speaks_chinese(qtbot, ui_font):
    from PySide6.QtPrintSupport import QPageSetupDialog, QPrinter

    printer = QPrinter(QPrinter.HighResolution)
    dialog = QPageSetupDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = dialog_texts(dialog)
    assert {"页面设置", "纸张大小：", "每张页数(P)：", "页面顺序(O)："} <= set(texts)
    assert english_words(texts) == []


FILE_DIALOG_DATE = """
import sys, time
from ui.main import chinese_dates
with chinese_dates():
    from PySide6.QtWidgets import QApplication, QFileDialog, QTreeView
    app = QApplication(["yishi"])
import os
print(os.environ.get("LC_TIME", "-"), os.environ.get("LC_ALL", "-"))
dialog = QFileDialog(None, "选择文件", sys.argv[1])
dialog.setOption(QFileDialog.DontUseNativeDialog)
dialog.show()
view = dialog.findChild(QTreeView)
end = time.monotonic() + 10
while time.monotonic() < end and not view.model().index(0, 3, view.rootIndex()).data():
    app.processEvents()
print(view.model().index(0, 3, view.rootIndex()).data())
"""


@pytest.mark.parametrize("locale", [{"LANG": "C.UTF-8"}, {"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}])
def test_the_file_dialog_writes_dates_the_chinese_way(tmp_path, locale):
    """Qt's widget file dialog dates files in the system locale: started on a machine in the C or an
    English locale, the app still shows 2026/12/2 04:17, not "2 12 2026 04:17" or "12/2/26 4:17 AM"
    (a process of its own: the system locale is read once, as the application is made)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "花名册.xlsx").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(locale, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).parents[2]))
    run = subprocess.run([sys.executable, "-c", FILE_DIALOG_DATE, str(tmp_path)], env=env, capture_output=True,
                         text=True, timeout=60, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, run.stderr
    restored, date = run.stdout.strip().splitlines()
    assert restored == f"- {locale.get('LC_ALL', '-')}"  # the environment is the clerk's again
    assert re.fullmatch(r"20\d\d/\d{1,2}/\d{1,2} \d\d:\d\d", date), date


def test_chinese_dates_changes_only_the_dates_and_only_while_qt_reads_them():
    from ui.main import chinese_dates

    env = {"LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8"}
    with chinese_dates(env, "linux"):
        assert env["LC_TIME"] == "zh_CN.UTF-8" and "LC_ALL" not in env
        assert env["LC_NUMERIC"] == env["LC_MESSAGES"] == "en_US.UTF-8"  # the rest as it was
    assert env == {"LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8"}
    for untouched, platform in (({"LANG": "zh_CN.UTF-8"}, "linux"), ({"LANG": "C"}, "win32")):
        before = dict(untouched)
        with chinese_dates(untouched, platform):
            assert untouched == before  # already Chinese; Windows tells Qt its own settings
