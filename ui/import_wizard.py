"""Bringing an office's spreadsheet in, for every kind the core knows (app.workbooks.kinds): pick a
file, confirm which column is which field (the program proposes, the clerk may change it, and the
choice is remembered for files laid out the same way), see every row's verdict, then import all or
nothing — one Ctrl+Z takes the whole import back.

The dry runs and the import run in the worker; a dry run is the import rehearsed and rolled back
(Store.rehearsal), so the preview says what the import will do. The roster keeps its own importer
(app.workbooks.importer) and has no mapping step; its preview looks the same.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .backend import DelayedProgress
from .memory import fit_on_screen, recall, remember
from .messages import show_refusal
from .models import Col, ListTableModel
from .pages.base import fit_columns, make_table
from .save_dialog import ask_save_path
from .widgets import NoWheelCombo

ROSTER = "delegates"
SAMPLE_LINES = 3  # values shown under each column on the mapping page
LISTED = 30  # names listed in the preview's summary before “等”


def kind_names() -> list[str]:
    """Every importable kind, in the order a new office brings them in (getting started)."""
    from app.workbooks.kinds import STEPS, names

    available = names()
    ordered = [name for _, kinds, _ in STEPS for name in kinds if name in available]
    return ordered + [name for name in available if name not in ordered]


def kind_label(name: str) -> str:
    from app.workbooks.kinds import label

    return label(name)


# -- in the worker ---------------------------------------------------------------------------------
def _mapping_key(layout: str) -> str:
    return f"import_mapping/{layout}"


def remembered_mapping(layout: str) -> dict[int, str] | None:
    """The mapping the clerk confirmed last time for a file laid out this way (ui.memory)."""
    text = recall(_mapping_key(layout))
    if not text:
        return None
    try:
        return {int(col): str(key) for col, key in json.loads(text).items()}
    except (ValueError, AttributeError):
        return None


def remember_mapping(layout: str, mapping: dict[int, str]) -> None:
    remember(_mapping_key(layout), json.dumps({str(c): k for c, k in sorted(mapping.items())}, ensure_ascii=False))


def mapping_of(report: dict) -> dict[int, str]:
    return {m["column"]: m["field"] for m in report.get("mapping") or () if m["field"]}


def _column_values(path: str, report: dict) -> dict[int, list[str]]:
    """The first lines' values under each column of the file's first table (as the clerk sees them,
    whatever the column is mapped to)."""
    from app.common.textutil import clean
    from app.workbooks import read_sheets
    from app.workbooks.tabular import as_text, filled

    sheet = next((s for s in read_sheets(path) if s.title == report["sheets"][0]), None)
    if sheet is None:
        return {}
    out: dict[int, list[str]] = {m["column"]: [] for m in report["mapping"]}
    lines = 0
    for line in filled(sheet)[report["header_row"]:]:
        if lines >= SAMPLE_LINES:
            break
        if not any(v is not None and clean(v) for v in line):
            continue
        lines += 1
        for col in out:
            out[col].append(as_text(line[col])[:30] if col < len(line) and line[col] is not None else "")
    return out


def dry_run(store, name: str, path: str, mapping: dict[int, str] | None = None, first: bool = False,
            progress=None) -> dict:
    """The preview of importing `path` as kind `name` (nothing is written). The first time, the
    mapping remembered for the file's layout is used when it differs from the proposed one."""
    if name == ROSTER:
        from app.workbooks.importer import import_roster

        return _roster_report(import_roster(store, path, dry_run=True))
    from app.common.errors import AppError
    from app.workbooks.bring_in import NeedsMapping, import_file
    from app.workbooks.kinds import kind

    chosen = kind(name)

    def remembered(found: dict) -> dict | None:
        """The first check with the mapping the clerk chose before for this layout, if it still fits."""
        saved = remembered_mapping(found["layout"])
        fields = {f.key for f in chosen.fields}
        columns = {m["column"] for m in found["mapping"]}
        if not (saved and saved != mapping_of(found) and set(saved) <= columns and set(saved.values()) <= fields):
            return None
        try:
            return {**import_file(store, chosen, path, dry_run=True, mapping=saved, progress=progress),
                    "remembered": True}
        except AppError:
            return None  # (the remembered mapping no longer names the records: the proposed one serves)

    try:
        report = import_file(store, chosen, path, dry_run=True, mapping=mapping, progress=progress)
    except NeedsMapping as exc:  # the wizard opens on the columns, for the clerk to say which is which
        again = remembered(exc.sketch) if first else None
        if again is None:
            exc.sketch["columns"] = _column_values(path, exc.sketch)
            raise
        report = again
    else:
        report = (remembered(report) if first else None) or {**report, "remembered": False}
    report["columns"] = _column_values(path, report)
    return report


def _roster_report(report: dict) -> dict:
    """The roster importer's report in the shape of the others' (counts, rows, created by noun); a
    roster that comes back as updates says each stored delegate's changes old → new."""
    changed = {(u["sheet"], u["row"]): u for u in report.get("updates") or ()}
    rows = []
    for r in report["rows"]:
        update = changed.get((r["sheet"], r["row"]))
        rows.append(dict(r, cell="", change_text=update["change_text"] if update else "",
                         changes=update["changes"] if update else [],
                         **({"verdict_label": "新增"} if r["verdict"] == "ok" else {})))
    created = {noun: report["created"][key] for key, noun in (("communities", "村（社区）"), ("groups", "议事小组"),
                                                              ("grids", "网格")) if report["created"].get(key)}
    return {**report, "kind": ROSTER, "noun": "代表", "unit": "人", "mapping": None, "layout": None,
            "counts": {"new": report["imported"], "update": report.get("updated", 0), "same": report.get("unchanged", 0),
                       "refused": len(report["rejected"]), "duplicate": len(report["duplicates"])},
            "rows": rows, "created": created, "skipped": [], "absent": {"count": 0, "names": []}}


# -- the wizard ------------------------------------------------------------------------------------
class ImportWizard(QDialog):
    """列对应 (not for the roster) → 检查结果 → 导入."""

    def __init__(self, backend, name: str, path: str, report: dict, parent=None, problem: str = ""):
        """`report`: the first check's; with `problem`, only the sketch of the file's columns (none
        of them was known to name the records), for the clerk to map before anything is checked."""
        super().__init__(parent)
        self.backend = backend
        self.name = name
        self.path = path
        self.report = report
        self.result_report: dict | None = None
        self.checking = False
        label = kind_label(name)
        self.setWindowTitle(f"从 Excel 导入{label}")
        fit_on_screen(self, (1100, 680))
        layout = QVBoxLayout(self)
        self.step = QLabel()
        self.step.setObjectName("pageHeading")
        layout.addWidget(self.step)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._preview_page())
        self.buttons = QDialogButtonBox()
        self.back = self.buttons.addButton("上一步", QDialogButtonBox.ButtonRole.ActionRole)
        self.next = self.buttons.addButton("下一步：查看检查结果", QDialogButtonBox.ButtonRole.ActionRole)
        self.save = self.buttons.addButton("保存检查结果…", QDialogButtonBox.ButtonRole.ActionRole)
        # (an action, not the box's accept: the buttons stay in the order the clerk goes through them)
        self.go = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.back.clicked.connect(lambda: self.show_step(0))
        self.next.clicked.connect(lambda: self.show_step(1))
        self.save.clicked.connect(self.save_report)
        self.go.clicked.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fill_mapping()
        if problem:
            self.mapping_note.setText(f"文件“{report['file']}”，工作表“{report['sheets'][0]}”第 {report['header_row']} 行"
                                      "像是表头，但程序认不出其中的列名。请在“导入为”中逐列指定（不需要的列选“不导入”），"
                                      "指定后立即检查，并记住这种表格的对应关系，下次自动采用。")
            self.report = {}  # (nothing to import until the columns name the records)
            self.mapping_counts.setText(f"<span style='color:#b00020'>{problem}</span>")
        self._show_report()
        self.show_step(1 if name == ROSTER else 0)

    # -- the pages ---------------------------------------------------------------------------------
    def _mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.mapping_note = QLabel()
        self.mapping_note.setWordWrap(True)
        layout.addWidget(self.mapping_note)
        self.columns = QTableWidget(0, 4)
        self.columns.setHorizontalHeaderLabels(["列", "表头", "前几行的内容", "导入为"])
        self.columns.verticalHeader().hide()
        self.columns.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.columns.horizontalHeader().setStretchLastSection(False)
        layout.addWidget(self.columns, 1)
        self.mapping_counts = QLabel()
        self.mapping_counts.setWordWrap(True)
        layout.addWidget(self.mapping_counts)
        self.combos: dict[int, NoWheelCombo] = {}
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        columns = [Col("sheet", "工作表"), Col("row", "行号"), Col("name", "名称"), Col("verdict_label", "结果"),
                   Col("cell", "单元格"), Col("reason", "原因"), Col("change_text", "改动（原 → 新）"),
                   Col("warnings", "提示")]
        if self.name == ROSTER:  # (the roster's importer names no cell: its own columns)
            columns = [*columns[:2], Col("name", "姓名"), columns[3], columns[5], columns[6], columns[7],
                       Col("community", "所在村（社区）"), Col("group", "议事小组")]
        self.model = ListTableModel(columns, self)
        self.view = make_table(self.model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.view, "逐行结果")
        self.skipped = QListWidget()
        self.tabs.addTab(self.skipped, "略过的行")
        self.absent = QListWidget()
        self.tabs.addTab(self.absent, "表中没有的记录")
        layout.addWidget(self.tabs, 1)
        for tab in (1, 2):
            self.tabs.setTabVisible(tab, self.name != ROSTER)
        return page

    def show_step(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        mapping = self.name != ROSTER
        total, number = 2, index + 1
        what = "核对每一列导入为哪一项" if index == 0 else "查看检查结果（尚未写入）"
        self.step.setText(f"第 {number} 步（共 {total} 步）：{what}" if mapping else what)
        self.back.setVisible(mapping and index == 1)
        self.next.setVisible(index == 0)
        self._enable()

    def _enable(self) -> None:
        counts: dict = (self.report.get("counts") if self.report else None) or {}
        importable = bool(counts) and counts["new"] + counts["update"] > 0
        self.go.setEnabled(importable and not self.checking)
        self.next.setEnabled(bool(counts) and not self.checking)
        self.save.setEnabled(bool(counts) and not self.checking)
        for combo in self.combos.values():
            combo.setEnabled(not self.checking)

    # -- the mapping ---------------------------------------------------------------------------------
    def _fill_mapping(self) -> None:
        if self.name == ROSTER:
            return
        from app.workbooks.kinds import kind

        fields = kind(self.name).fields
        rows = self.report["mapping"]
        values = self.report.get("columns") or {}
        self.columns.setRowCount(len(rows))
        for r, column in enumerate(rows):
            samples = values.get(column["column"]) or column["samples"]
            for c, text in enumerate((column["letter"], column["heading"] or "（无表头）",
                                      "；".join(s for s in samples if s) or "（空）")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.columns.setItem(r, c, item)
            combo = NoWheelCombo()
            combo.addItem("不导入", "")
            for f in fields:
                combo.addItem(f.label + ("（用于辨认）" if f.identity else ""), f.key)
            combo.setCurrentIndex(max(0, combo.findData(column["field"])))
            combo.currentIndexChanged.connect(lambda _, col=column["column"]: self.remap(col))
            self.columns.setCellWidget(r, 3, combo)
            self.combos[column["column"]] = combo
        self.columns.resizeColumnsToContents()
        self.columns.setColumnWidth(2, min(max(self.columns.columnWidth(2), 200), 460))
        self.columns.setColumnWidth(3, max(self.columns.columnWidth(3), 200))

    def _sync_combos(self) -> None:
        mapping = mapping_of(self.report)
        for col, combo in self.combos.items():
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(col, ""))))
            combo.blockSignals(False)

    def chosen_mapping(self) -> dict[int, str]:
        return {col: combo.currentData() for col, combo in self.combos.items() if combo.currentData()}

    def remap(self, column: int) -> None:
        """The clerk changed what a column is: a field goes to one column only; the dry run again."""
        key = self.combos[column].currentData()
        if key:
            for col, combo in self.combos.items():
                if col != column and combo.currentData() == key:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        self.check(self.chosen_mapping())

    def check(self, mapping: dict[int, str]) -> None:
        name, path = self.name, self.path
        self.checking = True
        self._enable()
        self.mapping_counts.setText("正在按新的对应关系重新检查…")

        def done(report: dict) -> None:
            self.checking = False
            self.report = report
            remember_mapping(report["layout"], mapping_of(report))
            self._sync_combos()
            self._show_report()

        def failed(error) -> None:
            from app.common.errors import Cancelled

            self.checking = False
            if isinstance(error, Cancelled) and self.report:  # the check before stands, and its mapping
                self._sync_combos()
                self._show_report()
                return
            self.report = {}  # (nothing to import until a mapping that names the records)
            self.mapping_counts.setText(f"<span style='color:#b00020'>{error}</span>" if error else "")
            self._enable()

        job = self.backend.query(lambda s, job: dry_run(s, name, path, mapping, progress=job.report), done, failed,
                                 wants_job=True)
        DelayedProgress(self, job, "正在检查…", cancellable=True)

    # -- the preview ---------------------------------------------------------------------------------
    def counts_text(self) -> str:
        report = self.report
        counts, unit = report["counts"], report["unit"]
        return (f"新增 {counts['new']} {unit}，更新 {counts['update']} {unit}，无变化 {counts['same']} {unit}，"
                f"拒绝 {counts['refused']} 行，重复 {counts['duplicate']} 行；提示 {len(report['warnings'])} 条")

    def _show_report(self) -> None:
        report = self.report
        if not report:
            return
        counts = report["counts"]
        if self.name != ROSTER:
            self.mapping_note.setText(
                f"文件“{report['file']}”，工作表“{report['sheets'][0]}”第 {report['header_row']} 行是表头。"
                + ("已按上次对同样表格的选择对应各列。" if report.get("remembered") else "程序已按表头建议了每一列导入为哪一项。")
                + "请逐列核对，不对的在“导入为”中改选（不需要的列选“不导入”）；改选后立即重新检查，"
                  "并记住这种表格的对应关系，下次自动采用。")
            self.mapping_counts.setText(f"按当前对应关系：{self.counts_text()}。")
        lines = [f"{self.counts_text()}。"]
        for noun, names in (report.get("created") or {}).items():
            if names:
                lines.append(f"将新建{noun} {len(names)} 个：{self._names(names)}")
        absent = report["absent"]
        if absent["count"]:
            lines.append(f"数据库中有、表中没有的{report['noun']} {absent['count']} {report['unit']}（不会删除），"
                         "见“表中没有的记录”")
        if report["skipped"]:
            lines.append(f"略过 {len(report['skipped'])} 行（小计、合计、说明文字等），见“略过的行”")
        lines.append("现在还没有写入任何记录。导入是“全部或全不”：被拒绝和重复的行不会导入，其余一次写入；"
                     "导入后按 Ctrl+Z 可撤销整次导入。")
        self.summary.setText("\n".join(lines))
        self.model.set_rows([dict(r, _warn=r["verdict"] in ("refused", "duplicate", "rejected")) for r in report["rows"]])
        fit_columns(self.view, cap=360)
        self.skipped.clear()
        self.skipped.addItems([f"{s['sheet']} 第 {s['row']} 行：{s['reason']}" for s in report["skipped"]])
        self.absent.clear()
        self.absent.addItems(absent["names"] + ([f"……共 {absent['count']} {report['unit']}"]
                                                if absent["count"] > len(absent["names"]) else []))
        self.tabs.setTabText(1, f"略过的行（{len(report['skipped'])}）")
        self.tabs.setTabText(2, f"表中没有的记录（{absent['count']}）")
        self.go.setText(f"导入 {counts['new'] + counts['update']} {report['unit']}")
        self._enable()

    @staticmethod
    def _names(names: list[str]) -> str:
        return "、".join(names[:LISTED]) + ("等" if len(names) > LISTED else "")

    def save_report(self) -> None:
        report = self.report
        target = ask_save_path(self, "保存检查结果", f"{kind_label(self.name)}导入检查结果.xlsx", "register")
        if not target:
            return
        from app.registers.writer import write_register
        from app.workbooks import bring_in, importer

        register = importer.report_register if self.name == ROSTER else bring_in.report_register
        self.backend.query(lambda s: write_register(target, register(s, report)),
                           lambda _: QMessageBox.information(self, "已保存", f"检查结果已保存到：\n{target}"),
                           lambda e: show_refusal(self, e))

    # -- the import ----------------------------------------------------------------------------------
    def run_import(self) -> None:
        if self.checking or not self.report:
            return
        name, path, report = self.name, self.path, self.report
        counts, unit, noun = report["counts"], report["unit"], report["noun"]
        self.go.setEnabled(False)
        summary = f"导入{kind_label(name)}（新增 {counts['new']} {unit}" + (
            f"，更新 {counts['update']} {unit}）" if counts["update"] else "）")
        if name == ROSTER:
            from app.workbooks.importer import import_roster

            def work(s, job):
                return _roster_report(import_roster(s, path, progress=job.report))
        else:
            from app.workbooks.bring_in import import_file
            from app.workbooks.kinds import kind

            mapping = mapping_of(report)
            remember_mapping(report["layout"], mapping)

            def work(s, job):
                return import_file(s, kind(name), path, mapping=mapping, progress=job.report)

        def done(result: dict) -> None:
            self.result_report = result
            QMessageBox.information(self, "导入完成", f"已导入{kind_label(name)}：{self.counts_text_of(result)}。\n"
                                                  "如需取消这次导入，按 Ctrl+Z 撤销。")
            self.accept()

        def failed(error) -> None:
            self._enable()
            show_refusal(self, error)

        job = self.backend.op(work, done, failed, wants_job=True, summary=summary)
        DelayedProgress(self, job, f"正在导入{noun}…", cancellable=True)
        self.import_job = job

    @staticmethod
    def counts_text_of(report: dict) -> str:
        counts, unit = report["counts"], report["unit"]
        return "，".join(f"{label} {counts[key]} {unit}" for key, label in (("new", "新增"), ("update", "更新"))
                        if counts[key] or key == "new")


def choose_file(parent, name: str) -> str | None:
    from app.workbooks import SUFFIXES

    patterns = " ".join(f"*{suffix}" for suffix in SUFFIXES)
    path, _ = QFileDialog.getOpenFileName(parent, f"选择{kind_label(name)}表格", "",
                                          f"Excel、WPS 或 LibreOffice 表格 ({patterns})")
    return path or None


def start_import(parent, backend, path: str | None = None, kind: str = ROSTER) -> None:
    """Ask for the file (unless given), check it in the worker, then open the wizard on it."""
    if path is None:
        path = choose_file(parent, kind)
        if not path:
            return
    chosen = path

    def checked(report: dict, problem: str = "") -> None:
        dialog = ImportWizard(backend, kind, chosen, report, parent, problem)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.import_preview = dialog
        dialog.open()

    def failed(error) -> None:
        from app.workbooks.bring_in import NeedsMapping

        if isinstance(error, NeedsMapping):
            checked(error.sketch, error.message)
        else:
            show_refusal(parent, error)

    job = backend.query(lambda s, job: dry_run(s, kind, chosen, first=True, progress=job.report), checked,
                        failed, wants_job=True)
    DelayedProgress(parent, job, f"正在检查{kind_label(kind)}表格…", cancellable=True)


# -- where the clerk starts it -------------------------------------------------------------------------
def _starter(parent, backend, name: str):
    def start() -> None:
        start_import(parent, backend, kind=name)
    return start


def import_button(parent, backend, names: list[str]) -> QPushButton | None:
    """“从 Excel 导入…” for the kinds a page shows (a menu when there are several); None when none
    of them can be imported yet."""
    from app.workbooks.kinds import names as importable

    names = [n for n in names if n in importable()]
    if not names:
        return None
    button = QPushButton("从 Excel 导入…")
    button.setToolTip("从办公室现有的 Excel、WPS 表格导入" + "、".join(kind_label(n) for n in names)
                      + "：先核对列的对应关系和逐行检查结果，确认后才写入")
    if len(names) == 1:
        button.clicked.connect(lambda: start_import(parent, backend, kind=names[0]))
    else:
        menu = QMenu(button)
        for name in names:
            menu.addAction(kind_label(name) + "…", _starter(parent, backend, name))
        button.setMenu(menu)
    return button


def add_import_menu(menu: QMenu, parent, backend) -> QMenu:
    """数据 › 从 Excel 导入 › one entry per kind."""
    sub = menu.addMenu("从 Excel 导入")
    for name in kind_names():
        sub.addAction(kind_label(name) + "…", _starter(parent, backend, name))
    return sub


def sample_actions(parent, layout: QHBoxLayout, sample: str) -> None:
    """打开示例 / 另存示例… for a shipped sample file (a copy is opened: the shipped one stays as it is)."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    def open_copy() -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = Path(tempfile.gettempdir()) / "yishi-samples"
        try:
            folder.mkdir(exist_ok=True)
            target = folder / Path(sample).name
            shutil.copyfile(sample, target)
            os.chmod(target, 0o644)
        except OSError as exc:
            show_refusal(parent, f"不能打开示例文件：{exc}")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def save_copy() -> None:
        target = ask_save_path(parent, "另存示例文件", Path(sample).name, "register")
        if not target:
            return
        try:
            shutil.copyfile(sample, target)
        except OSError as exc:
            show_refusal(parent, f"不能保存示例文件：{exc}")
            return
        QMessageBox.information(parent, "已保存", f"示例文件已保存到：\n{target}\n照着它的样子填写后导入。")

    for text, slot, tip in (("打开示例", open_copy, "用 Excel/WPS 打开示例文件（一份副本），看看表格的样子"),
                            ("另存示例…", save_copy, "把示例文件另存到您选择的位置，照着填写后导入")):
        button = QPushButton(text)
        button.setFlat(True)
        button.setObjectName("link")
        button.setStyleSheet("color: #1a5fb4; text-decoration: underline;")
        button.setToolTip(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(slot)
        layout.addWidget(button)
