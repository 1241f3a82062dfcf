"""Known conditions of the world, as typed exceptions with a message for the clerk.

Anything that is not a ``KnownError`` is a bug: it reaches the one global error dialog (the window) or
a traceback (the command line). The ``message`` is Chinese because it is shown as it is; code that
needs to react to a condition tests the exception type, never the text.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date


class KnownError(Exception):
    """A condition of the world the clerk can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(KnownError):
    """Input that was refused before anything was written."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CodeError(InvalidInput):
    """An ID number, credit code or phone number that fails its check."""


class DatabaseError(KnownError):
    """The database cannot be used as it is; the file has been left as it was."""


class DatabaseTooNew(DatabaseError):
    """The database was written by a newer release of the program."""


class DatabaseDamaged(DatabaseError):
    """The file is not a usable SQLite database of this program."""


class DatabaseBusy(DatabaseError):
    """Another program holds the database."""


class DatabaseInUse(DatabaseBusy):
    """Another copy of the program (on this PC or another one) has the data folder open."""


class DatabaseSetAside(DatabaseDamaged):
    """The database was damaged: it was moved aside (never deleted) and a backup can replace it."""

    def __init__(self, message: str, damaged: object, moved_to: object, newest_backup: object | None) -> None:
        super().__init__(message)
        self.damaged = damaged  # the path the database had
        self.moved_to = moved_to  # where it is now
        self.newest_backup = newest_backup  # a models.backups.BackupFile, or None when no good one exists


class DataDirUnusable(KnownError):
    """The data folder cannot be created or written."""


# Python maps Windows' own codes onto these (ERROR_DISK_FULL -> ENOSPC, ERROR_SHARING_VIOLATION and
# ERROR_LOCK_VIOLATION -> EACCES), so one table serves both systems; strerror would be English.
_OS_REASONS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EACCES: "没有写入权限，或文件正被其他程序占用",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "所在的磁盘或文件夹是只读的",
    errno.ENOENT: "文件夹不存在",
    errno.ENOTDIR: "路径中有同名文件挡住了文件夹",
}

# SQLite's result codes (sqlite3.Error.sqlite_errorcode & 0xFF, its primary code).
_SQLITE_REASONS = {
    5: "数据库正被其他程序使用（已锁定）",  # SQLITE_BUSY
    6: "数据库正被其他程序使用（已锁定）",  # SQLITE_LOCKED
    8: "数据库文件或所在文件夹是只读的",  # SQLITE_READONLY
    10: "读写磁盘出错",  # SQLITE_IOERR
    11: "数据库文件已损坏",  # SQLITE_CORRUPT
    13: "磁盘空间已满",  # SQLITE_FULL
    14: "无法打开数据库文件",  # SQLITE_CANTOPEN
    26: "不是数据库文件",  # SQLITE_NOTADB
}


def os_reason(error: OSError) -> str:
    """Why a file operation failed, in words the clerk understands."""
    return _OS_REASONS.get(error.errno or 0) or error.strerror or str(error)


def sqlite_reason(error: Exception) -> str | None:
    """Why SQLite refused, for the conditions of the world (busy, read-only, disk full, damaged); None for
    anything else, which is a bug."""
    error = getattr(error, "orig", None) or error  # SQLAlchemy wraps the sqlite3 exception
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    return _SQLITE_REASONS.get(code & 0xFF)


# SQLite's refusal in the middle of work (a save, an import): the transaction it broke was rolled back, so
# the clerk hears that nothing of it was saved, and what to do before trying again.
_SQLITE_FAILURES = {
    5: "数据库正被其他程序使用（例如用数据库工具打开着），刚才的修改没有保存。请关闭该程序后再试一次。",
    8: "数据库文件或数据文件夹变成了只读，刚才的修改没有保存。请检查文件夹的权限后再试一次。",
    10: "读写磁盘出错，刚才的修改没有保存。如果数据文件夹在 U 盘、移动硬盘或网络上，请检查连接后再试一次。",
    11: "数据库文件已损坏，刚才的操作没有完成。下次启动时程序会把损坏的数据库移开，并提供最新的完好备份用于恢复。",
    13: "磁盘空间已满，刚才的修改没有保存。请清理磁盘（或把数据文件夹移到空间足够的磁盘）后再试一次。",
    14: "无法打开数据库文件，刚才的修改没有保存。请检查数据文件夹是否还在、是否有写入权限后再试一次。",
}
_SQLITE_FAILURES[6] = _SQLITE_FAILURES[5]  # SQLITE_LOCKED
_SQLITE_FAILURES[26] = _SQLITE_FAILURES[11]  # SQLITE_NOTADB


class WriteRefused(KnownError):
    """A reader's connection was asked to change a record; the database refused it."""


# What sqlite3 says when a Python function called by SQL raises: only audit_actor() raises on purpose.
READ_ONLY_REFUSAL = "user-defined function raised exception"


def database_failure(error: Exception) -> KnownError | None:
    """SQLite's refusal during work (busy, read-only, disk I/O, damaged, disk full) as the known condition
    it is, with the clerk's message; None for anything else (a broken constraint is a bug).

    ``error`` is what a save or an import raised: SQLAlchemy's wrapper or sqlite3's own exception.
    """
    error = getattr(error, "orig", None) or error
    if str(error) == READ_ONLY_REFUSAL:  # models.audit's trigger function refusing a reader's change
        return WriteRefused("当前账户为查阅权限，不能修改数据；数据库未作改动。")
    code = getattr(error, "sqlite_errorcode", None)
    message = None if code is None else _SQLITE_FAILURES.get(code & 0xFF)
    if message is None:
        return None
    kind = {5: DatabaseBusy, 6: DatabaseBusy, 11: DatabaseDamaged, 26: DatabaseDamaged}.get(code & 0xFF)
    return (kind or DataDirUnusable)(message)


def refuse_future_date(when: date | None, label: str, field: str) -> None:
    """Refuse a date after today (a founding, a service, a reply…): "成文日期 2027-01-05 晚于今天"."""
    if when is not None and when > date.today():
        raise InvalidInput(f"{label} {when:%Y-%m-%d} 晚于今天", field)


class FileNotWritable(KnownError):
    """An output file (a PDF, a workbook) cannot be written where the clerk asked."""


@contextmanager
def writing_file(target: object) -> Iterator[None]:
    """Turn a failure to write ``target`` (open in a viewer or in Excel, no permission, disk full) into
    a message for the clerk naming the file."""
    try:
        yield
    except OSError as error:
        reason = os_reason(error)
        raise FileNotWritable(
            f"无法写入“{target}”：{reason}。如果该文件正在其他程序（如 PDF 阅读器、Excel）中打开，请关闭后重试。"
        ) from error
