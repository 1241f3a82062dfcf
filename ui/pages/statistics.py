"""统计: the overview by first-level union, with the federation's totals in the last row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.statistics import Figures, overview
from ui.worker import Job, JobRunner

COLUMNS = (
    ("name", "一级工会"),
    ("unions", "基层工会"),
    ("members", "在会会员"),
    ("covered_staff", "覆盖职工"),
    ("employers", "登记单位"),
    ("employers_without_union", "未建会单位"),
    ("due_without_union", "达标未建会"),
    ("open_tasks", "在办建会任务"),
)


class StatisticsPage(QWidget):
    def __init__(self, engine: Engine, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_statistics")
        self._engine = engine
        self._runner = runner
        heading = QLabel("统计 · 按一级工会")
        heading.setObjectName("pageTitle")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        job = Job(lambda: overview(self._engine), yields_progress=False)
        job.signals.succeeded.connect(self._show)
        self._runner.start(job)

    def _show(self, result: tuple[Figures, list[Figures]]) -> None:
        totals, rows = result
        self.table.setRowCount(len(rows) + 1)
        for row, figures in enumerate([*rows, totals]):
            for column, (key, _) in enumerate(COLUMNS):
                value = getattr(figures, key)
                text = (
                    "合计"
                    if figures is totals and key == "name"
                    else (f"{value:,}" if isinstance(value, int) else value)
                )
                item = QTableWidgetItem(text)
                if isinstance(value, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if figures is totals:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
