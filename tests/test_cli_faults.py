"""Faults at start on the command line: a damaged database, a second copy, a risky folder; the backup list."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from models.database import lock_data_dir
from models.paths import DataDir
from tests.helpers import dump, is_chinese, query
from tests.test_cli import data_dir as cli_data_dir
from tests.test_cli import demo_template as cli_demo_template
from tests.test_cli import run_cli

pytestmark = pytest.mark.slow

# The data folder the command line finds through the environment, and a demo made by the command line.
data_dir = cli_data_dir
demo_template = cli_demo_template


@pytest.fixture
def demo_data_dir(data_dir: DataDir, demo_template: Path) -> DataDir:
    data_dir.root.mkdir(parents=True)
    shutil.copyfile(demo_template, data_dir.database)
    return data_dir


def test_a_damaged_database_is_moved_aside_and_the_message_says_how_to_restore(
    demo_data_dir: DataDir,
) -> None:
    run = run_cli("check", "--json")  # the first command of the day takes the day's backup
    assert run.code == 0, run.stderr
    [backup] = demo_data_dir.backups.glob("uniondesk-monthly-*.sqlite3")
    good = dump(demo_data_dir.database)
    damaged = demo_data_dir.database.read_bytes()
    middle = len(damaged) // 2
    damaged = damaged[:middle] + bytes(range(256)) * 48 + damaged[middle + 3 * 4096 :]
    demo_data_dir.database.write_bytes(damaged)

    run = run_cli("check")

    assert run.code == 2
    assert is_chinese(run.stderr) and "已损坏" in run.stderr
    [moved] = demo_data_dir.damaged.glob("*.sqlite3")  # with its -wal and -shm, if it had them
    assert moved.read_bytes() == damaged
    assert str(moved) in run.stderr
    command = f'restore "{backup}"'
    assert command in run.stderr

    run = run_cli("restore", backup, "--json")  # the command the message gave
    assert run.code == 0, run.stderr
    assert dump(demo_data_dir.database) == good
    assert run_cli("check").code == 0


def test_a_zero_byte_database_without_backups_says_so(data_dir: DataDir) -> None:
    data_dir.root.mkdir(parents=True)
    data_dir.database.write_bytes(b"")

    run = run_cli("check")

    assert run.code == 2
    assert "没有找到完好的备份" in run.stderr
    [moved] = data_dir.damaged.iterdir()
    assert moved.stat().st_size == 0


def test_a_second_copy_is_refused_with_exit_code_2(demo_data_dir: DataDir) -> None:
    before = dump(demo_data_dir.database)
    with lock_data_dir(demo_data_dir):  # the window, open on the same folder
        run = run_cli("check", "--json")
        restore = run_cli("restore", demo_data_dir.database, "--json")
    assert run.code == 2 and restore.code == 2
    assert "另一个工会组建工作台" in run.stderr and "关闭" in run.stderr
    assert run.json["ok"] is False
    assert dump(demo_data_dir.database) == before


def test_a_synced_data_folder_is_warned_about_but_used(tmp_path: Path, demo_template: Path) -> None:
    synced = DataDir(tmp_path / "OneDrive" / "工会数据")
    synced.root.mkdir(parents=True)
    shutil.copyfile(demo_template, synced.database)

    run = run_cli("--data-dir", synced.root, "check", "--json")

    assert run.code == 0, run.stderr
    assert "警告" in run.stderr and "OneDrive" in run.stderr


def test_backups_lists_what_can_be_restored(demo_data_dir: DataDir) -> None:
    assert run_cli("check").code == 0
    by_hand = demo_data_dir.backups / "手工备份.sqlite3"
    with (
        closing(sqlite3.connect(demo_data_dir.database)) as source,
        closing(sqlite3.connect(by_hand)) as copy,
    ):
        source.backup(copy)

    run = run_cli("backups", "--json")

    assert run.code == 0, run.stderr
    listed = {Path(row["path"]).name: row for row in run.json["backups"]}
    [monthly] = [name for name in listed if name.startswith("uniondesk-monthly-")]
    members = query(demo_data_dir.database, "SELECT count(*) FROM member")[0][0]
    assert listed[monthly]["members"] == listed["手工备份.sqlite3"]["members"] == members == 800
    assert "每月" in run.stderr and "手工备份.sqlite3" in run.stderr  # under --json the lines go to stderr
