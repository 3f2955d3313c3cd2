"""The selection round of the report: 110 candidates through 两下两上 to 70 delegates."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.fronts.demo.base import DELEGATES_PER_GROUP, EDUCATION, GROUPS, PARTIES, WORK, _names, _workday, synthetic_id
from app.rules.nomination_stages import COMMUNITY_APPROVED, PRELIMINARY_REVIEWED
from app.services.nomination import DEFAULT_REVIEW_UNITS

# ---------------------------------------------------------------------------
# The selection round of the report: 110 candidates through 两下两上 to 70 delegates.
CANDIDATES = 110


def _profile(rng: random.Random, name: str, community: str, area: str, year: int, *, span=36) -> dict:
    """A synthetic person aged 29 to 65 in the report's year, whose 政治面貌 and work fit the age."""
    female = rng.random() < 0.42
    born = date(year - 65, 1, 1) + timedelta(days=rng.randrange(0, 365 * span))
    workplace, post, sector = rng.choice(WORK[area])
    age = year - born.year
    if workplace == "退休" and age < (50 if female else 60):
        workplace, post, sector = _working(area)  # too young to have retired
    elif age >= (55 if female else 60) and sector in ("教育卫生", "专业技术人员", "企业人员", "社会组织"):
        # past retirement age: retired from that work (the countryside's farm on)
        workplace, post, sector = ("退休", "", "退休人员") if area != "rural" else ("务农", "", "农民")
    if workplace in ("社区居委会", "村民委员会"):
        workplace = community + ("村民委员会" if area == "rural" else "居民委员会")
    ethnicity = "汉族" if rng.random() < 0.95 else "土家族"
    id_number = synthetic_id(rng, born, female)
    party = rng.choice(PARTIES)
    if party == "共青团员" and year - 2 - born.year > 28:  # a league member is 28 at most when chosen
        party = "群众"
    return {"name": name, "ethnicity": ethnicity, "id_number": id_number, "party": party, "sector": sector,
            "education": rng.choice(EDUCATION), "workplace": workplace, "post": post or None,
            "phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
            "resident_since": _resident_since(born, rng.randrange(1985, 2020), rng.randrange(1, 13))}


def _working(area: str) -> tuple[str, str, str]:
    """The work of one not of retiring age who drew 退休: the area's first trade that is not."""
    return next(w for w in WORK[area] if w[0] not in ("退休", "社区居委会", "村民委员会"))


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
            chosen.append((_profile(rng, next(names), community, areas[community], year), community, role, share))
    everyone = [c for _, _, cs in GROUPS for c, _, _ in cs]
    extras = []
    for n in range(CANDIDATES - len(chosen)):
        community = everyone[(n * 7) % len(everyone)]
        extras.append((_profile(rng, next(names), community, areas[community], year), community))

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
    candidates.record(extra_ids[:4], COMMUNITY_APPROVED, f"{year - 2}-12-16", "fail", "村（居）民代表会议表决未过半数")
    candidates.record(chosen_ids + extra_ids[4:], COMMUNITY_APPROVED, f"{year - 2}-12-16", "pass")
    late = [extra_ids[17]]
    candidates.record(late + extra_ids[4:7], PRELIMINARY_REVIEWED, f"{year - 2}-12-23", "fail",
                      "不符合推选条件或本人所在单位不同意推荐")
    passed = chosen_ids + [i for i in extra_ids[7:] if i not in late]
    candidates.record(passed, PRELIMINARY_REVIEWED, f"{year - 2}-12-23", "pass")
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


def build_elections(store, year: int) -> None:
    """At the start of the term each group elects its leader and two deputies (小组推选) from those
    present; the roster's roles were set with the selection, so no one takes office here."""
    day = store.opinions.calendar.add_working_days(date(year - 1, 3, 1), 2).isoformat()
    for number, group in enumerate(store.groups.list()):
        serving = store.delegates.serving_on(day, group["id"])
        present = len(serving) - number % 3  # one or two excused in some groups
        officers = sorted((d for d in serving if d["group_role"] in ("leader", "deputy_leader")),
                          key=lambda d: (d["group_role"] != "leader", d["name"]))
        for rank, person in enumerate(officers):
            store.elections.record(group["id"], {
                "day": day, "role": person["group_role"], "delegate_id": person["id"], "members": present,
                "votes": present - (rank + number) % 3, "result": "elected"}, take_office=False)
