"""The office's figures for any period, the report upward built from them, and the records behind each one.

The office is judged by a few figures (DOMAIN.md part 5) and reports them each period to the city
federation. Every figure is computed here from the records, none is typed in, and each one that counts
records can be opened into them (``records_behind``), so a clerk can check any number against its list.

How the screens, the command line and the report files use it::

    result = report(engine, Period.year(2019))          # or .half(2020, 1), .quarter, .month, .between
    result.totals.new_members                            # one row: PeriodFigures
    for row in result.by_first_level_union: ...          # and result.by_employer_class
    behind = records_behind(engine, period, "new_members", row.first_level_union_id, row.employer_class)
    list_ids(engine, behind.listing_key, filters={"ids": behind.ids})   # models.listing: the rows to show
    report_json(result)                                  # every figure, as ``main.py report --json``
    report_tables(result)                                # the tables the workbook and the PDF draw

``FIGURES`` names every figure that opens into records; ``models.labels.figure_title`` gives its Chinese name.

The office's rules, for a period from ``start`` to ``end`` (both days included):

Unions
    - ``new_unions``: unions founded in the period (``founded_on``) and founded here: a union whose history
      begins with a 转入 was founded elsewhere and is not new here. Counted whatever its status today.
    - ``covered_staff``: the covered staff of those new unions.
    - ``unions_transferred_in`` / ``unions_transferred_out`` / ``unions_dissolved``: unions with a 转入,
      转出 or 撤销 in the period (``union_event`` rows; a union whose row holds a ``transferred_in_on`` or a
      closing date without the event, as imported or generated records do, counts by that date).
    - ``unions_at_end``: unions here at the period end: the last 转入, 转出 or 撤销 up to the end decides;
      with none, a union founded here exists from its founding day (always, when that day is unknown).
      ``covered_staff_at_end`` is their covered staff.

Members
    - ``new_members``: joinings in the period: members whose ``joined_on`` is in it, plus each return to
      在会 (a ``rejoined`` change) in it. A member who joined and came back within one period counts twice.
    - ``members_withdrawn`` (退会) / ``members_transferred_out`` (转出): the changes in the period;
      ``members_left`` is both.
    - ``members_at_end``: members who had joined by the end, had not left as of the end (their last change
      up to the end is not a leaving), and whose union was here at the end (a union's members go with it
      when it is transferred out).

Employers (their staff count and class as recorded now)
    - ``coverage_100_plus``: employers with at least the federation's ``staff_threshold`` staff (100
      unless the office changed it), and of them those covered by a union that was here at the period end
      (``organized``). An employer founded after the period end is not counted.
    - ``coverage_above_scale``: the same for 规模以上 enterprises (``Employer.above_scale``).

一函两书 (a void notice never counts)
    - ``issued``: issued in the period; ``served``: first served in the period; ``replied``: replied in
      the period.
    - ``overdue``: the reply deadline fell in the period and has passed, with no reply by it (a notice
      closed before its deadline, because a union was founded, is not overdue).
    - ``reply_rate``: of the notices served in the period, the share replied by the period end.

Rows: one per first-level union, in their set order (a union and its members under the union's present
first-level union; an employer and its notices under the employer's), plus "未指定一级工会" when some
employer has none; one per employer class (a union under the class of the employer it covers; a joint
union under its covered employer with the most staff; a union covering none under "未关联单位", only when
there is one). Either set of rows adds up to the totals.

Speed: the whole report is one SQL statement, grouped by first-level union and class; Python only adds up
the few dozen groups (100,000 members: see bench/report.py).
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    CTE,
    BindParameter,
    Boolean,
    Date,
    Engine,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)

from models.database import reading
from models.entities import (
    Employer,
    Federation,
    FirstLevelUnion,
    Member,
    MembershipChange,
    MembershipChangeKind,
    Notice,
    NoticeStatus,
    Service,
    Union,
    UnionEvent,
    UnionEventKind,
    UnionStatus,
    union_employer,
)
from models.errors import InvalidInput
from models.labels import (
    EMPLOYER_CLASS,
    FIGURE_UNITS,
    UNASSIGNED_FIRST_LEVEL_UNION,
    UNLINKED_EMPLOYER_CLASS,
    figure_title,
)

UNASSIGNED = 0
"""The ``first_level_union_id`` of the row "未指定一级工会" (employers with no first-level union)."""
UNLINKED = "unlinked"
"""The ``employer_class`` of the row "未关联单位" (unions covering no employer)."""

HALVES = {1: "上半年", 2: "下半年"}
QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
EARLIEST_YEAR, LATEST_YEAR = 1950, 2100
REPORT_TITLE = "工会组建工作统计报表"


# --- periods ------------------------------------------------------------------------------------------


def _day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _checked_year(year: int) -> int:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidInput(f"年份 {year} 无效", "period")
    return year


@dataclass(frozen=True)
class Period:
    """The days a report covers, both ends included, and what the report calls them."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidInput(f"开始日期 {self.start:%Y-%m-%d} 晚于结束日期 {self.end:%Y-%m-%d}", "period")

    @classmethod
    def year(cls, year: int) -> Period:
        """A calendar year: 2019年."""
        year = _checked_year(year)
        return cls(date(year, 1, 1), date(year, 12, 31), f"{year}年")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        """Half a year: 2020年上半年 (half 1, January to June) or 2020年下半年 (half 2)."""
        year = _checked_year(year)
        if half not in HALVES:
            raise InvalidInput(f"半年应为 1（上半年）或 2（下半年），不是 {half}", "period")
        first = 1 if half == 1 else 7
        return cls(date(year, first, 1), _month_end(year, first + 5), f"{year}年{HALVES[half]}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """A quarter: 2020年第一季度 (quarter 1) … 2020年第四季度 (quarter 4)."""
        year = _checked_year(year)
        if quarter not in QUARTERS:
            raise InvalidInput(f"季度应为 1 至 4，不是 {quarter}", "period")
        first = 3 * quarter - 2
        return cls(date(year, first, 1), _month_end(year, first + 2), f"{year}年{QUARTERS[quarter]}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """A month: 2020年3月."""
        year = _checked_year(year)
        if not 1 <= month <= 12:
            raise InvalidInput(f"月份应为 1 至 12，不是 {month}", "period")
        return cls(date(year, month, 1), _month_end(year, month), f"{year}年{month}月")

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """Any days: "2019年1月1日至2019年6月30日"."""
        return cls(start, end, f"{_day_label(start)}至{_day_label(end)}")

    @property
    def dates(self) -> str:
        """The two ends as dates: "2019-01-01 至 2019-12-31"."""
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- the figures --------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Coverage:
    """Employers that should have a union, and how many had one at the period end."""

    organized: int
    total: int

    @property
    def unorganized(self) -> int:
        return self.total - self.organized

    @property
    def rate(self) -> float | None:
        """organized / total, None when there are no such employers (not 0%: nothing to organise)."""
        return _rate(self.organized, self.total)


@dataclass(frozen=True)
class NoticeFigures:
    """一函两书 in the period (see the module's rules)."""

    issued: int
    served: int
    replied: int
    overdue: int
    served_replied: int  # of those served in the period, replied by its end

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.served_replied, self.served)


@dataclass(frozen=True)
class PeriodFigures:
    """Every figure of one row of the report: the totals, a first-level union, or an employer class.

    ``first_level_union_id`` and ``employer_class`` say which row it is (both None for the totals), as
    ``records_behind`` takes them: ``UNASSIGNED`` and ``UNLINKED`` for the rows of that name.
    """

    name: str
    first_level_union_id: int | None
    employer_class: str | None
    new_unions: int
    covered_staff: int
    unions_transferred_in: int
    unions_transferred_out: int
    unions_dissolved: int
    unions_at_end: int
    covered_staff_at_end: int
    new_members: int
    members_withdrawn: int
    members_transferred_out: int
    members_at_end: int
    coverage_100_plus: Coverage
    coverage_above_scale: Coverage
    notices: NoticeFigures

    @property
    def members_left(self) -> int:
        """退会 and 转出 together."""
        return self.members_withdrawn + self.members_transferred_out


@dataclass(frozen=True)
class Report:
    """The report upward: the federation's totals and the same figures by first-level union and by class."""

    federation: str
    period: Period
    staff_threshold: int
    made_at: datetime
    totals: PeriodFigures
    by_first_level_union: list[PeriodFigures]
    by_employer_class: list[PeriodFigures]


@dataclass(frozen=True)
class RecordsBehind:
    """The records a figure counts, for ``models.listing.list_ids(listing_key, filters={"ids": ids})``."""

    listing_key: str
    ids: list[int]
    title: str


# --- the records each figure counts, as SQL -----------------------------------------------------------

# A union's place in the organisation changes by these events; a move between first-level unions does not.
_PLACE_EVENTS = (UnionEventKind.TRANSFERRED_IN, UnionEventKind.TRANSFERRED_OUT, UnionEventKind.DISSOLVED)
_LEAVINGS = (MembershipChangeKind.WITHDRAWN, MembershipChangeKind.TRANSFERRED_OUT)


@dataclass(frozen=True)
class _Context:
    """What every selection shares: the period's days, today and the staff threshold as bound parameters
    (so the SQL is built once per process and a report only binds its values), and the unions' facts."""

    start: BindParameter
    end: BindParameter
    today: BindParameter
    threshold: BindParameter
    history: CTE  # every union's 转入, 转出 and 撤销, with dates
    unions: CTE  # per union: first-level union, class, founded here, here at the period end, covered staff


def _union_history() -> CTE:
    """``union_place_history`` as the report's shared CTE."""
    return union_place_history().cte("union_history").prefix_with("MATERIALIZED")


def union_place_history() -> Select:
    """Each union's 转入, 转出 and 撤销 (union_id, kind, happened_on, seq), to be ordered by (date, seq).

    Most come from ``union_event``. A union whose row says it was transferred in (``transferred_in_on``) or
    closed (status and ``closed_on``) with no event of that kind, as imported or generated records are,
    gets the row's date in its place, so it is counted like the others.
    """

    def no_event(kind) -> object:
        return ~exists().where(UnionEvent.union_id == Union.id, UnionEvent.kind == kind)

    events = select(
        UnionEvent.union_id.label("union_id"),
        UnionEvent.kind.label("kind"),
        UnionEvent.happened_on.label("happened_on"),
        UnionEvent.id.label("seq"),
    ).where(UnionEvent.kind.in_(_PLACE_EVENTS))
    arrived = select(
        Union.id,
        literal(UnionEventKind.TRANSFERRED_IN.value, String),
        Union.transferred_in_on,
        literal(0, Integer),
    ).where(Union.transferred_in_on.is_not(None), no_event(UnionEventKind.TRANSFERRED_IN))
    # UnionStatus's closed values are the kinds of the events that close a union.
    closed = select(Union.id, Union.status, Union.closed_on, literal(0, Integer)).where(
        Union.status.in_((UnionStatus.TRANSFERRED_OUT, UnionStatus.DISSOLVED)),
        Union.closed_on.is_not(None),
        no_event(Union.status),
    )
    return union_all(events, arrived, closed)


def _union_facts(history: CTE, end: BindParameter) -> CTE:
    """Per union (id): its present first-level union (flu), its class (cls), whether it was founded here,
    whether it was here at ``end``, and its covered staff. Materialised: every selection reads it."""
    h = history
    last_by_end = (
        select(h.c.kind)
        .where(h.c.union_id == Union.id, h.c.happened_on <= end)
        .order_by(h.c.happened_on.desc(), h.c.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    first = (
        select(h.c.kind)
        .where(h.c.union_id == Union.id)
        .order_by(h.c.happened_on, h.c.seq)
        .limit(1)
        .scalar_subquery()
    )
    founded_here = func.coalesce(first, "") != UnionEventKind.TRANSFERRED_IN.value
    existed = and_(founded_here, or_(Union.founded_on.is_(None), Union.founded_on <= end))
    # The last event up to the end decides; with none, whether it was founded here by then. One lookup of
    # the last event instead of two: coalesce stands "founded" in for "no event yet".
    state = func.coalesce(last_by_end, case((existed, "founded"), else_="absent"))
    lead_class = (
        select(Employer.employer_class)
        .join(union_employer, union_employer.c.employer_id == Employer.id)
        .where(union_employer.c.union_id == Union.id)
        .order_by(func.coalesce(Employer.staff_count, -1).desc(), Employer.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            Union.id.label("id"),
            Union.first_level_union_id.label("flu"),
            func.coalesce(lead_class, UNLINKED).label("cls"),
            Union.founded_on.label("founded_on"),
            Union.covered_staff.label("covered_staff"),
            type_coerce(founded_here, Boolean).label("founded_here"),
            type_coerce(state.in_([UnionEventKind.TRANSFERRED_IN.value, "founded"]), Boolean).label("here"),
        )
        .cte("union_facts")
        .prefix_with("MATERIALIZED")
    )


def _in_period(column, c: _Context):
    return column.between(c.start, c.end)


# Each selection gives the counted records as rows (id, flu, cls, amount): one row per record (per
# joining or leaving for members), its first-level union and class, and what a sum adds (covered staff).


def _unions(c: _Context, *where, amount=None) -> Select:
    u = c.unions
    return select(
        u.c.id.label("id"),
        u.c.flu.label("flu"),
        u.c.cls.label("cls"),
        (amount if amount is not None else literal(0)).label("amount"),
    ).where(*where)


def _new_unions(c: _Context) -> Select:
    u = c.unions
    return _unions(c, u.c.founded_here, _in_period(u.c.founded_on, c), amount=u.c.covered_staff)


def _union_event_in_period(kind: str) -> Callable[[_Context], Select]:
    def selection(c: _Context) -> Select:
        h = c.history
        happened = exists().where(
            h.c.union_id == c.unions.c.id, h.c.kind == kind, _in_period(h.c.happened_on, c)
        )
        return _unions(c, happened)

    return selection


def _unions_at_end(c: _Context) -> Select:
    return _unions(c, c.unions.c.here, amount=c.unions.c.covered_staff)


def _members(c: _Context, member_id, *where) -> Select:
    u = c.unions
    return select(
        member_id.label("id"), u.c.flu.label("flu"), u.c.cls.label("cls"), literal(0).label("amount")
    ).where(*where)


def _new_members(c: _Context) -> Select:
    u = c.unions
    joined = _members(c, Member.id, _in_period(Member.joined_on, c)).join_from(
        Member, u, Member.union_id == u.c.id
    )
    rejoined = _changes(MembershipChangeKind.REJOINED)(c)
    return union_all(joined, rejoined).subquery().select()


def _changes(kind: str) -> Callable[[_Context], Select]:
    def selection(c: _Context) -> Select:
        u = c.unions
        return (
            _members(
                c,
                MembershipChange.member_id,
                MembershipChange.kind == kind,
                _in_period(MembershipChange.happened_on, c),
            )
            .select_from(MembershipChange)
            .join(Member, MembershipChange.member_id == Member.id)
            .join(u, Member.union_id == u.c.id)
        )

    return selection


def _departed_by(end: BindParameter) -> Select:
    """Members whose last change up to ``end`` is a leaving (退会 or 转出)."""
    later = MembershipChange.__table__.alias("later")
    change = MembershipChange.__table__.alias("change")
    return select(change.c.member_id).where(
        change.c.happened_on <= end,
        change.c.kind.in_(_LEAVINGS),
        ~exists().where(
            later.c.member_id == change.c.member_id,
            later.c.happened_on <= end,
            or_(
                later.c.happened_on > change.c.happened_on,
                and_(later.c.happened_on == change.c.happened_on, later.c.id > change.c.id),
            ),
        ),
    )


def _members_at_end(c: _Context) -> Select:
    """Members joined by the end, in a union here at the end, who had not left as of the end."""
    u = c.unions
    return _members(
        c, Member.id, Member.joined_on <= c.end, u.c.here, Member.id.not_in(_departed_by(c.end))
    ).join_from(Member, u, Member.union_id == u.c.id)


def _departed_at_end(c: _Context) -> Select:
    """Members joined by the end, in a union here at the end, who had left as of the end: what the count of
    ``members_at_end`` takes away from those joined by the end. Read from the few who left, by their ids."""
    u = c.unions
    departed = _departed_by(c.end).subquery()
    return (
        _members(c, Member.id, Member.joined_on <= c.end, u.c.here)
        .select_from(departed)
        .join(Member, Member.id == departed.c.member_id)
        .join(u, Member.union_id == u.c.id)
    )


def _employers(c: _Context, *where) -> Select:
    return select(
        Employer.id.label("id"),
        func.coalesce(Employer.first_level_union_id, UNASSIGNED).label("flu"),
        Employer.employer_class.label("cls"),
        literal(0).label("amount"),
    ).where(or_(Employer.founded_on.is_(None), Employer.founded_on <= c.end), *where)


def _organized(c: _Context):
    """Covered by a union that was here at the period end.

    An IN over the covered employers rather than a correlated EXISTS: SQLite lists them once instead of
    searching the unions for each employer (5 ms instead of 60 over 2,000 employers).
    """
    u = c.unions
    covered = select(union_employer.c.employer_id).where(
        union_employer.c.union_id.in_(select(u.c.id).where(u.c.here))
    )
    return Employer.id.in_(covered)


def _coverage(which: str, organized: bool | None) -> Callable[[_Context], Select]:
    def selection(c: _Context) -> Select:
        due = Employer.staff_count >= c.threshold if which == "100_plus" else Employer.above_scale
        if organized is None:
            return _employers(c, due)
        return _employers(c, due, _organized(c) if organized else ~_organized(c))

    return selection


def _notices(c: _Context, *where) -> Select:
    return (
        select(
            Notice.id.label("id"),
            func.coalesce(Employer.first_level_union_id, UNASSIGNED).label("flu"),
            Employer.employer_class.label("cls"),
            literal(0).label("amount"),
        )
        .join_from(Notice, Employer, Notice.employer_id == Employer.id)
        .where(Notice.status != NoticeStatus.VOID, *where)
    )


def _first_served_on():
    return (
        select(func.min(Service.served_on))
        .where(Service.notice_id == Notice.id)
        .correlate(Notice)
        .scalar_subquery()
    )


def _notices_served(c: _Context, replied_by_end: bool = False) -> Select:
    where = [_in_period(_first_served_on(), c)]
    if replied_by_end:
        where.append(Notice.replied_on <= c.end)
    return _notices(c, *where)


def _notices_overdue(c: _Context) -> Select:
    due = Notice.reply_due_on
    return _notices(
        c,
        _in_period(due, c),
        due < c.today,
        or_(Notice.replied_on.is_(None), Notice.replied_on > due),
        or_(Notice.closed_on.is_(None), Notice.closed_on > due),
    )


_SELECTIONS: dict[str, Callable[[_Context], Select]] = {
    "new_unions": _new_unions,
    "unions_transferred_in": _union_event_in_period(UnionEventKind.TRANSFERRED_IN),
    "unions_transferred_out": _union_event_in_period(UnionEventKind.TRANSFERRED_OUT),
    "unions_dissolved": _union_event_in_period(UnionEventKind.DISSOLVED),
    "unions_at_end": _unions_at_end,
    "new_members": _new_members,
    "members_withdrawn": _changes(MembershipChangeKind.WITHDRAWN),
    "members_transferred_out": _changes(MembershipChangeKind.TRANSFERRED_OUT),
    "members_at_end": _members_at_end,
    "coverage_100_plus": _coverage("100_plus", None),
    "coverage_100_plus_organized": _coverage("100_plus", True),
    "coverage_100_plus_unorganized": _coverage("100_plus", False),
    "coverage_above_scale": _coverage("above_scale", None),
    "coverage_above_scale_organized": _coverage("above_scale", True),
    "coverage_above_scale_unorganized": _coverage("above_scale", False),
    "notices_issued": lambda c: _notices(c, _in_period(Notice.issued_on, c)),
    "notices_served": _notices_served,
    "notices_served_replied": lambda c: _notices_served(c, replied_by_end=True),
    "notices_replied": lambda c: _notices(c, _in_period(Notice.replied_on, c)),
    "notices_overdue": _notices_overdue,
}
# Figure → (the list its records open in, the selections holding them).
FIGURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "new_unions": ("unions", ("new_unions",)),
    "covered_staff": ("unions", ("new_unions",)),
    "unions_transferred_in": ("unions", ("unions_transferred_in",)),
    "unions_transferred_out": ("unions", ("unions_transferred_out",)),
    "unions_dissolved": ("unions", ("unions_dissolved",)),
    "unions_at_end": ("unions", ("unions_at_end",)),
    "covered_staff_at_end": ("unions", ("unions_at_end",)),
    "new_members": ("members", ("new_members",)),
    "members_withdrawn": ("members", ("members_withdrawn",)),
    "members_transferred_out": ("members", ("members_transferred_out",)),
    "members_left": ("members", ("members_withdrawn", "members_transferred_out")),
    "members_at_end": ("members", ("members_at_end",)),
    **{
        f"coverage_{which}{part}": ("employers", (f"coverage_{which}{part}",))
        for which in ("100_plus", "above_scale")
        for part in ("", "_organized", "_unorganized")
    },
    **{
        f"notices_{name}": ("notices", (f"notices_{name}",))
        for name in ("issued", "served", "replied", "overdue")
    },
}
"""Every figure that counts records, by the name ``records_behind`` takes. The covered-staff figures open
into the unions whose staff they add up."""


@functools.cache
def _context() -> _Context:
    end = bindparam("end", type_=Date)
    history = _union_history()
    return _Context(
        bindparam("start", type_=Date),
        end,
        bindparam("today", type_=Date),
        bindparam("threshold", type_=Integer),
        history,
        _union_facts(history, end),
    )


def _parameters(period: Period, today: date | None, staff_threshold: int) -> dict:
    return {
        "start": period.start,
        "end": period.end,
        "today": today or date.today(),
        "threshold": staff_threshold,
    }


def _grouped_rows(name: str, selection: Select, sign: int = 1) -> Select:
    """A selection's records counted (and amounts summed) by first-level union and class, as rows
    (figure, flu, cls, count, amount); ``sign`` -1 takes them away from the figure."""
    rows = selection.subquery()
    return select(
        literal(name).label("figure"),
        rows.c.flu,
        rows.c.cls,
        sign * func.count(),
        sign * func.sum(rows.c.amount),
    ).group_by(rows.c.flu, rows.c.cls)


def _member_counts(c: _Context) -> CTE:
    """Per union: members who joined in the period and members who had joined by its end.

    The two member figures over the whole member table, in one pass that reads it in order: at 100,000
    members this is 35 ms, where finding a year's joinings through the joined_on index (a third of the
    rows, fetched one by one) took 80, and testing each row against the members who left, 65.
    """
    joined = case((_in_period(Member.joined_on, c), 1), else_=0)
    by_end = case((Member.joined_on <= c.end, 1), else_=0)
    return (
        select(
            Member.union_id.label("union_id"),
            func.sum(joined).label("joined"),
            func.sum(by_end).label("by_end"),
        )
        .group_by(Member.union_id)
        .cte("member_counts")
        .prefix_with("MATERIALIZED")
    )


def _members_by_union(c: _Context, name: str, counts: CTE, column: str, *where) -> Select:
    u = c.unions
    return (
        select(literal(name).label("figure"), u.c.flu, u.c.cls, func.sum(counts.c[column]), literal(0))
        .join_from(counts, u, counts.c.union_id == u.c.id)
        .where(*where)
        .group_by(u.c.flu, u.c.cls)
    )


@functools.cache
def _counting() -> Select:
    """The whole report as one statement: rows (figure, flu, cls, count, amount) to be added up by figure.

    Each figure is counted from its selection, the one ``records_behind`` lists, except the two member
    figures that would each read every member: they are counted per union in one pass (``_member_counts``),
    and ``members_at_end`` is those joined by the end less those who had left by then (``_departed_by``).
    """
    c = _context()
    counts = _member_counts(c)
    parts = [
        _grouped_rows(name, _SELECTIONS[name](c))
        for name in _SELECTIONS
        if name not in ("new_members", "members_at_end") and not name.endswith("_unorganized")
    ]
    parts += [
        _members_by_union(c, "new_members", counts, "joined"),
        _grouped_rows("new_members", _changes(MembershipChangeKind.REJOINED)(c)),
        _members_by_union(c, "members_at_end", counts, "by_end", c.unions.c.here),
        _grouped_rows("members_at_end", _departed_at_end(c), sign=-1),
    ]
    return union_all(*parts)


# --- the report ---------------------------------------------------------------------------------------


def report(engine: Engine, period: Period, today: date | None = None) -> Report:
    """The federation's figures for ``period``: totals, by first-level union and by employer class.

    Args:
        engine: The database.
        period: The days reported.
        today: The day overdue notices are judged on (a deadline that has not passed is not overdue yet);
            today if None.
    """
    made_at = datetime.now().replace(microsecond=0)
    with reading(engine) as s, s.begin():
        federation = s.get_one(Federation, 1)
        parameters = _parameters(period, today, federation.staff_threshold)
        counts: dict[str, dict[tuple[int, str], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for name, flu, cls, count, amount in s.execute(_counting(), parameters):
            cell = counts[name][(flu, cls)]
            cell[0] += count or 0
            cell[1] += amount or 0
        parents = s.execute(
            select(FirstLevelUnion.id, FirstLevelUnion.name).order_by(
                FirstLevelUnion.sort_order, FirstLevelUnion.id
            )
        ).all()
        name, threshold = federation.name, federation.staff_threshold
    # Groups that count something: a union's members are grouped even where none joined in the period.
    cells = {key for table in counts.values() for key, (count, amount) in table.items() if count or amount}

    def row(name: str, flu: int | None = None, cls: str | None = None) -> PeriodFigures:
        def keep(key: tuple[int, str]) -> bool:
            return (flu is None or key[0] == flu) and (cls is None or key[1] == cls)

        return _figures(name, flu, cls, counts, keep)

    by_parent = [row(parent_name, flu=parent_id) for parent_id, parent_name in parents]
    if any(flu == UNASSIGNED for flu, _ in cells):
        by_parent.append(row(UNASSIGNED_FIRST_LEVEL_UNION, flu=UNASSIGNED))
    by_class = [row(label, cls=str(code)) for code, label in EMPLOYER_CLASS.items()]
    if any(cls == UNLINKED for _, cls in cells):
        by_class.append(row(UNLINKED_EMPLOYER_CLASS, cls=UNLINKED))
    return Report(name, period, threshold, made_at, row(name), by_parent, by_class)


def _figures(name, flu, cls, counts, keep: Callable[[tuple[int, str]], bool]) -> PeriodFigures:
    def count(selection: str) -> int:
        return sum(number for key, (number, _) in counts[selection].items() if keep(key))

    def amount(selection: str) -> int:
        return int(sum(total for key, (_, total) in counts[selection].items() if keep(key)))

    return PeriodFigures(
        name=name,
        first_level_union_id=flu,
        employer_class=cls,
        new_unions=count("new_unions"),
        covered_staff=amount("new_unions"),
        unions_transferred_in=count("unions_transferred_in"),
        unions_transferred_out=count("unions_transferred_out"),
        unions_dissolved=count("unions_dissolved"),
        unions_at_end=count("unions_at_end"),
        covered_staff_at_end=amount("unions_at_end"),
        new_members=count("new_members"),
        members_withdrawn=count("members_withdrawn"),
        members_transferred_out=count("members_transferred_out"),
        members_at_end=count("members_at_end"),
        coverage_100_plus=Coverage(count("coverage_100_plus_organized"), count("coverage_100_plus")),
        coverage_above_scale=Coverage(count("coverage_above_scale_organized"), count("coverage_above_scale")),
        notices=NoticeFigures(
            issued=count("notices_issued"),
            served=count("notices_served"),
            replied=count("notices_replied"),
            overdue=count("notices_overdue"),
            served_replied=count("notices_served_replied"),
        ),
    )


def records_behind(
    engine: Engine,
    period: Period,
    figure: str,
    first_level_union_id: int | None = None,
    employer_class: str | None = None,
    today: date | None = None,
) -> RecordsBehind:
    """The records one figure counts, for the whole federation or for one row of the report.

    Each record is listed once, by id, even where the figure counts it twice (a member who joined and came
    back within the period).

    Args:
        engine: The database.
        period: The period of the report.
        figure: A key of ``FIGURES``: "new_unions", "members_at_end", "coverage_100_plus_unorganized"…
        first_level_union_id: The row of a first-level union (``UNASSIGNED`` for "未指定一级工会").
        employer_class: The row of an employer class (``UNLINKED`` for "未关联单位").
        today: As for ``report``.

    Raises:
        ValueError: ``figure`` is not a figure that counts records.
    """
    if figure not in FIGURES:
        raise ValueError(f"no records behind figure {figure!r}")
    listing_key, selections = FIGURES[figure]
    with reading(engine) as s, s.begin():
        threshold = s.get_one(Federation, 1).staff_threshold
        rows = union_all(*(_SELECTIONS[name](_context()) for name in selections)).subquery()
        query = select(rows.c.id).distinct().order_by(rows.c.id)
        if first_level_union_id is not None:
            query = query.where(rows.c.flu == first_level_union_id)
        if employer_class is not None:
            query = query.where(rows.c.cls == employer_class)
        ids = list(s.scalars(query, _parameters(period, today, threshold)))
        scope = _scope_name(s, first_level_union_id, employer_class)
    title = f"{period.label} {figure_title(figure, threshold)}"
    return RecordsBehind(listing_key, ids, f"{title}（{scope}）" if scope else title)


def _scope_name(s, first_level_union_id: int | None, employer_class: str | None) -> str:
    names = []
    if first_level_union_id == UNASSIGNED:
        names.append(UNASSIGNED_FIRST_LEVEL_UNION)
    elif first_level_union_id is not None:
        names.append(
            s.scalar(select(FirstLevelUnion.name).where(FirstLevelUnion.id == first_level_union_id)) or ""
        )
    if employer_class is not None:
        names.append(EMPLOYER_CLASS.get(employer_class, UNLINKED_EMPLOYER_CLASS))
    return "，".join(name for name in names if name)


# --- the report as data -------------------------------------------------------------------------------


def _rate_json(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


# The figures of a row that are plain counts, in the order of PeriodFigures.
_COUNTS = tuple(
    f.name
    for f in fields(PeriodFigures)
    if f.name not in ("name", "first_level_union_id", "employer_class")
    and f.type not in ("Coverage", "NoticeFigures")
)


def figures_json(row: PeriodFigures) -> dict:
    """One row's figures as JSON: counts as integers, rates as fractions (0.8125) or null."""
    coverages = {"coverage_100_plus": row.coverage_100_plus, "coverage_above_scale": row.coverage_above_scale}
    notices = row.notices
    return {
        **{name: getattr(row, name) for name in _COUNTS},
        "members_left": row.members_left,
        **{
            key: {"organized": coverage.organized, "total": coverage.total, "rate": _rate_json(coverage.rate)}
            for key, coverage in coverages.items()
        },
        "notices": {
            **{f.name: getattr(notices, f.name) for f in fields(NoticeFigures)},
            "reply_rate": _rate_json(notices.reply_rate),
        },
    }


def report_json(report: Report) -> dict:
    """Every figure of the report as plain JSON: the totals at the top level, then the rows.

    ``by_first_level_union`` and ``by_employer_class`` are lists of objects with ``name`` and the same
    figures; each list adds up to the totals.
    """
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat(),
                   "label": report.period.label},
        "federation": report.federation,
        "staff_threshold": report.staff_threshold,
        "made_at": report.made_at.isoformat(sep=" "),
        **figures_json(report.totals),
        "by_first_level_union": [
            {"name": row.name, "id": row.first_level_union_id, **figures_json(row)}
            for row in report.by_first_level_union
        ],
        "by_employer_class": [
            {"name": row.name, "code": row.employer_class, **figures_json(row)} for row in report.by_employer_class
        ],
    }  # fmt: skip


# --- the report as tables -----------------------------------------------------------------------------


def percent(rate: float | None) -> float | None:
    """A rate as the percentage printed (81.25% → 81.3, rounded half up as the office counts), or None."""
    if rate is None:
        return None
    return float(Decimal(str(rate * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ReportTable:
    """One table of the report, as the workbook (one sheet) and the PDF show it.

    Cells are ``str`` (names), ``int`` (counts) or ``float`` (percentages, already rounded), or None for a
    rate with nothing to measure (shown as "—"). ``headings`` carry their units: "新建工会（家）".
    """

    sheet: str
    title: str
    headings: tuple[str, ...]
    rows: list[tuple]
    totals: tuple | None


def _heading(key: str, threshold: int) -> str:
    unit = FIGURE_UNITS.get(key)
    title = figure_title(key, threshold)
    return f"{title}（{unit}）" if unit else title


# The columns of the tables by row: (figure key for the heading, how to read it from a row).
_ROW_COLUMNS: tuple[tuple[str, Callable[[PeriodFigures], object]], ...] = (
    ("new_unions", lambda r: r.new_unions),
    ("covered_staff", lambda r: r.covered_staff),
    ("unions_transferred_in", lambda r: r.unions_transferred_in),
    ("unions_transferred_out", lambda r: r.unions_transferred_out),
    ("unions_dissolved", lambda r: r.unions_dissolved),
    ("new_members", lambda r: r.new_members),
    ("members_withdrawn", lambda r: r.members_withdrawn),
    ("members_transferred_out", lambda r: r.members_transferred_out),
    ("unions_at_end", lambda r: r.unions_at_end),
    ("members_at_end", lambda r: r.members_at_end),
    ("covered_staff_at_end", lambda r: r.covered_staff_at_end),
    ("coverage_100_plus", lambda r: r.coverage_100_plus.total),
    ("coverage_100_plus_organized", lambda r: r.coverage_100_plus.organized),
    ("coverage_100_plus_rate", lambda r: percent(r.coverage_100_plus.rate)),
    ("coverage_above_scale", lambda r: r.coverage_above_scale.total),
    ("coverage_above_scale_organized", lambda r: r.coverage_above_scale.organized),
    ("coverage_above_scale_rate", lambda r: percent(r.coverage_above_scale.rate)),
)
_NOTICE_COLUMNS: tuple[tuple[str, Callable[[PeriodFigures], object]], ...] = (
    ("notices_issued", lambda r: r.notices.issued),
    ("notices_served", lambda r: r.notices.served),
    ("notices_replied", lambda r: r.notices.replied),
    ("notices_overdue", lambda r: r.notices.overdue),
    ("notices_reply_rate", lambda r: percent(r.notices.reply_rate)),
)


def _by_rows(
    sheet: str, title: str, first: str, report: Report, rows: list[PeriodFigures], columns
) -> ReportTable:
    headings = (first, *(_heading(key, report.staff_threshold) for key, _ in columns))
    return ReportTable(
        sheet,
        title,
        headings,
        [(row.name, *(value(row) for _, value in columns)) for row in rows],
        ("合计", *(value(report.totals) for _, value in columns)),
    )


def report_tables(report: Report) -> list[ReportTable]:
    """The report as the city federation reads it: 汇总, 按一级工会, 按单位类型, and the 一函两书 by both.

    The workbook and the PDF both draw these, so their numbers are the same.
    """
    threshold = report.staff_threshold
    totals = report.totals
    summary = [
        (figure_title(key, threshold), value(totals), FIGURE_UNITS.get(key, ""))
        for key, value in (*_ROW_COLUMNS, *_NOTICE_COLUMNS)
    ]
    return [
        ReportTable("汇总", "汇总", ("指标", "数值", "单位"), summary, None),
        _by_rows("按一级工会", "按一级工会统计", "一级工会", report, report.by_first_level_union, _ROW_COLUMNS),
        _by_rows("按单位类型", "按单位类型统计", "单位类型", report, report.by_employer_class, _ROW_COLUMNS),
        _by_rows(
            "一函两书（按一级工会）", "一函两书办理情况（按一级工会）", "一级工会", report,
            report.by_first_level_union, _NOTICE_COLUMNS,
        ),
        _by_rows(
            "一函两书（按单位类型）", "一函两书办理情况（按单位类型）", "单位类型", report,
            report.by_employer_class, _NOTICE_COLUMNS,
        ),
    ]  # fmt: skip
