"""建会任务: proposed by rule at the federation's thresholds, followed under the status rules, closed by
themselves (with the employer's notices) when a union is registered, listed when idle; yearly targets."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from models.database import writing
from models.employers import EmployerFields, save_employer
from models.entities import Employer, FirstLevelUnion, NoticeKind, ServiceMethod
from models.errors import InvalidInput
from models.imports import UnionRow, write_unions
from models.labels import presenter
from models.listing import LISTINGS, fetch_rows, list_ids
from models.notices import draft_notice, issue_notice, serve_notice, void_notice
from models.tasks import (
    TaskFacts,
    add_progress_note,
    change_task_status,
    create_tasks,
    record_task_facts,
    set_targets,
    stale_tasks,
    targets,
    task_details,
    tasks_to_propose,
)
from models.unions import UnionFields, close_union, save_union, transfer_in_union
from tests.helpers import execute, is_chinese, query

TODAY = date.today()
YEAR = TODAY.year


@pytest.fixture
def owners(engine: Engine) -> list[int]:
    """Two first-level unions, 人和 first."""
    with writing(engine) as s, s.begin():
        rows = [
            FirstLevelUnion(name="人和街道总工会", kind="street", sort_order=0),
            FirstLevelUnion(name="鸳鸯街道总工会", kind="street", sort_order=1),
        ]
        s.add_all(rows)
        s.flush()
        return [row.id for row in rows]


def employer(engine: Engine, name: str, owner: int | None, staff: int | None = None, **fields) -> int:
    fields.setdefault("employer_class", "state_owned")
    return save_employer(
        engine, EmployerFields(name=name, staff_count=staff, first_level_union_id=owner, **fields)
    )


def union_for(engine: Engine, owner: int, *employer_ids: int, founded_on: date | None = None) -> int:
    return save_union(
        engine,
        UnionFields(
            name=f"工会{employer_ids}", first_level_union_id=owner, kind="joint" if len(employer_ids) > 1 else "single",
            employer_ids=employer_ids, founded_on=founded_on,
        ),
    )  # fmt: skip


def task_of(engine: Engine, employer_id: int, year: int = YEAR) -> int:
    return query(
        engine.url.database,
        "SELECT id FROM organizing_task WHERE employer_id = ? AND year = ?",
        (employer_id, year),
    )[0][0]


def task_row(engine: Engine, task_id: int) -> tuple:
    """(status, status_reason, closed_on, founded_union_id) as stored."""
    return query(
        engine.url.database,
        "SELECT status, status_reason, closed_on, founded_union_id FROM organizing_task WHERE id = ?",
        (task_id,),
    )[0]


def one_task(engine: Engine, owners: list[int], staff: int = 300) -> int:
    employer_id = employer(engine, "重庆甲有限公司", owners[0], staff)
    assert create_tasks(engine, YEAR, [employer_id]) == 1
    return task_of(engine, employer_id)


# --- proposing ------------------------------------------------------------------------------------------


def test_each_rule_proposes_at_the_thresholds_and_names_what_was_met(engine: Engine, owners) -> None:
    # The federation's thresholds are 100 staff, and 50 for a non-public enterprise.
    o = owners[0]
    employer(engine, "国企100人", o, 100)
    employer(engine, "国企99人", o, 99)
    employer(engine, "规上10人", o, 10, above_scale=True)
    employer(engine, "两代表5人", o, 5, employer_class="social_organization", deputy_linked=True)
    employer(engine, "非公50人", o, 50, employer_class="non_public")
    employer(engine, "非公49人", o, 49, employer_class="non_public")
    employer(engine, "快递20人", o, 20, employer_class="non_public", new_employment_forms=True)
    employer(engine, "非公100人", o, 100, employer_class="non_public")
    employer(engine, "事业单位60人", o, 60, employer_class="public_institution")
    employer(engine, "人数不详", o, None)

    proposed = {task.employer_name: task.rules for task in tasks_to_propose(engine, YEAR)}

    assert proposed == {
        "国企100人": ("staff",),
        "规上10人": ("above_scale",),
        "两代表5人": ("deputy_linked",),
        "非公50人": ("non_public",),
        "快递20人": ("new_employment_forms",),
        "非公100人": ("staff", "non_public"),
    }


def test_the_largest_come_first_with_their_owner(engine: Engine, owners) -> None:
    employer(engine, "小", owners[1], 120)
    employer(engine, "大", owners[0], 900)

    proposed = tasks_to_propose(engine, YEAR)

    assert [(t.employer_name, t.staff_count, t.first_level_union) for t in proposed] == [
        ("大", 900, "人和街道总工会"),
        ("小", 120, "鸳鸯街道总工会"),
    ]
    assert all(task.assignable for task in proposed)


def test_a_union_or_a_task_that_year_keeps_an_employer_off_the_list(engine: Engine, owners) -> None:
    o = owners[0]
    organized = employer(engine, "已建会", o, 300)
    union_for(engine, o, organized)
    left = employer(engine, "工会已转出", o, 300)
    close_union(engine, union_for(engine, o, left), "transferred_out", TODAY, "整体转出")
    tasked = employer(engine, "今年已有任务", o, 300)
    create_tasks(engine, YEAR, [tasked])

    this_year = {task.employer_name for task in tasks_to_propose(engine, YEAR)}
    next_year = {task.employer_name for task in tasks_to_propose(engine, YEAR + 1)}

    assert this_year == {"工会已转出"}, "a union that left covers nobody here any more"
    assert next_year == {"工会已转出", "今年已有任务"}


def test_an_employer_without_a_first_level_union_is_listed_but_gets_no_task(engine: Engine, owners) -> None:
    orphan = employer(engine, "无主单位", None, 500)
    owned = employer(engine, "有主单位", owners[0], 400)

    [first, second] = tasks_to_propose(engine, YEAR)
    created = create_tasks(engine, YEAR, [orphan, owned])

    assert (first.employer_name, first.assignable) == ("无主单位", False)
    assert is_chinese(first.not_assignable) and "一级工会" in first.not_assignable
    assert second.assignable
    assert created == 1
    assert query(engine.url.database, "SELECT employer_id FROM organizing_task") == [(owned,)]


def test_created_tasks_keep_rules_and_owner_and_are_not_made_twice(engine: Engine, owners) -> None:
    a = employer(engine, "甲", owners[1], 150, employer_class="non_public", deputy_linked=True)
    b = employer(engine, "乙", owners[0], 8)  # meets no rule: a task added by hand

    assert create_tasks(engine, YEAR, [a, b]) == 2
    assert create_tasks(engine, YEAR, [a, b]) == 0

    rows = query(
        engine.url.database,
        "SELECT employer_id, year, first_level_union_id, status, rules FROM organizing_task ORDER BY employer_id",
    )
    assert rows == [
        (a, YEAR, owners[1], "not_started", "staff,deputy_linked,non_public"),
        (b, YEAR, owners[0], "not_started", None),
    ]


def test_a_year_out_of_range_is_refused(engine: Engine, owners) -> None:
    with pytest.raises(InvalidInput) as refused:
        tasks_to_propose(engine, 1999)
    assert is_chinese(refused.value.message)


def test_two_thousand_tasks_are_created_in_one_quick_transaction(engine: Engine, owners) -> None:
    with writing(engine) as s, s.begin():
        s.execute(
            insert(Employer),
            [
                {"name": f"单位{n}", "employer_class": "non_public", "staff_count": 50 + n % 300,
                 "first_level_union_id": owners[n % 2]}
                for n in range(2000)
            ],
        )  # fmt: skip
    proposed = tasks_to_propose(engine, YEAR)
    assert len(proposed) == 2000

    started = time.perf_counter()
    created = create_tasks(engine, YEAR, [task.employer_id for task in proposed])
    seconds = time.perf_counter() - started

    assert created == 2000
    assert query(engine.url.database, "SELECT count(*) FROM organizing_task")[0][0] == 2000
    assert seconds < 2, f"{seconds:.2f} s"


# --- the status rules -----------------------------------------------------------------------------------


def test_the_working_steps_go_forward_and_back(engine: Engine, owners) -> None:
    task = one_task(engine, owners)

    change_task_status(engine, task, "mobilizing")
    change_task_status(engine, task, "preparing")
    assert task_row(engine, task)[0] == "preparing"
    change_task_status(engine, task, "mobilizing")  # the clerk corrects a mistake
    assert task_row(engine, task) == ("mobilizing", None, None, None)


@pytest.mark.parametrize(("status", "word"), [("deferred", "暂缓"), ("cancelled", "注销")])
def test_deferring_or_cancelling_needs_a_reason(engine: Engine, owners, status: str, word: str) -> None:
    task = one_task(engine, owners)

    with pytest.raises(InvalidInput) as refused:
        change_task_status(engine, task, status, "  ")

    assert refused.value.field == "reason" and word in refused.value.message
    assert task_row(engine, task)[0] == "not_started", "nothing written"
    on = TODAY - timedelta(days=3)
    change_task_status(engine, task, status, " 企业停产 ", on=on)
    closed = on.isoformat() if status == "cancelled" else None
    assert task_row(engine, task) == (status, "企业停产", closed, None)


def test_a_deferred_task_is_taken_up_again_without_its_reason(engine: Engine, owners) -> None:
    task = one_task(engine, owners)
    change_task_status(engine, task, "deferred", "破产重整")

    change_task_status(engine, task, "mobilizing")

    assert task_row(engine, task) == ("mobilizing", None, None, None)


def test_founded_by_hand_without_a_union_is_refused_and_says_what_to_do(engine: Engine, owners) -> None:
    task = one_task(engine, owners)

    with pytest.raises(InvalidInput) as refused:
        change_task_status(engine, task, "founded")

    assert "登记基层工会后任务会自动完成" in refused.value.message
    assert task_row(engine, task)[0] == "not_started"


def test_founded_by_hand_records_the_union_already_covering_the_employer(engine: Engine, owners) -> None:
    # A task older than the union's registration (written before tasks closed by themselves).
    employer_id = employer(engine, "重庆甲有限公司", owners[0], 300)
    union_id = union_for(engine, owners[0], employer_id)
    execute(
        engine.url.database,
        "INSERT INTO organizing_task (uuid, created_at, updated_at, employer_id, year, first_level_union_id, "
        "status) VALUES ('t', '2026-01-01 09:00:00', '2026-01-01 09:00:00', ?, ?, ?, 'preparing')",
        (employer_id, YEAR, owners[0]),
    )
    task = task_of(engine, employer_id)
    on = TODAY - timedelta(days=1)

    change_task_status(engine, task, "founded", on=on)

    assert task_row(engine, task) == ("founded", None, on.isoformat(), union_id)
    with pytest.raises(InvalidInput) as refused:
        change_task_status(engine, task, "mobilizing")
    assert "建会完成" in refused.value.message


def test_a_cancelled_task_cannot_restart_once_the_employer_has_a_union(engine: Engine, owners) -> None:
    task = one_task(engine, owners)
    change_task_status(engine, task, "cancelled", "单位迁出本区")
    [employer_id] = query(engine.url.database, "SELECT employer_id FROM organizing_task")[0]
    union_for(engine, owners[0], employer_id)
    assert task_row(engine, task)[0] == "cancelled", "a cancelled task is not closed by the union"

    with pytest.raises(InvalidInput) as refused:
        change_task_status(engine, task, "not_started")

    assert is_chinese(refused.value.message)


@pytest.mark.parametrize(
    ("status", "on", "field"),
    [("finished", None, "status"), ("mobilizing", TODAY + timedelta(days=1), "on")],
)
def test_an_unknown_status_or_a_future_date_is_refused(engine: Engine, owners, status, on, field) -> None:
    task = one_task(engine, owners)

    with pytest.raises(InvalidInput) as refused:
        change_task_status(engine, task, status, on=on)

    assert refused.value.field == field and is_chinese(refused.value.message)


# --- closing by itself ----------------------------------------------------------------------------------


def _notice(engine: Engine, employer_id: int, kind: str, issued_on: date, override: str | None = None) -> int:
    notice_id = draft_notice(engine, employer_id, kind, override_reason=override)
    issue_notice(engine, notice_id, issued_on)
    return notice_id


def _notices(engine: Engine) -> list[tuple]:
    return query(engine.url.database, "SELECT kind, status, closed_on, closed_reason FROM notice ORDER BY id")


def test_a_registered_union_closes_the_open_tasks_and_notices_as_rectified(engine: Engine, owners) -> None:
    o = owners[0]
    employer_id = employer(engine, "重庆甲有限公司", o, 300)
    bystander = employer(engine, "重庆乙有限公司", o, 300)
    create_tasks(engine, YEAR - 1, [employer_id])
    create_tasks(engine, YEAR, [employer_id, bystander])
    last_year, this_year = task_of(engine, employer_id, YEAR - 1), task_of(engine, employer_id)
    change_task_status(engine, last_year, "deferred", "等待重组")
    issued = TODAY - timedelta(days=20)
    letter = _notice(engine, employer_id, NoticeKind.OPINION_LETTER, issued)
    serve_notice(engine, letter, issued, ServiceMethod.MAIL)
    void = _notice(engine, employer_id, NoticeKind.RECOMMENDATION, issued, override="情况紧急")
    void_notice(engine, void, "文号写错")
    draft_notice(engine, employer_id, NoticeKind.INSPECTION_OPINION)  # escalated from the letter: a draft
    founded = TODAY - timedelta(days=2)

    union_id = union_for(engine, o, employer_id, founded_on=founded)

    assert task_row(engine, last_year) == ("founded", None, founded.isoformat(), union_id)
    assert task_row(engine, this_year) == ("founded", None, founded.isoformat(), union_id)
    assert task_row(engine, task_of(engine, bystander))[0] == "not_started"
    assert _notices(engine) == [
        ("opinion_letter", "closed", founded.isoformat(), "已整改"),
        ("recommendation", "void", TODAY.isoformat(), "文号写错"),
        ("inspection_opinion", "draft", None, None),
    ]


def test_a_notice_issued_after_the_founding_is_not_closed_before_it_was_issued(
    engine: Engine, owners
) -> None:
    # The union was founded a month ago and registered today; the letter went out a week ago.
    employer_id = employer(engine, "重庆甲有限公司", owners[0], 300)
    issued = TODAY - timedelta(days=7)
    _notice(engine, employer_id, NoticeKind.OPINION_LETTER, issued)

    union_for(engine, owners[0], employer_id, founded_on=TODAY - timedelta(days=30))

    assert _notices(engine) == [("opinion_letter", "closed", issued.isoformat(), "已整改")]


def test_linking_an_employer_to_an_existing_union_closes_its_task_today(engine: Engine, owners) -> None:
    o = owners[0]
    first = employer(engine, "甲", o, 30, employer_class="non_public", new_employment_forms=True)
    second = employer(engine, "乙", o, 60, employer_class="non_public")
    union_id = union_for(engine, o, first, founded_on=date(2020, 5, 1))
    create_tasks(engine, YEAR, [second])

    save_union(
        engine,
        UnionFields(name="甲乙联合工会", first_level_union_id=o, kind="joint", employer_ids=(first, second),
                    founded_on=date(2020, 5, 1)),
        union_id,
    )  # fmt: skip

    assert task_row(engine, task_of(engine, second)) == ("founded", None, TODAY.isoformat(), union_id)


def test_a_union_transferred_in_closes_the_tasks_of_its_employers(engine: Engine, owners) -> None:
    employer_id = employer(engine, "重庆甲有限公司", owners[0], 300)
    union_id = union_for(engine, owners[0], employer_id, founded_on=date(2020, 1, 1))
    close_union(engine, union_id, "transferred_out", date(2021, 1, 1), "转出到市产业工会")
    create_tasks(engine, YEAR, [employer_id])
    back = TODAY - timedelta(days=5)

    transfer_in_union(engine, union_id, owners[1], back, "转回本区")

    assert task_row(engine, task_of(engine, employer_id)) == ("founded", None, back.isoformat(), union_id)


def test_an_imported_union_closes_the_tasks_of_its_employers(engine: Engine, owners) -> None:
    employer_id = employer(engine, "重庆甲有限公司", owners[0], 300)
    create_tasks(engine, YEAR, [employer_id])
    founded = TODAY - timedelta(days=10)

    steps = write_unions(engine, [UnionRow("甲工会", None, None, owners[0], (employer_id,), founded)])
    for _ in steps:
        pass

    [(union_id,)] = query(engine.url.database, 'SELECT id FROM "union"')
    assert task_row(engine, task_of(engine, employer_id)) == ("founded", None, founded.isoformat(), union_id)


# --- following: the 四清 and progress notes -------------------------------------------------------------


def test_facts_and_notes_are_kept_and_shown_newest_first(engine: Engine, owners) -> None:
    task = one_task(engine, owners)
    planned = TODAY + timedelta(days=60)
    record_task_facts(
        engine, task, TaskFacts(staff_found=280, workplace=" 金开大道88号 ", why_no_union="", plan="年内建会",
                                planned_on=planned),
    )  # fmt: skip
    add_progress_note(engine, task, TODAY - timedelta(days=40), "走访宣讲工会法")
    add_progress_note(engine, task, TODAY - timedelta(days=5), "成立筹备组")

    details = task_details(engine, task)

    assert details.facts == TaskFacts(280, "金开大道88号", None, "年内建会", planned)
    assert [(n.noted_on, n.note) for n in details.progress] == [
        (TODAY - timedelta(days=5), "成立筹备组"),
        (TODAY - timedelta(days=40), "走访宣讲工会法"),
    ]
    assert (details.employer.name, details.first_level_union, details.rules) == (
        "重庆甲有限公司",
        "人和街道总工会",
        ("staff",),
    )


@pytest.mark.parametrize(
    ("noted_on", "note", "field"),
    [(TODAY, "   ", "note"), (TODAY + timedelta(days=1), "走访", "noted_on")],
)
def test_an_empty_or_future_note_is_refused(engine: Engine, owners, noted_on, note, field) -> None:
    task = one_task(engine, owners)

    with pytest.raises(InvalidInput) as refused:
        add_progress_note(engine, task, noted_on, note)

    assert refused.value.field == field and is_chinese(refused.value.message)
    assert task_details(engine, task).progress == []


def test_negative_staff_found_is_refused(engine: Engine, owners) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_task_facts(engine, one_task(engine, owners), TaskFacts(staff_found=-1))
    assert refused.value.field == "staff_found"


# --- idle tasks -----------------------------------------------------------------------------------------


def _touched(engine: Engine, task_id: int, days_ago: int) -> None:
    """As if the task was created and last changed ``days_ago`` days ago (in the afternoon)."""
    moment = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()) + timedelta(hours=15)
    execute(
        engine.url.database,
        "UPDATE organizing_task SET created_at = ?, updated_at = ? WHERE id = ?",
        (f"{moment:%Y-%m-%d %H:%M:%S}", f"{moment:%Y-%m-%d %H:%M:%S}", task_id),
    )


def test_a_task_idle_for_thirty_days_is_stale(engine: Engine, owners) -> None:
    names = ("29天", "30天", "31天", "旧任务新进展", "进展30天前", "暂缓", "注销")
    ids = {name: employer(engine, name, owners[0], 200) for name in names}
    create_tasks(engine, YEAR, list(ids.values()))
    task = {name: task_of(engine, employer_id) for name, employer_id in ids.items()}
    add_progress_note(engine, task["旧任务新进展"], TODAY - timedelta(days=5), "电话联系")
    add_progress_note(engine, task["进展30天前"], TODAY - timedelta(days=30), "走访")
    change_task_status(engine, task["暂缓"], "deferred", "等待重组")
    change_task_status(engine, task["注销"], "cancelled", "单位注销")
    for name, days in (("29天", 29), ("30天", 30), ("31天", 31), ("旧任务新进展", 90), ("进展30天前", 45),
                       ("暂缓", 90), ("注销", 90)):  # fmt: skip
        _touched(engine, task[name], days)

    stale = stale_tasks(engine, TODAY)

    assert [(t.employer_name, t.last_activity, t.idle_days) for t in stale] == [
        ("31天", TODAY - timedelta(days=31), 31),
        ("30天", TODAY - timedelta(days=30), 30),
        ("进展30天前", TODAY - timedelta(days=30), 30),
    ]
    assert {t.first_level_union for t in stale} == {"人和街道总工会"}


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_shows_rules_in_words_and_the_latest_note_and_filters_by_rule(
    engine: Engine, owners
) -> None:
    a = employer(engine, "甲", owners[0], 120, employer_class="non_public")
    b = employer(engine, "乙", owners[0], 60, employer_class="non_public")
    create_tasks(engine, YEAR, [a, b])
    add_progress_note(engine, task_of(engine, a), TODAY - timedelta(days=9), "走访")
    add_progress_note(engine, task_of(engine, a), TODAY - timedelta(days=2), "再访")

    staff_only = list_ids(engine, "organizing_tasks", filters={"rule": "staff"})
    non_public = list_ids(engine, "organizing_tasks", filters={"rule": "non_public"})
    rows = fetch_rows(engine, "organizing_tasks", non_public)
    keys = LISTINGS["organizing_tasks"].column_keys
    rules = presenter("organizing_tasks", "rules")

    assert staff_only == [task_of(engine, a)]
    assert sorted(non_public) == sorted([task_of(engine, a), task_of(engine, b)])
    row_a, row_b = rows[task_of(engine, a)], rows[task_of(engine, b)]
    assert rules(row_a[keys.index("rules")]) == "职工人数达标、非公企业人数达标"
    assert rules(row_b[keys.index("rules")]) == "非公企业人数达标"
    assert row_a[keys.index("last_progress_on")] == TODAY - timedelta(days=2)
    assert row_b[keys.index("last_progress_on")] is None


# --- targets --------------------------------------------------------------------------------------------


def test_targets_are_set_per_first_level_union_and_read_for_every_one(engine: Engine, owners) -> None:
    renhe, yuanyang = owners
    assert [(t.first_level_union, t.new_unions, t.new_members, t.is_set) for t in targets(engine, YEAR)] == [
        ("人和街道总工会", 0, 0, False),
        ("鸳鸯街道总工会", 0, 0, False),
    ]

    set_targets(engine, YEAR, {renhe: (12, 600), yuanyang: (5, 250)})
    set_targets(engine, YEAR, {yuanyang: (6, 300)})  # 人和 keeps what it had
    set_targets(engine, YEAR + 1, {renhe: (20, 1000)})

    assert [(t.first_level_union, t.new_unions, t.new_members, t.is_set) for t in targets(engine, YEAR)] == [
        ("人和街道总工会", 12, 600, True),
        ("鸳鸯街道总工会", 6, 300, True),
    ]
    assert [(t.new_unions, t.new_members) for t in targets(engine, YEAR + 1)] == [(20, 1000), (0, 0)]


@pytest.mark.parametrize(
    ("year", "given"), [(YEAR, {0: (-1, 10)}), (1990, {0: (1, 10)}), (YEAR, {999: (1, 10)})]
)
def test_impossible_targets_are_refused(engine: Engine, owners, year: int, given: dict) -> None:
    mapped = {owners[0] if key == 0 else key: value for key, value in given.items()}

    with pytest.raises(InvalidInput) as refused:
        set_targets(engine, year, mapped)

    assert is_chinese(refused.value.message)
    assert query(engine.url.database, "SELECT count(*) FROM organizing_target") == [(0,)]
