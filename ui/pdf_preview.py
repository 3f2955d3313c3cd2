"""Print preview of a generated PDF (QtPdf) and printing it through the system's printer dialog."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout


class PdfPreview(QDialog):
    def __init__(self, path: Path, title: str, on_printed=None, parent=None):
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        super().__init__(parent)
        self.setWindowTitle(f"打印预览 — {title}")
        self.resize(900, 1000)
        self.path = Path(path)
        self.title = title
        self.on_printed = on_printed
        self.document = QPdfDocument(self)
        self.document.load(str(self.path))
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(f"共 {self.document.pageCount()} 页"))
        bar.addStretch(1)
        for text, slot in (("打印…", self.print_pdf), ("另存为 PDF…", self.save_as), ("关闭", self.reject)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def print_pdf(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.HighResolution)
        printer.setDocName(self.title)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.Accepted:
            return
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "无法打印", "打印机无法开始打印，请检查打印机是否连接。")
            return
        pages = range(self.document.pageCount())
        for index in pages:
            if index:
                printer.newPage()
            target = painter.viewport()
            size = self.document.pagePointSize(index)
            scale = min(target.width() / size.width(), target.height() / size.height())
            image = self.document.render(index, QSize(int(size.width() * scale), int(size.height() * scale)))
            painter.drawImage(0, 0, image)
        painter.end()
        if self.on_printed:
            self.on_printed()

    def save_as(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, "另存为", f"{self.title}.pdf", "PDF 文件 (*.pdf)")
        if target:
            shutil.copyfile(self.path, target)


def preview_available() -> bool:
    try:
        import PySide6.QtPdfWidgets  # noqa: F401
    except ImportError:
        return False
    return True


def show_pdf(parent, path: Path, title: str, on_printed=None) -> None:
    """Preview with QtPdf when installed, else hand the file to the system's PDF viewer."""
    if preview_available():
        dialog = PdfPreview(path, title, on_printed, parent)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        parent._preview = dialog
    else:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
