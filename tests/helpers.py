"""Small helpers shared by the tests: looking at database files the way an admin would, with sqlite3."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from models.audit import register_functions

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def is_chinese(text: str) -> bool:
    """True when the message holds Chinese words (what the clerk reads), not only English or codes."""
    return len(CHINESE.findall(text)) >= 4


def dump(path: Path) -> str:
    """The whole content of a database as SQL text, for comparing two databases row by row."""
    with closing(sqlite3.connect(path)) as connection:
        return "\n".join(connection.iterdump())


def fingerprint(path: Path) -> tuple[str, bool, bool]:
    """The database file's sha256 and whether its -wal and -shm companions exist."""
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.with_name(path.name + "-wal").exists(),
        path.with_name(path.name + "-shm").exists(),
    )


def libreoffice_csv(workbook: Path, work: Path) -> list[list[str]]:
    """The first sheet of ``workbook`` as LibreOffice headless shows it, read back as CSV rows.

    Comma-separated (44), quoted with " (34), UTF-8 (76), values as shown (the default); a profile of its
    own, so that a LibreOffice started by someone else on this machine does not hold its lock.
    """
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
         "--outdir", str(work / "csv"), str(workbook)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with (work / "csv" / f"{workbook.stem}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def tool_connection(path: Path, **options) -> sqlite3.Connection:
    """A sqlite3 connection to the file as a SQLite tool would open it, but with the two functions the
    audit triggers call, so that it can change records (sqlite3.exe without them cannot)."""
    connection = sqlite3.connect(path, **options)
    register_functions(connection, str(path))
    return connection


def execute(path: Path, sql: str, parameters: tuple | dict = ()) -> None:
    """Run one statement outside the program and commit it, as someone with a SQLite tool would."""
    with closing(tool_connection(path)) as connection, connection:
        connection.execute(sql, parameters)


def query(path: Path, sql: str, parameters: tuple | dict = ()) -> list[tuple]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, parameters).fetchall()


def count(path: Path, table: str) -> int:
    return query(path, f'SELECT count(*) FROM "{table}"')[0][0]


def schema_of(path: Path, table: str) -> list[tuple[str, str, str]]:
    """The table's own SQL and that of its indexes and triggers, as (type, name, sql), by name."""
    return query(path, "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name", (table,))


def table_counts(path: Path) -> dict[str, int]:
    """Row counts of every table in the file."""
    tables = [row[0] for row in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: count(path, table) for table in tables}


def set_revision(path: Path, revision: str) -> None:
    """Write a schema revision into alembic_version, as a newer (or older) release would have."""
    execute(path, "UPDATE alembic_version SET version_num = ?", (revision,))


def refuse_writes_in(monkeypatch, folder: Path, error_number: int, reason: str) -> None:
    """Make ``folder`` refuse every write with ``OSError(error_number)``, as a read-only folder or a
    write-protected disk does, whoever runs the test (as root, permission bits do not)."""
    inside = str(folder.resolve())
    real_open, real_write = os.open, Path.write_bytes

    def refuse(path) -> None:
        if str(Path(path).resolve()).startswith(inside):
            raise OSError(error_number, reason, str(path))

    def os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def write_bytes(self, data):
        refuse(self)
        return real_write(self, data)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
