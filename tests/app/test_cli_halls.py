"""`yishi` for issue 25 items 2, 7, 9: export register rota (--month / --quarter), export doc
reception_notice (PDF or Word, one hall), grid workers in list grids --json, the venues' build status
and hall business by subject in stats --json; bad periods refused in Chinese."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from openpyxl import load_workbook

from tests.conftest import run_cli

MONTH = date.today().strftime("%Y-%m")
QUARTER = f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}"


def test_export_register_rota_by_month_and_by_quarter(demo_dir, tmp_path):
    month = json.loads(run_cli("--data-dir", demo_dir, "export", "register", "rota", "--month", MONTH,
                               "--out", tmp_path / "m.xlsx", "--json", check=True).stdout)
    quarter = json.loads(run_cli("--data-dir", demo_dir, "export", "register", "rota", "--quarter", QUARTER.lower(),
                                 "--out", tmp_path / "q.xlsx", "--json", check=True).stdout)
    assert month["rows"] == 10 and quarter["rows"] == 30  # ten halls, each month of the quarter
    assert "季度" in quarter["heading"] and "值班表" in load_workbook(tmp_path / "q.xlsx").active["A1"].value


def test_bad_periods_are_refused_in_chinese(demo_dir, tmp_path):
    for args in (("--month", "2026-13"), ("--quarter", "2026-03"), ("--month", MONTH, "--quarter", QUARTER)):
        result = run_cli("--data-dir", demo_dir, "export", "register", "rota", *args, "--out", tmp_path / "x.xlsx")
        assert result.returncode != 0 and ("month" in result.stderr or "季度" in result.stderr), args
    other = run_cli("--data-dir", demo_dir, "export", "register", "roster", "--month", MONTH, "--out", tmp_path / "r.xlsx")
    assert other.returncode != 0 and "rota" in other.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_export_doc_reception_notice_as_pdf_and_word_for_one_hall(demo_dir, tmp_path):
    run_cli("--data-dir", demo_dir, "export", "doc", "reception_notice", "--month", MONTH, "--out",
            tmp_path / "n.pdf", check=True)
    assert (tmp_path / "n.pdf").read_bytes()[:4] == b"%PDF"
    halls = json.loads(run_cli("--data-dir", demo_dir, "list", "venues", "--json", check=True).stdout)["items"]
    hall = next(h for h in halls if h["level"] == "neighbourhood_hall")
    result = json.loads(run_cli("--data-dir", demo_dir, "export", "doc", "reception_notice", QUARTER, "--hall",
                                hall["name"], "--out", tmp_path / "n.docx", "--json", check=True).stdout)
    assert result["name"].endswith(hall["name"])
    from docx import Document

    text = "".join(p.text for p in Document(tmp_path / "n.docx").paragraphs)
    assert hall["name"] in text and "值班代表" in text and "接待时间" in text
    bad = run_cli("--data-dir", demo_dir, "export", "doc", "reception_notice", "--hall", "没有这个堂",
                  "--out", tmp_path / "b.pdf")
    assert bad.returncode != 0 and "找不到邻里议事堂" in bad.stderr


def test_list_grids_json_has_the_grid_workers_and_stats_count_halls(demo_dir):
    from app.store import Store

    with Store.open(demo_dir) as store:
        grid = store.grids.list()[0]
        store.grids.update(grid["id"], {"worker_name": "李网格", "worker_phone": "13800138000"})
        hall = store.venues.list("area_hall")[0]
        store.venues.update(hall["id"], {"build_status": "open", "opened_on": "2024-05-01"})
        meeting = store.rows("SELECT id FROM meetings WHERE venue_id = ? AND deleted = 0 AND status = 'held' LIMIT 1",
                             [hall["id"]])[0]
        store.meetings.update(meeting["id"], {"subject": "public_affairs"})
    items = json.loads(run_cli("--data-dir", demo_dir, "list", "grids", "--json", check=True).stdout)["items"]
    mine = next(i for i in items if i["id"] == grid["id"])
    assert (mine["worker_name"], mine["worker_phone"]) == ("李网格", "13800138000")
    with Store.open(demo_dir) as store:  # what the records say, counted by hand
        venues = store.venues.list()
        open_halls = sum(1 for v in venues if v["level"] == "area_hall" and v["build_status"] == "open")
        years = Counter(v["opened_on"][:4] for v in venues if v["build_status"] == "open" and v["opened_on"])
        public = store.scalar("SELECT count(*) FROM meetings m JOIN venues v ON v.id = m.venue_id WHERE m.deleted = 0"
                              " AND m.status = 'held' AND v.level = 'area_hall' AND m.subject = 'public_affairs'")
    stats = json.loads(run_cli("--data-dir", demo_dir, "stats", "--json", check=True).stdout)
    assert stats["venues"]["by_build_status"]["area_hall"]["open"] == open_halls >= 1
    assert stats["venues"]["opened_by_year"] == dict(years) and years["2024"] >= 1
    assert stats["meetings"]["by_subject"]["area_hall"]["public_affairs"] == public >= 1
    text = run_cli("--data-dir", demo_dir, "stats", check=True).stdout
    all_open = sum(c.get("open", 0) for c in stats["venues"]["by_build_status"].values())
    all_public = sum(c.get("public_affairs", 0) for c in stats["meetings"]["by_subject"].values())
    assert f"已建成投用 {all_open} 个" in text and f"公共事务 {all_public} 次" in text and all_open > open_halls
