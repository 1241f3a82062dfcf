"""A PDF shown in the program (QtPdf), and sent to a printer page by page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QVBoxLayout, QWidget

# Pages are rendered as images for the printer: 300 dpi is what a notice needs on an office laser printer,
# and keeps one A4 page at ~26 MB instead of ~100 MB at the 600 dpi of a high-resolution QPrinter.
PRINT_DPI = 300


class PdfPreview(QWidget):
    """Pages one under the other, fitted to the width, scrolled with the wheel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        # QPdfDocument reads the file through this device for as long as it shows it.
        self._buffer: QBuffer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def show_pdf(self, pdf: bytes) -> None:
        """Show these PDF bytes in place of what was shown (the page scrolled to stays near the same place)."""
        old = self._buffer
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if old is not None:
            old.close()
            old.deleteLater()

    def clear(self) -> None:
        self.document.close()

    @property
    def page_count(self) -> int:
        return self.document.pageCount()


def a4_printer() -> QPrinter:
    """A printer set for the notices: A4 and the whole page, since the PDF already holds its margins."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)
    printer.setResolution(PRINT_DPI)
    printer.setDocName("工会组建工作台")
    return printer


def print_document(document: QPdfDocument, printer: QPrinter, page_done: Callable[[int, int], bool]) -> int:
    """Print every page (or the range chosen in the print dialog); returns the pages sent.

    ``page_done(done, total)`` is called after each page and returns False to stop (the clerk cancelled).
    """
    first, last = 1, document.pageCount()
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage(), last)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    sent = 0
    try:
        target = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
        for number in range(first, last + 1):
            if sent:
                printer.newPage()
            image = document.render(number - 1, QSize(target.width(), target.height()))
            painter.drawImage(target, image)
            sent += 1
            if not page_done(sent, last - first + 1):
                break
    finally:
        painter.end()
    return sent
