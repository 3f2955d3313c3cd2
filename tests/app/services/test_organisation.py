import pytest

from app.common.errors import ConflictError, ValidationError
from app.services.grids import parse_range


@pytest.mark.parametrize("text, expected", [("1-30", (1, 30)), ("5—8", (5, 8)), ("1至3", (1, 3)),
                                            (" 2 ~ 2 ", (2, 2))])
def test_grid_ranges(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("text", ["", "30-1", "0-3", "a-b", "1-5000"])
def test_bad_grid_ranges(text):
    with pytest.raises(ValidationError):
        parse_range(text)


def test_bulk_create_names_grids_and_refuses_duplicates(store):
    community = store.communities.create({"name": "万达广场社区", "kind": "community"}).created("communities")[0]
    changes = store.grids.bulk_create(community, "1-30")
    assert len(changes.created("grids")) == 30
    names = [g["name"] for g in store.grids.list(community)]
    assert names[:3] == ["第1网格", "第2网格", "第3网格"] and names[-1] == "第30网格"
    with pytest.raises(ConflictError, match="第30网格"):
        store.grids.bulk_create(community, "30-31")
    assert store.grids.count() == 30
    assert store.scalar("SELECT count(*) FROM audit WHERE action != 'init'") == 2  # community + one bulk


def test_a_community_with_grids_cannot_be_deleted_until_they_go(store):
    community = store.communities.create({"name": "临江村", "kind": "village"}).created("communities")[0]
    grid = store.grids.bulk_create(community, "1-1").created("grids")[0]
    with pytest.raises(ValidationError, match="1 个网格"):
        store.communities.delete(community)
    store.grids.delete(grid)
    store.communities.delete(community)
    with pytest.raises(ValidationError, match="所属村（社区）已被删除"):
        store.grids.restore(grid)
    store.communities.restore(community)
    store.grids.restore(grid)
    assert store.grids.count() == 1


def test_community_kind_is_checked(store):
    with pytest.raises(ValidationError, match="类型"):
        store.communities.create({"name": "某地", "kind": "town"})


def test_venue_rooms_and_facilities(store):
    changes = store.venues.create({"name": "街道议事中心", "level": "centre", "facilities": ["空调", "标牌"]},
                                  rooms=["第一会议室", "第二会议室"])
    venue_id = changes.created("venues")[0]
    venue = store.venues.list()[0]
    assert venue["facilities_list"] == ["标牌", "空调"]
    assert "LED显示屏" in venue["missing_facilities"]
    first_room = store.venues.rooms(venue_id)[0]["id"]
    store.venues.update(venue_id, {}, rooms=["第一会议室", "第三会议室"])
    rooms = store.venues.rooms(venue_id)
    assert [r["name"] for r in rooms] == ["第一会议室", "第三会议室"]
    assert rooms[0]["id"] == first_room  # ids stay stable for bookings
    with pytest.raises(ValidationError, match="设施"):
        store.venues.update(venue_id, {"facilities": ["游泳池"]})
    with pytest.raises(ValidationError, match="重复"):
        store.venues.update(venue_id, {}, rooms=["甲", "甲"])
    store.venues.delete(venue_id)
    assert store.venues.list() == []
    store.venues.restore(venue_id)
    assert len(store.venues.rooms(venue_id)) == 2


def test_venue_level_is_checked(store):
    with pytest.raises(ValidationError, match="层级"):
        store.venues.create({"name": "某处", "level": "palace"})


def test_terms(store):
    term = store.terms.create({"name": "第一届", "start_date": "2025-03-01", "end_date": "2030-02-28"})
    term_id = term.created("terms")[0]
    assert store.terms.current_id() == term_id
    with pytest.raises(ValidationError, match="早于"):
        store.terms.update(term_id, {"end_date": "2020-01-01"})
    with pytest.raises(ValidationError, match="有效日期"):
        store.terms.create({"name": "第二届", "start_date": "2030-02-30"})
    with pytest.raises(ConflictError):
        store.terms.create({"name": "第一届"})
    community = store.communities.create({"name": "甲社区", "kind": "community"}).created("communities")[0]
    store.delegates.create({"name": "张三", "community_id": community})
    assert store.terms.list()[0]["delegate_count"] == 1
    with pytest.raises(ValidationError, match="1 名代表"):
        store.terms.delete(term_id)
