"""Package export: everything, or everything a given office has not been sent yet.

Built in a work folder of the data directory (the zip a table and a file at a time, then its
encryption block by block), then copied to the chosen folder (the stick), read back and compared;
the live database is never written on the stick, and the package is never held in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import time
import uuid
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, BinaryIO

from app import __version__
from app.common.errors import AppError, Cancelled, environmental
from app.common.fileio import atomic_path
from app.exchange import offices
from app.exchange.package import BLOCK, DEFAULT_SCRYPT_N, MAX_FILE, MAX_MEMBER_SIZE, PackageError, seal_stream, work_folder
from app.exchange.rows import Encoder, merge_vectors, table_fields, uncovered_sql
from app.rules.engine import row_breaches
from app.rules.incoming import LOOKED_UP, Checker, Known
from app.storage import attachments
from app.storage.schema import SYNCED_FIELDS, TABLE_NOUNS, known_migration_names

FILE_TABLES = ("materials", "opinion_files", "survey_photos")
ROWS_PER_WRITE = 2000


def knowledge(store) -> dict[str, list[int]]:
    """What this office knows of every site: its own clock and what imports brought."""
    own = store.clock._last
    vector = {r["site_id"]: [r["wall_ms"], r["counter"]] for r in store.rows("SELECT * FROM known_vector")}
    return merge_vectors(vector, {store.site_id: [own.wall_ms, own.counter]})


def _rows(store, table: str, since: dict):
    """(id, values (a tuple), stamp groups) of the table's rows with a stamp `since` does not cover, by id.
    A stamp group is (wall_ms, counter, site_id, "field,field,..."): SQLite groups the clocks, so
    Python sees one or two groups per row instead of one entry per field."""
    fields = table_fields(table)
    columns = ", ".join(f"t.[{f}]" for f in fields)
    condition, params = uncovered_sql(since)
    scope = "" if not since else (
        f" WHERE t.id IN (SELECT row_id FROM clocks WHERE tbl = ? AND {condition})")
    scope_params = [] if not since else [table, *params]
    row_cursor = store.db.conn.execute(f"SELECT t.id, {columns} FROM [{table}] t{scope} ORDER BY t.id", scope_params)
    clock_scope = "" if not since else (
        f" AND row_id IN (SELECT row_id FROM clocks WHERE tbl = ? AND {condition})")
    clock_cursor = store.db.conn.execute(
        f"SELECT row_id, wall_ms, counter, site_id, group_concat(field) FROM clocks WHERE tbl = ?{clock_scope}"
        # (ordered by the whole group key, SQLite sorts once for the grouping and the order)
        f" GROUP BY row_id, wall_ms, counter, site_id ORDER BY row_id, wall_ms, counter, site_id",
        [table, *scope_params])
    pending = next(clock_cursor, None)
    for row in row_cursor:
        row_id = row[0]
        groups = []
        while pending is not None and pending[0] < row_id:
            pending = next(clock_cursor, None)
        while pending is not None and pending[0] == row_id:
            groups.append(pending[1:])
            pending = next(clock_cursor, None)
        yield row_id, row[1:], groups


class _Hashing:
    """A file being written whose bytes are hashed on the way (the package, for its read-back)."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.digest = raw, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.raw.write(data)


def _copy(source: Path, target: Path, progress=None) -> None:
    """The package onto the stick (which may be slow: the clerk sees how far it is and may stop)."""
    total, done = source.stat().st_size, 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        for block in iter(lambda: reader.read(BLOCK), b""):
            if progress is not None and done % (16 * BLOCK) == 0 and \
                    progress(done >> 20, total >> 20, "正在写入U盘") is False:
                raise Cancelled("已取消导出，没有写出交换包")
            writer.write(block)
            done += len(block)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


class _Member:
    """A table's NDJSON member being written, its bytes counted and hashed on the way."""

    def __init__(self, handle: IO[bytes]):
        self.handle, self.size, self.digest = handle, 0, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)
        self.size += len(data)


def _ndjson(lines: list[str]) -> bytes:
    """NDJSON lines (each ends with a newline), made here rather than on the zip's thread, which
    would hold the GIL for it."""
    lines.append("")
    return "\n".join(lines).encode("utf-8")


class _Behind:
    """The zip's writing (deflate, CRC, the members' SHA-256: C code that lets go of the GIL) done
    on a second thread, in the order given, while this one reads, checks and encodes the next
    rows; a few batches behind at most (memory stays bounded). Whoever touches the zip itself
    waits for `settle` first; an error of the writing surfaces there or at the next `put`."""

    AHEAD = 4

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="package-zip")
        self._pending: deque[Future] = deque()

    def put(self, work, *args) -> None:
        while len(self._pending) >= self.AHEAD:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(work, *args))

    def settle(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def stop(self) -> None:
        """What has not begun is dropped and what has is waited for (its error is not this one's)."""
        for future in self._pending:
            future.cancel()
        wait(self._pending)
        self._pending.clear()

    def __enter__(self) -> _Behind:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.settle()
        finally:
            self.stop()
            self._pool.shutdown(wait=True)


def _give_up(behind: _Behind, member: _Member) -> None:
    """The zip is given up (its file is removed by the caller): its writing stopped and the open
    member closed, so that closing the zip does not raise over the reason it was given up."""
    behind.stop()
    with contextlib.suppress(Exception):
        member.handle.close()


def _compression(path: Path) -> int:
    """Deflate what shrinks; photos, PDFs and office files mostly do not, and are stored as they are.
    So is what shrinks more than 100 to 1: earlier versions took that for a decompression bomb."""
    with open(path, "rb") as handle:
        sample = handle.read(1 << 16)
    packed = len(zlib.compress(sample, 1))
    return zipfile.ZIP_DEFLATED if len(sample) / 100 < packed < 0.9 * len(sample) else zipfile.ZIP_STORED


def refuse_broken(table: str, row_id: str, row: dict, lookup) -> None:
    """A row the rule book refuses would make the other office refuse the whole package: it is
    named here instead, before anything is written, for the clerk to put right (检查数据 lists it)."""
    found = row_breaches(table, row, lookup, row_id=row_id)
    if found:
        raise PackageError(f"本机有记录不符合录入规则，对方会拒收这个交换包：{found[0]}。"
                           "请先按“检查数据”列出的逐条改正，再导出交换包。")


def write_content(store, target: BinaryIO, since: dict | None = None, progress=None) -> dict:
    """Write the zip (manifest, NDJSON per table, attached files) into `target`, a table and a
    file at a time; returns its manifest."""
    since = since or {}
    encoder = Encoder()
    # The parent rows the rule book's checks read (a supervision's opinion, a step's meeting): from
    # the parent tables' rows as they were packed (what the checks read of them: `Known`, as an
    # import keeps it), from the database for a parent not packed (a delta): not one query a row.
    known = Known()
    lookup = Checker(store.db.conn, known).lookup
    tables, members = {}, {}
    files: dict[str, tuple[Path, str]] = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive, _Behind() as behind:
        for number, table in enumerate(SYNCED_FIELDS, 1):
            text = f"正在打包：{TABLE_NOUNS.get(table, table)}"
            if progress is not None and progress(number, len(SYNCED_FIELDS), text) is False:
                raise Cancelled("已取消导出，没有写出交换包")
            fields = table_fields(table)
            name = f"rows/{table}.ndjson"
            count, lines = 0, []
            member = None
            kept: list | None = [] if table in LOOKED_UP else None  # (the table's rows a later check reads)
            line, with_files = encoder.grouped_line, table in FILE_TABLES  # (asked for every row: looked up once)
            try:
                for row_id, values, groups in _rows(store, table, since):
                    record = dict(zip(fields, values))
                    refuse_broken(table, row_id, record, lookup)
                    if kept is not None:
                        kept.append((row_id, record))
                    if member is None:
                        member = _Member(archive.open(name, "w"))
                    lines.append(line(row_id, values, groups, fields))
                    count += 1
                    if with_files:
                        if re.fullmatch(r"[0-9a-f]{64}", record["sha256"] or ""):
                            path = attachments.stored_path(store, record)
                            if path.exists():
                                files[record["sha256"]] = (path, record["file_name"] or path.name)
                    if len(lines) == ROWS_PER_WRITE:
                        behind.put(member.write, _ndjson(lines))
                        lines = []
                if kept:  # (no check reads a row of its own table: kept once the table is packed)
                    known.add(table, kept)
                if member is None:
                    continue
                if lines:
                    behind.put(member.write, _ndjson(lines))
                behind.settle()
            except BaseException:
                if member is not None:
                    _give_up(behind, member)
                raise
            member.handle.close()
            size = member.size
            if size > MAX_MEMBER_SIZE:
                raise PackageError(f"{TABLE_NOUNS.get(table, table)}的数据超过交换包的上限（{MAX_MEMBER_SIZE >> 20} MB），"
                                   "对方无法导入。请改用增量交换包（只含对方还没有的内容）。")
            tables[table] = {"fields": list(fields), "count": count}
            members[name] = {"sha256": member.digest.hexdigest(), "size": size, "count": count}
        _check_files_fit(files)
        for number, (digest_name, (path, _)) in enumerate(files.items(), 1):
            if progress is not None and progress(number, len(files), "正在打包：附件") is False:
                raise Cancelled("已取消导出，没有写出交换包")
            if _sha256_file(path) != digest_name:
                continue  # a damaged local copy is not passed on
            info = zipfile.ZipInfo(f"files/{digest_name}", date_time=time.localtime()[:6])
            info.compress_type = _compression(path)
            size = 0
            with open(path, "rb") as source, archive.open(info, "w") as packed:
                for block in iter(lambda: source.read(BLOCK), b""):
                    size += len(block)
                    packed.write(block)
            members[f"files/{digest_name}"] = {"sha256": digest_name, "size": size}
        manifest = {
            "format": "yspkg-content", "version": 1, "app_version": __version__,
            "schema": sorted(known_migration_names()), "site_id": store.site_id,
            "site_name": store.settings.get("site_name"), "kind": "delta" if since else "full",
            "since": since, "covers": knowledge(store), "sites": encoder.sites, "tables": tables,
            "members": members,
            # the sender's audit chain head, kept by the receiving office (a later shortening or
            # rewrite of the sender's log no longer matches it), and the heads the sender has seen
            # of other offices, so that each learns what the others saw of it (app.storage.audit)
            "audit_head": store.audit.head(),
            "audit_witnesses": store.audit.witnessed_others(),
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _check_files_fit(files: dict[str, tuple[Path, str]]) -> None:
    """A package the other office would refuse (an attachment or the whole beyond the caps) is
    refused here, before its files are packed (and before anything reaches the stick)."""
    sizes = {digest: path.stat().st_size for digest, (path, _) in files.items()}
    for digest, size in sizes.items():
        if size > MAX_MEMBER_SIZE:
            raise PackageError(f"附件“{files[digest][1]}”有 {size >> 20} MB，超过交换包中单个附件的上限 "
                               f"{MAX_MEMBER_SIZE >> 20} MB。请把它另行拷给对方，从记录中移除后再导出。")
    if sum(sizes.values()) > MAX_FILE:
        raise PackageError(f"附件共有 {sum(sizes.values()) >> 20} MB，超过交换包的上限 {MAX_FILE >> 20} MB。"
                           "请改用增量交换包（只含对方还没有的内容），或把大的附件另行拷给对方。")


def build_content(store, since: dict | None = None, progress=None) -> tuple[bytes, dict]:
    """The zip in memory and its manifest (small stores; tests)."""
    buffer = io.BytesIO()
    manifest = write_content(store, buffer, since, progress)
    return buffer.getvalue(), manifest


def _safe(name: str) -> str:
    """An office name usable in a file name on Windows and Linux."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "office"


def export_package(store, folder: Path | str, passphrase: str, *, office: str | None = None,
                   since_last: bool = False, scrypt_n: int = DEFAULT_SCRYPT_N, progress=None) -> dict:
    """Write a package into `folder` (a stick); `since_last` sends `office` only what it lacks."""
    folder, chosen_name = Path(folder), None
    if folder.suffix.lower() == ".yspkg":
        folder, chosen_name = folder.parent, folder.name
    if not folder.is_dir():
        raise AppError(f"找不到文件夹“{folder}”（U盘是否已插好？）")
    peer = offices.find(store, office) if office else None
    if office and peer is None:
        if since_last:
            names = "、".join(p["name"] for p in offices.list(store)) or "（无）"
            raise AppError(f"没有名为“{office}”的交换办公室。已有：{names}")
        peer = offices.get(store, offices.add(store, office))
    since = json.loads(peer["sent_vector"] or "{}") if (peer and since_last) else {}
    package_id = str(uuid.uuid4())
    created = datetime.now(timezone.utc)
    name = f"{_safe(store.settings.get('site_name') or 'office')}_{created:%Y%m%dT%H%M%SZ}_{package_id[:8]}.yspkg"
    target = folder / (chosen_name or name)
    # Locally first (a work folder in the data directory: the zip, then the package), then onto
    # the stick, then read back; never the whole package in memory.
    try:
        with work_folder(store.data_dir) as work:
            with open(work / "content.zip", "w+b") as content:
                manifest = write_content(store, content, since, progress)
                content.seek(0)
                with open(work / name, "wb") as raw:
                    sealed = _Hashing(raw)
                    content_sha256 = seal_stream(
                        content, sealed, passphrase, package_id=package_id, site_id=store.site_id,
                        site_name=store.settings.get("site_name"), created=created.isoformat(timespec="seconds"),
                        scrypt_n=scrypt_n)
                    raw.flush()
                    os.fsync(raw.fileno())
            size = (work / name).stat().st_size
            if size > MAX_FILE:
                raise PackageError(f"交换包有 {size >> 20} MB，超过上限 {MAX_FILE >> 20} MB，对方无法导入。"
                                   "请改用增量交换包（只含对方还没有的内容），或把大的附件另行拷给对方。")
            with atomic_path(target) as temp:
                _copy(work / name, temp, progress)
            if _sha256_file(target) != sealed.digest.hexdigest():
                target.unlink(missing_ok=True)
                raise PackageError("写入U盘后读回校验不一致，U盘可能有问题；请换一个U盘重试")
    except OSError as exc:
        raise (environmental(exc) or exc) from None
    counts = {t: v["count"] for t, v in manifest["tables"].items()}
    with store.db.atomic():
        store.db.execute(
            "INSERT INTO exchange_log (package_id, direction, at, site_id, site_name, peer_id, kind, file_name,"
            " content_sha256, counts) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)",
            [package_id, created.isoformat(timespec="seconds"), store.site_id, store.settings.get("site_name"),
             peer["id"] if peer else None, manifest["kind"], target.name, content_sha256, json.dumps(counts)])
        if peer:
            store.db.execute("UPDATE exchange_peers SET sent_vector = ?, last_export_at = ? WHERE id = ?",
                             [json.dumps(manifest["covers"]), created.isoformat(timespec="seconds"), peer["id"]])
        store.audit.witness(manifest["audit_head"], {"kind": "export", "office": peer["name"] if peer else None,
                                                     "at": created.isoformat(timespec="seconds")})
        store.audit.append("export", f"导出交换包（{'增量' if since else '全量'}，{sum(counts.values())} 条记录）"
                                     + (f"给{peer['name']}" if peer else ""),
                           {"package_id": package_id, "file": name, "kind": manifest["kind"], "counts": counts})
    return {"path": str(target), "package_id": package_id, "kind": manifest["kind"], "rows": sum(counts.values()),
            "counts": counts, "files": sum(1 for m in manifest["members"] if m.startswith("files/")),
            "size": size, "office": peer["name"] if peer else None}
