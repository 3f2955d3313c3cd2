"""The demo's opinion ledger through the five steps, and the year of grid visits and action items."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.fronts.demo.base import _supervisors, _workday, activity_day
from app.fronts.demo.meetings import AREA_INTEREST, BUS_RIDE, GROUP_DEPARTMENTS, GROUP_TOPICS, _photos
from app.rules.codes import DEPARTMENT_DUTY, SELF_GOVERNANCE, SUBDISTRICT_DUTY
from app.rules.meeting_kinds import GROUP_ACTIVITY, PLENARY, RECEPTION

# ---------------------------------------------------------------------------
# The opinion ledger: 28 opinions across every step and category, and the school-bus case.
# (title, content, category, lead unit, final state) for the 27 besides the school bus
LEDGER = [
    ("胜利路老旧小区加装电梯", "多名老人反映上下楼困难，希望加装电梯", DEPARTMENT_DUTY, "住建", "closed"),
    ("红旗社区背街小巷路灯不亮", "夜间出行不便，存在安全隐患", SUBDISTRICT_DUTY, "街道城管办", "closed"),
    ("中山路农贸市场周边占道经营", "早晚高峰占道经营导致拥堵", DEPARTMENT_DUTY, "城管", "closed"),
    ("萱花社区雨污管网堵塞", "雨天污水倒灌进楼道", DEPARTMENT_DUTY, "住建", "fed_back"),
    ("兴龙湖片区夜间停车难", "小区车位不足，夜间乱停放", SUBDISTRICT_DUTY, "街道城管办", "assigned_overdue"),
    ("凤凰湖小区物业收费不公开", "希望公示物业服务收支情况", SELF_GOVERNANCE, "凤凰湖社区", "closed"),
    ("星光社区电动车充电桩不足", "飞线充电现象多，存在火灾隐患", SUBDISTRICT_DUTY, "街道规划建设办", "answered"),
    ("昌州社区垃圾分类投放点设置不合理", "投放点离楼栋太远", SELF_GOVERNANCE, "昌州社区", "assigned_soon"),
    ("渝西社区老年食堂价格偏高", "希望降低老年人就餐价格", SUBDISTRICT_DUTY, "街道社会事务办", "fed_back"),
    ("北山社区缺少托育点", "双职工家庭孩子无人照看", DEPARTMENT_DUTY, "卫生健康", "assigned"),
    ("棠城社区健身器材损坏", "多件器材松动，存在安全隐患", SELF_GOVERNANCE, "棠城社区", "closed"),
    ("汇龙社区健身步道破损", "步道多处开裂", SUBDISTRICT_DUTY, "街道城管办", "assigned_overdue"),
    ("文曲社区学校周边停车秩序混乱", "上下学时段家长车辆乱停", DEPARTMENT_DUTY, "公安", "returned"),
    ("玉龙社区夜市噪音扰民", "夜市营业至凌晨，噪音大", DEPARTMENT_DUTY, "城管", "answered"),
    ("双竹村茶叶产业路破损", "茶叶运输不便", DEPARTMENT_DUTY, "农业农村", "assigned"),
    ("黄瓜山村生活垃圾清运不及时", "垃圾堆放时间长，影响环境", SUBDISTRICT_DUTY, "街道城管办", "closed"),
    ("石梯村饮水水压不足", "高处农户用水困难", DEPARTMENT_DUTY, "自来水公司", "assigned"),  # a pump station: runs on
    ("临江村河道淤积", "汛期存在漫堤风险", DEPARTMENT_DUTY, "生态环境", "topic"),
    ("龙凤村通组公路缺少护栏", "急弯处存在安全隐患", DEPARTMENT_DUTY, "交通运输", "topic"),
    ("永兴村希望增设快递点", "村民取件需到镇上", SELF_GOVERNANCE, "永兴村", "topic"),
    ("中山路社区楼道照明损坏", "楼道漆黑，老人摔倒", SELF_GOVERNANCE, "中山路社区", "collected"),
    ("玉屏社区小区门口占道停车", "消防通道被堵", SUBDISTRICT_DUTY, "街道城管办", "collected"),
    ("南华社区广场舞噪音", "晚间音响声音过大", SELF_GOVERNANCE, "南华社区", "collected"),
    ("神女湖社区公交站台缺少遮雨棚", "雨天候车淋雨", DEPARTMENT_DUTY, "交通运输", "collected"),
    ("兴龙湖社区绿化带被毁种菜", "公共绿地被私自开垦", SELF_GOVERNANCE, "兴龙湖社区", "declined"),
    ("万达广场社区希望修建地下商场", "建议建设大型地下商业综合体", DEPARTMENT_DUTY, "规划自然资源", "declined"),
    ("渝西社区快递柜设置不合理", "快递柜占用人行道", SELF_GOVERNANCE, "渝西社区", "closed"),
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
        "SELECT id, group_id, date, start_time, end_time FROM meetings WHERE kind = ? AND status = 'held'"
        " AND deleted = 0", [GROUP_ACTIVITY])}
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
        added = store.receptions.add_matters(meeting["id"], [{"content": content, "resident": "居民",
                                                                 "subject": AREA_INTEREST}])
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

    # The school-bus case of 新城三组, through all five steps: residents raise it in the winter, the
    # March plenary votes the line among the year's livelihood projects, the group deliberates it with
    # the departments in the summer holidays, and the buses run before the autumn term.
    bus_meeting = activity("新城三组", 2)
    met = date.fromisoformat(bus_meeting["date"])
    plenary = date.fromisoformat(store.scalar(
        "SELECT min(date) FROM meetings WHERE kind = ? AND status = 'held' AND deleted = 0 AND date >= ?",
        [PLENARY, f"{year}-01-01"]))
    raised = plenary - timedelta(days=24)
    wanda = next(p for p in people if p["community"] == "万达广场社区")
    bus = led.create({"source": "grid_visit", "received_on": raised.isoformat(),
                      "delegate_id": wanda["id"], "grid_id": grids.get(wanda["community_id"]), "residents": 360,
                      "title": "增设万达广场片区到永川中学文昌校区公交线路",
                      "content": "万达广场片区有 360 余名学生在永川中学文昌校区就读，没有直达公交，家长接送困难，"
                                 "希望增设公交线路。"}).created("opinions")[0]
    led.report(bus, (raised + timedelta(days=1)).isoformat())
    topic = store.topics.create({"title": "万达广场片区学生上学交通问题", "group_id": wanda["group_id"],
                                 "lead_delegate_id": wanda["id"], "urgency": 5, "feasibility": 4,
                                 "summary": "片区学生多、距离远，秋季开学前需拿出方案"}, [bus],
                                day=(raised + timedelta(days=5)).isoformat()).created("topics")[0]
    _consult(store, topic, (raised + timedelta(days=7)).isoformat(), rng,
             remark="建议先摸清学生人数和上下学时间，再与公交公司商议线路")
    store.topics.review(topic, True, (raised + timedelta(days=9)).isoformat(), "人大街道工委",
                        "同意提请议事代表大会票决列入民生实事项目，并列入新城三组第三季度议事活动")
    store.plans.save(topic, {
        "title": "关于万达广场片区学生上学交通问题的议事方案",
        "purpose": "摸清万达广场片区到永川中学文昌校区就读学生的出行需求，与区交通部门、公交公司共商开通定制公交，"
                   "赶在秋季开学前解决学生上学交通问题",
        "participants": "新城三组议事代表，万达广场社区居民代表、学生家长代表",
        "planned_on": met.isoformat(), "place": "新城三组片区议事厅",
        "planned_time": f"{bus_meeting['start_time']}—{bus_meeting['end_time']}",  # the activity's own time
        "steps": "议事代表走访片区小区和学校，摸清学生人数、住址分布和上下学时间\n"
                 "邀请区交通部门、公交公司到议事厅座谈协商，拟定运营线路和班次\n"
                 "形成会议纪要，明确线路开通时间和责任分工，代表全程跟进",
        "departments": GROUP_DEPARTMENTS["新城三组"]}, day=(met - timedelta(days=23)).isoformat())
    # the plan's first step: the delegates walk the estates and the school with the departments (实地走访调研)
    walked = _workday(store, met - timedelta(days=15))
    team = sorted(store.delegates.serving_on(walked.isoformat(), wanda["group_id"]),
                  key=lambda d: (d["id"] != wanda["id"], d["group_role"] != "leader", d["name"]))[:4]
    store.surveys.save(topic, {
        "day": walked.isoformat(), "place": "万达广场片区各小区及永川中学文昌校区",
        "units": ["区交通运输局", "公交公司"],
        "findings": "片区 6 个小区在文昌校区就读学生 360 余名，集中在早 7:00—7:30、晚 17:30—18:30 出行；"
                    "现有公交需换乘 2 次、单程 50 分钟以上；沿线具备设置 5 条定制线路、12 个停靠点的条件"},
        [d["id"] for d in team])
    item = next(i for i in store.meetings.action_items(bus_meeting["id"]) if "5 条" in i["content"])
    store.topics.deliberate(topic, bus_meeting["id"], item["id"])
    store.topics.assign_from_minutes(topic, DEPARTMENT_DUTY, day=(met + timedelta(days=1)).isoformat())
    led.supervise(bus, (met + timedelta(days=10)).isoformat(), "会议", "新城三组代表与区交通部门、公交公司商议线路方案",
                  "已摸清学生需求", delegate_ids=_supervisors(store, bus, (met + timedelta(days=10)).isoformat()))
    ride = date(year, *BUS_RIDE)  # the delegates' trial ride, photographed
    led.supervise(bus, ride.isoformat(), "实地", "代表随车试乘，核对站点和班次", "5 条线路已拟定",
                  delegate_ids=_supervisors(store, bus, ride.isoformat()))
    deadline = date.fromisoformat(led.get(bus)["deadline"])
    led.answer(bus, "秋季开学前开通 5 条定制公交线路直达文昌校区，解决 360 余名学生上学交通问题；"
                    "公交公司将动态调整线路、班次和时间。", min(deadline, ride + timedelta(days=3)).isoformat())
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
        led.supervise(opinion, later, rng.choice(["电话", "实地"]), "督促承办单位加快办理", "正在办理",
                      delegate_ids=_supervisors(store, opinion, later))
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
        if index == 8:  # 不满意 is not left standing: reopened, handled again, fed back again
            again = date.fromisoformat(done)
            led.reopen(opinion, "群众认为降价幅度不够，要求重新核定老年人就餐价格", 15,
                       day=(again + timedelta(days=3)).isoformat())
            redone = (again + timedelta(days=17)).isoformat()
            led.answer(opinion, f"{unit}重新核定价格，80 岁以上老人就餐再优惠 2 元", redone)
            led.feedback(opinion, "基本满意", "当面", redone, redone)
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
