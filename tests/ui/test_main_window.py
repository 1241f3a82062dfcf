"""The first window, driven as a clerk drives it: click an area, read the list, type a search, sort."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from models.database import reading
from models.demo import DemoPlan
from models.entities import Member
from models.listing import LISTINGS
from models.registers import database_is_empty, record_counts
from models.statistics import overview
from tests.ui.conftest import open_window, shown_rows, type_chinese
from ui.main_window import AREAS, MainWindow
from ui.pages.list_page import ListPage
from ui.table_model import ListingModel


def click_area(qtbot, window: MainWindow, area: str):
    item = window.navigation.item(AREAS.index(area))
    rect = window.navigation.visualItemRect(item)
    qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return window.stack.currentWidget()


def wait_for_rows(qtbot, page: ListPage, expected: int | None = None) -> None:
    def loaded():
        assert page.count.text()
        if expected is not None:
            assert page.model.rowCount() == expected

    qtbot.waitUntil(loaded, timeout=10_000)


def test_navigation_lists_every_area_in_chinese(window):
    shown = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert shown == [
        "首页",
        "单位",
        "未建会",
        "基层工会",
        "组织架构",
        "会员",
        "建会任务",
        "一函两书",
        "统计",
        "设置",
    ]


@pytest.mark.parametrize(
    ("area", "listing"),
    [("单位", "employers"), ("基层工会", "unions"), ("会员", "members"), ("建会任务", "organizing_tasks")],
)
def test_each_register_shows_all_its_records(qtbot, window, demo_engine, area, listing):
    page = click_area(qtbot, window, area)
    assert isinstance(page, ListPage) and page.model.listing_key == listing
    counts = record_counts(demo_engine)
    expected = {"employers": counts["employers"], "unions": counts["unions"], "members": counts["members"],
                "organizing_tasks": counts["organizing_tasks"]}[listing]  # fmt: skip
    wait_for_rows(qtbot, page, expected)
    assert page.count.text() == f"共 {expected:,} 条"
    titles = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    assert all(re.search(r"[\u4e00-\u9fff]", title) for title in titles)


def test_member_list_shows_whole_id_numbers_and_phones_to_who_may_see_them(qtbot, window):
    """Accounts off: the Windows user has every right, so the list shows the whole values (a reader's are
    masked: tests/ui/test_privacy.py)."""
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    ids = shown_rows(page.table, 1)[:200]
    phones = [text for text in shown_rows(page.table, 3)[:200] if text]
    assert ids and all(re.fullmatch(r"\d{17}[\dX]", text) for text in ids)
    assert phones and all(re.fullmatch(r"1\d{10}", text) for text in phones)


def test_search_as_you_type_one_character(qtbot, window, demo_engine):
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    with reading(demo_engine) as s, s.begin():
        rows = s.execute(select(Member.name, Member.id_number, Member.mobile)).all()
    expected = sum(
        1 for name, number, mobile in rows if "张" in name or "张" in number or "张" in (mobile or "")
    )
    assert 0 < expected < len(rows)
    with qtbot.waitSignal(page.model.row_count_changed, timeout=10_000):
        type_chinese(page.search, "张")
    qtbot.waitUntil(lambda: page.model.rowCount() == expected, timeout=10_000)
    assert page.count.text() == f"找到 {expected:,} 条"
    assert all("张" in name for name in shown_rows(page.table, 0))
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == len(rows), timeout=10_000)


def test_clicking_a_header_sorts_in_sql_both_ways(qtbot, window):
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    header = page.table.horizontalHeader()
    joined_column = LISTINGS["members"].column_keys.index("joined_on")
    position = QPoint(header.sectionViewportPosition(joined_column) + 5, header.height() // 2)
    with qtbot.waitSignal(page.model.row_count_changed, timeout=10_000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=position)
    dates = shown_rows(page.table, joined_column)
    assert dates == sorted(dates) and dates[0] < dates[-1]
    with qtbot.waitSignal(page.model.row_count_changed, timeout=10_000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert shown_rows(page.table, joined_column) == sorted(dates, reverse=True)


def test_home_and_statistics_show_the_computed_figures(qtbot, window, demo_engine):
    totals, rows = overview(demo_engine)
    home = window.pages["首页"]
    qtbot.waitUntil(lambda: home.cards["members"].value.text() != "…", timeout=10_000)
    assert home.cards["members"].value.text() == f"{totals.members:,} 名"
    assert home.cards["due_without_union"].value.text() == f"{totals.due_without_union:,} 家"
    page = click_area(qtbot, window, "统计")
    table = page.tables["by_parent"]
    qtbot.waitUntil(lambda: table.rowCount() == len(rows) + 1, timeout=10_000)
    last = table.rowCount() - 1
    assert table.item(last, 0).text() == "合计"
    assert [table.item(r, 0).text() for r in range(last)] == [figures.name for figures in rows]
    headings = [table.horizontalHeaderItem(c).text().replace("\n", "") for c in range(table.columnCount())]
    # This year's report counts, at the year's end, the members and unions here now (no date in the future).
    members = headings.index("期末会员（人）")
    members_shown = [int(table.item(r, members).text().replace(",", "")) for r in range(last)]
    assert members_shown == [figures.members for figures in rows]
    assert sum(members_shown) == int(table.item(last, members).text().replace(",", "")) == totals.members
    unions = headings.index("期末基层工会（家）")
    assert int(table.item(last, unions).text().replace(",", "")) == totals.unions


def test_settings_are_saved_and_shown_on_home(qtbot, window, demo_engine):
    page = click_area(qtbot, window, "设置")
    page.name.clear()
    type_chinese(page.name, "重庆市某某区总工会")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "设置已保存。"
    home = click_area(qtbot, window, "首页")
    qtbot.waitUntil(lambda: home.heading.text() == "首页 · 重庆市某某区总工会", timeout=10_000)
    page = click_area(qtbot, window, "设置")
    page.name.clear()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "总工会名称不能为空"


def test_first_start_offers_demo_data_and_loads_it(qtbot, app, engine, data_dir):
    window = open_window(qtbot, engine, data_dir)
    asked = []
    window.ask_load_demo = lambda: asked.append(True) or True
    window.first_start_demo = DemoPlan(employers=20, members=300, seed=3)
    window.offer_demo_data()
    qtbot.waitUntil(lambda: not database_is_empty(engine) and not window.runner.busy, timeout=20_000)
    assert asked == [True]
    assert record_counts(engine)["members"] == 300
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page, 300)


def test_first_start_declined_leaves_the_database_empty(qtbot, app, engine, data_dir):
    window = open_window(qtbot, engine, data_dir)
    window.ask_load_demo = lambda: False
    window.offer_demo_data()
    assert database_is_empty(engine)


def test_column_widths_are_remembered(qtbot, app, demo_engine, data_dir):
    window = open_window(qtbot, demo_engine, data_dir)
    page = click_area(qtbot, window, "单位")
    page.table.horizontalHeader().resizeSection(0, 333)
    window.close()
    window = open_window(qtbot, demo_engine, data_dir)
    page = click_area(qtbot, window, "单位")
    assert page.table.horizontalHeader().sectionSize(0) == 333


@pytest.mark.parametrize("listing", list(LISTINGS))
def test_listing_models_pass_qt_model_tester(qtmodeltester, demo_engine, listing):
    model = ListingModel(demo_engine, listing)
    model.reload()
    qtmodeltester.check(model)


def test_a_large_answer_shows_its_first_page_then_every_row(qtbot, window, demo_engine):
    from models.listing import list_ids
    from ui.table_model import PAGE_SIZE

    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page, record_counts(demo_engine)["members"])
    expected = len(list_ids(demo_engine, "members", search="1"))
    assert expected > PAGE_SIZE
    with qtbot.waitSignal(page.model.rows_shown, timeout=10_000):
        qtbot.keyClicks(page.search, "1")
    assert page.model.rowCount() == PAGE_SIZE
    assert page.count.text() == "正在统计…"
    qtbot.waitUntil(lambda: page.model.rowCount() == expected, timeout=10_000)
    assert page.count.text() == f"找到 {expected:,} 条"
    assert page.model.complete


def choose(qtbot, combo, text: str) -> None:
    """Pick an entry of a drop-down as a clerk does: open it, click the entry."""
    index = combo.findText(text)
    assert index >= 0, f"{text} is not offered"
    combo.showPopup()
    view = combo.view()
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(index, 0)).center()
    )
    qtbot.waitUntil(lambda: combo.currentIndex() == index)


def test_filter_employers_without_a_union(qtbot, window, demo_engine):
    totals, _ = overview(demo_engine)
    page = click_area(qtbot, window, "单位")
    wait_for_rows(qtbot, page, totals.employers)
    choose(qtbot, page.filters["has_union"], "未建会")
    qtbot.waitUntil(
        lambda: page.count.text() == f"找到 {totals.employers_without_union:,} 条", timeout=10_000
    )
    column = LISTINGS["employers"].column_keys.index("union")
    assert set(shown_rows(page.table, column)) == {"未建会"}
    choose(qtbot, page.filters["has_union"], "建会情况不限")
    qtbot.waitUntil(lambda: page.count.text() == f"共 {totals.employers:,} 条", timeout=10_000)


def test_filter_members_by_first_level_union(qtbot, window, demo_engine):
    _, rows = overview(demo_engine)
    page = click_area(qtbot, window, "会员")
    wait_for_rows(qtbot, page)
    first = rows[0]
    choose(qtbot, page.filters["first_level_union"], first.name)
    choose(qtbot, page.filters["status"], "在会")
    qtbot.waitUntil(lambda: page.count.text() == f"找到 {first.members:,} 条", timeout=10_000)
