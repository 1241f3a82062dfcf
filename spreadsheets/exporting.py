"""A list as the window shows it, written to .xlsx: the same rows, order, search and filters.

The workbook is what clerks send upward and open in Excel, WPS or LibreOffice: a title line saying what
the list is, when it was taken and how many rows it holds; a bold header that stays in view and carries
the autofilter; codes (ID numbers, credit codes, phones) as text, since a number cell keeps only 15
digits; dates as date cells; counts as numbers. ID numbers and phones are masked, for everyone, unless
the export is a full one: that needs the editor's right and a reason, and is kept in the audit trail
(``models.privacy``).

Written with openpyxl's write-only mode, a page of rows at a time, so 100,000 members take neither the
memory of 700,000 cell objects nor the time to build them. The file appears under its name only when
complete: a cancelled or failed export leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import WorkbookAlreadySaved
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Date, Engine

from models.errors import FileNotWritable, writing_file
from models.labels import COLUMN_TITLES, LIST_TITLES, presenter
from models.listing import LISTINGS, fetch_rows, list_ids
from models.privacy import (
    check_full_disclosure,
    disclosure_subject,
    personal_columns,
    record_full_disclosure,
)

Progress = tuple[int, int, str]

PAGE_SIZE = 2000  # rows fetched and written between two progress reports
# Columns holding codes made of digits: written as text cells (number format "@"), or Excel would show
# 5.00112E+17 and keep only 15 digits of an ID number.
CODE_COLUMNS = frozenset({"id_number", "credit_code", "mobile"})
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
# Column widths, in widths of a digit (Excel's unit). A long union name runs under its neighbour rather
# than push the rest of the list off the screen; the filter's drop-down button covers the header's end.
WIDEST_COLUMN = 50
NARROWEST_COLUMN = 8
FILTER_BUTTON = 3
PADDING = 2  # so that a right-aligned number or date does not touch the text of the next column
HEADER_ROW = 2  # under the title line
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def export_listing(
    engine: Engine,
    listing_key: str,
    target: Path,
    *,
    sort: str | None = None,
    descending: bool = False,
    search: str = "",
    filters: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    conditions: Sequence[str] = (),
    full: bool = False,
    reason: str | None = None,
    exported_at: datetime | None = None,
) -> Iterator[Progress]:
    """Write one list to ``target`` (.xlsx), yielding ``(done, total, message)`` as rows are written.

    The rows are those of ``models.listing.list_ids`` with the same ``sort``, ``descending``, ``search``
    and ``filters``: the export is the list on the screen. The last yield is ``(total, total, …)``, just
    before the file is saved; closing the generator at any yield (a cancel) leaves no file behind.

    Args:
        engine: The database.
        listing_key: A key of ``models.listing.LISTINGS``: "members", "employers", "unorganized"…
        target: Where the workbook goes; an existing file there is replaced once the new one is complete.
        sort, descending, search, filters: As for ``list_ids``.
        columns: The columns to write, in this order (the ones the window shows); all of them if None.
        conditions: What the list was narrowed by, in words ("一级工会：礼嘉街道工会"), for the title line;
            the search is added by itself.
        full: Write ID numbers and phones whole instead of masked. Needs the editor's right and a
            ``reason``; the audit trail keeps who, how many people, why and which file, once the rows
            are written and before the file takes its name.
        reason: Why a full export is needed, as the person typed it.
        exported_at: The time named in the title; now if None.

    Raises:
        FileNotWritable: the target is open in Excel or WPS, or its folder cannot be written.
        NotAllowed: a full export asked for by a reader.
        InvalidInput: a full export without a reason.
    """
    listing = LISTINGS[listing_key]
    columns = list(columns or listing.column_keys)
    unknown = set(columns) - set(listing.column_keys)
    if unknown:
        raise ValueError(f"{listing_key} has no columns {sorted(unknown)}")
    disclosure = None
    if full:
        reason = check_full_disclosure(engine, reason)
        if revealed := personal_columns(listing_key, columns):  # a list without them discloses nothing
            disclosure = (disclosure_subject(listing_key, columns), reason)
            # Said on the sheet too, so that whoever receives the file knows to keep it safe.
            titles = "、".join(COLUMN_TITLES[listing_key][column] for column in revealed)
            conditions = [*conditions, f"含完整{titles}"]
    target = Path(target)
    _refuse_target_in_use(target)
    ids = list_ids(engine, listing_key, sort, descending, search, filters=filters)
    total = len(ids)
    yield 0, total, f"正在导出 {total:,} 条"
    title = _title(listing_key, search, conditions, exported_at or datetime.now(), total)
    yield from _write_workbook(engine, listing_key, target, ids, columns, title, disclosure)


def _refuse_target_in_use(target: Path) -> None:
    """Refuse at once, not after the rows are written, a target that Excel or WPS holds open.

    Windows refuses to open a file for writing while Excel has it open; opening it for update without
    writing changes nothing.
    """
    if not target.exists():
        return
    try:
        with open(target, "r+b"):
            pass
    except PermissionError as error:
        raise _in_use(target) from error


def _in_use(target: Path) -> FileNotWritable:
    return FileNotWritable(
        f"无法保存“{target.name}”：该文件正在 Excel、WPS 或其他程序中打开，或没有写入权限。"
        "请关闭该文件后重新导出，或另选文件名。"
    )


def _title(listing_key: str, search: str, conditions: Sequence[str], when: datetime, total: int) -> str:
    """会员名册（查找“张”；状态：在会；导出时间 2026-11-23 14:05，共 1,234 条）."""
    parts = ([f"查找“{search.strip()}”"] if search.strip() else []) + list(conditions)
    parts.append(f"导出时间 {when:%Y-%m-%d %H:%M}，共 {total:,} 条")
    return f"{LIST_TITLES[listing_key]}（{'；'.join(parts)}）"


def _write_workbook(
    engine: Engine,
    listing_key: str,
    target: Path,
    ids: list[int],
    columns: list[str],
    title: str,
    disclosure: tuple[str, str] | None,
) -> Iterator[Progress]:
    """Write into a temporary file beside the target, then put it in the target's place.

    A full export (``disclosure``: what and why) is recorded just before the file takes its name: one that
    fails or is cancelled discloses nothing, and one that cannot be recorded does not appear.
    """
    total = len(ids)
    temporary = _temporary_beside(target)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(LIST_TITLES[listing_key])
    try:
        rows = _rows(engine, listing_key, ids, columns)
        first_page = next(rows, [])
        _lay_out(sheet, listing_key, columns, first_page, title, total)
        writers = _cell_writers(sheet, listing_key, columns, disclosure is not None)
        done = 0
        for page in _pages(first_page, rows):
            for values in page:
                sheet.append([write(value) for write, value in zip(writers, values, strict=True)])
            done += len(page)
            yield done, total, f"正在导出 {done:,}/{total:,} 条"
        yield total, total, "正在保存文件"
        workbook.properties.title = title
        workbook.properties.creator = "工会组建工作台"
        with writing_file(target):
            workbook.save(temporary)
        if disclosure is not None:
            record_full_disclosure(engine, disclosure[0], done, disclosure[1], target.name)
        _replace(temporary, target)
    except BaseException:  # a cancel (GeneratorExit) as much as a failure: no half file stays behind
        _discard_sheet(sheet)
        temporary.unlink(missing_ok=True)
        raise


def _rows(engine: Engine, listing_key: str, ids: list[int], columns: list[str]) -> Iterator[list[tuple]]:
    """The rows of the chosen columns in list order, a page at a time (a row deleted meanwhile is left out)."""
    keys = LISTINGS[listing_key].column_keys
    positions = [keys.index(column) for column in columns]
    for start in range(0, len(ids), PAGE_SIZE):
        page = ids[start : start + PAGE_SIZE]
        fetched = fetch_rows(engine, listing_key, page)
        yield [
            tuple(row[p] for p in positions)
            for record_id in page
            if (row := fetched.get(record_id)) is not None
        ]


def _pages(first: list[tuple], rest: Iterator[list[tuple]]) -> Iterator[list[tuple]]:
    if first:
        yield first
    yield from rest


def _lay_out(
    sheet: WriteOnlyWorksheet,
    listing_key: str,
    columns: list[str],
    sample: list[tuple],
    title: str,
    total: int,
) -> None:
    """Everything a write-only sheet needs before its first row: widths, frozen header, autofilter,
    print settings; then the title line and the header."""
    headers = [COLUMN_TITLES[listing_key][column] for column in columns]
    presenters = [presenter(listing_key, column) for column in columns]
    for index, header in enumerate(headers):
        shown = [_as_text(presenters[index](values[index])) for values in sample]
        width = max([display_width(header) + FILTER_BUTTON, *map(display_width, shown)]) + PADDING
        width = min(max(width, NARROWEST_COLUMN), WIDEST_COLUMN)
        sheet.column_dimensions[get_column_letter(index + 1)].width = round(width, 1)
    last_column = get_column_letter(len(columns))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + total}"
    # Printed, every page repeats the header and the columns fit the width of an A4 page.
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if len(columns) > 5 else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True  # a printed list is read along its rows
    sheet.print_options.horizontalCentered = True
    title_cell = WriteOnlyCell(sheet, title)
    title_cell.font = TITLE_FONT
    sheet.append([title_cell])
    sheet.append([_header_cell(sheet, header) for header in headers])


def _header_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center")
    return cell


def display_width(text: str) -> float:
    """How many digits wide the text is: a Chinese (wide or full-width) character two, a capital letter
    (as in a credit code) a little over one."""
    return sum(_character_width(character) for character in text)


def _character_width(character: str) -> float:
    if unicodedata.east_asian_width(character) in "WF":
        return 2
    return 1.3 if "A" <= character <= "Z" else 1


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}" if hasattr(value, "strftime") else str(value)


def _cell_writers(
    sheet: WriteOnlyWorksheet, listing_key: str, columns: list[str], reveal_personal_data: bool
) -> list[Callable[[object], object]]:
    """For each column, what to append for a stored value: the shown value, in a formatted cell where the
    column needs a number format (codes as text, dates as dates)."""
    column_types = LISTINGS[listing_key].columns
    writers = []
    for column in columns:
        present = presenter(listing_key, column, reveal_personal_data)
        if column in CODE_COLUMNS:
            writers.append(_formatted(sheet, present, TEXT_FORMAT, str))
        elif isinstance(column_types[column].type, Date):
            writers.append(_formatted(sheet, present, DATE_FORMAT, lambda value: value))
        else:
            writers.append(lambda value, present=present: _printable(present(value)))
    return writers


def _formatted(
    sheet: WriteOnlyWorksheet,
    present: Callable[[object], object],
    number_format: str,
    convert: Callable[[object], object],
) -> Callable[[object], object]:
    # One cell per column, refilled for each row: a write-only sheet serialises a row as it is appended,
    # and creating and styling 200,000 cells instead took a third of the export's time.
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format

    def write(value: object) -> object:
        value = present(value)
        if value is None:
            return None
        cell.value = convert(value)
        return cell

    return write


def _printable(value: object) -> object:
    """Text without the control characters a worksheet cannot hold (openpyxl refuses them, Excel would
    call the file damaged); they come in with pasted or imported text."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _temporary_beside(target: Path) -> Path:
    """A new empty file in the target's folder (so that the final rename stays on one disk), named so
    that a clerk who sees it in the folder knows what it is."""
    if not target.parent.is_dir():
        raise FileNotWritable(f"文件夹“{target.parent}”不存在，请另选保存位置。")
    temporary = target.with_name(f"{target.stem}.导出中.{uuid.uuid4().hex[:8]}.tmp")
    with writing_file(target):  # a full disk, a folder that went away…
        try:
            temporary.open("xb").close()  # created now: a folder we may not write to is refused at once
        except PermissionError as error:
            raise FileNotWritable(f"没有权限在文件夹“{target.parent}”中保存文件，请另选保存位置。") from error
    return temporary


def _replace(temporary: Path, target: Path) -> None:
    try:
        os.replace(temporary, target)
    except PermissionError as error:  # Windows: Excel or WPS opened the target while we were writing
        raise _in_use(target) from error


def _discard_sheet(sheet: WriteOnlyWorksheet) -> None:
    """Close and remove the temporary file openpyxl writes the sheet's rows into: it removes it itself
    only when the workbook is saved, or when the program exits (and the window runs all day)."""
    writer = sheet._writer
    if writer is None:
        return
    with contextlib.suppress(WorkbookAlreadySaved, OSError, ValueError):  # a save that failed has closed it
        sheet.close()
    with contextlib.suppress(OSError, ValueError):
        writer.cleanup()
