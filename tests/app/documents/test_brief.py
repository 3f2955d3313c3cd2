"""工作简报 of the school-bus activity: what was discussed, who came, what was decided, its photos."""

import pytest
from pypdf import PdfReader

from app.common.errors import ConflictError
from app.documents.catalog import export_doc
from app.services.meetings import MeetingFilter
from tests.app.documents.test_official_grid import lines_of


def test_the_brief_of_the_school_bus_activity(demo, tmp_path):
    meeting = demo.meetings.page(MeetingFilter(search="定制公交"), limit=None)[0]
    export_doc(demo, "brief", meeting["id"], tmp_path / "b.pdf")
    text = "".join(ln["text"] for page in lines_of(tmp_path / "b.pdf") for ln in page["lines"])
    for words in ("工作简报", "第1期", "万达广场片区学生上学交通问题", "一、议事情况", "实到", "永川区交通运输委员会",
                  "二、议定事项", "5条定制公交线路", "三、活动照片", "议事厅座谈协商现场", "报：区人大常委会"):
        assert words in text, words
    # the photos of later days (the trial ride, the first day of school) are not the meeting day's
    assert "定制公交开通首日" not in text
    images = sum(len(page.images) for page in PdfReader(tmp_path / "b.pdf").pages)
    assert images == 1
    # dated at the start of term, its brief shows them all, in the order they were taken
    export_doc(demo, "brief", meeting["id"], tmp_path / "c.pdf", dated_on=f"{meeting['date'][:4]}-09-02")
    text = "".join(ln["text"] for page in lines_of(tmp_path / "c.pdf") for ln in page["lines"])
    assert text.index("议事厅座谈协商现场") < text.index("代表随车试乘定制公交") < text.index("定制公交开通首日")


def test_a_meeting_not_yet_held_has_no_brief(demo, tmp_path):
    planned = demo.rows("SELECT id FROM meetings WHERE status = 'planned' AND deleted = 0 LIMIT 1")[0]["id"]
    with pytest.raises(ConflictError, match="尚未召开"):
        export_doc(demo, "brief", planned, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
