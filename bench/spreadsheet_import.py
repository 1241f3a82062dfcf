"""Spreadsheet import benchmark: 100,000 members in a 15-column .xlsx, read, checked and written.

    python bench/spreadsheet_import.py [--data-dir D] [--rows 100000] [--runs 3] [--keep FILE] [--no-pandas]

Without ``--data-dir`` a fresh ``main.py demo`` (100,000 members) is made in a temporary folder. The
member list is written once with openpyxl in write-only mode (codes as text cells), naming the demo's
unions, and kept at ``--keep`` for later runs. Each run copies the database, so every import starts
from the same 100,000 members, and measures in a child process of its own:

- ``ours``: ``prepare_import`` + ``write_import`` as the window runs them (read, check every cell against
  the registers, write in one transaction), timed inside the child; peak memory is the child's peak RSS
  (``os.wait4``), so it includes the interpreter and the libraries, not only the import;
- ``cli``: ``main.py import members FILE`` end to end: start-up, opening the database, the automatic
  backup, the import;
- ``pandas``: ``pandas.read_excel(engine="openpyxl")`` and ``DataFrame.to_sql`` appending to ``member`` in
  another copy: the usual script, which checks nothing (no code checks, no duplicates) but does map the
  union names to ids so that the rows are valid members.

Linux only (``os.wait4``). pandas is not a dependency of the program: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.codes import id_check_char  # noqa: E402
from models.paths import DataDir  # noqa: E402

HEADER = ["序号", "姓名", "身份证号码", "性别", "民族", "政治面貌", "文化程度", "手机号码", "户籍类型", "就业形式",
          "所在工会", "工会统一社会信用代码", "入会时间", "会员状态", "入会方式"]  # fmt: skip
SHEET = "会员名单"
# 铜梁区: an area code the demo never gives, so no member of the file is in the demo already.
AREA = "500151"
PANDAS_MISSING = (
    "pandas is not installed: the comparison needs it (it is not a dependency of the program).\n"
    "Install it with:  /work/venv/bin/pip install -e '.[bench]'   (or: pip install pandas)\n"
    "or run with --no-pandas."
)


def demo_unions(database: Path) -> list[tuple[str, str]]:
    """The demo's active unions with a unique name and a credit code, as (name, code)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            """SELECT name, credit_code FROM "union" WHERE status = 'active' AND credit_code IS NOT NULL
               AND name IN (SELECT name FROM "union" GROUP BY name HAVING count(*) = 1) ORDER BY id"""
        ).fetchall()


def write_members(path: Path, rows: int, unions: list[tuple[str, str]], seed: int = 11) -> None:
    """A member list as a clerk sends it: a title, a blank row, the header, then the members; codes as text
    cells; the join date as a date cell, a serial number or text in turn."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "@"
        return cell

    sheet.append(["某某街道工会会员花名册"])
    sheet.append([])
    sheet.append(HEADER)
    seen: set[str] = set()
    number = 0
    while number < rows:
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(14000))
        first17 = f"{AREA}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        id_number = first17 + id_check_char(first17)
        if id_number in seen:
            continue
        seen.add(id_number)
        number += 1
        joined = max(date(2005, 1, 1) + timedelta(days=rng.randrange(7000)), birth + timedelta(days=18 * 366))
        joined = min(joined, date(2025, 12, 31))
        joined_cell = (
            joined,
            (joined - date(1899, 12, 30)).days,
            f"{joined.year}.{joined.month}.{joined.day}",
        )[number % 3]
        union_name, union_code = unions[rng.randrange(len(unions))]
        sex = "男" if int(id_number[16]) % 2 else "女"
        mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
        sheet.append([number, f"会员{number}", text(id_number), sex, "汉族", "群众", "本科", text(mobile), "城镇",
                      "在岗职工", union_name, text(union_code), joined_cell, "在会", "本单位入会"])  # fmt: skip
    book.save(path)


# --- the measured children ------------------------------------------------------------------------------

OURS = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from models.database import open_database
from models.paths import DataDir
from spreadsheets.importing import prepare_import, run_to_end, write_import
engine = open_database(DataDir(Path({data!r})))
started = time.perf_counter()
preview = run_to_end(prepare_import(engine, {file!r}, "members", write_ahead=True))
checked = time.perf_counter()
result = run_to_end(write_import(engine, preview))
written = time.perf_counter()
engine.dispose()
print(json.dumps({{"prepare": checked - started, "write": written - checked, "total": written - started,
                  **result.as_dict()}}))
"""

PANDAS = """
import json, sqlite3, sys, time, uuid
from datetime import datetime, timedelta
import pandas as pd

def day(value):  # the three ways the list gives a join date: a date cell, a serial number, 2019.3.5
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (int, float)):
        return (datetime(1899, 12, 30) + timedelta(days=int(value))).date().isoformat()
    return datetime.strptime(str(value).replace(".", "-"), "%Y-%m-%d").date().isoformat()

started = time.perf_counter()
frame = pd.read_excel({file!r}, engine="openpyxl", header=2, dtype={{"身份证号码": str, "手机号码": str,
                      "工会统一社会信用代码": str}})
read = time.perf_counter()
connection = sqlite3.connect({database!r})
# The audit trail's triggers call the program's two functions: without them SQLite refuses the rows.
sys.path.insert(0, {root!r})
from models.audit import register_functions
register_functions(connection, {database!r})
unions = dict(connection.execute('SELECT name, id FROM "union"').fetchall())
stamp = datetime.now().isoformat(sep=" ", timespec="microseconds")
members = pd.DataFrame({{
    "uuid": [str(uuid.uuid4()) for _ in range(len(frame))], "created_at": stamp, "updated_at": stamp,
    "name": frame["姓名"], "id_number": frame["身份证号码"], "ethnicity": frame["民族"],
    "political_status": frame["政治面貌"], "education": frame["文化程度"], "mobile": frame["手机号码"],
    "household_type": "urban", "employment_form": "regular", "union_id": frame["所在工会"].map(unions),
    "joined_on": frame["入会时间"].map(day),
    "join_channel": "regular", "status": "active",
}})
members.to_sql("member", connection, if_exists="append", index=False, chunksize=10000)
connection.commit()
connection.close()
written = time.perf_counter()
print(json.dumps({{"read": read - started, "write": written - read, "total": written - started, "rows": len(members)}}))
"""


def measured(command: list[str]) -> tuple[float, int, float, str]:
    """Runs a child; returns its wall time, its own peak RSS in MB and CPU seconds (``os.wait4``), stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8")
        if child.returncode != 0:
            raise SystemExit(
                f"{command[:4]} failed ({child.returncode}):\n{err.read().decode('utf-8')[-3000:]}"
            )
    return wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime, text


def fresh_copy(template: Path, work: Path, name: str) -> DataDir:
    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(template, DataDir(folder).database)
    return DataDir(folder)


def run_ours(template: Path, work: Path, file: Path) -> dict:
    data = fresh_copy(template, work, "ours")
    script = OURS.format(root=str(ROOT), data=str(data.root), file=str(file))
    wall, rss, cpu, out = measured([sys.executable, "-c", script])
    result = json.loads(out.strip().splitlines()[-1])
    assert result["refused"] == 0 and result["imported"] > 0, result
    return {**result, "child_wall": wall, "cpu": cpu, "peak_rss_mb": rss}


def run_cli(template: Path, work: Path, file: Path) -> dict:
    data = fresh_copy(template, work, "cli")
    command = [
        sys.executable,
        str(ROOT / "main.py"),
        "--data-dir",
        str(data.root),
        "import",
        "members",
        str(file),
    ]
    wall, rss, cpu, out = measured([*command, "--json"])
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["imported"] > 0, summary
    return {"total": wall, "cpu": cpu, "peak_rss_mb": rss, "imported": summary["imported"]}


def run_pandas(template: Path, work: Path, file: Path) -> dict:
    data = fresh_copy(template, work, "pandas")
    script = PANDAS.format(root=str(ROOT), file=str(file), database=str(data.database))
    wall, rss, cpu, out = measured([sys.executable, "-c", script])
    return {**json.loads(out.strip().splitlines()[-1]), "child_wall": wall, "cpu": cpu, "peak_rss_mb": rss}


def prepared_file(path: Path, rows: int, database: Path) -> Path:
    unions = demo_unions(database)
    marker = path.with_name(path.name + ".unions")
    wanted = f"{rows}\n" + "\n".join(code for _name, code in unions)
    if not path.exists() or not marker.exists() or marker.read_text(encoding="utf-8") != wanted:
        print(f"writing {rows:,} members to {path} (about a minute) …", flush=True)
        write_members(path, rows, unions)
        marker.write_text(wanted, encoding="utf-8")
    return path


def report(name: str, runs: list[dict], keys: list[str]) -> None:
    parts = [f"{key} {statistics.median(run[key] for run in runs):6.2f} s" for key in keys]
    rss = max(run["peak_rss_mb"] for run in runs)
    cpu = statistics.median(run["cpu"] for run in runs)
    print(
        f"{name:>7}: "
        + ", ".join(parts)
        + f"; whole child: CPU {cpu:.2f} s, peak RSS {rss} MB  (median of {len(runs)})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a data folder holding `main.py demo` data")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, default=Path(tempfile.gettempdir()) / "uniondesk-import-100k.xlsx"
    )
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison")
    options = parser.parse_args()
    if not options.no_pandas:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise SystemExit(PANDAS_MISSING) from None
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        if options.data_dir:
            template = DataDir(options.data_dir.resolve()).database
        else:
            print("making a demo database of 100,000 members (about 20 s) …", flush=True)
            demo = work / "demo"
            subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(demo), "demo"], check=True,
                           capture_output=True)  # fmt: skip
            template = DataDir(demo).database
        file = prepared_file(options.keep, options.rows, template)
        ours = [run_ours(template, work, file) for _ in range(options.runs)]
        cli = [run_cli(template, work, file) for _ in range(options.runs)]
        print(
            f"{ours[0]['imported']:,} members imported into a database of 100,000 ({file.stat().st_size / 1e6:.1f} MB file)"
        )
        report("ours", ours, ["prepare", "write", "total"])
        report("cli", cli, ["total"])
        if not options.no_pandas:
            pandas_runs = [run_pandas(template, work, file) for _ in range(max(1, options.runs // 3))]
            report("pandas", pandas_runs, ["read", "write", "total"])
            ratio = statistics.median(r["total"] for r in pandas_runs) / statistics.median(
                r["total"] for r in ours
            )
            print(f"  pandas read_excel + to_sql takes {ratio:.1f}× as long as our checked import")


if __name__ == "__main__":
    main()
