"""``report``: the figures of a period, and the report upward as .xlsx or PDF.

    main.py report --year 2019                      the figures as a table on the terminal
    main.py report --half 2020-1 报表.xlsx           the report upward as a workbook (or 报表.pdf)
    main.py report --from 2019-01-01 --to 2019-06-30 --json

The period is one of --year, --half (2020-1: 上半年, 2020-2: 下半年), --quarter (2020-1 … 2020-4),
--month (2020-03), or --from and --to (both days included).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from commands.output import EXIT_DONE, Reporter
from commands.parser import parse_date
from models.database import opened
from models.errors import InvalidInput, writing_file
from models.figures import Period, PeriodFigures, Report, percent, report, report_json, report_tables
from models.paths import DataDir
from printing.fonts import document_fonts
from printing.official_document import iter_write_documents
from printing.report import ReportSheet, cell_text
from spreadsheets.report import write_report_workbook

SUFFIXES = (".xlsx", ".pdf")
BUNDLED_FONT_HELP = "只用程序自带字体，不用本机的仿宋、黑体、楷体等（各台电脑打印出来一样）"
PERIOD_OPTIONS = "--year、--half、--quarter、--month，或 --from 与 --to"


def add_parser(subparsers, parent) -> None:
    parser = subparsers.add_parser(
        "report",
        parents=[parent],
        help="统计一个期间的工会组建数据，或写出上报的统计报表（.xlsx 或 .pdf）",
        description="统计一个期间（年、半年、季度、月或任意起止日期）的新建工会、新增会员、覆盖职工、"
        "建会率和一函两书办理情况，按一级工会和单位类型分列；给出文件名时写出上报的统计报表。",
    )
    parser.add_argument("out", nargs="?", metavar="OUT.xlsx|OUT.pdf", help="要写出的报表；不给时在屏幕上列出")
    parser.add_argument("--year", metavar="YYYY", help="一年，如 2019")
    parser.add_argument("--half", metavar="YYYY-H", help="半年，如 2020-1（上半年）、2020-2（下半年）")
    parser.add_argument("--quarter", metavar="YYYY-Q", help="一个季度，如 2020-1（第一季度）")
    parser.add_argument("--month", metavar="YYYY-MM", help="一个月，如 2020-03")
    parser.add_argument(
        "--from", dest="start", metavar="DATE", help="开始日期，如 2019-01-01（与 --to 同用）"
    )
    parser.add_argument("--to", dest="end", metavar="DATE", help="结束日期，如 2019-12-31（含当天）")
    parser.add_argument("--bundled-font", action="store_true", help=BUNDLED_FONT_HELP)
    parser.set_defaults(run=run)


def period_from(args) -> Period:
    """The one period the options name; anything else is refused in Chinese, naming the option."""
    given = [name for name in ("year", "half", "quarter", "month") if getattr(args, name)]
    if args.start or args.end:
        given.append("from")
    if len(given) != 1:
        which = "只能指定一个统计期间" if given else "请指定统计期间"
        raise InvalidInput(f"{which}：{PERIOD_OPTIONS}", "period")
    if given == ["from"]:
        if not (args.start and args.end):
            raise InvalidInput("--from 和 --to 须同时给出", "period")
        return Period.between(parse_date(args.start, "from"), parse_date(args.end, "to"))
    if args.year:
        return Period.year(_numbers(args.year, r"(\d{4})", "year", "2019")[0])
    if args.half:
        return Period.half(*_numbers(args.half, r"(\d{4})-([12])", "half", "2020-1"))
    if args.quarter:
        return Period.quarter(*_numbers(args.quarter, r"(\d{4})-([1-4])", "quarter", "2020-1"))
    return Period.month(*_numbers(args.month, r"(\d{4})-(\d{1,2})", "month", "2020-03"))


def _numbers(text: str, pattern: str, option: str, example: str) -> list[int]:
    match = re.fullmatch(pattern, text.strip())
    if match is None:
        raise InvalidInput(f"--{option} 的值“{text}”无效，请写成 {example} 的形式", option)
    return [int(group) for group in match.groups()]


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    period = period_from(args)
    target = _output_path(args.out) if args.out else None
    with opened(data_dir) as engine:
        figures = report(engine, period)
    if target is None:
        for line in report_lines(figures):
            reporter.say(line)
        return reporter.finish(EXIT_DONE, report_json(figures))
    if target.suffix.lower() == ".xlsx":
        write_report_workbook(target, figures)
    else:
        with writing_file(target):
            for _ in iter_write_documents(
                target, [ReportSheet(figures)], document_fonts(not args.bundled_font)
            ):
                pass
    reporter.say(f"已将{figures.federation}{period.label}统计报表写入 {target}。")
    return reporter.finish(EXIT_DONE, {"path": str(target), **report_json(figures)})


def _output_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidInput(f"输出文件“{text}”应以 {' 或 '.join(SUFFIXES)} 结尾", "out")
    return path


# --- the figures on the terminal ----------------------------------------------------------------------

# The tables by row, with short headings: the whole set of figures is in the workbook and in --json.
_TERMINAL_COLUMNS: tuple[tuple[str, Callable[[PeriodFigures], object]], ...] = (
    ("新建工会", lambda r: r.new_unions),
    ("覆盖职工", lambda r: r.covered_staff),
    ("转入", lambda r: r.unions_transferred_in),
    ("转出", lambda r: r.unions_transferred_out),
    ("撤销", lambda r: r.unions_dissolved),
    ("新增会员", lambda r: r.new_members),
    ("减少会员", lambda r: r.members_left),
    ("期末会员", lambda r: r.members_at_end),
    ("建会率%", lambda r: percent(r.coverage_100_plus.rate)),
    ("规上建会率%", lambda r: percent(r.coverage_above_scale.rate)),
    ("发出文书", lambda r: r.notices.issued),
    ("答复率%", lambda r: percent(r.notices.reply_rate)),
)


def report_lines(figures: Report) -> list[str]:
    """The report as lines of text: every figure of the totals, then the rows by first-level union and by
    class with the main figures, in columns that line up in a terminal showing Chinese at double width."""
    period = figures.period
    lines = [f"{figures.federation} {period.label}（{period.dates}）工会组建工作统计", ""]
    summary = report_tables(figures)[0]
    label_width = max(_width(row[0]) for row in summary.rows)
    for label, value, unit in summary.rows:
        lines.append(f"  {_pad(label, label_width)}  {_pad(cell_text(value), 9, right=True)} {unit}")
    threshold = figures.staff_threshold
    note = f"建会率：职工{threshold}人以上单位；规上建会率：规模以上企业；答复率：本期送达文书的答复率"
    for title, first, rows in (
        ("按一级工会", "一级工会", figures.by_first_level_union),
        ("按单位类型", "单位类型", figures.by_employer_class),
    ):
        lines += ["", f"{title}：", *_table(first, [*rows, _totals(figures.totals)])]
    return [*lines, "", f"（{note}）"]


def _totals(totals: PeriodFigures) -> PeriodFigures:
    return dataclasses.replace(totals, name="合计")


def _table(first: str, rows: Sequence[PeriodFigures]) -> list[str]:
    headings = [first, *(heading for heading, _ in _TERMINAL_COLUMNS)]
    cells = [[row.name, *(cell_text(value(row)) for _, value in _TERMINAL_COLUMNS)] for row in rows]
    widths = [max(_width(text) for text in column) for column in zip(headings, *cells, strict=True)]
    return [
        "  "
        + "  ".join(
            _pad(text, width, right=index > 0)
            for index, (text, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in (headings, *cells)
    ]


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(width - _width(text), 0)
    return space + text if right else text + space
