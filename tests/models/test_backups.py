"""Backup and restore: the copy is the database, a refused restore changes nothing, nothing half-written stays."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models import backups
from models.backups import PARTIAL_SUFFIX, BackupFailed, backup_database, restore_database, stamped_path
from models.database import open_database, stored_revision
from models.employers import add_employer
from models.errors import DatabaseDamaged, DatabaseTooNew
from models.paths import DataDir
from models.registers import record_counts
from tests.helpers import dump, execute, is_chinese, query, set_revision


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
    with closing(sqlite3.connect(other)) as connection, connection:
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
    writer = sqlite3.connect(data_dir.database, isolation_level=None)
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
