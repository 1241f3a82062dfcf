"""新建账户: an administrator gives someone a name, a role and a first password."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from sqlalchemy import Engine

from models.accounts import ROLE_NAMES, create_account
from models.entities import Role
from ui.dialogs.account_form import NewAccountForm

ROLE_RIGHTS = {
    Role.ADMINISTRATOR: "管理员：全部工作，以及设置、账户、恢复备份",
    Role.EDITOR: "录入员：录入和修改记录、导入、发出文书",
    Role.READER: "查阅：只能查看，身份证号和手机号码只显示部分",
}


def role_choice(current: Role = Role.EDITOR) -> QComboBox:
    """The three roles with what each may do, so the administrator need not guess."""
    combo = QComboBox()
    for role in (Role.EDITOR, Role.READER, Role.ADMINISTRATOR):
        combo.addItem(ROLE_NAMES[role], role)
        combo.setItemData(combo.count() - 1, ROLE_RIGHTS[role], Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(combo.findData(current))
    return combo


class AddAccountDialog(NewAccountForm):
    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("新建账户", engine, window_state, parent)
        self.account_id: int | None = None
        self.role = self.add_field("role", "角色", role_choice())
        self.rights = QLabel()
        self.rights.setObjectName("hint")
        self.rights.setWordWrap(True)
        self.form.addRow("", self.rights)
        self.role.currentIndexChanged.connect(self._show_rights)
        self._show_rights()
        self._default_size = (480, 320)
        self.restore_size()

    def _show_rights(self) -> None:
        self.rights.setText(ROLE_RIGHTS[self.role.currentData()])

    def save(self) -> None:
        self.account_id = create_account(
            self._engine,
            self.login_name.text(),
            self.full_name.text(),
            self.role.currentData(),
            self.password.text(),
        )
