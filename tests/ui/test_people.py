"""Issue 25, the people of the work, in the window: supervision participants, the meeting window's
会中意见建议 and 分组讨论, a topic's 实地走访调研, a group's 推选 and the grouping view."""

from __future__ import annotations

from datetime import date

from tests.ui.conftest import open_page, store_of, wait_idle

SMALLEST = (1280, 680)  # 1920 × 1080 at 150 %, less a 40 px taskbar (fits 1366 × 768 too)


def _fits(widget) -> bool:
    need = widget.minimumSizeHint()
    return need.width() <= SMALLEST[0] and need.height() <= SMALLEST[1]


def test_the_supervision_form_offers_the_groups_delegates_and_records_them(qtbot, window, monkeypatch):
    from ui.form_dialog import FormDialog
    from ui.opinion_dialog import OpinionDialog

    store = store_of(window)
    opinion = store.rows("SELECT id, group_id FROM opinions WHERE status = 'assigned' AND deleted = 0 LIMIT 1")[0]
    dialog = OpinionDialog(window.backend, opinion["id"], window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    wait_idle(qtbot, window.backend)
    asked = {}

    def ask(parent, title, specs, values=None, refs=None, note="", ok="确定"):
        form = FormDialog(title, specs, values, refs, note, parent)
        qtbot.addWidget(form)
        asked["fits"] = _fits(form)
        people = next(s for s in specs if s.name == "delegates").choices
        asked["people"] = people
        return {"day": date.today().isoformat(), "method": "实地", "content": "代表随同查看现场", "progress": "",
                "delegates": list(people[:2])}

    monkeypatch.setattr("ui.opinion_dialog.ask", ask)
    before = store.scalar("SELECT count(*) FROM supervision_delegates")
    dialog.supervise()
    qtbot.waitUntil(lambda: store.scalar("SELECT count(*) FROM supervision_delegates") == before + 2, timeout=5000)
    wait_idle(qtbot, window.backend)
    assert asked["fits"]
    group = {r["name"] for r in store.rows("SELECT name FROM delegates WHERE group_id = ? AND deleted = 0",
                                           [opinion["group_id"]])}
    assert asked["people"] and all(label.split("（")[0] in group for label in asked["people"])
    last = dialog.timeline.item(dialog.timeline.count() - 1).text()
    assert any("参与代表" in dialog.timeline.item(i).text() for i in range(dialog.timeline.count())), last
