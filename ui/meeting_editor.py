"""One meeting, all of it: details, flowchart, attendance and quorum, minutes, votes, materials,
reception matters, and its documents (preview, print, export)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConflictError
from app.services.attendance import STATUSES as ATTENDANCE
from app.services.meetings import MeetingService

from .flowchart import FlowchartView
from .forms import FieldEditor, RecordDialog
from .messages import confirm, show_refusal
from .widgets import button_row


def meeting_fields(departments: list[str]):
    """The meeting form's fields, with the clerk's current department list as the checklist."""
    return tuple(dataclasses.replace(f, choices=tuple(departments)) if f.name == "departments" else f
                 for f in MeetingService.fields)


def meeting_refs(store) -> dict:
    rooms = store.rows("""SELECT r.id, v.name || ' · ' || r.name AS label FROM rooms r JOIN venues v
                          ON v.id = r.venue_id WHERE r.deleted = 0 AND v.deleted = 0
                          ORDER BY CASE v.level WHEN 'centre' THEN 0 WHEN 'area_hall' THEN 1 ELSE 2 END,
                          v.name, r.sort_order""")
    return {"venues": [(v["id"], v["name"]) for v in store.venues.list()],
            "rooms": [(r["id"], r["label"]) for r in rooms],
            "groups": [(g["id"], g["name"]) for g in store.groups.list()],
            "departments": store.departments.names()}


def submit_meeting(backend, parent, meeting_id: str | None, values: dict, done, failed) -> None:
    """Create or update; a double-booked room is saved only after the clerk confirms."""
    def run(confirmed: bool):
        def call(store):
            if meeting_id:
                return store.meetings.update(meeting_id, values, confirm_double_booking=confirmed)
            return store.meetings.create(values, confirm_double_booking=confirmed)

        def refused(error):
            if isinstance(error, ConflictError) and error.field == "room_id" and not confirmed:
                if confirm(parent, "会议室已被占用", f"{error}\n\n仍要保存吗？", "仍然保存"):
                    run(True)
                    return
            failed(error)

        backend.call(call, done, refused, mutation="保存会议" if meeting_id else "新建会议")

    run(False)


class StepDialog(QDialog):
    def __init__(self, step: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"环节：{step['title']}")
        form = QFormLayout(self)
        self.done_box = QCheckBox("已完成")
        self.done_box.setChecked(True)  # clicking a step is mostly to tick it; untick to reopen
        self.day = QLineEdit(step.get("done_on") or date.today().isoformat())
        self.note = QLineEdit(step.get("note") or "")
        form.addRow(QLabel(f"责任人：{step.get('owner') or '—'}　期限：{step.get('due_date') or '—'}"))
        form.addRow(self.done_box)
        form.addRow("完成日期", self.day)
        form.addRow("说明", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str | None, str]:
        return (self.day.text().strip() if self.done_box.isChecked() else None), self.note.text()


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.verticalHeader().setDefaultSectionSize(28)
    return table


def _cell(text) -> QTableWidgetItem:
    return QTableWidgetItem("" if text is None else str(text))


class MeetingEditor(QDialog):
    def __init__(self, backend, meeting_id: str, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.meeting_id = meeting_id
        self.data: dict = {}
        self.setWindowTitle("会议")
        self.resize(1100, 780)
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.tabs = QTabWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self.docs_bar = QHBoxLayout()
        layout.addLayout(self.docs_bar)
        self._build_docs_bar()
        self.message = QLabel()
        self.message.setStyleSheet("color: #2e7d32;")
        layout.addWidget(self.message)
        self.built = False
        self.reload()

    # -- loading -------------------------------------------------------------------
    def reload(self) -> None:
        meeting_id = self.meeting_id

        def load(store):
            detail = store.meetings.detail(meeting_id)
            return {"meeting": detail, "refs": meeting_refs(store),
                    "sheet": store.attendance.sheet(meeting_id), "quorum": store.attendance.quorum(meeting_id),
                    "votes": store.attendance.votes(meeting_id) if detail["kind"] == "plenary" else [],
                    "materials": store.meetings.materials(meeting_id),
                    "matters": store.receptions.matters(meeting_id) if detail["kind"] == "reception" else []}

        self.backend.call(load, self._show, lambda e: show_refusal(self, e))

    def _show(self, data: dict) -> None:
        self.data = data
        m = data["meeting"]
        self.setWindowTitle(f"会议：{m['title']}")
        self.heading.setText(f"{m['title']}　{m['date']} {m['time']}　{m['place']}　[{m['status_label']}]")
        if not self.built:
            self._build_tabs(m)
            self.built = True
        self._fill_details(m)
        self.flowchart.set_steps(m["steps"])
        self._fill_sheet(data["sheet"], data["quorum"])
        self._fill_minutes(m)
        if m["kind"] == "plenary":
            self._fill_votes(data["votes"], data["quorum"])
        if m["kind"] == "reception":
            self._fill_matters(data["matters"])
        self._fill_materials(data["materials"])

    def _build_tabs(self, m: dict) -> None:
        self.tabs.addTab(self._details_tab(), "基本信息")
        self.flowchart = FlowchartView()
        self.flowchart.step_clicked.connect(self.edit_step)
        self.tabs.addTab(self.flowchart, "工作流程图")
        self.tabs.addTab(self._sheet_tab(m), "签到与出席")
        if m["kind"] == "reception":
            self.tabs.addTab(self._matters_tab(), "接待事项")
        self.tabs.addTab(self._minutes_tab(), "会议纪要")
        if m["kind"] == "plenary":
            self.tabs.addTab(self._votes_tab(), "票决")
        self.tabs.addTab(self._materials_tab(), "会议材料")

    def saved(self, text: str):
        def done(*_):
            self.message.setText(f"已保存：{text}（可按 Ctrl+Z 撤销）")
            self.reload()
        return done

    # -- details -------------------------------------------------------------------
    def _details_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.editors: dict[str, FieldEditor] = {}
        for spec in meeting_fields(self.data["refs"]["departments"]):
            editor = FieldEditor(spec, self.data["refs"], page)
            self.editors[spec.name] = editor
            form.addRow(spec.label + ("＊" if spec.required else ""), editor)
            editor.edited.connect(lambda e=editor: e.show_error(e.local_error()))
        save = QPushButton("保存基本信息")
        save.clicked.connect(self.save_details)
        form.addRow("", save)
        return page

    def _fill_details(self, m: dict) -> None:
        for name, editor in self.editors.items():
            editor.set_value(m["departments_list"] if name == "departments" else m.get(name))
            editor.show_error(None)

    def save_details(self) -> None:
        values = {name: editor.value() for name, editor in self.editors.items()}
        bad = [(e, e.local_error()) for e in self.editors.values() if e.local_error()]
        for editor, message in bad:
            editor.show_error(message)
        if bad:
            return

        def failed(error):
            editor = self.editors.get(getattr(error, "field", None) or "")
            if editor is not None:
                editor.show_error(str(error))
            else:
                show_refusal(self, error)

        submit_meeting(self.backend, self, self.meeting_id, values, self.saved("基本信息"), failed)

    # -- flowchart ---------------------------------------------------------------------
    def edit_step(self, step: dict) -> None:
        dialog = StepDialog(step, self)
        if dialog.exec() != QDialog.Accepted:
            return
        done_on, note = dialog.values()
        self.backend.call(lambda s: s.meetings.tick_step(step["id"], done_on, note),
                          self.saved(f"环节“{step['title']}”"), lambda e: show_refusal(self, e),
                          mutation=f"登记环节“{step['title']}”")

    # -- attendance ----------------------------------------------------------------------
    def _sheet_tab(self, m: dict) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.quorum_label = QLabel()
        self.quorum_label.setObjectName("quorum")
        layout.addWidget(self.quorum_label)
        self.sheet = _table(["姓名", "所在村（社区）/单位", "出席情况", "小组职务"])
        self.sheet.setEditTriggers(QAbstractItemView.NoEditTriggers)
        layout.addWidget(self.sheet)
        button_row(layout, (("全部设为出席", self.all_present), ("添加列席人员…", self.add_guest),
                           ("保存签到", self.save_sheet)))
        return page

    def _fill_sheet(self, sheet: list[dict], quorum: dict) -> None:
        self.sheet_rows = sheet
        self.sheet.setRowCount(len(sheet))
        for row, person in enumerate(sheet):
            self.sheet.setItem(row, 0, _cell(person["name"]))
            self.sheet.setItem(row, 1, _cell(person.get("community_name")))
            box = QComboBox()
            box.addItem("未登记", None)
            for value, label in ATTENDANCE:
                if value != "attending_nonmember" or not person["delegate_id"]:
                    box.addItem(label, value)
            box.setCurrentIndex(max(box.findData(person["status"]), 0))
            box.setEnabled(bool(person["delegate_id"]))
            box.currentIndexChanged.connect(self._update_quorum)
            self.sheet.setCellWidget(row, 2, box)
            self.sheet.setItem(row, 3, _cell({"leader": "组长", "deputy_leader": "副组长"}.get(
                person.get("group_role"), "" if person["delegate_id"] else "列席")))
        self.sheet.resizeColumnsToContents()
        self._quorum_total = quorum["total"]
        self._update_quorum()

    def _marks(self) -> dict[str, str | None]:
        return {p["delegate_id"]: self.sheet.cellWidget(i, 2).currentData()
                for i, p in enumerate(self.sheet_rows) if p["delegate_id"]}

    def _update_quorum(self) -> None:
        marks = self._marks()
        present = sum(1 for s in marks.values() if s == "present")
        if self.data["meeting"]["kind"] == "plenary":
            total = self._quorum_total
            met = present * 2 > total
            self.quorum_label.setText(
                f"全体议事代表 {total} 人，已登记出席 {present} 人，需超过半数（至少 {total // 2 + 1} 人）："
                + ("已达到法定人数" if met else "尚未达到法定人数"))
            self.quorum_label.setStyleSheet(f"color: {'#2e7d32' if met else '#c62828'}; font-weight: bold;")
        else:
            self.quorum_label.setText(f"应到 {sum(1 for p in self.sheet_rows if p['expected'])} 人，"
                                      f"已登记出席 {present} 人")

    def all_present(self) -> None:
        for i, person in enumerate(self.sheet_rows):
            if person["delegate_id"] and person["expected"]:
                box = self.sheet.cellWidget(i, 2)
                if box.currentData() is None:
                    box.setCurrentIndex(box.findData("present"))

    def save_sheet(self) -> None:
        marks = self._marks()
        self.backend.call(lambda s: s.attendance.record(self.meeting_id, marks), self.saved("签到"),
                          lambda e: show_refusal(self, e), mutation="登记出席情况")

    def add_guest(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("添加列席人员")
        form = QFormLayout(dialog)
        name, unit = QLineEdit(), QLineEdit()
        form.addRow("姓名", name)
        form.addRow("单位", unit)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() == QDialog.Accepted:
            self.backend.call(lambda s: s.attendance.add_guest(self.meeting_id, name.text(), unit.text()),
                              self.saved("列席人员"), lambda e: show_refusal(self, e), mutation="添加列席人员")

    # -- minutes -------------------------------------------------------------------------
    def _minutes_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("会议概况："))
        self.summary = QPlainTextEdit()
        self.summary.setFixedHeight(80)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("议定事项（每行一条）："))
        self.decisions = QPlainTextEdit()
        self.decisions.setFixedHeight(90)
        layout.addWidget(self.decisions)
        layout.addWidget(QLabel("落实事项及责任分工："))
        self.items = _table(["落实事项", "责任单位", "责任人", "期限（如 2026-08-31）"])
        self.items.setColumnWidth(0, 420)
        layout.addWidget(self.items)
        button_row(layout, (("增加一项", self.add_item), ("删除所选", self.remove_item),
                           ("保存纪要", self.save_minutes)))
        return page

    def _fill_minutes(self, m: dict) -> None:
        self.summary.setPlainText(m.get("summary") or "")
        self.decisions.setPlainText(m.get("decisions") or "")
        self.items.setRowCount(0)
        for item in m["action_items"]:
            self.add_item(item)

    def add_item(self, item: dict | None = None) -> None:
        item = item if isinstance(item, dict) else {}
        row = self.items.rowCount()
        self.items.insertRow(row)
        for col, key in enumerate(("content", "unit", "person", "deadline")):
            cell = _cell(item.get(key))
            if col == 0:
                cell.setData(Qt.UserRole, item.get("id"))
            self.items.setItem(row, col, cell)

    def remove_item(self) -> None:
        for index in sorted({i.row() for i in self.items.selectedIndexes()}, reverse=True):
            self.items.removeRow(index)

    def save_minutes(self) -> None:
        items = []
        for row in range(self.items.rowCount()):
            cells = [self.items.item(row, col) for col in range(4)]
            items.append({"id": cells[0].data(Qt.UserRole) if cells[0] else None,
                          **{key: (cell.text() if cell else "") for key, cell in
                             zip(("content", "unit", "person", "deadline"), cells)}})
        summary, decisions = self.summary.toPlainText(), self.decisions.toPlainText()
        self.backend.call(lambda s: s.meetings.save_minutes(self.meeting_id, summary, decisions, items),
                          self.saved("会议纪要"), lambda e: show_refusal(self, e), mutation="保存会议纪要")

    # -- votes -------------------------------------------------------------------------
    def _votes_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.votes_note = QLabel()
        layout.addWidget(self.votes_note)
        self.votes = _table(["票决事项", "赞成", "反对", "弃权", "结果"])
        self.votes.setColumnWidth(0, 380)
        layout.addWidget(self.votes)
        form = QHBoxLayout()
        self.vote_item = QLineEdit()
        self.vote_item.setPlaceholderText("民生实事项目名称")
        form.addWidget(self.vote_item, 2)
        self.vote_counts = []
        for label in ("赞成", "反对", "弃权"):
            form.addWidget(QLabel(label))
            spin = QSpinBox()
            spin.setRange(0, 100000)
            form.addWidget(spin)
            self.vote_counts.append(spin)
        add = QPushButton("登记票决结果")
        add.clicked.connect(self.record_vote)
        form.addWidget(add)
        remove = QPushButton("删除所选")
        remove.clicked.connect(self.remove_vote)
        form.addWidget(remove)
        layout.addLayout(form)
        return page

    def _fill_votes(self, votes: list[dict], quorum: dict) -> None:
        self.vote_rows = votes
        self.votes_note.setText(f"全体议事代表 {quorum['total']} 人，出席 {quorum['present']} 人；"
                                f"票数合计不得超过出席人数，赞成票超过全体代表半数（{quorum['total'] // 2 + 1} 票）方为通过。")
        self.votes.setRowCount(len(votes))
        for row, vote in enumerate(votes):
            for col, value in enumerate((vote["item"], vote["votes_for"], vote["votes_against"],
                                         vote["votes_abstain"], vote["result"])):
                self.votes.setItem(row, col, _cell(value))

    def record_vote(self) -> None:
        item = self.vote_item.text()
        counts = [spin.value() for spin in self.vote_counts]

        def done(changes):
            self.vote_item.clear()
            for spin in self.vote_counts:
                spin.setValue(0)
            self.saved("票决结果")(changes)

        self.backend.call(lambda s: s.attendance.record_vote(self.meeting_id, item, *counts), done,
                          lambda e: show_refusal(self, e), mutation="登记票决结果")

    def remove_vote(self) -> None:
        row = self.votes.currentRow()
        if 0 <= row < len(self.vote_rows):
            vote_id = self.vote_rows[row]["id"]
            self.backend.call(lambda s: s.attendance.remove_vote(vote_id), self.saved("删除票决事项"),
                              lambda e: show_refusal(self, e), mutation="删除票决事项")

    # -- reception matters ------------------------------------------------------------
    def _matters_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("群众反映的事项（意见建议台账将从这里接收）："))
        self.matters = _table(["反映事项", "反映人"])
        self.matters.setColumnWidth(0, 520)
        layout.addWidget(self.matters)
        button_row(layout, (("增加一项", lambda: self._add_matter({})), ("保存接待事项", self.save_matters)))
        return page

    def _fill_matters(self, matters: list[dict]) -> None:
        self.matters.setRowCount(0)
        for matter in matters:
            self._add_matter(matter)

    def _add_matter(self, matter: dict) -> None:
        row = self.matters.rowCount()
        self.matters.insertRow(row)
        cell = _cell(matter.get("content"))
        cell.setData(Qt.UserRole, matter.get("id"))
        self.matters.setItem(row, 0, cell)
        self.matters.setItem(row, 1, _cell(matter.get("resident")))

    def save_matters(self) -> None:
        matters = []
        for row in range(self.matters.rowCount()):
            content, resident = self.matters.item(row, 0), self.matters.item(row, 1)
            matters.append({"id": content.data(Qt.UserRole) if content else None,
                            "content": content.text() if content else "",
                            "resident": resident.text() if resident else ""})
        self.backend.call(lambda s: s.receptions.save_matters(self.meeting_id, matters), self.saved("接待事项"),
                          lambda e: show_refusal(self, e), mutation="登记接待事项")

    # -- materials ------------------------------------------------------------------------
    def _materials_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.materials = QListWidget()
        self.materials.itemDoubleClicked.connect(self.open_material)
        layout.addWidget(self.materials)
        button_row(layout, (("添加文件…", self.add_material), ("打开", self.open_material),
                           ("删除所选", self.remove_material)))
        layout.addWidget(QLabel("文件会复制到数据目录中保存，并记录校验值，原文件移动或删除不影响。"))
        return page

    def _fill_materials(self, materials: list[dict]) -> None:
        self.materials.clear()
        for material in materials:
            item = QListWidgetItem(f"{material['title']}　（{material['file_name']}，"
                                   f"{(material['size'] or 0) // 1024 + 1} KB）")
            item.setData(Qt.UserRole, material)
            self.materials.addItem(item)

    def add_material(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择会议材料")
        for path in paths:
            self.backend.call(lambda s, p=path: s.meetings.add_material(self.meeting_id, p),
                              self.saved(f"材料“{Path(path).name}”"), lambda e: show_refusal(self, e),
                              mutation="添加会议材料")

    def open_material(self, *_):
        item = self.materials.currentItem()
        if item:
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(Qt.UserRole)["path"]))

    def remove_material(self) -> None:
        item = self.materials.currentItem()
        if item and confirm(self, "删除材料", f"删除材料“{item.data(Qt.UserRole)['title']}”？", "删除"):
            material_id = item.data(Qt.UserRole)["id"]
            self.backend.call(lambda s: s.meetings.remove_material(material_id), self.saved("删除材料"),
                              lambda e: show_refusal(self, e), mutation="删除会议材料")

    # -- documents -------------------------------------------------------------------------
    def _build_docs_bar(self) -> None:
        from app.documents.catalog import DOCS, MEETING_DOCS

        self.docs_bar.addWidget(QLabel("文书："))
        for kind in MEETING_DOCS:
            label = DOCS[kind][0]
            preview = QPushButton(f"{label}…")
            preview.setToolTip(f"预览并打印{label}")
            preview.clicked.connect(lambda _=False, k=kind, l=label: self.preview(k, l))
            self.docs_bar.addWidget(preview)
        self.docs_bar.addStretch(1)
        export = QPushButton("导出全部 PDF…")
        export.clicked.connect(self.export_all)
        self.docs_bar.addWidget(export)

    def preview(self, kind: str, label: str) -> None:
        from .opinion_dialog import preview_doc

        preview_doc(self, self.backend, kind, self.meeting_id, f"{self.data['meeting']['title']}{label}")

    def export_all(self) -> None:
        from app.documents.catalog import DOCS, MEETING_DOCS, export_doc

        folder = QFileDialog.getExistingDirectory(self, "选择保存文件夹")
        if not folder:
            return
        title = self.data["meeting"]["title"]

        def run(store):
            held = store.meetings.get(self.meeting_id)["status"] == "held"
            # Minutes exist only for a meeting that was held; the other documents go out before it.
            kinds = [k for k in MEETING_DOCS if held or k != "minutes"]
            paths = [export_doc(store, kind, self.meeting_id, Path(folder) / f"{title}{DOCS[kind][0]}.pdf")["path"]
                     for kind in kinds]
            return paths, held

        def done(result):
            paths, held = result
            QMessageBox.information(self, "导出完成", "已导出：\n" + "\n".join(paths)
                                    + ("" if held else "\n\n会议尚未召开，没有导出会议纪要。"))

        self.backend.call(run, done, lambda e: show_refusal(self, e))


class NewMeetingDialog(RecordDialog):
    """The first details of a meeting; the full editor opens once it is saved."""

    def __init__(self, backend, refs: dict, preset: dict, on_created, parent=None):
        self.backend = backend

        def submit(values, dialog):
            def done(changes):
                dialog.saved()
                on_created(changes.created("meetings")[0])
            submit_meeting(backend, dialog, None, values, done, dialog.refused)

        super().__init__("新建会议", meeting_fields(refs["departments"]), refs, preset, submit, parent)
        self.setObjectName("new_meeting")
