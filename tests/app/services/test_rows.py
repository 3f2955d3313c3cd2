"""The TypedDicts of app.services.rows name exactly the keys the services return: a column added to the
schema, or a label added by a service, shows up here until the type says it too."""

from __future__ import annotations

from app.services import rows
from app.services.candidates import CandidateFilter
from app.services.delegates import RosterFilter
from app.services.meetings import MeetingFilter
from app.services.opinions import OpinionFilter


def keys_of(kind) -> set[str]:
    return set(kind.__required_keys__) | set(kind.__optional_keys__)


def assert_shape(got: list, kind) -> None:
    assert got, f"the demo has no {kind.__name__}"
    for row in got:
        assert set(row) == keys_of(kind), (kind.__name__, set(row) ^ keys_of(kind))


def test_the_rows_the_services_return_have_the_keys_their_types_name(demo):
    delegate = demo.delegates.page(RosterFilter(), limit=5)
    assert_shape(delegate, rows.DelegateListRow)
    assert_shape([demo.delegates.get(delegate[0]["id"])], rows.DelegateRow)
    assert_shape([demo.delegates.for_editing(delegate[0]["id"])], rows.DelegateForm)

    groups = demo.groups.list()
    assert_shape(groups, rows.GroupListRow)
    assert_shape([demo.groups.get(groups[0]["id"])], rows.GroupRow)

    grids = demo.grids.list()
    assert_shape(grids, rows.GridListRow)
    assert_shape([demo.grids.get(grids[0]["id"])], rows.GridRow)

    venues = demo.venues.list()
    assert_shape(venues, rows.VenueListRow)
    assert_shape([demo.venues.get(venues[0]["id"])], rows.VenueRow)

    meetings = demo.meetings.page(MeetingFilter(), limit=5)
    assert_shape(meetings, rows.MeetingListRow)
    assert_shape([demo.meetings.get(meetings[0]["id"])], rows.MeetingRow)
    assert_shape([demo.meetings.detail(meetings[0]["id"])], rows.MeetingDetail)

    opinions = demo.opinions.page(OpinionFilter(), limit=5)
    assert_shape(opinions, rows.OpinionListRow)
    assert_shape([demo.opinions.get(opinions[0]["id"])], rows.OpinionRow)
    assert_shape([demo.opinions.detail(opinions[0]["id"])], rows.OpinionDetail)

    candidates = demo.candidates.list(CandidateFilter())
    assert_shape(candidates, rows.CandidateListRow)
    assert_shape([demo.candidates.get(candidates[0]["id"])], rows.CandidateRow)
