"""The base of a dialog that shows a small table with buttons under it (回收站, 疑似重复): a summary line,
the table, the buttons on the left and 关闭 on the right; it remembers its size."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from ui.dialogs.base import SizedDialog
from ui.fact_table import fact_table


class TableDialog(SizedDialog):
    def __init__(
        self,
        title: str,
        headers: Sequence[str],
        buttons: Sequence[QPushButton],
        window_state: QSettings,
        default_size: tuple[int, int],
        parent: QWidget | None = None,
        wide_column: int | None = None,
    ) -> None:
        super().__init__(title, window_state, default_size, parent)
        self._headers = list(headers)
        self._wide_column = wide_column
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = fact_table(self._headers, [])
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.restore_size()

    def show_rows(self, rows: Sequence[Sequence[object]]) -> QTableWidget:
        """Put a fresh table in place of the old one (the rows are few: a rebuild is simplest)."""
        table = fact_table(self._headers, rows, wide_column=self._wide_column)
        self.layout().replaceWidget(self.table, table)
        self.table.deleteLater()
        self.table = table
        return table
