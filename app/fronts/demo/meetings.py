"""The demo year's meetings: two plenaries, the groups' quarterly activities, reception days, and
the school-bus story's photos."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.fronts.demo.base import (
    CLERK,
    _finish_steps,
    _hall_week,
    _leader,
    _nth_saturday,
    _present,
    _someone,
    _workday,
    activity_day,
)
from app.rules.codes import OPEN, SUBJECTS
from app.rules.meeting_kinds import GROUP_ACTIVITY, PLENARY, RECEPTION

# ---------------------------------------------------------------------------
# Meetings: the year of the report (2 plenaries, 20 group activities, monthly receptions), and after
# it, up to today, the reception days that went on (the year's other meetings: current.py).
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
RECEPTION_MATTERS = ["小区电梯老旧经常停运", "楼道照明损坏", "小区门口占道停车", "雨天路面积水", "广场舞噪音扰民",
                     "希望增设老年人休息座椅", "垃圾清运不及时", "快递柜设置不合理", "绿化带被毁种菜",
                     "公交站台缺少遮雨棚"]
# How the delegates on duty dealt with what was not taken into the ledger.
MATTER_HANDLING = ["当场答复", "已转社区居委会办理", "已转物业服务企业处理", "已转街道相关科室办理"]


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
                "subject": activity_subject(topic, quarter),
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

    # Monthly reception days at the ten neighbourhood halls, from January of the year to this month.
    # A group's halls take turns through its members, so no one is on duty at two halls at once.
    # A hall still being built has no rota and no reception days (receptions.set_duty refuses them).
    open_halls = [h for h in store.venues.list("neighbourhood_hall")
                  if store.venues.get(h["id"]).get("build_status") == OPEN]
    halls_of_group: dict[str, list[str]] = {}
    for hall in open_halls:
        halls_of_group.setdefault(hall["group_id"], []).append(hall["id"])
    for hall in open_halls:
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
                "end_time": "11:30", "status": "held" if held else "planned", "subject": SUBJECT_CYCLE[index % 3],
                "visitors": rng.randint(3, 15) if held else None}).created("meetings")[0]
            if held:
                store.attendance.record(meeting_id, {d: "present" for d in duty})
                raised = rng.sample(RECEPTION_MATTERS, rng.randint(1, 3))
                store.receptions.save_matters(meeting_id, [
                    {"content": m, "resident": "居民", "subject": MATTER_SUBJECTS[m]} for m in raised])
            _finish_steps(store, meeting_id, today)


# The report's three kinds of business (codes.SUBJECTS), so that each shows in the statistics: the
# school bus is the year's livelihood project voted at the plenary (街道重点工作和民生实事).
AREA_INTEREST, KEY_WORK, PUBLIC_AFFAIRS = (code for code, _ in SUBJECTS)
SUBJECT_CYCLE = (AREA_INTEREST, PUBLIC_AFFAIRS, KEY_WORK)
MATTER_SUBJECTS = {m: (PUBLIC_AFFAIRS if m in ("广场舞噪音扰民", "快递柜设置不合理", "绿化带被毁种菜") else
                       KEY_WORK if m in ("公交站台缺少遮雨棚", "希望增设老年人休息座椅") else AREA_INTEREST)
                   for m in RECEPTION_MATTERS}


def activity_subject(topic: str, quarter: int) -> str:
    if topic.endswith("定制公交") or "民生实事" in topic:
        return KEY_WORK
    return SUBJECT_CYCLE[quarter % 2]


def close_reception_matters(store, rng: random.Random, today: date) -> None:
    """What the ledger did not take in was dealt with on the day or handed on: closed with how."""
    pending = [r for r in store.opinions.pending_intake() if r["origin_table"] == "reception_matters"]
    by_day: dict[str, list[dict]] = {}
    for row in pending:
        by_day.setdefault(row["date"], []).append(row)
    for day, rows in sorted(by_day.items()):
        handled = min(date.fromisoformat(day) + timedelta(days=rng.choice([0, 0, 3, 7])), today)
        store.receptions.close_matters([r["id"] for r in rows], rng.choice(MATTER_HANDLING), handled.isoformat())


# (caption, colour, taken: the activity's day, days before school starts, the first school day)
BUS_RIDE = (8, 25)  # the delegates' trial ride (month, day), photographed
BUS_PHOTOS = [("议事厅座谈协商现场", (46, 94, 140), None), ("代表随车试乘定制公交", (52, 120, 84), BUS_RIDE),
              ("定制公交开通首日", (150, 82, 40), (9, 1))]


def _photos(store, meeting_id: str, year: int) -> None:
    """Pictures of the school-bus activity for its 工作简报, drawn here (the demo ships no photos).
    Shapes only: the bundle leaves out PIL's font engine; the caption is the material's title."""
    import tempfile
    from pathlib import Path

    from PIL import Image, ImageDraw

    meeting = store.meetings.get(meeting_id)
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
                                        taken_on=date(year, *taken).isoformat() if taken else meeting["date"])


def build_discussions(store, today: date) -> None:
    """Each held plenary's group discussions (分组讨论): every group in a room of the centre (the first
    stays in the plenary's own room), its leader convening; and a few opinions the delegates raised
    there, linked from the ledger (received on the day or in the days after)."""
    plenaries = store.rows("SELECT id, date, agenda FROM meetings WHERE kind = ? AND status = 'held' AND deleted = 0"
                           " AND date <= ? ORDER BY date", [PLENARY, today.isoformat()])
    groups = store.groups.list()
    for plenary in plenaries:
        rooms = [room_id for room_id, _ in store.discussions.rooms(plenary["id"])]
        topics = [line for line in (plenary["agenda"] or "").splitlines() if line][:2]
        for index, group in enumerate(groups):
            leader = store.scalar("SELECT id FROM delegates WHERE group_id = ? AND group_role = 'leader'"
                                  " AND deleted = 0", [group["id"]])
            points = [f"讨论{topic}" for topic in topics] + [f"结合本片区{group['focus']}，提出意见建议并汇总"]
            store.discussions.save(plenary["id"], {
                "group_id": group["id"], "room_id": rooms[index % len(rooms)] if rooms else None,
                "start_time": "10:00", "end_time": "11:30", "convener_id": leader, "points": "；".join(points)})
        # two opinions a plenary, those received first on or after its day (within a month)
        day = date.fromisoformat(plenary["date"])
        raised = store.rows("SELECT id FROM opinions WHERE deleted = 0 AND raised_meeting_id IS NULL"
                            " AND received_on >= ? AND received_on <= ? ORDER BY received_on, serial LIMIT 2",
                            [plenary["date"], (day + timedelta(days=31)).isoformat()])
        for row in raised:
            store.discussions.link(plenary["id"], row["id"])
