"""发文登记: a red-head document gets the next 文号 of its year when first issued and keeps it on
every later export; the 备案报告 (上行文) names its 签发人; the mark and the 文号 name one body."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from app.common.errors import ConflictError, ValidationError
from app.documents.catalog import export_doc
from app.registers.catalog import export_register
from tests.app.documents.test_official_grid import lines_of
from tests.conftest import digest


def _text(path) -> str:
    return "".join(ln["text"] for page in lines_of(path) for ln in page["lines"])


def _planned(demo) -> list[str]:
    return [r["id"] for r in demo.rows("SELECT id FROM meetings WHERE status = 'planned' AND kind != 'reception'"
                                       " AND deleted = 0 ORDER BY date")]


def test_a_notice_gets_the_next_number_once_and_keeps_it(demo, tmp_path):
    first, second = _planned(demo)[:2]
    year = export_doc(demo, "meeting_notice", first, tmp_path / "a.pdf")["dated_on"][:4]
    number = demo.issued_docs.number("meeting_notice", first)
    assert number and number.startswith("中山路街道人大工委〔") and number in _text(tmp_path / "a.pdf")
    export_doc(demo, "meeting_notice", first, tmp_path / "again.pdf")  # exported again: the same number
    assert demo.issued_docs.number("meeting_notice", first) == number and number in _text(tmp_path / "again.pdf")
    export_doc(demo, "meeting_notice", second, tmp_path / "b.pdf")
    following = demo.issued_docs.number("meeting_notice", second)
    assert following != number and int(following.split("〕")[1].rstrip("号")) == int(number.split("〕")[1].rstrip("号")) + 1
    # the 发文登记簿 lists both, with what each was issued for
    export_register(demo, "issued", tmp_path / "登记.xlsx", year=int(year))
    cells = [str(c.value) for row in load_workbook(tmp_path / "登记.xlsx").active.iter_rows() for c in row if c.value]
    assert number in cells and following in cells and "会议通知" in cells


def test_the_filing_report_names_its_signer_and_is_refused_without_one(demo, tmp_path):
    export_doc(demo, "filing", None, tmp_path / "filing.pdf")
    first_page = lines_of(tmp_path / "filing.pdf")[0]["lines"]
    numbered = next(ln["text"] for ln in first_page if "签发人" in ln["text"])
    assert numbered.startswith("中山路街道人大工委〔") and numbered.endswith("签发人：李红梅")
    demo.settings.update({"signer": ""})
    before = digest(demo)
    with pytest.raises(ConflictError, match="签发人"):
        export_doc(demo, "filing", None, tmp_path / "unsigned.pdf")
    assert digest(demo) == before and not (tmp_path / "unsigned.pdf").exists()


def test_the_mark_and_the_number_name_the_same_body(demo):
    with pytest.raises(ValidationError, match="与发文机关标志“中山路街道人大工委”不一致"):
        demo.settings.update({"doc_number_pattern": "中山路人大工委〔{年}〕{号}号"})
    demo.settings.update({"issuer_mark": "永川区中山路街道人大工委文件", "doc_number_pattern": ""})
    assert demo.settings.get("doc_number_pattern") == "永川区中山路街道人大工委〔{年}〕{号}号"
