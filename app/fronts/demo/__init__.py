"""The demo subdistrict of the field report (DESIGN §9): deterministic and synthetic.

中山路街道: 25 villages/communities in 5 groups, 534 grids, 70 delegates (each group
with one leader and two deputies) mapped onto every grid, and the three venue levels.
Names, ID numbers and phone numbers are generated: valid check digits, no real people.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.common.errors import AppError
from app.fronts.demo.base import (
    CLERK,
    GRID_TOTAL,
    GROUPS,
    NEIGHBOURHOOD_HALLS,
    SEED,
    SUBDISTRICT,
    UNIT,
    _names,
    _split,
    synthetic_id,
)
from app.fronts.demo.current import build_current_year
from app.fronts.demo.ledger import build_fieldwork, build_ledger
from app.fronts.demo.meetings import build_discussions, build_meetings, close_reception_matters
from app.fronts.demo.selection import build_elections, build_selection
from app.rules.codes import BUILDING, OPEN
from app.services.venues import facilities_checklist

# Read by the tests and the bench (names, ID numbers, the grid split of the demo subdistrict).
__all__ = ["GROUPS", "_names", "_split", "build_demo", "demo_year", "synthetic_id"]


def demo_year(today: date | None = None) -> int:
    """The year the demo tells (the report's year): the last whole calendar year before the day it is
    created, so that on any day its 2 plenaries and 20 group activities have been held. The year
    after it, up to today, carries on: grid visits, reception days, handling, planned meetings."""
    return (today or date.today()).year - 1


def build_demo(store, progress=None, today: date | None = None) -> dict:
    """Fill an empty store with the demo subdistrict in one transaction."""
    today = today or date.today()
    year = demo_year(today)
    if not store.is_empty():
        raise AppError("当前数据库中已有数据，演示数据只能载入到空的数据库中。")
    rng = random.Random(SEED)
    step = progress or (lambda text: None)
    with store.db.atomic():
        # The clerk's name first: every record of the demo names her, not the computer's login.
        store.settings.update({"clerk_name": CLERK})
        store.settings.update({"site_name": "中山路街道人大工委", "unit_name": UNIT,
                               "subdistrict": SUBDISTRICT, "contact_phone": "023-49880000",
                               "issuer_mark": "中山路街道人大工委文件",
                               "doc_number_pattern": "中山路街道人大工委〔{年}〕{号}号", "signer": "李红梅",
                               "printer_name": "中山路街道人大工委办公室", "doc_cc": "街道党工委"})
        store.terms.create({"name": "第一届", "start_date": f"{year - 1}-03-01", "end_date": f"{year + 4}-02-28"})
        step("村（社区）与议事小组")
        community_ids: dict[str, str] = {}
        group_ids: dict[str, str] = {}
        areas: dict[str, str] = {}
        order = 0
        for g_order, (group, focus, communities) in enumerate(GROUPS, 1):
            changes = store.groups.create({"name": group, "focus": focus, "sort_order": g_order})
            group_ids[group] = changes.created("groups")[0]
            for name, kind, area in communities:
                order += 1
                changes = store.communities.create({"name": name, "kind": kind, "area": area,
                                                    "group_id": group_ids[group], "sort_order": order})
                community_ids[name] = changes.created("communities")[0]
                areas[name] = area
        step("网格")
        all_communities = [c for _, _, cs in GROUPS for c, _, _ in cs]
        weights = [rng.randint(14, 30) if areas[c] != "rural" else rng.randint(10, 20)
                   for c in all_communities]
        grids_by_community: dict[str, list[str]] = {}
        for name, count in zip(all_communities, _split(GRID_TOTAL, weights)):
            changes = store.grids.bulk_create(community_ids[name], f"1-{count}")
            grids_by_community[name] = changes.created("grids")
        build_grid_workers(store, grids_by_community)
        step("制度建设")
        build_institutions(store, year)
        step("推选议事代表（两下两上）")
        build_selection(store, rng, year, community_ids, group_ids, areas, grids_by_community)
        step("小组推选组长、副组长")
        build_elections(store, year)
        step("议事阵地")
        store.venues.create(
            {"name": "中山路街道议事中心", "level": "centre", "address": "永川区中山路街道办事处三楼",
             "schedule": "每年召开 2 次议事代表大会，分组讨论使用各会议室",
             "facilities": facilities_checklist(), "build_status": OPEN, "opened_on": f"{year - 2}-12-18"},
            rooms=["第一会议室（大会议室）", "第二会议室", "第三会议室", "第四会议室", "第五会议室"])
        for index, (group, _, communities) in enumerate(GROUPS):
            host = communities[0][0]
            store.venues.create(
                {"name": f"{group}片区议事厅", "level": "area_hall", "address": f"{host}党群服务中心",
                 "community_id": community_ids[host], "group_id": group_ids[group],
                 "schedule": "每季度开展 1 次小组议事活动", "build_status": OPEN,
                 # the area halls opened one after another in the winter before the term
                 "opened_on": (date(year - 2, 12, 28) + timedelta(days=14 * index)).isoformat(),
                 "facilities": ["标牌", "议事制度上墙", "会议桌椅", "座牌", "网络", "空调"]
                 + (["LED显示屏", "音响"] if group != "农村小组" else [])},
                rooms=["议事室"])
        for day, (estate, community) in enumerate([*NEIGHBOURHOOD_HALLS, BUILDING_HALL]):
            store.venues.create(
                {"name": f"{estate}邻里议事堂", "level": "neighbourhood_hall",
                 "address": f"{estate}小区物业服务用房", "community_id": community_ids[community],
                 "group_id": next(group_ids[g] for g, _, cs in GROUPS if community in [c for c, _, _ in cs]),
                 "schedule": f"每月第 {day % 4 + 1} 个星期六上午接待居民",
                 "facilities": ["标牌", "议事制度上墙", "会议桌椅"] + (["空调"] if day % 3 else []),
                 **hall_opening(day, year, today)})
        step("会议与接待日")
        build_meetings(store, rng, year, today)
        step("意见建议台账")
        build_ledger(store, rng, year, today)
        step("本年度会议与意见建议")
        build_current_year(store, year + 1, today)
        step("网格走访与落实事项")
        build_fieldwork(store, rng, year, today)
        close_reception_matters(store, rng, today)
        step("分组讨论与会中意见建议")
        build_discussions(store, today)
    return store.stats.summary()


# The institutions the report begins with: 3 studies, the 领导小组, the 实施方案 and 4 制度.
INSTITUTIONS = [
    {"kind": "study", "title": "研究建立议事代表会议制度", "day": "{y}-09-12", "doc_number": "党工委会议纪要〔{y}〕15号",
     "content": "决定在全街道建立议事代表会议制度，由人大街道工委牵头起草实施方案"},
    {"kind": "study", "title": "审议议事代表会议制度实施方案", "day": "{y}-10-18", "doc_number": "党工委会议纪要〔{y}〕18号",
     "content": "审议通过实施方案，成立领导小组，明确“两下两上”推选程序和代表名额"},
    {"kind": "study", "title": "研究议事代表推选条件和名额分配", "day": "{y}-11-26", "doc_number": "党工委会议纪要〔{y}〕21号",
     "content": "确定推选条件和 70 名代表名额在各村（社区）的分配"},
    {"kind": "leading_group", "title": "中山路街道议事代表会议制度工作领导小组", "day": "{y}-10-20",
     "doc_number": "中山路党工委〔{y}〕26号", "content": "统筹推进议事代表会议制度，办公室设在人大街道工委",
     "members": "组长：周建国（街道党工委书记）\n副组长：李红梅（人大街道工委主任）\n副组长：陈志强（街道办事处主任）\n"
                "成员：王磊（党政办主任）\n成员：赵敏（组织办主任）\n成员：孙伟（社区治理办主任）"},
    {"kind": "plan", "title": "中山路街道建立议事代表会议制度的实施方案", "day": "{y}-10-25",
     "doc_number": "中山路党工委〔{y}〕27号", "content": "目标任务、推选办法（两下两上）、分组和阵地、议事规则、保障措施"},
    {"kind": "rule", "title": "议事代表联系接待群众制度", "day": "{y}-11-28", "doc_number": "中山路街道人大工委〔{y}〕9号",
     "content": "代表每月走访联系网格，邻里议事堂每月接待日轮流值班接待群众"},
    {"kind": "rule", "title": "议事代表会议议事规则", "day": "{y}-11-28", "doc_number": "中山路街道人大工委〔{y}〕10号",
     "content": "大会每年 2 次、小组活动每季度 1 次，会前会中会后工作流程"},
    {"kind": "rule", "title": "意见建议交办督办反馈制度", "day": "{y}-11-28", "doc_number": "中山路街道人大工委〔{y}〕11号",
     "content": "分类交办、限时办理、跟踪督办、结果反馈代表和群众"},
    {"kind": "rule", "title": "议事代表履职考评制度", "day": "{y}-11-28", "doc_number": "中山路街道人大工委〔{y}〕12号",
     "content": "建立履职档案，年度述职，小组评议"},
]


def build_institutions(store, year: int) -> None:
    """Set up in the autumn two years before the demo year, ahead of the selection round."""
    for order, values in enumerate(INSTITUTIONS, 1):
        store.institutions.create({**{k: v.format(y=year - 2) for k, v in values.items()}, "sort_order": order})


# An eleventh neighbourhood hall is still being built: no rota and no reception days until it opens.
BUILDING_HALL = ("玉龙湾", "玉龙社区")


def hall_opening(index: int, year: int, today: date) -> dict:
    """The neighbourhood halls opened month by month through the year before the report's, ahead of
    their first reception day; the eleventh opens on the day planned, after today (the rule book asks
    a planned date after the computer's today too, whatever day the demo tells)."""
    if index == len(NEIGHBOURHOOD_HALLS):
        planned = date(max(today, date.today()).year + 1, 6, 30)
        return {"build_status": BUILDING, "opened_on": planned.isoformat()}
    return {"build_status": OPEN, "opened_on": date(year - 1, 3 + index, 10 + index).isoformat()}


def build_grid_workers(store, grids_by_community: dict[str, list[str]]) -> None:
    """Each grid's worker (网格员) and mobile, as the community's grid roster lists them. Their own
    draw: the demo's other figures do not move."""
    rng = random.Random(f"{SEED}/grid-workers")
    for grid_ids in grids_by_community.values():
        workers = _names(rng, len(grid_ids))
        for grid_id, worker in zip(grid_ids, workers):
            phone = f"1{rng.choice('3589')}{rng.randrange(10 ** 9):09d}"
            store.grids.update(grid_id, {"worker_name": worker, "worker_phone": phone})
