"""推选: a selection round (两下两上) — quotas and their live board, the candidates through each
stage, the public notice, the 党工委's confirmation, certificates and filing; also by-elections."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.rules import nomination_stages as st
from app.services.base import FieldSpec, step_date
from app.services.candidates import REVIEW_VERDICTS, STAGES, STATUSES, CandidateFilter, candidate_fields, next_stage, stage_label
from app.services.nomination import NominationService, QuotaBreach

from ..backend import Watch
from ..form_dialog import ask
from ..forms import RecordDialog
from ..messages import confirm, show_refusal
from ..models import Col, ListTableModel
from ..pdf_preview import preview_doc
from ..widgets import (
    NoWheelCombo,
    add_buttons,
    bind_list_keys,
    button_row,
)
from .base import export_with_dialog, filter_combo, fit_columns, load_refs, make_table, refill_combo, search_box
from .nomination_dialogs import ConfirmDialog, QuotaDialog

if TYPE_CHECKING:
    from app.store import Store

COLUMNS = [Col("name", "姓名"), Col("gender", "性别"), Col("born", "出生年月"), Col("party", "政治面貌"),
           Col("sector", "界别"), Col("community_name", "推荐村（社区）"), Col("route_label", "推荐方式"),
           Col("progress", "进展"), Col("conditions_text", "推选条件"), Col("fail_reason", "未通过原因"),
           Col("certificate_no", "聘书编号")]
BOARD_COLUMNS = [Col("dimension_label", "类别"), Col("key_label", "项目"), Col("requirement", "要求"),
                 Col(st.NOMINATED, "推荐"), Col("qualified", "联审合格"), Col("selected", "确定"),
                 Col("state_text", "情况")]
DOCS = (("notice", "公示（PDF）"), ("certificates", "聘书（PDF，批量打印）"), ("filing", "备案报告（PDF）"))
REGISTERS = (("candidates", "推荐人选名单"), ("joint_review", "联审情况表"), ("notice_list", "公示名单"),
             ("quotas", "名额分配表"), ("roster", "议事代表花名册（备案用）"))
COLOURS = {st.FAILED: "#8a8a8a", st.WITHDRAWN: "#8a8a8a", st.APPOINTED: "#2e7d32"}


def _today() -> str:
    return date.today().isoformat()


def load_round(store: Store, round_id: str | None, flt: CandidateFilter) -> dict:
    """Everything the page shows for one round, read in the worker."""
    rounds = store.nomination.list()
    if round_id not in {r["id"] for r in rounds}:
        round_id = rounds[0]["id"] if rounds else None
    if not round_id:
        return {"rounds": rounds, "round": None}
    flt.round_id = round_id
    # the table's lines: each candidate with the colour of its outcome (ui.models reads "_colour")
    candidates = [{**row, "_colour": COLOURS.get(row["status"])} for row in store.candidates.list(flt)]
    board = store.nomination.board(round_id)["table"]
    for row in board:
        row["_warn"] = row["state"] != "filled"
    round_row = next(r for r in rounds if r["id"] == round_id)
    warnings = store.nomination.quota_warnings(round_id)
    if round_row.get("notice_start"):
        warnings += [w for w in {store.opinions.calendar.warning(int(round_row["notice_start"][:4]))} if w]
    return {"rounds": rounds, "round": round_row, "candidates": candidates, "board": board,
            "progress": store.nomination.progress(round_id), "units": store.nomination.review_units(round_id),
            "objections": store.candidates.objections(round_id=round_id), "warnings": warnings,
            "communities": [(c["id"], c["name"]) for c in store.communities.list()]}


class NominationPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.data: dict = {"round": None}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)

        top = QHBoxLayout()
        top.addWidget(QLabel("推选批次"))
        self.rounds = NoWheelCombo()
        self.rounds.setObjectName("rounds")
        self.rounds.setMinimumWidth(240)
        self.rounds.currentIndexChanged.connect(lambda _: self.reload())
        top.addWidget(self.rounds)
        add_buttons(top, [("新建推选…", lambda: self.edit_round(None, st.REGULAR), "换届推选：下达名额和条件（一下）"),
                          ("补选…", lambda: self.edit_round(None, st.BY_ELECTION), "代表出缺时补选，程序相同"),
                          ("批次设置…", lambda: self.edit_round(self.data.get("round")), ""),
                          ("名额…", self.edit_quotas, "按村（社区）、界别、政治面貌下达名额")])
        top.addStretch(1)
        self.export_button = QPushButton("导出 ▾")
        menu = QMenu(self.export_button)
        for kind, label in DOCS:
            menu.addAction(label, lambda k=kind, t=label: self.preview(k, t))
        menu.addSeparator()
        for name, label in REGISTERS:
            menu.addAction(f"{label}（Excel）", lambda n=name: self.export_register(n))
        self.export_button.setMenu(menu)
        top.addWidget(self.export_button)
        layout.addLayout(top)

        self.summary = QLabel()
        self.summary.setObjectName("round_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        self.funnel = QLabel()
        self.funnel.setObjectName("funnel")
        self.funnel.setWordWrap(True)
        layout.addWidget(self.funnel)
        self.warnings = QLabel()
        self.warnings.setStyleSheet("color: #b26a00;")
        self.warnings.setWordWrap(True)
        layout.addWidget(self.warnings)

        filters = QHBoxLayout()
        self.search = search_box(self, "搜索姓名、拼音首字母、村（社区）、单位（Ctrl+F）", self.reload, "search")
        filters.addWidget(self.search, 2)
        self.stage = filter_combo("全部环节", [(code, f"已完成：{label}") for code, label in STAGES], self.reload)
        self.status = filter_combo("全部状态", STATUSES, self.reload)
        self.community = filter_combo("全部村（社区）", (), self.reload)
        for box in (self.stage, self.status, self.community):
            filters.addWidget(box, 1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.model = ListTableModel(COLUMNS, self)
        self.view = make_table(self.model)
        self.view.setObjectName("candidates")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.doubleClicked.connect(lambda _: self.edit_candidate())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self.show_detail())
        left_layout.addWidget(self.view)
        button_row(left_layout, [("推荐人选…", self.nominate, "一上：录入村（社区）推荐的人选（Ctrl+N）"),
                                 ("修改…", self.edit_candidate, "修改所选人选（回车）"),
                                 ("表决 / 初审…", self.record_stage,
                                  "村（居）民代表会议表决、工委初审；可多选后一并办理"),
                                 ("联审意见…", self.review, "二下：各部门联审意见；可多选"),
                                 ("异议…", self.objection, "公示期间收到的异议及核查处理"),
                                 ("退出…", self.withdraw, "本人退出，原因保留"),
                                 ("删除", self.delete, "只能删除刚录入、尚未表决的人选（Delete）")])
        button_row(left_layout, [("反馈名单…", lambda: self.record_return("feedback"),
                                  "二下：联审合格名单反馈各村（社区）的日期"),
                                 ("公示…", self.start_notice, "二下：公示 3 个工作日（自动避开节假日）"),
                                 ("公示期满", self.close_notice, "公示期满后办结，无异议者通过"),
                                 ("上报名单…", lambda: self.record_return("report"), "二上：各村（社区）上报名单的日期"),
                                 ("党工委确认…", self.confirm_list, "二上：确认名单，核对名额"),
                                 ("颁发聘书…", self.certificates, "生成唯一的聘书编号并打印聘书"),
                                 ("报备案…", self.file_round, "报区人大常委会备案")])
        split.addWidget(left)
        tabs = QTabWidget()
        self.board_model = ListTableModel(BOARD_COLUMNS, self)
        self.board = make_table(self.board_model)
        self.board.setObjectName("quota_board")
        tabs.addTab(self.board, "名额看板")
        self.detail = QTextBrowser()
        self.detail.setObjectName("candidate_detail")
        tabs.addTab(self.detail, "人选经历")
        self.tabs = tabs
        split.addWidget(tabs)
        split.setSizes([780, 500])
        layout.addWidget(split, 1)
        bind_list_keys(self, self.view, find=lambda: self.search.setFocus(), new=self.nominate,
                       open_=self.edit_candidate, delete=self.delete)
        self.watch = Watch(backend, self.reload, self)  # what the round's load reads
        self.reload()

    # -- loading ---------------------------------------------------------------------------
    def filter(self) -> CandidateFilter:
        return CandidateFilter(search=self.search.text(), stage=self.stage.currentData(),
                               status=self.status.currentData(), community_id=self.community.currentData())

    def reload(self) -> None:
        round_id, flt = self.rounds.currentData(), self.filter()
        self.backend.query(lambda s: load_round(s, round_id, flt), self._show, watch=self.watch)

    def _show(self, data: dict) -> None:
        self.data = data
        self.rounds.blockSignals(True)
        self.rounds.clear()
        for r in data["rounds"]:
            self.rounds.addItem(f"{r['name']}（{r['state_label']}）", r["id"])
        if data["round"]:
            self.rounds.setCurrentIndex(self.rounds.findData(data["round"]["id"]))
        self.rounds.blockSignals(False)
        round_row = data["round"]
        if not round_row:
            self.summary.setText("还没有推选批次。点击“新建推选…”下达名额和条件，开始“两下两上”推选。")
            self.model.set_rows([])
            self.board_model.set_rows([])
            self.funnel.clear()
            self.warnings.clear()
            return
        refill_combo(self.community, data["communities"])
        selected = {r["id"] for r in self.selected()}
        self.model.set_rows(data["candidates"])
        self.board_model.set_rows(data["board"])
        fit_columns(self.view, cap=260)
        fit_columns(self.board)
        for i, row in enumerate(data["candidates"]):
            if row["id"] in selected:
                self.view.selectRow(i)
        self.count_label.setText(f"共 {len(data['candidates'])} 人")
        self.summary.setText(self._summary(round_row))
        self.funnel.setText("　→　".join(
            f"{p['label']} {p['reached']}" + (f"（未通过 {p[st.FAILED]}）" if p[st.FAILED] else "")
            for p in data["progress"]))
        self.warnings.setText("\n".join(data["warnings"]))
        self.show_detail()

    @staticmethod
    def _summary(r: dict) -> str:
        parts = [f"<b>{escape(r['name'])}</b>（{r['kind_label']}，{escape(r.get('term_name') or '')}）：名额 {r['seats']} 人，"
                 f"{r['opened_on']} 下达，<b>{r['state_label']}</b>"]
        if r.get("notice_start"):
            parts.append(f"公示 {r['notice_start']} 至 {r['notice_end']}"
                         + (f"（{r['notice_closed_on']} 期满办结）" if r.get("notice_closed_on") else ""))
        if r.get("confirmed_on"):
            parts.append(f"党工委 {r['confirmed_on']} 确认（{escape(r['confirm_doc'] or '')}）")
        if r.get("certified_on"):
            parts.append(f"{r['certified_on']} 颁发聘书")
        if r.get("filed_on"):
            parts.append(f"{r['filed_on']} 报备案" + (f"（{escape(r['filing_doc'])}）" if r.get("filing_doc") else ""))
        if r.get("reason"):
            parts.append(f"补选原因：{escape(r['reason'])}")
        return "；".join(parts) + "。"

    def selected(self) -> list[dict]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.rows[i] for i in rows if i < len(self.model.rows)]

    def current(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def round_id(self) -> str | None:
        return self.data["round"]["id"] if self.data.get("round") else None

    def _need_round(self) -> bool:
        if not self.round_id():
            show_refusal(self, "请先新建推选批次")
            return False
        return True

    def _run(self, fn, summary: str, done=None) -> None:
        self.backend.op(fn, done, lambda e: show_refusal(self, e), summary=summary)

    # -- the candidate's history -------------------------------------------------------------
    def show_detail(self) -> None:
        row = self.current()
        if not row:
            self.detail.setHtml("<p style='color:#777'>选择一名人选，查看其推荐、表决、审查、公示和确认的经过。</p>")
            return
        self.backend.query(lambda s: (s.candidates.stages(row["id"]), s.candidates.reviews(row["id"]),
                                     s.candidates.objections(row["id"])), lambda r: self._detail(row, *r))

    def _detail(self, row, stages, reviews, objections) -> None:
        html = [f"<h3>{escape(row['name'])}　<small>{escape(row['community_name'] or '')}</small></h3>",
                f"<p>{escape(row['route_label'])}"
                + (f"：{escape(row['recommender'])}" if row.get("recommender") else "") + "</p>"]
        if row["recommender_names"]:
            html.append(f"<p>联名推荐人（{len(row['recommender_names'])} 人）：{escape('、'.join(row['recommender_names']))}</p>")
        html.append(f"<p>推选条件：{escape(row['conditions_text'])}</p><table cellpadding='3'>")
        for s in stages:
            colour = "#c62828" if s["verdict"] == "fail" else "#555" if s["stage"] == st.UNDO else "#2e7d32"
            html.append(f"<tr><td>{s['day']}</td><td><b>{escape(s['stage_label'])}</b></td>"
                        f"<td style='color:{colour}'>{escape(s['text'])}</td><td>{escape(s['actor'] or '')}</td></tr>")
        html.append("</table>")
        if reviews:
            html.append("<p><b>联审意见</b>：" + "；".join(
                escape(f"{r['unit']} {r['verdict']}" + (f"（{r['note']}）" if r["note"] else "")) for r in reviews) + "</p>")
        for o in objections:
            html.append(f"<p><b>异议</b>（{o['received_on']}，{escape(o['source'] or '')}）：{escape(o['content'])}<br/>"
                        f"{o['state_label']}" + (f"：{escape(o['handling'])}（{o['resolved_on']}）" if o["handling"] else "")
                        + "</p>")
        self.detail.setHtml("".join(html))

    # -- rounds and quotas (一下) -----------------------------------------------------------
    def edit_round(self, round_row: dict | None, kind: str | None = None) -> None:
        if round_row is None and kind is None:  # 批次设置 with no round yet
            self._need_round()
            return
        kind = round_row["kind"] if round_row else kind
        skip = ("kind",) + (() if st.round_kind(kind).needs_reason else ("reason",))

        def ready(refs):
            values = dict(round_row) if round_row else refs["defaults"]
            if round_row:
                values["review_units"] = "、".join(json.loads(round_row["review_units"] or "[]"))
                values["self_nomination"] = int(round_row.get("self_nomination") or 0)

            def submit(form, dialog):
                form["kind"] = kind
                if round_row:
                    fn = lambda s: s.nomination.update(round_row["id"], form)
                else:
                    fn = lambda s: s.nomination.open_round(form)

                def saved(changes):
                    created = changes.created("nomination_rounds")
                    if created:  # show the new round
                        self.data["round"] = {"id": created[0]}
                        self.rounds.blockSignals(True)
                        self.rounds.addItem(form["name"], created[0])
                        self.rounds.setCurrentIndex(self.rounds.count() - 1)
                        self.rounds.blockSignals(False)
                        self.reload()
                    dialog.saved()

                self.backend.op(fn, saved, dialog.refused, summary="推选批次")

            title = ("修改" if round_row else "新建") + f"{st.round_kind(kind).word}批次"
            self.dialog = RecordDialog(title, NominationService.fields, refs, values, submit, self, skip=skip)
            self.dialog.setObjectName("round_dialog")
            self.dialog.open()

        self.backend.query(lambda s: {**load_refs(s), "defaults": s.nomination.round_defaults(kind)}, ready)

    def edit_quotas(self) -> None:
        if not self._need_round():
            return
        round_id = self.round_id()
        self.backend.query(lambda s: (s.nomination.quotas(round_id), s.communities.list(), s.delegates.fields),
                          lambda r: self._quota_dialog(round_id, *r))

    def _quota_dialog(self, round_id, quotas, communities, fields) -> None:
        dialog = QuotaDialog(quotas, communities, {f.name: f for f in fields}, self)
        self.quota_editor = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return

        def done(_):
            self.backend.query(lambda s: s.nomination.quota_warnings(round_id),
                              lambda warnings: warnings and show_refusal(self, "\n".join(warnings), "名额已保存，请注意"))

        items = dialog.items()
        self.backend.op(lambda s: s.nomination.set_quotas(round_id, items), done,
                          lambda e: show_refusal(self, e), summary="下达名额")

    # -- candidates (一上) --------------------------------------------------------------------
    def nominate(self) -> None:
        if self._need_round():
            self._candidate_dialog(None)

    def edit_candidate(self) -> None:
        row = self.current()
        if not row:
            return show_refusal(self, "请先在表中选择要修改的人选")
        self._candidate_dialog(row)

    def _candidate_dialog(self, row: dict | None) -> None:
        round_id = self.round_id()

        def ready(refs):
            values = dict(row) if row else {"route": "party_org", "citizenship": "中国"}
            if row:
                values["recommenders"] = "、".join(row["recommender_names"])

            def submit(form, dialog):
                if row:
                    fn = lambda s: s.candidates.update(row["id"], form)
                else:
                    fn = lambda s: s.candidates.nominate(round_id, form)
                self.backend.op(fn, dialog.saved, dialog.refused, summary=f"人选“{form.get('name')}”")

            self.dialog = RecordDialog("修改人选" if row else "推荐人选", candidate_fields(), refs, values, submit, self)
            self.dialog.setObjectName("candidate_dialog")
            self.dialog.open()

        self.backend.query(load_refs, ready)

    def _chosen(self) -> list[dict]:
        rows = self.selected()
        if not rows:
            show_refusal(self, "请先在表中选择人选（可按住 Ctrl 或 Shift 多选）")
        return rows

    def record_stage(self) -> None:
        rows = self._chosen()
        if not rows:
            return
        stage = next_stage(rows[0]["stage"]) if rows[0]["status"] == st.IN_PROGRESS else None
        if stage not in st.RECORDED:
            return show_refusal(self, f"{rows[0]['name']}目前是“{rows[0]['progress']}”，不需要表决或初审")
        names = "、".join(r["name"] for r in rows[:6]) + (f"等 {len(rows)} 人" if len(rows) > 6 else "")
        specs = [FieldSpec("verdict", "结果", "choice", required=True, choices=(("pass", "通过"), ("fail", "未通过"))),
                 step_date("day", "日期"),
                 FieldSpec("actor", "表决 / 审查机构"), FieldSpec("reason", "说明（未通过须写明原因）", "multiline")]
        placeholder = "如：中山路社区居民代表会议（不填则自动按村（社区）填写）" if stage == st.COMMUNITY_APPROVED else ""
        values = ask(self, stage_label(stage), specs, {"verdict": "pass", "day": _today(), "actor": ""},
                     note=f"{stage_label(stage)}：{names}。{placeholder}")
        if values:
            ids = [r["id"] for r in rows]
            self._run(lambda s: s.candidates.record(ids, stage, values["day"], values["verdict"], values["reason"] or "",
                                                    values["actor"] or ""), f"{stage_label(stage)}：{names}")

    def review(self) -> None:
        rows = self._chosen()
        if not rows:
            return
        specs = [FieldSpec("unit", "联审部门", "choice", required=True, choices=tuple(self.data["units"])),
                 FieldSpec("verdict", "意见", "choice", required=True, choices=REVIEW_VERDICTS),
                 step_date("day", "日期"), FieldSpec("note", "说明（不合格须写明原因）", "multiline")]
        values = ask(self, "部门联审意见", specs, {"verdict": "合格", "day": _today()},
                     note=f"为 {len(rows)} 名人选登记一个部门的联审意见；各部门都登记后自动得出联审结论。")
        if values:
            ids = [r["id"] for r in rows]
            self._run(lambda s: s.candidates.review(ids, values["unit"], values["verdict"], values["day"],
                                                    values["note"] or ""), f"联审意见：{values['unit']}")

    def objection(self) -> None:
        row = self.current()
        if not row:
            return show_refusal(self, "请先选择人选")
        pending = [o for o in self.data.get("objections", []) if o["candidate_id"] == row["id"] and not o["resolved_on"]]
        if pending:
            o = pending[0]
            specs = [FieldSpec("upheld", "核查结论", "choice", required=True,
                               choices=(("no", "异议不成立"), ("yes", "异议成立"))),
                     step_date("day", "处理日期"),
                     FieldSpec("handling", "核查处理情况", "multiline", required=True)]
            values = ask(self, "处理异议", specs, {"upheld": "no", "day": _today()},
                         note=f"{row['name']}：{o['content']}（{o['received_on']}，{o['source']}）。异议成立的，人选不再进入下一环节。")
            if values:
                self._run(lambda s: s.candidates.resolve_objection(o["id"], values["day"], values["handling"] or "",
                                                                   values["upheld"] == "yes"), f"处理异议：{row['name']}")
            return
        specs = [step_date("received_on", "收到日期"), FieldSpec("source", "反映人 / 方式"),
                 FieldSpec("content", "异议内容", "multiline", required=True)]
        values = ask(self, "登记异议", specs, {"received_on": _today()}, note=f"公示期间对{row['name']}的异议：")
        if values:
            self._run(lambda s: s.candidates.add_objection(row["id"], values["received_on"], values["content"] or "",
                                                           values["source"] or ""), f"登记异议：{row['name']}")

    def withdraw(self) -> None:
        row = self.current()
        if not row:
            return show_refusal(self, "请先在表中选择退出的人选")
        values = ask(self, "人选退出", [step_date("day", "日期"),
                                      FieldSpec("reason", "原因", "multiline", required=True)], {"day": _today()},
                     note=f"{row['name']}退出本次推选，记录保留。")
        if values:
            self._run(lambda s: s.candidates.withdraw(row["id"], values["day"], values["reason"] or ""),
                      f"人选退出：{row['name']}")

    def delete(self) -> None:
        row = self.current()
        if not row:
            return show_refusal(self, "请先在表中选择要删除的人选")
        if confirm(self, "删除人选", f"把人选“{row['name']}”移到回收站？", "删除"):
            self._run(lambda s: s.candidates.delete(row["id"]), f"删除人选“{row['name']}”")

    # -- the round's steps (二下, 二上) ----------------------------------------------------------
    def start_notice(self) -> None:
        if not self._need_round():
            return
        values = ask(self, "公示", [FieldSpec("start", "公示开始日期", "date", required=True),
                                   FieldSpec("place", "公示地点 / 方式")],
                     {"start": _today(), "place": "各村（社区）公示栏"},
                     note="联审合格的人选公示 3 个工作日，期满日按法定节假日和调休自动推算。")
        if not values:
            return
        round_id = self.round_id()

        def planned(result):
            plan, count = result
            text = f"公示 {count} 名人选，自 {plan['start']} 至 {plan['end']}（3 个工作日）。"
            if plan["warnings"]:
                text += "\n\n" + "\n".join(plan["warnings"])
            if confirm(self, "公示", text, "开始公示"):
                self._run(lambda s: s.nomination.start_notice(round_id, values["start"], values["place"] or ""),
                          "公示")

        self.backend.query(lambda s: (s.nomination.notice_plan(values["start"]), len(s.candidates.list(
            CandidateFilter(round_id=round_id, stage=st.JOINT_REVIEWED, status=st.IN_PROGRESS)))), planned,
            lambda e: show_refusal(self, e))

    def record_return(self, step: str) -> None:
        """二下 / 二上 per community: tick the communities, give the day."""
        if not self._need_round():
            return
        round_id = self.round_id()

        def ready(rows):
            done_key = "feedback_on" if step == "feedback" else "report_on"
            waiting = [(r["community_id"], r["community_name"]) for r in rows if not r[done_key]]
            done = [f"{r['community_name']} {r[done_key]}" for r in rows if r[done_key]]
            if not waiting:
                QMessageBox.information(self, "推选", "各村（社区）都已登记。\n" + "；".join(done))
                return
            label = "联审合格名单反馈村（社区）（二下）" if step == "feedback" else "村（社区）上报名单（二上）"
            specs = [FieldSpec("community_ids", "村（社区）", "checklist", choices=tuple(n for _, n in waiting)),
                     step_date("day", "日期"), FieldSpec("note", "说明")]
            values = ask(self, label, specs, {"community_ids": [n for _, n in waiting], "day": _today()},
                         note=("已登记：" + "；".join(done)) if done else "")
            if values:
                ids = [cid for cid, name in waiting if name in set(values["community_ids"])]
                self._run(lambda s: s.nomination.record_return(round_id, step, ids, values["day"], values["note"] or ""),
                          "二下" if step == "feedback" else "二上")

        self.backend.query(lambda s: s.nomination.returns(round_id), ready, lambda e: show_refusal(self, e))

    def close_notice(self) -> None:
        if not self._need_round():
            return
        values = ask(self, "公示期满", [step_date("day", "办结日期")], {"day": _today()},
                     note="公示期满且异议都已处理后办结；无异议或异议不成立的人选通过公示。")
        if values:
            round_id = self.round_id()
            self._run(lambda s: s.nomination.close_notice(round_id, values["day"]), "公示期满")

    def confirm_list(self) -> None:
        if not self._need_round():
            return
        noticed = [r for r in self.data["candidates"] if r["stage"] == st.NOTICED and r["status"] == st.IN_PROGRESS]
        if not noticed:
            return show_refusal(self, "没有公示期满、待党工委确认的人选（请先办结公示；筛选条件也可能隐藏了人选）")
        round_id = self.round_id()
        assert round_id is not None  # _need_round
        dialog = ConfirmDialog(self.backend, round_id, noticed, self)
        self.confirm_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        round_id, ids, day, doc = self.round_id(), dialog.chosen(), dialog.day.text().strip(), dialog.doc.text()

        def refused(error):
            if isinstance(error, QuotaBreach) and confirm(
                    self, "名额不符", "确认名单不符合名额要求：\n" + "\n".join(error.breaches)
                    + "\n\n仍按此名单确认？（将记入审计日志）", "仍然确认"):
                self._run(lambda s: s.nomination.confirm(round_id, ids, day, doc, accept_breaches=True), "党工委确认")
            elif not isinstance(error, QuotaBreach):
                show_refusal(self, error)

        self.backend.op(lambda s: s.nomination.confirm(round_id, ids, day, doc), None, refused,
                          summary="党工委确认")

    def certificates(self) -> None:
        if not self._need_round():
            return
        values = ask(self, "颁发聘书", [step_date("day", "发证日期")], {"day": _today()},
                     note="为党工委确认的代表按名册顺序生成聘书编号（不重复、不复用），然后可预览并批量打印。")
        if values:
            round_id = self.round_id()
            self._run(lambda s: s.nomination.issue_certificates(round_id, values["day"]), "颁发聘书",
                      lambda _: self.preview("certificates", "聘书"))

    def file_round(self) -> None:
        if not self._need_round():
            return
        values = ask(self, "报区人大常委会备案", [step_date("day", "备案日期"),
                                           FieldSpec("doc", "备案报告文号")], {"day": _today()},
                     note="备案报告（PDF）和议事代表花名册（Excel）可在“导出”中生成。")
        if values:
            round_id = self.round_id()
            self._run(lambda s: s.nomination.file_round(round_id, values["day"], values["doc"] or ""), "报备案",
                      lambda _: self.preview("filing", "备案报告"))

    # -- output -----------------------------------------------------------------------------
    def preview(self, kind: str, title: str) -> None:
        if self._need_round():
            preview_doc(self, self.backend, kind, self.round_id(), title.split("（")[0])

    def export_register(self, name: str) -> None:
        if name == "roster":
            return export_with_dialog(self, self.backend, "roster")
        if self._need_round():
            export_with_dialog(self, self.backend, name, round_id=self.round_id())
