"""Selection rounds (推选批次): quotas, the public notice, the 党工委's confirmation, certificates
and filing — the round-level steps of 两下两上. A by-election (补选) is a small round of its own.

一下: the round opens with its seats, conditions and quotas. 一上 and the joint review are per
candidate (`candidates.py`). 二下 ends with a public notice of 3 working days. 二上: the 党工委
confirms a list (checked against the quotas), certificates get serial numbers, the round is filed.
"""

from __future__ import annotations

import builtins
import json
import re
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from app.common.errors import ConflictError, ValidationError
from app.common.textutil import clean, parse_date
from app.rules import nomination_stages as st
from app.rules.codes import APPOINTED_EVENT, RETURN_STEPS, SELF_NOMINATION, label_of
from app.rules.codes import QUOTA_DIMENSIONS as DIMENSIONS
from app.rules.codes import QUOTA_RULES as RULES
from app.rules.codes import ROUND_KINDS as KINDS
from app.rules.fields import names_of
from app.services.base import FieldSpec, Service, choice_label
from app.services.candidates import CandidateFilter, stage_label
from app.services.rows import Row
from app.storage.audit import current_actor

NOTICE_WORKING_DAYS = 3
DEFAULT_REVIEW_UNITS = ("街道党工委组织办", "街道纪工委", "派出所", "街道综治中心")
ROUND_STATES = st.ROUND_STATE_CHOICES


class QuotaBreach(ConflictError):
    """The list breaks a quota; the clerk may confirm it anyway (the breach is audited)."""

    def __init__(self, breaches: list[str]):
        super().__init__("确认名单不符合名额要求：" + "；".join(breaches) + "。如确需按此名单确认，请再次确认。")
        self.breaches = breaches


def notice_end(calendar, start: date) -> date:
    """The last day of a notice that runs for 3 working days from `start` (start counted when it is a
    working day; a notice put up on a holiday starts counting on the next working day)."""
    return calendar.add_working_days(start - timedelta(days=1), NOTICE_WORKING_DAYS)


# The report names two routes (基层党组织推荐, 居民10人以上联名); a round opens 本人自荐 only on purpose.
_RETURN_NS = uuid.UUID("5a0f7a52-9c3e-4f0e-8d7c-2b6f1a9e4c11")


class NominationService(Service[Row]):
    table = "nomination_rounds"
    row_type = Row
    noun = "推选批次"
    fields = (
        FieldSpec("name", "批次名称", required=True),
        FieldSpec("kind", "类型", "choice", required=True, choices=KINDS),
        FieldSpec("term_id", "届次", "ref", required=True, ref="terms"),
        FieldSpec("opened_on", "下达日期", "date", required=True),
        FieldSpec("seats", "代表名额（人）", "int", required=True),
        FieldSpec("min_age", "最低年龄（周岁）", "int"),
        FieldSpec("min_years", "居住或工作年限（年）", "int"),
        FieldSpec("conditions_by", "推选条件制定机关（如：街道党工委）"),
        FieldSpec("conditions_doc", "推选条件文号"),
        FieldSpec("self_nomination", "是否开放本人自荐", "choice", choices=SELF_NOMINATION),
        FieldSpec("review_units", "联审部门（以顿号分隔）"),
        FieldSpec("reason", "补选原因", "multiline"),
        FieldSpec("notes", "备注", "multiline"),
    )
    blockers = (("candidates", "round_id", "还有 {n} 名人选属于该批次"),)

    @property
    def calendar(self):
        return self.store.opinions.calendar

    # -- rounds -----------------------------------------------------------------------
    def list(self) -> list[dict]:
        rows = self.store.rows(
            "SELECT r.*, t.name AS term_name,"
            " (SELECT count(*) FROM candidates p WHERE p.round_id = r.id AND p.deleted = 0) AS candidate_count,"
            " (SELECT count(*) FROM candidates p WHERE p.round_id = r.id AND p.deleted = 0"
            f"   AND p.status = '{st.APPOINTED}') AS appointed_count"
            " FROM nomination_rounds r LEFT JOIN terms t ON t.id = r.term_id WHERE r.deleted = 0"
            " ORDER BY r.opened_on DESC, r.name")
        for row in rows:
            self.decorate(row)
        return rows

    def get(self, row_id: str, *, include_deleted: bool = False) -> dict:
        row = super().get(row_id, include_deleted=include_deleted)
        self.decorate(row)
        return row

    def decorate(self, row: dict) -> None:
        row["kind_label"] = choice_label(KINDS, row["kind"])
        row["state"] = self.state(row)
        row["state_label"] = choice_label(ROUND_STATES, row["state"])

    @staticmethod
    def state(row: dict) -> str:
        return st.round_state(row)

    def get_or_current(self, round_id: str | None) -> dict:
        """The round asked for, or the latest one (what exports use when none is named)."""
        round_id = round_id or self.current_id()
        if not round_id:
            raise ConflictError("还没有推选批次，请先在“推选”中新建")
        return self.get(round_id)

    def current_id(self) -> str | None:
        return self.store.scalar("SELECT id FROM nomination_rounds WHERE deleted = 0"
                                 " ORDER BY opened_on DESC, rowid DESC LIMIT 1")

    def review_units(self, round_id: str) -> builtins.list[str]:
        row = super().get(round_id)
        return names_of(row["review_units"]) or list(DEFAULT_REVIEW_UNITS)

    def prepare(self, values: dict, existing: Mapping[str, Any] | None = None) -> dict:
        values = dict(values)
        if "review_units" in values:
            from app.services.candidates import split_names

            units = split_names(values["review_units"])
            values["review_units"] = json.dumps(units, ensure_ascii=False) if units else None
        values = super().prepare(values, existing)
        merged = {**(existing or {}), **values}
        parse_date(merged["opened_on"], "下达日期", "opened_on")
        if not merged.get("seats") or merged["seats"] < 1:
            raise ValidationError("代表名额应至少为 1 人", field="seats")
        if merged.get("min_age") is not None and not 18 <= merged["min_age"] <= 80:
            raise ValidationError("最低年龄应在 18—80 周岁之间（议事代表须年满 18 周岁）", field="min_age")
        if merged.get("min_years") is not None and not 0 <= merged["min_years"] <= 20:
            raise ValidationError("居住或工作年限应在 0—20 年之间", field="min_years")
        if st.round_kind(merged["kind"]).needs_reason and not merged.get("reason"):
            raise ValidationError("补选请写明原因（如：某代表辞职、迁出）", field="reason")
        self.live_ref("terms", values.get("term_id"), "届次", "term_id")
        if self.name_taken(merged.get("name"), existing):
            raise ConflictError(f"已有名为“{merged['name']}”的推选批次", field="name")
        if existing and existing.get("confirmed_on") and any(
                k in values and values[k] != existing[k] for k in ("seats", "min_age", "min_years", "opened_on")):
            raise ConflictError("该批次已经党工委确认，名额、条件和下达日期不能再修改")
        return values

    def round_defaults(self, kind: str = st.REGULAR, today: date | None = None) -> dict:
        """A new round as the form first shows it: a 推选 fills the council (70 seats), a 补选 one seat;
        age 18 and one year in the subdistrict; the four units of the joint review (联审)."""
        today = today or date.today()
        shape = st.round_kind(kind)
        return {"kind": kind, "name": shape.new_name(today.year),
                "conditions_by": "街道党工委", "self_nomination": 0,
                "opened_on": today.isoformat(), "seats": shape.seats, "min_age": 18, "min_years": 1,
                "review_units": "、".join(DEFAULT_REVIEW_UNITS), "term_id": self.store.terms.current_id()}

    def open_round(self, values: dict):
        defaults = self.round_defaults(values.get("kind") or st.REGULAR)
        values = {**{k: v for k, v in defaults.items() if k not in ("name", "opened_on")}, **values}
        if not values.get("term_id"):
            raise ValidationError("请先在“设置”中建立届次", field="term_id")
        return self.create(values)

    # -- "二下" and "二上" per community ----------------------------------------------------------
    def returns(self, round_id: str) -> builtins.list[dict]:
        """Each community of the round with the day its qualified list was fed back (二下) and the day
        it reported its list up (二上)."""
        self.get(round_id)
        done = {(r["community_id"], r["step"]): r for r in self.store.rows(
            "SELECT * FROM round_returns WHERE round_id = ? AND deleted = 0", [round_id])}
        ids = {r["community_id"] for r in self.store.rows(
            "SELECT DISTINCT community_id FROM candidates WHERE round_id = ? AND deleted = 0 AND community_id IS NOT NULL",
            [round_id])}
        rows = [r for r in self.store.communities.list() if r["id"] in ids]
        return [{"community_id": c["id"], "community_name": c["name"],
                 "feedback_on": done.get((c["id"], "feedback"), {}).get("day"),
                 "report_on": done.get((c["id"], "report"), {}).get("day")} for c in rows]

    def record_return(self, round_id: str, step: str, community_ids: builtins.list[str], day: str, note: str = ""):
        """二下 (the qualified list fed back to each community, after the joint review) or 二上 (each
        community reporting its list up, after the notice closed), dated per community."""
        round_row = self.get(round_id)
        if step not in dict(RETURN_STEPS):
            raise ValidationError("请选择“二下”或“二上”", field="step")
        parse_date(day, "日期", "day")
        if day > date.today().isoformat():
            raise ValidationError(f"日期 {day} 晚于今天", field="day")
        if not community_ids:
            raise ValidationError("请选择村（社区）", field="community_ids")
        if step == "feedback":
            reviewed = self.store.scalar("SELECT max(day) FROM joint_reviews j JOIN candidates c ON c.id = j.candidate_id"
                                         " WHERE c.round_id = ? AND j.deleted = 0", [round_id])
            if not reviewed:
                raise ConflictError("部门联审还没有结果，“二下”反馈的是联审合格的名单")
            if day < reviewed:
                raise ValidationError(f"“二下”的日期 {day} 早于部门联审（{reviewed}）", field="day")
        else:
            if not round_row.get("notice_closed_on"):
                raise ConflictError("公示尚未期满办结：“二上”上报的是公示无异议的名单")
            if day < round_row["notice_closed_on"]:
                raise ValidationError(f"“二上”的日期 {day} 早于公示办结日期 {round_row['notice_closed_on']}", field="day")
            if round_row.get("confirmed_on") and day > round_row["confirmed_on"]:
                raise ValidationError(f"“二上”的日期 {day} 晚于党工委确认日期 {round_row['confirmed_on']}", field="day")
        label = "二下" if step == "feedback" else "二上"
        with self.store.write("nomination", f"{label}：{round_row['name']}（{len(community_ids)} 个村（社区），{day}）") as tx:
            for community_id in community_ids:
                self.live_ref("communities", community_id, "村（社区）", "community_ids")
                row_id = str(uuid.uuid5(_RETURN_NS, f"{round_id}/{community_id}/{step}"))
                values = {"round_id": round_id, "community_id": community_id, "step": step, "day": day,
                          "note": clean(note) or None}
                if self.store.scalar("SELECT 1 FROM round_returns WHERE id = ?", [row_id]):
                    tx.update("round_returns", row_id, values)
                else:
                    tx.insert("round_returns", values, row_id=row_id)
        return tx.changes

    def require_open(self, round_row: dict, what: str) -> None:
        if round_row.get("confirmed_on"):
            raise ConflictError(f"“{round_row['name']}”已经党工委确认，不能再{what}")

    # -- quotas (一下) ---------------------------------------------------------------------
    def quotas(self, round_id: str) -> builtins.list[dict]:
        rows = self.store.rows(
            "SELECT q.*, c.name AS community_name FROM quotas q LEFT JOIN communities c"
            " ON q.dimension = 'community' AND c.id = q.key WHERE q.round_id = ? AND q.deleted = 0"
            " ORDER BY CASE q.dimension WHEN 'community' THEN 0 WHEN 'sector' THEN 1 ELSE 2 END, q.sort_order",
            [round_id])
        for row in rows:
            row["key_label"] = row["community_name"] if row["dimension"] == "community" else row["key"]
            row["dimension_label"] = choice_label(DIMENSIONS, row["dimension"])
            row["rule_label"] = choice_label(RULES, row["rule"])
        return rows

    def set_quotas(self, round_id: str, items: builtins.list[dict]):
        """Replace the round's quota list (dimension, key, rule, seats); `quota_warnings` says whether
        the community quotas add up to the seats."""
        round_row = self.get(round_id)
        self.require_open(round_row, "修改名额")
        seen, clean_items = set(), []
        for index, item in enumerate(items, 1):
            dimension, key = item.get("dimension"), clean(item.get("key"))
            rule = item.get("rule") or ("exact" if dimension == "community" else "min")
            if dimension not in dict(DIMENSIONS):
                raise ValidationError(f"第 {index} 行：名额类别应为村（社区）、界别或政治面貌")
            if rule not in dict(RULES):
                raise ValidationError(f"第 {index} 行：要求应为名额、不少于或不超过")
            if not key:
                raise ValidationError(f"第 {index} 行：请填写{choice_label(DIMENSIONS, dimension)}")
            if dimension == "community":
                self.live_ref("communities", key, "村（社区）", "key")
            try:
                seats = int(item.get("seats"))  # type: ignore[arg-type]  # None: refused below
            except (TypeError, ValueError):
                raise ValidationError(f"第 {index} 行：名额应为整数") from None
            if seats < 0 or seats > round_row["seats"]:
                raise ValidationError(f"第 {index} 行：名额应在 0—{round_row['seats']} 人之间")
            if (dimension, key) in seen:
                raise ConflictError(f"第 {index} 行：{choice_label(DIMENSIONS, dimension)}“{key}”重复设置了名额")
            seen.add((dimension, key))
            clean_items.append({"dimension": dimension, "key": key, "rule": rule, "seats": seats,
                                "notes": clean(item.get("notes")) or None, "id": item.get("id")})
        existing = [r["id"] for r in self.store.rows(
            "SELECT id FROM quotas WHERE round_id = ? AND deleted = 0", [round_id])]
        with self.store.write("update", f"下达名额：{round_row['name']}（{len(clean_items)} 项）") as tx:
            tx.sync_list("quotas", {"round_id": round_id}, clean_items, existing)
        return tx.changes

    def quota_warnings(self, round_id: str) -> builtins.list[str]:
        round_row = self.get(round_id)
        total = sum(q["seats"] for q in self.quotas(round_id) if q["dimension"] == "community")
        if total and total != round_row["seats"]:
            return [f"各村（社区）名额合计 {total} 人，与代表名额 {round_row['seats']} 人不一致"]
        return []

    # -- the quota board ------------------------------------------------------------------
    def board(self, round_id: str, chosen: builtins.list[str] | None = None) -> dict:
        """Every quota with nominated / qualified / selected counts and its state (filled, open,
        over); `chosen` is a list about to be confirmed (otherwise: the appointed candidates)."""
        round_row = self.get(round_id)
        candidates = self.store.candidates.list(CandidateFilter(round_id=round_id))
        chosen_set = set(chosen) if chosen is not None else None

        def selected(c):
            return c["id"] in chosen_set if chosen_set is not None else c["status"] == st.APPOINTED

        def qualified(c):
            return st.reached(c, st.JOINT_REVIEWED)

        def value(c, dimension):
            return c["community_id"] if dimension == "community" else c.get(dimension)

        rows = []
        for quota in self.quotas(round_id):
            mine = [c for c in candidates if value(c, quota["dimension"]) == quota["key"]]
            # the counts are keyed by the stage or status they count (推荐人数: those nominated, not withdrawn)
            row = {**quota, st.NOMINATED: sum(c["status"] != st.WITHDRAWN for c in mine),
                   "qualified": sum(map(qualified, mine)), "selected": sum(map(selected, mine)),
                   "requirement": f"{quota['rule_label']} {quota['seats']} 人"}
            row.update(self._state(row["rule"], row["seats"], row["selected"]))
            rows.append(row)
        total = {"dimension_label": "合计", "key_label": "代表名额", "seats": round_row["seats"],
                 "requirement": f"{round_row['seats']} 人",
                 st.NOMINATED: sum(c["status"] != st.WITHDRAWN for c in candidates),
                 "qualified": sum(map(qualified, candidates)), "selected": sum(map(selected, candidates))}
        total.update(self._state("exact", total["seats"], total["selected"]))
        breaches = [f"{r['dimension_label']}“{r['key_label']}”{r['rule_label']} {r['seats']} 人，{r['state_text']}"
                    for r in rows if r["state"] != "filled"]
        if total["state"] != "filled":
            breaches.insert(0, f"代表名额 {total['seats']} 人，{total['state_text']}")
        # `table`: the quotas and then the total, as the board and the quota register show them
        return {"round": round_row, "rows": rows, "total": total, "table": [*rows, total], "breaches": breaches}

    @staticmethod
    def _state(rule: str, seats: int, selected: int) -> dict:
        if type(seats) is not int:  # a stored quota that breaks the rule book: shown, not judged
            return {"state": "unknown", "state_text": f"名额“{label_of((), seats)}”有误，无法核对"}
        if rule == "max":
            state = "over" if selected > seats else "filled"
        elif rule == "min":
            state = "open" if selected < seats else "filled"
        else:
            state = "open" if selected < seats else "over" if selected > seats else "filled"
        text = {"filled": "已满足", "open": f"缺 {seats - selected} 人", "over": f"超 {selected - seats} 人"}[state]
        return {"state": state, "state_text": text}

    # -- public notice (二下) ----------------------------------------------------------------
    def notice_plan(self, start: str) -> dict:
        """What a notice starting on `start` would be: its end date and any calendar warning."""
        day = parse_date(start, "公示开始日期", "notice_start")
        end = notice_end(self.calendar, day)
        warnings = [w for w in {self.calendar.warning(day.year), self.calendar.warning(end.year)} if w]
        return {"start": day.isoformat(), "end": end.isoformat(), "working_days": NOTICE_WORKING_DAYS,
                "warnings": sorted(warnings)}

    def start_notice(self, round_id: str, start: str, place: str = ""):
        """Put up the public notice of the candidates who passed the joint review."""
        round_row = self.get(round_id)
        self.require_open(round_row, "公示")
        if round_row.get("notice_closed_on"):
            raise ConflictError(f"“{round_row['name']}”的公示已于 {round_row['notice_closed_on']} 期满办结")
        plan = self.notice_plan(start)
        listed = self.store.candidates.list(CandidateFilter(round_id=round_id, stage=st.JOINT_REVIEWED,
                                                            status=st.IN_PROGRESS))
        if not listed:
            raise ConflictError("还没有通过部门联审的人选，无法公示")
        late = [c["name"] for c in listed if (self.store.candidates.last_day(c["id"]) or "") > plan["start"]]
        if late:
            raise ValidationError(f"公示开始日期 {plan['start']} 早于{'、'.join(late[:3])}的联审日期", field="start")
        pending = self.store.scalar("SELECT count(*) FROM candidates WHERE round_id = ? AND deleted = 0 AND"
                                    f" status = ? AND stage IN {st.sql_list(st.before(st.JOINT_REVIEWED))}",
                                    [round_id, st.IN_PROGRESS])
        if pending:
            plan["warnings"].append(f"还有 {pending} 名人选未完成审查，不在本次公示名单中")
        with self.store.write("nomination", f"公示：{round_row['name']} {len(listed)} 人（{plan['start']} 至 "
                                            f"{plan['end']}）") as tx:
            tx.update(self.table, round_id, {"notice_start": plan["start"], "notice_end": plan["end"],
                                             "notice_place": clean(place) or None})
            for candidate in listed:
                tx.update("candidates", candidate["id"], {"on_notice": 1})
        return tx.changes

    def close_notice(self, round_id: str, day: str):
        """After the notice period: everyone on the notice without an upheld objection passes."""
        round_row = self.get(round_id)
        parse_date(day, "办结日期", "day")
        if not round_row.get("notice_start"):
            raise ConflictError("尚未公示，不能办结公示")
        if round_row.get("notice_closed_on"):
            raise ConflictError(f"公示已于 {round_row['notice_closed_on']} 办结")
        if day <= round_row["notice_end"]:
            raise ConflictError(f"公示期到 {round_row['notice_end']} 结束（{NOTICE_WORKING_DAYS} 个工作日），"
                                f"请在期满后再办结")
        open_objections = [o for o in self.store.candidates.objections(round_id=round_id) if not o["resolved_on"]]
        if open_objections:
            names = "、".join(dict.fromkeys(o["candidate_name"] for o in open_objections))
            raise ConflictError(f"还有 {len(open_objections)} 条异议未处理（{names}），请先核查处理")
        listed = [c for c in self.store.candidates.list(CandidateFilter(round_id=round_id, stage=st.JOINT_REVIEWED,
                                                                        status=st.IN_PROGRESS)) if c["on_notice"]]
        service = self.store.candidates
        with self.store.write("nomination", f"公示期满：{round_row['name']}（{len(listed)} 人无异议）") as tx:
            tx.update(self.table, round_id, {"notice_closed_on": day})
            for candidate in listed:
                reason = "公示期满，异议经核查不成立" if candidate["objection_count"] else "公示期满无异议"
                service._pass(tx, candidate, st.NOTICED, day, self.store.settings.unit() or "人大街道工委", reason,
                              {"notice": f"{round_row['notice_start']} 至 {round_row['notice_end']}"})
        return tx.changes

    # -- 二上: confirmation, certificates, filing -------------------------------------------
    def confirm(self, round_id: str, candidate_ids: builtins.list[str], day: str, doc: str, *,
                accept_breaches: bool = False):
        """The 街道党工委 confirms the delegates; the others on the noticed list are not selected.
        A list that breaks a quota raises QuotaBreach unless the clerk accepts it (audited)."""
        round_row = self.get(round_id)
        self.require_open(round_row, "重复确认")
        parse_date(day, "确认日期", "day")
        doc = clean(doc)
        if not doc:
            raise ValidationError("请填写党工委研究确定的文号或会议纪要编号", field="doc")
        if not round_row.get("notice_closed_on"):
            raise ConflictError("公示尚未期满办结，党工委不能确认名单")
        if day < round_row["notice_closed_on"]:
            raise ValidationError(f"确认日期 {day} 早于公示办结日期 {round_row['notice_closed_on']}", field="day")
        noticed = {c["id"]: c for c in self.store.candidates.list(
            CandidateFilter(round_id=round_id, stage=st.NOTICED, status=st.IN_PROGRESS))}
        chosen = list(dict.fromkeys(candidate_ids))
        if not chosen:
            raise ValidationError("请选择党工委确认的人选")
        for candidate_id in chosen:
            if candidate_id not in noticed:
                candidate = self.store.candidates.get(candidate_id)
                self.store.candidates.expect(candidate, st.CONFIRMED, day)
                raise ConflictError(f"{candidate['name']}不在公示期满的名单中")
        breaches = self.board(round_id, chosen)["breaches"]
        if breaches and not accept_breaches:
            raise QuotaBreach(breaches)
        term_id = round_row["term_id"]
        group_of = {c["id"]: c["group_id"] for c in self.store.communities.list()}
        delegates = self.store.delegates
        prepared = {}
        for candidate_id in chosen:
            c = noticed[candidate_id]
            values = {k: c[k] for k in ("name", "gender", "ethnicity", "birth_date", "id_number", "party", "sector",
                                        "education", "workplace", "post", "phone", "community_id")}
            values.update({"group_id": group_of.get(c["community_id"]), "group_role": "member",
                           "term_id": term_id, "status": "active"})
            prepared[candidate_id] = delegates.normalise(values)
        summary = f"党工委确认：{round_row['name']} {len(chosen)} 名议事代表（{doc}）"
        if breaches:
            summary += "；经确认的名额偏差：" + "；".join(breaches)
        service = self.store.candidates
        with self.store.write("nomination", summary) as tx:
            tx.update(self.table, round_id, {"confirmed_on": day, "confirm_doc": doc})
            for candidate_id, values in prepared.items():
                delegate_id = tx.insert("delegates", values)
                service._pass(tx, noticed[candidate_id], st.CONFIRMED, day, "街道党工委", "确定为议事代表",
                              {"doc": doc}, status=st.APPOINTED, delegate_id=delegate_id)
                tx.insert("delegate_events", {
                    "delegate_id": delegate_id, "day": day, "kind": APPOINTED_EVENT, "actor": current_actor(self.db),
                    "detail": json.dumps({"from": "人选", "to": "在任",
                                          "reason": f"经{round_row['name']}产生，街道党工委确认（{doc}）"},
                                         ensure_ascii=False)})
            for candidate_id, left_out in noticed.items():
                if candidate_id not in prepared:
                    service._fail(tx, left_out, st.CONFIRMED, day, "街道党工委", "经街道党工委研究，未确定为议事代表",
                                  {"doc": doc})
        return tx.changes

    def certificate_prefix(self) -> str:
        prefix = self.store.settings.get("certificate_prefix")
        if prefix:
            return prefix
        subdistrict = self.store.settings.get("subdistrict") or ""
        return (subdistrict[:-2] if subdistrict.endswith("街道") else subdistrict) + "议聘"

    def next_serials(self, year: int, count: int) -> builtins.list[str]:
        """Serial numbers never used before (deleted delegates included): 中山路议聘〔2025〕071号."""
        prefix = self.certificate_prefix()
        head = f"{prefix}〔{year}〕"
        used = [r[0] for r in self.db.execute(
            "SELECT certificate_no FROM delegates WHERE certificate_no LIKE ? UNION "
            "SELECT certificate_no FROM candidates WHERE certificate_no LIKE ?", [head + "%", head + "%"])]
        numbers = [int(m.group(1)) for m in (re.match(re.escape(head) + r"(\d+)号$", u) for u in used) if m]
        start = max(numbers, default=0)
        return [f"{head}{start + n:03d}号" for n in range(1, count + 1)]

    def issue_certificates(self, round_id: str, day: str):
        """聘书: a unique serial number for every confirmed delegate of the round, in roster order."""
        round_row = self.get(round_id)
        parse_date(day, "发证日期", "day")
        if not round_row.get("confirmed_on"):
            raise ConflictError("党工委确认名单后才能颁发聘书")
        if day < round_row["confirmed_on"]:
            raise ValidationError(f"发证日期 {day} 早于党工委确认日期 {round_row['confirmed_on']}", field="day")
        due = self.store.candidates.list(CandidateFilter(round_id=round_id, stage=st.CONFIRMED, status=st.APPOINTED))
        if not due:
            raise ConflictError("本批次的聘书已全部颁发")
        serials = self.next_serials(date.fromisoformat(day).year, len(due))
        service = self.store.candidates
        with self.store.write("nomination", f"颁发聘书：{round_row['name']} {len(due)} 份（{serials[0]} 至 "
                                            f"{serials[-1]}）") as tx:
            for candidate, serial in zip(due, serials):
                service._pass(tx, candidate, st.CERTIFIED, day, "街道党工委", f"聘书编号 {serial}",
                              certificate_no=serial)
                if candidate["delegate_id"]:
                    tx.update("delegates", candidate["delegate_id"], {"certificate_no": serial})
            tx.update(self.table, round_id, {"certified_on": day})
        return tx.changes

    def file_round(self, round_id: str, day: str, doc: str = ""):
        """报区人大常委会备案: the last stage; every confirmed delegate must hold a certificate."""
        round_row = self.get(round_id)
        parse_date(day, "备案日期", "day")
        if not round_row.get("certified_on"):
            raise ConflictError("颁发聘书后才能报备案")
        waiting = self.store.candidates.list(CandidateFilter(round_id=round_id, stage=st.CONFIRMED,
                                                             status=st.APPOINTED))
        if waiting:
            raise ConflictError(f"还有 {len(waiting)} 名代表未颁发聘书（{'、'.join(c['name'] for c in waiting[:3])}）")
        if round_row.get("filed_on"):
            raise ConflictError(f"本批次已于 {round_row['filed_on']} 报备案")
        if day < round_row["certified_on"]:
            raise ValidationError(f"备案日期 {day} 早于颁发聘书日期 {round_row['certified_on']}", field="day")
        done = self.store.candidates.list(CandidateFilter(round_id=round_id, stage=st.CERTIFIED, status=st.APPOINTED))
        service = self.store.candidates
        with self.store.write("nomination", f"报区人大常委会备案：{round_row['name']} {len(done)} 人") as tx:
            tx.update(self.table, round_id, {"filed_on": day, "filing_doc": clean(doc) or None})
            for candidate in done:
                service._pass(tx, candidate, st.FILED, day, "区人大常委会", "已报备案", {"doc": clean(doc)} if doc else None)
        return tx.changes

    # -- what needs doing ------------------------------------------------------------------------
    def attention(self, today: date | None = None) -> builtins.list[str]:
        """The next step of every unfinished round, for the 概览 page."""
        today_text = (today or date.today()).isoformat()
        items = []
        for r in self.list():
            head = f"【推选】{r['name']}"
            if r["state"] == st.FILED:
                continue
            waiting = self.store.scalar("SELECT count(*) FROM objections o JOIN candidates p ON p.id = o.candidate_id"
                                        " WHERE p.round_id = ? AND o.deleted = 0 AND o.resolved_on IS NULL", [r["id"]])
            if waiting:
                items.append(f"{head}有 {waiting} 条异议待核查处理")
            state = st.round_state_of(r["state"])
            if r["state"] == st.ON_NOTICE:
                items.append(f"{head}公示已于 {r['notice_end']} 期满，请办结公示" if r["notice_end"] < today_text
                             else f"{head}公示中（{r['notice_start']} 至 {r['notice_end']}）")
            elif state and state.todo:
                items.append(f"{head}{state.todo}")
            else:
                pending = self.store.scalar("SELECT count(*) FROM candidates WHERE round_id = ? AND deleted = 0 AND"
                                            " status = ?", [r["id"], st.IN_PROGRESS])
                items.append(f"{head}：{pending} 名人选在表决、审查中" if pending else f"{head}：待各村（社区）推荐人选")
        return items

    # -- progress ------------------------------------------------------------------------------
    def progress(self, round_id: str) -> builtins.list[dict]:
        """How many candidates reached and failed each stage (the round's funnel)."""
        # each stage's counts: those who passed it and those who left at it (failed or withdrawn)
        counts = {code: {"reached": 0, st.FAILED: 0} for code in st.codes()}
        for row in self.store.rows(
                "SELECT stage, status, fail_stage FROM candidates WHERE round_id = ? AND deleted = 0", [round_id]):
            for code in st.codes():
                if st.reached(row, code):
                    counts[code]["reached"] += 1
            if row["status"] in st.LEFT and row["fail_stage"]:
                counts[row["fail_stage"]][st.FAILED] += 1
        return [{"stage": code, "label": stage_label(code), **counts[code]} for code in st.codes()]
