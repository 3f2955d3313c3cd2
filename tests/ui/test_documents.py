"""Saving a document from the window: a PDF to file, or a Word file to retouch in WPS or Word. The
save dialog offers both, starts from the type chosen last time, and a Word file is written by the
core from the record (not converted from the PDF)."""

from pathlib import Path

import pytest
from docx import Document
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.services.meetings import MeetingFilter
from tests.ui.conftest import store_of, wait_idle
from tests.ui.test_meetings import open_meeting


@pytest.fixture
def fresh_choices(monkeypatch, tmp_path):
    """No file type remembered yet (the choice belongs to this test alone)."""
    monkeypatch.setenv("YISHI_UI_STATE", str(tmp_path / "ui-state"))


def preview_minutes(qtbot, window, monkeypatch):
    from ui.pdf_preview import PdfPreview

    store = store_of(window)
    meeting = store.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]
    _, editor = open_meeting(qtbot, window, meeting["id"])
    monkeypatch.setattr("ui.pdf_preview.ask", lambda *a, **k: {"dated_on": meeting["date"]})
    editor.preview("minutes", "会议纪要")
    qtbot.waitUntil(lambda: isinstance(getattr(editor, "_preview", None), PdfPreview), timeout=10000)
    return store, meeting, editor._preview


def test_save_a_previewed_document_as_word_and_the_dialog_remembers_it(qtbot, window, monkeypatch, tmp_path,
                                                                        fresh_choices):
    store, meeting, preview = preview_minutes(qtbot, window, monkeypatch)
    asked = []
    # the clerk picks “Word 文档” and types a name without a suffix
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (asked.append(a[2:5]), (str(tmp_path / "纪要"), "Word 文档 (*.docx)"))[1])
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    preview.save_as()
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    wait_idle(qtbot, window.backend)
    default_name, filters, selected = asked[0]
    assert filters == "PDF 文件 (*.pdf);;Word 文档 (*.docx)"
    assert selected == "PDF 文件 (*.pdf)" and default_name.endswith("会议纪要.pdf")  # first time: PDF
    word = tmp_path / "纪要.docx"
    assert "纪要.docx" in shown[0]
    assert Document(str(word)).paragraphs and any(p.text == f"{meeting['title']}纪要" for p in
                                                   Document(str(word)).paragraphs)
    last = store.rows("SELECT summary, details FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")[0]
    assert "会议纪要" in last["summary"] and "纪要.docx" in last["details"]
    # the next time the dialog starts from Word; a PDF chosen then is the previewed file, copied
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (asked.append(a[2:5]), (str(tmp_path / "纪要.pdf"), "PDF 文件 (*.pdf)"))[1])
    preview.save_as()
    default_name, _, selected = asked[1]
    assert selected == "Word 文档 (*.docx)" and default_name.endswith("会议纪要.docx")
    assert Path(tmp_path / "纪要.pdf").read_bytes() == Path(preview.path).read_bytes()
    preview.reject()


def test_export_all_documents_of_a_meeting_as_word(qtbot, window, monkeypatch, tmp_path, fresh_choices):
    store = store_of(window)
    meeting = store.meetings.page(MeetingFilter(kind="plenary", descending=False))[0]
    _, editor = open_meeting(qtbot, window, meeting["id"])
    offered = []
    monkeypatch.setattr("ui.form_dialog.ask", lambda parent, title, specs, values, **k:
                        offered.append((specs[0].choices, values)) or {"suffix": ".docx"})
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    editor.export_all()
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert [value for value, _ in offered[0][0]] == [".pdf", ".docx"] and offered[0][1] == {"suffix": ".pdf"}
    written = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".docx")
    assert written == sorted(f"{meeting['title']}{label}.docx" for label in
                             ("会议纪要", "会议通知", "签到表", "工作流程图", "工作简报"))
    for name in written:
        assert Document(str(tmp_path / name)).paragraphs
    # and the next export of the documents starts from Word
    from ui.save_dialog import preferred_suffix

    assert preferred_suffix("doc") == ".docx"


def test_previewed_documents_go_with_the_program(tmp_path):
    """Each preview is generated into its own folder inside one scratch folder of the session's,
    and the program leaves none of them behind when it ends."""
    import subprocess
    import sys

    script = ("from ui.pdf_preview import _scratch_pdf\n"
              "for title in ('会议纪要', '会议纪要', '议事告知书'):\n"
              "    path = _scratch_pdf(title); path.write_bytes(b'%PDF'); print(path)\n")
    env = {**__import__("os").environ, "TMPDIR": str(tmp_path)}
    made = [Path(line) for line in subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                                  capture_output=True, text=True).stdout.split()]
    assert len({p.parent for p in made}) == 3 and len({p.parent.parent for p in made}) == 1
    assert made[0].parent.parent.parent == tmp_path and made[0].name == "会议纪要.pdf"
    assert list(tmp_path.iterdir()) == []
