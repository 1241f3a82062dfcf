"""The import wizard, driven as a clerk drives it: choose the file, check the sheet and the columns, read
the problems, import, and find exactly the good rows in the registers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

import ui.dialogs.import_records as wizard_module
from models.registers import add_member
from spreadsheets.importing import prepare_import, run_to_end, write_import
from tests.helpers import count, query
from ui.dialogs.import_records import ImportRecordsDialog

FIXTURES = Path(__file__).parents[1] / "fixtures" / "spreadsheets"
CASES = FIXTURES / "import_cases.xlsx"
STAR_UNION = "两江新区星光电子有限公司工会"
REGISTERED = "500112198008080064"  # 褚七, registered before the member sheet is imported


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_wizard(qtbot, window, kind: str, path: Path) -> ImportRecordsDialog:
    dialog = window.open_import(kind)
    dialog.choose_file = lambda: path
    click(qtbot, dialog.choose_button)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.page == 1, timeout=10_000)
    return dialog


def choose_sheet(qtbot, dialog: ImportRecordsDialog, name: str) -> None:
    if dialog.sheet.currentText() != name:
        dialog.sheet.setCurrentText(name)
        dialog.sheet.activated.emit(dialog.sheet.currentIndex())
    qtbot.waitUntil(lambda: not dialog._busy and dialog.layout_found.sheet == name, timeout=10_000)


def check(qtbot, dialog: ImportRecordsDialog) -> None:
    click(qtbot, dialog.next_button)  # → 列对应
    assert dialog.page == 2
    click(qtbot, dialog.next_button)  # → 检查结果
    qtbot.waitUntil(lambda: dialog.page == 3 and not dialog._busy, timeout=20_000)


def import_registers(engine) -> None:
    """The fixture's employers and unions, imported with the API before members name them."""
    for kind, sheet in (("employers", "单位名单"), ("unions", "工会名单")):
        preview = run_to_end(prepare_import(engine, CASES, kind, sheet=sheet))
        run_to_end(write_import(engine, preview))


def shown(view, column: int) -> list[str]:
    model = view.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


@pytest.fixture
def member_wizard(qtbot, window, demo_engine):
    import_registers(demo_engine)
    add_member(demo_engine, name="褚七", id_number=REGISTERED, union=STAR_UNION, joined_on=date(2019, 1, 1))
    dialog = open_wizard(qtbot, window, "members", CASES)
    choose_sheet(qtbot, dialog, "会员名单")
    return dialog


def test_members_are_imported_step_by_step_and_only_the_good_rows_written(
    qtbot, window, data_dir, member_wizard, tmp_path
):
    dialog = member_wizard
    assert dialog.header_row.value() == 1
    assert dialog.head_table.item(0, 1).text() == "姓名"
    before = count(data_dir.database, "member")

    click(qtbot, dialog.next_button)
    assert dialog.field_combos[0].currentText() == "不导入"  # 序号
    assert dialog.field_combos[1].currentData() == "name"
    # Taking the name away names it in red and stops the clerk there.
    dialog.field_combos[1].setCurrentIndex(0)
    assert "姓名" in dialog.mapping_error.text() and not dialog.next_button.isEnabled()
    dialog.field_combos[1].setCurrentIndex(dialog.field_combos[1].findData("name"))
    assert dialog.mapping_error.isHidden() and dialog.next_button.isEnabled()
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.page == 3 and not dialog._busy, timeout=20_000)

    assert dialog.summary.text() == "3 行可以导入，8 行有问题"
    rows = shown(dialog.problems, 1)
    assert sorted(set(rows), key=int) == ["3", "4", "5", "6", "7", "8", "9", "12"]
    reasons = dict(zip(rows, shown(dialog.problems, 4), strict=True))
    assert "姓名为空" in reasons["5"]
    assert "没有找到基层工会“不存在的工会”" in reasons["8"]
    assert set(shown(dialog.problems, 0)) == {"会员名单"}
    assert dialog.existing_box.isVisible() and "1" in dialog.skip_existing.text()
    assert dialog.skip_existing.isChecked()

    # 保存问题行… writes the refused rows with their reasons.
    target = tmp_path / "问题行.xlsx"
    dialog.choose_error_path = lambda proposed: target
    click(qtbot, dialog.save_problems_button)
    qtbot.waitUntil(lambda: target.exists() and not dialog._busy, timeout=10_000)
    sheet = load_workbook(target).active
    assert sheet.max_row == 9 and sheet.cell(1, 9).value == "原因"

    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        click(qtbot, dialog.import_button)
        qtbot.waitUntil(lambda: dialog.page == 4, timeout=20_000)
        assert "新增：2 条" in dialog.outcome.text() and "跳过（已登记）：1 行" in dialog.outcome.text()
        assert "有问题未导入：8 行" in dialog.outcome.text()
        click(qtbot, dialog.finish_button)

    assert count(data_dir.database, "member") == before + 2
    names = query(data_dir.database, "SELECT name FROM member WHERE name IN ('孙一', '卫八', '周二', '冯五')")
    assert sorted(name for (name,) in names) == ["卫八", "孙一"]
    assert query(data_dir.database, "SELECT joined_on FROM member WHERE id_number = ?", (REGISTERED,)) == [
        ("2019-01-01",)
    ]
    assert list(data_dir.backups.glob("uniondesk-before-import-*.sqlite3"))


def test_updating_the_registered_member_when_asked(qtbot, window, data_dir, member_wizard):
    dialog = member_wizard
    check(qtbot, dialog)
    dialog.update_existing.click()
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.page == 4, timeout=20_000)
    assert "更新：1 条" in dialog.outcome.text()
    assert query(data_dir.database, "SELECT mobile FROM member WHERE id_number = ?", (REGISTERED,)) == [
        ("13800000009",)
    ]


def test_cancelling_the_write_leaves_the_members_as_they_were(
    qtbot, window, data_dir, member_wizard, monkeypatch
):
    dialog = member_wizard
    check(qtbot, dialog)
    before = count(data_dir.database, "member")
    real_write = wizard_module.write_import

    def write_then_cancel(*args, **options):
        steps = real_write(*args, **options)
        for number, step in enumerate(steps):
            yield step
            # The new members were written ahead into the transaction the check opened, which is still
            # open: as the clerk pressing 取消 on the progress dialog at the first step.
            if number == 0:
                dialog.write_job.cancel()
        return None

    monkeypatch.setattr(wizard_module, "write_import", write_then_cancel)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=20_000)

    assert dialog.page == 3 and dialog.result is None
    assert "撤销" in dialog.check_error.text()
    assert count(data_dir.database, "member") == before


def test_the_mapping_confirmed_is_proposed_the_next_time(qtbot, window, demo_engine):
    import_registers(demo_engine)
    dialog = open_wizard(qtbot, window, "members", CASES)
    choose_sheet(qtbot, dialog, "会员名单")
    click(qtbot, dialog.next_button)
    assert dialog.remembered_note.isHidden()
    # The clerk leaves the phone column out; the import then remembers that choice.
    assert dialog.field_combos[7].currentData() == "mobile"
    dialog.field_combos[7].setCurrentIndex(0)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.page == 3 and not dialog._busy, timeout=20_000)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.page == 4, timeout=20_000)
    click(qtbot, dialog.finish_button)

    again = open_wizard(qtbot, window, "members", CASES)
    choose_sheet(qtbot, again, "会员名单")
    click(qtbot, again.next_button)
    assert not again.remembered_note.isHidden()
    assert again.field_combos[7].currentText() == "不导入"
    assert again.field_combos[1].currentData() == "name"


def test_the_import_button_on_the_employer_page_chooses_employers(qtbot, window, data_dir):
    from tests.ui.test_main_window import click_area

    click_area(qtbot, window, "单位")
    click(qtbot, window.import_buttons["employers"])
    dialog = next(w for w in window.findChildren(ImportRecordsDialog) if w.isVisible())
    assert dialog.kind.currentText() == "单位" and not dialog.source.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("headcounts"))
    assert dialog.source.isVisible() and dialog.as_of.isVisible()
    assert not dialog.next_button.isEnabled()  # no file yet
    dialog.kind.setCurrentIndex(dialog.kind.findData("employers"))
    before = count(data_dir.database, "employer")

    dialog.choose_file = lambda: CASES
    click(qtbot, dialog.choose_button)
    click(qtbot, dialog.next_button)
    qtbot.waitUntil(lambda: dialog.page == 1, timeout=10_000)
    choose_sheet(qtbot, dialog, "单位名单")
    check(qtbot, dialog)
    assert dialog.summary.text() == "3 行可以导入，3 行有问题"
    assert "合伙" in " ".join(shown(dialog.problems, 4))
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.page == 4, timeout=20_000)
    click(qtbot, dialog.finish_button)
    assert count(data_dir.database, "employer") == before + 3
