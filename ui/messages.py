"""User-facing messages: refusals (AppError) plainly, bugs with copyable details."""

from __future__ import annotations

# QMessageBox is imported where a message is shown: the main window imports this module
# before its first paint, and loading the class then costs ~2 ms for nothing.


def show_refusal(parent, error, title: str = "未能完成") -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.common.errors import Cancelled

    # None: a crash, already reported by the bug dialog; Cancelled: the clerk's own choice.
    if error is None or isinstance(error, Cancelled):
        return
    QMessageBox.warning(parent, title, str(error))


def show_bug(parent, details: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("程序出错")
    box.setText("程序遇到了一个意外错误，刚才的操作没有完成，已保存的数据不受影响。\n"
                "请点击“复制详细信息”，把内容发给技术支持人员。")
    box.setDetailedText(details)
    copy = box.addButton("复制详细信息", QMessageBox.ButtonRole.ActionRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.exec()


def confirm(parent, title: str, text: str, ok: str = "确定", *, safe_default: bool = False) -> bool:
    """`safe_default`: Enter keeps things as they are (for a question whose yes loses work)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no if safe_default else yes)
    box.exec()
    return box.clickedButton() is yes
