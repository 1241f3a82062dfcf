"""A list exported to .xlsx: the list's own rows and order, laid out for Excel, WPS and LibreOffice alike.

Every workbook is read back as a clerk's programs would read it: openpyxl, python-calamine (what the
program's own import reads with), and LibreOffice headless converting it to CSV.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine

from models import codes
from models.database import open_database
from models.demo import DemoPlan, generate_demo
from models.errors import FileNotWritable
from models.labels import COLUMN_TITLES
from models.listing import fetch_rows, list_ids
from models.paths import DataDir
from spreadsheets import exporting
from spreadsheets.exporting import display_width, export_listing
from tests.helpers import execute, libreoffice_csv, query

WHEN = datetime(2026, 11, 23, 14, 5)
MASKED_ID = re.compile(r"^\d{6}\*{8}[0-9X]{4}$")
MASKED_MOBILE = re.compile(r"^1\d{2}\*{4}\d{4}$")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One demo database for the module: these tests only read it (one test adds an odd employer)."""
    engine = open_database(DataDir(tmp_path_factory.mktemp("exporting")))
    for _ in generate_demo(engine, DemoPlan(employers=80, members=1500, seed=11)):
        pass
    yield engine
    engine.dispose()


def export(engine: Engine, listing_key: str, target: Path, **options) -> list[tuple[int, int, str]]:
    """Run an export to its end, as the command line does; returns its progress."""
    return list(export_listing(engine, listing_key, target, exported_at=WHEN, **options))


def sheet_rows(path: Path) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def column(rows: list[tuple], listing_key: str, key: str) -> list:
    """The values of one column under the header (rows 3 on)."""
    index = rows[1].index(COLUMN_TITLES[listing_key][key])
    return [row[index] for row in rows[2:]]


# --- the layout ---------------------------------------------------------------------------------------


def test_a_title_line_then_a_bold_frozen_header_with_the_autofilter(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "会员名册.xlsx"
    export(engine, "members", target)

    sheet = load_workbook(target).active
    assert sheet.title == "会员名册"
    assert sheet["A1"].value == "会员名册（导出时间 2026-11-23 14:05，共 1,500 条）"
    assert sheet["A1"].font.b
    header = [cell.value for cell in sheet[2]]
    assert header == ["姓名", "身份证号", "性别", "手机号码", "所在工会", "入会日期", "状态"]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:G1502"
    assert sheet.max_row == 1502
    assert sheet.print_title_rows == "$2:$2"


def test_column_widths_follow_the_text_counting_chinese_characters_double(
    engine: Engine, tmp_path: Path
) -> None:
    target = tmp_path / "单位.xlsx"
    export(engine, "employers", target)

    widths = {
        letter: dimension.width
        for letter, dimension in load_workbook(target).active.column_dimensions.items()
    }
    # 单位名称 holds names of ten Chinese characters and more; 单位类别 at most 机关事业单位 (6 characters).
    assert widths["A"] >= 2 * 10
    assert widths["B"] >= 18 + 2, "an 18-character credit code fits"
    assert widths["C"] == pytest.approx(2 * 6 + exporting.PADDING)
    assert max(widths.values()) <= exporting.WIDEST_COLUMN
    assert (display_width("张三"), display_width("a1"), display_width("（）")) == (4, 2, 4)


def test_search_and_conditions_are_named_in_the_title(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "张.xlsx"
    found = len(list_ids(engine, "members", search="张"))

    export(engine, "members", target, search=" 张 ", conditions=["状态：在会"], filters={"status": "active"})

    expected = len(list_ids(engine, "members", search="张", filters={"status": "active"}))
    assert 0 < expected <= found
    title = sheet_rows(target)[0][0]
    assert title == f"会员名册（查找“张”；状态：在会；导出时间 2026-11-23 14:05，共 {expected:,} 条）"


def test_an_empty_list_gives_the_title_and_the_header(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "空.xlsx"
    progress = export(engine, "members", target, search="没有这个人")

    rows = sheet_rows(target)
    assert rows[0][0].endswith("共 0 条）")
    assert rows[1][0] == "姓名"
    assert len(rows) == 2
    assert progress[-1][:2] == (0, 0)


def test_chosen_columns_are_written_in_the_chosen_order(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "两列.xlsx"
    export(engine, "members", target, columns=["status", "name"])

    rows = sheet_rows(target)
    assert rows[1] == ("状态", "姓名")
    assert {row[0] for row in rows[2:]} <= {"在会", "转出", "退会"}
    with pytest.raises(ValueError):
        export(engine, "members", tmp_path / "x.xlsx", columns=["salary"])


# --- the values ---------------------------------------------------------------------------------------


def test_codes_are_text_cells_dates_are_date_cells_counts_are_numbers(engine: Engine, tmp_path: Path) -> None:
    members, employers = tmp_path / "会员.xlsx", tmp_path / "单位.xlsx"
    export(engine, "members", members, full=True, reason="核对会员实名信息")
    export(engine, "employers", employers)

    sheet = load_workbook(members).active
    id_number, mobile, joined_on = sheet["B3"], sheet["D3"], sheet["F3"]
    assert id_number.data_type == "s" and id_number.number_format == "@"
    assert len(id_number.value) == 18 and codes.check_id_number(id_number.value) == id_number.value
    mobiles = [cell for cell in sheet["D"][2:] if cell.value is not None]
    assert mobiles and all(cell.data_type == "s" and cell.number_format == "@" for cell in mobiles)
    assert mobile.value is None or len(mobile.value) == 11
    assert isinstance(joined_on.value, datetime) and joined_on.number_format == "yyyy-mm-dd"
    sheet = load_workbook(employers).active
    credit_codes = [cell for cell in sheet["B"][2:] if cell.value is not None]
    assert credit_codes and all(cell.data_type == "s" and cell.number_format == "@" for cell in credit_codes)
    staff = [cell for cell in sheet["D"][2:] if cell.value is not None]
    assert staff and all(cell.data_type == "n" and isinstance(cell.value, int) for cell in staff)


def test_personal_data_is_masked_as_in_the_list_unless_revealed(engine: Engine, tmp_path: Path) -> None:
    masked, revealed = tmp_path / "隐去.xlsx", tmp_path / "完整.xlsx"
    export(engine, "members", masked)
    export(engine, "members", revealed, full=True, reason="核对会员实名信息")

    masked_rows, whole_rows = sheet_rows(masked), sheet_rows(revealed)
    stored = {row[0]: row[1:] for row in query(engine.url.database, "SELECT id_number, mobile FROM member")}
    whole_ids = column(whole_rows, "members", "id_number")
    assert set(whole_ids) == set(stored)
    assert column(masked_rows, "members", "id_number") == [codes.mask_id_number(n) for n in whole_ids]
    assert all(MASKED_ID.match(n) for n in column(masked_rows, "members", "id_number"))
    masked_mobiles = [m for m in column(masked_rows, "members", "mobile") if m is not None]
    assert masked_mobiles and all(MASKED_MOBILE.match(m) for m in masked_mobiles)
    assert column(whole_rows, "members", "mobile") == [stored[n][0] for n in whole_ids]


def test_codes_become_words_and_an_employer_without_union_says_so(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "单位.xlsx"
    export(engine, "employers", target, filters={"has_union": False})

    rows = sheet_rows(target)
    assert set(column(rows, "employers", "union")) == {"未建会"}
    assert set(column(rows, "employers", "employer_class")) <= {
        "国有企业",
        "机关事业单位",
        "非公企业",
        "社会组织",
    }


def test_characters_a_worksheet_cannot_hold_are_dropped(engine: Engine, tmp_path: Path) -> None:
    """Pasted text can carry control characters that openpyxl refuses and Excel calls damage."""
    execute(
        engine.url.database,
        "INSERT INTO employer (uuid, name, employer_class, above_scale, deputy_linked, new_employment_forms, "
        "created_at, updated_at) VALUES ('odd-name', ?, 'non_public', 0, 0, 0, '2026-01-01', '2026-01-01')",
        ("重庆\x0b换行\x1f有限公司",),
    )
    target = tmp_path / "怪字符.xlsx"
    try:
        export(engine, "employers", target, search="换行")
    finally:
        execute(engine.url.database, "DELETE FROM employer WHERE uuid = 'odd-name'")

    assert column(sheet_rows(target), "employers", "name") == ["重庆换行有限公司"]


# --- the export is the list ---------------------------------------------------------------------------

LIST_QUERIES = [
    ("members", {"sort": "joined_on", "descending": True, "search": "张"}),
    ("members", {"sort": "mobile", "filters": {"status": "active"}}),
    ("employers", {"sort": "staff_count", "descending": True, "filters": {"has_union": False}}),
    ("unions", {"sort": "member_count", "filters": {"kind": "single"}}),
    ("unorganized", {"sort": "staff_count", "descending": True}),
    ("organizing_tasks", {}),
]


@pytest.mark.parametrize(("listing_key", "options"), LIST_QUERIES, ids=[key for key, _ in LIST_QUERIES])
def test_the_rows_are_the_lists_rows_in_the_lists_order(
    engine: Engine, tmp_path: Path, listing_key: str, options: dict
) -> None:
    target = tmp_path / "名单.xlsx"
    export(engine, listing_key, target, full=True, reason="核对会员实名信息", **options)

    ids = list_ids(engine, listing_key, **options)
    assert ids, "the list should not be empty"
    stored = fetch_rows(engine, listing_key, ids)
    written = sheet_rows(target)[2:]
    assert len(written) == len(ids)
    # The first column (a name, a year) and, for members, the ID number identify the rows.
    assert [row[0] for row in written] == [stored[i][0] for i in ids]
    if listing_key == "members":
        assert [row[1] for row in written] == [stored[i][1] for i in ids]


# --- progress, cancel, failure ------------------------------------------------------------------------


def test_progress_goes_page_by_page_to_the_total(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "PAGE_SIZE", 400)
    progress = export(engine, "members", tmp_path / "会员.xlsx")

    assert [done for done, _, _ in progress] == [0, 400, 800, 1200, 1500, 1500]
    assert {total for _, total, _ in progress} == {1500}
    assert progress[-1][2] == "正在保存文件"
    assert progress[2][2] == "正在导出 800/1,500 条"


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if "导出中" in path.name)


def test_a_cancelled_export_leaves_no_file_and_keeps_the_old_one(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "PAGE_SIZE", 400)
    fresh, existing = tmp_path / "新.xlsx", tmp_path / "旧.xlsx"
    existing.write_bytes(b"the clerk's earlier export")
    for target in (fresh, existing):
        progress = export_listing(engine, "members", target)
        next(progress)
        next(progress)  # one page written
        progress.close()  # the worker's cancel

    assert not fresh.exists()
    assert existing.read_bytes() == b"the clerk's earlier export"
    assert _leftovers(tmp_path) == []


def test_a_failed_export_leaves_no_file(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "PAGE_SIZE", 400)
    pages = []

    def failing_fetch(*args):
        if pages:
            raise RuntimeError("the database went away")
        pages.append(args)
        return fetch_rows(*args)

    monkeypatch.setattr(exporting, "fetch_rows", failing_fetch)
    with pytest.raises(RuntimeError):
        export(engine, "members", tmp_path / "会员.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_target_open_in_excel_is_refused_before_any_work(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "会员.xlsx"
    target.write_bytes(b"open in Excel")

    def locked(*args, **kwargs):
        raise PermissionError(13, "The process cannot access the file because it is being used")

    monkeypatch.setattr(exporting, "open", locked, raising=False)  # Windows refuses while Excel has it
    with pytest.raises(FileNotWritable, match="正在 Excel、WPS") as refused:
        export(engine, "members", target)
    assert "会员.xlsx" in refused.value.message
    assert target.read_bytes() == b"open in Excel"


def test_a_target_opened_while_writing_is_refused_and_the_new_file_removed(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "会员.xlsx"

    def locked(source, destination):
        raise PermissionError(13, "Access is denied")

    monkeypatch.setattr(exporting.os, "replace", locked)
    with pytest.raises(FileNotWritable, match="请关闭该文件后重新导出"):
        export(engine, "members", target)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_does_not_exist_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(FileNotWritable, match="不存在"):
        export(engine, "members", tmp_path / "没有的文件夹" / "会员.xlsx")


# --- read by other programs ---------------------------------------------------------------------------


def _as_texts(rows: list, width: int) -> list[list[str]]:
    """Rows as text, each as wide as the header (readers differ on the empty cells after the title)."""
    return [[_as_text(value) for value in row] + [""] * (width - len(row)) for row in rows]


def _as_text(value: object) -> str:
    """A cell as LibreOffice writes it to CSV with the cell formats applied."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():  # calamine reads every number as Excel holds it
        return str(int(value))
    return str(value)


def test_calamine_reads_what_openpyxl_reads(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "未建会.xlsx"
    export(engine, "unorganized", target)

    calamine = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    written = sheet_rows(target)
    width = len(written[1])
    assert len(calamine) == len(written) > 3
    assert _as_texts(calamine, width) == _as_texts(written, width)
    assert calamine[2][written[1].index("职工人数")] == written[2][written[1].index("职工人数")] >= 50


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("listing_key", ["members", "unorganized"])
def test_libreoffice_reads_the_same_rows(engine: Engine, tmp_path: Path, listing_key: str) -> None:
    target = tmp_path / f"{listing_key}.xlsx"
    export(engine, listing_key, target)

    seen = libreoffice_csv(target, tmp_path)

    written = sheet_rows(target)
    width = len(written[1])
    assert _as_texts(seen, width) == _as_texts(written, width)
    if listing_key == "members":
        assert all(MASKED_ID.match(row[1]) for row in seen[2:]), "ID numbers kept as text, not 5.00112E+17"
