"""One opinion through the five steps: details, what happened (timeline), and the next actions
this opinion's state allows (the core refuses the rest anyway)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import CATEGORIES, DEPARTMENT_DUTY, FEEDBACK_METHODS, SATISFACTION, SUPERVISION_METHODS
from app.services.base import FieldSpec, step_date
from app.services.opinions import OpinionService

from .dialog_frame import scrolling
from .form_dialog import ask
from .forms import FieldEditor, follow_choices, refill_refs
from .memory import fit_on_screen
from .messages import show_refusal
from .pdf_preview import preview_doc

if TYPE_CHECKING:
    from app.services.rows import OpinionDetail
    from app.store import Store

TODAY = lambda: date.today().isoformat()


def opinion_refs(store: Store) -> dict:
    return {"delegates": store.delegates.choices(),
            "grids": [(g[0], g[1]) for g in store.grids.choices()],
            "grids_by_community": store.grids.choices(),
            "delegate_communities": store.delegates.communities_of(),
            "communities": [(c["id"], c["name"]) for c in store.communities.list()],
            "units": store.opinions.units(),
            # who may take part in a supervision: the delegates serving today
            "serving": store.delegates.serving_on(date.today().isoformat()),
            "topics": [(t["id"], f"{t['title']}（{t['group_name'] or ''}，{t['status_label']}）")
                       for t in store.topics.list() if t["status"] != "deliberated"]}


def supervisor_choices(serving: list[dict], group_id: str | None) -> dict[str, str]:
    """label -> delegate id of those who may take part in a supervision: the opinion's group first
    (its delegates usually go), then the others; a name shared by two carries their community."""
    ordered = sorted(serving, key=lambda d: d.get("group_id") != group_id) if group_id else list(serving)
    if group_id:
        ordered = [d for d in ordered if d.get("group_id") == group_id] or ordered
    counts: dict[str, int] = {}
    for person in ordered:
        counts[person["name"]] = counts.get(person["name"], 0) + 1
    return {(p["name"] if counts[p["name"]] == 1 else f"{p['name']}（{p.get('community_name') or ''}）"): p["id"]
            for p in ordered}


# The window's buttons for the service's step table (NEXT_STEPS), in the order they are laid out.
ACTION_BUTTONS = [
    ("上报组长…", "report"), ("列入议题…", "to_topic"), ("撤出议题", "untopic"), ("不予采纳…", "decline"), ("交办…", "assign"),
    ("督办…", "supervise"), ("退办…", "return"), ("延期…", "extend"), ("重点督办", "key"),
    ("登记办理结果…", "answer"), ("反馈…", "feedback"), ("办结归档", "close"), ("重办…", "reopen"),
    ("打印交办单…", "print_assignment"), ("打印反馈回执…", "print_feedback"),
]

# Step names that are words Python or Qt already use: `return`, and QWidget.close (closing the
# window must never file the opinion away).
SLOT_NAMES = {"return": "return_", "close": "archive"}


class OpinionDialog(QDialog):
    def __init__(self, backend, opinion_id: str, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.opinion_id = opinion_id
        self.row: Mapping[str, Any] = {}  # the OpinionDetail once loaded
        self.refs: dict = {}
        fit_on_screen(self, (900, 700))
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.state = QLabel()
        self.state.setWordWrap(True)  # the step due, on-time and report notes make a long line
        layout.addWidget(self.state)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.timeline = QListWidget()
        self.timeline.setWordWrap(True)  # a consultation lists every member's view
        details = QWidget()
        self.form = QFormLayout(details)
        self.editors: dict[str, FieldEditor] = {}
        self.tabs.addTab(self.timeline, "办理过程")
        self.clocks = QListWidget()  # each step's limit: due when, done when, late or not
        self.clocks.setObjectName("step_clocks")
        self.tabs.addTab(self.clocks, "各环节时限")
        self.tabs.addTab(scrolling(details), "登记信息")  # eleven fields: they scroll on a short screen
        self.tabs.addTab(self._files_tab(), "照片和附件")
        actions = QGroupBox("下一步")
        grid = QGridLayout(actions)
        self.buttons: dict[str, QPushButton] = {}
        for index, (label, action) in enumerate(ACTION_BUTTONS):
            button = QPushButton(label)
            button.setObjectName(f"action_{action}")
            button.clicked.connect(getattr(self, SLOT_NAMES.get(action, action)))
            grid.addWidget(button, index // 8, index % 8)
            self.buttons[action] = button
        layout.addWidget(actions)
        self.message = QLabel()
        self.message.setStyleSheet("color: #2e7d32;")
        layout.addWidget(self.message)
        self.loaded = False
        self.reload()
        follow_choices(backend, self, opinion_refs, self._show_choices)

    # -- loading -------------------------------------------------------------------
    def reload(self) -> None:
        opinion_id = self.opinion_id
        self.backend.query(lambda s: (s.opinions.detail(opinion_id), opinion_refs(s),
                                     s.opinions.calendar.warning(date.today().year), s.opinions.files(opinion_id)),
                          self._show, lambda e: show_refusal(self, e))

    def _files_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.files = QListWidget()
        self.files.itemDoubleClicked.connect(self.open_file)
        layout.addWidget(self.files)
        row = QGridLayout()
        for index, (text, slot) in enumerate((("添加照片或文件…", self.add_file), ("打开", self.open_file),
                                              ("删除所选", self.remove_file))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button, 0, index)
        layout.addLayout(row)
        return page

    def add_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(
            self, "选择照片或文件", "", "图片和文件 (*.jpg *.jpeg *.png *.pdf *.doc *.docx *.xls *.xlsx);;所有文件 (*)")
        for path in paths:
            self._run(lambda s, p=path: s.opinions.add_file(self.opinion_id, p), "添加附件")

    def open_file(self, *_):
        from PySide6.QtCore import Qt, QUrl
        from PySide6.QtGui import QDesktopServices

        item = self.files.currentItem()
        if item:
            QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(Qt.ItemDataRole.UserRole)["path"]))

    def remove_file(self) -> None:
        from PySide6.QtCore import Qt

        item = self.files.currentItem()
        if item:
            file_id = item.data(Qt.ItemDataRole.UserRole)["id"]
            self._run(lambda s: s.opinions.remove_file(file_id), "删除附件")

    def _show(self, result: tuple[OpinionDetail, dict, str | None, list[dict]]) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QColor
        from PySide6.QtWidgets import QListWidgetItem

        row, refs, warning, files = result
        self.files.clear()
        for file in files:
            item = QListWidgetItem(f"{file['title']}　（{file['file_name']}）")
            item.setData(Qt.ItemDataRole.UserRole, file)
            self.files.addItem(item)
        self.row, self.refs = row, refs
        self.setWindowTitle(f"意见建议 {row['serial']}")
        self.heading.setText(f"{row['serial']}　{row['title']}")
        bits = [f"第{row['step']}步 {row['step_label']}", row["status_label"]]
        if row["category_label"]:
            bits.append(row["category_label"])
        if row["lead_unit"]:
            bits.append(f"主办：{row['lead_unit']}" + (f"　协办：{'、'.join(row['co_units_list'])}"
                                                     if row["co_units_list"] else ""))
        if row["deadline"] and row["status"] in ("assigned", "returned"):
            bits.append(f"期限：{row['deadline']}")
        if row["key_supervision"]:
            bits.append("重点督办")
        if row["flag"]:
            bits.append(f"【{row['flag']}】")
        if row["feedback_due"]:
            bits.append(f"应于 {row['feedback_due']} 前反馈代表")
        elif row["step_due"] and row["clock"] != "answer":
            bits.append(f"应于 {row['step_due']} 前{row['clock_label']}")
        if row["on_time"] is not None:
            bits.append(f"{row['on_time_label']}（期限 {row['deadline']}，{row['answered_on']} 办结）")
        if row["reported_on"]:
            bits.append(f"{row['reported_on']} 已上报组长{row['reported_to_name'] or ''}")
        self.state.setText("　".join(bits))
        self.state.setStyleSheet("color: #c62828; font-weight: bold;" if row["step_late"] else
                                 "color: #b26a00; font-weight: bold;" if row["due_soon"] else "")
        self.clocks.clear()
        for clock in row["step_clocks"]:
            done = f"{clock['done']} 完成" if clock["done"] else "尚未完成"
            item = QListWidgetItem(f"{clock['label']}：应于 {clock['due']} 前，{done}"
                                   + ("　【超过时限】" if clock["late"] else "　按时"))
            if clock["late"]:
                item.setForeground(QColor("#c62828"))
            self.clocks.addItem(item)
        if not row["step_clocks"]:
            self.clocks.addItem("还没有计时的环节")
        self.timeline.clear()
        for event in row["timeline"]:
            self.timeline.addItem(f"{event['day']}　{event['label']}　{event['text']}"
                                  + (f"　—— {event['actor']}" if event.get("actor") else ""))
        if row.get("result"):
            self.timeline.addItem(f"办理结果：{row['result']}")
        if row.get("satisfaction"):
            self.timeline.addItem(f"满意度：{row['satisfaction']}（{row['feedback_method'] or ''}）"
                                  f"　回执编号 {row['feedback_serial'] or ''}")
        for action, button in self.buttons.items():
            button.setEnabled(action in row["next_steps"])
        self.buttons["key"].setText("取消重点督办" if row["key_supervision"] else "重点督办")
        if not self.loaded:
            for spec in OpinionService.fields:
                editor = FieldEditor(spec, refs, self)
                self.editors[spec.name] = editor
                self.form.addRow(spec.label + ("＊" if spec.required else ""), editor)
            save = QPushButton("保存登记信息")
            save.clicked.connect(self.save_details)
            self.form.addRow("", save)
            self.loaded = True
        else:
            refill_refs(self.editors, refs)
        for name, editor in self.editors.items():
            editor.set_value(row.get(name))
        self.warning = warning

    def _show_choices(self, refs: dict) -> None:
        """A delegate, grid, community, unit or topic changed elsewhere: the form and the actions'
        dialogs offer it as it is now, what is chosen stays chosen."""
        self.refs = refs
        if self.loaded:
            refill_refs(self.editors, refs)

    def _run(self, fn, what: str) -> None:
        def done(*_):
            self.message.setText(f"已{what}（可按 Ctrl+Z 撤销）")
            self.reload()

        self.backend.op(fn, done, lambda e: show_refusal(self, e), summary=f"{what}：{self.row['title']}")

    def save_details(self) -> None:
        values = {name: editor.value() for name, editor in self.editors.items()}
        self._run(lambda s: s.opinions.update(self.opinion_id, values), "保存登记信息")

    # -- the actions -----------------------------------------------------------------------
    def report(self) -> None:
        specs = [step_date("day", "上报日期"),
                 FieldSpec("leader_id", "上报给（不选则为本小组组长）", "ref", ref="delegates")]
        values = ask(self, "上报组长", specs, {"day": TODAY()}, self.refs,
                     "代表把走访中收集的意见上报议事小组组长，由组长汇总筛选。")
        if values:
            self._run(lambda s: s.opinions.report(self.opinion_id, values["day"], values["leader_id"]), "上报组长")

    def to_topic(self) -> None:
        values = ask(self, "列入议题", [FieldSpec("topic_id", "并入已有议题", "ref", ref="topics"),
                                     FieldSpec("title", "或新建议题"), step_date("day", "确定议题日期")],
                     {"title": self.row["title"], "day": TODAY()},
                     self.refs, "选择已有议题即为并案；不选则按下面的名称新建议题。")
        if values is None:
            return
        oid, group, day = self.opinion_id, self.row["group_id"], values["day"]
        if values["topic_id"]:
            self._run(lambda s: s.topics.add_opinions(values["topic_id"], [oid], day), "并入议题")
        else:
            self._run(lambda s: s.topics.create({"title": values["title"] or self.row["title"],
                                                 "group_id": group}, [oid], day), "列入议题")

    def untopic(self) -> None:
        self._run(lambda s: s.topics.remove_opinion(self.opinion_id), "撤出议题")

    def decline(self) -> None:
        values = ask(self, "不予采纳", [FieldSpec("reason", "理由（将反馈给群众）", "multiline", required=True)])
        if values:
            self._run(lambda s: s.opinions.decline(self.opinion_id, values["reason"]), "不予采纳")

    def assign(self) -> None:
        specs = [FieldSpec("category", "事项类别", "choice", required=True, choices=CATEGORIES),
                 FieldSpec("lead_unit", "主办单位", "choice", required=True,
                           choices=tuple(self.refs["units"]), editable=True),
                 FieldSpec("co_units", "协办单位", "checklist", choices=tuple(self.refs["units"])),
                 FieldSpec("working_days", "办理期限（工作日）", "int", required=True),
                 step_date("day", "交办日期")]
        values = ask(self, "交办", specs, {"category": self.row["category"] or DEPARTMENT_DUTY,
                                          "lead_unit": self.row["lead_unit"], "working_days": "15",
                                          "co_units": self.row["co_units_list"], "day": TODAY()},
                     self.refs, self.warning or "期限按工作日计算，法定节假日和调休已计入。", ok="交办")
        if values:
            self._run(lambda s: s.opinions.assign(self.opinion_id, values["category"], values["lead_unit"],
                                                int(values["working_days"]), values["co_units"],
                                                values["day"]), "交办")

    def supervise(self) -> None:
        people = supervisor_choices(self.refs.get("serving", []), self.row.get("group_id"))
        specs = [step_date("day", "督办日期"),
                 FieldSpec("method", "督办方式", "choice", required=True, choices=SUPERVISION_METHODS),
                 FieldSpec("content", "督办情况", "multiline", required=True),
                 FieldSpec("progress", "办理进展"),
                 FieldSpec("delegates", "参与督办的代表", "checklist", choices=list(people))]
        values = ask(self, "登记督办", specs, {"day": TODAY(), "method": "电话"},
                     note="勾选和工委一同督办的议事代表（计入代表履职档案）。")
        if values:
            chosen = [people[label] for label in values["delegates"]]
            self._run(lambda s: s.opinions.supervise(self.opinion_id, values["day"], values["method"],
                                                   values["content"], values["progress"], chosen), "登记督办")

    def return_(self) -> None:
        values = ask(self, "退办", [FieldSpec("reason", "退办理由", "multiline", required=True)],
                     note="退办后请重新交办给正确的承办单位。")
        if values:
            self._run(lambda s: s.opinions.return_assignment(self.opinion_id, values["reason"]), "退办")

    def extend(self) -> None:
        specs = [FieldSpec("days", "延长（工作日）", "int", required=True),
                 FieldSpec("approved_by", "批准人", required=True), FieldSpec("reason", "延期理由")]
        values = ask(self, "延期", specs, {"days": "5"})
        if values:
            self._run(lambda s: s.opinions.extend(self.opinion_id, int(values["days"]), values["approved_by"],
                                                values["reason"]), "延期")

    def key(self) -> None:
        flag = not self.row["key_supervision"]
        self._run(lambda s: s.opinions.set_key(self.opinion_id, flag), "列为重点督办" if flag else "取消重点督办")

    def answer(self) -> None:
        values = ask(self, "登记办理结果", [FieldSpec("result", "办理结果", "multiline", required=True),
                                         step_date("day", "办结日期")], {"day": TODAY()})
        if values:
            self._run(lambda s: s.opinions.answer(self.opinion_id, values["result"], values["day"]), "登记办理结果")

    def feedback(self) -> None:
        specs = [FieldSpec("satisfaction", "满意度", "choice", required=True, choices=SATISFACTION),
                 FieldSpec("method", "反馈方式", "choice", required=True, choices=FEEDBACK_METHODS),
                 step_date("delegate_on", "反馈代表日期"),
                 step_date("residents_on", "反馈群众日期", required=False)]
        values = ask(self, "结果反馈", specs, {"satisfaction": "满意", "method": "当面", "delegate_on": TODAY(),
                                            "residents_on": TODAY()})
        if values:
            self._run(lambda s: s.opinions.feedback(self.opinion_id, values["satisfaction"], values["method"],
                                                  values["delegate_on"], values["residents_on"] or None), "反馈")

    def archive(self) -> None:
        self._run(lambda s: s.opinions.close(self.opinion_id), "办结归档")

    def reopen(self) -> None:
        values = ask(self, "重办", [FieldSpec("reason", "重办理由", "multiline", required=True),
                                   FieldSpec("days", "新的办理期限（工作日）", "int", required=True)], {"days": "10"})
        if values:
            self._run(lambda s: s.opinions.reopen(self.opinion_id, values["reason"], int(values["days"])), "重办")

    def print_assignment(self) -> None:
        self._preview("assignment", "交办单")

    def print_feedback(self) -> None:
        self._preview("feedback", "反馈回执")

    def _preview(self, kind: str, label: str) -> None:
        preview_doc(self, self.backend, kind, self.opinion_id, f"{self.row['serial']}{label}")
