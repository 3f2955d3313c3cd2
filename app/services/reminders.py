"""What the desk tells the clerk on opening: what is due today and this week, what is overdue,
whose feedback is due, which grids nobody visited this month; and, for a new office, where to
begin. Qt-free, so the window's reminder panel, the 概览 page and the tests ask the same thing.

Each line names its record as a target {"area", "kind", "id"}: the window opens it from there.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.services.step_events import still_open

WEEK_DAYS = 7
LIMIT = 50  # lines per section; the section's total says how many there are in all

SECTIONS = (("today", "今天到期"), ("week", "本周到期"), ("overdue", "已逾期"), ("feedback", "待反馈代表"),
            ("grids", "本月尚未走访的网格"))


def _target(area: str, kind: str, record_id: str | None) -> dict:
    return {"area": area, "kind": kind, "id": record_id}


def _bucket(day: str, today: date) -> str | None:
    """"today", "week" (tomorrow to six days on) or None."""
    if day == today.isoformat():
        return "today"
    if today.isoformat() < day <= (today + timedelta(days=WEEK_DAYS - 1)).isoformat():
        return "week"
    return None


def desk_reminders(store, today: date | None = None) -> dict:
    """{"today": iso, "sections": [{"key", "title", "items": [{"text", "day", "target"}], "total"}],
    "count": lines in all}. Dates are read against `today` (tests fix it)."""
    today = today or date.today()
    iso, horizon = today.isoformat(), (today + timedelta(days=WEEK_DAYS - 1)).isoformat()
    lines: dict[str, list[dict]] = {key: [] for key, _ in SECTIONS}
    extra = dict.fromkeys(lines, 0)  # lines counted but not read (beyond what the panel lists)

    def add(section: str, day: str, text: str, target: dict) -> None:
        lines[section].append({"text": text, "day": day, "target": target})

    def add_deadline(what: str, overdue: bool, deadline: str, text: str, target: dict) -> None:
        """A piece of work with a deadline: under 逾期 once late, else under the day or week it falls due."""
        if overdue:
            add("overdue", deadline, f"【{what}逾期】{text}", target)
        elif _bucket(deadline, today):
            add(_bucket(deadline, today) or "week", deadline, f"【{what}期限】{text}", target)

    for m in store.rows("""SELECT id, title, date, start_time FROM meetings WHERE deleted = 0 AND status = 'planned'
                           AND date BETWEEN ? AND ? ORDER BY date, start_time""", [iso, horizon]):
        when = f"{m['date']} {m['start_time'] or ''}".strip()
        add(_bucket(m["date"], today) or "week", m["date"], f"【会议】{when} {m['title']}",
            _target("meetings", "meeting", m["id"]))
    steps = store.rows(
        """SELECT s.*, m.title AS meeting_title FROM meeting_steps s JOIN meetings m ON m.id = s.meeting_id
           WHERE s.deleted = 0 AND m.deleted = 0 AND m.status != 'cancelled' AND s.done_on IS NULL
             AND s.due_date <= ? ORDER BY s.due_date, s.sort_order""", [horizon])
    for s in still_open(store, steps):
        target = _target("meetings", "meeting", s["meeting_id"])
        text = f"{s['meeting_title']}：{s['title']}（{s['owner'] or '—'}，期限 {s['due_date']}）"
        if s["due_date"] < iso:
            add("overdue", s["due_date"], f"【流程环节】{text}", target)
        else:
            add(_bucket(s["due_date"], today) or "week", s["due_date"], f"【流程环节】{text}", target)
    # Opinions: those late are counted in full but read only as far as the panel lists them.
    open_late = """FROM opinions WHERE deleted = 0 AND status IN ('assigned', 'returned') AND deadline IS NOT NULL
                   AND deadline < ?"""
    extra["overdue"] += max(0, store.scalar(f"SELECT count(*) {open_late}", [iso]) - LIMIT)
    for o in store.rows(f"SELECT * {open_late} ORDER BY deadline, serial LIMIT ?", [iso, LIMIT]) + store.rows(
            """SELECT * FROM opinions WHERE deleted = 0 AND status IN ('assigned', 'returned')
               AND deadline BETWEEN ? AND ? ORDER BY deadline, serial""", [iso, horizon]):
        store.opinions.decorate(o, today)
        target = _target("opinions", "opinion", o["id"])
        text = f"{o['serial']} {o['title']}（{o['lead_unit'] or '承办单位未填'}，期限 {o['deadline']}）"
        add_deadline("意见办理", o["overdue"], o["deadline"], text, target)
    # The steps before 交办 and 不满意 → 重办 (opinion_clocks): late ones, and those due within the week.
    from app.services.opinion_clocks import late_clause

    clause, params = late_clause(store, store.opinions.calendar, today + timedelta(days=WEEK_DAYS),
                                 ("report", "topic", "approval", "assign", "reopen"))
    waiting = f"FROM opinions o WHERE o.deleted = 0 AND {clause}"
    extra["overdue"] += max(0, store.scalar(f"SELECT count(*) {waiting}", params) - LIMIT)
    for o in store.rows(f"SELECT o.* {waiting} ORDER BY o.received_on, o.serial LIMIT ?", [*params, LIMIT]):
        store.opinions.decorate(o, today)
        if not o["step_due"]:
            continue
        text = f"{o['serial']} {o['title']}（应于 {o['step_due']} 前{o['clock_label']}）"
        add_deadline(o["clock_label"], o["step_late"], o["step_due"], text, _target("opinions", "opinion", o["id"]))
    # answered by this day, the feedback to the delegate falls due within the week
    answered = "FROM opinions WHERE deleted = 0 AND status = 'answered' AND answered_on <= ?"
    cutoff = store.opinions.feedback_cutoff(today + timedelta(days=WEEK_DAYS))
    extra["feedback"] += max(0, store.scalar(f"SELECT count(*) {answered}", [cutoff]) - LIMIT)
    for o in store.rows(f"SELECT * {answered} ORDER BY answered_on, serial LIMIT ?", [cutoff, LIMIT]):
        store.opinions.decorate(o, today)
        if o["feedback_due"] and o["feedback_due"] <= horizon:
            late = "已逾期" if o["feedback_overdue"] else "应于"
            add("feedback", o["feedback_due"],
                f"【反馈】{o['serial']} {o['title']}（{o['answered_on']} 办结，{late} {o['feedback_due']} 前反馈代表）",
                _target("opinions", "opinion", o["id"]))
    # a 不予采纳 decision is fed back within the same limit (件件有回音)
    clause, params = late_clause(store, store.opinions.calendar, today + timedelta(days=WEEK_DAYS), ("feedback",))
    declined = f"FROM opinions o WHERE o.deleted = 0 AND o.status = 'declined' AND {clause}"
    extra["feedback"] += max(0, store.scalar(f"SELECT count(*) {declined}", params) - LIMIT)
    for o in store.rows(f"SELECT o.* {declined} ORDER BY o.received_on, o.serial LIMIT ?", [*params, LIMIT]):
        store.opinions.decorate(o, today)
        if o["step_due"]:
            late = "已逾期" if o["step_late"] else "应于"
            add("feedback", o["step_due"], f"【反馈】{o['serial']} {o['title']}（不予采纳，{late} {o['step_due']} 前反馈代表）",
                _target("opinions", "opinion", o["id"]))
    for a in store.action_items.list(today=today):
        if a["status"] == "done" or not a.get("deadline"):
            continue
        target = _target("meetings", "meeting", a["meeting_id"])
        text = f"{a['content']}（{a['unit'] or '责任单位未填'}，期限 {a['deadline']}，{a['meeting_title']}）"
        add_deadline("落实事项", a["overdue"], a["deadline"], text, target)
    month = iso[:7]
    for g in store.rows(
            """SELECT x.id, x.name, c.name AS community,
                      (SELECT group_concat(d.name, '、') FROM delegate_grids dg JOIN delegates d ON d.id = dg.delegate_id
                        WHERE dg.grid_id = x.id AND dg.deleted = 0 AND d.deleted = 0 AND d.status = 'active') AS people
               FROM grids x JOIN communities c ON c.id = x.community_id
               WHERE x.deleted = 0 AND c.deleted = 0
                 AND EXISTS (SELECT 1 FROM delegate_grids dg JOIN delegates d ON d.id = dg.delegate_id
                             WHERE dg.grid_id = x.id AND dg.deleted = 0 AND d.deleted = 0 AND d.status = 'active')
                 AND NOT EXISTS (SELECT 1 FROM grid_visits v WHERE v.grid_id = x.id AND v.deleted = 0
                                 AND v.day >= ? AND v.day <= ?)
               ORDER BY c.name, x.number, x.name""", [f"{month}-01", f"{month}-31"]):
        add("grids", month, f"【网格】{g['community']} {g['name']}（联系代表：{g['people']}）",
            _target("organisation", "grid", g["id"]))
    sections = []
    for key, title in SECTIONS:
        items = sorted(lines[key], key=lambda item: item["day"]) if key != "grids" else lines[key]
        sections.append({"key": key, "title": title, "items": items[:LIMIT], "total": len(items) + extra[key]})
    return {"today": iso, "sections": sections, "count": sum(s["total"] for s in sections)}


# (key, what to do, where, what it says) of a new office's first steps, in order.
FIRST_STEPS = (
    ("unit", "设置单位名称", "settings", "在“设置”中填写街道和单位名称，文书和台账的抬头都用它"),
    ("communities", "建立村（社区）和网格", "organisation",
     "在“组织”中新增村（社区），再为每个村（社区）建立网格；已有表格的可从 Excel 导入（“数据”菜单）"),
    ("delegates", "导入代表名册", "roster", "在“代表”中从 Excel 导入现有花名册，或逐个新增代表"),
    ("groups", "建立议事小组", "organisation", "在“组织 → 议事小组”中建立小组，指定组长、副组长"),
    ("venues", "登记议事阵地", "venues", "在“阵地”中登记议事中心、片区议事厅和邻里议事堂"),
    ("meetings", "安排第一次会议", "meetings", "在“会议”中新建议事代表大会或分组活动，流程图随之生成"),
)


# The first steps the 概览's import panel (app/workbooks/kinds.py) walks through, its books brought in
# in order; the window lists the rest below it.
BY_IMPORT = frozenset({"communities", "delegates", "venues"})


def getting_started(store) -> dict:
    """A new office's first steps, each done or not; `new` while no meeting has been recorded: then
    the 概览 shows these steps, not warnings about meetings an office that has not started yet
    could not have held."""
    has = {
        "unit": bool(store.settings.get("unit_name") or store.settings.get("subdistrict")),
        "communities": bool(store.scalar("SELECT 1 FROM grids WHERE deleted = 0 LIMIT 1")),
        "delegates": bool(store.scalar("SELECT 1 FROM delegates WHERE deleted = 0 LIMIT 1")),
        "groups": bool(store.scalar("SELECT 1 FROM groups WHERE deleted = 0 LIMIT 1")),
        "venues": bool(store.scalar("SELECT 1 FROM venues WHERE deleted = 0 LIMIT 1")),
        "meetings": bool(store.scalar("SELECT 1 FROM meetings WHERE deleted = 0 LIMIT 1")),
    }
    steps = [{"key": key, "label": label, "area": area, "hint": hint, "done": has[key], "by_import": key in BY_IMPORT}
             for key, label, area, hint in FIRST_STEPS]
    return {"new": not has["meetings"], "steps": steps, "done": sum(s["done"] for s in steps)}
