"""推选 page: the demo's completed round, and a by-election run through the page's own dialogs."""

from PySide6.QtWidgets import QDialog

from tests.ui.conftest import open_page, wait_idle


def test_the_completed_round_is_shown_with_its_board_and_history(qtbot, qtmodeltester, window):
    page = open_page(qtbot, window, "nomination")
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.board_model)
    assert page.model.rowCount() == 110
    assert "已备案" in page.summary.text() and "第一届" in page.summary.text()
    assert page.funnel.text().startswith("推荐提名 110")
    total = page.board_model.rows[-1]
    assert (total["key_label"], total["selected"], total["state_text"]) == ("代表名额", 70, "已满足")
    page.status.setCurrentIndex(page.status.findData("appointed"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 70, timeout=5000)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: "报区人大常委会备案" in page.detail.toPlainText(), timeout=5000)


def fill(dialog, **values):
    for name, value in values.items():
        dialog.editors[name].set_value(value)


def test_a_by_election_from_nomination_to_certificates(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "nomination")
    page.edit_round(None, "by_election")
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=5000)
    fill(page.dialog, name="2026年补选", opened_on="2026-03-02", seats="1", reason="一名代表迁出",
         review_units="街道党工委组织办")
    page.dialog._save()
    wait_idle(qtbot, window.backend)
    assert not page.dialog.general.isVisible(), page.dialog.general.text()
    assert not [e.message.text() for e in page.dialog.editors.values() if e.message.text()]
    qtbot.waitUntil(lambda: page.data["round"] and page.data["round"].get("name") == "2026年补选", timeout=5000)
    assert page.model.rowCount() == 0 and "补选原因" in page.summary.text()

    for name, number in (("补选甲", "500118198001010011"), ("补选乙", "500118198502020022")):
        page.nominate()
        qtbot.waitUntil(lambda: page.dialog.windowTitle() == "推荐人选" and page.dialog.isVisible(), timeout=5000)
        fill(page.dialog, name=name, id_number=number[:17] + __import__("app.common.idcard", fromlist=["x"]).check_digit(
            number[:17]), community_id=page.community.itemData(1), route="party_org", recommender="中山路社区党委",
            resident_since="2010-01-01")
        page.dialog._save()
        wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)

    answers = []
    monkeypatch.setattr("ui.pages.nomination.ask", lambda *a, **k: answers.pop(0))
    monkeypatch.setattr("ui.pages.nomination.confirm", lambda *a, **k: True)
    refusals = []
    monkeypatch.setattr("ui.pages.nomination.show_refusal", lambda parent, error, *a: refusals.append(str(error)))
    page.view.selectAll()
    for stage_day in ("2026-03-05", "2026-03-06"):
        answers.append({"verdict": "pass", "day": stage_day, "actor": "", "reason": ""})
        page.record_stage()
        wait_idle(qtbot, window.backend)
        page.view.selectAll()
    answers.append({"unit": "街道党工委组织办", "verdict": "合格", "day": "2026-03-09", "note": ""})
    page.review()
    wait_idle(qtbot, window.backend)
    answers.append({"start": "2026-03-10", "place": ""})
    page.start_notice()
    wait_idle(qtbot, window.backend)
    assert refusals == []
    qtbot.waitUntil(lambda: page.data["round"]["state"] == "notice", timeout=5000)
    assert page.data["round"]["notice_end"] == "2026-03-12"
    answers.append({"day": "2026-03-13"})
    page.close_notice()
    qtbot.waitUntil(lambda: page.data["round"]["state"] == "noticed", timeout=5000)

    def tick(dialog):  # both ticked: one over the single seat, so the clerk is asked (and agrees)
        qtbot.waitUntil(lambda: "不符合名额要求" in dialog.board.text(), timeout=5000)
        dialog.day.setText("2026-03-16")
        dialog.doc.setText("党工委〔2026〕3号")
        return QDialog.Accepted

    monkeypatch.setattr("ui.pages.nomination.ConfirmDialog.exec", tick)
    page.confirm_list()
    qtbot.waitUntil(lambda: page.data["round"]["state"] == "confirmed", timeout=5000)
    qtbot.waitUntil(lambda: window.undo_action.isEnabled() and "党工委确认" in window.undo_action.text(), timeout=5000)
    shown = []
    monkeypatch.setattr("ui.pages.nomination.preview_doc", lambda *a, **k: shown.append(a[2]))
    answers.append({"day": "2026-03-20"})
    page.certificates()
    qtbot.waitUntil(lambda: shown == ["certificates"], timeout=5000)
    qtbot.waitUntil(lambda: all(r["certificate_no"] for r in page.model.rows), timeout=5000)
    serials = {r["certificate_no"] for r in page.model.rows}
    assert len(serials) == 2 and all(s.startswith("中山路议聘〔2026〕") for s in serials)


def test_quotas_are_edited_in_a_table_and_the_board_follows(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "nomination")
    refusals = []
    monkeypatch.setattr("ui.pages.nomination.show_refusal", lambda parent, error, *a: refusals.append(str(error)))
    page.edit_round(None, "regular")
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=5000)
    fill(page.dialog, name="第二届议事代表推选", seats="3")
    page.dialog._save()
    qtbot.waitUntil(lambda: (page.data["round"] or {}).get("name") == "第二届议事代表推选", timeout=5000)

    def quotas(dialog):
        dialog.fill_communities()
        assert dialog.table.rowCount() == 25
        for row in range(dialog.table.rowCount()):
            dialog.table.item(row, 3).setText("1" if row < 2 else "0")
        dialog.add_row("party")
        dialog.table.cellWidget(25, 1).setCurrentText("中共党员")
        dialog.table.cellWidget(25, 2).setCurrentIndex(dialog.table.cellWidget(25, 2).findData("max"))
        dialog.table.item(25, 3).setText("2")
        return QDialog.Accepted

    monkeypatch.setattr("ui.pages.nomination.QuotaDialog.exec", quotas)
    page.edit_quotas()
    qtbot.waitUntil(lambda: len(page.board_model.rows) == 27, timeout=5000)
    party = next(r for r in page.board_model.rows if r["key_label"] == "中共党员")
    assert (party["requirement"], party["state_text"]) == ("不超过 2 人", "已满足")
    assert page.board_model.rows[0]["state_text"] == "缺 1 人" and page.board_model.rows[0]["_warn"]
    qtbot.waitUntil(lambda: "各村（社区）名额合计 2 人，与代表名额 3 人不一致" in refusals, timeout=5000)
    assert "名额合计 2 人" in page.warnings.text()
    window.undo()
    qtbot.waitUntil(lambda: len(page.board_model.rows) == 1, timeout=5000)
