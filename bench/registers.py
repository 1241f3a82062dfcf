"""Register lists at 100,000 members: what a clerk waits for in the 会员 list.

    python bench/registers.py [--data-dir DIR]     (without --data-dir: a fresh `main.py demo` of 100,000)

Measured in the real window (offscreen), each from the clerk's action until the rows are painted:
- opening the member list: first rows painted (target ≤ 150 ms);
- each search keystroke, over a typed name, an ID fragment and a phone fragment (target p95 ≤ 50 ms);
- sorting by name, both ways (target ≤ 150 ms);
- scrolling from top to bottom a page at a time: the longest the GUI thread is blocked (target ≤ 100 ms).

And, from the domain (no target in the issue; all run on the worker thread in the window): the union tree,
possible duplicates, opening the employer page, and deleting 10,000 members to the recycle bin and
restoring them (the database ends as it began).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from models.database import open_database, reading  # noqa: E402
from models.employers import employer_overview  # noqa: E402
from models.entities import Employer, Member  # noqa: E402
from models.members import possible_duplicates, recycle_members, recycled_entries, restore_recycled  # noqa: E402
from models.paths import resolve_data_dir  # noqa: E402
from models.unions import union_tree  # noqa: E402
from ui.app import create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


class Answers(QObject):
    """Waits in an event loop, as the program itself waits in ``exec()``, until the rows on screen are
    updated (``rows_shown``: the first page of the answer; the count follows when every id is in).

    A busy loop of ``processEvents`` would take the GIL from the worker that is reading the ids and make
    every figure several times worse than what a clerk sees.
    """

    def __init__(self, page) -> None:
        super().__init__()
        self.loop = QEventLoop()
        page.model.rows_shown.connect(self.arrived)

    def arrived(self) -> None:
        self.loop.quit()

    def wait(self, timeout_ms: int = 10_000) -> None:
        QTimer.singleShot(timeout_ms, self.loop.quit)
        self.loop.exec()


def wait_for_rows(app: QApplication, page, started: float) -> float:
    """Wait until the model has answered, paint, and return the milliseconds since ``started``."""
    page.bench_answers.wait()
    page.table.viewport().repaint()
    return (time.perf_counter() - started) * 1000


def settle(app: QApplication) -> None:
    """Let the event loop handle what is still queued, outside the timed window.

    ``wait_for_rows`` paints with ``repaint()``, but the view's own update request for the same change
    stays queued; without this its second paint of the same rows would land in the next keystroke's time.
    The program paints those rows once.
    """
    app.processEvents()


def type_key(app: QApplication, widget, character: str) -> None:
    event = QInputMethodEvent()
    event.setCommitString(character)
    QApplication.sendEvent(widget, event)


def samples(engine) -> tuple[list[str], list[str], list[str]]:
    rng = random.Random(5)
    with reading(engine) as s, s.begin():
        rows = s.execute(
            select(Member.name, Member.id_number, Member.mobile).where(Member.mobile.is_not(None))
        ).all()
    picked = rng.sample(rows, 10)
    names = [row[0] for row in picked]
    id_fragments = [row[1][6:14] for row in picked]  # a birth date, as clerks look people up
    phone_fragments = [row[2][-6:] for row in picked]
    return names, id_fragments, phone_fragments


def measure(data_dir: Path) -> dict:
    app = create_application()
    folder = resolve_data_dir(data_dir)
    engine = open_database(folder)
    window = MainWindow(engine, folder)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.runner.wait_all()  # the clerk opens the list after start-up, not while 首页 is being computed
    app.processEvents()
    page = window.pages["会员"]
    page.bench_answers = Answers(page)

    started = time.perf_counter()
    window.show_area("会员")
    first_rows_ms = wait_for_rows(app, page, started)
    while not page.model.complete:
        page.bench_answers.wait(50)
    total = page.model.rowCount()

    keystrokes: list[float] = []
    names, id_fragments, phone_fragments = samples(engine)
    for text in [*names, *id_fragments, *phone_fragments]:
        for character in text:
            started = time.perf_counter()
            type_key(app, page.search, character)
            keystrokes.append(wait_for_rows(app, page, started))
            settle(app)
        page.search.clear()
        wait_for_rows(app, page, time.perf_counter())

    header = page.table.horizontalHeader()
    sorts = []
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        started = time.perf_counter()
        header.setSortIndicator(0, order)
        sorts.append(wait_for_rows(app, page, started))

    while not page.model.complete:  # scroll the whole list, not only its first page
        page.bench_answers.wait(50)
    scrollbar = page.table.verticalScrollBar()
    blocked = []
    while scrollbar.value() < scrollbar.maximum():
        started = time.perf_counter()
        scrollbar.setValue(scrollbar.value() + scrollbar.pageStep())
        page.table.viewport().repaint()
        blocked.append((time.perf_counter() - started) * 1000)
    window.close()
    QTimer.singleShot(0, app.quit)
    domain = domain_timings(engine)
    keystrokes.sort()
    return {
        "members": total,
        "first_rows_painted_ms": round(first_rows_ms, 1),
        "search_keystrokes": len(keystrokes),
        "search_keystroke_p50_ms": round(statistics.median(keystrokes), 1),
        "search_keystroke_p95_ms": round(keystrokes[int(0.95 * len(keystrokes)) - 1], 1),
        "search_keystroke_max_ms": round(keystrokes[-1], 1),
        "sort_by_name_ms": [round(ms, 1) for ms in sorts],
        "scroll_pages": len(blocked),
        "scroll_longest_block_ms": round(max(blocked), 1),
        "targets_ms": {"first_rows": 150, "keystroke_p95": 50, "sort": 150, "scroll_block": 100},
        **domain,
    }


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return round((time.perf_counter() - started) * 1000, 1), result


def domain_timings(engine) -> dict:
    with reading(engine) as s, s.begin():
        ids = list(s.scalars(select(Member.id).order_by(Member.id).limit(10_000)))
        employer = s.scalar(select(Employer.id).order_by(Employer.id).limit(1))
    tree_ms, _ = timed(lambda: union_tree(engine))
    duplicates_ms, pairs = timed(lambda: possible_duplicates(engine))
    employer_ms, _ = timed(lambda: employer_overview(engine, employer))
    recycle_ms, _ = timed(lambda: recycle_members(engine, ids, "benchmark"))
    entries = [entry.id for entry in recycled_entries(engine) if entry.reason == "benchmark"]
    restore_ms, result = timed(lambda: restore_recycled(engine, entries))
    assert result.restored == len(ids), result.refused[:3]
    return {
        "union_tree_ms": tree_ms,
        "possible_duplicates_ms": duplicates_ms,
        "possible_duplicate_pairs": len(pairs),
        "employer_page_ms": employer_ms,
        "recycle_10000_members_ms": recycle_ms,
        "restore_10000_members_ms": restore_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a data folder holding `main.py demo` data")
    args = parser.parse_args()
    if args.data_dir:
        print(json.dumps(measure(args.data_dir), ensure_ascii=False, indent=2))
        return
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "demo"], check=True,
                       capture_output=True)  # fmt: skip
        print(json.dumps(measure(data_dir), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
