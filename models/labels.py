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
    EmployerClass,
    MemberStatus,
    NoticeKind,
    NoticeStatus,
    ServiceMethod,
    StaffCountSource,
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

STAFF_BAND = {
    "under_50": "50人以下",
    "50_99": "50–99人",
    "100_199": "100–199人",
    "200_999": "200–999人",
    "1000_up": "1000人以上",
}

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

# Personal data (个人信息保护法) is masked in lists; the whole value is shown only in an opened record.
MASKED_COLUMNS: dict[tuple[str, str], Callable[[str], str]] = {
    ("members", "id_number"): codes.mask_id_number,
    ("members", "mobile"): codes.mask_mobile,
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

    def shown(value: object) -> object:
        if value is None:
            return empty
        if choices is not None:
            return choices.get(value, value)  # a code without a word is shown as it is stored
        return mask(value) if mask is not None else value

    return shown
