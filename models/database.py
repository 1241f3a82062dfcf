"""Opening the SQLite database: connection settings, schema version, automatic backup and migration."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, bindparam, create_engine, event, func, select
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from models.backups import backup_before_upgrade
from models.errors import DatabaseBusy, DatabaseDamaged, DatabaseTooNew
from models.paths import DataDir, ensure_data_dir

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"


class _HintingCompiler(SQLiteCompiler):
    def get_from_hint_text(self, table, text):
        # SQLAlchemy's SQLite compiler drops ``Select.with_hint``; SQLite's own hint is
        # "FROM member INDEXED BY ix_…", exactly where SQLAlchemy places a from-hint.
        return text


class UnionDeskSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite with index hints; otherwise SQLAlchemy's own SQLite dialect (Alembic sees "sqlite")."""

    statement_compiler = _HintingCompiler
    supports_statement_cache = True


registry.register("sqlite.uniondesk", __name__, "UnionDeskSQLiteDialect")


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Python's sqlite3 opens transactions behind our back; take that over so that BEGIN is ours
    # (SQLAlchemy documents this for pysqlite: "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin(connection) -> None:
    # A write transaction takes the write lock at BEGIN: one that started as a reader and upgrades
    # later gets SQLITE_BUSY at once instead of waiting, which would lose a clerk's save.
    immediate = connection.get_execution_options().get("write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine_at(path: Path) -> Engine:
    """An engine on the database file with the connection settings every connection must have."""
    engine = create_engine(
        URL.create("sqlite+uniondesk", database=str(path)), connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def in_values(column, values: Sequence[int | str]):
    """``column IN (the values)`` for any number of values, as one bound JSON array: SQLite allows at most
    32,766 bound parameters, and a clerk may select every one of 100,000 members."""
    each = func.json_each(bindparam("values", json.dumps(list(values)), unique=True)).table_valued("value")
    return column.in_(select(each.c.value))


def in_ids(column, ids: Sequence[int]):
    return in_values(column, [int(i) for i in ids])


def reading(engine: Engine) -> Session:
    """A session for reads: ``with reading(engine) as s, s.begin(): ...``."""
    return Session(engine, expire_on_commit=False)


def writing(engine: Engine) -> Session:
    """A session whose transaction holds the write lock from its first statement."""
    return Session(engine.execution_options(write=True), expire_on_commit=False)


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def stored_revision(path: Path) -> str | None:
    """The schema revision written in a database file, read without changing a byte of it."""
    with path.open("rb") as handle:
        header = handle.read(16)
    if path.stat().st_size and header != SQLITE_HEADER:
        raise DatabaseDamaged(f"文件“{path}”不是工会组建工作台的数据库（不是 SQLite 数据库文件）。")
    # A read-only connection to a WAL database creates -wal and -shm beside it and, unable to
    # checkpoint, leaves them there. With no -wal (or hot -journal) every committed page is in the file
    # itself, so read it as immutable, which creates nothing.
    pending = any(path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-journal"))
    uri = f"{path.resolve().as_uri()}?{'mode=ro' if pending else 'immutable=1'}"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "alembic_version" not in tables:
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusy(f"数据库“{path}”正被其他程序使用，请关闭后重试。") from exc
        raise DatabaseDamaged(f"无法读取数据库“{path}”：{exc}。") from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"数据库“{path}”已损坏或不是数据库文件：{exc}。") from exc
    return row[0] if row else None


def check_revision_known(path: Path, revision: str | None) -> None:
    """Refuse a database written by a newer release, before anything touches it."""
    if revision is not None and revision not in known_revisions():
        raise DatabaseTooNew(
            f"数据库“{path}”由更新版本的工会组建工作台写入（数据结构版本 {revision}），"
            "本程序无法识别。请安装最新版本后再打开；数据库未作任何改动。"
        )


def has_user_tables(path: Path) -> bool:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction (SQLite DDL is transactional)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def open_database(data_dir: DataDir) -> Engine:
    """Open (or create) the database in ``data_dir``, upgrading an older schema after a backup.

    Raises:
        DatabaseTooNew: written by a newer release; the file is left untouched.
        DatabaseDamaged: not a database of this program.
        DataDirUnusable: the folder cannot be written.
    """
    ensure_data_dir(data_dir)
    path = data_dir.database
    if path.exists():
        revision = stored_revision(path)
        check_revision_known(path, revision)
        if revision != head_revision() and has_user_tables(path):
            backup_before_upgrade(path, data_dir.backups, revision)
    engine = create_engine_at(path)
    upgrade_schema(engine)
    return engine


@contextmanager
def opened(data_dir: DataDir) -> Iterator[Engine]:
    """``open_database`` for the length of a ``with`` block, closing every connection after it."""
    engine = open_database(data_dir)
    try:
        yield engine
    finally:
        engine.dispose()
