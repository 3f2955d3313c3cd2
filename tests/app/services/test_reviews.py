"""代表年度履职情况 and 年度评议."""

import pytest
from openpyxl import load_workbook

from app.common.errors import ValidationError
from app.documents.catalog import export_doc
from app.registers.catalog import export_register
from tests.app.documents.test_official_grid import lines_of


def test_the_year_sheet_counts_from_the_records_and_carries_the_review(demo, tmp_path):
    person = demo.rows("SELECT id, name FROM delegates WHERE deleted = 0 ORDER BY name_pinyin LIMIT 1")[0]
    with pytest.raises(ValidationError, match="请写明评议意见"):
        demo.reviews.set(person["id"], 2026, "基本称职")
    demo.reviews.set(person["id"], 2026, "称职")
    demo.reviews.set(person["id"], 2026, "优秀", "走访网格次数全组第一")  # a second 评议 replaces the first
    row = next(r for r in demo.reviews.year_sheet(2026) if r["id"] == person["id"])
    record = demo.duty_records.get(person["id"], 2026)
    assert row["visits"] == record["grid_visits"] == demo.visits.count_for(person["id"], 2026) > 0
    assert (row["grade"], row["remarks"]) == ("优秀", "走访网格次数全组第一")
    result = export_register(demo, "performance", tmp_path / "p.xlsx", year=2026)
    assert result["rows"] == 70
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert "2026年度履职情况" in next(c.value for c in ws[1] if c.value)
    export_doc(demo, "duty", person["id"], tmp_path / "d.pdf")
    text = "".join(ln["text"] for page in lines_of(tmp_path / "d.pdf") for ln in page["lines"])
    assert "2026年优秀" in text
