"""Writes the getting-started sample of communities shipped in data/samples/ (村社区名单.xlsx).

Run from the project root: `python tests/data/make_communities_sample.py`. The communities and their
groups are those of the grids and roster samples (tests/data/make_samples.py on main), so the three
brought in one after another make one office; written as an office keeps it (a merged title, a 填报
line, a 合计 row and a note at the foot).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parents[2] / "data" / "samples"

# name, kind, area, group
COMMUNITIES = [
    ("中山路社区", "社区", "老城", "老城小组"),
    ("红旗社区", "社区", "老城", "老城小组"),
    ("金龙社区", "社区", "新城", "新城一组"),
    ("凤凰湖社区", "社区", "新城", "新城二组"),
    ("黄瓜山村", "村", "农村", "农村小组"),
    ("临江村", "村", "农村", "农村小组"),
]


def communities() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "村社区"
    header = ["序号", "村(社区)名称", "类型", "片区", "所属议事小组", "备注"]
    sheet.append(["中山路街道村（社区）名单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["填报单位：中山路街道人大工委", None, None, None, "填报时间：2026年3月"])
    sheet.append(header)
    for serial, (name, kind, area, group) in enumerate(COMMUNITIES, 1):
        sheet.append([serial, name, kind, area, group, None])
    sheet.append([])
    # meant to be refused: a type that is neither 社区 nor 村
    sheet.append([len(COMMUNITIES) + 1, "滨江新区", "开发区", "新城", "新城二组", "待定"])
    sheet.append(["合计", f"{len(COMMUNITIES)}个"])
    sheet.append(["注：片区填写老城、新城或农村；议事小组为该村（社区）代表所在的小组。"])
    for column, width in zip("ABCDEF", (6, 16, 8, 8, 14, 20)):
        sheet.column_dimensions[column].width = width
    book.save(OUT / "村社区名单.xlsx")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    communities()
