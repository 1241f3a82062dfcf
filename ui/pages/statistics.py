"""统计: the office's figures for any period, each opened into its records, and the report upward.

The clerk picks a period (a year, a half, a quarter, a month, or any two dates) and reads the report's
tables as the city federation will (``models.figures.report_tables``: the same headings, rows and totals
as the workbook and the PDF, so the numbers on screen are the numbers sent). A double-click (or Enter) on
a count opens the records behind it. The figures are computed on the worker: a yearly report over
100,000 members takes a few hundred milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.errors import InvalidInput
from models.figures import (
    FIGURES,
    HALVES,
    QUARTERS,
    REPORT_TITLE,
    Period,
    PeriodFigures,
    RecordsBehind,
    Report,
    ReportTable,
    records_behind,
    report,
    report_tables,
)
from models.labels import FIGURE_TITLES, FIGURE_UNITS, figure_title
from printing.fonts import document_fonts
from printing.official_document import document_pdf
from printing.report import ReportSheet
from spreadsheets.report import write_report_workbook
from ui.dialogs.view_figure_records import FigureRecordsDialog
from ui.error_dialog import show_bug
from ui.print_fonts import uses_office_fonts
from ui.worker import Job, JobRunner

PERIOD_KINDS = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月份", "between": "自定义"}
NO_RATE = "—"  # a rate with nothing to measure, as the workbook and the PDF print it
HEADING_LINE = 5  # characters per line of a column heading: the 17 figures of a row must fit side by side
FIGURE_ROLE = Qt.ItemDataRole.UserRole
CELL_ROOM = 16  # pixels added to a column's content width


# --- the period ---------------------------------------------------------------------------------------


class PeriodChooser(QWidget):
    """年度 / 半年 / 季度 / 月份 / 自定义 and what each needs; ``changed`` whenever the period may differ."""

    changed = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.kind = QComboBox()
        self.kind.setObjectName("period_kind")
        for code, text in PERIOD_KINDS.items():
            self.kind.addItem(text, code)
        self.year = QSpinBox()
        self.year.setObjectName("period_year")
        self.year.setRange(2000, 2100)
        self.year.setSuffix(" 年")
        self.year.setValue(today.year)
        self.part = QComboBox()
        self.part.setObjectName("period_part")
        self.start = self._date_edit(date(today.year, 1, 1))
        self.end = self._date_edit(today)
        self.to = QLabel("至")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("统计期间："))
        for widget in (self.kind, self.year, self.part, self.start, self.to, self.end):
            row.addWidget(widget)
        row.addStretch(1)
        self._show_parts()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.year.valueChanged.connect(self.changed)
        self.part.currentIndexChanged.connect(self.changed)
        self.start.dateChanged.connect(self.changed)
        self.end.dateChanged.connect(self.changed)

    @staticmethod
    def _date_edit(day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _kind_changed(self) -> None:
        self._show_parts()
        self.changed.emit()

    def _show_parts(self) -> None:
        """Offer the halves, quarters or months of the chosen kind, starting at the present one."""
        kind = self.kind.currentData()
        parts = {
            "half": [(text, number) for number, text in HALVES.items()],
            "quarter": [(text, number) for number, text in QUARTERS.items()],
            "month": [(f"{month}月", month) for month in range(1, 13)],
        }.get(kind, [])
        present = {"half": (self._today.month + 5) // 6, "quarter": (self._today.month + 2) // 3,
                   "month": self._today.month}.get(kind, 1)  # fmt: skip
        self.part.blockSignals(True)  # refilling is not the clerk choosing: the kind's change says it
        self.part.clear()
        for text, number in parts:
            self.part.addItem(text, number)
        self.part.setCurrentIndex(max(self.part.findData(present), 0))
        self.part.blockSignals(False)
        self.part.setVisible(bool(parts))
        self.year.setVisible(kind != "between")
        for widget in (self.start, self.to, self.end):
            widget.setVisible(kind == "between")

    def period(self) -> Period:
        """The period chosen.

        Raises:
            InvalidInput: the custom period ends before it starts.
        """
        kind, year = self.kind.currentData(), self.year.value()
        if kind == "half":
            return Period.half(year, self.part.currentData())
        if kind == "quarter":
            return Period.quarter(year, self.part.currentData())
        if kind == "month":
            return Period.month(year, self.part.currentData())
        if kind == "between":
            return Period.between(self.start.date().toPython(), self.end.date().toPython())
        return Period.year(year)


# --- the tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureCell:
    """What a cell counts: a figure of ``models.figures.FIGURES`` for one row of the report."""

    figure: str
    first_level_union_id: int | None
    employer_class: str | None
    row_name: str


def figure_keys(staff_threshold: int) -> dict[str, str]:
    """Heading or row title as the report writes it ("新建工会（家）", "新建工会") → the figure's key."""
    keys = {}
    for key in FIGURE_TITLES:
        title = figure_title(key, staff_threshold)
        keys[title] = key
        if key in FIGURE_UNITS:
            keys[f"{title}（{FIGURE_UNITS[key]}）"] = key
    return keys


def wrapped_heading(text: str, width: int = HEADING_LINE) -> str:
    """A heading on lines of about ``width`` characters, its unit on a line of its own.

    Chinese has no spaces to break at, and a heading such as "职工100人以上已建会单位（家）" on one line
    would make its column four times wider than its numbers. Digits count as half a character.
    """
    unit = ""
    if text.endswith("）") and "（" in text:
        text, unit = text[: text.rindex("（")], text[text.rindex("（") :]
    lines, line, used = [], "", 0.0
    for character in text:
        size = 0.5 if character.isascii() else 1.0
        if used + size > width and line:
            lines.append(line)
            line, used = "", 0.0
        line += character
        used += size
    lines.append(line)
    return "\n".join([*lines, unit] if unit else lines)


def cell_text(value: object) -> str:
    """A count with thousands separators, a percentage with one decimal and %, no rate as —."""
    if value is None:
        return NO_RATE
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1f}%"
    return str(value)


class FigureTable(QTableWidget):
    """One table of the report; a double-click or Enter on a count emits ``figure_opened``."""

    figure_opened = Signal(object)  # a FigureCell

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.activated.connect(self._open)  # Enter, and a double-click

    def show_table(
        self,
        table: ReportTable,
        scopes: list[tuple[int | None, str | None]],
        keys: Mapping[str, str],
        federation: str,
    ) -> None:
        """Fill from ``table``; ``scopes`` are the (first-level union, class) of its rows, in order.

        A table by row gives each column's figure in its heading; the summary gives each row's figure
        in its first cell, and all its rows are the federation's.
        """
        rows = [*table.rows, *([table.totals] if table.totals is not None else [])]
        self.clear()
        self.setColumnCount(len(table.headings))
        self.setRowCount(len(rows))
        self.setHorizontalHeaderLabels([wrapped_heading(text) for text in table.headings])
        summary = table.totals is None
        for row, values in enumerate(rows):
            totals = table.totals is not None and row == len(rows) - 1
            flu, cls = (None, None) if summary or totals else scopes[row]
            name = federation if summary or totals else str(values[0])
            for column, value in enumerate(values):
                item = QTableWidgetItem(cell_text(value))
                if isinstance(value, (int, float)) or value is None:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if totals:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                key = keys.get(str(values[0]) if summary else table.headings[column])
                if column > 0 and isinstance(value, int) and key in FIGURES:
                    item.setData(FIGURE_ROLE, FigureCell(key, flu, cls, name))
                    item.setToolTip("双击查看对应的记录")
                self.setItem(row, column, item)
        self.resizeColumnsToContents()
        for column in range(self.columnCount()):  # room beside the numbers
            self.setColumnWidth(column, self.columnWidth(column) + CELL_ROOM)
        self.resizeRowsToContents()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def figure_at(self, row: int, column: int) -> FigureCell | None:
        item = self.item(row, column)
        return None if item is None else item.data(FIGURE_ROLE)

    def _open(self, index) -> None:
        cell = self.figure_at(index.row(), index.column())
        if cell is not None:
            self.figure_opened.emit(cell)


# --- the page -----------------------------------------------------------------------------------------


class StatisticsPage(QWidget):
    """``open_record`` maps a list (members, unions, employers, notices) to how one of its records opens;
    ``show_pdf(pdf, title, file_name)`` shows a printout."""

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        window_state: QSettings,
        open_record: Mapping[str, Callable[[int], object]],
        show_pdf: Callable[[bytes, str, str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page_statistics")
        self._engine = engine
        self._runner = runner
        self._window_state = window_state
        self._open_record = dict(open_record)
        self._show_pdf = show_pdf
        self._generation = 0  # a report for a period chosen since is dropped when it arrives
        self.report: Report | None = None
        self.figure_dialog: FigureRecordsDialog | None = None
        self.last_export: Path | None = None

        heading = QLabel("统计")
        heading.setObjectName("pageTitle")
        self.period = PeriodChooser(date.today())
        self.period.changed.connect(self.refresh)
        self.export_excel_button = QPushButton("导出 Excel…")
        self.export_excel_button.setToolTip("把本期统计报表（各表一张工作表）保存为 .xlsx，供上报市总工会")
        self.export_excel_button.clicked.connect(self.export_excel)
        self.export_pdf_button = QPushButton("导出 PDF…")
        self.export_pdf_button.setToolTip("本期统计报表的 PDF（A4 横向），可打印或另存")
        self.export_pdf_button.clicked.connect(self.export_pdf)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.hide()
        hint = QLabel("双击数字（或选中后按 Enter）可查看它统计的记录。")
        hint.setObjectName("hint")

        self.tables = {name: FigureTable() for name in ("summary", "by_parent", "by_class", "notices_by_parent",
                                                         "notices_by_class")}  # fmt: skip
        for table in self.tables.values():
            table.figure_opened.connect(self.open_figure)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.tables["summary"], "汇总")
        self.tabs.addTab(self.tables["by_parent"], "按一级工会")
        self.tabs.addTab(self.tables["by_class"], "按单位类型")
        notices = QWidget()
        column = QVBoxLayout(notices)
        # The first-level unions are about three times as many rows as the classes.
        for caption, key, share in (
            ("按一级工会", "notices_by_parent", 3),
            ("按单位类型", "notices_by_class", 2),
        ):
            label = QLabel(caption)
            label.setObjectName("sectionTitle")
            column.addWidget(label)
            column.addWidget(self.tables[key], share)
        self.tabs.addTab(notices, "一函两书")

        bar = QHBoxLayout()
        bar.addWidget(heading)
        bar.addSpacing(16)
        bar.addWidget(self.period, 1)
        bar.addWidget(self.export_excel_button)
        bar.addWidget(self.export_pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(hint)
        self._enable_exports(False)

    # --- computing ----------------------------------------------------------------------------------
    def refresh(self) -> Job | None:
        """Compute the chosen period's report on the worker."""
        try:
            period = self.period.period()
        except InvalidInput as exc:
            self.message.setText(exc.message)
            self.message.show()
            return None
        self.message.hide()
        self._generation += 1
        generation = self._generation
        self.status.setText(f"正在统计 {period.label}（{period.dates}）…")
        job = Job(lambda: (generation, report(self._engine, period)), yields_progress=False)
        job.signals.succeeded.connect(self._show)
        job.signals.known_error.connect(self._refused)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job)

    def _show(self, answer: tuple[int, Report]) -> None:
        generation, figures = answer
        if generation != self._generation:
            return
        self.report = figures
        period = figures.period
        self.status.setText(
            f"{figures.federation}　{period.label}（{period.dates}）　制表时间：{figures.made_at:%Y-%m-%d %H:%M}"
        )
        keys = figure_keys(figures.staff_threshold)
        scopes = {
            "一级工会": _scopes(figures.by_first_level_union),
            "单位类型": _scopes(figures.by_employer_class),
        }
        for table in report_tables(figures):
            name = _table_name(table, keys)
            self.tables[name].show_table(table, scopes.get(table.headings[0], []), keys, figures.federation)
        self._enable_exports(True)

    def _refused(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.status.clear()

    def _crashed(self, details: str) -> None:
        show_bug(details, self)

    def _enable_exports(self, enabled: bool) -> None:
        self.export_excel_button.setEnabled(enabled)
        self.export_pdf_button.setEnabled(enabled)

    # --- the records behind a figure ----------------------------------------------------------------
    def open_figure(self, cell: FigureCell) -> Job | None:
        """List the records a figure counts (found on the worker), in a dialog of their own."""
        if self.report is None:
            return None
        period = self.report.period
        heading = " · ".join(
            (figure_title(cell.figure, self.report.staff_threshold), cell.row_name, period.label)
        )
        job = Job(
            lambda: (
                heading,
                records_behind(
                    self._engine, period, cell.figure, cell.first_level_union_id, cell.employer_class
                ),
            ),
            yields_progress=False,
        )
        job.signals.succeeded.connect(self._show_records)
        job.signals.known_error.connect(self._refused)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job, title="正在查找记录", window=self)

    def _show_records(self, answer: tuple[str, RecordsBehind]) -> None:
        heading, behind = answer
        dialog = FigureRecordsDialog(
            self._engine,
            self._runner,
            self._window_state,
            behind,
            heading,
            self._open_record.get(behind.listing_key),
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._forget_dialog)
        dialog.show()  # not modal: the clerk may keep it open beside the figures and open another
        self.figure_dialog = dialog

    def _forget_dialog(self) -> None:
        self.figure_dialog = None

    # --- the report upward --------------------------------------------------------------------------
    def _file_stem(self) -> str:
        return f"{REPORT_TITLE}-{self.report.period.label}"

    def export_excel(self) -> Job | None:
        """Save the report shown as .xlsx where the clerk chooses, written on the worker."""
        if self.report is None:
            return None
        target = self.choose_export_path(f"{self._file_stem()}.xlsx")
        if target is None:
            return None
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        figures = self.report
        self.last_export = target
        job = Job(lambda: write_report_workbook(target, figures), yields_progress=False)
        job.signals.succeeded.connect(self._exported)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job, title="正在导出统计报表", window=self)

    def _exported(self, _result: object = None) -> None:
        self.tell(f"已导出到：\n{self.last_export}")

    def export_pdf(self) -> Job | None:
        """Typeset the report shown as PDF on the worker, then show it to print or save."""
        if self.report is None:
            return None
        figures = self.report
        office_fonts = uses_office_fonts(self._window_state)
        job = Job(
            lambda: document_pdf(ReportSheet(figures), document_fonts(office_fonts)), yields_progress=False
        )
        job.signals.succeeded.connect(self._show_report_pdf)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job, title="正在排版统计报表", window=self)

    def _show_report_pdf(self, pdf: bytes) -> None:
        period = self.report.period.label if self.report else ""
        self._show_pdf(pdf, f"{REPORT_TITLE}（{period}）", f"{self._file_stem()}.pdf")

    def choose_export_path(self, suggested: str) -> Path | None:
        """The save dialog (a test replaces this)."""
        name, _ = QFileDialog.getSaveFileName(
            self, "导出 Excel", str(Path.home() / suggested), "Excel 工作簿 (*.xlsx)"
        )
        return Path(name) if name else None

    def tell(self, message: str) -> None:
        """A short notice to the clerk (a test replaces this)."""
        QMessageBox.information(self, "统计", message)


def _scopes(rows: list[PeriodFigures]) -> list[tuple[int | None, str | None]]:
    return [(row.first_level_union_id, row.employer_class) for row in rows]


def _table_name(table: ReportTable, keys: Mapping[str, str]) -> str:
    """Which of the page's tables shows ``table``: the summary has no totals row; a table by row is by
    first-level union or by class (its first heading) and of 一函两书 when its figures are notices'."""
    if table.totals is None:
        return "summary"
    notices = all(keys.get(heading, "").startswith("notices_") for heading in table.headings[1:])
    by = "by_parent" if table.headings[0] == "一级工会" else "by_class"
    return f"notices_{by}" if notices else by
