"""组织架构: the federation, its first-level unions and their grassroots unions as a tree, with members and
covered staff at every level; from here a union is moved, transferred out, dissolved or transferred in."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.entities import UnionEventKind, UnionStatus
from models.registers import federation_settings
from models.unions import TreeBranch, union_tree
from ui.labels import UNION_EVENT, UNION_KIND, UNION_STATUS
from ui.worker import Job, JobRunner

COLUMNS = ("名称", "类型", "状态", "在会会员", "覆盖职工")
UNION_ID = Qt.ItemDataRole.UserRole


def _row(parent, texts: list[str]) -> QTreeWidgetItem:
    """One line of the tree, its counts right-aligned like figures in a table."""
    item = QTreeWidgetItem(parent, texts)
    for column in (3, 4):
        item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class UnionTreePage(QWidget):
    """``open_union(id)`` opens a union; ``record_change(id, name, kind)`` records a move or transfer."""

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        *,
        open_union: Callable[[int], object],
        record_change: Callable[[int, str, UnionEventKind], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page_union_tree")
        self._engine = engine
        self._runner = runner
        self._open_union = open_union
        self._record_change = record_change
        heading = QLabel("组织架构")
        heading.setObjectName("pageTitle")
        self.include_closed = QCheckBox("显示已转出、撤销的工会")
        self.include_closed.toggled.connect(self.refresh)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        for column, width in ((1, 150), (2, 130), (3, 90), (4, 90)):
            self.tree.setColumnWidth(column, width)
        self.tree.itemActivated.connect(self._open)
        self.tree.currentItemChanged.connect(self._enable_actions)
        self.buttons: dict[UnionEventKind, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(heading)
        bar.addStretch(1)
        bar.addWidget(self.include_closed)
        for kind, text in (
            (UnionEventKind.MOVED, "调整隶属…"),
            (UnionEventKind.TRANSFERRED_OUT, "转出…"),
            (UnionEventKind.DISSOLVED, "撤销…"),
            (UnionEventKind.TRANSFERRED_IN, "转入…"),
        ):
            button = QPushButton(text)
            button.setToolTip(f"为选中的基层工会登记“{UNION_EVENT[kind]}”")
            button.setObjectName(f"change_{kind}")
            button.clicked.connect(self._record_for_current)
            self.buttons[kind] = button
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        self._enable_actions()

    def refresh(self) -> None:
        include_closed = self.include_closed.isChecked()
        job = Job(
            lambda: (federation_settings(self._engine).name, union_tree(self._engine, include_closed)),
            yields_progress=False,
        )
        job.signals.succeeded.connect(self._show)
        self._runner.start(job)

    def _show(self, answer: tuple[str, list[TreeBranch]]) -> None:
        federation, branches = answer
        chosen = self.current_union_id()
        self.tree.clear()
        root = _row(self.tree, [federation, "区总工会", "", "", ""])
        members = staff = 0
        for branch in branches:
            item = _row(
                root,
                [
                    branch.name,
                    "一级工会",
                    f"{len(branch.unions)} 个基层工会",
                    f"{branch.members:,}",
                    f"{branch.covered_staff:,}",
                ],
            )
            for union in branch.unions:
                leaf = _row(item, [
                    union.name, UNION_KIND.get(union.kind, union.kind), UNION_STATUS.get(union.status, union.status),
                    f"{union.members:,}", f"{union.covered_staff:,}",
                ])  # fmt: skip
                leaf.setData(0, UNION_ID, union.id)
                leaf.setData(2, UNION_ID, union.status)
                if union.status != UnionStatus.ACTIVE:
                    for column in range(len(COLUMNS)):
                        leaf.setForeground(column, Qt.GlobalColor.gray)
                if union.id == chosen:
                    self.tree.setCurrentItem(leaf)
            members += branch.members
            staff += branch.covered_staff
        root.setText(3, f"{members:,}")
        root.setText(4, f"{staff:,}")
        root.setExpanded(True)
        self._enable_actions()

    def current_union_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, UNION_ID) if item is not None else None

    def _enable_actions(self) -> None:
        item = self.tree.currentItem()
        status = item.data(2, UNION_ID) if item is not None else None
        active = status == UnionStatus.ACTIVE
        self.buttons[UnionEventKind.MOVED].setEnabled(active)
        self.buttons[UnionEventKind.TRANSFERRED_OUT].setEnabled(active)
        self.buttons[UnionEventKind.DISSOLVED].setEnabled(active)
        self.buttons[UnionEventKind.TRANSFERRED_IN].setEnabled(status == UnionStatus.TRANSFERRED_OUT)

    def _record_for_current(self) -> None:
        kind = next(kind for kind, button in self.buttons.items() if button is self.sender())
        item = self.tree.currentItem()
        self._record_change(item.data(0, UNION_ID), item.text(0), kind)

    def _open(self, item: QTreeWidgetItem) -> None:
        if (union_id := item.data(0, UNION_ID)) is not None:
            self._open_union(union_id)
