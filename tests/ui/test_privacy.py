"""What a 查阅 account sees in the window: masks in the member list, the opened record, the duplicates
review, a union's chair, an export and the printed roster; and how an editor asks for whole values.

The ID numbers and phones compared with are the stored ones, read with sqlite3; the masks are worked out
here: the first six and last four characters of an ID number, the first three and last four digits of a
phone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import Engine

from models.accounts import create_account, sign_in, sign_out
from models.audit import AuditFilter, audit_entries
from models.codes import id_check_char
from models.entities import Role
from models.paths import DataDir
from models.registers import add_member
from tests.helpers import query
from tests.ui.conftest import open_window, shown_rows, type_chinese
from tests.ui.test_main_window import click_area, wait_for_rows
from ui.dialogs.export_options import Disclosure, ExportOptionsDialog
from ui.dialogs.review_duplicates import ReviewDuplicatesDialog
from ui.main_window import MainWindow

PASSWORD = "口令-2026-window"
MASKED_ID = re.compile(r"\d{6}\*{8}\d{3}[\dX]")
MASKED_MOBILE = re.compile(r"1\d{2}\*{4}\d{4}")


def masked_id(number: str) -> str:
    return number[:6] + "********" + number[14:]


def masked_mobile(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[7:]


@pytest.fixture
def office(demo_engine: Engine) -> Iterator[Engine]:
    """The demo with one person registered twice (same name and birth date, another ID number, the same
    phone) and three accounts; whoever the test signs in is signed out after it."""
    first = query(
        demo_engine.url.database,
        "SELECT name, id_number, mobile, union_id FROM member WHERE mobile IS NOT NULL ORDER BY id LIMIT 1",
    )[0]
    name, number, mobile, union_id = first
    sequence = "999" if number[14:17] != "999" else "997"
    twin = number[:14] + sequence + id_check_char(number[:14] + sequence)
    add_member(
        demo_engine, name=name, id_number=twin, union=union_id, joined_on=date(2024, 5, 6), mobile=mobile
    )
    create_account(demo_engine, "admin", "管理员甲", Role.ADMINISTRATOR, PASSWORD)
    create_account(demo_engine, "luru", "录入员乙", Role.EDITOR, PASSWORD)
    create_account(demo_engine, "chayue", "查阅丙", Role.READER, PASSWORD)
    yield demo_engine
    sign_out(demo_engine)


def stored(engine: Engine) -> tuple[list[str], list[str]]:
    rows = query(engine.url.database, "SELECT id_number, mobile FROM member")
    return [number for number, _ in rows], [mobile for _, mobile in rows if mobile]


def window_as(qtbot, app, engine: Engine, data_dir: DataDir, login: str) -> MainWindow:
    sign_in(engine, login, PASSWORD)
    window = open_window(qtbot, engine, data_dir)
    return window


@pytest.fixture
def reader_window(qtbot, app, office: Engine, data_dir: DataDir) -> Iterator[MainWindow]:
    window = window_as(qtbot, app, office, data_dir, "chayue")
    yield window
    window.runner.wait_all()


def test_a_reader_sees_masks_in_the_member_list_and_finds_people_by_whole_numbers(
    qtbot, reader_window: MainWindow, office: Engine
) -> None:
    page = click_area(qtbot, reader_window, "会员")
    wait_for_rows(qtbot, page)
    qtbot.waitUntil(lambda: page.model.complete, timeout=10_000)
    numbers, mobiles = stored(office)

    ids = shown_rows(page.table, 1)
    phones = [text for text in shown_rows(page.table, 3) if text]
    assert sorted(ids) == sorted(masked_id(number) for number in numbers)
    assert sorted(phones) == sorted(masked_mobile(mobile) for mobile in mobiles)
    assert not set(ids) & set(numbers) and not set(phones) & set(mobiles)

    type_chinese(page.search, numbers[10])  # a whole ID number, as the person hands over their card
    qtbot.waitUntil(lambda: page.count.text() == "找到 1 条", timeout=10_000)
    assert shown_rows(page.table, 1) == [masked_id(numbers[10])]


def test_a_reader_opening_a_member_sees_the_masks_and_no_birth_date(
    qtbot, reader_window: MainWindow, office: Engine
) -> None:
    member_id, number, mobile = query(
        office.url.database, "SELECT id, id_number, mobile FROM member WHERE mobile IS NOT NULL LIMIT 1"
    )[0]

    dialog = reader_window.open_member(member_id)

    assert dialog.id_number.text() == masked_id(number)
    assert dialog.mobile.text() == masked_mobile(mobile)
    assert number[6:14] not in dialog.id_facts.text() and f"{number[6:10]}-" not in dialog.id_facts.text()
    assert dialog.error_text("id_number") == "" and dialog.error_text("mobile") == ""
    dialog.reject()


def test_a_reader_sees_masks_in_the_duplicates_review(
    qtbot, reader_window: MainWindow, office: Engine
) -> None:
    # The window does not open it for a reader (merging writes); were it opened, it would show masks.
    dialog = ReviewDuplicatesDialog(office, reader_window.runner, reader_window.window_state, reader_window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialog.pairs), timeout=10_000)
    numbers, mobiles = stored(office)

    cells = [
        dialog.table.item(row, column).text()
        for row in range(dialog.table.rowCount())
        for column in (2, 3, 8, 9)
    ]
    assert cells and not set(cells) & (set(numbers) | set(mobiles))
    ids = [
        dialog.table.item(row, column).text() for row in range(dialog.table.rowCount()) for column in (2, 8)
    ]
    assert all(MASKED_ID.fullmatch(text) for text in ids)
    dialog.reject()


def test_a_reader_sees_a_union_chairs_phone_masked(qtbot, reader_window: MainWindow, office: Engine) -> None:
    union_id, phone = query(
        office.url.database, 'SELECT id, chair_phone FROM "union" WHERE chair_phone IS NOT NULL LIMIT 1'
    )[0]

    dialog = reader_window.open_union(union_id)

    assert dialog.chair_phone.text() == masked_mobile(phone)
    dialog.reject()


def test_a_readers_export_is_masked_without_a_question(
    qtbot, reader_window: MainWindow, office: Engine, tmp_path: Path
) -> None:
    page = click_area(qtbot, reader_window, "会员")
    wait_for_rows(qtbot, page)
    asked: list[str] = []
    page.choose_disclosure = lambda action: asked.append(action) or Disclosure(True, "不该被问到")
    page.choose_export_path = lambda suggested: tmp_path / "会员.xlsx"
    page.tell = lambda message: None

    with qtbot.waitSignal(page.export_list().signals.finished, timeout=20_000):
        pass

    assert asked == [], "a reader is never offered whole values"
    sheet = load_workbook(tmp_path / "会员.xlsx", read_only=True).active
    cells = [str(value) for row in sheet.iter_rows(min_row=3, values_only=True) for value in row if value]
    numbers, mobiles = stored(office)
    assert not set(cells) & (set(numbers) | set(mobiles))
    assert {masked_id(number) for number in numbers} <= set(cells)


def test_a_readers_printed_roster_is_masked(qtbot, reader_window: MainWindow, office: Engine) -> None:
    page = click_area(qtbot, reader_window, "会员")
    wait_for_rows(qtbot, page)
    page.choose_disclosure = lambda action: pytest.fail("a reader is never offered whole values")

    with qtbot.waitSignal(page.print_roster().signals.finished, timeout=60_000):
        pass

    preview = page.roster_preview
    assert preview.isVisible() and preview.windowTitle() == "会员花名册"
    text = "".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(preview.pdf)).pages)
    numbers, mobiles = stored(office)
    assert not [number for number in numbers if number in text]
    assert not [mobile for mobile in mobiles if mobile in text]
    assert all(masked_id(number) in text for number in numbers)
    assert audit_entries(office, AuditFilter(action="disclose")) == []
    preview.reject()


def test_an_editor_asks_for_whole_values_with_a_reason_and_the_trail_keeps_it(
    qtbot, app, office: Engine, data_dir: DataDir, tmp_path: Path
) -> None:
    window = window_as(qtbot, app, office, data_dir, "luru")
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    page.choose_disclosure = lambda action: Disclosure(True, "报送市总工会核对实名")
    page.choose_export_path = lambda suggested: tmp_path / "完整.xlsx"
    page.tell = lambda message: None

    with qtbot.waitSignal(page.export_list().signals.finished, timeout=20_000):
        pass
    window.runner.wait_all()

    sheet = load_workbook(tmp_path / "完整.xlsx", read_only=True).active
    cells = {str(value) for row in sheet.iter_rows(min_row=3, values_only=True) for value in row if value}
    numbers, mobiles = stored(office)
    assert set(numbers) <= cells and set(mobiles) <= cells
    [entry] = audit_entries(office, AuditFilter(action="disclose"))
    assert entry.actor == "luru" and entry.changes["理由"] == "报送市总工会核对实名"
    assert entry.changes["人数"] == len(numbers) and entry.changes["去向"] == "完整.xlsx"


def test_ticking_whole_values_needs_a_reason(qtbot, app, tmp_path: Path) -> None:
    dialog = ExportOptionsDialog("导出", QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.reason.isEnabled()

    dialog.full.setFocus()
    qtbot.keyClick(dialog.full, Qt.Key.Key_Space)
    assert dialog.full.isChecked() and dialog.reason.isEnabled()
    dialog.try_accept()
    assert dialog.error.isVisible() and "理由" in dialog.error.text()
    assert dialog.result() == 0

    type_chinese(dialog.reason, "核对会员信息")
    with qtbot.waitSignal(dialog.accepted):
        dialog.try_accept()
    assert dialog.disclosure() == Disclosure(True, "核对会员信息")
