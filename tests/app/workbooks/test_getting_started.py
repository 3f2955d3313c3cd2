"""Getting started: the order a new office brings its books in, and the shipped samples that take
an empty office to a usable desk."""

from __future__ import annotations

from app.workbooks.kinds import getting_started


def test_the_shipped_samples_reach_a_usable_desk(store):
    from app.workbooks.bring_in import import_file
    from app.workbooks.importer import import_roster
    from app.workbooks.kinds import kind

    first = getting_started(store)
    assert [s["title"] for s in first["steps"]][:1] == ["村（社区）和网格"]
    # (a new office lists the usual departments, but none with whom to call: nothing is ticked; that
    # step is one an office may leave)
    assert not [s["title"] for s in first["steps"] if s["done"]] and not first["finished"]
    assert [s["title"] for s in first["steps"] if s["optional"]] == ["部门（单位）", "议事活动"]
    assert first["total"] == 4 and store.scalar("SELECT count(*) FROM departments WHERE deleted = 0") == 21
    assert all(e["sample"] for s in first["steps"] for e in s["kinds"])  # each step has its sample
    for step in first["steps"]:
        for entry in step["kinds"]:
            if entry["name"] == "delegates":
                report = import_roster(store, entry["sample"])
                assert report["imported"] and len(report["rejected"]) <= 2
            else:
                report = import_file(store, kind(entry["name"]), entry["sample"])
                # (a sample names only what the samples before it brought in: one office throughout)
                assert report["counts"]["new"] and report["counts"]["refused"] <= 2, (
                    f"{entry['sample_name']}: " + "；".join(f"第 {r['row']} 行 {r['reason']}" for r in report["refused"]))
    done = getting_started(store)
    assert done["finished"] and all(s["done"] for s in done["steps"] if not s["optional"])
