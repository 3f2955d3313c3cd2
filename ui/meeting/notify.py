"""通知参会人员: who to notify of a meeting, with phones, and the notice text ready to paste into a
text message or a WeChat group."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout

from ..memory import fit_on_screen
from ..models import Col, ListTableModel
from ..pages.base import fit_columns, make_table
from ..widgets import add_buttons


class NotifyDialog(QDialog):
    def __init__(self, contacts: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("notify_dialog")
        self.setWindowTitle(f"通知参会人员：{contacts['meeting']}")
        fit_on_screen(self, (760, 560))
        self.contacts = contacts
        self.people = ListTableModel([Col("name", "姓名"), Col("community_name", "所在村（社区）"),
                                      Col("group_name", "议事小组"), Col("phone", "联系电话")], self)
        self.people.set_rows(contacts["people"])
        view = make_table(self.people)
        self.text = QPlainTextEdit(contacts["text"])
        self.text.setObjectName("notice_text")
        self.text.setFixedHeight(110)
        self.copied = QLabel()
        missing = contacts["missing_phone"]
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"应参会 {len(contacts['people'])} 人" + (
            f"，{len(missing)} 人没有登记电话：{'、'.join(missing)}" if missing else "，都已登记电话")))
        layout.addWidget(view, 1)
        layout.addWidget(QLabel("通知内容（可修改后复制到短信或微信群）："))
        layout.addWidget(self.text)
        row = QHBoxLayout()
        add_buttons(row, (("复制通知内容", self.copy_text), ("复制全部电话", self.copy_phones),
                          ("关闭", self.accept)))
        row.addWidget(self.copied, 1)
        layout.addLayout(row)
        fit_columns(view)

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.copied.setText("已复制通知内容")

    def copy_phones(self) -> None:
        QGuiApplication.clipboard().setText(self.contacts["phones"])
        self.copied.setText(f"已复制 {len([p for p in self.contacts['people'] if p['phone']])} 个电话号码")
