"""The report upward at 100,000 members and 2,000 employers: what the office waits for.

    python bench/report.py [--data-dir DIR] [--year YYYY] [--runs N]
        (without --data-dir: a fresh `main.py demo` of 100,000 members)

Measured from the domain, as the window's worker and the command line call it:
- the yearly report (``models.figures.report``): every figure, by first-level union and by class; the
  median of ``--runs`` runs after the first (target ≤ 300 ms), the first run of the process on its own (it
  also builds the SQL, which later runs only bind);
- and, with no target: the report for a month and for all the years at once, opening the largest figure
  into its records (members at the year end), and writing the report as .xlsx and as PDF.

The database is only read; the files are written to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from models.database import open_database, reading  # noqa: E402
from models.entities import Employer, Member  # noqa: E402
from models.figures import Period, records_behind, report  # noqa: E402
from models.paths import resolve_data_dir  # noqa: E402
from printing.fonts import document_fonts  # noqa: E402
from printing.official_document import write_documents  # noqa: E402
from printing.report import ReportSheet  # noqa: E402
from spreadsheets.report import write_report_workbook  # noqa: E402

TARGET_MS = 300


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return round((time.perf_counter() - started) * 1000, 1), result


def measure(data_dir: Path, year: int, runs: int) -> dict:
    engine = open_database(resolve_data_dir(data_dir))
    with reading(engine) as s, s.begin():
        members = s.scalar(select(func.count()).select_from(Member))
        employers = s.scalar(select(func.count()).select_from(Employer))
    period = Period.year(year)
    first_ms, figures = timed(lambda: report(engine, period))
    times = [timed(lambda: report(engine, period))[0] for _ in range(runs)]
    month_ms, _ = timed(lambda: report(engine, Period.month(year, 6)))
    all_years_ms, _ = timed(lambda: report(engine, Period.between(date(2000, 1, 1), date(year, 12, 31))))
    behind_ms, behind = timed(lambda: records_behind(engine, period, "members_at_end"))
    with tempfile.TemporaryDirectory() as folder:
        workbook_ms, _ = timed(lambda: write_report_workbook(Path(folder) / "报表.xlsx", figures))
        fonts = document_fonts(False)
        pdf_ms, _ = timed(lambda: write_documents(Path(folder) / "报表.pdf", [ReportSheet(figures)], fonts))
    engine.dispose()
    median = statistics.median(times)
    return {
        "members": members,
        "employers": employers,
        "period": period.label,
        "new_members": figures.totals.new_members,
        "members_at_end": figures.totals.members_at_end,
        "yearly_report_first_run_ms": first_ms,
        "yearly_report_runs": runs,
        "yearly_report_median_ms": round(median, 1),
        "yearly_report_min_ms": min(times),
        "yearly_report_max_ms": max(times),
        "target_ms": TARGET_MS,
        "within_target": median <= TARGET_MS,
        "monthly_report_ms": month_ms,
        "report_since_2000_ms": all_years_ms,
        "records_behind_members_at_end_ms": behind_ms,
        "records_behind_members_at_end": len(behind.ids),
        "workbook_ms": workbook_ms,
        "pdf_ms": pdf_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a data folder holding `main.py demo` data")
    parser.add_argument(
        "--year", type=int, default=date.today().year - 1, help="the year reported (last year)"
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs of the yearly report")
    args = parser.parse_args()
    if args.data_dir:
        print(json.dumps(measure(args.data_dir, args.year, args.runs), ensure_ascii=False, indent=2))
        return
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "demo"], check=True,
                       capture_output=True)  # fmt: skip
        print(json.dumps(measure(data_dir, args.year, args.runs), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
