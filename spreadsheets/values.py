"""Cell values read as the clerk meant them: codes, dates, mobiles, counts, text and sex.

Every parser takes a cell as the reader gives it (str, int, float, bool, date, datetime, time, timedelta;
``""`` or ``None`` for an empty cell) and returns the clean value, ``None`` for an empty cell (whether a
field may be empty is the importer's decision, which knows the field's label), or raises ``CellProblem``
whose message says in Chinese what is wrong with the cell.

The parsers run once per cell of files with 100,000 rows, so each has a fast path for a value that is
already clean and compiles its patterns once, at import.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, TypeAlias

from models.codes import (
    PROVINCE_CODES,
    check_credit_code,
    check_id_number,
    check_mobile,
    check_union_credit_code,
    mask_id_number,
)
from models.errors import CodeError, InvalidInput

__all__ = [
    "Cell",
    "CellProblem",
    "CodeKind",
    "excel_serial_to_date",
    "is_blank",
    "parse_code",
    "parse_date",
    "parse_int",
    "parse_list",
    "parse_mobile",
    "parse_name",
    "parse_sex",
    "parse_text",
]

Cell: TypeAlias = str | int | float | bool | date | datetime | time | timedelta | None
"""A cell as python-calamine gives it; ``None`` too, for callers that read cells some other way."""

CodeKind: TypeAlias = Literal["id_number", "credit_code", "union_credit_code"]


class CellProblem(InvalidInput):
    """A cell whose content cannot be taken as it is; ``message`` says why, in Chinese."""


_CODE_LABELS: dict[str, str] = {
    "id_number": "身份证号",
    "credit_code": "统一社会信用代码",
    "union_credit_code": "工会统一社会信用代码",
}
# A number cell holds a double and Excel keeps 15 significant digits of it; an 18-character code as a
# number has lost its last digits for good.
_EXACT_DIGITS = 15
# What a number cell looks like once Excel, WPS or LibreOffice has written it out as text (a CSV, a
# copied value): they always sign the exponent, which keeps a credit code such as 915000001234E56789 out.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]\d+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _looks_scientific(text: str) -> bool:
    """A cheap first test: could the text be a number in scientific notation (full-width too)?"""
    return "+" in text or "-" in text or not text.isascii()


def is_blank(value: Cell) -> bool:
    """True for an empty cell, including one holding only spaces (half- or full-width) or newlines."""
    if value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    if value.isspace():
        return True
    return not value.isprintable() and not value.translate(_INVISIBLE).strip()


def _nfkc(text: str) -> str:
    # ASCII is already NFKC: skip the call for the common case of a clean cell.
    return text if text.isascii() else unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def _describe(value: Cell) -> str:
    """Names what kind of cell the clerk typed, for messages refusing it."""
    if isinstance(value, bool):
        return f"逻辑值（{'TRUE' if value else 'FALSE'}）"
    if isinstance(value, datetime):
        return f"日期时间（{value:%Y-%m-%d %H:%M}）"
    if isinstance(value, date):
        return f"日期（{value.isoformat()}）"
    if isinstance(value, time):
        return f"时间（{value:%H:%M}）"
    if isinstance(value, timedelta):
        return "时长"
    if isinstance(value, int | float):
        return f"数字（{_number_text(value)}）"
    return f"“{value}”"


def _number_text(value: float) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return repr(value)


# --- codes --------------------------------------------------------------------------------------------


def _lost_digits(label: str) -> CellProblem:
    return CellProblem(
        f"这一格是数字格式，{label}超过15位的数字已被Excel改成0，无法还原；请把该列设为文本后重新录入"
    )


def _int_code_text(value: int, label: str) -> str:
    """The digits of an int cell holding a code, if no digit can have been lost on its way here.

    An int arrives when a reader held the cell's exact integer (the .xls format and openpyxl can; an
    Excel number cell never holds more than 15 significant digits). Two ways an int can still be the
    remains of a destroyed 18-digit code are refused: an int a double represents exactly may be a
    double turned into an int (``int(1.1010519900101e17)``), and one ending in ``000`` is what Excel
    keeps of a typed 18-digit number once written out in full. Any other int holds more digits than a
    number cell can, so it never was one and is exact. A real code refused by this rule (one in 16 to
    one in 128, by size: doubles near 10^17 are 16 apart, near 8 x 10^17 128 apart) costs the clerk a
    re-entry as text; a wrong code accepted would put a member under someone else's ID number.
    """
    if value < 10**_EXACT_DIGITS:
        return str(value)
    if float(value) == value or value % 1000 == 0:
        raise _lost_digits(label)
    return str(value)


def parse_code(value: Cell, kind: CodeKind, *, today: date | None = None) -> str | None:
    """Returns the normalised ID number or credit code in the cell, or None for an empty cell.

    Args:
        value: The cell.
        kind: ``id_number`` (GB 11643), ``credit_code`` (GB 32100) or ``union_credit_code`` (a credit code
            starting with 81).
        today: The day a birth date in an ID number may not be after; the real today when None.

    Raises:
        CellProblem: The code fails its check, or arrived as a number cell that has lost digits.
    """
    if kind == "id_number" and type(value) is str:
        clean = _clean_id(value, today)
        if clean is not None:
            return clean
    label = _CODE_LABELS[kind]
    if isinstance(value, str):
        if not value or is_blank(value):
            return None
        text = value
        if _looks_scientific(text):
            shown = _nfkc(text).strip()
            if _SCIENTIFIC.fullmatch(shown):
                raise CellProblem(
                    f"这一格是“{shown}”，是数字被显示成科学计数法后的样子，{label}超过15位的数字已经丢失；"
                    "请把该列设为文本后重新录入"
                )
    elif value is None:
        return None
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise CellProblem(f"这一格是{_describe(value)}，不是{label}")
    elif isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise CellProblem(f"这一格是{_describe(value)}，不是{label}")
        if value >= 10**_EXACT_DIGITS:
            raise _lost_digits(label)
        text = str(int(value))
    else:
        text = _int_code_text(value, label)
    try:
        if kind == "id_number":
            return _clean_id(text, today) or check_id_number(text, today=today)
        # A list of members names the same few unions on every row; employers repeat less, but do.
        return _checked_credit_code(text, kind == "union_credit_code")
    except CodeError as exc:
        raise CellProblem(exc.message, field=exc.field) from None


# The check of GB 11643 as models.codes does it, for the one case that is nearly every cell of a
# 100,000-row list: an ID typed cleanly. Anything this is not sure of goes to check_id_number, which has
# the last word and the message; a test holds the two to the same verdicts.
#
# The weights of GB 11643's MOD 11-2 are 2^17 … 2^1 modulo 11, and 13 is 2 modulo 11: so the weighted sum
# is, modulo 11, twice the 17 digits read as a number in base 13, which int() reads in one call (the
# weighted sum digit by digit was a fifth of checking a member list).
_ID_CHECK_CHARS = "10X98765432"
_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1800, 1, 1)
# Birth dates seen (YYYYMMDD → the date, or None if there is no such day): 100,000 members share some
# 20,000, each made once instead of once a member.
_BIRTHS: dict[str, date | None] = {}
_BIRTHS_KEPT = 100_000  # more than the days of two centuries: only a flood of nonsense digits fills it


def _clean_id(text: str, today: date | None) -> str | None:
    """Returns the text if it is a valid ID number exactly as it should be stored, else None."""
    if len(text) != 18 or not _CLEAN_ID.fullmatch(text) or text[:2] not in PROVINCE_CODES:
        return None
    if _ID_CHECK_CHARS[2 * int(text[:17], 13) % 11] != text[17]:
        return None
    digits = text[6:14]
    birth = _BIRTHS[digits] if digits in _BIRTHS else _birth_date(digits)
    if birth is None or birth < _EARLIEST_BIRTH or birth > (today if today is not None else date.today()):
        return None
    return text


def _birth_date(digits: str) -> date | None:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        birth = None
    if len(_BIRTHS) < _BIRTHS_KEPT:
        _BIRTHS[digits] = birth
    return birth


@lru_cache(maxsize=4096)
def _checked_credit_code(text: str, union: bool) -> str:
    return check_union_credit_code(text) if union else check_credit_code(text)


# --- dates --------------------------------------------------------------------------------------------

_EARLIEST = date(1900, 1, 1)
_EXCEL_DAY_ZERO = date(1899, 12, 30)
# Serials after 2199 are no date this office records; a bigger number is something else (see below).
_LAST_PLAUSIBLE_SERIAL = (date(2199, 12, 31) - _EXCEL_DAY_ZERO).days
_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$")
# Tried in order on text with the time of day and all whitespace removed; the ``sep`` backreference
# keeps 2019-3/5, which is more likely a typing slip than a date, out.
_FULL_DATES = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?"),
)
_MONTHS = (
    re.compile(r"(\d{4})[-./](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月?"),
)
_YEAR_ONLY = re.compile(r"\d{4}年")
_DAY_FIRST = re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{4}")
_SHORT_YEAR = re.compile(r"\d{2}[-./年]\d{1,2}(?:[-./月]\d{1,2}日?)?")
_HOW_TO_WRITE = "请写成2019-03-05或2019年3月5日"


def excel_serial_to_date(serial: int) -> date:
    """Returns the day an Excel serial number stands for, in the 1900 date system.

    Excel counts 1900-02-29, a day that never was (Lotus 1-2-3's leap-year bug, kept for
    compatibility): serial 59 is 1900-02-28, 60 the missing day, 61 is 1900-03-01.

    Raises:
        CellProblem: The serial is 60 or not positive.
    """
    if serial == 60:
        raise CellProblem("这一格的日期序号是60，即1900年2月29日，这一天并不存在（Excel的历史遗留错误）")
    if serial < 1:
        raise CellProblem(f"数字{serial}不是有效的Excel日期序号")
    if serial < 60:
        return _EXCEL_DAY_ZERO + timedelta(days=serial + 1)
    return _EXCEL_DAY_ZERO + timedelta(days=serial)


def _checked(day: date, not_future: bool, today: date | None) -> date:
    if day < _EARLIEST:
        raise CellProblem(f"日期{day.isoformat()}早于1900年，请核对")
    if not_future and day > (today if today is not None else date.today()):
        raise CellProblem(f"日期{day.isoformat()}晚于今天，请核对")
    return day


def _make_date(year: str, month: str, day: str, shown: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellProblem(f"“{shown}”不是存在的日期（{int(year)}年没有{int(month)}月{int(day)}日）") from None


def _month(year: str, month: str, shown: str, month_ok: bool) -> date:
    if not month_ok:
        raise CellProblem(f"“{shown}”只有年和月，缺少日；{_HOW_TO_WRITE}")
    if not 1 <= int(month) <= 12:
        raise CellProblem(f"“{shown}”不是存在的月份")
    return date(int(year), int(month), 1)


def _date_from_text(text: str, month_ok: bool) -> date:
    shown = text.strip()
    clean = _nfkc(shown)
    cut = _TIME_SUFFIX.search(clean)
    if cut:
        clean = clean[: cut.start()]
    clean = "".join(clean.split())
    if clean.isdigit():
        # What a number cell becomes in a CSV: 43530 is a serial there too, 20190305 a day, 2019 a year.
        return _date_from_number(int(clean), month_ok)
    for pattern in _FULL_DATES:
        match = pattern.fullmatch(clean)
        if match:
            return _make_date(match["y"], match["m"], match["d"], shown)
    for pattern in _MONTHS:
        match = pattern.fullmatch(clean)
        if match:
            return _month(match[1], match[2], shown, month_ok)
    if _YEAR_ONLY.fullmatch(clean):
        raise CellProblem(f"“{shown}”只有年份，缺少月和日；{_HOW_TO_WRITE}")
    if _DAY_FIRST.fullmatch(clean):
        raise CellProblem(f"“{shown}”的年份写在了后面，无法确定月和日的顺序；{_HOW_TO_WRITE}")
    if _SHORT_YEAR.fullmatch(clean):
        raise CellProblem(f"“{shown}”的年份只有两位，请写全四位年份；{_HOW_TO_WRITE}")
    raise CellProblem(f"“{shown}”不是可识别的日期；{_HOW_TO_WRITE}")


def _date_from_number(value: float, month_ok: bool) -> date:
    whole = int(value)
    digits = str(whole)
    # Read as serials these would be days in 1905-1906, which no record here holds; a clerk who typed
    # 2019 meant the year.
    if 1900 <= whole <= 2199 and value != whole:
        raise CellProblem(
            f"这一格是数字{value!r}：Excel把“年.月”当成了小数，2019.1也可能是2019.10，无法确定月份；{_HOW_TO_WRITE}"
        )
    if 1900 <= whole <= 2199:
        raise CellProblem(f"这一格是数字{whole}，只有年份，缺少月和日；{_HOW_TO_WRITE}")
    if 1 <= whole <= _LAST_PLAUSIBLE_SERIAL:
        # A time of day after the serial's decimal point is not part of the date.
        return excel_serial_to_date(whole)
    if value == whole and len(digits) == 8:
        return _make_date(digits[:4], digits[4:6], digits[6:], digits)
    if value == whole and len(digits) == 6:
        return _month(digits[:4], digits[4:], digits, month_ok)
    raise CellProblem(f"这一格是数字{_number_text(value)}，不像是日期；{_HOW_TO_WRITE}")


def parse_date(
    value: Cell, *, month_ok: bool = False, not_future: bool = False, today: date | None = None
) -> date | None:
    """Returns the day in the cell, or None for an empty cell.

    Takes date and datetime cells (the time of day is dropped), Excel serial numbers in a number cell
    (1900 date system), and text such as 2019-3-5, 2019/03/05, 2019.3.5, 2019年3月5日 and 20190305.

    Args:
        value: The cell.
        month_ok: Take a month without a day (2019.03, 2019年3月) as the first day of that month; when
            False such a cell is refused, since the clerk's day cannot be guessed.
        not_future: Refuse a day after today.
        today: What today is, for ``not_future``; the real today when None.

    Raises:
        CellProblem: The cell holds no recognisable day, a day that does not exist, or one before 1900
            (or after today with ``not_future``).
    """
    if isinstance(value, datetime):
        return _checked(value.date(), not_future, today)
    if isinstance(value, date):
        return _checked(value, not_future, today)
    if isinstance(value, str):
        if not value or is_blank(value):
            return None
        return _checked(_date_from_text(value, month_ok), not_future, today)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CellProblem(f"这一格是{_describe(value)}，不是日期；{_HOW_TO_WRITE}")
    if value < 1:
        raise CellProblem(f"这一格是数字{_number_text(value)}，不是日期；{_HOW_TO_WRITE}")
    return _checked(_date_from_number(value, month_ok), not_future, today)


# --- numbers and phones ---------------------------------------------------------------------------------

_COUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?(?:人|名|个|位)?")
_NEGATIVE = re.compile(r"-\d[\d,]*(?:\.\d*)?(?:人|名|个|位)?")
_FRACTION = re.compile(r"\d[\d,]*\.\d*[1-9]\d*(?:人|名|个|位)?")


def parse_int(value: Cell) -> int | None:
    """Returns the whole, non-negative number in the cell (a headcount), or None for an empty cell.

    Takes 1200, 1200.0, "1,200", "1 200", "１２００" and "1200人".

    Raises:
        CellProblem: The cell holds a negative number, a fraction or no number.
    """
    if isinstance(value, bool):
        raise CellProblem(f"这一格是{_describe(value)}，不是人数")
    if isinstance(value, int):
        if value < 0:
            raise CellProblem(f"人数不能为负数，现为{value}")
        return value
    if isinstance(value, float):
        if value < 0:
            raise CellProblem(f"人数不能为负数，现为{_number_text(value)}")
        if not value.is_integer():
            raise CellProblem(f"人数应为整数，现为{value!r}")
        return int(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise CellProblem(f"这一格是{_describe(value)}，不是人数")
    if value.isdigit() and value.isascii():
        return int(value)
    if is_blank(value):
        return None
    shown = value.strip()
    clean = "".join(_nfkc(shown).split())
    match = _COUNT.fullmatch(clean)
    if match:
        return int(match[1].replace(",", ""))
    if _NEGATIVE.fullmatch(clean):
        raise CellProblem(f"人数不能为负数，现为“{shown}”")
    if _FRACTION.fullmatch(clean):
        raise CellProblem(f"人数应为整数，现为“{shown}”")
    raise CellProblem(f"“{shown}”不是人数；请只填数字，如1200")


def parse_mobile(value: Cell) -> str | None:
    """Returns the 11 digits of the mainland mobile number in the cell, or None for an empty cell.

    A number cell is fine here: 11 digits fit in the 15 a number cell keeps.

    Raises:
        CellProblem: The cell holds no valid mobile number.
    """
    if isinstance(value, str):
        if not value or is_blank(value):
            return None
        if _looks_scientific(value) and _SCIENTIFIC.fullmatch(_nfkc(value).strip()):
            raise CellProblem(
                f"这一格是“{value.strip()}”，是手机号被显示成科学计数法后的样子，后几位已经丢失；"
                "请把该列设为文本后重新录入"
            )
        text = value
    elif value is None:
        return None
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise CellProblem(f"这一格是{_describe(value)}，不是手机号码")
    elif isinstance(value, float) and not value.is_integer():
        raise CellProblem(f"这一格是数字{value!r}，不是手机号码")
    else:
        text = str(int(value))
    if len(text) == 11 and text.isdigit() and text.isascii() and text[0] == "1" and text[1] in "3456789":
        return text  # what check_mobile would return, without its normalising
    try:
        return check_mobile(text)
    except CodeError as exc:
        raise CellProblem(exc.message, field=exc.field) from None


# --- text ---------------------------------------------------------------------------------------------

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}]) (?=[{_HAN}])")


def parse_text(value: Cell) -> str | None:
    """Returns the cell as one line of text with single spaces, or None for an empty cell.

    Whitespace of any kind (full-width spaces, newlines from Alt+Enter) becomes one space; numbers are
    written without a trailing ``.0`` and dates as 2019-03-05.
    """
    if isinstance(value, str):
        # Zero-width characters are format characters, which isprintable() refuses: the common cell
        # (printable, or ASCII) skips the translate.
        if value.isprintable() or value.isascii():
            text = " ".join(value.split())
        else:
            text = " ".join(value.translate(_INVISIBLE).split())
        return text or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == time()
            else value.isoformat(sep=" ", timespec="minutes")
        )
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def parse_name(value: Cell) -> str | None:
    """Returns a person's or unit's name: like ``parse_text``, and spaces between Chinese characters,
    typed to line two-character names up with three-character ones (张  三), are dropped."""
    text = parse_text(value)
    if text is None or text.isascii() or " " not in text:
        return text
    return _SPACE_BETWEEN_HAN.sub("", text)


_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


def parse_list(value: Cell) -> list[str]:
    """Returns the names or codes in a cell listing several (a joint union's employers), in order.

    They may be separated by 、 , ， ; ； or line breaks; each is cleaned as by ``parse_text`` and empty
    ones are dropped, so an empty cell gives an empty list.
    """
    text = parse_text(value) if not isinstance(value, str) else value
    if not text:
        return []
    items = (parse_text(item) for item in _LIST_SEPARATORS.split(text))
    return [item for item in items if item]


# --- sex ----------------------------------------------------------------------------------------------

# 1 and 2 are the codes of GB/T 2261.1, which some personnel systems export.
_SEXES = {
    **dict.fromkeys(("男", "男性", "M", "MALE", "1"), "M"),
    **dict.fromkeys(("女", "女性", "F", "FEMALE", "2"), "F"),
}
_SEX_WORDS = {"M": "男", "F": "女"}


def parse_sex(value: Cell, id_number: str | None = None) -> str | None:
    """Returns "M" or "F" for the sex in the cell, or None for an empty cell.

    Args:
        value: The cell: 男/女 (also 男性/女性, M/F, 1/2).
        id_number: The person's ID number as ``parse_code`` returned it; when given, the sex must agree
            with its 17th digit (odd for men). An ID number that fails its own check is not compared:
            its cell has its own problem to report.

    Raises:
        CellProblem: The cell holds no sex, or one the ID number contradicts.
    """
    sex = _SEXES.get(value) if type(value) is str else None
    if sex is not None:
        return _agreeing(sex, value, id_number)
    if value is None or is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CellProblem(f"这一格是{_describe(value)}，性别应填“男”或“女”")
    shown = parse_text(value) or ""
    sex = _SEXES.get("".join(_nfkc(shown).split()).upper())
    if sex is None:
        raise CellProblem(f"性别应填“男”或“女”，现为“{shown}”")
    return _agreeing(sex, shown, id_number)


def _agreeing(sex: str, shown: str, id_number: str | None) -> str:
    """The sex, unless the ID number says otherwise."""
    if id_number:
        from_id = _sex_in_id(id_number)
        if from_id is not None and from_id != sex:
            raise CellProblem(
                f"性别填的是“{shown}”，但身份证号{mask_id_number(id_number)}第17位表示“{_SEX_WORDS[from_id]}”"
            )
    return sex


def _sex_in_id(id_number: str) -> str | None:
    code = _clean_id(id_number, None)
    if code is None:
        try:
            code = check_id_number(id_number)
        except CodeError:
            return None
    return "M" if int(code[16]) % 2 == 1 else "F"
