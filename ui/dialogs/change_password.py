"""修改密码 (one's own, with the old password) and 重设密码 (an administrator's, for someone who forgot)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import Engine

from models.accounts import MIN_PASSWORD_LENGTH, set_password
from ui.dialogs.account_form import PASSWORDS_DIFFER, password_edit
from ui.dialogs.base import FormDialog


class ChangePasswordDialog(FormDialog):
    """``own``: the person signed in changes theirs and must type the old one first."""

    needs_editor = False  # a reader changes their own password too; the domain checks who may reset whose

    def __init__(
        self,
        engine: Engine,
        account_id: int,
        login_name: str,
        window_state: QSettings,
        parent: QWidget | None = None,
        *,
        own: bool,
    ) -> None:
        super().__init__("修改密码" if own else f"重设密码：{login_name}", window_state, parent)
        self._engine = engine
        self.account_id = account_id
        self.own = own
        self.form.addRow("账户名", QLabel(login_name))
        self.old_password = self.add_field("old_password", "原密码", password_edit()) if own else None
        self.password = self.add_field(
            "password", "新密码", password_edit(f"至少 {MIN_PASSWORD_LENGTH} 个字符")
        )
        self.password_again = self.add_field("password_again", "再次输入新密码", password_edit())
        if not own:
            hint = QLabel("请把新密码当面告诉使用人，并请他登录后在“修改密码”中改成自己的密码。")
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            self.form.addRow("", hint)
        self._default_size = (440, 260)
        self.restore_size()

    def check_fields(self) -> None:
        if self.password.text() != self.password_again.text():
            self.show_error("password_again", PASSWORDS_DIFFER)

    def save(self) -> None:
        old = self.old_password.text() if self.old_password is not None else None
        set_password(self._engine, self.account_id, self.password.text(), old)
