"""The registers as lists for lazy tables: ids in SQL order, then rows fetched a page at a time.

A list screen asks ``list_ids`` once per sort or search (only integers cross into Python) and
``fetch_rows`` for the ids it is about to paint. Sorting and filtering happen in SQL with the indexes,
never in Python over every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Engine, Select, and_, case, exists, func, or_, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.sql import TableClause, column, table
from sqlalchemy.sql.elements import ColumnElement

from models.database import in_ids
from models.entities import (
    TRIGRAM_INDEX,
    Employer,
    EmployerClass,
    Federation,
    FirstLevelUnion,
    Member,
    MemberStatus,
    Notice,
    NoticeStatus,
    OrganizingTask,
    TaskProgress,
    Union,
    UnionStatus,
    union_employer,
)


@dataclass(frozen=True)
class Listing:
    """One list: its columns (key → SQL expression), how rows are joined, and what search matches."""

    key: str
    id_column: ColumnElement[int]
    columns: dict[str, ColumnElement]
    joined: Callable[[Select], Select]
    searched: tuple[ColumnElement[str], ...]
    default_sort: str
    # Columns (and whether the search) that need the joined tables: the ids query joins only then,
    # since a join over 100,000 members costs more than the sort itself.
    joined_columns: frozenset[str] = frozenset()
    search_needs_join: bool = False
    # An index holding the searched text, to be read instead of the table while a search is on
    # (SQLite's planner otherwise walks the sort index and fetches every row: 150 ms instead of 15).
    search_index: str | None = None
    # A trigram (FTS5) index over the searched text, for the words it answers faster (see
    # ``rare_words``); its rowid is the listed id.
    trigram_index: TableClause | None = None
    # Columns that are never NULL in this list (outer joins make NULLs of NOT NULL columns, so this is
    # declared per list): their sort needs no NULLs-last term, which would stop SQLite using an index.
    never_null: frozenset[str] = frozenset()
    # What a list can be narrowed by: filter key → the SQL condition for a chosen value.
    filters: dict[str, Callable[[Any], ColumnElement[bool]]] = field(default_factory=dict)
    # Which rows of the table belong to the list at all (None: every row), before any search or filter.
    scope: ColumnElement[bool] | None = None

    @property
    def column_keys(self) -> list[str]:
        return list(self.columns)


# Staff-size bands as the office counts them (inclusive bounds; None: no upper bound).
STAFF_BANDS: dict[str, tuple[int, int | None]] = {
    "under_50": (0, 49),
    "50_99": (50, 99),
    "100_199": (100, 199),
    "200_999": (200, 999),
    "1000_up": (1000, None),
}


def employer_has_active_union() -> ColumnElement[bool]:
    """Whether an employer is covered by an active grassroots union (its absence is 未建会)."""
    return exists().where(
        union_employer.c.employer_id == Employer.id,
        union_employer.c.union_id == Union.id,
        Union.status == UnionStatus.ACTIVE,
    )


def should_have_union(
    staff_threshold: int | None = None, non_public_staff_threshold: int | None = None
) -> ColumnElement[bool]:
    """Whether an employer is big enough to be due a union: ``staff_threshold`` staff, or
    ``non_public_staff_threshold`` for a non-public enterprise (非公企业). A threshold not given is the
    federation's setting (100 and 50 unless the office changed them), read in the same query."""
    general = _setting(Federation.staff_threshold) if staff_threshold is None else staff_threshold
    non_public = (
        _setting(Federation.non_public_staff_threshold)
        if non_public_staff_threshold is None
        else non_public_staff_threshold
    )
    return or_(
        Employer.staff_count >= general,
        and_(Employer.employer_class == EmployerClass.NON_PUBLIC, Employer.staff_count >= non_public),
    )


def _setting(column: ColumnElement[int]) -> ColumnElement[int]:
    return select(column).where(Federation.id == 1).scalar_subquery()


def due_without_union(
    staff_threshold: int | None = None, non_public_staff_threshold: int | None = None
) -> ColumnElement[bool]:
    """未建会: due a union by its size (``should_have_union``) and covered by no active union."""
    return and_(should_have_union(staff_threshold, non_public_staff_threshold), ~employer_has_active_union())


def without_union_since() -> ColumnElement[date]:
    """Since when an employer has had no union: its last union's closing (转出 or 撤销), else its own
    founding; NULL while it has an active union, or when neither date is known."""
    last_closed = (
        select(func.max(Union.closed_on))
        .join(union_employer, union_employer.c.union_id == Union.id)
        .where(union_employer.c.employer_id == Employer.id)
        .scalar_subquery()
    )
    since = case((employer_has_active_union(), None), else_=func.coalesce(last_closed, Employer.founded_on))
    return type_coerce(since, Date)  # read back as a date, as the columns it comes from


def _staff_band(band: str) -> ColumnElement[bool]:
    low, high = STAFF_BANDS[band]
    return Employer.staff_count.between(low, high) if high is not None else Employer.staff_count >= low


def _joined_in(year: int) -> ColumnElement[bool]:
    # A range rather than strftime(): the joined_on index answers it.
    return and_(Member.joined_on >= date(year, 1, 1), Member.joined_on < date(year + 1, 1, 1))


def _member_of_first_level_union(first_level_union_id: int) -> ColumnElement[bool]:
    return Member.union_id.in_(select(Union.id).where(Union.first_level_union_id == first_level_union_id))


def _covering_union_name() -> ColumnElement[str]:
    """The active union covering an employer, or NULL: 未建会."""
    return (
        select(Union.name)
        .join(union_employer, union_employer.c.union_id == Union.id)
        .where(union_employer.c.employer_id == Employer.id, Union.status == UnionStatus.ACTIVE)
        .order_by(Union.id)
        .limit(1)
        .scalar_subquery()
    )


# What the 期限 filter of the notices offers, and the days "falls due soon" looks ahead (首页 says 本周).
NOTICE_DEADLINES = ("due_soon", "overdue")
DUE_SOON_DAYS = 7


def _notice_deadline(which: str) -> ColumnElement[bool]:
    """Served and unanswered, with the deadline behind us or within the week: worked out from today's date
    as ``models.notices.is_overdue`` does, never stored."""
    today = date.today()
    served = Notice.status == NoticeStatus.SERVED
    if which == "overdue":
        return and_(served, Notice.reply_due_on < today)
    return and_(served, Notice.reply_due_on.between(today, today + timedelta(days=DUE_SOON_DAYS)))


def _member_count() -> ColumnElement[int]:
    return (
        select(func.count())
        .where(Member.union_id == Union.id, Member.status == MemberStatus.ACTIVE)
        .scalar_subquery()
    )


def _latest_progress() -> ColumnElement[date]:
    """The date of a task's latest progress note, or NULL: what shows whether anyone follows it."""
    latest = (
        select(func.max(TaskProgress.noted_on))
        .where(TaskProgress.task_id == OrganizingTask.id)
        .scalar_subquery()
    )
    return type_coerce(latest, Date)


def _task_rule(rule: str) -> ColumnElement[bool]:
    # Rules are kept comma-separated; commas round both sides so that one code never matches inside another.
    return func.instr("," + OrganizingTask.rules + ",", f",{rule},") > 0


_employer_parent = aliased(FirstLevelUnion)
_union_parent = aliased(FirstLevelUnion)
_member_union = aliased(Union)
_task_employer = aliased(Employer)
_task_owner = aliased(FirstLevelUnion)
_notice_employer = aliased(Employer)


def _with_employer_parent(query: Select) -> Select:
    return query.select_from(Employer).outerjoin(
        _employer_parent, Employer.first_level_union_id == _employer_parent.id
    )


# What the employer lists (all employers, and the 未建会 ones) start with, and are narrowed by.
_EMPLOYER_COLUMNS: dict[str, ColumnElement] = {
    "name": Employer.name,
    "credit_code": Employer.credit_code,
    "employer_class": Employer.employer_class,
    "staff_count": Employer.staff_count,
}
_EMPLOYER_FILTERS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "first_level_union": lambda value: Employer.first_level_union_id == value,
    "employer_class": lambda value: Employer.employer_class == value,
    "staff_band": _staff_band,
}

LISTINGS: dict[str, Listing] = {
    "employers": Listing(
        key="employers",
        id_column=Employer.id,
        columns={
            **_EMPLOYER_COLUMNS,
            "first_level_union": _employer_parent.name,
            "union": _covering_union_name(),
            "founded_on": Employer.founded_on,
        },
        joined=_with_employer_parent,
        searched=(Employer.name, Employer.credit_code),
        default_sort="name",
        joined_columns=frozenset({"first_level_union"}),
        never_null=frozenset({"name", "employer_class"}),
        filters={
            **_EMPLOYER_FILTERS,
            "has_union": lambda value: employer_has_active_union() if value else ~employer_has_active_union(),
        },
    ),
    "unions": Listing(
        key="unions",
        id_column=Union.id,
        columns={
            "name": Union.name,
            "credit_code": Union.credit_code,
            "kind": Union.kind,
            "first_level_union": _union_parent.name,
            "founded_on": Union.founded_on,
            "chair_name": Union.chair_name,
            "covered_staff": Union.covered_staff,
            "member_count": _member_count(),
            "status": Union.status,
        },
        joined=lambda q: q.select_from(Union).join(
            _union_parent, Union.first_level_union_id == _union_parent.id
        ),
        searched=(Union.name, Union.credit_code, Union.chair_name),
        default_sort="name",
        joined_columns=frozenset({"first_level_union"}),
        never_null=frozenset(
            {"name", "kind", "first_level_union", "covered_staff", "member_count", "status"}
        ),
        filters={
            "first_level_union": lambda value: Union.first_level_union_id == value,
            "kind": lambda value: Union.kind == value,
            "status": lambda value: Union.status == value,
        },
    ),
    "members": Listing(
        key="members",
        id_column=Member.id,
        columns={
            "name": Member.name,
            "id_number": Member.id_number,
            # The 17th character of an ID number is odd for men.
            "sex": case(
                (func.substr(Member.id_number, 17, 1).in_(["1", "3", "5", "7", "9"]), "M"), else_="F"
            ),
            "mobile": Member.mobile,
            "union": _member_union.name,
            "joined_on": Member.joined_on,
            "status": Member.status,
        },
        joined=lambda q: q.select_from(Member).join(_member_union, Member.union_id == _member_union.id),
        searched=(Member.search_text,),
        default_sort="name",
        joined_columns=frozenset({"union"}),
        search_index="ix_member_name_search",
        trigram_index=table(TRIGRAM_INDEX, column("rowid"), column("search_text")),
        never_null=frozenset({"name", "id_number", "sex", "union", "joined_on", "status"}),
        filters={
            "first_level_union": _member_of_first_level_union,
            "status": lambda value: Member.status == value,
            "join_year": _joined_in,
        },
    ),
    "organizing_tasks": Listing(
        key="organizing_tasks",
        id_column=OrganizingTask.id,
        columns={
            "year": OrganizingTask.year,
            "employer": _task_employer.name,
            "staff_count": _task_employer.staff_count,
            "first_level_union": _task_owner.name,
            "status": OrganizingTask.status,
            "rules": OrganizingTask.rules,
            "planned_on": OrganizingTask.planned_on,
            "last_progress_on": _latest_progress(),
        },
        joined=lambda q: (
            q.select_from(OrganizingTask)
            .join(_task_employer, OrganizingTask.employer_id == _task_employer.id)
            .join(_task_owner, OrganizingTask.first_level_union_id == _task_owner.id)
        ),
        searched=(_task_employer.name, _task_owner.name),
        default_sort="year",
        joined_columns=frozenset({"employer", "staff_count", "first_level_union"}),
        search_needs_join=True,
        never_null=frozenset({"year", "employer", "first_level_union", "status"}),
        filters={
            "year": lambda value: OrganizingTask.year == value,
            "first_level_union": lambda value: OrganizingTask.first_level_union_id == value,
            "status": lambda value: OrganizingTask.status == value,
            "rule": _task_rule,
        },
    ),
    "notices": Listing(
        key="notices",
        id_column=Notice.id,
        columns={
            "document_number": Notice.document_number,
            "kind": Notice.kind,
            "employer": _notice_employer.name,
            "status": Notice.status,
            "issued_on": Notice.issued_on,
            "reply_due_on": Notice.reply_due_on,
        },
        joined=lambda q: q.select_from(Notice).join(
            _notice_employer, Notice.employer_id == _notice_employer.id
        ),
        searched=(Notice.document_number, _notice_employer.name),
        default_sort="issued_on",
        joined_columns=frozenset({"employer"}),
        search_needs_join=True,
        never_null=frozenset({"kind", "employer", "status"}),
        filters={
            "kind": lambda value: Notice.kind == value,
            "status": lambda value: Notice.status == value,
            "deadline": _notice_deadline,
        },
    ),
    # 未建会: employers due a union by their size, at the federation's thresholds, that have none.
    "unorganized": Listing(
        key="unorganized",
        id_column=Employer.id,
        columns={
            **_EMPLOYER_COLUMNS,
            "staff_count_source": Employer.staff_count_source,
            "staff_count_date": Employer.staff_count_date,
            "first_level_union": _employer_parent.name,
            "without_union_since": without_union_since(),
        },
        joined=_with_employer_parent,
        searched=(Employer.name, Employer.credit_code),
        default_sort="name",
        joined_columns=frozenset({"first_level_union"}),
        never_null=frozenset({"name", "employer_class", "staff_count"}),
        filters=_EMPLOYER_FILTERS,
        scope=due_without_union(),
    ),
}

# Every list can be narrowed to given records: the records behind a figure of 统计 open this way.
for _listing in LISTINGS.values():
    _listing.filters.setdefault("ids", lambda ids, id_column=_listing.id_column: in_ids(id_column, ids))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# A word matching fewer rows than this is looked up in the trigram index; one matching more is found by
# walking the sort index, which meets the first page's rows within a few hundred entries.
RARE_MATCHES = 200


def _may_use_trigrams(listing: Listing, word: str) -> bool:
    """A trigram needs three characters; FTS5 cannot use its index for a LIKE with an ESCAPE clause, so a
    word holding a wildcard character always stays with the walk."""
    return (
        listing.trigram_index is not None
        and len(word) >= 3
        and not any(character in word for character in "%_\\")
    )


def _trigram_matches(listing: Listing, word: str) -> Select:
    index = listing.trigram_index
    return select(index.c.rowid).where(index.c.search_text.like(f"%{word}%"))


def rare_words(connection, listing_key: str, search: str) -> frozenset[str]:
    """The words of a search that few rows match, found by asking the trigram index for a few rows.

    Which way is fast depends on how many rows a word matches, not on its length. A rare fragment (part
    of an ID number or a phone, a whole name) makes the walk of the sort index read every entry to find
    its few rows — 20–33 ms at 100,000 members — while the trigram index hands them over in a millisecond.
    A common one ("2001", "1985") is the other way round: the walk fills the first page at once, while the
    trigram index hands over thousands of rows to sort (15–50 ms). Asking the index for at most
    ``RARE_MATCHES`` + 1 rows tells the two apart in about a millisecond.
    """
    listing = LISTINGS[listing_key]
    rare = set()
    for word in set(search.split()):
        if _may_use_trigrams(listing, word):
            probe = select(func.count()).select_from(
                _trigram_matches(listing, word).limit(RARE_MATCHES + 1).subquery()
            )
            if connection.execute(probe).scalar_one() <= RARE_MATCHES:
                rare.add(word)
    return frozenset(rare)


def _word_clause(listing: Listing, word: str, rare: frozenset[str]) -> ColumnElement[bool]:
    if word in rare:
        return listing.id_column.in_(_trigram_matches(listing, word))
    return or_(*(column.like(f"%{_escape_like(word)}%", escape="\\") for column in listing.searched))


def _search_clause(listing: Listing, search: str, rare: frozenset[str]) -> ColumnElement[bool] | None:
    """Every word of the search must match one of the searched columns (so 张 伟 finds 张三伟)."""
    words = search.split()
    if not words:
        return None
    return and_(*(_word_clause(listing, word, rare) for word in words))


def list_ids(
    engine: Engine,
    listing_key: str,
    sort: str | None = None,
    descending: bool = False,
    search: str = "",
    limit: int | None = None,
    filters: Mapping[str, Any] | None = None,
) -> list[int]:
    """The ids of the list's rows in display order, sorted, searched and filtered in SQL; the first
    ``limit`` only when given (reading the index in order, SQLite stops as soon as it has them)."""
    with engine.connect() as connection:
        query = ids_query(
            listing_key, sort, descending, search, filters, rare_words(connection, listing_key, search)
        )
        if limit is not None:
            query = query.limit(limit)
        return _integers(connection, query)


def ids_query(
    listing_key: str,
    sort: str | None = None,
    descending: bool = False,
    search: str = "",
    filters: Mapping[str, Any] | None = None,
    rare: frozenset[str] = frozenset(),
) -> Select:
    """The SQL behind ``list_ids``. A filter whose value is None is not applied (全部); the ``rare`` words
    of the search (``rare_words``) are looked up in the trigram index."""
    listing = LISTINGS[listing_key]
    sort = sort or listing.default_sort
    order = listing.columns[sort]
    # NULLs last either way, then the id, so equal values keep a stable order between sorts. A NOT NULL
    # column gets no NULL term: that term alone stops SQLite from reading the order from an index.
    ordering = [order.desc() if descending else order.asc(), listing.id_column]
    if sort not in listing.never_null:
        ordering.insert(0, order.is_(None))
    clause = _search_clause(listing, search, rare)
    query = select(listing.id_column)
    if sort in listing.joined_columns or (clause is not None and listing.search_needs_join):
        query = listing.joined(query)
    query = query.order_by(*ordering)
    if listing.scope is not None:
        query = query.where(listing.scope)
    if clause is not None:
        query = query.where(clause)
        # With a trigram-indexed word SQLite starts from the few ids it finds; the hint would make it walk.
        if listing.search_index and not rare:
            query = query.with_hint(listing.id_column.table, f"INDEXED BY {listing.search_index}", "sqlite")
    for key, value in (filters or {}).items():
        if value is not None:
            query = query.where(listing.filters[key](value))
    return query


def _integers(connection, query: Select) -> list[int]:
    """Run a one-column query straight on the sqlite3 cursor.

    SQLAlchemy builds the SQL; its per-row Result processing is skipped because over 100,000 ids it
    cost more than the query itself (90 ms against 50 for a search matching every member).
    """
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    parameters = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = connection.connection.dbapi_connection.execute(str(compiled), parameters)
    try:
        return [row[0] for row in cursor]
    finally:
        cursor.close()


def fetch_rows(engine: Engine, listing_key: str, ids: Sequence[int]) -> dict[int, tuple]:
    """The column values of the given rows, keyed by id, in the listing's column order."""
    listing = LISTINGS[listing_key]
    query = listing.joined(select(listing.id_column, *listing.columns.values())).where(
        listing.id_column.in_(list(ids))
    )
    with engine.connect() as connection:  # Core rows: the ORM session's bookkeeping is not needed here
        return {row[0]: tuple(row[1:]) for row in connection.execute(query)}
