"""统计, driven as a clerk drives it: choose a period, read the figures, open one into its records, export.

A small federation written here, with its 2019 figures worked out by hand:

- 礼嘉街道工会: 甲公司 (非公企业, 150 staff) and its union U1, founded 15 March 2019 (150 covered staff);
  members m1 (20 March 2019), m2 (31 December 2019), m3 (1 January 2020).
- 金山街道工会: 乙公司 (国有企业, 120 staff) and U2, founded 31 December 2019 (120 covered staff), with m4
  (1 May 2019); 丙公司 (非公企业, 80 staff) and U3, founded in 2018, with m5 (2018) and m6 (1 February 2019).

So in 2019: new unions 1 + 1 = 2, covered staff 150 + 120 = 270, new members 2 (m1, m2) + 2 (m4, m6) = 4;
by class 非公企业 1 union and 3 members (m1, m2, m6), 国有企业 1 and 1 (m4). Employers with 100+ staff:
甲 and 乙, both with a union at the year end: 2 of 2, 100.0%. In the first quarter: U1, and m1 and m6.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QTableWidget
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models import codes
from models.entities import Employer, FirstLevelUnion, Member, Union
from tests.ui.conftest import open_window
from tests.ui.test_main_window import choose, click_area
from ui.dialogs.edit_member import EditMemberDialog
from ui.dialogs.edit_union import EditUnionDialog
from ui.dialogs.view_figure_records import FigureRecordsDialog
from ui.dialogs.view_pdf import ViewPdfDialog
from ui.pages.statistics import StatisticsPage


@dataclass(frozen=True)
class Ids:
    unions: dict[str, int]
    members: dict[str, int]


def _id_number(n: int) -> str:
    first17 = f"50011219800101{n:03d}"
    return first17 + codes.id_check_char(first17)


def build(engine: Engine) -> Ids:
    with Session(engine) as s, s.begin():
        lijia = FirstLevelUnion(name="礼嘉街道工会", kind="street", sort_order=1)
        jinshan = FirstLevelUnion(name="金山街道工会", kind="street", sort_order=2)
        jia = Employer(name="甲公司", employer_class="non_public", staff_count=150, first_level_union=lijia)
        yi = Employer(name="乙公司", employer_class="state_owned", staff_count=120, first_level_union=jinshan)
        bing = Employer(name="丙公司", employer_class="non_public", staff_count=80, first_level_union=jinshan)
        unions = {
            "U1": Union(name="甲公司工会", first_level_union=lijia, founded_on=date(2019, 3, 15),
                        covered_staff=150, employers=[jia]),
            "U2": Union(name="乙公司工会", first_level_union=jinshan, founded_on=date(2019, 12, 31),
                        covered_staff=120, employers=[yi]),
            "U3": Union(name="丙公司工会", first_level_union=jinshan, founded_on=date(2018, 6, 1),
                        covered_staff=80, employers=[bing]),
        }  # fmt: skip
        s.add_all([lijia, jinshan, jia, yi, bing, *unions.values()])
        joined = {"m1": ("U1", date(2019, 3, 20)), "m2": ("U1", date(2019, 12, 31)), "m3": ("U1", date(2020, 1, 1)),
                  "m4": ("U2", date(2019, 5, 1)), "m5": ("U3", date(2018, 7, 1)), "m6": ("U3", date(2019, 2, 1))}  # fmt: skip
        members = {
            name: Member(name=f"会员{name}", id_number=_id_number(n), union=unions[union], joined_on=on)
            for n, (name, (union, on)) in enumerate(joined.items())
        }
        s.add_all(members.values())
        s.flush()
        return Ids({k: u.id for k, u in unions.items()}, {k: m.id for k, m in members.items()})


@pytest.fixture
def federation(qtbot, app, engine: Engine, data_dir):
    ids = build(engine)
    window = open_window(qtbot, engine, data_dir)
    yield window, ids
    window.runner.wait_all()


def show_year(qtbot, page: StatisticsPage, year: int) -> None:
    """Choose 年度 and type the year, as a clerk does, and wait for its figures."""
    choose(qtbot, page.period.kind, "年度")
    page.period.year.setFocus()
    page.period.year.selectAll()
    qtbot.keyClicks(page.period.year, str(year))
    wait_for_period(qtbot, page, f"{year}年")


def wait_for_period(qtbot, page: StatisticsPage, label: str) -> None:
    qtbot.waitUntil(lambda: page.report is not None and page.report.period.label == label, timeout=10_000)
    qtbot.waitUntil(lambda: label in page.status.text())


def cell(table: QTableWidget, row_name: str, heading: str) -> str:
    """The text shown where a row (by its first cell) meets a column (by its heading, read on one line)."""
    headings = [table.horizontalHeaderItem(c).text().replace("\n", "") for c in range(table.columnCount())]
    rows = [table.item(r, 0).text() for r in range(table.rowCount())]
    return table.item(rows.index(row_name), headings.index(heading)).text()


def double_click(qtbot, table: QTableWidget, row: int, column: int) -> None:
    # A double-click is a click and then a second press: the view opens the cell only if both hit it.
    rect = table.visualItemRect(table.item(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def position(table: QTableWidget, row_name: str, heading: str) -> tuple[int, int]:
    headings = [table.horizontalHeaderItem(c).text().replace("\n", "") for c in range(table.columnCount())]
    rows = [table.item(r, 0).text() for r in range(table.rowCount())]
    return rows.index(row_name), headings.index(heading)


def opened_records(qtbot, page: StatisticsPage, expected: int) -> FigureRecordsDialog:
    qtbot.waitUntil(lambda: page.figure_dialog is not None and page.figure_dialog.isVisible(), timeout=10_000)
    dialog = page.figure_dialog
    qtbot.waitUntil(
        lambda: dialog.page.model.rowCount() == expected and bool(dialog.page.count.text()), timeout=10_000
    )
    return dialog


def test_this_year_is_shown_first(qtbot, federation):
    window, _ = federation
    page = click_area(qtbot, window, "统计")
    this_year = date.today().year
    assert page.period.kind.currentText() == "年度" and page.period.year.value() == this_year
    wait_for_period(qtbot, page, f"{this_year}年")
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "汇总",
        "按一级工会",
        "按单位类型",
        "一函两书",
    ]


def test_a_years_figures_by_first_level_union_and_class_with_bold_totals(qtbot, federation):
    window, _ = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    summary = page.tables["summary"]
    assert cell(summary, "新建工会", "数值") == "2" and cell(summary, "新建工会", "单位") == "家"
    assert cell(summary, "新建工会覆盖职工", "数值") == "270"
    assert cell(summary, "新增会员", "数值") == "4" and cell(summary, "新增会员", "单位") == "人"
    assert cell(summary, "职工100人以上单位建会率", "数值") == "100.0%"
    assert cell(summary, "文书答复率", "数值") == "—"  # nothing served: no rate, not 0%

    by_parent = page.tables["by_parent"]
    assert [by_parent.item(r, 0).text() for r in range(by_parent.rowCount())] == [
        "礼嘉街道工会",
        "金山街道工会",
        "合计",
    ]
    assert [cell(by_parent, row, "新建工会（家）") for row in ("礼嘉街道工会", "金山街道工会", "合计")] == [
        "1",
        "1",
        "2",
    ]
    assert [cell(by_parent, row, "新增会员（人）") for row in ("礼嘉街道工会", "金山街道工会", "合计")] == [
        "2",
        "2",
        "4",
    ]
    assert cell(by_parent, "礼嘉街道工会", "新建工会覆盖职工（人）") == "150"
    assert by_parent.item(by_parent.rowCount() - 1, 1).font().bold()
    assert not by_parent.item(0, 1).font().bold()
    number = by_parent.item(0, 1).textAlignment()
    assert number & Qt.AlignmentFlag.AlignRight

    by_class = page.tables["by_class"]
    assert (
        cell(by_class, "非公企业", "新建工会（家）") == "1"
        and cell(by_class, "非公企业", "新增会员（人）") == "3"
    )
    assert (
        cell(by_class, "国有企业", "新建工会（家）") == "1"
        and cell(by_class, "国有企业", "新增会员（人）") == "1"
    )
    assert cell(by_class, "合计", "新增会员（人）") == "4"


def test_a_quarter_a_month_and_two_dates(qtbot, federation):
    window, _ = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    choose(qtbot, page.period.kind, "季度")
    choose(qtbot, page.period.part, "第一季度")
    wait_for_period(qtbot, page, "2019年第一季度")
    assert cell(page.tables["summary"], "新建工会", "数值") == "1"  # U1, 15 March
    assert cell(page.tables["summary"], "新增会员", "数值") == "2"  # m6 in February, m1 in March

    choose(qtbot, page.period.kind, "月份")
    choose(qtbot, page.period.part, "12月")
    wait_for_period(qtbot, page, "2019年12月")
    assert cell(page.tables["summary"], "新建工会", "数值") == "1"  # U2, 31 December
    assert cell(page.tables["summary"], "新增会员", "数值") == "1"  # m2, 31 December

    choose(qtbot, page.period.kind, "自定义")
    assert page.period.start.isVisible() and not page.period.year.isVisible()
    page.period.start.setDate(QDate(2019, 12, 31))
    page.period.end.setDate(QDate(2020, 1, 1))
    wait_for_period(qtbot, page, "2019年12月31日至2020年1月1日")
    assert cell(page.tables["summary"], "新增会员", "数值") == "2"  # m2 on 31 December, m3 on 1 January

    page.period.end.setDate(QDate(2019, 1, 1))  # before the start
    qtbot.waitUntil(lambda: page.message.isVisible())
    assert "晚于" in page.message.text()


def test_double_clicking_a_figure_lists_exactly_its_records_and_opens_one(qtbot, federation):
    window, ids = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    page.tabs.setCurrentIndex(1)
    table = page.tables["by_parent"]
    double_click(qtbot, table, *position(table, "礼嘉街道工会", "新增会员（人）"))
    dialog = opened_records(qtbot, page, 2)
    assert dialog.windowTitle() == "新增会员 · 礼嘉街道工会 · 2019年"
    assert sorted(dialog.shown_ids()) == sorted([ids.members["m1"], ids.members["m2"]])
    names = {dialog.page.model.index(row, 0).data() for row in range(2)}
    assert names == {"会员m1", "会员m2"}
    assert dialog.page.count.text() == "共 2 条"

    dialog.page.table.setFocus()
    dialog.page.table.setCurrentIndex(dialog.page.model.index(0, 0))
    qtbot.keyClick(dialog.page.table, Qt.Key.Key_Return)
    opened = next(w for w in window.findChildren(EditMemberDialog) if w.isVisible())
    assert opened.member_id == dialog.shown_ids()[0]
    opened.reject()
    dialog.close()


def test_enter_on_a_summary_figure_opens_the_federations_records(qtbot, federation):
    window, ids = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    table = page.tables["summary"]
    row, column = position(table, "新建工会", "数值")
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = opened_records(qtbot, page, 2)
    assert sorted(dialog.shown_ids()) == sorted([ids.unions["U1"], ids.unions["U2"]])
    assert dialog.page.model.index(0, 0).data() in {"甲公司工会", "乙公司工会"}
    dialog.page.table.setFocus()
    dialog.page.table.setCurrentIndex(dialog.page.model.index(0, 0))
    qtbot.keyClick(dialog.page.table, Qt.Key.Key_Return)
    opened = next(w for w in window.findChildren(EditUnionDialog) if w.isVisible())
    opened.reject()
    dialog.close()


def test_a_rate_opens_nothing(qtbot, federation):
    window, _ = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    table = page.tables["summary"]
    row, column = position(table, "职工100人以上单位建会率", "数值")
    assert table.figure_at(row, column) is None
    assert table.figure_at(*position(table, "职工100人以上单位", "数值")).figure == "coverage_100_plus"


def test_export_excel_writes_the_figures_on_screen(qtbot, federation, tmp_path: Path):
    window, _ = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    suggested = []
    target = tmp_path / "报表"
    page.choose_export_path = lambda name: suggested.append(name) or target
    told: list[str] = []
    page.tell = told.append
    qtbot.mouseClick(page.export_excel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    written = tmp_path / "报表.xlsx"
    assert suggested == ["工会组建工作统计报表-2019年.xlsx"] and str(written) in told[0]

    workbook = load_workbook(written)
    sheet = workbook["按一级工会"]
    # Headings are read as on paper, their units wrapped onto a line of their own.
    rows = [[str(c.value).replace("\n", "") if isinstance(c.value, str) else c.value for c in row]
            for row in sheet.iter_rows()]  # fmt: skip
    header = next(row for row in rows if row[0] == "一级工会")
    by_name = {row[0]: row for row in rows}
    new_unions, new_members = header.index("新建工会（家）"), header.index("新增会员（人）")
    assert (by_name["礼嘉街道工会"][new_unions], by_name["礼嘉街道工会"][new_members]) == (1, 2)
    assert (by_name["金山街道工会"][new_unions], by_name["金山街道工会"][new_members]) == (1, 2)
    assert (by_name["合计"][new_unions], by_name["合计"][new_members]) == (2, 4)
    assert any("2019年" in str(row[0]) for row in rows[:5])


def test_export_pdf_shows_the_report_to_print(qtbot, federation):
    window, _ = federation
    page = click_area(qtbot, window, "统计")
    show_year(qtbot, page, 2019)
    qtbot.mouseClick(page.export_pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(ViewPdfDialog)), timeout=20_000)
    viewer = next(w for w in window.findChildren(ViewPdfDialog) if w.isVisible())
    assert viewer.file_name == "工会组建工作统计报表-2019年.pdf"
    reader = PdfReader(io.BytesIO(viewer.pdf))
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages))
    assert "工会组建工作统计报表" in text and "2019年" in text
    assert "礼嘉街道工会" in text and "金山街道工会" in text
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 841.9) < 1 and abs(height - 595.3) < 1  # landscape A4
    viewer.reject()
