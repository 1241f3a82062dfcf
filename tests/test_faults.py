"""Faults a clerk meets (issue 7, "Nothing lost"): each gives a clear Chinese message and loses nothing.

A truncated member list, a zero-byte database, a read-only data folder, a database locked by another
program, a disk that fills up and a refused notice (which used to leave its draft behind), through the
command line as an admin runs it. Where the fault has to be
simulated inside the program (permissions that root ignores, a full disk, a short busy timeout) the
command runs in this process (``main.main``) with the simulation patched in; otherwise in a process of its
own. A damaged page in the middle of the database and a second copy of the program are in
``tests/test_cli_faults.py``; killed processes in ``bench/faults.py``.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import event

import main
from models import backups, codes, database
from models.paths import DataDir
from tests.helpers import count, dump, is_chinese, query, refuse_writes_in
from tests.test_cli import Run, run_cli
from tests.test_cli import data_dir as cli_data_dir
from tests.test_cli import demo_template as cli_demo_template

pytestmark = pytest.mark.slow

# The data folder the command line finds through the environment, and a demo of 800 members made by it.
data_dir = cli_data_dir
demo_template = cli_demo_template

RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def demo_data_dir(data_dir: DataDir, demo_template: Path) -> DataDir:
    """A copy of the demo whose day's backup is already taken, as after the first start of the day."""
    data_dir.root.mkdir(parents=True)
    shutil.copyfile(demo_template, data_dir.database)
    assert run_cli("check").code == 0
    return data_dir


def run_here(capsys: pytest.CaptureFixture, *args: object) -> Run:
    """``main.py`` with these arguments, in this process, so that a fault can be patched in."""
    code = main.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return Run(code, out, err)


def union_names(database_path: Path) -> list[str]:
    return [
        name
        for (name,) in query(
            database_path,
            """SELECT name FROM "union" WHERE status = 'active'
               AND name IN (SELECT name FROM "union" GROUP BY name HAVING count(*) = 1) ORDER BY id""",
        )
    ]


def write_member_list(path: Path, unions: list[str], rows: int) -> Path:
    """A real member list: the header, then ``rows`` new members (area 500151, which the demo never gives)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "会员名单"
    sheet.append(["姓名", "身份证号码", "所在工会", "入会时间"])
    for number in range(rows):
        first17 = (
            f"500151{1960 + number // 300}{number // 28 % 12 + 1:02d}{number % 28 + 1:02d}{number % 300:03d}"
        )
        sheet.append([f"会员{number}", first17 + codes.id_check_char(first17), unions[number % len(unions)],
                      date(2021, 3, 8)])  # fmt: skip
        sheet.cell(row=number + 2, column=2).number_format = "@"
    book.save(path)
    return path


def new_id_number() -> str:
    first17 = "50011219900307001"
    return first17 + codes.id_check_char(first17)


def add_member_args(data_dir: DataDir) -> list[object]:
    return ["member", "add", "--name", "刘海燕", "--id-number", new_id_number(),
            "--union", union_names(data_dir.database)[0], "--joined-on", "2021-03-08"]  # fmt: skip


# --- a truncated spreadsheet --------------------------------------------------------------------------------


def test_a_truncated_member_list_is_refused_as_damaged_and_nothing_is_written(
    demo_data_dir: DataDir, tmp_path: Path
) -> None:
    member_list = write_member_list(tmp_path / "会员名单.xlsx", union_names(demo_data_dir.database), 300)
    whole = member_list.read_bytes()
    member_list.write_bytes(whole[: len(whole) // 2])  # a copy cut short: a USB stick pulled out, a mail cut
    before = dump(demo_data_dir.database)
    backups_before = sorted(demo_data_dir.backups.iterdir())

    run = run_cli("import", "members", member_list, "--json")

    assert run.code == 2, run.stderr  # nothing was done
    assert "会员名单.xlsx" in run.json["error"] and "已损坏" in run.json["error"]
    assert "另存为" in run.json["error"], "says what to do"
    assert is_chinese(run.stderr)
    assert dump(demo_data_dir.database) == before
    assert count(demo_data_dir.database, "member") == 800
    assert sorted(demo_data_dir.backups.iterdir()) == backups_before, "refused before the backup of an import"


# --- a zero-byte database ------------------------------------------------------------------------------------
# Without any backup: tests/test_cli_faults.py. Here, with the day's backup there: it is named and restores.


def test_a_zero_byte_database_is_kept_aside_and_the_days_backup_brings_everything_back(
    demo_data_dir: DataDir,
) -> None:
    [backup] = demo_data_dir.backups.glob("uniondesk-monthly-*.sqlite3")
    good = dump(demo_data_dir.database)
    save = add_member_args(demo_data_dir)
    demo_data_dir.database.write_bytes(b"")  # what a power cut during a copy by hand can leave

    run = run_cli(*save, "--json")

    assert run.code == 2
    message = run.json["error"]
    assert "已损坏" in message and "文件大小为 0" in message
    assert str(backup) in message and f'restore "{backup}"' in message
    [kept] = demo_data_dir.damaged.glob("*.sqlite3")
    assert kept.stat().st_size == 0, "kept as it was, not deleted"
    assert run_cli("restore", backup).code == 0
    assert dump(demo_data_dir.database) == good
    assert count(demo_data_dir.database, "member") == 800


# --- a read-only data folder -------------------------------------------------------------------------------


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="root ignores permission bits: see the simulated test below")
@pytest.mark.skipif(sys.platform == "win32", reason="a folder's read-only attribute does not stop writes")
def test_a_read_only_data_folder_is_refused_in_chinese_and_nothing_is_lost(demo_data_dir: DataDir) -> None:
    before = dump(demo_data_dir.database)
    os.chmod(demo_data_dir.root, 0o555)
    try:
        run = run_cli(*add_member_args(demo_data_dir), "--json")
    finally:
        os.chmod(demo_data_dir.root, 0o755)

    assert run.code == 2
    assert "没有写入权限" in run.json["error"] and str(demo_data_dir.root) in run.json["error"]
    assert dump(demo_data_dir.database) == before
    assert not demo_data_dir.damaged.exists()


@pytest.fixture
def read_only_folder(monkeypatch: pytest.MonkeyPatch):
    """Make a folder refuse every write as a folder on a write-protected disk does, whoever runs the test."""

    def make(folder: Path) -> None:
        refuse_writes_in(monkeypatch, folder, errno.EROFS, "Read-only file system")

    return make


def test_a_data_folder_on_a_write_protected_disk_is_refused_in_chinese(
    demo_data_dir: DataDir, read_only_folder, capsys
) -> None:
    before = dump(demo_data_dir.database)
    read_only_folder(demo_data_dir.root)

    run = run_here(capsys, *add_member_args(demo_data_dir), "--json")

    assert run.code == 2
    assert "只读" in run.json["error"] and str(demo_data_dir.root) in run.json["error"]
    assert "写入权限" in run.json["error"], "says what to check"
    assert dump(demo_data_dir.database) == before
    assert count(demo_data_dir.database, "member") == 800


# --- a database locked by another program ----------------------------------------------------------------


def test_a_save_while_another_program_holds_the_database_says_so_and_changes_nothing(
    demo_data_dir: DataDir, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)  # the program waits 5 s; the test needs less
    before = dump(demo_data_dir.database)
    # A database tool (DB Browser for SQLite, say) in the middle of a change it has not written yet: it
    # holds the write lock from BEGIN EXCLUSIVE on.
    other = sqlite3.connect(demo_data_dir.database, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        started = time.perf_counter()
        run = run_here(capsys, *add_member_args(demo_data_dir), "--json")
        waited = time.perf_counter() - started
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert run.code == 2, run.stderr
    message = run.json["error"]
    assert "正被其他程序使用" in message and "没有保存" in message and is_chinese(message)
    assert "Traceback" not in run.stderr
    assert waited >= 0.3, "it waited for the other program first"
    assert dump(demo_data_dir.database) == before
    assert count(demo_data_dir.database, "member") == 800
    assert not demo_data_dir.damaged.exists(), "a locked database is not a damaged one"


# --- a disk that fills up --------------------------------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch):
    """The program's database can grow by a few pages only: SQLite then answers SQLITE_FULL ("database or
    disk is full"), as it does when the disk itself is full. Returns what frees the disk again."""
    create_engine_at = database.create_engine_at

    def limited(path: Path):
        engine = create_engine_at(path)

        @event.listens_for(engine, "connect")
        def almost_full(dbapi_connection, _record) -> None:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 4}")

        return engine

    monkeypatch.setattr(database, "create_engine_at", limited)
    return lambda: monkeypatch.setattr(database, "create_engine_at", create_engine_at)


def test_an_import_that_fills_the_disk_says_so_and_writes_nothing(
    demo_data_dir: DataDir, tmp_path: Path, capsys, full_disk
) -> None:
    member_list = write_member_list(tmp_path / "会员名单.xlsx", union_names(demo_data_dir.database), 1500)
    before = dump(demo_data_dir.database)

    run = run_here(capsys, "import", "members", member_list, "--json")

    assert run.code == 2, run.stderr
    message = run.json["error"]
    assert "磁盘空间已满" in message and "没有保存" in message and is_chinese(message)
    assert "Traceback" not in run.stderr
    assert dump(demo_data_dir.database) == before, "not one of the 1,500 members"
    assert count(demo_data_dir.database, "member") == 800

    make_room = full_disk
    make_room()  # the clerk clears the disk: the same list goes in whole
    run = run_here(capsys, "import", "members", member_list, "--json")
    assert run.code == 0, run.stderr
    assert run.json["imported"] == 1500
    assert count(demo_data_dir.database, "member") == 800 + 1500


def test_a_backup_onto_a_full_disk_leaves_no_file_under_its_name_and_the_others_whole(
    demo_data_dir: DataDir, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = {path: path.read_bytes() for path in demo_data_dir.backups.iterdir()}
    assert earlier, "the day's backup"
    target = demo_data_dir.backups / "uniondesk-手工-20261124.sqlite3"
    real_replace = os.replace

    def full(source, destination):
        if Path(destination) == target:  # the copy is written; putting it in place finds the disk full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, destination)

    monkeypatch.setattr(backups.os, "replace", full)
    before = dump(demo_data_dir.database)

    run = run_here(capsys, "backup", target, "--json")

    assert run.code == 2
    assert "磁盘空间已满" in run.json["error"] and str(target) in run.json["error"]
    assert not target.exists()
    assert {path: path.read_bytes() for path in demo_data_dir.backups.iterdir()} == earlier, "no partial"
    assert dump(demo_data_dir.database) == before


# --- a refused save leaves nothing half done ------------------------------------------------------------


def test_a_notice_refused_for_its_date_leaves_no_draft_behind(demo_data_dir: DataDir) -> None:
    code = query(
        demo_data_dir.database,
        "SELECT credit_code FROM employer WHERE credit_code IS NOT NULL "
        "AND id NOT IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT 1",
    )[0][0]
    before, notices = dump(demo_data_dir.database), count(demo_data_dir.database, "notice")

    run = run_cli("notice", "issue", "--kind", "opinion_letter", "--employer", code, "--date", "2099-01-05",
                  "--json")  # fmt: skip

    assert run.code == 1
    assert "2099-01-05 晚于今天" in run.json["error"]
    assert dump(demo_data_dir.database) == before, "no draft saved before the date was refused"
    issued = run_cli("notice", "issue", "--kind", "opinion_letter", "--employer", code, "--json")
    assert issued.code == 0, issued.stderr  # the clerk corrects the date and is not told of an open notice
    assert count(demo_data_dir.database, "notice") == notices + 1
