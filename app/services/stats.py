"""Counts by kind and status: the overview page and `yishi stats`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services.communities import AREAS, KINDS

if TYPE_CHECKING:
    from app.store import Store


class StatsService:
    def __init__(self, store: Store):
        self.store = store

    def summary(self, year: int | None = None) -> dict:
        s = self.store
        by_kind = s.meetings.by_kind(year)
        by_status = s.delegates.by_status()
        communities = s.rows("SELECT kind, area FROM communities WHERE deleted = 0")
        venues_by_level = s.venues.by_level()
        # Only the data: two offices holding the same data report the same statistics (this
        # office's own name and site id are `settings.office()`).
        return {
            "delegates": {"total": sum(by_status.values()), "active": by_status["active"],
                          "by_status": by_status},
            "communities": len(communities),
            "communities_by_kind": {k: sum(1 for c in communities if c["kind"] == k) for k, _ in KINDS},
            "communities_by_area": {a: sum(1 for c in communities if c["area"] == a) for a, _ in AREAS},
            "grids": s.grids.count(),
            "grids_unassigned": s.scalar(
                "SELECT count(*) FROM grids x WHERE x.deleted = 0 AND NOT EXISTS (SELECT 1 FROM "
                "delegate_grids dg JOIN delegates d ON d.id = dg.delegate_id WHERE dg.grid_id = x.id"
                " AND dg.deleted = 0 AND d.deleted = 0 AND d.status = 'active')"),
            "groups": s.groups.count(),
            # halls built step by step: where each level stands, and when the open ones opened
            "venues": {"total": sum(venues_by_level.values()), "by_level": venues_by_level,
                       "by_build_status": s.venues.by_build_status(), "opened_by_year": s.venues.opened_by_year()},
            # planned totals next to those held (the report counts what was held)
            "meetings": {"total": sum(by_kind.values()), "by_kind": by_kind,
                         "held": s.meetings.by_kind(year, status="held"),
                         # hall business by subject type, per venue level ("": not recorded)
                         "by_subject": s.meetings.by_subject(year)},
            # what residents raised on reception days, by subject type
            "reception_matters_by_subject": s.receptions.matters_by_subject(year),
            "opinions": s.opinion_stats.opinions(year),
            "fieldwork": s.opinion_stats.fieldwork(year),
            "recycle_bin": s.recycle.count(),
        }
