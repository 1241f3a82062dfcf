"""``backup FILE``, ``restore FILE`` and ``backups`` (the list of backups to restore from)."""

from __future__ import annotations

from pathlib import Path

from commands.output import EXIT_DONE, EXIT_ENVIRONMENT, Reporter
from models.accounts import require_role
from models.backups import backup_counts, backup_database, list_backups, restore_database
from models.database import lock_data_dir, opened, start_database
from models.entities import Role
from models.errors import DatabaseSetAside
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
    listing = subparsers.add_parser(
        "backups",
        parents=[parent],
        help="列出自动备份和手工放入备份文件夹的备份",
        description="最新的在前：时间、类型、大小、会员数和路径。恢复时把路径交给 restore。",
    )
    listing.set_defaults(run=run_list)


KIND_NAMES = {
    "daily": "每日",
    "monthly": "每月",
    "on_close": "关闭时",
    "before_import": "导入前",
    "before_upgrade": "升级前",
    "replaced": "恢复前",
    "other": "其他",
}


def run_list(args, data_dir: DataDir, reporter: Reporter) -> int:
    found = list_backups(data_dir)
    rows = []
    for backup in found:
        counts = backup_counts(backup.path)
        members = counts.members if counts else None
        reporter.say(
            f"{backup.taken_at:%Y-%m-%d %H:%M}  {KIND_NAMES[backup.kind]:<4}  {backup.size / 1_048_576:7.1f} MB  "
            f"会员 {'—' if members is None else f'{members:,}'}  {backup.path}"
        )
        rows.append(
            {"path": str(backup.path), "kind": backup.kind, "taken_at": backup.taken_at, "bytes": backup.size,
             "members": members}
        )  # fmt: skip
    if not found:
        reporter.say("没有找到备份。")
    return reporter.finish(EXIT_DONE, {"backups": rows})


def run_backup(args, data_dir: DataDir, reporter: Reporter) -> int:
    if not data_dir.database.exists():
        return reporter.fail(EXIT_ENVIRONMENT, f"数据文件夹“{data_dir.root}”中还没有数据库，无需备份。")
    with opened(data_dir) as engine:  # brings an older schema up to date first, so backups are current
        # A copy holds every ID number and phone whole: not for a reader.
        require_role(engine, Role.EDITOR, "备份数据库")
        counts = record_counts(engine)
    target = backup_database(data_dir.database, args.file.expanduser().resolve())
    size = target.stat().st_size
    reporter.say(f"已备份到 {target}（{size / 1_048_576:.1f} MB，会员 {counts['members']:,} 名）。")
    return reporter.finish(EXIT_DONE, {"backup": str(target), "bytes": size, "counts": counts})


def run_restore(args, data_dir: DataDir, reporter: Reporter) -> int:
    source = args.file.expanduser().resolve()
    _refuse_unless_administrator(data_dir)
    # The lock for the whole restore: a window open on this folder must not keep writing the old file.
    with lock_data_dir(data_dir):
        result = restore_database(data_dir, source)
        engine = start_database(data_dir)  # upgrades a backup made by an older release
        try:
            counts = record_counts(engine)
        finally:
            engine.dispose()
    if result.replaced_copy:
        reporter.say(f"原数据库已另存为 {result.replaced_copy}。")
    reporter.say(
        f"已从 {source} 恢复数据库：单位 {counts['employers']:,} 家，会员 {counts['members']:,} 名。"
    )
    return reporter.finish(
        EXIT_DONE,
        {"restored_from": str(source), "replaced_copy": str(result.replaced_copy or ""), "counts": counts},
    )


def _refuse_unless_administrator(data_dir: DataDir) -> None:
    """Replacing the database is an administrator's decision, when the database there can say who is one.

    A damaged database (the usual reason to restore) is moved aside by opening it, and the restore goes on.
    """
    if not data_dir.database.exists():
        return
    try:
        with opened(data_dir) as engine:
            require_role(engine, Role.ADMINISTRATOR, "恢复备份")
    except DatabaseSetAside:
        return
