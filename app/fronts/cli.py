"""`yishi`: the headless interface (DESIGN §8). Without a command it opens the desktop app.

Exit codes: 0 done; 1 refused (the store is unchanged, stderr says why); 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app import APP_NAME, __version__
from app.common.errors import AppError
from app.common.outputs import SUFFIXES
from app.fronts import cli_lookup as lookup

LIST_KINDS = ("delegates", "communities", "grids", "groups", "venues", "meetings", "opinions", "rounds",
              "candidates", "visits", "actions", "terms")


# argparse's own words (usage, option headings, its error messages), in Chinese: it looks them up
# through gettext at the moment it prints them.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项“%(value)s”（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "“%(value)s”不是有效的%(type)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有“%(parser_name)s”这个命令（可选：%(choices)s）",
    "int": "整数",
}


def _zh(text: str) -> str:
    return ARGPARSE_ZH.get(text, text)


def integer(text: str) -> int:
    return int(text)


integer.__name__ = "整数"  # argparse names the type in "“abc”不是有效的整数"


# argparse looks its messages up through these module globals (gettext): answer in Chinese.
argparse._ = _zh  # type: ignore[attr-defined]
argparse.ngettext = lambda singular, plural, n: _zh(singular if n == 1 else plural)  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # SUPPRESS: an option given before the command must survive the subcommand's defaults.
    common.add_argument("--data-dir", default=argparse.SUPPRESS, metavar="目录",
                        help="数据目录（默认为当前用户的数据目录）")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="以 JSON 输出，供程序读取")

    parser = _Parser(prog="yishi", description=f"{APP_NAME}：议事代表会议制度工作台", parents=[common])
    parser.add_argument("--version", action="version", version=f"yishi {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, title="命令", metavar="命令")

    init = sub.add_parser("init", parents=[common], help="创建数据库")
    init.add_argument("--demo", action="store_true", help="载入演示街道（中山路街道）")
    sub.add_parser("stats", parents=[common], help="统计数字").add_argument("--year", type=integer, metavar="年份")
    sub.add_parser("check", parents=[common], help="检查数据库完整性与审计日志")
    sub.add_parser("remind", parents=[common], help="今日提醒：今天和本周到期、已逾期、待反馈代表、本月未走访的网格"
                   ).add_argument("--date", metavar="日期", help="按哪一天提醒（默认今天），如 2026-03-16")
    lst = sub.add_parser("list", parents=[common], help="列出记录")
    lst.add_argument("kind", choices=LIST_KINDS, metavar="类别", help=" / ".join(LIST_KINDS))  # spaces: lines break between kinds
    lst.add_argument("--search", default="", metavar="文字", help="按文字或拼音首字母查找")
    lst.add_argument("--year", type=integer, metavar="年份")
    lst.add_argument("--step", type=integer, choices=range(1, 6), metavar="步", help="五步工作法的第几步（1—5）")
    lst.add_argument("--overdue", action="store_true", help="只列逾期的（任一环节超过时限）")
    lst.add_argument("--round", metavar="批次", help="推选批次（列出人选时；默认最近一次）")
    lst.add_argument("--month", metavar="月份", help="走访月份（如 2026-05；列出走访时）")
    imp = sub.add_parser("import", parents=[common], help="从 Excel 导入")
    imp_sub = imp.add_subparsers(dest="import_kind", required=True, parser_class=_Parser, title="类别",
                                 metavar="类别")
    delegates = imp_sub.add_parser("delegates", parents=[common], help="导入代表花名册（.xlsx、.xls 或 .ods）")
    delegates.add_argument("file", metavar="文件", help="花名册（.xlsx、.xls 或 .ods）")
    delegates.add_argument("--dry-run", action="store_true", help="只检查、列出每一行的结果，不写入")
    delegates.add_argument("--report", metavar="文件", help="把逐行检查结果另存为 Excel")
    from app.workbooks.kinds import LABELS

    for name, label in LABELS.items():
        if name == "delegates":
            continue
        one = imp_sub.add_parser(name, parents=[common], help=f"导入{label}（导出的台账改后导回即为更新）")
        one.add_argument("file", metavar="文件", help="表格文件（.xlsx、.xls 或 .ods）")
        one.add_argument("--dry-run", action="store_true", help="只检查、列出每一行的结果，不写入")
        one.add_argument("--report", metavar="文件", help="把逐行检查结果另存为 Excel")
        one.add_argument("--map", action="append", default=[], metavar="列=字段",
                         help="改动程序按表头猜出的对应关系，如 --map D=网格员；--map D= 表示不导入该列")
    export = sub.add_parser("export", parents=[common], help="导出台账或文书")
    export_sub = export.add_subparsers(dest="export_kind", required=True, parser_class=_Parser, title="类别",
                                       metavar="类别")
    register = export_sub.add_parser("register", parents=[common], help="导出 Excel 台账")
    register.add_argument("name", metavar="台账", help="roster、candidates、ledger、rota 等")
    register.add_argument("--out", required=True, metavar="文件", help=f"保存为（{' 或 '.join(SUFFIXES['register'])}）")
    register.add_argument("--full-id", action="store_true", help="导出完整身份证号（将记入审计日志）")
    register.add_argument("--year", type=integer, metavar="年份", help="只导出某一年（会议类台账）")
    register.add_argument("--round", metavar="批次", help="推选批次（名称或编号；默认最近一次）")
    register.add_argument("--community", metavar="村（社区）", help="网格联系表只导出这个村（社区）的（名称）")
    register.add_argument("--month", metavar="月份", help="接待日值班表（rota）的月份，如 2026-03（默认本月）")
    register.add_argument("--quarter", metavar="季度", help="接待日值班表（rota）的季度，如 2026-Q1")
    register.add_argument("--term", metavar="届次", help="只导出某一届（花名册、出勤统计、网格走访；届次名称）")
    doc = export_sub.add_parser("doc", parents=[common], help="导出文书：PDF 文件，或版式相同的 Word 文档（.docx）")
    doc.add_argument("kind", metavar="文书", help="minutes、meeting_notice、notice、filing、reception_notice 等")
    doc.add_argument("id", nargs="?", metavar="编号", help="会议、意见建议或代表的编号，年度工作总结的年份（推选文书可不填）")
    doc.add_argument("--out", required=True, metavar="文件",
                     help=f"保存为（{' 或 '.join(SUFFIXES['doc'])}；以 .docx 结尾则写 Word 文档，可在 WPS 或 Word 中修改）")
    doc.add_argument("--date", metavar="日期", help="成文日期（如 2026-03-11）：与记录一并保存，以后导出都用这个日期")
    doc.add_argument("--doc-number", metavar="字号", help="发文字号：完整字号，或只写序号（按“设置”中的发文字号格式）")
    doc.add_argument("--month", metavar="月份", help="接待日安排公告（reception_notice）的月份，如 2026-03（默认本月）")
    doc.add_argument("--quarter", metavar="季度", help="接待日安排公告（reception_notice）的季度，如 2026-Q1")
    doc.add_argument("--hall", metavar="议事堂", help="接待日安排公告只写这个邻里议事堂（名称）")
    doc.add_argument("--draft", action="store_true", help="尚未召开的会议：导出标明“草稿”的纪要")
    doc.add_argument("--year", type=integer, metavar="年份",
                     help="年度工作总结的年份（默认：第四季度起为今年；不到第四季度，或今年还没有会议和意见建议时为去年）")
    pkg = sub.add_parser("package", parents=[common], help="U盘交换包")
    pkg_sub = pkg.add_subparsers(dest="package_kind", required=True, parser_class=_Parser, title="操作",
                                 metavar="操作")
    pkg_out = pkg_sub.add_parser("export", parents=[common], help="导出交换包")
    pkg_out.add_argument("--out", required=True, metavar="位置", help="U盘上的文件夹，或 .yspkg 文件名")
    pkg_out.add_argument("--passphrase-file", required=True, metavar="口令文件", help="存放交换口令的文本文件")
    pkg_out.add_argument("--since-last", metavar="办公室", help="只导出上次发给该办公室之后的变化")
    pkg_out.add_argument("--office", metavar="办公室", help="发给哪个办公室（记下已发送的内容）")
    pkg_in = pkg_sub.add_parser("import", parents=[common], help="导入交换包")
    pkg_in.add_argument("file", metavar="交换包", help=".yspkg 文件")
    pkg_in.add_argument("--passphrase-file", required=True, metavar="口令文件", help="存放交换口令的文本文件")
    pkg_in.add_argument("--dry-run", action="store_true", help="只检查并列出将发生的变化，不写入")
    bak = sub.add_parser("backup", parents=[common], help="备份数据库")
    bak.add_argument("--out", metavar="位置", help="备份到的文件或文件夹（默认：数据目录下的 backups，自动轮换）")
    res = sub.add_parser("restore", parents=[common], help="从备份恢复（当前数据库会被移到一旁保留）")
    res.add_argument("file", metavar="备份", help="备份文件（.db）")
    res.add_argument("--accept-marked", action="store_true",
                     help="备份中有不符合录入规则的记录时仍然恢复（这些记录会标出“※”）")
    archive = export_sub.add_parser("archive", parents=[common], help="归档包：所选台账和文书及 SHA-256 清单")
    archive.add_argument("--out", required=True, metavar="位置", help="文件夹，或 .zip 文件")
    archive.add_argument("--registers", default="roster,groups,grids,meetings,ledger,stats", metavar="台账",
                         help="逗号分隔")
    archive.add_argument("--docs", default="filing,ledger", metavar="文书",
                         help="逗号分隔；任何文书均可，如 summary,minutes,brief,plan（按会议、议题等的文书放入该年度的每一份）")
    archive.add_argument("--year", type=integer, metavar="年度", help="归档的年度（默认：年度工作总结的年度）")
    return parser


def _open(args, **kwargs):
    """The store of --data-dir; only `init` makes a new one (a mistyped folder is refused)."""
    from app.restore import open_store

    kwargs.setdefault("create", args.command == "init")
    return open_store(args.data_dir, **kwargs)


def _emit(args, payload: dict, text: str) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(text)


def cmd_init(args) -> int:
    from app.common.errors import CorruptStoreError
    from app.fronts.demo import build_demo

    try:
        store = _open(args)
    except CorruptStoreError as exc:
        raise CorruptStoreError(f"{exc.message}为保护其中可能还能找回的数据，yishi init 不会覆盖它。") from None
    with store:
        if args.demo:
            stats = build_demo(store)
            _emit(args, {"ok": True, "data_dir": str(store.data_dir), "stats": stats},
                  f"已在 {store.data_dir} 创建数据库并载入演示街道：{stats['communities']} 个村（社区）、"
                  f"{stats['grids']} 个网格、{stats['groups']} 个议事小组、"
                  f"{stats['delegates']['total']} 名议事代表。")
        else:
            _emit(args, {"ok": True, "data_dir": str(store.data_dir)}, f"数据库已就绪：{store.data_dir}")
    return 0


def cmd_stats(args) -> int:
    with _open(args) as store:
        stats = store.stats.summary(args.year)
    from app.rules.codes import BUILD_STATUSES, SUBJECTS, VENUE_LEVEL_SHORT
    from app.rules.meeting_kinds import kinds

    levels = stats["venues"]["by_level"]
    built, subjects = stats["venues"]["by_build_status"], stats["meetings"]["by_subject"]
    _emit(args, stats, "\n".join([
        f"议事代表：{stats['delegates']['total']} 人（在任 {stats['delegates']['active']} 人）",
        f"村（社区）：{stats['communities']} 个", f"网格：{stats['grids']} 个",
        f"议事小组：{stats['groups']} 个",
        "阵地：" + "、".join(f"{short} {levels.get(code, 0)} 个" for code, short in VENUE_LEVEL_SHORT.items()),
        "阵地建设：" + "、".join(f"{label} {sum(c.get(code, 0) for c in built.values())} 个" for code, label in BUILD_STATUSES)
        + (f"、未填 {sum(c.get('', 0) for c in built.values())} 个" if any(c.get("") for c in built.values()) else ""),
        "议事事项类型：" + "、".join(f"{label} {sum(c.get(code, 0) for c in subjects.values())} 次"
                                   for code, label in SUBJECTS),
        f"会议活动：{stats['meetings']['total']} 次（"
        + "、".join(f"{k.label} {stats['meetings']['by_kind'].get(k.code, 0)} 次" for k in kinds()) + "）",
        f"意见建议：{stats['opinions']['total']} 条（已办结 {stats['opinions']['closed']} 条，"
        f"逾期 {stats['opinions']['overdue']} 条）",
        _on_time_line(stats["opinions"]),
    ]))
    return 0


def _on_time_line(o: dict) -> str:
    """按期办结 and the steps that went past their limits, as the 年度统计表 counts them."""
    from app.services.opinion_clocks import CLOCKS

    rate = f"{o['on_time_rate']:g}%" if o["on_time_rate"] is not None else "—"
    late = "、".join(f"{c.label} {o['late_steps'][c.key]} 条" for c in CLOCKS if o["late_steps"].get(c.key))
    return (f"按期办结：{o['on_time']} 条，按期办结率 {rate}（已办结 {o['solved']} 条）；"
            f"超过时限的环节：{late or '无'}")


def cmd_check(args) -> int:
    from app.storage.check import run_checks

    with _open(args) as store:
        report = run_checks(store)
    _emit(args, report, "\n".join(report["messages"]))
    return 0 if report["ok"] else 1


def cmd_remind(args) -> int:
    """The same reminders the window shows on opening (app.services.reminders)."""
    from app.common.textutil import parse_date
    from app.services.reminders import desk_reminders

    day = parse_date(args.date, "日期", "date") if args.date else None
    with _open(args) as store:
        result = desk_reminders(store, day)
    lines = [f"今日提醒（{result['today']}）：" + ("" if result["count"] else "没有到期、逾期或待反馈的事项。")]
    for section in result["sections"]:
        if section["total"]:
            lines.append(f"{section['title']}（{section['total']} 项）")
            lines += [f"  {item['text']}" for item in section["items"]]
            if section["total"] > len(section["items"]):
                lines.append(f"  ……另有 {section['total'] - len(section['items'])} 项")
    _emit(args, result, "\n".join(lines))
    return 0


def cmd_list(args) -> int:
    from app.fronts.cli_list import listing

    with _open(args) as store:
        items, lines, items_extra = listing(store, args)
    if args.kind == "visits" and args.month:
        lines.insert(len(lines) - 1, f"共 {len(items)} 条")
        _emit(args, {"kind": args.kind, "count": len(items), "items": items, **items_extra}, "\n".join(lines))
        return 0
    _emit(args, {"kind": args.kind, "count": len(items), "items": items},
          "\n".join(lines + [f"共 {len(items)} 条"]))
    return 0


def cmd_export(args) -> int:
    if args.export_kind == "archive":
        from app.fronts.archive import build_archive

        with _open(args) as store:
            result = build_archive(store, args.out, [r for r in args.registers.split(",") if r],
                                   [d for d in args.docs.split(",") if d], year=args.year)
        _emit(args, result, f"已生成{result['year']}年归档包（{len(result['files'])} 个文件，含 SHA-256 清单）：{result['path']}")
        return 0
    if args.export_kind == "doc":
        from app.documents.catalog import export_doc

        with _open(args) as store:
            if args.kind == "summary" and not args.id:
                args.id = str(args.year or store.summary.default_year())
            extra = {}
            if args.month or args.quarter or args.hall:
                if args.kind != "reception_notice":
                    raise AppError("--month、--quarter、--hall 只用于接待日安排公告（reception_notice）")
                args.id = lookup.period(args) or args.id
                if args.hall:
                    extra["venue_id"] = lookup.resolve_hall(store, args.hall)
            result = export_doc(store, args.kind, lookup.resolve_id(store, args.kind, args.id), Path(args.out),
                                dated_on=args.date, doc_number=args.doc_number, draft=args.draft, **extra)
        dated = f"，成文日期 {result['dated_on']}" if result.get("dated_on") else ""
        _emit(args, result, f"已导出{result['title']}（{result['name']}{dated}）：{result['path']}")
        return 0
    from app.registers.catalog import export_register

    options = {}
    if args.name in ("roster", "candidates"):
        options["full_id"] = args.full_id
    with _open(args) as store:
        if args.name in ("candidates", "joint_review", "notice_list", "quotas"):
            options["round_id"] = lookup.resolve_round(store, args.round)
        if args.name in ("meetings", "attendance", "ledger", "supervision", "stats", "visits", "actions",
                         "performance", "issued") and args.year:
            options["year"] = args.year
        if args.community:
            if args.name != "contacts":
                raise AppError("只有网格联系表（contacts）可以按村（社区）导出")
            found = next(iter(store.communities.find_ids(args.community, ("name",), prefix=False)), None)
            if not found:
                raise AppError(f"找不到村（社区）“{args.community}”（可用 yishi list communities 查看）")
            options["community_id"] = found
        if args.month or args.quarter:
            if args.name != "rota":
                raise AppError("--month、--quarter 只用于接待日值班表（rota）")
            options["period"] = lookup.period(args)
        if args.term:
            if args.name not in ("roster", "attendance", "visits", "performance"):
                raise AppError("只有花名册（roster）、出勤统计（attendance）、网格走访（visits）和年度履职情况（performance）"
                               "可以按届次导出")
            options["term_id"] = lookup.resolve_term(store, args.term)
        result = export_register(store, args.name, Path(args.out), **options)
    _emit(args, result, f"已导出{result['heading']}，{result['rows']} 行：{result['path']}")
    return 0


def cmd_import(args) -> int:
    if args.import_kind != "delegates":
        return _import_kind(args)
    from app.common.outputs import check_out
    from app.registers.writer import write_register
    from app.workbooks.importer import import_roster, report_register

    if args.report:
        check_out("register", args.report)  # before the import: a bad name must not follow a done import
    with _open(args) as store:
        report = import_roster(store, args.file, dry_run=args.dry_run)
        if args.report:
            write_register(args.report, report_register(store, report))
    rows = report.pop("rows")
    report.pop("changes", None)
    verb = "可导入" if args.dry_run else "已导入"
    lines = [f"{verb} {report['imported']} 人；更新 {report['updated']} 人；无变化 {report['unchanged']} 人；"
             f"拒绝 {len(report['rejected'])} 行；重复 {len(report['duplicates'])} 行。"]
    lines += [f"更新：{r['sheet']} 第 {r['row']} 行 {r['name']}：{r['change_text']}" for r in report["updates"]]
    lines += [f"拒绝：{r['sheet']} 第 {r['row']} 行 {r['name']}：{r['reason']}" for r in report["rejected"]]
    lines += [f"重复：{r['sheet']} 第 {r['row']} 行 {r['name']}：{r['reason']}" for r in report["duplicates"]]
    lines += [f"提示：{r['sheet']} 第 {r['row']} 行 {r['name']}：{r['warning']}" for r in report["warnings"]]
    for kind, label in (("communities", "新建村（社区）"), ("groups", "新建议事小组"), ("grids", "新建网格")):
        if report["created"][kind]:
            lines.append(f"{label}：{'、'.join(report['created'][kind])}")
    del rows
    _emit(args, report, "\n".join(lines))
    return 0


def _import_kind(args) -> int:
    from app.common.outputs import check_out
    from app.registers.writer import write_register
    from app.workbooks.bring_in import NeedsMapping, import_file, report_register, with_remap
    from app.workbooks.kinds import kind as kind_named

    kind = kind_named(args.import_kind)
    if args.report:
        check_out("register", args.report)  # before the import: a bad name must not follow a done import
    mapping = with_remap(args.file, kind, args.map) if args.map else None
    with _open(args) as store:
        try:
            report = import_file(store, kind, args.file, dry_run=args.dry_run, mapping=mapping)
        except NeedsMapping as exc:  # the terminal's way to say which column is which
            columns = "；".join(f"{m['letter']}列“{m['heading']}”" for m in exc.sketch["mapping"])
            raise NeedsMapping(f"{exc.message}（用 --map 指定，如 --map B={kind.identity_label()}）。各列：{columns}",
                               exc.sketch) from None
        if args.report:
            write_register(args.report, report_register(store, report))
    report.pop("changes", None)
    _emit(args, report, "\n".join(import_lines(report)))
    return 0


def import_lines(report: dict) -> list[str]:
    """An import's report as the clerk reads it in a terminal."""
    counts, unit, noun = report["counts"], report["unit"], report["noun"]
    verb = "检查结果" if report["dry_run"] else "已导入"
    lines = [f"{verb}：新增 {counts['new']} {unit}，更新 {counts['update']} {unit}，无变化 {counts['same']} {unit}，"
             f"拒绝 {counts['refused']} 行，重复 {counts['duplicate']} 行。"]
    lines.append("对应关系：" + "；".join(f"{m['letter']}列“{m['heading']}”→{m['field_label']}"
                                      for m in report["mapping"] if m["field"]))
    where = (lambda r: f"{r['sheet']} 第 {r['row']} 行" + (f"（{r['cell']}）" if r.get("cell") else ""))
    lines += [f"{r['verdict_label']}：{where(r)}{' ' + r['name'] if r['name'] else ''}：{r['reason']}"
              for r in report["refused"]]
    lines += [f"更新：{where(r)} {r['name']}：{r['change_text']}" for r in report["updates"]]
    lines += [f"提示：{r['sheet']} 第 {r['row']} 行 {r['name']}：{r['warning']}" for r in report["warnings"]]
    lines += [f"跳过：{s['sheet']} 第 {s['row']} 行：{s['reason']}" for s in report["skipped"]]
    for what, names in report["created"].items():
        lines.append(f"新建{what}：{'、'.join(names)}")
    if report["absent"]["count"]:
        lines.append(f"数据库中有、文件中没有的{noun} {report['absent']['count']} {unit}（不会删除）："
                     + "、".join(report["absent"]["names"][:10]) + ("等" if report["absent"]["count"] > 10 else ""))
    return lines


def _passphrase(path: str) -> str:
    """The passphrase as typed into a text file by Notepad or WPS: UTF-8 (with or without BOM),
    UTF-16 ("Unicode") or GBK/GB18030 ("ANSI" on a Chinese Windows) all give the same text."""
    from app.common.errors import environmental

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise (environmental(exc) or exc) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AppError(f"口令文件“{path}”不是文本文件：请用记事本写入口令并保存")
    text = text.rstrip("\r\n")
    if not text:
        raise AppError(f"口令文件“{path}”是空的")
    return text


def cmd_package(args) -> int:
    if args.package_kind == "export":
        from app.exchange.export import export_package

        passphrase = _passphrase(args.passphrase_file)
        with _open(args) as store:
            result = export_package(store, args.out, passphrase, office=args.since_last or args.office,
                                    since_last=bool(args.since_last))
        _emit(args, result, f"已导出{'增量' if result['kind'] == 'delta' else '全量'}交换包（{result['rows']} 条记录，"
                            f"{result['files']} 个附件，{result['size'] // 1024} KB）：{result['path']}")
        return 0
    from app.exchange.merge import import_notes, import_package

    passphrase = _passphrase(args.passphrase_file)
    with _open(args) as store:
        result = import_package(store, args.file, passphrase, dry_run=args.dry_run)
    conflicts = [c["text"] for c in result.pop("conflict_list", None) or [] if c.get("text")]
    if conflicts:
        result["conflict_texts"] = conflicts
    if result.get("already"):
        from app.storage.audit import local_time

        text = f"这个交换包已于 {local_time(result['already'])[:16]} 导入过，没有新的变化。"
    else:
        verb = "将" if args.dry_run else "已"
        text = (f"{verb}从{result['from']}导入：新增 {result['added']}、修改 {result['changed']}、删除 {result['deleted']}、"
                f"恢复 {result['revived']} 条，冲突 {result['conflicts']} 处" + ("（未写入）" if args.dry_run else "。")
                + ("冲突的另一方值已记入冲突记录，可在“数据”中查看。" if result["conflicts"] and not args.dry_run else "")
                + import_notes(result))
        # each conflict named as the window's preview names it: 代表“张三”的联系电话：保留…
        text += "".join(f"\n冲突：{line}" for line in conflicts[:50])
        if len(conflicts) > 50:
            text += f"\n……另有 {len(conflicts) - 50} 处冲突，可在“数据 › 冲突记录”中查看。"
    _emit(args, result, text)
    return 0


def cmd_backup(args) -> int:
    from app.storage.backup import backup

    with _open(args) as store:
        result = backup(store, args.out, reason="manual")
    _emit(args, result, f"已备份并校验：{result['path']}")
    return 0


def cmd_restore(args) -> int:
    from app.restore import replace_database
    from app.storage.paths import default_data_dir, ensure_local_data_dir

    data_dir = ensure_local_data_dir(Path(args.data_dir) if args.data_dir else default_data_dir())
    result, store = replace_database(data_dir, args.file, accept_marked=args.accept_marked)
    store.close()
    _emit(args, result, f"已从“{Path(args.file).name}”恢复。原数据库已保留为 {result['aside'] or '（无）'}。")
    return 0


COMMANDS = {"init": cmd_init, "import": cmd_import, "stats": cmd_stats, "check": cmd_check, "remind": cmd_remind,
            "list": cmd_list,
            "export": cmd_export, "package": cmd_package, "backup": cmd_backup, "restore": cmd_restore}


def main(argv: list[str] | None = None, gui=None) -> int:
    """Run one command; with none, start the desktop app through `gui` (given by ui.launch)."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    # Not set_defaults(): the option actions are shared with the subcommands' parsers.
    args.data_dir = getattr(args, "data_dir", None)
    args.json = getattr(args, "json", False)
    if args.command is None:
        if gui is None:
            print("请指定命令，或直接运行 yishi 打开桌面程序。", file=sys.stderr)
            return 2
        return gui(data_dir=args.data_dir)
    _notes_to_stderr()
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # `yishi list … | head`: the reader left, nothing is wrong
        return 0
    except AppError as exc:
        return _refused(args, exc.message)
    except Exception as exc:  # no traceback reaches the clerk: the environment's say, or a bug on record
        from app.common.errors import environmental

        known = environmental(exc)
        if known is not None:
            return _refused(args, known.message)
        return _refused(args, f"程序内部错误（{type(exc).__name__}），数据没有改动。详细信息已记录在 {_log_bug()}，"
                              "请把这个文件发给维护人员。")


class _NoteToStderr(logging.Handler):
    """What the core logs for the clerk (a photo left out of a brief, a chosen font set aside) is
    a 提示 on stderr: the command line's log. sys.stderr is looked up at each note, not kept."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"提示：{record.getMessage()}", file=sys.stderr)


def _notes_to_stderr() -> None:
    logger = logging.getLogger("app")
    if not any(isinstance(h, _NoteToStderr) for h in logger.handlers):
        handler = _NoteToStderr(logging.WARNING)
        logger.addHandler(handler)


def _refused(args, message: str) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
    print(f"未完成：{message}", file=sys.stderr)
    return 1


def _log_bug() -> str:
    """Write the traceback of an unexpected error where the clerk can find and send it."""
    import tempfile
    import traceback
    from datetime import datetime

    path = Path(tempfile.gettempdir()) / f"yishi-error-{datetime.now():%Y%m%d-%H%M%S}.txt"
    try:
        path.write_text(traceback.format_exc(), encoding="utf-8")
    except OSError:
        return "（无法写入错误记录）"
    return str(path)


if __name__ == "__main__":
    sys.exit(main())
