"""The meetings an office held before the desk, from its own list, and the 议事活动登记台账 back as updates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from app.common.errors import AppError
from app.registers.catalog import export_register
from app.registers.meetings import meetings as meetings_register
from app.rules import meeting_kinds as mk
from app.store import Store
from app.workbooks.bring_in import import_file
from app.workbooks.kinds import LABELS, kind
from tests.app.workbooks.sheets import messy_sheet
from tests.conftest import ROOT, digest, run_cli

SAMPLE = ROOT / "data" / "samples" / "议事活动登记.xlsx"


def meetings_of(store) -> dict[str, dict]:
    return {m["title"]: m for m in store.rows("SELECT * FROM meetings WHERE deleted = 0")}


def test_the_kind_is_registered_with_its_sample():
    meetings = kind("meetings")
    assert LABELS["meetings"] == "议事活动" and (ROOT / "data" / "samples" / meetings.sample) == SAMPLE
    assert SAMPLE.exists()


def test_the_shipped_sample_comes_in_with_its_refusal_named(store):
    before = digest(store)
    checked = import_file(store, kind("meetings"), SAMPLE, dry_run=True)
    assert digest(store) == before  # a dry run writes nothing
    assert checked["counts"] == {"new": 7, "update": 0, "same": 0, "refused": 1, "duplicate": 0}
    assert [(r["row"], r["reason"], r["cell"]) for r in checked["refused"]] == [
        (12, "出席 15 人，多于应到的 12 人", "H12")]
    assert [s["row"] for s in checked["skipped"]] == [10, 14, 15]  # 小计, 合计, the note
    done = import_file(store, kind("meetings"), SAMPLE)
    assert done["counts"] == checked["counts"]
    found = meetings_of(store)
    assert len(found) == 7 and all(m["status"] == "held" for m in found.values())  # all in the past
    # the kinds as offices write them (代表大会, 小组活动 merged over two rows, 专题协商)
    kinds = {title: m["kind"] for title, m in found.items()}
    assert kinds["2025年上半年议事代表大会"] == mk.PLENARY and kinds["辖区学校周边交通安全专题议事"] == mk.SPECIAL
    second = found["新城一组2025年第二季度议事活动"]  # no title: the one the desk gives; its kind merged from above
    assert second["kind"] == mk.GROUP_ACTIVITY and second["date"] == "2025-04-10"
    assert (second["count_expected"], second["count_present"], second["count_guests"]) == (13, 11, 2)
    assert second["count_excused"] is None and second["count_absent"] is None  # not given: not invented
    assert second["summary"].startswith("听取社区关于背街小巷")
    # a place that is none of the office's halls: in the notes, told
    assert second["notes"] == "名称未填；地点：新城一组片区议事厅" and second["venue_id"] is None
    assert any(w["row"] == 6 and "不是已登记的议事阵地" in w["warning"] for w in done["warnings"])
    assert done["created"] == {"议事小组": ["老城小组", "新城一组", "新城二组"]}
    groups = {g["name"]: g["id"] for g in store.groups.list()}
    assert second["group_id"] == groups["新城一组"]
    # imported again: nothing changes
    again = import_file(store, kind("meetings"), SAMPLE, dry_run=True)
    assert again["counts"]["same"] == 7 and again["counts"]["new"] == again["counts"]["update"] == 0


def test_figures_without_a_sign_in_list_are_what_the_register_and_the_statistics_read(store, tmp_path):
    import_file(store, kind("meetings"), SAMPLE)
    found = meetings_of(store)
    plenary = found["2025年上半年议事代表大会"]["id"]
    counts = store.attendance.summary(plenary)
    assert (counts["present"], counts["attending_nonmember"], counts["expected"], counts["counted"]) == (62, 8, 70, 1)
    quorum = store.attendance.quorum(plenary)
    assert (quorum["total"], quorum["present"], quorum["met"]) == (70, 62, True)
    rows = {r["title"]: r["attendance"] for r in meetings_register(store).rows}
    assert rows["2025年上半年议事代表大会"] == "应到70 出席62 列席8"
    from app.services.meetings import MeetingFilter

    listed = {m["title"]: m["present"] for m in store.meetings.page(MeetingFilter())}
    assert listed["2025年上半年议事代表大会"] == 62  # the meetings list says the same
    # the year-end summary's group attendance adds the groups' figures (应到 as given)
    from app.services.summary_draft import Figures

    facts = Figures(store, 2025)
    assert facts.group_attendance() == (12 + 11 + 12, 14 + 13 + 12)
    # and the minutes say it too, instead of “出席：无”
    from pypdf import PdfReader

    from app.documents.meeting_docs import minutes

    text = "".join(page.extract_text() for page in PdfReader(minutes(store, plenary, tmp_path / "纪要.pdf")).pages)
    text = text.replace("\n", "").replace(" ", "")
    assert "全体议事代表70名，实到62名" in text and "出席：62人" in text and "列席：8人" in text


def test_a_meeting_signed_in_keeps_its_list_and_figures_that_differ_are_told(demo, tmp_path):
    path = tmp_path / "议事活动登记台账.xlsx"
    export_register(demo, "meetings", path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    row = next(r for r in range(4, sheet.max_row + 1)
               if sheet.cell(r, heading.index("类型") + 1).value == "议事代表大会"
               and sheet.cell(r, heading.index("状态") + 1).value == "已召开")
    cell = sheet.cell(row, heading.index("出席情况") + 1)
    signed = cell.value
    cell.value = "应到80 出席79"
    book.save(path)
    before = digest(demo)
    checked = import_file(demo, kind("meetings"), path, dry_run=True)
    assert checked["counts"]["update"] == 0 and digest(demo) == before
    told = [w for w in checked["warnings"] if w["row"] == row]
    assert len(told) == 1 and "已有签到名单" in told[0]["warning"] and "未导入" in told[0]["warning"]
    assert signed.startswith("出席")


def test_the_register_comes_back_as_an_update_of_one_field_and_one_undo(demo, tmp_path):
    path = tmp_path / "议事活动登记台账.xlsx"
    export_register(demo, "meetings", path)
    total = demo.meetings.count()
    unchanged = import_file(demo, kind("meetings"), path, dry_run=True)
    assert unchanged["counts"] == {"new": 0, "update": 0, "same": total, "refused": 0, "duplicate": 0}
    assert unchanged["absent"]["count"] == 0 and not unchanged["warnings"]
    book = openpyxl.load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    title = sheet.cell(4, heading.index("会议名称") + 1).value
    time_cell = sheet.cell(4, heading.index("时间") + 1)
    start, _, end = time_cell.value.partition("—")
    time_cell.value = f"{start}—12:00"
    book.save(path)
    before = meetings_of(demo)[title]
    done = import_file(demo, kind("meetings"), path)
    assert done["counts"]["update"] == 1 and done["counts"]["same"] == total - 1
    assert done["updates"][0]["changes"] == [{"field": "结束时间", "old": end, "new": "12:00"}]
    assert len(done["changes"].rows) == 1
    assert meetings_of(demo)[title]["end_time"] == "12:00"
    demo.undo(done["changes"], "导入议事活动")
    assert meetings_of(demo)[title] == before


def test_an_import_is_one_undo(store):
    done = import_file(store, kind("meetings"), SAMPLE)
    assert meetings_of(store)
    store.undo(done["changes"], "导入议事活动")
    assert not meetings_of(store) and not store.groups.list()


def test_the_register_from_the_demo_gives_a_new_office_the_same_meetings(demo, tmp_path):
    path = tmp_path / "议事活动登记台账.xlsx"
    export_register(demo, "meetings", path)
    with Store.open(tmp_path / "new") as office:
        # the getting-started order: the halls (and their rooms) and the departments come before
        for venue in demo.venues.list():
            office.venues.create({"name": venue["name"], "level": venue["level"]},
                                 [r["name"] for r in demo.venues.rooms(venue["id"])])
        known = set(office.departments.names())
        with office.write("create", "部门") as tx:
            for name in demo.departments.names():
                if name not in known:
                    tx.insert("departments", {"name": name})
        done = import_file(office, kind("meetings"), path)
        assert done["counts"]["new"] == demo.meetings.count() and not done["refused"] and not done["warnings"]

        def lines(store):  # every column but the follow-up items (the minutes' items are not in the register)
            return sorted(tuple(v for k, v in r.items() if k in keys) for r in meetings_register(store).rows)

        keys = [c.key for c in meetings_register(demo).columns if c.key != "items"]
        assert lines(office) == lines(demo)  # kinds, dates, places, groups, held states, attendance as figures
        assert office.meetings.by_kind(status="held") == demo.meetings.by_kind(status="held")
        # and the new office's own register comes back unchanged
        again = tmp_path / "again.xlsx"
        export_register(office, "meetings", again)
        same = import_file(office, kind("meetings"), again, dry_run=True)
        assert same["counts"]["same"] == demo.meetings.count() and same["counts"]["update"] == 0


def test_each_refusal_names_its_reason_and_cell(store, tmp_path):
    header = ["日期", "类型", "会议名称", "议事小组", "地点", "应到人数", "实到人数", "会议纪要", "状态"]
    rows = [["2025-05-06", "座谈会", "某某座谈", None, None, None, None, None, None],  # not a kind
            ["2025-13-40", "专题议事", "日期不对的专题议事", None, None, None, None, None, None],
            [None, "专题议事", "没有日期的专题议事", None, None, None, None, None, None],
            ["2099-01-05", "专题议事", "将来的专题议事", None, None, None, 12, None, None],  # figures in the future
            ["2099-01-06", "专题议事", "将来的已开专题议事", None, None, None, None, None, "已召开"],
            ["2099-01-07", "专题议事", "将来的有纪要的专题议事", None, None, None, None, "纪要", None],
            ["2025-05-08", "分组活动", "没有小组的活动", None, None, None, None, None, None],  # group required
            ["2025-05-09", "接待日", "没有议事堂的接待日", None, "某小区门口", None, None, None, None],
            ["2025-05-10", "专题议事", "状态不对的专题议事", None, None, None, None, None, "开过了"],
            ["2025-05-11", "专题议事", "好的专题议事", None, None, 10, "9人", None, None],
            ["2025-05-11", "专题议事", "好的专题议事", None, None, 10, 9, None, None]]  # the same twice
    path = messy_sheet(tmp_path / "活动.xlsx", "议事活动登记表", header, rows)
    before = digest(store)
    checked = import_file(store, kind("meetings"), path, dry_run=True)
    assert digest(store) == before
    refused = {r["row"]: (r["reason"], r["cell"]) for r in checked["refused"]}
    assert refused == {
        4: ("“会议类型”“座谈会”不在可选值中（议事代表大会、分组活动、接待日、专题议事）", "B4"),
        5: ("“日期”“2025-13-40”不是存在的日期", "A5"),
        6: ("日期为空", "A6"),
        7: ("会议日期 2099-01-05 在今天之后，还不能登记出席人数", "G7"),
        8: ("会议日期 2099-01-06 在今天之后，不能标为已召开", "I8"),
        9: ("会议日期 2099-01-07 在今天之后，还不能登记会议纪要", "H9"),
        10: ("分组活动须选择议事小组", "D10"),
        11: ("地点“某小区门口”不是已登记的议事阵地：接待日须选择接待的议事堂（请先导入阵地）", "E11"),
        12: ("“状态”“开过了”不在可选值中（计划、已召开、已取消）", "I12"),
        14: ("与第 13 行是同一议事活动", ""),
    }
    assert checked["counts"]["new"] == 1


def test_a_file_that_is_no_list_of_meetings_is_refused_whole(store, tmp_path):
    path = messy_sheet(tmp_path / "网格.xlsx", "网格员花名册", ["社区名称", "网格名称", "网格员"],
                       [["中山路社区", "第1网格", "杨婷"]])
    before = digest(store)
    with pytest.raises(AppError, match="没有找到议事活动表"):
        import_file(store, kind("meetings"), path)
    assert digest(store) == before


def test_the_cli_imports_the_sample_and_a_dry_run_leaves_the_store(tmp_path):
    data = tmp_path / "office"
    run_cli("init", "--data-dir", data, check=True)
    sample = tmp_path / "议事活动登记.xlsx"
    shutil.copy(SAMPLE, sample)
    with Store.open(data) as store:
        before = digest(store)
    dry = run_cli("import", "meetings", sample, "--dry-run", "--data-dir", data, "--json", check=True)
    report = json.loads(dry.stdout)
    assert report["counts"]["new"] == 7 and report["refused"][0]["cell"] == "H12"
    with Store.open(data) as store:
        assert digest(store) == before
    refused = run_cli("import", "meetings", Path(__file__), "--data-dir", data)
    assert refused.returncode != 0
    with Store.open(data) as store:
        assert digest(store) == before
    done = run_cli("import", "meetings", sample, "--data-dir", data, check=True)
    assert "新增 7 次" in done.stdout and "拒绝：" in done.stdout and "跳过：" in done.stdout
    assert "新建议事小组：老城小组、新城一组、新城二组" in done.stdout
    with Store.open(data) as store:
        assert len(meetings_of(store)) == 7


def test_the_kinds_answer_to_the_words_offices_use():
    assert mk.kind_named("代表大会").code == mk.PLENARY and mk.kind_named("小组活动").code == mk.GROUP_ACTIVITY
    assert mk.kind_named(" 接待日 ").code == mk.RECEPTION and mk.kind_named("专题议事会").code == mk.SPECIAL
    assert mk.kind_named("座谈会") is None and mk.kind_named("") is None
    assert mk.kind_mentioned("2025年上半年议事代表大会").code == mk.PLENARY
    assert mk.kind_mentioned("老城小组第一季度小组活动").code == mk.GROUP_ACTIVITY
    assert mk.kind_mentioned("走访慰问") is None


def test_a_list_with_its_day_under_时间_and_its_kind_in_the_title(store, tmp_path):
    header = ["序号", "时间", "会议名称", "参会情况", "主要内容"]
    rows = [[1, "2025年3月5日 14:30", "2025年上半年议事代表大会", "58人", "听取报告\n票决民生实事项目"],
            [2, "2025年6月9日", "关于菜市场改造的专题议事会", "应到15人，实到13人，请假2人", None]]
    path = messy_sheet(tmp_path / "会议.xlsx", "会议记录", header, rows)
    done = import_file(store, kind("meetings"), path)
    assert done["counts"]["new"] == 2 and not done["refused"] and not done["warnings"]
    found = meetings_of(store)
    plenary, special = found["2025年上半年议事代表大会"], found["关于菜市场改造的专题议事会"]
    assert (plenary["kind"], plenary["date"], plenary["count_present"]) == (mk.PLENARY, "2025-03-05", 58)
    assert plenary["summary"] == "听取报告\n票决民生实事项目"  # the minutes' lines kept
    assert (special["kind"], special["count_expected"], special["count_present"], special["count_excused"]) == (
        mk.SPECIAL, 15, 13, 2)


def test_the_register_of_an_office_that_came_from_its_list_comes_back_unchanged(store, tmp_path):
    """Figures and places kept in the notes survive the register's round trip; a hall registered
    since takes the place of the notes' line."""
    import_file(store, kind("meetings"), SAMPLE)
    path = tmp_path / "台账.xlsx"
    export_register(store, "meetings", path)
    same = import_file(store, kind("meetings"), path, dry_run=True)
    assert same["counts"] == {"new": 0, "update": 0, "same": 7, "refused": 0, "duplicate": 0}
    store.venues.create(_hall("新城一组片区议事厅"))
    done = import_file(store, kind("meetings"), SAMPLE)
    assert done["counts"]["update"] == 1
    assert [c["field"] for c in done["updates"][0]["changes"]] == ["地点", "备注"]
    second = meetings_of(store)["新城一组2025年第二季度议事活动"]
    assert second["notes"] == "名称未填" and second["venue_id"]


def _hall(name: str) -> dict:
    from app.rules.codes import VENUE_LEVELS

    return {"name": name, "level": VENUE_LEVELS[1][0]}  # (a 片区议事厅; any level would do)
