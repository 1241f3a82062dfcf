"""Writing what an import accepted: many records in one transaction, every one of them or none.

``spreadsheets.importing`` reads a file and checks every cell; the rows it accepts come here as the
small named tuples below (``MemberRow``…), with unions, employers and first-level unions already
turned into ids. Each writer is a generator (STYLE habit 5) that yields ``(done, total, message)`` and
returns an ``ImportCounts``. It runs in ONE transaction: raising ``ImportCancelled`` when ``cancelled()``
turns true, closing the generator, an error, or a killed process all leave the database as it was.

The lookups (``members_by_id_number``, ``union_entries``…) read a whole register in one query each: the
importer checks 100,000 rows against dicts, not 100,000 queries. The writers match rows to existing
records again inside their transaction, so a record added between the preview and the write is still
updated or skipped, never doubled.

Speed, measured on the demo database (100,000 members, SQLite 3.40, a 2-core machine): 100,000 new
members go in in about 2 s where plain executemany took 11 s. Three things do it:

- Members are staged in a TEMP table with the driver's executemany and moved into ``member`` by a few
  ``INSERT … SELECT`` statements. The FTS5 trigram index behind member search (migration 0005) is kept
  by a trigger, and FTS5 writes its pending terms out at the end of every statement: one statement per
  row made a tiny index segment per row.
- A 64 MB page cache for the import transaction: with SQLite's default 2 MB, dirty index pages were
  spilled mid-transaction and read back (3.9 s → 2.1 s).
- Time-ordered UUIDs (the layout of RFC 9562's version 7) for the new rows: they land next to each other
  in the uuid index instead of on 100,000 random pages.
- A long list (half the register or more) sets member's own indexes aside and builds them again at the
  end: CREATE INDEX sorts once, where each row inserted walks down every index (100,000 into 100,000:
  1.0 s of index upkeep becomes 0.6 s of building). A short list keeps them, as building them over the
  whole register would cost more than it saves.

And new members can be written ahead (``MemberWriteAhead``): while the list is still being checked, on
the other core, into a transaction that only the clerk's 导入 commits.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    case,
    column,
    delete,
    func,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from models.audit import BulkInsert, bulk_inserted
from models.backups import take_backup
from models.entities import (
    TRIGRAM_INDEX,
    Employer,
    EmploymentForm,
    FirstLevelUnion,
    JoinChannel,
    Member,
    MembershipChangeKind,
    MemberStatus,
    StaffCountSource,
    Union,
    UnionKind,
    UnionStatus,
    now,
    union_employer,
)
from models.errors import KnownError
from models.paths import DataDir
from models.tasks import close_for_founded_union

__all__ = [
    "Directory",
    "EmployerEntry",
    "EmployerRow",
    "HeadcountRow",
    "ImportCancelled",
    "ImportChanged",
    "ImportCounts",
    "MemberRow",
    "MemberWriteAhead",
    "Progress",
    "UnionEntry",
    "UnionRow",
    "backup_before_import",
    "employer_entries",
    "first_level_union_ids",
    "member_ids_by_id_number",
    "member_summaries",
    "union_entries",
    "write_employers",
    "write_headcounts",
    "write_members",
    "write_unions",
]

Progress = tuple[int, int, str]
Cancelled = Callable[[], bool]

# Rows per executemany call and per INSERT … SELECT: each step is a point to report progress and to
# notice a cancel, and few enough statements that the search index is written out only a few times.
STAGE_BATCH = 10_000
MOVE_BATCH = 25_000
IMPORT_CACHE_KIB = 64 * 1024
FTS5_AUTOMERGE = 4  # FTS5's own default
# A member list at least this share of the register's length is written with member's own indexes set
# aside and built again at the end (``_set_indexes_aside``).
INDEXES_ASIDE_FROM = 0.5


class ImportCancelled(KnownError):
    """The clerk cancelled the import; nothing was written."""


class ImportChanged(KnownError):
    """The database changed between the preview and the write in a way the preview cannot absorb."""


@dataclass(frozen=True)
class ImportCounts:
    """What a write did: records added, records updated, rows left out because the record exists."""

    imported: int = 0
    updated: int = 0
    skipped: int = 0


# --- the rows an import writes ---------------------------------------------------------------------------
# Named tuples, not dicts: 100,000 of them are held between the preview and the write. A None means "not
# in the file": a new record gets the column's default, an updated one keeps what it had.


class MemberRow(NamedTuple):
    name: str
    id_number: str
    union_id: int
    joined_on: date
    ethnicity: str | None = None
    political_status: str | None = None
    education: str | None = None
    mobile: str | None = None
    household_type: str | None = None
    employment_form: str | None = None
    flexible_occupation: str | None = None
    join_channel: str | None = None
    status: str | None = None
    # 离会日期 of a member listed as 转出 or 退会; when the list has none, the day of the import is the only
    # day known (the member had left by then). Checked by the reader: not before joined_on, not in the future.
    left_on: date | None = None


class EmployerRow(NamedTuple):
    name: str
    credit_code: str | None = None
    employer_class: str | None = None  # required for a new employer
    industry: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    founded_on: date | None = None
    staff_count: int | None = None
    first_level_union_id: int | None = None


class UnionRow(NamedTuple):
    name: str
    credit_code: str | None = None
    kind: str | None = None
    first_level_union_id: int | None = (
        None  # required for a new union; an existing one is moved, not imported
    )
    employer_ids: tuple[int, ...] | None = None  # replaces the covered employers when given
    founded_on: date | None = None
    chair_name: str | None = None
    term_years: int | None = None
    covered_staff: int | None = None


class HeadcountRow(NamedTuple):
    employer_id: int
    staff_count: int
    staff_count_date: date


# --- lookups --------------------------------------------------------------------------------------------


class UnionEntry(NamedTuple):
    id: int
    name: str
    credit_code: str | None
    status: str
    first_level_union_id: int


class EmployerEntry(NamedTuple):
    id: int
    name: str
    credit_code: str | None
    first_level_union_id: int | None


def member_ids_by_id_number(engine: Engine) -> dict[str, int]:
    """Every member's id by ID number, in one query."""
    with engine.connect() as connection:
        return _member_ids(connection)


def _member_ids(connection: Connection) -> dict[str, int]:
    # On the driver's cursor: SQLAlchemy's rows took twice as long for 100,000 pairs (0.2 s against 0.09).
    cursor = connection.connection.driver_connection.execute("SELECT id_number, id FROM member")
    return dict(cursor.fetchall())


def member_summaries(engine: Engine, member_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Each of these members' name and union name, by member id, in one query."""
    if not member_ids:
        return {}
    wanted = set(member_ids)
    query = select(Member.id, Member.name, Union.name).join(Union, Member.union_id == Union.id)
    with engine.connect() as connection:
        return {row[0]: (row[1], row[2]) for row in connection.execute(query).all() if row[0] in wanted}


def union_entries(engine: Engine) -> list[UnionEntry]:
    """Every grassroots union, whatever its status, in one query."""
    with engine.connect() as connection:
        return _union_entries(connection)


def _union_entries(connection: Connection) -> list[UnionEntry]:
    query = select(Union.id, Union.name, Union.credit_code, Union.status, Union.first_level_union_id)
    return [UnionEntry(*row) for row in connection.execute(query)]


def employer_entries(engine: Engine) -> list[EmployerEntry]:
    """Every employer, in one query."""
    with engine.connect() as connection:
        return _employer_entries(connection)


def _employer_entries(connection: Connection) -> list[EmployerEntry]:
    query = select(Employer.id, Employer.name, Employer.credit_code, Employer.first_level_union_id)
    return [EmployerEntry(*row) for row in connection.execute(query)]


def first_level_union_ids(engine: Engine) -> dict[str, int]:
    """First-level unions by exact name."""
    with engine.connect() as connection:
        return dict(connection.execute(select(FirstLevelUnion.name, FirstLevelUnion.id)).all())


class Directory:
    """Employers or unions found by credit code, or by exact name.

    A row with a credit code is the record with that code; failing that, the one record of that name that
    has no code yet (the import fills it in). A row without a code is the one record of that name.
    """

    def __init__(self, entries: Sequence[UnionEntry | EmployerEntry]) -> None:
        self.by_id = {entry.id: entry for entry in entries}
        self._by_code = {entry.credit_code: entry.id for entry in entries if entry.credit_code}
        self._by_name: dict[str, list[int]] = {}
        for entry in entries:
            self._by_name.setdefault(entry.name, []).append(entry.id)

    def find(self, credit_code: str | None, name: str | None) -> list[int]:
        """The ids of the records the row may be: none, one, or several (the clerk must give a code)."""
        if credit_code:
            found = self._by_code.get(credit_code)
            if found is not None:
                return [found]
            if not name:
                return []
            return [i for i in self._by_name.get(name, ()) if not self.by_id[i].credit_code]
        return list(self._by_name.get(name, ())) if name else []


# --- the transaction ------------------------------------------------------------------------------------


@contextmanager
def _import_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction with a page cache big enough for an import's index pages."""
    with engine.execution_options(write=True).connect() as connection:
        # On the driver's connection, which runs no BEGIN of its own: a pragma is not part of the work.
        driver = connection.connection.driver_connection
        previous = driver.execute("PRAGMA cache_size").fetchone()[0]
        driver.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        try:
            with connection.begin():
                yield connection
        except IntegrityError as exc:
            # The checks passed on the preview; a refusal now means the registers changed meanwhile (a
            # union deleted, an ID number registered in the window). The transaction is rolled back.
            raise ImportChanged(
                f"登记信息在检查表格之后发生了变化，本次没有导入任何数据；请重新检查表格后再导入。（{exc.orig}）"
            ) from exc
        finally:
            # The connection goes back to the pool: the next user gets the usual cache.
            driver.execute(f"PRAGMA cache_size = {int(previous)}")


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled("已取消导入，数据库未作任何改动。")


def time_ordered_uuids(count: int) -> Iterator[str]:
    """UUIDs laid out as RFC 9562 version 7: milliseconds since 1970, a counter, then 62 random bits.

    Unique like uuid4 (the random bits), but consecutive ones sort together, so the uuid index takes a
    batch on a few pages (see the module docstring).
    """
    tick = time.time_ns() // 1_000_000 << 12
    noise = os.urandom(8 * count)  # one call for all of them: secrets.randbits per UUID costs a syscall each
    for step in range(count):
        stamp = tick + step  # 48 bits of milliseconds, then a 12-bit counter within them
        random_bits = int.from_bytes(noise[8 * step : 8 * step + 8], "big") >> 2
        text = f"{(stamp >> 12) << 80 | 0x7 << 76 | (stamp & 0xFFF) << 64 | 0b10 << 62 | random_bits:032x}"
        yield f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _stamp_text(moment: datetime) -> str:
    # The text SQLAlchemy's DateTime writes on SQLite, so that the rows read back as any other.
    return moment.isoformat(sep=" ", timespec="microseconds")


def _day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- members ----------------------------------------------------------------------------------------------

_MEMBER_UPDATED = (
    "id", "updated_at", "name", "ethnicity", "political_status", "education", "mobile", "household_type",
    "employment_form", "flexible_occupation", "union_id", "joined_on", "join_channel", "status", "left_on",
)  # fmt: skip


def _stage_table(connection: Connection, name: str, columns: Sequence[str]):
    """A TEMP table of untyped columns (the values arrive as SQLite stores them) and its Core handle."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
    connection.exec_driver_sql(f"CREATE TEMP TABLE {name} (seq INTEGER PRIMARY KEY, {', '.join(columns)})")
    return table(name, column("seq"), *(column(each) for each in columns), schema="temp")


def write_members(
    engine: Engine,
    rows: Sequence[MemberRow],
    *,
    update_existing: bool = False,
    cancelled: Cancelled | None = None,
    source: dict[str, str] | None = None,
    ahead: MemberWriteAhead | None = None,
) -> Generator[Progress, None, ImportCounts]:
    """Add the members; a member whose ID number is registered already is updated or skipped.

    With ``ahead`` (the new members written while the list was checked) only the rest is done here; if
    writing ahead failed, the import is written the ordinary way.

    The new members are recorded in the audit trail as one entry that names them all and ``source`` (the
    file and sheet they came from), see ``models.audit.bulk_inserted``; an update has an entry a member.

    An update writes the row's values over the record's and keeps what the row leaves empty; changing to
    在岗 clears a 灵活就业 occupation, and 在会 clears a leaving date, as the record's checks require.
    A member added as 转出 or 退会, or updated into another status, gets its ``MembershipChange`` row in
    the same transaction (a return to 在会 is a rejoining on the day of the import).

    Raises:
        ImportCancelled: ``cancelled()`` turned true; nothing was written.
    """
    if ahead is not None and ahead.open and ahead.error is None:
        try:
            yield 0, 0, "正在写入数据库…"
            return (
                yield from ahead.commit(
                    rows,
                    update_existing=update_existing,
                    cancelled=cancelled,
                    source=source or {"来源": "导入"},
                )
            )
        finally:
            ahead.discard()  # closed between two steps: rolled back now, not when collected
    if ahead is not None:
        ahead.discard()
    yield 0, 0, "正在写入数据库…"
    with _import_transaction(engine) as connection:
        existing = _member_ids(connection)
        new = [row for row in rows if row.id_number not in existing]
        old = [row for row in rows if row.id_number in existing] if update_existing else []
        # Each row is staged, then moved (or, for an update, applied): two steps a row.
        total = 2 * (len(new) + len(old))
        done = 0
        aside = _set_indexes_aside(connection) if _long_list(len(new) + len(old), len(existing)) else []
        with bulk_inserted(connection, "member", source or {"来源": "导入"}):
            _pause_search_merging(connection)
            for done in _insert_members(connection, new, cancelled):
                yield done, total, _phase("写入会员", done, len(new))
            _resume_search_merging(connection)
        for step in _update_members(connection, old, [existing[row.id_number] for row in old], cancelled):
            yield done + step, total, _phase("更新会员", step, len(old))
        if aside:
            yield total, total, BUILDING_INDEXES
            _build_indexes(connection, aside)
        _check(cancelled)
    yield total, total, "已写入数据库"
    return ImportCounts(len(new), len(old), len(rows) - len(new) - len(old))


BUILDING_INDEXES = "正在整理会员查询索引…"


def _long_list(rows: int, registered: int) -> bool:
    """Whether a list of ``rows`` members is long enough against the ``registered`` ones to set member's
    indexes aside: building one sorts all of them (about 0.6 µs a member an index, measured), where
    keeping it up costs about 2 µs a row written."""
    return rows > 0 and rows >= registered * INDEXES_ASIDE_FROM


def _set_indexes_aside(connection: Connection) -> list[str]:
    """Drop member's own indexes inside the import's transaction and return how to build them again.

    Not the indexes of its UNIQUE constraints (no SQL of their own in sqlite_master), which refuse a
    doubled ID number as the rows go in. A rollback, a cancel or a killed process brings the dropped
    ones back with the rest of the transaction.
    """
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'member' "
        "AND sql IS NOT NULL ORDER BY name"
    ).all()
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def _build_indexes(connection: Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


def _phase(action: str, step: int, count: int) -> str:
    """The message for step ``step`` of the ``2 * count`` steps of staging, then writing, ``count`` rows."""
    if step <= count:
        return f"正在准备{action} {step:,}/{count:,}"
    return f"正在{action} {step - count:,}/{count:,}"


# What a new member gets where the list says nothing.
_MEMBER_DEFAULTS = {
    "employment_form": EmploymentForm.REGULAR.value,
    "join_channel": JoinChannel.REGULAR.value,
    "status": MemberStatus.ACTIVE.value,
}
# A version 7 UUID (see time_ordered_uuids) made by SQLite from the staged row's number: 48 bits of
# milliseconds, a 12-bit counter, the variant and 62 bits of SQLite's random(), seeded by the system.
_UUID7_SQL = (
    "printf('%08x-%04x-7%03x-%04x-%012x', (:ms + ((seq - 1) >> 12)) >> 16, (:ms + ((seq - 1) >> 12)) & 65535, "
    "(seq - 1) & 4095, 32768 | (random() & 16383), random() & 281474976710655)"
)


_ACTIVE = MemberStatus.ACTIVE.value
# A new member's leaving date: none while 在会, else the list's 离会日期 or, when it has none, the day of the
# import (the record's checks and the latest MembershipChange both need one).
_LEFT_ON_SQL = (
    f"CASE WHEN coalesce(status, '{_ACTIVE}') = '{_ACTIVE}' THEN NULL ELSE coalesce(left_on, :today) END"
)


def _insert_members(
    connection: Connection, rows: list[MemberRow], cancelled: Cancelled | None
) -> Iterator[int]:
    if not rows:
        return
    names = MemberRow._fields
    _stage_table(connection, "import_member", names)
    staging = f"INSERT INTO temp.import_member ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    day = names.index("joined_on")
    assert names[-1] == "left_on"
    done = 0
    for start in range(0, len(rows), STAGE_BATCH):
        _check(cancelled)
        batch = rows[start : start + STAGE_BATCH]
        # The rows go in as they are but for the days, written as SQLAlchemy writes a Date (Python's own
        # date adapter for sqlite3 is deprecated since 3.12).
        connection.exec_driver_sql(
            staging,
            [(*row[:day], row[day].isoformat(), *row[day + 1 : -1], _day_text(row[-1])) for row in batch],
        )
        done += len(batch)
        yield done
    picked = ", ".join(
        f"coalesce({name}, '{_MEMBER_DEFAULTS[name]}')" if name in _MEMBER_DEFAULTS else name
        for name in names
        if name != "left_on"
    )
    picked += f", {_LEFT_ON_SQL}"
    moving = (
        f"INSERT INTO member (uuid, created_at, updated_at, {', '.join(names)}) "
        f"SELECT {_UUID7_SQL}, :stamp, :stamp, {picked} FROM temp.import_member "
        "WHERE seq > :after AND seq <= :until ORDER BY seq"
    )
    stamp, ms, today = _stamp_text(now()), time.time_ns() // 1_000_000, date.today().isoformat()
    for start in range(0, len(rows), MOVE_BATCH):
        _check(cancelled)
        connection.exec_driver_sql(
            moving, {"stamp": stamp, "ms": ms, "today": today, "after": start, "until": start + MOVE_BATCH}
        )
        done += min(MOVE_BATCH, len(rows) - start)
        yield done
    # Those who came in as 转出 or 退会: their leaving, dated as the member row has it. One statement,
    # found through the ID number's unique index; the active majority is passed over.
    connection.exec_driver_sql(
        "INSERT INTO membership_change (member_id, kind, happened_on, uuid, created_at, updated_at) "
        f"SELECT m.id, m.status, m.left_on, {_UUID7_SQL}, :stamp, :stamp "
        "FROM temp.import_member AS staged JOIN member AS m USING (id_number) "
        f"WHERE coalesce(staged.status, '{_ACTIVE}') != '{_ACTIVE}' ORDER BY seq",
        {"stamp": stamp, "ms": ms},
    )
    connection.exec_driver_sql("DROP TABLE temp.import_member")


def _update_members(
    connection: Connection, rows: list[MemberRow], ids: list[int], cancelled: Cancelled | None
) -> Iterator[int]:
    if not rows:
        return
    done = 0
    stage = _stage_table(connection, "import_member_update", _MEMBER_UPDATED)
    stamp = _stamp_text(now())
    statement = f"INSERT INTO temp.import_member_update ({', '.join(_MEMBER_UPDATED)}) VALUES ({', '.join('?' * len(_MEMBER_UPDATED))})"
    for start in range(0, len(rows), STAGE_BATCH):
        _check(cancelled)
        batch = zip(rows[start : start + STAGE_BATCH], ids[start : start + STAGE_BATCH], strict=True)
        connection.exec_driver_sql(
            statement,
            [
                (member_id, stamp, row.name, row.ethnicity, row.political_status, row.education, row.mobile,
                 row.household_type, row.employment_form, row.flexible_occupation, row.union_id,
                 _day_text(row.joined_on), row.join_channel, row.status, _day_text(row.left_on))
                for row, member_id in batch
            ],
        )  # fmt: skip
        done += min(STAGE_BATCH, len(rows) - start)
        yield done
    _check(cancelled)
    member = Member.__table__
    values = {
        name: func.coalesce(stage.c[name], member.c[name])
        for name in _MEMBER_UPDATED
        if name not in ("id", "updated_at", "flexible_occupation", "left_on")
    }
    form = func.coalesce(stage.c.employment_form, member.c.employment_form)
    values["flexible_occupation"] = case(
        (form == EmploymentForm.REGULAR.value, None),
        else_=func.coalesce(stage.c.flexible_occupation, member.c.flexible_occupation),
    )
    status = func.coalesce(stage.c.status, member.c.status)
    # As in _record_status_changes: a leaving the list makes takes its date; any other keeps the stored one.
    changed = stage.c.status.is_not(None) & (stage.c.status != member.c.status)
    today = date.today().isoformat()
    values["left_on"] = case(
        (status == _ACTIVE, None),
        (changed, func.coalesce(stage.c.left_on, today)),
        else_=member.c.left_on,
    )
    values["updated_at"] = stage.c.updated_at
    _record_status_changes(connection, today)
    # One UPDATE … FROM for all of them: one statement, so the search index is rewritten once.
    connection.execute(update(member).values(values).where(member.c.id == stage.c.id))
    connection.exec_driver_sql("DROP TABLE temp.import_member_update")
    yield done + len(rows)


def _record_status_changes(connection: Connection, today: str) -> None:
    """A ``MembershipChange`` for each updated member whose status the list changes, written before the
    update overwrites the status it compares: one INSERT … SELECT, like the update itself. A rejoining is
    dated the day of the import (a list gives no 重新入会日期), a leaving by the list's 离会日期 if any."""
    connection.exec_driver_sql(
        "INSERT INTO membership_change (member_id, kind, happened_on, uuid, created_at, updated_at) "
        f"SELECT m.id, CASE WHEN staged.status = '{_ACTIVE}' THEN '{MembershipChangeKind.REJOINED.value}' "
        "ELSE staged.status END, "
        f"CASE WHEN staged.status = '{_ACTIVE}' THEN :today ELSE coalesce(staged.left_on, :today) END, "
        f"{_UUID7_SQL}, :stamp, :stamp "
        "FROM temp.import_member_update AS staged JOIN member AS m ON m.id = staged.id "
        "WHERE staged.status IS NOT NULL AND staged.status != m.status ORDER BY seq",
        {"today": today, "stamp": _stamp_text(now()), "ms": time.time_ns() // 1_000_000},
    )


# --- employers ------------------------------------------------------------------------------------------

_EMPLOYER_FIELDS = EmployerRow._fields


# --- members written ahead, while the list is still being checked ---------------------------------------

# The fields a member's value is picked from a short list for (民族, 政治面貌…): a list of 100,000 members
# holds a thousand or so combinations of them. Each batch's JSON names the combination by its number in
# a TEMP table instead of spelling out eight fields: SQLite then takes seven fields out of each row's JSON,
# not fourteen, which was a third of the writer's time.
_CHOICE_FIELDS = (
    "ethnicity", "political_status", "education", "household_type", "employment_form", "flexible_occupation",
    "join_channel", "status",
)  # fmt: skip
_CHOICE_INDEXES = tuple(MemberRow._fields.index(name) for name in _CHOICE_FIELDS)
# A row of a batch: [name, id_number, union_id, joined_on, mobile, left_on, number of its choices].
_OWN_FIELDS = ("name", "id_number", "union_id", "joined_on", "mobile", "left_on")
_CHOICES_TABLE = "temp.import_member_choices"
_NEW_CHOICES_FROM_JSON = (
    f"INSERT INTO {_CHOICES_TABLE} (number, {', '.join(_CHOICE_FIELDS)}) "
    f"SELECT value ->> 0, {', '.join(f'value ->> {index + 1}' for index in range(len(_CHOICE_FIELDS)))} "
    "FROM json_each(:choices)"
)


def _chosen(name: str) -> str:
    """The SQL of a choice field of the new member: the list's value, or the default where it has none."""
    if name in _MEMBER_DEFAULTS:
        return f"coalesce(choices.{name}, '{_MEMBER_DEFAULTS[name]}')"
    return f"choices.{name}"


_MEMBERS_FROM_JSON = (
    f"INSERT INTO member (uuid, created_at, updated_at, {', '.join(_OWN_FIELDS + _CHOICE_FIELDS)}) "
    f"SELECT {_UUID7_SQL.replace('seq', '(:offset + row.key + 1)')}, :stamp, :stamp, "
    f"row.value ->> 0, row.value ->> 1, row.value ->> 2, row.value ->> 3, row.value ->> 4, "
    f"CASE WHEN coalesce(choices.status, '{_ACTIVE}') = '{_ACTIVE}' THEN NULL "
    "ELSE coalesce(row.value ->> 5, :today) END, "
    f"{', '.join(_chosen(name) for name in _CHOICE_FIELDS)} "
    # CROSS JOIN makes the batch the outer loop: the rows go in in the list's order, without a sort.
    f"FROM json_each(:rows) AS row CROSS JOIN {_CHOICES_TABLE} AS choices "
    "ON choices.number = row.value ->> 6"
)
WRITE_AHEAD_BATCH = 10_000


def _pause_search_merging(connection: Connection) -> None:
    """FTS5 merges the trigram index's segments as it goes (automerge); for a bulk insert that is a tenth of
    the time, spent on segments the next statements add to again. Paused for the import's transaction, the
    merging is done bit by bit by the writes that follow it (``_resume_search_merging``)."""
    connection.exec_driver_sql(f"INSERT INTO {TRIGRAM_INDEX}({TRIGRAM_INDEX}, rank) VALUES ('automerge', 0)")


def _resume_search_merging(connection: Connection) -> None:
    connection.exec_driver_sql(
        f"INSERT INTO {TRIGRAM_INDEX}({TRIGRAM_INDEX}, rank) VALUES ('automerge', {FTS5_AUTOMERGE})"
    )


class MemberWriteAhead:
    """The new members of an import, written while the rest of the list is still being checked.

    Checking is Python and holds the interpreter; writing is SQLite, which lets go of it while it works.
    So the checker hands each batch of accepted new members (as one JSON text: nothing to bind row by
    row) to a thread that writes it into an open transaction, and the two run side by side on two cores.
    Nothing is committed before the clerk has seen the preview and chosen 导入 (``commit``); going back,
    closing the wizard or a killed process roll it all back (``discard``), as if nothing had been written.

    The transaction holds the write lock from before the registers are read for the check, so the
    registers the check saw are the ones the rows go into. Any failure of the thread (a full disk…) is
    kept, and ``write_members`` then writes the import the ordinary way, which reports it.
    """

    def __init__(self, engine: Engine) -> None:
        self.known: dict[str, int] = {}  # the registered ID numbers the check uses (see ``expect``)
        self.error: BaseException | None = None
        self._queued = self._written = 0
        self._open = True
        self._connection = engine.execution_options(write=True).connect()
        driver = self._connection.connection.driver_connection
        self._previous_cache = driver.execute("PRAGMA cache_size").fetchone()[0]
        driver.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        # The commit would copy the import's 50 MB of log into the database file there and then (half of the
        # commit's time); the next commit of the program, or closing it, does that instead.
        self._previous_checkpoint = driver.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        driver.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            self._transaction = self._connection.begin()
            self._bulk = BulkInsert(self._connection, "member")
            _pause_search_merging(self._connection)
            self._connection.exec_driver_sql(
                f"CREATE TABLE {_CHOICES_TABLE} (number INTEGER PRIMARY KEY, {', '.join(_CHOICE_FIELDS)})"
            )
        except BaseException:
            self._close()
            raise
        self._values = {
            "stamp": _stamp_text(now()),
            "ms": time.time_ns() // 1_000_000,
            "today": date.today().isoformat(),
        }
        self._aside: list[str] = []  # how to build member's indexes again, if the writer set them aside
        self._choices: dict[tuple, int] = {}  # each combination of choice fields met, by its number
        # What the writer is to do next; three batches at most, which bounds the memory.
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=3)
        self._thread = threading.Thread(target=self._work, name="member-write-ahead", daemon=True)
        self._thread.start()

    @property
    def open(self) -> bool:
        return self._open

    def expect(self, known: dict[str, int], rows: int) -> None:
        """Told by the checker, before the first batch: the registered ID numbers it checks against, and
        how many rows the list holds. For a long list (``_long_list``) member's indexes are set aside
        while the rows go in, and ``commit`` builds them again."""
        self.known = known
        if self._queued == 0 and _long_list(rows, len(known)):
            self._jobs.put(self._set_indexes_aside)

    def add(self, rows: Sequence[MemberRow]) -> None:
        """Queue accepted new members (waits while the writer is three batches behind)."""
        if not rows or self.error is not None or not self._open:
            return
        known, new_choices, batch = self._choices, [], []
        for row in rows:
            choices = tuple(row[index] for index in _CHOICE_INDEXES)
            number = known.get(choices)
            if number is None:
                number = known[choices] = len(known) + 1
                new_choices.append((number, *choices))
            batch.append(
                (row.name, row.id_number, row.union_id, row.joined_on.isoformat(), row.mobile,
                 _day_text(row.left_on), number)
            )  # fmt: skip
        text = json.dumps(batch, ensure_ascii=False)
        offset, choices_text = self._queued, json.dumps(new_choices, ensure_ascii=False)
        self._jobs.put(lambda: self._insert(offset, len(rows), text, choices_text))
        self._queued += len(rows)

    def no_more_rows(self) -> None:
        if self._open:
            self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self.error is not None:
                continue  # drain, so that add() never waits on a writer that gave up
            try:
                job()
            except BaseException as exc:  # kept for write_members, which falls back and reports it
                self.error = exc

    def _set_indexes_aside(self) -> None:
        self._aside = _set_indexes_aside(self._connection)

    def _insert(self, offset: int, count: int, text: str, choices: str) -> None:
        self._connection.exec_driver_sql(_NEW_CHOICES_FROM_JSON, {"choices": choices})
        self._connection.exec_driver_sql(_MEMBERS_FROM_JSON, {**self._values, "rows": text, "offset": offset})
        self._written += count

    def _wait(self, cancelled: Cancelled | None) -> Iterator[int]:
        """Rows written so far, until the writer has written every queued row."""
        self.no_more_rows()
        while self._thread.is_alive():
            self._thread.join(0.1)
            _check(cancelled)
            yield self._written

    def commit(
        self,
        rows: Sequence[MemberRow],
        *,
        update_existing: bool,
        cancelled: Cancelled | None,
        source: dict[str, str],
    ) -> Generator[Progress, None, ImportCounts]:
        """Finish the import begun ahead: the updates, the leavings, the audit entry, then COMMIT."""
        try:
            old = [row for row in rows if row.id_number in self.known] if update_existing else []
            new = self._queued
            total = new + 2 * len(old)
            for done in self._wait(cancelled):
                yield done, total, _phase("写入会员", new + done, new)
            if self.error is not None:
                raise self.error
            connection = self._connection
            connection.exec_driver_sql(f"DROP TABLE {_CHOICES_TABLE}")  # the connection goes back to the pool
            ids = [self.known[row.id_number] for row in old]
            for step in _update_members(connection, old, ids, cancelled):
                yield new + step, total, _phase("更新会员", step, len(old))
            if self._aside:
                yield total, total, BUILDING_INDEXES
                _build_indexes(connection, self._aside)
            # Those who came in as 转出 or 退会: their leaving, dated as the member row has it.
            connection.exec_driver_sql(
                "INSERT INTO membership_change (member_id, kind, happened_on, uuid, created_at, updated_at) "
                f"SELECT id, status, left_on, {_UUID7_SQL.replace('seq', 'id')}, :stamp, :stamp FROM member "
                f"WHERE id > :before AND status != '{_ACTIVE}' ORDER BY id",
                {**self._values, "before": self._bulk.before},
            )
            self._bulk.finish(source)
            _resume_search_merging(connection)
            # The last point to cancel (or to close this generator) before the rows are there for good.
            yield total, total, "正在保存…"
            _check(cancelled)
            self._transaction.commit()
        except IntegrityError as exc:
            self.discard()
            raise ImportChanged(
                f"登记信息在检查表格之后发生了变化，本次没有导入任何数据；请重新检查表格后再导入。（{exc.orig}）"
            ) from exc
        finally:
            self.discard()
        yield total, total, "已写入数据库"
        return ImportCounts(new, len(old), len(rows) - new - len(old))

    def discard(self) -> None:
        """Roll back whatever was written ahead (nothing once committed) and give the connection back."""
        if not self._open:
            return
        self.no_more_rows()
        self._thread.join()
        self._open = False
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        self._open = False
        with suppress(DBAPIError, sqlite3.Error):  # a connection SQLite gave up on is closed all the same
            driver = self._connection.connection.driver_connection
            driver.execute(f"PRAGMA cache_size = {int(self._previous_cache)}")
            driver.execute(f"PRAGMA wal_autocheckpoint = {int(self._previous_checkpoint)}")
        self._connection.close()


def write_employers(
    engine: Engine,
    rows: Sequence[EmployerRow],
    *,
    update_existing: bool = False,
    cancelled: Cancelled | None = None,
) -> Generator[Progress, None, ImportCounts]:
    """Add the employers; one already registered (same credit code, or same name without one) is updated
    or skipped.

    Raises:
        ImportCancelled: ``cancelled()`` turned true; nothing was written.
        ImportChanged: a row now matches several employers, or a new one has no class.
    """
    return (
        yield from _write_registered(
            engine, rows, "单位", _employer_entries, _insert_employers, _update_employers,
            lambda row: None if row.employer_class is not None else f"单位“{row.name}”未填写单位类别",
            update_existing, cancelled,
        )
    )  # fmt: skip


def _write_registered(
    engine: Engine,
    rows: Sequence,
    noun: str,
    entries: Callable[[Connection], list],
    insert: Callable[[Connection, list, datetime], None],
    update: Callable[[Connection, list, datetime], None],
    incomplete: Callable[[object], str | None],
    update_existing: bool,
    cancelled: Cancelled | None,
) -> Generator[Progress, None, ImportCounts]:
    """Employers and unions alike: new rows are inserted, rows matching a registered record updated (or
    skipped), in one transaction; ``incomplete(row)`` says what a new row lacks, if anything."""
    total = len(rows)
    yield 0, total, f"正在写入{noun}…"
    with _import_transaction(engine) as connection:
        new, old = _split(rows, Directory(entries(connection)), noun)
        for row in new:
            if (missing := incomplete(row)) is not None:
                raise ImportChanged(f"{missing}，请重新检查表格后再导入。")
        stamp = now()
        for done in _batches(new, cancelled, lambda batch: insert(connection, batch, stamp)):
            yield done, total, f"正在写入{noun} {done:,}/{total:,}"
        if update_existing:
            for done in _batches(old, cancelled, lambda batch: update(connection, batch, stamp)):
                yield len(new) + done, total, f"正在更新{noun} {len(new) + done:,}/{total:,}"
        _check(cancelled)
    yield total, total, "已写入数据库"
    return ImportCounts(len(new), len(old) if update_existing else 0, 0 if update_existing else len(old))


def _split(rows, directory: Directory, noun: str) -> tuple[list, list[tuple[int, object]]]:
    """The rows that are new, and (record id, row) for those matching a registered record."""
    new, old = [], []
    for row in rows:
        found = directory.find(row.credit_code, row.name)
        if len(found) > 1:
            raise ImportChanged(f"有多个名为“{row.name}”的{noun}，请填写统一社会信用代码后重新导入。")
        if found:
            old.append((found[0], row))
        else:
            new.append(row)
    return new, old


def _batches(rows: list, cancelled: Cancelled | None, write: Callable[[list], None]) -> Iterator[int]:
    """Writes the rows a batch at a time, checking for a cancel before each; yields the rows done."""
    done = 0
    for start in range(0, len(rows), STAGE_BATCH):
        _check(cancelled)
        batch = rows[start : start + STAGE_BATCH]
        write(batch)
        done += len(batch)
        yield done


def _insert_employers(connection: Connection, rows: list[EmployerRow], stamp: datetime) -> None:
    keys = time_ordered_uuids(len(rows))
    connection.execute(
        insert(Employer.__table__),
        [{**row._asdict(), "uuid": next(keys), "created_at": stamp, "updated_at": stamp} for row in rows],
    )


def _coalesced(target, fields: Sequence[str]) -> dict:
    # Bound parameters may not share a column's name in an UPDATE's SET clause: hence the "p_".
    return {
        name: func.coalesce(bindparam(f"p_{name}", type_=target.c[name].type), target.c[name])
        for name in fields
    }


def _update_employers(connection: Connection, rows: list[tuple[int, EmployerRow]], stamp: datetime) -> None:
    employer = Employer.__table__
    statement = (
        update(employer)
        .where(employer.c.id == bindparam("p_id"))
        .values(**_coalesced(employer, _EMPLOYER_FIELDS), updated_at=stamp)
    )
    connection.execute(
        statement,
        [{"p_id": record_id, **{f"p_{k}": v for k, v in row._asdict().items()}} for record_id, row in rows],
    )


# --- unions ---------------------------------------------------------------------------------------------

_UNION_UPDATED = ("name", "credit_code", "kind", "founded_on", "chair_name", "term_years", "covered_staff")


def write_unions(
    engine: Engine,
    rows: Sequence[UnionRow],
    *,
    update_existing: bool = False,
    cancelled: Cancelled | None = None,
) -> Generator[Progress, None, ImportCounts]:
    """Add the grassroots unions with the employers they cover; one already registered (same credit code,
    or same name without one) is updated or skipped. An update never moves a union to another
    first-level union: that is a move, with a date and a reason (``models.unions.move_union``). The open
    organising tasks and notices of the employers they cover close with them (``models.tasks``).

    Raises:
        ImportCancelled: ``cancelled()`` turned true; nothing was written.
        ImportChanged: a row now matches several unions, or a new one has no first-level union.
    """
    return (
        yield from _write_registered(
            engine, rows, "基层工会", _union_entries, _insert_unions, _update_unions,
            lambda row: None if row.first_level_union_id is not None else f"基层工会“{row.name}”未填写上级工会",
            update_existing, cancelled,
        )
    )  # fmt: skip


def _insert_unions(connection: Connection, rows: list[UnionRow], stamp: datetime) -> None:
    # One at a time, for each new id to link its employers to: unions number in the hundreds, not 100,000.
    for row, key in zip(rows, time_ordered_uuids(len(rows)), strict=True):
        values = {
            "uuid": key, "created_at": stamp, "updated_at": stamp, "name": row.name,
            "credit_code": row.credit_code, "kind": row.kind or UnionKind.SINGLE.value,
            "first_level_union_id": row.first_level_union_id, "founded_on": row.founded_on,
            "chair_name": row.chair_name, "term_years": row.term_years or 5,
            "covered_staff": row.covered_staff or 0, "status": UnionStatus.ACTIVE.value,
        }  # fmt: skip
        union_id = connection.execute(insert(Union.__table__).values(values)).inserted_primary_key[0]
        _link_employers(connection, union_id, row.employer_ids or ())
        close_for_founded_union(connection, union_id, row.founded_on or date.today())


def _link_employers(connection: Connection, union_id: int, employer_ids: Sequence[int]) -> None:
    if employer_ids:
        connection.execute(
            insert(union_employer),
            [{"union_id": union_id, "employer_id": i} for i in dict.fromkeys(employer_ids)],
        )


def _update_unions(connection: Connection, rows: list[tuple[int, UnionRow]], stamp: datetime) -> None:
    union = Union.__table__
    statement = (
        update(union)
        .where(union.c.id == bindparam("p_id"))
        .values(**_coalesced(union, _UNION_UPDATED), updated_at=stamp)
    )
    connection.execute(
        statement,
        [
            {"p_id": record_id, **{f"p_{k}": getattr(row, k) for k in _UNION_UPDATED}}
            for record_id, row in rows
        ],
    )
    for record_id, row in rows:
        if row.employer_ids is not None:
            connection.execute(delete(union_employer).where(union_employer.c.union_id == record_id))
            _link_employers(connection, record_id, row.employer_ids)
            close_for_founded_union(connection, record_id, date.today())  # employers newly covered


# --- headcounts -----------------------------------------------------------------------------------------


def write_headcounts(
    engine: Engine,
    rows: Sequence[HeadcountRow],
    *,
    source: StaffCountSource,
    cancelled: Cancelled | None = None,
) -> Generator[Progress, None, ImportCounts]:
    """Set each employer's staff count, with where it came from and as of when.

    A row whose employer was deleted since the preview is counted as skipped.

    Raises:
        ImportCancelled: ``cancelled()`` turned true; nothing was written.
    """
    source = StaffCountSource(source)
    total = len(rows)
    yield 0, total, "正在写入职工人数…"
    updated = 0
    with _import_transaction(engine) as connection:
        employer = Employer.__table__
        statement = (
            update(employer)
            .where(employer.c.id == bindparam("p_id"))
            .values(
                staff_count=bindparam("p_count"),
                staff_count_date=bindparam("p_date", type_=employer.c.staff_count_date.type),
                staff_count_source=source.value,
                updated_at=now(),
            )
        )
        done = 0
        for start in range(0, total, STAGE_BATCH):
            _check(cancelled)
            batch = rows[start : start + STAGE_BATCH]
            result = connection.execute(
                statement,
                [
                    {"p_id": row.employer_id, "p_count": row.staff_count, "p_date": row.staff_count_date}
                    for row in batch
                ],
            )
            updated += result.rowcount
            done += len(batch)
            yield done, total, f"正在写入职工人数 {done:,}/{total:,}"
        _check(cancelled)
    yield total, total, "已写入数据库"
    return ImportCounts(0, updated, total - updated)


# --- the backup before an import ------------------------------------------------------------------------


def backup_before_import(data_dir: DataDir) -> Path:
    """The automatic copy of the database taken before an import writes to it, in the backups folder."""
    return take_backup(data_dir, "before_import").path  # into the backup folder, rotated
