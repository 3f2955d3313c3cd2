"""意见建议: the area (list, topics, statistics) and the opinion list (the five-step method)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import CATEGORIES
from app.services.base import FieldSpec
from app.services.opinion_steps import STEPS
from app.services.opinions import OpinionFilter

from ...backend import Watch
from ...form_dialog import ask
from ...messages import confirm, show_refusal
from ...models import PagedTableModel
from ...opinion_dialog import OpinionDialog, opinion_refs
from ...pdf_preview import preview_doc
from ...widgets import NoWheelCombo, add_buttons, bind_list_keys, needs_selection
from ..base import export_with_dialog, filter_combo, fit_columns_once, refill_combo, search_box, sortable_view
from .actions import ActionsTab
from .common import COLUMNS, row_colour
from .intake import ImportDialog, IntakeDialog
from .stats import StatsTab
from .topics import TopicsTab

if TYPE_CHECKING:
    from app.store import Store


class OpinionList(QWidget):
    imports = ("opinions",)  # kinds of app.workbooks.kinds (从 Excel 导入…)

    def __init__(self, backend, parent=None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.dialogs: dict[str, OpinionDialog] = {}
        self.model = PagedTableModel(backend, COLUMNS, lambda s, f: s.opinions.count(f),
                                     lambda s, f, offset, limit: s.opinions.page(f, offset, limit),
                                     OpinionFilter(), row_colour=row_colour, parent=self)
        self.view = sortable_view(self.model)
        self.view.doubleClicked.connect(lambda _: self.open_current())
        self.model.loaded.connect(self._loaded)
        self.watch = self.model.watch = Watch(backend, self.reload, self)  # what the ledger and filters read
        self.search = search_box(self, "搜索事项和内容：中文或拼音首字母，如“公交”或“gj”（Ctrl+F）",
                                 self.apply_filter, "ledger_search")
        self.step = NoWheelCombo()
        self.step.addItem("全部步骤", None)
        for number, (label, _) in STEPS.items():
            self.step.addItem(f"第{number}步 {label}", number)
        self.category = filter_combo("全部类别", CATEGORIES)
        self.group = filter_combo("全部小组")
        self.unit = filter_combo("全部承办单位")
        self.overdue = QCheckBox("只看逾期")
        self.overdue.setToolTip("任一环节超过时限的：上报组长、确定议题、工委审核、交办、办结、反馈代表、重办"
                                "（时限在“设置”中）")
        self.date_from, self.date_to = QLineEdit(), QLineEdit()
        self.date_from.setPlaceholderText("起：2026-01-01")
        self.date_to.setPlaceholderText("止：2026-12-31")
        for box in (self.step, self.category, self.group, self.unit):
            box.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.overdue.toggled.connect(lambda _: self.apply_filter())
        for edit in (self.date_from, self.date_to):
            edit.editingFinished.connect(self.apply_filter)
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        for widget in (self.step, self.category, self.group, self.unit, self.overdue):
            top.addWidget(widget)
        from ...import_wizard import import_button

        # (in the filters' row: the buttons' row is full at 1366 px, the search box gives way)
        importing = import_button(self, backend, list(self.imports))
        if importing is not None:
            top.addWidget(importing)
        second = QHBoxLayout()
        self.count_label = QLabel()
        second.addWidget(self.count_label)
        second.addWidget(self.date_from)
        second.addWidget(self.date_to)
        second.addStretch(1)
        made = add_buttons(second, (("录入意见", self.intake), ("从接待日/会议导入…", self.import_pending),
                                    ("录入回执…", self.key_in_slip), ("打开", self.open_current), ("删除", self.delete),
                                    ("打印台账…", self.print_ledger),
                                    ("导出台账…", lambda: export_with_dialog(self, backend, "ledger",
                                                                          flt=self.current_filter())),
                                    ("导出督办记录…", lambda: export_with_dialog(self, backend, "supervision"))))
        needs_selection(self.view, made[3:5], "请先在台账中选择一条意见建议")
        self.warning = QLabel()
        self.warning.setStyleSheet("color: #b26a00;")
        self.warning.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.warning)
        layout.addWidget(self.view)
        bind_list_keys(self, self.view, find=self.search.setFocus, new=self.intake, open_=self.open_current,
                       delete=self.delete)

    def reload(self) -> None:
        def choices(store: Store):
            return ([(g["id"], g["name"]) for g in store.groups.list()], store.opinions.units(),
                    store.opinions.calendar.warning(date.today().year))

        def fill(result):
            groups, units, warning = result
            refill_combo(self.group, groups)
            refill_combo(self.unit, [(u, u) for u in units])
            self.warning.setText(warning or "")
            self.warning.setVisible(bool(warning))

        self.backend.query(choices, fill, watch=self.watch)
        self.apply_filter()

    def current_filter(self) -> OpinionFilter:
        return OpinionFilter(search=self.search.text(), step=self.step.currentData(),
                            category=self.category.currentData(), group_id=self.group.currentData(),
                            unit=self.unit.currentData(), overdue=self.overdue.isChecked(),
                            date_from=self.date_from.text().strip() or None,
                            date_to=self.date_to.text().strip() or None,
                            sort=self.model.filter.sort, descending=self.model.filter.descending)

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def _loaded(self) -> None:
        self.count_label.setText(f"共 {self.model.rowCount()} 条")
        fit_columns_once(self.view, cap=280)

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_opinion(self, opinion_id: str) -> OpinionDialog:
        dialog = self.dialogs.get(opinion_id)
        if dialog is None or not dialog.isVisible():
            dialog = OpinionDialog(self.backend, opinion_id, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda *_: self.dialogs.pop(opinion_id, None))
            self.dialogs[opinion_id] = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def open_current(self) -> None:
        opinion_id = self.current_id()
        if opinion_id:
            self.open_opinion(opinion_id)

    def intake(self) -> None:
        def ready(refs):
            self.intake_dialog = IntakeDialog(self.backend, refs, self)
            self.intake_dialog.open()

        self.backend.query(opinion_refs, ready)

    def import_pending(self) -> None:
        def ready(pending):
            if not pending:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.information(self, "从接待日、会议导入",
                                        "没有等待登记的事项：接待日听到的事项和会议落实事项，都已登记进台账、"
                                        "注明了处理情况，或在“落实事项”中跟进。")
                return
            dialog = ImportDialog(self.backend, pending, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                chosen = dialog.chosen()
                self.backend.op(lambda s: s.opinions.intake_many(chosen), lambda _: self.model.reload(),
                                  lambda e: show_refusal(self, e), summary=f"从接待日、会议导入 {len(chosen)} 条")

        self.backend.query(lambda s: s.opinions.pending_intake(), ready)

    def key_in_slip(self) -> None:
        """A feedback slip came back: its serial finds the opinion, its ticks give the satisfaction."""
        from app.rules.codes import FEEDBACK_METHODS, SATISFACTION

        specs = [FieldSpec("serial", "回执编号（如 HZ2026-0001）", required=True),
                 FieldSpec("satisfaction", "满意度", "choice", required=True, choices=SATISFACTION),
                 FieldSpec("method", "反馈方式", "choice", required=True, choices=FEEDBACK_METHODS)]
        values = ask(self, "录入反馈回执", specs, {"satisfaction": "满意", "method": "书面"}, ok="录入")
        if not values:
            return

        def record(opinion):
            self.backend.op(lambda s: s.opinions.feedback(opinion["id"], values["satisfaction"], values["method"],
                                                          residents_on=date.today().isoformat()),
                              None, lambda e: show_refusal(self, e), summary=f"录入回执 {values['serial']}")

        def found(opinions):
            if len(opinions) == 1:
                record(opinions[0])
                return
            # Two offices issued the same number between exchanges: the clerk tells them apart.
            from PySide6.QtWidgets import QInputDialog

            labels = [f"{o['title']}（{o['serial']}，{o['answered_on'] or '—'} 办结）" for o in opinions]
            label, ok = QInputDialog.getItem(
                self, "回执编号对应多条意见建议",
                f"回执编号 {values['serial'].upper()} 对应 {len(opinions)} 条意见建议（两个办公室在交换前各自编了号）。\n"
                "请对照回执上的意见建议标题选择：", labels, 0, False)
            if ok:
                record(opinions[labels.index(label)])

        self.backend.query(lambda s: s.opinions.by_feedback_serial(values["serial"]), found,
                          lambda e: show_refusal(self, e))

    def delete(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row and confirm(self, "删除意见建议", f"把“{row['title']}”移到回收站？", "删除"):
            self.backend.op(lambda s: s.opinions.delete(row["id"]), None, lambda e: show_refusal(self, e),
                              summary=f"删除意见建议“{row['title']}”")

    def print_current(self, done=None) -> None:
        """Ctrl+P: the ledger as filtered on screen, straight to the printer (no preview)."""
        from ...pdf_preview import print_doc

        print_doc(self, self.backend, "ledger", None, "意见建议办理台账", done, flt=self.current_filter())

    def print_ledger(self) -> None:
        """The ledger as filtered on screen, A4 landscape, previewed before printing."""
        preview_doc(self, self.backend, "ledger", None, "意见建议办理台账", flt=self.current_filter())


class OpinionsPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.list = OpinionList(backend)
        self.topics = TopicsTab(backend)
        self.stats = StatsTab(backend)
        self.follow_up = ActionsTab(backend)
        self.tabs.addTab(self.list, "意见建议台账")
        self.tabs.addTab(self.topics, "议题筛选")
        self.tabs.addTab(self.follow_up, "落实事项")
        self.tabs.addTab(self.stats, "统计")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def reload(self) -> None:
        for part in (self.list, self.topics, self.follow_up, self.stats):
            part.reload()

    def open_record(self, kind: str, record_id: str | None):
        """From 概览 or the reminders: an opinion opens in its dialog; action items show their tab."""
        if kind == "action_items":
            self.tabs.setCurrentWidget(self.follow_up)
            return None
        self.tabs.setCurrentWidget(self.list)
        return self.list.open_opinion(record_id) if record_id else None

    def print_current(self):
        """Ctrl+P on the 意见建议台账 tab prints the ledger document; elsewhere the list in front."""
        if self.tabs.currentWidget() is self.list:
            return self.list.print_current()
        return False
