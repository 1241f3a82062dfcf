"""What each kind of import fills in, the headers clerks give those fields, and the proposed mapping.

A header is matched after ``normalize_header``; an exact synonym beats one found after dropping a
trailing "(…)", which beats a synonym inside a longer header. The proposal is only a proposal: the
clerk corrects it, and ``layout_fingerprint`` lets the corrected mapping be remembered for the next
file with the same columns.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, TypeAlias

from spreadsheets.values import Cell

__all__ = [
    "KINDS",
    "ColumnMatch",
    "Field",
    "ImportKind",
    "ValueType",
    "field",
    "fields",
    "layout_fingerprint",
    "match_columns",
    "missing_required",
    "normalize_header",
    "propose_mapping",
]

ImportKind: TypeAlias = Literal["members", "employers", "unions", "headcounts"]
ValueType: TypeAlias = Literal[
    "text", "name", "id_number", "credit_code", "union_credit_code", "mobile", "date", "int", "sex", "list"
]
"""Which parser of ``spreadsheets.values`` reads the field (``list``: several names or codes in a cell)."""


@dataclass(frozen=True)
class Field:
    """A value an import fills in.

    Attributes:
        key: The name the importer uses, after the entity's column where there is one.
        label: What the clerk sees.
        value_type: How the cells are read.
        synonyms: Headers that mean this field, normalised, the preferred one first.
        required: Rows without it cannot be imported.
        or_field: A field that can stand in for this one when this one is required (a member's union
            given by its credit code instead of its name).
        exact_only: Synonyms too general to look for inside a longer header: 日期 is the 统计日期 of a
            headcount list when it is the whole header, but 成立日期 is not.
    """

    key: str
    label: str
    value_type: ValueType
    synonyms: tuple[str, ...]
    required: bool = False
    or_field: str | None = None
    exact_only: frozenset[str] = frozenset()


def _f(
    key: str,
    label: str,
    value_type: ValueType,
    *synonyms: str,
    required: bool = False,
    or_field: str | None = None,
    exact_only: tuple[str, ...] = (),
) -> Field:
    return Field(
        key, label, value_type, (label, *synonyms, *exact_only), required, or_field, frozenset(exact_only)
    )


KINDS: dict[ImportKind, tuple[Field, ...]] = {
    "members": (
        _f("name", "姓名", "name", "会员姓名", "职工姓名", required=True),
        _f(
            "id_number",
            "身份证号",
            "id_number",
            "身份证号码",
            "公民身份号码",
            "身份证件号码",
            "居民身份证号码",
            "身份证",
            "证件号码",
            required=True,
        ),
        _f("sex", "性别", "sex"),
        _f("ethnicity", "民族", "text"),
        _f("political_status", "政治面貌", "text"),
        _f("education", "文化程度", "text", "学历", "最高学历"),
        _f("mobile", "手机号码", "mobile", "手机号", "手机", "移动电话", "联系电话", "联系方式", "电话"),
        _f("household_type", "户籍类型", "text", "户口性质", "户籍性质", "户口类型"),
        _f("employment_form", "就业形式", "text", "用工形式", "就业方式"),
        _f("flexible_occupation", "新就业形态", "text", "灵活就业类型", "职业类别"),
        _f(
            "union",
            "所在工会",
            "text",
            "工会名称",
            "基层工会",
            "所属工会",
            "基层工会名称",
            required=True,
            or_field="union_credit_code",
        ),
        _f("union_credit_code", "工会统一社会信用代码", "union_credit_code", "工会信用代码"),
        # Required: a member's record holds the day they joined, and no day can be made up for them.
        _f("joined_on", "入会时间", "date", "入会日期", "加入工会时间", "入会年月", required=True),
        _f("status", "会员状态", "text", "状态"),
        # The day a 转出 or 退会 member left: without it the day of the import is all that is known.
        _f("left_on", "离会日期", "date", "离会时间", "转出日期", "退会日期", "转出时间", "退会时间"),
        _f("join_channel", "入会方式", "text", "入会途径"),
    ),
    "employers": (
        _f("name", "单位名称", "name", "企业名称", "用人单位", "用人单位名称", "单位", "企业", required=True),
        _f(
            "credit_code",
            "统一社会信用代码",
            "credit_code",
            "信用代码",
            "社会信用代码",
            "单位统一社会信用代码",
        ),
        _f("employer_class", "单位类别", "text", "单位性质", "经济类型", "单位类型", "企业类型", "经济性质"),
        _f("industry", "行业", "text", "所属行业", "行业类别", "行业分类"),
        _f("address", "地址", "text", "注册地址", "经营地址", "单位地址", "住所", "办公地址"),
        _f("legal_representative", "法定代表人", "name", "负责人", "法人代表", "单位负责人"),
        _f("contact_person", "联系人", "name"),
        _f("contact_phone", "联系电话", "text", "电话", "联系方式"),
        _f("staff_count", "职工人数", "int", "参保人数", "从业人数", "员工人数", "职工总数", "在职职工人数"),
        _f("founded_on", "成立日期", "date", "成立时间", "注册日期", "设立日期"),
        _f("first_level_union", "所属一级工会", "text", "街道", "所属街道", "一级工会", "所属街道(园区)"),
    ),
    "unions": (
        _f("name", "工会名称", "name", "基层工会名称", "单位工会名称", required=True),
        _f("credit_code", "工会统一社会信用代码", "union_credit_code", "统一社会信用代码", "信用代码"),
        _f("kind", "工会类型", "text", "建会类型", "组建形式"),
        _f("employers", "所在单位", "list", "覆盖单位", "单位名称", "所在单位名称", "覆盖单位名称"),
        _f("parent", "上级工会", "text", "所属一级工会", "一级工会", "上级工会名称"),
        _f("founded_on", "成立日期", "date", "建会时间", "建会日期", "成立时间"),
        _f("chair_name", "工会主席", "name", "主席", "主席姓名", "工会主席姓名"),
        _f("term_years", "届期", "int", "任期(年)", "任期", "每届任期"),
        _f("covered_staff", "覆盖职工人数", "int", "职工人数", "覆盖职工数"),
        _f("member_count", "会员人数", "int", "会员数"),
    ),
    "headcounts": (
        _f("name", "单位名称", "name", "企业名称", "用人单位", "用人单位名称"),
        # An employer is found by its credit code, or by its exact name in a list that has no codes.
        _f(
            "credit_code",
            "统一社会信用代码",
            "credit_code",
            "信用代码",
            "社会信用代码",
            required=True,
            or_field="name",
        ),
        _f(
            "staff_count",
            "职工人数",
            "int",
            "参保人数",
            "从业人数",
            "员工人数",
            "在职职工人数",
            required=True,
        ),
        _f("as_of", "统计日期", "date", "截至日期", "截止日期", "统计时间", "数据日期", exact_only=("日期",)),
    ),
}


def fields(kind: ImportKind) -> tuple[Field, ...]:
    """Returns the fields an import of this kind fills in, in the order a form shows them."""
    return KINDS[kind]


def field(kind: ImportKind, key: str) -> Field:
    """Returns one field of an import kind by its key."""
    for candidate in KINDS[kind]:
        if candidate.key == key:
            return candidate
    raise KeyError(f"{kind} has no field {key!r}")


# --- header text --------------------------------------------------------------------------------------

# After NFKC, so （必填） and ＊ are already (必填) and *.
_MARKERS = ("(必填)", "(必填项)", "(选填)", "(可选)", "(必须)", "[必填]", "【必填】", "*", "★", "※", ":")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


def normalize_header(cell: Cell) -> str:
    """Returns the header text as matched and fingerprinted.

    Full-width characters become half-width, whitespace of every kind (the newline of "身份证\\n号码",
    the space of "姓 名") goes, letters are lower-cased, and required-field markers ("(必填)", "*") and
    a trailing colon are dropped.
    """
    if cell is None or cell == "":
        return ""
    text = cell if isinstance(cell, str) else str(cell)
    # Lower-casing can yield text that NFKC changes again (as in models.codes.normalize_code): repeat
    # until stable, so that a normalised header normalises to itself and fingerprints stay put.
    for _ in range(8):
        step = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).lower()
        step = _without_markers("".join(step.split()))
        if step == text:
            break
        text = step
    return text


def _without_markers(text: str) -> str:
    stripped = True
    while stripped and text:
        stripped = False
        for marker in _MARKERS:
            if text.startswith(marker):
                text, stripped = text[len(marker) :], True
            if text.endswith(marker):
                text, stripped = text[: -len(marker)], True
    return text


# --- matching -----------------------------------------------------------------------------------------

_EXACT, _WITHOUT_NOTE, _AS_SUFFIX, _INSIDE = 4, 3, 2, 1
# A header this long is a sentence (a title row, a note), not a column name holding a synonym.
_LONGEST_CONTAINING_HEADER = 16
# Headers naming someone other than the field's holder: 副主席 is not the 主席, 原工会名称 is not the union.
_NOT_THE_SAME = ("副", "原", "曾", "前", "备注", "说明")


@dataclass(frozen=True)
class ColumnMatch:
    """One column proposed for one field, with how sure the match is (4 exact … 1 contained)."""

    column: int
    field: str
    score: int


def _synonyms(kind: ImportKind) -> tuple[dict[str, tuple[str, int]], list[tuple[str, str, int]]]:
    exact: dict[str, tuple[str, int]] = {}
    listed: list[tuple[str, str, int]] = []
    for target in KINDS[kind]:
        for rank, synonym in enumerate(target.synonyms):
            text = normalize_header(synonym)
            if text in exact:
                raise ValueError(f"{kind}: header {synonym!r} names both {exact[text][0]} and {target.key}")
            exact[text] = (target.key, rank)
            if synonym not in target.exact_only:
                listed.append((text, target.key, rank))
    # Longest first, so that 工会统一社会信用代码 is tried before 统一社会信用代码.
    listed.sort(key=lambda item: -len(item[0]))
    return exact, listed


_SYNONYMS = {kind: _synonyms(kind) for kind in KINDS}


def _candidates(header: str, kind: ImportKind) -> list[tuple[int, int, int, str]]:
    """Every field the header could be, as (-score, rank, -synonym length, field) to sort by."""
    exact, listed = _SYNONYMS[kind]
    if not header:
        return []
    if header in exact:
        key, rank = exact[header]
        return [(-_EXACT, rank, -len(header), key)]
    bare = _TRAILING_NOTE.sub("", header)
    if bare != header and bare in exact:
        key, rank = exact[bare]
        return [(-_WITHOUT_NOTE, rank, -len(bare), key)]
    if len(header) > _LONGEST_CONTAINING_HEADER or any(word in header for word in _NOT_THE_SAME):
        return []
    found: dict[str, tuple[int, int, int, str]] = {}
    for synonym, key, rank in listed:
        if key in found or synonym not in bare:
            continue
        # Chinese names a thing last: 联系人电话 is a phone, 会员姓名 a name.
        score = _AS_SUFFIX if bare.endswith(synonym) else _INSIDE
        found[key] = (-score, rank, -len(synonym), key)
    return list(found.values())


def match_columns(header_cells: list[Cell], kind: ImportKind) -> list[ColumnMatch]:
    """Returns the proposed field of each column that has one, at most one column per field, by column."""
    ranked = []
    for column, cell in enumerate(header_cells):
        for order in _candidates(normalize_header(cell), kind):
            ranked.append((order, column))
    ranked.sort()
    taken_columns: set[int] = set()
    taken_fields: set[str] = set()
    matches = []
    for (negative_score, _rank, _length, key), column in ranked:
        if column in taken_columns or key in taken_fields:
            continue
        taken_columns.add(column)
        taken_fields.add(key)
        matches.append(ColumnMatch(column, key, -negative_score))
    return sorted(matches, key=lambda match: match.column)


def propose_mapping(header_cells: list[Cell], kind: ImportKind) -> dict[int, str]:
    """Returns the proposed mapping of column index (0 for column A) to field key; no field twice."""
    return {match.column: match.field for match in match_columns(header_cells, kind)}


def missing_required(mapping: dict[int, str], kind: ImportKind) -> list[Field]:
    """Returns the required fields no column is mapped to (a field's ``or_field`` stands in for it)."""
    mapped = set(mapping.values())
    return [
        target
        for target in KINDS[kind]
        if target.required and target.key not in mapped and (target.or_field not in mapped)
    ]


# Part of every fingerprint: change it whenever normalize_header changes, so that mappings remembered
# under the old normalisation are not applied to headers it would now read differently.
_FINGERPRINT_VERSION = "1"


def layout_fingerprint(header_cells: list[Cell]) -> str:
    """Returns a stable hash of the normalised header texts, in their columns.

    Files with the same columns in the same places get the same fingerprint whatever their spacing,
    full-width characters or markers; blank columns after the last header do not count, blank columns
    before or between headers do, because a remembered mapping is by column index.
    """
    texts = [normalize_header(cell) for cell in header_cells]
    while texts and not texts[-1]:
        texts.pop()
    payload = "\x1f".join([_FINGERPRINT_VERSION, *texts]).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:32]
