"""Looking at a printout before it leaves: the PDF in the program, then 打印, 另存为 or the system viewer."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.base import SizedDialog
from ui.pdf_preview import PdfPreview, a4_printer, print_document


def write_pdf(path: Path, pdf: bytes) -> None:
    """Write through a temporary file, so a full disk never leaves half a PDF under the chosen name."""
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(pdf)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


class ViewPdfDialog(SizedDialog):
    """``pdf`` is shown as it will print; ``file_name`` is proposed when saving; ``printouts`` is the folder
    where a copy is written for the system viewer."""

    def __init__(
        self,
        pdf: bytes,
        title: str,
        file_name: str,
        printouts: Path,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, window_state, (760, 900), parent)
        self.pdf = pdf
        self.file_name = file_name
        self.printouts = printouts
        self.saved_path: Path | None = None
        self.preview = PdfPreview(self)
        self.preview.show_pdf(pdf)
        self.summary = QLabel(f"共 {self.preview.page_count} 页（A4）")
        self.print_button = QPushButton("打印… (Ctrl+P)")
        self.print_button.clicked.connect(self.print_pages)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_pages)
        self.save_button = QPushButton("另存为…")
        self.save_button.clicked.connect(self.save_as)
        self.external_button = QPushButton("用系统程序打开")
        self.external_button.clicked.connect(self.open_in_system_viewer)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for button in (self.print_button, self.save_button, self.external_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.summary)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(row)
        self.restore_size()

    # --- printing -----------------------------------------------------------------------------------
    def print_pages(self) -> int:
        """Ask for a printer and print; returns the pages sent (0 when the clerk cancelled)."""
        printer = self.choose_printer()
        if printer is None:
            return 0
        total = self.preview.page_count
        progress = QProgressDialog("正在发送到打印机…", "取消", 0, total, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)

        def page_done(done: int, count: int) -> bool:
            progress.setMaximum(count)
            progress.setValue(done)
            return not progress.wasCanceled()

        sent = print_document(self.preview.document, printer, page_done)
        progress.close()
        if sent == 0:
            self.tell("打印机无法开始打印，请检查打印机是否可用。")
        return sent

    def choose_printer(self) -> QPrinter | None:
        """The print dialog (a test replaces this with a printer that writes a file)."""
        printer = a4_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, False)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- files --------------------------------------------------------------------------------------
    def save_as(self) -> Path | None:
        path = self.choose_save_path()
        if path is None:
            return None
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_pdf(path, self.pdf)
        except OSError as exc:
            self.tell(
                f"无法保存到“{path}”：{exc.strerror or exc}。\n\n文件可能正在被其他程序打开，或磁盘已满。"
            )
            return None
        self.saved_path = path
        self.summary.setText(f"已保存：{path.name}")
        return path

    def choose_save_path(self) -> Path | None:
        """The save dialog (a test replaces this)."""
        folder = self.saved_path.parent if self.saved_path else Path.home()
        name, _ = QFileDialog.getSaveFileName(
            self, "另存为", str(folder / self.file_name), "PDF 文件 (*.pdf)"
        )
        return Path(name) if name else None

    def open_in_system_viewer(self) -> Path | None:
        """Write a copy under the printouts folder and hand it to the program Windows opens PDFs with."""
        path = self.saved_path
        if path is None:
            # A new name each time: the system viewer may still hold the last copy open (and locked).
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = self.printouts / f"{Path(self.file_name).stem}-{stamp}.pdf"
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                write_pdf(path, self.pdf)
            except OSError as exc:
                self.tell(f"无法写出“{path}”：{exc.strerror or exc}。")
                return None
        if not self.launch(path):
            self.tell(f"系统中没有能打开 PDF 的程序。文件已保存在：\n{path}")
        return path

    def launch(self, path: Path) -> bool:
        """Open the file with its program (a test replaces this)."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def tell(self, message: str) -> None:
        """A short notice to the clerk (a test replaces this)."""
        QMessageBox.information(self, self.windowTitle(), message)
