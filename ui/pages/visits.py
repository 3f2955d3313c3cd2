"""网格走访 (in 代表): the delegate × month board, the month's visit log, and fast entry of a
paper visit sheet."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.visits import VisitFilter

from ..backend import Watch
from ..cell_editing import commit_edits, edit_in_cells
from ..memory import fit_on_screen
from ..messages import confirm, show_refusal
from ..models import Col, ListTableModel
from ..widgets import NoWheelCombo, add_buttons, cell_combo, dialog_buttons, person_choice, person_picker
from .base import export_with_dialog, fit_columns, make_table, refill_combo

MISSED = QColor("#fde0dc")


class VisitsTab(QWidget):
    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.year = NoWheelCombo()
        this_year = date.today().year
        for year in (this_year, this_year - 1, this_year - 2):
            self.year.addItem(f"{year}年", year)
        self.group = NoWheelCombo()
        self.group.addItem("全部小组", None)
        for box in (self.year, self.group):
            box.currentIndexChanged.connect(lambda _: self.reload_board())
        self.summary = QLabel()
        self.summary.setObjectName("visit_summary")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度："))
        top.addWidget(self.year)
        top.addWidget(QLabel("议事小组："))
        top.addWidget(self.group)
        top.addStretch(1)
        add_buttons(top, (("登记走访…", self.enter_sheet, "按纸质走访登记表录入：一名代表的多次走访，一次保存"),
                          ("删除走访记录", self.delete, "把所选走访记录移到回收站"),
                          ("导出走访登记表…", lambda: export_with_dialog(self, backend, "visits",
                                                                    year=self.year.currentData()))))
        # The board: one row per delegate, one column per month; a cell says grids visited / assigned.
        self.board = QTableWidget()
        self.board.setObjectName("visit_board")
        self.board.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.board.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectItems)
        self.board.currentCellChanged.connect(lambda row, column, *_: self._cell_chosen(row, column))
        self.log = ListTableModel([Col("day", "走访日期"), Col("delegate_name", "代表"), Col("community_name", "村（社区）"),
                                   Col("grid_name", "网格"), Col("residents_met", "接触群众"),
                                   Col("matters", "听取的意见和问题"), Col("opinion_count", "形成意见建议")], self)
        self.log_view = make_table(self.log)
        self.log_label = QLabel("走访记录")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.log_label)
        lower_layout.addWidget(self.log_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.board)
        splitter.addWidget(lower)
        splitter.setSizes([320, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.months: list[str] = []
        self.people: list[dict] = []
        self.month = date.today().isoformat()[:7]
        self.watch = Watch(backend, self.reload, self)  # what the board, log and group choices read

    def reload(self) -> None:
        self.backend.query(lambda s: [(g["id"], g["name"]) for g in s.groups.list()],
                           lambda groups: refill_combo(self.group, groups), watch=self.watch)
        self.reload_board()

    def reload_board(self) -> None:
        year, group = self.year.currentData(), self.group.currentData()
        month = self.month if self.month.startswith(str(year)) else None

        def load(s):
            board = s.visits.year_board(year, group)
            chosen = month or (board["months"][-1] if board["months"] else f"{year}-01")
            return board, chosen, s.visits.list(VisitFilter(month=chosen, group_id=group))

        self.backend.query(load, self._show, watch=self.watch)

    def _show(self, result) -> None:
        board, month, log = result
        self.months, self.people = board["months"], board["rows"]
        headers = ["姓名", "议事小组", "联系网格"] + [f"{int(m[5:])}月" for m in self.months] + ["全年走访"]
        self.board.clear()
        self.board.setColumnCount(len(headers))
        self.board.setRowCount(len(self.people))
        self.board.setHorizontalHeaderLabels(headers)
        for r, person in enumerate(self.people):
            cells = [person["name"], person["group_name"] or "", f"{person['assigned_grids']} 个"]
            for m in self.months:
                c = person["months"][m]
                cells.append(f"{c['grids']}/{person['assigned_grids']}" if c["visits"] else "未走访")
            cells.append(f"{person['total']} 次")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= column < 3 + len(self.months):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    c = person["months"][self.months[column - 3]]
                    item.setToolTip(f"{person['name']} {self.months[column - 3]}：走访 {c['visits']} 次，"
                                    f"走访网格 {c['grids']} 个（联系 {person['assigned_grids']} 个）")
                    if not c["visits"]:
                        item.setBackground(QBrush(MISSED))
                self.board.setItem(r, column, item)
        header = self.board.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._show_month(month, log)

    def _show_month(self, month: str, log: list[dict]) -> None:
        """The chosen month's summary line and visit log (the board already holds its figures)."""
        self.month = month
        missing = [p["name"] for p in self.people if self.month in p["months"] and not p["months"][self.month]["visits"]]
        this_month = date.today().isoformat()[:7]
        label = "本月" if self.month == this_month else f"{int(self.month[:4])}年{int(self.month[5:])}月"
        self.summary.setText(
            f"{label}：{len(self.people) - len(missing)} 名代表已走访网格，{len(missing)} 名未走访"
            + (f"（{'、'.join(missing[:30])}{'等' if len(missing) > 30 else ''}）" if missing else "")
            + "。格中数字为“走访网格数/联系网格数”，点选某月查看当月走访记录。")
        self.summary.setStyleSheet("color: #b26a00;" if missing else "")
        self.log.set_rows(log)
        self.log_label.setText(f"{label}的走访记录（{len(log)} 条）")
        fit_columns(self.log_view)

    def _cell_chosen(self, row: int, column: int) -> None:
        if 3 <= column < 3 + len(self.months) and self.months[column - 3] != self.month:
            month, group = self.months[column - 3], self.group.currentData()
            # the board is loaded already: only the month's log is asked for
            self.backend.query(lambda s: s.visits.list(VisitFilter(month=month, group_id=group)),
                               lambda log: self._show_month(month, log), watch=self.watch)

    def delete(self) -> None:
        index = self.log_view.currentIndex()
        if not index.isValid():
            return
        row = self.log.rows[index.row()]
        if confirm(self, "删除走访记录", f"把 {row['day']} {row['delegate_name']}走访{row['grid_name']}的记录移到回收站？"
                   "\n由这次走访登记的意见建议保留在台账中。", "删除"):
            self.backend.op(lambda s: s.visits.delete(row["id"]), None, lambda e: show_refusal(self, e),
                            summary=f"删除走访记录（{row['delegate_name']} {row['day']}）")

    def enter_sheet(self) -> None:
        self.backend.query(lambda s: s.visits.entry_choices(), self._open_sheet)

    def _open_sheet(self, choices) -> None:
        self.sheet = VisitSheetDialog(self.backend, choices, self)
        self.sheet.open()


class VisitSheetDialog(QDialog):
    """One delegate's paper visit sheet: a line per visit (date, grid, residents met, what was
    heard, opinions raised — one per line or separated by ；). Saved in one edit, all or nothing."""

    COLUMNS = ("走访日期", "走访网格", "接触群众", "听取的意见和问题", "形成的意见建议（每行一条）")

    def __init__(self, backend, choices: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("visit_sheet")
        self.setWindowTitle("登记网格走访")
        self.backend = backend
        self.choices = choices
        fit_on_screen(self, (980, 520))
        self.delegate = NoWheelCombo()
        self.delegate.setObjectName("visit_delegate")
        for delegate_id, label in choices["delegates"]:
            self.delegate.addItem(label, delegate_id)
        person_picker(self.delegate)  # type a name, a part of it or its pinyin initials (zs)
        # Nobody chosen until the clerk names the delegate on the paper sheet: the first of the list,
        # shown chosen, had to be selected away first, and went unnoticed onto a sheet saved as it was.
        self.delegate.setCurrentIndex(-1)
        self.delegate.currentIndexChanged.connect(lambda _: self._fill_grids())
        self.table = QTableWidget(6, len(self.COLUMNS))
        self.table.setObjectName("visit_rows")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 190)
        self.table.setColumnWidth(2, 100)
        edit_in_cells(self.table, multiline=(3, 4))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("走访代表："))
        top.addWidget(self.delegate, 1)
        top.addStretch(1)
        add_buttons(top, (("增加一行", self.add_row, "也可在最后一行按 Tab 继续"),))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        hint = QLabel("每次走访填一行；日期写成 2026-05-08，只写日（如 8）则为本月。格内按回车另起一行"
                      "（意见建议每行一条），按 Tab 到下一格。空行不保存。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons("保存", "取消", self.save, self.reject))
        self._fill_grids()
        self.delegate.setFocus()  # the sheet opens ready for the delegate's name or initials

    def add_row(self) -> None:
        self.table.insertRow(self.table.rowCount())
        self._grid_box(self.table.rowCount() - 1)

    def _grid_box(self, row: int) -> None:
        box = NoWheelCombo()
        delegate_id = self.delegate.currentData()
        own = self.choices["grids_of"].get(delegate_id, [])
        for grid_id, label in own:
            box.addItem(label, grid_id)
        if own:
            box.insertSeparator(box.count())
        for grid_id, label in self.choices["grids"]:
            if (grid_id, label) not in own:
                box.addItem(label, grid_id)
        self.table.setCellWidget(row, 1, box)

    def _fill_grids(self) -> None:
        for row in range(self.table.rowCount()):
            self._grid_box(row)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item else ""

    def rows(self, delegate_id: str | None = None) -> list[dict]:
        """A dict per line of the sheet, a blank line as {} (the core passes over it and still
        counts it, so that "第 3 行" in a refusal is the third line the clerk sees)."""
        delegate_id = delegate_id or self.delegate.currentData()
        commit_edits(self.table)
        month = date.today().isoformat()[:7]
        out: list[dict] = []
        for row in range(self.table.rowCount()):
            day, residents = self._text(row, 0), self._text(row, 2)
            matters, opinions = self._text(row, 3), self._text(row, 4)
            if not (day or residents or matters or opinions):
                out.append({})
                continue
            if day.isdigit() and len(day) <= 2:
                day = f"{month}-{int(day):02d}"
            out.append({"delegate_id": delegate_id, "grid_id": cell_combo(self.table, row, 1).currentData(),
                        "day": day or None, "residents_met": residents or None, "matters": matters or None,
                        "opinions": [t.strip() for t in opinions.replace(";", "；").replace("\n", "；").split("；")
                                     if t.strip()]})
        return out

    def save(self) -> None:
        from app.common.errors import AppError

        try:  # the delegate picked, or the one the typed name or initials name alone
            delegate_id = person_choice(self.delegate, "走访代表")
        except AppError as error:
            self.error.setText(error.message)
            return
        if delegate_id is None:
            self.error.setText("请先填写走访代表：输入姓名或拼音首字母（如 zs），从列表中选定")
            self.delegate.setFocus()
            return
        rows = self.rows(delegate_id)
        who = self.delegate.itemText(max(self.delegate.findData(delegate_id), 0))
        self.error.clear()
        self.backend.op(lambda s: s.visits.create_many(rows), lambda _: self.accept(),
                        lambda e: self.error.setText(getattr(e, "message", str(e))),
                        summary=f"登记网格走访（{who.split('（')[0]}，{sum(1 for r in rows if r)} 次）")

    def reject(self) -> None:
        """取消, Esc or the window's close: a sheet with lines typed is not thrown away unasked."""
        filled = sum(1 for r in self.rows() if r)
        if filled and not confirm(self, "放弃走访登记", f"这张登记表已填写 {filled} 行，还没有保存。\n"
                                  "关闭后这些内容不会保存。", "放弃并关闭", safe_default=True):
            return
        super().reject()
