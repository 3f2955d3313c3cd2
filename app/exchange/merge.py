"""Package import: read and check everything, then merge in one transaction (DESIGN §7).

Unknown rows are inserted; per field the higher clock wins; when both offices changed a field
without having seen the other's change, the losing value goes to the conflict log; a tombstone
hides a row unless an edit made after the delete revives it; append-only records are unioned.
A package already merged, or one that brings nothing new, changes no row.

Longer than the house's ~600 lines on purpose: it is one algorithm read top to bottom (open and
check the package, stream its rows past the rule book, merge by field clocks, log), and the order
of its checks is what keeps a store whole; split, that order would be spread over files.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import sqlite3
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any

from app.common.batches import in_batches
from app.common.clock import MAX_DRIFT_MS, ZERO, RowStamps, Stamp
from app.common.errors import Cancelled, environmental
from app.common.fileio import atomic_path
from app.exchange import offices
from app.exchange.package import (
    MAX_FILE,
    MAX_MANIFEST,
    Listed,
    PackageError,
    Sealed,
    check_members,
    member_blocks,
    member_lines,
    open_content,
    read_member,
    unseal,
    work_folder,
)
from app.exchange.rows import RowError, covered, decode_checked, decode_rows, merge_vectors, table_fields
from app.storage import attachments
from app.storage.audit import MAX_WITNESSES, local_time
from app.storage.schema import APPEND_ONLY, SYNCED_FIELDS, TABLE_NOUNS, known_migration_names
from app.storage.writepath import stored_stamps

# A package with more rows than this is read again from its zip on every pass. (The environment
# may lower it: CI takes the large package's path in the frozen bundle that way.)
ROWS_KEPT = int(os.environ.get("YISHI_PACKAGE_ROWS_KEPT") or 50_000)


class Table(Sequence):
    """One table's rows as the checks and the merge walk them. Those of a package of up to
    ROWS_KEPT rows are kept in memory once checked; a larger package's are read from its zip a
    batch at a time (never the whole table in memory) and checked again on every pass: walked in
    order, its slices cost nothing extra; a slice behind the last one starts over."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, listed: dict, table: str,
                 fields: tuple[str, ...], sites: list[str], count: int, labels: dict[tuple[str, str], str]):
        self.archive, self.info, self.listed, self.table = archive, info, listed, table
        self.fields, self.sites, self.length, self.labels = fields, sites, count, labels
        self.kept: list[tuple[str, dict, RowStamps]] | None = None
        self.checked = False  # every row read and checked once: later walks decode without asking again
        self._cursor: Iterator | None = None
        self._position = 0

    def batches(self) -> Iterator[list[tuple[str, dict, RowStamps]]]:
        noun = TABLE_NOUNS.get(self.table, self.table)
        lines = member_lines(self.archive, self.info, Listed(self.info.filename, **self.listed))
        try:
            yield from (decode_checked if self.checked else decode_rows)(lines, self.fields, self.sites)
        except RowError as exc:
            where = f"（{exc.title}）" if exc.title else ""
            what = f"的“{self.labels.get((self.table, exc.field), exc.field)}”" if exc.field else ""
            raise PackageError(f"交换包数据有误：{noun}第 {exc.line} 行{where}{what}{exc}，拒绝导入。"
                               "数据未作任何改动。") from None

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[tuple[str, dict, RowStamps]]:
        if self.kept is not None:
            yield from self.kept
            return
        for batch in self.batches():
            yield from batch

    def __getitem__(self, index):
        if self.kept is not None:
            return self.kept[index]
        if isinstance(index, int):
            position = index + self.length if index < 0 else index
            if not 0 <= position < self.length:
                raise IndexError(index)
            return self[position:position + 1][0]
        start, stop, step = index.indices(self.length)
        if step != 1:
            return list(self)[index]
        if self._cursor is None or self._position > start:
            self.close()
            self._cursor, self._position = iter(self), 0
        for _ in islice(self._cursor, start - self._position):
            pass
        part = list(islice(self._cursor, max(stop - start, 0)))
        self._position = start + len(part)
        return part

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()  # type: ignore[attr-defined]
            self._cursor = None


@dataclass
class Package:
    """A package read and checked, its rows and attachments still in the decrypted zip (in the
    import's work folder): close it before that folder goes."""

    header: dict
    manifest: dict
    rows: dict[str, Table]
    files: dict[str, zipfile.ZipInfo]  # the attachments, by their checked SHA-256
    content_sha256: str
    archive: zipfile.ZipFile
    top: Stamp = ZERO
    known: Any = None  # rules.incoming.Known of every row, gathered while the package was read
    deferred: bool = False  # its rows not walked yet: `merge` decodes, checks and merges them in one walk

    @property
    def package_id(self) -> str:
        return self.header["package_id"]

    def max_stamp(self) -> Stamp:
        return self.top

    @property
    def streamed(self) -> bool:
        """Whether its rows are read from the zip on every walk (a large package)."""
        return any(isinstance(rows, Table) and rows.kept is None for rows in self.rows.values())

    def close(self) -> None:
        for table in self.rows.values():
            table.close()
        self.archive.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _load(source: Path | str) -> Path:
    path = Path(source)
    if not path.is_file():
        raise PackageError(f"找不到交换包“{path}”")
    if path.stat().st_size > MAX_FILE:
        raise PackageError(f"交换包过大（{path.stat().st_size >> 20} MB，上限 {MAX_FILE >> 20} MB），拒绝导入")
    return path


def _field_labels(store) -> dict[tuple[str, str], str]:
    """What the clerk calls each field the forms show, to name it in a refusal."""
    from app.services.base import Service

    return {(service.table, spec.name): spec.label for service in vars(store).values()
            if isinstance(service, Service) and service.table for spec in service.fields}


def read_package(sealed: Sealed, progress=None, labels: dict | None = None, *, defer: bool = False) -> Package:
    """Check every member and every row of a decrypted package; nothing is written. The rows are
    read again from the zip when they are merged, so a package never sits in memory whole.
    With `defer`, a large package whose tables come in the rule book's order is not walked here
    (but for the tables rows point ahead to): its rows are decoded, checked and merged in one walk
    by `merge`, which then does what this walk does (`Package.deferred`)."""
    archive = open_content(sealed.content)
    try:
        infos = check_members(archive)
        try:
            manifest = json.loads(read_member(archive, infos["manifest.json"], MAX_MANIFEST).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise PackageError("交换包的清单已损坏") from None
        _check_manifest(manifest, header=sealed.header, infos=infos)
        package = Package(sealed.header, manifest, {}, {}, sealed.content_sha256, archive)
        keep = sum(info["count"] for info in manifest["tables"].values()) <= ROWS_KEPT
        for table, info in manifest["tables"].items():
            name = f"rows/{table}.ndjson"
            listed = manifest["members"][name]
            package.rows[table] = Table(archive, infos[name], {"size": listed["size"], "sha256": listed["sha256"]},
                                        table, tuple(info["fields"]), manifest["sites"], info["count"], labels or {})
        from app.rules.incoming import ahead_of, in_book_order

        package.deferred = defer and not keep and in_book_order(package.rows)
        walk_rows(package, ahead_of(package.rows) if package.deferred else list(package.rows), keep, progress)
        files = [(name, info) for name, info in infos.items() if name.startswith("files/")]
        for number, (name, info) in enumerate(files, 1):
            if progress is not None and progress(number, len(files), "正在检查：附件") is False:
                raise Cancelled("已取消导入，数据未作任何改动")
            digest = hashlib.sha256()
            for block in member_blocks(archive, info):
                digest.update(block)
            if digest.hexdigest() != name[6:]:
                raise PackageError("交换包中的附件与其校验值不符，拒绝导入")
            package.files[name[6:]] = info
        return package
    except BaseException:
        archive.close()
        raise


def walk_rows(package: Package, tables: list[str], keep: bool = False, progress=None) -> None:
    """Decode and check every row of these tables (their counts against the manifest), gathering
    what the rule book's checks across rows need (`Known`, afresh) and the latest stamp; a table
    walked is `checked`: later walks decode it without asking each part again."""
    from app.rules.incoming import Known

    # what the rule book's checks across rows need of every row, gathered on this walk (a large
    # package is read from its zip on every walk: the checks need not walk it once more for it)
    package.known = Known()
    for number, table in enumerate(tables, 1):
        if progress is not None and progress(number, len(tables),
                                             f"正在检查：{TABLE_NOUNS.get(table, table)}") is False:
            raise Cancelled("已取消导入，数据未作任何改动")
        rows = package.rows[table]
        rows.close()
        rows.checked, rows.kept = False, None
        kept: list = []
        for _, part, _ in _walk(package, [table]):
            if keep:
                kept += part
        rows.kept = kept if keep else None


def _check_head(head, site: str | None = None) -> bool:
    """An audit chain head as a package carries it (see app.storage.audit.AuditLog.head)."""
    return (isinstance(head, dict) and type(head.get("seq")) is int and head["seq"] >= 0
            and isinstance(head.get("hash"), str) and re.fullmatch(r"[0-9a-f]{64}", head["hash"]) is not None
            and isinstance(head.get("site", site), str) and len(head.get("site", site) or "") <= 64
            and (head.get("at") is None or (isinstance(head["at"], str) and len(head["at"]) <= 40))
            and (head.get("entries") is None or type(head["entries"]) is int))


def _check_manifest(manifest, header: dict, infos: dict[str, zipfile.ZipInfo]) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != "yspkg-content":
        raise PackageError("交换包的清单格式不对")
    if type(manifest.get("version")) is not int or not 1 <= manifest["version"] <= CONTENT_VERSION:
        raise PackageError("这个交换包的内容格式来自更新版本的议事工作台，请先升级本机的议事工作台再导入")
    schema = manifest.get("schema")
    if not isinstance(schema, list) or not all(isinstance(s, str) for s in schema):
        raise PackageError("交换包的清单缺少数据库版本")
    if set(schema) - known_migration_names():
        raise PackageError("这个交换包来自更新版本的议事工作台（数据结构更新），请先升级本机的议事工作台再导入")
    if manifest.get("site_id") != header.get("site_id") or not isinstance(manifest.get("sites"), list):
        raise PackageError("交换包的清单与文件头不一致，拒绝导入")
    if not all(isinstance(s, str) and len(s) <= 64 for s in manifest["sites"]):
        raise PackageError("交换包的清单已损坏（站点列表）")
    for key in ("since", "covers"):
        vector = manifest.get(key)
        if not isinstance(vector, dict) or not all(
                isinstance(v, list) and len(v) == 2 and all(type(x) is int for x in v) for v in vector.values()):
            raise PackageError("交换包的清单已损坏（版本向量）")
    # The sender's audit chain head and the heads it has seen of other offices (a package made
    # before the witnesses carries the head alone, or nothing).
    witnesses = manifest.get("audit_witnesses", [])
    if (manifest.get("audit_head") is not None and not _check_head(manifest["audit_head"], manifest["site_id"])) \
            or not isinstance(witnesses, list) or len(witnesses) > MAX_WITNESSES \
            or not all(_check_head(w) and "site" in w for w in witnesses):
        raise PackageError("交换包的清单已损坏（审计日志链头）")
    tables, listed = manifest.get("tables"), manifest.get("members")
    if not isinstance(tables, dict) or not isinstance(listed, dict):
        raise PackageError("交换包的清单已损坏")
    for table, info in tables.items():
        if table not in SYNCED_FIELDS:
            raise PackageError(f"交换包中有本机不认识的数据表“{table[:40]}”，请先升级议事工作台")
        fields = info.get("fields") if isinstance(info, dict) else None
        if (not isinstance(fields, list) or "deleted" not in fields or len(set(fields)) != len(fields)
                or set(fields) - set(table_fields(table)) or type(info.get("count")) is not int):
            raise PackageError(f"交换包的清单中“{table}”的字段不对")
        if f"rows/{table}.ndjson" not in infos:
            raise PackageError(f"交换包缺少“{table}”的数据")
    for name, member in infos.items():
        if name == "manifest.json":
            continue
        info = listed.get(name)
        # sizes here, contents (SHA-256) as each member is read
        if not isinstance(info, dict) or info.get("size") != member.file_size or \
                not isinstance(info.get("sha256"), str) or (name.startswith("files/") and info["sha256"] != name[6:]):
            raise PackageError(f"交换包中“{name}”与清单记录不符，拒绝导入")
        if name.startswith("rows/") and name[5:-7] not in tables:
            raise PackageError(f"交换包中“{name}”未列入清单，拒绝导入")
    for name in listed:
        if name not in infos:
            raise PackageError(f"交换包缺少清单中列出的“{name}”")


# -- merging -----------------------------------------------------------------------------------------
class _DryRun(Exception):
    pass


class _Refused(Exception):
    """A row the rule book refuses, found while merging (the merge is rolled back)."""

    def __init__(self, found):
        super().__init__()
        self.found = found


@dataclass
class Outcome:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    revived: int = 0
    unchanged: int = 0
    conflicts: list[dict] = field(default_factory=list)
    duplicate_serials: list[dict] = field(default_factory=list)
    by_table: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, table: str, kind: str, n: int = 1) -> None:
        if not n:
            return
        setattr(self, kind, getattr(self, kind) + n)
        self.by_table.setdefault(table, {}).setdefault(kind, 0)
        self.by_table[table][kind] += n

    def summary(self) -> dict:
        return {"added": self.added, "changed": self.changed, "deleted": self.deleted, "revived": self.revived,
                "unchanged": self.unchanged, "conflicts": len(self.conflicts), "by_table": self.by_table,
                "duplicate_serials": self.duplicate_serials}


def _existing(store, table: str, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for part, marks in in_batches(ids):
        found.update(r[0] for r in store.db.conn.execute(f"SELECT id FROM [{table}] WHERE id IN ({marks})", part))
    return found


def _local_rows(store, table: str, ids: list[str]) -> dict[str, dict]:
    rows = {}
    for part, marks in in_batches(ids):
        cursor = store.db.conn.execute(f"SELECT * FROM [{table}] WHERE id IN ({marks})", part)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            rows[row[0]] = dict(zip(names, row))
    return rows


def _merge_row(tx, table, row_id, incoming, stamps, local, local_stamps, sender, ours, outcome, conflicts):
    """Merge one row that both sides have; returns nothing, records what happened."""
    winners, winner_stamps, concurrent = {}, {}, []
    for name, value in incoming.items():
        mine = local_stamps[name]
        theirs = stamps[name]
        if theirs == mine:
            continue
        differs = value != local.get(name)
        both_changed = differs and mine != ZERO and not covered(mine, sender) and not covered(theirs, ours)
        if theirs > mine:
            winners[name], winner_stamps[name] = value, theirs
            if both_changed and name != "deleted":
                concurrent.append((name, value, local.get(name), theirs, mine))
        elif both_changed and name != "deleted":
            concurrent.append((name, local.get(name), value, mine, theirs))
    merged = {**local, **winners}

    def merged_stamp(name):
        return winner_stamps.get(name) or local_stamps[name]

    # A tombstone hides the row unless an edit made after the delete revives it.
    revived = False
    if merged.get("deleted") == 1:
        latest_edit = max(merged_stamp(n) for n in SYNCED_FIELDS[table])
        if latest_edit > merged_stamp("deleted"):
            winners["deleted"], winner_stamps["deleted"] = 0, latest_edit
            merged["deleted"] = 0
            revived = True
    if table == "conflicts":
        concurrent, revived_clash = [], False  # the log's own entries merge by their clocks, never clash
    else:
        revived_clash = revived
    for name, kept, lost, kept_stamp, lost_stamp in concurrent:
        conflicts.append(("concurrent", table, row_id, name, kept, lost, kept_stamp, lost_stamp))
    if incoming.get("deleted") != local.get("deleted") and (concurrent or revived_clash):
        kept = "保留（删除之后又有修改）" if merged["deleted"] == 0 else "已删除（可在回收站恢复）"
        lost = "已删除" if merged["deleted"] == 0 else "修改后保留"
        # Named by the delete and the latest edit themselves, so the office that deleted and the
        # office that edited log the same clash under the same id (and 来自 is the lost side).
        deleter, editor = (stamps, local_stamps) if incoming.get("deleted") == 1 else (local_stamps, stamps)
        delete_stamp = deleter["deleted"]
        edit_stamp = max(editor[n] for n in SYNCED_FIELDS[table] if n != "deleted")
        kept_stamp, lost_stamp = (edit_stamp, delete_stamp) if merged["deleted"] == 0 else (delete_stamp, edit_stamp)
        conflicts.append(("delete_vs_edit", table, row_id, "deleted", kept, lost, kept_stamp, lost_stamp))
    if not winners:
        outcome.count(table, "unchanged")
        return
    tx.put_remote(table, row_id, winners, winner_stamps, local)
    if revived:
        outcome.count(table, "revived")
    elif merged["deleted"] == 1 and local.get("deleted") == 0:
        outcome.count(table, "deleted")
    elif any(winners[n] != local.get(n) for n in winners):
        outcome.count(table, "changed")
    else:
        outcome.count(table, "unchanged")  # newer stamps for the same values


CONTENT_VERSION = 1  # the manifest's "version" this app writes and reads

# Numbers offices issue on their own between exchanges: (column, what the clerk calls it).
NUMBER_COLUMNS = (("serial", "意见建议编号"), ("feedback_serial", "回执编号"))


def _shared_numbers(store, changes) -> list[dict]:
    """Opinion and slip numbers this merge wrote that another live opinion here also carries."""
    # read back from the rows written (an import's changes do not keep every row's values)
    ids = list(dict.fromkeys(c.row_id for c in changes.rows if c.table == "opinions"))
    written: list[dict] = []
    for part, marks in in_batches(ids):
        written += store.rows(f"SELECT serial, feedback_serial FROM opinions WHERE id IN ({marks})", part)
    shared = []
    for column, label in NUMBER_COLUMNS:
        numbers = sorted({after[column] for after in written if after.get(column)})
        for part, marks in in_batches(numbers):
            rows = store.db.conn.execute(
                f"SELECT {column}, json_group_array(title) FROM opinions WHERE deleted = 0 AND {column}"
                f" IN ({marks}) GROUP BY {column} HAVING count(*) > 1", part)
            shared += [{"kind": label, "serial": number, "titles": sorted(json.loads(titles))}
                       for number, titles in rows]
    return shared


def import_notes(result: dict) -> str:
    """What the clerk should know after an import ("" if nothing): another office's clock far ahead,
    numbers now carried by two opinions."""
    clock = result.get("clock_note") or ""
    shared = result.get("duplicate_serials") or []
    if not shared:
        return clock
    listed = "；".join(f"{d['kind']} {d['serial']}：" + "、".join(f"《{t}》" for t in d["titles"]) for d in shared[:5])
    more = f"等 {len(shared)} 个编号" if len(shared) > 5 else ""
    text = f"{listed}{more}分别用于多条意见建议（两个办公室在交换前各自编了号）。数据都已保留。"
    if any(d["kind"] == "回执编号" for d in shared):
        text += "这些回执都有效，录入回执时会请您按标题选择是哪一条。"
    return clock + text + "为免再重号，请各办公室在“设置”中填写不同的“本办公室编号代码”。"


def _write_files(store, package: Package) -> None:
    """Attachments go only to their content-addressed place in the data directory, streamed from
    the package's zip."""
    for table in ("materials", "opinion_files", "survey_photos"):
        for _, values, _ in package.rows.get(table, ()):
            info = package.files.get(values.get("sha256") or "")
            if info is None:
                continue  # files are named by their checked SHA-256, so a match is a valid name
            target = attachments.stored_path(store, values)
            if not target.exists():
                with atomic_path(target) as temp:
                    digest = hashlib.sha256()
                    with open(temp, "wb") as out:
                        for block in member_blocks(package.archive, info):
                            digest.update(block)
                            out.write(block)
                    if digest.hexdigest() != values["sha256"]:
                        raise PackageError("交换包中的附件在导入时与其校验值不符，拒绝导入。数据未作任何改动。")


def check_rules(store, package: Package) -> None:
    """Every incoming row held to the rule book, as the forms and the Excel import are (fields,
    dates in order and not ahead of today, rows it points to), before anything is written; the
    table, row and field named in the refusal."""
    from app.rules.incoming import first_breach

    found = first_breach(package.rows, store.db.conn, package.known)
    if found is not None:
        raise _refusal(package, found)


def _refusal(package: Package, found) -> PackageError:
    """The refusal of a package for its first row the rule book refuses (an IncomingBreach)."""
    breach = found.breach
    who = f"（{breach.title}）" if breach.title else ""
    where = f"{breach.noun}第 {found.line} 行{who}"
    made_by = str(package.manifest.get("app_version") or "")
    if found.unknown_code and _newer(made_by):
        return PackageError(f"这个交换包由更新版本的议事工作台（{made_by}）制作：{where}的“{breach.label}”"
                            f"“{str(breach.value)[:40]}”本机的版本还不认识。请先升级议事工作台再导入。数据未作任何改动。")
    rule = breach.rule if breach.whole else f"的“{breach.label}”{breach.rule}"
    return PackageError(f"交换包数据有误：{where}{rule}，拒绝导入。数据未作任何改动。")


def _newer(version: str) -> bool:
    """Whether `version` (the app that made a package) is newer than this one."""
    from app import __version__

    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(p) if p.isdigit() else 0 for p in text.split(".")[:4])

    return bool(version) and parts(version) > parts(__version__)


def _refuse_gap(store, package: Package) -> None:
    """A delta holds only what its sender believed this office lacked (its `since`). If this office
    does not yet have all of that (an earlier package still in a drawer), merging it would hide
    clashes with what is missing: it is refused until the earlier package is in."""
    if package.manifest.get("kind") != "delta":
        return
    from app.exchange.export import knowledge

    ours = knowledge(store)
    missing = [site for site, (wall, counter) in package.manifest["since"].items()
               if not covered((wall, counter, site), ours)]
    if missing:
        origin = package.header.get("site_name") or "对方办公室"
        raise PackageError(f"这个增量交换包接在{origin}之前发来的交换包之后，而那个交换包本机还没有导入。"
                           "请先导入之前的交换包（按制作时间的先后），或请对方导出全量交换包。数据未作任何改动。")


def _refuse_own(store, package: Package) -> None:
    if package.manifest["site_id"] == store.site_id:
        raise PackageError("这是本机自己导出的交换包，不需要导入")


def _walk(package: Package, tables, *, gather: bool = True,
          trusting: bool = False) -> Iterator[tuple[str, list[tuple[str, dict, RowStamps]], int]]:
    """Each part of these tables' rows in order, as (table, part, the line of its first row). A
    table not read yet (a deferred package's) is read with every check, or, `trusting`, without
    asking each part (another reads it with every check); what reading a package gathers is
    gathered on the way (`gather`: what the rule book's checks across rows need, unless they are
    asked elsewhere), and the table's count checked at its end."""
    for table in tables:
        rows = package.rows[table]
        walking = not rows.checked
        if walking and trusting:
            rows.checked = True  # (decoded as rows read before: `decode_checked`)
        line = 1
        for part in _parts(rows):
            if walking:
                if line - 1 + len(part) > len(rows):
                    raise PackageError(f"交换包数据有误：{TABLE_NOUNS.get(table, table)}的行数与清单不符")
                package.top = max([package.top, *(stamps.top() for _, _, stamps in part)])
                if gather:
                    package.known.add(table, part)
            yield table, part, line
            line += len(part)
        if walking:
            if line - 1 != len(rows):
                raise PackageError(f"交换包数据有误：{TABLE_NOUNS.get(table, table)}的行数与清单不符")
            rows.checked = True


def _parts(rows: Table, size: int = 2000) -> Iterator[list[tuple[str, dict, RowStamps]]]:
    """A table's rows a part at a time: slices of rows read and checked before, or, on a deferred
    package's first walk, the batches as decoded and checked (however many the file holds)."""
    if rows.checked:
        for start in range(0, len(rows), size):
            yield rows[start:start + size]
    else:
        yield from rows.batches()


def first_refused(sealed: Sealed, conn) -> Any:
    """The first row of a package the rule book refuses (an IncomingBreach), or None: every row
    read and held to it, tables in the book's order, parents looked up in the package and then
    through `conn` (what the worker of `app.exchange.checking` answers, over the store as it was
    before the merge)."""
    from app.rules.incoming import Checker, first_breach

    with read_package(sealed, defer=True) as package:
        if not package.deferred:
            return first_breach(package.rows, conn, package.known)
        checker = Checker(conn, package.known)
        for table, part, line in _walk(package, [t for t in SYNCED_FIELDS if t in package.rows]):
            found = checker.first(table, part, line)
            if found is not None:
                return found
    return None


def check_in_worker(content: str, header: dict, sha256: str, database: str, answers) -> None:
    """The worker of `app.exchange.checking`: every row held to the rule book (`first_refused`),
    the answer put on `answers`:
    ("breach", IncomingBreach), ("clean", None), or ("unreadable", text) when it cannot."""
    try:
        conn = sqlite3.connect(f"{Path(database).as_uri()}?mode=ro", uri=True)
        try:
            found = first_refused(Sealed(header, Path(content), sha256), conn)
        finally:
            conn.close()
        answers.put(("breach", found) if found is not None else ("clean", None))
    except BaseException as exc:  # every failure is an answer: the merge then checks itself
        answers.put(("unreadable", f"{type(exc).__name__}: {exc}"))


def merge(store, package: Package, *, apply: bool = True, progress=None, before_commit=None, check=None) -> dict:
    """Merge in one transaction (or, with apply=False, work out what would change and roll back).
    `check` (a rules.incoming.Checker): each batch of rows is held to the rule book before it is
    merged, and the first row refused rolls the whole merge back (`_Refused`); the tables must
    then come in the book's order, so that the row named is the first the book refuses."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    origin = package.header.get("site_name") or "其他办公室"
    _refuse_own(store, package)
    sender = package.manifest["covers"]
    from app.exchange.export import knowledge

    ours = knowledge(store)
    outcome = Outcome()
    conflicts: list[tuple] = []
    tables = [t for t in SYNCED_FIELDS if t in package.rows]
    summary = f"导入交换包：来自{origin}"
    elsewhere = getattr(check, "elsewhere", False)  # app.exchange.checking's worker reads and checks every row
    if check is None and package.deferred:  # its rows are read for the first time by this merge
        from app.rules.incoming import Checker

        check = Checker(store.db.conn, package.known)
    try:
        # A large merge touches millions of clock entries: give SQLite room to keep them in memory
        # (64 MiB: a 622,000-row package merges as fast as with 256 MiB, in 430 MB instead of 650).
        store.db.execute("PRAGMA cache_size = -65536")
        with store.write("import", summary) as tx:
            # Parents and children arrive in any order; foreign keys are checked at commit.
            store.db.execute("PRAGMA defer_foreign_keys = ON")
            total, done = sum(len(package.rows[t]) for t in tables), 0
            empty: dict[str, bool] = {}
            # (a deferred package's tables are read on this walk; with the worker, without asking
            # each part: it reads every part with every check, and one it cannot read is then read
            # here with every check, which refuses the package)
            for table, part, line in _walk(package, tables, gather=not elsewhere, trusting=elsewhere):
                if table not in empty:  # a table this office has nothing in yet (a first exchange): no lookups
                    empty[table] = not store.db.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone()
                done += len(part)
                if check is not None:
                    found = check.first(table, part, line)
                    if found is not None:
                        raise _Refused(found)
                # Cancelling rolls the whole merge back (the backup made before it stays).
                if progress is not None and progress(done, total,
                                                     f"正在合并：{TABLE_NOUNS.get(table, table)}") is False:
                    raise Cancelled("已取消导入，数据未作任何改动")
                here = set() if empty[table] else _existing(store, table, [r[0] for r in part])
                fresh = [r for r in part if r[0] not in here]
                tx.insert_remote_many(table, fresh)
                outcome.count(table, "added", len(fresh))
                if not here:
                    continue
                if table in APPEND_ONLY:  # written once, the same everywhere
                    outcome.count(table, "unchanged", len(here))
                    continue
                # Rows stamped alike on both sides are the same writes: nothing to look at.
                stamps_here = stored_stamps(store.db, table, list(here))
                differing = [r for r in part if r[0] in here and not (
                    r[0] in stamps_here and r[2].same_as(stamps_here[r[0]]))]
                outcome.count(table, "unchanged", len(here) - len(differing))
                rows = _local_rows(store, table, [r[0] for r in differing])
                for row_id, values, stamps in differing:
                    _merge_row(tx, table, row_id, values, stamps, rows[row_id],
                               stamps_here.get(row_id, RowStamps()), sender, ours, outcome, conflicts)
            if elsewhere:  # held to the rule book by a worker meanwhile
                answered, found = check.finish()
                if not answered:  # it could not say: every row read and held to the rule book here
                    from app.rules.incoming import first_breach

                    walk_rows(package, list(package.rows))
                    found = first_breach(package.rows, store.db.conn, package.known)
                if found is not None:
                    raise _Refused(found)
            outcome.duplicate_serials = _shared_numbers(store, tx.changes)
            names = _site_names(store, package, origin)
            outcome.conflicts = [_conflict_row(c, package, now, names) for c in conflicts]
            for row in outcome.conflicts:  # logged like any record, so it travels to the other office too
                if not store.scalar("SELECT 1 FROM conflicts WHERE id = ?", [row["id"]]):
                    tx.insert("conflicts", {k: v for k, v in row.items() if k != "id"}, row_id=row["id"])
            # Named while the merged rows are in place (a dry run rolls them back afterwards):
            # 代表“张三”的联系电话, as the preview, the CLI and the conflict log say it.
            from app.exchange.conflicts import describe

            outcome.conflicts = [{**row, "text": describe(store, row)} for row in outcome.conflicts]
            if not apply:
                raise _DryRun
            # References are checked now, not at commit, so that nothing is done for a package
            # that will be refused.
            dangling = next(filter(None, (store.db.execute(f"PRAGMA foreign_key_check([{table}])").fetchone()
                                          for table in tables)), None)
            if dangling:
                raise sqlite3.IntegrityError(f"{TABLE_NOUNS.get(dangling[0], dangling[0])}引用了不存在的"
                                             f"{TABLE_NOUNS.get(dangling[2], dangling[2])}")
            if before_commit is not None:
                before_commit()
            # Attachments are in place (content-addressed, synced) before the package is marked
            # imported with its rows: a file that cannot be written refuses the whole package.
            _write_files(store, package)
            _record(store, package, outcome, now, origin)
            if not tx.changes:  # still on record: who brought which package in, and that it held nothing new
                store.audit.append("import", f"{summary}，没有新的变化", {"package_id": package.package_id})
            tx.summary = (f"{summary}（新增 {outcome.added}、修改 {outcome.changed}、删除 {outcome.deleted}、"
                          f"恢复 {outcome.revived}、冲突 {len(conflicts)}）")
    except _DryRun:
        pass
    except sqlite3.IntegrityError as exc:
        raise PackageError(
            "交换包中的记录引用了本机没有的数据（例如先前的交换包尚未导入），或与本机记录冲突"
            f"（{exc}）。请先导入此前的交换包，或让对方导出全量交换包。数据未作任何改动。") from None
    finally:
        store.db.execute("PRAGMA cache_size = -2000")
    result = {"package_id": package.package_id, "from": origin, "applied": apply, **outcome.summary(),
              "conflict_list": outcome.conflicts}
    ahead = package.max_stamp().wall_ms - store.clock.now_ms()
    if ahead > MAX_DRIFT_MS:
        # The sender's PC runs ahead: its rows keep their stamps (every office must end with the
        # same), but this office's clock does not follow; later edits here are stamped past them.
        result["clock_note"] = (f"{origin}的电脑时间比本机快约 {round(ahead / 86_400_000)} 天，本机时钟没有随之调整。"
                                f"请提醒{origin}核对电脑的日期和时间。")
    if apply:
        store.clock.observe(package.max_stamp())
        if "clock_note" in result:
            store.audit.record("import", f"导入交换包：{result['clock_note']}", {"package_id": package.package_id,
                                                                               "ahead_ms": ahead})
    return result


_CONFLICT_NS = uuid.UUID("5b0e7a52-3c1d-4f4e-9a6b-8d2c1e0f7a93")


def conflict_id(table: str, row_id: str, name: str, *stamps) -> str:
    """The same clash gets the same id in every office that notices it."""
    key = sorted(json.dumps(list(s)) for s in stamps if s)
    return str(uuid.uuid5(_CONFLICT_NS, f"{table}/{row_id}/{name}/{'/'.join(key)}"))


def _site_names(store, package: Package, origin: str) -> dict[str, str]:
    """Office names by site id: this office, the sender, and the offices exchanged with before."""
    names = {r["site_id"]: r["name"] for r in store.rows("SELECT site_id, name FROM exchange_peers"
                                                         " WHERE site_id IS NOT NULL")}
    names[package.manifest["site_id"]] = origin
    names[store.site_id] = store.settings.get("site_name") or "本办公室"
    return names


def _conflict_row(conflict: tuple, package: Package, now: str, names: dict[str, str]) -> dict:
    kind, table, row_id, name, kept, lost, kept_stamp, lost_stamp = conflict
    # 来自: the office whose value was displaced (its stamp's site), not merely who sent the package
    lost_site = lost_stamp[2] if lost_stamp else ""
    displaced = names.get(lost_site) or (f"其他办公室（{lost_site[:8]}）" if lost_site else "")
    return {"id": conflict_id(table, row_id, name, kept_stamp, lost_stamp), "at": now,
            "package_id": package.package_id, "kind": kind, "tbl": table,
            "row_id": row_id, "field": name, "kept_value": None if kept is None else str(kept),
            "lost_value": None if lost is None else str(lost),
            "kept_stamp": json.dumps(list(kept_stamp)) if kept_stamp else None,
            "lost_stamp": json.dumps(list(lost_stamp)) if lost_stamp else None, "lost_site": displaced}


def _record(store, package: Package, outcome: Outcome, now: str, origin: str) -> None:
    """Bookkeeping in the same transaction: the log, the office, what we now know, conflicts."""
    peer_id = offices.seen(store, package.manifest["site_id"], origin, now)
    counts = outcome.summary()
    store.db.execute(
        "INSERT OR REPLACE INTO exchange_log (package_id, direction, at, site_id, site_name, peer_id, kind,"
        " file_name, content_sha256, counts) VALUES (?, 'in', ?, ?, ?, ?, ?, NULL, ?, ?)",
        [package.package_id, now, package.manifest["site_id"], origin, peer_id, package.manifest["kind"],
         package.content_sha256, json.dumps({k: v for k, v in counts.items() if k != "by_table"})])
    top = package.max_stamp()
    known = {r["site_id"]: [r["wall_ms"], r["counter"]] for r in store.rows("SELECT * FROM known_vector")}
    vector = merge_vectors(known, package.manifest["covers"],
                           {top.site_id: [top.wall_ms, top.counter]} if top != ZERO else {})
    store.db.conn.executemany("INSERT OR REPLACE INTO known_vector (site_id, wall_ms, counter) VALUES (?, ?, ?)",
                              [(site, w, c) for site, (w, c) in vector.items()])
    _witness(store, package, origin)


def _witness(store, package: Package, origin: str) -> None:
    """The sender's audit chain head, and the heads it has seen of other offices (this one's
    among them), kept as witnesses: see app.storage.audit."""
    source = {"kind": "package", "office": origin, "at": package.header.get("created")}
    head = package.manifest.get("audit_head")
    if head:
        store.audit.witness({**head, "site": package.manifest["site_id"]}, source)
    for seen in package.manifest.get("audit_witnesses", []):
        if seen["site"] != package.manifest["site_id"]:
            store.audit.witness(seen, source)


def import_package(store, source, passphrase: str, *, dry_run: bool = False, progress=None) -> dict:
    """Read, check and (unless dry_run) back up and merge. Refusals leave the store unchanged.
    The package is decrypted into a work folder of the data directory, removed on every way out."""
    path = _load(source)
    try:
        with work_folder(store.data_dir) as work, _collector_paused():
            sealed = unseal(path, passphrase, work, progress)
            return _import_sealed(store, sealed, dry_run=dry_run, progress=progress)
    except OSError as exc:  # a full disk or a pulled stick while decrypting or writing attachments
        raise (environmental(exc) or exc) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the import: a large package makes millions of small
    objects (rows, stamps, the changes' records) and no cycles, and with the collector on, its
    passes over them took a quarter of the import's time (41 s → 31 s of CPU for 621,000 rows).
    What cycles the import leaves are collected once it is on again."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _import_sealed(store, sealed: Sealed, *, dry_run: bool, progress) -> dict:
    # The very package merged before (authenticated, so byte for byte the same): nothing to do.
    done = store.rows("SELECT at FROM exchange_log WHERE package_id = ? AND direction = 'in' AND content_sha256 = ?",
                      [sealed.header.get("package_id"), sealed.content_sha256])
    if done:
        origin = sealed.header.get("site_name") or "其他办公室"
        if not dry_run:
            store.audit.record("import", f"导入交换包：来自{origin}，已于 {local_time(done[0]['at'])[:16]} 导入过，没有新的变化",
                               {"package_id": sealed.header.get("package_id")})
        return {"package_id": sealed.header.get("package_id"), "from": origin, "already": done[0]["at"],
                "applied": False, "dry_run": dry_run, "conflict_list": [], **Outcome().summary()}
    # A large package is read from the zip on every walk: its rows are decoded, held to the rule book
    # and merged in one walk (`defer`); the first refused rolls the merge back.
    with read_package(sealed, progress, _field_labels(store), defer=True) as package:
        _refuse_own(store, package)  # decided before any side effect (backup, audit, meta)
        _refuse_gap(store, package)
        from app.rules.incoming import Checker

        checker: Any = None
        if package.deferred:
            from app.exchange.checking import PARALLEL_ROWS, ParallelCheck
            from app.store import DB_NAME

            if sum(len(rows) for rows in package.rows.values()) >= PARALLEL_ROWS:
                checker = ParallelCheck.start(sealed, store.data_dir / DB_NAME, check_in_worker)
            checker = checker or Checker(store.db.conn, package.known)
        else:
            check_rules(store, package)
        made: list[str] = []

        def back_up_first():
            # The state before the import, taken once the merge has proved the package sound (its
            # references resolve): a refused package leaves no backup, audit entry or meta change.
            from app.storage.backup import backup

            made.append(backup(store, reason="import", committed=True)["path"])

        try:
            try:
                result = merge(store, package, apply=not dry_run, progress=progress, before_commit=back_up_first,
                               check=checker)
            except _Refused as refused:
                if package.deferred:
                    # a row that cannot be read at all is named first, as when every row is read
                    # before the merge (and the count of every table checked)
                    walk_rows(package, list(package.rows))
                raise _refusal(package, refused.found) from None
            except PackageError:
                if checker is not None:
                    # The merge stopped before the rule book had seen every row: a row further on
                    # that it refuses is named first, as when every row is checked before merging.
                    if package.deferred:
                        walk_rows(package, list(package.rows))
                    check_rules(store, package)
                raise
        except BaseException:
            for path in made:
                Path(path).unlink(missing_ok=True)
            raise
        finally:
            if getattr(checker, "elsewhere", False):
                checker.stop()
    result["dry_run"] = dry_run
    return result
