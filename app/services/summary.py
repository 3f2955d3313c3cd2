"""年度工作总结: the year-end text the 区人大 asks for, drafted from the year's records in the shape
of the field report (规范推选程序, 强化阵地建设, 提升议事质量, 确保议事效果), with the typical
cases the clerk marks. A section the clerk rewrites is kept and wins over the draft at every
export; "恢复自动生成" drops the edit.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import TYPE_CHECKING

from app.common.errors import ConflictError, ValidationError
from app.common.textutil import clean
from app.rules.fields import names_of
from app.rules.meeting_kinds import codes_where
from app.services import summary_draft

if TYPE_CHECKING:
    from app.store import Store

_TEXT_NS = uuid.UUID("3c9d1b7e-2f4a-4e8b-b6d0-7a1e5c9f2d44")
SECTIONS = (("intro", "导语"), ("selection", "一、落实三项举措，规范推选程序"),
            ("venues", "二、打造三级平台，强化阵地建设"), ("quality", "三、抓实三个环节，提升议事质量"),
            ("effect", "四、创新议事方法，确保议事效果"), ("problems", "五、存在的问题"),
            ("plans", "六、下一年工作打算"))
CASES_KEY = "cases"


def text_id(year: int, key: str) -> str:
    return str(uuid.uuid5(_TEXT_NS, f"{year}/{key}"))


class YearSummary:
    def __init__(self, store: Store):
        self.store = store

    # -- the draft ---------------------------------------------------------------------
    def figures(self, year: int) -> summary_draft.Figures:
        return summary_draft.Figures(self.store, year)

    def draft(self, year: int) -> dict[str, str]:
        """Each part drafted from the year's records (see `summary_draft`); a part the records say
        nothing of is empty."""
        return self._draft(self.figures(year))

    def _draft(self, f: summary_draft.Figures) -> dict[str, str]:
        year = f.year
        if f.empty:
            raise ConflictError(f"{year}年没有召开会议、收集意见建议、走访或推选的记录，无法起草{year}年工作总结。"
                                "请选择有记录的年份。")
        cases = "".join(self.case_text(opinion_id) for opinion_id in self.cases(year))
        return {"intro": summary_draft.intro(f), "selection": summary_draft.selection(f),
                "venues": summary_draft.venues(f), "quality": summary_draft.quality(f),
                "effect": summary_draft.effect(f, cases), "problems": summary_draft.problems(f),
                "plans": summary_draft.plans(f)}

    def case_text(self, opinion_id: str) -> str:
        """A typical case in one sentence: what residents raised, who took it up where, what came of
        it (a figure the result states is not stated again; the group is named once)."""
        o = self.store.opinions.detail(opinion_id)
        topic = self.store.rows("SELECT meeting_id FROM topics WHERE id = ?", [o.get("topic_id")])
        meeting = self.store.rows("SELECT date, kind FROM meetings WHERE id = ?",
                                  [topic[0]["meeting_id"]]) if topic else []
        result = (o.get("result") or "").rstrip("。")
        if o["title"] and o["title"] in result:  # the matter is named once, in the quote
            result = result.replace(o["title"], "相关", 1)
        people = o.get("residents")
        raised = f"群众反映的“{o['title']}”问题" + (f"（涉及群众{people}人）" if people and str(people) not in result else "")
        how = ""
        if meeting:
            when = meeting[0]["date"]
            how = (f"{o['group_name'] or ''}议事代表在{int(when[5:7])}月{int(when[8:10])}日的议事活动中"
                   "与有关部门商议解决方案，")
        return f"如针对{raised}，{how}{result}。" if result else ""

    # -- typical cases the clerk marks ---------------------------------------------------
    def cases(self, year: int) -> list[str]:
        kept = self._kept(year).get(CASES_KEY)
        if kept is not None:
            return [i for i in names_of(kept)
                    if self.store.scalar("SELECT 1 FROM opinions WHERE id = ? AND deleted = 0", [i])]
        # none marked yet: the solved opinion that reached the most residents
        row = self.store.rows("SELECT id FROM opinions WHERE deleted = 0 AND status IN ('fed_back', 'closed')"
                              " AND received_on >= ? AND received_on < ? AND result IS NOT NULL"
                              " ORDER BY residents DESC, received_on LIMIT 1", [f"{year}-01-01", f"{year + 1}-01-01"])
        return [row[0]["id"]] if row else []

    def case_choices(self, year: int) -> list[tuple[str, str]]:
        return [(r["id"], f"{r['serial']} {r['title']}") for r in self.store.rows(
            "SELECT id, serial, title FROM opinions WHERE deleted = 0 AND status IN ('answered', 'fed_back', 'closed')"
            " AND received_on >= ? AND received_on < ? ORDER BY serial", [f"{year}-01-01", f"{year + 1}-01-01"])]

    # -- the clerk's text ----------------------------------------------------------------
    def _kept(self, year: int) -> dict[str, str]:
        return {r["key"]: r["text"] for r in self.store.rows(
            "SELECT key, text FROM summary_texts WHERE year = ? AND deleted = 0", [year])}

    def sections(self, year: int, *, every_part: bool = False) -> list[dict]:
        """Each section: its heading, the text to print (the clerk's, else the draft) and whether edited;
        a part with nothing to say (and not written by the clerk) is left out of the document (the
        editor, `every_part`, shows it for the clerk to write)."""
        f = self.figures(year)
        draft, kept = self._draft(f), self._kept(year)
        headings = dict(SECTIONS)
        headings.update({key: f"一、{tail}" for key, tail in summary_draft.heading_tails(f).items()})
        headings["plans"] = f"六、{year + 1}年工作打算"
        keys = [key for key, _ in SECTIONS if every_part or kept.get(key) or draft[key]]
        numbered = iter("一二三四五六")
        out = []
        for key in keys:  # the parts left are numbered in order
            heading = headings[key] if key == "intro" else f"{next(numbered)}、{headings[key].split('、', 1)[1]}"
            out.append({"key": key, "heading": heading, "draft": draft[key], "text": kept.get(key) or draft[key],
                        "edited": bool(kept.get(key))})
        return out

    def save(self, year: int, texts: dict[str, str | None], cases: list[str] | None = None):
        """Keep the sections the clerk changed (a text equal to the draft, or empty, is not kept:
        that section follows the data again); and the typical cases marked."""
        if not 2000 <= int(year) <= 2100:
            raise ValidationError(f"年份“{year}”不对")
        draft, kept = self.draft(year), self._kept(year)
        known = dict(SECTIONS)
        with self.store.write("update", f"修改{year}年工作总结") as tx:
            for key, text in texts.items():
                if key not in known:
                    raise ValidationError(f"没有名为“{key}”的部分")
                text = (text or "").strip()
                value = text if text and clean(text) != clean(draft[key]) else None
                self._put(tx, year, key, value, key in kept)
            if cases is not None:
                self._put(tx, year, CASES_KEY, json.dumps(list(cases)), CASES_KEY in kept)
        return tx.changes

    def _put(self, tx, year: int, key: str, value: str | None, exists: bool) -> None:
        row_id = text_id(year, key)
        if self.store.scalar("SELECT 1 FROM summary_texts WHERE id = ?", [row_id]):
            tx.update("summary_texts", row_id, {"text": value})
        elif value is not None:
            tx.insert("summary_texts", {"year": year, "key": key, "text": value}, row_id=row_id)

    def current_year(self, today: date | None = None) -> int:
        """The year whose figures the clerk looks at: this one once it has held a plenary or a group
        activity or logged an opinion, else the last (early in a year, or on the demo)."""
        today = today or date.today()
        year = today.year
        starting = codes_where(starts_year=True)
        if self.store.scalar(
                f"""SELECT EXISTS (SELECT 1 FROM meetings WHERE deleted = 0 AND status = 'held'
                                  AND kind IN ({', '.join('?' * len(starting))}) AND date >= ? AND date < ?)
                   OR EXISTS (SELECT 1 FROM opinions WHERE deleted = 0 AND received_on >= ? AND received_on < ?)""",
                [*starting, f"{year}-01-01", f"{year + 1}-01-01", f"{year}-01-01", f"{year + 1}-01-01"]):
            return year
        return year - 1

    def default_year(self, today: date | None = None) -> int:
        """The year the clerk sums up: this one from October (the 区人大 asks in the last quarter) once it
        has records, else the last."""
        today = today or date.today()
        return self.current_year(today) if today.month >= 10 else today.year - 1
