"""The 一函两书 register (台账): every numbered notice with its service, reply and whether it is overdue.

The same rows go into the printed register (``printing``) and the workbook (``spreadsheets``), which may
not import each other; so the column headings and the words for the stored codes live here, beside the
rows they describe, instead of twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from models.database import reading
from models.entities import Employer, Notice, NoticeKind, Service
from models.errors import InvalidInput
from models.labels import NOTICE_KIND, NOTICE_STATUS, SERVICE_METHOD
from models.notices import ESCALATION, is_overdue, latest_services

OVERDUE = "逾期"

REGISTER_TITLE = "“一函两书”台账"
# (heading, kind of value): "text" cells keep codes and numbers as typed, "date" cells are dates.
REGISTER_COLUMNS = (
    ("文号", "text"),
    ("种类", "text"),
    ("单位", "text"),
    ("统一社会信用代码", "text"),
    ("主送部门", "text"),
    ("成文日期", "date"),
    ("送达日期", "date"),
    ("送达方式", "text"),
    ("签收人", "text"),
    ("答复期限", "date"),
    ("答复日期", "date"),
    ("状态", "text"),
    ("逾期", "text"),
)


@dataclass(frozen=True)
class RegisterEntry:
    """One numbered notice as the register lists it (a voided one too: its number stays taken)."""

    notice_id: int
    kind: str
    document_number: str
    employer_name: str
    credit_code: str | None
    recipient: str | None
    issued_on: date | None
    served_on: date | None
    service_method: str | None
    signed_by: str | None
    reply_due_on: date | None
    replied_on: date | None
    status: str
    overdue: bool

    def values(self) -> tuple[str | date | None, ...]:
        """The row's cells in the order of ``REGISTER_COLUMNS``: codes as words, dates as dates."""
        return (
            self.document_number,
            NOTICE_KIND.get(self.kind, self.kind),
            self.employer_name,
            self.credit_code,
            self.recipient,
            self.issued_on,
            self.served_on,
            SERVICE_METHOD.get(self.service_method, self.service_method) if self.service_method else None,
            self.signed_by,
            self.reply_due_on,
            self.replied_on,
            NOTICE_STATUS.get(self.status, self.status),
            OVERDUE if self.overdue else None,
        )


def register_scope(kind: str | None = None, year: int | None = None) -> str:
    """What a register covers, in words: "2026年 工会组建意见函" or "全部"."""
    parts = [f"{year}年" if year else "", NOTICE_KIND.get(kind, "") if kind else ""]
    return " ".join(part for part in parts if part) or "全部"


def notice_register(
    engine: Engine, kind: str | None = None, year: int | None = None, today: date | None = None
) -> list[RegisterEntry]:
    """Every numbered notice, by kind, year and number; ``year`` is the year of the number (成文年度).

    Overdue is worked out against ``today`` (by default the real today), never stored.
    """
    if kind is not None and kind not in set(NoticeKind):
        raise InvalidInput(f"文书种类“{kind}”无效", "kind")
    today = today or date.today()
    query = (
        select(Notice, Employer.name, Employer.credit_code)
        .join(Employer, Notice.employer_id == Employer.id)
        .where(Notice.number_seq.is_not(None))
    )
    if kind is not None:
        query = query.where(Notice.kind == kind)
    if year is not None:
        query = query.where(Notice.number_year == year)
    with reading(engine) as s, s.begin():
        rows = s.execute(query).all()
        services = latest_services(s, [row[0].id for row in rows])
    # In the order of escalation rather than of the codes' spelling; then by year and number.
    rows.sort(key=lambda row: (ESCALATION.index(row[0].kind), row[0].number_year, row[0].number_seq))
    return [_entry(notice, name, code, services.get(notice.id), today) for notice, name, code in rows]


def _entry(
    notice: Notice, name: str, code: str | None, service: Service | None, today: date
) -> RegisterEntry:
    return RegisterEntry(
        notice_id=notice.id, kind=notice.kind, document_number=notice.document_number or "",
        employer_name=name, credit_code=code, recipient=notice.recipient, issued_on=notice.issued_on,
        served_on=service and service.served_on, service_method=service and service.method,
        signed_by=service and service.signed_by, reply_due_on=notice.reply_due_on,
        replied_on=notice.replied_on, status=notice.status,
        overdue=is_overdue(notice.status, notice.reply_due_on, today),
    )  # fmt: skip
