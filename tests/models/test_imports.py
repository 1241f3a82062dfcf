"""The bulk writers behind an import: one transaction each, every row or none, updates that keep what a row
leaves empty, and the search index, checks and record stamps as right as after a form's save."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, select

from models import codes
from models.checks import check_database
from models.database import reading, writing
from models.entities import (
    Employer,
    FirstLevelUnion,
    FirstLevelUnionKind,
    Member,
    StaffCountSource,
    Union,
)
from models.imports import (
    BUILDING_INDEXES,
    Directory,
    EmployerEntry,
    EmployerRow,
    HeadcountRow,
    ImportCancelled,
    ImportChanged,
    MemberRow,
    UnionRow,
    backup_before_import,
    employer_entries,
    first_level_union_ids,
    member_ids_by_id_number,
    member_summaries,
    time_ordered_uuids,
    union_entries,
    write_employers,
    write_headcounts,
    write_members,
    write_unions,
)
from models.listing import list_ids
from models.members import change_member_status
from models.paths import DataDir
from models.registers import add_member
from tests.helpers import dump, query, schema_of


def _run(steps):
    """Runs a writer to its end; returns (its counts, the progress it reported)."""
    seen = []
    while True:
        try:
            seen.append(next(steps))
        except StopIteration as finished:
            return finished.value, seen


def _id(number: int, born: str = "19900101") -> str:
    first17 = f"500112{born}{number:03d}"
    return first17 + codes.id_check_char(first17)


def _credit(body: str) -> str:
    return body + codes.credit_check_char(body)


def _members(union_id: int, count: int, start: int = 0) -> list[MemberRow]:
    return [
        MemberRow(f"会员{n}", _id(n % 1000, f"{1950 + n // 1000}0101"), union_id, date(2020, 1, 1))
        for n in range(start, start + count)
    ]


# --- members ------------------------------------------------------------------------------------------


def test_new_members_get_the_defaults_stamps_and_a_place_in_the_search_index(
    engine: Engine, union_id: int
) -> None:
    rows = _members(union_id, 30)
    rows[0] = rows[0]._replace(
        mobile="13800000001", employment_form="flexible", flexible_occupation="courier"
    )

    counts, progress = _run(write_members(engine, rows))

    assert (counts.imported, counts.updated, counts.skipped) == (30, 0, 0)
    assert progress[-1] == (60, 60, "已写入数据库")
    with reading(engine) as s, s.begin():
        members = s.scalars(select(Member).order_by(Member.id)).all()
    first = members[0]
    assert (first.status, first.join_channel, first.employment_form, first.flexible_occupation) == (
        "active",
        "regular",
        "flexible",
        "courier",
    )
    assert members[1].employment_form == "regular"
    assert isinstance(first.created_at, datetime) and first.created_at == first.updated_at
    keys = [member.uuid for member in members]
    assert len(set(keys)) == 30
    assert all(uuid.UUID(key).version == 7 for key in keys)
    assert keys == sorted(keys), "in the order written: they share pages of the uuid index"
    assert list_ids(engine, "members", search="13800000001") == [first.id]
    assert check_database(engine).total == 0


def test_a_long_list_builds_the_member_indexes_again_and_a_short_one_keeps_them(
    engine: Engine, union_id: int
) -> None:
    schema = schema_of(engine.url.database, "member")
    assert sum(kind == "index" for kind, _, _ in schema) >= 7
    _run(write_members(engine, _members(union_id, 100)))

    # 300 against 100 registered: set aside while the rows go in, then built again as they were.
    rows = _members(union_id, 300, start=100)
    rows[7] = rows[7]._replace(mobile="13800000007")
    counts, progress = _run(write_members(engine, rows))
    assert counts.imported == 300
    assert any(message == BUILDING_INDEXES for _, _, message in progress)
    assert schema_of(engine.url.database, "member") == schema
    plan = query(engine.url.database, "EXPLAIN QUERY PLAN SELECT id FROM member WHERE mobile = '13800000007'")
    assert "ix_member_mobile" in plan[0][-1]
    assert list_ids(engine, "members", search="13800000007") == list_ids(engine, "members", search="会员107")
    assert check_database(engine).total == 0

    # 10 against 400: kept up row by row, nothing to build.
    _, progress = _run(write_members(engine, _members(union_id, 10, start=400)))
    assert not any(message == BUILDING_INDEXES for _, _, message in progress)
    assert schema_of(engine.url.database, "member") == schema
    assert check_database(engine).total == 0


def test_a_registered_member_is_skipped_or_updated_keeping_what_the_row_leaves_empty(
    engine: Engine, union_id: int
) -> None:
    record = add_member(engine, name="张三", id_number=_id(1), union=union_id, joined_on=date(2019, 1, 1),
                        mobile="13800000001")  # fmt: skip
    change_member_status(engine, [record.id], "withdrawn", date(2021, 1, 1))
    row = MemberRow("张三丰", _id(1), union_id, date(2019, 2, 1), ethnicity="汉族", status="active")

    counts, _ = _run(write_members(engine, [row]))
    assert (counts.imported, counts.updated, counts.skipped) == (0, 0, 1)

    counts, _ = _run(write_members(engine, [row], update_existing=True))
    assert (counts.imported, counts.updated, counts.skipped) == (0, 1, 0)
    with reading(engine) as s, s.begin():
        member = s.get(Member, record.id)
        assert (member.name, member.joined_on, member.ethnicity) == ("张三丰", date(2019, 2, 1), "汉族")
        assert member.mobile == "13800000001", "an empty cell keeps the stored value"
        # Back to 在会: the leaving date goes, as the record's own check requires.
        assert (member.status, member.left_on) == ("active", None)
        assert member.updated_at >= member.created_at
    assert list_ids(engine, "members", search="张三丰") == [record.id]
    assert check_database(engine).total == 0


def test_an_update_to_regular_employment_clears_the_occupation(engine: Engine, union_id: int) -> None:
    flexible = MemberRow("李四", _id(2), union_id, date(2020, 1, 1), employment_form="flexible",
                         flexible_occupation="food_delivery")  # fmt: skip
    _run(write_members(engine, [flexible]))
    _run(write_members(engine, [flexible._replace(employment_form="regular", flexible_occupation=None)],
                       update_existing=True))  # fmt: skip
    with reading(engine) as s, s.begin():
        member = s.scalar(select(Member))
        assert (member.employment_form, member.flexible_occupation) == ("regular", None)


def test_a_row_refused_by_the_database_writes_nothing(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    _run(write_members(engine, _members(union_id, 100)))
    before = dump(data_dir.database)
    rows = _members(union_id, 40_000, start=100)
    rows[-1] = rows[-1]._replace(union_id=union_id + 1000)  # no such union

    with pytest.raises(ImportChanged) as refused:
        _run(write_members(engine, rows))
    assert "没有导入任何数据" in refused.value.message
    assert dump(data_dir.database) == before


def test_cancelling_rolls_back_and_leaves_the_connection_as_it_was(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    before = dump(data_dir.database)
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 5

    with pytest.raises(ImportCancelled):
        _run(write_members(engine, _members(union_id, 40_000), cancelled=cancelled))
    assert dump(data_dir.database) == before
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_temp_master").all()
        assert tables == []


def test_closing_the_generator_mid_way_rolls_back(engine: Engine, union_id: int, data_dir: DataDir) -> None:
    before = dump(data_dir.database)
    steps = write_members(engine, _members(union_id, 40_000))
    for done, total, _ in steps:
        if total and done > total * 0.6:  # while the staged rows move into the member table
            break
    steps.close()
    assert dump(data_dir.database) == before
    assert query(data_dir.database, "SELECT count(*) FROM member") == [(0,)]


def test_member_lookups(engine: Engine, union_id: int) -> None:
    record = add_member(engine, name="王五", id_number=_id(3), union=union_id, joined_on=date(2020, 1, 1))
    assert member_ids_by_id_number(engine) == {_id(3): record.id}
    assert member_summaries(engine, [record.id]) == {record.id: ("王五", "星光电子工会")}
    assert member_summaries(engine, []) == {}


# --- employers, unions, headcounts -----------------------------------------------------------------------

STAR_CODE = "91500000MA5U000010"


def test_employers_are_added_updated_or_skipped_by_code_or_name(engine: Engine, parent: int) -> None:
    rows = [
        EmployerRow("星光电子", STAR_CODE, "non_public", staff_count=120, first_level_union_id=parent),
        EmployerRow("无代码商行", None, "non_public", address="金开大道1号"),
    ]
    counts, _ = _run(write_employers(engine, rows))
    assert counts.imported == 2

    again = [
        EmployerRow("星光电子有限公司", STAR_CODE, None, staff_count=130),
        EmployerRow("无代码商行", None, None, industry="零售"),
        EmployerRow("新单位", None, "state_owned"),
    ]
    counts, _ = _run(write_employers(engine, again))
    assert (counts.imported, counts.updated, counts.skipped) == (1, 0, 2)
    counts, _ = _run(write_employers(engine, again, update_existing=True))
    assert (counts.imported, counts.updated, counts.skipped) == (0, 3, 0)
    with reading(engine) as s, s.begin():
        employers = {e.credit_code or e.name: e for e in s.scalars(select(Employer))}
    star = employers[STAR_CODE]
    assert (star.name, star.staff_count, star.employer_class, star.first_level_union_id) == (
        "星光电子有限公司",
        130,
        "non_public",
        parent,
    )
    shop = employers["无代码商行"]
    assert (shop.industry, shop.address) == ("零售", "金开大道1号")


def test_a_new_employer_without_a_class_or_a_name_shared_by_two_is_refused(
    engine: Engine, data_dir: DataDir
) -> None:
    with pytest.raises(ImportChanged, match="未填写单位类别"):
        _run(write_employers(engine, [EmployerRow("某单位")]))
    _run(write_employers(engine, [EmployerRow("同名", None, "non_public")]))
    with writing(engine) as s, s.begin():
        s.add(Employer(name="同名", employer_class="non_public"))
    before = dump(data_dir.database)
    with pytest.raises(ImportChanged, match="有多个名为“同名”的单位"):
        _run(write_employers(engine, [EmployerRow("同名", None, "non_public")], update_existing=True))
    assert dump(data_dir.database) == before


def test_unions_are_linked_to_their_employers_and_never_moved_by_an_update(
    engine: Engine, parent: int
) -> None:
    _run(
        write_employers(
            engine, [EmployerRow("甲", None, "non_public"), EmployerRow("乙", None, "non_public")]
        )
    )
    ids = {entry.name: entry.id for entry in employer_entries(engine)}
    code = _credit("81500000MA5U00001")
    counts, _ = _run(write_unions(engine, [UnionRow("甲工会", code, None, parent, (ids["甲"],))]))
    assert counts.imported == 1
    with writing(engine) as s, s.begin():
        other = FirstLevelUnion(name="鸳鸯街道总工会", kind=FirstLevelUnionKind.STREET)
        s.add(other)
        s.flush()
        other_id = other.id

    update = UnionRow("甲乙联合工会", code, "joint", other_id, (ids["甲"], ids["乙"]), chair_name="王主席")
    counts, _ = _run(write_unions(engine, [update], update_existing=True))
    assert counts.updated == 1
    with reading(engine) as s, s.begin():
        union = s.scalar(select(Union))
        assert (union.name, union.kind, union.chair_name, union.term_years) == (
            "甲乙联合工会",
            "joint",
            "王主席",
            5,
        )
        assert sorted(e.name for e in union.employers) == sorted(["甲", "乙"])
        assert union.first_level_union_id == parent, "a move has its own date and reason"
    [entry] = union_entries(engine)
    assert (entry.credit_code, entry.status) == (code, "active")
    assert first_level_union_ids(engine) == {"人和街道总工会": parent, "鸳鸯街道总工会": other_id}


def test_headcounts_update_the_staff_count_with_its_source(engine: Engine) -> None:
    _run(write_employers(engine, [EmployerRow("甲", None, "non_public", staff_count=10)]))
    [entry] = employer_entries(engine)
    rows = [HeadcountRow(entry.id, 88, date(2026, 6, 30)), HeadcountRow(entry.id + 99, 5, date(2026, 6, 30))]

    counts, _ = _run(write_headcounts(engine, rows, source=StaffCountSource.TAX))

    assert (counts.updated, counts.skipped) == (1, 1), "an employer deleted since the preview is skipped"
    with reading(engine) as s, s.begin():
        employer = s.get(Employer, entry.id)
        assert (employer.staff_count, employer.staff_count_source, employer.staff_count_date) == (
            88,
            "tax",
            date(2026, 6, 30),
        )


def test_the_directory_finds_by_code_then_by_a_name_without_code() -> None:
    entries = [
        EmployerEntry(1, "甲", STAR_CODE, None),
        EmployerEntry(2, "乙", None, None),
        EmployerEntry(3, "丙", None, None),
        EmployerEntry(4, "丙", None, None),
        EmployerEntry(5, "丁", "91500112MA60XY1011", None),
    ]
    directory = Directory(entries)
    assert directory.find(STAR_CODE, "别的名字") == [1]
    assert directory.find(None, "乙") == [2]
    assert directory.find(None, "丙") == [3, 4]
    assert directory.find(_credit("91500112MA60AB123"), "乙") == [2], (
        "a code filled in for a record without one"
    )
    assert directory.find(_credit("91500112MA60AB123"), "丁") == [], (
        "丁 has another code: a different employer"
    )
    assert directory.find(None, None) == []


# --- the rest -----------------------------------------------------------------------------------------


def test_the_backup_before_an_import_is_a_whole_database(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    _run(write_members(engine, _members(union_id, 10)))
    backup = backup_before_import(data_dir)
    assert backup.parent == data_dir.backups
    assert backup.name.startswith("uniondesk-before-import-")
    assert query(backup, "SELECT count(*) FROM member") == [(10,)]


def test_time_ordered_uuids_are_version_7_unique_and_in_order() -> None:
    keys = list(time_ordered_uuids(10_000))
    assert len(set(keys)) == 10_000
    assert keys == sorted(keys)
    parsed = [uuid.UUID(key) for key in keys]
    assert {key.version for key in parsed} == {7}
    assert {key.variant for key in parsed} == {uuid.RFC_4122}
