"""The meeting kinds, each defined once (DESIGN §3): what a plenary, a group activity, a reception day
or a special session is, asked by every layer instead of comparing kind strings.

A kind is a frozen `MeetingKind`: its label, default scope, who takes part, the fields it requires,
its cadence, its quorum rule, whether it holds votes, registers residents' matters or has minutes,
the documents it gives (会议纪要 among them or not), the lines it takes in the statistics and the duty record, its default title
and its flowchart template. The registry keeps them in order; `registered()` adds one for a while
(tests add a throwaway fifth kind with it) and every list, plan, register and statistic follows.

Only this module spells a kind's code; the rest ask `kind_of(code)` for behaviour, iterate `kinds()`
for columns and lists, and use the constants below where a passage is about one kind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

PLENARY = "plenary"
GROUP_ACTIVITY = "group_activity"
RECEPTION = "reception"
SPECIAL = "special"

# Cadence periods: a label and the (start, end) of each period of a year.
_QUARTERS = "一二三四"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def periods(period: str | None, year: int) -> list[tuple[str, date, date]]:
    """The periods of `year` a cadence asks one meeting in; none for a kind held as needed."""
    if period == "half":
        return [("上半年", date(year, 1, 1), date(year, 6, 30)), ("下半年", date(year, 7, 1), date(year, 12, 31))]
    if period == "quarter":
        ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]
        return [(f"第{_QUARTERS[q]}季度", date(year, 3 * q + 1, 1), ends[q]) for q in range(4)]
    if period == "month":
        return [(f"{m}月", date(year, m, 1), (date(year + (m == 12), m % 12 + 1, 1) - timedelta(days=1)))
                for m in range(1, 13)]
    if period == "year":
        return [(f"{year}年", date(year, 1, 1), date(year, 12, 31))]
    return []


@dataclass(frozen=True)
class Cadence:
    """How often a kind is held: one meeting per `period` ("half", "quarter", "month", "year", or None
    for as needed) for each of `per` ("all": the council, "group": each group, "hall": each
    neighbourhood hall). `label` is the cadence chooser's line."""

    period: str | None
    per: str
    label: str


@dataclass(frozen=True)
class Step:
    """One step of a kind's flowchart template: its phase (codes.PHASES), title, owner and the days
    from the meeting date it is due."""

    phase: str
    title: str
    owner: str
    offset: int


@dataclass(frozen=True)
class MeetingKind:
    code: str
    label: str
    scope: str                                   # the default scope of those invited (codes.SCOPES)
    roles: tuple[str, ...]                       # who takes part, in words
    required: tuple[tuple[str, str], ...]        # (field, the message when it is missing)
    cadence: Cadence
    title: str                                   # default title; {year} {half} {quarter} {month} {group} {venue}
    stats_item: str                              # its line in 年度统计表 and the statistics tab (held)
    short: str                                   # its short name in summaries (大会, 分组活动, ...)
    duty_column: str                             # its column in the duty record and 年度履职情况 (attended)
    summary_name: str                            # how the year-end summary's plan names it
    record_line: str = ""                        # its line in the printed 履职档案 (else duty_column)
    steps: tuple[Step, ...] = ()
    quorum: str | None = None                    # "majority": more than half of all delegates present
    votes: bool = False                          # 民生实事项目票决
    matters: bool = False                        # residents' matters registered (reception day form)
    starts_year: bool = False                    # one held shows the year's work has begun
    discussions: bool = False                    # 分组讨论: the groups discuss apart, each in a room
    # the documents a meeting of the kind gives (codes.DOC_KINDS; documents.catalog.MEETING_DOCS)
    documents: tuple[str, ...] = ("meeting_notice", "signin", "flowchart", "minutes", "brief")
    aliases: tuple[str, ...] = ()                # other words offices' own lists use for it (kind_named)

    def default_title(self, day: date, group: str = "", venue: str = "") -> str:
        return self.title.format(year=day.year, half="上" if day.month <= 6 else "下",
                                 quarter=_QUARTERS[(day.month - 1) // 3], month=day.month,
                                 group=group or "", venue=venue or "")

    @property
    def minutes(self) -> bool:
        """Whether a meeting of the kind has 会议纪要."""
        return "minutes" in self.documents

    @property
    def record_title(self) -> str:
        return self.record_line or self.duty_column

    def periods(self, year: int) -> list[tuple[str, date, date]]:
        return periods(self.cadence.period, year)


_BUILT_IN = (
    MeetingKind(
        PLENARY, "议事代表大会", "all", ("全体议事代表", "街道办事处", "相关部门"), (),
        Cadence("half", "all", "议事代表大会（每年 2 次）"), "{year}年{half}半年议事代表大会",
        "召开议事代表大会", "大会", "出席大会", "议事代表大会", record_line="出席议事代表大会",
        steps=(Step("pre", "确定会议日期", "人大街道工委", -30), Step("pre", "拟定会议议程", "人大街道工委", -21),
               Step("pre", "确定参加人员", "人大街道工委", -14), Step("pre", "开展实地调研", "议事代表", -10),
               Step("in", "听取工作报告", "街道办事处", 0), Step("in", "开展分组讨论", "各议事小组", 0),
               Step("in", "汇总意见建议", "人大街道工委", 0),
               Step("post", "交办意见建议", "人大街道工委", 7), Step("post", "整理会议资料", "人大街道工委", 14)),
        quorum="majority", votes=True, starts_year=True, discussions=True,
        aliases=("代表大会", "议事代表会议", "议事会议", "议事大会", "居民议事代表大会")),
    MeetingKind(
        GROUP_ACTIVITY, "分组活动", "group", ("本小组议事代表", "相关部门"),
        (("group_id", "分组活动须选择议事小组"),),
        Cadence("quarter", "group", "分组活动（每组每季度 1 次）"), "{group}{year}年第{quarter}季度议事活动",
        "开展分组活动", "分组活动", "出席小组活动", "小组议事活动", record_line="出席分组活动",
        steps=(Step("pre", "收集商议确定议题", "小组组长", -21), Step("pre", "报人大街道工委审核", "小组组长", -14),
               Step("pre", "协调相关部门参与", "人大街道工委", -7), Step("pre", "实地走访调研", "议事小组", -5),
               Step("in", "座谈协商", "议事小组", 0), Step("in", "形成议事纪要", "小组副组长", 0),
               Step("post", "督促落实", "人大街道工委、议事代表", 30)),
        starts_year=True, aliases=("小组活动", "小组议事活动", "议事小组活动", "分组议事活动", "小组议事", "分组议事")),
    MeetingKind(
        RECEPTION, "接待日", "duty", ("值班议事代表", "来访群众"), (("venue_id", "接待日须选择接待的议事堂"),),
        Cadence("month", "hall", "邻里议事堂接待日（每月 1 次）"), "{venue}{year}年{month}月接待日",
        "邻里议事堂接待日", "接待日", "接待日值班", "接待日",
        steps=(Step("pre", "排定值班代表", "人大街道工委", -7), Step("pre", "发布接待公告", "社区", -3),
               Step("in", "接待登记群众意见", "值班代表", 0),
               Step("post", "整理接待记录", "值班代表", 3), Step("post", "移交意见建议", "人大街道工委", 7)),
        matters=True, aliases=("接待日活动", "代表接待日", "议事代表接待日", "议事堂接待日", "接待群众", "接待")),
    MeetingKind(
        SPECIAL, "专题议事", "custom", ("指定议事代表", "相关部门"), (),
        Cadence(None, "all", "专题议事（按需召开）"), "{year}年{month}月专题议事",
        "专题议事", "专题议事", "出席专题议事", "专题议事",
        steps=(Step("pre", "确定议题", "人大街道工委", -14), Step("pre", "通知参加人员和部门", "人大街道工委", -7),
               Step("in", "专题协商", "议事代表、相关部门", 0),
               Step("post", "形成会议纪要", "人大街道工委", 3), Step("post", "督促落实", "人大街道工委", 30)),
        aliases=("专题议事会", "专题议事会议", "专题会议", "专题协商", "专题协商会")),
)

_KINDS: dict[str, MeetingKind] = {k.code: k for k in _BUILT_IN}


def kinds() -> tuple[MeetingKind, ...]:
    """Every registered kind, in the order lists, registers and statistics show them."""
    return tuple(_KINDS.values())


def codes() -> tuple[str, ...]:
    return tuple(_KINDS)


def is_known(code: str | None) -> bool:
    return code in _KINDS


def kind_of(code: str | None) -> MeetingKind:
    """The kind of `code`; one this version does not know (a newer version's, a hand edit) behaves as
    a kind with no cadence, no votes and no matters, its label the raw code marked."""
    known = _KINDS.get(code or "")
    if known is not None:
        return known
    raw = f"※{code or ''}"
    return MeetingKind(code or "", raw, "custom", (), (), Cadence(None, "all", raw), "{year}年{month}月" + raw,
                       raw, raw, raw, raw)


def _word(text: str) -> str:
    return re.sub(r"[\s（）()]+", "", unicodedata.normalize("NFKC", text or ""))


def kind_named(text: str | None) -> MeetingKind | None:
    """The kind a word as typed names: its code, label, short name, line in the statistics or one of
    its aliases (an office's own list says 代表大会 or 小组活动); None when no kind answers to it."""
    word = _word(text or "")
    if not word:
        return None
    for kind in _KINDS.values():
        if word in {_word(w) for w in (kind.code, kind.label, kind.short, kind.stats_item, kind.summary_name,
                                       *kind.aliases)}:
            return kind
    return None


def kind_mentioned(text: str | None) -> MeetingKind | None:
    """The kind a title speaks of (2025年上半年议事代表大会, 老城小组第一季度小组活动): the one whose
    longest word it holds; None when none, or when two kinds' words are as long."""
    title = _word(text or "")
    found = sorted(((len(_word(w)), kind.code) for kind in _KINDS.values()
                    for w in (kind.label, kind.short, *kind.aliases) if len(_word(w)) >= 2 and _word(w) in title),
                   reverse=True)
    if not found or (len(found) > 1 and found[1][0] == found[0][0] and found[1][1] != found[0][1]):
        return None
    return _KINDS[found[0][1]]


def codes_where(**flags) -> tuple[str, ...]:
    """The codes of the kinds whose attributes have the given values, e.g. codes_where(matters=True)."""
    return tuple(k.code for k in _KINDS.values() if all(getattr(k, name) == value for name, value in flags.items()))


def sql_list(codes: Sequence[str]) -> str:
    """An SQL list of kind codes, `('a', 'b')` (codes are checked identifiers; never empty)."""
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")" if codes else "(NULL)"


def duty_kinds() -> str:
    """The SQL list of the kinds a delegate on a hall's duty roster that month attends by being on duty."""
    return sql_list(codes_where(scope="duty"))


def register(kind: MeetingKind) -> None:
    if not _CODE.match(kind.code):
        raise ValueError(f"meeting kind code {kind.code!r} should be lower-case letters, digits and _")
    if kind.code in _KINDS:
        raise ValueError(f"meeting kind {kind.code!r} is already registered")
    _KINDS[kind.code] = kind


def unregister(code: str) -> None:
    del _KINDS[code]


@contextmanager
def registered(kind: MeetingKind) -> Iterator[MeetingKind]:
    """Add `kind` to the registry while the block runs (tests' throwaway kinds)."""
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind.code)


class _Choices(Sequence):
    """(code, label) of every registered kind, read live: a kind registered later is in it too."""

    def __getitem__(self, index):
        return tuple((k.code, k.label) for k in _KINDS.values())[index]

    def __len__(self) -> int:
        return len(_KINDS)

    def __repr__(self) -> str:
        return repr(tuple(self))


CHOICES: Sequence[tuple[str, str]] = _Choices()
