"""Accounts and roles in the window, driven as the office uses them: the first start's question, signing
in (and being slowed down), switching, the accounts page, and what a reader or an editor may touch."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox
from sqlalchemy import Engine

from models.accounts import (
    accounts_setting,
    change_account,
    create_account,
    list_accounts,
    sign_in,
    sign_out,
    signed_in,
)
from models.database import create_engine_at
from models.employers import add_employer
from models.entities import Role
from models.paths import DataDir
from tests.helpers import query
from tests.ui.conftest import open_window, type_chinese
from tests.ui.test_dialogs import press, press_ctrl_s
from tests.ui.test_main_window import click_area, wait_for_rows
from tests.ui.test_records import open_row
from ui.app import run_window
from ui.dialogs.add_account import AddAccountDialog
from ui.dialogs.edit_account import EditAccountDialog
from ui.dialogs.set_up_accounts import SetUpAccountsDialog
from ui.dialogs.sign_in import SignInDialog
from ui.error_dialog import known_failure
from ui.main_window import AREAS, MainWindow
from ui.pages.accounts import AccountsPage
from ui.worker import Job

ADMIN_PASSWORD = "Lianghe-2026"
READER_PASSWORD = "chayue-only-1"
EDITOR_PASSWORD = "luru-2026-xyz"
READ_ONLY_REFUSAL = "当前账户为查阅权限，不能修改数据。"


@pytest.fixture(autouse=True)
def _nobody_signed_in_after(data_dir: DataDir) -> Iterator[None]:
    """Who is signed in is kept per database file for the life of the process: undo it after each test."""
    yield
    engine = create_engine_at(data_dir.database)
    sign_out(engine)
    engine.dispose()


def window_state(data_dir: DataDir) -> QSettings:
    return QSettings(str(data_dir.window_state_file), QSettings.Format.IniFormat)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def save_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def with_accounts(engine: Engine) -> None:
    """An office that uses accounts: 王丽 administers, 李查 reads, 赵录 enters records."""
    create_account(engine, "wangli", "王丽", Role.ADMINISTRATOR, ADMIN_PASSWORD)
    create_account(engine, "licha", "李查", Role.READER, READER_PASSWORD)
    create_account(engine, "zhaolu", "赵录", Role.EDITOR, EDITOR_PASSWORD)


def type_sign_in(qtbot, dialog: SignInDialog, login: str, password: str) -> None:
    dialog.login_name.clear()
    qtbot.keyClicks(dialog.login_name, login)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)


# --- the first start ------------------------------------------------------------------------------------


def test_the_first_start_creates_an_administrator_who_is_then_signed_in(qtbot, app, engine, data_dir):
    assert accounts_setting(engine) is None
    dialog = SetUpAccountsDialog(engine, window_state(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.decline_button.text() == "本机只有一人使用，不设账户"
    qtbot.keyClicks(dialog.login_name, "wangli")
    type_chinese(dialog.full_name, "王丽")
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    qtbot.keyClicks(dialog.password_again, ADMIN_PASSWORD)
    assert save_button(dialog).text() == "建立管理员账户"
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, save_button(dialog))

    assert query(data_dir.database, "SELECT login_name, full_name, role, active FROM account") == [
        ("wangli", "王丽", "administrator", 1)
    ]
    assert query(data_dir.database, "SELECT value FROM setting WHERE key = 'accounts'") == [("on",)]
    who = signed_in(engine)
    assert (who.name, who.full_name, who.role) == ("wangli", "王丽", Role.ADMINISTRATOR)
    # The audit trail names the new account, made by the Windows user (nobody was signed in yet), and
    # never holds the password's hash.
    [(actor, changes)] = query(
        data_dir.database, "SELECT actor, changes FROM audit_entry WHERE table_name = 'account'"
    )
    assert actor == f"{getpass.getuser()}（本机用户）"
    stored = json.loads(changes)
    assert stored["login_name"] == "wangli" and stored["full_name"] == "王丽"
    assert stored["password_hash"] == "（不记录内容）" and "scrypt" not in changes


def test_two_different_passwords_are_refused_under_the_field_and_nothing_is_created(
    qtbot, app, engine, data_dir
):
    dialog = SetUpAccountsDialog(engine, window_state(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.login_name, "wangli")
    type_chinese(dialog.full_name, "王丽")
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    qtbot.keyClicks(dialog.password_again, ADMIN_PASSWORD + "x")
    click(qtbot, save_button(dialog))
    assert dialog.isVisible()
    assert dialog.error_text("password_again") == "两次输入的密码不一致"
    dialog.password.clear()
    dialog.password_again.clear()
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.password_again, "short")
    click(qtbot, save_button(dialog))
    assert dialog.error_text("password") == "密码至少需要 8 个字符"
    assert query(data_dir.database, "SELECT count(*) FROM account") == [(0,)]
    assert accounts_setting(engine) is None


@pytest.fixture
def quiet_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_window without the demo question; its log handler and excepthook undone after."""
    monkeypatch.setattr(MainWindow, "offer_demo_data", lambda self: None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    log = logging.getLogger("uniondesk")
    handlers = list(log.handlers)
    yield
    for handler in log.handlers[:]:
        if handler not in handlers:
            log.removeHandler(handler)
            handler.close()


def shown(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def run_steps(qtbot, data_dir: DataDir, steps: list) -> int:
    """Start the program; each step waits for its kind of window to show, then does what a clerk does."""
    pending = list(steps)

    def next_step() -> None:
        kind, act = pending[0]
        if not (windows := shown(kind)):
            QTimer.singleShot(50, next_step)
            return
        pending.pop(0)
        act(windows[0])
        if pending:
            QTimer.singleShot(50, next_step)

    QTimer.singleShot(0, next_step)
    code = run_window(data_dir)
    assert not pending, "every step was reached"
    return code


def test_declining_accounts_records_off_and_the_window_opens_without_signing_in(
    qtbot, app, data_dir, quiet_start
):
    seen = []

    def decline(dialog: SetUpAccountsDialog) -> None:
        click(qtbot, dialog.decline_button)

    def look(window: MainWindow) -> None:
        seen.append((window.who_works.text(), window.account_button.isVisible()))
        window.close()

    assert run_steps(qtbot, data_dir, [(SetUpAccountsDialog, decline), (MainWindow, look)]) == 0
    assert query(data_dir.database, "SELECT value FROM setting WHERE key = 'accounts'") == [("off",)]
    assert query(data_dir.database, "SELECT count(*) FROM account") == [(0,)]
    assert seen == [(f"{getpass.getuser()}（本机用户），未使用账户登录", False)]


# --- signing in ---------------------------------------------------------------------------------------


def test_three_wrong_passwords_then_the_sign_in_button_counts_down(qtbot, app, engine, data_dir):
    with_accounts(engine)
    dialog = SignInDialog(engine, window_state(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    button = save_button(dialog)
    for _ in range(2):
        type_sign_in(qtbot, dialog, "wangli", "not-my-password")
        press(qtbot, dialog, Qt.Key.Key_Return)
        assert dialog.general_error.text() == "账户名或密码不正确。" and dialog.general_error.isVisible()
        assert button.isEnabled() and button.text() == "登录"
        assert dialog.password.text() == "", "the wrong password is cleared for the next try"
    type_sign_in(qtbot, dialog, "wangli", "not-my-password")
    press(qtbot, dialog, Qt.Key.Key_Return)

    # The third wrong try: five seconds to wait (FIRST_WAIT_SECONDS), counted down on the button.
    assert dialog.general_error.text() == "账户名或密码不正确。请在 5 秒后再试。"
    assert not button.isEnabled() and button.text() == "登录（5 秒后可再试）"
    qtbot.waitUntil(lambda: button.text() == "登录（4 秒后可再试）", timeout=3000)
    assert not button.isEnabled()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert query(data_dir.database, "SELECT failed_sign_ins FROM account WHERE login_name = 'wangli'") == [
        (3,)
    ]
    assert signed_in(engine).account_id is None, "nobody is signed in"


def test_a_switched_off_account_cannot_sign_in(qtbot, app, engine, data_dir):
    with_accounts(engine)
    create_account(engine, "old", "老张", Role.EDITOR, "laozhang-123")
    sign_in(engine, "wangli", ADMIN_PASSWORD)
    [old] = [a for a in list_accounts(engine) if a.login_name == "old"]
    change_account(engine, old.id, active=False)
    sign_out(engine)
    dialog = SignInDialog(engine, window_state(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    type_sign_in(qtbot, dialog, "old", "laozhang-123")
    click(qtbot, save_button(dialog))
    assert dialog.general_error.text() == "该账户已停用，请联系管理员。"
    assert signed_in(engine).account_id is None


def test_signing_in_at_start_then_switching_to_a_reader(qtbot, app, engine, data_dir, quiet_start):
    with_accounts(engine)
    engine.dispose()
    seen = []

    def sign_in_as(login: str, password: str):
        def act(dialog: SignInDialog) -> None:
            type_sign_in(qtbot, dialog, login, password)
            click(qtbot, save_button(dialog))

        return act

    def switch(window: MainWindow) -> None:
        seen.append(window.who_works.text())
        window.switch_account_action.trigger()

    def look(window: MainWindow) -> None:
        seen.append(window.who_works.text())
        seen.append(window.add_member_button.isEnabled())
        window.close()

    steps = [
        (SignInDialog, sign_in_as("wangli", ADMIN_PASSWORD)),
        (MainWindow, switch),
        (SignInDialog, sign_in_as("licha", READER_PASSWORD)),
        (MainWindow, look),
    ]
    assert run_steps(qtbot, data_dir, steps) == 0
    assert seen == ["王丽（管理员）", "李查（查阅）", False]


def test_cancelling_the_sign_in_ends_the_program_without_a_window(qtbot, app, engine, data_dir, quiet_start):
    with_accounts(engine)
    engine.dispose()
    windows = []

    def quit_(dialog: SignInDialog) -> None:
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))
        QTimer.singleShot(200, lambda: windows.extend(shown(MainWindow)))

    assert run_steps(qtbot, data_dir, [(SignInDialog, quit_)]) == 0
    assert windows == []


def test_changing_ones_own_password_needs_the_old_one(qtbot, app, engine, data_dir):
    with_accounts(engine)
    sign_in(engine, "licha", READER_PASSWORD)  # a reader changes their own password too
    window = open_window(qtbot, engine, data_dir)
    dialog = window.open_change_password()
    qtbot.keyClicks(dialog.old_password, "wrong-old-one")
    qtbot.keyClicks(dialog.password, "new-secret-42")
    qtbot.keyClicks(dialog.password_again, "new-secret-42")
    assert save_button(dialog).isVisible(), "not read-only for a reader"
    press_ctrl_s(qtbot, dialog)
    assert dialog.error_text("old_password") == "原密码不正确"
    dialog.old_password.clear()
    qtbot.keyClicks(dialog.old_password, READER_PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    sign_out(engine)
    assert sign_in(engine, "licha", "new-secret-42").role == Role.READER


# --- roles in the window ------------------------------------------------------------------------------


def test_a_readers_window_has_no_write_action_and_a_member_opens_read_only(
    qtbot, app, demo_engine, data_dir, monkeypatch
):
    with_accounts(demo_engine)
    sign_in(demo_engine, "licha", READER_PASSWORD)
    boxes = []  # the error dialog (a refused write would show one), recorded instead of shown
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box.text()) or 0)
    window = open_window(qtbot, demo_engine, data_dir)
    told = []
    monkeypatch.setattr(window, "tell", told.append)
    assert window.who_works.text() == "李查（查阅）"
    for area in AREAS:  # looking at every area writes nothing, so the database refuses nothing
        click_area(qtbot, window, area)
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    assert boxes == []
    write_buttons = [
        window.add_employer_button, window.issue_notices_button, window.issue_to_unorganized_button,
        window.add_member_button, window.add_union_button, window.member_actions,
        *window.import_buttons.values(), window.duplicates_button, window.recycle_bin_button,
        window.propose_tasks_button, window.set_targets_button,
    ]  # fmt: skip
    assert [b.text() for b in write_buttons if b.isEnabled()] == []
    menu = [(a.text(), a.isEnabled()) for a in window.member_actions.menu().actions()]
    assert menu == [
        ("转到其他工会…", False),
        ("更改状态（转出、退会）…", False),
        ("移到回收站\tDelete", False),
    ]
    tree = click_area(qtbot, window, "组织架构")
    assert [b.text() for b in tree.buttons.values() if b.isVisible()] == []

    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert told == [READ_ONLY_REFUSAL], "Ctrl+N says why no form opens"
    open_row(qtbot, page, 0)
    dialog = next(d for d in window.findChildren(QDialog) if d.windowTitle() == "会员信息" and d.isVisible())
    assert dialog.read_only_note.isVisible() and dialog.read_only_note.text() == "只读：当前账户为查阅权限"
    assert not save_button(dialog).isVisible()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "关闭"
    assert dialog.name.isReadOnly() and dialog.id_number.isReadOnly() and dialog.mobile.isReadOnly()
    assert not dialog.union.isEnabled() and dialog.joined_on.isReadOnly()
    name = dialog.name.text()
    qtbot.keyClicks(dialog.name, "x")
    assert dialog.name.text() == name
    press_ctrl_s(qtbot, dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted

    settings = click_area(qtbot, window, "设置")
    assert settings.accounts is None and not settings.findChildren(AccountsPage)
    assert not settings.save_button.isEnabled() and settings.name.isReadOnly()
    assert not settings.restore_button.isEnabled() and not settings.backup_button.isEnabled()


def test_a_write_the_window_missed_is_refused_by_the_database_with_a_chinese_message(
    qtbot, app, engine, data_dir
):
    with_accounts(engine)
    sign_in(engine, "licha", READER_PASSWORD)
    job = Job(lambda: add_employer(engine, name="不应写入的有限公司", employer_class="non_public"),
              yields_progress=False)  # fmt: skip
    with qtbot.waitSignal(job.signals.crashed, timeout=10_000) as crashed:
        job.run()
    assert known_failure(crashed.args[0]) == READ_ONLY_REFUSAL
    assert query(data_dir.database, "SELECT count(*) FROM employer") == [(0,)]


def test_an_editor_works_on_records_but_sees_no_accounts_and_cannot_restore(qtbot, app, engine, data_dir):
    with_accounts(engine)
    sign_in(engine, "zhaolu", EDITOR_PASSWORD)
    window = open_window(qtbot, engine, data_dir)
    assert window.who_works.text() == "赵录（录入员）"
    assert window.add_member_button.isEnabled() and window.import_buttons["members"].isEnabled()
    settings = click_area(qtbot, window, "设置")
    assert settings.accounts is None and not settings.findChildren(AccountsPage)
    assert not settings.restore_button.isEnabled() and not settings.save_backup_button.isEnabled()
    assert settings.save_button.isEnabled() and settings.backup_button.isEnabled()


# --- the accounts page ------------------------------------------------------------------------------


def account_rows(page: AccountsPage) -> list[list[str]]:
    table = page.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_an_administrator_adds_an_account_in_the_page_and_it_can_sign_in(qtbot, app, engine, data_dir):
    create_account(engine, "wangli", "王丽", Role.ADMINISTRATOR, ADMIN_PASSWORD)
    sign_in(engine, "wangli", ADMIN_PASSWORD)
    window = open_window(qtbot, engine, data_dir)
    page = click_area(qtbot, window, "设置").accounts
    assert page.isVisible() and page.use_accounts.isChecked()
    assert account_rows(page) == [["wangli", "王丽", "管理员", "可登录", "0"]]

    click(qtbot, page.add_button)
    dialog = next(d for d in page.findChildren(AddAccountDialog) if d.isVisible())
    qtbot.keyClicks(dialog.login_name, "zhaolu")
    type_chinese(dialog.full_name, "赵录")
    qtbot.keyClicks(dialog.password, EDITOR_PASSWORD)
    qtbot.keyClicks(dialog.password_again, EDITOR_PASSWORD)
    dialog.role.setCurrentIndex(dialog.role.findText("录入员"))
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    assert account_rows(page) == [
        ["wangli", "王丽", "管理员", "可登录", "0"],
        ["zhaolu", "赵录", "录入员", "可登录", "0"],
    ]

    sign_out(engine)
    sign_in_dialog = SignInDialog(engine, window_state(data_dir))
    qtbot.addWidget(sign_in_dialog)
    sign_in_dialog.show()
    type_sign_in(qtbot, sign_in_dialog, "zhaolu", EDITOR_PASSWORD)
    with qtbot.waitSignal(sign_in_dialog.accepted):
        press(qtbot, sign_in_dialog, Qt.Key.Key_Return)
    who = signed_in(engine)
    assert (who.name, who.full_name, who.role) == ("zhaolu", "赵录", Role.EDITOR)


def test_the_page_switches_an_account_off_and_refuses_to_lose_the_last_administrator(
    qtbot, app, engine, data_dir
):
    with_accounts(engine)
    sign_in(engine, "wangli", ADMIN_PASSWORD)
    window = open_window(qtbot, engine, data_dir)
    page = click_area(qtbot, window, "设置").accounts
    logins = [row[0] for row in account_rows(page)]
    assert logins == ["licha", "wangli", "zhaolu"]

    page.table.selectRow(logins.index("zhaolu"))
    click(qtbot, page.edit_button)
    dialog = next(d for d in page.findChildren(EditAccountDialog) if d.isVisible())
    dialog.active.setChecked(False)
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    assert account_rows(page)[2] == ["zhaolu", "赵录", "录入员", "已停用", "0"]

    page.table.selectRow(logins.index("wangli"))
    click(qtbot, page.edit_button)
    dialog = next(d for d in page.findChildren(EditAccountDialog) if d.isVisible())
    dialog.role.setCurrentIndex(dialog.role.findText("查阅"))
    press_ctrl_s(qtbot, dialog)
    assert dialog.error_text("role") == "至少要保留一个可以登录的管理员账户"
    dialog.reject()
    assert account_rows(page)[1] == ["wangli", "王丽", "管理员", "可登录", "0"]


def test_switching_sign_in_off_needs_a_confirmation(qtbot, app, engine, data_dir, monkeypatch):
    with_accounts(engine)
    sign_in(engine, "wangli", ADMIN_PASSWORD)
    window = open_window(qtbot, engine, data_dir)
    page = click_area(qtbot, window, "设置").accounts
    asked = []
    monkeypatch.setattr(page, "confirm_switch_off", lambda: asked.append(True) or False)
    click(qtbot, page.use_accounts)
    assert asked == [True] and page.use_accounts.isChecked()
    assert accounts_setting(engine) == "on"

    monkeypatch.setattr(page, "confirm_switch_off", lambda: True)
    click(qtbot, page.use_accounts)
    assert not page.use_accounts.isChecked() and accounts_setting(engine) == "off"
    assert "不需要登录" in page.state.text()


def test_an_administrator_resets_a_forgotten_password(qtbot, app, engine, data_dir):
    with_accounts(engine)
    sign_in(engine, "wangli", ADMIN_PASSWORD)
    window = open_window(qtbot, engine, data_dir)
    page = click_area(qtbot, window, "设置").accounts
    page.table.selectRow(0)  # licha
    dialog = page.open_reset_password()
    assert dialog.windowTitle() == "重设密码：licha" and dialog.old_password is None
    qtbot.keyClicks(dialog.password, "fresh-start-7")
    qtbot.keyClicks(dialog.password_again, "fresh-start-7")
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    sign_out(engine)
    assert sign_in(engine, "licha", "fresh-start-7").full_name == "李查"
