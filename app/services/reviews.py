"""年度评议: each delegate's year — visits, meetings, opinions, receptions — for their 述职, and the
group's 评议 (a grade and remarks) kept per delegate and year."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from app.common.errors import ValidationError
from app.common.textutil import clean
from app.rules.codes import GRADES
from app.rules.meeting_kinds import kinds

if TYPE_CHECKING:
    from app.store import Store

_REVIEW_NS = uuid.UUID("9e1f4c2a-6b7d-4a30-8c5e-1d2f3a4b5c6d")


def review_id(delegate_id: str, year: int) -> str:
    return str(uuid.uuid5(_REVIEW_NS, f"{delegate_id}/{year}"))


class ReviewService:
    def __init__(self, store: Store):
        self.store = store

    def get(self, delegate_id: str, year: int) -> dict | None:
        rows = self.store.rows("SELECT * FROM delegate_reviews WHERE id = ? AND deleted = 0",
                               [review_id(delegate_id, year)])
        return rows[0] if rows else None

    def of_delegate(self, delegate_id: str, year: int | None = None) -> list[dict]:
        """A delegate's 评议 by year (one year, or all)."""
        return self.store.rows("SELECT year, grade, remarks FROM delegate_reviews WHERE delegate_id = ? AND deleted = 0"
                               + (" AND year = ?" if year else "") + " ORDER BY year",
                               [delegate_id] + ([year] if year else []))

    def set(self, delegate_id: str, year: int, grade: str, remarks: str = ""):
        person = self.store.delegates.get(delegate_id)
        if grade not in GRADES:
            raise ValidationError(f"评议等次应为{'、'.join(GRADES)}之一", field="grade")
        if not 2000 <= int(year) <= 2100:
            raise ValidationError(f"年份“{year}”不对", field="year")
        said = clean(remarks) or None
        if grade in ("基本称职", "不称职") and not said:
            raise ValidationError(f"评为“{grade}”请写明评议意见", field="remarks")
        row_id = review_id(delegate_id, int(year))
        with self.store.write("update", f"年度评议：{person['name']} {year}年 {grade}") as tx:
            if self.store.scalar("SELECT 1 FROM delegate_reviews WHERE id = ?", [row_id]):
                tx.update("delegate_reviews", row_id, {"grade": grade, "remarks": said})
            else:
                tx.insert("delegate_reviews", {"delegate_id": delegate_id, "year": int(year), "grade": grade,
                                               "remarks": said}, row_id=row_id)
        return tx.changes

    def year_sheet(self, year: int, term_id: str | None = None) -> list[dict]:
        """代表年度履职情况: one row per delegate who served in `year` (or of `term_id`)."""
        people = (self.store.rows("SELECT d.id, d.name, g.name AS group_name, c.name AS community_name"
                                  " FROM delegates d LEFT JOIN groups g ON g.id = d.group_id"
                                  " LEFT JOIN communities c ON c.id = d.community_id"
                                  " WHERE d.deleted = 0 AND d.term_id = ? ORDER BY g.sort_order, d.name_pinyin",
                                  [term_id]) if term_id
                  else self.store.delegates.serving_between(f"{year}-01-01", f"{year}-12-31"))
        rows = []
        for person in people:
            record = self.store.duty_records.get(person["id"], year)
            review = self.get(person["id"], year) or {}
            rows.append({"id": person["id"], "name": person["name"], "group_name": person.get("group_name"),
                         "community_name": person.get("community_name"), "visits": record["grid_visits"],
                         **{k.code: record[k.code] for k in kinds()}, "opinions": len(record["opinions"]),
                         "supervisions": len(record["supervisions"]), "surveys": record["surveys"],
                         "grade": review.get("grade"), "remarks": review.get("remarks")})
        return rows
