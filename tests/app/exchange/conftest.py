import shutil

import pytest

from app.store import Store
from tests.conftest import share_clock

FAST = 1 << 14  # scrypt cost for tests; real packages use 2**17 (tested through the CLI)


@pytest.fixture
def offices(demo_template, tmp_path):
    """Office A holds the demo subdistrict; B and C start empty. A stick folder between them."""
    shutil.copytree(demo_template, tmp_path / "A", ignore=shutil.ignore_patterns("yishi.lock"))
    stores = {name: Store.open(tmp_path / name) for name in "ABC"}
    share_clock(*stores.values())  # edits are ordered as they are made, whichever office makes them
    (tmp_path / "stick").mkdir()
    yield stores, tmp_path / "stick"
    for s in stores.values():
        s.close()


def synced_digest(store) -> str:
    """Every synced row and the clock of each of its fields (what must converge between offices;
    how the clocks are stored may differ), plus conflicts."""
    import hashlib

    from app.exchange.rows import table_fields
    from app.storage.schema import SYNCED_FIELDS
    from app.storage.writepath import stored_stamps

    h = hashlib.sha256()
    for table in sorted(SYNCED_FIELDS):
        rows = store.db.execute(f"SELECT * FROM [{table}] ORDER BY id").fetchall()
        stamps = stored_stamps(store.db, table, [r[0] for r in rows])
        for row in rows:
            h.update(repr(row).encode())
            h.update(repr(sorted(stamps[row[0]].expand(table_fields(table)).items())).encode())
    return h.hexdigest()


def send(source, target, stick, **options):
    from app.exchange.export import export_package
    from app.exchange.merge import import_package

    package = export_package(source, stick, "同一个口令", scrypt_n=FAST, **options)
    return import_package(target, package["path"], "同一个口令")


def edit_apart_then_exchange(a, b, stick, earlier, later) -> None:
    """`earlier`, then `later` (the offices share a stepping clock, so the later edit's stamp is
    the higher one), each on its own office; then the offices exchange both ways."""
    earlier()
    later()
    send(a, b, stick)
    send(b, a, stick)
