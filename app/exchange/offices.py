"""The offices this installation exchanges packages with (local bookkeeping, not synced).

An office is known by name before the first exchange; its site id is learned from the first
package that comes from it. `sent_vector` is what was last sent to it, so the next package can
carry only what it has not had yet.
"""

from __future__ import annotations

import builtins
import uuid

from app.common.errors import ConflictError, ValidationError
from app.common.textutil import clean


def list(store) -> builtins.list[dict]:
    return store.rows("SELECT * FROM exchange_peers ORDER BY name")


def get(store, peer_id: str) -> dict:
    rows = store.rows("SELECT * FROM exchange_peers WHERE id = ?", [peer_id])
    if not rows:
        raise ValidationError("找不到这个交换办公室")
    return rows[0]


def find(store, name_or_site: str) -> dict | None:
    rows = store.rows("SELECT * FROM exchange_peers WHERE name = ? OR site_id = ?", [clean(name_or_site)] * 2)
    return rows[0] if rows else None


def add(store, name: str, notes: str = "") -> str:
    name = clean(name)
    if not name:
        raise ValidationError("请填写办公室名称（如：新城三组、区人大常委会）", field="name")
    if find(store, name):
        raise ConflictError(f"已有名为“{name}”的交换办公室", field="name")
    peer_id = str(uuid.uuid4())
    with store.db.atomic():
        store.db.execute("INSERT INTO exchange_peers (id, name, notes) VALUES (?, ?, ?)",
                         [peer_id, name, clean(notes) or None])
        store.audit.append("settings", f"新增交换办公室：{name}", {"peer": peer_id})
    return peer_id


def forget_sent(store, peer_id: str) -> None:
    """The next package to this office will be a full one (a stick was lost, or it restored)."""
    peer = get(store, peer_id)
    with store.db.atomic():
        store.db.execute("UPDATE exchange_peers SET sent_vector = NULL WHERE id = ?", [peer_id])
        store.audit.append("settings", f"下次给{peer['name']}发送全量交换包", {"peer": peer_id})


def seen(store, site_id: str, site_name: str, at: str) -> str:
    """The office a package came from (created the first time; the caller owns the transaction)."""
    row = store.rows("SELECT * FROM exchange_peers WHERE site_id = ?", [site_id])
    if row:
        store.db.execute("UPDATE exchange_peers SET last_import_at = ? WHERE id = ?", [at, row[0]["id"]])
        return row[0]["id"]
    named = store.rows("SELECT * FROM exchange_peers WHERE name = ? AND site_id IS NULL", [site_name])
    if named:  # known by name before its first package
        store.db.execute("UPDATE exchange_peers SET site_id = ?, last_import_at = ? WHERE id = ?",
                         [site_id, at, named[0]["id"]])
        return named[0]["id"]
    name = site_name or "未命名办公室"
    if store.scalar("SELECT 1 FROM exchange_peers WHERE name = ?", [name]):
        name = f"{name}（{site_id[:8]}）"
    peer_id = str(uuid.uuid4())
    store.db.execute("INSERT INTO exchange_peers (id, name, site_id, last_import_at) VALUES (?, ?, ?, ?)",
                     [peer_id, name, site_id, at])
    return peer_id


def log(store, limit: int = 200) -> builtins.list[dict]:
    """The latest packages sent and received, newest first."""
    return store.rows("SELECT * FROM exchange_log ORDER BY at DESC LIMIT ?", [limit])
