"""The closed lists of values (codes) that records may hold, each with its Chinese label.

Defined once here, below the services: the rule book checks records against them and the services,
documents and registers ask them for labels. A code that is not in its list is a breach of the rule
book (written by a newer version, a hand edit or a bug): `label_of` shows it marked, never fails.
"""

from __future__ import annotations

from app.common.textutil import MARK
from app.rules.meeting_kinds import CHOICES, RECEPTION
from app.rules.nomination_stages import CHOICES as STAGE_CHOICES
from app.rules.nomination_stages import RECORDS, ROUND_KIND_CHOICES, STATUSES


def label_of(choices, value) -> str:
    """The label of a code; an unknown one marked with its raw value; '' for no value."""
    if value is None or value == "":
        return ""
    for item in choices:
        if isinstance(item, tuple):
            if item[0] == value:
                return item[1]
        elif item == value:
            return item
    return f"{MARK}{value}"


def codes_of(choices) -> tuple:
    return tuple(item[0] if isinstance(item, tuple) else item for item in choices)


# -- people --------------------------------------------------------------------------------------
GENDERS = ("男", "女")
DELEGATE_STATUSES = (("active", "在任"), ("resigned", "辞职"), ("removed", "罢免"),
                     ("deceased", "去世"), ("moved_away", "迁出"), ("term_ended", "届满"))
# The events after which a delegate no longer serves (their kind is the status they moved to).
LEAVING = ("resigned", "removed", "deceased", "moved_away", "term_ended")
# The first event of a delegate: appointed at the end of a selection (党工委确认).
APPOINTED_EVENT = "appointed"
DELEGATE_EVENT_KINDS = ((APPOINTED_EVENT, "确定为议事代表"), *DELEGATE_STATUSES)
GROUP_ROLES = (("member", "成员"), ("leader", "组长"), ("deputy_leader", "副组长"))
GRADES = ("优秀", "称职", "基本称职", "不称职")
# A group elects (推选) its leader and two deputies: the office stood for, and the outcome.
ELECTION_ROLES = (("leader", "组长"), ("deputy_leader", "副组长"))
ELECTION_RESULTS = (("elected", "当选"), ("not_elected", "未当选"))

# -- places --------------------------------------------------------------------------------------
COMMUNITY_KINDS = (("community", "社区"), ("village", "村"))
AREAS = (("old_town", "老城"), ("new_town", "新城"), ("rural", "农村"))
# The three levels of venues (阵地), lowest number of halls first; code names used by the
# services, the summary and the statistics register, spelled only here.
CENTRE, AREA_HALL, NEIGHBOURHOOD_HALL = "centre", "area_hall", "neighbourhood_hall"
VENUE_LEVELS = ((CENTRE, "街道议事中心"), (AREA_HALL, "片区议事厅"), (NEIGHBOURHOOD_HALL, "小区邻里议事堂"))
VENUE_LEVEL_SHORT = {CENTRE: "议事中心", AREA_HALL: "片区议事厅", NEIGHBOURHOOD_HALL: "邻里议事堂"}  # counts in one line
# Halls are built step by step (循序渐进): where each stands. Only an open venue has opened; the
# others' opening date, if any, is the one planned.
PLANNED, BUILDING, OPEN, SUSPENDED = "planned", "building", "open", "suspended"
BUILD_STATUSES = ((PLANNED, "规划中"), (BUILDING, "建设中"), (OPEN, "已建成投用"), (SUSPENDED, "暂停使用"))
# What a hall's business deliberates, in the report's three kinds (片区议事厅 "为议事小组商议片区群众利益
# 事项、街道重点工作和民生事项、街道公共事务等提供阵地保障").
SUBJECTS = (("area_interest", "片区利益"), ("key_work", "街道重点工作和民生实事"), ("public_affairs", "公共事务"))

# -- meetings ------------------------------------------------------------------------------------
# The meeting kinds are defined in meeting_kinds (a live list: a kind registered later is in it).
MEETING_KINDS = CHOICES
MEETING_STATUSES = (("planned", "计划"), ("held", "已召开"), ("cancelled", "已取消"))
SCOPES = (("group", "本小组代表"), ("all", "全体议事代表"), ("duty", "值班代表"), ("custom", "指定人员"))
PHASES = (("pre", "会前"), ("in", "会中"), ("post", "会后"))
ATTENDANCE_STATUSES = (("present", "出席"), ("excused", "请假"), ("absent", "缺席"),
                       ("attending_nonmember", "列席"))
ACTION_STATUSES = (("not_started", "未开始"), ("in_progress", "推进中"), ("done", "已完成"))
# the progress log also records an undone step (store.undo)
ACTION_PROGRESS_STATUSES = (*ACTION_STATUSES, ("undo", "撤销"))

# -- the opinion ledger --------------------------------------------------------------------------
OPINION_SOURCES = (("grid_visit", "网格走访"), (RECEPTION, "接待日"), ("meeting", "会议"), ("phone", "电话"),
                   ("letter", "来信"))
OPINION_STATUSES = (("collected", "已收集"), ("topic", "已列入议题"), ("deliberated", "已集中议事"),
                    ("declined", "未采纳"), ("assigned", "办理中"), ("returned", "已退办"),
                    ("answered", "已办结待反馈"), ("fed_back", "已反馈"), ("closed", "已办结"))
# Whose duty an opinion is (事项类别), in the order the statistics and the summary count them; code
# names spelled only here.
SELF_GOVERNANCE, SUBDISTRICT_DUTY, DEPARTMENT_DUTY = "self_governance", "subdistrict", "department"
CATEGORIES = ((SELF_GOVERNANCE, "社区自治事项"), (SUBDISTRICT_DUTY, "街道职责事项"), (DEPARTMENT_DUTY, "部门职责事项"))
SATISFACTION = ("满意", "基本满意", "不满意", "未表态")
SUPERVISION_METHODS = ("电话", "实地", "函件", "会议")
FEEDBACK_METHODS = ("当面", "电话", "书面", "公示")
OPINION_EVENTS = (("collect", "收集"), ("topic", "列入议题"), ("untopic", "撤出议题"), ("decline", "不予采纳"),
                  ("deliberate", "集中议事"), ("assign", "交办"), ("return", "退办"), ("extend", "延期"),
                  ("answer", "办结"), ("feedback", "反馈"), ("close", "归档"), ("reopen", "重办"),
                  ("key", "重点督办"), ("undo", "撤销"), ("report", "上报组长"), ("consult", "征求小组代表意见"),
                  ("plan", "制定议事方案"))
TOPIC_STATUSES = (("proposed", "待审核"), ("approved", "已审核同意"), ("rejected", "未同意"),
                  ("deliberated", "已集中议事"))
VIEWS = ("同意", "有补充意见", "不同意", "未表态")

# -- the selection (两下两上) -----------------------------------------------------------------------
ROUND_KINDS = ROUND_KIND_CHOICES  # the registry: app/rules/nomination_stages.py
QUOTA_DIMENSIONS = (("community", "村（社区）"), ("sector", "界别"), ("party", "政治面貌"))
QUOTA_RULES = (("exact", "名额"), ("min", "不少于"), ("max", "不超过"))
SELF_NOMINATION = ((0, "不开放（按实施方案，由基层党组织推荐或居民联名推荐）"), (1, "开放本人自荐"))
RETURN_STEPS = (("feedback", "二下：合格名单反馈村（社区）"), ("report", "二上：村（社区）上报名单"))
# The stages, statuses and history entries are defined in nomination_stages (the stage machine).
CANDIDATE_STAGES = STAGE_CHOICES
# the stage history also records a withdrawal and an undone step
STAGE_RECORDS = RECORDS
ROUTES = (("party_org", "基层党组织推荐"), ("joint", "居民10人以上联名推荐"),
          ("self", "本人自荐（须本批次开放）"))
CANDIDATE_STATUSES = STATUSES
VERDICTS = (("pass", "通过"), ("fail", "未通过"), ("note", "记录"))
REVIEW_VERDICTS = ("合格", "不合格")
UPHELD = ((1, "属实"), (0, "不属实"))

# -- the year on paper ---------------------------------------------------------------------------
INSTITUTION_KINDS = (("study", "党工委专题研究"), ("leading_group", "领导小组"), ("plan", "实施方案"), ("rule", "制度"))
INSTITUTION_STATUSES = (("in_force", "施行中"), ("repealed", "已废止"))
LEADING_ROLES = ("组长", "副组长", "成员")
HOLIDAY_KINDS = (("holiday", "放假"), ("workday", "调休上班"))
# The documents a clerk exports (their kinds name the 成文日期 and 发文字号 kept in issued_docs).
DOC_KINDS = (("minutes", "会议纪要"), ("meeting_notice", "会议通知"), ("notice", "议事代表人选公示"), ("certificates", "聘书"),
             ("filing", "议事代表推选情况备案报告"), ("signin", "签到表"), ("flowchart", "工作流程图"),
             ("brief", "工作简报"), ("assignment", "交办单"), ("feedback", "反馈回执"), ("duty", "履职档案"),
             ("plan", "议事方案"), ("summary", "年度工作总结"), ("ledger", "意见建议办理台账（打印版）"),
             ("reception_notice", "接待日安排公告"))
CONFLICT_KINDS = (("concurrent", "两处同时修改"), ("delete_vs_edit", "一处删除、一处修改"))
FLAGS = ((0, "否"), (1, "是"))
