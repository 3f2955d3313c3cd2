"""The hash-chained, append-only audit log.

Each entry's hash covers the previous one's, so an edited or inserted entry breaks the chain.
Two more things make rewriting harder: entries are keyed (HMAC) with a secret kept outside the
database, in the data directory (0600, one per installation), so the chain cannot be recomputed
after an edit without that file; and the chain's head (last entry and its hash) is kept apart
from the audit table (in `meta`, and so in every backup), so cutting off the last entries shows.

Witnesses: the head also travels in every package, and each office keeps the heads it has seen
(`witness`): its own as each backup and package was made, and the other offices' from their
packages, which carry on in turn the heads their sender has seen of others (so an office learns
from a partner's package what the partner saw of it). `verify` compares the log with these and
with the heads in the backups folder: a log shorter than, or different from, a head seen is named
with the missing entries, unless a restore from a backup (itself in the log) replaced that history.
What this cannot stop: someone with the computer's administrator rights, who can read the key
file, could rewrite the log, its head and every backup alike; only a head that went out in a
package before shows it then, and a log cut before any backup or package was made shows nothing.
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

    from app.common.errors import ValidationError

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


MAX_WITNESSES = 200  # heads of other offices kept (and carried in a package); of this office's, 20
MAX_OWN_WITNESSES = 20


def _local_day(at: str | None) -> str:
    return local_time(at)[:10] if at else "（日期不详）"


def witness_source(source: dict) -> str:
    """Where a head was seen, as the clerk knows it."""
    kind = source.get("kind")
    if kind == "backup":
        return f"{_local_day(source.get('at'))} 的备份（{source.get('name')}）"
    if kind == "export":
        return f"{_local_day(source.get('at'))} 导出的交换包"
    return f"{source.get('office') or '其他办公室'} {_local_day(source.get('at'))} 发来的交换包"


class AuditLog:
    def __init__(self, db, site_id: str, key: bytes | None = None, data_dir: Path | None = None):
        self.db = db
        self.site_id = site_id
        self.key = key
        self.data_dir = data_dir  # where the backups (each holding a head) are

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

    # -- heads and witnesses ---------------------------------------------------------------------
    def head(self) -> dict | None:
        """The chain's head as it travels: site, last entry (seq, hash, time), number of entries."""
        row = self.db.execute("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            return None
        entries = self.db.execute("SELECT count(*) FROM audit").fetchone()[0]
        return {"site": self.site_id, "seq": row[0], "hash": row[1], "at": row[2], "entries": entries}

    def witnesses(self) -> list[dict]:
        """The heads this office has seen, its own and the other offices'."""
        try:
            seen = json.loads(self._meta("audit_witnesses") or "[]")
        except ValueError:
            return []
        return [w for w in seen if isinstance(w, dict) and isinstance(w.get("site"), str)
                and type(w.get("seq")) is int and isinstance(w.get("hash"), str)] if isinstance(seen, list) else []

    def witness(self, head: dict | None, source: dict) -> None:
        """Keep a head seen in a backup or a package. Of another office the highest is kept. Of this
        one, the latest the log still holds, and every one it no longer holds (unless a restore
        explains it): those are what `verify` reports, and a later head never hides them."""
        if not head:
            return
        record = {"site": head.get("site") or self.site_id, "seq": head["seq"], "hash": head["hash"],
                  "at": head.get("at"), "entries": head.get("entries"), "source": source,
                  "seen": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
        seen = self.witnesses()
        if record["site"] == self.site_id:
            others = [w for w in seen if w["site"] != self.site_id]
            own = [w for w in seen if w["site"] == self.site_id] + [record]
            held = [w for w in own if self._holds(w)]
            best = max(held, key=lambda w: w["seq"], default=None)
            evidence = list({(w["seq"], w["hash"]): w for w in own
                             if not self._holds(w) and not self._explained(w)}.values())
            evidence.sort(key=lambda w: w["seq"])
            kept = others + ([best] if best else []) + evidence[-MAX_OWN_WITNESSES:]
        else:
            current = next((w for w in seen if w["site"] == record["site"]), None)
            if current is not None and current["seq"] >= record["seq"]:
                return
            others = [w for w in seen if w["site"] != record["site"] and w["site"] != self.site_id]
            others = sorted(others, key=lambda w: w.get("seen") or "")[-(MAX_WITNESSES - 1):]
            kept = [w for w in seen if w["site"] == self.site_id] + others + [record]
        self._set_meta("audit_witnesses", json.dumps(kept, ensure_ascii=False))

    def witnessed_others(self) -> list[dict]:
        """The heads of other offices seen here, as a package carries them on."""
        return [{k: w.get(k) for k in ("site", "seq", "hash", "at", "entries")}
                for w in self.witnesses() if w["site"] != self.site_id]

    def _holds(self, head: dict) -> bool:
        row = self.db.execute("SELECT hash FROM audit WHERE seq = ?", [head["seq"]]).fetchone()
        return row is not None and row[0] == head["hash"]

    def _restores(self) -> list[str]:
        """When this database was put in place from a backup (the log then goes on from the
        backup's history; heads of the history it replaced no longer hold, rightly)."""
        return [r[0] for r in self.db.execute(
            "SELECT at FROM audit WHERE action = 'restore' AND details LIKE '%\"restore_id\"%'")]

    def _explained(self, head: dict, restores: list[str] | None = None) -> bool:
        written = head.get("at") or head.get("seen") or ""
        return any(at > written for at in (self._restores() if restores is None else restores))

    def _backup_heads(self) -> list[dict]:
        """The heads held by the backups in the data directory's backups folder."""
        if self.data_dir is None:
            return []
        from app.storage.backup import list_backups, read_head

        heads = []
        for item in list_backups(self.data_dir):
            head = read_head(item["path"])
            if head and head["site"] == self.site_id:
                heads.append({**head, "source": {"kind": "backup", "name": item["name"],
                                                 "at": item["at"].astimezone(timezone.utc).isoformat()}})
        return heads

    def _gap(self, head: dict) -> str:
        """What the log lacks of a head it no longer holds, in the clerk's words."""
        where = witness_source(head.get("source") or {})
        where = f" {where}" if where[:1].isdigit() else where  # 比 2026-12-01 的备份 / 比新城三组 …
        seq, at = head["seq"], head.get("at")
        # The witnessed chain's entries are gone from the first one the log no longer has: the
        # first written after the head was (a cut log went on), or the one after the last kept.
        late = self.db.execute("SELECT min(seq) FROM audit WHERE seq <= ? AND at > ?", [seq, at]).fetchone()[0] \
            if at else None
        last = self.db.execute("SELECT max(seq) FROM audit WHERE seq <= ?", [seq]).fetchone()[0] or 0
        first = late if late is not None else (last + 1 if last < seq else seq)
        if first == seq and last == seq and late is None:
            return f"审计日志第 {seq} 条与{where}中记录的不同（记录可能被改写）"
        missing = seq - first + 1
        span = f"第 {first} 条" if missing == 1 else f"第 {first}—{seq} 条"
        after = "，其编号已被之后写入的记录占用" if late is not None else ""
        return f"审计日志比{where}中记录的少了 {missing} 条（{span}）{after}"

    def witness_findings(self) -> tuple[int, list[dict]]:
        """(how many heads of this office were compared, the ones the log does not hold)."""
        heads = [w for w in self.witnesses() if w["site"] == self.site_id] + self._backup_heads()
        restores = self._restores()
        findings, compared = [], set()
        for head in sorted(heads, key=lambda w: -w["seq"]):
            if (head["seq"], head["hash"]) in compared:
                continue  # the same head kept from a backup and read from that backup's file
            compared.add((head["seq"], head["hash"]))
            if not self._holds(head) and not self._explained(head, restores):
                findings.append({"seq": head["seq"], "source": witness_source(head.get("source") or {}),
                                 "message": self._gap(head)})
        return len(compared), findings

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
        gap = None
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
            if seq != last_seq + 1 and gap is None:
                # linked to the entry before the gap: the end of the log was cut, then written on
                gap = (last_seq + 1, seq - 1)
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
        if gap:
            span = f"第 {gap[0]} 条" if gap[0] == gap[1] else f"第 {gap[0]}—{gap[1]} 条"
            return {"ok": False, "entries": count, "broken_at": gap[0],
                    "message": f"审计日志缺少{span}（末尾的记录被删除后又接着写入了新记录）"}
        compared, findings = self.witness_findings()
        if findings:
            more = f"（另有 {len(findings) - 1} 处备份或交换包中的链头也对不上）" if len(findings) > 1 else ""
            return {"ok": False, "entries": count, "broken_at": findings[0]["seq"], "witnesses": compared,
                    "findings": findings, "message": findings[0]["message"] + more}
        if unverifiable:
            return {"ok": True, "witnesses": compared, "entries": count, "broken_at": None,
                    "message": f"审计日志链接完整；第 {unverifiable} 条起由另一台电脑的密钥签名（来自其他电脑的备份），"
                               "本机无法校验其内容"}
        return {"ok": True, "entries": count, "broken_at": None, "witnesses": compared, "message": "审计日志完整"}

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
