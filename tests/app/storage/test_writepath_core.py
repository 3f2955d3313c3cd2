"""The write path on a fresh small store, read value by value: what each `Tx` method hands to the
rule book, what it stamps, what it records for undo and the audit log, and the rows a package
brings in (`insert_remote_many`, `put_remote`). Fast (no demo, no Qt): mutation testing runs them
once per mutant of app/storage/writepath.py."""

import json
import sqlite3
import uuid

import pytest

from app.common.clock import ROW_FIELD, RowStamps, Stamp
from app.common.errors import ConflictError, ValidationError
from app.common.idcard import mask
from app.storage import writepath
from app.storage.changes import RowChange
from app.storage.writepath import BULK_AUDIT_ROWS, _derived, stored_stamps


def _clocks(store, table, row_id):
    return {name: (wall, counter, site) for name, wall, counter, site in store.db.execute(
        "SELECT field, wall_ms, counter, site_id FROM clocks WHERE tbl = ? AND row_id = ?", [table, row_id])}


def _last_details(store):
    return json.loads(store.scalar("SELECT details FROM audit ORDER BY seq DESC LIMIT 1"))


def _changes(tx):
    return [(c.table, c.row_id, c.kind, c.before, c.after) for c in tx.changes.rows]


@pytest.fixture
def asked(monkeypatch):
    """Every call the write path makes to the rule book, as (table, id, row, changed), and every
    list of rows it hands to the link checks; both still ask the real rule book."""
    calls = {"write": [], "links": [], "conns": []}
    real_write, real_links = writepath.check_write, writepath.check_links_many

    def check_write(conn, table, row_id, row, changed, *lookup):
        calls["write"].append((table, row_id, dict(row), None if changed is None else list(changed)))
        calls["conns"].append(conn)
        return real_write(conn, table, row_id, row, changed, *lookup)

    def check_links_many(conn, linked, *known):
        calls["links"].append(list(linked))
        calls["conns"].append(conn)
        return real_links(conn, linked, *known)

    monkeypatch.setattr(writepath, "check_write", check_write)
    monkeypatch.setattr(writepath, "check_links_many", check_links_many)
    return calls


# -- insert ------------------------------------------------------------------------------------------
def test_an_insert_with_every_field_given_is_asked_once_and_recorded_whole(store, asked):
    with store.write("create", "新建小组") as tx:
        group = tx.insert("groups", {"name": "甲组", "focus": "停车", "sort_order": 3, "notes": "说明", "id": "x"},
                          row_id="group-1")
    assert group == "group-1"
    row = {"name": "甲组", "focus": "停车", "sort_order": 3, "notes": "说明"}
    assert asked["write"] == [("groups", "group-1", row, ["name", "focus", "sort_order", "notes"])]
    assert asked["links"] == [[("groups", "group-1", None)]]
    assert _changes(tx) == [("groups", "group-1", "insert", {}, row)]
    assert store.rows("SELECT * FROM groups") == [{"id": "group-1", **row, "deleted": 0}]
    stamps = _clocks(store, "groups", group)
    assert set(stamps) == {ROW_FIELD, "deleted"} and stamps[ROW_FIELD] == stamps["deleted"]
    assert stamps[ROW_FIELD][2] == store.site_id


def test_an_insert_with_unset_fields_asks_again_about_what_the_database_filled_in(store, asked):
    with store.write("create", "新建社区") as tx:
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"})
    asked["write"].clear()
    with store.write("create", "新建代表") as tx:
        delegate = tx.insert("delegates", {"name": "王五", "community_id": community, "sort_order": 1})
    given = {name: None for name in writepath.SYNCED_FIELDS["delegates"]} | {"name": "王五", "community_id": community}
    stored = {"id": delegate, **given, "group_role": "member", "status": "active", "deleted": 0,
              "name_initials": "ww", "name_pinyin": "wangwu"}
    assert asked["write"] == [("delegates", delegate, given, ["name", "community_id"]),
                              ("delegates", delegate, stored, [n for n in stored if n not in ("name", "community_id")])]
    assert _changes(tx) == [("delegates", delegate, "insert", {}, given)]
    # the rule book reads inside the write's own transaction (its rows so far included)
    assert asked["conns"] and all(conn is store.db.conn for conn in asked["conns"])
    assert len(delegate) == 36 and delegate.count("-") == 4  # a fresh UUID


def test_a_value_the_column_turned_into_another_type_is_asked_again_as_stored(store, monkeypatch):
    """(The rule book refuses such values first; here it only listens, to see what it is asked.)"""
    calls = []
    monkeypatch.setattr(writepath, "check_write", lambda conn, table, row_id, row, changed, *lookup: calls.append((row, changed)))
    with store.write("create", "新建小组") as tx:
        group = tx.insert("groups", {"name": "乙组", "sort_order": 7.0, "notes": 5})
    assert calls[1] == ({"id": group, "name": "乙组", "focus": None, "sort_order": 7, "notes": "5", "deleted": 0},
                        ["id", "focus", "sort_order", "notes", "deleted"])
    with store.write("create", "新建小组") as tx:  # the same value and type as given: not asked again
        group = tx.insert("groups", {"name": "丙组", "sort_order": 7, "notes": "5"})
    assert calls[3][1] == ["id", "focus", "deleted"]


def test_several_rows_of_one_write_each_keep_their_stamps(store):
    with store.write("create", "三个小组") as tx:
        ids = [tx.insert("groups", {"name": name}) for name in ("甲", "乙", "丙")]
    stamps = [_clocks(store, "groups", i) for i in ids]
    assert all(set(s) == {ROW_FIELD, "deleted"} for s in stamps)
    assert stamps[0][ROW_FIELD] < stamps[1][ROW_FIELD] < stamps[2][ROW_FIELD]


# -- insert_many -------------------------------------------------------------------------------------
def _id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _written(store, tx, tables):
    """What a write left: each table's rows, each row's stamped fields, the changes it recorded, and
    what it kept of the rows for the link checks."""
    rows = {t: store.rows(f"SELECT * FROM [{t}] ORDER BY id") for t in tables}
    stamps = sorted((tbl, row_id, field) for tbl, row_id, field in store.db.execute(
        "SELECT tbl, row_id, field FROM clocks WHERE tbl IN ('grids', 'delegates', 'groups')"))
    return rows, stamps, _changes(tx), {k: v for k, v in tx.reads.items() if k[0] in tables}


def _one_by_one_and_many(tmp_path, write):
    """`write(tx, insert_many)` run in two fresh stores: once with each row inserted on its own,
    once with `Tx.insert_many`; what each left, or the refusal each met (its words and field)."""
    from app.store import Store

    results = []
    for many in (False, True):
        with Store.open(tmp_path / f"store{many}") as store:
            def insert_many(tx, table, rows, ids, many=many):
                if many:
                    return tx.insert_many(table, rows, ids)
                return [tx.insert(table, row, row_id) for row, row_id in zip(rows, ids)]
            try:
                with store.write("import", "导入") as tx:
                    write(tx, insert_many)
            except ValidationError as exc:
                results.append(("refused", exc.message, exc.field,
                                store.scalar("SELECT count(*) FROM delegates") + store.scalar("SELECT count(*) FROM grids")))
            else:
                results.append(_written(store, tx, ("groups", "communities", "grids", "delegates")))
    return results


def _delegates(community, *phones):
    return [{"name": name, "community_id": community, "phone": phone, "status": "active"}
            for name, phone in zip(("张三", "李四", "王五", "赵六", "钱七"), phones)]


def test_many_rows_at_once_leave_what_one_by_one_leaves(tmp_path, asked):
    def write(tx, insert_many):
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        insert_many(tx, "grids", [{"community_id": community, "number": n, "name": f"第{n}网格"} for n in (1, 2, 3)],
                    [_id("g1"), _id("g2"), _id("g3")])
        # runs of rows that set different fields (a phone or none), and a run of one
        insert_many(tx, "delegates", _delegates(community, "13800000001", "13800000002", None, None, "13800000003"),
                    [_id("d1"), _id("d2"), _id("d3"), _id("d4"), _id("d5")])
        # a field one row sets and the next leaves to the schema's default (组员)
        people = _delegates(community, None, None, None)
        people[0]["group_role"] = "leader"
        insert_many(tx, "delegates", people, [_id("d6"), _id("d7"), _id("d8")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone
    rows, stamps, changes, reads = together
    assert sorted(r["name_pinyin"] for r in rows["delegates"]) == sorted(["lisi", "qianqi", "wangwu", "zhangsan", "zhaoliu",
                                                                         "lisi", "wangwu", "zhangsan"])
    assert sorted(r["group_role"] for r in rows["delegates"]) == ["leader"] + ["member"] * 7  # (the default as stored)
    assert len(stamps) == 2 * 11  # each row's stamp and its tombstone's
    # every row is held to the links at the end of the write, each once
    assert sorted(asked["links"][-1]) == sorted({(t, i, None) for t, i, *_ in changes})


def test_rows_at_once_are_asked_in_bulk_and_written_in_one_statement(store, asked):
    statements = []
    store.db.conn.set_trace_callback(statements.append)
    with store.write("create", "新建") as tx:
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"})
        asked["write"].clear()
        statements.clear()
        ids = tx.insert_many("delegates", _delegates(community, "13800000001", "13800000002", "13800000003"))
        assert asked["write"] == []  # the rule book asked once per column, not at the door of each row
        inserts = [s for s in statements if s.startswith("INSERT INTO [delegates]")]
        assert len(inserts) == 3 and "SAVEPOINT" in " ".join(statements)  # (executemany: each row traced)
        # rows setting other fields: at once too, every column named (the default 组员 written where none is set)
        people = _delegates(community, None, None, None)
        people[0]["group_role"] = "leader"
        statements.clear()
        mixed = tx.insert_many("delegates", [*people, people[0]])
        assert asked["write"] == []
        inserts = [s for s in statements if s.startswith("INSERT INTO [delegates]")]
        assert len(inserts) == 4 and len({s.split(" VALUES")[0] for s in inserts}) == 1 and "[group_role]" in inserts[0]
        assert [tx.reads[("delegates", i)]["group_role"] for i in mixed] == ["leader", "member", "member", "leader"]
    store.db.conn.set_trace_callback(None)
    assert len(ids) == 3 and len(set(ids)) == 3 and all(len(i) == 36 for i in ids)
    assert store.scalar("SELECT count(*) FROM delegates WHERE deleted = 0") == 7


@pytest.mark.parametrize("phones, words", [
    (("13800000001", "123", "1"), "“联系电话”"),  # a field's own rule: the first row that breaks it
    (("13800000001", "13800000002", "13800000003"), None),
])
def test_a_refused_row_among_many_is_the_one_one_by_one_would_name(tmp_path, phones, words):
    def write(tx, insert_many):
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        insert_many(tx, "delegates", _delegates(community, *phones), [_id("d1"), _id("d2"), _id("d3")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone
    if words:
        assert together[0] == "refused" and together[1].startswith(words) and together[3] == 0


@pytest.mark.parametrize("count", [0, 1])
def test_no_row_or_one_at_once_is_what_one_by_one_leaves(tmp_path, count):
    def write(tx, insert_many):
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        assert insert_many(tx, "delegates", _delegates(community, "13800000001")[:count], [_id("d1")][:count]) == \
            [_id("d1")][:count]

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone and len(together[0]["delegates"]) == count


@pytest.mark.parametrize("name", [5, b"\xe5\xbc\xa0", 2.5])
def test_a_name_that_is_no_text_among_many_is_refused_as_one_by_one(tmp_path, name):
    """(Its search keys are worked out only once the rule book has passed its name.)"""
    def write(tx, insert_many):
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        people = _delegates(community, None, None)
        people[1]["name"] = name
        insert_many(tx, "delegates", people, [_id("d1"), _id("d2")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone and together[0] == "refused" and together[2] == "name"


def test_a_rule_across_fields_among_many_refuses_as_one_by_one(tmp_path):
    def across(tx, insert_many):  # a grid with its worker's phone but no worker
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        insert_many(tx, "grids", [{"community_id": community, "number": 1, "name": "第1网格", "worker_phone": "13800000001",
                                   "worker_name": name} for name in ("张三", None, "李四")], [_id("g1"), _id("g2"), _id("g3")])

    alone, together = _one_by_one_and_many(tmp_path, across)
    assert together == alone and together[1] == "填写了网格员电话，却没有网格员姓名"



def test_a_row_among_many_the_database_refuses_is_named_as_one_by_one(tmp_path, unguarded, monkeypatch):
    monkeypatch.setattr(writepath, "fields_pass", lambda *args: True)  # (the rule book looks away in bulk too)

    def missing(tx, insert_many):  # the second grid's community is not there
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        insert_many(tx, "grids", [{"community_id": parent, "number": n, "name": f"第{n}网格"}
                                  for n, parent in ((1, community), (2, _id("c2")), (3, community))],
                    [_id("g1"), _id("g2"), _id("g3")])

    alone, together = _one_by_one_and_many(tmp_path, missing)
    assert together == alone == ("refused", "所选所属村（社区）不存在或已删除", "community_id", 0)


def test_a_rule_reading_rows_of_its_own_table_sees_the_earlier_rows_of_the_run_only(tmp_path, monkeypatch, asked):
    from app.rules.book import TABLES, Check

    def named_after(row, lookup):  # refused when the group its notes name is already written
        return "说明中的小组已经有了" if row.get("notes") and lookup("groups", _id(row["notes"])) else None

    monkeypatch.setattr(TABLES["groups"], "checks", (Check(("notes",), named_after),))

    def ahead(tx, insert_many):  # 甲 names 乙, written after it: one by one, 甲 does not see it
        insert_many(tx, "groups", [{"name": "甲", "notes": "b"}, {"name": "乙", "notes": "x"}], [_id("a"), _id("b")])

    def behind(tx, insert_many):  # 乙 names 甲, written before it
        insert_many(tx, "groups", [{"name": "甲", "notes": "x"}, {"name": "乙", "notes": "a"}], [_id("a"), _id("b")])

    alone, together = _one_by_one_and_many(tmp_path / "ahead", ahead)
    assert together == alone and sorted(r["name"] for r in together[0]["groups"]) == ["乙", "甲"]
    alone, together = _one_by_one_and_many(tmp_path / "behind", behind)
    assert together == alone and together[:2] == ("refused", "说明中的小组已经有了")

    def itself(tx, insert_many):  # 乙 names itself: its own row is not written when its values are asked
        insert_many(tx, "groups", [{"name": "甲", "notes": "x"}, {"name": "乙", "notes": "b"}], [_id("a"), _id("b")])

    def wants_the_next(tx, insert_many):  # as stored, 甲 needs 乙 written already: one by one, it is not
        insert_many(tx, "groups", [{"name": "甲", "notes": "b"}, {"name": "乙", "notes": "a"}], [_id("a"), _id("b")])

    monkeypatch.setattr(TABLES["groups"], "checks", (  # (asked of the row as stored: 排序 is left unset)
        Check(("sort_order",), lambda row, lookup: None if lookup("groups", _id(row["notes"])) else "说明中的小组还没有"),))
    alone, together = _one_by_one_and_many(tmp_path / "next", wants_the_next)
    assert together == alone and together[:2] == ("refused", "说明中的小组还没有")
    monkeypatch.setattr(TABLES["groups"], "checks", (Check(("notes",), named_after),))

    asked["write"].clear()
    alone, together = _one_by_one_and_many(tmp_path / "itself", itself)
    assert together == alone and alone[0] != "refused"
    # one by one, each row as given and as stored; at once, none (all passed in bulk)
    assert len([c for c in asked["write"] if c[0] == "groups"]) == 2 * 2


def test_a_default_among_many_the_rule_book_refuses_is_refused_as_one_by_one(tmp_path, monkeypatch):
    from app.rules.book import TABLES
    from app.rules.fields import Choice

    # (no default of the schema breaks the book: here one does, the 组员 a delegate is given unless said)
    monkeypatch.setitem(TABLES["delegates"].fields, "group_role", Choice("小组职务", True, (("leader", "组长"),)))

    def write(tx, insert_many):
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        insert_many(tx, "delegates", _delegates(community, None, None), [_id("d1"), _id("d2")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone and together[0] == "refused" and together[2] == "group_role"


def test_a_rule_the_schema_s_defaults_take_part_in_is_asked_of_each_row_as_stored(tmp_path, monkeypatch):
    from app.rules.book import TABLES, Check

    def not_itself(row, lookup):  # asked of the row as stored: the row itself is written by then
        return "网格员不能是网格自己" if lookup("grids", row["id"]) and row["worker_name"] is None else None

    monkeypatch.setattr(TABLES["grids"], "checks", (Check(("worker_name",), not_itself),))

    def write(tx, insert_many):
        community = tx.insert("communities", {"name": "东城社区", "kind": "community"}, row_id=_id("c1"))
        insert_many(tx, "grids", [{"community_id": community, "number": n, "name": f"第{n}网格"} for n in (1, 2)],
                    [_id("g1"), _id("g2")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone and together[:3] == ("refused", "网格员不能是网格自己", "worker_name")


def test_opinions_written_many_at_once_are_searchable_and_ids_must_match_rows(store):
    with store.write("import", "导入") as tx:
        tx.insert_many("opinions", [{"source": "phone", "received_on": "2025-03-01", "title": title,
                                     "status": "collected"} for title in ("路灯不亮", "井盖松动")])
        with pytest.raises(ValueError):  # (an id for each row, or none at all)
            tx.insert_many("groups", [{"name": "甲"}, {"name": "乙"}], [_id("a")])
        made = tx.insert_many("groups", ({"name": name} for name in ("丙", "丁")))  # (rows as they come)
    assert [r["name"] for r in store.rows("SELECT name FROM groups WHERE id IN (?, ?)", made)] in (["丙", "丁"], ["丁", "丙"])
    assert [r[0] for r in _search_rows(store)] == ["井盖松动", "路灯不亮"]


def test_a_rule_reading_a_row_of_another_table_refuses_among_many_as_one_by_one(tmp_path):
    from app.store import Store

    refusals = []
    for many in (False, True):
        with Store.open(tmp_path / f"s{many}") as store:
            with store.write("setup", "会议") as tx:
                tx.insert("meetings", {"kind": "plenary", "title": "一", "date": "2024-01-05", "status": "held"}, _id("m1"))
                tx.insert("meetings", {"kind": "plenary", "title": "二", "date": "2099-01-05", "status": "planned"},
                          _id("m2"))
            rows = [{"source": "phone", "received_on": "2024-03-01", "title": title, "status": "collected",
                     "raised_meeting_id": _id(meeting)} for title, meeting in (("路灯", "m1"), ("井盖", "m2"))]
            with pytest.raises(ValidationError) as refused, store.write("import", "导入") as tx:
                if many:
                    tx.insert_many("opinions", rows, [_id("o1"), _id("o2")])
                else:
                    for row, row_id in zip(rows, [_id("o1"), _id("o2")]):
                        tx.insert("opinions", row, row_id)
            refusals.append((refused.value.message, refused.value.field))
    assert refusals[1] == refusals[0] and "还没有召开" in refusals[0][0]


def test_a_row_as_stored_is_there_for_a_check_of_its_own_table_one_by_one_and_at_once(tmp_path, monkeypatch):
    """(An insert's check of the values given reads the row as not there yet: what it kept of that
    is dropped once the row is written, so the check of the row as stored finds it.)"""
    from app.rules.book import TABLES, Check

    def named_there(row, lookup):  # as stored (its id known), the group its notes name must be there
        found = lookup("groups", _id(row["notes"]))  # (read as the values given are asked too)
        return "说明中的小组还没有" if "id" in row and found is None else None

    monkeypatch.setattr(TABLES["groups"], "checks", (Check(("notes", "sort_order"), named_there),))

    def write(tx, insert_many):  # both name 甲, the first row itself
        insert_many(tx, "groups", [{"name": "甲", "notes": "a"}, {"name": "乙", "notes": "a"}], [_id("a"), _id("b")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone and alone[0] != "refused"


def test_a_run_refused_in_a_savepoint_keeps_no_more_of_what_it_read_than_one_by_one(tmp_path):
    from app.store import Store

    kept = []
    for many in (False, True):
        with Store.open(tmp_path / f"s{many}") as store:
            with store.write("setup", "会议") as tx:
                for meeting in ("m1", "m2"):
                    tx.insert("meetings", {"kind": "plenary", "title": meeting, "date": "2024-01-05", "status": "held"},
                              _id(meeting))
            rows = [{"source": "phone", "received_on": "2024-03-01", "title": title, "status": "collected",
                     "raised_meeting_id": _id(meeting), "delegate_id": _id("nobody")}
                    for title, meeting in (("路灯", "m1"), ("井盖", "m2"))]
            with store.write("import", "导入") as tx:
                with pytest.raises(ValidationError, match="^所选收集代表不存在或已删除$"), store.db.atomic():
                    tx.update("meetings", _id("m2"), {"date": "2099-01-01", "status": "planned"})  # rolled back
                    if many:
                        tx.insert_many("opinions", rows, [_id("o1"), _id("o2")])
                    else:
                        for row, row_id in zip(rows, [_id("o1"), _id("o2")]):
                            tx.insert("opinions", row, row_id)
                kept.append(dict(tx.reads))
    assert kept[1] == kept[0] and ("meetings", _id("m2")) not in kept[1]


def test_a_value_a_column_turns_into_another_type_is_kept_as_stored_among_many(tmp_path, unguarded, monkeypatch):
    monkeypatch.setattr(writepath, "fields_pass", lambda *args: True)  # (the book refuses it first: here it looks away)

    def write(tx, insert_many):
        insert_many(tx, "groups", [{"name": "甲", "notes": 5}, {"name": "乙", "notes": 6}], [_id("a"), _id("b")])

    alone, together = _one_by_one_and_many(tmp_path, write)
    assert together == alone and together[3][("groups", _id("a"))]["notes"] == "5"


def test_search_keys_of_delegates_and_candidates_only():
    assert _derived("delegates", {"name": "张三"}) == {"name_initials": "zs", "name_pinyin": "zhangsan"}
    assert _derived("candidates", {"name": "李四"}) == {"name_initials": "ls", "name_pinyin": "lisi"}
    assert _derived("candidates", {"name": None}) == _derived("candidates", {"name": ""})
    assert _derived("groups", {"name": "张三"}) == {}
    assert _derived("delegates", {"phone": "1"}) == {}


# -- the database's own guards, in the rule book's words ---------------------------------------------
@pytest.fixture
def unguarded(monkeypatch):
    """The rule book looking away, so that the database's own guards are what refuses."""
    monkeypatch.setattr(writepath, "check_write", lambda *args: None)
    monkeypatch.setattr(writepath, "check_links_many", lambda *args: None)


def test_a_missing_value_the_database_refuses_names_the_field(store, unguarded):
    with pytest.raises(ValidationError, match="^“小组名称”不能为空$") as refused, store.write("create", "x") as tx:
        tx.insert("groups", {"focus": "停车"})
    assert refused.value.field == "name"
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲"})
    with pytest.raises(ValidationError, match="^“小组名称”不能为空$"), store.write("update", "x") as tx:
        tx.update("groups", group, {"name": None})
    assert store.scalar("SELECT name FROM groups") == "甲"


def test_a_reference_to_no_row_the_database_refuses_names_the_field(store, unguarded):
    with pytest.raises(ValidationError, match="^所选所属议事小组不存在或已删除$") as refused:
        with store.write("create", "x") as tx:
            tx.insert("communities", {"name": "东城", "kind": "community", "group_id": "no-such-group"})
    assert refused.value.field == "group_id"
    with store.write("create", "新建") as tx:
        community = tx.insert("communities", {"name": "东城", "kind": "community"})
    with pytest.raises(ValidationError, match="^所选所属议事小组不存在或已删除$"), store.write("update", "x") as tx:
        tx.update("communities", community, {"group_id": "no-such-group"})
    assert store.scalar("SELECT group_id FROM communities") is None


def test_an_update_of_a_table_the_rule_book_does_not_know_keeps_the_database_error(store, unguarded):
    from app.rules import book

    # (put back in its place afterwards: the book's order is the order packages are checked in,
    # which monkeypatch.delitem would leave with the table at the end)
    book_as_it_was = dict(book.TABLES)
    del book.TABLES["groups"]
    try:
        with pytest.raises(sqlite3.IntegrityError), store.write("create", "x") as tx:
            tx.insert("groups", {"focus": "停车"})
    finally:
        book.TABLES.clear()
        book.TABLES.update(book_as_it_was)


# -- update ------------------------------------------------------------------------------------------
def test_an_update_asks_about_the_changed_fields_of_the_row_as_it_will_be(store, asked):
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲", "focus": "停车", "sort_order": 1})
    before = _clocks(store, "groups", group)
    asked["write"].clear()
    asked["links"].clear()
    with store.write("update", "改") as tx:
        assert tx.update("groups", group, {"name": "甲", "focus": "照明", "notes": "新", "id": "other", "deleted": 1})
        assert tx.update("groups", group, {"focus": "绿化"})
        assert not tx.update("groups", group, {"focus": "绿化"})
    row = {"id": group, "name": "甲", "focus": "照明", "sort_order": 1, "notes": "新", "deleted": 0}
    assert asked["write"][0] == ("groups", group, row, ["focus", "notes"])
    assert asked["write"][1] == ("groups", group, {**row, "focus": "绿化"}, ["focus"])
    assert asked["links"] == [[("groups", group, ("focus", "notes")), ("groups", group, ("focus",))]]
    assert asked["conns"] and all(conn is store.db.conn for conn in asked["conns"])
    assert _changes(tx) == [("groups", group, "update", {"focus": "停车", "notes": None}, {"focus": "照明", "notes": "新"}),
                            ("groups", group, "update", {"focus": "照明"}, {"focus": "绿化"})]
    assert store.rows("SELECT * FROM groups") == [{**row, "focus": "绿化"}]
    after = _clocks(store, "groups", group)
    assert after[ROW_FIELD] == before[ROW_FIELD] and after["deleted"] == before["deleted"]
    assert set(after) == {ROW_FIELD, "deleted", "focus", "notes"}
    assert before[ROW_FIELD] < after["notes"] < after["focus"]  # the second edit's stamp is the later


def test_the_same_change_twice_in_one_write_is_checked_once(store, asked):
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲"})
    asked["links"].clear()
    with store.write("update", "改") as tx:
        tx.update("groups", group, {"focus": "一"})
        tx.update("groups", group, {"focus": "二"})
    assert asked["links"] == [[("groups", group, ("focus",))]]


def test_a_tombstone_is_edited_without_asking_and_restored_with_asking(store, asked):
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲"})
    with store.write("delete", "删") as tx:
        assert tx.delete("groups", group)
    asked["write"].clear()
    asked["links"].clear()
    with store.write("update", "改") as tx:
        assert tx.update("groups", group, {"focus": "照明"})
    assert asked["write"] == [] and asked["links"] == [[]]
    with store.write("restore", "恢复") as tx:
        assert tx.restore("groups", group)
    assert asked["links"][-1] == [("groups", group, None)]
    with store.write("delete", "删") as tx:
        assert tx.delete("groups", group)
    assert asked["links"][-1] == []


def test_a_renamed_delegate_gets_new_search_keys_and_another_edit_keeps_them(store):
    community = store.communities.create({"name": "文昌社区", "kind": "community"}).created("communities")[0]
    delegate = store.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]
    with store.write("update", "改名") as tx:
        tx.update("delegates", delegate, {"name": "李四"})
    with store.write("update", "改电话") as tx:
        tx.update("delegates", delegate, {"phone": "13812345678"})
    assert store.rows("SELECT name_initials, name_pinyin FROM delegates") == [
        {"name_initials": "ls", "name_pinyin": "lisi"}]


# -- delete, restore, undo ---------------------------------------------------------------------------
def test_delete_and_restore_stamp_only_the_tombstone_after_the_latest(store):
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲"})
    with store.write("update", "改") as tx:
        tx.update("groups", group, {"focus": "照明"})
    before = _clocks(store, "groups", group)
    with store.write("delete", "删") as tx:
        tx.delete("groups", group)
    assert _changes(tx) == [("groups", group, "delete", {"deleted": 0}, {"deleted": 1})]
    deleted = _clocks(store, "groups", group)
    assert {k: v for k, v in deleted.items() if k != "deleted"} == {k: v for k, v in before.items() if k != "deleted"}
    assert deleted["deleted"] > before["focus"]
    with store.write("restore", "恢复") as tx:
        tx.restore("groups", group)
    assert _changes(tx) == [("groups", group, "restore", {"deleted": 1}, {"deleted": 0})]
    assert _clocks(store, "groups", group)["deleted"] > deleted["deleted"]
    assert store.scalar("SELECT deleted FROM groups") == 0


def test_a_tombstone_is_stamped_after_a_stamp_from_beyond_this_clock(store):
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲"})
    future = store.scalar("SELECT max(wall_ms) FROM clocks") + 10 ** 9
    store.db.execute("UPDATE clocks SET wall_ms = ?, counter = 5 WHERE row_id = ? AND field = ?", [future, group, ROW_FIELD])
    with store.write("delete", "删") as tx:
        tx.delete("groups", group)
    assert _clocks(store, "groups", group)["deleted"] == (future, 6, store.site_id)


def test_an_undo_over_a_later_edit_names_the_row_or_a_record(store, monkeypatch):
    from app.storage import schema

    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲"})
    with store.write("update", "改") as first:
        first.update("groups", group, {"focus": "一"})
    with store.write("update", "再改") as tx:
        tx.update("groups", group, {"focus": "二"})
    monkeypatch.delitem(schema.TABLE_NOUNS, "groups")
    with pytest.raises(ConflictError, match="^不能撤销：这条记录在这次操作之后又有了改动（可能来自导入的交换包），"
                                            "撤销会覆盖较新的内容。请直接修改该记录。$"):
        store.undo(first.changes, "改")


def test_an_undone_insert_of_defaulted_fields_compares_only_what_it_gave(store):
    with store.write("create", "新建") as created:
        created.insert("groups", {"name": "甲"})
    assert created.changes.rows[0].after["focus"] is None
    undone = store.undo(created.changes, "新建")
    assert [(c.kind, c.after) for c in undone.rows] == [("delete", {"deleted": 1})]
    with store.write("create", "新建") as created:
        group = created.insert("groups", {"name": "乙"})
    with store.write("update", "改名") as tx:
        tx.update("groups", group, {"name": "丙"})
    with pytest.raises(ConflictError):
        store.undo(created.changes, "新建")
    # an update that cleared a field compares the cleared field too
    with store.write("update", "清空") as cleared:
        cleared.update("groups", group, {"name": "丁", "focus": None})
    store.undo(cleared.changes, "清空")
    assert store.scalar("SELECT name FROM groups WHERE id = ?", [group]) == "丙"


def test_revert_of_each_kind_by_hand(store):
    with store.write("create", "新建") as tx:
        group = tx.insert("groups", {"name": "甲", "focus": "一"})
    with store.write("undo", "撤销") as tx:
        tx.revert(RowChange("groups", group, "update", {"focus": "零"}, {"focus": "一"}))
        tx.revert(RowChange("groups", group, "restore", {"deleted": 1}, {"deleted": 0}))
    assert _changes(tx) == [("groups", group, "update", {"focus": "一"}, {"focus": "零"}),
                            ("groups", group, "delete", {"deleted": 0}, {"deleted": 1})]
    with store.write("undo", "撤销") as tx:
        tx.revert(RowChange("groups", group, "delete", {"deleted": 0}, {"deleted": 1}))
    assert _changes(tx) == [("groups", group, "restore", {"deleted": 1}, {"deleted": 0})]
    with store.write("undo", "撤销") as tx:
        tx.revert(RowChange("groups", group, "insert", {}, {"name": "甲", "focus": None}))
    assert _changes(tx) == [("groups", group, "delete", {"deleted": 0}, {"deleted": 1})]
    with pytest.raises(ConflictError), store.write("undo", "撤销") as tx:  # a tombstone is not as an edit left it
        tx.revert(RowChange("groups", group, "update", {"focus": "一"}, {"focus": "零"}))


# -- the audit entry ---------------------------------------------------------------------------------
def test_the_audit_entry_lists_each_row_with_id_numbers_masked(store):
    from tests.app.services.test_delegates import make_id

    community = store.communities.create({"name": "文昌社区", "kind": "community"}).created("communities")[0]
    first, second = make_id(), make_id("19750315", "124")
    delegate = store.delegates.create({"name": "张三", "id_number": first, "community_id": community}).created("delegates")[0]
    with store.write("update", "改号") as tx:
        tx.update("delegates", delegate, {"id_number": second, "phone": "13812345678"})
    assert _last_details(store) == [{"table": "delegates", "id": delegate, "kind": "update",
                                     "before": {"id_number": mask(first), "phone": None},
                                     "after": {"id_number": mask(second), "phone": "13812345678"}}]
    with store.write("update", "清号") as tx:
        tx.update("delegates", delegate, {"id_number": None})
    assert _last_details(store)[0]["before"] == {"id_number": mask(second)}
    assert _last_details(store)[0]["after"] == {"id_number": None}
    with store.write("delete", "删") as tx:
        tx.delete("delegates", delegate)
    assert _last_details(store) == [{"table": "delegates", "id": delegate, "kind": "delete",
                                     "before": {"deleted": 0}, "after": {"deleted": 1}}]


def test_a_bulk_entry_counts_each_table_and_kind(store):
    with store.write("create", "新建") as tx:
        old = tx.insert("groups", {"name": "旧组"})
        community = tx.insert("communities", {"name": "东城", "kind": "community"})
    with store.write("create", "批量") as tx:
        for n in range(BULK_AUDIT_ROWS - 2):
            tx.insert("groups", {"name": f"组{n}"})
        tx.delete("groups", old)
        tx.update("communities", community, {"notes": "改"})
        tx.insert("communities", {"name": "西城", "kind": "community"})
    assert len(tx.changes.rows) == BULK_AUDIT_ROWS + 1
    assert _last_details(store) == {"bulk": True, "rows": BULK_AUDIT_ROWS + 1, "counts": {
        "groups": {"insert": BULK_AUDIT_ROWS - 2, "delete": 1}, "communities": {"update": 1, "insert": 1}}}


# -- rows from a package -----------------------------------------------------------------------------
def _stamp(store, n):
    return Stamp(1_700_000_000_000 + n, n, "other-office")


def test_rows_from_a_package_keep_their_stamps(store):
    common, deleted_at, focus_at = Stamp(1_700_000_000_000, 2, "office-b"), Stamp(1_700_000_000_500, 0, "office-c"), \
        Stamp(1_700_000_000_900, 1, "office-b")
    rows = [("g1", {"name": "甲", "focus": "停车", "deleted": 0}, RowStamps(common)),
            ("g2", {"name": "乙", "focus": None, "deleted": 1}, RowStamps(common, {"deleted": deleted_at, "focus": focus_at}))]
    with store.write("import", "导入") as tx:
        tx.insert_remote_many("groups", rows)
        tx.insert_remote_many("groups", [])
    assert store.rows("SELECT id, name, focus, deleted FROM groups ORDER BY id") == [
        {"id": "g1", "name": "甲", "focus": "停车", "deleted": 0}, {"id": "g2", "name": "乙", "focus": None, "deleted": 1}]
    assert _clocks(store, "groups", "g1") == {ROW_FIELD: tuple(common), "deleted": tuple(common)}
    assert _clocks(store, "groups", "g2") == {ROW_FIELD: tuple(common), "deleted": tuple(deleted_at),
                                              "focus": tuple(focus_at)}
    assert _changes(tx) == [("groups", "g1", "insert", {}, rows[0][1]), ("groups", "g2", "insert", {}, rows[1][1])]
    stamps = stored_stamps(store.db, "groups", ["g1", "g2"])
    assert stamps["g2"].extra == {"deleted": deleted_at, "focus": focus_at} and stamps["g1"].extra == {"deleted": common}


def test_rows_of_one_field_or_two_from_a_package(store):
    stamp = Stamp(1_700_000_000_000, 0, "office-b")
    with store.write("import", "导入") as tx:
        tx.insert_remote_many("groups", [("g1", {"name": "甲组"}, RowStamps(stamp)),
                                         ("g2", {"name": "乙组"}, RowStamps(stamp))])
        tx.insert_remote_many("groups", [("g3", {"name": "丙组", "notes": "说明"}, RowStamps(stamp))])
    assert store.rows("SELECT id, name, notes FROM groups ORDER BY id") == [
        {"id": "g1", "name": "甲组", "notes": None}, {"id": "g2", "name": "乙组", "notes": None},
        {"id": "g3", "name": "丙组", "notes": "说明"}]


def test_delegates_and_candidates_from_a_package_get_their_search_keys(store):
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-b"))
    with store.write("import", "导入") as tx:
        tx.insert_remote_many("communities", [("c1", {"name": "东城", "kind": "community", "deleted": 0}, stamp)])
        tx.insert_remote_many("delegates", [("d1", {"name": "张三", "community_id": "c1", "deleted": 0}, stamp)])
        tx.insert_remote_many("nomination_rounds", [("r1", {"name": "补选", "opened_on": "2026-01-05", "seats": 3}, stamp)])
        tx.insert_remote_many("candidates", [("k1", {"round_id": "r1", "name": "李四", "route": "party", "deleted": 0},
                                              stamp)])
        tx.insert_remote_many("communities", [("c2", {"name": "张家", "kind": "community", "deleted": 0}, stamp)])
    assert store.rows("SELECT name_initials, name_pinyin FROM delegates") == [{"name_initials": "zs", "name_pinyin": "zhangsan"}]
    assert store.rows("SELECT name_initials, name_pinyin FROM candidates") == [{"name_initials": "ls", "name_pinyin": "lisi"}]


def test_a_large_package_logs_the_values_of_its_first_rows_only(store):
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-b"))
    rows = [(f"g{n:04}", {"name": f"组{n}", "deleted": 0}, stamp) for n in range(BULK_AUDIT_ROWS + 1)]
    with store.write("import", "导入") as tx:
        tx.insert_remote_many("groups", rows)
    kept = [c.after for c in tx.changes.rows]
    assert kept[BULK_AUDIT_ROWS - 1] == rows[BULK_AUDIT_ROWS - 1][1] and kept[BULK_AUDIT_ROWS] == {}
    assert store.scalar("SELECT count(*) FROM clocks WHERE tbl = 'groups'") == 2 * (BULK_AUDIT_ROWS + 1)


def test_the_stamps_of_rows_from_a_package_are_written_as_they_come(store):
    """Stamps collected before the rows are written out with them (a later read in the same write,
    as the merge's next batch makes, sees them)."""
    clocks = store.scalar("SELECT count(*) FROM clocks")
    with store.write("create", "新建") as tx:
        tx.insert("groups", {"name": "本机"})
        tx.insert_remote_many("groups", [("g1", {"name": "甲", "deleted": 0}, RowStamps(Stamp(5, 0, "b")))])
        assert store.scalar("SELECT count(*) FROM clocks") == clocks + 4
        assert tx._stamps == []


def _fts(store, opinion):
    return store.rows("SELECT chars FROM opinions_fts WHERE rowid = (SELECT rowid FROM opinions WHERE id = ?)", [opinion])


def test_opinions_from_a_package_are_searchable_and_follow_later_fields_from_packages(store):
    stamp = RowStamps(Stamp(1_700_000_000_000, 0, "office-b"))
    fields = {"source": "grid_visit", "received_on": "2026-01-05", "status": "collected", "deleted": 0}
    with store.write("import", "导入") as tx:
        tx.insert_remote_many("opinions", [("o1", {**fields, "title": "井盖松动", "content": "夜里"}, stamp),
                                           ("o2", {**fields, "title": "路灯", "content": None, "deleted": 1}, stamp)])
    assert "井" in _fts(store, "o1")[0]["chars"] and _fts(store, "o2") == []
    later = Stamp(1_700_000_000_100, 0, "office-b")
    before = store.rows("SELECT * FROM opinions WHERE id = 'o1'")[0]
    with store.write("import", "导入") as tx:
        tx.put_remote("opinions", "o1", {"title": "台阶破损"}, {"title": later}, before)
    assert "台" in _fts(store, "o1")[0]["chars"] and "井" not in _fts(store, "o1")[0]["chars"]
    with store.write("import", "导入") as tx:
        tx.put_remote("opinions", "o1", {"deleted": 1}, {"deleted": later}, before)
    assert _fts(store, "o1") == []


def test_fields_from_a_package_overwrite_with_their_own_stamps(store):
    community = store.communities.create({"name": "文昌社区", "kind": "community"}).created("communities")[0]
    delegate = store.delegates.create({"name": "张三", "community_id": community}).created("delegates")[0]
    before = store.rows("SELECT * FROM delegates")[0]
    named, phoned = Stamp(1_800_000_000_000, 3, "office-b"), Stamp(1_800_000_000_001, 0, "office-c")
    with store.write("import", "导入") as tx:
        tx.put_remote("delegates", delegate, {"name": "李四", "phone": "13812345678"}, {"name": named, "phone": phoned},
                      before)
    assert _changes(tx) == [("delegates", delegate, "update", {"name": "张三", "phone": None},
                             {"name": "李四", "phone": "13812345678"})]
    row = store.rows("SELECT name, phone, name_initials, name_pinyin FROM delegates")[0]
    assert row == {"name": "李四", "phone": "13812345678", "name_initials": "ls", "name_pinyin": "lisi"}
    clocks = _clocks(store, "delegates", delegate)
    assert (clocks["name"], clocks["phone"]) == (tuple(named), tuple(phoned))
    with store.write("import", "导入") as tx:  # a field apart from the name keeps the name's keys
        tx.put_remote("delegates", delegate, {"notes": "备注"}, {"notes": phoned}, {**before, "name": "李四"})
    assert store.rows("SELECT name_pinyin, notes FROM delegates")[0] == {"name_pinyin": "lisi", "notes": "备注"}


def test_many_fields_from_a_package_are_all_stamped(store):
    with store.write("create", "新建") as tx:
        ids = [tx.insert("groups", {"name": f"组{n}"}) for n in range(2)]
    rows = store.rows("SELECT * FROM groups")
    with store.write("import", "导入") as tx:
        for n in range(2600):
            row = rows[n % 2]
            tx.put_remote("groups", row["id"], {"focus": f"重点{n}", "notes": f"说明{n}"},
                          {"focus": Stamp(2_000_000_000_000 + n, 0, "b"), "notes": Stamp(2_000_000_000_000 + n, 1, "b")}, row)
    for n, row_id in enumerate(ids):
        clocks = _clocks(store, "groups", row_id)
        assert clocks["focus"] == (2_000_000_000_000 + 2598 + n, 0, "b")
        assert clocks["notes"] == (2_000_000_000_000 + 2598 + n, 1, "b")


# -- a parent's child list ---------------------------------------------------------------------------
def test_a_child_list_numbers_its_items_from_one_and_keeps_known_ids(store):
    with store.write("create", "新建") as tx:
        first = tx.insert("groups", {"name": "甲", "sort_order": 5})
    with store.write("update", "排列") as tx:
        tx.sync_list("groups", {"notes": "父"}, [{"id": first, "name": "甲"}, {"id": "unknown", "name": "乙"}], [first])
    rows = store.rows("SELECT id, name, sort_order, notes, deleted FROM groups ORDER BY sort_order")
    assert [(r["name"], r["sort_order"], r["deleted"]) for r in rows] == [("甲", 1, 0), ("乙", 2, 0)]
    assert rows[0]["id"] == first and rows[1]["id"] != "unknown" and rows[1]["notes"] == "父"


# -- the link checks at the end of a write, from the rows the write keeps ----------------------------
def test_the_link_checks_see_what_the_write_did_to_the_rows_it_kept(store):
    """The rows a write inserted (kept as stored) and the parents its rule-book checks read are not
    read again at its end: a later edit, delete or rename in the same write is what the checks see."""
    LEVEL = "centre"
    with pytest.raises(ValidationError, match="不存在或已删除"):  # a parent inserted, then deleted
        with store.write("create", "新建") as tx:
            venue = tx.insert("venues", {"name": "甲阵地", "level": LEVEL})
            tx.insert("rooms", {"venue_id": venue, "name": "一室"})
            tx.insert("rooms", {"venue_id": venue, "name": "二室"})
            tx.delete("venues", venue)
    assert store.scalar("SELECT count(*) FROM venues") == 0
    with store.write("create", "新建") as tx:
        venue = tx.insert("venues", {"name": "乙阵地", "level": LEVEL})
        tx.insert("rooms", {"venue_id": venue, "name": "一室"})
    with pytest.raises(ValidationError, match="同一阵地中的会议室名称“二室”已经有了"):  # renamed into a duplicate
        with store.write("edit", "改名") as tx:
            room = tx.insert("rooms", {"venue_id": venue, "name": "二室"})
            other = tx.insert("rooms", {"venue_id": venue, "name": "三室"})
            tx.update("rooms", other, {"name": "二室"})
    with pytest.raises(ValidationError, match="不存在或已删除"):  # a stored parent deleted in the write
        with store.write("edit", "删除") as tx:
            tx.insert("rooms", {"venue_id": venue, "name": "四室"})
            tx.delete("venues", venue)
    with store.write("edit", "删除再恢复") as tx:  # deleted and restored: live again at the end
        tx.delete("venues", venue)
        room = tx.insert("rooms", {"venue_id": venue, "name": "四室"})
        tx.restore("venues", venue)
    assert store.scalar("SELECT venue_id FROM rooms WHERE id = ?", [room]) == venue


# -- search rows put off to the link checks (an import's opinions) -----------------------------------
def _search_rows(store):
    return sorted(store.db.execute("SELECT o.title, f.chars, f.initials FROM opinions_fts f"
                                   " JOIN opinions o ON o.rowid = f.rowid").fetchall())


def _opinion(tx, title, **more):
    return tx.insert("opinions", {"source": "phone", "received_on": "2025-03-01", "title": title,
                                  "status": "collected", **more})


def test_search_rows_put_off_end_as_they_would_row_by_row(tmp_path):
    """With `index_later`, the opinions' search rows are made with the clock stamps (`flush`), from
    each opinion as it then stands: inserted, retitled, deleted, and a row rolled back to its
    savepoint after its links were checked, end as the search rows made at each write."""
    from app.store import Store

    ends = []
    for later in (False, True):
        with Store.open(tmp_path / f"later{later}") as store:
            with store.write("create", "原有") as tx:
                kept, gone = _opinion(tx, "路灯不亮"), _opinion(tx, "井盖松动")
            with store.write("import", "导入") as tx:
                if later:
                    tx.index_later()
                new = _opinion(tx, "公交站台破损", content="雨天积水")
                tx.update("opinions", kept, {"title": "路灯夜里不亮"})
                tx.delete("opinions", gone)
                if later:  # nothing is indexed before the rows are checked
                    assert ("公交站台破损" not in [r[0] for r in _search_rows(store)])
                with pytest.raises(ValidationError):
                    with store.db.atomic():  # a row refused: its opinion and search rows go with it
                        _opinion(tx, "被拒的一行")
                        tx.update("opinions", new, {"title": "公交站台损坏"})
                        tx.check_links()
                        raise ValidationError("拒绝")
                tx.reads.clear()
                _opinion(tx, "背街小巷积水")
            ends.append(_search_rows(store))
            assert store.scalar("SELECT count(*) FROM opinions_fts") == 3
    assert ends[0] == ends[1]
    assert [r[0] for r in ends[1]] == ["公交站台破损", "背街小巷积水", "路灯夜里不亮"]
