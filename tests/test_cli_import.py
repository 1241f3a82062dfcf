"""``main.py import`` as an admin runs it: its own process, exit codes, Chinese messages, JSON, the error
workbook, the automatic backup, and a process killed in the middle of writing that leaves the database as
it was."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from models import codes
from models.paths import DATA_DIR_ENV, DataDir
from tests.helpers import count, dump, execute, is_chinese, query
from tests.test_cli import Run, _environment
from tests.test_cli import run_cli as cli

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"
CASES = ROOT / "tests" / "fixtures" / "spreadsheets" / "import_cases.xlsx"
STAR_UNION = "两江新区星光电子有限公司工会"
BIG_ROWS = 60_000


def run_cli(*args: object, timeout: float = 180) -> Run:
    return cli(*args, timeout=timeout)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database (it has the first-level union 人和街道总工会), made once by the command line."""
    root = tmp_path_factory.mktemp("import-demo")
    run = run_cli("--data-dir", root, "demo", "--employers", 50, "--members", 800, "--seed", 3)
    assert run.code == 0, run.stderr
    return DataDir(root).database


@pytest.fixture
def data_dir(data_dir: DataDir, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    """A copy of the demo, found by the command line through the environment variable."""
    data_dir.root.mkdir(parents=True)
    shutil.copyfile(demo_template, data_dir.database)
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir.root))
    return data_dir


def _import(*args: object) -> Run:
    return run_cli("import", *args, "--json")


@pytest.fixture
def registers(data_dir: DataDir) -> DataDir:
    """The demo plus the fixture's employers and unions, imported by the command line."""
    assert _import("employers", CASES, "--sheet", "单位名单").json["imported"] == 3
    assert _import("unions", CASES, "--sheet", "工会名单").json["imported"] == 2
    return data_dir


# --- the summary --------------------------------------------------------------------------------------


def test_a_member_list_with_bad_rows_imports_the_good_ones_and_lists_the_others(registers: DataDir) -> None:
    members = count(registers.database, "member")

    run = _import("members", CASES, "--sheet", "会员名单")

    assert run.code == 1, run.stderr  # done, but some rows were refused
    summary = run.json
    assert {key: summary[key] for key in ("read", "imported", "updated", "skipped", "refused")} == {
        "read": 11, "imported": 3, "updated": 0, "skipped": 0, "refused": 8,
    }  # fmt: skip
    assert count(registers.database, "member") == members + 3
    by_row = {problem["row"]: problem for problem in summary["problems"]}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 12]
    assert by_row[3] == {
        "sheet": "会员名单",
        "row": 3,
        "column": "C",
        "header": "身份证号码",
        "value": "500112198506150000",
        "reason": "这一格是数字格式，身份证号超过15位的数字已被Excel改成0，无法还原；请把该列设为文本后重新录入",
    }
    assert by_row[9]["reason"].startswith("与第2行的身份证号相同")
    assert all(
        is_chinese(problem["reason"]) or problem["reason"] == "姓名为空" for problem in summary["problems"]
    )


def test_without_json_the_summary_is_in_chinese(registers: DataDir) -> None:
    run = run_cli("import", "members", CASES, "--sheet", "会员名单")
    assert run.code == 1
    assert "工作表“会员名单”共读取 11 行会员数据，已导入 3 条" in run.stdout
    assert "第7行 D列“性别”（男）：性别填的是“男”" in run.stdout
    assert "已自动备份数据库到" in run.stdout


def test_a_real_import_takes_a_backup_first(registers: DataDir) -> None:
    before = count(registers.database, "member")
    backups = set(registers.backups.glob("uniondesk-before-import-*.sqlite3"))
    _import("members", CASES, "--sheet", "会员名单")
    [backup] = set(registers.backups.glob("uniondesk-before-import-*.sqlite3")) - backups
    assert count(backup, "member") == before


def test_a_dry_run_writes_nothing_and_says_what_would_happen(registers: DataDir) -> None:
    before = dump(registers.database)
    backups = list(registers.backups.glob("*"))

    run = _import("members", CASES, "--sheet", "会员名单", "--dry-run")

    assert run.code == 1
    assert run.json["dry_run"] is True
    assert (run.json["imported"], run.json["refused"]) == (3, 8)
    assert dump(registers.database) == before
    assert list(registers.backups.glob("*")) == backups
    assert "数据库未作任何改动" in run.stderr


def test_the_errors_option_writes_the_refused_rows(registers: DataDir, tmp_path: Path) -> None:
    out = tmp_path / "问题行.xlsx"
    run = _import("members", CASES, "--sheet", "会员名单", "--errors", out)
    assert Path(run.json["errors_file"]) == out.resolve()
    sheet = load_workbook(out).active
    assert sheet.max_row == 9
    assert sheet["I1"].value == "原因" and sheet["I1"].font.bold
    assert (sheet["C2"].value, sheet["C2"].number_format) == ("500112198506150000", "@")


def test_a_registered_record_is_skipped_or_updated(registers: DataDir) -> None:
    first = _import("members", CASES, "--sheet", "会员名单")
    assert first.json["imported"] == 3
    again = _import("members", CASES, "--sheet", "会员名单")
    assert (again.json["imported"], again.json["skipped"], again.json["existing"]) == (0, 3, 3)
    # Someone clears 孙一's phone; an update from the list puts it back.
    execute(registers.database, "UPDATE member SET mobile = NULL WHERE id_number = '500112199001012311'")
    updated = _import("members", CASES, "--sheet", "会员名单", "--on-duplicate", "update")
    assert (updated.json["imported"], updated.json["updated"], updated.json["skipped"]) == (0, 3, 0)
    assert query(registers.database, "SELECT mobile FROM member WHERE id_number = '500112199001012311'") == [
        ("13800000001",)
    ]


def test_headcounts_need_a_source_and_take_the_clerks_date(registers: DataDir) -> None:
    refused = _import("headcounts", CASES, "--sheet", "参保人数")
    assert refused.code == 1
    assert "必须用 --source 指明人数来源" in refused.json["error"]

    run = _import("headcounts", CASES, "--sheet", "参保人数", "--source", "社保", "--as-of", "2026-07-01")
    assert (run.json["updated"], run.json["refused"]) == (2, 2)
    rows = query(
        registers.database,
        "SELECT staff_count, staff_count_source, staff_count_date FROM employer WHERE name = '两江智造科技有限公司'",
    )
    assert rows == [(90, "social_security", "2026-07-01")]


def test_a_missing_file_is_refused_in_chinese(data_dir: DataDir, tmp_path: Path) -> None:
    before = dump(data_dir.database)
    run = _import("members", tmp_path / "没有这个文件.xlsx")
    assert run.code == 2
    assert "找不到文件" in run.json["error"]
    assert dump(data_dir.database) == before


# --- killed while writing ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_list(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60,000 new members of the demo's unions, codes as text cells."""
    unions = [
        name
        for (name,) in query(
            demo_template,
            """SELECT name FROM "union" WHERE status = 'active'
               AND name IN (SELECT name FROM "union" GROUP BY name HAVING count(*) = 1)""",
        )
    ]
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    rng = random.Random(5)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("会员名单")
    sheet.append(["姓名", "身份证号码", "所在工会", "入会时间", "手机号码"])
    for number in range(BIG_ROWS):
        # 铜梁区 (500151): an area the demo never gives; one year of births per 1,000 members.
        first17 = f"500151{1950 + number // 1000}{number // 28 % 12 + 1:02d}{number % 28 + 1:02d}{number % 1000:03d}"
        sheet.append([f"会员{number}", first17 + codes.id_check_char(first17), rng.choice(unions),
                      date(2021, 1, 1), None])  # fmt: skip
    book.save(path)
    return path


def _read_lines(stream) -> Iterator[str]:
    yield from iter(stream.readline, "")


# While the list is checked the new members are written ahead into an open transaction; then the write
# waits for the last of them, and commits after "正在保存…".
@pytest.mark.parametrize("kill_at", ["正在检查第40,00", "正在写入会员", "正在保存…"])
def test_an_import_killed_while_writing_leaves_the_database_as_it_was(
    data_dir: DataDir, big_list: Path, kill_at: str
) -> None:
    before = dump(data_dir.database)
    members = count(data_dir.database, "member")
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "import", "members", str(big_list)],
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    )
    watchdog = threading.Timer(180, process.kill)  # a hung child must not hang the suite
    watchdog.start()
    seen: list[str] = []
    try:
        for line in _read_lines(process.stderr):
            seen.append(line)
            if kill_at in line:
                process.kill()  # SIGKILL / TerminateProcess: no handler, no rollback, no goodbye
                break
        process.wait(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
        process.wait(timeout=30)
        process.stderr.close()
    assert any(kill_at in line for line in seen), "".join(seen[-5:])
    assert process.returncode != 0, "killed before it could commit"
    assert not any("已写入数据库" in line for line in seen)

    assert count(data_dir.database, "member") == members
    assert dump(data_dir.database) == before
    run = run_cli("check", "--json")
    assert run.code == 0, run.stderr
    assert run.json["total_problems"] == 0

    # And the same import, left alone, goes through whole.
    finished = _import("members", big_list)
    assert finished.code == 0, finished.stderr
    assert finished.json["imported"] == BIG_ROWS
    assert count(data_dir.database, "member") == members + BIG_ROWS
