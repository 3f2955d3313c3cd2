"""Roster import from the Excel files clerks really have (花名册).

Takes title rows above the header, header wording and order that vary, vertically merged cells,
several sheets, full-width digits, stray and zero-width spaces, dates as Excel dates or text,
IDs Excel turned into numbers (refused: digits are lost), formula cells, summary rows, names
with "·" or characters outside the BMP (kept exactly), and duplicates within the file, across
sheets and against the store. A dry run reports every row's verdict; the write is all-or-nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app.common import idcard
from app.common.errors import AppError, Cancelled, ValidationError
from app.common.textutil import clean, clean_code, validate_phone
from app.rules import TABLES, row_breaches
from app.workbooks.roster_updates import grid_number
from app.workbooks.tabular import as_text, is_note, is_summary

# canonical field -> header spellings (compared after normalising spaces and brackets)
HEADERS = {
    "name": ("姓名",), "gender": ("性别",), "ethnicity": ("民族",),
    "birth": ("出生年月", "出生日期", "出生年月日"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证"),
    "party": ("政治面貌", "党派"), "sector": ("界别",),
    "work": ("工作单位及职务", "工作单位及职务(职称)", "单位及职务"), "workplace": ("工作单位", "单位"),
    "post": ("职务",), "education": ("文化程度", "学历"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式"),
    "community": ("所在村(社区)", "村(社区)", "所在社区", "所在村", "社区"),
    "grids": ("所属网格", "联系网格", "网格"), "group": ("议事小组", "所在小组", "小组"),
    "role": ("小组职务", "组内职务"), "notes": ("备注",), "serial": ("序号",),
    "certificate_no": ("聘书编号",),
}
ROLE_WORDS = {"组长": "leader", "副组长": "deputy_leader", "成员": "member", "组员": "member"}
SUMMARY_WORDS = ("合计", "小计", "总计", "共计")


def _norm_header(text) -> str:
    text = unicodedata.normalize("NFKC", clean(text))
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


_LOOKUP = {_norm_header(h): key for key, names in HEADERS.items() for h in names}


def _parse_birth(value) -> tuple[int, int, int | None] | None:
    if isinstance(value, datetime):
        return value.year, value.month, value.day
    if isinstance(value, date):
        return value.year, value.month, value.day
    text = unicodedata.normalize("NFKC", clean(value))
    m = re.match(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(\d{1,2})\s*日?|月)?$", text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None


@dataclass
class RowVerdict:
    sheet: str
    row: int
    name: str
    verdict: str = "ok"  # ok / rejected / duplicate; update / same (a stored delegate)
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # community, group, grids (names)
    match: dict | None = None  # the stored delegate the row names (an update)
    changes: list[dict] = field(default_factory=list)  # field, old, new (as the clerk reads them)
    update: dict = field(default_factory=dict)  # the delegate's fields to write
    relink: tuple[set, set] | None = None  # grid numbers to link, to unlink


def _header_row(rows: list) -> tuple[int, dict[int, str]] | None:
    for index, row in enumerate(rows[:15]):
        mapping: dict[int, str] = {}
        for col, value in enumerate(row):
            key = _LOOKUP.get(_norm_header(value)) if value is not None else None
            if key and key not in mapping.values():
                mapping[col] = key
        if "name" in mapping.values() and len(mapping) >= 3:
            return index, mapping
    return None


def read_workbook(path: Path | str) -> list[RowVerdict]:
    """Every data row of every sheet with a roster header, checked on its own (no store)."""
    from app.workbooks import read_sheets

    verdicts: list[RowVerdict] = []
    headers: dict = {}  # cell value -> the field its text names as a heading (a column repeats its values)

    def header_of(value) -> str | None:
        key = (type(value), value)  # (1, 1.0 and True are equal, their texts are not)
        try:
            return headers[key]
        except KeyError:
            found = headers[key] = _LOOKUP.get(_norm_header(value))
            return found
        except TypeError:  # (an unhashable value)
            return _LOOKUP.get(_norm_header(value))

    for sheet in read_sheets(path):
        grid = sheet.grid
        shown = [list(row) for row in grid]
        for min_row, max_row, min_col, max_col in sheet.merged:  # a merged block's value belongs to every row of it
            top = grid[min_row - 1][min_col - 1] if min_row - 1 < len(grid) and min_col - 1 < len(grid[min_row - 1]) \
                else None
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    if r - 1 < len(shown) and c - 1 < len(shown[r - 1]):
                        shown[r - 1][c - 1] = top
        found = _header_row(shown)
        if not found:
            continue
        header_index, mapping = found
        headings = {key: clean(shown[header_index][col]) for col, key in mapping.items()}
        for r in range(header_index + 1, len(shown)):
            cells_shown = shown[r]
            cleaned = [clean(v) for v in cells_shown]  # (each cell's text cleaned once, for every question)
            row = {key: cells_shown[col] for col, key in mapping.items() if col < len(cells_shown)}
            said = {key: cleaned[col] for col, key in mapping.items() if col < len(cells_shown)}
            if not any(said.values()):
                continue
            first = said.get("serial") or said.get("name", "")
            texts = [text for text in cleaned if text]
            if r >= len(grid):
                cells = 0
            elif grid[r] == shown[r]:  # (no merged block across the row: the same cells)
                cells = len(texts)
            else:
                cells = sum(1 for v in grid[r] if v is not None and clean(v) != "")
            if any(first.startswith(w) for w in SUMMARY_WORDS) or is_summary(texts) or is_note(texts, cells):
                continue  # 合计 rows, notes such as the register's own “注：身份证号已按规定脱敏显示。”
            if sum(header_of(v) == key for key, v in row.items() if v is not None) >= 2:
                continue  # the second row of a two-row header (姓名 / 性别 … merged above)
            formulas = [headings[key] for col, key in mapping.items()
                        if (r, col) in sheet.formulas and key != "serial"]
            verdict = _check_row(sheet.title, r + 1, row, headings, said)
            if formulas:  # a formula's result is not what the clerk typed: never taken as data
                verdict.verdict = "rejected"
                verdict.reason = "、".join(f"“{h}”" for h in formulas) + "是公式，请改为文字"
            verdicts.append(verdict)
    return verdicts


def _check_row(sheet: str, number: int, row: dict, headings: dict, said: dict[str, str] | None = None) -> RowVerdict:
    """One row's verdict from its values (`row`) and their texts cleaned (`said`, else cleaned here)."""
    if said is None:
        said = {key: clean(value) for key, value in row.items()}
    name = said.get("name", "")
    verdict = RowVerdict(sheet, number, name)

    def reject(reason: str) -> RowVerdict:
        verdict.verdict, verdict.reason = "rejected", reason
        return verdict

    if not name:
        return reject("姓名为空")
    raw_id = row.get("id_number")
    if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
        return reject("身份证号被 Excel 存成了数字，后几位已经丢失；请把该列设为文本后重新录入")
    values = {"name": name}
    masked = clean_code(raw_id) if "*" in said.get("id_number", "") else ""
    if masked:  # the desk's own roster, exported with the ID masked: it names a stored delegate
        verdict.extra["masked_id"] = masked
        problem = _gender_and_birth(row, values, headings, verdict.warnings)
        if problem:
            return reject(problem)
    elif clean_code(raw_id):
        try:
            info = idcard.parse(raw_id)
        except ValidationError as exc:
            return reject(exc.message)
        values["id_number"] = info.number
        values["birth_date"] = info.birth_date.isoformat()
        values["gender"] = info.gender
        given = said.get("gender", "")
        if given and given != info.gender:
            verdict.warnings.append(f"表中性别“{given}”与身份证号（{info.gender}）不一致，已按身份证号登记")
        birth = _parse_birth(row.get("birth")) if row.get("birth") not in (None, "") else None
        if birth and (birth[0], birth[1]) != (info.birth_date.year, info.birth_date.month):
            verdict.warnings.append("表中出生年月与身份证号不一致，已按身份证号登记")
    else:
        verdict.warnings.append("没有身份证号")
        problem = _gender_and_birth(row, values, headings, verdict.warnings)
        if problem:
            return reject(problem)
    if said.get("phone"):
        try:
            values["phone"] = validate_phone(as_text(row.get("phone"))) or ""
        except ValidationError as exc:
            verdict.warnings.append(f"{exc.message}，未导入电话")
    for key in ("ethnicity", "party", "sector", "education", "workplace", "post", "notes", "certificate_no"):
        if said.get(key):
            values[key] = said[key]
    if said.get("work") and "workplace" not in values:
        values["workplace"] = said["work"]
        verdict.extra["work"] = said["work"]  # 工作单位及职务 in one cell
    role = said.get("role", "")
    if role and role not in ROLE_WORDS:  # taken as 成员, as before, but said: never changed quietly
        verdict.warnings.append(f"{headings.get('role') or '小组职务'}“{role[:20]}”不在可选范围内（组长、副组长、成员），"
                                "已按成员登记")
    values["group_role"] = ROLE_WORDS.get(role, "member")
    # The rule book, as for a delegate typed in the window (lengths, dates; references come later).
    broken = row_breaches("delegates", values, only=values)
    if broken:
        first = broken[0]
        heading = headings.get({"birth_date": "birth"}.get(first.field, first.field)) or first.label
        return reject(first.rule if first.whole else f"“{heading}”{first.rule}")
    verdict.values = values
    verdict.extra.update({"community": said.get("community", ""), "group": said.get("group", ""),
                          "grids": [g for g in re.split(r"[、,，;；\s]+", said.get("grids", "")) if g],
                          "columns": set(row)})
    if not verdict.extra["community"]:
        return reject("所在村（社区）为空")
    # names of a community or group the import may create, held to the rule book as well
    for key, table in (("community", "communities"), ("group", "groups")):
        problem = verdict.extra[key] and TABLES[table].fields["name"].problem(verdict.extra[key])
        if problem:
            return reject(f"“{headings.get(key) or TABLES[table].noun}”{problem}")
    for grid in verdict.extra["grids"]:  # the number of a grid the import may create, as well
        named = grid_number(grid)
        wrong = TABLES["grids"].fields["number"].problem(named) if named is not None else None
        if wrong:
            return reject(f"“{headings.get('grids') or '联系网格'}”中“{grid[:20]}”的编号{wrong}")
    return verdict


def _gender_and_birth(row: dict, values: dict, headings: dict, warnings: list[str]) -> str | None:
    """Gender and birth day from their own columns (no ID number to take them from); the refusal
    when the birth is not a date or the day does not exist. What the clerk typed is never dropped
    quietly: a gender other than 男/女 (e.g. 未知) is left empty with a warning."""
    gender = clean(row.get("gender"))
    if gender in ("男", "女"):
        values["gender"] = gender
    elif gender:
        warnings.append(f"{headings.get('gender') or '性别'}“{gender[:20]}”不是“男”或“女”，未登记性别")
    birth = _parse_birth(row.get("birth")) if row.get("birth") not in (None, "") else None
    if birth is None and clean(row.get("birth")):
        return f"“{headings.get('birth') or '出生日期'}”“{clean(row.get('birth'))[:20]}”不是日期（如 1980-05-01、1980年5月）"
    if birth:  # a month alone (1980年5月) gives no birth date, but month 13 is refused like 2月30日
        try:
            day = date(birth[0], birth[1], birth[2] or 1)
        except ValueError:
            return f"出生日期“{row.get('birth')}”不存在"
        if birth[2]:
            values["birth_date"] = day.isoformat()
    return None


def import_roster(store, path: Path | str, *, dry_run: bool = False, progress=None) -> dict:
    """Check the file against the store; unless a dry run, write every valid row in one transaction.

    The report carries, under "changes", what the write changed (for views to refresh)."""
    with idcard.remembering():  # (each ID number is asked by the file's check, the rule book and the door)
        return _import_roster(store, path, dry_run, progress)


def _import_roster(store, path: Path | str, dry_run: bool, progress) -> dict:
    verdicts = read_workbook(path)
    if not verdicts:
        raise AppError("文件中没有找到花名册：需要有“姓名”“身份证号”等表头的工作表")
    seen: dict[str, RowVerdict] = {}
    term_id = store.terms.current_id()
    matches = _stored_matches(store, verdicts, term_id)
    for v in verdicts:
        if v.verdict != "ok":
            continue
        key = v.values.get("id_number") or (f"{v.extra['masked_id']}/{v.name}" if v.extra.get("masked_id")
                                            else f"{v.name}/{v.extra['community']}")
        if key in seen:
            first = seen[key]
            v.verdict, v.reason = "duplicate", f"与“{first.sheet}”第 {first.row} 行重复"
            continue
        seen[key] = v
        # The roster comes into the current term: a delegate of an earlier term is another record.
        v.match = matches.get(id(v))
        if v.match is None and v.extra.get("masked_id"):
            v.verdict, v.reason = "rejected", ("身份证号已脱敏（中间为 *），数据库中找不到这名代表；"
                                               "新代表请填写完整的身份证号")
    stored_too = [v for v in verdicts if v.verdict == "ok" and v.match is not None]
    good = [v for v in verdicts if v.verdict == "ok" and v.match is None]
    created: dict[str, list[str]] = {"communities": [], "groups": [], "grids": []}
    communities = {c["name"]: c for c in store.communities.list()}
    groups = {g["name"]: g for g in store.groups.list()}
    # in the file's order, each once (dicts as ordered sets: a district's roster names hundreds)
    named = good + stored_too
    new_groups = dict.fromkeys(v.extra["group"] for v in named if v.extra["group"] and v.extra["group"] not in groups)
    new_communities = dict.fromkeys(v.extra["community"] for v in named if v.extra["community"] not in communities)
    created["groups"], created["communities"] = list(new_groups), list(new_communities)
    _plan(store, good, created)  # roles and grids decided once, for the dry run and the import alike
    from app.workbooks.roster_updates import plan_updates

    plan_updates(store, stored_too, communities, groups)
    updated = [v for v in stored_too if v.verdict == "update"]
    report = {"file": Path(path).name, "dry_run": dry_run, "imported": len(good), "updated": len(updated),
              "unchanged": sum(1 for v in stored_too if v.verdict == "same"),
              "updates": [{"sheet": v.sheet, "row": v.row, "name": v.name, "changes": v.changes,
                           "change_text": change_text(v.changes)} for v in updated],
              "rejected": [{"sheet": v.sheet, "row": v.row, "name": v.name, "reason": v.reason}
                           for v in verdicts if v.verdict == "rejected"],
              "duplicates": [{"sheet": v.sheet, "row": v.row, "name": v.name, "reason": v.reason}
                             for v in verdicts if v.verdict == "duplicate"],
              "warnings": [{"sheet": v.sheet, "row": v.row, "name": v.name, "warning": w}
                           for v in verdicts for w in v.warnings if v.verdict in ("ok", "update", "same")],
              "created": created, "rows": [_row_report(v) for v in verdicts]}
    if dry_run or not (good or updated):
        return report
    report["changes"] = _write(store, good, updated, communities, groups, created, progress, report)
    return report


def change_text(changes: list[dict]) -> str:
    return "；".join(f"{c['field']}：{c['old'] or '（空）'} → {c['new'] or '（空）'}" for c in changes)


def _stored_matches(store, verdicts: list[RowVerdict], term_id) -> dict[int, dict]:
    """The current term's delegate each row names, asked once for all rows (not a query a row):
    by ID number; by name and masked ID (the desk's own roster); by name and community (no ID)."""
    rows = [v for v in verdicts if v.verdict == "ok"]
    numbers = [v.values["id_number"] for v in rows if v.values.get("id_number")]
    by_number: dict[str, dict] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        by_number.update((r["id_number"], r) for r in store.rows(
            f"SELECT * FROM delegates WHERE id_number IN ({', '.join('?' for _ in chunk)})"
            " AND deleted = 0 AND term_id IS ?", [*chunk, term_id]))
    by_name: dict[str, list[dict]] = {}
    if any(not v.values.get("id_number") for v in rows):
        for r in store.rows("SELECT d.*, c.name AS community_name FROM delegates d JOIN communities c"
                            " ON c.id = d.community_id WHERE d.deleted = 0 AND d.term_id IS ?", [term_id]):
            by_name.setdefault(r["name"], []).append(r)
    out: dict[int, dict] = {}
    for v in rows:
        if v.values.get("id_number"):
            found = by_number.get(v.values["id_number"])
        elif v.extra.get("masked_id"):
            same = [r for r in by_name.get(v.name, []) if idcard.mask(r["id_number"]) == v.extra["masked_id"]]
            found = same[0] if len(same) == 1 else None
        else:
            same = [r for r in by_name.get(v.name, []) if r["community_name"] == v.extra["community"]
                    and not r["id_number"]]
            found = same[0] if len(same) == 1 else None
        if found is not None:
            out[id(v)] = {k: val for k, val in found.items() if k != "community_name"}
    return out


def _row_report(v: RowVerdict) -> dict:
    label = {"ok": "导入", "rejected": "拒绝", "duplicate": "重复", "update": "更新", "same": "无变化"}[v.verdict]
    return {"sheet": v.sheet, "row": v.row, "name": v.name, "verdict": v.verdict, "verdict_label": label,
            "reason": v.reason, "warnings": "；".join(v.warnings), "community": v.extra.get("community", ""),
            "group": v.extra.get("group", "")}


def _plan(store, good: list[RowVerdict], created: dict) -> None:
    """What the import will do beyond each row: leaders and deputies beyond a group's limits (or
    with no group) imported as members, with the reason; grids that will be created."""
    from app.services.groups import ROLE_LIMITS

    holders: dict[tuple[str, str], int] = {}
    for row in store.rows("SELECT g.name AS group_name, d.group_role, count(*) AS n FROM delegates d"
                          " JOIN groups g ON g.id = d.group_id WHERE d.deleted = 0 AND d.status = 'active'"
                          " AND d.group_role != 'member' GROUP BY g.name, d.group_role"):
        holders[(row["group_name"], row["group_role"])] = row["n"]
    grids = {(r["community_name"], r["number"]) for r in store.rows(
        "SELECT c.name AS community_name, g.number FROM grids g JOIN communities c ON c.id = g.community_id"
        " WHERE g.deleted = 0 AND g.number IS NOT NULL")}
    labels = {"leader": "组长", "deputy_leader": "副组长"}
    for v in good:
        role, group = v.values["group_role"], v.extra["group"]
        if role != "member":
            if not group:
                v.values["group_role"] = "member"
                v.warnings.append(f"表中没有填写议事小组，“{labels[role]}”职务未导入，已按成员导入")
            elif holders.get((group, role), 0) >= ROLE_LIMITS[role]:
                v.values["group_role"] = "member"
                v.warnings.append(f"{group}的{labels[role]}已满（限 {ROLE_LIMITS[role]} 人），已按成员导入")
            else:
                holders[(group, role)] = holders.get((group, role), 0) + 1
        for grid_text in v.extra["grids"]:
            number = grid_number(grid_text)
            key = (v.extra["community"], number) if number is not None else None
            if key and key not in grids:
                grids.add(key)
                created["grids"].append(f"{key[0]}第{key[1]}网格")


def _new_grid(community_id: str, number: int) -> dict:
    """A grid a row names that the store has not: numbered as named, called 第N网格."""
    return {"community_id": community_id, "number": number, "name": f"第{number}网格"}


_WRITTEN_AT_ONCE = 500  # new delegates written in one go (with their grids and links)


def _write(store, good, updated, communities, groups, created, progress, report):
    from app.services.delegates import link_id
    from app.workbooks.roster_updates import write_update

    term_id = store.terms.current_id()
    summary = f"导入代表花名册：{report['file']}（新增 {len(good)} 人" + (f"，更新 {len(updated)} 人）" if updated else "）")
    with store.write("import", summary) as tx:
        for name in created["groups"]:
            groups[name] = {"id": tx.insert("groups", {"name": name}), "name": name}
        subdistrict = store.settings.get("subdistrict") or None if created["communities"] else None  # asked once
        new_communities: dict[str, dict] = {}  # (each named first by one row: its group theirs)
        for v in [*good, *updated]:
            community = v.extra["community"]
            if community not in communities and community not in new_communities:
                new_communities[community] = {
                    "name": community, "kind": "village" if community.endswith("村") else "community",
                    "group_id": groups[v.extra["group"]]["id"] if v.extra["group"] else None, "subdistrict": subdistrict}
        for community, community_id in zip(new_communities, tx.insert_many("communities", list(new_communities.values()))):
            communities[community] = {"id": community_id, "name": community}
        grid_cache = {(r["community_id"], r["number"]): r["id"] for r in store.rows(
            "SELECT id, community_id, number FROM grids WHERE deleted = 0 AND number IS NOT NULL")}

        def grid_of(community_id: str, number: int) -> str:
            key = (community_id, number)
            if key not in grid_cache:
                grid_cache[key] = tx.insert("grids", _new_grid(community_id, number))
            return grid_cache[key]

        total = len(good) + len(updated)
        for start in range(0, len(good), _WRITTEN_AT_ONCE):  # (the progress shown, a cancel heard, at each)
            chunk = good[start:start + _WRITTEN_AT_ONCE]
            people, numbers = [], []
            for v in chunk:
                values = dict(v.values)
                values["community_id"] = communities[v.extra["community"]]["id"]
                values["group_id"] = groups[v.extra["group"]]["id"] if v.extra["group"] else None
                values["term_id"] = term_id
                values["status"] = "active"  # (roles as planned by _plan)
                people.append(values)
                numbers.append(dict.fromkeys(number for number in map(grid_number, v.extra["grids"]) if number is not None))
            # the delegates, then the grids they name that are not there yet, then the links (a row's
            # delegate is held to the rules ahead of its grids, as when the rows were written one by one)
            delegate_ids = tx.insert_many("delegates", people)
            new_grids = dict.fromkeys((values["community_id"], number) for values, listed in zip(people, numbers)
                                      for number in listed if (values["community_id"], number) not in grid_cache)
            grid_ids = tx.insert_many("grids", [_new_grid(community_id, number) for community_id, number in new_grids])
            grid_cache.update(zip(new_grids, grid_ids))
            # the delegates are new: only the file itself can repeat a grid (each linked once)
            links = {}
            for delegate_id, values, listed in zip(delegate_ids, people, numbers):
                for number in listed:
                    grid_id = grid_cache[(values["community_id"], number)]
                    links[link_id(delegate_id, grid_id)] = {"delegate_id": delegate_id, "grid_id": grid_id}
            tx.insert_many("delegate_grids", list(links.values()), list(links))
            for done in range(start + 1, start + len(chunk) + 1) if progress is not None else ():
                if progress(done, total) is False:
                    raise Cancelled("已取消导入，没有保存任何记录")
        for done, v in enumerate(updated, len(good) + 1):
            write_update(tx, v, communities, groups, grid_of)
            if progress is not None and progress(done, total) is False:
                raise Cancelled("已取消导入，没有保存任何记录")
    return tx.changes


def report_register(store, report: dict):
    """The row-by-row verdicts as a register the clerk can save and fix the file from."""
    from app.registers.writer import Column, Register

    columns = [Column("工作表", "sheet", 8), Column("行号", "row", 6), Column("姓名", "name", 8),
               Column("结果", "verdict_label", 6), Column("原因", "reason", 20, 50, wrap=True),
               Column("提示", "warnings", 20, 50, wrap=True), Column("所在村（社区）", "community", 10),
               Column("议事小组", "group", 9)]
    title = f"花名册导入检查结果（{report['file']}）"
    return Register(title, store.settings.unit(), columns, report["rows"], "导入结果")
