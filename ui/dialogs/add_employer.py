"""新增单位: one employer, its credit code checked as it is typed."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget
from sqlalchemy import Engine

from models import codes
from models.employers import EmployerRecord, add_employer
from models.errors import CodeError
from models.registers import first_level_union_choices
from ui.dialogs.base import FormDialog
from ui.labels import EMPLOYER_CLASS


class AddEmployerDialog(FormDialog):
    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("新增单位", window_state, parent)
        self._engine = engine
        self.saved: EmployerRecord | None = None
        self.name = self.add_field("name", "单位名称", QLineEdit())
        self.credit_code = self.add_field("credit_code", "统一社会信用代码", QLineEdit())
        self.credit_code.setPlaceholderText("18位，可暂缺")
        self.employer_class = self.add_field("employer_class", "单位类别", QComboBox())
        for code, label in EMPLOYER_CLASS.items():
            self.employer_class.addItem(label, str(code))
        self.staff_count = self.add_field("staff_count", "职工人数", QSpinBox())
        self.staff_count.setRange(0, 1_000_000)
        self.staff_count.setGroupSeparatorShown(True)
        self.first_level_union = self.add_field("first_level_union", "负责的一级工会", QComboBox())
        self.first_level_union.addItem("（暂不指定）", None)
        for _, name in first_level_union_choices(engine):
            self.first_level_union.addItem(name, name)
        self.credit_code.textChanged.connect(self._check_credit_code)
        self.credit_code.editingFinished.connect(self._credit_code_finished)

    def _check_credit_code(self, text: str, finished: bool = False) -> None:
        self.clear_error("credit_code")
        if len(codes.normalize_code(text)) < 18 and not finished or not text.strip():
            return
        try:
            codes.check_credit_code(text)
        except CodeError as exc:
            self.show_error("credit_code", exc.message)

    def check_fields(self) -> None:
        self._check_credit_code(self.credit_code.text(), finished=True)

    def _credit_code_finished(self) -> None:
        self._check_credit_code(self.credit_code.text(), finished=True)

    def save(self) -> None:
        self.saved = add_employer(
            self._engine,
            name=self.name.text(),
            credit_code=self.credit_code.text(),
            employer_class=self.employer_class.currentData(),
            staff_count=self.staff_count.value(),
            first_level_union=self.first_level_union.currentData(),
        )
