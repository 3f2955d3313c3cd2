"""Venues from the office's own list of halls, and the 阵地一览表 back as updates."""

from __future__ import annotations

import json

import openpyxl
import pytest

from app.common.errors import AppError, Cancelled
from app.common.resources import shipped_dir
from app.registers.catalog import export_register
from app.store import Store
from app.workbooks.bring_in import import_file
from app.workbooks.kinds import LABELS, kind
from tests.app.workbooks.sheets import messy_sheet
from tests.conftest import digest, run_cli


def sample():
    return shipped_dir("data") / "samples" / kind("venues").sample


def venue_rows(store) -> dict[str, tuple]:
    return {v["name"]: (v["level"], v["address"], v["community_name"], v["group_name"], v["room_names"],
                        v["build_status"], v["opened_on"], tuple(v["facilities_list"]), v["schedule"])
            for v in store.venues.list()}


def test_the_messy_sample_comes_in_with_its_refusal_named(store):
    assert LABELS["venues"] == "议事阵地"
    before = digest(store)
    checked = import_file(store, kind("venues"), sample(), dry_run=True)
    assert digest(store) == before  # a dry run writes nothing
    assert checked["counts"] == {"new": 11, "update": 0, "same": 0, "refused": 1, "duplicate": 0}
    [refused] = checked["refused"]
    assert (refused["row"], refused["cell"], refused["name"]) == (17, "B17", "金龙社区党群服务站")
    assert refused["reason"] == "“层级”“社区服务站”不在可选值中（街道议事中心、片区议事厅、小区邻里议事堂）"
    assert [(w["row"], w["warning"].split("（")[0]) for w in checked["warnings"]] == [(11, "设施“茶水柜”不在设施清单中")]
    assert [s["row"] for s in checked["skipped"]] == [10, 18, 19, 21]  # two 小计, the 合计, the note
    done = import_file(store, kind("venues"), sample())
    assert done["counts"] == checked["counts"]
    venues = venue_rows(store)
    assert len(venues) == 11
    # the level merged down its block; dates as dates, 2023年12月28日, 2024.1.11, 20240310
    assert venues["中山路街道议事中心"][:3] == ("centre", "中山路88号街道便民服务中心三楼", None)
    assert venues["中山路街道议事中心"][4] == "第一会议室（大会议室）、第二会议室、第三会议室"
    assert venues["新城一组片区议事厅"] == (
        "area_hall", "金龙大道66号", "金龙社区", "新城一组", "议事室、接待室", "open", "2024-01-11",
        ("标牌", "议事制度上墙", "会议桌椅", "座牌", "LED显示屏", "网络", "音响", "空调"), "每季度开展1次小组议事活动")
    assert venues["老城小组片区议事厅"][5:7] == ("open", "2023-12-28")  # 已建成 is 已建成投用
    assert venues["礼悦东方邻里议事堂"][0] == "neighbourhood_hall" and venues["礼悦东方邻里议事堂"][6] == "2024-03-10"
    assert venues["礼悦东方邻里议事堂"][7] == ("标牌", "议事制度上墙", "会议桌椅")  # 茶水柜 told, left out
    assert venues["农村小组片区议事厅"][5:7] == ("open", "2024-02-22")
    assert venues["临江花园邻里议事堂"][5:7] == ("building", "2029-06-30")
    assert venues["江畔邻里议事堂"][5:8] == ("planned", None, ())
    assert venues["临江花园邻里议事堂"][3] == "农村小组" and venues["江畔邻里议事堂"][3] == "农村小组"  # merged
    assert venues["凤凰湖一号邻里议事堂"][3] is None  # a blank group is not the row above's
    # (the communities and groups of the shipped communities sample: one office throughout)
    assert done["created"] == {"议事小组": ["老城小组", "新城一组", "新城二组", "农村小组"],
                               "村（社区）": ["中山路社区", "金龙社区", "凤凰湖社区", "黄瓜山村", "红旗社区", "临江村"]}
    assert {c["name"]: c["group_name"] for c in store.communities.list()}["红旗社区"] == "老城小组"
    again = import_file(store, kind("venues"), sample(), dry_run=True)
    assert again["counts"]["same"] == 11 and again["counts"]["update"] == 0


def test_an_import_is_one_undo(store):
    before = venue_rows(store)
    done = import_file(store, kind("venues"), sample())
    assert store.scalar("SELECT count(*) FROM rooms WHERE deleted = 0") == 8
    store.undo(done["changes"], "导入阵地")
    assert venue_rows(store) == before and not store.communities.list() and not store.groups.list()
    assert store.scalar("SELECT count(*) FROM rooms WHERE deleted = 0") == 0


def test_a_refused_import_leaves_the_store(store, tmp_path):
    before = digest(store)
    nameless = messy_sheet(tmp_path / "无名称.xlsx", "阵地", ["序号", "层级", "地址", "建设状态"],
                           [[1, "片区议事厅", "胜利路1号", "已建成投用"]])
    with pytest.raises(AppError, match="阵地"):
        import_file(store, kind("venues"), nameless)
    with pytest.raises(Cancelled):
        import_file(store, kind("venues"), sample(), progress=lambda done, total: done < 5)
    assert digest(store) == before


def test_each_field_refused_names_its_cell(store, tmp_path):
    header = ["阵地名称", "层级", "建设状态", "开放日期", "设施"]
    rows = [["甲议事堂", "议事堂", "已投用", "2099-01-01", None],  # open, yet opening in 2099
            ["乙议事堂", None, None, None, None],  # no level for a new venue
            ["丙议事堂", "邻里议事堂", "快建好了", None, None],
            ["丁议事堂", "议事厅", "规划中", "2025年13月1日", None],
            ["戊议事堂", "议事中心", "暂停", "2024-5-6", "标牌;网络"]]
    checked = import_file(store, kind("venues"), messy_sheet(tmp_path / "阵地.xlsx", "阵地", header, rows), dry_run=True)
    refused = {r["name"]: (r["cell"], r["reason"]) for r in checked["refused"]}
    assert refused["甲议事堂"] == ("D4", "已建成投用的阵地，开放日期 2099-01-01 不能在今天之后")
    assert refused["乙议事堂"] == ("B5", "“层级”为空（街道议事中心、片区议事厅或小区邻里议事堂）")
    assert refused["丙议事堂"] == ("C6", "“建设状态”“快建好了”不在可选值中（规划中、建设中、已建成投用、暂停使用）")
    assert refused["丁议事堂"] == ("D7", "“开放日期”“2025年13月1日”不是存在的日期")
    assert checked["counts"]["new"] == 1  # 戊: the centre, suspended, with two facilities


def test_the_register_comes_back_as_an_update_of_one_field(demo, tmp_path):
    path = tmp_path / "阵地一览表.xlsx"
    export_register(demo, "venues", path)
    unchanged = import_file(demo, kind("venues"), path, dry_run=True)
    assert unchanged["counts"]["same"] == len(demo.venues.list()) == 17
    assert unchanged["counts"]["update"] == 0 and not unchanged["warnings"] and not unchanged["refused"]
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    name = heading.index("阵地名称") + 1
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, name).value == "新城一组片区议事厅")
    old = sheet.cell(row, heading.index("地址") + 1).value
    sheet.cell(row, heading.index("地址") + 1).value = "兴龙湖大道1号"
    book.save(path)
    before = venue_rows(demo)
    done = import_file(demo, kind("venues"), path)
    assert done["counts"]["update"] == 1 and done["counts"]["same"] == 16
    assert done["updates"][0]["changes"] == [{"field": "地址", "old": old or "", "new": "兴龙湖大道1号"}]
    assert len(done["changes"].rows) == 1
    demo.undo(done["changes"], "导入阵地")
    assert venue_rows(demo) == before


def test_rooms_named_are_added_and_rooms_left_out_are_told(demo, tmp_path):
    path = tmp_path / "阵地一览表.xlsx"
    export_register(demo, "venues", path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    names = {sheet.cell(r, heading.index("阵地名称") + 1).value: r for r in range(4, sheet.max_row + 1)}
    rooms = heading.index("会议室") + 1
    sheet.cell(names["新城一组片区议事厅"], rooms).value = "议事室、调解室"
    sheet.cell(names["中山路街道议事中心"], rooms).value = "第一会议室（大会议室）、第二会议室"
    book.save(path)
    done = import_file(demo, kind("venues"), path)
    assert done["counts"]["update"] == 1
    assert done["updates"][0]["changes"] == [{"field": "会议室", "old": "议事室", "new": "议事室、调解室"}]
    [told] = done["warnings"]
    assert told["name"] == "中山路街道议事中心" and "第三会议室、第四会议室、第五会议室" in told["warning"]
    assert "未删除" in told["warning"]
    kept = {v["name"]: v["room_names"] for v in demo.venues.list()}
    assert kept["新城一组片区议事厅"] == "议事室、调解室" and kept["中山路街道议事中心"].count("、") == 4


def test_the_register_into_a_new_office_gives_the_same_venues(demo, store, tmp_path):
    path = tmp_path / "阵地一览表.xlsx"
    export_register(demo, "venues", path)
    done = import_file(store, kind("venues"), path)
    assert done["counts"]["new"] == 17 and not done["refused"] and not done["warnings"]
    assert venue_rows(store) == venue_rows(demo)
    assert {c["name"] for c in store.communities.list()} <= {c["name"] for c in demo.communities.list()}


def test_the_cli_imports_venues_and_a_dry_run_leaves_the_store(tmp_path):
    data = tmp_path / "office"
    run_cli("init", "--data-dir", data, check=True)
    with Store.open(data) as store:
        before = digest(store)
    dry = run_cli("import", "venues", sample(), "--dry-run", "--data-dir", data, "--json", check=True)
    report = json.loads(dry.stdout)
    assert report["counts"]["new"] == 11 and report["refused"][0]["cell"] == "B17"
    with Store.open(data) as store:
        assert digest(store) == before
    done = run_cli("import", "venues", sample(), "--data-dir", data, check=True)
    assert "新增 11 处" in done.stdout and "拒绝：阵地统计 第 17 行（B17）" in done.stdout
    assert "新建村（社区）：" in done.stdout
    with Store.open(data) as store:
        assert len(store.venues.list()) == 11
