"""The records of a district federation's union office, as SQLAlchemy 2 mapped classes.

Names follow the glossary in DOMAIN.md. Choice columns hold short English codes (the ``StrEnum`` values
below) and the database checks them; the Chinese words for them live in ``ui/`` and ``printing/``.
Facts that follow from other columns (an ID number's birth date and sex, whether an employer has a union,
whether a notice is overdue) are not stored, so they can never disagree with their source.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class EmployerClass(StrEnum):
    STATE_OWNED = "state_owned"  # 国有企业
    PUBLIC_INSTITUTION = "public_institution"  # 机关事业单位
    NON_PUBLIC = "non_public"  # 非公企业
    SOCIAL_ORGANIZATION = "social_organization"  # 社会组织


class StaffCountSource(StrEnum):
    SOCIAL_SECURITY = "social_security"  # 社保
    TAX = "tax"  # 税务
    MARKET_REGULATION = "market_regulation"  # 市场监管
    SELF_REPORTED = "self_reported"  # 单位自报
    SURVEY = "survey"  # 走访摸底


class FirstLevelUnionKind(StrEnum):
    STREET = "street"  # 街道工会
    PARK = "park"  # 园区工会
    INDUSTRY = "industry"  # 行业工会


class UnionKind(StrEnum):
    SINGLE = "single"  # 单独基层工会
    JOINT = "joint"  # 联合基层工会
    REGIONAL = "regional"  # 区域性、行业性工会


class UnionStatus(StrEnum):
    ACTIVE = "active"
    TRANSFERRED_OUT = "transferred_out"  # 组织关系转出
    DISSOLVED = "dissolved"  # 撤销


class MemberStatus(StrEnum):
    ACTIVE = "active"  # 在会
    TRANSFERRED_OUT = "transferred_out"  # 转出
    WITHDRAWN = "withdrawn"  # 退会


class HouseholdType(StrEnum):
    URBAN = "urban"  # 城镇户籍
    RURAL = "rural"  # 农业户籍: an employed member with it counts as 农民工


class EmploymentForm(StrEnum):
    REGULAR = "regular"  # 在岗职工
    FLEXIBLE = "flexible"  # 灵活就业


class FlexibleOccupation(StrEnum):
    TRUCK_DRIVER = "truck_driver"  # 货车司机
    COURIER = "courier"  # 快递员
    FOOD_DELIVERY = "food_delivery"  # 外卖送餐员
    RIDE_HAILING = "ride_hailing"  # 网约车司机
    OTHER = "other"


class JoinChannel(StrEnum):
    REGULAR = "regular"  # 本单位入会
    SOURCE_SITE = "source_site"  # 源头入会 (at a construction site)
    PUBLIC_HIRE = "public_hire"  # 机关事业单位聘用人员
    FLEXIBLE_GROUP = "flexible_group"  # 灵活就业群体集中入会


class UnionEventKind(StrEnum):
    MOVED = "moved"  # 隶属关系调整: to another first-level union
    TRANSFERRED_OUT = "transferred_out"  # 组织关系转出
    DISSOLVED = "dissolved"  # 撤销
    TRANSFERRED_IN = "transferred_in"  # 组织关系转入


class MembershipChangeKind(StrEnum):
    """The same words as MemberStatus for leaving, so a change row's kind is the status it left the member in."""

    WITHDRAWN = "withdrawn"  # 退会
    TRANSFERRED_OUT = "transferred_out"  # 转出
    REJOINED = "rejoined"  # back to 在会 after leaving: counts as joining again


class TaskRule(StrEnum):
    """Why an employer was proposed as an organising task (DOMAIN.md part 1); a task may meet several."""

    STAFF = "staff"  # staff at or over the federation's staff threshold (100)
    ABOVE_SCALE = "above_scale"  # 规模以上
    DEPUTY_LINKED = "deputy_linked"  # 两代表一委员
    NON_PUBLIC = "non_public"  # non-public with staff at or over the non-public threshold (50)
    NEW_EMPLOYMENT_FORMS = "new_employment_forms"  # employs 货车司机, 快递员 …


class RecycledKind(StrEnum):
    MEMBER = "member"


class Role(StrEnum):
    """What an account may do (issue 7): each role can do what the ones below it can."""

    ADMINISTRATOR = "administrator"  # 管理员: settings, accounts, restore, full exports
    EDITOR = "editor"  # 录入员: enters and changes records
    READER = "reader"  # 查阅: reads, with ID numbers and phones masked


class AuditAction(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    # Not a change: full ID numbers or phones left the program in an export or a printout.
    DISCLOSE = "disclose"
    # Many records written at once (an import, the demo): one entry names them all, see models.audit.
    BULK_INSERT = "bulk_insert"
    # Personal data purged for good from the recycle bin: the entries that held it are cleared, and this
    # entry names them (see models.audit.clear_entries).
    PURGE = "purge"


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"  # 未启动
    MOBILIZING = "mobilizing"  # 宣传动员
    PREPARING = "preparing"  # 筹备中
    FOUNDED = "founded"  # 已建会
    DEFERRED = "deferred"  # 暂缓
    CANCELLED = "cancelled"  # 注销


class NoticeKind(StrEnum):
    OPINION_LETTER = "opinion_letter"  # 工会组建意见函
    INSPECTION_OPINION = "inspection_opinion"  # 工会组建法律监督检查意见书
    RECOMMENDATION = "recommendation"  # 工会组建法律监督建议书


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    SERVED = "served"
    REPLIED = "replied"
    ESCALATED = "escalated"
    CLOSED = "closed"
    VOID = "void"  # 作废: its number stays taken


class ServiceMethod(StrEnum):
    DIRECT = "direct"  # 直接送达
    MAIL = "mail"  # 邮寄送达
    LEFT = "left"  # 留置送达


# Constraint names matter to Alembic's batch mode on SQLite, which recreates tables by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uuid() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    """Local wall-clock time, to the second: what a clerk reads back in the record."""
    return datetime.now().replace(microsecond=0)


def one_of(column: str, choices: type[StrEnum], name: str | None = None) -> CheckConstraint:
    """A CHECK that keeps ``column`` to the values of ``choices`` (NULL passes, as SQL has it)."""
    values = ", ".join(f"'{choice.value}'" for choice in choices)
    return CheckConstraint(f"{column} IN ({values})", name=name or column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The FTS5 trigram index over member search text (migration 0005) and the shadow tables SQLite keeps for
# it: written by triggers and read by models.listing as a plain table clause, so no mapped class
# describes it.
TRIGRAM_INDEX = "member_search"


def described_by_models(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's include_name: leaves the trigram index out when comparing the schema with the models."""
    return not (type_ == "table" and name is not None and name.startswith(TRIGRAM_INDEX))


class Record:
    """Every record: an integer key for joins, a UUID that never changes (for merging a laptop's
    records back into the office database), and when it was made and last changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class Federation(Record, Base):
    """区总工会: the office running the program. Exactly one row."""

    __tablename__ = "federation"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("notice_reply_days > 0", name="reply_days_positive"),
        CheckConstraint("staff_threshold > 0 AND non_public_staff_threshold > 0", name="thresholds_positive"),
    )

    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(20))  # as in a document number: 两江工组函〔2020〕3号
    seal_text: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    notice_reply_days: Mapped[int] = mapped_column(default=15)
    notice_days_are_working_days: Mapped[bool] = mapped_column(default=True)
    staff_threshold: Mapped[int] = mapped_column(default=100)  # employers this size must have a union
    non_public_staff_threshold: Mapped[int] = mapped_column(default=50)
    # Document numbers: {short_name}, {year} and {number} are filled in (两江工组函〔2020〕3号).
    opinion_letter_number_format: Mapped[str] = mapped_column(
        String(60), server_default="{short_name}工组函〔{year}〕{number}号"
    )
    inspection_opinion_number_format: Mapped[str] = mapped_column(
        String(60), server_default="{short_name}工检字〔{year}〕{number}号"
    )
    recommendation_number_format: Mapped[str] = mapped_column(
        String(60), server_default="{short_name}工建字〔{year}〕{number}号"
    )


class FirstLevelUnion(Record, Base):
    """一级工会: a street, park or industry union under the federation."""

    __tablename__ = "first_level_union"
    __table_args__ = (one_of("kind", FirstLevelUnionKind),)

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    contact_person: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(default=0)

    unions: Mapped[list[Union]] = relationship(back_populates="first_level_union")


union_employer = Table(
    "union_employer",
    Base.metadata,
    Column("union_id", ForeignKey("union.id", ondelete="CASCADE"), primary_key=True),
    Column("employer_id", ForeignKey("employer.id", ondelete="CASCADE"), primary_key=True, index=True),
)
"""Which employers a grassroots union covers: one for a single union, several for a joint one."""


class Employer(Record, Base):
    """用人单位: an enterprise, public body or social organisation."""

    __tablename__ = "employer"
    __table_args__ = (
        one_of("employer_class", EmployerClass),
        one_of("staff_count_source", StaffCountSource),
        CheckConstraint("staff_count >= 0", name="staff_count_not_negative"),
        CheckConstraint("credit_code IS NULL OR length(credit_code) = 18", name="credit_code_length"),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    employer_class: Mapped[str] = mapped_column(String(30))
    industry: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(200))
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    founded_on: Mapped[date | None] = mapped_column(Date)
    staff_count: Mapped[int | None] = mapped_column(Integer, index=True)
    staff_count_source: Mapped[str | None] = mapped_column(String(30))
    staff_count_date: Mapped[date | None] = mapped_column(Date)
    above_scale: Mapped[bool] = mapped_column(default=False)  # 规模以上企业
    deputy_linked: Mapped[bool] = mapped_column(default=False)  # 两代表一委员 单位
    new_employment_forms: Mapped[bool] = mapped_column(default=False)  # employs 货车司机, 快递员 …
    first_level_union_id: Mapped[int | None] = mapped_column(ForeignKey("first_level_union.id"), index=True)

    first_level_union: Mapped[FirstLevelUnion | None] = relationship()
    unions: Mapped[list[Union]] = relationship(secondary=union_employer, back_populates="employers")


class Union(Record, Base):
    """基层工会: a grassroots union covering one employer (single) or several (joint, regional)."""

    __tablename__ = "union"
    __table_args__ = (
        one_of("kind", UnionKind),
        one_of("status", UnionStatus),
        CheckConstraint("term_years IN (3, 5)", name="term_years"),
        CheckConstraint("covered_staff >= 0", name="covered_staff_not_negative"),
        # A union's own credit code is issued by a trade union: registering-authority code 8, kind 1.
        CheckConstraint(
            "credit_code IS NULL OR (length(credit_code) = 18 AND substr(credit_code, 1, 2) = '81')",
            name="credit_code_union",
        ),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=UnionKind.SINGLE)
    first_level_union_id: Mapped[int] = mapped_column(ForeignKey("first_level_union.id"), index=True)
    founded_on: Mapped[date | None] = mapped_column(Date, index=True)
    chair_name: Mapped[str | None] = mapped_column(String(50))
    chair_phone: Mapped[str | None] = mapped_column(String(30))
    term_years: Mapped[int] = mapped_column(default=5)
    term_started_on: Mapped[date | None] = mapped_column(Date)
    covered_staff: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default=UnionStatus.ACTIVE, index=True)
    transferred_in_on: Mapped[date | None] = mapped_column(Date)  # 组织关系转入
    closed_on: Mapped[date | None] = mapped_column(Date)  # 转出 or 撤销
    closed_reason: Mapped[str | None] = mapped_column(Text)

    first_level_union: Mapped[FirstLevelUnion] = relationship(back_populates="unions")
    employers: Mapped[list[Employer]] = relationship(secondary=union_employer, back_populates="unions")


class Member(Record, Base):
    """会员: a person in a grassroots union, by real name. Birth date and sex come from the ID number."""

    __tablename__ = "member"
    __table_args__ = (
        one_of("household_type", HouseholdType),
        one_of("employment_form", EmploymentForm),
        one_of("flexible_occupation", FlexibleOccupation),
        one_of("join_channel", JoinChannel),
        one_of("status", MemberStatus),
        CheckConstraint("length(id_number) = 18", name="id_number_length"),
        CheckConstraint("mobile IS NULL OR length(mobile) = 11", name="mobile_length"),
        CheckConstraint(
            "flexible_occupation IS NULL OR employment_form = 'flexible'", name="occupation_only_if_flexible"
        ),
        CheckConstraint("left_on IS NULL OR status != 'active'", name="left_only_if_not_active"),
        # Member counts per union and status are the most frequent figure on every screen.
        Index("ix_member_union_status", "union_id", "status"),
        # Search as you type over 100,000 members: the index holds the name order and the searched text
        # together, so a search reads one index in list order and never visits the table.
        Index("ix_member_name_search", "name", "search_text"),
    )

    # No index of its own: ix_member_name_search starts with the name and serves every lookup and order by
    # name; a second one only cost each import of 100,000 members a tenth of its time.
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    ethnicity: Mapped[str | None] = mapped_column(String(20))
    political_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(20))
    mobile: Mapped[str | None] = mapped_column(String(11), index=True)
    household_type: Mapped[str | None] = mapped_column(String(10))
    employment_form: Mapped[str] = mapped_column(String(10), default=EmploymentForm.REGULAR)
    flexible_occupation: Mapped[str | None] = mapped_column(String(20))
    union_id: Mapped[int] = mapped_column(ForeignKey("union.id"))
    joined_on: Mapped[date] = mapped_column(Date, index=True)
    join_channel: Mapped[str] = mapped_column(String(20), default=JoinChannel.REGULAR)
    status: Mapped[str] = mapped_column(String(20), default=MemberStatus.ACTIVE, index=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    # What search as you type matches: computed by SQLite from the columns (VIRTUAL), never kept by hand.
    search_text: Mapped[str] = mapped_column(
        Text, Computed("name || ' ' || id_number || ' ' || coalesce(mobile, '')", persisted=False)
    )

    union: Mapped[Union] = relationship()


class OrganizingTask(Record, Base):
    """建会任务: one employer to be organised in one year, owned by a first-level union."""

    __tablename__ = "organizing_task"
    __table_args__ = (
        one_of("status", TaskStatus),
        UniqueConstraint("employer_id", "year", name="uq_organizing_task_employer_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    first_level_union_id: Mapped[int] = mapped_column(ForeignKey("first_level_union.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.NOT_STARTED)
    status_reason: Mapped[str | None] = mapped_column(Text)  # required by 暂缓 / 注销
    # Which TaskRule values proposed it, comma-separated in their enum order; NULL when added by hand.
    rules: Mapped[str | None] = mapped_column(String(100))
    # The "四清": how many staff, where they work, why there is no union yet, the plan and its date.
    staff_found: Mapped[int | None] = mapped_column(Integer)
    workplace: Mapped[str | None] = mapped_column(String(200))
    why_no_union: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)
    planned_on: Mapped[date | None] = mapped_column(Date)
    # Set when the task closes: by hand, or by itself when a union is registered for the employer.
    closed_on: Mapped[date | None] = mapped_column(Date)
    founded_union_id: Mapped[int | None] = mapped_column(ForeignKey("union.id", ondelete="SET NULL"))

    employer: Mapped[Employer] = relationship()
    first_level_union: Mapped[FirstLevelUnion] = relationship()
    progress: Mapped[list[TaskProgress]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskProgress.noted_on"
    )


class TaskProgress(Record, Base):
    """A monthly progress note on an organising task (what was done, by whom)."""

    __tablename__ = "task_progress"

    task_id: Mapped[int] = mapped_column(ForeignKey("organizing_task.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)

    task: Mapped[OrganizingTask] = relationship(back_populates="progress")


class OrganizingTarget(Record, Base):
    """The year's target of a first-level union: how many new unions and new members (a setting)."""

    __tablename__ = "organizing_target"
    __table_args__ = (
        UniqueConstraint("first_level_union_id", "year", name="uq_organizing_target_union_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
        CheckConstraint("new_unions >= 0 AND new_members >= 0", name="not_negative"),
    )

    first_level_union_id: Mapped[int] = mapped_column(
        ForeignKey("first_level_union.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    new_unions: Mapped[int] = mapped_column(default=0)
    new_members: Mapped[int] = mapped_column(default=0)

    first_level_union: Mapped[FirstLevelUnion] = relationship()


class MembershipChange(Record, Base):
    """A member leaving (退会, 转出) or coming back to 在会, with its date.

    The member row holds the present state (status, left_on); these rows keep every change, so the figures
    of a past period stay right after a member who left rejoins. A member's first joining is
    ``Member.joined_on`` and has no row here.
    """

    __tablename__ = "membership_change"
    __table_args__ = (one_of("kind", MembershipChangeKind),)

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[date] = mapped_column(Date, index=True)


class Notice(Record, Base):
    """一函两书 文书: one formal notice to (or, for a recommendation, about) an employer."""

    __tablename__ = "notice"
    __table_args__ = (
        one_of("kind", NoticeKind),
        one_of("status", NoticeStatus),
        # One register per kind per year: a number is never given twice.
        UniqueConstraint("kind", "number_year", "number_seq", name="uq_notice_number"),
        CheckConstraint("(number_seq IS NULL) = (number_year IS NULL)", name="number_complete"),
        CheckConstraint("status = 'draft' OR number_seq IS NOT NULL", name="numbered_unless_draft"),
    )

    kind: Mapped[str] = mapped_column(String(30))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=NoticeStatus.DRAFT, index=True)
    number_year: Mapped[int | None]
    number_seq: Mapped[int | None]
    document_number: Mapped[str | None] = mapped_column(String(50), unique=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    reply_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    recipient: Mapped[str | None] = mapped_column(String(200))  # the department, for a recommendation
    facts: Mapped[str | None] = mapped_column(Text)
    requests: Mapped[str | None] = mapped_column(Text)
    escalated_from_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)  # why the escalation order was not followed
    replied_on: Mapped[date | None] = mapped_column(Date)
    reply_summary: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)

    employer: Mapped[Employer] = relationship()
    escalated_from: Mapped[Notice | None] = relationship(remote_side="Notice.id")
    services: Mapped[list[Service]] = relationship(back_populates="notice", cascade="all, delete-orphan")


class Service(Record, Base):
    """送达: how, when and to whom a notice was delivered (the 送达回证)."""

    __tablename__ = "service"
    __table_args__ = (one_of("method", ServiceMethod),)

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    served_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10))
    signed_by: Mapped[str | None] = mapped_column(String(50))
    served_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)

    notice: Mapped[Notice] = relationship(back_populates="services")


class Visit(Record, Base):
    """走访: a field visit to an employer."""

    __tablename__ = "visit"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    visitors: Mapped[str | None] = mapped_column(String(200))
    first_level_union_id: Mapped[int | None] = mapped_column(ForeignKey("first_level_union.id"))
    findings: Mapped[str | None] = mapped_column(Text)

    employer: Mapped[Employer] = relationship()


class UnionEvent(Record, Base):
    """A change in a union's place in the organisation: moved to another first-level union, 转出, 撤销, 转入.

    The union row holds its present state; these rows keep how it got there, with dates and reasons.
    """

    __tablename__ = "union_event"
    __table_args__ = (one_of("kind", UnionEventKind),)

    union_id: Mapped[int] = mapped_column(ForeignKey("union.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    from_first_level_union_id: Mapped[int | None] = mapped_column(ForeignKey("first_level_union.id"))
    to_first_level_union_id: Mapped[int | None] = mapped_column(ForeignKey("first_level_union.id"))


class RecycledRecord(Record, Base):
    """回收站: a deleted record, kept whole so it can be restored.

    The record leaves its own table, so every list, count and report stays a plain query over live rows;
    ``payload`` holds its columns as JSON, ``summary`` what the recycle bin shows.
    """

    __tablename__ = "recycled_record"
    __table_args__ = (one_of("kind", RecycledKind),)

    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    record_uuid: Mapped[str] = mapped_column(String(36), index=True)
    summary: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class DistinctPeople(Base):
    """Two members a clerk has looked at and found to be different people, so they are not offered again
    as possible duplicates. The lower id comes first, so a pair is stored once."""

    __tablename__ = "distinct_people"
    __table_args__ = (CheckConstraint("first_member_id < second_member_id", name="ordered_pair"),)

    first_member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    second_member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Account(Record, Base):
    """账户: a person who signs in to the program, with a role. Never deleted (the audit trail names
    it); an account that should no longer sign in is switched off."""

    __tablename__ = "account"
    __table_args__ = (one_of("role", Role),)

    login_name: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    # scrypt, with its parameters and salt, as models.accounts writes it; never shown, never audited.
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Kept in the database, not in memory, so restarting the program does not reset the slowdown.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Setting(Base):
    """A setting of the whole database (not of one PC), such as whether accounts are used."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """审计记录: one insert, update or delete of a record, or one disclosure of personal data.

    Written by SQLite triggers in the transaction of the change itself (models.audit), so no writer can
    forget it and a rolled-back change leaves none. ``entry_hash`` chains each entry to the one before
    it; ``check`` recomputes the chain, so an entry edited or deleted by hand is found. AUTOINCREMENT
    keeps the numbers of deleted entries from being used again, which gives away a deleted last entry.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        one_of("action", AuditAction),
        Index("ix_audit_entry_record", "record_uuid"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(19))  # local time as SQLite writes it: 2026-11-24 09:30:00
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(40))
    record_uuid: Mapped[str | None] = mapped_column(String(36))
    # JSON: an insert's and a delete's fields, an update's changed fields as [old, new], a disclosure's
    # what, how many and why.
    changes: Mapped[str] = mapped_column(Text)
    entry_hash: Mapped[str] = mapped_column(String(64))
