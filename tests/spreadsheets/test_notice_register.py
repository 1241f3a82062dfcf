"""The register (台账) as .xlsx: title with the export time, bold frozen header, autofilter, typed cells."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.errors import KnownError
from models.notice_register import REGISTER_COLUMNS, RegisterEntry
from spreadsheets.notice_register import write_register_workbook

MADE_AT = dt.datetime(2026, 3, 5, 14, 30)


def entry(number: int, **changes) -> RegisterEntry:
    fields = dict(
        notice_id=number, kind="opinion_letter", document_number=f"两江工组函〔2026〕{number}号",
        employer_name="重庆某某物流有限公司", credit_code="91500112MA5U7A2X3B", recipient=None,
        issued_on=dt.date(2026, 1, 5), served_on=dt.date(2026, 1, 6), service_method="direct",
        signed_by="张经理", reply_due_on=dt.date(2026, 1, 27), replied_on=None, status="served", overdue=True,
    )  # fmt: skip
    fields.update(changes)
    return RegisterEntry(**fields)


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    target = tmp_path / "台账.xlsx"
    entries = [
        entry(1),
        entry(2, served_on=None, service_method=None, signed_by=None, status="issued", overdue=False),
    ]
    write_register_workbook(target, entries, "2026年", MADE_AT)
    return target


def test_the_title_line_header_and_rows(workbook_path: Path) -> None:
    sheet = load_workbook(workbook_path).active
    assert sheet["A1"].value == "“一函两书”台账（2026年，共 2 份，导出时间：2026-03-05 14:30）"
    assert [cell.value for cell in sheet[2]] == [heading for heading, _ in REGISTER_COLUMNS]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:M4"
    first = [cell.value for cell in sheet[3]]
    assert first[:4] == [
        "两江工组函〔2026〕1号",
        "工会组建意见函",
        "重庆某某物流有限公司",
        "91500112MA5U7A2X3B",
    ]
    assert first[7:9] == ["直接送达", "张经理"] and first[11:] == ["已送达", "逾期"]
    second = [cell.value for cell in sheet[4]]
    assert second[6] is None and second[11] == "已发出" and second[12] is None


def test_codes_are_text_and_dates_are_dates(workbook_path: Path) -> None:
    sheet = load_workbook(workbook_path).active
    for (_, kind), cell in zip(REGISTER_COLUMNS, sheet[3], strict=True):
        if kind == "date":
            assert cell.is_date and cell.number_format == "yyyy-mm-dd", cell.coordinate
        else:
            assert cell.number_format == "@", cell.coordinate
    assert sheet["F3"].value == dt.datetime(2026, 1, 5)
    assert sheet["D3"].data_type == "s"


def test_libreoffice_reads_the_codes_whole(workbook_path: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(workbook_path)],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    text = (tmp_path / "csv" / "台账.csv").read_text(encoding="utf-8", errors="replace")
    assert "91500112MA5U7A2X3B" in text and "2026-01-05" in text


def test_a_file_open_elsewhere_is_a_known_error_and_the_old_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.mkdir()  # stands for a file Windows will not replace
    with pytest.raises(KnownError, match="无法写入"):
        write_register_workbook(target, [entry(1)], "全部", MADE_AT)
    assert target.is_dir() and [path.name for path in tmp_path.iterdir()] == ["台账.xlsx"]
