"""Acting on many members at once, the recycle bin and possible duplicates, as a clerk would check them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from models import codes
from models.checks import check_database
from models.errors import InvalidInput
from models.listing import list_ids
from models.members import (
    change_member_status,
    mark_distinct_people,
    merge_members,
    possible_duplicates,
    purge_recycled,
    recycle_members,
    recycled_entries,
    restore_recycled,
    transfer_members,
)
from models.paths import DataDir
from models.registers import add_member, member_details, update_member
from models.unions import close_union
from tests.helpers import dump, is_chinese, query

# After every demo union was founded (the demo dates nothing later than last year).
LATELY = date.today() - timedelta(days=30)


def _members(data_dir: DataDir, where: str = "1", limit: int = 5) -> list[int]:
    return [
        row[0]
        for row in query(data_dir.database, f"SELECT id FROM member WHERE {where} ORDER BY id LIMIT {limit}")
    ]


def _two_unions(data_dir: DataDir) -> tuple[int, int]:
    rows = query(data_dir.database, "SELECT id FROM \"union\" WHERE status = 'active' ORDER BY id LIMIT 2")
    return rows[0][0], rows[1][0]


def _new_id_number(born: str, sequence: int) -> str:
    body = f"500112{born}{sequence:03d}"
    return body + codes.id_check_char(body)


def test_transfer_moves_exactly_the_chosen_members(demo_engine: Engine, data_dir: DataDir) -> None:
    _, target = _two_unions(data_dir)
    chosen = _members(data_dir, f"union_id != {target}", limit=40)
    assert transfer_members(demo_engine, chosen, target) == 40
    rows = query(
        data_dir.database,
        f"SELECT count(*) FROM member WHERE union_id = {target} AND id IN ({','.join(map(str, chosen))})",
    )
    assert rows[0][0] == 40


def test_a_selection_larger_than_sqlites_parameter_limit_is_one_statement(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    # 40,000 ids (most of them no member) would overflow SQLite's 32,766 bound parameters if bound one by one.
    everyone = _members(data_dir, limit=100_000)
    ids = everyone + list(range(10_000_000, 10_040_000))
    _, target = _two_unions(data_dir)
    assert transfer_members(demo_engine, ids, target) == len(everyone)


def test_transfer_to_a_closed_union_is_refused_and_changes_nothing(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    first, second = _two_unions(data_dir)
    close_union(demo_engine, second, "dissolved", LATELY, "单位注销")
    before = dump(data_dir.database)
    with pytest.raises(InvalidInput) as refused:
        transfer_members(demo_engine, _members(data_dir, f"union_id = {first}"), second)
    assert is_chinese(refused.value.message) and "撤销" in refused.value.message
    assert dump(data_dir.database) == before


def test_status_change_records_the_date_and_back_to_active_clears_it(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    chosen = _members(
        data_dir,
        "status = 'active' AND joined_on < '2024-01-01' AND id NOT IN (SELECT member_id FROM membership_change)",
        limit=3,
    )
    assert change_member_status(demo_engine, chosen, "withdrawn", date(2024, 6, 1)) == 3
    assert {
        row
        for row in query(
            data_dir.database,
            f"SELECT status, left_on FROM member WHERE id IN ({','.join(map(str, chosen))})",
        )
    } == {("withdrawn", "2024-06-01")}
    change_member_status(demo_engine, chosen, "active", date(2024, 9, 1))
    assert {
        row
        for row in query(
            data_dir.database,
            f"SELECT status, left_on FROM member WHERE id IN ({','.join(map(str, chosen))})",
        )
    } == {("active", None)}


@pytest.mark.parametrize(
    ("when", "said"),
    [(None, "日期"), (date.today() + timedelta(days=1), "晚于今天"), (date(1990, 1, 1), "入会日期晚于")],
)
def test_a_status_change_with_a_bad_date_is_refused(
    demo_engine: Engine, data_dir: DataDir, when, said: str
) -> None:
    before = dump(data_dir.database)
    with pytest.raises(InvalidInput) as refused:
        change_member_status(demo_engine, _members(data_dir), "transferred_out", when)
    assert said in refused.value.message
    assert dump(data_dir.database) == before


def test_deleted_members_leave_every_list_and_come_back_whole(demo_engine: Engine, data_dir: DataDir) -> None:
    chosen = _members(data_dir, limit=3)
    columns = "id, uuid, name, id_number, mobile, union_id, joined_on, status, created_at, updated_at"
    rows_before = query(
        data_dir.database,
        f"SELECT {columns} FROM member WHERE id IN ({','.join(map(str, chosen))}) ORDER BY id",
    )
    assert recycle_members(demo_engine, chosen, "录入重复") == 3
    assert query(
        data_dir.database, f"SELECT count(*) FROM member WHERE id IN ({','.join(map(str, chosen))})"
    ) == [(0,)]
    entries = recycled_entries(demo_engine)
    assert len(entries) == 3 and {entry.reason for entry in entries} == {"录入重复"}
    assert all("*" in entry.summary for entry in entries), "the bin shows ID numbers masked"

    result = restore_recycled(demo_engine, [entry.id for entry in entries])
    assert (result.restored, result.refused) == (3, [])
    assert (
        query(
            data_dir.database,
            f"SELECT {columns} FROM member WHERE id IN ({','.join(map(str, chosen))}) ORDER BY id",
        )
        == rows_before
    )
    assert recycled_entries(demo_engine) == []


def test_a_restore_whose_id_number_was_registered_again_stays_in_the_bin(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    member_id = _members(data_dir, limit=1)[0]
    details = member_details(demo_engine, member_id)
    recycle_members(demo_engine, [member_id])
    add_member(
        demo_engine,
        name="重新登记",
        id_number=details.id_number,
        union=details.union_id,
        joined_on=details.joined_on,
    )
    entry = recycled_entries(demo_engine)[0]
    result = restore_recycled(demo_engine, [entry.id])
    assert result.restored == 0
    assert "重新登记" in result.refused[0][1]
    assert [e.id for e in recycled_entries(demo_engine)] == [entry.id]


def test_purging_the_bin_removes_the_personal_data_for_good(demo_engine: Engine, data_dir: DataDir) -> None:
    member_id = _members(data_dir, limit=1)[0]
    id_number = member_details(demo_engine, member_id).id_number
    recycle_members(demo_engine, [member_id])
    assert purge_recycled(demo_engine, [e.id for e in recycled_entries(demo_engine)]) == 1
    assert id_number not in dump(data_dir.database)


def _register_twins(engine: Engine, data_dir: DataDir) -> tuple[int, int]:
    """One person entered twice under two unions, the second ID number mistyped in its sequence digits."""
    first, second = _two_unions(data_dir)
    a = add_member(
        engine,
        name="欧阳明",
        id_number=_new_id_number("19880315", 901),
        union=first,
        joined_on=date(2020, 1, 1),
    )
    b = add_member(
        engine,
        name="欧阳明",
        id_number=_new_id_number("19880315", 931),
        union=second,
        joined_on=date(2021, 1, 1),
        mobile="13987654321",
    )
    return a.id, b.id


def test_the_same_name_and_birth_date_under_two_unions_is_a_possible_duplicate(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    a, b = _register_twins(demo_engine, data_dir)
    pairs = [p for p in possible_duplicates(demo_engine) if {p.first.id, p.second.id} == {a, b}]
    assert len(pairs) == 1 and pairs[0].reason == "same_name_birth"
    assert pairs[0].first.union_name != pairs[0].second.union_name
    assert "*" in pairs[0].first.id_number


def test_the_same_mobile_is_a_possible_duplicate(demo_engine: Engine, data_dir: DataDir) -> None:
    first, second = _two_unions(data_dir)
    a = add_member(
        demo_engine,
        name="李四",
        id_number=_new_id_number("19900101", 911),
        union=first,
        joined_on=date(2020, 1, 1),
        mobile="13700001111",
    )
    b = add_member(
        demo_engine,
        name="李思",
        id_number=_new_id_number("19910101", 911),
        union=second,
        joined_on=date(2020, 1, 1),
        mobile="13700001111",
    )
    assert ("same_mobile", a.id, b.id) in {
        (p.reason, p.first.id, p.second.id) for p in possible_duplicates(demo_engine)
    }


def test_different_people_are_not_offered_again(demo_engine: Engine, data_dir: DataDir) -> None:
    a, b = _register_twins(demo_engine, data_dir)
    mark_distinct_people(demo_engine, b, a)
    mark_distinct_people(demo_engine, a, b)  # twice is harmless
    assert not [p for p in possible_duplicates(demo_engine) if {p.first.id, p.second.id} == {a, b}]


def test_merging_keeps_one_record_fills_its_mobile_and_can_be_undone(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    a, b = _register_twins(demo_engine, data_dir)
    merge_members(demo_engine, keep_id=a, drop_id=b)
    assert member_details(demo_engine, a).mobile == "13987654321"
    assert query(data_dir.database, f"SELECT count(*) FROM member WHERE id = {b}") == [(0,)]
    entry = recycled_entries(demo_engine)[0]
    assert "合并" in entry.reason
    # The mobile now belongs to the kept record, so the restored twin is offered as a duplicate again.
    assert restore_recycled(demo_engine, [entry.id]).restored == 1
    assert {a, b} in [{p.first.id, p.second.id} for p in possible_duplicates(demo_engine)]


def test_the_same_person_twice_in_the_bin_is_restored_once(demo_engine: Engine, data_dir: DataDir) -> None:
    member_id = _members(data_dir, limit=1)[0]
    details = member_details(demo_engine, member_id)
    recycle_members(demo_engine, [member_id])
    again = add_member(
        demo_engine,
        name=details.name,
        id_number=details.id_number,
        union=details.union_id,
        joined_on=details.joined_on,
    )
    recycle_members(demo_engine, [again.id])
    result = restore_recycled(demo_engine, [entry.id for entry in recycled_entries(demo_engine)])
    assert result.restored == 1 and len(result.refused) == 1
    assert query(
        data_dir.database, "SELECT count(*) FROM member WHERE id_number = ?", (details.id_number,)
    ) == [(1,)]
    assert len(recycled_entries(demo_engine)) == 1


def test_search_follows_every_change_to_a_member(demo_engine: Engine, data_dir: DataDir) -> None:
    """The trigram index is kept by triggers: a new, renamed, recycled, restored or purged member is found
    (or not) by a fragment long enough to be looked up in it, and ``check`` finds the index whole."""
    union, _ = _two_unions(data_dir)
    born = _new_id_number("19770707", 1)

    def found(search: str) -> list[int]:
        return list_ids(demo_engine, "members", search=search)

    added = add_member(
        demo_engine, name="欧阳玉珍", id_number=born, union=union, joined_on=LATELY, mobile="13712345678"
    )
    assert found("欧阳玉珍") == found("19770707") == found("1234567") == [added.id]

    update_member(
        demo_engine,
        added.id,
        name="欧阳玉琴",
        id_number=born,
        union=union,
        joined_on=LATELY,
        mobile="13787654321",
    )
    assert found("欧阳玉珍") == found("1234567") == []
    assert found("欧阳玉琴") == found("7654321") == [added.id]

    transfer_members(demo_engine, [added.id], _two_unions(data_dir)[1])  # not a searched column
    assert found("欧阳玉琴") == [added.id]

    recycle_members(demo_engine, [added.id])
    assert found("欧阳玉琴") == []
    [entry] = [e for e in recycled_entries(demo_engine) if "欧阳玉琴" in e.summary]
    restore_recycled(demo_engine, [entry.id])
    [restored] = found("欧阳玉琴")
    assert found("7654321") == [restored]
    assert check_database(demo_engine).problems["search_index"] == 0
