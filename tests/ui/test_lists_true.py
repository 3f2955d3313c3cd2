"""Lists stay true: after a restore, an import or an undo every open list shows the store as it is
(the 审计日志 too), and the status bar never offers Ctrl+Z for an edit that no longer exists."""

from tests.ui.conftest import open_page, store_of, wait_idle


def _backup_then_rename(qtbot, window, monkeypatch):
    """A verified backup, then a renamed delegate (an undoable edit) on top of it."""
    data = open_page(qtbot, window, "data")
    roster = open_page(qtbot, window, "roster")
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: shown.append(a[2]))
    monkeypatch.setattr("ui.pages.data.backups.confirm", lambda *a, **k: True)
    data.backups.backup(None)
    qtbot.waitUntil(lambda: data.backups.model.rowCount() == 1, timeout=15000)
    first = roster.model.row_at(0)
    window.backend.op(lambda s: s.delegates.update(first["id"], {"name": "改过的名字"}), summary="改名")
    wait_idle(qtbot, window.backend)
    assert "Ctrl+Z" in window.status.text() and window.undo_action.isEnabled()
    return data, shown


def _restore(qtbot, window, data, shown):
    data.backups.view.selectRow(0)
    data.backups.restore_selected()
    qtbot.waitUntil(lambda: any("已恢复" in text for text in shown), timeout=20000)
    wait_idle(qtbot, window.backend)


def test_the_open_audit_list_shows_the_restore_without_typing_and_ctrl_z_is_no_longer_offered(
        qtbot, window, monkeypatch):
    data, shown = _backup_then_rename(qtbot, window, monkeypatch)
    window.show_page("data")
    data.tabs.setCurrentWidget(data.audit)
    wait_idle(qtbot, window.backend)
    _restore(qtbot, window, data, shown)
    store = store_of(window)
    newest = store.audit.query(limit=1)[0]
    assert newest["action"] == "restore"

    def top():
        row = data.audit.model.row_at(0)
        return row and row["seq"]

    qtbot.waitUntil(lambda: top() == newest["seq"], timeout=5000)
    assert data.audit.model.rowCount() == store.audit.count()
    assert data.audit.search.text() == ""  # nothing typed
    assert "Ctrl+Z" not in window.status.text()
    assert not window.undo_action.isEnabled() and window.undo_action.text() == "撤销"


def test_a_hidden_audit_list_reads_the_log_again_when_shown(qtbot, window, monkeypatch):
    data, shown = _backup_then_rename(qtbot, window, monkeypatch)
    data.tabs.setCurrentWidget(data.backups)
    window.show_page("roster")  # the audit list is out of view while the store changes
    _restore(qtbot, window, data, shown)
    window.undo()  # nothing to undo after the restore
    window.show_page("data")
    data.tabs.setCurrentWidget(data.audit)
    newest = store_of(window).audit.query(limit=1)[0]
    qtbot.waitUntil(lambda: (data.audit.model.row_at(0) or {}).get("seq") == newest["seq"], timeout=5000)


def test_an_undo_shows_in_the_open_audit_list(qtbot, window):
    data = open_page(qtbot, window, "data")
    data.tabs.setCurrentWidget(data.audit)
    wait_idle(qtbot, window.backend)
    before = data.audit.model.rowCount()
    group = store_of(window).groups.list()[0]
    window.backend.op(lambda s: s.groups.update(group["id"], {"name": "新名字的小组"}), summary="改小组名")
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: data.audit.model.rowCount() == before + 1, timeout=5000)
    window.undo()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: data.audit.model.rowCount() == store_of(window).audit.count() > before + 1,
                    timeout=5000)
    assert "已撤销" in window.status.text()


def test_an_import_refreshes_every_open_list_and_clears_the_undo_offer(qtbot, window):
    """An import (here: rows written behind the views, then the import's `forget_undo`) makes every
    page built so far, every tab of it, read the store again, whatever its own watch list says."""
    roster = open_page(qtbot, window, "roster")
    data = open_page(qtbot, window, "data")
    group = store_of(window).groups.list()[0]
    window.backend.op(lambda s: s.groups.update(group["id"], {"name": "改过的小组"}), summary="改小组名")
    wait_idle(qtbot, window.backend)
    assert "Ctrl+Z" in window.status.text()
    first = roster.model.row_at(0)
    store_of(window).delegates.update(first["id"], {"name": "导入的名字"})
    peers_before = data.exchange.peers.rowCount()
    window.backend.forget_undo()
    wait_idle(qtbot, window.backend)
    qtbot.waitUntil(lambda: (roster.model.row_at(0) or {}).get("name") == "导入的名字"
                    or any((roster.model.row_at(i) or {}).get("name") == "导入的名字"
                           for i in range(roster.model.rowCount())), timeout=5000)
    assert data.exchange.peers.rowCount() == peers_before
    assert "Ctrl+Z" not in window.status.text() and not window.undo_action.isEnabled()
