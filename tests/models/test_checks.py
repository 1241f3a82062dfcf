"""``check_database``: a clean database reports nothing; each kind of damage is counted where it belongs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing

import pytest
from sqlalchemy import Engine

from models import codes
from models.checks import PROBLEM_KINDS, check_database
from models.paths import DataDir
from models.registers import record_counts
from tests.helpers import query, tool_connection


def test_the_demo_database_has_no_problem_of_any_kind(demo_engine: Engine, data_dir: DataDir) -> None:
    report = check_database(demo_engine)

    assert dict(report.problems) == dict.fromkeys(PROBLEM_KINDS, 0)
    assert report.total == 0
    assert report.examples == []
    counts = record_counts(demo_engine)
    mobiles = query(data_dir.database, "SELECT count(mobile) FROM member")[0][0]
    union_codes = query(data_dir.database, 'SELECT count(credit_code) FROM "union"')[0][0]
    employer_codes = query(data_dir.database, "SELECT count(credit_code) FROM employer")[0][0]
    assert report.records_checked == (
        counts["members"] + mobiles + employer_codes + union_codes + counts["first_level_unions"]
    )


# Each damage is done behind the program's back with sqlite3 and returns (kind, what the example names).
Damage = Callable[[sqlite3.Connection, int], tuple[str, str]]


def _nth(connection: sqlite3.Connection, sql: str, n: int) -> tuple:
    return connection.execute(f"{sql} ORDER BY id LIMIT 1 OFFSET ?", (n,)).fetchone()


def _other_check_char(code: str, charset: str) -> str:
    return code[:17] + next(char for char in charset if char != code[17])


def wrong_id_check_digit(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    member_id, number = _nth(connection, "SELECT id, id_number FROM member", n)
    connection.execute(
        "UPDATE member SET id_number = ? WHERE id = ?", (_other_check_char(number, "0123456789X"), member_id)
    )
    return "member_id_number", f"会员 #{member_id}"


def lower_case_x_stored(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    member_id, number = _nth(connection, "SELECT id, id_number FROM member", n)
    taken = {row[0] for row in connection.execute("SELECT id_number FROM member")}
    for sequence in range(1000):
        body = f"{number[:14]}{sequence:03d}"
        if codes.id_check_char(body) == "X" and body + "X" not in taken:
            break
    else:
        raise AssertionError("no free ID number ending in X")
    connection.execute("UPDATE member SET id_number = ? WHERE id = ?", (body + "x", member_id))
    return "member_id_number", f"会员 #{member_id}"


def mobile_not_a_mobile(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    member_id, _ = _nth(connection, "SELECT id, mobile FROM member WHERE mobile IS NOT NULL", n)
    connection.execute("UPDATE member SET mobile = '12345678901' WHERE id = ?", (member_id,))
    return "member_mobile", f"会员 #{member_id}"


def employer_code_wrong_check_char(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    employer_id, code = _nth(connection, "SELECT id, credit_code FROM employer", n)
    connection.execute(
        "UPDATE employer SET credit_code = ? WHERE id = ?",
        (_other_check_char(code, codes.CREDIT_CHARSET), employer_id),
    )
    return "employer_credit_code", f"单位 #{employer_id}"


def union_code_right_length_wrong_check(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    union_id, code = _nth(connection, 'SELECT id, credit_code FROM "union"', n)
    bad = _other_check_char(code, codes.CREDIT_CHARSET)
    assert len(bad) == 18 and bad.startswith("81")  # passes the database's own CHECK
    connection.execute('UPDATE "union" SET credit_code = ? WHERE id = ?', (bad, union_id))
    return "union_credit_code", f"基层工会 #{union_id}"


def first_level_union_code_wrong(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    union_id, code = _nth(connection, "SELECT id, credit_code FROM first_level_union", n)
    connection.execute(
        "UPDATE first_level_union SET credit_code = ? WHERE id = ?",
        (_other_check_char(code, codes.CREDIT_CHARSET), union_id),
    )
    return "first_level_union_credit_code", f"一级工会 #{union_id}"


def dangling_foreign_key(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    connection.execute("PRAGMA foreign_keys = OFF")
    member_id, _ = _nth(connection, "SELECT id, union_id FROM member", n)
    connection.execute("UPDATE member SET union_id = 999999 WHERE id = ?", (member_id,))
    return "foreign_keys", f"member 第 {member_id} 行"


def search_index_out_of_step(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    # As if a writer had bypassed the triggers: the member stays, its entry leaves the trigram index.
    member_id, text = _nth(connection, "SELECT id, search_text FROM member", n)
    connection.execute(
        "INSERT INTO member_search(member_search, rowid, search_text) VALUES ('delete', ?, ?)",
        (member_id, text),
    )
    return "search_index", "会员搜索索引"


def leaving_without_its_change_row(connection: sqlite3.Connection, n: int) -> tuple[str, str]:
    # A member who left keeps the status and date, but the row recording the leaving is gone.
    member_id, _ = _nth(connection, "SELECT id, status FROM member WHERE status != 'active'", n)
    connection.execute("DELETE FROM membership_change WHERE member_id = ?", (member_id,))
    return "membership_history", f"会员 #{member_id}"


DAMAGES: list[Damage] = [
    wrong_id_check_digit,
    lower_case_x_stored,
    mobile_not_a_mobile,
    employer_code_wrong_check_char,
    union_code_right_length_wrong_check,
    first_level_union_code_wrong,
    dangling_foreign_key,
    search_index_out_of_step,
    leaving_without_its_change_row,
]


def _damage(data_dir: DataDir, damages: list[Damage]) -> list[tuple[str, str]]:
    with closing(tool_connection(data_dir.database)) as connection, connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        # A different row for each damage, so that no two land on the same record.
        return [damage(connection, n) for n, damage in enumerate(damages)]


@pytest.mark.parametrize("damage", DAMAGES, ids=[damage.__name__ for damage in DAMAGES])
def test_each_damage_is_counted_under_its_kind(
    demo_engine: Engine, data_dir: DataDir, damage: Damage
) -> None:
    [(kind, names)] = _damage(data_dir, [damage])

    report = check_database(demo_engine)

    assert report.problems[kind] == 1
    assert {k: v for k, v in report.problems.items() if k != kind} == dict.fromkeys(
        set(PROBLEM_KINDS) - {kind}, 0
    )
    assert report.total == 1
    assert len(report.examples) == 1
    assert names in report.examples[0]


def test_all_damages_at_once_add_up(demo_engine: Engine, data_dir: DataDir) -> None:
    done = _damage(data_dir, DAMAGES)

    report = check_database(demo_engine)

    expected = dict.fromkeys(PROBLEM_KINDS, 0)
    for kind, _ in done:
        expected[kind] += 1
    assert dict(report.problems) == expected
    assert report.total == len(DAMAGES) == 9
    assert expected["member_id_number"] == 2
    for _, names in done:
        assert any(names in example for example in report.examples), names


def test_the_examples_tell_the_clerk_what_is_wrong(demo_engine: Engine, data_dir: DataDir) -> None:
    _damage(data_dir, [wrong_id_check_digit, lower_case_x_stored])
    report = check_database(demo_engine)
    wrong, lower = report.examples
    assert "第18位校验码" in wrong
    assert "未按规范形式保存" in lower and "x" in lower
