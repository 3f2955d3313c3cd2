"""The one write path on its own: each edit is one transaction of rows, field clocks and one
audit entry; what it changed comes back for undo and refresh; a failure leaves nothing behind."""

import pytest

from app.clock import ROW_FIELD
from app.writepath import stored_stamps


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
    from app.errors import ValidationError
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
