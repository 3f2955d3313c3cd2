"""组织: communities, grids and groups, one tab each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..backend import DelayedProgress
from ..form_dialog import ask
from ..messages import show_refusal
from ..models import Col
from ..widgets import NoWheelCombo
from .base import RecordListPage, export_with_dialog, refill_combo

if TYPE_CHECKING:
    from app.store import Store


class CommunitiesPage(RecordListPage):
    service_name = "communities"
    noun = "村（社区）"
    imports = ("communities",)
    columns = [Col("name", "名称"), Col("kind_label", "类型"), Col("area_label", "片区"),
               Col("group_name", "所属议事小组"), Col("grid_count", "网格数"),
               Col("delegate_count", "在任代表数"), Col("notes", "备注")]


class GridsPage(RecordListPage):
    service_name = "grids"
    noun = "网格"
    register = "grids"
    imports = ("grids",)
    columns = [Col("community_name", "所在村（社区）"), Col("name", "网格"), Col("worker_name", "网格员"),
               Col("worker_phone", "网格员电话"), Col("delegate_names", "联系议事代表"), Col("notes", "备注")]

    def add_filters(self, toolbar):
        toolbar.addWidget(QLabel("村（社区）："))
        self.community = NoWheelCombo()
        self.community.setMinimumWidth(160)
        self.community.addItem("全部", None)
        self.community.currentIndexChanged.connect(lambda _: self.reload())
        toolbar.addWidget(self.community)

    def buttons(self):
        # the chosen community's 网格联系表 to post in the community, or the whole subdistrict's
        return [("批量新建…", self.bulk_create, "一次新建“第1网格—第N网格”")] + super().buttons() + [
            ("导出网格联系表…", lambda: export_with_dialog(self, self.backend, "contacts",
                                                    community_id=self.community.currentData()),
             "每个网格的联系代表和电话，可张贴在社区（先选村（社区）则只导出该社区）")]

    def load_rows(self, store: Store):
        return store.grids.list(self.community.currentData()), store.communities.list()

    def _show_rows(self, result):
        rows, communities = result
        refill_combo(self.community, [(c["id"], c["name"]) for c in communities])
        super()._show_rows(rows)

    def prepare_values(self, store: Store, row):
        if row is None and self.community.currentData():
            return {"community_id": self.community.currentData()}
        return row

    def bulk_create(self):
        dialog = BulkGridDialog(self.community, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        community_id, number_range, pattern = dialog.values()
        job = self.backend.op(
            lambda s, job: s.grids.bulk_create(community_id, number_range, pattern, progress=job.report),
            None, lambda e: show_refusal(self, e), wants_job=True, summary="批量新建网格")
        DelayedProgress(self, job, "正在新建网格…", cancellable=True)


class BulkGridDialog(QDialog):
    def __init__(self, communities: QComboBox, parent=None):
        super().__init__(parent)
        self.setWindowTitle("批量新建网格")
        form = QFormLayout(self)
        self.community = NoWheelCombo()
        for i in range(1, communities.count()):
            self.community.addItem(communities.itemText(i), communities.itemData(i))
        self.community.setCurrentIndex(max(communities.currentIndex() - 1, 0))
        self.range = QLineEdit("1-30")
        self.pattern = QLineEdit("第{n}网格")
        form.addRow("村（社区）", self.community)
        form.addRow("编号范围", self.range)
        form.addRow("名称格式", self.pattern)
        form.addRow("", QLabel("{n} 处填入编号，例如“第{n}网格”→ 第1网格、第2网格……"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("新建")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self):
        return self.community.currentData(), self.range.text(), self.pattern.text()


class GroupsPage(RecordListPage):
    service_name = "groups"
    noun = "议事小组"
    register = "groups"
    columns = [Col("name", "小组名称"), Col("community_count", "村（社区）数"),
               Col("community_names", "组成村（社区）"), Col("delegate_count", "在任代表数"),
               Col("leaders", "组长"), Col("deputies", "副组长"), Col("focus", "工作特色/重点"),
               Col("warning_text", "提示")]

    def buttons(self):
        return [*super().buttons(), ("小组推选…", self.elections, "登记小组推选组长、副组长的日期、得票和结果")]

    def elections(self) -> None:
        from .grouping import ElectionsDialog

        row = self.current()
        if not row:
            return show_refusal(self, "请先在列表中选择一个议事小组")
        self.election_dialog = ElectionsDialog(self.backend, row, self)
        self.election_dialog.open()

    def _show_rows(self, rows):
        for row in rows:
            row["warning_text"] = "；".join(row["warnings"])
            row["_warn"] = bool(row["warnings"])
        super()._show_rows(rows)

    def show_warnings(self, rows):
        warnings = [w for row in rows for w in row["warnings"]]
        self.warnings.setText("提示：" + "；".join(warnings) if warnings else "")
        self.warnings.setVisible(bool(warnings))


class TermsPage(RecordListPage):
    service_name = "terms"
    noun = "届次"
    columns = [Col("name", "届次"), Col("start_date", "开始日期"), Col("end_date", "结束日期"),
               Col("state_label", "状态"), Col("closed_on", "届满日期"), Col("delegate_count", "代表人数"),
               Col("serving_count", "在任"), Col("notes", "备注")]

    def buttons(self):
        return [*super().buttons(), ("届满…", self.close_term, "本届届满：在任代表转为“届满”，下一届推选可再次推荐他们")]

    def close_term(self) -> None:
        from datetime import date

        from app.services.base import FieldSpec, step_date

        row = self.current()
        if not row:
            return show_refusal(self, "请先在列表中选择届满的届次")
        specs = [step_date("day", "届满日期"), FieldSpec("reason", "说明")]
        values = ask(self, f"{row['name']}届满", specs, {"day": date.today().isoformat()},
                     note=f"{row['name']}的 {row['serving_count']} 名在任代表将转为“届满”（记入各自的履职档案）。"
                          "此前召开的会议仍按当时在任的代表计算出席和法定人数。", ok="办理届满")
        if values:
            self.backend.op(lambda s: s.terms.close(row["id"], values["day"], values.get("reason") or ""), None,
                            lambda e: show_refusal(self, e), summary=f"{row['name']}届满")


class InstitutionsPage(RecordListPage):
    """制度建设: the 党工委's studies, the 领导小组 and its members, the 实施方案 and each 制度."""

    service_name = "institutions"
    noun = "制度建设记录"
    register = "institutions"
    columns = [Col("kind_label", "类别"), Col("title", "名称"), Col("doc_number", "文号"), Col("day", "日期"),
               Col("status_label", "状态"), Col("member_names", "成员"), Col("content", "主要内容"),
               Col("file_name", "文件")]

    def buttons(self):
        return [*super().buttons(), ("附上文件…", self.attach, "附上印发的文件（PDF、Word 或照片）"),
                ("打开文件", self.open_file, "打开附上的文件")]

    def prepare_values(self, store: Store, row):
        return store.institutions.for_editing(row["id"]) if row else {"kind": "rule", "status": "in_force"}

    def attach(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        row = self.current()
        if not row:
            return show_refusal(self, "请先在列表中选择要附上文件的记录")
        path, _ = QFileDialog.getOpenFileName(self, "选择文件", "", "文件 (*.pdf *.doc *.docx *.jpg *.jpeg *.png);;所有文件 (*)")
        if path:
            self.backend.op(lambda s: s.institutions.attach(row["id"], path), None, lambda e: show_refusal(self, e),
                            summary=f"附上文件：{row['title']}")

    def open_file(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        row = self.current()
        if not row:
            return show_refusal(self, "请先在列表中选择一条记录")
        if not row.get("file_name"):
            return show_refusal(self, f"“{row['title']}”还没有附上文件：可点击“附上文件…”")
        self.backend.query(lambda s: s.institutions.file_path(row["id"]),
                           lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(path)),
                           lambda e: show_refusal(self, e))


class OrganisationPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.communities = CommunitiesPage(backend)
        self.grids = GridsPage(backend)
        self.groups = GroupsPage(backend)
        self.tabs.addTab(self.communities, "村（社区）")
        self.tabs.addTab(self.grids, "网格")
        self.tabs.addTab(self.groups, "议事小组")
        from .grouping import GroupingPage

        self.grouping = GroupingPage(backend)
        self.tabs.addTab(self.grouping, "分组情况")
        self.terms = TermsPage(backend)
        self.tabs.addTab(self.terms, "届次")
        self.institutions = InstitutionsPage(backend)
        self.tabs.addTab(self.institutions, "制度建设")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def reload(self):
        for page in (self.communities, self.grids, self.groups, self.grouping, self.terms, self.institutions):
            page.reload()

    def open_record(self, kind: str, record_id: str | None):
        """From 概览 or the reminders: the tab of the record's kind, its row selected."""
        from ..navigate import select_row

        page = {"grid": self.grids, "grids": self.grids, "group": self.groups, "groups": self.groups,
                "term": self.terms}.get(kind, self.communities)
        self.tabs.setCurrentWidget(page)
        if record_id and page is self.grids and self.grids.community.currentIndex() != 0:
            self.grids.community.setCurrentIndex(0)  # every community's grids, so the one asked for shows
        select_row(page.view, record_id)
        return None
