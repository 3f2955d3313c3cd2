"""年度工作总结: drafted from the year's records, the clerk's edits kept across exports."""

from app.documents.catalog import export_doc
from tests.app.documents.test_official_grid import lines_of
from tests.conftest import DEMO_YEAR


def _text(path):
    return "".join(ln["text"] for page in lines_of(path) for ln in page["lines"])


def test_the_summary_states_the_years_figures_and_keeps_the_clerks_edit(demo, tmp_path):
    s = demo
    sections = {x["key"]: x for x in s.summary.sections(DEMO_YEAR)}
    assert [x["heading"][:2] for x in sections.values()][1:] == ["一、", "二、", "三、", "四、"]
    figures = s.summary.figures(DEMO_YEAR)
    export_doc(s, "summary", str(DEMO_YEAR), tmp_path / "a.pdf")
    text = _text(tmp_path / "a.pdf")
    assert (figures["plenaries"], figures["group_activities"]) == (2, 20)
    for words in ("规范推选程序", "强化阵地建设", "提升议事质量", "确保议事效果", "初步人选110人", "70名议事代表",
                  "534个", "召开议事代表大会2次、分组活动20次", "收集群众意见建议28条", "360"):
        assert words in text, words
    # the clerk rewrites a part: kept, and printed again at the next export
    mine = "一是打造街道议事中心。利用街道办事处5个大小会议室打造议事中心。（本段经工作人员修改）"
    s.summary.save(DEMO_YEAR, {"venues": mine})
    assert s.summary.sections(DEMO_YEAR)[2]["edited"]
    export_doc(s, "summary", str(DEMO_YEAR), tmp_path / "b.pdf")
    assert "本段经工作人员修改" in _text(tmp_path / "b.pdf")
    # the same text as the draft is not an edit; emptying a part gives it back to the data
    s.summary.save(DEMO_YEAR, {"venues": ""})
    assert not s.summary.sections(DEMO_YEAR)[2]["edited"]
    # typical cases are the clerk's to choose
    s.summary.save(DEMO_YEAR, {}, cases=[])
    assert "360" not in s.summary.sections(DEMO_YEAR)[4]["text"]
