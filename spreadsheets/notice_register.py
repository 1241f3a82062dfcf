"""The 一函两书 register (台账) as an .xlsx workbook, as clerks pass lists on and up.

A title line saying what the list holds and when it was exported, a bold header frozen above the rows
with an autofilter, document numbers and credit codes as text cells (a number cell would lose the digits
of a code after the 15th), dates as date cells so Excel sorts and filters them as dates.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from models.errors import writing_file
from models.notice_register import REGISTER_COLUMNS, REGISTER_TITLE, RegisterEntry

SHEET_TITLE = "一函两书台账"
HEADER_ROW = 2
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
# Column widths in Excel's units (about one Latin character), in the order of REGISTER_COLUMNS.
WIDTHS = (26, 20, 36, 22, 22, 12, 12, 11, 10, 12, 12, 9, 7)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_register_workbook(
    target: Path, entries: Sequence[RegisterEntry], scope: str, made_at: dt.datetime
) -> None:
    """Write the register to ``target`` through a temporary file beside it, so a failure (the old file
    open in Excel, a full disk) leaves the old file as it was.

    Raises:
        FileNotWritable: the file cannot be written.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _title(sheet, f"{REGISTER_TITLE}（{scope}，共 {len(entries)} 份，导出时间：{made_at:%Y-%m-%d %H:%M}）")
    _header(sheet)
    for row, entry in enumerate(entries, start=HEADER_ROW + 1):
        _data_row(sheet, row, entry.values())
    last = get_column_letter(len(REGISTER_COLUMNS))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(entries), 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _save(workbook, Path(target))


def _title(sheet, text: str) -> None:
    sheet.cell(1, 1, text).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTER_COLUMNS))
    sheet.row_dimensions[1].height = 24


def _header(sheet) -> None:
    for column, ((heading, _), width) in enumerate(zip(REGISTER_COLUMNS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(HEADER_ROW, column, heading)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width


def _data_row(sheet, row: int, values: Sequence[object]) -> None:
    for column, ((_, kind), value) in enumerate(zip(REGISTER_COLUMNS, values, strict=True), start=1):
        cell = sheet.cell(row, column, value)
        cell.number_format = DATE_FORMAT if kind == "date" else TEXT_FORMAT


def _save(workbook: Workbook, target: Path) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    with writing_file(target):
        try:
            workbook.save(partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
