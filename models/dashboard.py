"""首页: what the dashboard shows when it opens, in a few grouped queries.

The dashboard shows the year's progress of each first-level union against its target (new unions and new
members), the same two figures month by month, the figure cards, the notices falling due and the tasks
nobody has followed for a while. It opens each time the clerk comes back to 首页, so everything here is
read in one transaction with one grouped query per series (target: ≤ 500 ms at 100,000 members, see
bench/dashboard.py).

The two yearly figures follow the rules of ``models.figures`` (its module docstring), so the dashboard and
the 统计 page give the same numbers for a year:

- a new union is one founded in the period and founded here: a union whose history begins with a 转入
  was founded elsewhere and is not new here. It is counted under its present first-level union, whatever
  its status today;
- a new member is a joining in the period (``joined_on``) or a return to 在会 (a ``rejoined`` change)
  in it, counted under the present first-level union of the member's union. A member who joined and
  came back within one month counts twice, as in the report.

Months are calendar months of the dates as stored: a member who joined on 31 January is January's, one
who joined on 1 February is February's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, cast, func, select, union_all
from sqlalchemy.orm import Session

from models.database import reading
from models.entities import (
    Employer,
    Federation,
    Member,
    MembershipChange,
    MembershipChangeKind,
    MemberStatus,
    OrganizingTask,
    TaskStatus,
    Union,
    UnionEventKind,
    UnionStatus,
    union_employer,
)
from models.figures import union_place_history
from models.listing import DUE_SOON_DAYS, should_have_union
from models.notices import NoticeRecord, due_notices
from models.statistics import Figures
from models.tasks import STALE_DAYS, StaleTask, Target, stale_tasks, targets

MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class YearProgress:
    """A first-level union's new unions and new members in the year, beside its target for the year."""

    first_level_union_id: int
    first_level_union: str
    new_unions: int
    new_members: int
    target_unions: int
    target_members: int
    target_set: bool  # False: no target was set for the year (the targets are then 0)


@dataclass(frozen=True)
class MonthlySeries:
    """The federation's new unions and new members per month of ``year``.

    ``months`` holds the months shown: all twelve for a past year, up to the present month for this year
    (a month still to come has no figure yet, not a zero).
    """

    year: int
    months: tuple[int, ...]
    new_unions: tuple[int, ...]
    new_members: tuple[int, ...]


@dataclass(frozen=True)
class Dashboard:
    """Everything 首页 shows, read in one go."""

    today: date
    year: int
    totals: Figures  # the figure cards: the federation's present state
    progress: list[YearProgress]  # per first-level union, in their set order
    monthly: MonthlySeries
    due_soon: list[NoticeRecord]
    overdue: list[NoticeRecord]
    stale: list[StaleTask]

    @property
    def progress_total(self) -> YearProgress:
        """The federation's line of the progress table: every first-level union added up."""
        rows = self.progress
        return YearProgress(
            0,
            self.totals.name,
            sum(row.new_unions for row in rows),
            sum(row.new_members for row in rows),
            sum(row.target_unions for row in rows),
            sum(row.target_members for row in rows),
            any(row.target_set for row in rows),
        )


# --- the two yearly series, by first-level union and month --------------------------------------------


def _month(column):
    """The month of a stored date (``YYYY-MM-DD``) as an integer."""
    return cast(func.substr(column, 6, 2), Integer)


def _in_year(column, year: int):
    # A range, not strftime(): the date's index answers it.
    return column.between(date(year, 1, 1), date(year, 12, 31))


def _founded_here():
    """Whether a union was founded here: its earliest 转入, 转出 or 撤销 is not a 转入.

    The history is ``models.figures``'s, so the dashboard and the report agree on what is new.
    """

    history = union_place_history().subquery("history")
    first = (
        select(history.c.kind)
        .where(history.c.union_id == Union.id)
        .order_by(history.c.happened_on, history.c.seq)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(first, "") != UnionEventKind.TRANSFERRED_IN.value


def _new_unions_by_month(s: Session, year: int) -> dict[tuple[int, int], int]:
    """(first-level union, month) → unions founded here in that month of ``year``."""
    month = _month(Union.founded_on)
    query = (
        select(Union.first_level_union_id, month, func.count())
        .where(_in_year(Union.founded_on, year), _founded_here())
        .group_by(Union.first_level_union_id, month)
    )
    return {(flu, m): count for flu, m, count in s.execute(query)}


def _new_members_by_month(s: Session, year: int) -> dict[tuple[int, int], int]:
    """(first-level union, month) → joinings in that month of ``year``: first joinings and returns to 在会.

    One statement: the joinings read through the joined_on index (a year is a tenth of 100,000 members),
    the returns through the change dates, both grouped after being put together.
    """
    joined = (
        select(Member.union_id.label("union_id"), Member.joined_on.label("day"))
        .where(_in_year(Member.joined_on, year))
    )  # fmt: skip
    rejoined = (
        select(Member.union_id, MembershipChange.happened_on)
        .join(Member, MembershipChange.member_id == Member.id)
        .where(MembershipChange.kind == MembershipChangeKind.REJOINED, _in_year(MembershipChange.happened_on, year))
    )  # fmt: skip
    joinings = union_all(joined, rejoined).subquery("joinings")
    month = _month(joinings.c.day)
    query = (
        select(Union.first_level_union_id, month, func.count())
        .select_from(joinings)
        .join(Union, Union.id == joinings.c.union_id)
        .group_by(Union.first_level_union_id, month)
    )
    return {(flu, m): count for flu, m, count in s.execute(query)}


def _by_parent(counts: dict[tuple[int, int], int]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for (flu, _), count in counts.items():
        totals[flu] += count
    return totals


def _by_month(counts: dict[tuple[int, int], int], months: tuple[int, ...]) -> tuple[int, ...]:
    totals: dict[int, int] = defaultdict(int)
    for (_, month), count in counts.items():
        totals[month] += count
    return tuple(totals[month] for month in months)


def _months_shown(year: int, today: date) -> tuple[int, ...]:
    if year < today.year:
        return MONTHS
    if year > today.year:
        return ()
    return MONTHS[: today.month]


def _progress(
    year_targets: list[Target], unions: dict[tuple[int, int], int], members: dict[tuple[int, int], int]
) -> list[YearProgress]:
    new_unions, new_members = _by_parent(unions), _by_parent(members)
    return [
        YearProgress(
            t.first_level_union_id, t.first_level_union,
            new_unions.get(t.first_level_union_id, 0), new_members.get(t.first_level_union_id, 0),
            t.new_unions, t.new_members, t.is_set,
        )
        for t in year_targets
    ]  # fmt: skip


def year_progress(engine, year: int) -> list[YearProgress]:
    """Each first-level union's new unions and new members in ``year`` against its target, in set order."""
    with reading(engine) as s, s.begin():
        unions, members = _new_unions_by_month(s, year), _new_members_by_month(s, year)
    return _progress(targets(engine, year), unions, members)


def monthly_series(engine, year: int, today: date | None = None) -> MonthlySeries:
    """The federation's new unions and new members per month of ``year`` (up to ``today``'s month)."""
    months = _months_shown(year, today or date.today())
    with reading(engine) as s, s.begin():
        unions, members = _new_unions_by_month(s, year), _new_members_by_month(s, year)
    return MonthlySeries(year, months, _by_month(unions, months), _by_month(members, months))


# --- the figure cards ---------------------------------------------------------------------------------


def _organized_employers():
    """The employers an active union covers, as one list: asked once, where the per-employer EXISTS of
    ``models.listing.employer_has_active_union`` makes SQLite walk the unions for each employer (500 ms
    over 2,000 employers at 100,000 members, against a few)."""
    return (
        select(union_employer.c.employer_id)
        .join(Union, union_employer.c.union_id == Union.id)
        .where(Union.status == UnionStatus.ACTIVE)
    )


def _totals(s: Session) -> Figures:
    """The federation's line of ``models.statistics.overview``, the same figures by faster queries."""
    active_unions = select(func.count(), func.coalesce(func.sum(Union.covered_staff), 0)).where(
        Union.status == UnionStatus.ACTIVE
    )
    unions, covered_staff = s.execute(active_unions).one()
    members = s.scalar(select(func.count()).where(Member.status == MemberStatus.ACTIVE))
    organized = Employer.id.in_(_organized_employers())
    employers, without, due = s.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((~organized, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~organized, should_have_union()), 1), else_=0)), 0),
        ).select_from(Employer)
    ).one()
    open_tasks = s.scalar(
        select(func.count()).where(OrganizingTask.status.not_in([TaskStatus.FOUNDED, TaskStatus.CANCELLED]))
    )
    name = s.get_one(Federation, 1).name
    return Figures(name, unions, members, int(covered_staff), employers, int(without), int(due), open_tasks)


# --- everything at once -------------------------------------------------------------------------------


def dashboard(engine, today: date | None = None, stale_days: int = STALE_DAYS) -> Dashboard:
    """What 首页 shows on ``today`` (today if None): the figures of ``today``'s year and the lists."""
    today = today or date.today()
    year = today.year
    months = _months_shown(year, today)
    with reading(engine) as s, s.begin():
        totals = _totals(s)
        unions, members = _new_unions_by_month(s, year), _new_members_by_month(s, year)
    due_soon, overdue = due_notices(engine, today, DUE_SOON_DAYS)
    return Dashboard(
        today=today,
        year=year,
        totals=totals,
        progress=_progress(targets(engine, year), unions, members),
        monthly=MonthlySeries(year, months, _by_month(unions, months), _by_month(members, months)),
        due_soon=due_soon,
        overdue=overdue,
        stale=stale_tasks(engine, today, stale_days),
    )
