"""审计记录: who changed which record, when, from what to what — with filters, details and an export.

Opened from the main window (every record), or from a record's own dialog ("修改记录…": that record's
entries only); for administrators only. The trail grows by an entry a change and may hold 100,000s, so
the entries are read on the worker, the newest ``SHOWN_ENTRIES`` at most, and the clerk is told to
narrow the conditions when more match.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QSettings,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.accounts import may, sees_personal_data
from models.audit import AuditFilter, audit_actors, record_uuids
from models.entities import Role
from models.labels import AUDIT_ACTIONS, AUDIT_TABLES
from spreadsheets.audit_trail import (
    ShownEntry,
    TrailPage,
    criteria_words,
    export_trail,
    people_disclosed,
    read_trail,
)
from ui.dialogs.base import FormDialog, SizedDialog
from ui.dialogs.export_options import Disclosure, ExportOptionsDialog
from ui.error_dialog import show_bug
from ui.table_model import Index, TableModel
from ui.worker import Job, JobRunner

# A table of more rows than this is no longer read by anyone; the conditions narrow it instead.
SHOWN_ENTRIES = 2_000
# The "不限" of a date: the date edit's minimum, shown as its special value text.
NO_DATE = QDate(2000, 1, 1)
LOADING = "正在读取审计记录…"


class AuditEntriesModel(TableModel):
    """The entries shown, newest first: 时间, 人员, 操作, 对象, 内容 (ID numbers and phones as the lists
    show them to the person working: whole for an administrator)."""

    titles = ("时间", "人员", "操作", "对象", "内容")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[ShownEntry] = []
        self._reveal = False

    def row_total(self) -> int:
        return len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            summary = entry.summary(self._reveal)
            return (entry.at, entry.actor, entry.action_name, entry.subject, summary)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return entry.summary(self._reveal)
        return None

    def set_entries(self, entries: list[ShownEntry], reveal: bool = False) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._reveal = reveal
        self.endResetModel()

    def entry(self, row: int) -> ShownEntry:
        return self._entries[row]


def _date_edit() -> QDateEdit:
    """A date that may be left open: its lowest value reads "不限"."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setMaximumDate(QDate.currentDate())
    edit.setSpecialValueText("不限")
    edit.setDate(NO_DATE)
    return edit


def _chosen_date(edit: QDateEdit) -> date | None:
    return None if edit.date() == NO_DATE else edit.date().toPython()


def _shared_runner() -> JobRunner:
    """A runner for a viewer opened from a record's dialog, which has none: it lives with the application,
    so that a read still running when the viewer closes is not cut off from its thread."""
    app = QApplication.instance()
    runner = app.findChild(JobRunner, "auditTrailRunner")
    if runner is None:
        runner = JobRunner(app)
        runner.setObjectName("auditTrailRunner")
    return runner


class ViewAuditTrailDialog(SizedDialog):
    """The trail with its filters; ``record_uuid`` (and ``record_title``) open it on one record."""

    loaded = Signal()  # the entries for the current conditions are shown

    def __init__(
        self,
        engine: Engine,
        window_state: QSettings,
        parent: QWidget | None = None,
        *,
        runner: JobRunner | None = None,
        record_uuid: str | None = None,
        record_title: str | None = None,
    ) -> None:
        title = f"修改记录：{record_title}" if record_title else "审计记录"
        super().__init__(title, window_state, (1100, 720), parent)
        self._engine = engine
        self._runner = runner or _shared_runner()
        self._record_title = record_title
        self._record_uuid = record_uuid
        self._loading_criteria: AuditFilter | None = None
        self.page: TrailPage | None = None
        self._export_target: Path | None = None

        self.record = QLineEdit(record_uuid or "")
        self.record.setPlaceholderText("记录的 UUID；不填为全部记录")
        self.record.setClearButtonEnabled(True)
        self.actor = QComboBox()
        self.actor.addItem("全部人员", None)
        for name in audit_actors(engine):  # a distinct read of an indexed column: instant
            self.actor.addItem(name, name)
        self.since = _date_edit()
        self.until = _date_edit()
        self.table_choice = QComboBox()
        self.table_choice.addItem("全部", None)
        for code, words in AUDIT_TABLES.items():
            self.table_choice.addItem(words, code)
        self.action_choice = QComboBox()
        self.action_choice.addItem("全部操作", None)
        for code, words in AUDIT_ACTIONS.items():
            self.action_choice.addItem(words, str(code))
        self.clear_button = QPushButton("清除条件")
        filters = QGridLayout()
        filters.addWidget(QLabel("记录"), 0, 0)
        filters.addWidget(self.record, 0, 1, 1, 3)
        filters.addWidget(QLabel("人员"), 0, 4)
        filters.addWidget(self.actor, 0, 5, 1, 2)
        filters.addWidget(QLabel("日期 从"), 1, 0)
        filters.addWidget(self.since, 1, 1)
        filters.addWidget(QLabel("到"), 1, 2)
        filters.addWidget(self.until, 1, 3)
        filters.addWidget(QLabel("表"), 1, 4)
        filters.addWidget(self.table_choice, 1, 5)
        filters.addWidget(QLabel("操作"), 1, 6)
        filters.addWidget(self.action_choice, 1, 7)
        filters.addWidget(self.clear_button, 0, 7)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)

        self.count = QLabel(LOADING)
        self.count.setObjectName("rowCount")
        self.model = AuditEntriesModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((150, 150, 110, 260)):
            self.table.setColumnWidth(column, width)

        self.detail_heading = QLabel("选中一条记录，在此查看它的内容。")
        self.detail_heading.setObjectName("hint")
        self.detail_heading.setWordWrap(True)
        self.detail_heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QTableWidget(0, 3)
        self.details.setHorizontalHeaderLabels(["字段", "原值", "新值"])
        self.details.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.details.verticalHeader().hide()
        self.details.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.details.horizontalHeader().setStretchLastSection(True)
        self.details.setColumnWidth(0, 160)
        self.details.setColumnWidth(1, 320)
        detail = QWidget()
        column = QVBoxLayout(detail)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.detail_heading)
        column.addWidget(self.details, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("把列出的审计记录导出为 Excel 文件（.xlsx）")
        self.export_note = QLabel()
        self.export_note.setObjectName("hint")
        self.export_note.setWordWrap(True)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.export_note, 1)
        buttons.addWidget(close)
        # Enter in the record box applies it; it must not also press a button of the dialog.
        for button in (self.export_button, close, self.clear_button):
            button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.count)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.record.editingFinished.connect(self._conditions_changed)
        for combo in (self.actor, self.table_choice, self.action_choice):
            combo.currentIndexChanged.connect(self._conditions_changed)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self._conditions_changed)
        self.clear_button.clicked.connect(self.clear_conditions)
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.export_button.clicked.connect(self.export)
        self.restore_size()
        self.table.setFocus()  # the record box would take it, and leaving it would read the entries again
        self.reload()

    # --- the conditions ---------------------------------------------------------------------------------
    def criteria(self) -> AuditFilter:
        """The conditions as the clerk set them."""
        return AuditFilter(
            record_uuid=self.record.text().strip() or None,
            actor=self.actor.currentData(),
            since=_chosen_date(self.since),
            until=_chosen_date(self.until),
            table_name=self.table_choice.currentData(),
            action=self.action_choice.currentData(),
        )

    def clear_conditions(self) -> None:
        """Every condition back to 全部 / 不限 (the record too: the whole trail)."""
        widgets = (self.record, self.actor, self.since, self.until, self.table_choice, self.action_choice)
        for widget in widgets:
            widget.blockSignals(True)
        self.record.clear()
        for combo in (self.actor, self.table_choice, self.action_choice):
            combo.setCurrentIndex(0)
        self.since.setDate(NO_DATE)
        self.until.setDate(NO_DATE)
        for widget in widgets:
            widget.blockSignals(False)
        self.reload()

    def condition_words(self) -> list[str]:
        criteria = self.criteria()
        record = self._record_title if criteria.record_uuid == self._record_uuid else None
        return criteria_words(criteria, record)

    # --- reading -------------------------------------------------------------------------------------------
    def _conditions_changed(self) -> None:
        # Leaving the record box unchanged is no reason to read the same entries again.
        shown = self.page.criteria if self.page is not None and not self.is_loading() else None
        if self.criteria() != shown:
            self.reload()

    def reload(self) -> Job | None:
        """Read the entries for the conditions now set, on the worker; an answer to older ones is dropped."""
        criteria = self.criteria()
        if criteria == self._loading_criteria:
            return None
        self._loading_criteria = criteria
        self.count.setText(LOADING)
        engine = self._engine
        job = Job(lambda: read_trail(engine, criteria, SHOWN_ENTRIES), yields_progress=False)
        job.signals.succeeded.connect(self._loaded)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job)

    def is_loading(self) -> bool:
        return self._loading_criteria is not None

    def _loaded(self, page: TrailPage) -> None:
        if page.criteria != self._loading_criteria:
            return  # the conditions changed while it was read: their own answer is on its way
        self._loading_criteria = None
        self.page = page
        self.model.set_entries(page.entries, sees_personal_data(self._engine))
        self.count.setText(page.note)
        if page.entries:
            self.table.selectRow(0)
        else:
            self._show_entry(None)
        self.loaded.emit()

    def shown_entries(self) -> list[ShownEntry]:
        return list(self.page.entries) if self.page else []

    # --- one entry --------------------------------------------------------------------------------------------
    def _show_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._show_entry(self.model.entry(current.row()) if current.isValid() else None)

    def _show_entry(self, entry: ShownEntry | None) -> None:
        """The entry in full: its fields as 字段 / 原值 / 新值 (whole values), or the facts of an entry that
        is not a change (a bulk insert, a disclosure)."""
        if entry is None:
            self.detail_heading.setText("没有选中的记录。")
            self.details.setRowCount(0)
            return
        where = f"　记录 UUID：{entry.record_uuid}" if entry.record_uuid else ""
        self.detail_heading.setText(f"{entry.at}　{entry.actor}　{entry.action_name}　{entry.subject}{where}")
        if entry.facts:
            self._fill_details(["项目", "内容"], entry.facts)
        else:
            self._fill_details(["字段", "原值", "新值"], [(c.field, c.old, c.new) for c in entry.changes])

    def _fill_details(self, headers: list[str], rows) -> None:
        self.details.clearContents()
        self.details.setColumnCount(len(headers))
        self.details.setHorizontalHeaderLabels(headers)
        self.details.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value if len(value) > 40 else "")
                self.details.setItem(row, column, item)

    def detail_rows(self) -> list[tuple[str, ...]]:
        """What the detail pane shows, row by row, as the clerk reads it."""
        return [
            tuple(self.details.item(row, column).text() for column in range(self.details.columnCount()))
            for row in range(self.details.rowCount())
        ]

    def detail_headers(self) -> list[str]:
        return [self.details.horizontalHeaderItem(c).text() for c in range(self.details.columnCount())]

    # --- exporting ------------------------------------------------------------------------------------------
    def export(self) -> Job | None:
        """Write the entries listed to .xlsx on the worker: ID numbers and phones masked, unless the clerk
        asks for them whole and says why (as every export of the program, models.privacy)."""
        if self.page is None or self.is_loading():
            return None
        if not self.page.entries:
            self.tell("没有可导出的审计记录。")
            return None
        disclosure = self.ask_disclosure()
        if disclosure is None:
            return None
        target = self.ask_export_path()
        if target is None:
            return None
        engine, page, conditions = self._engine, self.page, self.condition_words()
        job = Job(
            lambda: export_trail(
                engine, target, page, conditions=conditions, full=disclosure.full, reason=disclosure.reason
            )
        )
        job.signals.succeeded.connect(self._exported)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self._crashed)
        self._export_target = target
        self.export_button.setEnabled(False)
        job.signals.finished.connect(self._export_finished)
        return self._runner.start(job, title="正在导出审计记录", window=self)

    def ask_disclosure(self) -> Disclosure | None:
        """Masked, or whole with a reason; asked only when the entries hold ID numbers or phones and the
        person may see them. None: the clerk cancelled."""
        if not people_disclosed(self.page.entries) or not sees_personal_data(self._engine):
            return Disclosure()
        return self.choose_disclosure()

    def choose_disclosure(self) -> Disclosure | None:
        """The house's dialog with 包含完整身份证号和手机号码 and the reason (a test replaces this)."""
        dialog = ExportOptionsDialog("导出", self._window_state, self)
        return dialog.disclosure() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _exported(self, count: int) -> None:
        self.export_note.setText(f"已导出 {count:,} 条到 {self._export_target}")

    def _export_finished(self) -> None:
        self.export_button.setEnabled(True)

    def ask_export_path(self) -> Path | None:
        """Where to save the workbook (a test replaces this)."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"审计记录-{date.today():%Y-%m-%d}.xlsx")
        chosen, _ = QFileDialog.getSaveFileName(self, "导出审计记录", suggested, "Excel 工作簿 (*.xlsx)")
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def tell(self, message: str) -> None:
        """A short notice (a test replaces this)."""
        QMessageBox.information(self, self.windowTitle(), message)

    def _crashed(self, details: str) -> None:
        show_bug(details, self)


# --- opening it from a record's dialog --------------------------------------------------------------------


def open_record_history(
    parent: QWidget, engine: Engine, window_state: QSettings, table_name: str, record_id: int, title: str
) -> ViewAuditTrailDialog | None:
    """The viewer on one record's entries (its creation in an import included)."""
    found = record_uuids(engine, table_name, [record_id])
    if not found:
        return None
    dialog = ViewAuditTrailDialog(
        engine, window_state, parent, record_uuid=found[0], record_title=f"{AUDIT_TABLES[table_name]} {title}"
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def add_history_button(
    dialog: FormDialog, engine: Engine, window_state: QSettings, table_name: str, record_id: int, title: str
) -> QPushButton | None:
    """A "修改记录…" button at the left of a record's Save/Cancel, for administrators only."""
    if not may(engine, Role.ADMINISTRATOR):
        return None
    button = dialog.buttons.addButton("修改记录…", QDialogButtonBox.ButtonRole.ResetRole)
    button.setToolTip("这条记录的新增、修改和删除：何时、何人、改了什么")
    button.setAutoDefault(False)  # Enter in a field saves the form; it must not open the history
    button.clicked.connect(
        lambda: open_record_history(dialog, engine, window_state, table_name, record_id, title)
    )
    return button
