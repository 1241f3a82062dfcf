"""The report upward as .xlsx: one sheet per table, header rows, headings with units, a bold 合计 row,
number cells, and pages set up for landscape A4; read back with openpyxl and opened in LibreOffice."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.errors import KnownError
from spreadsheets.report import write_report_workbook
from tests.report_data import sample_report

SHEETS = ["汇总", "按一级工会", "按单位类型", "一函两书（按一级工会）", "一函两书（按单位类型）"]
HEADER_LINES = [
    "填报单位：重庆两江新区总工会",
    "统计期间：2019年（2019-01-01 至 2019-12-31）",
    "制表时间：2020-01-10 09:30",
]
# 礼嘉 and 金山 as the 按一级工会 sheet holds them, and their sum: 72 unions, 13,783 covered staff, 13,543
# members; 30 of 40 employers of 100+ staff is 75.0%, 25 of 26 is 96.2%, 55 of 66 is 83.3%.
LIJIA_ROW = ["礼嘉街道工会", 40, 7500, 2, 0, 0, 7000, 120, 80, 300, 40000, 52000, 40, 30, 75.0, 12, 9, 75.0]
JINSHAN_ROW = ["金山街道工会", 32, 6283, 0, 0, 1, 6543, 100, 50, 256, 34619, 43357, 26, 25, 96.2, 0, 0, "—"]
TOTALS_ROW = ["合计", 72, 13783, 2, 0, 1, 13543, 220, 130, 556, 74619, 95357, 66, 55, 83.3, 12, 9, 75.0]


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    target = tmp_path / "report.xlsx"
    write_report_workbook(target, sample_report())
    return target


def test_one_sheet_per_table_each_with_its_header_rows(workbook_path: Path) -> None:
    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == SHEETS
    for name in SHEETS:
        sheet = workbook[name]
        assert sheet["A1"].value.startswith("工会组建工作统计报表——"), name
        assert sheet["A1"].font.bold
        assert [sheet.cell(row, 1).value for row in (2, 3, 4)] == HEADER_LINES
    assert workbook["按一级工会"]["A1"].value == "工会组建工作统计报表——按一级工会统计"


def test_the_rows_by_first_level_union_with_units_and_a_bold_totals_row(workbook_path: Path) -> None:
    sheet = load_workbook(workbook_path)["按一级工会"]
    headings = [cell.value for cell in sheet[5]]
    assert headings[:3] == ["一级工会", "新建工会\n（家）", "新建工会覆盖职工\n（人）"]
    assert headings[12:15] == [
        "职工100人以上单位\n（家）",
        "职工100人以上已建会单位\n（家）",
        "职工100人以上单位建会率\n（%）",
    ]
    assert all(cell.font.bold for cell in sheet[5])
    assert [[cell.value for cell in sheet[row]] for row in (6, 7, 8)] == [LIJIA_ROW, JINSHAN_ROW, TOTALS_ROW]
    assert all(cell.font.bold for cell in sheet[8]) and not sheet["B6"].font.bold
    assert sheet.max_row == 8
    assert sheet["C8"].number_format == "#,##0" and sheet["O8"].number_format == "0.0"
    assert sheet["C8"].data_type == "n"


def test_the_summary_and_the_notices(workbook_path: Path) -> None:
    workbook = load_workbook(workbook_path)
    summary = {row[0]: row[1:] for row in workbook["汇总"].iter_rows(min_row=6, values_only=True)}
    assert summary["新建工会"] == (72, "家")
    assert summary["新增会员"] == (13543, "人")
    assert summary["新建工会覆盖职工"] == (13783, "人")
    assert summary["转入工会"] == (2, "家")
    assert summary["职工100人以上单位建会率"] == (83.3, "%")
    # 17 issued, 15 served of which 11 were answered by the year's end: 73.3%.
    assert summary["发出文书"] == (17, "份") and summary["文书答复率"] == (73.3, "%")
    notices = workbook["一函两书（按一级工会）"]
    assert [cell.value for cell in notices[5]] == [
        "一级工会", "发出文书\n（份）", "送达文书\n（份）", "答复文书\n（份）", "逾期未答复文书\n（份）", "文书答复率\n（%）",
    ]  # fmt: skip
    assert [[cell.value for cell in notices[row]] for row in (6, 7, 8)] == [
        ["礼嘉街道工会", 12, 10, 6, 3, 60.0],
        ["金山街道工会", 5, 5, 5, 0, 100.0],
        ["合计", 17, 15, 11, 3, 73.3],
    ]


def test_each_sheet_prints_on_landscape_a4_one_page_wide(workbook_path: Path) -> None:
    workbook = load_workbook(workbook_path)
    for name in SHEETS:
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.page_setup.paperSize == 9  # A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$5:$5"
    wide = workbook["按一级工会"]
    assert wide.print_area == "'按一级工会'!$A$1:$R$8"
    # About 200 digits across at 10.5 per figure: fitting the width scales it to about 70% on A4.
    assert wide.column_dimensions["A"].width == 22 and wide.column_dimensions["R"].width == 10.5


def _shown(value: object) -> str:
    """A cell as LibreOffice shows it with the workbook's formats."""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def test_libreoffice_opens_every_sheet_and_shows_the_same_figures(
    workbook_path: Path, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    # Comma-separated, quoted with ", UTF-8, values as shown; the last option (-1) writes every sheet to a
    # file of its own. A profile of its own, so that another LibreOffice on this machine does not hold it.
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
         "--outdir", str(tmp_path / "csv"), str(workbook_path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    written = sorted(path.name for path in (tmp_path / "csv").iterdir())
    assert written == sorted(f"report-{name}.csv" for name in SHEETS)
    with (tmp_path / "csv" / "report-按一级工会.csv").open(encoding="utf-8", newline="") as file:
        seen = list(csv.reader(file))
    assert seen[0][0] == "工会组建工作统计报表——按一级工会统计"
    assert [row[0] for row in seen[1:4]] == HEADER_LINES
    assert seen[4][1] == "新建工会\n（家）"
    assert seen[5:8] == [[_shown(value) for value in row] for row in (LIJIA_ROW, JINSHAN_ROW, TOTALS_ROW)]
    assert seen[7][:3] == ["合计", "72", "13,783"]


def test_a_file_that_cannot_be_replaced_is_a_known_error_and_nothing_is_left(tmp_path: Path) -> None:
    target = tmp_path / "报表.xlsx"
    target.mkdir()  # stands for a file Windows will not replace while Excel holds it
    with pytest.raises(KnownError, match="无法写入"):
        write_report_workbook(target, sample_report())
    assert [path.name for path in tmp_path.iterdir()] == ["报表.xlsx"]
