"""使用说明 in the window: F1 opens the section of the area in front; the whole prints as a PDF."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QMessageBox, QTextBrowser, QVBoxLayout

from app.common.manual import read_manual

from .memory import fit_on_screen
from .messages import show_refusal
from .save_dialog import ask_save_path
from .widgets import button_row


class HelpWindow(QDialog):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("议事工作台使用说明")
        fit_on_screen(self, (900, 640))
        intro, self.sections = read_manual()
        self.contents = QListWidget()
        self.contents.setObjectName("help_contents")
        self.contents.addItem("说明")
        for section in self.sections:
            self.contents.addItem(section.title)
        self.contents.setFixedWidth(140)
        self.text = QTextBrowser()
        self.text.setObjectName("help_text")
        self.text.setOpenExternalLinks(False)
        self._intro = intro
        self.contents.currentRowChanged.connect(self._show)
        body = QHBoxLayout()
        body.addWidget(self.contents)
        body.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        button_row(layout, (("导出 PDF…", self.export_pdf), ("关闭", self.close)))
        self.current_key = ""
        self.contents.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if row <= 0:
            self.current_key = ""
            self.text.setMarkdown(self._intro)
            return
        section = self.sections[row - 1]
        self.current_key = section.key
        self.text.setMarkdown(section.text)
        self.text.verticalScrollBar().setValue(0)

    def show_section(self, key: str) -> None:
        """Turn to the section of area `key` (the introduction when the area has none)."""
        keys = [s.key for s in self.sections]
        self.contents.setCurrentRow(keys.index(key) + 1 if key in keys else 0)

    def export_pdf(self) -> None:
        path = ask_save_path(self, "导出使用说明", "议事工作台使用说明.pdf", "manual")
        if not path:
            return
        from app import __version__
        from app.documents.manual_pdf import build_manual

        # Built in the worker: laying out a dozen pages of Chinese takes a moment.
        self.backend.query(lambda _store: str(build_manual(path, __version__)),
                           lambda done: QMessageBox.information(self, "已导出", f"使用说明已保存为：\n{done}"),
                           lambda e: show_refusal(self, e))
