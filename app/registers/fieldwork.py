"""Registers of the work between meetings: 网格走访登记表 and 落实事项台账."""

from __future__ import annotations

from app.registers import period
from app.registers.writer import Column, Register
from app.services.action_items import ActionFilter
from app.services.visits import VisitFilter


def visits(store, year: int | None = None, term_id: str | None = None) -> Register:
    rows = store.visits.list(VisitFilter(year=year, term_id=term_id))
    rows.reverse()  # oldest first, as on the paper sheets
    for row in rows:
        row["place"] = f"{row['community_name'] or ''}{row['grid_name']}"
    # One page wide at 9 pt or more: the grid with its community in one column, short headers.
    columns = [Column("走访日期", "day", 11, kind="date"), Column("代表", "delegate_name", 8),
               Column("议事小组", "group_name", 9), Column("走访网格", "place", 12, 20),
               Column("接触群众", "residents_met", 8, kind="int"),
               Column("听取的意见和问题", "matters", 20, 40, wrap=True),
               Column("形成意见", "opinion_count", 8, kind="int"), Column("备注", "notes", 6, 12, wrap=True)]
    title = f"{store.settings.get('subdistrict') or ''}议事代表网格走访登记表{period(store, year, term_id)}"
    return Register(title, store.settings.unit(), columns, rows, "网格走访")


def actions(store, year: int | None = None) -> Register:
    rows = store.action_items.list(ActionFilter(year=year))
    rows.sort(key=lambda r: (r["meeting_date"], r["sort_order"] or 0))
    for row in rows:
        row["progress"] = (f"已转入意见建议台账（{'、'.join(row['opinions'])}）" if row["in_ledger"]
                           else row["last_progress"])
        row["owner"] = (row["unit"] or "") + (f"（{row['person']}）" if row["person"] else "")
    # One page wide at 9 pt: the unit with its person, and the latest progress (or the ledger
    # numbers the item moved to) in one column each.
    columns = [Column("会议日期", "meeting_date", 11, kind="date"), Column("会议", "meeting_title", 12, 16, wrap=True),
               Column("落实事项", "content", 18, 26, wrap=True), Column("责任单位（人）", "owner", 8, 16, wrap=True),
               Column("完成期限", "deadline", 11, kind="date"), Column("状态", "status_label", 6),
               Column("完成日期", "done_on", 11, kind="date"), Column("进展", "progress", 10, 12, wrap=True)]
    title = f"{store.settings.get('subdistrict') or ''}会议落实事项台账{period(store, year)}"
    return Register(title, store.settings.unit(), columns, rows, "落实事项")
