"""Package merges between small offices (a few rows each, made through the services), read value
by value: unknown rows inserted, per field the higher clock wins, concurrent edits keep the loser in
the conflict log, tombstones, append-only records unioned, a repeat changes nothing, a refused row
changes nothing. Fast (no demo, no encryption but in one test): mutation testing runs them once per
mutant of app/exchange/merge.py."""

import hashlib
import io
import json
import shutil
import uuid
import zipfile
from types import SimpleNamespace

import pytest

from app.common.clock import ZERO, RowStamps, Stamp
from app.common.errors import Cancelled
from app.exchange import merge
from app.exchange.export import build_content, export_package
from app.exchange.merge import _import_sealed, conflict_id, import_notes, import_package
from app.exchange.package import PackageError, Sealed
from app.store import Store
from tests.conftest import digest, share_clock

DAY = "2026-03-02"


@pytest.fixture(scope="session")
def empty_offices(tmp_path_factory):
    """Three empty offices made once (their migrations take most of a store's opening); each test
    works on copies."""
    folder = tmp_path_factory.mktemp("small-offices")
    for name, office in (("A", "东城办"), ("B", "西城办"), ("C", "南城办")):
        with Store.open(folder / name) as s:
            s.settings.update({"site_name": office})
            s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder


@pytest.fixture
def small(empty_offices, tmp_path):
    stores = []
    for name in "ABC":
        shutil.copytree(empty_offices / name, tmp_path / name, ignore=shutil.ignore_patterns("yishi.lock"))
        stores.append(Store.open(tmp_path / name))
    share_clock(*stores)
    yield SimpleNamespace(a=stores[0], b=stores[1], c=stores[2], folder=tmp_path)
    for s in stores:
        s.close()


def pack(source, folder, since=None, edit=None) -> Sealed:
    """The package `source` would export, decrypted (as `unseal` hands it on); `edit(members,
    manifest)` may change it first."""
    content, manifest = build_content(source, since)
    if edit is not None:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = {name: archive.read(name) for name in archive.namelist()}
        edit(members, manifest)
        for name, data in members.items():
            if name != "manifest.json":
                # (an attachment is named by its SHA-256: the manifest keeps that name)
                manifest["members"][name] = {**manifest["members"].get(name, {}), "size": len(data)}
                if not name.startswith("files/"):
                    manifest["members"][name]["sha256"] = hashlib.sha256(data).hexdigest()
        members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in members.items():
                out.writestr(name, data)
        content = buffer.getvalue()
    path = folder / f"{uuid.uuid4()}.zip"
    path.write_bytes(content)
    header = {"package_id": str(uuid.uuid4()), "site_id": source.site_id,
              "site_name": source.settings.get("site_name"), "created": "2026-03-02T08:00:00+00:00"}
    return Sealed(header, path, hashlib.sha256(content).hexdigest())


def take(target, sealed, dry_run=False, progress=None) -> dict:
    return _import_sealed(target, sealed, dry_run=dry_run, progress=progress)


def send(source, target, folder, **options) -> dict:
    return take(target, pack(source, folder), **options)


def group(store, name="第一组", **values):
    return store.groups.create({"name": name, **values}).created("groups")[0]


def groups_of(store):
    return store.rows("SELECT id, name, focus, notes, deleted FROM groups ORDER BY name")


def conflicts_of(store):
    return store.rows("SELECT kind, tbl, row_id, field, kept_value, lost_value, lost_site FROM conflicts ORDER BY field")


def stamps_of(store, table, row_id):
    return {f: (w, c, s) for f, w, c, s in store.db.execute(
        "SELECT field, wall_ms, counter, site_id FROM clocks WHERE tbl = ? AND row_id = ?", [table, row_id])}


def synced(store):
    """Every synced row and the clock of each of its fields (what must end equal)."""
    from tests.app.exchange.conftest import synced_digest

    return synced_digest(store)


# -- unknown rows ------------------------------------------------------------------------------------
def test_rows_new_to_an_office_are_inserted_with_their_clocks_and_counted(small):
    a, b = small.a, small.b
    first, second = group(a, "第一组", focus="停车"), group(a, "第二组")
    a.groups.delete(second)
    result = send(a, b, small.folder)
    assert groups_of(b) == groups_of(a)
    assert stamps_of(b, "groups", first) == stamps_of(a, "groups", first)
    assert stamps_of(b, "groups", second) == stamps_of(a, "groups", second)
    assert result["by_table"]["groups"] == {"added": 2}
    assert (result["added"], result["changed"], result["deleted"], result["revived"], result["conflicts"]) == (2, 0, 0, 0, 0)
    assert result["unchanged"] == sum(v.get("unchanged", 0) for v in result["by_table"].values())
    assert (result["from"], result["applied"], result["dry_run"], result["conflict_list"]) == ("东城办", True, False, [])
    assert result["duplicate_serials"] == [] and "clock_note" not in result
    # what this office now knows, who sent it, and what the log says
    log = b.rows("SELECT * FROM exchange_log WHERE direction = 'in'")
    assert [(r["site_id"], r["site_name"], r["kind"], r["package_id"]) for r in log] == [
        (a.site_id, "东城办", "full", result["package_id"])]
    assert json.loads(log[0]["counts"]) == {k: v for k, v in result.items() if k in (
        "added", "changed", "deleted", "revived", "unchanged", "conflicts", "duplicate_serials")}
    assert [(p["name"], p["site_id"], p["id"]) for p in b.rows("SELECT * FROM exchange_peers")] == [
        ("东城办", a.site_id, log[0]["peer_id"])]
    known = {r["site_id"]: (r["wall_ms"], r["counter"]) for r in b.rows("SELECT * FROM known_vector")}
    top = max(stamps_of(a, "groups", second).values())
    assert known[a.site_id] >= top[:2]
    audit = b.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert audit["action"] == "import"
    assert audit["summary"].startswith("导入交换包：来自东城办（新增 2、修改 0、删除 0、恢复 0、冲突 0）")
    # the sender's audit head is kept as a witness
    assert any(w.get("site") == a.site_id for w in b.audit.witnesses())


def test_a_first_exchange_into_an_empty_table_and_into_one_with_rows_alike(small):
    a, b = small.a, small.b
    here = group(b, "本机组")
    group(a, "甲组")
    send(a, b, small.folder)
    assert [g["name"] for g in groups_of(b)] == ["本机组", "甲组"] and here


def test_a_dry_run_says_what_would_change_and_changes_nothing(small):
    a, b = small.a, small.b
    group(a, "第一组")
    before, seq = digest(b), b.scalar("SELECT max(seq) FROM audit")
    result = send(a, b, small.folder, dry_run=True)
    assert (result["added"], result["applied"], result["dry_run"]) == (1, False, True)
    assert digest(b) == before and b.scalar("SELECT max(seq) FROM audit") == seq
    assert not list((small.folder / "B" / "backups").glob("*import*"))


def test_an_import_backs_up_first(small):
    a, b = small.a, small.b
    group(a)
    send(a, b, small.folder)
    assert [p.name.rsplit("-", 1)[1] for p in (small.folder / "B" / "backups").glob("*import*")] == ["import.db"]


# -- fields: the higher clock wins -------------------------------------------------------------------
def test_edits_of_different_fields_both_arrive_without_a_conflict(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.update(row, {"focus": "A 的重点"})
    b.groups.update(row, {"notes": "B 的备注"})
    to_b = send(a, b, small.folder)
    to_a = send(b, a, small.folder)
    assert groups_of(a) == groups_of(b) == [{"id": row, "name": "第一组", "focus": "A 的重点", "notes": "B 的备注", "deleted": 0}]
    assert to_b["by_table"]["groups"] == {"changed": 1} and to_a["by_table"]["groups"] == {"changed": 1}
    assert (to_b["changed"], to_b["conflicts"], to_a["conflicts"]) == (1, 0, 0)
    assert not conflicts_of(a) and not conflicts_of(b)
    assert synced(a) == synced(b)


def test_an_edit_made_after_seeing_the_other_is_no_conflict(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.update(row, {"focus": "第一次"})
    send(a, b, small.folder)
    b.groups.update(row, {"focus": "B 看过之后再改"})
    result = send(b, a, small.folder)
    assert a.groups.get(row)["focus"] == "B 看过之后再改" and result["conflicts"] == 0
    assert not conflicts_of(a) and not conflicts_of(b)
    # and the older value coming back (a package made before) loses, quietly
    a.groups.update(row, {"focus": "A 最后改"})
    assert send(b, a, small.folder)["by_table"]["groups"] == {"unchanged": 1}
    assert a.groups.get(row)["focus"] == "A 最后改" and not conflicts_of(a)


def test_concurrent_edits_keep_the_later_and_log_the_loser_on_both_sides(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.update(row, {"focus": "A 的重点"})
    b.groups.update(row, {"focus": "B 的重点"})  # later: wins
    a_stamp, b_stamp = stamps_of(a, "groups", row)["focus"], stamps_of(b, "groups", row)["focus"]
    to_b = send(a, b, small.folder)  # B keeps its own value
    assert b.groups.get(row)["focus"] == "B 的重点"
    assert (to_b["conflicts"], to_b["by_table"]["groups"]) == (1, {"unchanged": 1})
    logged = [("concurrent", "groups", row, "focus", "B 的重点", "A 的重点", "东城办")]
    assert [tuple(c.values()) for c in conflicts_of(b)] == logged
    entry = to_b["conflict_list"][0]
    assert entry["id"] == conflict_id("groups", row, "focus", b_stamp, a_stamp)
    assert (entry["kept_stamp"], entry["lost_stamp"]) == (json.dumps(list(b_stamp)), json.dumps(list(a_stamp)))
    assert (entry["package_id"], entry["kind"], entry["tbl"], entry["field"]) == (
        to_b["package_id"], "concurrent", "groups", "focus")
    assert entry["text"] and "第一组" in entry["text"]
    to_a = send(b, a, small.folder)  # A takes B's value; B had seen A's edit: B's log entry travels
    assert a.groups.get(row)["focus"] == "B 的重点"
    assert (to_a["conflicts"], to_a["by_table"]["groups"], to_a["by_table"]["conflicts"]) == (0, {"changed": 1}, {"added": 1})
    assert [tuple(c.values()) for c in conflicts_of(a)] == logged
    assert a.scalar("SELECT id FROM conflicts") == b.scalar("SELECT id FROM conflicts") == entry["id"]
    assert synced(a) == synced(b)
    # the log's own entries travel and merge without clashing; nothing new the next time
    again = send(a, b, small.folder)
    assert (again["conflicts"], again["added"], again["changed"]) == (0, 0, 0)
    assert b.scalar("SELECT count(*) FROM conflicts") == 1


def test_a_clash_of_a_cleared_field_logs_the_empty_side_as_none(small):
    a, b = small.a, small.b
    row = group(a, "第一组", focus="原来")
    send(a, b, small.folder)
    b.groups.update(row, {"focus": "B 改"})
    a.groups.update(row, {"focus": ""})  # later: wins, empty
    send(a, b, small.folder)
    entry = b.rows("SELECT kept_value, lost_value, kept_stamp, lost_stamp FROM conflicts")[0]
    assert (entry["kept_value"], entry["lost_value"]) == (None, "B 改")
    assert json.loads(entry["kept_stamp"]) == list(stamps_of(a, "groups", row)["focus"])
    other = group(a, "第二组", notes="原来")
    send(a, b, small.folder)
    b.groups.update(other, {"notes": ""})
    a.groups.update(other, {"notes": "A 改"})  # later: wins over the emptied one
    send(a, b, small.folder)
    entry = b.rows("SELECT kept_value, lost_value FROM conflicts WHERE row_id = ?", [other])[0]
    assert (entry["kept_value"], entry["lost_value"]) == ("A 改", None)


def test_the_displaced_office_is_named_even_when_a_third_office_relays_it(small):
    a, b, c = small.a, small.b, small.c
    row = group(a, "第一组")
    send(a, b, small.folder)
    send(a, c, small.folder)
    b.groups.update(row, {"focus": "B 的"})
    c.groups.update(row, {"focus": "C 的"})  # later
    send(b, a, small.folder)  # A now holds B's edit
    result = send(c, a, small.folder)
    assert result["conflict_list"][0]["lost_site"] == "西城办"  # B's value displaced, though C sent it
    # an office never heard of is named by its site id
    a.db.execute("DELETE FROM exchange_peers")
    a.groups.update(row, {"notes": "A"})
    b.groups.update(row, {"notes": "B"})
    c.groups.update(row, {"notes": "C 最后"})
    send(b, c, small.folder)
    result = send(c, a, small.folder)
    lost = {e["lost_value"]: e["lost_site"] for e in result["conflict_list"]}
    assert lost["A"] == "东城办"  # this office, by its own name


# -- tombstones --------------------------------------------------------------------------------------
def test_a_delete_arrives_and_is_counted(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.delete(row)
    result = send(a, b, small.folder)
    assert b.groups.get(row, include_deleted=True)["deleted"] == 1
    assert (result["deleted"], result["by_table"]["groups"]) == (1, {"deleted": 1})
    a.groups.restore(row)
    result = send(a, b, small.folder)
    assert b.groups.get(row)["deleted"] == 0 and result["by_table"]["groups"] == {"changed": 1}


def test_an_edit_after_the_delete_revives_the_row_and_logs_the_clash(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.delete(row)
    b.groups.update(row, {"notes": "B 在删除之后补充"})
    delete_stamp, edit_stamp = stamps_of(a, "groups", row)["deleted"], stamps_of(b, "groups", row)["notes"]
    to_b = send(a, b, small.folder)
    # undone in B's log as it happened: the tombstone came, and stayed off
    logged = [d for d in json.loads(b.scalar("SELECT details FROM audit WHERE action = 'import' ORDER BY seq DESC LIMIT 1"))
              if d["table"] == "groups"]
    assert logged == [{"table": "groups", "id": row, "kind": "update", "before": {"deleted": 0}, "after": {"deleted": 0}}]
    to_a = send(b, a, small.folder)
    for store in (a, b):
        assert store.groups.get(row)["notes"] == "B 在删除之后补充"
        assert [tuple(c.values()) for c in conflicts_of(store)] == [
            ("delete_vs_edit", "groups", row, "deleted", "保留（删除之后又有修改）", "已删除", "东城办")]
    assert (to_b["revived"], to_b["by_table"]["groups"], to_b["conflicts"]) == (1, {"revived": 1}, 1)
    assert (to_a["by_table"]["groups"], to_a["conflicts"]) == ({"changed": 1}, 0)
    assert a.scalar("SELECT id FROM conflicts") == b.scalar("SELECT id FROM conflicts") == conflict_id(
        "groups", row, "deleted", edit_stamp, delete_stamp)
    logged = a.rows("SELECT kept_stamp, lost_stamp FROM conflicts")[0]
    assert (json.loads(logged["kept_stamp"]), json.loads(logged["lost_stamp"])) == (list(edit_stamp), list(delete_stamp))
    assert stamps_of(a, "groups", row)["deleted"] == edit_stamp  # revived as of the edit
    assert synced(a) == synced(b)


def test_a_delete_after_the_edit_wins_and_keeps_the_edit(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    b.groups.update(row, {"notes": "B 先改"})
    a.groups.delete(row)
    send(a, b, small.folder)
    send(b, a, small.folder)
    for store in (a, b):  # hidden, nothing lost: restorable with B's notes
        assert store.rows("SELECT deleted, notes FROM groups")[0] == {"deleted": 1, "notes": "B 先改"}
    assert synced(a) == synced(b)


def test_a_delete_after_a_clash_hides_the_row_and_logs_both(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    b.groups.update(row, {"focus": "B 的"})
    a.groups.update(row, {"focus": "A 的"})
    a.groups.delete(row)
    edit_stamp, delete_stamp = stamps_of(b, "groups", row)["focus"], stamps_of(a, "groups", row)["deleted"]
    to_b = send(a, b, small.folder)
    assert b.rows("SELECT deleted, focus FROM groups")[0] == {"deleted": 1, "focus": "A 的"}
    assert [tuple(c.values()) for c in conflicts_of(b)] == [
        ("delete_vs_edit", "groups", row, "deleted", "已删除（可在回收站恢复）", "修改后保留", "西城办"),
        ("concurrent", "groups", row, "focus", "A 的", "B 的", "西城办")]
    assert (to_b["deleted"], to_b["by_table"]["groups"], to_b["conflicts"]) == (1, {"deleted": 1}, 2)
    logged = b.rows("SELECT id, kept_stamp, lost_stamp FROM conflicts WHERE kind = 'delete_vs_edit'")[0]
    assert logged["id"] == conflict_id("groups", row, "deleted", delete_stamp, edit_stamp)
    assert (json.loads(logged["kept_stamp"]), json.loads(logged["lost_stamp"])) == (list(delete_stamp), list(edit_stamp))
    send(b, a, small.folder)
    assert synced(a) == synced(b)


def test_a_delete_both_offices_made_is_no_clash(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.delete(row)
    b.groups.delete(row)
    result = send(a, b, small.folder)
    assert not conflicts_of(b) and result["by_table"]["groups"] == {"unchanged": 1}


# -- append-only records -----------------------------------------------------------------------------
def test_append_only_records_are_unioned(small):
    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    delegate = a.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]
    send(a, b, small.folder)
    a.delegates.change_status(delegate, "resigned", DAY, "A 记的辞职")
    b.delegates.change_status(delegate, "moved_away", DAY, "B 记的迁出")
    to_b = send(a, b, small.folder)
    send(b, a, small.folder)
    for store in (a, b):
        reasons = sorted(json.loads(r["detail"])["reason"] for r in store.rows("SELECT detail FROM delegate_events"))
        assert reasons == ["A 记的辞职", "B 记的迁出"]
    assert to_b["by_table"]["delegate_events"] == {"added": 1}
    again = send(a, b, small.folder)
    assert again["by_table"]["delegate_events"] == {"unchanged": 2} and again["added"] == 0


# -- a repeat changes nothing ------------------------------------------------------------------------
def test_the_same_package_again_is_recognised_and_a_new_one_with_nothing_new_changes_nothing(small):
    a, b = small.a, small.b
    group(a, "第一组")
    sealed = pack(a, small.folder)
    take(b, sealed)
    before, seq = synced(b), b.scalar("SELECT max(seq) FROM audit")
    again = take(b, sealed, dry_run=True)
    assert again["already"] and again["dry_run"] and b.scalar("SELECT max(seq) FROM audit") == seq
    again = take(b, sealed)
    assert again["already"] == b.scalar("SELECT at FROM exchange_log WHERE direction = 'in'")
    assert (again["from"], again["applied"], again["added"], again["conflict_list"]) == ("东城办", False, 0, [])
    assert again["package_id"] == sealed.header["package_id"] and not again["dry_run"]
    from app.storage.audit import local_time

    last = b.rows("SELECT action, summary, details FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert (last["action"], last["summary"], json.loads(last["details"])) == (
        "import", f"导入交换包：来自东城办，已于 {local_time(again['already'])[:16]} 导入过，没有新的变化",
        {"package_id": sealed.header["package_id"]})
    assert synced(b) == before
    result = send(a, b, small.folder)
    assert (result["added"], result["changed"], result["deleted"], result["conflicts"]) == (0, 0, 0, 0)
    assert result["by_table"]["groups"] == {"unchanged": 1}
    assert synced(b) == before
    last = b.rows("SELECT action, summary, details FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert (last["action"], last["summary"], json.loads(last["details"])) == (
        "import", "导入交换包：来自东城办，没有新的变化", {"package_id": result["package_id"]})
    # the sender named by nothing: 其他办公室
    sealed = pack(a, small.folder)
    sealed.header["site_name"] = None
    assert take(b, sealed)["from"] == "其他办公室" and take(b, sealed)["from"] == "其他办公室"


def test_an_own_package_is_refused(small):
    a = small.a
    group(a)
    with pytest.raises(PackageError, match="^这是本机自己导出的交换包，不需要导入$"):
        send(a, a, small.folder)
    content = pack(a, small.folder)
    with pytest.raises(PackageError), merge.read_package(content) as package:
        merge.merge(a, package)
    with merge.read_package(content) as package:  # applied unless asked not to
        assert merge.merge(small.b, package)["applied"] and small.b.groups.list()


def test_a_delta_whose_earlier_package_is_missing_is_refused(small):
    a, b = small.a, small.b
    first_group = group(a, "第一组")
    first = export_package(a, small.folder, "口令", scrypt_n=1 << 14, office="西城办")
    # (its community's group is at B already, not in the delta: the rule book looks it up there)
    a.communities.create({"name": "东城社区", "kind": "community", "group_id": first_group})
    delta = export_package(a, small.folder, "口令", scrypt_n=1 << 14, office="西城办", since_last=True)
    before = digest(b)
    with pytest.raises(PackageError, match="^这个增量交换包接在东城办之前发来的交换包之后，而那个交换包本机还没有导入。"
                                           "请先导入之前的交换包（按制作时间的先后），或请对方导出全量交换包。数据未作任何改动。$"):
        import_package(b, delta["path"], "口令")
    assert digest(b) == before
    import_package(b, first["path"], "口令")
    result = import_package(b, delta["path"], "口令")
    assert (result["added"], result["dry_run"]) == (1, False)
    assert b.rows("SELECT name, group_id FROM communities") == [{"name": "东城社区", "group_id": first_group}]


def test_a_delta_from_an_unnamed_office_names_it_the_other_office(small):
    from app.exchange.export import knowledge

    a, b = small.a, small.b
    group(a, "第一组")
    since = knowledge(a)
    group(a, "第二组")
    sealed = pack(a, small.folder, since=since)
    sealed.header["site_name"] = None
    with pytest.raises(PackageError, match="^这个增量交换包接在对方办公室之前发来的交换包之后"):
        take(b, sealed)


# -- refusals ----------------------------------------------------------------------------------------
def _replace_row(table, field, value):
    def edit(members, manifest):
        fields = manifest["tables"][table]["fields"]
        lines = members[f"rows/{table}.ndjson"].decode().splitlines()
        row = json.loads(lines[0])
        row["v"][fields.index(field)] = value
        lines[0] = json.dumps(row, ensure_ascii=False)
        members[f"rows/{table}.ndjson"] = ("\n".join(lines) + "\n").encode()
    return edit


def test_a_row_the_rule_book_refuses_leaves_the_store_as_it_was(small):
    a, b = small.a, small.b
    group(a, "第一组")
    group(b, "本机组")
    before, seq = digest(b), b.scalar("SELECT max(seq) FROM audit")
    with pytest.raises(PackageError, match="^交换包数据有误：议事小组第 1 行（(第一组){10}…）的“小组名称”"
                                           "太长（300 个字，最多 50 个字），拒绝导入。数据未作任何改动。$"):
        take(b, pack(a, small.folder, edit=_replace_row("groups", "name", "第一组" * 100)))
    assert digest(b) == before and b.scalar("SELECT max(seq) FROM audit") == seq
    assert not list((small.folder / "B" / "backups").glob("*import*"))
    with pytest.raises(PackageError, match="^交换包数据有误：议事小组第 1 行的“小组名称”不能为空，拒绝导入。数据未作任何改动。$"):
        take(b, pack(a, small.folder, edit=_replace_row("groups", "name", None)))
    assert digest(b) == before


def test_a_code_unknown_here_from_a_newer_version_asks_for_an_upgrade(small):
    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    a.delegates.create({"name": "张三", "community_id": community})

    def newer(members, manifest):
        _replace_row("delegates", "status", "on_leave_" + "x" * 50)(members, manifest)
        manifest["app_version"] = "99.0"

    with pytest.raises(PackageError, match="^这个交换包由更新版本的议事工作台（99.0）制作："
                                           "代表第 1 行（张三）的“.*”“on_leave_x{31}”本机的版本还不认识。"):
        take(b, pack(a, small.folder, edit=newer))
    with pytest.raises(PackageError, match="^交换包数据有误：代表第 1 行（张三）的“"):
        take(b, pack(a, small.folder, edit=_replace_row("delegates", "status", "on_leave")))


def test_newer_versions_compare_by_their_numbers(monkeypatch):
    import app

    monkeypatch.setattr(app, "__version__", "1.2.3")
    assert merge._newer("1.10") and merge._newer("1.2.4") and merge._newer("2")
    assert not merge._newer("1.2.3") and not merge._newer("1.2") and not merge._newer("") and not merge._newer("1.2.x")
    assert merge._newer("1.2.3.1")
    monkeypatch.setattr(app, "__version__", "1.2.0.4")
    assert not merge._newer("1.2.x.4") and not merge._newer("1.2.0.4.1")  # a part not a number is 0; four parts


def test_rows_of_a_table_that_does_not_match_its_count_are_refused(small):
    a, b = small.a, small.b
    group(a, "第一组")
    group(a, "第二组")

    def fewer(members, manifest):
        manifest["tables"]["groups"]["count"] = 1

    with pytest.raises(PackageError, match="^交换包数据有误：议事小组的行数与清单不符$"):
        take(b, pack(a, small.folder, edit=fewer))

    def more(members, manifest):
        manifest["tables"]["groups"]["count"] = 3

    with pytest.raises(PackageError, match="^交换包数据有误：议事小组的行数与清单不符$"):
        take(b, pack(a, small.folder, edit=more))


def test_a_malformed_row_is_named_by_table_line_title_and_field(small):
    a, b = small.a, small.b
    group(a, "第一组")
    with pytest.raises(PackageError, match="^交换包数据有误：议事小组第 1 行（长{20}）的“小组名称”"
                                           "字段过长（524288 字，上限 262144 字），拒绝导入。"):
        take(b, pack(a, small.folder, edit=_replace_row("groups", "name", "长" * (1 << 18 + 1))))

    with pytest.raises(PackageError, match="^交换包数据有误：议事小组第 1 行删除标记应为 0 或 1，拒绝导入。数据未作任何改动。$"):
        take(b, pack(a, small.folder, edit=_replace_row("groups", "deleted", "yes")))
    # a field no form shows is named as the package names it
    with pytest.raises(PackageError, match="^交换包数据有误：议事小组第 1 行（长{20}）的“name”字段过长"):
        merge.read_package(pack(a, small.folder, edit=_replace_row("groups", "name", "长" * (1 << 18 + 1))))

    def garbled(members, manifest):
        members["rows/groups.ndjson"] = b"{not json\n"

    with pytest.raises(PackageError, match="^交换包数据有误：议事小组第 1 行不是有效的数据行"):
        take(b, pack(a, small.folder, edit=garbled))


def test_a_reference_to_a_row_nobody_has_is_refused_before_anything(small, monkeypatch):
    """(the rule book names it first; with it looking away, the merge's own check refuses)"""
    a, b = small.a, small.b
    a.communities.create({"name": "东城社区", "kind": "community", "group_id": group(a, "第一组")})

    def orphan(members, manifest):
        members["rows/groups.ndjson"] = b""
        manifest["tables"]["groups"]["count"] = 0

    before = digest(b)
    monkeypatch.setattr(merge, "check_rules", lambda store, package: None)
    with pytest.raises(PackageError, match="^交换包中的记录引用了本机没有的数据（例如先前的交换包尚未导入），或与本机记录冲突"
                                           "（村（社区）引用了不存在的议事小组）。请先导入此前的交换包"):
        take(b, pack(a, small.folder, edit=orphan))
    assert digest(b) == before
    assert not list((small.folder / "B" / "backups").glob("*import*"))


@pytest.mark.parametrize("stop_at", ["正在检查：议事小组", "正在合并：议事小组"])
def test_a_cancelled_import_keeps_nothing(small, stop_at):
    a, b = small.a, small.b
    group(a)
    before = digest(b)
    seen = []

    def progress(done, total, text):
        seen.append((done, total, text))
        return text != stop_at

    with pytest.raises(Cancelled, match="^已取消导入，数据未作任何改动$"):
        take(b, pack(a, small.folder), progress=progress)
    assert digest(b) == before and seen[-1][2] == stop_at
    assert all(done <= total for done, total, _ in seen)


def test_progress_counts_tables_then_rows(small):
    a, b = small.a, small.b
    group(a, "甲")
    group(a, "乙")
    seen = []
    take(b, pack(a, small.folder), progress=lambda *step: seen.append(step))
    checked = [s for s in seen if s[2].startswith("正在检查")]
    assert [s[0] for s in checked] == list(range(1, len(checked) + 1)) and {s[1] for s in checked} == {len(checked)}
    merged = [s for s in seen if s[2] == "正在合并：议事小组"]
    total = merged[0][1]
    assert merged == [(merged[0][0], total, "正在合并：议事小组")] and merged[0][0] <= total
    assert seen[-1][0] == total and total == sum(1 for _ in b.db.execute("SELECT id FROM groups")) + 47


# -- clocks far ahead --------------------------------------------------------------------------------
def test_a_package_from_a_clock_far_ahead_is_taken_and_told(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    ahead = 3 * 86_400_000 + b.clock.now_ms()
    a.db.execute("UPDATE clocks SET wall_ms = ? WHERE row_id = ?", [ahead, row])
    result = send(a, b, small.folder)
    assert result["clock_note"] == "东城办的电脑时间比本机快约 3 天，本机时钟没有随之调整。请提醒东城办核对电脑的日期和时间。"
    last = b.rows("SELECT action, summary, details FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert (last["action"], last["summary"]) == ("import", f"导入交换包：{result['clock_note']}")
    details = json.loads(last["details"])
    assert details["package_id"] == result["package_id"] and 2 * 86_400_000 < details["ahead_ms"] <= 3 * 86_400_000
    assert b.clock.tick().wall_ms < ahead
    # what B now knows of A reaches the stamps A's rows carry, past what A's own clock said
    assert b.rows("SELECT wall_ms FROM known_vector WHERE site_id = ?", [a.site_id]) == [{"wall_ms": ahead}]
    # a package within the bound moves this office's clock along
    near = b.clock.now_ms() + 3_600_000
    a.db.execute("UPDATE clocks SET wall_ms = ? WHERE row_id = ?", [near, row])
    a.groups.update(row, {"focus": "近"})
    a.db.execute("UPDATE clocks SET wall_ms = ? WHERE row_id = ?", [near, row])
    result = send(a, b, small.folder)
    assert "clock_note" not in result and b.clock.tick().wall_ms >= near
    sealed = pack(a, small.folder)  # a dry run does not
    c_before = small.c.clock._last
    take(small.c, sealed, dry_run=True)
    assert small.c.clock._last == c_before


# -- numbers both offices issued ---------------------------------------------------------------------
def test_opinion_numbers_issued_apart_are_told(small):
    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    delegate = a.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]
    send(a, b, small.folder)
    for store, title in ((a, "路灯不亮"), (b, "井盖松动")):
        store.opinions.create({"source": "grid_visit", "received_on": DAY, "delegate_id": delegate, "title": title,
                               "content": "居民反映", "residents": 3})
    serial = a.scalar("SELECT serial FROM opinions")
    assert serial == b.scalar("SELECT serial FROM opinions")
    result = send(a, b, small.folder)
    assert result["duplicate_serials"] == [{"kind": "意见建议编号", "serial": serial, "titles": ["井盖松动", "路灯不亮"]}]
    assert json.loads(b.scalar("SELECT counts FROM exchange_log WHERE direction = 'in' ORDER BY at DESC, rowid DESC LIMIT 1"))[
        "duplicate_serials"] == result["duplicate_serials"]
    again = send(a, b, small.folder)
    assert again["duplicate_serials"] == []  # nothing this merge wrote


def test_import_notes_name_shared_numbers_and_a_clock_ahead():
    assert import_notes({}) == ""
    assert import_notes({"clock_note": "快了。"}) == "快了。"
    one = [{"kind": "意见建议编号", "serial": "YJ2026-001", "titles": ["甲", "乙"]}]
    assert import_notes({"duplicate_serials": one}) == (
        "意见建议编号 YJ2026-001：《甲》、《乙》分别用于多条意见建议（两个办公室在交换前各自编了号）。数据都已保留。"
        "为免再重号，请各办公室在“设置”中填写不同的“本办公室编号代码”。")
    slip = [{"kind": "回执编号", "serial": "HZ-1", "titles": ["丙"]}]
    assert import_notes({"duplicate_serials": [one[0], *slip]}) == (
        "意见建议编号 YJ2026-001：《甲》、《乙》；回执编号 HZ-1：《丙》分别用于多条意见建议（两个办公室在交换前各自编了号）。"
        "数据都已保留。这些回执都有效，录入回执时会请您按标题选择是哪一条。"
        "为免再重号，请各办公室在“设置”中填写不同的“本办公室编号代码”。")
    assert import_notes({"duplicate_serials": slip, "clock_note": "快了。"}).startswith("快了。回执编号 HZ-1：《丙》")
    six = [{"kind": "意见建议编号", "serial": f"N{n}", "titles": ["甲"]} for n in range(6)]
    text = import_notes({"duplicate_serials": six})
    assert "N4：《甲》等 6 个编号分别用于" in text and "N5" not in text and "回执" not in text
    five = import_notes({"duplicate_serials": six[:5]})
    assert "N4：《甲》分别用于" in five and "等" not in five


# -- pieces on their own -----------------------------------------------------------------------------
def test_a_clash_has_one_id_whichever_side_names_it():
    one, two = Stamp(1, 2, "a"), Stamp(3, 4, "b")
    assert conflict_id("groups", "r", "focus", one, two) == conflict_id("groups", "r", "focus", two, one)
    assert conflict_id("groups", "r", "focus", one, None) == conflict_id("groups", "r", "focus", one)
    assert len({conflict_id("groups", "r", "focus", one, two), conflict_id("groups", "r", "notes", one, two),
                conflict_id("groups", "s", "focus", one, two), conflict_id("venues", "r", "focus", one, two),
                conflict_id("groups", "r", "focus", one, Stamp(3, 5, "b"))}) == 5
    assert conflict_id("groups", "r", "focus", one, two) == str(uuid.uuid5(
        uuid.UUID("5b0e7a52-3c1d-4f4e-9a6b-8d2c1e0f7a93"), 'groups/r/focus/[1, 2, "a"]/[3, 4, "b"]'))


def test_an_outcome_counts_per_table_and_in_all():
    outcome = merge.Outcome()
    outcome.count("groups", "added", 2)
    outcome.count("groups", "added")
    outcome.count("venues", "changed", 0)
    outcome.count("venues", "deleted")
    assert outcome.summary() == {"added": 3, "changed": 0, "deleted": 1, "revived": 0, "unchanged": 0, "conflicts": 0,
                                 "by_table": {"groups": {"added": 3}, "venues": {"deleted": 1}}, "duplicate_serials": []}


def test_an_audit_head_as_a_package_carries_it():
    good = {"seq": 3, "hash": "a" * 64, "site": "s", "at": "2026-03-02T08:00:00+00:00", "entries": 3}
    assert merge._check_head(good) and merge._check_head({"seq": 0, "hash": "0" * 64}, "site")
    for bad in ([], {**good, "seq": -1}, {**good, "seq": "3"}, {**good, "seq": True}, {**good, "hash": "A" * 64},
                {**good, "hash": "a" * 63}, {**good, "hash": None}, {**good, "site": 5}, {**good, "site": "s" * 65},
                {**good, "at": 5}, {**good, "at": "x" * 41}, {**good, "entries": "3"}):
        assert not merge._check_head(bad), bad
    assert merge._check_head({**good, "site": "s" * 64, "at": "x" * 40, "entries": None, "seq": 0})
    assert not merge._check_head({"seq": 1, "hash": "a" * 64})  # no site of its own and none given
    assert not merge._check_head({"seq": 1, "hash": "a" * 64}, "s" * 65)


def _manifest(**changes):
    manifest = {"format": "yspkg-content", "version": 1, "schema": ["m001_foundation"], "site_id": "s1",
                "sites": ["s1"], "since": {}, "covers": {"s1": [1, 0]}, "tables": {"groups": {
                    "fields": ["name", "focus", "sort_order", "notes", "deleted"], "count": 1}},
                "members": {"rows/groups.ndjson": {"size": 10, "sha256": "x"}},
                "audit_head": {"seq": 1, "hash": "a" * 64}, "audit_witnesses": [
                    {"seq": 1, "hash": "b" * 64, "site": "s2"}]}
    return {**manifest, **changes}


INFOS = {"manifest.json": SimpleNamespace(file_size=5), "rows/groups.ndjson": SimpleNamespace(file_size=10)}


@pytest.mark.parametrize("changes, infos, message", [
    ({"format": "zip"}, None, "^交换包的清单格式不对$"),
    ({"version": 2}, None, "^这个交换包的内容格式来自更新版本的议事工作台，请先升级本机的议事工作台再导入$"),
    ({"version": 0}, None, "来自更新版本"),
    ({"version": "1"}, None, "来自更新版本"),
    ({"schema": "m001_foundation"}, None, "^交换包的清单缺少数据库版本$"),
    ({"schema": [1]}, None, "^交换包的清单缺少数据库版本$"),
    ({"schema": ["m999_future"]}, None, "^这个交换包来自更新版本的议事工作台（数据结构更新），请先升级本机的议事工作台再导入$"),
    ({"site_id": "s2"}, None, "^交换包的清单与文件头不一致，拒绝导入$"),
    ({"sites": "s1"}, None, "^交换包的清单与文件头不一致，拒绝导入$"),
    ({"sites": [1]}, None, "^交换包的清单已损坏（站点列表）$"),
    ({"sites": ["s" * 65]}, None, "^交换包的清单已损坏（站点列表）$"),
    ({"since": []}, None, "^交换包的清单已损坏（版本向量）$"),
    ({"covers": {"s1": [1]}}, None, "^交换包的清单已损坏（版本向量）$"),
    ({"covers": {"s1": [1, "0"]}}, None, "^交换包的清单已损坏（版本向量）$"),
    ({"since": {"s1": "1,0"}}, None, "^交换包的清单已损坏（版本向量）$"),
    ({"audit_head": {"seq": -1, "hash": "a" * 64}}, None, "^交换包的清单已损坏（审计日志链头）$"),
    ({"audit_witnesses": {}}, None, "^交换包的清单已损坏（审计日志链头）$"),
    ({"audit_witnesses": [{"seq": 1, "hash": "b" * 64}]}, None, "^交换包的清单已损坏（审计日志链头）$"),
    ({"audit_witnesses": [{"seq": 1, "hash": "b" * 63, "site": "s2"}]}, None, "^交换包的清单已损坏（审计日志链头）$"),
    ({"audit_witnesses": [{"seq": 1, "hash": "b" * 64, "site": "s2"}] * 201}, None, "^交换包的清单已损坏（审计日志链头）$"),
    ({"tables": []}, None, "^交换包的清单已损坏$"),
    ({"members": []}, None, "^交换包的清单已损坏$"),
    ({"tables": {"nothing": {}}}, None, "^交换包中有本机不认识的数据表“nothing”，请先升级议事工作台$"),
    ({"tables": {"x" * 50: {}}}, None, "^交换包中有本机不认识的数据表“x{40}”，请先升级议事工作台$"),
    ({"tables": {"groups": []}}, None, "^交换包的清单中“groups”的字段不对$"),
    ({"tables": {"groups": {"fields": "name,deleted", "count": 1}}}, None, "^交换包的清单中“groups”的字段不对$"),
    ({"tables": {"groups": {"fields": ["name"], "count": 1}}}, None, "^交换包的清单中“groups”的字段不对$"),
    ({"tables": {"groups": {"fields": ["name", "name", "deleted"], "count": 1}}}, None, "^交换包的清单中“groups”的字段不对$"),
    ({"tables": {"groups": {"fields": ["name", "title", "deleted"], "count": 1}}}, None, "^交换包的清单中“groups”的字段不对$"),
    ({"tables": {"groups": {"fields": ["name", "deleted"], "count": "1"}}}, None, "^交换包的清单中“groups”的字段不对$"),
    (None, {"manifest.json": INFOS["manifest.json"]}, "^交换包缺少“groups”的数据$"),
    (None, {**INFOS, "rows/groups.ndjson": SimpleNamespace(file_size=11)},
     "^交换包中“rows/groups.ndjson”与清单记录不符，拒绝导入$"),
    ({"members": {"rows/groups.ndjson": {"size": 10}}}, None, "^交换包中“rows/groups.ndjson”与清单记录不符，拒绝导入$"),
    ({"members": {"rows/groups.ndjson": []}}, None, "^交换包中“rows/groups.ndjson”与清单记录不符，拒绝导入$"),
    ({"members": {"rows/groups.ndjson": {"size": 10, "sha256": "x"}, "files/" + "a" * 64: {"size": 1, "sha256": "b" * 64}}},
     {**INFOS, "files/" + "a" * 64: SimpleNamespace(file_size=1)}, "^交换包中“files/a{64}”与清单记录不符，拒绝导入$"),
    ({"members": {"rows/groups.ndjson": {"size": 10, "sha256": "x"}, "rows/venues.ndjson": {"size": 1, "sha256": "x"}}},
     {**INFOS, "rows/venues.ndjson": SimpleNamespace(file_size=1)}, "^交换包中“rows/venues.ndjson”未列入清单，拒绝导入$"),
    ({"members": {"rows/groups.ndjson": {"size": 10, "sha256": "x"}, "files/" + "a" * 64: {"size": 1, "sha256": "a" * 64}}},
     None, "^交换包缺少清单中列出的“files/a{64}”$"),
])
def test_a_manifest_is_refused_for_each_thing_wrong_with_it(changes, infos, message):
    merge._check_manifest(_manifest(), {"site_id": "s1"}, INFOS)  # the manifest as made is taken
    with pytest.raises(PackageError, match=message):
        merge._check_manifest(_manifest(**(changes or {})), {"site_id": "s1"}, infos or INFOS)


def test_a_manifest_of_what_older_versions_wrote_is_taken():
    manifest = _manifest(audit_head=None)
    del manifest["audit_witnesses"]
    merge._check_manifest(manifest, {"site_id": "s1"}, INFOS)
    merge._check_manifest(_manifest(audit_witnesses=[{"seq": 1, "hash": "b" * 64, "site": "s2"}] * 200),
                          {"site_id": "s1"}, INFOS)
    merge._check_manifest(_manifest(covers={}, since={"s1": [0, 0]}), {"site_id": "s1"}, INFOS)
    merge._check_manifest(_manifest(sites=["s1", "s" * 64]), {"site_id": "s1"}, INFOS)  # a site id of 64 is the most
    with pytest.raises(PackageError, match="审计日志链头"):  # the sender's own head names its site
        merge._check_manifest(_manifest(site_id="s" * 65, sites=[]), {"site_id": "s" * 65}, INFOS)


def test_a_package_file_missing_or_too_large(tmp_path, monkeypatch):
    with pytest.raises(PackageError, match="^找不到交换包“"):
        merge._load(tmp_path / "none.yspkg")
    path = tmp_path / "big.yspkg"
    path.write_bytes(b"x" * (3 << 20))
    monkeypatch.setattr(merge, "MAX_FILE", 2 << 20)
    with pytest.raises(PackageError, match="^交换包过大（3 MB，上限 2 MB），拒绝导入$"):
        merge._load(path)
    monkeypatch.setattr(merge, "MAX_FILE", 3 << 20)
    assert merge._load(str(path)) == path


def test_a_manifest_that_is_not_json_is_refused(small):
    a = small.a
    group(a)
    sealed = pack(a, small.folder)
    archive = zipfile.ZipFile(sealed.content)
    members = {name: archive.read(name) for name in archive.namelist()}
    archive.close()
    for bad in (b"{not json", "清单".encode("gb18030"), b"[" * 100_000):
        with zipfile.ZipFile(sealed.content, "w") as out:
            for name, data in {**members, "manifest.json": bad}.items():
                out.writestr(name, data)
        with pytest.raises(PackageError, match="^交换包的清单已损坏$"):
            merge.read_package(sealed)


# -- a package read from its zip, not kept in memory -------------------------------------------------
def test_a_package_read_again_from_its_zip_merges_the_same(small, monkeypatch):
    a, b, c = small.a, small.b, small.c
    for n in range(5):
        group(a, f"组{n}")
    kept = merge.read_package(pack(a, small.folder))
    monkeypatch.setattr(merge, "ROWS_KEPT", 3)
    streamed = merge.read_package(pack(a, small.folder))
    with kept, streamed:
        assert kept.rows["groups"].kept is not None and streamed.rows["groups"].kept is None
        want, got = kept.rows["groups"], streamed.rows["groups"]
        assert len(got) == 5 and [r[0] for r in got] == [r[0] for r in want]
        assert [r[0] for r in got[1:3]] == [r[0] for r in want[1:3]]
        assert [r[0] for r in got[3:10]] == [r[0] for r in want[3:5]]
        assert [r[0] for r in got[0:2]] == [r[0] for r in want[0:2]]  # behind the last: starts over
        assert got[-1][0] == want[-1][0] and got[0][0] == want[0][0] and got[4][0] == want[4][0]
        assert [r[0] for r in got[::2]] == [r[0] for r in want[::2]]
        assert got[3:1] == []
        with pytest.raises(IndexError, match="^5$"):
            got[5]
        with pytest.raises(IndexError):
            got[-6]
        assert kept.max_stamp() == streamed.max_stamp() != ZERO
        assert kept.package_id == kept.header["package_id"]
    # walked in order, slice after slice, a table is read from its zip once
    reads = []
    real = merge.Table.batches
    monkeypatch.setattr(merge.Table, "batches", lambda self: (reads.append(1), (yield from real(self)))[1])
    with merge.read_package(pack(a, small.folder)) as streamed:
        reads.clear()
        got = streamed.rows["groups"]
        assert [r[0] for part in (got[0:2], got[2:4], got[4:6]) for r in part] == [r[0] for r in want]
        assert len(reads) == 1
    monkeypatch.setattr(merge, "ROWS_KEPT", 10_000)
    send(a, b, small.folder)
    monkeypatch.setattr(merge, "ROWS_KEPT", 3)
    send(a, c, small.folder)
    assert groups_of(b) == groups_of(c) == groups_of(a)
    assert all(stamps_of(b, "groups", g["id"]) == stamps_of(c, "groups", g["id"]) for g in groups_of(a))


def test_rows_read_again_are_checked_again(small, monkeypatch):
    a = small.a
    group(a, "第一组")
    monkeypatch.setattr(merge, "ROWS_KEPT", 0)
    with merge.read_package(pack(a, small.folder)) as package:
        table = package.rows["groups"]
        table.listed = {**table.listed, "sha256": "0" * 64}
        with pytest.raises(PackageError, match="^交换包中“rows/groups.ndjson”与清单记录不符，拒绝导入$"):
            list(table)


# -- attachments -------------------------------------------------------------------------------------
def test_an_attachment_arrives_with_its_record_and_a_damaged_one_is_refused(small, tmp_path, monkeypatch):
    from app.storage import attachments

    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    delegate = {"id": a.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]}
    opinion = a.opinions.create({"source": "grid_visit", "received_on": DAY, "delegate_id": delegate["id"],
                                 "title": "路灯", "content": "不亮", "residents": 1}).created("opinions")[0]
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8 a photo " * 100)
    a.opinions.add_file(opinion, photo)
    row = a.rows("SELECT * FROM opinion_files")[0]
    sealed = pack(a, small.folder)
    take(b, sealed)
    assert attachments.stored_path(b, row).read_bytes() == photo.read_bytes()
    # a file already in place is not written again
    take(b, pack(a, small.folder))
    assert attachments.stored_path(b, row).read_bytes() == photo.read_bytes()

    def damaged(members, manifest):
        members[f"files/{row['sha256']}"] = b"something else"

    before = digest(small.c)
    with pytest.raises(PackageError, match="^交换包中的附件与其校验值不符，拒绝导入$"):
        take(small.c, pack(a, small.folder, edit=damaged))
    # a file that changes between its check and its copy (a failing stick) refuses the whole package
    real, reads = merge.member_blocks, []

    def flaky(archive, info):
        reads.append(info.filename)
        if len(reads) > 1:
            yield b"changed meanwhile"
            return
        yield from real(archive, info)

    monkeypatch.setattr(merge, "member_blocks", flaky)
    with pytest.raises(PackageError, match="^交换包中的附件在导入时与其校验值不符，拒绝导入。数据未作任何改动。$"):
        take(small.c, pack(a, small.folder))
    assert digest(small.c) == before and not attachments.stored_path(small.c, row).exists()
    assert not list((small.folder / "C" / "backups").glob("*import*"))  # the backup made first goes too


def test_field_labels_name_the_fields_the_forms_show(small):
    labels = merge._field_labels(small.a)
    assert labels[("groups", "name")] == "小组名称" and labels[("delegates", "phone")]


# -- more of what an import keeps --------------------------------------------------------------------
def test_slip_numbers_issued_apart_are_told_and_only_live_opinions_count(small):
    from app.storage.changes import Changes, RowChange

    a = small.a
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-b"))
    fields = {"source": "grid_visit", "received_on": DAY, "status": "closed", "deleted": 0}
    with a.write("import", "导入") as tx:
        tx.insert_remote_many("opinions", [
            ("o1", {**fields, "title": "甲", "serial": "S1", "feedback_serial": "H1"}, stamp),
            ("o2", {**fields, "title": "乙", "serial": "S2", "feedback_serial": "H1"}, stamp),
            ("o3", {**fields, "title": "丙", "serial": "S2", "feedback_serial": None}, stamp),
            ("o4", {**fields, "title": "丁", "serial": "S1", "feedback_serial": "H1", "deleted": 1}, stamp)])
    written = Changes([RowChange("opinions", "o1", "insert", {}, {}), RowChange("groups", "o2", "insert", {}, {}),
                       RowChange("opinions", "o1", "update", {}, {})])
    assert merge._shared_numbers(a, written) == [{"kind": "回执编号", "serial": "H1", "titles": ["乙", "甲"]}]
    written = Changes([RowChange("opinions", "o3", "insert", {}, {}), RowChange("opinions", "o2", "insert", {}, {})])
    assert merge._shared_numbers(a, written) == [{"kind": "意见建议编号", "serial": "S2", "titles": ["丙", "乙"]},
                                                 {"kind": "回执编号", "serial": "H1", "titles": ["乙", "甲"]}]
    # a merge that wrote more opinions than one look-up asks about: the first ones count too
    with a.write("import", "导入") as tx:
        tx.insert_remote_many("opinions", [(f"n{n:04}", {**fields, "title": f"新{n}", "serial": f"N{n}",
                                                         "feedback_serial": None}, stamp) for n in range(600)])
    written = Changes([RowChange("opinions", "o3", "insert", {}, {})]
                      + [RowChange("opinions", f"n{n:04}", "insert", {}, {}) for n in range(600)])
    assert merge._shared_numbers(a, written) == [{"kind": "意见建议编号", "serial": "S2", "titles": ["丙", "乙"]}]


def test_a_clash_displacing_this_unnamed_office_or_one_never_met(small):
    a, b, c = small.a, small.b, small.c
    row = group(a, "第一组")
    send(a, b, small.folder)
    send(a, c, small.folder)
    b.settings.update({"site_name": ""})
    a.groups.update(row, {"focus": "A 的"})
    b.groups.update(row, {"focus": "B 的"})
    b.groups.update(row, {"notes": "B 的"})
    c.groups.update(row, {"notes": "C 的"})  # later
    send(a, b, small.folder)
    assert b.scalar("SELECT lost_site FROM conflicts WHERE field = 'focus'") == "东城办"
    send(c, b, small.folder)
    assert b.scalar("SELECT lost_site FROM conflicts WHERE field = 'notes'") == "本办公室"
    # A holds B's edit; the offices it has met forgotten, C's later value displaces it
    c.groups.update(row, {"focus": "C 的"})
    b.groups.update(row, {"notes": "B 再改"})
    send(b, a, small.folder)
    a.db.execute("DELETE FROM exchange_peers")
    c.groups.update(row, {"notes": "C 再改"})
    result = send(c, a, small.folder)
    lost = {e["lost_value"]: e["lost_site"] for e in result["conflict_list"]}
    assert lost["B 再改"] == f"其他办公室（{b.site_id[:8]}）"


def test_what_an_import_records_of_the_package_and_the_heads_it_passes_on(small):
    a, b, c = small.a, small.b, small.c
    group(a, "第一组")
    sealed = pack(a, small.folder)
    result = take(b, sealed)
    log = b.rows("SELECT * FROM exchange_log WHERE direction = 'in'")[0]
    assert (log["content_sha256"], log["file_name"], log["direction"]) == (sealed.content_sha256, None, "in")
    assert log["at"][:2] == "20" and log["at"].endswith("+00:00")
    assert b.scalar("SELECT last_import_at FROM exchange_peers") == log["at"]
    assert json.loads(log["counts"])["added"] == result["added"] and "by_table" not in json.loads(log["counts"])
    send(b, c, small.folder)
    sites = {w["site"] for w in c.audit.witnesses()}
    assert {a.site_id, b.site_id} <= sites  # B's own head, and the head of A it had seen


def test_a_full_disk_while_importing_is_told_to_the_clerk(small, monkeypatch):
    import errno

    from app.common.errors import EnvironmentFailure

    a, b = small.a, small.b
    group(a)
    path = export_package(a, small.folder, "口令", scrypt_n=1 << 14)["path"]

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(merge, "unseal", full)
    with pytest.raises(EnvironmentFailure, match="磁盘"):
        import_package(b, path, "口令")


def test_a_package_exactly_as_large_as_those_kept_in_memory_is_kept(small, monkeypatch):
    a = small.a
    group(a)
    sealed = pack(a, small.folder)
    with merge.read_package(sealed) as package:
        total = sum(len(t) for t in package.rows.values())
    monkeypatch.setattr(merge, "ROWS_KEPT", total)
    with merge.read_package(sealed) as package:
        assert all(t.kept is not None for t in package.rows.values())
    monkeypatch.setattr(merge, "ROWS_KEPT", total - 1)
    with merge.read_package(sealed) as package:
        assert all(t.kept is None for t in package.rows.values())


def test_cancelling_while_attachments_are_checked_keeps_nothing(small, tmp_path):
    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    delegate = a.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]
    opinion = a.opinions.create({"source": "grid_visit", "received_on": DAY, "delegate_id": delegate,
                                 "title": "路灯", "content": "不亮", "residents": 1}).created("opinions")[0]
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    a.opinions.add_file(opinion, photo)
    before, seen = digest(b), []

    def progress(done, total, text):
        seen.append((done, total, text))
        return text != "正在检查：附件"

    with pytest.raises(Cancelled, match="^已取消导入，数据未作任何改动$"):
        take(b, pack(a, small.folder), progress=progress)
    assert digest(b) == before and seen[-1] == (1, 1, "正在检查：附件")


def test_what_an_office_knows_of_a_third_never_goes_back(small):
    a, b, c = small.a, small.b, small.c
    row = group(c, "丙组")
    send(c, a, small.folder)  # A learns C's early state
    c.groups.update(row, {"focus": "后来"})
    send(c, b, small.folder)  # B learns C's later state
    known = b.rows("SELECT wall_ms, counter FROM known_vector WHERE site_id = ?", [c.site_id])
    send(a, b, small.folder)  # A's package says less of C than B knows
    assert b.rows("SELECT wall_ms, counter FROM known_vector WHERE site_id = ?", [c.site_id]) == known
    # and what the sender knows of others comes along (the other way round)
    small.c.groups.update(row, {"notes": "再后来"})
    send(c, a, small.folder)
    send(a, b, small.folder)
    vector = {r["site_id"]: [r["wall_ms"], r["counter"]] for r in b.rows("SELECT * FROM known_vector")}
    from app.exchange.export import knowledge

    sent = knowledge(a)
    assert vector[c.site_id] == sent[c.site_id] and vector[a.site_id] == sent[a.site_id]


def test_a_package_without_rows_adds_no_office_to_what_is_known(small):
    a, b = small.a, small.b

    def nothing(members, manifest):
        for name in [n for n in members if n.startswith("rows/")]:
            del members[name]
            del manifest["members"][name]
        manifest["tables"] = {}

    result = take(b, pack(a, small.folder, edit=nothing))
    assert result["added"] == 0
    assert {r["site_id"] for r in b.rows("SELECT site_id FROM known_vector")} == {a.site_id}


def test_an_import_reports_its_progress_from_decrypting_to_merging(small):
    a, b = small.a, small.b
    group(a)
    path = export_package(a, small.folder, "口令", scrypt_n=1 << 14)["path"]
    seen = []
    import_package(b, path, "口令", progress=lambda done, total, text: seen.append(text))
    assert seen[0] == "正在解密交换包" and "正在检查：议事小组" in seen and "正在合并：议事小组" in seen


def test_attachments_of_each_kind_are_written_where_their_records_say(small):
    from app.storage import attachments

    store = small.a
    data = {name: f"{name} 的内容".encode() for name in ("materials", "opinion_files", "survey_photos", "missing")}
    sha = {name: hashlib.sha256(content).hexdigest() for name, content in data.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in ("materials", "opinion_files", "survey_photos"):
            out.writestr(f"files/{sha[name]}", data[name])
    archive = zipfile.ZipFile(buffer)
    files = {sha[name]: archive.getinfo(f"files/{sha[name]}") for name in ("materials", "opinion_files", "survey_photos")}
    record = {name: {"sha256": sha[name], "file_name": f"{name}.pdf"} for name in data}
    rows = {"materials": [("m0", {"sha256": None, "file_name": "x"}, None), ("m1", record["materials"], None)],
            "opinion_files": [("f0", record["missing"], None), ("f1", record["opinion_files"], None)],
            "survey_photos": [("p1", record["survey_photos"], None)], "groups": [("g", record["missing"], None)]}
    merge._write_files(store, SimpleNamespace(rows=rows, files=files, archive=archive))
    for name in ("materials", "opinion_files", "survey_photos"):
        assert attachments.stored_path(store, record[name]).read_bytes() == data[name]
    assert not attachments.stored_path(store, record["missing"]).exists()


def test_the_heads_a_package_carries_are_kept_with_where_they_came_from(small):
    a, b, c = small.a, small.b, small.c
    group(a)
    send(a, b, small.folder)
    send(b, c, small.folder)
    source = {w["site"]: w["source"] for w in c.audit.witnesses()}
    assert source[b.site_id] == {"kind": "package", "office": "西城办", "at": "2026-03-02T08:00:00+00:00"}
    assert source[a.site_id] == source[b.site_id]  # A's head, as B had seen it, came in B's package
    assert {w["site"]: w["seq"] for w in c.audit.witnesses()}[a.site_id] == a.audit.head()["seq"]


def test_a_package_from_before_the_witnesses_is_taken(small):
    """An older version's package: a head without its site (the sender's), no heads of others."""
    a, b = small.a, small.b
    group(a)

    def older(members, manifest):
        del manifest["audit_head"]["site"]
        del manifest["audit_witnesses"]

    take(b, pack(a, small.folder, edit=older))
    assert [w["site"] for w in b.audit.witnesses() if w["site"] != b.site_id] == [a.site_id]


def test_the_office_that_deleted_hears_of_the_later_edit_first(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.delete(row)
    b.groups.update(row, {"notes": "B 在删除之后补充"})
    delete_stamp, edit_stamp = stamps_of(a, "groups", row)["deleted"], stamps_of(b, "groups", row)["notes"]
    result = send(b, a, small.folder)
    assert a.groups.get(row)["notes"] == "B 在删除之后补充" and result["revived"] == 1
    logged = a.rows("SELECT id, kind, kept_value, lost_value, kept_stamp, lost_stamp, lost_site FROM conflicts")
    assert logged == [{"id": conflict_id("groups", row, "deleted", edit_stamp, delete_stamp), "kind": "delete_vs_edit",
                       "kept_value": "保留（删除之后又有修改）", "lost_value": "已删除",
                       "kept_stamp": json.dumps(list(edit_stamp)), "lost_stamp": json.dumps(list(delete_stamp)),
                       "lost_site": "东城办"}]
    send(a, b, small.folder)
    assert synced(a) == synced(b) and b.scalar("SELECT count(*) FROM conflicts") == 1


@pytest.mark.parametrize("later", ["A", "B"])
def test_a_tombstone_made_at_one_office_and_undone_at_the_other_is_no_clash(small, later):
    """Only the delete's own clock decides: the later of the two stands, nothing is logged."""
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)

    def undo_at_b():
        b.groups.delete(row)
        b.groups.restore(row)

    steps = [lambda: a.groups.delete(row), undo_at_b]
    for step in steps if later == "B" else reversed(steps):
        step()
    send(a, b, small.folder)
    send(b, a, small.folder)
    assert not conflicts_of(a) and not conflicts_of(b)
    assert a.groups.get(row, include_deleted=True)["deleted"] == b.groups.get(row, include_deleted=True)["deleted"] == (
        0 if later == "B" else 1)


def test_the_conflict_log_resolved_differently_at_two_offices_is_not_a_clash_itself(small):
    from app.exchange.conflicts import resolve

    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    a.groups.update(row, {"focus": "A 的重点"})
    b.groups.update(row, {"focus": "B 的重点"})
    send(a, b, small.folder)
    send(b, a, small.folder)
    entry = a.scalar("SELECT id FROM conflicts")
    resolve(a, entry, use_other=False)
    resolve(b, entry, use_other=True)
    send(a, b, small.folder)
    send(b, a, small.folder)
    assert a.scalar("SELECT count(*) FROM conflicts") == b.scalar("SELECT count(*) FROM conflicts") == 1
    assert a.scalar("SELECT resolution FROM conflicts") == b.scalar("SELECT resolution FROM conflicts")


def test_a_large_table_merges_in_batches_of_2000(small):
    a, b = small.a, small.b
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-x"))
    with a.write("import", "导入") as tx:
        tx.insert_remote_many("groups", [(str(uuid.uuid4()), {"name": f"组{n}", "deleted": 0}, stamp) for n in range(2001)])
    seen = []
    result = take(b, pack(a, small.folder), progress=lambda done, total, text: seen.append((done, text)))
    steps = [done for done, text in seen if text == "正在合并：议事小组"]
    assert len(steps) == 2 and steps[1] - steps[0] == 1 and b.scalar("SELECT count(*) FROM groups") == 2001
    assert result["by_table"]["groups"] == {"added": 2001}


def test_the_same_value_set_at_both_offices_is_unchanged_and_no_clash(small):
    a, b = small.a, small.b
    row = group(a, "第一组")
    send(a, b, small.folder)
    b.groups.update(row, {"focus": "同一个重点"})
    a.groups.update(row, {"focus": "同一个重点"})  # later: its stamp is kept, the value is the same
    result = send(a, b, small.folder)
    assert result["by_table"]["groups"] == {"unchanged": 1} and result["conflicts"] == 0
    assert stamps_of(b, "groups", row)["focus"] == stamps_of(a, "groups", row)["focus"]


def test_new_rows_alongside_known_ones_are_logged_once_each(small):
    a, b = small.a, small.b
    first = group(a, "第一组")
    send(a, b, small.folder)
    second = group(a, "第二组")
    result = send(a, b, small.folder)
    assert result["by_table"]["groups"] == {"added": 1, "unchanged": 1}
    logged = [(d["kind"], d["id"]) for d in json.loads(
        b.scalar("SELECT details FROM audit WHERE action = 'import' ORDER BY seq DESC LIMIT 1")) if d["table"] == "groups"]
    assert logged == [("insert", second)] and first


def test_a_known_row_after_2000_new_ones_is_merged_too(small):
    a, b = small.a, small.b
    last = "ffffffff-ffff-4fff-8fff-ffffffffffff"  # merged in the table's second batch of 2000
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-x"))
    with a.write("import", "导入") as tx:
        tx.insert_remote_many("groups", [(last, {"name": "最后一组", "deleted": 0}, stamp)])
    send(a, b, small.folder)
    a.groups.update(last, {"focus": "改了"})
    with a.write("import", "导入") as tx:
        tx.insert_remote_many("groups", [(f"{n:08x}-0000-4000-8000-000000000000", {"name": f"组{n}", "deleted": 0}, stamp)
                                         for n in range(2000)])
    result = send(a, b, small.folder)
    assert result["by_table"]["groups"] == {"added": 2000, "changed": 1}
    assert b.groups.get(last)["focus"] == "改了"


def test_a_rule_across_fields_is_named_without_a_field(small):
    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    a.grids.create({"community_id": community, "number": 1, "name": "第一网格"})
    with pytest.raises(PackageError, match="^交换包数据有误：网格第 1 行（第一网格）填写了网格员电话，却没有网格员姓名，"
                                           "拒绝导入。数据未作任何改动。$"):
        take(b, pack(a, small.folder, edit=_replace_row("grids", "worker_phone", "13812345678")))


def test_append_only_records_past_the_first_2000_are_unioned_too(small):
    a, b = small.a, small.b
    community = a.communities.create({"name": "东城社区", "kind": "community"}).created("communities")[0]
    delegate = a.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-x"))
    event = {"delegate_id": delegate, "day": DAY, "kind": "resigned", "detail": "{}", "actor": "工作人员", "deleted": 0}
    with a.write("import", "导入") as tx:
        tx.insert_remote_many("delegate_events", [("00000000-0000-4000-8000-000000000000", event, stamp)])
    send(a, b, small.folder)
    with a.write("import", "导入") as tx:  # after the known one in the package's order: a second batch
        tx.insert_remote_many("delegate_events", [(f"{n + 1:08x}-0000-4000-8000-000000000000", event, stamp)
                                                  for n in range(2000)])
    result = send(a, b, small.folder)
    assert result["by_table"]["delegate_events"] == {"added": 2000, "unchanged": 1}
    assert b.scalar("SELECT count(*) FROM delegate_events") == 2001
