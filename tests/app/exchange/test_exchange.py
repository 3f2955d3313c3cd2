"""USB exchange between offices: full and delta packages, conflicts, deletes, relays."""

import json

import pytest

from app.exchange.export import export_package
from app.exchange.merge import import_notes, import_package
from tests.app.exchange.conftest import FAST, edit_apart_then_exchange, send, synced_digest


def test_demo_to_an_empty_office_and_again(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    result = send(a, b, stick)
    assert result["added"] > 4000 and result["conflicts"] == 0
    assert b.stats.summary() == a.stats.summary()
    from app.storage.check import run_checks

    assert run_checks(b)["ok"]
    before = synced_digest(b)
    again = send(a, b, stick)  # a new package with nothing new
    assert (again["added"], again["changed"], again["deleted"], again["conflicts"]) == (0, 0, 0, 0)
    assert synced_digest(b) == before
    # The very same package file again: recognised, nothing touched.
    package = export_package(a, stick, "同一个口令", scrypt_n=FAST)
    import_package(b, package["path"], "同一个口令")
    before = synced_digest(b)
    assert import_package(b, package["path"], "同一个口令")["already"]
    assert synced_digest(b) == before
    # Search keys and the full-text index came along (derived, not shipped).
    assert b.opinions.page(__import__("app.services.opinions", fromlist=["x"]).OpinionFilter(search="公交"))


def test_concurrent_edits_end_equal_with_the_other_value_logged(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    community = a.communities.list()[0]
    edit_apart_then_exchange(a, b, stick, lambda: a.communities.update(community["id"], {"notes": "A 的说明"}),
                             lambda: b.communities.update(community["id"], {"notes": "B 的说明"}))
    assert a.communities.get(community["id"])["notes"] == b.communities.get(community["id"])["notes"] == "B 的说明"
    for store, lost in ((a, "A 的说明"), (b, "A 的说明")):
        logged = store.rows("SELECT * FROM conflicts WHERE row_id = ?", [community["id"]])
        assert [(c["field"], c["kept_value"], c["lost_value"]) for c in logged] == [("notes", "B 的说明", lost)]
    assert synced_digest(a) == synced_digest(b)


def test_a_later_edit_on_the_other_side_is_not_a_conflict(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    group = a.groups.list()[0]
    a.groups.update(group["id"], {"focus": "第一次"})
    send(a, b, stick)
    b.groups.update(group["id"], {"focus": "B 看过之后再改"})
    send(b, a, stick)
    assert a.groups.get(group["id"])["focus"] == "B 看过之后再改"
    assert not a.rows("SELECT * FROM conflicts") and not b.rows("SELECT * FROM conflicts")


def test_delete_versus_a_later_edit_revives_and_is_logged(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    venue = [v for v in a.venues.list() if v["level"] == "neighbourhood_hall"][0]
    edit_apart_then_exchange(a, b, stick, lambda: a.venues.delete(venue["id"]),
                             lambda: b.venues.update(venue["id"], {"notes": "B 在删除之后补充"}))
    for store in (a, b):
        assert store.venues.get(venue["id"])["notes"] == "B 在删除之后补充"  # alive again
        kinds = [c["kind"] for c in store.rows("SELECT * FROM conflicts WHERE row_id = ?", [venue["id"]])]
        assert "delete_vs_edit" in kinds
    assert synced_digest(a) == synced_digest(b)


def test_a_delete_after_the_edit_wins(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    venue = [v for v in a.venues.list() if v["level"] == "neighbourhood_hall"][1]
    edit_apart_then_exchange(a, b, stick, lambda: b.venues.update(venue["id"], {"notes": "B 先改"}),
                             lambda: a.venues.delete(venue["id"]))
    for store in (a, b):
        row = store.rows("SELECT deleted, notes FROM venues WHERE id = ?", [venue["id"]])[0]
        assert row == {"deleted": 1, "notes": "B 先改"}  # hidden, nothing lost: restorable with B's notes
    assert synced_digest(a) == synced_digest(b)


def test_delta_since_the_last_package_for_an_office(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    first = export_package(a, stick, "口令", scrypt_n=FAST, office="新城三组")
    assert first["kind"] == "full"
    import_package(b, first["path"], "口令")
    a.groups.update(a.groups.list()[0]["id"], {"focus": "新的重点"})
    delta = export_package(a, stick, "口令", scrypt_n=FAST, office="新城三组", since_last=True)
    assert delta["kind"] == "delta" and delta["counts"] == {"groups": 1}
    result = import_package(b, delta["path"], "口令")
    assert result["changed"] == 1
    assert b.groups.list()[0]["focus"] == "新的重点"
    assert a.stats.summary() == b.stats.summary()


def test_append_only_records_are_unioned_and_a_relay_works(offices):
    (stores, stick) = offices
    a, b, c = stores["A"], stores["B"], stores["C"]
    send(a, b, stick)
    opinion = a.rows("SELECT id FROM opinions WHERE status = 'assigned' LIMIT 1")[0]["id"]
    a.opinions.supervise(opinion, "2026-11-20", "电话", "A 的督办", "推进中")
    b.opinions.supervise(opinion, "2026-11-21", "实地", "B 的督办", "推进中")
    send(a, b, stick)
    send(b, c, stick)  # B relays A's data and its own to C
    send(c, a, stick)
    for store in (a, b, c):
        contents = {r["content"] for r in store.rows("SELECT content FROM supervisions WHERE opinion_id = ?",
                                                     [opinion])}
        assert {"A 的督办"} <= contents
    assert {"A 的督办", "B 的督办"} <= {r["content"] for r in c.rows(
        "SELECT content FROM supervisions WHERE opinion_id = ?", [opinion])}
    assert synced_digest(a) == synced_digest(c)


def test_exchange_is_recorded(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    peers = b.rows("SELECT * FROM exchange_peers")
    assert [p["name"] for p in peers] == ["中山路街道人大工委"] and peers[0]["site_id"] == a.site_id
    log = b.rows("SELECT * FROM exchange_log WHERE direction = 'in'")
    assert json.loads(log[0]["counts"])["added"] > 4000
    assert "导入交换包：来自中山路街道人大工委（新增" in b.scalar("SELECT summary FROM audit WHERE action = 'import'")
    assert "导出交换包（全量" in a.scalar("SELECT summary FROM audit WHERE action = 'export'")


def test_the_clerk_may_switch_to_the_other_value_and_it_travels(offices):
    from app.exchange.conflicts import list_conflicts, resolve

    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    group = a.groups.list()[1]
    edit_apart_then_exchange(a, b, stick, lambda: a.groups.update(group["id"], {"focus": "A 的重点"}),
                             lambda: b.groups.update(group["id"], {"focus": "B 的重点"}))
    [conflict] = list_conflicts(a)
    assert (conflict["kept_value"], conflict["lost_value"], conflict["record"]) == ("B 的重点", "A 的重点", group["name"])
    resolve(a, conflict["id"], use_other=True)
    assert a.groups.get(group["id"])["focus"] == "A 的重点"
    assert list_conflicts(a) == [] and "改用另一值" in list_conflicts(a, open_only=False)[0]["resolution"]
    send(a, b, stick)
    assert b.groups.get(group["id"])["focus"] == "A 的重点" and list_conflicts(b) == []


def test_rows_stamped_field_by_field_travel_and_merge_like_the_rest(offices):
    """Before rows had one stamp of their own, every field had its own entry: such rows (a store
    kept from then) export, merge and converge the same way."""
    from app.common.clock import ROW_FIELD
    from app.exchange.rows import table_fields
    from app.storage.writepath import stored_stamps

    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    group = a.groups.list()[0]
    a.groups.update(group["id"], {"focus": "先改一次"})
    row_stamps = stored_stamps(a.db, "groups", [group["id"]])[group["id"]]
    with a.db.atomic():
        a.db.execute("DELETE FROM clocks WHERE tbl = 'groups' AND row_id = ?", [group["id"]])
        a.db.conn.executemany("INSERT INTO clocks VALUES ('groups', ?, ?, ?, ?, ?)",
                              [(group["id"], name, *st) for name, st in row_stamps.expand(table_fields("groups")).items()])
    assert not a.scalar("SELECT count(*) FROM clocks WHERE row_id = ? AND field = ?", [group["id"], ROW_FIELD])
    send(a, b, stick)
    assert b.groups.get(group["id"])["focus"] == "先改一次"
    assert stored_stamps(b.db, "groups", [group["id"]])[group["id"]].expand(table_fields("groups")) == \
        row_stamps.expand(table_fields("groups"))
    b.groups.update(group["id"], {"name": "B 改的名字"})
    send(b, a, stick)
    assert a.groups.get(group["id"])["name"] == "B 改的名字" and a.groups.get(group["id"])["focus"] == "先改一次"
    assert synced_digest(a) == synced_digest(b)
    assert not a.rows("SELECT * FROM conflicts")


def test_text_with_unusual_line_breaks_travels(offices):
    # U+2028, U+0085 and form feeds may come in with pasted text; JSON leaves them unescaped.
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    community = a.communities.list()[0]
    notes = "第一行\u2028第二行\x85第三行\x0c第四行\r第五行"
    a.communities.update(community["id"], {"notes": notes})
    send(a, b, stick)
    assert b.communities.get(community["id"])["notes"] == notes


def test_two_offices_issuing_the_same_slip_number_do_not_block_the_exchange(offices):
    """Each office numbers feedback slips on its own, so two may print the same number between
    exchanges. The slips are already with residents: both keep the number, the import says so,
    and keying the slip back in asks which opinion it is."""
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    first, second = [r["id"] for r in a.rows("SELECT id FROM opinions WHERE status = 'assigned' AND deleted = 0"
                                            " ORDER BY id LIMIT 2")]
    a.opinions.answer(first, "已在 A 办结")
    b.opinions.answer(second, "已在 B 办结")
    serial = a.opinions.get(first)["feedback_serial"]
    assert b.opinions.get(second)["feedback_serial"] == serial
    result = send(a, b, stick)
    assert result["duplicate_serials"] == [{"kind": "回执编号", "serial": serial, "titles": sorted(
        [a.opinions.get(first)["title"], b.opinions.get(second)["title"]])}]
    assert "录入回执时会请您按标题选择" in import_notes(result)
    assert send(b, a, stick)["duplicate_serials"]
    for store in (a, b):
        found = store.opinions.by_feedback_serial(serial)
        assert sorted(o["id"] for o in found) == sorted([first, second])
    assert synced_digest(a) == synced_digest(b)


def test_offices_logging_opinions_apart_are_told_of_shared_numbers_and_codes_keep_them_apart(offices):
    (stores, stick) = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    opinion = {"source": "phone", "received_on": "2026-11-20", "content": "路灯不亮"}
    a.opinions.create({**opinion, "title": "A 登记的意见"})
    b.opinions.create({**opinion, "title": "B 登记的意见"})
    result = send(a, b, stick)
    [shared] = result["duplicate_serials"]
    assert shared["kind"] == "意见建议编号" and shared["titles"] == ["A 登记的意见", "B 登记的意见"]
    assert "本办公室编号代码" in import_notes(result)
    a.settings.update({"serial_code": "cz"})
    b.settings.update({"serial_code": "XC"})
    a.opinions.create({**opinion, "title": "A 又登记一条"})
    b.opinions.create({**opinion, "title": "B 又登记一条"})
    assert send(a, b, stick)["duplicate_serials"] == []
    serials = {r["title"]: r["serial"] for r in b.rows("SELECT title, serial FROM opinions WHERE title LIKE '%又登记%'")}
    assert serials == {"A 又登记一条": "YJ2026-CZ-0001", "B 又登记一条": "YJ2026-XC-0001"}


def test_an_undo_never_overwrites_what_a_package_brought(offices):
    """Office A edits a group's focus; B, having A's data, edits the same field later and sends it;
    A's Ctrl+Z of its own edit is refused with the reason, and B's value stays."""

    from app.common.errors import ConflictError

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    group_id = a.groups.list()[0]["id"]
    mine = a.groups.update(group_id, {"focus": "A 办公室的修改"})
    b.groups.update(group_id, {"focus": "B 办公室后来的修改"})
    send(b, a, stick)
    assert a.groups.get(group_id)["focus"] == "B 办公室后来的修改"
    with pytest.raises(ConflictError, match="不能撤销"):
        a.undo(mine, "修改议事小组")
    assert a.groups.get(group_id)["focus"] == "B 办公室后来的修改"
    # an edit nobody touched since still undoes
    other = a.groups.list()[1]["id"]
    again = a.groups.update(other, {"focus": "试试撤销"})
    a.undo(again, "修改议事小组")
    assert a.groups.get(other)["focus"] != "试试撤销"


def test_an_attachment_with_a_long_odd_name_arrives_with_its_record(offices, tmp_path):
    """61 Chinese characters after the last dot (or a NUL) made the file unwritable after the
    rows were committed, and the package then answered "已导入过": the file was lost for good."""
    from app.services.opinions import OpinionFilter
    from app.storage import attachments

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    opinion = a.opinions.page(OpinionFilter(), 0, 1)[0]
    source = tmp_path / ("现场照片." + "胜" * 61)
    source.write_bytes("一张照片的内容".encode() * 100)
    a.opinions.add_file(opinion["id"], source)
    result = send(a, b, stick)
    assert result["added"] >= 1
    row = b.rows("SELECT * FROM opinion_files WHERE opinion_id = ?", [opinion["id"]])[0]
    assert row["file_name"] == source.name  # the original name kept as data, any length
    assert attachments.intact(b, row)  # and the file itself in place


def test_deltas_out_of_order_never_lose_a_concurrent_edit(offices):
    """A and B edit the same field; B sends P1, then P2 (--since-last A); A finds P2 first (P1
    left in a drawer). P2 is refused, naming what to do; with P1 in, the clash is logged, and P2
    then merges. Before, A's value vanished on both offices with nothing in the conflict log."""
    from app.exchange.package import PackageError

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    group_id = a.groups.list()[0]["id"]
    a.groups.update(group_id, {"focus": "A 的修改"})
    b.groups.update(group_id, {"focus": "B 的修改"})
    (stick / "p1").mkdir()
    (stick / "p2").mkdir()
    p1 = export_package(b, stick / "p1", "同一个口令", scrypt_n=FAST, office="A")["path"]
    b.groups.update(b.groups.list()[1]["id"], {"focus": "B 的第二次修改"})
    p2 = export_package(b, stick / "p2", "同一个口令", scrypt_n=FAST, office="A", since_last=True)["path"]
    with pytest.raises(PackageError, match="请先导入之前的交换包"):
        import_package(a, p2, "同一个口令")
    first = import_package(a, p1, "同一个口令")
    assert first["conflicts"] == 1  # the clash between A's and B's edits is on record
    second = import_package(a, p2, "同一个口令")
    assert second["changed"] >= 1
    logged = a.rows("SELECT kept_value, lost_value FROM conflicts WHERE row_id = ? AND field = 'focus'", [group_id])
    assert logged and {logged[0]["kept_value"], logged[0]["lost_value"]} == {"A 的修改", "B 的修改"}


def test_the_conflict_log_names_the_displaced_office_and_never_logs_itself(offices):
    stores, stick = offices
    a, b, c = stores["A"], stores["B"], stores["C"]
    b.settings.update({"site_name": "新城三组办公室"})
    c.settings.update({"site_name": "区人大常委会"})
    send(a, b, stick)
    send(a, c, stick)
    group_id = a.groups.list()[0]["id"]
    a.groups.update(group_id, {"focus": "A 的修改"})
    b.groups.update(group_id, {"focus": "B 的修改"})
    # both A and B come to notice the same clash, and C hears of it through both
    send(b, a, stick)
    send(a, b, stick)
    send(a, c, stick)
    send(b, c, stick)
    send(c, a, stick)
    send(c, b, stick)
    for store in (a, b, c):
        rows = store.rows("SELECT tbl, lost_value, lost_site FROM conflicts")
        assert [r for r in rows if r["tbl"] == "conflicts"] == []  # no entry about the log itself
        clash = [r for r in rows if r["tbl"] == "groups"]
        assert len(clash) == 1  # logged once, under one id, everywhere
        assert clash[0]["lost_value"] == "A 的修改" and clash[0]["lost_site"] == a.settings.get("site_name")


def test_a_delete_against_an_edit_is_logged_once_under_one_id(offices):
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    group = a.groups.create({"name": "将被删除的小组"}).created("groups")[0]
    send(a, b, stick)
    a.groups.delete(group)
    b.groups.update(group, {"focus": "删除之后的修改"})
    send(a, b, stick)
    send(b, a, stick)
    send(a, b, stick)
    for store in (a, b):
        clashes = store.rows("SELECT id, kind, lost_site FROM conflicts WHERE row_id = ?", [group])
        assert len(clashes) == 1 and clashes[0]["kind"] == "delete_vs_edit", clashes
    assert a.rows("SELECT id FROM conflicts WHERE row_id = ?", [group]) == \
        b.rows("SELECT id FROM conflicts WHERE row_id = ?", [group])


def test_heads_travel_on_to_the_offices_that_never_met(offices):
    """A's head reaches C through B's package; each office keeps the highest head of another."""
    from app.storage.audit import witness_source

    stores, stick = offices
    a, b, c = stores["A"], stores["B"], stores["C"]
    send(a, b, stick)
    seen_by_b = next(w for w in b.audit.witnesses() if w["site"] == a.site_id)
    send(b, c, stick)
    seen_by_c = next(w for w in c.audit.witnesses() if w["site"] == a.site_id)
    assert (seen_by_c["seq"], seen_by_c["hash"]) == (seen_by_b["seq"], seen_by_b["hash"])
    # C learnt it from B's package, and says so
    assert witness_source(seen_by_c["source"]).startswith(f"{b.settings.get('site_name')} ")
    b.audit.witness({**seen_by_b, "seq": seen_by_b["seq"] - 1}, {"kind": "package"})  # an older head
    assert next(w for w in b.audit.witnesses() if w["site"] == a.site_id)["seq"] == seen_by_b["seq"]
    assert all(w["site"] != b.site_id for w in b.audit.witnessed_others())


def test_a_conflict_is_named_by_its_record_and_the_field_label(offices, tmp_path):
    """The preview (dry run), the result and the log say 代表“张三”的联系电话, never "代表 phone"."""
    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    delegate = a.rows("SELECT id, name FROM delegates WHERE deleted = 0 ORDER BY name_pinyin LIMIT 1")[0]
    a.delegates.update(delegate["id"], {"phone": "13800000001"})
    b.delegates.update(delegate["id"], {"phone": "13800000002"})
    package = export_package(a, stick, "同一个口令", scrypt_n=FAST)
    preview = import_package(b, package["path"], "同一个口令", dry_run=True)
    texts = [c["text"] for c in preview["conflict_list"]]
    expected = f"代表“{delegate['name']}”的联系电话"
    assert len(texts) == 1 and texts[0].startswith(expected), texts
    assert "13800000001" in texts[0] and "13800000002" in texts[0] and "phone" not in texts[0]
    # the CLI's preview says the same sentence
    from app.store import Store
    from tests.conftest import run_cli

    secret = tmp_path / "pass.txt"
    secret.write_text("同一个口令", encoding="utf-8")
    b.close()
    shown = run_cli("--data-dir", tmp_path / "B", "package", "import", package["path"], "--passphrase-file", secret,
                    "--dry-run", check=True).stdout
    stores["B"] = b = Store.open(tmp_path / "B")
    assert f"冲突：{texts[0]}" in shown
    import_package(b, package["path"], "同一个口令")
    from app.exchange.conflicts import list_conflicts

    logged = list_conflicts(b)
    assert [c["field_label"] for c in logged] == ["联系电话"] and logged[0]["text"].startswith(expected)
