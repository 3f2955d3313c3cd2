import shutil

import pytest

from app.store import Store

FAST = 1 << 14  # scrypt cost for tests; real packages use 2**17 (tested through the CLI)


@pytest.fixture
def offices(demo_template, tmp_path):
    """Office A holds the demo subdistrict; B and C start empty. A stick folder between them."""
    shutil.copytree(demo_template, tmp_path / "A", ignore=shutil.ignore_patterns("yishi.lock"))
    stores = {name: Store.open(tmp_path / name) for name in "ABC"}
    (tmp_path / "stick").mkdir()
    yield stores, tmp_path / "stick"
    for s in stores.values():
        s.close()


def synced_digest(store) -> str:
    """Every synced row and its clocks (what must converge between offices), plus conflicts."""
    import hashlib

    from app.schema import SYNCED_FIELDS

    h = hashlib.sha256()
    for table in sorted(SYNCED_FIELDS):
        for row in store.db.execute(f"SELECT * FROM [{table}] ORDER BY id"):
            h.update(repr(row).encode())
    for row in store.db.execute("SELECT tbl, row_id, field, wall_ms, counter, site_id FROM clocks ORDER BY 1, 2, 3"):
        h.update(repr(row).encode())
    return h.hexdigest()


def send(source, target, stick, **options):
    from app.exchange.export import export_package
    from app.exchange.merge import import_package

    package = export_package(source, stick, "同一个口令", scrypt_n=FAST, **options)
    return import_package(target, package["path"], "同一个口令")
