"""The Chinese words for the codes the domain stores, the column titles of each list, and how a list
shows a stored value (a code as its word, personal data masked).

They live in ``models`` although they are text for people (STYLE habit 9): the window, the exported
workbooks and the command line must all show a list alike, and ``models`` is the one layer all of them
may import. The window's own pixel sizes stay in ``ui.labels``.
"""

from __future__ import annotations

from collections.abc import Callable

from models import codes
from models.entities import (
    AuditAction,
    EmployerClass,
    MembershipChangeKind,
    MemberStatus,
    NoticeKind,
    NoticeStatus,
    ServiceMethod,
    StaffCountSource,
    TaskRule,
    TaskStatus,
    UnionEventKind,
    UnionKind,
    UnionStatus,
)

EMPLOYER_CLASS = {
    EmployerClass.STATE_OWNED: "国有企业",
    EmployerClass.PUBLIC_INSTITUTION: "机关事业单位",
    EmployerClass.NON_PUBLIC: "非公企业",
    EmployerClass.SOCIAL_ORGANIZATION: "社会组织",
}
UNION_KIND = {
    UnionKind.SINGLE: "单独基层工会",
    UnionKind.JOINT: "联合基层工会",
    UnionKind.REGIONAL: "区域性、行业性工会",
}
UNION_STATUS = {
    UnionStatus.ACTIVE: "正常",
    UnionStatus.TRANSFERRED_OUT: "已转出",
    UnionStatus.DISSOLVED: "已撤销",
}
MEMBER_STATUS = {
    MemberStatus.ACTIVE: "在会",
    MemberStatus.TRANSFERRED_OUT: "转出",
    MemberStatus.WITHDRAWN: "退会",
}
MEMBERSHIP_CHANGE = {
    MembershipChangeKind.WITHDRAWN: "退会",
    MembershipChangeKind.TRANSFERRED_OUT: "转出",
    MembershipChangeKind.REJOINED: "重新入会",
}
SEX = {"M": "男", "F": "女"}
STAFF_COUNT_SOURCE = {
    StaffCountSource.SOCIAL_SECURITY: "社保参保",
    StaffCountSource.TAX: "税务",
    StaffCountSource.MARKET_REGULATION: "市场监管",
    StaffCountSource.SELF_REPORTED: "单位自报",
    StaffCountSource.SURVEY: "走访摸底",
}
UNION_EVENT = {
    UnionEventKind.MOVED: "调整隶属关系",
    UnionEventKind.TRANSFERRED_OUT: "组织关系转出",
    UnionEventKind.DISSOLVED: "撤销",
    UnionEventKind.TRANSFERRED_IN: "组织关系转入",
}
DUPLICATE_REASON = {"same_name_birth": "姓名和出生日期相同", "same_mobile": "手机号码相同"}
TASK_STATUS = {
    TaskStatus.NOT_STARTED: "未启动",
    TaskStatus.MOBILIZING: "宣传动员",
    TaskStatus.PREPARING: "筹备中",
    TaskStatus.FOUNDED: "已建会",
    TaskStatus.DEFERRED: "暂缓",
    TaskStatus.CANCELLED: "注销",
}
# Why a task was proposed; the staff thresholds are settings, so the words do not name a number.
TASK_RULE = {
    TaskRule.STAFF: "职工人数达标",
    TaskRule.ABOVE_SCALE: "规模以上企业",
    TaskRule.DEPUTY_LINKED: "两代表一委员",
    TaskRule.NON_PUBLIC: "非公企业人数达标",
    TaskRule.NEW_EMPLOYMENT_FORMS: "新就业形态",
}


def task_rule_words(rules: str | tuple[str, ...] | None) -> str:
    """The rules a task met, as stored ("staff,non_public") or as a tuple, in words (职工人数达标、非公企业人数达标)."""
    if not rules:
        return ""
    stored = rules.split(",") if isinstance(rules, str) else rules
    return "、".join(TASK_RULE.get(code, code) for code in stored)


NOTICE_KIND = {
    NoticeKind.OPINION_LETTER: "工会组建意见函",
    NoticeKind.INSPECTION_OPINION: "法律监督检查意见书",
    NoticeKind.RECOMMENDATION: "法律监督建议书",
}
NOTICE_STATUS = {
    NoticeStatus.DRAFT: "草稿",
    NoticeStatus.ISSUED: "已发出",
    NoticeStatus.SERVED: "已送达",
    NoticeStatus.REPLIED: "已答复",
    NoticeStatus.ESCALATED: "已升级",
    NoticeStatus.CLOSED: "已办结",
    NoticeStatus.VOID: "作废",
}
SERVICE_METHOD = {
    ServiceMethod.DIRECT: "直接送达",
    ServiceMethod.MAIL: "邮寄送达",
    ServiceMethod.LEFT: "留置送达",
}

# The audit trail (models.audit) names tables and actions by code; the viewer, its workbook and the command
# line name them so. A table not listed here is shown by its code.
AUDIT_TABLES = {
    "member": "会员",
    "employer": "单位",
    "union": "基层工会",
    "first_level_union": "一级工会",
    "union_employer": "工会覆盖单位",
    "notice": "文书",
    "service": "送达",
    "visit": "走访",
    "organizing_task": "建会任务",
    "task_progress": "任务进展",
    "organizing_target": "年度目标",
    "membership_change": "会员进出",
    "union_event": "工会变动",
    "recycled_record": "回收站",
    "distinct_people": "非重复人员",
    "federation": "区总工会",
    "account": "账户",
    "setting": "设置",
}
AUDIT_ACTIONS = {
    AuditAction.INSERT: "新增",
    AuditAction.UPDATE: "修改",
    AuditAction.DELETE: "删除",
    AuditAction.DISCLOSE: "查看完整个人信息",
    AuditAction.BULK_INSERT: "批量新增",
    AuditAction.PURGE: "彻底删除",
}

STAFF_BAND = {
    "under_50": "50人以下",
    "50_99": "50–99人",
    "100_199": "100–199人",
    "200_999": "200–999人",
    "1000_up": "1000人以上",
}

# The figures of models.figures, as the report, the workbook and the command line name them. A title may
# hold {threshold}: the federation's staff threshold (a setting, 100 unless the office changed it).
FIGURE_TITLES = {
    "new_unions": "新建工会",
    "covered_staff": "新建工会覆盖职工",
    "unions_transferred_in": "转入工会",
    "unions_transferred_out": "转出工会",
    "unions_dissolved": "撤销工会",
    "unions_at_end": "期末基层工会",
    "covered_staff_at_end": "期末覆盖职工",
    "new_members": "新增会员",
    "members_withdrawn": "退会会员",
    "members_transferred_out": "转出会员",
    "members_left": "减少会员",
    "members_at_end": "期末会员",
    "coverage_100_plus": "职工{threshold}人以上单位",
    "coverage_100_plus_organized": "职工{threshold}人以上已建会单位",
    "coverage_100_plus_unorganized": "职工{threshold}人以上未建会单位",
    "coverage_100_plus_rate": "职工{threshold}人以上单位建会率",
    "coverage_above_scale": "规模以上企业",
    "coverage_above_scale_organized": "规模以上已建会企业",
    "coverage_above_scale_unorganized": "规模以上未建会企业",
    "coverage_above_scale_rate": "规模以上企业建会率",
    "notices_issued": "发出文书",
    "notices_served": "送达文书",
    "notices_replied": "答复文书",
    "notices_overdue": "逾期未答复文书",
    "notices_reply_rate": "文书答复率",
}
# A figure's unit, from its key (a later line wins: a rate of employers is %, not 家).
FIGURE_UNITS = {
    **{key: "家" for key in FIGURE_TITLES if key.startswith(("new_unions", "unions_", "coverage_"))},
    **{key: "人" for key in FIGURE_TITLES if "members" in key or "staff" in key},
    **{key: "份" for key in FIGURE_TITLES if key.startswith("notices_")},
    **{key: "%" for key in FIGURE_TITLES if key.endswith("_rate")},
}
# The rows of the report that are not a first-level union or an employer class.
UNASSIGNED_FIRST_LEVEL_UNION = "未指定一级工会"
UNLINKED_EMPLOYER_CLASS = "未关联单位"


def figure_title(key: str, staff_threshold: int = 100) -> str:
    """A figure's name in the report: "新建工会", "职工100人以上单位建会率"."""
    return FIGURE_TITLES[key].format(threshold=staff_threshold)


# Column titles per list, in the order of models.listing.LISTINGS[...].columns.
COLUMN_TITLES = {
    "employers": {
        "name": "单位名称",
        "credit_code": "统一社会信用代码",
        "employer_class": "单位类别",
        "staff_count": "职工人数",
        "first_level_union": "一级工会",
        "union": "基层工会",
        "founded_on": "成立日期",
    },
    "unions": {
        "name": "工会名称",
        "credit_code": "统一社会信用代码",
        "kind": "类型",
        "first_level_union": "一级工会",
        "founded_on": "成立日期",
        "chair_name": "工会主席",
        "covered_staff": "覆盖职工",
        "member_count": "会员人数",
        "status": "状态",
    },
    "members": {
        "name": "姓名",
        "id_number": "身份证号",
        "sex": "性别",
        "mobile": "手机号码",
        "union": "所在工会",
        "joined_on": "入会日期",
        "status": "状态",
    },
    "organizing_tasks": {
        "year": "年度",
        "employer": "单位名称",
        "staff_count": "职工人数",
        "first_level_union": "责任一级工会",
        "status": "进展",
        "rules": "建会规则",
        "planned_on": "计划建会日期",
        "last_progress_on": "最近进展日期",
    },
    "notices": {
        "document_number": "文号",
        "kind": "文书",
        "employer": "单位",
        "status": "状态",
        "issued_on": "发出日期",
        "reply_due_on": "答复期限",
    },
    "unorganized": {
        "name": "单位名称",
        "credit_code": "统一社会信用代码",
        "employer_class": "单位类别",
        "staff_count": "职工人数",
        "staff_count_source": "人数来源",
        "staff_count_date": "人数统计日期",
        "first_level_union": "责任一级工会",
        "without_union_since": "未建会起始日期",
    },
}

# What a list is called as a document of its own: the title of its exported workbook.
LIST_TITLES = {
    "employers": "单位名录",
    "unions": "基层工会名册",
    "members": "会员名册",
    "organizing_tasks": "建会任务清单",
    "notices": "一函两书登记簿",
    "unorganized": "未建会单位名单",
}

# How a stored code is shown in a given list's column.
CHOICE_COLUMNS = {
    ("employers", "employer_class"): EMPLOYER_CLASS,
    ("unions", "kind"): UNION_KIND,
    ("unions", "status"): UNION_STATUS,
    ("members", "sex"): SEX,
    ("members", "status"): MEMBER_STATUS,
    ("organizing_tasks", "status"): TASK_STATUS,
    ("notices", "kind"): NOTICE_KIND,
    ("notices", "status"): NOTICE_STATUS,
    ("unorganized", "employer_class"): EMPLOYER_CLASS,
    ("unorganized", "staff_count_source"): STAFF_COUNT_SOURCE,
}

# Personal data (个人信息保护法): masked wherever the person working may not see it whole (a reader, and every
# export or printout without a reason given; models.privacy decides), by these.
MASKED_COLUMNS: dict[tuple[str, str], Callable[[str], str]] = {
    ("members", "id_number"): codes.mask_id_number,
    ("members", "mobile"): codes.mask_mobile,
}

# Columns holding several codes, comma-separated, shown as their words joined by 、.
LIST_OF_CODES_COLUMNS: dict[tuple[str, str], Callable[[str], str]] = {
    ("organizing_tasks", "rules"): task_rule_words,
}

# What an empty value means where it means something.
EMPTY_WORDS = {("employers", "union"): "未建会"}


def presenter(
    listing_key: str, column: str, reveal_personal_data: bool = False
) -> Callable[[object], object]:
    """How one column of a list shows its stored values: a code as its word, personal data masked unless
    revealed, an empty value as its word where it has one. Dates and numbers are left as they are, for
    the window to write as text and a workbook as typed cells.

    Chosen once per column, so that showing 100,000 rows costs one call per cell and no look-ups.
    """
    empty = EMPTY_WORDS.get((listing_key, column))
    choices = CHOICE_COLUMNS.get((listing_key, column))
    mask = None if reveal_personal_data else MASKED_COLUMNS.get((listing_key, column))
    several = LIST_OF_CODES_COLUMNS.get((listing_key, column))

    def shown(value: object) -> object:
        if value is None:
            return empty
        if choices is not None:
            return choices.get(value, value)  # a code without a word is shown as it is stored
        if several is not None:
            return several(value)
        return mask(value) if mask is not None else value

    return shown
