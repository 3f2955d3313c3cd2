"""Taking opinions in: fast keyboard intake, and importing reception-day matters and action items."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app.services.opinions import SOURCES

from ...memory import fit_on_screen
from ...messages import confirm, show_refusal
from ...widgets import NoWheelCombo, NoWheelSpin, add_check_item, checked_values, dialog_buttons, person_choice, person_picker


class IntakeDialog(QDialog):
    """Typing in a stack of paper slips: Ctrl+Enter saves and starts the next slip."""

    def __init__(self, backend, refs: dict, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.saved_count = 0
        self.setWindowTitle("录入意见建议")
        self.setMinimumWidth(620)
        form = QFormLayout(self)
        self.source = NoWheelCombo()
        for value, label in SOURCES:
            self.source.addItem(label, value)
        self.day = QLineEdit(date.today().isoformat())
        self.delegate = NoWheelCombo()
        self.delegate.addItem("（无）", None)
        for value, label in refs["delegates"]:
            self.delegate.addItem(label, value)
        person_picker(self.delegate)  # a name, a part of it, or its pinyin initials (zs)
        self.grid = NoWheelCombo()
        self.grid.addItem("（不填）", None)
        self._grids = refs["grids_by_community"]
        self._delegate_communities = refs["delegate_communities"]
        self.delegate.currentIndexChanged.connect(self._grids_of_delegate)
        self.residents = NoWheelSpin()
        self.residents.setRange(0, 100000)
        self.contact = QLineEdit()
        self.contact.setPlaceholderText("可不填；只在台账中脱敏显示")
        self.title = QLineEdit()
        self.title.setPlaceholderText("一句话概括，例如：小区门口路灯不亮")
        self.content = QPlainTextEdit()
        self.content.setFixedHeight(90)
        for label, widget in (("来源", self.source), ("收集日期＊", self.day), ("收集代表", self.delegate),
                              ("所在网格", self.grid), ("涉及群众（人）", self.residents), ("群众联系方式", self.contact),
                              ("事项＊", self.title), ("具体内容", self.content)):
            form.addRow(label, widget)
        self.status = QLabel("Ctrl+回车 保存并录入下一条")
        form.addRow(self.status)
        form.addRow(dialog_buttons("保存并录入下一条", "关闭", self.save, self.reject))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)

    def _grids_of_delegate(self) -> None:
        """The grids of the delegate's community (the delegate's own come first in the list)."""
        community = self._delegate_communities.get(self.delegate.currentData())
        self.grid.clear()
        self.grid.addItem("（不填）", None)
        for grid_id, name, owner in self._grids:
            if owner == community:
                self.grid.addItem(name, grid_id)

    def chosen_delegate(self) -> str | None:
        """The delegate named in 收集代表: the one picked, or the one whose name was typed in full
        (or the only one it begins); anything else is refused, never saved as "no collector"."""
        return person_choice(self.delegate, "收集代表")

    def reject(self) -> None:
        """Esc closes the name suggestions first; a slip being typed is not thrown away unasked."""
        completer = self.delegate.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None and popup.isVisible():
            popup.hide()
            return
        if (self.title.text().strip() or self.content.toPlainText().strip()) and not confirm(
                self, "放弃这条意见？", "正在录入的这条意见还没有保存，关闭后将不保留。", "放弃并关闭"):
            return
        super().reject()

    def values(self) -> dict:
        return {"source": self.source.currentData(), "received_on": self.day.text().strip(),
                "delegate_id": self.chosen_delegate(),
                "grid_id": self.grid.currentData(),
                "residents": self.residents.value() or None, "contact": self.contact.text(),
                "title": self.title.text(), "content": self.content.toPlainText()}

    def save(self) -> None:
        from app.common.errors import AppError

        try:
            values = self.values()
        except AppError as error:
            self.status.setStyleSheet("color: #c62828;")
            self.status.setText(str(error))
            self.delegate.setFocus()
            return

        def done(changes):
            self.saved_count += 1
            self.status.setStyleSheet("color: #2e7d32;")
            self.status.setText(f"已保存第 {self.saved_count} 条：{values['title']}。继续录入下一条（Ctrl+回车 保存）")
            for widget in (self.title, self.contact):
                widget.clear()
            self.content.clear()
            self.residents.setValue(0)
            self.title.setFocus()

        def failed(error):
            self.status.setStyleSheet("color: #c62828;")
            self.status.setText(str(error) if error else "保存时出错")

        self.backend.op(lambda s: s.opinions.create(values), done, failed, summary=f"登记意见“{values['title']}”")


class ImportDialog(QDialog):
    """Reception-day matters and minutes' action items waiting to enter the ledger."""

    def __init__(self, backend, pending: list[dict], parent=None):
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("从接待日、会议纪要导入")
        fit_on_screen(self, (760, 520))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选要登记进台账的事项（导入后保留与原接待记录、会议纪要的关联）："))
        self.list = QListWidget()
        for item in pending:
            origin = "接待日" if item["origin_table"] == "reception_matters" else "会议落实事项"
            add_check_item(self.list, f"[{origin}] {item['date']} {item['meeting_title']}：{item['content']}",
                           (item["origin_table"], item["id"]))
        layout.addWidget(self.list)
        close = QPushButton("所选接待事项已当场处理…")
        close.setObjectName("close_matters")
        close.setToolTip("当场答复或已转社区办理的接待事项：写明处理情况后不再等待导入")
        close.clicked.connect(self.close_matters)
        layout.addWidget(close)
        layout.addWidget(dialog_buttons("导入所选", "取消", self.accept, self.reject))

    def chosen(self) -> list[tuple[str, str]]:
        return checked_values(self.list)

    def close_matters(self) -> None:
        from app.services.base import FieldSpec

        from ...form_dialog import ask

        matters = [row_id for table, row_id in self.chosen() if table == "reception_matters"]
        if not matters:
            return
        values = ask(self, "接待事项已处理", [FieldSpec("reason", "处理情况", required=True)],
                     {"reason": "当场答复"}, note=f"所选 {len(matters)} 件接待事项不登记进台账，记下处理情况。")
        if values:
            self.backend.op(lambda s: s.receptions.close_matters(matters, values["reason"]), lambda _: self._drop(matters),
                            lambda e: show_refusal(self, e), summary=f"接待事项办结（{len(matters)} 件）")

    def _drop(self, matter_ids: list[str]) -> None:
        for row in reversed(range(self.list.count())):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole)[1] in matter_ids:
                self.list.takeItem(row)
