"""The optional app password: an scrypt hash in this installation's settings (never synced),
lockout after 5 failures in a row, and the idle minutes after which the window locks itself."""

from __future__ import annotations

import base64
import hmac
import json
import os
from datetime import datetime, timedelta

from app.common.errors import AppError, ValidationError

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
MIN_LENGTH = 6
SCRYPT = {"n": 1 << 15, "r": 8, "p": 1}


class LockedOut(AppError):
    pass


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def _set_meta(store, values: dict) -> None:
    for key, value in values.items():
        if value is None:
            store.db.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, str(value)])


def has_password(store) -> bool:
    return bool(store.meta("app_password"))


def idle_minutes(store) -> int:
    return int(store.meta("idle_lock_minutes") or 0)


def set_idle_minutes(store, minutes: int) -> None:
    if not 0 <= int(minutes) <= 240:
        raise ValidationError("自动锁定时间应在 0—240 分钟之间（0 表示不自动锁定）", field="minutes")
    with store.db.atomic():
        _set_meta(store, {"idle_lock_minutes": int(minutes)})
        store.audit.append("settings", f"自动锁定：{'不自动锁定' if not int(minutes) else f'空闲 {int(minutes)} 分钟后'}",
                           {"minutes": int(minutes)})


def set_password(store, new: str, current: str | None = None) -> None:
    if has_password(store):
        check(store, current or "")
    if len(new or "") < MIN_LENGTH:
        raise ValidationError(f"密码至少 {MIN_LENGTH} 位", field="password")
    salt = os.urandom(16)
    record = {**SCRYPT, "salt": base64.b64encode(salt).decode(), "hash": base64.b64encode(
        _hash(new, salt, **SCRYPT)).decode()}
    with store.db.atomic():
        _set_meta(store, {"app_password": json.dumps(record), "failed_logins": 0, "locked_until": None})
        store.audit.append("settings", "设置了程序密码", {})


def clear_password(store, current: str) -> None:
    check(store, current)
    with store.db.atomic():
        _set_meta(store, {"app_password": None, "failed_logins": None, "locked_until": None})
        store.audit.append("settings", "取消了程序密码", {})


def check(store, attempt: str, now: datetime | None = None) -> None:
    """Accept the password or raise: wrong (with attempts left) or locked out for a while."""
    now = now or datetime.now()
    record = store.meta("app_password")
    if not record:
        return
    until = store.meta("locked_until")
    if until and now < datetime.fromisoformat(until):
        minutes = max(1, int((datetime.fromisoformat(until) - now).total_seconds() // 60) + 1)
        raise LockedOut(f"密码连续输错 {MAX_FAILURES} 次，已锁定。请 {minutes} 分钟后再试")
    stored = json.loads(record)
    digest = _hash(attempt or "", base64.b64decode(stored["salt"]), stored["n"], stored["r"], stored["p"])
    if hmac.compare_digest(digest, base64.b64decode(stored["hash"])):
        with store.db.atomic():
            _set_meta(store, {"failed_logins": 0, "locked_until": None})
        return
    failures = int(store.meta("failed_logins") or 0) + 1
    with store.db.atomic():
        if failures >= MAX_FAILURES:
            _set_meta(store, {"failed_logins": 0, "locked_until": (now + LOCKOUT).isoformat(timespec="seconds")})
            store.audit.append("security", f"密码连续输错 {MAX_FAILURES} 次，锁定 5 分钟", {})
        else:
            _set_meta(store, {"failed_logins": failures})
            store.audit.append("security", f"密码输入错误（第 {failures} 次）", {})
    if failures >= MAX_FAILURES:
        raise LockedOut(f"密码连续输错 {MAX_FAILURES} 次，已锁定 5 分钟")
    raise ValidationError(f"密码不正确（还可再试 {MAX_FAILURES - failures} 次）", field="password")
