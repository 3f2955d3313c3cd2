"""Packages never sit in memory whole: a large one is read from its decrypted zip, a batch of rows
at a time, on every pass, and merges exactly as a small one kept in memory does; the work folder an
import decrypts into is gone after every way out."""

import json
import os

import pytest

from app.exchange import merge
from app.exchange.export import export_package
from app.exchange.merge import import_package
from app.exchange.package import WORK_PREFIX, PackageError
from app.store import Store
from tests.app.exchange.conftest import FAST, synced_digest
from tests.conftest import digest, share_clock

PASS = "口令"


def work_folders(store) -> list:
    return sorted(store.data_dir.glob(WORK_PREFIX + "*"))


@pytest.fixture
def streamed(monkeypatch):
    """Every package is treated as a large one: its rows are read from the zip on each pass."""
    monkeypatch.setattr(merge, "ROWS_KEPT", 0)


def _twin(store, folder):
    """The same office a second time (same site, same rows and clocks), as it stands now."""
    import shutil

    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(store.data_dir, folder, ignore=shutil.ignore_patterns("yishi.lock"))
    return Store.open(folder)


def test_a_streamed_package_merges_like_one_kept_in_memory(offices, tmp_path, monkeypatch):
    stores, stick = offices
    a, kept = stores["A"], stores["B"]
    community = a.communities.list()[0]
    lone_grid = a.grids.create({"community_id": community["id"], "number": 999, "name": "第999网格"}).created("grids")[0]
    first = export_package(a, stick, PASS, scrypt_n=FAST)["path"]
    twins = []
    try:
        twins.append(_twin(kept, tmp_path / "D"))
        import_package(kept, first, PASS)
        monkeypatch.setattr(merge, "ROWS_KEPT", 0)
        import_package(twins[0], first, PASS)
        assert synced_digest(twins[0]) == synced_digest(kept)
        # a second package meets rows this office holds: an edit, a delete and a concurrent edit
        group = a.groups.list()[0]
        share_clock(a, kept)
        kept.groups.update(group["id"], {"focus": "本处先改"})
        a.groups.update(group["id"], {"focus": "A 后改", "notes": "A 的说明"})
        a.grids.delete(lone_grid)
        second = export_package(a, stick, PASS, scrypt_n=FAST)["path"]
        twins.append(_twin(kept, tmp_path / "E"))
        from_zip = import_package(twins[1], second, PASS)
        monkeypatch.setattr(merge, "ROWS_KEPT", 50_000)
        in_memory = import_package(kept, second, PASS)
        assert from_zip["changed"] >= 1 and from_zip["deleted"] == 1 and from_zip["conflicts"] == 1
        assert [from_zip[k] for k in ("added", "changed", "deleted", "revived", "unchanged", "by_table")] == \
            [in_memory[k] for k in ("added", "changed", "deleted", "revived", "unchanged", "by_table")]
        # (the conflict entry is written by each office with its own clock: compared by what it says)
        said = "SELECT id, tbl, row_id, field, kept_value, lost_value, lost_site FROM conflicts ORDER BY id"
        assert twins[1].rows(said) == kept.rows(said) and len(kept.rows(said)) == 1
        for store in (twins[1], kept):
            store.db.execute("DELETE FROM conflicts")
            store.db.execute("DELETE FROM clocks WHERE tbl = 'conflicts'")
        assert synced_digest(twins[1]) == synced_digest(kept)
        assert not work_folders(twins[1]) and not work_folders(a)
    finally:
        for twin in twins:
            twin.close()


def test_attachments_arrive_streamed_from_the_zip(offices, tmp_path, streamed):
    from app.storage import attachments

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(os.urandom(5 << 20))  # 5 MB that does not shrink: stored in the zip as it is
    opinion = a.opinions.page(__import__("app.services.opinions", fromlist=["x"]).OpinionFilter())[0]
    a.opinions.add_file(opinion["id"], photo)
    exported = export_package(a, stick, PASS, scrypt_n=FAST)
    assert exported["files"] >= 1 and exported["size"] > 5 << 20
    import_package(b, exported["path"], PASS)
    row = b.rows("SELECT * FROM opinion_files WHERE opinion_id = ?", [opinion["id"]])[0]
    assert attachments.stored_path(b, row).read_bytes() == photo.read_bytes()


def test_rows_read_again_are_checked_again(offices, streamed):
    """A slice behind the last one starts over; every pass yields the same rows."""
    stores, stick = offices
    path = export_package(stores["A"], stick, PASS, scrypt_n=FAST)["path"]
    from app.exchange.package import unseal, work_folder

    with work_folder(stores["B"].data_dir) as work, merge.read_package(unseal(merge._load(path), PASS, work)) as package:
        table = package.rows["grids"]
        assert table.kept is None and len(table) > 500

        def plain(rows):
            return [(row_id, values, stamps.common, stamps.extra) for row_id, values, stamps in rows]

        whole = plain(table)
        assert plain(table[0:200] + table[200:500]) == whole[:500]
        assert plain(table[100:150]) == whole[100:150]  # behind: read again from the start
        assert plain([table[-1], table[3]]) == [whole[-1], whole[3]]
        with pytest.raises(IndexError):
            table[len(table)]


def test_the_work_folder_goes_on_every_way_out(offices, tmp_path, streamed):
    from app.common.errors import Cancelled

    stores, stick = offices
    b = stores["B"]
    path = export_package(stores["A"], stick, PASS, scrypt_n=FAST)["path"]
    leftover = b.data_dir / (WORK_PREFIX + "killed")  # what a process killed while importing leaves
    leftover.mkdir()
    (leftover / "content.zip").write_bytes(b"x" * 1000)
    before = digest(b)
    with pytest.raises(PackageError, match="口令不正确"):
        import_package(b, path, "别的口令")
    assert not work_folders(b) and digest(b) == before
    for stop_at in ("正在解密", "正在检查", "正在合并"):
        with pytest.raises(Cancelled):
            import_package(b, path, PASS, progress=lambda done, total, text, stop_at=stop_at: not text.startswith(stop_at))
        assert not work_folders(b) and digest(b) == before
    assert import_package(b, path, PASS, dry_run=True)["added"] > 4000
    assert not work_folders(b) and digest(b) == before
    assert import_package(b, path, PASS)["added"] > 4000
    assert not work_folders(b)


def test_a_package_from_before_the_witnesses_is_taken(offices):
    """The manifest of an earlier version: the sender's head as {seq, hash} only, no witnesses."""
    import io
    import zipfile

    from tests.app.exchange.test_refusals import sealed, zip_of

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    from app.exchange.export import build_content

    content, manifest = build_content(a)
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = {name: archive.read(name) for name in archive.namelist()}
    manifest["audit_head"] = {"seq": manifest["audit_head"]["seq"], "hash": manifest["audit_head"]["hash"]}
    del manifest["audit_witnesses"]
    members["manifest.json"] = json.dumps(manifest).encode()
    older = stick / "older.yspkg"
    older.write_bytes(sealed(zip_of(members), site_id=a.site_id))
    assert import_package(b, older, PASS)["added"] > 4000
    kept = [w for w in b.audit.witnesses() if w["site"] == a.site_id]
    assert [(w["seq"], w["hash"]) for w in kept] == [(manifest["audit_head"]["seq"], manifest["audit_head"]["hash"])]


def test_attachments_are_deflated_only_when_that_helps_and_older_versions_can_read_them(offices, tmp_path):
    """A photo is stored as it is; a letter is deflated; a file that packs more than 100 to 1 is
    stored too (earlier versions refused such a member as a decompression bomb)."""
    import hashlib
    import io
    import zipfile

    from app.exchange.export import build_content
    from app.services.opinions import OpinionFilter

    a = offices[0]["A"]
    opinion = a.opinions.page(OpinionFilter())[0]
    letter = "".join(f"第{n}条：居民反映路灯不亮。\n" for n in range(60_000)).encode()
    made = {"photo.jpg": os.urandom(2 << 20), "letter.txt": letter, "repeated.txt": "会议材料".encode() * 400_000}
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
        a.opinions.add_file(opinion["id"], tmp_path / name)
    content, manifest = build_content(a)
    archive = zipfile.ZipFile(io.BytesIO(content))
    kinds = {}
    for name, data in made.items():
        info = archive.getinfo("files/" + hashlib.sha256(data).hexdigest())
        kinds[name] = info.compress_type
        assert info.file_size <= 100 * info.compress_size
    assert kinds == {"photo.jpg": zipfile.ZIP_STORED, "letter.txt": zipfile.ZIP_DEFLATED,
                     "repeated.txt": zipfile.ZIP_STORED}


def test_an_export_stopped_while_writing_to_the_stick_leaves_nothing(offices):
    from app.common.errors import Cancelled

    stores, stick = offices
    a = stores["A"]
    with pytest.raises(Cancelled, match="已取消导出"):
        export_package(a, stick, PASS, scrypt_n=FAST, progress=lambda done, total, text: text != "正在写入U盘")
    assert not list(stick.iterdir()) and not work_folders(a) and not a.rows("SELECT * FROM exchange_log")


def _with_bad_row(store, stick, table: str, name: str, value, line: int):
    """A package of `store` whose `table` has `value` in `name` on its `line`-th row (sealed again)."""
    return _edited(store, stick, [(table, name, value, line)])


def _edited(store, stick, edits: list[tuple[str, str, object, int]], counts: dict[str, int] | None = None):
    """A package of `store` with each (table, field, value, line) of `edits` made, and the manifest's
    row counts of `counts`' tables moved by the amount given (sealed again)."""
    import hashlib
    import io
    import zipfile

    from app.exchange.export import build_content
    from tests.app.exchange.test_refusals import sealed, zip_of

    content, manifest = build_content(store)
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = {member: archive.read(member) for member in archive.namelist()}
    for table, name, value, line in edits:
        member = f"rows/{table}.ndjson"
        lines = members[member].split(b"\n")
        record = json.loads(lines[line - 1])
        record["v"][manifest["tables"][table]["fields"].index(name)] = value
        lines[line - 1] = json.dumps(record, ensure_ascii=False).encode()
        members[member] = b"\n".join(lines)
        manifest["members"][member] = {"size": len(members[member]),
                                       "sha256": hashlib.sha256(members[member]).hexdigest()}
    for table, moved in (counts or {}).items():
        manifest["tables"][table]["count"] += moved
    members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    path = stick / f"bad-{len(list(stick.iterdir()))}.yspkg"
    path.write_bytes(sealed(zip_of(members), site_id=store.site_id))
    return path


def _refused_alike(store, path, monkeypatch, said: str) -> str:
    """The package refused with the same message read whole before merging and read as it merges
    (a large package); the store unchanged, no backup, no work folder left."""
    before = digest(store)
    with pytest.raises(PackageError, match=said) as kept:
        import_package(store, path, PASS)
    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    try:
        with pytest.raises(PackageError, match=said) as streamed:
            import_package(store, path, PASS)
    finally:
        monkeypatch.setattr(merge, "ROWS_KEPT", 50_000)
    assert streamed.value.message == kept.value.message
    assert digest(store) == before
    assert not list((store.data_dir / "backups").glob("*import*")) and not work_folders(store)
    return kept.value.message


def test_a_row_that_cannot_be_read_is_named_before_a_rule_an_earlier_table_breaks(offices, monkeypatch):
    """Read as it merges, a large package meets the groups' empty name before the supervision that
    cannot be read; read whole first, the unreadable row is named: so it is, both ways."""
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    path = _edited(a, stick, [("groups", "name", "", 1), ("supervisions", "deleted", "yes", 2)])
    message = _refused_alike(b, path, monkeypatch, "删除标记应为 0 或 1")
    assert "督办记录第 2 行" in message


@pytest.mark.parametrize("moved", [1, -1])
def test_a_table_holding_another_count_of_rows_than_its_manifest_says_is_refused(offices, monkeypatch, moved):
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    path = _edited(a, stick, [], {"supervisions": moved})
    _refused_alike(b, path, monkeypatch, "^交换包数据有误：督办记录的行数与清单不符$")


@pytest.mark.parametrize("table, name, value, said", [
    ("supervisions", "day", "2099-01-01", "晚于今天"),
    ("opinions", "community_id", "00000000-0000-4000-8000-00000000dead", "在交换包和本机都没有"),
    ("groups", "name", "", "不能为空"),
])
def test_a_streamed_package_is_refused_for_its_first_bad_row_as_one_kept_in_memory(offices, monkeypatch, table,
                                                                                     name, value, said):
    """A large package's rows are held to the rule book as they are merged: a bad row after rows
    already merged rolls everything back, and the refusal names the same row and field as when
    every row is checked before the merge."""
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    count = a.scalar(f"SELECT count(*) FROM [{table}]")
    path = _with_bad_row(a, stick, table, name, value, count)  # the table's last row
    before = digest(b)
    with pytest.raises(PackageError, match=said) as kept:
        import_package(b, path, PASS)
    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    checked_first = []
    monkeypatch.setattr(merge, "check_rules", lambda store, package: checked_first.append(package))
    with pytest.raises(PackageError, match=said) as streamed:
        import_package(b, path, PASS)
    assert not checked_first  # (held to the rule book while merging, not before)
    assert streamed.value.message == kept.value.message and f"第 {count} 行" in kept.value.message
    assert digest(b) == before
    assert not list((b.data_dir / "backups").glob("*import*")) and not work_folders(b)


def test_a_streamed_merge_stopped_by_the_database_still_names_a_bad_row_further_on(offices, monkeypatch):
    """(the merge stopped before the rule book had seen every row: the rows are checked in full)"""
    import sqlite3

    from app.storage.writepath import Tx

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    count = a.scalar("SELECT count(*) FROM supervisions")
    path = _with_bad_row(a, stick, "supervisions", "day", "2099-01-01", count)
    insert = Tx.insert_remote_many

    def refused_by_the_database(self, table, rows):
        if table == "groups":
            raise sqlite3.IntegrityError("UNIQUE constraint failed")
        return insert(self, table, rows)

    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    monkeypatch.setattr(Tx, "insert_remote_many", refused_by_the_database)
    before = digest(b)
    with pytest.raises(PackageError, match=f"^交换包数据有误：督办记录第 {count} 行.*晚于今天"):
        import_package(b, path, PASS)
    assert digest(b) == before
    monkeypatch.setattr(Tx, "insert_remote_many", insert)
    path = _with_bad_row(a, stick, "groups", "notes", "良好", 1)  # nothing wrong: the database's refusal stands
    monkeypatch.setattr(Tx, "insert_remote_many", refused_by_the_database)
    with pytest.raises(PackageError, match="^交换包中的记录引用了本机没有的数据.*UNIQUE constraint failed"):
        import_package(b, path, PASS)
    assert digest(b) == before
