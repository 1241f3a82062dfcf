"""The Chinese words for the codes the domain stores, and the column titles of each list."""

from __future__ import annotations

from models.entities import (
    EmployerClass,
    MemberStatus,
    NoticeKind,
    NoticeStatus,
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
}

# Starting widths (pixels) where the default is too narrow; the clerk's own widths are remembered after.
COLUMN_WIDTHS = {"name": 280, "union": 280, "employer": 280, "credit_code": 170, "id_number": 170,
                 "first_level_union": 170, "document_number": 200}  # fmt: skip
