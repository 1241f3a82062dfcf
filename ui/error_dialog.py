"""The one dialog for bugs: a short apology, the traceback under 详细信息, the full text in the log.

A failure that is a condition of the world rather than a bug (the disk filled up, another program locked
the database, the folder became read-only) can still arrive here as SQLite's exception from any save;
it gets its Chinese reason instead of "程序错误", and is logged all the same.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from models.paths import DataDir

log = logging.getLogger("uniondesk")

READ_ONLY_REFUSAL = "当前账户为查阅权限，不能修改数据。"
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception)\b[^:\s]*:")

# The last line of a traceback from sqlite3 (directly or wrapped by SQLAlchemy) -> what the clerk reads.
KNOWN_SQLITE_FAILURES = {
    "database or disk is full": "磁盘空间已满，刚才的修改没有保存。请清理磁盘（或把数据文件夹移到空间足够的磁盘）后再试一次。",
    "database is locked": "数据库正被其他程序使用（例如用数据库工具打开着），刚才的修改没有保存。请关闭该程序后再试一次。",
    "attempt to write a readonly database": "数据库文件或数据文件夹变成了只读，刚才的修改没有保存。请检查文件夹的权限后再试一次。",
    "database disk image is malformed": "数据库文件已损坏，刚才的操作没有完成。请退出程序：下次启动时程序会把损坏的数据库移开，并提供最新的完好备份用于恢复。",
    "disk I/O error": "读写磁盘出错，刚才的修改没有保存。如果数据文件夹在 U 盘、移动硬盘或网络上，请检查连接后再试一次。",
    # A reader's connection refuses every write in the audit trigger (models.audit.ReadOnlyAccount);
    # sqlite3 reports only this, and the audit functions are the only ones the program gives SQLite.
    "user-defined function raised exception": READ_ONLY_REFUSAL,
}


def log_file() -> Path | None:
    """The file the log is written to, once ``start_log`` has run."""
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def start_log(data_dir: DataDir) -> Path | None:
    """A rotating log in the data folder: five files of 1 MB, so it never fills the disk.

    A log that cannot be opened (a read-only folder) is no reason to refuse the start; None then.
    """
    if (existing := log_file()) is not None:
        return existing
    try:
        data_dir.logs.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(data_dir.log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return data_dir.log_file


def known_failure(details: str) -> str | None:
    """The clerk's message for a traceback that ends in a condition of the world; None for a bug."""
    # The exception's own line, the last one that starts with its (dotted) class name: SQLAlchemy adds
    # [SQL: …], [parameters: …] and a link after it, and the frames' source lines are indented.
    raised = [line for line in details.strip().splitlines() if EXCEPTION_LINE.match(line)]
    last = raised[-1] if raised else ""
    if "sqlite3." not in last and "OperationalError" not in last:
        return None
    return next((message for text, message in KNOWN_SQLITE_FAILURES.items() if text in last), None)


def show_bug(details: str, parent: QWidget | None = None) -> None:
    log.error("程序错误\n%s", details)
    where = log_file()
    saved = f"也记录在日志文件“{where}”中" if where else "未能写入日志文件"
    if (message := known_failure(details)) is not None:
        box = QMessageBox(QMessageBox.Icon.Warning, "无法完成操作", message, parent=parent)
        box.setInformativeText(f"详细信息{saved}。")
    else:
        box = QMessageBox(
            QMessageBox.Icon.Critical, "程序错误", "程序遇到了一个错误。已保存的数据不受影响。", parent=parent
        )
        box.setInformativeText(f"请把“详细信息”中的内容（{saved}）发给维护人员。")
    box.setDetailedText(details)
    box.exec()


def install_excepthook() -> None:
    """Every uncaught exception on the GUI thread reaches ``show_bug`` instead of killing the window."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        show_bug("".join(traceback.format_exception(kind, value, tb)))

    sys.excepthook = hook
