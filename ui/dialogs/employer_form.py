"""The employer form shared by 新增单位 and the employer page: the credit code checked as it is typed."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QSpinBox, QWidget
from sqlalchemy import Engine

from models import codes
from models.employers import EmployerFields, industry_choices
from models.errors import CodeError
from models.registers import first_level_union_choices
from ui.dialogs.base import FormDialog
from ui.labels import EMPLOYER_CLASS, STAFF_COUNT_SOURCE

NO_DATE = QDate(1900, 1, 1)  # the date edits' minimum, shown blank: "not filled in"
NO_COUNT = -1  # the staff count's minimum, shown as 未填: unknown is not the same as 0


def optional_date_edit() -> QDateEdit:
    """A date field with a calendar that may be left blank (its minimum shows as an empty field)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setMaximumDate(QDate.currentDate())
    edit.setSpecialValueText(" ")
    edit.setDate(NO_DATE)
    return edit


def date_or_none(edit: QDateEdit) -> date | None:
    return None if edit.date() == NO_DATE else edit.date().toPython()


def show_date(edit: QDateEdit, value: date | None) -> None:
    edit.setDate(QDate(value) if value else NO_DATE)


class EmployerForm(FormDialog):
    def __init__(
        self, title: str, engine: Engine, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, window_state, parent)
        self._engine = engine
        self.name = self.add_field("name", "单位名称", QLineEdit())
        self.credit_code = self.add_field("credit_code", "统一社会信用代码", QLineEdit())
        self.credit_code.setPlaceholderText("18位，可暂缺")
        self.employer_class = self.add_field("employer_class", "单位类别", QComboBox())
        for code, label in EMPLOYER_CLASS.items():
            self.employer_class.addItem(label, str(code))
        self.industry = self.add_field("industry", "行业", QComboBox())
        self.industry.setEditable(True)
        self.industry.addItems(["", *industry_choices(engine)])
        self.address = self.add_field("address", "地址", QLineEdit())
        self.legal_representative = self.add_field("legal_representative", "法定代表人", QLineEdit())
        self.contact_person = self.add_field("contact_person", "联系人", QLineEdit())
        self.contact_phone = self.add_field("contact_phone", "联系电话", QLineEdit())
        self.founded_on = self.add_field("founded_on", "成立日期", optional_date_edit())
        self.staff_count = self.add_field("staff_count", "职工人数", QSpinBox())
        self.staff_count.setRange(NO_COUNT, 1_000_000)
        self.staff_count.setSpecialValueText("未填")
        self.staff_count.setGroupSeparatorShown(True)
        self.staff_count.setValue(NO_COUNT)
        self.staff_count_source = self.add_field("staff_count_source", "人数来源", QComboBox())
        self.staff_count_source.addItem("（未注明）", None)
        for code, label in STAFF_COUNT_SOURCE.items():
            self.staff_count_source.addItem(label, str(code))
        self.staff_count_date = self.add_field("staff_count_date", "人数截至日期", optional_date_edit())
        self.above_scale = QCheckBox("规模以上企业")
        self.deputy_linked = QCheckBox("“两代表一委员”单位")
        self.new_employment_forms = QCheckBox("有新就业形态劳动者")
        marks = QWidget()
        row = QHBoxLayout(marks)
        row.setContentsMargins(0, 0, 0, 0)
        for box in (self.above_scale, self.deputy_linked, self.new_employment_forms):
            row.addWidget(box)
        row.addStretch(1)
        self.add_field("marks", "标记", marks)
        self.first_level_union = self.add_field("first_level_union_id", "负责的一级工会", QComboBox())
        self.first_level_union.addItem("（暂不指定）", None)
        for union_id, name in first_level_union_choices(engine):
            self.first_level_union.addItem(name, union_id)
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

    def _credit_code_finished(self) -> None:
        self._check_credit_code(self.credit_code.text(), finished=True)

    def check_fields(self) -> None:
        self._check_credit_code(self.credit_code.text(), finished=True)

    def show_fields(self, fields: EmployerFields) -> None:
        self.name.setText(fields.name)
        self.credit_code.setText(fields.credit_code or "")
        self.employer_class.setCurrentIndex(self.employer_class.findData(fields.employer_class))
        self.industry.setCurrentText(fields.industry or "")
        for edit, value in (
            (self.address, fields.address), (self.legal_representative, fields.legal_representative),
            (self.contact_person, fields.contact_person), (self.contact_phone, fields.contact_phone),
        ):  # fmt: skip
            edit.setText(value or "")
        show_date(self.founded_on, fields.founded_on)
        self.staff_count.setValue(NO_COUNT if fields.staff_count is None else fields.staff_count)
        self.staff_count_source.setCurrentIndex(
            max(self.staff_count_source.findData(fields.staff_count_source), 0)
        )
        show_date(self.staff_count_date, fields.staff_count_date)
        self.above_scale.setChecked(fields.above_scale)
        self.deputy_linked.setChecked(fields.deputy_linked)
        self.new_employment_forms.setChecked(fields.new_employment_forms)
        self.first_level_union.setCurrentIndex(
            max(self.first_level_union.findData(fields.first_level_union_id), 0)
        )

    def employer_fields(self) -> EmployerFields:
        """What the clerk entered, as ``save_employer`` takes it."""
        count = self.staff_count.value()
        return EmployerFields(
            name=self.name.text(),
            employer_class=self.employer_class.currentData(),
            credit_code=self.credit_code.text(),
            industry=self.industry.currentText(),
            address=self.address.text(),
            legal_representative=self.legal_representative.text(),
            contact_person=self.contact_person.text(),
            contact_phone=self.contact_phone.text(),
            founded_on=date_or_none(self.founded_on),
            staff_count=None if count == NO_COUNT else count,
            staff_count_source=self.staff_count_source.currentData(),
            staff_count_date=date_or_none(self.staff_count_date),
            above_scale=self.above_scale.isChecked(),
            deputy_linked=self.deputy_linked.isChecked(),
            new_employment_forms=self.new_employment_forms.isChecked(),
            first_level_union_id=self.first_level_union.currentData(),
        )
