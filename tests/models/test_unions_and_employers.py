"""Unions and employers in full: the forms' checks, the union tree, moves and transfers, the employer page."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from models import codes
from models.employers import EmployerFields, employer_overview, save_employer
from models.errors import InvalidInput
from models.paths import DataDir
from models.registers import first_level_union_choices
from models.unions import (
    UnionFields,
    close_union,
    move_union,
    save_union,
    transfer_in_union,
    union_details,
    union_tree,
)
from tests.helpers import dump, is_chinese, query

UNION_BODY = "81500112MA60A1B2C"
UNION_CODE = UNION_BODY + codes.credit_check_char(UNION_BODY)
EMPLOYER_BODY = "91500112MA60A9B8C"
EMPLOYER_CODE = EMPLOYER_BODY + codes.credit_check_char(EMPLOYER_BODY)

# After every demo union was founded (the demo dates nothing later than last year).
LATELY = date.today() - timedelta(days=30)


def _parents(engine: Engine) -> list[int]:
    return [union_id for union_id, _ in first_level_union_choices(engine)]


def _union_id(data_dir: DataDir) -> int:
    return query(data_dir.database, "SELECT id FROM \"union\" WHERE status = 'active' ORDER BY id LIMIT 1")[
        0
    ][0]


def _employers_without_union(data_dir: DataDir, limit: int) -> list[int]:
    sql = (
        "SELECT id FROM employer WHERE id NOT IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT ?"
    )
    return [row[0] for row in query(data_dir.database, sql, (limit,))]


# --- the union form -----------------------------------------------------------------------------------


def test_a_new_joint_union_covers_its_employers(demo_engine: Engine, data_dir: DataDir) -> None:
    employers = _employers_without_union(data_dir, 3)
    fields = UnionFields(
        name=" 两江新区物流园联合工会 ", first_level_union_id=_parents(demo_engine)[0], kind="joint",
        credit_code=UNION_CODE.lower(), employer_ids=tuple(employers), founded_on=date(2024, 5, 1),
        chair_name="王芳", chair_phone="139 1234 5678", term_years=3, covered_staff=260,
    )  # fmt: skip
    union_id = save_union(demo_engine, fields)
    details = union_details(demo_engine, union_id)
    assert details.fields.name == "两江新区物流园联合工会"
    assert details.fields.credit_code == UNION_CODE
    assert details.fields.chair_phone == "13912345678"
    assert sorted(details.fields.employer_ids) == employers
    assert details.status == "active" and details.members == 0
    assert all(employer_overview(demo_engine, e).has_union for e in employers)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"credit_code": EMPLOYER_CODE}, "credit_code"),  # an employer's code, not a union's (81…)
        ({"chair_phone": "1391234567"}, "chair_phone"),
        ({"term_years": 4}, "term_years"),
        ({"founded_on": date.today() + timedelta(days=1)}, "founded_on"),
        ({"kind": "single", "employer_ids": (1, 2)}, "employer_ids"),
    ],
)
def test_a_refused_union_field_is_named_and_nothing_is_written(
    demo_engine: Engine, data_dir: DataDir, change: dict, field: str
) -> None:
    fields = UnionFields(name="新工会", first_level_union_id=_parents(demo_engine)[0])
    before = dump(data_dir.database)
    with pytest.raises(InvalidInput) as refused:
        save_union(demo_engine, dataclasses.replace(fields, **change))
    assert refused.value.field == field and is_chinese(refused.value.message)
    assert dump(data_dir.database) == before


def test_editing_a_union_keeps_its_parent_and_members(demo_engine: Engine, data_dir: DataDir) -> None:
    union_id = _union_id(data_dir)
    details = union_details(demo_engine, union_id)
    save_union(
        demo_engine,
        dataclasses.replace(
            details.fields, chair_name="赵敏", first_level_union_id=_parents(demo_engine)[-1]
        ),
        union_id,
    )
    after = union_details(demo_engine, union_id)
    assert after.fields.chair_name == "赵敏"
    assert after.fields.first_level_union_id == details.fields.first_level_union_id, (
        "a move needs a date and reason"
    )
    assert after.members == details.members


# --- the tree, moves and transfers --------------------------------------------------------------------


def test_the_tree_counts_what_the_lists_count(demo_engine: Engine, data_dir: DataDir) -> None:
    tree = union_tree(demo_engine)
    assert [branch.id for branch in tree] == _parents(demo_engine)
    active_members = query(
        data_dir.database,
        "SELECT count(*) FROM member JOIN \"union\" u ON u.id = union_id WHERE member.status = 'active' AND u.status = 'active'",
    )[0][0]
    assert sum(branch.members for branch in tree) == active_members
    covered = query(data_dir.database, "SELECT sum(covered_staff) FROM \"union\" WHERE status = 'active'")[0][
        0
    ]
    assert sum(branch.covered_staff for branch in tree) == covered


def test_moving_a_union_changes_its_branch_and_keeps_the_history(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    union_id = _union_id(data_dir)
    old_parent = union_details(demo_engine, union_id).fields.first_level_union_id
    new_parent = next(p for p in _parents(demo_engine) if p != old_parent)
    move_union(demo_engine, union_id, new_parent, LATELY, "街道区划调整")
    branches = {branch.id: {u.id for u in branch.unions} for branch in union_tree(demo_engine)}
    assert union_id in branches[new_parent] and union_id not in branches[old_parent]
    event = union_details(demo_engine, union_id).events[-1]
    assert (event.kind, event.happened_on, event.reason) == ("moved", LATELY, "街道区划调整")
    with pytest.raises(InvalidInput, match="已隶属于"):
        move_union(demo_engine, union_id, new_parent, LATELY, None)


def test_transfer_out_then_in_again(demo_engine: Engine, data_dir: DataDir) -> None:
    union_id = _union_id(data_dir)
    with pytest.raises(InvalidInput, match="原因"):
        close_union(demo_engine, union_id, "transferred_out", LATELY - timedelta(days=20), "  ")
    close_union(demo_engine, union_id, "transferred_out", LATELY - timedelta(days=20), "单位迁往渝北区")
    assert union_id not in {u.id for branch in union_tree(demo_engine) for u in branch.unions}
    assert union_id in {
        u.id for branch in union_tree(demo_engine, include_closed=True) for u in branch.unions
    }
    with pytest.raises(InvalidInput, match="转出日期"):
        transfer_in_union(demo_engine, union_id, _parents(demo_engine)[0], LATELY - timedelta(days=21), None)
    transfer_in_union(demo_engine, union_id, _parents(demo_engine)[0], LATELY, "单位迁回")
    details = union_details(demo_engine, union_id)
    assert details.status == "active"
    assert [e.kind for e in details.events] == ["transferred_out", "transferred_in"]


def test_a_dissolved_union_cannot_be_transferred_in(demo_engine: Engine, data_dir: DataDir) -> None:
    union_id = _union_id(data_dir)
    close_union(demo_engine, union_id, "dissolved", LATELY - timedelta(days=20), "单位注销")
    with pytest.raises(InvalidInput, match="撤销"):
        transfer_in_union(demo_engine, union_id, _parents(demo_engine)[0], LATELY, None)
    with pytest.raises(InvalidInput, match="已经转出或撤销"):
        close_union(demo_engine, union_id, "transferred_out", LATELY, "再转出")


# --- employers ----------------------------------------------------------------------------------------


def test_an_employer_is_saved_in_full_and_shown_on_its_page(engine: Engine) -> None:
    fields = EmployerFields(
        name="重庆示例物流有限公司", employer_class="non_public", credit_code=EMPLOYER_CODE,
        address="两江新区金渝大道1号", legal_representative="陈伟", founded_on=date(2019, 4, 2),
        staff_count=180, staff_count_source="social_security", staff_count_date=date(2025, 6, 30),
        above_scale=True,
    )  # fmt: skip
    employer_id = save_employer(engine, fields)
    page = employer_overview(engine, employer_id)
    assert page.fields == fields
    assert not page.has_union and page.without_union_since == date(2019, 4, 2)
    assert (page.unions, page.tasks, page.notices, page.visits) == ([], [], [], [])
    save_employer(engine, dataclasses.replace(fields, staff_count=210), employer_id)
    assert employer_overview(engine, employer_id).fields.staff_count == 210


def test_the_employer_page_of_a_demo_employer_shows_its_union_and_tasks(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    employer_id = query(data_dir.database, "SELECT employer_id FROM union_employer LIMIT 1")[0][0]
    page = employer_overview(demo_engine, employer_id)
    assert page.has_union and page.without_union_since is None
    assert page.unions[0].members >= 0
    task_employer = query(data_dir.database, "SELECT employer_id, year FROM organizing_task LIMIT 1")[0]
    assert [t.year for t in employer_overview(demo_engine, task_employer[0]).tasks][0] == task_employer[1]


def test_an_employer_without_union_since_its_union_was_dissolved(
    demo_engine: Engine, data_dir: DataDir
) -> None:
    union_id, employer_id = query(
        data_dir.database,
        "SELECT union_id, employer_id FROM union_employer ue WHERE (SELECT count(*) FROM union_employer WHERE employer_id = ue.employer_id) = 1 LIMIT 1",
    )[0]
    close_union(demo_engine, union_id, "dissolved", LATELY, "单位停业")
    page = employer_overview(demo_engine, employer_id)
    assert not page.has_union and page.without_union_since == LATELY


def test_a_credit_code_taken_by_another_employer_is_refused(demo_engine: Engine, data_dir: DataDir) -> None:
    taken = query(
        data_dir.database, "SELECT credit_code FROM employer WHERE credit_code IS NOT NULL LIMIT 1"
    )[0][0]
    with pytest.raises(InvalidInput) as refused:
        save_employer(
            demo_engine, EmployerFields(name="另一家", employer_class="non_public", credit_code=taken)
        )
    assert refused.value.field == "credit_code" and "已登记" in refused.value.message
