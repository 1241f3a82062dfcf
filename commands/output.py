"""What a subcommand says: Chinese lines for people, and with ``--json`` one JSON object as the last line."""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_DONE = 0
EXIT_REFUSED = 1  # done, but some input was refused (or ``check`` found problems)
EXIT_ENVIRONMENT = 2  # usage or environment error: nothing was done


class Reporter:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def say(self, text: str) -> None:
        """A line for the person at the terminal; under --json it goes to stderr so stdout stays parseable."""
        print(text, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    def progress(self, done: int, total: int, message: str) -> None:
        percent = 100 * done // total if total else 100
        print(f"[{percent:3d}%] {message}", file=sys.stderr, flush=True)

    def finish(self, code: int, summary: dict[str, Any]) -> int:
        if self.as_json:
            print(
                json.dumps(
                    {"ok": code == EXIT_DONE, "exit_code": code, **summary}, ensure_ascii=False, default=str
                )
            )
        return code

    def fail(self, code: int, message: str, **summary: Any) -> int:
        print(f"错误：{message}", file=sys.stderr, flush=True)
        return self.finish(code, {"error": message, **summary})
