"""The rules of personal data: masks that show only the ends, and who may take whole values out, and why."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from models.accounts import NotAllowed, create_account, sign_in, sign_out
from models.audit import AuditFilter, audit_entries
from models.codes import normalize_code
from models.entities import Role
from models.errors import InvalidInput
from models.privacy import (
    check_full_disclosure,
    disclosure_subject,
    id_number_for,
    mask_id_number,
    mask_mobile,
    mobile_for,
    personal_columns,
    record_full_disclosure,
)

PASSWORD = "口令-2026-privacy"
digits = st.text(alphabet="0123456789", min_size=0, max_size=30)
codes = st.text(alphabet="0123456789X", min_size=0, max_size=30)


def _shown(masked: str) -> int:
    return sum(character != "*" for character in masked)


# --- the masks ----------------------------------------------------------------------------------------


def test_the_masks_keep_the_ends_the_office_agreed_on() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("500112199001012311") == "500112********2311"
    assert mask_mobile("13812345678") == "138****5678"


def test_no_value_stays_no_value() -> None:
    assert mask_id_number(None) is None
    assert mask_mobile(None) is None
    assert mask_id_number("") == "" and mask_mobile("") == ""


@given(codes)
def test_an_id_number_mask_shows_at_most_six_and_four_and_keeps_the_length(text: str) -> None:
    masked = mask_id_number(text)
    assert len(masked) == len(text)
    assert _shown(masked) <= 10
    # What is shown is the value's own character in its own place, never anything else.
    assert all(shown in ("*", original) for shown, original in zip(masked, text, strict=True))
    if len(text) == 18:
        assert masked == text[:6] + "********" + text[14:]


@given(digits)
def test_a_mobile_mask_shows_at_most_three_and_four_and_keeps_the_length(text: str) -> None:
    # A country prefix is not part of the number: 008613812345678 is masked as 138****5678 (below).
    assume(not text.startswith(("86", "0086")))
    masked = mask_mobile(text)
    assert len(masked) == len(text)
    assert _shown(masked) <= 7
    assert all(shown in ("*", original) for shown, original in zip(masked, text, strict=True))
    if len(text) == 11:
        assert masked == text[:3] + "****" + text[7:]


@given(st.text(max_size=40))
def test_any_text_is_masked_without_failing_and_shows_no_more_than_the_ends(text: str) -> None:
    for mask, most in ((mask_id_number, 10), (mask_mobile, 7)):
        masked = mask(text)
        assert isinstance(masked, str)
        assert _shown(masked) <= most
        # A mask of a value with spaces or full-width digits has the length of the value as stored.
        assert len(masked) <= len(normalize_code(text))


@pytest.mark.parametrize(("short", "masked"), [("1", "*"), ("12", "**"), ("123", "1*3")])
def test_a_value_too_short_to_be_an_id_number_is_masked_all_the_same(short: str, masked: str) -> None:
    assert mask_id_number(short) == masked


def test_a_mobile_with_its_country_prefix_is_masked_as_the_number() -> None:
    assert mask_mobile("008613812345678") == "138****5678"
    assert mask_mobile("8613812345678") == "138****5678"


def test_masking_a_mask_changes_nothing() -> None:
    assert mask_id_number("110105********002X") == "110105********002X"
    assert mask_mobile("138****5678") == "138****5678"


# --- which columns ---------------------------------------------------------------------------------------


def test_the_member_list_holds_id_numbers_and_phones_and_other_lists_none() -> None:
    assert personal_columns("members") == ["id_number", "mobile"]
    assert personal_columns("members", ["name", "mobile"]) == ["mobile"]
    assert personal_columns("members", ["name", "status"]) == []
    assert personal_columns("employers") == [] and personal_columns("unions") == []
    assert (
        disclosure_subject("members", ["name", "id_number", "mobile"]) == "会员名册（完整身份证号、手机号码）"
    )
    assert disclosure_subject("members", ["id_number"], "会员花名册") == "会员花名册（完整身份证号）"


# --- who may see them, and take them out ----------------------------------------------------------------


@pytest.fixture
def accounts(engine: Engine):
    """An administrator (the first account must be one), an editor and a reader; nobody signed in."""
    create_account(engine, "admin", "管理员甲", Role.ADMINISTRATOR, PASSWORD)
    create_account(engine, "luru", "录入员乙", Role.EDITOR, PASSWORD)
    create_account(engine, "chayue", "查阅丙", Role.READER, PASSWORD)
    yield engine
    sign_out(engine)


def test_a_reader_sees_masks_in_an_opened_record_and_an_editor_the_whole_values(accounts: Engine) -> None:
    sign_in(accounts, "chayue", PASSWORD)
    assert id_number_for(accounts, "500112199001012311") == "500112********2311"
    assert mobile_for(accounts, "13812345678") == "138****5678"
    assert mobile_for(accounts, None) is None
    sign_in(accounts, "luru", PASSWORD)
    assert id_number_for(accounts, "500112199001012311") == "500112199001012311"
    assert mobile_for(accounts, "13812345678") == "13812345678"


def test_a_reader_may_not_take_whole_values_out_whatever_the_reason(accounts: Engine) -> None:
    sign_in(accounts, "chayue", PASSWORD)
    with pytest.raises(NotAllowed) as refused:
        check_full_disclosure(accounts, "上级要求核对")
    assert "录入员" in refused.value.message and "chayue" in refused.value.message


@pytest.mark.parametrize("reason", [None, "", "   \t "])
def test_an_editor_must_say_why(accounts: Engine, reason: str | None) -> None:
    sign_in(accounts, "luru", PASSWORD)
    with pytest.raises(InvalidInput) as refused:
        check_full_disclosure(accounts, reason)
    assert refused.value.field == "reason" and "理由" in refused.value.message


def test_an_editor_with_a_reason_may_and_the_trail_keeps_it(accounts: Engine) -> None:
    sign_in(accounts, "luru", PASSWORD)
    reason = check_full_disclosure(accounts, "  报送市总工会\n核对实名 ")
    assert reason == "报送市总工会 核对实名"
    record_full_disclosure(accounts, "会员名册（完整身份证号）", 12, reason, "会员名册.xlsx")

    [entry] = audit_entries(accounts, AuditFilter(action="disclose"))
    assert entry.actor == "luru"
    assert entry.changes == {"内容": "会员名册（完整身份证号）", "人数": 12, "理由": "报送市总工会 核对实名",
                             "去向": "会员名册.xlsx"}  # fmt: skip
