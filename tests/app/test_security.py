from datetime import datetime, timedelta

import pytest

from app.common.errors import ValidationError
from app.storage import security


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


def _last_audit(store):
    row = store.rows("SELECT action, summary, details FROM audit ORDER BY seq DESC LIMIT 1")[0]
    return row["action"], row["summary"], row["details"]


def test_each_step_is_kept_and_logged(store):
    """What every step writes: the counter and the lock in meta, one audit line with its words."""
    security.set_password(store, "123456")  # exactly six is enough
    assert (store.meta("failed_logins"), store.meta("locked_until")) == ("0", None)
    assert _last_audit(store) == ("settings", "设置了程序密码", "{}")
    now = datetime(2026, 11, 26, 9, 0)
    with pytest.raises(ValidationError) as wrong:
        security.check(store, "654321", now)
    assert wrong.value.field == "password"
    assert store.meta("failed_logins") == "1"
    assert _last_audit(store) == ("security", "密码输入错误（第 1 次）", "{}")
    for _ in range(3):
        with pytest.raises(ValidationError):
            security.check(store, "654321", now)
    with pytest.raises(security.LockedOut, match="已锁定 5 分钟"):
        security.check(store, "654321", now)
    assert (store.meta("failed_logins"), store.meta("locked_until")) == ("0", "2026-11-26T09:05:00")
    assert _last_audit(store) == ("security", "密码连续输错 5 次，锁定 5 分钟", "{}")
    # 60.5 seconds left is told as 2 minutes (rounded up), never less than 1
    with pytest.raises(security.LockedOut, match="请 2 分钟后再试"):
        security.check(store, "123456", now + timedelta(seconds=239.5))
    with pytest.raises(security.LockedOut, match="请 1 分钟后再试"):
        security.check(store, "123456", now + timedelta(seconds=299))
    security.check(store, "123456", now + timedelta(minutes=5))  # the lock ends at its minute
    assert (store.meta("failed_logins"), store.meta("locked_until")) == ("0", None)
    security.clear_password(store, "123456")
    assert [store.meta(k) for k in ("app_password", "failed_logins", "locked_until")] == [None, None, None]
    assert _last_audit(store) == ("settings", "取消了程序密码", "{}")


def test_short_password_and_idle_bounds(store):
    with pytest.raises(ValidationError, match="密码至少 6 位") as short:
        security.set_password(store, "12345")
    assert short.value.field == "password"
    assert security.idle_minutes(store) == 0
    security.set_idle_minutes(store, 0)
    assert _last_audit(store) == ("settings", "自动锁定：不自动锁定", '{"minutes": 0}')
    security.set_idle_minutes(store, 240)
    assert security.idle_minutes(store) == 240
    assert _last_audit(store) == ("settings", "自动锁定：空闲 240 分钟后", '{"minutes": 240}')
    for bad in (241, -1):
        with pytest.raises(ValidationError, match="^自动锁定时间应在 0—240 分钟之间（0 表示不自动锁定）$") as error:
            security.set_idle_minutes(store, bad)
        assert error.value.field == "minutes"


def test_a_password_kept_by_an_earlier_version_still_opens(store):
    """The stored record (scrypt, 32 bytes, UTF-8 text) is read as written; a change of the hash
    would lock every clerk out of a store that already has a password."""
    import json

    record = {"n": 16, "r": 8, "p": 1, "salt": "eWlzaGktZGVzay1zYWx0IQ==",
              "hash": "STLdN32Bb0ZNUCEYWDFopHSSat8tXhrRb76BXUlj2WE="}
    store.db.execute("INSERT INTO meta (key, value) VALUES ('app_password', ?)", [json.dumps(record)])
    security.check(store, "议事2025")
    with pytest.raises(ValidationError):
        security.check(store, "议事2026")
