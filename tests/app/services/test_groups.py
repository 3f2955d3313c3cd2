import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.delegates import RosterFilter
from tests.conftest import digest


def _member(demo, group_name, role):
    group = next(g for g in demo.groups.list() if g["name"] == group_name)
    rows = demo.delegates.page(RosterFilter(group_id=group["id"]), limit=None)
    return group, next(r for r in rows if r["group_role"] == role)


def test_demo_groups_have_one_leader_and_two_deputies(demo):
    groups = demo.groups.list()
    assert [g["name"] for g in groups] == ["老城小组", "新城一组", "新城二组", "新城三组", "农村小组"]
    for g in groups:
        assert len(g["leaders"].split("、")) == 1
        assert len(g["deputies"].split("、")) == 2
        assert 4 <= g["community_count"] <= 6
    assert demo.groups.warnings() == []


def test_a_third_deputy_is_refused_and_nothing_changes(demo):
    _, member = _member(demo, "新城三组", "member")
    before = digest(demo)
    with pytest.raises(ConflictError) as exc:
        demo.delegates.update(member["id"], {"group_role": "deputy_leader"})
    assert "副组长" in exc.value.message and "2 人" in exc.value.message
    assert exc.value.field == "group_role"
    assert digest(demo) == before


def test_a_second_leader_is_refused(demo):
    _, member = _member(demo, "老城小组", "member")
    with pytest.raises(ConflictError, match="组长"):
        demo.delegates.update(member["id"], {"group_role": "leader"})


def test_roles_can_be_swapped_by_stepping_down_first(demo):
    group, deputy = _member(demo, "农村小组", "deputy_leader")
    _, member = _member(demo, "农村小组", "member")
    demo.delegates.update(deputy["id"], {"group_role": "member"})
    demo.delegates.update(member["id"], {"group_role": "deputy_leader"})
    assert demo.groups.warnings() == []


def test_a_leader_needs_a_group(store):
    community = store.communities.create({"name": "双竹村", "kind": "village"}).created("communities")[0]
    with pytest.raises(ValidationError, match="议事小组"):
        store.delegates.create({"name": "王五", "community_id": community, "group_role": "leader"})


def test_warnings_for_composition_outside_the_rules(store):
    group = store.groups.create({"name": "小组A"}).created("groups")[0]
    for name in ("甲社区", "乙社区", "丙社区"):
        store.communities.create({"name": name, "kind": "community", "group_id": group})
    warnings = store.groups.warnings()
    assert any("3 个村（社区）" in w for w in warnings)
    assert any("组长 1 人，现有 0 人" in w for w in warnings)
    assert any("副组长 2 人，现有 0 人" in w for w in warnings)


def test_group_names_are_unique(store):
    store.groups.create({"name": "老城小组"})
    with pytest.raises(ConflictError):
        store.groups.create({"name": " 老城小组 "})


def test_a_group_with_communities_cannot_be_deleted(demo):
    group = demo.groups.list()[0]
    with pytest.raises(ValidationError, match="村（社区）"):
        demo.groups.delete(group["id"])
