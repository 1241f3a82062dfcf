"""The lists behind the tables: every row, sorted as the values say, searched literally, fetched by id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.database import open_database
from models.demo import DemoPlan, generate_demo
from models.employers import add_employer
from models.entities import Notice, NoticeKind, NoticeStatus
from models.listing import LISTINGS, fetch_rows, ids_query, list_ids, rare_words
from models.paths import DataDir
from tests.helpers import query

TABLES = {
    "employers": "employer",
    "unions": "union",
    "members": "member",
    "organizing_tasks": "organizing_task",
    "notices": "notice",
    "unorganized": "employer",
}
# Lists that hold some of their table's rows, written out in SQL apart from the listing's own.
SCOPES = {
    "unorganized": "SELECT e.id FROM employer e JOIN federation f ON f.id = 1 "
    "WHERE (e.staff_count >= f.staff_threshold OR (e.employer_class = 'non_public' "
    "AND e.staff_count >= f.non_public_staff_threshold)) AND e.id NOT IN (SELECT ue.employer_id "
    "FROM union_employer ue JOIN \"union\" u ON u.id = ue.union_id WHERE u.status = 'active')",
}
# What the clerk can search in each list, as columns of the list.
SEARCHED = {
    "employers": ("name", "credit_code"),
    "unions": ("name", "credit_code", "chair_name"),
    "members": ("name", "id_number", "mobile"),
    "organizing_tasks": ("employer", "first_level_union"),
    "notices": ("document_number", "employer"),
    "unorganized": ("name", "credit_code"),
}
ODD_NAME = "重庆百分之50%_测试有限公司"


def _add_notices(engine: Engine) -> None:
    """Some notices of each kind: drafts without number or date, numbered ones, equal dates for ties."""
    with engine.connect() as connection:
        employer_ids = list(
            connection.exec_driver_sql("SELECT id FROM employer ORDER BY id LIMIT 12").scalars()
        )
    kinds = list(NoticeKind)
    with Session(engine) as s, s.begin():
        for n, employer_id in enumerate(employer_ids):
            kind = kinds[n % 3]
            draft = n % 4 == 3
            issued = None if draft else date(2026, 3, 1) + timedelta(days=7 * (n // 2))
            s.add(
                Notice(
                    kind=kind,
                    employer_id=employer_id,
                    status=NoticeStatus.DRAFT if draft else NoticeStatus.ISSUED,
                    number_year=None if draft else 2026,
                    number_seq=None if draft else n + 1,
                    document_number=None if draft else f"两江工组函〔2026〕{n + 1}号",
                    issued_on=issued,
                    reply_due_on=issued + timedelta(days=21) if issued else None,
                )
            )


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One demo database for the whole module: these tests only read it."""
    engine = open_database(DataDir(tmp_path_factory.mktemp("listing")))
    for _ in generate_demo(engine, DemoPlan(employers=150, members=2500, seed=31)):
        pass
    _add_notices(engine)
    add_employer(engine, name=ODD_NAME, employer_class="non_public")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def every_row(engine: Engine) -> dict[str, dict[int, tuple]]:
    """Every row of every list, fetched once, as the reference the SQL results are checked against."""
    rows = {}
    for key, table in TABLES.items():
        with engine.connect() as connection:
            ids = list(connection.exec_driver_sql(SCOPES.get(key, f'SELECT id FROM "{table}"')).scalars())
        rows[key] = fetch_rows(engine, key, ids)
        assert len(rows[key]) == len(ids)
    return rows


def _expected_order(rows: dict[int, tuple], index: int, descending: bool) -> list[int]:
    """Sorted by the value, NULLs last either way, equal values by id: as a person would sort them."""
    by_id = sorted(rows)
    present = [i for i in by_id if rows[i][index] is not None]
    missing = [i for i in by_id if rows[i][index] is None]
    return sorted(present, key=lambda i: rows[i][index], reverse=descending) + missing


def test_every_list_has_rows_to_check(every_row) -> None:
    for key, rows in every_row.items():
        assert len(rows) >= 10, key


@pytest.mark.parametrize("key", list(LISTINGS))
def test_list_ids_returns_every_row_once(engine: Engine, every_row, key: str) -> None:
    ids = list_ids(engine, key)
    assert len(ids) == len(set(ids))
    assert set(ids) == set(every_row[key])


SORTS = [
    (key, column, descending)
    for key, listing in LISTINGS.items()
    for column in listing.column_keys
    for descending in (False, True)
]


@pytest.mark.parametrize(
    ("key", "column", "descending"),
    SORTS,
    ids=[f"{key}-{column}-{'desc' if descending else 'asc'}" for key, column, descending in SORTS],
)
def test_sorting_by_a_column_follows_its_values(
    engine: Engine, every_row, key: str, column: str, descending: bool
) -> None:
    rows = every_row[key]
    index = LISTINGS[key].column_keys.index(column)

    ids = list_ids(engine, key, sort=column, descending=descending)

    assert ids == _expected_order(rows, index, descending)


def test_sorting_is_not_trivial(every_row) -> None:
    """The sorts above mean something only if the columns hold different values, and some NULLs."""
    members = every_row["members"]
    assert len({row[0] for row in members.values()}) > 100
    assert any(row[3] is None for row in members.values()), "some members have no mobile"
    employers = every_row["employers"]
    union_column = LISTINGS["employers"].column_keys.index("union")
    assert any(row[union_column] is None for row in employers.values()), "some employers have no union"
    notices = every_row["notices"]
    assert any(row[0] is None for row in notices.values())


def _matching(every_row, key: str, search: str) -> set[int]:
    positions = [LISTINGS[key].column_keys.index(column) for column in SEARCHED[key]]
    return {
        record_id
        for record_id, row in every_row[key].items()
        if all(any(word in (row[p] or "") for p in positions) for word in search.split())
    }


def test_searching_a_surname_finds_exactly_the_members_with_it(engine: Engine, every_row) -> None:
    found = list_ids(engine, "members", search="张")

    expected = _matching(every_row, "members", "张")
    assert len(expected) >= 20
    assert set(found) == expected
    assert found == [i for i in list_ids(engine, "members") if i in expected], "in the list's own order"


@pytest.mark.parametrize(
    ("key", "search"),
    [
        ("members", "  张  "),
        ("members", "张 伟"),
        ("members", "500112"),
        ("members", "139"),
        ("employers", "物流"),
        ("employers", "91500"),
        ("unions", "联合"),
        ("organizing_tasks", "街道"),
        ("notices", "〔2026〕1"),
        ("notices", "重庆"),
        ("unorganized", "有限"),
        ("unorganized", "915"),
    ],
)
def test_search_finds_exactly_the_rows_whose_shown_text_contains_every_word(
    engine: Engine, every_row, key: str, search: str
) -> None:
    expected = _matching(every_row, key, search)
    assert expected, "the search should find something"
    assert set(list_ids(engine, key, search=search)) == expected


@pytest.mark.parametrize("search", ["%", "_", "0%_", "50%"])
def test_percent_and_underscore_are_searched_literally(engine: Engine, search: str) -> None:
    [(odd_id,)] = query(engine.url.database, "SELECT id FROM employer WHERE name = ?", (ODD_NAME,))
    assert list_ids(engine, "employers", search=search) == [odd_id]
    assert list_ids(engine, "members", search=search) == []


def test_a_backslash_is_searched_literally(engine: Engine) -> None:
    assert list_ids(engine, "employers", search="\\") == []
    assert list_ids(engine, "employers", search="\\%") == []


@pytest.mark.parametrize("key", list(LISTINGS))
def test_fetch_rows_returns_the_requested_rows_only(engine: Engine, every_row, key: str) -> None:
    all_ids = sorted(every_row[key])
    wanted = all_ids[1::3][:7] + [10**9]  # one id that does not exist

    rows = fetch_rows(engine, key, wanted)

    assert set(rows) == set(all_ids[1::3][:7])
    for record_id, row in rows.items():
        assert row == every_row[key][record_id]
        assert len(row) == len(LISTINGS[key].column_keys)
    assert fetch_rows(engine, key, []) == {}


def test_fetched_member_rows_show_the_stored_values(engine: Engine) -> None:
    path = engine.url.database
    stored = {
        row[0]: row[1:]
        for row in query(
            path,
            'SELECT m.id, m.name, m.id_number, m.mobile, u.name FROM member m JOIN "union" u ON u.id = m.union_id '
            "ORDER BY m.id LIMIT 50",
        )
    }
    columns = LISTINGS["members"].column_keys
    for record_id, row in fetch_rows(engine, "members", list(stored)).items():
        shown = dict(zip(columns, row, strict=True))
        assert (shown["name"], shown["id_number"], shown["mobile"], shown["union"]) == stored[record_id]
        assert shown["sex"] == ("M" if int(shown["id_number"][16]) % 2 else "F")


def _plan(engine: Engine, query) -> str:
    compiled = query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        return " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


def test_member_search_reads_the_search_index_not_the_table(engine: Engine) -> None:
    """Over 100,000 members the difference is 15 ms against 170 ms per keystroke."""
    plan = _plan(engine, ids_query("members", "name", search="张"))
    assert "ix_member_name_search" in plan
    plan = _plan(engine, ids_query("members", "joined_on", search="1381"))
    assert "ix_member_name_search" in plan


def test_a_rare_fragment_is_looked_up_in_the_trigram_index(engine: Engine) -> None:
    """Part of an ID number or a phone, or a whole name, that few members share: a millisecond instead of
    reading the whole search index (20–33 ms at 100,000 members). A common fragment walks the index."""
    [(id_number, mobile, name)] = query(
        engine.url.database,
        "SELECT id_number, mobile, name FROM member WHERE length(name) = 3 AND mobile IS NOT NULL LIMIT 1",
    )
    common = "500"  # the area code of most demo ID numbers
    with engine.connect() as connection:
        for search in (id_number[6:12], mobile[-4:], name, f"张 {id_number[8:14]}"):
            rare = rare_words(connection, "members", search)
            assert rare, search
            plan = _plan(engine, ids_query("members", "name", search=search, rare=rare))
            assert "member_search" in plan and "ix_member_name_search" not in plan, search
        for search in (common, "张伟", "50%12", "19"):
            assert rare_words(connection, "members", search) == frozenset(), search
            plan = _plan(engine, ids_query("members", "name", search=search))
            assert "member_search" not in plan, search


def _fragments(every_row) -> st.SearchStrategy[str]:
    """Pieces of the search text of real members, cut anywhere, in either case, as clerks type them."""
    texts = sorted(" ".join(filter(None, (row[0], row[1], row[3]))) for row in every_row["members"].values())
    return st.tuples(st.sampled_from(texts), st.integers(0, 40), st.integers(3, 12), st.booleans()).map(
        lambda t: (t[0][t[1] : t[1] + t[2]].lower() if t[3] else t[0][t[1] : t[1] + t[2]]).strip()
    )


def test_the_trigram_index_finds_exactly_what_the_walk_finds(engine: Engine, every_row) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(search=_fragments(every_row))
    def check(search: str) -> None:
        expected = {
            record_id
            for record_id, row in every_row["members"].items()
            if all(
                any(word.lower() in (value or "").lower() for value in (row[0], row[1], row[3]))
                for word in search.split()
            )
        }
        found = list_ids(engine, "members", search=search)
        assert set(found) == expected
        assert found == [i for i in list_ids(engine, "members") if i in expected], "in the list's own order"

    check()


def test_unsearched_name_order_comes_from_an_index(engine: Engine) -> None:
    """No NULLs-last term on a column that is never NULL, so no sort of 100,000 rows in a temp b-tree: the
    name order comes from ix_member_name_search, and only members of the same name are put in id order."""
    plan = _plan(engine, ids_query("members", "name"))
    assert "COVERING INDEX ix_member_name_search" in plan
    assert plan.count("TEMP B-TREE") == plan.count("TEMP B-TREE FOR RIGHT PART OF ORDER BY")


def test_filters_narrow_as_a_clerk_means_them(engine: Engine) -> None:
    from sqlalchemy import select

    from models.database import reading
    from models.entities import Employer, Member, Union, union_employer
    from models.listing import STAFF_BANDS

    with reading(engine) as s, s.begin():
        members = s.execute(select(Member.id, Member.status, Member.joined_on, Union.first_level_union_id)
                            .join(Union, Member.union_id == Union.id)).all()  # fmt: skip
        employers = s.execute(select(Employer.id, Employer.staff_count, Employer.employer_class)).all()
        covered = set(
            s.scalars(select(union_employer.c.employer_id).join(Union).where(Union.status == "active"))
        )
    parent = members[0].first_level_union_id
    year = members[0].joined_on.year
    expected = {m.id for m in members if m.first_level_union_id == parent and m.status == "active"
                and m.joined_on.year == year}  # fmt: skip
    found = list_ids(engine, "members", filters={"first_level_union": parent, "status": "active",
                                                       "join_year": year})  # fmt: skip
    assert expected and set(found) == expected
    assert list_ids(engine, "members", filters={"status": None}) == list_ids(engine, "members")

    low, high = STAFF_BANDS["50_99"]
    expected = {e.id for e in employers if e.id not in covered and e.staff_count is not None
                and low <= e.staff_count <= high}  # fmt: skip
    assert (
        expected
        and set(list_ids(engine, "employers", filters={"has_union": False, "staff_band": "50_99"}))
        == expected
    )
    assert set(list_ids(engine, "employers", filters={"has_union": True})) == covered


def test_unions_are_narrowed_by_the_filters_their_page_offers(engine: Engine) -> None:
    rows = query(engine.url.database, 'SELECT id, first_level_union_id, kind, status FROM "union"')
    parent, kind = rows[0][1], rows[0][2]
    expected = {row[0] for row in rows if row[1] == parent and row[2] == kind and row[3] == "active"}
    found = list_ids(
        engine, "unions", filters={"first_level_union": parent, "kind": kind, "status": "active"}
    )
    assert expected and set(found) == expected
