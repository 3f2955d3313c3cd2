"""The opinion's history as the clerk reads it: each event kind's label and one line of Chinese
for its details (the timeline in the opinion window and in an opinion's detail)."""

from __future__ import annotations

from app.rules.codes import OPINION_EVENTS

EVENT_LABELS = dict(OPINION_EVENTS)


def describe_event(kind: str, d: dict) -> str:
    """One line of Chinese for the timeline."""
    if kind == "assign":
        co = f"，协办 {'、'.join(d['co_units'])}" if d.get("co_units") else ""
        return (f"{d.get('category', '')}：主办 {d.get('lead_unit', '')}{co}；"
                f"{d.get('working_days')} 个工作日，期限 {d.get('deadline')}")
    if kind == "extend":
        return f"期限由 {d.get('from')} 延至 {d.get('to')}（{d.get('approved_by')} 批准）" + (
            f"：{d['reason']}" if d.get("reason") else "")
    if kind == "return":
        return f"{d.get('unit', '')} 退回：{d.get('reason', '')}"
    if kind == "reopen":
        return f"{d.get('reason', '')}；新期限 {d.get('deadline')}"
    if kind == "feedback":
        return f"{d.get('satisfaction', '')}（{d.get('method', '')}）"
    if kind == "undo":
        return f"撤销了“{d.get('undone', '')}”（记录保留）"
    if kind == "key":
        return "列为重点督办" if d.get("key") else "取消重点督办"
    if kind == "report":
        return f"{d.get('delegate', '')}上报{d.get('group', '')}组长{d.get('leader', '')}"
    if kind == "consult":
        views = "；".join(f"{v['name']}：{v['view']}" + (f"（{v['comment']}）" if v.get("comment") else "")
                         for v in d.get("views", []))
        return f"议题“{d.get('topic', '')}”：{views}"
    if kind == "plan":
        when = f"，{d['planned_on']}" if d.get("planned_on") else ""
        return f"{d.get('title', '')}{when}" + (f"，{d['place']}" if d.get("place") else "")
    return "；".join(str(v) for v in d.values() if v not in (None, "", []))
