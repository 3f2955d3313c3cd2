"""实地走访调研 of a topic: each survey's day, place, the delegates and units who went, what they found
and its photos (step 3 of the five-step method, before the group meets)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QLabel

from app.services.base import FieldSpec, step_date

from ...dialog_frame import FittingDialog
from ...form_dialog import ask
from ...messages import show_refusal
from ...opinion_dialog import supervisor_choices
from ...widgets import button_row, close_button, plain_table, text_cell


class SurveysDialog(FittingDialog):
    def __init__(self, backend, topic: dict, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.topic = topic
        self.rows: list[dict] = []
        self.people: list[dict] = []
        self.units: list[str] = []
        self.loaded = False
        self.setWindowTitle(f"实地走访调研：{topic['title']}")
        note = QLabel("议事小组组织议事代表和相关部门就议题实地走访调研：日期、地点、参加的代表和单位、调研发现和照片。"
                      "记录显示在议题中每条意见的办理过程里，并印入议事方案。")
        note.setWordWrap(True)
        self.body.addWidget(note)
        self.table = plain_table(["日期", "地点", "参加代表", "参加单位", "调研发现", "照片"], multiline=(4,))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(220)
        self.body.addWidget(self.table)
        button_row(self.body, (("新增调研…", self.add), ("修改…", self.edit), ("添加照片…", self.add_photo),
                                         ("删除所选", self.remove)))
        self.message = QLabel()
        self.message.setStyleSheet("color: #2e7d32;")
        self.footer.addWidget(self.message)
        self.footer.addWidget(close_button(self.reject))
        self.reload()

    def reload(self) -> None:
        topic_id = self.topic["id"]

        def load(s):
            return (s.surveys.list(topic_id), s.delegates.serving_on(date.today().isoformat()),
                    s.departments.names())

        self.backend.query(load, self._show, lambda e: show_refusal(self, e))

    def _show(self, result) -> None:
        self.rows, self.people, self.units = result
        self.table.setRowCount(0)
        for survey in self.rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            first = text_cell(survey["day"])
            first.setData(Qt.ItemDataRole.UserRole, survey["id"])
            self.table.setItem(row, 0, first)
            for column, text in enumerate((survey["place"], "、".join(survey["delegate_names"]),
                                           "、".join(survey["units_list"]), survey.get("findings"),
                                           f"{len(survey['photos'])} 张"), 1):
                self.table.setItem(row, column, text_cell(text))
        self.loaded = True

    def _selected(self) -> dict | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            return self.rows[row]
        show_refusal(self, "请先在列表中选择一次调研")
        return None

    def _ask(self, survey: dict | None) -> None:
        people = supervisor_choices(self.people, self.topic.get("group_id"))
        by_id = {v: k for k, v in people.items()}
        units = list(dict.fromkeys([*self.units, *((survey or {}).get("units_list") or [])]))
        specs = [step_date("day", "调研日期"), FieldSpec("place", "调研地点", required=True),
                 FieldSpec("delegates", "参加的代表", "checklist", required=True, choices=list(people)),
                 FieldSpec("units", "参加的部门（单位）", "checklist", choices=units),
                 FieldSpec("other_units", "其他单位（用顿号分隔）"),
                 FieldSpec("findings", "调研发现", "multiline")]
        values = {"day": date.today().isoformat()} if survey is None else {
            "day": survey["day"], "place": survey["place"], "findings": survey.get("findings"),
            "units": survey["units_list"], "delegates": [by_id[i] for i in survey["delegate_ids"] if i in by_id]}
        answer = ask(self, "实地走访调研", specs, values)
        if answer is None:
            return
        chosen = [people[label] for label in answer.pop("delegates")]
        others = [u.strip() for u in (answer.pop("other_units") or "").replace("，", "、").split("、") if u.strip()]
        answer["units"] = [*answer["units"], *others]
        topic_id, survey_id = self.topic["id"], (survey or {}).get("id")
        self._run(lambda s: s.surveys.save(topic_id, answer, chosen, survey_id), "实地走访调研")

    def _run(self, fn, what: str) -> None:
        def done(*_):
            self.message.setText(f"已保存：{what}（可按 Ctrl+Z 撤销）")
            self.reload()

        self.backend.op(fn, done, lambda e: show_refusal(self, e), summary=what)

    def add(self) -> None:
        self._ask(None)

    def edit(self) -> None:
        survey = self._selected()
        if survey:
            self._ask(survey)

    def add_photo(self) -> None:
        survey = self._selected()
        if not survey:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "选择调研照片", "", "图片 (*.jpg *.jpeg *.png)")
        for path in paths:
            self._run(lambda s, p=path: s.surveys.add_photo(survey["id"], p), "添加调研照片")

    def remove(self) -> None:
        survey = self._selected()
        if survey:
            self._run(lambda s: s.surveys.delete(survey["id"]), "删除实地走访调研")


def open_surveys(parent, backend, topic: dict) -> SurveysDialog:
    dialog = SurveysDialog(backend, topic, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
