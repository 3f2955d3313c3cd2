"""概览: the subdistrict at a glance, and what needs the clerk's attention."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.rules.codes import BUILD_STATUSES, VENUE_LEVEL_SHORT
from app.rules.meeting_kinds import kind_of
from app.rules.meeting_kinds import kinds as meeting_kinds


def _to(area: str, kind: str = "", record_id: str | None = None) -> dict:
    return {"area": area, "kind": kind, "id": record_id}


class Card(QFrame):
    def __init__(self, title: str):
        super().__init__()
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        self.value = QLabel("—")
        self.value.setObjectName("cardValue")
        self.detail = QLabel("")
        self.detail.setObjectName("cardDetail")
        self.detail.setWordWrap(True)
        caption = QLabel(title)
        caption.setObjectName("cardTitle")
        layout.addWidget(caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)


class GettingStarted(QFrame):
    """A new office's order for bringing its books in: each step's import a click away, its sample
    file beside it, what the office already holds ticked. Shown until every step is done."""

    def __init__(self, page, backend):
        super().__init__()
        self.page = page
        self.backend = backend
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("cardTitle")
        layout.addWidget(self.title)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(8)
        self.rows.setVerticalSpacing(2)
        layout.addLayout(self.rows)
        self.buttons: dict[str, QPushButton] = {}  # kind -> its 导入 button
        self.hide()

    def show_steps(self, result: dict) -> None:
        from ..import_wizard import sample_actions, start_import

        _clear(self.rows)
        self.buttons = {}
        self.steps = result["steps"]
        if result["finished"] or not result["steps"]:
            self.hide()
            return
        self.title.setText(f"开始使用：把办公室现有的表格按顺序导入（已完成 {result['done']}/{result['total']} 步；"
                           "每步都可先看示例文件）")
        for r, step in enumerate(result["steps"]):
            mark = QLabel("✓" if step["done"] else f"{step['number']}.")
            mark.setObjectName("stepDone" if step["done"] else "stepToDo")
            self.rows.addWidget(mark, r, 0)
            name = QLabel(step["title"] + ("（可选）" if step["optional"] else ""))
            self.rows.addWidget(name, r, 1)
            line = QHBoxLayout()
            for entry in step["kinds"]:
                button = QPushButton(f"导入{entry['label']}…")
                button.setToolTip(f"从 Excel 导入{entry['label']}：先核对列的对应关系和逐行检查结果，确认后才写入")
                button.clicked.connect(lambda _=False, n=entry["name"]: start_import(self.page, self.backend, kind=n))
                line.addWidget(button)
                line.addSpacing(4)
                self.buttons[entry["name"]] = button
                held = QLabel(f"已有 {entry['count']}" if entry["count"] else "尚无")
                held.setObjectName("cardDetail")
                line.addWidget(held)
                if entry["sample"]:
                    sample_actions(self, line, entry["sample"])
                line.addSpacing(16)
            line.addStretch(1)
            self.rows.addLayout(line, r, 2)
        self.rows.setColumnStretch(2, 1)
        self.show()


def _clear(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget():
            item.widget().deleteLater()
        elif item.layout():
            _clear(item.layout())


class OverviewPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        reminders = QPushButton("今日提醒…")
        reminders.setToolTip("今天和本周到期、已逾期、待反馈和本月未走访的事项（打开程序时显示的提醒）")
        reminders.clicked.connect(self.show_reminders)
        top.addWidget(reminders)
        summary = QPushButton("年度工作总结…")
        summary.setToolTip("按本年数据起草年度工作总结，可修改后打印、导出")
        summary.clicked.connect(self.open_summary)
        top.addWidget(summary)
        layout.addLayout(top)
        grid = QGridLayout()
        self.cards = {key: Card(title) for key, title in (
            ("delegates", "议事代表"), ("communities", "村（社区）"), ("grids", "网格"),
            ("groups", "议事小组"), ("venues", "议事阵地"), ("meetings", "本年会议活动"),
            ("visits", "本月网格走访"), ("actions", "会议落实事项"))}
        for i, card in enumerate(self.cards.values()):
            grid.addWidget(card, i // 4, i % 4)
        layout.addLayout(grid)
        self.start = GettingStarted(self, backend)
        layout.addWidget(self.start)
        self.attention_label = QLabel("需要注意（双击或按回车打开）：")
        layout.addWidget(self.attention_label)
        self.attention = QListWidget()
        self.attention.setObjectName("attention")
        self.attention.setToolTip("双击一项或选中后按回车，打开它的记录")
        self.attention.itemActivated.connect(self.open_item)
        layout.addWidget(self.attention, 1)
        backend.changed.connect(lambda _: self.reload())

    def open_item(self, item: QListWidgetItem):
        """An item of the list opens its record in its area (a meeting, an opinion, a grid...)."""
        from ..navigate import open_target

        return open_target(self, item.data(Qt.ItemDataRole.UserRole))

    def show_reminders(self):
        from ..reminders import show_reminders

        return show_reminders(self, self.backend)

    def open_summary(self) -> None:
        from ..summary_editor import open_summary

        open_summary(self, self.backend)

    def reload(self) -> None:
        from datetime import date

        year = date.today().year
        def load(s):
            from app.services.opinions import OpinionFilter
            from app.services.reminders import getting_started
            from app.workbooks.kinds import getting_started as import_steps

            # late at each step of the chain; a late feedback (of a result or a 不予采纳) is listed
            # after the items in hand, as before
            late = s.opinions.late_by_step(limit=20)
            overdue = [g for g in late if g["key"] != "feedback"]
            feedback_late = next((g["rows"] for g in late if g["key"] == "feedback"), [])
            soon = [r for r in s.opinions.page(OpinionFilter(step=4, sort="deadline", descending=False), limit=50)
                    if r["due_soon"]]
            return (s.settings.office(), s.stats.summary(year), s.groups.warnings(), s.cadence.attention(),
                    s.cadence.plan_summary(year),
                    overdue, soon, s.opinions.calendar.warning(year + 1 if date.today().month == 12 else year),
                    s.nomination.attention(), s.visits.board(date.today().isoformat()[:7]),
                    s.action_items.list(), feedback_late, s.meetings.by_kind(year - 1, status="held"),
                    getting_started(s), import_steps(s))

        self.backend.query(load, self._show)

    def _show(self, result) -> None:
        (site, stats, warnings, attention, plan, overdue, soon, holiday_warning, selection, visits, actions,
         feedback_late, last_year, first, imports) = result
        self.start.show_steps(imports)
        self.heading.setText(f"{site['subdistrict'] or site['site_name']} · 议事代表会议制度工作概览")
        d = stats["delegates"]
        self.cards["delegates"].value.setText(f"{d['active']} 人在任")
        others = [f"{label} {d['by_status'][key]}" for key, label in
                  (("resigned", "辞职"), ("removed", "罢免"), ("deceased", "去世"), ("moved_away", "迁出"))
                  if d["by_status"][key]]
        self.cards["delegates"].detail.setText(
            "；".join(others) or ("尚未录入代表" if not d["total"] else "全部在任"))
        kinds = stats["communities_by_kind"]
        self.cards["communities"].value.setText(f"{stats['communities']} 个")
        self.cards["communities"].detail.setText(f"社区 {kinds['community']} 个，村 {kinds['village']} 个")
        self.cards["grids"].value.setText(f"{stats['grids']} 个")
        self.cards["grids"].detail.setText(
            "尚未建立网格" if not stats["grids"]
            else "每个网格都有议事代表联系" if not stats["grids_unassigned"]
            else f"{stats['grids_unassigned']} 个网格尚无代表联系")
        self.cards["groups"].value.setText(f"{stats['groups']} 个")
        self.cards["groups"].detail.setText(
            "尚未建立议事小组" if not stats["groups"]
            else "组成与职务符合要求" if not warnings else f"{len(warnings)} 条提示，见下方")
        levels = stats["venues"]["by_level"]
        self.cards["venues"].value.setText(f"{stats['venues']['total']} 处")
        # halls are built step by step: where the recorded ones stand, when any is recorded
        built = {code: sum(c.get(code, 0) for c in stats["venues"]["by_build_status"].values())
                 for code, _ in BUILD_STATUSES}
        self.cards["venues"].detail.setText("，".join(f"{short} {levels.get(code, 0)}"
                                                     for code, short in VENUE_LEVEL_SHORT.items())
                                            + ("；" + "，".join(f"{label} {built[code]}" for code, label in BUILD_STATUSES
                                                               if built[code]) if any(built.values()) else ""))
        kinds = stats["meetings"]["by_kind"]
        self.cards["meetings"].value.setText(f"{stats['meetings']['total']} 次")
        held = {k: v["held"] for k, v in plan.items()}
        # every kind's count; the kinds whose meetings mark a year's work also say how many were held
        marking = [k for k in meeting_kinds() if k.starts_year]
        self.cards["meetings"].detail.setText(
            "，".join(f"{k.short} {kinds.get(k.code, 0)}" + (f"（已开 {held.get(k.code, 0)}）" if k.starts_year else "")
                     for k in meeting_kinds())
            + ("；上年已开" + "、".join(f"{k.short} {last_year.get(k.code, 0)} 次" for k in marking)
               if any(last_year.get(k.code) for k in marking) else ""))
        missing = [r for r in visits if not r["visited"]]
        self.cards["visits"].value.setText(f"{len(visits) - len(missing)}/{len(visits)} 人")
        self.cards["visits"].detail.setText(f"{len(missing)} 名代表本月尚未走访网格" if missing
                                            else "在任代表本月都已走访网格" if visits else "尚无在任代表")
        late = [a for a in actions if a["overdue"]]
        done = sum(1 for a in actions if a["status"] == "done")
        self.cards["actions"].value.setText(f"{len(actions)} 项")
        self.cards["actions"].detail.setText(f"已完成 {done} 项" + (f"，逾期 {len(late)} 项" if late else "，无逾期"))
        self.attention.clear()
        items: list[tuple[str, dict | None]] = []
        if first["new"]:  # a new office: where to begin, not warnings about meetings it could not have held
            # (the tables the office brings in have their own panel above: here what is done in the window)
            self.attention_label.setText("开始使用：导入表格之外还要做的（双击一项前往）：")
            for number, step in enumerate((s for s in first["steps"] if not s["by_import"]), 1):
                mark = "✓ 已完成" if step["done"] else "待完成"
                items.append((f"【开始使用】{number}. {step['label']}（{mark}）：{step['hint']}",
                              _to(step["area"], step["key"])))
        else:
            self.attention_label.setText("需要注意（双击或按回车打开）：")
        for step in overdue:  # along the chain: 上报组长, 确定议题, 工委审核, 交办, 办结, 重办
            for row in step["rows"]:
                if step["key"] == "answer":
                    text = f"【意见逾期】{row['serial']} {row['title']}（{row['lead_unit']}，期限 {row['deadline']}）"
                else:
                    text = (f"【{step['label']}逾期】{row['serial']} {row['title']}（应于 {row['step_due']}"
                            f" 前{step['label']}）")
                items.append((text, _to("opinions", "opinion", row["id"])))
            if step["total"] > len(step["rows"]):
                items.append((f"【{step['label']}逾期】另有 {step['total'] - len(step['rows'])} 条，"
                              f"在“意见建议”中勾选“只看逾期”查看", _to("opinions")))
        for row in soon:
            items.append((f"【意见即将到期】{row['serial']} {row['title']}（{row['lead_unit']}，期限 {row['deadline']}）",
                          _to("opinions", "opinion", row["id"])))
        for row in feedback_late:
            what = f"{row['answered_on']} 办结" if row["answered_on"] else "不予采纳"
            items.append((f"【反馈逾期】{row['serial']} {row['title']}（{what}，应于 {row['step_due']}"
                          f" 前反馈代表）", _to("opinions", "opinion", row["id"])))
        for row in sorted(late, key=lambda r: r["deadline"]):
            items.append((f"【落实事项逾期】{row['content']}（{row['unit'] or '责任单位未填'}，期限 {row['deadline']}，"
                          f"{row['meeting_title']}）", _to("meetings", "meeting", row["meeting_id"])))
        if missing:
            names = "、".join(r["name"] for r in missing[:20]) + ("等" if len(missing) > 20 else "")
            items.append((f"【本月未走访】{len(missing)} 名代表本月还没有走访网格：{names}（在“代表 → 网格走访”中登记）",
                          _to("roster", "visits")))
        for step in attention["steps_overdue"]:
            items.append((f"【已逾期】{step['meeting_title']}：{step['title']}（期限 {step['due_date']}，"
                          f"{step['owner'] or ''}）", _to("meetings", "meeting", step["meeting_id"])))
        if not first["new"]:
            missed: dict[tuple[str, str], list[str]] = {}  # one line per group or hall, its periods together
            for slot in attention["missed"]:
                missed.setdefault((slot["subject"], slot["kind"]), []).append(slot["period"])
            for (subject, kind), periods in missed.items():
                what = kind_of(kind).short if kind_of(kind).matters else "会议"
                items.append((f"【未召开】{subject} {'、'.join(periods)}没有召开{what}", _to("meetings", "plan")))
        for meeting in attention["meetings"]:
            items.append((f"【14天内】{meeting['date']} {meeting['start_time'] or ''} {meeting['title']}",
                          _to("meetings", "meeting", meeting["id"])))
        for step in attention["steps_due"]:
            items.append((f"【待完成】{step['meeting_title']}：{step['title']}（期限 {step['due_date']}）",
                          _to("meetings", "meeting", step["meeting_id"])))
        if not first["new"]:
            for slot in attention["due_slots"]:
                items.append((f"【本期待开】{slot['subject']} {slot['period']}尚未安排", _to("meetings", "plan")))
        items += [(text, _to("organisation", "groups")) for text in warnings]
        items += [(text, _to("nomination")) for text in selection]
        if holiday_warning:
            items.append((f"【节假日】{holiday_warning}", _to("settings")))
        if stats["grids_unassigned"]:
            items.append((f"有 {stats['grids_unassigned']} 个网格还没有议事代表联系，请在“代表”中为代表勾选联系网格",
                          _to("organisation", "grids")))
        if not stats["communities"] and not first["new"]:
            items.append(("还没有村（社区）：请先在“组织”中新增村（社区）、网格和议事小组", _to("organisation")))
        for text, target in items or [("暂无需要处理的事项", None)]:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, target)
            if target:
                item.setToolTip("双击或按回车打开")
            self.attention.addItem(item)
        self.attention.setEnabled(bool(items))
