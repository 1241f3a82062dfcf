"""恢复备份 and the start of the window: a clerk restores a backup from 设置, sets where backups go, and
meets a damaged database, a second copy or a risky folder at start; bugs are logged where the clerk is told."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import Engine

from models.backup_settings import BackupSettings, load_backup_settings
from models.backups import take_backup
from models.database import lock_data_dir
from models.employers import add_employer
from models.paths import DataDir
from models.registers import record_counts
from tests.helpers import dump, execute, query
from tests.ui.test_main_window import click_area
from tests.ui.test_records import visible_dialog
from ui import app as ui_app
from ui.app import ReopenAfterRestore, open_for_window, run_window
from ui.dialogs.restore_backup import RestoreBackupDialog
from ui.error_dialog import show_bug, start_log
from ui.main_window import MainWindow


def _counts(path: Path) -> list[str]:
    """The four numbers the list shows for a backup, worked out with sqlite3."""
    tables = ("member", '"union"', "employer", "notice")
    return [f"{query(path, 'SELECT count(*) FROM ' + table)[0][0]:,}" for table in tables]


def open_restore(qtbot, window: MainWindow, rows: int) -> RestoreBackupDialog:
    page = click_area(qtbot, window, "设置")
    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    dialog = visible_dialog(window, "恢复备份")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == rows and len(dialog.backups) == rows, timeout=10_000)
    return dialog


def row_texts(dialog: RestoreBackupDialog, row: int) -> list[str]:
    return [dialog.table.item(row, column).text() for column in range(dialog.table.columnCount())]


def click_row(qtbot, dialog: RestoreBackupDialog, row: int) -> None:
    rect = dialog.table.visualItemRect(dialog.table.item(row, 0))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def two_backups(demo_engine: Engine, data_dir: DataDir) -> dict:
    """A monthly backup of the demo, then a change, then a backup before an import."""
    before = dump(data_dir.database)
    monthly = take_backup(data_dir, "monthly", now=datetime(2026, 11, 1, 8, 0)).path
    add_employer(demo_engine, name="备份之后登记的物流有限公司", employer_class="non_public")
    execute(data_dir.database, "UPDATE federation SET name = '备份之后改过名字的总工会'")
    before_import = take_backup(data_dir, "before_import", now=datetime(2026, 11, 24, 9, 30)).path
    (data_dir.backups / "说明.txt").write_text("不是备份", encoding="utf-8")
    return {"monthly": monthly, "before_import": before_import, "monthly_dump": before}


def test_the_restore_screen_lists_backups_with_time_kind_size_and_counts(
    qtbot, window, data_dir, two_backups
):
    dialog = open_restore(qtbot, window, rows=2)

    first, second = row_texts(dialog, 0), row_texts(dialog, 1)
    assert first[:2] == ["2026-11-24 09:30", "导入前"]
    assert second[:2] == ["2026-11-01 08:00", "每月"]
    size = two_backups["before_import"].stat().st_size
    assert first[2] == f"{size / 1_048_576:.1f} MB"
    assert first[3:7] == _counts(two_backups["before_import"])
    assert second[3:7] == _counts(two_backups["monthly"])
    assert first[3] == "1,500"
    assert int(first[5].replace(",", "")) == int(second[5].replace(",", "")) + 1, "one employer added between"
    assert first[7] == str(two_backups["before_import"])
    assert "恢复前会先检查" in dialog.summary.text() and str(data_dir.replaced) in dialog.summary.text()


def test_restoring_a_backup_keeps_the_old_database_and_reopens_the_window(
    qtbot, window, data_dir, two_backups
):
    reopen = ReopenAfterRestore(window)  # as run_window wires it
    dialog = open_restore(qtbot, window, rows=2)
    asked, told = [], []
    dialog.confirm_restore = lambda path, counts: asked.append((path, counts)) or True
    dialog.tell = told.append

    click_row(qtbot, dialog, 1)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reopen.requested, timeout=20_000)

    [(path, counts)] = asked
    assert path == two_backups["monthly"]
    assert [f"{n:,}" for n in (counts.members, counts.unions, counts.employers, counts.notices)] == _counts(
        path
    )
    assert dump(data_dir.database) == two_backups["monthly_dump"]
    [replaced] = data_dir.replaced.iterdir()
    assert query(replaced, "SELECT name FROM federation") == [("备份之后改过名字的总工会",)]
    assert "已从以下备份恢复" in told[0] and str(replaced) in told[0] and "重新打开" in told[0]
    assert not window.isVisible(), "the window closes, to open again on the restored database"


def test_a_damaged_backup_is_refused_before_anything_changes(qtbot, window, data_dir, two_backups):
    good = two_backups["before_import"].read_bytes()
    damaged = data_dir.backups / "uniondesk-daily-20261125-080000.sqlite3"
    damaged.write_bytes(good[:16] + bytes(range(256)) * (len(good) // 256))
    before = dump(data_dir.database)
    dialog = open_restore(qtbot, window, rows=3)
    asked, told = [], []
    dialog.confirm_restore = lambda path, counts: asked.append(path) or True
    dialog.tell = told.append
    assert row_texts(dialog, 0)[:4] == ["2026-11-25 08:00", "每日", row_texts(dialog, 0)[2], "无法读取"]

    click_row(qtbot, dialog, 0)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)

    assert asked == []
    assert "损坏" in told[0] and "不能用于恢复" in told[0]
    assert dump(data_dir.database) == before
    assert not data_dir.replaced.exists()
    assert dialog.isVisible() and window.isVisible()


def test_a_file_of_another_program_is_refused(qtbot, window, data_dir, two_backups, tmp_path):
    other = tmp_path / "通讯录.sqlite3"
    execute(other, "CREATE TABLE contacts (name TEXT)")
    before = dump(data_dir.database)
    dialog = open_restore(qtbot, window, rows=2)
    told = []
    dialog.tell = told.append
    dialog.choose_backup_file = lambda: other

    qtbot.mouseClick(dialog.other_file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)

    assert "不是工会组建工作台的数据库" in told[0]
    assert dump(data_dir.database) == before


def test_the_backup_folder_and_the_numbers_kept_are_saved_for_this_pc(qtbot, window, data_dir, tmp_path):
    usb = tmp_path / "U盘" / "工会备份"
    usb.mkdir(parents=True)
    page = click_area(qtbot, window, "设置")
    assert page.backup_folder.text() == "" and str(data_dir.backups) in page.backup_folder.placeholderText()
    assert (page.keep_daily.value(), page.keep_monthly.value()) == (14, 12)
    page.choose_backup_folder_dialog = lambda: usb

    qtbot.mouseClick(page.choose_folder_button, Qt.MouseButton.LeftButton)
    for spin, value in ((page.keep_daily, "30"), (page.keep_monthly, "24")):
        spin.selectAll()
        qtbot.keyClicks(spin, value)
    qtbot.mouseClick(page.save_backup_button, Qt.MouseButton.LeftButton)

    assert page.backup_message.text().startswith("备份设置已保存")
    saved = json.loads(data_dir.backup_settings_file.read_text(encoding="utf-8"))
    assert saved == {"folder": str(usb), "keep_daily": 30, "keep_monthly": 24}
    assert load_backup_settings(data_dir) == BackupSettings(folder=usb, keep_daily=30, keep_monthly=24)

    page.backup_folder.clear()
    page.refresh()  # shown again as saved
    assert (page.backup_folder.text(), page.keep_daily.value(), page.keep_monthly.value()) == (
        str(usb),
        30,
        24,
    )

    qtbot.mouseClick(page.default_folder_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.save_backup_button, Qt.MouseButton.LeftButton)
    assert load_backup_settings(data_dir).folder is None


def test_closing_the_window_takes_a_backup(qtbot, window, data_dir):
    members = query(data_dir.database, "SELECT count(*) FROM member")[0][0]
    window.close()
    [taken] = data_dir.backups.glob("uniondesk-on-close-*.sqlite3")
    assert query(taken, "SELECT count(*) FROM member") == [(members,)]


# --- the start ------------------------------------------------------------------------------------------


@pytest.fixture
def quiet_start(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """run_window's message boxes, recorded instead of shown; its log handler and excepthook undone after."""
    said: dict[str, list] = {"refused": [], "warned": []}
    monkeypatch.setattr(ui_app, "refuse_start", said["refused"].append)
    monkeypatch.setattr(ui_app, "warn", lambda title, message: said["warned"].append((title, message)))
    monkeypatch.setattr(MainWindow, "offer_demo_data", lambda self: None)
    monkeypatch.setattr(ui_app, "ask_who_works", lambda engine, data_dir: True)  # accounts: test_accounts
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    log = logging.getLogger("uniondesk")
    handlers = list(log.handlers)
    yield said
    for handler in log.handlers[:]:
        if handler not in handlers:
            log.removeHandler(handler)
            handler.close()


def windows_shown() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_a_second_copy_of_the_program_is_refused(app, data_dir, quiet_start):
    with lock_data_dir(data_dir):
        assert run_window(data_dir) == 2
    [message] = quiet_start["refused"]
    assert "另一个工会组建工作台" in message and "关闭" in message
    assert windows_shown() == []


def test_a_damaged_database_at_start_is_replaced_by_the_backup_the_clerk_accepts(
    app, demo_engine, data_dir, monkeypatch
):
    newest = take_backup(data_dir, "daily", now=datetime(2026, 11, 24, 8, 0)).path
    demo_engine.dispose()
    data_dir.database.write_bytes(b"")  # what a sync tool or a failing disk can leave
    offered = []
    monkeypatch.setattr(
        ui_app, "ask_about_damaged", lambda error: offered.append(error) or ("restore", newest)
    )

    engine = open_for_window(data_dir)

    try:
        assert record_counts(engine)["members"] == 1500
    finally:
        engine.dispose()
    [error] = offered
    assert error.newest_backup.path == newest
    assert error.moved_to.parent == data_dir.damaged and error.moved_to.stat().st_size == 0


def test_a_damaged_database_can_give_way_to_an_empty_one_or_the_clerk_quits(app, data_dir, monkeypatch):
    data_dir.root.mkdir(parents=True)
    data_dir.database.write_bytes(b"not a database at all" * 50)
    monkeypatch.setattr(ui_app, "ask_about_damaged", lambda error: ("quit", None))
    assert open_for_window(data_dir) is None
    assert not data_dir.database.exists() and len(list(data_dir.damaged.iterdir())) == 1

    data_dir.database.write_bytes(b"")
    monkeypatch.setattr(ui_app, "ask_about_damaged", lambda error: ("empty", None))
    engine = open_for_window(data_dir)
    try:
        assert record_counts(engine)["members"] == 0
    finally:
        engine.dispose()
    assert len(list(data_dir.damaged.glob("*.sqlite3"))) == 2, "both damaged files kept"


def test_the_window_reopens_on_the_restored_data_and_warns_about_a_synced_folder(
    qtbot, app, tmp_path, quiet_start
):
    data_dir = DataDir(tmp_path / "Dropbox" / "工会数据")
    seen: list[int] = []
    opened: list[MainWindow] = []

    def step() -> None:
        shown = [w for w in windows_shown() if w not in opened]
        if not shown:
            QTimer.singleShot(50, step)
            return
        window = shown[0]
        opened.append(window)
        seen.append(record_counts(window.engine)["employers"])
        if len(opened) == 1:  # the first window: register an employer, then restore the backup without it
            backup = take_backup(data_dir, "daily", now=datetime(2026, 11, 24, 8, 0)).path
            add_employer(window.engine, name="恢复后不应存在的有限公司", employer_class="non_public")
            window.pages["设置"].open_restore_dialog().check_then_restore(backup)
            QTimer.singleShot(50, step)
        else:
            window.close()

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(RestoreBackupDialog, "confirm_restore", lambda self, path, counts: True)
    monkeypatch.setattr(RestoreBackupDialog, "tell", lambda self, message: None)
    try:
        QTimer.singleShot(0, step)
        assert run_window(data_dir) == 0
    finally:
        monkeypatch.undo()

    assert seen == [0, 0], "the second window shows the restored database, without the employer"
    assert len(opened) == 2
    [(title, message)] = quiet_start["warned"]
    assert "Dropbox" in message and "本机磁盘" in message
    assert record_counts_of(data_dir) == 0
    lock_data_dir(data_dir).release()  # the lock was given back when the window closed


def record_counts_of(data_dir: DataDir) -> int:
    return query(data_dir.database, "SELECT count(*) FROM employer")[0][0]


# --- bugs ---------------------------------------------------------------------------------------------


def test_a_bug_is_logged_in_the_data_folder_and_the_dialog_says_where(
    data_dir, app, quiet_start, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    log_path = start_log(data_dir)
    details = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: 示例程序错误\n'

    show_bug(details)
    show_bug(
        details.replace("ValueError: 示例程序错误", "sqlite3.OperationalError: database or disk is full")
    )

    assert log_path == data_dir.log_file
    logged = log_path.read_text(encoding="utf-8")
    assert "ValueError: 示例程序错误" in logged and "database or disk is full" in logged
    bug, full = shown
    assert bug.windowTitle() == "程序错误" and str(log_path) in bug.informativeText()
    assert bug.detailedText() == details
    assert full.windowTitle() == "无法完成操作" and "磁盘空间已满" in full.text()
    for _ in range(8):  # the log rotates instead of growing without end
        show_bug("x" * 300_000)
    assert sorted(p.name for p in data_dir.logs.iterdir())[:2] == ["uniondesk.log", "uniondesk.log.1"]
    assert all(p.stat().st_size <= 1_100_000 for p in data_dir.logs.iterdir())
