"""建会任务: the yearly organising tasks and each first-level union's yearly target.

A task is one employer to organise in one year, owned by the first-level union the employer belongs to.
Tasks are proposed by rule from the employers with no active union (``tasks_to_propose``), followed through
the "四清" facts and progress notes, and closed by themselves when a union is registered for the employer
(``close_for_founded_union``, called inside the transaction that registers or links the union).

The status rules, as the office works (models refuse the rest, in Chinese):

- 未启动, 宣传动员 and 筹备中 are the working steps: a task may go to any of them, forward or back, since
  a clerk may find an employer already preparing, or correct a step recorded by mistake.
- 暂缓 (waiting on purpose) and 注销 (the task is dropped: the employer closed or moved away) need a
  written reason. 注销 closes the task on its date; 暂缓 does not.
- A 暂缓 or 注销 task may be taken up again at a working step, unless the employer now has a union.
- 已建会 is final. It is normally set by itself; set by hand it needs an active union that already covers
  the employer (the task then records that union), otherwise it is refused with "登记基层工会后任务会自动
  完成": a task is never counted as organised without the union on the register.

A facade like ``registers``: each public function runs its own transaction and returns plain data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, and_, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from models.database import in_ids, reading, writing
from models.entities import (
    Employer,
    EmployerClass,
    Federation,
    FirstLevelUnion,
    Notice,
    NoticeStatus,
    OrganizingTarget,
    OrganizingTask,
    TaskProgress,
    TaskRule,
    TaskStatus,
    Union,
    UnionStatus,
    union_employer,
)
from models.errors import InvalidInput, refuse_future_date
from models.labels import TASK_STATUS

# The working steps, in order; a task at any of them (or 暂缓) is open.
WORKING = (TaskStatus.NOT_STARTED, TaskStatus.MOBILIZING, TaskStatus.PREPARING)
OPEN = (*WORKING, TaskStatus.DEFERRED)
NEEDS_REASON = (TaskStatus.DEFERRED, TaskStatus.CANCELLED)
# Notices a founded union settles: issued and not yet closed (a draft was never sent; void and closed are
# done). The words are those a clerk writes when closing a notice by hand (models.notices.close_notice).
SETTLED_NOTICES = (NoticeStatus.ISSUED, NoticeStatus.SERVED, NoticeStatus.REPLIED, NoticeStatus.ESCALATED)
SETTLED_REASON = "已整改"
STALE_DAYS = 30
NO_OWNER = "未指定责任一级工会，请先在单位信息中选择所属一级工会"


@dataclass(frozen=True)
class ProposedTask:
    """An employer the rules name for a task this year; ``not_assignable`` says why it cannot have one."""

    employer_id: int
    employer_name: str
    credit_code: str | None
    employer_class: str
    staff_count: int | None
    rules: tuple[str, ...]  # TaskRule values met, in their enum order
    first_level_union_id: int | None
    first_level_union: str | None
    not_assignable: str | None = None

    @property
    def assignable(self) -> bool:
        return self.not_assignable is None


@dataclass(frozen=True)
class TaskFacts:
    """The "四清": how many staff were found, where they work, why there is no union yet, the plan and
    its date."""

    staff_found: int | None = None
    workplace: str | None = None
    why_no_union: str | None = None
    plan: str | None = None
    planned_on: date | None = None


@dataclass(frozen=True)
class ProgressNote:
    id: int
    noted_on: date
    note: str


@dataclass(frozen=True)
class TaskEmployer:
    """What the task's dialog shows of the employer."""

    id: int
    name: str
    credit_code: str | None
    employer_class: str
    staff_count: int | None
    staff_count_source: str | None
    staff_count_date: date | None
    address: str | None
    contact_person: str | None
    contact_phone: str | None


@dataclass(frozen=True)
class TaskDetails:
    """One task with everything its dialog shows; ``progress`` is the newest note first."""

    id: int
    year: int
    status: str
    status_reason: str | None
    rules: tuple[str, ...]
    facts: TaskFacts
    closed_on: date | None
    founded_union: str | None
    first_level_union: str
    employer: TaskEmployer
    progress: list[ProgressNote]
    open_notices: int  # 一函两书 issued to the employer and not yet closed

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass(frozen=True)
class StaleTask:
    """An open task nobody has touched for a while: the dashboard lists these."""

    id: int
    year: int
    employer_name: str
    first_level_union: str
    status: str
    last_activity: date
    idle_days: int


@dataclass(frozen=True)
class Target:
    """A first-level union's target for the year; zeros and ``is_set`` False when none was set."""

    first_level_union_id: int
    first_level_union: str
    new_unions: int
    new_members: int
    is_set: bool


# --- the rules ------------------------------------------------------------------------------------------


def _check_year(year: int) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("年度应在 2000 至 2100 之间", "year")
    return year


def _meets_a_rule(staff_threshold: int, non_public_threshold: int):
    return or_(
        Employer.staff_count >= staff_threshold,
        Employer.above_scale.is_(True),
        Employer.deputy_linked.is_(True),
        and_(
            Employer.employer_class == EmployerClass.NON_PUBLIC, Employer.staff_count >= non_public_threshold
        ),
        Employer.new_employment_forms.is_(True),
    )


def rules_met(
    staff_count: int | None,
    employer_class: str,
    above_scale: bool,
    deputy_linked: bool,
    new_employment_forms: bool,
    staff_threshold: int,
    non_public_threshold: int,
) -> tuple[str, ...]:
    """The TaskRule values an employer meets, in their enum order (how ``OrganizingTask.rules`` keeps them)."""
    staff = staff_count if staff_count is not None else -1
    met = {
        TaskRule.STAFF: staff >= staff_threshold,
        TaskRule.ABOVE_SCALE: bool(above_scale),
        TaskRule.DEPUTY_LINKED: bool(deputy_linked),
        TaskRule.NON_PUBLIC: employer_class == EmployerClass.NON_PUBLIC and staff >= non_public_threshold,
        TaskRule.NEW_EMPLOYMENT_FORMS: bool(new_employment_forms),
    }
    return tuple(str(rule) for rule in TaskRule if met[rule])


def _has_task(year: int):
    return (
        select(OrganizingTask.id)
        .where(OrganizingTask.employer_id == Employer.id, OrganizingTask.year == year)
        .exists()
    )


def _organized_employers():
    """The employers an active union covers, as one list: the same test as
    ``models.listing.employer_has_active_union``, but asked once. Asked per employer, SQLite walks every
    active union for each of them (150 ms over 2,000 employers, against 1 ms)."""
    return (
        select(union_employer.c.employer_id)
        .join(Union, union_employer.c.union_id == Union.id)
        .where(Union.status == UnionStatus.ACTIVE)
    )


def _thresholds(s) -> tuple[int, int]:
    federation = s.get_one(Federation, 1)
    return federation.staff_threshold, federation.non_public_staff_threshold


def _candidates(year: int):
    """Employers with no active union and no task in ``year``, with what the rules and the owner need."""
    return (
        select(
            Employer.id, Employer.name, Employer.credit_code, Employer.employer_class, Employer.staff_count,
            Employer.above_scale, Employer.deputy_linked, Employer.new_employment_forms,
            Employer.first_level_union_id, FirstLevelUnion.name.label("owner"),
        )
        .outerjoin(FirstLevelUnion, Employer.first_level_union_id == FirstLevelUnion.id)
        .where(Employer.id.not_in(_organized_employers()), ~_has_task(year))
    )  # fmt: skip


def _rules_of(row, thresholds: tuple[int, int]) -> tuple[str, ...]:
    return rules_met(
        row.staff_count, row.employer_class, row.above_scale, row.deputy_linked, row.new_employment_forms,
        *thresholds,
    )  # fmt: skip


def tasks_to_propose(engine: Engine, year: int) -> list[ProposedTask]:
    """Employers with no active union that meet a rule and have no task in ``year``, the largest first.

    The rules (DOMAIN.md part 1): staff at or over the federation's staff threshold; 规模以上; 两代表一委员;
    a non-public enterprise at or over the non-public threshold; employing new forms of employment.
    Employers with no first-level union are listed too, as not assignable, so the clerk sees who is missing.
    """
    _check_year(year)
    with reading(engine) as s, s.begin():
        thresholds = _thresholds(s)
        query = (
            _candidates(year)
            .where(_meets_a_rule(*thresholds))
            .order_by(Employer.staff_count.desc().nulls_last(), Employer.name, Employer.id)
        )
        return [
            ProposedTask(
                row.id, row.name, row.credit_code, row.employer_class, row.staff_count,
                _rules_of(row, thresholds), row.first_level_union_id, row.owner,
                None if row.first_level_union_id is not None else NO_OWNER,
            )
            for row in s.execute(query)
        ]  # fmt: skip


def create_tasks(engine: Engine, year: int, employer_ids: Sequence[int]) -> int:
    """Give each of these employers a task in ``year``, owned by its first-level union; returns how many.

    One transaction, one insert for all of them. Employers that meanwhile got a union or a task for the
    year, or that have no first-level union, are left out (the proposal said why). An employer that meets
    no rule gets a task with no rules: one added by hand.
    """
    _check_year(year)
    with writing(engine) as s, s.begin():
        thresholds = _thresholds(s)
        rows = s.execute(
            _candidates(year).where(
                in_ids(Employer.id, employer_ids), Employer.first_level_union_id.is_not(None)
            )
        ).all()
        if not rows:
            return 0
        s.execute(
            insert(OrganizingTask),
            [
                {
                    "employer_id": row.id,
                    "year": year,
                    "first_level_union_id": row.first_level_union_id,
                    "status": TaskStatus.NOT_STARTED,
                    "rules": ",".join(_rules_of(row, thresholds)) or None,
                }
                for row in rows
            ],
        )
        return len(rows)


# --- following a task ---------------------------------------------------------------------------------


def _task(s, task_id: int) -> OrganizingTask:
    task = s.get(OrganizingTask, task_id)
    if task is None:
        raise InvalidInput("该建会任务已不存在")
    return task


def _covering_union(s, employer_id: int) -> int | None:
    return s.scalar(
        select(Union.id)
        .join(union_employer, union_employer.c.union_id == Union.id)
        .where(union_employer.c.employer_id == employer_id, Union.status == UnionStatus.ACTIVE)
        .order_by(Union.id)
        .limit(1)
    )


def change_task_status(
    engine: Engine, task_id: int, status: str, reason: str | None = None, on: date | None = None
) -> None:
    """Move a task to ``status`` on ``on`` (today if not given), under the rules in the module's docstring.

    Raises:
        InvalidInput: the move is not allowed, or 暂缓 / 注销 has no reason; nothing is written.
    """
    if status not in set(TaskStatus):
        raise InvalidInput(f"任务进展“{status}”无效", "status")
    on = on or date.today()
    refuse_future_date(on, "日期", "on")
    text = (reason or "").strip() or None
    with writing(engine) as s, s.begin():
        task = _task(s, task_id)
        if task.status == TaskStatus.FOUNDED:
            when = f"于 {task.closed_on:%Y-%m-%d} " if task.closed_on else ""
            raise InvalidInput(f"该任务已{when}建会完成，进展不能再更改", "status")
        if status == TaskStatus.FOUNDED:
            _found_by_hand(s, task, on)
        elif status in NEEDS_REASON:
            if text is None:
                raise InvalidInput(f"改为“{TASK_STATUS[status]}”须写明原因", "reason")
            task.status, task.status_reason = status, text
            task.closed_on = on if status == TaskStatus.CANCELLED else None
        elif task.status != status:
            if task.status in NEEDS_REASON and _covering_union(s, task.employer_id) is not None:
                raise InvalidInput("该单位已有基层工会，任务不能重新启动", "status")
            task.status, task.status_reason, task.closed_on = status, None, None


def _found_by_hand(s, task: OrganizingTask, on: date) -> None:
    union_id = _covering_union(s, task.employer_id)
    if union_id is None:
        raise InvalidInput(
            "该单位还没有登记基层工会。登记基层工会后任务会自动完成，无需手工改为“已建会”", "status"
        )
    task.status, task.status_reason = TaskStatus.FOUNDED, None
    task.closed_on, task.founded_union_id = on, union_id
    s.flush()
    close_for_founded_union(s, union_id, on)  # the employer's other open tasks and its notices


def record_task_facts(engine: Engine, task_id: int, facts: TaskFacts) -> None:
    """Keep the task's "四清" facts as the clerk found them (blank texts are kept as nothing)."""
    if facts.staff_found is not None and facts.staff_found < 0:
        raise InvalidInput("实有职工人数不能为负数", "staff_found")
    texts = {
        name: (getattr(facts, name) or "").strip() or None for name in ("workplace", "why_no_union", "plan")
    }
    facts = dataclasses.replace(facts, **texts)
    with writing(engine) as s, s.begin():
        task = _task(s, task_id)
        for field in dataclasses.fields(TaskFacts):
            setattr(task, field.name, getattr(facts, field.name))


def add_progress_note(engine: Engine, task_id: int, noted_on: date, note: str) -> int:
    """Add a progress note (what was done, by whom); returns its id."""
    text = (note or "").strip()
    if not text:
        raise InvalidInput("请填写进展情况", "note")
    refuse_future_date(noted_on, "进展日期", "noted_on")
    with writing(engine) as s, s.begin():
        _task(s, task_id)
        progress = TaskProgress(task_id=task_id, noted_on=noted_on, note=text)
        s.add(progress)
        s.flush()
        return progress.id


def task_details(engine: Engine, task_id: int) -> TaskDetails:
    with reading(engine) as s, s.begin():
        task = _task(s, task_id)
        e = task.employer
        founded = s.get(Union, task.founded_union_id) if task.founded_union_id else None
        notes = s.scalars(
            select(TaskProgress)
            .where(TaskProgress.task_id == task_id)
            .order_by(TaskProgress.noted_on.desc(), TaskProgress.id.desc())
        )
        open_notices = s.scalar(
            select(func.count()).where(Notice.employer_id == e.id, Notice.status.in_(SETTLED_NOTICES))
        )
        return TaskDetails(
            id=task.id, year=task.year, status=task.status, status_reason=task.status_reason,
            rules=tuple(task.rules.split(",")) if task.rules else (),
            facts=TaskFacts(**{f.name: getattr(task, f.name) for f in dataclasses.fields(TaskFacts)}),
            closed_on=task.closed_on, founded_union=founded.name if founded else None,
            first_level_union=task.first_level_union.name,
            employer=TaskEmployer(
                e.id, e.name, e.credit_code, e.employer_class, e.staff_count, e.staff_count_source,
                e.staff_count_date, e.address, e.contact_person, e.contact_phone,
            ),
            progress=[ProgressNote(n.id, n.noted_on, n.note) for n in notes],
            open_notices=open_notices,
        )  # fmt: skip


# --- closing by itself ----------------------------------------------------------------------------------


def close_for_founded_union(session: Session | Connection, union_id: int, on: date) -> tuple[int, int]:
    """Close what a union now settles, inside the caller's transaction: every open task (any year, 暂缓
    included) of the employers it covers becomes 已建会 on ``on`` with this union, and every notice
    issued to them and not yet closed is closed as 已整改 (never dated before it was issued).

    Called where a union is registered or an employer linked to an active union (``models.unions``, the
    union import); does nothing for a union that is not active. Takes a Session or the import's Connection:
    only Core statements are run. Returns how many tasks and notices were closed.
    """
    status = session.execute(select(Union.status).where(Union.id == union_id)).scalar()
    if status != UnionStatus.ACTIVE:
        return 0, 0
    covered = select(union_employer.c.employer_id).where(union_employer.c.union_id == union_id)
    tasks = session.execute(
        update(OrganizingTask)
        .where(OrganizingTask.employer_id.in_(covered), OrganizingTask.status.in_(OPEN))
        .values(status=TaskStatus.FOUNDED, status_reason=None, closed_on=on, founded_union_id=union_id)
        .execution_options(synchronize_session=False)
    )
    notices = session.execute(
        update(Notice)
        .where(Notice.employer_id.in_(covered), Notice.status.in_(SETTLED_NOTICES))
        .values(
            status=NoticeStatus.CLOSED,
            closed_reason=SETTLED_REASON,
            closed_on=case((Notice.issued_on > on, Notice.issued_on), else_=on),
        )
        .execution_options(synchronize_session=False)
    )
    return tasks.rowcount, notices.rowcount


# --- what the dashboard asks ----------------------------------------------------------------------------


def stale_tasks(engine: Engine, today: date, days: int = STALE_DAYS) -> list[StaleTask]:
    """Tasks at a working step with no progress note, change or creation in the last ``days`` days, the
    longest idle first.

    The last activity is the later of the task's last change (``updated_at``: a status change, the 四清
    facts; creation included) and its latest progress note's date. A task is stale once ``days`` whole
    days have passed since then: last touched 30 days ago is stale, 29 is not. 暂缓 waits on purpose (its
    reason says for what), so it is not listed.
    """
    latest_note = (
        select(func.max(TaskProgress.noted_on))
        .where(TaskProgress.task_id == OrganizingTask.id)
        .scalar_subquery()
    )
    with reading(engine) as s, s.begin():
        rows = s.execute(
            select(
                OrganizingTask.id, OrganizingTask.year, OrganizingTask.status, OrganizingTask.updated_at,
                latest_note.label("latest_note"), Employer.name.label("employer"),
                FirstLevelUnion.name.label("owner"),
            )
            .join(Employer, OrganizingTask.employer_id == Employer.id)
            .join(FirstLevelUnion, OrganizingTask.first_level_union_id == FirstLevelUnion.id)
            .where(OrganizingTask.status.in_(WORKING))
        ).all()  # fmt: skip
    stale = []
    for row in rows:
        last = row.updated_at.date()
        if row.latest_note is not None:
            last = max(last, date.fromisoformat(str(row.latest_note)))
        idle = (today - last).days
        if idle >= days:
            stale.append(StaleTask(row.id, row.year, row.employer, row.owner, row.status, last, idle))
    return sorted(stale, key=lambda task: (task.last_activity, task.employer_name, task.id))


# --- targets --------------------------------------------------------------------------------------------


def set_targets(engine: Engine, year: int, targets: Mapping[int, tuple[int, int]]) -> None:
    """Set the year's target of each first-level union given: ``{first_level_union_id: (new_unions,
    new_members)}``. Unions not given keep what they had."""
    _check_year(year)
    for new_unions, new_members in targets.values():
        if new_unions < 0 or new_members < 0:
            raise InvalidInput("目标数不能为负数", "targets")
    with writing(engine) as s, s.begin():
        known = set(s.scalars(select(FirstLevelUnion.id).where(in_ids(FirstLevelUnion.id, list(targets)))))
        if known != set(targets):
            raise InvalidInput("所选一级工会已不存在", "targets")
        existing = {
            t.first_level_union_id: t
            for t in s.scalars(select(OrganizingTarget).where(OrganizingTarget.year == year))
        }
        for first_level_union_id, (new_unions, new_members) in targets.items():
            target = existing.get(first_level_union_id)
            if target is None:
                target = OrganizingTarget(first_level_union_id=first_level_union_id, year=year)
                s.add(target)
            target.new_unions, target.new_members = int(new_unions), int(new_members)


def targets(engine: Engine, year: int) -> list[Target]:
    """Every first-level union in its set order with its target for ``year``."""
    _check_year(year)
    with reading(engine) as s, s.begin():
        rows = s.execute(
            select(
                FirstLevelUnion.id, FirstLevelUnion.name, OrganizingTarget.new_unions,
                OrganizingTarget.new_members, OrganizingTarget.id.label("target_id"),
            )
            .outerjoin(
                OrganizingTarget,
                and_(OrganizingTarget.first_level_union_id == FirstLevelUnion.id, OrganizingTarget.year == year),
            )
            .order_by(FirstLevelUnion.sort_order, FirstLevelUnion.id)
        )  # fmt: skip
        return [
            Target(row.id, row.name, row.new_unions or 0, row.new_members or 0, row.target_id is not None)
            for row in rows
        ]
