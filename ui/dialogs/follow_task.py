"""跟进建会任务: one task opened from the list — the employer's facts, the status (with its reason), the
"四清" and, beside them, the progress notes with a line to add one.

A note is written as soon as 添加进展 is pressed (it is its own record, dated); Ctrl+S saves the status and
the 四清, and a note typed but not yet added goes in with them, so nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QSettings, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.entities import TaskStatus
from models.errors import InvalidInput
from models.tasks import (
    NEEDS_REASON,
    TaskDetails,
    TaskFacts,
    add_progress_note,
    change_task_status,
    record_task_facts,
    task_details,
)
from ui.dialogs.base import FormDialog, date_until_today
from ui.dialogs.employer_form import date_or_none, optional_date_edit, show_date
from ui.fact_table import fact_table, shown
from ui.labels import EMPLOYER_CLASS, STAFF_COUNT_SOURCE, TASK_STATUS, task_rule_words

PROGRESS_HEADERS = ("日期", "进展情况")


def employer_line(details: TaskDetails) -> str:
    e = details.employer
    parts = [EMPLOYER_CLASS.get(e.employer_class, e.employer_class)]
    if e.credit_code:
        parts.append(e.credit_code)
    if e.staff_count is not None:
        source = STAFF_COUNT_SOURCE.get(e.staff_count_source or "", "")
        when = f"，截至 {e.staff_count_date:%Y-%m-%d}" if e.staff_count_date else ""
        parts.append(f"职工 {e.staff_count:,} 人" + (f"（{source}{when}）" if source or when else ""))
    return " · ".join(parts)


def contact_line(details: TaskDetails) -> str:
    e = details.employer
    who = " ".join(part for part in (e.contact_person, e.contact_phone) if part)
    return " · ".join(part for part in (e.address, f"联系人 {who}" if who else None) if part) or "（未填）"


class FollowTaskDialog(FormDialog):
    """``records_changed`` is emitted after anything is written (a note, or the save)."""

    records_changed = Signal()

    def __init__(
        self, engine: Engine, task_id: int, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("建会任务", window_state, parent)
        self._engine = engine
        self.task_id = task_id
        self.details = details = task_details(engine, task_id)
        employer = details.employer.name
        self.setWindowTitle(f"建会任务：{employer}（{details.year}年度）")

        self.form.addRow("单位", QLabel(employer))
        self._fact_row("", employer_line(details))
        self._fact_row("地址、联系人", contact_line(details))
        self._fact_row("责任一级工会", f"{details.year}年度 · {details.first_level_union}")
        self._fact_row("建会规则", task_rule_words(details.rules) or "手工添加")
        if details.open_notices:
            self._fact_row("一函两书", f"已发出、尚未办结 {details.open_notices} 份")
        self.status = self.add_field("status", "进展", QComboBox())
        for code, words in TASK_STATUS.items():
            self.status.addItem(words, str(code))
        self.status.setCurrentIndex(self.status.findData(details.status))
        self.reason = self.add_field("reason", "原因", QPlainTextEdit(details.status_reason or ""))
        self.reason.setPlaceholderText("改为暂缓或注销时必填，如：企业正在破产重整，待重整完成后推进")
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(60)
        if details.status == TaskStatus.FOUNDED:
            union = f"：{details.founded_union}" if details.founded_union else ""
            self._fact_row("建会情况", f"{shown(details.closed_on)} 已建会{union}")
            self.status.setEnabled(False)
            self.reason.setEnabled(False)

        heading = QLabel("四清（摸清职工人数、工作场所、未建会原因、建会计划）")
        heading.setObjectName("hint")
        self.form.addRow(heading)
        facts = details.facts
        self.staff_found = self.add_field(
            "staff_found", "实有职工人数", QLineEdit(shown_int(facts.staff_found))
        )
        self.staff_found.setValidator(QIntValidator(0, 10_000_000, self.staff_found))
        self.staff_found.setPlaceholderText("走访核实的人数")
        self.workplace = self.add_field("workplace", "工作场所", QLineEdit(facts.workplace or ""))
        self.why_no_union = self.add_field(
            "why_no_union", "未建会原因", QPlainTextEdit(facts.why_no_union or "")
        )
        self.plan = self.add_field("plan", "建会计划", QPlainTextEdit(facts.plan or ""))
        for text in (self.why_no_union, self.plan):
            text.setTabChangesFocus(True)
            text.setMaximumHeight(60)
        self.planned_on = self.add_field("planned_on", "计划建会日期", optional_date_edit())
        self.planned_on.setMaximumDate(QDate(2100, 12, 31))  # a plan's date is ahead of us
        show_date(self.planned_on, facts.planned_on)

        self.layout().removeWidget(self.form_page)  # the form moves beside the progress notes
        side = QHBoxLayout()
        side.addWidget(self.form_page, 3)
        side.addWidget(self._progress_panel(), 2)
        self.layout().insertLayout(0, side, 1)
        self._default_size = (1080, 700)
        self.restore_size()

    def _fact_row(self, label: str, text: str) -> QLabel:
        value = QLabel(text)
        value.setWordWrap(True)
        self.form.addRow(label, value)
        return value

    # --- progress notes -------------------------------------------------------------------------------
    def _progress_panel(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.progress_title = QLabel()
        column.addWidget(self.progress_title)
        self.progress = fact_table(PROGRESS_HEADERS, [], wide_column=1)
        column.addWidget(self.progress, 1)
        row = QHBoxLayout()
        self.noted_on = date_until_today()
        self.note = QLineEdit()
        self.note.setPlaceholderText("做了什么、谁去的、结果如何")
        self.note.returnPressed.connect(self.add_note)
        self.add_note_button = QPushButton("添加进展")
        self.add_note_button.clicked.connect(self.add_note)
        row.addWidget(self.noted_on)
        row.addWidget(self.note, 1)
        row.addWidget(self.add_note_button)
        column.addLayout(row)
        self.note_error = QLabel()
        self.note_error.setObjectName("fieldError")
        self.note_error.setWordWrap(True)
        self.note_error.hide()
        column.addWidget(self.note_error)
        self._show_progress()
        return panel

    def _show_progress(self) -> None:
        notes = self.details.progress
        self.progress_title.setText(f"进展记录（{len(notes)} 条，最近的在前）" if notes else "还没有进展记录")
        table = fact_table(PROGRESS_HEADERS, [(n.noted_on, n.note) for n in notes], wide_column=1)
        # A note is read whole: long ones wrap, and the rows follow the column as the dialog is resized.
        table.setWordWrap(True)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if self.progress.parentWidget() is not None:
            self.progress.parentWidget().layout().replaceWidget(self.progress, table)
            self.progress.deleteLater()
        self.progress = table

    def add_note(self) -> bool:
        """Write the typed note at once; the table shows it and the lists hear of it."""
        self.note_error.hide()
        try:
            add_progress_note(self._engine, self.task_id, self.noted_on.date().toPython(), self.note.text())
        except InvalidInput as exc:
            self.note_error.setText(exc.message)
            self.note_error.show()
            return False
        self.note.clear()
        self.details = task_details(self._engine, self.task_id)
        self._show_progress()
        self.records_changed.emit()
        return True

    # --- saving ---------------------------------------------------------------------------------------
    def check_fields(self) -> None:
        text = self.staff_found.text().strip()
        if text and not text.isdigit():
            self.show_error("staff_found", "实有职工人数应为整数")

    def save(self) -> None:
        """The typed note first (a record of its own), then the status, which may be refused, then the 四清."""
        if self.note.text().strip() and not self.add_note():
            raise InvalidInput(self.note_error.text())
        status, reason = self.status.currentData(), self.reason.toPlainText()
        moved = status != self.details.status
        reason_changed = status in NEEDS_REASON and reason.strip() != (self.details.status_reason or "")
        if self.status.isEnabled() and (moved or reason_changed):
            change_task_status(self._engine, self.task_id, status, reason)
        record_task_facts(self._engine, self.task_id, self.task_facts())
        self.records_changed.emit()

    def task_facts(self) -> TaskFacts:
        text = self.staff_found.text().strip()
        return TaskFacts(
            staff_found=int(text) if text else None,
            workplace=self.workplace.text(),
            why_no_union=self.why_no_union.toPlainText(),
            plan=self.plan.toPlainText(),
            planned_on=date_or_none(self.planned_on),
        )


def shown_int(value: int | None) -> str:
    return "" if value is None else str(value)
