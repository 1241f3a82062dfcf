"""年度目标: how many new unions and new members each first-level union should reach in a year (首页 shows
the year's progress against them)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from sqlalchemy import Engine

from models.tasks import Target, set_targets, targets
from ui.dialogs.base import FormDialog

HEADERS = ("一级工会", "新建工会（个）", "发展会员（人）")
MOST = 1_000_000


def _count_box(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, MOST)
    box.setGroupSeparatorShown(True)
    box.setValue(value)
    return box


class SetTargetsDialog(FormDialog):
    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("年度目标", window_state, parent)
        self._engine = engine
        self.targets: list[Target] = []
        self.year = self.add_field("year", "年度", QSpinBox())
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(" 年度")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_field("targets", "目标", self.table)
        self.total = QLabel()
        self.form.addRow("合计", self.total)
        self._default_size = (620, 560)
        self.restore_size()
        self.year.valueChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """The chosen year's targets, one row per first-level union (0 where none was set)."""
        self.targets = targets(self._engine, self.year.value())
        self.table.setRowCount(len(self.targets))
        for row, target in enumerate(self.targets):
            self.table.setItem(row, 0, QTableWidgetItem(target.first_level_union))
            for column, value in ((1, target.new_unions), (2, target.new_members)):
                box = _count_box(value)
                box.valueChanged.connect(self._show_total)
                self.table.setCellWidget(row, column, box)
        self._show_total()

    def box(self, row: int, column: int) -> QSpinBox:
        """The count a clerk types into: column 1 new unions, 2 new members."""
        return self.table.cellWidget(row, column)

    def row_of(self, first_level_union: str) -> int:
        return next(row for row, t in enumerate(self.targets) if t.first_level_union == first_level_union)

    def entered(self) -> dict[int, tuple[int, int]]:
        return {
            target.first_level_union_id: (self.box(row, 1).value(), self.box(row, 2).value())
            for row, target in enumerate(self.targets)
        }

    def _show_total(self) -> None:
        entered = self.entered().values()
        unions, members = sum(u for u, _ in entered), sum(m for _, m in entered)
        self.total.setText(f"新建工会 {unions:,} 个，发展会员 {members:,} 人")

    def save(self) -> None:
        set_targets(self._engine, self.year.value(), self.entered())
