"""Writes the getting-started samples shipped in data/samples/ (communities and grids, roster).

Run from the project root: `python tests/data/make_samples.py`. The files are written as an office
keeps them (a merged title, a 填报 line, a community written once for its block, 小计 and 合计
rows, a note at the foot) and hold one or two rows meant to be refused, so that the clerk sees
what a refusal looks like on the first day.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

from app.common.idcard import check_digit

OUT = Path(__file__).resolve().parents[2] / "data" / "samples"

# community, group, grids (worker, phone), delegates in charge by grid number
COMMUNITIES = [
    ("中山路社区", "老城小组", [("杨婷", "18028383047"), ("陈国平", "13815457637"), ("马燕", "15672534773"),
                             ("刘明", "18656974472"), ("黄军", "18268111852")]),
    ("红旗社区", "老城小组", [("林淑芬", "15651267283"), ("马涛", "13194423160"), ("赵霞", "18626446830"),
                           ("李斌", "18046661655")]),
    ("金龙社区", "新城一组", [("李霞", "18618343487"), ("林明", "19042388181"), ("马霞", "15823411660"),
                           ("王秀英", "18916322671"), ("徐志强", "15387074138")]),
    ("凤凰湖社区", "新城二组", [("罗斌", "13701629153"), ("李明", "15393378609"), ("赵国平", "19554818677"),
                             ("张婷", "19749604743")]),
    ("黄瓜山村", "农村小组", [("李志强", "13828401583"), ("王静", "13634545347"), ("高燕", "18425687420")]),
    ("临江村", "农村小组", [("林斌", "19515173521"), ("徐霞", "15794243514"), ("周芳", "13512345678")]),
]

# name, gender, born, party, work, phone, community, grid numbers, group, role
DELEGATES = [
    ("孔霞", "女", "19680301", "中共党员", "中山路小学 教师", "19470273717", "中山路社区", "1、2", "老城小组", "组长"),
    ("常远", "男", "19750812", "群众", "个体经营 店主", "13282827233", "中山路社区", "3", "老城小组", "副组长"),
    ("雷娟", "女", "19820415", "中共党员", "红旗社区居委会 委员", "13512340001", "红旗社区", "1、2", "老城小组", "成员"),
    ("贺浩琴", "女", "19920424", "中共党员", "物业服务企业 经理", "19514893727", "红旗社区", "3、4", "老城小组", "副组长"),
    ("赵兰", "女", "19890324", "群众", "金龙幼儿园 园长", "13512340002", "金龙社区", "1、2", "新城一组", "组长"),
    ("周建国", "男", "19650909", "中共党员", "退休", "13512340003", "金龙社区", "3", "新城一组", "成员"),
    ("吴敏", "女", "19780120", "九三学社社员", "区人民医院 医生", "13512340004", "金龙社区", "4、5", "新城一组", "副组长"),
    ("郑伟", "男", "19850603", "群众", "凤凰湖物业 经理", "13512340005", "凤凰湖社区", "1、2", "新城二组", "组长"),
    ("王丽", "女", "19901111", "共青团员", "凤凰湖社区居委会 网格员", "13512340006", "凤凰湖社区", "3、4", "新城二组", "成员"),
    ("李建华", "男", "19600218", "中共党员", "黄瓜山村村委会 主任", "13512340007", "黄瓜山村", "1、2", "农村小组", "组长"),
    ("陈秀英", "女", "19700707", "群众", "种植大户", "13512340008", "黄瓜山村", "3", "农村小组", "成员"),
    ("刘强", "男", "19830930", "中共党员", "临江村村委会 委员", "13512340009", "临江村", "1、2、3", "农村小组", "副组长"),
]


def id_number(born: str, serial: int, female: bool) -> str:
    order = serial * 2 + (0 if female else 1)
    first17 = f"500118{born}{order:03d}"
    return first17 + check_digit(first17)


def _title(sheet, text: str, width: int) -> None:
    sheet.append([text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")


def grids() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "网格员名册"
    header = ["序号", "所属议事小组", "社区名称", "网格编号", "网格名称", "网格员姓名", "联系电话", "备注"]
    _title(sheet, "中山路街道网格划分及专职网格员花名册", len(header))
    sheet.append(["填报单位：中山路街道网格化服务管理中心", None, None, None, None, "填报时间：2026年3月"])
    sheet.append(header)
    serial = 0
    for community, group, workers in COMMUNITIES:
        for number, (worker, phone) in enumerate(workers, 1):
            serial += 1
            first = number == 1
            sheet.append([serial, group if first else None, community if first else None, f"{number:02d}",
                          f"第{number}网格", worker, phone, None])
        sheet.append([None, None, f"{community}小计", None, f"{len(workers)}个"])
        sheet.append([])
    # meant to be refused: a 网格员's phone without the 网格员
    sheet.append([serial + 1, None, "临江村", "04", "4", None, "13500000000", "网格员待定"])
    sheet.append(["合计", None, None, None, f"{serial}个网格"])
    sheet.append(["注：社区名称、议事小组为空的行与上一行相同；电话请填写11位手机号。"])
    for column, width in zip("ABCDEFGH", (6, 12, 12, 9, 12, 11, 14, 18)):
        sheet.column_dimensions[column].width = width
    book.save(OUT / "网格及网格员名册.xlsx")


def roster() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    header = ["序号", "姓名", "性别", "出生年月", "公民身份号码", "政治面貌", "工作单位及职务", "联系电话",
              "所在村（社区）", "联系网格", "议事小组", "小组职务"]
    _title(sheet, "中山路街道议事代表花名册", len(header))
    sheet.append(["填报单位：中山路街道人大工委"])
    sheet.append(header)
    for serial, (name, gender, born, party, work, phone, community, grids_, group, role) in enumerate(DELEGATES, 1):
        sheet.append([serial, name, gender, f"{born[:4]}.{born[4:6]}", id_number(born, serial, gender == "女"), party,
                      work, phone, community, "、".join(f"第{n}网格" for n in grids_.split("、")), group, role])
    # meant to be refused: an ID number with a wrong check digit
    sheet.append([len(DELEGATES) + 1, "钱多多", "男", "1977.05", "500118197705050011", "群众", "个体经营", "13512340010",
                  "临江村", "1", "农村小组", "成员"])
    sheet.append([])
    sheet.append(["合计", f"{len(DELEGATES) + 1}人"])
    for column, width in zip("ABCDEFGHIJKL", (6, 9, 6, 10, 21, 12, 24, 14, 14, 22, 11, 9)):
        sheet.column_dimensions[column].width = width
    book.save(OUT / "代表花名册.xlsx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    grids()
    roster()
