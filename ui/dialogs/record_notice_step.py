"""One step in a notice's life that needs a date or a written text: 编号发出, 登记答复, 升级, 办结, 作废.

(登记送达 has a form of its own: ``serve_notice.py``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPlainTextEdit, QWidget
from sqlalchemy import Engine

from models.notices import (
    ESCALATION,
    NoticeRecord,
    close_notice,
    escalate_notice,
    issue_notice,
    record_reply,
    void_notice,
)
from ui.dialogs.base import FormDialog, date_until_today
from ui.labels import NOTICE_KIND


class NoticeStep(StrEnum):
    ISSUE = "issue"
    REPLY = "reply"
    ESCALATE = "escalate"
    CLOSE = "close"
    VOID = "void"


@dataclass(frozen=True)
class StepForm:
    title: str
    button: str
    date_field: str | None  # the domain's name for the date, None when the step has no date to choose
    date_label: str
    text_field: str | None  # the domain's name for the text, None when the step has no text
    text_label: str
    placeholder: str = ""


FORMS = {
    NoticeStep.ISSUE: StepForm("编号发出", "编号并发出", "issued_on", "成文日期", None, ""),
    NoticeStep.REPLY: StepForm(
        "登记答复", "保存答复", "replied_on", "答复日期", "summary", "答复内容摘要",
        "如：单位承诺于 6 月底前召开职工大会选举产生工会委员会",
    ),
    NoticeStep.ESCALATE: StepForm(
        "升级", "升级", None, "", "override_reason", "提前升级的理由",
        "答复期限未满时须写明理由；期限已过或答复未解决问题时可不填",
    ),
    NoticeStep.CLOSE: StepForm(
        "办结", "办结", "closed_on", "办结日期", "reason", "办结原因", "如：单位已建会；单位已注销；撤回"
    ),
    NoticeStep.VOID: StepForm(
        "作废", "作废", None, "", "reason", "作废原因", "如：单位名称有误，重新拟稿（文号保留，不再使用）"
    ),
}  # fmt: skip


class RecordNoticeStepDialog(FormDialog):
    """``saved_result`` holds what the step made: the new draft's id after 升级; after voiding a draft
    (which deletes it), the id of the step it had been escalated from, if any."""

    def __init__(
        self,
        engine: Engine,
        notice: NoticeRecord,
        step: NoticeStep,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        form = FORMS[step]
        super().__init__(
            f"{form.title}：{notice.document_number or NOTICE_KIND[notice.kind]}", window_state, parent
        )
        self._engine = engine
        self.notice = notice
        self.step = step
        self.form.addRow("单位", QLabel(notice.employer_name))
        if step == NoticeStep.ESCALATE:
            following = ESCALATION[ESCALATION.index(notice.kind) + 1]
            self.form.addRow("下一步", QLabel(f"拟制《{NOTICE_KIND[following]}》草稿，与本文书关联"))
        self.when = (
            self.add_field(form.date_field, form.date_label, date_until_today()) if form.date_field else None
        )
        self.text = None
        if form.text_field:
            self.text = self.add_field(form.text_field, form.text_label, QPlainTextEdit())
            self.text.setPlaceholderText(form.placeholder)
            self.text.setTabChangesFocus(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(f"{form.button} (Ctrl+S)")

    def save(self) -> None:
        when: date = self.when.date().toPython() if self.when else date.today()
        text = self.text.toPlainText() if self.text else ""
        notice_id = self.notice.id
        if self.step == NoticeStep.ISSUE:
            self.saved_result = issue_notice(self._engine, notice_id, when)
        elif self.step == NoticeStep.REPLY:
            self.saved_result = record_reply(self._engine, notice_id, when, text)
        elif self.step == NoticeStep.ESCALATE:
            self.saved_result = escalate_notice(self._engine, notice_id, when, text)
        elif self.step == NoticeStep.CLOSE:
            close_notice(self._engine, notice_id, when, text)
        else:
            self.saved_result = void_notice(self._engine, notice_id, text)
