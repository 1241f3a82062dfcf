"""``audit``: the audit trail on the terminal, newest first, or written to a workbook.

    main.py audit                                          the newest 200 entries
    main.py audit --record 6f1c0a2e-…                      one record's history (its import included)
    main.py audit --actor 王芳 --since 2026-11-01 --until 2026-11-24
    main.py audit --since 2026-11-01 --export 审计记录.xlsx  the same entries to .xlsx

For an administrator only. ID numbers and phones are masked, on the terminal as in an export (the lines
are easily kept in a file); ``--full --reason 理由`` shows them whole, as ``export`` does, and the trail
records who, why, how many people and where to (models.privacy).
"""

from __future__ import annotations

import unicodedata
from contextlib import closing
from pathlib import Path

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, Reporter
from commands.parser import parse_date
from models.accounts import require_role
from models.audit import AuditFilter, audit_actors
from models.database import opened
from models.entities import Role
from models.errors import InvalidInput
from models.labels import AUDIT_ACTIONS, AUDIT_TABLES
from models.paths import DataDir
from models.privacy import check_full_disclosure, record_full_disclosure
from spreadsheets.audit_trail import (
    DISCLOSED,
    ShownEntry,
    TrailPage,
    criteria_words,
    export_trail,
    people_disclosed,
    read_trail,
)

DEFAULT_LIMIT = 200


def add_parser(subparsers, parent) -> None:
    tables = "、".join(f"{code}（{words}）" for code, words in AUDIT_TABLES.items())
    actions = "、".join(f"{code}（{words}）" for code, words in AUDIT_ACTIONS.items())
    parser = subparsers.add_parser(
        "audit",
        parents=[parent],
        help="查看审计记录：谁在何时新增、修改、删除了哪条记录（需管理员权限）",
        description="按时间从新到旧列出审计记录，可按记录、人员、日期、表和操作筛选，也可导出为 .xlsx。"
        "身份证号和手机号码默认隐去部分数字。",
    )
    parser.add_argument("--record", metavar="UUID", help="只列出这条记录的审计记录（含批量导入它的那一条）")
    parser.add_argument("--actor", metavar="NAME", help="只列出此人的操作（账户名，或“用户名（本机用户）”）")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="从这一天起（含当天）")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="到这一天止（含当天）")
    parser.add_argument("--table", metavar="表", help=f"只列出一个表的记录：{tables}")
    parser.add_argument("--action", metavar="操作", help=f"只列出一种操作：{actions}")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"最多列出多少条（默认 {DEFAULT_LIMIT}）",
    )
    parser.add_argument(
        "--export", metavar="OUT.xlsx", help="把列出的审计记录导出到此文件（已有同名文件时替换）"
    )
    parser.add_argument(
        "--full", action="store_true", help="显示或导出完整的身份证号和手机号码（须同时给出 --reason）"
    )
    parser.add_argument("--reason", metavar="理由", help="为什么需要完整的身份证号和手机号码（记入审计记录）")
    parser.set_defaults(run=run)


def _code(text: str | None, words: dict, option: str, noun: str) -> str | None:
    """A table or action given by its code or its Chinese word."""
    if text is None:
        return None
    text = text.strip()
    for code, word in words.items():
        if text in (str(code), word):
            return str(code)
    choices = "、".join(f"{code}（{word}）" for code, word in words.items())
    raise InvalidInput(f"没有名为“{text}”的{noun}，可选：{choices}", option)


def _actor(engine, text: str | None) -> str | None:
    """The person as the trail names them: the exact name, or the one name that contains the text."""
    if text is None:
        return None
    text = text.strip()
    known = audit_actors(engine)
    if text in known:
        return text
    found = [name for name in known if text in name]
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidInput(
            f"审计记录中没有“{text}”的操作。记录中的人员有：{'、'.join(known) or '（无）'}", "actor"
        )
    raise InvalidInput(f"“{text}”可指多人：{'、'.join(found)}；请写出完整的名称", "actor")


def _criteria(args, engine) -> AuditFilter:
    since = parse_date(args.since, "since") if args.since else None
    until = parse_date(args.until, "until") if args.until else None
    if since and until and since > until:
        raise InvalidInput(f"开始日期 {since:%Y-%m-%d} 晚于结束日期 {until:%Y-%m-%d}", "since")
    return AuditFilter(
        record_uuid=args.record.strip() if args.record else None,
        actor=_actor(engine, args.actor),
        since=since,
        until=until,
        table_name=_code(args.table, AUDIT_TABLES, "table", "表"),
        action=_code(args.action, AUDIT_ACTIONS, "action", "操作"),
    )


def _check_full(args) -> None:
    """--full and --reason go together, as for ``export``."""
    if args.full and not (args.reason or "").strip():
        raise InvalidInput(
            "完整显示或导出身份证号和手机号码须用 --reason 说明理由（将记入审计记录）", "reason"
        )
    if args.reason is not None and not args.full:
        raise InvalidInput("--reason 只与 --full 一起使用：不加 --full 时身份证号和手机号码已隐去", "reason")


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    if args.limit < 1:
        raise InvalidInput("--limit 须为正整数", "limit")
    target = Path(args.export).absolute() if args.export else None
    if target is not None and target.suffix.lower() != ".xlsx":
        raise InvalidInput(f"导出的文件名应以 .xlsx 结尾：{target.name}", "export")
    _check_full(args)
    with opened(data_dir) as engine:
        require_role(engine, Role.ADMINISTRATOR, "查看审计记录")
        criteria = _criteria(args, engine)
        page = read_trail(engine, criteria, args.limit)
        conditions = criteria_words(criteria)
        if target is not None:
            progress = export_trail(
                engine, target, page, conditions=conditions, full=args.full, reason=args.reason
            )
            try:
                with closing(progress):  # an interrupted export removes its unfinished file at once
                    for done, total, message in progress:
                        reporter.progress(done, total, message)
            except KeyboardInterrupt:
                return reporter.fail(EXIT_ENVIRONMENT, "已取消，没有生成文件。")
        elif args.full and (people := people_disclosed(page.entries)):
            reason = check_full_disclosure(engine, args.reason, "显示完整身份证号和手机号码")
            record_full_disclosure(engine, DISCLOSED, people, reason, "命令行")
    for line in trail_lines(page, conditions, reveal=args.full):
        reporter.say(line)
    if target is not None:
        reporter.say(f"已导出审计记录 {len(page.entries):,} 条到 {target}。")
    summary = {
        "count": len(page.entries),
        "more": page.more,
        "limit": page.limit,
        "entries": [entry_json(entry, reveal=args.full) for entry in page.entries],
    }
    if target is not None:
        summary["path"] = str(target)
    return reporter.finish(EXIT_DONE, summary)


def trail_lines(page: TrailPage, conditions: list[str], reveal: bool = False) -> list[str]:
    """The entries one a line (时间 人员 操作 对象 内容), then the count, or that older ones match too."""
    heading = "审计记录" + (f"（{'；'.join(conditions)}）" if conditions else "")
    lines = [heading]
    actor_width = max((_width(entry.actor) for entry in page.entries), default=0)
    for entry in page.entries:
        lines.append(
            f"{entry.at}  {_pad(entry.actor, actor_width)}  {_pad(entry.action_name, 8)}  {entry.subject}"
            f"  {entry.summary(reveal)}"
        )
    if page.more:
        lines.append(
            f"仅列出最近 {page.limit:,} 条，请用条件缩小范围（--record、--actor、--since、--until）。"
        )
    else:
        lines.append(f"共 {len(page.entries):,} 条。")
    return lines


def entry_json(entry: ShownEntry, reveal: bool = False) -> dict:
    """One entry for --json: codes and Chinese words, its fields (masked unless revealed) or its facts."""
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "action_name": entry.action_name,
        "table": entry.table_name,
        "table_name": entry.table_title,
        "record_uuid": entry.record_uuid,
        "record": entry.record,
        "summary": entry.summary(reveal),
        "fields": [
            {
                "field": change.column,
                "label": change.field,
                "old": change.old if reveal else change.masked_old,
                "new": change.new if reveal else change.masked_new,
            }
            for change in entry.changes
        ],
        "facts": dict(entry.facts),
        "record_count": entry.record_count,
    }


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)
