"""Every bad package is refused with a Chinese reason and leaves every row as it was; an import
never writes outside the data directory."""

import hashlib
import io
import json
import re
import zipfile

import pytest

from app.exchange.export import build_content, export_package
from app.exchange.merge import import_package
from app.exchange.package import PackageError, seal
from tests.app.exchange.conftest import FAST, synced_digest
from tests.conftest import digest

PASS = "口令"


@pytest.fixture
def pair(offices):
    stores, stick = offices
    package = export_package(stores["A"], stick, PASS, scrypt_n=FAST)
    return stores["B"], stick, package["path"], stores["A"]


def sealed(zip_bytes: bytes, site_id="11111111-1111-4111-8111-111111111111") -> bytes:
    return seal(zip_bytes, PASS, package_id="22222222-2222-4222-8222-222222222222", site_id=site_id,
                site_name="别处", created="2026-11-26T00:00:00+00:00", scrypt_n=FAST)


def zip_of(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name == symlink:
                info.external_attr = (0o120777 << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def refused(store, data_or_path, message, tmp_path, passphrase=PASS):
    path = data_or_path
    if isinstance(data_or_path, bytes):
        path = tmp_path / "bad.yspkg"
        path.write_bytes(data_or_path)
    before = digest(store)
    outside = sorted(p for p in tmp_path.rglob("*") if "B" not in p.relative_to(tmp_path).parts[:1])
    with pytest.raises(PackageError, match=message):
        import_package(store, path, passphrase)
    assert digest(store) == before
    assert sorted(p for p in tmp_path.rglob("*") if "B" not in p.relative_to(tmp_path).parts[:1]) == outside


def test_wrong_passphrase(pair, tmp_path):
    store, _, path, _ = pair
    refused(store, path, "口令不正确", tmp_path, passphrase="别的口令")


def test_a_flipped_byte_anywhere(pair, tmp_path):
    store, _, path, _ = pair
    data = bytearray(open(path, "rb").read())
    for position in (len(data) // 2, len(data) - 1, 20):  # content, tag, header
        flipped = bytearray(data)
        flipped[position] ^= 0x40
        refused(store, bytes(flipped), "口令不正确|文件头|被改动", tmp_path)


def test_truncated_empty_and_foreign_files(pair, tmp_path):
    store, _, path, _ = pair
    data = open(path, "rb").read()
    refused(store, data[: len(data) // 2], "口令不正确|截断", tmp_path)
    refused(store, data[:9], "截断", tmp_path)
    refused(store, b"", "0 字节", tmp_path)
    refused(store, b"PK\x03\x04 this is a zip, not a package", "不是议事工作台的交换包", tmp_path)
    refused(store, json.dumps({"format": "yspkg"}).encode(), "不是议事工作台的交换包", tmp_path)


def manifest_for(members: dict, **extra) -> bytes:
    from app.storage.schema import known_migration_names

    manifest = {"format": "yspkg-content", "version": 1, "schema": sorted(known_migration_names()),
                "site_id": "11111111-1111-4111-8111-111111111111", "site_name": "别处", "kind": "full",
                "since": {}, "covers": {}, "sites": ["11111111-1111-4111-8111-111111111111"], "tables": {},
                "members": {}}
    manifest.update(extra)
    return json.dumps(manifest).encode()


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "rows/../../x.ndjson", "files/..\\x",
                                  "C:/windows/x", "extra.txt"])
def test_entries_with_dot_dot_absolute_or_unknown_names(pair, tmp_path, name):
    store = pair[0]
    refused(store, sealed(zip_of({"manifest.json": manifest_for({}), name: b"x"})), "不允许的文件名", tmp_path)


def test_a_link_entry_and_a_duplicate_entry(pair, tmp_path):
    store = pair[0]
    link = zip_of({"manifest.json": manifest_for({}), "files/" + "a" * 64: b"/etc/passwd"}, symlink="files/" + "a" * 64)
    refused(store, sealed(link), "链接", tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", manifest_for({}))
        with pytest.warns(UserWarning):
            archive.writestr("manifest.json", manifest_for({}))
    refused(store, sealed(buffer.getvalue()), "出现了两次", tmp_path)


def test_a_decompression_bomb_is_refused_from_its_directory_without_inflating(pair, tmp_path, monkeypatch):
    """600 MiB of newlines packed into 600 KB: beyond the cap on one member's unpacked size. The
    refusal comes from the zip's directory; nothing is inflated first."""
    store = pair[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_for({}))
        with archive.open("rows/groups.ndjson", "w", force_zip64=True) as member:
            for _ in range(600):
                member.write(b"\n" * (1 << 20))
    assert len(buffer.getvalue()) < 1 << 20
    real_open = zipfile.ZipFile.open

    def inflate(self, name, mode="r", *args, **kwargs):
        assert mode != "r", "a member was inflated before the sizes were checked"
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", inflate)
    refused(store, sealed(buffer.getvalue()), "解压后有 600 MB，超过上限 512 MB（疑似压缩炸弹）", tmp_path)


def test_members_beyond_the_total_cap_are_a_bomb_too(pair, tmp_path, monkeypatch):
    from app.exchange import package

    store = pair[0]
    monkeypatch.setattr(package, "MAX_TOTAL_SIZE", 1 << 20)  # each member within its cap, the sum not
    members = {"manifest.json": manifest_for({}), **{f"files/{str(n) * 64}": b"x" * 400_000 for n in range(3)}}
    refused(store, sealed(zip_of(members)), "疑似压缩炸弹", tmp_path)


def test_a_field_of_one_mebibyte_is_too_long_not_a_bomb(pair, tmp_path):
    """One text field of 1 MiB of one character packs over a thousand to one, well within the caps on
    unpacked size: the refusal names the table, the row and the field, and says it is too long."""
    store, _, _, a = pair
    content, manifest = build_content(a)
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = {name: archive.read(name) for name in archive.namelist()}
    fields = manifest["tables"]["opinions"]["fields"]
    lines = members["rows/opinions.ndjson"].decode().split("\n")
    row = json.loads(lines[2])
    row["v"][fields.index("content")] = "好" * (1 << 20)
    lines[2] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    members["rows/opinions.ndjson"] = "\n".join(lines).encode()
    manifest["members"]["rows/opinions.ndjson"] = {"size": len(members["rows/opinions.ndjson"]),
                                                   "sha256": hashlib.sha256(members["rows/opinions.ndjson"]).hexdigest()}
    members["manifest.json"] = json.dumps(manifest).encode()
    packed = zip_of(members)
    packed_rows = zipfile.ZipFile(io.BytesIO(packed)).getinfo("rows/opinions.ndjson")
    assert packed_rows.file_size > 100 * packed_rows.compress_size  # what used to be taken for a bomb
    title = row["v"][fields.index("title")][:20]
    refused(store, sealed(packed, site_id=a.site_id),
            f"意见建议第 3 行（{re.escape(title)}）的“具体内容”字段过长（1048576 字，上限 262144 字），拒绝导入", tmp_path)


def test_malformed_rows(pair, tmp_path):
    store, _, _, a = pair
    content, manifest = build_content(a)
    members = {name: zipfile.ZipFile(io.BytesIO(content)).read(name) for name in
               zipfile.ZipFile(io.BytesIO(content)).namelist()}
    lines = members["rows/groups.ndjson"].decode().splitlines()
    for bad, message in ((lines[0].replace('"id":"', '"id":"not-a-uuid-'), "记录编号"),
                         ('{"id": 1}', "记录编号"), ("{not json", "不是有效的数据行"),
                         (lines[0].replace('"c":[', '"c":["x",'), "修改时钟"),
                         (lines[0].replace('"v":[', '"v":[{"nested": true},'), "字段")):
        changed = dict(members)
        changed["rows/groups.ndjson"] = ("\n".join([bad, *lines[1:]]) + "\n").encode()
        info = manifest["members"]["rows/groups.ndjson"]
        fixed = {**manifest, "members": {**manifest["members"], "rows/groups.ndjson": {
            **info, "size": len(changed["rows/groups.ndjson"]),
            "sha256": hashlib.sha256(changed["rows/groups.ndjson"]).hexdigest()}}}
        changed["manifest.json"] = json.dumps(fixed).encode()
        refused(store, sealed(zip_of(changed), site_id=a.site_id), message, tmp_path)


def test_a_package_from_a_newer_version(pair, tmp_path):
    store = pair[0]
    newer = manifest_for({}, schema=["m001_foundation", "m099_from_the_future"])
    refused(store, sealed(zip_of({"manifest.json": newer})), "更新版本", tmp_path)


@pytest.mark.parametrize("stop_at", ["正在检查", "正在合并"])
def test_a_cancelled_import_keeps_nothing(pair, stop_at):
    from app.common.errors import Cancelled

    target, _, path, _ = pair
    before, audited = synced_digest(target), target.scalar("SELECT max(seq) FROM audit")
    seen = []

    def progress(done, total, text):
        seen.append(text)
        return not (text.startswith(stop_at) and len(seen) > 3)

    with pytest.raises(Cancelled, match="已取消导入，数据未作任何改动"):
        import_package(target, path, PASS, progress=progress)
    assert synced_digest(target) == before
    assert not target.rows("SELECT * FROM exchange_log")
    # Nothing on record either: the backup is taken only once the package has proved mergeable.
    assert target.rows("SELECT action FROM audit WHERE seq > ?", [audited]) == []
    assert import_package(target, path, PASS)["added"] > 4000  # and it can be imported afterwards


def test_a_cancelled_export_writes_no_package(offices):
    from app.common.errors import Cancelled

    stores, stick = offices
    with pytest.raises(Cancelled, match="已取消导出"):
        export_package(stores["A"], stick, PASS, scrypt_n=FAST, progress=lambda done, total, text: done < 5)
    assert not list(stick.iterdir()) and not list((stores["A"].data_dir / "outbox").glob("*.yspkg"))
    assert not stores["A"].rows("SELECT * FROM exchange_log")


def test_every_synced_table_has_a_name_for_the_clerk():
    from app.storage.schema import SYNCED_FIELDS, TABLE_NOUNS

    assert set(TABLE_NOUNS) == set(SYNCED_FIELDS)


def test_a_self_import_changes_nothing_not_even_a_backup(offices):
    from app.exchange.export import export_package
    from app.exchange.merge import import_package
    from app.storage.backup import list_backups
    from tests.app.exchange.conftest import FAST

    stores, stick = offices
    a = stores["A"]
    package = export_package(a, stick, "口令", scrypt_n=FAST)["path"]
    seq = a.scalar("SELECT max(seq) FROM audit")
    backups = list_backups(a.data_dir)
    last_backup = a.meta("last_backup_at")
    with pytest.raises(PackageError, match="本机自己导出"):
        import_package(a, package, "口令")
    assert a.scalar("SELECT max(seq) FROM audit") == seq
    assert list_backups(a.data_dir) == backups and a.meta("last_backup_at") == last_backup


def test_a_package_with_a_dangling_reference_changes_nothing_not_even_a_backup(offices):
    """B received only part of A's data (a delta whose base B lacks): the rows it brings point at
    records B does not have. The package is refused before any backup, audit entry or meta change."""
    from app.exchange.export import export_package
    from app.exchange.merge import import_package
    from app.storage.backup import list_backups
    from tests.app.exchange.conftest import FAST, synced_digest

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    export_package(a, stick, "口令", scrypt_n=FAST, office="B")  # the full package B never received
    community = a.communities.list()[0]
    a.grids.create({"community_id": community["id"], "number": 999, "name": "第999网格"})  # its community: not in the delta
    delta = export_package(a, stick, "口令", scrypt_n=FAST, office="B", since_last=True)["path"]
    before, seq, backups = synced_digest(b), b.scalar("SELECT max(seq) FROM audit"), list_backups(b.data_dir)
    with pytest.raises(PackageError, match="请先导入之前的交换包"):
        import_package(b, delta, "口令")
    assert synced_digest(b) == before and b.scalar("SELECT max(seq) FROM audit") == seq
    assert list_backups(b.data_dir) == backups and b.meta("last_backup_at") is None

    # a package whose rows point at records nobody sent (crafted: the communities left out)
    content, manifest = build_content(a)
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = {name: archive.read(name) for name in archive.namelist()}
    members["rows/communities.ndjson"] = b""
    manifest["tables"]["communities"]["count"] = 0
    manifest["members"]["rows/communities.ndjson"] = {"size": 0, "sha256": hashlib.sha256(b"").hexdigest()}
    members["manifest.json"] = json.dumps(manifest).encode()
    crafted = stick / "crafted.yspkg"
    crafted.write_bytes(sealed(zip_of(members), site_id=a.site_id))
    with pytest.raises(PackageError, match="指向的村（社区）.*在交换包和本机都没有"):
        import_package(b, crafted, PASS)
    assert synced_digest(b) == before and b.scalar("SELECT max(seq) FROM audit") == seq
    assert list_backups(b.data_dir) == backups and b.meta("last_backup_at") is None


def _with_header(package: bytes, change) -> bytes:
    """The same package with its (authenticated) header altered: refused before decryption."""
    import struct

    from app.exchange.package import MAGIC

    start = len(MAGIC) + 4
    (length,) = struct.unpack(">I", package[len(MAGIC):start])
    header = change(json.loads(package[start:start + length]))
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return MAGIC + struct.pack(">I", len(raw)) + raw + package[start + length:]


@pytest.mark.parametrize("change, message", [
    (lambda h: {**h, "kdf": {**h["kdf"], "n": 1 << 20}}, "加密参数不在允许范围内"),
    (lambda h: {**h, "kdf": {**h["kdf"], "r": 16, "p": 4}}, "加密参数不在允许范围内"),
    (lambda h: {**h, "nonce": "AAAA"}, "长度不对"),
    (lambda h: {**h, "nonce": 12}, "加密参数不全"),
    (lambda h: b"[" * 100000 + b"]" * 100000, "文件头已损坏"),
])
def test_a_crafted_header_is_refused_before_the_passphrase_is_tried(pair, tmp_path, change, message):
    import time

    store, _, path, _ = pair
    crafted = _with_header(open(path, "rb").read(), change)
    started = time.monotonic()
    refused(store, crafted, message, tmp_path)
    assert time.monotonic() - started < 5  # no key derivation at a cost the package chose


def test_a_manifest_from_a_newer_content_version_is_refused(pair, tmp_path):
    store, _, _, a = pair
    content, manifest = build_content(a)
    members = {name: zipfile.ZipFile(io.BytesIO(content)).read(name) for name in
               zipfile.ZipFile(io.BytesIO(content)).namelist()}
    members["manifest.json"] = json.dumps({**manifest, "version": 99}).encode()
    refused(store, sealed(zip_of(members), site_id=a.site_id), "更新版本", tmp_path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_a_passphrase_file_saved_by_notepad_in_any_encoding(tmp_path, encoding):
    from app.fronts.cli import _passphrase

    path = tmp_path / "口令.txt"
    path.write_bytes("中山路-2026\r\n".encode(encoding))
    assert _passphrase(str(path)) == "中山路-2026"


@pytest.mark.parametrize("field, value, message", [
    ("id_number", "123", "身份证号"), ("status", "emperor", "状态"), ("group_role", "king", "小组职务"),
    ("birth_date", "not-a-date", "不是有效日期"), ("phone", "<b>138</b>", "联系电话"),
    ("community_id", None, "“所在村（社区）”不能为空"), ("name", None, "“姓名”不能为空"), ("name", 12345, "应为文字"),
])
def test_package_rows_are_held_to_the_forms_rules(pair, tmp_path, field, value, message):
    """A row another office (or a hand-edited package) sends in is checked as the form would
    check it; the refusal names the table and the row."""
    store, _, _, a = pair
    content, manifest = build_content(a)
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = {name: archive.read(name) for name in archive.namelist()}
    fields = manifest["tables"]["delegates"]["fields"]
    lines = members["rows/delegates.ndjson"].decode().split("\n")
    row = json.loads(lines[0])
    row["v"][fields.index(field)] = value
    lines[0] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    members["rows/delegates.ndjson"] = "\n".join(lines).encode()
    info = manifest["members"]["rows/delegates.ndjson"]
    manifest["members"]["rows/delegates.ndjson"] = {**info, "size": len(members["rows/delegates.ndjson"]),
                                                    "sha256": hashlib.sha256(members["rows/delegates.ndjson"]).hexdigest()}
    members["manifest.json"] = json.dumps(manifest).encode()
    refused(store, sealed(zip_of(members), site_id=a.site_id), f"代表第 1 行.*{message}", tmp_path)
