"""Known conditions of the world, as typed exceptions with a message for the clerk.

Anything that is not a ``KnownError`` is a bug: it reaches the one global error dialog (the window) or
a traceback (the command line). The ``message`` is Chinese because it is shown as it is; code that
needs to react to a condition tests the exception type, never the text.
"""

from __future__ import annotations

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


class DataDirUnusable(KnownError):
    """The data folder cannot be created or written."""


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
        reason = error.strerror or str(error)
        raise FileNotWritable(
            f"无法写入“{target}”：{reason}。如果该文件正在其他程序（如 PDF 阅读器、Excel）中打开，请关闭后重试。"
        ) from error
