"""``check``: integrity, foreign keys and every stored code, with a count of each problem."""

from __future__ import annotations

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, EXIT_REFUSED, Reporter
from models.checks import check_database
from models.database import opened
from models.paths import DataDir

PROBLEM_NAMES = {
    "integrity": "数据库完整性",
    "foreign_keys": "外键引用",
    "search_index": "会员搜索索引",
    "member_id_number": "会员身份证号",
    "member_mobile": "会员手机号码",
    "employer_credit_code": "单位统一社会信用代码",
    "union_credit_code": "基层工会统一社会信用代码",
    "first_level_union_credit_code": "一级工会统一社会信用代码",
    "membership_history": "会员进出记录",
    "audit_trail": "审计记录",
}


def add_parser(subparsers, parent) -> None:
    parser = subparsers.add_parser(
        "check",
        parents=[parent],
        help="检查数据库和全部代码",
        description="完整性检查、外键检查，重新校验每个身份证号、统一社会信用代码和手机号码，"
        "核对每名会员的状态与其转出、退会、重新入会记录，并逐条验证审计记录未被改动或删除。发现问题时退出码为 1。",
    )
    parser.set_defaults(run=run)


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    if not data_dir.database.exists():
        return reporter.fail(EXIT_ENVIRONMENT, f"数据文件夹“{data_dir.root}”中没有数据库。")
    with opened(data_dir) as engine:
        report = check_database(engine)
    for kind, count in report.problems.items():
        reporter.say(f"{PROBLEM_NAMES[kind]}：{'通过' if count == 0 else f'{count} 处问题'}")
    for example in report.examples:
        reporter.say(f"  · {example}")
    reporter.say(f"共检查 {report.records_checked:,} 个代码，发现问题 {report.total} 处。")
    code = EXIT_REFUSED if report.total else EXIT_DONE
    return reporter.finish(
        code,
        {
            "problems": dict(report.problems),
            "total_problems": report.total,
            "records_checked": report.records_checked,
            "examples": report.examples,
        },
    )
