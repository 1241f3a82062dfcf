"""一函两书 rules: deadlines across weekends, numbers never given twice, the order of escalation."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from models import notices as notices_module
from models.database import open_database
from models.errors import InvalidInput
from models.notices import (
    add_days,
    check_number_format,
    close_notice,
    draft_notice,
    due_notices,
    escalate_notice,
    find_notice,
    issue_new_notice,
    issue_notice,
    notice_record,
    record_reply,
    serve_notice,
    void_notice,
)
from models.paths import DataDir
from tests.helpers import query

TODAY = date.today()
LATELY = TODAY - timedelta(days=60)


def _without_union(data_dir: DataDir, limit: int = 1) -> list[int]:
    sql = (
        "SELECT id FROM employer WHERE id NOT IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT ?"
    )
    return [row[0] for row in query(data_dir.database, sql, (limit,))]


# --- deadlines ----------------------------------------------------------------------------------------


def test_working_days_skip_the_weekend() -> None:
    friday = date(2026, 11, 20)
    assert add_days(friday, 1, working_days=True) == date(2026, 11, 23)  # Monday
    assert add_days(friday, 5, working_days=True) == date(2026, 11, 27)
    assert add_days(friday, 15, working_days=True) == date(2026, 12, 11)
    saturday = date(2026, 11, 21)
    assert add_days(saturday, 1, working_days=True) == date(2026, 11, 23)
    assert add_days(friday, 15, working_days=False) == date(2026, 12, 5)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(min_value=1, max_value=60)
)
def test_a_working_day_deadline_is_a_weekday_with_exactly_that_many_weekdays_before_it(
    start: date, days: int
) -> None:
    due = add_days(start, days, working_days=True)
    assert due.weekday() < 5
    between = [start + timedelta(days=n) for n in range(1, (due - start).days + 1)]
    assert sum(day.weekday() < 5 for day in between) == days


# --- numbers ------------------------------------------------------------------------------------------


def test_numbers_run_per_kind_and_year_without_leading_zeros(demo_engine: Engine, data_dir: DataDir) -> None:
    first, second, third = _without_union(data_dir, 3)
    one = issue_notice(demo_engine, draft_notice(demo_engine, first, "opinion_letter"), date(2025, 3, 5))
    two = issue_notice(demo_engine, draft_notice(demo_engine, second, "opinion_letter"), date(2025, 4, 1))
    void_notice(demo_engine, two.id, "单位名称有误")
    three = issue_notice(demo_engine, draft_notice(demo_engine, third, "opinion_letter"), date(2025, 5, 1))
    next_year = issue_notice(
        demo_engine, draft_notice(demo_engine, second, "opinion_letter"), date(2026, 1, 6)
    )
    short = query(data_dir.database, "SELECT short_name FROM federation")[0][0]
    assert one.document_number == f"{short}工组函〔2025〕1号"
    assert three.document_number == f"{short}工组函〔2025〕3号", "a voided number is never given again"
    assert notice_record(demo_engine, two.id).status == "void"
    assert next_year.document_number == f"{short}工组函〔2026〕1号"
    assert find_notice(demo_engine, f" {short}工组函〔2025〕3号 ").id == three.id


def test_two_clerks_issuing_at_the_same_moment_never_get_the_same_number(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    employers = _without_union(data_dir, 12)
    drafts = [draft_notice(demo_engine, employer, "opinion_letter") for employer in employers]
    # Each "clerk" has an engine of their own, as two copies of the program on one database would.
    engines = [open_database(data_dir) for _ in range(4)]
    numbers: list[str] = []
    barrier = threading.Barrier(len(drafts))

    def clerk(index: int, draft: int) -> None:
        barrier.wait()
        numbers.append(issue_notice(engines[index % 4], draft, date(2025, 6, 1)).document_number)

    threads = [threading.Thread(target=clerk, args=(i, d)) for i, d in enumerate(drafts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    assert len(numbers) == len(drafts) == len(set(numbers))
    sequences = sorted(
        row[0] for row in query(data_dir.database, "SELECT number_seq FROM notice WHERE number_year = 2025")
    )
    assert sequences == list(range(1, len(drafts) + 1))


@pytest.mark.parametrize(
    "text", ["两江工组函〔2020〕3号", "{short_name}函{number}号", "{year}{number}{month}"]
)
def test_a_number_format_without_year_and_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        check_number_format(text)


# --- the lifecycle ------------------------------------------------------------------------------------


def _served_letter(engine: Engine, employer: int, served_on: date) -> int:
    notice = issue_notice(engine, draft_notice(engine, employer, "opinion_letter"), served_on)
    serve_notice(engine, notice.id, served_on, "direct", signed_by="张主任")
    return notice.id


def test_serving_starts_the_deadline_and_an_unanswered_notice_becomes_overdue(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    employer = _without_union(data_dir)[0]
    notice_id = _served_letter(demo_engine, employer, LATELY)
    record = notice_record(demo_engine, notice_id)
    assert record.served_on == LATELY
    assert record.reply_due_on == add_days(LATELY, 15, working_days=True)
    assert record.overdue(TODAY) and not record.overdue(LATELY)
    due_soon, overdue = due_notices(demo_engine, TODAY)
    assert notice_id in [r.id for r in overdue] and notice_id not in [r.id for r in due_soon]
    record_reply(demo_engine, notice_id, TODAY, "单位承诺三个月内召开会员大会")
    assert not notice_record(demo_engine, notice_id).overdue(TODAY)


@pytest.mark.parametrize(
    ("method", "signed_by", "note", "field"),
    [("direct", "", None, "signed_by"), ("left", "", "", "note"), ("fax", "张三", None, "method")],
)
def test_a_service_without_what_its_method_requires_is_refused(
    demo_engine, data_dir, method, signed_by, note, field
) -> None:
    notice = issue_notice(
        demo_engine, draft_notice(demo_engine, _without_union(data_dir)[0], "opinion_letter"), LATELY
    )
    with pytest.raises(InvalidInput) as refused:
        serve_notice(demo_engine, notice.id, LATELY, method, signed_by=signed_by, note=note)
    assert refused.value.field == field
    assert notice_record(demo_engine, notice.id).status == "issued"


def test_the_escalation_order_is_enforced_and_an_override_keeps_its_reason(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    first, second = _without_union(data_dir, 2)
    with pytest.raises(InvalidInput) as refused:
        draft_notice(demo_engine, first, "inspection_opinion")
    assert "意见函" in refused.value.message and refused.value.field == "override_reason"
    with pytest.raises(InvalidInput):
        draft_notice(demo_engine, first, "recommendation")
    skipped = draft_notice(
        demo_engine, second, "inspection_opinion", override_reason="单位公开阻挠职工入会，经研究直接检查"
    )
    assert notice_record(demo_engine, skipped).override_reason.startswith("单位公开阻挠")


def test_escalating_before_the_deadline_needs_a_reason_after_it_not(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    first, second = _without_union(data_dir, 2)
    fresh = _served_letter(demo_engine, first, TODAY)
    with pytest.raises(InvalidInput, match="尚未届满"):
        escalate_notice(demo_engine, fresh, TODAY)
    early = escalate_notice(demo_engine, fresh, TODAY, override_reason="单位明确拒绝建会")
    assert notice_record(demo_engine, early).override_reason == "单位明确拒绝建会"

    old = _served_letter(demo_engine, second, LATELY)
    following = escalate_notice(demo_engine, old, TODAY)
    record = notice_record(demo_engine, following)
    assert (record.kind, record.status, record.escalated_from_id, record.override_reason) == (
        "inspection_opinion",
        "draft",
        old,
        None,
    )
    assert notice_record(demo_engine, old).status == "escalated"
    with pytest.raises(InvalidInput, match="已有一份未办结"):
        draft_notice(demo_engine, second, "inspection_opinion")


def test_a_notice_to_an_employer_with_a_union_is_refused(demo_engine: Engine, data_dir: DataDir) -> None:
    organised = query(
        data_dir.database,
        "SELECT employer_id FROM union_employer JOIN \"union\" u ON u.id = union_id WHERE u.status = 'active' LIMIT 1",
    )[0][0]
    with pytest.raises(InvalidInput, match="已建会"):
        draft_notice(demo_engine, organised, "opinion_letter")


def test_closing_and_voiding_keep_the_number(demo_engine: Engine, data_dir: DataDir) -> None:
    first = _without_union(data_dir)[0]
    served = _served_letter(demo_engine, first, LATELY)
    with pytest.raises(InvalidInput, match="不能作废"):
        void_notice(demo_engine, served, "发错了")
    close_notice(demo_engine, served, TODAY, "单位已建会")
    record = notice_record(demo_engine, served)
    assert record.status == "closed" and record.document_number


def test_voiding_a_draft_deletes_it_and_reopens_the_step_it_followed(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    employer, other = _without_union(data_dir, 2)
    letter = draft_notice(demo_engine, employer, "opinion_letter")
    issue_notice(demo_engine, letter, date.today() - timedelta(days=60))
    serve_notice(demo_engine, letter, date.today() - timedelta(days=59), "direct", signed_by="王五")
    following = escalate_notice(demo_engine, letter, date.today())
    assert notice_record(demo_engine, letter).status == "escalated"

    assert void_notice(demo_engine, following, "还要再催一次") == letter

    assert notice_record(demo_engine, letter).status == "served"
    assert query(data_dir.database, "SELECT count(*) FROM notice WHERE id = ?", (following,))[0][0] == 0
    lone = draft_notice(demo_engine, other, "opinion_letter")
    assert void_notice(demo_engine, lone, "拟错了") is None


def test_a_notice_issued_in_one_step_leaves_no_draft_when_numbering_fails(
    demo_engine: Engine, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    [employer] = _without_union(data_dir)
    before = query(data_dir.database, "SELECT count(*) FROM notice")

    def numbering_fails(*_args) -> None:
        raise OSError("磁盘已满")  # as a full disk or a killed process would, between drafting and numbering

    monkeypatch.setattr(notices_module, "_issue", numbering_fails)
    with pytest.raises(OSError):
        issue_new_notice(demo_engine, employer, "opinion_letter", date(2026, 3, 2))
    assert query(data_dir.database, "SELECT count(*) FROM notice") == before

    monkeypatch.undo()
    record = issue_new_notice(demo_engine, employer, "opinion_letter", date(2026, 3, 2))
    assert record.document_number and record.status == "issued"
