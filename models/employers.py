"""One employer in full: its fields for the form, and everything about it for the employer page.

Like ``registers``, a facade: each function runs its own transaction and returns plain data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from models import codes
from models.database import in_ids, reading, writing
from models.entities import (
    Employer,
    EmployerClass,
    FirstLevelUnion,
    Member,
    MemberStatus,
    Notice,
    OrganizingTask,
    StaffCountSource,
    Union,
    UnionStatus,
    Visit,
    union_employer,
)
from models.errors import InvalidInput, refuse_future_date
from models.listing import without_union_since
from models.registers import required_text


@dataclass(frozen=True)
class EmployerFields:
    """What a clerk fills in for an employer; the same for a new one and a changed one."""

    name: str
    employer_class: str
    credit_code: str | None = None
    industry: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    founded_on: date | None = None
    staff_count: int | None = None
    staff_count_source: str | None = None
    staff_count_date: date | None = None
    above_scale: bool = False
    deputy_linked: bool = False
    new_employment_forms: bool = False
    first_level_union_id: int | None = None


@dataclass(frozen=True)
class UnionOfEmployer:
    id: int
    name: str
    status: str
    founded_on: date | None
    closed_on: date | None
    members: int


@dataclass(frozen=True)
class TaskOfEmployer:
    year: int
    status: str
    first_level_union: str
    status_reason: str | None


@dataclass(frozen=True)
class NoticeOfEmployer:
    id: int
    kind: str
    document_number: str | None
    status: str
    issued_on: date | None
    reply_due_on: date | None
    replied_on: date | None


@dataclass(frozen=True)
class VisitOfEmployer:
    visited_on: date
    visitors: str | None
    findings: str | None


@dataclass(frozen=True)
class EmployerOverview:
    """Everything the employer page shows: the record, its union(s), tasks, notices and visits."""

    id: int
    fields: EmployerFields
    first_level_union: str | None
    unions: list[UnionOfEmployer]
    tasks: list[TaskOfEmployer]
    notices: list[NoticeOfEmployer]
    visits: list[VisitOfEmployer]
    # Since when the employer has had no union (None while it has one): as the 未建会 list has it.
    without_union_since: date | None

    @property
    def has_union(self) -> bool:
        return any(union.status == UnionStatus.ACTIVE for union in self.unions)


def checked_employer(fields: EmployerFields) -> EmployerFields:
    """The fields normalised, or InvalidInput naming the first field refused."""
    name = required_text(fields.name, "单位名称", "name")
    if fields.employer_class not in set(EmployerClass):
        raise InvalidInput(f"单位类别“{fields.employer_class}”无效", "employer_class")
    code = fields.credit_code
    code = codes.check_credit_code(code) if code and code.strip() else None
    if fields.staff_count is not None and fields.staff_count < 0:
        raise InvalidInput("职工人数不能为负数", "staff_count")
    if fields.staff_count_source is not None and fields.staff_count_source not in set(StaffCountSource):
        raise InvalidInput(f"人数来源“{fields.staff_count_source}”无效", "staff_count_source")
    refuse_future_date(fields.founded_on, "成立日期", "founded_on")
    refuse_future_date(fields.staff_count_date, "人数统计日期", "staff_count_date")
    texts = {
        field: (getattr(fields, field) or "").strip() or None
        for field in ("industry", "address", "legal_representative", "contact_person", "contact_phone")
    }
    return dataclasses.replace(fields, name=name, credit_code=code, **texts)


def _refuse_taken_credit_code(s, code: str | None, employer_id: int | None = None) -> None:
    if not code:
        return
    query = select(Employer.name).where(Employer.credit_code == code)
    if employer_id is not None:
        query = query.where(Employer.id != employer_id)
    if owner := s.scalar(query):
        raise InvalidInput(f"统一社会信用代码 {code} 已登记为单位“{owner}”", "credit_code")


def save_employer(engine: Engine, fields: EmployerFields, employer_id: int | None = None) -> int:
    """Register a new employer (no id) or change one; returns its id. Nothing is written if a field is refused."""
    fields = checked_employer(fields)
    with writing(engine) as s, s.begin():
        _refuse_taken_credit_code(s, fields.credit_code, employer_id)
        if employer_id is None:
            employer = Employer()
            s.add(employer)
        elif (employer := s.get(Employer, employer_id)) is None:
            raise InvalidInput("该单位记录已不存在")
        for field in dataclasses.fields(EmployerFields):
            setattr(employer, field.name, getattr(fields, field.name))
        s.flush()
        return employer.id


@dataclass(frozen=True)
class EmployerRecord:
    id: int
    uuid: str
    name: str
    credit_code: str | None
    employer_class: str
    staff_count: int | None


def add_employer(
    engine: Engine,
    *,
    name: str,
    employer_class: str,
    credit_code: str | None = None,
    staff_count: int | None = None,
    first_level_union: str | None = None,
) -> EmployerRecord:
    """Register an employer with the few fields a command line gives, the first-level union by name."""
    fields = checked_employer(
        EmployerFields(
            name=name, employer_class=employer_class, credit_code=credit_code, staff_count=staff_count
        )
    )
    with writing(engine) as s, s.begin():
        _refuse_taken_credit_code(s, fields.credit_code)
        parent_id = _first_level_union_id(s, first_level_union) if first_level_union else None
        employer = Employer(**dataclasses.asdict(dataclasses.replace(fields, first_level_union_id=parent_id)))
        s.add(employer)
        s.flush()
        return EmployerRecord(
            employer.id, employer.uuid, fields.name, fields.credit_code, employer_class, staff_count
        )


def _first_level_union_id(s, name: str) -> int:
    found = s.scalar(select(FirstLevelUnion.id).where(FirstLevelUnion.name == name.strip()))
    if found is None:
        raise InvalidInput(f"没有名为“{name.strip()}”的一级工会", "first_level_union")
    return found


def employer_by_credit_code(engine: Engine, credit_code: str) -> int:
    """The id of the employer with this credit code (typed as a clerk types it: spaces, lower case…)."""
    code = codes.normalize_code(credit_code)
    with reading(engine) as s, s.begin():
        found = s.scalar(select(Employer.id).where(Employer.credit_code == code))
    if found is None:
        raise InvalidInput(f"没有统一社会信用代码为 {code} 的单位", "employer")
    return found


def employer_overview(engine: Engine, employer_id: int) -> EmployerOverview:
    with reading(engine) as s, s.begin():
        employer = s.get(Employer, employer_id)
        if employer is None:
            raise InvalidInput("该单位记录已不存在")
        fields = EmployerFields(
            **{f.name: getattr(employer, f.name) for f in dataclasses.fields(EmployerFields)}
        )
        return EmployerOverview(
            id=employer.id,
            fields=fields,
            first_level_union=employer.first_level_union.name if employer.first_level_union else None,
            unions=_unions_of(s, employer_id),
            tasks=_tasks_of(s, employer_id),
            notices=_notices_of(s, employer_id),
            visits=_visits_of(s, employer_id),
            without_union_since=s.scalar(select(without_union_since()).where(Employer.id == employer_id)),
        )


def _unions_of(s, employer_id: int) -> list[UnionOfEmployer]:
    members = (
        select(func.count())
        .where(Member.union_id == Union.id, Member.status == MemberStatus.ACTIVE)
        .scalar_subquery()
    )
    rows = s.execute(
        select(Union.id, Union.name, Union.status, Union.founded_on, Union.closed_on, members)
        .join(union_employer, union_employer.c.union_id == Union.id)
        .where(union_employer.c.employer_id == employer_id)
        .order_by(Union.status != UnionStatus.ACTIVE, Union.founded_on.desc())
    )
    return [UnionOfEmployer(*row) for row in rows]


def _tasks_of(s, employer_id: int) -> list[TaskOfEmployer]:
    tasks = s.scalars(
        select(OrganizingTask)
        .where(OrganizingTask.employer_id == employer_id)
        .order_by(OrganizingTask.year.desc())
    )
    return [TaskOfEmployer(t.year, t.status, t.first_level_union.name, t.status_reason) for t in tasks]


def _notices_of(s, employer_id: int) -> list[NoticeOfEmployer]:
    rows = s.execute(
        select(
            Notice.id, Notice.kind, Notice.document_number, Notice.status,
            Notice.issued_on, Notice.reply_due_on, Notice.replied_on,
        )
        .where(Notice.employer_id == employer_id)
        .order_by(Notice.issued_on.desc().nulls_first(), Notice.id.desc())
    )  # fmt: skip
    return [NoticeOfEmployer(*row) for row in rows]


def _visits_of(s, employer_id: int) -> list[VisitOfEmployer]:
    rows = s.execute(
        select(Visit.visited_on, Visit.visitors, Visit.findings)
        .where(Visit.employer_id == employer_id)
        .order_by(Visit.visited_on.desc())
    )
    return [VisitOfEmployer(*row) for row in rows]


def industry_choices(engine: Engine) -> list[str]:
    """The industries already used, for the form's drop-down (a new one can be typed)."""
    with reading(engine) as s, s.begin():
        query = (
            select(Employer.industry)
            .where(Employer.industry.is_not(None))
            .distinct()
            .order_by(Employer.industry)
        )
        return list(s.scalars(query))


def employer_choices(engine: Engine) -> list[tuple[int, str]]:
    """Every employer as (id, name with its credit code), for choosing the ones a union covers."""
    with reading(engine) as s, s.begin():
        rows = s.execute(select(Employer.id, Employer.name, Employer.credit_code).order_by(Employer.name))
        return [(row.id, f"{row.name}（{row.credit_code}）" if row.credit_code else row.name) for row in rows]


def employer_names(engine: Engine, employer_ids: Sequence[int]) -> list[tuple[int, str]]:
    """(id, name) of the given employers in the order given; ids no longer there are left out."""
    with reading(engine) as s, s.begin():
        names = dict(
            s.execute(select(Employer.id, Employer.name).where(in_ids(Employer.id, employer_ids))).all()
        )
    return [(employer_id, names[employer_id]) for employer_id in employer_ids if employer_id in names]
