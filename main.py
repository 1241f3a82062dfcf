"""工会组建工作台 (UnionDesk). No arguments: the window. A subcommand: batch work with no screen."""

from __future__ import annotations

import sys

from commands.cli import parse_arguments, run_command
from models.paths import location_risk, resolve_data_dir


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    if args.command is None:
        from ui.app import run_window  # Qt is loaded only when there is a window to show

        return run_window(data_dir)
    # A warning, not a refusal: the office may have no other place, and it should know the risk.
    if risk := location_risk(data_dir.root):
        print(f"警告：{risk.message}", file=sys.stderr, flush=True)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
