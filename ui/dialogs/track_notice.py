"""跟踪文书: one notice's whole story — issued, served, answered, escalated, closed — and its next step.

The buttons offer only the steps the notice's status allows; each step has its own small form. 升级 drafts
the next kind and this dialog moves on to it, so the clerk can number and print it at once.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import Engine

from models.entities import NoticeKind, NoticeStatus
from models.notices import NoticeHistory, notice_history
from models.paths import DataDir
from printing.fonts import document_fonts
from printing.notice_wording import NoticeWordings
from printing.notices import notice_file_name, notice_pdf
from ui.dialogs.base import SizedDialog
from ui.dialogs.record_notice_step import NoticeStep, RecordNoticeStepDialog
from ui.dialogs.serve_notice import ServeNoticeDialog
from ui.dialogs.view_pdf import ViewPdfDialog
from ui.error_dialog import show_bug
from ui.fact_table import fact_table, shown
from ui.labels import NOTICE_KIND, NOTICE_STATUS, SERVICE_METHOD
from ui.print_fonts import uses_office_fonts
from ui.worker import Job, JobRunner

# Which steps each status allows (models.notices refuses the others as well).
STEPS = {
    NoticeStatus.DRAFT: (NoticeStep.ISSUE, NoticeStep.VOID),
    NoticeStatus.ISSUED: ("serve", NoticeStep.CLOSE, NoticeStep.VOID),
    NoticeStatus.SERVED: (NoticeStep.REPLY, NoticeStep.ESCALATE, NoticeStep.CLOSE),
    NoticeStatus.REPLIED: (NoticeStep.ESCALATE, NoticeStep.CLOSE),
    NoticeStatus.ESCALATED: (NoticeStep.CLOSE,),
}
STEP_BUTTONS = {
    NoticeStep.ISSUE: "编号发出…",
    "serve": "登记送达…",
    NoticeStep.REPLY: "登记答复…",
    NoticeStep.ESCALATE: "升级…",
    NoticeStep.CLOSE: "办结…",
    NoticeStep.VOID: "作废…",
}
CHAIN_HEADERS = ("文书", "文号", "状态", "成文日期", "送达日期", "答复期限")


class TrackNoticeDialog(SizedDialog):
    records_changed = Signal()

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        data_dir: DataDir,
        wordings: NoticeWordings,
        notice_id: int,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("文书", window_state, (720, 620), parent)
        self._engine = engine
        self._runner = runner
        self._data_dir = data_dir
        self._wordings = wordings
        self._window_state = window_state
        self.notice_id = notice_id
        self.history: NoticeHistory | None = None
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.heading.setWordWrap(True)
        self.facts = QFormLayout()
        self.chain = fact_table(CHAIN_HEADERS, [])
        self.step_buttons: dict[str, QPushButton] = {}
        steps = QHBoxLayout()
        for step, text in STEP_BUTTONS.items():
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, chosen=step: self.take_step(chosen))
            self.step_buttons[step] = button
            steps.addWidget(button)
        steps.addStretch(1)
        self.print_button = QPushButton("预览和打印…")
        self.print_button.clicked.connect(self.show_printout)
        steps.addWidget(self.print_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        steps.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.facts)
        layout.addWidget(QLabel("同一单位的文书（按升级顺序）"))
        layout.addWidget(self.chain, 1)
        layout.addLayout(steps)
        self.restore_size()
        self.reload()

    # --- showing --------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the notice again (small: one transaction on the GUI thread) and show what it now allows."""
        self.history = history = notice_history(self._engine, self.notice_id)
        record = history.record
        self.setWindowTitle(f"文书：{record.document_number or '草稿'}")
        status = NOTICE_STATUS[record.status]
        if record.overdue(date.today()):
            status += "（已逾期）"
        self.heading.setText(
            f"{NOTICE_KIND[record.kind]} · {record.document_number or '草稿，未编号'} · {status}"
        )
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for label, value in self._facts(history):
            text = QLabel(value)
            text.setWordWrap(True)
            self.facts.addRow(label, text)
        chain = fact_table(
            CHAIN_HEADERS,
            [
                (
                    NOTICE_KIND[n.kind],
                    n.document_number or "草稿",
                    NOTICE_STATUS[n.status],
                    n.issued_on,
                    n.served_on,
                    n.reply_due_on,
                )
                for n in history.chain
            ],  # fmt: skip
        )
        self.layout().replaceWidget(self.chain, chain)
        self.chain.deleteLater()
        self.chain = chain
        self.chain.selectRow([n.id for n in history.chain].index(record.id))
        allowed = STEPS.get(record.status, ())
        for step, button in self.step_buttons.items():
            last_kind = record.kind == NoticeKind.RECOMMENDATION and step == NoticeStep.ESCALATE
            button.setVisible(step in allowed and not last_kind)

    def _facts(self, history: NoticeHistory) -> list[tuple[str, str]]:
        record = history.record
        rows = [("单位", record.employer_name)]
        if history.recipient:
            rows.append(("主送部门", history.recipient))
        rows.append(("成文日期", shown(record.issued_on) or "（未发出）"))
        for service in history.services:
            who = f"，签收人 {service.signed_by}" if service.signed_by else ""
            note = f"；{service.note}" if service.note else ""
            rows.append(("送达", f"{shown(service.served_on)} {SERVICE_METHOD[service.method]}{who}{note}"))
        if record.reply_due_on:
            rows.append(("答复期限", shown(record.reply_due_on)))
        if record.replied_on:
            rows.append(("答复", f"{shown(record.replied_on)}：{history.reply_summary or ''}"))
        if record.override_reason:
            rows.append(("越级或提前的理由", record.override_reason))
        if history.closed_reason:
            rows.append(("办结/作废", f"{shown(history.closed_on)}：{history.closed_reason}"))
        return rows

    # --- steps ----------------------------------------------------------------------------------------
    def take_step(self, step: str):
        """Open the step's form; when it is saved the notice is shown again (a test waits on the form)."""
        record = self.history.record
        if step == "serve":
            form = ServeNoticeDialog(self._engine, record, self._window_state, self)
        else:
            form = RecordNoticeStepDialog(self._engine, record, NoticeStep(step), self._window_state, self)
        form.accepted.connect(lambda: self._step_taken(step, form.saved_result))
        form.open()
        return form

    def _step_taken(self, step: str, result: object) -> None:
        self.records_changed.emit()
        was_draft = self.history.record.status == NoticeStatus.DRAFT
        if step == NoticeStep.ESCALATE and isinstance(result, int):
            self.notice_id = result  # move on to the new draft, ready to be numbered
        elif step == NoticeStep.VOID and was_draft:
            if result is None:  # the draft is gone and followed nothing: nothing is left to show
                self.accept()
                return
            self.notice_id = result  # back to the step it had been escalated from, open again
        self.reload()

    # --- printing -------------------------------------------------------------------------------------
    def show_printout(self) -> Job:
        """The notice and its 送达回证, rendered on the worker, then shown in the viewer."""
        notice_id = self.notice_id
        office_fonts = uses_office_fonts(self._window_state)

        def render() -> bytes:
            fonts = document_fonts(office_fonts)
            return notice_pdf(
                self._engine, notice_id, self._wordings, with_proof_of_service=True, fonts=fonts
            )

        job = Job(render, yields_progress=False)
        job.signals.succeeded.connect(self._show_pdf)
        job.signals.crashed.connect(self._crashed)
        return self._runner.start(job, title="正在排版", window=self)

    def _show_pdf(self, pdf: bytes) -> None:
        record = self.history.record
        name = notice_file_name(record.document_number, record.employer_name, record.id)
        viewer = ViewPdfDialog(
            pdf, self.windowTitle(), name, self._data_dir.printouts, self._window_state, self
        )
        viewer.open()
        self.viewer = viewer

    def _crashed(self, details: str) -> None:
        show_bug(details, self)
