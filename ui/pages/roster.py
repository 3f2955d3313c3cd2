"""代表: the delegate roster — instant search, filters, detail form, delete and restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.common import idcard
from app.common.errors import ValidationError
from app.services.delegates import STATUSES, RosterFilter, delegate_fields

from ..backend import Watch
from ..forms import RecordDialog
from ..messages import confirm, show_refusal
from ..models import Col, PagedTableModel
from ..widgets import NoWheelCombo, add_buttons, bind_list_keys, needs_selection
from .base import export_with_dialog, fit_columns_once, load_refs, refill_combo, search_box, sortable_view
from .visits import VisitsTab

if TYPE_CHECKING:
    from app.store import Store

COLUMNS = [
    Col("name", "姓名", "name"), Col("gender", "性别", "gender"), Col("birth_date", "出生日期", "birth_date"),
    Col("id_masked", "身份证号"), Col("party", "政治面貌", "party"), Col("sector", "界别", "sector"),
    Col("community_name", "所在村（社区）", "community"), Col("group_name", "议事小组", "group"),
    Col("role_label", "小组职务", "role"), Col("phone", "联系电话", "phone"),
    Col("workplace", "工作单位", "workplace"), Col("post", "职务"),
    Col("grid_names", "联系网格"), Col("certificate_no", "聘书编号", "certificate_no"),
    Col("status_label", "状态", "status"),
]


class GridPicker(QWidget):
    """Checkable grids of the chosen community."""

    def __init__(self, grids: list[tuple], chosen: list[str]):
        super().__init__()
        self.grids = grids
        self.chosen = set(chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("联系网格：")
        layout.addWidget(self.label)
        self.list = QListWidget()
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setWrapping(True)
        self.list.setFixedHeight(90)
        self.list.itemChanged.connect(self._toggled)
        layout.addWidget(self.list)

    def show_community(self, community_id: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for grid_id, name, owner in self.grids:
            if owner == community_id:
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, grid_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if grid_id in self.chosen else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        self.list.blockSignals(False)
        self.label.setText(f"联系网格（已选 {self._count_visible()} 个）：")

    def _count_visible(self) -> int:
        return sum(1 for i in range(self.list.count()) if self.list.item(i).checkState() == Qt.CheckState.Checked)

    def _toggled(self, item) -> None:
        grid_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen.add(grid_id)
        else:
            self.chosen.discard(grid_id)
        self.label.setText(f"联系网格（已选 {self._count_visible()} 个）：")

    def selected(self) -> list[str]:
        visible = {self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())}
        return [g for g in self.chosen if g in visible]


class DelegateDialog(RecordDialog):
    def __init__(self, refs: dict, values: dict | None, grid_ids: list[str], submit, parent=None,
                 reveal=None):
        self.picker = GridPicker(refs["grids"], grid_ids)
        editing = bool(values and values.get("id"))
        super().__init__("编辑代表" if editing else "新增代表", delegate_fields(), refs, values, submit,
                         parent, extra=self.picker)
        self._mask_id(values.get("id_number") if values and editing and values.get("id_masked") else None, reveal)
        self.setObjectName("delegate_dialog")
        self.setMinimumWidth(640)
        community = self.editors["community_id"]
        community.edited.connect(lambda: self.picker.show_community(community.value()))
        community.edited.connect(lambda: self._suggest_group(refs["community_groups"].get(community.value())))
        self.picker.show_community(community.value())
        self.editors["id_number"].edited.connect(self._fill_from_id)

    def _mask_id(self, masked: str | None, reveal) -> None:
        """A stored ID number comes masked; the full number only on request (`reveal`, audited)."""
        if not masked:
            return
        editor = self.editors["id_number"]
        line = editor.widget
        self._loading = True
        line.setText(masked)
        self._loading = False
        line.setReadOnly(True)
        button = QPushButton("显示完整号码")
        button.setObjectName("reveal_id")
        box = editor.layout()
        assert box is not None  # a field editor lays out its widget and its message
        box.addWidget(button)
        QWidget.setTabOrder(line, button)  # made after the form's buttons: Tab reaches it beside its field

        def show_full(full: str):
            line.setReadOnly(False)
            self._loading = True
            line.setText(full)
            self._loading = False
            button.hide()

        button.clicked.connect(lambda: reveal(show_full) if reveal else None)

    def values(self) -> dict:
        values = super().values()
        if self.editors["id_number"].widget.isReadOnly():
            values.pop("id_number")  # still masked: unchanged
        return values

    def _suggest_group(self, group_id: str | None) -> None:
        """A delegate usually sits in the group their community belongs to."""
        group = self.editors["group_id"]
        if group_id and group.value() is None:
            group.set_value(group_id)

    def _fill_from_id(self) -> None:
        try:
            info = idcard.parse(self.editors["id_number"].value())
        except ValidationError:
            return
        self.editors["birth_date"].set_value(info.birth_date.isoformat())
        self.editors["gender"].set_value(info.gender)


class RosterPage(QWidget):
    def __init__(self, backend, parent=None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.model = PagedTableModel(
            backend, COLUMNS, lambda s, f: s.delegates.count(f),
            lambda s, f, offset, limit: s.delegates.page(f, offset, limit), RosterFilter(), parent=self)
        self.view = sortable_view(self.model)
        self.view.doubleClicked.connect(lambda _: self.edit())
        self.model.loaded.connect(self._loaded)
        self.watch = self.model.watch = Watch(backend, self.refresh, self)  # what the list and filters read

        self.search = search_box(self, "搜索姓名、拼音首字母、电话或村（社区）（Ctrl+F）", self.apply_filter,
                                 "roster_search")
        self.search.setMinimumWidth(300)

        self.filters: dict[str, QComboBox] = {}
        top = QHBoxLayout()
        top.addWidget(self.search)
        for key, label in (("group_id", "小组"), ("community_id", "村（社区）"), ("party", "政治面貌"),
                           ("sector", "界别"), ("status", "状态"), ("term_id", "届次")):
            box = NoWheelCombo()
            box.setObjectName(f"filter_{key}")
            box.setProperty("list_filter", True)
            box.addItem(f"全部{label}", None)
            box.setMinimumWidth(110)
            box.currentIndexChanged.connect(lambda _: self.apply_filter())
            top.addWidget(box)
            self.filters[key] = box
        for value, label in STATUSES:
            self.filters["status"].addItem(label, value)
        self.filters["status"].blockSignals(True)
        self.filters["status"].setCurrentIndex(1)  # 在任
        self.filters["status"].setProperty("default_index", 1)  # (not a filter the clerk set)
        self.filters["status"].blockSignals(False)
        self.model.filter = self.current_filter()

        buttons = QHBoxLayout()
        self.count_label = QLabel()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        made = add_buttons(buttons, (("新增代表", self.add, "Ctrl+N"), ("编辑", self.edit, "回车"),
                                ("删除", self.delete, "Delete：移到回收站"),
                                ("任职变动…", self.change_status, "辞职、罢免、去世、迁出，或恢复在任"),
                                ("履职档案…", self.duty_record, "所选代表的履职档案（可打印）"),
                                ("年度评议…", self.review, "小组对所选代表本年度履职的评议（等次和意见）"),
                                ("从 Excel 导入…", self.import_roster, "导入现有的代表花名册（先逐行检查，再全部导入）"),
                                ("导出花名册…", self.export_roster, "导出 Excel 花名册，可直接打印")))
        needs_selection(self.view, made[1:6], "请先在花名册中选择一名代表")

        roster = QWidget()
        layout = QVBoxLayout(roster)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        self.tabs = QTabWidget()
        self.tabs.addTab(roster, "花名册")
        self.visits = VisitsTab(backend)
        self.tabs.addTab(self.visits, "网格走访")
        QVBoxLayout(self).addWidget(self.tabs)

        bind_list_keys(self, self.view, find=self.focus_search, new=self.add, open_=self.edit, delete=self.delete)
        self.dialog = None

    # -- loading ---------------------------------------------------------------
    def reload(self) -> None:
        self.refresh()
        self.visits.reload()

    def refresh(self) -> None:
        """The roster and its filter choices (the visits tab watches what it reads itself)."""
        self._load_filter_choices()
        self.model.reload()

    def _load_filter_choices(self) -> None:
        def load(store: Store):
            return {"term_id": store.terms.choices(),
                    "group_id": [(g["id"], g["name"]) for g in store.groups.list()],
                    "community_id": [(c["id"], c["name"]) for c in store.communities.list()],
                    "party": [(p, p) for p in store.delegates.distinct("party")],
                    "sector": [(s, s) for s in store.delegates.distinct("sector")]}

        def fill(choices):
            for key, options in choices.items():
                refill_combo(self.filters[key], options)

        self.backend.query(load, fill, watch=self.watch)

    def current_filter(self) -> RosterFilter:
        flt = self.model.filter
        return RosterFilter(search=self.search.text(), sort=flt.sort, descending=flt.descending,
                            **{key: box.currentData() for key, box in self.filters.items()})

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def _loaded(self) -> None:
        self.count_label.setText(f"共 {self.model.rowCount()} 人")
        fit_columns_once(self.view)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    # -- editing ----------------------------------------------------------------
    def add(self) -> None:
        self.open_dialog(None)

    def edit(self) -> None:
        row_id = self.current_id()
        if row_id:
            self.open_dialog(row_id)

    def open_dialog(self, row_id: str | None) -> None:
        preset = {key: self.filters[key].currentData() for key in ("group_id", "community_id")}

        def load(store: Store):
            refs = load_refs(store)
            if row_id is None:
                return refs, {**preset, "status": "active", "group_role": "member",
                              "term_id": store.terms.current_id()}, [], []
            return (refs, store.delegates.for_editing(row_id), store.delegates.grid_ids(row_id),
                    store.delegates.history(row_id))

        def ready(result):
            refs, values, grid_ids, history = result

            def submit(form_values, dialog):
                grids = dialog.picker.selected()
                if row_id:
                    fn = lambda s: s.delegates.update(row_id, form_values, grid_ids=grids)
                    summary = f"修改代表“{form_values['name']}”"
                else:
                    fn = lambda s: s.delegates.create(form_values, grid_ids=grids)
                    summary = f"新增代表“{form_values['name']}”"
                self.backend.op(fn, dialog.saved, dialog.refused, summary=summary)

            reveal = lambda show: self.backend.query(lambda s: s.delegates.reveal_id(row_id), show,
                                                    lambda e: show_refusal(self, e))
            self.dialog = DelegateDialog(refs, values, grid_ids, submit, self, reveal=reveal)
            if history:
                label = QLabel("任职记录：" + "；".join(f"{h['day']} {h['text']}" for h in history))
                label.setWordWrap(True)
                self.dialog.body.addWidget(label)
            self.dialog.open()

        self.backend.query(load, ready)

    def delete(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if not row:
            return
        if not confirm(self, "删除代表", f"把代表“{row['name']}”移到回收站？\n之后可以在“回收站”中恢复，"
                                      "也可以按 Ctrl+Z 撤销。", "删除"):
            return
        self.backend.op(lambda s: s.delegates.delete(row["id"]), None, lambda e: show_refusal(self, e),
                          summary=f"删除代表“{row['name']}”")

    def change_status(self) -> None:
        from datetime import date

        from app.services.base import FieldSpec, step_date

        from ..form_dialog import ask

        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if not row:
            return
        specs = [FieldSpec("status", "变为", "choice", required=True, choices=STATUSES),
                 step_date("day", "变动日期"), FieldSpec("reason", "原因", "multiline")]
        values = ask(self, f"任职变动：{row['name']}", specs, {"status": row["status"], "day": date.today().isoformat()},
                     note="变动和原因会记入代表的任职记录和履职档案；如是组长、副组长，请另行调整小组职务。")
        if values:
            self.backend.op(lambda s: s.delegates.change_status(row["id"], values["status"], values["day"],
                                                                  values["reason"] or ""),
                              None, lambda e: show_refusal(self, e), summary=f"任职变动：{row['name']}")

    def import_roster(self) -> None:
        from ..import_wizard import start_import

        start_import(self, self.backend)

    def duty_record(self) -> None:
        from ..pdf_preview import preview_doc

        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row:
            preview_doc(self, self.backend, "duty", row["id"], f"{row['name']}履职档案")

    def review(self) -> None:
        from app.services.base import FieldSpec
        from app.services.reviews import GRADES

        from ..form_dialog import ask

        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if not row:
            return

        def ready(result):
            year, current = result
            specs = [FieldSpec("year", "年度", "int", required=True),
                     FieldSpec("grade", "评议等次", "choice", required=True, choices=GRADES),
                     FieldSpec("remarks", "评议意见（基本称职、不称职须填写）", "multiline")]
            values = ask(self, f"年度评议：{row['name']}", specs,
                         {"year": str(year), "grade": (current or {}).get("grade") or "称职",
                          "remarks": (current or {}).get("remarks") or ""},
                         note="代表述职后，议事小组评议；结果记入年度履职情况表和履职档案。", ok="保存评议")
            if values:
                self.backend.op(lambda s: s.reviews.set(row["id"], int(values["year"]), values["grade"],
                                                        values["remarks"] or ""),
                                None, lambda e: show_refusal(self, e), summary=f"年度评议：{row['name']}")

        self.backend.query(lambda s: (s.summary.default_year(), s.reviews.get(row["id"], s.summary.default_year())),
                           ready)

    def export_roster(self) -> None:
        # The roster as filtered on screen (all 在任 delegates by default), ID numbers masked.
        export_with_dialog(self, self.backend, "roster", flt=self.current_filter())

    def open_record(self, kind: str, record_id: str | None):
        """From 概览 or the reminders: a delegate opens in the 编辑代表 dialog; visits show their tab."""
        if kind == "visits":
            self.tabs.setCurrentWidget(self.visits)
            return None
        self.tabs.setCurrentIndex(0)
        if record_id:
            self.open_dialog(record_id)
        return None
