"""The demo's subdistrict as data (groups, communities, halls, name pools) and the small helpers
every part of the story uses."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from app.common.idcard import check_digit

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


QUARTER_DAYS = ["03-12", "06-16", "09-10", "10-20"]
QUARTER_MOVED = {("新城三组", 2): "07-15", ("新城一组", 3): "12-03", ("农村小组", 3): "12-09"}


def activity_day(store, year: int, group: str, quarter: int) -> date:
    month_day = QUARTER_MOVED.get((group, quarter), QUARTER_DAYS[quarter])
    return _workday(store, date.fromisoformat(f"{year}-{month_day}"))


def _hall_week(hall: dict) -> int:
    """Which Saturday of the month the hall receives residents ("每月第 N 个星期六")."""
    found = re.search(r"第 (\d) 个星期六", hall.get("schedule") or "")
    return int(found.group(1)) if found else 1


def _nth_saturday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(5 - first.weekday()) % 7 + 7 * (n - 1))


def _supervisors(store, opinion_id: str, day: str) -> list[str]:
    """One to three delegates of the opinion's group who took part in a supervision (代表参与督办): the
    delegate who raised it first, then the next on the group's list; no draw, so no other figure moves."""
    row = store.rows("SELECT o.group_id, o.delegate_id, o.title, d.group_id AS delegate_group FROM opinions o"
                     " LEFT JOIN delegates d ON d.id = o.delegate_id WHERE o.id = ?", [opinion_id])[0]
    group = row["group_id"] or row["delegate_group"]
    if not group:
        return []
    # by name, not id: ids are drawn afresh each build, names are the demo's own
    serving = [d["id"] for d in sorted(store.delegates.serving_on(day, group), key=lambda d: d["name"])]
    if not serving:
        return []
    start = serving.index(row["delegate_id"]) if row["delegate_id"] in serving else 0
    count = 1 + sum(map(ord, row["title"] + day)) % 3
    return [serving[(start + k) % len(serving)] for k in range(min(count, len(serving)))]
