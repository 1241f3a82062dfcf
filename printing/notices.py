"""The 一函两书 on paper: one notice mapped onto an ``OfficialDocument`` and its ``ProofOfService``.

The wording comes from ``printing.notice_wording`` (the office's files), the facts from
``models.notices.notice_print_data`` (one read for any number of notices). 意见函 uses the letter layout
(信函格式), the two 书 the standard one. A draft can be previewed: its number reads "（草稿，未编号）" so a
printed draft is never mistaken for a notice that was issued.

Long work is a generator yielding ``(done, total, message)``, run by the window's worker; stopping it
leaves no file behind (``iter_write_documents`` writes through a temporary file).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from models.entities import NoticeKind
from models.errors import InvalidInput, writing_file
from models.labels import SERVICE_METHOD, STAFF_COUNT_SOURCE
from models.notices import NoticePrintData, notice_print_data
from printing.fonts import DocumentFonts
from printing.notice_wording import LegalArticle, NoticeWordings, fill
from printing.official_document import (
    OfficialDocument,
    Printable,
    Progress,
    format_date,
    iter_write_documents,
    paragraphs_from_text,
)
from printing.proof_of_service import ProofOfService

VARIANTS = {
    NoticeKind.OPINION_LETTER: "letter",  # 函: GB/T 9704 §10.1
    NoticeKind.INSPECTION_OPINION: "standard",
    NoticeKind.RECOMMENDATION: "standard",
}
DRAFT_NUMBER = "（草稿，未编号）"
# Characters Windows refuses in a file name, and control characters.
_UNSAFE_IN_FILE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


# --- the merge fields -----------------------------------------------------------------------------------


def merge_fields(data: NoticePrintData, wordings: NoticeWordings, today: dt.date) -> dict[str, str]:
    """Every merge field of ``notice_wording.FIELDS`` for one notice; empty text where nothing is known."""
    wording = wordings.of(data.kind)
    employer = data.employer
    settings = data.federation
    latest = data.earlier[-1] if data.earlier else None
    cited = wordings.cited(data.kind)
    values = {
        "单位名称": employer.name,
        "统一社会信用代码": employer.credit_code or "",
        "住所": employer.address or "",
        "法定代表人": employer.legal_representative or "",
        "成立日期": _date(employer.founded_on),
        "职工人数": "" if employer.staff_count is None else str(employer.staff_count),
        "人数来源": STAFF_COUNT_SOURCE.get(employer.staff_count_source, "")
        if employer.staff_count_source
        else "",
        "人数日期": _date(employer.staff_count_date),
        "此前文书": _join([_earlier_text(step, wordings) for step in data.earlier]),
        "前次文号": (latest and latest.document_number) or "",
        "前次成文日期": _date(latest and latest.issued_on),
        "前次送达日期": _date(latest and latest.served_on),
        "法律依据": citation(cited),
        "法律条文": "\n".join(paragraph for article in cited for paragraph in article.paragraphs),
        "答复期限": f"{settings.notice_reply_days}{'个工作日' if settings.notice_days_are_working_days else '日'}",
        "答复截止日期": _date(data.reply_due_on),
        "发文机关": settings.name,
        "发文机关地址": settings.address or "",
        "联系电话": settings.phone or "",
        "成文日期": format_date(data.issued_on or today),
        "文号": data.document_number or DRAFT_NUMBER,
        "主送部门": (data.recipient or "").strip() or wording.recipient,
    }
    # What the clerk wrote for this notice is printed as written; the file's default is a template.
    values["查明事实"] = (data.facts or "").strip() or fill(wording.facts, values)
    values["整改要求"] = (data.requests or "").strip() or fill(wording.requests, values)
    return values


def _date(day: dt.date | None) -> str:
    return format_date(day) if day else ""


def _join(items: Sequence[str]) -> str:
    """甲、乙和丙."""
    items = [item for item in items if item]
    return "、".join(items[:-1]) + "和" + items[-1] if len(items) > 1 else "".join(items)


def citation(articles: Iterable[LegalArticle]) -> str:
    """《中华人民共和国工会法》第三条、第十一条和《重庆市工会条例》第七条: each law named once."""
    numbers: dict[str, list[str]] = {}
    for article in articles:
        numbers.setdefault(article.law, []).append(article.number)
    laws = [f"《{law}》{'、'.join(found)}" for law, found in numbers.items()]
    return "和".join(laws) if len(laws) == 2 else _join(laws)


def _earlier_text(step, wordings: NoticeWordings) -> str:
    """《工会组建意见函》（两江工组函〔2020〕3号，2020年3月5日送达）."""
    details = [step.document_number or "", f"{format_date(step.served_on)}送达" if step.served_on else ""]
    inside = "，".join(detail for detail in details if detail)
    return f"《{wordings.of(step.kind).title}》" + (f"（{inside}）" if inside else "")


# --- one notice -----------------------------------------------------------------------------------------


def notice_document(
    data: NoticePrintData, wordings: NoticeWordings, today: dt.date | None = None
) -> OfficialDocument:
    """The notice as a 公文; ``today`` dates a draft, which has no date of its own yet."""
    today = today or dt.date.today()
    wording = wordings.of(data.kind)
    values = merge_fields(data, wordings, today)
    return OfficialDocument(
        issuing_body_mark=fill(wording.mark, values),
        document_number=values["文号"],
        title=fill(wording.title, values),
        addressee=fill(wording.addressee, values),
        body=paragraphs_from_text(fill(wording.body, values)),
        signature=data.federation.name,
        date=data.issued_on or today,
        variant=VARIANTS[data.kind],
    )


def notice_proof_of_service(
    data: NoticePrintData, wordings: NoticeWordings, today: dt.date | None = None
) -> ProofOfService:
    """The notice's 送达回证; once the notice has been served, what the service recorded is filled in."""
    values = merge_fields(data, wordings, today or dt.date.today())
    wording = wordings.of(data.kind)
    service = data.service
    to_employer = data.kind != NoticeKind.RECOMMENDATION
    return ProofOfService(
        issuing_body=data.federation.name,
        document_title=f"《{fill(wording.title, values)}》",
        document_number=values["文号"],
        recipient=fill(wording.addressee, values),
        address=values["住所"] if to_employer else "",
        method=SERVICE_METHOD.get(service.method, "") if service else "",
        served_by=(service and service.served_by) or "",
        signed_by=(service and service.signed_by) or "",
        signed_on=service.served_on if service and service.signed_by else None,
        served_on=service and service.served_on,
        remarks=(service and service.note) or "",
    )


def notice_printables(
    data: NoticePrintData, wordings: NoticeWordings, with_proof_of_service: bool, today: dt.date | None = None
) -> list[Printable]:
    """The notice, followed by its 送达回证 when asked for."""
    items: list[Printable] = [notice_document(data, wordings, today)]
    if with_proof_of_service:
        items.append(notice_proof_of_service(data, wordings, today))
    return items


def notice_pdf(
    engine: Engine,
    notice_id: int,
    wordings: NoticeWordings,
    *,
    with_proof_of_service: bool = False,
    fonts: DocumentFonts | None = None,
) -> bytes:
    """One notice (a draft too) as PDF bytes, for the preview: one read of the database, one document."""
    (data,) = notice_print_data(engine, [notice_id])
    buffer = io.BytesIO()
    for _ in iter_write_documents(buffer, notice_printables(data, wordings, with_proof_of_service), fonts):
        pass
    return buffer.getvalue()


# --- many notices ---------------------------------------------------------------------------------------


def iter_write_notices(
    engine: Engine,
    notice_ids: Sequence[int],
    target: Path | BinaryIO,
    wordings: NoticeWordings,
    *,
    with_proof_of_service: bool = True,
    fonts: DocumentFonts | None = None,
) -> Iterator[Progress]:
    """Every notice into one PDF, each from a new page and followed by its 送达回证, yielding progress.

    Raises:
        KnownError: the file cannot be written (open in a PDF viewer, no permission, disk full).
    """
    _refuse_nothing(notice_ids)
    per_notice = 2 if with_proof_of_service else 1
    yield 0, len(notice_ids) * per_notice, "正在读取文书…"
    records = notice_print_data(engine, notice_ids)
    today = dt.date.today()
    items = [
        item for data in records for item in notice_printables(data, wordings, with_proof_of_service, today)
    ]
    with writing_file(target):
        yield from iter_write_documents(target, items, fonts, title=_pdf_title(records, wordings))


def write_notices(
    engine: Engine,
    notice_ids: Sequence[int],
    target: Path | BinaryIO,
    wordings: NoticeWordings,
    *,
    with_proof_of_service: bool = True,
    fonts: DocumentFonts | None = None,
    progress: Callable[[int, int, str], object] | None = None,
) -> None:
    """``iter_write_notices`` run to the end, reporting to ``progress`` if given."""
    steps = iter_write_notices(
        engine, notice_ids, target, wordings, with_proof_of_service=with_proof_of_service, fonts=fonts
    )
    for step in steps:
        if progress is not None:
            progress(*step)


def iter_write_notice_files(
    engine: Engine,
    notice_ids: Sequence[int],
    folder: Path,
    wordings: NoticeWordings,
    *,
    with_proof_of_service: bool = True,
    fonts: DocumentFonts | None = None,
) -> Iterator[Progress]:
    """One PDF per notice (with its 送达回证) in ``folder``, named by number and employer.

    Stopping it keeps the files already written; the one being written does not appear.
    """
    _refuse_nothing(notice_ids)
    total = len(notice_ids)
    yield 0, total, "正在读取文书…"
    records = notice_print_data(engine, notice_ids)
    today = dt.date.today()
    with writing_file(folder):
        folder.mkdir(parents=True, exist_ok=True)
        for done, data in enumerate(records, start=1):
            path = folder / notice_file_name(data.document_number, data.employer.name, data.id)
            items = notice_printables(data, wordings, with_proof_of_service, today)
            for _ in iter_write_documents(path, items, fonts, title=_pdf_title([data], wordings)):
                pass
            yield done, total, f"已写出 {done}/{total}：{path.name}"


def _refuse_nothing(notice_ids: Sequence[int]) -> None:
    if not notice_ids:
        raise InvalidInput("没有选中要打印的文书")


def notice_file_name(document_number: str | None, employer_name: str, notice_id: int) -> str:
    """两江工组函〔2026〕3号_某某有限公司.pdf; without the characters Windows refuses in a name."""
    number = document_number or f"草稿{notice_id}"
    name = f"{number}_{employer_name[:60]}.pdf"
    return _UNSAFE_IN_FILE_NAME.sub("_", name)


def _pdf_title(records: Sequence[NoticePrintData], wordings: NoticeWordings) -> str:
    if len(records) == 1:
        data = records[0]
        return f"{wordings.of(data.kind).title}（{data.document_number or DRAFT_NUMBER}）"
    return f"“一函两书”{len(records)}份"
