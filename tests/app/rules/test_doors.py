"""Generated from the rule book: for every table and field, each way its rule can be broken is
refused at every door — the write path every form and CLI command goes through, a package from
another office, the Excel roster — naming table, row and field, with the store left as it was."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile

import pytest

from app.common.clock import RowStamps, Stamp
from app.common.errors import ValidationError
from app.exchange.merge import Package, check_rules, import_package
from app.exchange.package import PackageError, seal
from app.rules.book import TABLES
from app.storage.schema import SYNCED_FIELDS
from tests.app.rules.breaking import bad_values
from tests.conftest import digest

CASES = [(table, name, way, value) for table, spec in TABLES.items() for name, rule in spec.fields.items()
         for way, value in bad_values(rule).items()]
FAKE_SITE = "11111111-1111-4111-8111-111111111111"


def _valid_rows(store) -> dict[str, dict]:
    """A live, valid row of every table (the demo has most; the rest are written here)."""
    rows = {}
    meeting = store.rows("SELECT id, date FROM meetings WHERE status = 'held' AND deleted = 0 LIMIT 1")[0]
    opinion = store.rows("SELECT id FROM opinions WHERE deleted = 0 LIMIT 1")[0]["id"]
    delegate = store.rows("SELECT id FROM delegates WHERE deleted = 0 LIMIT 1")[0]["id"]
    extra = {
        "holiday_days": {"day": "2031-10-01", "kind": "holiday", "note": "国庆节"},
        "issued_docs": {"kind": "minutes", "record_id": meeting["id"], "dated_on": meeting["date"],
                        "doc_number": "中山路议〔2025〕1号"},
        "opinion_files": {"opinion_id": opinion, "title": "现场照片", "file_name": "a.jpg",
                          "sha256": "a" * 64, "size": 10},
        "summary_texts": {"year": 2025, "key": "intro", "text": "导语"},
        "delegate_reviews": {"delegate_id": delegate, "year": 2025, "grade": "优秀", "remarks": None},
        "conflicts": {"at": "2026-11-26T00:00:00+00:00", "package_id": str(uuid.uuid4()), "kind": "concurrent",
                      "tbl": "groups", "row_id": str(uuid.uuid4()), "field": "name", "kept_value": "甲",
                      "lost_value": "乙", "kept_stamp": "[1, 0, \"a\"]", "lost_stamp": "[0, 0, \"b\"]",
                      "lost_site": "别处"},
    }
    with store.write("create", "测试用的记录") as tx:
        for table, values in extra.items():
            if not store.scalar(f"SELECT 1 FROM [{table}] WHERE deleted = 0"):
                tx.insert(table, values)
    _people_rows(store, meeting, opinion, delegate)
    for table in TABLES:
        columns = ", ".join(f"[{f}]" for f in SYNCED_FIELDS[table])
        found = store.rows(f"SELECT id, {columns} FROM [{table}] WHERE deleted = 0 ORDER BY rowid LIMIT 1")
        assert found, table
        rows[table] = found[0]
    return rows


def _people_rows(store, meeting, opinion, delegate) -> None:
    """A row of each table of supervision participants, group discussions, surveys and elections."""
    group = store.scalar("SELECT group_id FROM delegates WHERE id = ?", [delegate])
    topic = store.scalar("SELECT id FROM topics WHERE deleted = 0 LIMIT 1")
    supervision = store.scalar("SELECT id FROM supervisions WHERE deleted = 0 LIMIT 1")
    with store.write("create", "测试用的记录") as tx:
        if not store.scalar("SELECT 1 FROM supervision_delegates WHERE deleted = 0"):
            tx.insert("supervision_delegates", {"supervision_id": supervision, "delegate_id": delegate})
        if not store.scalar("SELECT 1 FROM meeting_discussions WHERE deleted = 0"):
            tx.insert("meeting_discussions", {"meeting_id": meeting["id"], "group_id": group, "points": "要点"})
        if not store.scalar("SELECT 1 FROM group_elections WHERE deleted = 0"):
            tx.insert("group_elections", {"group_id": group, "day": meeting["date"], "role": "leader",
                                          "delegate_id": delegate, "members": 9, "votes": 8, "result": "elected"})
        if not store.scalar("SELECT 1 FROM field_surveys WHERE deleted = 0"):
            survey = tx.insert("field_surveys", {"topic_id": topic, "day": meeting["date"], "place": "现场",
                                                 "units": '["公交公司"]', "findings": "发现"})
            tx.insert("survey_delegates", {"survey_id": survey, "delegate_id": delegate})
        if not store.scalar("SELECT 1 FROM survey_photos WHERE deleted = 0"):
            survey = store.scalar("SELECT id FROM field_surveys WHERE deleted = 0 LIMIT 1") or survey
            tx.insert("survey_photos", {"survey_id": survey, "title": "照片", "file_name": "a.jpg",
                                        "sha256": "b" * 64, "size": 10})


@pytest.fixture(scope="module")
def base(tmp_path_factory, demo_template):
    """A demo store (module-wide: every refusal leaves it as it was) and a valid row per table."""
    import shutil

    from app.store import Store

    folder = tmp_path_factory.mktemp("doors") / "data"
    shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns("yishi.lock"))
    store = Store.open(folder)
    rows = _valid_rows(store)
    yield store, rows
    store.close()


def test_every_rule_is_refused_by_the_write_path(base):
    """The write path under every service (a form's save, a CLI command, an import's rows)."""
    store, rows = base
    before = digest(store)
    missed = []
    for table, name, way, value in CASES:
        values = {k: v for k, v in rows[table].items() if k != "id"}
        values[name] = value
        try:
            with store.write("create", f"试写{table}") as tx:
                tx.insert(table, values)
        except ValidationError as exc:
            label = TABLES[table].labels[name]
            if label not in exc.message and exc.field != name:
                missed.append((table, name, way, exc.message))
            continue
        missed.append((table, name, way, "accepted"))
    assert not missed
    assert digest(store) == before


def _package(rows: dict[str, list[tuple[str, list]]], fields: dict[str, list[str]]) -> bytes:
    members, tables = {}, {}
    for table, items in rows.items():
        lines = [json.dumps({"id": row_id, "v": values, "c": [1_700_000_000_000, 0, 0]}, ensure_ascii=False)
                 for row_id, values in items]
        data = ("\n".join(lines) + "\n").encode()
        members[f"rows/{table}.ndjson"] = data
        tables[table] = {"fields": fields[table], "count": len(items)}
    manifest = {"format": "yspkg-content", "version": 1, "app_version": "0.1.0",
                "schema": sorted(m.name for m in __import__("app.storage.schema", fromlist=["x"]).migrations._migrations),
                "site_id": FAKE_SITE, "site_name": "别处", "kind": "full", "since": {}, "covers": {},
                "sites": [FAKE_SITE], "tables": tables,
                "members": {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in members.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _incoming(table: str, row: dict, name: str, value) -> tuple[str, dict]:
    values = {k: v for k, v in row.items() if k != "id"}
    values[name] = value
    values["deleted"] = 0
    return str(uuid.uuid4()), values


def test_every_rule_is_refused_in_a_package_naming_table_row_and_field(base):
    """Each bad value in a row another office sends: refused before anything is written."""
    store, rows = base
    before = digest(store)
    missed = []
    for table, name, way, value in CASES:
        row_id, values = _incoming(table, rows[table], name, value)
        package = Package({"package_id": str(uuid.uuid4()), "site_id": FAKE_SITE}, {"app_version": "0.1.0"},
                          {table: [(row_id, values, RowStamps(Stamp(1, 0, FAKE_SITE)))]}, {}, "", None)
        try:
            check_rules(store, package)
        except PackageError as exc:
            spec = TABLES[table]
            if not (spec.noun in exc.message and "第 1 行" in exc.message and spec.labels[name] in exc.message):
                missed.append((table, name, way, exc.message))
            continue
        missed.append((table, name, way, "accepted"))
    assert not missed
    assert digest(store) == before


@pytest.mark.parametrize("table, name, value, said", [
    ("opinions", "status", "zz_new", "数据有误"), ("grid_visits", "residents_met", -5, "不能为负数"),
    ("grid_visits", "day", "2099-01-01", "晚于今天"), ("opinions", "deadline", "明天", "不是有效日期"),
    ("delegates", "name", "长" * 32767, "太长"), ("meetings", "venue_id", "00000000-0000-4000-8000-00000000dead",
                                                  "在交换包和本机都没有"),
])
def test_a_sealed_package_with_a_bad_row_is_refused_whole(base, tmp_path, table, name, value, said):
    """The same through the whole door: a sealed package file, as it comes on the stick."""
    store, rows = base
    row_id, values = _incoming(table, rows[table], name, value)
    fields = [*SYNCED_FIELDS[table], "deleted"]
    content = _package({table: [(row_id, [values[f] for f in fields])]}, {table: fields})
    path = tmp_path / "bad.yspkg"
    path.write_bytes(seal(content, "口令", package_id=str(uuid.uuid4()), site_id=FAKE_SITE, site_name="别处",
                          created="2026-11-26T00:00:00+00:00", scrypt_n=1 << 14))
    before = digest(store)
    with pytest.raises(PackageError, match=said) as caught:
        import_package(store, path, "口令")
    assert TABLES[table].noun in str(caught.value) and TABLES[table].labels[name] in str(caught.value)
    assert digest(store) == before


def test_an_unknown_code_from_a_newer_version_asks_for_an_upgrade(base):
    store, rows = base
    row_id, values = _incoming("opinions", rows["opinions"], "status", "awaiting_review")
    stamps = RowStamps(Stamp(1, 0, FAKE_SITE))
    newer = Package({"package_id": "x", "site_id": FAKE_SITE}, {"app_version": "9.0.0"},
                    {"opinions": [(row_id, values, stamps)]}, {}, "", None)
    with pytest.raises(PackageError, match="由更新版本的议事工作台（9.0.0）制作.*请先升级"):
        check_rules(store, newer)
    same = Package({"package_id": "x", "site_id": FAKE_SITE}, {"app_version": "0.1.0"},
                   {"opinions": [(row_id, values, stamps)]}, {}, "", None)
    with pytest.raises(PackageError, match="交换包数据有误：意见建议第 1 行"):
        check_rules(store, same)


def test_a_stored_row_the_other_office_would_refuse_is_named_when_exporting(demo_dir, tmp_path):
    """Rather than a package the other office refuses: the export names the row to put right."""
    import sqlite3

    from app.exchange.export import export_package
    from app.store import Store

    conn = sqlite3.connect(demo_dir / "yishi.db")
    conn.execute("UPDATE grid_visits SET residents_met = -5 WHERE rowid = 1")
    conn.commit()
    conn.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    with Store.open(demo_dir) as store:
        before = digest(store)
        with pytest.raises(PackageError, match="网格走访记录.*“接触群众（人）”不能为负数"):
            export_package(store, stick, "口令", scrypt_n=1 << 14)
        assert digest(store) == before
    assert not list(stick.iterdir())


def test_every_synced_table_and_field_is_declared_in_the_rule_book():
    """The generated cases above come from the book: a synced field it lacks would be asked at no
    door and tested by none. Every declared field can be broken some way, and every text has a limit
    (a conflict keeps any field's value: up to 1 MiB)."""
    from app.rules.fields import Text

    assert sorted(SYNCED_FIELDS) == sorted(TABLES)
    assert {t: sorted(set(f) - set(TABLES[t].fields)) for t, f in SYNCED_FIELDS.items()
            if set(f) - set(TABLES[t].fields)} == {}
    assert {(t, n) for t, spec in TABLES.items() for n in spec.fields} == {(t, n) for t, n, _, _ in CASES}
    assert all(0 < rule.max <= 1 << 20 for spec in TABLES.values() for rule in spec.fields.values()
               if isinstance(rule, Text))
