"""The demo subdistrict of the field report (DESIGN §9): deterministic and synthetic.

中山路街道: 25 villages/communities in 5 groups, 534 grids, 70 delegates (each group
with one leader and two deputies) mapped onto every grid, and the three venue levels.
Names, ID numbers and phone numbers are generated: valid check digits, no real people.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from app.common.errors import AppError
from app.common.idcard import check_digit
from app.rules.meeting_kinds import GROUP_ACTIVITY, PLENARY, RECEPTION
from app.services.nomination import DEFAULT_REVIEW_UNITS
from app.services.venues import facilities_checklist

SEED = 20260101
SUBDISTRICT = "中山路街道"
UNIT = "永川区人大常委会中山路街道工委"
CLERK = "刘晓燕"  # the demo's clerk (synthetic)
REGION_CODE = "500118"  # 永川区
GRID_TOTAL = 534

# (group, focus, [(community, kind, area)])
GROUPS = [
    ("老城小组", "老旧小区改造、背街小巷治理", [
        ("中山路社区", "community", "old_town"), ("胜利路社区", "community", "old_town"),
        ("红旗社区", "community", "old_town"), ("萱花社区", "community", "old_town"),
        ("玉屏社区", "community", "old_town")]),
    ("新城一组", "物业管理、停车秩序", [
        ("兴龙湖社区", "community", "new_town"), ("凤凰湖社区", "community", "new_town"),
        ("星光社区", "community", "new_town"), ("昌州社区", "community", "new_town"),
        ("南华社区", "community", "new_town")]),
    ("新城二组", "公共服务配套、养老托育", [
        ("渝西社区", "community", "new_town"), ("北山社区", "community", "new_town"),
        ("棠城社区", "community", "new_town"), ("神女湖社区", "community", "new_town"),
        ("汇龙社区", "community", "new_town")]),
    ("新城三组", "交通出行、学校周边", [
        ("文昌社区", "community", "new_town"), ("万达广场社区", "community", "new_town"),
        ("文曲社区", "community", "new_town"), ("玉龙社区", "community", "new_town")]),
    ("农村小组", "产业发展、人居环境", [
        ("双竹村", "village", "rural"), ("黄瓜山村", "village", "rural"), ("石梯村", "village", "rural"),
        ("龙凤村", "village", "rural"), ("临江村", "village", "rural"), ("永兴村", "village", "rural")]),
]
DELEGATES_PER_GROUP = {"老城小组": 14, "新城一组": 14, "新城二组": 14, "新城三组": 13, "农村小组": 15}

NEIGHBOURHOOD_HALLS = [
    ("礼悦东方", "萱花社区"), ("宽天下", "兴龙湖社区"), ("金科世界城", "凤凰湖社区"),
    ("恒大翡翠华庭", "渝西社区"), ("碧桂园", "北山社区"), ("凤凰湖一号", "凤凰湖社区"),
    ("万达华府", "万达广场社区"), ("兴龙湖畔", "兴龙湖社区"), ("昌州古城", "昌州社区"),
    ("中央公园", "文昌社区"),
]

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田萧潘袁蒋蔡余杜叶程魏苏吕丁任卢姚沈"
    "钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)
GIVEN = (
    "建国华明丽娟红英伟芳敏静军勇杰强磊洋艳霞平刚桂兰玉梅志文秀云春燕海波涛鹏辉晓东丹萍琴雪飞超斌宇浩然思"
    "远佳怡欣悦家俊瑞成林峰德福忠贵荣凤兰淑珍"
)
# (workplace, post, sector) by area; the sector follows from the work.
WORK = {
    "old_town": [("社区居委会", "委员", "村（社区）干部"), ("个体经营", "店主", "个体工商户"),
                 ("中山路小学", "教师", "教育卫生"), ("社区卫生服务中心", "医生", "教育卫生"),
                 ("物业服务企业", "经理", "企业人员"), ("退休", "", "退休人员"), ("社区网格", "网格员", "居民群众")],
    "new_town": [("社区居委会", "副主任", "村（社区）干部"), ("永川中学", "教师", "教育卫生"),
                 ("区人民医院", "护士长", "教育卫生"), ("科技企业", "工程师", "专业技术人员"),
                 ("物业服务企业", "项目经理", "企业人员"), ("个体经营", "店主", "个体工商户"),
                 ("律师事务所", "律师", "专业技术人员"), ("社会工作服务站", "社工", "社会组织")],
    "rural": [("村民委员会", "主任", "村（社区）干部"), ("种植专业合作社", "理事长", "农民"),
              ("家庭农场", "负责人", "农民"), ("村小学", "教师", "教育卫生"),
              ("村卫生室", "乡村医生", "教育卫生"), ("务农", "", "农民")],
}
PARTIES = ["中共党员"] * 9 + ["群众"] * 4 + ["民盟盟员", "九三学社社员", "无党派人士", "共青团员"]
EDUCATION = ["大学本科", "大学本科", "大学专科", "大学专科", "高中", "中专", "研究生", "初中"]


def synthetic_id(rng: random.Random, born: date, female: bool) -> str:
    seq = rng.randrange(0, 100) * 10 + rng.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
    first17 = f"{REGION_CODE}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def _names(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _split(total: int, weights: list[int]) -> list[int]:
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


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
        step("制度建设")
        build_institutions(store, year)
        step("推选议事代表（两下两上）")
        build_selection(store, rng, year, community_ids, group_ids, areas, grids_by_community)
        step("议事阵地")
        store.venues.create(
            {"name": "中山路街道议事中心", "level": "centre", "address": "永川区中山路街道办事处三楼",
             "schedule": "每年召开 2 次议事代表大会，分组讨论使用各会议室",
             "facilities": facilities_checklist()},
            rooms=["第一会议室（大会议室）", "第二会议室", "第三会议室", "第四会议室", "第五会议室"])
        for group, _, communities in GROUPS:
            host = communities[0][0]
            store.venues.create(
                {"name": f"{group}片区议事厅", "level": "area_hall", "address": f"{host}党群服务中心",
                 "community_id": community_ids[host], "group_id": group_ids[group],
                 "schedule": "每季度开展 1 次小组议事活动",
                 "facilities": ["标牌", "议事制度上墙", "会议桌椅", "座牌", "网络", "空调"]
                 + (["LED显示屏", "音响"] if group != "农村小组" else [])},
                rooms=["议事室"])
        for day, (estate, community) in enumerate(NEIGHBOURHOOD_HALLS):
            store.venues.create(
                {"name": f"{estate}邻里议事堂", "level": "neighbourhood_hall",
                 "address": f"{estate}小区物业服务用房", "community_id": community_ids[community],
                 "group_id": next(group_ids[g] for g, _, cs in GROUPS if community in [c for c, _, _ in cs]),
                 "schedule": f"每月第 {day % 4 + 1} 个星期六上午接待居民",
                 "facilities": ["标牌", "议事制度上墙", "会议桌椅"] + (["空调"] if day % 3 else [])})
        step("会议与接待日")
        build_meetings(store, rng, year, today)
        step("意见建议台账")
        build_ledger(store, rng, year, today)
        step("网格走访与落实事项")
        build_fieldwork(store, rng, year, today)
        close_reception_matters(store, rng, today)
    return store.stats.summary()


# ---------------------------------------------------------------------------
# The selection round of the report: 110 candidates through 两下两上 to 70 delegates.
CANDIDATES = 110


def _profile(rng: random.Random, name: str, community: str, area: str, *, born_from=1960, span=36) -> dict:
    female = rng.random() < 0.42
    born = date(born_from, 1, 1) + timedelta(days=rng.randrange(0, 365 * span))
    workplace, post, sector = rng.choice(WORK[area])
    if workplace in ("社区居委会", "村民委员会"):
        workplace = community + ("村民委员会" if area == "rural" else "居民委员会")
    return {"name": name, "ethnicity": "汉族" if rng.random() < 0.95 else "土家族",
            "id_number": synthetic_id(rng, born, female), "party": rng.choice(PARTIES), "sector": sector,
            "education": rng.choice(EDUCATION), "workplace": workplace, "post": post or None,
            "phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
            "resident_since": _resident_since(born, rng.randrange(1985, 2020), rng.randrange(1, 13))}


def _resident_since(born: date, year: int, month: int) -> str:
    """When a person began to live or work in the community: never before they were born (one who
    grew up there counts from coming of age)."""
    if date(year, month, 1) < born:
        year = born.year + 18
    return f"{year}-{month:02d}-01"


def _route(rng: random.Random, community: str, kind: str, names) -> dict:
    roll = rng.random()
    if roll < 0.7:  # the report's two routes; 本人自荐 is not one of them
        return {"route": "party_org", "recommender": community + ("党总支" if kind == "village" else "党委")}
    return {"route": "joint", "recommenders": "、".join(next(names) for _ in range(rng.randrange(10, 16)))}


def build_selection(store, rng, year, community_ids, group_ids, areas, grids_by_community) -> None:
    """一下 quotas, 一上 nominations, 二下 joint review and notice, 二上 confirmation, certificates, filing;
    then the 70 delegates are given their group roles and grids."""
    names = iter(_names(rng, CANDIDATES + 40 * 15 + 200))
    kinds = {c: k for _, _, cs in GROUPS for c, k, _ in cs}
    chosen = []  # (profile, community, group, role, grid share)
    for group, _, communities in GROUPS:
        count = DELEGATES_PER_GROUP[group]
        members = [communities[i % len(communities)][0] for i in range(count)]
        per_community: dict[str, list[int]] = {}
        for index, community in enumerate(members):
            per_community.setdefault(community, []).append(index)
        for index, community in enumerate(members):
            role = "leader" if index == 0 else "deputy_leader" if index in (1, 2) else "member"
            mine = per_community[community]
            grids = grids_by_community[community]
            share = [grids[i] for i in range(len(grids)) if i % len(mine) == mine.index(index)]
            chosen.append((_profile(rng, next(names), community, areas[community]), community, role, share))
    everyone = [c for _, _, cs in GROUPS for c, _, _ in cs]
    extras = []
    for n in range(CANDIDATES - len(chosen)):
        community = everyone[(n * 7) % len(everyone)]
        extras.append((_profile(rng, next(names), community, areas[community]), community))

    round_id = store.nomination.open_round({
        "name": "第一届议事代表推选", "opened_on": f"{year - 2}-12-02", "seats": len(chosen),
        "conditions_by": "街道党工委", "conditions_doc": f"中山路党工委〔{year - 2}〕28号",
        "notes": "街道党工委3次专题研究，印发实施方案，“两下两上”推选。"}).created("nomination_rounds")[0]
    seats: dict[str, int] = {}
    for _, community, _, _ in chosen:
        seats[community] = seats.get(community, 0) + 1
    members = sum(p["party"] == "中共党员" for p, *_ in chosen)
    farmers = sum(p["sector"] == "农民" for p, *_ in chosen)
    quotas = [{"dimension": "community", "key": community_ids[c], "rule": "exact", "seats": seats[c]}
              for c in everyone]
    quotas += [{"dimension": "sector", "key": "农民", "rule": "min", "seats": min(farmers, 6)},
               {"dimension": "sector", "key": "村（社区）干部", "rule": "max", "seats": 20},
               {"dimension": "party", "key": "中共党员", "rule": "max", "seats": max(members, 45)}]
    store.nomination.set_quotas(round_id, quotas)

    candidates = store.candidates
    ids = {}
    for profile, community, *_ in chosen:
        values = {**profile, "community_id": community_ids[community], **_route(rng, community, kinds[community], names)}
        ids[profile["name"]] = candidates.nominate(round_id, values).created("candidates")[0]
    extra_ids = []
    for n, (profile, community) in enumerate(extras):
        if n == 17:  # moved in recently: fails the preliminary review
            profile["resident_since"] = f"{year - 2}-08-01"
        values = {**profile, "community_id": community_ids[community], **_route(rng, community, kinds[community], names)}
        extra_ids.append(candidates.nominate(round_id, values).created("candidates")[0])
    chosen_ids = [ids[p["name"]] for p, *_ in chosen]

    # 一上: the representative meetings vote, the 工委 reviews.
    candidates.record(extra_ids[:4], "community_approved", f"{year - 2}-12-16", "fail", "村（居）民代表会议表决未过半数")
    candidates.record(chosen_ids + extra_ids[4:], "community_approved", f"{year - 2}-12-16", "pass")
    late = [extra_ids[17]]
    candidates.record(late + extra_ids[4:7], "preliminary_reviewed", f"{year - 2}-12-23", "fail",
                      "不符合推选条件或本人所在单位不同意推荐")
    passed = chosen_ids + [i for i in extra_ids[7:] if i not in late]
    candidates.record(passed, "preliminary_reviewed", f"{year - 2}-12-23", "pass")
    # 二下: each department's verdict, then the public notice.
    refused = {extra_ids[8]: ("派出所", "有违法记录"), extra_ids[12]: ("街道纪工委", "存在失信被执行记录")}
    for offset, unit in enumerate(DEFAULT_REVIEW_UNITS):
        day = f"{year - 1}-01-0{6 + offset}"
        bad = [i for i, (u, _) in refused.items() if u == unit]
        candidates.review([i for i in passed if i not in bad], unit, "合格", day)
        for i in bad:
            candidates.review([i], unit, "不合格", day, refused[i][1])
    nominated_in = [r["community_id"] for r in store.nomination.returns(round_id)]
    store.nomination.record_return(round_id, "feedback", nominated_in, f"{year - 1}-01-10",
                                   "联审合格名单反馈各村（社区）党组织，由其公示")
    notice = _workday(store, date(year - 1, 1, 13))
    store.nomination.start_notice(round_id, notice.isoformat(), "各村（社区）党群服务中心公示栏、街道微信公众号")
    closed = date.fromisoformat(store.nomination.get(round_id)["notice_end"]) + timedelta(days=1)
    noticed = [i for i in passed if i not in refused]
    upheld, dismissed = noticed[-1], chosen_ids[5]
    candidates.add_objection(upheld, (notice + timedelta(days=1)).isoformat(), "反映其户籍和居住地均已迁往外区", "居民来信")
    candidates.add_objection(dismissed, (notice + timedelta(days=1)).isoformat(), "反映其很少参加社区活动", "匿名电话")
    resolved = (notice + timedelta(days=2)).isoformat()
    for objection in candidates.objections(round_id=round_id):
        if objection["candidate_id"] == upheld:
            candidates.resolve_objection(objection["id"], resolved, f"经社区核实，本人已于{year - 2}年迁居外区", True)
        else:
            candidates.resolve_objection(objection["id"], resolved, "经核实本人积极参加社区志愿服务，反映不属实",
                                         False)
    store.nomination.close_notice(round_id, closed.isoformat())
    for offset, community_id in enumerate(nominated_in):  # each community reports its list up
        store.nomination.record_return(round_id, "report", [community_id],
                                       (closed + timedelta(days=1 + offset % 4)).isoformat())
    # 二上: the 党工委 confirms 70, certificates, filing with the district.
    confirmed = max(date(year - 1, 1, 24), closed + timedelta(days=6)).isoformat()
    store.nomination.confirm(round_id, chosen_ids, confirmed, f"中山路党工委〔{year - 1}〕3号")
    store.nomination.issue_certificates(round_id, f"{year - 1}-02-20")
    store.nomination.file_round(round_id, f"{year - 1}-02-28", f"中山路街道人大工委〔{year - 1}〕1号")
    delegate_of = {r["id"]: r["delegate_id"] for r in store.rows(
        "SELECT id, delegate_id FROM candidates WHERE round_id = ?", [round_id])}
    for (profile, _community, role, share) in chosen:
        store.delegates.update(delegate_of[ids[profile["name"]]], {"group_role": role}, grid_ids=share)


# ---------------------------------------------------------------------------
# Meetings: the year of the report (2 plenaries, 20 group activities, monthly receptions), and after
# it, up to today, the reception days that went on and the meetings planned after today.
GROUP_TOPICS = {
    "老城小组": ["胜利路老旧小区加装电梯", "红旗社区背街小巷路灯改造", "中山路农贸市场周边占道经营整治",
              "萱花社区雨污管网改造"],
    "新城一组": ["兴龙湖片区夜间停车难", "凤凰湖小区物业服务收费公示", "星光社区电动车集中充电桩建设",
              "昌州社区垃圾分类投放点设置"],
    "新城二组": ["渝西社区老年食堂运营", "北山社区托育点建设", "棠城社区公共空间适老化改造",
              "汇龙社区健身步道修缮"],
    "新城三组": ["万达广场片区上学交通安全", "文曲社区学校周边停车秩序", "万达广场片区至永川中学文昌校区定制公交",
              "玉龙社区夜市噪音治理"],
    "农村小组": ["双竹村茶叶产业路硬化", "农村人居环境整治", "农村产业路管护", "黄瓜山村、石梯村民生实事"],
}
GROUP_DEPARTMENTS = {"老城小组": ["住建", "城管"], "新城一组": ["城管", "公安"], "新城二组": ["民政", "卫生健康"],
                     "新城三组": ["交通运输", "公交公司", "教育"], "农村小组": ["农业农村", "生态环境"]}
# A group's activity each quarter; 新城三组 met in the summer holidays (暑期), two groups in December.
QUARTER_DAYS = ["03-12", "06-16", "09-10", "10-20"]
QUARTER_MOVED = {("新城三组", 2): "07-15", ("新城一组", 3): "12-03", ("农村小组", 3): "12-09"}
# Planned after today (extra to the report's figures): days from today and the agenda.
PLANNED_ACTIVITIES = {"新城一组": (5, ["南华社区广场舞噪音治理"]),
                      "农村小组": (11, ["临江村河道清淤", "龙凤村通组公路安全护栏", "永兴村快递服务点"])}
RECEPTION_MATTERS = ["小区电梯老旧经常停运", "楼道照明损坏", "小区门口占道停车", "雨天路面积水", "广场舞噪音扰民",
                     "希望增设老年人休息座椅", "垃圾清运不及时", "快递柜设置不合理", "绿化带被毁种菜",
                     "公交站台缺少遮雨棚"]
# How the delegates on duty dealt with what was not taken into the ledger.
MATTER_HANDLING = ["当场答复", "已转社区居委会办理", "已转物业服务企业处理", "已转街道相关科室办理"]


def _someone(*seed) -> str:
    """A synthetic name for a person outside the roster (a department's officer, a guest), the same
    for the same seed (its own draw: the demo's other figures do not move)."""
    return _names(random.Random("/".join(map(str, seed))), 1)[0]


def _leader(store, group_id: str) -> str:
    return store.scalar("SELECT name FROM delegates WHERE group_id = ? AND group_role = 'leader' AND deleted = 0",
                        [group_id]) or ""


def _present(store, meeting_id, ids, rng, excused_rate=0.1):
    marks = {d: ("excused" if rng.random() < excused_rate else "present") for d in ids}
    store.attendance.record(meeting_id, marks)


def _finish_steps(store, meeting_id, upto: date):
    """Tick the steps due before `upto` as done on their due date."""
    for step in store.meetings.steps(meeting_id):
        if date.fromisoformat(step["due_date"]) < upto:
            store.meetings.tick_step(step["id"], step["due_date"])


def _workday(store, day: date) -> date:
    """The day itself, or the next working day (the demo's dates move with the year it is built in)."""
    return store.opinions.calendar.add_working_days(day - timedelta(days=1), 1)


def activity_day(store, year: int, group: str, quarter: int) -> date:
    month_day = QUARTER_MOVED.get((group, quarter), QUARTER_DAYS[quarter])
    return _workday(store, date.fromisoformat(f"{year}-{month_day}"))


def build_meetings(store, rng: random.Random, year: int, today: date) -> None:
    centre = next(v for v in store.venues.list() if v["level"] == "centre")
    big_room = store.venues.rooms(centre["id"])[0]
    groups = store.groups.list()
    members = {g["id"]: [r["id"] for r in store.rows(
        "SELECT id FROM delegates WHERE group_id = ? AND deleted = 0 ORDER BY name_pinyin", [g["id"]])]
        for g in groups}
    everyone = [d for ids in members.values() for d in ids]

    # Plenary 1 (with the vote on livelihood projects) and plenary 2 (the projects' progress).
    first = store.meetings.create({
        "kind": PLENARY, "date": _workday(store, date(year, 3, 18)).isoformat(), "start_time": "09:00",
        "end_time": "11:30", "room_id": big_room["id"], "status": "held",
        "agenda": "听取街道办事处年度工作报告\n票决民生实事项目\n分组讨论并汇总意见建议",
        "departments": ["城管", "住建", "交通运输", "民政"]}).created("meetings")[0]
    _present(store, first, everyone, rng, 0.12)
    store.attendance.add_guest(first, "陈志强", "中山路街道办事处")  # its 主任 (the 领导小组's member)
    for item, votes in (("万达广场片区至永川中学文昌校区定制公交", (58, 1, 2)),
                        ("胜利路老旧小区加装电梯（首批 12 部）", (55, 2, 4)),
                        ("背街小巷路灯改造", (40, 9, 12))):
        present = store.attendance.quorum(first)["present"]
        scale = min(1.0, present / sum(votes))
        store.attendance.record_vote(first, item, *(int(v * scale) for v in votes))
    store.meetings.save_minutes(
        first, "会议由人大街道工委主任主持，听取并审议了街道办事处年度工作报告。",
        "会议审议通过了街道办事处年度工作报告。\n会议票决产生年度民生实事项目，要求街道办事处列入年度工作计划。\n"
        "会议汇总代表意见建议，交人大街道工委分类交办。",
        [{"content": "将票决通过的民生实事项目列入年度计划并按季度报告进度", "unit": "街道办事处", "person": "王磊",
          "deadline": f"{year}-04-15"},
         {"content": "分类交办大会期间代表提出的意见建议", "unit": "人大街道工委", "deadline": f"{year}-03-31"}])
    _finish_steps(store, first, today)
    second = store.meetings.create({
        "kind": PLENARY, "date": _workday(store, date(year, 12, 8)).isoformat(), "start_time": "09:00",
        "end_time": "11:30", "room_id": big_room["id"], "status": "held",
        "agenda": "听取民生实事项目办理情况报告\n开展分组讨论\n汇总来年意见建议",
        "departments": ["城管", "住建", "交通运输", "公交公司"]}).created("meetings")[0]
    _present(store, second, everyone, rng, 0.1)
    store.attendance.add_guest(second, _someone(PLENARY, year, "deputy"), "中山路街道办事处")
    store.meetings.save_minutes(
        second, "会议听取了街道办事处关于年度民生实事项目办理情况的报告，各议事小组分组讨论。",
        "会议认为年度民生实事项目总体按计划推进，定制公交、加装电梯等项目群众反映良好。\n"
        "会议汇总代表提出的来年意见建议，交人大街道工委梳理后纳入下一年度民生实事项目征集。",
        [{"content": "梳理代表提出的来年意见建议，形成下一年度民生实事项目建议清单", "unit": "人大街道工委",
          "person": CLERK, "deadline": f"{year + 1}-01-20"}])
    _finish_steps(store, second, today)

    # Group activities, one a quarter at each group's area hall.
    halls = {v["group_id"]: v for v in store.venues.list("area_hall")}
    for group in groups:
        room = store.venues.rooms(halls[group["id"]]["id"])[0]
        for quarter in range(4):
            when = activity_day(store, year, group["name"], quarter).isoformat()
            topic = GROUP_TOPICS[group["name"]][quarter]
            meeting_id = store.meetings.create({
                "kind": GROUP_ACTIVITY, "group_id": group["id"], "date": when, "start_time": "14:30",
                "end_time": "17:00", "room_id": room["id"], "status": "held",
                "agenda": f"{topic}\n相关部门介绍情况\n代表座谈协商", "scope": "group",
                "departments": GROUP_DEPARTMENTS[group["name"]]}).created("meetings")[0]
            _present(store, meeting_id, members[group["id"]], rng, 0.08)
            # the departments invited came: each signed in by the officer it sent
            lead = GROUP_DEPARTMENTS[group["name"]][0]
            for unit in GROUP_DEPARTMENTS[group["name"]]:
                store.attendance.add_guest(meeting_id, _someone(when, unit), unit)
            items = [{"content": f"制定{topic}工作方案", "unit": lead, "person": _someone(when, lead),
                      "deadline": (date.fromisoformat(when) + timedelta(days=30)).isoformat()}]
            if topic.endswith("定制公交"):
                items = [{"content": "摸清万达广场片区学生乘车需求（360余名学生）", "unit": "新城三组、文昌社区",
                          "person": _leader(store, group["id"]), "deadline": f"{year}-07-31"},
                         {"content": "拟定并开通 5 条定制公交线路，秋季开学前直达文昌校区", "unit": "交通运输、公交公司",
                          "person": _someone(when, "公交公司"), "deadline": f"{year}-08-31"},
                         {"content": "根据开学后客流动态调整线路、班次和时间", "unit": "公交公司",
                          "deadline": f"{year}-10-31"}]
            store.meetings.save_minutes(
                meeting_id, f"会议围绕“{topic}”开展座谈协商，相关部门介绍了有关情况。",
                f"与会代表和部门就{topic}达成共识，明确了落实事项和责任分工。", items)
            _finish_steps(store, meeting_id, today)

    # After the year: the next plenary and two groups' activities are being prepared.
    plenary = store.meetings.create({
        "kind": PLENARY, "date": _workday(store, today + timedelta(days=10)).isoformat(), "start_time": "09:00",
        "end_time": "11:30", "room_id": big_room["id"],
        "agenda": "听取街道办事处年度工作报告\n票决民生实事项目\n分组讨论并汇总意见建议",
        "departments": ["城管", "住建", "交通运输", "公交公司"]}).created("meetings")[0]
    due = [step for step in store.meetings.steps(plenary) if step["due_date"] < today.isoformat()]
    for step in due[:-1]:  # the latest step due is left open: the flowchart shows it overdue
        store.meetings.tick_step(step["id"], step["due_date"])
    for group in groups:
        if group["name"] not in PLANNED_ACTIVITIES:
            continue
        days, agenda = PLANNED_ACTIVITIES[group["name"]]
        meeting_id = store.meetings.create({
            "kind": GROUP_ACTIVITY, "group_id": group["id"],
            "date": _workday(store, today + timedelta(days=days)).isoformat(), "start_time": "14:30",
            "end_time": "17:00", "room_id": store.venues.rooms(halls[group["id"]]["id"])[0]["id"],
            "agenda": "\n".join(agenda + ["相关部门介绍情况", "代表座谈协商"]), "scope": "group",
            "departments": GROUP_DEPARTMENTS[group["name"]]}).created("meetings")[0]
        _finish_steps(store, meeting_id, today)

    # Monthly reception days at the ten neighbourhood halls, from January of the year to this month.
    # A group's halls take turns through its members, so no one is on duty at two halls at once.
    halls_of_group: dict[str, list[str]] = {}
    for hall in store.venues.list("neighbourhood_hall"):
        halls_of_group.setdefault(hall["group_id"], []).append(hall["id"])
    for hall in store.venues.list("neighbourhood_hall"):
        pool = members[hall["group_id"]]
        sharing = halls_of_group[hall["group_id"]]
        for index in range((today.year - year) * 12 + today.month):
            on_year, month = year + index // 12, index % 12 + 1
            first = 2 * (month * len(sharing) + sharing.index(hall["id"]))
            duty = [pool[(first + k) % len(pool)] for k in range(2)]
            store.receptions.set_duty(hall["id"], f"{on_year}-{month:02d}", duty)
            held_on = _nth_saturday(on_year, month, _hall_week(hall))
            held = held_on <= today
            meeting_id = store.meetings.create({
                "kind": RECEPTION, "venue_id": hall["id"], "date": held_on.isoformat(), "start_time": "09:00",
                "end_time": "11:30", "status": "held" if held else "planned",
                "visitors": rng.randint(3, 15) if held else None}).created("meetings")[0]
            if held:
                store.attendance.record(meeting_id, {d: "present" for d in duty})
                raised = rng.sample(RECEPTION_MATTERS, rng.randint(1, 3))
                store.receptions.save_matters(meeting_id, [{"content": m, "resident": "居民"} for m in raised])
            _finish_steps(store, meeting_id, today)


def close_reception_matters(store, rng: random.Random, today: date) -> None:
    """What the ledger did not take in was dealt with on the day or handed on: closed with how."""
    pending = [r for r in store.opinions.pending_intake() if r["origin_table"] == "reception_matters"]
    by_day: dict[str, list[dict]] = {}
    for row in pending:
        by_day.setdefault(row["date"], []).append(row)
    for day, rows in sorted(by_day.items()):
        handled = min(date.fromisoformat(day) + timedelta(days=rng.choice([0, 0, 3, 7])), today)
        store.receptions.close_matters([r["id"] for r in rows], rng.choice(MATTER_HANDLING), handled.isoformat())


def _hall_week(hall: dict) -> int:
    """Which Saturday of the month the hall receives residents ("每月第 N 个星期六")."""
    found = re.search(r"第 (\d) 个星期六", hall.get("schedule") or "")
    return int(found.group(1)) if found else 1


def _nth_saturday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(5 - first.weekday()) % 7 + 7 * (n - 1))


# ---------------------------------------------------------------------------
# The opinion ledger: 28 opinions across every step and category, and the school-bus case.
# (title, content, category, lead unit, final state) for the 27 besides the school bus
LEDGER = [
    ("胜利路老旧小区加装电梯", "多名老人反映上下楼困难，希望加装电梯", "department", "住建", "closed"),
    ("红旗社区背街小巷路灯不亮", "夜间出行不便，存在安全隐患", "subdistrict", "街道城管办", "closed"),
    ("中山路农贸市场周边占道经营", "早晚高峰占道经营导致拥堵", "department", "城管", "closed"),
    ("萱花社区雨污管网堵塞", "雨天污水倒灌进楼道", "department", "住建", "fed_back"),
    ("兴龙湖片区夜间停车难", "小区车位不足，夜间乱停放", "subdistrict", "街道城管办", "assigned_overdue"),
    ("凤凰湖小区物业收费不公开", "希望公示物业服务收支情况", "self_governance", "凤凰湖社区", "closed"),
    ("星光社区电动车充电桩不足", "飞线充电现象多，存在火灾隐患", "subdistrict", "街道规划建设办", "answered"),
    ("昌州社区垃圾分类投放点设置不合理", "投放点离楼栋太远", "self_governance", "昌州社区", "assigned_soon"),
    ("渝西社区老年食堂价格偏高", "希望降低老年人就餐价格", "subdistrict", "街道社会事务办", "fed_back"),
    ("北山社区缺少托育点", "双职工家庭孩子无人照看", "department", "卫生健康", "assigned"),
    ("棠城社区健身器材损坏", "多件器材松动，存在安全隐患", "self_governance", "棠城社区", "closed"),
    ("汇龙社区健身步道破损", "步道多处开裂", "subdistrict", "街道城管办", "assigned_overdue"),
    ("文曲社区学校周边停车秩序混乱", "上下学时段家长车辆乱停", "department", "公安", "returned"),
    ("玉龙社区夜市噪音扰民", "夜市营业至凌晨，噪音大", "department", "城管", "answered"),
    ("双竹村茶叶产业路破损", "茶叶运输不便", "department", "农业农村", "assigned"),
    ("黄瓜山村生活垃圾清运不及时", "垃圾堆放时间长，影响环境", "subdistrict", "街道城管办", "deliberated"),
    ("石梯村饮水水压不足", "高处农户用水困难", "department", "自来水公司", "deliberated"),
    ("临江村河道淤积", "汛期存在漫堤风险", "department", "生态环境", "topic"),
    ("龙凤村通组公路缺少护栏", "急弯处存在安全隐患", "department", "交通运输", "topic"),
    ("永兴村希望增设快递点", "村民取件需到镇上", "self_governance", "永兴村", "topic"),
    ("中山路社区楼道照明损坏", "楼道漆黑，老人摔倒", "self_governance", "中山路社区", "collected"),
    ("玉屏社区小区门口占道停车", "消防通道被堵", "subdistrict", "街道城管办", "collected"),
    ("南华社区广场舞噪音", "晚间音响声音过大", "self_governance", "南华社区", "collected"),
    ("神女湖社区公交站台缺少遮雨棚", "雨天候车淋雨", "department", "交通运输", "collected"),
    ("兴龙湖社区绿化带被毁种菜", "公共绿地被私自开垦", "self_governance", "兴龙湖社区", "declined"),
    ("万达广场社区希望修建地下商场", "建议建设大型地下商业综合体", "department", "规划自然资源", "declined"),
    ("渝西社区快递柜设置不合理", "快递柜占用人行道", "self_governance", "渝西社区", "closed"),
]
# Which group activity deliberated each opinion that got that far (group, quarter), and the topic's title
# when it is the activity's agenda rather than the opinion's own title.
DELIBERATED_AT = {0: ("老城小组", 0, True), 1: ("老城小组", 1, True), 2: ("老城小组", 2, True), 3: ("老城小组", 3, True),
                  4: ("新城一组", 0, True), 5: ("新城一组", 1, True), 6: ("新城一组", 2, True), 7: ("新城一组", 3, True),
                  8: ("新城二组", 0, True), 9: ("新城二组", 1, True), 10: ("新城二组", 2, True),
                  11: ("新城二组", 3, True), 12: ("新城三组", 1, True), 13: ("新城三组", 3, True),
                  14: ("农村小组", 0, True), 15: ("农村小组", 3, False), 16: ("农村小组", 3, False),
                  26: ("新城二组", 1, False)}
FROM_RECEPTION = {20, 21, 23, 26}  # raised at a reception day and taken in from its matters
# Assignments still running after the year: the deadline extended with approval (the date, from today).
EXTENDED = {"assigned": (30, "工程纳入下一年度项目计划，跨年度实施"),
            "assigned_soon": (2, "投放点调整方案须征求楼栋居民意见")}
GROUP_OF_STEP2 = {17: "农村小组", 18: "农村小组", 19: "农村小组"}


def build_ledger(store, rng: random.Random, year: int, today: date) -> None:
    people = store.rows(
        """SELECT d.id, d.name, d.community_id, d.group_id, c.name AS community, g.name AS group_name
           FROM delegates d JOIN communities c ON c.id = d.community_id JOIN groups g ON g.id = d.group_id
           WHERE d.deleted = 0 ORDER BY d.name_pinyin""")
    by_community: dict = {}
    for person in people:
        by_community.setdefault(person["community"], person)
    grids = {g["community_id"]: g["id"] for g in reversed(store.grids.list())}
    led = store.opinions
    held = {(m["group_id"], m["date"]): m for m in store.rows(
        "SELECT id, group_id, date FROM meetings WHERE kind = ? AND status = 'held' AND deleted = 0", [GROUP_ACTIVITY])}
    group_ids = {g["name"]: g["id"] for g in store.groups.list()}

    def activity(group: str, quarter: int) -> dict:
        return held[(group_ids[group], activity_day(store, year, group, quarter).isoformat())]

    def collector(title: str, group: str | None) -> dict:
        person = next((p for name, p in by_community.items() if title.startswith(name[:2])), None)
        if group and (person is None or person["group_name"] != group):
            person = next(p for p in people if p["group_name"] == group)
        return person or people[rng.randrange(len(people))]

    def reception_matter(person: dict, before: date, content: str) -> tuple[str, str]:
        """The reception day at one of the group's halls, on or before the day, that heard the matter."""
        meeting = store.rows(
            """SELECT m.id, m.date FROM meetings m JOIN venues v ON v.id = m.venue_id
               WHERE m.kind = ? AND m.status = 'held' AND m.deleted = 0 AND v.group_id = ? AND m.date <= ?
               ORDER BY m.date DESC LIMIT 1""", [RECEPTION, person["group_id"], before.isoformat()])[0]
        added = store.receptions.add_matters(meeting["id"], [{"content": content, "resident": "居民"}])
        return added.created("reception_matters")[0], meeting["date"]

    def collect(index, title, content, when: date, group: str | None):
        person = collector(title, group)
        values = {"source": rng.choice(["grid_visit", "grid_visit", "phone", "letter"]),
                  "received_on": when.isoformat(), "delegate_id": person["id"],
                  "grid_id": grids.get(person["community_id"]), "title": title, "content": content,
                  "residents": rng.randint(3, 60), "contact": f"1{rng.randrange(3, 9)}{rng.randrange(10**8, 10**9)}"}
        origin = None
        if index in FROM_RECEPTION:
            matter_id, heard_on = reception_matter(person, when, title)
            values.update(source=RECEPTION, received_on=heard_on, grid_id=None)
            origin = ("reception_matters", matter_id)
        return led.create(values, origin=origin).created("opinions")[0], person, date.fromisoformat(values["received_on"])

    def through_topic(opinion, title, person, received: date, *, approve=True, meeting=None, item_id=None,
                      remark=""):
        """上报组长, 确定议题, 征求小组代表意见, 工委审核, 议事方案, 集中议事: each step on its day."""
        topic_id = store.topics.create({"title": title, "group_id": person["group_id"], "urgency": 3,
                                        "feasibility": 3}, [opinion],
                                       day=(received + timedelta(days=4)).isoformat()).created("topics")[0]
        _consult(store, topic_id, (received + timedelta(days=6)).isoformat(), rng, remark)
        if not approve:
            return topic_id
        store.topics.review(topic_id, True, (received + timedelta(days=8)).isoformat(), "人大街道工委")
        if meeting is None:
            return topic_id
        store.plans.save(topic_id, {**store.plans.defaults(topic_id), "planned_on": meeting["date"],
                                    "place": f"{person['group_name']}片区议事厅"},
                       day=(received + timedelta(days=10)).isoformat())
        store.topics.deliberate(topic_id, meeting["id"], item_id)
        return topic_id

    # The school-bus case of 新城三组, through all five steps.
    bus_meeting = activity("新城三组", 2)
    met = date.fromisoformat(bus_meeting["date"])
    wanda = next(p for p in people if p["community"] == "万达广场社区")
    bus = led.create({"source": "grid_visit", "received_on": (met - timedelta(days=37)).isoformat(),
                      "delegate_id": wanda["id"], "grid_id": grids.get(wanda["community_id"]), "residents": 360,
                      "title": "增设万达广场片区到永川中学文昌校区公交线路",
                      "content": "万达广场片区有 360 余名学生在永川中学文昌校区就读，没有直达公交，家长接送困难，"
                                 "希望增设公交线路。"}).created("opinions")[0]
    led.report(bus, (met - timedelta(days=36)).isoformat())
    topic = store.topics.create({"title": "万达广场片区学生上学交通问题", "group_id": wanda["group_id"],
                                 "lead_delegate_id": wanda["id"], "urgency": 5, "feasibility": 4,
                                 "summary": "片区学生多、距离远，暑期前需拿出方案"}, [bus],
                                day=(met - timedelta(days=30)).isoformat()).created("topics")[0]
    _consult(store, topic, (met - timedelta(days=28)).isoformat(), rng,
             remark="建议先摸清学生人数和上下学时间，再与公交公司商议线路")
    store.topics.review(topic, True, (met - timedelta(days=25)).isoformat(), "人大街道工委",
                        "同意列入新城三组第三季度议事活动")
    store.plans.save(topic, {
        "title": "关于万达广场片区学生上学交通问题的议事方案",
        "purpose": "摸清万达广场片区到永川中学文昌校区就读学生的出行需求，与区交通部门、公交公司共商开通定制公交，"
                   "赶在秋季开学前解决学生上学交通问题",
        "participants": "新城三组议事代表，万达广场社区居民代表、学生家长代表",
        "planned_on": met.isoformat(), "planned_time": "9:00—11:30", "place": "新城三组片区议事厅",
        "steps": "议事代表走访片区小区和学校，摸清学生人数、住址分布和上下学时间\n"
                 "邀请区交通部门、公交公司到议事厅座谈协商，拟定运营线路和班次\n"
                 "形成会议纪要，明确线路开通时间和责任分工，代表全程跟进",
        "departments": ["交通运输", "公交公司", "教育"]}, day=(met - timedelta(days=23)).isoformat())
    item = next(i for i in store.meetings.action_items(bus_meeting["id"]) if "5 条" in i["content"])
    store.topics.deliberate(topic, bus_meeting["id"], item["id"])
    store.topics.assign_from_minutes(topic, "department", day=(met + timedelta(days=1)).isoformat())
    led.supervise(bus, (met + timedelta(days=10)).isoformat(), "会议", "新城三组代表与区交通部门、公交公司商议线路方案",
                  "已摸清学生需求")
    led.supervise(bus, (met + timedelta(days=28)).isoformat(), "实地", "代表随车试乘，核对站点和班次", "5 条线路已拟定")
    led.answer(bus, "秋季开学前开通 5 条定制公交线路直达文昌校区，解决 360 余名学生上学交通问题；"
                    "公交公司将动态调整线路、班次和时间。", f"{year}-08-30")
    led.feedback(bus, "满意", "当面", f"{year}-09-03", f"{year}-09-05")
    led.close(bus, f"{year}-09-10")
    _photos(store, bus_meeting["id"], year)

    # The other 27: those that reached 集中议事 came in a few weeks before their group's activity;
    # the rest came in late in the year (still with the leader or the group) or were not taken up.
    for index, (title, content, category, unit, state) in enumerate(LEDGER):
        at = DELIBERATED_AT.get(index)
        if at:
            group, quarter, agenda_title = at
            meeting = activity(group, quarter)
            when = date.fromisoformat(meeting["date"]) - timedelta(days=30 + index % 10)
        elif state == "declined":
            group, meeting, when = None, None, date(year, 5 + 3 * (index % 2), 6 + index % 20)
        else:
            group, meeting = GROUP_OF_STEP2.get(index), None
            when = date(year, 12, 11 + (index - 17) * 2)
        opinion, person, when = collect(index, title, content, when, group)
        if state != "collected" or index % 2:
            led.report(opinion, when.isoformat())  # 上报组长 the day it was collected
        if state == "collected":
            continue
        if state == "declined":
            led.decline(opinion, "经核实不属于议事范围，已向群众说明并引导通过其他渠道反映",
                        (when + timedelta(days=3)).isoformat())
            continue
        if state == "topic":
            through_topic(opinion, title, person, when, approve=index == 17)
            continue
        assert group and meeting, title  # every state past 确定议题 has its activity in DELIBERATED_AT
        item_id = None
        if agenda_title:
            item_id = store.meetings.action_items(meeting["id"])[0]["id"]
        through_topic(opinion, GROUP_TOPICS[group][quarter] if agenda_title else title, person, when,
                      meeting=meeting, item_id=item_id)
        if state == "deliberated":
            continue
        assigned_on = date.fromisoformat(meeting["date"]) + timedelta(days=1)
        days = 10 if state == "assigned_overdue" else 20
        if state == "assigned_soon":
            days = 6
        led.assign(opinion, category, unit, days, day=assigned_on.isoformat(), key=state == "assigned_overdue")
        if state == "returned":
            led.return_assignment(opinion, "属于公安交管职责以外的停车管理事项，建议交城管",
                                  (assigned_on + timedelta(days=5)).isoformat())
            continue
        later = (assigned_on + timedelta(days=7)).isoformat()
        led.supervise(opinion, later, rng.choice(["电话", "实地"]), "督促承办单位加快办理", "正在办理")
        if state in EXTENDED:
            ahead, reason = EXTENDED[state]
            deadline = date.fromisoformat(led.get(opinion)["deadline"])
            target = led.calendar.add_working_days(today, ahead)
            extra = led.calendar.working_days_between(deadline, target)
            if extra > 0:
                led.extend(opinion, extra, "人大街道工委", reason, deadline.isoformat())
        if state.startswith("assigned"):
            continue
        done = (assigned_on + timedelta(days=14)).isoformat()
        led.answer(opinion, f"{unit}已按要求办理完毕", done)
        if state == "answered":
            continue
        led.feedback(opinion, "不满意" if index == 8 else "满意", "电话", done, done)
        if state == "closed":
            led.close(opinion, done)


def _consult(store, topic_id: str, day: str, rng: random.Random, remark: str = "") -> None:
    """征求小组代表意见: most agree, one adds a remark."""
    members = store.topics.consultation(topic_id)
    views = [{"delegate_id": m["delegate_id"], "view": "同意"} for m in members]
    if views:
        views[rng.randrange(len(views))].update(view="有补充意见", comment=remark or "建议邀请相关部门实地查看后再议")
    store.topics.consult(topic_id, views, day)


VISIT_MATTERS = ["楼道照明损坏", "小区停车位不足", "雨污管网堵塞", "老旧小区加装电梯意愿", "垃圾分类设施不够",
                 "健身器材老化", "背街小巷路灯不亮", "独居老人就餐困难", "农田灌溉渠淤塞", "小区绿化带被占用",
                 "快递车辆乱停放", "学生上下学交通安全"]


def build_fieldwork(store, rng: random.Random, year: int, today: date) -> None:
    """Monthly grid visits from January of the year to today (some delegates miss a month, and this
    month is not yet done), the ledger's grid-visit opinions on their visits, and the minutes'
    action items followed up."""
    people = store.rows("SELECT d.id FROM delegates d WHERE d.deleted = 0 AND d.status = 'active' ORDER BY d.name_pinyin")
    grids_of = {p["id"]: store.delegates.grid_ids(p["id"]) for p in people}
    months = (today.year - year) * 12 + today.month
    for person in people:
        grids = grids_of[person["id"]]
        if not grids:
            continue
        sheet = []
        for index in range(months):
            on_year, month = year + index // 12, index % 12 + 1
            this_month = index == months - 1
            if rng.random() < (0.15 if this_month else 0.08):
                continue  # not visited that month (yet)
            days = (today.day if this_month else 28)
            for grid in rng.sample(grids, min(len(grids), rng.choice([1, 1, 2]))):
                day = date(on_year, month, rng.randint(1, max(1, days)))
                heard = rng.sample(VISIT_MATTERS, 2)
                sheet.append({"delegate_id": person["id"], "grid_id": grid, "day": day.isoformat(),
                              "residents_met": rng.randint(6, 40), "matters": "；".join(heard)})
        if sheet:
            store.visits.create_many(sheet)
    # The ledger's grid-visit opinions were raised on a visit: log it and point the opinion at it.
    for o in store.rows("SELECT id, delegate_id, grid_id, received_on, title FROM opinions WHERE deleted = 0"
                        " AND source = 'grid_visit' AND visit_id IS NULL AND grid_id IS NOT NULL"):
        visit = store.visits.create({"delegate_id": o["delegate_id"], "grid_id": o["grid_id"], "day": o["received_on"],
                                     "residents_met": rng.randint(8, 60), "matters": o["title"]}).created("grid_visits")[0]
        with store.write("update", f"走访形成的意见：{o['title']}") as tx:
            tx.update("opinions", o["id"], {"visit_id": visit})
    # 落实事项: older ones done, recent ones in progress, two left overdue for the overview to flag.
    items = [r for r in store.action_items.list(today=today) if not r["in_ledger"] and r["deadline"]]
    items.sort(key=lambda r: r["deadline"])
    overdue_left = [r["id"] for r in items if r["deadline"] < today.isoformat()][-2:]  # items are by deadline
    for item in items:
        started = min(date.fromisoformat(item["meeting_date"]) + timedelta(days=5), today)
        store.action_items.record_progress(item["id"], started.isoformat(),
                                           f"{item['unit'] or '责任单位'}已制定推进计划", "in_progress")
        deadline = date.fromisoformat(item["deadline"])
        if item["id"] in overdue_left or deadline >= today:
            continue
        finished = max(started, deadline - timedelta(days=rng.randint(0, 6)))
        store.action_items.complete(item["id"], finished.isoformat(), "已按期完成，代表现场查看确认")


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


# (caption, colour, taken: the activity's day, days before school starts, the first school day)
BUS_PHOTOS = [("议事厅座谈协商现场", (46, 94, 140), None), ("代表随车试乘定制公交", (52, 120, 84), (8, 25)),
              ("定制公交开通首日", (150, 82, 40), (9, 1))]


def _photos(store, meeting_id: str, year: int) -> None:
    """Pictures of the school-bus activity for its 工作简报, drawn here (the demo ships no photos).
    Shapes only: the bundle leaves out PIL's font engine; the caption is the material's title."""
    import tempfile
    from pathlib import Path

    from PIL import Image, ImageDraw

    with tempfile.TemporaryDirectory() as folder:
        for number, (caption, colour, taken) in enumerate(BUS_PHOTOS):
            picture = Image.new("RGB", (800, 560), colour)
            draw = ImageDraw.Draw(picture)
            draw.rectangle((0, 400, 800, 560), fill=(90, 90, 90))  # the road
            draw.rounded_rectangle((140 + number * 40, 220, 620 + number * 40, 400), 24, fill=(240, 200, 40))
            for window in range(4):  # a bus
                x = 170 + number * 40 + window * 110
                draw.rectangle((x, 250, x + 80, 310), fill=(200, 230, 250))
            for wheel in (220, 520):
                draw.ellipse((wheel + number * 40, 370, wheel + 60 + number * 40, 430), fill=(30, 30, 30))
            path = Path(folder) / f"photo{number + 1}.png"
            picture.save(path)
            store.meetings.add_material(meeting_id, path, caption,
                                        taken_on=date(year, *taken).isoformat() if taken else None)
