"""``demo``: fill an empty database with generated records."""

from __future__ import annotations

import time

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, Reporter
from models.database import opened
from models.demo import DemoPlan, generate_demo
from models.paths import DataDir
from models.registers import record_counts


def add_parser(subparsers, parent) -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=[parent],
        help="向空数据库装入演示数据",
        description="生成逼真的演示数据（单位、基层工会、会员、建会任务），只能装入空数据库。",
    )
    parser.add_argument("--employers", type=int, default=2000, metavar="N", help="单位数（默认 2000）")
    parser.add_argument("--members", type=int, default=100_000, metavar="M", help="会员数（默认 100000）")
    parser.add_argument("--seed", type=int, default=2020, help="随机种子：同一种子生成同样的数据")
    parser.set_defaults(run=run)


def run(args, data_dir: DataDir, reporter: Reporter) -> int:
    plan = DemoPlan(employers=args.employers, members=args.members, seed=args.seed)
    started = time.perf_counter()
    with opened(data_dir) as engine:
        try:
            for done, total, message in generate_demo(engine, plan):
                reporter.progress(done, total, message)
        except KeyboardInterrupt:
            return reporter.fail(EXIT_ENVIRONMENT, "已取消，数据库未作改动。")
        counts = record_counts(engine)
    seconds = round(time.perf_counter() - started, 2)
    reporter.say(
        f"演示数据已装入 {data_dir.database}：单位 {counts['employers']:,} 家，基层工会 {counts['unions']:,} 个，"
        f"会员 {counts['members']:,} 名，建会任务 {counts['organizing_tasks']:,} 项，用时 {seconds} 秒。"
    )
    return reporter.finish(
        EXIT_DONE, {"database": str(data_dir.database), "counts": counts, "seconds": seconds}
    )
