import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.documents.catalog import export_doc
from app.registers.catalog import export_register
from app.services.opinions import OpinionFilter
from tests.app.documents.test_meeting_docs import embedded_fonts
from tests.conftest import DEMO_YEAR


@pytest.fixture
def bus(demo):
    return demo.opinions.page(OpinionFilter(search="公交线路"), limit=None)[0]


@pytest.mark.parametrize("kind", ["assignment", "feedback"])
def test_assignment_form_and_feedback_slip(demo, bus, tmp_path, kind):
    path = tmp_path / f"{kind}.pdf"
    export_doc(demo, kind, bus["id"], path)
    reader = PdfReader(path)
    text = reader.pages[0].extract_text().replace("\n", "")
    assert bus["serial"] in text or bus["feedback_serial"] in text
    assert "永川区交通运输委员会" in text and "— 1 —" in text  # the department by its one official name
    assert all(embedded for _, embedded in embedded_fonts(reader))


def test_printed_ledger_is_landscape_with_the_header_on_every_page(demo, tmp_path):
    for n in range(60):  # enough rows for several pages
        demo.opinions.create({"source": "phone", "received_on": "2026-11-01", "title": f"测试意见{n}"})
    path = tmp_path / "ledger.pdf"
    export_doc(demo, "ledger", None, path)
    reader = PdfReader(path)
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, 1):
        assert float(page.mediabox.width) > float(page.mediabox.height)
        text = page.extract_text()
        assert "意见建议" in text and "承办单位" in text and f"— {number} —" in text
    assert all(embedded for _, embedded in embedded_fonts(reader))


def test_ledger_register_has_28_rows_and_no_formulas(demo, tmp_path):
    path = tmp_path / "ledger.xlsx"
    result = export_register(demo, "ledger", path, year=DEMO_YEAR)  # the report's year (the current one goes on)
    assert result["rows"] == 28
    ws = load_workbook(path).active
    assert ws.cell(3, 1).value == "序号" and ws.cell(31, 1).value == 28
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    assert ws.page_setup.orientation == "landscape"


def test_stats_and_supervision_registers(demo, tmp_path):
    export_register(demo, "stats", tmp_path / "s.xlsx", year=DEMO_YEAR)
    ws = load_workbook(tmp_path / "s.xlsx").active
    rows = [(ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(4, ws.max_row + 1)]
    values = {item: value for _, item, value in rows}
    assert values["召开议事代表大会（次）"] == 2 and values["收集群众意见建议（条）"] == 28
    assert values["开展分组活动（次）"] == 20 and values["代表走访网格（次）"] > 0
    # fixed rows: an empty office's sheet has the same codes and items, so a district can add them up
    from app.store import Store

    with Store.open(tmp_path / "empty") as empty:
        export_register(empty, "stats", tmp_path / "e.xlsx", year=DEMO_YEAR)
    other = load_workbook(tmp_path / "e.xlsx").active
    assert [(other.cell(r, 2).value, other.cell(r, 3).value) for r in range(4, other.max_row + 1)] == \
        [(code, item) for code, item, _ in rows]
    # a 不予采纳 opinion fed back to the residents is still declined, and not solved
    declined = demo.rows("SELECT id FROM opinions WHERE status = 'declined' AND received_on LIKE ?",
                         [f"{DEMO_YEAR}-%"])[0]["id"]
    demo.opinions.feedback(declined, "基本满意", "电话", f"{DEMO_YEAR}-12-30")
    export_register(demo, "stats", tmp_path / "s2.xlsx", year=DEMO_YEAR)
    ws = load_workbook(tmp_path / "s2.xlsx").active
    again = {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(4, ws.max_row + 1)}
    assert again["不予采纳（条）"] == values["不予采纳（条）"] == 2
    assert again["已办结（条）"] == values["已办结（条）"]
    export_register(demo, "supervision", tmp_path / "v.xlsx")
    assert load_workbook(tmp_path / "v.xlsx").active.max_row > 5


def test_duty_record_pdf(demo, bus, tmp_path):
    path = tmp_path / "duty.pdf"
    export_doc(demo, "duty", bus["delegate_id"], path)
    # (the opinions may run over to the next page: the delegate raised more this year)
    text = "".join(page.extract_text() for page in PdfReader(path).pages).replace("\n", "")
    assert "履职档案" in text and "出席分组活动" in text and "增设万达广场片区" in text
