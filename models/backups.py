"""Copies of the database: taken with SQLite's backup API, so they are consistent while the program runs.

A copy is first written under a temporary name in the target folder and renamed into place only when
complete, so a copy cut short by a killed process or a full disk never stands under its final name.

The automatic copies are named ``uniondesk-<kind>-<YYYYMMDD-HHMMSS>.sqlite3`` and go to the backup
folder of this PC's settings (a USB drive, say), or to the data folder's ``backups`` when that folder is
missing. Each kind is kept in its own bounded number, newest first:

=================  ============================================  ==========================================
kind               taken                                         kept
=================  ============================================  ==========================================
``monthly``        at the first start in a month                 ``keep_monthly`` (setting, 12)
``daily``          at the first start on any other day           ``keep_daily`` (setting, 14)
``on-close``       when the window closes                        10: the last few sessions' work
``before-import``  before an import writes                       10: a morning's imports can be undone
``before-upgrade`` before a schema migration (with its revision)  5: migrations are rare, a release apart
``replaced``       the database a restore replaced               all: in ``replaced``, never deleted
=================  ============================================  ==========================================

Rotation deletes only files whose whole name matches that pattern, in the folder it just wrote to:
a clerk's own copies, other programs' files and anything in ``replaced`` or ``damaged`` are never touched.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.backup_settings import BackupSettings, load_backup_settings
from models.errors import DatabaseDamaged, DatabaseError, KnownError, os_reason, sqlite_reason
from models.paths import DATABASE_NAME, DataDir

log = logging.getLogger("uniondesk")

PARTIAL_SUFFIX = ".partial"
STAMP_FORMAT = "%Y%m%d-%H%M%S"
PREFIX = "uniondesk"

# kind -> the word in the file name
KIND_WORDS = {
    "daily": "daily",
    "monthly": "monthly",
    "on_close": "on-close",
    "before_import": "before-import",
    "before_upgrade": "before-upgrade",
    "replaced": "replaced",
}
# How many of each kind rotation keeps; daily and monthly come from the settings, replaced is never rotated.
KEEP_ON_CLOSE = 10
KEEP_BEFORE_IMPORT = 10
KEEP_BEFORE_UPGRADE = 5

BACKUP_NAME = re.compile(
    r"^uniondesk-(?P<word>daily|monthly|on-close|before-import|before-upgrade-(?P<revision>[0-9A-Za-z_]+)|replaced)"
    r"-(?P<stamp>\d{8}-\d{6})(?:-(?P<number>\d+))?\.sqlite3$"
)
# A partial copy older than this was left by a killed process (a live one finishes in minutes at most).
STALE_PARTIAL_SECONDS = 6 * 3600


class BackupFailed(KnownError):
    """The copy could not be written; nothing under the final name was changed."""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    replaced_copy: Path | None  # the database that was there before, kept aside


@dataclass(frozen=True)
class BackupTaken:
    """An automatic backup that was written."""

    path: Path
    kind: str
    note: str | None = None  # why it is not where the settings say (the USB drive was not plugged in)


@dataclass(frozen=True)
class BackupFile:
    """A backup found on disk, for the restore screen."""

    path: Path
    kind: str  # a key of KIND_WORDS, or "other" for a copy the program did not name
    taken_at: datetime
    size: int


@dataclass(frozen=True)
class BackupCounts:
    """What a backup holds; None for a register its (older) schema does not have."""

    members: int | None
    unions: int | None
    employers: int | None
    notices: int | None


def timestamp() -> str:
    return datetime.now().strftime(STAMP_FORMAT)


def stamped_path(folder: Path, prefix: str, now: datetime | None = None) -> Path:
    """``<prefix>-<time>.sqlite3`` in ``folder``, never an existing file: two copies taken within one
    second (two imports in a row) must not overwrite one another."""
    stem = f"{prefix}-{now.strftime(STAMP_FORMAT) if now else timestamp()}"
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
        reason = os_reason(exc) if isinstance(exc, OSError) else sqlite_reason(exc) or str(exc)
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


def backup_before_upgrade(data_dir: DataDir, revision: str | None) -> Path:
    """The automatic backup taken before a schema migration."""
    return take_backup(data_dir, "before_upgrade", revision=revision or "base").path


# --- automatic backups and their rotation -----------------------------------------------------------------


def backup_folder(data_dir: DataDir, settings: BackupSettings) -> tuple[Path, str | None]:
    """Where automatic backups go now, and why that is not the chosen folder (None when it is)."""
    if settings.folder is None:
        return data_dir.backups, None
    if settings.folder.is_dir():
        return settings.folder, None
    # Never create the chosen folder: a different USB stick may have the drive letter today.
    return data_dir.backups, (
        f"备份文件夹“{settings.folder}”不存在（U 盘或移动硬盘没有插上？），"
        f"这次备份到了数据文件夹中的“{data_dir.backups}”。"
    )


def take_backup(
    data_dir: DataDir,
    kind: str,
    *,
    revision: str | None = None,
    now: datetime | None = None,
    settings: BackupSettings | None = None,
) -> BackupTaken:
    """Back the database up as ``kind`` into the backup folder, then rotate that folder.

    A backup folder that is missing, or that refuses the copy (a full or write-protected USB stick),
    gives way to the data folder's ``backups``; the returned ``note`` says so.

    Raises:
        BackupFailed: not even the data folder's ``backups`` took the copy.
    """
    settings = settings or load_backup_settings(data_dir)
    word = KIND_WORDS[kind] + (f"-{revision}" if revision else "")
    folder, note = backup_folder(data_dir, settings)
    try:
        path = backup_database(data_dir.database, stamped_path(folder, f"{PREFIX}-{word}", now))
    except BackupFailed as exc:
        if folder == data_dir.backups:
            raise
        folder = data_dir.backups
        note = f"{exc.message} 这次备份到了数据文件夹中的“{folder}”。"
        path = backup_database(data_dir.database, stamped_path(folder, f"{PREFIX}-{word}", now))
    rotate(folder, settings)
    if note:
        log.warning("%s", note)
    return BackupTaken(path, kind, note)


def back_up_if_due(
    data_dir: DataDir, now: datetime | None = None, settings: BackupSettings | None = None
) -> BackupTaken | None:
    """The start-of-day backup: once a day, ``monthly`` at the first start of a month, else ``daily``.

    Returns None when today already has one (in the chosen folder or the data folder's) or when there is
    no database yet.
    """
    if not data_dir.database.exists():
        return None
    now = now or datetime.now()
    settings = settings or load_backup_settings(data_dir)
    periodic = [
        found
        for found in _named_backups(_backup_folders(data_dir, settings))
        if found.kind in ("daily", "monthly")
    ]
    if any(found.taken_at.date() == now.date() for found in periodic):
        return None
    this_month = any(
        found.kind == "monthly" and (found.taken_at.year, found.taken_at.month) == (now.year, now.month)
        for found in periodic
    )
    return take_backup(data_dir, "daily" if this_month else "monthly", now=now, settings=settings)


def back_up_on_close(data_dir: DataDir, now: datetime | None = None) -> BackupTaken | None:
    """The backup taken when the window closes; None when there is no database."""
    if not data_dir.database.exists():
        return None
    return take_backup(data_dir, "on_close", now=now)


def rotate(folder: Path, settings: BackupSettings) -> list[Path]:
    """Delete the oldest automatic backups of each kind beyond the number kept; returns what went.

    A backup that cannot be deleted (open in another program, a write-protected stick) is left: rotation
    must never fail a backup.
    """
    keep = {
        "daily": settings.keep_daily,
        "monthly": settings.keep_monthly,
        "on_close": KEEP_ON_CLOSE,
        "before_import": KEEP_BEFORE_IMPORT,
        "before_upgrade": KEEP_BEFORE_UPGRADE,
    }
    by_kind: dict[str, list[tuple[tuple[str, int], Path]]] = {}
    for path in _files(folder):
        match = BACKUP_NAME.match(path.name)
        if match is None:
            if path.name.endswith(PARTIAL_SUFFIX):
                _remove_stale_partial(path)
            continue
        kind = _kind_of(match)
        if kind in keep:
            order = (match["stamp"], int(match["number"] or 1))
            by_kind.setdefault(kind, []).append((order, path))
    removed = []
    for kind, found in by_kind.items():
        for _order, path in sorted(found, reverse=True)[keep[kind] :]:
            try:
                path.unlink()
            except OSError as exc:
                log.warning("无法删除旧备份“%s”：%s", path, os_reason(exc))
                continue
            removed.append(path)
    return removed


def _remove_stale_partial(path: Path) -> None:
    """A copy cut short by a killed process: ours (its name is one of ours) and old, so never finishing."""
    if BACKUP_NAME.match(path.name.removesuffix(PARTIAL_SUFFIX)) is None:
        return
    with suppress(OSError):
        if time.time() - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
            path.unlink()


def _kind_of(match: re.Match) -> str:
    word = match["word"]
    return "before_upgrade" if match["revision"] else next(k for k, w in KIND_WORDS.items() if w == word)


def _files(folder: Path) -> list[Path]:
    try:
        return [path for path in folder.iterdir() if path.is_file()]
    except OSError:  # missing, or a USB stick pulled out while listing
        return []


def _backup_folders(data_dir: DataDir, settings: BackupSettings) -> list[Path]:
    """The chosen folder (when it is there) and the data folder's backups, each once."""
    folders = [data_dir.backups]
    if settings.folder is not None and settings.folder.is_dir():
        folders.insert(0, settings.folder)
    unique: dict[str, Path] = {}
    for folder in folders:
        unique.setdefault(os.path.normcase(os.path.abspath(folder)), folder)
    return list(unique.values())


def _named_backups(folders: list[Path]) -> list[BackupFile]:
    found = []
    for folder in folders:
        for path in _files(folder):
            if match := BACKUP_NAME.match(path.name):
                found.append(
                    _backup_file(path, _kind_of(match), datetime.strptime(match["stamp"], STAMP_FORMAT))
                )
    return found


def _backup_file(path: Path, kind: str, taken_at: datetime) -> BackupFile:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return BackupFile(path=path, kind=kind, taken_at=taken_at, size=size)


def list_backups(data_dir: DataDir) -> list[BackupFile]:
    """Every backup the restore screen offers, newest first: the program's own in the chosen folder and
    the data folder's backups, the databases restores replaced, and any other ``.sqlite3`` in those
    folders (a copy the clerk saved there by hand)."""
    folders = [*_backup_folders(data_dir, load_backup_settings(data_dir)), data_dir.replaced]
    live = os.path.normcase(os.path.abspath(data_dir.database))
    found = []
    for folder in folders:
        for path in _files(folder):
            if path.suffix.lower() != ".sqlite3" or os.path.normcase(os.path.abspath(path)) == live:
                continue
            if match := BACKUP_NAME.match(path.name):
                found.append(
                    _backup_file(path, _kind_of(match), datetime.strptime(match["stamp"], STAMP_FORMAT))
                )
            elif path.name != DATABASE_NAME:
                with suppress(OSError):
                    found.append(_backup_file(path, "other", datetime.fromtimestamp(path.stat().st_mtime)))
    return sorted(found, key=lambda backup: (backup.taken_at, backup.path.name), reverse=True)


def backup_counts(path: Path) -> BackupCounts | None:
    """How many members, unions, employers and notices a backup holds; None when it cannot be read.

    Read without changing a byte of the file (a backup is one file with no -wal).
    """
    uri = f"{path.resolve().as_uri()}?immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }

            def count(table: str) -> int | None:
                if table not in tables:
                    return None
                return connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

            return BackupCounts(
                members=count("member"),
                unions=count("union"),
                employers=count("employer"),
                notices=count("notice"),
            )
    except (sqlite3.Error, OSError):
        return None


def check_backup(path: Path) -> BackupCounts:
    """Make sure a backup can be restored (intact, a schema this release knows) and say what it holds.

    Raises:
        DatabaseDamaged: not a database, damaged, or not this program's.
        DatabaseTooNew: written by a newer release.
    """
    from models.database import check_revision_known, stored_revision

    verify_database_file(path)
    revision = stored_revision(path)
    if revision is None:
        raise DatabaseDamaged(f"文件“{path}”不是工会组建工作台的数据库（没有数据结构版本），不能用于恢复。")
    check_revision_known(path, revision)
    counts = backup_counts(path)
    if counts is None:
        raise DatabaseDamaged(f"无法读取备份文件“{path}”。")
    return counts


def newest_good_backup(data_dir: DataDir) -> BackupFile | None:
    """The newest of the program's own backups that passes ``check_backup``; None when there is none."""
    for backup in list_backups(data_dir):
        if backup.kind in ("replaced", "other"):
            continue
        try:
            check_backup(backup.path)
        except KnownError:
            continue
        return backup
    return None


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
    from models.database import damage_of, set_aside

    check_backup(source)
    live = data_dir.database
    replaced_copy = None
    if live.exists():
        if damage_of(live) is None:
            replaced_copy = backup_database(live, stamped_path(data_dir.replaced, f"{PREFIX}-replaced"))
        else:  # a damaged database cannot be copied page by page: keep the file itself
            replaced_copy = set_aside(data_dir, data_dir.replaced, f"{PREFIX}-replaced")
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(live, timeout=5)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        reason = sqlite_reason(exc) or str(exc)
        raise BackupFailed(
            f"恢复失败：{reason}。原数据库已另存为“{replaced_copy}”。"
            if replaced_copy
            else f"恢复失败：{reason}。"
        ) from exc
    return RestoreResult(restored_from=source, replaced_copy=replaced_copy)
