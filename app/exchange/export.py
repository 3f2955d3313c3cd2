"""Package export: everything, or everything a given office has not been sent yet.

Built in memory and in a local temp file, then copied to the chosen folder (the stick), read back
and compared; the live database is never written on the stick.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__, attachments
from ..errors import AppError, Cancelled, environmental
from ..fileio import atomic_path
from ..schema import SYNCED_FIELDS, TABLE_NOUNS, known_migration_names
from . import offices
from .package import DEFAULT_SCRYPT_N, PackageError, seal
from .rows import Encoder, merge_vectors, table_fields, uncovered_sql

FILE_TABLES = ("materials", "opinion_files")


def knowledge(store) -> dict[str, list[int]]:
    """What this office knows of every site: its own clock and what imports brought."""
    own = store.clock._last
    vector = {r["site_id"]: [r["wall_ms"], r["counter"]] for r in store.rows("SELECT * FROM known_vector")}
    return merge_vectors(vector, {store.site_id: [own.wall_ms, own.counter]})


def _rows(store, table: str, since: dict):
    """(id, values, stamp groups) of the table's rows with a stamp `since` does not cover, by id.
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
        f" GROUP BY row_id, wall_ms, counter, site_id ORDER BY row_id", [table, *scope_params])
    pending = next(clock_cursor, None)
    for row in row_cursor:
        row_id = row[0]
        groups = []
        while pending is not None and pending[0] < row_id:
            pending = next(clock_cursor, None)
        while pending is not None and pending[0] == row_id:
            groups.append(pending[1:])
            pending = next(clock_cursor, None)
        yield row_id, list(row[1:]), groups


def build_content(store, since: dict | None = None, progress=None) -> tuple[bytes, dict]:
    """The zip (manifest, NDJSON per table, attached files) and its manifest."""
    since = since or {}
    encoder = Encoder()
    buffer = io.BytesIO()
    tables, members = {}, {}
    files: dict[str, Path] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for number, table in enumerate(SYNCED_FIELDS, 1):
            text = f"正在打包：{TABLE_NOUNS.get(table, table)}"
            if progress is not None and progress(number, len(SYNCED_FIELDS), text) is False:
                raise Cancelled("已取消导出，没有写出交换包")
            lines, count = [], 0
            fields = table_fields(table)
            for row_id, values, groups in _rows(store, table, since):
                lines.append(encoder.grouped_line(row_id, values, groups, fields))
                count += 1
                if table in FILE_TABLES:
                    record = dict(zip(table_fields(table), values))
                    if re.fullmatch(r"[0-9a-f]{64}", record["sha256"] or ""):
                        path = attachments.stored_path(store, record)
                        if path.exists():
                            files[record["sha256"]] = path
            if not count:
                continue
            data = ("\n".join(lines) + "\n").encode("utf-8")
            name = f"rows/{table}.ndjson"
            archive.writestr(name, data)
            tables[table] = {"fields": list(table_fields(table)), "count": count}
            members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "count": count}
        for digest, path in files.items():
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != digest:
                continue  # a damaged local copy is not passed on
            archive.writestr(f"files/{digest}", data)
            members[f"files/{digest}"] = {"sha256": digest, "size": len(data)}
        manifest = {
            "format": "yspkg-content", "version": 1, "app_version": __version__,
            "schema": sorted(known_migration_names()), "site_id": store.site_id,
            "site_name": store.settings.get("site_name"), "kind": "delta" if since else "full",
            "since": since, "covers": knowledge(store), "sites": encoder.sites, "tables": tables,
            "members": members,
            # the sender's audit chain head, kept on the receiving side's stick too (a later
            # shortening or rewrite of the sender's log no longer matches it)
            "audit_head": json.loads(store.meta("audit_head") or "null"),
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
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
    content, manifest = build_content(store, since, progress)
    package_id = str(uuid.uuid4())
    created = datetime.now(timezone.utc)
    sealed = seal(content, passphrase, package_id=package_id, site_id=store.site_id,
                  site_name=store.settings.get("site_name"), created=created.isoformat(timespec="seconds"),
                  scrypt_n=scrypt_n)
    digest = hashlib.sha256(sealed).hexdigest()
    # Locally first (the data directory), then onto the stick, then read back.
    outbox = store.data_dir / "outbox"
    name = f"{_safe(store.settings.get('site_name') or 'office')}_{created:%Y%m%dT%H%M%SZ}_{package_id[:8]}.yspkg"
    with atomic_path(outbox / name) as temp:
        temp.write_bytes(sealed)
    target = folder / (chosen_name or name)
    try:
        with atomic_path(target) as temp:
            shutil.copyfile(outbox / name, temp)
        if hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            target.unlink(missing_ok=True)
            raise PackageError("写入U盘后读回校验不一致，U盘可能有问题；请换一个U盘重试")
    except OSError as exc:
        raise (environmental(exc) or exc) from None
    finally:
        (outbox / name).unlink(missing_ok=True)
    counts = {t: v["count"] for t, v in manifest["tables"].items()}
    with store.db.atomic():
        store.db.execute(
            "INSERT INTO exchange_log (package_id, direction, at, site_id, site_name, peer_id, kind, file_name,"
            " content_sha256, counts) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)",
            [package_id, created.isoformat(timespec="seconds"), store.site_id, store.settings.get("site_name"),
             peer["id"] if peer else None, manifest["kind"], target.name, hashlib.sha256(content).hexdigest(),
             json.dumps(counts)])
        if peer:
            store.db.execute("UPDATE exchange_peers SET sent_vector = ?, last_export_at = ? WHERE id = ?",
                             [json.dumps(manifest["covers"]), created.isoformat(timespec="seconds"), peer["id"]])
        store.audit.append("export", f"导出交换包（{'增量' if since else '全量'}，{sum(counts.values())} 条记录）"
                                     + (f"给{peer['name']}" if peer else ""),
                           {"package_id": package_id, "file": name, "kind": manifest["kind"], "counts": counts})
    return {"path": str(target), "package_id": package_id, "kind": manifest["kind"], "rows": sum(counts.values()),
            "counts": counts, "files": sum(1 for m in manifest["members"] if m.startswith("files/")),
            "size": len(sealed), "office": peer["name"] if peer else None}
