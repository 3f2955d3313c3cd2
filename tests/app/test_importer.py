import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.common.errors import AppError
from app.common.idcard import check_digit
from app.registers.catalog import export_register
from app.workbooks.importer import import_roster, read_workbook
from tests.conftest import digest, run_cli

# The clerk's messy roster from the shared samples, kept with the tests so a clean clone runs them.
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "roster_sample.xlsx"


def make_id(birth, seq="123"):
    first17 = f"500118{birth}{seq}"
    return first17 + check_digit(first17)


def test_the_clerks_sample_roster(store, tmp_path):
    report = import_roster(store, SAMPLE)
    assert report["imported"] == 20
    rejected = {(r["row"], r["name"]): r["reason"] for r in report["rejected"]}
    assert "校验位" in rejected[(6, "覃超建")] and "存成了数字" in rejected[(9, "薛涛")]
    assert [(d["row"], d["name"]) for d in report["duplicates"]] == [(25, "姚秀英")]
    assert set(report["created"]["groups"]) == {"老城小组", "新城三组", "新城一组", "农村小组"}
    assert "永和村" in report["created"]["communities"]
    assert store.rows("SELECT action FROM audit ORDER BY seq DESC LIMIT 1")[0]["action"] == "import"
    imported = {r["name"] for r in report["rows"] if r["verdict"] == "ok"}
    export_register(store, "roster", tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx").active
    names = {ws.cell(r, 2).value for r in range(4, 4 + 20)}
    assert names == imported and "郝芬彬" in names  # stray spaces trimmed, nothing else touched
    gong = store.rows("SELECT id_number FROM delegates WHERE name = '龚平兰'")[0]["id_number"]
    assert gong == "500118198006032331"  # full-width digits
    he = store.rows("SELECT phone FROM delegates WHERE name = '何伟'")[0]["phone"]
    assert he == "15483954862"


def test_a_dry_run_leaves_the_database_file_byte_for_byte(tmp_path):
    folder = tmp_path / "data"
    run_cli("--data-dir", folder, "init", check=True)
    before = hashlib.sha256((folder / "yishi.db").read_bytes()).hexdigest()
    result = run_cli("--data-dir", folder, "import", "delegates", SAMPLE, "--dry-run", "--json", check=True)
    report = json.loads(result.stdout)
    assert report["imported"] == 20 and report["dry_run"]
    assert hashlib.sha256((folder / "yishi.db").read_bytes()).hexdigest() == before


def test_messy_workbooks(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["某某街道议事代表名册"])
    ws.append(["填报单位：工委"])
    ws.append(["序号", "所在村（社区）", "姓  名", "身份证号码", "出生年月", "联系电话", "议事小组", "小组职务"])
    ws.append([1, "文昌社区", "阿依古丽·买买提", make_id("19750315").lower().replace("X", "x"), "1975年3月",
               "１３８１２３４５６７８", "新城三组", "组长"])
    ws.append([2, None, "吉𠮷\u200b", make_id("19800101", "124"), "1980/01/01", "138 1234 0000", "新城三组", "组长"])
    ws.append([3, None, "号码丢了", 500118197501011234, "1975.01", "", "新城三组", ""])
    ws.append([4, None, "日期不存在", "500118" + "19990230" + "123" + check_digit("50011819990230123"), "", "", "", ""])
    ws.merge_cells("B4:B7")
    ws.append(["合计", "=COUNTA(C4:C7)"])
    other = wb.create_sheet("二组")
    other.append(["姓名", "身份证号", "所在村(社区)"])
    other.append(["阿依古丽·买买提", make_id("19750315"), "文昌社区"])
    other.append(["张三", "", "临江村"])
    path = tmp_path / "messy.xlsx"
    wb.save(path)
    before = digest(store)
    dry = import_roster(store, path, dry_run=True)
    assert digest(store) == before
    verdicts = {(r["sheet"], r["name"]): r for r in dry["rows"]}
    assert verdicts[("一组", "阿依古丽·买买提")]["verdict"] == "ok"
    assert verdicts[("一组", "吉𠮷")]["verdict"] == "ok"  # zero-width space gone, 𠮷 kept
    assert "存成了数字" in verdicts[("一组", "号码丢了")]["reason"]
    assert "不存在" in verdicts[("一组", "日期不存在")]["reason"]
    assert "第 4 行重复" in verdicts[("二组", "阿依古丽·买买提")]["reason"]
    assert verdicts[("二组", "张三")]["verdict"] == "ok" and "没有身份证号" in verdicts[("二组", "张三")]["warnings"]
    dry = import_roster(store, path, dry_run=True)
    report = import_roster(store, path)
    assert report["imported"] == 3
    # the dry run said what the import then did: the same verdicts, warnings and creations
    assert {k: v for k, v in dry.items() if k not in ("dry_run", "changes")} == \
        {k: v for k, v in report.items() if k not in ("dry_run", "changes")}
    rows = {r["name"]: r for r in store.rows("SELECT d.*, c.name AS community FROM delegates d"
                                             " JOIN communities c ON c.id = d.community_id")}
    assert rows["吉𠮷"]["community"] == "文昌社区"  # filled down from the merged cell
    assert rows["阿依古丽·买买提"]["phone"] == "13812345678" and rows["阿依古丽·买买提"]["group_role"] == "leader"
    assert rows["吉𠮷"]["group_role"] == "member"  # a second leader is imported as a member
    assert any("组长已满（限 1 人）" in w["warning"] for w in report["warnings"])
    assert rows["张三"]["community"] == "临江村"
    assert store.communities.find_by_name("临江村")["kind"] == "village"
    again = import_roster(store, path, dry_run=True)
    assert again["imported"] == 0 and all("数据库中已有" in d["reason"] or "重复" in d["reason"]
                                          for d in again["duplicates"])


def test_not_a_workbook_is_refused(store, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(AppError, match="不是 Excel 文件"):
        import_roster(store, bad)
    wb = Workbook()
    wb.active.append(["随便", "什么"])
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(AppError, match="没有找到花名册"):
        read_workbook(tmp_path / "empty.xlsx") or import_roster(store, tmp_path / "empty.xlsx")


def test_a_leader_with_no_group_column_is_told_why(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "所在村（社区）", "小组职务", "联系网格"])
    ws.append(["钱七", "中山路社区", "组长", "第3网格"])
    path = tmp_path / "无小组.xlsx"
    wb.save(path)
    dry = import_roster(store, path, dry_run=True)
    assert "表中没有填写议事小组，“组长”职务未导入，已按成员导入" in [w["warning"] for w in dry["warnings"]]
    assert dry["created"]["grids"] == ["中山路社区第3网格"]  # the dry run lists the grids to be created
    done = import_roster(store, path)
    assert done["warnings"] == dry["warnings"] and done["created"] == dry["created"]


def test_a_second_import_finds_the_delegates_already_stored_and_changes_nothing(store):
    """The file's ID numbers are looked up in the store once for all rows: every delegate already in
    the current term is the same record again (by ID number, or by name and community without one)."""
    first = import_roster(store, SAMPLE)
    again = import_roster(store, SAMPLE, dry_run=True)
    assert first["imported"] == 20
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 20)
    assert {r["verdict_label"] for r in again["rows"] if r["verdict"] == "same"} == {"无变化"}
    assert all("重复" in d["reason"] for d in again["duplicates"])  # only the file's own repeats


def test_a_changed_cell_in_the_roster_comes_back_as_one_update(demo, tmp_path):
    """The desk's own roster (ID numbers masked) edited in Excel: one changed phone is one update,
    listed old -> new; the import writes that one field and nothing else."""
    from app.registers.catalog import export_register

    path = tmp_path / "花名册.xlsx"
    export_register(demo, "roster", path)
    same = import_roster(demo, path, dry_run=True)
    serving = demo.scalar("SELECT count(*) FROM delegates WHERE deleted = 0 AND status = 'active'")
    assert (same["imported"], same["updated"], same["unchanged"], same["rejected"]) == (0, 0, serving, [])
    book = load_workbook(path)
    sheet = book.active
    heading = [c.value for c in sheet[3]]
    name, old = sheet.cell(4, heading.index("姓名") + 1).value, sheet.cell(4, heading.index("联系电话") + 1).value
    sheet.cell(4, heading.index("联系电话") + 1).value = "13900001111"
    book.save(path)
    done = import_roster(demo, path)
    assert done["updates"] == [{"sheet": "花名册", "row": 4, "name": name, "changes": [
        {"field": "联系电话", "old": old, "new": "13900001111"}], "change_text": f"联系电话：{old} → 13900001111"}]
    assert [(c.table, c.kind, set(c.after)) for c in done["changes"].rows] == [("delegates", "update", {"phone"})]
    demo.undo(done["changes"], "导入花名册")
    assert demo.scalar("SELECT phone FROM delegates WHERE name = ? AND deleted = 0", [name]) == old


def test_a_masked_id_the_store_does_not_hold_is_refused(store, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "所在村（社区）", "身份证号"])
    wb.active.append(["钱七", "中山路社区", "500118********2498"])
    wb.save(tmp_path / "masked.xlsx")
    report = import_roster(store, tmp_path / "masked.xlsx", dry_run=True)
    assert [r["reason"] for r in report["rejected"]] == [
        "身份证号已脱敏（中间为 *），数据库中找不到这名代表；新代表请填写完整的身份证号"]


def test_the_import_report_the_clerk_saves_lists_every_row_with_its_verdict(store, tmp_path):
    from app.registers.writer import write_register
    from app.workbooks.importer import report_register

    report = import_roster(store, SAMPLE, dry_run=True)
    write_register(tmp_path / "结果.xlsx", report_register(store, report))
    book = load_workbook(tmp_path / "结果.xlsx")
    assert book.sheetnames == ["导入结果"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "花名册导入检查结果（roster_sample.xlsx）"
    assert rows[1][0].startswith(f"填报单位：{store.settings.unit()}")
    assert rows[2] == ("序号", "工作表", "行号", "姓名", "结果", "原因", "提示", "所在村（社区）", "议事小组")
    assert len(rows) >= 3 + len(report["rows"])
    shown = {r[2]: r[1:] for r in rows[3:3 + len(report["rows"])]}
    assert shown["3"] == ("花名册", "3", "姚秀英", "导入", None, None, "红旗社区", "老城小组")
    assert shown["6"][2:5] == ("覃超建", "拒绝", "身份证号校验位错误（最后一位应为 3，现为 0），请核对")
    refused = next(r for r in report["rows"] if r["row"] == 6)  # refused before its community was read
    assert (refused["community"], refused["group"], shown["6"][6:8]) == ("", "", (None, None))
    duplicate = next(r for r in report["rows"] if r["verdict"] == "duplicate")
    assert rows[3 + report["rows"].index(duplicate)][4:6] == ("重复", duplicate["reason"])
    wb = Workbook()
    wb.active.append(["姓名", "所在村（社区）", "身份证号", "联系电话"])
    wb.active.append(["张三", "临江村", "", "123"])
    wb.save(tmp_path / "warned.xlsx")
    write_register(tmp_path / "结果.xlsx", report_register(store, import_roster(store, tmp_path / "warned.xlsx",
                                                                               dry_run=True)))
    warned = list(load_workbook(tmp_path / "结果.xlsx").active.iter_rows(values_only=True))[3]
    assert warned[3:7] == ("张三", "导入", None,
                           "没有身份证号；联系电话应为 7—12 位数字（手机号 11 位，座机可带区号），未导入电话")


def test_an_imported_roster_goes_into_the_current_term_with_its_communities_and_groups(store, tmp_path):
    from datetime import date

    store.terms.create({"name": "第一届", "start_date": date.today().isoformat()})
    assert store.terms.current_id()
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "所在村（社区）", "议事小组", "身份证号"])
    ws.append(["赵一", "文昌社区", "新城三组", make_id("19750315")])
    ws.append(["钱二", "临江村", "", make_id("19800101", "124")])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    report = import_roster(store, path)
    assert report["imported"] == 2
    rows = {r["name"]: r for r in store.rows(
        "SELECT d.name, d.term_id, d.group_id AS delegate_group, c.kind, c.group_id AS community_group, g.name AS grp"
        " FROM delegates d JOIN communities c ON c.id = d.community_id LEFT JOIN groups g ON g.id = c.group_id")}
    assert {r["term_id"] for r in rows.values()} == {store.terms.current_id()}
    assert (rows["赵一"]["kind"], rows["赵一"]["grp"]) == ("community", "新城三组")  # a new community joins its group
    assert rows["赵一"]["delegate_group"] == rows["赵一"]["community_group"]
    assert (rows["钱二"]["kind"], rows["钱二"]["community_group"], rows["钱二"]["delegate_group"]) == ("village", None, None)


def test_what_the_file_says_beside_the_id_number_is_checked_against_it_or_kept(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生年月", "身份证号", "所在村（社区）", "议事小组", "小组职务", "工作单位及职务"])
    ws.append(["甲", "女", "1976年3月", make_id("19750315"), "文昌社区", "新城三组", "副组长", "区医院 医生"])
    ws.append(["乙", "男", "1975.03", make_id("19750316", "133"), "文昌社区", "新城三组", "组员", ""])
    ws.append(["丙", "男", "1980-01-05", "", "文昌社区", "新城三组", "队长", ""])
    ws.append(["丁", "未知", "1980年1月", "", "文昌社区", "", "", ""])
    ws.append(["戊", "", "1980-02-30", "", "文昌社区", "", "", ""])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    report = import_roster(store, path)
    warnings = {}
    for w in report["warnings"]:
        warnings.setdefault(w["name"], []).append(w["warning"])
    assert warnings == {"甲": ["表中性别“女”与身份证号（男）不一致，已按身份证号登记",
                               "表中出生年月与身份证号不一致，已按身份证号登记"],
                        "丙": ["没有身份证号", "小组职务“队长”不在可选范围内（组长、副组长、成员），已按成员登记"],
                        "丁": ["没有身份证号", "性别“未知”不是“男”或“女”，未登记性别"]}  # kept as before, but said
    assert [(r["name"], r["reason"]) for r in report["rejected"]] == [("戊", "出生日期“1980-02-30”不存在")]
    rows = {r["name"]: r for r in store.rows("SELECT * FROM delegates")}
    assert (rows["甲"]["gender"], rows["甲"]["birth_date"], rows["甲"]["group_role"], rows["甲"]["workplace"]) == \
        ("男", "1975-03-15", "deputy_leader", "区医院 医生")
    assert (rows["乙"]["group_role"], rows["乙"]["birth_date"]) == ("member", "1975-03-16")
    assert (rows["丙"]["gender"], rows["丙"]["birth_date"], rows["丙"]["group_role"]) == ("男", "1980-01-05", "member")
    assert (rows["丁"]["gender"], rows["丁"]["birth_date"]) == (None, None)


def test_a_row_whose_delegate_and_grid_both_clash_at_the_write_is_refused_for_its_delegate_first(store, tmp_path):
    from app.common.errors import ValidationError

    with store.write("setup", "准备") as tx:
        community = tx.insert("communities", {"name": "文昌社区", "kind": "community"})
        tx.insert("grids", {"community_id": community, "number": 9, "name": "第5网格"})  # named 第5网格, number 9
        tx.insert("delegates", {"name": "老王", "community_id": community, "certificate_no": "C1"})
    wb = Workbook()
    wb.active.append(["姓名", "所在村（社区）", "聘书编号", "联系网格"])
    wb.active.append(["张三", "文昌社区", "C1", "5"])  # 聘书 C1 taken; grid 5 would be a second 第5网格
    wb.save(tmp_path / "两处.xlsx")
    with pytest.raises(ValidationError, match="^聘书编号“C1”已经有了，不能重复$"):
        import_roster(store, tmp_path / "两处.xlsx")
    assert store.scalar("SELECT count(*) FROM delegates") == 1


def test_a_roster_without_a_community_column_refuses_every_row_for_it(store, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "性别", "联系电话"])
    wb.active.append(["张三", "男", "13800000000"])
    wb.save(tmp_path / "无社区.xlsx")
    report = import_roster(store, tmp_path / "无社区.xlsx")
    assert report["imported"] == 0 and store.scalar("SELECT count(*) FROM delegates") == 0
    assert [(r["name"], r["verdict"], r["reason"], r["community"], r["group"]) for r in report["rows"]] == [
        ("张三", "rejected", "所在村（社区）为空", "", "")]


def test_a_grid_number_beyond_the_book_refuses_its_row_by_name_and_the_others_come_in(store, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "所在村（社区）", "所属网格"])
    wb.active.append(["张三", "文昌社区", "第3网格"])
    wb.active.append(["李四", "文昌社区", "第3网格、第１２３４５６网格（东片区老旧小区及沿街商铺一带）"])
    wb.save(tmp_path / "网格.xlsx")
    report = import_roster(store, tmp_path / "网格.xlsx")
    assert report["imported"] == 1
    assert [(r["row"], r["name"], r["reason"]) for r in report["rejected"]] == [
        (3, "李四", "“所属网格”中“第１２３４５６网格（东片区老旧小区及沿街”的编号不能大于 100000")]
    assert [r["number"] for r in store.rows("SELECT number FROM grids WHERE deleted = 0")] == [3]


def test_grids_are_linked_once_reused_when_stored_and_the_import_reports_progress_or_is_cancelled(store, tmp_path):
    from app.common.errors import Cancelled

    def roster(name, *rows):
        wb = Workbook()
        wb.active.append(["姓名", "所在村（社区）", "联系网格"])
        for row in rows:
            wb.active.append(row)
        wb.save(tmp_path / name)
        return tmp_path / name

    first = roster("一.xlsx", ["张三", "文昌社区", "第3网格、第３网格，5"], ["王五", "文昌社区", ""])
    seen = []
    import_roster(store, first, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    grids = {r["number"]: r["id"] for r in store.rows("SELECT id, number FROM grids WHERE deleted = 0")}
    assert sorted(grids) == [3, 5]
    links = store.rows("SELECT d.name, g.number FROM delegate_grids l JOIN delegates d ON d.id = l.delegate_id"
                       " JOIN grids g ON g.id = l.grid_id WHERE l.deleted = 0 ORDER BY g.number")
    assert [(r["name"], r["number"]) for r in links] == [("张三", 3), ("张三", 5)]
    second = roster("二.xlsx", ["李四", "文昌社区", "3"])
    import_roster(store, second)
    assert store.scalar("SELECT count(*) FROM grids WHERE deleted = 0") == 2  # the stored grid reused
    assert store.scalar("SELECT count(*) FROM delegate_grids l JOIN delegates d ON d.id = l.delegate_id"
                        " WHERE d.name = '李四' AND l.grid_id = ?", [grids[3]]) == 1
    with pytest.raises(Cancelled, match="^已取消导入，没有保存任何记录$"):
        import_roster(store, roster("三.xlsx", ["赵六", "文昌社区", ""], ["钱七", "文昌社区", ""]),
                      progress=lambda done, total: done < 2 and None)
    assert store.scalar("SELECT count(*) FROM delegates WHERE name IN ('赵六', '钱七')") == 0
    assert {r["status"] for r in store.rows("SELECT status FROM delegates")} == {"active"}
