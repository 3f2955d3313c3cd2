"""归档包: the chosen registers and documents of a year for the district, with a SHA-256 manifest, as
a folder or a zip. Any document kind goes in: the round's and the whole ledger's once, the year-end
summary of the year, and a per-record document (minutes, briefs, notices, plans, assignment slips,
duty records...) once for every record of the year that has it, in a folder of its kind. The manifest
(`SHA256SUMS.txt`, the format `sha256sum -c` reads) lets the receiver prove nothing was changed on
the way."""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from app.common.errors import AppError
from app.common.fileio import recorded_write
from app.documents.catalog import DOCS, docs_of_kind, export_doc
from app.registers.catalog import REGISTERS, export_register

MANIFEST = "SHA256SUMS.txt"
# Every document kind goes in; the ones that need no record (the round's, the whole ledger's) are one
# file each, the others one per record of the year (see `_records`).
ARCHIVE_DOCS = tuple(DOCS)
SINGLE_DOCS = {kind for kind, (_, _, subject) in DOCS.items() if subject in (None, "round")}
# Documents only a held meeting has (a planned one's minutes would be a draft).
HELD_ONLY = {"minutes", "brief"}
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def archive_label(kind: str) -> str:
    """The kind's name in the archive dialog and refusals: a per-record kind says it goes in for each."""
    label = DOCS[kind][0]
    subject = DOCS[kind][2]
    each = {"meeting": "（全年各次会议）", "opinion": "（全年各件）", "delegate": "（在任代表各一份）"}
    if kind == "plan":
        return f"{label}（全年各议题）"
    return label + each.get(subject or "", "")


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_.") or "未命名"


def _records(store, kind: str, year: int) -> list[tuple[str | None, str]]:
    """(record id, file name without suffix) of every record of `year` that has document `kind`."""
    label, _, subject = DOCS[kind]
    if kind in SINGLE_DOCS:
        return [(None, label)]
    if kind == "summary":
        return [(str(year), f"{year}年{label}")]
    start, end = f"{year}-01-01", f"{year}-12-31"
    if subject == "meeting":
        rows = store.meetings.not_cancelled_between(start, end)
        return [(r["id"], f"{label}/{r['date']}_{_safe(r['title'] or '')}") for r in rows
                if kind in docs_of_kind(r["kind"]) and (kind not in HELD_ONLY or r["status"] == "held")]
    if kind == "plan":
        rows = store.plans.dated_between(start, end)
        return [(r["id"], f"{label}/{r['day']}_{_safe(r['title'])}") for r in rows]
    if subject == "opinion":
        rows = store.opinions.stepped_between("assigned_on" if kind == "assignment" else "answered_on", start, end)
        return [(r["id"], f"{label}/{r['serial']}_{_safe(r['title'])}") for r in rows]
    if subject == "delegate":
        rows = sorted(store.delegates.serving_between(start, end), key=lambda d: d.get("name_pinyin") or d["name"])
        return [(r["id"], f"{label}/{_safe(r['name'])}") for r in rows]
    if subject == "period":  # the residents' notices of each quarter with a rota
        quarters = [f"{year}-Q{q}" for q in range(1, 5)]
        return [(q, f"{label}/{q}") for q in quarters if store.receptions.has_rota(q)]
    raise AppError(f"“{label}”不能放入归档包")


def build_archive(store, out: Path | str, registers: list[str], docs: list[str], year: int | None = None) -> dict:
    """The archive of `year` (the year-end summary's year when none is given)."""
    out = Path(out)
    unknown = [r for r in registers if r not in REGISTERS] + [d for d in docs if d not in ARCHIVE_DOCS]
    if unknown:
        raise AppError(f"不能放入归档包的项目：{'、'.join(unknown)}（台账可选 {'、'.join(REGISTERS)}；"
                       f"文书可选 {'、'.join(ARCHIVE_DOCS)}）")
    if not registers and not docs:
        raise AppError("请至少选择一项台账或文书")
    if year is not None and not 2000 <= int(year) <= 2100:
        raise AppError(f"归档年度“{year}”不对，请填写如 {date.today().year} 的年份")
    year = int(year) if year is not None else store.summary.default_year()
    as_zip = out.suffix.lower() == ".zip"
    if not as_zip and out.suffix and not out.is_dir():
        raise AppError(f"“{out.name}”不是 .zip 文件名，也不是已有的文件夹：归档包保存为 zip 压缩包（.zip），"
                       f"或放进一个文件夹。请改为“{out.stem}.zip”，或选择一个文件夹")
    # Asked before anything is written: a kind with nothing of the year is refused, naming it.
    planned = {kind: _records(store, kind, year) for kind in docs}
    empty = [archive_label(kind) for kind, found in planned.items() if not found]
    if empty:
        raise AppError(f"{year}年没有可放入归档包的{'、'.join(empty)}，请取消勾选或换一个年度")
    name = f"{store.settings.get('subdistrict') or '议事工作台'}{year}年归档包_{date.today():%Y%m%d}"
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
            for record_id, stem in planned[kind]:
                member = _unique(f"{stem}.pdf", files)
                (folder / member).parent.mkdir(parents=True, exist_ok=True)
                export_doc(store, kind, record_id, folder / member)
                files.append(member)
        lines = [f"{hashlib.sha256((folder / f).read_bytes()).hexdigest()}  {f}" for f in files]
        (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
        if as_zip:
            with zipfile.ZipFile(placed, "w", zipfile.ZIP_DEFLATED) as archive:
                for member in [*files, MANIFEST]:
                    archive.write(folder / member, f"{name}/{member}")
        store.audit.record("export", f"生成{year}年归档包（{len(files)} 个文件）：{target.name}",
                           {"file": target.name, "year": year, "files": files})
    return {"path": str(target), "year": year, "files": files, "manifest": MANIFEST}


def _unique(member: str, taken: list[str]) -> str:
    """Two records of one name on one day (two receptions' notices at one hall) are numbered apart."""
    if member not in taken:
        return member
    stem, suffix = member.rsplit(".", 1)
    number = 2
    while f"{stem}_{number}.{suffix}" in taken:
        number += 1
    return f"{stem}_{number}.{suffix}"


def verify_archive(path: Path | str) -> list[str]:
    """Files whose SHA-256 no longer matches the manifest (empty: intact)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            root = names[0].split("/")[0]
            manifest = archive.read(f"{root}/{MANIFEST}").decode("utf-8")
            present = set(names)
            return [name for digest, name in (line.split("  ", 1) for line in manifest.splitlines() if line)
                    if f"{root}/{name}" not in present
                    or hashlib.sha256(archive.read(f"{root}/{name}")).hexdigest() != digest]
    manifest = (path / MANIFEST).read_text(encoding="utf-8")
    return [name for digest, name in (line.split("  ", 1) for line in manifest.splitlines() if line)
            if not (path / name).exists() or hashlib.sha256((path / name).read_bytes()).hexdigest() != digest]
