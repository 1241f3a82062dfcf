"""Tests of spreadsheets.columns: the fields of each import, header matching and layout fingerprints."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spreadsheets.columns import (
    KINDS,
    field,
    fields,
    layout_fingerprint,
    match_columns,
    missing_required,
    normalize_header,
    propose_mapping,
)
from tests.fixtures.spreadsheets.make_fixtures import HEADER

FIXTURE_HEADER = HEADER  # the messy header of the LibreOffice-written member fixtures


# --- the fields ---------------------------------------------------------------------------------------


def test_every_kind_has_fields_with_unique_keys():
    assert set(KINDS) == {"members", "employers", "unions", "headcounts"}
    for kind in KINDS:
        keys = [target.key for target in fields(kind)]
        assert len(keys) == len(set(keys)), kind
        for target in fields(kind):
            assert target.synonyms[0] == target.label
            assert target.or_field is None or target.or_field in keys


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        ("members", {"name", "id_number", "union", "joined_on"}),
        ("employers", {"name"}),
        ("unions", {"name"}),
        ("headcounts", {"credit_code", "staff_count"}),
    ],
)
def test_required_fields(kind, required):
    assert {target.key for target in fields(kind) if target.required} == required


def test_a_members_union_may_be_given_by_its_credit_code():
    assert field("members", "union").or_field == "union_credit_code"
    assert field("members", "union_credit_code").value_type == "union_credit_code"
    with pytest.raises(KeyError):
        field("members", "nothing")


@pytest.mark.parametrize(
    ("kind", "key", "synonyms"),
    [
        ("members", "id_number", ["身份证号", "身份证号码", "公民身份号码", "身份证件号码"]),
        ("members", "mobile", ["手机", "手机号", "手机号码", "联系电话", "电话"]),
        ("members", "education", ["文化程度", "学历"]),
        ("members", "household_type", ["户籍类型", "户口性质"]),
        ("members", "union", ["所在工会", "工会名称", "基层工会"]),
        ("members", "joined_on", ["入会时间", "入会日期"]),
        ("employers", "name", ["单位名称", "企业名称", "用人单位"]),
        ("employers", "credit_code", ["统一社会信用代码", "信用代码", "社会信用代码"]),
        ("employers", "employer_class", ["单位类别", "单位性质", "经济类型"]),
        ("employers", "address", ["地址", "注册地址", "经营地址"]),
        ("employers", "legal_representative", ["法定代表人", "负责人"]),
        ("employers", "staff_count", ["职工人数", "参保人数", "从业人数"]),
        ("employers", "founded_on", ["成立日期", "成立时间"]),
        ("employers", "first_level_union", ["所属一级工会", "街道"]),
        ("unions", "credit_code", ["工会统一社会信用代码", "统一社会信用代码"]),
        ("unions", "employers", ["所在单位", "覆盖单位"]),
        ("unions", "parent", ["上级工会", "所属一级工会"]),
        ("unions", "founded_on", ["成立日期", "建会时间"]),
        ("unions", "chair_name", ["工会主席", "主席"]),
        ("unions", "term_years", ["届期", "任期(年)", "任期（年）"]),
        ("unions", "covered_staff", ["覆盖职工人数"]),
        ("unions", "member_count", ["会员人数"]),
        ("headcounts", "staff_count", ["职工人数", "参保人数", "从业人数"]),
        ("headcounts", "as_of", ["统计日期", "截至日期"]),
    ],
)
def test_synonyms_from_the_lists_clerks_receive(kind, key, synonyms):
    for synonym in synonyms:
        assert propose_mapping([synonym], kind) == {0: key}, synonym


# --- header text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("身份证\n号码", "身份证号码"),
        ("姓 名", "姓名"),
        ("姓\u3000\u3000名", "姓名"),
        (" 手机号码：", "手机号码"),
        ("手机号码:", "手机号码"),
        ("*所在工会", "所在工会"),
        ("＊所在工会（必填）", "所在工会"),
        ("所在工会(必填)*", "所在工会"),
        ("★入会时间【必填】", "入会时间"),
        ("任期（年）", "任期(年)"),
        ("ＱＱ号", "qq号"),
        ("\u200b民族", "民族"),
        ("", ""),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_normalize_header(cell, text):
    assert normalize_header(cell) == text


# --- proposing a mapping ------------------------------------------------------------------------------


def test_the_fixture_header_maps_every_member_column_but_the_row_number():
    assert propose_mapping(FIXTURE_HEADER, "members") == {
        1: "name",
        2: "id_number",
        3: "sex",
        4: "ethnicity",
        5: "political_status",
        6: "education",
        7: "mobile",
        8: "household_type",
        9: "union",
        10: "joined_on",
        11: "status",
    }


def test_exact_matches_beat_contained_ones():
    # 会员姓名 contains 姓名; the exact 姓名 column wins the field.
    assert propose_mapping(["会员姓名", "姓名"], "members") == {1: "name"}
    assert propose_mapping(["会员姓名"], "members") == {0: "name"}


def test_the_preferred_synonym_wins_a_field():
    assert propose_mapping(["电话", "手机号码"], "members") == {1: "mobile"}
    assert propose_mapping(["联系电话", "手机"], "members") == {1: "mobile"}


def test_a_synonym_at_the_end_of_a_header_beats_one_inside_it():
    assert propose_mapping(["单位联系人电话"], "employers") == {0: "contact_phone"}
    assert propose_mapping(["所在工会全称"], "members") == {0: "union"}
    assert propose_mapping(["所在基层工会名称"], "members") == {0: "union"}


def test_longer_synonyms_are_tried_first():
    mapping = propose_mapping(["统一社会信用代码", "工会统一社会信用代码"], "members")
    assert mapping == {1: "union_credit_code"}


def test_a_trailing_note_in_brackets_is_ignored():
    assert propose_mapping(["身份证号码（18位）", "职工人数(人)"], "employers") == {1: "staff_count"}
    assert propose_mapping(["身份证号码（18位）"], "members") == {0: "id_number"}


def test_headers_naming_someone_else_are_not_matched():
    assert propose_mapping(["工会主席", "工会副主席"], "unions") == {0: "chair_name"}
    assert propose_mapping(["工会副主席"], "unions") == {}
    assert propose_mapping(["原工会名称"], "members") == {}


def test_sentences_are_not_headers():
    title = "两江新区某某街道基层工会会员花名册（2024年）"
    assert propose_mapping([title], "members") == {}


def test_blank_and_unknown_headers_are_left_unmapped():
    assert propose_mapping(["", None, "备注", "出生年月", 3.0], "members") == {}


def test_match_columns_scores_exact_highest():
    matches = match_columns(["姓名", "身份证号码（18位）", "会员姓名", "所在基层工会名称"], "members")
    assert [(match.column, match.field, match.score) for match in matches] == [
        (0, "name", 4),
        (1, "id_number", 3),
        (3, "union", 2),
    ]


def test_missing_required_fields():
    assert [target.key for target in missing_required({}, "members")] == [
        "name",
        "id_number",
        "union",
        "joined_on",
    ]
    assert missing_required({0: "name", 1: "id_number", 2: "union", 3: "joined_on"}, "members") == []
    # The union's credit code stands in for its name.
    assert (
        missing_required({0: "name", 1: "id_number", 2: "union_credit_code", 3: "joined_on"}, "members") == []
    )
    assert [target.key for target in missing_required({}, "headcounts")] == ["credit_code", "staff_count"]
    # A headcount list without codes names its employers: they are found by exact name.
    assert [target.key for target in missing_required({0: "name"}, "headcounts")] == ["staff_count"]


def test_a_headcounts_date_column_may_be_called_just_date():
    assert propose_mapping(["单位名称", "参保人数", "日期"], "headcounts") == {
        0: "name",
        1: "staff_count",
        2: "as_of",
    }
    assert field("headcounts", "credit_code").or_field == "name"
    # Only as the whole header: 成立日期 in an employer list is no statistics date.
    assert propose_mapping(["单位名称", "参保人数", "成立日期"], "headcounts") == {
        0: "name",
        1: "staff_count",
    }


# --- fingerprints -------------------------------------------------------------------------------------


def test_fingerprint_is_a_stable_hash():
    fingerprint = layout_fingerprint(FIXTURE_HEADER)
    assert re.fullmatch(r"[0-9a-f]{32}", fingerprint)
    # Fixed: a change here means every mapping clerks saved is forgotten (bump the version on purpose).
    assert fingerprint == "cadb1872666dfc691fbd891a6755039d"


def test_fingerprint_ignores_spacing_width_markers_and_trailing_blanks():
    messy = ["序号 ", "姓\u3000名", "身份证号码", "性别：", "民族", "政治面貌", "文化程度", "手机号码（必填）", "户籍类型",
             "所在工会", "＊入会时间", "会员状态", "", None]  # fmt: skip
    assert layout_fingerprint(messy) == layout_fingerprint(FIXTURE_HEADER)


def test_fingerprint_depends_on_order_and_position():
    base = layout_fingerprint(["姓名", "身份证号"])
    assert layout_fingerprint(["身份证号", "姓名"]) != base
    assert layout_fingerprint(["", "姓名", "身份证号"]) != base
    assert layout_fingerprint(["姓名", "", "身份证号"]) != base
    assert layout_fingerprint(["姓名身份证号"]) != base


# --- properties ---------------------------------------------------------------------------------------

ALL_SYNONYMS = sorted({synonym for kind in KINDS for target in fields(kind) for synonym in target.synonyms})
header_cells = st.lists(
    st.one_of(
        st.sampled_from(ALL_SYNONYMS),
        st.sampled_from(ALL_SYNONYMS).map(lambda text: f"*{text}（必填）"),
        st.sampled_from(ALL_SYNONYMS).map(lambda text: f"所在{text}"),
        st.text(max_size=12),
        st.just(""),
    ),
    max_size=25,
)


@given(header_cells, st.sampled_from(sorted(KINDS)))
def test_propose_mapping_never_maps_two_columns_to_one_field(cells, kind):
    mapping = propose_mapping(cells, kind)
    assert len(set(mapping.values())) == len(mapping)
    assert set(mapping) <= set(range(len(cells)))
    assert set(mapping.values()) <= {target.key for target in fields(kind)}


@given(header_cells)
def test_fingerprint_is_a_function_of_the_normalised_headers(cells):
    assert layout_fingerprint(cells) == layout_fingerprint([normalize_header(cell) for cell in cells])


@given(st.text())
def test_normalize_header_is_idempotent(text):
    once = normalize_header(text)
    assert normalize_header(once) == once
