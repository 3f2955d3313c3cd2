"""Step clocks and 按期办结 from the CLI: `stats --json`, `list opinions`, the 年度统计表 (issue 25, items 1, 6)."""

import json
import sqlite3

from openpyxl import load_workbook

from tests.conftest import DEMO_YEAR, run_cli


def _json(*args):
    return json.loads(run_cli(*args, "--json", check=True).stdout)


def test_stats_json_carries_on_time_figures_and_late_steps(demo_dir):
    o = _json("--data-dir", demo_dir, "stats", "--year", DEMO_YEAR)["opinions"]
    assert o["solved"] >= o["on_time"] > 0
    items = _json("--data-dir", demo_dir, "list", "opinions", "--year", DEMO_YEAR)["items"]
    assert o["on_time"] == sum(1 for i in items if i["on_time"] is True)  # the ledger's flags, counted
    assert o["solved"] - o["on_time"] == sum(1 for i in items if i["on_time"] is False)
    assert o["on_time_rate"] == round(o["on_time"] * 100 / o["solved"], 1)
    assert set(o["late_steps"]) == {"report", "topic", "approval", "assign", "answer", "feedback", "reopen"}
    assert all(o["late_steps"][k] > 0 for k in ("report", "topic", "approval"))  # the demo's late ones
    assert o["limits"] == {"report": 5, "topic": 10, "approval": 5, "assign": 5, "feedback": 5, "reopen": 5}
    text = run_cli("--data-dir", demo_dir, "stats", "--year", DEMO_YEAR, check=True).stdout
    assert f"按期办结：{o['on_time']} 条，按期办结率 {o['on_time_rate']:g}%（已办结 {o['solved']} 条）" in text
    assert f"上报组长 {o['late_steps']['report']} 条" in text


def test_a_limit_stored_around_the_program_is_not_used(demo_dir):
    """A limit that is not a whole number of days (a hand edit) never breaks a read: the default counts."""
    with sqlite3.connect(demo_dir / "yishi.db") as db:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('report_working_days', '-2')")
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('topic_working_days', '3')")
    o = _json("--data-dir", demo_dir, "stats", "--year", DEMO_YEAR)["opinions"]
    assert o["limits"]["report"] == 5 and o["limits"]["topic"] == 3


def test_list_opinions_names_the_step_due_and_on_time(demo_dir):
    items = _json("--data-dir", demo_dir, "list", "opinions", "--year", DEMO_YEAR)["items"]
    bus = next(i for i in items if "文昌校区" in i["title"])
    assert bus["answered_on"] and bus["on_time"] is (bus["answered_on"] <= bus["deadline"])
    late = _json("--data-dir", demo_dir, "list", "opinions", "--overdue")["items"]
    assert late and all(i["step_late"] and i["step_due"] and i["flag"] for i in late)
    waiting = {i["waiting_for"] for i in late}
    assert {"上报组长", "确定议题", "工委审核"} <= waiting
    text = run_cli("--data-dir", demo_dir, "list", "opinions", "--year", DEMO_YEAR, check=True).stdout
    flag = "（按期办结）" if bus["on_time"] else "（逾期办结）"
    assert flag in next(line for line in text.splitlines() if "文昌校区" in line)


def test_the_year_sheet_keeps_its_rows_and_adds_on_time_and_late_steps(demo_dir, tmp_path):
    o = _json("--data-dir", demo_dir, "stats", "--year", DEMO_YEAR)["opinions"]
    run_cli("--data-dir", demo_dir, "export", "register", "stats", "--year", DEMO_YEAR, "--out",
            tmp_path / "s.xlsx", check=True)
    ws = load_workbook(tmp_path / "s.xlsx").active
    rows = [(ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(4, ws.max_row + 1)
            if ws.cell(r, 2).value]
    items = [item for _, item, _ in rows]
    # the rows the sheet had keep their codes; the new ones follow the last of them
    assert items.index("　　　　逾期未完成（项）") == 28 and rows[28][0] == "29"
    values = {item: value for _, item, value in rows}
    assert items[29:38] == ["按期办结（条）", "按期办结率", "收集后上报组长超过时限（条）", "上报后确定议题超过时限（条）",
                          "议题工委审核超过时限（条）", "集中议事后交办超过时限（条）", "超过办理期限办结或未办结（条）",
                          "办结或不予采纳后反馈代表超过时限（条）", "不满意后重办超过时限（条）"]  # then the halls' rows
    assert values["按期办结（条）"] == o["on_time"]
    assert abs(values["按期办结率"] - o["on_time"] / o["solved"]) < 1e-9
    assert values["收集后上报组长超过时限（条）"] == o["late_steps"]["report"]
    note = next(ws.cell(r, 1).value for r in range(ws.max_row, 3, -1) if ws.cell(r, 1).value)
    assert "按期办结率＝按期办结条数÷已办结条数" in note and "上报组长5日" in note
