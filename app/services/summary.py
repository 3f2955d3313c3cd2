"""年度工作总结: the year-end text the 区人大 asks for, drafted from the year's records in the shape
of the field report (规范推选程序, 强化阵地建设, 提升议事质量, 确保议事效果), with the typical
cases the clerk marks. A section the clerk rewrites is kept and wins over the draft at every
export; "恢复自动生成" drops the edit.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

from ..errors import ValidationError
from ..rules.fields import names_of
from ..textutil import clean

_TEXT_NS = uuid.UUID("3c9d1b7e-2f4a-4e8b-b6d0-7a1e5c9f2d44")
SECTIONS = (("intro", "导语"), ("selection", "一、落实三项举措，规范推选程序"),
            ("venues", "二、打造三级平台，强化阵地建设"), ("quality", "三、抓实三个环节，提升议事质量"),
            ("effect", "四、创新议事方法，确保议事效果"))
CASES_KEY = "cases"


def text_id(year: int, key: str) -> str:
    return str(uuid.uuid5(_TEXT_NS, f"{year}/{key}"))


class YearSummary:
    def __init__(self, store):
        self.store = store

    # -- the figures ------------------------------------------------------------------
    def figures(self, year: int) -> dict:
        s = self.store
        held = s.meetings.by_kind(year, status="held")
        opinions = s.opinion_stats.opinions(year)
        fieldwork = s.opinion_stats.fieldwork(year)
        venues = s.venues.by_level()
        round_row = s.rows("SELECT * FROM nomination_rounds WHERE deleted = 0 AND kind = 'regular'"
                           " AND confirmed_on IS NOT NULL ORDER BY confirmed_on DESC LIMIT 1")
        candidates = appointed = 0
        if round_row:
            candidates = s.scalar("SELECT count(*) FROM candidates WHERE round_id = ? AND deleted = 0",
                                  [round_row[0]["id"]])
            appointed = s.scalar("SELECT count(*) FROM candidates WHERE round_id = ? AND deleted = 0"
                                 " AND status = 'appointed'", [round_row[0]["id"]])
        groups = s.groups.list()
        sizes = [g["community_count"] for g in groups if g.get("community_count")]
        departments = set()
        for row in s.rows("SELECT departments FROM meetings WHERE deleted = 0 AND status = 'held' AND date >= ?"
                          " AND date < ?", [f"{year}-01-01", f"{year + 1}-01-01"]):
            departments.update(names_of(row["departments"]))
        return {"year": year, "subdistrict": s.settings.get("subdistrict") or "", "unit": s.settings.unit(),
                "institutions": s.institutions.summary(), "plenaries": held.get("plenary", 0),
                "group_activities": held.get("group_activity", 0), "receptions": held.get("reception", 0),
                "opinions": opinions, "fieldwork": fieldwork, "venues": venues,
                "delegates": s.scalar("SELECT count(*) FROM delegates WHERE deleted = 0 AND status = 'active'"),
                "candidates": candidates, "appointed": appointed, "groups": len(groups),
                "group_sizes": (min(sizes), max(sizes)) if sizes else None, "grids": s.grids.count(),
                "departments": sorted(departments),
                "reception_matters": s.scalar(
                    "SELECT count(*) FROM reception_matters r JOIN meetings m ON m.id = r.meeting_id"
                    " WHERE r.deleted = 0 AND m.deleted = 0 AND m.date >= ? AND m.date < ?",
                    [f"{year}-01-01", f"{year + 1}-01-01"])}

    # -- the draft ---------------------------------------------------------------------
    def draft(self, year: int) -> dict[str, str]:
        f = self.figures(year)
        o, work, basis = f["opinions"], f["fieldwork"], f["institutions"]
        out = {}
        out["intro"] = (f"{year}年，{f['unit']}围绕规范推选程序、强化阵地建设、提升议事质量、确保议事效果四个方面完善举措，"
                        f"先后召开议事代表大会{f['plenaries']}次、分组活动{f['group_activities']}次，收集群众意见建议"
                        f"{o['total']}条，助推解决了一批群众关心的热点难点问题。现将有关情况总结如下。")
        group = basis["leading_group"]
        rules = basis["rules"]
        organised = (f"街道党工委先后{len(basis['studies'])}次召开会议进行专题研究" if basis["studies"] else "")
        if group:
            organised += ("；" if organised else "") + "及时成立领导小组"
        if basis["plan"]:
            organised += f"，印发《{basis['plan']['title']}》"
        if rules:
            organised += f"，制定{rules[0]['title'].removesuffix('制度')}等{len(rules)}项制度"
        sizes = f"每个小组由{f['group_sizes'][0]}—{f['group_sizes'][1]}个村（社区）组成" if f["group_sizes"] else ""
        out["selection"] = (
            (f"一是强化组织保障。{organised}，为推行议事代表会议制度提供组织和制度保障。" if organised else "")
            + f"二是规范推选流程。采取“两下两上”方式，各村（社区）基层党组织或居民10人以上联名推荐初步人选"
              f"{f['candidates']}人，经村（居）民代表会议通过、人大街道工委初审、相关部门联审和公示，最终确定"
              f"{f['appointed'] or f['delegates']}名议事代表。"
            + f"三是科学合理分组。将{f['delegates']}名议事代表划分成{f['groups']}个议事代表小组，{sizes}"
              f"{'，' if sizes else ''}同步将议事代表融入{f['grids']}个网格。")
        levels = f["venues"]
        out["venues"] = (
            f"一是打造街道议事中心{levels.get('centre', 0)}个，为召开集中议事会议和分组讨论提供场地保障。"
            f"二是打造片区议事厅{levels.get('area_hall', 0)}个，为议事小组商议片区群众利益事项提供阵地保障。"
            f"三是打造小区邻里议事堂{levels.get('neighbourhood_hall', 0)}个，全年开展接待日{f['receptions']}次，"
            f"议事代表面对面听取群众反映事项{f['reception_matters']}件。")
        departments = "、".join(f["departments"][:6])
        out["quality"] = (
            f"一是规范议事会议流程，全年召开议事代表大会{f['plenaries']}次，会前、会中、会后各环节按流程图推进。"
            f"二是做实议事小组活动，{f['groups']}个议事小组开展分组活动{f['group_activities']}次"
            + (f"，协调{departments}等部门参与议事" if departments else "") + "。"
            f"三是抓实意见办理，收集的{o['total']}条意见建议中，社区自治事项{o['by_category'].get('self_governance', 0)}条、"
            f"街道职责事项{o['by_category'].get('subdistrict', 0)}条、部门职责事项{o['by_category'].get('department', 0)}条，"
            f"分类交办督办，办结{o['solved']}条"
            + (f"，群众满意率{o['satisfaction_rate']}%" if o["satisfaction_rate"] is not None else "") + "。")
        cases = "".join(self.case_text(opinion_id) for opinion_id in self.cases(year))
        out["effect"] = (
            f"全面实行五步工作法：议事代表每月深入网格走访群众，全年走访{work['visits']}次、接触群众"
            f"{work['residents_met']}人次，收集意见建议上报议事小组组长；组长筛选并征求小组代表意见后确定议题，"
            f"报人大街道工委审核；各议事小组制定议事方案集中议事，在会议纪要中明确落实事项{work['actions']}项、"
            f"已完成{work['actions_done']}项；人大街道工委和议事代表全程监督办理；办理结果及时反馈群众，"
            f"做到件件有回音。" + cases)
        return out

    def case_text(self, opinion_id: str) -> str:
        o = self.store.opinions.detail(opinion_id)
        deliberated = next((e for e in o["timeline"] if e["kind"] == "deliberate"), None)
        how = f"{o['group_name'] or ''}议事代表在{deliberated['text']}中与有关部门商议解决方案，" if deliberated else ""
        people = f"（涉及群众{o['residents']}人）" if o.get("residents") else ""
        return f"如针对群众反映的“{o['title']}”问题{people}，{how}{(o.get('result') or '').rstrip('。')}。"

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

    def sections(self, year: int) -> list[dict]:
        """Each section: its heading, the text to print (the clerk's, else the draft) and whether edited."""
        draft, kept = self.draft(year), self._kept(year)
        return [{"key": key, "heading": heading, "draft": draft[key], "text": kept.get(key) or draft[key],
                 "edited": bool(kept.get(key))} for key, heading in SECTIONS]

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
        if self.store.scalar(
                """SELECT EXISTS (SELECT 1 FROM meetings WHERE deleted = 0 AND status = 'held'
                                  AND kind IN ('plenary', 'group_activity') AND date >= ? AND date < ?)
                   OR EXISTS (SELECT 1 FROM opinions WHERE deleted = 0 AND received_on >= ? AND received_on < ?)""",
                [f"{year}-01-01", f"{year + 1}-01-01"] * 2):
            return year
        return year - 1

    def default_year(self, today: date | None = None) -> int:
        """The year the clerk sums up: this one from October (the 区人大 asks in the last quarter) once it
        has records, else the last."""
        today = today or date.today()
        return self.current_year(today) if today.month >= 10 else today.year - 1
