"""The hash-chained, append-only audit log.

Each entry's hash covers the previous one's, so an edited or inserted entry breaks the chain.
Two more things make rewriting harder: entries are keyed (HMAC) with a secret kept outside the
database, in the data directory (0600, one per installation), so the chain cannot be recomputed
after an edit without that file; and the chain's head (last entry and its hash) is kept apart
from the audit table (in `meta`, and so in every backup), so cutting off the last entries shows.
What this cannot stop: someone with the computer's administrator rights, who can read the key
file, could rewrite the log and its head alike. Backups made before such a rewrite still hold
the old head, and `check` on them tells.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
from datetime import datetime, timezone
from pathlib import Path

GENESIS = "0" * 64

ACTION_LABELS = {
    "create": "新增", "update": "修改", "delete": "删除", "restore": "恢复", "undo": "撤销",
    "import": "导入", "export": "导出", "print": "打印", "backup": "备份", "init": "初始化",
    "settings": "设置", "view": "查看", "nomination": "推选", "security": "安全", "merge": "合并",
}


def local_time(at: str) -> str:
    """An entry's UTC time as the clerk's wall clock shows it."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


def _utc_bound(day: str, days_after: int) -> str:
    """Local midnight of `day` (+ days_after) as UTC ISO text, to compare with `at`."""
    from datetime import date, timedelta

    from .errors import ValidationError

    try:
        start = datetime.combine(date.fromisoformat(day.strip()) + timedelta(days=days_after), datetime.min.time())
    except ValueError:
        raise ValidationError(f"“{day}”不是有效日期（格式：2026-01-01）") from None
    return start.astimezone().astimezone(timezone.utc).isoformat(timespec="milliseconds")


SYSTEM_ACTOR = "系统"


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service account, odd Windows setups)
        return "unknown"


def current_actor(db=None) -> str:
    """Who is working: the clerk's name from 设置 (工作人员姓名), else the computer's login name."""
    if db is not None:
        row = db.execute("SELECT value FROM meta WHERE key = 'clerk_name'").fetchone()
        if row and row[0]:
            return row[0]
    return login_name()


def entry_hash(prev_hash: str, at: str, actor: str, site_id: str, action: str,
               summary: str, details: str, key: bytes | None = None) -> str:
    payload = json.dumps([prev_hash, at, actor, site_id, action, summary, details],
                         ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


KEY_FILE = "audit.key"


def installation_key(data_dir: Path) -> bytes | None:
    """This installation's audit key (made on first use, readable by this account only)."""
    path = Path(data_dir) / KEY_FILE
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(32))
                handle.flush()
                os.fsync(handle.fileno())
        key = path.read_bytes()
    except FileExistsError:
        key = path.read_bytes()
    except OSError:
        return None  # a read-only folder: the chain stays plain hashes, still checked
    return key if len(key) == 32 else None


class AuditLog:
    def __init__(self, db, site_id: str, key: bytes | None = None):
        self.db = db
        self.site_id = site_id
        self.key = key

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.key).hexdigest()[:16] if self.key else ""

    def _segments(self) -> list[list]:
        text = self._meta("audit_keys")
        try:
            return json.loads(text) if text else []
        except ValueError:
            return []

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [name]).fetchone()
        return row[0] if row else None

    def _set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [name, value])

    def append(self, action: str, summary: str, details) -> int:
        """Append one entry; the caller owns the transaction."""
        row = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        prev = row[1] if row else GENESIS
        key = None
        if self.key:
            # The entries after `seq` are keyed by the installation `key_id` names (a database
            # restored on another computer goes on under that computer's key).
            segments = self._segments()
            if not segments or segments[-1][1] != self.key_id:
                segments.append([row[0] if row else 0, self.key_id])
                self._set_meta("audit_keys", json.dumps(segments))
            key = self.key
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        # Reference lists the program loads itself are not the clerk's doing.
        actor = SYSTEM_ACTOR if action == "init" else current_actor(self.db)
        details_text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
        digest = entry_hash(prev, at, actor, self.site_id, action, summary, details_text, key)
        cursor = self.db.execute(
            "INSERT INTO audit (at, actor, site_id, action, summary, details, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [at, actor, self.site_id, action, summary, details_text, prev, digest],
        )
        # the chain's head, kept apart from the audit table: a shortened log no longer matches it
        self._set_meta("audit_head", json.dumps({"seq": cursor.lastrowid, "hash": digest}))
        return cursor.lastrowid

    def record(self, action: str, summary: str, details=None) -> int:
        """A standalone entry for things that change no rows (export, print...)."""
        with self.db.atomic():
            return self.append(action, summary, details or {})

    def verify(self) -> dict:
        """Walk the chain; report the first entry whose link or content does not hold, a log
        shorter than its recorded head, or keyed entries this installation cannot check."""
        prev = GENESIS
        count = 0
        last_seq, last_hash = 0, GENESIS
        segments = self._segments()
        unverifiable = None
        for seq, at, actor, site_id, action, summary, details, prev_hash, digest in self.db.execute(
            "SELECT seq, at, actor, site_id, action, summary, details, prev_hash, hash"
            " FROM audit ORDER BY seq"
        ):
            count += 1
            if prev_hash != prev:
                return {"ok": False, "entries": count, "broken_at": seq,
                        "message": f"审计日志第 {seq} 条与前一条的链接不符（记录可能被删除或插入）"}
            signer = next((key_id for after, key_id in reversed(segments) if seq > after), None)
            if signer is not None and signer != self.key_id:
                unverifiable = unverifiable or seq
            elif entry_hash(prev_hash, at, actor, site_id, action, summary, details,
                            self.key if signer else None) != digest:
                return {"ok": False, "entries": count, "broken_at": seq,
                        "message": f"审计日志第 {seq} 条的内容与其校验值不符（记录可能被改动或整条链被重算）"}
            prev = digest
            last_seq, last_hash = seq, digest
        head = self._meta("audit_head")
        if head:
            recorded = json.loads(head)
            if recorded["seq"] > last_seq:
                return {"ok": False, "entries": count, "broken_at": last_seq + 1,
                        "message": f"审计日志被截短：应有到第 {recorded['seq']} 条的记录，现在只到第 {last_seq} 条"}
            if (recorded["seq"], recorded["hash"]) != (last_seq, last_hash):
                return {"ok": False, "entries": count, "broken_at": recorded["seq"],
                        "message": "审计日志的末条与单独保存的链头不符（记录可能被改写）"}
        if unverifiable:
            return {"ok": True, "entries": count, "broken_at": None,
                    "message": f"审计日志链接完整；第 {unverifiable} 条起由另一台电脑的密钥签名（来自其他电脑的备份），"
                               "本机无法校验其内容"}
        return {"ok": True, "entries": count, "broken_at": None, "message": "审计日志完整"}

    def recent(self, limit: int = 50) -> list[dict]:
        return [dict(r) for r in self.db.query(
            "SELECT seq, at, actor, action, summary FROM audit ORDER BY seq DESC LIMIT ?", [limit])]

    # -- the audit viewer ------------------------------------------------------------------------
    @staticmethod
    def _where(date_from: str | None, date_to: str | None, action: str | None, text: str) -> tuple[str, list]:
        clauses, params = ["1"], []
        if date_from:
            clauses.append("at >= ?")
            params.append(_utc_bound(date_from, 0))
        if date_to:
            clauses.append("at < ?")
            params.append(_utc_bound(date_to, 1))  # the whole last day
        if action:
            clauses.append("action = ?")
            params.append(action)
        if text:
            clauses.append("(summary LIKE ? OR details LIKE ? OR actor LIKE ?)")
            params += [f"%{text}%"] * 3
        return " AND ".join(clauses), params

    def query(self, *, date_from=None, date_to=None, action=None, text="", limit: int | None = 200,
              offset: int = 0) -> list[dict]:
        where, params = self._where(date_from, date_to, action, text)
        sql = f"SELECT seq, at, actor, site_id, action, summary, details FROM audit WHERE {where} ORDER BY seq DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        rows = [dict(r) for r in self.db.query(sql, params)]
        for row in rows:
            row["action_label"] = ACTION_LABELS.get(row["action"], row["action"])
            row["when"] = local_time(row["at"])
        return rows

    def count(self, *, date_from=None, date_to=None, action=None, text="") -> int:
        where, params = self._where(date_from, date_to, action, text)
        return self.db.execute(f"SELECT count(*) FROM audit WHERE {where}", params).fetchone()[0]
