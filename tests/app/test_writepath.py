"""The one write path on its own: each edit is one transaction of rows, field clocks and one
audit entry; what it changed comes back for undo and refresh; a failure leaves nothing behind."""

import pytest

from app.common.clock import ROW_FIELD
from app.storage.writepath import stored_stamps


def _clocks(store, table, row_id):
    return {name: (wall, counter) for name, wall, counter in store.db.execute(
        "SELECT field, wall_ms, counter FROM clocks WHERE tbl = ? AND row_id = ?", [table, row_id])}


def _audit_count(store):
    return store.scalar("SELECT count(*) FROM audit")


def test_an_insert_is_a_row_its_clocks_and_one_audit_entry(store):
    before = _audit_count(store)
    with store.write("create", "新建小组") as tx:
        group_id = tx.insert("groups", {"name": "第一组", "focus": "停车"})
    assert store.rows("SELECT name, focus, deleted FROM groups WHERE id = ?", [group_id]) == [
        {"name": "第一组", "focus": "停车", "deleted": 0}]
    assert set(_clocks(store, "groups", group_id)) == {ROW_FIELD, "deleted"}  # one stamp for the new row
    assert _audit_count(store) == before + 1
    assert tx.changes.created("groups") == [group_id] and tx.changes.audit_seq == store.scalar("SELECT max(seq) FROM audit")


def test_an_update_stamps_only_the_fields_that_changed(store):
    with store.write("create", "新建") as tx:
        group_id = tx.insert("groups", {"name": "第一组", "focus": "停车"})
    with store.write("update", "改重点") as tx:
        assert tx.update("groups", group_id, {"name": "第一组", "focus": "照明"})
    assert set(_clocks(store, "groups", group_id)) == {ROW_FIELD, "deleted", "focus"}
    change = tx.changes.rows[0]
    assert (change.kind, change.before, change.after) == ("update", {"focus": "停车"}, {"focus": "照明"})
    before = _audit_count(store)
    with store.write("update", "没有变化") as tx:
        assert not tx.update("groups", group_id, {"focus": "照明"})
    assert not tx.changes and _audit_count(store) == before  # nothing changed, nothing recorded


def test_a_failing_edit_leaves_rows_clocks_and_audit_as_they_were(store):
    clocks, audit = store.scalar("SELECT count(*) FROM clocks"), _audit_count(store)
    with pytest.raises(RuntimeError), store.write("create", "半途失败") as tx:
        tx.insert("groups", {"name": "不该留下"})
        raise RuntimeError("disk went away")
    assert store.scalar("SELECT count(*) FROM groups WHERE name = '不该留下'") == 0
    assert (store.scalar("SELECT count(*) FROM clocks"), _audit_count(store)) == (clocks, audit)


def test_delete_is_a_tombstone_and_undo_reverts_an_edit(store):
    with store.write("create", "新建") as tx:
        group_id = tx.insert("groups", {"name": "第一组"})
    with store.write("delete", "删除") as tx:
        tx.delete("groups", group_id)
    assert store.groups.get(group_id, include_deleted=True)["deleted"] == 1
    store.undo(tx.changes, "删除")
    assert store.groups.get(group_id)["deleted"] == 0
    assert store.scalar("SELECT summary FROM audit ORDER BY seq DESC LIMIT 1") == "撤销：删除"


def test_an_operation_gathers_nested_writes_once_and_a_query_may_not_write(store):
    with store.operation() as gathered:
        with store.write("create", "外层") as outer:
            outer.insert("groups", {"name": "外层"})
            with store.write("create", "内层") as inner:
                inner.insert("groups", {"name": "内层"})
    assert sorted(c.after["name"] for c in gathered.rows) == ["内层", "外层"]
    with store.operation() as gathered, pytest.raises(RuntimeError):
        with store.write("create", "失败"):
            raise RuntimeError
    assert not gathered
    with store.query(), pytest.raises(RuntimeError, match="a query tried to write"):
        with store.write("create", "查询里写"):
            pass


def test_stamps_order_edits_and_are_stored_per_field(store):
    with store.write("create", "新建") as tx:
        group_id = tx.insert("groups", {"name": "第一组"})
    first = stored_stamps(store.db, "groups", [group_id])[group_id]
    with store.write("update", "改") as tx:
        tx.update("groups", group_id, {"focus": "照明"})
    second = stored_stamps(store.db, "groups", [group_id])[group_id]
    assert second["focus"] > first["focus"] and second["name"] == first["name"]


def test_append_only_history_cannot_be_rewritten(store):
    with store.write("create", "新建") as tx, pytest.raises(RuntimeError, match="append-only"):
        tx.update("opinion_events", "x", {"detail": "改写"})


def test_an_insert_holds_the_row_as_stored_to_the_rule_book_too(store, monkeypatch):
    """A field left unset takes the schema's default: that stored value is asked as well (the values
    given are asked before the insert, the ones the database filled in after)."""
    from app.common.errors import ValidationError
    from app.rules.book import TABLES
    from app.rules.fields import Choice

    with store.write("create", "新建社区") as tx:
        community_id = tx.insert("communities", {"name": "东城社区", "kind": "community"})
    # a rule book in which the schema's default status ('active') is not allowed
    monkeypatch.setitem(TABLES["delegates"].fields, "status", Choice("状态", True, (("resigned", "辞职"),)))
    with pytest.raises(ValidationError, match="状态"):
        with store.write("create", "新建代表") as tx:
            tx.insert("delegates", {"name": "王五", "community_id": community_id})
    assert not store.scalar("SELECT count(*) FROM delegates")


def _audit_details(store):
    import json

    return json.loads(store.scalar("SELECT details FROM audit ORDER BY seq DESC LIMIT 1"))


def test_names_carry_their_pinyin_keys_and_id_numbers_are_masked_in_the_log(store):
    from tests.app.services.test_delegates import make_id

    community = store.communities.create({"name": "文昌社区", "kind": "community"}).created("communities")[0]
    number = make_id()
    row_id = store.delegates.create({"name": "张三", "id_number": number, "community_id": community}).created("delegates")[0]
    assert store.rows("SELECT name_initials, name_pinyin FROM delegates WHERE id = ?", [row_id]) == [
        {"name_initials": "zs", "name_pinyin": "zhangsan"}]
    logged = [d for d in _audit_details(store) if d["table"] == "delegates"][0]
    assert (logged["kind"], logged["id"], logged["before"]) == ("insert", row_id, {})
    assert logged["after"]["id_number"] != number and logged["after"]["id_number"][:4] == number[:4]
    with store.write("update", "改名") as tx:
        tx.update("delegates", row_id, {"name": "李四"})
    assert store.rows("SELECT name_initials, name_pinyin FROM delegates WHERE id = ?", [row_id]) == [
        {"name_initials": "ls", "name_pinyin": "lisi"}]
    with store.write("update", "改小组名") as tx:
        group = tx.insert("groups", {"name": "第一组"})
    assert "name_initials" not in store.rows("SELECT * FROM groups WHERE id = ?", [group])[0]


def test_undo_reverts_each_kind_and_refuses_over_a_later_edit(store):
    from app.common.errors import ConflictError, NotFoundError

    with store.write("create", "新建") as created:
        group = created.insert("groups", {"name": "第一组", "focus": "停车"})
    with store.write("update", "改重点") as updated:
        updated.update("groups", group, {"focus": "照明"})
    store.undo(updated.changes, "改重点")
    assert store.groups.get(group)["focus"] == "停车"
    with store.write("delete", "删除") as deleted:
        assert deleted.delete("groups", group) and not deleted.delete("groups", group)
    assert (deleted.changes.rows[0].before, deleted.changes.rows[0].after) == ({"deleted": 0}, {"deleted": 1})
    with store.write("restore", "恢复") as restored:
        assert restored.restore("groups", group) and not restored.restore("groups", group)
    assert (restored.changes.rows[0].kind, restored.changes.rows[0].before) == ("restore", {"deleted": 1})
    store.undo(restored.changes, "恢复")
    assert store.groups.get(group, include_deleted=True)["deleted"] == 1
    store.undo(deleted.changes, "删除")
    assert store.groups.get(group)["deleted"] == 0
    with store.write("update", "再改") as again:
        again.update("groups", group, {"focus": "绿化"})
    refused = "^不能撤销：这条议事小组在这次操作之后又有了改动（可能来自导入的交换包），撤销会覆盖较新的内容。"
    with pytest.raises(ConflictError, match=refused):
        store.undo(updated.changes, "改重点")  # the focus is no longer what that edit left
    with store.write("delete", "删除") as tombstoned:
        tombstoned.delete("groups", group)
    with pytest.raises(ConflictError):
        store.undo(again.changes, "再改")  # a deleted row is not as the edit left it
    with store.write("create", "新建") as created:
        other = created.insert("groups", {"name": "第二组"})
    store.undo(created.changes, "新建")  # an insert undone is a tombstone
    assert store.groups.get(other, include_deleted=True)["deleted"] == 1
    with pytest.raises(NotFoundError, match="^记录不存在或已被彻底删除（abcdefgh）$"), store.write("update", "x") as tx:
        tx.update("groups", "abcdefgh-0000", {"focus": "x"})
    with pytest.raises(RuntimeError, match="^supervisions is append-only$"), store.write("delete", "x") as tx:
        tx.delete("supervisions", group)


def test_an_edit_is_stamped_after_a_stamp_from_beyond_this_clock(store):
    """Another office's wrong date put a stamp in the future: an edit here must still win."""
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "第一组"})
    future = store.scalar("SELECT max(wall_ms) FROM clocks") + 10 ** 9
    store.db.execute("UPDATE clocks SET wall_ms = ? WHERE tbl = 'groups' AND row_id = ?", [future, group])
    with store.write("update", "改") as tx:
        tx.update("groups", group, {"focus": "照明"})
    assert _clocks(store, "groups", group)["focus"][0] >= future
    with store.write("delete", "删") as tx:
        tx.delete("groups", group)
    assert _clocks(store, "groups", group)["deleted"] > _clocks(store, "groups", group)["focus"]
    stamps = stored_stamps(store.db, "groups", [group, "none"])[group]
    site = store.scalar("SELECT site_id FROM clocks WHERE tbl = 'groups' AND row_id = ? AND field = 'focus'", [group])
    assert stamps.extra["focus"] == (*_clocks(store, "groups", group)["focus"], site)
    assert stamps.common[:2] == _clocks(store, "groups", group)[ROW_FIELD] and stamps.common[2] == site


def test_a_child_list_is_kept_in_order_updated_in_place_and_trimmed(store):
    with store.write("create", "新建") as tx:
        parent = tx.insert("groups", {"name": "第一组"})
        first = tx.insert("groups", {"name": "甲", "sort_order": 1})
        second = tx.insert("groups", {"name": "乙", "sort_order": 2})
    with store.write("update", "排列") as tx:
        tx.sync_list("groups", {"notes": parent}, [{"id": second, "name": "乙"}, {"name": "丙"}], [first, second])
    rows = store.rows("SELECT id, name, sort_order, deleted, notes FROM groups WHERE id <> ? ORDER BY name", [parent])
    assert [(r["name"], r["sort_order"], r["deleted"]) for r in rows] == [("丙", 2, 0), ("乙", 1, 0), ("甲", 1, 1)]
    assert rows[0]["notes"] == parent and rows[1]["id"] == second


def test_a_bulk_step_logs_counts_instead_of_every_row(store):
    with store.write("create", "批量") as tx:
        for n in range(1001):
            tx.insert("groups", {"name": f"组{n}"})
    assert _audit_details(store) == {"bulk": True, "rows": 1001, "counts": {"groups": {"insert": 1001}}}


def test_an_opinion_is_searchable_as_written_and_leaves_the_index_when_deleted(demo):
    from app.services.opinions import OpinionFilter
    from tests.app.services.test_opinions import collect

    delegate = demo.rows("SELECT id, group_id FROM delegates WHERE deleted = 0 ORDER BY id LIMIT 1")[0]
    found = lambda text: demo.opinions.count(OpinionFilter(search=text))
    opinion = collect(demo, delegate, title="桥头的井盖松动", content="夜里行人绊倒")
    assert found("井盖") == 1 and found("绊倒") == 1
    with demo.write("update", "改标题") as tx:
        tx.update("opinions", opinion, {"title": "桥头的台阶破损"})
    assert found("井盖") == 0 and found("台阶") == 1
    with demo.write("update", "改内容") as tx:
        tx.update("opinions", opinion, {"content": "老人滑倒"})
    assert found("绊倒") == 0 and found("滑倒") == 1
    with demo.write("delete", "删除") as tx:
        tx.delete("opinions", opinion)
    assert found("台阶") == 0
    with demo.write("restore", "恢复") as tx:
        tx.restore("opinions", opinion)
    assert found("台阶") == 1


def test_rules_hold_live_rows_and_wait_for_a_tombstone_to_come_back(store):
    from app.common.errors import ConflictError, ValidationError

    with store.write("create", "新建") as tx:
        first, second = tx.insert("groups", {"name": "甲"}), tx.insert("groups", {"name": "乙"})
    with pytest.raises(ValidationError, match="不能为空"), store.write("update", "清空") as tx:
        tx.update("groups", first, {"name": ""})
    with pytest.raises(ValidationError, match="已经有了"), store.write("update", "重名") as tx:
        tx.update("groups", first, {"name": "乙"})
    with store.write("delete", "删除") as tx:
        tx.delete("groups", first)
    with store.write("update", "改名") as tx:  # hidden: a duplicate is not asked about yet
        tx.update("groups", first, {"name": "乙"})
    with pytest.raises((ValidationError, ConflictError)), store.write("restore", "恢复") as tx:
        tx.restore("groups", first)  # back among the live rows: now it is
    assert store.groups.get(first, include_deleted=True)["deleted"] == 1 and second


def test_undoing_an_edit_that_cleared_a_field_is_refused_once_it_is_filled_again(store):
    from app.common.errors import ConflictError

    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲", "focus": "停车"})
    with store.write("update", "清空重点") as cleared:
        cleared.update("groups", group, {"focus": None})
    with store.write("update", "填上") as tx:
        tx.update("groups", group, {"focus": "照明"})
    with pytest.raises(ConflictError):
        store.undo(cleared.changes, "清空重点")
    assert store.groups.get(group)["focus"] == "照明"


def test_exactly_1000_rows_are_logged_one_by_one_and_every_row_of_a_large_write_is_stamped(store):
    with store.write("create", "一千") as tx:
        ids = [tx.insert("groups", {"name": f"组{n}"}) for n in range(1000)]
    details = _audit_details(store)
    assert isinstance(details, list) and len(details) == 1000 and details[0]["id"] == ids[0]
    with store.write("create", "更多") as tx:  # 2 stamps a row: the stamps are written out along the way
        more = [tx.insert("groups", {"name": f"新组{n}"}) for n in range(2600)]
    stamped = {r["row_id"] for r in store.rows("SELECT DISTINCT row_id FROM clocks WHERE tbl = 'groups'")}
    assert set(ids) | set(more) <= stamped


def test_a_check_reads_a_parent_as_the_write_left_it_not_as_first_read(demo):
    """The rows a rule reads are kept for the rest of the write: an edit of one in the same write,
    or in a write nested in it, is what the next row is held to; a rolled back write keeps nothing."""
    from datetime import date, timedelta

    from app.common.errors import ValidationError

    opinion = demo.rows("SELECT id, received_on FROM opinions WHERE deleted = 0 AND status = 'collected'"
                        " ORDER BY received_on LIMIT 1")[0]
    day = opinion["received_on"]
    later = (date.fromisoformat(day) + timedelta(days=3)).isoformat()

    def event(tx, on):
        return tx.insert("opinion_events", {"opinion_id": opinion["id"], "day": on, "kind": "collect", "detail": "{}"})

    with pytest.raises(ValidationError, match="早于意见的收集日期"):
        with demo.write("update", "改收集日期") as tx:
            event(tx, day)  # (the opinion is read here)
            tx.update("opinions", opinion["id"], {"received_on": later})
            event(tx, day)
    with pytest.raises(ValidationError, match="早于意见的收集日期"):
        with demo.write("update", "改收集日期") as tx:
            event(tx, day)
            with demo.write("update", "里层") as inner:  # (a write of its own, nested)
                inner.update("opinions", opinion["id"], {"received_on": later})
            event(tx, day)
    with demo.write("update", "改动又撤回") as tx:
        event(tx, day)
        with pytest.raises(ValidationError):
            with demo.write("update", "里层失败") as inner:
                inner.update("opinions", opinion["id"], {"received_on": later})
                inner.insert("opinion_events", {"opinion_id": opinion["id"], "day": "bad", "kind": "collect"})
        assert not tx.reads  # what the failed inner write read or wrote is forgotten
        event(tx, day)  # the opinion as stored again
    assert demo.scalar("SELECT received_on FROM opinions WHERE id = ?", [opinion["id"]]) == day


def test_an_insert_knows_its_stored_row_as_a_read_would_give_it(store):
    """Defaults and given values as the database stores them: the row kept for the rule book's
    reads is the row a SELECT returns."""
    with store.write("create", "新建") as tx:
        community_id = tx.insert("communities", {"name": "东城社区", "kind": "community"})
        delegate_id = tx.insert("delegates", {"name": "王五", "community_id": community_id})
        kept = {key: dict(row) for key, row in tx.reads.items() if row is not None}
    for (table, row_id), row in kept.items():
        assert row == store.rows(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])[0]
    assert ("delegates", delegate_id) in kept and kept[("delegates", delegate_id)]["status"] == "active"
