"""Ledger documents: 交办单, 反馈回执 (with a serial to key back in), the printed ledger, 履职档案."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from app.documents.dating import issued_date
from app.documents.fonts import use_store_fonts
from app.documents.gbt9704 import BLOCK_W
from app.documents.layout import build_landscape, para, styles
from app.documents.official import OfficialDoc, chinese_date
from app.documents.tables import TableSpec, flowable, form, listing
from app.documents.word import is_word
from app.documents.word_drawn import write_sheet
from app.registers.ledger import ledger_rows
from app.rules.meeting_kinds import kinds
from app.services.opinions import OpinionFilter


def _form(rows: list[tuple[str, str]]) -> TableSpec:
    """A two-column bordered form: 黑体 labels, 仿宋 values."""
    return form(rows, [32 * mm, BLOCK_W - 32 * mm])


def assignment(store, opinion_id: str, path: Path | str) -> Path:
    o = store.opinions.detail(opinion_id)
    if not o["lead_unit"]:
        from app.common.errors import ConflictError

        raise ConflictError("这条意见还没有交办，不能打印交办单")
    rows = [("编　　号", o["serial"]), ("意见建议", o["title"]), ("具体内容", o["content"] or ""),
            ("来　　源", f"{o['source_label']}　{chinese_date(o['received_on'])}　{o['delegate_name'] or ''}"
                       f"　{o['community_name'] or ''}"),
            ("涉及群众", f"{o['residents'] or '—'} 人"), ("事项类别", o["category_label"]),
            ("主办单位", store.departments.units_text(o["lead_unit"])),
            ("协办单位", store.departments.units_text("、".join(o["co_units_list"])) or "—"),
            ("办理期限", f"{chinese_date(o['deadline'])}前（{o['working_days']} 个工作日）"),
            ("重点督办", "是" if o["key_supervision"] else "否")]
    doc = OfficialDoc(store, title="议事代表意见建议交办单")
    doc.table(_form(rows))
    doc.blank()
    doc.para("请承办单位认真研究办理，于办理期限前将办理结果书面反馈人大街道工委；确属非本单位职责的，"
             "请在3个工作日内说明理由退回。")
    doc.sign(issued_date(store, "assignment", opinion_id))
    return doc.build(path)


def feedback_slip(store, opinion_id: str, path: Path | str) -> Path:
    o = store.opinions.detail(opinion_id)
    if not o["feedback_serial"]:
        from app.common.errors import ConflictError

        raise ConflictError("这条意见还没有办理结果，不能打印反馈回执")
    result = o["result"] or (f"未采纳：{o['decline_reason']}" if o["decline_reason"] else "")
    rows = [("回执编号", o["feedback_serial"]), ("意见建议", o["title"]),
            ("反映时间", chinese_date(o["received_on"])),
            ("承办单位", store.departments.units_text(o["lead_unit"]) or "人大街道工委"),
            ("办理结果", result),
            ("满 意 度", "□ 满意　　□ 基本满意　　□ 不满意　　□ 未表态"),
            ("群众意见", "　"), ("　", "　"), ("签　　名", "　　　　　　　　　　　　日期：　　年　　月　　日")]
    doc = OfficialDoc(store, title="议事代表意见建议办理反馈回执")
    doc.table(_form(rows))
    doc.blank()
    doc.para(f"请填写后交回议事代表或人大街道工委，工作人员将凭回执编号{o['feedback_serial']}录入满意度。"
             "件件有回音，事事有着落。")
    doc.sign(issued_date(store, "feedback", opinion_id))
    return doc.build(path)


PRINT_COLUMNS = [("编号", "serial", 24), ("收集日期", "received_on", 22), ("收集代表", "delegate_name", 18),
                 ("意见建议", "title", 70), ("类别", "category_label", 24), ("承办单位", "units", 32),
                 ("办理期限", "deadline", 22), ("进度", "status_label", 20), ("提示", "flag", 16),
                 ("满意度", "satisfaction", 16)]


def ledger_sheet(store, flt: OpinionFilter | None = None, year: int | None = None) -> dict:
    """The printed ledger: its title, the line under it, and the table."""
    rows = ledger_rows(store, flt or OpinionFilter(descending=False))
    data = [[row.get(key) for _, key, _ in PRINT_COLUMNS] for row in rows]
    title = f"{store.settings.get('subdistrict') or ''}意见建议办理台账" + (f"（{year}年）" if year else "")
    return {"title": title,
            "subtitle": f"{store.settings.unit()}　　打印日期：{chinese_date(date.today().isoformat())}　　共 {len(rows)} 条",
            "table": listing([h for h, _, _ in PRINT_COLUMNS], data, [w * mm for _, _, w in PRINT_COLUMNS], font_size=9)}


def printed_ledger(store, path: Path | str, flt: OpinionFilter | None = None, year: int | None = None) -> Path:
    use_store_fonts(store)
    sheet = ledger_sheet(store, flt, year)
    if is_word(path):
        return write_sheet(path, sheet["title"], sheet["subtitle"], sheet["table"], author=store.settings.unit())
    st = styles()
    story = [para(sheet["title"], st["title"]), para(sheet["subtitle"], st["table"]), Spacer(1, 6),
             flowable(sheet["table"])]
    return build_landscape(path, story, title=sheet["title"], author=store.settings.unit())


def duty_record(store, delegate_id: str, path: Path | str, year: int | None = None) -> Path:
    r = store.duty_records.get(delegate_id, year)
    d = r["delegate"]
    term = (store.terms.stored(d.get("term_id")) or {}).get("name") or ""
    rows = [("姓　　名", d["name"]), ("年　　度", f"{year}年" if year else f"本届（{term}）" if term else "本届"),
            *((k.record_title, f"{r[k.code]} 次" + (f"（排班 {r['duty_months']} 个月）" if k.matters else ""))
              for k in kinds()),
            ("走访网格", f"{r['grid_visits']} 次"), ("提出意见建议", f"{len(r['opinions'])} 条"),
            # the work with others, on the record only where there was some (a one-page record stays one page)
            *((("参与督办", f"{len(r['supervisions'])} 次"),) if r["supervisions"] else ()),
            *((("实地走访调研", f"{r['surveys']} 次"),) if r["surveys"] else ()),
            ("牵头议题", "、".join(t["title"] for t in r["topics"]) or "—"),
            ("任职记录", "；".join(f"{chinese_date(h['day'])} {h['text']}" for h in r["history"]) or "在任")]
    reviews = store.reviews.of_delegate(delegate_id, year)
    if reviews:
        rows.append(("年度评议", "；".join(f"{r['year']}年{r['grade']}" + (f"（{r['remarks']}）" if r["remarks"] else "")
                                         for r in reviews)))
    doc = OfficialDoc(store, title="议事代表履职档案")
    doc.table(_form(rows))
    if r["opinions"]:
        doc.blank()
        doc.heading("提出的意见建议")
        doc.table(listing(["收集日期", "意见建议", "办理进度"],
                          [[chinese_date(o["received_on"]), o["title"], o["status_label"]] for o in r["opinions"]],
                          [44 * mm, 80 * mm, 32 * mm], font_size=11))
    if r["supervisions"]:
        doc.blank()
        doc.heading("参与督办")
        doc.table(listing(["督办日期", "督办的意见建议", "督办方式"],
                          [[chinese_date(s["day"]), s["title"], s["method"]] for s in r["supervisions"]],
                          [44 * mm, 80 * mm, 32 * mm], font_size=11))
    doc.sign(issued_date(store, "duty", delegate_id))
    return doc.build(path)


