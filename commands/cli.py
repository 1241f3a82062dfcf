"""Runs one subcommand: parses, finds the data folder, maps known conditions to exit codes."""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sqlite3
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from commands import audit, backup, check, demo, exports, imports, notices, records, report
from commands.output import EXIT_ENVIRONMENT, EXIT_REFUSED, Reporter
from commands.parser import ChineseArgumentParser, common_options
from models.accounts import NotAllowed, accounts_in_use, sign_in
from models.database import signing_in
from models.errors import InvalidInput, KnownError, database_failure
from models.paths import resolve_data_dir


def build_parser() -> ChineseArgumentParser:
    parent = common_options()
    parser = ChineseArgumentParser(
        prog="main.py",
        parents=[parent],
        description="工会组建工作台。不带子命令时打开窗口；带子命令时在命令行完成批量工作。",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="子命令")
    demo.add_parser(subparsers, parent)
    backup.add_parsers(subparsers, parent)
    check.add_parser(subparsers, parent)
    records.add_parsers(subparsers, parent)
    notices.add_parsers(subparsers, parent)
    exports.add_parsers(subparsers, parent)
    imports.add_parsers(subparsers, parent)
    report.add_parser(subparsers, parent)
    audit.add_parser(subparsers, parent)
    return parser


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line; exits with code 2 and a Chinese message on a usage error."""
    ChineseArgumentParser.json_requested = "--json" in argv
    return build_parser().parse_args(argv)


def sign_in_from_command_line(account: str | None, engine: Engine) -> None:
    """With accounts in use a command works as an account, with that account's rights; without, as the
    Windows user. The password comes from UNIONDESK_PASSWORD (for scheduled tasks) or is asked for."""
    if not accounts_in_use(engine):
        return
    if not account:
        raise NotAllowed(
            "此数据库启用了账户登录：请用 --account 账户名 指定以哪个账户工作"
            "（密码取自环境变量 UNIONDESK_PASSWORD，未设置时会提示输入）。"
        )
    password = os.environ.get("UNIONDESK_PASSWORD")
    if password is None:
        password = getpass.getpass(f"账户“{account}”的密码：")
    sign_in(engine, account, password)


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed subcommand and return its exit code."""
    reporter = Reporter(as_json=getattr(args, "json", False))
    try:
        data_dir = resolve_data_dir(getattr(args, "data_dir", None))
        with signing_in(functools.partial(sign_in_from_command_line, getattr(args, "account", None))):
            return args.run(args, data_dir, reporter)
    except InvalidInput as exc:
        return reporter.fail(EXIT_REFUSED, exc.message, field=exc.field)
    except KnownError as exc:
        return reporter.fail(EXIT_ENVIRONMENT, exc.message)
    except (DBAPIError, sqlite3.Error) as exc:
        # SQLite refusing in the middle of a save or an import (another program holds the database, the
        # disk filled up): a condition of the world, and the transaction was rolled back. Anything else
        # stays the bug it is and ends in a traceback.
        if (known := database_failure(exc)) is None:
            raise
        return reporter.fail(EXIT_ENVIRONMENT, known.message)
