"""年度工作总结 editor: each part as drafted from the year's records, rewritten by the clerk where
she likes (her text is kept and printed from then on), the typical cases ticked, then previewed."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .memory import fit_on_screen
from .messages import show_refusal
from .pdf_preview import preview_doc
from .widgets import NoWheelCombo, add_buttons, add_check_item, checked_values


class SummaryEditor(QDialog):
    def __init__(self, backend, year: int, parent=None):
        super().__init__(parent)
        self.setObjectName("summary_editor")
        self.setWindowTitle("年度工作总结")
        self.backend = backend
        fit_on_screen(self, (960, 720))
        self.year = NoWheelCombo()
        this_year = date.today().year
        for y in range(this_year, this_year - 4, -1):
            self.year.addItem(f"{y}年", y)
        self.year.setCurrentIndex(max(self.year.findData(year), 0))
        self.year.currentIndexChanged.connect(lambda _: self.load())
        self.status = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("年度："))
        top.addWidget(self.year)
        top.addWidget(self.status, 1)
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.editors: dict[str, QPlainTextEdit] = {}
        self.drafts: dict[str, str] = {}
        self.cases = QListWidget()
        self.cases.setObjectName("summary_cases")
        self.cases.setMaximumHeight(120)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("各部分按所选年度的数据自动起草；直接修改即可，保存后以您的文字为准。"
                                "“恢复自动生成”则重新按数据起草。"))
        layout.addWidget(scroll, 1)
        layout.addWidget(QLabel("典型案例（写入“四、确保议事效果”）："))
        layout.addWidget(self.cases)
        row = QHBoxLayout()
        row.addStretch(1)
        add_buttons(row, (("保存", self.save), ("保存并预览…", lambda: self.save(preview=True)),
                          ("关闭", self.reject)))
        layout.addLayout(row)
        self.load()

    def load(self) -> None:
        year = self.year.currentData()
        self.backend.query(lambda s: (s.summary.sections(year, every_part=True), s.summary.case_choices(year),
                                      s.summary.cases(year)), self._show, lambda e: show_refusal(self, e))

    def _show(self, result) -> None:
        sections, choices, chosen = result
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.editors.clear()
        for section in sections:
            label = QLabel(f"<b>{section['heading']}</b>" + ("　（已修改）" if section["edited"] else ""))
            label.setTextFormat(Qt.TextFormat.RichText)
            reset = QPushButton("恢复自动生成")
            reset.setObjectName(f"reset_{section['key']}")
            reset.clicked.connect(lambda _=False, k=section["key"]: self.editors[k].setPlainText(self.drafts[k]))
            holder = QWidget()
            holder_layout = QHBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            holder_layout.addWidget(label, 1)
            holder_layout.addWidget(reset)
            editor = QPlainTextEdit(section["text"])
            editor.setObjectName(f"section_{section['key']}")
            editor.setMinimumHeight(130)
            self.body.addWidget(holder)
            self.body.addWidget(editor)
            self.editors[section["key"]] = editor
            self.drafts[section["key"]] = section["draft"]
        self.cases.clear()
        for opinion_id, label in choices:
            add_check_item(self.cases, label, opinion_id, opinion_id in chosen)
        edited = sum(1 for s in sections if s["edited"])
        self.status.setText(f"已修改 {edited} 部分" if edited else "全部为自动起草")

    def save(self, preview: bool = False) -> None:
        year = self.year.currentData()
        texts = {key: editor.toPlainText() for key, editor in self.editors.items()}
        cases = checked_values(self.cases)

        def saved(_):
            self.load()
            if preview:
                preview_doc(self, self.backend, "summary", str(year), f"{year}年工作总结")

        self.backend.op(lambda s: s.summary.save(year, texts, cases), saved, lambda e: show_refusal(self, e),
                        summary=f"修改{year}年工作总结")


def open_summary(parent, backend) -> None:
    def ready(year):
        parent.summary_editor = SummaryEditor(backend, year, parent)
        parent.summary_editor.show()

    backend.query(lambda s: s.summary.default_year(), ready)
