"""Foundation benchmark: `demo` of 100,000 members, `check` after it, and cold start to the window.

    python bench/foundation.py [--members 100000] [--employers 2000] [--runs 3]

Each figure is taken from a separate process, as a clerk starts the program: the cold start runs from
launching Python to the window being painted with the home page's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the child: the program's own start-up, stopped once the figures are on the screen.
WINDOW_PROBE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QTimer
from models.database import open_database
from models.paths import resolve_data_dir
from ui.app import create_application
from ui.main_window import MainWindow
app = create_application()
data_dir = resolve_data_dir(sys.argv[2])
window = MainWindow(open_database(data_dir), data_dir)
window.show()
home = window.pages["首页"]
def painted():
    if home.cards["members"].value.text() != "…":
        window.repaint()
        print("shown", flush=True)
        app.quit()
    else:
        QTimer.singleShot(5, painted)
QTimer.singleShot(0, painted)
app.exec()
"""


def run_main(*args: str) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--json"], capture_output=True,
                          text=True, check=False, cwd=ROOT)  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr}")
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


def cold_start(data_dir: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WINDOW_PROBE, str(ROOT), str(data_dir)], capture_output=True,
                          text=True, check=True, env=env)  # fmt: skip
    assert "shown" in done.stdout, done.stderr
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--employers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        demo_seconds, demo = run_main("--data-dir", str(data_dir), "demo", "--employers", str(args.employers),
                                      "--members", str(args.members))  # fmt: skip
        check_seconds, check = run_main("--data-dir", str(data_dir), "check")
        starts = [cold_start(data_dir) for _ in range(args.runs)]
        size_mb = (data_dir / "uniondesk.sqlite3").stat().st_size / 1_048_576
    result = {
        "members": demo["counts"]["members"],
        "employers": demo["counts"]["employers"],
        "demo_seconds": round(demo_seconds, 2),
        "demo_target_seconds": 60,
        "check_seconds": round(check_seconds, 2),
        "check_problems": check["total_problems"],
        "cold_start_to_window_seconds": [round(s, 2) for s in starts],
        "cold_start_median_seconds": round(statistics.median(starts), 2),
        "database_mb": round(size_mb, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
