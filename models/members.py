"""What a clerk does to many members at once: move them to another union, record 转出 or 退会, delete them to
the recycle bin (回收站) and restore them, and sort out possible duplicates.

Selections can hold tens of thousands of ids, more than SQLite takes as bound parameters, so the ids travel
as one JSON array and SQLite's ``json_each`` unpacks them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Engine, Select, delete, func, insert, select, update
from sqlalchemy.orm import aliased

from models import codes
from models.database import in_ids, in_values, reading, writing
from models.entities import (
    DistinctPeople,
    Member,
    MemberStatus,
    RecycledKind,
    RecycledRecord,
    Union,
    UnionStatus,
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


def change_member_status(engine: Engine, ids: Sequence[int], status: str, when: date | None = None) -> int:
    """Record 转出 or 退会 (with its date) or bring members back to 在会; returns how many changed."""
    ids = _checked_ids(ids)
    if status not in set(MemberStatus):
        raise InvalidInput(f"会员状态“{status}”无效", "status")
    if status == MemberStatus.ACTIVE:
        when = None
    elif when is None:
        raise InvalidInput("请填写转出或退会的日期", "left_on")
    refuse_future_date(when, "日期", "left_on")
    with writing(engine) as s, s.begin():
        if when is not None:
            early = s.scalar(select(func.count()).where(in_ids(Member.id, ids), Member.joined_on > when))
            if early:
                raise InvalidInput(f"选中的会员中有 {early} 人的入会日期晚于 {when:%Y-%m-%d}", "left_on")
        if status == MemberStatus.ACTIVE:
            closed = s.scalar(
                select(func.count())
                .select_from(Member)
                .join(Member.union)
                .where(in_ids(Member.id, ids), Union.status != UnionStatus.ACTIVE)
            )
            if closed:
                raise InvalidInput(f"选中的会员中有 {closed} 人所在工会已转出或撤销，请先把他们转到其他工会")
        result = s.execute(update(Member).where(in_ids(Member.id, ids)).values(status=status, left_on=when))
        return result.rowcount


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


def _payload(row) -> str:
    values = {}
    for column in _STORED_COLUMNS:
        value = row._mapping[column.name]
        values[column.name] = value.isoformat() if isinstance(value, date | datetime) else value
    return json.dumps(values, ensure_ascii=False)


def _from_payload(payload: str) -> dict:
    values = json.loads(payload)
    for column in _STORED_COLUMNS:
        value = values.get(column.name)
        if value is not None and isinstance(column.type, DateTime):
            values[column.name] = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            values[column.name] = date.fromisoformat(value)
    return values


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
        s.execute(
            insert(RecycledRecord),
            [
                {
                    "kind": RecycledKind.MEMBER,
                    "record_id": row.id,
                    "record_uuid": row.uuid,
                    "summary": _summary(row.name, row.id_number, row.union_name),
                    "payload": _payload(row),
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
        members = [_from_payload(entry.payload) for entry in entries]
        numbers = [m["id_number"] for m in members]
        taken = dict(
            s.execute(select(Member.id_number, Member.name).where(in_values(Member.id_number, numbers))).all()
        )
        used_ids = set(s.scalars(select(Member.id).where(in_ids(Member.id, [m["id"] for m in members]))))
        refused, keep_id, new_id, restored = [], [], [], []
        for entry, member in zip(entries, members, strict=True):
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
        for rows in (keep_id, new_id):
            if rows:
                s.execute(insert(Member), rows)
        if restored:
            s.execute(delete(RecycledRecord).where(in_ids(RecycledRecord.id, restored)))
    return RestoreResult(len(restored), refused)


def purge_recycled(engine: Engine, entry_ids: Sequence[int]) -> int:
    """Delete entries from the recycle bin for good (the personal data they hold goes with them)."""
    entry_ids = _checked_ids(entry_ids)
    with writing(engine) as s, s.begin():
        return s.execute(delete(RecycledRecord).where(in_ids(RecycledRecord.id, entry_ids))).rowcount


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
    other to the recycle bin (so a wrong merge can be undone)."""
    if keep_id == drop_id:
        raise InvalidInput("请选择两条不同的记录")
    with writing(engine) as s, s.begin():
        keep, drop = s.get(Member, keep_id), s.get(Member, drop_id)
        if keep is None or drop is None:
            raise InvalidInput("其中一条会员记录已不存在")
        if keep.mobile is None and drop.mobile is not None:
            keep.mobile = drop.mobile
        reason = f"与会员“{keep.name}”（{codes.mask_id_number(keep.id_number)}）合并"
        s.flush()
        _recycle(s, [drop_id], reason)
