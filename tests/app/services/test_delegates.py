import pytest

from app.common.errors import ConflictError, ValidationError
from app.common.idcard import check_digit
from app.services.delegates import RosterFilter
from tests.conftest import digest


def make_id(birth="19800101", seq="123"):
    first17 = f"500118{birth}{seq}"
    return first17 + check_digit(first17)


@pytest.fixture
def community(store):
    return store.communities.create({"name": "文昌社区", "kind": "community"}).created("communities")[0]


def test_create_derives_birth_date_and_gender_and_keeps_the_full_number(store, community):
    number = make_id("19750315", "124")
    row_id = store.delegates.create({"name": "欧阳·娜娜", "id_number": number.lower(),
                                     "community_id": community}).created("delegates")[0]
    row = store.delegates.get(row_id)
    assert row["id_number"] == number
    assert row["birth_date"] == "1975-03-15" and row["gender"] == "女"
    assert row["name"] == "欧阳·娜娜"
    shown = store.delegates.page(RosterFilter())[0]
    assert shown["id_masked"] == "500118********" + number[-4:]


@pytest.mark.parametrize("bad, message", [
    (make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1"), "校验位"),
    ("50011819990230123" + check_digit("50011819990230123"), "出生日期"),
])
def test_bad_id_numbers_are_refused_and_nothing_changes(store, community, bad, message):
    before = digest(store)
    with pytest.raises(ValidationError, match=message) as exc:
        store.delegates.create({"name": "李四", "id_number": bad, "community_id": community})
    assert exc.value.field == "id_number"
    assert digest(store) == before


def test_duplicate_id_number_is_refused(store, community):
    store.delegates.create({"name": "张三", "id_number": make_id(), "community_id": community})
    with pytest.raises(ConflictError, match="相同身份证号"):
        store.delegates.create({"name": "张三三", "id_number": make_id(), "community_id": community})


def test_birth_date_must_agree_with_the_id_number(store, community):
    with pytest.raises(ValidationError, match="不一致"):
        store.delegates.create({"name": "赵六", "id_number": make_id("19800101"),
                                "birth_date": "1981-01-01", "community_id": community})


def test_phone_and_required_fields(store, community):
    with pytest.raises(ValidationError, match="联系电话"):
        store.delegates.create({"name": "钱七", "phone": "12ab", "community_id": community})
    with pytest.raises(ValidationError, match="所在村"):
        store.delegates.create({"name": "孙八"})
    with pytest.raises(ValidationError, match="姓名"):
        store.delegates.create({"name": "  ", "community_id": community})


def test_search_by_name_pinyin_initials_phone_and_community(demo):
    everyone = demo.delegates.page(RosterFilter(), limit=None)
    person = everyone[10]
    initials = person["name_initials"]
    for query in (person["name"][1:], initials, person["phone"][-6:], person["community_name"]):
        found = demo.delegates.page(RosterFilter(search=query), limit=None)
        assert person["id"] in {r["id"] for r in found}, query
        assert demo.delegates.count(RosterFilter(search=query)) == len(found)
    assert demo.delegates.count(RosterFilter(search="不存在的人")) == 0


def test_filters_and_sorting(demo):
    group = demo.groups.list()[3]
    rows = demo.delegates.page(RosterFilter(group_id=group["id"]), limit=None)
    assert len(rows) == 13 and {r["group_name"] for r in rows} == {"新城三组"}
    assert rows[0]["group_role"] == "leader"
    by_name = demo.delegates.page(RosterFilter(sort="name"), limit=None)
    keys = [r["name_pinyin"] for r in by_name]
    assert keys == sorted(keys)
    desc = demo.delegates.page(RosterFilter(sort="name", descending=True), limit=None)
    assert [r["id"] for r in desc] == [r["id"] for r in reversed(by_name)] or keys[0] == keys[-1]


def test_paging_covers_every_row_once(demo):
    flt = RosterFilter()
    pages = [demo.delegates.page(flt, offset, 25) for offset in range(0, 75, 25)]
    ids = [r["id"] for page in pages for r in page]
    assert len(ids) == len(set(ids)) == 70


def test_grids_are_linked_and_unlinked(demo):
    row = demo.delegates.page(RosterFilter(), limit=1)[0]
    grids = demo.delegates.grid_ids(row["id"])
    assert grids
    demo.delegates.update(row["id"], {}, grid_ids=grids[:1])
    assert demo.delegates.grid_ids(row["id"]) == grids[:1]
    demo.delegates.update(row["id"], {}, grid_ids=grids)
    assert sorted(demo.delegates.grid_ids(row["id"])) == sorted(grids)


def test_delete_and_restore_a_delegate(demo):
    row = demo.delegates.page(RosterFilter(), limit=1)[0]
    demo.delegates.delete(row["id"])
    assert demo.delegates.count(RosterFilter()) == 69
    assert demo.recycle.list()[0]["title"] == row["name"]
    demo.recycle.restore("delegates", row["id"])
    assert demo.delegates.count(RosterFilter()) == 70


def test_restoring_a_leader_when_the_post_was_filled_is_refused(demo):
    group = demo.groups.list()[0]
    rows = demo.delegates.page(RosterFilter(group_id=group["id"]), limit=None)
    leader = next(r for r in rows if r["group_role"] == "leader")
    member = next(r for r in rows if r["group_role"] == "member")
    demo.delegates.delete(leader["id"])
    demo.delegates.update(member["id"], {"group_role": "leader"})
    with pytest.raises(ConflictError, match="组长"):
        demo.recycle.restore("delegates", leader["id"])


def test_the_terms_life_is_recorded(demo):
    group = demo.groups.list()[0]
    rows = demo.delegates.page(RosterFilter(group_id=group["id"]), limit=None)
    leader = next(r for r in rows if r["group_role"] == "leader")
    with pytest.raises(ValidationError, match="原因"):
        demo.delegates.change_status(leader["id"], "resigned", "2026-10-01")
    demo.delegates.change_status(leader["id"], "moved_away", "2026-10-01", "迁居外区")
    assert demo.delegates.get(leader["id"])["status"] == "moved_away"
    assert any("组长 1 人，现有 0 人" in w for w in demo.groups.warnings())
    history = [r["text"] for r in demo.delegates.history(leader["id"])]
    assert history[0].startswith("人选 → 在任：经第一届议事代表推选产生") and history[-1] == "在任 → 迁出：迁居外区"
    member = next(r for r in rows if r["group_role"] == "member")
    demo.delegates.update(member["id"], {"group_role": "leader"})
    with pytest.raises(ConflictError, match="组长"):  # coming back cannot make two leaders
        demo.delegates.change_status(leader["id"], "active", "2026-11-01")
    with pytest.raises(ConflictError, match="已是"):
        demo.delegates.change_status(member["id"], "active", "2026-11-01")
