"""Hybrid logical clock: stamps that order edits across offices.

A stamp is (wall_ms, counter, site_id); comparing tuples gives the total order
used when merging packages (higher stamp wins per field).
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple


class Stamp(NamedTuple):
    wall_ms: int
    counter: int
    site_id: str


# A stamp from further ahead than this (another office's PC with a wrong date) does not drag this
# office's clock along: edits made here would otherwise carry that wrong date from then on.
MAX_DRIFT_MS = 86_400_000


class HybridClock:
    def __init__(self, site_id: str, now_ms=lambda: int(time.time() * 1000)):
        self.site_id = site_id
        self.now_ms = now_ms  # the wall clock; tests give several offices one stepping clock
        self._last = Stamp(0, 0, site_id)
        self._lock = threading.Lock()

    def observe(self, stamp: Stamp) -> bool:
        """Advance past a stamp seen from elsewhere (or stored earlier), but never more than
        MAX_DRIFT_MS ahead of the wall clock. Returns whether the stamp was beyond that bound (the
        rows it dates keep it: `Tx` stamps a later edit of them past it, see `after`)."""
        with self._lock:
            bound = self.now_ms() + MAX_DRIFT_MS
            wall, counter = (stamp.wall_ms, stamp.counter) if stamp.wall_ms <= bound else (bound, 0)
            if (wall, counter) > (self._last.wall_ms, self._last.counter):
                self._last = Stamp(wall, counter, self.site_id)
            return stamp.wall_ms > bound

    def after(self, floor: Stamp | None) -> Stamp:
        """A new stamp, later than `floor` too (a field last stamped from beyond the drift bound)."""
        stamp = self.tick()
        if floor is not None and (floor.wall_ms, floor.counter) >= (stamp.wall_ms, stamp.counter):
            stamp = Stamp(floor.wall_ms, floor.counter + 1, self.site_id)
        return stamp

    def tick(self) -> Stamp:
        with self._lock:
            now = self.now_ms()
            if now > self._last.wall_ms:
                self._last = Stamp(now, 0, self.site_id)
            else:
                # The wall clock went backwards or did not move: keep order.
                self._last = Stamp(self._last.wall_ms, self._last.counter + 1, self.site_id)
            return self._last


ZERO = Stamp(0, 0, "")

# In `clocks`, the field name ROW_FIELD holds a row's own stamp: it stands for every synced field
# without an entry of its own. A row written in one step needs two entries (this and `deleted`,
# which always has its own so tombstones can be dated by a join), not one per field.
ROW_FIELD = "*"


class RowStamps:
    """A row's field clocks: the row's stamp plus the fields stamped apart from it."""

    __slots__ = ("common", "extra")

    def __init__(self, common: Stamp = ZERO, extra: dict | None = None):
        self.common = common
        self.extra = {} if extra is None else extra

    def __getitem__(self, field: str) -> Stamp:
        return self.extra.get(field, self.common)

    def top(self) -> Stamp:
        return max(self.common, *self.extra.values()) if self.extra else self.common

    def same_as(self, other: RowStamps) -> bool:
        """Every field stamped alike (however each side stores it): the same writes, so the same row."""
        if self.common != other.common:
            return False
        return (all(other[name] == stamp for name, stamp in self.extra.items())
                and all(self[name] == stamp for name, stamp in other.extra.items()))

    def expand(self, fields) -> dict[str, Stamp]:
        return {name: self[name] for name in fields}
