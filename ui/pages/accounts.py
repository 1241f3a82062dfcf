"""账户和权限, inside 设置 and only for administrators: who may sign in with which role, and whether the
program asks anyone to sign in at all (an office of one clerk switches that off)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.accounts import (
    ROLE_NAMES,
    AccountRow,
    accounts_in_use,
    list_accounts,
    switch_accounts_off,
    switch_accounts_on,
)
from models.errors import KnownError
from ui.dialogs.add_account import AddAccountDialog
from ui.dialogs.change_password import ChangePasswordDialog
from ui.dialogs.edit_account import EditAccountDialog

HEADERS = ("账户名", "姓名", "角色", "状态", "连续输错次数")
COLUMN_WIDTH = 120
SWITCH_OFF_WARNING = (
    "关闭后，打开程序不再需要登录：任何能使用这台电脑的人都拥有全部权限（包括设置、恢复备份和查看完整的身份证号），"
    "审计记录中只记下 Windows 用户名。\n\n账户会保留，以后可以重新启用。确定要关闭账户登录吗？"
)


class AccountsPage(QWidget):
    """``accounts_changed`` after any change, so the window can show what it now means."""

    accounts_changed = Signal()

    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_accounts")
        self._engine = engine
        self._window_state = window_state
        self.accounts: list[AccountRow] = []
        self.use_accounts = QCheckBox("使用账户登录")
        self.use_accounts.setToolTip("启用后，每次打开程序都要用账户名和密码登录")
        self.use_accounts.clicked.connect(self._switch_clicked)
        self.state = QLabel()
        self.state.setObjectName("hint")
        self.state.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setMinimumHeight(120)
        self.table.doubleClicked.connect(self.open_edit_account)
        self.add_button = QPushButton("新建账户…")
        self.add_button.clicked.connect(self.open_add_account)
        self.edit_button = QPushButton("修改…")
        self.edit_button.setToolTip("修改选中账户的姓名、角色，或停用、启用")
        self.edit_button.clicked.connect(self.open_edit_account)
        self.password_button = QPushButton("重设密码…")
        self.password_button.setToolTip("使用人忘记密码时，为选中的账户设一个新密码")
        self.password_button.clicked.connect(self.open_reset_password)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)

        switch_row = QHBoxLayout()
        switch_row.addWidget(self.use_accounts)
        switch_row.addWidget(self.state, 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.password_button):
            buttons.addWidget(button)
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(switch_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        in_use = accounts_in_use(self._engine)
        self.use_accounts.setChecked(in_use)
        self.state.setText(
            "打开程序时要登录；审计记录写明账户名。"
            if in_use
            else "现在打开程序不需要登录，每个人都拥有全部权限，审计记录写明 Windows 用户名。"
        )
        self.accounts = list_accounts(self._engine)
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            values = (
                account.login_name,
                account.full_name,
                ROLE_NAMES[account.role],
                "可登录" if account.active else "已停用",
                str(account.failed_sign_ins),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if not account.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        for column in range(self.table.columnCount()):  # a short list still reads as a table, not a strip
            self.table.setColumnWidth(column, max(self.table.columnWidth(column), COLUMN_WIDTH))

    def selected_account(self) -> AccountRow | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows:
            self.message.setText("请先在列表中选中一个账户。")
            return None
        return self.accounts[min(rows)]

    # --- the dialogs ----------------------------------------------------------------------------------
    def open_add_account(self) -> AddAccountDialog:
        return self._open(AddAccountDialog(self._engine, self._window_state, self))

    def open_edit_account(self, _index: object = None) -> EditAccountDialog | None:
        if (account := self.selected_account()) is None:
            return None
        return self._open(EditAccountDialog(self._engine, account, self._window_state, self))

    def open_reset_password(self) -> ChangePasswordDialog | None:
        if (account := self.selected_account()) is None:
            return None
        dialog = ChangePasswordDialog(
            self._engine, account.id, account.login_name, self._window_state, self, own=False
        )
        return self._open(dialog)

    def _open(self, dialog):
        self.message.clear()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._changed)
        dialog.open()
        return dialog

    def _changed(self) -> None:
        self.refresh()
        self.accounts_changed.emit()

    # --- the switch -----------------------------------------------------------------------------------
    def _switch_clicked(self, checked: bool) -> None:
        self.message.clear()
        try:
            if checked:
                switch_accounts_on(self._engine)
            elif self.confirm_switch_off():
                switch_accounts_off(self._engine)
        except KnownError as exc:
            self.message.setText(exc.message)
        self._changed()  # the box shows what is stored, whatever happened

    def confirm_switch_off(self) -> bool:
        """Ask before everyone gets every right (a test replaces this)."""
        answer = QMessageBox.question(
            self, "关闭账户登录", SWITCH_OFF_WARNING, defaultButton=QMessageBox.StandardButton.No
        )
        return answer == QMessageBox.StandardButton.Yes
