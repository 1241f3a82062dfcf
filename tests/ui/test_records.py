"""The employer page, union forms, the union tree, bulk member actions, the recycle bin and duplicates,
driven as a clerk drives them: click, type, press keys, read what is shown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QTableWidget

from models import codes
from models.employers import employer_overview
from models.members import change_member_status, recycled_entries
from models.registers import add_member, record_counts, union_choices
from models.statistics import overview
from models.unions import union_details
from tests.helpers import query
from tests.ui.conftest import open_window, type_chinese
from tests.ui.test_dialogs import press, press_ctrl_s
from tests.ui.test_main_window import click_area, wait_for_rows
from ui.pages.union_tree import UNION_ID

UNION_BODY = "81500112MA60A1B2C"
UNION_CODE = UNION_BODY + codes.credit_check_char(UNION_BODY)


def visible_dialog(window, title_start: str) -> QDialog:
    return next(
        d for d in window.findChildren(QDialog) if d.isVisible() and d.windowTitle().startswith(title_start)
    )


def open_row(qtbot, page, row: int = 0) -> None:
    """Select a row and press Enter on it, as a clerk opens a record from a list."""
    page.table.setFocus()
    page.table.selectRow(row)
    page.table.setCurrentIndex(page.model.index(row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)


def select_rows(qtbot, page, rows: list[int]) -> None:
    """Click the first row, then Ctrl+click the others, as a clerk picks rows that are not adjacent."""
    for position, row in enumerate(rows):
        rect = page.table.visualRect(page.model.index(row, 0))
        modifier = Qt.KeyboardModifier.ControlModifier if position else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def member_count(data_dir) -> int:
    return query(data_dir.database, "SELECT count(*) FROM member")[0][0]


# --- the employer page --------------------------------------------------------------------------------


def test_enter_on_an_employer_opens_its_page_with_its_union_and_tasks(qtbot, window, demo_engine, data_dir):
    employer_id = query(data_dir.database, "SELECT employer_id FROM organizing_task LIMIT 1")[0][0]
    name = query(data_dir.database, "SELECT name FROM employer WHERE id = ?", (employer_id,))[0][0]
    page = click_area(qtbot, window, "单位")
    wait_for_rows(qtbot, page)
    type_chinese(page.search, name)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.complete, timeout=10_000)
    open_row(qtbot, page)
    dialog = visible_dialog(window, "单位信息")
    assert dialog.windowTitle() == f"单位信息：{name}"
    assert dialog.name.text() == name
    assert dialog.union_state.text().startswith("未建会")  # a task exists only while there is no union
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs[0] == "基本信息" and tabs[2].startswith("建会任务 (1)")
    facts = employer_overview(demo_engine, employer_id)
    task_table = dialog.tabs.widget(2).findChild(QTableWidget)
    assert task_table.item(0, 0).text() == f"{facts.tasks[0].year}年"


def test_editing_an_employer_saves_with_ctrl_s(qtbot, window, demo_engine, data_dir):
    employer_id = query(data_dir.database, "SELECT id FROM employer ORDER BY id LIMIT 1")[0][0]
    dialog = window.open_employer(employer_id)
    dialog.staff_count.setValue(321)
    dialog.address.clear()
    type_chinese(dialog.address, "两江新区星光大道2号")
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    fields = employer_overview(demo_engine, employer_id).fields
    assert (fields.staff_count, fields.address) == (321, "两江新区星光大道2号")


# --- unions -------------------------------------------------------------------------------------------


def test_a_new_joint_union_covers_the_employers_picked_by_typing(qtbot, window, demo_engine, data_dir):
    rows = query(
        data_dir.database,
        "SELECT id, name FROM employer WHERE id NOT IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT 2",
    )
    page = click_area(qtbot, window, "基层工会")
    qtbot.mouseClick(window.add_union_button, Qt.MouseButton.LeftButton)
    dialog = visible_dialog(window, "新增基层工会")
    type_chinese(dialog.name, "礼嘉商圈联合工会")
    qtbot.keyClicks(dialog.credit_code, UNION_CODE[:-1] + ("0" if UNION_CODE[-1] != "0" else "1"))
    assert "校验码" in dialog.error_text("credit_code")
    dialog.credit_code.clear()
    qtbot.keyClicks(dialog.credit_code, UNION_CODE)
    assert dialog.error_text("credit_code") == ""
    dialog.kind.setCurrentIndex(dialog.kind.findData("joint"))
    for _, name in rows:
        dialog.employer_search.setCurrentIndex(
            dialog.employer_search.findText(name, Qt.MatchFlag.MatchStartsWith)
        )
        qtbot.mouseClick(dialog.add_employer_button, Qt.MouseButton.LeftButton)
    assert dialog.employers.count() == 2
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    details = union_details(demo_engine, dialog.saved_id)
    assert sorted(details.fields.employer_ids) == [row[0] for row in rows]
    assert details.fields.credit_code == UNION_CODE
    wait_for_rows(qtbot, page)


def test_a_single_union_with_two_employers_is_refused_beside_the_field(qtbot, window, demo_engine, data_dir):
    before = record_counts(demo_engine)["unions"]
    dialog = window.open_add_union_dialog()
    type_chinese(dialog.name, "某公司工会")
    for employer_id in [row[0] for row in query(data_dir.database, "SELECT id FROM employer LIMIT 2")]:
        dialog.add_employer(employer_id)
    press_ctrl_s(qtbot, dialog)
    assert "联合基层工会" in dialog.error_text("employer_ids")
    assert dialog.isVisible() and record_counts(demo_engine)["unions"] == before


def tree_leaves(page) -> dict[int, object]:
    leaves = {}
    root = page.tree.topLevelItem(0)
    for b in range(root.childCount()):
        branch = root.child(b)
        for u in range(branch.childCount()):
            leaves[branch.child(u).data(0, UNION_ID)] = branch.child(u)
    return leaves


def test_the_union_tree_counts_members_and_records_a_transfer_out(qtbot, window, demo_engine):
    page = click_area(qtbot, window, "组织架构")
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=10_000)
    totals, by_parent = overview(demo_engine)
    root = page.tree.topLevelItem(0)
    assert root.text(0) == totals.name
    assert root.text(3) == f"{totals.members:,}" and root.text(4) == f"{totals.covered_staff:,}"
    assert [root.child(i).text(0) for i in range(root.childCount())] == [f.name for f in by_parent]

    union_id, leaf = next(iter(tree_leaves(page).items()))
    page.tree.setCurrentItem(leaf)
    assert not page.buttons["transferred_in"].isEnabled()
    qtbot.mouseClick(page.buttons["transferred_out"], Qt.MouseButton.LeftButton)
    dialog = visible_dialog(window, "组织关系转出")
    press_ctrl_s(qtbot, dialog)
    assert "原因" in dialog.error_text("reason")  # 转出 needs a reason
    dialog.reason.setFocus()
    type_chinese(dialog.reason, "单位迁往渝北区")
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    qtbot.waitUntil(lambda: union_id not in tree_leaves(page), timeout=10_000)
    assert union_details(demo_engine, union_id).status == "transferred_out"

    page.include_closed.setChecked(True)
    qtbot.waitUntil(lambda: union_id in tree_leaves(page), timeout=10_000)
    page.tree.setCurrentItem(tree_leaves(page)[union_id])
    assert page.buttons["transferred_in"].isEnabled() and not page.buttons["moved"].isEnabled()


def test_double_click_in_the_tree_opens_the_union_with_its_history(qtbot, window, demo_engine):
    page = click_area(qtbot, window, "组织架构")
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=10_000)
    union_id, leaf = next(iter(tree_leaves(page).items()))
    page.tree.itemActivated.emit(leaf, 0)
    dialog = visible_dialog(window, "工会信息")
    assert dialog.name.text() == union_details(demo_engine, union_id).fields.name
    assert not dialog.first_level_union.isEnabled()  # a move has its own date and reason
    assert dialog.tabs.tabText(1) == "变动记录 (0)"


# --- the selected members -----------------------------------------------------------------------------


def test_transfer_three_selected_members_says_how_many_and_moves_them(qtbot, window, demo_engine, data_dir):
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    select_rows(qtbot, page, [0, 2, 4])
    ids = page.selected_ids()
    target_id, target_name = union_choices(demo_engine)[-1]
    dialog = window.transfer_selected_members()
    assert dialog.summary.text() == "将选中的 3 名会员转到以下基层工会："
    dialog.union.setCurrentText(target_name)
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    rows = query(
        data_dir.database, f"SELECT DISTINCT union_id FROM member WHERE id IN ({','.join(map(str, ids))})"
    )
    assert rows == [(target_id,)]


def test_nothing_selected_asks_the_clerk_to_select(qtbot, window, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(window, "tell", told.append)
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    page.table.clearSelection()
    assert window.change_selected_member_status() is None
    assert "选中" in told[0]


def test_withdrawing_members_records_status_and_date(qtbot, window, demo_engine, data_dir):
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    select_rows(qtbot, page, [1, 3])
    ids = page.selected_ids()
    dialog = window.change_selected_member_status()
    dialog.status.setCurrentIndex(dialog.status.findData("withdrawn"))
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    rows = query(
        data_dir.database,
        f"SELECT DISTINCT status, left_on FROM member WHERE id IN ({','.join(map(str, ids))})",
    )
    assert rows == [("withdrawn", date.today().isoformat())]


def _left_today(qtbot, window, demo_engine) -> list[int]:
    """Two members chosen on the members page, both recorded as having left today."""
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    select_rows(qtbot, page, [0, 2])
    ids = page.selected_ids()
    change_member_status(demo_engine, ids, "transferred_out", date.today())
    return ids


def test_bringing_members_back_asks_for_the_rejoining_date_and_records_it(
    qtbot, window, demo_engine, data_dir
):
    ids = _left_today(qtbot, window, demo_engine)
    dialog = window.change_selected_member_status()
    assert dialog.date_label.text() == "转出/退会日期"

    dialog.status.setCurrentIndex(dialog.status.findData("active"))

    assert dialog.date_label.text() == "重新入会日期"
    assert dialog.left_on.isVisibleTo(dialog) and dialog.left_on.isEnabled()
    assert dialog.left_on.date().toPython() == date.today()
    assert dialog.left_on.maximumDate().toPython() == date.today(), "never in the future"
    with qtbot.waitSignal(dialog.accepted):
        press_ctrl_s(qtbot, dialog)
    marks = ",".join(map(str, ids))
    assert query(data_dir.database, f"SELECT DISTINCT status, left_on FROM member WHERE id IN ({marks})") == [
        ("active", None)
    ]
    latest = query(
        data_dir.database,
        f"SELECT kind, happened_on FROM membership_change WHERE member_id IN ({marks}) "
        "ORDER BY happened_on DESC, id DESC LIMIT 2",
    )
    assert latest == [("rejoined", date.today().isoformat())] * 2


def test_a_rejoining_date_before_the_leaving_is_refused_in_the_dialog(qtbot, window, demo_engine, data_dir):
    ids = _left_today(qtbot, window, demo_engine)
    dialog = window.change_selected_member_status()
    dialog.status.setCurrentIndex(dialog.status.findData("active"))
    dialog.left_on.setDate(date.today() - timedelta(days=1))

    press_ctrl_s(qtbot, dialog)

    qtbot.waitUntil(lambda: dialog.general_error.isVisible(), timeout=10_000)
    assert "重新入会日期不能早于离会日期" in dialog.general_error.text()
    assert dialog.isVisible()
    marks = ",".join(map(str, ids))
    assert query(data_dir.database, f"SELECT DISTINCT status FROM member WHERE id IN ({marks})") == [
        ("transferred_out",)
    ]


def test_delete_moves_members_to_the_recycle_bin_and_restore_brings_them_back(
    qtbot, window, demo_engine, data_dir, monkeypatch
):
    monkeypatch.setattr(window, "confirm_recycle", lambda count: count == 2)
    before = member_count(data_dir)
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page, before)
    select_rows(qtbot, page, [0, 1])
    press(qtbot, window, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: member_count(data_dir) == before - 2, timeout=10_000)
    qtbot.waitUntil(lambda: page.count.text() == f"共 {before - 2:,} 条", timeout=10_000)

    qtbot.mouseClick(window.recycle_bin_button, Qt.MouseButton.LeftButton)
    bin_dialog = visible_dialog(window, "回收站")
    assert bin_dialog.table.rowCount() == 2
    assert "2 条记录" in bin_dialog.summary.text()
    bin_dialog.table.selectAll()
    with qtbot.waitSignal(bin_dialog.records_changed, timeout=10_000):
        qtbot.mouseClick(bin_dialog.restore_button, Qt.MouseButton.LeftButton)
    assert member_count(data_dir) == before
    assert bin_dialog.table.rowCount() == 0 and bin_dialog.summary.text() == "回收站是空的。"
    qtbot.waitUntil(lambda: page.count.text() == f"共 {before:,} 条", timeout=10_000)


def test_delete_in_the_search_box_deletes_a_character_not_members(qtbot, window, data_dir, monkeypatch):
    monkeypatch.setattr(window, "confirm_recycle", lambda count: True)
    before = member_count(data_dir)
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    select_rows(qtbot, page, [0])
    page.search.setFocus()
    qtbot.keyClicks(page.search, "13")
    page.search.setCursorPosition(0)
    press(qtbot, window, Qt.Key.Key_Delete)
    assert page.search.text() == "3"
    assert member_count(data_dir) == before


def test_purging_asks_first(qtbot, window, demo_engine, data_dir, monkeypatch):
    monkeypatch.setattr(window, "confirm_recycle", lambda count: True)
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    select_rows(qtbot, page, [0])
    window.recycle_selected_members()
    window.runner.wait_all()
    dialog = window.open_recycle_bin()
    dialog.table.selectAll()
    monkeypatch.setattr(dialog, "confirm_purge", lambda count: False)
    qtbot.mouseClick(dialog.purge_button, Qt.MouseButton.LeftButton)
    assert len(recycled_entries(demo_engine)) == 1
    monkeypatch.setattr(dialog, "confirm_purge", lambda count: count == 1)
    dialog.table.selectAll()
    qtbot.mouseClick(dialog.purge_button, Qt.MouseButton.LeftButton)
    assert recycled_entries(demo_engine) == []


# --- duplicates ---------------------------------------------------------------------------------------


def test_a_possible_duplicate_is_listed_and_merged(qtbot, window, demo_engine, data_dir):
    (first, _), (second, _) = union_choices(demo_engine)[:2]
    ids = []
    for sequence, union in ((901, first), (931, second)):
        body = f"50011219880315{sequence}"
        ids.append(
            add_member(
                demo_engine,
                name="欧阳明",
                id_number=body + codes.id_check_char(body),
                union=union,
                joined_on=date(2020, 1, 1),
            ).id
        )
    qtbot.mouseClick(window.duplicates_button, Qt.MouseButton.LeftButton)
    dialog = visible_dialog(window, "疑似重复会员")
    qtbot.waitUntil(lambda: any({p.first.id, p.second.id} == set(ids) for p in dialog.pairs), timeout=10_000)
    row = next(i for i, p in enumerate(dialog.pairs) if {p.first.id, p.second.id} == set(ids))
    assert dialog.table.item(row, 0).text() == "姓名和出生日期相同"
    assert dialog.table.item(row, 1).text() == "欧阳明" and "*" in dialog.table.item(row, 2).text()
    dialog.table.selectRow(row)
    with qtbot.waitSignal(dialog.records_changed):
        qtbot.mouseClick(dialog.keep_left, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not any({p.first.id, p.second.id} == set(ids) for p in dialog.pairs), timeout=10_000
    )
    remaining = query(data_dir.database, f"SELECT id FROM member WHERE id IN ({','.join(map(str, ids))})")
    assert remaining == [(min(ids),)]  # the left record is the one registered first
    assert "合并" in recycled_entries(demo_engine)[0].reason


# --- columns ------------------------------------------------------------------------------------------


def test_a_hidden_column_stays_hidden_in_the_next_session(qtbot, app, demo_engine, data_dir):
    window = open_window(qtbot, demo_engine, data_dir)
    page = click_area(qtbot, window, "会员")
    menu = page.column_menu()
    mobile = next(a for a in menu.actions() if a.text() == "手机号码")
    mobile.setChecked(False)
    column = mobile.data()
    assert page.table.isColumnHidden(column)
    window.close()
    QSettings(str(data_dir.window_state_file), QSettings.Format.IniFormat).sync()
    again = open_window(qtbot, demo_engine, data_dir)
    assert click_area(qtbot, again, "会员").table.isColumnHidden(column)
    again.close()


@pytest.mark.parametrize("area", ["单位", "基层工会"])
def test_ctrl_n_opens_the_new_record_form(qtbot, window, area):
    click_area(qtbot, window, area)
    press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    title = {"单位": "新增单位", "基层工会": "新增基层工会"}[area]
    qtbot.waitUntil(
        lambda: any(d.isVisible() and d.windowTitle() == title for d in window.findChildren(QDialog))
    )
