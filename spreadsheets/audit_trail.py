"""The audit trail as people read it, and written to .xlsx.

``models.audit`` keeps each entry as its trigger wrote it: a table and column names, codes, ids, JSON.
Here an entry becomes what the viewer (``ui.dialogs.view_audit_trail``), the ``audit`` command and the
exported workbook all show alike: the table in Chinese and the record it is about ("会员 张三"), a one-line
summary, and its changes as 字段 / 原值 / 新值 with Chinese field labels, codes as their words and ids of
other records as their names. The field labels are those the imports and the lists already use
(``spreadsheets.columns``, ``models.labels``); the columns neither names are labelled here.

ID numbers and phones follow the house rule (``models.privacy``): each entry holds them both whole and
masked, the window shows them as its lists do for the person working, and a workbook has them masked
unless a full export was asked for with a reason, which the trail then records (``export_trail``).

The workbook keeps the house habits of ``spreadsheets.exporting`` and uses its helpers: a title line
saying what was exported and when, a bold frozen header with the autofilter, widths that follow the text,
the file under its name only once complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine

from models import codes
from models.accounts import ROLE_NAMES
from models.audit import AUDIT_TABLE, CLEARED_NOTE, AuditFilter, AuditRow, audit_entries
from models.entities import AuditAction
from models.errors import writing_file
from models.labels import (
    AUDIT_ACTIONS,
    AUDIT_TABLES,
    COLUMN_TITLES,
    EMPLOYER_CLASS,
    MEMBER_STATUS,
    MEMBERSHIP_CHANGE,
    NOTICE_KIND,
    NOTICE_STATUS,
    SERVICE_METHOD,
    STAFF_COUNT_SOURCE,
    TASK_STATUS,
    UNION_EVENT,
    UNION_KIND,
    UNION_STATUS,
    task_rule_words,
)
from models.privacy import check_full_disclosure, record_full_disclosure
from spreadsheets import choices
from spreadsheets.columns import fields
from spreadsheets.exporting import (
    FILTER_BUTTON,
    HEADER_ROW,
    NARROWEST_COLUMN,
    PADDING,
    TEXT_FORMAT,
    TITLE_FONT,
    WIDEST_COLUMN,
    _discard_sheet,
    _header_cell,
    _printable,
    _refuse_target_in_use,
    _replace,
    _temporary_beside,
    display_width,
)

Progress = tuple[int, int, str]

TITLE = "审计记录"
EMPTY = "（空）"  # an empty old or new value in a one-line summary
SUMMARY_FIELDS = 3  # a summary names this many fields, then says how many more there are
PAGE = 500  # rows written between two progress reports

# --- field labels ------------------------------------------------------------------------------------------

# The tables whose columns an import or a list already names.
_IMPORT_KINDS = {"member": "members", "employer": "employers", "union": "unions"}
_LISTS = {
    "member": "members",
    "employer": "employers",
    "union": "unions",
    "organizing_task": "organizing_tasks",
    "notice": "notices",
}
# fmt: off
_MORE_LABELS: dict[str, dict[str, str]] = {
    "member": {"union_id": "所在工会", "status": "会员状态"},
    "employer": {"first_level_union_id": "所属一级工会", "staff_count_source": "人数来源",
                 "staff_count_date": "人数统计日期", "above_scale": "规模以上企业",
                 "deputy_linked": "两代表一委员单位", "new_employment_forms": "有新就业形态劳动者"},
    "union": {"first_level_union_id": "所属一级工会", "chair_phone": "主席电话", "term_years": "届期（年）",
              "term_started_on": "本届起始日期", "status": "状态", "transferred_in_on": "转入日期",
              "closed_on": "转出或撤销日期", "closed_reason": "转出或撤销原因"},
    "first_level_union": {"name": "名称", "kind": "类型", "credit_code": "统一社会信用代码",
                          "contact_person": "联系人", "phone": "联系电话", "sort_order": "排列顺序"},
    "union_employer": {"union_id": "基层工会", "employer_id": "单位"},
    "organizing_task": {"employer_id": "单位", "first_level_union_id": "责任一级工会", "status_reason": "进展说明",
                        "staff_found": "摸底职工人数", "workplace": "工作地点", "why_no_union": "未建会原因",
                        "plan": "建会计划", "closed_on": "办结日期", "founded_union_id": "建成的工会"},
    "task_progress": {"task_id": "建会任务", "noted_on": "日期", "note": "进展情况"},
    "organizing_target": {"first_level_union_id": "一级工会", "year": "年度", "new_unions": "新建工会目标",
                          "new_members": "发展会员目标"},
    "membership_change": {"member_id": "会员", "kind": "变动", "happened_on": "日期"},
    "notice": {"employer_id": "单位", "number_year": "文号年份", "number_seq": "文号序号",
               "recipient": "主送机关", "facts": "查明的事实", "requests": "要求事项", "escalated_from_id": "升级自",
               "override_reason": "未按顺序升级的原因", "replied_on": "答复日期", "reply_summary": "答复内容",
               "closed_on": "办结日期", "closed_reason": "办结原因"},
    "service": {"notice_id": "文书", "served_on": "送达日期", "method": "送达方式", "signed_by": "签收人",
                "served_by": "送达人", "note": "备注"},
    "visit": {"employer_id": "单位", "visited_on": "走访日期", "visitors": "走访人",
              "first_level_union_id": "一级工会", "findings": "了解到的情况"},
    "union_event": {"union_id": "基层工会", "kind": "变动", "happened_on": "日期", "reason": "原因",
                    "from_first_level_union_id": "原一级工会", "to_first_level_union_id": "新一级工会"},
    "recycled_record": {"kind": "类别", "record_id": "原记录编号", "record_uuid": "原记录 UUID", "summary": "摘要",
                        "payload": "原记录内容", "reason": "原因"},
    "distinct_people": {"first_member_id": "会员", "second_member_id": "另一会员", "decided_at": "确认时间"},
    "federation": {"name": "名称", "short_name": "简称", "seal_text": "印章文字", "address": "地址", "phone": "电话",
                   "notice_reply_days": "答复期限（天）", "notice_days_are_working_days": "答复期限按工作日计算",
                   "staff_threshold": "应建会职工人数", "non_public_staff_threshold": "非公企业应建会职工人数",
                   "opinion_letter_number_format": "意见函文号格式",
                   "inspection_opinion_number_format": "检查意见书文号格式",
                   "recommendation_number_format": "建议书文号格式"},
    "account": {"login_name": "账户名", "full_name": "姓名", "role": "角色", "password_hash": "密码",
                "active": "可以登录", "failed_sign_ins": "连续输错密码次数", "last_failed_at": "最近输错密码时间"},
    "setting": {"key": "设置项", "value": "值"},
}
# fmt: on


def _field_labels() -> dict[str, dict[str, str]]:
    """Per table, each column's label: this module's own, else the list's column title, else the import's."""
    labels: dict[str, dict[str, str]] = {}
    for table in {*_IMPORT_KINDS, *_LISTS, *_MORE_LABELS}:
        found: dict[str, str] = {}
        if table in _IMPORT_KINDS:
            found.update({field.key: field.label for field in fields(_IMPORT_KINDS[table])})
        if table in _LISTS:
            found.update(COLUMN_TITLES[_LISTS[table]])
        found.update(_MORE_LABELS.get(table, {}))
        labels[table] = found
    return labels


FIELD_LABELS = _field_labels()


def field_label(table_name: str, column: str) -> str:
    """A column's label as the clerk knows it; a column nobody named yet keeps its code."""
    return FIELD_LABELS.get(table_name, {}).get(column, column)


# --- values ------------------------------------------------------------------------------------------------


def _first_words(spellings: dict[str, str]) -> dict[str, str]:
    """Code → the first of the words an import takes for it (the usual one: 城镇, 在岗职工, 源头入会)."""
    words: dict[str, str] = {}
    for word, code in spellings.items():
        words.setdefault(code, word)
    return words


_CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("member", "status"): MEMBER_STATUS,
    ("member", "household_type"): _first_words(choices.HOUSEHOLD_TYPES),
    ("member", "employment_form"): _first_words(choices.EMPLOYMENT_FORMS),
    ("member", "flexible_occupation"): _first_words(choices.FLEXIBLE_OCCUPATIONS),
    ("member", "join_channel"): _first_words(choices.JOIN_CHANNELS),
    ("employer", "employer_class"): EMPLOYER_CLASS,
    ("employer", "staff_count_source"): STAFF_COUNT_SOURCE,
    ("union", "kind"): UNION_KIND,
    ("union", "status"): UNION_STATUS,
    ("first_level_union", "kind"): {"street": "街道工会", "park": "园区工会", "industry": "行业工会"},
    ("organizing_task", "status"): TASK_STATUS,
    ("membership_change", "kind"): MEMBERSHIP_CHANGE,
    ("notice", "kind"): NOTICE_KIND,
    ("notice", "status"): NOTICE_STATUS,
    ("service", "method"): SERVICE_METHOD,
    ("union_event", "kind"): UNION_EVENT,
    ("recycled_record", "kind"): {"member": "会员"},
    ("account", "role"): ROLE_NAMES,
}
_YES_NO = frozenset(
    {
        ("employer", "above_scale"),
        ("employer", "deputy_linked"),
        ("employer", "new_employment_forms"),
        ("federation", "notice_days_are_working_days"),
        ("account", "active"),
    }
)
# A column holding the id of another record → that record's table: the entry shows the record's name.
REFERENCES = {
    "union_id": "union",
    "founded_union_id": "union",
    "first_level_union_id": "first_level_union",
    "from_first_level_union_id": "first_level_union",
    "to_first_level_union_id": "first_level_union",
    "employer_id": "employer",
    "member_id": "member",
    "first_member_id": "member",
    "second_member_id": "member",
    "task_id": "organizing_task",
    "notice_id": "notice",
    "escalated_from_id": "notice",
}
# Personal data (个人信息保护法): masked wherever a list would mask it, shown whole in one opened entry.
PERSONAL: dict[tuple[str, str], Callable[[str], str]] = {
    ("member", "id_number"): codes.mask_id_number,
    ("member", "mobile"): codes.mask_mobile,
    # The recycle bin keeps a deleted member whole, ID number and phone included.
    ("recycled_record", "payload"): lambda _: "（原记录的全部内容，含个人信息）",
}
_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+$")

Names = dict[tuple[str, object], str]  # (table, uuid or id) → what the record is called


def shown_value(table_name: str, column: str, value: object, names: Names | None = None) -> str:
    """A stored value as the clerk reads it: a code as its word, an id as the record's name, 是/否."""
    if value is None:
        return ""
    if (table_name, column) in _YES_NO:
        return "是" if value else "否"
    if (words := _CHOICES.get((table_name, column))) is not None:
        return words.get(value, str(value))
    if (table_name, column) == ("organizing_task", "rules"):
        return task_rule_words(str(value))
    if column in REFERENCES and isinstance(value, int):
        name = (names or {}).get((REFERENCES[column], value))
        return name if name else f"#{value}"
    if isinstance(value, str) and (match := _FRACTION.match(value)):
        return match.group(1)  # a stamp to the second, as the clerk reads every time
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _masked(table_name: str, column: str, text: str) -> str:
    mask = PERSONAL.get((table_name, column))
    return mask(text) if mask is not None and text else text


# --- entries -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field of an entry: its label, its value before and after ('' where there is none)."""

    column: str
    field: str
    old: str
    new: str
    masked_old: str  # as a list shows it: ID numbers and phones masked
    masked_new: str

    def text(self, reveal: bool, action: str) -> str:
        old, new = (self.old, self.new) if reveal else (self.masked_old, self.masked_new)
        if action == AuditAction.UPDATE:
            return f"{self.field}：{old or EMPTY} → {new or EMPTY}"
        return f"{self.field}：{new or old}"


@dataclass(frozen=True)
class ShownEntry:
    """One audit entry as people read it."""

    id: int
    at: str
    actor: str
    action: str
    table_name: str
    record_uuid: str | None
    record: str  # what the record is called (张三, 星光电子有限公司), '' when it cannot be found
    changes: tuple[Change, ...]  # of an insert, update or delete
    facts: tuple[tuple[str, str], ...]  # of a bulk insert, a disclosure, a purge, or a cleared entry
    record_count: int | None = None  # how many records a bulk insert wrote
    holds_personal_data: bool = False

    @property
    def action_name(self) -> str:
        return AUDIT_ACTIONS.get(self.action, self.action)

    @property
    def table_title(self) -> str:
        return AUDIT_TABLES.get(self.table_name, self.table_name)

    @property
    def subject(self) -> str:
        """对象: the table and the record, "会员 张三"."""
        return f"{self.table_title} {self.record}" if self.record else self.table_title

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.at)

    def summary(self, reveal: bool = False) -> str:
        """内容 on one line: the first fields (old → new for a change), or the facts of the entry."""
        if self.facts:
            return "；".join(f"{label}：{value}" for label, value in self.facts if label != "记录")
        shown = [change.text(reveal, self.action) for change in self.changes[:SUMMARY_FIELDS]]
        more = len(self.changes) - SUMMARY_FIELDS
        return "；".join(shown) + (f" 等 {len(self.changes)} 项" if more > 0 else "")

    def details(self, reveal: bool = False) -> str:
        """Every field of the entry on one line, for the workbook."""
        if self.facts:
            return "；".join(f"{label}：{value}" for label, value in self.facts)
        return "；".join(change.text(reveal, self.action) for change in self.changes)


def _changes(row: AuditRow, names: Names) -> tuple[Change, ...]:
    table = row.table_name
    found = []
    for column, value in row.changes.items():
        if row.action == AuditAction.UPDATE:
            old, new = (shown_value(table, column, v, names) for v in value)
        elif value is None:
            continue  # a new or deleted record's empty fields say nothing
        elif row.action == AuditAction.INSERT:
            old, new = "", shown_value(table, column, value, names)
        else:
            old, new = shown_value(table, column, value, names), ""
        found.append(
            Change(
                column, field_label(table, column), old, new,
                _masked(table, column, old), _masked(table, column, new),
            )
        )  # fmt: skip
    return tuple(found)


def _facts(row: AuditRow) -> tuple[tuple[tuple[str, str], ...], int | None]:
    """The facts of an entry that is not a change of fields, and a bulk insert's count of records."""
    changes = row.changes
    if CLEARED_NOTE in changes:
        return ((CLEARED_NOTE, str(changes[CLEARED_NOTE])),), None
    if row.action == AuditAction.BULK_INSERT:
        count = int(changes.get("条数", len(changes.get("记录", []))))
        facts = [
            (key, shown_value("", key, value))
            for key, value in changes.items()
            if key not in ("条数", "记录")
        ]
        facts += [
            ("条数", f"{count:,}"),
            ("记录", f"共 {count:,} 条（不逐条列出；按记录的 UUID 查找可找到本条）"),
        ]
        return tuple(facts), count
    if row.action == AuditAction.PURGE:
        facts = []
        for key, value in changes.items():
            if isinstance(value, list):
                value = f"{len(value):,} 条"
            facts.append((key, shown_value("", key, value)))
        return tuple(facts), None
    # A disclosure: what, how many people, why, where to.
    return tuple((key, shown_value("", key, value)) for key, value in changes.items()), None


def _holds_personal_data(row: AuditRow) -> bool:
    if row.action not in (AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE):
        return False
    return any((row.table_name, column) in PERSONAL for column in row.changes)


def shown_entry(row: AuditRow, names: Names) -> ShownEntry:
    record = names.get((row.table_name, row.record_uuid), "") if row.record_uuid else ""
    if (
        row.action in (AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE)
        and CLEARED_NOTE not in row.changes
    ):
        return ShownEntry(
            row.id, row.at, row.actor, row.action, row.table_name, row.record_uuid, record,
            _changes(row, names), (), None, _holds_personal_data(row),
        )  # fmt: skip
    facts, count = _facts(row)
    return ShownEntry(
        row.id, row.at, row.actor, row.action, row.table_name, row.record_uuid, record, (), facts, count
    )


# --- what the records are called ----------------------------------------------------------------------------

# Per table: the rows to read (the record as ``r``) and the expression naming a record.
_DESCRIPTIONS = {
    "member": ("member AS r", "r.name"),
    "employer": ("employer AS r", "r.name"),
    "union": ('"union" AS r', "r.name"),
    "first_level_union": ("first_level_union AS r", "r.name"),
    "federation": ("federation AS r", "r.name"),
    "account": ("account AS r", "r.login_name || '（' || r.full_name || '）'"),
    "recycled_record": ("recycled_record AS r", "r.summary"),
    "notice": (
        "notice AS r JOIN employer AS e ON e.id = r.employer_id",
        "coalesce(r.document_number || ' ', '') || e.name",
    ),
    "service": (
        "service AS r JOIN notice AS n ON n.id = r.notice_id JOIN employer AS e ON e.id = n.employer_id",
        "coalesce(n.document_number || ' ', '') || e.name",
    ),
    "visit": ("visit AS r JOIN employer AS e ON e.id = r.employer_id", "e.name || ' ' || r.visited_on"),
    "organizing_task": (
        "organizing_task AS r JOIN employer AS e ON e.id = r.employer_id",
        "r.year || '年度 ' || e.name",
    ),
    "task_progress": (
        "task_progress AS r JOIN organizing_task AS t ON t.id = r.task_id JOIN employer AS e ON e.id = t.employer_id",
        "e.name || ' ' || r.noted_on",
    ),
    "organizing_target": (
        "organizing_target AS r JOIN first_level_union AS f ON f.id = r.first_level_union_id",
        "f.name || ' ' || r.year || '年度'",
    ),
    "membership_change": ("membership_change AS r JOIN member AS m ON m.id = r.member_id", "m.name"),
    "union_event": ('union_event AS r JOIN "union" AS u ON u.id = r.union_id', "u.name"),
}
# A record deleted since: its name as its insert or delete entry kept it, with this after it.
GONE = "（已删除）"
_NAME_COLUMNS = ("name", "login_name", "summary", "document_number")


# Tables of pairs, named by the primary key (union_id/employer_id): each part is a record of these tables.
_PAIRS = {"union_employer": ("union", "employer"), "distinct_people": ("member", "member")}
_SETTINGS = {"accounts": "账户登录"}


def _pair_ids(table_name: str, record_key: str) -> list[tuple[str, int]]:
    parts = record_key.split("/")
    tables = _PAIRS[table_name]
    if len(parts) != len(tables) or not all(part.isdigit() for part in parts):
        return []
    return [(table, int(part)) for table, part in zip(tables, parts, strict=True)]


def record_names(engine: Engine, rows: Sequence[AuditRow]) -> Names:
    """What the records of ``rows`` are called, and the records their fields point at, in a few queries.

    A record deleted since is named from the trail itself: its insert or delete entry kept its fields.
    """
    wanted: dict[tuple[str, str], set] = {}
    for row in rows:
        if row.record_uuid and row.table_name in _DESCRIPTIONS:
            wanted.setdefault((row.table_name, "uuid"), set()).add(row.record_uuid)
        if row.record_uuid and row.table_name in _PAIRS:
            for table, record_id in _pair_ids(row.table_name, row.record_uuid):
                wanted.setdefault((table, "id"), set()).add(record_id)
        if row.action not in (AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE):
            continue
        for column, value in row.changes.items():
            if column in REFERENCES:
                for each in value if isinstance(value, list) else [value]:
                    if isinstance(each, int):
                        wanted.setdefault((REFERENCES[column], "id"), set()).add(each)
    names: Names = {}
    with engine.connect() as connection:
        for (table, key), values in wanted.items():
            source, expression = _DESCRIPTIONS[table]
            found = connection.exec_driver_sql(
                f"SELECT r.{key}, {expression} FROM {source} WHERE r.{key} IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(values)),),
            )
            names.update(((table, k), name) for k, name in found if name)
        missing = [
            u
            for (table, key), values in wanted.items()
            if key == "uuid"
            for u in values
            if (table, u) not in names
        ]
        if missing:
            names.update(_names_from_trail(connection, missing))
    for row in rows:
        if row.record_uuid and row.table_name in _PAIRS:
            parts = [names.get(pair, f"#{pair[1]}") for pair in _pair_ids(row.table_name, row.record_uuid)]
            if parts:
                names[(row.table_name, row.record_uuid)] = " — ".join(parts)
        elif row.table_name == "setting" and row.record_uuid:
            names[("setting", row.record_uuid)] = _SETTINGS.get(row.record_uuid, row.record_uuid)
    return names


def _names_from_trail(connection, record_uuids: list[str]) -> Names:
    names: Names = {}
    found = connection.exec_driver_sql(
        f"SELECT table_name, record_uuid, changes FROM {AUDIT_TABLE} "
        "WHERE record_uuid IN (SELECT value FROM json_each(?)) AND action IN (?, ?) ORDER BY id",
        (json.dumps(record_uuids), AuditAction.INSERT.value, AuditAction.DELETE.value),
    )
    for table, record_uuid, text in found:
        kept = json.loads(text)
        name = next((kept[c] for c in _NAME_COLUMNS if isinstance(kept.get(c), str) and kept[c]), None)
        if name:
            names[(table, record_uuid)] = name + GONE
    return names


# --- reading a page of the trail ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailPage:
    """The newest entries that match ``criteria``, at most ``limit``; ``more``: older ones match too."""

    criteria: AuditFilter
    entries: list[ShownEntry]
    more: bool
    limit: int

    @property
    def note(self) -> str:
        """The count line under the filters: 共 12 条, or that only the newest are shown."""
        if self.more:
            return f"仅显示最近 {self.limit:,} 条，请用条件缩小范围"
        return f"共 {len(self.entries):,} 条" if self.entries else "没有符合条件的审计记录"


def read_trail(engine: Engine, criteria: AuditFilter | None = None, limit: int = 2000) -> TrailPage:
    """The newest ``limit`` entries matching ``criteria`` (all if None) as people read them, newest first."""
    criteria = criteria or AuditFilter()
    rows = audit_entries(engine, criteria, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    names = record_names(engine, rows)
    return TrailPage(criteria, [shown_entry(row, names) for row in rows], more, limit)


def criteria_words(criteria: AuditFilter, record: str | None = None) -> list[str]:
    """The conditions in words, for a title line: 记录：会员 张三；人员：王芳；日期：2026-11-01 至 2026-11-24."""
    words = []
    if criteria.record_uuid:
        words.append(f"记录：{record or criteria.record_uuid}")
    if criteria.actor:
        words.append(f"人员：{criteria.actor}")
    if criteria.since or criteria.until:
        since = f"{criteria.since:%Y-%m-%d}" if criteria.since else "最早"
        until = f"{criteria.until:%Y-%m-%d}" if criteria.until else "现在"
        words.append(f"日期：{since} 至 {until}")
    if criteria.table_name:
        words.append(f"表：{AUDIT_TABLES.get(criteria.table_name, criteria.table_name)}")
    if criteria.action:
        words.append(f"操作：{AUDIT_ACTIONS.get(criteria.action, criteria.action)}")
    return words


# --- the workbook ---------------------------------------------------------------------------------------------

HEADERS = ("时间", "人员", "操作", "对象", "内容", "详细内容", "记录 UUID")
# A full export: what the trail records as disclosed, and what the title line says of it.
DISCLOSED = "审计记录（完整身份证号、手机号码）"
FULL_NOTE = "含完整身份证号、手机号码"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# The columns' widths are worked out from the first rows, and the long ones are read in the cell.
_SAMPLE = 200


def people_disclosed(entries: Sequence[ShownEntry]) -> int:
    """How many records' ID numbers or phones a workbook showing them whole would reveal."""
    return len({entry.record_uuid for entry in entries if entry.holds_personal_data})


def write_trail_workbook(
    target: Path,
    entries: Sequence[ShownEntry],
    *,
    conditions: Sequence[str] = (),
    more: bool = False,
    reveal_personal_data: bool = False,
    exported_at: datetime | None = None,
    before_naming: Callable[[], None] | None = None,
) -> Iterator[Progress]:
    """Write the entries to ``target`` (.xlsx), newest first, yielding ``(done, total, message)``.

    Closing the generator at any yield (a cancel) leaves no file behind, and an existing file at
    ``target`` is replaced only once the new one is complete. ``before_naming`` runs once the workbook
    is saved and before it takes its name (a full export's record in the trail): if it fails, no file.

    Raises:
        FileNotWritable: the target is open in Excel or WPS, or its folder cannot be written.
    """
    target = Path(target)
    _refuse_target_in_use(target)
    total = len(entries)
    yield 0, total, f"正在导出 {total:,} 条审计记录"
    title = _title(conditions, exported_at or datetime.now(), total, more)
    temporary = _temporary_beside(target)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TITLE)
    try:
        rows = [_values(entry, reveal_personal_data) for entry in entries[:_SAMPLE]]
        _lay_out(sheet, rows, title, total)
        time_cell = WriteOnlyCell(sheet)
        time_cell.number_format = TIME_FORMAT
        uuid_cell = WriteOnlyCell(sheet)
        uuid_cell.number_format = TEXT_FORMAT
        for done, entry in enumerate(entries, start=1):
            values = _values(entry, reveal_personal_data)
            time_cell.value = entry.time
            uuid_cell.value = values[-1] or None
            sheet.append([time_cell, *map(_printable, values[1:-1]), uuid_cell if values[-1] else None])
            if done % PAGE == 0:
                yield done, total, f"正在导出 {done:,}/{total:,} 条"
        yield total, total, "正在保存文件"
        workbook.properties.title = title
        workbook.properties.creator = "工会组建工作台"
        with writing_file(target):
            workbook.save(temporary)
        if before_naming is not None:
            before_naming()
        _replace(temporary, target)
    except BaseException:  # a cancel (GeneratorExit) as much as a failure: no half file stays behind
        _discard_sheet(sheet)
        temporary.unlink(missing_ok=True)
        raise


def _values(entry: ShownEntry, reveal: bool) -> list[str]:
    return [
        entry.at, entry.actor, entry.action_name, entry.subject, entry.summary(reveal), entry.details(reveal),
        entry.record_uuid or "",
    ]  # fmt: skip


def _title(conditions: Sequence[str], when: datetime, total: int, more: bool) -> str:
    """审计记录（人员：王芳；导出时间 2026-11-24 14:05，共 12 条）."""
    parts = list(conditions)
    parts.append(f"导出时间 {when:%Y-%m-%d %H:%M}，共 {total:,} 条" + ("（仅含最近的记录）" if more else ""))
    return f"{TITLE}（{'；'.join(parts)}）"


def _lay_out(sheet, sample: list[list[str]], title: str, total: int) -> None:
    """Widths, frozen header, autofilter and print settings, then the title line and the header."""
    for index, header in enumerate(HEADERS):
        shown = [values[index] for values in sample]
        width = max([display_width(header) + FILTER_BUTTON, *map(display_width, shown)]) + PADDING
        width = min(max(width, NARROWEST_COLUMN), WIDEST_COLUMN)
        sheet.column_dimensions[get_column_letter(index + 1)].width = round(width, 1)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(HEADERS))}{HEADER_ROW + total}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    title_cell = WriteOnlyCell(sheet, title)
    title_cell.font = TITLE_FONT
    sheet.append([title_cell])
    sheet.append([_header_cell(sheet, header) for header in HEADERS])


def export_trail(
    engine: Engine,
    target: Path,
    page: TrailPage,
    *,
    conditions: Sequence[str] = (),
    full: bool = False,
    reason: str | None = None,
) -> Iterator[Progress]:
    """Write a page of the trail to ``target``, ID numbers and phones masked unless ``full``.

    ``full`` follows the house rule of every export (models.privacy): it needs the editor's right and a
    ``reason``, and the trail keeps who, how many people, why and which file, just before the file takes
    its name. Entries that hold no ID number or phone disclose nothing and are not recorded.

    Returns (as the generator's value) the number of entries written.

    Raises:
        NotAllowed: a full export asked for by a reader.
        InvalidInput: a full export without a reason.
    """
    record = None
    if full:
        reason = check_full_disclosure(engine, reason)
        if people := people_disclosed(page.entries):
            conditions = [*conditions, FULL_NOTE]  # said on the sheet, so that whoever gets it keeps it safe

            def record() -> None:
                record_full_disclosure(engine, DISCLOSED, people, reason, Path(target).name)

    yield from write_trail_workbook(
        target, page.entries, conditions=conditions, more=page.more, reveal_personal_data=full,
        before_naming=record,
    )  # fmt: skip
    return len(page.entries)
