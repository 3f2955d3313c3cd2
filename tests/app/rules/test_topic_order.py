"""工委审核 follows 确定议题, which follows each merged opinion's 收集 and 上报: a review dated before
the topic was settled, or a topic settled before its opinions were received or reported, is refused
at the service the window and the CLI call, held by the rule book at every other door, and named by
`check` when such rows were written behind the program's back. An opinion received after a topic was
reviewed may still join it."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from app.common.errors import ValidationError
from app.rules.doors import scan
from app.store import DB_NAME, Store
from tests.app.rules.test_date_order import refused

TODAY = date.today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _opinion(store, received: int, reported: int | None = None, title: str = "小区门口路灯不亮") -> str:
    delegate = store.rows("SELECT id, group_id FROM delegates WHERE deleted = 0 AND status = 'active'"
                          " AND group_id IS NOT NULL ORDER BY id LIMIT 1")[0]
    opinion = store.opinions.create({"source": "grid_visit", "received_on": ago(received),
                                     "delegate_id": delegate["id"], "title": title}).created("opinions")[0]
    if reported is not None:
        store.opinions.report(opinion, ago(reported))
    return opinion


def _topic(store, opinions: list[str], formed: int) -> str:
    group = store.scalar("SELECT group_id FROM opinions WHERE id = ?", [opinions[0]])
    return store.topics.create({"title": "背街小巷路灯", "group_id": group}, opinions,
                               day=ago(formed)).created("topics")[0]


def test_a_review_before_the_topic_was_settled_is_refused_with_both_days(demo):
    topic = _topic(demo, [_opinion(demo, received=20, reported=18)], formed=10)
    assert demo.topics.get(topic)["formed_on"] == ago(10)
    refused(demo, f"审核日期”{ago(11)} 早于“确定议题日期”{ago(10)}",
            lambda: demo.topics.review(topic, True, ago(11), "人大街道工委"))
    demo.topics.review(topic, True, ago(10), "人大街道工委")  # the same day is in order
    assert demo.topics.get(topic)["approved_on"] == ago(10)


def test_the_review_that_was_let_through_before_is_refused_now(demo):
    """The gap of the last round: opinions received last week, merged today, a review dated a
    month ago."""
    topic = _topic(demo, [_opinion(demo, received=7)], formed=0)
    with pytest.raises(ValidationError) as refusal:
        demo.topics.review(topic, True, ago(30), "人大街道工委")
    assert refusal.value.field == "approved_on" and "确定议题日期" in str(refusal.value)


@pytest.mark.parametrize("formed, match", [
    (21, "确定议题日期 {day} 早于意见“小区门口路灯不亮”的收集日期（{received}）"),
    (19, "确定议题日期 {day} 早于意见“小区门口路灯不亮”的上报组长日期（{reported}）"),
    (-1, "确定议题日期 {day} 晚于今天"),
])
def test_a_topic_is_settled_after_its_opinions_were_received_and_reported_and_not_ahead(demo, formed, match):
    opinion = _opinion(demo, received=20, reported=18)
    before = demo.opinions.get(opinion)
    message = match.format(day=ago(formed), received=ago(20), reported=ago(18))
    refused(demo, message.replace("（", r"\（").replace("）", r"\）"), lambda: _topic(demo, [opinion], formed))
    assert demo.opinions.get(opinion) == before
    late = _opinion(demo, received=5, title="路灯又坏了")
    topic = _topic(demo, [_opinion(demo, received=20, title="路灯坏了")], formed=10)
    refused(demo, "早于意见“路灯又坏了”的收集日期",
            lambda: demo.topics.add_opinions(topic, [late], ago(6)))


def test_an_opinion_received_after_the_review_still_joins_the_topic(demo):
    topic = _topic(demo, [_opinion(demo, received=30, reported=29)], formed=25)
    demo.topics.review(topic, True, ago(20), "人大街道工委")
    late = _opinion(demo, received=5, reported=4, title="路灯又坏了")
    demo.topics.add_opinions(topic, [late], ago(3))
    assert demo.opinions.get(late)["topic_id"] == topic
    assert demo.scalar("SELECT max(day) FROM opinion_events WHERE opinion_id = ? AND kind = 'topic'", [late]) == ago(3)
    assert not [b for b in scan(demo.db.conn) if b.table in ("topics", "opinion_events") and b.row_id in (topic, late)]


def test_check_names_a_review_and_a_merge_out_of_order_written_behind_the_programs_back(demo):
    opinion = _opinion(demo, received=20, reported=18)
    topic = _topic(demo, [opinion], formed=10)
    demo.topics.review(topic, True, ago(9), "人大街道工委")
    assert not [b for b in scan(demo.db.conn) if b.row_id == topic]
    demo.db.conn.execute("UPDATE topics SET approved_on = ? WHERE id = ?", [ago(12), topic])
    demo.db.conn.execute("UPDATE opinion_events SET day = ? WHERE opinion_id = ? AND kind = 'topic'", [ago(19), opinion])
    found = {(b.table, b.field): b.message() for b in scan(demo.db.conn) if b.row_id == topic or b.table == "opinion_events"}
    assert found[("topics", "approved_on")] == f"“审核日期”{ago(12)} 早于“确定议题日期”{ago(10)}"
    assert found[("opinion_events", "day")] == f"并入议题的日期 {ago(19)} 早于意见的上报组长日期（{ago(18)}）"


def test_topics_stored_before_the_day_was_kept_take_it_from_their_merge(tmp_path):
    folder = tmp_path / "data"
    with Store.open(folder) as store:
        group = store.groups.create({"name": "第一议事小组"}).created("groups")[0]
        opinion = store.opinions.create({"source": "grid_visit", "received_on": ago(20), "group_id": group,
                                         "title": "路灯不亮"}).created("opinions")[0]
        topic = store.topics.create({"title": "路灯", "group_id": group}, [opinion], day=ago(15)).created("topics")[0]
        lonely = store.topics.create({"title": "无意见的议题", "group_id": group}).created("topics")[0]
    conn = sqlite3.connect(folder / DB_NAME)  # as an office's database before m027
    conn.execute("ALTER TABLE topics DROP COLUMN formed_on")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm027_topics_formed_on'")
    conn.commit()
    conn.close()
    with Store.open(folder) as store:
        assert store.topics.get(topic)["formed_on"] == ago(15)
        assert store.topics.get(lonely)["formed_on"] is None
        store.topics.review(lonely, True, ago(1), "人大街道工委")  # nothing to hold it to
        refused(store, "早于“确定议题日期”", lambda: store.topics.review(topic, True, ago(16), "人大街道工委"))


def test_a_package_carrying_a_review_before_the_topic_was_settled_is_refused_whole(demo):
    """The same rule at the package door: another office's topic reviewed before it was settled."""
    import uuid

    from app.common.clock import RowStamps, Stamp
    from app.exchange.merge import Package, check_rules
    from app.exchange.package import PackageError
    from app.storage.schema import SYNCED_FIELDS
    from tests.app.rules.test_doors import FAKE_SITE
    from tests.conftest import digest

    topic = _topic(demo, [_opinion(demo, received=20)], formed=10)
    values = {name: demo.topics.get(topic)[name] for name in SYNCED_FIELDS["topics"]}
    values.update(status="approved", approved_on=ago(12), approved_by="人大街道工委", deleted=0)
    package = Package({"package_id": str(uuid.uuid4()), "site_id": FAKE_SITE}, {"app_version": "0.1.0"},
                      {"topics": [(str(uuid.uuid4()), values, RowStamps(Stamp(1, 0, FAKE_SITE)))]}, {}, "", None)
    before = digest(demo)
    with pytest.raises(PackageError) as caught:
        check_rules(demo, package)
    assert "议题" in caught.value.message and "第 1 行" in caught.value.message
    assert f"“审核日期”{ago(12)} 早于“确定议题日期”{ago(10)}" in caught.value.message
    assert digest(demo) == before


def test_the_group_is_consulted_on_a_topic_only_once_it_is_settled(demo):
    topic = _topic(demo, [_opinion(demo, received=20)], formed=10)
    member = demo.scalar("SELECT id FROM delegates WHERE group_id = (SELECT group_id FROM topics WHERE id = ?)"
                         " AND deleted = 0 AND status = 'active' LIMIT 1", [topic])
    refused(demo, f"“征求意见日期”{ago(11)} 早于确定议题日期",
            lambda: demo.topics.consult(topic, [{"delegate_id": member, "view": "同意"}], ago(11)))
    demo.topics.consult(topic, [{"delegate_id": member, "view": "同意"}], ago(10))
    assert demo.scalar("SELECT day FROM consultations WHERE topic_id = ?", [topic]) == ago(10)


def test_a_package_carrying_a_topic_and_a_consultation_before_it_was_settled_is_refused(demo):
    """The topic travels in the same package as its consultation: the check reads the package's
    topic (its 确定议题日期), not only a topic stored here."""
    import uuid

    from app.common.clock import RowStamps, Stamp
    from app.exchange.merge import Package, check_rules
    from app.exchange.package import PackageError
    from app.storage.schema import SYNCED_FIELDS
    from tests.app.rules.test_doors import FAKE_SITE
    from tests.conftest import digest

    stored = _topic(demo, [_opinion(demo, received=20)], formed=10)
    topic = {name: demo.topics.get(stored)[name] for name in SYNCED_FIELDS["topics"]}
    member = demo.scalar("SELECT id FROM delegates WHERE group_id = ? AND deleted = 0 AND status = 'active' LIMIT 1",
                         [topic["group_id"]])
    topic_id = str(uuid.uuid4())
    consultation = {"topic_id": topic_id, "delegate_id": member, "view": "同意", "day": ago(11), "deleted": 0}
    consultation = {name: consultation.get(name) for name in (*SYNCED_FIELDS["consultations"], "deleted")}
    stamps = RowStamps(Stamp(1, 0, FAKE_SITE))
    package = Package({"package_id": str(uuid.uuid4()), "site_id": FAKE_SITE}, {"app_version": "0.1.0"},
                      {"topics": [(topic_id, {**topic, "deleted": 0}, stamps)],
                       "consultations": [(str(uuid.uuid4()), consultation, stamps)]}, {}, "", None)
    before = digest(demo)
    with pytest.raises(PackageError) as caught:
        check_rules(demo, package)
    assert "第 1 行" in caught.value.message and f"{ago(11)} 早于确定议题日期" in caught.value.message
    assert digest(demo) == before
