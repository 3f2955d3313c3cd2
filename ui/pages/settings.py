"""设置: the office's names, where the data lives, the data check."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QVBoxLayout, QWidget)

from app import __version__
from app.audit import ACTION_LABELS
from app.settings_labels import SETTING_LABELS

from ..messages import show_refusal


class SettingsPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        layout = QVBoxLayout(self)
        office = QGroupBox("本办公室")
        form = QFormLayout(office)
        self.edits = {}
        for key in ("site_name", "unit_name", "subdistrict"):
            self.edits[key] = QLineEdit()
            form.addRow(SETTING_LABELS[key], self.edits[key])
        save = QPushButton("保存设置")
        save.clicked.connect(self.save)
        form.addRow("", save)
        layout.addWidget(office)

        data = QGroupBox("数据")
        data_layout = QVBoxLayout(data)
        self.location = QLabel()
        self.location.setWordWrap(True)
        data_layout.addWidget(self.location)
        row = QHBoxLayout()
        check = QPushButton("检查数据完整性")
        check.clicked.connect(self.run_check)
        row.addWidget(check)
        row.addStretch(1)
        data_layout.addLayout(row)
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        data_layout.addWidget(self.check_result)
        layout.addWidget(data)

        audit = QGroupBox("最近的操作记录（审计日志）")
        audit_layout = QVBoxLayout(audit)
        self.audit = QListWidget()
        audit_layout.addWidget(self.audit)
        layout.addWidget(audit, 1)
        layout.addWidget(QLabel(f"议事工作台 版本 {__version__}"))
        backend.changed.connect(lambda _: self.reload())

    def reload(self):
        def load(store):
            return store.settings.all(), str(store.data_dir), store.site_id, store.audit.recent(30)

        self.backend.call(load, self._show)

    def _show(self, result):
        values, data_dir, site_id, recent = result
        for key, edit in self.edits.items():
            edit.setText(values.get(key, ""))
        self.location.setText(f"数据目录：{data_dir}\n本机站点编号：{site_id}")
        self.audit.clear()
        for entry in recent:
            when = datetime.fromisoformat(entry["at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            action = ACTION_LABELS.get(entry["action"], entry["action"])
            self.audit.addItem(f"{when}  [{action}]  {entry['summary']}  —— {entry['actor']}")

    def save(self):
        values = {key: edit.text() for key, edit in self.edits.items()}
        self.backend.call(lambda s: s.settings.update(values), lambda _: self.reload(),
                          lambda e: show_refusal(self, e))

    def run_check(self):
        from app.check import run_checks

        self.check_result.setText("正在检查…")
        self.backend.call(run_checks, self._checked, lambda e: show_refusal(self, e))

    def _checked(self, report):
        colour = "#2e7d32" if report["ok"] else "#c62828"
        self.check_result.setStyleSheet(f"color: {colour};")
        self.check_result.setText("\n".join(report["messages"]))
