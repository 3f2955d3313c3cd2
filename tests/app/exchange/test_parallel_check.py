"""A large package is held to the rule book by a second process while this one merges it: the
same rows merged, the same row refused with the same words, the store untouched by a refusal; a
worker that cannot answer leaves the answer to this process."""

from __future__ import annotations

import multiprocessing

import pytest

from app.exchange import checking, merge
from app.exchange.export import export_package
from app.exchange.merge import import_package
from app.exchange.package import PackageError
from tests.app.exchange.conftest import FAST, synced_digest
from tests.app.exchange.test_streaming import PASS, _twin, _with_bad_row, work_folders
from tests.conftest import digest


@pytest.fixture
def large(monkeypatch):
    """Every package is a large one, checked by a worker; the workers started are listed."""
    started = []
    start = checking.ParallelCheck.start.__func__

    def recorded(cls, sealed, database, target):
        check = start(cls, sealed, database, target)
        started.append(check)
        return check

    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    monkeypatch.setattr(checking, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(checking.ParallelCheck, "start", classmethod(recorded))
    return started


def test_a_package_checked_by_a_worker_merges_as_one_checked_here(offices, tmp_path, monkeypatch, large):
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    path = export_package(a, stick, PASS, scrypt_n=FAST)["path"]
    twin = _twin(b, tmp_path / "D")
    try:
        import_package(b, path, PASS)
        assert len(large) == 1 and large[0].answer == ("clean", None)
        assert not large[0].process.is_alive()  # (stopped with the import)
        monkeypatch.setattr(checking, "PARALLEL_ROWS", 10**9)
        import_package(twin, path, PASS)
        assert len(large) == 1
        assert synced_digest(twin) == synced_digest(b)
    finally:
        twin.close()


@pytest.mark.parametrize("table, name, value, said", [
    ("supervisions", "day", "2099-01-01", "晚于今天"),
    ("opinions", "community_id", "00000000-0000-4000-8000-00000000dead", "在交换包和本机都没有"),
])
def test_a_row_the_worker_refuses_is_named_as_when_checked_here(offices, monkeypatch, large, table, name, value,
                                                               said):
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    count = a.scalar(f"SELECT count(*) FROM [{table}]")
    path = _with_bad_row(a, stick, table, name, value, count)
    before = digest(b)
    with pytest.raises(PackageError, match=said) as by_worker:
        import_package(b, path, PASS)
    assert large and large[0].answer[0] == "breach"
    monkeypatch.setattr(checking, "PARALLEL_ROWS", 10**9)
    with pytest.raises(PackageError, match=said) as here:
        import_package(b, path, PASS)
    assert by_worker.value.message == here.value.message and f"第 {count} 行" in here.value.message
    assert digest(b) == before
    assert not list((b.data_dir / "backups").glob("*import*")) and not work_folders(b)


def _silent() -> None:
    """A worker that ends without a word."""


def test_a_worker_that_dies_without_answering_leaves_the_check_to_this_process(offices, monkeypatch):
    stores, stick = offices
    a, b = stores["A"], stores["B"]

    def dead(cls, sealed, database, target):
        context = multiprocessing.get_context("spawn")
        process = context.Process(target=_silent, daemon=True)
        process.start()
        return cls(process, context.Queue())

    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    monkeypatch.setattr(checking, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(checking.ParallelCheck, "start", classmethod(dead))
    count = a.scalar("SELECT count(*) FROM supervisions")
    before = digest(b)
    with pytest.raises(PackageError, match=f"督办记录第 {count} 行.*晚于今天"):
        import_package(b, _with_bad_row(a, stick, "supervisions", "day", "2099-01-01", count), PASS)
    assert digest(b) == before
    import_package(b, export_package(a, stick, PASS, scrypt_n=FAST)["path"], PASS)
    assert b.scalar("SELECT count(*) FROM supervisions") == a.scalar("SELECT count(*) FROM supervisions")


def test_a_worker_that_cannot_start_leaves_the_check_to_this_process(offices, monkeypatch):
    stores, stick = offices
    a, b = stores["A"], stores["B"]

    def refused(*args, **kwargs):
        raise OSError("too many processes")

    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    monkeypatch.setattr(checking, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(multiprocessing.context.SpawnContext, "Process", refused)
    count = a.scalar("SELECT count(*) FROM supervisions")
    with pytest.raises(PackageError, match=f"督办记录第 {count} 行.*晚于今天"):
        import_package(b, _with_bad_row(a, stick, "supervisions", "day", "2099-01-01", count), PASS)


@pytest.mark.parametrize("edits, counts, said", [
    ([("groups", "name", "", 1), ("supervisions", "deleted", "yes", 2)], {}, "督办记录第 2 行删除标记应为 0 或 1"),
    ([], {"supervisions": -1}, "^交换包数据有误：督办记录的行数与清单不符$"),
    ([], {"supervisions": 1}, "^交换包数据有误：督办记录的行数与清单不符$"),
])
def test_a_row_that_cannot_be_read_is_named_as_when_checked_here(offices, monkeypatch, large, edits, counts, said):
    """This process reads the rows without asking each part while the worker asks: what the worker
    cannot read is then read here with every check, and named as when nothing runs beside."""
    from tests.app.exchange.test_streaming import _edited

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    path = _edited(a, stick, edits, counts)
    before = digest(b)
    with pytest.raises(PackageError, match=said) as by_worker:
        import_package(b, path, PASS)
    assert large  # (this process may find it first: a table shorter than its manifest says)
    monkeypatch.setattr(checking, "PARALLEL_ROWS", 10**9)
    with pytest.raises(PackageError, match=said) as here:
        import_package(b, path, PASS)
    assert by_worker.value.message == here.value.message
    assert digest(b) == before and not work_folders(b)


def test_without_multiprocessing_the_import_checks_in_its_own_process(offices, monkeypatch):
    """(the frozen console tool leaves multiprocessing out, to start quicker)"""
    import sys

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    monkeypatch.setattr(checking, "PARALLEL_ROWS", 0)
    monkeypatch.setitem(sys.modules, "multiprocessing", None)
    assert checking.ParallelCheck.start(None, None, None) is None
    count = a.scalar("SELECT count(*) FROM supervisions")
    with pytest.raises(PackageError, match=f"督办记录第 {count} 行.*晚于今天"):
        import_package(b, _with_bad_row(a, stick, "supervisions", "day", "2099-01-01", count), PASS)
