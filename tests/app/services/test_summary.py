"""年度工作总结: drafted from the year's records, the clerk's edits kept across exports."""

import pytest

from app.common.errors import ConflictError
from app.documents.catalog import export_doc
from tests.app.documents.test_official_grid import lines_of
from tests.conftest import DEMO_YEAR, digest


def _text(path):
    return "".join(ln["text"] for page in lines_of(path) for ln in page["lines"])


def test_the_summary_states_the_years_figures_and_keeps_the_clerks_edit(demo, tmp_path):
    s = demo
    sections = {x["key"]: x for x in s.summary.sections(DEMO_YEAR)}
    assert [x["heading"][:2] for x in sections.values()][1:] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert sections["problems"]["heading"] == "五、存在的问题"
    assert sections["plans"]["heading"] == f"六、{DEMO_YEAR + 1}年工作打算"
    figures = s.summary.figures(DEMO_YEAR)
    export_doc(s, "summary", str(DEMO_YEAR), tmp_path / "a.pdf")
    text = _text(tmp_path / "a.pdf")
    assert (figures.held["plenary"], figures.held["group_activity"]) == (2, 20)
    for words in ("加强代表管理", "强化阵地建设", "提升议事质量", "确保议事效果", "召开议事代表大会2次",
                  "组织分组活动20次", "收集群众意见建议28条", "534个", "360", "存在的问题", f"{DEMO_YEAR + 1}年工作打算",
                  "第一会议室（大会议室）等5个会议室", "票决民生实事项目3项", "实到65人"):
        assert words in text, words
    # the selection of the year before is not retold as this year's work
    assert "初步人选" not in text and "在任70名" in text
    # the Word file the clerk retouches says the same
    from docx import Document

    export_doc(s, "summary", str(DEMO_YEAR), tmp_path / "a.docx")
    word = "".join(p.text for p in Document(str(tmp_path / "a.docx")).paragraphs)
    for words in ("五、存在的问题", f"六、{DEMO_YEAR + 1}年工作打算", "票决民生实事项目3项", "第一会议室（大会议室）等5个会议室"):
        assert words in word, words
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


def test_the_selection_is_told_in_the_year_it_happened(demo):
    text = "".join(x["text"] for x in demo.summary.sections(DEMO_YEAR - 1))
    assert "初步人选110人" in text and "确定70名议事代表" in text and "召开议事代表大会" not in text


def test_a_year_with_nothing_recorded_is_refused_with_the_reason(demo, tmp_path):
    before = digest(demo)
    with pytest.raises(ConflictError, match="2010年没有召开会议、收集意见建议、走访或推选的记录"):
        export_doc(demo, "summary", "2010", tmp_path / "empty.pdf")
    assert not (tmp_path / "empty.pdf").exists() and digest(demo) == before


def test_no_sentence_states_a_figure_twice(demo):
    """Read as the district office reads it: a number or a name is said once in a sentence."""
    import re

    for section in demo.summary.sections(DEMO_YEAR):
        for sentence in re.split(r"[。；]", section["text"]):
            numbers = re.findall(r"\d+(?:\.\d+)?(?!\d|月)", sentence)  # (a month may open several dates)
            repeated = {n for n in numbers if numbers.count(n) > 1 and len(n) > 1}
            assert not repeated, (sentence, repeated)


def test_the_headings_and_the_halls_say_what_the_year_holds(demo):
    """A year without a selection is not headed with the selection's three measures, a part of one
    item has no lone 一是, and a hall still being built is not counted as built."""
    sections = {x["key"]: x for x in demo.summary.sections(DEMO_YEAR)}
    assert sections["selection"]["heading"] == "一、夯实代表基础，加强代表管理"
    assert not sections["selection"]["text"].startswith("一是") and "在任70名" in sections["selection"]["text"]
    assert "规范推选程序" not in sections["intro"]["text"]
    assert sections["venues"]["heading"] == "二、打造三级平台，强化阵地建设"
    halls = [v for v in demo.venues.list() if v["level"] == "neighbourhood_hall"]
    built = [v for v in halls if v["build_status"] == "open"]
    building = [v["name"] for v in halls if v["build_status"] != "open"]
    assert building and f"等{len(built)}个小区建成邻里议事堂，{building[0]}正在筹建" in sections["venues"]["text"]
    founding = {x["key"]: x for x in demo.summary.sections(DEMO_YEAR - 1)}
    assert founding["selection"]["heading"] == "一、落实两项举措，规范推选程序"
    assert founding["selection"]["text"].startswith("一是规范推选流程") and "二是科学合理分组" in founding["selection"]["text"]


def test_late_steps_with_one_count_say_it_once(demo):
    """存在的问题: steps late by the same count are said with that count once, each step with its items."""
    import re

    problems = next(x["text"] for x in demo.summary.sections(DEMO_YEAR) if x["key"] == "problems")
    late = next(s for s in problems.split("。") if "环节超过时限" in s)
    counts = re.findall(r"(\d+)件", late)
    assert len(counts) == 1 and late.count("（“") >= 2, late
    assert "收集后未在5个工作日内上报组长的（“" in late


def test_a_typical_case_names_its_matter_once(demo):
    """A result that repeats the matter's title (渝西社区快递柜占道整治工作已完成) says 相关 the second time."""
    year = DEMO_YEAR + 1
    for opinion_id in demo.summary.cases(year) + demo.summary.cases(DEMO_YEAR):
        title = demo.opinions.detail(opinion_id)["title"]
        assert demo.summary.case_text(opinion_id).count(title) == 1, demo.summary.case_text(opinion_id)
    picked = demo.rows("SELECT id, title, result FROM opinions WHERE deleted = 0 AND instr(result, title) > 0 LIMIT 1")
    assert picked, "the demo holds a result that repeats its title"
    text = demo.summary.case_text(picked[0]["id"])
    assert text.count(picked[0]["title"]) == 1 and "相关" in text


def test_the_years_reviews_are_told_in_part_one(demo):
    """评议: the year's reviews by grade in part one, beside the term's context (一是…二是…)."""
    ids = [r["id"] for r in demo.rows("SELECT id FROM delegates WHERE deleted = 0 ORDER BY id LIMIT 3")]
    demo.reviews.set(ids[0], DEMO_YEAR, "优秀")
    demo.reviews.set(ids[1], DEMO_YEAR, "称职")
    demo.reviews.set(ids[2], DEMO_YEAR, "基本称职", "参加活动次数偏少")
    part = next(x for x in demo.summary.sections(DEMO_YEAR) if x["key"] == "selection")
    assert "一是夯实代表基础" in part["text"] and "二是开展年度评议" in part["text"]
    assert "评议议事代表3名，其中优秀1名、称职1名、基本称职1名" in part["text"]
