"""数据: USB exchange with other offices, the conflict log, backups and restore, the audit log,
the app password, and the filing package (归档包) for the district."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.audit import local_time
from app.exchange.merge import shared_numbers_note
from app.schema import TABLE_NOUNS

from ..backend import DelayedProgress
from ..messages import confirm, show_refusal
from ..models import Col, ListTableModel, PagedTableModel
from ..widgets import button_row, dialog_buttons
from .base import filter_combo, fit_columns, make_table, search_box


class DataPage(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.tabs = QTabWidget()
        self.exchange = ExchangeTab(backend)
        self.conflicts = ConflictsTab(backend)
        self.backups = BackupsTab(backend)
        self.audit = AuditTab(backend)
        self.security = SecurityTab(backend)
        self.archive = ArchiveTab(backend)
        for widget, title in ((self.exchange, "U盘交换"), (self.conflicts, "冲突记录"), (self.backups, "备份与恢复"),
                              (self.audit, "审计日志"), (self.security, "程序密码"), (self.archive, "归档包")):
            self.tabs.addTab(widget, title)
        layout.addWidget(self.tabs)

    def reload(self) -> None:
        for tab in (self.exchange, self.conflicts, self.backups, self.audit, self.security):
            tab.reload()


def _ask_passphrase(parent, twice: bool) -> str | None:
    dialog = QDialog(parent)
    dialog.setWindowTitle("交换口令")
    form = QFormLayout(dialog)
    note = QLabel("交换口令由双方约定，请勿写在U盘上。口令错误的交换包无法打开。")
    note.setWordWrap(True)
    form.addRow(note)
    first, second = QLineEdit(), QLineEdit()
    for box in (first, second):
        box.setEchoMode(QLineEdit.Password)
    form.addRow("口令", first)
    if twice:
        form.addRow("再输入一次", second)
    form.addRow(dialog_buttons("确定", "取消", dialog.accept, dialog.reject))
    while dialog.exec() == QDialog.Accepted:
        if not first.text():
            show_refusal(parent, "请输入口令")
        elif twice and first.text() != second.text():
            show_refusal(parent, "两次输入的口令不一致")
        else:
            return first.text()
    return None


# -- U盘交换 -----------------------------------------------------------------------------------------
def _when(at: str | None) -> str:
    """A stored UTC time as the clerk's clock shows it, to the minute."""
    return local_time(at)[:16] if at else ""


PEER_COLUMNS = [Col("name", "办公室"), Col("site_short", "站点编号"), Col("last_export_label", "上次发出"),
                Col("last_import_label", "上次收到"), Col("sent_label", "下次发送")]
LOG_COLUMNS = [Col("at_label", "时间"), Col("direction_label", "方向"), Col("site_name", "办公室"),
               Col("kind_label", "类型"), Col("summary", "内容"), Col("file_name", "文件")]


class ExchangeTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        self.identity = QLabel()
        self.identity.setWordWrap(True)
        layout.addWidget(self.identity)
        button_row(layout, [("导出交换包…", self.export, "把本机的数据写到U盘，带到其他办公室"),
                            ("导入交换包…", self.import_, "先预览将发生的变化，确认后再合并"),
                            ("新增办公室…", self.add_office, ""),
                            ("下次发全量", self.forget_sent, "对方丢失U盘或恢复了备份时使用")])
        self.peers = ListTableModel(PEER_COLUMNS, self)
        self.peer_view = make_table(self.peers)
        self.peer_view.setObjectName("peers")
        layout.addWidget(QLabel("交换办公室"))
        layout.addWidget(self.peer_view, 1)
        layout.addWidget(QLabel("交换记录"))
        self.log = ListTableModel(LOG_COLUMNS, self)
        self.log_view = make_table(self.log)
        layout.addWidget(self.log_view, 2)
        self.reload()

    def reload(self) -> None:
        def load(store):
            from app.exchange import offices

            peers = offices.list(store)
            for p in peers:
                p["site_short"] = (p["site_id"] or "（尚未收到）")[:8]
                p["sent_label"] = "增量" if p["sent_vector"] else "全量"
                for key in ("last_export_at", "last_import_at"):
                    p[key.replace("_at", "_label")] = _when(p[key])
            log = store.rows("SELECT * FROM exchange_log ORDER BY at DESC LIMIT 200")
            for row in log:
                counts = json.loads(row["counts"] or "{}")
                row["at_label"] = _when(row["at"])
                row["direction_label"] = "发出" if row["direction"] == "out" else "收到"
                row["kind_label"] = "增量" if row["kind"] == "delta" else "全量"
                row["summary"] = ("；".join(f"{TABLE_NOUNS.get(k, k)} {v}" for k, v in counts.items())
                                  if row["direction"] == "out"
                                  else f"新增 {counts.get('added', 0)}、修改 {counts.get('changed', 0)}、删除 "
                                       f"{counts.get('deleted', 0)}、冲突 {counts.get('conflicts', 0)}")
            return store.settings.get("site_name"), store.site_id, peers, log

        self.backend.call(load, self._show)

    def _show(self, result) -> None:
        name, site_id, peers, log = result
        self.identity.setText(f"本办公室：<b>{name}</b>（站点编号 {site_id[:8]}；名称可在“设置”中修改）")
        self.peers.set_rows(peers)
        self.log.set_rows(log)
        fit_columns(self.peer_view)
        fit_columns(self.log_view, cap=360)

    def current_peer(self) -> dict | None:
        index = self.peer_view.currentIndex()
        return self.peers.row_at(index.row()) if index.isValid() else None

    def add_office(self) -> None:
        from app.services.base import FieldSpec

        from ..form_dialog import ask

        values = ask(self, "新增交换办公室", [FieldSpec("name", "办公室名称", required=True)])
        if values:
            from app.exchange import offices

            self.backend.call(lambda s: offices.add(s, values["name"]), lambda _: self.reload(),
                              lambda e: show_refusal(self, e))

    def forget_sent(self) -> None:
        peer = self.current_peer()
        if peer and confirm(self, "下次发全量", f"下次给“{peer['name']}”导出全量交换包？", "确定"):
            from app.exchange import offices

            self.backend.call(lambda s: offices.forget_sent(s, peer["id"]), lambda _: self.reload(),
                              lambda e: show_refusal(self, e))

    def export(self) -> None:
        dialog = ExportDialog([p["name"] for p in self.peers.rows], self.current_peer(), self)
        self.export_dialog = dialog
        if dialog.exec() != QDialog.Accepted:
            return
        office, since_last, folder = dialog.choice()
        passphrase = _ask_passphrase(self, twice=True)
        if not passphrase:
            return
        from app.exchange.export import export_package

        def run(store, job):
            return export_package(store, folder, passphrase, office=office, since_last=since_last,
                                  progress=job.report)

        def done(result):
            self.reload()
            QMessageBox.information(self, "导出完成", f"已导出{'增量' if result['kind'] == 'delta' else '全量'}交换包："
                                    f"{result['rows']} 条记录、{result['files']} 个附件，已读回校验。\n{result['path']}")

        job = self.backend.call(run, done, lambda e: show_refusal(self, e), wants_job=True)
        DelayedProgress(self, job, "正在导出交换包…", cancellable=True)

    def import_(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择交换包", "", "交换包 (*.yspkg)")
        if not path:
            return
        passphrase = _ask_passphrase(self, twice=False)
        if not passphrase:
            return
        from app.exchange.merge import import_package

        def previewed(result):
            if result.get("already"):
                QMessageBox.information(self, "无需导入", f"这个交换包已于 {_when(result['already'])} 导入过，没有新的变化。")
                return
            dialog = PreviewDialog(result, self)
            self.preview_dialog = dialog
            if dialog.exec() != QDialog.Accepted:
                return
            job = self.backend.call(lambda s, job: import_package(s, path, passphrase, progress=job.report),
                                    imported, lambda e: show_refusal(self, e), wants_job=True)
            DelayedProgress(self, job, "正在备份并合并交换包…", cancellable=True)

        def imported(result):
            self.backend.forget_undo()  # what the edits before the import would undo may have changed
            self.reload()
            if hasattr(self.window(), "reload_all"):  # every page shows what arrived
                self.window().reload_all()
            text = (f"已从{result['from']}导入：新增 {result['added']}、修改 {result['changed']}、删除 {result['deleted']}、"
                    f"恢复 {result['revived']} 条。")
            if result["conflicts"]:
                text += f"\n\n有 {result['conflicts']} 处冲突，已记入“冲突记录”，请查看。"
            shared = shared_numbers_note(result)
            if shared:
                text += "\n\n" + shared
            QMessageBox.information(self, "导入完成", text)

        job = self.backend.call(lambda s, job: import_package(s, path, passphrase, dry_run=True, progress=job.report),
                                previewed, lambda e: show_refusal(self, e), wants_job=True)
        DelayedProgress(self, job, "正在解密并检查交换包…", cancellable=True)


class ExportDialog(QDialog):
    def __init__(self, offices: list[str], current: dict | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("导出交换包")
        form = QFormLayout(self)
        self.office = QComboBox()
        self.office.setEditable(True)
        self.office.addItem("")
        self.office.addItems(offices)
        if current:
            self.office.setCurrentText(current["name"])
        self.office.lineEdit().setPlaceholderText("发给哪个办公室（可不填）")
        form.addRow("发给", self.office)
        self.full = QRadioButton("全量：本机的全部数据")
        self.delta = QRadioButton("增量：上次发给该办公室之后的变化")
        (self.delta if current and current.get("sent_vector") else self.full).setChecked(True)
        form.addRow("内容", self.full)
        form.addRow("", self.delta)
        row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("U盘或文件夹")
        browse = QLabel("<a href='#'>选择…</a>")
        browse.linkActivated.connect(self.browse)
        row.addWidget(self.folder)
        row.addWidget(browse)
        form.addRow("保存到", row)
        note = QLabel("交换包先在本机生成，再复制到U盘并读回校验；文件名不含任何个人信息。")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(dialog_buttons("确定", "取消", self._accept, self.reject))

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择U盘或文件夹")
        if folder:
            self.folder.setText(folder)

    def _accept(self) -> None:
        if not self.folder.text().strip():
            show_refusal(self, "请选择保存到的U盘或文件夹")
        elif self.delta.isChecked() and not self.office.currentText().strip():
            show_refusal(self, "增量交换包须选择发给哪个办公室")
        else:
            self.accept()

    def choice(self) -> tuple[str | None, bool, str]:
        return (self.office.currentText().strip() or None, self.delta.isChecked(), self.folder.text().strip())


class PreviewDialog(QDialog):
    """What an import will do, before it does it."""

    def __init__(self, result: dict, parent=None):
        super().__init__(parent)

        self.setWindowTitle("导入预览")
        self.resize(620, 460)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"来自 <b>{escape(result['from'])}</b> 的交换包将带来："))
        text = QTextBrowser()
        lines = [f"<p>新增 <b>{result['added']}</b> 条、修改 <b>{result['changed']}</b> 条、删除 <b>{result['deleted']}</b> 条、"
                 f"恢复 <b>{result['revived']}</b> 条；冲突 <b>{result['conflicts']}</b> 处；无变化 {result['unchanged']} 条。</p>",
                 "<table cellpadding='3'><tr><th align='left'>类别</th><th>新增</th><th>修改</th><th>删除</th></tr>"]
        for table, counts in result["by_table"].items():
            if set(counts) - {"unchanged"}:
                lines.append(f"<tr><td>{TABLE_NOUNS.get(table, table)}</td><td>{counts.get('added', 0)}</td>"
                             f"<td>{counts.get('changed', 0)}</td><td>{counts.get('deleted', 0)}</td></tr>")
        lines.append("</table>")
        shared = shared_numbers_note(result)
        if shared:
            lines.append(f"<p>{escape(shared)}</p>")
        for c in result.get("conflict_list", [])[:50]:
            lines.append(f"<p>冲突：{TABLE_NOUNS.get(c['tbl'], c['tbl'])} {escape(c['field'])}："
                         f"保留“{escape(str(c['kept_value']))}”，另一值“{escape(str(c['lost_value']))}”记入冲突记录</p>")
        text.setHtml("".join(lines))
        layout.addWidget(text)
        note = QLabel("确认后先自动备份，再在一个事务中合并；任何一步出错，数据保持原样。")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(dialog_buttons("确认导入", "取消", self.accept, self.reject))


# -- 冲突记录 -----------------------------------------------------------------------------------------
CONFLICT_COLUMNS = [Col("at_label", "时间"), Col("kind_label", "类型"), Col("table_label", "类别"), Col("record", "记录"),
                    Col("field_label", "字段"), Col("kept_value", "当前值"), Col("lost_value", "另一值"),
                    Col("lost_site", "来自"), Col("state_label", "处理")]


class ConflictsTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("两个办公室改了同一项内容时，按时间较晚者为准；另一值保留在这里，可随时改用。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.show_all = QCheckBox("显示已处理的")
        self.show_all.toggled.connect(lambda _: self.reload())
        layout.addWidget(self.show_all)
        self.model = ListTableModel(CONFLICT_COLUMNS, self)
        self.view = make_table(self.model)
        self.view.setObjectName("conflicts")
        layout.addWidget(self.view, 1)
        button_row(layout, [("改用另一值", lambda: self.resolve(True), "把记录改为另一值（同样会传给其他办公室）"),
                            ("保留当前值", lambda: self.resolve(False), "标记为已查看")])
        backend.changed.connect(lambda c: self.reload() if "conflicts" in c.tables else None)
        self.reload()

    def reload(self) -> None:
        from app.exchange.conflicts import list_conflicts

        open_only = not self.show_all.isChecked()

        def load(store):
            rows = list_conflicts(store, open_only)
            for row in rows:
                row["at_label"] = _when(row["at"])
            return rows

        self.backend.call(load, self._show)

    def _show(self, rows) -> None:
        self.model.set_rows(rows)
        fit_columns(self.view, cap=300)

    def resolve(self, use_other: bool) -> None:
        from app.exchange.conflicts import resolve

        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if not row:
            return show_refusal(self, "请先选择一条冲突记录")
        self.backend.call(lambda s: resolve(s, row["id"], use_other), None, lambda e: show_refusal(self, e),
                          mutation=f"处理冲突：{row['record']}")


# -- 备份与恢复 ---------------------------------------------------------------------------------------
BACKUP_COLUMNS = [Col("at_label", "时间"), Col("reason_label", "原因"), Col("size_label", "大小"), Col("name", "文件")]


class BackupsTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("程序在启动时、导入交换包和恢复之前、升级之前，以及有修改时每 30 分钟自动备份；"
                      "保留最近 12 天、10 周、9 个月各一份。恢复时当前数据库移到一旁保留，不会被覆盖。")
        note.setWordWrap(True)
        layout.addWidget(note)
        button_row(layout, [("立即备份", lambda: self.backup(None)), ("备份到U盘或文件夹…", self.backup_to),
                            ("恢复所选备份…", self.restore_selected), ("从文件恢复…", self.restore_file)])
        self.model = ListTableModel(BACKUP_COLUMNS, self)
        self.view = make_table(self.model)
        self.view.setObjectName("backups")
        layout.addWidget(self.view, 1)
        self.reload()

    def reload(self) -> None:
        from app.backup import REASONS, list_backups

        def load(store):
            rows = list_backups(store.data_dir)
            for row in rows:
                row["at_label"] = f"{row['at']:%Y-%m-%d %H:%M:%S}"
                row["reason_label"] = REASONS.get(row["reason"], row["reason"])
                row["size_label"] = f"{row['size'] / 1048576:.1f} MB"
            return rows

        self.backend.call(load, lambda rows: (self.model.set_rows(rows), fit_columns(self.view)))

    def backup(self, target) -> None:
        from app.backup import backup

        def done(result):
            self.reload()
            QMessageBox.information(self, "备份完成", f"已备份并校验：\n{result['path']}")

        job = self.backend.call(lambda s: backup(s, target, reason="manual"), done, lambda e: show_refusal(self, e))
        DelayedProgress(self, job, "正在备份…")

    def backup_to(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "备份到")
        if folder:
            self.backup(folder)

    def restore_selected(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row:
            self.restore(row["path"])

    def restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", "", "数据库备份 (*.db)")
        if path:
            self.restore(path)

    def restore(self, path: str) -> None:
        if not confirm(self, "从备份恢复", f"用备份“{Path(path).name}”替换当前数据？\n\n当前数据库会先备份，"
                                          "再移到一旁保留（不会被覆盖），需要时可以再恢复回来。", "恢复"):
            return
        window = self.window()

        def done(result):
            self.backend.undo_available.emit("")
            if hasattr(window, "reload_all"):
                window.reload_all()
            self.reload()
            QMessageBox.information(self, "恢复完成", f"已恢复。原数据库保留为：{result['aside'] or '（无）'}")

        self.backend.call(lambda s: s.data_dir, lambda data_dir: self.backend.restore_backup(
            data_dir, path, done, lambda e: show_refusal(self, e)))


# -- 审计日志 ------------------------------------------------------------------------------------------
@dataclass
class AuditFilter:
    date_from: str | None = None
    date_to: str | None = None
    action: str | None = None
    text: str = ""


AUDIT_COLUMNS = [Col("seq", "编号"), Col("when", "时间"), Col("actor", "操作人"), Col("action_label", "类型"),
                 Col("summary", "内容")]


class AuditTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        from app.audit import ACTION_LABELS

        self.backend = backend
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.date_from, self.date_to = QLineEdit(), QLineEdit()
        self.date_from.setPlaceholderText("起：2026-01-01")
        self.date_to.setPlaceholderText("止：2026-12-31")
        self.action = filter_combo("全部类型", list(ACTION_LABELS.items()), self.apply)
        self.search = search_box(self, "搜索内容、记录编号、操作人", self.apply, "audit_search")
        for widget in (self.date_from, self.date_to):
            widget.editingFinished.connect(self.apply)
        for widget in (self.date_from, self.date_to, self.action, self.search):
            filters.addWidget(widget)
        layout.addLayout(filters)
        self.model = PagedTableModel(backend, AUDIT_COLUMNS,
                                     lambda s, f: s.audit.count(**vars(f)),
                                     lambda s, f, offset, limit: s.audit.query(**vars(f), limit=limit, offset=offset),
                                     AuditFilter())
        self.view = make_table(self.model)
        self.view.setObjectName("audit")
        layout.addWidget(self.view, 1)
        self.chain = QLabel()
        layout.addWidget(self.chain)
        button_row(layout, [("校验日志链", self.verify), ("导出 Excel…", self.export)])
        self.model.loaded.connect(lambda: fit_columns(self.view, cap=600))

    def filter(self) -> AuditFilter:
        return AuditFilter(self.date_from.text().strip() or None, self.date_to.text().strip() or None,
                           self.action.currentData(), self.search.text().strip())

    def apply(self) -> None:
        from datetime import date

        for box in (self.date_from, self.date_to):
            try:
                if box.text().strip():
                    date.fromisoformat(box.text().strip())
                box.setStyleSheet("")
            except ValueError:
                box.setStyleSheet("border: 1px solid #c62828;")
                box.setToolTip("日期格式：2026-01-01")
                return
        self.model.set_filter(self.filter())

    def reload(self) -> None:
        self.model.reload()

    def verify(self) -> None:
        def done(result):
            colour = "#2e7d32" if result["ok"] else "#c62828"
            self.chain.setText(f"<span style='color:{colour}'>{result['message']}（共 {result['entries']} 条）</span>")

        self.backend.call(lambda s: s.audit.verify(), done)

    def export(self) -> None:
        from .base import export_with_dialog

        export_with_dialog(self, self.backend, "audit", **vars(self.filter()))


# -- 程序密码 ------------------------------------------------------------------------------------------
class SecurityTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        layout = QVBoxLayout(self)
        box = QGroupBox("程序密码")
        form = QFormLayout(box)
        self.state = QLabel()
        form.addRow(self.state)
        self.current, self.new, self.again = QLineEdit(), QLineEdit(), QLineEdit()
        for widget in (self.current, self.new, self.again):
            widget.setEchoMode(QLineEdit.Password)
        form.addRow("当前密码", self.current)
        form.addRow("新密码（至少 6 位）", self.new)
        form.addRow("再输入一次", self.again)
        row = QHBoxLayout()
        button_row(row, [("保存密码", self.save), ("取消密码", self.clear)])
        form.addRow(row)
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 240)
        self.minutes.setSuffix(" 分钟（0 为不自动锁定）")
        self.minutes.editingFinished.connect(self.save_minutes)
        form.addRow("空闲后自动锁定", self.minutes)
        note = QLabel("连续输错 5 次将锁定 5 分钟。身份证号在各处均脱敏显示；导出完整号码须明确选择，并记入审计日志。")
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(box)
        layout.addStretch(1)
        self.reload()

    def reload(self) -> None:
        from app import security

        self.backend.call(lambda s: (security.has_password(s), security.idle_minutes(s)), self._show)

    def _show(self, state) -> None:
        protected, minutes = state
        self.state.setText("已设置程序密码，启动时需输入。" if protected else "尚未设置程序密码。")
        self.current.setEnabled(protected)
        self.minutes.setValue(minutes)

    def save(self) -> None:
        from app import security

        if self.new.text() != self.again.text():
            return show_refusal(self, "两次输入的新密码不一致")
        current, new = self.current.text(), self.new.text()
        for widget in (self.current, self.new, self.again):
            widget.clear()
        self.backend.call(lambda s: security.set_password(s, new, current),
                          lambda _: (self.reload(), QMessageBox.information(self, "程序密码", "已保存程序密码。")),
                          lambda e: show_refusal(self, e))

    def clear(self) -> None:
        from app import security

        current = self.current.text()
        self.current.clear()
        self.backend.call(lambda s: security.clear_password(s, current), lambda _: self.reload(),
                          lambda e: show_refusal(self, e))

    def save_minutes(self) -> None:
        from app import security

        minutes = self.minutes.value()

        def done(_):
            lock = getattr(self.window(), "idle_lock", None)
            if lock is not None:
                lock.minutes = minutes

        self.backend.call(lambda s: security.set_idle_minutes(s, minutes), done, lambda e: show_refusal(self, e))


# -- 归档包 ---------------------------------------------------------------------------------------------
class ArchiveTab(QWidget):
    def __init__(self, backend):
        super().__init__()
        from app.archive import ARCHIVE_DOCS
        from app.documents.catalog import DOCS
        from app.registers.catalog import REGISTERS

        self.backend = backend
        layout = QVBoxLayout(self)
        note = QLabel("为区人大常委会生成归档包：所选台账（Excel）和文书（PDF），附 SHA-256 校验清单，可保存为 zip 或文件夹。")
        note.setWordWrap(True)
        layout.addWidget(note)
        grid = QGridLayout()
        self.registers, self.docs = {}, {}
        for i, (name, (title, _)) in enumerate(REGISTERS.items()):
            box = QCheckBox(title)
            box.setChecked(name in ("roster", "groups", "grids", "meetings", "ledger", "stats"))
            grid.addWidget(box, i // 3, i % 3)
            self.registers[name] = box
        layout.addWidget(QLabel("台账"))
        layout.addLayout(grid)
        docs = QGridLayout()
        for i, kind in enumerate(sorted(ARCHIVE_DOCS)):
            box = QCheckBox(DOCS[kind][0])
            box.setChecked(kind in ("filing", "ledger"))
            docs.addWidget(box, i // 3, i % 3)
            self.docs[kind] = box
        layout.addWidget(QLabel("文书"))
        layout.addLayout(docs)
        button_row(layout, [("生成归档包（zip）…", self.build)])
        layout.addStretch(1)

    def build(self) -> None:
        from app.archive import build_archive

        registers = [n for n, b in self.registers.items() if b.isChecked()]
        docs = [n for n, b in self.docs.items() if b.isChecked()]
        path, _ = QFileDialog.getSaveFileName(self, "保存归档包", "归档包.zip", "zip 文件 (*.zip)")
        if not path:
            return
        job = self.backend.call(lambda s: build_archive(s, path, registers, docs),
                                lambda r: QMessageBox.information(self, "归档包", f"已生成（{len(r['files'])} 个文件，"
                                                                             f"含 SHA-256 清单）：\n{r['path']}"),
                                lambda e: show_refusal(self, e))
        DelayedProgress(self, job, "正在生成归档包…")

