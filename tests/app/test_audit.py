"""The audit chain on its own: every entry links to the one before and is keyed to the
installation; an edited, deleted, inserted or truncated entry is found and named."""

import json

import pytest

from app.storage.audit import AuditLog


def _tamper(store):
    """What someone editing the file by hand would do first: lift the append-only triggers."""
    for trigger in ("audit_no_update", "audit_no_delete"):
        store.db.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def test_the_log_refuses_edits_through_sqlite(store):
    import sqlite3

    import pytest

    last = _entries(store)
    for sql in ("UPDATE audit SET summary = 'x' WHERE seq = ?", "DELETE FROM audit WHERE seq = ?"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(sql, [last])


def _entries(store, n=3):
    for i in range(n):
        store.audit.record("export", f"导出第 {i} 份", {"n": i})
    return store.scalar("SELECT max(seq) FROM audit")


def test_an_untouched_log_verifies(store):
    _entries(store)
    result = store.audit.verify()
    assert result["ok"] and result["message"] == "审计日志完整" and result["entries"] >= 3


def test_an_edited_entry_is_named(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("UPDATE audit SET summary = '改过的' WHERE seq = ?", [last - 1])
    result = store.audit.verify()
    assert not result["ok"] and result["broken_at"] == last - 1 and "内容与其校验值不符" in result["message"]


def test_a_deleted_entry_breaks_the_link(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq = ?", [last - 1])
    result = store.audit.verify()
    assert not result["ok"] and result["broken_at"] == last and "链接不符" in result["message"]


def test_a_truncated_log_is_found_by_its_head(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq = ?", [last])
    result = store.audit.verify()
    assert not result["ok"] and "截短" in result["message"]


def test_a_chain_rehashed_without_the_key_does_not_verify(store):
    from app.storage.audit import entry_hash

    last = _entries(store)
    _tamper(store)
    # someone rewrites an entry and recomputes every hash after it, but has no installation key
    rows = store.db.execute("SELECT seq, at, actor, site_id, action, summary, details, prev_hash FROM audit"
                            " ORDER BY seq").fetchall()
    prev = None
    for seq, at, actor, site, action, summary, details, prev_hash in rows:
        prev = prev or prev_hash
        summary = "伪造" if seq == last else summary
        digest = entry_hash(prev, at, actor, site, action, summary, details, None)
        store.db.execute("UPDATE audit SET summary = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         [summary, prev, digest, seq])
        prev = digest
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
                     [json.dumps({"seq": last, "hash": prev})])
    assert not store.audit.verify()["ok"]


def test_entries_keyed_on_another_computer_are_reported_not_refused(store):
    _entries(store, 2)
    elsewhere = AuditLog(store.db, store.site_id, b"another installation's key")
    with store.db.atomic():
        elsewhere.append("export", "在另一台电脑上导出", {})
    seq = store.scalar("SELECT max(seq) FROM audit")
    assert store.audit.verify() == {
        "ok": True, "witnesses": 0, "entries": seq, "broken_at": None,
        "message": f"审计日志链接完整；第 {seq} 条起由另一台电脑的密钥签名（来自其他电脑的备份），本机无法校验其内容"}


@pytest.fixture
def beijing(monkeypatch):
    """The clerk's wall clock: China Standard Time (UTC+8), whatever the test machine's zone."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _entries_at(store, monkeypatch, *stamps):
    """Entries written at these UTC times (the audit stamps `at` itself)."""
    from datetime import datetime

    import app.storage.audit

    for n, stamp in enumerate(stamps):
        class At(datetime):
            @classmethod
            def now(cls, tz=None, _stamp=stamp):
                return datetime.fromisoformat(_stamp)

        monkeypatch.setattr(app.storage.audit, "datetime", At)
        store.audit.record("export" if n % 2 == 0 else "print", f"第 {n} 份花名册" if n < 3 else f"第 {n} 份",
                           {"file": f"file-{n}.xlsx"})
    monkeypatch.setattr(app.storage.audit, "datetime", datetime)


def test_the_audit_viewer_shows_the_clerks_days_and_filters_by_day_action_and_text(store, beijing, monkeypatch):
    from app.common.errors import ValidationError

    store.settings.update({"clerk_name": "李文书"})
    _entries_at(store, monkeypatch, "2026-03-01T15:30:00.000+00:00",  # Beijing 03-01 23:30
                "2026-03-01T16:30:00.000+00:00",  # 03-02 00:30
                "2026-03-02T15:59:59.999+00:00",  # 03-02 23:59:59
                "2026-03-02T16:00:00.000+00:00")  # 03-03 00:00
    day = store.audit.query(date_from="2026-03-02", date_to=" 2026-03-02 ")
    assert [r["summary"] for r in day] == ["第 2 份花名册", "第 1 份花名册"]  # newest first
    assert [r["when"] for r in day] == ["2026-03-02 23:59:59", "2026-03-02 00:30:00"]
    assert [(r["action"], r["action_label"]) for r in day] == [("export", "导出"), ("print", "打印")]
    assert set(day[0]) == {"seq", "at", "actor", "site_id", "action", "summary", "details", "action_label", "when"}
    assert day[0]["actor"] == "李文书" and day[0]["site_id"] == store.site_id
    assert store.audit.count(date_from="2026-03-02", date_to="2026-03-02") == 2
    assert [r["summary"] for r in store.audit.query(date_from="2026-03-03", date_to="2026-03-03")] == ["第 3 份"]
    assert [r["summary"] for r in store.audit.query(date_to="2026-03-01")] == ["第 0 份花名册"]
    assert store.audit.count(date_to="2026-03-01") == 1
    assert [r["summary"] for r in store.audit.query(action="print")] == ["第 3 份", "第 1 份花名册"]
    assert store.audit.count(action="print") == 2
    assert [r["summary"] for r in store.audit.query(text="花名册", action="export")] == ["第 2 份花名册", "第 0 份花名册"]
    assert [r["summary"] for r in store.audit.query(text="file-3")] == ["第 3 份"]  # the details searched
    assert [r["summary"] for r in store.audit.query(text="李文书", action="print")] == ["第 3 份", "第 1 份花名册"]
    assert store.audit.count(text="file-") == 4
    assert [r["summary"] for r in store.audit.query(limit=2, offset=1)] == ["第 2 份花名册", "第 1 份花名册"]
    assert len(store.audit.query(limit=None)) == store.audit.count() > 4
    assert [r["summary"] for r in store.audit.recent(2)] == ["第 3 份", "第 2 份花名册"]
    assert set(store.audit.recent(1)[0]) == {"seq", "at", "actor", "action", "summary"}
    with pytest.raises(ValidationError, match="^“2026-02-30”不是有效日期（格式：2026-01-01）$"):
        store.audit.query(date_from="2026-02-30")


def test_who_is_recorded_the_clerk_the_login_or_the_system(store, monkeypatch):
    import getpass

    from app.storage.audit import SYSTEM_ACTOR, current_actor, local_time, login_name

    store.audit.record("init", "载入参考数据", {})
    store.audit.record("export", "导出", {})
    assert [r["actor"] for r in store.audit.recent(2)] == [login_name(), SYSTEM_ACTOR]
    store.settings.update({"clerk_name": "李文书"})
    assert current_actor(store.db) == "李文书" and current_actor() == login_name()
    store.settings.update({"clerk_name": ""})
    assert current_actor(store.db) == login_name()

    def no_login():
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", no_login)
    assert login_name() == "unknown"
    assert local_time("not a time") == "not a time"


def test_the_installation_key_is_made_once_private_and_checked(tmp_path):
    from app.storage.audit import installation_key

    key = installation_key(tmp_path)
    assert len(key) == 32 and installation_key(tmp_path) == key
    assert (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600
    (tmp_path / "audit.key").write_bytes(b"short")
    assert installation_key(tmp_path) is None  # not a key this version made: plain hashes
    (tmp_path / "a file").write_bytes(b"")
    assert installation_key(tmp_path / "a file") is None  # no folder to keep it in


def test_where_a_head_was_seen_is_told_as_the_clerk_knows_it(beijing):
    from app.storage.audit import witness_source

    assert witness_source({"kind": "backup", "at": "2026-03-01T16:30:00+00:00", "name": "yishi-1.db"}) == \
        "2026-03-02 的备份（yishi-1.db）"
    assert witness_source({"kind": "export", "at": "2026-03-01T15:30:00+00:00"}) == "2026-03-01 导出的交换包"
    assert witness_source({"kind": "import", "office": "新城街道", "at": "2026-03-01T16:30:00+00:00"}) == \
        "新城街道 2026-03-02 发来的交换包"
    assert witness_source({}) == "其他办公室 （日期不详） 发来的交换包"


def test_of_another_office_the_highest_head_is_kept_and_carried_on(store):
    store.audit.record("export", "导出", {})
    own = store.audit.head()
    for seq in (5, 3, 7):
        store.audit.witness({"site": "office-b", "seq": seq, "hash": f"h{seq}", "at": "2026-03-01T00:00:00+00:00",
                             "entries": seq}, {"kind": "import", "office": "乙"})
    store.audit.witness(own, {"kind": "export"})
    assert store.audit.witnessed_others() == [{"site": "office-b", "seq": 7, "hash": "h7",
                                               "at": "2026-03-01T00:00:00+00:00", "entries": 7}]
    assert sorted((w["site"] == store.site_id, w["seq"]) for w in store.audit.witnesses()) == \
        [(False, 7), (True, own["seq"])]
    for garbled in ("{not json", "5", '{"site": "x"}'):  # a hand-edited list: no heads, never a crash
        store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_witnesses', ?)", [garbled])
        assert store.audit.witnesses() == []
    store.audit.witness(None, {"kind": "export"})  # a package without a head: nothing to keep
    assert store.audit.witnesses() == []


def _rewrite_from(store, seq):
    """What someone with the key file too would do: change entry `seq`, recompute every hash after
    it with the key, and the head kept in `meta`."""
    from app.storage.audit import entry_hash

    _tamper(store)
    rows = store.db.execute("SELECT seq, at, actor, site_id, action, summary, details, prev_hash FROM audit"
                            " WHERE seq >= ? ORDER BY seq", [seq]).fetchall()
    prev = rows[0][7]
    for n, at, actor, site, action, summary, details, _ in rows:
        summary = "改写过的" if n == seq else summary
        digest = entry_hash(prev, at, actor, site, action, summary, details, store.audit.key)
        store.db.execute("UPDATE audit SET summary = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         [summary, prev, digest, n])
        prev = digest
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
                     [json.dumps({"seq": rows[-1][0], "hash": prev})])


def test_a_log_rewritten_with_the_key_is_named_by_the_heads_its_backups_hold(store):
    from datetime import date

    from app.storage.backup import backup

    first_seq = _entries(store)
    first = backup(store)
    later = _entries(store, 2)
    second = backup(store)
    assert store.audit.verify() == {"ok": True, "entries": store.audit.count(), "broken_at": None,
                                    "witnesses": 2, "message": "审计日志完整"}
    _rewrite_from(store, first_seq - 1)
    result = store.audit.verify()
    today = date.today().isoformat()
    name = second["path"].rsplit("/", 1)[-1]
    assert result["ok"] is False and result["broken_at"] == later and result["witnesses"] == 2
    assert result["entries"] == store.scalar("SELECT count(*) FROM audit")
    assert result["message"] == (f"审计日志第 {later} 条与 {today} 的备份（{name}）中记录的不同（记录可能被改写）"
                                 "（另有 1 处备份或交换包中的链头也对不上）")
    assert [(f["seq"], f["source"]) for f in result["findings"]] == [
        (later, f"{today} 的备份（{name}）"),
        (first_seq, f"{today} 的备份（{first['path'].rsplit('/', 1)[-1]}）")]


def test_entries_written_by_earlier_versions_still_verify(store):
    """The hash of an entry, keyed or plain, and the id of a key are fixed: a log written by any
    earlier version (or restored from its backup) must check out under this one."""
    from app.storage.audit import entry_hash

    entry = ("0" * 64, "2026-03-01T08:00:00.000+00:00", "李文书", "site-a", "export", "导出花名册",
             '{"file": "花名册.xlsx"}')
    assert entry_hash(*entry) == "d3d95023ea60b768ca85f716e03a1a3fde8d0ebf9e79dec03c900fb8a54359aa"
    assert entry_hash(*entry, bytes(range(32))) == "abfdabc1e63aa8090d611dd23a5ade2b1858ba66b4426bc2bc4ff0b966fbf42f"
    assert AuditLog(store.db, "site-a", bytes(range(32))).key_id == "630dcd2966c43366"
    assert AuditLog(store.db, "site-a").key_id == ""


def test_of_this_office_the_latest_head_held_is_kept_and_every_head_lost_stays(store):
    def own():
        return sorted((w["seq"], w["hash"]) for w in store.audit.witnesses() if w["site"] == store.site_id)

    _entries(store, 2)
    first = store.audit.head()
    store.audit.witness(first, {"kind": "export"})
    _entries(store, 2)
    second = store.audit.head()
    store.audit.witness({k: v for k, v in second.items() if k != "site"}, {"kind": "backup"})  # no site: this office
    assert own() == [(second["seq"], second["hash"])]
    lost = [{"site": store.site_id, "seq": 1000 + n, "hash": f"lost{n}", "at": "2099-01-01T00:00:00+00:00"}
            for n in range(25)]
    for head in lost + lost[:3]:  # seen twice: kept once
        store.audit.witness(head, {"kind": "export"})
    assert own() == [(second["seq"], second["hash"])] + [(1000 + n, f"lost{n}") for n in range(5, 25)]
    seen = next(w for w in store.audit.witnesses() if w["seq"] == 1024)
    assert seen["source"] == {"kind": "export"} and seen["at"] == "2099-01-01T00:00:00+00:00"
    assert seen["seen"].endswith("+00:00") and "entries" in seen
    # a head lost before a restore is explained by it: not kept
    store.audit.record("restore", "从备份恢复：x.db", {"restore_id": "r1"})
    store.audit.witness({"site": store.site_id, "seq": 5000, "hash": "old", "at": "2000-01-01T00:00:00+00:00"},
                        {"kind": "export"})
    assert (5000, "old") not in own() and (1024, "lost24") in own()


def test_the_viewer_pages_by_200_the_recent_list_shows_50_and_an_unknown_action_keeps_its_name(store):
    for n in range(230):
        store.audit.record("export", f"导出第 {n} 份", {})
    store.audit.record("custom", "别的工具写的", {})
    rows = store.audit.query()
    assert len(rows) == 200 and rows[0]["action_label"] == "custom" and rows[1]["action_label"] == "导出"
    assert len(store.audit.recent()) == 50


def test_the_head_names_the_site_the_last_entry_and_the_count(store):
    _entries(store, 2)
    last = store.rows("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert store.audit.head() == {"site": store.site_id, "seq": last["seq"], "hash": last["hash"], "at": last["at"],
                                  "entries": store.scalar("SELECT count(*) FROM audit")}


def _cut(store, keep_through: int) -> None:
    """What someone with sqlite3 does: delete the entries after `keep_through`, set the numbering
    back so new entries fill the gap, and delete the head and the witnesses kept in `meta`."""
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq > ?", [keep_through])
    store.db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit'", [keep_through])
    store.db.execute("DELETE FROM meta WHERE key IN ('audit_head', 'audit_witnesses')")


@pytest.mark.parametrize("cut, written_on, expected", [
    (1, 0, "少了 1 条（第 {head} 条）"),
    (5, 0, "少了 5 条（第 {first}—{head} 条）"),
    (5, 8, "少了 5 条（第 {first}—{head} 条），其编号已被之后写入的记录占用"),
    ("all", 0, "少了 {head} 条（第 1—{head} 条）"),
])
def test_a_cut_log_is_named_by_the_head_its_backup_file_holds(store, cut, written_on, expected):
    from datetime import date

    from app.storage.backup import backup, read_head

    _entries(store, 8)
    made = backup(store)
    head = read_head(made["path"])["seq"]
    cut = head if cut == "all" else cut
    _cut(store, head - cut)
    _entries(store, written_on)
    result = store.audit.verify()
    name = made["path"].rsplit("/", 1)[-1]
    where = f"审计日志比 {date.today().isoformat()} 的备份（{name}）中记录的"
    assert result["ok"] is False and result["broken_at"] == head
    assert result["message"] == where + expected.format(head=head, first=head - cut + 1)


def test_a_cut_log_is_named_by_the_head_a_package_took_and_other_offices_heads_are_not_held_to_it(store, tmp_path):
    from datetime import date

    _entries(store, 6)
    sent = store.audit.head()
    store.audit.witness(sent, {"kind": "export", "at": sent["at"]})  # as exporting a package keeps it
    store.audit.witness({"site": "office-b", "seq": 9999, "hash": "theirs", "at": sent["at"]},
                        {"kind": "import", "office": "乙"})
    assert store.audit.verify()["ok"]
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq > ?", [sent["seq"] - 2])
    store.db.execute("DELETE FROM meta WHERE key = 'audit_head'")
    result = store.audit.verify()
    assert result["message"] == (f"审计日志比 {date.today().isoformat()} 导出的交换包中记录的少了 2 条"
                                 f"（第 {sent['seq'] - 1}—{sent['seq']} 条）")
    assert result["witnesses"] == 1


def test_a_backup_of_another_office_in_the_backups_folder_is_not_held_to_this_log(store, tmp_path):
    import shutil

    from app.storage.backup import backup, backup_name
    from app.store import Store

    with Store.open(tmp_path / "other") as other:
        for n in range(30):
            other.audit.record("export", f"别处导出第 {n} 份", {})
        theirs = backup(other, tmp_path / "theirs.db")["path"]
    (store.data_dir / "backups").mkdir(exist_ok=True)
    shutil.copyfile(theirs, store.data_dir / "backups" / backup_name("manual"))
    result = store.audit.verify()
    assert result["ok"] and result["witnesses"] == 0


def test_a_lost_head_is_explained_only_by_a_restore_made_after_it(store):
    def own():
        return {(w["seq"], w["hash"]) for w in store.audit.witnesses() if w["site"] == store.site_id}

    store.audit.witness({"site": store.site_id, "seq": 900, "hash": "first"}, {"kind": "export"})  # none held yet
    assert own() == {(900, "first")}
    store.audit.record("restore", "从备份恢复：x.db", {"restore_id": "r1"})
    restored_at = store.scalar("SELECT at FROM audit WHERE action = 'restore'")
    store.audit.witness({"site": store.site_id, "seq": 901, "hash": "same time", "at": restored_at}, {"kind": "export"})
    store.audit.witness({"site": store.site_id, "seq": 902, "hash": "no time"}, {"kind": "export"})  # seen after it
    assert {(901, "same time"), (902, "no time")} <= own()


def test_of_another_office_a_lower_head_never_replaces_a_higher_one(store):
    store.audit.witness(store.audit.head(), {"kind": "export"})
    for seq in (5, 3):
        store.audit.witness({"site": "office-b", "seq": seq, "hash": f"h{seq}"}, {"kind": "import"})
    assert [(w["site"], w["seq"]) for w in store.audit.witnessed_others()] == [("office-b", 5)]


def test_the_heads_of_200_other_offices_are_kept_the_earliest_seen_dropped_first(store):
    store.audit.witness(store.audit.head(), {"kind": "export"})
    for n in range(201):
        store.audit.witness({"site": f"office-{n:03d}", "seq": 5, "hash": "h"}, {"kind": "import", "office": f"{n}"})
    kept = [w["site"] for w in store.audit.witnessed_others()]
    assert kept == [f"office-{n:03d}" for n in range(1, 201)]
    assert sum(w["site"] == store.site_id for w in store.audit.witnesses()) == 1


def test_a_log_begun_without_a_key_and_keyed_later_verifies_each_part_as_written(tmp_path, monkeypatch):
    """A data folder whose key file could not be written at first (read-only): its first entries
    are plain hashes, the later ones keyed; both check out."""
    import app.storage.audit
    from app.store import Store

    monkeypatch.setattr(app.storage.audit, "installation_key", lambda folder: None)
    with Store.open(tmp_path / "data") as store:
        _entries(store, 2)
        plain = store.scalar("SELECT max(seq) FROM audit")
    monkeypatch.undo()
    with Store.open(tmp_path / "data") as store:
        _entries(store, 2)
        assert json.loads(store.audit._meta("audit_keys")) == [[plain, store.audit.key_id]]
        result = store.audit.verify()
        assert result["ok"] and result["message"] == "审计日志完整"


def test_a_broken_log_is_reported_with_the_entries_read(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("UPDATE audit SET summary = '改过的' WHERE seq = ?", [last])
    assert store.audit.verify()["entries"] == last
    store.db.execute("DELETE FROM audit WHERE seq = ?", [last - 1])
    assert store.audit.verify()["entries"] == last - 1
    store.db.execute("DELETE FROM audit WHERE seq >= ?", [last - 2])
    result = store.audit.verify()
    assert "截短" in result["message"] and (result["entries"], result["broken_at"]) == (last - 3, last - 2)


def test_garbled_witnesses_are_left_out(store):
    good = {"site": "office-b", "seq": 5, "hash": "h"}
    garbled = [good, "text", {"site": 5, "seq": 5, "hash": "h"}, {"site": "x", "seq": "5", "hash": "h"},
               {"site": "x", "seq": 5, "hash": 5}, {"site": "x", "seq": True, "hash": "h"}]
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_witnesses', ?)", [json.dumps(garbled)])
    assert store.audit.witnesses() == [good]


def test_a_last_entry_rewritten_with_the_key_no_longer_matches_the_head_kept_apart(store):
    last = _entries(store)
    head = store.audit._meta("audit_head")
    _rewrite_from(store, last)
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)", [head])
    assert store.audit.verify() == {"ok": False, "entries": last, "broken_at": last,
                                    "message": "审计日志的末条与单独保存的链头不符（记录可能被改写）"}


def test_one_entry_cut_from_the_end_and_written_on_shows_as_one_missing(store):
    last = _entries(store)
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq = ?", [last])
    store.db.execute("DELETE FROM meta WHERE key = 'audit_head'")
    store.audit.record("export", "删除之后再导出", {})  # links to the entry before; its number goes on
    assert store.audit.verify() == {"ok": False, "entries": last, "broken_at": last,
                                    "message": f"审计日志缺少第 {last} 条（末尾的记录被删除后又接着写入了新记录）"}


def test_a_cut_log_is_named_by_the_head_another_office_saw_of_it(store, beijing):
    _entries(store, 6)
    seen = store.audit.head()  # as another office's package carries back what it saw of this one
    store.audit.witness(seen, {"kind": "import", "office": "新城街道", "at": "2026-03-01T16:30:00+00:00"})
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq = ?", [seen["seq"]])
    store.db.execute("DELETE FROM meta WHERE key = 'audit_head'")
    assert store.audit.verify()["message"] == (f"审计日志比新城街道 2026-03-02 发来的交换包中记录的少了 1 条"
                                               f"（第 {seen['seq']} 条）")


def test_entries_cut_from_the_end_and_written_on_are_named_from_the_first_missing(store):
    last = _entries(store, 5)
    _tamper(store)
    store.db.execute("DELETE FROM audit WHERE seq > ?", [last - 3])
    store.db.execute("DELETE FROM meta WHERE key = 'audit_head'")
    store.audit.record("export", "删除之后再导出", {})
    assert store.audit.verify() == {"ok": False, "entries": last - 2, "broken_at": last - 2,
                                    "message": f"审计日志缺少第 {last - 2}—{last} 条（末尾的记录被删除后又接着写入了新记录）"}


def test_a_head_seen_again_keeps_where_it_was_first_seen(store):
    for office in ("乙", "丙"):  # 丙 relays what it saw of office-b: the same head
        store.audit.witness({"site": "office-b", "seq": 5, "hash": "h"}, {"kind": "import", "office": office})
    (kept,) = [w for w in store.audit.witnesses() if w["site"] == "office-b"]
    assert kept["source"] == {"kind": "import", "office": "乙"}


def test_an_entry_is_stamped_in_utc_and_keeps_dates_and_paths_as_text(store):
    from datetime import date
    from pathlib import Path

    store.audit.record("export", "导出", {"day": date(2026, 3, 1), "file": Path("花名册.xlsx")})
    row = store.rows("SELECT at, details FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert row["at"].endswith("+00:00") and len(row["at"]) == len("2026-03-01T08:00:00.000+00:00")
    assert json.loads(row["details"]) == {"day": "2026-03-01", "file": "花名册.xlsx"}


def test_the_viewer_finds_chinese_words_in_the_details(store):
    store.audit.record("export", "导出", {"file": "议事代表花名册.xlsx"})
    assert [r["summary"] for r in store.audit.query(text="议事代表花名册")] == ["导出"]
