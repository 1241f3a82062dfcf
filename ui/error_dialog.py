"""The one dialog for bugs: a short apology, the traceback under 详细信息, the full text in the log."""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from models.paths import DataDir

log = logging.getLogger("uniondesk")


def start_log(data_dir: DataDir) -> None:
    """A rotating log in the data folder: five files of 1 MB, so it never fills the disk."""
    data_dir.logs.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        data_dir.logs / "uniondesk.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def show_bug(details: str, parent: QWidget | None = None) -> None:
    log.error("程序错误\n%s", details)
    box = QMessageBox(
        QMessageBox.Icon.Critical, "程序错误", "程序遇到了一个错误。已保存的数据不受影响。", parent=parent
    )
    box.setInformativeText("请把“详细信息”中的内容（也记录在数据文件夹的 logs 子文件夹中）发给维护人员。")
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
