"""One meeting, all of it: the frame (heading, flowchart, documents bar) around its tabs — details,
attendance and quorum, minutes, votes, reception matters, materials — each a widget in `ui.meeting`."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypedDict, runtime_checkable

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
)

from app.common.errors import ConflictError
from app.rules.meeting_kinds import kind_of
from app.services.meetings import MeetingService

from .flowchart import FlowchartView
from .forms import RecordDialog, follow_choices
from .memory import fit_on_screen
from .messages import confirm, show_refusal
from .widgets import dialog_buttons

if TYPE_CHECKING:
    from app.services.rows import MeetingDetail
    from app.store import Store


def meeting_fields(departments: list[str]):
    """The meeting form's fields, with the clerk's current department list as the checklist."""
    return tuple(dataclasses.replace(f, choices=tuple(departments)) if f.name == "departments" else f
                 for f in MeetingService.fields)


def meeting_refs(store: Store) -> dict:
    return {"venues": [(v["id"], v["name"]) for v in store.venues.list()],
            "rooms": store.venues.room_choices(),
            "groups": [(g["id"], g["name"]) for g in store.groups.list()],
            "departments": store.departments.names()}


def meeting_choices(store: Store) -> dict:
    """What the editor's choice lists offer (its tabs' forms ask for delegates too)."""
    return {**meeting_refs(store), "delegates": store.delegates.choices()}


def submit_meeting(backend, parent, meeting_id: str | None, values: dict, done, failed) -> None:
    """Create or update; a double-booked room is saved only after the clerk confirms."""
    def run(confirmed: bool):
        def call(store: Store):
            if meeting_id:
                return store.meetings.update(meeting_id, values, confirm_double_booking=confirmed)
            return store.meetings.create(values, confirm_double_booking=confirmed)

        def refused(error):
            if isinstance(error, ConflictError) and error.field == "room_id" and not confirmed:
                if confirm(parent, "会议室已被占用", f"{error}\n\n仍要保存吗？", "仍然保存"):
                    run(True)
                    return
            failed(error)

        backend.op(call, done, refused, summary="保存会议" if meeting_id else "新建会议")

    run(False)


class MeetingData(TypedDict, total=False):
    """What the editor reads in the worker (MeetingEditor.reload) and its tabs show; the last four
    only for the kinds that have them (opinions raised at the meeting, a plenary's group discussions)."""

    meeting: MeetingDetail
    refs: dict
    sheet: list[dict]  # AttendanceService.sheet
    quorum: dict
    figures: dict  # AttendanceService.figures: the figures of a meeting without a sign-in list
    votes: list[dict]
    materials: list[dict]
    matters: list[dict]
    raised: list[dict]
    linkable: list[tuple[str, str]]  # (id, label)
    discussions: list[dict]
    discussion_rooms: list[tuple[str, str]]  # (id, label)


@runtime_checkable
class MeetingPart(Protocol):
    """A tab that shows part of the meeting (ui.meeting.*), filled anew on every load; the
    flowchart is not one: it is given the steps alone."""

    def fill(self, data: MeetingData) -> None: ...


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
        form.addRow(dialog_buttons("保存", "取消", self.accept, self.reject))

    def values(self) -> tuple[str | None, str]:
        return (self.day.text().strip() if self.done_box.isChecked() else None), self.note.text()


class MeetingEditor(QDialog):
    def __init__(self, backend, meeting_id: str, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.meeting_id = meeting_id
        self.data: MeetingData | None = None
        self.setWindowTitle("会议")
        fit_on_screen(self, (1100, 780))
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.tabs = QTabWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self.docs_bar = QHBoxLayout()
        layout.addLayout(self.docs_bar)  # its buttons come with the tabs: Tab reaches them after the fields
        self.message = QLabel()
        self.message.setStyleSheet("color: #2e7d32;")
        layout.addWidget(self.message)
        self.built = False
        self.reload()
        follow_choices(backend, self, meeting_choices, self._show_choices)
        # Ctrl+P here as in the main window (whose shortcut does not reach this window)
        from PySide6.QtGui import QAction, QKeySequence

        self.print_action = QAction("打印", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(self.print_current)
        self.addAction(self.print_action)

    # -- loading -------------------------------------------------------------------
    def reload(self) -> None:
        meeting_id = self.meeting_id

        def load(store: Store) -> MeetingData:
            detail = store.meetings.detail(meeting_id)
            data: MeetingData = {"meeting": detail, "refs": meeting_refs(store),
                    "sheet": store.attendance.sheet(meeting_id), "quorum": store.attendance.quorum(meeting_id),
                    "figures": store.attendance.figures(meeting_id) or {},
                    "votes": store.attendance.votes(meeting_id) if kind_of(detail["kind"]).votes else [],
                    "materials": store.meetings.materials(meeting_id),
                    "matters": store.receptions.matters(meeting_id) if kind_of(detail["kind"]).matters else []}
            if not kind_of(detail["kind"]).matters:  # a reception day's opinions are its matters
                data["raised"] = store.discussions.opinions(meeting_id)
                data["linkable"] = store.discussions.linkable(meeting_id)
                data["refs"]["delegates"] = store.delegates.choices()
            if kind_of(detail["kind"]).discussions:
                data["discussions"] = store.discussions.list(meeting_id)
                data["discussion_rooms"] = store.discussions.rooms(meeting_id)
                data["refs"]["delegates"] = store.delegates.choices()
            return data

        self.backend.query(load, self._show, lambda e: show_refusal(self, e))

    def _show_choices(self, refs: dict) -> None:
        """A venue, room, group, department or delegate changed elsewhere: the lists offer it as it is
        now, what is chosen stays chosen (the tabs' dialogs read `refs` when they open)."""
        if self.data is None or not self.built:
            return  # the first load brings its own
        self.data["refs"] = {**self.data["refs"], **refs}
        self.details.set_choices(self.data["refs"])

    @property
    def loaded(self) -> MeetingData:
        """The data last shown: the tabs and the document buttons exist only once there is some."""
        assert self.data is not None
        return self.data

    def _show(self, data: MeetingData) -> None:
        self.data = data
        m = data["meeting"]
        self.setWindowTitle(f"会议：{m['title']}")
        self.heading.setText(f"{m['title']}　{m['date']} {m['time']}　{m['place']}　[{m['status_label']}]")
        if not self.built:
            self._build_tabs(m)
            self._build_docs_bar()
            self.built = True
        else:
            self.details.set_choices(data["refs"])
        self.flowchart.set_steps(m["steps"])
        for tab in self.parts:
            tab.fill(data)

    def _build_tabs(self, m: MeetingDetail) -> None:
        from .meeting.attendance_tab import AttendanceTab
        from .meeting.details_tab import DetailsTab
        from .meeting.materials_tab import MaterialsTab
        from .meeting.matters_tab import MattersTab
        from .meeting.minutes_tab import MinutesTab
        from .meeting.votes_tab import VotesTab

        self.details = DetailsTab(self, meeting_fields(self.loaded["refs"]["departments"]), self.loaded["refs"],
                                  lambda values, parent, done, failed: submit_meeting(
                                      self.backend, parent, self.meeting_id, values, done, failed))
        self.flowchart = FlowchartView()
        self.flowchart.step_clicked.connect(self.edit_step)
        self.attendance = AttendanceTab(self)
        self.minutes = MinutesTab(self)
        self.materials = MaterialsTab(self)
        tabs = [(self.details, "基本信息"), (self.flowchart, "工作流程图"), (self.attendance, "签到与出席")]
        if kind_of(m["kind"]).matters:
            self.matters = MattersTab(self)
            tabs.append((self.matters, "接待事项"))
        if kind_of(m["kind"]).discussions:
            from .meeting.discussions_tab import DiscussionsTab

            self.discussions = DiscussionsTab(self)
            tabs.append((self.discussions, "分组讨论"))
        if not kind_of(m["kind"]).matters:
            from .meeting.raised_tab import RaisedTab

            self.raised = RaisedTab(self)
            tabs.append((self.raised, "会中意见建议"))
        tabs.append((self.minutes, "会议纪要"))
        if kind_of(m["kind"]).votes:
            self.votes = VotesTab(self)
            tabs.append((self.votes, "票决"))
        tabs.append((self.materials, "会议材料"))
        for widget, title in tabs:
            self.tabs.addTab(widget, title)
        self.parts = [widget for widget, _ in tabs if isinstance(widget, MeetingPart)]

    def saved(self, text: str):
        def done(*_):
            self.message.setText(f"已保存：{text}（可按 Ctrl+Z 撤销）")
            self.reload()
        return done

    # -- flowchart ---------------------------------------------------------------------
    def edit_step(self, step: dict) -> None:
        dialog = StepDialog(step, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        done_on, note = dialog.values()
        self.backend.op(lambda s: s.meetings.tick_step(step["id"], done_on, note),
                          self.saved(f"环节“{step['title']}”"), lambda e: show_refusal(self, e),
                          summary=f"登记环节“{step['title']}”")

    # -- documents -------------------------------------------------------------------------
    def _build_docs_bar(self) -> None:
        from app.documents.catalog import DOCS, MEETING_DOCS

        docs = QLabel("文书：")
        docs.setToolTip("预览后打印或另存；Ctrl+P 直接打印当前页对应的文书（会议纪要、签到表、流程图）")
        self.docs_bar.addWidget(docs)
        for kind in MEETING_DOCS:
            label = DOCS[kind][0]
            preview = QPushButton(f"{label}…")
            preview.setToolTip(f"预览并打印{label}")
            preview.clicked.connect(lambda _=False, k=kind, text=label: self.preview(k, text))
            self.docs_bar.addWidget(preview)
        notify = QPushButton("通知参会人员…")
        notify.setToolTip("参会人员名单和电话，以及可复制到短信或微信群的通知内容")
        notify.clicked.connect(self.notify)
        self.docs_bar.addWidget(notify)
        self.docs_bar.addStretch(1)
        export = QPushButton("导出全部文书…")
        export.setToolTip("把这次会议的全部文书存入一个文件夹：PDF 文件或 Word 文档")
        export.clicked.connect(self.export_all)
        self.docs_bar.addWidget(export)

    def print_current(self) -> None:
        """Ctrl+P: the document of the tab in front straight to the printer dialog (its 成文日期
        asked first where it carries one): 会议纪要 on its tab, the sign-in sheet on 签到与出席, the
        flowchart on 工作流程图; on the others the minutes once the meeting is held, else its notice."""
        if self.data is None or not self.built:
            return
        from app.documents.catalog import DOCS, docs_of_kind

        from .pdf_preview import preview_doc

        meeting = self.loaded["meeting"]
        by_tab = {self.minutes: "minutes", self.attendance: "signin", self.flowchart: "flowchart"}
        kind = by_tab.get(self.tabs.currentWidget()) or ("minutes" if meeting["status"] == "held" else "meeting_notice")
        offered = docs_of_kind(meeting["kind"])
        if kind not in offered:
            if not offered:
                return
            kind = offered[0]
        preview_doc(self, self.backend, kind, self.meeting_id, f"{meeting['title']}{DOCS[kind][0]}", straight=True)

    def notify(self) -> None:
        from .meeting.notify import NotifyDialog

        def ready(contacts):
            self.notify_dialog = NotifyDialog(contacts, self)
            self.notify_dialog.open()

        meeting_id = self.meeting_id
        self.backend.query(lambda s: s.attendance.contact_list(meeting_id), ready, lambda e: show_refusal(self, e))

    def preview(self, kind: str, label: str) -> None:
        from .pdf_preview import preview_doc

        preview_doc(self, self.backend, kind, self.meeting_id, f"{self.loaded['meeting']['title']}{label}")

    def export_all(self) -> None:
        from app.documents.catalog import DOCS, docs_of_kind, export_doc
        from app.services.base import FieldSpec

        from .form_dialog import ask
        from .save_dialog import ask_folder, keep_preferred_suffix, preferred_suffix

        formats = (FieldSpec("suffix", "保存为", "choice", required=True,
                           choices=((".pdf", "PDF 文件（报送、存档、打印）"),
                                    (".docx", "Word 文档（可在 WPS 或 Word 中修改）"))),)
        answer = ask(self, "导出全部文书", formats, {"suffix": preferred_suffix("doc")}, ok="选择文件夹…")
        if answer is None:
            return
        suffix = answer["suffix"]
        keep_preferred_suffix("doc", suffix)
        folder = ask_folder(self, "选择保存文件夹")
        if not folder:
            return
        title = self.loaded["meeting"]["title"]

        def run(store: Store):
            meeting = store.meetings.get(self.meeting_id)
            held = meeting["status"] == "held"
            # Minutes exist only for a meeting that was held; the other documents go out before it.
            kinds = [k for k in docs_of_kind(meeting["kind"]) if held or k not in ("minutes", "brief")]
            results = [export_doc(store, kind, self.meeting_id, Path(folder) / f"{title}{DOCS[kind][0]}{suffix}")
                       for kind in kinds]
            return results, held

        def done(result):
            results, held = result
            notes = list(dict.fromkeys(text for r in results for text in r["notes"]))
            QMessageBox.information(self, "导出完成", "已导出：\n" + "\n".join(r["path"] for r in results)
                                    + ("" if held else "\n\n会议尚未召开，没有导出会议纪要。")
                                    + "".join(f"\n\n⚠ {text}" for text in notes))

        self.backend.op(run, done, lambda e: show_refusal(self, e), undoable=False)  # the documents' issue dates


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
