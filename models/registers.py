"""The registers as a facade over an Engine: each function runs its own transaction and returns plain data.

Nothing here hands out a live session; the window, the command line and the tests all call these.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from models import codes
from models.database import reading, writing
from models.entities import (
    Employer,
    Federation,
    FirstLevelUnion,
    Member,
    MemberStatus,
    OrganizingTask,
    Union,
    UnionStatus,
)
from models.errors import InvalidInput, refuse_future_date
from models.notices import check_number_format


@dataclass(frozen=True)
class FederationSettings:
    """The office's identity and the rules that are settings rather than constants."""

    name: str
    short_name: str
    seal_text: str
    address: str | None
    phone: str | None
    notice_reply_days: int
    notice_days_are_working_days: bool
    staff_threshold: int
    non_public_staff_threshold: int
    opinion_letter_number_format: str
    inspection_opinion_number_format: str
    recommendation_number_format: str


NUMBER_FORMAT_FIELDS = (
    "opinion_letter_number_format",
    "inspection_opinion_number_format",
    "recommendation_number_format",
)


@dataclass(frozen=True)
class MemberRecord:
    id: int
    uuid: str
    name: str
    id_number: str
    union_name: str
    joined_on: date


def federation_settings(engine: Engine) -> FederationSettings:
    with reading(engine) as s, s.begin():
        row = s.get_one(Federation, 1)
        return FederationSettings(
            **{f.name: getattr(row, f.name) for f in dataclasses.fields(FederationSettings)}
        )


def update_federation_settings(engine: Engine, settings: FederationSettings) -> None:
    for field, label in (("name", "总工会名称"), ("short_name", "文号简称"), ("seal_text", "印章文字")):
        required_text(getattr(settings, field), label, field)
    if settings.notice_reply_days <= 0:
        raise InvalidInput("答复期限应为正整数天数", "notice_reply_days")
    if settings.staff_threshold <= 0 or settings.non_public_staff_threshold <= 0:
        raise InvalidInput("建会人数标准应为正整数", "staff_threshold")
    settings = dataclasses.replace(
        settings,
        **{field: check_number_format(getattr(settings, field)) for field in NUMBER_FORMAT_FIELDS},
    )
    with writing(engine) as s, s.begin():
        row = s.get_one(Federation, 1)
        for field in dataclasses.fields(FederationSettings):
            value = getattr(settings, field.name)
            setattr(row, field.name, value.strip() if isinstance(value, str) else value)


def record_counts(engine: Engine) -> dict[str, int]:
    """How many of each kind of record the database holds."""
    with reading(engine) as s, s.begin():
        return {
            "first_level_unions": s.scalar(select(func.count()).select_from(FirstLevelUnion)),
            "employers": s.scalar(select(func.count()).select_from(Employer)),
            "unions": s.scalar(select(func.count()).select_from(Union)),
            "members": s.scalar(select(func.count()).select_from(Member)),
            "organizing_tasks": s.scalar(select(func.count()).select_from(OrganizingTask)),
        }


def database_is_empty(engine: Engine) -> bool:
    """True when no register holds a record yet (a first start)."""
    return not any(record_counts(engine).values())


def required_text(value: str | None, label: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{label}不能为空", field)
    return text


def find_union(s, reference: str | int) -> Union:
    """A union given by its id (a form's choice), its credit code or its exact name (a spreadsheet's)."""
    if isinstance(reference, int):
        union = s.get(Union, reference)
        if union is None:
            raise InvalidInput("所选基层工会已不存在，请重新选择", "union")
        return _accepting_members(union)
    text = reference.strip()
    normalized = codes.normalize_code(text)
    if len(normalized) == 18 and normalized.startswith("81"):
        union = s.scalar(select(Union).where(Union.credit_code == normalized))
    else:
        matches = s.scalars(select(Union).where(Union.name == text).limit(2)).all()
        if len(matches) > 1:
            raise InvalidInput(f"有多个名为“{text}”的基层工会，请用工会的统一社会信用代码指明", "union")
        union = matches[0] if matches else None
    if union is None:
        raise InvalidInput(f"没有找到基层工会“{text}”，请先登记该工会", "union")
    return _accepting_members(union)


def _accepting_members(union: Union) -> Union:
    if union.status != UnionStatus.ACTIVE:
        raise InvalidInput(f"基层工会“{union.name}”已转出或撤销，不能再加入会员", "union")
    return union


@dataclass(frozen=True)
class MemberDetails:
    """One member as an opened record shows it: the whole ID number and phone, not masked."""

    id: int
    uuid: str
    name: str
    id_number: str
    mobile: str | None
    union_id: int
    union_name: str
    joined_on: date
    status: str
    created_at: datetime
    updated_at: datetime


def _checked_member(
    name: str, id_number: str, joined_on: date, mobile: str | None
) -> tuple[str, str, str | None]:
    """The fields every member must pass, normalised; raises InvalidInput naming the field."""
    name = required_text(name, "姓名", "name")
    id_number = codes.check_id_number(id_number)
    phone = codes.check_mobile(mobile) if mobile and mobile.strip() else None
    refuse_future_date(joined_on, "入会日期", "joined_on")
    if joined_on < codes.birth_date_from_id(id_number):
        raise InvalidInput(f"入会日期 {joined_on:%Y-%m-%d} 早于出生日期", "joined_on")
    return name, id_number, phone


def _refuse_taken_id_number(s, id_number: str, member_id: int | None = None) -> None:
    query = select(Member.name, Union.name).join(Member.union).where(Member.id_number == id_number)
    if member_id is not None:
        query = query.where(Member.id != member_id)
    if existing := s.execute(query).first():
        raise InvalidInput(
            f"身份证号 {codes.mask_id_number(id_number)} 已登记为“{existing[1]}”的会员“{existing[0]}”",
            "id_number",
        )


def _flush_member(s, member: Member) -> None:
    try:
        s.flush()
    except IntegrityError as exc:  # a second writer took the same ID number a moment ago
        raise InvalidInput(f"身份证号 {codes.mask_id_number(member.id_number)} 已登记", "id_number") from exc


def add_member(
    engine: Engine,
    *,
    name: str,
    id_number: str,
    union: str | int,
    joined_on: date,
    mobile: str | None = None,
) -> MemberRecord:
    """Register a member after checking the ID number, phone and union; nothing is written if one is refused."""
    name, id_number, phone = _checked_member(name, id_number, joined_on, mobile)
    with writing(engine) as s, s.begin():
        _refuse_taken_id_number(s, id_number)
        target = find_union(s, union)
        member = Member(
            name=name,
            id_number=id_number,
            mobile=phone,
            union_id=target.id,
            joined_on=joined_on,
            status=MemberStatus.ACTIVE,
        )
        s.add(member)
        _flush_member(s, member)
        return MemberRecord(member.id, member.uuid, name, id_number, target.name, joined_on)


def member_details(engine: Engine, member_id: int) -> MemberDetails:
    with reading(engine) as s, s.begin():
        member = s.get(Member, member_id)
        if member is None:
            raise InvalidInput("该会员记录已不存在")
        return MemberDetails(
            member.id, member.uuid, member.name, member.id_number, member.mobile, member.union_id,
            member.union.name, member.joined_on, member.status, member.created_at, member.updated_at,
        )  # fmt: skip


def update_member(
    engine: Engine,
    member_id: int,
    *,
    name: str,
    id_number: str,
    union: str | int,
    joined_on: date,
    mobile: str | None = None,
) -> MemberRecord:
    """Change a member's record with the same checks as a new one; nothing is written if one is refused."""
    name, id_number, phone = _checked_member(name, id_number, joined_on, mobile)
    with writing(engine) as s, s.begin():
        member = s.get(Member, member_id)
        if member is None:
            raise InvalidInput("该会员记录已不存在，可能已被删除")
        _refuse_taken_id_number(s, id_number, member_id)
        # Staying in the same union is always allowed, even one that has since been transferred out.
        target = member.union if union == member.union_id else find_union(s, union)
        member.name, member.id_number, member.mobile = name, id_number, phone
        member.union_id, member.joined_on = target.id, joined_on
        _flush_member(s, member)
        return MemberRecord(member.id, member.uuid, name, id_number, target.name, joined_on)


def union_choices(engine: Engine) -> list[tuple[int, str]]:
    """Active grassroots unions as (id, name), for choosing where a member belongs."""
    with reading(engine) as s, s.begin():
        query = select(Union.id, Union.name).where(Union.status == UnionStatus.ACTIVE).order_by(Union.name)
        return [(row.id, row.name) for row in s.execute(query)]


def first_level_union_choices(engine: Engine) -> list[tuple[int, str]]:
    with reading(engine) as s, s.begin():
        query = select(FirstLevelUnion.id, FirstLevelUnion.name).order_by(
            FirstLevelUnion.sort_order, FirstLevelUnion.id
        )
        return [(row.id, row.name) for row in s.execute(query)]
