"""The hash-chained, append-only audit log."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import datetime, timezone

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
               summary: str, details: str) -> str:
    payload = json.dumps([prev_hash, at, actor, site_id, action, summary, details],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, db, site_id: str):
        self.db = db
        self.site_id = site_id

    def append(self, action: str, summary: str, details) -> int:
        """Append one entry; the caller owns the transaction."""
        row = self.db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        prev = row[0] if row else GENESIS
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        # Reference lists the program loads itself are not the clerk's doing.
        actor = SYSTEM_ACTOR if action == "init" else current_actor(self.db)
        details_text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
        digest = entry_hash(prev, at, actor, self.site_id, action, summary, details_text)
        cursor = self.db.execute(
            "INSERT INTO audit (at, actor, site_id, action, summary, details, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [at, actor, self.site_id, action, summary, details_text, prev, digest],
        )
        return cursor.lastrowid

    def record(self, action: str, summary: str, details=None) -> int:
        """A standalone entry for things that change no rows (export, print...)."""
        with self.db.atomic():
            return self.append(action, summary, details or {})

    def verify(self) -> dict:
        """Walk the chain; report the first entry whose link or content does not hold."""
        prev = GENESIS
        count = 0
        for seq, at, actor, site_id, action, summary, details, prev_hash, digest in self.db.execute(
            "SELECT seq, at, actor, site_id, action, summary, details, prev_hash, hash"
            " FROM audit ORDER BY seq"
        ):
            count += 1
            if prev_hash != prev:
                return {"ok": False, "entries": count, "broken_at": seq,
                        "message": f"审计日志第 {seq} 条与前一条的链接不符（记录可能被删除或插入）"}
            if entry_hash(prev_hash, at, actor, site_id, action, summary, details) != digest:
                return {"ok": False, "entries": count, "broken_at": seq,
                        "message": f"审计日志第 {seq} 条的内容与其校验值不符（记录可能被改动）"}
            prev = digest
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
