"""登录: before the main window, when accounts are used. A wrong password is said under the fields; after
too many, the 登录 button waits out the slowdown the database keeps, counting the seconds down."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton, QWidget
from sqlalchemy import Engine

from models.accounts import SignedIn, SignInRefused, sign_in
from models.errors import InvalidInput
from ui.dialogs.account_form import password_edit
from ui.dialogs.base import FormDialog

SIGN_IN = "登录"


class SignInDialog(FormDialog):
    """Accepted once someone is signed in (``who``); 退出 (rejected) ends the program."""

    needs_editor = False

    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("登录 — 工会组建工作台", window_state, parent)
        self._engine = engine
        self.who: SignedIn | None = None
        self.wait_left = 0
        hint = QLabel("请输入您的账户名和密码。忘记密码请找管理员重设。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.login_name = self.add_field("login_name", "账户名", QLineEdit())
        self.password = self.add_field("password", "密码", password_edit())
        self.sign_in_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.sign_in_button.setText(SIGN_IN)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._default_size = (420, 220)
        self.restore_size()

    def save(self) -> None:
        if self.wait_left:  # Ctrl+S while the button waits
            raise InvalidInput(self.general_error.text())
        try:
            self.who = sign_in(self._engine, self.login_name.text(), self.password.text())
        except SignInRefused as refused:
            self.password.clear()
            self.password.setFocus()
            if refused.wait_seconds:
                self._wait(refused.wait_seconds)
            raise InvalidInput(refused.message) from refused

    def _wait(self, seconds: int) -> None:
        self.wait_left = seconds
        self.sign_in_button.setEnabled(False)
        self._show_wait()
        self._countdown.start()

    def _tick(self) -> None:
        self.wait_left = max(0, self.wait_left - 1)
        if self.wait_left:
            self._show_wait()
            return
        self._countdown.stop()
        self.sign_in_button.setText(SIGN_IN)
        self.sign_in_button.setEnabled(True)

    def _show_wait(self) -> None:
        self.sign_in_button.setText(f"{SIGN_IN}（{self.wait_left} 秒后可再试）")
