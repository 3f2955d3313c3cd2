"""落实事项: the minutes' measures followed up — status, dated progress, completion."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget

from app.services.action_items import ACTION_STATUSES, SHOWN_STATUSES, ActionFilter
from app.services.base import FieldSpec, step_date

from ...backend import Watch
from ...form_dialog import ask
from ...messages import show_refusal
from ...models import Col, ListTableModel
from ...widgets import add_buttons, needs_selection
from ..base import export_with_dialog, filter_combo, fit_columns, make_table


class ActionsTab(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.status = filter_combo("全部状态", SHOWN_STATUSES)
        self.status.setObjectName("action_status_filter")
        self.status.currentIndexChanged.connect(lambda _: self.reload())
        self.search = QLineEdit()
        self.search.setProperty("search_box", True)  # Ctrl+F
        self.search.setPlaceholderText("搜索落实事项、责任单位或责任人")
        self.search.textChanged.connect(lambda _: self.reload())
        self.model = ListTableModel([
            Col("meeting_date", "会议日期"), Col("meeting_title", "会议"), Col("content", "落实事项"),
            Col("unit", "责任单位"), Col("person", "责任人"), Col("deadline", "完成期限"), Col("status_label", "状态"),
            Col("done_on", "完成日期"), Col("last_progress", "最新进展"), Col("opinions", "转入台账")], self)
        self.view = make_table(self.model)
        self.view.doubleClicked.connect(lambda _: self.show_progress())
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        top.addWidget(self.status)
        top.addWidget(self.count)
        buttons = QHBoxLayout()
        made = add_buttons(buttons, (("登记进展…", self.record, "记录一次推进情况，可同时改变状态"),
                                     ("标记完成…", self.complete, "填写完成日期"),
                                     ("进展记录", self.show_progress, "这项落实事项的全部进展（双击也可）"),
                                     ("转入意见台账", self.take_in, "作为一条意见建议交办、督办"),
                                     ("导出落实事项台账…", lambda: export_with_dialog(self, backend, "actions"))))
        needs_selection(self.view, made[:4], "请先在列表中选择一项落实事项")
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("会议纪要明确的落实事项：逾期未完成的标红。已转入意见建议台账的，进度随意见办理。"))
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        self.watch = Watch(backend, self.reload, self)

    def reload(self) -> None:
        flt = ActionFilter(status=self.status.currentData(), search=self.search.text().strip())
        self.backend.query(lambda s: s.action_items.list(flt), self._show, watch=self.watch)

    def _show(self, rows) -> None:
        for row in rows:
            row["_colour"] = "#c62828" if row["overdue"] else "#2e7d32" if row["status"] == "done" else None
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r["overdue"])
        self.count.setText(f"共 {len(rows)} 项" + (f"，逾期 {overdue} 项" if overdue else ""))
        fit_columns(self.view, cap=260)

    def current(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def record(self) -> None:
        row = self.current()
        if not row:
            return
        specs = [step_date("day", "日期"), FieldSpec("note", "进展情况", "multiline"),
                 FieldSpec("status", "状态", "choice", choices=ACTION_STATUSES)]
        values = ask(self, "登记落实事项进展", specs, {"day": date.today().isoformat(), "status": row["status"]},
                     note=row["content"], ok="登记")
        if values:
            self.backend.op(lambda s: s.action_items.record_progress(row["id"], values["day"], values.get("note") or "",
                                                                     values.get("status")),
                            None, lambda e: show_refusal(self, e), summary=f"落实事项进展：{row['content'][:20]}")

    def complete(self) -> None:
        row = self.current()
        if not row:
            return
        specs = [step_date("day", "完成日期"), FieldSpec("note", "完成情况", "multiline")]
        values = ask(self, "落实事项完成", specs, {"day": date.today().isoformat()}, note=row["content"], ok="标记完成")
        if values:
            self.backend.op(lambda s: s.action_items.complete(row["id"], values["day"], values.get("note") or ""),
                            None, lambda e: show_refusal(self, e), summary=f"落实事项完成：{row['content'][:20]}")

    def show_progress(self) -> None:
        row = self.current()
        if not row:
            return

        def shown(detail):
            lines = [f"{p['day']}　{p['note'] or ''}" + (f"（{p['status_label']}）" if p["status_label"] else "")
                     + (f"　—— {p['actor']}" if p["actor"] else "") for p in detail["progress"]]
            if detail["in_ledger"]:
                lines.append(f"已转入意见建议台账：{'、'.join(detail['opinions'])}（进度随意见办理）")
            QMessageBox.information(self, "落实事项进展", f"{detail['content']}\n责任单位：{detail['unit'] or '—'}　"
                                    f"期限：{detail['deadline'] or '—'}　状态：{detail['status_label']}\n\n"
                                    + ("\n".join(lines) or "还没有登记进展。"))

        self.backend.query(lambda s: s.action_items.detail(row["id"]), shown, lambda e: show_refusal(self, e))

    def take_in(self) -> None:
        row = self.current()
        if row:
            self.backend.op(lambda s: s.opinions.intake("action_items", row["id"]), None,
                            lambda e: show_refusal(self, e), summary=f"转入意见台账：{row['content'][:20]}")
