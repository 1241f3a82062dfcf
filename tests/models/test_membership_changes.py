"""Every member's leaving and rejoining is kept with its date (membership_change), by every writer: the
status dialog's model function, the recycle bin, merging, imports and the demo; ``check`` finds a history
that disagrees with the member's present state."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from models import codes
from models.checks import PROBLEM_KINDS, check_database
from models.demo import DemoPlan, generate_demo
from models.errors import InvalidInput
from models.imports import MemberRow, write_members
from models.members import (
    change_member_status,
    merge_members,
    recycle_members,
    recycled_entries,
    restore_recycled,
)
from models.paths import DataDir
from models.registers import add_member
from tests.helpers import dump, execute, is_chinese, query, tool_connection
from tests.test_cli import run_cli

TODAY = date.today()


def _id(sequence: int, born: str = "19850101") -> str:
    body = f"500112{born}{sequence:03d}"
    return body + codes.id_check_char(body)


def _member(engine: Engine, union_id: int, sequence: int, joined_on: date = date(2015, 3, 1)) -> int:
    return add_member(
        engine, name=f"会员{sequence}", id_number=_id(sequence), union=union_id, joined_on=joined_on
    ).id


def _history(data_dir: DataDir, member_id: int) -> list[tuple[str, str]]:
    return query(
        data_dir.database,
        "SELECT kind, happened_on FROM membership_change WHERE member_id = ? ORDER BY happened_on, id",
        (member_id,),
    )


def _state(data_dir: DataDir, member_id: int) -> tuple:
    return query(data_dir.database, "SELECT status, left_on FROM member WHERE id = ?", (member_id,))[0]


# --- the status change --------------------------------------------------------------------------------


def test_leaving_then_rejoining_keeps_both_changes_with_their_dates(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)

    assert change_member_status(engine, [member], "withdrawn", date(2019, 6, 30)) == 1
    assert _state(data_dir, member) == ("withdrawn", "2019-06-30")
    assert change_member_status(engine, [member], "active", date(2020, 3, 1)) == 1

    assert _state(data_dir, member) == ("active", None)
    assert _history(data_dir, member) == [("withdrawn", "2019-06-30"), ("rejoined", "2020-03-01")]
    assert check_database(engine).total == 0


def test_a_member_transferred_out_then_withdrawn_keeps_both_and_the_latest_is_the_status(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "transferred_out", date(2021, 1, 4))
    change_member_status(engine, [member], "withdrawn", date(2021, 5, 6))

    assert _state(data_dir, member) == ("withdrawn", "2021-05-06")
    assert _history(data_dir, member) == [("transferred_out", "2021-01-04"), ("withdrawn", "2021-05-06")]
    assert check_database(engine).total == 0


def test_members_already_in_the_asked_status_are_left_alone(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    first, second, third = (_member(engine, union_id, n) for n in (1, 2, 3))
    change_member_status(engine, [first], "withdrawn", date(2022, 2, 1))

    # Three chosen, one of them withdrawn already: two change, and the first keeps its own date.
    assert change_member_status(engine, [first, second, third], "withdrawn", date(2023, 7, 1)) == 2

    assert _history(data_dir, first) == [("withdrawn", "2022-02-01")]
    assert _history(data_dir, second) == _history(data_dir, third) == [("withdrawn", "2023-07-01")]
    # Back to 在会 for all three, then again: the second time nobody changes and nothing is written.
    assert change_member_status(engine, [first, second, third], "active", date(2024, 1, 2)) == 3
    assert change_member_status(engine, [first, second, third], "active", date(2024, 1, 3)) == 0
    assert query(data_dir.database, "SELECT count(*) FROM membership_change") == [(6,)]


def test_a_rejoining_before_the_leaving_is_refused_in_chinese(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "withdrawn", date(2020, 5, 1))
    before = dump(data_dir.database)

    with pytest.raises(InvalidInput) as refused:
        change_member_status(engine, [member], "active", date(2020, 4, 30))

    assert is_chinese(refused.value.message)
    assert "1 人" in refused.value.message and "2020-04-30" in refused.value.message
    assert refused.value.field == "left_on"
    assert dump(data_dir.database) == before


def test_a_rejoining_on_the_day_of_the_leaving_is_accepted(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "transferred_out", date(2020, 5, 1))
    change_member_status(engine, [member], "active", date(2020, 5, 1))
    assert _history(data_dir, member) == [("transferred_out", "2020-05-01"), ("rejoined", "2020-05-01")]
    assert check_database(engine).total == 0


@pytest.mark.parametrize(
    ("status", "when", "said"),
    [
        ("active", None, "重新入会的日期"),
        ("active", TODAY + timedelta(days=1), "重新入会日期"),
        ("withdrawn", date(2020, 1, 1), "最近一次"),  # before the rejoining of 2021-02-01
    ],
)
def test_a_change_without_a_date_in_the_future_or_before_the_last_change_is_refused(
    engine: Engine, union_id: int, data_dir: DataDir, status: str, when, said: str
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "withdrawn", date(2019, 1, 1))
    if status == "withdrawn":
        change_member_status(engine, [member], "active", date(2021, 2, 1))
    before = dump(data_dir.database)

    with pytest.raises(InvalidInput) as refused:
        change_member_status(engine, [member], status, when)

    assert said in refused.value.message and is_chinese(refused.value.message)
    assert dump(data_dir.database) == before


def test_a_leaving_never_dated_gets_its_date_when_recorded_again(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    # As an import before schema 0006 left it: 退会 with no date, so the migration wrote no change.
    member = _member(engine, union_id, 1)
    execute(data_dir.database, "UPDATE member SET status = 'withdrawn' WHERE id = ?", (member,))
    assert check_database(engine).problems["membership_history"] == 1

    assert change_member_status(engine, [member], "withdrawn", date(2018, 8, 8)) == 1

    assert _state(data_dir, member) == ("withdrawn", "2018-08-08")
    assert _history(data_dir, member) == [("withdrawn", "2018-08-08")]
    assert check_database(engine).total == 0


def test_ten_thousand_members_change_in_one_go(engine: Engine, union_id: int, data_dir: DataDir) -> None:
    rows = [
        MemberRow(f"会员{n}", _id(n % 1000, f"{1960 + n // 1000}0101"), union_id, date(2016, 1, 1))
        for n in range(10_000)
    ]
    for _ in write_members(engine, rows):
        pass
    ids = [row[0] for row in query(data_dir.database, "SELECT id FROM member")]

    assert change_member_status(engine, ids, "transferred_out", date(2024, 12, 31)) == 10_000

    assert query(
        data_dir.database, "SELECT kind, happened_on, count(*) FROM membership_change GROUP BY 1, 2"
    ) == [("transferred_out", "2024-12-31", 10_000)]
    assert query(data_dir.database, "SELECT status, count(*) FROM member GROUP BY 1") == [
        ("transferred_out", 10_000)
    ]


# --- the recycle bin and merging ----------------------------------------------------------------------


def test_a_recycled_member_comes_back_with_its_history(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "withdrawn", date(2018, 4, 1))
    change_member_status(engine, [member], "active", date(2019, 4, 1))
    change_member_status(engine, [member], "transferred_out", date(2020, 4, 1))
    columns = "member_id, uuid, kind, happened_on, created_at"
    rows_before = query(data_dir.database, f"SELECT {columns} FROM membership_change ORDER BY happened_on")
    assert len(rows_before) == 3

    recycle_members(engine, [member])
    assert query(data_dir.database, "SELECT count(*) FROM membership_change") == [(0,)]
    restore_recycled(engine, [entry.id for entry in recycled_entries(engine)])

    assert query(data_dir.database, f"SELECT {columns} FROM membership_change ORDER BY happened_on") == (
        rows_before
    )
    assert _state(data_dir, member) == ("transferred_out", "2020-04-01")
    assert check_database(engine).total == 0


def test_a_member_restored_under_a_new_id_keeps_its_history(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "withdrawn", date(2018, 4, 1))
    recycle_members(engine, [member])
    # The old id is taken again (SQLite reuses the largest rowid once it is free).
    taker = _member(engine, union_id, 2)
    assert taker == member

    restore_recycled(engine, [entry.id for entry in recycled_entries(engine)])

    [(restored,)] = query(data_dir.database, "SELECT id FROM member WHERE id_number = ?", (_id(1),))
    assert restored != member
    assert _history(data_dir, restored) == [("withdrawn", "2018-04-01")]
    assert _history(data_dir, taker) == []
    assert check_database(engine).total == 0


def test_a_payload_from_before_the_history_still_restores_with_its_leaving(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    member = _member(engine, union_id, 1)
    change_member_status(engine, [member], "withdrawn", date(2018, 4, 1))
    recycle_members(engine, [member])
    # What the recycle bin held before schema 0006: the member's columns only.
    [(entry_id, payload)] = query(data_dir.database, "SELECT id, payload FROM recycled_record")
    old = json.loads(payload)
    del old["membership_changes"]
    execute(
        data_dir.database,
        "UPDATE recycled_record SET payload = ? WHERE id = ?",
        (json.dumps(old, ensure_ascii=False), entry_id),
    )

    assert restore_recycled(engine, [entry_id]).restored == 1

    # The row the migration wrote for every member who had left, made from the same status and date.
    assert _history(data_dir, member) == [("withdrawn", "2018-04-01")]
    assert check_database(engine).total == 0


def test_merging_a_record_that_ended_before_the_kept_one_joins_the_two_histories(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    # The person joined in 2016, left in 2019 and was registered again (a new ID typo) in 2020.
    old = add_member(engine, name="欧阳明", id_number=_id(901, "19880315"), union=union_id,
                     joined_on=date(2016, 9, 1)).id  # fmt: skip
    change_member_status(engine, [old], "withdrawn", date(2019, 6, 30))
    new = add_member(engine, name="欧阳明", id_number=_id(931, "19880315"), union=union_id,
                     joined_on=date(2020, 3, 1)).id  # fmt: skip

    merge_members(engine, keep_id=new, drop_id=old)

    assert query(data_dir.database, "SELECT joined_on, status, left_on FROM member") == [
        ("2016-09-01", "active", None)
    ]
    assert _history(data_dir, new) == [("withdrawn", "2019-06-30"), ("rejoined", "2020-03-01")]
    assert check_database(engine).total == 0


def test_merging_two_records_of_the_same_time_keeps_the_kept_history(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    keep = _member(engine, union_id, 1, joined_on=date(2020, 1, 1))
    drop = _member(engine, union_id, 2, joined_on=date(2021, 1, 1))
    change_member_status(engine, [drop], "withdrawn", date(2022, 1, 1))  # the clerk's first try at a fix

    merge_members(engine, keep_id=keep, drop_id=drop)

    assert _state(data_dir, keep) == ("active", None)
    assert query(data_dir.database, "SELECT joined_on FROM member WHERE id = ?", (keep,)) == [("2020-01-01",)]
    assert query(data_dir.database, "SELECT count(*) FROM membership_change") == [(0,)]
    assert check_database(engine).total == 0
    # Undoing the merge gives the dropped record its own history back.
    restore_recycled(engine, [entry.id for entry in recycled_entries(engine)])
    assert _history(data_dir, drop) == [("withdrawn", "2022-01-01")]
    assert check_database(engine).total == 0


# --- imports ------------------------------------------------------------------------------------------


def test_an_imported_member_who_left_gets_the_leaving_row(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    rows = [
        MemberRow("张三", _id(1), union_id, date(2015, 1, 1)),
        MemberRow("李四", _id(2), union_id, date(2015, 1, 1), status="withdrawn", left_on=date(2018, 3, 3)),
        MemberRow("王五", _id(3), union_id, date(2015, 1, 1), status="transferred_out"),  # no 离会日期
    ]
    for _ in write_members(engine, rows):
        pass

    assert query(
        data_dir.database,
        "SELECT m.name, c.kind, c.happened_on, m.left_on FROM membership_change c "
        "JOIN member m ON m.id = c.member_id ORDER BY m.name",
    ) == [
        ("李四", "withdrawn", "2018-03-03", "2018-03-03"),
        # A list without the date: the member had left by the day of the import, the one day known.
        ("王五", "transferred_out", TODAY.isoformat(), TODAY.isoformat()),
    ]
    assert check_database(engine).total == 0


def test_an_import_that_changes_a_status_writes_the_change(
    engine: Engine, union_id: int, data_dir: DataDir
) -> None:
    back = _member(engine, union_id, 1)
    change_member_status(engine, [back], "withdrawn", date(2019, 1, 1))
    leaving = _member(engine, union_id, 2)
    unchanged = _member(engine, union_id, 3)
    change_member_status(engine, [unchanged], "transferred_out", date(2019, 2, 2))
    rows = [
        MemberRow("会员1", _id(1), union_id, date(2015, 3, 1), status="active"),
        MemberRow("会员2", _id(2), union_id, date(2015, 3, 1), status="withdrawn", left_on=date(2023, 8, 1)),
        MemberRow("会员3", _id(3), union_id, date(2015, 3, 1), status="transferred_out"),
    ]

    for _ in write_members(engine, rows, update_existing=True):
        pass

    assert _history(data_dir, back) == [("withdrawn", "2019-01-01"), ("rejoined", TODAY.isoformat())]
    assert _state(data_dir, back) == ("active", None)
    assert _history(data_dir, leaving) == [("withdrawn", "2023-08-01")]
    assert _state(data_dir, leaving) == ("withdrawn", "2023-08-01")
    assert _history(data_dir, unchanged) == [("transferred_out", "2019-02-02")]
    assert _state(data_dir, unchanged) == ("transferred_out", "2019-02-02")
    assert check_database(engine).total == 0


# --- the demo and the check ---------------------------------------------------------------------------


def test_the_demo_holds_every_case_and_passes_the_check(engine: Engine, data_dir: DataDir) -> None:
    for _ in generate_demo(engine, DemoPlan(employers=60, members=1500, seed=7)):
        pass

    report = check_database(engine)
    assert dict(report.problems) == dict.fromkeys(PROBLEM_KINDS, 0)
    # Each member who has left has one leaving row; those who came back a leaving and a rejoining after it.
    assert query(
        data_dir.database,
        "SELECT count(*) FROM member m WHERE status != 'active' AND "
        "(SELECT count(*) FROM membership_change c WHERE c.member_id = m.id) = 1",
    ) == query(data_dir.database, "SELECT count(*) FROM member WHERE status != 'active'")
    rejoined = query(
        data_dir.database,
        "SELECT m.status, m.left_on, l.happened_on < r.happened_on FROM member m "
        "JOIN membership_change r ON r.member_id = m.id AND r.kind = 'rejoined' "
        "JOIN membership_change l ON l.member_id = m.id AND l.kind != 'rejoined'",
    )
    assert rejoined, "at least one member who left has come back"
    assert set(rejoined) == {("active", None, 1)}
    kinds = {row[0] for row in query(data_dir.database, "SELECT kind FROM membership_change")}
    assert kinds == {"withdrawn", "transferred_out", "rejoined"}


def _damaged(data_dir: DataDir) -> dict[str, int]:
    """Three members' histories spoiled behind the program's back; returns their ids by what was done."""
    with closing(tool_connection(data_dir.database)) as connection, connection:
        [(lost,)] = connection.execute(
            "SELECT id FROM member WHERE status != 'active' ORDER BY id LIMIT 1"
        ).fetchall()
        connection.execute("DELETE FROM membership_change WHERE member_id = ?", (lost,))
        [(redated,)] = connection.execute(
            "SELECT id FROM member WHERE status != 'active' ORDER BY id LIMIT 1 OFFSET 1"
        ).fetchall()
        connection.execute("UPDATE member SET left_on = date(left_on, '-1 day') WHERE id = ?", (redated,))
        [(active,)] = connection.execute(
            "SELECT id FROM member WHERE status = 'active' "
            "AND id NOT IN (SELECT member_id FROM membership_change) ORDER BY id LIMIT 1"
        ).fetchall()
        connection.execute(
            "INSERT INTO membership_change (member_id, kind, happened_on, uuid, created_at, updated_at) "
            "VALUES (?, 'withdrawn', '2024-01-01', 'damage', '2024-01-01', '2024-01-01')",
            (active,),
        )
    return {"lost": lost, "redated": redated, "active": active}


def test_check_reports_each_member_whose_history_was_damaged(demo_engine: Engine, data_dir: DataDir) -> None:
    damaged = _damaged(data_dir)

    report = check_database(demo_engine)

    assert report.problems["membership_history"] == 3
    assert report.total == 3
    for member_id in damaged.values():
        assert any(f"会员 #{member_id}：" in example for example in report.examples), member_id
    [lost] = [e for e in report.examples if f"#{damaged['lost']}：" in e]
    assert "没有转出、退会记录" in lost
    [active] = [e for e in report.examples if f"#{damaged['active']}：" in e]
    assert "状态为在会" in active and "退会（2024-01-01）" in active


@pytest.mark.slow
def test_the_check_command_names_the_history_problem(data_dir: DataDir, demo_engine: Engine) -> None:
    _damaged(data_dir)
    demo_engine.dispose()

    run = run_cli("--data-dir", data_dir.root, "check", "--json")

    assert run.code == 1
    assert run.json["problems"]["membership_history"] == 3
    assert "会员进出记录：3 处问题" in run.stderr
