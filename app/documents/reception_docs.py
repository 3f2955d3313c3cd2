"""The residents' notice of reception days (接待日安排公告): for a month or a quarter, each
neighbourhood hall with its address, the days and hours delegates receive residents there, and
the delegates on duty — posted in the halls and the communities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.common.errors import ConflictError
from app.documents.layout import chinese_number
from app.documents.official import OfficialDoc
from app.rules.fields import as_day
from app.services.receptions import period_label

_WEEKDAYS = "一二三四五六日"


def _day_text(day: dict, with_month: bool) -> str:
    when = as_day(day["date"])
    if when is None:
        return str(day["date"])
    text = (f"{when.month}月{when.day}日" if with_month else f"{when.day}日") + f"（星期{_WEEKDAYS[when.weekday()]}）"
    if day.get("start_time"):
        text += day["start_time"] + (f"—{day['end_time']}" if day.get("end_time") else "")
    return text


def halls_of(store, period: str, venue_id: str | None = None) -> list[dict]:
    """The rota of the period by hall: its months (days and delegates) in order."""
    halls: dict[str, dict] = {}
    for row in store.receptions.rota(period):
        if venue_id and row["venue_id"] != venue_id:
            continue
        hall = halls.setdefault(row["venue_id"], {"name": row["hall"], "address": row["address"],
                                                   "schedule": row["schedule"], "months": []})
        hall["months"].append(row)
    return list(halls.values())


def reception_notice(store, period: str, path: Path | str, *, venue_id: str | None = None) -> Path:
    halls = [h for h in halls_of(store, period, venue_id)
             if any(m["days"] or m["delegates"] for m in h["months"])]
    label = period_label(period)
    if not halls:
        raise ConflictError(f"{label}还没有排定接待日值班：请先在“会议 → 接待日值班”中排定值班代表或安排接待日")
    quarter = len(halls[0]["months"]) > 1
    # broken at the sense boundary when it needs two lines (not inside 议事代表)
    title = f"关于{label}议事代表接待日安排的公告"
    doc = OfficialDoc(store, title=[f"关于{label}", "议事代表接待日安排的公告"] if len(title) > 20 else title)
    doc.para(f"为方便居民群众就近反映意见建议，议事代表每月定期到邻里议事堂与群众面对面交流。现将{label}"
             "接待日安排公告如下：")
    for number, hall in enumerate(halls, 1):
        doc.heading(f"{chinese_number(number)}、{hall['name']}")
        doc.para(f"地址：{hall['address'] or '见议事堂门牌'}。")
        days = [d for m in hall["months"] for d in m["days"]]
        if days:
            doc.para("接待时间：" + "；".join(_day_text(d, True) for d in days) + "。")
        else:
            doc.para("接待时间：" + (hall["schedule"] or "另行通知") + "。")
        on_duty = [m for m in hall["months"] if m["delegates"]]
        if not on_duty:
            doc.para("值班代表：另行通知。")
        elif quarter and len({m["delegate_names"] for m in on_duty}) > 1:
            doc.para("值班代表：" + "；".join(f"{int(m['month'][5:])}月 {m['delegate_names']}" for m in on_duty) + "。")
        else:
            doc.para(f"值班代表：{on_duty[0]['delegate_names']}。")
    doc.para("欢迎居民群众届时前来反映身边的困难和问题，提出意见建议；不能按时前来的，也可以通过所在网格的网格员"
             "或联系本网格的议事代表反映。接待时间如有变动，另行公告。")
    doc.sign(date.today().isoformat())
    return doc.build(path)
