"""导入: a list from a spreadsheet into the registers, in five steps the clerk can go back through.

文件 → 工作表和表头 → 列对应 → 检查结果 → 导入. Reading the file, checking the rows and writing them run
on the worker; the window never freezes, and checking and writing can be cancelled (the write then rolls
back whole).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.errors import DataDirUnusable
from models.imports import backup_before_import
from models.paths import DataDir
from spreadsheets.columns import ImportKind, fields, missing_required
from spreadsheets.error_workbook import write_error_workbook
from spreadsheets.importing import (
    ImportPreview,
    ImportResult,
    Layout,
    Problem,
    prepare_import,
    read_layout,
    shown_cell,
    write_import,
)
from spreadsheets.mappings import remember_mapping, remembered_mapping
from spreadsheets.tables import column_letter
from ui.dialogs.base import SizedDialog, date_until_today
from ui.error_dialog import show_bug
from ui.labels import STAFF_COUNT_SOURCE
from ui.table_model import TableModel
from ui.worker import Job, JobRunner, Progress

KIND_NAMES: dict[str, str] = {
    "members": "会员",
    "employers": "单位",
    "unions": "基层工会",
    "headcounts": "职工人数（他部门数据）",
}
STEP_TITLES = ("1. 文件", "2. 工作表和表头", "3. 列对应", "4. 检查结果", "5. 导入")
NOT_IMPORTED = "不导入"
PREVIEW_ROWS = 8  # rows of the sheet shown under the header row, enough to see the header is right
FILE_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def _error() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class ProblemsModel(TableModel):
    """The refused rows' problems; a view asks only for the rows it shows, so 100,000 cost nothing."""

    titles = ("工作表", "行号", "列", "内容", "原因")

    def __init__(self, problems: list[Problem], parent=None) -> None:
        super().__init__(parent)
        self._problems = problems

    def row_total(self) -> int:
        return len(self._problems)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        problem = self._problems[index.row()]
        column = index.column()
        if column == 0:
            return problem.sheet
        if column == 1:
            return str(problem.row)
        if column == 2:
            return f"{problem.column}（{problem.header}）" if problem.column else problem.header
        if column == 3:
            return problem.value
        return problem.reason


class ImportRecordsDialog(SizedDialog):
    """The import wizard. After a write, ``result`` holds what was done and the dialog accepts on close."""

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        data_dir: DataDir,
        window_state: QSettings,
        parent: QWidget | None = None,
        kind: ImportKind = "members",
    ) -> None:
        super().__init__("导入", window_state, (1100, 680), parent)
        self._engine = engine
        self._runner = runner
        self._data_dir = data_dir
        self.path: Path | None = None
        self.layout_found: Layout | None = None
        self.head_rows: list[list] = []
        self._mapped_layout: Layout | None = None  # the layout the column table was built for
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self.backup: Path | None = None
        self.write_job: Job | None = None
        self._remembered: dict[int, str] | None = None
        self._reads = 0  # which read_layout is the latest asked for: older answers are dropped
        self._busy = False

        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page(kind))
        self.pages.addWidget(self._sheet_page())
        self.pages.addWidget(self._columns_page())
        self.pages.addWidget(self._check_page())
        self.pages.addWidget(self._result_page())

        self.back_button = QPushButton("上一步")
        self.next_button = QPushButton("下一步")
        self.import_button = QPushButton("导入")
        self.finish_button = QPushButton("完成")
        self.cancel_button = QPushButton("取消")
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.import_button.clicked.connect(self.start_import)
        self.finish_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button, self.finish_button,
                       self.cancel_button):  # fmt: skip
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self.restore_size()
        self._show_page(0)

    # --- the pages ------------------------------------------------------------------------------------
    def _file_page(self, kind: ImportKind) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.kind = QComboBox()
        for key, name in KIND_NAMES.items():
            self.kind.addItem(name, key)
        self.kind.setCurrentIndex(self.kind.findData(kind))
        form.addRow("导入什么", self.kind)
        self.file_label = QLabel("尚未选择文件")
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = QPushButton("选择文件…")
        self.choose_button.clicked.connect(self._choose_clicked)
        row = QHBoxLayout()
        row.addWidget(self.file_label, 1)
        row.addWidget(self.choose_button)
        form.addRow("文件", row)
        self.source = QComboBox()
        for code, words in STAFF_COUNT_SOURCE.items():
            self.source.addItem(words, str(code))
        self.as_of = date_until_today()
        self.source_label, self.as_of_label = QLabel("人数来源"), QLabel("人数截至日期")
        form.addRow(self.source_label, self.source)
        form.addRow(self.as_of_label, self.as_of)
        self.as_of_hint = _hint("表中没有“统计日期”列或该格为空的行，按此日期登记。")
        form.addRow("", self.as_of_hint)
        form.addRow(
            _hint(
                "可导入 Excel（.xlsx、.xls）、WPS 或 LibreOffice 保存的表格（.ods）及 CSV 文件。"
                "表头不必在第1行，标题行、合计行和表下的说明会自动跳过。"
            )
        )
        self.file_error = _error()
        form.addRow(self.file_error)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        return page

    def _sheet_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        self.sheet = QComboBox()
        self.sheet.setMinimumWidth(240)
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 1000)
        self.header_row.setSuffix(" 行")
        self.header_row.setPrefix("第 ")
        form.addRow("工作表", self.sheet)
        form.addRow("表头所在行", self.header_row)
        column.addLayout(form)
        self.sheet_status = _hint()
        column.addWidget(self.sheet_status)
        self.sheet_error = _error()
        column.addWidget(self.sheet_error)
        self.head_table = QTableWidget()
        self.head_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.head_table.setWordWrap(False)
        column.addWidget(self.head_table, 1)
        column.addWidget(_hint("加粗、底色的一行是表头；如不对，请改“表头所在行”。"))
        self.sheet.activated.connect(self._sheet_chosen)
        self.header_row.setKeyboardTracking(False)  # typing "12" must not read row 1 first
        self.header_row.valueChanged.connect(self._header_row_chosen)
        return page

    def _columns_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(_hint("为表中每一列选择它对应的项目；不需要的列选“不导入”。"))
        self.remembered_note = _hint()
        column.addWidget(self.remembered_note)
        self.columns_table = QTableWidget(0, 3)
        self.columns_table.setHorizontalHeaderLabels(["列", "表头", "导入为"])
        self.columns_table.verticalHeader().hide()
        self.columns_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.columns_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.columns_table.setColumnWidth(2, 260)
        column.addWidget(self.columns_table, 1)
        self.mapping_error = _error()
        column.addWidget(self.mapping_error)
        self.field_combos: list[QComboBox] = []
        return page

    def _check_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.summary = QLabel()
        font = QFont(self.summary.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary.setFont(font)
        column.addWidget(self.summary)
        self.skipped_note = _hint()
        column.addWidget(self.skipped_note)
        self.problems = QTableView()
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setWordWrap(False)
        self.problems.verticalHeader().hide()
        self.problems.setModel(ProblemsModel([], self.problems))
        column.addWidget(self.problems, 1)
        row = QHBoxLayout()
        self.save_problems_button = QPushButton("保存问题行…")
        self.save_problems_button.setToolTip("把有问题的行连同原因另存为一个表格，改好后可再导入")
        self.save_problems_button.clicked.connect(self.save_problem_rows)
        row.addWidget(self.save_problems_button)
        row.addStretch(1)
        column.addLayout(row)
        self.existing_box = QWidget()
        existing = QVBoxLayout(self.existing_box)
        existing.setContentsMargins(0, 0, 0, 0)
        self.existing_note = QLabel()
        self.skip_existing = QRadioButton("跳过，保留已有记录不变")
        self.update_existing = QRadioButton("更新已有记录（用表中不为空的格）")
        self.skip_existing.setChecked(True)
        self._existing_group = QButtonGroup(self)
        self._existing_group.addButton(self.skip_existing)
        self._existing_group.addButton(self.update_existing)
        existing.addWidget(self.existing_note)
        existing.addWidget(self.skip_existing)
        existing.addWidget(self.update_existing)
        column.addWidget(self.existing_box)
        self.check_error = _error()
        column.addWidget(self.check_error)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.outcome)
        column.addStretch(1)
        return page

    # --- moving between pages -------------------------------------------------------------------------
    @property
    def page(self) -> int:
        return self.pages.currentIndex()

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        titles = [f"<b>{title}</b>" if i == index else title for i, title in enumerate(STEP_TITLES)]
        self.steps.setText("　→　".join(titles))
        self._update_buttons()

    def _update_buttons(self) -> None:
        page, busy, done = self.page, self._busy, self.result is not None
        self.back_button.setVisible(page < 4)
        self.back_button.setEnabled(0 < page < 4 and not busy)
        self.next_button.setVisible(page < 3)
        self.next_button.setEnabled(not busy and self._can_go_on())
        self.import_button.setVisible(page == 3)
        self.import_button.setEnabled(
            page == 3 and not busy and self.preview is not None and bool(self.preview.rows)
        )
        self.finish_button.setVisible(page == 4)
        self.cancel_button.setText("关闭" if done else "取消")
        self.cancel_button.setVisible(page < 4)
        self.cancel_button.setEnabled(not busy)
        self.save_problems_button.setEnabled(
            not busy and self.preview is not None and bool(self.preview.refused)
        )
        self.choose_button.setEnabled(not busy)

    def _can_go_on(self) -> bool:
        if self.page == 0:
            return self.path is not None
        if self.page == 1:
            return self.layout_found is not None and self.sheet_error.isHidden()
        if self.page == 2:
            return self.mapping_problem() is None
        return False

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def go_back(self) -> None:
        if self.page > 0 and not self._busy:
            if self.page == 3:
                self._discard_preview()  # back to the mapping: what was checked will be checked again
            self._show_page(self.page - 1)

    def done(self, result: int) -> None:
        self._discard_preview()  # closed without importing: nothing written ahead may stay
        super().done(result)

    def _discard_preview(self) -> None:
        """Roll back the members written ahead of a preview that will not be imported (a no-op after the
        import, which committed them), so the database can be written by the rest of the program."""
        if self.preview is not None:
            self.preview.discard()

    def go_next(self) -> None:
        if self._busy or not self._can_go_on():
            return
        if self.page == 0:
            self.file_error.hide()
            self.read_sheet(None, None, then_show=1)
        elif self.page == 1:
            self._fill_columns()
            self._show_page(2)
        elif self.page == 2:
            self.check_rows()

    def reject(self) -> None:
        if self._busy:
            return  # the worker is busy: its own progress dialog cancels it
        if self.result is not None:
            self.accept()  # the import was written: the window must refresh however the clerk closes
            return
        super().reject()

    # --- 1. the file ----------------------------------------------------------------------------------
    @property
    def chosen_kind(self) -> ImportKind:
        return self.kind.currentData()

    def _kind_changed(self) -> None:
        headcounts = self.chosen_kind == "headcounts"
        for widget in (self.source_label, self.source, self.as_of_label, self.as_of, self.as_of_hint):
            widget.setVisible(headcounts)
        self.layout_found = None

    def _choose_clicked(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.set_file(path)

    def set_file(self, path: Path) -> None:
        self.path = Path(path)
        self.file_label.setText(str(self.path))
        self.layout_found = None
        self._update_buttons()

    def choose_file(self) -> Path | None:
        """The file to import (a test replaces this)."""
        name, _ = QFileDialog.getOpenFileName(self, "选择要导入的表格", str(Path.home()), FILE_FILTER)
        return Path(name) if name else None

    # --- 2. the sheet and the header row --------------------------------------------------------------
    def read_sheet(self, sheet: str | None, header_index: int | None, then_show: int | None = None) -> Job:
        """Find the sheet, header and proposed mapping on the worker (a big file takes a second)."""
        self._reads += 1
        asked = self._reads
        path, kind, data_dir = self.path, self.chosen_kind, self._data_dir

        def read() -> tuple[int, int | None, Layout, list[list], dict[int, str] | None]:
            layout = read_layout(path, kind, sheet=sheet, header_index=header_index)
            head = [
                list(row)
                for row in layout.workbook.head(layout.sheet, layout.header_index + 1 + PREVIEW_ROWS)
            ]
            return asked, then_show, layout, head, remembered_mapping(data_dir, kind, layout.header)

        job = Job(read, yields_progress=False)
        job.signals.succeeded.connect(self._sheet_read)
        job.signals.known_error.connect(self._sheet_refused)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._job_finished)
        self.sheet_status.setText(f"正在读取“{path.name}”…")
        self._set_busy(True)
        return self._runner.start(job)

    def _sheet_read(self, answer) -> None:
        asked, then_show, layout, head, remembered = answer
        if asked != self._reads:
            return
        self.layout_found = layout
        self.head_rows = head
        self._remembered = remembered
        self.sheet_error.hide()
        self.sheet.clear()
        self.sheet.addItems(layout.sheet_names)
        self.sheet.setCurrentText(layout.sheet)
        self.header_row.blockSignals(True)
        self.header_row.setValue(layout.header_index + 1)
        self.header_row.blockSignals(False)
        self.sheet_status.setText(
            f"“{self.path.name}”共有 {len(layout.sheet_names)} 张工作表；"
            f"在“{layout.sheet}”第 {layout.header_index + 1} 行找到表头，共 {len(layout.header)} 列。"
        )
        self._fill_head_table()
        if then_show is not None:
            self._show_page(then_show)
        self._update_buttons()

    def _sheet_refused(self, message: str) -> None:
        if self.page == 0:
            self.file_error.setText(message)
            self.file_error.show()
            return
        self.layout_found = None
        self.sheet_status.setText("")
        self.sheet_error.setText(message)
        self.sheet_error.show()
        self.head_table.clear()
        self.head_table.setRowCount(0)
        self._update_buttons()

    def _fill_head_table(self) -> None:
        rows = self.head_rows
        width = max((len(row) for row in rows), default=0)
        self.head_table.clear()
        self.head_table.setRowCount(len(rows))
        self.head_table.setColumnCount(width)
        self.head_table.setHorizontalHeaderLabels([column_letter(i) for i in range(width)])
        self.head_table.setVerticalHeaderLabels([str(i + 1) for i in range(len(rows))])
        header_index = self.layout_found.header_index
        bold = QFont(self.head_table.font())
        bold.setBold(True)
        shade = QBrush(QColor("#dce9f7"))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                item = QTableWidgetItem(shown_cell(cell).replace("\n", " "))
                if r == header_index:
                    item.setFont(bold)
                    item.setBackground(shade)
                self.head_table.setItem(r, c, item)
        self.head_table.resizeColumnsToContents()
        for c in range(width):
            self.head_table.setColumnWidth(c, min(self.head_table.columnWidth(c), 220))
        if rows:
            self.head_table.scrollToItem(self.head_table.item(header_index, 0) or QTableWidgetItem())

    def _sheet_chosen(self) -> None:
        self.read_sheet(self.sheet.currentText(), None)

    def _header_row_chosen(self) -> None:
        if self.layout_found is not None and self.header_row.value() - 1 == self.layout_found.header_index:
            return
        self.read_sheet(self.sheet.currentText(), self.header_row.value() - 1)

    # --- 3. the columns -------------------------------------------------------------------------------
    def _fill_columns(self) -> None:
        layout = self.layout_found
        if layout is self._mapped_layout:
            return  # the clerk's choices stay when going back and forth
        self._mapped_layout = layout
        proposed = self._remembered if self._remembered is not None else layout.mapping
        self.remembered_note.setText(
            "已按上次导入同样表头的文件时您确认的对应关系填好。" if self._remembered is not None else ""
        )
        self.remembered_note.setVisible(self._remembered is not None)
        targets = fields(self.chosen_kind)
        self.columns_table.setRowCount(len(layout.header))
        self.field_combos = []
        for index, cell in enumerate(layout.header):
            self.columns_table.setItem(index, 0, QTableWidgetItem(column_letter(index)))
            self.columns_table.setItem(index, 1, QTableWidgetItem(shown_cell(cell).replace("\n", " ")))
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for target in targets:
                combo.addItem(f"{target.label}（必填）" if target.required else target.label, target.key)
            chosen = combo.findData(proposed.get(index)) if index in proposed else 0
            combo.setCurrentIndex(max(chosen, 0))
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.columns_table.setCellWidget(index, 2, combo)
            self.field_combos.append(combo)
        self.columns_table.resizeRowsToContents()
        self._mapping_changed()

    def mapping(self) -> dict[int, str]:
        """Column index → field key, as the combos say."""
        return {
            index: combo.currentData() for index, combo in enumerate(self.field_combos) if combo.currentData()
        }

    def mapping_problem(self) -> str | None:
        """What keeps the mapping from being used, in the clerk's words; None when it can be used."""
        labels = {target.key: target.label for target in fields(self.chosen_kind)}
        mapping = self.mapping()
        seen: dict[str, int] = {}
        for index, key in sorted(mapping.items()):
            if key in seen:
                return f"第{column_letter(seen[key])}列和第{column_letter(index)}列都对应了“{labels[key]}”，请只选一列"
            seen[key] = index
        missing = missing_required(mapping, self.chosen_kind)
        if missing:
            names = "、".join(
                f"“{t.label}”（或“{labels[t.or_field]}”）" if t.or_field else f"“{t.label}”" for t in missing
            )
            return f"缺少必需的列：{names}。请在上表中指定哪一列是它。"
        return None

    def _mapping_changed(self) -> None:
        problem = self.mapping_problem()
        self.mapping_error.setText(problem or "")
        self.mapping_error.setVisible(problem is not None)
        self._update_buttons()

    # --- 4. checking ----------------------------------------------------------------------------------
    def check_rows(self) -> Job:
        """Read and check every row on the worker, with progress and 取消; nothing is written."""
        engine, path, kind, layout, mapping = (
            self._engine,
            self.path,
            self.chosen_kind,
            self.layout_found,
            self.mapping(),
        )
        headcounts = kind == "headcounts"
        source = self.source.currentData() if headcounts else None
        as_of: date | None = self.as_of.date().toPython() if headcounts else None

        self._discard_preview()

        def check() -> Iterator[Progress]:
            # Members are written ahead while checked, into a transaction only 导入 commits: the wizard is
            # window-modal, so nothing else in the program waits on the lock it holds meanwhile.
            return prepare_import(
                engine,
                path,
                kind,
                layout=layout,
                mapping=mapping,
                source=source,
                as_of=as_of,
                write_ahead=kind == "members",
            )

        job = Job(check)
        job.signals.succeeded.connect(self._checked)
        job.signals.known_error.connect(self._check_refused)
        job.signals.cancelled.connect(self._check_cancelled)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._job_finished)
        self.mapping_error.hide()
        self._set_busy(True)
        return self._runner.start(job, title="正在检查表格", window=self)

    def _checked(self, preview: ImportPreview) -> None:
        self.preview = preview
        ready, refused = len(preview.rows), preview.refused
        self.summary.setText(f"{ready:,} 行可以导入，{refused:,} 行有问题")
        notes = [
            f"工作表“{preview.sheet}”，表头在第 {preview.header_row} 行，共读到 {preview.read:,} 行数据。"
        ]
        if preview.skipped:
            notes.append(f"另有 {len(preview.skipped):,} 行不是数据（合计、说明等），已跳过。")
        if refused:
            notes.append("有问题的行不会导入；可“保存问题行”，改好后再导入。")
        self.skipped_note.setText("".join(notes))
        self.problems.setModel(ProblemsModel(preview.problems, self.problems))
        self.problems.setVisible(bool(preview.problems))
        header = self.problems.horizontalHeader()
        for column, width in enumerate((90, 50, 150, 170)):
            self.problems.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        existing = len(preview.existing)
        self.existing_box.setVisible(existing > 0)
        self.existing_note.setText(f"其中 {existing:,} 行是已经登记的记录：")
        self.skip_existing.setText(f"跳过这 {existing:,} 行，保留已有记录不变")
        self.update_existing.setText(f"更新这 {existing:,} 条已有记录（用表中不为空的格）")
        self.check_error.hide()
        self.import_button.setText(f"导入 {ready:,} 行" if ready else "导入")
        self._show_page(3)

    def _check_refused(self, message: str) -> None:
        self.mapping_error.setText(message)
        self.mapping_error.show()

    def _check_cancelled(self) -> None:
        self.mapping_error.setText("已取消检查，没有导入任何数据。")
        self.mapping_error.show()

    def save_problem_rows(self) -> Job | None:
        """Write the refused rows with their reasons to a workbook the clerk fixes and imports again."""
        preview = self.preview
        if preview is None or not preview.refused:
            return None
        target = self.choose_error_path(preview.path.with_name(f"{preview.path.stem}-问题行.xlsx"))
        if target is None:
            return None
        job = Job(lambda: write_error_workbook(target, preview), yields_progress=False)
        job.signals.succeeded.connect(self._problems_saved)
        job.signals.known_error.connect(self._problems_not_saved)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._job_finished)
        self._set_busy(True)
        return self._runner.start(job)

    def choose_error_path(self, proposed: Path) -> Path | None:
        """Where the problem rows go (a test replaces this)."""
        name, _ = QFileDialog.getSaveFileName(self, "保存问题行", str(proposed), "Excel 工作簿 (*.xlsx)")
        return Path(name) if name else None

    def _problems_saved(self, path: Path) -> None:
        self.check_error.setObjectName("hint")
        self._restyle(self.check_error)
        self.check_error.setText(f"问题行已保存到：{path}")
        self.check_error.show()

    def _problems_not_saved(self, message: str) -> None:
        self.check_error.setObjectName("fieldError")
        self._restyle(self.check_error)
        self.check_error.setText(message)
        self.check_error.show()

    @staticmethod
    def _restyle(label: QLabel) -> None:
        label.style().unpolish(label)
        label.style().polish(label)

    # --- 5. writing -----------------------------------------------------------------------------------
    def start_import(self) -> Job | None:
        """Back the database up, then write every ready row in one transaction on the worker."""
        preview = self.preview
        if preview is None or not preview.rows or self._busy:
            return None
        on_duplicate = "update" if self.update_existing.isChecked() else "skip"
        engine, data_dir = self._engine, self._data_dir

        def write() -> Iterator[Progress]:
            yield 0, 0, "正在备份数据库…"
            backup = backup_before_import(data_dir)
            result = yield from write_import(engine, preview, on_duplicate=on_duplicate)
            try:
                remember_mapping(data_dir, preview.kind, preview.header, preview.mapping)
            except DataDirUnusable:
                pass  # only a convenience for next time: the import itself is written
            return result, backup

        job = Job(write)
        job.signals.succeeded.connect(self._imported)
        job.signals.known_error.connect(self._import_refused)
        job.signals.cancelled.connect(self._import_cancelled)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._job_finished)
        self.check_error.hide()
        self._set_busy(True)
        self.write_job = self._runner.start(job, title="正在导入", window=self)
        return self.write_job

    def _imported(self, answer: tuple[ImportResult, Path]) -> None:
        self.result, self.backup = answer
        result = self.result
        noun = KIND_NAMES[self.preview.kind].split("（")[0]
        lines = [
            f"导入完成（{noun}）。",
            "",
            f"新增：{result.imported:,} 条",
            f"更新：{result.updated:,} 条",
            f"跳过（已登记）：{result.skipped:,} 行",
            f"有问题未导入：{result.refused:,} 行",
        ]
        if self.backup is not None:
            lines += ["", f"导入前的数据库已自动备份到：{self.backup}"]
        self.outcome.setText("\n".join(lines))
        self._show_page(4)

    def _import_refused(self, message: str) -> None:
        self.check_error.setObjectName("fieldError")
        self._restyle(self.check_error)
        self.check_error.setText(message)
        self.check_error.show()

    def _import_cancelled(self) -> None:
        self._import_refused("已取消导入：已写入的部分全部撤销，数据库与导入前相同。")

    # --- the worker -----------------------------------------------------------------------------------
    def _job_finished(self) -> None:
        self._set_busy(False)

    def _crashed(self, details: str) -> None:
        show_bug(details, self)
