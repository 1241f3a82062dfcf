"""修改账户: an administrator changes someone's name or role, or stops the account from signing in.

Accounts are never deleted: the audit trail names them, so a person who leaves is 停用.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget
from sqlalchemy import Engine

from models.accounts import AccountRow, change_account
from ui.dialogs.add_account import ROLE_RIGHTS, role_choice
from ui.dialogs.base import FormDialog


class EditAccountDialog(FormDialog):
    def __init__(
        self, engine: Engine, account: AccountRow, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"修改账户：{account.login_name}", window_state, parent)
        self._engine = engine
        self.account = account
        self.form.addRow("账户名", QLabel(account.login_name))
        self.full_name = self.add_field("full_name", "姓名", QLineEdit(account.full_name))
        self.role = self.add_field("role", "角色", role_choice(account.role))
        self.rights = QLabel()
        self.rights.setObjectName("hint")
        self.rights.setWordWrap(True)
        self.form.addRow("", self.rights)
        self.active = self.add_field("active", "状态", QCheckBox("可以登录（不勾选即停用）"))
        self.active.setChecked(account.active)
        self.role.currentIndexChanged.connect(self._show_rights)
        self._show_rights()
        self._default_size = (480, 300)
        self.restore_size()

    def _show_rights(self) -> None:
        self.rights.setText(ROLE_RIGHTS[self.role.currentData()])

    def save(self) -> None:
        change_account(
            self._engine,
            self.account.id,
            role=self.role.currentData(),
            active=self.active.isChecked(),
            full_name=self.full_name.text(),
        )
