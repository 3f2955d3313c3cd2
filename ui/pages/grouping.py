"""分组情况: the groups read against the report's principles (人数适当、区域适中、职业相近), beside the
groups list; and a group's 推选 of its leader and deputies (date, votes, result)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QAbstractItemView, QLabel, QVBoxLayout, QWidget

from app.rules.codes import ELECTION_RESULTS, ELECTION_ROLES
from app.services.base import FieldSpec, step_date

from ..backend import Watch
from ..dialog_frame import FittingDialog
from ..form_dialog import ask
from ..messages import show_refusal
from ..models import Col, ListTableModel
from ..widgets import button_row, close_button, needs_selection
from .base import make_table

MARK = {True: "✓ ", False: "⚠ "}
TAKE_OFFICE = (("yes", "同时在花名册中担任该职务"), ("no", "只登记推选结果"))


class GroupingPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("按照“人数适当、区域适中、职业相近”的原则分组：每组的人数、组成的村（社区）和片区、代表的界别和职务。"
                      "⚠ 表示与原则不符之处，供调整分组时参考。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.model = ListTableModel([Col("name", "议事小组"), Col("size_text", "人数适当"),
                                     Col("area_text", "区域适中"), Col("communities_text", "组成村（社区）"),
                                     Col("sector_text", "职业相近"), Col("sectors_text", "界别构成"),
                                     Col("posts_text", "主要职务")], self)
        self.view = make_table(self.model)
        self.view.setWordWrap(True)
        layout.addWidget(self.view)
        self.watch = Watch(backend, self.reload, self)

    def reload(self) -> None:
        self.backend.query(lambda s: s.elections.grouping(), self._show, watch=self.watch)

    def _show(self, rows: list[dict]) -> None:
        for row in rows:
            row["size_text"] = MARK[row["size_ok"]] + row["size_note"]
            row["area_text"] = MARK[row["area_ok"]] + row["area_note"]
            row["sector_text"] = MARK[row["sector_ok"]] + row["sector_note"]
            row["communities_text"] = "、".join(row["communities"])
            row["sectors_text"] = "、".join(f"{k} {n}" for k, n in row["sectors"])
            row["posts_text"] = "、".join(f"{k} {n}" for k, n in row["posts"])
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()


class ElectionsDialog(FittingDialog):
    """One group's 推选: each candidate's office, votes of those present, and the result."""

    def __init__(self, backend, group: dict, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.group = group
        self.members: list[tuple[str, str]] = []
        self.loaded = False
        self.setWindowTitle(f"小组推选：{group['name']}")
        note = QLabel("各议事代表小组推选组长 1 人、副组长 2 人：登记推选日期、参加推选的人数、每位候选代表的得票和结果。")
        note.setWordWrap(True)
        self.body.addWidget(note)
        self.model = ListTableModel([Col("day", "推选日期"), Col("role_label", "职务"), Col("delegate_name", "候选代表"),
                                     Col("votes", "得票"), Col("members", "参加推选（人）"),
                                     Col("result_label", "结果"), Col("notes", "备注")], self)
        self.view = make_table(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setMinimumHeight(200)
        self.body.addWidget(self.view)
        buttons = button_row(self.body, (("登记推选结果…", self.record), ("删除所选", self.remove)))
        needs_selection(self.view, buttons[1:], "请先在列表中选择一条推选记录")
        self.message = QLabel()
        self.footer.addWidget(self.message)
        self.footer.addWidget(close_button(self.reject))
        self.reload()

    def reload(self) -> None:
        group_id = self.group["id"]

        def load(s):
            people = s.delegates.serving_on(date.today().isoformat(), group_id)
            return s.elections.list(group_id), [(p["id"], p["name"]) for p in people]

        self.backend.query(load, self._show, lambda e: show_refusal(self, e))

    def _show(self, result) -> None:
        rows, self.members = result
        self.model.set_rows(rows)
        self.loaded = True

    def record(self) -> None:
        specs = [step_date("day", "推选日期"),
                 FieldSpec("role", "推选职务", "choice", required=True, choices=ELECTION_ROLES),
                 FieldSpec("delegate_id", "候选代表", "choice", required=True, choices=self.members),
                 FieldSpec("members", "参加推选（人）", "int", required=True),
                 FieldSpec("votes", "得票", "int", required=True),
                 FieldSpec("result", "结果", "choice", required=True, choices=ELECTION_RESULTS),
                 FieldSpec("take_office", "当选的", "choice", required=True, choices=TAKE_OFFICE),
                 FieldSpec("notes", "备注", "multiline")]
        values = ask(self, "登记推选结果", specs, {"day": date.today().isoformat(), "role": "leader",
                                                "members": str(len(self.members)), "result": "elected",
                                                "take_office": "yes"})
        if values:
            group_id, take = self.group["id"], values.pop("take_office", None) == "yes"
            self._run(lambda s: s.elections.record(group_id, values, take_office=take), "登记推选结果")

    def remove(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row:
            self._run(lambda s: s.elections.delete(row["id"]), "删除推选记录")

    def _run(self, fn, what: str) -> None:
        def done(*_):
            self.message.setText(f"已保存：{what}（可按 Ctrl+Z 撤销）")
            self.reload()

        self.backend.op(fn, done, lambda e: show_refusal(self, e), summary=what)
