"""按规则生成任务: the employers the rules name for a year's organising tasks, ticked; the clerk unticks
those not to assign now and creates the rest, each owned by its first-level union.

Employers with no first-level union are listed greyed out with the reason, so the clerk knows whom to
complete first; after creating, the dialog says how many tasks were made and which employers were left.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from sqlalchemy import Engine

from models.errors import InvalidInput
from models.registers import federation_settings
from models.tasks import ProposedTask, create_tasks, tasks_to_propose
from ui.dialogs.base import FormDialog
from ui.fact_table import shown
from ui.labels import EMPLOYER_CLASS, TASK_RULE, task_rule_words
from ui.worker import JobRunner

HEADERS = ("单位名称", "职工人数", "单位类别", "符合的规则", "责任一级工会")


class ProposeTasksDialog(FormDialog):
    """``created`` holds how many tasks the last save made."""

    def __init__(
        self, engine: Engine, runner: JobRunner, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("按规则生成建会任务", window_state, parent, runner)
        self._engine = engine
        self.proposed: list[ProposedTask] = []
        self.created = 0
        self.year = self.add_field("year", "任务年度", QSpinBox())
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(" 年度")
        settings = federation_settings(engine)
        legend = QLabel(
            f"规则：{TASK_RULE['staff']}（职工 {settings.staff_threshold} 人以上）、{TASK_RULE['above_scale']}、"
            f"{TASK_RULE['deputy_linked']}、{TASK_RULE['non_public']}（非公企业职工 "
            f"{settings.non_public_staff_threshold} 人以上）、{TASK_RULE['new_employment_forms']}（货车司机、"
            "快递员、外卖送餐员等）。只列出尚未建会、本年度还没有任务的单位。"
        )
        legend.setObjectName("hint")
        legend.setWordWrap(True)
        self.form.addRow(legend)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.form.addRow(self.summary)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.form.addRow(self.table)
        self.tick_all = QPushButton("全部勾选")
        self.tick_all.clicked.connect(lambda: self._tick_every(True))
        self.untick_all = QPushButton("全部不选")
        self.untick_all.clicked.connect(lambda: self._tick_every(False))
        ticks = QHBoxLayout()
        ticks.addWidget(self.tick_all)
        ticks.addWidget(self.untick_all)
        ticks.addStretch(1)
        self.form.addRow(ticks)
        self._default_size = (900, 640)
        self.restore_size()
        self.year.valueChanged.connect(self.reload)
        self.table.itemChanged.connect(self._count_ticked)
        self.reload()

    # --- the candidates -------------------------------------------------------------------------------
    def reload(self) -> None:
        """The year's candidates (a few milliseconds for 2,000 employers), the assignable ones ticked."""
        self.proposed = tasks_to_propose(self._engine, self.year.value())
        self.table.blockSignals(True)  # filling is not the clerk ticking
        self.table.setRowCount(len(self.proposed))
        for row, task in enumerate(self.proposed):
            name = QTableWidgetItem(task.employer_name)
            if task.assignable:
                name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                name.setCheckState(Qt.CheckState.Checked)
            else:
                name.setFlags(Qt.ItemFlag.NoItemFlags)  # shown greyed, cannot be ticked
            owner = task.first_level_union if task.assignable else f"不能分派：{task.not_assignable}"
            values = (
                shown(task.staff_count),
                EMPLOYER_CLASS.get(task.employer_class, task.employer_class),
                task_rule_words(task.rules),
                owner,
            )
            self.table.setItem(row, 0, name)
            for column, value in enumerate(values, start=1):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 320))
        self._count_ticked()

    def not_assignable(self) -> list[ProposedTask]:
        return [task for task in self.proposed if not task.assignable]

    def ticked_ids(self) -> list[int]:
        return [
            task.employer_id
            for row, task in enumerate(self.proposed)
            if self.table.item(row, 0).checkState() == Qt.CheckState.Checked
        ]

    def set_ticked(self, row: int, ticked: bool) -> None:
        """Tick or untick one row, as a click on its box does."""
        self.table.item(row, 0).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _tick_every(self, ticked: bool) -> None:
        self.table.blockSignals(True)
        for row, task in enumerate(self.proposed):
            if task.assignable:
                self.set_ticked(row, ticked)
        self.table.blockSignals(False)
        self._count_ticked()

    def _count_ticked(self) -> None:
        ticked = len(self.ticked_ids())
        missing = len(self.not_assignable())
        year = self.year.value()
        if not self.proposed:
            self.summary.setText(f"{year}年度没有需要生成任务的单位。")
        else:
            left = f"；其中 {missing} 家未指定一级工会，不能分派" if missing else ""
            self.summary.setText(f"{year}年度符合规则的未建会单位 {len(self.proposed):,} 家{left}。")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(f"生成 {ticked:,} 项任务 (Ctrl+S)")
        save.setEnabled(ticked > 0)

    # --- creating -------------------------------------------------------------------------------------
    def save(self) -> Callable[[], int]:
        """Create on the worker: one transaction, a fraction of a second even for 2,000 employers."""
        ids, year = self.ticked_ids(), self.year.value()
        if not ids:
            raise InvalidInput("请至少勾选一家单位")
        return lambda: create_tasks(self._engine, year, ids)

    def _saved(self, result: object) -> None:
        self.created = int(result)
        lines = [f"已生成 {self.created:,} 项{self.year.value()}年度建会任务。"]
        if missing := self.not_assignable():
            names = "\n".join(f"{task.employer_name}：{task.not_assignable}" for task in missing[:15])
            more = f"\n……共 {len(missing)} 家" if len(missing) > 15 else ""
            lines.append(f"以下单位未指定一级工会，没有生成任务：\n{names}{more}")
        self.tell("\n\n".join(lines))
        super()._saved(result)

    def tell(self, message: str) -> None:
        """A short notice to the clerk (a test replaces this)."""
        QMessageBox.information(self, self.windowTitle(), message)
