"""新增单位: one employer, its credit code checked as it is typed."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from sqlalchemy import Engine

from models.employers import save_employer
from ui.dialogs.employer_form import EmployerForm


class AddEmployerDialog(EmployerForm):
    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("新增单位", engine, window_state, parent)
        self.saved_id: int | None = None

    def save(self) -> None:
        self.saved_id = save_employer(self._engine, self.employer_fields())
