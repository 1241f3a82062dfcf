"""新增会员 / 新增单位: a clerk types, reads the message beside the field, and nothing half is saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from models.registers import record_counts, union_choices
from tests.ui.conftest import type_chinese


def press(qtbot, dialog, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key as the clerk presses it: the dialog is the active window and the key goes to its focus."""
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(QApplication.focusWidget() or dialog, key, modifier)


def press_ctrl_s(qtbot, dialog) -> None:
    press(qtbot, dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


GOOD_ID = "11010519491231002X"
BAD_ID = "110105194912310021"  # check character should be X


def test_add_member_refuses_a_wrong_id_number_and_writes_nothing(qtbot, window, demo_engine):
    before = record_counts(demo_engine)["members"]
    qtbot.mouseClick(window.add_member_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QDialog)
    assert dialog.windowTitle() == "新增会员"
    type_chinese(dialog.name, "王小明")
    qtbot.keyClicks(dialog.id_number, BAD_ID)
    assert dialog.error_text("id_number") == "身份证号第18位校验码应为“X”，现为“1”"
    union_name = union_choices(demo_engine)[0][1]
    dialog.union.setCurrentText(union_name)
    press_ctrl_s(qtbot, dialog)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.error_text("id_number") == "身份证号第18位校验码应为“X”，现为“1”"
    assert record_counts(demo_engine)["members"] == before


def test_add_member_fills_birth_date_and_sex_then_saves(qtbot, window, demo_engine):
    before = record_counts(demo_engine)["members"]
    dialog = window.open_add_member_dialog()
    type_chinese(dialog.name, "王小明")
    qtbot.keyClicks(dialog.id_number, GOOD_ID.lower())  # a lower-case x is accepted
    assert dialog.error_text("id_number") == ""
    assert dialog.id_facts.text() == "出生日期 1949-12-31，女"
    qtbot.keyClicks(dialog.mobile, "138 0013 8000")
    dialog.union.setCurrentText(union_choices(demo_engine)[0][1])
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    assert record_counts(demo_engine)["members"] == before + 1
    assert dialog.saved.id_number == GOOD_ID


def test_add_member_shows_every_wrong_field_at_once(qtbot, window, demo_engine):
    before = record_counts(demo_engine)["members"]
    dialog = window.open_add_member_dialog()
    type_chinese(dialog.name, "王小明")
    qtbot.keyClicks(dialog.id_number, BAD_ID)
    dialog.mobile.setText("1380013800")  # ten digits, never left the field
    dialog.union.setCurrentText(union_choices(demo_engine)[0][1])
    press_ctrl_s(qtbot, dialog)
    assert dialog.error_text("id_number") == "身份证号第18位校验码应为“X”，现为“1”"
    assert dialog.error_text("mobile") == "手机号码应为11位数字，现为10位"
    assert dialog.isVisible()
    assert record_counts(demo_engine)["members"] == before


def test_add_member_requires_a_union_from_the_list(qtbot, window, demo_engine):
    dialog = window.open_add_member_dialog()
    type_chinese(dialog.name, "王小明")
    qtbot.keyClicks(dialog.id_number, GOOD_ID)
    type_chinese(dialog.union.lineEdit(), "不存在的工会")
    press_ctrl_s(qtbot, dialog)
    assert dialog.error_text("union") == "请从列表中选择所在工会"


def test_add_member_escape_cancels(qtbot, window, demo_engine):
    before = record_counts(demo_engine)["members"]
    dialog = window.open_add_member_dialog()
    type_chinese(dialog.name, "王小明")
    with qtbot.waitSignal(dialog.rejected):
        press(qtbot, dialog, Qt.Key.Key_Escape)
    assert record_counts(demo_engine)["members"] == before


def test_add_employer_refuses_a_wrong_credit_code(qtbot, window, demo_engine):
    before = record_counts(demo_engine)["employers"]
    dialog = window.open_add_employer_dialog()
    type_chinese(dialog.name, "重庆测试科技有限公司")
    qtbot.keyClicks(dialog.credit_code, "91350100M000100Y44")
    assert dialog.error_text("credit_code") == "统一社会信用代码第18位校验码应为“3”，现为“4”"
    press_ctrl_s(qtbot, dialog)
    assert dialog.isVisible()
    assert record_counts(demo_engine)["employers"] == before
    dialog.credit_code.clear()
    qtbot.keyClicks(dialog.credit_code, "91350100M000100Y43")
    assert dialog.error_text("credit_code") == ""
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    assert record_counts(demo_engine)["employers"] == before + 1


def open_first_member(qtbot, window):
    from tests.ui.test_main_window import click_area, wait_for_rows

    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(0)
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = next(d for d in window.findChildren(QDialog) if d.windowTitle() == "会员信息" and d.isVisible())
    return page, dialog


def test_enter_opens_the_member_with_the_whole_id_number(qtbot, window, demo_engine):
    from models.registers import member_details

    page, dialog = open_first_member(qtbot, window)
    details = member_details(demo_engine, page.model.record_id(0))
    assert dialog.id_number.text() == details.id_number  # whole: accounts off, the clerk may see it
    assert page.model.index(0, 1).data() == details.id_number
    assert dialog.name.text() == details.name
    assert dialog.union.currentText() == details.union_name


def test_editing_a_member_checks_like_a_new_one_and_saves(qtbot, window, demo_engine):
    from models.registers import member_details

    page, dialog = open_first_member(qtbot, window)
    member_id = page.model.record_id(0)
    before = member_details(demo_engine, member_id)
    dialog.mobile.clear()
    qtbot.keyClicks(dialog.mobile, "1280013800")
    press_ctrl_s(qtbot, dialog)
    assert dialog.error_text("mobile") == "手机号码应为11位数字，现为10位"
    assert member_details(demo_engine, member_id) == before
    dialog.mobile.clear()
    qtbot.keyClicks(dialog.mobile, "139 0000 1111")
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    after = member_details(demo_engine, member_id)
    assert after.mobile == "13900001111" and after.name == before.name
    qtbot.waitUntil(lambda: "13900001111" in shown_mobiles(page), timeout=10_000)


def shown_mobiles(page) -> list[str]:
    from tests.ui.conftest import shown_rows

    return shown_rows(page.table, 3)


def test_ctrl_n_on_the_member_list_opens_a_new_member(qtbot, window):
    from tests.ui.test_main_window import click_area

    page = click_area(qtbot, window, "会员")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert any(d.windowTitle() == "新增会员" and d.isVisible() for d in window.findChildren(QDialog))
