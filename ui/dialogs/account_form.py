"""The fields of a new account, shared by the first start's 管理员 and 新建账户: the name to sign in
with, the person's name, and the password typed twice (a typing mistake would lock the person out)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLineEdit, QWidget
from sqlalchemy import Engine

from models.accounts import MIN_PASSWORD_LENGTH
from ui.dialogs.base import FormDialog

PASSWORDS_DIFFER = "两次输入的密码不一致"


def password_edit(placeholder: str = "") -> QLineEdit:
    """A field whose characters show as dots; Windows' input method stays off in it."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class NewAccountForm(FormDialog):
    def __init__(
        self, title: str, engine: Engine, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, window_state, parent)
        self._engine = engine
        self.login_name = self.add_field("login_name", "账户名", QLineEdit())
        self.login_name.setPlaceholderText("登录时输入，如 zhangsan")
        self.full_name = self.add_field("full_name", "姓名", QLineEdit())
        self.full_name.setPlaceholderText("使用这个账户的人，审计记录中显示")
        self.password = self.add_field(
            "password", "密码", password_edit(f"至少 {MIN_PASSWORD_LENGTH} 个字符")
        )
        self.password_again = self.add_field("password_again", "再次输入密码", password_edit())

    def check_fields(self) -> None:
        if self.password.text() != self.password_again.text():
            self.show_error("password_again", PASSWORDS_DIFFER)
