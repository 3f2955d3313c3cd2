"""议题筛选: scoring opinions, merging them into topics, review and deliberation."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import DEPARTMENT_DUTY
from app.services.base import FieldSpec, step_date
from app.services.opinions import CATEGORIES, OpinionFilter

from ...backend import Watch
from ...form_dialog import ask
from ...messages import show_refusal
from ...models import Col, ListTableModel, set_rows_keeping_choice
from ...widgets import NoWheelCombo, button_row, needs_selection
from ..base import fit_columns, make_table
from .group_steps import consult, edit_plan
from .surveys import open_surveys

if TYPE_CHECKING:
    from app.store import Store


class TopicsTab(QWidget):
    """Step 2-3: screen collected opinions, merge them into topics (并案), review, deliberate."""

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.group = NoWheelCombo()
        self.group.currentIndexChanged.connect(lambda _: self.reload_lists())
        self.pool = ListTableModel([Col("serial", "编号"), Col("received_on", "收集日期"), Col("title", "意见建议"),
                                    Col("reported_on", "上报组长"),
                                    Col("urgency", "紧迫性"), Col("feasibility", "可行性")], self)
        self.pool_view = make_table(self.pool)
        self.pool_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.topics = ListTableModel([Col("title", "议题"), Col("formed_on", "确定日期"), Col("opinion_count", "并案意见"),
                                      Col("lead_name", "牵头代表"), Col("consulted", "征求意见"),
                                      Col("plan_title", "议事方案"), Col("surveyed", "实地调研"),
                                      Col("status_label", "状态"),
                                      Col("approved_on", "审核日期"), Col("meeting_title", "议事活动")], self)
        self.topics_view = make_table(self.topics)
        left, right = QWidget(), QWidget()
        lv, rv = QVBoxLayout(left), QVBoxLayout(right)
        lv.addWidget(QLabel("待筛选的意见（已收集）：可多选后并案为一个议题"))
        lv.addWidget(self.pool_view)
        pool_buttons = button_row(lv, (("评分…", self.score), ("并案为议题…", self.merge)))
        needs_selection(self.pool_view, pool_buttons, "请先在左边的意见列表中选择意见（可多选）")
        rv.addWidget(QLabel("议题"))
        rv.addWidget(self.topics_view)
        topic_buttons = button_row(rv, (("征求代表意见…", lambda: self._with_topic(consult)),
                                        ("议事方案…", lambda: self._with_topic(edit_plan)),
                                        ("实地走访调研…", lambda: self._with_topic(open_surveys)), ("工委审核…", self.review),
                                        ("关联议事活动…", self.deliberate), ("按纪要交办…", self.assign_from_minutes)))
        needs_selection(self.topics_view, topic_buttons, "请先在“议题”列表中选择一个议题")
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
        self.watch = Watch(backend, self.reload, self)  # what the group choices and both lists read

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

        self.backend.query(lambda s: s.groups.list(), fill, watch=self.watch)

    def reload_lists(self) -> None:
        group_id = self.group.currentData()

        def load(store: Store):
            return (store.opinions.page(OpinionFilter(status="collected", group_id=group_id, descending=False),
                                      limit=None), store.topics.list(group_id))

        def show(result):
            pool, topics = result
            set_rows_keeping_choice(self.pool_view, self.pool, pool)
            set_rows_keeping_choice(self.topics_view, self.topics, topics)
            fit_columns(self.pool_view, cap=320)
            fit_columns(self.topics_view, cap=320)

        self.backend.query(load, show, watch=self.watch)

    def _selected_pool(self) -> list[dict]:
        return [self.pool.row_at(i.row()) for i in self.pool_view.selectionModel().selectedRows()]

    def _topic(self) -> dict | None:
        index = self.topics_view.currentIndex()
        return self.topics.row_at(index.row()) if index.isValid() else None

    def _with_topic(self, step) -> None:
        topic = self._topic()
        if topic:
            step(self, self.backend, topic)

    def _run(self, fn, what: str) -> None:
        self.backend.op(fn, None, lambda e: show_refusal(self, e), summary=what)

    def score(self) -> None:
        rows = self._selected_pool()
        if not rows:
            return
        specs = [FieldSpec("urgency", "紧迫性（1—5）", "int", required=True),
                 FieldSpec("feasibility", "可行性（1—5）", "int", required=True)]
        values = ask(self, "筛选评分", specs, {"urgency": rows[0]["urgency"] or 3, "feasibility": rows[0]["feasibility"] or 3})
        if values:
            ids = [r["id"] for r in rows]
            self.backend.op(lambda s: s.opinions.set_scores(ids, int(values["urgency"]), int(values["feasibility"])),
                              None, lambda e: show_refusal(self, e), summary="筛选评分")

    def merge(self) -> None:
        rows = self._selected_pool()
        if not rows:
            return
        values = ask(self, "并案为议题", [FieldSpec("title", "议题名称", required=True),
                                        FieldSpec("summary", "情况说明", "multiline"),
                                        step_date("day", "确定议题日期")],
                     {"title": rows[0]["title"], "day": date.today().isoformat()},
                     note=f"将 {len(rows)} 条意见并为一个议题（可在意见中撤出）。工委审核不早于确定议题日期。")
        if values:
            group_id, day = self.group.currentData(), values.pop("day")
            self._run(lambda s: s.topics.create({**values, "group_id": group_id}, [r["id"] for r in rows], day),
                      f"确定议题“{values['title']}”")

    def review(self) -> None:
        topic = self._topic()
        if not topic:
            return
        specs = [FieldSpec("decision", "审核意见", "choice", required=True, choices=(("yes", "同意"), ("no", "不同意"))),
                 step_date("day", "审核日期"), FieldSpec("by", "审核人", required=True),
                 FieldSpec("note", "说明")]

        def ready(reviewer: str) -> None:  # 审核人 prefilled from 设置 (or the last one who reviewed)
            values = ask(self, f"审核议题：{topic['title']}", specs,
                         {"decision": "yes", "day": date.today().isoformat(), "by": reviewer},
                         note="　".join(filter(None, (
                             f"确定议题日期：{topic['formed_on']}（审核日期不早于此日）" if topic.get("formed_on") else "",
                             "" if reviewer else "可在“设置 › 公文”中填写审核人，以后自动填入。"))))
            if values:
                self._run(lambda s: s.topics.review(topic["id"], values["decision"] == "yes", values["day"],
                                                    values["by"], values["note"]), "审核议题")

        self.backend.query(lambda s: s.topics.default_reviewer(), ready, lambda e: show_refusal(self, e))

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

        self.backend.query(lambda s: s.topics.deliberation_choices(group_id), ready)

    def assign_from_minutes(self) -> None:
        topic = self._topic()
        if not topic:
            return
        values = ask(self, "按会议纪要交办", [FieldSpec("category", "事项类别", "choice", required=True,
                                                    choices=CATEGORIES)], {"category": DEPARTMENT_DUTY},
                     note="议题中的每条意见都按纪要落实事项的责任单位和期限交办。")
        if values:
            self._run(lambda s: s.topics.assign_from_minutes(topic["id"], values["category"]), "按纪要交办")
