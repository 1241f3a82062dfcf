"""Grassroots unions: the form's fields, the union tree, and a union's moves, 转出, 撤销 and 转入.

A facade like ``registers``: each function runs its own transaction and returns plain data. A change of a
union's place is written twice on purpose: the union row holds where it is now (what every list and figure
reads), a ``UnionEvent`` row keeps when and why it changed (what the union's history shows).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from models import codes
from models.database import reading, writing
from models.entities import (
    Employer,
    FirstLevelUnion,
    Member,
    MemberStatus,
    Union,
    UnionEvent,
    UnionEventKind,
    UnionKind,
    UnionStatus,
)
from models.errors import CodeError, InvalidInput, refuse_future_date
from models.registers import required_text
from models.tasks import close_for_founded_union


@dataclass(frozen=True)
class UnionFields:
    """What a clerk fills in for a grassroots union; the same for a new one and a changed one."""

    name: str
    first_level_union_id: int
    kind: str = UnionKind.SINGLE
    credit_code: str | None = None
    employer_ids: tuple[int, ...] = ()
    founded_on: date | None = None
    chair_name: str | None = None
    chair_phone: str | None = None
    term_years: int = 5
    term_started_on: date | None = None
    covered_staff: int = 0


@dataclass(frozen=True)
class UnionEventRecord:
    kind: str
    happened_on: date
    reason: str | None
    from_first_level_union: str | None
    to_first_level_union: str | None


@dataclass(frozen=True)
class UnionDetails:
    id: int
    fields: UnionFields
    status: str
    employer_names: list[str]
    members: int
    events: list[UnionEventRecord]


@dataclass(frozen=True)
class TreeUnion:
    """A grassroots union as a leaf of the tree."""

    id: int
    name: str
    kind: str
    status: str
    members: int
    covered_staff: int


@dataclass(frozen=True)
class TreeBranch:
    """A first-level union with its grassroots unions; its totals count active unions only."""

    id: int
    name: str
    unions: list[TreeUnion]

    @property
    def members(self) -> int:
        return sum(u.members for u in self.unions if u.status == UnionStatus.ACTIVE)

    @property
    def covered_staff(self) -> int:
        return sum(u.covered_staff for u in self.unions if u.status == UnionStatus.ACTIVE)


# --- the form -----------------------------------------------------------------------------------------


def checked_union(fields: UnionFields) -> UnionFields:
    """The fields normalised, or InvalidInput naming the first field refused."""
    name = required_text(fields.name, "工会名称", "name")
    if fields.kind not in set(UnionKind):
        raise InvalidInput(f"工会类型“{fields.kind}”无效", "kind")
    code = fields.credit_code
    code = codes.check_union_credit_code(code) if code and code.strip() else None
    phone = _checked_chair_phone(fields.chair_phone)
    if fields.term_years not in (3, 5):
        raise InvalidInput("每届任期为3年或5年", "term_years")
    if fields.covered_staff < 0:
        raise InvalidInput("覆盖职工人数不能为负数", "covered_staff")
    if fields.kind == UnionKind.SINGLE and len(fields.employer_ids) > 1:
        raise InvalidInput("单独基层工会只覆盖一家单位；覆盖多家请选“联合基层工会”", "employer_ids")
    refuse_future_date(fields.founded_on, "成立日期", "founded_on")
    refuse_future_date(fields.term_started_on, "本届开始日期", "term_started_on")
    chair = (fields.chair_name or "").strip() or None
    return dataclasses.replace(fields, name=name, credit_code=code, chair_phone=phone, chair_name=chair)


def _checked_chair_phone(phone: str | None) -> str | None:
    if not phone or not phone.strip():
        return None
    try:
        return codes.check_mobile(phone)
    except CodeError as exc:  # the check names its field "mobile"; on this form it is the chair's
        raise InvalidInput(exc.message, "chair_phone") from exc


def save_union(engine: Engine, fields: UnionFields, union_id: int | None = None) -> int:
    """Register a new union (no id) or change one; returns its id. Nothing is written if a field is refused.

    The first-level union is not changed here once the union exists: that is a move, with a date and a
    reason (``move_union``). An active union closes the open organising tasks and notices of the employers
    it covers, in the same transaction (``models.tasks.close_for_founded_union``).
    """
    fields = checked_union(fields)
    with writing(engine) as s, s.begin():
        if fields.credit_code:
            query = select(Union.name).where(Union.credit_code == fields.credit_code)
            if union_id is not None:
                query = query.where(Union.id != union_id)
            if owner := s.scalar(query):
                raise InvalidInput(
                    f"统一社会信用代码 {fields.credit_code} 已登记为工会“{owner}”", "credit_code"
                )
        if s.get(FirstLevelUnion, fields.first_level_union_id) is None:
            raise InvalidInput("所选一级工会已不存在", "first_level_union_id")
        employers = s.scalars(select(Employer).where(Employer.id.in_(fields.employer_ids))).all()
        if len(employers) != len(set(fields.employer_ids)):
            raise InvalidInput("所选单位中有已不存在的记录，请重新选择", "employer_ids")
        if union_id is None:
            union = Union(status=UnionStatus.ACTIVE, first_level_union_id=fields.first_level_union_id)
            s.add(union)
        elif (union := s.get(Union, union_id)) is None:
            raise InvalidInput("该工会记录已不存在")
        for field in dataclasses.fields(UnionFields):
            if field.name not in ("employer_ids", "first_level_union_id"):
                setattr(union, field.name, getattr(fields, field.name))
        union.employers = list(employers)
        s.flush()
        # The employers' open tasks and notices close with the union: from its founding when it is new,
        # from today when employers are added to a union registered before.
        since = fields.founded_on if union_id is None else None
        close_for_founded_union(s, union.id, since or date.today())
        return union.id


def _active_members(union_id) -> object:
    return (
        select(func.count())
        .where(Member.union_id == union_id, Member.status == MemberStatus.ACTIVE)
        .scalar_subquery()
    )


def union_details(engine: Engine, union_id: int) -> UnionDetails:
    with reading(engine) as s, s.begin():
        union = s.get(Union, union_id)
        if union is None:
            raise InvalidInput("该工会记录已不存在")
        values = {
            f.name: getattr(union, f.name)
            for f in dataclasses.fields(UnionFields)
            if f.name != "employer_ids"
        }
        employers = sorted(union.employers, key=lambda e: e.name)
        fields = UnionFields(**values, employer_ids=tuple(e.id for e in employers))
        members = s.scalar(select(_active_members(union.id)))
        return UnionDetails(
            union.id, fields, union.status, [e.name for e in employers], members, _events(s, union_id)
        )


def _events(s, union_id: int) -> list[UnionEventRecord]:
    parents = dict(s.execute(select(FirstLevelUnion.id, FirstLevelUnion.name)).all())
    events = s.scalars(
        select(UnionEvent)
        .where(UnionEvent.union_id == union_id)
        .order_by(UnionEvent.happened_on, UnionEvent.id)
    )
    return [
        UnionEventRecord(
            e.kind,
            e.happened_on,
            e.reason,
            parents.get(e.from_first_level_union_id),
            parents.get(e.to_first_level_union_id),
        )
        for e in events
    ]


# --- the tree -----------------------------------------------------------------------------------------


def union_tree(engine: Engine, include_closed: bool = False) -> list[TreeBranch]:
    """First-level unions in their set order, each with its grassroots unions by name, counted in one query."""
    with reading(engine) as s, s.begin():
        member_counts = dict(
            s.execute(
                select(Member.union_id, func.count())
                .where(Member.status == MemberStatus.ACTIVE)
                .group_by(Member.union_id)
            ).all()
        )
        query = select(
            Union.id, Union.name, Union.kind, Union.status, Union.covered_staff, Union.first_level_union_id
        ).order_by(Union.name)
        if not include_closed:
            query = query.where(Union.status == UnionStatus.ACTIVE)
        leaves: dict[int, list[TreeUnion]] = {}
        for row in s.execute(query):
            leaf = TreeUnion(
                row.id, row.name, row.kind, row.status, member_counts.get(row.id, 0), row.covered_staff
            )
            leaves.setdefault(row.first_level_union_id, []).append(leaf)
        parents = s.execute(
            select(FirstLevelUnion.id, FirstLevelUnion.name).order_by(
                FirstLevelUnion.sort_order, FirstLevelUnion.id
            )
        )
        return [TreeBranch(row.id, row.name, leaves.get(row.id, [])) for row in parents]


# --- moves and transfers ------------------------------------------------------------------------------


def _reason(reason: str | None, required: bool) -> str | None:
    text = (reason or "").strip() or None
    if required and text is None:
        raise InvalidInput("请写明原因", "reason")
    return text


def _changed_on(when: date, union: Union) -> date:
    refuse_future_date(when, "日期", "happened_on")
    if union.founded_on and when < union.founded_on:
        raise InvalidInput(
            f"日期 {when:%Y-%m-%d} 早于该工会的成立日期 {union.founded_on:%Y-%m-%d}", "happened_on"
        )
    return when


def _union(s, union_id: int) -> Union:
    union = s.get(Union, union_id)
    if union is None:
        raise InvalidInput("该工会记录已不存在")
    return union


def move_union(
    engine: Engine, union_id: int, to_first_level_union_id: int, when: date, reason: str | None
) -> None:
    """Put a union under another first-level union (隶属关系调整), keeping where it was and why."""
    with writing(engine) as s, s.begin():
        union = _union(s, union_id)
        if union.status != UnionStatus.ACTIVE:
            raise InvalidInput(f"“{union.name}”已转出或撤销，不能调整隶属关系")
        if union.first_level_union_id == to_first_level_union_id:
            raise InvalidInput("该工会已隶属于所选一级工会", "to_first_level_union_id")
        if s.get(FirstLevelUnion, to_first_level_union_id) is None:
            raise InvalidInput("所选一级工会已不存在", "to_first_level_union_id")
        s.add(
            UnionEvent(
                union_id=union.id,
                kind=UnionEventKind.MOVED,
                happened_on=_changed_on(when, union),
                reason=_reason(reason, required=False),
                from_first_level_union_id=union.first_level_union_id,
                to_first_level_union_id=to_first_level_union_id,
            )
        )
        union.first_level_union_id = to_first_level_union_id


def close_union(engine: Engine, union_id: int, kind: str, when: date, reason: str | None) -> None:
    """Record 转出 (the union's organisation now belongs elsewhere) or 撤销 (dissolved); a reason is required.

    Its members keep their records and their status: they are counted with the union wherever it went.
    """
    status = {
        UnionEventKind.TRANSFERRED_OUT: UnionStatus.TRANSFERRED_OUT,
        UnionEventKind.DISSOLVED: UnionStatus.DISSOLVED,
    }
    if kind not in status:
        raise ValueError(f"not a closing event: {kind}")
    with writing(engine) as s, s.begin():
        union = _union(s, union_id)
        if union.status != UnionStatus.ACTIVE:
            raise InvalidInput(f"“{union.name}”已经转出或撤销")
        when = _changed_on(when, union)
        text = _reason(reason, required=True)
        s.add(UnionEvent(union_id=union.id, kind=kind, happened_on=when, reason=text))
        union.status, union.closed_on, union.closed_reason = status[kind], when, text


def transfer_in_union(
    engine: Engine, union_id: int, to_first_level_union_id: int, when: date, reason: str | None
) -> None:
    """Record 转入: a union transferred out (or from outside, registered first) becomes active here again;
    the open tasks and notices of the employers it covers close on that date."""
    with writing(engine) as s, s.begin():
        union = _union(s, union_id)
        if union.status == UnionStatus.DISSOLVED:
            raise InvalidInput(f"“{union.name}”已撤销，撤销的工会不能转入；请登记新成立的工会")
        if union.status == UnionStatus.ACTIVE and union.transferred_in_on is not None:
            raise InvalidInput(f"“{union.name}”已于 {union.transferred_in_on:%Y-%m-%d} 转入")
        if s.get(FirstLevelUnion, to_first_level_union_id) is None:
            raise InvalidInput("所选一级工会已不存在", "to_first_level_union_id")
        when = _changed_on(when, union)
        if union.closed_on and when < union.closed_on:
            raise InvalidInput(f"转入日期早于转出日期 {union.closed_on:%Y-%m-%d}", "happened_on")
        s.add(
            UnionEvent(
                union_id=union.id,
                kind=UnionEventKind.TRANSFERRED_IN,
                happened_on=when,
                reason=_reason(reason, required=False),
                from_first_level_union_id=union.first_level_union_id,
                to_first_level_union_id=to_first_level_union_id,
            )
        )
        union.status, union.closed_on, union.closed_reason = UnionStatus.ACTIVE, None, None
        union.first_level_union_id, union.transferred_in_on = to_first_level_union_id, when
        s.flush()
        close_for_founded_union(s, union.id, when)
