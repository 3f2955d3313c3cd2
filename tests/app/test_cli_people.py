"""The CLI on issue 25's people of the work: supervision participants in the supervision register and
the year sheet, group discussions and opinions raised in the minutes, elections in `list groups`."""

from __future__ import annotations

import json
from datetime import date

from openpyxl import load_workbook

from tests.conftest import run_cli

TODAY = date.today().isoformat()


def _column(path, header: str) -> list:
    sheet = load_workbook(path).active
    for row in sheet.iter_rows(max_row=6):
        for cell in row:
            if cell.value == header:
                return [sheet.cell(r, cell.column).value for r in range(cell.row + 1, sheet.max_row + 1)]
    raise AssertionError(f"no column {header}")


def test_the_cli_shows_who_supervised_discussed_and_was_elected(demo_dir, tmp_path):
    from app.store import Store

    with Store.open(demo_dir) as store:
        opinion = store.rows("SELECT id FROM opinions WHERE status = 'assigned' AND deleted = 0 LIMIT 1")[0]["id"]
        people = [r["id"] for r in store.rows("SELECT id FROM delegates WHERE status = 'active' ORDER BY id LIMIT 2")]
        names = [store.scalar("SELECT name FROM delegates WHERE id = ?", [p]) for p in people]
        store.opinions.supervise(opinion, TODAY, "实地", "随同查看", "", people)
        plenary = store.rows("SELECT * FROM meetings WHERE kind = 'plenary' AND status = 'held' ORDER BY date DESC"
                             " LIMIT 1")[0]
        group = store.rows("SELECT id, name FROM groups ORDER BY sort_order LIMIT 1")[0]
        room = store.scalar("SELECT id FROM rooms WHERE venue_id = ? AND id != ?", [plenary["venue_id"], plenary["room_id"]])
        for held in store.discussions.list(plenary["id"]):  # the demo's own discussion of the group goes first
            if held["group_id"] == group["id"]:
                store.discussions.delete(held["id"])
        store.discussions.save(plenary["id"], {"group_id": group["id"], "room_id": room, "start_time": "14:30",
                                               "points": "建议增设学生公交线路"})
        store.discussions.raise_opinion(plenary["id"], {"title": "会上汇总：学生公交", "delegate_id": people[0]})
        leader = store.scalar("SELECT id FROM delegates WHERE group_id = ? AND group_role = 'leader'", [group["id"]])
        store.elections.record(group["id"], {"day": TODAY, "role": "leader", "delegate_id": leader, "members": 10,
                                             "votes": 9, "result": "elected"})
    out = tmp_path / "督办.xlsx"
    run_cli("--data-dir", demo_dir, "export", "register", "supervision", "--out", out, check=True)
    assert any(v and set(names) <= set(v.split("、")) for v in _column(out, "参与代表"))
    out = tmp_path / "履职.xlsx"
    run_cli("--data-dir", demo_dir, "export", "register", "performance", "--year", date.today().year, "--out", out,
            check=True)
    assert sum(v or 0 for v in _column(out, "参与督办")) >= 2
    groups = json.loads(run_cli("--data-dir", demo_dir, "list", "groups", "--json", check=True).stdout)
    first = next(g for g in groups["items"] if g["name"] == group["name"])
    ours = [e for e in first["elections"] if e["day"] == TODAY]
    assert ours == [{"day": TODAY, "role": "leader", "delegate": ours[0]["delegate"] if ours else None,
                     "members": 10, "votes": 9, "result": "elected"}]
    assert sum(g["size"] for g in groups["items"]) == 70 and {"size_ok", "area_ok", "sector_ok"} <= set(first)
    opinions = json.loads(run_cli("--data-dir", demo_dir, "list", "opinions", "--search", "学生公交", "--json",
                                  check=True).stdout)
    assert [o["raised_at"] for o in opinions["items"] if o["title"] == "会上汇总：学生公交"] == [plenary["id"]]
    from tests.app.documents.test_nomination_docs import pdf_text

    out = tmp_path / "纪要.pdf"
    run_cli("--data-dir", demo_dir, "export", "doc", "minutes", plenary["id"], "--out", out, check=True)
    text = pdf_text(out)
    assert "分组讨论情况" in text and "建议增设学生公交线路" in text and "会上汇总：学生公交" in text
