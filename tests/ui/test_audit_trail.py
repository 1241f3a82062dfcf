"""审计记录 as an administrator uses it: open it from the window or from a record, find a change just made,
narrow by person and date, read the change in Chinese, export what is listed and open it in Excel's place."""

from __future__ import annotations

import getpass
import json
import shutil
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from sqlalchemy import text

from models.accounts import SignedIn, sign_in_as, sign_out
from models.database import writing
from models.entities import Role
from models.paths import DataDir
from tests.helpers import libreoffice_csv, query, tool_connection
from tests.ui.conftest import open_window, shown_rows
from tests.ui.test_dialogs import open_first_member, press_ctrl_s
from ui.dialogs import view_audit_trail
from ui.dialogs.export_options import Disclosure
from ui.dialogs.view_audit_trail import ViewAuditTrailDialog

ME = f"{getpass.getuser()}（本机用户）"  # accounts are off: the trail names the Windows user
LAST_MONTH = date.today() - timedelta(days=30)


def masked_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


def age_the_trail(data_dir: DataDir) -> None:
    """Every entry so far (the demo's) as if written a month ago: today's are the ones a test makes."""
    with closing(tool_connection(data_dir.database)) as connection, connection:
        connection.execute("UPDATE audit_entry SET at = ? || substr(at, 11)", (LAST_MONTH.isoformat(),))


def change_first_members_phone(qtbot, window) -> tuple[str, str, str]:
    """Open the first member of the list, give them a new phone, save. Returns name, old and new phone."""
    _, dialog = open_first_member(qtbot, window)
    name, old = dialog.name.text(), dialog.mobile.text()
    new = "13900001111" if old != "13900001111" else "13900002222"
    dialog.mobile.clear()
    qtbot.keyClicks(dialog.mobile, new)
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    return name, old, new


def open_viewer(qtbot, window) -> ViewAuditTrailDialog:
    qtbot.mouseClick(window.audit_trail_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in window.findChildren(ViewAuditTrailDialog) if d.isVisible())
    wait_loaded(qtbot, dialog)
    return dialog


def wait_loaded(qtbot, dialog: ViewAuditTrailDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_loading(), timeout=10_000)


def listed(dialog: ViewAuditTrailDialog) -> list[tuple[str, ...]]:
    """The rows as the clerk reads them: 时间, 人员, 操作, 对象, 内容."""
    columns = [shown_rows(dialog.table, column) for column in range(5)]
    return list(zip(*columns, strict=True))


def click_row(qtbot, dialog: ViewAuditTrailDialog, row: int) -> None:
    rect = dialog.table.visualRect(dialog.model.index(row, 0))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def employer_changed_by_li_qiang(engine) -> tuple[str, int | None]:
    """李强 (an editor, signed in elsewhere in the office) corrects an employer's staff count to 321.
    Returns the employer's name and its count before."""
    sign_in_as(engine, SignedIn("liqiang", "李强", Role.EDITOR))
    try:
        with writing(engine) as s, s.begin():
            name, before = s.execute(text("SELECT name, staff_count FROM employer ORDER BY id LIMIT 1")).one()
            s.execute(text("UPDATE employer SET staff_count = 321 WHERE name = :name"), {"name": name})
    finally:
        sign_out(engine)
    return name, before


@pytest.fixture
def today_and_before(qtbot, window, demo_engine, data_dir):
    """The demo written a month ago; today the clerk changed a member's phone and 李强 an employer."""
    age_the_trail(data_dir)
    name, old, new = change_first_members_phone(qtbot, window)
    employer, staff_before = employer_changed_by_li_qiang(demo_engine)
    assert staff_before != 321
    return name, old, new, (employer, staff_before)


def test_the_viewer_shows_the_change_just_made_and_reads_it_in_chinese(qtbot, window, today_and_before):
    name, old, new, (employer, staff_before) = today_and_before

    dialog = open_viewer(qtbot, window)

    rows = listed(dialog)
    assert rows[0][1:] == (
        "liqiang",
        "修改",
        f"单位 {employer}",
        f"职工人数：{staff_before or '（空）'} → 321",
    )
    # Whole, as an administrator's lists show them (models.privacy).
    assert rows[1][1:] == (ME, "修改", f"会员 {name}", f"手机号码：{old} → {new}")
    assert rows[0][0].startswith(date.today().isoformat()) and rows[1][0].startswith(date.today().isoformat())
    assert rows[2][0].startswith(LAST_MONTH.isoformat())
    click_row(qtbot, dialog, 1)
    assert dialog.detail_headers() == ["字段", "原值", "新值"]
    assert dialog.detail_rows() == [("手机号码", old, new)]  # whole, as in the opened record
    assert "会员" in dialog.detail_heading.text() and name in dialog.detail_heading.text()


def test_filtering_by_person_and_by_date_narrows_the_list(qtbot, window, today_and_before):
    name, _, _, (employer, _) = today_and_before
    dialog = open_viewer(qtbot, window)
    everything = dialog.model.rowCount()
    assert dialog.count.text() == f"共 {everything:,} 条"
    assert [dialog.actor.itemText(i) for i in range(dialog.actor.count())] == [
        "全部人员",
        *sorted([ME, "liqiang"]),
    ]

    dialog.actor.setCurrentIndex(dialog.actor.findText("liqiang"))
    wait_loaded(qtbot, dialog)
    assert [row[1:4] for row in listed(dialog)] == [("liqiang", "修改", f"单位 {employer}")]
    assert dialog.count.text() == "共 1 条"

    dialog.actor.setCurrentIndex(dialog.actor.findText(ME))
    wait_loaded(qtbot, dialog)
    assert dialog.model.rowCount() == everything - 1
    assert {row[1] for row in listed(dialog)} == {ME}

    dialog.since.setDate(QDate.currentDate())
    wait_loaded(qtbot, dialog)
    assert [row[2:4] for row in listed(dialog)] == [("修改", f"会员 {name}")]

    dialog.actor.setCurrentIndex(0)
    wait_loaded(qtbot, dialog)
    assert [row[1] for row in listed(dialog)] == ["liqiang", ME]

    dialog.since.setDate(view_audit_trail.NO_DATE)
    dialog.until.setDate(QDate(LAST_MONTH))
    wait_loaded(qtbot, dialog)
    assert dialog.since.text() == "不限"
    assert dialog.model.rowCount() == everything - 2
    assert all(row[0].startswith(LAST_MONTH.isoformat()) for row in listed(dialog))

    dialog.clear_button.click()
    wait_loaded(qtbot, dialog)
    assert dialog.model.rowCount() == everything and dialog.until.text() == "不限"


def test_a_bulk_entry_says_where_the_records_came_from_and_how_many(qtbot, window, demo_engine, data_dir):
    dialog = open_viewer(qtbot, window)

    dialog.action_choice.setCurrentIndex(dialog.action_choice.findText("批量新增"))
    wait_loaded(qtbot, dialog)

    changes = query(data_dir.database, "SELECT count(*) FROM membership_change")[0][0]
    assert [row[2:] for row in listed(dialog)] == [
        ("批量新增", "会员进出", f"来源：演示数据；条数：{changes:,}"),
        ("批量新增", "会员", "来源：演示数据；条数：1,500"),  # the demo's 1,500 members
    ]
    click_row(qtbot, dialog, 1)
    assert dialog.detail_headers() == ["项目", "内容"]
    assert dialog.detail_rows() == [
        ("来源", "演示数据"),
        ("条数", "1,500"),
        ("记录", "共 1,500 条（不逐条列出；按记录的 UUID 查找可找到本条）"),
    ]


def test_more_entries_than_shown_ask_for_narrower_conditions(qtbot, window, monkeypatch, qtmodeltester):
    monkeypatch.setattr(view_audit_trail, "SHOWN_ENTRIES", 10)

    dialog = open_viewer(qtbot, window)

    assert dialog.model.rowCount() == 10
    assert dialog.count.text() == "仅显示最近 10 条，请用条件缩小范围"
    qtmodeltester.check(dialog.model)


def test_a_members_history_opens_from_the_members_record(qtbot, window, demo_engine, data_dir):
    name, old, new = change_first_members_phone(qtbot, window)
    _, member = open_first_member(qtbot, window)

    qtbot.mouseClick(member.history_button, Qt.MouseButton.LeftButton)

    history = member.findChild(ViewAuditTrailDialog)
    wait_loaded(qtbot, history)
    assert history.windowTitle() == f"修改记录：会员 {name}"
    uuid = query(data_dir.database, "SELECT uuid FROM member WHERE name = ? AND mobile = ?", (name, new))[0][
        0
    ]
    assert history.record.text() == uuid
    # The change, and the demo's import that brought the member in.
    assert [row[2:] for row in listed(history)] == [
        ("修改", f"会员 {name}", f"手机号码：{old} → {new}"),
        ("批量新增", "会员", "来源：演示数据；条数：1,500"),
    ]


def sheet_rows(path: Path) -> list[tuple]:
    return [tuple(row) for row in load_workbook(path).active.iter_rows(values_only=True)]


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    return str(value)


def export_shown(
    qtbot, dialog: ViewAuditTrailDialog, target: Path, disclosure: Disclosure | None = None
) -> None:
    """Press 导出…, answer the house's question (masked by default), save to ``target``."""
    dialog.choose_disclosure = lambda: disclosure or Disclosure()
    dialog.ask_export_path = lambda: target
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.export_note.text().startswith("已导出"), timeout=20_000)


def test_the_export_holds_the_rows_listed_for_openpyxl_and_libreoffice(
    qtbot, window, today_and_before, tmp_path
):
    name, old, new, _ = today_and_before
    dialog = open_viewer(qtbot, window)
    dialog.since.setDate(QDate.currentDate())
    wait_loaded(qtbot, dialog)
    shown = listed(dialog)
    assert len(shown) == 2
    target = tmp_path / "审计记录.xlsx"

    export_shown(qtbot, dialog, target)

    assert dialog.export_note.text() == f"已导出 2 条到 {target}"
    rows = sheet_rows(target)
    assert rows[0][0].startswith(f"审计记录（日期：{date.today():%Y-%m-%d} 至 现在；导出时间 ")
    assert rows[0][0].endswith("共 2 条）")
    assert rows[1] == ("时间", "人员", "操作", "对象", "内容", "详细内容", "记录 UUID")
    # The rows listed, but the phones masked: an export is, unless asked for whole with a reason.
    masked = f"手机号码：{masked_mobile(old)} → {masked_mobile(new)}"
    assert shown[1][4] == f"手机号码：{old} → {new}"
    listed_masked = [shown[0], (*shown[1][:4], masked)]
    assert [tuple(as_text(v) for v in row[:5]) for row in rows[2:]] == listed_masked
    assert rows[3][5] == masked
    member_uuid = query(window.data_dir.database, "SELECT uuid FROM member WHERE mobile = ?", (new,))[0][0]
    assert rows[3][6] == member_uuid
    workbook = load_workbook(target)
    sheet = workbook.active
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:G4"
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet["A3"].is_date and sheet["A3"].number_format == "yyyy-mm-dd hh:mm:ss"
    everything = " ".join(as_text(v) for row in rows for v in row)
    assert new not in everything and old not in everything, "phones masked as in every list"

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    seen = libreoffice_csv(target, tmp_path)
    assert [row[:5] for row in seen[2:]] == [list(row) for row in listed_masked]
    assert seen[1] == list(rows[1])
    assert [row[5:] for row in seen[2:]] == [[as_text(v) for v in row[5:]] for row in rows[2:]]


def test_an_export_with_whole_phones_needs_a_reason_and_is_recorded(
    qtbot, window, today_and_before, tmp_path, data_dir
):
    name, old, new, _ = today_and_before
    dialog = open_viewer(qtbot, window)
    dialog.since.setDate(QDate.currentDate())
    wait_loaded(qtbot, dialog)
    shown = listed(dialog)
    told = []
    dialog.tell = told.append
    dialog.choose_disclosure = lambda: None  # the clerk cancelled the question
    dialog.ask_export_path = lambda: pytest.fail("no file is asked for once the clerk cancelled")
    dialog.export_button.click()

    blank = tmp_path / "无理由.xlsx"
    dialog.choose_disclosure = lambda: Disclosure(True, "  ")
    dialog.ask_export_path = lambda: blank
    dialog.export_button.click()
    qtbot.waitUntil(
        lambda: told == ["导出完整身份证号和手机号码须填写理由（将记入审计记录）"], timeout=10_000
    )
    assert not blank.exists() and not list(tmp_path.glob("*.tmp"))

    target = tmp_path / "完整.xlsx"
    export_shown(qtbot, dialog, target, Disclosure(True, "核对会员手机号码"))

    rows = sheet_rows(target)
    assert [tuple(as_text(v) for v in row[:5]) for row in rows[2:]] == shown  # whole, as on the screen
    assert rows[0][0].startswith(
        f"审计记录（日期：{date.today():%Y-%m-%d} 至 现在；含完整身份证号、手机号码；"
    )
    action, actor, changes = query(
        data_dir.database, "SELECT action, actor, changes FROM audit_entry ORDER BY id DESC LIMIT 1"
    )[0]
    assert (action, actor) == ("disclose", ME)
    assert json.loads(changes) == {
        "内容": "审计记录（完整身份证号、手机号码）",
        "人数": 1,  # the one member whose phone is in the entries
        "理由": "核对会员手机号码",
        "去向": "完整.xlsx",
    }


def test_a_reader_has_no_audit_trail(qtbot, app, demo_engine, data_dir):
    sign_in_as(demo_engine, SignedIn("chayue", "赵查阅", Role.READER))
    try:
        window = open_window(qtbot, demo_engine, data_dir)
        told = []
        window.tell = told.append

        assert window.audit_trail_button.isHidden()
        assert window.open_audit_trail() is None
        assert told == ["查看审计记录需要管理员权限。"]
        member = window.open_member(1)
        assert member.windowTitle() == "会员信息" and member.history_button is None
        window.runner.wait_all()
    finally:
        sign_out(demo_engine)
