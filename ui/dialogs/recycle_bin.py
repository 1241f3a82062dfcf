"""回收站: deleted members, the latest first; restore the chosen ones, or delete them for good."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from sqlalchemy import Engine

from models.members import RestoreResult, purge_recycled, recycled_count, recycled_entries, restore_recycled
from ui.dialogs.table_dialog import TableDialog
from ui.worker import Job, JobRunner

# A QTableWidget of 100,000 rows (a whole list deleted by mistake) would take seconds to build.
SHOWN_ENTRIES = 2_000


class RecycleBinDialog(TableDialog):
    records_changed = Signal()

    def __init__(
        self, engine: Engine, runner: JobRunner, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        self.restore_button = QPushButton("恢复选中")
        self.purge_button = QPushButton("彻底删除选中…")
        super().__init__(
            "回收站", ["删除时间", "会员", "原因"], [self.restore_button, self.purge_button], window_state,
            (720, 480), parent, wide_column=1,
        )  # fmt: skip
        self._engine = engine
        self._runner = runner
        self.summary.setObjectName("hint")
        self.restore_button.clicked.connect(self.restore_chosen)
        self.purge_button.clicked.connect(self.purge_chosen)
        self.reload()

    def reload(self) -> None:
        total = recycled_count(self._engine)
        self.entries = recycled_entries(self._engine, limit=SHOWN_ENTRIES)
        self.show_rows([(f"{e.deleted_at:%Y-%m-%d %H:%M}", e.summary, e.reason or "") for e in self.entries])
        shown = f"（列出最近删除的 {SHOWN_ENTRIES:,} 条）" if total > SHOWN_ENTRIES else ""
        self.summary.setText(
            f"回收站中有 {total:,} 条记录{shown}。恢复后会员回到原来的工会；彻底删除后无法找回。"
            if total
            else "回收站是空的。"
        )

    def chosen_ids(self) -> list[int]:
        return [self.entries[index.row()].id for index in self.table.selectionModel().selectedRows()]

    def restore_chosen(self) -> Job | None:
        """Restore on the worker: a whole selection of 100,000 takes seconds."""
        if not (ids := self.chosen_ids()):
            return None
        job = Job(lambda: restore_recycled(self._engine, ids), yields_progress=False)
        job.signals.succeeded.connect(self._restored)
        job.signals.known_error.connect(self.tell)
        return self._runner.start(job, title="正在恢复", window=self)

    def _restored(self, result: RestoreResult) -> None:
        self.reload()
        self.records_changed.emit()
        if result.refused:
            lines = "\n".join(f"{summary}：{reason}" for summary, reason in result.refused[:20])
            more = f"\n……共 {len(result.refused)} 条" if len(result.refused) > 20 else ""
            self.tell(f"已恢复 {result.restored} 条；以下记录未恢复，仍在回收站中：\n{lines}{more}")

    def purge_chosen(self) -> None:
        if not (ids := self.chosen_ids()) or not self.confirm_purge(len(ids)):
            return
        purge_recycled(self._engine, ids)
        self.reload()

    def confirm_purge(self, count: int) -> bool:
        """Ask before deleting for good (a test replaces this)."""
        answer = QMessageBox.question(self, "彻底删除", f"彻底删除这 {count} 条记录？删除后无法恢复。")
        return answer == QMessageBox.StandardButton.Yes

    def tell(self, message: str) -> None:
        QMessageBox.information(self, "回收站", message)
