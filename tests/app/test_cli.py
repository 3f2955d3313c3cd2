import json
import shutil
import sqlite3
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tests.conftest import DEMO_YEAR, run_cli


@pytest.fixture(scope="module")
def demo_cli_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "data"
    result = run_cli("--data-dir", folder, "init", "--demo")
    assert result.returncode == 0, result.stderr
    assert "70 名议事代表" in result.stdout
    return folder


def test_stats_json_matches_the_field_report(demo_cli_dir):
    stats = json.loads(run_cli("stats", "--data-dir", demo_cli_dir, "--json", check=True).stdout)
    assert stats["delegates"]["total"] == 70
    assert stats["delegates"]["by_status"]["active"] == 70
    assert stats["groups"] == 5
    assert stats["grids"] == 534
    assert 20 <= stats["communities"] <= 30
    # the report's 10 neighbourhood halls, and an eleventh still being built (建设中)
    assert stats["venues"]["by_level"] == {"centre": 1, "area_hall": 5, "neighbourhood_hall": 11}
    assert stats["grids_unassigned"] == 0
    # every year: the report's and the current one carried on to today, planned meetings counted too
    assert stats["meetings"]["by_kind"]["plenary"] > stats["meetings"]["held"]["plenary"] > 2
    # the report's year: its held meetings and opinions are the field report's
    report = json.loads(run_cli("stats", "--data-dir", demo_cli_dir, "--json", "--year", str(DEMO_YEAR),
                                check=True).stdout)
    held = report["meetings"]["held"]
    assert (held["plenary"], held["group_activity"]) == (2, 20) and report["opinions"]["total"] == 28


def test_the_year_end_summary_from_the_cli_is_the_reports(tmp_path, demo_cli_dir):
    from tests.app.documents.test_official_grid import lines_of

    out = tmp_path / "总结.pdf"
    result = run_cli("--data-dir", demo_cli_dir, "export", "doc", "summary", "--out", out, check=True)
    # no --year: the demo's full year, or from October the current one (the demo lives in its year)
    assert f"{DEMO_YEAR + (date.today().month >= 10)}年" in result.stdout
    result = run_cli("--data-dir", demo_cli_dir, "export", "doc", "summary", "--year", str(DEMO_YEAR), "--out", out,
                     check=True)
    assert f"{DEMO_YEAR}年" in result.stdout
    text = "".join(ln["text"] for page in lines_of(out) for ln in page["lines"])
    for words in ("加强代表管理", "强化阵地建设", "提升议事质量", "确保议事效果", "召开议事代表大会2次",
                  "组织分组活动20次", "收集群众意见建议28条", "在任70名", "534个网格", "存在的问题"):
        assert words in text, words


def test_demo_is_deterministic(tmp_path, demo_cli_dir):
    other = tmp_path / "again"
    run_cli("--data-dir", other, "init", "--demo", check=True)
    first = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "delegates", "--json", check=True).stdout)
    second = json.loads(run_cli("--data-dir", other, "list", "delegates", "--json", check=True).stdout)
    strip = lambda items: [{k: v for k, v in i.items() if k != "id"} for i in items]
    assert strip(first["items"]) == strip(second["items"])


def test_list_delegates_json(demo_cli_dir):
    listing = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "delegates", "--json", check=True).stdout)
    assert listing["count"] == 70
    item = listing["items"][0]
    assert set(item) >= {"id", "name", "status"}
    assert "********" in item["id_number"]


def test_check_reports_and_detects_a_tampered_audit_row(tmp_path, demo_cli_dir):
    report = json.loads(run_cli("--data-dir", demo_cli_dir, "check", "--json", check=True).stdout)
    assert report["ok"] and report["integrity"]["ok"] and report["foreign_keys"]["ok"]
    assert report["audit_chain"]["ok"] and report["audit_chain"]["entries"] > 100

    folder = tmp_path / "tampered"
    run_cli("--data-dir", folder, "init", "--demo", check=True)
    conn = sqlite3.connect(folder / "yishi.db")
    conn.execute("DROP TRIGGER audit_no_update")  # what someone editing the file by hand would do
    conn.execute("UPDATE audit SET summary = '新增代表：某某' WHERE seq = 40")
    conn.commit()
    conn.close()
    result = run_cli("--data-dir", folder, "check", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert not report["ok"] and report["audit_chain"]["broken_at"] == 40
    assert "第 40 条" in report["audit_chain"]["message"]


def test_the_audit_log_refuses_edits_through_sqlite(demo_cli_dir):
    conn = sqlite3.connect(demo_cli_dir / "yishi.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit WHERE seq = 1")
    conn.close()


def test_export_roster_register(tmp_path, demo_cli_dir):
    out = tmp_path / "花名册.xlsx"
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "roster", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 70
    ws = load_workbook(out).active
    header = [c.value for c in ws[3]]
    assert header[:3] == ["序号", "姓名", "性别"] and "身份证号" in header
    id_col = header.index("身份证号") + 1
    data = list(ws.iter_rows(min_row=4, max_row=73))
    assert len(data) == 70 and data[-1][0].value == 70 and ws.cell(74, 2).value is None
    for row in data:
        number = row[id_col - 1].value
        assert len(number) == 18 and number[6:14] == "********"
        birth = row[header.index("出生日期")]
        assert isinstance(birth.value, datetime) and birth.number_format == "yyyy-mm-dd"
        for cell in row[1:]:
            assert cell.value is None or cell.data_type == "s" or cell is birth
    assert ws.freeze_panes == "C4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
    # the file keeps all 17 columns; the print area, fitted to one A4 page wide, holds the printed ones
    assert ws.print_title_cols is None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.print_area == "'花名册'!$A$1:$J$75" and header[9] == "小组职务"
    assert "花名册" in ws.cell(1, 1).value


@pytest.mark.parametrize("name, title_word, rows", [("groups", "分组名单", 70), ("grids", "网格", 534),
                                                    ("venues", "阵地", 17)])
def test_other_registers(tmp_path, demo_cli_dir, name, title_word, rows):
    out = tmp_path / f"{name}.xlsx"
    run_cli("--data-dir", demo_cli_dir, "export", "register", name, "--out", out, check=True)
    ws = load_workbook(out).active
    assert title_word in next(c.value for c in ws[1] if c.value)
    assert ws.max_row - 3 == rows


def test_refusals_exit_1_with_a_chinese_reason(tmp_path, demo_cli_dir):
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "nonsense", "--out", tmp_path / "x.xlsx")
    assert result.returncode == 1 and "没有名为" in result.stderr
    result = run_cli("--data-dir", demo_cli_dir, "init", "--demo")
    assert result.returncode == 1 and "已有数据" in result.stderr
    mounts = tmp_path / "mounts"
    stick = tmp_path / "stick"
    stick.mkdir()
    mounts.write_text(f"/dev/vda1 / ext4 rw 0 0\n/dev/sdb1 {stick} vfat rw 0 0\n")
    result = run_cli("--data-dir", stick / "yishi", "init", env={"YISHI_MOUNTS": str(mounts)})
    assert result.returncode == 1 and "U盘" in result.stderr
    assert not (stick / "yishi").exists()


def test_usage_errors_exit_2(demo_cli_dir):
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("--data-dir", demo_cli_dir, "list", "aliens").returncode == 2


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("yishi ")


def test_opinion_stats_and_search_from_the_cli(demo_cli_dir):
    stats = json.loads(run_cli("--data-dir", demo_cli_dir, "stats", "--json", "--year", str(DEMO_YEAR),
                               check=True).stdout)
    opinions = stats["opinions"]
    assert opinions["total"] == 28
    assert set(opinions["by_category"]) == {"self_governance", "subdistrict", "department"}
    assert opinions["closed"] == opinions["by_status"]["closed"] > 0 and opinions["overdue"] > 0
    for query in ("公交", "gj"):
        found = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "opinions", "--search", query, "--json",
                                   check=True).stdout)
        assert any("文昌校区" in item["title"] for item in found["items"]), query
    step5 = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "opinions", "--step", "5", "--json",
                               check=True).stdout)
    assert step5["items"] and all(i["status"] in ("fed_back", "closed") for i in step5["items"])


def test_export_ledger_documents_from_the_cli(tmp_path, demo_cli_dir):
    out = tmp_path / "x.pdf"
    assert run_cli("--data-dir", demo_cli_dir, "export", "doc", "assignment", f"YJ{DEMO_YEAR}-0001", "--out", out,
                   check=True).returncode == 0
    result = run_cli("--data-dir", demo_cli_dir, "export", "doc", "feedback", f"YJ{DEMO_YEAR}-0099", "--out", out)
    assert result.returncode == 1 and "找不到" in result.stderr
    result = run_cli("--data-dir", demo_cli_dir, "export", "doc", "assignment", "--out", out)
    assert result.returncode == 1 and "list opinions" in result.stderr
    for name in ("ledger", "supervision", "stats"):
        run_cli("--data-dir", demo_cli_dir, "export", "register", name, "--out", tmp_path / f"{name}.xlsx",
                check=True)


def test_list_meetings_json_has_the_report_year(demo_cli_dir):
    report = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "meetings", "--json", "--year", str(DEMO_YEAR),
                                check=True).stdout)
    held = [item["kind"] for item in report["items"] if item["status"] == "held"]
    assert held.count("plenary") == 2 and held.count("group_activity") == 20
    listing = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "meetings", "--json", check=True).stdout)
    # the meetings being prepared are extra, all of them after today
    planned = [item for item in listing["items"] if item["status"] == "planned"]
    assert planned and min(item["date"] for item in planned) > date.today().isoformat()
    assert set(listing["items"][0]) >= {"id", "kind", "date", "title", "status"}


def test_selection_from_the_cli(tmp_path, demo_cli_dir):
    rounds = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "rounds", "--json", check=True).stdout)
    assert [(r["name"], r["state"], r["candidates"], r["appointed"]) for r in rounds["items"]] == [
        ("第一届议事代表推选", "filed", 110, 70)]
    candidates = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "candidates", "--json",
                                    check=True).stdout)["items"]
    assert len(candidates) == 110 and all("*" in c["id_number"] for c in candidates)
    for kind in ("notice", "certificates", "filing"):
        out = tmp_path / f"{kind}.pdf"
        result = json.loads(run_cli("--data-dir", demo_cli_dir, "export", "doc", kind, "第一届议事代表推选",
                                    "--out", out, "--json", check=True).stdout)
        assert result["doc"] == kind and out.stat().st_size > 10_000
    for name, rows in (("candidates", 110), ("quotas", 29)):
        out = tmp_path / f"{name}.xlsx"
        result = json.loads(run_cli("--data-dir", demo_cli_dir, "export", "register", name, "--out", out,
                                    "--json", check=True).stdout)
        assert result["rows"] == rows
    refused = run_cli("--data-dir", demo_cli_dir, "export", "doc", "notice", "没有这个批次", "--out",
                      tmp_path / "x.pdf")
    assert refused.returncode == 1 and "找不到推选批次" in refused.stderr


def test_export_doc_notice_with_a_meeting_still_gives_the_meeting_notice(tmp_path, demo_cli_dir):
    meeting = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "meetings", "--json", check=True).stdout)
    result = json.loads(run_cli("--data-dir", demo_cli_dir, "export", "doc", "notice", meeting["items"][0]["id"][:8],
                                "--out", tmp_path / "m.pdf", "--json", check=True).stdout)
    assert result["title"] == "会议通知"


def test_documents_from_the_cli_keep_their_date_and_refuse_minutes_of_a_planned_meeting(tmp_path, demo_cli_dir):
    meetings = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "meetings", "--json", check=True).stdout)
    plenaries = [m for m in meetings["items"] if m["kind"] == "plenary"]
    planned = next(m for m in plenaries if m["status"] == "planned")
    held = next(m for m in plenaries if m["status"] == "held")
    before = sqlite3.connect(demo_cli_dir / "yishi.db").execute("SELECT count(*) FROM audit").fetchone()[0]
    refused = run_cli("--data-dir", demo_cli_dir, "export", "doc", "minutes", planned["id"], "--out",
                      tmp_path / "m.pdf", "--date", "2026-12-08")
    assert refused.returncode == 1 and "尚未召开" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "m.pdf").exists()
    after = sqlite3.connect(demo_cli_dir / "yishi.db").execute("SELECT count(*) FROM audit").fetchone()[0]
    assert after == before  # nothing kept of a refused export, not even the date given
    draft = run_cli("--data-dir", demo_cli_dir, "export", "doc", "minutes", planned["id"], "--out",
                    tmp_path / "d.pdf", "--draft", check=True)
    assert "已导出会议纪要" in draft.stdout
    given = run_cli("--data-dir", demo_cli_dir, "export", "doc", "meeting_notice", held["id"], "--out",
                    tmp_path / "n.pdf", "--date", "2026-03-09", "--doc-number", "5", "--json", check=True)
    assert json.loads(given.stdout)["dated_on"] == "2026-03-09"
    again = run_cli("--data-dir", demo_cli_dir, "export", "doc", "meeting_notice", held["id"], "--out",
                    tmp_path / "n2.pdf", check=True)
    assert "成文日期 2026-03-09" in again.stdout  # the date given is kept with the meeting
    wrong = run_cli("--data-dir", demo_cli_dir, "export", "doc", "meeting_notice", held["id"], "--out",
                    tmp_path / "n3.pdf", "--date", "2026-13-01")
    assert wrong.returncode == 1 and "不是有效日期" in wrong.stderr


@pytest.mark.parametrize("command", [["stats"], ["list", "delegates"], ["check"], ["backup"],
                                     ["export", "register", "roster", "--out", "x.xlsx"],
                                     ["export", "doc", "filing", "--out", "f.pdf"]])
def test_a_mistyped_data_folder_is_refused_not_created(tmp_path, command):
    folder = tmp_path / "议事数据（拼错）"
    result = run_cli("--data-dir", folder, *command)
    assert result.returncode == 1 and "这里没有议事工作台的数据" in result.stderr and "Traceback" not in result.stderr
    assert not folder.exists()


def test_the_data_folder_and_database_are_private_to_the_clerk(tmp_path):
    import os
    import stat
    import sys

    if sys.platform == "win32":
        pytest.skip("Windows keeps a profile's folders private by their ACLs")
    folder = tmp_path / "data"
    run_cli("--data-dir", folder, "init", check=True)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    for name in ("yishi.db", "yishi.db-wal", "yishi.db-shm"):
        if (folder / name).exists():
            assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600, name


def _tamper(folder, *statements):
    conn = sqlite3.connect(folder / "yishi.db")
    for trigger in ("audit_no_update", "audit_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")  # what someone editing the file by hand would do
    for statement, params in statements:
        conn.execute(statement, params)
    conn.commit()
    conn.close()


def _check(folder) -> dict:
    result = run_cli("--data-dir", folder, "check", "--json")
    return json.loads(result.stdout)["audit_chain"] | {"exit": result.returncode}


def test_check_detects_a_shortened_and_a_recomputed_audit_chain(tmp_path):
    import hashlib

    folder = tmp_path / "office"
    run_cli("--data-dir", folder, "init", "--demo", check=True)
    last = sqlite3.connect(folder / "yishi.db").execute("SELECT max(seq) FROM audit").fetchone()[0]

    # the last entries cut off: the log no longer reaches its recorded head
    shortened = tmp_path / "shortened"
    shutil.copytree(folder, shortened)
    _tamper(shortened, ("DELETE FROM audit WHERE seq > ?", [last - 3]))
    report = _check(shortened)
    assert report["exit"] == 1 and "截短" in report["message"]

    # one entry rewritten and every later hash recomputed (as SHA-256 of the same fields): without
    # the installation's key the recomputed entries do not verify
    rehashed = tmp_path / "rehashed"
    shutil.copytree(folder, rehashed)
    conn = sqlite3.connect(rehashed / "yishi.db")
    rows = conn.execute("SELECT seq, at, actor, site_id, action, summary, details, prev_hash FROM audit"
                        " WHERE seq >= ? ORDER BY seq", [last - 10]).fetchall()
    conn.close()
    prev, updates = rows[0][7], []
    for seq, at, actor, site, action, summary, details, _ in rows:
        if seq == last - 10:
            summary = "新增代表：某某"
        payload = json.dumps([prev, at, actor, site, action, summary, details], ensure_ascii=False,
                             separators=(",", ":")).encode()
        digest = hashlib.sha256(payload).hexdigest()
        updates.append(("UPDATE audit SET summary = ?, prev_hash = ?, hash = ? WHERE seq = ?", [summary, prev, digest, seq]))
        prev = digest
    _tamper(rehashed, *updates, ("UPDATE meta SET value = ? WHERE key = 'audit_head'",
                                 [json.dumps({"seq": last, "hash": prev})]))
    report = _check(rehashed)
    assert report["exit"] == 1 and report["broken_at"] == last - 10 and "重算" in report["message"]

    # a backup taken to another computer (no key there): linked, but its keyed entries cannot be checked
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(folder, elsewhere)
    (elsewhere / "audit.key").unlink()
    report = _check(elsewhere)
    assert report["exit"] == 0 and "另一台电脑的密钥" in report["message"] and "无法校验" in report["message"]


def test_check_reports_records_that_break_the_forms_rules(tmp_path, demo_cli_dir):
    folder = tmp_path / "edited"
    shutil.copytree(demo_cli_dir, folder, ignore=shutil.ignore_patterns("yishi.lock"))
    conn = sqlite3.connect(folder / "yishi.db")
    conn.execute("UPDATE delegates SET status = 'emperor', phone = '<b>1</b>' WHERE rowid = 1")
    conn.commit()
    conn.close()
    result = run_cli("--data-dir", folder, "check", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and not report["rules"]["ok"]
    assert any("emperor" in b["message"] and b["field_label"] == "状态" for b in report["rules"]["breaches"])
    assert any("联系电话" in b["message"] for b in report["rules"]["breaches"])


@pytest.mark.parametrize("argv", [["--help"], ["export", "--help"], ["export", "doc", "--help"],
                                  ["package", "export", "--help"], ["export", "register"],
                                  ["list", "foo"], ["stats", "--year", "abc"], ["--bogus"], ["export"]])
def test_help_and_usage_errors_are_chinese(argv):
    import re

    result = run_cli(*argv)
    text = result.stdout + result.stderr
    assert result.returncode in (0, 2) and "Traceback" not in text
    english = {"usage", "arguments", "required", "invalid", "choose", "show this", "error", "options",
               "expected", "unrecognized", "OFFICE", "DATA_DIR"}
    found = [w for w in english if re.search(rf"\b{w}\b", text)]
    assert not found, (found, text)
    assert "用法" in text


def test_fieldwork_from_the_cli(tmp_path, demo_cli_dir):
    """list visits|actions|terms, the two registers and the 议事方案, with the usual exit codes."""
    from datetime import date

    month = date.today().isoformat()[:7]
    visits = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "visits", "--month", month, "--json",
                                check=True).stdout)
    assert visits["count"] == len(visits["items"]) > 0 and visits["month"] == month
    visited = {v["delegate"] for v in visits["items"]}
    assert visits["not_visited"] and not visited & {p["name"] for p in visits["not_visited"]}
    everyone = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "delegates", "--json", check=True).stdout)
    assert len(visited | {p["name"] for p in visits["not_visited"]}) == everyone["count"]

    actions = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "actions", "--overdue", "--json",
                                 check=True).stdout)
    assert actions["count"] >= 1 and all(a["overdue"] and a["status"] == "overdue" for a in actions["items"])
    terms = json.loads(run_cli("--data-dir", demo_cli_dir, "list", "terms", "--json", check=True).stdout)
    assert terms["items"][0]["name"] == "第一届" and terms["items"][0]["serving"] == 70

    for name, rows in (("visits", len(visits["items"])), ("actions", actions["count"])):
        out = tmp_path / f"{name}.xlsx"
        run_cli("--data-dir", demo_cli_dir, "export", "register", name, "--out", out, check=True)
        assert load_workbook(out).active.max_row - 3 >= rows
    out = tmp_path / "visits-term.xlsx"
    run_cli("--data-dir", demo_cli_dir, "export", "register", "visits", "--term", "第一届", "--out", out, check=True)
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "ledger", "--term", "第一届", "--out", out)
    assert result.returncode == 1 and "可以按届次导出" in result.stderr
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "roster", "--term", "第九届", "--out", out)
    assert result.returncode == 1 and "找不到届次" in result.stderr

    result = run_cli("--data-dir", demo_cli_dir, "export", "doc", "plan", f"YJ{DEMO_YEAR}-0001", "--out", tmp_path / "p.pdf",
                     check=True)
    assert "议事方案" in result.stdout and (tmp_path / "p.pdf").stat().st_size > 10000
    collected = next(o for o in json.loads(run_cli("--data-dir", demo_cli_dir, "list", "opinions", "--step", "1",
                                                   "--json", check=True).stdout)["items"])
    result = run_cli("--data-dir", demo_cli_dir, "export", "doc", "plan", collected["serial"], "--out", tmp_path / "q.pdf")
    assert result.returncode == 1 and "还没有议事方案" in result.stderr and not (tmp_path / "q.pdf").exists()
    result = run_cli("--data-dir", demo_cli_dir, "list", "visits", "--month", "2026-13")
    assert result.returncode == 1 and "2026-05" in result.stderr


def test_contact_lists_and_institutions_from_the_cli(tmp_path, demo_cli_dir):
    out = tmp_path / "c.xlsx"
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "contacts", "--community", "中山路社区",
                     "--out", out, check=True)
    assert "网格联系表" in result.stdout and "中山路社区" in next(c.value for c in load_workbook(out).active[1] if c.value)
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "contacts", "--community", "火星", "--out", out)
    assert result.returncode == 1 and "找不到村（社区）“火星”" in result.stderr
    result = run_cli("--data-dir", demo_cli_dir, "export", "register", "roster", "--community", "中山路社区", "--out", out)
    assert result.returncode == 1 and "只有网格联系表" in result.stderr
    run_cli("--data-dir", demo_cli_dir, "export", "register", "institutions", "--out", tmp_path / "i.xlsx", check=True)
    assert load_workbook(tmp_path / "i.xlsx").active.max_row - 3 == 9
