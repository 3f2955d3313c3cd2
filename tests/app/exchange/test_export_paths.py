"""Package export's own ways: a parent the rule book's checks read is answered from the rows already
packed or, when it is not in the package (a delta), from the database, and a row breaking such a
rule is refused either way; a failure while the zip is written (on its own thread) reaches the
clerk in plain words and leaves nothing behind."""

import errno
from datetime import date, timedelta

import pytest

from app.common.errors import ConflictError, EnvironmentFailure, ValidationError
from app.exchange import export
from app.exchange.export import export_package
from app.exchange.package import WORK_PREFIX, PackageError
from tests.app.exchange.conftest import FAST

PASS = "口令"


def _nothing_left(store, stick) -> bool:
    return not list(stick.iterdir()) and not list(store.data_dir.glob(WORK_PREFIX + "*")) \
        and not store.rows("SELECT * FROM exchange_log")


def _day_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def test_a_row_dated_before_its_packed_parent_is_refused(offices):
    stores, stick = offices
    a = stores["A"]
    row = a.rows("SELECT s.id, o.received_on FROM supervisions s JOIN opinions o ON o.id = s.opinion_id"
                 " WHERE o.received_on IS NOT NULL ORDER BY s.id LIMIT 1")[0]
    a.db.execute("UPDATE supervisions SET day = ? WHERE id = ?", [_day_before(row["received_on"]), row["id"]])
    with pytest.raises(PackageError, match="对方会拒收.*督办日期"):
        export_package(a, stick, PASS, scrypt_n=FAST)
    assert _nothing_left(a, stick)


def _supervised(store, content: str) -> tuple[str, str]:
    """(supervision id, its opinion's received_on) of a supervision newly recorded on an opinion
    that takes one."""
    for opinion in store.rows("SELECT id, received_on, assigned_on FROM opinions WHERE assigned_on IS NOT NULL"):
        try:
            store.opinions.supervise(opinion["id"], opinion["assigned_on"], "电话", content, "推进中")
        except (ConflictError, ValidationError):
            continue
        found = store.rows("SELECT id FROM supervisions WHERE content = ?", [content])
        return found[0]["id"], opinion["received_on"]
    raise AssertionError("the demo has no opinion to supervise")


def test_a_delta_row_is_held_to_its_parent_in_the_store(offices):
    stores, stick = offices
    a = stores["A"]
    export_package(a, stick, PASS, office="乙", scrypt_n=FAST)
    _supervised(a, "第一次督办")
    sent = export_package(a, stick, PASS, office="乙", since_last=True, scrypt_n=FAST)
    assert sent["counts"].get("supervisions") == 1 and "opinions" not in sent["counts"]
    supervision, received = _supervised(a, "第二次督办")
    a.db.execute("UPDATE supervisions SET day = ? WHERE id = ?", [_day_before(received), supervision])
    before = sorted(p.name for p in stick.iterdir())
    with pytest.raises(PackageError, match="对方会拒收.*督办日期"):
        export_package(a, stick, PASS, office="乙", since_last=True, scrypt_n=FAST)
    assert sorted(p.name for p in stick.iterdir()) == before


def test_a_full_disk_while_the_zip_is_written_is_told_and_leaves_nothing(offices, monkeypatch):
    stores, stick = offices
    a = stores["A"]

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export._Member, "write", full)
    with pytest.raises(EnvironmentFailure, match="磁盘空间已满"):
        export_package(a, stick, PASS, scrypt_n=FAST)
    assert _nothing_left(a, stick)


def test_rows_written_on_the_zip_thread_come_out_as_written_in_turn(offices, monkeypatch):
    """The zip's thread changes when the bytes are written, never which: a zip written with a
    batch a row holds the same members as one written with the usual batches."""
    a = offices[0]["A"]
    usual, usual_manifest = export.build_content(a)
    monkeypatch.setattr(export, "ROWS_PER_WRITE", 1)
    _, manifest = export.build_content(a)
    assert manifest["members"] == usual_manifest["members"] and manifest["tables"] == usual_manifest["tables"]
