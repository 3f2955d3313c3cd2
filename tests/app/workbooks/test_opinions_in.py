"""The opinion ledger from the offices' own sheets, and the desk's ledger register back as updates."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from app.registers.catalog import export_register
from app.storage.check import rule_breaches
from app.store import Store
from app.workbooks.bring_in import import_file
from app.workbooks.kinds import kind
from tests.app.workbooks.sheets import messy_sheet
from tests.conftest import ROOT, digest, run_cli

SAMPLE = ROOT / "data" / "samples" / "意见建议台账.xlsx"
SHARED = Path("/work/shared/samples/ledger_sample.xlsx")
# the shipped roster sample's delegates (data/samples/代表花名册.xlsx): name, community, group
HEADER = ["序号", "收集时间", "提出代表", "所在小组", "意见建议内容", "来源", "事项类别", "承办单位", "办理时限",
          "办理情况", "反馈时间", "群众满意度"]


def people(store, rows: list[tuple[str, str, str]]) -> None:
    """Serving delegates by name, community and group (what the roster import leaves)."""
    with store.write("create", "测试代表") as tx:
        groups: dict[str, str] = {}
        communities: dict[str, str] = {}
        for name, community, group in rows:
            if group not in groups:
                groups[group] = tx.insert("groups", {"name": group})
            if community not in communities:
                communities[community] = tx.insert("communities", {"name": community, "kind": "community",
                                                                   "group_id": groups[group]})
            tx.insert("delegates", {"name": name, "community_id": communities[community], "group_id": groups[group],
                                    "group_role": "member", "status": "active"})


def states(store) -> Counter:
    return Counter(r["status"] for r in store.rows("SELECT status FROM opinions WHERE deleted = 0"))


def ledger_file(tmp_path):
    rows = [[1, datetime(2025, 2, 11), "甲一", "新城三", "电动车充电桩不足，建议尽快解决。", "议事代表大会", "部门",
             "街道城管办", datetime(2025, 3, 13), "办理中", None, None],
            [2, "2025年9月13日", "乙二", "老城小组", "菜市场周边占道经营。", "走访", "街道职责事项", None, None, "不予采纳",
             None, None],
            None,
            [3, "2025.5.2", "甲一", "新城三组", "背街小巷积水。", "网格走访", "部门", "区交通局", datetime(2025, 6, 1),
             "已反馈", "2025/06/16", "不满意"],
            [4, "2025-02-19", "乙二", "老城小组", "垃圾分类投放点设置不合理。", "分组活动", "社区", "区城市管理局",
             datetime(2025, 3, 21), "已办结", "2025/04/05", "满意"],
            [5, "2025年1月8日", "甲一", "新城三组", "学校周边交通拥堵。", "接待日", "街道", None, None, "待集中议事", None, None],
            [6, "2025年13月1日", "乙二", "老城小组", "日期写错的一条", "走访", "街道职责事项", None, None, "办理中", None, None],
            [7, "2025-04-22", "丙三", "老城小组", "名册中没有的人。", "走访", "社区", None, None, "已收集", None, None],
            [8, "2025-04-22", "甲一", "新城三组", "反馈在收集之前。", "走访", "部门", "城管", datetime(2025, 5, 22), "已反馈",
             "2025/03/06", "满意"],
            [9, "2025-02-19", "乙二", "老城小组", "垃圾分类投放点设置不合理。", "分组活动", "社区", "城管", None, "已交办",
             None, None],
            [10, "2025-06-01", "甲一", "新城三组", "来源写不清的一条。", "路上听说", "部门", "城管", None, "办理中", None, None]]
    return messy_sheet(tmp_path / "台账.xlsx", "中山路街道议事代表意见建议办理台账（2025年度）", HEADER, rows)


def office(store):
    people(store, [("甲一", "礼悦东方社区", "新城三组"), ("乙二", "红旗社区", "老城小组")])


def test_a_messy_ledger_comes_in_with_each_refusal_named(store, tmp_path):
    office(store)
    path = ledger_file(tmp_path)
    before = digest(store)
    checked = import_file(store, kind("opinions"), path, dry_run=True)
    assert digest(store) == before  # a dry run writes nothing
    assert checked["counts"] == {"new": 5, "update": 0, "same": 0, "refused": 4, "duplicate": 1}
    refused = {r["row"]: (r["reason"], r["cell"]) for r in checked["refused"]}
    assert refused[10] == ("“收集日期”“2025年13月1日”不是存在的日期", "B10")
    assert refused[11] == ("代表名册中没有“丙三”：请先导入代表花名册，或改正姓名", "C11")
    assert refused[12] == ("“反馈日期”2025-03-06 早于收集日期 2025-04-22", "K12")
    assert refused[13][0].startswith("与第 8 行是同一")  # same day, delegate and content
    assert refused[14] == ("“来源”“路上听说”看不懂（可写：网格走访、接待日、会议、电话、来信）", "F14")
    done = import_file(store, kind("opinions"), path)
    assert done["counts"] == checked["counts"]
    got = {r["title"]: r for r in store.rows("SELECT * FROM opinions WHERE deleted = 0")}
    assert states(store) == Counter({"assigned": 1, "declined": 1, "fed_back": 1, "closed": 1, "topic": 1})
    first = got["电动车充电桩不足，建议尽快解决。"]
    assert (first["source"], first["category"], first["lead_unit"], first["deadline"]) == (
        "meeting", "department", "街道城管办", "2025-03-13")
    assert first["assigned_on"] == "2025-02-11" and first["serial"] == "YJ2025-0001"
    assert store.scalar("SELECT name FROM groups WHERE id = ?", [first["group_id"]]) == "新城三组"  # 新城三
    # 已办结 with 满意 after feedback is closed: its 归档 day is the feedback day, said in a warning
    closed = got["垃圾分类投放点设置不合理。"]
    assert (closed["status"], closed["feedback_delegate_on"], closed["closed_on"]) == ("closed", "2025-04-05", "2025-04-05")
    assert closed["lead_unit"] == "城管"  # the department by its official name
    # 已办结 but 不满意: fed back, not closed
    assert got["背街小巷积水。"]["status"] == "fed_back" and got["背街小巷积水。"]["satisfaction"] == "不满意"
    assert done["created"] == {"部门（单位）": ["区交通局"]}
    warnings = {(w["row"], w["warning"]) for w in done["warnings"]}
    assert (4, "文件没有“交办日期”，以收集日期 2025-02-11 代替") in warnings
    assert (7, "承办单位“区交通局”不在部门（单位）名单中，已加入名单") in warnings
    assert (5, "没有写不予采纳的理由（反馈群众时要说明），请在窗口中补上") in warnings
    # every state carries its dates and its history, in order
    for row in got.values():
        assert store.opinions.detail(row["id"])["timeline"][0]["kind"] == "collect"
    events = [e["kind"] for e in store.opinions.timeline(got["背街小巷积水。"]["id"])]
    assert events == ["collect", "assign", "answer", "feedback"]
    assert not rule_breaches(store)


def test_the_same_office_file_again_changes_nothing(store, tmp_path):
    """A file without 编号 names its opinions by day, delegate and content; the dates that stood in
    for missing ones the first time are not asked again."""
    office(store)
    path = ledger_file(tmp_path)
    import_file(store, kind("opinions"), path)
    before = digest(store)
    again = import_file(store, kind("opinions"), path)
    assert again["counts"] == {"new": 0, "update": 0, "same": 5, "refused": 4, "duplicate": 1}
    assert again["absent"]["count"] == 0
    assert digest(store) == before


def test_an_import_is_one_undo_and_a_refused_one_changes_nothing(store, tmp_path):
    office(store)
    done = import_file(store, kind("opinions"), ledger_file(tmp_path))
    assert store.opinions.count() == 5
    store.undo(done["changes"], "导入意见建议")
    assert store.opinions.count() == 0
    assert store.departments.names().count("区交通局") == 0
    before = digest(store)
    bad = messy_sheet(tmp_path / "坏.xlsx", "台账", HEADER, [[1, "2025年2月30日", "甲一", None, "不存在的日子", "走访",
                                                              None, None, None, "已收集", None, None]])
    report = import_file(store, kind("opinions"), bad)
    assert report["counts"]["refused"] == 1 and report["refused"][0]["cell"] == "B4"
    assert digest(store) == before


def test_the_shipped_sample_comes_in_with_its_two_refusals(store):
    assert kind("opinions").sample == SAMPLE.name
    # the office as the getting-started samples before it leave it: its grids, then its roster
    from app.workbooks.importer import import_roster

    import_file(store, kind("grids"), SAMPLE.parent / kind("grids").sample)
    assert import_roster(store, SAMPLE.parent / "代表花名册.xlsx")["imported"] == 12
    report = import_file(store, kind("opinions"), SAMPLE)
    assert report["counts"] == {"new": 19, "update": 0, "same": 0, "refused": 2, "duplicate": 0}
    assert [(r["cell"], r["reason"]) for r in report["refused"]] == [
        ("B23", "“收集日期”“2025年13月1日”不是存在的日期"), ("N24", "“反馈日期”2025-10-01 早于交办日期 2025-11-10")]
    assert [s["row"] for s in report["skipped"]] == [15, 27, 28]  # the section note, 合计, the foot note
    assert states(store) == Counter({"assigned": 5, "closed": 4, "fed_back": 3, "answered": 2, "topic": 2,
                                     "collected": 2, "declined": 1})
    assert not report["created"]  # every unit is a department or a community the office has
    assert not rule_breaches(store)
    assert "自来水公司" in store.departments.names() and "区自来水公司" not in store.departments.names()


def test_the_shared_office_sample_reads_every_valid_row(store):
    if not SHARED.exists():
        pytest.skip("the project's shared samples are not here")
    names = {(r[2], r[3]) for r in openpyxl.load_workbook(SHARED).active.iter_rows(min_row=3, values_only=True)
             if r[2] and r[0]}
    group_of = {"新城三": "新城三组"}
    people(store, sorted({(n, "某社区", group_of.get(g, g)) for n, g in names}))
    report = import_file(store, kind("opinions"), SHARED)
    assert report["counts"]["new"] == 30 and report["counts"]["refused"] == 1
    assert report["refused"][0]["cell"] == "B34"
    assert not rule_breaches(store)


def test_a_sentence_under_办理情况_is_the_result(store, tmp_path):
    office(store)
    header = ["序号", "收集时间", "提出代表", "意见建议内容", "承办单位", "办理情况", "反馈时间"]
    path = messy_sheet(tmp_path / "情况.xlsx", "台账", header, [
        [1, "2025-03-01", "甲一", "路灯不亮。", "城管", "城管已更换路灯 12 盏，群众认可", "2025-04-01"],
        [2, "2025-03-02", "乙二", "井盖缺失。", "城管", "办理中", None]])
    report = import_file(store, kind("opinions"), path)
    assert report["counts"]["new"] == 2
    got = {r["title"]: r for r in store.rows("SELECT * FROM opinions")}
    assert (got["路灯不亮。"]["status"], got["路灯不亮。"]["result"]) == ("fed_back", "城管已更换路灯 12 盏，群众认可")
    assert got["井盖缺失。"]["status"] == "assigned"


def test_the_ledger_register_comes_back_as_same_and_as_one_changed_field(demo, tmp_path):
    path = tmp_path / "台账.xlsx"
    export_register(demo, "ledger", path)
    total = demo.opinions.count()
    unchanged = import_file(demo, kind("opinions"), path, dry_run=True)
    assert unchanged["counts"]["same"] == total and unchanged["counts"]["update"] == 0
    assert unchanged["absent"]["count"] == 0 and not unchanged["warnings"]
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    result, serial = heading.index("办理结果") + 1, heading.index("编号") + 1
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(row=r, column=result).value
               and not str(sheet.cell(row=r, column=result).value).startswith("未采纳"))
    old = sheet.cell(row=row, column=result).value
    sheet.cell(row=row, column=result).value = "已全部办结，群众认可"
    book.save(path)
    before = digest(demo)
    done = import_file(demo, kind("opinions"), path)
    assert done["counts"]["update"] == 1 and done["counts"]["same"] == total - 1
    assert done["updates"][0]["changes"] == [{"field": "办理结果", "old": old, "new": "已全部办结，群众认可"}]
    assert len(done["changes"].rows) == 1
    changed = demo.rows("SELECT result FROM opinions WHERE serial = ?", [sheet.cell(row=row, column=serial).value])
    assert changed[0]["result"] == "已全部办结，群众认可"
    demo.undo(done["changes"], "导入意见建议")
    assert demo.rows("SELECT result FROM opinions WHERE serial = ?",
                     [sheet.cell(row=row, column=serial).value])[0]["result"] == old
    assert digest(demo) != before  # (the undo itself is audited)


def test_a_state_never_goes_back_and_a_step_forward_is_recorded(demo, tmp_path):
    path = tmp_path / "台账.xlsx"
    export_register(demo, "ledger", path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    status, serial = heading.index("办理进度") + 1, heading.index("编号") + 1
    rows = {sheet.cell(row=r, column=status).value: r for r in range(4, sheet.max_row + 1)}
    sheet.cell(row=rows["已办结"], column=status).value = "办理中"
    sheet.cell(row=rows["已办结待反馈"], column=status).value = "已反馈"
    sheet.cell(row=rows["已办结待反馈"], column=heading.index("满意度") + 1).value = "满意"
    book.save(path)
    report = import_file(demo, kind("opinions"), path)
    assert report["counts"]["refused"] == 1 and "不能退回办理环节" in report["refused"][0]["reason"]
    assert report["counts"]["update"] == 1
    fed = demo.rows("SELECT * FROM opinions WHERE serial = ?",
                    [sheet.cell(row=rows["已办结待反馈"], column=serial).value])[0]
    assert fed["status"] == "fed_back" and fed["satisfaction"] == "满意" and fed["feedback_delegate_on"]
    assert demo.opinions.timeline(fed["id"])[-1]["kind"] == "feedback"


def test_the_demo_ledger_into_a_new_office_gives_the_same_opinions(demo, tmp_path):
    """A new office brings in its roster first (the delegates, their communities and groups), then
    the ledger; the departments are the defaults every new office starts with."""
    ledger, roster = tmp_path / "台账.xlsx", tmp_path / "花名册.xlsx"
    export_register(demo, "ledger", ledger)
    export_register(demo, "roster", roster, full_id=True)
    data = tmp_path / "new"
    run_cli("init", "--data-dir", data, check=True)
    run_cli("import", "delegates", roster, "--data-dir", data, check=True)
    done = run_cli("import", "opinions", ledger, "--data-dir", data, "--json", check=True)
    report = json.loads(done.stdout)
    assert report["counts"]["new"] == demo.opinions.count() and report["counts"]["refused"] == 0
    columns = ("serial", "status", "received_on", "reported_on", "assigned_on", "answered_on", "feedback_delegate_on",
               "closed_on", "deadline", "lead_unit", "co_units", "category", "source", "satisfaction",
               "decline_reason", "result", "title", "content")
    sql = (f"SELECT {', '.join('o.' + c for c in columns)}, d.name AS delegate, c.name AS community, g.name AS grp"
           " FROM opinions o LEFT JOIN delegates d ON d.id = o.delegate_id LEFT JOIN communities c"
           " ON c.id = o.community_id LEFT JOIN groups g ON g.id = o.group_id WHERE o.deleted = 0 ORDER BY o.serial")
    with Store.open(data) as fresh:
        assert fresh.rows(sql) == demo.rows(sql)
        assert states(fresh) == states(demo)
        assert not rule_breaches(fresh)  # every imported opinion and event keeps the rule book
        again = import_file(fresh, kind("opinions"), ledger, dry_run=True)
        assert again["counts"]["same"] == demo.opinions.count()


def test_the_cli_imports_the_ledger_and_a_dry_run_leaves_the_store(tmp_path):
    data = tmp_path / "office"
    run_cli("init", "--data-dir", data, check=True)
    with Store.open(data) as store:
        office(store)
        before = digest(store)
    path = ledger_file(tmp_path)
    dry = run_cli("import", "opinions", path, "--dry-run", "--data-dir", data, "--json", check=True)
    assert json.loads(dry.stdout)["counts"]["new"] == 5
    with Store.open(data) as store:
        assert digest(store) == before
    copy = tmp_path / "copy.xlsx"
    shutil.copy(path, copy)
    done = run_cli("import", "opinions", copy, "--data-dir", data, check=True)
    assert "新增 5 条" in done.stdout and "B10" in done.stdout and "代表名册中没有“丙三”" in done.stdout
    with Store.open(data) as store:
        assert store.opinions.count() == 5


def _long_ledger(tmp_path, serials: dict[int, str]) -> Path:
    """A clean ledger of 600 opinions in every state (past the quick pass's chunk of 500), each
    with its 编号 (those of `serials` by 序号 as given)."""
    states = ["办理中", "已反馈", "已办结", "待集中议事", "不予采纳", "已收集", "已交办"]
    rows = [[n, f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}", ["甲一", "乙二"][n % 2], ["新城三组", "老城小组"][n % 2],
             f"第{n}条意见：路灯不亮。", "走访", "部门", "城管" if n % 7 in (0, 1, 2, 6) else None,
             None, states[n % 7], "2025-12-30" if n % 7 in (1, 2) else None, "满意" if n % 7 == 2 else None,
             serials.get(n, f"YJ2025-{n:04d}")] for n in range(1, 601)]
    return messy_sheet(tmp_path / "台账.xlsx", "意见建议办理台账", [*HEADER, "编号"], rows)


def test_a_long_clean_ledger_is_written_many_rows_at_once(store, tmp_path, monkeypatch):
    from app.storage.writepath import Tx

    office(store)
    one_by_one = Counter()
    insert = Tx.insert
    monkeypatch.setattr(Tx, "insert", lambda tx, table, *a, **k: one_by_one.update([table]) or insert(tx, table, *a, **k))
    report = import_file(store, kind("opinions"), _long_ledger(tmp_path, {}))
    assert report["counts"]["new"] == 600 and not report["refused"]
    assert one_by_one["opinions"] == one_by_one["opinion_events"] == 0  # (each in a statement for many rows)
    assert store.scalar("SELECT count(*) FROM opinion_events") >= 1200 and not rule_breaches(store)
    assert states(store) == Counter({"assigned": 170, "fed_back": 86, "closed": 86, "topic": 86, "declined": 86,
                                     "collected": 86})


def test_a_row_the_rule_book_refuses_at_the_write_is_named_and_the_rest_come_in(store, tmp_path):
    """The quick pass writes its rows many at once: a row the write path refuses there (an 编号 over
    40 characters, which only the rule book knows) sends the import row by row, naming it."""
    office(store)
    too_long = "YJ" + "0" * 45
    report = import_file(store, kind("opinions"), _long_ledger(tmp_path, {7: too_long, 555: too_long + "1"}))
    assert report["counts"]["new"] == 598
    assert [(r["row"], r["cell"]) for r in report["refused"]] == [(10, "M10"), (558, "M558")]
    assert all("编号" in r["reason"] and "40" in r["reason"] for r in report["refused"])
    assert store.scalar("SELECT count(*) FROM opinions") == 598 and not rule_breaches(store)
    assert not store.rows("SELECT id FROM opinion_events WHERE opinion_id NOT IN (SELECT id FROM opinions)")


def _ledger_rows(tmp_path, name: str, rows: list[tuple]) -> Path:
    """(序号, 收集时间, 状态, 承办单位, 编号) rows of 甲一's opinions, one title each."""
    return messy_sheet(tmp_path / name, "意见建议办理台账", [*HEADER, "编号"], [
        [n, day, "甲一", "新城三组", f"第{n}条意见：路灯不亮。", "走访", "部门", unit, None, state, None, None, serial]
        for n, day, state, unit, serial in rows])


def test_numbers_the_import_gives_follow_those_the_file_gives(store, tmp_path):
    office(store)
    path = _ledger_rows(tmp_path, "台账.xlsx", [(1, "2025-03-01", "已收集", None, "YJ2025-0001"),
                                                 (2, "2025-03-02", "已收集", None, None),
                                                 (3, "2025-03-03", "已收集", None, "YJ2025-0007"),
                                                 (4, "2025-03-04", "已收集", None, None)])
    assert import_file(store, kind("opinions"), path)["counts"]["new"] == 4
    serials = [r["serial"] for r in store.rows("SELECT serial FROM opinions ORDER BY received_on")]
    assert serials == ["YJ2025-0001", "YJ2025-0002", "YJ2025-0007", "YJ2025-0008"]


def test_a_step_forward_ahead_of_new_opinions_is_written_with_them_at_once(store, tmp_path, monkeypatch):
    """An opinion the store has moved on (its history steps written) ahead of new ones in the file:
    the new opinions go in before their history steps, and nothing is written row by row."""
    from app.storage.writepath import Tx

    office(store)
    import_file(store, kind("opinions"), _ledger_rows(tmp_path, "a.xlsx", [(1, "2025-03-01", "已收集", None, "YJ2025-0001")]))
    one_by_one = Counter()
    insert = Tx.insert
    monkeypatch.setattr(Tx, "insert", lambda tx, table, *a, **k: one_by_one.update([table]) or insert(tx, table, *a, **k))
    report = import_file(store, kind("opinions"), _ledger_rows(tmp_path, "b.xlsx", [
        (1, "2025-03-01", "已交办", "城管", "YJ2025-0001"), (2, "2025-03-02", "已收集", None, None),
        (3, "2025-03-03", "已交办", "城管", None)]))
    assert (report["counts"]["update"], report["counts"]["new"]) == (1, 2) and not one_by_one
    moved = store.rows("SELECT id FROM opinions WHERE serial = 'YJ2025-0001'")[0]["id"]
    assert [e["kind"] for e in store.opinions.timeline(moved)] == ["collect", "assign"]
    assert store.scalar("SELECT count(*) FROM opinion_events") == 2 + 1 + 2 and not rule_breaches(store)


def test_a_unit_a_refused_row_added_is_added_again_by_the_next_row_naming_it(store, tmp_path):
    office(store)
    path = _ledger_rows(tmp_path, "台账.xlsx", [(1, "2025-03-01", "已交办", "新设的服务中心", "YJ" + "0" * 45),
                                                 (2, "2025-03-02", "已交办", "新设的服务中心", None)])
    report = import_file(store, kind("opinions"), path)
    assert (report["counts"]["refused"], report["counts"]["new"]) == (1, 1)
    assert "新设的服务中心" in store.departments.names() and report["created"] == {"部门（单位）": ["新设的服务中心"]}
    assert store.rows("SELECT lead_unit FROM opinions")[0]["lead_unit"] == "新设的服务中心" and not rule_breaches(store)
