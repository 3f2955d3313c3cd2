"""The import engine, through `import_file` as the CLI and the window call it (grids as the kind)."""

from __future__ import annotations

import openpyxl
import pytest

from app.common.errors import AppError, Cancelled
from app.workbooks.bring_in import changes_of, import_file, report_register, with_remap
from app.workbooks.kinds import kind, names
from app.workbooks.tabular import layout_key
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
    told = []
    with pytest.raises(Cancelled, match="^已取消导入，没有保存任何记录$"):  # (the window's cancel button: False)
        import_file(store, kind("grids"), path, progress=lambda done, total: told.append(done) or (False if done == 2 else None))
    assert digest(store) == before and told == [1, 2]


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


def test_the_whole_report_of_an_import_as_the_cli_and_the_window_read_it(store, tmp_path):
    """Every key of the report, for a file with a new row, a warning, one refused by the rule book
    (its cell), one the file repeats, one that names no grid, and formulas in two cells."""
    path = write(tmp_path, [["甲社区", "第1网格", "张三", "135"],
                            ["乙社区", "第1网格", None, "13500000002"],
                            ["甲社区", "第1网格", "李四", None],
                            ["甲社区", None, "王六", None],
                            ["甲社区", "第3网格", "王五", "13500000003"]])
    book = openpyxl.load_workbook(path)
    book.active["C8"], book.active["D8"] = "=A1", "=A2"
    book.save(path)
    seen = []
    report = import_file(store, kind("grids"), path, progress=lambda done, total: seen.append(done))
    assert seen[-5:] == [1, 2, 3, 4, 5]  # told in the careful pass too (the rule book refused a row)
    changes = report.pop("changes")
    mapping = report.pop("mapping")
    assert [(m["letter"], m["heading"], m["field"], m["field_label"], m["samples"]) for m in mapping] == [
        ("A", "社区名称", "community", "所在村（社区）", ["甲社区", "乙社区", "甲社区"]),
        ("B", "网格名称", "name", "网格名称", ["第1网格", "第1网格", "第1网格"]),
        ("C", "网格员", "worker_name", "网格员", ["张三", "", "李四"]),
        ("D", "网格员电话", "worker_phone", "网格员电话", ["135", "13500000002", ""])]
    base = {"sheet": "Sheet1", "changes": [], "change_text": ""}
    rows = [
        {**base, "row": 4, "name": "甲社区第1网格", "verdict": "new", "verdict_label": "新增", "reason": "",
         "cell": "", "warnings_list": ["“网格员电话”135：联系电话应为 7—12 位数字（手机号 11 位，座机可带区号），未导入"],
         "warnings": "“网格员电话”135：联系电话应为 7—12 位数字（手机号 11 位，座机可带区号），未导入"},
        {**base, "row": 5, "name": "乙社区第1网格", "verdict": "refused", "verdict_label": "拒绝",
         "reason": "填写了网格员电话，却没有网格员姓名", "cell": "D5", "warnings_list": [], "warnings": ""},
        {**base, "row": 6, "name": "甲社区第1网格", "verdict": "duplicate", "verdict_label": "重复",
         "reason": "与第 4 行是同一网格", "cell": "", "warnings_list": [], "warnings": ""},
        {**base, "row": 7, "name": "甲社区", "verdict": "refused", "verdict_label": "拒绝",
         "reason": "网格名称和编号都为空", "cell": "B7", "warnings_list": [], "warnings": ""},
        {**base, "row": 8, "name": "甲社区第3网格", "verdict": "refused", "verdict_label": "拒绝",
         "reason": "“网格员”、“网格员电话”是公式，请改为文字或数字", "cell": "C8", "warnings_list": [], "warnings": ""},
    ]
    assert report == {
        "kind": "grids", "noun": "网格", "unit": "个", "file": "g.xlsx", "dry_run": False, "sheets": ["Sheet1"],
        "header_row": 3, "layout": layout_key("grids", HEADER),
        "counts": {"new": 1, "update": 0, "same": 0, "refused": 3, "duplicate": 1},
        "rows": rows, "refused": rows[1:], "updates": [],
        "warnings": [{"sheet": "Sheet1", "row": 4, "name": "甲社区第1网格", "warning": rows[0]["warnings"]}],
        "skipped": [{"sheet": "Sheet1", "row": 9, "reason": "小计或合计行（合计）"},
                    {"sheet": "Sheet1", "row": 10, "reason": "说明文字（注：本表由社区填报，空白格与上一行相同。）"}],
        "created": {"村（社区）": ["甲社区"]}, "absent": {"count": 0, "names": []},
    }
    assert {c.table for c in changes.rows} == {"communities", "grids"}
    entry = store.rows("SELECT action, summary FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert dict(entry) == {"action": "import", "summary": "导入网格：g.xlsx（新增 1 个，更新 0 个，拒绝 4 行）"}


def test_a_change_lists_labels_and_empty_values_as_the_preview_shows_them(store, tmp_path):
    import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第1网格", "张三", "13500000001"]]))
    report = import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第1网格", None, None]], "b.xlsx"))
    assert report["updates"][0]["changes"] == [{"field": "网格员", "old": "张三", "new": ""},
                                               {"field": "网格员电话", "old": "13500000001", "new": ""}]
    assert report["updates"][0]["change_text"] == "网格员：张三 → （空）；网格员电话：13500000001 → （空）"
    back = import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第1网格", "李四", None]], "c.xlsx"))
    assert back["updates"][0]["change_text"] == "网格员：（空） → 李四"
    listed = changes_of({"x": None}, {"x": 5, "y": "a"}, {})
    assert listed == ({"x": 5, "y": "a"}, [("x", "", "5"), ("y", "", "a")])  # no label: the field's own name


def test_a_file_with_no_table_of_the_kind_says_what_headers_it_needs(store, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别"])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(AppError) as refused:
        import_file(store, kind("grids"), tmp_path / "x.xlsx")
    assert refused.value.message == ("“x.xlsx”中没有找到网格表：需要有“所在村（社区）”、“网格名称”等表头的工作表"
                                     "（表头可以在标题行下面）；如果确是网格表，请指定各列导入为哪一项（表头在第 1 行）")


def test_the_check_report_register_lays_out_every_row(store, tmp_path):
    report = import_file(store, kind("grids"), write(tmp_path, [["甲社区", "第1网格", None, "135"]]), dry_run=True)
    register = report_register(store, report)
    assert [(c.header, c.key, c.min_width, c.max_width, c.wrap) for c in register.columns] == [
        ("工作表", "sheet", 8, 40, False), ("行号", "row", 6, 40, False), ("网格", "name", 12, 40, False),
        ("结果", "verdict_label", 6, 40, False), ("单元格", "cell", 6, 40, False),
        ("原因", "reason", 20, 50, True), ("改动", "change_text", 20, 50, True), ("提示", "warnings", 20, 50, True)]
    assert (register.unit, register.sheet_name, register.rows) == (store.settings.unit(), "导入结果", report["rows"])


# -- headings the desk does not know ---------------------------------------------------------------
def odd_venues_file(tmp_path):
    """A venue list whose heading for the name is one no office was seen to use."""
    from tests.app.workbooks.sheets import messy_sheet

    return messy_sheet(tmp_path / "阵地.xlsx", "议事场所一览", ["序号", "叫法", "层级", "详细地址", "备注"],
                       [[1, "幸福里议事站", "小区邻里议事堂", "幸福里 3 号", None],
                        [2, "金龙议事站", "小区邻里议事堂", "金龙路 8 号", "新建"]])


def test_a_file_whose_name_column_is_not_recognised_asks_for_it_to_be_mapped(store, tmp_path):
    from app.workbooks.bring_in import NeedsMapping, import_file, with_remap
    from app.workbooks.kinds import kind

    path, venues = odd_venues_file(tmp_path), kind("venues")
    before = digest(store)
    with pytest.raises(NeedsMapping) as asked:
        import_file(store, venues, path, dry_run=True)
    assert asked.value.message == ("“阵地.xlsx”中没有找到阵地表：需要有“阵地名称”等表头的工作表（表头可以在标题行下面）；"
                                   "如果确是阵地表，请指定各列导入为哪一项（表头在第 3 行）")
    sketch = asked.value.sketch
    assert (sketch["header_row"], sketch["sheets"]) == (3, ["Sheet1"])
    assert [(m["letter"], m["heading"], m["field"]) for m in sketch["mapping"]] == [
        ("A", "序号", ""), ("B", "叫法", ""), ("C", "层级", "level"), ("D", "详细地址", "address"), ("E", "备注", "notes")]
    assert digest(store) == before
    mapping = with_remap(path, venues, ["B=阵地名称"])
    assert mapping == {1: "name", 2: "level", 3: "address", 4: "notes"}
    checked = import_file(store, venues, path, dry_run=True, mapping=mapping)
    assert checked["counts"]["new"] == 2 and checked["header_row"] == 3 and digest(store) == before
    import_file(store, venues, path, mapping=mapping)
    names = {v["name"]: v["address"] for v in store.venues.list()}
    assert names["幸福里议事站"] == "幸福里 3 号" and names["金龙议事站"] == "金龙路 8 号"


def test_a_sheet_with_no_header_like_row_is_still_refused_plainly(store, tmp_path):
    import openpyxl

    from app.workbooks.bring_in import NeedsMapping, import_file
    from app.workbooks.kinds import kind

    book = openpyxl.Workbook()
    for value in ("只有一列", "第二行", "第三行"):
        book.active.append([value])
    book.save(tmp_path / "一列.xlsx")
    with pytest.raises(AppError, match="没有找到阵地表") as refused:
        import_file(store, kind("venues"), tmp_path / "一列.xlsx", dry_run=True)
    assert not isinstance(refused.value, NeedsMapping)


def test_the_cli_names_the_columns_and_how_to_map_one(tmp_path):
    from tests.conftest import run_cli

    path, data = odd_venues_file(tmp_path), tmp_path / "data"
    run_cli("init", "--data", data, check=True)
    asked = run_cli("import", "venues", path, "--dry-run", "--data", data)
    assert asked.returncode != 0 and "Traceback" not in asked.stderr
    assert "如果确是阵地表，请指定各列导入为哪一项" in asked.stderr and "--map B=阵地名称" in asked.stderr
    assert "B列“叫法”" in asked.stderr
    done = run_cli("import", "venues", path, "--map", "B=阵地名称", "--data", data)
    assert done.returncode == 0 and "新增 2 处" in done.stdout, done.stderr
