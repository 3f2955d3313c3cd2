"""Fewer clicks where the work repeats: 全部同意 and keys in 征求代表意见, no wheel changes on an
unfocused combo, 审核人 prefilled, pinyin initials in person fields, buttons that say why not."""

from tests.ui.conftest import open_page, store_of, wait_idle


def _topics_tab(qtbot, window):
    page = open_page(qtbot, window, "opinions")
    page.tabs.setCurrentWidget(page.topics)
    wait_idle(qtbot, window.backend)
    return page.topics


def _select_topic(qtbot, window, topics):
    store = store_of(window)
    topic = store.rows("SELECT id, group_id, title FROM topics WHERE deleted = 0 ORDER BY title LIMIT 1")[0]
    topics.group.setCurrentIndex(topics.group.findData(topic["group_id"]))
    topics.reload_lists()
    wait_idle(qtbot, window.backend)
    row = next(r for r in range(topics.topics.rowCount()) if topics.topics.row_at(r)["id"] == topic["id"])
    topics.topics_view.selectRow(row)
    return topic


def test_the_reviewer_is_prefilled_from_the_settings(qtbot, window, monkeypatch):
    store_of(window).settings.update({"reviewer": "王审核"})
    topics = _topics_tab(qtbot, window)
    _select_topic(qtbot, window, topics)
    asked = []
    monkeypatch.setattr("ui.pages.opinions.topics.ask", lambda parent, title, specs, values, **k: asked.append(values))
    topics.review()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert asked[0]["by"] == "王审核"


def test_the_reviewer_falls_back_to_the_last_one_then_the_signer(window):
    store = store_of(window)
    store.settings.update({"reviewer": "", "signer": "李签发"})
    store.db.execute("UPDATE topics SET approved_by = NULL")
    assert store.topics.default_reviewer() == "李签发"
    topic = store.rows("SELECT id FROM topics WHERE deleted = 0 LIMIT 1")[0]
    store.db.execute("UPDATE topics SET approved_by = '赵上次', approved_on = '2026-01-05' WHERE id = ?", [topic["id"]])
    assert store.topics.default_reviewer() == "赵上次"
