"""Files kept with records (meeting materials, photos of an opinion): copied into the data
directory under their SHA-256, so a moved or deleted original loses nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from .errors import ValidationError
from .fileio import atomic_path


def folder(store) -> Path:
    return store.data_dir / "materials"


def stored_path(store, row: dict) -> Path:
    return folder(store) / row["sha256"][:2] / (row["sha256"] + Path(row["file_name"]).suffix.lower())


def take_in(store, source: str | Path) -> dict:
    """Copy a file in (once per content); returns file_name, sha256 and size for the record."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"找不到文件“{source}”")
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    row = {"file_name": source.name, "sha256": digest.hexdigest(), "size": source.stat().st_size}
    target = stored_path(store, row)
    if not target.exists():
        with atomic_path(target) as temp:
            shutil.copyfile(source, temp)
    return row


def intact(store, row: dict) -> bool:
    path = stored_path(store, row)
    return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
