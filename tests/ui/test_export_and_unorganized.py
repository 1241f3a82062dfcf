"""导出 Excel from any list as it is shown, and the 未建会 list a clerk issues notices from."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from models.unorganized import unorganized_employers
from tests.ui.conftest import type_chinese
from tests.ui.test_main_window import click_area, wait_for_rows
from tests.ui.test_records import select_rows
from ui.dialogs.export_options import Disclosure
from ui.dialogs.issue_notices import IssueNoticesDialog


def test_a_searched_list_is_exported_with_the_columns_on_screen(qtbot, window, tmp_path: Path):
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    type_chinese(page.search, "张")
    qtbot.waitUntil(lambda: page.count.text().startswith("找到") and page.model.complete, timeout=10_000)
    found = page.model.rowCount()
    header = page.table.horizontalHeader()
    header.setSectionHidden(page.shown_columns().index("mobile"), True)  # the clerk hid 手机号码
    header.moveSection(header.visualIndex(1), 0)  # and dragged 身份证号 to the front
    told: list[str] = []
    page.tell = told.append
    target = tmp_path / "张姓会员"
    page.choose_export_path = lambda suggested: target
    asked: list[str] = []
    page.choose_disclosure = lambda action: asked.append(action) or Disclosure()  # left unticked

    with qtbot.waitSignal(page.export_list().signals.finished, timeout=20_000):
        pass

    saved = target.with_suffix(".xlsx")
    assert told == [f"已导出到：\n{saved}"]
    sheet = load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("会员名册") and "张" in rows[0][0]
    assert rows[1][:3] == ("身份证号", "姓名", "性别")
    assert "手机号码" not in rows[1]
    data = [row for row in rows[2:] if any(row)]
    assert len(data) == found
    assert all("张" in row[1] for row in data)
    assert asked == ["导出"], "who may see whole ID numbers is asked whether to include them"
    assert all("********" in row[0] for row in data), "exports are masked unless asked otherwise"


def test_the_unorganized_list_shows_the_employers_due_a_union_and_issues_to_them(qtbot, window, demo_engine):
    expected = unorganized_employers(demo_engine)
    page = click_area(qtbot, window, "未建会")
    wait_for_rows(qtbot, page)
    qtbot.waitUntil(lambda: page.model.complete, timeout=10_000)
    assert page.model.rowCount() == len(expected) > 2
    shown = {page.model.record_id(row) for row in range(page.model.rowCount())}
    assert shown == {employer.id for employer in expected}

    select_rows(qtbot, page, [0, 2])
    qtbot.mouseClick(window.issue_to_unorganized_button, Qt.MouseButton.LeftButton)
    dialog = next(w for w in window.findChildren(IssueNoticesDialog) if w.isVisible())
    assert [employer_id for employer_id, _ in dialog.employers] == [
        page.model.record_id(0),
        page.model.record_id(2),
    ]
