"""One official document (纪要、通知、公示、报告…) built element by element in GB/T 9704's order:
版头, 标题, 主送, 正文, 附件说明, 落款, 附件, 版记."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm

from app.common.textutil import chinese_date
from app.documents.gbt9704 import (
    BODY_PT,
    CHARS,
    LINE,
    PITCH,
    RED,
    TITLE_PT,
    AtFoot,
    Line,
    PageBreak,
    Run,
    TableBlock,
    blank,
    break_lines,
    paginate,
    render,
    text_width,
)

SEAL, NO_SEAL = "seal", "no_seal"
MASTHEAD_DROP = 35 * mm  # from the text block's top to the 发文机关标志's top edge (GB/T 9704 §7.2.3)
LAYOUT_LABELS = {SEAL: "加盖印章（成文日期右空四字，署名以日期居中）",
                 NO_SEAL: "不加盖印章（署名右空二字，日期首字右移二字）"}


def balanced(title: str) -> list[str]:
    """A title too long for one line, broken into two lines of about equal length (§7.3.1: 梯形
    or 菱形, never one word left alone) and never inside a number."""
    from app.documents.gbt9704 import atoms

    pieces = atoms([Run(title, "title", size=TITLE_PT)])
    widths = [a.width for a in pieces]
    if sum(widths) <= CHARS * PITCH:
        return [title]
    total, best, acc = sum(widths), None, 0.0
    for i, width in enumerate(widths[:-1], 1):
        acc += width
        if acc > CHARS * PITCH or total - acc > CHARS * PITCH:
            continue
        score = abs(total - 2 * acc)
        if best is None or score < best[0]:
            best = (score, i)
    if best is None:
        return [title]
    cut = sum(len(a.glyphs) for a in pieces[:best[1]])
    return [title[:cut], title[cut:]]


class OfficialDoc:
    def __init__(self, store, *, title: str | list[str], sent_out: bool = False, doc_number: str | None = None,
                 draft: bool = False, upward: bool = False, bulletin: dict | None = None):
        """`title`: the 标题, or its lines broken where the writer wants (at a sense boundary).
        A document `sent_out` (通知, 报告) carries the 版头 and 版记 when 设置 names the issuing
        body's mark (发文机关标志). An `upward` one (上行文: a report to the 区人大常委会) names its
        签发人 (设置) on the 发文字号's line. A `bulletin` (工作简报: name, issue, editor, dated) opens
        with its 报头 instead."""
        from app.documents.fonts import use_store_fonts

        use_store_fonts(store)
        self.store = store
        self.items: list = []
        self._printed_on: str | None = None
        self.draft = draft
        self.title = "".join(title) if isinstance(title, list) else title
        self.layout = store.settings.get("seal_layout") or SEAL
        mark = store.settings.get("issuer_mark")
        self.sent_out = bool(sent_out and mark)
        if self.sent_out:
            signer = store.settings.get("signer") if upward else None
            if upward and not signer:
                from app.common.errors import ConflictError

                raise ConflictError("报送区人大常委会的报告是上行文，版头要写明签发人：请先在“设置 → 公文”中填写签发人")
            self._masthead(mark, doc_number or "", signer)
        if bulletin:
            self._bulletin_head(**bulletin)
        for text in (title if isinstance(title, list) else balanced(title)):
            for line in break_lines([Run(text, "title", size=TITLE_PT)], first_indent=0, align="center",
                                    kind="title"):
                self.items.append(line)
        self.items.append(blank())

    # -- 版头 --------------------------------------------------------------------------------
    def _masthead(self, mark: str, number: str, signer: str | None = None) -> None:
        size = min(36.0, (CHARS * PITCH) / max(len(mark), 1) * BODY_PT / PITCH)
        head = break_lines([Run(mark, "title", size=size, color=RED)], first_indent=0, align="center",
                           kind="masthead")
        # §7.2.3: the mark's top edge 35 mm below the block's top: whole slots above it, the rest
        # of the way drawn within its own (two) slots.
        above = int(MASTHEAD_DROP // LINE)
        for line in head:
            line.slots = 2
            line.drop = MASTHEAD_DROP - above * LINE
        self.items += [Line(kind="masthead", slots=above), *head, blank(), blank()]
        if signer:  # §7.2.6: 上行文 — the number one cell in from the left, 签发人 one cell in from the right
            numbered = break_lines([Run(number or "", keep=True)], first_indent=1, align="left", kind="masthead")[0]
            signed = break_lines([Run("签发人："), Run(signer, "kai", keep=True)], first_indent=0, right_indent=1,
                                 align="right", kind="masthead")[0]
            numbered.placed += signed.placed
        else:
            numbered = break_lines([Run(number or "", keep=True)], first_indent=0, align="center",
                                   kind="masthead")[0]
        # §7.2.4: the red separator 4 mm below the 发文字号, as wide as the block.
        numbered.rules.append((BODY_PT + 4 * mm, CHARS * PITCH, RED, 1.2))
        self.items += [numbered, blank(), blank()]

    def _bulletin_head(self, *, name: str, issue: str, editor: str, dated: str) -> None:
        """报头 of a 简报: its name large and red, the 期号 under it, then 编印单位 on the left and the
        date on the right over a red rule the width of the block."""
        size = 36.0
        head = break_lines([Run(name, "title", size=size, color=RED)], first_indent=0, align="center",
                           kind="masthead")
        for line in head:
            line.slots = 2
        numbered = break_lines([Run(issue, keep=True)], first_indent=0, align="center", kind="masthead")
        made = break_lines([Run(f"编印：{editor}", keep=True)], first_indent=0, align="left", kind="masthead")[0]
        on = break_lines([Run(chinese_date(dated), keep=True)], first_indent=0, align="right", kind="masthead")[0]
        made.placed += on.placed
        made.rules.append((BODY_PT + 4 * mm, CHARS * PITCH, RED, 1.2))
        self.items += [*head, *numbered, made, blank(), blank()]

    def distribution(self, lines: list[tuple[str, str]]) -> None:
        """报、送、发 at the foot of a 简报's last page, between rules (as a 版记)."""
        width = CHARS * PITCH
        size = 14  # 4号
        above = -(LINE - size) / 2
        out: list[Line] = []
        for number, (label, names) in enumerate(lines):
            line = break_lines([Run(f"{label}：{names}", size=size)], first_indent=0, indent=1, right_indent=1,
                               kind="imprint")[0]
            line.rules.append((above, width, colors.black, 1.0 if number == 0 else 0.7))
            out.append(line)
        if out:
            out[-1].rules.append((LINE + above, width, colors.black, 1.0))
            _centre_in_slots(out, -above)
            self.items.append(AtFoot(out))

    # -- 主送 / 正文 ------------------------------------------------------------------------------
    def addressee(self, names: list[str]) -> None:
        """主送机关: flush left, names never broken, a full-width colon at the end."""
        # 回行时仍顶格; names are not stretched apart to fill a line
        self.items += break_lines(names_line(names, end="："), first_indent=0, align="left")

    def para(self, text: str | list[Run], *, first_indent: float = 2, indent: float = 0) -> None:
        runs = [Run(text)] if isinstance(text, str) else text
        self.items += break_lines(runs, first_indent=first_indent, indent=indent)

    def heading(self, text: str, level: int = 1) -> None:
        """一、 in 黑体, （一） in 楷体, each kept with the line that follows."""
        role = "hei" if level == 1 else "kai"
        for line in break_lines([Run(text, role)], kind="heading"):
            line.keep_with_next = True
            self.items.append(line)

    def lead_in(self, heading: str, text: str) -> None:
        """'（一）标题。正文…' in one paragraph: the heading run in 楷体, the text in 仿宋."""
        self.items += break_lines([Run(heading, "kai"), Run(text)])

    def labelled(self, label: str, names: list[str], *, empty: str = "无") -> None:
        """纪要's 出席/请假/列席 (§10.3): 黑体 label, names in 仿宋 never broken, continuation lines
        aligned with the first name."""
        runs = [Run(f"{label}：", "hei"), *(names_line(names) if names else [Run(empty)])]
        # the first line starts at the label, two cells in; the rest under the first name; set flush
        # left: a name kept whole that goes to the next line leaves its room blank, not spread
        # between the characters of the line before (列 席 ： 谭 志 兰 …)
        self.items += break_lines(runs, first_indent=-(len(label) + 1), indent=2 + len(label) + 1, align="left")

    def blank(self, count: int = 1) -> None:
        self.items += [blank() for _ in range(count)]

    def table(self, table) -> None:
        """A table described (`tables.TableSpec`: the PDF and the Word file alike), or a reportlab
        table as it is (the Word file then holds its cells' text)."""
        from app.documents.tables import TableSpec, flowable

        if isinstance(table, TableSpec):
            self.items.append(TableBlock(flowable(table), spec=table))
        else:
            self.items.append(TableBlock(table))

    # -- 附件说明 / 落款 ---------------------------------------------------------------------------
    def attachments(self, names: list[str]) -> None:
        """§7.3.3: one blank line, then 附件： two cells in; numbered 1. 2. when several, later
        names aligned with the first; no punctuation after a name."""
        lines = [blank("tail")]
        if len(names) == 1:
            lines += break_lines([Run("附件："), Run(names[0])], first_indent=0, indent=2, kind="tail")
        else:
            for number, name in enumerate(names, 1):
                runs = [Run("附件：" if number == 1 else ""), Run(f"{number}.{name}")]
                lines += break_lines(runs, first_indent=-3 if number == 1 else 0, indent=5, kind="tail")
        self.items += lines

    def sign(self, dated: str) -> None:
        """The 落款 of this office (its unit, in the layout 设置 chooses) and, for a document sent
        out, the 版记 at the foot of its last page."""
        unit = self.store.settings.unit()
        self.signature(unit, dated, self.layout)
        self._printed_on = dated

    def signature(self, issuer: str, dated: str, layout: str = SEAL) -> None:
        """落款 (§7.3.5): with a seal, the date right-indented 4 cells and the issuer centred over
        it; without, the issuer right-indented 2 cells one blank line below the text and the date
        on the next line, its first character 2 cells right of the issuer's."""
        date_text = chinese_date(dated)
        date_w = text_width([Run(date_text)])
        issuer_w = text_width([Run(issuer)])
        right = CHARS * PITCH
        if layout == NO_SEAL:
            issuer_x = right - 2 * PITCH - issuer_w
            date_x = issuer_x + 2 * PITCH
            if date_x + date_w > right - 2 * PITCH:  # the date is longer: it sets the right edge
                date_x = right - 2 * PITCH - date_w
                issuer_x = date_x - 2 * PITCH
            lines = [blank("tail")]
        else:
            date_x = right - 4 * PITCH - date_w
            issuer_x = date_x + (date_w - issuer_w) / 2
            if issuer_x + issuer_w > right - 2 * PITCH:
                # A 署名 too long to centre over the date stays two cells in; the date centres under it.
                issuer_x = right - 2 * PITCH - issuer_w
                date_x = issuer_x + (issuer_w - date_w) / 2
            lines = [blank("tail"), blank("tail")]
        for x, text in ((issuer_x, issuer), (date_x, date_text)):
            # set from the right edge (右空), so that a word processor keeps it there when edited
            right_cells = (right - max(x, 0) - text_width([Run(text, keep=True)])) / PITCH
            lines += break_lines([Run(text, keep=True)], first_indent=0, right_indent=right_cells, align="right",
                                 kind="tail")
        self.items += lines

    # -- 附件 / 版记 -------------------------------------------------------------------------------
    def annex(self, title: str, number: int | None = None) -> None:
        """§8: on a new page, 附件 (and its number) in 黑体 at the top left, the title centred on
        the third line."""
        self.items.append(PageBreak())
        self.items += break_lines([Run("附件" + (str(number) if number else ""), "hei")], first_indent=0)
        self.items.append(blank())
        self.items += break_lines([Run(title, "title", size=TITLE_PT)], first_indent=0, align="center",
                                  kind="title")
        self.items.append(blank())

    def imprint(self, *, cc: list[str], printer: str, printed_on: str) -> None:
        """版记 (§7.4) at the foot of the last page: 抄送 and 印发机关/印发日期 between rules."""
        width = CHARS * PITCH
        size = 14  # 4号
        above = -(LINE - size) / 2  # rules sit midway between the lines
        lines: list[Line] = []
        if cc:
            line = break_lines([Run("抄送：" + "，".join(cc) + "。", size=size)], first_indent=0, indent=1,
                               right_indent=1, kind="imprint")[0]
            line.rules.append((above, width, colors.black, 1.0))
            lines.append(line)
        row = break_lines([Run(printer, keep=True, size=size)], first_indent=0, indent=1, align="left",
                          kind="imprint")[0]
        issued = break_lines([Run(f"{chinese_date(printed_on)}印发", keep=True, size=size)], first_indent=0,
                             right_indent=1, align="right", kind="imprint")[0]
        row.placed += issued.placed
        # §7.4.1: the first and last rules bold, the one between thin; the last element on the last line
        row.rules += [(above, width, colors.black, 0.7 if cc else 1.0), (LINE + above, width, colors.black, 1.0)]
        lines.append(row)
        _centre_in_slots(lines, -above)
        self.items.append(AtFoot(lines))

    # -- output ----------------------------------------------------------------------------------
    def build(self, path: Path | str) -> Path:
        """Write the document: a Word file for a .docx path (the same elements, in Word's terms),
        else the PDF."""
        if self.sent_out and self._printed_on:
            settings = self.store.settings
            cc = [name.strip() for name in (settings.get("doc_cc") or "").replace("，", "、").split("、")
                  if name.strip()]
            self.imprint(cc=cc, printer=settings.get("printer_name") or settings.unit(), printed_on=self._printed_on)
            self._printed_on = None
        from app.documents.word import is_word

        if is_word(path):
            from app.documents.word_official import write_official

            return write_official(self, path)
        return render(path, paginate(self.items), title=self.title, author=self.store.settings.unit(),
                      draft=self.draft)


def _centre_in_slots(lines: list[Line], slack: float) -> None:
    """Lines between rules at the foot (版记, 报/送/发) drawn `slack` lower: the rules then fall on
    the slots' edges, the last on the block's bottom edge (§7.4.1), the text centred between them
    (the Word writer sets them as a table whose borders are those edges, and ignores the drop)."""
    for line in lines:
        line.drop = slack


def names_line(names: list[str], end: str = "") -> list[Run]:
    """Names joined by 、 (and `end` after the last), none split across lines."""
    return [Run(name + ("、" if i < len(names) - 1 else end), keep=True) for i, name in enumerate(names)]
