"""The current year up to the day the demo is created, as the cadence says (rules.meeting_kinds): the
first half's plenary in March and the second's in December, each group's activity every quarter, held
when its day has come and planned in the running quarter, and the opinions of the year at every step
of the five-step method up to today, some of them late (a report never made, an assignment past its
deadline, feedback not yet given).

The report's year (the one before) is told by meetings.py and ledger.py and is not touched here; this
part draws from its own random stream, so the report's year reads the same whatever day it is."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.fronts.demo.base import (
    CLERK,
    SEED,
    _finish_steps,
    _present,
    _someone,
    _supervisors,
    _workday,
    activity_day,
)
from app.fronts.demo.meetings import GROUP_DEPARTMENTS, PUBLIC_AFFAIRS, activity_subject
from app.rules.codes import DEPARTMENT_DUTY, SELF_GOVERNANCE, SUBDISTRICT_DUTY
from app.rules.meeting_kinds import GROUP_ACTIVITY, PLENARY, RECEPTION

# The current year's agendas, a topic a quarter (the report year's were GROUP_TOPICS).
CURRENT_TOPICS = {
    "老城小组": ["玉屏社区消防通道占用整治", "中山路社区楼道照明更换", "胜利路第二批老旧小区加装电梯",
              "红旗社区停车位施划"],
    "新城一组": ["南华社区广场舞噪音治理", "星光社区电动车充电桩二期", "凤凰湖小区物业服务评议",
              "兴龙湖片区错时共享停车"],
    "新城二组": ["神女湖社区公交站台遮雨棚", "北山社区托育点运营", "渝西社区快递柜占道整治",
              "汇龙社区老年助餐点"],
    "新城三组": ["文昌社区学校门口接送区设置", "文昌校区学生专线班次优化", "玉龙社区夜市经营时间",
              "万达广场片区非机动车停放"],
    "农村小组": ["临江村河道清淤", "龙凤村通组公路安全护栏", "永兴村快递服务点", "黄瓜山村梨园产业路"],
}
# (what residents said, the unit that handles it, its category) for each topic, in the same order.
CURRENT_OPINIONS = {
    "老城小组": [("消防通道长期被私家车占用", "街道城管办", SUBDISTRICT_DUTY),
              ("楼道灯坏了半年没人修", "中山路社区", SELF_GOVERNANCE),
              ("第二批老旧小区希望加装电梯", "住建", DEPARTMENT_DUTY),
              ("小区周边缺少停车位", "街道城管办", SUBDISTRICT_DUTY)],
    "新城一组": [("广场舞音响声音过大影响休息", "南华社区", SELF_GOVERNANCE),
              ("充电桩不够用，飞线充电又出现", "街道规划建设办", SUBDISTRICT_DUTY),
              ("希望对物业服务开展评议", "凤凰湖社区", SELF_GOVERNANCE),
              ("夜间停车难，希望与周边单位错时共享车位", "街道城管办", SUBDISTRICT_DUTY)],
    "新城二组": [("雨天候车没有遮挡", "交通运输", DEPARTMENT_DUTY),
              ("托育点收费和开放时间不明确", "卫生健康", DEPARTMENT_DUTY),
              ("快递柜占用人行道", "渝西社区", SELF_GOVERNANCE),
              ("希望就近设置老年助餐点", "街道社会事务办", SUBDISTRICT_DUTY)],
    "新城三组": [("上下学时段学校门口拥堵", "公安", DEPARTMENT_DUTY),
              ("学生专线高峰时段太挤", "公交公司", DEPARTMENT_DUTY),
              ("夜市经营到凌晨，噪音扰民", "城管", DEPARTMENT_DUTY),
              ("共享单车乱停放堵塞人行道", "城管", DEPARTMENT_DUTY)],
    "农村小组": [("河道淤积，汛期担心漫堤", "生态环境", DEPARTMENT_DUTY),
              ("急弯处没有护栏", "交通运输", DEPARTMENT_DUTY),
              ("村民取快递要跑到镇上", "永兴村", SELF_GOVERNANCE),
              ("梨园产业路坑洼，运输不便", "农业农村", DEPARTMENT_DUTY)],
}
# The fates of the year's own opinions once assigned, in turn: the first stays past its deadline, most
# are solved and closed, one answered waits for its feedback, one 基本满意 (last year's carried on are
# solved and closed).
FATES = ["overdue", "closed", "closed", "fed_back", "closed", "answered", "closed", "closed"]
# Raised this year but not yet at a group activity: (days before today, title, content, how far it got).
RECENT = [
    (3, "萱花社区小区门口路灯不亮", "晚上出入不便", "collected"),
    (9, "棠城社区健身器材松动", "器材螺丝松动，存在安全隐患", "reported"),
    (16, "凤凰湖社区垃圾清运不及时", "周末垃圾堆放时间长", "topic"),
    (24, "双竹村灌溉渠淤塞", "农田灌溉渠淤塞，影响春耕用水", "approved"),
    (47, "胜利路社区楼顶漏水", "顶楼住户反映雨天漏水", "late_report"),  # never reported: the step is late
    (33, "万达广场社区希望修建人行天桥", "建议在主干道修建人行天桥", "declined"),
]
CURRENT_PLENARIES = (
    ((3, 18), "听取街道办事处年度工作报告\n票决民生实事项目\n分组讨论并汇总意见建议",
     ["城管", "住建", "交通运输", "民政"]),
    ((12, 8), "听取民生实事项目办理情况报告\n开展分组讨论\n汇总来年意见建议",
     ["城管", "住建", "交通运输", "公交公司"]),
)
PROJECTS = (("胜利路第二批老旧小区加装电梯（10 部）", (57, 2, 3)), ("神女湖片区公交站台遮雨棚改造", (52, 4, 6)),
            ("临江村河道清淤整治", (49, 6, 7)))


def build_current_year(store, year: int, today: date) -> None:
    """`year` is the current one (the report's year + 1); nothing after `today` is held or done."""
    rng = random.Random(f"{SEED}/{year}")
    meetings = _meetings(store, rng, year, today)
    _opinions(store, rng, year, today, meetings)


def _meetings(store, rng: random.Random, year: int, today: date) -> list[dict]:
    """The year's plenaries and group activities up to today, and the next ones planned; returns the
    group activities (held or planned) in date order."""
    centre = next(v for v in store.venues.list() if v["level"] == "centre")
    big_room = store.venues.rooms(centre["id"])[0]
    groups = store.groups.list()
    members = {g["id"]: [r["id"] for r in store.rows(
        "SELECT id FROM delegates WHERE group_id = ? AND deleted = 0 ORDER BY name_pinyin", [g["id"]])]
        for g in groups}
    everyone = [d for ids in members.values() for d in ids]

    # Plenaries: the first half's in March, the second's in December; the next one is being prepared,
    # its latest step due left open (the flowchart shows it overdue).
    days = [(_workday(store, date(year, *month_day)), agenda, units)
            for month_day, agenda, units in CURRENT_PLENARIES]
    days.append((_workday(store, date(year + 1, 3, 18)), *CURRENT_PLENARIES[0][1:]))
    for number, (day, agenda, units) in enumerate(days):
        held = day <= today
        if not held and number and days[number - 1][0] > today:
            break  # only the next one is planned
        meeting_id = store.meetings.create({
            "kind": PLENARY, "date": day.isoformat(), "start_time": "09:00", "end_time": "11:30",
            "room_id": big_room["id"], "status": "held" if held else "planned", "agenda": agenda,
            "departments": units}, today=day - timedelta(days=60)).created("meetings")[0]  # planned two months ahead
        if not held:
            due = [step for step in store.meetings.steps(meeting_id) if step["due_date"] < today.isoformat()]
            for step in due[:-1]:
                store.meetings.tick_step(step["id"], step["due_date"])
            break
        _present(store, meeting_id, everyone, rng, 0.1)
        store.attendance.add_guest(meeting_id, "陈志强", "中山路街道办事处")
        for unit in units:  # the departments invited signed in (列席)
            store.attendance.add_guest(meeting_id, _someone(day, unit), unit)
        if number == 0:
            present = store.attendance.quorum(meeting_id)["present"]
            for item, votes in PROJECTS:
                scale = min(1.0, present / sum(votes))
                store.attendance.record_vote(meeting_id, item, *(int(v * scale) for v in votes))
            store.meetings.save_minutes(
                meeting_id, "会议由人大街道工委主任主持，听取并审议了街道办事处年度工作报告。",
                "会议审议通过了街道办事处年度工作报告。\n会议票决产生年度民生实事项目，要求街道办事处列入年度工作计划。",
                [{"content": "将票决通过的民生实事项目列入年度计划并按季度报告进度", "unit": "街道办事处",
                  "person": "王磊", "deadline": (day + timedelta(days=28)).isoformat()}])
        else:
            store.meetings.save_minutes(
                meeting_id, "会议听取了街道办事处关于年度民生实事项目办理情况的报告，各议事小组分组讨论。",
                "会议认为年度民生实事项目总体按计划推进。\n会议汇总代表提出的来年意见建议，交人大街道工委梳理。",
                [{"content": "梳理代表提出的来年意见建议，形成下一年度民生实事项目建议清单", "unit": "人大街道工委",
                  "person": CLERK, "deadline": (day + timedelta(days=40)).isoformat()}])
        _finish_steps(store, meeting_id, today)

    # Group activities: every quarter's that has come is held; the running quarter's still ahead are
    # planned; later quarters are left to plan (the cadence shows them 未到期).
    halls = {v["group_id"]: v for v in store.venues.list("area_hall")}
    running = (today.month - 1) // 3 if today.year == year else 3
    activities = []
    for group in groups:
        room = store.venues.rooms(halls[group["id"]]["id"])[0]
        lead = GROUP_DEPARTMENTS[group["name"]][0]
        for quarter in range(4):
            when = activity_day(store, year, group["name"], quarter)
            held = when <= today
            if not held and quarter > running:
                continue
            topic = CURRENT_TOPICS[group["name"]][quarter]
            meeting_id = store.meetings.create({
                "kind": GROUP_ACTIVITY, "group_id": group["id"], "date": when.isoformat(), "start_time": "14:30",
                "end_time": "17:00", "room_id": room["id"], "status": "held" if held else "planned",
                "agenda": f"{topic}\n相关部门介绍情况\n代表座谈协商", "scope": "group",
                "subject": activity_subject(topic, quarter), "departments": GROUP_DEPARTMENTS[group["name"]]},
                today=when - timedelta(days=60)).created("meetings")[0]  # planned two months ahead
            if held:
                _present(store, meeting_id, members[group["id"]], rng, 0.08)
                for unit in GROUP_DEPARTMENTS[group["name"]]:
                    store.attendance.add_guest(meeting_id, _someone(when, unit), unit)
                store.meetings.save_minutes(
                    meeting_id, f"会议围绕“{topic}”开展座谈协商，相关部门介绍了有关情况。",
                    f"与会代表和部门就{topic}达成共识，明确了落实事项和责任分工。",
                    [{"content": f"制定{topic}工作方案", "unit": lead, "person": _someone(when, lead),
                      "deadline": (when + timedelta(days=30)).isoformat()}])
            _finish_steps(store, meeting_id, today)
            activities.append({"id": meeting_id, "group": group, "quarter": quarter, "date": when, "held": held,
                               "topic": topic})
    activities.sort(key=lambda a: (a["date"], a["group"]["sort_order"]))
    return activities


def _opinions(store, rng: random.Random, year: int, today: date, activities: list[dict]) -> None:
    led = store.opinions
    first_day = date(year, 1, 1)
    people = store.rows(
        """SELECT d.id, d.group_id, d.community_id, c.name AS community FROM delegates d
           JOIN communities c ON c.id = d.community_id WHERE d.deleted = 0 ORDER BY d.name_pinyin""")
    by_group: dict[str, list[dict]] = {}
    for person in people:
        by_group.setdefault(person["group_id"], []).append(person)
    grids = {g["community_id"]: g["id"] for g in store.grids.list()}

    def due(day: date) -> bool:
        return day <= today

    def collect(person: dict, title: str, content: str, day: date) -> str:
        return led.create({
            "source": rng.choice(["grid_visit", "grid_visit", "phone", "letter"]), "received_on": day.isoformat(),
            "delegate_id": person["id"], "grid_id": grids.get(person["community_id"]), "title": title,
            "content": content, "residents": rng.randint(5, 80),
            "contact": f"1{rng.randrange(3, 9)}{rng.randrange(10**8, 10**9)}"}).created("opinions")[0]

    def topic_of(opinion: str, person: dict, title: str, received: date, *, approve=True,
                 reported=False) -> str | None:
        """上报组长, 确定议题 (征求小组代表意见), 工委审核: each on its day, as far as today."""
        if not due(received + timedelta(days=1)):
            return None
        if not reported:
            led.report(opinion, (received + timedelta(days=1)).isoformat())
        if not due(received + timedelta(days=6)):
            return None
        topic = store.topics.create({"title": title, "group_id": person["group_id"], "urgency": rng.randint(3, 5),
                                     "feasibility": rng.randint(3, 5)}, [opinion],
                                    day=(received + timedelta(days=4)).isoformat()).created("topics")[0]
        members = store.topics.consultation(topic)
        store.topics.consult(topic, [{"delegate_id": m["delegate_id"], "view": "同意"} for m in members],
                             (received + timedelta(days=6)).isoformat())
        if approve and due(received + timedelta(days=8)):
            store.topics.review(topic, True, (received + timedelta(days=8)).isoformat(), "人大街道工委")
        return topic

    # Last year's opinions not yet at an activity (collected in December, or their topic awaiting the
    # 工委's review) are carried on after New Year to this year's activity on their matter.
    resume = _workday(store, date(year, 1, 5))
    leftovers = store.rows("SELECT id, title, status, reported_on, topic_id, delegate_id FROM opinions"
                           " WHERE deleted = 0 AND received_on < ? AND status IN ('collected', 'topic')"
                           " ORDER BY received_on", [first_day.isoformat()])
    communities = [c["name"] for c in store.communities.list()]

    def carried(topic_title: str) -> dict | None:
        place = next((c for c in communities if topic_title.startswith(c)), None)
        return next((o for o in leftovers if place and o["title"].startswith(place)), None)

    # One opinion for each group activity of the year: raised a month before it (or carried on from
    # last year), taken through the steps to it, and on from there as far as today.
    fresh = 0
    for number, activity in enumerate(activities):
        group = activity["group"]
        said, unit, category = CURRENT_OPINIONS[group["name"]][activity["quarter"]]
        old = carried(activity["topic"])
        fate = "closed" if old is not None or not activity["held"] else FATES[fresh % len(FATES)]
        fresh += old is None and activity["held"]
        if old is not None:
            leftovers.remove(old)
            if not due(resume):
                continue
            opinion, received = old["id"], resume - timedelta(days=1)
            person = next(p for p in people if p["id"] == old["delegate_id"])
            if not old["reported_on"]:
                led.report(opinion, resume.isoformat())
            topic = old["topic_id"]
            if topic is None:
                topic = topic_of(opinion, person, activity["topic"], received, reported=True)
            elif store.topics.get(topic)["status"] == "proposed" and due(resume + timedelta(days=2)):
                store.topics.review(topic, True, (resume + timedelta(days=2)).isoformat(), "人大街道工委")
        else:
            received = activity["date"] - timedelta(days=30 + number % 9)
            if received < first_day or not due(received):
                continue
            person = by_group[group["id"]][number % len(by_group[group["id"]])]
            opinion = collect(person, activity["topic"], said, received)
            topic = topic_of(opinion, person, activity["topic"], received)
        plan_day = max(received + timedelta(days=10), activity["date"] - timedelta(days=20))
        if topic is None or not due(plan_day) or store.topics.get(topic)["status"] != "approved":
            continue
        store.plans.save(topic, {**store.plans.defaults(topic), "planned_on": activity["date"].isoformat(),
                                 "planned_time": "14:30—17:00", "place": f"{group['name']}片区议事厅",
                                 "departments": GROUP_DEPARTMENTS[group["name"]]}, day=plan_day.isoformat())
        if not activity["held"]:
            store.plans.link(store.plans.for_topic(topic)["id"], activity["id"])
            continue
        item = store.meetings.action_items(activity["id"])[0]
        store.topics.deliberate(topic, activity["id"], item["id"])
        assigned = activity["date"] + timedelta(days=1)
        if not due(assigned):
            continue
        led.assign(opinion, category, unit, 10 if fate == "overdue" else 20, day=assigned.isoformat(),
                   key=fate == "overdue")
        deadline = date.fromisoformat(led.get(opinion)["deadline"])
        if due(assigned + timedelta(days=7)):
            led.supervise(opinion, (assigned + timedelta(days=7)).isoformat(), rng.choice(["电话", "实地"]),
                          "督促承办单位加快办理", "正在办理",
                          delegate_ids=_supervisors(store, opinion, (assigned + timedelta(days=7)).isoformat()))
        answered = min(assigned + timedelta(days=14), deadline)
        if fate == "overdue" or not due(answered):
            continue
        led.answer(opinion, f"{activity['topic']}工作已完成，群众反映的问题得到解决", answered.isoformat())
        told = answered + timedelta(days=3)
        if fate == "answered" or not due(told):
            continue
        led.feedback(opinion, "基本满意" if fate == "fed_back" else "满意", rng.choice(["电话", "当面"]),
                     told.isoformat(), told.isoformat())
        if fate == "closed" and due(told + timedelta(days=5)):
            led.close(opinion, (told + timedelta(days=5)).isoformat())

    # Those whose activity is still to come are at least reported and their topics reviewed after New Year.
    for old in leftovers:
        if not old["reported_on"] and due(resume):
            led.report(old["id"], resume.isoformat())
        if old["topic_id"] and store.topics.get(old["topic_id"])["status"] == "proposed" \
                and due(resume + timedelta(days=2)):
            store.topics.review(old["topic_id"], True, (resume + timedelta(days=2)).isoformat(), "人大街道工委")

    # Raised lately and not yet at an activity: each as far as it has got (one never reported, late).
    for index, (ago, title, content, reached) in enumerate(RECENT):
        received = today - timedelta(days=ago)
        if received < first_day:
            continue
        # raised in the community the title names, to a delegate of it
        person = next((p for p in people if title.startswith(p["community"][:2])), people[index])
        if reached == "reported" and index == 1:  # heard at the group's latest reception day
            _from_reception(store, person, title, content, received)
            continue
        opinion = collect(person, title, content, received)
        if reached in ("collected", "late_report"):
            continue
        if reached == "declined":
            led.decline(opinion, "经核实不属于议事范围，已向群众说明并引导通过其他渠道反映",
                        (received + timedelta(days=3)).isoformat())
            continue
        if reached == "reported":
            led.report(opinion, (received + timedelta(days=1)).isoformat())
            continue
        topic_of(opinion, person, title, received, approve=reached == "approved")


def _from_reception(store, person: dict, title: str, content: str, before: date) -> None:
    """A matter heard at a reception day of the person's group, taken into the ledger and reported."""
    found = store.rows(
        """SELECT m.id, m.date FROM meetings m JOIN venues v ON v.id = m.venue_id
           WHERE m.kind = ? AND m.status = 'held' AND m.deleted = 0 AND v.group_id = ? AND m.date <= ?
             AND m.date >= ? ORDER BY m.date DESC LIMIT 1""",
        [RECEPTION, person["group_id"], before.isoformat(), f"{before.year}-01-01"])
    if not found:
        return
    matter = store.receptions.add_matters(found[0]["id"], [{"content": title, "resident": "居民", "subject": PUBLIC_AFFAIRS}])
    opinion = store.opinions.create({
        "source": RECEPTION, "received_on": found[0]["date"], "delegate_id": person["id"], "title": title,
        "content": content, "residents": 1}, origin=("reception_matters", matter.created("reception_matters")[0]))
    store.opinions.report(opinion.created("opinions")[0], found[0]["date"])

