"""The member form shared by 新增会员 and 会员信息: the ID number is checked as it is typed and gives birth
date and sex; every field's problem is shown beside it."""

from __future__ import annotations

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QDateEdit, QLabel, QLineEdit, QWidget
from sqlalchemy import Engine

from models import codes
from models.accounts import sees_personal_data
from models.errors import CodeError
from models.privacy import mask_id_number, mask_mobile
from models.registers import MemberRecord
from ui.dialogs.base import FormDialog
from ui.labels import SEX
from ui.union_chooser import UnionChooser


class MemberForm(FormDialog):
    def __init__(
        self, title: str, engine: Engine, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, window_state, parent)
        self._engine = engine
        self.saved: MemberRecord | None = None
        self.personal_data_masked = False  # a reader's view of a record: nothing to check or save
        self.name = self.add_field("name", "姓名", QLineEdit())
        self.id_number = self.add_field("id_number", "身份证号", QLineEdit())
        self.id_number.setPlaceholderText("18位，末位可为X")
        self.id_facts = QLabel()
        self.id_facts.setObjectName("hint")
        self.form.addRow("", self.id_facts)
        self.mobile = self.add_field("mobile", "手机号码", QLineEdit())
        self.union = self.add_field("union", "所在工会", UnionChooser(engine))
        self.joined_on = self.add_field("joined_on", "入会日期", QDateEdit(QDate.currentDate()))
        self.joined_on.setCalendarPopup(True)
        self.joined_on.setDisplayFormat("yyyy-MM-dd")
        self.joined_on.setMaximumDate(QDate.currentDate())
        self.id_number.textChanged.connect(self._check_id_number)
        self.id_number.editingFinished.connect(self._id_number_finished)
        self.mobile.editingFinished.connect(self._check_mobile)

    def show_personal_data(self, id_number: str, mobile: str | None) -> None:
        """An opened record's ID number and phone: whole for 录入员 and 管理员, masked for a reader (查阅),
        who then sees neither the birth date the mask hides nor a complaint that a mask is no ID number."""
        if sees_personal_data(self._engine):
            self.id_number.setText(id_number)
            self.mobile.setText(mobile or "")
            return
        self.personal_data_masked = True
        self.id_number.blockSignals(True)
        self.id_number.setText(mask_id_number(id_number))
        self.id_number.blockSignals(False)
        self.mobile.setText(mask_mobile(mobile) or "")
        for field in (self.id_number, self.mobile):
            field.setReadOnly(True)
        self.id_facts.setText("身份证号和手机号码已隐去部分数字（查阅权限）")

    def _check_id_number(self, text: str, finished: bool = False) -> None:
        """Check as the clerk types: complain once 18 characters are there, or when they leave the field."""
        self.id_facts.clear()
        self.clear_error("id_number")
        if len(codes.normalize_code(text)) < 18 and not finished or not text.strip():
            return
        try:
            number = codes.check_id_number(text)
        except CodeError as exc:
            self.show_error("id_number", exc.message)
            return
        born = codes.birth_date_from_id(number)
        self.id_facts.setText(f"出生日期 {born:%Y-%m-%d}，{SEX[codes.sex_from_id(number)]}")

    def _id_number_finished(self) -> None:
        self._check_id_number(self.id_number.text(), finished=True)

    def _check_mobile(self) -> None:
        self.clear_error("mobile")
        if self.mobile.text().strip():
            try:
                codes.check_mobile(self.mobile.text())
            except CodeError as exc:
                self.show_error("mobile", exc.message)

    def check_fields(self) -> None:
        if self.personal_data_masked:
            return
        self._check_id_number(self.id_number.text(), finished=True)
        self._check_mobile()

    def member_fields(self) -> dict:
        """What the clerk entered, as ``add_member`` and ``update_member`` take it."""
        return {
            "name": self.name.text(),
            "id_number": self.id_number.text(),
            "union": self.union.chosen_union(),
            "joined_on": self.joined_on.date().toPython(),
            "mobile": self.mobile.text(),
        }
