"""Backup and restore: the copy is the database, a refused restore changes nothing, nothing half-written stays."""

from __future__ import annotations

import errno
import os
import platform
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date, datetime, time, timedelta
from pathlib import Path, PureWindowsPath

import pytest
from sqlalchemy import Engine

from models import backup_settings, backups, database, paths
from models.backup_settings import BackupSettings, load_backup_settings, save_backup_settings
from models.backups import PARTIAL_SUFFIX, BackupFailed, backup_database, restore_database, stamped_path
from models.database import lock_data_dir, open_database, opened, start_database, stored_revision
from models.employers import add_employer
from models.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseSetAside,
    DatabaseTooNew,
    DataDirUnusable,
    InvalidInput,
)
from models.paths import DataDir, location_risk
from models.registers import record_counts
from tests.helpers import (
    dump,
    execute,
    fingerprint,
    is_chinese,
    query,
    refuse_writes_in,
    set_revision,
    tool_connection,
)

ROOT = Path(__file__).resolve().parent.parent.parent


def _partials(root: Path) -> list[Path]:
    return list(root.rglob(f"*{PARTIAL_SUFFIX}"))


def test_backup_then_restore_gives_back_the_same_data(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    counts = record_counts(demo_engine)
    before = dump(data_dir.database)
    target = tmp_path / "U盘" / "工会-备份.sqlite3"

    assert backup_database(data_dir.database, target) == target  # while the program has the database open

    add_employer(demo_engine, name="备份之后登记的单位有限公司", employer_class="non_public")
    execute(data_dir.database, "UPDATE federation SET name = '改过名字的总工会'")
    changed = dump(data_dir.database)
    assert changed != before
    demo_engine.dispose()

    result = restore_database(data_dir, target)

    assert dump(data_dir.database) == before
    assert result.replaced_copy is not None
    assert result.replaced_copy.parent == data_dir.replaced
    assert dump(result.replaced_copy) == changed, "the replaced database is kept with the change in it"
    assert _partials(tmp_path) == []
    engine = open_database(data_dir)
    try:
        assert record_counts(engine) == counts
    finally:
        engine.dispose()


def test_a_backup_is_one_self_contained_file(demo_engine: Engine, data_dir: DataDir, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    backup_database(data_dir.database, target)
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("backup")) == [
        "backup.sqlite3"
    ]
    assert query(target, "PRAGMA journal_mode") == [("delete",)]
    assert query(target, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize(
    "below", ["backup.sqlite3", "子文件夹/backup.sqlite3"], ids=["file-as-folder", "under-a-file"]
)
def test_backup_to_a_folder_that_cannot_be_written_is_refused(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path, below: str
) -> None:
    blocker = tmp_path / "不是文件夹.txt"  # a regular file where the folder should be
    blocker.write_text("内容", encoding="utf-8")
    target = blocker / below
    before = dump(data_dir.database)

    with pytest.raises(BackupFailed) as refused:
        backup_database(data_dir.database, target)

    assert is_chinese(refused.value.message)
    assert str(target) in refused.value.message
    assert not target.exists()
    assert blocker.read_text(encoding="utf-8") == "内容"
    assert _partials(tmp_path) == []
    assert dump(data_dir.database) == before


def test_backup_onto_the_database_itself_is_refused(demo_engine: Engine, data_dir: DataDir) -> None:
    before = dump(data_dir.database)
    with pytest.raises(BackupFailed) as refused:
        backup_database(data_dir.database, data_dir.database)
    assert is_chinese(refused.value.message)
    assert dump(data_dir.database) == before


def _garbage_after_header(good: bytes) -> bytes:
    return good[:16] + bytes(range(256)) * (len(good) // 256)


def _truncated(good: bytes) -> bytes:
    return good[: len(good) // 2]


def _middle_pages_overwritten(good: bytes) -> bytes:
    # The schema and the revision sit in the first pages and still read; records in the middle do not.
    middle = len(good) // 2
    return good[:middle] + bytes(range(256)) * 48 + good[middle + 3 * 4096 :]


def _not_sqlite(good: bytes) -> bytes:
    return "工会会员名单\n张三,李四\n".encode() * 200


@pytest.mark.parametrize(
    "damage", [_garbage_after_header, _truncated, _middle_pages_overwritten, _not_sqlite]
)
def test_restore_from_a_damaged_file_is_refused_and_changes_nothing(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path, damage
) -> None:
    good = tmp_path / "good.sqlite3"
    backup_database(data_dir.database, good)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(damage(good.read_bytes()))
    demo_engine.dispose()
    before = dump(data_dir.database)

    with pytest.raises(DatabaseDamaged) as refused:
        restore_database(data_dir, damaged)

    assert is_chinese(refused.value.message)
    assert dump(data_dir.database) == before
    assert not data_dir.replaced.exists(), "nothing was replaced, so nothing is kept aside"


def test_restore_from_a_newer_release_is_refused(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    newer = tmp_path / "newer.sqlite3"
    backup_database(data_dir.database, newer)
    set_revision(newer, "ffff_future")
    demo_engine.dispose()
    before = dump(data_dir.database)

    with pytest.raises(DatabaseTooNew) as refused:
        restore_database(data_dir, newer)

    assert "更新版本" in refused.value.message
    assert dump(data_dir.database) == before
    assert stored_revision(newer) == "ffff_future"


def test_restore_from_a_database_of_another_program_is_refused(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite3"
    with closing(tool_connection(other)) as connection, connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    demo_engine.dispose()
    before = dump(data_dir.database)

    with pytest.raises(DatabaseDamaged):
        restore_database(data_dir, other)
    assert dump(data_dir.database) == before


def test_a_backup_holds_only_what_was_committed(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    committed = dump(data_dir.database)
    writer = tool_connection(data_dir.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE federation SET name = '尚未保存的名称'")
        writer.execute("DELETE FROM organizing_task")
        writer.execute("UPDATE member SET status = 'withdrawn', left_on = '2026-01-05' WHERE id <= 100")
        target = backup_database(data_dir.database, tmp_path / "during-write.sqlite3")
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert dump(target) == committed
    assert query(target, "SELECT name FROM federation") == [("重庆两江新区总工会",)]


def test_two_copies_in_the_same_second_keep_both(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(backups, "timestamp", lambda: "20261124-101500")
    first = stamped_path(tmp_path, "uniondesk-before-import")
    first.write_bytes(b"earlier copy")
    second = stamped_path(tmp_path, "uniondesk-before-import")
    assert second.name == "uniondesk-before-import-20261124-101500-2.sqlite3"
    second.write_bytes(b"")
    assert stamped_path(tmp_path, "uniondesk-before-import") not in (first, second)
    assert first.read_bytes() == b"earlier copy"


# --- automatic backups and their rotation ----------------------------------------------------------------


def _names(folder: Path, word: str) -> list[str]:
    return sorted(path.name for path in folder.glob(f"uniondesk-{word}-*.sqlite3"))


@pytest.fixture
def quick_copies(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Backups that write a few bytes instead of copying a database: a year of them takes no time."""
    written: list[Path] = []

    def copy(database: Path, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"copy")
        written.append(target)
        return target

    monkeypatch.setattr(backups, "backup_database", copy)
    return written


def _clerks_own_files(folder: Path) -> dict[str, bytes]:
    """Files in the backup folder the program did not make: rotation must leave every one of them."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "我的备份.sqlite3": b"clerk",
        "uniondesk.sqlite3": b"a copy of the database",
        "uniondesk-daily-说明.txt": b"note",
        "uniondesk-daily-20240101-080000.sqlite3.bak": b"renamed by hand",
        "uniondesk-weekly-20240101-080000.sqlite3": b"not a kind of ours",
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return files


def test_a_year_of_starts_keeps_exactly_14_daily_and_12_monthly(data_dir: DataDir, quick_copies) -> None:
    data_dir.root.mkdir(parents=True)
    data_dir.database.write_bytes(b"the database")
    own = _clerks_own_files(data_dir.backups)
    day = date(2025, 12, 1)
    while day <= date(2026, 12, 31):  # 396 days: thirteen first-of-months, so one monthly must go
        morning = datetime.combine(day, time(8, 30))
        assert backups.back_up_if_due(data_dir, now=morning) is not None
        assert backups.back_up_if_due(data_dir, now=morning.replace(hour=14)) is None, "only once a day"
        backups.back_up_on_close(data_dir, now=morning.replace(hour=17))
        day += timedelta(days=1)

    folder = data_dir.backups
    # Worked out by hand: each 1st is the month's monthly backup, every other day a daily one.
    assert _names(folder, "monthly") == [
        f"uniondesk-monthly-2026{m:02d}01-083000.sqlite3" for m in range(1, 13)
    ]
    assert _names(folder, "daily") == [f"uniondesk-daily-202612{d:02d}-083000.sqlite3" for d in range(18, 32)]
    assert _names(folder, "on-close") == [
        f"uniondesk-on-close-202612{d:02d}-173000.sqlite3" for d in range(22, 32)
    ]
    assert len(quick_copies) == 396 * 2
    for name, content in own.items():
        assert (folder / name).read_bytes() == content


def test_the_numbers_kept_are_settings(data_dir: DataDir, quick_copies) -> None:
    data_dir.root.mkdir(parents=True)
    data_dir.database.write_bytes(b"the database")
    save_backup_settings(data_dir, BackupSettings(keep_daily=3, keep_monthly=2))
    for offset in range(70):  # 2026-01-01 … 2026-03-11
        backups.back_up_if_due(data_dir, now=datetime(2026, 1, 1, 9) + timedelta(days=offset))

    assert _names(data_dir.backups, "monthly") == [
        "uniondesk-monthly-20260201-090000.sqlite3",
        "uniondesk-monthly-20260301-090000.sqlite3",
    ]
    assert _names(data_dir.backups, "daily") == [
        f"uniondesk-daily-202603{d:02d}-090000.sqlite3" for d in (9, 10, 11)
    ]


def test_imports_and_upgrades_keep_a_bounded_number(data_dir: DataDir, quick_copies) -> None:
    data_dir.root.mkdir(parents=True)
    data_dir.database.write_bytes(b"the database")
    for minute in range(15):
        backups.take_backup(data_dir, "before_import", now=datetime(2026, 5, 6, 9, minute))
        backups.take_backup(data_dir, "before_upgrade", revision="0005", now=datetime(2026, 5, 6, 10, minute))

    assert _names(data_dir.backups, "before-import") == [
        f"uniondesk-before-import-20260506-09{m:02d}00.sqlite3" for m in range(5, 15)
    ]
    assert _names(data_dir.backups, "before-upgrade") == [
        f"uniondesk-before-upgrade-0005-20260506-10{m:02d}00.sqlite3" for m in range(10, 15)
    ]


def test_the_days_first_backup_is_a_real_copy_taken_once(demo_engine: Engine, data_dir: DataDir) -> None:
    members = query(data_dir.database, "SELECT count(*) FROM member")[0][0]

    first = backups.back_up_if_due(data_dir, now=datetime(2026, 11, 24, 8, 5))
    again = backups.back_up_if_due(data_dir, now=datetime(2026, 11, 24, 16, 40))
    next_day = backups.back_up_if_due(data_dir, now=datetime(2026, 11, 25, 8, 0))

    assert first is not None and first.kind == "monthly" and first.note is None
    assert first.path == data_dir.backups / "uniondesk-monthly-20261124-080500.sqlite3"
    assert again is None
    assert next_day is not None and next_day.path.name == "uniondesk-daily-20261125-080000.sqlite3"
    for taken in (first, next_day):
        assert query(taken.path, "SELECT count(*) FROM member") == [(members,)]
        assert query(taken.path, "PRAGMA integrity_check") == [("ok",)]
    assert _partials(data_dir.root) == []


def test_a_missing_backup_folder_falls_back_to_the_data_folder(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    usb = tmp_path / "E盘" / "工会备份"
    save_backup_settings(data_dir, BackupSettings(folder=usb))

    taken = backups.take_backup(data_dir, "on_close", now=datetime(2026, 11, 24, 17, 0))

    assert taken.path.parent == data_dir.backups
    assert is_chinese(taken.note) and str(usb) in taken.note and "U 盘" in taken.note
    assert not usb.exists(), "never create the chosen folder: another stick may have its drive letter"
    assert query(taken.path, "PRAGMA integrity_check") == [("ok",)]

    usb.mkdir(parents=True)  # the stick is plugged in again
    taken = backups.take_backup(data_dir, "on_close", now=datetime(2026, 11, 25, 17, 0))
    assert taken.path.parent == usb and taken.note is None
    # The day's backup counts wherever it went: the one in the data folder is today's.
    assert backups.back_up_if_due(data_dir, now=datetime(2026, 11, 25, 18, 0)) is not None
    assert backups.back_up_if_due(data_dir, now=datetime(2026, 11, 25, 19, 0)) is None


def test_a_backup_folder_that_refuses_falls_back(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path, monkeypatch
) -> None:
    usb = tmp_path / "U盘"
    usb.mkdir()
    save_backup_settings(data_dir, BackupSettings(folder=usb))
    real_replace = os.replace

    def full_stick(source, target):
        if Path(target).parent == usb:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(backups.os, "replace", full_stick)
    taken = backups.take_backup(data_dir, "before_import")

    assert taken.path.parent == data_dir.backups
    assert "磁盘空间已满" in taken.note
    assert list(usb.iterdir()) == [], "no half-written copy stays on the stick"


def test_a_full_disk_fails_the_backup_with_a_chinese_message_and_leaves_all_whole(
    demo_engine: Engine, data_dir: DataDir, monkeypatch
) -> None:
    backups.take_backup(data_dir, "daily", now=datetime(2026, 11, 23, 8, 0))
    before = dump(data_dir.database)
    existing = sorted(data_dir.backups.iterdir())

    def full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups.os, "fsync", full)
    with pytest.raises(BackupFailed) as refused:
        backups.back_up_if_due(data_dir, now=datetime(2026, 11, 24, 8, 0))

    assert "磁盘空间已满" in refused.value.message and is_chinese(refused.value.message)
    assert sorted(data_dir.backups.iterdir()) == existing, "no new file, partial or final; none rotated away"
    assert dump(data_dir.database) == before


def test_backup_settings_are_saved_atomically_and_survive_a_full_disk(
    data_dir: DataDir, tmp_path: Path, monkeypatch
) -> None:
    data_dir.root.mkdir(parents=True)
    save_backup_settings(data_dir, BackupSettings(folder=tmp_path / "U盘", keep_daily=20, keep_monthly=24))
    saved = data_dir.backup_settings_file.read_text(encoding="utf-8")

    def full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_settings.os, "fsync", full)
    with pytest.raises(DataDirUnusable) as refused:
        save_backup_settings(data_dir, BackupSettings(keep_daily=3))

    assert "磁盘空间已满" in refused.value.message
    assert data_dir.backup_settings_file.read_text(encoding="utf-8") == saved
    assert list(data_dir.root.glob("*.partial")) == []
    assert load_backup_settings(data_dir) == BackupSettings(
        folder=tmp_path / "U盘", keep_daily=20, keep_monthly=24
    )


@pytest.mark.parametrize(("daily", "monthly"), [(0, 12), (14, 0), (367, 12), (14, 121)])
def test_keep_counts_out_of_range_are_refused(data_dir: DataDir, daily: int, monthly: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        save_backup_settings(data_dir, BackupSettings(keep_daily=daily, keep_monthly=monthly))
    assert is_chinese(refused.value.message)
    assert not data_dir.backup_settings_file.exists()


def test_an_unreadable_settings_file_means_the_defaults(data_dir: DataDir) -> None:
    data_dir.root.mkdir(parents=True)
    data_dir.backup_settings_file.write_text("{ 保留：十四份", encoding="utf-8")
    assert load_backup_settings(data_dir) == BackupSettings(folder=None, keep_daily=14, keep_monthly=12)


# --- the list the restore screen shows --------------------------------------------------------------------


def test_the_list_shows_every_backup_newest_first_with_its_counts(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    monthly = backups.take_backup(data_dir, "monthly", now=datetime(2026, 11, 1, 8, 0)).path
    usb = tmp_path / "U盘"
    usb.mkdir()
    save_backup_settings(data_dir, BackupSettings(folder=usb))
    daily = backups.take_backup(data_dir, "daily", now=datetime(2026, 11, 24, 8, 0)).path
    by_hand = usb / "我的备份.sqlite3"
    backup_database(data_dir.database, by_hand)
    os.utime(by_hand, (datetime(2026, 11, 20, 12, 0).timestamp(),) * 2)
    (usb / "说明.txt").write_text("不是备份", encoding="utf-8")

    found = backups.list_backups(data_dir)

    assert [(b.path, b.kind, b.taken_at) for b in found] == [
        (daily, "daily", datetime(2026, 11, 24, 8, 0)),
        (by_hand, "other", datetime(2026, 11, 20, 12, 0)),
        (monthly, "monthly", datetime(2026, 11, 1, 8, 0)),
    ]
    assert found[0].size == daily.stat().st_size
    members, unions, employers, notices = (
        query(data_dir.database, f'SELECT count(*) FROM "{table}"')[0][0]
        for table in ("member", "union", "employer", "notice")
    )
    assert backups.backup_counts(daily) == backups.BackupCounts(members, unions, employers, notices)
    assert members == 1500


# --- a damaged database at start ---------------------------------------------------------------------------


def _zero_bytes(good: bytes) -> bytes:
    return b""


def _settled(data_dir: DataDir) -> None:
    """Every committed page in the database file itself (no -wal), as after the program closed."""
    with closing(sqlite3.connect(data_dir.database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")


@pytest.mark.parametrize(
    "damage", [_zero_bytes, _not_sqlite, _garbage_after_header, _middle_pages_overwritten]
)
def test_a_damaged_database_is_moved_aside_and_the_newest_good_backup_named(
    demo_engine: Engine, data_dir: DataDir, damage
) -> None:
    older = backups.take_backup(data_dir, "daily", now=datetime(2026, 11, 23, 8, 0)).path
    newest = backups.take_backup(data_dir, "on_close", now=datetime(2026, 11, 23, 17, 0)).path
    (data_dir.backups / "uniondesk-daily-20261124-080000.sqlite3").write_bytes(b"a copy cut short" * 100)
    demo_engine.dispose()
    _settled(data_dir)
    damaged = damage(data_dir.database.read_bytes())
    data_dir.database.write_bytes(damaged)

    with pytest.raises(DatabaseSetAside) as refused:
        opened_engine = start_database(data_dir)
        opened_engine.dispose()

    error = refused.value
    assert not data_dir.database.exists()
    [moved] = data_dir.damaged.iterdir()
    assert moved == error.moved_to and moved.name.startswith("uniondesk-damaged-")
    assert moved.read_bytes() == damaged, "moved, not changed and not deleted"
    assert error.newest_backup.path == newest, "the damaged newer copy is passed over"
    assert is_chinese(error.message)
    assert str(moved) in error.message and f'restore "{newest}"' in error.message
    assert older.exists() and newest.exists()

    restore_database(data_dir, error.newest_backup.path)
    engine = open_database(data_dir)
    try:
        assert record_counts(engine)["members"] == 1500
    finally:
        engine.dispose()


def test_the_write_ahead_log_moves_with_the_damaged_database(demo_engine: Engine, data_dir: DataDir) -> None:
    demo_engine.dispose()
    wal_path = data_dir.database.with_name(data_dir.database.name + "-wal")
    with closing(tool_connection(data_dir.database)) as writer:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE federation SET name = '只在日志里的名称'")
        writer.commit()
        # The files as a process killed now leaves them: the last change only in the -wal.
        wal, good = wal_path.read_bytes(), data_dir.database.read_bytes()
    assert wal
    data_dir.database.write_bytes(_middle_pages_overwritten(good))
    wal_path.write_bytes(wal)
    with pytest.raises(DatabaseSetAside) as refused:
        start_database(data_dir)
    moved = refused.value.moved_to
    assert moved.with_name(moved.name + "-wal").read_bytes() == wal
    assert not data_dir.database.with_name(data_dir.database.name + "-wal").exists()
    assert refused.value.newest_backup is None
    assert "没有找到完好的备份" in refused.value.message


def test_a_database_locked_by_another_program_is_not_taken_for_damaged(
    demo_engine: Engine, data_dir: DataDir, monkeypatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    demo_engine.dispose()
    other = tool_connection(data_dir.database, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE federation SET name = name")
        before = fingerprint(data_dir.database)
        with pytest.raises(DatabaseBusy) as refused:
            start_database(data_dir)
        assert fingerprint(data_dir.database) == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "其他程序" in refused.value.message and is_chinese(refused.value.message)
    assert not data_dir.damaged.exists()


def test_restoring_over_a_damaged_database_keeps_it_aside(
    demo_engine: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    good = backup_database(data_dir.database, tmp_path / "good.sqlite3")
    demo_engine.dispose()
    _settled(data_dir)
    damaged = _middle_pages_overwritten(data_dir.database.read_bytes())
    data_dir.database.write_bytes(damaged)

    result = restore_database(data_dir, good)

    assert result.replaced_copy.parent == data_dir.replaced
    assert result.replaced_copy.read_bytes() == damaged
    assert dump(data_dir.database) == dump(good)


# --- one writer at a time --------------------------------------------------------------------------------


def test_a_second_opener_of_the_data_folder_is_refused(data_dir: DataDir) -> None:
    with lock_data_dir(data_dir):
        with pytest.raises(DatabaseInUse) as refused:
            lock_data_dir(data_dir)
        with pytest.raises(DatabaseInUse), opened(data_dir):
            pass
    message = refused.value.message
    assert is_chinese(message) and "另一个工会组建工作台" in message
    assert platform.node() in message, "says which computer holds it"
    with opened(data_dir) as engine:  # free again once the first copy closed
        assert record_counts(engine)["members"] == 0


def test_a_second_program_holding_the_folder_is_refused(data_dir: DataDir) -> None:
    """Another process, as a second copy of the program (or a second PC on a share) would be."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FOLDER, str(data_dir.root)],
        cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseInUse):
            lock_data_dir(data_dir)
    finally:
        holder.communicate("", timeout=30)
    lock_data_dir(data_dir).release()  # the system freed the lock when the other process ended


HOLD_THE_FOLDER = """
import sys
from models.database import lock_data_dir
from models.paths import DataDir
lock = lock_data_dir(DataDir(__import__("pathlib").Path(sys.argv[1])))
print("holding", flush=True)
sys.stdin.read()
"""


# --- a folder that cannot be written ------------------------------------------------------------------------


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch):
    """Make a folder refuse every write as a read-only folder does (as root, permission bits do not)."""

    def make(folder: Path) -> None:
        refuse_writes_in(monkeypatch, folder, errno.EACCES, "Permission denied")

    return make


def test_a_read_only_data_folder_gets_a_chinese_message_and_the_database_stays_whole(
    demo_engine: Engine, data_dir: DataDir, read_only
) -> None:
    demo_engine.dispose()
    before = dump(data_dir.database)
    read_only(data_dir.root)

    with pytest.raises(DataDirUnusable) as refused, opened(data_dir):
        pass

    assert "没有写入权限" in refused.value.message and str(data_dir.root) in refused.value.message
    assert dump(data_dir.database) == before
    assert not data_dir.damaged.exists()


# --- a data folder where SQLite is not safe ------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "kind", "service"),
    [
        (r"\\fileserver\工会\UnionDesk", "network", r"\\fileserver\工会"),
        (r"\\?\UNC\fileserver\share\UnionDesk", "network", r"\\?\UNC\fileserver\share"),
        (r"C:\Users\zhang\OneDrive\工会\UnionDesk", "synced", "OneDrive"),
        (r"C:\Users\zhang\OneDrive - 两江新区总工会\UnionDesk", "synced", "OneDrive"),
        (r"D:\Dropbox\UnionDesk", "synced", "Dropbox"),
        (r"D:\我的坚果云\UnionDesk", "synced", "坚果云"),
        (r"D:\BaiduSyncdisk\UnionDesk", "synced", "百度网盘"),
        ("/Users/zhang/Library/Mobile Documents/iCloud Drive/UnionDesk", "synced", "iCloud"),
    ],
)
def test_a_network_or_synced_data_folder_is_warned_about(folder: str, kind: str, service: str) -> None:
    risk = location_risk(PureWindowsPath(folder) if "\\" in folder else Path(folder))
    assert (risk.kind, risk.service) == (kind, service)
    assert is_chinese(risk.message) and "本机磁盘" in risk.message


def test_a_folder_under_the_onedrive_variable_is_synced(monkeypatch) -> None:
    monkeypatch.setenv("OneDriveCommercial", r"C:\Users\zhang\工作文件")
    assert location_risk(PureWindowsPath(r"C:\Users\zhang\工作文件\UnionDesk")).kind == "synced"


def test_a_mapped_network_drive_is_found_by_its_drive_type(monkeypatch) -> None:
    asked: list[str] = []

    def drive_type(root: str) -> int:
        asked.append(root)
        return paths.DRIVE_REMOTE if root == "Z:\\" else 3  # 3: DRIVE_FIXED

    monkeypatch.setattr(paths, "ON_WINDOWS", True)
    monkeypatch.setattr(paths, "_drive_type", drive_type)
    assert location_risk(PureWindowsPath(r"Z:\UnionDesk")).kind == "network"
    assert location_risk(PureWindowsPath(r"C:\Users\zhang\AppData\Local\UnionDesk")) is None
    assert asked == ["Z:\\", "C:\\"]


def test_a_local_folder_is_not_warned_about(tmp_path: Path) -> None:
    assert location_risk(tmp_path / "UnionDesk") is None
    assert location_risk(PureWindowsPath(r"\\?\C:\Users\zhang\AppData\Local\UnionDesk")) is None
