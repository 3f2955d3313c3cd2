"""Grid visits (网格走访): step 1 of the five-step method.

"议事代表每月走访网格，收集群众意见，上报组长": each visit is logged (delegate, grid, day,
residents met, matters heard); opinions raised on a visit are logged with it and point back to
it. The monthly board shows, per serving delegate, the grids visited against the grids assigned,
and who has not visited at all.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.common.errors import ValidationError
from app.common.textutil import clean, parse_date
from app.services.base import FieldSpec, Service, add_equals
from app.services.rows import Row
from app.storage.changes import Changes


@dataclass
class VisitFilter:
    month: str | None = None  # "2026-05"
    year: int | None = None
    delegate_id: str | None = None
    group_id: str | None = None
    term_id: str | None = None
    search: str = ""


def month_of(text: str, label: str = "月份") -> str:
    """'2026-5', '2026-05', '2026年5月' -> '2026-05'."""
    raw = clean(text).replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    parts = raw.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        if len(parts) != 2 or not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except (ValueError, IndexError):
        raise ValidationError(f"{label}“{text}”应写成 2026-05", field="month") from None
    return f"{year:04d}-{month:02d}"


class VisitService(Service[Row]):
    table = "grid_visits"
    row_type = Row
    noun = "网格走访记录"
    fields = (
        FieldSpec("delegate_id", "走访代表", "ref", required=True, ref="delegates"),
        FieldSpec("grid_id", "走访网格", "ref", required=True, ref="grids"),
        FieldSpec("day", "走访日期", "date", required=True),
        FieldSpec("residents_met", "接触群众（人）", "int"),
        FieldSpec("matters", "听取的意见和问题", "multiline"),
        FieldSpec("notes", "备注", "multiline"),
    )

    def title(self, row):
        return f"{row.get('day', '')} 走访"

    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
        merged = {**(existing or {}), **values}
        parse_date(merged.get("day"), "走访日期", "day")
        if merged["day"] > date.today().isoformat():
            raise ValidationError(f"走访日期 {merged['day']} 晚于今天", field="day")
        if merged.get("residents_met") is not None and merged["residents_met"] < 0:
            raise ValidationError("接触群众人数不能为负数", field="residents_met")
        self.live_ref("delegates", values.get("delegate_id"), "代表", "delegate_id")
        self.live_ref("grids", values.get("grid_id"), "网格", "grid_id")

    def _opinion_values(self, visit: dict, opinions: builtins.list) -> builtins.list[dict]:
        out = []
        for item in opinions or []:
            item = {"title": item} if isinstance(item, str) else dict(item)
            if not clean(item.get("title")):
                continue
            out.append({"source": "grid_visit", "received_on": visit["day"], "delegate_id": visit["delegate_id"],
                        "grid_id": visit["grid_id"], "title": clean(item["title"]),
                        "content": item.get("content"), "residents": item.get("residents"),
                        "contact": item.get("contact")})
        return out

    def create(self, values: dict, opinions: builtins.list | None = None):
        """One visit and the opinions raised on it, in one edit."""
        values = self.prepare(dict(values))
        who = self.store.scalar("SELECT name FROM delegates WHERE id = ?", [values["delegate_id"]])
        with self.store.db.atomic():
            with self.store.write("create", f"登记网格走访：{who} {values['day']}") as tx:
                visit_id = tx.insert(self.table, values)
            return Changes.combined([tx.changes] + [self.store.opinions.create(opinion, visit_id=visit_id)
                                                    for opinion in self._opinion_values(values, opinions or [])])

    def create_many(self, rows: builtins.list[dict]):
        """A paper visit sheet keyed in: every row checked first (the row number named in a
        refusal), then all written in one transaction (one undo)."""
        prepared: builtins.list[tuple[int, dict, builtins.list]] = []
        for number, row in enumerate(rows, 1):
            row = {k: v for k, v in row.items() if v not in (None, "")}
            if not any(row.get(k) for k in ("delegate_id", "grid_id", "day")):
                continue  # a blank line of the sheet
            try:
                prepared.append((number, self.prepare({k: row.get(k) for k in (f.name for f in self.fields)}),
                                 row.get("opinions") or []))
            except ValidationError as exc:
                raise ValidationError(f"第 {number} 行：{exc.message}", field=exc.field) from None
        if not prepared:
            raise ValidationError("走访登记表是空的：请至少填写一行（代表、网格、日期）")
        made = []
        with self.store.db.atomic():
            for number, values, opinions in prepared:
                try:  # an opinion the rule book refuses (too long...) is named by its line too
                    made.append(self.create(values, opinions))
                except ValidationError as exc:
                    raise ValidationError(f"第 {number} 行：{exc.message}", field=exc.field) from None
            return Changes.combined(made)

    def on_delete(self, tx, row: Mapping[str, Any]) -> None:
        # The opinions stay in the ledger; they no longer point at a deleted visit.
        for opinion_id in [r["id"] for r in self.store.rows(
                "SELECT id FROM opinions WHERE visit_id = ? AND deleted = 0", [row["id"]])]:
            tx.update("opinions", opinion_id, {"visit_id": None})

    def parents_deleted(self, row: Mapping[str, Any]) -> builtins.list[str]:
        out = []
        for table, key, noun in (("delegates", "delegate_id", "代表"), ("grids", "grid_id", "网格")):
            if self.store.scalar(f"SELECT deleted FROM [{table}] WHERE id = ?", [row[key]]):
                out.append(f"所走访的{noun}已删除")
        return out

    # -- reading ---------------------------------------------------------------------
    def _where(self, flt: VisitFilter) -> tuple[str, builtins.list]:
        clauses, params = ["v.deleted = 0"], []
        if flt.month:
            clauses.append("v.day >= ? AND v.day < ?")
            params += [f"{flt.month}-01", f"{flt.month}-32"]
        if flt.year:
            clauses.append("v.day >= ? AND v.day < ?")
            params += [f"{flt.year}-01-01", f"{flt.year + 1}-01-01"]
        add_equals(clauses, params, (("v.delegate_id", flt.delegate_id), ("d.group_id", flt.group_id),
                              ("d.term_id", flt.term_id)))
        if flt.search:
            clauses.append("(d.name LIKE ? OR x.name LIKE ? OR v.matters LIKE ? OR d.name_initials LIKE ?)")
            params += [f"%{flt.search}%"] * 3 + [f"{flt.search.lower()}%"]
        return " AND ".join(clauses), params

    def list(self, flt: VisitFilter | None = None, limit: int | None = None) -> builtins.list[dict]:
        flt = flt or VisitFilter()
        where, params = self._where(flt)
        sql = f"""SELECT v.*, d.name AS delegate_name, x.name AS grid_name, c.name AS community_name,
                     g.name AS group_name,
                     (SELECT count(*) FROM opinions o WHERE o.visit_id = v.id AND o.deleted = 0) AS opinion_count
                  FROM grid_visits v JOIN delegates d ON d.id = v.delegate_id JOIN grids x ON x.id = v.grid_id
                  LEFT JOIN communities c ON c.id = x.community_id LEFT JOIN groups g ON g.id = d.group_id
                  WHERE {where} ORDER BY v.day DESC, g.sort_order, d.name_pinyin"""
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self.store.rows(sql, params)

    def opinions_of(self, visit_id: str) -> builtins.list[dict]:
        return self.store.rows("SELECT id, serial, title, status FROM opinions WHERE visit_id = ? AND deleted = 0"
                               " ORDER BY serial", [visit_id])

    def _assigned_grids(self) -> dict[str, int]:
        """delegate id -> how many live grids they are linked to."""
        return {r["delegate_id"]: r["n"] for r in self.store.rows(
            "SELECT dg.delegate_id, count(*) AS n FROM delegate_grids dg JOIN grids x ON x.id = dg.grid_id"
            " WHERE dg.deleted = 0 AND x.deleted = 0 GROUP BY dg.delegate_id")}

    def board(self, month: str, group_id: str | None = None) -> builtins.list[dict]:
        """Each delegate serving in `month`: grids assigned, grids visited that month, visits,
        and whether they visited at all."""
        month = month_of(month)
        first, last = f"{month}-01", f"{month}-31"
        people = self.store.delegates.serving_between(first, last, group_id)
        if not people:
            return []
        visits = {r["delegate_id"]: r for r in self.store.rows(
            """SELECT delegate_id, count(*) AS visits, count(DISTINCT grid_id) AS grids_visited,
                      coalesce(sum(residents_met), 0) AS residents
               FROM grid_visits WHERE deleted = 0 AND day >= ? AND day <= ? GROUP BY delegate_id""",
            [first, last])}
        assigned = self._assigned_grids()
        rows = []
        for person in people:
            v = visits.get(person["id"], {})
            rows.append({**person, "month": month, "assigned_grids": assigned.get(person["id"], 0),
                         "visits": v.get("visits", 0), "grids_visited": v.get("grids_visited", 0),
                         "residents": v.get("residents", 0), "visited": bool(v)})
        return rows

    def year_board(self, year: int, group_id: str | None = None, today: date | None = None) -> dict:
        """Delegate × month of `year` up to this month: grids visited of grids assigned, and visits."""
        today = today or date.today()
        months = [f"{year}-{m:02d}" for m in range(1, 13) if f"{year}-{m:02d}" <= today.isoformat()[:7]]
        people = self.store.delegates.serving_between(f"{year}-01-01", f"{year}-12-31", group_id)
        cells: dict[tuple[str, str], dict] = {}
        for r in self.store.rows("SELECT delegate_id, substr(day, 1, 7) AS month, count(*) AS visits,"
                                 " count(DISTINCT grid_id) AS grids FROM grid_visits WHERE deleted = 0"
                                 " AND day >= ? AND day < ? GROUP BY delegate_id, month",
                                 [f"{year}-01-01", f"{year + 1}-01-01"]):
            cells[(r["delegate_id"], r["month"])] = r
        assigned = self._assigned_grids()
        for person in people:
            person["assigned_grids"] = assigned.get(person["id"], 0)
            person["months"] = {m: {"visits": cells[(person["id"], m)]["visits"] if (person["id"], m) in cells else 0,
                                    "grids": cells[(person["id"], m)]["grids"] if (person["id"], m) in cells else 0}
                                for m in months}
            person["total"] = sum(c["visits"] for c in person["months"].values())
            person["months_missed"] = sum(1 for c in person["months"].values() if not c["visits"])
        return {"year": year, "months": months, "rows": people}

    def not_visited(self, month: str | None = None) -> builtins.list[dict]:
        """Serving delegates with no visit logged in `month` (default: this month)."""
        return [r for r in self.board(month or date.today().isoformat()[:7]) if not r["visited"]]

    def count_for(self, delegate_id: str, year: int | None = None) -> int:
        sql, params = "SELECT count(*) FROM grid_visits WHERE delegate_id = ? AND deleted = 0", [delegate_id]
        if year:
            sql += " AND day >= ? AND day < ?"
            params += [f"{year}-01-01", f"{year + 1}-01-01"]
        return self.store.scalar(sql, params)

    def entry_choices(self) -> dict:
        """Delegates serving now with their grids, for the visit sheet's pickers."""
        people = self.store.delegates.choices()
        grids: dict[str, builtins.list[tuple[str, str]]] = {}
        for r in self.store.rows("SELECT dg.delegate_id, x.id, x.name, c.name AS community FROM delegate_grids dg"
                                 " JOIN grids x ON x.id = dg.grid_id JOIN communities c ON c.id = x.community_id"
                                 " WHERE dg.deleted = 0 AND x.deleted = 0 ORDER BY x.number"):
            grids.setdefault(r["delegate_id"], []).append((r["id"], f"{r['community']} {r['name']}"))
        all_grids = [(r["id"], f"{r['community']} {r['name']}") for r in self.store.rows(
            "SELECT x.id, x.name, c.name AS community FROM grids x JOIN communities c ON c.id = x.community_id"
            " WHERE x.deleted = 0 ORDER BY c.sort_order, x.number")]
        return {"delegates": people, "grids_of": grids, "grids": all_grids}
