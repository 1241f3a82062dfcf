"""``export LIST OUT.xlsx``: a list as the window shows it, to a workbook, from the command line."""

from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, Reporter
from models.database import opened
from models.errors import InvalidInput
from models.labels import COLUMN_TITLES, LIST_TITLES
from models.listing import LISTINGS
from models.paths import DataDir
from models.registers import first_level_union_choices
from spreadsheets.exporting import export_listing


def add_parsers(subparsers, parent) -> None:
    lists = "、".join(f"{key}（{title}）" for key, title in LIST_TITLES.items())
    parser = subparsers.add_parser(
        "export",
        parents=[parent],
        help="把一个名单导出为 Excel 文件（.xlsx）",
        description=f"把名单按窗口中的样子导出为 .xlsx：{lists}。身份证号和手机号码默认隐去部分数字。",
    )
    parser.add_argument("listing", choices=list(LISTINGS), metavar="名单", help="要导出的名单")
    parser.add_argument("out", metavar="OUT.xlsx", help="导出的文件（已有同名文件时替换）")
    parser.add_argument("--search", default="", metavar="文字", help="只导出查找到的行，与窗口的查找框相同")
    parser.add_argument("--first-level-union", metavar="名称", help="只导出属于该一级工会的行")
    parser.add_argument(
        "--sort", metavar="列", help="按哪一列排序，如 name、staff_count（写错时列出可选的列）"
    )
    parser.add_argument("--descending", action="store_true", help="从大到小排序")
    parser.add_argument(
        "--reveal-personal-data", action="store_true", help="写出完整的身份证号和手机号码（不隐去）"
    )
    parser.set_defaults(run=run)


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    target = Path(args.out).absolute()
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(f"导出的文件名应以 .xlsx 结尾：{target.name}", "out")
    if args.sort is not None and args.sort not in LISTINGS[args.listing].columns:
        columns = "、".join(f"{key}（{title}）" for key, title in COLUMN_TITLES[args.listing].items())
        raise InvalidInput(f"该名单没有“{args.sort}”列，可选：{columns}", "sort")
    started = time.perf_counter()
    rows = 0
    with opened(data_dir) as engine:
        filters, conditions = _first_level_union_filter(engine, args)
        progress = export_listing(
            engine, args.listing, target, sort=args.sort, descending=args.descending, search=args.search,
            filters=filters, conditions=conditions, reveal_personal_data=args.reveal_personal_data,
        )  # fmt: skip
        try:
            with closing(progress):  # an interrupted export removes its unfinished file at once
                for done, total, message in progress:
                    reporter.progress(done, total, message)
                    rows = total
        except KeyboardInterrupt:
            return reporter.fail(EXIT_ENVIRONMENT, "已取消，没有生成文件。")
    seconds = round(time.perf_counter() - started, 2)
    reporter.say(f"已导出{LIST_TITLES[args.listing]} {rows:,} 条到 {target}，用时 {seconds} 秒。")
    return reporter.finish(
        EXIT_DONE, {"listing": args.listing, "rows": rows, "path": str(target), "seconds": seconds}
    )


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
