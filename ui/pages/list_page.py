"""A register as a list: search as you type, the number of rows found, a sortable lazy table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.accounts import sees_personal_data
from models.labels import LIST_TITLES
from models.listing import LISTINGS
from models.privacy import personal_columns
from printing.fonts import document_fonts
from printing.member_roster import COLUMNS as ROSTER_COLUMNS
from printing.member_roster import ROSTER_TITLE, member_roster_pdf
from spreadsheets.exporting import export_listing
from ui.dialogs.export_options import Disclosure, ExportOptionsDialog
from ui.error_dialog import show_bug
from ui.labels import COLUMN_WIDTHS
from ui.print_fonts import uses_office_fonts
from ui.table_model import ListingModel
from ui.worker import Job, JobRunner

# Each keystroke asks SQL at once (a member search takes 15–60 ms on the worker); the zero-delay timer
# only merges what arrives in one event-loop pass, such as an input method committing a whole word.
SEARCH_DELAY_MS = 0


@dataclass(frozen=True)
class FilterChoice:
    """One drop-down above a list: ``everything`` first (no filter), then the (text, value) pairs that
    ``choices`` gives, asked again each time the page refreshes (new first-level unions, a new year)."""

    key: str
    everything: str
    choices: Callable[[], list[tuple[str, Any]]]


class ListPage(QWidget):
    """One register's list. ``actions`` are buttons placed beside the search box."""

    def __init__(
        self,
        engine: Engine,
        listing_key: str,
        *,
        title: str,
        search_hint: str,
        runner: JobRunner,
        window_state: QSettings,
        actions: list[QPushButton] | None = None,
        filters: list[FilterChoice] | None = None,
        open_record: Callable[[int], object] | None = None,
        new_record: Callable[[], object] | None = None,
        delete_records: Callable[[list[int]], object] | None = None,
        show_pdf: Callable[[bytes, str, str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``open_record(id)`` runs on Enter or a double-click on a row; ``new_record()`` on Ctrl+N;
        ``delete_records(ids)`` on Delete with the selected rows; ``show_pdf(pdf, title, file name)``
        previews the member roster (打印名册…, on the member list only)."""
        super().__init__(parent)
        self.setObjectName(f"page_{listing_key}")
        self._window_state = window_state
        self.model = ListingModel(engine, listing_key, runner, self)

        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("search")
        self.count = QLabel()
        self.count.setObjectName("rowCount")

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setDefaultSectionSize(110)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._choose_columns)
        for column, key in enumerate(LISTINGS[listing_key].column_keys):
            if key in COLUMN_WIDTHS:
                header.resizeSection(column, COLUMN_WIDTHS[key])
        self._restore_header()

        self._engine = engine
        self._runner = runner
        self._title = title
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setToolTip("把当前列表（按现在的查找、筛选、排序和显示的列）导出为 .xlsx")
        self.export_button.clicked.connect(self.export_list)
        self._show_pdf = show_pdf
        trailing = [self.export_button]
        if show_pdf is not None and listing_key == "members":
            self.print_button = QPushButton("打印名册…")
            self.print_button.setToolTip("把当前列表（按现在的查找、筛选和排序）打印为会员花名册")
            self.print_button.clicked.connect(self.print_roster)
            trailing.append(self.print_button)

        bar = QHBoxLayout()
        bar.addWidget(heading)
        bar.addSpacing(16)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count)
        for button in [*(actions or []), *trailing]:
            bar.addWidget(button)
        self._filter_choices = {choice.key: choice for choice in filters or []}
        self.filters: dict[str, QComboBox] = {}
        filter_bar = QHBoxLayout()
        for choice in self._filter_choices.values():
            combo = QComboBox()
            combo.setObjectName(f"filter_{choice.key}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._apply_filters)
            self.filters[choice.key] = combo
            filter_bar.addWidget(combo)
        filter_bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        if self.filters:
            layout.addLayout(filter_bar)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.model.row_count_changed.connect(self._show_count)
        self.model.rows_shown.connect(self._counting)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)
        self._open_record = open_record
        if open_record is not None:
            self.table.activated.connect(self._open_current)  # Enter, and a double-click
        if new_record is not None:
            QShortcut(QKeySequence.StandardKey.New, self, new_record)
        self._delete_records = delete_records
        if delete_records is not None:
            delete = QShortcut(QKeySequence.StandardKey.Delete, self.table, self._delete_selected)
            # Only while the table has the focus: Delete in the search box deletes a character, not members.
            delete.setContext(Qt.ShortcutContext.WidgetShortcut)

    def selected_ids(self) -> list[int]:
        """The ids of the selected rows, in list order."""
        # From the selection's ranges, not selectedRows(): Ctrl+A over 100,000 rows is one range, where
        # selectedRows() would build 100,000 index objects.
        rows: set[int] = set()
        for selected in self.table.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        return [self.model.record_id(row) for row in sorted(rows)]

    def _delete_selected(self) -> None:
        if ids := self.selected_ids():
            self._delete_records(ids)

    def column_menu(self) -> QMenu:
        """A checkable entry per column: unticked columns are hidden (and stay hidden next time)."""
        menu = QMenu(self)
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            action = menu.addAction(self.model.headerData(column, Qt.Orientation.Horizontal))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setData(column)
            # The last visible column cannot be hidden: a list with no column looks empty, not filtered.
            action.setEnabled(
                header.count() - header.hiddenSectionCount() > 1 or header.isSectionHidden(column)
            )
            action.toggled.connect(self._show_column)
        return menu

    def _choose_columns(self, position) -> None:
        self.column_menu().popup(self.table.horizontalHeader().mapToGlobal(position))

    def _show_column(self, shown: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(self.sender().data(), not shown)

    def refresh(self) -> None:
        for key, combo in self.filters.items():
            self._fill_filter(combo, self._filter_choices[key])
        self.model.reload()

    def _fill_filter(self, combo: QComboBox, choice: FilterChoice) -> None:
        """Refill a drop-down, keeping what was chosen if it is still there."""
        chosen = combo.currentData()
        combo.blockSignals(True)  # refilling is not the clerk choosing: no reload per item
        combo.clear()
        combo.addItem(choice.everything, None)
        for text, value in choice.choices():
            combo.addItem(text, value)
        combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
        combo.blockSignals(False)
        self.model.set_filter_quietly(choice.key, combo.currentData())

    def save_state(self) -> None:
        self._window_state.setValue(self._header_key(), self.table.horizontalHeader().saveState())

    def _restore_header(self) -> None:
        state = self._window_state.value(self._header_key())
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def _header_key(self) -> str:
        return f"lists/{self.model.listing_key}/header"

    def _open_current(self, index) -> None:
        self._open_record(self.model.record_id(index.row()))

    def _apply_filters(self) -> None:
        combo = self.sender()
        key = next(key for key, widget in self.filters.items() if widget is combo)
        self.model.set_filter(key, combo.currentData())

    def _apply_search(self) -> None:
        self.model.set_search(self.search.text())

    def _counting(self) -> None:
        if not self.model.complete:
            self.count.setText("正在统计…")

    def _show_count(self, rows: int) -> None:
        narrowed = self.search.text().strip() or any(
            combo.currentIndex() > 0 for combo in self.filters.values()
        )
        self.count.setText(f"找到 {rows:,} 条" if narrowed else f"共 {rows:,} 条")

    # --- export -------------------------------------------------------------------------------------
    def shown_columns(self) -> list[str]:
        """The listing's column keys the clerk sees, in the order on screen."""
        header = self.table.horizontalHeader()
        keys = LISTINGS[self.model.listing_key].column_keys
        logical = [header.logicalIndex(visual) for visual in range(header.count())]
        return [keys[column] for column in logical if not header.isSectionHidden(column)]

    def shown_conditions(self) -> list[str]:
        """The chosen filters as the clerk reads them, for the workbook's title line."""
        return [combo.currentText() for combo in self.filters.values() if combo.currentIndex() > 0]

    def export_list(self) -> Job | None:
        """Write the list as shown to .xlsx on the worker, with progress and 取消."""
        columns, conditions = self.shown_columns(), self.shown_conditions()
        disclosure = self.ask_disclosure("导出", columns)
        if disclosure is None:
            return None
        target = self.choose_export_path(f"{LIST_TITLES[self.model.listing_key]}-{date.today():%Y%m%d}.xlsx")
        if target is None:
            return None
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        query = self.model.shown_query
        job = Job(
            lambda: export_listing(
                self._engine, self.model.listing_key, target, columns=columns, conditions=conditions,
                full=disclosure.full, reason=disclosure.reason, **query,
            )
        )  # fmt: skip
        self.last_export = target
        job.signals.succeeded.connect(self._exported)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job, title=f"正在导出{self._title}", window=self)

    def _exported(self, _result: object = None) -> None:
        self.tell(f"已导出到：\n{self.last_export}")

    def ask_disclosure(self, action: str, columns: list[str]) -> Disclosure | None:
        """Masked, or whole ID numbers and phones with a reason; None when the clerk cancelled.

        Asked only of someone who may see them, and only when the columns hold them: a reader's
        exports and printouts are masked without a question (个人信息保护法, models.privacy).
        """
        if not personal_columns(self.model.listing_key, columns) or not sees_personal_data(self._engine):
            return Disclosure()
        return self.choose_disclosure(action)

    def choose_disclosure(self, action: str) -> Disclosure | None:
        """The dialog with 包含完整身份证号和手机号码 and the reason (a test replaces this)."""
        dialog = ExportOptionsDialog(action, self._window_state, self)
        return dialog.disclosure() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- the member roster (花名册) ----------------------------------------------------------------------
    def print_roster(self) -> Job | None:
        """Lay out the member list as shown as a PDF roster on the worker, then preview it."""
        disclosure = self.ask_disclosure("打印", list(ROSTER_COLUMNS))
        if disclosure is None:
            return None
        query, conditions = self.model.shown_query, self.shown_conditions()
        office_fonts = uses_office_fonts(self._window_state)
        self.roster_file_name = f"{ROSTER_TITLE}-{date.today():%Y%m%d}.pdf"
        job = Job(
            lambda: member_roster_pdf(
                self._engine, conditions=conditions, full=disclosure.full, reason=disclosure.reason,
                destination=f"打印预览（{self.roster_file_name}）", fonts=document_fonts(office_fonts), **query,
            )
        )  # fmt: skip
        job.signals.succeeded.connect(self._show_roster)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job, title=f"正在排版{ROSTER_TITLE}", window=self)

    def _show_roster(self, pdf: bytes) -> None:
        self.roster_preview = self._show_pdf(pdf, ROSTER_TITLE, self.roster_file_name)

    def choose_export_path(self, suggested: str) -> Path | None:
        """The save dialog (a test replaces this)."""
        name, _ = QFileDialog.getSaveFileName(
            self, "导出 Excel", str(Path.home() / suggested), "Excel 工作簿 (*.xlsx)"
        )
        return Path(name) if name else None

    def tell(self, message: str) -> None:
        """A short notice to the clerk (a test replaces this)."""
        QMessageBox.information(self, self._title, message)

    def _crashed(self, details: str) -> None:
        show_bug(details, self)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
