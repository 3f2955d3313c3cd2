"""Meeting registers: 活动登记台账 and 出勤统计 (attendance per delegate)."""

from __future__ import annotations

from app.registers import period
from app.registers.writer import Column, Percent, Register
from app.rules.meeting_kinds import kinds
from app.services.attendance import attendance_text
from app.services.meetings import MeetingFilter


def meetings(store, year: int | None = None) -> Register:
    rows = store.meetings.page(MeetingFilter(year=year, descending=False), limit=None)
    for row in rows:
        counts = store.attendance.summary(row["id"])
        row["attendance"] = attendance_text(counts, store.attendance.figures(row["id"]) if counts["counted"] else None)
        row["agenda_text"] = "；".join(row["agenda_list"])
        row["departments_text"] = "、".join(row["departments_list"])
        row["items"] = store.action_items.count_of("meeting_id", row["id"])
    # Printed on A4: when, what, where, who came and what followed; A3 adds the group, the agenda
    # and the departments invited.
    columns = [Column("日期", "date", 11, kind="date"), Column("时间", "time", 11), Column("类型", "kind_label", 10),
               Column("会议名称", "title", 16, 36, wrap=True), Column("议事小组", "group_name", 9, printed="a3"),
               Column("地点", "place", 14, 30, wrap=True),
               Column("议事事项类型", "subject_label", 10, 12, wrap=True, printed="a3"),
               Column("议程", "agenda_text", 16, 40, wrap=True, printed="a3"),
               Column("邀请部门", "departments_text", 10, 24, wrap=True, printed="a3"),
               Column("出席情况", "attendance", 14, 30, wrap=True), Column("落实事项数", "items", 8, kind="int"),
               Column("状态", "status_label", 7)]
    title = f"{store.settings.get('subdistrict') or ''}议事活动登记台账" + (f"（{year}年）" if year else "")
    return Register(title, store.settings.unit(), columns, rows, "活动登记台账")


def _per_kind(key: str) -> list[Column]:
    """A count column per registered kind, its title wrapping within 10 units so that every kind's
    column fits the A4 page with the rest (`key` formats the row's key from the kind's code)."""
    return [Column(k.duty_column, key.format(k.code), 8, 10, kind="int") for k in kinds()]


def attendance(store, year: int | None = None, term_id: str | None = None) -> Register:
    rows = store.attendance.by_delegate(year, term_id)
    for row in rows:
        marked = row["present"] + row["excused"] + row["absent"]
        row["rate"] = Percent(row["present"] / marked) if marked else None
    columns = [Column("姓名", "name", 8), Column("议事小组", "group_name", 9),
               Column("所在村（社区）", "community_name", 10),
               *_per_kind("{}_present"),
               Column("出席合计", "present", 8, kind="int"),
               Column("请假", "excused", 6, kind="int"), Column("缺席", "absent", 6, kind="int"),
               Column("出席率", "rate", 8, kind="percent")]
    title = f"{store.settings.get('subdistrict') or ''}议事代表出勤统计表{period(store, year, term_id)}"
    return Register(title, store.settings.unit(), columns, rows, "出勤统计")


def performance(store, year: int | None = None, term_id: str | None = None) -> Register:
    """代表年度履职情况: each delegate's year for 述职, and the group's 评议."""
    year = year or store.summary.default_year()
    rows = store.reviews.year_sheet(year, term_id)
    columns = [Column("姓名", "name", 8), Column("议事小组", "group_name", 9), Column("村（社区）", "community_name", 10),
               Column("走访网格", "visits", 8, kind="int"),
               *_per_kind("{}"),
               # the counts' titles wrap within 8 units, so that A4 still takes the whole row with 参与督办
               Column("提出意见建议", "opinions", 8, 8, kind="int"), Column("参与督办", "supervisions", 8, 8, kind="int"),
               Column("实地调研", "surveys", 8, 8, kind="int", printed="a3"), Column("评议等次", "grade", 8),
               Column("评议意见", "remarks", 10, 24, wrap=True)]
    title = f"{store.settings.get('subdistrict') or ''}议事代表{year}年度履职情况"
    return Register(title, store.settings.unit(), columns, rows, "年度履职")


def rota(store, period: str | None = None) -> Register:
    """接待日值班表 of a month or a quarter: each neighbourhood hall's reception days (date, hours)
    and the delegates on duty, with their phones for the clerk's calls."""
    from datetime import date

    from app.services.receptions import period_label

    period = period or date.today().strftime("%Y-%m")
    rows = store.receptions.rota(period)
    columns = [Column("月份", "month_label", 9), Column("邻里议事堂", "hall", 12, 24, wrap=True),
               Column("地址", "address", 14, 30, wrap=True), Column("接待日期", "dates", 12, 30, wrap=True),
               Column("接待时间", "hours", 11, 16, wrap=True), Column("值班代表", "delegate_names", 12, 30, wrap=True),
               Column("联系电话", "phones", 14, 36, wrap=True),
               Column("接待/开放安排", "schedule", 12, 30, wrap=True, printed="a3")]
    title = f"{store.settings.get('subdistrict') or ''}邻里议事堂接待日值班表（{period_label(period)}）"
    return Register(title, store.settings.unit(), columns, rows, "值班表",
                    note="值班代表因故不能到岗的，请提前告知人大街道工委，另行安排。")
