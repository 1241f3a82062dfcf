"""一函两书: the rules of the formal notices — numbering, deadlines, the lifecycle and the order of escalation.

draft → issued (numbered) → served (送达) → replied, or overdue once the reply deadline has passed →
escalated (the next kind, linked to this one) → closed (a union was founded, or withdrawn with a reason).
A discarded notice is 作废: its number stays taken, so the register never shows a gap nobody can explain.

Overdue is not stored: it follows from the deadline and today's date, so it can never be out of date.
A facade like ``registers``: each function runs its own transaction and returns plain data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import joinedload

from models import codes
from models.database import reading, writing
from models.entities import Employer, Federation, Notice, NoticeKind, NoticeStatus, Service, ServiceMethod
from models.errors import InvalidInput, refuse_future_date
from models.listing import employer_has_active_union

if TYPE_CHECKING:
    from models.registers import FederationSettings

# The order of escalation: an inspection opinion follows an opinion letter, a recommendation follows an
# inspection opinion (DOMAIN.md part 2).
ESCALATION = (NoticeKind.OPINION_LETTER, NoticeKind.INSPECTION_OPINION, NoticeKind.RECOMMENDATION)
OPEN = (NoticeStatus.DRAFT, NoticeStatus.ISSUED, NoticeStatus.SERVED, NoticeStatus.REPLIED)
FORMAT_FIELDS = ("{short_name}", "{year}", "{number}")


@dataclass(frozen=True)
class NoticeRecord:
    id: int
    kind: str
    employer_id: int
    employer_name: str
    status: str
    document_number: str | None
    issued_on: date | None
    served_on: date | None
    reply_due_on: date | None
    replied_on: date | None
    escalated_from_id: int | None
    override_reason: str | None

    def overdue(self, today: date) -> bool:
        """Served, unanswered, and the deadline is behind us."""
        return is_overdue(self.status, self.reply_due_on, today)


def is_overdue(status: str, reply_due_on: date | None, today: date) -> bool:
    """Served, unanswered, and the deadline is behind us: worked out, never stored."""
    return status == NoticeStatus.SERVED and reply_due_on is not None and today > reply_due_on


# --- deadlines and numbers ----------------------------------------------------------------------------


def add_days(start: date, days: int, working_days: bool) -> date:
    """The deadline ``days`` after ``start``: calendar days, or working days (Monday to Friday).

    The day of service itself is not counted, as a deadline "within 15 working days of receipt" is read.
    """
    if not working_days:
        return start + timedelta(days=days)
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def check_number_format(text: str) -> str:
    """A document number format must hold {year} and {number}, and nothing else in braces."""
    text = (text or "").strip()
    if "{year}" not in text or "{number}" not in text:
        raise InvalidInput(
            "文号格式须包含 {year}（年份）和 {number}（序号），如：{short_name}工组函〔{year}〕{number}号"
        )
    try:
        text.format(short_name="", year=2020, number=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInput(f"文号格式中有无法识别的 {{…}}：{exc}") from exc
    return text


def document_number(number_format: str, short_name: str, year: int, number: int) -> str:
    """两江工组函〔2020〕3号: full year, no leading zeros, no 第 (the format decides the rest)."""
    return number_format.format(short_name=short_name, year=year, number=number)


def _number_format(federation: Federation, kind: str) -> str:
    return getattr(federation, f"{kind}_number_format")


# --- reading ------------------------------------------------------------------------------------------


def _record(s, notice: Notice) -> NoticeRecord:
    served_on = s.scalar(select(func.max(Service.served_on)).where(Service.notice_id == notice.id))
    return NoticeRecord(
        notice.id, notice.kind, notice.employer_id, notice.employer.name, notice.status, notice.document_number,
        notice.issued_on, served_on, notice.reply_due_on, notice.replied_on, notice.escalated_from_id,
        notice.override_reason,
    )  # fmt: skip


def notice_record(engine: Engine, notice_id: int) -> NoticeRecord:
    with reading(engine) as s, s.begin():
        return _record(s, _notice(s, notice_id))


def find_notice(engine: Engine, number: str) -> NoticeRecord:
    """A notice by its document number, as the command line and a scanned receipt give it."""
    with reading(engine) as s, s.begin():
        notice = s.scalar(select(Notice).where(Notice.document_number == number.strip()))
        if notice is None:
            raise InvalidInput(f"没有文号为“{number.strip()}”的文书", "number")
        return _record(s, notice)


def _notice(s, notice_id: int) -> Notice:
    notice = s.get(Notice, notice_id)
    if notice is None:
        raise InvalidInput("该文书记录已不存在")
    return notice


def due_notices(
    engine: Engine, today: date, within_days: int = 7
) -> tuple[list[NoticeRecord], list[NoticeRecord]]:
    """What falls due within ``within_days`` (this week on 首页) and what is already overdue."""
    with reading(engine) as s, s.begin():
        served = s.scalars(
            select(Notice)
            .where(Notice.status == NoticeStatus.SERVED, Notice.reply_due_on.is_not(None))
            .where(Notice.reply_due_on <= today + timedelta(days=within_days))
            .order_by(Notice.reply_due_on, Notice.id)
        ).all()
        records = [_record(s, notice) for notice in served]
    return [r for r in records if not r.overdue(today)], [r for r in records if r.overdue(today)]


# --- the lifecycle ------------------------------------------------------------------------------------


def _open_notice_of_kind(s, employer_id: int, kind: str) -> Notice | None:
    return s.scalar(
        select(Notice)
        .where(Notice.employer_id == employer_id, Notice.kind == kind, Notice.status.in_(OPEN))
        .limit(1)
    )


def _earlier_step(s, employer_id: int, kind: str) -> Notice | None:
    """The served notice of the kind before ``kind`` that this one follows, if there is one."""
    position = ESCALATION.index(kind)
    if position == 0:
        return None
    return s.scalar(
        select(Notice)
        .where(Notice.employer_id == employer_id, Notice.kind == ESCALATION[position - 1])
        .where(Notice.status.in_((NoticeStatus.SERVED, NoticeStatus.REPLIED, NoticeStatus.ESCALATED)))
        .order_by(Notice.issued_on.desc(), Notice.id.desc())
        .limit(1)
    )


class SkipReason(StrEnum):
    """Why a notice cannot go to an employer now; a batch lists these instead of stopping."""

    NOT_FOUND = "not_found"
    HAS_UNION = "has_union"
    OPEN_NOTICE = "open_notice"
    EARLIER_STEP_MISSING = "earlier_step_missing"


# What a batch's list of skipped employers says; the single-notice refusals below say it in full.
SKIP_REASONS = {
    SkipReason.NOT_FOUND: "没有这家单位",
    SkipReason.HAS_UNION: "已建会",
    SkipReason.OPEN_NOTICE: "已有未结的同类文书",
    SkipReason.EARLIER_STEP_MISSING: "尚未送达前一步文书",
}


def _why_not(s, employer: Employer, kind: str, override_reason: str | None) -> SkipReason | None:
    """Whether ``kind`` may go to the employer now, checked inside the writing transaction."""
    if s.scalar(select(employer_has_active_union()).where(Employer.id == employer.id)):
        return SkipReason.HAS_UNION
    if _open_notice_of_kind(s, employer.id, kind) is not None:
        return SkipReason.OPEN_NOTICE
    if ESCALATION.index(kind) > 0 and override_reason is None and _earlier_step(s, employer.id, kind) is None:
        return SkipReason.EARLIER_STEP_MISSING
    return None


def _refusal(reason: SkipReason, employer: Employer, kind: str) -> InvalidInput:
    if reason == SkipReason.HAS_UNION:
        return InvalidInput(f"“{employer.name}”已建会，不需要发“一函两书”", "employer")
    if reason == SkipReason.OPEN_NOTICE:
        return InvalidInput(f"“{employer.name}”已有一份未办结的同类文书", "kind")
    return InvalidInput(
        f"应先向“{employer.name}”送达{_kind_name(ESCALATION[ESCALATION.index(kind) - 1])}；"
        "确需越级发出，请写明理由",
        "override_reason",
    )


def _check_kind(kind: str) -> None:
    if kind not in set(NoticeKind):
        raise InvalidInput(f"文书种类“{kind}”无效", "kind")


def _draft(
    s,
    employer: Employer,
    kind: str,
    *,
    facts: str | None = None,
    requests: str | None = None,
    recipient: str | None = None,
    override_reason: str | None = None,
) -> Notice:
    """Add a draft the checks of ``_why_not`` have allowed, linked to the step it follows."""
    earlier = _earlier_step(s, employer.id, kind)
    notice = Notice(
        kind=kind, employer_id=employer.id, status=NoticeStatus.DRAFT, facts=facts, requests=requests,
        recipient=recipient, escalated_from_id=earlier.id if earlier else None,
        override_reason=override_reason if earlier is None else None,
    )  # fmt: skip
    s.add(notice)
    s.flush()
    return notice


def draft_notice(
    engine: Engine,
    employer_id: int,
    kind: str,
    *,
    facts: str | None = None,
    requests: str | None = None,
    recipient: str | None = None,
    override_reason: str | None = None,
) -> int:
    """Start a notice to (or, for a recommendation, about) an employer; returns its id.

    The order of escalation is enforced: an inspection opinion needs a served opinion letter before it, a
    recommendation a served inspection opinion. Skipping a step needs a written reason, which is kept.
    """
    _check_kind(kind)
    reason = (override_reason or "").strip() or None
    with writing(engine) as s, s.begin():
        employer = _employer_allowed(s, employer_id, kind, reason)
        notice = _draft(
            s, employer, kind, facts=facts, requests=requests, recipient=recipient, override_reason=reason
        )
        return notice.id


def _employer_allowed(s, employer_id: int, kind: str, reason: str | None) -> Employer:
    """The employer, if a notice of ``kind`` may go to it now; refused in the clerk's words otherwise."""
    employer = s.get(Employer, employer_id)
    if employer is None:
        raise InvalidInput("该单位记录已不存在", "employer")
    refused = _why_not(s, employer, kind, reason)
    if refused is not None:
        raise _refusal(refused, employer, kind)
    return employer


def _kind_name(kind: str) -> str:
    # Named here only to refuse in Chinese; the printed titles live in resources/ with the wording.
    return {"opinion_letter": "《工会组建意见函》", "inspection_opinion": "《工会组建法律监督检查意见书》"}[
        kind
    ]


def _issue(s, notice: Notice, issued_on: date) -> None:
    """Give a draft the next number of its kind's register for the year; the caller holds the write lock."""
    federation = s.get_one(Federation, 1)
    year = issued_on.year
    taken = s.scalar(
        select(func.coalesce(func.max(Notice.number_seq), 0)).where(
            Notice.kind == notice.kind, Notice.number_year == year
        )
    )
    notice.number_year, notice.number_seq = year, taken + 1
    notice.document_number = document_number(
        _number_format(federation, notice.kind), federation.short_name, year, taken + 1
    )
    notice.issued_on, notice.status = issued_on, NoticeStatus.ISSUED
    s.flush()


def issue_notice(engine: Engine, notice_id: int, issued_on: date) -> NoticeRecord:
    """Give a draft the next number of its kind's register for the year and mark it issued.

    The number is read and taken inside one ``BEGIN IMMEDIATE`` transaction, so two clerks (or two
    processes) issuing at the same moment are served one after the other and never get the same number;
    the unique constraint on (kind, year, number) would refuse a duplicate even if they were not.
    """
    refuse_future_date(issued_on, "成文日期", "issued_on")
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        if notice.status != NoticeStatus.DRAFT:
            raise InvalidInput(f"文书已编号为 {notice.document_number}，不能再次发出")
        _issue(s, notice, issued_on)
        return _record(s, notice)


def issue_new_notice(
    engine: Engine, employer_id: int, kind: str, issued_on: date, *, override_reason: str | None = None
) -> NoticeRecord:
    """Draft and number a notice in one transaction: a failure or a killed process between the two would
    otherwise leave an unnumbered draft that blocks the next try ("已有一份未办结的同类文书")."""
    _check_kind(kind)
    refuse_future_date(issued_on, "成文日期", "issued_on")
    reason = (override_reason or "").strip() or None
    with writing(engine) as s, s.begin():
        employer = _employer_allowed(s, employer_id, kind, reason)
        notice = _draft(s, employer, kind, override_reason=reason)
        _issue(s, notice, issued_on)
        return _record(s, notice)


def void_notice(engine: Engine, notice_id: int, reason: str) -> int | None:
    """作废: the notice is withdrawn before it takes effect; a number it had stays taken.

    An unnumbered draft has no number to keep: it is deleted, and a step it was escalated from is open
    again (served, or replied). Returns the id of that step, if there is one.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请写明作废原因", "reason")
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.ISSUED):
            raise InvalidInput("已送达的文书不能作废，请以办结（撤回）处理", "reason")
        if notice.status == NoticeStatus.DRAFT:
            earlier = notice.escalated_from
            if earlier is not None and earlier.status == NoticeStatus.ESCALATED:
                earlier.status = NoticeStatus.REPLIED if earlier.replied_on else NoticeStatus.SERVED
            s.delete(notice)
            return earlier.id if earlier is not None else None
        notice.status, notice.closed_reason, notice.closed_on = NoticeStatus.VOID, reason, date.today()
        return None


def serve_notice(
    engine: Engine,
    notice_id: int,
    served_on: date,
    method: str,
    signed_by: str | None = None,
    served_by: str | None = None,
    note: str | None = None,
) -> NoticeRecord:
    """Record the 送达 and start the reply deadline, counted from the day of service."""
    if method not in set(ServiceMethod):
        raise InvalidInput(f"送达方式“{method}”无效", "method")
    refuse_future_date(served_on, "送达日期", "served_on")
    signed_by = (signed_by or "").strip() or None
    if method == ServiceMethod.DIRECT and signed_by is None:
        raise InvalidInput("直接送达须填写签收人", "signed_by")
    if method == ServiceMethod.LEFT and not (note or "").strip():
        raise InvalidInput("留置送达须在备注中写明情况和见证人", "note")
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        if notice.status != NoticeStatus.ISSUED:
            raise InvalidInput("只有已发出、尚未送达的文书可以登记送达", "served_on")
        if served_on < notice.issued_on:
            raise InvalidInput(f"送达日期早于成文日期 {notice.issued_on:%Y-%m-%d}", "served_on")
        federation = s.get_one(Federation, 1)
        s.add(
            Service(notice_id=notice.id, served_on=served_on, method=method, signed_by=signed_by,
                    served_by=(served_by or "").strip() or None, note=(note or "").strip() or None)
        )  # fmt: skip
        notice.status = NoticeStatus.SERVED
        notice.reply_due_on = add_days(
            served_on, federation.notice_reply_days, federation.notice_days_are_working_days
        )
        s.flush()
        return _record(s, notice)


def record_reply(engine: Engine, notice_id: int, replied_on: date, summary: str) -> NoticeRecord:
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput("请摘要记录答复内容", "summary")
    refuse_future_date(replied_on, "答复日期", "replied_on")
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        if notice.status != NoticeStatus.SERVED:
            raise InvalidInput("只有已送达、尚未答复的文书可以登记答复", "replied_on")
        notice.status, notice.replied_on, notice.reply_summary = NoticeStatus.REPLIED, replied_on, summary
        s.flush()
        return _record(s, notice)


def escalate_notice(engine: Engine, notice_id: int, today: date, override_reason: str | None = None) -> int:
    """Take the next step: draft the next kind, linked to this one, and mark this one escalated.

    The next step is due once the deadline has passed without a reply, or after a reply that did not
    settle it; escalating earlier needs a written reason, which is kept on the new notice.
    """
    reason = (override_reason or "").strip() or None
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        position = ESCALATION.index(notice.kind)
        if position == len(ESCALATION) - 1:
            raise InvalidInput("建议书已是最后一步，不能再升级")
        if notice.status not in (NoticeStatus.SERVED, NoticeStatus.REPLIED):
            raise InvalidInput("文书送达后才能升级")
        overdue = notice.status == NoticeStatus.SERVED and notice.reply_due_on and today > notice.reply_due_on
        if notice.status == NoticeStatus.SERVED and not overdue and reason is None:
            raise InvalidInput(
                f"答复期限 {notice.reply_due_on:%Y-%m-%d} 尚未届满；确需提前升级，请写明理由",
                "override_reason",
            )
        following = Notice(
            kind=ESCALATION[position + 1], employer_id=notice.employer_id, status=NoticeStatus.DRAFT,
            escalated_from_id=notice.id, override_reason=reason if not overdue else None,
        )  # fmt: skip
        s.add(following)
        notice.status = NoticeStatus.ESCALATED
        s.flush()
        return following.id


def close_notice(engine: Engine, notice_id: int, closed_on: date, reason: str) -> None:
    """办结: the employer founded its union, or the office withdrew the notice (with the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请写明办结原因（如：已建会；单位已注销）", "reason")
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        if notice.status in (NoticeStatus.CLOSED, NoticeStatus.VOID, NoticeStatus.DRAFT):
            raise InvalidInput("草稿、已作废或已办结的文书不能办结")
        notice.status, notice.closed_on, notice.closed_reason = NoticeStatus.CLOSED, closed_on, reason


# --- many employers at once ---------------------------------------------------------------------------

Progress = tuple[int, int, str]


@dataclass(frozen=True)
class IssuedNotice:
    notice_id: int
    employer_id: int
    employer_name: str
    document_number: str


@dataclass(frozen=True)
class SkippedEmployer:
    """An employer a batch passed over, and why (``reason`` is a ``SkipReason``; ``reason_text`` Chinese)."""

    employer_id: int | None
    employer_name: str
    reason: str
    reason_text: str
    credit_code: str | None = None


@dataclass
class BatchIssue:
    """What a batch did so far: filled in as it goes, so a cancelled batch still tells what it issued."""

    issued: list[IssuedNotice] = field(default_factory=list)
    skipped: list[SkippedEmployer] = field(default_factory=list)

    @property
    def notice_ids(self) -> list[int]:
        return [notice.notice_id for notice in self.issued]

    @property
    def numbers(self) -> list[str]:
        return [notice.document_number for notice in self.issued]


def iter_issue_notices(
    engine: Engine, kind: str, employer_ids: Iterable[int], issued_on: date, outcome: BatchIssue
) -> Iterator[Progress]:
    """Draft and issue one notice of ``kind`` to each employer, yielding ``(done, total, message)``.

    Each employer is one short ``BEGIN IMMEDIATE`` transaction: the checks (has a union, an open notice of
    the kind, the step before served) and the number are read under the write lock, so another clerk
    issuing at the same time can neither slip in a second notice nor take the same number, and is kept
    waiting for milliseconds rather than for the whole batch. Stopping the generator (cancel) keeps what
    was issued before it: those numbers are given, and ``outcome`` lists them.

    Employers that cannot have the notice now are skipped and listed in ``outcome.skipped``.
    """
    _check_kind(kind)
    refuse_future_date(issued_on, "成文日期", "issued_on")
    targets = list(dict.fromkeys(employer_ids))  # once each, in the clerk's order
    total = len(targets)
    yield 0, total, "正在发出文书…"
    for done, employer_id in enumerate(targets, start=1):
        result = _issue_to(engine, kind, employer_id, issued_on)
        if isinstance(result, IssuedNotice):
            outcome.issued.append(result)
            message = f"已发出 {result.document_number}：{result.employer_name}"
        else:
            outcome.skipped.append(result)
            message = f"跳过 {result.employer_name}：{result.reason_text}"
        yield done, total, message


def issue_notices(
    engine: Engine,
    kind: str,
    employer_ids: Iterable[int],
    issued_on: date,
    progress: Callable[[int, int, str], object] | None = None,
) -> BatchIssue:
    """``iter_issue_notices`` run to the end, reporting to ``progress`` if given."""
    outcome = BatchIssue()
    for step in iter_issue_notices(engine, kind, employer_ids, issued_on, outcome):
        if progress is not None:
            progress(*step)
    return outcome


def _issue_to(engine: Engine, kind: str, employer_id: int, issued_on: date) -> IssuedNotice | SkippedEmployer:
    with writing(engine) as s, s.begin():
        employer = s.get(Employer, employer_id)
        if employer is None:
            return skipped_employer(None, f"（编号 {employer_id}）", SkipReason.NOT_FOUND)
        refused = _why_not(s, employer, kind, None)
        if refused is not None:
            return skipped_employer(employer.id, employer.name, refused, employer.credit_code)
        notice = _draft(s, employer, kind)
        _issue(s, notice, issued_on)
        return IssuedNotice(notice.id, employer.id, employer.name, notice.document_number)


def skipped_employer(
    employer_id: int | None, name: str, reason: SkipReason, credit_code: str | None = None
) -> SkippedEmployer:
    """An employer passed over, with the reason in words."""
    return SkippedEmployer(employer_id, name, reason, SKIP_REASONS[reason], credit_code)


def employers_by_credit_code(engine: Engine, credit_codes: Iterable[str]) -> tuple[list[int], list[str]]:
    """The employers with these credit codes, in the order given, and the codes no employer has.

    Codes are normalised as a clerk types them (spaces, lower case, full-width characters).
    """
    wanted = list(dict.fromkeys(codes.normalize_code(code) for code in credit_codes if code.strip()))
    found: dict[str, int] = {}
    with reading(engine) as s, s.begin():
        for chunk in chunks(wanted):
            rows = s.execute(select(Employer.credit_code, Employer.id).where(Employer.credit_code.in_(chunk)))
            found.update((code, employer_id) for code, employer_id in rows)
    return [found[code] for code in wanted if code in found], [code for code in wanted if code not in found]


def chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    # SQLite limits the parameters of one statement; 500 keeps every IN (...) well inside it.
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- what printing needs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployerForPrint:
    name: str
    credit_code: str | None
    address: str | None
    legal_representative: str | None
    founded_on: date | None
    staff_count: int | None
    staff_count_source: str | None
    staff_count_date: date | None


@dataclass(frozen=True)
class ServiceForPrint:
    served_on: date
    method: str
    signed_by: str | None
    served_by: str | None
    note: str | None


@dataclass(frozen=True)
class EarlierNotice:
    """A notice of the chain before this one: what the new one refers back to."""

    kind: str
    document_number: str | None
    issued_on: date | None
    served_on: date | None


@dataclass(frozen=True)
class NoticePrintData:
    """Everything printing one notice and its 送达回证 needs, read in one transaction.

    Attributes:
        earlier: the notices this one follows (``escalated_from``), oldest first.
        service: the latest 送达, if the notice was served.
        federation: the office's settings (its name is the issuing body).
    """

    id: int
    kind: str
    status: str
    document_number: str | None
    issued_on: date | None
    reply_due_on: date | None
    recipient: str | None
    facts: str | None
    requests: str | None
    employer: EmployerForPrint
    earlier: tuple[EarlierNotice, ...]
    service: ServiceForPrint | None
    federation: FederationSettings


def notice_print_data(engine: Engine, notice_ids: Sequence[int]) -> list[NoticePrintData]:
    """The print data of each notice, in the order given: a few queries in one transaction for any number.

    Raises:
        InvalidInput: a notice no longer exists.
    """
    with reading(engine) as s, s.begin():
        settings = _federation_settings(s.get_one(Federation, 1))
        notices = _notices_by_id(s, notice_ids)
        missing = [notice_id for notice_id in notice_ids if notice_id not in notices]
        if missing:
            raise InvalidInput("该文书记录已不存在")
        _load_chains(s, notices)
        services = latest_services(s, list(notices))
        return [_print_data(notices[notice_id], notices, services, settings) for notice_id in notice_ids]


def _federation_settings(row: Federation) -> FederationSettings:
    from models.registers import FederationSettings  # registers imports this module: import when used

    return FederationSettings(
        **{f.name: getattr(row, f.name) for f in dataclasses.fields(FederationSettings)}
    )


def _notices_by_id(s, notice_ids: Iterable[int]) -> dict[int, Notice]:
    found: dict[int, Notice] = {}
    for chunk in chunks(list(dict.fromkeys(notice_ids))):
        query = select(Notice).options(joinedload(Notice.employer)).where(Notice.id.in_(chunk))
        found.update((notice.id, notice) for notice in s.scalars(query))
    return found


def _load_chains(s, notices: dict[int, Notice]) -> None:
    """Add the notices each one follows to ``notices`` (at most one round per step of escalation)."""
    for _ in ESCALATION[1:]:
        wanted = {n.escalated_from_id for n in notices.values() if n.escalated_from_id} - notices.keys()
        if not wanted:
            return
        notices.update(_notices_by_id(s, wanted))


def latest_services(s, notice_ids: Sequence[int]) -> dict[int, Service]:
    """The latest 送达 of each notice that has one (a notice served twice keeps both records)."""
    latest: dict[int, Service] = {}
    for chunk in chunks(notice_ids):
        query = select(Service).where(Service.notice_id.in_(chunk)).order_by(Service.served_on, Service.id)
        latest.update((service.notice_id, service) for service in s.scalars(query))
    return latest


def _print_data(
    notice: Notice, notices: dict[int, Notice], services: dict[int, Service], settings: FederationSettings
) -> NoticePrintData:
    earlier: list[EarlierNotice] = []
    step = notices.get(notice.escalated_from_id) if notice.escalated_from_id else None
    while step is not None:
        served = services.get(step.id)
        earlier.insert(
            0, EarlierNotice(step.kind, step.document_number, step.issued_on, served and served.served_on)
        )
        step = notices.get(step.escalated_from_id) if step.escalated_from_id else None
    employer = notice.employer
    service = services.get(notice.id)
    return NoticePrintData(
        id=notice.id, kind=notice.kind, status=notice.status, document_number=notice.document_number,
        issued_on=notice.issued_on, reply_due_on=notice.reply_due_on, recipient=notice.recipient,
        facts=notice.facts, requests=notice.requests,
        employer=EmployerForPrint(
            employer.name, employer.credit_code, employer.address, employer.legal_representative,
            employer.founded_on, employer.staff_count, employer.staff_count_source, employer.staff_count_date,
        ),
        earlier=tuple(earlier),
        service=service and ServiceForPrint(
            service.served_on, service.method, service.signed_by, service.served_by, service.note
        ),
        federation=settings,
    )  # fmt: skip


def preview_print_data(engine: Engine, employer_id: int, kind: str, issued_on: date) -> NoticePrintData:
    """The print data of a notice not yet drafted: what ``kind`` to this employer would say on ``issued_on``
    (unnumbered, following the step before it if there is one). Nothing is written."""
    _check_kind(kind)
    with reading(engine) as s, s.begin():
        employer = s.get(Employer, employer_id)
        if employer is None:
            raise InvalidInput("该单位记录已不存在", "employer")
        earlier = _earlier_step(s, employer_id, kind)
        notices = {earlier.id: earlier} if earlier else {}
        _load_chains(s, notices)
        # A transient notice: never added to the session, so the commit at the end of the block writes nothing.
        draft = Notice(
            id=0, kind=kind, employer_id=employer_id, status=NoticeStatus.DRAFT, issued_on=issued_on,
            escalated_from_id=earlier.id if earlier else None,
        )  # fmt: skip
        draft.employer = employer
        services = latest_services(s, list(notices))
        return _print_data(draft, notices, services, _federation_settings(s.get_one(Federation, 1)))


@dataclass(frozen=True)
class NoticeHistory:
    """One notice with everything that happened to it, and the chain of escalation it belongs to."""

    record: NoticeRecord
    recipient: str | None
    reply_summary: str | None
    closed_on: date | None
    closed_reason: str | None
    services: tuple[ServiceForPrint, ...]
    chain: tuple[NoticeRecord, ...]  # the first step first; ``record`` is one of them


def notice_history(engine: Engine, notice_id: int) -> NoticeHistory:
    with reading(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        services = s.scalars(
            select(Service).where(Service.notice_id == notice_id).order_by(Service.served_on, Service.id)
        )
        return NoticeHistory(
            record=_record(s, notice), recipient=notice.recipient, reply_summary=notice.reply_summary,
            closed_on=notice.closed_on, closed_reason=notice.closed_reason,
            services=tuple(
                ServiceForPrint(x.served_on, x.method, x.signed_by, x.served_by, x.note) for x in services
            ),
            chain=tuple(_record(s, step) for step in _chain(s, notice)),
        )  # fmt: skip


def _chain(s, notice: Notice) -> list[Notice]:
    """The notices escalated into this one and out of it, in order (each step has at most one next)."""
    chain = [notice]
    while chain[0].escalated_from is not None:
        chain.insert(0, chain[0].escalated_from)
    while (following := s.scalar(select(Notice).where(Notice.escalated_from_id == chain[-1].id))) is not None:
        chain.append(following)
    return chain
