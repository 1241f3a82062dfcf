"""Starting the window: the application object, fonts, style, the error dialog, the database.

Before the window exists the data folder is taken for this copy of the program (a second copy is
refused), a network or synced location is warned about, and a damaged database is moved aside with the
newest good backup offered in its place. Then the first start asks for an administrator's account (or
none), and with accounts in use someone signs in; the window is built for that person's role. After a
restore, or when the account is switched, the window is built anew (and the person asked again), so no
page and no engine of the old one is left to write, and no page shows what the new person may not see.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator, Slot
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from sqlalchemy import Engine

from models.accounts import accounts_setting, sign_out
from models.backups import BackupTaken, back_up_if_due, restore_database
from models.database import lock_data_dir, start_database
from models.errors import DatabaseSetAside, KnownError
from models.paths import DataDir, ensure_data_dir, location_risk, resource
from ui.dialogs.set_up_accounts import SetUpAccountsDialog
from ui.dialogs.sign_in import SignInDialog
from ui.error_dialog import install_excepthook, show_bug, start_log
from ui.fonts import set_interface_font
from ui.main_window import MainWindow
from ui.worker import Job

TITLE = "工会组建工作台"


def load_qt_chinese(app: QApplication) -> QTranslator:
    """Qt's own words (是/否, 复制/粘贴, the file dialog) in Chinese, from the translations in the Qt wheel."""
    translator = QTranslator(app)  # parented, so it lives as long as the application
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)
    return translator


def create_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(TITLE)
    app.setOrganizationName("UnionDesk")
    load_qt_chinese(app)
    set_interface_font(app)
    app.setStyleSheet(resource("style.qss").read_text(encoding="utf-8"))
    return app


# --- what the clerk is told or asked before the window exists (a test replaces these) -------------------


def refuse_start(message: str) -> None:
    QMessageBox.critical(None, f"{TITLE}无法启动", message)


def warn(title: str, message: str) -> None:
    QMessageBox.warning(None, title, message)


def ask_about_damaged(error: DatabaseSetAside) -> tuple[str, Path | None]:
    """The database was damaged and moved aside: restore the newest good backup, another file, start
    with an empty database, or quit. Returns ("restore", path), ("empty", None) or ("quit", None)."""
    newest = error.newest_backup
    text = f"数据库已损坏，已移到：\n{error.moved_to}\n（没有删除）。"
    if newest is not None:
        text += (
            f"\n\n最新的完好备份是 {newest.taken_at:%Y-%m-%d %H:%M} 的备份：\n{newest.path}\n\n要用它恢复吗？"
        )
    else:
        text += "\n\n没有找到完好的备份。"
    box = QMessageBox(QMessageBox.Icon.Warning, "数据库已损坏", text)
    use_newest = box.addButton("用这个备份恢复", QMessageBox.ButtonRole.AcceptRole) if newest else None
    other = box.addButton("选择其他备份文件…", QMessageBox.ButtonRole.ActionRole)
    empty = box.addButton("新建空数据库", QMessageBox.ButtonRole.DestructiveRole)
    quit_button = box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(use_newest or quit_button)
    box.exec()
    clicked = box.clickedButton()
    if use_newest is not None and clicked is use_newest:
        return "restore", newest.path
    if clicked is other:
        name, _ = QFileDialog.getOpenFileName(
            None, "选择备份文件", "", "数据库备份 (*.sqlite3);;所有文件 (*)"
        )
        return ("restore", Path(name)) if name else ("quit", None)
    if clicked is empty:
        return "empty", None
    return "quit", None


def ask_who_works(engine: Engine, data_dir: DataDir) -> bool:
    """Before the window: the first start's question about accounts, or signing in when accounts are
    used. False when the clerk chose 退出 (a test replaces this)."""
    setting = accounts_setting(engine)
    if setting == "off":
        return True
    window_state = QSettings(str(data_dir.window_state_file), QSettings.Format.IniFormat)
    dialog = (
        SetUpAccountsDialog(engine, window_state) if setting is None else SignInDialog(engine, window_state)
    )
    return dialog.exec() == QDialog.DialogCode.Accepted


# --- the start ------------------------------------------------------------------------------------------


def open_for_window(data_dir: DataDir) -> Engine | None:
    """The engine the window works on; None when the clerk chose to quit or the database cannot be used
    (the clerk has been told why)."""
    while True:
        try:
            return start_database(data_dir)
        except DatabaseSetAside as damaged:
            if not replace_damaged(data_dir, damaged):
                return None
            # and open what was restored, or (the clerk chose so) a new database
        except KnownError as exc:
            refuse_start(exc.message)
            return None


def replace_damaged(data_dir: DataDir, damaged: DatabaseSetAside) -> bool:
    """Ask until a backup is restored or the clerk chooses an empty database (True) or to quit (False)."""
    while True:
        choice, backup = ask_about_damaged(damaged)
        if choice == "quit":
            return False
        if choice == "empty":
            return True
        try:
            restore_database(data_dir, backup)
            return True
        except KnownError as exc:  # a bad backup changes nothing: the clerk may choose another
            warn("无法恢复", exc.message)


class StartupBackup(QObject):
    """The day's first backup, on the worker once the window shows; says once if it went elsewhere."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def start(self) -> Job:
        data_dir = self._window.data_dir
        job = Job(lambda: back_up_if_due(data_dir), yields_progress=False)
        job.signals.succeeded.connect(self._done)
        job.signals.known_error.connect(self._failed)
        job.signals.crashed.connect(self._crashed)
        return self._window.runner.start(job)

    @Slot(object)
    def _done(self, taken: BackupTaken | None) -> None:
        if taken is None:
            return
        self._window.statusBar().showMessage(f"已自动备份数据库：{taken.path}", 15_000)
        if taken.note:
            QMessageBox.information(self._window, "自动备份", taken.note)

    @Slot(str)
    def _failed(self, message: str) -> None:
        # Not a reason to stop the work: the clerk is told, and the next start tries again.
        QMessageBox.warning(self._window, "自动备份失败", message)

    @Slot(str)
    def _crashed(self, details: str) -> None:
        show_bug(details, self._window)


class ReopenAfterRestore(QObject):
    """Closes the window when a backup has been restored, so that ``run_window`` builds a new one."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.requested = False
        self._window = window
        window.pages["设置"].database_restored.connect(self.reopen)

    @Slot(object)
    def reopen(self, _result: object = None) -> None:
        self.requested = True
        self._window.close()


def run_window(data_dir: DataDir) -> int:
    """Open the main window on the database in ``data_dir``; returns the exit code."""
    app = create_application()
    try:
        ensure_data_dir(data_dir)
        lock = lock_data_dir(data_dir)
    except KnownError as exc:
        refuse_start(exc.message)
        return 2
    start_log(data_dir)  # after the lock: a refused second copy must not write into the first one's log
    try:
        if risk := location_risk(data_dir.root):
            warn("数据文件夹的位置有风险", risk.message)
        install_excepthook()
        return _run_windows(app, data_dir)
    finally:
        lock.release()


def _run_windows(app: QApplication, data_dir: DataDir) -> int:
    """One window after another: a restore closes the window, and the next opens on the restored data;
    切换账户 closes it, and the next opens for whoever signs in."""
    while True:
        engine = open_for_window(data_dir)
        if engine is None:
            return 2
        if not ask_who_works(engine, data_dir):
            engine.dispose()
            return 0
        window = MainWindow(engine, data_dir)
        reopen = ReopenAfterRestore(window)
        window.show()
        QTimer.singleShot(0, StartupBackup(window).start)
        QTimer.singleShot(0, window.offer_demo_data)
        code = app.exec()
        window.runner.wait_all()
        sign_out(engine)  # the next window asks again: a restored database has its own accounts
        engine.dispose()
        if not reopen.requested and not window.switching_account:
            return code
        window.deleteLater()
