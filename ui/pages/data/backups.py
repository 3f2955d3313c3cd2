"""备份与恢复: the backups folder, backing up now, and restoring one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...backend import DelayedProgress
from ...messages import confirm, show_refusal
from ...models import Col, ListTableModel
from ...widgets import button_row
from ..base import fit_columns, make_table

if TYPE_CHECKING:
    from app.store import Store

BACKUP_COLUMNS = [Col("at_label", "时间"), Col("reason_label", "原因"), Col("size_label", "大小"), Col("name", "文件")]


class BackupsTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("程序在启动时、导入交换包和恢复之前、升级之前，以及有修改时每 30 分钟自动备份；"
                      "保留最近 12 天、10 周、9 个月各一份。恢复时当前数据库移到一旁保留，不会被覆盖。")
        note.setWordWrap(True)
        layout.addWidget(note)
        button_row(layout, [("立即备份", lambda: self.backup(None)), ("备份到U盘或文件夹…", self.backup_to),
                            ("恢复所选备份…", self.restore_selected), ("从文件恢复…", self.restore_file)])
        self.model = ListTableModel(BACKUP_COLUMNS, self)
        self.view = make_table(self.model)
        self.view.setObjectName("backups")
        layout.addWidget(self.view, 1)
        self.reload()

    def reload(self) -> None:
        from app.storage.backup import REASONS, list_backups

        def load(store: Store):
            rows = list_backups(store.data_dir)
            for row in rows:
                row["at_label"] = f"{row['at']:%Y-%m-%d %H:%M:%S}"
                row["reason_label"] = REASONS.get(row["reason"], row["reason"])
                row["size_label"] = f"{row['size'] / 1048576:.1f} MB"
            return rows

        def show(rows) -> None:
            self.model.set_rows(rows)
            fit_columns(self.view)

        self.backend.query(load, show)

    def backup(self, target) -> None:
        from app.storage.backup import backup

        def done(result):
            self.reload()
            QMessageBox.information(self, "备份完成", f"已备份并校验：\n{result['path']}")

        job = self.backend.op(lambda s: backup(s, target, reason="manual"), done, lambda e: show_refusal(self, e))
        DelayedProgress(self, job, "正在备份…")

    def backup_to(self) -> None:
        from ...save_dialog import ask_folder

        folder = ask_folder(self, "备份到")
        if folder:
            self.backup(folder)

    def restore_selected(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row:
            self.restore(row["path"])

    def restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", "", "数据库备份 (*.db)")
        if path:
            self.restore(path)

    def restore(self, path: str) -> None:
        if not confirm(self, "从备份恢复", f"用备份“{Path(path).name}”替换当前数据？\n\n当前数据库会先备份，"
                                          "再移到一旁保留（不会被覆盖），需要时可以再恢复回来。", "恢复"):
            return
        def done(result):
            # every page refreshes from the restore's changes (the whole store); Ctrl+Z is cleared
            self.reload()
            QMessageBox.information(self, "恢复完成", f"已恢复。原数据库保留为：{result['aside'] or '（无）'}")

        def failed(error, data_dir):
            from app.common.errors import MarkedRowsError

            if isinstance(error, MarkedRowsError) and confirm(
                    self, "备份中有不符合录入规则的记录", f"{error.message}\n\n仍要恢复吗？", "仍然恢复"):
                self.backend.restore_backup(data_dir, path, done, lambda e: show_refusal(self, e), accept_marked=True)
                return
            show_refusal(self, error)

        self.backend.query(lambda s: s.data_dir, lambda data_dir: self.backend.restore_backup(
            data_dir, path, done, lambda e: failed(e, data_dir)))
