"""This PC's backup settings: where the automatic backups go and how many are kept.

They live in a small JSON file in the data folder, not in the database (a backup of the database must
not carry the PC's USB drive letter to another PC) and not in QSettings (backups also run from the
command line and before the window exists). The file is replaced atomically, so a crash while saving
leaves the old settings, never half a file.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from models.errors import DataDirUnusable, InvalidInput, os_reason
from models.paths import DataDir

DEFAULT_KEEP_DAILY = 14
DEFAULT_KEEP_MONTHLY = 12
KEEP_DAILY_RANGE = (1, 366)
KEEP_MONTHLY_RANGE = (1, 120)


@dataclass(frozen=True)
class BackupSettings:
    folder: Path | None = None  # None: the data folder's backups
    keep_daily: int = DEFAULT_KEEP_DAILY
    keep_monthly: int = DEFAULT_KEEP_MONTHLY


def load_backup_settings(data_dir: DataDir) -> BackupSettings:
    """The saved settings; the defaults when there are none or the file cannot be read.

    A damaged settings file must not stop a backup: the defaults back up into the data folder, which is
    always there.
    """
    try:
        raw = json.loads(data_dir.backup_settings_file.read_text(encoding="utf-8"))
        folder = raw.get("folder")
        return _checked(
            BackupSettings(
                folder=Path(folder) if folder else None,
                keep_daily=int(raw.get("keep_daily", DEFAULT_KEEP_DAILY)),
                keep_monthly=int(raw.get("keep_monthly", DEFAULT_KEEP_MONTHLY)),
            )
        )
    except (OSError, ValueError, TypeError, AttributeError, InvalidInput):
        return BackupSettings()


def save_backup_settings(data_dir: DataDir, settings: BackupSettings) -> BackupSettings:
    """Check and save; returns what was saved.

    Raises:
        InvalidInput: a count out of range, or a folder that is the data folder itself.
        DataDirUnusable: the file cannot be written (read-only folder, full disk); the old one stays.
    """
    settings = _checked(settings)
    text = json.dumps(
        {
            "folder": str(settings.folder) if settings.folder else None,
            "keep_daily": settings.keep_daily,
            "keep_monthly": settings.keep_monthly,
        },
        ensure_ascii=False,
        indent=2,
    )
    target = data_dir.backup_settings_file
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        with suppress(OSError):  # the folder itself may be what failed
            partial.unlink(missing_ok=True)
        raise DataDirUnusable(f"无法保存备份设置到“{target}”：{os_reason(exc)}。原来的设置未改变。") from exc
    return settings


def _checked(settings: BackupSettings) -> BackupSettings:
    low, high = KEEP_DAILY_RANGE
    if not low <= settings.keep_daily <= high:
        raise InvalidInput(f"保留每日备份的份数应在 {low} 到 {high} 之间", "keep_daily")
    low, high = KEEP_MONTHLY_RANGE
    if not low <= settings.keep_monthly <= high:
        raise InvalidInput(f"保留每月备份的份数应在 {low} 到 {high} 之间", "keep_monthly")
    if settings.folder is not None and not settings.folder.is_absolute():
        raise InvalidInput(f"备份文件夹“{settings.folder}”不是完整路径，请重新选择", "folder")
    return settings
