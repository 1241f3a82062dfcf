"""Where the program keeps its data: one folder holding the database, its backups, settings and logs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from models.errors import DataDirUnusable

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
    def window_state_file(self) -> Path:
        return self.root / "window.ini"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

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
            f"无法使用数据文件夹“{data_dir.root}”：{exc.strerror or exc}。"
            "请检查文件夹是否存在、是否有写入权限，或用 --data-dir 指定其他文件夹。"
        ) from exc
    return data_dir


RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A file shipped in ``resources/`` (fonts, wording, style sheet): data the office may change."""
    return RESOURCES.joinpath(*parts)
