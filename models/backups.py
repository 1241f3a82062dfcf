"""Copies of the database: taken with SQLite's backup API, so they are consistent while the program runs.

A copy is first written under a temporary name in the target folder and renamed into place only when
complete, so a copy cut short by a killed process or a full disk never stands under its final name.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.errors import DatabaseDamaged, DatabaseError, KnownError
from models.paths import DataDir

PARTIAL_SUFFIX = ".partial"


class BackupFailed(KnownError):
    """The copy could not be written; nothing under the final name was changed."""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    replaced_copy: Path | None  # the database that was there before, kept aside


def timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def stamped_path(folder: Path, prefix: str) -> Path:
    """``<prefix>-<time>.sqlite3`` in ``folder``, never an existing file: two copies taken within one
    second (two imports in a row) must not overwrite one another."""
    stem = f"{prefix}-{timestamp()}"
    path, number = folder / f"{stem}.sqlite3", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.sqlite3"
    return path


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Write ``source`` to ``target`` through a temporary file and an atomic rename."""
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        # Inside the try: a target folder that cannot be made (a file in the way, no permission) is a
        # refused backup the clerk can act on, not a bug.
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        with closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # A backup is one self-contained file: no -wal beside it on a USB stick.
            copy.execute("PRAGMA journal_mode = DELETE")
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        with suppress(OSError):  # the folder itself may be what failed
            partial.unlink(missing_ok=True)
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BackupFailed(f"无法写入备份文件“{target}”：{reason}。原有数据未受影响。") from exc


def backup_database(database: Path, target: Path) -> Path:
    """Copy the database at ``database`` to ``target`` (a file path); returns ``target``."""
    if not database.exists():
        raise DatabaseError(f"数据库“{database}”不存在，无法备份。")
    if target.resolve() == database.resolve():
        raise BackupFailed("备份文件不能与数据库是同一个文件。")
    with closing(sqlite3.connect(database, timeout=5)) as source:
        _copy_database(source, target)
    return target


def backup_before_upgrade(database: Path, backups: Path, revision: str | None) -> Path:
    """The automatic backup taken before a schema migration."""
    name = f"uniondesk-before-upgrade-{revision or 'base'}-{timestamp()}.sqlite3"
    return backup_database(database, backups / name)


def verify_database_file(path: Path) -> None:
    """Refuse a file that is not an intact SQLite database, before it is used for anything."""
    if not path.is_file():
        raise DatabaseDamaged(f"文件“{path}”不存在。")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise DatabaseDamaged(f"文件“{path}”不是 SQLite 数据库文件，不能用于恢复。")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"文件“{path}”已损坏：{exc}。不能用于恢复。") from exc
    if result != ["ok"]:
        raise DatabaseDamaged(f"文件“{path}”未通过完整性检查（{result[0]}），不能用于恢复。")


def restore_database(data_dir: DataDir, source: Path) -> RestoreResult:
    """Replace the database with the copy at ``source``, keeping the replaced database aside.

    The source is checked first (SQLite header, integrity, a schema this release knows); the live
    database is overwritten through the backup API so that its -wal file can never be replayed onto the
    restored pages. The caller opens the database afterwards, which upgrades an older schema.
    """
    from models.database import check_revision_known, stored_revision

    verify_database_file(source)
    revision = stored_revision(source)
    if revision is None:
        raise DatabaseDamaged(f"文件“{source}”不是工会组建工作台的数据库（没有数据结构版本），不能用于恢复。")
    check_revision_known(source, revision)

    live = data_dir.database
    replaced_copy = None
    if live.exists():
        replaced_copy = backup_database(live, stamped_path(data_dir.replaced, "uniondesk-replaced"))
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(live, timeout=5)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupFailed(
            f"恢复失败：{exc}。原数据库已另存为“{replaced_copy}”。" if replaced_copy else f"恢复失败：{exc}。"
        ) from exc
    return RestoreResult(restored_from=source, replaced_copy=replaced_copy)
