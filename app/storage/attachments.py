"""Files kept with records (meeting materials, photos of an opinion): copied into the data
directory under their SHA-256, so a moved or deleted original loses nothing."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from app.common.errors import ValidationError
from app.common.fileio import atomic_path, sha256_of


def folder(store) -> Path:
    return store.data_dir / "materials"


def stored_path(store, row: dict) -> Path:
    """<data>/materials/ab/ab…(64 hex).ext — the name comes from the content's hash; the kept
    extension can never carry a path (a record from a package names the file too)."""
    digest = row["sha256"]
    if not re.fullmatch(r"[0-9a-f]{64}", digest or ""):
        raise ValidationError("附件校验值格式不对")
    # Only a short plain extension is kept in the name (the original name, any length, stays as
    # data in the record): a long or odd "extension" can never make the file unwritable.
    suffix = Path(row["file_name"] or "").suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        suffix = ""
    return folder(store) / digest[:2] / (digest + suffix)


def take_in(store, source: str | Path) -> dict:
    """Copy a file in (once per content); returns file_name, sha256 and size for the record."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"找不到文件“{source}”")
    row = {"file_name": source.name, "sha256": sha256_of(source), "size": source.stat().st_size}
    target = stored_path(store, row)
    if not intact(store, row):  # not kept yet, or the kept copy was spoilt: this one replaces it
        with atomic_path(target) as temp:
            shutil.copyfile(source, temp)
    return row


def take_in_bytes(store, data: bytes, file_name: str) -> dict:
    """Keep `data` (a file the program made, e.g. a photo shrunk) as `file_name`; as `take_in`."""
    row = {"file_name": file_name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if not intact(store, row):
        with atomic_path(stored_path(store, row)) as temp:
            temp.write_bytes(data)
    return row


def intact(store, row: dict) -> bool:
    path = stored_path(store, row)
    return path.is_file() and sha256_of(path) == row["sha256"]
