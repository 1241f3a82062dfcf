"""Fault script of issue 7 ("Nothing lost"): kill the program at random moments and look at what is left.

    python bench/faults.py [--runs 50] [--data-dir D] [--seed 2026] [--members 2000] [--rows 3000] [--json]

Without ``--data-dir`` a small ``main.py demo`` (60 employers, ``--members`` members) is made in a
temporary folder; with it, that folder is copied and never written to. Four operations take turns, each a
child ``python main.py --data-dir COPY …`` on a fresh copy of the prepared data folder:

- ``import``: ``import members FILE``, a member list of ``--rows`` new members (openpyxl, as clerks send
  it), which also takes the automatic backup before the import;
- ``member add``: one member saved;
- ``notice issue``: one 工会组建意见函 numbered and issued;
- ``backup``: ``backup FILE`` into the backups folder under a final name (``uniondesk-*.sqlite3``).

Each child is killed with ``Popen.kill()`` (SIGKILL; TerminateProcess on Windows: no clean-up of any kind
runs) after a delay drawn uniformly over the operation's measured duration (the longest of three complete
runs), from a generator seeded with ``--seed``: the same seed gives the same fractions of the duration, so
a run can be repeated (the durations themselves follow the machine's load). Most of a short operation's
time is the interpreter starting and the database opening, so most kills land before the first write; the
commit of one saved member is a few milliseconds wide and is hit rarely, by any random delay. The line
each child printed last is logged to show where the kills landed. Then, as the clerk's next start would:

1. ``main.py --data-dir COPY check`` must exit 0 (it opens the database after the kill, so SQLite rolls a
   half-written transaction back, and checks integrity, foreign keys and every code);
2. the database, opened read-only afterwards, must hold the state before the operation or the state after
   it, never a mix. The fingerprint is every table's row count and a digest per column of its rows in
   rowid order (so more than the tables the operation writes: a write outside them is a mix as well),
   compared with the fingerprints of untouched copies and of completed runs. Columns that differ between
   two completed runs of the same operation (random UUIDs, clock times, the audit trail's hashes) are left
   out of the comparison, and listed. A backup changes no table: its runs count as before-state;
3. every file of the backups folder with a final name (``uniondesk-*.sqlite3``) must be a whole database:
   not empty, an SQLite header, ``PRAGMA integrity_check`` ok, a schema version. A ``.partial`` is allowed
   (that is what a cut copy must look like).

Prints one line per operation and exits 1 when any run failed (a mix, a failed check, a bad backup); the
data folders of failed runs are kept and named. ``--json`` prints the numbers as a JSON object as well
(the last line). Portable: pathlib, ``Popen.kill``, no POSIX-only calls.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from spreadsheet_import import demo_unions, write_members  # noqa: E402

from models.codes import id_check_char  # noqa: E402
from models.paths import DataDir  # noqa: E402

# A member the ``member add`` runs save: an area code neither the demo nor the member list uses.
MEMBER_AREA = "500152"
# How long a child may take before the script gives up on it (a hang is a failure too).
CHILD_TIMEOUT = 300
OPERATIONS = ("import", "member add", "notice issue", "backup")
COMPLETED_RUNS = 3  # of each operation: its duration, its after-state and which columns vary run to run

Fingerprint = dict[str, tuple[int, dict[str, str]]]  # table -> (rows, column -> digest)


# --- the children -------------------------------------------------------------------------------------


def child_environment() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}


def run_main(data_dir: DataDir, *args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MAIN), "--data-dir", str(data_dir.root), *map(str, args)],
        cwd=ROOT,
        env=child_environment(),
        capture_output=True,
        encoding="utf-8",
        timeout=CHILD_TIMEOUT,
        check=False,
    )


def must_succeed(done: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    if done.returncode != 0:
        raise SystemExit(f"{what} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return done


@dataclass(frozen=True)
class Operation:
    name: str
    arguments: Callable[[DataDir, int], list[str]]  # (the copy, the run's number) -> main.py arguments


@dataclass
class Tally:
    runs: int = 0
    killed: int = 0
    before: int = 0
    after: int = 0
    mixed: int = 0
    check_failed: int = 0
    bad_backups: int = 0
    duration: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.mixed + self.check_failed + self.bad_backups


def operations(template: DataDir, work: Path, rows: int, seed: int) -> list[Operation]:
    """The four operations, with their inputs made from what the prepared database holds."""
    unions = demo_unions(template.database)
    if not unions:
        raise SystemExit(f"{template.database} has no union with a unique name and a credit code to use")
    member_list = work / "会员名单.xlsx"
    write_members(member_list, rows, unions, seed=seed)
    id_number = new_id_number(template.database)
    employer = employer_for_a_notice(template.database)
    return [
        Operation("import", lambda _copy, _run: ["import", "members", str(member_list)]),
        Operation(
            "member add",
            lambda _copy, _run: [
                "member",
                "add",
                "--name",
                "覃小红",
                "--id-number",
                id_number,
                "--union",
                unions[0][1],
                "--joined-on",
                "2024-03-05",
            ],
        ),  # fmt: skip
        Operation(
            "notice issue",
            lambda _copy, _run: ["notice", "issue", "--kind", "opinion_letter", "--employer", employer],
        ),
        Operation(
            "backup",
            lambda copy, run: ["backup", str(copy.backups / f"uniondesk-faults-{run}.sqlite3")],
        ),
    ]


def new_id_number(database: Path) -> str:
    """A valid ID number nobody in the database has."""
    with closing(sqlite3.connect(database_uri(database), uri=True)) as connection:
        for sequence in range(1, 1000, 2):
            first17 = f"{MEMBER_AREA}19900315{sequence:03d}"
            candidate = first17 + id_check_char(first17)
            if (
                connection.execute("SELECT 1 FROM member WHERE id_number = ?", (candidate,)).fetchone()
                is None
            ):
                return candidate
    raise SystemExit("no free ID number found for the member to add")


def employer_for_a_notice(database: Path) -> str:
    """The credit code of an employer with no union and no open opinion letter: it may get one now."""
    sql = """SELECT credit_code FROM employer WHERE credit_code IS NOT NULL
             AND id NOT IN (SELECT employer_id FROM union_employer)
             AND id NOT IN (SELECT employer_id FROM notice WHERE kind = 'opinion_letter'
                            AND status IN ('draft', 'issued', 'served', 'replied'))
             ORDER BY id LIMIT 1"""
    with closing(sqlite3.connect(database_uri(database), uri=True)) as connection:
        row = connection.execute(sql).fetchone()
    if row is None:
        raise SystemExit("no employer without a union is left to issue a notice to")
    return row[0]


# --- what is on disk after a run ----------------------------------------------------------------------------


def database_uri(path: Path) -> str:
    """Read-only: the fingerprint must not write a byte (nor checkpoint) what it looks at."""
    return f"{path.resolve().as_uri()}?mode=ro"


def fingerprint(database: Path) -> Fingerprint:
    """Every table's row count and, per column, a digest of its values in row order."""
    found: Fingerprint = {}
    with closing(sqlite3.connect(database_uri(database), uri=True)) as connection:
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        for name, sql in tables:
            if sql.upper().startswith("CREATE VIRTUAL TABLE"):
                continue  # its content lives in its shadow tables, which are fingerprinted themselves
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')]
            listed = ", ".join(f'"{column}"' for column in columns)
            order = listed if "WITHOUT ROWID" in sql.upper() else "rowid"
            digests = [hashlib.sha256() for _ in columns]
            rows = 0
            for row in connection.execute(f'SELECT {listed} FROM "{name}" ORDER BY {order}'):
                rows += 1
                for digest, value in zip(digests, row, strict=True):
                    digest.update(repr(value).encode("utf-8") + b"\x1f")
            found[name] = (rows, {c: d.hexdigest() for c, d in zip(columns, digests, strict=True)})
    return found


def varying_columns(states: list[Fingerprint]) -> set[str]:
    """``table.column`` whose content differs between fingerprints of the same state."""
    varying = set()
    first = states[0]
    for other in states[1:]:
        for table in first.keys() & other.keys():
            (_rows, one), (_, two) = first[table], other[table]
            varying |= {
                f"{table}.{column}" for column in one.keys() & two.keys() if one[column] != two[column]
            }
    return varying


def same_state(state: Fingerprint, reference: Fingerprint, varying: set[str]) -> bool:
    if state.keys() != reference.keys():
        return False
    for table, (rows, columns) in state.items():
        expected_rows, expected = reference[table]
        if rows != expected_rows or columns.keys() != expected.keys():
            return False
        if any(columns[c] != expected[c] for c in columns if f"{table}.{c}" not in varying):
            return False
    return True


def differing_tables(state: Fingerprint, reference: Fingerprint, varying: set[str]) -> list[str]:
    """The tables where ``state`` is not ``reference``, for the report of a mix."""
    return sorted(
        table
        for table in state.keys() | reference.keys()
        if not same_state(
            {table: state.get(table, (-1, {}))}, {table: reference.get(table, (-1, {}))}, varying
        )
    )


def bad_backups(data_dir: DataDir) -> list[str]:
    """Files under a final backup name that are not a whole database of the program."""
    bad = []
    for path in sorted(data_dir.backups.glob("uniondesk-*.sqlite3")):
        if (problem := backup_problem(path)) is not None:
            bad.append(f"{path.name}: {problem}")
    return bad


def backup_problem(path: Path) -> str | None:
    if path.stat().st_size == 0:
        return "empty file"
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return "no SQLite header"
    try:
        with closing(sqlite3.connect(database_uri(path), uri=True)) as connection:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                return f"integrity_check: {result[0]}"
            if connection.execute("SELECT version_num FROM alembic_version").fetchone() is None:
                return "no schema version"
    except sqlite3.Error as exc:
        return f"cannot be read: {exc}"
    return None


# --- the runs -------------------------------------------------------------------------------------------------


def fresh_copy(template: DataDir, target: Path) -> DataDir:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template.root, target)
    return DataDir(target)


def after_check(copy: DataDir) -> tuple[subprocess.CompletedProcess, Fingerprint | None]:
    """``check`` as the next start would run it, then the fingerprint read once it has closed the database."""
    checked = run_main(copy, "check")
    if checked.returncode != 0 or not copy.database.exists():
        return checked, None
    return checked, fingerprint(copy.database)


def completed_run(
    template: DataDir, work: Path, operation: Operation, number: int
) -> tuple[float, Fingerprint]:
    """The operation run to its end on a fresh copy: how long it took and the state it leaves."""
    copy = fresh_copy(template, work / "completed")
    started = time.perf_counter()
    must_succeed(run_main(copy, *operation.arguments(copy, number)), f"{operation.name} (run to its end)")
    duration = time.perf_counter() - started
    checked, state = after_check(copy)
    must_succeed(checked, f"check after a complete {operation.name}")
    assert state is not None
    if problems := bad_backups(copy):
        raise SystemExit(f"a complete {operation.name} left bad backups: {problems}")
    return duration, state


def killed_run(
    template: DataDir, work: Path, operation: Operation, number: int, delay: float
) -> tuple[bool, subprocess.CompletedProcess, Fingerprint | None, list[str], DataDir]:
    """Start the operation, kill it after ``delay`` seconds, then check as the next start would."""
    copy = fresh_copy(template, work / f"run-{number}")
    log = work / f"run-{number}.log"
    with log.open("wb") as output:
        child = subprocess.Popen(
            [sys.executable, str(MAIN), "--data-dir", str(copy.root), *operation.arguments(copy, number)],
            cwd=ROOT,
            env=child_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        time.sleep(delay)
        killed = child.poll() is None
        if killed:
            child.kill()
        child.wait(timeout=CHILD_TIMEOUT)
    killed = killed and child.returncode != 0  # it may have ended between poll() and kill()
    checked, state = after_check(copy)
    return killed, checked, state, bad_backups(copy), copy


def run_faults(
    template: DataDir, work: Path, runs: int, seed: int, rows: int, only: list[str] | None = None
) -> dict:
    ops = [op for op in operations(template, work, rows, seed) if not only or op.name in only]
    tallies = {op.name: Tally() for op in ops}
    log(f"untouched copies: checking {COMPLETED_RUNS}")
    befores = []
    for _ in range(COMPLETED_RUNS):
        checked, state = after_check(fresh_copy(template, work / "untouched"))
        must_succeed(checked, "check of an untouched copy")
        assert state is not None
        befores.append(state)
    varying = varying_columns(befores)
    before, afters = befores[0], {}
    for op in ops:
        completed = [completed_run(template, work, op, -1 - i) for i in range(COMPLETED_RUNS)]
        # The longest: the machine is shared, and a child slowed down by the load must still be killed
        # while it works rather than always in its start-up.
        tallies[op.name].duration = max(seconds for seconds, _ in completed)
        op_varying = varying | varying_columns([state for _, state in completed])
        afters[op.name] = (completed[0][1], op_varying)
        log(f"{op.name}: runs to its end in {', '.join(f'{seconds:.2f}' for seconds, _ in completed)} s")

    rng = random.Random(seed)
    for number in range(runs):
        op = ops[number % len(ops)]
        tally = tallies[op.name]
        delay = rng.uniform(0, tally.duration)
        killed, checked, state, bad, copy = killed_run(template, work, op, number, delay)
        after, op_varying = afters[op.name]
        tally.runs += 1
        tally.killed += killed
        problems = []
        if checked.returncode != 0 or state is None:
            tally.check_failed += 1
            said = (checked.stdout + checked.stderr).strip().splitlines()
            problems.append(f"check exited {checked.returncode}: {' / '.join(said[-3:])}")
        elif same_state(state, before, op_varying):
            tally.before += 1
        elif same_state(state, after, op_varying):
            tally.after += 1
        else:
            tally.mixed += 1
            problems.append(
                "a mix: differs from the state before in "
                f"{differing_tables(state, before, op_varying)} and from the state after in "
                f"{differing_tables(state, after, op_varying)}"
            )
        if bad:
            tally.bad_backups += len(bad)
            problems.append(f"bad backups: {bad}")
        if problems:
            kept = work / f"failed-{number}"
            shutil.move(copy.root, kept)
            tally.failures.append(f"run {number} ({op.name}, killed after {delay:.3f} s): {'; '.join(problems)}"
                                  f" — data folder kept at {kept}")  # fmt: skip
        else:
            shutil.rmtree(copy.root, ignore_errors=True)
        outcome = "FAILED" if problems else "ok"
        log(f"run {number:3d} {op.name:<12} delay {delay:5.2f} s  killed={killed!s:<5}  {outcome:<6}  "
            f"last said: {last_line(work / f'run-{number}.log') or '—'}")  # fmt: skip
        if not problems:
            (work / f"run-{number}.log").unlink(missing_ok=True)

    left_out = sorted(set().union(*(v for _, v in afters.values())))
    return {
        "seed": seed,
        "runs": runs,
        "date": date.today().isoformat(),
        "operations": {
            name: {
                "runs": t.runs,
                "killed_before_the_end": t.killed,
                "before_state": t.before,
                "after_state": t.after,
                "mixed": t.mixed,
                "check_failed": t.check_failed,
                "bad_backups": t.bad_backups,
                "seconds_to_complete": round(t.duration, 2),
            }
            for name, t in tallies.items()
        },
        "columns_left_out": left_out,
        "failures": [failure for t in tallies.values() for failure in t.failures],
        "ok": not any(t.failed for t in tallies.values()),
    }


def last_line(output: Path) -> str:
    """What the child said last before it was killed (its progress), to see where the kill landed."""
    lines = output.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1].strip()[:60] if lines else ""


# --- preparing and reporting ------------------------------------------------------------------------------


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def prepare(work: Path, data_dir: Path | None, members: int) -> DataDir:
    """The data folder every run copies: the one given (copied, never written) or a small demo; checked
    once, so that the day's automatic backup is already in it and the runs do not each take one."""
    template = DataDir(work / "template")
    if data_dir is not None:
        source = DataDir(data_dir.expanduser().resolve())
        if not source.database.exists():
            raise SystemExit(f"no database in {source.root}")
        # The database and the settings only: old backups would be copied for every run, and the backup
        # settings may name the office's USB drive, which no run may write to.
        skipped = (
            "uniondesk.lock*",
            "backups",
            "replaced",
            "damaged",
            "logs",
            "printouts",
            "backup-settings.json",
        )
        shutil.copytree(source.root, template.root, ignore=shutil.ignore_patterns(*skipped))
    else:
        log(f"making a demo of {members:,} members")
        must_succeed(
            run_main(template, "demo", "--employers", 60, "--members", members, "--seed", 2020), "demo"
        )
    must_succeed(run_main(template, "check"), "check of the prepared data folder")
    return template


def print_table(result: dict) -> None:
    header = ("operation", "runs", "killed before the end", "before-state", "after-state", "mixed",
              "check failed", "bad backups", "s to complete")  # fmt: skip
    keys = ("runs", "killed_before_the_end", "before_state", "after_state", "mixed", "check_failed",
            "bad_backups", "seconds_to_complete")  # fmt: skip
    rows = [(name, *(str(numbers[key]) for key in keys)) for name, numbers in result["operations"].items()]
    totals = ["all", *(str(sum(n[k] for n in result["operations"].values())) for k in keys[:-1]), ""]
    widths = [max(len(row[i]) for row in [header, *rows, totals]) for i in range(len(header))]
    for row in [header, *rows, totals]:
        cells = zip(row, widths, strict=True)
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(cells)))
    print(f"seed {result['seed']}; mixed, check failed and bad backups must be 0: "
          f"{'all 0' if result['ok'] else 'FAILED'}")  # fmt: skip
    if result["columns_left_out"]:
        print("columns left out of the comparison (they differ between two complete runs): "
              + ", ".join(result["columns_left_out"]))  # fmt: skip
    for failure in result["failures"]:
        print(f"  · {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="killed runs in all, the operations in turn")
    parser.add_argument("--data-dir", type=Path, help="a data folder to copy (never written to)")
    parser.add_argument("--seed", type=int, default=2026, help="seeds the delays and the member list")
    parser.add_argument(
        "--members", type=int, default=2000, help="members of the demo made without --data-dir"
    )
    parser.add_argument("--rows", type=int, default=3000, help="members in the list the import runs read")
    parser.add_argument(
        "--operation", action="append", choices=OPERATIONS, help="only this operation (may be repeated)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder even when all runs pass")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON too (last line)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="uniondesk-faults-"))
    try:
        template = prepare(work, args.data_dir, args.members)
        result = run_faults(template, work, args.runs, args.seed, args.rows, args.operation)
    except BaseException:
        log(f"work folder kept at {work}")
        raise
    print_table(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if result["ok"] and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work folder: {work}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
