"""Fixtures for driving the window as a clerk would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine

from models.paths import DataDir
from ui.app import create_application
from ui.main_window import MainWindow


@pytest.fixture
def app(qapp):
    """pytest-qt's QApplication, set up as the program sets up its own (fonts, style sheet)."""
    return create_application()


def open_window(qtbot, engine: Engine, data_dir: DataDir) -> MainWindow:
    window = MainWindow(engine, data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, app, demo_engine: Engine, data_dir: DataDir) -> Iterator[MainWindow]:
    window = open_window(qtbot, demo_engine, data_dir)
    yield window
    window.runner.wait_all()


def type_chinese(widget, text: str) -> None:
    """Type Chinese as an input method (拼音输入法) delivers it: one committed string per word.

    QTest.keyClicks asserts on non-ASCII characters (qasciikey.cpp), and a real IME never sends them as
    key presses either.
    """
    for character in text:
        event = QInputMethodEvent()
        event.setCommitString(character)
        QApplication.sendEvent(widget, event)


def shown_rows(view, column: int) -> list[str]:
    """The texts a clerk sees in one column of a table view, top to bottom."""
    model = view.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]
