"""归档包: the year's registers and documents in one folder for the district."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...backend import DelayedProgress
from ...messages import show_refusal
from ...save_dialog import ask_save_path
from ...widgets import button_row


class ArchiveTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        from app.documents.catalog import DOCS
        from app.fronts.archive import ARCHIVE_DOCS
        from app.registers.catalog import REGISTERS

        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("为区人大常委会生成归档包：所选台账（Excel）和文书（PDF），附 SHA-256 校验清单，可保存为 zip 或文件夹。")
        note.setWordWrap(True)
        layout.addWidget(note)
        grid = QGridLayout()
        self.registers, self.docs = {}, {}
        for i, (name, (title, _)) in enumerate(REGISTERS.items()):
            box = QCheckBox(title)
            box.setChecked(name in ("roster", "groups", "grids", "meetings", "ledger", "stats"))
            grid.addWidget(box, i // 3, i % 3)
            self.registers[name] = box
        layout.addWidget(QLabel("台账"))
        layout.addLayout(grid)
        docs = QGridLayout()
        for i, kind in enumerate(sorted(ARCHIVE_DOCS)):
            box = QCheckBox(DOCS[kind][0])
            box.setChecked(kind in ("filing", "ledger"))
            docs.addWidget(box, i // 3, i % 3)
            self.docs[kind] = box
        layout.addWidget(QLabel("文书"))
        layout.addLayout(docs)
        button_row(layout, [("生成归档包（zip）…", self.build)])
        layout.addStretch(1)

    def build(self) -> None:
        from app.fronts.archive import build_archive

        registers = [n for n, b in self.registers.items() if b.isChecked()]
        docs = [n for n, b in self.docs.items() if b.isChecked()]
        path = ask_save_path(self, "保存归档包", "归档包.zip", "archive")
        if not path:
            return
        job = self.backend.op(lambda s: build_archive(s, path, registers, docs),
                                lambda r: QMessageBox.information(self, "归档包", f"已生成（{len(r['files'])} 个文件，"
                                                                             f"含 SHA-256 清单）：\n{r['path']}"),
                                lambda e: show_refusal(self, e), undoable=False)
        DelayedProgress(self, job, "正在生成归档包…")
