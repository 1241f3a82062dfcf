"""Spreadsheet reading benchmark: a 100,000-member list, read, its table found and every cell parsed.

    python bench/spreadsheet_reading.py [--rows 100000] [--runs 3] [--keep /tmp/members-100k.xlsx]

The .xlsx is written once with openpyxl (about half a minute) and kept at ``--keep`` for later runs. Each
run then times, separately, what an import does before it writes to the database: opening the file and
converting the member sheet with calamine, finding the header and data rows, and parsing every mapped
cell with ``spreadsheets.values``. No database, no UI.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.codes import credit_check_char, id_check_char  # noqa: E402
from spreadsheets.columns import fields  # noqa: E402
from spreadsheets.reading import open_workbook  # noqa: E402
from spreadsheets.tables import data_rows, find_header  # noqa: E402
from spreadsheets.values import (  # noqa: E402
    Cell,
    CellProblem,
    parse_code,
    parse_date,
    parse_int,
    parse_list,
    parse_mobile,
    parse_name,
    parse_sex,
    parse_text,
)

HEADER = ["序号", "姓名", "身份证号码", "性别", "民族", "政治面貌", "文化程度", "手机号码", "户籍类型", "就业形式",
          "所在工会", "工会统一社会信用代码", "入会时间", "会员状态", "入会方式"]  # fmt: skip


def _union_codes(count: int, rng: random.Random) -> list[str]:
    codes = []
    for _ in range(count):
        first17 = "81500112" + "".join(rng.choice("0123456789") for _ in range(9))
        codes.append(first17 + credit_check_char(first17))
    return codes


def write_members(path: Path, rows: int, seed: int = 7) -> None:
    """Writes a member list as clerks send it: a title row, a blank row, the header, then the members,
    with the join date as a date cell, a serial number or text in turn."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    unions = _union_codes(200, rng)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("会员名单")
    sheet.append(["某某街道工会会员花名册"])
    sheet.append([])
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
        first17 = f"500112{birth:%Y%m%d}{rng.randrange(1000):03d}"
        id_number = first17 + id_check_char(first17)
        joined = date(2000, 1, 1) + timedelta(days=rng.randrange(8000))
        joined_cell = (
            joined,
            (joined - date(1899, 12, 30)).days,
            f"{joined.year}.{joined.month}.{joined.day}",
        )[number % 3]
        union = rng.randrange(len(unions))
        sex = "男" if int(id_number[16]) % 2 else "女"
        sheet.append([number, f"会员{number}", id_number, sex, "汉族", "群众", "本科", f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}",
                      "城镇", "在岗职工", f"第{union}工会", unions[union], joined_cell, "在会", "本单位入会"])  # fmt: skip
    book.save(path)


PARSERS: dict[str, Callable[[Cell], object]] = {
    "text": parse_text,
    "name": parse_name,
    "id_number": lambda cell: parse_code(cell, "id_number"),
    "credit_code": lambda cell: parse_code(cell, "credit_code"),
    "union_credit_code": lambda cell: parse_code(cell, "union_credit_code"),
    "mobile": parse_mobile,
    "date": lambda cell: parse_date(cell, not_future=True),
    "int": parse_int,
    "list": parse_list,
    "sex": lambda cell: cell,  # read after the ID number, with it
}


def parse_row(
    cells: Sequence[Cell], plan: list[tuple[int, str, Callable[[Cell], object]]]
) -> tuple[dict, list[str]]:
    """Parses one row the way an importer would: each mapped cell by its field's parser, problems
    collected rather than raised, and the sex checked against the ID number."""
    values: dict = {}
    problems: list[str] = []
    for column, key, parse in plan:
        try:
            values[key] = parse(cells[column])
        except CellProblem as problem:
            problems.append(problem.message)
    if "sex" in values:
        try:
            values["sex"] = parse_sex(values["sex"], values.get("id_number"))
        except CellProblem as problem:
            problems.append(problem.message)
    return values, problems


def run_once(path: Path) -> dict[str, float]:
    started = time.perf_counter()
    workbook = open_workbook(path)
    rows = workbook.rows("会员名单")
    read = time.perf_counter()
    header = find_header(rows, "members")
    assert header is not None and not header.missing, header
    table = list(data_rows(rows, header.row_index))
    found = time.perf_counter()
    types = {target.key: target.value_type for target in fields("members")}
    plan = [(column, key, PARSERS[types[key]]) for column, key in header.mapping.items()]
    problems = 0
    for _excel_row, cells in table:
        problems += len(parse_row(cells, plan)[1])
    parsed = time.perf_counter()
    assert problems == 0, problems
    return {
        "rows": len(table),
        "read": read - started,
        "table": found - read,
        "parse": parsed - found,
        "total": parsed - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=Path("/tmp/uniondesk-members-100k.xlsx"))
    options = parser.parse_args()
    if not options.keep.exists():
        print(f"writing {options.rows:,} members to {options.keep} …", flush=True)
        write_members(options.keep, options.rows)
    runs = [run_once(options.keep) for _ in range(options.runs)]
    for stage in ("read", "table", "parse", "total"):
        print(
            f"{stage:>6}: median {statistics.median(run[stage] for run in runs):.2f} s over {len(runs)} runs"
        )
    print(f"  rows: {runs[0]['rows']:,}")


if __name__ == "__main__":
    main()
