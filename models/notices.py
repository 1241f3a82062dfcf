"""一函两书: the rules of the formal notices — numbering, deadlines, the lifecycle and the order of escalation.

draft → issued (numbered) → served (送达) → replied, or overdue once the reply deadline has passed →
escalated (the next kind, linked to this one) → closed (a union was founded, or withdrawn with a reason).
A discarded notice is 作废: its number stays taken, so the register never shows a gap nobody can explain.

Overdue is not stored: it follows from the deadline and today's date, so it can never be out of date.
A facade like ``registers``: each function runs its own transaction and returns plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from models.database import reading, writing
from models.entities import Employer, Federation, Notice, NoticeKind, NoticeStatus, Service, ServiceMethod
from models.errors import InvalidInput, refuse_future_date
from models.listing import employer_has_active_union

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
        return (
            self.status == NoticeStatus.SERVED and self.reply_due_on is not None and today > self.reply_due_on
        )


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
    if kind not in set(NoticeKind):
        raise InvalidInput(f"文书种类“{kind}”无效", "kind")
    reason = (override_reason or "").strip() or None
    with writing(engine) as s, s.begin():
        employer = s.get(Employer, employer_id)
        if employer is None:
            raise InvalidInput("该单位记录已不存在", "employer")
        if s.scalar(select(employer_has_active_union()).where(Employer.id == employer_id)):
            raise InvalidInput(f"“{employer.name}”已建会，不需要发“一函两书”", "employer")
        if _open_notice_of_kind(s, employer_id, kind) is not None:
            raise InvalidInput(f"“{employer.name}”已有一份未办结的同类文书", "kind")
        earlier = _earlier_step(s, employer_id, kind)
        if ESCALATION.index(kind) > 0 and earlier is None and reason is None:
            raise InvalidInput(
                f"应先向“{employer.name}”送达{_kind_name(ESCALATION[ESCALATION.index(kind) - 1])}；"
                "确需越级发出，请写明理由",
                "override_reason",
            )
        notice = Notice(
            kind=kind, employer_id=employer_id, status=NoticeStatus.DRAFT, facts=facts, requests=requests,
            recipient=recipient, escalated_from_id=earlier.id if earlier else None,
            override_reason=reason if earlier is None else None,
        )  # fmt: skip
        s.add(notice)
        s.flush()
        return notice.id


def _kind_name(kind: str) -> str:
    # Named here only to refuse in Chinese; the printed titles live in resources/ with the wording.
    return {"opinion_letter": "《工会组建意见函》", "inspection_opinion": "《工会组建法律监督检查意见书》"}[
        kind
    ]


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
        return _record(s, notice)


def void_notice(engine: Engine, notice_id: int, reason: str) -> None:
    """作废: the notice is withdrawn before it takes effect; a number it had stays taken."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请写明作废原因", "reason")
    with writing(engine) as s, s.begin():
        notice = _notice(s, notice_id)
        if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.ISSUED):
            raise InvalidInput("已送达的文书不能作废，请以办结（撤回）处理", "reason")
        notice.status, notice.closed_reason, notice.closed_on = NoticeStatus.VOID, reason, date.today()


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
