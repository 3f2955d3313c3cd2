"""The meetings an office held before the desk, from its own list (kind, date, place, title,
attendance figures, minutes), and the desk's own 议事活动登记台账 back as updates.

A meeting is named by its kind, date and title (a row without a title: the title the desk would give
it, from its kind, date, group and hall), so that a register edited in Excel finds its meetings again.
Attendance comes as figures (应到/实到/请假/缺席/列席), not names: they are kept on the meeting as given
(m026) and read only where the meeting has no sign-in list; a meeting that has one keeps it, and figures
that disagree with it are told, not written. A place the desk does not know as a hall (and room) is
kept in the meeting's notes, told as a warning: the hall's level cannot be guessed from its name.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, timedelta
from datetime import time as dt_time

from app.common.textutil import clean
from app.rules.codes import MEETING_STATUSES, SUBJECTS
from app.rules.fields import names_of, today
from app.rules.meeting_kinds import MeetingKind, kind_mentioned, kind_named, kinds
from app.services.attendance import COUNT_FIELDS, FIGURE_WORDS, FIGURES
from app.workbooks.bring_in import Context, ImportKind, Outcome, RowRefused, changes_of
from app.workbooks.places_in import GROUP, choice, group_id, groups_by_name
from app.workbooks.tabular import Field, SourceRow, as_text, split_names

# how offices write a meeting's state, beyond the desk's own labels
STATUS_WORDS = {"计划中": "planned", "未召开": "planned", "待召开": "planned", "拟召开": "planned",
                "已开": "held", "召开": "held", "已举行": "held", "已开展": "held", "已完成": "held",
                "取消": "cancelled"}
# 出席情况 as the register writes it (出席10 请假1 缺席1 列席2) or as clerks do (应到12人，实到10人)
_FIGURE = re.compile(r"(应到|应出席|应参会|实到|出席|到会|参会|请假|缺席|列席)\s*[:：]?\s*(\d+)\s*[人名]?")
_FIGURE_OF = {"应到": "count_expected", "应出席": "count_expected", "应参会": "count_expected",
              "实到": "count_present", "出席": "count_present", "到会": "count_present", "参会": "count_present",
              "请假": "count_excused", "缺席": "count_absent", "列席": "count_guests"}
_TIME = re.compile(r"^(\d{1,2})[:：.](\d{2})(?::\d{2})?(?:\s*[—–\-~～至到]+\s*(\d{1,2})[:：.](\d{2})(?::\d{2})?)?$")
_PLACE_ROOM = re.compile(r"^(.+?)\s*[（(](.+)[）)]$")  # 议事中心（第一会议室（大会议室））
PLACE_NOTE = "地点："  # the notes line keeping a place that is not one of the office's halls

LABELS = {"kind": "会议类型", "title": "会议名称", "date": "日期", "start_time": "开始时间", "end_time": "结束时间",
          "venue_id": "地点", "room_id": "会议室", "group_id": "议事小组", "status": "状态", "scope": "参加人员",
          "agenda": "会议议程", "departments": "邀请部门", "visitors": "接待群众人数", "summary": "会议概况",
          "decisions": "议定事项", "notes": "备注", "subject": "议事事项类型", "count_expected": "应到人数",
          "count_present": "出席人数", "count_excused": "请假人数", "count_absent": "缺席人数",
          "count_guests": "列席人数"}


def _prose(value) -> str:
    """Minutes as typed: each line trimmed, the line breaks kept (clean() would join them)."""
    text = value if isinstance(value, str) else as_text(value)
    return "\n".join(clean(line) for line in text.splitlines()).strip()


def times(value) -> tuple[str | None, str | None] | None:
    """(start, end) from 09:00—11:30, 9:00-11:30, 14:30 (an Excel time too); None when the cell says
    something else."""
    if isinstance(value, dt_time):
        return value.strftime("%H:%M"), None
    text = unicodedata.normalize("NFKC", as_text(value)).replace(" ", "")
    if not text:
        return None, None
    found = _TIME.match(text)
    if not found:
        return None
    h1, m1, h2, m2 = found.groups()
    start = f"{int(h1):02d}:{m1}"
    end = f"{int(h2):02d}:{m2}" if h2 else None
    if int(h1) > 23 or int(m1) > 59 or (h2 and (int(h2) > 23 or int(m2) > 59)):
        return None
    return start, end


def figures_of(text: str) -> dict[str, int]:
    """The figures a 出席情况 cell gives (field -> number)."""
    out: dict[str, int] = {}
    for word, number in _FIGURE.findall(unicodedata.normalize("NFKC", text)):
        out.setdefault(_FIGURE_OF[word], int(number))
    return out


def _venues(store) -> dict[str, dict]:
    """Hall name -> its id and rooms (room name -> id)."""
    out = {v["name"]: {"id": v["id"], "name": v["name"], "rooms": {}} for v in store.venues.list()}
    by_id = {v["id"]: v for v in out.values()}
    for room in store.rows("SELECT id, name, venue_id FROM rooms WHERE deleted = 0"):
        if room["venue_id"] in by_id:
            by_id[room["venue_id"]]["rooms"][room["name"]] = room["id"]
    return out


class MeetingsKind(ImportKind):
    name = "meetings"
    noun = "议事活动"
    unit = "次"
    sample = "议事活动登记.xlsx"
    fields = (
        Field("kind", "会议类型", ("会议类型", "类型", "活动类型", "议事类型", "会议类别", "活动类别", "类别",
                                "活动形式", "会议形式"), identity=True),
        Field("date", "日期", ("日期", "会议日期", "活动日期", "召开日期", "开会日期", "活动时间", "会议时间",
                             "召开时间"), identity=True),
        Field("time", "时间", ("时间", "起止时间", "时段")),
        Field("title", "会议名称", ("会议名称", "活动名称", "名称", "会议主题", "活动主题", "主题", "议题", "标题"),
              identity=True),
        Field("group", "议事小组", GROUP),
        Field("place", "地点", ("地点", "会议地点", "活动地点", "召开地点", "场所", "会场", "议事阵地", "阵地")),
        Field("room", "会议室", ("会议室", "议事室", "房间")),
        Field("subject", "议事事项类型", ("议事事项类型", "事项类型")),
        Field("agenda", "会议议程", ("议程", "会议议程")),
        Field("departments", "邀请部门", ("邀请部门", "参会部门", "列席部门", "列席单位", "参会单位", "邀请单位")),
        Field("attendance", "出席情况", ("出席情况", "参会情况", "出勤情况", "到会情况", "参加情况")),
        Field("count_expected", "应到人数", ("应到人数", "应到", "应参会人数", "应出席人数", "应到代表")),
        Field("count_present", "出席人数", ("出席人数", "实到人数", "实到", "参会人数", "实际参会人数", "到会人数",
                                        "参加人数", "实到代表")),
        Field("count_excused", "请假人数", ("请假人数", "请假")),
        Field("count_absent", "缺席人数", ("缺席人数", "缺席")),
        Field("count_guests", "列席人数", ("列席人数", "列席人员人数")),
        Field("visitors", "接待群众人数", ("接待群众人数", "接待人数", "来访群众人数", "接待群众")),
        Field("summary", "会议概况", ("会议纪要", "会议概况", "会议记录", "纪要", "主要内容", "会议内容", "活动内容",
                                  "会议情况", "活动情况")),
        Field("decisions", "议定事项", ("议定事项", "会议决定", "决定事项", "形成决议")),
        Field("status", "状态", ("状态", "召开情况", "是否召开", "会议状态")),
        Field("notes", "备注", ("备注",)),
    )

    # -- what names a row -----------------------------------------------------------------------
    def _kind(self, row: SourceRow) -> MeetingKind:
        typed = row.text("kind")
        found = kind_named(typed) if typed else kind_mentioned(row.text("title"))
        if found is None:
            if typed:
                raise RowRefused(f"“会议类型”“{typed}”不在可选值中（{'、'.join(k.label for k in kinds())}）", "kind")
            raise RowRefused("会议类型为空（会议名称中也看不出）", "kind")
        return found

    def _day(self, row: SourceRow) -> date:
        # a list whose only 时间 column holds the day (2025年3月5日 14:30): that is the date
        key = "time" if "date" not in row.values and "time" in row.values else "date"
        day = row.day(key, "日期" if key == "date" else "时间")
        if day is None:
            raise RowRefused("日期为空", key)
        return day

    @staticmethod
    def _hall_text(row: SourceRow) -> str:
        text = row.text("place")
        split = _PLACE_ROOM.match(text)
        return split.group(1) if split and not row.text("room") else text

    def _key(self, row: SourceRow) -> tuple[MeetingKind, date, str]:
        kind, day = self._kind(row), self._day(row)
        title = row.text("title") or kind.default_title(day, row.text("group"), self._hall_text(row))
        return kind, day, title

    def identity(self, row):
        kind, day, title = self._key(row)
        return (kind.code, day.isoformat(), title)

    def label(self, row):
        return row.text("title") or f"{as_text(row.values.get('date'))}{row.text('kind')}"

    def stored(self, store):
        return {(m["kind"], m["date"], m["title"]): f"{m['date']} {m['title']}" for m in store.rows(
            "SELECT kind, date, title FROM meetings WHERE deleted = 0 ORDER BY date, title")}

    # -- the row's meeting ------------------------------------------------------------------------
    def apply(self, store, tx, ctx, row):
        kind, day, title = self._key(row)
        warnings: list[str] = []
        meetings = ctx.cache("meetings", lambda: {(m["kind"], m["date"], m["title"]): m for m in store.rows(
            "SELECT * FROM meetings WHERE deleted = 0")})
        current = meetings.get((kind.code, day.isoformat(), title))
        wanted: dict = {}
        self._when(row, wanted, warnings)
        place_note = self._place(ctx, row, wanted, warnings)
        self._group(tx, ctx, row, kind, title, wanted)
        if "subject" in row.values:
            wanted["subject"] = _choice(row, "subject", SUBJECTS, "议事事项类型")
        if "agenda" in row.values:
            items = [clean(i) for i in re.split(r"[；;\n]+", as_text(row.values.get("agenda")).replace("\r", "\n"))]
            wanted["agenda"] = "\n".join(i for i in items if i) or None
            if current is not None and _lines(current.get("agenda")) == [i for i in items if i]:
                wanted["agenda"] = current.get("agenda")
        if "departments" in row.values:
            wanted["departments"] = self._departments(ctx, row, current, warnings)
        if "visitors" in row.values:
            wanted["visitors"] = row.int("visitors", "接待群众人数")
            if wanted["visitors"] and day > today():  # (asked here so that the refusal names its cell)
                raise RowRefused(f"会议日期 {day.isoformat()} 在今天之后，还不能登记接待人数", "visitors")
        for key in ("summary", "decisions"):
            if key in row.values:
                wanted[key] = _prose(row.values.get(key)) or None
                if wanted[key] and day > today():
                    raise RowRefused(f"会议日期 {day.isoformat()} 在今天之后，还不能登记会议纪要", key)
        if "notes" in row.values or "place" in row.values:
            wanted["notes"] = self._notes(row, current, place_note)
        status = self._status(row)
        figures, source = self._figures(row)
        if figures is not None and day > today() and any(figures.values()):
            key = next(source[k] for k in COUNT_FIELDS if figures.get(k))
            raise RowRefused(f"会议日期 {day.isoformat()} 在今天之后，还不能登记出席人数", key)
        self._counts_agree(figures, source)
        for key, message in kind.required:
            if not (wanted.get(key) if key in wanted else (current or {}).get(key)):
                if key == "venue_id" and place_note:
                    message = f"地点“{place_note}”不是已登记的议事阵地：{message}（请先导入阵地）"
                raise RowRefused(message, {"venue_id": "place", "group_id": "group"}.get(key, key))
        if current is None:
            return self._new(store, tx, ctx, kind, day, title, wanted, status, figures, warnings)
        if status:
            wanted["status"] = status
        signed = store.scalar("SELECT count(*) FROM attendance WHERE meeting_id = ? AND deleted = 0", [current["id"]])
        if figures is not None and signed:
            told = self._against_signin(store, current["id"], figures)
            if told:
                warnings.append(told)
        elif figures is not None:
            wanted.update(figures)
        changed, listed = changes_of(current, wanted, LABELS, self._shown(ctx))
        if changed:
            tx.update("meetings", current["id"], changed)
        return Outcome("update" if changed else "same", listed, warnings)

    def _new(self, store, tx, ctx, kind: MeetingKind, day: date, title: str, wanted: dict, status: str | None,
             figures: dict | None, warnings: list[str]) -> Outcome:
        # A meeting an office lists is held once its day has come, planned before it (the rule book
        # refuses one held in the future).
        status = status or ("held" if day <= today() else "planned")
        new = {"kind": kind.code, "date": day.isoformat(), "title": title, "scope": kind.scope, "status": status,
               **{k: v for k, v in wanted.items() if v is not None}, **(figures or {})}
        meeting_id = tx.insert("meetings", new)
        if status == "planned":  # its flowchart, as the window plans one (a past meeting's steps are history)
            start = today()
            for order, step in enumerate(store.workflows.steps(kind.code), 1):
                due = day + timedelta(days=step["due_offset"] or 0)
                tx.insert("meeting_steps", {"meeting_id": meeting_id, "phase": step["phase"], "title": step["title"],
                                            "owner": step["owner"], "sort_order": order,
                                            "due_date": (max(due, start) if day >= start else due).isoformat()})
        ctx.stage("meetings", (kind.code, day.isoformat(), title), {"id": meeting_id, **new})
        return Outcome("new", [], warnings)

    def _when(self, row: SourceRow, wanted: dict, warnings: list[str]) -> None:
        if "time" not in row.values or "date" not in row.values:
            return
        found = times(row.values.get("time"))
        if found is None:
            warnings.append(f"“时间”“{as_text(row.values.get('time'))}”看不懂（请写成 09:00—11:30），未导入")
            return
        wanted["start_time"], wanted["end_time"] = found

    def _place(self, ctx: Context, row: SourceRow, wanted: dict, warnings: list[str]) -> str:
        """The hall (and room) the place names; the text, when it names none of the office's halls."""
        if "place" not in row.values and "room" not in row.values:
            return ""
        text, room = row.text("place"), row.text("room")
        venues = ctx.cache("venues", lambda: _venues(ctx.store))
        hall, room_id = venues.get(text), None
        if hall is None and text:  # 议事中心（第一会议室）, 议事中心三楼会议室: a hall's name, then one of its rooms
            for name in sorted((n for n in venues if text.startswith(n)), key=len, reverse=True):
                rest = text[len(name):].strip()
                inner = _PLACE_ROOM.match(f"x{rest}") if rest[:1] in "（(" else None
                rest = inner.group(2) if inner else rest
                if (not room or not rest) and (inner or not rest or rest in venues[name]["rooms"]):
                    hall, room = venues[name], room or rest
                    break
        if hall is None and not text and room:
            found = [v for v in venues.values() if room in v["rooms"]]
            hall = found[0] if len(found) == 1 else None
        if room and hall is not None:
            room_id = hall["rooms"].get(room)
            if room_id is None:
                warnings.append(f"“{hall['name']}”没有名为“{room}”的会议室，未导入会议室")
        wanted["venue_id"], wanted["room_id"] = (hall["id"] if hall else None), room_id
        if hall is None and (text or room):
            place = "".join(p for p in (text, room and f"（{room}）") if p)
            warnings.append(f"地点“{place}”不是已登记的议事阵地，记在备注中（请先导入阵地，或在会议中选择地点）")
            return place
        return ""

    def _group(self, tx, ctx: Context, row: SourceRow, kind: MeetingKind, title: str, wanted: dict) -> None:
        name = row.text("group")
        if not name and "group_id" in dict(kind.required):  # 老城小组2025年第一季度议事活动: the group in the title
            groups = ctx.cache("groups", lambda: groups_by_name(ctx.store))
            named = [g for g in groups if g and g in title]
            name = max(named, key=len) if named else ""
        if name or "group" in row.values:
            wanted["group_id"] = group_id(tx, ctx, name)

    def _departments(self, ctx: Context, row: SourceRow, current: dict | None, warnings: list[str]) -> str | None:
        known = ctx.cache("departments", lambda: {n: n for n in ctx.store.departments.names()})
        names = split_names(row.values.get("departments"))
        unknown = [n for n in names if n not in known]
        if unknown:
            warnings.append(f"邀请部门“{'、'.join(unknown)}”不在部门名单中，未导入（请先在设置中添加部门）")
        kept = [n for n in names if n in known]
        if current is not None and names_of(current.get("departments")) == kept:
            return current.get("departments")
        return json.dumps(kept, ensure_ascii=False) if kept else None

    @staticmethod
    def _notes(row: SourceRow, current: dict | None, place: str) -> str | None:
        """The notes as the file has them (or as stored), with the line keeping a place that is none
        of the office's halls: a place the file names replaces the line (a hall known since: none)."""
        notes = row.text("notes") if "notes" in row.values else ((current or {}).get("notes") or "")
        if row.text("place") or place:  # (a blank place, as the register shows a place kept here, keeps it)
            notes = "；".join(part for part in notes.split("；") if part and not part.startswith(PLACE_NOTE))
        if place:
            notes = "；".join(part for part in (notes, f"{PLACE_NOTE}{place}") if part)
        return notes or None

    def _status(self, row: SourceRow) -> str | None:
        text = row.text("status")
        if not text:
            return None
        if text in STATUS_WORDS:
            return STATUS_WORDS[text]
        return _choice(row, "status", MEETING_STATUSES, "状态")

    def _figures(self, row: SourceRow) -> tuple[dict | None, dict[str, str]]:
        """The attendance figures the row gives (field -> number or None), and the column of each;
        None when it has no column for them. All nought (a meeting not yet signed in) is none given."""
        columns = [k for k in COUNT_FIELDS if k in row.values]
        if "attendance" not in row.values and not columns:
            return None, {}
        out: dict[str, int | None] = dict.fromkeys(COUNT_FIELDS)
        source: dict[str, str] = {}
        text = row.text("attendance")
        if text:
            found = figures_of(text)
            if not found and re.fullmatch(r"\d+\s*[人名]?", unicodedata.normalize("NFKC", text)):
                found = {"count_present": int(re.sub(r"\D", "", unicodedata.normalize("NFKC", text)))}  # 参会情况: 12人
            if not found:
                raise RowRefused(f"“出席情况”“{text}”看不懂：请写成“出席10 请假1 缺席1 列席2”或“应到12 实到10”",
                                 "attendance")
            out.update(found)
            source.update(dict.fromkeys(found, "attendance"))
        for key in columns:
            number = row.int(key, LABELS[key])
            if number is not None:
                out[key], source[key] = number, key
        if not any(out.values()):
            return dict.fromkeys(COUNT_FIELDS), source
        return out, source

    @staticmethod
    def _counts_agree(figures: dict | None, source: dict[str, str]) -> None:
        """The rule book's rule, asked first so that the refusal names the cell the figures came from."""
        if not figures or figures.get("count_expected") is None:
            return
        given = {k: figures[k] for k in ("count_present", "count_excused", "count_absent") if figures.get(k) is not None}
        if sum(given.values()) > figures["count_expected"]:
            words = "、".join(f"{FIGURE_WORDS[k]} {n} 人" for k, n in given.items())
            raise RowRefused(f"{words}，多于应到的 {figures['count_expected']} 人", source.get("count_present")
                             or next(iter(source.values())))

    @staticmethod
    def _against_signin(store, meeting_id: str, figures: dict) -> str:
        """A meeting with a sign-in list keeps it: figures that differ are told (the register and the
        statistics read the list)."""
        counts = store.attendance.summary(meeting_id)
        signed = {**{FIGURES[s]: counts[s] for s in FIGURES},
                  "count_expected": counts["present"] + counts["excused"] + counts["absent"]}
        differ = [k for k in COUNT_FIELDS if figures.get(k) is not None and figures[k] != signed[k]]
        if not differ:
            return ""
        told = "、".join(f"{FIGURE_WORDS[k]}{figures[k]}" for k in differ)
        listed = "、".join(f"{FIGURE_WORDS[k]}{signed[k]}" for k in differ)
        return f"这次会议已有签到名单（{listed}），表中的{told}与之不同，未导入：请在会议的签到中修改"

    @staticmethod
    def _shown(ctx: Context):
        statuses, subjects = dict(MEETING_STATUSES), dict(SUBJECTS)

        def show(key, value):
            if value is None:
                return ""
            if key == "venue_id":
                venues = ctx.cache("venues", lambda: _venues(ctx.store))
                return next((v["name"] for v in venues.values() if v["id"] == value), str(value))
            if key == "room_id":
                venues = ctx.cache("venues", lambda: _venues(ctx.store))
                return next((r for v in venues.values() for r, i in v["rooms"].items() if i == value), str(value))
            if key == "group_id":
                groups = ctx.cache("groups", lambda: groups_by_name(ctx.store))
                return next((name for name, g in groups.items() if g["id"] == value), str(value))
            if key == "status":
                return statuses.get(value, str(value))
            if key == "subject":
                return subjects.get(value, str(value))
            if key == "departments":
                return "、".join(names_of(value))
            if key == "agenda":
                return "；".join(_lines(value))
            return str(value)

        return show


def _choice(row: SourceRow, key: str, choices, label: str) -> str | None:
    """A closed list's code from the cell; a refusal names the cell."""
    try:
        return choice(row.values.get(key), choices, label)
    except RowRefused as exc:
        exc.key = key
        raise


def _lines(value) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]

