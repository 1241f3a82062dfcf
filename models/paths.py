"""Where the program keeps its data: one folder holding the database, its backups, settings and logs."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath

import platformdirs

from models.errors import DataDirUnusable, os_reason

APP_NAME = "UnionDesk"
DATA_DIR_ENV = "UNIONDESK_DATA_DIR"
DATABASE_NAME = "uniondesk.sqlite3"


@dataclass(frozen=True)
class DataDir:
    """The data folder and the fixed places inside it."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def replaced(self) -> Path:
        """Databases a restore replaced: kept aside, never deleted by the program."""
        return self.root / "replaced"

    @property
    def damaged(self) -> Path:
        """Databases found damaged at start: moved here under a stamped name, never deleted by the program."""
        return self.root / "damaged"

    @property
    def window_state_file(self) -> Path:
        return self.root / "window.ini"

    @property
    def backup_settings_file(self) -> Path:
        """Where this PC keeps its backups and how many (JSON: read before the window or the database)."""
        return self.root / "backup-settings.json"

    @property
    def lock_file(self) -> Path:
        """Held (an OS file lock) by the one copy of the program writing to this data folder."""
        return self.root / "uniondesk.lock"

    @property
    def lock_owner_file(self) -> Path:
        """Who holds the lock (computer, user, since when), for the refusal a second copy shows."""
        return self.root / "uniondesk.lock.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "uniondesk.log"

    @property
    def printouts(self) -> Path:
        """Copies of PDFs handed to the system viewer (each under a new name; the clerk may delete them)."""
        return self.root / "printouts"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataDir:
    """Choose the data folder: ``--data-dir``, else the environment variable, else the user's data folder."""
    if explicit:
        root = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        root = Path(os.environ[DATA_DIR_ENV])
    else:
        # appauthor=False: on Windows this is %LOCALAPPDATA%\UnionDesk, local rather than roaming, because
        # SQLite in a synced or network folder gets corrupted.
        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
    return DataDir(root.expanduser().resolve())


def ensure_data_dir(data_dir: DataDir) -> DataDir:
    """Create the data folder if needed and prove it is writable."""
    try:
        data_dir.root.mkdir(parents=True, exist_ok=True)
        probe = data_dir.root / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirUnusable(
            f"无法使用数据文件夹“{data_dir.root}”：{os_reason(exc)}。"
            "请检查文件夹是否存在、是否有写入权限，或用 --data-dir 指定其他文件夹。"
        ) from exc
    return data_dir


# --- where the data folder must not be -------------------------------------------------------------------

ON_WINDOWS = sys.platform == "win32"
DRIVE_REMOTE = 4  # GetDriveTypeW: a mapped network drive

# Folder names the sync clients create (lower case): SQLite's locking does not survive a sync client
# replacing the file under it, and two PCs syncing one database each keep only their own changes.
SYNCED_FOLDERS = {
    "onedrive": "OneDrive",
    "dropbox": "Dropbox",
    "坚果云": "坚果云",
    "nutstore": "坚果云",
    "我的坚果云": "坚果云",
    "百度网盘": "百度网盘",
    "baidunetdisk": "百度网盘",
    "baidusyncdisk": "百度网盘",
    "百度网盘同步空间": "百度网盘",
    "icloud drive": "iCloud",
    "iclouddrive": "iCloud",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "阿里云盘": "阿里云盘",
    "wps网盘": "WPS 云盘",
    "wps云盘": "WPS 云盘",
    "wpsdrive": "WPS 云盘",
    "seafile": "Seafile",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
    "synologydrive": "Synology Drive",
    "box": "Box",
    "box sync": "Box",
}


@dataclass(frozen=True)
class LocationRisk:
    """The data folder is where SQLite is not safe: a network share or a synced folder."""

    kind: str  # "network" or "synced"
    service: str  # the share or drive, or the sync service's name

    @property
    def message(self) -> str:
        where = (
            f"网络共享文件夹（{self.service}）"
            if self.kind == "network"
            else f"由 {self.service} 同步的文件夹"
        )
        return (
            f"数据文件夹在{where}中。数据库放在这里容易损坏，两台电脑同时同步还会互相覆盖修改。"
            "建议把数据文件夹放在本机磁盘上（用 --data-dir 或环境变量 UNIONDESK_DATA_DIR 指定），"
            "再用“设置 → 备份文件夹”把备份放到 U 盘或共享文件夹。"
        )


def location_risk(root: PurePath) -> LocationRisk | None:
    """Whether the data folder is on a network share or inside a synced folder (a warning, not a refusal)."""
    windows = PureWindowsPath(str(root))
    drive = windows.drive
    if drive.startswith("\\\\?\\") and not drive.upper().startswith("\\\\?\\UNC\\"):
        drive = drive[4:]  # \\?\C: is a local drive written the long way
    if drive.startswith("\\\\"):  # \\server\share, also \\?\UNC\server\share
        return LocationRisk("network", drive)
    if ON_WINDOWS and len(drive) == 2 and _drive_type(drive + "\\") == DRIVE_REMOTE:
        return LocationRisk("network", f"网络驱动器 {drive}")
    for part in windows.parts:
        name = part.strip().lower()
        if name in SYNCED_FOLDERS:
            return LocationRisk("synced", SYNCED_FOLDERS[name])
        if name.startswith("onedrive - "):  # OneDrive for work: "OneDrive - 单位名称"
            return LocationRisk("synced", "OneDrive")
    for variable in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        synced = os.environ.get(variable)
        if synced and _is_within(windows, PureWindowsPath(synced)):
            return LocationRisk("synced", "OneDrive")
    return None


def _is_within(path: PureWindowsPath, folder: PureWindowsPath) -> bool:
    parts, folder_parts = [p.lower() for p in path.parts], [p.lower() for p in folder.parts]
    return len(folder_parts) > 0 and parts[: len(folder_parts)] == folder_parts


def _drive_type(root: str) -> int:
    """GetDriveTypeW of a drive root such as ``Z:\\`` (Windows only)."""
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(root)  # type: ignore[attr-defined]


RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A file shipped in ``resources/`` (fonts, wording, style sheet): data the office may change."""
    return RESOURCES.joinpath(*parts)
