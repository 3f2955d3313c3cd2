"""The Excel roster is a door too: each field it brings in is held to the rule book, the refusal
naming the row and the column as the clerk's file heads it, and nothing of a refused row is written."""

from __future__ import annotations

from openpyxl import Workbook

from app.workbooks.importer import import_roster
from tests.conftest import digest

HEAD = ["序号", "姓名", "性别", "民族", "身份证号", "政治面貌", "界别", "工作单位", "职务", "文化程度", "联系电话",
        "所在村（社区）", "议事小组", "备注", "聘书编号"]
GOOD = ["1", "王小明", "男", "汉族", "", "群众", "企业人员", "物业服务企业", "经理", "大学本科", "13800138000",
        "中山路社区", "老城小组", "", ""]
BAD = {"姓名": "长" * 51, "民族": "族" * 21, "身份证号": "500118199001011234", "政治面貌": "党" * 51,
       "界别": "界" * 51, "工作单位": "单" * 101, "职务": "职" * 101, "文化程度": "学" * 51,
       "备注": "注" * 5001, "聘书编号": "号" * 51, "所在村（社区）": "村" * 51, "议事小组": "组" * 51}


def test_every_imported_field_is_held_to_the_rule_book(demo, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    for number, (column, value) in enumerate(BAD.items(), 1):
        row = list(GOOD)
        row[0], row[HEAD.index(column)] = str(number), value
        row[1] = row[1] if column == "姓名" else f"王小明{number}"
        sheet.append(row)
    path = tmp_path / "花名册.xlsx"
    book.save(path)
    before = digest(demo)
    report = import_roster(demo, path)
    refused = {r["row"]: r["reason"] for r in report["rejected"]}
    for number, column in enumerate(BAD, 1):
        assert column in refused.get(number + 1, ""), (column, refused.get(number + 1))
    assert report["imported"] == 0 and digest(demo) == before


# Generated from the rule book: each roster column and the rule of the field it fills.
COLUMNS = {"姓名": ("delegates", "name"), "性别": ("delegates", "gender"), "民族": ("delegates", "ethnicity"),
           "出生日期": ("delegates", "birth_date"), "身份证号": ("delegates", "id_number"),
           "政治面貌": ("delegates", "party"), "界别": ("delegates", "sector"), "工作单位": ("delegates", "workplace"),
           "职务": ("delegates", "post"), "文化程度": ("delegates", "education"), "联系电话": ("delegates", "phone"),
           "所在村（社区）": ("communities", "name"), "议事小组": ("groups", "name"),
           "小组职务": ("delegates", "group_role"), "备注": ("delegates", "notes"),
           "聘书编号": ("delegates", "certificate_no")}
FULL_HEAD = ["序号", *COLUMNS]
FULL_GOOD = ["1", "王小明", "男", "汉族", "1980-05-01", "", "群众", "企业人员", "物业服务企业", "经理", "大学本科",
             "13800138000", "中山路社区", "老城小组", "成员", "", ""]
# What a cell cannot break, or the import keeps with a warning rather than refusing the person:
# line breaks in a cell are folded into one line (what is stored keeps the rule); a phone, a
# gender or a 小组职务 outside the list is left out (or taken as 成员) and the warning names it.
KEPT = {"newline": None, ("联系电话", "invalid"): "联系电话", ("性别", "unknown"): "性别",
        ("小组职务", "unknown"): "小组职务"}


def _roster_cases():
    from app.rules.book import TABLES
    from tests.app.rules.breaking import bad_values

    for column, (table, field) in COLUMNS.items():
        for way, value in bad_values(TABLES[table].fields[field]).items():
            # a cell holds text (a number is read as its text); XML cannot hold control characters
            if isinstance(value, str) and way not in ("empty", "control"):
                yield column, way, value


def _sheet(path, cases) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(FULL_HEAD)
    for number, (column, _, value) in enumerate(cases, 1):
        row = list(FULL_GOOD)
        row[0], row[1] = str(number), f"王小明{chr(0x4E00 + number)}"
        row[FULL_HEAD.index(column)] = value
        sheet.append(row)
    book.save(path)


def test_every_rule_of_every_imported_column_is_refused_naming_the_column(demo, tmp_path):
    cases = [c for c in _roster_cases() if c[1] not in KEPT and (c[0], c[1]) not in KEPT]
    assert len(cases) >= 15
    _sheet(tmp_path / "花名册.xlsx", cases)
    before = digest(demo)
    report = import_roster(demo, tmp_path / "花名册.xlsx")
    refused = {r["row"]: r["reason"] for r in report["rejected"]}
    missed = [(column, way, refused.get(number + 1)) for number, (column, way, _) in enumerate(cases, 1)
              if column.replace("（社区）", "") not in (refused.get(number + 1) or "")]
    assert not missed
    assert report["imported"] == 0 and digest(demo) == before


def test_what_the_import_keeps_instead_of_refusing_is_said_and_stored_within_the_rules(demo, tmp_path):
    from app.rules import row_breaches

    cases = [c for c in _roster_cases() if c[1] in KEPT or (c[0], c[1]) in KEPT]
    _sheet(tmp_path / "花名册.xlsx", cases)
    report = import_roster(demo, tmp_path / "花名册.xlsx")
    assert not report["rejected"] and report["imported"] == len(cases)
    warned = {w["name"]: w["warning"] for w in report["warnings"] if w["warning"] != "没有身份证号"}
    for number, (column, way, _) in enumerate(cases, 1):
        said = KEPT.get((column, way))
        if said:
            assert said in warned.get(f"王小明{chr(0x4E00 + number)}", ""), (column, way, warned)
    for table in ("delegates", "communities", "groups"):
        for row in demo.rows(f"SELECT * FROM [{table}] WHERE deleted = 0"):
            assert not row_breaches(table, row), row_breaches(table, row)
