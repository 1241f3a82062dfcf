"""会员信息: one member opened from the list, the whole ID number and phone shown, changes saved checked."""

from __future__ import annotations

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import Engine

from models.registers import member_details, update_member
from ui.dialogs.member_form import MemberForm
from ui.dialogs.view_audit_trail import add_history_button
from ui.labels import MEMBER_STATUS


class EditMemberDialog(MemberForm):
    def __init__(
        self, engine: Engine, member_id: int, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("会员信息", engine, window_state, parent)
        self.member_id = member_id
        details = member_details(engine, member_id)
        self.name.setText(details.name)
        self.show_personal_data(details.id_number, details.mobile)
        if self.union.findData(details.union_id) < 0:  # a union no longer active stays choosable here
            self.union.addItem(details.union_name, details.union_id)
        self.union.setCurrentIndex(self.union.findData(details.union_id))
        self.joined_on.setDate(QDate(details.joined_on))
        self.record_facts = QLabel(
            f"状态：{MEMBER_STATUS.get(details.status, details.status)}　"
            f"登记于 {details.created_at:%Y-%m-%d %H:%M}，最近修改于 {details.updated_at:%Y-%m-%d %H:%M}"
        )
        self.record_facts.setObjectName("hint")
        self.form.addRow("", self.record_facts)
        self.history_button = add_history_button(
            self, engine, window_state, "member", member_id, details.name
        )

    def save(self) -> None:
        self.saved = update_member(self._engine, self.member_id, **self.member_fields())
