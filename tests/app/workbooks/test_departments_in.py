"""Departments with their contacts from the office's 联系表, the 部门（单位）联系表 back as updates,
and the contact fields themselves (migration, rule book, service, register)."""

from __future__ import annotations

import json
import sqlite3

import openpyxl
import pytest

from app.common.errors import AppError, ValidationError
from app.common.resources import shipped_dir
from app.registers.catalog import REGISTERS, export_register
from app.rules.book import TABLES
from app.storage.schema import SYNCED_FIELDS
from app.store import DB_NAME, Store
from app.workbooks.bring_in import import_file
from app.workbooks.kinds import LABELS, kind
from tests.app.workbooks.sheets import messy_sheet
from tests.conftest import digest, run_cli


def sample():
    return shipped_dir("data") / "samples" / kind("departments").sample


def contacts(store) -> dict[str, tuple]:
    return {d["name"]: (d["full_name_shown"], d["contact"], d["phone"]) for d in store.departments.list()}


def test_the_messy_sample_comes_in_with_its_refusal_named(store):
    assert LABELS["departments"] == "部门（单位）"
    before = digest(store)
    checked = import_file(store, kind("departments"), sample(), dry_run=True)
    assert digest(store) == before  # a dry run writes nothing
    # a new office lists the usual departments: 11 of them get their contacts, 消防 and 派出所 are new
    assert checked["counts"] == {"new": 2, "update": 11, "same": 0, "refused": 1, "duplicate": 0}
    [refused] = checked["refused"]
    assert (refused["row"], refused["cell"]) == (10, "D10")
    assert refused["reason"] == "“简称”为空（全称“永川区退役军人事务局”不是已有的部门）"
    assert [(w["row"], w["warning"].split("：")[0]) for w in checked["warnings"]] == [(13, "“联系电话”138-8301-234567")]
    assert [s["row"] for s in checked["skipped"]] == [20, 21]  # the 合计 line, the note
    assert checked["absent"]["count"] == 10 and "交通运输" in checked["absent"]["names"]
    done = import_file(store, kind("departments"), sample())
    assert done["counts"] == checked["counts"]
    got = contacts(store)
    assert got["城管"] == ("永川区城市管理局", "王建军", "02349881234")
    assert got["公安"] == ("永川区公安分局", "李涛", "13908231456")  # a number cell
    assert got["教育"] == ("永川区教育委员会", "周丽", None)
    assert got["街道城管办"][1:] == ("何军", None)  # the phone that cannot be one is told, left out
    assert got["消防"] == ("永川区消防救援支队", "黄磊", "02349866119")
    assert got["供电公司"][0] == "国网永川供电公司"
    names = [d["name"] for d in store.departments.list()]
    assert names[-2:] == ["消防", "派出所"]  # new ones after those listed, in the file's order
    again = import_file(store, kind("departments"), sample(), dry_run=True)
    assert again["counts"]["same"] == 13 and again["counts"]["update"] == 0


def test_an_import_is_one_undo(store):
    before = digest_of_departments(store)
    done = import_file(store, kind("departments"), sample())
    assert len(store.departments.list()) == 23
    store.undo(done["changes"], "导入部门（单位）")
    assert digest_of_departments(store) == before


def digest_of_departments(store):
    return [tuple(r) for r in store.db.execute("SELECT id, name, full_name, contact, phone, sort_order, deleted"
                                                 " FROM departments WHERE deleted = 0 ORDER BY id")]


def test_a_refused_import_leaves_the_store(store, tmp_path):
    before = digest(store)
    unnamed = messy_sheet(tmp_path / "通讯录.xlsx", "通讯录", ["序号", "联系人", "联系电话"], [[1, "王建军", "13908231456"]])
    with pytest.raises(AppError, match="部门"):
        import_file(store, kind("departments"), unnamed)
    assert digest(store) == before


def test_a_department_is_found_by_its_full_name(demo, tmp_path):
    header = ["部门（单位）名称", "简称", "联系人", "电话"]
    rows = [["永川区城市管理局", "城管局", "王建军", "023-49881234"],  # 城管's full name, another short name
            ["永川区公安分局", None, "李涛", None],  # no short name: its full name tells
            ["永川区民政局", "民政", "陈刚", None]]
    path = messy_sheet(tmp_path / "部门.xlsx", "部门", header, rows)
    checked = import_file(demo, kind("departments"), path, dry_run=True)
    assert checked["counts"] == {"new": 0, "update": 3, "same": 0, "refused": 0, "duplicate": 0}
    changes = {r["name"]: r["change_text"] for r in checked["updates"]}
    assert changes["城管局"] == "简称：城管 → 城管局；联系人：（空） → 王建军；联系电话：（空） → 02349881234"
    assert changes["永川区公安分局"] == "联系人：（空） → 李涛"
    assert "不随之改变" in checked["warnings"][0]["warning"]
    assert "城管" not in checked["absent"]["names"] and "公安" not in checked["absent"]["names"]
    import_file(demo, kind("departments"), path)
    assert contacts(demo)["城管局"] == ("永川区城市管理局", "王建军", "02349881234")
    # the reference list names 城管, not 城管局: the full name is kept as the department's own
    assert demo.departments.stored(demo.departments.find_ids("城管局", ("name",))[0])["full_name"] == "永川区城市管理局"
    assert contacts(demo)["民政"][0] == "永川区民政局"
    assert demo.departments.stored(demo.departments.find_ids("民政", ("name",))[0])["full_name"] is None


def test_the_register_comes_back_as_an_update_of_one_field(demo, tmp_path):
    assert REGISTERS["departments"][0] == "部门（单位）联系表"
    first = demo.departments.list()[0]
    demo.departments.update(first["id"], {"contact": "王建军", "phone": "023-4988 1234", "full_name": "永川区城管局"})
    path = tmp_path / "部门（单位）联系表.xlsx"
    export_register(demo, "departments", path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert [c.value for c in sheet[3]] == ["序号", "简称", "全称", "联系人", "联系电话"]
    assert [c.value for c in sheet[4]][1:] == ["城管", "永川区城管局", "王建军", "02349881234"]
    unchanged = import_file(demo, kind("departments"), path, dry_run=True)
    assert unchanged["counts"]["same"] == len(demo.departments.list()) == 21
    assert unchanged["counts"]["update"] == 0 and not unchanged["warnings"]
    sheet.cell(6, 4).value = "张敏"  # 住建's contact
    book.save(path)
    before = contacts(demo)
    done = import_file(demo, kind("departments"), path)
    assert done["counts"]["update"] == 1
    assert done["updates"][0]["changes"] == [{"field": "联系人", "old": "", "new": "张敏"}]
    assert len(done["changes"].rows) == 1
    demo.undo(done["changes"], "导入部门（单位）")
    assert contacts(demo) == before


def test_the_register_into_a_new_office_gives_the_same_departments(demo, store, tmp_path):
    demo.departments.create({"name": "消防", "full_name": "永川区消防救援支队", "contact": "黄磊", "phone": "02349866119",
                             "sort_order": 22})
    path = tmp_path / "部门（单位）联系表.xlsx"
    export_register(demo, "departments", path)
    done = import_file(store, kind("departments"), path)
    assert not done["refused"] and done["counts"]["new"] == 1
    assert contacts(store) == contacts(demo)  # (the full names as the demo's documents give them)
    assert [d["name"] for d in store.departments.list()] == [d["name"] for d in demo.departments.list()]


def test_the_cli_imports_departments_and_a_dry_run_leaves_the_store(tmp_path):
    data = tmp_path / "office"
    run_cli("init", "--data-dir", data, check=True)
    with Store.open(data) as store:
        before = digest(store)
    dry = run_cli("import", "departments", sample(), "--dry-run", "--data-dir", data, "--json", check=True)
    assert json.loads(dry.stdout)["counts"]["new"] == 2
    with Store.open(data) as store:
        assert digest(store) == before
    done = run_cli("import", "departments", sample(), "--data-dir", data, check=True)
    assert "新增 2 个，更新 11 个" in done.stdout and "拒绝：部门通讯录 第 10 行（D10）" in done.stdout
    assert "不会删除" in done.stdout
    with Store.open(data) as store:
        assert contacts(store)["派出所"] == ("中山路派出所", "郑勇", "02349830110")


# -- the contact fields ------------------------------------------------------------------------------
def test_contact_and_phone_are_synced_fields_the_rule_book_knows(store):
    assert SYNCED_FIELDS["departments"][-2:] == ("contact", "phone")
    rules = TABLES["departments"].fields
    assert (rules["contact"].label, rules["phone"].label) == ("联系人", "联系电话")
    first = store.departments.list()[0]
    store.departments.update(first["id"], {"contact": " 王建军 ", "phone": "023-4988 1234"})
    assert contacts(store)[first["name"]][1:] == ("王建军", "02349881234")  # stored as every phone: digits
    with pytest.raises(ValidationError, match="7—12 位数字") as refused:
        store.departments.update(first["id"], {"phone": "12345"})
    assert refused.value.field == "phone"
    fields = [f.name for f in store.departments.fields]
    assert fields == ["name", "full_name", "contact", "phone", "sort_order"]


def test_the_migration_gives_departments_already_listed_no_contact(tmp_path):
    folder = tmp_path / "data"
    Store.open(folder).close()
    conn = sqlite3.connect(folder / DB_NAME)  # as an office's database before m026
    conn.execute("ALTER TABLE departments DROP COLUMN contact")
    conn.execute("ALTER TABLE departments DROP COLUMN phone")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm026_departments_contact'")
    conn.commit()
    conn.close()
    with Store.open(folder) as store:
        rows = store.departments.list()
        assert len(rows) == 21 and all(r["contact"] is None and r["phone"] is None for r in rows)
        assert "m026_departments_contact" in {r["name"] for r in store.rows("SELECT name FROM _sqlite_migrations")}
        store.departments.update(rows[0]["id"], {"contact": "王建军"})
        assert store.departments.list()[0]["contact"] == "王建军"
