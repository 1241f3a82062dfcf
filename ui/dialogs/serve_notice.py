"""登记送达: when and how a notice reached the employer, and who signed for it (the 送达回证 comes back)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy import Engine

from models.entities import ServiceMethod
from models.notices import NoticeRecord, serve_notice
from ui.dialogs.base import FormDialog, date_until_today
from ui.labels import SERVICE_METHOD

# What each way of service needs written down (DOMAIN.md part 2).
METHOD_HINTS = {
    ServiceMethod.DIRECT: "直接送达：受送达单位的签收人在送达回证上签名，须填写签收人。",
    ServiceMethod.MAIL: "邮寄送达：以回执上注明的收件日期为送达日期，签收人可填写回执上的签收人。",
    ServiceMethod.LEFT: "留置送达：受送达人拒绝签收时，在备注中写明拒收事由、日期和见证人。",
}


class ServeNoticeDialog(FormDialog):
    def __init__(
        self, engine: Engine, notice: NoticeRecord, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"登记送达：{notice.document_number}", window_state, parent)
        self._engine = engine
        self.notice = notice
        self.form.addRow("受送达单位", QLabel(notice.employer_name))
        self.served_on = self.add_field("served_on", "送达日期", date_until_today())
        self.method = self.add_field("method", "送达方式", QComboBox())
        for method in ServiceMethod:
            self.method.addItem(SERVICE_METHOD[method], str(method))
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.form.addRow("", self.hint)
        self.signed_by = self.add_field("signed_by", "签收人", QLineEdit())
        self.served_by = self.add_field("served_by", "送达人", QLineEdit())
        self.served_by.setPlaceholderText("本会送达人员，两人以上用顿号分开")
        self.note = self.add_field("note", "备注", QPlainTextEdit())
        self.note.setTabChangesFocus(True)
        self.method.currentIndexChanged.connect(self._method_chosen)
        self._method_chosen()

    def _method_chosen(self) -> None:
        self.hint.setText(METHOD_HINTS[self.method.currentData()])

    def save(self) -> None:
        serve_notice(
            self._engine,
            self.notice.id,
            self.served_on.date().toPython(),
            self.method.currentData(),
            signed_by=self.signed_by.text(),
            served_by=self.served_by.text(),
            note=self.note.toPlainText(),
        )
