"""Tests of models.codes: known vectors from the standards, every refusal message, and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from models.codes import (
    CREDIT_CHARSET,
    PROVINCE_CODES,
    REGISTERING_AUTHORITIES,
    birth_date_from_id,
    check_credit_code,
    check_id_number,
    check_mobile,
    check_union_credit_code,
    credit_check_char,
    id_check_char,
    mask_id_number,
    mask_mobile,
    normalize_code,
    sex_from_id,
)
from models.errors import CodeError

TODAY = date(2024, 6, 1)
GB_ID = "11010519491231002X"
GB_ID_1880 = "440524188001010014"
GB_CREDIT = "91350100M000100Y43"
# Check characters below were computed by an independent implementation of GB 32100-2015.
CREDIT_CODES = ["914403001922038216", "91330100716105852F", "9144030071526726XG"]
UNION_CODES = ["811100005000000008", "81440300MC0000000N"]
ID_CHARS = "0123456789X"
# One ID per check character 0-9 and X, computed by an independent implementation of GB 11643-1999, so
# that a wrong entry anywhere in the sum-to-character table is caught.
ID_PER_CHECK_CHAR = [
    "440300198001010070",
    "440300198001010011",
    "440300198001010062",
    "440300198001010003",
    "440300198001010054",
    "440300198001010185",
    "440300198001010046",
    "440300198001010097",
    "440300198001010038",
    "440300198001010089",
    "44030019800101002X",
]


def _refusal(check, text: str, **kwargs) -> CodeError:
    with pytest.raises(CodeError) as info:
        check(text, **kwargs)
    return info.value


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


# --- constants ---


def test_credit_charset_leaves_out_ambiguous_letters():
    assert len(CREDIT_CHARSET) == 31
    assert not set("IOSVZ") & set(CREDIT_CHARSET)


def test_province_codes():
    edges = {"11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82", "83"}
    assert edges <= PROVINCE_CODES
    assert len(PROVINCE_CODES) == 5 + 3 + 7 + 6 + 5 + 5 + 4
    assert not {"00", "10", "16", "20", "24", "40", "47", "55", "60", "66", "84", "99"} & PROVINCE_CODES


def test_registering_authorities():
    assert REGISTERING_AUTHORITIES["8"] == "工会"
    assert REGISTERING_AUTHORITIES["9"] == "市场监管（工商）"
    assert set(REGISTERING_AUTHORITIES) == set("123456789ANY")
    assert set(REGISTERING_AUTHORITIES) <= set(CREDIT_CHARSET)


# --- ID numbers: known good ---


@pytest.mark.parametrize("vector", [GB_ID, GB_ID_1880, *ID_PER_CHECK_CHAR])
def test_id_check_char_of_known_numbers(vector):
    assert id_check_char(vector[:17]) == vector[17]


@pytest.mark.parametrize("vector", [GB_ID, GB_ID_1880, *ID_PER_CHECK_CHAR])
def test_known_numbers_pass(vector):
    assert check_id_number(vector, today=TODAY) == vector


@pytest.mark.parametrize(
    "text",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２ｘ",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105 19491231 002x ",
        "\u3000110105\u300019491231\xa0002X\t\n",
        "110105\r\n19491231\u200b002x",
    ],
)
def test_id_variants_normalise(text):
    assert check_id_number(text, today=TODAY) == GB_ID


def test_birth_date_and_sex_of_standard_examples():
    assert birth_date_from_id(GB_ID) == date(1949, 12, 31)
    assert sex_from_id(GB_ID) == "F"
    assert birth_date_from_id(GB_ID_1880) == date(1880, 1, 1)
    assert sex_from_id(GB_ID_1880) == "M"


def test_birth_date_and_sex_accept_pasted_text():
    assert birth_date_from_id(" １１０１０５ 19491231 002x") == date(1949, 12, 31)
    assert sex_from_id("11010519491231002x") == "F"


def test_birth_date_and_sex_refuse_invalid_numbers():
    with pytest.raises(CodeError):
        birth_date_from_id("110105194912310023")
    with pytest.raises(CodeError):
        sex_from_id("")


def test_birth_on_today_passes():
    number = "11010520240601001"
    number += id_check_char(number)
    assert check_id_number(number, today=date(2024, 6, 1)) == number


@pytest.mark.parametrize("bad", ["", "1234567890123456", "1101051949123100X", "1101051949123100a"])
def test_id_check_char_refuses_unclean_input(bad):
    with pytest.raises(ValueError):
        id_check_char(bad)


# --- ID numbers: every refusal ---


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "身份证号为空"),
        (" \u3000\t\n", "身份证号为空"),
        ("11010519491231002", "身份证号应为18位，现为17位"),
        ("11010519491231002X1", "身份证号应为18位，现为19位"),
        ("1101A519491231002X", "身份证号第5位应为数字，现为“A”"),
        ("X1010519491231002X", "身份证号第1位应为数字，现为“X”"),
        ("1101051949123100XX", "身份证号第17位应为数字，现为“X”"),
        ("11010519491231002Y", "身份证号第18位应为数字或X，现为“Y”"),
        ("99010519491231002X", "身份证号第1-2位“99”不是有效的省级行政区划代码"),
        ("10010519491231002X", "身份证号第1-2位“10”不是有效的省级行政区划代码"),
        ("110105194913320023", "身份证号第7-14位“19491332”不是有效的出生日期"),
        ("110105190002290023", "身份证号第7-14位“19000229”不是有效的出生日期"),
        ("110105000001010023", "身份证号第7-14位“00000101”不是有效的出生日期"),
        ("110105209912310023", "身份证号第7-14位的出生日期“20991231”晚于今天"),
        ("110105202406020023", "身份证号第7-14位的出生日期“20240602”晚于今天"),
        ("110105179912310023", "身份证号第7-14位的出生日期“17991231”早于1800年"),
        ("110105194912310023", "身份证号第18位校验码应为“X”，现为“3”"),
        ("440524188001010013", "身份证号第18位校验码应为“4”，现为“3”"),
    ],
)
def test_id_refusals(text, message):
    error = _refusal(check_id_number, text, today=TODAY)
    assert error.message == message
    assert error.field == "id_number"


def test_id_refusal_shows_invisible_character_by_code_point():
    error = _refusal(check_id_number, "1101\x0019491231002X1", today=TODAY)
    assert error.message == "身份证号第5位应为数字，现为“U+0000”"


def test_id_future_birth_uses_the_real_today_by_default():
    number = "11010530000101001"
    number += id_check_char(number)
    assert _refusal(check_id_number, number).message == "身份证号第7-14位的出生日期“30000101”晚于今天"


# --- credit codes: known good ---


@pytest.mark.parametrize("vector", [GB_CREDIT, *CREDIT_CODES, *UNION_CODES])
def test_credit_check_char_of_known_codes(vector):
    assert credit_check_char(vector[:17]) == vector[17]
    assert check_credit_code(vector) == vector


def test_credit_check_char_built_from_seventeen_characters():
    first17 = "Y2310115MA1K4H7Q"[:16] + "0"
    code = first17 + credit_check_char(first17)
    assert check_credit_code(code) == code
    # A weighted sum divisible by 31 must give '0': (31 - 0) % 31, not an index past the charset.
    assert credit_check_char("0" * 17) == "0"
    assert credit_check_char("1" + "0" * 16) == "Y"


def test_credit_code_normalises():
    assert check_credit_code(" 91350100m000100y43\n") == GB_CREDIT
    assert check_credit_code(_full_width("91350100m000100y43")) == GB_CREDIT


@pytest.mark.parametrize("code", UNION_CODES)
def test_union_code_passes(code):
    assert check_union_credit_code(code.lower()) == code


@pytest.mark.parametrize("bad", ["", "9135010OM000100Y4", "91350100M000100Y4"[:16] + "I"])
def test_credit_check_char_refuses_unclean_input(bad):
    with pytest.raises(ValueError):
        credit_check_char(bad)


# --- credit codes: every refusal ---


_BAD_CHAR = "（只能是数字和除I、O、S、V、Z外的大写字母）"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "统一社会信用代码为空"),
        ("\u3000", "统一社会信用代码为空"),
        ("91350100M000100Y", "统一社会信用代码应为18位，现为16位"),
        ("91350100M000100Y434", "统一社会信用代码应为18位，现为19位"),
        ("91I50100M000100Y43", "统一社会信用代码第3位“I”不是允许的字符" + _BAD_CHAR),
        ("91350100M000100YO3", "统一社会信用代码第17位“O”不是允许的字符" + _BAD_CHAR),
        ("91350100M000100Y4-", "统一社会信用代码第18位“-”不是允许的字符" + _BAD_CHAR),
        ("91350100M000100Y4s", "统一社会信用代码第18位“S”不是允许的字符" + _BAD_CHAR),
        ("B1350100M000100Y43", "统一社会信用代码第1位“B”不是有效的登记管理部门代码"),
        ("01350100M000100Y43", "统一社会信用代码第1位“0”不是有效的登记管理部门代码"),
        ("91AB0100M000100Y43", "统一社会信用代码第3-8位应为行政区划代码（6位数字），现为“AB0100”"),
        ("9135010AM000100Y43", "统一社会信用代码第3-8位应为行政区划代码（6位数字），现为“35010A”"),
        ("91350100M000100Y4Y", "统一社会信用代码第18位校验码应为“3”，现为“Y”"),
        ("91350100M000100Y44", "统一社会信用代码第18位校验码应为“3”，现为“4”"),
    ],
)
def test_credit_refusals(text, message):
    error = _refusal(check_credit_code, text)
    assert error.message == message
    assert error.field == "credit_code"


@pytest.mark.parametrize("code", [GB_CREDIT, *CREDIT_CODES])
def test_union_check_refuses_other_authorities(code):
    error = _refusal(check_union_credit_code, code)
    assert error.message == f"工会的统一社会信用代码应以81开头，现为“{code[:2]}”"
    assert error.field == "credit_code"


def test_union_check_refuses_union_authority_with_other_type():
    first17 = "82110000500000000"
    code = first17 + credit_check_char(first17)
    assert _refusal(check_union_credit_code, code).message == "工会的统一社会信用代码应以81开头，现为“82”"


def test_union_check_reports_the_credit_code_problem_first():
    error = _refusal(check_union_credit_code, "81110000500000000")
    assert error.message == "统一社会信用代码应为18位，现为17位"


# --- mobiles ---


@pytest.mark.parametrize(
    "text",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "0086 13800138000",
        "8613800138000",
        "１３８００１３８０００",
        "＋８６　１３８－００１３－８０００",
        "138\u20140013\u20138000",
    ],
)
def test_mobile_variants(text):
    assert check_mobile(text) == "13800138000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "手机号码为空"),
        (" - ", "手机号码为空"),
        ("+86", "手机号码为空"),
        ("1380013800", "手机号码应为11位数字，现为10位"),
        ("138001380001", "手机号码应为11位数字，现为12位"),
        ("86138001380", "手机号码应以13–19开头，现为“86”"),
        ("1380013800A", "手机号码只能包含数字"),
        ("138.013.800", "手机号码只能包含数字"),
        ("12800138000", "手机号码应以13–19开头，现为“12”"),
        ("23800138000", "手机号码应以13–19开头，现为“23”"),
        ("+86 12800138000", "手机号码应以13–19开头，现为“12”"),
    ],
)
def test_mobile_refusals(text, message):
    error = _refusal(check_mobile, text)
    assert error.message == message
    assert error.field == "mobile"


# --- masking ---


def test_mask_id_number():
    assert mask_id_number(GB_ID) == "110105********002X"
    assert mask_id_number(" 11010519491231002x") == "110105********002X"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("", ""),
        ("1", "*"),
        ("12", "**"),
        ("123", "1*3"),
        ("1101051949", "1********9"),
        ("A" * 20, "A" + "*" * 18 + "A"),
    ],
)
def test_mask_id_number_odd_input(text, masked):
    assert mask_id_number(text) == masked


def test_mask_mobile():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("", ""),
        ("5", "*"),
        ("12", "*2"),
        ("1234567", "******7"),
        ("12345678", "123*5678"),
        ("010-12345678", "010*****5678"),
    ],
)
def test_mask_mobile_odd_input(text, masked):
    assert mask_mobile(text) == masked


# --- properties ---


@st.composite
def valid_ids(draw) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    area = draw(st.from_regex(r"\A[0-9]{4}\Z"))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)))
    sequence = draw(st.from_regex(r"\A[0-9]{3}\Z"))
    first17 = f"{province}{area}{birth:%Y%m%d}{sequence}"
    return first17 + id_check_char(first17)


@st.composite
def valid_credit_codes(draw) -> str:
    authority = draw(st.sampled_from(sorted(REGISTERING_AUTHORITIES)))
    kind = draw(st.sampled_from(CREDIT_CHARSET))
    region = draw(st.from_regex(r"\A[0-9]{6}\Z"))
    body = "".join(draw(st.lists(st.sampled_from(CREDIT_CHARSET), min_size=9, max_size=9)))
    first17 = authority + kind + region + body
    return first17 + credit_check_char(first17)


valid_mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@given(valid_ids())
def test_any_valid_id_passes_and_round_trips(number):
    assert check_id_number(number, today=TODAY) == number
    assert birth_date_from_id(number) == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert sex_from_id(number) == ("M" if number[16] in "13579" else "F")


@given(valid_ids(), st.integers(min_value=0, max_value=17), st.sampled_from(ID_CHARS))
def test_any_single_substitution_in_an_id_is_refused(number, position, char):
    assume(number[position] != char)
    changed = number[:position] + char + number[position + 1 :]
    with pytest.raises(CodeError):
        check_id_number(changed, today=TODAY)


@given(valid_credit_codes())
def test_any_valid_credit_code_passes(code):
    assert check_credit_code(code) == code
    if code.startswith("81"):
        assert check_union_credit_code(code) == code
    else:
        with pytest.raises(CodeError):
            check_union_credit_code(code)


@given(valid_credit_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_CHARSET))
def test_any_single_substitution_in_a_credit_code_is_refused(code, position, char):
    assume(code[position] != char)
    changed = code[:position] + char + code[position + 1 :]
    with pytest.raises(CodeError):
        check_credit_code(changed)


@given(st.text())
def test_normalize_code_is_idempotent(text):
    once = normalize_code(text)
    assert normalize_code(once) == once
    assert not any(ch.isspace() for ch in once)


@st.composite
def disguised_ids(draw) -> tuple[str, str]:
    number = draw(valid_ids())
    spaces = st.sampled_from(["", "", " ", "\u3000", "\xa0", "\t", "\n", "  "])
    parts = []
    for ch in number:
        if ch == "X" and draw(st.booleans()):
            ch = "x"
        if draw(st.booleans()):
            ch = _full_width(ch)
        parts.append(draw(spaces) + ch)
    parts.append(draw(spaces))
    return number, "".join(parts)


@given(disguised_ids())
def test_disguised_ids_pass_in_canonical_form(pair):
    number, disguised = pair
    assert normalize_code(disguised) == number
    assert check_id_number(disguised, today=TODAY) == number


@given(
    valid_mobiles,
    st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86", "＋８６"]),
    st.lists(st.sampled_from(["", " ", "-", "\u3000"]), min_size=12, max_size=12),
)
def test_disguised_mobiles_pass(mobile, prefix, separators):
    spaced = "".join(sep + digit for sep, digit in zip(separators[:11], mobile, strict=True))
    disguised = prefix + spaced + separators[11]
    assert check_mobile(disguised) == mobile


@given(st.text())
def test_masks_never_raise(text):
    assert isinstance(mask_id_number(text), str)
    assert isinstance(mask_mobile(text), str)


@given(valid_ids())
def test_mask_id_number_hides_birth_date_and_sequence(number):
    masked = mask_id_number(number)
    assert masked == number[:6] + "*" * 8 + number[14:]
    assert number[6:14] not in masked


@given(valid_mobiles, st.sampled_from(["", "+86 ", "0086"]))
def test_mask_mobile_hides_the_middle(mobile, prefix):
    masked = mask_mobile(prefix + mobile)
    assert masked == mobile[:3] + "****" + mobile[7:]
