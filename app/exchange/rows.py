"""Rows as they travel: one NDJSON line per row with its field clocks, and version vectors.

A line is `{"id": ..., "v": [values in the manifest's field order], "c": [wall_ms, counter,
site index]}` plus `"x": {"field index": stamp}` for the fields whose stamp differs from `c`
(most rows are written in one step, so one stamp usually covers them all).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]

from app.common.clock import ROW_FIELD, RowStamps, Stamp
from app.storage.schema import SYNCED_FIELDS

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The hard cap on one text value, in characters: far above any field's own limit (the rule book's),
# low enough that no single row can make an import slow or large.
MAX_TEXT = 1 << 18


def table_fields(table: str) -> tuple[str, ...]:
    return (*SYNCED_FIELDS[table], "deleted")


# -- version vectors: site -> the highest (wall_ms, counter) known from it -------------------------
def merge_vectors(*vectors: dict) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for vector in vectors:
        for site, (wall, counter) in (vector or {}).items():
            if site not in out or (wall, counter) > tuple(out[site]):
                out[site] = [wall, counter]
    return out


def covered(stamp: Stamp | tuple, vector: dict) -> bool:
    """Whether a site that knows `vector` had seen this stamp."""
    seen = vector.get(stamp[2])
    return seen is not None and (stamp[0], stamp[1]) <= tuple(seen)


def uncovered_sql(vector: dict) -> tuple[str, list]:
    """SQL over `clocks` selecting stamps a site that knows `vector` has not seen."""
    if not vector:
        return "1", []
    parts, params = [], []
    for site, (wall, counter) in vector.items():
        parts.append("(site_id = ? AND (wall_ms < ? OR (wall_ms = ? AND counter <= ?)))")
        params += [site, wall, wall, counter]
    return f"NOT ({' OR '.join(parts)})", params


# -- encoding --------------------------------------------------------------------------------------
# The text of json.dumps(record, ensure_ascii=False, separators=(",", ":")), which builds an encoder
# for every call: made once here (a package writes one line a row). Rows hold no cycles to guard.
_fast = c_make_encoder(None, None, encode_basestring, None, ":", ",", False, False, True) if c_make_encoder else None
_slow = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # (a Python without the C part)


def _encode(record: dict) -> str:
    return "".join(_fast(record, 0)) if _fast is not None else _slow(record)


class Encoder:
    """Collects site ids into an index so stamps stay short."""

    def __init__(self):
        self.sites: list[str] = []
        self._index: dict[str, int] = {}

    def site(self, site_id: str) -> int:
        if site_id not in self._index:
            self._index[site_id] = len(self.sites)
            self.sites.append(site_id)
        return self._index[site_id]

    def grouped_line(self, row_id: str, values: list | tuple, groups: list[tuple], fields: tuple[str, ...]) -> str:
        """`groups`: (wall_ms, counter, site_id, "field,field") as stored. The row's own stamp (or,
        in a store written before rows had one, the stamp covering most fields) becomes `c`; fields
        stamped apart from it go to `x` by field index."""
        if not groups:  # never stamped (should not happen): the oldest possible stamp
            groups = [(0, 0, self.sites[0] if self.sites else "", ",".join(fields))]
        if len(groups) == 1:  # (nearly every row: one step wrote it whole) the same line, sooner
            wall, counter, site, _ = groups[0]
            return _encode({"id": row_id, "v": values, "c": [wall, counter, self.site(site)]})
        split = [(wall, counter, site, names.split(",")) for wall, counter, site, names in groups]
        split.sort(key=lambda g: (ROW_FIELD in g[3], len(g[3])), reverse=True)
        wall, counter, site, _ = split[0]
        record: dict = {"id": row_id, "v": values, "c": [wall, counter, self.site(site)]}
        if len(split) > 1:
            index = {name: i for i, name in enumerate(fields)}
            record["x"] = {str(index[name]): [w, c, self.site(s)] for w, c, s, names in split[1:]
                           for name in names if name in index}
        return _encode(record)


# -- decoding and checking ------------------------------------------------------------------------
class RowError(Exception):
    """A row that cannot be taken; `line` (its line in the table's NDJSON), `field` and `title` (the
    row's name or title) say where, for the message the clerk reads."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None, title: str | None = None):
        super().__init__(message)
        self.line = line
        self.field = field
        self.title = title


_SCALARS = frozenset((str, int, float, type(None)))
_KEYS = frozenset(("id", "v", "c", "x"))
_decode_json = json.JSONDecoder().decode
_uuid_match = _UUID.match
BATCH = 2000  # rows decoded at once: one JSON parse per batch is far faster than one per line
BATCH_BYTES = 8 << 20  # ... and no more bytes than this at once, however long the rows


def _stamp(value, sites: list[str], now_ms: int) -> Stamp:
    if type(value) is not list or len(value) != 3:
        raise RowError("修改时钟格式不对")
    wall, counter, site = value
    if type(wall) is not int or type(counter) is not int or type(site) is not int:
        raise RowError("修改时钟格式不对")
    if not (0 <= wall <= now_ms) or counter < 0 or not 0 <= site < len(sites):
        raise RowError("修改时钟超出合理范围")
    return Stamp(wall, counter, sites[site])


def _parse(line: bytes):
    try:
        return _decode_json(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise RowError("不是 UTF-8 文本") from None
    except (json.JSONDecodeError, RecursionError):
        raise RowError("不是有效的数据行") from None


def _title(fields: tuple[str, ...], values: list) -> str | None:
    for name in ("name", "title"):
        if name in fields and isinstance(values[fields.index(name)], str):
            return values[fields.index(name)][:20]
    return None


def _row(record, size: int, fields: tuple[str, ...], sites: list[str], now_ms: int) -> tuple[str, dict, RowStamps]:
    """One parsed line (`size` bytes long), every part checked."""
    if type(record) is not dict or not record.keys() <= _KEYS:
        raise RowError("数据行的结构不对")
    row_id, values = record.get("id"), record.get("v")
    if type(row_id) is not str or not _uuid_match(row_id):
        raise RowError("记录编号格式不对")
    if type(values) is not list or len(values) != len(fields):
        raise RowError("字段个数与清单不符")
    if not set(map(type, values)) <= _SCALARS:
        raise RowError("字段值的类型不对")
    if size > MAX_TEXT:  # only a line this long can hold an over-long value
        for name, value in zip(fields, values):
            if type(value) is str and len(value) > MAX_TEXT:
                raise RowError(f"字段过长（{len(value)} 字，上限 {MAX_TEXT} 字）", field=name,
                               title=_title(fields, values))
    stamps = RowStamps(_stamp(record.get("c"), sites, now_ms))
    extra = record.get("x")
    if extra:
        if type(extra) is not dict:
            raise RowError("修改时钟格式不对")
        for index, value in extra.items():
            if not index.isdigit() or int(index) >= len(fields):
                raise RowError("修改时钟对应的字段不存在")
            stamps.extra[fields[int(index)]] = _stamp(value, sites, now_ms)
    row = dict(zip(fields, values))
    if row.get("deleted") not in (0, 1):
        raise RowError("删除标记应为 0 或 1")
    return row_id, row, stamps


def _now_limit() -> int:
    # A clock up to a year ahead is tolerated (an office PC with a wrong date), not beyond.
    return int(time.time() * 1000) + 366 * 86400_000


def decode_rows(lines: Iterable[tuple[int, bytes]], fields: tuple[str, ...],
                sites: list[str]) -> Iterator[list[tuple[str, dict, RowStamps]]]:
    """The rows of one table's NDJSON, `(line number, line)` as read, checked and in batches of at
    most BATCH rows (or BATCH_BYTES), ids unique; a RowError carries the line number. Blank lines
    are skipped."""
    now_ms = _now_limit()
    seen: set[str] = set()
    for numbered in _batches(lines):
        yield _decode_batch(numbered, fields, sites, now_ms, seen)


def _batches(lines: Iterable[tuple[int, bytes]]) -> Iterator[list[tuple[int, bytes]]]:
    """The non-blank `(line number, line)`s in batches of at most BATCH lines or BATCH_BYTES."""
    pending: list[tuple[int, bytes]] = []
    size = 0
    for number, line in lines:
        if line.strip():
            pending.append((number, line))
            size += len(line)
            if len(pending) == BATCH or size > BATCH_BYTES:
                yield pending
                pending, size = [], 0
    if pending:
        yield pending


def _decode_batch(numbered: list[tuple[int, bytes]], fields: tuple[str, ...], sites: list[str], now_ms: int,
                  seen: set[str]) -> list[tuple[str, dict, RowStamps]]:
    # One parse for the batch; if the lines do not join into exactly one record each (or one is not
    # UTF-8 or not JSON), they are parsed one by one to say which line is wrong.
    try:
        records = _decode_json("[" + b",".join(line for _, line in numbered).decode("utf-8") + "]")
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        records = None
    if records is not None and len(records) != len(numbered):
        records = None
    out = []
    for index, (number, line) in enumerate(numbered):
        try:
            row = _row(records[index] if records is not None else _parse(line), len(line), fields, sites, now_ms)
        except RowError as exc:
            exc.line = number
            raise
        if row[0] in seen:
            raise RowError("与前面的记录重复", number)
        seen.add(row[0])
        out.append(row)
    return out


_new_stamp = tuple.__new__  # Stamp(...) without the named tuple's Python-level constructor


def decode_checked(lines: Iterable[tuple[int, bytes]], fields: tuple[str, ...],
                   sites: list[str]) -> Iterator[list[tuple[str, dict, RowStamps]]]:
    """The rows `decode_rows` has already checked in these very bytes, decoded again without
    asking each part once more: the same rows, in the same batches. (The bytes are a member of
    the decrypted package, whose SHA-256 is checked again at its end.) A batch that does not
    decode as before is decoded with every check, which names what is wrong."""
    now_ms = _now_limit()
    for numbered in _batches(lines):
        yield _decode_checked_batch(numbered, fields, sites, now_ms)


def _decode_checked_batch(numbered: list[tuple[int, bytes]], fields: tuple[str, ...], sites: list[str],
                          now_ms: int) -> list[tuple[str, dict, RowStamps]]:
    try:
        records = _decode_json("[" + b",".join(line for _, line in numbered).decode("utf-8") + "]")
        out = []
        for record in records:
            wall, counter, site = record["c"]
            stamps = RowStamps(_new_stamp(Stamp, (wall, counter, sites[site])))
            extra = record.get("x")
            if extra:
                stamps.extra = {fields[int(index)]: _new_stamp(Stamp, (value[0], value[1], sites[value[2]]))
                                for index, value in extra.items()}
            out.append((record["id"], dict(zip(fields, record["v"])), stamps))
        if len(out) == len(numbered):
            return out
    except (ValueError, RecursionError, LookupError, TypeError, AttributeError):
        pass
    return _decode_batch(numbered, fields, sites, now_ms, set())
