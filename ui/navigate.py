"""Going from a line that names a record (概览, the reminder panel) to the record itself: switch to
its area, then let the area's page open or select it (`page.open_record(kind, id)`)."""

from __future__ import annotations

from PySide6.QtCore import Qt


def open_target(widget, target: dict | None):
    """Open `target` ({"area", "kind", "id"}) in the main window `widget` belongs to. Returns what
    the page opened (a dialog, an editor), or None."""
    if not target or not target.get("area"):
        return None
    window = main_window(widget)
    if window is None:
        return None
    window.show_page(target["area"])
    page = window.page(target["area"])
    opener = getattr(page, "open_record", None)
    return opener(target.get("kind") or "", target.get("id")) if opener else None


def main_window(widget):
    """The MainWindow a widget (or dialog) belongs to, through its parents."""
    while widget is not None:
        if hasattr(widget, "show_page") and hasattr(widget, "page"):
            return widget
        widget = widget.parentWidget()
    return None


def select_row(view, record_id: str | None) -> None:
    """Select the row of `record_id` in a table now, or as soon as its rows arrive (a page being
    built loads them in the background)."""
    if not record_id:
        return
    model = view.model()

    def attempt() -> bool:
        for row in range(model.rowCount()):
            if model.data(model.index(row, 0), Qt.ItemDataRole.UserRole) == record_id or \
                    (getattr(model, "row_at", None) and (model.row_at(row) or {}).get("id") == record_id):
                view.selectRow(row)
                view.scrollTo(model.index(row, 0))
                view.setFocus()
                return True
        return False

    if attempt():
        return

    tries = [3]  # the page's own load, then the reload a cleared filter asks for: then give up

    def later(*_):
        tries[0] -= 1
        if attempt() or not tries[0]:
            try:
                model.modelReset.disconnect(later)
            except (RuntimeError, TypeError):
                pass

    model.modelReset.connect(later)
