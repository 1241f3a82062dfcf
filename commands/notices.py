"""``notice issue|serve|reply|due|print|batch|register``: the 一函两书 from the command line.

The first four keep the register (numbers, service, replies, what falls due); ``print`` puts one notice
and its 送达回证 into a PDF, ``batch`` issues one kind to many employers and prints them all, ``register``
writes the 台账 as .xlsx or PDF.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from commands.output import EXIT_DONE, EXIT_REFUSED, Reporter
from commands.parser import parse_date
from models.database import opened
from models.employers import employer_by_credit_code
from models.entities import NoticeKind, ServiceMethod
from models.errors import InvalidInput, writing_file
from models.labels import SERVICE_METHOD
from models.notice_register import notice_register, register_scope
from models.notices import (
    BatchIssue,
    NoticeRecord,
    SkipReason,
    due_notices,
    employers_by_credit_code,
    find_notice,
    issue_new_notice,
    issue_notices,
    record_reply,
    serve_notice,
    skipped_employer,
)
from models.paths import DataDir
from models.registers import federation_settings
from printing.fonts import document_fonts
from printing.notice_register import NoticeRegisterSheet
from printing.notice_wording import load_wordings
from printing.notices import iter_write_notice_files, iter_write_notices
from printing.official_document import iter_write_documents
from spreadsheets.notice_register import write_register_workbook

KINDS = [str(kind) for kind in NoticeKind]
METHODS = {name: method for method, name in SERVICE_METHOD.items()}
METHODS.update({str(method): method for method in ServiceMethod})
CODE_FILE_SUFFIXES = (".txt", ".csv")


BUNDLED_FONT_HELP = "只用程序自带字体，不用本机的仿宋、黑体、楷体等（各台电脑打印出来一样）"


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

    show = notice.add_parser("print", parents=[parent], help="把一份文书（及其送达回证）打印成 PDF")
    show.add_argument("number", help="文号")
    show.add_argument("out", metavar="OUT.pdf", help="要写出的 PDF 文件")
    show.add_argument("--no-proof", action="store_true", help="不附送达回证")
    show.add_argument("--bundled-font", action="store_true", help=BUNDLED_FONT_HELP)
    show.set_defaults(run=run_print)

    batch = notice.add_parser("batch", parents=[parent], help="向多家单位发出同一种文书，并打印成 PDF")
    batch.add_argument("--kind", required=True, choices=KINDS, help="文书种类")
    batch.add_argument(
        "--employers",
        required=True,
        metavar="CODES_OR_FILE",
        help="单位的统一社会信用代码，用逗号分隔；或一个 .txt/.csv 文件，每行一个代码",
    )
    batch.add_argument("out", metavar="OUT.pdf", help="要写出的 PDF 文件（--separate-files 时为文件夹）")
    batch.add_argument("--date", help="成文日期，如 2026-03-05（默认今天）")
    batch.add_argument("--separate-files", action="store_true", help="每家单位一个 PDF 文件")
    batch.add_argument("--no-proof", action="store_true", help="不附送达回证")
    batch.add_argument("--bundled-font", action="store_true", help=BUNDLED_FONT_HELP)
    batch.set_defaults(run=run_batch)

    register = notice.add_parser("register", parents=[parent], help="写出“一函两书”台账（.xlsx 或 .pdf）")
    register.add_argument("out", metavar="OUT.xlsx|OUT.pdf", help="要写出的台账文件")
    register.add_argument("--kind", choices=KINDS, help="只列一种文书")
    register.add_argument("--year", type=int, help="只列某年编号的文书")
    register.add_argument("--bundled-font", action="store_true", help=BUNDLED_FONT_HELP)
    register.set_defaults(run=run_register)


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
        record = issue_new_notice(
            engine,
            employer_by_credit_code(engine, args.employer),
            args.kind,
            issued_on,
            override_reason=args.override_reason,
        )
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


def run_print(args, data_dir: DataDir, reporter: Reporter) -> int:
    target = _output_path(args.out, (".pdf",))
    wordings = load_wordings(data_dir)
    with opened(data_dir) as engine:
        record = find_notice(engine, args.number)
        steps = iter_write_notices(
            engine,
            [record.id],
            target,
            wordings,
            with_proof_of_service=not args.no_proof,
            fonts=document_fonts(not args.bundled_font),
        )
        for step in steps:
            reporter.progress(*step)
    reporter.say(f"已将 {record.document_number}（{record.employer_name}）写入 {target}。")
    return reporter.finish(EXIT_DONE, {"path": str(target), **as_json(record)})


def run_batch(args, data_dir: DataDir, reporter: Reporter) -> int:
    issued_on = parse_date(args.date, "date") if args.date else date.today()
    target = Path(args.out) if args.separate_files else _output_path(args.out, (".pdf",))
    wordings = load_wordings(data_dir)  # a bad wording file is refused before any number is given
    codes = _credit_codes(args.employers)
    with opened(data_dir) as engine:
        employer_ids, unknown = employers_by_credit_code(engine, codes)
        outcome = issue_notices(engine, args.kind, employer_ids, issued_on, reporter.progress)
        outcome.skipped[:0] = [
            skipped_employer(None, "", SkipReason.NOT_FOUND, credit_code=code) for code in unknown
        ]
        if outcome.issued:
            write = iter_write_notice_files if args.separate_files else iter_write_notices
            fonts = document_fonts(not args.bundled_font)
            for step in write(
                engine,
                outcome.notice_ids,
                target,
                wordings,
                with_proof_of_service=not args.no_proof,
                fonts=fonts,
            ):
                reporter.progress(*step)
    _say_batch(reporter, outcome, target)
    code = EXIT_REFUSED if outcome.skipped or not outcome.issued else EXIT_DONE
    return reporter.finish(code, _batch_json(outcome, target))


def run_register(args, data_dir: DataDir, reporter: Reporter) -> int:
    target = _output_path(args.out, (".xlsx", ".pdf"))
    scope = register_scope(args.kind, args.year)
    made_at = datetime.now().replace(microsecond=0)
    with opened(data_dir) as engine:
        entries = notice_register(engine, args.kind, args.year)
        federation = federation_settings(engine).name
    if target.suffix.lower() == ".xlsx":
        write_register_workbook(target, entries, scope, made_at)
    else:
        sheet = NoticeRegisterSheet(entries, scope, made_at, federation)
        with writing_file(target):
            for _ in iter_write_documents(target, [sheet], document_fonts(not args.bundled_font)):
                pass
    reporter.say(f"已将台账（{scope}，{len(entries)} 份）写入 {target}。")
    summary = {"path": str(target), "count": len(entries), "numbers": [e.document_number for e in entries]}
    return reporter.finish(EXIT_DONE, summary)


def _output_path(text: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(text)
    if path.suffix.lower() not in suffixes:
        raise InvalidInput(f"输出文件“{text}”应以 {' 或 '.join(suffixes)} 结尾", "out")
    return path


def _credit_codes(text: str) -> list[str]:
    """Codes given on the command line (comma-separated), or read from a .txt/.csv file, one per line.

    In a file, the first cell of each line counts, and lines with no letter or digit (a header such as
    "统一社会信用代码", a blank line) are passed over.
    """
    path = Path(text)
    if path.suffix.lower() in CODE_FILE_SUFFIXES:
        lines = _read_lines(path)
        cells = [re.split(r"[,，\t;；]", line, maxsplit=1)[0].strip().strip('"') for line in lines]
        return [cell for cell in cells if re.search(r"[0-9A-Za-z]", cell)]
    return [code.strip() for code in re.split(r"[,，]", text) if code.strip()]


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取单位代码文件“{path}”：{exc.strerror or exc}", "employers") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # saved from Excel or WPS on a Chinese Windows
    return text.splitlines()


def _say_batch(reporter: Reporter, outcome: BatchIssue, target: Path) -> None:
    if outcome.issued:
        first, last = outcome.numbers[0], outcome.numbers[-1]
        reporter.say(f"已发出 {len(outcome.issued)} 份（{first} 至 {last}），已写入 {target}。")
    else:
        reporter.say("没有发出任何文书。")
    if outcome.skipped:
        reporter.say(f"跳过 {len(outcome.skipped)} 家单位：")
        for skipped in outcome.skipped:
            who = "　".join(part for part in (skipped.credit_code or "", skipped.employer_name) if part)
            reporter.say(f"  {who}：{skipped.reason_text}")


def _batch_json(outcome: BatchIssue, target: Path) -> dict:
    return {
        "path": str(target) if outcome.issued else None,
        "issued": [
            {"id": n.notice_id, "number": n.document_number, "employer": n.employer_name}
            for n in outcome.issued
        ],
        "skipped": [
            {
                "credit_code": s.credit_code,
                "employer": s.employer_name or None,
                "reason": str(s.reason),
                "reason_text": s.reason_text,
            }
            for s in outcome.skipped
        ],
        "numbers": outcome.numbers,
    }
