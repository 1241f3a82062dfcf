"""Importing a list into the registers: members, employers, grassroots unions, or staff counts.

Three steps, each usable from the window's worker thread or the command line:

1. ``read_layout(path, kind)``: the sheet likeliest to hold the list, its header row and the proposed
   column mapping (quick: only the first rows are converted). The clerk corrects the mapping;
   ``spreadsheets.mappings`` remembers it for the next file with the same columns.
2. ``prepare_import(engine, path, kind, mapping=…)``: reads every row and checks every cell against
   the rules and the registers, writing nothing. Its result, an ``ImportPreview``, holds the rows ready
   to write, the problems (sheet, Excel row, column, cell, reason in Chinese), the rows matching a
   record already registered, and the refused rows as they were, for ``spreadsheets.error_workbook``.
3. ``write_import(engine, preview, on_duplicate="skip" | "update")``: writes the ready rows in ONE
   transaction (``models.imports``): every one of them, or, if it is cancelled, fails or the process is
   killed, none.

Steps 2 and 3 are generators yielding ``(done, total, message)`` (STYLE habit 5; ``total`` is 0 while it
is not known yet) and *return* their result, which ends the iteration (``StopIteration.value``)::

    preview = yield from prepare_import(...)             # inside another generator, or:
    preview = run_to_end(prepare_import(...), on_progress)
    result = run_to_end(write_import(engine, preview, cancelled=stop.is_set), on_progress)

To cancel: ``prepare_import`` writes nothing, so stop iterating and close it. ``write_import`` rolls back
when it is closed (``generator.close()``, as the window's worker does on 取消) or when its ``cancelled``
callable turns true, which raises ``ImportCancelled``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from models import imports
from models.codes import mask_id_number
from models.entities import (
    EmployerClass,
    EmploymentForm,
    MemberStatus,
    StaffCountSource,
    UnionKind,
    UnionStatus,
)
from models.errors import InvalidInput
from models.imports import (
    WRITE_AHEAD_BATCH,
    Directory,
    EmployerRow,
    HeadcountRow,
    ImportCancelled,
    ImportChanged,
    ImportCounts,
    MemberRow,
    MemberWriteAhead,
    UnionRow,
)
from spreadsheets.choices import choice_parser, staff_count_source
from spreadsheets.columns import KINDS, Field, ImportKind, fields, layout_fingerprint, missing_required
from spreadsheets.reading import SpreadsheetError, Workbook, open_workbook, propose_sheet
from spreadsheets.tables import HEADER_SCAN_ROWS, SkippedRow, column_letter, data_rows_below, find_header
from spreadsheets.values import (
    Cell,
    CellProblem,
    parse_code,
    parse_date,
    parse_int,
    parse_list,
    parse_mobile,
    parse_name,
    parse_sex,
    parse_text,
)

__all__ = [
    "CODE_TYPES",
    "ExistingMatch",
    "ImportCancelled",
    "ImportChanged",
    "ImportPreview",
    "ImportResult",
    "Layout",
    "NoTable",
    "OnDuplicate",
    "Problem",
    "Progress",
    "prepare_import",
    "read_layout",
    "run_to_end",
    "shown_cell",
    "staff_count_source",
    "write_import",
]

Progress = tuple[int, int, str]
OnDuplicate: TypeAlias = Literal["skip", "update"]
_T = TypeVar("_T")

CODE_TYPES = frozenset({"id_number", "credit_code", "union_credit_code", "mobile"})
"""Value types whose cells are codes: text everywhere, in the error workbook too."""

_NOUNS = {"members": "会员", "employers": "单位", "unions": "基层工会", "headcounts": "职工人数"}
_ONCE = {
    "members": "同一人只能导入一次",
    "employers": "同一单位只能导入一次",
    "unions": "同一工会只能导入一次",
    "headcounts": "同一单位的人数只能导入一次",
}
# Rows between two progress reports: often enough for a smooth bar, rare enough to cost nothing.
_PROGRESS_EVERY = 5000
WRITE_AHEAD_FIRST = 2000


class NoTable(SpreadsheetError):
    """The sheet holds no header row of the kind of list being imported."""


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a row was refused, pointing at the cell as the clerk sees it in Excel.

    Attributes:
        sheet: The worksheet's name.
        row: The Excel row number.
        column: The Excel column letter ("" when the problem is about a column the file does not have).
        header: That column's header text as in the file.
        value: The cell as Excel shows it ("" for an empty cell).
        reason: What is wrong, in Chinese.
    """

    sheet: str
    row: int
    column: str
    header: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ExistingMatch:
    """A row for a record that is registered already: skipped or updated, as the clerk chooses."""

    row: int
    record_id: int
    description: str


@dataclass
class ImportPreview:
    """What an import would do, found by ``prepare_import`` without writing anything.

    Attributes:
        kind: members, employers, unions or headcounts.
        path: The file.
        sheet: The worksheet read.
        header_row: The Excel row number of the header.
        header: The header row's cells as they are in the file.
        mapping: Column index (0 for A) to field key, as used.
        fingerprint: ``columns.layout_fingerprint`` of the header, to remember the mapping under.
        rows: The rows ready to write, as ``models.imports`` takes them.
        row_numbers: The Excel row number of each of ``rows``.
        problems: Every reason a row was refused; a row may have several.
        existing: Rows matching a registered record (ID number, credit code, or name without a code).
        refused_rows: The refused rows' cells as read, by Excel row number, for the error workbook.
        skipped: Non-blank rows that are not data (subtotals, repeated headers, notes under the table).
        read: How many data rows were read.
        source: Where staff counts come from (headcounts only).
        write_ahead: The new members already written into a transaction that is still open, when
            ``prepare_import`` was asked to write ahead; ``write_import`` commits it, ``discard`` drops it.
    """

    kind: ImportKind
    path: Path
    sheet: str
    header_row: int
    header: list[Cell]
    mapping: dict[int, str]
    fingerprint: str
    rows: list = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    existing: list[ExistingMatch] = field(default_factory=list)
    refused_rows: dict[int, list[Cell]] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)
    read: int = 0
    source: StaffCountSource | None = None
    write_ahead: MemberWriteAhead | None = field(default=None, repr=False, compare=False)

    def discard(self) -> None:
        """The clerk will not import this preview (went back, closed, checks again): roll back whatever
        was written ahead, and let the database be written by others again."""
        if self.write_ahead is not None:
            self.write_ahead.discard()
            self.write_ahead = None

    @property
    def refused(self) -> int:
        """How many rows were refused."""
        return len(self.refused_rows)

    @property
    def code_columns(self) -> set[int]:
        """Columns holding ID numbers, credit codes or phones: text, never numbers."""
        types = {target.key: target.value_type for target in fields(self.kind)}
        return {column for column, key in self.mapping.items() if types[key] in CODE_TYPES}

    def reasons(self) -> dict[int, list[Problem]]:
        """The problems of each refused row, by Excel row number, in row order."""
        by_row: dict[int, list[Problem]] = {}
        for problem in self.problems:
            by_row.setdefault(problem.row, []).append(problem)
        return dict(sorted(by_row.items()))


@dataclass(frozen=True)
class ImportResult:
    """What ``write_import`` did: rows read, records added and updated, rows left out, rows refused."""

    read: int
    imported: int
    updated: int
    skipped: int
    refused: int

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "refused": self.refused,
        }


def run_to_end(
    steps: Generator[Progress, None, _T], on_progress: Callable[[int, int, str], None] | None = None
) -> _T:
    """Runs a progress generator to its end, reporting each step, and returns its return value."""
    while True:
        try:
            done, total, message = next(steps)
        except StopIteration as finished:
            return finished.value
        if on_progress is not None:
            on_progress(done, total, message)


# --- layout -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a file's list looks to an import of one kind.

    Attributes:
        sheet_names: Every worksheet, for the clerk to choose another.
        sheet: The worksheet chosen (given, or the likeliest).
        header_index: Index of the header row in the sheet's rows: Excel row ``header_index + 1``.
        header: The header row's cells.
        mapping: The proposed column index → field key.
        missing: Labels of required fields no column is mapped to.
        fingerprint: What a remembered mapping is stored under.
        workbook: The file as read; ``prepare_import(..., layout=)`` goes on from it rather than reading
            and parsing the file a second time (1.5 s for 100,000 rows).
    """

    sheet_names: list[str]
    sheet: str
    header_index: int
    header: list[Cell]
    mapping: dict[int, str]
    missing: tuple[str, ...]
    fingerprint: str
    workbook: Workbook = field(repr=False, compare=False)


def read_layout(
    path: Path | str, kind: ImportKind, *, sheet: str | None = None, header_index: int | None = None
) -> Layout:
    """Finds the sheet, the header row and the proposed mapping, converting only the sheets' first rows.

    Raises:
        SpreadsheetError: The file cannot be read, has no such sheet, or no header of this kind.
    """
    workbook = open_workbook(path)
    chosen = _chosen_sheet(workbook, kind, sheet)
    head = workbook.head(chosen, max(HEADER_SCAN_ROWS, (header_index or 0) + 1))
    index, proposed = _header(head, kind, chosen, header_index)
    header = list(head[index])
    return Layout(
        workbook.sheet_names,
        chosen,
        index,
        header,
        proposed,
        tuple(target.label for target in missing_required(proposed, kind)),
        layout_fingerprint(header),
        workbook,
    )


def _chosen_sheet(workbook, kind: ImportKind, sheet: str | None) -> str:
    if sheet is not None:
        if sheet not in workbook.sheet_names:
            names = "、".join(f"“{name}”" for name in workbook.sheet_names)
            raise SpreadsheetError(
                f"“{workbook.path.name}”中没有名为“{sheet}”的工作表；其中的工作表有：{names}"
            )
        return sheet
    chosen = propose_sheet(workbook, kind)
    if chosen is None:
        raise NoTable(f"“{workbook.path.name}”的各工作表都是空的，没有可导入的内容")
    return chosen


def _header(rows: Sequence[Sequence[Cell]], kind: ImportKind, sheet: str, header_index: int | None):
    """The header row's index and the mapping proposed for it."""
    if header_index is not None:
        if not 0 <= header_index < len(rows):
            raise NoTable(f"工作表“{sheet}”没有第{header_index + 1}行")
        guess = find_header([rows[header_index]], kind, scan=1)
        return header_index, (guess.mapping if guess else {})
    guess = find_header(rows, kind)
    if guess is None:
        wanted = "、".join(f"“{target.label}”" for target in fields(kind) if target.required)
        raise NoTable(
            f"在工作表“{sheet}”的前{HEADER_SCAN_ROWS}行中没有找到{_NOUNS[kind]}名单的表头（应有{wanted}等列）；"
            "请确认选择了正确的工作表"
        )
    return guess.row_index, guess.mapping


def _checked_mapping(mapping: dict[int, str], kind: ImportKind, width: int) -> dict[int, str]:
    """The mapping, or InvalidInput saying which column or field is wrong, in the clerk's words."""
    labels = {target.key: target.label for target in fields(kind)}
    taken: dict[str, int] = {}
    for column, key in sorted(mapping.items()):
        if key not in labels:
            raise ValueError(f"{kind} has no field {key!r}")
        if not 0 <= column < width:
            raise InvalidInput(f"表格没有第{column_letter(column)}列", "mapping")
        if key in taken:
            raise InvalidInput(
                f"第{column_letter(taken[key])}列和第{column_letter(column)}列都对应了“{labels[key]}”，请只选一列",
                "mapping",
            )
        taken[key] = column
    missing = missing_required(mapping, kind)
    if missing:
        names = "、".join(_required_label(target, labels) for target in missing)
        raise InvalidInput(f"缺少必需的列：{names}；请在列对应中指定", "mapping")
    return dict(mapping)


def _required_label(target: Field, labels: dict[str, str]) -> str:
    if target.or_field:
        return f"“{target.label}”（或“{labels[target.or_field]}”）"
    return f"“{target.label}”"


# --- reading cells ------------------------------------------------------------------------------------


def _parsers(today: date) -> dict[str, Callable[[Cell], object]]:
    """The parser of each value type; ``today`` once, rather than the clock asked for every cell."""
    return {
        "text": parse_text,
        "name": parse_name,
        "id_number": lambda cell: parse_code(cell, "id_number", today=today),
        "credit_code": lambda cell: parse_code(cell, "credit_code"),
        "union_credit_code": lambda cell: parse_code(cell, "union_credit_code"),
        "mobile": parse_mobile,
        # The days in these lists (入会, 成立, 统计) have happened.
        "date": lambda cell: parse_date(cell, not_future=True, today=today),
        "int": parse_int,
        "list": parse_list,
        "sex": parse_sex,  # against the ID number later, in the row
    }


# Columns whose cells are nearly all different: remembering answers would only cost memory.
_DISTINCT_TYPES = frozenset({"name", "id_number", "mobile"})
# A list repeats most cells (民族, 所在工会, 入会方式, the same date) and a parser costs a microsecond or
# more, so each column remembers the answer for each distinct cell: 100,000 rows are read in about half
# the time. A column that fills this many answers within twice as many rows holds distinct values and
# stops remembering.
_MEMO_LIMIT = 32_768
_MISS = object()


class _Refused:
    """A cell's problem, as a column remembers it in place of a value."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _memo_key(cell: Cell) -> object:
    # 1 == 1.0 == True to a dict: the type keeps a TRUE cell from taking the answer for a 1.
    return cell if type(cell) is str else (type(cell), cell)


def shown_cell(cell: Cell) -> str:
    """The cell as Excel shows it, for a problem's ``value``: a code that arrived as a number with the
    15 significant digits Excel kept (500108198511203000), not Python's 5.00108198511203e+17."""
    if isinstance(cell, float) and cell.is_integer() and abs(cell) >= 1e15:
        return format(Decimal(f"{cell:.15g}"), "f")
    return parse_text(cell) or ""


# --- checking rows ------------------------------------------------------------------------------------

_Issues = list[tuple[str, str]]  # (field key, reason) of one row
_SEX_WORDS = {"M": "男", "F": "女"}


class _Check:
    """Reads and checks the rows of one import; the subclasses hold each kind's rules."""

    kind: ImportKind

    def __init__(self, preview: ImportPreview, today: date) -> None:
        self.preview = preview
        self.header_text = [parse_text(cell) or "" for cell in preview.header]
        self.column_of = {key: column for column, key in preview.mapping.items()}
        parsers = _parsers(today)
        # Per mapped column: (column, field key, its answers remembered or None, parser).
        self.plan: list[tuple[int, str, dict | None, Callable[[Cell], object]]] = []
        for column, key in sorted(preview.mapping.items()):
            target = next(target for target in fields(self.kind) if target.key == key)
            choice = choice_parser(self.kind, key, target.label)
            parse = choice or parsers[target.value_type]
            self.plan.append((column, key, None if target.value_type in _DISTINCT_TYPES else {}, parse))
        self.seen: dict[object, int] = {}  # a row's key (ID number, code…) → the first row that had it

    def add(self, excel_row: int, cells: Sequence[Cell]) -> None:
        """Checks one data row: it becomes a ready row, or a refused one with its problems."""
        # The loop of the whole import: 1.5 million cells in a list of 100,000 members.
        values: dict[str, Any] = {}
        issues: _Issues = []
        for index, (column, key, memo, parse) in enumerate(self.plan):
            cell = cells[column]
            if memo is None:
                try:
                    value = parse(cell)
                except CellProblem as problem:
                    value = _Refused(problem.message)
            else:
                # _memo_key, inlined: a call per cell is a tenth of the loop.
                value = memo.get(cell if type(cell) is str else (type(cell), cell), _MISS)
                if value is _MISS:
                    value = self._parse(index, cell)
            if type(value) is _Refused:
                issues.append((key, value.message))
            else:
                values[key] = value
        row = self.accept(excel_row, values, issues)
        if issues:
            self.refuse(excel_row, cells, issues)
        else:
            self.preview.rows.append(row)
            self.preview.row_numbers.append(excel_row)

    def _parse(self, index: int, cell: Cell) -> object:
        """A cell its column has not seen: parsed, and remembered while the column repeats itself."""
        column, key, memo, parse = self.plan[index]
        try:
            value = parse(cell)
        except CellProblem as problem:
            value = _Refused(problem.message)
        if len(memo) < _MEMO_LIMIT:
            memo[_memo_key(cell)] = value
        elif self.preview.read < 2 * _MEMO_LIMIT:
            self.plan[index] = (column, key, None, parse)
        return value

    def accept(self, excel_row: int, values: dict[str, Any], issues: _Issues) -> Any:
        """The row to write, after adding to ``issues`` whatever refuses it."""
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last row."""

    def refuse(self, excel_row: int, cells: Sequence[Cell], issues: _Issues) -> None:
        preview = self.preview
        preview.refused_rows[excel_row] = list(cells)
        for key, reason in issues:
            column = self.column_of.get(key)
            if column is None:
                preview.problems.append(Problem(preview.sheet, excel_row, "", "", "", reason))
                continue
            preview.problems.append(
                Problem(
                    preview.sheet,
                    excel_row,
                    column_letter(column),
                    self.header_text[column],
                    shown_cell(cells[column]),
                    reason,
                )
            )

    def required(self, values: dict[str, Any], issues: _Issues, key: str, label: str) -> Any:
        """The field's value; an empty cell (not one refused already) is an issue."""
        value = values.get(key)
        if value is None and key in self.column_of and not (issues and _refused(key, issues)):
            issues.append((key, f"{label}为空"))
        return value

    def first_time(self, excel_row: int, key: object, issues: _Issues, field_key: str, what: str) -> None:
        """Refuses the row if an earlier row had the same key, naming that row."""
        earlier = self.seen.setdefault(key, excel_row)
        if earlier != excel_row:
            issues.append((field_key, f"与第{earlier}行{what}，{_ONCE[self.kind]}"))

    def earlier_row(self, excel_row: int, key: object) -> int | None:
        """The row that had the same key before this one, if any (the cheap test of ``first_time``)."""
        earlier = self.seen.setdefault(key, excel_row)
        return None if earlier == excel_row else earlier


def _refused(key: str, issues: _Issues) -> bool:
    """Whether the row's cell of this field was refused already."""
    return any(k == key for k, _ in issues)


def _one(found: list[int], issues: _Issues, key: str, missing: str, several: str) -> int | None:
    if not found:
        issues.append((key, missing))
        return None
    if len(found) > 1:
        issues.append((key, several))
        return None
    return found[0]


class _MemberCheck(_Check):
    kind = "members"

    def __init__(
        self, preview: ImportPreview, engine: Engine, today: date, registers: MemberRegisters | None = None
    ) -> None:
        super().__init__(preview, today)
        self.engine = engine
        registers = registers or read_member_registers(engine)
        self.members, self.unions = registers.members, registers.unions
        self.union_answers: dict[tuple[str | None, str | None], tuple[int | None, str, str | None]] = {}
        self.day_keys: dict[date, str] = {}  # 入会时间 as YYYYMMDD, to compare with the birth date in the ID

    def accept(self, excel_row: int, values: dict[str, Any], issues: _Issues) -> MemberRow | None:
        name = self.required(values, issues, "name", "姓名")
        id_number = self.required(values, issues, "id_number", "身份证号")
        joined_on = self.required(values, issues, "joined_on", "入会时间")
        if id_number is not None:
            earlier = self.earlier_row(excel_row, id_number)
            if earlier is not None:
                issues.append(
                    (
                        "id_number",
                        f"与第{earlier}行的身份证号相同（{mask_id_number(id_number)}），{_ONCE['members']}",
                    )
                )
            self._check_person(id_number, values.get("sex"), joined_on, issues)
        union_id = self._union(values, issues)
        form, occupation = self._employment(values, issues)
        left_on = values.get("left_on")
        if left_on is not None:
            self._check_leaving(left_on, joined_on, values.get("status"), issues)
        if issues:
            return None
        existing = self.members.get(id_number)
        if existing is not None:
            self.preview.existing.append(ExistingMatch(excel_row, existing, ""))  # described in finish()
        get = values.get
        return MemberRow(
            name, id_number, union_id, joined_on, get("ethnicity"), get("political_status"), get("education"),
            get("mobile"), get("household_type"), form, occupation, get("join_channel"), get("status"), left_on,
        )  # fmt: skip

    @staticmethod
    def _check_leaving(left_on: date, joined_on: date | None, status: str | None, issues: _Issues) -> None:
        # A leaving day belongs to a member who has left; 在会 (or no status, which means 在会) has none.
        if status in (None, MemberStatus.ACTIVE):
            issues.append(("left_on", "会员状态为在会，不应填写离会日期（转出或退会的会员才有离会日期）"))
        elif joined_on is not None and left_on < joined_on:
            issues.append(("left_on", f"离会日期{left_on.isoformat()}早于入会时间{joined_on.isoformat()}"))

    def finish(self) -> None:
        # Described after the loop, in one query: most imports match few members, or none.
        existing = self.preview.existing
        summaries = imports.member_summaries(self.engine, [match.record_id for match in existing])
        for index, match in enumerate(existing):
            name, union = summaries.get(match.record_id, ("", ""))
            existing[index] = ExistingMatch(match.row, match.record_id, f"已登记为“{union}”的会员“{name}”")

    def _check_person(self, id_number: str, sex: str | None, joined_on: date | None, issues: _Issues) -> None:
        # The 17th digit is odd for a man; parse_sex says so in the clerk's words when they disagree.
        if sex is not None and sex != ("M" if id_number[16] in "13579" else "F"):
            try:
                parse_sex(_SEX_WORDS[sex], id_number)
            except CellProblem as problem:
                issues.append(("sex", problem.message))
        if joined_on is not None:
            day = self.day_keys.get(joined_on)
            if day is None:
                day = self.day_keys[joined_on] = f"{joined_on:%Y%m%d}"
            if day < id_number[6:14]:
                born = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
                issues.append(("joined_on", f"入会时间{joined_on.isoformat()}早于出生日期{born}"))

    def _union(self, values: dict[str, Any], issues: _Issues) -> int | None:
        code, name = values.get("union_credit_code"), values.get("union")
        if code is None and name is None:
            if not any(key in ("union", "union_credit_code") for key, _ in issues):
                issues.append(("union" if "union" in self.column_of else "union_credit_code", "所在工会为空"))
            return None
        answer = self.union_answers.get((code, name))
        if answer is None:
            answer = self.union_answers[(code, name)] = self._find_union(code, name)
        union_id, key, reason = answer
        if reason is not None:
            issues.append((key, reason))
        return union_id

    def _find_union(self, code: str | None, name: str | None) -> tuple[int | None, str, str | None]:
        if code is not None:
            found = self.unions.find(code, None)
            key, missing = "union_credit_code", f"没有找到统一社会信用代码为{code}的基层工会，请先导入工会"
        else:
            found = self.unions.find(None, name)
            key, missing = "union", f"没有找到基层工会“{name}”，请先导入工会"
        if not found:
            return None, key, missing
        if len(found) > 1:
            return None, key, f"有多个名为“{name}”的基层工会，请填写工会统一社会信用代码"
        union = self.unions.by_id[found[0]]
        if union.status != UnionStatus.ACTIVE:
            return None, key, f"基层工会“{union.name}”已转出或撤销，不能再加入会员"
        return union.id, key, None

    def _employment(self, values: dict[str, Any], issues: _Issues) -> tuple[str | None, str | None]:
        form, occupation = values.get("employment_form"), values.get("flexible_occupation")
        if occupation is None:
            return form, None
        if form == EmploymentForm.REGULAR:
            issues.append(
                (
                    "flexible_occupation",
                    "就业形式是在岗职工，不能同时填写新就业形态职业；灵活就业人员请把就业形式填为“灵活就业”",
                )
            )
        # A 快递员 is in 灵活就业 whether or not the list says so.
        return EmploymentForm.FLEXIBLE.value, occupation


class _RegisterCheck(_Check):
    """Employers and unions: a record is found by its credit code, or by its name when it has none."""

    def match(
        self, excel_row: int, directory: Directory, values: dict[str, Any], issues: _Issues, noun: str
    ) -> int | None:
        code, name = values.get("credit_code"), values.get("name")
        if code is not None:
            self.first_time(
                excel_row, ("code", code), issues, "credit_code", f"的统一社会信用代码相同（{code}）"
            )
        elif name is not None:
            self.first_time(excel_row, ("name", name), issues, "name", "的名称相同且都没有统一社会信用代码")
        if name is None:
            return None
        found = directory.find(code, name)
        if len(found) > 1:
            issues.append(("name", f"已登记多个名为“{name}”的{noun}，请填写统一社会信用代码以指明是哪一个"))
            return None
        if found:
            # Two rows (different codes) for one registered record without a code: the second is refused.
            self.first_time(
                excel_row, ("record", found[0]), issues, "name", f"对应同一条已登记的{noun}“{name}”"
            )
            return found[0]
        return None

    def first_level(self, values: dict[str, Any], issues: _Issues, key: str) -> int | None:
        name = values.get(key)
        if name is None:
            return None
        found = self.first_levels.get(name)
        if found is None:
            issues.append((key, f"没有找到一级工会“{name}”，请核对名称"))
        return found

    def existing(self, excel_row: int, record_id: int | None, directory: Directory, noun: str) -> None:
        if record_id is not None:
            entry = directory.by_id[record_id]
            code = f"（{entry.credit_code}）" if entry.credit_code else ""
            self.preview.existing.append(
                ExistingMatch(excel_row, record_id, f"已登记的{noun}“{entry.name}”{code}")
            )


# Registering authority (the credit code's first character) → class: 编制 registers public bodies and 民政
# social organisations; what 市场监管 registers is nearly always a non-public enterprise here, and a
# state-owned one can be corrected on its page.
_CLASS_BY_AUTHORITY = {
    "1": EmployerClass.PUBLIC_INSTITUTION.value,
    "5": EmployerClass.SOCIAL_ORGANIZATION.value,
    "9": EmployerClass.NON_PUBLIC.value,
}


class _EmployerCheck(_RegisterCheck):
    kind = "employers"

    def __init__(self, preview: ImportPreview, engine: Engine, today: date) -> None:
        super().__init__(preview, today)
        self.employers = Directory(imports.employer_entries(engine))
        self.first_levels = imports.first_level_union_ids(engine)

    def accept(self, excel_row: int, values: dict[str, Any], issues: _Issues) -> EmployerRow | None:
        name = self.required(values, issues, "name", "单位名称")
        record_id = self.match(excel_row, self.employers, values, issues, "单位")
        parent = self.first_level(values, issues, "first_level_union")
        get = values.get
        employer_class = get("employer_class")
        if employer_class is None and record_id is None and get("credit_code"):
            employer_class = _CLASS_BY_AUTHORITY.get(get("credit_code")[0])
        if (
            employer_class is None
            and record_id is None
            and name is not None
            and not _refused("employer_class", issues)
        ):
            key = "employer_class" if "employer_class" in self.column_of else "name"
            issues.append((key, "新单位须填写单位类别（国有企业、机关事业单位、非公企业、社会组织）"))
        if issues:
            return None
        self.existing(excel_row, record_id, self.employers, "单位")
        return EmployerRow(
            name, get("credit_code"), employer_class, get("industry"), get("address"),
            get("legal_representative"), get("contact_person"), get("contact_phone"), get("founded_on"),
            get("staff_count"), parent,
        )  # fmt: skip


class _UnionCheck(_RegisterCheck):
    kind = "unions"

    def __init__(self, preview: ImportPreview, engine: Engine, today: date) -> None:
        super().__init__(preview, today)
        self.unions = Directory(imports.union_entries(engine))
        self.employers = Directory(imports.employer_entries(engine))
        self.first_levels = imports.first_level_union_ids(engine)

    def accept(self, excel_row: int, values: dict[str, Any], issues: _Issues) -> UnionRow | None:
        name = self.required(values, issues, "name", "工会名称")
        record_id = self.match(excel_row, self.unions, values, issues, "基层工会")
        parent = self.first_level(values, issues, "parent")
        employer_ids = self._employers(values, issues)
        kind = values.get("kind")
        if kind in (None, UnionKind.SINGLE) and employer_ids and len(employer_ids) > 1:
            issues.append(("employers", "单独基层工会只覆盖一家单位；覆盖多家请把工会类型填为“联合基层工会”"))
        if parent is None and record_id is None and name is not None and not _refused("parent", issues):
            parent = self._parent_of_employers(employer_ids, issues)
        term_years = values.get("term_years")
        if term_years is not None and term_years not in (3, 5):
            issues.append(("term_years", f"每届任期为3年或5年，现为{term_years}"))
        if issues:
            return None
        self.existing(excel_row, record_id, self.unions, "基层工会")
        get = values.get
        return UnionRow(
            name, get("credit_code"), kind, parent, employer_ids, get("founded_on"), get("chair_name"),
            term_years, get("covered_staff"),
        )  # fmt: skip

    def _employers(self, values: dict[str, Any], issues: _Issues) -> tuple[int, ...] | None:
        items = values.get("employers")
        if not items:
            return None
        ids = []
        for item in items:
            code = None
            if len(item) == 18 and item.isalnum() and item.isascii():
                try:
                    code = parse_code(item, "credit_code")
                except CellProblem as problem:
                    issues.append(("employers", problem.message))
                    continue
            found = self.employers.find(code, None if code else item)
            employer_id = _one(
                found,
                issues,
                "employers",
                f"没有找到单位“{item}”，请先导入单位",
                f"有多个名为“{item}”的单位，请改填它的统一社会信用代码",
            )
            if employer_id is not None:
                ids.append(employer_id)
        return tuple(ids)

    def _parent_of_employers(self, employer_ids: tuple[int, ...] | None, issues: _Issues) -> int | None:
        """A new union without a 上级工会 goes under its employers' first-level union, if they have one."""
        parents = {self.employers.by_id[i].first_level_union_id for i in employer_ids or ()} - {None}
        if len(parents) == 1:
            return parents.pop()
        key = "parent" if "parent" in self.column_of else "name"
        issues.append((key, "新工会须填写上级工会（一级工会）"))
        return None


class _HeadcountCheck(_Check):
    kind = "headcounts"

    def __init__(self, preview: ImportPreview, engine: Engine, today: date, as_of: date) -> None:
        super().__init__(preview, today)
        self.employers = Directory(imports.employer_entries(engine))
        self.as_of = as_of

    def accept(self, excel_row: int, values: dict[str, Any], issues: _Issues) -> HeadcountRow | None:
        count = self.required(values, issues, "staff_count", "职工人数")
        employer_id = self._employer(values, issues)
        if employer_id is not None:
            self.first_time(
                excel_row,
                employer_id,
                issues,
                "credit_code" if values.get("credit_code") else "name",
                "是同一家单位",
            )
        if issues:
            return None
        return HeadcountRow(employer_id, count, values.get("as_of") or self.as_of)

    def _employer(self, values: dict[str, Any], issues: _Issues) -> int | None:
        code, name = values.get("credit_code"), values.get("name")
        if code is not None:
            # Strictly by code: a count given for one code must not land on a namesake.
            return _one(self.employers.find(code, None), issues, "credit_code",
                        f"没有找到统一社会信用代码为{code}的单位，请先导入单位", "")  # fmt: skip
        if name is not None:
            return _one(
                self.employers.find(None, name),
                issues,
                "name",
                f"没有找到名为“{name}”的单位，请先导入单位或填写统一社会信用代码",
                f"有多个名为“{name}”的单位，请填写统一社会信用代码",
            )
        if not any(key in ("credit_code", "name") for key, _ in issues):
            issues.append(
                (
                    "credit_code" if "credit_code" in self.column_of else "name",
                    "单位名称和统一社会信用代码都为空",
                )
            )
        return None


# --- the two steps ------------------------------------------------------------------------------------


def prepare_import(
    engine: Engine,
    path: Path | str,
    kind: ImportKind,
    *,
    sheet: str | None = None,
    mapping: dict[int, str] | None = None,
    header_index: int | None = None,
    layout: Layout | None = None,
    source: StaffCountSource | str | None = None,
    as_of: date | None = None,
    write_ahead: bool = False,
) -> Generator[Progress, None, ImportPreview]:
    """Reads the file and checks every row against the rules and the registers; commits nothing.

    Args:
        engine: The database, read for the unions, employers and members already registered.
        path: The spreadsheet file.
        kind: members, employers, unions or headcounts.
        sheet: The worksheet; the likeliest one when None.
        mapping: Column index (0 for A) → field key, as the clerk confirmed it; the proposed one when None.
        header_index: Index of the header row in the sheet's rows (Excel row ``header_index + 1``); found
            when None.
        layout: What ``read_layout`` found for this file: its sheet and header row are used (``sheet`` and
            ``header_index`` must then be None) and the file is not read again.
        source: Where the staff counts come from (社保, 税务…): required for headcounts, else unused.
        as_of: The date of staff counts for rows without their own 统计日期; today when None.
        write_ahead: Members only: write the new members into a transaction left open while the list is
            checked (``MemberWriteAhead``), so that 导入 only has to finish it. The preview then holds
            the database's write lock until it is imported or discarded (``ImportPreview.discard``).

    Yields:
        ``(done, total, message)``; ``total`` is 0 until the rows have been read.

    Returns:
        The ``ImportPreview``, as the generator's return value.

    Raises:
        SpreadsheetError: The file cannot be read, or holds no list of this kind.
        InvalidInput: The mapping lacks a required column or maps one field twice, or a headcount import
            has no source.
    """
    if kind not in KINDS:
        raise ValueError(f"not an import kind: {kind!r}")
    chosen_source = None
    if kind == "headcounts":
        if source is None:
            raise InvalidInput(
                "导入职工人数时必须指明人数来源（社保、税务、市场监管、单位自报、走访摸底）", "source"
            )
        chosen_source = staff_count_source(source)
    path = Path(path)
    yield 0, 0, f"正在读取“{path.name}”…"
    # calamine lets go of the interpreter while it parses a sheet: the registers are read meanwhile.
    registers = _reading_registers(engine, write_ahead) if kind == "members" else None
    try:
        preview = yield from _read_and_check(
            engine, path, kind, sheet, mapping, header_index, layout, chosen_source, as_of, registers
        )
    except BaseException:
        if registers is not None and (ahead := _ahead_of(registers)) is not None:
            ahead.discard()
        raise
    return preview


def _reading_registers(engine: Engine, write_ahead: bool) -> Future[MemberRegisters]:
    def read() -> MemberRegisters:
        # Written ahead, the transaction begins first: its lock keeps the registers as they are read.
        ahead = _write_ahead(engine) if write_ahead else None
        try:
            return read_member_registers(engine, ahead)
        except BaseException:
            if ahead is not None:
                ahead.discard()
            raise

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registers")
    try:
        return pool.submit(read)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def _ahead_of(registers: Future[MemberRegisters]) -> MemberWriteAhead | None:
    try:
        return registers.result().ahead
    except Exception:  # the reading failed, and discarded what it had begun
        return None


def _read_and_check(
    engine: Engine,
    path: Path,
    kind: ImportKind,
    sheet: str | None,
    mapping: dict[int, str] | None,
    header_index: int | None,
    layout: Layout | None,
    chosen_source: StaffCountSource | None,
    as_of: date | None,
    registers: Future[MemberRegisters] | None,
) -> Generator[Progress, None, ImportPreview]:
    if layout is not None:
        if sheet is not None or header_index is not None:
            raise ValueError("give either a layout or a sheet and a header row, not both")
        workbook, sheet, header_index = layout.workbook, layout.sheet, layout.header_index
    else:
        workbook = open_workbook(path)
    chosen = _chosen_sheet(workbook, kind, sheet)
    head = workbook.head(chosen, max(HEADER_SCAN_ROWS, (header_index or 0) + 1))
    header_index, proposed = _header(head, kind, chosen, header_index)
    header = list(head[header_index])
    preview = ImportPreview(
        kind=kind,
        path=path,
        sheet=chosen,
        header_row=header_index + 1,
        header=header,
        mapping=_checked_mapping(proposed if mapping is None else mapping, kind, len(header)),
        fingerprint=layout_fingerprint(header),
        source=chosen_source,
    )
    total = workbook.row_count(chosen) - header_index - 1
    yield 0, total, "正在读取登记信息…"
    loaded = None if registers is None else registers.result()
    preview.write_ahead = None if loaded is None else loaded.ahead
    check = _checker(preview, engine, as_of, loaded)
    yield from _check_rows(preview, check, workbook, header_index, total)
    return preview


@dataclass(frozen=True)
class MemberRegisters:
    """What a member list is checked against, read in one go (and the write-ahead begun before it)."""

    members: dict[str, int]
    unions: Directory
    ahead: MemberWriteAhead | None = None


def read_member_registers(engine: Engine, ahead: MemberWriteAhead | None = None) -> MemberRegisters:
    return MemberRegisters(
        imports.member_ids_by_id_number(engine), Directory(imports.union_entries(engine)), ahead
    )


def _write_ahead(engine: Engine) -> MemberWriteAhead | None:
    try:
        return MemberWriteAhead(engine)
    except DBAPIError:  # busy, read-only…: the import is written the ordinary way, which says why
        return None


def _check_rows(
    preview: ImportPreview, check: _Check, workbook: Workbook, header_index: int, total: int
) -> Iterator[Progress]:
    ahead = preview.write_ahead
    known = check.members if isinstance(check, _MemberCheck) else {}
    if ahead is not None:
        ahead.expect(known, total)
    fed = 0
    # One row at a time: a 100,000-row sheet is never held as Python lists all at once.
    below = enumerate(
        islice(workbook.iter_rows(preview.sheet), header_index + 1, None), start=header_index + 2
    )
    for excel_row, cells in data_rows_below(preview.header, below, skipped=preview.skipped):
        check.add(excel_row, cells)
        preview.read += 1
        # The writer waits for its first rows: a small first batch sets it going early, larger ones follow.
        if ahead is not None and preview.read % WRITE_AHEAD_FIRST == 0:
            if len(preview.rows) - fed >= (WRITE_AHEAD_BATCH if fed else WRITE_AHEAD_FIRST):
                fed = _feed(ahead, preview.rows, fed, known)
        if preview.read % _PROGRESS_EVERY == 0:
            yield excel_row - header_index - 1, total, f"正在检查第{excel_row:,}行…"
    check.finish()
    if ahead is not None:
        _feed(ahead, preview.rows, fed, known)
        ahead.no_more_rows()
    yield total, total, _summary(preview)


def _feed(ahead: MemberWriteAhead, rows: list[MemberRow], fed: int, known: dict[str, int]) -> int:
    """Hand the accepted rows since ``fed`` that are new members to the writer; returns how far it fed."""
    ahead.add([row for row in rows[fed:] if row.id_number not in known])
    return len(rows)


def _checker(
    preview: ImportPreview, engine: Engine, as_of: date | None, registers: MemberRegisters | None = None
) -> _Check:
    today = date.today()
    if preview.kind == "members":
        return _MemberCheck(preview, engine, today, registers)
    if preview.kind == "employers":
        return _EmployerCheck(preview, engine, today)
    if preview.kind == "unions":
        return _UnionCheck(preview, engine, today)
    return _HeadcountCheck(preview, engine, today, as_of or today)


def _summary(preview: ImportPreview) -> str:
    return f"已检查{preview.read:,}行：可导入{len(preview.rows):,}行，有问题{preview.refused:,}行"


def write_import(
    engine: Engine,
    preview: ImportPreview,
    *,
    on_duplicate: OnDuplicate = "skip",
    cancelled: Callable[[], bool] | None = None,
) -> Generator[Progress, None, ImportResult]:
    """Writes the preview's ready rows in one transaction: all of them, or none.

    Args:
        engine: The database.
        preview: What ``prepare_import`` returned.
        on_duplicate: What to do with a row whose record is registered already: ``skip`` it, or
            ``update`` the record with the row's non-empty cells. Staff counts always update.
        cancelled: Asked between batches; when it returns True the transaction is rolled back and
            ``ImportCancelled`` raised.

    Returns:
        The ``ImportResult``, as the generator's return value.

    Raises:
        ImportCancelled: Cancelled; nothing was written.
        ImportChanged: The registers changed since the preview so that a row no longer fits; nothing
            was written.
    """
    if on_duplicate not in ("skip", "update"):
        raise ValueError(f"on_duplicate must be 'skip' or 'update', not {on_duplicate!r}")
    update_existing = on_duplicate == "update"
    rows = preview.rows
    counts: ImportCounts
    if preview.kind == "members":
        ahead, preview.write_ahead = preview.write_ahead, None
        counts = yield from imports.write_members(
            engine,
            rows,
            update_existing=update_existing,
            cancelled=cancelled,
            source={"来源": "导入", "文件": preview.path.name, "工作表": preview.sheet},
            ahead=ahead,
        )
    elif preview.kind == "employers":
        counts = yield from imports.write_employers(
            engine, rows, update_existing=update_existing, cancelled=cancelled
        )
    elif preview.kind == "unions":
        counts = yield from imports.write_unions(
            engine, rows, update_existing=update_existing, cancelled=cancelled
        )
    else:
        assert preview.source is not None, "prepare_import requires a source for headcounts"
        counts = yield from imports.write_headcounts(engine, rows, source=preview.source, cancelled=cancelled)
    return ImportResult(preview.read, counts.imported, counts.updated, counts.skipped, preview.refused)
