"""新增会员: one member by real name."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from sqlalchemy import Engine

from models.registers import add_member
from ui.dialogs.member_form import MemberForm


class AddMemberDialog(MemberForm):
    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("新增会员", engine, window_state, parent)

    def save(self) -> None:
        self.saved = add_member(self._engine, **self.member_fields())
