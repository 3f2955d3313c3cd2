"""Documents on screen: generating one in the worker (asking its 成文日期 and 发文字号 first), its
print preview (QtPdf), printing it through the system's printer dialog, and saving it as a PDF or
a Word file."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from .form_dialog import ask
from .memory import fit_on_screen
from .messages import show_refusal
from .save_dialog import ask_save_path


class PdfPreview(QDialog):
    def __init__(self, path: Path, title: str, on_printed=None, parent=None, notes: list[str] | None = None,
                 save_word=None):
        """`save_word(dialog, target)`: writes the same document as a Word file (the core builds it
        again from the record; a PDF is copied)."""
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        super().__init__(parent)
        self.setWindowTitle(f"打印预览 — {title}")
        fit_on_screen(self, (900, 1000))
        self.path = Path(path)
        self.title = title
        self.on_printed = on_printed
        self.save_word = save_word
        self.document = QPdfDocument(self)
        self.document.load(str(self.path))
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(f"共 {self.document.pageCount()} 页"))
        bar.addStretch(1)
        for text, slot in (("打印…", self.print_pdf), ("另存为…", self.save_as), ("关闭", self.reject)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            bar.addWidget(button)
            if slot == self.save_as:
                button.setToolTip("保存为 PDF 文件（报送、存档），或 Word 文档（可在 WPS 或 Word 中修改）")
                self.save_button = button
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        # What the document left out or set otherwise (a photo whose file is gone, a font set aside):
        # said above the pages, never printed on them.
        self.notes = QLabel("\n".join(f"⚠ {text}" for text in notes or []))
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #b26a00;")
        self.notes.setVisible(bool(notes))
        layout.addWidget(self.notes)
        layout.addWidget(self.view)

    def print_pdf(self) -> None:
        print_document(self, self.document, self.title, self.on_printed)

    def save_as(self) -> None:
        target = ask_save_path(self, "另存为", f"{self.title}.pdf", "doc")
        if not target:
            return
        if target.suffix.lower() == ".pdf":
            try:
                shutil.copyfile(self.path, target)
            except OSError as exc:
                from app.common.errors import environmental

                show_refusal(self, environmental(exc), "无法保存")
                return
            QMessageBox.information(self, "已另存", f"已保存到：\n{target}")  # as the Word file says too
        elif self.save_word:
            self.save_word(self, target)


def print_document(parent, document, title: str, on_printed=None) -> bool:
    """A loaded QPdfDocument through the system's printer dialog; False when not printed."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    painter = QPainter()
    if not painter.begin(printer):
        QMessageBox.warning(parent, "无法打印", "打印机无法开始打印，请检查打印机是否连接。")
        return False
    for index in range(document.pageCount()):
        if index:
            printer.newPage()
        target = painter.viewport()
        size = document.pagePointSize(index)
        scale = min(target.width() / size.width(), target.height() / size.height())
        image = document.render(index, QSize(int(size.width() * scale), int(size.height() * scale)))
        painter.drawImage(0, 0, image)
    painter.end()
    if on_printed:
        on_printed()
    return True


def preview_available() -> bool:
    try:
        import PySide6.QtPdfWidgets  # noqa: F401
    except ImportError:
        return False
    return True


def show_pdf(parent, path: Path, title: str, on_printed=None, notes: list[str] | None = None,
             save_word=None) -> None:
    """Preview with QtPdf when installed, else hand the file to the system's PDF viewer (and say
    the document's notes in a message)."""
    if preview_available():
        dialog = PdfPreview(path, title, on_printed, parent, notes, save_word)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        parent._preview = dialog
    else:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        if notes:
            QMessageBox.information(parent, title, "\n".join(notes))


# -- generating a document, then previewing it -------------------------------------------------------
def preview_doc(parent, backend, kind: str, record_id: str | None, title: str, straight: bool = False,
                **options) -> None:
    """Generate a PDF in the worker, then preview and print it; printing is audited. A document
    that carries a 成文日期 (and, when sent out, a 发文字号) asks for them first: the kept ones, or
    what its record says, are filled in. `straight` (Ctrl+P): to the printer dialog, no preview."""
    from app.documents.catalog import DATED

    if kind in DATED and record_id:
        from app.documents.dating import issue_form

        backend.query(lambda s: issue_form(s, kind, record_id),
                     lambda form: _ask_issue(parent, backend, form, record_id, title, options, straight),
                     lambda e: show_refusal(parent, e))
        return
    if straight:
        print_doc(parent, backend, kind, record_id, title, None, **options)
    else:
        _generate(parent, backend, kind, record_id, title, options)


def _ask_issue(parent, backend, form: dict, record_id: str, title: str, options: dict, straight: bool = False) -> None:
    from app.services.base import FieldSpec

    specs = [FieldSpec("dated_on", "成文日期", "date", required=True)]
    values = {"dated_on": form["dated_on"], "doc_number": form["doc_number"]}
    notes = ["成文日期与记录一并保存，以后再导出、打印都用这个日期。"]
    if form["numbered"] and form["masthead"]:
        specs.append(FieldSpec("doc_number", "发文字号"))
        if form["suggested_number"]:
            notes.append(f"发文字号可只填序号，如 {form['suggested_number']}（按“设置”中的格式生成完整字号）。")
    if form["draft_needed"]:
        notes.insert(0, "这次会议尚未召开：将生成标明“草稿”的纪要，会后把状态改为“已召开”再生成正式纪要。")
    answer = ask(parent, f"{'打印' if straight else '生成'}{title}", specs, values, note="\n".join(notes),
                 ok="打印…" if straight else "生成")
    if answer is None:
        return
    options = {**options, "dated_on": answer["dated_on"], "draft": form["draft_needed"]}
    if "doc_number" in answer and (answer["doc_number"] or "") != form["doc_number"]:
        options["doc_number"] = answer["doc_number"] or ""
    if straight:
        print_doc(parent, backend, form["kind"], record_id, title, None, **options)
    else:
        _generate(parent, backend, form["kind"], record_id, title, options)


@functools.cache
def _scratch_folder() -> tempfile.TemporaryDirectory:
    """This session's scratch folder, removed when the program ends (a PDF still open in another
    program must not stop the program from closing)."""
    return tempfile.TemporaryDirectory(prefix="yishi-preview-", ignore_cleanup_errors=True)


def _scratch_pdf(title: str) -> Path:
    """Where a document is generated for its preview or the printer: a folder of its own inside
    the session's scratch folder (a clerk previews dozens of documents a day; the system's
    temporary folder is rarely emptied on an office PC)."""
    return Path(tempfile.mkdtemp(dir=_scratch_folder().name)) / f"{title}.pdf"

def _generate(parent, backend, kind: str, record_id: str | None, title: str, options: dict) -> None:
    from app.documents.catalog import export_doc

    from .backend import DelayedProgress

    path = _scratch_pdf(title)

    def printed():
        from app.documents.catalog import record_printed

        backend.op(lambda s: record_printed(s, kind, record_id, title))

    def save_word(dialog, target: Path) -> None:
        # the same record and choices; its 成文日期 and 发文字号 are kept with it since the preview
        again = {key: value for key, value in options.items() if key not in ("dated_on", "doc_number")}
        job = backend.op(lambda s: export_doc(s, kind, record_id, target, **again),
                         lambda result: QMessageBox.information(dialog, "已保存", f"已保存为 Word 文档：{result['path']}"),
                         lambda e: show_refusal(dialog, e), undoable=False)
        DelayedProgress(dialog, job, f"正在保存{title}（Word 文档）…")

    job = backend.op(lambda s: export_doc(s, kind, record_id, path, **options),
                       lambda result: show_pdf(parent, path, title, printed, result["notes"], save_word),
                       lambda e: show_refusal(parent, e), undoable=False)  # keeps the date it was issued on
    DelayedProgress(parent, job, f"正在生成{title}…")


def print_doc(parent, backend, kind: str, record_id: str | None, title: str, done=None, **options) -> None:
    """文件 › 打印 (Ctrl+P) of a document with no 成文日期 to ask: generated in the worker, then
    straight to the printer dialog, no preview (where QtPdf is missing, the preview's fallback)."""
    from app.documents.catalog import export_doc, record_printed

    from .backend import DelayedProgress

    path = _scratch_pdf(title)

    def printed():
        backend.op(lambda s: record_printed(s, kind, record_id, title))

    def generated(result):
        if not preview_available():
            show_pdf(parent, path, title, printed, result["notes"])
            return
        from PySide6.QtPdf import QPdfDocument

        document = QPdfDocument(parent)
        document.load(str(path))
        try:
            ok = print_document(parent, document, title, printed)
        finally:
            document.close()
            document.deleteLater()
        if done:
            done(ok)

    job = backend.op(lambda s: export_doc(s, kind, record_id, path, **options), generated,
                     lambda e: show_refusal(parent, e), undoable=False)
    DelayedProgress(parent, job, f"正在生成{title}…")
