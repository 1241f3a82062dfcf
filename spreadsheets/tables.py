"""Finding the table in a sheet: the header row below any title rows, and the data rows under it.

Rows are lists of cells as ``spreadsheets.reading`` gives them: ``rows[i]`` is Excel row ``i + 1`` and
``row[j]`` is column ``j`` (0 for A). The data rows skip blank rows, subtotal rows (合计, 小计) and
repeated header rows, and end at the notes clerks write under a table (制表人：…, 填表说明, 注：…).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from spreadsheets.columns import ImportKind, fields, match_columns, missing_required, normalize_header
from spreadsheets.values import Cell, is_blank

__all__ = [
    "HEADER_SCAN_ROWS",
    "HeaderGuess",
    "SkippedRow",
    "column_letter",
    "data_rows",
    "data_rows_below",
    "find_header",
]

HEADER_SCAN_ROWS = 30
"""How many rows from the top may hold the header: titles, a date line and a unit line fit easily."""
# One matched field is as likely a title row ("…基层工会会员名单") as a header.
_FEWEST_FIELDS = 2


@dataclass(frozen=True)
class HeaderGuess:
    """The row most likely to be the header of an import of some kind, and what its columns mean.

    Attributes:
        row_index: Index into the sheet's rows (Excel row ``row_index + 1``).
        score: How well the row matches: the sum over its matched columns of 4 (exact synonym) … 1
            (synonym inside the header), plus 2 for each required field found.
        mapping: Column index to field key, as ``columns.propose_mapping`` proposes.
        missing: Keys of required fields no column was matched to.
    """

    row_index: int
    score: int
    mapping: dict[int, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    @property
    def excel_row(self) -> int:
        """The header's row number as Excel shows it."""
        return self.row_index + 1


def find_header(
    rows: Sequence[Sequence[Cell]], kind: ImportKind, *, scan: int = HEADER_SCAN_ROWS
) -> HeaderGuess | None:
    """Returns the likeliest header row among the first ``scan`` rows, or None if no row has at least two
    headers of this kind of import. On a tie the upper row wins: the second of two equal rows is a
    header repeated for printing."""
    required = {target.key for target in fields(kind) if target.required}
    best: HeaderGuess | None = None
    for index, row in enumerate(rows[:scan]):
        matches = match_columns(list(row), kind)
        if len(matches) < _FEWEST_FIELDS:
            continue
        mapping = {match.column: match.field for match in matches}
        missing = missing_required(mapping, kind)
        found_required = len(required & set(mapping.values()))
        score = sum(match.score for match in matches) + 2 * found_required
        if best is None or score > best.score:
            best = HeaderGuess(index, score, mapping, tuple(target.key for target in missing))
    return best


# --- rows below the header ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedRow:
    """A non-blank row under the header that is not data, and why, for the clerk's import report."""

    excel_row: int
    reason: str


_SUBTOTAL = re.compile(r"(合计|总计|小计|共计)(?::|\d|人|$)")
# A label and a colon: 制表人：, 审核：, 填报日期：, 注：, 单位负责人：…
_FOOTER_LABEL = re.compile(
    r"(制表|填表|填报|审核|审批|复核|统计|单位负责人|负责人|联系人|联系电话|日期|注|说明|备注|附注)[^:]{0,6}:"
)
_FOOTER_HEADING = re.compile(r"(填表说明|注意事项|注\d|注[①-⑩]|说明\d)")
# Only a row starting with one of these characters can be a note; checking the first character keeps
# the check off every data row of a 100,000-row sheet.
_NOTE_STARTS = frozenset("合总小共制填审复统单负联日注说备附")
# A footer is a line of text, not a row of data: a data row of a person whose name starts like a note
# (单, 日…) has more cells filled than this.
_FOOTER_MOST_CELLS = 3


def _first_filled(row: Sequence[Cell]) -> Cell:
    for value in row:
        if not is_blank(value):
            return value
    return None


def _first_char(value: Cell) -> str:
    return value.lstrip()[:1] if isinstance(value, str) else ""


def _note_text(value: Cell) -> str | None:
    """The cell's text without whitespace if it may start a note, else None (most cells, cheaply)."""
    if _first_char(value) not in _NOTE_STARTS:
        return None
    # Not normalize_header: it drops the trailing colon that makes "制表人：" a note.
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _filled_count(row: Sequence[Cell]) -> int:
    return sum(1 for value in row if not is_blank(value))


def data_rows(
    rows: Sequence[Sequence[Cell]], header_index: int, *, skipped: list[SkippedRow] | None = None
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """Yields ``(excel_row, cells)`` for each data row below the header.

    Blank rows are passed over silently; subtotal rows and repeated headers are passed over and listed
    in ``skipped``; the first footer note (制表人：…, 填表说明, 注：…) ends the table and is listed too.

    Args:
        rows: The sheet's rows, ``rows[i]`` being Excel row ``i + 1``.
        header_index: Index of the header row in ``rows``.
        skipped: A list to which the non-blank rows passed over are appended, when given.
    """
    below = ((index + 1, rows[index]) for index in range(header_index + 1, len(rows)))
    return data_rows_below(rows[header_index], below, skipped=skipped)


def data_rows_below(
    header_cells: Sequence[Cell],
    numbered_rows: Iterable[tuple[int, Sequence[Cell]]],
    *,
    skipped: list[SkippedRow] | None = None,
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """``data_rows`` over rows given one at a time (``Workbook.iter_rows``), so that a large sheet need not
    be held as Python lists all at once.

    Args:
        header_cells: The header row.
        numbered_rows: ``(excel_row, cells)`` of each row below the header, in order.
        skipped: A list to which the non-blank rows passed over are appended, when given.
    """
    header = [normalize_header(value) for value in header_cells]
    header_first = next((text for text in header if text), "")
    for excel_row, row in numbered_rows:
        first = _first_filled(row)
        if first is None:
            continue
        why = _why_not_data(row, first, header, header_first)
        if why is None:
            yield excel_row, row
            continue
        reason, ends_table = why
        if skipped is not None:
            skipped.append(SkippedRow(excel_row, reason))
        if ends_table:
            return


def _why_not_data(
    row: Sequence[Cell], first: Cell, header: list[str], header_first: str
) -> tuple[str, bool] | None:
    """Why a non-blank row is not data and whether it ends the table, or None for a data row."""
    text = _note_text(first)
    if text is not None:
        if _SUBTOTAL.match(text):
            return f"合计行（“{text}”），未导入", False
        is_footer = _FOOTER_LABEL.match(text) or _FOOTER_HEADING.match(text)
        if is_footer and _filled_count(row) <= _FOOTER_MOST_CELLS:
            return "表格下方的说明文字，此行及以下未导入", True
    # Looking for the header's first character keeps normalize_header off nearly every data row.
    if (
        isinstance(first, str)
        and header_first
        and header_first[0] in first
        and normalize_header(first) == header_first
    ):
        if [normalize_header(value) for value in row] == header:
            return "重复的表头行，未导入", False
    return None


def column_letter(column: int) -> str:
    """Returns Excel's name of the column with this 0-based index: 0 → A, 26 → AA."""
    if column < 0:
        raise ValueError(f"column index must not be negative, got {column}")
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
