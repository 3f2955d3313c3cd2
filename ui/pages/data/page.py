"""数据: the area's frame, one tab per room (exchange, conflicts, backups, audit, password, archive)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .archive import ArchiveTab
from .audit import AuditTab
from .backups import BackupsTab
from .conflicts import ConflictsTab
from .exchange import ExchangeTab
from .security import SecurityTab


class DataPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.tabs = QTabWidget()
        self.exchange = ExchangeTab(backend)
        self.conflicts = ConflictsTab(backend)
        self.backups = BackupsTab(backend)
        self.audit = AuditTab(backend)
        self.security = SecurityTab(backend)
        self.archive = ArchiveTab(backend)
        for widget, title in ((self.exchange, "U盘交换"), (self.conflicts, "冲突记录"), (self.backups, "备份与恢复"),
                              (self.audit, "审计日志"), (self.security, "程序密码"), (self.archive, "归档包")):
            self.tabs.addTab(widget, title)
        layout.addWidget(self.tabs)

    def reload(self) -> None:
        for tab in (self.exchange, self.conflicts, self.backups, self.audit, self.security):
            tab.reload()
