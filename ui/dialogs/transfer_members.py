"""转到其他工会: the selected members move to another union; the dialog says how many will change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from sqlalchemy import Engine

from models.members import transfer_members
from ui.dialogs.base import FormDialog
from ui.union_chooser import UnionChooser
from ui.worker import JobRunner


class TransferMembersDialog(FormDialog):
    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        member_ids: list[int],
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("转到其他工会", window_state, parent, runner)
        self._engine = engine
        self.member_ids = member_ids
        self.summary = QLabel(f"将选中的 {len(member_ids):,} 名会员转到以下基层工会：")
        self.form.addRow(self.summary)
        self.union = self.add_field("union", "转入工会", UnionChooser(engine))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(f"转移 {len(member_ids):,} 名会员")

    def save(self) -> Callable[[], int]:
        """On the worker: 100,000 members take about a second. Returns how many moved."""
        union = self.union.chosen_union()
        return lambda: transfer_members(self._engine, self.member_ids, union)
