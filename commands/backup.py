"""``backup FILE`` and ``restore FILE``."""

from __future__ import annotations

from pathlib import Path

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, Reporter
from models.backups import backup_database, restore_database
from models.database import opened
from models.paths import DataDir
from models.registers import record_counts


def add_parsers(subparsers, parent) -> None:
    backup = subparsers.add_parser(
        "backup",
        parents=[parent],
        help="把数据库备份到一个文件",
        description="用 SQLite 备份接口复制数据库；程序运行时也能得到一致的备份。",
    )
    backup.add_argument(
        "file", type=Path, metavar="FILE", help="备份文件路径，例如 E:\\备份\\工会-2026-11-23.sqlite3"
    )
    backup.set_defaults(run=run_backup)
    restore = subparsers.add_parser(
        "restore",
        parents=[parent],
        help="用备份文件恢复数据库",
        description="先检查备份文件的完整性和数据结构版本；被替换的数据库另存到数据文件夹的 replaced 子文件夹。",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="要恢复的备份文件")
    restore.set_defaults(run=run_restore)


def run_backup(args, data_dir: DataDir, reporter: Reporter) -> int:
    if not data_dir.database.exists():
        return reporter.fail(EXIT_ENVIRONMENT, f"数据文件夹“{data_dir.root}”中还没有数据库，无需备份。")
    with opened(data_dir) as engine:  # brings an older schema up to date first, so backups are current
        counts = record_counts(engine)
    target = backup_database(data_dir.database, args.file.expanduser().resolve())
    size = target.stat().st_size
    reporter.say(f"已备份到 {target}（{size / 1_048_576:.1f} MB，会员 {counts['members']:,} 名）。")
    return reporter.finish(EXIT_DONE, {"backup": str(target), "bytes": size, "counts": counts})


def run_restore(args, data_dir: DataDir, reporter: Reporter) -> int:
    source = args.file.expanduser().resolve()
    result = restore_database(data_dir, source)
    with opened(data_dir) as engine:  # upgrades a backup made by an older release
        counts = record_counts(engine)
    if result.replaced_copy:
        reporter.say(f"原数据库已另存为 {result.replaced_copy}。")
    reporter.say(
        f"已从 {source} 恢复数据库：单位 {counts['employers']:,} 家，会员 {counts['members']:,} 名。"
    )
    return reporter.finish(
        EXIT_DONE,
        {"restored_from": str(source), "replaced_copy": str(result.replaced_copy or ""), "counts": counts},
    )
