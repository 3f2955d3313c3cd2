"""程序密码: the app password and the idle lock."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...messages import show_refusal
from ...widgets import NoWheelSpin, button_row


class SecurityTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        box = QGroupBox("程序密码")
        form = QFormLayout(box)
        self.state = QLabel()
        form.addRow(self.state)
        self.current, self.new, self.again = QLineEdit(), QLineEdit(), QLineEdit()
        for widget in (self.current, self.new, self.again):
            widget.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("当前密码", self.current)
        form.addRow("新密码（至少 6 位）", self.new)
        form.addRow("再输入一次", self.again)
        row = QHBoxLayout()
        button_row(row, [("保存密码", self.save), ("取消密码", self.clear)])
        form.addRow(row)
        self.minutes = NoWheelSpin()
        self.minutes.setRange(0, 240)
        self.minutes.setSuffix(" 分钟（0 为不自动锁定）")
        self.minutes.editingFinished.connect(self.save_minutes)
        form.addRow("空闲后自动锁定", self.minutes)
        note = QLabel("连续输错 5 次将锁定 5 分钟。身份证号在各处均脱敏显示；导出完整号码须明确选择，并记入审计日志。")
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(box)
        layout.addStretch(1)
        self.reload()

    def reload(self) -> None:
        from app.storage import security

        self.backend.query(lambda s: (security.has_password(s), security.idle_minutes(s)), self._show)

    def _show(self, state) -> None:
        protected, minutes = state
        self.state.setText("已设置程序密码，启动时需输入。" if protected else "尚未设置程序密码。")
        self.current.setEnabled(protected)
        self.minutes.setValue(minutes)

    def save(self) -> None:
        from app.storage import security

        if self.new.text() != self.again.text():
            return show_refusal(self, "两次输入的新密码不一致")
        current, new = self.current.text(), self.new.text()
        for widget in (self.current, self.new, self.again):
            widget.clear()
        def saved(_) -> None:
            self.reload()
            QMessageBox.information(self, "程序密码", "已保存程序密码。")

        self.backend.op(lambda s: security.set_password(s, new, current), saved, lambda e: show_refusal(self, e))

    def clear(self) -> None:
        from app.storage import security

        current = self.current.text()
        self.current.clear()
        self.backend.op(lambda s: security.clear_password(s, current), lambda _: self.reload(),
                          lambda e: show_refusal(self, e))

    def save_minutes(self) -> None:
        from app.storage import security

        minutes = self.minutes.value()

        def done(_):
            lock = getattr(self.window(), "idle_lock", None)
            if lock is not None:
                lock.minutes = minutes

        self.backend.op(lambda s: security.set_idle_minutes(s, minutes), done, lambda e: show_refusal(self, e))
