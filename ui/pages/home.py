"""首页: the office's figures at a glance, the year's progress against its targets, and what needs doing.

Everything comes from ``models.dashboard.dashboard`` in one job on the worker: the figure cards, each
first-level union's new unions and new members this year beside its target (with the federation's total),
a bar chart of new unions by first-level union against the targets, a line of new unions and new members
by month, the notices falling due or overdue, and the tasks nobody has followed for 30 days. 打印首页
puts the same on A4 as a PDF shown in the viewer, to print or save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.dashboard import Dashboard, YearProgress, dashboard
from models.listing import DUE_SOON_DAYS
from models.notices import NoticeRecord
from models.tasks import STALE_DAYS, StaleTask
from ui import labels
from ui.charts import BarChart, Chart, LineChart, Series
from ui.error_dialog import show_bug
from ui.fact_table import fact_table
from ui.worker import Job, JobRunner

# What the clerk acts on first: whose notice, and how long is left; then which notice it was.
DEADLINE_HEADERS = ("单位", "答复期限", "", "文号", "送达日期")
STALE_HEADERS = ("单位", "责任一级工会", "年度", "进展", "最后进展", "无进展")
PROGRESS_HEADERS = (
    "一级工会",
    "新建工会（家）",
    "目标（家）",
    "完成率",
    "新增会员（人）",
    "目标（人）",
    "完成率",
)
NOT_SET = "未设定"
NO_RATE = "—"

CARDS = (
    ("unions", "基层工会", "个"),
    ("members", "在会会员", "名"),
    ("covered_staff", "覆盖职工", "名"),
    ("employers", "登记单位", "家"),
    ("employers_without_union", "未建会单位", "家"),
    ("due_without_union", "达到建会标准仍未建会", "家"),
    ("open_tasks", "在办建会任务", "项"),
)


class FigureCard(QFrame):
    def __init__(self, title: str, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = title
        self._unit = unit
        self.value = QLabel("…")
        self.value.setObjectName("figureValue")
        caption = QLabel(title)
        caption.setObjectName("figureCaption")
        layout = QVBoxLayout(self)
        layout.addWidget(self.value, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(caption)

    def show_number(self, number: int) -> None:
        self.value.setText(f"{number:,} {self._unit}")


class RecordList(QWidget):
    """A titled short list; a double-click (or Enter) on a row opens its record."""

    def __init__(
        self,
        title: str,
        headers: Sequence[str],
        open_record: Callable[[int], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._headers = tuple(headers)
        self._open_record = open_record
        self.record_ids: list[int] = []
        self.heading = QLabel(title)
        self.heading.setObjectName("sectionTitle")
        self.table = fact_table(self._headers, [])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)

    def show_rows(self, ids: list[int], rows: Sequence[Sequence[object]], unit: str) -> None:
        self.record_ids = list(ids)
        self.heading.setText(f"{self._title}（{len(ids)} {unit}）")
        table = fact_table(self._headers, rows, wide_column=0)
        table.activated.connect(lambda index: self._open_record(self.record_ids[index.row()]))
        self.layout().replaceWidget(self.table, table)
        self.table.deleteLater()
        self.table: QTableWidget = table


class DeadlineList(RecordList):
    """Served notices waiting for a reply, by deadline; a double-click opens one."""

    def __init__(
        self, title: str, open_notice: Callable[[int], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(title, DEADLINE_HEADERS, open_notice, parent)

    @property
    def notice_ids(self) -> list[int]:
        return self.record_ids

    def show_notices(self, notices: Sequence[NoticeRecord], today: date) -> None:
        rows = [
            (n.employer_name, n.reply_due_on, _days_left(n, today), n.document_number, n.served_on)
            for n in notices
        ]
        self.show_rows([n.id for n in notices], rows, "份")


class StaleTaskList(RecordList):
    """Tasks at a working step with no progress for ``STALE_DAYS`` days, the longest idle first."""

    def __init__(self, open_task: Callable[[int], object], parent: QWidget | None = None) -> None:
        super().__init__(f"{STALE_DAYS} 天以上无进展的建会任务", STALE_HEADERS, open_task, parent)

    def show_tasks(self, tasks: Sequence[StaleTask]) -> None:
        self.show_rows([t.id for t in tasks], [stale_row(t) for t in tasks], "项")


def stale_row(task: StaleTask) -> tuple[str, ...]:
    return (
        task.employer_name, task.first_level_union, f"{task.year}", labels.TASK_STATUS.get(task.status, task.status),
        f"{task.last_activity:%Y-%m-%d}", f"{task.idle_days} 天",
    )  # fmt: skip


def _days_left(notice: NoticeRecord, today: date) -> str:
    days = (notice.reply_due_on - today).days
    if days < 0:
        return f"已逾期 {-days} 天"
    return "今天到期" if days == 0 else f"还有 {days} 天"


def _rate(done: int, target: int) -> str:
    return f"{done / target:.1%}" if target else NO_RATE


def progress_rows(data: Dashboard) -> list[tuple[str, ...]]:
    """The progress table as the clerk reads it, the federation's total last."""

    def row(p: YearProgress) -> tuple[str, ...]:
        unions_target = f"{p.target_unions:,}" if p.target_set else NOT_SET
        members_target = f"{p.target_members:,}" if p.target_set else NOT_SET
        return (
            p.first_level_union, f"{p.new_unions:,}", unions_target, _rate(p.new_unions, p.target_unions),
            f"{p.new_members:,}", members_target, _rate(p.new_members, p.target_members),
        )  # fmt: skip

    return [*(row(p) for p in data.progress), ("合计", *row(data.progress_total)[1:])]


class ProgressTable(QTableWidget):
    """Each first-level union this year: new unions and members, its target and the share reached; 合计 in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(PROGRESS_HEADERS), parent)
        self.setHorizontalHeaderLabels(list(PROGRESS_HEADERS))
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)

    def show_progress(self, rows: list[tuple[str, ...]]) -> None:
        self.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column > 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r == len(rows) - 1:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.setItem(r, column, item)
        self.resizeColumnsToContents()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)


def chart_data(data: Dashboard) -> tuple[tuple, list[Series], tuple, list[Series]]:
    """(categories, series) of the bar chart, then of the line chart."""
    bar_categories = tuple(p.first_level_union for p in data.progress)
    bars = [
        Series("新建工会", tuple(p.new_unions for p in data.progress), "家"),
        Series("年度目标", tuple(p.target_unions for p in data.progress), "家"),
    ]
    months = tuple(f"{month}月" for month in range(1, 13))
    lines = [
        Series("新建工会", data.monthly.new_unions, "家"),
        Series("新增会员", data.monthly.new_members, "人"),
    ]
    return bar_categories, bars, months, lines


class HomePage(QWidget):
    """``open_notice(id)`` and ``open_task(id)`` open a record; ``show_pdf(pdf, title, file_name)`` shows
    the printout of the page."""

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        open_notice: Callable[[int], object],
        open_task: Callable[[int], object] | None = None,
        show_pdf: Callable[[bytes, str, str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page_home")
        self._engine = engine
        self._runner = runner
        self._show_pdf = show_pdf
        self.data: Dashboard | None = None
        self.heading = QLabel("首页")
        self.heading.setObjectName("pageTitle")
        self.print_button = QPushButton("打印首页…")
        self.print_button.setToolTip("把本页的数字、图表和清单排成 A4 页面，预览后打印或另存为 PDF")
        self.print_button.clicked.connect(self.print_page)
        self.print_button.setEnabled(False)
        self.cards = {key: FigureCard(title, unit) for key, title, unit in CARDS}
        grid = QGridLayout()
        for position, card in enumerate(self.cards.values()):
            grid.addWidget(card, position // 4, position % 4)
        self.note = QLabel(
            "“达到建会标准”指职工 100 人以上的单位，或职工 50 人以上的非公企业（人数标准可在“设置”中修改）。"
        )
        self.note.setWordWrap(True)
        self.note.setObjectName("hint")

        self.progress_heading = QLabel("本年度目标完成情况")
        self.progress_heading.setObjectName("sectionTitle")
        self.progress = ProgressTable()
        self.bar_chart = BarChart("各一级工会本年新建工会与目标")
        self.line_chart = LineChart("本年各月新建工会与新增会员")
        self.stale = StaleTaskList(open_task or (lambda _task_id: None))
        self.due_soon = DeadlineList(f"{DUE_SOON_DAYS} 天内到期待答复的文书", open_notice)
        self.overdue = DeadlineList("已逾期未答复的文书", open_notice)

        content = QWidget()
        column = QVBoxLayout(content)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.print_button)
        column.addLayout(top)
        column.addLayout(grid)
        column.addWidget(self.note)
        progress = QVBoxLayout()
        progress.addWidget(self.progress_heading)
        progress.addWidget(self.progress, 1)
        self.bar_chart.setMinimumHeight(420)
        self.line_chart.setMinimumHeight(380)
        self.stale.setMinimumHeight(380)
        for left, right in (
            (progress, self.bar_chart),
            (self.line_chart, self.stale),
            (self.due_soon, self.overdue),
        ):
            row = QHBoxLayout()
            for part in (left, right):
                if isinstance(part, QWidget):
                    row.addWidget(part, 1)
                else:
                    row.addLayout(part, 1)
            column.addLayout(row)
        self.due_soon.setMinimumHeight(240)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def refresh(self) -> Job:
        today = date.today()
        job = Job(lambda: dashboard(self._engine, today), yields_progress=False)
        job.signals.succeeded.connect(self._show)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job)

    def _show(self, data: Dashboard) -> None:
        self.data = data
        totals = data.totals
        self.heading.setText(f"首页 · {totals.name}")
        for key, card in self.cards.items():
            card.show_number(getattr(totals, key))
        self.progress_heading.setText(f"{data.year}年目标完成情况（新建工会、新增会员）")
        self.progress.show_progress(progress_rows(data))
        self.progress.setMinimumHeight(
            self.progress.horizontalHeader().height()
            + sum(self.progress.rowHeight(r) for r in range(self.progress.rowCount()))
            + 4
        )
        bar_categories, bars, months, lines = chart_data(data)
        self.bar_chart.set_data(bar_categories, bars, f"{data.year}年各一级工会新建工会与目标")
        self.bar_chart.setMinimumHeight(max(300, 90 + 34 * len(bar_categories)))
        self.line_chart.set_data(months, lines, f"{data.year}年各月新建工会与新增会员")
        self.stale.show_tasks(data.stale)
        self.due_soon.show_notices(data.due_soon, data.today)
        self.overdue.show_notices(data.overdue, data.today)
        self.print_button.setEnabled(True)

    def _crashed(self, details: str) -> None:
        show_bug(details, self)

    # --- printing -----------------------------------------------------------------------------------
    def print_page(self) -> bytes | None:
        """Lay the page out on A4 and show it in the PDF viewer (print or save from there)."""
        if self.data is None:
            return None
        pdf = dashboard_pdf(self.data, self.bar_chart, self.line_chart, self.font())
        if self._show_pdf is not None:
            self._show_pdf(pdf, f"首页（{self.data.today:%Y-%m-%d}）", f"首页-{self.data.today:%Y%m%d}.pdf")
        return pdf


# --- the page on paper --------------------------------------------------------------------------------

MARGIN_MM = 15
FOOT_MM = 8
PRINT_DPI = 300


class _Paper:
    """Writes blocks top to bottom on A4 pages, starting a new page when the next block does not fit."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, font: QFont) -> None:
        self.writer, self.painter = writer, painter
        self.area = QRectF(writer.pageLayout().paintRectPixels(PRINT_DPI))
        self.area.moveTo(0, 0)  # the painter's origin is the corner of the printable area
        self.mm = PRINT_DPI / 25.4
        self.area.setHeight(self.area.height() - FOOT_MM * self.mm)  # the page number's line
        self.y = 0.0
        self.page = 1
        self._font = font

    def font(self, points: float, bold: bool = False) -> QFont:
        font = QFont(self._font)
        font.setPointSizeF(points)
        font.setBold(bold)
        return QFont(font, self.writer)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` fits under what is already written."""
        if self.y > 0 and self.y + height > self.area.height():
            self.new_page()

    def new_page(self) -> None:
        self.finish_page()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0

    def finish_page(self) -> None:
        """The page number centred under the text: "— 1 —"."""
        self.painter.setFont(self.font(9))
        self.painter.setPen(QColor(0, 0, 0))
        foot = QRectF(0, self.area.bottom(), self.area.width(), FOOT_MM * self.mm)
        self.painter.drawText(foot, Qt.AlignmentFlag.AlignCenter, f"— {self.page} —")

    def text(self, text: str, points: float, bold: bool = False, centred: bool = False) -> None:
        font = self.font(points, bold)
        height = QFontMetricsF(font).height() * 1.3
        self.room(height)
        self.painter.setFont(font)
        self.painter.setPen(QColor(0, 0, 0))
        align = Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft
        self.painter.drawText(
            QRectF(0, self.y, self.area.width(), height), align | Qt.AlignmentFlag.AlignVCenter, text
        )
        self.y += height

    def gap(self, millimetres: float) -> None:
        self.y += millimetres * self.mm

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        weights: Sequence[float],
        bold_last: bool = False,
    ) -> None:
        """A ruled table, its headings repeated on each page it runs on to; numbers right-aligned."""
        font, bold = self.font(9), self.font(9, bold=True)
        height = QFontMetricsF(font).height() * 1.5
        total = sum(weights)
        rows = [tuple(row) + ("",) * (len(headers) - len(row)) for row in rows]
        widths = [self.area.width() * w / total for w in weights]
        pad = 1.2 * self.mm

        def line(values: Sequence[str], strong: bool, shaded: bool) -> None:
            self.room(height)
            if shaded:
                self.painter.fillRect(QRectF(0, self.y, self.area.width(), height), QColor(225, 225, 225))
            self.painter.setFont(bold if strong else font)
            x = 0.0
            for column, (value, width) in enumerate(zip(values, widths, strict=False)):
                box = QRectF(x, self.y, width, height)
                self.painter.setPen(QPen(QColor(0, 0, 0), 0.2 * self.mm))
                self.painter.drawRect(box)
                numeric = column > 0 and _looks_numeric(value)
                align = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
                metrics = QFontMetricsF(self.painter.font())
                shown = metrics.elidedText(str(value), Qt.TextElideMode.ElideRight, width - 2 * pad)
                self.painter.drawText(
                    box.adjusted(pad, 0, -pad, 0), align | Qt.AlignmentFlag.AlignVCenter, shown
                )
                x += width
            self.y += height

        self.room(2 * height)
        line(headers, True, True)
        for index, values in enumerate(rows):
            if self.y + height > self.area.height():
                self.new_page()
                line(headers, True, True)
            last = bold_last and index == len(rows) - 1
            line(values, last, last)

    def chart(self, chart: Chart, height_mm: float) -> None:
        height = height_mm * self.mm
        self.room(height)
        chart.paint_chart(self.painter, QRectF(0, self.y, self.area.width(), height))
        self.y += height


def _looks_numeric(text: str) -> bool:
    """Counts, rates, dates and years are right-aligned on paper as on screen."""
    return bool(text) and (text[0].isdigit() or text == NO_RATE)


def dashboard_pdf(data: Dashboard, bar_chart: BarChart, line_chart: LineChart, font: QFont) -> bytes:
    """首页 on portrait A4: the cards, the progress table, both charts and the three lists."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PRINT_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"{data.totals.name}工会组建工作首页（{data.today:%Y-%m-%d}）")
    writer.setCreator("UnionDesk")
    painter = QPainter(writer)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paper = _Paper(writer, painter, font)
    try:
        paper.text(f"{data.totals.name}工会组建工作进度", 16, bold=True, centred=True)
        paper.text(f"{data.year}年　打印日期：{data.today:%Y-%m-%d}", 10, centred=True)
        paper.gap(3)
        totals = data.totals
        paper.table(
            [title for _, title, _ in CARDS],
            [[f"{getattr(totals, key):,} {unit}" for key, _, unit in CARDS]],
            [1, 1, 1, 1, 1, 1.6, 1.1],
        )
        paper.gap(5)
        paper.text(f"{data.year}年目标完成情况（新建工会、新增会员）", 12, bold=True)
        paper.table(PROGRESS_HEADERS, progress_rows(data), [2.4, 1.3, 1, 0.9, 1.3, 1, 0.9], bold_last=True)
        paper.gap(5)
        paper.chart(line_chart, 90)
        paper.gap(4)
        paper.chart(bar_chart, min(200.0, 30 + 8.0 * len(data.progress)))
        paper.gap(5)
        paper.text(f"{STALE_DAYS} 天以上无进展的建会任务（{len(data.stale)} 项）", 12, bold=True)
        paper.table(
            STALE_HEADERS, [stale_row(t) for t in data.stale] or [("（无）",)], [3, 2, 0.8, 1, 1.2, 0.9]
        )
        for title, notices in (
            (f"{DUE_SOON_DAYS} 天内到期待答复的文书", data.due_soon),
            ("已逾期未答复的文书", data.overdue),
        ):
            paper.gap(5)
            paper.text(f"{title}（{len(notices)} 份）", 12, bold=True)
            rows = [
                (n.employer_name, f"{n.reply_due_on:%Y-%m-%d}", _days_left(n, data.today), n.document_number or "",
                 f"{n.served_on:%Y-%m-%d}" if n.served_on else "")
                for n in notices
            ]  # fmt: skip
            paper.table(
                ("单位", "答复期限", "剩余", "文号", "送达日期"), rows or [("（无）",)], [3, 1.2, 1.2, 2, 1.2]
            )
        paper.finish_page()
    finally:
        painter.end()
    return bytes(buffer.data())
