"""Demo data: what was asked for, valid and unique codes, the article's shape, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from models import codes
from models.database import open_database
from models.demo import DatabaseNotEmpty, DemoPlan, generate_demo
from models.employers import add_employer
from models.errors import InvalidInput
from models.paths import DataDir
from models.registers import database_is_empty, federation_settings, record_counts
from tests.helpers import count, dump, is_chinese, query

SHAPE_PLAN = DemoPlan(employers=400, members=2000, seed=2020)


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    """A demo database large enough for its shape to show: 400 employers, 2,000 members."""
    data_dir = DataDir(tmp_path_factory.mktemp("demo-shape"))
    engine = open_database(data_dir)
    try:
        for _ in generate_demo(engine, SHAPE_PLAN):
            pass
    finally:
        engine.dispose()
    yield data_dir


def _column(data_dir: DataDir, sql: str) -> list:
    return [row[0] for row in query(data_dir.database, sql)]


def test_the_counts_are_exactly_as_asked(engine: Engine) -> None:
    progress = list(generate_demo(engine, DemoPlan(employers=40, members=700, seed=11)))

    counts = record_counts(engine)
    assert counts["employers"] == 40
    assert counts["members"] == 700
    assert counts["first_level_unions"] > 0
    assert 0 < counts["unions"] <= 40
    done = [step[0] for step in progress]
    assert done == sorted(done), "progress never goes backwards"
    assert progress[-1][0] == progress[-1][1] == 740
    assert federation_settings(engine).name == "重庆两江新区总工会"


@pytest.mark.parametrize("plan", [DemoPlan(employers=0, members=10), DemoPlan(employers=5, members=-1)])
def test_an_impossible_plan_is_refused(engine: Engine, plan: DemoPlan) -> None:
    with pytest.raises(InvalidInput):
        next(generate_demo(engine, plan))
    assert database_is_empty(engine)


def test_every_id_number_is_valid_and_unique(shaped: DataDir) -> None:
    numbers = _column(shaped, "SELECT id_number FROM member")
    assert len(numbers) == SHAPE_PLAN.members
    assert [codes.check_id_number(number) for number in numbers] == numbers
    assert len(set(numbers)) == len(numbers)


def test_every_credit_code_is_valid_and_unique(shaped: DataDir) -> None:
    employers = _column(shaped, "SELECT credit_code FROM employer")
    unions = _column(shaped, 'SELECT credit_code FROM "union"') + _column(
        shaped, "SELECT credit_code FROM first_level_union"
    )
    assert None not in employers + unions
    assert [codes.check_credit_code(code) for code in employers] == employers
    assert [codes.check_union_credit_code(code) for code in unions] == unions
    assert len(set(employers + unions)) == len(employers + unions)


def test_every_mobile_is_valid_and_no_two_people_share_one(shaped: DataDir) -> None:
    members = _column(shaped, "SELECT mobile FROM member WHERE mobile IS NOT NULL")
    others = _column(shaped, "SELECT contact_phone FROM employer") + _column(
        shaped, 'SELECT chair_phone FROM "union"'
    )
    assert len(members) > SHAPE_PLAN.members // 2
    everyone = members + others
    assert [codes.check_mobile(mobile) for mobile in everyone] == everyone
    assert len(set(everyone)) == len(everyone)


def test_about_a_third_of_employers_have_no_union_small_and_large(shaped: DataDir) -> None:
    staff = _column(
        shaped,
        """SELECT staff_count FROM employer e WHERE NOT EXISTS (
               SELECT 1 FROM union_employer ue JOIN "union" u ON u.id = ue.union_id
               WHERE ue.employer_id = e.id AND u.status = 'active')""",
    )
    assert 0.25 <= len(staff) / SHAPE_PLAN.employers <= 0.45
    assert any(n < 50 for n in staff)
    assert any(n >= 100 for n in staff), "some employers with 100+ staff must still be without a union"


def test_joint_unions_cover_several_employers(shaped: DataDir) -> None:
    covered = dict(
        query(
            shaped.database,
            """SELECT u.kind || ':' || u.id, count(ue.employer_id) FROM "union" u
               LEFT JOIN union_employer ue ON ue.union_id = u.id GROUP BY u.id""",
        )
    )
    joint = [n for key, n in covered.items() if key.startswith("joint:")]
    single = [n for key, n in covered.items() if key.startswith("single:")]
    assert len(joint) >= 2
    assert min(joint) >= 2 and max(joint) >= 3
    assert set(single) == {1}


def _joined_before_founding(data_dir: DataDir) -> list[tuple]:
    return query(
        data_dir.database,
        """SELECT m.id, m.joined_on, u.founded_on FROM member m JOIN "union" u ON u.id = m.union_id
           WHERE m.joined_on < u.founded_on""",
    )


def test_members_joined_since_2015_up_to_today_never_before_their_union(shaped: DataDir) -> None:
    first, last = query(shaped.database, "SELECT min(joined_on), max(joined_on) FROM member")[0]
    assert date.fromisoformat(first) >= date(2015, 1, 1)
    assert date.fromisoformat(last) <= date.today()
    assert _joined_before_founding(shaped) == []


def test_members_of_unions_founded_lately_do_not_join_before_the_founding(tmp_path) -> None:
    """Run as if years from now, when many employers (and their unions) are younger than any fixed date."""
    plan = DemoPlan(employers=200, members=1000, seed=9, today=date(2031, 6, 1))
    data_dir = _generate(DataDir(tmp_path), plan)
    late = query(data_dir.database, "SELECT count(*) FROM \"union\" WHERE founded_on > '2026-01-01'")[0][0]
    assert late > 0, "the plan should hold unions founded lately"
    assert _joined_before_founding(data_dir) == []
    assert query(data_dir.database, "SELECT max(joined_on) FROM member")[0][0] <= plan.today.isoformat()


def test_members_are_of_working_age_when_they_join(shaped: DataDir) -> None:
    for number, joined in query(shaped.database, "SELECT id_number, joined_on FROM member"):
        born = codes.birth_date_from_id(number)
        joined_on = date.fromisoformat(joined)
        age = joined_on.year - born.year - ((joined_on.month, joined_on.day) < (born.month, born.day))
        assert 16 <= age <= 65, (number, joined)


def test_a_database_with_records_is_refused_and_nothing_is_written(engine: Engine, data_dir: DataDir) -> None:
    add_employer(engine, name="重庆真实登记的单位有限公司", employer_class="non_public")
    before = dump(data_dir.database)

    with pytest.raises(DatabaseNotEmpty) as refused:
        list(generate_demo(engine, DemoPlan(employers=10, members=50)))

    assert is_chinese(refused.value.message)
    assert dump(data_dir.database) == before
    assert federation_settings(engine).name == "区总工会"


def test_cancelling_half_way_leaves_the_database_empty(engine: Engine, data_dir: DataDir) -> None:
    plan = DemoPlan(employers=30, members=12_000, seed=5)
    generator = generate_demo(engine, plan)
    for step in generator:
        if step[2].startswith("正在生成会员"):
            break
    else:
        pytest.fail("the demo never reached its members")
    done, total, _ = step
    assert done < total, "the cancel comes before the end"

    generator.close()

    assert database_is_empty(engine)
    assert count(data_dir.database, "member") == 0
    assert count(data_dir.database, "employer") == 0
    assert federation_settings(engine).name == "区总工会"


def _names(data_dir: DataDir) -> list[str]:
    return _column(
        data_dir,
        """SELECT name FROM (SELECT name, id, 1 AS t FROM employer UNION ALL SELECT name, id, 2 FROM "union"
           UNION ALL SELECT name, id, 3 FROM member) ORDER BY t, id""",
    )


def _generate(data_dir: DataDir, plan: DemoPlan) -> DataDir:
    engine = open_database(data_dir)
    try:
        for _ in generate_demo(engine, plan):
            pass
    finally:
        engine.dispose()
    return data_dir


def test_the_same_seed_gives_the_same_names(tmp_path) -> None:
    plan = DemoPlan(employers=25, members=300, seed=42, today=date(2026, 3, 1))
    first = _generate(DataDir(tmp_path / "a"), plan)
    second = _generate(DataDir(tmp_path / "b"), plan)
    other = _generate(DataDir(tmp_path / "c"), DemoPlan(employers=25, members=300, seed=43, today=plan.today))

    assert _names(first) == _names(second)
    assert _column(first, "SELECT id_number FROM member") == _column(second, "SELECT id_number FROM member")
    assert _names(first) != _names(other)
