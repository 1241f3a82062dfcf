"""The argument parser, speaking Chinese (argparse's own messages are translated where clerks meet them)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date

from commands.output import EXIT_ENVIRONMENT
from models.errors import InvalidInput

_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1 的值 \2 无效，可选：\3"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"参数 \1 的值 \3 无效"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"无效的子命令 \1，可选：\2"),
)


def _in_chinese(message: str) -> str:
    for pattern, replacement in _ARGPARSE_MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    # Whether the command line being parsed asked for --json: a usage error must still end in JSON then.
    # Set by commands.cli.parse_arguments; argparse's subparsers are separate objects, hence the class.
    json_requested = False

    def error(self, message: str) -> None:  # type: ignore[override]
        text = f"命令用法有误：{_in_chinese(message)}（用 -h 查看帮助）"
        print(f"{self.prog}: {text}", file=sys.stderr)
        if ChineseArgumentParser.json_requested:
            import json

            print(json.dumps({"ok": False, "exit_code": EXIT_ENVIRONMENT, "error": text}, ensure_ascii=False))
        sys.exit(EXIT_ENVIRONMENT)


def common_options() -> argparse.ArgumentParser:
    """--data-dir, --account and --json, accepted before or after the subcommand."""
    parent = ChineseArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="数据文件夹（默认为用户数据文件夹，也可用环境变量 UNIONDESK_DATA_DIR 指定）",
    )
    parent.add_argument(
        "--account",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="数据库启用了账户登录时，以此账户工作（密码取自环境变量 UNIONDESK_PASSWORD，未设置时提示输入）",
    )
    parent.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="最后一行输出一个汇总结果的 JSON 对象"
    )
    return parent


def parse_date(text: str, field: str) -> date:
    """A date option as 2020-03-05; anything else is refused in Chinese, naming the option."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"日期“{text}”无效，请写成 2020-03-05 的形式", field) from None
