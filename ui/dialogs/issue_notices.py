"""发出一函两书: one kind of notice to each chosen employer, numbered, in one PDF (or one file each),
with a live preview of what will print.

Employers that cannot have the notice now (already organised, an open notice of the kind, the step before
not served) are skipped and listed afterwards; the others are numbered one by one, so a cancelled batch
keeps the numbers it gave and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QWidget,
)
from sqlalchemy import Engine

from models.entities import NoticeKind
from models.notices import BatchIssue, iter_issue_notices, preview_print_data
from models.paths import DataDir
from printing.fonts import document_fonts
from printing.notice_wording import NoticeWordings
from printing.notices import iter_write_notice_files, iter_write_notices, notice_printables
from printing.official_document import document_pdf
from ui.dialogs.base import FormDialog, date_until_today
from ui.labels import NOTICE_KIND
from ui.pdf_preview import PdfPreview
from ui.print_fonts import uses_office_fonts
from ui.worker import Job, JobRunner, Progress

# A change of kind, date or employer is previewed once the clerk pauses, not on every click of the calendar.
PREVIEW_PAUSE_MS = 150


class IssueNoticesDialog(FormDialog):
    """After the batch, ``outcome`` lists what was issued and skipped; ``issued`` carries the PDF written
    (a file, or the folder of files; None when nothing was written)."""

    save_yields_progress = True

    issued = Signal(object, object)  # BatchIssue, Path | None

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        data_dir: DataDir,
        wordings: NoticeWordings,
        employers: Sequence[tuple[int, str]],
        window_state: QSettings,
        parent: QWidget | None = None,
        kind: str = NoticeKind.OPINION_LETTER,
    ) -> None:
        super().__init__("发出一函两书", window_state, parent, runner)
        self._engine = engine
        self._data_dir = data_dir
        self._wordings = wordings
        self.employers = list(employers)
        self.outcome = BatchIssue()
        self.target: Path | None = None
        self._previews = 0  # which preview is the latest asked for: older answers are dropped

        self.form.addRow(QLabel(self._employers_summary()))
        self.kind = self.add_field("kind", "文书", QComboBox())
        for code, words in NOTICE_KIND.items():
            self.kind.addItem(words, str(code))
        self.kind.setCurrentIndex(self.kind.findData(str(kind)))
        self.issued_on = self.add_field("issued_on", "成文日期", date_until_today())
        self.previewed = self.add_field("employer", "预览单位", QComboBox())
        for employer_id, name in self.employers:
            self.previewed.addItem(name, employer_id)
        self.with_proof = QCheckBox("每份文书后附送达回证")
        self.with_proof.setChecked(True)
        self.form.addRow("", self.with_proof)
        self.one_file = QRadioButton("全部印在一个 PDF 中（每份从新的一页开始）")
        self.one_file.setChecked(True)
        self.file_each = QRadioButton("每家单位一个 PDF 文件")
        self.form.addRow("输出", self.one_file)
        self.form.addRow("", self.file_each)
        note = QLabel("已建会、已有未办结的同类文书、或前一步文书尚未送达的单位将跳过，发出后列出。")
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(
            f"编号发出 {len(self.employers):,} 份 (Ctrl+S)"
        )

        self.preview = PdfPreview()
        self.preview.setMinimumWidth(420)
        self.preview_error = QLabel()
        self.preview_error.setObjectName("fieldError")
        self.preview_error.setWordWrap(True)
        self.preview_error.hide()
        side = QHBoxLayout()
        self.layout().removeWidget(self.form_page)  # the form moves beside the preview
        side.addWidget(self.form_page, 2)
        side.addWidget(self.preview, 3)
        self.layout().insertLayout(0, side, 1)
        self.layout().insertWidget(1, self.preview_error)

        self._default_size = (1120, 800)  # room for an A4 page beside the form
        self._pause = QTimer(self, singleShot=True, interval=PREVIEW_PAUSE_MS)
        self._pause.timeout.connect(self.update_preview)
        self.kind.currentIndexChanged.connect(self._pause.start)
        self.issued_on.dateChanged.connect(self._pause.start)
        self.previewed.currentIndexChanged.connect(self._pause.start)
        self.restore_size()
        self.update_preview()

    def _employers_summary(self) -> str:
        names = "、".join(name for _, name in self.employers[:3])
        more = f"等 {len(self.employers):,} 家单位" if len(self.employers) > 3 else ""
        return f"发给：{names}{more}"

    # --- the preview ----------------------------------------------------------------------------------
    def update_preview(self) -> Job:
        """Render the notice the chosen employer would get, on the worker (≤ 250 ms)."""
        self._previews += 1
        asked = self._previews
        employer_id, kind = self.previewed.currentData(), self.kind.currentData()
        issued_on: date = self.issued_on.date().toPython()
        office_fonts = uses_office_fonts(self._window_state)

        def render() -> tuple[int, bytes]:
            data = preview_print_data(self._engine, employer_id, kind, issued_on)
            items = notice_printables(data, self._wordings, with_proof_of_service=False, today=issued_on)
            return asked, document_pdf(items[0], document_fonts(office_fonts))

        job = Job(render, yields_progress=False)
        job.signals.succeeded.connect(self._show_preview)
        job.signals.known_error.connect(self._preview_refused)
        return self._runner.start(job)

    def _show_preview(self, result: tuple[int, bytes]) -> None:
        asked, pdf = result
        if asked == self._previews:
            self.preview_error.hide()
            self.preview.show_pdf(pdf)

    def _preview_refused(self, message: str) -> None:
        self.preview_error.setText(f"无法预览：{message}")
        self.preview_error.show()

    # --- issuing --------------------------------------------------------------------------------------
    def save(self) -> Callable[[], Iterator[Progress]] | None:
        """Choose where the PDF goes; the numbering and writing then run on the worker, with progress."""
        kind = self.kind.currentData()
        issued_on: date = self.issued_on.date().toPython()
        file_each, proof = self.file_each.isChecked(), self.with_proof.isChecked()
        office_fonts = uses_office_fonts(self._window_state)
        self.target = self.choose_folder() if file_each else self._printout(kind, issued_on)
        if self.target is None:
            return None
        target = self.target
        # Everything the worker needs is read here: it never touches a widget.
        return lambda: self._issue_and_write(kind, issued_on, target, file_each, proof, office_fonts)

    def _printout(self, kind: str, issued_on: date) -> Path:
        stamp = datetime.now().strftime("%H%M%S")
        name = f"{NOTICE_KIND[kind]}-{issued_on:%Y%m%d}-{len(self.employers)}家-{stamp}.pdf"
        return self._data_dir.printouts / name

    def choose_folder(self) -> Path | None:
        """Where the files go, one per employer (a test replaces this)."""
        folder = QFileDialog.getExistingDirectory(self, "选择保存文书的文件夹", str(Path.home()))
        return Path(folder) if folder else None

    def _issue_and_write(
        self, kind: str, issued_on: date, target: Path, file_each: bool, proof: bool, office_fonts: bool
    ) -> Iterator[Progress]:
        ids = [employer_id for employer_id, _ in self.employers]
        yield from iter_issue_notices(self._engine, kind, ids, issued_on, self.outcome)
        if not self.outcome.issued:
            return
        write = iter_write_notice_files if file_each else iter_write_notices
        if not file_each:
            target.parent.mkdir(parents=True, exist_ok=True)
        fonts = document_fonts(office_fonts)
        yield from write(
            self._engine, self.outcome.notice_ids, target, self._wordings, with_proof_of_service=proof, fonts=fonts
        )  # fmt: skip

    def _saved(self, _result: object) -> None:
        self.issued.emit(self.outcome, self.target if self.outcome.issued else None)
        self.accept()

    def _save_cancelled(self) -> None:
        # Numbers given before the cancel stay given (each was its own transaction): say so, keep them.
        self.tell(
            f"已停止。停止前已编号发出 {len(self.outcome.issued)} 份，文号保留，可在“一函两书”中打开后打印。"
        )
        self.issued.emit(self.outcome, None)
        self.accept()

    def _refused(self, message: str) -> None:
        issued = len(self.outcome.issued)
        if issued:
            message += f"\n已编号发出 {issued} 份，文号保留，可在“一函两书”中打开后打印。"
            self.issued.emit(self.outcome, None)
        self.show_error(None, message)

    def tell(self, message: str) -> None:
        """A short notice to the clerk (a test replaces this)."""
        QMessageBox.information(self, self.windowTitle(), message)
