"""更改会员状态: the selected members 转出 or 退会 on a date, or back to 在会 on a date (重新入会); says how
many will change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QWidget
from sqlalchemy import Engine

from models.entities import MemberStatus
from models.members import change_member_status
from ui.dialogs.base import FormDialog, date_until_today
from ui.labels import MEMBER_STATUS
from ui.worker import JobRunner

LEAVING_DATE = "转出/退会日期"
REJOINING_DATE = "重新入会日期"


class ChangeMemberStatusDialog(FormDialog):
    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        member_ids: list[int],
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("更改会员状态", window_state, parent, runner)
        self._engine = engine
        self.member_ids = member_ids
        self.form.addRow(QLabel(f"将选中的 {len(member_ids):,} 名会员的状态改为："))
        self.status = self.add_field("status", "状态", QComboBox())
        for status in (MemberStatus.TRANSFERRED_OUT, MemberStatus.WITHDRAWN, MemberStatus.ACTIVE):
            self.status.addItem(MEMBER_STATUS[status], str(status))
        # Every change has a date: coming back to 在会 is a rejoining, counted among the period's new
        # members, so the field stays and only its name follows the status.
        self.left_on = self.add_field("left_on", LEAVING_DATE, date_until_today())
        self.date_label: QLabel = self.form.labelForField(self.left_on.parentWidget())
        self.status.currentIndexChanged.connect(self._name_the_date)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(f"更改 {len(member_ids):,} 名会员")

    def _name_the_date(self) -> None:
        back = self.status.currentData() == MemberStatus.ACTIVE
        self.date_label.setText(REJOINING_DATE if back else LEAVING_DATE)

    def save(self) -> Callable[[], int]:
        """On the worker, like a transfer. Returns how many changed."""
        status = self.status.currentData()
        when = self.left_on.date().toPython()
        return lambda: change_member_status(self._engine, self.member_ids, status, when)
