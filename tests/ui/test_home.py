"""首页, as a clerk reads it: this year's progress against the targets, the charts, the idle tasks, printing.

A small federation written here for this year (Y), every date in January so that it is never in a month
still to come:

- 礼嘉街道工会, target 4 unions and 10 members: unions U1 (10 January) and U2 (20 January); members m1 and
  m2 of U1 (10 and 11 January). Progress: 2 of 4 unions (50.0%), 2 of 10 members (20.0%).
- 金山街道工会, target 2 unions and 5 members: U3 founded on 31 December of Y-1 (not this year) and U4
  (15 January); m3 of U3 (12 January), m4 of U3 (31 December of Y-1, not this year), m5 of U4 (31 January).
  Progress: 1 of 2 (50.0%), 2 of 5 (40.0%).
- Together: 3 of 6 unions (50.0%), 4 of 15 members (26.7%). By month: January 3 unions and 4 members, and
  nothing in the months since.
- Two tasks: 甲公司's, untouched for 40 days (listed), and 乙公司's, touched 10 days ago (not listed).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models import codes
from models.entities import Employer, FirstLevelUnion, Member, OrganizingTask, Union
from models.tasks import set_targets
from tests.ui.conftest import open_window
from ui.dialogs.follow_task import FollowTaskDialog
from ui.dialogs.view_pdf import ViewPdfDialog
from ui.pages.home import HomePage
from ui.pdf_preview import a4_printer

TODAY = date.today()
Y = TODAY.year


@dataclass(frozen=True)
class Ids:
    stale_task: int
    fresh_task: int


def _id_number(n: int) -> str:
    first17 = f"50011219900101{n:03d}"
    return first17 + codes.id_check_char(first17)


def build(engine: Engine) -> Ids:
    with Session(engine) as s, s.begin():
        lijia = FirstLevelUnion(name="礼嘉街道工会", kind="street", sort_order=1)
        jinshan = FirstLevelUnion(name="金山街道工会", kind="street", sort_order=2)
        jia = Employer(name="甲公司", employer_class="non_public", staff_count=150, first_level_union=lijia)
        yi = Employer(name="乙公司", employer_class="non_public", staff_count=120, first_level_union=jinshan)
        unions = {
            "U1": Union(
                name="一号工会", first_level_union=lijia, founded_on=date(Y, 1, 10), covered_staff=10
            ),
            "U2": Union(
                name="二号工会", first_level_union=lijia, founded_on=date(Y, 1, 20), covered_staff=20
            ),
            "U3": Union(
                name="三号工会", first_level_union=jinshan, founded_on=date(Y - 1, 12, 31), covered_staff=30
            ),
            "U4": Union(
                name="四号工会", first_level_union=jinshan, founded_on=date(Y, 1, 15), covered_staff=40
            ),
        }
        joined = [("U1", date(Y, 1, 10)), ("U1", date(Y, 1, 11)), ("U3", date(Y, 1, 12)),
                  ("U3", date(Y - 1, 12, 31)), ("U4", date(Y, 1, 31))]  # fmt: skip
        members = [
            Member(name=f"会员{n}", id_number=_id_number(n), union=unions[union], joined_on=on)
            for n, (union, on) in enumerate(joined)
        ]
        now = datetime.now()
        stale = OrganizingTask(employer=jia, year=Y, first_level_union=lijia, status="mobilizing",
                               updated_at=now - timedelta(days=40))  # fmt: skip
        fresh = OrganizingTask(employer=yi, year=Y, first_level_union=jinshan, status="not_started",
                               updated_at=now - timedelta(days=10))  # fmt: skip
        s.add_all([lijia, jinshan, jia, yi, *unions.values(), *members, stale, fresh])
        s.flush()
        ids = Ids(stale.id, fresh.id)
        parents = (lijia.id, jinshan.id)
    set_targets(engine, Y, {parents[0]: (4, 10), parents[1]: (2, 5)})
    return ids


@pytest.fixture
def federation(qtbot, app, engine: Engine, data_dir):
    ids = build(engine)
    window = open_window(qtbot, engine, data_dir)
    home: HomePage = window.pages["首页"]
    qtbot.waitUntil(lambda: home.data is not None, timeout=10_000)
    yield window, home, ids
    window.runner.wait_all()


def readable(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\t", " ")


def table_rows(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_years_progress_against_the_targets(federation):
    _, home, _ = federation
    assert home.progress_heading.text() == f"{Y}年目标完成情况（新建工会、新增会员）"
    assert table_rows(home.progress) == [
        ["礼嘉街道工会", "2", "4", "50.0%", "2", "10", "20.0%"],
        ["金山街道工会", "1", "2", "50.0%", "2", "5", "40.0%"],
        ["合计", "3", "6", "50.0%", "4", "15", "26.7%"],
    ]
    last = home.progress.rowCount() - 1
    assert home.progress.item(last, 1).font().bold() and not home.progress.item(0, 1).font().bold()
    assert home.progress.item(0, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    # The cards: four active unions, five members in 在会.
    assert home.cards["unions"].value.text() == "4 个" and home.cards["members"].value.text() == "5 名"


def test_the_charts_hold_the_bars_and_points(federation):
    _, home, _ = federation
    bars = home.bar_chart
    assert bars.categories == ("礼嘉街道工会", "金山街道工会")
    assert bars.values("新建工会") == (2, 1) and bars.values("年度目标") == (4, 2)
    line = home.line_chart
    assert line.categories == tuple(f"{month}月" for month in range(1, 13))
    months = TODAY.month  # a month still to come has no point
    assert line.values("新建工会") == (3,) + (0,) * (months - 1)
    assert line.values("新增会员") == (4,) + (0,) * (months - 1)

    image = QImage(700, 400, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        rects = bars.bar_rects(painter, QRectF(0, 0, 700, 400))
        points = line.points(painter, QRectF(0, 0, 700, 400))
    finally:
        painter.end()
    # Bars in proportion to their values: 礼嘉's 2 new unions half its target of 4, twice 金山's 1.
    lijia, target = rects[("礼嘉街道工会", "新建工会")], rects[("礼嘉街道工会", "年度目标")]
    assert lijia.width() == pytest.approx(target.width() / 2)
    assert lijia.width() == pytest.approx(2 * rects[("金山街道工会", "新建工会")].width())
    assert len(points["新增会员"]) == months
    if months > 1:  # January, the highest, is drawn above the zeros after it
        assert points["新增会员"][0].y() < points["新增会员"][1].y()


def test_stale_tasks_are_listed_and_open_with_a_double_click(qtbot, federation):
    window, home, ids = federation
    stale = home.stale
    assert stale.heading.text() == "30 天以上无进展的建会任务（1 项）"
    assert stale.record_ids == [ids.stale_task]
    assert table_rows(stale.table) == [
        ["甲公司", "礼嘉街道工会", f"{Y}", "宣传动员", f"{TODAY - timedelta(days=40):%Y-%m-%d}", "40 天"]
    ]
    rect = stale.table.visualItemRect(stale.table.item(0, 0))
    qtbot.mouseClick(stale.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(stale.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = next(w for w in window.findChildren(FollowTaskDialog) if w.isVisible())
    assert dialog.task_id == ids.stale_task
    dialog.reject()


def test_printing_the_page_gives_a4_pages_that_print(qtbot, federation, tmp_path: Path):
    window, home, _ = federation
    qtbot.mouseClick(home.print_button, Qt.MouseButton.LeftButton)
    viewer = next(w for w in window.findChildren(ViewPdfDialog) if w.isVisible())
    assert viewer.file_name == f"首页-{TODAY:%Y%m%d}.pdf"
    reader = PdfReader(io.BytesIO(viewer.pdf))
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 595.3) < 1 and abs(float(page.mediabox.height) - 841.9) < 1
    # Qt writes some ideographs through their Kangxi radical code points (⼯ for 工) and spaces as tabs: read
    # both back as a person reads them (NFKC, which also makes full-width brackets plain).
    text = readable("".join(p.extract_text() for p in reader.pages))
    for expected in (f"{Y}年目标完成情况", "礼嘉街道工会", "26.7%", "各一级工会新建工会与目标", "各月新建工会与新增会员",
                     "30 天以上无进展的建会任务（1 项）", "甲公司", "— 1 —"):  # fmt: skip
        assert readable(expected) in text, expected

    printed = tmp_path / "printed.pdf"

    def pdf_printer() -> QPrinter:
        printer = a4_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return printer

    viewer.choose_printer = pdf_printer
    viewer.tell = pytest.fail
    assert viewer.print_pages() == len(reader.pages)
    assert len(PdfReader(printed).pages) == len(reader.pages)
    viewer.reject()
