"""Communities and grids from the offices' own sheets, and the grids register back as updates."""

from __future__ import annotations

import json

import openpyxl

from app.registers.catalog import export_register
from app.store import Store
from app.workbooks.bring_in import import_file
from app.workbooks.kinds import kind
from tests.app.workbooks.sheets import messy_sheet
from tests.conftest import digest, run_cli

GRID_HEADER = ["序号", "社区名称", "网格编号", "网格名称", "网格员姓名", "联系电话", "备注"]


def grids_file(tmp_path):
    rows = [[1, "中山路社区", "01", "中山路第1网格", "杨婷", 18028383047.0, None],  # a number cell, as .xls keeps it
            [2, None, "02", "中山路第2网格", "陈国平", "13815", None],  # community written once; short phone
            None,
            [3, "金龙社区", "01", "金龙第1网格", "李霞", "18618343487", None],
            [4, "金龙社区", "01", "金龙第1网格", "李霞", "18618343487", "重复"],
            [5, "金龙社区", "第x", None, "林明", None, None],  # neither a name nor a number
            [None, "金龙社区小计", None, "2个", None, None, None]]
    return messy_sheet(tmp_path / "网格.xlsx", "中山路街道网格员花名册", GRID_HEADER, rows)


def test_a_messy_grid_list_comes_in_with_each_refusal_named(store, tmp_path):
    path = grids_file(tmp_path)
    before = digest(store)
    checked = import_file(store, kind("grids"), path, dry_run=True)
    assert digest(store) == before  # a dry run writes nothing
    assert checked["counts"] == {"new": 3, "update": 0, "same": 0, "refused": 1, "duplicate": 1}
    refused = {r["row"]: r for r in checked["refused"]}
    assert refused[8]["verdict"] == "duplicate" and "第 7 行" in refused[8]["reason"]
    assert (refused[9]["reason"], refused[9]["cell"]) == ("“网格编号”“第x”不是数字", "C9")
    assert [(w["row"], w["warning"]) for w in checked["warnings"]] == [
        (5, "“网格员电话”13815：联系电话应为 7—12 位数字（手机号 11 位，座机可带区号），未导入")]
    assert [s["row"] for s in checked["skipped"]] == [10, 11, 12]  # 小计, 合计, the note
    done = import_file(store, kind("grids"), path)
    assert done["counts"] == checked["counts"]
    grids = {(g["community_name"], g["name"]): g for g in store.grids.list()}
    assert set(grids) == {("中山路社区", "中山路第1网格"), ("中山路社区", "中山路第2网格"), ("金龙社区", "金龙第1网格")}
    assert grids[("中山路社区", "中山路第2网格")]["number"] == 2
    assert (grids[("中山路社区", "中山路第1网格")]["worker_name"], grids[("中山路社区", "中山路第1网格")]["worker_phone"]) == (
        "杨婷", "18028383047")
    assert done["created"] == {"村（社区）": ["中山路社区", "金龙社区"]}


def test_an_import_is_one_undo(store, tmp_path):
    before = digest(store)
    done = import_file(store, kind("grids"), grids_file(tmp_path))
    assert store.grids.list()
    store.undo(done["changes"], "导入网格")
    assert not store.grids.list() and not store.communities.list()
    assert digest(store) != before  # (the undo itself is audited)


def test_the_grids_register_comes_back_as_an_update_of_one_field(demo, tmp_path):
    path = tmp_path / "网格对应表.xlsx"
    export_register(demo, "grids", path)
    unchanged = import_file(demo, kind("grids"), path, dry_run=True)
    assert unchanged["counts"]["same"] == len(demo.grids.list()) and unchanged["counts"]["update"] == 0
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    worker = heading.index("网格员") + 1
    old = sheet.cell(row=4, column=worker).value
    sheet.cell(row=4, column=worker).value = "张三丰"
    book.save(path)
    done = import_file(demo, kind("grids"), path)
    assert done["counts"]["update"] == 1
    assert done["updates"][0]["changes"] == [{"field": "网格员", "old": old, "new": "张三丰"}]
    assert len(done["changes"].rows) == 1
    demo.undo(done["changes"], "导入网格")
    assert old in {g["worker_name"] for g in demo.grids.list()} and "张三丰" not in {g["worker_name"] for g in demo.grids.list()}


def test_the_cli_imports_grids_and_a_dry_run_leaves_the_store(tmp_path):
    data = tmp_path / "office"
    run_cli("init", "--data-dir", data, check=True)
    path = grids_file(tmp_path)
    with Store.open(data) as store:
        before = digest(store)
    dry = run_cli("import", "grids", path, "--dry-run", "--data-dir", data, "--json", check=True)
    assert json.loads(dry.stdout)["counts"]["new"] == 3
    with Store.open(data) as store:
        assert digest(store) == before
    done = run_cli("import", "grids", path, "--data-dir", data, check=True)
    assert "新增 3 个" in done.stdout and "重复：" in done.stdout and "跳过：" in done.stdout
    remapped = run_cli("import", "grids", path, "--dry-run", "--map", "E=", "--data-dir", data, "--json", check=True)
    assert all(m["field"] != "worker_name" for m in json.loads(remapped.stdout)["mapping"])


def test_an_xls_and_an_ods_of_the_same_list_give_the_same_verdicts(store):
    from tests.conftest import ROOT

    reports = [import_file(store, kind("grids"), ROOT / "tests" / "data" / f"grids_sample{suffix}", dry_run=True)
               for suffix in (".xls", ".ods")]
    reports.append(import_file(store, kind("grids"), ROOT / "data" / "samples" / "网格及网格员名册.xlsx", dry_run=True))
    verdicts = [[(r["row"], r["name"], r["verdict"], r["reason"]) for r in report["rows"]] for report in reports]
    assert verdicts[0] == verdicts[1] == verdicts[2]
    assert reports[2]["counts"]["new"] == 24 and reports[2]["counts"]["refused"] == 1


def test_a_refused_file_and_a_file_of_refused_rows_leave_the_store_as_it_was(store, tmp_path):
    import pytest

    from app.common.errors import AppError

    before = digest(store)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别"])
    book.save(tmp_path / "not_grids.xlsx")
    with pytest.raises(AppError, match="没有找到网格表"):
        import_file(store, kind("grids"), tmp_path / "not_grids.xlsx")
    bad = messy_sheet(tmp_path / "bad.xlsx", "网格", GRID_HEADER,
                      [[1, "中山路社区", "1", "第1网格", None, "13500000000", None]])
    report = import_file(store, kind("grids"), bad)
    assert report["counts"]["refused"] == 1 and report["rows"][0]["reason"] == "填写了网格员电话，却没有网格员姓名"
    assert digest(store) == before


def test_the_contacts_register_one_delegate_a_line_comes_back_as_the_same_grids(demo, tmp_path):
    """网格联系表 names one delegate a line: lines of one grid are one grid with all its delegates."""
    path = tmp_path / "网格联系表.xlsx"
    export_register(demo, "contacts", path)
    report = import_file(demo, kind("grids"), path, dry_run=True)
    assert report["counts"] == {"new": 0, "update": 0, "same": len(demo.grids.list()), "refused": 0, "duplicate": 0}
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    delegate = heading.index("联系议事代表") + 1
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, delegate).value)
    gone = sheet.cell(row, delegate).value
    sheet.cell(row, delegate).value = None
    book.save(path)
    changed = import_file(demo, kind("grids"), path, dry_run=True)
    assert changed["counts"]["update"] == 1
    (change,) = changed["updates"][0]["changes"]
    assert change["field"] == "联系议事代表" and gone in change["old"] and gone not in change["new"]


def test_the_shipped_samples_bring_a_new_office_its_places_and_people(store):
    """Getting started: communities and grids, then the roster, from data/samples alone."""
    from app.workbooks.importer import import_roster
    from tests.conftest import ROOT

    samples = ROOT / "data" / "samples"
    grids = import_file(store, kind("grids"), samples / "网格及网格员名册.xlsx")
    roster = import_roster(store, samples / "代表花名册.xlsx")
    assert (grids["counts"]["new"], grids["counts"]["refused"]) == (24, 1)
    assert (roster["imported"], len(roster["rejected"]), roster["created"]["grids"]) == (12, 1, [])
    assert len(store.communities.list()) == 6 and len(store.groups.list()) == 4
    linked = store.scalar("SELECT count(*) FROM delegate_grids WHERE deleted = 0")
    assert linked == 22  # every grid the roster names is one the grids file brought
    assert all(c["group_id"] for c in store.communities.list())


COMMUNITY_HEADER = ["序号", "村（社区）名称", "类型", "片区", "所属议事小组", "备注"]


def test_a_messy_community_list_comes_in_and_comes_back_as_updates(store, tmp_path):
    path = messy_sheet(tmp_path / "村社区.xlsx", "中山路街道村（社区）名单", COMMUNITY_HEADER, [
        [1, "中山路社区", "社区", "老城", "老城小组", None],
        [2, "黄瓜山村", None, "农村", "农村小组", "山区"],  # the type told by the name
        None,
        [3, "滨江新区", "开发区", "新城", None, None],  # refused: no such type
        [4, "红旗社区", "社区", "郊区", None, None],  # refused: no such 片区
        [5, "中山路社区", "社区", "老城", "老城小组", None],  # the file repeats it
        [6, " ", "社区", None, None, "名称空"],
    ])
    before = digest(store)
    dry = import_file(store, kind("communities"), path, dry_run=True)
    assert digest(store) == before
    assert dry["counts"] == {"new": 2, "update": 0, "same": 0, "refused": 3, "duplicate": 1}
    assert [(r["row"], r["cell"], r["reason"]) for r in dry["refused"]] == [
        (7, "C7", "“类型”“开发区”不在可选值中（社区、村、行政村）"),
        (8, "D8", "“片区”“郊区”不在可选值中（老城、新城、农村）"),
        (9, "", "与第 4 行是同一村（社区）"),
        (10, "B10", "村（社区）名称为空")]
    done = import_file(store, kind("communities"), path)
    stored = {c["name"]: c for c in store.communities.list()}
    assert (stored["黄瓜山村"]["kind"], stored["黄瓜山村"]["area"], stored["黄瓜山村"]["notes"]) == ("village", "rural", "山区")
    assert {g["name"] for g in store.groups.list()} == {"老城小组", "农村小组"}
    assert done["created"] == {"议事小组": ["老城小组", "农村小组"]}
    changed = messy_sheet(tmp_path / "改.xlsx", "名单", COMMUNITY_HEADER, [[1, "中山路社区", "社区", "新城", "老城小组", None]])
    update = import_file(store, kind("communities"), changed)
    assert update["updates"][0]["changes"] == [{"field": "片区", "old": "老城", "new": "新城"}]
    assert update["absent"] == {"count": 1, "names": ["黄瓜山村"]}
    store.undo(update["changes"], "导入村（社区）")
    assert store.communities.find_by_name("中山路社区")["area"] == "old_town"


def test_the_cli_imports_the_shipped_community_list(tmp_path):
    from tests.conftest import ROOT

    data = tmp_path / "office"
    run_cli("init", "--data-dir", data, check=True)
    sample = ROOT / "data" / "samples" / kind("communities").sample
    with Store.open(data) as store:
        before = digest(store)
    dry = json.loads(run_cli("import", "communities", sample, "--dry-run", "--json", "--data-dir", data,
                             check=True).stdout)
    assert dry["counts"]["new"] == 6 and [r["cell"] for r in dry["refused"]] == ["C11"]
    with Store.open(data) as store:
        assert digest(store) == before
    done = run_cli("import", "communities", sample, "--data-dir", data, check=True)
    assert "新增 6 个" in done.stdout and "拒绝：村社区 第 11 行（C11） 滨江新区" in done.stdout
