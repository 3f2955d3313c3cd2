"""数据 area: backups, the audit log, importing a package with its preview, conflicts, the lock."""

import pytest
from PySide6.QtWidgets import QDialog

from app.exchange.export import export_package
from app.store import Store
from tests.app.exchange.conftest import FAST
from tests.ui.conftest import open_page, store_of, wait_idle


def test_models_and_the_audit_chain(qtbot, qtmodeltester, window):
    page = open_page(qtbot, window, "data")
    for model in (page.exchange.peers, page.exchange.log, page.conflicts.model, page.backups.model):
        qtmodeltester.check(model)
    qtbot.waitUntil(lambda: page.audit.model.rowCount() > 1000, timeout=5000)
    qtmodeltester.check(page.audit.model)
    page.audit.action.setCurrentIndex(page.audit.action.findData("nomination"))
    qtbot.waitUntil(lambda: 0 < page.audit.model.rowCount() < 100, timeout=5000)
    page.audit.verify()
    qtbot.waitUntil(lambda: "审计日志完整" in page.audit.chain.text(), timeout=5000)


def test_backup_now_lists_a_verified_backup(qtbot, window, monkeypatch):
    page = open_page(qtbot, window, "data")
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: shown.append(a[2]))
    page.backups.backup(None)
    qtbot.waitUntil(lambda: bool(shown) and page.backups.model.rowCount() == 1, timeout=10000)
    assert "已备份并校验" in shown[0] and page.backups.model.rows[0]["reason_label"] == "手动"


def test_import_a_package_with_its_preview(qtbot, window, monkeypatch, tmp_path):
    organisation = open_page(qtbot, window, "organisation")  # open before: it must refresh itself
    other = Store.open(tmp_path / "other")
    other.settings.update({"site_name": "新城三组"})
    other.groups.create({"name": "别处新建的小组"})
    package = export_package(other, tmp_path, "口令", scrypt_n=FAST)["path"]
    other.close()
    # an edit made before the import: Ctrl+Z would undo it
    group_id = store_of(window).groups.list()[0]["id"]
    window.backend.op(lambda s: s.groups.update(group_id, {"focus": "导入前的修改"}), summary="修改议事小组")
    wait_idle(qtbot, window.backend)
    assert window.undo_action.isEnabled()
    page = open_page(qtbot, window, "data")
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName", lambda *a, **k: (package, ""))
    monkeypatch.setattr("ui.pages.data.exchange._ask_passphrase", lambda *a, **k: "口令")
    previews, shown = [], []

    def accept(dialog):
        previews.append(dialog)
        return QDialog.Accepted

    monkeypatch.setattr("ui.pages.data.exchange.PreviewDialog.exec", accept)
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: shown.append(a[2]))
    page.exchange.import_()
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    assert "已从新城三组导入：新增 1" in shown[0]
    wait_idle(qtbot, window.backend)
    # after an import, the edits before it are no longer undone by Ctrl+Z (their rows may carry
    # values that came in the package)
    assert not window.undo_action.isEnabled() and window.backend.undo_summary() == ""
    assert [p["name"] for p in page.exchange.peers.rows] == ["新城三组"]
    assert page.exchange.log.rows[0]["direction_label"] == "收到"
    received = page.exchange.peers.rows[0]["last_import_label"]
    assert received == page.exchange.log.rows[0]["at_label"] and "T" not in received and len(received) == 16
    # the page already open shows the group that arrived, refreshed from what the import changed
    qtbot.waitUntil(lambda: "别处新建的小组" in [g["name"] for g in organisation.groups.model.rows], timeout=5000)


def test_the_lock_asks_for_the_password(qtbot, window):
    from app.storage import security
    from ui.lock import IdleLock

    window.backend.op(lambda s: security.set_password(s, "zhongshan"))
    wait_idle(qtbot, window.backend)
    lock = IdleLock(window, window.backend)
    lock.lock("测试锁定")
    assert not window.centralWidget().isVisible()
    lock.dialog.password.setText("wrong-one")
    lock.dialog.submit()
    qtbot.waitUntil(lambda: "还可再试 4 次" in lock.dialog.message.text(), timeout=5000)
    lock.dialog.password.setText("zhongshan")
    lock.dialog.submit()
    qtbot.waitUntil(lambda: window.centralWidget().isVisible() and not lock.locked, timeout=5000)


# What a damaged yishi.db looks like: overwritten, emptied, or cut short (a copy that stopped).
DAMAGED = {"not a database": lambda data: b"this is not a database any more" * 100,
           "empty": lambda data: b"",
           "truncated": lambda data: data[: int(len(data) * 0.4)]}


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_database_that_will_not_open_is_replaced_by_the_newest_good_backup(qtbot, demo_dir, ui_font,
                                                                                 monkeypatch, damage):
    from app.storage.backup import backup
    from ui.backend import Backend
    from ui.lock import offer_recovery
    from ui.window import MainWindow

    with Store.open(demo_dir) as store:
        backup(store, reason="auto")
    damaged = DAMAGED[damage]((demo_dir / "yishi.db").read_bytes())
    (demo_dir / "yishi.db").write_bytes(damaged)
    backend = Backend()
    window = MainWindow(backend)
    qtbot.addWidget(window)
    errors, reopened = [], []
    backend.open_store(str(demo_dir), reopened.append, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "已损坏" in str(errors[0])
    monkeypatch.setattr("ui.lock.QDialog.exec", lambda dialog: QDialog.Accepted)
    offer_recovery(window, backend, demo_dir, errors[0], reopened.append, lambda: reopened.append("gave up"))
    qtbot.waitUntil(lambda: bool(reopened), timeout=10000)
    assert reopened == [str(demo_dir)]
    aside = list(demo_dir.glob("yishi-replaced-*.db"))
    assert [p.read_bytes() for p in aside] == [damaged]  # the damaged file kept aside, as it was
    counts = []
    backend.query(lambda s: s.delegates.count(), counts.append)
    qtbot.waitUntil(lambda: bool(counts), timeout=5000)
    assert counts == [70]
    backend.shutdown()


def test_stored_utc_times_are_shown_on_the_clerks_clock(monkeypatch):
    import time

    from ui.widgets import local_when as _when

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert _when("2026-11-26T15:24:07+00:00") == "2026-11-26 23:24"
        assert _when(None) == ""
    finally:
        monkeypatch.undo()
        time.tzset()


def test_restoring_a_backup_from_the_backups_tab_refreshes_the_open_pages(qtbot, window, monkeypatch):
    """As the clerk does it: back up, make a change, restore that backup from the list the app
    made; the roster already open shows the restored names, and Ctrl+Z no longer undoes."""
    roster = open_page(qtbot, window, "roster")
    page = open_page(qtbot, window, "data")
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: shown.append(a[2]))
    monkeypatch.setattr("ui.pages.data.backups.confirm", lambda *a, **k: True)
    page.backups.backup(None)
    qtbot.waitUntil(lambda: page.backups.model.rowCount() == 1, timeout=10000)
    first = roster.model.row_at(0)
    window.backend.op(lambda s: s.delegates.update(first["id"], {"name": "改过的名字"}), summary="改名")
    qtbot.waitUntil(lambda: "改过的名字" in [row["name"] for row in map(roster.model.row_at,
                                                                        range(roster.model.rowCount())) if row],
                    timeout=5000)
    assert window.undo_action.isEnabled()
    page.backups.view.selectRow(0)
    page.backups.restore_selected()
    qtbot.waitUntil(lambda: any("已恢复" in text for text in shown), timeout=15000)
    wait_idle(qtbot, window.backend)

    def names():
        return [row["name"] for row in map(roster.model.row_at, range(roster.model.rowCount())) if row]

    qtbot.waitUntil(lambda: first["name"] in names() and "改过的名字" not in names(), timeout=5000)
    assert not window.undo_action.isEnabled()


def test_the_archive_tab_offers_every_document_kind_for_a_year(qtbot, window, monkeypatch, tmp_path):
    """归档包: the year is the summary's, every kind is offered; the year's summary and plans go in,
    and a year without any is refused with the kind named."""
    import zipfile

    from app.documents.catalog import DOCS

    page = open_page(qtbot, window, "data")
    page.tabs.setCurrentWidget(page.archive)
    archive = page.archive
    year = store_of(window).summary.default_year()
    qtbot.waitUntil(lambda: archive.year.value() == year, timeout=5000)
    assert set(archive.docs) == set(DOCS)
    assert archive.docs["minutes"].text() == "会议纪要（全年各次会议）"
    for box in archive.registers.values():
        box.setChecked(False)
    for name, box in archive.docs.items():
        box.setChecked(name in ("summary", "plan"))
    out = tmp_path / "归档.zip"
    monkeypatch.setattr("ui.pages.data.archive.ask_save_path", lambda *a: out)
    shown, refused = [], []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: shown.append(a[2]))
    monkeypatch.setattr("ui.pages.data.archive.show_refusal", lambda parent, error: refused.append(str(error)))
    archive.year.setValue(2001)
    archive.build()
    qtbot.waitUntil(lambda: bool(refused), timeout=10000)
    assert "2001年没有可放入归档包的" in refused[0] and "议事方案" in refused[0]
    archive.year.setValue(year)
    archive.build()
    qtbot.waitUntil(lambda: bool(shown), timeout=120000)
    assert f"已生成{year}年归档包" in shown[0]
    names = zipfile.ZipFile(out).namelist()
    assert any(n.endswith(f"/{year}年年度工作总结.pdf") for n in names) and any("/议事方案/" in n for n in names)
    wait_idle(qtbot, window.backend)
