"""The selection documents: the public notice (公示), certificates (聘书) and the filing report
(备案报告) to the district standing committee."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph

from app.common.errors import ConflictError
from app.common.fileio import atomic_path
from app.common.idcard import age_on
from app.documents.dating import issued_date
from app.documents.fonts import FONT_NAMES, markup, use_store_fonts
from app.documents.gbt9704 import BLOCK_W
from app.documents.layout import chinese_number
from app.documents.metadata import stamp
from app.documents.official import OfficialDoc, chinese_date
from app.documents.tables import TableSpec, listing
from app.documents.word import is_word
from app.rules import nomination_stages as st
from app.rules.codes import MARK
from app.rules.fields import as_day
from app.services.candidates import ROUTES, CandidateFilter

RED = colors.HexColor("#b0191e")
ROUTE_SHORT = {"party_org": "基层党组织推荐", "joint": "居民联名推荐", "self": "本人自荐"}
GOLD = colors.HexColor("#c9a14a")


def _term(store, round_row: dict) -> dict:
    found = store.terms.stored(round_row.get("term_id"))
    if found:
        return found
    # a round whose term is not here (a row written around the program): named as stored, marked
    return {"name": f"{MARK}{round_row.get('term_id')}" if round_row.get("term_id") else ""}


def _who(round_row: dict, term: dict) -> str:
    return f"{term['name']}议事代表" + st.round_kind(round_row["kind"]).suffix


def _people_table(rows: list[dict], *, serial: bool = False) -> TableSpec:
    """The list of people on a notice (with 界别) or in the filing's annex (with 聘书编号)."""
    columns = [("序号", 10, lambda i, r: str(i)), ("姓名", 16, lambda i, r: r["name"]),
               ("性别", 10, lambda i, r: r.get("gender") or ""),
               ("出生年月", 18, lambda i, r: r["born"]),
               ("政治面貌", 21, lambda i, r: r.get("party") or "")]
    if not serial:
        columns.append(("界别", 21, lambda i, r: r.get("sector") or ""))
    # 所在村（社区） wide enough to stay on one line: a header never breaks after "（"
    columns += [("工作单位及职务", 37 if not serial else 30, lambda i, r: r.get("work") or ""),
                ("所在村（社区）", 31, lambda i, r: r.get("community_name") or "")]
    if serial:
        columns.append(("聘书编号", 33, lambda i, r: r.get("certificate_no") or ""))
    data = [[cell(i, r) for _, _, cell in columns] for i, r in enumerate(rows, 1)]
    scale = BLOCK_W / (sum(w for _, w, _ in columns) * mm)
    return listing([h for h, _, _ in columns], data, [w * mm * scale for _, w, _ in columns],
                   font_size=10 if not serial else 9.5)


# -- 公示 ----------------------------------------------------------------------------------
def public_notice(store, round_id: str | None, path: Path | str) -> Path:
    """The 公示 (二下): how many are publicised for how many seats, where it is posted, the
    objection period and a contact phone; the list as its 附件 on a page of its own."""
    round_row = store.nomination.get_or_current(round_id)
    if not round_row.get("notice_start"):
        raise ConflictError(f"“{round_row['name']}”尚未公示：请先在“推选”中设定公示开始日期")
    term = _term(store, round_row)
    listed = [c for c in store.candidates.list(CandidateFilter(round_id=round_row["id"])) if c["on_notice"]]
    subdistrict = store.settings.get("subdistrict")
    who = _who(round_row, term)
    # More people than seats are candidates (人选), not yet the ones to be appointed (拟任人选).
    seats = round_row["seats"] if type(round_row["seats"]) is int else len(listed)  # (a broken count: not compared)
    noun = "拟任人选" if len(listed) <= seats else "人选"
    phone = store.settings.get("contact_phone")
    doc = OfficialDoc(store, title=[f"关于{subdistrict}{who}", f"{noun}的公示"])
    doc.para(f"根据{subdistrict}建立议事代表会议制度的实施方案，按照“两下两上”的推选程序，经各村（社区）推荐、"
             f"村（居）民代表会议通过、人大街道工委初审和相关部门联审，{who}名额{round_row['seats']}名，"
             f"现将联审合格的{len(listed)}名{noun}予以公示（名单见附件）。")
    doc.para(f"公示时间：{chinese_date(round_row['notice_start'])}至{chinese_date(round_row['notice_end'])}"
             f"（3个工作日）。" + (f"公示地点：{round_row['notice_place']}。" if round_row.get("notice_place") else ""))
    doc.para("公示期间，对公示对象有异议的，可以来信、来电、来访等方式向人大街道工委反映。反映问题应实事求是、"
             "客观公正，以个人名义反映的提倡署真实姓名，以单位名义反映的应加盖公章。"
             + (f"联系电话：{phone}。" if phone else ""))
    annex = f"{who}{noun}名单"
    doc.attachments([annex])
    doc.sign(issued_date(store, "notice", round_row["id"]))
    doc.annex(annex)
    doc.table(_people_table(listed))
    return doc.build(path)


# -- 聘书 ------------------------------------------------------------------------------------
def _upper_date(iso: str, *, day: bool = True) -> str:
    """二〇二五年二月二十五日: certificates use Chinese numerals."""
    digits = "〇一二三四五六七八九"
    date_ = as_day(iso)
    if date_ is None:
        return f"{MARK}{iso}"
    y, m, d = date_.year, date_.month, date_.day
    text = "".join(digits[int(c)] for c in str(y)) + f"年{chinese_number(m)}月"
    return text + (f"{chinese_number(d)}日" if day else "")


def certified(store, round_id: str | None, delegate_ids: list[str] | None = None) -> tuple[dict, list[dict]]:
    round_row = store.nomination.get_or_current(round_id)
    people = [c for c in store.candidates.list(CandidateFilter(round_id=round_row["id"], status=st.APPOINTED))
              if c["certificate_no"] and (delegate_ids is None or c["delegate_id"] in delegate_ids)]
    if not people:
        raise ConflictError(f"“{round_row['name']}”还没有颁发聘书的代表：请先在“推选”中颁发聘书")
    people.sort(key=lambda c: c["certificate_no"])
    return round_row, people


def certificate_pages(store, round_id: str | None, delegate_ids: list[str] | None = None) -> dict:
    """What the certificates say: the document's title, the issuer and date, and per delegate the
    serial, the name and the three lines of the body (broken where the sense breaks, so no word is
    left alone on a line: "表。")."""
    round_row, people = certified(store, round_id, delegate_ids)
    term = _term(store, round_row)
    subdistrict = store.settings.get("subdistrict")
    until = f"任期至{_upper_date(term['end_date'], day=False)}" if term.get("end_date") else "任期与本届相同"
    if st.round_kind(round_row["kind"]).rest_of_term:
        until = "任期至本届期满" + (f"（{_upper_date(term['end_date'], day=False)}）" if term.get("end_date") else "")
    appointed_as = f"{subdistrict}{term['name']}议事代表。"
    return {"title": f"{subdistrict}{term['name']}议事代表聘书", "unit": store.settings.unit(),
            "dated": _upper_date(issued_date(store, "certificates", round_row["id"])),
            "pages": [{"serial": person["certificate_no"], "name": person["name"],
                       "lines": [("兹聘请　", person["name"], "　同志为"), appointed_as, f"{until}。"]}
                      for person in people]}


def certificates(store, round_id: str | None, path: Path | str, delegate_ids: list[str] | None = None) -> Path:
    """One A4 landscape page per delegate: red double frame, 聘书, name, term, issuer, serial."""
    content = certificate_pages(store, round_id, delegate_ids)
    use_store_fonts(store)
    if is_word(path):
        from app.documents.word_drawn import write_certificates

        return write_certificates(path, content)
    f = FONT_NAMES
    width, height = landscape(A4)
    # the body's lines start at one left edge, two characters in from the issuer's block
    body = ParagraphStyle("cert", fontName=f["kai"], fontSize=24, leading=44, leftIndent=48, wordWrap="CJK")
    sign = ParagraphStyle("sign", fontName=f["kai"], fontSize=22, leading=34, alignment=TA_RIGHT)
    with atomic_path(path) as temp:
        c = pdf_canvas.Canvas(str(temp), pagesize=(width, height), initialFontName=f["song"])
        stamp(c, title=content["title"], author=content["unit"])
        for page in content["pages"]:
            _frame(c, width, height)
            c.setFillColor(RED)
            c.setFont(f["title"], 64)
            c.drawCentredString(width / 2, height - 62 * mm, "聘　书")
            c.setFillColor(colors.black)
            c.setFont(f["song"], 12)
            c.drawRightString(width - 36 * mm, height - 34 * mm, f"编号：{page['serial']}")
            before, name, after = page["lines"][0]
            name = f'<font name="{f["hei"]}" size="28">{markup(name, f["hei"])}</font>'
            text = "<br/>".join([f"{before}{name}{after}", *(markup(line, f["kai"]) for line in page["lines"][1:])])
            _place(c, Paragraph(text, body), 48 * mm, height - 80 * mm, width - 96 * mm)
            _place(c, Paragraph(markup(content["unit"], f["kai"]) + "<br/>" + markup(content["dated"], f["kai"]),
                                sign), 48 * mm, 66 * mm, width - 96 * mm)
            c.showPage()
        c.save()
    return Path(path)


def _place(c, paragraph: Paragraph, x: float, top: float, width: float) -> None:
    _, used = paragraph.wrap(width, 200 * mm)
    paragraph.drawOn(c, x, top - used)


def _frame(c, width: float, height: float) -> None:
    c.saveState()
    c.setStrokeColor(RED)
    c.setLineWidth(6)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.5)
    c.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)
    # corner ornaments: small gold squares set diagonally
    c.setFillColor(GOLD)
    for x, y in ((17, 17), (17, None), (None, 17), (None, None)):
        cx = 17 * mm if x else width - 17 * mm
        cy = 17 * mm if y else height - 17 * mm
        c.saveState()
        c.translate(cx, cy)
        c.rotate(45)
        c.rect(-3 * mm, -3 * mm, 6 * mm, 6 * mm, fill=1, stroke=0)
        c.restoreState()
    c.restoreState()


# -- 备案报告 --------------------------------------------------------------------------------
def _share(n: int, total: int) -> str:
    return f"{n}名，占{n * 100 / total:.1f}%" if total else f"{n}名"


def filing_report(store, round_id: str | None, path: Path | str) -> Path:
    round_row = store.nomination.get_or_current(round_id)
    if not round_row.get("confirmed_on"):
        raise ConflictError(f"“{round_row['name']}”尚未经党工委确认，还不能生成备案报告")
    term = _term(store, round_row)
    everyone = store.candidates.list(CandidateFilter(round_id=round_row["id"]))
    appointed = [c for c in everyone if c["status"] == st.APPOINTED]
    progress = {p["stage"]: p for p in store.nomination.progress(round_row["id"])}
    total = store.nomination.board(round_row["id"])["total"]  # the quota table's own figures
    subdistrict = store.settings.get("subdistrict")
    district = f"{store.settings.district() or '区'}人大常委会"
    who = _who(round_row, term)
    routes = Counter(c["route"] for c in everyone)
    route_text = "、".join(f"{ROUTE_SHORT[code]}{routes[code]}名" for code, _ in ROUTES if routes[code])
    quotas = store.nomination.quotas(round_row["id"])
    communities = sum(q["dimension"] == "community" for q in quotas)
    objections = store.candidates.objections(round_id=round_row["id"])
    upheld = sum(1 for o in objections if o["upheld"])
    units = store.nomination.review_units(round_row["id"])
    serials = sorted(c["certificate_no"] for c in appointed if c["certificate_no"])
    number = store.issued_docs.number("filing", round_row["id"]) or round_row.get("filing_doc")
    doc = OfficialDoc(store, title=[f"关于{subdistrict}{who}", "推选情况的报告"], sent_out=True, doc_number=number,
                      upward=True)
    doc.addressee([district])
    basis = store.institutions.summary()
    plan = basis["plan"]
    cited = (f"《{plan['title']}》" + (f"（{plan['doc_number']}）" if plan.get("doc_number") else "")
             if plan else f"{subdistrict}建立议事代表会议制度的实施方案")
    doc.para(f"根据{cited}，{subdistrict}借鉴人大代表产生办法，采取“两下两上”方式推选产生了{who}。"
             + _groundwork(basis) + "现将有关情况报告如下：")
    doc.heading("一、推选过程")
    returns = store.nomination.returns(round_row["id"])
    fed_back = sorted(r["feedback_on"] for r in returns if r["feedback_on"])
    reported = sorted(r["report_on"] for r in returns if r["report_on"])

    def span(days: list[str]) -> str:
        first, last = chinese_date(days[0]), chinese_date(days[-1])
        return first if first == last else f"{first}至{last}"

    setter = round_row.get("conditions_by") or ""
    setter_doc = f"（{round_row['conditions_doc']}）" if round_row.get("conditions_doc") else ""
    doc.lead_in("（一）“一下”。", f"{chinese_date(round_row['opened_on'])}，{setter}明确推选条件{setter_doc}：年满"
                f"{round_row['min_age']}周岁、在本村（社区）居住或工作满{round_row['min_years']}年、中国公民；"
                f"将{round_row['seats']}名代表名额"
                + (f"分配至{communities}个村（社区），并提出界别、党派等结构要求" if communities else "及结构要求") + "。")
    doc.lead_in("（二）“一上”。", f"各村（社区）共推荐初步人选{total[st.NOMINATED]}名（{route_text}），"
                f"经村（居）民代表会议通过{progress[st.COMMUNITY_APPROVED]['reached']}名，"
                f"报人大街道工委初审通过{progress[st.PRELIMINARY_REVIEWED]['reached']}名。")
    doc.lead_in("（三）“二下”。", f"初审名单提交{'、'.join(units)}等{len(units)}个部门联审，联审合格"
                f"{total['qualified']}名；合格名单"
                + (f"于{span(fed_back)}反馈{len(fed_back)}个村（社区）" if fed_back else "反馈各村（社区）")
                + "，自"
                f"{chinese_date(round_row['notice_start'])}至{chinese_date(round_row['notice_end'])}公示3个工作日，"
                + (f"收到异议{len(objections)}件，经核实成立{upheld}件、不成立{len(objections) - upheld}件。"
                   if objections else "公示期间未收到异议。"))
    doc.lead_in("（四）“二上”。", "公示无异议的名单由"
                + (f"{len(reported)}个村（社区）于{span(reported)}" if reported else "各村（社区）")
                + f"上报街道，经街道党工委研究（{round_row['confirm_doc']}），"
                f"于{chinese_date(round_row['confirmed_on'])}最终确定{who}{total['selected']}名"
                + (f"，并颁发聘书（编号{serials[0]}至{serials[-1]}）" if serials else "") + "。")
    doc.heading("二、代表构成")
    doc.para(_composition(appointed, round_row["confirmed_on"]))
    groups = Counter(store.candidates.groups_of_appointed(round_row["id"]))
    if groups:
        doc.heading("三、分组情况")
        doc.para(f"按照人数适当、区域适中、职业相近的原则，{len(appointed)}名议事代表划分为{len(groups)}个议事小组（"
                 + "、".join(f"{name}{n}名" for name, n in groups.items()) + "）。")
    doc.para("特此报告。")
    annex = f"{subdistrict}{who}名册"
    doc.attachments([annex])
    doc.sign(issued_date(store, "filing", round_row["id"]))
    doc.annex(annex)
    doc.table(_people_table(appointed, serial=True))
    return doc.build(path)


def _groundwork(basis: dict) -> str:
    """The institutions behind the round, in a sentence: studies, the 领导小组, the 制度."""
    parts = []
    if basis["studies"]:
        parts.append(f"街道党工委先后{len(basis['studies'])}次召开会议专题研究")
    group = basis["leading_group"]
    if group:
        parts.append(f"成立{group['title']}" + (f"（{group['doc_number']}）" if group.get("doc_number") else ""))
    if basis["rules"]:
        names = "".join(f"《{r['title']}》" for r in basis["rules"][:2])  # no 顿号 between 书名号
        parts.append(f"制定{names}等{len(basis['rules'])}项制度" if len(basis["rules"]) > 2 else f"制定{names}")
    return ("，".join(parts) + "。") if parts else ""


def _composition(people: list[dict], on: str) -> str:
    total = len(people)
    if not total:
        return "无。"
    day = as_day(on) or date.today()
    women = sum(p["gender"] == "女" for p in people)
    members = sum((p.get("party") or "").startswith("中共") for p in people)
    ages = [age_on(born, day) for born in (as_day(p.get("birth_date")) for p in people) if born]
    college = sum(p.get("education") in ("研究生", "大学本科", "大学专科") for p in people)
    sectors = Counter(p.get("sector") or "其他" for p in people)
    parts = [f"{total}名议事代表中，女性{_share(women, total)}；中共党员{_share(members, total)}，"
             f"非中共党员{_share(total - members, total)}"]
    if ages:
        young = sum(a <= 35 for a in ages)
        old = sum(a > 55 for a in ages)
        parts.append(f"平均年龄{sum(ages) / len(ages):.1f}岁，35岁及以下{young}名、36至55岁{len(ages) - young - old}名、"
                     f"56岁及以上{old}名")
    parts.append(f"大专及以上学历{_share(college, total)}")
    parts.append("界别分布：" + "、".join(f"{name}{n}名" for name, n in sectors.most_common()))
    return "；".join(parts) + "。"

