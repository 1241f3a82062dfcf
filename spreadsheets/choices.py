"""The clerk's words for the codes the registers store: 城镇 for ``urban``, 非公企业 for ``non_public``…

A list says 户口性质 农业 or 户籍类型 农村户籍, 单位性质 民营企业 or 单位类别 非公企业: each choice field takes
the usual spellings (compared without spaces, full-width characters made half-width); any other word
refuses the cell, naming the words it takes. A word that could mean two codes (有限责任公司: state-owned or
not) is not taken, so the clerk says which.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from enum import StrEnum

from models.entities import (
    EmployerClass,
    EmploymentForm,
    FlexibleOccupation,
    HouseholdType,
    JoinChannel,
    MemberStatus,
    StaffCountSource,
    UnionKind,
)
from models.errors import InvalidInput
from spreadsheets.values import Cell, CellProblem, parse_text

__all__ = ["CHOICES", "choice_parser", "staff_count_source"]


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _choices(words: dict[StrEnum, tuple[str, ...]]) -> dict[str, str]:
    """Each spelling, normalised, to the code it stands for."""
    return {_normal(word): code.value for code, spellings in words.items() for word in spellings}


# fmt: off
HOUSEHOLD_TYPES = _choices({
    HouseholdType.URBAN: ("城镇", "城镇户籍", "城镇户口", "城市", "非农", "非农业", "非农业户口", "非农业户籍", "居民户口"),
    HouseholdType.RURAL: ("农村", "农村户籍", "农村户口", "农业", "农业户口", "农业户籍", "农民工"),
})
EMPLOYMENT_FORMS = _choices({
    EmploymentForm.REGULAR: ("在岗职工", "在岗", "在职", "在职职工", "正式职工", "合同制", "劳动合同", "全日制"),
    EmploymentForm.FLEXIBLE: ("灵活就业", "灵活就业人员", "新就业形态", "新就业形态劳动者", "非全日制"),
})
FLEXIBLE_OCCUPATIONS = _choices({
    FlexibleOccupation.TRUCK_DRIVER: ("货车司机", "货车驾驶员", "卡车司机"),
    FlexibleOccupation.COURIER: ("快递员", "快递", "快递小哥", "快递从业人员"),
    FlexibleOccupation.FOOD_DELIVERY: ("外卖送餐员", "外卖员", "外卖骑手", "送餐员", "外卖"),
    FlexibleOccupation.RIDE_HAILING: ("网约车司机", "网约车驾驶员", "网约车"),
    FlexibleOccupation.OTHER: ("其他", "其它"),
})
MEMBER_STATUSES = _choices({
    MemberStatus.ACTIVE: ("在会", "正常", "在册"),
    MemberStatus.TRANSFERRED_OUT: ("转出", "已转出"),
    MemberStatus.WITHDRAWN: ("退会", "已退会"),
})
JOIN_CHANNELS = _choices({
    JoinChannel.REGULAR: ("本单位入会", "本单位", "单位入会", "正常入会"),
    JoinChannel.SOURCE_SITE: ("源头入会", "工地入会", "项目入会", "项目工地入会"),
    JoinChannel.PUBLIC_HIRE: ("聘用人员", "聘用人员入会", "机关事业单位聘用人员", "编外聘用人员"),
    JoinChannel.FLEXIBLE_GROUP: ("灵活就业群体集中入会", "集中入会", "灵活就业集中入会", "新就业形态集中入会"),
})
EMPLOYER_CLASSES = _choices({
    EmployerClass.STATE_OWNED: ("国有企业", "国企", "国有", "国有控股", "国有独资", "国有控股企业", "央企"),
    EmployerClass.PUBLIC_INSTITUTION: ("机关事业单位", "机关", "事业单位", "行政机关", "机关单位", "党政机关", "事业"),
    EmployerClass.NON_PUBLIC: ("非公企业", "非公有制企业", "非公", "民营企业", "私营企业", "民营", "私营",
                               "外资企业", "外商投资企业", "港澳台投资企业", "个体工商户", "个体"),
    EmployerClass.SOCIAL_ORGANIZATION: ("社会组织", "社会团体", "社团", "民办非企业单位", "民办非企业", "民非",
                                        "基金会", "社会服务机构"),
})
UNION_KINDS = _choices({
    UnionKind.SINGLE: ("单独基层工会", "单独建会", "单独", "独立建会", "单建"),
    UnionKind.JOINT: ("联合基层工会", "联合建会", "联合", "联建"),
    UnionKind.REGIONAL: ("区域性、行业性工会", "区域性工会", "行业性工会", "区域性", "行业性", "区域(行业)工会联合会"),
})
STAFF_COUNT_SOURCES = _choices({
    StaffCountSource.SOCIAL_SECURITY: ("社保", "社保参保", "社会保险", "参保"),
    StaffCountSource.TAX: ("税务", "税务部门"),
    StaffCountSource.MARKET_REGULATION: ("市场监管", "市场监管部门", "工商"),
    StaffCountSource.SELF_REPORTED: ("单位自报", "自报"),
    StaffCountSource.SURVEY: ("走访摸底", "走访", "摸底"),
})
# fmt: on

CHOICES: dict[tuple[str, str], tuple[dict[str, str], str]] = {
    ("members", "household_type"): (HOUSEHOLD_TYPES, "城镇、农村"),
    ("members", "employment_form"): (EMPLOYMENT_FORMS, "在岗职工、灵活就业"),
    ("members", "flexible_occupation"): (
        FLEXIBLE_OCCUPATIONS,
        "货车司机、快递员、外卖送餐员、网约车司机、其他",
    ),
    ("members", "status"): (MEMBER_STATUSES, "在会、转出、退会"),
    ("members", "join_channel"): (JOIN_CHANNELS, "本单位入会、源头入会、聘用人员、灵活就业群体集中入会"),
    ("employers", "employer_class"): (EMPLOYER_CLASSES, "国有企业、机关事业单位、非公企业、社会组织"),
    ("unions", "kind"): (UNION_KINDS, "单独基层工会、联合基层工会、区域性、行业性工会"),
}
"""(import kind, field key) → the words the field takes, and how a refusal lists them."""

# A 新就业形态 column saying "none" names no occupation.
_NOTHING = frozenset({"无", "否", "/", "-", "—"})


def choice_parser(kind: str, key: str, label: str) -> Callable[[Cell], str | None] | None:
    """The parser of a choice field (cell → code, None for an empty cell), or None for another field.

    The parser raises ``CellProblem`` for a word it does not take, naming the ones it does.
    """
    if (kind, key) not in CHOICES:
        return None
    words, allowed = CHOICES[(kind, key)]

    def parse(cell: Cell) -> str | None:
        text = parse_text(cell)
        if text is None:
            return None
        code = words.get(_normal(text))
        if code is None:
            if text in _NOTHING:
                return None
            raise CellProblem(f"{label}“{text}”无法识别，可填：{allowed}")
        return code

    return parse


def staff_count_source(text: str | StaffCountSource) -> StaffCountSource:
    """The source of staff counts a clerk names (社保, 税务, 市场监管…), or InvalidInput listing them."""
    if isinstance(text, StaffCountSource):
        return text
    code = STAFF_COUNT_SOURCES.get(_normal(text)) or (text if text in set(StaffCountSource) else None)
    if code is None:
        raise InvalidInput(
            f"人数来源“{text}”无法识别，可选：社保、税务、市场监管、单位自报、走访摸底", "source"
        )
    return StaffCountSource(code)
