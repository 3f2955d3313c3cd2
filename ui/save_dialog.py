"""Asking where to save an export: the filter and the suffix come from the core's table
(app.common.outputs), so a file is never saved under a suffix that says it is something else. Where a
kind can be written as more than one type (a document: PDF or Word), the dialog offers each and
starts from the one the clerk chose last time, in the folder of the last export."""

from __future__ import annotations

from pathlib import Path


def preferred_suffix(kind: str) -> str:
    """The file type the clerk last saved `kind` as (the kind's default the first time)."""
    from app.common.outputs import SUFFIXES

    from .memory import recall

    remembered = recall(f"save_suffix/{kind}")
    return remembered if remembered in SUFFIXES[kind] else SUFFIXES[kind][0]


def keep_preferred_suffix(kind: str, suffix: str) -> None:
    from app.common.outputs import SUFFIXES

    from .memory import remember

    if len(SUFFIXES[kind]) > 1 and suffix.lower() in SUFFIXES[kind]:
        remember(f"save_suffix/{kind}", suffix.lower())


def ask_save_path(parent, caption: str, default_name: str, kind: str) -> Path | None:
    """The path the clerk chose for an export of `kind`, or None (cancelled, or refused and said
    why). A name typed without a suffix gets the one of the file type picked; a wrong suffix is
    refused."""
    from PySide6.QtWidgets import QFileDialog

    from app.common.errors import AppError
    from app.common.outputs import SUFFIXES, check_out, dialog_filter, filter_entry, suffix_of_entry, with_default_suffix

    from .messages import show_refusal

    suffix = preferred_suffix(kind)
    default = Path(default_name)
    if default.suffix.lower() in SUFFIXES[kind]:
        default_name = str(default.with_suffix(suffix))
    if not Path(default_name).is_absolute():
        # The folder the clerk saved the last export in (often a USB stick or a 报送 folder), not
        # the program's working folder, which a clerk never chose.
        folder = export_folder()
        if folder:
            default_name = str(Path(folder) / default_name)
    chosen, picked = QFileDialog.getSaveFileName(parent, caption, default_name, dialog_filter(kind),
                                                 filter_entry(suffix))
    if not chosen:
        return None
    try:
        path = check_out(kind, with_default_suffix(kind, chosen, suffix_of_entry(kind, picked) if picked else suffix))
    except AppError as exc:
        show_refusal(parent, exc, "文件名不对")
        return None
    keep_preferred_suffix(kind, path.suffix)
    keep_export_folder(path.parent)
    return path


def ask_folder(parent, caption: str) -> str:
    """A folder to write into (every document of a meeting, a backup, an exchange package), starting
    where the last export went; "" when cancelled."""
    from PySide6.QtWidgets import QFileDialog

    folder = QFileDialog.getExistingDirectory(parent, caption, export_folder() or "")
    if folder:
        keep_export_folder(Path(folder))
    return folder


def export_folder() -> str | None:
    """The folder of the last export, while it is still there (a USB stick may have gone)."""
    from .memory import recall

    folder = recall("save_dir")
    return folder if folder and Path(folder).is_dir() else None


def keep_export_folder(folder: Path) -> None:
    from .memory import remember

    remember("save_dir", str(folder))
