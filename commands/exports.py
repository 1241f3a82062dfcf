"""``export LIST OUT.xlsx``: a list as the window shows it, to a workbook, from the command line; and
``export members OUT.pdf``: the member roster (花名册) printed.

ID numbers and phones are masked unless ``--full --reason 理由`` is given, which needs a 录入员 or 管理员
account and is kept in the audit trail (models.privacy).
"""

from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, Reporter
from commands.report import BUNDLED_FONT_HELP
from models.database import opened
from models.errors import InvalidInput
from models.labels import COLUMN_TITLES, LIST_TITLES
from models.listing import LISTINGS
from models.paths import DataDir
from models.privacy import personal_columns
from models.registers import first_level_union_choices
from printing.fonts import document_fonts
from printing.member_roster import ROSTER_TITLE, write_member_roster
from spreadsheets.exporting import export_listing

SUFFIXES = (".xlsx", ".pdf")


def add_parsers(subparsers, parent) -> None:
    lists = "、".join(f"{key}（{title}）" for key, title in LIST_TITLES.items())
    parser = subparsers.add_parser(
        "export",
        parents=[parent],
        help="把一个名单导出为 Excel 文件（.xlsx），或把会员名册打印为 PDF",
        description=f"把名单按窗口中的样子导出为 .xlsx：{lists}；会员名册也可写成 .pdf（花名册）。"
        "身份证号和手机号码默认隐去部分数字；完整导出须用 --full 并以 --reason 说明理由，记入审计记录。",
    )
    parser.add_argument("listing", choices=list(LISTINGS), metavar="名单", help="要导出的名单")
    parser.add_argument(
        "out", metavar="OUT.xlsx|OUT.pdf", help="导出的文件（已有同名文件时替换）；.pdf 只用于会员名册"
    )
    parser.add_argument("--search", default="", metavar="文字", help="只导出查找到的行，与窗口的查找框相同")
    parser.add_argument("--first-level-union", metavar="名称", help="只导出属于该一级工会的行")
    parser.add_argument(
        "--sort", metavar="列", help="按哪一列排序，如 name、staff_count（写错时列出可选的列）"
    )
    parser.add_argument("--descending", action="store_true", help="从大到小排序")
    parser.add_argument(
        "--full",
        action="store_true",
        help="写出完整的身份证号和手机号码（须录入员或管理员账户，并用 --reason 说明理由）",
    )
    parser.add_argument("--reason", metavar="理由", help="完整导出的理由，记入审计记录")
    parser.add_argument("--bundled-font", action="store_true", help=f"（PDF）{BUNDLED_FONT_HELP}")
    parser.set_defaults(run=run)


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    target = Path(args.out).absolute()
    if target.suffix.lower() not in SUFFIXES:
        raise InvalidInput(f"导出的文件名应以 .xlsx 或 .pdf 结尾：{target.name}", "out")
    printed = target.suffix.lower() == ".pdf"
    if printed and args.listing != "members":
        raise InvalidInput("只有会员名册（members）可以写成 PDF，其他名单请导出为 .xlsx", "out")
    _check_full(args)
    if args.sort is not None and args.sort not in LISTINGS[args.listing].columns:
        columns = "、".join(f"{key}（{title}）" for key, title in COLUMN_TITLES[args.listing].items())
        raise InvalidInput(f"该名单没有“{args.sort}”列，可选：{columns}", "sort")
    started = time.perf_counter()
    rows = 0
    with opened(data_dir) as engine:
        filters, conditions = _first_level_union_filter(engine, args)
        query = dict(
            sort=args.sort, descending=args.descending, search=args.search, filters=filters,
            conditions=conditions, full=args.full, reason=args.reason,
        )  # fmt: skip
        if printed:
            progress = write_member_roster(
                engine, target, fonts=document_fonts(not args.bundled_font), **query
            )
        else:
            progress = export_listing(engine, args.listing, target, **query)
        try:
            with closing(progress):  # an interrupted export removes its unfinished file at once
                for done, total, message in progress:
                    reporter.progress(done, total, message)
                    rows = total
        except KeyboardInterrupt:
            return reporter.fail(EXIT_ENVIRONMENT, "已取消，没有生成文件。")
    seconds = round(time.perf_counter() - started, 2)
    title = ROSTER_TITLE if printed else LIST_TITLES[args.listing]
    full = (
        "（含完整身份证号和手机号码，已记入审计记录）" if args.full and personal_columns(args.listing) else ""
    )
    reporter.say(f"已导出{title} {rows:,} 条到 {target}{full}，用时 {seconds} 秒。")
    return reporter.finish(
        EXIT_DONE,
        {"listing": args.listing, "rows": rows, "path": str(target), "full": args.full, "seconds": seconds},
    )


def _check_full(args) -> None:
    """--full and --reason go together: a full export is kept in the audit trail with its reason."""
    if args.full and not (args.reason or "").strip():
        raise InvalidInput("完整导出身份证号和手机号码须用 --reason 说明理由（将记入审计记录）", "reason")
    if args.reason is not None and not args.full:
        raise InvalidInput("--reason 只与 --full 一起使用：不加 --full 时身份证号和手机号码已隐去", "reason")


def _first_level_union_filter(engine, args) -> tuple[dict[str, int], list[str]]:
    """The filter and its words for the title line, from a first-level union given by name."""
    if args.first_level_union is None:
        return {}, []
    if "first_level_union" not in LISTINGS[args.listing].filters:
        raise InvalidInput("该名单不能按一级工会筛选", "first_level_union")
    name = args.first_level_union.strip()
    for parent_id, parent_name in first_level_union_choices(engine):
        if parent_name == name:
            return {"first_level_union": parent_id}, [f"一级工会：{name}"]
    raise InvalidInput(f"没有名为“{name}”的一级工会", "first_level_union")
