"""Opening the database: connection settings, constraints, schema versions, refusals and upgrades."""

from __future__ import annotations

import random
import shutil
import sqlite3
import threading
import uuid
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from models import codes
from models.checks import check_database
from models.database import head_revision, known_revisions, open_database, stored_revision
from models.employers import add_employer
from models.entities import Base, described_by_models
from models.errors import DatabaseDamaged, DatabaseTooNew
from models.paths import DataDir
from models.registers import database_is_empty, record_counts
from tests.helpers import count, fingerprint, is_chinese, query, set_revision, table_counts

SCHEMA_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "schemas"
FIXTURE_FILES = sorted(SCHEMA_FIXTURES.glob("*.sqlite3"))

PRAGMAS = ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
EXPECTED_PRAGMAS = {"foreign_keys": 1, "journal_mode": "wal", "synchronous": 1, "busy_timeout": 5000}


def _pragmas(connection) -> dict[str, object]:
    return {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in PRAGMAS}


# --- every connection ---------------------------------------------------------------------------------


def test_every_pooled_connection_has_the_settings_from_two_threads(engine: Engine) -> None:
    seen: list[tuple[int, dict]] = []

    def look(connection) -> None:
        seen.append((id(connection.connection.dbapi_connection), _pragmas(connection)))

    with ExitStack() as stack:
        # Three connections held at once are three different SQLite connections from the pool.
        for _ in range(3):
            look(stack.enter_context(engine.connect()))

        def in_worker() -> None:
            with engine.connect() as connection:
                look(connection)

        worker = threading.Thread(target=in_worker)
        worker.start()
        worker.join(timeout=30)

    assert len({connection_id for connection_id, _ in seen}) == 4
    for _, pragmas in seen:
        assert pragmas == EXPECTED_PRAGMAS


def test_a_connection_reused_from_the_pool_keeps_its_settings(engine: Engine) -> None:
    with engine.connect() as connection:
        first = id(connection.connection.dbapi_connection)
    with engine.connect() as connection:
        assert id(connection.connection.dbapi_connection) == first
        assert _pragmas(connection) == EXPECTED_PRAGMAS


# --- a new data folder --------------------------------------------------------------------------------


def test_a_new_data_folder_gets_a_database_at_the_newest_schema(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "新的数据文件夹" / "工会")
    engine = open_database(data_dir)
    try:
        assert database_is_empty(engine)
    finally:
        engine.dispose()

    assert stored_revision(data_dir.database) == head_revision()
    assert query(data_dir.database, "SELECT id, name FROM federation") == [(1, "区总工会")]
    assert not data_dir.backups.exists(), "a brand-new database needs no backup before upgrade"


def test_reopening_keeps_the_records_and_takes_no_backup(data_dir: DataDir) -> None:
    engine = open_database(data_dir)
    add_employer(engine, name="重庆鸿泰物流有限公司", employer_class="non_public")
    engine.dispose()

    engine = open_database(data_dir)
    try:
        assert record_counts(engine)["employers"] == 1
    finally:
        engine.dispose()
    assert not data_dir.backups.exists()
    assert query(data_dir.database, "SELECT count(*) FROM federation") == [(1,)]


# --- constraints the database itself enforces -----------------------------------------------------------


def _copy_row(engine: Engine, table: str, **overrides) -> None:
    """Insert a copy of the table's first row with some columns replaced, straight in SQL.

    Straight SQL on purpose: the forms check these things too, and the point here is that the database
    still holds the line when something else (an import, a script, a bug) writes to it.
    """
    overrides.setdefault("uuid", str(uuid.uuid4()))
    with engine.connect() as connection:
        columns = [
            row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")') if row[1] != "id"
        ]
    chosen = ", ".join(f":{name}" if name in overrides else f'"{name}"' for name in columns)
    names = ", ".join(f'"{name}"' for name in columns)
    statement = text(f'INSERT INTO "{table}" ({names}) SELECT {chosen} FROM "{table}" ORDER BY id LIMIT 1')
    with engine.begin() as connection:
        connection.execute(statement, overrides)


def _new_id_number(engine: Engine) -> str:
    with engine.connect() as connection:
        taken = set(connection.exec_driver_sql("SELECT id_number FROM member").scalars())
    for sequence in range(1000):
        body = f"50011219900101{sequence:03d}"
        number = body + codes.id_check_char(body)
        if number not in taken:
            return number
    raise AssertionError("no free ID number")


def _new_credit_code(prefix: str) -> str:
    body = prefix + "500112" + "MA6X0Q1T" + "7"
    return body + codes.credit_check_char(body)


def _first(engine: Engine, sql: str):
    with engine.connect() as connection:
        return connection.exec_driver_sql(sql).scalar()


@pytest.mark.parametrize("table", ["member", "employer", "union"])
def test_a_copy_with_fresh_unique_values_is_accepted(demo_engine: Engine, table: str) -> None:
    """The control for the refusals below: the copying itself is sound."""
    overrides = {
        "member": lambda: {"id_number": _new_id_number(demo_engine)},
        "employer": lambda: {"credit_code": _new_credit_code("91")},
        "union": lambda: {"credit_code": _new_credit_code("81")},
    }[table]()
    before = _first(demo_engine, f'SELECT count(*) FROM "{table}"')
    _copy_row(demo_engine, table, **overrides)
    assert _first(demo_engine, f'SELECT count(*) FROM "{table}"') == before + 1


REFUSALS = {
    "duplicate member ID number": (
        "member",
        lambda e: {"id_number": _first(e, "SELECT id_number FROM member ORDER BY id DESC LIMIT 1")},
        "UNIQUE constraint failed: member.id_number",
    ),
    "duplicate employer credit code": (
        "employer",
        lambda e: {"credit_code": _first(e, "SELECT credit_code FROM employer ORDER BY id DESC LIMIT 1")},
        "UNIQUE constraint failed: employer.credit_code",
    ),
    "member status not in the list": (
        "member",
        lambda e: {"id_number": _new_id_number(e), "status": "deleted"},
        "CHECK constraint failed: ck_member_status",
    ),
    "union credit code not starting 81": (
        "union",
        lambda e: {"credit_code": _new_credit_code("91")},
        "CHECK constraint failed: ck_union_credit_code_union",
    ),
    "member of a union that does not exist": (
        "member",
        lambda e: {"id_number": _new_id_number(e), "union_id": 999_999},
        "FOREIGN KEY constraint failed",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_the_database_refuses_bad_rows(demo_engine: Engine, case: str) -> None:
    table, overrides, reason = REFUSALS[case]
    values = overrides(demo_engine)
    before = _first(demo_engine, f'SELECT count(*) FROM "{table}"')
    with pytest.raises(IntegrityError, match=reason):
        _copy_row(demo_engine, table, **values)
    assert _first(demo_engine, f'SELECT count(*) FROM "{table}"') == before


# --- a database the program cannot use --------------------------------------------------------------


@pytest.mark.parametrize("other_program_open", [False, True], ids=["closed", "open-elsewhere"])
def test_a_database_from_a_newer_release_is_refused_and_left_untouched(
    data_dir: DataDir, other_program_open: bool
) -> None:
    open_database(data_dir).dispose()
    set_revision(data_dir.database, "ffff_future")
    with ExitStack() as stack:
        if other_program_open:
            # A newer release still running keeps its -wal and -shm beside the file.
            other = stack.enter_context(closing(sqlite3.connect(data_dir.database)))
            other.execute("SELECT count(*) FROM member").fetchone()
        before = fingerprint(data_dir.database)
        assert before[1] == before[2] == other_program_open

        with pytest.raises(DatabaseTooNew) as refused:
            open_database(data_dir)

        assert fingerprint(data_dir.database) == before
    assert is_chinese(refused.value.message)
    assert "更新版本" in refused.value.message
    assert "ffff_future" in refused.value.message
    assert not data_dir.backups.exists()


def test_a_file_that_is_not_sqlite_is_refused_as_damaged(data_dir: DataDir) -> None:
    data_dir.root.mkdir(parents=True)
    data_dir.database.write_bytes(random.Random(11).randbytes(8192))
    before = fingerprint(data_dir.database)

    with pytest.raises(DatabaseDamaged) as refused:
        open_database(data_dir)

    assert is_chinese(refused.value.message)
    assert fingerprint(data_dir.database) == before


# --- upgrades -----------------------------------------------------------------------------------------


def test_an_older_database_is_backed_up_then_upgraded(data_dir: DataDir) -> None:
    data_dir.root.mkdir(parents=True)
    with closing(sqlite3.connect(data_dir.database)) as old, old:
        old.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        old.execute("CREATE TABLE legacy_note (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
        old.execute("INSERT INTO legacy_note (note) VALUES ('2019年建会台账，勿删')")

    engine = open_database(data_dir)
    try:
        assert record_counts(engine)["employers"] == 0
    finally:
        engine.dispose()

    assert stored_revision(data_dir.database) == head_revision()
    assert query(data_dir.database, "SELECT note FROM legacy_note") == [("2019年建会台账，勿删",)]
    backups = list(data_dir.backups.glob("uniondesk-before-upgrade-*"))
    assert len(backups) == 1
    backup = backups[0]
    assert query(backup, "SELECT note FROM legacy_note") == [("2019年建会台账，勿删",)]
    assert count(backup, "alembic_version") == 0, "the backup holds the database as it was before"
    assert "member" not in table_counts(backup)
    assert query(backup, "PRAGMA integrity_check") == [("ok",)]


def test_every_schema_older_than_the_newest_has_a_fixture() -> None:
    assert FIXTURE_FILES, f"no fixture databases in {SCHEMA_FIXTURES}"
    have = {path.stem for path in FIXTURE_FILES}
    assert known_revisions() - {head_revision()} <= have


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[path.name for path in FIXTURE_FILES])
def test_a_database_made_by_a_released_schema_opens_whole(data_dir: DataDir, fixture: Path) -> None:
    data_dir.root.mkdir(parents=True)
    shutil.copyfile(fixture, data_dir.database)
    revision = stored_revision(data_dir.database)
    assert revision in known_revisions()
    counts_before = table_counts(data_dir.database)
    assert counts_before["member"] > 0, "a fixture should hold records to carry over"

    engine = open_database(data_dir)
    try:
        report = check_database(engine)
    finally:
        engine.dispose()

    assert stored_revision(data_dir.database) == head_revision()
    counts_after = table_counts(data_dir.database)
    assert {table: counts_after[table] for table in counts_before} == counts_before
    assert report.total == 0, report.examples
    assert report.records_checked > 0
    assert data_dir.backups.exists() == (revision != head_revision())


def test_the_migrations_build_exactly_the_schema_the_models_describe(engine: Engine) -> None:
    """A model changed without a migration (or the other way round) shows up here, not at a clerk's desk."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": described_by_models})
        assert compare_metadata(context, Base.metadata) == []
