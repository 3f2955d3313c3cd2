"""文件 › 打印 (Ctrl+P): the list in front printed straight through the printer dialog, every row of
it (not only those scrolled into view), with its title, the filter's count and the date."""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from app.store import Store

# More rows than this go to paper through 导出 (Excel, its pages set for print), not in one go here.
PRINT_LIMIT = 3000


def list_rows(backend, view, done) -> None:
    """Every row of the table's model as display texts of its shown columns, then `done(headers,
    rows)`; a paged list's rows are read again in the worker with its filter, all of them."""
    from .models import PagedTableModel, _display

    model = view.model()
    columns = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
    if isinstance(model, PagedTableModel):
        keys = [model.columns[c].key for c in columns]
        flt, count, page_fn = model.filter, model.rowCount(), model._page_fn

        def read(store: Store):
            return [[_display(row.get(key)) for key in keys] for row in page_fn(store, flt, 0, max(count, 1))]

        backend.query(read, lambda rows: done(headers, rows))
        return
    done(headers, [[str(model.index(r, c).data() or "") for c in columns] for r in range(model.rowCount())])


def table_html(title: str, headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return (f"<h3>{html.escape(title)}</h3>"
            f"<p>共 {len(rows)} 条　打印日期：{date.today().isoformat()}</p>"
            "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def print_html(parent, title: str, text: str) -> bool:
    """The printer dialog, then the document; False when the clerk cancelled."""
    from PySide6.QtGui import QPageLayout, QTextDocument
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)  # registers are wide
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"打印 — {title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    document = QTextDocument()
    document.setHtml(text)
    document.print_(printer)
    return True


def print_list(parent, backend, view, title: str, done=None) -> None:
    """Print every row of `view`'s list; `done(printed)` after."""

    def ready(headers, rows):
        printed = print_html(parent, title, table_html(title, headers, rows))
        if done:
            done(printed, len(rows))

    list_rows(backend, view, ready)
