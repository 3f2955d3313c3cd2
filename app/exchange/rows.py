"""Rows as they travel: one NDJSON line per row with its field clocks, and version vectors.

A line is `{"id": ..., "v": [values in the manifest's field order], "c": [wall_ms, counter,
site index]}` plus `"x": {"field index": stamp}` for the fields whose stamp differs from `c`
(most rows are written in one step, so one stamp usually covers them all).
"""

from __future__ import annotations

import json
import re
import time

from ..clock import Stamp
from ..schema import SYNCED_FIELDS

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_TEXT = 1 << 20


def table_fields(table: str) -> tuple[str, ...]:
    return (*SYNCED_FIELDS[table], "deleted")


def stamp_key(stamp) -> tuple[int, int, str]:
    return (stamp[0], stamp[1], stamp[2])


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

    def grouped_line(self, row_id: str, values: list, groups: list[tuple], fields: tuple[str, ...]) -> str:
        """`groups`: (wall_ms, counter, site_id, "field,field") — the stamp that covers most
        fields becomes `c`, the others go to `x` by field index."""
        if not groups:  # never stamped (should not happen): the oldest possible stamp
            groups = [(0, 0, self.sites[0] if self.sites else "", ",".join(fields))]
        split = [(wall, counter, site, names.split(",")) for wall, counter, site, names in groups]
        split.sort(key=lambda g: len(g[3]), reverse=True)
        wall, counter, site, _ = split[0]
        record = {"id": row_id, "v": values, "c": [wall, counter, self.site(site)]}
        if len(split) > 1:
            index = {name: i for i, name in enumerate(fields)}
            record["x"] = {str(index[name]): [w, c, self.site(s)] for w, c, s, names in split[1:]
                           for name in names if name in index}
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


# -- decoding and checking ------------------------------------------------------------------------
class RowError(Exception):
    pass


class Stamps(dict):
    """field -> Stamp, remembering the common stamp and the fields that differ from it (so the
    write path can store a row's clocks in one statement)."""

    __slots__ = ("common", "extra")


def _stamp(value, sites: list[str], now_ms: int) -> Stamp:
    if (not isinstance(value, list) or len(value) != 3 or not all(type(v) is int for v in value)):
        raise RowError("修改时钟格式不对")
    wall, counter, site = value
    if not (0 <= wall <= now_ms + 366 * 86400_000) or counter < 0 or not 0 <= site < len(sites):
        raise RowError("修改时钟超出合理范围")
    return Stamp(wall, counter, sites[site])


_SCALARS = frozenset((str, int, float, type(None)))
_decode_json = json.JSONDecoder().decode


def decode(line: str, fields: tuple[str, ...], sites: list[str], now_ms: int | None = None
           ) -> tuple[str, dict, dict]:
    """(id, values, stamps) of one line, every part checked; RowError says what is wrong."""
    now_ms = now_ms or int(time.time() * 1000)
    try:
        record = _decode_json(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RowError("不是有效的数据行") from None
    if not isinstance(record, dict) or set(record) - {"id", "v", "c", "x"}:
        raise RowError("数据行的结构不对")
    row_id, values = record.get("id"), record.get("v")
    if not isinstance(row_id, str) or not _UUID.match(row_id):
        raise RowError("记录编号格式不对")
    if not isinstance(values, list) or len(values) != len(fields):
        raise RowError("字段个数与清单不符")
    if not set(map(type, values)) <= _SCALARS:
        raise RowError("字段值的类型不对")
    if len(line) > MAX_TEXT and any(type(value) is str and len(value) > MAX_TEXT for value in values):
        raise RowError("字段值过长")
    common = _stamp(record.get("c"), sites, now_ms)
    stamps = Stamps.fromkeys(fields, common)
    stamps.common, stamps.extra = common, {}
    extra = record.get("x") or {}
    if not isinstance(extra, dict):
        raise RowError("修改时钟格式不对")
    for index, value in extra.items():
        if not index.isdigit() or int(index) >= len(fields):
            raise RowError("修改时钟对应的字段不存在")
        stamps[fields[int(index)]] = stamps.extra[fields[int(index)]] = _stamp(value, sites, now_ms)
    row = dict(zip(fields, values))
    if row.get("deleted") not in (0, 1):
        raise RowError("删除标记应为 0 或 1")
    return row_id, row, stamps
