"""Spreadsheet export benchmark: the 会员 list of 100,000 members written to .xlsx, as the export button does.

    python bench/spreadsheet_export.py [--data-dir DIR] [--runs 3]   (without --data-dir: a fresh `main.py demo`)

Times ``spreadsheets.exporting.export_listing`` from the list query to the file in its place (target
≤ 13 s for 100,000 members), with ID numbers and phones masked as in the list, and once more with them
revealed. Then a separate run under tracemalloc for the peak of Python memory (tracemalloc slows the
work, so that run is not timed), and the process's peak resident memory where the OS reports it. The
未建会 list is timed too (about 2,000 employers in the demo: a fraction of a second).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.database import open_database  # noqa: E402
from models.paths import DataDir  # noqa: E402
from spreadsheets.exporting import export_listing  # noqa: E402


def timed_export(engine, listing_key: str, target: Path, **options) -> tuple[float, int]:
    """Seconds for one export to its end, and the rows written."""
    started = time.perf_counter()
    rows = 0
    for _done, total, _message in export_listing(engine, listing_key, target, **options):
        rows = total
    return time.perf_counter() - started, rows


def peak_python_memory_mb(engine, target: Path) -> float:
    tracemalloc.start()
    try:
        for _ in export_listing(engine, "members", target):
            pass
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def peak_resident_memory_mb() -> float | None:
    """The process's peak resident set, where the OS reports it (not on Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def measure(data_dir: Path, runs: int) -> dict:
    engine = open_database(DataDir(data_dir))
    try:
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "会员名册.xlsx"
            masked = [timed_export(engine, "members", target) for _ in range(runs)]
            size_mb = target.stat().st_size / 2**20
            revealed, _ = timed_export(engine, "members", target, full=True, reason="性能测量")
            unorganized, unorganized_rows = timed_export(engine, "unorganized", Path(folder) / "未建会.xlsx")
            python_peak = peak_python_memory_mb(engine, target)
    finally:
        engine.dispose()
    seconds = [run[0] for run in masked]
    return {
        "members": masked[0][1],
        "members_export_s": {
            "median": round(statistics.median(seconds), 2),
            "runs": [round(s, 2) for s in seconds],
        },
        "members_revealed_export_s": round(revealed, 2),
        "target_s": 13,
        "file_mb": round(size_mb, 1),
        "peak_python_memory_mb": round(python_peak, 1),
        "peak_resident_memory_mb": (round(peak, 1) if (peak := peak_resident_memory_mb()) else None),
        "unorganized_rows": unorganized_rows,
        "unorganized_export_s": round(unorganized, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a data folder holding `main.py demo` data")
    parser.add_argument(
        "--runs", type=int, default=3, help="timed runs of the member export (median reported)"
    )
    args = parser.parse_args()
    if args.data_dir:
        print(json.dumps(measure(args.data_dir, args.runs), ensure_ascii=False, indent=2))
        return
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "demo"], check=True,
                       capture_output=True)  # fmt: skip
        print(json.dumps(measure(data_dir, args.runs), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
