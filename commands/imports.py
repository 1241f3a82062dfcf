"""``import members|employers|unions|headcounts FILE``: a spreadsheet into the registers, all or nothing.

The same two steps as the window's import: every row is read and checked first (nothing written), then
the rows accepted are written in one transaction, after an automatic backup. A row refused does not stop
the others; ``--errors`` writes the refused rows, with why, to a workbook the clerk fixes and imports.
The mapping of columns is the one the clerk last confirmed in the window for files with the same header,
else the guess from the headers.
"""

from __future__ import annotations

from pathlib import Path

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, EXIT_REFUSED, Reporter
from commands.parser import parse_date
from models.database import opened
from models.errors import InvalidInput
from models.imports import backup_before_import
from models.paths import DataDir
from spreadsheets.error_workbook import write_error_workbook
from spreadsheets.importing import (
    ImportPreview,
    ImportResult,
    prepare_import,
    read_layout,
    run_to_end,
    staff_count_source,
    write_import,
)
from spreadsheets.mappings import remembered_mapping

KINDS = {"members": "会员", "employers": "单位", "unions": "基层工会", "headcounts": "职工人数"}
# Problems printed without --json; the error workbook and --json hold them all.
SHOWN_PROBLEMS = 20


def add_parsers(subparsers, parent) -> None:
    parser = subparsers.add_parser(
        "import",
        parents=[parent],
        help="从表格导入会员、单位、基层工会或职工人数",
        description="先逐行检查（不写入），再把通过检查的行在一个事务中全部写入（写入前自动备份）。"
        "有问题的行不导入，用 --errors 可导出这些行及原因，改正后再导入。",
    )
    parser.add_argument("kind", choices=list(KINDS), help="导入什么：members 会员、employers 单位、"
                        "unions 基层工会、headcounts 职工人数")  # fmt: skip
    parser.add_argument("file", type=Path, metavar="FILE", help="表格文件（.xlsx .xls .ods .csv）")
    parser.add_argument("--sheet", help="工作表名称（默认自动选择）")
    parser.add_argument(
        "--on-duplicate",
        choices=["skip", "update"],
        default="skip",
        help="已登记的记录（同一身份证号或统一社会信用代码）：skip 跳过（默认），update 用表格中的非空内容更新",
    )
    parser.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="把有问题的行及原因写入此表格")
    parser.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")
    parser.add_argument(
        "--source", help="职工人数的来源（headcounts 必填）：社保、税务、市场监管、单位自报、走访摸底"
    )
    parser.add_argument(
        "--as-of", help="职工人数的统计日期，用于没有“统计日期”列的行（默认今天），如 2026-06-30"
    )
    parser.set_defaults(run=run)


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    source, as_of = _headcount_options(args)
    path = args.file.expanduser().resolve()
    try:
        return _import(args, data_dir, reporter, path, source, as_of)
    except KeyboardInterrupt:
        return reporter.fail(EXIT_ENVIRONMENT, "已取消导入，数据库未作任何改动。")


def _import(args, data_dir: DataDir, reporter: Reporter, path: Path, source, as_of) -> int:
    with opened(data_dir) as engine:
        layout = read_layout(path, args.kind, sheet=args.sheet)
        mapping = remembered_mapping(data_dir, args.kind, layout.header)
        preview = run_to_end(
            prepare_import(
                engine,
                path,
                args.kind,
                layout=layout,
                mapping=mapping,
                source=source,
                as_of=as_of,
                # No preview to look at here: the new members are written while the list is checked.
                write_ahead=not args.dry_run,
            ),
            _progress(reporter),
        )
        try:
            errors = _error_workbook(args, preview, reporter)
            if args.dry_run or not preview.rows:
                result = _would_do(preview, args.on_duplicate)
            else:
                # The backup reads what is committed: the rows written ahead are not, so it is the database
                # as it was before the import.
                backup = backup_before_import(data_dir)
                reporter.say(f"已自动备份数据库到 {backup}")
                steps = write_import(engine, preview, on_duplicate=args.on_duplicate)
                try:
                    result = run_to_end(steps, _progress(reporter))
                finally:
                    steps.close()  # after Ctrl+C between two steps: rolls the transaction back now
        finally:
            preview.discard()  # whatever was written ahead and not committed is rolled back
    _say_summary(reporter, preview, result, args)
    summary = {
        "kind": args.kind,
        "file": str(path),
        "sheet": preview.sheet,
        "dry_run": bool(args.dry_run),
        **result.as_dict(),
        "existing": len(preview.existing),
        "problems": [problem.as_dict() for problem in preview.problems],
        "not_data": [{"row": row.excel_row, "reason": row.reason} for row in preview.skipped],
        "errors_file": str(errors) if errors else None,
    }
    return reporter.finish(EXIT_REFUSED if preview.refused else EXIT_DONE, summary)


def _progress(reporter: Reporter):
    """``reporter.progress``, but a step whose total is not known yet (0) shows as 0%, not 100%."""

    def report(done: int, total: int, message: str) -> None:
        if total:
            reporter.progress(done, total, message)
        else:
            reporter.progress(0, 1, message)

    return report


def _headcount_options(args):
    if args.kind != "headcounts":
        if args.source or args.as_of:
            raise InvalidInput("--source 和 --as-of 只用于导入职工人数（headcounts）", "source")
        return None, None
    if not args.source:
        raise InvalidInput(
            "导入职工人数时必须用 --source 指明人数来源：社保、税务、市场监管、单位自报或走访摸底", "source"
        )
    return staff_count_source(args.source), parse_date(args.as_of, "as_of") if args.as_of else None


def _error_workbook(args, preview: ImportPreview, reporter: Reporter) -> Path | None:
    if not args.errors or not preview.refused:
        return None
    target = write_error_workbook(args.errors.expanduser().resolve(), preview)
    reporter.say(f"有问题的 {preview.refused:,} 行已写入 {target}，改正后可再导入。")
    return target


def _would_do(preview: ImportPreview, on_duplicate: str) -> ImportResult:
    """What a write would do, for --dry-run (and a file with nothing to write)."""
    existing = len(preview.existing)
    if preview.kind == "headcounts":
        return ImportResult(preview.read, 0, len(preview.rows), 0, preview.refused)
    updated = existing if on_duplicate == "update" else 0
    return ImportResult(
        preview.read, len(preview.rows) - existing, updated, existing - updated, preview.refused
    )


def _say_summary(reporter: Reporter, preview: ImportPreview, result: ImportResult, args) -> None:
    noun = KINDS[preview.kind]
    for problem in preview.problems[:SHOWN_PROBLEMS]:
        where = f"{problem.column}列“{problem.header}”" if problem.column else ""
        value = f"（{problem.value}）" if problem.value else ""
        reporter.say(f"  第{problem.row}行 {where}{value}：{problem.reason}")
    if len(preview.problems) > SHOWN_PROBLEMS:
        rest = len(preview.problems) - SHOWN_PROBLEMS
        hint = "" if args.errors else "；用 --errors 文件名.xlsx 导出全部问题行"
        reporter.say(f"  ……另有 {rest:,} 处问题{hint}")
    verb = "可导入" if args.dry_run else "已导入"
    lines = [
        f"工作表“{preview.sheet}”共读取 {result.read:,} 行{noun}数据",
        f"{verb} {result.imported:,} 条" if preview.kind != "headcounts" else None,
        f"{'可更新' if args.dry_run else '已更新'} {result.updated:,} 条",
        f"已登记而跳过 {result.skipped:,} 条" if result.skipped else None,
        f"有问题未导入 {result.refused:,} 行",
    ]
    reporter.say("，".join(line for line in lines if line) + "。")
    if args.dry_run:
        reporter.say("这是试运行（--dry-run），数据库未作任何改动。")
