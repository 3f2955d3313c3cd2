"""A store holding rows that break the rule book (written behind the program's back): every area of
the window still opens and fills its lists, the bad values shown marked, no bug box."""

from __future__ import annotations

import pytest

from app.rules import MARK
from tests.app.rules.breaking import VARIANTS
from tests.app.rules.test_reads_never_break import break_last_rows
from tests.ui.conftest import open_page, wait_idle


@pytest.fixture(params=list(VARIANTS))
def demo_dir(request, demo_dir):  # the window opens this store: broken before it is opened
    break_last_rows(demo_dir / "yishi.db", request.param)
    return demo_dir


def test_every_area_opens_on_a_store_with_broken_rows(qtbot, window):
    for key in window.areas:
        page = open_page(qtbot, window, key)
        wait_idle(qtbot, window.backend)
        assert page.isVisible()
    ledger = open_page(qtbot, window, "opinions").list.model
    wait_idle(qtbot, window.backend)
    shown = [ledger.data(ledger.index(r, c)) for r in range(ledger.rowCount()) for c in range(ledger.columnCount())]
    assert any(MARK in str(text) for text in shown if text)
