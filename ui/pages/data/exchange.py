"""U盘交换: the offices this one exchanges with, exporting a package, previewing and importing one."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.exchange.merge import import_notes
from app.storage.schema import TABLE_NOUNS

from ...backend import DelayedProgress
from ...memory import fit_on_screen
from ...messages import confirm, show_refusal
from ...models import Col, ListTableModel
from ...widgets import NoWheelCombo, button_row, dialog_buttons, local_when
from ..base import fit_columns, make_table

if TYPE_CHECKING:
    from app.store import Store


def _ask_passphrase(parent, twice: bool) -> str | None:
    dialog = QDialog(parent)
    dialog.setWindowTitle("交换口令")
    form = QFormLayout(dialog)
    note = QLabel("交换口令由双方约定，请勿写在U盘上。口令错误的交换包无法打开。")
    note.setWordWrap(True)
    form.addRow(note)
    first, second = QLineEdit(), QLineEdit()
    for box in (first, second):
        box.setEchoMode(QLineEdit.EchoMode.Password)
    form.addRow("口令", first)
    if twice:
        form.addRow("再输入一次", second)
    form.addRow(dialog_buttons("确定", "取消", dialog.accept, dialog.reject))
    while dialog.exec() == QDialog.DialogCode.Accepted:
        if not first.text():
            show_refusal(parent, "请输入口令")
        elif twice and first.text() != second.text():
            show_refusal(parent, "两次输入的口令不一致")
        else:
            return first.text()
    return None


PACKAGE_FOLDER = "exchange_folder"  # ui.memory's key for the folder the last package was written to


def last_package_folder() -> str:
    """The folder (a USB stick, as a rule) the last exchange package was written to, while it is
    still there: the clerk takes the same stick each time, and no longer picks it each time."""
    from pathlib import Path

    from ...memory import recall

    folder = recall(PACKAGE_FOLDER)
    return folder if folder and Path(folder).is_dir() else ""


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
        def load(store: Store):
            from app.exchange import offices

            peers = offices.list(store)
            for p in peers:
                p["site_short"] = (p["site_id"] or "（尚未收到）")[:8]
                p["sent_label"] = "增量" if p["sent_vector"] else "全量"
                for key in ("last_export_at", "last_import_at"):
                    p[key.replace("_at", "_label")] = local_when(p[key])
            log = offices.log(store)
            for row in log:
                counts = json.loads(row["counts"] or "{}")
                row["at_label"] = local_when(row["at"])
                row["direction_label"] = "发出" if row["direction"] == "out" else "收到"
                row["kind_label"] = "增量" if row["kind"] == "delta" else "全量"
                row["summary"] = ("；".join(f"{TABLE_NOUNS.get(k, k)} {v}" for k, v in counts.items())
                                  if row["direction"] == "out"
                                  else f"新增 {counts.get('added', 0)}、修改 {counts.get('changed', 0)}、删除 "
                                       f"{counts.get('deleted', 0)}、冲突 {counts.get('conflicts', 0)}")
            return store.settings.get("site_name"), store.site_id, peers, log

        self.backend.query(load, self._show)

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

        from ...form_dialog import ask

        values = ask(self, "新增交换办公室", [FieldSpec("name", "办公室名称", required=True)])
        if values:
            from app.exchange import offices

            self.backend.op(lambda s: offices.add(s, values["name"]), lambda _: self.reload(),
                              lambda e: show_refusal(self, e))

    def forget_sent(self) -> None:
        peer = self.current_peer()
        if peer and confirm(self, "下次发全量", f"下次给“{peer['name']}”导出全量交换包？", "确定"):
            from app.exchange import offices

            self.backend.op(lambda s: offices.forget_sent(s, peer["id"]), lambda _: self.reload(),
                              lambda e: show_refusal(self, e))

    def export(self) -> None:
        dialog = ExportDialog([p["name"] for p in self.peers.rows], self.current_peer(), self)
        self.export_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        office, since_last, folder = dialog.choice()
        passphrase = _ask_passphrase(self, twice=True)
        if not passphrase:
            return
        from app.exchange.export import export_package

        def run(store: Store, job):
            return export_package(store, folder, passphrase, office=office, since_last=since_last,
                                  progress=job.report)

        def done(result):
            from ...memory import remember

            remember(PACKAGE_FOLDER, folder)  # the stick the next package goes to, as a rule
            self.reload()
            QMessageBox.information(self, "导出完成", f"已导出{'增量' if result['kind'] == 'delta' else '全量'}交换包："
                                    f"{result['rows']} 条记录、{result['files']} 个附件，已读回校验。\n{result['path']}")

        job = self.backend.op(run, done, lambda e: show_refusal(self, e), wants_job=True)
        DelayedProgress(self, job, "正在导出交换包…", cancellable=True)

    def import_(self) -> None:
        from ...save_dialog import export_folder

        # A package comes on the stick the last one was written to, as a rule.
        path, _ = QFileDialog.getOpenFileName(self, "选择交换包", export_folder() or "", "交换包 (*.yspkg)")
        if not path:
            return
        passphrase = _ask_passphrase(self, twice=False)
        if not passphrase:
            return
        from app.exchange.merge import import_package

        def previewed(result):
            if result.get("already"):
                QMessageBox.information(self, "无需导入",
                                        f"这个交换包已于 {local_when(result['already'])} 导入过，没有新的变化。")
                return
            dialog = PreviewDialog(result, self)
            self.preview_dialog = dialog
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            job = self.backend.op(lambda s, job: import_package(s, path, passphrase, progress=job.report),
                                  imported, lambda e: show_refusal(self, e), wants_job=True, undoable=False)
            DelayedProgress(self, job, "正在备份并合并交换包…", cancellable=True)

        def imported(result):
            self.backend.forget_undo()  # what the edits before the import would undo may have changed
            self.reload()  # the pages showing what arrived refresh from the operation's changes
            text = (f"已从{result['from']}导入：新增 {result['added']}、修改 {result['changed']}、删除 {result['deleted']}、"
                    f"恢复 {result['revived']} 条。")
            if result["conflicts"]:
                text += f"\n\n有 {result['conflicts']} 处冲突，已记入“冲突记录”，请查看。"
            shared = import_notes(result)
            if shared:
                text += "\n\n" + shared
            QMessageBox.information(self, "导入完成", text)

        # a dry run: merged inside a transaction that is rolled back, so it changes nothing
        job = self.backend.op(lambda s, job: import_package(s, path, passphrase, dry_run=True, progress=job.report),
                              previewed, lambda e: show_refusal(self, e), wants_job=True, undoable=False)
        DelayedProgress(self, job, "正在解密并检查交换包…", cancellable=True)


class ExportDialog(QDialog):
    def __init__(self, offices: list[str], current: dict | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("导出交换包")
        form = QFormLayout(self)
        self.office = NoWheelCombo()
        self.office.setEditable(True)
        self.office.addItem("")
        self.office.addItems(offices)
        if current:
            self.office.setCurrentText(current["name"])
        line = self.office.lineEdit()
        assert line is not None  # an editable combo box has its line edit
        line.setPlaceholderText("发给哪个办公室（可不填）")
        form.addRow("发给", self.office)
        self.full = QRadioButton("全量：本机的全部数据")
        self.delta = QRadioButton("增量：上次发给该办公室之后的变化")
        (self.delta if current and current.get("sent_vector") else self.full).setChecked(True)
        form.addRow("内容", self.full)
        form.addRow("", self.delta)
        row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("U盘或文件夹")
        self.folder.setText(last_package_folder())  # where the last package went, while it is there
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
        from ...save_dialog import ask_folder

        folder = ask_folder(self, "选择U盘或文件夹")
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
        fit_on_screen(self, (620, 460))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"来自 <b>{escape(result['from'])}</b> 的交换包将带来："))
        text = QTextBrowser()
        lines = [f"<p>新增 <b>{result['added']}</b> 条、修改 <b>{result['changed']}</b> 条、删除 <b>{result['deleted']}</b> 条、"
                 f"恢复 <b>{result['revived']}</b> 条；冲突 <b>{result['conflicts']}</b> 处；"
                 f"无变化 {result['unchanged']} 条。</p>",
                 "<table cellpadding='3'><tr><th align='left'>类别</th><th>新增</th><th>修改</th><th>删除</th></tr>"]
        for table, counts in result["by_table"].items():
            if set(counts) - {"unchanged"}:
                lines.append(f"<tr><td>{TABLE_NOUNS.get(table, table)}</td><td>{counts.get('added', 0)}</td>"
                             f"<td>{counts.get('changed', 0)}</td><td>{counts.get('deleted', 0)}</td></tr>")
        lines.append("</table>")
        shared = import_notes(result)
        if shared:
            lines.append(f"<p>{escape(shared)}</p>")
        for c in result.get("conflict_list", [])[:50]:
            lines.append(f"<p>冲突：{escape(c['text'])}</p>")
        text.setHtml("".join(lines))
        layout.addWidget(text)
        note = QLabel("确认后先自动备份，再在一个事务中合并；任何一步出错，数据保持原样。")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(dialog_buttons("确认导入", "取消", self.accept, self.reject))
