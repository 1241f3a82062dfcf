"""The first start's question (a new or upgraded database): an administrator's account, or none for an
office where one clerk uses this PC. Asked before the main window shows."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from sqlalchemy import Engine

from models.accounts import ROLE_NAMES, create_account, decline_accounts, sign_in
from models.entities import Role
from ui.dialogs.account_form import NewAccountForm

EXPLANATION = (
    "数据库中有会员的身份证号和手机号码，建议为每位使用者建立账户：以后打开程序要先登录，"
    "审计记录写明每项修改是谁做的，查阅账户只能看、不能改。"
    "请先建立第一个管理员账户；如果这台电脑只有您一人使用，也可以不设账户，审计记录将记下 Windows 用户名。"
)


class SetUpAccountsDialog(NewAccountForm):
    """Accepted when an administrator was created (and is signed in) or accounts were declined."""

    needs_editor = False  # nobody is signed in yet: the question comes before any role exists

    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("设置登录账户", engine, window_state, parent)
        self.declined = False
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        self.form.insertRow(0, explanation)
        self.form.insertRow(1, "角色", QLabel(ROLE_NAMES[Role.ADMINISTRATOR]))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("建立管理员账户")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.decline_button = self.buttons.addButton(
            "本机只有一人使用，不设账户", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.decline_button.setAutoDefault(False)  # Enter in a field creates the account, never declines
        self.decline_button.clicked.connect(self.decline)
        self._default_size = (560, 420)
        self.restore_size()

    def save(self) -> None:
        create_account(
            self._engine,
            self.login_name.text(),
            self.full_name.text(),
            Role.ADMINISTRATOR,
            self.password.text(),
        )
        sign_in(self._engine, self.login_name.text(), self.password.text())

    def decline(self) -> None:
        decline_accounts(self._engine)
        self.declined = True
        self.accept()
