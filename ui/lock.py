"""The app password at start and after idle minutes, and recovery when the database will not open."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QVBoxLayout

from .widgets import dialog_buttons


class LockDialog(QDialog):
    """Asks for the app password; the window's content stays hidden until it is right."""

    def __init__(self, backend, parent=None, reason: str = ""):
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("议事工作台已锁定")
        self.setModal(True)
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(reason or "请输入程序密码"))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.password)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addWidget(dialog_buttons("解锁", "退出程序", self.submit, QApplication.quit))

    def reject(self) -> None:  # Esc must not get past the lock
        pass

    def submit(self) -> None:
        from app.storage import security

        attempt = self.password.text()
        self.password.clear()

        def failed(error):
            self.message.setText(str(error) if error else "无法验证密码")

        self.backend.query(lambda s: security.check(s, attempt), lambda _: self.accept(), failed)


class IdleLock(QObject):
    """Locks the window after the clerk's chosen idle minutes without keyboard or mouse."""

    def __init__(self, window, backend):
        super().__init__(window)
        self.window, self.backend = window, backend
        self._minutes = 0
        self.last_input = time.monotonic()
        self.locked = False
        self.timer = QTimer(self, interval=20_000)
        self.timer.timeout.connect(self.check)

    @property
    def minutes(self) -> int:
        return self._minutes

    @minutes.setter
    def minutes(self, value: int) -> None:
        # Watching every input event costs a Python call per event: only while auto-lock is on.
        app = QApplication.instance()
        assert app is not None  # the lock belongs to a window, so the application is running
        if value and not self._minutes:
            app.installEventFilter(self)
            self.last_input = time.monotonic()
            self.timer.start()
        elif not value and self._minutes:
            app.removeEventFilter(self)
            self.timer.stop()
        self._minutes = value

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel):
            self.last_input = time.monotonic()
        return False

    def check(self) -> None:
        if self.minutes and not self.locked and time.monotonic() - self.last_input > self.minutes * 60:
            self.lock(f"空闲超过 {self.minutes} 分钟，已自动锁定。请输入程序密码")

    def lock(self, reason: str = "") -> None:
        self.locked = True
        central = self.window.centralWidget()
        central.hide()
        dialog = LockDialog(self.backend, self.window, reason)
        dialog.setObjectName("lock_dialog")
        self.dialog = dialog

        def unlocked():
            central.show()
            self.locked = False
            self.last_input = time.monotonic()

        dialog.accepted.connect(unlocked)
        dialog.open()


def offer_recovery(window, backend, data_dir: Path, error, reopened, give_up) -> None:
    """The database will not open: offer the newest good backup instead of stopping."""
    from app.common.errors import AppError
    from app.storage.backup import list_backups, verify

    good = []
    for item in list_backups(data_dir):
        try:
            verify(item["path"])
            good.append(item)
        except AppError:
            continue
    if not good:
        QMessageBox.critical(window, "无法打开数据", f"{error}\n\n数据目录中没有可用的备份。")
        give_up()
        return
    dialog = QDialog(window)
    dialog.setWindowTitle("数据库无法打开")
    layout = QVBoxLayout(dialog)
    label = QLabel(f"{error}\n\n可以从下列完好的备份中恢复（默认最新）。当前的数据库文件会移到一旁保留，不会被覆盖。")
    label.setWordWrap(True)
    layout.addWidget(label)
    choices = QListWidget()
    for item in good:
        entry = QListWidgetItem(f"{item['at']:%Y-%m-%d %H:%M}　{item['reason']}　{item['size'] // 1024} KB")
        entry.setData(Qt.ItemDataRole.UserRole, item["path"])
        choices.addItem(entry)
    choices.setCurrentRow(0)
    layout.addWidget(choices)
    layout.addWidget(dialog_buttons("从所选备份恢复", "退出", dialog.accept, dialog.reject))
    window.recovery_dialog = dialog
    if dialog.exec() != QDialog.DialogCode.Accepted:
        give_up()
        return
    path = choices.currentItem().data(Qt.ItemDataRole.UserRole)
    backend.restore_backup(data_dir, path, lambda _: reopened(str(data_dir)),
                           lambda e: (QMessageBox.critical(window, "恢复失败", str(e)), give_up()))
