"""The desk's own registers, exported from the demo, bring the same records into a new office."""

from __future__ import annotations

from app.registers.catalog import export_register
from app.store import Store
from app.workbooks.bring_in import import_file
from app.workbooks.importer import import_roster
from app.workbooks.kinds import kind


def test_grids_and_roster_registers_rebuild_the_demos_places_and_people(demo, tmp_path):
    export_register(demo, "grids", tmp_path / "网格对应表.xlsx")
    export_register(demo, "roster", tmp_path / "花名册.xlsx", full_id=True)
    serving = demo.rows("SELECT d.name, d.id_number, d.phone, d.group_role, c.name AS community, g.name AS grp"
                        " FROM delegates d JOIN communities c ON c.id = d.community_id"
                        " LEFT JOIN groups g ON g.id = d.group_id WHERE d.deleted = 0 AND d.status = 'active'"
                        " ORDER BY d.name, d.id_number")
    grids = sorted((g["community_name"], g["name"], g["worker_name"], g["worker_phone"]) for g in demo.grids.list())
    links = sorted(demo.rows("SELECT d.name, g.name AS grid, c.name AS community FROM delegate_grids dg"
                             " JOIN delegates d ON d.id = dg.delegate_id JOIN grids g ON g.id = dg.grid_id"
                             " JOIN communities c ON c.id = g.community_id WHERE dg.deleted = 0 AND d.deleted = 0"
                             " AND d.status = 'active' AND g.deleted = 0"), key=lambda r: tuple(r.values()))
    with Store.open(tmp_path / "new") as office:
        placed = import_file(office, kind("grids"), tmp_path / "网格对应表.xlsx")
        people = import_roster(office, tmp_path / "花名册.xlsx")
        assert placed["counts"]["new"] == len(grids) and placed["counts"]["refused"] == 0
        assert (people["imported"], people["rejected"], people["created"]["grids"]) == (len(serving), [], [])
        assert sorted((g["community_name"], g["name"], g["worker_name"], g["worker_phone"])
                      for g in office.grids.list()) == grids
        assert office.rows("SELECT d.name, d.id_number, d.phone, d.group_role, c.name AS community, g.name AS grp"
                           " FROM delegates d JOIN communities c ON c.id = d.community_id"
                           " LEFT JOIN groups g ON g.id = d.group_id WHERE d.deleted = 0 ORDER BY d.name, d.id_number"
                           ) == serving
        assert sorted(office.rows("SELECT d.name, g.name AS grid, c.name AS community FROM delegate_grids dg"
                                  " JOIN delegates d ON d.id = dg.delegate_id JOIN grids g ON g.id = dg.grid_id"
                                  " JOIN communities c ON c.id = g.community_id WHERE dg.deleted = 0"),
                      key=lambda r: tuple(r.values())) == links
        # the grids register again, now that the delegates are in: the same grids, nothing to change
        again = import_file(office, kind("grids"), tmp_path / "网格对应表.xlsx", dry_run=True)
        assert again["counts"]["same"] == len(grids) and again["counts"]["update"] == 0
