"""The figures of a period, worked out by hand over a small federation whose every record is written here.

Two first-level unions (礼嘉 and 金山), eight employers, seven unions and ten members, chosen so that each
rule of ``models.figures`` meets its edge: a member who joined on 31 December and one on 1 January, a union
founded on 31 December and one on 1 January, a union transferred in (founded elsewhere, so never new here),
one dissolved and one transferred out, members who left and came back within a year and across two,
employers at (100) and under (99) the staff threshold, one founded after the period, one with no
first-level union, a joint union, a union covering no employer, and notices issued, served twice, replied
late, closed before their deadline, and voided.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models import codes
from models.database import open_database
from models.entities import (
    Employer,
    FirstLevelUnion,
    Member,
    MembershipChange,
    Notice,
    Service,
    Union,
)
from models.errors import InvalidInput
from models.figures import (
    FIGURES,
    UNASSIGNED,
    UNLINKED,
    Coverage,
    NoticeFigures,
    Period,
    PeriodFigures,
    records_behind,
    report,
    report_json,
    report_tables,
)
from models.listing import list_ids
from models.paths import DataDir
from models.unions import close_union, transfer_in_union

# Overdue is judged on this day: long after every deadline below.
TODAY = date(2026, 6, 1)
YEAR_2019 = Period.year(2019)
YEAR_2020 = Period.year(2020)


@dataclass(frozen=True)
class Ids:
    """The ids of the records written, by the names the tests use."""

    lijia: int  # 礼嘉街道工会 (sort order 1)
    jinshan: int  # 金山街道工会 (sort order 2)
    employers: dict[str, int]
    unions: dict[str, int]
    members: dict[str, int]
    notices: dict[str, int]


def _id_number(n: int) -> str:
    first17 = f"50011219900101{n:03d}"
    return first17 + codes.id_check_char(first17)


def _build(engine: Engine) -> Ids:
    with Session(engine) as s, s.begin():
        # Written in the other order, so the report's order can only come from sort_order.
        jinshan = FirstLevelUnion(name="金山街道工会", kind="street", sort_order=2)
        lijia = FirstLevelUnion(name="礼嘉街道工会", kind="street", sort_order=1)
        s.add_all([jinshan, lijia])
        s.flush()
        employer_rows = {
            # name: (class, staff, 规模以上, first-level union, founded)
            "e1": ("non_public", 100, True, lijia.id, None),  # at the threshold: counts
            "e2": ("non_public", 99, False, lijia.id, None),  # under it: does not
            "e3": ("state_owned", 250, True, jinshan.id, None),
            "e4": ("public_institution", 120, False, jinshan.id, None),
            "e5": ("social_organization", 30, False, None, None),
            "e6": ("non_public", 10, False, jinshan.id, None),
            "e7": ("non_public", 300, True, None, date(2020, 5, 1)),  # founded in 2020, no first-level union
            "e8": ("non_public", 150, False, lijia.id, None),
        }
        employers = {}
        for name, (kind, staff, above, parent, founded) in employer_rows.items():
            employer = Employer(
                name=f"{name}单位", employer_class=kind, staff_count=staff, above_scale=above,
                first_level_union_id=parent, founded_on=founded,
            )  # fmt: skip
            s.add(employer)
            employers[name] = employer
        union_rows = {
            # name: (kind, first-level union, founded, covered staff, employers covered)
            "U1": ("single", lijia.id, date(2019, 3, 15), 100, ["e1"]),
            "U2": ("single", jinshan.id, date(2015, 6, 1), 240, ["e3"]),
            "U3": ("joint", jinshan.id, date(2019, 12, 31), 40, ["e5", "e6"]),  # class of e5, the larger
            "U4": ("single", lijia.id, date(2016, 1, 1), 150, ["e8"]),  # dissolved 2019-08-01
            "U5": ("single", jinshan.id, date(2017, 4, 1), 99, ["e2"]),  # transferred in 2020-02-10
            "U6": ("single", lijia.id, date(2020, 1, 1), 20, []),  # covers no employer
            "U7": ("single", jinshan.id, date(2018, 5, 1), 120, ["e4"]),  # transferred out 2020-03-01
        }
        unions = {}
        for name, (kind, parent, founded, staff, covered) in union_rows.items():
            union = Union(
                name=f"{name}工会", kind=kind, first_level_union_id=parent, founded_on=founded,
                covered_staff=staff, status="active", employers=[employers[e] for e in covered],
            )  # fmt: skip
            s.add(union)
            unions[name] = union
        member_rows = {
            # name: (union, joined, changes)
            "m1": ("U1", date(2019, 12, 31), []),
            "m2": ("U1", date(2020, 1, 1), []),
            "m3": (
                "U2",
                date(2015, 7, 1),
                [("withdrawn", date(2019, 5, 10)), ("rejoined", date(2019, 9, 1))],
            ),
            "m4": (
                "U2",
                date(2016, 1, 1),
                [("withdrawn", date(2019, 11, 20)), ("rejoined", date(2020, 2, 1))],
            ),
            "m5": ("U2", date(2018, 3, 1), [("transferred_out", date(2020, 4, 1))]),
            "m6": ("U3", date(2019, 12, 31), []),
            "m7": ("U4", date(2017, 1, 1), []),  # in the union dissolved in 2019
            "m8": ("U5", date(2018, 6, 1), []),  # in the union transferred in during 2020
            "m9": ("U7", date(2018, 6, 1), []),  # in the union transferred out during 2020
            "m10": ("U6", date(2020, 1, 2), []),
        }
        members = {}
        for n, (name, (union, joined, changes)) in enumerate(member_rows.items()):
            last = changes[-1] if changes else None
            left = last is not None and last[0] != "rejoined"
            member = Member(
                name=f"会员{name}", id_number=_id_number(n), union=unions[union], joined_on=joined,
                status=last[0] if left else "active", left_on=last[1] if left else None,
            )  # fmt: skip
            s.add(member)
            s.flush()
            for kind, when in changes:
                s.add(MembershipChange(member_id=member.id, kind=kind, happened_on=when))
            members[name] = member
        notices = _notices(s, employers)
        s.flush()
        ids = Ids(
            lijia.id,
            jinshan.id,
            {name: e.id for name, e in employers.items()},
            {name: u.id for name, u in unions.items()},
            {name: m.id for name, m in members.items()},
            {name: n.id for name, n in notices.items()},
        )
    # The union's moves through the program's own writers, as a clerk records them.
    close_union(engine, ids.unions["U4"], "dissolved", date(2019, 8, 1), "单位注销")
    transfer_in_union(engine, ids.unions["U5"], ids.jinshan, date(2020, 2, 10), "从市产业工会转入")
    close_union(engine, ids.unions["U7"], "transferred_out", date(2020, 3, 1), "转至市卫生工会")
    return ids


def _notices(s: Session, employers: dict[str, Employer]) -> dict[str, Notice]:
    def notice(name: str, employer: str, kind: str, status: str, seq: int | None, **dates) -> Notice:
        row = Notice(
            kind=kind, employer=employers[employer], status=status,
            number_year=seq and 2019, number_seq=seq, **dates,
        )  # fmt: skip
        s.add(row)
        return row

    served = "served"
    n1 = notice("n1", "e4", "opinion_letter", "replied", 1, issued_on=date(2019, 3, 1),
                reply_due_on=date(2019, 3, 26), replied_on=date(2019, 3, 20))  # fmt: skip
    n2 = notice("n2", "e8", "opinion_letter", served, 2, issued_on=date(2019, 12, 20),
                reply_due_on=date(2020, 1, 15))  # fmt: skip
    n3 = notice("n3", "e7", "inspection_opinion", "replied", 3, issued_on=date(2020, 6, 1),
                reply_due_on=date(2020, 6, 24), replied_on=date(2020, 7, 1))  # fmt: skip
    n4 = notice("n4", "e4", "opinion_letter", "void", 4, issued_on=date(2019, 5, 1),
                closed_on=date(2019, 5, 2))  # fmt: skip
    n5 = notice("n5", "e1", "opinion_letter", "closed", 5, issued_on=date(2019, 2, 1),
                reply_due_on=date(2019, 2, 25), closed_on=date(2019, 2, 20))  # fmt: skip
    n6 = notice("n6", "e2", "opinion_letter", "draft", None)
    for row, served_on in ((n1, date(2019, 3, 5)), (n2, date(2019, 12, 25)), (n3, date(2020, 6, 3)),
                           (n3, date(2020, 6, 10)), (n5, date(2019, 2, 2))):  # fmt: skip
        row.services.append(Service(served_on=served_on, method="direct"))
    return {"n1": n1, "n2": n2, "n3": n3, "n4": n4, "n5": n5, "n6": n6}


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Ids]]:
    """The small federation, written once: the tests only read it."""
    engine = open_database(DataDir(tmp_path_factory.mktemp("figures")))
    ids = _build(engine)
    yield engine, ids
    engine.dispose()


@pytest.fixture(scope="module")
def engine(federation: tuple[Engine, Ids]) -> Engine:
    return federation[0]


@pytest.fixture(scope="module")
def ids(federation: tuple[Engine, Ids]) -> Ids:
    return federation[1]


def figures(name: str, **values) -> dict:
    """A row's figures as the test writes them: zero unless given."""
    row = {
        f.name: 0 for f in fields(PeriodFigures) if f.name not in ("first_level_union_id", "employer_class")
    }
    row.update(name=name, coverage_100_plus=Coverage(0, 0), coverage_above_scale=Coverage(0, 0),
               notices=NoticeFigures(0, 0, 0, 0, 0))  # fmt: skip
    row.update(values)
    return row


def as_dict(row: PeriodFigures) -> dict:
    return {f.name: getattr(row, f.name) for f in fields(PeriodFigures)
            if f.name not in ("first_level_union_id", "employer_class")}  # fmt: skip


# --- periods ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        (Period.year(2019), date(2019, 1, 1), date(2019, 12, 31), "2019年"),
        (Period.half(2020, 1), date(2020, 1, 1), date(2020, 6, 30), "2020年上半年"),
        (Period.half(2020, 2), date(2020, 7, 1), date(2020, 12, 31), "2020年下半年"),
        (Period.quarter(2020, 1), date(2020, 1, 1), date(2020, 3, 31), "2020年第一季度"),
        (Period.quarter(2020, 4), date(2020, 10, 1), date(2020, 12, 31), "2020年第四季度"),
        (Period.month(2020, 2), date(2020, 2, 1), date(2020, 2, 29), "2020年2月"),
        (Period.month(2019, 2), date(2019, 2, 1), date(2019, 2, 28), "2019年2月"),
        (
            Period.between(date(2019, 1, 1), date(2019, 6, 30)),
            date(2019, 1, 1),
            date(2019, 6, 30),
            "2019年1月1日至2019年6月30日",
        ),
    ],
)
def test_a_period_has_its_days_and_its_chinese_name(
    period: Period, start: date, end: date, label: str
) -> None:
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Period.half(2020, 3),
        lambda: Period.quarter(2020, 0),
        lambda: Period.month(2020, 13),
        lambda: Period.year(20190),
        lambda: Period.between(date(2020, 1, 2), date(2020, 1, 1)),
    ],
)
def test_a_period_that_cannot_be_is_refused_in_chinese(make) -> None:
    with pytest.raises(InvalidInput) as refused:
        make()
    assert refused.value.field == "period" and any(
        "\u4e00" <= char <= "\u9fff" for char in refused.value.message
    )


# --- the figures of 2019 ------------------------------------------------------------------------------


def test_the_totals_of_2019(engine: Engine) -> None:
    totals = report(engine, YEAR_2019, today=TODAY).totals
    assert as_dict(totals) == figures(
        totals.name,
        new_unions=2,  # U1 (15 March) and U3 (31 December); U5 was founded elsewhere, U6 on 1 January 2020
        covered_staff=100 + 40,
        unions_dissolved=1,  # U4
        unions_at_end=4,  # U1, U2, U3, U7; U4 dissolved, U5 not yet here, U6 not yet founded
        covered_staff_at_end=100 + 240 + 40 + 120,
        new_members=3,  # m1 and m6 joined on 31 December, m3 came back on 1 September
        members_withdrawn=2,  # m3 and m4
        members_at_end=5,  # m1, m3, m5, m6, m9; m4 had left, m7's union dissolved, m8's not yet here
        coverage_100_plus=Coverage(organized=3, total=4),  # e1 e3 e4 e8 (e7 not founded); e8's union gone
        coverage_above_scale=Coverage(organized=2, total=2),  # e1 e3
        notices=NoticeFigures(issued=3, served=3, replied=1, overdue=0, served_replied=1),  # n1 n2 n5
    )
    assert totals.members_left == 2
    assert totals.coverage_100_plus.rate == 0.75
    assert totals.notices.reply_rate == pytest.approx(1 / 3)


def test_the_rows_of_2019_by_first_level_union(engine: Engine, ids: Ids) -> None:
    result = report(engine, YEAR_2019, today=TODAY)
    assert [row.name for row in result.by_first_level_union] == ["礼嘉街道工会", "金山街道工会"]
    lijia, jinshan = result.by_first_level_union
    assert (lijia.first_level_union_id, jinshan.first_level_union_id) == (ids.lijia, ids.jinshan)
    assert as_dict(lijia) == figures(
        "礼嘉街道工会", new_unions=1, covered_staff=100, unions_dissolved=1, unions_at_end=1,
        covered_staff_at_end=100, new_members=1, members_at_end=1,
        coverage_100_plus=Coverage(1, 2), coverage_above_scale=Coverage(1, 1),
        notices=NoticeFigures(issued=2, served=2, replied=0, overdue=0, served_replied=0),  # n2 n5
    )  # fmt: skip
    assert as_dict(jinshan) == figures(
        "金山街道工会", new_unions=1, covered_staff=40, unions_at_end=3, covered_staff_at_end=400,
        new_members=2, members_withdrawn=2, members_at_end=4,
        coverage_100_plus=Coverage(2, 2), coverage_above_scale=Coverage(1, 1),
        notices=NoticeFigures(issued=1, served=1, replied=1, overdue=0, served_replied=1),  # n1
    )  # fmt: skip


def test_the_rows_of_2019_by_employer_class(engine: Engine) -> None:
    rows = {row.employer_class: row for row in report(engine, YEAR_2019, today=TODAY).by_employer_class}
    # 未关联单位 only holds U6, which did not exist yet.
    assert list(rows) == ["state_owned", "public_institution", "non_public", "social_organization"]
    assert as_dict(rows["non_public"]) == figures(
        "非公企业", new_unions=1, covered_staff=100, unions_dissolved=1, unions_at_end=1,
        covered_staff_at_end=100, new_members=1, members_at_end=1,
        coverage_100_plus=Coverage(1, 2), coverage_above_scale=Coverage(1, 1),
        notices=NoticeFigures(issued=2, served=2, replied=0, overdue=0, served_replied=0),
    )  # fmt: skip
    assert as_dict(rows["state_owned"]) == figures(
        "国有企业", unions_at_end=1, covered_staff_at_end=240, new_members=1, members_withdrawn=2,
        members_at_end=2, coverage_100_plus=Coverage(1, 1), coverage_above_scale=Coverage(1, 1),
    )  # fmt: skip
    assert as_dict(rows["public_institution"]) == figures(
        "机关事业单位", unions_at_end=1, covered_staff_at_end=120, members_at_end=1,
        coverage_100_plus=Coverage(1, 1),
        notices=NoticeFigures(issued=1, served=1, replied=1, overdue=0, served_replied=1),
    )  # fmt: skip
    # The joint union U3 counts under e5's class: it has 30 staff, e6 (非公企业) 10.
    assert as_dict(rows["social_organization"]) == figures(
        "社会组织", new_unions=1, covered_staff=40, unions_at_end=1, covered_staff_at_end=40,
        new_members=1, members_at_end=1,
    )  # fmt: skip


# --- the figures of 2020 ------------------------------------------------------------------------------


def test_the_totals_of_2020(engine: Engine) -> None:
    totals = report(engine, YEAR_2020, today=TODAY).totals
    assert as_dict(totals) == figures(
        totals.name,
        new_unions=1,  # U6 on 1 January; U5 came in, it was not founded here
        covered_staff=20,
        unions_transferred_in=1,  # U5
        unions_transferred_out=1,  # U7
        unions_at_end=5,  # U1 U2 U3 U5 U6
        covered_staff_at_end=100 + 240 + 40 + 99 + 20,
        new_members=3,  # m2 on 1 January, m10 on 2 January, m4 back on 1 February
        members_transferred_out=1,  # m5
        members_at_end=7,  # m1 m2 m3 m4 m6 m8 m10; m5 left, m7 and m9 went with their unions
        coverage_100_plus=Coverage(organized=2, total=5),  # e1 e3 of e1 e3 e4 e7 e8
        coverage_above_scale=Coverage(organized=2, total=3),  # e1 e3 of e1 e3 e7
        # n2's deadline (15 January) passed unanswered; n3 was answered a week after its deadline.
        notices=NoticeFigures(issued=1, served=1, replied=1, overdue=2, served_replied=1),
    )
    assert totals.coverage_100_plus.rate == 0.4 and totals.notices.reply_rate == 1.0


def test_rows_for_no_first_level_union_and_no_employer_appear_only_when_they_count_something(
    engine: Engine,
) -> None:
    result = report(engine, YEAR_2020, today=TODAY)
    assert [row.name for row in result.by_first_level_union] == [
        "礼嘉街道工会",
        "金山街道工会",
        "未指定一级工会",
    ]
    unassigned = result.by_first_level_union[-1]
    assert unassigned.first_level_union_id == UNASSIGNED
    # e7 (300 staff, 规模以上, founded in May 2020) and its late-answered inspection opinion n3.
    assert as_dict(unassigned) == figures(
        "未指定一级工会", coverage_100_plus=Coverage(0, 1), coverage_above_scale=Coverage(0, 1),
        notices=NoticeFigures(issued=1, served=1, replied=1, overdue=1, served_replied=1),
    )  # fmt: skip
    unlinked = result.by_employer_class[-1]
    assert (unlinked.name, unlinked.employer_class) == ("未关联单位", UNLINKED)
    assert as_dict(unlinked) == figures(
        "未关联单位", new_unions=1, covered_staff=20, unions_at_end=1, covered_staff_at_end=20,
        new_members=1, members_at_end=1,
    )  # fmt: skip


def test_the_days_at_the_edges_belong_to_their_own_period(engine: Engine) -> None:
    last_day = report(engine, Period.between(date(2019, 12, 31), date(2019, 12, 31)), today=TODAY).totals
    first_day = report(engine, Period.between(date(2020, 1, 1), date(2020, 1, 1)), today=TODAY).totals
    assert (last_day.new_members, last_day.new_unions, last_day.covered_staff) == (2, 1, 40)  # m1 m6, U3
    assert (first_day.new_members, first_day.new_unions, first_day.covered_staff) == (1, 1, 20)  # m2, U6
    # m2 joined on 1 January; m4, who left in November, was still away.
    assert last_day.members_at_end == first_day.members_at_end - 1 == 5


def test_a_member_who_left_and_came_back_counts_in_each_period_as_it_happened(
    engine: Engine, ids: Ids
) -> None:
    first_half = report(engine, Period.half(2019, 1), today=TODAY).totals
    second_half = report(engine, Period.half(2019, 2), today=TODAY).totals
    # m3: 退会 10 May, back 1 September. m4: 退会 20 November, back 1 February 2020.
    assert (first_half.members_withdrawn, first_half.new_members) == (1, 0)
    assert (second_half.members_withdrawn, second_half.new_members) == (1, 3)  # m4; m3 back, m1 m6 joined
    # On 30 June m3 had left and not yet come back; U4 (m7's union) was dissolved only on 1 August.
    assert first_half.members_at_end == 4
    behind = records_behind(engine, Period.half(2019, 1), "members_at_end", today=TODAY).ids
    assert behind == sorted(ids.members[m] for m in ("m4", "m5", "m7", "m9"))
    february = report(engine, Period.month(2020, 2), today=TODAY).totals
    # m4 back on 1 February; at its end U5 (m8) had come in and U7 (m9) not yet gone, m5 not yet left.
    assert february.new_members == 1 and february.members_at_end == 9


def test_a_union_transferred_in_is_never_new_here(engine: Engine) -> None:
    founding_year = report(engine, Period.year(2017), today=TODAY).totals
    # U5 was founded in 2017, elsewhere: at the end of 2017 only U2 and U4 were here.
    assert founding_year.new_unions == 0 and founding_year.unions_at_end == 2
    assert report(engine, Period.quarter(2020, 1), today=TODAY).totals.unions_transferred_in == 1


def test_notices_are_overdue_only_once_their_deadline_has_passed(engine: Engine) -> None:
    # On 20 June 2020 n3's deadline (24 June) is still ahead; n2's passed in January.
    early = report(engine, YEAR_2020, today=date(2020, 6, 20)).totals.notices
    assert early.overdue == 1


# --- the rows add up, and each figure opens into its records ------------------------------------------


COUNTS = [
    f.name
    for f in fields(PeriodFigures)
    if f.name not in ("name", "first_level_union_id", "employer_class", "coverage_100_plus",
                      "coverage_above_scale", "notices")
]  # fmt: skip


def _flat(row: PeriodFigures) -> dict[str, int]:
    values = {name: getattr(row, name) for name in COUNTS}
    for key in ("coverage_100_plus", "coverage_above_scale"):
        coverage = getattr(row, key)
        values |= {f"{key}.organized": coverage.organized, f"{key}.total": coverage.total}
    values |= {f"notices.{f.name}": getattr(row.notices, f.name) for f in fields(NoticeFigures)}
    return values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dates(min_value=date(2014, 1, 1), max_value=date(2021, 12, 31)),
    days=st.integers(min_value=0, max_value=900),
)
def test_the_rows_add_up_to_the_totals_for_any_period(engine: Engine, start: date, days: int) -> None:
    result = report(engine, Period.between(start, start + timedelta(days=days)), today=TODAY)
    totals = _flat(result.totals)
    for rows in (result.by_first_level_union, result.by_employer_class):
        flat = [_flat(row) for row in rows]
        assert {key: sum(row[key] for row in flat) for key in totals} == totals


def test_each_figure_opens_into_exactly_its_records(engine: Engine, ids: Ids) -> None:
    m, u, e, n = ids.members, ids.unions, ids.employers, ids.notices
    expected = {
        (YEAR_2019, "new_unions", None, None): ("unions", [u["U1"], u["U3"]]),
        (YEAR_2019, "covered_staff", None, "social_organization"): ("unions", [u["U3"]]),
        (YEAR_2019, "unions_dissolved", None, None): ("unions", [u["U4"]]),
        (YEAR_2019, "unions_at_end", ids.jinshan, None): ("unions", [u["U2"], u["U3"], u["U7"]]),
        (YEAR_2019, "new_members", None, None): ("members", [m["m1"], m["m3"], m["m6"]]),
        (YEAR_2019, "members_left", None, None): ("members", [m["m3"], m["m4"]]),
        (YEAR_2019, "members_at_end", ids.jinshan, None): ("members", [m["m3"], m["m5"], m["m6"], m["m9"]]),
        (YEAR_2019, "coverage_100_plus_unorganized", None, None): ("employers", [e["e8"]]),
        (YEAR_2019, "coverage_100_plus", ids.lijia, None): ("employers", [e["e1"], e["e8"]]),
        (YEAR_2019, "notices_issued", None, None): ("notices", [n["n1"], n["n2"], n["n5"]]),
        (YEAR_2020, "unions_transferred_in", None, None): ("unions", [u["U5"]]),
        (YEAR_2020, "unions_transferred_out", None, None): ("unions", [u["U7"]]),
        (YEAR_2020, "new_unions", None, UNLINKED): ("unions", [u["U6"]]),
        (YEAR_2020, "new_members", None, None): ("members", [m["m2"], m["m4"], m["m10"]]),
        (YEAR_2020, "members_transferred_out", None, None): ("members", [m["m5"]]),
        (YEAR_2020, "coverage_100_plus_organized", None, None): ("employers", [e["e1"], e["e3"]]),
        (YEAR_2020, "coverage_above_scale_unorganized", UNASSIGNED, None): ("employers", [e["e7"]]),
        (YEAR_2020, "notices_overdue", None, None): ("notices", [n["n2"], n["n3"]]),
        (YEAR_2020, "notices_served", None, None): ("notices", [n["n3"]]),
    }
    for (period, figure, parent, kind), (listing_key, records) in expected.items():
        behind = records_behind(engine, period, figure, parent, kind, today=TODAY)
        assert (behind.listing_key, behind.ids) == (listing_key, sorted(records)), figure


def test_every_figure_counts_what_it_opens_into(engine: Engine) -> None:
    """Over two years of every row, the figure and the length of its list agree (no member here joined
    twice within one year, the one case where a figure counts a record twice)."""
    for period in (YEAR_2019, YEAR_2020):
        result = report(engine, period, today=TODAY)
        for row in (result.totals, *result.by_first_level_union, *result.by_employer_class):
            flat = _flat(row) | {"members_left": row.members_left}
            for figure in FIGURES:
                if figure in ("covered_staff", "covered_staff_at_end"):
                    continue
                key = figure
                for prefix in ("coverage_100_plus", "coverage_above_scale"):
                    if figure.startswith(prefix):
                        part = figure[len(prefix) + 1 :] or "total"
                        key = f"{prefix}.{'organized' if part == 'organized' else 'total'}"
                if figure.startswith("notices_"):
                    key = f"notices.{figure[len('notices_') :]}"
                expected = flat[key]
                if figure.endswith("_unorganized"):
                    prefix = figure[: -len("_unorganized")]
                    expected = flat[f"{prefix}.total"] - flat[f"{prefix}.organized"]
                behind = records_behind(
                    engine, period, figure, row.first_level_union_id, row.employer_class, today=TODAY
                )
                assert len(behind.ids) == expected, (period.label, row.name, figure)


def test_the_window_lists_the_records_behind_a_figure(engine: Engine, ids: Ids) -> None:
    behind = records_behind(engine, YEAR_2019, "members_at_end", ids.lijia, today=TODAY)
    assert behind.title == "2019年 期末会员（礼嘉街道工会）"
    assert list_ids(engine, behind.listing_key, filters={"ids": behind.ids}) == [ids.members["m1"]]


def test_a_figure_that_counts_no_records_cannot_be_opened(engine: Engine) -> None:
    with pytest.raises(ValueError, match="coverage_100_plus_rate"):
        records_behind(engine, YEAR_2019, "coverage_100_plus_rate")


# --- the report as JSON and as tables -----------------------------------------------------------------


def test_the_json_holds_every_figure_and_rows_that_add_up(engine: Engine) -> None:
    data = report_json(report(engine, YEAR_2019, today=TODAY))
    assert data["period"] == {"from": "2019-01-01", "to": "2019-12-31", "label": "2019年"}
    assert (data["new_unions"], data["new_members"], data["covered_staff"], data["unions_transferred_in"]) == (
        2, 3, 140, 0,
    )  # fmt: skip
    assert data["coverage_100_plus"] == {"organized": 3, "total": 4, "rate": 0.75}
    assert data["notices"]["reply_rate"] == 0.3333
    rows = data["by_first_level_union"]
    assert [row["name"] for row in rows] == ["礼嘉街道工会", "金山街道工会"]
    for key in ("new_unions", "new_members", "covered_staff", "members_at_end"):
        assert sum(row[key] for row in rows) == data[key]
    assert sum(row["coverage_100_plus"]["organized"] for row in rows) == 3
    assert [row["code"] for row in data["by_employer_class"]] == [
        "state_owned", "public_institution", "non_public", "social_organization",
    ]  # fmt: skip


def test_the_tables_carry_units_and_a_totals_row(engine: Engine) -> None:
    summary, by_parent, by_class, notices_by_parent, _ = report_tables(report(engine, YEAR_2019, today=TODAY))
    assert ("新建工会", 2, "家") in summary.rows and ("职工100人以上单位建会率", 75.0, "%") in summary.rows
    assert ("文书答复率", 33.3, "%") in summary.rows
    assert by_parent.headings[:3] == ("一级工会", "新建工会（家）", "新建工会覆盖职工（人）")
    assert by_parent.totals[:3] == ("合计", 2, 140)
    assert [row[0] for row in by_class.rows] == ["国有企业", "机关事业单位", "非公企业", "社会组织"]
    assert notices_by_parent.headings[-1] == "文书答复率（%）"
    assert notices_by_parent.rows[0] == ("礼嘉街道工会", 2, 2, 0, 0, 0.0)
