"""What each kind of export writes, told by the file's suffix: one table, asked by the exports
themselves (so the CLI and the window alike), and by the window's save dialogs for their filters.
A file is never written under a suffix that says it is something else."""

from __future__ import annotations

from pathlib import Path

from app.common.errors import AppError

# kind -> the suffixes its files may have; the first is the default.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "register": (".xlsx",),
    "doc": (".pdf", ".docx"),  # the PDF to file, the Word file to retouch
    "manual": (".pdf",),
    "archive": (".zip",),  # or a folder (app.fronts.archive)
}
KIND_LABELS = {"register": "台账", "doc": "文书", "manual": "使用说明", "archive": "归档包"}
FORMAT_LABELS = {".xlsx": "Excel 工作簿", ".pdf": "PDF 文件", ".docx": "Word 文档", ".zip": "zip 压缩包"}


def check_out(kind: str, path: Path | str) -> Path:
    """`path` if its suffix is one `kind` writes; else refused, naming the right suffix."""
    path = Path(path)
    allowed = SUFFIXES[kind]
    if path.suffix.lower() in allowed:
        return path
    formats = "或".join(f"{FORMAT_LABELS.get(s, s)}（{s}）" for s in allowed)
    given = f"扩展名是“{path.suffix}”" if path.suffix else "没有扩展名"
    raise AppError(f"“{path.name}”{given}，而{KIND_LABELS[kind]}保存为{formats}：请把文件名改为以 "
                   f"{' 或 '.join(allowed)} 结尾，例如“{path.stem}{allowed[0]}”")


def filter_entry(suffix: str) -> str:
    """One entry of a save dialog's filter: 'Word 文档 (*.docx)'."""
    return f"{FORMAT_LABELS.get(suffix, suffix)} (*{suffix})"


def dialog_filter(kind: str) -> str:
    """The save dialog's filter for `kind`: 'Excel 工作簿 (*.xlsx)', one entry per suffix."""
    return ";;".join(filter_entry(s) for s in SUFFIXES[kind])


def suffix_of_entry(kind: str, entry: str) -> str:
    """The suffix a filter entry the clerk picked stands for (the kind's default if none)."""
    return next((s for s in SUFFIXES[kind] if entry == filter_entry(s)), SUFFIXES[kind][0])


def with_default_suffix(kind: str, path: Path | str, suffix: str | None = None) -> Path:
    """A name typed without a suffix gets `suffix` (the file type picked in the dialog), else the
    kind's default (a dialog that adds none)."""
    path = Path(path)
    return path if path.suffix else path.with_name(path.name + (suffix or SUFFIXES[kind][0]))
