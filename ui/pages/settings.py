"""设置: the office's names, where the data lives, the data check."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.common.settings_labels import REGISTER_PAPERS, SETTING_LABELS
from app.storage.audit import ACTION_LABELS

from ..messages import show_refusal
from ..widgets import NoWheelCombo

if TYPE_CHECKING:
    from app.store import Store


def expand_days(text: str) -> list[str]:
    """'2027-10-01~2027-10-07, 2027-01-01' -> every date listed (ranges expanded)."""
    from datetime import date, timedelta

    days = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "~" in part or "至" in part:
            start, end = [p.strip() for p in part.replace("至", "~").split("~", 1)]
            try:
                a, b = date.fromisoformat(start), date.fromisoformat(end)
            except ValueError:
                days.append(part)  # the core names the bad date
                continue
            while a <= b:
                days.append(a.isoformat())
                a += timedelta(days=1)
        else:
            days.append(part)
    return days


class SettingsPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        layout = QVBoxLayout(inner)
        office = QGroupBox("本办公室")
        form = QFormLayout(office)
        self.edits = {}
        for key in ("site_name", "unit_name", "subdistrict", "serial_code", "feedback_working_days"):
            self.edits[key] = QLineEdit()
            form.addRow(SETTING_LABELS[key], self.edits[key])
        self.edits["feedback_working_days"].setPlaceholderText("不填为 5 个工作日；超过即在概览和台账中标为“反馈逾期”")
        self.edits["serial_code"].setPlaceholderText("可不填；几个办公室各自登记意见建议时各设一个，如 CZ")
        self.edits["serial_code"].setToolTip("填写后，本机新编的意见建议和回执编号带上这个代码（如 YJ2026-CZ-0001），"
                                             "交换数据时不会与其他办公室的编号重复")
        self.paper_choice = NoWheelCombo()
        for code, label in REGISTER_PAPERS.items():
            self.paper_choice.addItem(label, code)
        self.paper_choice.setToolTip("导出的 Excel 台账按这种纸张横向打印，每页都是完整的行。A4：较宽的台账只打印主要的列；"
                                     "A3：打印更多的列。表格文件中始终保留全部列。")
        form.addRow(SETTING_LABELS["register_paper"], self.paper_choice)
        save = QPushButton("保存设置")
        save.clicked.connect(self.save)
        form.addRow("", save)
        layout.addWidget(office)
        layout.addWidget(self._limits_box())
        layout.addWidget(self._documents_box())
        layout.addWidget(self._fonts_box())

        data = QGroupBox("数据")
        data_layout = QVBoxLayout(data)
        self.location = QLabel()
        self.location.setWordWrap(True)
        data_layout.addWidget(self.location)
        row = QHBoxLayout()
        check = QPushButton("检查数据完整性")
        check.clicked.connect(self.run_check)
        row.addWidget(check)
        row.addStretch(1)
        data_layout.addLayout(row)
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        data_layout.addWidget(self.check_result)
        layout.addWidget(data)

        holidays = QGroupBox("节假日安排（计算办理期限的工作日）")
        hl = QVBoxLayout(holidays)
        self.holiday_status = QLabel()
        self.holiday_status.setWordWrap(True)
        hl.addWidget(self.holiday_status)
        row = QHBoxLayout()
        self.holiday_year = QLineEdit()
        self.holiday_year.setPlaceholderText("年份，如 2027")
        self.holiday_year.setMaximumWidth(120)
        self.holiday_days = QLineEdit()
        self.holiday_days.setPlaceholderText("放假日期，逗号分隔，可写范围：2027-10-01~2027-10-07, 2027-01-01")
        self.workdays = QLineEdit()
        self.workdays.setPlaceholderText("调休上班日期：2027-09-26, 2027-10-09")
        enter = QPushButton("录入安排")
        enter.clicked.connect(self.save_holidays)
        for widget in (self.holiday_year, self.holiday_days, self.workdays, enter):
            row.addWidget(widget)
        hl.addLayout(row)
        layout.addWidget(holidays)

        audit = QGroupBox("最近的操作记录（审计日志）")
        audit_layout = QVBoxLayout(audit)
        self.audit = QListWidget()
        self.audit.setMinimumHeight(220)  # the page scrolls: the list keeps a readable height
        audit_layout.addWidget(self.audit)
        layout.addWidget(audit, 1)
        layout.addWidget(QLabel(f"议事工作台 版本 {__version__}"))
        backend.changed.connect(lambda _: self.reload())

    def _documents_box(self) -> QGroupBox:
        """What official documents carry: who signs and how, the 版头 and 版记, the clerk's name."""
        from app.documents.official import LAYOUT_LABELS

        box = QGroupBox("公文（纪要、通知、公示、报告）")
        form = QFormLayout(box)
        for key in ("clerk_name", "contact_phone", "issuer_mark", "doc_number_pattern", "signer", "reviewer",
                    "printer_name", "doc_cc"):
            self.edits[key] = QLineEdit()
            form.addRow(SETTING_LABELS[key], self.edits[key])
        self.edits["clerk_name"].setPlaceholderText("不填则用电脑登录名")
        self.edits["issuer_mark"].setPlaceholderText("不填则通知、报告不加版头")
        self.edits["reviewer"].setPlaceholderText("不填则用上次审核议题的审核人或签发人")
        self.layout_choice = NoWheelCombo()
        for code, label in LAYOUT_LABELS.items():
            self.layout_choice.addItem(label, code)
        form.addRow(SETTING_LABELS["seal_layout"], self.layout_choice)
        save = QPushButton("保存公文设置")
        save.clicked.connect(self.save)
        form.addRow("", save)
        # the numbers handed out under the 文号 above, kept per year (发文登记): where the pattern is set
        issued = QPushButton("导出发文登记簿…")
        issued.setToolTip("已编发的发文字号（每年从1号起按顺序编号）及对应的文书，导出为 Excel 表格")
        issued.clicked.connect(self.export_issued)
        form.addRow("发文登记", issued)
        return box

    def export_issued(self) -> None:
        from .base import export_with_dialog

        export_with_dialog(self, self.backend, "issued")

    def _fonts_box(self) -> QGroupBox:
        """Which face each role of a document uses; a warning where a free face stands in."""
        box = QGroupBox("公文字体")
        self.font_grid = QGridLayout(box)
        self.font_rows = {}
        from app.documents.fonts import ROLE_LABELS

        for row, (role, label) in enumerate(ROLE_LABELS.items()):
            name = QLabel()
            name.setWordWrap(True)
            choose = QPushButton("选择字体文件…")
            choose.clicked.connect(lambda _=False, r=role: self.choose_font(r))
            reset = QPushButton("恢复自动查找")
            reset.clicked.connect(lambda _=False, r=role: self.save_font(r, ""))
            self.font_grid.addWidget(QLabel(label), row, 0)
            self.font_grid.addWidget(name, row, 1)
            self.font_grid.addWidget(choose, row, 2)
            self.font_grid.addWidget(reset, row, 3)
            self.font_rows[role] = name
        self.font_grid.setColumnStretch(1, 1)
        return box

    def choose_font(self, role: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择字体文件", "", "TrueType 字体 (*.ttf *.ttc);;所有文件 (*)")
        if path:
            self.save_font(role, path)

    def _limits_box(self) -> QGroupBox:
        """The limit of each step of the opinion chain (件件有回音), in working days: late ones are
        flagged in the ledger, 概览 and the reminders, and counted in the statistics."""
        from app.services.opinion_clocks import CLOCKS

        box = QGroupBox("意见建议各环节时限（工作日，节假日不计）")
        form = QFormLayout(box)
        for clock in CLOCKS:
            if not clock.setting or clock.setting == "feedback_working_days":  # 反馈代表: under 本办公室
                continue
            edit = QLineEdit()
            edit.setObjectName(clock.setting)
            # the field report sets no number for these steps: the defaults are the program's
            edit.setPlaceholderText(f"不填为 {clock.default} 个工作日；超过即标为“{clock.label}”逾期")
            self.edits[clock.setting] = edit
            form.addRow(SETTING_LABELS[clock.setting], edit)
        save = QPushButton("保存时限设置")
        save.setObjectName("save_limits")
        save.clicked.connect(self.save)
        form.addRow("", save)
        return box

    def save_font(self, role: str, path: str) -> None:
        self.backend.op(lambda s: s.settings.update({f"font_{role}": path}), lambda _: self.reload(),
                          lambda e: show_refusal(self, e))

    def reload(self):
        from datetime import date

        def load(store: Store):
            from app.common.workcalendar import WorkCalendar

            calendar = WorkCalendar(store)
            years = [date.today().year, date.today().year + 1]
            coverage = {y: calendar.coverage(y) for y in years}
            from app.documents.fonts import font_report

            return (store.settings.all(), str(store.data_dir), store.site_id, store.audit.recent(30), coverage,
                    font_report(store))

        self.backend.query(load, self._show)

    def save_holidays(self):
        from app.common.errors import ValidationError

        try:
            year = int(self.holiday_year.text())
        except ValueError:
            show_refusal(self, ValidationError("请填写年份，如 2027"))
            return
        holidays = expand_days(self.holiday_days.text())
        workdays = expand_days(self.workdays.text())

        def run(store: Store):
            from app.common.workcalendar import WorkCalendar

            return WorkCalendar(store).set_arrangement(year, holidays, workdays)

        self.backend.op(run, lambda _: self.reload(), lambda e: show_refusal(self, e), summary="调整节假日安排")

    def _show(self, result):
        values, data_dir, site_id, recent, coverage, fonts = result
        sources = {"chosen": "（所选文件）", "system": "（本机字体）", "shipped": "（程序自带替代字体）"}
        for row in fonts:
            label = self.font_rows[row["role"]]
            label.setText(f"{row['face']} {sources[row['source']]}　{row['path']}"
                          + (f"\n⚠ {row['warning']}" if row["warning"] else ""))
            label.setStyleSheet("color: #b26a00;" if row["warning"] else "")
        index = self.layout_choice.findData(values.get("seal_layout") or "seal")
        self.layout_choice.setCurrentIndex(max(index, 0))
        self.paper_choice.setCurrentIndex(max(self.paper_choice.findData(values.get("register_paper") or "a4"), 0))
        words = {"bundled": "已内置", "entered": "已录入", "missing": "尚未录入（暂按周一至周五计算）"}
        self.holiday_status.setText("；".join(f"{y} 年：{words[c]}" for y, c in coverage.items()))
        self.holiday_status.setStyleSheet("color: #b26a00;" if "missing" in coverage.values() else "")
        for key, edit in self.edits.items():
            edit.setText(values.get(key, ""))
        self.location.setText(f"数据目录：{data_dir}\n本机站点编号：{site_id}")
        self.audit.clear()
        for entry in recent:
            when = datetime.fromisoformat(entry["at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            action = ACTION_LABELS.get(entry["action"], entry["action"])
            self.audit.addItem(f"{when}  [{action}]  {entry['summary']}  —— {entry['actor']}")

    def save(self):
        values = {key: edit.text() for key, edit in self.edits.items()}
        values["seal_layout"] = self.layout_choice.currentData()
        values["register_paper"] = self.paper_choice.currentData()
        self.backend.op(lambda s: s.settings.update(values), lambda _: self._saved(),
                          lambda e: show_refusal(self, e))

    def _saved(self) -> None:
        self.reload()
        retitle = getattr(self.window(), "show_office_in_title", None)
        if retitle:  # the office's name in the window's title
            retitle()

    def run_check(self):
        from app.storage.check import run_checks

        self.check_result.setText("正在检查…")
        self.backend.query(run_checks, self._checked, lambda e: show_refusal(self, e))

    def _checked(self, report):
        colour = "#2e7d32" if report["ok"] else "#c62828"
        self.check_result.setStyleSheet(f"color: {colour};")
        self.check_result.setText("\n".join(report["messages"]))
