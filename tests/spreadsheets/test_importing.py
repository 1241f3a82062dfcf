"""Importing lists as a clerk receives them: every bad value is refused with its row, column and reason in
Chinese, the good rows are written all together or not at all, and the refused ones come back in an error
workbook the clerk can fix and import.

The lists are the LibreOffice-written fixtures: ``members.*`` (one messy member list in every format) and
``import_cases.xlsx`` (a sheet per kind of import, each with the bad values an import must refuse; see
``make_fixtures.py``)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select

from models.checks import check_database
from models.codes import id_check_char
from models.database import reading, writing
from models.entities import Employer, FirstLevelUnion, FirstLevelUnionKind, Member, StaffCountSource, Union
from models.errors import InvalidInput
from models.imports import ImportCancelled, ImportChanged
from models.listing import list_ids
from models.paths import DataDir
from models.registers import add_member
from spreadsheets.error_workbook import REASON_HEADER, write_error_workbook
from spreadsheets.importing import (
    ImportPreview,
    NoTable,
    Problem,
    prepare_import,
    read_layout,
    run_to_end,
    staff_count_source,
    write_import,
)
from spreadsheets.mappings import (
    KEPT_LAYOUTS,
    mappings_file,
    remember_mapping,
    remembered_mapping,
)
from spreadsheets.reading import SpreadsheetError
from tests.helpers import dump, is_chinese, query, schema_of, tool_connection

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spreadsheets"
CASES = FIXTURES / "import_cases.xlsx"
FIRST_LEVEL = "人和街道总工会"
STAR, SMART = "两江新区星光电子有限公司", "两江智造科技有限公司"
STAR_CODE, SMART_CODE = "91500000MA5U000010", "91500112MA60XY1011"
STAR_UNION = f"{STAR}工会"
REGISTERED = "500112198008080064"  # 褚七, registered before the member sheet is imported


def _prepare(engine: Engine, path: Path, kind: str, **options) -> ImportPreview:
    return run_to_end(prepare_import(engine, path, kind, **options))


def _write(engine: Engine, preview: ImportPreview, **options):
    return run_to_end(write_import(engine, preview, **options))


def _problems(preview: ImportPreview) -> dict[int, list[Problem]]:
    return preview.reasons()


def _add_first_level_union(engine: Engine, name: str = FIRST_LEVEL) -> int:
    with writing(engine) as s, s.begin():
        parent = FirstLevelUnion(name=name, kind=FirstLevelUnionKind.STREET)
        s.add(parent)
        s.flush()
        return parent.id


@pytest.fixture
def registers(engine: Engine) -> Engine:
    """A database holding the fixture's employers and unions, imported from ``import_cases.xlsx``."""
    _add_first_level_union(engine)
    _write(engine, _prepare(engine, CASES, "employers", sheet="单位名单"))
    _write(engine, _prepare(engine, CASES, "unions", sheet="工会名单"))
    return engine


def _count(engine: Engine, entity) -> int:
    with reading(engine) as s, s.begin():
        return len(s.scalars(select(entity.id)).all())


# --- employers, unions, headcounts ---------------------------------------------------------------------


def test_employers_are_imported_with_their_class_staff_and_first_level_union(engine: Engine) -> None:
    parent = _add_first_level_union(engine)
    preview = _prepare(engine, CASES, "employers", sheet="单位名单")

    assert (preview.read, len(preview.rows), preview.refused) == (6, 3, 3)
    reasons = {row: [p.reason for p in problems] for row, problems in _problems(preview).items()}
    assert reasons[5] == ["单位类别“合伙”无法识别，可填：国有企业、机关事业单位、非公企业、社会组织"]
    assert reasons[6] == [f"与第2行的统一社会信用代码相同（{STAR_CODE}），同一单位只能导入一次"]
    assert reasons[7] == ["没有找到一级工会“不存在街道工会”，请核对名称"]

    result = _write(engine, preview)
    assert (result.imported, result.updated, result.skipped, result.refused) == (3, 0, 0, 3)
    with reading(engine) as s, s.begin():
        employers = {e.name: e for e in s.scalars(select(Employer))}
    assert employers[STAR].employer_class == "non_public"
    assert employers[STAR].staff_count == 1200
    assert employers[STAR].founded_on == date(2015, 6, 1)
    assert employers[STAR].first_level_union_id == parent
    # No class in the list: a code registered by 市场监管 (9) is taken as a non-public enterprise.
    assert employers[SMART].employer_class == "non_public"
    assert employers[SMART].founded_on == date(2018, 7, 1)
    assert employers["重庆市两江新区电子商务协会"].employer_class == "social_organization"


def test_unions_are_imported_with_their_employers_and_parent(engine: Engine) -> None:
    _add_first_level_union(engine)
    _write(engine, _prepare(engine, CASES, "employers", sheet="单位名单"))
    preview = _prepare(engine, CASES, "unions", sheet="工会名单")

    reasons = {row: [p.reason for p in problems] for row, problems in _problems(preview).items()}
    assert reasons == {
        4: ["没有找到单位“不存在的公司”，请先导入单位"],
        5: ["每届任期为3年或5年，现为4"],
    }
    assert _write(engine, preview).imported == 2
    with reading(engine) as s, s.begin():
        unions = {u.name: u for u in s.scalars(select(Union))}
        star, smart = unions[STAR_UNION], unions[f"{SMART}工会"]
        assert [e.name for e in star.employers] == [STAR]
        assert [e.name for e in smart.employers] == [SMART]  # named by its credit code
        assert (star.kind, star.term_years, star.chair_name) == ("single", 5, "王主席")
        assert smart.term_years == 3
        # No 上级工会 in the list: the union goes under its employer's first-level union.
        assert smart.first_level_union.name == FIRST_LEVEL


def test_headcounts_set_staff_count_source_and_date(registers: Engine) -> None:
    preview = _prepare(
        registers, CASES, "headcounts", sheet="参保人数", source="社保", as_of=date(2026, 7, 1)
    )

    reasons = {row: [p.reason for p in problems] for row, problems in _problems(preview).items()}
    assert reasons[4][0].startswith("没有找到统一社会信用代码为")
    assert reasons[5] == ["与第2行是同一家单位，同一单位的人数只能导入一次"]
    result = _write(registers, preview)
    assert (result.read, result.updated, result.refused) == (4, 2, 2)
    with reading(registers) as s, s.begin():
        employers = {e.name: e for e in s.scalars(select(Employer))}
    star, smart = employers[STAR], employers[SMART]
    assert (star.staff_count, star.staff_count_source, star.staff_count_date) == (
        1250,
        "social_security",
        date(2026, 6, 30),
    )
    # Found by name (no code in its row), dated by the clerk's as-of date.
    assert (smart.staff_count, smart.staff_count_date) == (90, date(2026, 7, 1))


def test_headcounts_need_a_source(registers: Engine) -> None:
    with pytest.raises(InvalidInput) as refused:
        _prepare(registers, CASES, "headcounts", sheet="参保人数")
    assert is_chinese(refused.value.message)
    assert staff_count_source("税务") is StaffCountSource.TAX
    assert staff_count_source("社保参保") is StaffCountSource.SOCIAL_SECURITY
    with pytest.raises(InvalidInput, match="人数来源“统计局”无法识别"):
        staff_count_source("统计局")


# --- members: every kind of bad value ------------------------------------------------------------------


@pytest.fixture
def member_preview(registers: Engine) -> ImportPreview:
    add_member(registers, name="褚七", id_number=REGISTERED, union=STAR_UNION, joined_on=date(2019, 1, 1))
    return _prepare(registers, CASES, "members", sheet="会员名单")


@pytest.mark.parametrize(
    ("row", "column", "header", "value", "reason"),
    [
        (3, "C", "身份证号码", "500112198506150000", "这一格是数字格式，身份证号超过15位的数字已被Excel改成0"),
        (4, "C", "身份证号码", "1.10105E+17", "是数字被显示成科学计数法后的样子"),
        (5, "B", "姓名", "", "姓名为空"),
        (6, "G", "入会时间", "2019-02-30", "“2019-02-30”不是存在的日期（2019年没有2月30日）"),
        (7, "D", "性别", "男", "性别填的是“男”，但身份证号500112********0046第17位表示“女”"),
        (8, "E", "所在工会", "不存在的工会", "没有找到基层工会“不存在的工会”，请先导入工会"),
        (9, "C", "身份证号码", "500112199001012311", "与第2行的身份证号相同（500112********2311），同一人只能导入一次"),
        (12, "G", "入会时间", "2003-01-01", "入会时间2003-01-01早于出生日期2005-05-05"),
    ],
)  # fmt: skip
def test_each_bad_value_refuses_its_row_naming_the_cell(
    member_preview: ImportPreview, row: int, column: str, header: str, value: str, reason: str
) -> None:
    [problem] = _problems(member_preview)[row]
    assert (problem.sheet, problem.row, problem.column, problem.header, problem.value) == (
        "会员名单",
        row,
        column,
        header,
        value,
    )
    assert reason in problem.reason
    assert is_chinese(problem.reason)


def test_the_good_rows_are_ready_and_the_registered_one_is_listed(member_preview: ImportPreview) -> None:
    assert member_preview.read == 11
    assert member_preview.row_numbers == [2, 10, 11]
    assert sorted(member_preview.refused_rows) == [3, 4, 5, 6, 7, 8, 9, 12]
    [match] = member_preview.existing
    assert match.row == 10
    assert match.description == f"已登记为“{STAR_UNION}”的会员“褚七”"
    # 卫八 names his union by its credit code only.
    by_row = dict(zip(member_preview.row_numbers, member_preview.rows, strict=True))
    assert by_row[11].name == "卫八"
    assert by_row[11].joined_on == date(2020, 1, 10)


def test_a_member_registered_already_is_skipped(registers: Engine, member_preview: ImportPreview) -> None:
    result = _write(registers, member_preview, on_duplicate="skip")

    assert (result.read, result.imported, result.updated, result.skipped, result.refused) == (11, 2, 0, 1, 8)
    with reading(registers) as s, s.begin():
        kept = s.scalar(select(Member).where(Member.id_number == REGISTERED))
        assert (kept.joined_on, kept.mobile) == (date(2019, 1, 1), None)
        assert s.scalar(select(Member.name).where(Member.id_number == "500112199001012311")) == "孙一"


def test_a_member_registered_already_is_updated_when_asked(
    registers: Engine, member_preview: ImportPreview
) -> None:
    result = _write(registers, member_preview, on_duplicate="update")

    assert (result.imported, result.updated, result.skipped) == (2, 1, 0)
    with reading(registers) as s, s.begin():
        updated = s.scalar(select(Member).where(Member.id_number == REGISTERED))
        assert (updated.joined_on, updated.mobile) == (date(2020, 1, 9), "13800000009")
    # The search index followed: the new phone finds her.
    assert len(list_ids(registers, "members", search="13800000009")) == 1
    assert check_database(registers).total == 0


def test_a_union_not_accepting_members_refuses_the_row(registers: Engine) -> None:
    with writing(registers) as s, s.begin():
        s.scalar(select(Union).where(Union.name == STAR_UNION)).status = "dissolved"
    preview = _prepare(registers, CASES, "members", sheet="会员名单")
    assert f"基层工会“{STAR_UNION}”已转出或撤销，不能再加入会员" in [p.reason for p in preview.problems]


# --- the messy list, in every format LibreOffice wrote --------------------------------------------------


@pytest.mark.parametrize(
    "name", ["members.xlsx", "members.xls", "members.ods", "members_gbk.csv", "members_utf8_bom.csv"]
)
def test_the_messy_list_imports_alike_from_every_format(engine: Engine, name: str) -> None:
    parent = _add_first_level_union(engine)
    with writing(engine) as s, s.begin():
        s.add(Union(name=STAR_UNION, first_level_union_id=parent))

    preview = _prepare(engine, FIXTURES / name, "members")

    assert preview.header_row == 3
    assert preview.row_numbers == [4, 5, 8]
    assert sorted(preview.refused_rows) == [7, 9]
    assert [(p.row, p.column) for p in preview.problems] == [(7, "C"), (9, "D")]
    assert [row.excel_row for row in preview.skipped] == [10, 12]  # the 合计 row and the note under it
    rows = dict(zip(preview.row_numbers, preview.rows, strict=True))
    assert rows[5].name == "李四"
    assert rows[5].id_number == "50010219900506428X"  # spaces and a lower-case x
    assert rows[8].id_number == "511023199212312687"  # full-width digits
    assert rows[5].household_type == "rural"
    assert rows[8].mobile == "13712345680"
    assert _write(engine, preview).imported == 3


def test_read_layout_finds_the_sheet_header_and_mapping() -> None:
    layout = read_layout(FIXTURES / "members.xlsx", "members")
    assert layout.sheet == "会员名单"
    assert layout.sheet_names == ["填表说明", "会员名单", "单位名单"]
    assert layout.header_index == 2
    assert layout.mapping[9] == "union" and layout.mapping[10] == "joined_on"
    assert layout.missing == ()

    employers = read_layout(FIXTURES / "members.xlsx", "employers")
    assert employers.sheet == "单位名单"
    assert employers.mapping == {0: "name", 1: "credit_code", 2: "staff_count", 3: "founded_on"}


def test_a_sheet_without_the_list_is_refused_in_chinese(engine: Engine) -> None:
    with pytest.raises(NoTable) as refused:
        _prepare(engine, FIXTURES / "members.xlsx", "members", sheet="填表说明")
    assert "填表说明" in refused.value.message and is_chinese(refused.value.message)
    with pytest.raises(SpreadsheetError, match="没有名为“没有这张表”的工作表"):
        read_layout(FIXTURES / "members.xlsx", "members", sheet="没有这张表")


def test_a_mapping_missing_a_required_column_or_naming_one_twice_is_refused(engine: Engine) -> None:
    path = FIXTURES / "members.xlsx"
    with pytest.raises(InvalidInput, match="缺少必需的列：“入会时间”"):
        _prepare(engine, path, "members", mapping={1: "name", 2: "id_number", 9: "union"})
    with pytest.raises(InvalidInput, match="第B列和第C列都对应了“姓名”"):
        _prepare(engine, path, "members", mapping={1: "name", 2: "name", 9: "union", 10: "joined_on"})


# --- all or nothing ------------------------------------------------------------------------------------


def _big_member_list(path: Path, count: int, union: str, start: int = 1) -> Path:
    """A member list of ``count`` valid, distinct members of one union (born 1960-1962: the day, month and
    sequence number repeat together only every 42,000 numbers)."""
    from models.codes import id_check_char

    book = Workbook(write_only=True)
    sheet = book.create_sheet("会员")
    sheet.append(["姓名", "身份证号", "所在工会", "入会时间", "手机号码"])
    for number in range(start, start + count):
        first17 = f"500112{1960 + number // 10000:04d}{number // 28 % 12 + 1:02d}{number % 28 + 1:02d}{number % 1000:03d}"
        sheet.append([f"会员{number}", first17 + id_check_char(first17), union, date(2020, 1, 1), None])
    book.save(path)
    return path


def test_cancelling_the_write_leaves_the_database_as_it_was(
    registers: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    preview = _prepare(registers, _big_member_list(tmp_path / "m.xlsx", 30_000, STAR_UNION), "members")
    assert len(preview.rows) == 30_000
    before = dump(data_dir.database)
    steps = []

    def cancelled() -> bool:
        return len(steps) >= 3  # after three progress steps: in the middle of the transaction

    with pytest.raises(ImportCancelled) as stopped:
        run_to_end(write_import(registers, preview, cancelled=cancelled), lambda *step: steps.append(step))
    assert is_chinese(stopped.value.message)
    assert dump(data_dir.database) == before


def test_closing_the_write_mid_way_leaves_the_database_as_it_was(
    registers: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    preview = _prepare(registers, _big_member_list(tmp_path / "m.xlsx", 30_000, STAR_UNION), "members")
    before = dump(data_dir.database)
    steps = write_import(registers, preview)
    for done, total, _message in steps:
        if total and done > total // 2:  # members are being moved into the table
            break
    steps.close()  # what the window's worker does on 取消
    assert dump(data_dir.database) == before
    # And afterwards the import goes through whole.
    assert _write(registers, preview).imported == 30_000
    assert _count(registers, Member) == 30_000
    assert check_database(registers).total == 0


def test_a_row_failing_at_write_time_writes_nothing(
    registers: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    preview = _prepare(registers, _big_member_list(tmp_path / "m.xlsx", 20_000, STAR_UNION), "members")
    # The union of the last row disappears between the preview and the write.
    preview.rows[-1] = preview.rows[-1]._replace(union_id=999_999)
    before = dump(data_dir.database)
    with pytest.raises(ImportChanged, match="FOREIGN KEY") as refused:
        _write(registers, preview)
    assert "没有导入任何数据" in refused.value.message
    assert dump(data_dir.database) == before


# --- members written ahead while the list is checked ----------------------------------------------------


def _other_writer_is_refused(data_dir: DataDir) -> bool:
    """Whether another program (a SQLite tool) finds the database locked for writing."""
    other = tool_connection(data_dir.database, timeout=0.1)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


def test_members_written_ahead_are_committed_only_by_the_import(
    registers: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    before = dump(data_dir.database)
    schema = schema_of(data_dir.database, "member")
    preview = _prepare(
        registers, _big_member_list(tmp_path / "m.xlsx", 25_000, STAR_UNION), "members", write_ahead=True
    )
    # The preview is on screen: nothing is in the database for anyone else, which stays locked for writing.
    assert dump(data_dir.database) == before
    assert _other_writer_is_refused(data_dir)

    result = _write(registers, preview)

    assert (result.imported, result.updated, result.skipped) == (25_000, 0, 0)
    assert _count(registers, Member) == 25_000
    assert query(data_dir.database, "SELECT count(*) FROM member WHERE name = '会员25000'") == [(1,)]
    assert not _other_writer_is_refused(data_dir)
    # One audit entry names the 25,000, and the trail, the search index and the codes all check.
    [(changes,)] = query(data_dir.database, "SELECT changes FROM audit_entry WHERE action = 'bulk_insert'")
    assert '"条数": 25000' in changes and '"文件": "m.xlsx"' in changes
    assert len(list_ids(registers, "members", search="会员2499")) == 11
    # A list this long had member's indexes set aside while it went in: they are back, as they were.
    assert schema_of(data_dir.database, "member") == schema
    assert check_database(registers).total == 0


def _varied_member_list(path: Path, count: int, union: str) -> Path:
    """Members of every kind a list holds: each choice field filled, left empty or spelled another way."""
    import random

    rng = random.Random(3)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("会员")
    sheet.append(["姓名", "身份证号", "所在工会", "入会时间", "手机号码", "民族", "政治面貌", "文化程度",
                  "户籍类型", "就业形式", "新就业形态职业", "入会方式", "会员状态", "离会日期"])  # fmt: skip
    for number in range(count):
        first17 = (
            f"500112{1970 + number // 300:04d}{number % 12 + 1:02d}{number % 28 + 1:02d}{number % 1000:03d}"
        )
        form, occupation = rng.choice(
            [(None, None), ("在岗职工", None), ("灵活就业", "快递员"), (None, "外卖骑手")]
        )
        status, left = rng.choice([(None, None), ("在会", None), ("退会", date(2023, 5, 1)), ("转出", None)])
        sheet.append([f"会员{number}", first17 + id_check_char(first17), union, date(2020, 1, 1),
                      rng.choice([None, f"139{number:08d}"]), rng.choice([None, "汉族", "回族", "土家族"]),
                      rng.choice([None, "中共党员", "群众"]), rng.choice([None, "本科", "高中"]),
                      rng.choice([None, "城镇", "农业户口"]), form, occupation,
                      rng.choice([None, "本单位入会", "源头入会"]), status, left])  # fmt: skip
    book.save(path)
    return path


@pytest.mark.parametrize("write_ahead", [True, False])
def test_each_member_is_stored_as_its_row_was_checked_written_ahead_or_not(
    registers: Engine, data_dir: DataDir, tmp_path: Path, write_ahead: bool
) -> None:
    preview = _prepare(
        registers,
        _varied_member_list(tmp_path / "m.xlsx", 3_000, STAR_UNION),
        "members",
        write_ahead=write_ahead,
    )
    assert (len(preview.rows), preview.refused) == (3_000, 0)
    assert (preview.write_ahead is not None) == write_ahead

    assert _write(registers, preview).imported == 3_000

    with reading(registers) as s, s.begin():
        stored = {member.id_number: member for member in s.scalars(select(Member))}
    today = date.today()
    for row in preview.rows:
        member = stored[row.id_number]
        assert (member.name, member.union_id, member.joined_on, member.mobile) == (
            row.name, row.union_id, row.joined_on, row.mobile,
        )  # fmt: skip
        assert (member.ethnicity, member.political_status, member.education, member.household_type) == (
            row.ethnicity, row.political_status, row.education, row.household_type,
        )  # fmt: skip
        assert member.employment_form == (row.employment_form or "regular")
        assert member.flexible_occupation == row.flexible_occupation
        assert member.join_channel == (row.join_channel or "regular")
        assert member.status == (row.status or "active")
        if member.status == "active":
            assert member.left_on is None
        else:
            assert member.left_on == (row.left_on or today)
    # The choices really vary: the import did not just write the defaults.
    assert len({(m.ethnicity, m.status, m.employment_form, m.join_channel) for m in stored.values()}) > 20
    assert check_database(registers).total == 0


def test_a_preview_discarded_leaves_the_database_as_it_was_and_free(
    registers: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    before = dump(data_dir.database)
    path = _big_member_list(tmp_path / "m.xlsx", 12_000, STAR_UNION)
    preview = _prepare(registers, path, "members", write_ahead=True)
    assert _other_writer_is_refused(data_dir)

    preview.discard()  # the clerk goes back to the mapping, or closes the wizard

    assert dump(data_dir.database) == before
    assert not _other_writer_is_refused(data_dir)
    # Written afterwards, the same preview goes in the ordinary way.
    assert _write(registers, preview).imported == 12_000
    assert check_database(registers).total == 0


def test_updates_and_leavings_are_written_with_the_members_written_ahead(
    registers: Engine, member_preview: ImportPreview, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "所在工会", "入会时间", "会员状态", "离会日期", "手机号码"])
    first17 = "50011219800808007"
    leaver = first17 + id_check_char(first17)
    sheet.append(["褚七", REGISTERED, STAR_UNION, date(2020, 1, 9), "在会", None, "13800000009"])
    sheet.append(["周九", leaver, STAR_UNION, date(2015, 6, 1), "退会", date(2021, 3, 1), None])
    book.save(tmp_path / "mixed.xlsx")
    # member_preview registered 褚七 already.
    preview = _prepare(registers, tmp_path / "mixed.xlsx", "members", write_ahead=True)

    result = _write(registers, preview, on_duplicate="update")

    assert (result.imported, result.updated, result.skipped) == (1, 1, 0)
    with reading(registers) as s, s.begin():
        updated = s.scalar(select(Member).where(Member.id_number == REGISTERED))
        assert (updated.joined_on, updated.mobile) == (date(2020, 1, 9), "13800000009")
        left = s.scalar(select(Member).where(Member.id_number == leaver))
        assert (left.status, left.left_on) == ("withdrawn", date(2021, 3, 1))
    assert query(
        registers.url.database,
        "SELECT kind, happened_on FROM membership_change WHERE member_id = ?",
        (left.id,),
    ) == [("withdrawn", "2021-03-01")]
    assert check_database(registers).total == 0


# --- the error workbook --------------------------------------------------------------------------------


def test_the_error_workbook_holds_the_refused_rows_as_they_were(
    member_preview: ImportPreview, tmp_path: Path
) -> None:
    path = write_error_workbook(tmp_path / "问题行.xlsx", member_preview)

    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "会员名单"
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "序号",
        "姓名",
        "身份证号码",
        "性别",
        "所在工会",
        "工会统一社会信用代码",
        "入会时间",
        "手机号码",
        REASON_HEADER,
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 1 + 8
    number_code = sheet["C2"]  # row 3 of the file: the ID typed into a number cell
    assert (number_code.value, number_code.data_type, number_code.number_format) == (
        "500112198506150000",
        "s",
        "@",
    )
    assert sheet["C3"].value == "1.10105E+17"
    assert sheet["C3"].number_format == "@"
    assert sheet["G5"].value == "2019-02-30"  # text stays text
    assert sheet["G2"].is_date and sheet["G2"].value.date() == date(2020, 1, 2)
    reasons = [sheet.cell(row, 9).value for row in range(2, sheet.max_row + 1)]
    assert reasons[0].startswith("原表第3行：这一格是数字格式")
    assert reasons[2] == "原表第5行：姓名为空"


def test_the_fixed_error_workbook_imports_the_rows_it_holds(
    registers: Engine, member_preview: ImportPreview, tmp_path: Path
) -> None:
    _write(registers, member_preview)
    path = write_error_workbook(tmp_path / "问题行.xlsx", member_preview)
    book = load_workbook(path)
    sheet = book.active
    sheet["B4"] = "吴四"  # the row without a name
    book.save(path)

    again = _prepare(registers, path, "members")
    # The 原因 column is ignored. The fixed row is a new member; the row that repeated 孙一 is now a
    # member registered already (skipped); the clerk sees the other problems again.
    assert REASON_HEADER not in [again.header[c] for c in again.mapping]
    assert sorted(row.name for row in again.rows) == ["吴四", "孙一"]
    assert [match.description for match in again.existing] == [f"已登记为“{STAR_UNION}”的会员“孙一”"]
    assert again.refused == 6
    result = _write(registers, again)
    assert (result.imported, result.skipped, result.refused) == (1, 1, 6)


# --- remembered mappings -------------------------------------------------------------------------------

HEADER = ["编号", "职工姓名", "公民身份号码", "工作单位工会", "加入日期"]
CLERK_MAPPING = {1: "name", 2: "id_number", 3: "union", 4: "joined_on"}


def test_a_confirmed_mapping_is_proposed_for_the_same_layout(data_dir: DataDir) -> None:
    assert remembered_mapping(data_dir, "members", HEADER) is None
    remember_mapping(data_dir, "members", HEADER, CLERK_MAPPING)

    assert remembered_mapping(data_dir, "members", HEADER) == CLERK_MAPPING
    # The same columns typed differently are the same layout …
    assert (
        remembered_mapping(
            data_dir, "members", [" 编号", "职工 姓名", "公民身份号码*", "工作单位工会", "加入日期"]
        )
        == CLERK_MAPPING
    )
    # … another layout or another kind of import is not.
    assert remembered_mapping(data_dir, "members", HEADER[::-1]) is None
    assert remembered_mapping(data_dir, "employers", HEADER) is None
    assert not list(data_dir.root.glob("*.tmp")), "written through a temporary file, renamed into place"


def test_a_damaged_mappings_file_is_ignored_and_replaced(data_dir: DataDir) -> None:
    data_dir.root.mkdir(parents=True)
    mappings_file(data_dir).write_text("{not json", encoding="utf-8")
    assert remembered_mapping(data_dir, "members", HEADER) is None
    remember_mapping(data_dir, "members", HEADER, CLERK_MAPPING)
    assert remembered_mapping(data_dir, "members", HEADER) == CLERK_MAPPING


def test_a_remembered_mapping_that_no_longer_fits_is_not_proposed(data_dir: DataDir) -> None:
    remember_mapping(data_dir, "members", HEADER, {**CLERK_MAPPING, 9: "mobile"})
    assert remembered_mapping(data_dir, "members", HEADER) is None


def test_only_the_most_recent_layouts_are_kept(data_dir: DataDir) -> None:
    for number in range(KEPT_LAYOUTS + 5):
        remember_mapping(data_dir, "members", [*HEADER, f"备注{number}"], CLERK_MAPPING)
    import json

    stored = json.loads(mappings_file(data_dir).read_text(encoding="utf-8"))
    assert len(stored["mappings"]) == KEPT_LAYOUTS


def test_a_remembered_mapping_drives_the_import(registers: Engine, data_dir: DataDir, tmp_path: Path) -> None:
    path = tmp_path / "某街道.xlsx"
    book = Workbook()
    book.active.append(HEADER)
    book.active.append([1, "孙一", "500112199001012311", STAR_UNION, date(2020, 1, 1)])
    book.save(path)
    layout = read_layout(path, "members")
    assert layout.missing  # the guess cannot read 工作单位工会 or 加入日期
    remember_mapping(data_dir, "members", layout.header, CLERK_MAPPING)

    mapping = remembered_mapping(data_dir, "members", layout.header)
    path.unlink()  # the file was read once: preparing goes on from the layout
    preview = _prepare(registers, path, "members", mapping=mapping, layout=layout)
    assert preview.fingerprint == layout.fingerprint
    assert [row.name for row in preview.rows] == ["孙一"]


# --- a property: every data row is accounted for ------------------------------------------------------

GOOD_IDS = ["500112199001012311", "50010219900506428X", "511023199212312687"]
CELLS = {
    "name": st.sampled_from(["张三", "李 四", "", "  ", "王五"]),
    "id": st.sampled_from([*GOOD_IDS, "500112199001012312", 5.00112199001012e17, "", "1.10105E+17"]),
    "union": st.sampled_from([STAR_UNION, "", "不存在的工会"]),
    "joined": st.sampled_from([date(2020, 1, 1), "2019-02-30", "", 43831, "2019.3", "2030-01-01"]),
    "sex": st.sampled_from(["男", "女", "", "未知"]),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=12))
def test_every_data_row_is_either_ready_or_refused_with_a_reason(
    rows: list[dict], registers: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("property") / "list.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "性别", "所在工会", "入会时间"])
    for row in rows:
        sheet.append(
            [
                row["name"] or None,
                row["id"] or None,
                row["sex"] or None,
                row["union"] or None,
                row["joined"] or None,
            ]
        )
    book.save(path)

    preview = _prepare(registers, path, "members")

    filled = [
        number
        for number, row in enumerate(rows, start=2)
        if any(str(value).strip() for value in row.values())
    ]
    assert sorted([*preview.row_numbers, *preview.refused_rows]) == filled
    assert not set(preview.row_numbers) & set(preview.refused_rows)
    assert set(preview.reasons()) == set(preview.refused_rows)
    assert all(is_chinese(problem.reason) or "为空" in problem.reason for problem in preview.problems)
    ids = [row.id_number for row in preview.rows]
    assert len(ids) == len(set(ids)), "one member is imported once"


def test_run_to_end_reports_every_step_and_returns_the_result(registers: Engine) -> None:
    steps: list[tuple[int, int, str]] = []
    preview = run_to_end(
        prepare_import(registers, CASES, "members", sheet="会员名单"), lambda *step: steps.append(step)
    )
    assert isinstance(preview, ImportPreview)
    assert steps[0][2].startswith("正在读取")
    assert steps[-1] == (steps[-1][1], steps[-1][1], "已检查11行：可导入3行，有问题8行")


def test_a_leaving_date_dates_the_leaving_and_is_checked(registers: Engine, tmp_path: Path) -> None:
    """离会日期 dates a 转出/退会 member's leaving (the figures of that period count it); it is refused on an
    在会 row and before the joining."""
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "所在工会", "入会时间", "会员状态", "离会日期"])
    rows = [
        ("甲", "退会", "2019-12-31"),
        ("乙", "转出", None),
        ("丙", "在会", "2019-12-31"),
        ("丁", "退会", "2014-06-30"),
    ]
    for number, (name, status, left_on) in enumerate(rows, start=1):
        base = f"11010119900307{number:02d}1"
        sheet.append([name, base + id_check_char(base), STAR_UNION, "2015-03-01", status, left_on])
    path = tmp_path / "离会.xlsx"
    book.save(path)

    preview = _prepare(registers, path, "members")
    reasons = {problem.row: problem.reason for problem in preview.problems}
    assert reasons == {
        4: "会员状态为在会，不应填写离会日期（转出或退会的会员才有离会日期）",
        5: "离会日期2014-06-30早于入会时间2015-03-01",
    }
    _write(registers, preview)
    with reading(registers) as s, s.begin():
        left = dict(s.execute(select(Member.name, Member.left_on).where(Member.name.in_(["甲", "乙"]))).all())
    assert left == {"甲": date(2019, 12, 31), "乙": date.today()}, "no date given: the day of the import"
    changes = query(registers.url.database, "SELECT m.name, c.kind, c.happened_on FROM membership_change c "
                   "JOIN member m ON m.id = c.member_id ORDER BY m.name")  # fmt: skip
    assert changes == [("乙", "transferred_out", date.today().isoformat()), ("甲", "withdrawn", "2019-12-31")]
    assert check_database(registers).total == 0
