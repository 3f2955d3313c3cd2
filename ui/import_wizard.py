"""Roster import from Excel: pick a file, see every row's verdict, then import all or nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QVBoxLayout

from .backend import DelayedProgress
from .memory import fit_on_screen
from .messages import show_refusal
from .models import Col, ListTableModel
from .pages.base import fit_columns, make_table
from .save_dialog import ask_save_path


class ImportPreview(QDialog):
    def __init__(self, backend, path: str, report: dict, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.path = path
        self.report = report
        self.setWindowTitle("导入花名册：逐行检查结果")
        fit_on_screen(self, (1000, 640))
        layout = QVBoxLayout(self)
        created = report["created"]
        lines = [f"可导入 {report['imported']} 人；拒绝 {len(report['rejected'])} 行；重复 {len(report['duplicates'])} 行；"
                 f"提示 {len(report['warnings'])} 条。"]
        if created["communities"]:
            lines.append(f"将新建村（社区）：{'、'.join(created['communities'])}")
        if created["groups"]:
            lines.append(f"将新建议事小组：{'、'.join(created['groups'])}")
        lines.append("导入是“全部或全不”：任何一行写入失败，数据库保持原样。被拒绝和重复的行不会导入。")
        summary = QLabel("\n".join(lines))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        rows = [dict(r, _warn=r["verdict"] != "ok") for r in report["rows"]]
        self.model = ListTableModel([Col("sheet", "工作表"), Col("row", "行号"), Col("name", "姓名"),
                                     Col("verdict_label", "结果"), Col("reason", "原因"), Col("warnings", "提示"),
                                     Col("community", "所在村（社区）"), Col("group", "议事小组")], self)
        self.model.set_rows(rows)
        view = make_table(self.model)
        fit_columns(view, cap=360)
        layout.addWidget(view)
        self.buttons = QDialogButtonBox()
        self.go = self.buttons.addButton(f"导入 {report['imported']} 人", QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setEnabled(report["imported"] > 0)
        save = self.buttons.addButton("保存检查结果…", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        save.clicked.connect(self.save_report)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def save_report(self) -> None:
        target = ask_save_path(self, "保存检查结果", "花名册导入检查结果.xlsx", "register")
        if not target:
            return
        from app.registers.writer import write_register
        from app.workbooks.importer import report_register

        report = self.report
        self.backend.query(lambda s: write_register(target, report_register(s, report)), None,
                          lambda e: show_refusal(self, e))

    def run_import(self) -> None:
        from app.workbooks.importer import import_roster

        self.go.setEnabled(False)
        path = self.path

        def done(report):
            self.result_report = report
            changes = report.pop("changes", None)
            if changes:
                self.backend.changed.emit(changes)  # the roster, overview and organisation refresh
            self.backend.forget_undo()  # an import: Ctrl+Z no longer offers the edits before it
            QMessageBox.information(self, "导入完成", f"已导入 {report['imported']} 名代表。")
            self.accept()

        def failed(error) -> None:
            self.go.setEnabled(True)
            show_refusal(self, error)

        job = self.backend.op(lambda s, job: import_roster(s, path, progress=job.report), done, failed, wants_job=True,
                              undoable=False)  # a whole roster: its rows leave through the recycle bin
        DelayedProgress(self, job, "正在导入花名册…", cancellable=True)


def start_import(parent, backend, path: str | None = None) -> None:
    """Ask for the file (unless given), check it in the worker, then show the preview."""
    if path is None:
        from app.workbooks import SUFFIXES

        patterns = " ".join(f"*{suffix}" for suffix in SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(parent, "选择代表花名册", "", f"Excel、WPS 或 LibreOffice 表格 ({patterns})")
        if not path:
            return
    from app.workbooks.importer import import_roster

    def checked(report):
        dialog = ImportPreview(backend, path, report, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.import_preview = dialog
        dialog.open()

    job = backend.query(lambda s: import_roster(s, path, dry_run=True), checked, lambda e: show_refusal(parent, e))
    DelayedProgress(parent, job, "正在检查花名册…")
