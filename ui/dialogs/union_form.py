"""The union form shared by 新增基层工会 and 工会信息: the union's credit code and the chair's phone are
checked as they are typed; the employers it covers are picked from the register by typing part of a name."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models import codes
from models.employers import employer_choices
from models.errors import CodeError
from models.privacy import mobile_for
from models.registers import first_level_union_choices
from models.unions import UnionFields
from ui.dialogs.base import FormDialog
from ui.dialogs.employer_form import date_or_none, optional_date_edit, show_date
from ui.labels import UNION_KIND


class UnionForm(FormDialog):
    def __init__(
        self, title: str, engine: Engine, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, window_state, parent)
        self._engine = engine
        self.name = self.add_field("name", "工会名称", QLineEdit())
        self.credit_code = self.add_field("credit_code", "工会统一社会信用代码", QLineEdit())
        self.credit_code.setPlaceholderText("81开头的18位代码，可暂缺")
        self.kind = self.add_field("kind", "工会类型", QComboBox())
        for code, label in UNION_KIND.items():
            self.kind.addItem(label, str(code))
        self.first_level_union = self.add_field("first_level_union_id", "所属一级工会", QComboBox())
        for union_id, name in first_level_union_choices(engine):
            self.first_level_union.addItem(name, union_id)
        self.add_field("employer_ids", "覆盖单位", self._employer_picker())
        self.founded_on = self.add_field("founded_on", "成立日期", optional_date_edit())
        self.chair_name = self.add_field("chair_name", "工会主席", QLineEdit())
        self.chair_phone = self.add_field("chair_phone", "主席手机", QLineEdit())
        self.term_years = self.add_field("term_years", "每届任期", QComboBox())
        self.term_years.addItem("5年", 5)
        self.term_years.addItem("3年", 3)
        self.term_started_on = self.add_field("term_started_on", "本届开始日期", optional_date_edit())
        self.covered_staff = self.add_field("covered_staff", "覆盖职工人数", QSpinBox())
        self.covered_staff.setRange(0, 1_000_000)
        self.covered_staff.setGroupSeparatorShown(True)
        self.credit_code.textChanged.connect(self._check_credit_code)
        self.credit_code.editingFinished.connect(self._credit_code_finished)
        self.chair_phone.editingFinished.connect(self._check_chair_phone)
        self.resize(max(self.width(), 620), max(self.height(), 620))

    def _employer_picker(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.employer_search = QComboBox()
        self.employer_search.setEditable(True)
        self.employer_search.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for employer_id, label in employer_choices(self._engine):
            self.employer_search.addItem(label, employer_id)
        self.employer_search.setCurrentIndex(-1)
        self.employer_search.lineEdit().setPlaceholderText("输入单位名称或信用代码中的字，选中后点“加入”")
        completer = QCompleter(self.employer_search.model(), self.employer_search)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.employer_search.setCompleter(completer)
        self.add_employer_button = QPushButton("加入")
        self.add_employer_button.clicked.connect(self._add_chosen_employer)
        self.remove_employer_button = QPushButton("移除")
        self.remove_employer_button.clicked.connect(self._remove_employer)
        row.addWidget(self.employer_search, 1)
        row.addWidget(self.add_employer_button)
        row.addWidget(self.remove_employer_button)
        self.employers = QListWidget()
        self.employers.setMaximumHeight(90)
        column.addLayout(row)
        column.addWidget(self.employers)
        return box

    def add_employer(self, employer_id: int) -> None:
        index = self.employer_search.findData(employer_id)
        if index < 0 or employer_id in self.chosen_employers():
            return
        item = QListWidgetItem(self.employer_search.itemText(index))
        item.setData(Qt.ItemDataRole.UserRole, employer_id)
        self.employers.addItem(item)

    def _add_chosen_employer(self) -> None:
        self.clear_error("employer_ids")
        index = self.employer_search.findText(
            self.employer_search.currentText().strip(), Qt.MatchFlag.MatchExactly
        )
        if index < 0:
            self.show_error("employer_ids", "请从列表中选择单位")
            return
        self.add_employer(self.employer_search.itemData(index))
        self.employer_search.setCurrentIndex(-1)

    def _remove_employer(self) -> None:
        for item in self.employers.selectedItems():
            self.employers.takeItem(self.employers.row(item))

    def chosen_employers(self) -> tuple[int, ...]:
        return tuple(
            self.employers.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.employers.count())
        )

    def _check_credit_code(self, text: str, finished: bool = False) -> None:
        self.clear_error("credit_code")
        if len(codes.normalize_code(text)) < 18 and not finished or not text.strip():
            return
        try:
            codes.check_union_credit_code(text)
        except CodeError as exc:
            self.show_error("credit_code", exc.message)

    def _credit_code_finished(self) -> None:
        self._check_credit_code(self.credit_code.text(), finished=True)

    def _check_chair_phone(self) -> None:
        self.clear_error("chair_phone")
        if self.chair_phone.text().strip():
            try:
                codes.check_mobile(self.chair_phone.text())
            except CodeError as exc:
                self.show_error("chair_phone", exc.message)

    def check_fields(self) -> None:
        self._check_credit_code(self.credit_code.text(), finished=True)
        self._check_chair_phone()

    def show_fields(self, fields: UnionFields) -> None:
        self.name.setText(fields.name)
        self.credit_code.setText(fields.credit_code or "")
        self.kind.setCurrentIndex(self.kind.findData(fields.kind))
        self.first_level_union.setCurrentIndex(self.first_level_union.findData(fields.first_level_union_id))
        for employer_id in fields.employer_ids:
            self.add_employer(employer_id)
        show_date(self.founded_on, fields.founded_on)
        self.chair_name.setText(fields.chair_name or "")
        self.chair_phone.setText(mobile_for(self._engine, fields.chair_phone) or "")  # masked for a reader
        self.term_years.setCurrentIndex(self.term_years.findData(fields.term_years))
        show_date(self.term_started_on, fields.term_started_on)
        self.covered_staff.setValue(fields.covered_staff)

    def union_fields(self) -> UnionFields:
        """What the clerk entered, as ``save_union`` takes it."""
        return UnionFields(
            name=self.name.text(),
            first_level_union_id=self.first_level_union.currentData(),
            kind=self.kind.currentData(),
            credit_code=self.credit_code.text(),
            employer_ids=self.chosen_employers(),
            founded_on=date_or_none(self.founded_on),
            chair_name=self.chair_name.text(),
            chair_phone=self.chair_phone.text(),
            term_years=self.term_years.currentData(),
            term_started_on=date_or_none(self.term_started_on),
            covered_staff=self.covered_staff.value(),
        )
