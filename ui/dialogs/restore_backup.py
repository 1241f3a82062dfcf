"""恢复备份: the backups, newest first, with what each holds; the chosen one is checked, confirmed, restored.

The database being replaced is kept in the data folder's ``replaced`` (never deleted). After a restore
the dialog says so and emits ``restored``; the window then closes and opens again on the restored
database, so nothing built on the old one (a page's cache, a pooled connection) can write to it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget
from sqlalchemy import Engine

from models.backups import BackupCounts, BackupFile, RestoreResult, backup_counts, check_backup, list_backups
from models.backups import restore_database as restore_backup
from models.paths import DataDir
from ui.dialogs.table_dialog import TableDialog
from ui.error_dialog import show_bug
from ui.worker import Job, JobRunner

KIND_NAMES = {
    "daily": "每日",
    "monthly": "每月",
    "on_close": "关闭时",
    "before_import": "导入前",
    "before_upgrade": "升级前",
    "replaced": "恢复前的数据库",
    "other": "其他",
}
HEADERS = ["备份时间", "类型", "大小", "会员", "基层工会", "单位", "文书", "位置"]


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def counted(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def describe(counts: BackupCounts) -> str:
    return (
        f"会员 {counted(counts.members)} 名，基层工会 {counted(counts.unions)} 个，"
        f"单位 {counted(counts.employers)} 家，文书 {counted(counts.notices)} 份"
    )


class RestoreBackupDialog(TableDialog):
    restored = Signal(object)  # RestoreResult

    def __init__(
        self,
        engine: Engine,
        data_dir: DataDir,
        runner: JobRunner,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        self.restore_button = QPushButton("恢复所选备份…")
        self.other_file_button = QPushButton("从其他文件恢复…")
        super().__init__(
            "恢复备份", HEADERS, [self.restore_button, self.other_file_button], window_state, (900, 520), parent,
            wide_column=7,
        )  # fmt: skip
        self._engine = engine
        self._data_dir = data_dir
        self._runner = runner
        self.backups: list[BackupFile] = []
        self.result: RestoreResult | None = None
        self._checking: Path | None = None  # the backup being checked, then restored
        self._restoring = False
        self.summary.setObjectName("hint")
        self.summary.setText("正在查找备份…")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_chosen)
        self.other_file_button.clicked.connect(self.restore_other_file)
        self.list_job = self.reload()

    # --- the list ---------------------------------------------------------------------------------------
    def reload(self) -> Job:
        """Read the backups and their record counts on the worker: on a USB stick that takes seconds."""
        data_dir = self._data_dir
        job = Job(
            lambda: [(backup, backup_counts(backup.path)) for backup in list_backups(data_dir)],
            yields_progress=False,
        )
        job.signals.succeeded.connect(self._listed)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job)

    def _listed(self, found: list[tuple[BackupFile, BackupCounts | None]]) -> None:
        self.backups = [backup for backup, _counts in found]
        rows = []
        for backup, counts in found:
            numbers = (
                [
                    counted(counts.members),
                    counted(counts.unions),
                    counted(counts.employers),
                    counted(counts.notices),
                ]
                if counts
                else ["无法读取"] + [""] * 3
            )
            rows.append(
                [f"{backup.taken_at:%Y-%m-%d %H:%M}", KIND_NAMES[backup.kind], megabytes(backup.size), *numbers,
                 str(backup.path)]
            )  # fmt: skip
        table = self.show_rows(rows)
        table.itemSelectionChanged.connect(self._selection_changed)
        if rows:
            table.selectRow(0)
        self.summary.setText(
            (f"找到 {len(rows)} 份备份，最新的在前。" if rows else "没有找到备份。")
            + f"恢复前会先检查所选备份；当前数据库会另存到“{self._data_dir.replaced}”，不会删除。"
        )
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows and rows[0].row() < len(self.backups) else None

    # --- restoring --------------------------------------------------------------------------------------
    def restore_chosen(self) -> Job | None:
        backup = self.chosen()
        return self.check_then_restore(backup.path) if backup else None

    def restore_other_file(self) -> Job | None:
        path = self.choose_backup_file()
        return self.check_then_restore(path) if path else None

    def choose_backup_file(self) -> Path | None:
        """Ask for a backup file kept elsewhere (a test replaces this)."""
        name, _ = QFileDialog.getOpenFileName(
            self, "选择备份文件", "", "数据库备份 (*.sqlite3);;所有文件 (*)"
        )
        return Path(name) if name else None

    def check_then_restore(self, path: Path) -> Job:
        """Check the backup on the worker (integrity of every page takes a moment), then ask."""
        self._set_busy(True)
        self._checking = path
        job = Job(lambda: check_backup(path), yields_progress=False)
        job.signals.succeeded.connect(self._checked)
        job.signals.known_error.connect(self._refused)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._idle)
        self.check_job = self._runner.start(job, title="正在检查备份", window=self)
        return self.check_job

    def _checked(self, counts: BackupCounts) -> None:
        path = self._checking
        if path is None or not self.confirm_restore(path, counts):
            return
        self._restoring = True
        self._set_busy(True)
        # Nothing else may be using the database while it is replaced: the other jobs finish first, and
        # the window's pooled connections are closed (the window is rebuilt after the restore anyway).
        self._runner.wait_all()
        self._engine.dispose()
        data_dir = self._data_dir
        job = Job(lambda: restore_backup(data_dir, path), yields_progress=False)
        job.signals.succeeded.connect(self._restored)
        job.signals.known_error.connect(self._refused)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._restore_finished)
        self.restore_job = self._runner.start(job, title="正在恢复备份", window=self)

    def confirm_restore(self, path: Path, counts: BackupCounts) -> bool:
        """Ask before replacing the database (a test replaces this)."""
        answer = QMessageBox.question(
            self,
            "恢复备份",
            f"备份“{path.name}”完好，其中有{describe(counts)}。\n\n"
            "用它替换当前数据库吗？当前数据库会另存到 replaced 文件夹，不会删除。恢复后窗口将重新打开。",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _restored(self, result: RestoreResult) -> None:
        self.result = result
        kept = f"原来的数据库已另存为：\n{result.replaced_copy}\n\n" if result.replaced_copy else ""
        self.tell(
            f"已从以下备份恢复数据库：\n{result.restored_from}\n\n{kept}窗口将重新打开，显示恢复后的数据。"
        )
        self.accept()
        self.restored.emit(result)

    def _refused(self, message: str) -> None:
        self.tell(message)

    def tell(self, message: str) -> None:
        """Say what happened (a test replaces this)."""
        QMessageBox.information(self, "恢复备份", message)

    def _crashed(self, details: str) -> None:
        show_bug(details, self)

    def _set_busy(self, busy: bool) -> None:
        self.restore_button.setEnabled(not busy and self.chosen() is not None)
        self.other_file_button.setEnabled(not busy)

    def _idle(self) -> None:
        if not self._restoring:  # the check's end, while the restore it led to is still running
            self._set_busy(False)

    def _restore_finished(self) -> None:
        self._restoring = False
        self._set_busy(False)
