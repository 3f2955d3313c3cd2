"""Writes the getting-started samples of venues and departments shipped in data/samples/
(议事阵地.xlsx, 部门联系表.xlsx).

Run from the project root: `python tests/data/make_venue_samples.py`. Written as offices keep them (a
merged title, a 填报 line, the level merged down its block, blank, 小计 and 合计 rows, a note at the
foot, header words in the clerks' variants, dates as dates and as text) with one row meant to be
refused each; the venues name the communities and groups of the communities sample (one office).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parents[2] / "data" / "samples"


def venues(path: Path) -> None:
    book = openpyxl.Workbook()
    sh = book.active
    sh.title = "阵地统计"
    header = ["序号", "阵地级别", "议事阵地名称", "所在社区", "对应议事小组", "详细地址", "建设情况", "投用时间",
              "议事室", "设施配备", "开放安排", "备注"]
    sh.append(["中山路街道人大议事阵地建设情况统计表"])
    sh.merge_cells("A1:L1")
    sh["A1"].font = Font(size=16, bold=True)
    sh["A1"].alignment = Alignment(horizontal="center")
    sh.append(["填报单位：中山路街道人大工委（盖章）", None, None, None, None, None, None, None, None, "填报时间：2026年3月10日"])
    sh.append(header)
    rows = [
        [1, "街道议事中心", "中山路街道议事中心", None, None, "中山路88号街道便民服务中心三楼", "已建成投用",
         datetime(2023, 12, 18), "第一会议室（大会议室）、第二会议室、第三会议室",
         "标牌、议事制度上墙、会议桌椅、座牌、LED显示屏、网络、电脑、音响、空调", "每年召开2次议事代表大会", None],
        None,
        [2, "片区议事厅", "老城小组片区议事厅", "中山路社区", "老城小组", "胜利路12号社区服务中心二楼", "已建成",
         "2023年12月28日", "议事室", "标牌，议事制度上墙，会议桌椅，座牌，空调", "每季度开展1次小组议事活动", None],
        [3, None, "新城一组片区议事厅", "金龙社区", "新城一组", "金龙大道66号", "已投用", "2024.1.11",
         "议事室、接待室", "标牌、议事制度上墙、会议桌椅、座牌、LED显示屏、网络、音响、空调", "每季度开展1次小组议事活动", None],
        [4, None, "新城二组片区议事厅", "凤凰湖社区", "新城二组", "凤凰湖大道中段99号", "已建成投用", "2024-01-25",
         "议事室", "标牌、议事制度上墙、会议桌椅、座牌、网络、空调", "每季度开展1次小组议事活动", None],
        [5, None, "农村小组片区议事厅", "黄瓜山村", "农村小组", "黄瓜山村便民服务中心", "已建成投用", "2024年2月22日",
         "议事室", "标牌、议事制度上墙、会议桌椅、座牌、网络、空调", "每季度开展1次小组议事活动", None],
        [None, "片区议事厅小计", None, None, None, None, None, None, None, None, "4处", None],
        [6, "小区邻里议事堂", "礼悦东方邻里议事堂", "红旗社区", "老城小组", "礼悦东方小区3栋架空层", "已建成投用",
         "20240310", None, "标牌、议事制度上墙、会议桌椅、茶水柜", "每月第1个星期六上午接待居民", None],
        [7, None, "宽天下邻里议事堂", "金龙社区", "新城一组", "宽天下小区物业中心旁", "已建成投用",
         datetime(2024, 4, 11), None, "标牌、议事制度上墙、会议桌椅、空调", "每月第2个星期六上午接待居民", None],
        [8, None, "凤凰湖一号邻里议事堂", "凤凰湖社区", None, "凤凰湖一号小区会所", "已建成投用",
         "2024年8月15日", None, "标牌、议事制度上墙、会议桌椅、空调", "每月第2个星期六上午接待居民", None],
        [9, None, "碧桂园邻里议事堂", "凤凰湖社区", "新城二组", "碧桂园小区南门", "已建成投用", "2024/7/14", None,
         "标牌、议事制度上墙、会议桌椅、空调", "每月第1个星期六上午接待居民", None],
        [10, None, "临江花园邻里议事堂", "临江村", "农村小组", "临江花园小区会所二楼", "建设中", "2029-06-30",
         None, "标牌", "建成后每月第2个星期六上午接待居民", "会所改造中"],
        [11, None, "江畔邻里议事堂", "临江村", "农村小组", "江畔安置小区", "规划中", None, None, None,
         None, "选址已定"],
        [12, "社区服务站", "金龙社区党群服务站", "金龙社区", None, "金龙路5号", "已建成投用", "2022-05-01",
         None, "标牌", None, "不属于议事阵地"],
        [None, "邻里议事堂小计", None, None, None, None, None, None, None, None, "6处", None],
        [None, "合计", None, None, None, None, None, None, None, None, "11处", None],
        None,
        ["注：建设情况填“规划中、建设中、已建成投用、暂停使用”；投用时间为实际或计划开放日期。"],
    ]
    for row in rows:
        sh.append(row if row is not None else [])
    # the level written once for its block, merged down (as offices lay it out); a group over two halls
    sh.merge_cells("B6:B9")
    sh.merge_cells("B11:B16")
    sh.merge_cells("E15:E16")
    for col, width in zip("ABCDEFGHIJKL", (5, 12, 20, 11, 10, 24, 10, 13, 18, 30, 22, 12)):
        sh.column_dimensions[col].width = width
    sh["H4"].number_format = "yyyy-mm-dd"
    sh["H12"].number_format = "yyyy-mm-dd"
    book.save(path)


def departments(path: Path) -> None:
    book = openpyxl.Workbook()
    sh = book.active
    sh.title = "部门通讯录"
    sh.append(["中山路街道议事代表会议联系部门（单位）通讯录"])
    sh.merge_cells("A1:G1")
    sh["A1"].font = Font(size=16, bold=True)
    sh["A1"].alignment = Alignment(horizontal="center")
    sh.append(["更新时间：2026年3月"])
    sh.append(["序号", "类别", "部门（单位）名称", "简称", "联系人", "联系电话", "备注"])
    rows = [
        [1, "区级部门", "永川区城市管理局", "城管", "王建军", "023-49881234", None],
        [2, None, "永川区公安分局", "公安", "李涛", 13908231456, None],
        [3, None, "永川区住房和城乡建设委员会", "住建", "张敏", "023-4981 2345", None],
        [4, None, "永川区教育委员会", "教育", "周丽", None, "电话待补"],
        [5, None, "永川区民政局", "民政", "陈刚", "49856789", None],
        [6, None, "永川区消防救援支队", "消防", "黄磊", "023-49866119", "新增"],
        [7, None, "永川区退役军人事务局", None, "孙伟", "023-49877001", "简称未填"],
        None,
        [8, "街道科室", "中山路街道党政办公室", "街道党政办", "刘芳", "13883012345", None],
        [9, None, "中山路街道城市管理办公室", "街道城管办", "何军", "138-8301-234567", "电话位数有误"],
        [10, None, "中山路街道社会事务办公室", "街道社会事务办", "吴静", "023 49851122", None],
        [11, None, "中山路派出所", "派出所", "郑勇", "023-49830110", "新增"],
        None,
        [12, "公用企业", "国网永川供电公司", "供电公司", "马超", "023-49800951", None],
        [13, None, "永川区自来水公司", "自来水公司", "冯玉", "023-49823456", None],
        [14, None, "永川区公共交通有限公司", "公交公司", "杨帆", "023-49812222", None],
        ["合计：共 14 个部门（单位）"],
        ["注：联系人变动请及时告知街道人大工委。"],
    ]
    for row in rows:
        sh.append(row if row is not None else [])
    sh.merge_cells("B4:B10")
    sh.merge_cells("B12:B15")
    sh.merge_cells("B17:B19")
    for col, width in zip("ABCDEFG", (5, 10, 28, 14, 8, 16, 12)):
        sh.column_dimensions[col].width = width
    book.save(path)


if __name__ == "__main__":
    venues(OUT / "议事阵地.xlsx")
    departments(OUT / "部门联系表.xlsx")
