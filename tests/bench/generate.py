"""Build the scale store of DESIGN §10 (the parts that exist so far).

30 subdistricts, each shaped like the demo: 25 communities, 534 grids, 5 groups,
70 delegates with valid synthetic ID numbers -> 2,100 delegates, 16,020 grids; and
20,000 meetings (group activities over six years, with their flowchart steps), 100,000
opinions and 300,000 supervision records.
Everything goes through the services (the real write path), in one transaction.

    python tests/bench/generate.py [DIR]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.fronts.demo import GROUPS, _names, _split, synthetic_id  # noqa: E402
from app.store import Store  # noqa: E402

SUBDISTRICTS = ["中山路", "胜利路", "南大街", "茶山竹海", "大安", "陈食", "卫星湖", "青峰", "金龙", "临江",
                "何埂", "松溉", "仙龙", "吉安", "五间", "来苏", "宝峰", "双石", "红炉", "永荣",
                "三教", "板桥", "朱沱", "大成", "枫桥", "丰乐", "古城", "西城", "北城", "新城"]


def add_meetings(store, count: int, rng: random.Random) -> None:
    """`count` group activities spread over the groups and six years, with some attendance."""
    from datetime import date, timedelta

    groups = store.groups.list()
    members = {g["id"]: [r["id"] for r in store.rows(
        "SELECT id FROM delegates WHERE group_id = ? AND deleted = 0", [g["id"]])] for g in groups}
    with store.db.atomic():
        for index in range(count):
            group = groups[index % len(groups)]
            day = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 6 * 365))
            meeting_id = store.meetings.create(
                {"kind": "group_activity", "group_id": group["id"], "date": day.isoformat(),
                 "status": "held" if day < date(2026, 11, 1) else "planned",
                 "agenda": f"议题{index}"}).created("meetings")[0]
            if index % 10 == 0 and day < date(2026, 11, 1):  # attendance only of meetings held
                store.attendance.record(meeting_id, {d: "present" for d in members[group["id"]]})


TITLES = ["小区路灯不亮", "增设公交线路", "老旧小区加装电梯", "背街小巷路面破损", "垃圾清运不及时", "夜间噪音扰民",
          "停车位不足", "楼道堆放杂物", "雨污管网堵塞", "健身器材损坏", "学校周边交通拥堵", "快递柜占道",
          "农贸市场占道经营", "绿化带被毁", "公交站台缺少遮雨棚", "电动车充电难", "老年食堂价格高", "河道淤积"]


def add_ledger(store, opinions: int, supervisions: int, rng: random.Random, batch: int = 5000) -> None:
    """Opinions and supervision records through the write path, in batches (one audit entry each)."""
    from datetime import date, timedelta

    people = store.rows("SELECT id, community_id, group_id FROM delegates WHERE deleted = 0")
    units = store.departments.names()
    statuses = ["collected", "topic", "assigned", "assigned", "answered", "fed_back", "closed", "closed", "closed"]
    ids = [(r["id"], date.fromisoformat(r["received_on"])) for r in store.rows(
        "SELECT id, received_on FROM opinions WHERE deleted = 0 ORDER BY serial")]  # a store topped up
    for start in range(0, opinions if not ids else 0, batch):
        with store.write("import", f"规模测试数据：意见建议 {start + 1}—{min(start + batch, opinions)}") as tx:
            for n in range(start, min(start + batch, opinions)):
                person = people[n % len(people)]
                day = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 6 * 365))
                if day > date(2026, 10, 1):  # received, and its chain dated, before the store was made
                    day -= timedelta(days=365)
                status = statuses[n % len(statuses)]
                title = f"{TITLES[n % len(TITLES)]}（{n}）"
                values = {"serial": f"YJ{day.year}-{n:06d}", "source": "grid_visit", "received_on": day.isoformat(),
                          "delegate_id": person["id"], "community_id": person["community_id"],
                          "group_id": person["group_id"], "title": title,
                          "content": f"居民反映{TITLES[(n * 7) % len(TITLES)]}，希望尽快解决。", "status": status,
                          "residents": rng.randint(1, 50), "key_supervision": 0}
                if status != "collected" and status != "topic":
                    values.update({"category": rng.choice(["self_governance", "subdistrict", "department"]),
                                   "lead_unit": rng.choice(units), "assigned_on": day.isoformat(),
                                   "working_days": 15, "deadline": (day + timedelta(days=21)).isoformat()})
                # each state of the chain carries the dates that brought it there (the rule book)
                for name, after, states in (("answered_on", 10, ("answered", "fed_back", "closed")),
                                            ("feedback_delegate_on", 12, ("fed_back", "closed")),
                                            ("closed_on", 14, ("closed",))):
                    if status in states:
                        values[name] = (day + timedelta(days=after)).isoformat()
                ids.append((tx.insert("opinions", values), day))
    for start in range(0, supervisions, batch):
        with store.write("import", f"规模测试数据：督办记录 {start + 1}—{min(start + batch, supervisions)}") as tx:
            for n in range(start, min(start + batch, supervisions)):
                opinion_id, received = ids[(n * 7919) % len(ids)]
                tx.insert("supervisions", {"opinion_id": opinion_id, "day": (received + timedelta(days=3)).isoformat(),
                                           "method": "电话", "content": "督促加快办理", "progress": "办理中",
                                           "actor": "bench"})


def build(folder: Path, subdistricts: int = 30, seed: int = 7, meetings: int = 20000,
          opinions: int = 100_000, supervisions: int = 300_000) -> dict:
    from datetime import date, timedelta

    rng = random.Random(seed)
    names = iter(_names(rng, 70 * subdistricts))
    used: set[str] = set()
    started = time.perf_counter()
    with Store.open(folder) as store:
        if not store.is_empty():
            if opinions and not store.scalar("SELECT 1 FROM supervisions LIMIT 1"):
                add_ledger(store, opinions, supervisions, rng)  # an older scale store: top it up
            return store.stats.summary()
        with store.db.atomic():
            store.terms.create({"name": "第一届", "start_date": "2025-03-01"})
            for s_index, sub in enumerate(SUBDISTRICTS[:subdistricts]):
                grid_ids: dict[str, list[str]] = {}
                for g_index, (group, _, communities) in enumerate(GROUPS):
                    group_id = store.groups.create(
                        {"name": f"{sub}{group}", "sort_order": s_index * 10 + g_index}).created("groups")[0]
                    community_ids = []
                    for name, kind, area in communities:
                        cid = store.communities.create(
                            {"name": f"{sub}{name}", "kind": kind, "area": area, "group_id": group_id,
                             "subdistrict": f"{sub}街道"}).created("communities")[0]
                        community_ids.append(cid)
                    counts = _split(534 // 5 + (1 if g_index < 534 % 5 else 0), [1] * len(community_ids))
                    for cid, count in zip(community_ids, counts):
                        grid_ids[cid] = store.grids.bulk_create(cid, f"1-{count}").created("grids")
                    for index in range(14):
                        cid = community_ids[index % len(community_ids)]
                        number = None
                        while number is None or number in used:
                            born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 36))
                            number = synthetic_id(rng, born, rng.random() < 0.4)
                        used.add(number)
                        role = "leader" if index == 0 else "deputy_leader" if index in (1, 2) else "member"
                        store.delegates.create({
                            "name": next(names), "id_number": number,
                            "phone": f"13{rng.randrange(10**8, 10**9)}", "party": rng.choice(["中共党员", "群众"]),
                            "sector": rng.choice(["村（社区）干部", "企业人员", "教育卫生", "居民群众"]),
                            "community_id": cid, "group_id": group_id, "group_role": role,
                        }, grid_ids=grid_ids[cid][index // len(community_ids)::3])
        if meetings:
            add_meetings(store, meetings, rng)
        if opinions:
            add_ledger(store, opinions, supervisions, rng)
        stats = store.stats.summary()
    stats["build_seconds"] = round(time.perf_counter() - started, 1)
    return stats


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench-data" / "scale")
    summary = build(target)
    print(f"{target}: {summary['delegates']['total']} delegates, {summary['communities']} communities, "
          f"{summary['grids']} grids, {summary['groups']} groups, {summary['meetings']['total']} meetings, "
          f"{summary['opinions']['total']} opinions "
          f"({summary.get('build_seconds', 0)} s)")
