"""The audit trail: who changed which record, when, from what to what — and who took personal data out.

Every insert, update and delete of a record is written to ``audit_entry`` by SQLite triggers, in the
transaction of the change itself: no writer of the program (a form, an import, the recycle bin, a
migration) can forget it, and a change that is rolled back leaves no entry behind. The triggers are
made from the tables' own columns (``audit_triggers``) and installed again whenever they would come out
differently (``ensure_audit_triggers``, at every opening): after a migration, since Alembic's batch mode
recreates a table without its triggers, or a release that makes them otherwise.

Two functions the triggers call are registered on every connection the program opens
(``register_functions``): ``audit_actor()``, the person signed in (or the Windows user when accounts
are off), and ``audit_hash(...)``, which chains each entry to the one before it. A tool that opens the
file without them (sqlite3.exe) cannot change a record without the trigger failing; an audit entry it
edits or deletes breaks the chain, and ``check`` says where (``audit_trail_problems``).

Entries are only added, with one exception: purging the recycle bin clears the values of the purged
member's entries (``clear_entries``), which the chain allows for. For 100,000 members written at once
(an import, the demo) an entry per member would double the import's time; ``bulk_inserted`` writes one
entry naming every record instead (``AuditAction.BULK_INSERT``), see its docstring.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from models.entities import AuditAction

AUDIT_TABLE = "audit_entry"
# Not records: the schema version, SQLite's own and the FTS index's shadow tables, and the trail itself.
UNAUDITED_PREFIXES = ("sqlite_", "alembic_", "member_search", AUDIT_TABLE)
# The entry has its own time and names the record by UUID, so these would only repeat it.
UNAUDITED_COLUMNS = frozenset({"id", "uuid", "created_at", "updated_at"})
# Columns whose values never go into the trail: that they changed is recorded, not what they hold.
SECRET_COLUMNS = frozenset({"password_hash"})
HIDDEN = "（不记录内容）"
TRIGGER_PREFIX = "audit_"
LOCAL_NOW = "strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')"
GENESIS = ""  # what the first entry is chained to
# What a purge leaves of an entry's changes: a note and the digest the chain was made with.
CLEARED_NOTE, CLEARED_DIGEST = "已清除", "摘要"
CLEARED_TEXT = "该记录已从回收站彻底删除，其内容已从审计记录中清除"
CLEARED_PREFIX = '{"已清除": '

_actors: dict[str, _Actor] = {}


# --- who is working ------------------------------------------------------------------------------------


@functools.cache
def os_user() -> str:
    """The Windows (or other OS) user name, as the trail records it when accounts are switched off."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no USERNAME and no password entry: a service account
        name = "未知用户"
    return f"{name}（本机用户）"


def set_actor(engine: Engine, actor: str | None, *, read_only: bool = False) -> None:
    """From now on the changes made through ``engine`` are recorded as ``actor``'s (None: the OS user).

    ``read_only`` (a reader signed in): every change through the engine's connections fails in its
    trigger, whatever part of the program attempted it.
    """
    key = database_key(engine)
    if actor is None:
        _actors.pop(key, None)
    else:
        _actors[key] = _Actor(actor, read_only)


def database_key(engine: Engine) -> str:
    return _key(engine.url.database)


def _key(database: str | None) -> str:
    return str(Path(database).resolve()) if database else ":memory:"


@contextmanager
def own_password_change(engine: Engine) -> Iterator[None]:
    """Lets a reader write their own new password: the one change a reader makes."""
    key = database_key(engine)
    actor = _actors.get(key)
    if actor is not None:
        _actors[key] = _Actor(actor.name, False)
    try:
        yield
    finally:
        if actor is not None:
            _actors[key] = actor


class ReadOnlyAccount(Exception):
    """Raised inside SQLite by audit_actor(): a reader's connection may not change a record."""


@dataclass(frozen=True)
class _Actor:
    name: str
    read_only: bool


# --- the functions the triggers call --------------------------------------------------------------------


def entry_hash(
    previous: str | None,
    at: str,
    actor: str,
    action: str,
    table_name: str,
    record_uuid: str | None,
    changes: str,
) -> str:
    """SHA-256 over the previous entry's hash and this entry's every field: editing any field of any entry,
    or deleting one, changes what every later entry should hold.

    The changes enter through their own digest, so that a purge can clear them (personal data deleted for
    good must not stay here) and leave the digest in their place: the chain still holds.
    """
    text = json.dumps(
        [previous or GENESIS, at, actor, action, table_name, record_uuid, changes_digest(changes)],
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changes_digest(changes: str) -> str:
    if changes.startswith(CLEARED_PREFIX):
        return json.loads(changes)[CLEARED_DIGEST]
    return hashlib.sha256(changes.encode("utf-8")).hexdigest()


def _cleared(changes: str) -> str:
    text = json.dumps(
        {CLEARED_NOTE: CLEARED_TEXT, CLEARED_DIGEST: changes_digest(changes)}, ensure_ascii=False
    )
    assert text.startswith(CLEARED_PREFIX)
    return text


def register_functions(connection: sqlite3.Connection, database: str | None) -> None:
    """Give a new connection the two functions the audit triggers call."""
    key = _key(database)

    def actor() -> str:
        who = _actors.get(key)
        if who is None:
            return os_user()
        if who.read_only:
            raise ReadOnlyAccount(who.name)
        return who.name

    connection.create_function("audit_actor", 0, actor)
    connection.create_function("audit_hash", 7, entry_hash, deterministic=True)


# --- the triggers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditedTable:
    name: str
    columns: tuple[str, ...]  # the columns whose values the trail keeps
    record_key: tuple[str, ...]  # uuid, or the primary key of a table without one


def audited_tables(connection: Connection) -> list[AuditedTable]:
    """Every table of records in the database as it is now, with the columns the trail keeps."""
    names = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).scalars()
    tables = []
    for name in [n for n in names if not n.startswith(UNAUDITED_PREFIXES)]:
        # table_xinfo: ``hidden`` is non-zero for generated columns, which follow from the others.
        info = connection.exec_driver_sql(f'PRAGMA table_xinfo("{name}")').all()
        columns = tuple(row[1] for row in info if row[6] == 0 and row[1] not in UNAUDITED_COLUMNS)
        names_all = {row[1] for row in info}
        key = (
            ("uuid",)
            if "uuid" in names_all
            else tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5])
        )
        tables.append(AuditedTable(name, columns, key))
    return tables


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _record(table: AuditedTable, row: str) -> str:
    return " || '/' || ".join(f"{row}.{_quoted(c)}" for c in table.record_key)


def _values(table: AuditedTable, row: str) -> str:
    """json_object of the row's kept columns; a secret column only says whether it holds anything."""
    pairs = []
    for column in table.columns:
        value = f"{row}.{_quoted(column)}"
        if column in SECRET_COLUMNS:
            value = f"CASE WHEN {value} IS NULL THEN NULL ELSE '{HIDDEN}' END"
        pairs.append(f"'{column}', {value}")
    return f"json_object({', '.join(pairs)})"


def _differences(table: AuditedTable) -> str:
    """The changed columns as {column: [old, new]}: all pairs are built, the unchanged ones dropped."""
    pairs = []
    for column in table.columns:
        old, new = f"OLD.{_quoted(column)}", f"NEW.{_quoted(column)}"
        if column in SECRET_COLUMNS:
            pair = f"CASE WHEN {old} IS NOT {new} THEN json_array('{HIDDEN}', '已更改') ELSE json_array(NULL, NULL) END"
        else:
            pair = f"json_array({old}, {new})"
        pairs.append(f"'{column}', {pair}")
    return (
        "(SELECT json_group_object(key, json(value)) "
        f"FROM json_each(json_object({', '.join(pairs)})) "
        "WHERE json_extract(value, '$[0]') IS NOT json_extract(value, '$[1]'))"
    )


def _entry(action: str, table: AuditedTable, record: str, changes: str) -> str:
    # One SELECT supplies the fields once; audit_hash reads them as they are stored. 'now' is the same for
    # the whole statement, so the time hashed is the time written.
    return (
        f"INSERT INTO {AUDIT_TABLE} (at, actor, action, table_name, record_uuid, changes, entry_hash) "
        f"SELECT at, actor, '{action}', '{table.name}', record, changes, "
        f"audit_hash((SELECT entry_hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1), "
        f"at, actor, '{action}', '{table.name}', record, changes) "
        f"FROM (SELECT {LOCAL_NOW} AS at, audit_actor() AS actor, {record} AS record, {changes} AS changes "
        # OFFSET keeps SQLite from flattening the subquery into the outer SELECT, which would evaluate the
        # changes and call audit_actor() once for each use instead of once: half of a change's cost.
        "LIMIT -1 OFFSET 0);"
    )


def audit_triggers(table: AuditedTable) -> dict[str, str]:
    """The three triggers of a table, by name."""
    quoted = _quoted(table.name)
    changed = " OR ".join(f"OLD.{_quoted(c)} IS NOT NEW.{_quoted(c)}" for c in table.columns) or "0"
    prefix = f"{TRIGGER_PREFIX}{table.name}"
    return {
        f"{prefix}_insert": (
            f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {quoted} BEGIN "
            f"{_entry(AuditAction.INSERT, table, _record(table, 'NEW'), _values(table, 'NEW'))} END"
        ),
        # Only a change a clerk would see: saving a form unchanged moves updated_at and nothing else.
        f"{prefix}_update": (
            f"CREATE TRIGGER {prefix}_update AFTER UPDATE ON {quoted} WHEN {changed} BEGIN "
            f"{_entry(AuditAction.UPDATE, table, _record(table, 'NEW'), _differences(table))} END"
        ),
        f"{prefix}_delete": (
            f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {quoted} BEGIN "
            f"{_entry(AuditAction.DELETE, table, _record(table, 'OLD'), _values(table, 'OLD'))} END"
        ),
    }


def expected_triggers(connection: Connection) -> dict[str, str]:
    triggers: dict[str, str] = {}
    for table in audited_tables(connection):
        triggers.update(audit_triggers(table))
    return triggers


def _installed_triggers(connection: Connection) -> dict[str, str]:
    rows = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{TRIGGER_PREFIX}%'"
    )
    return {name: sql for name, sql in rows}


def ensure_audit_triggers(connection: Connection) -> bool:
    """Install the triggers this release makes, if the database does not have them yet; True if it did.

    Which triggers were installed is kept as a digest in the file header's user_version (a number SQLite
    keeps for the application, written in the transaction like any page, and no record to audit): a new
    release that makes them differently, or a migration that changed a table, installs its own, while
    triggers edited or dropped by hand, under the digest of this release, are left for ``check`` to report.
    """
    expected = expected_triggers(connection)
    digest = _digest(expected)
    if connection.exec_driver_sql("PRAGMA user_version").scalar() == digest:
        return False
    install_audit_triggers(connection, expected)
    connection.exec_driver_sql(f"PRAGMA user_version = {digest}")
    return True


def _digest(triggers: dict[str, str]) -> int:
    text = "\n".join(f"{name}\t{sql}" for name, sql in sorted(triggers.items()))
    return int(hashlib.sha256(text.encode()).hexdigest()[:7], 16)  # user_version is a signed 32-bit number


def install_audit_triggers(connection: Connection, expected: dict[str, str] | None = None) -> None:
    """Make every table's triggers match its columns now: after a migration, whatever it recreated."""
    installed = _installed_triggers(connection)
    expected = expected_triggers(connection) if expected is None else expected
    for name in installed.keys() - expected.keys():
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    for name, sql in expected.items():
        if installed.get(name) != sql:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            connection.exec_driver_sql(sql)


# --- entries written by the program itself -------------------------------------------------------------


def record_entry(
    connection: Connection, action: AuditAction, table_name: str, record_uuid: str | None, changes: dict
) -> None:
    """An entry the triggers cannot write (a disclosure, a bulk insert), chained like theirs."""
    _insert_entry(
        connection,
        action,
        table_name,
        record_uuid,
        json.dumps(changes, ensure_ascii=False, default=_json_default),
    )


def _insert_entry(
    connection: Connection, action: AuditAction, table_name: str, record_uuid: str | None, text: str
) -> None:
    connection.exec_driver_sql(
        f"INSERT INTO {AUDIT_TABLE} (at, actor, action, table_name, record_uuid, changes, entry_hash) "
        f"SELECT at, actor, ?, ?, ?, ?, audit_hash((SELECT entry_hash FROM {AUDIT_TABLE} ORDER BY id DESC "
        f"LIMIT 1), at, actor, ?, ?, ?, ?) FROM (SELECT {LOCAL_NOW} AS at, audit_actor() AS actor)",
        (action.value, table_name, record_uuid, text, action.value, table_name, record_uuid, text),
    )


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not kept in the audit trail")


def record_disclosure(engine: Engine, what: str, count: int, reason: str, target: str | None = None) -> None:
    """An export or printout that shows full ID numbers or phones: what, how many people, why, where to."""
    details = {"内容": what, "人数": count, "理由": reason}
    if target:
        details["去向"] = target
    with engine.execution_options(write=True).begin() as connection:
        record_entry(connection, AuditAction.DISCLOSE, "member", None, details)


class BulkInsert:
    """Many rows of one table inserted under one audit entry instead of one each (see ``bulk_inserted``).

    ``start`` drops the table's insert trigger inside the caller's transaction, ``finish`` makes it again
    and writes the entry: a rollback or a killed process brings the trigger back with the rest, and no
    other connection can write meanwhile (the transaction holds the write lock).
    """

    def __init__(self, connection: Connection, table_name: str) -> None:
        self.connection, self.table_name = connection, table_name
        self.trigger = f"{TRIGGER_PREFIX}{table_name}_insert"
        self.sql = _installed_triggers(connection).get(self.trigger)
        self.before = connection.exec_driver_sql(
            f'SELECT coalesce(max(rowid), 0) FROM "{table_name}"'
        ).scalar_one()
        if self.sql is not None:
            connection.exec_driver_sql(f"DROP TRIGGER {self.trigger}")

    def restore_trigger(self) -> None:
        """For a caller that goes on after a failure: the rollback brings it back too."""
        if self.sql is not None:
            with suppress(DBAPIError):
                self.connection.exec_driver_sql(self.sql)

    def finish(self, description: dict) -> None:
        connection = self.connection
        inserted, count = connection.exec_driver_sql(
            f'SELECT json_group_array(uuid), count(*) FROM (SELECT uuid FROM "{self.table_name}" WHERE rowid > ? '
            "ORDER BY rowid)",
            (self.before,),
        ).one()
        if self.sql is not None:
            connection.exec_driver_sql(self.sql)
        if count:
            # The UUID list goes in as SQLite wrote it: parsing 100,000 of them only to write them back costs.
            head = json.dumps({**description, "条数": count}, ensure_ascii=False)
            _insert_entry(
                connection,
                AuditAction.BULK_INSERT,
                self.table_name,
                None,
                f'{head[:-1]}, "记录": {inserted}}}',
            )


@contextmanager
def bulk_inserted(connection: Connection, table_name: str, description: dict) -> Iterator[None]:
    """Insert many rows of ``table_name`` inside the block under one audit entry instead of one each.

    The entry names every record inserted (UUIDs in id order) and says where they came from; their values
    are the rows themselves, and every later change to them has its own entry with the old values, so the
    history stays whole. For 100,000 members an entry each would double an import's time.
    """
    bulk = BulkInsert(connection, table_name)
    try:
        yield
    except BaseException:
        bulk.restore_trigger()
        raise
    bulk.finish(description)


def clear_entries(connection: Connection, table_name: str, record_uuids: Sequence[str], why: str) -> int:
    """Clear the changes of every entry about these records, and record which entries were cleared.

    For a purge from the recycle bin: the deletion of personal data is for good only if the trail does not
    keep a copy. Who did what and when stays; the values go; the chain still verifies (see entry_hash).
    """
    if not record_uuids:
        return 0
    wanted = json.dumps(list(record_uuids))
    rows = connection.exec_driver_sql(
        f"SELECT id, changes FROM {AUDIT_TABLE} WHERE record_uuid IN (SELECT value FROM json_each(?)) "
        "AND action != ? ORDER BY id",
        (wanted, AuditAction.PURGE.value),
    ).all()
    rows = [(id_, changes) for id_, changes in rows if not changes.startswith(CLEARED_PREFIX)]
    connection.exec_driver_sql(
        f"UPDATE {AUDIT_TABLE} SET changes = ? WHERE id = ?",
        [(_cleared(changes), id_) for id_, changes in rows],
    )
    record_entry(
        connection,
        AuditAction.PURGE,
        table_name,
        None,
        {"原因": why, "记录数": len(record_uuids), "清除的审计记录": [id_ for id_, _ in rows]},
    )
    return len(rows)


# --- checking the chain -------------------------------------------------------------------------------------


def audit_trail_problems(connection: Connection, limit: int = 20) -> tuple[int, list[str]]:
    """Recompute the chain and compare the triggers with the tables: (problem count, first descriptions).

    An edited entry no longer matches its hash (and the entry after it no longer follows it); a deleted
    entry leaves a gap in the numbers, or, if it was the last, a number SQLite had already handed out.
    """
    found: list[str] = []
    count = 0

    def add(text: str) -> None:
        nonlocal count
        count += 1
        if len(found) < limit:
            found.append(text)

    previous, expected_id = GENESIS, 1
    cleared: set[int] = set()
    for id_, at, actor, action, table_name, record_uuid, changes, stored in connection.exec_driver_sql(
        f"SELECT id, at, actor, action, table_name, record_uuid, changes, entry_hash FROM {AUDIT_TABLE} ORDER BY id"
    ):
        if id_ != expected_id:
            add(f"审计记录 #{expected_id}–#{id_ - 1} 已被删除")
        try:
            matches = entry_hash(previous, at, actor, action, table_name, record_uuid, changes) == stored
        except (ValueError, KeyError, TypeError):  # a cleared entry whose note was edited
            matches = False
        if not matches:
            add(f"审计记录 #{id_}（{at}，{actor}）与记录时的内容不符，已被改动")
        if changes.startswith(CLEARED_PREFIX):
            cleared.add(id_)
        elif action == AuditAction.PURGE and matches:
            cleared -= set(json.loads(changes).get("清除的审计记录", []))
        previous, expected_id = stored, id_ + 1
    for id_ in sorted(cleared):
        add(f"审计记录 #{id_} 的内容被清除，但没有对应的彻底删除记录")
    handed_out = connection.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (AUDIT_TABLE,)
    ).scalar()
    if handed_out is not None and handed_out >= expected_id:
        add(f"最后的审计记录 #{expected_id}–#{handed_out} 已被删除")
    installed = _installed_triggers(connection)
    for name, sql in expected_triggers(connection).items():
        if installed.get(name) != sql:
            add(f"审计触发器 {name} 缺失或已被改动：对该表的修改可能未被记录")
    return count, found


# --- reading the trail -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    record_uuid: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None
    table_name: str | None = None
    action: str | None = None


def _where(criteria: AuditFilter) -> tuple[str, list]:
    clauses, params = [], []
    if criteria.record_uuid:
        # A bulk entry names its records inside ``changes``; instr finds the UUID there.
        clauses.append("(record_uuid = ? OR (action = ? AND instr(changes, ?) > 0))")
        params += [criteria.record_uuid, AuditAction.BULK_INSERT.value, criteria.record_uuid]
    if criteria.actor:
        clauses.append("actor = ?")
        params.append(criteria.actor)
    if criteria.since:
        clauses.append("at >= ?")
        params.append(criteria.since.isoformat())
    if criteria.until:
        clauses.append("at < date(?, '+1 day')")
        params.append(criteria.until.isoformat())
    if criteria.table_name:
        clauses.append("table_name = ?")
        params.append(criteria.table_name)
    if criteria.action:
        clauses.append("action = ?")
        params.append(criteria.action)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    table_name: str
    record_uuid: str | None
    changes: dict


def audit_entries(
    engine: Engine, criteria: AuditFilter = AuditFilter(), limit: int | None = 5000
) -> list[AuditRow]:
    """The entries that match, newest first."""
    where, params = _where(criteria)
    sql = f"SELECT id, at, actor, action, table_name, record_uuid, changes FROM {AUDIT_TABLE}{where} ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(sql, tuple(params)).all()
    return [AuditRow(*row[:6], json.loads(row[6])) for row in rows]


def audit_actors(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.exec_driver_sql(f"SELECT DISTINCT actor FROM {AUDIT_TABLE} ORDER BY actor").scalars()
        )


def record_uuids(engine: Engine, table_name: str, ids: Sequence[int]) -> list[str]:
    """The UUIDs of records, for a viewer opened from a list's selection."""
    if not ids:
        return []
    with engine.connect() as connection:
        return list(
            connection.exec_driver_sql(
                f'SELECT uuid FROM "{table_name}" WHERE id IN (SELECT value FROM json_each(?))',
                (json.dumps(list(ids)),),
            ).scalars()
        )
