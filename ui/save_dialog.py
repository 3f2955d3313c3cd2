"""Asking where to save an export: the filter and the suffix come from the core's table
(app.outputs), so a file is never saved under a suffix that says it is something else."""

from __future__ import annotations

from pathlib import Path


def ask_save_path(parent, caption: str, default_name: str, kind: str) -> Path | None:
    """The path the clerk chose for an export of `kind`, or None (cancelled, or refused and said
    why). A name typed without a suffix gets the right one; a wrong suffix is refused."""
    from PySide6.QtWidgets import QFileDialog

    from app.errors import AppError
    from app.outputs import check_out, dialog_filter, with_default_suffix

    from .messages import show_refusal

    chosen, _ = QFileDialog.getSaveFileName(parent, caption, default_name, dialog_filter(kind))
    if not chosen:
        return None
    try:
        return check_out(kind, with_default_suffix(kind, chosen))
    except AppError as exc:
        show_refusal(parent, exc, "文件名不对")
        return None
