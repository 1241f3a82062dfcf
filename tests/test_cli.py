"""The command line as an admin uses it: ``main.py`` in its own process, exit codes, Chinese messages, JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from models import codes
from models.database import head_revision
from models.paths import DATA_DIR_ENV, DataDir
from tests.helpers import count, dump, execute, fingerprint, is_chinese, query, set_revision

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        """The JSON object on the last line of stdout."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"no output; stderr: {self.stderr}"
        return json.loads(lines[-1])


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}


def run_cli(*args: object, timeout: float = 120) -> Run:
    completed = subprocess.run(
        [sys.executable, str(MAIN), *map(str, args)],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def data_dir(data_dir: DataDir, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    """The data folder the command line finds through the environment variable."""
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir.root))
    return data_dir


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database made once by the command line itself, copied for each test that needs one."""
    root = tmp_path_factory.mktemp("cli-demo")
    run = run_cli("--data-dir", root, "demo", "--employers", 50, "--members", 800, "--seed", 3)
    assert run.code == 0, run.stderr
    database = DataDir(root).database
    assert not database.with_name(database.name + "-wal").exists(), "the program closed the database"
    return database


@pytest.fixture
def demo_data_dir(data_dir: DataDir, demo_template: Path) -> DataDir:
    data_dir.root.mkdir(parents=True)
    shutil.copyfile(demo_template, data_dir.database)
    return data_dir


# --- demo and the data folder ----------------------------------------------------------------------------


def test_demo_fills_the_data_folder_and_reports_counts_as_json(data_dir: DataDir) -> None:
    run = run_cli("demo", "--employers", 50, "--members", 800, "--json")

    assert run.code == 0, run.stderr
    summary = run.json
    assert summary["ok"] is True
    assert summary["counts"]["employers"] == 50
    assert summary["counts"]["members"] == 800
    assert Path(summary["database"]) == data_dir.database.resolve()
    assert count(data_dir.database, "member") == 800
    assert "正在生成会员" in run.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_option_works_before_and_after_the_subcommand(
    data_dir: DataDir, tmp_path: Path, where: str
) -> None:
    chosen = tmp_path / "另一个文件夹"
    option = ["--data-dir", chosen]
    demo = ["demo", "--employers", 5, "--members", 20, "--json"]

    run = run_cli(*(option + demo if where == "before" else demo + option))

    assert run.code == 0, run.stderr
    assert Path(run.json["database"]) == DataDir(chosen).database.resolve()
    assert count(DataDir(chosen).database, "employer") == 5
    assert not data_dir.database.exists(), "the environment's folder was not used"


def test_demo_into_a_database_with_records_is_refused(demo_data_dir: DataDir) -> None:
    before = dump(demo_data_dir.database)
    run = run_cli("demo", "--employers", 5, "--members", 20, "--json")
    assert run.code == 2
    assert run.json["ok"] is False
    assert is_chinese(run.stderr)
    assert dump(demo_data_dir.database) == before


# --- check --------------------------------------------------------------------------------------------


def test_check_passes_on_a_sound_database_and_fails_after_damage(demo_data_dir: DataDir) -> None:
    run = run_cli("check", "--json")
    assert run.code == 0, run.stderr
    assert run.json["total_problems"] == 0
    assert run.json["records_checked"] > 800

    [(member_id, number)] = query(demo_data_dir.database, "SELECT id, id_number FROM member LIMIT 1")
    wrong = number[:17] + next(char for char in "0123456789X" if char != number[17])
    execute(demo_data_dir.database, "UPDATE member SET id_number = ? WHERE id = ?", (wrong, member_id))

    run = run_cli("check", "--json")
    assert run.code == 1
    assert run.json["total_problems"] == 1
    assert run.json["problems"]["member_id_number"] == 1
    assert f"会员 #{member_id}" in run.stderr
    assert "会员身份证号：1 处问题" in run.stderr


def test_check_without_a_database_says_so(data_dir: DataDir) -> None:
    run = run_cli("check", "--json")
    assert run.code == 2
    assert "没有数据库" in run.stderr
    assert not data_dir.database.exists()


# --- backup and restore --------------------------------------------------------------------------------


def test_backup_and_restore_round_trip(demo_data_dir: DataDir, tmp_path: Path) -> None:
    before = dump(demo_data_dir.database)
    target = tmp_path / "备份" / "工会-2026-11-23.sqlite3"

    run = run_cli("backup", target, "--json")
    assert run.code == 0, run.stderr
    assert Path(run.json["backup"]) == target.resolve()
    assert run.json["counts"]["members"] == 800
    assert target.exists()

    execute(demo_data_dir.database, "DELETE FROM organizing_task")
    execute(demo_data_dir.database, "UPDATE federation SET name = '备份后改的名字'")
    assert dump(demo_data_dir.database) != before

    run = run_cli("restore", target, "--json")
    assert run.code == 0, run.stderr
    assert dump(demo_data_dir.database) == before
    replaced = Path(run.json["replaced_copy"])
    assert replaced.parent == demo_data_dir.replaced.resolve()
    assert query(replaced, "SELECT name FROM federation") == [("备份后改的名字",)]


def test_restore_from_a_file_that_is_not_a_backup_changes_nothing(
    demo_data_dir: DataDir, tmp_path: Path
) -> None:
    not_a_backup = tmp_path / "会员名单.xlsx"
    not_a_backup.write_bytes(b"PK\x03\x04" + bytes(4000))
    before = dump(demo_data_dir.database)

    run = run_cli("restore", not_a_backup, "--json")

    assert run.code == 2
    assert run.json["ok"] is False
    assert is_chinese(run.stderr)
    assert dump(demo_data_dir.database) == before


# --- registering from the command line -----------------------------------------------------------------


def _union_name(data_dir: DataDir) -> str:
    return query(
        data_dir.database,
        """SELECT name FROM "union" WHERE status = 'active'
           AND name IN (SELECT name FROM "union" GROUP BY name HAVING count(*) = 1) LIMIT 1""",
    )[0][0]


def test_member_add_with_a_valid_id_number_is_saved(demo_data_dir: DataDir) -> None:
    body = "50011219900307001"
    run = run_cli(
        "member", "add", "--name", "刘海燕", "--id-number", body + codes.id_check_char(body),
        "--union", _union_name(demo_data_dir), "--joined-on", "2021-03-08", "--json",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.json["member"]["name"] == "刘海燕"
    assert count(demo_data_dir.database, "member") == 801


def test_member_add_with_a_wrong_id_number_is_refused(demo_data_dir: DataDir) -> None:
    body = "50011219900307001"
    wrong = body + next(char for char in "0123456789X" if char != codes.id_check_char(body))

    run = run_cli(
        "member", "add", "--name", "刘海燕", "--id-number", wrong,
        "--union", _union_name(demo_data_dir), "--joined-on", "2021-03-08", "--json",
    )  # fmt: skip

    assert run.code == 1
    assert "校验码" in run.stderr
    assert "错误：" in run.stderr
    assert run.json["ok"] is False
    assert run.json["field"] == "id_number"
    assert count(demo_data_dir.database, "member") == 800


def test_member_add_with_a_bad_date_is_refused(demo_data_dir: DataDir) -> None:
    body = "50011219900307001"
    run = run_cli(
        "member", "add", "--name", "刘海燕", "--id-number", body + codes.id_check_char(body),
        "--union", _union_name(demo_data_dir), "--joined-on", "2021年3月8日", "--json",
    )  # fmt: skip
    assert run.code == 1
    assert "日期" in run.stderr
    assert run.json["field"] == "joined_on"
    assert count(demo_data_dir.database, "member") == 800


# --- refusals before anything is done ------------------------------------------------------------------


@pytest.mark.parametrize("args", [["frobnicate"], ["--json", "frobnicate"], ["demo", "--employers", "很多"]])
def test_a_usage_error_exits_2_with_a_chinese_message(data_dir: DataDir, args: list[str]) -> None:
    run = run_cli(*args)
    assert run.code == 2
    assert "命令用法有误" in run.stderr
    if "--json" in args:
        assert run.json["ok"] is False
    assert not data_dir.database.exists()


def test_a_database_from_a_newer_release_is_refused(demo_data_dir: DataDir) -> None:
    set_revision(demo_data_dir.database, "ffff_future")
    before = fingerprint(demo_data_dir.database)

    run = run_cli("check", "--json")

    assert run.code == 2
    assert "更新版本" in run.stderr
    assert run.json["ok"] is False
    assert fingerprint(demo_data_dir.database) == before


# --- killed half-way -----------------------------------------------------------------------------------


def test_a_demo_killed_half_way_leaves_nothing(data_dir: DataDir) -> None:
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "demo", "--employers", "500", "--members", "60000"],
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    )
    watchdog = threading.Timer(120, process.kill)  # a hung child must not hang the suite
    watchdog.start()
    try:
        lines = _lines_until(process.stderr, "正在生成会员")
        assert process.poll() is None, "still running when killed"
        process.kill()
        process.wait(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
        process.wait(timeout=30)
        process.stderr.close()
    assert "60,000" in lines[-1] and not lines[-1].rstrip().endswith("60,000/60,000"), lines[-1]

    run = run_cli("check", "--json")

    assert run.code == 0, run.stderr
    assert run.json["total_problems"] == 0
    assert count(data_dir.database, "member") == 0
    assert count(data_dir.database, "employer") == 0
    assert query(data_dir.database, "SELECT name FROM federation") == [("区总工会",)]
    assert query(data_dir.database, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def _lines_until(stream, words: str) -> list[str]:
    lines: list[str] = []
    for line in _read(stream):
        lines.append(line)
        if words in line:
            return lines
    pytest.fail(f"the program ended before printing {words}: {''.join(lines)}")


def _read(stream) -> Iterator[str]:
    yield from iter(stream.readline, "")


# --- notices ----------------------------------------------------------------------------------------------


def _credit_code_without_union(data_dir: DataDir) -> str:
    sql = (
        "SELECT credit_code FROM employer WHERE credit_code IS NOT NULL "
        "AND id NOT IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT 1"
    )
    return query(data_dir.database, sql)[0][0]


def test_a_notice_is_issued_served_answered_and_listed_as_due(demo_data_dir: DataDir) -> None:
    code = _credit_code_without_union(demo_data_dir)
    issued = run_cli(
        "notice", "issue", "--kind", "opinion_letter", "--employer", code, "--date", "2026-01-05", "--json"
    )
    assert issued.code == 0, issued.stderr
    number = issued.json["number"]
    assert number.endswith("〔2026〕1号") and isinstance(issued.json["id"], int)

    served = run_cli(
        "notice",
        "serve",
        number,
        "--date",
        "2026-01-09",
        "--method",
        "直接送达",
        "--receiver",
        "张经理",
        "--json",
    )
    assert served.code == 0, served.stderr
    assert served.json["reply_due_on"] == "2026-01-30"  # 15 working days from Friday 9 January

    due = run_cli("notice", "due", "--json")
    assert [n["number"] for n in due.json["overdue"]] == [number]

    replied = run_cli(
        "notice", "reply", number, "--date", "2026-02-02", "--summary", "已启动建会筹备", "--json"
    )
    assert replied.code == 0 and replied.json["status"] == "replied"
    assert run_cli("notice", "due", "--json").json["overdue"] == []


def test_skipping_a_step_of_escalation_is_refused_in_chinese(demo_data_dir: DataDir) -> None:
    code = _credit_code_without_union(demo_data_dir)
    before = dump(demo_data_dir.database)
    run = run_cli("notice", "issue", "--kind", "recommendation", "--employer", code, "--json")
    assert run.code == 1
    assert "检查意见书" in run.stderr and run.json["field"] == "override_reason"
    assert dump(demo_data_dir.database) == before
