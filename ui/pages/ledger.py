"""意见建议: the ledger (five-step method), fast intake, topics, and the statistics dashboard."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.base import FieldSpec
from app.services.opinions import CATEGORIES, SOURCES, STEPS, OpinionFilter

from ..form_dialog import ask
from ..messages import confirm, show_refusal
from ..models import Col, ListTableModel, PagedTableModel
from ..opinion_dialog import OpinionDialog, opinion_refs, preview_doc
from ..widgets import add_buttons, add_check_item, bind_list_keys, button_row, checked_values, dialog_buttons
from .base import export_with_dialog, filter_combo, fit_columns, make_table, refill_combo, search_box, sortable_view

COLUMNS = [Col("serial", "编号", "serial"), Col("received_on", "收集日期", "received"),
           Col("source_label", "来源"), Col("delegate_name", "收集代表"), Col("group_name", "议事小组", "group"),
           Col("title", "意见建议", "title"), Col("category_label", "类别", "category"),
           Col("lead_unit", "主办单位", "unit"), Col("deadline", "办理期限", "deadline"),
           Col("status_label", "办理进度", "status"), Col("flag", "提示"), Col("satisfaction", "满意度")]
LEDGER_TABLES = {"opinions", "supervisions", "opinion_events", "topics"}


def _row_colour(row: dict) -> str | None:
    return "#c62828" if row.get("overdue") else "#b26a00" if row.get("due_soon") else None


class IntakeDialog(QDialog):
    """Typing in a stack of paper slips: Ctrl+Enter saves and starts the next slip."""

    def __init__(self, backend, refs: dict, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.saved_count = 0
        self.setWindowTitle("录入意见建议")
        self.setMinimumWidth(620)
        form = QFormLayout(self)
        self.source = QComboBox()
        for value, label in SOURCES:
            self.source.addItem(label, value)
        self.day = QLineEdit(date.today().isoformat())
        self.delegate = QComboBox()
        self.delegate.setEditable(True)
        self.delegate.setInsertPolicy(QComboBox.NoInsert)
        self.delegate.addItem("（无）", None)
        for value, label in refs["delegates"]:
            self.delegate.addItem(label, value)
        self.delegate.completer().setFilterMode(Qt.MatchContains)
        self.delegate.completer().setCompletionMode(self.delegate.completer().CompletionMode.PopupCompletion)
        self.grid = QComboBox()
        self.grid.addItem("（不填）", None)
        self._grids = refs["grids_by_community"]
        self._delegate_communities = refs["delegate_communities"]
        self.delegate.currentIndexChanged.connect(self._grids_of_delegate)
        self.residents = QSpinBox()
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
        from app.errors import ValidationError

        text = self.delegate.currentText().strip()
        if not text or text == self.delegate.itemText(0):
            return None
        index = self.delegate.currentIndex()
        if index > 0 and self.delegate.itemText(index) == text:
            return self.delegate.itemData(index)
        labels = [self.delegate.itemText(i) for i in range(1, self.delegate.count())]
        matches = [i for i, label in enumerate(labels, 1) if label == text or label.split("（")[0] == text]
        matches = matches or [i for i, label in enumerate(labels, 1) if label.startswith(text)]
        if len(matches) == 1:
            return self.delegate.itemData(matches[0])
        raise ValidationError(f"收集代表“{text}”" + ("对应多名代表，请从下拉列表中选定一位" if matches else
                              "不在议事代表名单中：请从下拉列表中选择，或清空这一栏"), field="delegate_id")

    def reject(self) -> None:
        """Esc closes the name suggestions first; a slip being typed is not thrown away unasked."""
        popup = self.delegate.completer().popup()
        if popup.isVisible():
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
        from app.errors import AppError

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

        self.backend.call(lambda s: s.opinions.create(values), done, failed, mutation=f"登记意见“{values['title']}”")


class ImportDialog(QDialog):
    """Reception-day matters and minutes' action items waiting to enter the ledger."""

    def __init__(self, backend, pending: list[dict], parent=None):
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("从接待日、会议纪要导入")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选要登记进台账的事项（导入后保留与原接待记录、会议纪要的关联）："))
        self.list = QListWidget()
        for item in pending:
            origin = "接待日" if item["origin_table"] == "reception_matters" else "会议落实事项"
            add_check_item(self.list, f"[{origin}] {item['date']} {item['meeting_title']}：{item['content']}",
                           (item["origin_table"], item["id"]))
        layout.addWidget(self.list)
        layout.addWidget(dialog_buttons("导入所选", "取消", self.accept, self.reject))

    def chosen(self) -> list[tuple[str, str]]:
        return checked_values(self.list)


class LedgerList(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.dialogs: dict[str, OpinionDialog] = {}
        self.model = PagedTableModel(backend, COLUMNS, lambda s, f: s.opinions.count(f),
                                     lambda s, f, offset, limit: s.opinions.page(f, offset, limit),
                                     OpinionFilter(), row_colour=_row_colour, parent=self)
        self.view = sortable_view(self.model)
        self.view.doubleClicked.connect(lambda _: self.open_current())
        self.model.loaded.connect(self._loaded)
        self.search = search_box(self, "搜索事项和内容：中文或拼音首字母，如“公交”或“gj”（Ctrl+F）",
                                 self.apply_filter, "ledger_search")
        self.step = QComboBox()
        self.step.addItem("全部步骤", None)
        for number, (label, _) in STEPS.items():
            self.step.addItem(f"第{number}步 {label}", number)
        self.category = filter_combo("全部类别", CATEGORIES)
        self.group = filter_combo("全部小组")
        self.unit = filter_combo("全部承办单位")
        self.overdue = QCheckBox("只看逾期")
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
        second = QHBoxLayout()
        self.count_label = QLabel()
        second.addWidget(self.count_label)
        second.addWidget(self.date_from)
        second.addWidget(self.date_to)
        second.addStretch(1)
        add_buttons(second, (("录入意见", self.intake), ("从接待日/会议导入…", self.import_pending),
                           ("录入回执…", self.key_in_slip), ("打开", self.open_current), ("删除", self.delete),
                           ("打印台账…", self.print_ledger),
                           ("导出台账…", lambda: export_with_dialog(self, backend, "ledger", flt=self.current_filter())),
                           ("导出督办记录…", lambda: export_with_dialog(self, backend, "supervision"))))
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
        backend.changed.connect(lambda c: c.tables & LEDGER_TABLES and self.model.reload())

    def reload(self) -> None:
        def choices(store):
            return ([(g["id"], g["name"]) for g in store.groups.list()], store.opinions.units(),
                    store.opinions.calendar.warning(date.today().year))

        def fill(result):
            groups, units, warning = result
            refill_combo(self.group, groups)
            refill_combo(self.unit, [(u, u) for u in units])
            self.warning.setText(warning or "")
            self.warning.setVisible(bool(warning))

        self.backend.call(choices, fill)
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
        if not getattr(self, "_sized", False) and self.model.rowCount():
            fit_columns(self.view, cap=280)
            self._sized = True

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.UserRole) if index.isValid() else None

    def open_opinion(self, opinion_id: str) -> OpinionDialog:
        dialog = self.dialogs.get(opinion_id)
        if dialog is None or not dialog.isVisible():
            dialog = OpinionDialog(self.backend, opinion_id, self)
            dialog.setAttribute(Qt.WA_DeleteOnClose)
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

        self.backend.call(opinion_refs, ready)

    def import_pending(self) -> None:
        def ready(pending):
            if not pending:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.information(self, "从接待日、会议导入", "接待事项和会议落实事项都已登记进台账。")
                return
            dialog = ImportDialog(self.backend, pending, self)
            if dialog.exec() == QDialog.Accepted:
                chosen = dialog.chosen()
                self.backend.call(lambda s: s.opinions.intake_many(chosen), lambda _: self.model.reload(),
                                  lambda e: show_refusal(self, e), mutation=f"从接待日、会议导入 {len(chosen)} 条")

        self.backend.call(lambda s: s.opinions.pending_intake(), ready)

    def key_in_slip(self) -> None:
        """A feedback slip came back: its serial finds the opinion, its ticks give the satisfaction."""
        from app.services.opinions import FEEDBACK_METHODS, SATISFACTION

        specs = [FieldSpec("serial", "回执编号（如 HZ2026-0001）", required=True),
                 FieldSpec("satisfaction", "满意度", "choice", required=True, choices=SATISFACTION),
                 FieldSpec("method", "反馈方式", "choice", required=True, choices=FEEDBACK_METHODS)]
        values = ask(self, "录入反馈回执", specs, {"satisfaction": "满意", "method": "书面"}, ok="录入")
        if not values:
            return

        def record(opinion):
            self.backend.call(lambda s: s.opinions.feedback(opinion["id"], values["satisfaction"], values["method"],
                                                          residents_on=date.today().isoformat()),
                              None, lambda e: show_refusal(self, e), mutation=f"录入回执 {values['serial']}")

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

        self.backend.call(lambda s: s.opinions.by_feedback_serial(values["serial"]), found,
                          lambda e: show_refusal(self, e))

    def delete(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row and confirm(self, "删除意见建议", f"把“{row['title']}”移到回收站？", "删除"):
            self.backend.call(lambda s: s.opinions.delete(row["id"]), None, lambda e: show_refusal(self, e),
                              mutation=f"删除意见建议“{row['title']}”")

    def print_ledger(self) -> None:
        """The ledger as filtered on screen, A4 landscape, previewed before printing."""
        preview_doc(self, self.backend, "ledger", None, "意见建议办理台账", flt=self.current_filter())


class TopicsTab(QWidget):
    """Step 2-3: screen collected opinions, merge them into topics (并案), review, deliberate."""

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.group = QComboBox()
        self.group.currentIndexChanged.connect(lambda _: self.reload_lists())
        self.pool = ListTableModel([Col("serial", "编号"), Col("received_on", "收集日期"), Col("title", "意见建议"),
                                    Col("urgency", "紧迫性"), Col("feasibility", "可行性")], self)
        self.pool_view = make_table(self.pool)
        self.pool_view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.topics = ListTableModel([Col("title", "议题"), Col("opinion_count", "并案意见"),
                                      Col("lead_name", "牵头代表"), Col("status_label", "状态"),
                                      Col("approved_on", "审核日期"), Col("meeting_title", "议事活动")], self)
        self.topics_view = make_table(self.topics)
        left, right = QWidget(), QWidget()
        lv, rv = QVBoxLayout(left), QVBoxLayout(right)
        lv.addWidget(QLabel("待筛选的意见（已收集）：可多选后并案为一个议题"))
        lv.addWidget(self.pool_view)
        button_row(lv, (("评分…", self.score), ("并案为议题…", self.merge)))
        rv.addWidget(QLabel("议题"))
        rv.addWidget(self.topics_view)
        button_row(rv, (("工委审核…", self.review), ("关联议事活动…", self.deliberate),
                        ("按纪要交办…", self.assign_from_minutes)))
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        top = QHBoxLayout()
        top.addWidget(QLabel("议事小组："))
        top.addWidget(self.group)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter)
        backend.changed.connect(lambda c: c.tables & LEDGER_TABLES and self.reload_lists())

    def reload(self) -> None:
        def fill(groups):
            current = self.group.currentData()
            self.group.blockSignals(True)
            self.group.clear()
            for group in groups:
                self.group.addItem(group["name"], group["id"])
            self.group.setCurrentIndex(max(self.group.findData(current), 0))
            self.group.blockSignals(False)
            self.reload_lists()

        self.backend.call(lambda s: s.groups.list(), fill)

    def reload_lists(self) -> None:
        group_id = self.group.currentData()

        def load(store):
            return (store.opinions.page(OpinionFilter(status="collected", group_id=group_id, descending=False),
                                      limit=None), store.topics.list(group_id))

        def show(result):
            pool, topics = result
            self.pool.set_rows(pool)
            self.topics.set_rows(topics)
            fit_columns(self.pool_view, cap=320)
            fit_columns(self.topics_view, cap=320)

        self.backend.call(load, show)

    def _selected_pool(self) -> list[dict]:
        return [self.pool.row_at(i.row()) for i in self.pool_view.selectionModel().selectedRows()]

    def _topic(self) -> dict | None:
        index = self.topics_view.currentIndex()
        return self.topics.row_at(index.row()) if index.isValid() else None

    def _run(self, fn, what: str) -> None:
        self.backend.call(fn, None, lambda e: show_refusal(self, e), mutation=what)

    def score(self) -> None:
        rows = self._selected_pool()
        if not rows:
            return
        specs = [FieldSpec("urgency", "紧迫性（1—5）", "int", required=True),
                 FieldSpec("feasibility", "可行性（1—5）", "int", required=True)]
        values = ask(self, "筛选评分", specs, {"urgency": rows[0]["urgency"] or 3, "feasibility": rows[0]["feasibility"] or 3})
        if values:
            ids = [r["id"] for r in rows]
            self.backend.call(lambda s: s.opinions.set_scores(ids, int(values["urgency"]), int(values["feasibility"])),
                              None, lambda e: show_refusal(self, e), mutation="筛选评分")

    def merge(self) -> None:
        rows = self._selected_pool()
        if not rows:
            return
        values = ask(self, "并案为议题", [FieldSpec("title", "议题名称", required=True),
                                        FieldSpec("summary", "情况说明", "multiline")],
                     {"title": rows[0]["title"]}, note=f"将 {len(rows)} 条意见并为一个议题（可在意见中撤出）。")
        if values:
            group_id = self.group.currentData()
            self._run(lambda s: s.topics.create({**values, "group_id": group_id}, [r["id"] for r in rows]),
                      f"确定议题“{values['title']}”")

    def review(self) -> None:
        topic = self._topic()
        if not topic:
            return
        specs = [FieldSpec("decision", "审核意见", "choice", required=True, choices=(("yes", "同意"), ("no", "不同意"))),
                 FieldSpec("day", "审核日期", "date", required=True), FieldSpec("by", "审核人", required=True),
                 FieldSpec("note", "说明")]
        values = ask(self, f"审核议题：{topic['title']}", specs, {"decision": "yes", "day": date.today().isoformat()})
        if values:
            self._run(lambda s: s.topics.review(topic["id"], values["decision"] == "yes", values["day"], values["by"],
                                                values["note"]), "审核议题")

    def deliberate(self) -> None:
        topic = self._topic()
        if not topic:
            return

        def ready(refs):
            specs = [FieldSpec("meeting_id", "议事活动", "ref", required=True, ref="meetings"),
                     FieldSpec("action_item_id", "对应的落实事项", "ref", ref="action_items")]
            values = ask(self, f"集中议事：{topic['title']}", specs, refs=refs,
                         note="选择研究这个议题的分组活动，以及纪要中对应的落实事项（用于交办）。")
            if values:
                self._run(lambda s: s.topics.deliberate(topic["id"], values["meeting_id"], values["action_item_id"]),
                          "关联议事活动")

        group_id = self.group.currentData()

        def refs(store):
            meetings = store.rows("SELECT id, date, title FROM meetings WHERE deleted = 0 AND group_id = ?"
                                  " ORDER BY date DESC", [group_id])
            items = store.rows("SELECT a.id, a.content, m.date FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
                               " WHERE a.deleted = 0 AND m.group_id = ? ORDER BY m.date DESC", [group_id])
            return {"meetings": [(m["id"], f"{m['date']} {m['title']}") for m in meetings],
                    "action_items": [(a["id"], f"{a['date']} {a['content']}") for a in items]}

        self.backend.call(refs, ready)

    def assign_from_minutes(self) -> None:
        topic = self._topic()
        if not topic:
            return
        values = ask(self, "按会议纪要交办", [FieldSpec("category", "事项类别", "choice", required=True,
                                                    choices=CATEGORIES)], {"category": "department"},
                     note="议题中的每条意见都按纪要落实事项的责任单位和期限交办。")
        if values:
            self._run(lambda s: s.topics.assign_from_minutes(topic["id"], values["category"]), "按纪要交办")


class StatsTab(QWidget):
    """The report's figures with charts: by category, month, group and unit."""

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.year = QComboBox()
        for year in range(date.today().year, date.today().year - 6, -1):
            self.year.addItem(f"{year}年", year)
        self.year.addItem("全部年份", None)
        self.year.currentIndexChanged.connect(lambda _: self.reload())
        export = QPushButton("导出统计表…")
        export.clicked.connect(lambda: export_with_dialog(self, backend, "stats", year=self.year.currentData()))
        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addStretch(1)
        top.addWidget(export)
        self.figures = QGridLayout()
        self.labels: dict[str, QLabel] = {}
        for i, (key, title) in enumerate((("plenary", "召开议事代表大会"), ("group_activity", "开展分组活动"),
                                          ("collected", "收集意见建议"), ("solved", "已办结反馈"),
                                          ("rate", "满意率"), ("overdue", "逾期未办结"))):
            box = QLabel()
            box.setObjectName("statFigure")
            box.setAlignment(Qt.AlignCenter)
            box.setStyleSheet("background: white; border: 1px solid #d7dde5; border-radius: 6px; padding: 8px;")
            self.labels[key] = box
            self.figures.addWidget(box, 0, i)
            box.setProperty("title", title)
        self.charts = QHBoxLayout()
        self.chart_views = []
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.figures)
        layout.addLayout(self.charts, 1)
        self.by_unit = ListTableModel([Col("unit", "承办单位"), Col("count", "交办（条）")], self)
        unit_view = make_table(self.by_unit)
        unit_view.setMaximumHeight(180)
        layout.addWidget(unit_view)
        backend.changed.connect(lambda c: c.tables & (LEDGER_TABLES | {"meetings"}) and self.reload())

    def reload(self) -> None:
        year = self.year.currentData()
        self.backend.call(lambda s: s.opinion_stats.report(year), self._show)

    def _show(self, report) -> None:
        o, held = report["opinions"], report["meetings_held"]
        values = {"plenary": f"{held.get('plenary', 0)} 次", "group_activity": f"{held.get('group_activity', 0)} 次",
                  "collected": f"{o['total']} 条", "solved": f"{o['solved']} 条",
                  "rate": f"{o['satisfaction_rate']}%" if o["satisfaction_rate"] is not None else "—",
                  "overdue": f"{o['overdue']} 条"}
        for key, label in self.labels.items():
            colour = "#c62828" if key == "overdue" and o["overdue"] else "#b22222"
            label.setText(f"<div style='color:#5b6777'>{label.property('title')}</div>"
                          f"<div style='font-size:22px;font-weight:bold;color:{colour}'>{values[key]}</div>")
        self.by_unit.set_rows([{"unit": k, "count": v} for k, v in o["by_unit"].items()])
        self._draw_charts(o)

    def _draw_charts(self, o: dict) -> None:
        try:
            from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QPieSeries, QValueAxis
        except ImportError:  # PySide6-Addons missing: the figures and the table still show
            return
        from PySide6.QtGui import QPainter

        for view in self.chart_views:
            self.charts.removeWidget(view)
            view.deleteLater()
        self.chart_views = []
        pie = QPieSeries()
        for key, label in CATEGORIES:
            if o["by_category"].get(key):
                pie.append(f"{label} {o['by_category'][key]}", o["by_category"][key])
        charts = [("事项类别", pie, None)]
        for title, data in (("按月收集", o["by_month"]), ("按小组", o["by_group"])):
            bars = QBarSet("意见建议")
            keys = list(data)
            for key in keys:
                bars.append(data[key])
            series = QBarSeries()
            series.append(bars)
            charts.append((title, series, [str(int(k[5:])) if title == "按月收集" else k for k in keys]))
        for title, series, categories in charts:
            chart = QChart()
            chart.setTitle(title)
            chart.addSeries(series)
            chart.legend().setVisible(categories is None)  # the pie explains itself in its legend
            chart.legend().setAlignment(Qt.AlignBottom)
            if categories is not None:
                axis_x = QBarCategoryAxis()
                axis_x.append(categories)
                chart.addAxis(axis_x, Qt.AlignBottom)
                series.attachAxis(axis_x)
                axis_y = QValueAxis()
                axis_y.setLabelFormat("%d")
                chart.addAxis(axis_y, Qt.AlignLeft)
                series.attachAxis(axis_y)
            view = QChartView(chart)
            view.setRenderHint(QPainter.Antialiasing)
            view.setMinimumHeight(260)
            self.charts.addWidget(view)
            self.chart_views.append(view)


class LedgerPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.list = LedgerList(backend)
        self.topics = TopicsTab(backend)
        self.stats = StatsTab(backend)
        self.tabs.addTab(self.list, "意见建议台账")
        self.tabs.addTab(self.topics, "议题筛选")
        self.tabs.addTab(self.stats, "统计")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def reload(self) -> None:
        for part in (self.list, self.topics, self.stats):
            part.reload()
