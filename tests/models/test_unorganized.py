"""未建会: employers due a union by their size (100 staff, 50 for a non-public enterprise) that have none."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.employers import EmployerFields, employer_overview, save_employer
from models.entities import FirstLevelUnion
from models.errors import InvalidInput
from models.listing import fetch_rows, list_ids
from models.registers import federation_settings, update_federation_settings
from models.statistics import overview
from models.unions import UnionFields, close_union, save_union
from models.unorganized import UnorganizedEmployer, unorganized_employers

PARENT = "礼嘉街道工会"


@pytest.fixture
def office(engine: Engine) -> dict[str, int]:
    """Employers on both sides of each threshold, with and without a union; their ids by a short name."""
    with Session(engine) as s, s.begin():
        parent = FirstLevelUnion(name=PARENT, kind="street")
        s.add(parent)
        s.flush()
        parent_id = parent.id

    def employer(name: str, employer_class: str, staff: int | None, **more) -> int:
        fields = EmployerFields(
            name=name, employer_class=employer_class, staff_count=staff, first_level_union_id=parent_id
        )
        return save_employer(engine, dataclasses.replace(fields, **more))

    ids = {
        "state_99": employer("重庆九十九人国有公司", "state_owned", 99),
        "state_100": employer(
            "重庆一百人国有公司",
            "state_owned",
            100,
            founded_on=date(2018, 5, 1),
            staff_count_source="social_security",
            staff_count_date=date(2025, 12, 31),
        ),  # fmt: skip
        "private_49": employer("重庆四十九人科技有限公司", "non_public", 49),
        "private_50": employer("重庆五十人物流有限公司", "non_public", 50),
        "private_300_union": employer("重庆三百人制造有限公司", "non_public", 300),
        "public_150_dissolved": employer(
            "两江新区某事业单位", "public_institution", 150, founded_on=date(2010, 1, 1)
        ),
        "society_60": employer("两江新区某行业协会", "social_organization", 60),
        "unknown_staff": employer("人数未知的公司", "non_public", None),
    }
    covered = UnionFields("重庆三百人制造有限公司工会", parent_id, employer_ids=(ids["private_300_union"],))
    save_union(engine, covered)
    dissolved = UnionFields(
        "两江新区某事业单位工会",
        parent_id,
        employer_ids=(ids["public_150_dissolved"],),
        founded_on=date(2015, 6, 1),
    )
    dissolved_id = save_union(engine, dissolved)
    close_union(engine, dissolved_id, "dissolved", date(2024, 6, 30), "单位改制")
    return ids


def _names(found: list[UnorganizedEmployer], office: dict[str, int]) -> list[str]:
    short = {record_id: name for name, record_id in office.items()}
    return [short[employer.id] for employer in found]


def test_the_list_holds_the_employers_at_or_over_the_thresholds_without_a_union(
    engine: Engine, office: dict[str, int]
) -> None:
    found = unorganized_employers(engine)

    # 99 < 100 and 49 < 50 are not due; 300 has its union; a 社会组织 of 60 is under the general 100; an
    # unknown headcount is not counted as due. Largest first.
    assert _names(found, office) == ["public_150_dissolved", "state_100", "private_50"]


def test_each_employer_comes_with_its_headcount_its_union_and_since_when_it_has_none(
    engine: Engine, office: dict[str, int]
) -> None:
    by_id = {employer.id: employer for employer in unorganized_employers(engine)}

    assert by_id[office["state_100"]] == UnorganizedEmployer(
        id=office["state_100"], name="重庆一百人国有公司", credit_code=None, employer_class="state_owned",
        staff_count=100, staff_count_source="social_security", staff_count_date=date(2025, 12, 31),
        first_level_union=PARENT, without_union_since=date(2018, 5, 1),
    )  # fmt: skip
    # Since its union was dissolved, not since its own founding in 2010.
    assert by_id[office["public_150_dissolved"]].without_union_since == date(2024, 6, 30)
    assert by_id[office["private_50"]].without_union_since is None, "neither date is known"


def test_the_employer_page_says_the_same_since_when(engine: Engine, office: dict[str, int]) -> None:
    for employer in unorganized_employers(engine):
        assert employer_overview(engine, employer.id).without_union_since == employer.without_union_since
    assert employer_overview(engine, office["private_300_union"]).without_union_since is None


def test_thresholds_can_be_given(engine: Engine, office: dict[str, int]) -> None:
    found = unorganized_employers(engine, staff_threshold=99, non_public_staff_threshold=49)

    # 99 ≥ 99 and a non-public 49 ≥ 49 are due now; the 社会组织 of 60 is still under the general threshold.
    assert _names(found, office) == [
        "public_150_dissolved",
        "state_100",
        "state_99",
        "private_50",
        "private_49",
    ]
    assert _names(unorganized_employers(engine, staff_threshold=60), office) == [
        "public_150_dissolved", "state_100", "state_99", "society_60", "private_50",
    ]  # fmt: skip


@pytest.mark.parametrize("thresholds", [{"staff_threshold": 0}, {"non_public_staff_threshold": -5}])
def test_a_threshold_that_is_not_positive_is_refused(engine: Engine, thresholds: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="建会人数标准"):
        unorganized_employers(engine, **thresholds)


def test_without_thresholds_the_federation_settings_apply(engine: Engine, office: dict[str, int]) -> None:
    settings = federation_settings(engine)
    update_federation_settings(
        engine, dataclasses.replace(settings, staff_threshold=150, non_public_staff_threshold=49)
    )

    assert _names(unorganized_employers(engine), office) == [
        "public_150_dissolved",
        "private_50",
        "private_49",
    ]


def test_the_listing_and_the_overview_count_the_same_employers(
    engine: Engine, office: dict[str, int]
) -> None:
    expected = unorganized_employers(engine)

    assert list_ids(engine, "unorganized", sort="staff_count", descending=True) == [e.id for e in expected]
    rows = fetch_rows(engine, "unorganized", [e.id for e in expected])
    assert [UnorganizedEmployer(e.id, *rows[e.id]) for e in expected] == expected
    totals, _ = overview(engine)
    assert totals.due_without_union == len(expected)


def test_the_listing_searches_and_filters_like_the_employer_list(
    engine: Engine, office: dict[str, int]
) -> None:
    assert list_ids(engine, "unorganized", search="物流") == [office["private_50"]]
    assert list_ids(engine, "unorganized", filters={"employer_class": "state_owned"}) == [office["state_100"]]
    assert set(list_ids(engine, "unorganized", filters={"staff_band": "100_199"})) == {
        office["state_100"], office["public_150_dissolved"],
    }  # fmt: skip
