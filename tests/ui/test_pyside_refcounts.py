"""Guards against a Qt binding that loses references to None, which kills the program after hours of use.

PySide6 6.12.0 on Python 3.11 dropped one reference to None on every call of a method returning void;
after some ten thousand calls (typing, scrolling, reloading lists) the interpreter aborted with
"Fatal Python error: none_dealloc". Python 3.12 made None immortal, which hides the count there.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from ui.table_model import ListingModel


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_qt_calls_keep_none_alive(app, demo_engine):
    label = QLabel()
    model = ListingModel(demo_engine, "unions")
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("基层工会")
        model.beginResetModel()
        model.endResetModel()
        QCoreApplication.processEvents()
    assert sys.getrefcount(None) - before > -100, "the Qt binding loses references to None"
