"""Figures for 首页 and 统计, computed from the records (none is typed in)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from models.database import reading
from models.entities import (
    Employer,
    Federation,
    FirstLevelUnion,
    Member,
    MemberStatus,
    OrganizingTask,
    TaskStatus,
    Union,
    UnionStatus,
)
from models.listing import due_without_union, employer_has_active_union


@dataclass(frozen=True)
class Figures:
    """One line of the overview: for the whole federation, or for one first-level union."""

    name: str
    unions: int  # active grassroots unions
    members: int  # members in 在会 status
    covered_staff: int
    employers: int
    employers_without_union: int
    due_without_union: int  # over the staff thresholds and still without a union: the 未建会 list
    open_tasks: int


def overview(engine: Engine) -> tuple[Figures, list[Figures]]:
    """The federation's totals and the same figures for each first-level union, in their set order."""
    with reading(engine) as s, s.begin():
        federation = s.get_one(Federation, 1)
        parents = s.execute(
            select(FirstLevelUnion.id, FirstLevelUnion.name).order_by(
                FirstLevelUnion.sort_order, FirstLevelUnion.id
            )
        ).all()
        active = Union.status == UnionStatus.ACTIVE
        unions = dict(
            s.execute(
                select(Union.first_level_union_id, func.count())
                .where(active)
                .group_by(Union.first_level_union_id)
            ).all()
        )
        staff = dict(
            s.execute(
                select(Union.first_level_union_id, func.sum(Union.covered_staff))
                .where(active)
                .group_by(Union.first_level_union_id)
            ).all()
        )
        members = dict(
            s.execute(
                select(Union.first_level_union_id, func.count())
                .select_from(Member)
                .join(Union, Member.union_id == Union.id)
                .where(Member.status == MemberStatus.ACTIVE)
                .group_by(Union.first_level_union_id)
            ).all()
        )
        employers = dict(
            s.execute(
                select(Employer.first_level_union_id, func.count()).group_by(Employer.first_level_union_id)
            ).all()
        )
        without = dict(
            s.execute(
                select(Employer.first_level_union_id, func.count())
                .where(~employer_has_active_union())
                .group_by(Employer.first_level_union_id)
            ).all()
        )
        due = dict(
            s.execute(
                select(Employer.first_level_union_id, func.count())
                .where(due_without_union())
                .group_by(Employer.first_level_union_id)
            ).all()
        )
        tasks = dict(
            s.execute(
                select(OrganizingTask.first_level_union_id, func.count())
                .where(OrganizingTask.status.not_in([TaskStatus.FOUNDED, TaskStatus.CANCELLED]))
                .group_by(OrganizingTask.first_level_union_id)
            ).all()
        )
        federation_name = federation.name
    tables = (unions, members, staff, employers, without, due, tasks)
    rows = [
        Figures(name, *(int(table.get(parent_id) or 0) for table in tables)) for parent_id, name in parents
    ]
    totals = Figures(federation_name, *(int(sum(v or 0 for v in table.values())) for table in tables))
    return totals, rows
