"""Tests of spreadsheets.values: cells as clerks fill them, each refusal's reason, and properties."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from models.codes import (
    CREDIT_CHARSET,
    PROVINCE_CODES,
    REGISTERING_AUTHORITIES,
    check_credit_code,
    check_id_number,
    credit_check_char,
    id_check_char,
)
from models.errors import CodeError, InvalidInput, KnownError
from spreadsheets.values import (
    CellProblem,
    excel_serial_to_date,
    is_blank,
    parse_code,
    parse_date,
    parse_int,
    parse_list,
    parse_mobile,
    parse_name,
    parse_sex,
    parse_text,
)
from tests.helpers import is_chinese

TODAY = date(2024, 6, 1)
MAN = "500112199001012311"
WOMAN_X = "50010219900506428X"
# A real ID number ending in 000: exactly what Excel leaves of a typed 18-digit number.
ENDS_IN_000 = "511023199212311000"
CREDIT = "91500000MA5U000010"
UNION_CREDIT = "81500112000000012Y"
LOST_DIGITS = "这一格是数字格式，身份证号超过15位的数字已被Excel改成0，无法还原；请把该列设为文本后重新录入"


def _refusal(parse, *args, **kwargs) -> str:
    with pytest.raises(CellProblem) as info:
        parse(*args, **kwargs)
    assert is_chinese(info.value.message), info.value.message
    return info.value.message


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_cell_problem_is_a_known_error():
    assert issubclass(CellProblem, InvalidInput)
    assert issubclass(CellProblem, KnownError)


# --- blank cells --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", None, " ", "\u3000", "\n", " \t\r\n", "\u200b", "\ufeff "])
def test_blank_cells(value):
    assert is_blank(value)
    assert parse_code(value, "id_number") is None
    assert parse_date(value) is None
    assert parse_int(value) is None
    assert parse_mobile(value) is None
    assert parse_text(value) is None
    assert parse_name(value) is None
    assert parse_sex(value) is None
    assert parse_list(value) == []


@pytest.mark.parametrize("value", ["x", 0, 0.0, False, date(2019, 1, 1), "\u200bx"])
def test_cells_that_are_not_blank(value):
    assert not is_blank(value)


# --- codes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        MAN,
        f" {MAN} ",
        "5001 1219 9001 0123 11",
        "500112\n19900101\n2311",
        _full_width(MAN),
        "\u3000" + MAN + "\u200b",
    ],
)
def test_id_numbers_typed_as_text(value):
    assert parse_code(value, "id_number", today=TODAY) == MAN


@pytest.mark.parametrize(
    "value", ["50010219900506428x", "5001 0219 9005 0642 8x", _full_width("50010219900506428x")]
)
def test_id_number_with_lower_case_or_full_width_x(value):
    assert parse_code(value, "id_number", today=TODAY) == WOMAN_X


@pytest.mark.parametrize("value", [5.00112199001012e17, 500112199001012311.0, 1.10105e17, 1e15])
def test_id_number_as_float_cell_is_refused_as_lost(value):
    assert _refusal(parse_code, value, "id_number", today=TODAY) == LOST_DIGITS


@pytest.mark.parametrize(
    "value", ["5.00108198511203E+017", "5.00112E+17", " 1.10105e+17 ", "５．００１１２Ｅ＋１７"]
)
def test_id_number_shown_in_scientific_notation_is_refused_as_lost(value):
    message = _refusal(parse_code, value, "id_number", today=TODAY)
    assert "科学计数法" in message and "文本" in message


def test_id_number_as_exact_int_cell_is_accepted():
    # More significant digits than any double holds, and not ending in 000: never was a number cell.
    assert float(int(MAN)) != int(MAN)
    assert parse_code(int(MAN), "id_number", today=TODAY) == MAN


def test_int_ids_that_may_be_the_remains_of_a_number_cell_are_refused():
    assert parse_code(ENDS_IN_000, "id_number", today=TODAY) == ENDS_IN_000  # as text it is fine
    assert _refusal(parse_code, int(ENDS_IN_000), "id_number", today=TODAY) == LOST_DIGITS
    as_double = int(float(MAN))  # what int() of the float cell gives: a different, wrong number
    assert as_double != int(MAN)
    assert _refusal(parse_code, as_double, "id_number", today=TODAY) == LOST_DIGITS


def test_small_numbers_are_checked_as_codes():
    assert _refusal(parse_code, 123456.0, "id_number") == "身份证号应为18位，现为6位"
    assert _refusal(parse_code, 123456, "credit_code") == "统一社会信用代码应为18位，现为6位"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "这一格是逻辑值（TRUE），不是身份证号"),
        (date(2019, 3, 5), "这一格是日期（2019-03-05），不是身份证号"),
        (datetime(2019, 3, 5, 8, 30), "这一格是日期时间（2019-03-05 08:30），不是身份证号"),
        (time(8, 30), "这一格是时间（08:30），不是身份证号"),
        (12.5, "这一格是数字（12.5），不是身份证号"),
        (-3.0, "这一格是数字（-3），不是身份证号"),
        (timedelta(hours=1), "这一格是时长，不是身份证号"),
    ],
)
def test_cells_of_the_wrong_kind_are_refused_as_codes(value, reason):
    assert _refusal(parse_code, value, "id_number") == reason


def test_code_refusals_carry_the_check_message_and_field():
    with pytest.raises(CellProblem) as info:
        parse_code("500112199001012312", "id_number", today=TODAY)
    assert info.value.message == "身份证号第18位校验码应为“1”，现为“2”"
    assert info.value.field == "id_number"


def test_id_born_after_today_is_refused():
    first17 = "50011220240602001"
    number = first17 + id_check_char(first17)
    assert "晚于今天" in _refusal(parse_code, number, "id_number", today=TODAY)
    assert parse_code(number, "id_number", today=date(2024, 6, 2)) == number


@pytest.mark.parametrize(
    "value", [CREDIT, CREDIT.lower(), f" {CREDIT[:9]} {CREDIT[9:]} ", _full_width(CREDIT)]
)
def test_credit_codes(value):
    assert parse_code(value, "credit_code") == CREDIT


def test_union_credit_codes_start_with_81():
    assert parse_code(UNION_CREDIT.lower(), "union_credit_code") == UNION_CREDIT
    assert parse_code(UNION_CREDIT, "credit_code") == UNION_CREDIT
    assert _refusal(parse_code, CREDIT, "union_credit_code") == "工会的统一社会信用代码应以81开头，现为“91”"


def test_credit_code_as_number_cell_is_refused_as_lost():
    message = _refusal(parse_code, 9.15e17, "credit_code")
    assert message.startswith("这一格是数字格式，统一社会信用代码超过15位")


def test_credit_code_with_an_e_is_not_taken_for_scientific_notation():
    first17 = "91500000123E45678"
    code = first17 + credit_check_char(first17)
    assert parse_code(code, "credit_code") == code


# --- dates --------------------------------------------------------------------------------------------

MARCH_5 = date(2019, 3, 5)


@pytest.mark.parametrize(
    "value",
    [
        MARCH_5,
        datetime(2019, 3, 5),
        datetime(2019, 3, 5, 17, 45),
        43529,
        43529.0,
        43529.75,
        "43529",
        "2019.3.5",
        "2019/03/05",
        "2019-3-5",
        "2019-03-05",
        "2019年3月5日",
        "2019年03月05日",
        "2019 年 3 月 5 日",
        "2019年3月5号",
        "20190305",
        20190305,
        20190305.0,
        " 2019-03-05 ",
        "2019-03-05 00:00:00",
        "2019/3/5 8:30",
        "2019-03-05T08:30:00",
        "２０１９．３．５",
        "２０１９年３月５日",
    ],
)
def test_dates_as_clerks_write_them(value):
    assert parse_date(value, not_future=True, today=TODAY) == MARCH_5


@pytest.mark.parametrize(
    ("serial", "day"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (43529, MARCH_5),
        (45444, TODAY),
    ],
)
def test_excel_serials_in_the_1900_system(serial, day):
    assert excel_serial_to_date(serial) == day
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day


def test_serial_60_is_the_day_that_never_was():
    assert "1900年2月29日" in _refusal(parse_date, 60)
    assert "1900年2月29日" in _refusal(excel_serial_to_date, 60)
    assert _refusal(excel_serial_to_date, 0) == "数字0不是有效的Excel日期序号"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2019-02-30", "“2019-02-30”不是存在的日期（2019年没有2月30日）"),
        ("2019年13月1日", "“2019年13月1日”不是存在的日期（2019年没有13月1日）"),
        ("20190230", "“20190230”不是存在的日期（2019年没有2月30日）"),
        ("2019.03", "“2019.03”只有年和月，缺少日；请写成2019-03-05或2019年3月5日"),
        ("2019年3月", "“2019年3月”只有年和月，缺少日；请写成2019-03-05或2019年3月5日"),
        ("201903", "“201903”只有年和月，缺少日；请写成2019-03-05或2019年3月5日"),
        ("2019", "这一格是数字2019，只有年份，缺少月和日；请写成2019-03-05或2019年3月5日"),
        (2019, "这一格是数字2019，只有年份，缺少月和日；请写成2019-03-05或2019年3月5日"),
        ("2019年", "“2019年”只有年份，缺少月和日；请写成2019-03-05或2019年3月5日"),
        ("3/5/2019", "“3/5/2019”的年份写在了后面，无法确定月和日的顺序；请写成2019-03-05或2019年3月5日"),
        ("19.3.5", "“19.3.5”的年份只有两位，请写全四位年份；请写成2019-03-05或2019年3月5日"),
        ("2019-3/5", "“2019-3/5”不是可识别的日期；请写成2019-03-05或2019年3月5日"),
        ("三月五日", "“三月五日”不是可识别的日期；请写成2019-03-05或2019年3月5日"),
        ("1899-12-31", "日期1899-12-31早于1900年，请核对"),
        (-1, "这一格是数字-1，不是日期；请写成2019-03-05或2019年3月5日"),
        (0.5, "这一格是数字0.5，不是日期；请写成2019-03-05或2019年3月5日"),
        (123456789, "这一格是数字123456789，不像是日期；请写成2019-03-05或2019年3月5日"),
        (True, "这一格是逻辑值（TRUE），不是日期；请写成2019-03-05或2019年3月5日"),
        (time(8, 30), "这一格是时间（08:30），不是日期；请写成2019-03-05或2019年3月5日"),
    ],
)
def test_impossible_or_incomplete_dates_are_refused_with_the_reason(value, reason):
    assert _refusal(parse_date, value) == reason


def test_year_dot_month_typed_into_a_number_cell_is_refused():
    # Excel takes 2019.10 for the number 2019.1: the month cannot be told.
    assert "年.月" in _refusal(parse_date, 2019.1)
    assert "年.月" in _refusal(parse_date, 2019.1, month_ok=True)


@pytest.mark.parametrize(
    "value", ["2019.03", "2019-3", "2019/03", "2019年3月", "2019年03月", "201903", 201903]
)
def test_months_are_the_first_day_when_allowed(value):
    assert parse_date(value, month_ok=True) == date(2019, 3, 1)


def test_month_thirteen_is_refused_even_when_months_are_allowed():
    assert _refusal(parse_date, "2019.13", month_ok=True) == "“2019.13”不是存在的月份"


def test_future_dates_refused_only_when_asked():
    assert parse_date("2024-06-02", today=TODAY) == date(2024, 6, 2)
    assert (
        _refusal(parse_date, "2024-06-02", not_future=True, today=TODAY) == "日期2024-06-02晚于今天，请核对"
    )
    assert parse_date("2024-06-01", not_future=True, today=TODAY) == TODAY
    assert _refusal(parse_date, datetime(2030, 1, 1), not_future=True) == "日期2030-01-01晚于今天，请核对"


# --- numbers and phones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [1200, 1200.0, "1200", "1,200", "1，200", "1 200", "１２００", "1200人", "1,200 人", "1200名", "1200.0"],
)
def test_headcounts(value):
    assert parse_int(value) == 1200


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-5, "人数不能为负数，现为-5"),
        (-5.0, "人数不能为负数，现为-5"),
        ("-5", "人数不能为负数，现为“-5”"),
        (12.5, "人数应为整数，现为12.5"),
        ("12.5", "人数应为整数，现为“12.5”"),
        ("约100", "“约100”不是人数；请只填数字，如1200"),
        ("1.2万", "“1.2万”不是人数；请只填数字，如1200"),
        ("12,00", "“12,00”不是人数；请只填数字，如1200"),
        (True, "这一格是逻辑值（TRUE），不是人数"),
        (date(2019, 1, 1), "这一格是日期（2019-01-01），不是人数"),
    ],
)
def test_bad_headcounts_are_refused(value, reason):
    assert _refusal(parse_int, value) == reason


@pytest.mark.parametrize(
    "value",
    [
        13812345678,
        13812345678.0,
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_mobiles(value):
    assert parse_mobile(value) == "13812345678"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (
            "1.38123E+10",
            "这一格是“1.38123E+10”，是手机号被显示成科学计数法后的样子，后几位已经丢失；请把该列设为文本后重新录入",
        ),
        (138.5, "这一格是数字138.5，不是手机号码"),
        ("023-6789012", "手机号码应为11位数字，现为10位"),
        ("12812345678", "手机号码应以13–19开头，现为“12”"),
        (True, "这一格是逻辑值（TRUE），不是手机号码"),
    ],
)
def test_bad_mobiles_are_refused(value, reason):
    assert _refusal(parse_mobile, value) == reason


# --- text, names, lists ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  两江新区\n星光电子  有限公司 ", "两江新区 星光电子 有限公司"),
        ("汉族\u200b", "汉族"),
        ("中共\u3000党员", "中共 党员"),
        (12.0, "12"),
        (12, "12"),
        (1.5, "1.5"),
        (date(2019, 3, 5), "2019-03-05"),
        (datetime(2019, 3, 5), "2019-03-05"),
        (datetime(2019, 3, 5, 8, 30), "2019-03-05 08:30"),
        (time(8, 30), "08:30:00"),
        (True, "是"),
        (False, "否"),
    ],
)
def test_text(value, text):
    assert parse_text(value) == text


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("张  三", "张三"),
        ("李 四", "李四"),
        ("赵\u3000六", "赵六"),
        (" 王五 ", "王五"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
        ("张 John", "张 John"),
        ("重庆 星光 有限公司", "重庆星光有限公司"),
    ],
)
def test_names(value, name):
    assert parse_name(value) == name


def test_lists_of_employers():
    assert parse_list("甲公司、乙公司，丙公司;丁公司；戊公司\n己公司, 庚公司") == [
        "甲公司",
        "乙公司",
        "丙公司",
        "丁公司",
        "戊公司",
        "己公司",
        "庚公司",
    ]
    assert parse_list(" 甲 公司 、、 ") == ["甲 公司"]
    assert parse_list(CREDIT) == [CREDIT]


# --- sex ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sex"),
    [
        ("男", "M"),
        ("女", "F"),
        (" 男 ", "M"),
        ("男性", "M"),
        ("女性", "F"),
        ("m", "M"),
        ("Female", "F"),
        (1, "M"),
        ("2", "F"),
        (2.0, "F"),
    ],
)
def test_sex_words(value, sex):
    assert parse_sex(value) == sex


def test_sex_agreeing_with_the_id_number():
    assert parse_sex("男", MAN) == "M"
    assert parse_sex("女", WOMAN_X) == "F"
    assert parse_sex("女", "50010219900506428x") == "F"  # not yet normalised: still compared


def test_sex_contradicting_the_id_number_names_both():
    message = _refusal(parse_sex, "女", MAN)
    assert message == "性别填的是“女”，但身份证号500112********2311第17位表示“男”"
    assert (
        _refusal(parse_sex, " 男性 ", WOMAN_X)
        == "性别填的是“男性”，但身份证号500102********428X第17位表示“女”"
    )


def test_sex_is_not_compared_with_an_invalid_id_number():
    assert parse_sex("女", "500112199001012312") == "F"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("未知", "性别应填“男”或“女”，现为“未知”"),
        (3, "性别应填“男”或“女”，现为“3”"),
        (True, "这一格是逻辑值（TRUE），性别应填“男”或“女”"),
    ],
)
def test_bad_sex_is_refused(value, reason):
    assert _refusal(parse_sex, value) == reason


# --- properties ---------------------------------------------------------------------------------------


@st.composite
def valid_ids(draw) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    area = draw(st.from_regex(r"\A[0-9]{4}\Z"))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.from_regex(r"\A[0-9]{3}\Z"))
    first17 = f"{province}{area}{birth:%Y%m%d}{sequence}"
    return first17 + id_check_char(first17)


@st.composite
def disguised(draw, text: str) -> str:
    spaces = st.sampled_from(["", "", "", " ", "\u3000", "\xa0", "\t", "\n", "\u200b"])
    parts = []
    for ch in text:
        if ch == "X" and draw(st.booleans()):
            ch = "x"
        if draw(st.booleans()):
            ch = _full_width(ch)
        parts.append(draw(spaces) + ch)
    return "".join(parts) + draw(spaces)


@given(valid_ids().flatmap(lambda number: st.tuples(st.just(number), disguised(number))))
def test_any_valid_id_survives_spaces_full_width_and_lower_case_x(pair):
    number, typed = pair
    assert parse_code(typed, "id_number", today=TODAY) == number


@given(valid_ids())
def test_a_float_id_cell_is_always_refused(number):
    with pytest.raises(CellProblem):
        parse_code(float(number[:17] + ("0" if number[17] == "X" else number[17])), "id_number", today=TODAY)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_is_refused_as_an_id_number(value):
    with pytest.raises(CellProblem):
        parse_code(value, "id_number", today=TODAY)


@given(st.integers(min_value=10**17, max_value=10**18 - 1))
def test_an_int_id_cell_is_accepted_only_when_no_digit_can_have_been_lost(value):
    try:
        parsed = parse_code(value, "id_number", today=TODAY)
    except CellProblem:
        return
    assert parsed == str(value)
    assert float(value) != value and value % 1000 != 0


@given(
    st.one_of(
        valid_ids(),
        valid_ids().flatmap(
            lambda number: st.tuples(st.integers(0, 17), st.sampled_from("0123456789X")).map(
                lambda change: number[: change[0]] + change[1] + number[change[0] + 1 :]
            )
        ),
        st.from_regex(r"\A[0-9]{17}[0-9Xx]\Z"),
    )
)
def test_parse_code_agrees_with_check_id_number(text):
    """The fast path for clean numbers gives the verdicts of models.codes, the authority."""
    try:
        expected = check_id_number(text, today=TODAY)
    except CodeError as exc:
        with pytest.raises(CellProblem) as info:
            parse_code(text, "id_number", today=TODAY)
        assert info.value.message == exc.message
    else:
        assert parse_code(text, "id_number", today=TODAY) == expected


@st.composite
def valid_credit_codes(draw) -> str:
    authority = draw(st.sampled_from(sorted(REGISTERING_AUTHORITIES)))
    body = "".join(draw(st.lists(st.sampled_from(CREDIT_CHARSET), min_size=16, max_size=16)))
    first17 = authority + body[0] + draw(st.from_regex(r"\A[0-9]{6}\Z")) + body[7:16]
    return first17 + credit_check_char(first17)


@given(valid_credit_codes().flatmap(lambda code: st.tuples(st.just(code), disguised(code.lower()))))
def test_any_valid_credit_code_survives_spaces_full_width_and_lower_case(pair):
    code, typed = pair
    assert check_credit_code(code) == code
    assert parse_code(typed, "credit_code") == code


TEXT_FORMATS = [
    "{d.year}-{d.month}-{d.day}",
    "{d.year}-{d.month:02d}-{d.day:02d}",
    "{d.year}/{d.month}/{d.day}",
    "{d.year}/{d.month:02d}/{d.day:02d}",
    "{d.year}.{d.month}.{d.day}",
    "{d.year}.{d.month:02d}.{d.day:02d}",
    "{d.year}年{d.month}月{d.day}日",
    "{d.year}年{d.month:02d}月{d.day:02d}日",
    "{d.year}{d.month:02d}{d.day:02d}",
    "{d.year}-{d.month:02d}-{d.day:02d} 00:00:00",
    " {d.year} 年 {d.month} 月 {d.day} 日 ",
]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    st.sampled_from(TEXT_FORMATS),
    st.booleans(),
)
def test_any_date_in_any_accepted_text_format_parses_back_to_itself(day, template, full_width):
    text = template.format(d=day)
    if full_width:
        text = _full_width(text)
    assert parse_date(text) == day


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2199, 12, 31)))
def test_any_date_as_an_excel_serial_parses_back_to_itself(day):
    serial = (day - date(1899, 12, 30)).days
    assume(not 1900 <= serial <= 2199)  # read as the year the clerk meant (days in 1905 and 1906)
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.5) == day
    assert parse_date(str(serial)) == day


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["{:,}", "{}", "{}人", "{:,}人", "{}.0"]))
def test_any_headcount_written_with_separators_or_a_unit_parses_back(count, template):
    assert parse_int(template.format(count)) == count
    assert parse_int(_full_width(template.format(count))) == count


@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
def test_any_mobile_survives_a_number_cell(mobile):
    assert parse_mobile(float(mobile)) == mobile
    assert parse_mobile(int(mobile)) == mobile


@given(st.text())
def test_text_parsers_never_fail_on_text(value):
    text = parse_text(value)
    assert text is None or (text == text.strip() and "  " not in text and "\n" not in text)
    assert parse_text(text) == text
    assert isinstance(parse_list(value), list)


@given(st.text(max_size=30))
def test_the_other_parsers_raise_only_cell_problems(value):
    for parse in (
        parse_date,
        parse_int,
        parse_mobile,
        parse_sex,
        lambda v: parse_code(v, "id_number"),
        lambda v: parse_code(v, "credit_code"),
    ):
        try:
            parse(value)
        except CellProblem as problem:
            assert problem.message
