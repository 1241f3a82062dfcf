"""Tests of spreadsheets.reading: every format LibreOffice wrote gives the same members at the same
Excel row numbers, and every file that cannot be read says why in Chinese."""

from __future__ import annotations

import codecs
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from spreadsheets.reading import (
    ACCEPTED_SUFFIXES,
    EmptyFile,
    FileLocked,
    FileMissing,
    NotASpreadsheet,
    PasswordProtected,
    SpreadsheetError,
    UnsupportedFormat,
    open_workbook,
    propose_sheet,
)
from spreadsheets.tables import SkippedRow, data_rows, find_header
from spreadsheets.values import (
    CellProblem,
    parse_code,
    parse_date,
    parse_mobile,
    parse_name,
    parse_sex,
    parse_text,
)
from tests.helpers import is_chinese

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spreadsheets"
WORKBOOKS = ["members.xlsx", "members.xls", "members.ods"]
CSVS = ["members_gbk.csv", "members_utf8_bom.csv"]
MEMBER_SHEET = "会员名单"
TODAY = date(2024, 6, 1)
UNION = "两江新区星光电子有限公司工会"
REFUSED = "refused"

# What an import should make of the fixture, row by row as Excel numbers them: 王五's ID was a number cell
# and 钱七's sex contradicts her ID number.
EXPECTED = {
    4: ("张三", "500112199001012311", "M", "汉族", "13812345678", UNION, date(2019, 3, 5), "在会"),
    5: ("李四", "50010219900506428X", "F", "土家族", "13912345678", UNION, date(2019, 3, 6), "在会"),
    7: ("王五", REFUSED, "M", "汉族", "13712345679", UNION, date(2019, 3, 7), "在会"),
    8: ("赵六", "511023199212312687", "F", "汉族", "13712345680", UNION, date(2019, 3, 8), "在会"),
    9: ("钱七", "500112198808085736", REFUSED, "回族", "13812345681", UNION, date(2019, 3, 9), "转出"),
}


def _or_refused(parse, *args, **kwargs):
    try:
        return parse(*args, **kwargs)
    except CellProblem as problem:
        assert is_chinese(problem.message)
        return REFUSED


def _parsed(cells: list, mapping: dict[int, str]) -> tuple:
    column = {key: index for index, key in mapping.items()}
    id_number = _or_refused(parse_code, cells[column["id_number"]], "id_number", today=TODAY)
    return (
        parse_name(cells[column["name"]]),
        id_number,
        _or_refused(parse_sex, cells[column["sex"]], None if id_number == REFUSED else id_number),
        parse_text(cells[column["ethnicity"]]),
        _or_refused(parse_mobile, cells[column["mobile"]]),
        parse_text(cells[column["union"]]),
        _or_refused(parse_date, cells[column["joined_on"]], not_future=True, today=TODAY),
        parse_text(cells[column["status"]]),
    )


def _import(path: Path, sheet: str | None = None) -> tuple[int, dict[int, tuple], list[SkippedRow]]:
    workbook = open_workbook(path)
    rows = workbook.rows(sheet or propose_sheet(workbook, "members"))
    header = find_header(rows, "members")
    assert header is not None
    skipped: list[SkippedRow] = []
    members = {
        number: _parsed(cells, header.mapping)
        for number, cells in data_rows(rows, header.row_index, skipped=skipped)
    }
    return header.excel_row, members, skipped


# --- the fixtures, in every format --------------------------------------------------------------------


@pytest.mark.parametrize("name", WORKBOOKS + CSVS)
def test_every_format_gives_the_same_members_at_the_same_rows(name):
    header_row, members, skipped = _import(FIXTURES / name)
    assert header_row == 3
    assert members == EXPECTED
    assert skipped == [
        SkippedRow(10, "合计行（“合计”），未导入"),
        SkippedRow(12, "表格下方的说明文字，此行及以下未导入"),
    ]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_workbooks_list_their_sheets_and_propose_the_member_list(name):
    workbook = open_workbook(FIXTURES / name)
    assert workbook.sheet_names == ["填表说明", MEMBER_SHEET, "单位名单"]
    assert workbook.hidden_sheets == frozenset()
    assert workbook.format == name.rsplit(".", 1)[1]
    assert propose_sheet(workbook) == MEMBER_SHEET
    assert propose_sheet(workbook, "members") == MEMBER_SHEET
    assert propose_sheet(workbook, "employers") == "单位名单"
    assert propose_sheet(workbook, "headcounts") == "单位名单"


@pytest.mark.parametrize("name", WORKBOOKS)
def test_cells_keep_what_the_office_suite_stored(name):
    rows = open_workbook(FIXTURES / name).rows(MEMBER_SHEET)
    assert rows[0][0] == "两江新区某某街道工会会员花名册（2024年）"  # the merged title, in its first cell
    assert rows[0][1:] == [""] * 11
    assert rows[2][2] == "身份证\n号码"
    assert rows[3][10] == date(2019, 3, 5)  # a date cell
    assert rows[4][10] == 43530  # a serial number in a General cell
    assert isinstance(rows[6][2], float)  # the ID typed into a number cell
    assert rows[6][2] != 500108198511203151
    assert len({len(row) for row in rows}) == 1


@pytest.mark.parametrize("name", CSVS)
def test_csv_fixtures_in_their_encodings(name):
    workbook = open_workbook(FIXTURES / name)
    assert workbook.format == "csv"
    assert workbook.sheet_names == [Path(name).stem]
    rows = workbook.rows(Path(name).stem)
    assert rows[2][2] == "身份证\n号码"  # a quoted cell over two lines is one row
    assert rows[6][2] == "5.00108198511203E+017"
    assert rows[11][0].startswith("制表人：")


def test_the_gbk_fixture_is_not_utf8():
    data = (FIXTURES / "members_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert (FIXTURES / "members_utf8_bom.csv").read_bytes().startswith(codecs.BOM_UTF8)


def test_employer_sheet_of_the_fixture():
    workbook = open_workbook(FIXTURES / "members.xlsx")
    rows = workbook.rows("单位名单")
    header = find_header(rows, "employers")
    assert header is not None and header.row_index == 0
    assert header.mapping == {0: "name", 1: "credit_code", 2: "staff_count", 3: "founded_on"}
    assert [number for number, _cells in data_rows(rows, 0)] == [2, 3]


def test_head_and_row_count_without_converting_the_whole_sheet():
    workbook = open_workbook(FIXTURES / "members.xls")
    assert workbook.row_count(MEMBER_SHEET) == 12
    head = workbook.head(MEMBER_SHEET, 3)
    assert len(head) == 3 and head[2][0] == "序号"
    assert workbook.head(MEMBER_SHEET) == workbook.rows(MEMBER_SHEET)
    assert workbook.row_count(MEMBER_SHEET) == 12
    with pytest.raises(KeyError):
        workbook.rows("没有这张表")


# --- row numbers: leading empty rows and columns ------------------------------------------------------


def _openpyxl_book(path: Path, cells: dict[str, object], hidden: str | None = None) -> Path:
    book = OpenpyxlWorkbook()
    sheet = book.active
    sheet.title = "数据"
    for reference, value in cells.items():
        sheet[reference] = value
    if hidden:
        book.create_sheet(hidden).sheet_state = "hidden"
        book[hidden]["A1"] = "姓名"
        book[hidden]["B1"] = "身份证号"
    book.save(path)
    return path


def test_rows_and_columns_above_and_left_of_the_data_are_kept(tmp_path):
    path = _openpyxl_book(tmp_path / "offset.xlsx", {"C5": "姓名", "D5": "身份证号", "C6": "张三", "D6": "x"})
    rows = open_workbook(path).rows("数据")
    assert len(rows) == 6
    assert rows[4][2:4] == ["姓名", "身份证号"]
    guess = find_header(rows, "members")
    assert guess.excel_row == 5
    assert guess.mapping == {2: "name", 3: "id_number"}
    assert [number for number, _cells in data_rows(rows, guess.row_index)] == [6]


def test_an_empty_sheet_has_no_rows(tmp_path):
    path = _openpyxl_book(tmp_path / "empty-sheet.xlsx", {})
    workbook = open_workbook(path)
    assert workbook.rows("数据") == []
    assert workbook.row_count("数据") == 0
    assert propose_sheet(workbook) is None


def test_hidden_sheets_are_listed_and_lose_ties(tmp_path):
    path = _openpyxl_book(tmp_path / "hidden.xlsx", {"A1": "姓名", "B1": "身份证号"}, hidden="旧表")
    workbook = open_workbook(path)
    assert workbook.sheet_names == ["数据", "旧表"]
    assert workbook.hidden_sheets == frozenset({"旧表"})
    assert propose_sheet(workbook, "members") == "数据"


# --- csv ----------------------------------------------------------------------------------------------

CSV_TEXT = (
    '姓名,身份证号,备注\n张三,500112199001012311,"第一行\n第二行"\n\n𠀀先生,50010219900506428X,生僻字\n'
)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("utf-16-le", codecs.BOM_UTF16_LE)],
)
def test_csv_encodings(tmp_path, encoding, bom):
    path = tmp_path / "list.csv"
    path.write_bytes(bom + CSV_TEXT.encode(encoding))
    rows = open_workbook(path).rows("list")
    assert rows == [
        ["姓名", "身份证号", "备注"],
        ["张三", "500112199001012311", "第一行\n第二行"],
        ["", "", ""],
        ["𠀀先生", "50010219900506428X", "生僻字"],
    ]


def test_gbk_csv(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("姓名,民族\n赵\u3000六,土家族\n".encode("gbk"))
    assert open_workbook(path).rows("gbk") == [["姓名", "民族"], ["赵\u3000六", "土家族"]]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters_are_sniffed(tmp_path, delimiter):
    lines = ["会员名单", "", delimiter.join(["姓名", "身份证号", "手机号码"])]
    lines += [delimiter.join([f"会员{n}", "500112199001012311", "13812345678"]) for n in range(5)]
    path = tmp_path / "list.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    rows = open_workbook(path).rows("list")
    assert rows[2] == ["姓名", "身份证号", "手机号码"]
    assert rows[0] == ["会员名单", "", ""]
    assert len(rows) == 8


def test_one_column_csv(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("姓名\n张三\n李四\n", encoding="utf-8")
    assert open_workbook(path).rows("names") == [["姓名"], ["张三"], ["李四"]]


def test_csv_of_only_line_breaks_is_empty(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\r\n\r\n", encoding="utf-8")
    with pytest.raises(EmptyFile):
        open_workbook(path)


def test_binary_junk_named_csv_is_refused(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(NotASpreadsheet) as info:
        open_workbook(path)
    assert "编码" in info.value.message


# --- files that are not what their name says ----------------------------------------------------------


def test_an_xlsx_saved_under_an_xls_name_opens(tmp_path):
    path = tmp_path / "renamed.xls"
    shutil.copy(FIXTURES / "members.xlsx", path)
    workbook = open_workbook(path)
    assert workbook.format == "xlsx"
    assert _import(path)[1] == EXPECTED


def test_an_xls_under_a_csv_name_opens(tmp_path):
    path = tmp_path / "renamed.csv"
    shutil.copy(FIXTURES / "members.xls", path)
    assert open_workbook(path).format == "xls"
    assert _import(path, MEMBER_SHEET)[1] == EXPECTED


def test_tab_separated_text_under_an_xls_name_opens(tmp_path):
    # What some web systems' "export to Excel" writes.
    path = tmp_path / "export.xls"
    path.write_bytes("姓名\t身份证号\n张三\t500112199001012311\n".encode("gb18030"))
    workbook = open_workbook(path)
    assert workbook.format == "csv"
    assert workbook.rows("export") == [["姓名", "身份证号"], ["张三", "500112199001012311"]]


@pytest.mark.parametrize(
    "start", [b"<html><body><table>", b"\xef\xbb\xbf<?xml version='1.0'?>", b"\r\n<table>"]
)
def test_a_web_page_under_an_xls_name_is_refused_with_a_hint(tmp_path, start):
    path = tmp_path / "export.xls"
    path.write_bytes(start + "<tr><td>姓名</td></tr></table>".encode())
    with pytest.raises(NotASpreadsheet) as info:
        open_workbook(path)
    assert "网页" in info.value.message and "另存为.xlsx" in info.value.message


# --- files that cannot be read ------------------------------------------------------------------------


def _refusal(error: type[SpreadsheetError], path: Path) -> str:
    with pytest.raises(error) as info:
        open_workbook(path)
    assert is_chinese(info.value.message), info.value.message
    return info.value.message


def test_missing_file(tmp_path):
    message = _refusal(FileMissing, tmp_path / "不存在.xlsx")
    assert "找不到文件" in message


def test_a_folder_is_not_a_file(tmp_path):
    folder = tmp_path / "名单.xlsx"
    folder.mkdir()
    assert "文件夹" in _refusal(FileMissing, folder)


def test_a_file_held_by_excel(tmp_path, monkeypatch):
    path = tmp_path / "名单.xlsx"
    shutil.copy(FIXTURES / "members.xlsx", path)

    def locked(self):
        raise PermissionError(13, "Permission denied", str(self))

    # As root the permission bits are no obstacle, and Windows' sharing lock has no POSIX equivalent.
    monkeypatch.setattr(Path, "read_bytes", locked)
    message = _refusal(FileLocked, path)
    assert "Excel" in message and "关闭" in message


def test_empty_file(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(b"")
    assert "空文件" in _refusal(EmptyFile, path)


@pytest.mark.parametrize("name", ["名单.txt", "名单.pdf", "名单", "名单.numbers"])
def test_unsupported_extensions_name_the_accepted_ones(tmp_path, name):
    path = tmp_path / name
    path.write_text("姓名\n张三\n", encoding="utf-8")
    message = _refusal(UnsupportedFormat, path)
    for suffix in ACCEPTED_SUFFIXES:
        assert suffix in message


def test_a_wps_file_gets_a_hint(tmp_path):
    path = tmp_path / "名单.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "另存为.xlsx" in _refusal(UnsupportedFormat, path)


def test_an_office_lock_file_is_refused(tmp_path):
    path = tmp_path / "~$名单.xlsx"
    path.write_bytes(b"\x06clerk" + b"\x00" * 100)
    assert "临时文件" in _refusal(UnsupportedFormat, path)


def test_uppercase_extensions_are_accepted(tmp_path):
    path = tmp_path / "名单.XLSX"
    shutil.copy(FIXTURES / "members.xlsx", path)
    assert open_workbook(path).sheet_names[1] == MEMBER_SHEET


@pytest.mark.parametrize("name", ["members.xlsx", "members.xls", "members.ods"])
def test_truncated_workbooks_are_damaged(tmp_path, name):
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes()[:1500])
    with pytest.raises(NotASpreadsheet) as info:
        workbook = open_workbook(path)
        for sheet in workbook.sheet_names:
            workbook.rows(sheet)
    assert is_chinese(info.value.message)


def test_random_bytes_are_not_a_spreadsheet(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(b"\x00\x01\x02garbage" * 50)
    assert "已损坏或不是表格文件" in _refusal(NotASpreadsheet, path)


def test_an_xlsx_with_an_opening_password(tmp_path):
    # An encrypted .xlsx is an OLE container holding EncryptionInfo and EncryptedPackage streams. The
    # LibreOffice here cannot write one headless, so this is the container's signature and stream name
    # with filler, which is all the check looks at.
    path = tmp_path / "加密.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024)
    message = _refusal(PasswordProtected, path)
    assert "密码" in message
    assert issubclass(PasswordProtected, NotASpreadsheet)
