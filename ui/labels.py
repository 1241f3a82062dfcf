"""The Chinese words the window shows.

The words for the stored codes and the lists' column titles are shared with the exported workbooks and
the command line, so they live in ``models.labels`` and are re-exported here; the pixel widths are the
window's own.
"""

from __future__ import annotations

from models.labels import (
    CHOICE_COLUMNS,
    COLUMN_TITLES,
    DUPLICATE_REASON,
    EMPLOYER_CLASS,
    MEMBER_STATUS,
    NOTICE_KIND,
    NOTICE_STATUS,
    SERVICE_METHOD,
    SEX,
    STAFF_BAND,
    STAFF_COUNT_SOURCE,
    TASK_RULE,
    TASK_STATUS,
    UNION_EVENT,
    UNION_KIND,
    UNION_STATUS,
    task_rule_words,
)
from models.listing import DUE_SOON_DAYS

__all__ = [
    "CHOICE_COLUMNS",
    "COLUMN_TITLES",
    "COLUMN_WIDTHS",
    "NOTICE_DEADLINE",
    "SEARCH_HINTS",
    "DUPLICATE_REASON",
    "EMPLOYER_CLASS",
    "MEMBER_STATUS",
    "NOTICE_KIND",
    "NOTICE_STATUS",
    "SERVICE_METHOD",
    "SEX",
    "STAFF_BAND",
    "STAFF_COUNT_SOURCE",
    "TASK_RULE",
    "TASK_STATUS",
    "UNION_EVENT",
    "UNION_KIND",
    "UNION_STATUS",
    "task_rule_words",
]

# The notices list's 期限 filter (worked out from today's date, so not a stored code).
NOTICE_DEADLINE = {"due_soon": f"{DUE_SOON_DAYS} 天内到期", "overdue": "已逾期未答复"}

# Starting widths (pixels) where the default is too narrow; the clerk's own widths are remembered after.
COLUMN_WIDTHS = {"name": 280, "union": 280, "employer": 280, "credit_code": 170, "id_number": 170,
                 "first_level_union": 170, "document_number": 200, "rules": 240}  # fmt: skip

# What a list's search box matches, where a list is shown outside its own area (the records behind a
# figure of 统计).
SEARCH_HINTS = {
    "employers": "按单位名称或统一社会信用代码查找",
    "unorganized": "按单位名称或统一社会信用代码查找",
    "unions": "按工会名称、信用代码或主席姓名查找",
    "members": "按姓名、身份证号或手机号码查找（如：张）",
    "organizing_tasks": "按单位或一级工会查找",
    "notices": "按文号或单位查找",
}
