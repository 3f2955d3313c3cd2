"""归档包: the chosen registers and documents for the district, with a SHA-256 manifest, as a
folder or a zip. The manifest (`SHA256SUMS.txt`, the format `sha256sum -c` reads) lets the
receiver prove nothing was changed on the way."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from app.common.errors import AppError
from app.common.fileio import recorded_write
from app.documents.catalog import DOCS, export_doc
from app.registers.catalog import REGISTERS, export_register

MANIFEST = "SHA256SUMS.txt"
# Documents that need no record id (the round's, or the whole ledger's).
ARCHIVE_DOCS = {"notice", "certificates", "filing", "ledger"}


def build_archive(store, out: Path | str, registers: list[str], docs: list[str]) -> dict:
    out = Path(out)
    unknown = [r for r in registers if r not in REGISTERS] + [d for d in docs if d not in ARCHIVE_DOCS]
    if unknown:
        raise AppError(f"不能放入归档包的项目：{'、'.join(unknown)}（台账可选 {'、'.join(REGISTERS)}；"
                       f"文书可选 {'、'.join(sorted(ARCHIVE_DOCS))}）")
    if not registers and not docs:
        raise AppError("请至少选择一项台账或文书")
    as_zip = out.suffix.lower() == ".zip"
    if not as_zip and out.suffix and not out.is_dir():
        raise AppError(f"“{out.name}”不是 .zip 文件名，也不是已有的文件夹：归档包保存为 zip 压缩包（.zip），"
                       f"或放进一个文件夹。请改为“{out.stem}.zip”，或选择一个文件夹")
    name = f"{store.settings.get('subdistrict') or '议事工作台'}归档包_{date.today():%Y%m%d}"
    target = out if as_zip else out / name
    if not as_zip and target.exists():
        raise AppError(f"“{target}”已存在，请换一个文件夹")
    files: list[str] = []
    # One transaction around it all: the entries of the registers and documents put in, and the
    # archive's own, commit only once the archive is in place; a failure anywhere (a document
    # that cannot be built, a full disk, the folder gone) leaves no entry for what was not written.
    with tempfile.TemporaryDirectory(prefix="yishi-archive-") as work, \
            recorded_write(store.db, target, folder=not as_zip) as placed:
        folder = Path(work) / name if as_zip else placed
        folder.mkdir(exist_ok=True)
        for register in registers:
            title = REGISTERS[register][0]
            export_register(store, register, folder / f"{title}.xlsx")
            files.append(f"{title}.xlsx")
        for kind in docs:
            title = DOCS[kind][0]
            export_doc(store, kind, None, folder / f"{title}.pdf")
            files.append(f"{title}.pdf")
        lines = [f"{hashlib.sha256((folder / f).read_bytes()).hexdigest()}  {f}" for f in files]
        (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
        if as_zip:
            with zipfile.ZipFile(placed, "w", zipfile.ZIP_DEFLATED) as archive:
                for member in [*files, MANIFEST]:
                    archive.write(folder / member, f"{name}/{member}")
        store.audit.record("export", f"生成归档包（{len(files)} 个文件）：{target.name}",
                           {"file": target.name, "files": files})
    return {"path": str(target), "files": files, "manifest": MANIFEST}


def verify_archive(path: Path | str) -> list[str]:
    """Files whose SHA-256 no longer matches the manifest (empty: intact)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            root = names[0].split("/")[0]
            manifest = archive.read(f"{root}/{MANIFEST}").decode("utf-8")
            return [name for digest, name in (line.split("  ", 1) for line in manifest.splitlines() if line)
                    if hashlib.sha256(archive.read(f"{root}/{name}")).hexdigest() != digest]
    manifest = (path / MANIFEST).read_text(encoding="utf-8")
    return [name for digest, name in (line.split("  ", 1) for line in manifest.splitlines() if line)
            if not (path / name).exists() or hashlib.sha256((path / name).read_bytes()).hexdigest() != digest]
