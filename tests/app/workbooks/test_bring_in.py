"""The import engine, through `import_file` as the CLI and the window call it (grids as the kind)."""

from __future__ import annotations

import openpyxl
import pytest

from app.common.errors import AppError, Cancelled
from app.workbooks.bring_in import changes_of, import_file, report_register, with_remap
from app.workbooks.kinds import kind, names
from tests.app.workbooks.sheets import messy_sheet
from tests.conftest import digest

HEADER = ["社区名称", "网格名称", "网格员", "网格员电话"]


def write(tmp_path, rows, name="g.xlsx"):
    return messy_sheet(tmp_path / name, "网格", HEADER, rows)


def test_a_row_the_rule_book_refuses_rolls_back_alone_with_what_it_created(store, tmp_path):
    path = write(tmp_path, [["甲社区", "第1网格", "张三", "13500000001"],
                            ["乙社区", "第1网格", None, "13500000002"],  # refused: a phone without a worker
                            ["丙社区", "第1网格", "王五", None]])
    report = import_file(store, kind("grids"), path)
    assert [r["verdict"] for r in report["rows"]] == ["new", "refused", "new"]
    assert report["rows"][1]["reason"] == "填写了网格员电话，却没有网格员姓名"
    # the refused row's community was created in its savepoint and went with it
    assert {c["name"] for c in store.communities.list()} == {"甲社区", "丙社区"}
    assert report["created"] == {"村（社区）": ["甲社区", "丙社区"]}
    assert report["absent"] == {"count": 0, "names": []}


def test_the_quick_pass_and_the_careful_pass_give_the_same_verdicts(store, tmp_path):
    rows = [["甲社区", f"第{n}网格", f"员{n}", f"135000000{n:02d}"] for n in range(1, 6)]
    clean = import_file(store, kind("grids"), write(tmp_path, rows), dry_run=True)
    careful = import_file(store, kind("grids"), write(tmp_path, rows + [["甲社区", "第9网格", None, "13500000009"]],
                                                      "g2.xlsx"), dry_run=True)
    strip = (lambda report: [(r["row"], r["name"], r["verdict"]) for r in report["rows"]])
    assert strip(careful)[:5] == strip(clean) and careful["counts"]["refused"] == 1


def test_the_same_record_twice_in_a_file_and_a_formula_are_refused_with_their_cells(store, tmp_path):
    path = write(tmp_path, [["甲社区", "第1网格", "张三", None], ["甲社区", "第1网格", "李四", None],
                            ["甲社区", "第2网格", "=A1", None]])
    book = openpyxl.load_workbook(path)
    book.active["C6"] = "=A1"
    book.save(path)
    report = import_file(store, kind("grids"), path, dry_run=True)
    assert [(r["verdict"], r["reason"], r["cell"]) for r in report["rows"][1:]] == [
        ("duplicate", "与第 4 行是同一网格", ""), ("refused", "“网格员”是公式，请改为文字或数字", "C6")]


def test_records_the_file_leaves_out_are_reported_and_kept(store, tmp_path):
    import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第1网格", "张三", None],
                                                       ["甲社区", "第2网格", "李四", None]]))
    report = import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第2网格", "李四", None]], "b.xlsx"))
    assert report["absent"] == {"count": 1, "names": ["甲社区第1网格"]}
    assert len(store.grids.list()) == 2


def test_progress_is_told_and_a_cancel_leaves_the_store_as_it_was(store, tmp_path):
    path = write(tmp_path, [["甲社区", f"第{n}网格", None, None] for n in range(1, 4)])
    seen = []
    import_file(store, kind("grids"), path, dry_run=True, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    before = digest(store)
    with pytest.raises(Cancelled):
        import_file(store, kind("grids"), path, progress=lambda done, total: done < 2)
    assert digest(store) == before


def test_the_clerks_mapping_replaces_the_proposed_one(store, tmp_path):
    path = write(tmp_path, [["甲社区", "第1网格", "张三", "13500000001"]])
    assert with_remap(path, kind("grids"), ["C=", "D=网格员电话"]) == {0: "community", 1: "name", 3: "worker_phone"}
    assert with_remap(path, kind("grids"), ["D=worker_name"]) == {0: "community", 1: "name", 3: "worker_name"}
    with pytest.raises(AppError, match="看不懂"):
        with_remap(path, kind("grids"), ["1=name"])
    with pytest.raises(AppError, match="没有“年龄”这个字段"):
        with_remap(path, kind("grids"), ["C=年龄"])
    report = import_file(store, kind("grids"), path, mapping={0: "community", 1: "name", 3: "worker_phone"},
                         dry_run=True)
    assert report["rows"][0]["reason"] == "填写了网格员电话，却没有网格员姓名"
    shown = {m["letter"]: (m["heading"], m["field_label"], m["samples"]) for m in report["mapping"]}
    assert shown["C"] == ("网格员", "", []) and shown["D"] == ("网格员电话", "网格员电话", ["13500000001"])
    with pytest.raises(AppError, match="没有对应“所在村（社区）”、“网格名称”的列"):
        import_file(store, kind("grids"), path, mapping={2: "worker_name"})


def test_a_value_unchanged_is_no_change_whatever_empty_means():
    changed, listed = changes_of({"a": None, "b": "", "c": 1, "d": "x"}, {"a": "", "b": None, "c": 2, "d": "x"},
                                 {"c": "编号"})
    assert changed == {"c": 2} and listed == [("编号", "1", "2")]


def test_the_report_the_clerk_saves_names_every_row(store, tmp_path):
    report = import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第1网格", None, "135"]]), dry_run=True)
    register = report_register(store, report)
    assert register.title == "网格导入检查结果（g.xlsx）"
    assert register.rows[0]["verdict_label"] == "新增" and "未导入" in register.rows[0]["warnings"]


def test_unknown_kinds_are_refused_with_the_list():
    with pytest.raises(AppError, match="可导入：communities、grids"):
        kind("people")
    assert names()[-1] == "delegates"
