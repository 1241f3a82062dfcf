"""The PDF viewer: a printout is shown, printed, saved and handed to the system viewer as a clerk would."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrinter

from printing.fonts import document_fonts
from printing.official_document import OfficialDocument, document_pdf
from ui.dialogs.view_pdf import ViewPdfDialog
from ui.pdf_preview import a4_printer


@pytest.fixture(scope="module")
def two_page_pdf() -> bytes:
    sentence = "用人单位应当依法组建工会，保障职工依法参加和组织工会的权利。" * 6
    document = OfficialDocument(
        issuing_body_mark="重庆两江新区总工会",
        document_number="两江工组函〔2026〕3号",
        title="关于督促依法组建工会的意见函",
        addressee="重庆某某物流有限公司",
        body=[sentence] * 4,
        signature="重庆两江新区总工会",
        date=dt.date(2026, 3, 5),
        variant="letter",
    )
    pdf = document_pdf(document, document_fonts(use_office_fonts=False))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2, "the tests below print a notice of two pages"
    return pdf


@pytest.fixture
def dialog(qtbot, app, tmp_path: Path, two_page_pdf: bytes) -> ViewPdfDialog:
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    dialog = ViewPdfDialog(two_page_pdf, "意见函", "意见函.pdf", tmp_path / "printouts", state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.told = []
    dialog.tell = dialog.told.append
    return dialog


def test_the_pdf_is_shown_in_the_program_with_its_page_count(dialog: ViewPdfDialog) -> None:
    assert dialog.preview.page_count == 2
    assert "共 2 页" in dialog.summary.text()
    assert dialog.preview.view.document() is dialog.preview.document


def test_printing_sends_every_page_to_the_printer_on_a4(qtbot, dialog: ViewPdfDialog, tmp_path: Path) -> None:
    out = tmp_path / "printed.pdf"

    def pdf_printer() -> QPrinter:
        printer = a4_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    dialog.choose_printer = pdf_printer
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)

    pages = PdfReader(out).pages
    assert len(pages) == 2
    for page in pages:  # A4 is 595 × 842 points
        assert abs(float(page.mediabox.width) - 595.3) < 1 and abs(float(page.mediabox.height) - 841.9) < 1
    assert dialog.told == []


def test_cancelling_the_print_dialog_prints_nothing(dialog: ViewPdfDialog) -> None:
    dialog.choose_printer = lambda: None
    assert dialog.print_pages() == 0
    assert dialog.told == []


def test_save_as_writes_the_same_pdf_and_adds_the_suffix(
    qtbot, dialog: ViewPdfDialog, tmp_path: Path, two_page_pdf: bytes
) -> None:
    dialog.choose_save_path = lambda: tmp_path / "给物流公司的意见函"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    saved = tmp_path / "给物流公司的意见函.pdf"
    assert saved.read_bytes() == two_page_pdf
    assert "已保存" in dialog.summary.text()
    assert list(tmp_path.glob("*.part")) == []


def test_a_save_that_fails_says_why_and_leaves_no_half_file(dialog: ViewPdfDialog, tmp_path: Path) -> None:
    dialog.choose_save_path = lambda: tmp_path / "no such folder" / "意见函.pdf"
    assert dialog.save_as() is None
    [message] = dialog.told
    assert "无法保存" in message
    assert not (tmp_path / "no such folder").exists()


def test_the_system_viewer_gets_a_copy_in_the_printouts_folder(
    qtbot, dialog: ViewPdfDialog, tmp_path: Path, two_page_pdf: bytes
) -> None:
    launched: list[Path] = []
    dialog.launch = lambda path: launched.append(path) or True
    qtbot.mouseClick(dialog.external_button, Qt.MouseButton.LeftButton)

    [path] = launched
    assert path.parent == tmp_path / "printouts"
    assert path.name.startswith("意见函-") and path.suffix == ".pdf"
    assert path.read_bytes() == two_page_pdf
    assert dialog.told == []


def test_without_a_pdf_program_the_clerk_is_told_where_the_file_is(dialog: ViewPdfDialog) -> None:
    dialog.launch = lambda path: False
    path = dialog.open_in_system_viewer()
    [message] = dialog.told
    assert str(path) in message
