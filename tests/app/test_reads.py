"""The tables a read reads are what SQLite names while preparing it (app.storage.reads): views refresh
from them, so they must be every table the read's SQL reads, however the SQL is written."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

import pytest

from app.services.action_items import ActionFilter
from app.services.delegates import RosterFilter
from app.services.meetings import MeetingFilter
from app.services.opinions import OpinionFilter
from app.services.visits import VisitFilter
from app.services.workflows import KINDS
from app.storage.reads import reading

YEAR = date.today().year

# What the views load (ui/pages): the lists and pages of the roster, the ledger, the meetings…
QUERIES = {
    "delegates.count": lambda s: s.delegates.count(RosterFilter()),
    "delegates.page": lambda s: s.delegates.page(RosterFilter()),
    "delegates.page by group": lambda s: s.delegates.page(RosterFilter(group_id=s.groups.list()[0]["id"])),
    "meetings.count": lambda s: s.meetings.count(MeetingFilter(year=YEAR)),
    "meetings.page": lambda s: s.meetings.page(MeetingFilter(year=YEAR)),
    "opinions.count": lambda s: s.opinions.count(OpinionFilter()),
    "opinions.page": lambda s: s.opinions.page(OpinionFilter()),
    "opinions.page searched": lambda s: s.opinions.page(OpinionFilter(search="gj")),
    "groups.list": lambda s: s.groups.list(),
    "communities.list": lambda s: s.communities.list(),
    "grids.list": lambda s: s.grids.list(),
    "terms.list": lambda s: s.terms.list(),
    "venues.list": lambda s: s.venues.list(),
    "departments.list": lambda s: s.departments.list(),
    "institutions.list": lambda s: s.institutions.list(),
    "topics.list": lambda s: s.topics.list(),
    "recycle.list": lambda s: s.recycle.list(),
    "workflows.steps": lambda s: s.workflows.steps(KINDS[0][0]),
    "action_items.list": lambda s: s.action_items.list(ActionFilter()),
    "visits.list": lambda s: s.visits.list(VisitFilter(year=YEAR)),
    "visits.year_board": lambda s: s.visits.year_board(YEAR),
    "cadence.year_plan": lambda s: s.cadence.year_plan(YEAR),
    "receptions.roster": lambda s: s.receptions.roster(date.today().isoformat()[:7]),
    "nomination.list": lambda s: s.nomination.list(),
}

NAMED = re.compile(r"\b(?:FROM|JOIN)\s+\[?(\w+)\]?", re.IGNORECASE)


def named_in(statements: list[str], tables: set[str]) -> set[str]:
    """The schema's tables the statements name after FROM or JOIN (CTE names and aliases are not
    tables of the schema, so they drop out)."""
    return {name for sql in statements for name in NAMED.findall(sql) if name in tables}


@pytest.mark.parametrize("name", list(QUERIES))
def test_a_list_query_reads_exactly_the_tables_its_sql_names(demo, name):
    tables = {r[0] for r in demo.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    virtual = {r[0] for r in demo.db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")}
    QUERIES[name](demo)  # once outside: its statements are cached when it runs again
    statements: list[str] = []
    demo.db.conn.set_trace_callback(statements.append)
    try:
        with demo.query() as read:
            QUERIES[name](demo)
    finally:
        demo.db.conn.set_trace_callback(None)
    assert statements, "the query ran no SQL"
    # a full-text index reads its own shadow tables (opinions_fts_idx): no edit names those
    shadows = {t for t in read if any(t.startswith(f"{v}_") for v in virtual)}
    assert read - shadows == named_in(statements, tables)


def test_the_lists_that_show_group_names_read_groups(demo):
    """The ledger once refreshed on a list of its tables kept by hand, without `groups`."""
    for name in ("delegates.page", "meetings.page", "opinions.page", "visits.year_board", "groups.list"):
        with demo.query() as read:
            QUERIES[name](demo)
        assert "groups" in read, name


def test_reading_names_tables_behind_joins_subqueries_views_and_cached_statements():
    conn = sqlite3.connect(":memory:")
    conn.executescript("CREATE TABLE a(id, b_id); CREATE TABLE b(id, name); CREATE TABLE c(a_id);"
                       "CREATE TABLE d(x); CREATE VIEW v AS SELECT x FROM d;")
    sql = ("WITH w AS (SELECT a_id FROM c) SELECT a.id, b.name FROM a LEFT JOIN b ON b.id = a.b_id"
           " WHERE EXISTS (SELECT 1 FROM w WHERE w.a_id = a.id) AND a.id NOT IN (SELECT x FROM v)")
    conn.execute(sql).fetchall()  # cached before the authorizer is set
    for _ in range(2):
        with reading(conn) as read:
            conn.execute(sql).fetchall()
        assert read == {"a", "b", "c", "d", "v"}  # a view and the table under it
    with reading(conn) as read:
        conn.execute("SELECT count(*) FROM d").fetchall()
    assert read == {"d"}
    with reading(conn) as read:
        pass
    assert read == set()


def test_a_read_inside_a_read_is_collected_by_the_outer_one(demo):
    with demo.query() as outer:
        with demo.query():
            demo.groups.list()
        demo.terms.list()
    assert {"groups", "terms"} <= outer


def test_a_query_that_reads_nothing_reports_nothing(demo):
    with demo.query() as read:
        pass
    assert read == set()
