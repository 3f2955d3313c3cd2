from datetime import datetime, timedelta

import pytest

from app import security
from app.errors import ValidationError


def test_password_lockout_after_five_failures(store):
    assert not security.has_password(store)
    security.check(store, "anything")  # no password: nothing to check
    security.set_password(store, "zhongshan2026")
    assert "zhongshan2026" not in (store.meta("app_password") or "")
    now = datetime(2026, 11, 26, 9, 0)
    for attempt in range(1, 5):
        with pytest.raises(ValidationError, match=f"还可再试 {5 - attempt} 次"):
            security.check(store, "wrong", now)
    with pytest.raises(security.LockedOut):
        security.check(store, "wrong", now)
    with pytest.raises(security.LockedOut, match="5 分钟后再试"):
        security.check(store, "zhongshan2026", now + timedelta(seconds=30))  # even the right one
    security.check(store, "zhongshan2026", now + timedelta(minutes=6))
    assert store.scalar("SELECT count(*) FROM audit WHERE action = 'security'") == 5


def test_changing_or_removing_needs_the_current_password(store):
    security.set_password(store, "first-pass")
    with pytest.raises(ValidationError):
        security.set_password(store, "second-pass", current="not it")
    with pytest.raises(ValidationError, match="至少 6 位"):
        security.set_password(store, "123", current="first-pass")
    security.set_password(store, "second-pass", current="first-pass")
    security.clear_password(store, "second-pass")
    assert not security.has_password(store)
    security.set_idle_minutes(store, 10)
    assert security.idle_minutes(store) == 10
    with pytest.raises(ValidationError):
        security.set_idle_minutes(store, 999)


def test_the_right_password_starts_the_count_again(store):
    """Three slips, then the right password: the next four slips do not lock the clerk out."""
    security.set_password(store, "zhongshan2026")
    now = datetime(2026, 11, 26, 9, 0)
    for _ in range(3):
        with pytest.raises(ValidationError):
            security.check(store, "wrong", now)
    security.check(store, "zhongshan2026", now)
    for attempt in range(1, 5):
        with pytest.raises(ValidationError, match=f"还可再试 {5 - attempt} 次"):
            security.check(store, "wrong", now)
    security.check(store, "zhongshan2026", now)  # not locked
