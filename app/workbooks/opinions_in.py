"""The opinion ledger (意见建议办理台账) as offices kept it in Excel, and the desk's own ledger register
back as an update.

A row names its opinion by the desk's 编号 (YJ2025-0001, or the office's own 2025-001); a 序号 or a
bare number is a row number, not an identity, and a file without 编号 names each opinion by its
received day, delegate and content. The row's 办理进度 in the clerk's words (待集中议事, 已交办,
办理中, 已办结, 已反馈, 不予采纳…) says which step it reached; the rule book asks the dates that step
needs. Where the file gives no date for a step the state needs (most offices never wrote down the
交办 or 办结 day), the nearest earlier date the row does give stands in for it and the row says so
in a warning: steps stay in order and never in the future, and the clerk sees which dates are the
file's own. A re-import never takes a step back and never clears a recorded date. Each step a new
or advanced opinion reaches is written to its history (opinion_events) as the window would, since
the clocks, the statistics and the opinion window read it.

What the office needs first: its delegates (the roster import, which brings their communities and
groups too), since a row's 收集代表 must be one of them (a name the roster lacks refuses the row:
guessing would file the opinion under nobody). A 承办单位 is matched to a department by its short or
official name, or to a community (社区居委会 is the row's own community); one the office does not
list is added to its departments with a warning, so that later steps can choose it again. An
unknown community is created, as the grids import does.
"""

from __future__ import annotations

import json
import re
from datetime import date

from app.common.textutil import clean
from app.rules.book import OPINION_LABELS
from app.rules.codes import CATEGORIES, DEPARTMENT_DUTY, OPINION_STATUSES, SATISFACTION, SELF_GOVERNANCE, SUBDISTRICT_DUTY
from app.rules.codes import OPINION_SOURCES as SOURCES
from app.rules.meeting_kinds import RECEPTION
from app.workbooks.bring_in import Context, ImportKind, Outcome, RowRefused, changes_of
from app.workbooks.places_in import COMMUNITY, community_id
from app.workbooks.tabular import Field, SourceRow, as_text, split_names

TITLE_MAX = 60  # a title cut from a long content (as the window's intake does)
# json.dumps(value, ensure_ascii=False), its encoder made once (not one per value written)
_json = json.JSONEncoder(ensure_ascii=False).encode

# The clerk's words for each state, beside the desk's own labels (read first) and codes.
STATUS_WORDS = {
    "collected": ("已收集", "收集", "待上报", "已上报", "待确定议题", "待处理", "已登记", "登记"),
    "topic": ("已列入议题", "列入议题", "待集中议事", "待议事", "已确定议题", "议题"),
    "deliberated": ("已集中议事", "集中议事", "待交办", "已议事"),
    "declined": ("未采纳", "不予采纳", "不采纳", "已不予采纳", "未予采纳"),
    "assigned": ("办理中", "已交办", "交办", "在办", "正在办理", "承办中"),
    "returned": ("已退办", "退办", "退回"),
    "answered": ("已办结待反馈", "待反馈", "已答复", "已办理", "办结待反馈"),
    "fed_back": ("已反馈", "反馈", "已回复"),
    "closed": ("已办结", "办结", "已归档", "办结归档", "已完成"),
}
# How far along the chain each state is: an import moves an opinion forward only.
RANK = {"collected": 0, "topic": 1, "deliberated": 2, "declined": 2, "assigned": 3, "returned": 3,
        "answered": 4, "fed_back": 5, "closed": 6}
SOURCE_WORDS = {
    "grid_visit": ("网格走访", "走访", "入户走访", "走访调研", "网格", "代表走访"),
    RECEPTION: ("接待日", "接待", "代表接待", "接待日活动", "接待群众"),
    "meeting": ("会议", "议事代表大会", "代表大会", "分组活动", "小组活动", "座谈会", "议事会", "议事活动"),
    "phone": ("电话", "热线", "12345", "来电"),
    "letter": ("来信", "信件", "来信来访", "书面"),
}
CATEGORY_WORDS = {
    SELF_GOVERNANCE: ("社区自治事项", "社区自治", "社区", "村", "自治", "村(社区)自治事项", "村社区自治事项"),
    SUBDISTRICT_DUTY: ("街道职责事项", "街道职责", "街道"),
    DEPARTMENT_DUTY: ("部门职责事项", "部门职责", "部门"),
}
SATISFACTION_WORDS = {"满意": ("满意", "非常满意", "很满意"), "基本满意": ("基本满意", "较满意", "比较满意"),
                      "不满意": ("不满意",), "未表态": ("未表态", "未评价", "无", "未反馈意见")}
GENERIC_UNITS = ("社区居委会", "居委会", "村委会", "村居委会", "社区", "村(社区)")
DECLINED_PREFIX = re.compile(r"^(未采纳|不予采纳)[：:]\s*")

# The chain of step dates in order; a missing one takes the nearest earlier one the row has.
CHAIN = ("received_on", "reported_on", "assigned_on", "answered_on", "feedback_delegate_on", "closed_on")
STATUS_NEEDS = {"assigned": ("assigned_on",), "returned": ("assigned_on",),
                "answered": ("assigned_on", "answered_on"),
                "fed_back": ("assigned_on", "answered_on", "feedback_delegate_on"),
                "closed": ("assigned_on", "answered_on", "feedback_delegate_on", "closed_on")}
# the dates a state may carry (a date of a later step than the state reached is left out)
STATUS_DATES = {"collected": ("received_on", "reported_on"), "topic": ("received_on", "reported_on"),
                "deliberated": ("received_on", "reported_on"), "declined": ("received_on", "reported_on")}

LABELS = {"serial": "编号", "received_on": "收集日期", "source": "来源", "delegate_id": "收集代表",
          "group_id": "议事小组", "community_id": "所在村（社区）", "title": "意见建议", "content": "具体内容",
          "category": "类别", "lead_unit": "承办单位", "co_units": "协办单位", "deadline": "办理期限",
          "status": "办理进度", "result": "办理结果", "decline_reason": "不予采纳理由", "satisfaction": "满意度",
          "working_days": "办理期限（工作日）", **OPINION_LABELS, "feedback_delegate_on": "反馈日期"}


_NORMED: dict[str, str] = {}  # text -> as compared (a file's few words, row after row)
_BLANKS = re.compile(r"\s+")


def _norm(text) -> str:
    found = _NORMED.get(text) if type(text) is str else None
    if found is None:
        found = _BLANKS.sub("", clean(text)).replace("（", "(").replace("）", ")")
        if type(text) is str:
            if len(_NORMED) > 20000:
                _NORMED.clear()
            _NORMED[text] = found
    return found


_SPELLED: dict[int, dict[str, str]] = {}  # id(words) -> every spelling -> code (built once)


def _word(value, words: dict[str, tuple[str, ...]], labels: tuple, label: str, key: str) -> str | None:
    """A closed list's code from the desk's label, its code, or a clerk's word for it."""
    if value is None or value == "":
        return None
    text = _norm(value)
    if not text:
        return None
    spelled = _SPELLED.get(id(words))
    if spelled is None:
        spelled = {_norm(w): code for code, ws in reversed(words.items()) for w in ws}
        spelled.update({_norm(shown): code for code, shown in labels} | {code: code for code, _ in labels})
        _SPELLED[id(words)] = spelled
    if text in spelled:
        return spelled[text]
    allowed = "、".join(shown for _, shown in labels)
    raise RowRefused(f"“{label}”“{clean(value)}”看不懂（可写：{allowed}）", key)


class OpinionsKind(ImportKind):
    name = "opinions"
    noun = "意见建议"
    unit = "条"
    sample = "意见建议台账.xlsx"
    fields = (
        Field("serial", "编号", ("编号", "意见编号", "台账编号", "登记编号", "意见建议编号"), identity=True),
        Field("received_on", "收集日期", ("收集日期", "收集时间", "受理日期", "登记日期", "收到日期", "提出日期",
                                      "反映日期", "反映时间"), identity=True),
        Field("source", "来源", ("来源", "意见来源", "收集方式", "收集渠道", "来源渠道")),
        Field("delegate", "收集代表", ("收集代表", "提出代表", "反映代表", "代表姓名", "议事代表", "代表")),
        Field("group", "议事小组", ("议事小组", "所在小组", "所属小组", "所属议事小组", "小组")),
        Field("community", "所在村（社区）", COMMUNITY),
        Field("title", "意见建议", ("意见建议", "事项", "意见建议事项", "意见建议标题", "标题", "反映问题"),
              identity=True),
        Field("content", "具体内容", ("具体内容", "意见建议内容", "详细内容", "主要内容", "反映内容", "内容"),
              identity=True),
        Field("category", "类别", ("类别", "事项类别", "事项分类", "分类", "事项性质")),
        Field("units", "承办单位", ("承办单位", "办理单位", "责任单位", "主办单位", "交办单位")),
        Field("co_units", "协办单位", ("协办单位", "配合单位")),
        Field("deadline", "办理期限", ("办理期限", "办理时限", "办结时限", "完成时限", "要求办结时间")),
        Field("status", "办理进度", ("办理进度", "办理状态", "进度", "状态", "办理情况")),
        Field("reported_on", "上报组长日期", ("上报组长日期", "上报日期", "上报时间")),
        Field("assigned_on", "交办日期", ("交办日期", "交办时间")),
        Field("answered_on", "办结日期", ("办结日期", "办结时间", "答复日期", "答复时间", "完成日期")),
        Field("result", "办理结果", ("办理结果", "办理结果及答复", "答复情况", "处理结果", "答复内容")),
        Field("feedback_delegate_on", "反馈日期", ("反馈日期", "反馈时间", "反馈代表日期", "回复日期", "反馈代表时间")),
        Field("closed_on", "归档日期", ("归档日期", "归档时间")),
        Field("satisfaction", "满意度", ("满意度", "群众满意度", "满意情况", "群众评价")),
    )

    def __init__(self):
        self.by_serial = False  # whether the file names its opinions by 编号 (stored() answers alike)

    # -- identity --------------------------------------------------------------------------------
    def _serial(self, row: SourceRow) -> str:
        """The row's 编号, unless it is a bare number (a row number such as 序号, not an identity)."""
        text = as_text(row.values.get("serial")).upper()
        return "" if text.isdigit() else text

    def _text(self, row: SourceRow) -> tuple[str, str | None]:
        """(title, content) as the desk keeps them: a long content gives its first words as title."""
        title, content = row.text("title"), row.text("content") or None
        if not title and content:
            title = content if len(content) <= TITLE_MAX else content[:TITLE_MAX - 1] + "…"
            if title == content:
                content = None
        return title, content

    def identity(self, row):
        if "serial" in row.values:
            self.by_serial = True
        serial = self._serial(row)
        if serial:
            return ("serial", serial)
        day = row.day("received_on", "收集日期")
        title, _ = self._text(row)
        if not day or not title:
            return None
        return ("row", day.isoformat(), row.text("delegate"), title)

    def label(self, row):
        return self._serial(row) or self._text(row)[0][:20]

    def stored(self, store):
        rows = store.rows("SELECT o.serial, o.received_on, o.title, d.name AS delegate FROM opinions o"
                          " LEFT JOIN delegates d ON d.id = o.delegate_id WHERE o.deleted = 0")
        if self.by_serial:
            return {("serial", r["serial"]): r["serial"] for r in rows if r["serial"]}
        return {("row", r["received_on"], r["delegate"] or "", r["title"]): r["title"] for r in rows}

    # -- one row ----------------------------------------------------------------------------------
    def apply(self, store, tx, ctx, row):
        warnings: list[str] = []
        received = row.day("received_on", "收集日期")
        if received is None:
            raise RowRefused("收集日期为空", "received_on")
        title, content = self._text(row)
        if not title:
            raise RowRefused("意见建议内容为空", "title" if "title" in row.values else "content")
        current = self._match(store, ctx, row, received, title)
        wanted: dict = {"received_on": received.isoformat(), "title": title}
        if "content" in row.values or current is None:
            wanted["content"] = content
        self._source(row, wanted, warnings, current)
        self._people(store, tx, ctx, row, wanted, warnings, current)
        self._handling(store, tx, ctx, row, wanted, warnings)
        status = self._status(row, wanted, warnings, current)
        self._dates(row, wanted, status, warnings, current)
        if current is None:
            return self._create(store, tx, ctx, row, wanted, status, warnings)
        return self._update(store, tx, ctx, current, wanted, status, warnings)

    def _match(self, store, ctx: Context, row: SourceRow, received: date, title: str) -> dict | None:
        serials, rows = _stored_opinions(store, ctx)
        serial = self._serial(row)
        if serial:
            return serials.get(serial)
        return rows.get((received.isoformat(), row.text("delegate"), title))

    def _source(self, row: SourceRow, wanted: dict, warnings: list[str], current: dict | None) -> None:
        code = _word(row.values.get("source"), SOURCE_WORDS, SOURCES, "来源", "source")
        if code is None and current is None:
            code = "grid_visit"
            warnings.append("“来源”为空，按“网格走访”导入")
        if code is not None:
            wanted["source"] = code

    def _people(self, store, tx, ctx: Context, row: SourceRow, wanted: dict, warnings: list[str],
                current: dict | None) -> None:
        """The collecting delegate (a serving one by name, the group telling two apart), the group
        and the community: as the window's intake sets them (the delegate's group and community
        unless the row names them)."""
        groups = ctx.cache("groups", lambda: {g["name"]: g["id"] for g in store.groups.list()})
        written = row.text("group")
        shorts = ctx.cache("group_words", dict)  # (a file names the same few groups row after row)
        key = (written, len(groups))
        group = shorts[key] if key in shorts else shorts.setdefault(key, _group_of(groups, written))
        if row.text("group") and group is None:
            warnings.append(f"没有“{row.text('group')}”这个议事小组，按收集代表所在小组记")
        person = None
        name = row.text("delegate")
        if name and current is not None and current.get("delegate_name") == name:
            person = {"id": current["delegate_id"], "group_id": current["group_id"],
                      "community_id": current["community_id"]}
        elif name:
            person = _delegate(store, ctx, name, group)
        if "delegate" in row.values:
            wanted["delegate_id"] = person["id"] if person else None
        # a blank cell of a stored opinion says it has none (the register shows what is stored);
        # a new one takes what its delegate (or community) gives, as the window's intake does
        community = row.text("community")
        if community:
            wanted["community_id"] = community_id(tx, ctx, community)
        elif current is None:
            wanted["community_id"] = person["community_id"] if person else None
        elif "community" in row.values:
            wanted["community_id"] = None
        if group is not None:
            wanted["group_id"] = group
        elif current is None:
            wanted["group_id"] = person["group_id"] if person else store.scalar(
                "SELECT group_id FROM communities WHERE id = ?", [wanted.get("community_id")])
        elif "group" in row.values and not row.text("group"):
            wanted["group_id"] = None

    def _handling(self, store, tx, ctx: Context, row: SourceRow, wanted: dict, warnings: list[str]) -> None:
        if "category" in row.values:
            wanted["category"] = _word(row.values.get("category"), CATEGORY_WORDS, CATEGORIES, "类别", "category")
        if "units" in row.values or "co_units" in row.values:
            names = [self._unit(store, tx, ctx, n, row, wanted, warnings)
                     for n in split_names(row.values.get("units")) + split_names(row.values.get("co_units"))]
            names = list(dict.fromkeys(n for n in names if n))
            wanted["lead_unit"] = names[0] if names else None
            wanted["co_units"] = _json(names[1:]) if names[1:] else None
        if "deadline" in row.values:
            deadline = row.day("deadline", "办理期限")
            wanted["deadline"] = deadline.isoformat() if deadline else None
        if "result" in row.values:
            result = row.text("result")
            declined = DECLINED_PREFIX.match(result)
            wanted["result"] = None if declined else (result or None)
            wanted["decline_reason"] = (result[declined.end():] or None) if declined else None
        if "satisfaction" in row.values:
            wanted["satisfaction"] = _word(row.values.get("satisfaction"), SATISFACTION_WORDS,
                                           tuple((s, s) for s in SATISFACTION), "满意度", "satisfaction")

    def _unit(self, store, tx, ctx: Context, name: str, row: SourceRow, wanted: dict, warnings: list[str]) -> str:
        """A unit as the desk names it: a department by its short or full name, a community, the
        row's own community for 社区居委会; one the office does not list yet is added to its
        departments (so that the window can choose it again), with a warning."""
        units = ctx.cache("units", lambda: _units(store))
        found = units.get(_norm(name))
        if found:
            return found
        if _norm(name) in (_norm(g) for g in GENERIC_UNITS) and row.text("community"):
            return row.text("community")
        order = ctx.cache("unit_order", dict).get("next") or (store.scalar(
            "SELECT max(sort_order) FROM departments WHERE deleted = 0") or 0) + 1
        tx.insert("departments", {"name": name, "sort_order": order})
        ctx.stage("unit_order", "next", order + 1)
        ctx.stage("units", _norm(name), name, created="部门（单位）")
        warnings.append(f"承办单位“{name}”不在部门（单位）名单中，已加入名单")
        return name

    def _status(self, row: SourceRow, wanted: dict, warnings: list[str], current: dict | None) -> str:
        try:
            status = _word(row.values.get("status"), STATUS_WORDS, OPINION_STATUSES, "办理进度", "status")
        except RowRefused:
            # many offices' 办理情况 holds what was done, not a state: a sentence there, with no
            # 办理结果 column of its own, is the result (the state follows from the row)
            text = row.text("status")
            if "result" in row.values or len(text) < 8:
                raise
            wanted["result"] = text
            status = None
            warnings.append("“办理情况”写的是办理结果，按办理结果导入")
        if status is None:
            if current is not None:
                return current["status"]
            status = self._inferred(row, wanted)
            if "status" in row.values and not wanted.get("result"):
                warnings.append(f"“办理进度”为空，按所填内容视为“{dict(OPINION_STATUSES)[status]}”")
        has_feedback = bool(row.text("feedback_delegate_on")) or bool(current and current.get("feedback_delegate_on"))
        if status == "closed" and not has_feedback:
            # 件件有回音: an item the unit finished but nobody fed back is not closed
            status = "answered"
            warnings.append("没有反馈日期，按“已办结待反馈”导入（反馈后才能办结归档）")
        if status == "closed" and wanted.get("satisfaction", (current or {}).get("satisfaction")) == "不满意":
            status = "fed_back"
            warnings.append("群众不满意，不能办结归档，按“已反馈”导入（请在窗口中重办或重新反馈）")
        return status

    def _inferred(self, row: SourceRow, wanted: dict) -> str:
        """The state the row's own dates and words say it reached (no 办理进度 written)."""
        if row.text("closed_on"):
            return "closed"
        if row.text("feedback_delegate_on"):
            return "fed_back"
        if row.text("answered_on") or wanted.get("result"):
            return "answered"
        if wanted.get("decline_reason"):
            return "declined"
        if row.text("assigned_on") or wanted.get("lead_unit"):
            return "assigned"
        return "collected"

    def _dates(self, row: SourceRow, wanted: dict, status: str, warnings: list[str], current: dict | None) -> None:
        """The step dates the row gives, those the state needs filled from the nearest earlier one
        (said in a warning), those of steps the state has not reached left out (said too)."""
        declined_path = status in ("fed_back", "closed") and not (
            wanted.get("lead_unit") or (current or {}).get("lead_unit") or row.text("assigned_on"))
        needs = STATUS_NEEDS.get(status, ())
        if declined_path:  # not taken up, then fed back: no assignment, no result
            needs = tuple(n for n in needs if n not in ("assigned_on", "answered_on"))
        allowed = STATUS_DATES.get(status, CHAIN)
        known: dict[str, str | None] = {"received_on": wanted["received_on"]}
        origin = {"received_on": "received_on"}  # whose date each known one is (a stand-in's source)
        for key in CHAIN[1:]:
            given = row.day(key, LABELS[key]) if key in row.values else None
            stored = (current or {}).get(key)
            if given and key not in allowed and key not in needs:
                warnings.append(f"办理进度为“{dict(OPINION_STATUSES)[status]}”，“{LABELS[key]}”{given}未导入")
                given = None
            before = next(k for k in reversed(CHAIN[:CHAIN.index(key)]) if known.get(k))
            if given and given.isoformat() < str(known[before]):
                # said against the date the file (or the desk) gives, not a stand-in of it
                raise RowRefused(f"“{LABELS[key]}”{given} 早于{LABELS[origin[before]]} {known[before]}", key)
            if given:
                wanted[key] = known[key] = given.isoformat()
                origin[key] = key
            elif stored:
                known[key], origin[key] = stored, key  # a blank cell never clears a recorded step
            elif key in needs:
                wanted[key] = known[key] = known[before]
                origin[key] = origin[before]
                warnings.append(f"文件没有“{LABELS[key]}”，以{LABELS[origin[before]]} {known[before]} 代替")
        deadline, assigned = wanted.get("deadline"), known.get("assigned_on")
        if deadline and assigned and deadline < assigned:
            raise RowRefused(f"“办理期限”{deadline} 早于{LABELS[origin['assigned_on']]} {assigned}", "deadline")
        if status == "declined" or declined_path:
            # a 不予采纳 row's 办理结果 is its reason (the desk's register writes it 未采纳：…)
            reason = wanted.get("decline_reason") or wanted.get("result") or (current or {}).get("decline_reason")
            wanted["decline_reason"] = reason
            if "result" in wanted:
                wanted["result"] = None

    # -- writing ------------------------------------------------------------------------------------
    def _create(self, store, tx, ctx: Context, row: SourceRow, wanted: dict, status: str,
                warnings: list[str]) -> Outcome:
        given = self._serial(row)
        if given:
            _counted_in(store, ctx, "serial", given)
        serial = given or _next_serial(store, ctx, "YJ", "serial", wanted["received_on"][:4])
        new = {**wanted, "serial": serial, "status": status}
        new["decline_reason"] = wanted.get("decline_reason")
        if status in ("assigned", "returned", "answered", "fed_back", "closed") and new.get("lead_unit"):
            new["working_days"] = _working_days(store, ctx, new.get("assigned_on"), new.get("deadline"))
        if RANK[status] >= RANK["answered"] and (new.get("answered_on") or new.get("feedback_delegate_on")):
            new["feedback_serial"] = _next_serial(store, ctx, "HZ", "feedback_serial",
                                                  (new.get("answered_on") or new["feedback_delegate_on"])[:4])
        _warn_missing(new, status, warnings)
        opinion_id = ctx.insert(tx, "opinions", new)
        _stored_opinions(store, ctx)
        entry = {"id": opinion_id, **new, "delegate_name": row.text("delegate") if new.get("delegate_id") else None}
        ctx.stage("opinion_serials", serial, entry)  # (dropped with the row if it is refused)
        ctx.stage("opinion_rows", (new["received_on"], row.text("delegate"), new["title"]), entry)
        _events(store, tx, ctx, opinion_id, None, new, warnings)
        return Outcome("new", warnings=warnings)

    def _update(self, store, tx, ctx: Context, current: dict, wanted: dict, status: str,
                warnings: list[str]) -> Outcome:
        old = current["status"]
        if status != old and not _forward(old, status):
            raise RowRefused(f"台账中这条意见已是“{dict(OPINION_STATUSES)[old]}”，文件写的是“"
                             f"{dict(OPINION_STATUSES)[status]}”：导入不能退回办理环节（重办、退办请在窗口中操作）",
                             "status")
        wanted["status"] = status
        if status != old and RANK[status] >= RANK["answered"] and not current.get("feedback_serial") and (
                wanted.get("answered_on") or current.get("answered_on")):
            wanted["feedback_serial"] = _next_serial(store, ctx, "HZ", "feedback_serial",
                                                     (wanted.get("answered_on") or current["answered_on"])[:4])
        merged = {**current, **wanted}
        _warn_missing(merged, status, warnings)
        changed, listed = changes_of(current, wanted, LABELS, _shown(ctx))
        if not changed:
            return Outcome("same", warnings=warnings)
        tx.update("opinions", current["id"], changed)
        if status != old:
            _events(store, tx, ctx, current["id"], {"status": old}, merged, warnings)
        return Outcome("update", [c for c in listed if c[0] != "feedback_serial"], warnings)


# -- helpers ---------------------------------------------------------------------------------------------
def _stored_opinions(store, ctx: Context) -> tuple[dict, dict]:
    """The office's opinions by serial and by (received day, delegate, title), read once."""
    if "opinion_serials" not in ctx.caches:
        by_serial, by_row = ctx.cache("opinion_serials", dict), ctx.cache("opinion_rows", dict)
        for r in store.rows("SELECT o.*, d.name AS delegate_name FROM opinions o"
                            " LEFT JOIN delegates d ON d.id = o.delegate_id WHERE o.deleted = 0"):
            if r["serial"]:
                by_serial[r["serial"]] = r
            by_row[(r["received_on"], r["delegate_name"] or "", r["title"])] = r
    return ctx.caches["opinion_serials"], ctx.caches["opinion_rows"]


def _group_of(groups: dict[str, str], text: str) -> str | None:
    """A group by its name, or as written short (新城三 → 新城三组, 老城 → 老城小组)."""
    if not text:
        return None
    if text in groups:
        return groups[text]
    found = [gid for name, gid in groups.items() if name.startswith(text) or text.startswith(name.rstrip("组小"))]
    return found[0] if len(found) == 1 else None


def _delegate(store, ctx: Context, name: str, group: str | None) -> dict:
    people = ctx.cache("delegates", lambda: _people_by_name(store))
    found = people.get(name, [])
    serving = [p for p in found if p["status"] == "active"]
    found = serving or found
    if len(found) > 1 and group:
        found = [p for p in found if p["group_id"] == group] or found
    if not found:
        raise RowRefused(f"代表名册中没有“{name}”：请先导入代表花名册，或改正姓名", "delegate")
    if len(found) > 1:
        raise RowRefused(f"有 {len(found)} 名代表叫“{name}”，请在“议事小组”中写明是哪个小组的", "delegate")
    return found[0]


def _people_by_name(store) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in store.rows("SELECT id, name, status, group_id, community_id FROM delegates WHERE deleted = 0"):
        out.setdefault(p["name"], []).append(p)
    return out


def _units(store) -> dict[str, str]:
    """Every name a unit goes by (short, official, the district's or subdistrict's prefix left out)
    -> the name the desk records."""
    out: dict[str, str] = {}
    for d in store.departments.list():
        for spelled in (d["name"], d["full_name_shown"], d.get("full_name") or ""):
            if spelled:
                out.setdefault(_norm(spelled), d["name"])
    from app.common.resources import reference

    for short, full in reference().get("department_full_names", {}).items():
        if _norm(short) in out:
            out.setdefault(_norm(full), out[_norm(short)])
    for c in store.communities.list():
        out.setdefault(_norm(c["name"]), c["name"])
    return out


def _setting(store, ctx: Context, key: str):
    """A 设置 value, read once per import (the import writes no settings)."""
    settings = ctx.cache("settings", dict)
    if key not in settings:
        settings[key] = store.settings.get(key)
    return settings[key]


def _next_serial(store, ctx: Context, prefix: str, column: str, year: str) -> str:
    """The office's next number in the series (as the window issues them), counted on in the import."""
    code = _setting(store, ctx, "serial_code")
    head = f"{prefix}{year}-{code}-" if code else f"{prefix}{year}-"
    last = _last_in(store, ctx, column, head)
    ctx.stage("serials", head, last + 1)
    return f"{head}{last + 1:04d}"


def _last_in(store, ctx: Context, column: str, head: str) -> int:
    """The last number of a series: the store's highest, then as the import's rows count on."""
    numbers = ctx.cache("serials", dict)
    last = numbers.get(head)
    if last is None:
        last = numbers[head] = store.scalar(
            f"SELECT max(CAST(substr({column}, ?) AS INTEGER)) FROM opinions WHERE {column} GLOB ?",
            [len(head) + 1, head + "[0-9]*"]) or 0
    return last


def _counted_in(store, ctx: Context, column: str, serial: str) -> None:
    """An 编号 the file gives counts in its series: a row the import numbers after it gets a later
    number (not one the file has already used, nor one the store has)."""
    head, _, tail = serial.rpartition("-")
    if head and tail.isdigit() and int(tail) > _last_in(store, ctx, column, head + "-"):
        ctx.stage("serials", head + "-", int(tail))


def _working_days(store, ctx: Context, assigned: str | None, deadline: str | None) -> int | None:
    """The working days 交办 gave (as the window's 交办 records them), each day's calendar asked once."""
    if not assigned or not deadline or deadline <= assigned:
        return None
    counted = ctx.cache("working_days", dict)  # (交办, 期限) -> the answer: many rows share a pair
    if (assigned, deadline) in counted:
        return counted[(assigned, deadline)]
    workdays = ctx.cache("workdays", dict)
    calendar = store.opinions.calendar
    day, end, count = date.fromisoformat(assigned), date.fromisoformat(deadline), 0
    if (end - day).days > 800:
        return None
    while day < end:
        day = date.fromordinal(day.toordinal() + 1)
        if day not in workdays:
            workdays[day] = calendar.is_workday(day)
        count += workdays[day]
    found = counted[(assigned, deadline)] = count if 1 <= count <= 366 else None
    return found


def _forward(old: str, new: str) -> bool:
    if {old, new} <= {"assigned", "returned"}:
        return True
    if old == "declined":
        return new in ("fed_back", "closed")
    return RANK[new] > RANK[old]


def _warn_missing(row: dict, status: str, warnings: list[str]) -> None:
    if status in ("assigned", "returned", "answered") and not row.get("lead_unit"):
        warnings.append("已交办却没有承办单位")
    if status in ("assigned", "returned") and not row.get("deadline"):
        warnings.append("已交办却没有办理期限")
    if status == "declined" and not row.get("decline_reason"):
        warnings.append("没有写不予采纳的理由（反馈群众时要说明），请在窗口中补上")


def _shown(ctx: Context):
    sources, categories, statuses = dict(SOURCES), dict(CATEGORIES), dict(OPINION_STATUSES)

    def show(key, value):
        if value is None:
            return ""
        if key == "source":
            return sources.get(value, str(value))
        if key == "category":
            return categories.get(value, str(value))
        if key == "status":
            return statuses.get(value, str(value))
        if key == "co_units":
            return "、".join(json.loads(value)) if isinstance(value, str) and value.startswith("[") else str(value)
        if key in ("delegate_id", "group_id", "community_id"):
            table = {"delegate_id": "delegates", "group_id": "groups", "community_id": "communities"}[key]
            return ctx.store.scalar(f"SELECT name FROM [{table}] WHERE id = ?", [value]) or str(value)
        return str(value)

    return show


def _events(store, tx, ctx: Context, opinion_id: str, before: dict | None, row: dict, warnings: list[str]) -> None:
    """The history of the steps the opinion reached with this row (all of them for a new one), on
    their days: the window's clocks, timeline and statistics read it as they read the window's own."""
    from app.storage.audit import current_actor

    who = ctx.cache("actor", dict)  # (the clerk named in 设置, asked once per import)
    if "name" not in who:
        who["name"] = current_actor(store.db)
    actor = who["name"]
    old = before["status"] if before else None
    status = row["status"]
    received, reported = row["received_on"], row.get("reported_on")
    near = reported or received
    declined_path = status == "declined" or (status in ("fed_back", "closed") and not row.get("lead_unit"))

    def add(day: str, kind: str, detail: dict) -> None:
        ctx.insert(tx, "opinion_events", {"opinion_id": opinion_id, "day": day, "kind": kind,
                                     "detail": _json(detail), "actor": actor})

    def reached(state: str) -> bool:
        return (old is None or RANK[old] < RANK[state]) and RANK[status] >= RANK[state]

    if old is None:
        add(received, "collect", {"source": dict(SOURCES).get(row.get("source") or "", ""), "note": "由台账导入"})
        if reported:
            add(reported, "report", {"delegate": "", "group": "", "leader": ""})
    if status in ("topic", "deliberated") and reached("topic"):
        add(near, "topic", {"note": "由台账导入"})
        warnings.append(f"列入议题的日期不详，办理记录中记为 {near}")
    if status == "deliberated" and reached("deliberated"):
        add(near, "deliberate", {"note": "由台账导入"})
        warnings.append(f"集中议事的日期不详，办理记录中记为 {near}")
    if declined_path and old != "declined":
        add(near, "decline", {"reason": row.get("decline_reason") or ""})
        warnings.append(f"不予采纳的日期不详，办理记录中记为 {near}")
    if not declined_path and row.get("assigned_on") and (old is None or RANK[old] < RANK["assigned"]) \
            and RANK[status] >= RANK["assigned"]:
        add(row["assigned_on"], "assign", {
            "category": dict(CATEGORIES).get(row.get("category") or "", ""), "lead_unit": row.get("lead_unit") or "",
            "co_units": json.loads(row["co_units"]) if row.get("co_units") else [],
            "working_days": row.get("working_days"), "deadline": row.get("deadline")})
    if status == "returned" and old != "returned":
        add(row["assigned_on"], "return", {"unit": row.get("lead_unit") or "", "reason": "由台账导入：已退办"})
    if row.get("answered_on") and reached("answered") and not declined_path:
        add(row["answered_on"], "answer", {"result": row.get("result") or "", "serial": row.get("feedback_serial")})
    if row.get("feedback_delegate_on") and reached("fed_back"):
        add(row["feedback_delegate_on"], "feedback", {"satisfaction": row.get("satisfaction") or "",
                                                      "method": "台账导入"})
    if row.get("closed_on") and reached("closed"):
        add(row["closed_on"], "close", {})
