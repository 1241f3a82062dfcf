"""A small read-only table for the facts linked to an opened record (its unions, notices, visits…)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

MAX_COLUMN_WIDTH = 280


def shown(value: object) -> str:
    """A value as the clerk reads it: dates as 2024-05-01, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def fact_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    parent: QWidget | None = None,
    wide_column: int | None = None,
) -> QTableWidget:
    """A table of a few dozen rows at most; the registers' big lists use the lazy ListingModel instead.

    Columns are cut to a sensible width, except ``wide_column``: the one the clerk reads the table for.
    """
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(shown(value)))
    table.resizeColumnsToContents()
    for column in range(table.columnCount()):  # a long union name must not push the other columns away
        if column != wide_column:
            table.setColumnWidth(column, min(table.columnWidth(column), MAX_COLUMN_WIDTH))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table
