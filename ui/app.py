"""Starting the window: the application object, fonts, style, the error dialog, the database."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from models.database import open_database
from models.errors import KnownError
from models.paths import DataDir, ensure_data_dir, resource
from ui.error_dialog import install_excepthook, start_log
from ui.fonts import set_interface_font
from ui.main_window import MainWindow


def load_qt_chinese(app: QApplication) -> QTranslator:
    """Qt's own words (是/否, 复制/粘贴, the file dialog) in Chinese, from the translations in the Qt wheel."""
    translator = QTranslator(app)  # parented, so it lives as long as the application
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)
    return translator


def create_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("工会组建工作台")
    app.setOrganizationName("UnionDesk")
    load_qt_chinese(app)
    set_interface_font(app)
    app.setStyleSheet(resource("style.qss").read_text(encoding="utf-8"))
    return app


def run_window(data_dir: DataDir) -> int:
    """Open the main window on the database in ``data_dir``; returns the exit code."""
    app = create_application()
    try:
        ensure_data_dir(data_dir)
        start_log(data_dir)
        engine = open_database(data_dir)
    except KnownError as exc:
        QMessageBox.critical(None, "工会组建工作台无法启动", exc.message)
        return 2
    install_excepthook()
    window = MainWindow(engine, data_dir)
    window.show()
    QTimer.singleShot(0, window.offer_demo_data)
    code = app.exec()
    engine.dispose()
    return code
