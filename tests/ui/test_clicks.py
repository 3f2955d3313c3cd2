"""Fewer clicks where the work repeats: 全部同意 and keys in 征求代表意见, no wheel changes on an
unfocused combo, 审核人 prefilled, pinyin initials in person fields, buttons that say why not."""

import pytest
from PySide6.QtCore import Qt

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


def _consult(qtbot, window):
    from ui.pages.opinions.group_steps import ConsultDialog

    store = store_of(window)
    topic = store.rows("SELECT id, title FROM topics WHERE deleted = 0 ORDER BY title LIMIT 1")[0]
    dialog = ConsultDialog(window.backend, topic, store.topics.consultation(topic["id"]), window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _views(dialog) -> list:
    return [dialog.table.cellWidget(r, 2).currentData() for r in range(dialog.table.rowCount())]


def test_all_agree_sets_every_row_and_a_selection_only_its_rows(qtbot, window):
    from PySide6.QtWidgets import QPushButton

    dialog = _consult(qtbot, window)
    rows = dialog.table.rowCount()
    assert rows >= 3
    agree = next(b for b in dialog.findChildren(QPushButton) if b.text() == "全部同意")
    agree.click()
    assert _views(dialog) == ["同意"] * rows
    dialog.table.clearSelection()
    for r in (0, 1):
        dialog.table.selectionModel().select(dialog.table.model().index(r, 0),
                                             dialog.table.selectionModel().SelectionFlag.Select
                                             | dialog.table.selectionModel().SelectionFlag.Rows)
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "全部不同意").click()
    assert _views(dialog) == ["不同意", "不同意"] + ["同意"] * (rows - 2)


def test_keys_answer_a_row_and_move_down(qtbot, window):
    from PySide6.QtCore import Qt

    dialog = _consult(qtbot, window)
    assert (dialog.table.currentRow(), dialog.table.currentColumn()) == (0, 2)  # ready for the first answer
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key_1)
    qtbot.keyClick(dialog.table, Qt.Key_N)
    qtbot.keyClick(dialog.table, Qt.Key_Space)
    qtbot.keyClick(dialog.table, Qt.Key_2)
    assert _views(dialog)[:4] == ["同意", "不同意", "同意", "有补充意见"]
    assert dialog.table.currentRow() == 4
    # with the focus in a row's box the keys work too, and the focus follows down
    box = dialog.table.cellWidget(4, 2)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key_Y)
    assert _views(dialog)[4] == "同意" and dialog.table.currentRow() == 5
    qtbot.keyClick(dialog.table.cellWidget(5, 2), Qt.Key_0)
    assert _views(dialog)[5] is None


def _wheel(widget, steps: int = -1) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_passes_over_an_unfocused_combo(qtbot, window):
    dialog = _consult(qtbot, window)
    box = dialog.table.cellWidget(1, 2)
    dialog.day.setFocus()
    before = box.currentIndex()
    _wheel(box)
    _wheel(box)
    assert box.currentIndex() == before  # scrolling the table never changes an answer
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    _wheel(box)
    assert box.currentIndex() != before  # a box the clerk is in still turns with the wheel


def test_every_combo_in_the_window_is_one_the_wheel_passes_over():
    """`QComboBox(` is built in ui/widgets.py only (NoWheelCombo), the filter bars' included."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    built = {str(p.relative_to(root)) for p in (root / "ui").rglob("*.py")
             if re.search(r"\bQComboBox\(", p.read_text(encoding="utf-8"))}
    assert built <= {"ui/widgets.py"}, built
    spins = {str(p.relative_to(root)) for p in (root / "ui").rglob("*.py")
             if re.search(r"\bQSpinBox\(", p.read_text(encoding="utf-8"))}
    assert spins <= {"ui/widgets.py"}, spins  # number boxes too: NoWheelSpin


def _unique_by_initials(store):
    """A delegate whose pinyin initials name no other active delegate, and the choices list."""
    from app.common.textutil import pinyin_keys

    choices = store.delegates.choices()
    initials = {}
    for delegate_id, label in choices:
        initials.setdefault(pinyin_keys(label.split("（")[0])[0], []).append((delegate_id, label))
    key, ((delegate_id, label),) = next((k, v) for k, v in sorted(initials.items()) if len(v) == 1 and len(k) >= 2)
    return choices, key, delegate_id, label


def _listed(combo) -> list[str]:
    model = combo.completer().completionModel()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


# the offscreen platform cannot grab the keyboard for the completer's popup (a real screen can)
@pytest.mark.qt_log_ignore("does not support grabbing the keyboard", "does not support raise")
def test_a_person_field_takes_pinyin_initials(qtbot, window):
    """收集代表 in the intake and every FieldSpec person field: 'zs' lists 张三-like names and, when it
    names one delegate alone, is taken as that delegate."""
    from app.services.base import FieldSpec
    from ui.forms import FieldEditor
    from ui.pages.opinions.intake import IntakeDialog

    store = store_of(window)
    choices, key, delegate_id, label = _unique_by_initials(store)
    refs = {"delegates": choices, "grids_by_community": [], "delegate_communities": {}}
    intake = IntakeDialog(window.backend, refs)
    qtbot.addWidget(intake)
    intake.show()
    qtbot.waitExposed(intake)
    intake.delegate.lineEdit().setFocus()
    qtbot.keyClicks(intake.delegate.lineEdit(), key)
    assert _listed(intake.delegate) == [label]  # the initials list the one delegate they name
    assert intake.chosen_delegate() == delegate_id
    # two letters that several names begin with list them all, each one's initials beginning so
    from app.common.textutil import pinyin_keys

    intake.delegate.lineEdit().clear()
    qtbot.keyClicks(intake.delegate.lineEdit(), key[0])
    listed = _listed(intake.delegate)
    assert len(listed) > 1 and all(pinyin_keys(x.split("（")[0])[0].startswith(key[0]) or key[0] in x.lower()
                                   for x in listed)

    editor = FieldEditor(FieldSpec("delegate_id", "牵头代表", "ref", ref="delegates"), {"delegates": choices})
    qtbot.addWidget(editor)
    editor.show()
    editor.widget.lineEdit().setFocus()
    qtbot.keyClicks(editor.widget.lineEdit(), key)
    assert editor.value() == delegate_id and editor.local_error() is None
    editor.widget.lineEdit().setText("qqqqq")
    assert editor.value() is None and "不在议事代表名单中" in editor.local_error()


def test_charts_count_in_whole_numbers_over_every_month(qtbot, window):
    from PySide6.QtCharts import QBarCategoryAxis, QValueAxis
    from PySide6.QtCore import Qt

    from tests.conftest import DEMO_YEAR

    page = open_page(qtbot, window, "opinions")
    page.tabs.setCurrentWidget(page.stats)
    wait_idle(qtbot, window.backend)
    page.stats.year.setCurrentIndex(page.stats.year.findData(DEMO_YEAR))  # the report's year, with every month
    wait_idle(qtbot, window.backend)
    assert page.stats.year.currentData() == DEMO_YEAR
    charts = {view.chart().title(): view for view in page.stats.chart_views}
    month = charts["按月收集"].chart()
    categories = month.axes(Qt.Horizontal)[0]
    assert isinstance(categories, QBarCategoryAxis)
    assert categories.categories() == [f"{m}月" for m in range(1, 13)]  # months without opinions too
    by_month = store_of(window).opinion_stats.opinions(DEMO_YEAR)["by_month"]
    bars = month.series()[0].barSets()[0]
    assert [int(bars.at(i)) for i in range(12)] == [by_month.get(f"{DEMO_YEAR}-{m:02d}", 0) for m in range(1, 13)]
    for title in ("按月收集", "按小组"):
        chart = charts[title].chart()
        axis = next(a for a in chart.axes() if isinstance(a, QValueAxis))
        ticks = [axis.min() + i * (axis.max() - axis.min()) / (axis.tickCount() - 1) for i in range(axis.tickCount())]
        assert all(t == int(t) for t in ticks), (title, ticks)  # 0, 1, 2… never 0, 0.5, 1 printed as 0, 0, 1
        assert len(set(int(t) for t in ticks)) == len(ticks)
        assert axis.labelFormat() == "%d" and axis.max() >= max(chart.series()[0].barSets()[0].at(i)
                                                                 for i in range(chart.series()[0].barSets()[0].count()))
    # group names are whole on their own axis (新城一组, 新城二组: never three "新…")
    groups = next(a for a in charts["按小组"].chart().axes() if isinstance(a, QBarCategoryAxis))
    names = store_of(window).opinion_stats.opinions(DEMO_YEAR)["by_group"]
    assert sorted(groups.categories()) == sorted(names)
    # all years: one bar a year, every label its own
    page.stats.year.setCurrentIndex(page.stats.year.findData(None))
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: "按年收集" in [v.chart().title() for v in page.stats.chart_views], timeout=5000)
    years = next(v for v in page.stats.chart_views if v.chart().title() == "按年收集").chart().axes(Qt.Horizontal)[0]
    assert years.categories() and all(c.endswith("年") for c in years.categories())
    assert len(set(years.categories())) == len(years.categories())


def test_the_stats_page_fits_a_small_screen_with_charts_tall_enough(qtbot, window):
    from PySide6.QtWidgets import QScrollArea

    window.resize(1366, 728)
    page = open_page(qtbot, window, "opinions")
    page.tabs.setCurrentWidget(page.stats)
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: len(page.stats.chart_views) == 3, timeout=5000)
    assert page.stats.findChild(QScrollArea, "stats_scroll") is not None
    assert page.stats.minimumSizeHint().height() < 500  # the area scrolls instead of squeezing
    for view in page.stats.chart_views:
        assert view.minimumHeight() >= 300
        legend = view.chart().legend()
        if legend.isVisible():  # the pie's legend sits beside it, inside the chart
            assert legend.alignment() in (Qt.AlignRight, Qt.AlignLeft)


def test_a_button_that_needs_a_row_says_so_until_one_is_chosen(qtbot, window):
    """按纪要交办 with no topic chosen is disabled and tells why, instead of doing nothing."""
    from PySide6.QtWidgets import QPushButton

    topics = _topics_tab(qtbot, window)
    topics.reload_lists()
    wait_idle(qtbot, window.backend)
    button = next(b for b in topics.findChildren(QPushButton) if b.text() == "按纪要交办…")
    topics.topics_view.clearSelection()
    topics.topics_view.setCurrentIndex(topics.topics.index(-1, -1))
    assert not button.isEnabled() and "请先在“议题”列表中选择一个议题" in button.toolTip()
    _select_topic(qtbot, window, topics)
    assert button.isEnabled() and "请先" not in button.toolTip()
    chosen = topics.topics.row_at(topics.topics_view.currentIndex().row())["id"]
    topics.reload_lists()  # the list reloads (a step taken on the topic): the topic stays chosen
    wait_idle(qtbot, window.backend)
    assert button.isEnabled() and topics.topics.row_at(topics.topics_view.currentIndex().row())["id"] == chosen
    assert topics.topics_view.selectionModel().isRowSelected(topics.topics_view.currentIndex().row())
    topics.group.setCurrentIndex((topics.group.currentIndex() + 1) % topics.group.count())  # another group's
    wait_idle(qtbot, window.backend)
    assert not button.isEnabled()
    # the same on the ledger, the roster and the meetings list
    for key, text in (("roster", "编辑"), ("meetings", "删除")):
        page = open_page(qtbot, window, key)
        found = [b for b in page.findChildren(QPushButton) if b.text() == text and b.isVisibleTo(page)]
        assert found and all(not b.isEnabled() and "请先" in b.toolTip() for b in found), key


def test_the_duty_list_filters_by_pinyin_initials(qtbot, window):
    from ui.pages.meetings import DutyDialog

    store = store_of(window)
    _, key, delegate_id, label = _unique_by_initials(store)
    people = [{"id": d_id, "name": text.split("（")[0], "group_name": "小组"} for d_id, text in store.delegates.choices()]
    dialog = DutyDialog({"name": "议事堂", "delegates": []}, people, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.search, key)
    shown = [dialog.list.item(i).data(Qt.UserRole) for i in range(dialog.list.count()) if not dialog.list.item(i).isHidden()]
    assert shown == [delegate_id]
    dialog.search.clear()
    assert not any(dialog.list.item(i).isHidden() for i in range(dialog.list.count()))


def test_enter_in_a_person_field_takes_the_name_and_never_saves_the_form(qtbot, window):
    """The visit sheet's 走访代表: initials typed, the list closed, Enter. The delegate is taken and
    the cursor moves on; the sheet is neither saved nor refused as empty (Enter once reached the
    dialog's 保存)."""
    from tests.ui.test_cell_editing import open_visit_sheet

    store = store_of(window)
    choices, key, delegate_id, label = _unique_by_initials(store)
    tab, sheet = open_visit_sheet(qtbot, window)
    saved = []
    sheet.accepted.connect(lambda: saved.append(True))
    field = sheet.delegate.lineEdit()
    field.setFocus()
    field.clear()
    qtbot.keyClicks(field, key)
    sheet.delegate.completer().popup().hide()
    qtbot.keyClick(field, Qt.Key_Return)
    assert sheet.isVisible() and not saved
    assert sheet.delegate.currentData() == delegate_id
    assert not field.hasFocus()
    from PySide6.QtWidgets import QLabel

    assert not [w.text() for w in sheet.findChildren(QLabel) if w.isVisible() and "空的" in w.text()]
    sheet.reject()


def test_a_greyed_save_says_which_field_wants_what(qtbot, window):
    """交办 with 主办单位 empty: 确定 is greyed and its tooltip names the field; filled, it is free."""
    from PySide6.QtWidgets import QDialogButtonBox

    from app.services.base import FieldSpec
    from ui.form_dialog import FormDialog

    dialog = FormDialog("交办", [FieldSpec("lead_unit", "主办单位", "text", required=True),
                                 FieldSpec("note", "说明", "multiline")], parent=window)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled() and "主办单位" in ok.toolTip()
    dialog.editors["lead_unit"].widget.setText("街道城管办")
    assert ok.isEnabled() and ok.toolTip() == ""
