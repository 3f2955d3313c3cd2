"""The year-end editor: drafted text shown, the clerk's rewrite saved, undone, and previewed."""

from tests.conftest import DEMO_YEAR
from tests.ui.conftest import open_page, store_of, wait_idle


def test_the_year_end_editor_keeps_the_clerks_text(qtbot, window, monkeypatch):
    overview = open_page(qtbot, window, "overview")
    overview.open_summary()
    qtbot.waitUntil(lambda: getattr(overview, "summary_editor", None) is not None, timeout=5000)
    editor = overview.summary_editor
    qtbot.addWidget(editor)
    editor.year.setCurrentIndex(editor.year.findData(DEMO_YEAR))
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: "section_effect" in [e.objectName() for e in editor.editors.values()], timeout=5000)
    assert "走访" in editor.editors["effect"].toPlainText()
    assert editor.year.currentData() == DEMO_YEAR  # opened at the demo's year, the last with meetings
    assert editor.cases.count() > 0
    previewed = []
    monkeypatch.setattr("ui.summary_editor.preview_doc", lambda *a, **k: previewed.append(a[2:4]))
    editor.editors["intro"].setPlainText(f"{DEMO_YEAR}年，街道工委扎实推进议事代表会议制度。（修改稿）")
    editor.save(preview=True)
    qtbot.waitUntil(lambda: bool(previewed), timeout=5000)
    store = store_of(window)
    assert previewed == [("summary", str(DEMO_YEAR))]
    assert store.summary.sections(DEMO_YEAR)[0]["text"].endswith("（修改稿）")
    qtbot.waitUntil(lambda: editor.status.text() == "已修改 1 部分", timeout=5000)
    assert "工作总结" in window.backend.undo_summary()
    window.undo()
    wait_idle(qtbot, window.backend)
    assert not store.summary.sections(DEMO_YEAR)[0]["edited"]
