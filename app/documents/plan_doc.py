"""议事方案: the group's plan for deliberating a topic, in the standard document layout."""

from __future__ import annotations

from pathlib import Path

from app.documents.dating import issued_date
from app.documents.layout import chinese_number
from app.documents.official import OfficialDoc, chinese_date
from app.services.topics import VIEWS


def plan(store, plan_id: str, path: Path | str) -> Path:
    p = store.plans._decorate(store.plans.get(plan_id))
    found = store.topics.stored(p["topic_id"])
    topic = found or {"id": p["topic_id"], "title": p["topic_title"], "summary": None}
    views = [v for v in store.topics.consultation(topic["id"]) if v["view"]] if found else []
    departments = store.departments.full_names(p["departments_list"])
    group = p["group_name"] or ""
    doc = OfficialDoc(store, title=p["title"])
    doc.para(f"为做好“{topic['title']}”的集中议事，{group}议事代表小组在收集、汇总群众意见，"
             f"征求小组代表意见的基础上，制定本方案。")
    sections = []
    summary = topic.get("summary") if isinstance(topic.get("summary"), str) else ""
    sections.append(("议题", [f"{topic['title']}。" + (f"{summary.rstrip('。')}。" if summary else "")]))
    if p.get("purpose"):
        sections.append(("议事目的", [p["purpose"].strip().rstrip("。") + "。"]))
    when = " ".join(x for x in (chinese_date(p["planned_on"]) if p.get("planned_on") else "", p.get("planned_time") or "")
                    if x) or "另行通知"
    sections.append(("时间和地点", [f"时间：{when}。", f"地点：{p.get('place') or '另行通知'}。"]))
    who = (p.get("participants") or f"{group}议事代表").strip().rstrip("。")
    sections.append(("参加人员", [who + (f"；邀请{'、'.join(departments)}派员参加" if departments else "") + "。"]))
    if p["steps_list"]:
        sections.append(("议事步骤", [f"（{chinese_number(i)}）{s.rstrip('。；;')}。"
                                     for i, s in enumerate(p["steps_list"], 1)]))
    surveys = store.surveys.list(topic["id"]) if found else []
    if surveys:
        sections.append(("实地走访调研", [f"（{chinese_number(i)}）{chinese_date(v['day'])}，"
                                           f"{store.surveys.describe(v).rstrip('。')}。" for i, v in enumerate(surveys, 1)]))
    if views:
        counts = {view: sum(1 for v in views if v["view"] == view) for view in VIEWS}
        tally = "，".join(f"{k} {n} 人" for k, n in counts.items() if n)
        remarks = [f"{v['name']}：{v['comment'].rstrip('。')}。" for v in views if v.get("comment")]
        sections.append(("小组代表意见", [f"征求小组代表 {len(views)} 人意见，{tally}。", *remarks]))
    for number, (heading, paras) in enumerate(sections, 1):
        doc.heading(f"{chinese_number(number)}、{heading}")
        for text in paras:
            doc.para(text)
    if p.get("meeting_title"):
        doc.para(f"本方案由{p['meeting_title']}（{chinese_date(p['meeting_date'])}）组织实施。")
    issuer = f"{store.settings.get('subdistrict') or ''}议事代表{group}"
    doc.signature(issuer, issued_date(store, "plan", plan_id), doc.layout)
    return doc.build(path)
