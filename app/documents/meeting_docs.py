"""The meeting documents: minutes (纪要), notice (会议通知), sign-in sheet (签到表), flowchart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from app.common.errors import ConflictError
from app.common.fileio import atomic_path
from app.documents.dating import issued_date
from app.documents.fonts import FONT_NAMES, use_store_fonts
from app.documents.layout import chinese_number
from app.documents.metadata import stamp
from app.documents.notes import note
from app.documents.official import OfficialDoc, chinese_date
from app.documents.tables import Cell, TableSpec
from app.documents.word import is_word
from app.rules.fields import as_day
from app.rules.meeting_kinds import kind_of
from app.services.meetings import STEP_COLOURS, STEP_STATES, audience, when_text
from app.storage.photos import is_photo, unprintable


def _not_held(meeting: dict) -> str:
    """Why a meeting has no minutes yet, in the clerk's words (a status this version does not know
    is shown as stored, marked)."""
    return {"planned": "尚未召开", "cancelled": "已取消"}.get(meeting["status"], f"的状态为“{meeting['status_label']}”")


def _guests(store, sheet: list[dict]) -> list[str]:
    """Those signed in as attending (列席), each with their unit by its one official name."""
    out = []
    for row in sheet:
        if row["status"] != "attending_nonmember":
            continue
        # (a guest's unit stands where a delegate's community does)
        unit = store.departments.units_text(row.get("community_name")) if row.get("community_name") else ""
        out.append(f"{row['name']}（{unit}）" if unit and not row["delegate_id"] else row["name"])
    return out


def _attending_units(store, meeting_id: str) -> list[str]:
    """The units signed in as attending: who came, not who was invited."""
    return list(dict.fromkeys(store.departments.units_text(unit) for unit in store.attendance.attending_units(meeting_id)))


def _day_part(meeting: dict) -> str:
    start = meeting.get("start_time") or ""
    return "" if not start else ("上午" if start < "12:00" else "下午")


def _action_detail(store, item: dict) -> str:
    parts = [f"责任单位：{store.departments.units_text(item['unit'])}" if item.get("unit") else "",
             f"责任人：{item['person']}" if item.get("person") else "",
             f"完成时限：{chinese_date(item['deadline'])}" if item.get("deadline") else ""]
    return "；".join(p for p in parts if p)


def _reception_opening(store, m: dict, on_duty: list[str], matters: list[dict]) -> str:
    visitors = f"，接待来访群众{m['visitors']}人次" if type(m.get("visitors")) is int and m["visitors"] else ""
    heard = f"，听取群众反映事项{len(matters)}件" if matters else "，没有群众反映事项"
    who = f"议事代表{'、'.join(on_duty)}在{m['place'] or '议事堂'}值班" if on_duty else f"{m['place'] or '议事堂'}开展接待"
    return f"{chinese_date(m['date'])}{_day_part(m)}，{who}{visitors}{heard}。"


def _matters(doc: OfficialDoc, matters: list[dict]) -> None:
    for number, matter in enumerate(matters, 1):
        who = f"（{matter['resident']}反映）" if matter.get("resident") else ""
        doc.lead_in(f"（{chinese_number(number)}）{matter['content'].rstrip('。')}{who}。", f"{matter['outcome']}。")


def minutes_doc(store, meeting_id: str, *, draft: bool = False) -> OfficialDoc:
    """纪要 of a held meeting (a planned one only as a draft, marked 草稿): what was done, then who
    attended (§10.3: 出席/请假/列席 with 黑体 labels after the text), then the 落款. A reception day's
    says who was on duty, who came, what they raised and what became of each matter."""
    m = store.meetings.detail(meeting_id)
    if m["status"] != "held" and not draft:
        raise ConflictError(f"“{m['title']}”{_not_held(m)}，不能导出会议纪要："
                            "会后先在“会议”中把状态改为“已召开”并登记签到；需要预先起草的，可导出纪要草稿。")
    sheet = store.attendance.sheet(meeting_id)
    by_status = {s: [r["name"] for r in sheet if r["status"] == s] for s in
                 ("present", "excused", "absent", "attending_nonmember")}
    doc = OfficialDoc(store, title=f"{m['title']}纪要", draft=draft)
    kind = kind_of(m["kind"])
    if kind.matters:
        matters = store.receptions.outcomes(meeting_id)
        doc.para(_reception_opening(store, m, by_status["present"], matters))
        if matters:
            doc.heading("一、群众反映事项及处理情况")
            _matters(doc, matters)
        doc.blank()
        empty = "无" if m["status"] == "held" else "（会后据签到登记）"
        doc.labelled("值班代表", by_status["present"], empty=empty)
        doc.sign(issued_date(store, "minutes", meeting_id))
        return doc
    doc.para(f"{when_text(m)}，{m['title']}在{m['place'] or '本街道'}召开。" + (m.get("summary") or ""))
    if kind.quorum == "majority" and m["status"] == "held":
        q = store.attendance.quorum(meeting_id)
        doc.para(f"全体议事代表{q['total']}名，实到{q['present']}名，"
                 f"{'超过半数，符合召开要求' if q['met'] else '未超过半数，不符合召开要求'}。")
    section = 0
    if m["agenda_list"]:
        section += 1
        doc.heading(f"{chinese_number(section)}、会议议程")
        for i, item in enumerate(m["agenda_list"], 1):
            doc.para(f"{i}.{item}")
    decisions = [line.strip() for line in (m.get("decisions") or "").splitlines() if line.strip()]
    if decisions:
        section += 1
        doc.heading(f"{chinese_number(section)}、议定事项")
        for line in decisions:
            doc.para(line)
    talks = [d for d in store.discussions.list(meeting_id) if d.get("points")] if kind.discussions else []
    if talks:
        section += 1
        doc.heading(f"{chinese_number(section)}、分组讨论情况")
        for i, d in enumerate(talks, 1):
            # (inside these brackets a room's own bracketed other name is left out: no （…（…）…）)
            where = "，".join(x for x in (d.get("room_name") and f"在{d['room_name'].split('（')[0]}",
                                           d.get("convener_name") and f"召集人{d['convener_name']}") if x)
            doc.lead_in(f"（{chinese_number(i)}）{d['group_name'] or ''}{('（' + where + '）') if where else ''}。",
                        d["points"].strip().rstrip("。") + "。")
    raised = store.discussions.opinions(meeting_id)
    if raised:
        section += 1
        doc.heading(f"{chinese_number(section)}、会中汇总的意见建议")
        doc.para(f"会上共汇总意见建议{len(raised)}条，已登记进意见建议台账：")
        for i, o in enumerate(raised, 1):
            doc.para(f"{i}.{o['title'].rstrip('。')}" + (f"（{o['delegate_name']}）" if o.get("delegate_name") else "") + "。")
    votes = store.attendance.votes(meeting_id) if kind.votes else []
    if votes:
        section += 1
        doc.heading(f"{chinese_number(section)}、民生实事项目票决结果")
        present = store.attendance.quorum(meeting_id)["present"]
        returned = max(v["votes_for"] + v["votes_against"] + v["votes_abstain"] for v in votes)
        doc.para(f"本次票决发出表决票{present}张，收回{returned}张。")
        for i, v in enumerate(votes, 1):
            doc.lead_in(f"（{chinese_number(i)}）{v['item']}。",
                        f"赞成{v['votes_for']}票，反对{v['votes_against']}票，弃权{v['votes_abstain']}票，{v['result']}。")
    if m["action_items"]:
        section += 1
        doc.heading(f"{chinese_number(section)}、落实事项及责任分工")
        for i, item in enumerate(m["action_items"], 1):
            detail = _action_detail(store, item)
            doc.lead_in(f"（{chinese_number(i)}）{item['content'].rstrip('。')}。", detail + "。" if detail else "")
    doc.blank()
    empty = "无" if m["status"] == "held" else "（会后据签到登记）"
    # a meeting without a sign-in list (one an office held before the desk): its figures, not "无"
    counts = store.attendance.summary(meeting_id)
    figures = (store.attendance.figures(meeting_id) or {}) if counts["counted"] else {}

    def told(key: str) -> str:
        return f"{figures[key]}人" if figures.get(key) is not None else empty

    doc.labelled("出席", by_status["present"], empty=told("count_present"))
    doc.labelled("请假", by_status["excused"], empty=told("count_excused"))
    if by_status["absent"] or figures.get("count_absent"):
        doc.labelled("缺席", by_status["absent"], empty=told("count_absent"))
    doc.labelled("列席", _guests(store, sheet), empty=told("count_guests"))
    doc.sign(issued_date(store, "minutes", meeting_id))
    return doc


def minutes(store, meeting_id: str, path: Path | str, *, draft: bool = False) -> Path:
    return minutes_doc(store, meeting_id, draft=draft).build(path)


def notice(store, meeting_id: str, path: Path | str) -> Path:
    m = store.meetings.detail(meeting_id)
    departments = store.departments.full_names(m["departments_list"])
    who = audience(m)
    doc = OfficialDoc(store, title=f"关于召开{m['title']}的通知", sent_out=True,
                      doc_number=store.issued_docs.number("meeting_notice", meeting_id))
    doc.addressee([who, *departments])
    doc.para(f"经研究，定于{when_text(m)}召开{m['title']}。现将有关事项通知如下：")
    doc.heading("一、会议时间")
    doc.para(when_text(m) + "。")
    doc.heading("二、会议地点")
    doc.para((m["place"] or "另行通知") + "。")
    section = 2
    if m["agenda_list"]:
        section += 1
        doc.heading(f"{chinese_number(section)}、会议议程")
        for i, item in enumerate(m["agenda_list"], 1):
            doc.para(f"（{chinese_number(i)}）{item.rstrip('。；;')}。")
    section += 1
    doc.heading(f"{chinese_number(section)}、参加人员")
    doc.para(who + (f"；{'、'.join(departments)}各派1名负责同志列席" if departments else "") + "。")
    section += 1
    doc.heading(f"{chinese_number(section)}、有关要求")
    doc.para("请参会人员提前15分钟到场签到，无特殊情况不得请假；确需请假的，请提前向人大街道工委说明。"
             + ("请有关部门结合会议议题做好情况说明准备。" if departments else ""))
    doc.sign(issued_date(store, "meeting_notice", meeting_id))
    return doc.build(path)


def signin(store, meeting_id: str, path: Path | str) -> Path:
    m = store.meetings.detail(meeting_id)
    sheet = [r for r in store.attendance.sheet(meeting_id) if r["expected"]]
    head = [Cell(h, head=True) for h in ("序号", "姓名", "所在村（社区）", "小组职务", "签到", "备注")]
    roles = {"leader": "组长", "deputy_leader": "副组长"}
    rows = [[Cell(str(i)), Cell(r["name"]), Cell(r.get("community_name") or ""),
             Cell(roles.get(r.get("group_role"), "")), Cell(), Cell()] for i, r in enumerate(sheet, 1)]
    rows += [[Cell() for _ in range(6)] for _ in range(3)]  # blank lines for walk-ins and 列席
    table = TableSpec([head] + rows, [14 * mm, 26 * mm, 38 * mm, 22 * mm, 32 * mm, 24 * mm], header_rows=1,
                      grid=0.6, row_height=9 * mm)
    doc = OfficialDoc(store, title=f"{m['title']}签到表")
    doc.para(f"时间：{when_text(m)}　地点：{m['place'] or '—'}", first_indent=0)
    doc.table(table)
    return doc.build(path)


STATE_COLOURS, STATE_LABELS = STEP_COLOURS, STEP_STATES


def _short_day(iso: str) -> str:
    """7月15日 (the year is the chart's own); a stored value that is not a date, shown marked."""
    day = as_day(iso)
    return f"{day.month}月{day.day}日" if day else chinese_date(iso)


def flowchart_content(store, meeting_id: str, today: date | None = None) -> dict:
    """What the flowchart shows: its title and dates, the steps of each phase with their owner and
    progress (a label and its colour), the legend and the office."""
    m = store.meetings.detail(meeting_id, today)
    phases = []
    for phase, label in (("pre", "会前"), ("in", "会中"), ("post", "会后")):
        steps = []
        for step in [s for s in m["steps"] if s["phase"] == phase]:
            status = STATE_LABELS[step["state"]]
            if step["done_on"]:
                status += f" {_short_day(step['done_on'])}"
            elif step["due_date"]:
                status += f"（期限 {_short_day(step['due_date'])}）"
            steps.append({"title": step["title"], "owner": step["owner"] or "", "status": status,
                          "colour": STATE_COLOURS[step["state"]]})
        phases.append((label, steps))
    return {"title": f"{m['title']}工作流程图",
            "dates": f"会议日期：{chinese_date(m['date'])}　　打印日期：{chinese_date((today or date.today()).isoformat())}",
            "phases": phases, "legend": [(label, STATE_COLOURS[state]) for state, label in STATE_LABELS.items()],
            "unit": store.settings.unit()}


def flowchart(store, meeting_id: str, path: Path | str, today: date | None = None) -> Path:
    """The meeting's 会前/会中/会后 flowchart on one A4 landscape page, coloured by progress."""
    use_store_fonts(store)
    chart = flowchart_content(store, meeting_id, today)
    if is_word(path):
        from app.documents.word_drawn import write_flowchart

        return write_flowchart(path, chart)
    width, height = landscape(A4)
    with atomic_path(path) as temp:
        c = pdf_canvas.Canvas(str(temp), pagesize=(width, height), initialFontName=FONT_NAMES["song"])
        stamp(c, title=chart["title"], author=chart["unit"])
        c.setFont(FONT_NAMES["title"], 20)
        c.drawCentredString(width / 2, height - 22 * mm, chart["title"])
        c.setFont(FONT_NAMES["fangsong"], 12)
        c.drawCentredString(width / 2, height - 30 * mm, chart["dates"])
        col_w = (width - 40 * mm) / 3
        top = height - 42 * mm
        box_h, gap_y = 15 * mm, 7 * mm
        previous = None
        for index, (label, steps) in enumerate(chart["phases"]):
            x = 20 * mm + index * col_w
            c.setFillColor(colors.HexColor("#b22222"))
            c.roundRect(x + 6 * mm, top - 10 * mm, col_w - 12 * mm, 10 * mm, 3 * mm, fill=1, stroke=0)
            c.setFillColor(colors.white)
            c.setFont(FONT_NAMES["hei"], 14)
            c.drawCentredString(x + col_w / 2, top - 7 * mm, label)
            y = top - 16 * mm
            for step in steps:
                colour = colors.HexColor(step["colour"])
                bx, by, bw = x + 10 * mm, y - box_h, col_w - 20 * mm
                c.setStrokeColor(colour)
                c.setLineWidth(1.6)
                c.setFillColor(colors.white)
                c.roundRect(bx, by, bw, box_h, 2.5 * mm, fill=1, stroke=1)
                c.setFillColor(colour)
                c.rect(bx, by, 2.2 * mm, box_h, fill=1, stroke=0)
                c.setFillColor(colors.black)
                c.setFont(FONT_NAMES["hei"], 11)
                c.drawString(bx + 4.5 * mm, by + box_h - 6 * mm, step["title"])
                c.setFont(FONT_NAMES["fangsong"], 8.5)
                c.setFillColor(colour)
                c.drawString(bx + 4.5 * mm, by + 3.2 * mm, step["status"])
                c.setFillColor(colors.HexColor("#555555"))
                c.drawRightString(bx + bw - 2 * mm, by + box_h - 6 * mm, step["owner"])
                if previous is not None:
                    _arrow(c, previous, (bx + bw / 2, by + box_h))
                previous = (bx + bw / 2, by)
                y -= box_h + gap_y
        # legend
        c.setFont(FONT_NAMES["fangsong"], 10)
        lx = 20 * mm
        for label, colour in chart["legend"]:
            c.setFillColor(colors.HexColor(colour))
            c.rect(lx, 12 * mm, 4 * mm, 4 * mm, fill=1, stroke=0)
            c.setFillColor(colors.black)
            c.drawString(lx + 6 * mm, 12.6 * mm, label)
            lx += 30 * mm
        c.drawRightString(width - 20 * mm, 12.6 * mm, chart["unit"])
        c.showPage()
        c.save()
    return Path(path)


def _arrow(c, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A connector from the bottom of one box to the top of the next (bends between columns)."""
    (x0, y0), (x1, y1) = start, end
    c.setStrokeColor(colors.HexColor("#607d8b"))
    c.setLineWidth(1)
    if abs(x0 - x1) < 1:
        c.line(x0, y0, x1, y1 + 1.5 * mm)
    else:
        mid = y0 - 3 * mm
        path = c.beginPath()
        path.moveTo(x0, y0)
        path.lineTo(x0, mid)
        path.lineTo((x0 + x1) / 2, mid)
        path.lineTo((x0 + x1) / 2, y1 + 5 * mm)
        path.lineTo(x1, y1 + 5 * mm)
        path.lineTo(x1, y1 + 1.5 * mm)
        c.drawPath(path, stroke=1, fill=0)
    c.setFillColor(colors.HexColor("#607d8b"))
    head = c.beginPath()
    head.moveTo(x1, y1)
    head.lineTo(x1 - 1.5 * mm, y1 + 2 * mm)
    head.lineTo(x1 + 1.5 * mm, y1 + 2 * mm)
    head.close()
    c.drawPath(head, stroke=0, fill=1)


BRIEF_DISTRIBUTION = (("报", "brief_report_to", "区人大常委会"), ("送", "brief_send_to", "街道党工委、街道办事处"),
                      ("发", "brief_issue_to", "各议事小组、各村（社区）"))


def _headline(m: dict, topics: list[str]) -> str:
    kind = kind_of(m["kind"])
    if kind.matters:
        return f"{m['place'] or '邻里议事堂'}开展{int(m['date'][5:7])}月{kind.label}活动"
    if kind.scope == "group" and topics:
        return f"{m.get('group_name') or ''}就“{topics[0]}”开展集中议事"
    return m["title"]


def brief(store, meeting_id: str, path: Path | str) -> Path:
    """工作简报 of one activity, in a 简报's own form: 报头 (工作简报, 第N期 of the year, 编印单位,
    date, red rule), a headline, what the records hold of it — who came (signed in), what was
    deliberated and agreed, or on a reception day who came and what became of each matter — the
    photos taken on or before its date in their order, and 报/送/发 at the foot."""
    m = store.meetings.detail(meeting_id)
    if m["status"] != "held":
        raise ConflictError(f"“{m['title']}”{_not_held(m)}，不能编写工作简报")
    dated = issued_date(store, "brief", meeting_id)
    issue = store.issued_docs.number("brief", meeting_id) or ""
    sheet = store.attendance.sheet(meeting_id)
    present = [r["name"] for r in sheet if r["status"] == "present"]
    topics = store.topics.titles_of_meeting(meeting_id)
    editor = store.settings.get("site_name") or store.settings.unit()
    doc = OfficialDoc(store, title=_headline(m, topics),
                      bulletin={"name": "工作简报", "issue": issue, "editor": editor, "dated": dated})
    kind = kind_of(m["kind"])
    if kind.matters:
        matters = store.receptions.outcomes(meeting_id)
        doc.para(_reception_opening(store, m, present, matters))
        if matters:
            doc.heading("一、群众反映事项及处理情况")
            _matters(doc, matters)
    else:
        counts = store.attendance.summary(meeting_id)
        units = _attending_units(store, meeting_id)
        expected = counts["expected"]  # (a meeting without a sign-in list: 应到 as recorded)
        who = f"应到议事代表{expected}名，实到{counts['present']}名" + (
            f"（请假{counts['excused']}名）" if counts["excused"] else "")
        came = f"；{'、'.join(units)}派员列席" if units else ""
        doc.para(f"{chinese_date(m['date'])}{_day_part(m)}，{m['title']}在{m['place'] or '议事阵地'}举行。"
                 f"{who}{came}。")
        section = 0
        summary = (m.get("summary") or "").strip()
        if summary or topics or m["agenda_list"]:
            section += 1
            doc.heading(f"{chinese_number(section)}、议事情况")
            if summary:
                doc.para(summary)
            else:
                listed = "；".join(i.rstrip("。；;") for i in (topics or m["agenda_list"]))
                doc.para(f"会议围绕{listed}开展议事。")
        votes = store.attendance.votes(meeting_id) if kind.votes else []
        if votes:
            section += 1
            doc.heading(f"{chinese_number(section)}、民生实事项目票决")
            passed = [v["item"] for v in votes if v["passed"]]
            doc.para(f"会议票决民生实事项目{len(votes)}项，" + (f"“{'”“'.join(passed)}”获得通过。" if passed
                                                           else "均未获得通过。"))
        decisions = [line.strip() for line in (m.get("decisions") or "").splitlines() if line.strip()]
        if decisions or m["action_items"]:
            section += 1
            doc.heading(f"{chinese_number(section)}、议定事项")
            for line in decisions:
                doc.para(line)
            for number, item in enumerate(m["action_items"], 1):
                detail = _action_detail(store, item)
                doc.lead_in(f"（{chinese_number(number)}）{item['content'].rstrip('。')}。", detail + "。" if detail else "")
    photos = _photos_by(store, meeting_id, dated)
    if photos:
        doc.heading("活动照片" if kind.matters else f"{chinese_number(section + 1)}、活动照片")
        cells = [Cell(f"{photo['title']}（{chinese_date(photo['taken_on'])}）" if photo.get("taken_on")
                      else photo["title"], centre=True, image=photo["path"]) for photo in photos]
        rows = [[cells[i], cells[i + 1] if i + 1 < len(cells) else Cell()] for i in range(0, len(cells), 2)]
        doc.table(TableSpec(rows, [78 * mm, 78 * mm], grid=None, valign="TOP", centre=True,
                            image_box=(74 * mm, 52 * mm)))
    doc.distribution([(label, store.settings.get(key) or default) for label, key, default in BRIEF_DISTRIBUTION])
    return doc.build(path)


def _photos_by(store, meeting_id: str, dated: str) -> list[dict]:
    """Up to four of the meeting's photos taken on or before the brief's date, in the order taken; a
    photo whose file is gone or spoilt is left out (the clerk is told), never the brief."""
    photos: list[dict] = []
    rows = sorted((r for r in store.meetings.materials(meeting_id) if is_photo(r["file_name"])),
                  key=lambda r: (r.get("taken_on") or "", r["title"]))
    for row in rows:
        if len(photos) == 4:
            break
        if row.get("taken_on") and row["taken_on"] > dated:
            continue  # taken after the brief's date: not in it
        problem = unprintable(store, row)
        if problem:
            note(f"照片“{row['title']}”（{row['file_name']}）{problem}，工作简报中没有放这张照片")
        else:
            photos.append(row)
    return photos
