"""What a clerk does to many members at once: move them to another union, record 转出 or 退会 and 重新入会
(each kept as a ``MembershipChange`` with its date), delete them to the recycle bin (回收站) and restore them,
and sort out possible duplicates.

Selections can hold tens of thousands of ids, more than SQLite takes as bound parameters, so the ids travel
as one JSON array and SQLite's ``json_each`` unpacks them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Engine,
    Select,
    String,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import aliased

from models import codes
from models.audit import clear_entries
from models.database import in_ids, in_values, reading, writing
from models.entities import (
    DistinctPeople,
    Member,
    MembershipChange,
    MembershipChangeKind,
    MemberStatus,
    RecycledKind,
    RecycledRecord,
    Union,
    UnionStatus,
    new_uuid,
    now,
)
from models.errors import InvalidInput, refuse_future_date
from models.registers import find_union


def _checked_ids(ids: Sequence[int]) -> list[int]:
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        raise InvalidInput("没有选中会员")
    return unique


# --- moving and status --------------------------------------------------------------------------------


def transfer_members(engine: Engine, ids: Sequence[int], union: int | str) -> int:
    """Move members to another (active) union; returns how many moved. All or none."""
    ids = _checked_ids(ids)
    with writing(engine) as s, s.begin():
        target = find_union(s, union)
        result = s.execute(update(Member).where(in_ids(Member.id, ids)).values(union_id=target.id))
        return result.rowcount


def change_member_status(engine: Engine, ids: Sequence[int], status: str, when: date | None) -> int:
    """Record 转出 or 退会 on a date, or bring members back to 在会 (重新入会) on a date; returns how many
    changed.

    Each change is written twice in one transaction: the member row takes the present state, and a
    ``MembershipChange`` row keeps the change with its date, so the figures of a past period stay right
    after a member who left comes back. Members already in the asked status are left alone, except a
    member who left on a day never recorded (an old import): asked again, the leaving gets its date.

    Raises:
        InvalidInput: no date, a date in the future, a leaving before joining, a change dated before the
            member's last leaving or rejoining, or a rejoining into a union that has closed.
    """
    ids = _checked_ids(ids)
    if status not in set(MemberStatus):
        raise InvalidInput(f"会员状态“{status}”无效", "status")
    back = status == MemberStatus.ACTIVE
    if when is None:
        raise InvalidInput("请填写重新入会的日期" if back else "请填写转出或退会的日期", "left_on")
    refuse_future_date(when, "重新入会日期" if back else "日期", "left_on")
    with writing(engine) as s, s.begin():
        changing = list(s.scalars(select(Member.id).where(in_ids(Member.id, ids), _changes_to(status))))
        if not changing:
            return 0
        _refuse_out_of_order(s, changing, status, when)
        if back:
            _refuse_closed_unions(s, changing)
        s.execute(
            update(Member)
            .where(in_ids(Member.id, changing))
            .values(status=status, left_on=None if back else when)
        )
        kind = MembershipChangeKind.REJOINED if back else MembershipChangeKind(status)
        stamp = now()
        # Made by SQLite from the same ids as the update, one INSERT … SELECT: for 10,000 members the ORM's
        # executemany spent 0.6 s building rows in Python, this takes a few milliseconds.
        s.execute(
            insert(MembershipChange.__table__).from_select(
                ["member_id", "kind", "happened_on", "uuid", "created_at", "updated_at"],
                select(
                    Member.id, literal(kind.value, String), literal(when, Date), literal_column(_UUID4_SQL),
                    literal(stamp, DateTime), literal(stamp, DateTime),
                ).where(in_ids(Member.id, changing)),
            )
        )  # fmt: skip
        return len(changing)


# A version 4 UUID made by SQLite, as uuid.uuid4() makes one: random bits, then the version (4) and the
# variant (8, 9, a or b) in their places.
_UUID4_SQL = (
    "lower(printf('%s-%s-4%s-%x%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), "
    "8 + abs(random() % 4), substr(hex(randomblob(2)), 2), hex(randomblob(6))))"
)


def _changes_to(status: str):
    """Which members the change is for: those in another status, and those who left undated."""
    if status == MemberStatus.ACTIVE:
        return Member.status != status
    return (Member.status != status) | Member.left_on.is_(None)


def _refuse_out_of_order(s, ids: list[int], status: str, when: date) -> None:
    """A change may not come before what the record already holds: the joining, the last leaving or
    rejoining (the latest change must stay the one that says the present state)."""
    if status != MemberStatus.ACTIVE:
        early = s.scalar(select(func.count()).where(in_ids(Member.id, ids), Member.joined_on > when))
        if early:
            raise InvalidInput(f"选中的会员中有 {early} 人的入会日期晚于 {when:%Y-%m-%d}", "left_on")
    last_change = (
        select(func.max(MembershipChange.happened_on))
        .where(MembershipChange.member_id == Member.id)
        .scalar_subquery()
    )
    # A leaving from before the change rows existed (no row, an old database) has its date in left_on.
    later = s.scalar(
        select(func.count()).where(in_ids(Member.id, ids), func.coalesce(last_change, Member.left_on) > when)
    )
    if not later:
        return
    if status == MemberStatus.ACTIVE:
        raise InvalidInput(
            f"选中的会员中有 {later} 人的转出或退会日期晚于 {when:%Y-%m-%d}，重新入会日期不能早于离会日期",
            "left_on",
        )
    raise InvalidInput(
        f"选中的会员中有 {later} 人最近一次转出、退会或重新入会的日期晚于 {when:%Y-%m-%d}", "left_on"
    )


def _refuse_closed_unions(s, ids: list[int]) -> None:
    closed = s.scalar(
        select(func.count())
        .select_from(Member)
        .join(Member.union)
        .where(in_ids(Member.id, ids), Union.status != UnionStatus.ACTIVE)
    )
    if closed:
        raise InvalidInput(f"选中的会员中有 {closed} 人所在工会已转出或撤销，请先把他们转到其他工会")


# --- the recycle bin ----------------------------------------------------------------------------------

_STORED_COLUMNS = [column for column in Member.__table__.columns if column.computed is None]


@dataclass(frozen=True)
class RecycledEntry:
    id: int
    kind: str
    summary: str
    reason: str | None
    deleted_at: datetime


@dataclass(frozen=True)
class RestoreResult:
    restored: int
    refused: list[tuple[str, str]]  # (summary, reason in Chinese)


# A member's leavings and rejoinings travel in its payload under this key: the database deletes them with
# the member (ON DELETE CASCADE), and a restored member must get its history back.
_CHANGES_KEY = "membership_changes"
_CHANGE_COLUMNS = ("uuid", "kind", "happened_on", "created_at", "updated_at")


def _text(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def _payload(row, changes: Sequence) -> str:
    values = {column.name: _text(row._mapping[column.name]) for column in _STORED_COLUMNS}
    values[_CHANGES_KEY] = [
        {name: _text(getattr(change, name)) for name in _CHANGE_COLUMNS} for change in changes
    ]
    return json.dumps(values, ensure_ascii=False)


def _from_payload(payload: str) -> tuple[dict, list[dict]]:
    """The member's column values and its membership changes (without member_id: it may get a new id)."""
    values = json.loads(payload)
    changes = values.pop(_CHANGES_KEY, None)
    for column in _STORED_COLUMNS:
        value = values.get(column.name)
        if value is not None and isinstance(column.type, DateTime):
            values[column.name] = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            values[column.name] = date.fromisoformat(value)
    if changes is None:
        # Deleted before change rows existed (schema 0006): the row the migration wrote for every member
        # who had left, made from the same status and date.
        changes = []
        if values.get("status") != MemberStatus.ACTIVE and values.get("left_on") is not None:
            changes.append({"kind": values["status"], "happened_on": values["left_on"].isoformat()})
    stamp = now()
    for change in changes:
        change["happened_on"] = date.fromisoformat(change["happened_on"])
        # Every row with the same keys: the rows are written by one executemany.
        change["uuid"] = change.get("uuid") or new_uuid()
        for name in ("created_at", "updated_at"):
            change[name] = datetime.fromisoformat(change[name]) if change.get(name) else stamp
    return values, changes


def _changes_by_member(s, member_ids: list[int]) -> dict[int, list]:
    """Each member's change rows, oldest first, in one query."""
    found: dict[int, list] = {}
    rows = s.execute(
        select(MembershipChange.member_id, *(getattr(MembershipChange, name) for name in _CHANGE_COLUMNS))
        .where(in_ids(MembershipChange.member_id, member_ids))
        .order_by(MembershipChange.happened_on, MembershipChange.id)
    )
    for row in rows:
        found.setdefault(row.member_id, []).append(row)
    return found


def _summary(name: str, id_number: str, union_name: str) -> str:
    return f"{name}　{codes.mask_id_number(id_number)}　{union_name}"


def recycle_members(engine: Engine, ids: Sequence[int], reason: str | None = None) -> int:
    """Delete members to the recycle bin: each kept whole, restorable. Returns how many. All or none."""
    ids = _checked_ids(ids)
    with writing(engine) as s, s.begin():
        return _recycle(s, ids, reason)


def _recycle(s, ids: list[int], reason: str | None) -> int:
    rows = s.execute(
        select(*_STORED_COLUMNS, Union.name.label("union_name")).join(Union).where(in_ids(Member.id, ids))
    ).all()
    if rows:
        changes = _changes_by_member(s, [row.id for row in rows])
        s.execute(
            insert(RecycledRecord),
            [
                {
                    "kind": RecycledKind.MEMBER,
                    "record_id": row.id,
                    "record_uuid": row.uuid,
                    "summary": _summary(row.name, row.id_number, row.union_name),
                    "payload": _payload(row, changes.get(row.id, ())),
                    "reason": reason,
                }
                for row in rows
            ],
        )
        s.execute(delete(Member).where(in_ids(Member.id, ids)))
    return len(rows)


def recycled_entries(engine: Engine, limit: int | None = None) -> list[RecycledEntry]:
    """What the recycle bin holds, the latest deletion first (the latest ``limit`` only, when given)."""
    with reading(engine) as s, s.begin():
        rows = s.execute(
            select(
                RecycledRecord.id, RecycledRecord.kind, RecycledRecord.summary,
                RecycledRecord.reason, RecycledRecord.created_at,
            ).order_by(RecycledRecord.created_at.desc(), RecycledRecord.id.desc()).limit(limit)
        )  # fmt: skip
        return [RecycledEntry(*row) for row in rows]


def recycled_count(engine: Engine) -> int:
    with reading(engine) as s, s.begin():
        return s.scalar(select(func.count()).select_from(RecycledRecord))


def restore_recycled(engine: Engine, entry_ids: Sequence[int]) -> RestoreResult:
    """Put deleted members back as they were (same id and uuid where free).

    An entry whose ID number has been registered again since stays in the bin, with the reason; the others
    are restored in one transaction, in a few statements however many there are.
    """
    entry_ids = _checked_ids(entry_ids)
    with writing(engine) as s, s.begin():
        entries = s.execute(
            select(RecycledRecord.id, RecycledRecord.summary, RecycledRecord.payload).where(
                in_ids(RecycledRecord.id, entry_ids)
            )
        ).all()
        members, histories = [], []
        for entry in entries:
            member, changes = _from_payload(entry.payload)
            members.append(member)
            histories.append(changes)
        numbers = [m["id_number"] for m in members]
        taken = dict(
            s.execute(select(Member.id_number, Member.name).where(in_values(Member.id_number, numbers))).all()
        )
        used_ids = set(s.scalars(select(Member.id).where(in_ids(Member.id, [m["id"] for m in members]))))
        refused, keep_id, new_id, restored, changes = [], [], [], [], {}
        for entry, member, history in zip(entries, members, histories, strict=True):
            if member["id_number"] in taken:
                refused.append((entry.summary, f"该身份证号已重新登记为会员“{taken[member['id_number']]}”"))
                continue
            taken[member["id_number"]] = member["name"]  # the bin may hold the same person twice
            if member["id"] in used_ids:
                member.pop("id")  # a newer record took the number: the uuid still says who this is
                new_id.append(member)
            else:
                keep_id.append(member)
            restored.append(entry.id)
            if history:
                changes[member["uuid"]] = history
        for rows in (keep_id, new_id):
            if rows:
                s.execute(insert(Member), rows)
        _restore_changes(s, changes)
        if restored:
            s.execute(delete(RecycledRecord).where(in_ids(RecycledRecord.id, restored)))
    return RestoreResult(len(restored), refused)


def _restore_changes(s, changes: dict[str, list[dict]]) -> None:
    """Give restored members (by uuid: some got a new id) their change rows back, in one statement."""
    if not changes:
        return
    ids = dict(s.execute(select(Member.uuid, Member.id).where(in_values(Member.uuid, list(changes)))).all())
    s.execute(
        insert(MembershipChange),
        [{**change, "member_id": ids[key]} for key, history in changes.items() for change in history],
    )


def purge_recycled(engine: Engine, entry_ids: Sequence[int]) -> int:
    """Delete entries from the recycle bin for good (the personal data they hold goes with them)."""
    entry_ids = _checked_ids(entry_ids)
    with writing(engine) as s, s.begin():
        chosen = in_ids(RecycledRecord.id, entry_ids)
        uuids = [
            u
            for pair in s.execute(select(RecycledRecord.record_uuid, RecycledRecord.uuid).where(chosen))
            for u in pair
        ]
        purged = s.execute(delete(RecycledRecord).where(chosen)).rowcount
        # The audit trail kept the member's values, and the deletions just made keep the bin's copy.
        clear_entries(s.connection(), "member", uuids, "从回收站彻底删除")
        return purged


# --- possible duplicates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMember:
    id: int
    name: str
    id_number: str  # masked: the list shows it so; the opened record shows it whole
    mobile: str | None
    union_name: str
    joined_on: date
    status: str


@dataclass(frozen=True)
class PossibleDuplicate:
    """Two records that may be one person under two unions, and why they look alike."""

    first: DuplicateMember
    second: DuplicateMember
    reason: str  # "same_name_birth" or "same_mobile"


def _pairs(condition) -> Select:
    a, b = aliased(Member, name="a"), aliased(Member, name="b")
    marked = (
        select(DistinctPeople.first_member_id)
        .where(DistinctPeople.first_member_id == a.id, DistinctPeople.second_member_id == b.id)
        .exists()
    )
    return select(a.id, b.id).join(b, condition(a, b) & (a.id < b.id)).where(~marked)


def _birth(member):
    """The birth date inside the ID number (positions 7-14)."""
    return func.substr(member.id_number, 7, 8)


def _same_name_and_birth(a, b):
    return (a.name == b.name) & (_birth(a) == _birth(b))


def _same_mobile(a, b):
    return (a.mobile == b.mobile) & a.mobile.is_not(None)


def possible_duplicates(engine: Engine) -> list[PossibleDuplicate]:
    """Pairs of members with the same name and birth date (a mistyped ID number), or the same mobile."""
    with reading(engine) as s, s.begin():
        found: dict[tuple[int, int], str] = {}
        for reason, condition in (("same_name_birth", _same_name_and_birth), ("same_mobile", _same_mobile)):
            for first, second in s.execute(_pairs(condition)):
                found.setdefault((first, second), reason)
        members = _duplicate_members(s, {i for pair in found for i in pair})
        return [
            PossibleDuplicate(members[first], members[second], reason)
            for (first, second), reason in sorted(found.items(), key=lambda item: members[item[0][0]].name)
        ]


def _duplicate_members(s, ids: set[int]) -> dict[int, DuplicateMember]:
    if not ids:
        return {}
    rows = s.execute(
        select(
            Member.id, Member.name, Member.id_number, Member.mobile, Union.name,
            Member.joined_on, Member.status,
        ).join(Union).where(in_ids(Member.id, sorted(ids)))
    )  # fmt: skip
    return {
        row[0]: DuplicateMember(
            row[0],
            row[1],
            codes.mask_id_number(row[2]),
            codes.mask_mobile(row[3]) if row[3] else None,
            *row[4:],
        )
        for row in rows
    }


def mark_distinct_people(engine: Engine, first_id: int, second_id: int) -> None:
    """The clerk has checked: these are two people. They are not offered as duplicates again."""
    low, high = sorted((first_id, second_id))
    with writing(engine) as s, s.begin():
        if s.get(DistinctPeople, (low, high)) is None:
            s.add(DistinctPeople(first_member_id=low, second_member_id=high))


def merge_members(engine: Engine, keep_id: int, drop_id: int) -> None:
    """One person registered twice: keep one record, fill its empty mobile from the other, and delete the
    other to the recycle bin (so a wrong merge can be undone).

    When the dropped record's membership ended before the kept one began (the person left and was
    registered again), the two are one history: the kept record takes the earlier joining and the dropped
    record's leavings and rejoinings, and its own joining becomes a rejoining, so the figures of every
    period stay as they were. Two records of the same time are one membership entered twice: the kept
    record's history stands, and the dropped record's goes with it into the recycle bin.
    """
    if keep_id == drop_id:
        raise InvalidInput("请选择两条不同的记录")
    with writing(engine) as s, s.begin():
        keep, drop = s.get(Member, keep_id), s.get(Member, drop_id)
        if keep is None or drop is None:
            raise InvalidInput("其中一条会员记录已不存在")
        if keep.mobile is None and drop.mobile is not None:
            keep.mobile = drop.mobile
        reason = f"与会员“{keep.name}”（{codes.mask_id_number(keep.id_number)}）合并"
        moved = []
        if _ended_before(drop, keep):
            moved = [
                {"member_id": keep_id, "kind": kind, "happened_on": day}
                for kind, day in s.execute(
                    select(MembershipChange.kind, MembershipChange.happened_on)
                    .where(MembershipChange.member_id == drop_id)
                    .order_by(MembershipChange.happened_on, MembershipChange.id)
                )
            ]
            moved.append(
                {"member_id": keep_id, "kind": MembershipChangeKind.REJOINED, "happened_on": keep.joined_on}
            )
            keep.joined_on = drop.joined_on
        s.flush()
        # The dropped record keeps its own rows in the bin (a restore gives them back); the kept one gets
        # copies with new uuids, written after the cascade has deleted the originals.
        _recycle(s, [drop_id], reason)
        if moved:
            s.execute(insert(MembershipChange), moved)


def _ended_before(earlier: Member, later: Member) -> bool:
    return (
        earlier.status != MemberStatus.ACTIVE
        and earlier.left_on is not None
        and earlier.left_on <= later.joined_on
    )
