"""一函两书 printing: what a clerk waits for when previewing one notice and printing a batch.

    python bench/notices.py [--data-dir DIR]     (without --data-dir: a fresh `main.py demo` of 2,000 employers)

Measured from the domain, as the window's worker calls it (each figure includes reading the database):
- one notice previewed (``notice_pdf``): median and worst of 20, after the first (target ≤ 250 ms); the
  first preview of a process, which also registers the fonts, is shown on its own;
- 500 notices into one PDF, with and without their 送达回证 (target ≤ 2 s for the notices);
- and, with no target: issuing 500 opinion letters as one batch, 500 notices as one file each.

The batch is issued into the database it is given: use a copy, or the temporary demo.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from models.database import open_database, reading  # noqa: E402
from models.entities import Employer, Notice  # noqa: E402
from models.listing import employer_has_active_union  # noqa: E402
from models.notices import issue_notices  # noqa: E402
from models.paths import resolve_data_dir  # noqa: E402
from printing.fonts import document_fonts  # noqa: E402
from printing.notice_wording import load_wordings  # noqa: E402
from printing.notices import iter_write_notice_files, notice_pdf, write_notices  # noqa: E402

BATCH = 500
PREVIEWS = 20


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def notices_to_print(engine) -> tuple[list[int], float | None]:
    """500 numbered notices: those already there, or a batch issued now (and how long that took)."""
    with reading(engine) as s, s.begin():
        numbered = list(s.scalars(select(Notice.id).where(Notice.number_seq.is_not(None)).limit(BATCH)))
        free = list(s.scalars(select(Employer.id).where(~employer_has_active_union()).order_by(Employer.id)))
    if len(numbered) >= BATCH:
        return numbered, None
    milliseconds, outcome = timed(lambda: issue_notices(engine, "opinion_letter", free[:BATCH], date.today()))
    return outcome.notice_ids, milliseconds


def measure(data_dir: Path) -> list[tuple[str, str, str]]:
    folder = resolve_data_dir(data_dir)
    engine = open_database(folder)
    ids, issue_ms = notices_to_print(engine)
    rows = []
    if issue_ms is not None:
        rows.append((f"issue {len(ids)} opinion letters (one batch)", f"{issue_ms:,.0f} ms", "—"))

    def preview(notice_id: int) -> bytes:
        # As the window does it: the wording (re-read only when a file changed), then the PDF.
        return notice_pdf(engine, notice_id, load_wordings(folder))

    rng = random.Random(9704)
    first_ms, _ = timed(lambda: preview(ids[0]))
    samples = [
        timed(lambda notice_id=notice_id: preview(notice_id))[0] for notice_id in rng.sample(ids, PREVIEWS)
    ]
    rows.append(("first preview of the process (registers fonts)", f"{first_ms:,.0f} ms", "—"))
    rows.append(
        (
            f"one notice previewed, median / worst of {PREVIEWS}",
            f"{statistics.median(samples):,.0f} / {max(samples):,.0f} ms",
            "≤ 250 ms",
        )
    )
    wordings, fonts = load_wordings(folder), document_fonts()
    with tempfile.TemporaryDirectory() as out:
        target = Path(out) / "batch.pdf"
        notices_ms, _ = timed(
            lambda: write_notices(engine, ids, target, wordings, with_proof_of_service=False, fonts=fonts)
        )
        rows.append((f"{len(ids)} notices into one PDF", f"{notices_ms:,.0f} ms", "≤ 2,000 ms"))
        both_ms, _ = timed(lambda: write_notices(engine, ids, target, wordings, fonts=fonts))
        size = target.stat().st_size / 1e6
        rows.append(
            (f"{len(ids)} notices + 送达回证 into one PDF ({size:.1f} MB)", f"{both_ms:,.0f} ms", "—")
        )
        files_ms, _ = timed(
            lambda: list(iter_write_notice_files(engine, ids, Path(out) / "files", wordings, fonts=fonts))
        )
        rows.append((f"{len(ids)} notices + 送达回证, one file each", f"{files_ms:,.0f} ms", "—"))
    engine.dispose()
    return rows


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'time':>16}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>16}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, help="a data folder holding `main.py demo` data (it is written to)"
    )
    args = parser.parse_args()
    if args.data_dir:
        print_table(measure(args.data_dir))
        return
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "demo"], check=True,
                       capture_output=True)  # fmt: skip
        print_table(measure(data_dir))


if __name__ == "__main__":
    main()
