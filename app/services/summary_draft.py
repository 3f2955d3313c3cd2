"""The 年度工作总结 drafted from one year's records: what they hold of that year and nothing else.

The founding (the selection, the first institutions) is told in the year it happened; a later year
gets one sentence of context (the term and its size). A figure or a name appears once in a
sentence; a part with nothing recorded says so plainly or is left out; the problems and next year's
plans come from what the records show undone, late or due.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from app.common.textutil import as_day, chinese_date
from app.rules.codes import (
    AREA_HALL,
    BUILDING,
    CATEGORIES,
    CENTRE,
    GRADES,
    NEIGHBOURHOOD_HALL,
    OPEN,
    PLANNED,
    VENUE_LEVELS,
)
from app.rules.fields import names_of
from app.rules.meeting_kinds import GROUP_ACTIVITY, PLENARY, RECEPTION, SPECIAL, kind_of
from app.rules.nomination_stages import APPOINTED, round_kind
from app.services.opinion_clocks import CLOCKS, on_time

if TYPE_CHECKING:
    from app.store import Store


def _md(iso: str) -> str:
    day = as_day(iso)  # a stored date that is not one is shown as it is, marked
    return f"{day.month}月{day.day}日" if day else chinese_date(iso)


def _join(items: list[str], limit: int = 6) -> str:
    """Names joined with 、, the first `limit` of them (a sentence says 等 after it when cut)."""
    items = [i for i in dict.fromkeys(items) if i]
    return "、".join(items[:limit])


def _rank(choices: tuple, value) -> int:
    return choices.index(value) if value in choices else len(choices)


def _numbered(parts: list[str]) -> str:
    """Parts as 一是…二是…; a part alone is said without its ordinal and its lead phrase (the
    heading says it): a lone 一是 promises a second that never comes."""
    if len(parts) == 1:
        return parts[0].partition("。")[2] or parts[0]
    return "".join(f"{'一二三四五六'[i]}是{p}" for i, p in enumerate(parts))


COUNTED = "一两三四五六"  # (counting: 两项, 两级, never 二项)


def heading_tails(f: Figures) -> dict[str, str]:
    """The headings of the first three parts, saying as many 举措, 平台 and 环节 as the part tells
    (a year without a selection is not headed with the selection's three measures)."""
    picked = len(_selection_parts(f))
    first = (f"落实{COUNTED[picked - 1]}项举措，规范推选程序" if f.rounds and picked > 1
             else "规范推选程序" if f.rounds else "夯实代表基础，加强代表管理")
    out = {"selection": first}
    for key, parts, words in (("venues", _venue_parts(f), "打造{}级平台，强化阵地建设"),
                              ("quality", _quality_parts(f), "抓实{}个环节，提升议事质量")):
        if parts:
            out[key] = words.format(COUNTED[len(parts) - 1]) if len(parts) > 1 else words.split("，")[1]
    return out


def _share(part: int, whole: int) -> str:
    return f"{round(part * 100 / whole, 1):g}%" if whole else "—"


class Figures:
    """What one year's records hold, read once for the draft."""

    def __init__(self, store: Store, year: int, today: date | None = None):
        self.store, self.year = store, year
        self.today = today or date.today()
        self.start, self.end = f"{year}-01-01", f"{year}-12-31"
        s = store
        span = [self.start, self.end]
        self.subdistrict = s.settings.get("subdistrict") or ""
        self.unit = s.settings.unit()
        self.meetings = s.rows("SELECT * FROM meetings WHERE deleted = 0 AND status = 'held' AND date BETWEEN ? AND ?"
                               " ORDER BY date", span)
        self.held = Counter(m["kind"] for m in self.meetings)
        self.opinions = s.opinion_stats.opinions(year, self.today)
        self.fieldwork = s.opinion_stats.fieldwork(year, self.today)
        self.rounds = s.rows("SELECT * FROM nomination_rounds WHERE deleted = 0 AND confirmed_on BETWEEN ? AND ?"
                             " ORDER BY confirmed_on", span)
        self.institutions = [r for r in s.institutions.list() if r.get("day") and self.start <= r["day"] <= self.end]
        self.reception_matters = s.scalar(
            "SELECT count(*) FROM reception_matters r JOIN meetings m ON m.id = r.meeting_id WHERE r.deleted = 0"
            " AND m.deleted = 0 AND m.status = 'held' AND m.date BETWEEN ? AND ?", span) or 0
        self.visitors = sum(m["visitors"] for m in self.meetings
                            if kind_of(m["kind"]).matters and type(m["visitors"]) is int)

    @property
    def empty(self) -> bool:
        return not (self.meetings or self.opinions["total"] or self.fieldwork["visits"] or self.rounds
                    or self.institutions)

    # -- who and where -------------------------------------------------------------------------------
    def term(self) -> dict | None:
        rows = self.store.rows("SELECT * FROM terms WHERE deleted = 0 AND (start_date IS NULL OR start_date <= ?)"
                               " ORDER BY start_date DESC LIMIT 1", [self.end])
        return rows[0] if rows else None

    def serving(self) -> int:
        return len(self.store.delegates.serving_between(self.start, self.end))

    def venues(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {code: [] for code, _ in VENUE_LEVELS}
        for venue in self.store.venues.list():
            if venue["level"] in out:  # the rooms as a list (the list row joins them into one text)
                out[venue["level"]].append({**venue, "room_names": [r["name"] for r in self.store.venues.rooms(venue["id"])],
                                            "facility_list": names_of(venue.get("facilities"))})
        return out

    # -- meetings -------------------------------------------------------------------------------------
    def open_by_end(self, venue: dict) -> bool:
        """Built and in use by the year's end (one opened later, or still planned or being built, is not)."""
        status = venue.get("build_status")
        if status in (PLANNED, BUILDING):
            return False
        opened = venue.get("opened_on")
        return not (status == OPEN and opened and str(opened) > self.end)

    def attended(self, meeting: dict) -> dict:
        return self.store.attendance.summary(meeting["id"])

    def held_at(self, venue_id: str, kind: str) -> int:
        """Meetings of `kind` held at this venue (or in one of its rooms) in the year."""
        rooms = {r["id"] for r in self.store.venues.rooms(venue_id)}
        return sum(1 for m in self.meetings if m["kind"] == kind and (m["venue_id"] == venue_id or m["room_id"] in rooms))

    def plenaries(self) -> list[dict]:
        out = []
        for m in (m for m in self.meetings if m["kind"] == PLENARY):
            quorum = self.store.attendance.quorum(m["id"])
            out.append({**m, "quorum": quorum, "votes": self.store.attendance.votes(m["id"])})
        return out

    def guests(self, kinds: tuple[str, ...]) -> list[str]:
        """The units recorded as attending (列席) the year's meetings of these kinds: who came, not who
        was invited."""
        ids = [m["id"] for m in self.meetings if m["kind"] in kinds]
        units: list[str] = []
        for meeting_id in ids:
            units += [r["unit"] or r["name"] for r in self.store.rows(
                "SELECT unit, name FROM attendance WHERE meeting_id = ? AND deleted = 0"
                " AND status = 'attending_nonmember' AND delegate_id IS NULL", [meeting_id])]
        known = {d["name"] for d in self.store.departments.list()}
        return [u for u in dict.fromkeys(units) if u in known]

    def group_attendance(self) -> tuple[int, int]:
        present = expected = 0
        for m in (m for m in self.meetings if m["kind"] == GROUP_ACTIVITY):
            counts = self.attended(m)
            present += counts["present"]
            expected += counts["expected"]  # (a meeting without a sign-in list: 应到 as recorded)
        return present, expected

    def reviews(self) -> Counter:
        return Counter(r["grade"] for r in self.store.rows(
            "SELECT grade FROM delegate_reviews WHERE deleted = 0 AND year = ?", [self.year]))

    # -- what is undone -------------------------------------------------------------------------------
    def missed(self) -> dict[str, int]:
        """Periods of the cadence that passed without their meeting, counted from the day the term
        began (before it, no one was there to meet)."""
        term = self.term()
        began = term.get("start_date") if term else None
        if not began or began > self.end:
            return {}
        out: dict[str, int] = {}
        for slot in self.store.cadence.year_plan(self.year, self.today):
            if slot["state"] == "missed" and slot["end"] >= began:
                out[slot["kind"]] = out.get(slot["kind"], 0) + 1
        return out

    def serving_year(self) -> bool:
        term = self.term()
        return bool(term and term.get("start_date") and term["start_date"] <= self.end)

    def unvisited_grids(self) -> int:
        return self.store.scalar(
            "SELECT count(*) FROM grids g WHERE g.deleted = 0 AND NOT EXISTS (SELECT 1 FROM grid_visits v"
            " WHERE v.grid_id = g.id AND v.deleted = 0 AND v.day BETWEEN ? AND ?)", [self.start, self.end]) or 0

    def returned(self) -> int:
        return self.store.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND status = 'returned'"
                                 " AND received_on BETWEEN ? AND ?", [self.start, self.end]) or 0

    def late_steps(self) -> dict[str, list[dict]]:
        """The year's opinions late at each step of the chain (opinion_clocks), by collection date."""
        from app.services.opinion_clocks import CLOCK_COLUMNS, late_rows

        rows = self.store.rows(f"SELECT {CLOCK_COLUMNS}, o.title FROM opinions o WHERE o.deleted = 0"
                               f" AND o.received_on BETWEEN ? AND ? ORDER BY o.received_on, o.serial",
                               [self.start, self.end])
        return late_rows(self.store, self.store.opinions.calendar, rows, self.today)

    def open_items(self) -> int:
        return self.store.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND status IN"
                                 " ('collected', 'topic', 'deliberated', 'assigned', 'returned', 'answered')"
                                 " AND received_on <= ?", [self.end]) or 0

    def planned_next(self) -> list[dict]:
        return self.store.rows("SELECT kind, date, title FROM meetings WHERE deleted = 0 AND status = 'planned'"
                               " AND date BETWEEN ? AND ? ORDER BY date",
                               [f"{self.year + 1}-01-01", f"{self.year + 1}-12-31"])


# -- the parts ---------------------------------------------------------------------------------------------
def intro(f: Figures) -> str:
    done = []
    if f.held[PLENARY]:
        done.append(f"召开议事代表大会{f.held[PLENARY]}次")
    if f.held[GROUP_ACTIVITY]:
        done.append(f"组织分组活动{f.held[GROUP_ACTIVITY]}次")
    if f.held[RECEPTION]:
        done.append(f"开展接待日{f.held[RECEPTION]}次")
    if f.opinions["total"]:
        done.append(f"收集群众意见建议{f.opinions['total']}条")
    what = "，".join(done)
    if not what and f.rounds:
        what = "完成议事代表推选"
    aims = ("规范推选程序" if f.rounds else "加强代表管理") + "、强化阵地建设、提升议事质量、确保议事效果"
    solved = f.opinions["solved"]
    result = f"，推动{solved}件群众反映的问题得到解决" if solved else ""
    return (f"{f.year}年，{f.unit}围绕{aims}四个方面完善举措，{what}{result}。现将有关情况总结如下。"
            if what else f"{f.year}年，{f.unit}围绕{aims}四个方面开展工作。现将有关情况总结如下。")


def selection(f: Figures) -> str:
    return _numbered(_selection_parts(f))


def _selection_parts(f: Figures) -> list[str]:
    parts = []
    studies = [i for i in f.institutions if i["kind"] == "study"]
    group = next((i for i in f.institutions if i["kind"] == "leading_group"), None)
    plan = next((i for i in f.institutions if i["kind"] == "plan"), None)
    rules = [i for i in f.institutions if i["kind"] == "rule"]
    organised = []
    if studies:
        organised.append(f"街道党工委{len(studies)}次召开会议专题研究")
    if group:
        organised.append(f"成立{group['title']}")
    if plan:
        organised.append(f"印发《{plan['title']}》")
    if rules:
        organised.append(f"制定{rules[0]['title']}等{len(rules)}项制度" if len(rules) > 1 else f"制定{rules[0]['title']}")
    if organised:
        parts.append(f"强化组织保障。{'，'.join(organised)}，为推行议事代表会议制度提供组织和制度保障。")
    for round_row in f.rounds:
        people = f.store.rows("SELECT status FROM candidates WHERE round_id = ? AND deleted = 0", [round_row["id"]])
        appointed = sum(1 for p in people if p["status"] == APPOINTED)
        what = round_kind(round_row["kind"]).word
        parts.append(
            f"规范{what}流程。采取“两下两上”方式，各村（社区）基层党组织或居民10人以上联名推荐初步人选"
            f"{len(people)}人，经村（居）民代表会议通过、人大街道工委初审、相关部门联审和公示，"
            f"{_md(round_row['confirmed_on'])}由街道党工委确定{appointed}名议事代表"
            + ("，颁发聘书并报区人大常委会备案" if round_row.get("filed_on") else "") + "。")
    groups = f.store.groups.list()
    sizes = [g["community_count"] for g in groups if g.get("community_count")]
    serving, grids = f.serving(), f.store.grids.count()
    if f.rounds:
        spread = f"，每组由{min(sizes)}—{max(sizes)}个村（社区）组成" if sizes else ""
        parts.append(f"科学合理分组。按照人数适当、区域适中、职业相近的原则划分{len(groups)}个议事代表小组{spread}，"
                     f"同步将议事代表融入全街道{grids}个网格。")
    elif serving:
        term = f.term()
        since = f"{term['name']}议事代表自{chinese_date(term['start_date'])}履职以来" if term and term.get("start_date") \
            else "本届议事代表履职以来"
        parts.append(f"夯实代表基础。{since}，{f.year}年在任{serving}名，分属{len(groups)}个议事小组，"
                     f"联系全街道{grids}个网格。")
    reviews = f.reviews()
    if reviews:
        graded = "、".join(f"{grade}{n}名" for grade, n in sorted(reviews.items(), key=lambda g: _rank(GRADES, g[0])))
        parts.append(f"开展年度评议。对照履职档案评议议事代表{sum(reviews.values())}名，其中{graded}。")
    return parts


def venues(f: Figures) -> str:
    return _numbered(_venue_parts(f))


def _venue_parts(f: Figures) -> list[str]:
    levels = f.venues()
    parts = []
    levels = {level: [v for v in venues if f.open_by_end(v)] if level != NEIGHBOURHOOD_HALL else venues
              for level, venues in levels.items()}
    for centre in levels[CENTRE]:
        rooms = (f"{centre['room_names'][0]}等{len(centre['room_names'])}个会议室" if len(centre["room_names"]) > 1
                 else "".join(centre["room_names"]) or "会议室")
        kit = (f"，配备{_join(centre['facility_list'], 8)}{'等设施' if len(centre['facility_list']) > 8 else ''}"
               if centre["facility_list"] else "")
        here = f.held_at(centre["id"], PLENARY)
        plenaries = f"，全年在此召开议事代表大会{here}次" if here else ""
        parts.append(f"建好街道议事中心。{centre['name']}设{rooms}{kit}{plenaries}。")
    if levels[AREA_HALL]:
        names = _join([v["name"].removesuffix("片区议事厅") for v in levels[AREA_HALL]], 3) + \
            ("等" if len(levels[AREA_HALL]) > 3 else "")
        held_there = sum(f.held_at(v["id"], GROUP_ACTIVITY) for v in levels[AREA_HALL])
        activities = f"，{f.year}年各小组在片区议事厅开展议事活动{held_there}次" if held_there else ""
        parts.append(f"用好片区议事厅。{names}{len(levels[AREA_HALL])}个片区议事厅为小组商议片区群众利益事项提供阵地{activities}。")
    halls = [v for v in levels[NEIGHBOURHOOD_HALL] if f.open_by_end(v)]
    if halls:
        names = _join([v["name"].removesuffix("邻里议事堂") for v in halls], 2)
        built = f"在{names}{'等' if len(halls) > 2 else ''}{len(halls)}个小区建成邻里议事堂"
        building = [v["name"] for v in levels[NEIGHBOURHOOD_HALL] if v.get("build_status") in (PLANNED, BUILDING)]
        if building:  # a hall still being built is not counted as built
            built += (f"，{building[0]}正在筹建" if len(building) == 1
                      else f"，{_join(building, 2)}{'等' if len(building) > 2 else ''}{len(building)}个议事堂正在筹建")
        if f.held[RECEPTION]:
            heard = f"，面对面听取群众反映事项{f.reception_matters}件" if f.reception_matters else ""
            people = f"、接待群众{f.visitors}人次" if f.visitors else ""
            receptions = f"。议事代表每月到议事堂值班，全年开展接待日{f.held[RECEPTION]}次{people}{heard}"
        else:
            receptions = f"，{f.year}年没有登记接待日"
        parts.append(f"延伸到小区邻里议事堂。{built}{receptions}。")
    return parts


def quality(f: Figures) -> str:
    return _numbered(_quality_parts(f))


def _quality_parts(f: Figures) -> list[str]:
    parts = []
    plenaries = f.plenaries()
    if plenaries:
        held = []
        for m in plenaries:
            q = m["quorum"]
            clause = f"{_md(m['date'])}召开的大会应到{q['total']}人、实到{q['present']}人"
            if m["votes"]:
                passed = [v["item"] for v in m["votes"] if v["passed"]]
                clause += (f"，票决民生实事项目{len(m['votes'])}项，"
                           + (f"“{'”“'.join(passed)}”获得通过" if passed else "均未获通过"))
            held.append(clause)
        parts.append(f"规范议事会议流程。按会前、会中、会后工作流程图筹备会议，{'；'.join(held)}。")
    if f.held[GROUP_ACTIVITY]:
        present, expected = f.group_attendance()
        rate = f"，代表出席率{_share(present, expected)}" if expected else ""
        guests = f.guests((GROUP_ACTIVITY, SPECIAL))
        came = f"，{_join(guests)}{'等' if len(guests) > 6 else ''}部门派员列席" if guests else ""
        parts.append(f"做实议事小组活动。各议事小组全年开展议事活动{f.held[GROUP_ACTIVITY]}次{rate}{came}。")
    o = f.opinions
    if o["total"]:
        cats = o["by_category"]
        split = "、".join(f"{label}{cats.get(code, 0)}条" for code, label in CATEGORIES if cats.get(code))
        assigned = sum(cats.values())
        rates = [(label, value) for label, value in (("按期办结率", o["on_time_rate"]),
                                                     ("群众满意率", o["satisfaction_rate"])) if value is not None]
        if len(rates) == 2 and rates[0][1] == rates[1][1]:  # one figure, said once
            rate = f"，按期办结率和群众满意率均为{rates[0][1]:g}%"
        else:
            rate = "".join(f"，{label}{value:g}%" for label, value in rates)
        handled = (f"分类交办{assigned}条（{split}），已办结{o['solved']}条{rate}" if assigned else "都还没有交办")
        parts.append(f"抓实意见办理。全年收到的{o['total']}条意见建议中，{handled}。")
    return parts


def effect(f: Figures, cases: str) -> str:
    w = f.fieldwork
    steps = []
    if w["visits"]:
        steps.append(f"议事代表深入网格走访{w['visits']}次，接触群众{w['residents_met']}人次")
    reported = f.store.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND reported_on BETWEEN ? AND ?",
                              [f.start, f.end]) or 0
    if reported:
        steps.append(f"向小组组长上报意见建议{reported}条")
    topics = f.store.scalar("SELECT count(*) FROM topics WHERE deleted = 0 AND approved_on BETWEEN ? AND ?",
                            [f.start, f.end]) or 0
    if topics:
        steps.append(f"经人大街道工委审核确定议题{topics}个")
    if w["actions"]:
        steps.append(f"会议纪要明确落实事项{w['actions']}项、已完成{w['actions_done']}项")
    if not steps and not cases:
        return ""
    fed_back = f.store.scalar("SELECT count(*) FROM opinions WHERE deleted = 0 AND feedback_delegate_on BETWEEN ? AND ?",
                              [f.start, f.end]) or 0
    closing = f"，{fed_back}件办理结果已反馈代表和群众" if fed_back else ""
    lead = "全面实行五步工作法，" + "，".join(steps) + closing + "。" if steps else ""
    return lead + cases


def _titles(rows: list[dict], limit: int = 3) -> str:
    # a 顿号 between quoted items (GB/T 15834 allows it): ”“ side by side cannot be kept on the grid
    shown = "、".join(f"“{r['title']}”" for r in rows[:limit])
    return shown + ("等" if len(rows) > limit else "")


def problems(f: Figures) -> str:
    found = []
    o = f.opinions
    if o["overdue"]:
        found.append(f"有{o['overdue']}件意见建议超过办理期限仍未办结")
    returned = f.returned()
    if returned:
        found.append(f"{returned}件被承办单位退回后尚未重新交办")
    if o["feedback_overdue"]:
        found.append(f"{o['feedback_overdue']}件办结后未在时限内反馈代表")
    # the steps before 交办 and after 不满意, done late or still waiting past their limit, each named
    late_at = f.late_steps()
    clocked = [(len(late_at[c.key]), c.late_text.format(days=o['limits'][c.key]), _titles(late_at[c.key]))
               for c in CLOCKS if c.key in ("report", "topic", "approval", "assign", "reopen") and late_at[c.key]]
    # a 不予采纳 decision owes the residents an answer too (the late results are counted above)
    declined = [r for r in late_at["feedback"] if r["decline_reason"]]
    if declined:
        clocked.append((len(declined), f"决定不予采纳后未在{o['limits']['feedback']}个工作日内反馈代表",
                        _titles(declined)))
    if len(clocked) > 1 and len({n for n, _, _ in clocked}) == 1:
        # the same count at every step is said once, not "2件…；2件…；2件…"
        found.append(f"意见建议办理有{COUNTED[len(clocked) - 1]}个环节超过时限，各有{clocked[0][0]}件："
                     + "；".join(f"{late}的（{titles}）" for _, late, titles in clocked))
    elif clocked:
        found.append("意见建议办理环节超过时限的有" + "；".join(f"{n}件{late}（{titles}）" for n, late, titles in clocked))
    if o["solved"] and o["on_time"] < o["solved"]:
        answered_late = [r for r in late_at["answer"] if on_time(r) is False]
        named = f"（{_titles(answered_late)}）" if answered_late else ""
        found.append(f"已办结的{o['solved']}件中有{o['solved'] - o['on_time']}件超过办理期限才办结{named}，"
                     f"按期办结率{o['on_time_rate']:g}%")
    missed = f.missed()
    late = "、".join(f"{kind_of(k).summary_name}{n}次" for k, n in missed.items() if n)
    if late:
        found.append(f"按计划应开未开的有{late}")
    unvisited = f.unvisited_grids() if f.serving_year() else 0
    if unvisited:
        found.append(f"全年仍有{unvisited}个网格没有代表走访记录")
    if not found:
        return "从台账看，本年度意见建议各环节都在时限内办理，没有逾期未办、退办未重新交办、反馈超时或应开未开的情况。"
    ordinals = "一二三四五六七八"
    return "".join(f"{ordinals[i]}是{p}。" for i, p in enumerate(found))


def plans(f: Figures) -> str:
    nxt = f.year + 1
    items = []
    planned = [m for m in f.planned_next() if not kind_of(m["kind"]).matters]  # not the monthly reception days
    if planned:
        by_day: dict[str, list[str]] = {}
        for m in planned:
            by_day.setdefault(m["date"], []).append(m["title"].replace(f"{nxt}年", ""))
        days = list(by_day.items())
        shown = "，".join(f"{_md(day)}的{'和'.join(titles)}" for day, titles in days[:3])
        more = "等" if len(days) > 3 else ""
        items.append(f"开好已安排的{len(planned)}次会议活动：{shown}{more}")
    else:
        items.append("上下半年各召开1次议事代表大会，各议事小组每季度开展1次议事活动")
    open_items = f.open_items()
    if open_items:
        items.append(f"继续跟踪尚未办结的{open_items}件意见建议，逐件督办、按期反馈")
    if f.serving_year() and f.unvisited_grids():
        items.append("督促议事代表按月走访联系的网格，做到网格走访全覆盖")
    term = f.term()
    if term and term.get("end_date") and term["end_date"][:4] == str(nxt):
        items.append(f"本届议事代表任期于{chinese_date(term['end_date'])}届满，提前做好换届推选准备")
    ordinals = "一二三四五"
    return f"{nxt}年，" + "".join(f"{ordinals[i]}是{p}。" for i, p in enumerate(items))
