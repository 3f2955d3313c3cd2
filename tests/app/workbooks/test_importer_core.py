"""The roster import (app/workbooks/importer.py, roster_updates.py) on small files into a fresh empty
office: which rows are imported, refused or repeated with the exact Chinese reason, what a second
file updates old -> new, the warnings, what is created and written. No demo, no Qt, no subprocess:
each test takes a fraction of a second, so the mutation run (tests/mutation/run.py) can afford them."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from app.common.errors import AppError, Cancelled
from app.common.idcard import check_digit, mask
from app.workbooks.importer import import_roster, read_workbook

HEADER = ["姓名", "身份证号", "所在村（社区）", "议事小组", "小组职务", "联系网格"]


def make_id(birth: str, seq: str = "123") -> str:
    first17 = f"500118{birth}{seq}"
    return first17 + check_digit(first17)


def roster(tmp_path, header, *rows, name="roster.xlsx", sheet="花名册", before=()):
    """One sheet: the rows of `before` (titles), the header, the rows."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in before:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def verdicts(report) -> list[tuple]:
    return [(r["sheet"], r["row"], r["name"], r["verdict"], r["reason"]) for r in report["rows"]]


def delegates(store) -> dict[str, dict]:
    return {r["name"]: r for r in store.rows(
        "SELECT d.*, c.name AS community, g.name AS grp FROM delegates d JOIN communities c ON c.id = d.community_id"
        " LEFT JOIN groups g ON g.id = d.group_id WHERE d.deleted = 0")}


def grids_of(store, name) -> list[int]:
    return [r["number"] for r in store.rows(
        "SELECT g.number FROM delegate_grids l JOIN delegates d ON d.id = l.delegate_id JOIN grids g ON g.id = l.grid_id"
        " WHERE l.deleted = 0 AND d.name = ? ORDER BY g.number", [name])]


def last_audit(store) -> dict:
    return store.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]


# ---- reading the file: header, title rows, merged cells, blank, summary, note and header rows ----

def test_the_header_is_found_under_up_to_fourteen_title_rows_and_not_lower(store, tmp_path):
    titles = [[f"标题{i}"] for i in range(14)]
    found = read_workbook(roster(tmp_path, ["姓名", "身份证号", "所在村（社区）"], ["张三", "", "文昌社区"],
                                 before=titles))
    assert [(v.row, v.name, v.verdict) for v in found] == [(16, "张三", "ok")]
    lower = roster(tmp_path, ["姓名", "身份证号", "所在村（社区）"], ["张三", "", "文昌社区"],
                   before=[*titles, ["再一行"]], name="lower.xlsx")
    assert read_workbook(lower) == []
    with pytest.raises(AppError, match="^文件中没有找到花名册：需要有“姓名”“身份证号”等表头的工作表$"):
        import_roster(store, lower)


def test_a_header_needs_the_name_and_two_more_known_headings(tmp_path):
    assert read_workbook(roster(tmp_path, ["姓名", "爱好", "特长"], ["张三", "书法", "唱歌"])) == []
    assert read_workbook(roster(tmp_path, ["序号", "性别", "民族", "所在村（社区）"], [1, "男", "汉族", "文昌社区"],
                                name="noname.xlsx")) == []
    three = read_workbook(roster(tmp_path, ["姓名", "爱好", "所在村（社区）", "备注"], ["张三", "书法", "文昌社区", "唱歌"],
                                 name="three.xlsx"))
    assert [(v.name, v.verdict, v.values["notes"], v.extra["columns"]) for v in three] == [
        ("张三", "ok", "唱歌", {"name", "community", "notes"})]


def test_of_two_columns_for_one_field_the_first_is_read(store, tmp_path):
    path = roster(tmp_path, ["姓名", "所在村（社区）", "联系电话", "手机"], ["张三", "文昌社区", "13800001111", "13900002222"])
    import_roster(store, path)
    assert delegates(store)["张三"]["phone"] == "13800001111"


def test_a_sheet_without_a_roster_before_one_with_it_is_passed_over(store, tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表由社区填报"])
    ws = book.create_sheet("名册")
    ws.append(["姓名", "所在村（社区）", "身份证号"])
    ws.append(["张三", "文昌社区", ""])
    book.save(tmp_path / "two.xlsx")
    report = import_roster(store, tmp_path / "two.xlsx")
    assert verdicts(report) == [("名册", 2, "张三", "ok", "")]


def test_blank_summary_note_and_second_header_rows_are_passed_over_and_reading_goes_on(store, tmp_path):
    header = ["序号", "姓名", "性别", "所在村（社区）", "议事小组", "联系电话"]
    book = Workbook()
    ws = book.active
    ws.title = "花名册"
    ws.append(["某某街道议事代表名册"])
    ws.append(header)
    ws.append(["", "", "性别", "所在社区", "", ""])  # a two-row header's second row: two headings
    ws.append([1, "张三", "男", "文昌社区", "", ""])
    ws.append([])
    ws.append([None, " ", None, None, None, None])  # blank but for a space
    ws.append([2, "李四", "女", "文昌社区", "小组", ""])  # one value that reads as a heading: a row
    ws.append(["小计", "2人", "", "", "", ""])
    ws.append([3, "王五", "男", "临江村", "", ""])
    ws.append(["", "合计：3人", "", "", "", ""])
    ws.append([4, "赵六", "女", "临江村", "", ""])
    ws.append([" ", "注：本表由社区填报", None, None, None, None])
    ws.append([5, "钱七", "男", "临江村", "", ""])
    ws.append(["以上名单经工委审核，报区人大常委会备案，如有变动另行通知。", None, None, None, None, " "])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)  # and a stray space
    ws.append([6, "孙八", "男", "临江村", "", ""])
    ws.append(["名单如有变动，由各社区另行报送工委备案。"])  # a sentence in one cell, not merged
    ws.append([7, "周九", "男", "临江村", "", ""])
    ws.append(["联系电话如有变更，请代表本人及时告知所在社区。"])  # merged across the table, nothing beside it
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
    ws.append([8, "吴十", "女", "临江村", "", ""])
    book.save(tmp_path / "messy.xlsx")
    report = import_roster(store, tmp_path / "messy.xlsx", dry_run=True)
    assert [(r["row"], r["name"], r["verdict"]) for r in report["rows"]] == [
        (4, "张三", "ok"), (7, "李四", "ok"), (9, "王五", "ok"), (11, "赵六", "ok"), (13, "钱七", "ok"), (15, "孙八", "ok"),
        (17, "周九", "ok"), (19, "吴十", "ok")]


def test_two_headings_in_a_row_make_it_a_header_one_does_not(tmp_path):
    header = ["姓名", "性别", "民族", "所在村（社区）"]
    path = roster(tmp_path, header, ["姓名", "性别", "", ""], ["张三", "男", "民族", "文昌社区"],
                  ["李四", "女", "汉族", "文昌社区"])
    assert [(v.row, v.name) for v in read_workbook(path)] == [(3, "张三"), (4, "李四")]


def test_a_merged_block_gives_its_value_to_every_row_of_it(store, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "所在村（社区）", "议事小组"])
    ws.append(["张三", "", "文昌社区", "新城一组"])
    ws.append(["李四", "", None, None])
    ws.append(["王五", "", None, None])
    ws.merge_cells("C2:D4")  # community and group for three rows (the block's top-left value)
    ws.append(["赵六", "", "临江村", "新城二组"])
    book.save(tmp_path / "merged.xlsx")
    report = import_roster(store, tmp_path / "merged.xlsx", dry_run=True)
    assert [(r["name"], r["community"], r["group"]) for r in report["rows"]] == [
        ("张三", "文昌社区", "文昌社区"), ("李四", "文昌社区", "文昌社区"), ("王五", "文昌社区", "文昌社区"),
        ("赵六", "临江村", "新城二组")]


def test_formula_cells_refuse_the_row_naming_each_column(tmp_path):
    path = roster(tmp_path, ["序号", "姓名", "所在村（社区）", "联系电话"],
                  ["=ROW()-1", "张三", "=\"文昌\"&\"社区\"", "=13800001111"], ["=ROW()-1", "李四", "文昌社区", ""])
    assert [(v.name, v.verdict, v.reason) for v in read_workbook(path)] == [
        ("张三", "rejected", "“所在村（社区）”、“联系电话”是公式，请改为文字"), ("李四", "ok", "")]


# ---- each row checked on its own: the exact reason and warning ----

def test_each_refusal_names_its_reason_in_the_clerks_words(store, tmp_path):
    path = roster(tmp_path, ["姓名", "身份证号", "所在村（社区）", "出生年月", "性别"],
                  ["", "", "文昌社区", "", ""],
                  ["张三", 500118197503151234, "文昌社区", "", ""],
                  ["李四", "", "", "", ""],
                  ["王五", "", "文昌社区", "1980年13月", ""],
                  ["赵六", "", "文昌社区", "2090-01-01", ""],
                  ["钱七", "500118197503151235", "文昌社区", "", ""],
                  ["孙八", "", "文昌社区", "1980-02-30", ""],
                  ["周九", "", "文" * 60, "", ""],
                  ["吴十", "", "文昌社区", "八〇年五月", ""],
                  ["郑一", "500118********1234", "文昌社区", "1975年3月1x日", ""])
    report = import_roster(store, path, dry_run=True)
    assert [(r["row"], r["name"], r["reason"]) for r in report["rejected"]] == [
        (2, "", "姓名为空"),
        (3, "张三", "身份证号被 Excel 存成了数字，后几位已经丢失；请把该列设为文本后重新录入"),
        (4, "李四", "所在村（社区）为空"),
        (5, "王五", "出生日期“1980年13月”不存在"),
        (6, "赵六", "“出生年月”2090-01-01 晚于今天，不能是将来的日期"),
        (7, "钱七", report["rejected"][5]["reason"]),
        (8, "孙八", "出生日期“1980-02-30”不存在"),
        (9, "周九", report["rejected"][7]["reason"]),
        (10, "吴十", "“出生年月”“八〇年五月”不是日期（如 1980-05-01、1980年5月）"),
        (11, "郑一", "“出生年月”“1975年3月1x日”不是日期（如 1980-05-01、1980年5月）"),
    ]
    assert report["rejected"][5]["reason"].startswith("身份证号校验位错误")
    assert report["rejected"][7]["reason"] == "“所在村（社区）”太长（60 个字，最多 50 个字）"
    assert [r["sheet"] for r in report["rejected"]] == ["花名册"] * 10


def test_what_is_typed_beside_the_name_is_kept_or_said_in_a_warning(store, tmp_path):
    path = roster(tmp_path, ["姓名", "身份证号", "所在村（社区）", "性别", "出生年月", "联系电话", "工作单位", "工作单位及职务",
                             "民族", "政治面貌", "界别", "文化程度", "职务", "备注", "聘书编号"],
                  ["张三", "", "文昌社区", "女", "1980-05-01", "-", "区医院", "区医院 医生", "汉族", "群众", "医卫",
                   "本科", "医生", "老代表", "ZS-01"],
                  ["李四", "", "文昌社区", "男", "1980年5月", "123", "", "", "", "", "", "", "", "", ""],
                  ["王五", make_id("19750315"), "文昌社区", "男", "1975-03", "13800001111", "", "街道办 主任",
                   "", "", "", "", "", "", ""])
    report = import_roster(store, path)
    assert report["warnings"] == [
        {"sheet": "花名册", "row": 2, "name": "张三", "warning": "没有身份证号"},
        {"sheet": "花名册", "row": 3, "name": "李四", "warning": "没有身份证号"},
        {"sheet": "花名册", "row": 3, "name": "李四",
         "warning": "联系电话应为 7—12 位数字（手机号 11 位，座机可带区号），未导入电话"}]
    stored = delegates(store)
    zhang = {k: stored["张三"][k] for k in ("gender", "birth_date", "phone", "workplace", "post", "ethnicity", "party",
                                           "sector", "education", "notes", "certificate_no", "group_role", "status")}
    assert not zhang.pop("phone")  # a dash is no number: nothing stored
    assert zhang == {"gender": "女", "birth_date": "1980-05-01", "workplace": "区医院", "post": "医生",
                     "ethnicity": "汉族", "party": "群众", "sector": "医卫", "education": "本科", "notes": "老代表",
                     "certificate_no": "ZS-01", "group_role": "member", "status": "active"}
    li = stored["李四"]
    assert (li["gender"], li["birth_date"], li["phone"], li["workplace"], li["post"]) == ("男", None, None, None, None)
    wang = stored["王五"]
    assert (wang["workplace"], wang["post"], wang["phone"], wang["birth_date"]) == \
        ("街道办 主任", None, "13800001111", "1975-03-15")


def test_the_roles_beyond_a_groups_limits_or_without_a_group_are_imported_as_members_and_said(store, tmp_path):
    first = roster(tmp_path, HEADER, ["甲", "", "文昌社区", "新城一组", "组长", ""],
                   ["乙", "", "文昌社区", "新城一组", "副组长", ""], name="一.xlsx")
    assert import_roster(store, first)["warnings"] == [
        {"sheet": "花名册", "row": 2, "name": "甲", "warning": "没有身份证号"},
        {"sheet": "花名册", "row": 3, "name": "乙", "warning": "没有身份证号"}]
    second = roster(tmp_path, ["姓名", "所在村（社区）", "议事小组", "小组职务", "性别", "民族"],
                    ["丙", "文昌社区", "新城一组", "组长", "男", "汉族"],
                    ["丁", "文昌社区", "新城一组", "副组长", "男", "汉族"],
                    ["戊", "文昌社区", "新城一组", "副组长", "男", "汉族"],
                    ["己", "文昌社区", "", "副组长", "男", "汉族"],
                    ["庚", "文昌社区", "新城二组", "组长", "男", "汉族"],
                    ["辛", "文昌社区", "新城二组", "副组长", "男", "汉族"],
                    ["壬", "文昌社区", "新城二组", "副组长", "男", "汉族"],
                    name="二.xlsx")
    report = import_roster(store, second)
    assert [(w["name"], w["warning"]) for w in report["warnings"] if w["warning"] != "没有身份证号"] == [
        ("丙", "新城一组的组长已满（限 1 人），已按成员导入"),
        ("戊", "新城一组的副组长已满（限 2 人），已按成员导入"),
        ("己", "表中没有填写议事小组，“副组长”职务未导入，已按成员导入")]
    roles = {name: (row["grp"], row["group_role"]) for name, row in delegates(store).items()}
    assert roles == {"甲": ("新城一组", "leader"), "乙": ("新城一组", "deputy_leader"), "丙": ("新城一组", "member"),
                     "丁": ("新城一组", "deputy_leader"), "戊": ("新城一组", "member"), "己": (None, "member"),
                     "庚": ("新城二组", "leader"), "辛": ("新城二组", "deputy_leader"), "壬": ("新城二组", "deputy_leader")}


def test_the_grids_to_create_are_listed_once_and_a_grid_without_a_number_is_passed_over(store, tmp_path):
    path = roster(tmp_path, HEADER, ["甲", "", "文昌社区", "", "", "东片、第3网格"], ["乙", "", "文昌社区", "", "", "3、4"],
                  ["丙", "", "临江村", "", "", "第３网格"])
    dry = import_roster(store, path, dry_run=True)
    assert dry["created"] == {"communities": ["文昌社区", "临江村"], "groups": [],
                              "grids": ["文昌社区第3网格", "文昌社区第4网格", "临江村第3网格"]}
    import_roster(store, path)
    assert (grids_of(store, "甲"), grids_of(store, "乙"), grids_of(store, "丙")) == ([3], [3, 4], [3])
    assert store.scalar("SELECT count(*) FROM grids") == 3


def test_what_the_import_creates_and_writes_in_one_audited_step(store, tmp_path):
    store.settings.update({"subdistrict": "中山路街道"})
    path = roster(tmp_path, HEADER, ["甲", "", "文昌社区", "新城一组", "", ""], ["乙", "", "永和村", "", "", ""])
    report = import_roster(store, path)
    assert report["created"] == {"communities": ["文昌社区", "永和村"], "groups": ["新城一组"], "grids": []}
    places = {r["name"]: r for r in store.rows(
        "SELECT c.name, c.kind, c.subdistrict, g.name AS grp FROM communities c LEFT JOIN groups g ON g.id = c.group_id")}
    assert {k: (r["kind"], r["subdistrict"], r["grp"]) for k, r in places.items()} == {
        "文昌社区": ("community", "中山路街道", "新城一组"), "永和村": ("village", "中山路街道", None)}
    assert last_audit(store) == {"action": "import", "summary": "导入代表花名册：roster.xlsx（新增 2 人）"}
    assert {r["status"] for r in store.rows("SELECT status FROM delegates")} == {"active"}
    again = roster(tmp_path, HEADER, ["丙", "", "文昌社区", "新城一组", "", ""], name="again.xlsx")
    assert import_roster(store, again)["created"] == {"communities": [], "groups": [], "grids": []}
    assert store.scalar("SELECT count(*) FROM communities") == 2


def test_a_community_made_without_a_subdistrict_setting_has_none(store, tmp_path):
    import_roster(store, roster(tmp_path, HEADER, ["甲", "", "文昌社区", "", "", ""]))
    assert store.rows("SELECT subdistrict FROM communities")[0]["subdistrict"] is None


def test_duplicates_within_the_file_by_id_number_masked_id_or_name_and_community(store, tmp_path):
    one, two = make_id("19750315"), make_id("19800101", "124")
    import_roster(store, roster(tmp_path, HEADER, ["张三", one, "文昌社区", "", "", ""],
                                ["张三", two, "文昌社区", "", "", ""], name="stored.xlsx"))
    path = roster(tmp_path, HEADER, ["张三", mask(one), "文昌社区", "", "", ""], ["张三", mask(two), "文昌社区", "", "", ""],
                  ["张三", mask(two), "临江村", "", "", ""],
                  ["李四", "", "文昌社区", "", "", ""], ["李四", "", "临江村", "", "", ""], ["李四", "", "文昌社区", "", "", ""],
                  ["王五", make_id("19900101", "135"), "文昌社区", "", "", ""],
                  ["王五", make_id("19900101", "135"), "临江村", "", "", ""])
    report = import_roster(store, path, dry_run=True)
    assert report["duplicates"] == [
        {"sheet": "花名册", "row": 4, "name": "张三", "reason": "与“花名册”第 3 行重复"},
        {"sheet": "花名册", "row": 7, "name": "李四", "reason": "与“花名册”第 5 行重复"},
        {"sheet": "花名册", "row": 9, "name": "王五", "reason": "与“花名册”第 8 行重复"}]
    assert (report["imported"], report["unchanged"], report["updated"]) == (3, 2, 0)


def test_a_row_without_an_id_names_a_stored_delegate_only_if_that_one_has_none_either(store, tmp_path):
    import_roster(store, roster(tmp_path, HEADER, ["张三", make_id("19750315"), "文昌社区", "", "", ""],
                                ["李四", "", "文昌社区", "", "", ""], name="stored.xlsx"))
    report = import_roster(store, roster(tmp_path, HEADER, ["张三", "", "文昌社区", "", "", ""],
                                         ["李四", "", "文昌社区", "", "", ""], ["李四", "", "临江村", "", "", ""]), dry_run=True)
    assert [(r["name"], r["verdict"]) for r in report["rows"]] == [("张三", "ok"), ("李四", "same"), ("李四", "ok")]


def test_stored_delegates_and_their_grids_are_found_in_a_file_of_over_a_thousand(store, tmp_path, monkeypatch):
    """ID numbers and grid links are looked up 500 at a time: the first, the 501st and the 1001st
    delegate are found with their grids too. (Rows made without a file: 1001 rows to write would
    cost the mutation run seconds a mutant.)"""
    from app.workbooks import importer

    numbers = [make_id(f"19{50 + n // 400:02d}0101", f"{n % 400:03d}") for n in range(1001)]

    def rows(grid_of_last):
        return [importer._check_row("花名册", n + 2, {
            "name": f"代表{n}", "id_number": number, "community": "文昌社区",
            "grids": (grid_of_last if n == 1000 else "1") if n % 500 == 0 else ""}, {}) for n, number in enumerate(numbers)]

    monkeypatch.setattr(importer, "read_workbook", lambda path: rows("1"))
    assert import_roster(store, tmp_path / "big.xlsx")["imported"] == 1001
    monkeypatch.setattr(importer, "read_workbook", lambda path: rows("第2网格"))
    report = import_roster(store, tmp_path / "big.xlsx", dry_run=True)
    assert (report["imported"], report["unchanged"]) == (0, 1000)
    assert [(u["name"], u["change_text"]) for u in report["updates"]] == [("代表1000", "联系网格：第1网格 → 第2网格")]


# ---- a roster brought back over delegates already stored: updates old -> new ----

FULL = ["姓名", "身份证号", "所在村（社区）", "议事小组", "小组职务", "联系网格", "联系电话", "民族", "政治面貌", "界别",
        "文化程度", "工作单位", "职务", "备注", "聘书编号", "性别", "出生年月"]
ONE, TWO, THREE, FOUR = (make_id("19750315"), make_id("19800101", "124"), make_id("19700101", "135"),
                         make_id("19700101", "146"))


def stored_office(store, tmp_path):
    import_roster(store, roster(tmp_path, FULL,
                                ["张三", ONE, "文昌社区", "新城一组", "成员", "第3网格", "13800001111", "汉族", "群众", "医卫",
                                 "本科", "区医院", "医生", "老代表", "ZS-01", "", ""],
                                ["李四", "", "文昌社区", "", "", "", "", "", "", "", "", "", "", "", "", "女", "1980-05-01"],
                                ["王五", TWO, "临江村", "新城二组", "组长", "1、2", "", "", "", "", "", "", "", "", "", "", ""],
                                ["赵六", THREE, "临江村", "新城二组", "副组长", "", "", "", "", "", "", "", "", "", "", "", ""],
                                ["孙七", FOUR, "临江村", "新城二组", "成员", "", "", "", "", "", "", "", "", "", "", "", ""],
                                name="stored.xlsx"))


def test_a_roster_brought_back_unchanged_is_the_same_for_every_delegate(store, tmp_path):
    stored_office(store, tmp_path)
    before = store.scalar("SELECT max(seq) FROM audit")
    report = import_roster(store, roster(tmp_path, FULL,
                                         ["张三", ONE, "文昌社区", "新城一组", "组员", "3", "138 0000 1111", "汉族", "群众",
                                          "医卫", "本科", "区医院", "医生", "老代表", "ZS-01", "男", "1975年3月"],
                                         ["李四", "", "文昌社区", "", "", "", "", "", "", "", "", "", "", "", "", "女",
                                          "1980-05-01"],
                                         ["王五", TWO, "临江村", "新城二组", "组长", "第2网格，第1网格", "", "", "", "", "", "",
                                          "", "", "", "", ""]))
    assert (report["imported"], report["updated"], report["unchanged"], report["updates"]) == (0, 0, 3, [])
    assert [r["verdict_label"] for r in report["rows"]] == ["无变化"] * 3
    assert [(w["name"], w["warning"]) for w in report["warnings"]] == [("李四", "没有身份证号")]  # a member needs no group
    assert store.scalar("SELECT max(seq) FROM audit") == before  # nothing to write, no audit entry
    assert "changes" not in report


def test_each_changed_field_is_listed_old_to_new_and_written_alone(store, tmp_path):
    stored_office(store, tmp_path)
    report = import_roster(store, roster(tmp_path, FULL,
                                         ["张三", ONE, "永和村", "", "组长", "3、5", "13900002222", "回族", "中共党员", "",
                                          "本科", "区医院", "院长", "", "ZS-01", "男", ""],
                                         ["李四", "", "文昌社区", "新城一组", "副组长", "4", "", "", "", "", "", "街道办",
                                          "", "", "", "男", "1980-06-01"],
                                         ["王五", TWO, "临江村", "新城二组", "成员", "2", "", "", "", "", "", "", "", "",
                                          "", "", ""],
                                         ["赵六", THREE, "临江村", "", "副组长", "", "", "", "", "", "", "", "", "",
                                          "", "", ""]))
    assert report["updates"] == [
        {"sheet": "花名册", "row": 2, "name": "张三", "changes": [
            {"field": "民族", "old": "汉族", "new": "回族"},
            {"field": "政治面貌", "old": "群众", "new": "中共党员"},
            {"field": "界别", "old": "医卫", "new": ""},
            {"field": "备注", "old": "老代表", "new": ""},
            {"field": "联系电话", "old": "13800001111", "new": "13900002222"},
            {"field": "职务", "old": "医生", "new": "院长"},
            {"field": "所在村（社区）", "old": "文昌社区", "new": "永和村"},
            {"field": "议事小组", "old": "新城一组", "new": ""},
            {"field": "联系网格", "old": "第3网格", "new": "第3网格、第5网格"}],
         "change_text": "民族：汉族 → 回族；政治面貌：群众 → 中共党员；界别：医卫 → （空）；备注：老代表 → （空）；"
                        "联系电话：13800001111 → 13900002222；职务：医生 → 院长；所在村（社区）：文昌社区 → 永和村；"
                        "议事小组：新城一组 → （空）；联系网格：第3网格 → 第3网格、第5网格"},
        {"sheet": "花名册", "row": 3, "name": "李四", "changes": [
            {"field": "工作单位", "old": "", "new": "街道办"},
            {"field": "性别", "old": "女", "new": "男"},
            {"field": "出生日期", "old": "1980-05-01", "new": "1980-06-01"},
            {"field": "议事小组", "old": "", "new": "新城一组"},
            {"field": "小组职务", "old": "成员", "new": "副组长"},
            {"field": "联系网格", "old": "", "new": "第4网格"}],
         "change_text": "工作单位：（空） → 街道办；性别：女 → 男；出生日期：1980-05-01 → 1980-06-01；"
                        "议事小组：（空） → 新城一组；小组职务：成员 → 副组长；联系网格：（空） → 第4网格"},
        {"sheet": "花名册", "row": 4, "name": "王五", "changes": [
            {"field": "小组职务", "old": "组长", "new": "成员"},
            {"field": "联系网格", "old": "第1网格、第2网格", "new": "第2网格"}],
         "change_text": "小组职务：组长 → 成员；联系网格：第1网格、第2网格 → 第2网格"},
        {"sheet": "花名册", "row": 5, "name": "赵六", "changes": [
            {"field": "议事小组", "old": "新城二组", "new": ""},
            {"field": "小组职务", "old": "副组长", "new": "成员"}],
         "change_text": "议事小组：新城二组 → （空）；小组职务：副组长 → 成员"}]
    # the desk refuses a leader or a deputy outside a group: the file's role, or the stored one, gives way
    assert report["warnings"] == [
        {"sheet": "花名册", "row": 2, "name": "张三", "warning": "没有议事小组，不能担任组长，小组职务按成员登记"},
        {"sheet": "花名册", "row": 3, "name": "李四", "warning": "没有身份证号"},
        {"sheet": "花名册", "row": 5, "name": "赵六", "warning": "没有议事小组，不能担任副组长，小组职务按成员登记"}]
    assert [r["verdict_label"] for r in report["rows"]] == ["更新"] * 4
    assert report["created"] == {"communities": ["永和村"], "groups": [], "grids": []}
    assert last_audit(store) == {"action": "import", "summary": "导入代表花名册：roster.xlsx（新增 0 人，更新 4 人）"}
    stored = delegates(store)
    zhang, li, wang = stored["张三"], stored["李四"], stored["王五"]
    assert (zhang["community"], zhang["grp"], zhang["group_role"], zhang["phone"], zhang["sector"], zhang["notes"],
            zhang["post"], zhang["party"]) == ("永和村", None, "member", "13900002222", None, None, "院长", "中共党员")
    assert (li["workplace"], li["gender"], li["birth_date"], li["grp"], li["group_role"]) == \
        ("街道办", "男", "1980-06-01", "新城一组", "deputy_leader")
    assert (wang["group_role"], wang["community"]) == ("member", "临江村")
    assert (stored["赵六"]["grp"], stored["赵六"]["group_role"]) == (None, "member")
    assert (grids_of(store, "张三"), grids_of(store, "李四"), grids_of(store, "王五")) == ([3, 5], [4], [2])
    # moved to 永和村: its grids 3 and 5 are 永和村's (文昌社区's grid 3 is unlinked)
    assert {r["name"] for r in store.rows(
        "SELECT DISTINCT c.name FROM delegate_grids l JOIN delegates d ON d.id = l.delegate_id JOIN grids g"
        " ON g.id = l.grid_id JOIN communities c ON c.id = g.community_id WHERE l.deleted = 0 AND d.name = '张三'")} == {"永和村"}
    changed = sorted((c.table, c.kind) for c in report["changes"].rows)
    assert changed.count(("delegates", "update")) == 4 and changed.count(("communities", "insert")) == 1
    assert changed.count(("grids", "insert")) == 3  # 永和村's 3 and 5, 文昌社区's 4
    assert changed.count(("delegate_grids", "delete")) == 2 and changed.count(("delegate_grids", "insert")) == 3
    assert store.rows("SELECT kind FROM communities WHERE name = '永和村'")[0]["kind"] == "village"



def test_progress_counts_new_and_updated_rows_and_a_cancel_in_the_updates_saves_nothing(store, tmp_path):
    stored_office(store, tmp_path)
    path = roster(tmp_path, ["姓名", "身份证号", "所在村（社区）", "联系电话"], ["新人", "", "文昌社区", ""],
                  ["张三", ONE, "文昌社区", "13900002222"], ["王五", TWO, "临江村", "13900003333"])
    before = store.scalar("SELECT max(seq) FROM audit")
    with pytest.raises(Cancelled, match="^已取消导入，没有保存任何记录$"):
        import_roster(store, path, progress=lambda done, total: done < 3 and None)
    assert store.scalar("SELECT max(seq) FROM audit") == before
    assert delegates(store)["张三"]["phone"] == "13800001111" and "新人" not in delegates(store)
    seen: list[tuple[int, int]] = []
    report = import_roster(store, path, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert (report["imported"], report["updated"]) == (1, 2)
    # no group or role column: the stored group and the leader's role stay
    assert [(u["name"], u["change_text"]) for u in report["updates"]] == [
        ("张三", "联系电话：13800001111 → 13900002222"), ("王五", "联系电话：（空） → 13900003333")]
    assert (delegates(store)["王五"]["grp"], delegates(store)["王五"]["group_role"]) == ("新城二组", "leader")
    assert last_audit(store)["summary"] == "导入代表花名册：roster.xlsx（新增 1 人，更新 2 人）"
    assert (delegates(store)["张三"]["phone"], delegates(store)["王五"]["phone"]) == ("13900002222", "13900003333")


def test_a_grid_unlinked_and_linked_again_is_the_same_link_restored(store, tmp_path):
    header = ["姓名", "身份证号", "所在村（社区）", "联系网格"]
    import_roster(store, roster(tmp_path, header, ["张三", ONE, "文昌社区", "3"], name="一.xlsx"))
    unlinked = import_roster(store, roster(tmp_path, header, ["张三", ONE, "文昌社区", ""], name="二.xlsx"))
    assert grids_of(store, "张三") == []
    assert [(c.table, c.kind) for c in unlinked["changes"].rows] == [("delegate_grids", "delete")]  # no empty update
    linked = import_roster(store, roster(tmp_path, header, ["张三", ONE, "文昌社区", "第3网格、第7网格"], name="三.xlsx"))
    assert grids_of(store, "张三") == [3, 7]
    assert sorted((c.table, c.kind) for c in linked["changes"].rows) == [
        ("delegate_grids", "insert"), ("delegate_grids", "restore"), ("grids", "insert")]
    assert store.scalar("SELECT count(*) FROM delegate_grids") == 2  # the first link's row came back
    assert store.scalar("SELECT count(*) FROM grids") == 2
    # each link's id is made from the delegate and the grid: two offices linking the same pair make one row
    from app.services.delegates import link_id

    assert all(r["id"] == link_id(r["delegate_id"], r["grid_id"]) for r in store.rows("SELECT * FROM delegate_grids"))


def test_a_stored_delegates_changes_that_cannot_be_made_are_said(store, tmp_path):
    stored_office(store, tmp_path)
    path = roster(tmp_path, ["姓名", "身份证号", "所在村（社区）", "议事小组", "小组职务", "联系电话"],
                  ["张三", ONE, "文昌社区", "新城二组", "组长", "12345"],
                  ["李四", "", "文昌社区", "新城二组", "副组长", ""],
                  ["赵六", THREE, "临江村", "新城一组", "组长", ""],
                  ["孙七", FOUR, "临江村", "新城二组", "组长", ""])
    report = import_roster(store, path, dry_run=True)
    assert [(w["name"], w["warning"]) for w in report["warnings"]] == [
        ("张三", "联系电话应为 7—12 位数字（手机号 11 位，座机可带区号），未导入电话"),
        ("张三", "该小组的组长已满（限 1 人），小组职务未改"),
        ("李四", "没有身份证号"),
        ("孙七", "该小组的组长已满（限 1 人），小组职务未改")]
    assert report["unchanged"] == 1  # 孙七: his group unchanged, its leader stays 王五
    changes = {u["name"]: u["change_text"] for u in report["updates"]}
    assert changes == {"张三": "议事小组：新城一组 → 新城二组", "李四": "议事小组：（空） → 新城二组；小组职务：成员 → 副组长",
                       "赵六": "议事小组：新城二组 → 新城一组；小组职务：副组长 → 组长"}


def test_a_summary_in_the_name_or_serial_column_is_passed_over_wherever_the_column_stands(store, tmp_path):
    path = roster(tmp_path, ["所在村（社区）", "议事小组", "性别", "姓名", "序号"], ["文昌社区", "新城一组", "男", "张三", 1],
                  ["文昌社区", "2人", "1人", "小计", ""], ["临江村", "3人", "2人", "", "合计"], ["临江村", "", "女", "李四", 2])
    assert [(r["row"], r["name"], r["verdict"]) for r in import_roster(store, path, dry_run=True)["rows"]] == [
        (2, "张三", "ok"), (5, "李四", "ok")]


def test_the_report_the_clerk_saves_keeps_its_columns_readable(store, tmp_path):
    from openpyxl import load_workbook

    from app.registers.writer import write_register
    from app.workbooks.importer import report_register

    def saved(reason, warnings):
        row = {"sheet": "花名册", "row": 2, "name": "张三", "verdict": "rejected", "verdict_label": "拒绝",
               "reason": reason, "warnings": warnings, "community": "文昌社区", "group": ""}
        write_register(tmp_path / "结果.xlsx", report_register(store, {"file": "r.xlsx", "rows": [row]}))
        sheet = load_workbook(tmp_path / "结果.xlsx").active
        widths = {c: sheet.column_dimensions[c].width for c in "BCDEFGHI"}
        return widths, [sheet.cell(4, col).alignment.wrap_text for col in range(2, 10)]

    widths, wraps = saved("姓名为空", "")
    assert widths == {"B": 8, "C": 6, "D": 8, "E": 6, "F": 20, "G": 20, "H": 16, "I": 10}
    assert wraps == [None, None, None, None, True, True, None, None]  # the reason and the warnings wrap
    # a long reason or warning widens its column as far as the A4 page allows (past 40 units)
    assert saved("长" * 40, "")[0] == {**widths, "F": 44}
    assert saved("", "提" * 40)[0] == {**widths, "G": 44}
    assert saved("长" * 12, "提" * 12)[0] == {**widths, "F": 26, "G": 26}


def test_workplace_and_post_in_one_cell_as_the_desks_roster_writes_them(store, tmp_path):
    header = ["姓名", "身份证号", "所在村（社区）", "工作单位", "职务"]
    people = [["甲", make_id("19700101", "111"), "文昌社区", "区医院", "医生"],
              ["乙", make_id("19700101", "112"), "文昌社区", "区医院", "医生"],
              ["丙", make_id("19700101", "113"), "文昌社区", "区医院", "医生"],
              ["丁", make_id("19700101", "114"), "文昌社区", "区医院", "医生"],
              ["戊", make_id("19700101", "115"), "文昌社区", "区医院", "医生"],
              ["己", make_id("19700101", "116"), "文昌社区", "街道办", ""],
              ["庚", make_id("19700101", "117"), "文昌社区", "", "主任"]]
    import_roster(store, roster(tmp_path, header, *people, name="stored.xlsx"))
    cells = ["区医院 医生", "区人民医院 医生", "区医院 院长", "", "医生", "街道办", "主任"]
    path = roster(tmp_path, ["姓名", "身份证号", "所在村（社区）", "工作单位及职务"],
                  *([p[0], p[1], p[2], cell] for p, cell in zip(people, cells, strict=True)))
    report = import_roster(store, path)
    assert [(u["name"], u["change_text"]) for u in report["updates"]] == [
        ("乙", "工作单位：区医院 → 区人民医院"),
        ("丙", "工作单位：区医院 → 区医院 院长；职务：医生 → （空）"),
        ("丁", "工作单位：区医院 → （空）；职务：医生 → （空）"),
        ("戊", "工作单位：区医院 → 医生；职务：医生 → （空）")]
    assert report["unchanged"] == 3
    stored = delegates(store)
    assert [(stored[p[0]]["workplace"], stored[p[0]]["post"]) for p in people] == [
        ("区医院", "医生"), ("区人民医院", "医生"), ("区医院 院长", None), (None, None), ("医生", None),
        ("街道办", None), (None, "主任")]


def test_with_both_workplace_columns_the_workplace_is_read_from_its_own(store, tmp_path):
    header = ["姓名", "身份证号", "所在村（社区）", "工作单位", "职务", "工作单位及职务"]
    import_roster(store, roster(tmp_path, header, ["甲", ONE, "文昌社区", "区医院", "医生", "区医院 医生"], name="一.xlsx"))
    report = import_roster(store, roster(tmp_path, header, ["甲", ONE, "文昌社区", "区医院", "医生", "区人民医院 院长"]))
    assert (report["unchanged"], report["updates"]) == (1, [])
    assert (delegates(store)["甲"]["workplace"], delegates(store)["甲"]["post"]) == ("区医院", "医生")


def test_a_warning_names_the_column_as_the_file_heads_it_and_keeps_what_was_typed_short(store, tmp_path):
    path = roster(tmp_path, ["姓  名", "性  别", "出生年月日", "所在村（社区）", "组内职务", "议事小组"],
                  ["张三", "未知", "1980-05-01", "文昌社区", "召集人", "新城一组"],
                  ["李四", "男" * 25, "", "文昌社区", "委" * 25, "新城一组"],
                  ["王五", "", "一九八〇年", "文昌社区", "", ""],
                  ["赵六", "", "约" * 25, "文昌社区", "", ""])
    report = import_roster(store, path, dry_run=True)
    assert [(w["name"], w["warning"]) for w in report["warnings"] if w["warning"] != "没有身份证号"] == [
        ("张三", "性 别“未知”不是“男”或“女”，未登记性别"),
        ("张三", "组内职务“召集人”不在可选范围内（组长、副组长、成员），已按成员登记"),
        ("李四", f"性 别“{'男' * 20}”不是“男”或“女”，未登记性别"),
        ("李四", f"组内职务“{'委' * 20}”不在可选范围内（组长、副组长、成员），已按成员登记")]
    assert [(r["name"], r["reason"]) for r in report["rejected"]] == [
        ("王五", "“出生年月日”“一九八〇年”不是日期（如 1980-05-01、1980年5月）"),
        ("赵六", f"“出生年月日”“{'约' * 20}”不是日期（如 1980-05-01、1980年5月）")]


def test_a_gender_and_birth_day_given_for_a_delegate_stored_without_them_are_changes(store, tmp_path):
    header = ["姓名", "身份证号", "所在村（社区）", "性别", "出生年月"]
    import_roster(store, roster(tmp_path, header, ["乙", "", "文昌社区", "", ""], name="一.xlsx"))
    report = import_roster(store, roster(tmp_path, header, ["乙", "", "文昌社区", "女", "1980-01-02"]))
    assert [u["change_text"] for u in report["updates"]] == ["性别：（空） → 女；出生日期：（空） → 1980-01-02"]
    assert (delegates(store)["乙"]["gender"], delegates(store)["乙"]["birth_date"]) == ("女", "1980-01-02")


def test_roles_given_to_stored_members_in_one_file_count_against_the_groups_limits(store, tmp_path):
    header = ["姓名", "所在村（社区）", "议事小组", "小组职务"]
    people = ["甲", "乙", "丙", "丁", "戊"]
    import_roster(store, roster(tmp_path, header, *([p, "文昌社区", "新城三组", "成员"] for p in people), name="一.xlsx"))
    roles = ["组长", "组长", "副组长", "副组长", "副组长"]
    report = import_roster(store, roster(tmp_path, header, *([p, "文昌社区", "新城三组", r] for p, r in zip(people, roles,
                                                                                                   strict=True))))
    assert [(w["name"], w["warning"]) for w in report["warnings"] if w["warning"] != "没有身份证号"] == [
        ("乙", "该小组的组长已满（限 1 人），小组职务未改"), ("戊", "该小组的副组长已满（限 2 人），小组职务未改")]
    assert {n: r["group_role"] for n, r in delegates(store).items()} == {
        "甲": "leader", "乙": "member", "丙": "deputy_leader", "丁": "deputy_leader", "戊": "member"}


def test_a_masked_row_with_a_gender_that_is_no_gender_is_warned_not_broken(store, tmp_path):
    header = ["姓名", "身份证号", "所在村（社区）", "性别"]
    import_roster(store, roster(tmp_path, header, ["甲", ONE, "文昌社区", ""], name="一.xlsx"))
    report = import_roster(store, roster(tmp_path, header, ["甲", mask(ONE), "文昌社区", "不详"]), dry_run=True)
    assert report["unchanged"] == 1
    assert [w["warning"] for w in report["warnings"]] == ["性别“不详”不是“男”或“女”，未登记性别"]
