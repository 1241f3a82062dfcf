"""``notice issue|serve|reply|due``: the 一函两书 lifecycle from the command line.

Printing (``notice print``, ``batch``, ``register``) comes with the notice wording; these four already
keep the register: numbers, service, replies and what falls due.
"""

from __future__ import annotations

from datetime import date

from commands.output import EXIT_DONE, Reporter
from commands.parser import parse_date
from models.database import opened
from models.employers import employer_by_credit_code
from models.entities import NoticeKind, ServiceMethod
from models.notices import (
    NoticeRecord,
    draft_notice,
    due_notices,
    find_notice,
    issue_notice,
    record_reply,
    serve_notice,
)
from models.paths import DataDir

KINDS = [str(kind) for kind in NoticeKind]
METHODS = {"直接送达": ServiceMethod.DIRECT, "邮寄送达": ServiceMethod.MAIL, "留置送达": ServiceMethod.LEFT}
METHODS.update({str(method): method for method in ServiceMethod})


def add_parsers(subparsers, parent) -> None:
    notice = subparsers.add_parser("notice", help="一函两书").add_subparsers(dest="action", required=True)
    issue = notice.add_parser("issue", parents=[parent], help="向一家单位发出一份文书（编号）")
    issue.add_argument("--kind", required=True, choices=KINDS, help="文书种类")
    issue.add_argument("--employer", required=True, help="单位的统一社会信用代码")
    issue.add_argument("--date", help="成文日期，如 2026-03-05（默认今天）")
    issue.add_argument("--override-reason", help="越级发出的理由")
    issue.set_defaults(run=run_issue)

    serve = notice.add_parser("serve", parents=[parent], help="登记送达")
    serve.add_argument("number", help="文号")
    serve.add_argument("--date", required=True, help="送达日期")
    serve.add_argument("--method", required=True, choices=list(METHODS), help="送达方式")
    serve.add_argument("--receiver", help="签收人")
    serve.add_argument("--note", help="备注（留置送达须写明情况和见证人）")
    serve.set_defaults(run=run_serve)

    reply = notice.add_parser("reply", parents=[parent], help="登记答复")
    reply.add_argument("number", help="文号")
    reply.add_argument("--date", required=True, help="答复日期")
    reply.add_argument("--summary", required=True, help="答复内容摘要")
    reply.set_defaults(run=run_reply)

    due = notice.add_parser("due", parents=[parent], help="列出一周内到期和已逾期的文书")
    due.set_defaults(run=run_due)


def as_json(record: NoticeRecord) -> dict:
    return {
        "id": record.id,
        "number": record.document_number,
        "kind": record.kind,
        "status": record.status,
        "employer": record.employer_name,
        "issued_on": record.issued_on and record.issued_on.isoformat(),
        "served_on": record.served_on and record.served_on.isoformat(),
        "reply_due_on": record.reply_due_on and record.reply_due_on.isoformat(),
        "replied_on": record.replied_on and record.replied_on.isoformat(),
    }


def run_issue(args, data_dir: DataDir, reporter: Reporter) -> int:
    issued_on = parse_date(args.date, "date") if args.date else date.today()
    with opened(data_dir) as engine:
        draft = draft_notice(
            engine,
            employer_by_credit_code(engine, args.employer),
            args.kind,
            override_reason=args.override_reason,
        )
        record = issue_notice(engine, draft, issued_on)
    reporter.say(f"已发出 {record.document_number}（{record.employer_name}）。")
    return reporter.finish(EXIT_DONE, as_json(record))


def run_serve(args, data_dir: DataDir, reporter: Reporter) -> int:
    served_on = parse_date(args.date, "date")
    with opened(data_dir) as engine:
        notice = find_notice(engine, args.number)
        record = serve_notice(
            engine, notice.id, served_on, METHODS[args.method], signed_by=args.receiver, note=args.note
        )
    reporter.say(f"已登记 {record.document_number} 送达，答复期限 {record.reply_due_on:%Y-%m-%d}。")
    return reporter.finish(EXIT_DONE, as_json(record))


def run_reply(args, data_dir: DataDir, reporter: Reporter) -> int:
    replied_on = parse_date(args.date, "date")
    with opened(data_dir) as engine:
        record = record_reply(engine, find_notice(engine, args.number).id, replied_on, args.summary)
    reporter.say(f"已登记 {record.document_number} 的答复。")
    return reporter.finish(EXIT_DONE, as_json(record))


def run_due(args, data_dir: DataDir, reporter: Reporter) -> int:
    today = date.today()
    with opened(data_dir) as engine:
        due_soon, overdue = due_notices(engine, today)
    for title, records in (("已逾期", overdue), ("一周内到期", due_soon)):
        reporter.say(f"{title}：{len(records)} 份")
        for r in records:
            reporter.say(f"  {r.document_number}　{r.employer_name}　答复期限 {r.reply_due_on:%Y-%m-%d}")
    return reporter.finish(
        EXIT_DONE, {"overdue": [as_json(r) for r in overdue], "due_soon": [as_json(r) for r in due_soon]}
    )
