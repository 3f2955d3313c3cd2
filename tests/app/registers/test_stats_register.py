"""The statistics register (工作统计表): one year's, the same year as the year-end summary by default,
every figure the records' of that year, the same as the summary's and the statistics tab's."""

from datetime import date

import pytest
from openpyxl import load_workbook

from app.registers.catalog import export_register
from tests.conftest import DEMO_YEAR, run_cli


def _sheet(path) -> tuple[str, dict, str]:
    ws = load_workbook(path).active
    values = {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value}
    note = next(ws.cell(r, 1).value for r in range(ws.max_row, 3, -1) if ws.cell(r, 1).value)
    return ws.cell(1, 1).value, values, note


def _year(store, year: int) -> dict:
    """The year's figures counted straight from the tables, as a check on the services."""
    span = [f"{year}-01-01", f"{year + 1}-01-01"]

    def count(sql: str, params=()) -> int:
        return store.scalar(sql, [*params, *span])

    held = "SELECT count(*) FROM meetings WHERE deleted = 0 AND status = 'held' AND kind = ? AND date >= ? AND date < ?"
    opinions = "SELECT count(*) FROM opinions WHERE deleted = 0 {} AND received_on >= ? AND received_on < ?"
    return {
        "召开议事代表大会（次）": count(held, ["plenary"]), "开展分组活动（次）": count(held, ["group_activity"]),
        "邻里议事堂接待日（次）": count(held, ["reception"]), "专题议事（次）": count(held, ["special"]),
        "代表走访网格（次）": count("SELECT count(*) FROM grid_visits WHERE deleted = 0 AND day >= ? AND day < ?"),
        "走访接触群众（人次）": count("SELECT coalesce(sum(residents_met), 0) FROM grid_visits WHERE deleted = 0"
                              " AND day >= ? AND day < ?"),
        "收集群众意见建议（条）": count(opinions.format("")),
        "不予采纳（条）": count(opinions.format("AND decline_reason IS NOT NULL")),
        "已交办（条）": count(opinions.format("AND assigned_on IS NOT NULL")),
        "已办结（条）": count(opinions.format("AND status IN ('answered', 'fed_back', 'closed')"
                                             " AND decline_reason IS NULL")),
        "办结归档（条）": count(opinions.format("AND status = 'closed'")),
        "重点督办（条）": count(opinions.format("AND key_supervision = 1")),
        "会议落实事项（项）": count("SELECT count(*) FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
                               " WHERE a.deleted = 0 AND m.deleted = 0 AND m.date >= ? AND m.date < ?"),
    }


def test_without_a_year_it_is_the_summarys_year_with_that_years_figures(demo, tmp_path):
    year = demo.summary.default_year()
    # the year the year-end summary sums up: the demo's full year, or from October the current one
    # (the demo lives in its year: it has held its meetings)
    assert year == (DEMO_YEAR + 1 if date.today().month >= 10 else DEMO_YEAR)
    export_register(demo, "stats", tmp_path / "s.xlsx")
    title, values, note = _sheet(tmp_path / "s.xlsx")
    assert f"（{year}年）" in title
    export_register(demo, "stats", tmp_path / "y.xlsx", year=year)
    assert _sheet(tmp_path / "y.xlsx")[1] == values

    # every figure of the year from the records themselves ...
    for item, expected in _year(demo, year).items():
        assert values[item] == expected, item
    # ... and not from every year (the demo holds the other year's receptions and visits too)
    this_year = _year(demo, DEMO_YEAR + 1 if year == DEMO_YEAR else DEMO_YEAR)
    assert this_year["邻里议事堂接待日（次）"] > 0 and this_year["代表走访网格（次）"] > 0
    everything = demo.scalar("SELECT count(*) FROM meetings WHERE deleted = 0 AND status = 'held' AND kind = 'reception'")
    assert values["邻里议事堂接待日（次）"] < everything

    # the same as the year-end summary's figures and the statistics tab's for that year
    figures = demo.summary.figures(year)
    o, work = figures.opinions, figures.fieldwork
    assert (values["召开议事代表大会（次）"], values["开展分组活动（次）"], values["邻里议事堂接待日（次）"]) == \
        (figures.held["plenary"], figures.held["group_activity"], figures.held["reception"])
    assert (values["代表走访网格（次）"], values["走访接触群众（人次）"]) == (work["visits"], work["residents_met"])
    assert (values["会议落实事项（项）"], values["　其中：已完成（项）"]) == (work["actions"], work["actions_done"])
    assert (values["收集群众意见建议（条）"], values["已办结（条）"]) == (o["total"], o["solved"])
    assert [values["　其中：社区自治事项（条）"], values["　　　　街道职责事项（条）"], values["　　　　部门职责事项（条）"]] == \
        [o["by_category"][k] for k in ("self_governance", "subdistrict", "department")]
    assert values["在任议事代表（人）"] == figures.serving() and values["网格（个）"] == demo.grids.count()
    assert values["满意率"] == pytest.approx(o["satisfaction_rate"] / 100)
    tab = demo.opinion_stats.report(year)  # what the 统计 tab shows for the year
    assert (values["召开议事代表大会（次）"], values["开展分组活动（次）"]) == \
        (tab["meetings_held"]["plenary"], tab["meetings_held"]["group_activity"])
    assert (values["收集群众意见建议（条）"], values["已办结（条）"], values["逾期未办结（条）"]) == \
        (tab["opinions"]["total"], tab["opinions"]["solved"], tab["opinions"]["overdue"])

    # 办结率 over the assigned items, its definition under the table
    assert values["已交办（条）"] < values["收集群众意见建议（条）"]
    assert values["办结率"] == values["已办结（条）"] / values["已交办（条）"]
    assert abs(values["办结率"] - tab["opinions"]["solved_rate"] / 100) < 0.0005
    assert "办结率＝已办结条数÷已交办条数" in note and "未交办的和不予采纳的不计入" in note
    assert f"计入{year}年" in note


def test_the_cli_names_the_year_it_chose(tmp_path, demo_dir):
    result = run_cli("--data-dir", demo_dir, "export", "register", "stats", "--out", tmp_path / "s.xlsx", check=True)
    year = DEMO_YEAR + (date.today().month >= 10)  # the summary's year: from October the current one
    assert f"（{year}年）" in result.stdout
    assert f"（{year}年）" in _sheet(tmp_path / "s.xlsx")[0]


def test_an_office_with_nothing_assigned_prints_no_rate(store, tmp_path):
    store.opinions.create({"source": "phone", "received_on": f"{DEMO_YEAR}-05-01", "title": "路灯不亮"})
    export_register(store, "stats", tmp_path / "s.xlsx", year=DEMO_YEAR)
    values = _sheet(tmp_path / "s.xlsx")[1]
    assert values["收集群众意见建议（条）"] == 1 and values["已交办（条）"] == 0 and values["办结率"] is None
