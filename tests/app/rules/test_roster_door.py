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
