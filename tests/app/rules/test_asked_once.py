"""The rule book asked about fields named in a list (an insert names those it sets) works out once
which rules those take part in: what it answers is what it answers for the same fields as a set
(every breach, in the same order), for rows that break rules one, two or three at a time."""

from __future__ import annotations

import random

from app.rules.book import TABLES
from app.rules.engine import row_breaches

BAD = [None, "", "2025-13-01", "2099-01-01", "1900-01-01", "xx", 5, "编" * 90, "not-a-uuid", "closed", "assigned",
       '["a"]', "{}", "2023-01-01", "2030-05-05", -1, 10**7, True, 1.5]


def _parents(table, row_id):
    return {"opinions": {"id": row_id, "received_on": "2025-02-01", "reported_on": "2025-03-01", "deleted": 0},
            "meetings": {"id": row_id, "date": "2025-02-10", "deleted": 0},
            "topics": {"id": row_id, "status": "deliberated", "meeting_id": "m" * 36, "deleted": 0}}.get(table)


def test_fields_named_in_a_list_are_asked_as_the_same_fields_as_a_set():
    rng = random.Random(26)
    base = {"opinions": {"serial": "YJ2025-0001", "source": "phone", "received_on": "2025-02-01", "title": "路灯不亮",
                         "status": "assigned", "assigned_on": "2025-02-03", "deadline": "2025-03-01",
                         "lead_unit": "城管", "answered_on": "2025-02-20", "topic_id": "1" * 8 + "-1111-4111-8111-" + "1" * 12},
            "opinion_events": {"opinion_id": "2" * 8 + "-2222-4222-8222-" + "2" * 12, "day": "2025-02-05",
                               "kind": "topic", "detail": '{"note": "由台账导入"}', "actor": "张三"}}
    asked = 0
    for table, row in base.items():
        names = list(TABLES[table].fields)
        for _ in range(400):
            bad = dict(row)
            for _ in range(rng.randrange(0, 4)):
                bad[rng.choice(names)] = rng.choice(BAD)
            only = [n for n in names if n in bad and rng.random() < 0.8] + ["id", "deleted"]
            for _again in range(2):  # (the second time from what was worked out)
                listed = row_breaches(table, bad, _parents, row_id="r1", only=only)
                as_set = row_breaches(table, bad, _parents, row_id="r1", only=set(only))
                assert [str(b) for b in listed] == [str(b) for b in as_set]
                assert [b.field for b in listed] == [b.field for b in as_set]
                asked += bool(listed)
    assert asked > 400  # (most rows broke something)
