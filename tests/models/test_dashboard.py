"""首页's numbers worked out by hand over a small federation written here.

Two first-level unions (礼嘉 and 金山) in 2025: unions founded on 31 January, 1 February, 31 December and
the December before, one founded elsewhere and transferred in, one dissolved after its founding; members
who joined on 31 January and 1 February, on 31 December 2024 and 1 January 2025, one who left and came
back, one who joined, left and came back within March.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models import codes
from models.dashboard import dashboard, monthly_series, year_progress
from models.database import open_database
from models.entities import Employer, FirstLevelUnion, Member, MembershipChange, OrganizingTask, Union
from models.figures import Period, report
from models.paths import DataDir
from models.statistics import overview
from models.tasks import set_targets
from models.unions import close_union, transfer_in_union

YEAR = 2025


@dataclass(frozen=True)
class Ids:
    lijia: int
    jinshan: int


def _id_number(n: int) -> str:
    first17 = f"50011219850101{n:03d}"
    return first17 + codes.id_check_char(first17)


def _build(engine: Engine) -> Ids:
    with Session(engine) as s, s.begin():
        lijia = FirstLevelUnion(name="礼嘉街道工会", kind="street", sort_order=1)
        jinshan = FirstLevelUnion(name="金山街道工会", kind="street", sort_order=2)
        s.add_all([lijia, jinshan])
        s.flush()
        covered = Employer(
            name="甲公司", employer_class="non_public", staff_count=150, first_level_union_id=lijia.id
        )
        bare = Employer(
            name="乙公司", employer_class="non_public", staff_count=120, first_level_union_id=jinshan.id
        )
        s.add_all([covered, bare])
        union_rows = {
            # name: (first-level union, founded, covered staff)
            "U1": (lijia, date(YEAR, 1, 31), 100),  # January
            "U2": (lijia, date(YEAR, 2, 1), 20),  # February
            "U3": (jinshan, date(YEAR - 1, 12, 31), 30),  # the year before
            "U4": (jinshan, date(YEAR, 3, 10), 40),  # founded elsewhere: transferred in on 1 April
            "U5": (jinshan, date(YEAR, 3, 20), 50),  # March, dissolved in May: still new in March
            "U6": (lijia, date(YEAR, 12, 31), 60),  # December
        }
        unions = {}
        for name, (parent, founded, staff) in union_rows.items():
            unions[name] = Union(
                name=f"{name}工会", kind="single", first_level_union=parent, founded_on=founded,
                covered_staff=staff, status="active",
            )  # fmt: skip
        unions["U1"].employers = [covered]
        s.add_all(unions.values())
        member_rows = [
            # (union, joined, changes)
            ("U1", date(YEAR, 1, 31), []),  # January
            ("U1", date(YEAR, 2, 1), []),  # February
            ("U3", date(YEAR - 1, 12, 31), []),  # the year before
            ("U3", date(YEAR, 1, 1), []),  # January
            (
                "U3",
                date(2020, 5, 5),
                [("withdrawn", date(YEAR, 2, 10)), ("rejoined", date(YEAR, 3, 5))],
            ),  # March
            (
                "U2",
                date(YEAR, 3, 1),
                [("withdrawn", date(YEAR, 3, 10)), ("rejoined", date(YEAR, 3, 20))],
            ),  # 2×March
            ("U4", date(YEAR, 4, 2), []),  # April, in the union transferred in
            ("U1", date(YEAR, 12, 31), []),  # December
            ("U5", date(YEAR + 1, 1, 1), []),  # the year after
        ]
        for n, (union, joined, changes) in enumerate(member_rows):
            member = Member(name=f"会员{n}", id_number=_id_number(n), union=unions[union], joined_on=joined)
            s.add(member)
            s.flush()
            for kind, when in changes:
                s.add(MembershipChange(member_id=member.id, kind=kind, happened_on=when))
        s.add(OrganizingTask(employer=bare, year=YEAR, first_level_union_id=jinshan.id, status="not_started"))
        s.flush()
        ids = Ids(lijia.id, jinshan.id)
        u4, u5 = unions["U4"].id, unions["U5"].id
    transfer_in_union(engine, u4, ids.jinshan, date(YEAR, 4, 1), "从市产业工会转入")
    close_union(engine, u5, "dissolved", date(YEAR, 5, 1), "单位注销")
    set_targets(engine, YEAR, {ids.lijia: (4, 10)})  # 金山 has none
    return ids


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Ids]]:
    engine = open_database(DataDir(tmp_path_factory.mktemp("dashboard")))
    ids = _build(engine)
    yield engine, ids
    engine.dispose()


@pytest.fixture(scope="module")
def engine(federation) -> Engine:
    return federation[0]


@pytest.fixture(scope="module")
def ids(federation) -> Ids:
    return federation[1]


def test_a_past_year_by_month_counts_31_january_in_january_and_1_february_in_february(engine):
    series = monthly_series(engine, YEAR, today=date(YEAR + 1, 3, 1))
    assert series.months == tuple(range(1, 13))
    # Unions: U1 (31 Jan), U2 (1 Feb), U5 (20 Mar, though dissolved since), U6 (31 Dec); U4 came from
    # elsewhere and U3 is the year before.
    assert series.new_unions == (1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1)
    # Members: January the one of 31 Jan and the one of 1 Jan; February the one of 1 Feb; March one
    # return and one joining with its return (two joinings); April the one in the union transferred in;
    # December the one of 31 Dec. The one of 31 Dec 2024 and the one of 1 Jan 2026 are not this year's.
    assert series.new_members == (2, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1)


def test_this_year_shows_the_months_up_to_now_and_no_month_to_come(engine):
    series = monthly_series(engine, YEAR, today=date(YEAR, 6, 15))
    assert series.months == (1, 2, 3, 4, 5, 6)
    assert series.new_unions == (1, 1, 1, 0, 0, 0)
    assert series.new_members == (2, 1, 3, 1, 0, 0)
    assert monthly_series(engine, YEAR + 1, today=date(YEAR, 6, 15)).months == ()


def test_the_years_progress_by_first_level_union_against_its_target(engine, ids):
    lijia, jinshan = year_progress(engine, YEAR)
    # 礼嘉: unions U1, U2, U6; members the two of U1 in Jan and Feb, two joinings in U2, U1's December one.
    assert (lijia.first_level_union, lijia.new_unions, lijia.new_members) == ("礼嘉街道工会", 3, 5)
    assert (lijia.target_unions, lijia.target_members, lijia.target_set) == (4, 10, True)
    # 金山: union U5 only; members U3's January one, U3's return in March, U4's April one.
    assert (jinshan.first_level_union, jinshan.new_unions, jinshan.new_members) == ("金山街道工会", 1, 3)
    assert (jinshan.target_unions, jinshan.target_members, jinshan.target_set) == (0, 0, False)


def test_the_dashboard_holds_the_cards_the_progress_and_the_months(engine):
    data = dashboard(engine, today=date(YEAR, 6, 15))
    assert data.year == YEAR
    totals = data.totals
    # Active unions: all but the dissolved U5; their covered staff 100 + 20 + 30 + 40 + 60.
    assert (totals.unions, totals.covered_staff) == (5, 250)
    assert totals.members == 9  # every member is 在会 (the two who left came back)
    # Two employers, one covered by U1; the other has 120 staff and no union, and the one open task.
    assert (totals.employers, totals.employers_without_union, totals.due_without_union) == (2, 1, 1)
    assert totals.open_tasks == 1
    assert [(p.new_unions, p.new_members) for p in data.progress] == [(3, 5), (1, 3)]
    total = data.progress_total
    assert (total.new_unions, total.new_members, total.target_unions, total.target_members) == (4, 8, 4, 10)
    assert data.monthly.new_members == (2, 1, 3, 1, 0, 0)
    assert data.stale == [] and data.due_soon == [] and data.overdue == []


def test_the_dashboard_agrees_with_the_report_and_the_overview(engine):
    """The same rules as 统计 and the same cards as before: two other computations of the same numbers."""
    data = dashboard(engine, today=date(YEAR, 12, 31))
    figures = report(engine, Period.year(YEAR))
    assert [(p.new_unions, p.new_members) for p in data.progress] == [
        (row.new_unions, row.new_members) for row in figures.by_first_level_union
    ]
    assert sum(data.monthly.new_unions) == figures.totals.new_unions
    assert sum(data.monthly.new_members) == figures.totals.new_members
    assert data.totals == overview(engine)[0]
