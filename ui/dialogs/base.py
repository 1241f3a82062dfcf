"""The base of every dialog: remembers its size, Save/Cancel wired to Ctrl+S/Esc, errors beside fields.

A form opened by a reader (查阅) shows the record read-only: the one place that decides it is here, so
that no form that writes can be forgotten (the database refuses a reader's write all the same).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, QSettings
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.accounts import may
from models.entities import Role
from models.errors import InvalidInput
from ui.error_dialog import show_bug
from ui.worker import Job, JobRunner

READ_ONLY_NOTE = "只读：当前账户为查阅权限"


def date_until_today() -> QDateEdit:
    """A required date with a calendar, today by default, never in the future."""
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumDate(QDate.currentDate())
    return edit


class SizedDialog(QDialog):
    """A dialog that opens at the size the clerk last gave it (kept in window.ini)."""

    def __init__(
        self,
        title: str,
        window_state: QSettings,
        default_size: tuple[int, int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._window_state = window_state
        self._default_size = default_size

    def restore_size(self) -> None:
        """Called once the layout is built, so a first opening gets the default size, not the minimum."""
        geometry = self._window_state.value(self._geometry_key())
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(*self._default_size)

    def done(self, result: int) -> None:
        self._window_state.setValue(self._geometry_key(), self.saveGeometry())
        super().done(result)

    def _geometry_key(self) -> str:
        return f"dialogs/{type(self).__name__}/geometry"


class FormDialog(SizedDialog):
    """A form whose ``save()`` the subclass writes; a refused field gets its reason right under it.

    A save that may take long (a change to thousands of members) returns its work instead of doing it;
    the work then runs on ``runner`` while the dialog waits with its buttons disabled.
    """

    # A save whose work is a progress generator (a batch) shows its progress and can be cancelled.
    save_yields_progress = False
    # A form that changes records opens read-only for a reader; a form a reader may use (their own
    # password) says False. The role is read from the subclass's ``_engine`` when the form first shows.
    needs_editor = True

    def __init__(
        self,
        title: str,
        window_state: QSettings,
        parent: QWidget | None = None,
        runner: JobRunner | None = None,
    ) -> None:
        super().__init__(title, window_state, (520, 360), parent)
        self._runner = runner
        self.saved_result: object = None  # what a save run on the worker returned
        self.read_only = False
        self._role_checked = False
        self._errors: dict[str, QLabel] = {}
        self.form_page = QWidget()
        self.form = QFormLayout(self.form_page)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.general_error = QLabel()
        self.general_error.setObjectName("fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.read_only_note = QLabel(READ_ONLY_NOTE)
        self.read_only_note.setObjectName("hint")
        self.read_only_note.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存 (Ctrl+S)")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._try_save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self._try_save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_page, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.buttons)
        self.restore_size()

    def showEvent(self, event: QShowEvent) -> None:
        # Checked at the first showing, once the subclass has built every field and set ``_engine``.
        if not self._role_checked:
            self._role_checked = True
            engine = getattr(self, "_engine", None)
            if self.needs_editor and engine is not None and not may(engine, Role.EDITOR):
                self.make_read_only()
        super().showEvent(event)

    def make_read_only(self) -> None:
        """Every field stays readable (text can be selected and copied), nothing can be changed or saved."""
        self.read_only = True
        for widget in self.findChildren(QWidget):
            if widget is not self.buttons and not self.buttons.isAncestorOf(widget):
                _freeze(widget)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭")
        self.read_only_note.show()

    def add_tabs(self, form_title: str, tabs: list[tuple[str, QWidget]]) -> QTabWidget:
        """Put the form on a first tab and the given pages (what the record is linked to) after it."""
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form_page, form_title)  # takes the form out of the dialog's own layout
        for title, page in tabs:
            self.tabs.addTab(page, title)
        self.layout().insertWidget(0, self.tabs, 1)
        return self.tabs

    def add_field(self, field: str, label: str, widget: QWidget) -> QWidget:
        """Add a labelled field with a (hidden) error line under it."""
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self.form.addRow(label, box)
        self._errors[field] = error
        return widget

    def show_error(self, field: str | None, message: str) -> None:
        label = self._errors.get(field or "", self.general_error)
        label.setText(message)
        label.show()

    def clear_error(self, field: str) -> None:
        self._errors[field].hide()

    def error_text(self, field: str) -> str:
        """What the clerk reads under a field ('' when there is nothing wrong)."""
        label = self._errors[field]
        return label.text() if not label.isHidden() else ""

    def save(self) -> Callable[[], object] | None:
        """Write the record, or return the work that writes it (run on the worker); raise InvalidInput
        (with its field) to refuse. Nothing is written then."""
        raise NotImplementedError

    def check_fields(self) -> None:
        """Show every field's own problem at once (the domain's refusal names only the first)."""

    def _try_save(self) -> None:
        if self.read_only:  # Ctrl+S in a read-only form
            return
        for label in [*self._errors.values(), self.general_error]:
            label.hide()
        self.check_fields()
        if any(not label.isHidden() for label in self._errors.values()):
            return
        try:
            work = self.save()
        except InvalidInput as exc:
            self.show_error(exc.field, exc.message)
            return
        if work is None:
            self.accept()
            return
        job = Job(work, yields_progress=self.save_yields_progress)
        job.signals.succeeded.connect(self._saved)
        job.signals.known_error.connect(self._refused)
        job.signals.cancelled.connect(self._save_cancelled)
        job.signals.crashed.connect(self._crashed)
        job.signals.finished.connect(self._enable_buttons)
        self.buttons.setEnabled(False)
        self._runner.start(job, title=f"正在{self.windowTitle()}", window=self)

    def _saved(self, result: object) -> None:
        self.saved_result = result
        self.accept()

    def _refused(self, message: str) -> None:
        self.show_error(None, message)

    def _save_cancelled(self) -> None:
        """The clerk cancelled a save that reports progress: it rolled back, and the form stays open."""

    def _crashed(self, details: str) -> None:
        show_bug(details, self)

    def _enable_buttons(self) -> None:
        self.buttons.setEnabled(True)


def _freeze(widget: QWidget) -> None:
    """One widget of a read-only form: text fields turn read-only, choices and buttons off, tables stay
    scrollable; the tab bars stay usable so that the linked records can still be looked at."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit)):
        widget.setReadOnly(True)
    elif isinstance(widget, QComboBox):
        widget.setEnabled(False)
    elif isinstance(widget, QAbstractItemView):
        widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    elif isinstance(widget, QAbstractButton) and not isinstance(
        widget.parentWidget(), (QTabBar, QAbstractItemView)
    ):
        widget.setEnabled(False)
