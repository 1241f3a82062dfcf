"""The report upward printed: landscape A4, the workbook's numbers, 合计 rows, page numbers, fonts embedded."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from printing.fonts import DocumentFonts, document_fonts
from printing.official_document import write_documents
from printing.proof_of_service import ProofOfService
from printing.report import ReportSheet
from spreadsheets.report import write_report_workbook
from tests.printing.pdf_reading import embedded_font_files, page_lines, read
from tests.report_data import sample_report


@pytest.fixture(scope="module")
def fonts() -> DocumentFonts:
    return document_fonts(use_office_fonts=False)


def printed(items: list, fonts: DocumentFonts):
    buffer = io.BytesIO()
    write_documents(buffer, items, fonts)
    return read(buffer.getvalue())


def _as_shown(cell) -> str:
    """A workbook cell as Excel shows it with its format: #,##0 for counts, 0.0 for percentages (75.0 is
    stored as the number 75, so the type of the value read back does not tell)."""
    if cell.number_format == "0.0":
        return f"{cell.value:.1f}"
    if cell.number_format == "#,##0":
        return f"{cell.value:,}"
    return str(cell.value)


def test_the_report_is_landscape_a4_with_its_heading_and_the_fonts_embedded(fonts: DocumentFonts) -> None:
    reader = printed([ReportSheet(sample_report())], fonts)
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(841.89, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(595.28, abs=0.5)
    lines = page_lines(page)
    assert lines[0] == "工会组建工作统计报表"
    assert lines[1] == (
        "填报单位：重庆两江新区总工会　　统计期间：2019年（2019-01-01 至 2019-12-31）　　制表时间：2020-01-10 09:30"
    )
    assert "汇总" in lines and "新建工会72家" in lines and "新建工会覆盖职工13,783人" in lines
    assert "职工100人以上单位建会率83.3%" in lines
    assert all(embedded for _, embedded in embedded_font_files(reader))
    assert reader.metadata.title == "工会组建工作统计报表（2019年）"


def test_every_row_shows_the_numbers_of_the_workbook(fonts: DocumentFonts, tmp_path: Path) -> None:
    report = sample_report()
    write_report_workbook(tmp_path / "报表.xlsx", report)
    workbook = load_workbook(tmp_path / "报表.xlsx")
    reader = printed([ReportSheet(report)], fonts)
    text_lines = [line for page in reader.pages for line in page_lines(page)]
    for sheet in ("按一级工会", "按单位类型", "一函两书（按一级工会）"):
        for row in workbook[sheet].iter_rows(min_row=6):
            shown = "".join(_as_shown(cell) for cell in row)
            assert shown in text_lines, (sheet, shown)
    # The hand-made rows, spelled out: 礼嘉's 30 of 40 employers of 100+ staff organised is 75.0%; 金山 has
    # no 规模以上 enterprise, so its rate is a dash, not 0.
    assert "礼嘉街道工会407,5002007,0001208030040,00052,000403075.012975.0" in text_lines
    assert "金山街道工会326,283001" + "6,54310050256" + "34,61943,357262596.200—" in text_lines
    assert "合计7213,78320113,54322013055674,61995,357665583.312975.0" in text_lines


def test_a_long_report_continues_under_its_headings_and_numbers_its_pages(fonts: DocumentFonts) -> None:
    reader = printed([ReportSheet(sample_report(extra_parents=40))], fonts)
    pages = len(reader.pages)
    assert pages >= 4
    all_lines = []
    for number, page in enumerate(reader.pages, start=1):
        lines = page_lines(page)
        assert f"第 {number} 页　共 {pages} 页" in lines
        all_lines += lines
    assert "按一级工会统计" in all_lines and "按一级工会统计（续）" in all_lines
    # The headings again on the page where the table continues.
    continued = next(page_lines(page) for page in reader.pages if "按一级工会统计（续）" in page_lines(page))
    assert continued[0] == "按一级工会统计（续）"
    assert "一级工会" in "".join(continued[1:8]) and "期末会员" in "".join(continued[1:8])
    # Each of the 40 extra first-level unions once, with nothing to report: 13 zeros and two rates as dashes.
    assert (
        sum(line.startswith("第") and line.endswith("街道工会0000000000000—00—") for line in all_lines) == 40
    )


def test_the_next_document_is_portrait_again(fonts: DocumentFonts) -> None:
    receipt = ProofOfService("重庆两江新区总工会", "《工会组建意见函》", "两江工组函〔2020〕1号", "某公司")
    reader = printed([ReportSheet(sample_report()), receipt], fonts)
    assert float(reader.pages[-1].mediabox.width) == pytest.approx(595.28, abs=0.5)
