"""Opening the SQLite database: connection settings, schema version, automatic backup and migration.

At start (the window, or a command) three faults are dealt with before anything is read: a second copy
of the program on the same data folder is refused (an OS file lock through ``filelock``, which also
holds across PCs sharing a folder), a damaged database is moved aside, never deleted, and the newest
good backup is named, and SQLite's own refusals (locked, read-only, disk full) become clear messages.
"""

from __future__ import annotations

import functools
import getpass
import json
import logging
import os
import platform
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from filelock import FileLock, Timeout
from sqlalchemy import Engine, bindparam, create_engine, event, func, select
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models.audit import ensure_audit_triggers, register_functions
from models.backups import back_up_if_due, backup_before_upgrade, newest_good_backup, stamped_path
from models.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseSetAside,
    DatabaseTooNew,
    DataDirUnusable,
    KnownError,
    os_reason,
    sqlite_reason,
)
from models.paths import DataDir, ensure_data_dir

log = logging.getLogger("uniondesk")

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


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: object, database: str) -> None:
    # The audit triggers call these on every write; without them a change cannot be saved.
    register_functions(dbapi_connection, database)
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
    event.listen(engine, "connect", functools.partial(_set_pragmas, database=str(path)))
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
        # Triggers are made from the tables' columns (batch migrations recreate tables without them) and
        # by this release's models.audit: installed again when either changed.
        ensure_audit_triggers(connection)


def open_database(data_dir: DataDir) -> Engine:
    """Open (or create) the database in ``data_dir``, upgrading an older schema after a backup.

    Raises:
        DatabaseTooNew: written by a newer release; the file is left untouched.
        DatabaseDamaged: not a database of this program.
        DatabaseBusy: another program holds the database.
        DataDirUnusable: the folder cannot be written (read-only, disk full).
    """
    ensure_data_dir(data_dir)
    path = data_dir.database
    if path.exists():
        revision = stored_revision(path)
        check_revision_known(path, revision)
        if revision != head_revision() and has_user_tables(path):
            backup_before_upgrade(data_dir, revision)
    engine = create_engine_at(path)
    try:
        upgrade_schema(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise _known_database_error(path, exc) from exc
    return engine


def _known_database_error(path: Path, exc: DBAPIError) -> Exception:
    """SQLite's refusal at opening as a message for the clerk; anything else stays the bug it is."""
    reason = sqlite_reason(exc)
    if reason is None:
        return exc
    code = exc.orig.sqlite_errorcode & 0xFF  # type: ignore[union-attr]
    if code in (5, 6):
        return DatabaseBusy(
            f"数据库“{path}”正被其他程序使用（例如用数据库工具打开着），请关闭该程序后重试。数据库未作改动。"
        )
    if code in (11, 26):
        return DatabaseDamaged(f"数据库“{path}”已损坏：{reason}。")
    return DataDirUnusable(f"无法打开数据库“{path}”：{reason}。数据库未作改动。")


# --- one writer at a time -----------------------------------------------------------------------------


class DataDirLock:
    """The lock a copy of the program holds on its data folder for as long as it may write.

    An OS lock (``filelock``: LockFileEx on Windows, including files on a share; flock elsewhere) is freed
    by the system when the process ends, so a crash never leaves the folder locked. Beside it a small
    JSON file says who holds it, for the refusal another copy shows.
    """

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir
        self._lock = FileLock(str(data_dir.lock_file), thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self) -> DataDirLock:
        """Take the lock at once or refuse.

        Raises:
            DatabaseInUse: another copy holds it.
            DataDirUnusable: the lock file cannot be written (read-only folder, full disk).
        """
        ensure_data_dir(self.data_dir)
        try:
            self._lock.acquire(timeout=0)
        except Timeout as exc:
            raise DatabaseInUse(self._refusal()) from exc
        except OSError as exc:
            raise DataDirUnusable(
                f"无法使用数据文件夹“{self.data_dir.root}”：{os_reason(exc)}。请检查文件夹是否有写入权限。"
            ) from exc
        self._write_owner()
        return self

    def release(self) -> None:
        if not self._lock.is_locked:
            return
        with suppress(OSError):
            self.data_dir.lock_owner_file.unlink(missing_ok=True)
        self._lock.release(force=True)

    def __enter__(self) -> DataDirLock:
        if not self._lock.is_locked:
            self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def _write_owner(self) -> None:
        try:
            user = getpass.getuser()
        except (OSError, KeyError, ImportError):
            user = ""
        owner = {
            "computer": platform.node(),
            "user": user,
            "pid": os.getpid(),
            "since": f"{datetime.now():%Y-%m-%d %H:%M}",
        }
        partial = self.data_dir.lock_owner_file.with_suffix(".partial")
        try:  # only for the message another copy shows: never a reason to refuse the start
            partial.write_text(json.dumps(owner, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, self.data_dir.lock_owner_file)
        except OSError:
            with suppress(OSError):
                partial.unlink(missing_ok=True)

    def _refusal(self) -> str:
        try:
            owner = json.loads(self.data_dir.lock_owner_file.read_text(encoding="utf-8"))
            who = f"计算机“{owner['computer']}”上的用户“{owner['user']}”，自 {owner['since']} 起"
        except (OSError, ValueError, KeyError, TypeError):
            who = "使用者不明"
        return (
            f"数据文件夹“{self.data_dir.root}”正由另一个工会组建工作台使用（{who}）。"
            "同一时间只能有一个程序写入数据库，以免修改互相覆盖。"
            "请先关闭另一个窗口（或在另一台电脑上退出程序）后再打开。"
        )


def lock_data_dir(data_dir: DataDir) -> DataDirLock:
    """Take the data folder for this copy of the program; see ``DataDirLock.acquire``."""
    return DataDirLock(data_dir).acquire()


# --- a damaged database --------------------------------------------------------------------------------


def damage_of(path: Path) -> str | None:
    """Why the database file is damaged, or None when it is sound (or absent).

    ``quick_check`` reads every page (a quarter of a second for 100,000 members) but skips the index
    comparisons of ``integrity_check``, which ``check`` does in full.

    Raises:
        DatabaseBusy: another program holds the database, so it cannot be judged (and is not damaged).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return "文件大小为 0，内容已丢失"
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            return "不是 SQLite 数据库文件"
    # As in stored_revision: with nothing pending beside it the file is read as immutable, which leaves
    # no -wal and -shm behind. Damage found that way is confirmed through SQLite's locks, so that a
    # program writing at this very moment is never taken for damage.
    pending = any(path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-journal"))
    reason = _quick_check(path, "mode=ro" if pending else "immutable=1")
    if reason is not None and not pending:
        reason = _quick_check(path, "mode=ro")
    return reason


def _quick_check(path: Path, mode: str) -> str | None:
    uri = f"{path.resolve().as_uri()}?{mode}"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
            result = [row[0] for row in connection.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        if code in (5, 6):
            raise DatabaseBusy(
                f"数据库“{path}”正被其他程序使用（例如用数据库工具打开着），请关闭该程序后重试。数据库未作改动。"
            ) from exc
        if code not in (11, 26):  # not damage: a read error, no permission… the file stays where it is
            raise DataDirUnusable(
                f"无法读取数据库“{path}”：{sqlite_reason(exc) or exc}。数据库未作改动。"
            ) from exc
        return sqlite_reason(exc) or str(exc)
    if result != ["ok"]:
        return f"完整性检查未通过：{result[0]}"
    return None


def set_aside(data_dir: DataDir, folder: Path, prefix: str) -> Path:
    """Move the database (with its -wal, -shm and -journal) into ``folder`` under a stamped name.

    A rename in the same folder tree, never a copy and never a deletion: what the file holds is kept as
    it is for anyone who can recover it, and the -wal stays paired with it under the new name.
    """
    live = data_dir.database
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = stamped_path(folder, prefix)
        os.replace(live, target)
    except OSError as exc:
        raise DatabaseBusy(
            f"数据库“{live}”已损坏，但无法把它移开：{os_reason(exc)}。请关闭所有使用它的程序后重试。"
        ) from exc
    for suffix in ("-wal", "-shm", "-journal"):
        companion = live.with_name(live.name + suffix)
        if companion.exists():
            with suppress(OSError):
                os.replace(companion, target.with_name(target.name + suffix))
    return target


def start_database(data_dir: DataDir) -> Engine:
    """Open the database at the start of work: a damaged one is first moved aside.

    Raises:
        DatabaseSetAside: the database was damaged and now lies in ``data_dir.damaged``; the error names
            the newest good backup. The next start creates a new, empty database unless one is restored.
        and what ``open_database`` raises.
    """
    ensure_data_dir(data_dir)
    path = data_dir.database
    reason = damage_of(path)
    if reason is None:
        return open_database(data_dir)
    moved_to = set_aside(data_dir, data_dir.damaged, "uniondesk-damaged")
    log.info("数据库“%s”已损坏（%s），已移到“%s”", path, reason, moved_to)
    newest = newest_good_backup(data_dir)
    message = f"数据库“{path}”已损坏（{reason}），已移到“{moved_to}”，没有删除。"
    if newest is not None:
        message += (
            f"最新的完好备份是“{newest.path}”（{newest.taken_at:%Y-%m-%d %H:%M}）。"
            f'恢复请运行：main.py --data-dir "{data_dir.root}" restore "{newest.path}"'
        )
    else:
        message += (
            "没有找到完好的备份。如果别处还有备份文件，"
            f'请运行：main.py --data-dir "{data_dir.root}" restore 备份文件；否则程序下次启动时将新建空数据库。'
        )
    raise DatabaseSetAside(message, damaged=path, moved_to=moved_to, newest_backup=newest)


# What a command does with the database as soon as it is open: the command line signs in here.
_on_opening: list[Callable[[Engine], None]] = []


@contextmanager
def signing_in(check: Callable[[Engine], None]) -> Iterator[None]:
    """Within the block, ``opened`` calls ``check(engine)`` before handing the database over."""
    _on_opening.append(check)
    try:
        yield
    finally:
        _on_opening.remove(check)


@contextmanager
def opened(data_dir: DataDir) -> Iterator[Engine]:
    """The database for a command, for the length of a ``with`` block: the data folder locked, a damaged
    database set aside, the day's first backup taken, the person signed in (``signing_in``), every
    connection closed after it."""
    with lock_data_dir(data_dir):
        existed = data_dir.database.exists()
        engine = start_database(data_dir)
        try:
            if existed:
                _back_up_if_due(data_dir)
            for check in _on_opening:
                check(engine)
            yield engine
        finally:
            engine.dispose()


def _back_up_if_due(data_dir: DataDir) -> None:
    try:
        back_up_if_due(data_dir)
    except KnownError as exc:  # a backup that cannot be taken must not stop the work; it is logged
        log.warning("每日备份失败：%s", exc.message)
