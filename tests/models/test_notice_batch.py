"""Issuing one kind to many employers, the print data of a chain, and the register (台账)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from models.database import open_database
from models.errors import InvalidInput
from models.notice_register import notice_register, register_scope
from models.notices import (
    BatchIssue,
    SkipReason,
    draft_notice,
    employers_by_credit_code,
    escalate_notice,
    issue_notice,
    issue_notices,
    iter_issue_notices,
    notice_print_data,
    serve_notice,
    void_notice,
)
from models.paths import DataDir
from tests.helpers import query

DAY = date(2025, 6, 2)


def without_union(data_dir: DataDir, limit: int) -> list[int]:
    sql = (
        "SELECT id FROM employer WHERE id NOT IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT ?"
    )
    return [row[0] for row in query(data_dir.database, sql, (limit,))]


def with_union(data_dir: DataDir) -> int:
    sql = (
        "SELECT employer_id FROM union_employer JOIN \"union\" u ON u.id = union_id WHERE u.status = 'active'"
    )
    return query(data_dir.database, sql)[0][0]


# --- the batch ------------------------------------------------------------------------------------------


def test_a_batch_issues_numbers_in_order_and_skips_whom_it_must(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    free = without_union(data_dir, 6)
    organised = with_union(data_dir)
    open_letter = draft_notice(demo_engine, free[0], "opinion_letter")
    outcome = issue_notices(demo_engine, "opinion_letter", [organised, *free, free[1], 999_999], DAY)

    assert [n.employer_id for n in outcome.issued] == free[1:]
    short = query(data_dir.database, "SELECT short_name FROM federation")[0][0]
    assert outcome.numbers == [f"{short}工组函〔2025〕{n}号" for n in range(1, 6)]
    reasons = {s.employer_id: (s.reason, s.reason_text) for s in outcome.skipped}
    assert reasons == {
        organised: (SkipReason.HAS_UNION, "已建会"),
        free[0]: (SkipReason.OPEN_NOTICE, "已有未结的同类文书"),
        None: (SkipReason.NOT_FOUND, "没有这家单位"),
    }
    assert query(data_dir.database, "SELECT status FROM notice WHERE id = ?", (open_letter,)) == [("draft",)]
    statuses = query(data_dir.database, "SELECT DISTINCT status FROM notice WHERE id != ?", (open_letter,))
    assert statuses == [("issued",)], "no draft is left behind by a skip"


def test_a_later_step_needs_the_earlier_one_served(demo_engine: Engine, data_dir: DataDir) -> None:
    served, unserved = without_union(data_dir, 2)
    letters = issue_notices(demo_engine, "opinion_letter", [served, unserved], DAY - timedelta(days=60))
    serve_notice(demo_engine, letters.issued[0].notice_id, DAY - timedelta(days=59), "mail")
    outcome = issue_notices(demo_engine, "inspection_opinion", [served, unserved], DAY)
    assert [n.employer_id for n in outcome.issued] == [served]
    assert [(s.employer_id, s.reason) for s in outcome.skipped] == [
        (unserved, SkipReason.EARLIER_STEP_MISSING)
    ]
    (data,) = notice_print_data(demo_engine, outcome.notice_ids)
    assert [step.document_number for step in data.earlier] == letters.numbers[:1]


def test_cancelling_keeps_what_was_issued_and_says_so(demo_engine: Engine, data_dir: DataDir) -> None:
    employers = without_union(data_dir, 5)
    outcome = BatchIssue()
    steps = iter_issue_notices(demo_engine, "opinion_letter", employers, DAY, outcome)
    assert next(steps)[:2] == (0, 5)
    next(steps)
    next(steps)
    steps.close()
    assert len(outcome.issued) == 2 and outcome.skipped == []
    assert query(data_dir.database, "SELECT count(*) FROM notice") == [(2,)]


def test_a_batch_and_a_clerk_issuing_at_once_never_share_a_number(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    employers = without_union(data_dir, 16)
    batch, singles = employers[:10], employers[10:]
    drafts = [draft_notice(demo_engine, employer, "opinion_letter") for employer in singles]
    other = open_database(data_dir)  # a second copy of the program on the same database
    numbers: list[str] = []

    def clerk() -> None:
        numbers.extend(issue_notice(other, draft, DAY).document_number for draft in drafts)

    thread = threading.Thread(target=clerk)
    thread.start()
    numbers.extend(issue_notices(demo_engine, "opinion_letter", batch, DAY).numbers)
    thread.join(timeout=60)
    other.dispose()
    assert len(numbers) == len(employers) == len(set(numbers))
    sequences = sorted(row[0] for row in query(data_dir.database, "SELECT number_seq FROM notice"))
    assert sequences == list(range(1, len(employers) + 1))


def test_a_bad_kind_or_a_future_date_is_refused_before_anything(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    employers = without_union(data_dir, 1)
    with pytest.raises(InvalidInput):
        issue_notices(demo_engine, "warning_letter", employers, DAY)
    with pytest.raises(InvalidInput, match="晚于今天"):
        issue_notices(demo_engine, "opinion_letter", employers, date.today() + timedelta(days=1))
    assert query(data_dir.database, "SELECT count(*) FROM notice") == [(0,)]


def test_credit_codes_are_found_as_typed_and_unknown_ones_listed(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    rows = query(
        data_dir.database, "SELECT id, credit_code FROM employer WHERE credit_code IS NOT NULL LIMIT 2"
    )
    (first_id, first_code), (second_id, second_code) = rows
    found, unknown = employers_by_credit_code(
        demo_engine, [f" {second_code.lower()} ", first_code, "", "91500000MA5U7A2X3B", second_code]
    )
    assert found == [second_id, first_id]
    assert unknown == ["91500000MA5U7A2X3B"]


# --- the register -------------------------------------------------------------------------------------


def test_the_register_lists_numbered_notices_with_service_and_overdue(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    first, second, third = without_union(data_dir, 3)
    letters = issue_notices(demo_engine, "opinion_letter", [first, second, third], date(2025, 3, 5))
    one, two, three = letters.notice_ids
    serve_notice(demo_engine, one, date(2025, 3, 6), "direct", signed_by="张经理")
    serve_notice(demo_engine, two, date(2025, 3, 6), "mail")
    void_notice(demo_engine, three, "单位名称有误")
    inspection = issue_notice(
        demo_engine, escalate_notice(demo_engine, two, date(2025, 5, 1)), date(2025, 5, 6)
    )
    draft_notice(demo_engine, third, "opinion_letter")  # a draft has no number: not in the register

    entries = notice_register(demo_engine, today=date(2025, 4, 1))
    assert [e.notice_id for e in entries] == [one, two, three, inspection.id]
    assert [e.status for e in entries] == ["served", "escalated", "void", "issued"]
    assert [e.overdue for e in entries] == [True, False, False, False]
    values = entries[0].values()
    assert values[1] == "工会组建意见函" and values[7:9] == ("直接送达", "张经理") and values[-1] == "逾期"
    assert entries[3].values()[-2:] == ("已发出", None)

    assert [e.notice_id for e in notice_register(demo_engine, kind="inspection_opinion")] == [inspection.id]
    assert notice_register(demo_engine, year=2024) == []
    with pytest.raises(InvalidInput):
        notice_register(demo_engine, kind="memo")
    assert register_scope("opinion_letter", 2025) == "2025年 工会组建意见函"
    assert register_scope() == "全部"
