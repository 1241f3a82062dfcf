"""The report upward (工会组建工作统计报表) as an .xlsx workbook the city federation can read and print.

One sheet per table of ``models.figures.report_tables`` (汇总, 按一级工会, 按单位类型, and the 一函两书 by
both), each with the same header rows: the report's title and table, the federation, the period and when
the figures were taken; then column headings carrying their units (家, 人, 份, %), the rows, and a bold
合计 row. Counts are number cells, so the city federation can add them up again; percentages are the
rounded numbers the PDF prints, so both show the same figure. Each sheet prints on landscape A4, one page
wide, its column headings repeated on every page.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.errors import writing_file
from models.figures import REPORT_TITLE, Report, ReportTable, report_tables

HEADER_ROW = 5  # under the title, the federation, the period and the time taken
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"  # a percentage already multiplied by 100: the heading says （%）
NO_RATE = "—"  # a rate with nothing to measure (no employers of the kind, no notices served)
# Widths in Excel's units (about one digit). A heading longer than its column wraps inside it.
NAME_WIDTH, FIGURE_WIDTH = 22, 10.5
SUMMARY_WIDTHS = (34, 14, 8)
HEADING_HEIGHT = 58  # points: four lines of a wrapped heading ("职工100人以上已建会单位（家）")
TITLE_FONT = Font(bold=True, size=16)
SUBTITLE_FONT = Font(bold=True, size=12)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTALS_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def write_report_workbook(target: Path, report: Report) -> None:
    """Write the report to ``target`` through a temporary file beside it, so a failure (the old file
    open in Excel, a full disk) leaves the old file as it was.

    Raises:
        FileNotWritable: the file cannot be written.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in report_tables(report):
        _write_sheet(workbook.create_sheet(table.sheet), table, report)
    workbook.properties.title = f"{report.federation}{REPORT_TITLE}（{report.period.label}）"
    workbook.properties.creator = "UnionDesk"
    _save(workbook, Path(target))


def _write_sheet(sheet: Worksheet, table: ReportTable, report: Report) -> None:
    width = len(table.headings)
    lines = (
        (f"{REPORT_TITLE}——{table.title}", TITLE_FONT),
        (f"填报单位：{report.federation}", SUBTITLE_FONT),
        (f"统计期间：{report.period.label}（{report.period.dates}）", None),
        (f"制表时间：{report.made_at:%Y-%m-%d %H:%M}", None),
    )
    for row, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, text)
        if font is not None:
            cell.font = font
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[1].height = 26
    _headings(sheet, table.headings)
    row = HEADER_ROW
    for row, values in enumerate(table.rows, start=HEADER_ROW + 1):
        _data_row(sheet, row, values)
    if table.totals is not None:
        row += 1
        _data_row(sheet, row, table.totals, totals=True)
    widths = SUMMARY_WIDTHS if width == len(SUMMARY_WIDTHS) else (NAME_WIDTH, *[FIGURE_WIDTH] * (width - 1))
    for column, column_width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2 if width > len(SUMMARY_WIDTHS) else 1)
    _page_setup(sheet, f"A1:{get_column_letter(width)}{row}")


def _headings(sheet: Worksheet, headings: Sequence[str]) -> None:
    for column, heading in enumerate(headings, start=1):
        # The unit on a line of its own: "新建工会" / "（家）" rather than a break inside the brackets.
        cell = sheet.cell(HEADER_ROW, column, heading.replace("（", "\n（", 1))
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[HEADER_ROW].height = HEADING_HEIGHT if len(headings) > 3 else 20


def _data_row(sheet: Worksheet, row: int, values: Sequence[object], totals: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, NO_RATE if value is None else value)
        cell.border = GRID
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            cell.alignment = Alignment(horizontal="center" if value is None else "left", vertical="center")
        else:
            cell.number_format = PERCENT_FORMAT if isinstance(value, float) else COUNT_FORMAT
        if totals:
            cell.font = BOLD
            cell.fill = TOTALS_FILL


def _page_setup(sheet: Worksheet, area: str) -> None:
    sheet.print_area = area
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _save(workbook: Workbook, target: Path) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    with writing_file(target):
        try:
            workbook.save(partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
