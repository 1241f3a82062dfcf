"""Registering employers and members as a clerk does: good input is saved, bad input saves nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from models import codes
from models.employers import add_employer
from models.errors import InvalidInput
from models.paths import DataDir
from models.registers import (
    add_member,
    federation_settings,
    record_counts,
    update_federation_settings,
)
from tests.helpers import dump, execute, is_chinese, query

# A credit code and an ID number nobody in the demo has, with their check characters computed here.
CREDIT_BODY = "91500112MA60A1B2C"
CREDIT_CODE = CREDIT_BODY + codes.credit_check_char(CREDIT_BODY)
ID_BODY = "50011219880315002"
ID_NUMBER = ID_BODY + codes.id_check_char(ID_BODY)


def _wrong_check(code: str, charset: str) -> str:
    return code[:17] + next(char for char in charset if char != code[17])


def _a_union(data_dir: DataDir) -> tuple[int, str, str]:
    """An active union of the demo: (id, name, credit code)."""
    return query(
        data_dir.database,
        """SELECT id, name, credit_code FROM "union" WHERE status = 'active'
           AND name IN (SELECT name FROM "union" GROUP BY name HAVING count(*) = 1) ORDER BY id LIMIT 1""",
    )[0]


def _full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if char.isdigit() else char for char in text)


# --- employers ----------------------------------------------------------------------------------------


def test_add_employer_saves_it_with_the_code_in_its_standard_form(engine: Engine, data_dir: DataDir) -> None:
    record = add_employer(
        engine,
        name="  重庆鸿泰物流有限公司 ",
        employer_class="non_public",
        credit_code=f" {CREDIT_CODE.lower()} ",
        staff_count=120,
    )

    assert record.name == "重庆鸿泰物流有限公司"
    assert record.credit_code == CREDIT_CODE
    assert query(
        data_dir.database,
        "SELECT name, credit_code, employer_class, staff_count FROM employer WHERE id = ?",
        (record.id,),
    ) == [("重庆鸿泰物流有限公司", CREDIT_CODE, "non_public", 120)]


def test_add_employer_under_a_first_level_union_by_name(demo_engine: Engine, data_dir: DataDir) -> None:
    [(parent_id,)] = query(
        data_dir.database, "SELECT id FROM first_level_union WHERE name = '礼嘉街道总工会'"
    )
    record = add_employer(
        demo_engine,
        name="重庆礼嘉新开的商贸有限公司",
        employer_class="non_public",
        first_level_union="礼嘉街道总工会",
    )
    assert query(
        data_dir.database, "SELECT first_level_union_id FROM employer WHERE id = ?", (record.id,)
    ) == [(parent_id,)]


def test_an_employer_without_a_credit_code_is_accepted(engine: Engine) -> None:
    record = add_employer(
        engine, name="某社区便民服务点", employer_class="social_organization", credit_code="  "
    )
    assert record.credit_code is None
    assert record_counts(engine)["employers"] == 1


EMPLOYER_REFUSALS = {
    "wrong check character": (
        {"credit_code": _wrong_check(CREDIT_CODE, codes.CREDIT_CHARSET)},
        "credit_code",
        "统一社会信用代码第18位校验码",
    ),
    "17 characters": ({"credit_code": CREDIT_CODE[:17]}, "credit_code", "应为18位"),
    "empty name": ({"name": "   "}, "name", "单位名称不能为空"),
    "unknown class": ({"employer_class": "国企"}, "employer_class", "单位类别"),
    "negative staff": ({"staff_count": -3}, "staff_count", "不能为负数"),
    "unknown first-level union": (
        {"first_level_union": "不存在的街道总工会"},
        "first_level_union",
        "没有名为",
    ),
}


@pytest.mark.parametrize("case", list(EMPLOYER_REFUSALS))
def test_a_refused_employer_writes_nothing(demo_engine: Engine, data_dir: DataDir, case: str) -> None:
    changes, field, words = EMPLOYER_REFUSALS[case]
    before = dump(data_dir.database)
    values = {"name": "重庆被拒绝的单位有限公司", "employer_class": "non_public", "credit_code": CREDIT_CODE}

    with pytest.raises(InvalidInput) as refused:
        add_employer(demo_engine, **{**values, **changes})

    assert words in refused.value.message
    assert is_chinese(refused.value.message)
    assert refused.value.field == field
    assert dump(data_dir.database) == before


def test_a_credit_code_already_registered_is_refused(demo_engine: Engine, data_dir: DataDir) -> None:
    [(name, code)] = query(data_dir.database, "SELECT name, credit_code FROM employer ORDER BY id LIMIT 1")
    before = dump(data_dir.database)
    with pytest.raises(InvalidInput) as refused:
        add_employer(demo_engine, name="另一家单位", employer_class="non_public", credit_code=code.lower())
    assert name in refused.value.message
    assert dump(data_dir.database) == before


# --- members ------------------------------------------------------------------------------------------


def test_add_member_by_union_name(demo_engine: Engine, data_dir: DataDir) -> None:
    union_id, union_name, _ = _a_union(data_dir)
    members = record_counts(demo_engine)["members"]
    lower_x = next(
        body + "x"
        for body in (f"50011219900101{n:03d}" for n in range(1000))
        if codes.id_check_char(body) == "X"
    )

    record = add_member(
        demo_engine,
        name="张晓燕",
        id_number=f" {lower_x} ",
        union=union_name,
        joined_on=date(2021, 5, 4),
        mobile="+86 139-2345-6789",
    )

    assert record.union_name == union_name
    assert record.id_number == lower_x.upper()
    assert record_counts(demo_engine)["members"] == members + 1
    assert query(
        data_dir.database,
        "SELECT name, id_number, mobile, union_id, joined_on, status FROM member WHERE id = ?",
        (record.id,),
    ) == [("张晓燕", lower_x.upper(), "13923456789", union_id, "2021-05-04", "active")]


@pytest.mark.parametrize(
    "form", [str.upper, str.lower, lambda code: " ".join(code)], ids=["as-is", "lower", "spaced"]
)
def test_add_member_to_a_union_named_by_its_credit_code(demo_engine: Engine, data_dir: DataDir, form) -> None:
    union_id, union_name, code = _a_union(data_dir)
    record = add_member(
        demo_engine, name="李建国", id_number=ID_NUMBER, union=form(code), joined_on=date(2020, 3, 5)
    )
    assert record.union_name == union_name
    assert query(data_dir.database, "SELECT union_id FROM member WHERE id = ?", (record.id,)) == [(union_id,)]


def test_add_member_to_a_union_chosen_in_a_form(demo_engine: Engine, data_dir: DataDir) -> None:
    union_id, union_name, _ = _a_union(data_dir)
    record = add_member(
        demo_engine, name="王磊", id_number=ID_NUMBER, union=union_id, joined_on=date(2020, 3, 5)
    )
    assert record.union_name == union_name


def _valid_member(data_dir: DataDir) -> dict:
    return {
        "name": "赵德明",
        "id_number": ID_NUMBER,
        "mobile": "13800138000",
        "union": _a_union(data_dir)[1],
        "joined_on": date(2022, 7, 1),
    }


MEMBER_REFUSALS = {
    "wrong check digit": ({"id_number": _wrong_check(ID_NUMBER, "0123456789X")}, "id_number", "第18位校验码"),
    "letter inside": ({"id_number": ID_NUMBER[:5] + "A" + ID_NUMBER[6:]}, "id_number", "第6位应为数字"),
    "bad mobile": ({"mobile": "12345678901"}, "mobile", "手机号码"),
    "unknown union": ({"union": "不存在的公司工会委员会"}, "union", "没有找到基层工会"),
    "unknown union id": ({"union": 999_999}, "union", "已不存在"),
    "joined tomorrow": ({"joined_on": date.today() + timedelta(days=1)}, "joined_on", "晚于今天"),
    "joined before birth": ({"joined_on": date(1987, 1, 1)}, "joined_on", "早于出生日期"),
    "empty name": ({"name": " "}, "name", "姓名不能为空"),
}


@pytest.mark.parametrize("case", list(MEMBER_REFUSALS))
def test_a_refused_member_writes_nothing(demo_engine: Engine, data_dir: DataDir, case: str) -> None:
    changes, field, words = MEMBER_REFUSALS[case]
    before = dump(data_dir.database)

    with pytest.raises(InvalidInput) as refused:
        add_member(demo_engine, **{**_valid_member(data_dir), **changes})

    assert words in refused.value.message
    assert is_chinese(refused.value.message)
    assert refused.value.field == field
    assert dump(data_dir.database) == before


def test_the_form_the_refusals_start_from_is_accepted(demo_engine: Engine, data_dir: DataDir) -> None:
    """The control: each refusal above is caused by its one change, not by the rest of the form."""
    members = record_counts(demo_engine)["members"]
    add_member(demo_engine, **_valid_member(data_dir))
    assert record_counts(demo_engine)["members"] == members + 1


@pytest.mark.parametrize("typed", [str, _full_width], ids=["same", "full-width digits"])
def test_an_id_number_already_registered_is_refused_and_shown_masked(
    demo_engine: Engine, data_dir: DataDir, typed
) -> None:
    [(number, name)] = query(data_dir.database, "SELECT id_number, name FROM member ORDER BY id LIMIT 1")
    _, union_name, _ = _a_union(data_dir)
    before = dump(data_dir.database)

    with pytest.raises(InvalidInput) as refused:
        add_member(
            demo_engine, name="冒名者", id_number=typed(number), union=union_name, joined_on=date(2023, 1, 1)
        )

    message = refused.value.message
    assert codes.mask_id_number(number) in message
    assert number not in message
    assert number[6:14] not in message, "the birth date is hidden too"
    assert name in message
    assert refused.value.field == "id_number"
    assert dump(data_dir.database) == before


def test_a_union_that_transferred_out_takes_no_new_members(demo_engine: Engine, data_dir: DataDir) -> None:
    union_id, union_name, _ = _a_union(data_dir)
    execute(data_dir.database, "UPDATE \"union\" SET status = 'transferred_out' WHERE id = ?", (union_id,))
    before = dump(data_dir.database)
    with pytest.raises(InvalidInput, match="已转出或撤销"):
        add_member(
            demo_engine, name="孙丽", id_number=ID_NUMBER, union=union_name, joined_on=date(2022, 1, 1)
        )
    assert dump(data_dir.database) == before


# --- federation settings --------------------------------------------------------------------------------


def test_federation_settings_round_trip(engine: Engine) -> None:
    settings = federation_settings(engine)
    assert settings.name == "区总工会"

    update_federation_settings(
        engine,
        dataclasses.replace(
            settings,
            name=" 重庆两江新区总工会 ",
            short_name="两江工组",
            seal_text="重庆两江新区总工会",
            address="重庆市两江新区金开大道1号",
            notice_reply_days=20,
            notice_days_are_working_days=False,
            staff_threshold=80,
        ),
    )

    assert federation_settings(engine) == dataclasses.replace(
        settings,
        name="重庆两江新区总工会",
        short_name="两江工组",
        seal_text="重庆两江新区总工会",
        address="重庆市两江新区金开大道1号",
        notice_reply_days=20,
        notice_days_are_working_days=False,
        staff_threshold=80,
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "   ", "总工会名称不能为空"),
        ("short_name", "", "文号简称不能为空"),
        ("seal_text", " ", "印章文字不能为空"),
        ("notice_reply_days", 0, "答复期限"),
        ("non_public_staff_threshold", 0, "建会人数标准"),
    ],
)
def test_federation_settings_refuse_empty_or_impossible_values(
    engine: Engine, field: str, value: object, words: str
) -> None:
    settings = federation_settings(engine)
    with pytest.raises(InvalidInput) as refused:
        update_federation_settings(engine, dataclasses.replace(settings, **{field: value}))
    assert words in refused.value.message
    assert federation_settings(engine) == settings


def test_update_member_refuses_another_members_id_number_and_keeps_the_record(demo_engine) -> None:
    from sqlalchemy import select

    from models.database import reading
    from models.entities import Member
    from models.registers import member_details, update_member

    with reading(demo_engine) as s, s.begin():
        first, second = s.execute(select(Member.id, Member.id_number).order_by(Member.id).limit(2)).all()
    before = member_details(demo_engine, first.id)
    with pytest.raises(InvalidInput) as refused:
        update_member(demo_engine, first.id, name="改名", id_number=second.id_number, union=before.union_id,
                      joined_on=before.joined_on)  # fmt: skip
    assert refused.value.field == "id_number" and second.id_number not in refused.value.message
    assert member_details(demo_engine, first.id) == before
    saved = update_member(demo_engine, first.id, name="改名", id_number=before.id_number.lower(),
                          union=before.union_id, joined_on=before.joined_on, mobile="")  # fmt: skip
    after = member_details(demo_engine, first.id)
    assert saved.name == after.name == "改名" and after.mobile is None and after.id_number == before.id_number
