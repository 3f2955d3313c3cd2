"""The 两下两上 procedure: stages in order, quotas, the public notice, confirmation, certificates."""

import json
import random
from datetime import date

import pytest

from app.common.errors import ConflictError, ValidationError
from app.fronts.demo import synthetic_id
from app.services.candidates import CandidateFilter, review_id
from app.services.nomination import QuotaBreach
from tests.conftest import digest

RESIDENTS = [f"居民{n}" for n in range(1, 13)]


@pytest.fixture
def rnd(store):
    """A small round: 3 seats, communities 甲社区 (2) and 乙村 (1), at most 2 中共党员."""
    store.settings.update({"subdistrict": "中山路街道", "unit_name": "中山路街道工委"})
    store.terms.create({"name": "第一届", "start_date": "2025-03-01", "end_date": "2030-02-28"})
    group = store.groups.create({"name": "第一组"}).created("groups")[0]
    a = store.communities.create({"name": "甲社区", "kind": "community", "group_id": group}).created("communities")[0]
    b = store.communities.create({"name": "乙村", "kind": "village"}).created("communities")[0]
    round_id = store.nomination.open_round({"name": "第一届议事代表推选", "opened_on": "2025-01-06", "seats": 3,
                                            "review_units": "组织办、派出所"}).created("nomination_rounds")[0]
    store.nomination.set_quotas(round_id, [
        {"dimension": "community", "key": a, "seats": 2}, {"dimension": "community", "key": b, "seats": 1},
        {"dimension": "party", "key": "中共党员", "rule": "max", "seats": 2}])
    return {"store": store, "round": round_id, "a": a, "b": b}


_rng = random.Random(5)


def nominate(ctx, name, community="a", born=date(1980, 5, 1), party="群众", route="party_org", **extra):
    values = {"name": name, "id_number": synthetic_id(_rng, born, False), "community_id": ctx[community],
              "party": party, "route": route, "recommender": "甲社区党委", "resident_since": "2015-01-01", **extra}
    changes = ctx["store"].candidates.nominate(ctx["round"], values)
    return changes.created("candidates")[0]


def through_joint_review(ctx, ids, day="2025-01-20"):
    s = ctx["store"]
    s.candidates.record(ids, "community_approved", "2025-01-10", "pass")
    s.candidates.record(ids, "preliminary_reviewed", "2025-01-15", "pass")
    for unit in ("组织办", "派出所"):
        s.candidates.review(ids, unit, "合格", day)


def test_a_whole_round_from_nomination_to_filing(rnd):
    s = rnd["store"]
    ids = [nominate(rnd, "张三"), nominate(rnd, "李四", party="中共党员"), nominate(rnd, "王五", "b"),
           nominate(rnd, "赵六", route="joint", recommenders="、".join(RESIDENTS)),
           nominate(rnd, "钱七", born=date(2008, 6, 1))]
    s.candidates.record(ids, "community_approved", "2025-01-10", "pass")
    with pytest.raises(ConflictError, match="未满 18 周岁"):
        s.candidates.record(ids, "preliminary_reviewed", "2025-01-15", "pass")
    s.candidates.record(ids[4:], "preliminary_reviewed", "2025-01-15", "fail", "未满18周岁")
    s.candidates.record(ids[:4], "preliminary_reviewed", "2025-01-15", "pass")
    s.candidates.review(ids[:4], "组织办", "合格", "2025-01-20")
    s.candidates.review(ids[:3], "派出所", "合格", "2025-01-21")
    s.candidates.review(ids[3:4], "派出所", "不合格", "2025-01-21", "有违法记录")
    zhao = s.candidates.get(ids[3])
    assert zhao["status"] == "failed" and "派出所：有违法记录" in zhao["fail_reason"]

    s.nomination.start_notice(rnd["round"], "2025-02-10", "各村（社区）公示栏")
    assert s.nomination.get(rnd["round"])["notice_end"] == "2025-02-12"  # Monday + 3 working days
    s.candidates.add_objection(ids[1], "2025-02-11", "反映其长期不在社区居住", "居民来电")
    with pytest.raises(ConflictError, match="1 条异议未处理"):
        s.nomination.close_notice(rnd["round"], "2025-02-13")
    objection = s.candidates.objections(ids[1])[0]
    s.candidates.resolve_objection(objection["id"], "2025-02-12", "经核实一直在社区居住", upheld=False)
    s.nomination.close_notice(rnd["round"], "2025-02-13")

    board = s.nomination.board(rnd["round"], ids[:3])
    assert board["breaches"] == []
    s.nomination.confirm(rnd["round"], ids[:3], "2025-02-20", "中山路党工委〔2025〕5号")
    s.nomination.issue_certificates(rnd["round"], "2025-02-25")
    s.nomination.file_round(rnd["round"], "2025-02-28", "中山路街道人大工委〔2025〕2号")

    appointed = s.candidates.list(CandidateFilter(round_id=rnd["round"], status="appointed"))
    assert sorted(c["name"] for c in appointed) == ["张三", "李四", "王五"]
    assert {c["stage"] for c in appointed} == {"filed"}
    serials = [c["certificate_no"] for c in appointed]
    assert len(set(serials)) == 3 and all(n.startswith("中山路议聘〔2025〕") for n in serials)
    delegates = {d["name"]: d for d in s.rows("SELECT * FROM delegates WHERE deleted = 0")}
    assert delegates["张三"]["certificate_no"] in serials
    assert delegates["张三"]["group_id"] is not None and delegates["王五"]["group_id"] is None
    history = s.delegates.history(delegates["张三"]["id"])
    assert history[0]["text"].startswith("人选 → 在任：经第一届议事代表推选产生")
    stages = [r["stage"] for r in s.candidates.stages(ids[0])]
    assert stages == ["nominated", "community_approved", "preliminary_reviewed", "joint_reviewed", "noticed",
                      "confirmed", "certified", "filed"]
    assert s.nomination.get(rnd["round"])["state"] == "filed"
    actions = [r[0] for r in s.db.execute("SELECT summary FROM audit")]
    assert any("党工委确认" in a for a in actions) and any("颁发聘书" in a for a in actions)


def test_stages_cannot_be_skipped_or_repeated_and_refusals_change_nothing(rnd):
    s = rnd["store"]
    first = nominate(rnd, "张三")
    before = digest(s)
    with pytest.raises(ConflictError, match="尚未完成“村（居）民代表会议通过”"):
        s.candidates.record([first], "preliminary_reviewed", "2025-01-15", "pass")
    with pytest.raises(ConflictError, match="不能跳过"):
        s.candidates.review([first], "组织办", "合格", "2025-01-20")
    with pytest.raises(ValidationError, match="写明原因"):
        s.candidates.record([first], "community_approved", "2025-01-10", "fail")
    with pytest.raises(ValidationError, match="早于上一环节"):
        s.candidates.record([first], "community_approved", "2025-01-01", "pass")
    with pytest.raises(ValidationError, match="晚于今天"):
        s.candidates.record([first], "community_approved", "2099-01-01", "pass")
    assert digest(s) == before
    s.candidates.record([first], "community_approved", "2025-01-10", "pass")
    with pytest.raises(ConflictError, match="不能重复办理"):
        s.candidates.record([first], "community_approved", "2025-01-10", "pass")
    s.candidates.record([first], "preliminary_reviewed", "2025-01-15", "fail", "不符合条件")
    before = digest(s)
    with pytest.raises(ConflictError, match="已未通过“工委初审”"):
        s.candidates.review([first], "组织办", "合格", "2025-01-20")
    with pytest.raises(ConflictError, match="不能删除"):
        s.candidates.delete(first)
    assert digest(s) == before


def test_a_batch_is_all_or_nothing(rnd):
    s = rnd["store"]
    ok = nominate(rnd, "张三")
    ahead = nominate(rnd, "李四")
    s.candidates.record([ahead], "community_approved", "2025-01-10", "pass")
    before = digest(s)
    with pytest.raises(ConflictError, match="李四已完成"):
        s.candidates.record([ok, ahead], "community_approved", "2025-01-10", "pass")
    assert digest(s) == before


def test_nomination_rules(rnd):
    s = rnd["store"]
    before = digest(s)
    with pytest.raises(ValidationError, match="10 名以上居民联名，现只记录了 9 名"):
        nominate(rnd, "赵六", route="joint", recommenders="、".join(RESIDENTS[:9]))
    with pytest.raises(ValidationError, match="基层党组织"):
        nominate(rnd, "赵六", route="party_org", recommender="")
    with pytest.raises(ValidationError, match="校验位"):
        s.candidates.nominate(rnd["round"], {"name": "孙八", "id_number": "500118198005010012",
                                             "community_id": rnd["a"], "route": "self"})
    assert digest(s) == before
    nominate(rnd, "赵六", route="joint", recommenders="、".join(RESIDENTS[:9] + RESIDENTS[:2] + ["居民10"]))
    number = s.rows("SELECT id_number FROM candidates WHERE name = '赵六'")[0]["id_number"]
    before = digest(s)
    with pytest.raises(ConflictError, match="相同身份证号"):
        s.candidates.nominate(rnd["round"], {"name": "赵六", "id_number": number, "community_id": rnd["a"],
                                             "route": "joint", "recommenders": "、".join(RESIDENTS[:10])})
    # 本人自荐 is not one of the report's routes: refused unless the round opens it
    with pytest.raises(ConflictError, match="本批次未开放本人自荐"):
        nominate(rnd, "孙八", route="self")
    assert digest(s) == before
    s.nomination.update(rnd["round"], {"self_nomination": 1})
    nominate(rnd, "孙八", route="self")
    assert s.rows("SELECT route FROM candidates WHERE name = '孙八'")[0]["route"] == "self"


def test_two_down_two_up_are_recorded_per_community_and_the_filing_cites_them(rnd, tmp_path):
    from app.documents.catalog import export_doc
    from tests.app.documents.test_official_grid import lines_of

    s = rnd["store"]
    ids = [nominate(rnd, "张三"), nominate(rnd, "李四", "b")]
    with pytest.raises(ConflictError, match="部门联审还没有结果"):
        s.nomination.record_return(rnd["round"], "feedback", [rnd["a"]], "2025-01-09")
    through_joint_review(rnd, ids)
    with pytest.raises(ValidationError, match="早于部门联审"):
        s.nomination.record_return(rnd["round"], "feedback", [rnd["a"]], "2025-01-09")
    s.nomination.record_return(rnd["round"], "feedback", [rnd["a"], rnd["b"]], "2025-01-21")
    with pytest.raises(ConflictError, match="公示尚未期满"):
        s.nomination.record_return(rnd["round"], "report", [rnd["a"]], "2025-01-22")
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    s.nomination.close_notice(rnd["round"], "2025-02-13")
    s.nomination.record_return(rnd["round"], "report", [rnd["a"]], "2025-02-14")
    s.nomination.record_return(rnd["round"], "report", [rnd["b"]], "2025-02-17")
    returns = {r["community_name"]: r for r in s.nomination.returns(rnd["round"])}
    assert returns["甲社区"]["feedback_on"] == "2025-01-21" and returns["乙村"]["report_on"] == "2025-02-17"
    s.nomination.update(rnd["round"], {"conditions_by": "街道党工委", "conditions_doc": "党工委〔2025〕1号"})
    s.institutions.create({"kind": "plan", "title": "建立议事代表会议制度的实施方案", "day": "2024-10-25",
                           "doc_number": "党工委〔2024〕27号"})
    s.institutions.create({"kind": "leading_group", "title": "工作领导小组", "day": "2024-10-20",
                           "members": "组长：王某（书记）"})
    s.nomination.confirm(rnd["round"], ids, "2025-02-20", "党工委〔2025〕5号", accept_breaches=True)
    export_doc(s, "filing", rnd["round"], tmp_path / "f.pdf")
    text = "".join(ln["text"] for page in lines_of(tmp_path / "f.pdf") for ln in page["lines"])
    for words in ("《建立议事代表会议制度的实施方案》（党工委〔2024〕27号）", "成立工作领导小组",
                  "街道党工委明确推选条件（党工委〔2025〕1号）", "于2025年1月21日反馈2个村（社区）",
                  "由2个村（社区）于2025年2月14日至2025年2月17日上报街道"):
        assert words in text, words


def test_conditions_come_from_the_data(rnd):
    s = rnd["store"]
    young = nominate(rnd, "钱七", born=date(2007, 1, 7))  # 17 on 2025-01-06
    newcomer = nominate(rnd, "孙八", resident_since="2024-06-01")
    unknown = nominate(rnd, "周九", resident_since=None)
    rows = {c["name"]: c for c in s.candidates.list(CandidateFilter(round_id=rnd["round"]))}
    assert "未满 18 周岁（17 周岁）" in rows["钱七"]["conditions_text"]
    assert "不满 1 年" in rows["孙八"]["conditions_text"]
    assert "待核实" in rows["周九"]["conditions_text"]
    s.candidates.record([young, newcomer, unknown], "community_approved", "2025-01-10", "pass")
    for cid, message in ((young, "未满 18"), (newcomer, "不满 1 年"), (unknown, "请补充")):
        with pytest.raises(ConflictError, match=message):
            s.candidates.record([cid], "preliminary_reviewed", "2025-01-15", "pass")
    s.candidates.update(unknown, {"resident_since": "2010-03-01"})
    s.candidates.record([unknown], "preliminary_reviewed", "2025-01-15", "pass")


def test_objections_only_during_the_notice_and_an_upheld_one_removes_the_candidate(rnd):
    s = rnd["store"]
    ids = [nominate(rnd, "张三"), nominate(rnd, "王五", "b")]
    through_joint_review(rnd, ids)
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    before = digest(s)
    with pytest.raises(ValidationError, match="公示期内"):
        s.candidates.add_objection(ids[0], "2025-02-13", "反映问题")
    with pytest.raises(ConflictError, match="期满后"):
        s.nomination.close_notice(rnd["round"], "2025-02-12")
    assert digest(s) == before
    s.candidates.add_objection(ids[0], "2025-02-12", "反映其不在本社区居住")
    assert s.nomination.attention(date(2025, 2, 13)) == ["【推选】第一届议事代表推选有 1 条异议待核查处理",
                                                        "【推选】第一届议事代表推选公示已于 2025-02-12 期满，请办结公示"]
    objection = s.candidates.objections(ids[0])[0]
    s.candidates.resolve_objection(objection["id"], "2025-02-13", "经核实已迁出本社区一年以上", upheld=True)
    s.nomination.close_notice(rnd["round"], "2025-02-14")
    zhang = s.candidates.get(ids[0])
    assert zhang["status"] == "failed" and zhang["fail_stage"] == "noticed"
    assert "异议经核实成立" in zhang["fail_reason"]
    assert s.candidates.get(ids[1])["stage"] == "noticed"
    assert s.nomination.attention() == ["【推选】第一届议事代表推选公示期满，待街道党工委确认名单"]


def test_a_list_that_breaks_a_quota_is_warned_and_can_be_accepted(rnd):
    s = rnd["store"]
    ids = [nominate(rnd, "张三", party="中共党员"), nominate(rnd, "李四", party="中共党员"),
           nominate(rnd, "王五", party="中共党员"), nominate(rnd, "赵六", "b")]
    through_joint_review(rnd, ids)
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    s.nomination.close_notice(rnd["round"], "2025-02-13")
    board = s.nomination.board(rnd["round"], ids[:3])
    states = {(r["dimension"], r["key_label"]): r["state_text"] for r in board["rows"]}
    assert states[("community", "甲社区")] == "超 1 人" and states[("community", "乙村")] == "缺 1 人"
    assert states[("party", "中共党员")] == "超 1 人"
    before = digest(s)
    with pytest.raises(QuotaBreach) as refused:
        s.nomination.confirm(rnd["round"], ids[:3], "2025-02-20", "党工委〔2025〕5号")
    assert "乙村" in refused.value.message and "中共党员" in refused.value.message
    assert digest(s) == before
    s.nomination.confirm(rnd["round"], ids[:3], "2025-02-20", "党工委〔2025〕5号", accept_breaches=True)
    assert "名额偏差" in s.scalar("SELECT summary FROM audit ORDER BY seq DESC LIMIT 1")
    assert s.candidates.get(ids[3])["fail_reason"] == "经街道党工委研究，未确定为议事代表"


def test_round_steps_in_order(rnd):
    s = rnd["store"]
    before = digest(s)
    with pytest.raises(ConflictError, match="没有通过部门联审"):
        s.nomination.start_notice(rnd["round"], "2025-02-10")
    with pytest.raises(ConflictError, match="公示尚未期满"):
        s.nomination.confirm(rnd["round"], ["x"], "2025-02-20", "文号")
    with pytest.raises(ConflictError, match="党工委确认名单后"):
        s.nomination.issue_certificates(rnd["round"], "2025-02-25")
    with pytest.raises(ConflictError, match="颁发聘书后"):
        s.nomination.file_round(rnd["round"], "2025-02-28")
    assert digest(s) == before


def test_undoing_a_stage_keeps_its_record(rnd):
    s = rnd["store"]
    cid = nominate(rnd, "张三")
    changes = s.candidates.record([cid], "community_approved", "2025-01-10", "pass")
    s.undo(changes, "村（居）民代表会议表决通过：张三")
    assert s.candidates.get(cid)["stage"] == "nominated"
    kinds = [r["stage"] for r in s.candidates.stages(cid)]
    assert kinds == ["nominated", "community_approved", "undo"]
    undone = s.candidates.stages(cid)[-1]
    assert (undone["stage_label"], undone["text"]) == ("撤销", "撤销了“村（居）民代表会议表决通过：张三”（记录保留）")
    s.candidates.record([cid], "community_approved", "2025-01-11", "pass")


def test_certificate_serials_continue_and_are_never_reused(rnd):
    s = rnd["store"]
    assert s.nomination.next_serials(2025, 2) == ["中山路议聘〔2025〕001号", "中山路议聘〔2025〕002号"]
    cid = s.delegates.create({"name": "旧代表", "community_id": rnd["a"],
                              "certificate_no": "中山路议聘〔2025〕041号"}).created("delegates")[0]
    s.delegates.delete(cid)
    assert s.nomination.next_serials(2025, 1) == ["中山路议聘〔2025〕042号"]


def test_by_election_is_a_small_round(rnd):
    s = rnd["store"]
    with pytest.raises(ValidationError, match="补选请写明原因"):
        s.nomination.open_round({"name": "2026年补选", "kind": "by_election", "opened_on": "2026-03-02", "seats": 1})
    round_id = s.nomination.open_round({"name": "2026年补选", "kind": "by_election", "opened_on": "2026-03-02",
                                        "seats": 1, "reason": "张三迁出", "review_units": "组织办"}
                                       ).created("nomination_rounds")[0]
    ctx = {**rnd, "round": round_id}
    cid = nominate(ctx, "补选人")
    s.candidates.record([cid], "community_approved", "2026-03-05", "pass")
    s.candidates.record([cid], "preliminary_reviewed", "2026-03-06", "pass")
    s.candidates.review([cid], "组织办", "合格", "2026-03-09")
    s.nomination.start_notice(round_id, "2026-03-10")
    s.nomination.close_notice(round_id, "2026-03-13")
    assert s.nomination.board(round_id, [cid])["breaches"] == []
    s.nomination.confirm(round_id, [cid], "2026-03-16", "党工委〔2026〕3号")
    assert s.scalar("SELECT status FROM delegates WHERE name = '补选人'") == "active"


# -- working days for the public notice --------------------------------------------------
def test_notice_just_before_national_day_2026(store):
    plan = store.nomination.notice_plan("2026-09-29")  # Tue; 1–7 October off
    assert plan["end"] == "2026-10-08" and plan["warnings"] == []


def test_notice_across_spring_festival_2026(store):
    plan = store.nomination.notice_plan("2026-02-13")  # Fri, Sat 14th a make-up workday, 15–23 off
    assert plan["end"] == "2026-02-24"


def test_notice_in_a_year_without_bundled_data_warns_until_entered(store):
    plan = store.nomination.notice_plan("2030-09-30")
    assert plan["end"] == "2030-10-02" and "2030 年的法定节假日安排尚未录入" in plan["warnings"][0]
    store.opinions.calendar.set_arrangement(2030, [f"2030-10-0{d}" for d in range(1, 8)], ["2030-10-12"])
    plan = store.nomination.notice_plan("2030-09-30")
    assert plan["end"] == "2030-10-09" and plan["warnings"] == []  # 30 Sep, 8 and 9 Oct


def test_a_notice_put_up_on_a_holiday_counts_from_the_next_working_day(store):
    # 8 and 9 October, then Saturday 10 October, a make-up workday
    assert store.nomination.notice_plan("2026-10-03")["end"] == "2026-10-10"


# -- what the clerk reads back: progress, history, audit entries, refusals -----------------------

def _last_audit(store) -> tuple[str, str]:
    row = store.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    return row["action"], row["summary"]


def _refusal(call, kind, message, field=None):
    with pytest.raises(kind) as refused:
        call()
    assert (refused.value.message, refused.value.field) == (message, field)


def _progress(s, round_id):
    return {r["name"]: r["progress"] for r in s.candidates.list(CandidateFilter(round_id=round_id))}


def test_each_candidate_row_reads_as_the_board_shows_it(rnd):
    s = rnd["store"]
    zhang = nominate(rnd, "张三", workplace="甲公司", post="经理")
    assert _last_audit(s) == ("create", "推荐人选：张三（第一届议事代表推选）")
    li = nominate(rnd, "李四", "b", route="joint",
                  recommenders="居民1，居民2 居民3\n居民4,居民5、居民6\u3000居民7、居民8、居民9、居民10、居民1")
    rows = {r["name"]: r for r in s.candidates.list(CandidateFilter(round_id=rnd["round"]))}
    number = s.candidates.get(zhang)["id_number"]
    assert {k: rows["张三"][k] for k in ("id_masked", "route_label", "status_label", "stage_label", "recommender_names",
                                       "progress", "work", "born", "conditions_text", "community_name")} == {
        "id_masked": number[:6] + "********" + number[-4:], "route_label": "基层党组织推荐", "status_label": "推选中",
        "stage_label": "推荐提名", "recommender_names": [], "progress": "已推荐，待村（居）民代表会议表决",
        "work": "甲公司 经理", "born": "1980.05", "conditions_text": "符合", "community_name": "甲社区"}
    assert rows["李四"]["recommender_names"] == [f"居民{n}" for n in range(1, 11)]  # each once, in order
    assert (rows["李四"]["work"], rows["李四"]["route_label"]) == ("", "居民10人以上联名推荐")
    assert [(k["name"], k["state"], k["text"]) for k in rows["张三"]["conditions"]] == [
        ("age", "ok", "年龄 44 周岁"), ("residence", "ok", "居住或工作满 1 年"), ("citizenship", "ok", "中国公民")]
    # the stage history: who decided, the verdict, the route
    assert [(x["actor"], x["stage_label"], x["text"]) for x in s.candidates.stages(li)] == [
        ("甲社区党委", "推荐提名", "通过；居民10人以上联名推荐")]
    s.candidates.record([zhang, li], "community_approved", "2025-01-10", "pass")
    assert _last_audit(s) == ("nomination", "村（居）民代表会议表决通过：张三、李四")
    assert [x["actor"] for x in s.candidates.stages(zhang)][-1] == "甲社区居民代表会议"
    assert [x["actor"] for x in s.candidates.stages(li)][-1] == "乙村村民代表会议"
    assert _progress(s, rnd["round"]) == {"张三": "已通过表决，待工委初审", "李四": "已通过表决，待工委初审"}
    s.candidates.record([zhang], "preliminary_reviewed", "2025-01-15", "pass", actor=" 工委会议 ")
    assert s.candidates.stages(zhang)[-1]["actor"] == "工委会议"
    s.candidates.record([li], "preliminary_reviewed", "2025-01-15", "pass")
    assert s.candidates.stages(li)[-1]["actor"] == "中山路街道工委"  # the unit named in 设置
    assert _progress(s, rnd["round"])["张三"] == "初审通过，待部门联审"
    s.candidates.withdraw(li, "2025-01-16", " 工作调动 ")
    assert _last_audit(s) == ("nomination", "人选退出：李四")
    last = s.candidates.stages(li)[-1]
    assert (last["stage"], last["verdict"], last["actor"], last["text"]) == \
        ("joint_reviewed", "fail", "李四", "未通过；本人退出：工作调动")
    row = s.candidates.get(li)
    assert (row["status"], row["fail_stage"], row["fail_reason"]) == ("withdrawn", "joint_reviewed", "工作调动")
    assert _progress(s, rnd["round"])["李四"] == "本人退出"
    s.candidates.review([zhang], "组织办", "合格", "2025-01-20")
    assert _last_audit(s) == ("nomination", "联审意见：组织办 合格（张三）")
    assert s.candidates.get(zhang)["stage"] == "preliminary_reviewed"  # one unit of two: not yet decided
    s.candidates.review([zhang], "派出所", "不合格", "2025-01-21", "有记录")
    last = s.candidates.stages(zhang)[-1]
    assert (last["day"], last["actor"], last["verdict"], last["reason"]) == \
        ("2025-01-21", "联审部门", "fail", "联审不合格（派出所：有记录）")
    assert _progress(s, rnd["round"])["张三"] == "未通过部门联审"
    assert [(r["unit"], r["verdict"], r["note"]) for r in s.candidates.reviews(zhang)] == \
        [("组织办", "合格", None), ("派出所", "不合格", "有记录")]
    _refusal(lambda: s.candidates.withdraw(zhang, "2025-01-22", "不想参加"), ConflictError, "张三已未通过，不能再退出")


def test_a_joint_review_passes_when_every_unit_says_yes_and_a_verdict_can_be_changed(rnd):
    s = rnd["store"]
    ids = [nominate(rnd, f"人选{n}", born=date(1980, 5, n + 1)) for n in range(6)]
    s.candidates.record(ids, "community_approved", "2025-01-10", "pass")
    assert _last_audit(s) == ("nomination", "村（居）民代表会议表决通过：人选0、人选1、人选2、人选3、人选4等 6 人")
    s.candidates.record(ids, "preliminary_reviewed", "2025-01-15", "pass")
    s.candidates.review(ids[:1], "派出所", "不合格", "2025-01-20", "待查")
    s.candidates.review(ids[:1], "派出所", "合格", "2025-01-21")  # the department corrects its verdict
    assert [(r["verdict"], r["day"]) for r in s.candidates.reviews(ids[0])] == [("合格", "2025-01-21")]
    s.candidates.review(ids[:1], "组织办", "合格", "2025-01-22")
    last = s.candidates.stages(ids[0])[-1]
    assert (last["day"], last["actor"], last["verdict"], last["reason"], last["stage"]) == \
        ("2025-01-22", "组织办、派出所", "pass", "各部门联审合格", "joint_reviewed")
    assert s.candidates.get(ids[0])["stage"] == "joint_reviewed"
    assert _progress(s, rnd["round"])["人选0"] == "联审合格，待公示"
    before = digest(s)
    _refusal(lambda: s.candidates.review(ids[1:2], "财政所", "合格", "2025-01-22"), ValidationError,
             "“财政所”不是本批次的联审部门（组织办、派出所）", "unit")
    _refusal(lambda: s.candidates.review(ids[1:2], "组织办", "同意", "2025-01-22"), ValidationError,
             "联审意见应为“合格”或“不合格”", "verdict")
    _refusal(lambda: s.candidates.review(ids[1:2], "组织办", "不合格", "2025-01-22", " "), ValidationError,
             "不合格须写明原因", "note")
    _refusal(lambda: s.candidates.review([], "组织办", "合格", "2025-01-22"), ValidationError, "请先选择人选")
    _refusal(lambda: s.candidates.review(ids[1:2], "组织办", "合格", "2099-01-22"), ValidationError,
             "日期 2099-01-22 晚于今天，请按实际办理日期记录", "day")
    _refusal(lambda: s.candidates.review(ids[1:2], "组织办", "合格", "2025-01-14"), ValidationError,
             "人选1的“部门联审”日期 2025-01-14 早于上一环节的日期 2025-01-15", "day")
    _refusal(lambda: s.candidates.review(ids[:1], "组织办", "合格", "2025-01-23"), ConflictError,
             "人选0已完成“部门联审”，不能重复办理")
    assert digest(s) == before
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    assert _progress(s, rnd["round"])["人选0"] == "公示中"


def test_a_verdict_s_audit_line_names_the_act_once(rnd):
    # the community stage's label already says 通过: its verdict is told as the vote's (表决), never
    # "村（居）民代表会议通过通过"; the review's label names the act, and reads as it is
    s = rnd["store"]
    zhang, wang, li = nominate(rnd, "张三"), nominate(rnd, "王五", "b"), nominate(rnd, "李四")
    expected = [
        (([zhang, li], "community_approved", "2025-01-10", "pass"), "村（居）民代表会议表决通过：张三、李四"),
        (([wang], "community_approved", "2025-01-10", "fail", "票数不够"), "村（居）民代表会议表决未通过：王五"),
        (([zhang], "preliminary_reviewed", "2025-01-15", "pass"), "工委初审通过：张三"),
        (([li], "preliminary_reviewed", "2025-01-15", "fail", "不符合条件"), "工委初审未通过：李四"),
    ]
    for args, line in expected:
        s.candidates.record(*args)
        assert _last_audit(s) == ("nomination", line)
    assert _progress(s, rnd["round"])["王五"] == "未通过村（居）民代表会议表决"
    assert _progress(s, rnd["round"])["李四"] == "未通过工委初审"


def test_stage_refusals_say_what_is_missing(rnd):
    s = rnd["store"]
    first, second = nominate(rnd, "张三"), nominate(rnd, "王五", "b")
    before = digest(s)
    _refusal(lambda: s.candidates.record([first], "joint_reviewed", "2025-01-10", "pass"), ValidationError,
             "“部门联审”请在相应的功能中办理")
    _refusal(lambda: s.candidates.record([first], "community_approved", "2025-01-10", "ok"), ValidationError,
             "请选择“通过”或“未通过”", "verdict")
    _refusal(lambda: s.candidates.record([first], "community_approved", "2025-01-10", "fail", " "), ValidationError,
             "未通过须写明原因（将随人选记录保留）", "reason")
    _refusal(lambda: s.candidates.record([], "community_approved", "2025-01-10", "pass"), ValidationError,
             "请先选择人选")
    _refusal(lambda: s.candidates.record([first], "preliminary_reviewed", "2025-01-10", "pass"), ConflictError,
             "张三尚未完成“村（居）民代表会议通过”，不能跳过它直接办理“工委初审”")
    _refusal(lambda: s.candidates.withdraw(first, "2025-01-10", " "), ValidationError, "请写明退出原因", "reason")
    assert digest(s) == before
    s.candidates.record([second], "community_approved", "2025-01-10", "fail", "票数不够")
    assert _last_audit(s) == ("nomination", "村（居）民代表会议表决未通过：王五")
    row = s.candidates.get(second)
    assert (row["status"], row["fail_stage"], row["fail_reason"]) == ("failed", "community_approved", "票数不够")
    assert _progress(s, rnd["round"])["王五"] == "未通过村（居）民代表会议表决"
    _refusal(lambda: s.candidates.record([second], "preliminary_reviewed", "2025-01-15", "pass"), ConflictError,
             "王五已未通过“村（居）民代表会议表决”（票数不够），不能再办理“工委初审”")
    s.candidates.withdraw(first, "2025-01-11", "搬走了")
    _refusal(lambda: s.candidates.record([first], "community_approved", "2025-01-12", "pass"), ConflictError,
             "张三已本人退出，不能再办理“村（居）民代表会议通过”")
    _refusal(lambda: s.candidates.withdraw(first, "2025-01-12", "再退"), ConflictError, "张三已本人退出，不能再退出")
    _refusal(lambda: s.candidates.update(first, {"post": "经理"}), ConflictError,
             "张三的推选已到“推荐提名”（本人退出），人选信息不能再修改")
    _refusal(lambda: s.candidates.delete(second), ConflictError,
             "王五已进入“推荐提名”等后续环节，不能删除；如本人不再参加，请办理“退出”，记录将保留")


def test_conditions_follow_the_rounds_own_age_and_years(rnd):
    s = rnd["store"]
    leap = s.nomination.open_round({"name": "补充推选", "opened_on": "2024-02-29", "seats": 2, "min_age": 25,
                                    "min_years": 3, "review_units": "组织办"}).created("nomination_rounds")[0]
    ctx = {**rnd, "round": leap}
    nominate(ctx, "赵一", born=date(1999, 3, 1), resident_since="2021-02-28")
    nominate(ctx, "钱二", born=date(1999, 2, 28), resident_since="2021-03-01")
    rows = {r["name"]: r for r in s.candidates.list(CandidateFilter(round_id=leap))}
    assert [(k["state"], k["text"]) for k in rows["赵一"]["conditions"]] == [
        ("fail", "未满 25 周岁（24 周岁）"), ("ok", "居住或工作满 3 年"), ("ok", "中国公民")]
    assert [(k["state"], k["text"]) for k in rows["钱二"]["conditions"]] == [
        ("ok", "年龄 25 周岁"), ("fail", "在本村（社区）居住或工作不满 3 年"), ("ok", "中国公民")]
    assert rows["钱二"]["conditions_text"] == "在本村（社区）居住或工作不满 3 年"
    odd = s.candidates.conditions({"citizenship": "美国"}, {"opened_on": "2025-01-06", "min_age": 0, "min_years": None})
    assert [(k["name"], k["state"], k["text"]) for k in odd] == [
        ("age", "unknown", "出生日期未填，年龄待核实"), ("residence", "unknown", "居住（工作）起始时间未填，待核实"),
        ("citizenship", "fail", "国籍为美国，非中国公民")]
    young = s.candidates.conditions({"birth_date": "2007-01-07"}, {"opened_on": "2025-01-06", "min_age": 0})
    assert young[0]["text"] == "未满 18 周岁（17 周岁）"  # no age set: 18
    s.candidates.record([rows["赵一"]["id"]], "community_approved", "2024-03-01", "pass")
    _refusal(lambda: s.candidates.record([rows["赵一"]["id"]], "preliminary_reviewed", "2024-03-02", "pass"),
             ConflictError, "赵一不符合推选条件：未满 25 周岁（24 周岁），初审不能通过")


def test_candidate_search_and_filters(rnd):
    s = rnd["store"]
    nominate(rnd, "张三", workplace="甲公司")
    li = nominate(rnd, "李四", "b")
    s.candidates.record([li], "community_approved", "2025-01-10", "pass")

    def names(**kw):
        return [r["name"] for r in s.candidates.list(CandidateFilter(round_id=rnd["round"], **kw))]

    assert names() == ["李四", "张三"]  # by community (乙村 sorts first), then pinyin
    assert names(search="李") == names(search="ls") == names(search="LISI") == names(search="乙村") == ["李四"]
    assert names(search="甲公司") == ["张三"]
    assert names(stage="community_approved") == ["李四"] and names(community_id=rnd["a"]) == ["张三"]
    assert names(status="in_progress") == ["李四", "张三"]
    other = s.nomination.open_round({"name": "补选", "kind": "by_election", "reason": "出缺", "opened_on": "2025-06-02",
                                     "seats": 1, "review_units": "组织办"}).created("nomination_rounds")[0]
    nominate({**rnd, "round": other}, "王五")
    assert [r["name"] for r in s.candidates.list(CandidateFilter())] == ["李四", "王五", "张三"]


def test_objections_are_logged_checked_and_resolved_with_their_reasons(rnd):
    s = rnd["store"]
    ids = [nominate(rnd, "张三"), nominate(rnd, "王五", "b")]
    before = digest(s)
    _refusal(lambda: s.candidates.add_objection(ids[0], "2025-02-11", "反映问题"), ConflictError,
             "张三不在公示名单中（或公示已结束），不能登记异议")
    through_joint_review(rnd, ids)
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    start, end = s.nomination.get(rnd["round"])["notice_start"], s.nomination.get(rnd["round"])["notice_end"]
    before = digest(s)
    _refusal(lambda: s.candidates.add_objection(ids[0], "2025-02-11", " "), ValidationError, "请填写异议内容", "content")
    _refusal(lambda: s.candidates.add_objection(ids[0], "2025-02-30", "反映问题"), ValidationError,
             "收到日期“2025-02-30”不是有效日期（格式：2025-06-18）", "received_on")
    _refusal(lambda: s.candidates.add_objection(ids[0], "2025-02-09", "反映问题"), ValidationError,
             f"异议应在公示期内（{start} 至 {end}）提出，2025-02-09 不在公示期内", "received_on")
    assert digest(s) == before
    s.candidates.add_objection(ids[0], start, "反映其不在本社区居住")
    assert _last_audit(s) == ("nomination", "登记异议：张三")
    s.candidates.add_objection(ids[1], end, "反映问题", " 居民来信 ")
    first, second = s.candidates.objections(round_id=rnd["round"])
    assert (first["candidate_name"], first["source"], first["state_label"]) == ("张三", "匿名", "未处理")
    assert (second["candidate_name"], second["source"]) == ("王五", "居民来信")
    _refusal(lambda: s.candidates.resolve_objection("no-such", end, "查了", False), ValidationError, "找不到这条异议记录")
    _refusal(lambda: s.candidates.resolve_objection(first["id"], end, " ", False), ValidationError, "请填写核查处理情况",
             "handling")
    _refusal(lambda: s.candidates.resolve_objection(first["id"], "2025-02-09", "查了", False), ValidationError,
             f"处理日期 2025-02-09 早于收到异议的日期 {start}", "day")
    _refusal(lambda: s.candidates.resolve_objection(first["id"], "2025-02-30", "查了", False), ValidationError,
             "处理日期“2025-02-30”不是有效日期（格式：2025-06-18）", "day")
    s.candidates.resolve_objection(first["id"], end, "经核实仍在社区居住", upheld=False)
    assert _last_audit(s) == ("nomination", "异议处理：张三（不成立）")
    assert s.candidates.objections(ids[0])[0]["state_label"] == "异议不成立"
    assert (s.candidates.objections(ids[0])[0]["handling"], s.candidates.objections(ids[0])[0]["resolved_on"],
            s.candidates.objections(ids[0])[0]["upheld"]) == ("经核实仍在社区居住", end, 0)
    assert s.candidates.get(ids[0])["status"] == "in_progress"
    _refusal(lambda: s.candidates.resolve_objection(first["id"], end, "再查", True), ConflictError, "这条异议已处理完毕")
    s.candidates.resolve_objection(second["id"], end, "属实", upheld=True)
    assert _last_audit(s) == ("nomination", "异议处理：王五（成立）")
    assert s.candidates.objections(ids[1])[0]["state_label"] == "异议成立"
    last = s.candidates.stages(ids[1])[-1]
    assert (last["stage"], last["actor"], last["verdict"], last["reason"]) == \
        ("noticed", "中山路街道工委", "fail", "公示期间异议经核实成立：属实")
    assert {r["name"]: r["objection_count"] for r in s.candidates.list(CandidateFilter(round_id=rnd["round"]))} == \
        {"张三": 1, "王五": 1}


def test_nomination_refusals_word_for_word(rnd):
    s = rnd["store"]
    zhang = nominate(rnd, "张三")
    number = s.candidates.get(zhang)["id_number"]
    before = digest(s)
    _refusal(lambda: nominate(rnd, "赵六", route="joint", recommenders="、".join(RESIDENTS[:9])), ValidationError,
             "居民联名推荐须有 10 名以上居民联名，现只记录了 9 名。请逐一录入联名推荐人姓名。", "recommenders")
    _refusal(lambda: nominate(rnd, "赵六", recommender=" "), ValidationError,
             "请填写推荐的基层党组织名称（如“中山路社区党委”）", "recommender")
    _refusal(lambda: nominate(rnd, "孙八", route="self"), ConflictError,
             "本批次未开放本人自荐：按实施方案，人选由基层党组织推荐或居民 10 人以上联名推荐。"
             "确需自荐的，请先在推选批次中开放本人自荐。",
             "route")
    _refusal(lambda: s.candidates.nominate(rnd["round"], {"name": "张三", "id_number": number, "community_id": rnd["a"],
                                                          "route": "party_org", "recommender": "党委"}),
             ConflictError, "本批次已有相同身份证号的人选“张三”，请勿重复推荐", "id_number")
    _refusal(lambda: nominate(rnd, "赵六", id_number=None, birth_date="2025-02-30"), ValidationError,
             "出生日期“2025-02-30”不是有效日期（格式：2025-06-18）", "birth_date")
    _refusal(lambda: nominate(rnd, "赵六", resident_since="2025-13-01"), ValidationError,
             "居住或工作起始日期“2025-13-01”不是有效日期（格式：2025-06-18）", "resident_since")
    _refusal(lambda: nominate(rnd, "赵六", community_id="no-such"), ValidationError, "所选村（社区）不存在或已删除",
             "community_id")
    assert digest(s) == before
    s.candidates.update(zhang, {"post": "主任"})  # its own number is no duplicate
    assert _last_audit(s) == ("update", "修改人选：张三")
    s.candidates.withdraw(zhang, "2025-01-07", "搬走了")
    nominate(rnd, "张三", id_number=number)  # once withdrawn, the same person may be put forward again


def test_the_stage_order_and_names_as_every_office_reads_them():
    from app.services.candidates import next_stage, reached, review_id, split_names

    order = ["nominated", "community_approved", "preliminary_reviewed", "joint_reviewed", "noticed", "confirmed",
             "certified", "filed"]
    assert [next_stage(s) for s in order] == [*order[1:], None] and next_stage("merged") is None
    assert reached({"stage": "noticed"}, "joint_reviewed") and reached({"stage": "noticed"}, "noticed")
    assert not reached({"stage": "joint_reviewed"}, "noticed") and not reached({"stage": "merged"}, "nominated")
    assert review_id("c", "u") == "7eecd88b-e136-595a-842b-ea123ac20e74"  # one verdict row per unit, everywhere
    assert review_id("c", "v") != review_id("c", "u") != review_id("d", "u")
    assert split_names(["甲", " 乙 ", "甲", ""]) == ["甲", "乙"] and split_names(None) == []
    assert split_names("甲，乙,丙 丁\n戊\u3000己、甲") == ["甲", "乙", "丙", "丁", "戊", "己"]


def test_a_row_without_a_birth_date_and_with_two_problems(rnd):
    s = rnd["store"]
    nominate(rnd, "钱七", id_number=None, birth_date=None, resident_since="2024-06-01")
    row = s.candidates.list(CandidateFilter(round_id=rnd["round"]))[0]
    assert row["born"] == ""
    assert row["conditions_text"] == "出生日期未填，年龄待核实；在本村（社区）居住或工作不满 1 年"


def test_particulars_are_corrected_until_the_notice_and_a_candidate_deleted_only_before_any_vote(rnd):
    s = rnd["store"]
    first, second, third = nominate(rnd, "张三"), nominate(rnd, "李四"), nominate(rnd, "王五", "b")
    s.candidates.delete(third)  # nominated and in progress: no vote yet
    assert {r["name"] for r in s.candidates.list(CandidateFilter(round_id=rnd["round"]))} == {"张三", "李四"}
    s.candidates.record([first, second], "community_approved", "2025-01-10", "pass")
    _refusal(lambda: s.candidates.delete(first), ConflictError,
             "张三已进入“村（居）民代表会议通过”等后续环节，不能删除；如本人不再参加，请办理“退出”，记录将保留")
    s.candidates.record([first, second], "preliminary_reviewed", "2025-01-15", "pass")
    for unit in ("组织办", "派出所"):
        s.candidates.review([first, second], unit, "合格", "2025-01-20")
    s.candidates.update(first, {"post": "主任"})  # past the joint review, before the notice shows it
    assert s.candidates.get(first)["post"] == "主任"
    late = nominate(rnd, "赵六", "b")
    s.candidates.record([late], "community_approved", "2025-01-10", "pass")
    s.candidates.record([late], "preliminary_reviewed", "2025-01-15", "pass")
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    for unit in ("组织办", "派出所"):
        s.candidates.review([late], unit, "合格", "2025-02-11")
    # past the joint review after the notice went up: not on it, so no objection against them
    _refusal(lambda: s.candidates.add_objection(late, "2025-02-11", "反映其不在本村居住"), ConflictError,
             "赵六不在公示名单中（或公示已结束），不能登记异议")
    s.nomination.close_notice(rnd["round"], "2025-02-13")
    _refusal(lambda: s.candidates.update(first, {"post": "经理"}), ConflictError,
             "张三的推选已到“公示”（推选中），人选信息不能再修改")
    # the notice closed: an objection dated within it is no longer taken
    _refusal(lambda: s.candidates.add_objection(first, "2025-02-11", "反映其不在本社区居住"), ConflictError,
             "张三不在公示名单中（或公示已结束），不能登记异议")
    s.nomination.confirm(rnd["round"], [second], "2025-02-20", "党工委〔2025〕5号", accept_breaches=True)
    assert _progress(s, rnd["round"]) == {"张三": "党工委研究未确定", "李四": "已确定，待发聘书", "赵六": "联审合格，待公示"}
    assert [x["text"] for x in s.candidates.stages(first)][-1] == "未通过；经街道党工委研究，未确定为议事代表；党工委〔2025〕5号"


def test_a_deleted_candidate_is_restored_unless_their_number_was_put_forward_again(rnd):
    s = rnd["store"]
    zhang = nominate(rnd, "张三")
    li = nominate(rnd, "李四")
    number = s.candidates.get(zhang)["id_number"]
    s.candidates.delete(li)
    s.candidates.restore(li)  # nobody took their place
    assert s.candidates.get(li)["deleted"] == 0
    assert _last_audit(s) == ("restore", "恢复人选：李四")
    s.candidates.delete(zhang)
    nominate(rnd, "张三丰", id_number=number)
    before = digest(s)
    _refusal(lambda: s.candidates.restore(zhang), ConflictError, "本批次已有相同身份证号的人选“张三丰”，请勿重复推荐",
             "id_number")
    assert digest(s) == before


def test_a_withdrawal_on_a_day_that_does_not_exist_is_refused_by_its_name(rnd):
    s = rnd["store"]
    zhang = nominate(rnd, "张三")
    _refusal(lambda: s.candidates.withdraw(zhang, "2025-02-30", "搬走了"), ValidationError,
             "日期“2025-02-30”不是有效日期（格式：2025-06-18）", "day")
    assert s.candidates.get(zhang)["status"] == "in_progress"


def test_every_units_verdict_of_a_round_and_the_groups_of_those_appointed(rnd):
    s = rnd["store"]
    ids = [nominate(rnd, "张三"), nominate(rnd, "李四"), nominate(rnd, "王五", "b")]
    other = s.nomination.open_round({"name": "补选", "opened_on": "2025-01-06", "seats": 1,
                                     "review_units": "组织办"}).created("nomination_rounds")[0]
    elsewhere = s.candidates.nominate(other, {"name": "孙八", "id_number": synthetic_id(_rng, date(1980, 1, 1), False),
                                              "community_id": rnd["a"], "route": "party_org", "recommender": "党委",
                                              "resident_since": "2015-01-01"}).created("candidates")[0]
    s.candidates.record([elsewhere], "community_approved", "2025-01-10", "pass")
    s.candidates.record([elsewhere], "preliminary_reviewed", "2025-01-15", "pass")
    s.candidates.review([elsewhere], "组织办", "合格", "2025-01-20")
    s.candidates.record(ids, "community_approved", "2025-01-10", "pass")
    s.candidates.record(ids, "preliminary_reviewed", "2025-01-15", "pass")
    s.candidates.review(ids, "组织办", "合格", "2025-01-20")
    s.candidates.review(ids[2:], "派出所", "不合格", "2025-01-21", " 有违法记录 ")
    s.candidates.review(ids[:2], "派出所", "合格", "2025-01-21")
    assert sorted(s.candidates.joint_reviews_of_round(rnd["round"]), key=lambda r: (r["candidate_id"], r["unit"])) == \
        sorted([{"candidate_id": c, "unit": "组织办", "verdict": "合格", "note": None} for c in ids]
               + [{"candidate_id": ids[0], "unit": "派出所", "verdict": "合格", "note": None},
                  {"candidate_id": ids[1], "unit": "派出所", "verdict": "合格", "note": None},
                  {"candidate_id": ids[2], "unit": "派出所", "verdict": "不合格", "note": "有违法记录"}],
               key=lambda r: (r["candidate_id"], r["unit"]))
    assert s.candidates.joint_reviews_of_round(other) == [
        {"candidate_id": elsewhere, "unit": "组织办", "verdict": "合格", "note": None}]
    assert s.candidates.groups_of_appointed(rnd["round"]) == []
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    s.nomination.close_notice(rnd["round"], "2025-02-13")
    s.nomination.confirm(rnd["round"], ids[:2], "2025-02-20", "党工委〔2025〕5号", accept_breaches=True)
    assert s.candidates.groups_of_appointed(rnd["round"]) == ["第一组", "第一组"]
    s.delegates.delete(s.candidates.get(ids[0])["delegate_id"])
    assert s.candidates.groups_of_appointed(rnd["round"]) == ["第一组"]


def test_an_upheld_objection_names_the_office_when_no_unit_is_set(rnd):
    s = rnd["store"]
    s.settings.update({"unit_name": "", "site_name": ""})
    zhang = nominate(rnd, "张三")
    through_joint_review(rnd, [zhang])
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    s.candidates.add_objection(zhang, "2025-02-11", "反映问题")
    s.candidates.resolve_objection(s.candidates.objections(zhang)[0]["id"], "2025-02-12", "属实", upheld=True)
    last = s.candidates.stages(zhang)[-1]
    assert (last["stage"], last["actor"], last["verdict"]) == ("noticed", "人大街道工委", "fail")
    assert s.candidates.objections(zhang)[0]["upheld"] == 1


def test_a_vote_or_a_review_on_a_day_that_does_not_exist_is_refused_by_its_name(rnd):
    s = rnd["store"]
    zhang = nominate(rnd, "张三")
    _refusal(lambda: s.candidates.record([zhang], "community_approved", "2025-02-30", "pass"), ValidationError,
             "日期“2025-02-30”不是有效日期（格式：2025-06-18）", "day")
    s.candidates.record([zhang], "community_approved", "2025-01-10", "pass")
    s.candidates.record([zhang], "preliminary_reviewed", "2025-01-15", "pass")
    _refusal(lambda: s.candidates.review([zhang], "组织办", "合格", "2025-02-30"), ValidationError,
             "联审日期“2025-02-30”不是有效日期（格式：2025-06-18）", "day")
    assert s.candidates.reviews(zhang) == []


def test_a_joint_review_records_each_units_verdict_and_a_verdict_undone_can_be_given_again(rnd):
    s = rnd["store"]
    zhang, li = nominate(rnd, "张三"), nominate(rnd, "李四")
    s.candidates.record([zhang, li], "community_approved", "2025-01-10", "pass")
    s.candidates.record([zhang, li], "preliminary_reviewed", "2025-01-15", "pass")
    given = s.candidates.review([zhang], "组织办", "合格", "2025-01-20")
    s.undo(given, "联审意见：组织办 合格（张三）")
    assert s.candidates.reviews(zhang) == []

    def deleted_stamp():  # what a package tells other offices of the row's deletion
        return s.rows("SELECT wall_ms, counter FROM clocks WHERE tbl = 'joint_reviews' AND row_id = ?"
                      " AND field = 'deleted'", [review_id(zhang, "组织办")])

    undone = deleted_stamp()
    s.candidates.review([zhang], "组织办", "不合格", "2025-01-21", "档案不全")  # the same row, given again
    stamp = deleted_stamp()[0]
    assert len(undone) == 1 and (stamp["wall_ms"], stamp["counter"]) > (undone[0]["wall_ms"], undone[0]["counter"])
    assert [(r["unit"], r["verdict"], r["note"], r["day"]) for r in s.candidates.reviews(zhang)] == [
        ("组织办", "不合格", "档案不全", "2025-01-21")]
    s.candidates.review([zhang], "派出所", "不合格", "2025-01-22", "有违法记录")
    failed = s.candidates.get(zhang)
    assert (failed["status"], failed["fail_stage"], failed["fail_reason"]) == (
        "failed", "joint_reviewed", "联审不合格（组织办：档案不全；派出所：有违法记录）")
    stored = s.rows("SELECT * FROM candidate_stages WHERE candidate_id = ? ORDER BY rowid", [zhang])[-1]
    assert (stored["stage"], stored["day"], stored["actor"], stored["verdict"]) == (
        "joint_reviewed", "2025-01-22", "联审部门", "fail")
    assert json.loads(stored["detail"]) == {"verdicts": {"组织办": "不合格", "派出所": "不合格"}}
    s.candidates.review([li], "派出所", "合格", "2025-01-21")
    s.candidates.review([li], "组织办", "合格", "2025-01-20")
    stored = s.rows("SELECT * FROM candidate_stages WHERE candidate_id = ? ORDER BY rowid", [li])[-1]
    assert (stored["day"], stored["actor"], stored["verdict"], stored["reason"]) == (
        "2025-01-21", "组织办、派出所", "pass", "各部门联审合格")
    assert json.loads(stored["detail"]) == {"verdicts": {"组织办": "合格", "派出所": "合格"}}
    assert s.candidates.conditions({"birth_date": "2015-01-01"}, {"opened_on": "2025-01-06", "min_age": 1})[0] == {
        "name": "age", "state": "ok", "text": "年龄 10 周岁"}  # a round's own minimum, however low
    # a round without its own years asks one year of residence or work
    assert s.candidates.conditions({"resident_since": "2024-01-06"}, {"opened_on": "2025-01-06"})[1] == {
        "name": "residence", "state": "ok", "text": "居住或工作满 1 年"}
    assert s.candidates.conditions({"resident_since": "2024-01-07"}, {"opened_on": "2025-01-06", "min_years": 0})[1] == {
        "name": "residence", "state": "fail", "text": "在本村（社区）居住或工作不满 1 年"}


def test_votes_keep_their_reason_and_actor_and_may_be_dated_today(rnd):
    s = rnd["store"]
    s.settings.update({"unit_name": "", "site_name": ""})
    s.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('clerk_name', '张文书')")
    ids = [nominate(rnd, name) for name in ("甲一", "乙二", "丙三", "丁四", "戊五")]
    s.candidates.record(ids, "community_approved", "2025-01-10", "pass", "全票通过")
    assert _last_audit(s) == ("nomination", "村（居）民代表会议表决通过：甲一、乙二、丙三、丁四、戊五")
    first = s.candidates.stages(ids[0])[-1]
    assert (first["actor"], first["verdict"], first["reason"], first["recorded_by"]) == (
        "甲社区居民代表会议", "pass", "全票通过", "张文书")
    s.candidates.record(ids[:1], "preliminary_reviewed", "2025-01-15", "fail", "材料不全")
    failed = s.candidates.stages(ids[0])[-1]
    assert (failed["actor"], failed["verdict"], failed["reason"]) == ("人大街道工委", "fail", "材料不全")
    today = date.today().isoformat()
    s.candidates.record(ids[1:2], "preliminary_reviewed", today, "pass")  # today is not in the future
    assert (s.candidates.stages(ids[1])[-1]["day"], s.candidates.stages(ids[1])[-1]["actor"]) == (today, "人大街道工委")
    s.candidates.update(ids[2], {"recommenders": " "})
    assert s.candidates.get(ids[2])["recommenders"] is None


def test_a_serving_delegate_of_the_rounds_term_is_not_put_forward(rnd):
    s = rnd["store"]
    number = synthetic_id(_rng, date(1975, 3, 1), False)
    s.delegates.create({"name": "现任代表", "id_number": number, "community_id": rnd["a"]})
    _refusal(lambda: nominate(rnd, "现任代表", id_number=number), ConflictError,
             "现任代表已是本届在任议事代表，不能再作为人选推荐", "id_number")


def test_a_nomination_records_its_day_route_and_citizenship_and_closes_with_the_confirmation(rnd):
    s = rnd["store"]
    joint = nominate(rnd, "赵六", route="joint", recommender=None, recommenders="、".join(RESIDENTS), day="2025-01-08")
    first = s.candidates.stages(joint)[0]
    assert (first["stage"], first["day"], first["actor"], first["verdict"], first["reason"]) == (
        "nominated", "2025-01-08", "居民10人以上联名推荐", "pass", "居民10人以上联名推荐")
    row = s.candidates.get(joint)
    assert (row["stage"], row["status"], row["citizenship"]) == ("nominated", "in_progress", "中国")
    assert s.candidates.stages(nominate(rnd, "张三"))[0]["day"] == "2025-01-06"  # the round's opening day
    through_joint_review(rnd, [joint])
    s.nomination.start_notice(rnd["round"], "2025-02-10")
    s.nomination.close_notice(rnd["round"], "2025-02-13")
    s.nomination.confirm(rnd["round"], [joint], "2025-02-20", "党工委〔2025〕5号", accept_breaches=True)
    _refusal(lambda: nominate(rnd, "钱七"), ConflictError, "“第一届议事代表推选”已经党工委确认，不能再增加人选")


def test_the_candidate_form_asks_these_fields_after_the_persons_own():
    from app.services.base import FieldSpec
    from app.services.candidates import candidate_fields
    from app.services.delegates import person_fields

    own = candidate_fields()[len(person_fields()):]
    assert [(f.name, f.label, f.kind, f.required, tuple(f.choices), f.ref, f.editable) for f in own] == [
        ("citizenship", "国籍", "choice", False, ("中国",), None, True),
        ("community_id", "推荐村（社区）", "ref", True, (), "communities", False),
        ("resident_since", "在本村（社区）居住或工作起始日期", "date", False, (), None, False),
        ("route", "推荐方式", "choice", True, (("party_org", "基层党组织推荐"), ("joint", "居民10人以上联名推荐"),
                                             ("self", "本人自荐（须本批次开放）")), None, False),
        ("recommender", "推荐组织", "text", False, (), None, False),
        ("recommenders", "联名推荐人（以顿号分隔）", "multiline", False, (), None, False),
        ("notes", "备注", "multiline", False, (), None, False),
    ]
    assert all(isinstance(f, FieldSpec) for f in candidate_fields())
    assert candidate_fields()[:len(person_fields())] == person_fields()
