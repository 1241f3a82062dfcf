"""``check``: is the database whole and is every stored code still valid?"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from models import codes
from models.audit import audit_trail_problems
from models.database import reading
from models.entities import (
    TRIGRAM_INDEX,
    Employer,
    FirstLevelUnion,
    Member,
    MembershipChangeKind,
    MemberStatus,
    Union,
)
from models.errors import CodeError
from models.labels import MEMBER_STATUS, MEMBERSHIP_CHANGE


@dataclass
class CheckReport:
    """Problem counts by kind (zero counts included), and a few examples for the clerk to look at."""

    problems: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    records_checked: int = 0

    @property
    def total(self) -> int:
        return sum(self.problems.values())

    def add(self, kind: str, example: str) -> None:
        self.problems[kind] += 1
        if len(self.examples) < 20:
            self.examples.append(example)


PROBLEM_KINDS = (
    "integrity",
    "foreign_keys",
    "search_index",
    "member_id_number",
    "member_mobile",
    "employer_credit_code",
    "union_credit_code",
    "first_level_union_credit_code",
    "membership_history",
    "audit_trail",
)


def _recheck(
    report: CheckReport, kind: str, rows: Iterable[tuple[int, str]], check: Callable[[str], str], table: str
) -> None:
    for record_id, value in rows:
        report.records_checked += 1
        try:
            valid = check(value)
        except CodeError as exc:
            report.add(kind, f"{table} #{record_id}：{exc.message}")
            continue
        if valid != value:  # stored in a form the program would not have written
            report.add(kind, f"{table} #{record_id}：“{value}”未按规范形式保存（应为“{valid}”）")


def _check_trigram_index(report: CheckReport, connection) -> None:
    # PRAGMA integrity_check looks inside FTS5 tables only from SQLite 3.44 on; with rank 1 the FTS5
    # check also compares the index with the member rows it was built from. It writes nothing.
    try:
        connection.exec_driver_sql(
            f"INSERT INTO {TRIGRAM_INDEX}({TRIGRAM_INDEX}, rank) VALUES ('integrity-check', 1)"
        )
    except DBAPIError as exc:
        report.add("search_index", f"会员搜索索引与会员记录不一致（{exc.orig}）")


# Each member's latest change (by date, then by the order written: a rejoining on the day of a leaving comes
# after it) beside the member's present state; the rows where the two disagree.
_HISTORY_MISMATCHES = f"""
WITH latest AS (
    SELECT member_id, kind, happened_on,
           row_number() OVER (PARTITION BY member_id ORDER BY happened_on DESC, id DESC) AS n
    FROM membership_change
)
SELECT m.id, m.status, m.left_on, latest.kind, latest.happened_on
FROM member AS m LEFT JOIN latest ON latest.member_id = m.id AND latest.n = 1
WHERE CASE WHEN m.status = '{MemberStatus.ACTIVE.value}'
           THEN latest.kind IS NOT NULL AND latest.kind != '{MembershipChangeKind.REJOINED.value}'
           ELSE latest.kind IS NULL OR latest.kind != m.status OR latest.happened_on IS NOT m.left_on END
ORDER BY m.id
"""


def _check_membership_history(report: CheckReport, connection) -> None:
    """The member row holds the present state and membership_change every change with its date: a member
    who left must have as latest change that leaving on its date, an active member no leaving as latest."""
    for member_id, status, left_on, kind, happened_on in connection.exec_driver_sql(_HISTORY_MISMATCHES):
        now = MEMBER_STATUS[status] + (f"（{left_on}）" if left_on else "")
        if kind is None:
            last = "没有转出、退会记录"
        else:
            last = f"最近的进出记录为{MEMBERSHIP_CHANGE[kind]}（{happened_on}）"
        report.add("membership_history", f"会员 #{member_id}：状态为{now}，但{last}")


def _check_audit_trail(report: CheckReport, connection) -> None:
    count, descriptions = audit_trail_problems(connection)
    report.problems["audit_trail"] += count
    report.examples.extend(descriptions[: max(0, 20 - len(report.examples))])


def check_database(engine: Engine) -> CheckReport:
    """Run SQLite's integrity and foreign-key checks, re-validate every stored code, and compare each
    member's state with its history of leaving and rejoining, and recompute the audit trail's chain."""
    report = CheckReport(problems=Counter(dict.fromkeys(PROBLEM_KINDS, 0)))
    with engine.connect() as connection:
        for (line,) in connection.exec_driver_sql("PRAGMA integrity_check"):
            if line != "ok":
                report.add("integrity", line)
        for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            report.add("foreign_keys", f"{table} 第 {rowid} 行引用了不存在的 {parent} 记录")
        _check_trigram_index(report, connection)
        _check_membership_history(report, connection)
        _check_audit_trail(report, connection)
    with reading(engine) as s, s.begin():
        _recheck(
            report,
            "member_id_number",
            s.execute(select(Member.id, Member.id_number)),
            codes.check_id_number,
            "会员",
        )
        _recheck(
            report,
            "member_mobile",
            s.execute(select(Member.id, Member.mobile).where(Member.mobile.is_not(None))),
            codes.check_mobile,
            "会员",
        )
        _recheck(
            report,
            "employer_credit_code",
            s.execute(select(Employer.id, Employer.credit_code).where(Employer.credit_code.is_not(None))),
            codes.check_credit_code,
            "单位",
        )
        _recheck(
            report,
            "union_credit_code",
            s.execute(select(Union.id, Union.credit_code).where(Union.credit_code.is_not(None))),
            codes.check_union_credit_code,
            "基层工会",
        )
        _recheck(
            report,
            "first_level_union_credit_code",
            s.execute(
                select(FirstLevelUnion.id, FirstLevelUnion.credit_code).where(
                    FirstLevelUnion.credit_code.is_not(None)
                )
            ),
            codes.check_union_credit_code,
            "一级工会",
        )
    return report
