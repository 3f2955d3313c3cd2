"""归档包: the year's registers and documents in one folder for the district: any document kind,
the per-record ones (minutes, briefs, plans...) once for every record of the chosen year."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...backend import DelayedProgress
from ...messages import show_refusal
from ...save_dialog import ask_save_path
from ...widgets import NoWheelSpin, button_row


class ArchiveTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        from app.fronts.archive import ARCHIVE_DOCS, archive_label
        from app.registers.catalog import REGISTERS

        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("为区人大常委会生成归档包：所选台账（Excel）和文书（PDF），附 SHA-256 校验清单，可保存为 zip 或文件夹。"
                      "会议纪要、工作简报、议事方案等按记录的文书，放入所选年度的每一份。")
        note.setWordWrap(True)
        layout.addWidget(note)
        row = QHBoxLayout()
        row.addWidget(QLabel("归档年度"))
        self.year = NoWheelSpin()
        self.year.setRange(2000, 2100)
        self.year.setSuffix(" 年")
        self.year.setValue(date.today().year - 1)
        self.year_asked = False  # the year-end summary's year is asked of the store when first shown
        row.addWidget(self.year)
        row.addStretch(1)
        layout.addLayout(row)
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
        for i, kind in enumerate(ARCHIVE_DOCS):
            box = QCheckBox(archive_label(kind))
            box.setChecked(kind in ("filing", "ledger"))
            docs.addWidget(box, i // 3, i % 3)
            self.docs[kind] = box
        layout.addWidget(QLabel("文书"))
        layout.addLayout(docs)
        button_row(layout, [("生成归档包（zip）…", self.build)])
        layout.addStretch(1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.year_asked:
            self.year_asked = True
            self.backend.query(lambda s: s.summary.default_year(), self.year.setValue)

    def build(self) -> None:
        from app.fronts.archive import build_archive

        registers = [n for n, b in self.registers.items() if b.isChecked()]
        docs = [n for n, b in self.docs.items() if b.isChecked()]
        path = ask_save_path(self, "保存归档包", "归档包.zip", "archive")
        if not path:
            return
        year = self.year.value()

        def done(r):
            QMessageBox.information(self, "归档包", f"已生成{r['year']}年归档包（{len(r['files'])} 个文件，"
                                                  f"含 SHA-256 清单）：\n{r['path']}")

        job = self.backend.op(lambda s: build_archive(s, path, registers, docs, year=year), done,
                              lambda e: show_refusal(self, e), undoable=False)
        DelayedProgress(self, job, "正在生成归档包…")
