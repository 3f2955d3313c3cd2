"""会议: meetings and activities, the year plan (cadence), and the reception duty roster."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.rules.meeting_kinds import GROUP_ACTIVITY, kinds
from app.services.cadence import SLOT_STATES
from app.services.meetings import MeetingFilter
from app.services.workflows import KINDS, PHASES

from ..backend import Watch
from ..meeting_editor import MeetingEditor, NewMeetingDialog, meeting_refs
from ..messages import confirm, show_refusal
from ..models import Col, ListTableModel, PagedTableModel
from ..widgets import (
    NoWheelCombo,
    add_buttons,
    add_check_item,
    bind_list_keys,
    checked_values,
    dialog_buttons,
    needs_selection,
    person_list_filter,
)
from .base import (
    RecordListPage,
    export_with_dialog,
    filter_combo,
    fit_columns,
    fit_columns_once,
    make_table,
    refill_combo,
    search_box,
    sortable_view,
)

if TYPE_CHECKING:
    from app.store import Store

# The short columns first, so that on a 1366 px screen only the long name and place can run off.
COLUMNS = [Col("date", "日期", "date"), Col("time", "时间"), Col("kind_label", "类型", "kind"),
           Col("status_label", "状态", "status"), Col("present", "出席人数"), Col("overdue_steps", "逾期环节"),
           Col("title", "会议名称", "title"), Col("group_name", "议事小组", "group"), Col("place", "地点")]


class MeetingList(QWidget):
    imports = ("meetings",)  # kinds of app.workbooks.kinds (从 Excel 导入…)

    def __init__(self, backend, parent=None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.editors: dict[str, MeetingEditor] = {}
        self.model = PagedTableModel(backend, COLUMNS, lambda s, f: s.meetings.count(f),
                                     lambda s, f, offset, limit: s.meetings.page(f, offset, limit),
                                     MeetingFilter(year=date.today().year), parent=self)
        self.view = sortable_view(self.model)
        self.view.doubleClicked.connect(lambda _: self.open_current())
        self.model.loaded.connect(self._loaded)
        self.watch = self.model.watch = Watch(backend, self.reload, self)  # what the list and filters read

        top = QHBoxLayout()
        self.year = NoWheelCombo()
        self.year.addItem("全部年份", None)
        for year in range(date.today().year + 1, date.today().year - 6, -1):
            self.year.addItem(f"{year}年", year)
        self.year.setCurrentIndex(self.year.findData(date.today().year))
        self.kind = filter_combo("全部类型", KINDS)
        self.group = filter_combo("全部小组")
        self.search = search_box(self, "搜索会议名称、议程、地点（Ctrl+F）", self.apply_filter)
        for box in (self.year, self.kind, self.group):
            box.currentIndexChanged.connect(lambda _: self.apply_filter())
            top.addWidget(box)
        top.addWidget(self.search, 1)
        bar = QHBoxLayout()
        self.count_label = QLabel()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        made = add_buttons(bar, (("新建会议", self.add, "Ctrl+N"), ("打开", self.open_current, "回车"),
                                ("删除", self.delete, "Delete：移到回收站"),
                                ("导出活动台账…", lambda: export_with_dialog(self, backend, "meetings",
                                                                         year=self.year.currentData()), ""),
                                ("导出出勤统计…", lambda: export_with_dialog(self, backend, "attendance",
                                                                         year=self.year.currentData()), "")))
        needs_selection(self.view, made[1:3], "请先在列表中选择一次会议")
        from ..import_wizard import import_button

        importing = import_button(self, backend, list(self.imports))
        if importing is not None:
            bar.addWidget(importing)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        bind_list_keys(self, self.view, find=self.search.setFocus, new=self.add, open_=self.open_current,
                       delete=self.delete)

    def _loaded(self) -> None:
        self.count_label.setText(f"共 {self.model.rowCount()} 次")
        fit_columns_once(self.view, cap=320)  # names and places in full; 状态 takes what is left

    def reload(self) -> None:
        def groups(store: Store):
            return [(g["id"], g["name"]) for g in store.groups.list()]

        self.backend.query(groups, lambda options: refill_combo(self.group, options), watch=self.watch)
        self.model.set_filter(self.current_filter())

    def current_filter(self) -> MeetingFilter:
        return MeetingFilter(year=self.year.currentData(), kind=self.kind.currentData(),
                             group_id=self.group.currentData(), search=self.search.text(),
                             sort=self.model.filter.sort, descending=self.model.filter.descending)

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_meeting(self, meeting_id: str) -> MeetingEditor:
        editor = self.editors.get(meeting_id)
        if editor is None or not editor.isVisible():
            editor = MeetingEditor(self.backend, meeting_id, self)
            editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            editor.destroyed.connect(lambda *_: self.editors.pop(meeting_id, None))
            self.editors[meeting_id] = editor
        editor.show()
        editor.raise_()
        return editor

    def open_current(self) -> None:
        meeting_id = self.current_id()
        if meeting_id:
            self.open_meeting(meeting_id)

    def add(self) -> None:
        preset = {"kind": self.kind.currentData() or GROUP_ACTIVITY, "group_id": self.group.currentData(),
                  "date": date.today().isoformat(), "status": "planned"}

        def ready(refs):
            self.new_dialog = NewMeetingDialog(self.backend, refs, preset, self.open_meeting, self)
            self.new_dialog.open()

        self.backend.query(meeting_refs, ready)

    def delete(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row and confirm(self, "删除会议", f"把“{row['title']}”（含签到、纪要、流程）移到回收站？", "删除"):
            self.backend.op(lambda s: s.meetings.delete(row["id"]), None, lambda e: show_refusal(self, e),
                              summary=f"删除会议“{row['title']}”")




class YearPlan(QWidget):
    """Plenary x2, each group x4, each hall x12: held, planned, due, missed."""

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.year = NoWheelCombo()
        for year in range(date.today().year + 1, date.today().year - 6, -1):
            self.year.addItem(f"{year}年", year)
        self.year.setCurrentIndex(self.year.findData(date.today().year))
        self.year.currentIndexChanged.connect(lambda _: self.reload())
        self.kind = NoWheelCombo()
        for kind in kinds():
            self.kind.addItem(kind.cadence.label, kind.code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(GROUP_ACTIVITY)))
        self.kind.currentIndexChanged.connect(lambda _: self.reload())
        self.summary = QLabel()
        self.model = ListTableModel([Col("subject", "对象"), Col("period", "期间"), Col("state_label", "情况"),
                                     Col("meeting_text", "会议")], self)
        self.view = make_table(self.model)
        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addWidget(self.kind)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self.watch = Watch(backend, self.reload, self)

    def reload(self) -> None:
        year, kind = self.year.currentData(), self.kind.currentData()
        self.backend.query(lambda s: s.cadence.year_plan(year, kind=kind), self._show, watch=self.watch)

    def _show(self, slots) -> None:
        for slot in slots:
            slot["meeting_text"] = "；".join(f"{m['date']} {m['title']}" for m in slot["meetings"])
            slot["_warn"] = slot["state"] == "missed"
        self.model.set_rows(slots)
        fit_columns(self.view)
        counts = {state: sum(1 for s in slots if s["state"] == state) for state in SLOT_STATES}
        self.summary.setText("　".join(f"{SLOT_STATES[k]} {v}" for k, v in counts.items() if v))


class DutyDialog(QDialog):
    def __init__(self, hall: dict, delegates: list[dict], parent=None, period_text: str = ""):
        super().__init__(parent)
        name = hall.get("hall") or hall.get("name") or ""
        self.setWindowTitle(f"{name} 值班代表" + (f"（{period_text}）" if period_text else ""))
        layout = QVBoxLayout(self)
        if period_text:
            layout.addWidget(QLabel(f"所选代表在{period_text}的每个月都到{name}值班。"))
        self.list = QListWidget()
        chosen = {d["id"] for d in hall["delegates"]}
        for person in delegates:
            add_check_item(self.list, f"{person['name']}（{person['group_name'] or ''}）", person["id"],
                           person["id"] in chosen)
        self.search = person_list_filter(self.list)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(dialog_buttons("保存", "取消", self.accept, self.reject))

    def chosen(self) -> list[str]:
        return checked_values(self.list)


def rota_periods(today: date) -> list[tuple[str, str]]:
    """(label, period) for the period picker: two months back to a year ahead, then the quarters
    from the last one to four ahead."""
    from app.services.receptions import period_label

    months = []
    for back in range(-2, 13):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        months.append(f"{y}-{m + 1:02d}")
    quarter = (today.month - 1) // 3
    quarters = []
    for ahead in range(-1, 5):
        y, q = divmod(today.year * 4 + quarter + ahead, 4)
        quarters.append(f"{y}-Q{q + 1}")
    return [(period_label(p), p) for p in months] + [(period_label(p), p) for p in quarters]


class ReceptionDuty(QWidget):
    """The duty rota (值班表) of delegates at each neighbourhood hall, by month or quarter, with its
    register and the residents' notice one click away."""

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.month = NoWheelCombo()
        for label, period in rota_periods(date.today()):
            self.month.addItem(label, period)
        self.month.setCurrentIndex(2)
        self.month.currentIndexChanged.connect(lambda _: self.reload())
        self.model = ListTableModel([Col("month_label", "月份"), Col("hall", "邻里议事堂"), Col("address", "地址"),
                                     Col("dates", "接待日期"), Col("hours", "接待时间"),
                                     Col("delegate_names", "值班代表")], self)
        self.view = make_table(self.model)
        self.view.doubleClicked.connect(lambda _: self.edit())
        edit = QPushButton("排定值班代表…")
        edit.clicked.connect(self.edit)
        needs_selection(self.view, [edit], "请先在列表中选择一个邻里议事堂")
        register = QPushButton("导出值班表…")
        register.setToolTip("所选月份或季度的接待日值班表（Excel，可直接打印）")
        register.clicked.connect(lambda: export_with_dialog(self, self.backend, "rota", period=self.period()))
        notice = QPushButton("接待日公告…")
        notice.setToolTip("向居民公告各议事堂的地址、接待日期时间和值班代表（预览、打印，或存为 Word 文档）")
        notice.clicked.connect(self.notice)
        top = QHBoxLayout()
        top.addWidget(QLabel("月份或季度："))
        top.addWidget(self.month)
        top.addStretch(1)
        for button in (edit, register, notice):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self.watch = Watch(backend, self.reload, self)

    def period(self) -> str:
        return self.month.currentData()

    def reload(self) -> None:
        period = self.period()
        self.backend.query(lambda s: s.receptions.rota(period), self._show, watch=self.watch)

    def _show(self, rows) -> None:
        for row in rows:
            row["_warn"] = not row["delegates"]
        self.model.set_rows(rows)
        fit_columns(self.view)

    def notice(self) -> None:
        from app.documents.catalog import DOCS

        from ..pdf_preview import preview_doc

        index = self.view.currentIndex()
        hall = self.model.row_at(index.row()) if index.isValid() else None
        # the selected hall's own notice to post there; none selected: every hall's
        options = {"venue_id": hall["venue_id"]} if hall else {}
        title = DOCS["reception_notice"][0] + (f"（{hall['hall']}）" if hall else "")
        preview_doc(self, self.backend, "reception_notice", self.period(), title, **options)

    def edit(self) -> None:
        index = self.view.currentIndex()
        hall = self.model.row_at(index.row()) if index.isValid() else None
        if not hall:
            return
        period = self.period()
        quarter = "Q" in period
        title = self.month.currentText() if quarter else ""

        def ready(delegates):
            dialog = DutyDialog(hall, delegates, self, title)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                chosen = dialog.chosen()
                self.backend.op(lambda s: s.receptions.set_duty(hall["venue_id"], period, chosen), None,
                                lambda e: show_refusal(self, e), summary=f"排定{hall['hall']}值班")

        self.backend.query(lambda s: s.receptions.duty_candidates(hall["venue_id"]), ready)


class TemplateSteps(RecordListPage):
    """The editable flowchart template of each meeting kind (new meetings copy it)."""

    service_name = "workflows"
    noun = "流程环节"
    columns = [Col("phase_label", "阶段"), Col("sort_order", "顺序"), Col("title", "环节"),
               Col("owner", "责任人"), Col("offset_text", "期限"), Col("closed_when", "完成方式")]

    def add_filters(self, toolbar):
        toolbar.addWidget(QLabel("会议类型："))
        self.kind = NoWheelCombo()
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.kind.currentIndexChanged.connect(lambda _: self.reload())
        toolbar.addWidget(self.kind)
        toolbar.addWidget(QLabel("（修改只影响之后新建的会议）"))

    def load_rows(self, store: Store):
        from app.services.step_events import closed_when

        rows = store.workflows.steps(self.kind.currentData())
        for row in rows:
            row["phase_label"] = dict(PHASES)[row["phase"]]
            days = row["due_offset"] or 0
            row["offset_text"] = ("会议当天" if days == 0 else f"会前 {-days} 天" if days < 0 else f"会后 {days} 天")
            row["name"] = row["title"]
            row["closed_when"] = closed_when(row)  # a step whose record is kept closes itself
        return rows

    def prepare_values(self, store: Store, row):
        return row or {"phase": "pre", "due_offset": -7}

    def dialog_values(self, values, extra):
        return {**values, "kind": self.kind.currentData()}, {}

    def service_fields(self):
        from app.services.workflows import WorkflowService

        return WorkflowService.fields


class DepartmentList(RecordListPage):
    """Departments and units invited to meetings (and, later, handling opinions)."""

    service_name = "departments"
    noun = "部门（单位）"
    imports = ("departments",)
    register = "departments"  # 部门（单位）联系表: sent out for corrections, imported back
    columns = [Col("name", "简称"), Col("full_name_shown", "全称（用于文书）"), Col("contact", "联系人"),
               Col("phone", "联系电话"), Col("sort_order", "排序")]

    def service_fields(self):
        from app.services.departments import DepartmentService

        return DepartmentService.fields


class MeetingsPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.list = MeetingList(backend)
        self.plan = YearPlan(backend)
        self.duty = ReceptionDuty(backend)
        self.tabs.addTab(self.list, "会议活动")
        self.tabs.addTab(self.plan, "年度计划")
        self.tabs.addTab(self.duty, "接待日值班")
        self.templates = TemplateSteps(backend)
        self.departments = DepartmentList(backend)
        self.tabs.addTab(self.templates, "流程图模板")
        self.tabs.addTab(self.departments, "部门（单位）名单")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def reload(self) -> None:
        for part in (self.list, self.plan, self.duty, self.templates, self.departments):
            part.reload()

    def open_record(self, kind: str, record_id: str | None):
        """From 概览 or the reminders: a meeting opens in its editor; the plan shows the year plan."""
        if kind == "plan":
            self.tabs.setCurrentWidget(self.plan)
            return None
        self.tabs.setCurrentWidget(self.list)
        return self.list.open_meeting(record_id) if record_id else None
